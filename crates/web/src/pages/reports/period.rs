//! The periods (`/bao-cao`), one period (`/bao-cao/{period}`: completeness per group with every
//! state a report can be in, each agency's report, the province's indicator results by level
//! with their trend) and the drill-down of one indicator to each agency's answer.

use crate::extract::VnQuery;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use cchc_domain::account::UserRole;
use cchc_domain::number::{count_vn, Percent1};
use cchc_domain::reporting::{
    level_label, ratio_text, Answer, Attainment, Completeness, ComputedFigure, IndicatorCode, IndicatorResult,
    LevelResult, Ratio, ReportStatus, Sources,
};
use cchc_domain::{AgencyKind, ReportingPeriod};
use cchc_services::reporting::{AgencyStanding, REPORTING_KINDS};
use serde::Deserialize;

use super::{known_agency, period_param, shorten, standing_key, status_of, window_label};
use crate::auth::PageUser;
use crate::error::PageError;
use crate::pages::plan::{bad_request, not_found};
use crate::pages::{kind_options, render, BarSegment, Nav, SelectOption};
use crate::plan_choice::{plan_bar, PlanBar, PlanChoice};
use crate::AppState;

// ---------------------------------------------------------------------------------------------
// The periods.

/// A period of the plan with links and, for an officer, the own report's status.
pub struct PeriodRow {
    pub id: String,
    pub name: String,
    pub label: String,
    pub window: &'static str,
    pub data_from: String,
    pub data_to: String,
    pub due: String,
    pub link: Option<String>,
    pub own_link: Option<String>,
    pub own_status: &'static str,
    pub own_class: &'static str,
    pub own_late: bool,
    pub submitted: Option<String>,
}

#[derive(Template)]
#[template(path = "report_index.html")]
struct IndexPage {
    nav: Nav,
    plan_bar: PlanBar,
    plan_title: String,
    reads_all: bool,
    is_admin: bool,
    own_name: Option<String>,
    own_note: Option<String>,
    periods: Vec<PeriodRow>,
}

pub(super) async fn index_page(
    State(state): State<AppState>,
    choice: PlanChoice,
    PageUser(user): PageUser,
) -> Result<Response, PageError> {
    let current = crate::pages::plan::snapshot(&state, &choice).await?.current;
    let plan_bar = plan_bar(&state, &current, "/bao-cao").await?;
    let own = user
        .user
        .agency
        .as_ref()
        .filter(|_| user.user.role == UserRole::Agency)
        .and_then(|id| state.app.directory().agency(id))
        .cloned();
    let own_reports = own.as_ref().filter(|a| REPORTING_KINDS.contains(&a.kind));
    // A district sees its communes' status: its period pages are open to it.
    let scoped_reader = own.as_ref().is_some_and(|a| a.kind == AgencyKind::District);
    let mut periods = Vec::new();
    for p in &current.plan.reporting_periods {
        let mut row = PeriodRow {
            id: p.id.to_string(),
            name: p.name.clone(),
            label: p.id.label_vn(),
            window: window_label(p),
            data_from: p.data_from.to_string(),
            data_to: p.data_to.to_string(),
            due: p.due.to_string(),
            link: (user.user.reads_all() || scoped_reader).then(|| format!("/bao-cao/{}", p.id)),
            own_link: None,
            own_status: "",
            own_class: "",
            own_late: false,
            submitted: None,
        };
        if user.user.reads_all() || scoped_reader {
            let status = state.app.report_status(&user.user, p.id).await?;
            let c = &status.overall;
            row.submitted = Some(format!(
                "{}/{} đã gửi ({} đúng hạn, {} trễ hạn); {} bị trả lại; {} chưa gửi",
                c.submitted(),
                c.expected,
                c.on_time.len(),
                c.late.len(),
                c.returned.len(),
                c.not_submitted.len()
            ));
        }
        if let Some(agency) = own_reports {
            let detail = state.app.report_detail(&user.user, &agency.id, p.id).await?;
            let (_, label, class) = status_of(detail.report.as_ref());
            row.own_link = Some(format!("/bao-cao/{}/{}", p.id, agency.id));
            row.own_status = label;
            row.own_class = class;
            row.own_late = detail.report.as_ref().is_some_and(|r| r.is_late(detail.form.due));
        }
        periods.push(row);
    }
    let own_note = match &own {
        Some(agency) if !REPORTING_KINDS.contains(&agency.kind) => {
            Some(format!("{} không thuộc diện gửi báo cáo định kỳ.", agency.name))
        }
        _ => None,
    };
    let page = IndexPage {
        nav: Nav::new(Some(&user)),
        plan_bar,
        plan_title: current.plan.meta.title.clone(),
        reads_all: user.user.reads_all() || scoped_reader,
        is_admin: user.user.is_admin(),
        own_name: own_reports.map(|a| a.name.clone()),
        own_note,
        periods,
    };
    render(&page)
}

// ---------------------------------------------------------------------------------------------
// A period.

#[derive(Debug, Default, Deserialize)]
pub(super) struct PeriodQuery {
    #[serde(rename = "nhom")]
    group: Option<String>,
    #[serde(rename = "trang_thai")]
    status: Option<String>,
    #[serde(rename = "da_tiep_nhan")]
    accepted: Option<String>,
    #[serde(rename = "da_tra_lai")]
    returned: Option<String>,
}

/// The `trang_thai` filter values.
const STATUS_FILTERS: [(&str, &str); 6] = [
    ("not_submitted", "Chưa gửi"),
    ("awaiting", "Chờ tiếp nhận"),
    ("returned", "Bị trả lại, chờ gửi lại"),
    ("accepted", "Đã tiếp nhận"),
    ("on_time", "Gửi đúng hạn"),
    ("late", "Gửi trễ hạn"),
];

/// Completeness of one agency group: every state a report can be in.
pub struct GroupRow {
    pub label: String,
    pub link: String,
    pub expected: usize,
    pub not_submitted: usize,
    pub awaiting: usize,
    pub returned: usize,
    pub accepted: usize,
    pub submitted: usize,
    pub on_time: usize,
    pub late: usize,
    pub submitted_percent: String,
    pub on_time_percent: String,
    pub bar: Vec<BarSegment>,
}

/// One expected agency and its report.
pub struct AgencyRow {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub link: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub received_on: String,
    pub due: String,
    pub extended: bool,
    pub late: bool,
    pub returned_reason: String,
    pub can_accept: bool,
    pub can_return: bool,
}

/// One level's result of an indicator.
pub struct LevelCell {
    pub label: &'static str,
    pub value: String,
    pub ratio: String,
    pub verdict: &'static str,
    pub verdict_class: &'static str,
    pub target: String,
    pub reading: String,
    pub agencies: usize,
    pub not_applicable: usize,
}

/// A value of the trend.
pub struct TrendPoint {
    pub period: String,
    pub window: &'static str,
    pub value: String,
    pub current: bool,
}

/// An inline SVG sparkline.
pub struct Sparkline {
    pub points: String,
    pub dots: Vec<SparkDot>,
}

pub struct SparkDot {
    pub x: String,
    pub y: String,
    pub title: String,
}

/// An indicator's results for the period.
pub struct IndicatorRow {
    pub code: String,
    pub name: String,
    pub link: String,
    pub levels: Vec<LevelCell>,
    pub trend_label: &'static str,
    pub trend: Vec<TrendPoint>,
    pub spark: Option<Sparkline>,
}

#[derive(Template)]
#[template(path = "report_period.html")]
struct PeriodPage {
    nav: Nav,
    period_id: String,
    period_label: String,
    period_name: String,
    window: &'static str,
    data_from: String,
    data_to: String,
    due: String,
    notice: Option<String>,
    is_admin: bool,
    whole_province: bool,
    csrf_token: String,
    overall: GroupRow,
    groups: Vec<GroupRow>,
    group_options: Vec<SelectOption>,
    status_options: Vec<SelectOption>,
    filtered: bool,
    agencies: Vec<AgencyRow>,
    sources: String,
    indicators: Vec<IndicatorRow>,
    pdf_available: bool,
}

fn completeness_row(label: String, link: String, c: &Completeness) -> GroupRow {
    let mut bar = Vec::new();
    let mut x = 0.0;
    if c.expected > 0 {
        for (n, class, what) in [
            (c.on_time.len(), "st-done-on-time", "Gửi đúng hạn"),
            (c.late.len(), "st-done-late", "Gửi trễ hạn"),
            (c.returned.len(), "st-overdue", "Bị trả lại"),
            (c.not_submitted.len(), "st-not-due", "Chưa gửi"),
        ] {
            if n == 0 {
                continue;
            }
            let width = n as f64 * 100.0 / c.expected as f64;
            bar.push(BarSegment {
                x: format!("{x:.2}"),
                width: format!("{width:.2}"),
                class,
                title: format!("{what}: {n}"),
            });
            x += width;
        }
    }
    GroupRow {
        label,
        link,
        expected: c.expected,
        not_submitted: c.not_submitted.len(),
        awaiting: c.awaiting.len(),
        returned: c.returned.len(),
        accepted: c.accepted.len(),
        submitted: c.submitted(),
        on_time: c.on_time.len(),
        late: c.late.len(),
        submitted_percent: Percent1::share(c.submitted(), c.expected).to_string(),
        on_time_percent: Percent1::share(c.on_time.len(), c.expected).to_string(),
        bar,
    }
}

pub(super) fn verdict_class(attainment: Attainment) -> &'static str {
    match attainment {
        Attainment::Met => "st-done-on-time",
        Attainment::NotMet => "st-overdue",
        Attainment::NoData | Attainment::NoTarget => "st-not-due",
    }
}

pub(super) fn value_text(value: Option<Percent1>) -> String {
    value.map_or_else(|| "—".to_string(), |v| v.to_string())
}

fn level_cell(result: &LevelResult, unit: &str) -> LevelCell {
    LevelCell {
        label: level_label(result.level),
        value: value_text(result.value),
        ratio: if result.reporting_agencies > 0 {
            format!("{}/{}", count_vn(result.numerator), count_vn(result.denominator))
        } else {
            String::new()
        },
        verdict: result.assessment.label_vn(),
        verdict_class: verdict_class(result.assessment.attainment),
        target: result.target.clone().unwrap_or_default(),
        reading: result.reading(unit),
        agencies: result.reporting_agencies,
        not_applicable: result.not_applicable,
    }
}

/// The row followed over the periods: the province row, else the single level row.
fn headline(result: &IndicatorResult) -> Option<&LevelResult> {
    result.levels.iter().find(|l| l.level.is_none()).or_else(|| result.levels.first())
}

fn sparkline(values: &[Option<Percent1>], labels: &[String]) -> Option<Sparkline> {
    if values.iter().all(Option::is_none) {
        return None;
    }
    let max = values.iter().flatten().map(|v| v.value()).fold(100.0_f64, f64::max);
    let step = if values.len() > 1 { 112.0 / (values.len() - 1) as f64 } else { 0.0 };
    let mut points = Vec::new();
    let mut dots = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let Some(v) = value else { continue };
        let x = 4.0 + step * i as f64;
        let y = 28.0 - (v.value().max(0.0) / max) * 24.0;
        points.push(format!("{x:.1},{y:.1}"));
        dots.push(SparkDot {
            x: format!("{x:.1}"),
            y: format!("{y:.1}"),
            title: format!("{}: {v}", labels.get(i).map_or("", String::as_str)),
        });
    }
    Some(Sparkline { points: points.join(" "), dots })
}

/// Indicator rows of a period, with the trend over every period of the plan.
fn indicator_rows(
    period: &ReportingPeriod,
    results: &[IndicatorResult],
    trend: &[(ReportingPeriod, std::sync::Arc<cchc_services::reporting::PeriodData>)],
) -> Vec<IndicatorRow> {
    let labels: Vec<String> = trend.iter().map(|(p, _)| format!("{} ({})", p.id.label_vn(), window_label(p))).collect();
    results
        .iter()
        .map(|result| {
            let values: Vec<Option<Percent1>> = trend
                .iter()
                .map(|(_, data)| {
                    data.results.iter().find(|r| r.code == result.code).and_then(headline).and_then(|l| l.value)
                })
                .collect();
            IndicatorRow {
                code: result.code.to_string(),
                name: result.name.clone(),
                link: format!("/bao-cao/{}/chi-tieu/{}", period.id, result.code),
                levels: result.levels.iter().map(|l| level_cell(l, &result.unit)).collect(),
                trend_label: headline(result).map_or("", |l| level_label(l.level)),
                trend: trend
                    .iter()
                    .zip(&values)
                    .map(|((p, _), v)| TrendPoint {
                        period: p.id.label_vn(),
                        window: window_label(p),
                        value: value_text(*v),
                        current: p.id == period.id,
                    })
                    .collect(),
                spark: sparkline(&values, &labels),
            }
        })
        .collect()
}

fn matches_filter(standing: &AgencyStanding, wanted: &str) -> bool {
    match wanted {
        "on_time" => standing.report.as_ref().is_some_and(|r| r.status.counts_as_submitted()) && !standing.is_late(),
        "late" => standing.is_late(),
        key => standing_key(standing.standing()) == key,
    }
}

pub(super) async fn period_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
    VnQuery(q): VnQuery<PeriodQuery>,
) -> Result<Response, PageError> {
    let period = period_param(&state, &raw).await?;
    let status = state.app.report_status(&user.user, period.id).await?;
    let group = q
        .group
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|r| {
            AgencyKind::parse(r).filter(|k| REPORTING_KINDS.contains(k)).ok_or_else(|| {
                bad_request(format!(
                    "nhóm cơ quan «{}» không hợp lệ (department, sectoral, district, commune)",
                    shorten(r)
                ))
            })
        })
        .transpose()?;
    let wanted = q
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|r| {
            STATUS_FILTERS.iter().map(|(k, _)| *k).find(|k| *k == r).ok_or_else(|| {
                let known: Vec<&str> = STATUS_FILTERS.iter().map(|(k, _)| *k).collect();
                bad_request(format!("trạng thái «{}» không hợp lệ ({})", shorten(r), known.join(", ")))
            })
        })
        .transpose()?;
    let is_admin = user.user.is_admin();
    let agencies = status
        .agencies
        .iter()
        .filter(|s| group.is_none_or(|k| s.agency.kind == k))
        .filter(|s| wanted.is_none_or(|w| matches_filter(s, w)))
        .map(|s| {
            let report = s.report.as_deref();
            let (_, label, class) = status_of(report);
            let report_status = report.map(|r| r.status);
            AgencyRow {
                id: s.agency.id.to_string(),
                name: s.agency.name.clone(),
                kind: s.agency.kind.label_vn(),
                link: format!("/bao-cao/{}/{}", period.id, s.agency.id),
                status: label,
                status_class: class,
                received_on: report.and_then(|r| r.received_on()).map(|d| d.to_string()).unwrap_or_default(),
                due: s.due.to_string(),
                extended: s.extension.is_some(),
                late: s.is_late(),
                returned_reason: report
                    .filter(|r| r.status == ReportStatus::Returned)
                    .and_then(|r| r.returned_reason.clone())
                    .unwrap_or_default(),
                can_accept: is_admin && report_status == Some(ReportStatus::Submitted),
                can_return: is_admin && matches!(report_status, Some(ReportStatus::Submitted | ReportStatus::Accepted)),
            }
        })
        .collect();
    let (sources, indicators) = if status.whole_province {
        let current = state.app.plan_of_period(period.id).await?;
        let mut trend = Vec::new();
        let mut own = None;
        for p in &current.plan.reporting_periods {
            let (p, data) = state.app.report_results(&user.user, p.id).await?;
            if p.id == period.id {
                own = Some(std::sync::Arc::clone(&data));
            }
            trend.push((p, data));
        }
        match own {
            Some(data) => (data.sources.sentence_vn(), indicator_rows(&period, &data.results, &trend)),
            None => (Sources::default().sentence_vn(), Vec::new()),
        }
    } else {
        (String::new(), Vec::new())
    };
    let name_of = |raw: Option<&str>| known_agency(&state, raw.unwrap_or_default()).map(|a| a.name);
    let notice = if let Some(name) = name_of(q.accepted.as_deref()) {
        Some(format!("Đã tiếp nhận báo cáo của {name}; số liệu đã được khóa."))
    } else {
        name_of(q.returned.as_deref()).map(|name| format!("Đã trả lại báo cáo của {name} kèm lý do."))
    };
    let overall_label = if status.whole_province { "Toàn tỉnh" } else { "Trong phạm vi được xem" };
    let page = PeriodPage {
        nav: Nav::new(Some(&user)),
        period_id: period.id.to_string(),
        period_label: period.id.label_vn(),
        period_name: period.name.clone(),
        window: window_label(&period),
        data_from: period.data_from.to_string(),
        data_to: period.data_to.to_string(),
        due: period.due.to_string(),
        notice,
        is_admin,
        whole_province: status.whole_province,
        csrf_token: user.csrf_token.clone(),
        overall: completeness_row(overall_label.into(), format!("/bao-cao/{}", period.id), &status.overall),
        groups: status
            .groups
            .iter()
            .map(|g| {
                let link = format!("/bao-cao/{}?nhom={}#co-quan", period.id, g.kind.as_str());
                completeness_row(g.label.clone(), link, &g.completeness)
            })
            .collect(),
        group_options: kind_options(&REPORTING_KINDS, group),
        status_options: STATUS_FILTERS
            .iter()
            .map(|(k, label)| SelectOption {
                value: (*k).to_string(),
                label: (*label).to_string(),
                selected: wanted == Some(*k),
            })
            .collect(),
        filtered: group.is_some() || wanted.is_some(),
        agencies,
        sources,
        indicators,
        pdf_available: cchc_documents::pdf::is_available(),
    };
    render(&page)
}

// ---------------------------------------------------------------------------------------------
// Drill-down: each agency's answer of one indicator.

/// One agency's answer of the indicator.
pub struct DrillRow {
    pub name: String,
    pub link: String,
    pub kind: &'static str,
    pub level: &'static str,
    pub numerator: String,
    pub denominator: String,
    pub value: String,
    pub not_applicable: String,
    pub status: &'static str,
    pub status_class: &'static str,
    /// From the dossiers (when the catalogue computes the indicator from them): «40/50 (80,0%)».
    pub computed: String,
    /// The reported counts differ from the computed ones.
    pub differs: bool,
    pub verdict: String,
}

#[derive(Template)]
#[template(path = "report_indicator.html")]
struct IndicatorPage {
    nav: Nav,
    period_id: String,
    period_label: String,
    code: String,
    name: String,
    numerator: String,
    denominator: String,
    unit: String,
    sources: String,
    levels: Vec<LevelCell>,
    rows: Vec<DrillRow>,
    /// The dossier formula in words, when the indicator is computed from dossiers and the
    /// period has imported dossiers.
    dossier_formula: Option<String>,
    differing: usize,
}

pub(super) async fn indicator_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((raw_period, raw_code)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let period = period_param(&state, &raw_period).await?;
    let (_, data) = state.app.report_results(&user.user, period.id).await?;
    let (sources, results) = (&data.sources, &data.results);
    let catalogue = state.app.catalogue().await?;
    let indicator = IndicatorCode::parse(&raw_code)
        .and_then(|code| catalogue.indicators.iter().find(|i| i.code == code))
        .ok_or_else(|| not_found(format!("chỉ tiêu «{}»", shorten(&raw_code))))?;
    let result = results.iter().find(|r| r.code == indicator.code);
    let status = state.app.report_status(&user.user, period.id).await?;
    let computed = match &indicator.dossiers {
        Some(formula) => state.app.dossier_counts_by_agency(&user.user, period.id).await?.map(|c| (formula, c)),
        None => None,
    };
    let mut rows = Vec::new();
    for standing in &status.agencies {
        let Some(report) = standing.report.as_ref().filter(|r| r.status.counts_as_submitted()) else { continue };
        if !indicator.applies_to(&standing.agency) {
            continue;
        }
        let (numerator, denominator, value, not_applicable) = match report.content.answer(&indicator.code) {
            Answer::Value(r) => {
                (count_vn(r.numerator), count_vn(r.denominator), value_text(r.rounded()), String::new())
            }
            Answer::NotApplicable(reason) => (String::new(), String::new(), "—".into(), reason),
            Answer::Partial | Answer::Missing => continue,
        };
        let (_, status_label, status_class) = status_of(Some(report));
        let figure = computed.as_ref().map(|(formula, by_agency)| {
            let (n, d) = formula.evaluate(&by_agency.get(&standing.agency.id).copied().unwrap_or_default());
            ComputedFigure {
                code: indicator.code.clone(),
                name: indicator.name.clone(),
                formula: String::new(),
                // Exact below 2^53, far above any agency's dossiers.
                computed: Ratio { numerator: n as f64, denominator: d as f64 },
                reported: report.content.ratio(&indicator.code),
            }
        });
        rows.push(DrillRow {
            computed: figure.as_ref().map(|f| ratio_text(f.computed)).unwrap_or_default(),
            differs: figure.as_ref().is_some_and(ComputedFigure::differs),
            verdict: figure.as_ref().filter(|f| f.differs()).map(ComputedFigure::verdict_vn).unwrap_or_default(),
            name: standing.agency.name.clone(),
            link: format!("/bao-cao/{}/{}", period.id, standing.agency.id),
            kind: standing.agency.kind.label_vn(),
            level: cchc_domain::reporting::level_of(standing.agency.kind).map_or("", |l| l.label_vn()),
            numerator,
            denominator,
            value,
            not_applicable,
            status: status_label,
            status_class,
        });
    }
    let page = IndicatorPage {
        nav: Nav::new(Some(&user)),
        period_id: period.id.to_string(),
        period_label: period.id.label_vn(),
        code: indicator.code.to_string(),
        name: indicator.name.clone(),
        numerator: indicator.numerator.clone(),
        denominator: indicator.denominator.clone(),
        unit: indicator.unit.clone(),
        sources: sources.sentence_vn(),
        levels: result.map(|r| r.levels.iter().map(|l| level_cell(l, &r.unit)).collect()).unwrap_or_default(),
        differing: rows.iter().filter(|r| r.differs).count(),
        rows,
        dossier_formula: computed.as_ref().map(|(formula, _)| formula.text_vn()),
    };
    render(&page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_skips_missing_values() {
        let labels = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let spark = sparkline(&[Percent1::of(50.0), None, Percent1::of(100.0)], &labels).unwrap();
        assert_eq!(spark.dots.len(), 2);
        assert_eq!(spark.points, "4.0,16.0 116.0,4.0");
        assert!(sparkline(&[None, None], &labels).is_none());
    }
}
