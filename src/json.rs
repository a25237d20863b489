//! The JSON wire format of the plan commands (`--json`): what only the command line answers (a
//! parsed plan with its targets, tasks and diagnostics, plan versions, days off, a selection of
//! activities, the diff of two versions and what an import carried over). What the API answers too — agencies, activities and their schedules, reporting
//! periods, indicators, accounts — is written with the API's own wire types
//! (`cchc_web::api::dto`, `cchc_web::api::reports`), so that each exists once. Field names are a
//! contract: add, never rename.

use cchc_domain::calendar::{DayOff, DayOffKind};
use cchc_domain::plan_diff::{ActivitySide, MatchBasis, PlanDiff};
use cchc_domain::tracking::MilestoneRecord;
use cchc_domain::PlanVersion;
use cchc_domain::{Area, Date, Diagnostic, Plan, Target};
use cchc_services::amend::{Carried, Pending};
use cchc_services::SelectedActivity;
use cchc_web::api::dto::{PlanActivityDto, ScheduleMilestoneDto};
use cchc_web::api::reports::PeriodDto;
use serde::Serialize;

fn iso(d: Date) -> String {
    d.iso()
}

#[derive(Serialize)]
pub struct PlanJson {
    pub meta: MetaJson,
    pub areas: Vec<AreaJson>,
    pub reporting_periods: Vec<PeriodDto>,
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
    pub activities: Vec<PlanActivityDto>,
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
        reporting_periods: plan.reporting_periods.iter().map(PeriodDto::new).collect(),
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
        activities: a.activities.iter().map(PlanActivityDto::new).collect(),
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

pub fn diagnostic(d: &Diagnostic) -> DiagnosticJson {
    DiagnosticJson { line: d.line, severity: d.severity.as_str(), message: d.message.clone() }
}

/// One row of `cchc activities --json`.
#[derive(Serialize)]
pub struct SelectedJson {
    pub area: &'static str,
    pub code: String,
    #[serde(flatten)]
    pub activity: PlanActivityDto,
    pub role: Option<&'static str>,
    pub matched_milestones: Vec<ScheduleMilestoneDto>,
    pub overdue_milestones: Vec<ScheduleMilestoneDto>,
}

pub fn selected(s: &SelectedActivity<'_>) -> SelectedJson {
    SelectedJson {
        area: s.area.code.as_str(),
        code: format!("{}.{}", s.area.code, s.activity.number),
        activity: PlanActivityDto::new(s.activity),
        role: s.role.map(|r| r.as_str()),
        matched_milestones: s.milestones.iter().map(ScheduleMilestoneDto::new).collect(),
        overdue_milestones: s.overdue.iter().map(ScheduleMilestoneDto::new).collect(),
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

/// An activity of one side of a plan diff.
#[derive(Serialize)]
pub struct DiffActivityJson {
    pub area: &'static str,
    pub number: String,
    /// "II.3".
    pub code: String,
    pub title: String,
}

fn diff_activity(a: &ActivitySide) -> DiffActivityJson {
    DiffActivityJson { area: a.address.area.as_str(), number: a.number.clone(), code: a.code(), title: a.title.clone() }
}

/// One changed field: `field` is the machine name (title, lead, partners, outputs, schedule,
/// note, number), `label` the Vietnamese one.
#[derive(Serialize)]
pub struct FieldChangeJson {
    pub field: &'static str,
    pub label: &'static str,
    pub old: String,
    pub new: String,
}

/// An activity of both versions with what changed.
#[derive(Serialize)]
pub struct ChangedActivityJson {
    /// The activity as in the new version.
    #[serde(flatten)]
    pub activity: DiffActivityJson,
    /// Its code in the old version.
    pub old_code: String,
    /// How it was recognised: number_and_title, title, number_and_similar_title,
    /// similar_title, number_only (the last needs a confirmation before progress is carried).
    pub matched_by: &'static str,
    pub changes: Vec<FieldChangeJson>,
}

/// The difference between two versions of a plan.
#[derive(Serialize)]
pub struct DiffJson {
    pub added: Vec<DiffActivityJson>,
    pub removed: Vec<DiffActivityJson>,
    pub changed: Vec<ChangedActivityJson>,
    pub unchanged: usize,
}

pub fn diff(d: &PlanDiff) -> DiffJson {
    DiffJson {
        added: d.added.iter().map(diff_activity).collect(),
        removed: d.removed.iter().map(diff_activity).collect(),
        changed: d
            .changed()
            .map(|m| ChangedActivityJson {
                activity: diff_activity(&m.new),
                old_code: m.old.code(),
                matched_by: match m.basis {
                    MatchBasis::NumberAndTitle => "number_and_title",
                    MatchBasis::Title => "title",
                    MatchBasis::NumberAndSimilarTitle => "number_and_similar_title",
                    MatchBasis::SimilarTitle => "similar_title",
                    MatchBasis::NumberOnly => "number_only",
                },
                changes: m
                    .changes
                    .iter()
                    .map(|c| FieldChangeJson {
                        field: c.field.as_str(),
                        label: c.field.label_vn(),
                        old: c.old.clone(),
                        new: c.new.clone(),
                    })
                    .collect(),
            })
            .collect(),
        unchanged: d.unchanged_count(),
    }
}

/// How much was carried to the new version.
#[derive(Serialize)]
pub struct CarriedJson {
    pub milestones: usize,
    pub entries: usize,
    pub evidence: usize,
    pub events: usize,
    pub reports: usize,
}

pub fn carried(c: &Carried) -> CarriedJson {
    CarriedJson {
        milestones: c.milestones,
        entries: c.entries,
        evidence: c.evidence,
        events: c.events,
        reports: c.reports,
    }
}

/// A milestone as the carry-over and progress commands list it.
#[derive(Serialize)]
pub struct TrackedMilestoneJson {
    pub id: i64,
    /// "II.3".
    pub activity: String,
    pub agency: String,
    pub label: String,
    pub due: Option<String>,
    pub status: &'static str,
    pub completed_on: Option<String>,
}

pub fn tracked(m: &MilestoneRecord) -> TrackedMilestoneJson {
    TrackedMilestoneJson {
        id: m.id.0,
        activity: m.activity_code(),
        agency: m.agency.to_string(),
        label: m.label.clone(),
        due: m.due.map(iso),
        status: m.progress.status.as_str(),
        completed_on: m.progress.completed_on.map(iso),
    }
}

/// An old milestone waiting for a confirmed match, with its candidates.
#[derive(Serialize)]
pub struct PendingJson {
    pub old: TrackedMilestoneJson,
    pub candidates: Vec<TrackedMilestoneJson>,
}

/// What is left of a carry-over.
#[derive(Serialize)]
pub struct CarryPendingJson {
    pub to_confirm: Vec<PendingJson>,
    /// Old milestones with progress that nothing in the new version continues; they stay
    /// readable under the old version.
    pub not_carried: Vec<TrackedMilestoneJson>,
}

pub fn pending(p: &Pending) -> CarryPendingJson {
    CarryPendingJson {
        to_confirm: p
            .to_confirm
            .iter()
            .map(|m| PendingJson { old: tracked(&m.old), candidates: m.candidates.iter().map(tracked).collect() })
            .collect(),
        not_carried: p.not_carried.iter().map(tracked).collect(),
    }
}
