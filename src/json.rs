//! The JSON wire format of the command line (`--json`). Only this module knows JSON; the domain
//! types are mapped here into serialisable views. Field names are a contract: add, never rename.

use cchc_domain::calendar::{DayOff, DayOffKind};
use cchc_domain::schedule::{Milestone, Offset, Precision};
use cchc_domain::PlanVersion;
use cchc_domain::{
    Activity, Agency, AgencyDirectory, AgencyRef, Area, Date, Diagnostic, Plan, ReportingPeriod, Target, When,
};
use cchc_services::SelectedActivity;
use serde::Serialize;

fn iso(d: Date) -> String {
    d.iso()
}

#[derive(Serialize)]
pub struct PlanJson {
    pub meta: MetaJson,
    pub areas: Vec<AreaJson>,
    pub reporting_periods: Vec<PeriodJson>,
    pub own_plan_deadline: Option<String>,
    pub diagnostics: Vec<DiagnosticJson>,
}

#[derive(Serialize)]
pub struct MetaJson {
    pub decision_number: String,
    pub decision_date: Option<String>,
    pub signer: Option<String>,
    pub signer_title: Option<String>,
    pub province: String,
    pub year: Option<i32>,
    pub title: String,
}

#[derive(Serialize)]
pub struct AreaJson {
    pub code: &'static str,
    pub title: String,
    pub prose_title: Option<String>,
    pub targets: Vec<TargetJson>,
    pub tasks: Vec<TaskJson>,
    pub activities: Vec<ActivityJson>,
}

#[derive(Serialize)]
pub struct TargetJson {
    pub text: String,
    pub thresholds: Vec<ThresholdJson>,
    pub baseline_year: Option<i32>,
    pub horizon_year: Option<i32>,
    pub lines: [u32; 2],
}

#[derive(Serialize)]
pub struct ThresholdJson {
    pub op: &'static str,
    pub value: f64,
    pub upper: Option<f64>,
    pub unit: String,
    pub level: Option<&'static str>,
    pub subject: String,
    pub sub_target: bool,
}

#[derive(Serialize)]
pub struct TaskJson {
    pub text: String,
    pub lines: [u32; 2],
}

#[derive(Serialize)]
pub struct ActivityJson {
    pub number: String,
    pub title: String,
    pub outputs: Vec<String>,
    pub lead: Vec<RefJson>,
    pub partners: Vec<RefJson>,
    pub note: String,
    pub schedule: ScheduleJson,
    pub lines: [u32; 2],
}

#[derive(Serialize)]
pub struct RefJson {
    pub text: String,
    pub agencies: Vec<String>,
    pub groups: Vec<String>,
}

#[derive(Serialize)]
pub struct ScheduleJson {
    pub text: String,
    pub kind: &'static str,
    pub milestones: Vec<MilestoneJson>,
    pub items: Vec<ScheduleItemJson>,
}

#[derive(Serialize)]
pub struct MilestoneJson {
    pub label: Option<String>,
    pub due: String,
}

#[derive(Serialize)]
pub struct ScheduleItemJson {
    pub label: Option<String>,
    pub kind: &'static str,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub periods: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub times_per_year: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

#[derive(Serialize)]
pub struct PeriodJson {
    pub id: String,
    pub name: String,
    pub data_from: String,
    pub data_to: String,
    pub due: String,
    pub line: u32,
}

#[derive(Serialize)]
pub struct DiagnosticJson {
    pub line: u32,
    pub severity: &'static str,
    pub message: String,
}

pub fn plan(plan: &Plan, diagnostics: &[Diagnostic]) -> PlanJson {
    let m = &plan.meta;
    PlanJson {
        meta: MetaJson {
            decision_number: m.decision_number.clone(),
            decision_date: m.decision_date.map(iso),
            signer: m.signer.clone(),
            signer_title: m.signer_title.clone(),
            province: m.province.clone(),
            year: m.year,
            title: m.title.clone(),
        },
        areas: plan.areas.iter().map(area).collect(),
        reporting_periods: plan.reporting_periods.iter().map(period).collect(),
        own_plan_deadline: plan.own_plan_deadline.map(iso),
        diagnostics: diagnostics.iter().map(diagnostic).collect(),
    }
}

fn area(a: &Area) -> AreaJson {
    AreaJson {
        code: a.code.as_str(),
        title: a.title.clone(),
        prose_title: a.prose_title.clone(),
        targets: a.targets.iter().map(target).collect(),
        tasks: a.tasks.iter().map(|t| TaskJson { text: t.text.clone(), lines: [t.lines.0, t.lines.1] }).collect(),
        activities: a.activities.iter().map(activity).collect(),
    }
}

pub fn target(t: &Target) -> TargetJson {
    TargetJson {
        text: t.text.clone(),
        thresholds: t
            .thresholds
            .iter()
            .map(|h| ThresholdJson {
                op: h.op.as_str(),
                value: h.value,
                upper: h.upper,
                unit: h.unit.clone(),
                level: h.level.map(|l| l.as_str()),
                subject: h.subject.clone(),
                sub_target: h.sub_target,
            })
            .collect(),
        baseline_year: t.baseline_year,
        horizon_year: t.horizon_year,
        lines: [t.lines.0, t.lines.1],
    }
}

fn reference(r: &AgencyRef) -> RefJson {
    RefJson {
        text: r.text.clone(),
        agencies: r.agencies.iter().map(|a| a.as_str().to_string()).collect(),
        groups: r.groups.iter().map(|g| g.as_str().to_string()).collect(),
    }
}

pub fn milestone(m: &Milestone) -> MilestoneJson {
    MilestoneJson { label: m.label.clone(), due: m.due.iso() }
}

pub fn activity(a: &Activity) -> ActivityJson {
    ActivityJson {
        number: a.number.clone(),
        title: a.title.clone(),
        outputs: a.outputs.clone(),
        lead: a.lead.iter().map(reference).collect(),
        partners: a.partners.iter().map(reference).collect(),
        note: a.note.clone(),
        schedule: ScheduleJson {
            text: a.schedule.text.clone(),
            kind: a.schedule.kind().as_str(),
            milestones: a.milestones().iter().map(milestone).collect(),
            items: a.schedule.items.iter().map(schedule_item).collect(),
        },
        lines: [a.lines.0, a.lines.1],
    }
}

fn schedule_item(item: &cchc_domain::ScheduleItem) -> ScheduleItemJson {
    let mut json = ScheduleItemJson {
        label: item.label.clone(),
        kind: "unparsed",
        text: item.text.clone(),
        due: None,
        precision: None,
        periods: Vec::new(),
        times_per_year: None,
        working_days: None,
        trigger: None,
        offset: None,
        condition: item.condition.clone(),
    };
    match &item.when {
        When::Fixed { due, precision } => {
            json.kind = "fixed";
            json.due = Some(due.iso());
            json.precision = Some(match precision {
                Precision::Day => "day",
                Precision::Month => "month",
                Precision::Quarter => "quarter",
                Precision::Year => "year",
            });
        }
        When::Ongoing => json.kind = "ongoing",
        When::Periodic { periods } => {
            json.kind = "periodic";
            json.periods = periods.iter().map(|p| p.period.to_string()).collect();
        }
        When::TimesPerYear { count, .. } => {
            json.kind = "times_per_year";
            json.times_per_year = Some(*count);
        }
        When::Relative { working_days, trigger } => {
            json.kind = "relative";
            json.working_days = Some(*working_days);
            json.trigger = Some(trigger.clone());
        }
        When::Event { trigger, offset } => {
            json.kind = "event";
            json.trigger = Some(trigger.clone());
            json.offset = offset.map(|o| match o {
                Offset::Days(n) => format!("{n} ngày"),
                Offset::WorkingDays(n) => format!("{n} ngày làm việc"),
                Offset::Months(n) => format!("{n} tháng"),
            });
        }
        When::Unparsed => {}
    }
    json
}

fn period(p: &ReportingPeriod) -> PeriodJson {
    PeriodJson {
        id: p.id.to_string(),
        name: p.name.clone(),
        data_from: p.data_from.iso(),
        data_to: p.data_to.iso(),
        due: p.due.iso(),
        line: p.line,
    }
}

pub fn diagnostic(d: &Diagnostic) -> DiagnosticJson {
    DiagnosticJson { line: d.line, severity: d.severity.as_str(), message: d.message.clone() }
}

/// One row of `cchc activities --json`.
#[derive(Serialize)]
pub struct SelectedJson {
    pub area: &'static str,
    pub code: String,
    #[serde(flatten)]
    pub activity: ActivityJson,
    pub role: Option<&'static str>,
    pub matched_milestones: Vec<MilestoneJson>,
    pub overdue_milestones: Vec<MilestoneJson>,
}

pub fn selected(s: &SelectedActivity<'_>) -> SelectedJson {
    SelectedJson {
        area: s.area.code.as_str(),
        code: format!("{}.{}", s.area.code, s.activity.number),
        activity: activity(s.activity),
        role: s.role.map(|r| r.as_str()),
        matched_milestones: s.milestones.iter().map(milestone).collect(),
        overdue_milestones: s.overdue.iter().map(milestone).collect(),
    }
}

#[derive(Serialize)]
pub struct AgencyJson {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub kind: &'static str,
    pub level: &'static str,
    pub parent: Option<String>,
    pub gso_code: Option<u32>,
    pub groups: Vec<String>,
}

pub fn agency(a: &Agency, directory: &AgencyDirectory) -> AgencyJson {
    AgencyJson {
        id: a.id.as_str().to_string(),
        name: a.name.clone(),
        aliases: a.aliases.clone(),
        kind: a.kind.as_str(),
        level: a.level.as_str(),
        parent: a.parent.as_ref().map(|p| p.as_str().to_string()),
        gso_code: a.gso_code,
        groups: directory
            .groups
            .iter()
            .filter(|g| directory.is_member(&g.id, &a.id))
            .map(|g| g.id.as_str().to_string())
            .collect(),
    }
}

#[derive(Serialize)]
pub struct VersionJson {
    pub id: i64,
    pub plan_key: String,
    pub version: i64,
    pub content_hash: String,
    pub source_name: String,
    pub imported_at: String,
    pub decision_number: String,
    pub year: Option<i32>,
    pub title: String,
}

pub fn version(v: &PlanVersion) -> VersionJson {
    VersionJson {
        id: v.id,
        plan_key: v.plan_key.clone(),
        version: v.version,
        content_hash: v.content_hash.clone(),
        source_name: v.source_name.clone(),
        imported_at: v.imported_at.clone(),
        decision_number: v.decision_number.clone(),
        year: v.year,
        title: v.title.clone(),
    }
}

#[derive(Serialize)]
pub struct DayOffJson {
    pub date: String,
    pub weekday: &'static str,
    pub name: String,
    pub kind: &'static str,
}

pub fn day_off(d: &DayOff) -> DayOffJson {
    DayOffJson {
        date: d.date.iso(),
        weekday: d.date.weekday_vn(),
        name: d.name.clone(),
        kind: match d.kind {
            DayOffKind::Holiday => "holiday",
            DayOffKind::Compensatory => "compensatory",
            DayOffKind::Swapped => "swapped",
        },
    }
}

/// An indicator of the catalogue (`cchc indicators --json`).
pub fn indicator(i: &cchc_domain::reporting::Indicator) -> serde_json::Value {
    serde_json::json!({
        "code": i.code.as_str(),
        "name": i.name,
        "area": i.area.as_str(),
        "target": i.target,
        "numerator": i.numerator,
        "denominator": i.denominator,
        "unit": i.unit,
        "direction": match i.direction {
            cchc_domain::reporting::Direction::HigherIsBetter => "higher_is_better",
            cchc_domain::reporting::Direction::LowerIsBetter => "lower_is_better",
        },
        "thresholds": i.thresholds.iter().map(|t| serde_json::json!({
            "level": t.level.map(|l| l.as_str()), "op": t.op.as_str(), "value": t.value, "upper": t.upper,
        })).collect::<Vec<_>>(),
        "reporters": i.reporters.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
    })
}

/// "≥ 75% (cấp xã)".
pub fn level_threshold_vn(t: &cchc_domain::reporting::LevelThreshold) -> String {
    let value = crate::render::number(t.value);
    let mut text = match t.upper {
        Some(u) => format!("{value}–{}%", crate::render::number(u)),
        None => format!("{} {value}%", t.op.label_vn()),
    };
    if let Some(level) = t.level {
        text.push_str(&format!(" ({})", level.label_vn()));
    }
    text
}
