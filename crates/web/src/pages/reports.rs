//! Periodic agency reports (báo cáo định kỳ, plan part VI.1.b): the periods, where every agency
//! stands for a period (completeness, timeliness, accept / return), the province's indicator
//! values by level with attainment and trend, an agency's form in the browser (save a draft,
//! submit), the Excel / CSV round trip, and the consolidated report (DOCX + XLSX annex).
//!
//! Who sees what: the period overview, the indicator drill-down and the consolidated documents
//! are for Sở Nội vụ (admin) and leaders (viewer); an agency's report is visible to them and to
//! the agency's own officers. Every write checks the CSRF token, then the user's right here, and
//! the services check it again.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use cchc_documents::form::FormError;
use cchc_domain::account::UserRole;
use cchc_domain::reporting::{
    Attainment, ConsolidatedReport, Importance, Indicator, IndicatorCode, LevelResult, Part, ReportContent, ReportForm,
    ReportStatus, Violation,
};
use cchc_domain::{AdminLevel, Agency, AgencyId, AgencyKind, AreaCode, Diagnostic, PeriodId, ReportingPeriod};
use cchc_services::reporting::{PeriodStatus, REPORTING_KINDS};
use cchc_services::ServiceError;
use cchc_store::{ReportEvent, StoredReport, ValueChange};
use serde::Deserialize;

use crate::auth::{CurrentUser, PageUser};
use crate::error::{PageError, WebError};
use crate::pages::plan::{bad_request, not_found};
use crate::pages::{kind_options, multipart_failure, percent, render, BarSegment, Nav, SelectOption};
use crate::AppState;

/// Longest narrative of one reform area, in characters.
pub const MAX_NARRATIVE_CHARS: usize = 20_000;
/// Longest reason of a return, in characters.
pub const MAX_REASON_CHARS: usize = 2_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bao-cao", get(index_page))
        .route("/bao-cao/{period}", get(period_page))
        .route("/bao-cao/{period}/tong-hop.docx", get(consolidated_docx))
        .route("/bao-cao/{period}/phu-luc.xlsx", get(consolidated_annex))
        .route("/bao-cao/{period}/chi-tieu/{code}", get(indicator_page))
        .route("/bao-cao/{period}/{agency}", get(report_page).post(save_report))
        .route("/bao-cao/{period}/{agency}/bieu-mau.xlsx", get(form_xlsx))
        .route("/bao-cao/{period}/{agency}/bieu-mau.csv", get(form_csv))
        .route("/bao-cao/{period}/{agency}/tai-len", post(upload))
        .route("/bao-cao/{period}/{agency}/tiep-nhan", post(accept))
        .route("/bao-cao/{period}/{agency}/tra-lai", post(return_report))
}

// ---------------------------------------------------------------------------------------------
// Shared helpers (also used by the API).

fn forbidden(message: impl Into<String>) -> PageError {
    PageError(WebError::Forbidden(message.into()))
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|s| !s.is_empty())
}

/// A period id of the path (`2024S1`); 404 when it is not one.
pub(crate) fn period_id(raw: &str) -> Option<PeriodId> {
    PeriodId::parse(raw.trim()).filter(|p| p.to_string() == raw.trim())
}

/// A known agency of the path; `None` when the directory does not have it.
pub(crate) fn known_agency(state: &AppState, raw: &str) -> Option<Agency> {
    AgencyId::parse(raw.trim()).and_then(|id| state.app.directory().agency(&id)).cloned()
}

/// Whether the user reads every agency's reports (Sở Nội vụ and leaders).
pub(crate) fn reads_all(user: &CurrentUser) -> bool {
    user.user.active && matches!(user.user.role, UserRole::Admin | UserRole::Viewer)
}

/// Whether the user may see this agency's report: readers of everything, and its own officers.
pub(crate) fn may_view(user: &CurrentUser, agency: &AgencyId) -> bool {
    reads_all(user) || user.user.may_write_for(agency)
}

pub(crate) const READERS_ONLY: &str =
    "tình hình báo cáo của toàn tỉnh chỉ dành cho Sở Nội vụ và lãnh đạo; cán bộ cơ quan xem báo cáo của cơ quan mình";

/// Machine key, Vietnamese label and CSS class of a report's status (`None` = not started).
pub(crate) fn status_of(report: Option<&StoredReport>) -> (&'static str, &'static str, &'static str) {
    match report.map(|r| r.status) {
        None => ("missing", "Chưa nộp", "st-not-due"),
        Some(ReportStatus::Draft) => ("draft", "Đang soạn", "st-in-progress"),
        Some(ReportStatus::Submitted) => ("submitted", "Đã gửi", "st-waiting"),
        Some(ReportStatus::Returned) => ("returned", "Bị trả lại", "st-overdue"),
        Some(ReportStatus::Accepted) => ("accepted", "Đã tiếp nhận", "st-done-on-time"),
    }
}

/// Vietnamese label of a workflow event kind.
pub(crate) fn event_label(kind: &str) -> &'static str {
    match kind {
        "saved" => "Lưu số liệu",
        "submitted" => "Gửi báo cáo",
        "returned" => "Trả lại",
        "accepted" => "Tiếp nhận",
        "reopened" => "Mở lại báo cáo đã tiếp nhận",
        _ => "Khác",
    }
}

pub(crate) fn part_label(part: Part) -> &'static str {
    match part {
        Part::Numerator => "tử số",
        Part::Denominator => "mẫu số",
    }
}

/// The level whose targets apply to an agency of `kind`.
pub(crate) fn level_of(kind: AgencyKind) -> Option<AdminLevel> {
    match kind {
        AgencyKind::Department | AgencyKind::Sectoral | AgencyKind::Province => Some(AdminLevel::Tinh),
        AgencyKind::District => Some(AdminLevel::Huyen),
        AgencyKind::Commune => Some(AdminLevel::Xa),
        AgencyKind::Other => None,
    }
}

/// A count as people read it: "1.234" (whole) or "2,5".
pub(crate) fn count_text(value: f64) -> String {
    if value.fract() != 0.0 || !value.is_finite() || value.abs() >= 1e15 {
        return format!("{value}").replace('.', ",");
    }
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    if value < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A count as an `<input type="number">` value: plain digits.
fn input_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

/// A typed count: empty is none; otherwise a finite number up to the documents' limit.
pub(crate) fn parse_count(raw: &str) -> Result<Option<f64>, String> {
    let cleaned: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    match cleaned.parse::<f64>() {
        Ok(value) if value.is_finite() && value.abs() <= cchc_documents::form::MAX_COUNT => Ok(Some(value)),
        Ok(_) => Err(format!("«{}» quá lớn", shorten(raw))),
        Err(_) => Err(format!("«{}» không phải là số", shorten(raw))),
    }
}

fn shorten(text: &str) -> String {
    let trimmed = text.trim();
    if trimmed.chars().count() > 40 {
        format!("{}…", trimmed.chars().take(40).collect::<String>())
    } else {
        trimmed.to_string()
    }
}

fn timestamp_text(raw: &str) -> String {
    cchc_domain::Timestamp::parse_rfc3339(raw).map_or_else(|| raw.to_string(), |t| t.vn())
}

async fn version_id(state: &AppState) -> Result<i64, PageError> {
    Ok(state.app.current().await?.version.id)
}

async fn stored_report(
    state: &AppState,
    agency: &AgencyId,
    period: PeriodId,
) -> Result<Option<StoredReport>, PageError> {
    let version = version_id(state).await?;
    Ok(state.app.store().report(version, agency, period).await.map_err(ServiceError::from)?)
}

/// The period of the path, or a 404 page.
async fn period_param(state: &AppState, raw: &str) -> Result<ReportingPeriod, PageError> {
    let id = period_id(raw).ok_or_else(|| not_found(format!("kỳ báo cáo «{}»", shorten(raw))))?;
    Ok(state.app.reporting_period(id).await?)
}

fn agency_param(state: &AppState, raw: &str) -> Result<Agency, PageError> {
    known_agency(state, raw).ok_or_else(|| not_found(format!("cơ quan «{}»", shorten(raw))))
}

fn require_reader(user: &CurrentUser) -> Result<(), PageError> {
    if reads_all(user) {
        Ok(())
    } else {
        Err(forbidden(READERS_ONLY))
    }
}

fn require_viewer_of(user: &CurrentUser, agency: &Agency) -> Result<(), PageError> {
    if may_view(user, &agency.id) {
        Ok(())
    } else {
        Err(forbidden(format!("tài khoản «{}» không được xem báo cáo của {}", user.user.username, agency.name)))
    }
}

fn require_writer_of(user: &CurrentUser, agency: &Agency) -> Result<(), PageError> {
    if user.user.may_write_for(&agency.id) {
        Ok(())
    } else {
        Err(forbidden(format!("tài khoản «{}» không được lập báo cáo của {}", user.user.username, agency.name)))
    }
}

fn with_status(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response
}

fn form_fields<T>(form: Result<Form<T>, FormRejection>) -> Result<T, PageError> {
    form.map(|Form(f)| f).map_err(|_| bad_request("không đọc được biểu mẫu gửi lên; hãy tải lại trang và thử lại"))
}

// ---------------------------------------------------------------------------------------------
// The periods.

/// A period of the plan with links and, for an officer, the own report's status.
pub struct PeriodRow {
    pub id: String,
    pub name: String,
    pub label: String,
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
    plan_title: String,
    reads_all: bool,
    own_name: Option<String>,
    own_note: Option<String>,
    periods: Vec<PeriodRow>,
}

async fn index_page(State(state): State<AppState>, PageUser(user): PageUser) -> Result<Response, PageError> {
    let current = state.app.current().await?;
    let all = reads_all(&user);
    let own = user
        .user
        .agency
        .as_ref()
        .filter(|_| user.user.role == UserRole::Agency)
        .and_then(|id| state.app.directory().agency(id))
        .cloned();
    let own_reports = own.as_ref().filter(|a| REPORTING_KINDS.contains(&a.kind));
    let mut periods = Vec::new();
    for p in &current.plan.reporting_periods {
        let mut row = PeriodRow {
            id: p.id.to_string(),
            name: p.name.clone(),
            label: p.id.label_vn(),
            data_from: p.data_from.to_string(),
            data_to: p.data_to.to_string(),
            due: p.due.to_string(),
            link: all.then(|| format!("/bao-cao/{}", p.id)),
            own_link: None,
            own_status: "",
            own_class: "",
            own_late: false,
            submitted: None,
        };
        if all {
            let status = state.app.report_status(p.id).await?;
            row.submitted = Some(format!(
                "{}/{} đã gửi, {} đúng hạn",
                status.overall.submitted, status.overall.expected, status.overall.on_time
            ));
        }
        if let Some(agency) = own_reports {
            let report =
                state.app.store().report(current.version.id, &agency.id, p.id).await.map_err(ServiceError::from)?;
            let (_, label, class) = status_of(report.as_ref());
            row.own_link = Some(format!("/bao-cao/{}/{}", p.id, agency.id));
            row.own_status = label;
            row.own_class = class;
            row.own_late = report.as_ref().is_some_and(|r| r.late);
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
        plan_title: current.plan.meta.title.clone(),
        reads_all: all,
        own_name: own_reports.map(|a| a.name.clone()),
        own_note,
        periods,
    };
    render(&page)
}

// ---------------------------------------------------------------------------------------------
// A period: completeness, every agency's status, indicator results.

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PeriodQuery {
    pub nhom: Option<String>,
    pub trang_thai: Option<String>,
    pub da_tiep_nhan: Option<String>,
    pub da_tra_lai: Option<String>,
}

/// The `trang_thai` filter values: the report statuses, `missing` and `late`.
const STATUS_FILTERS: [(&str, &str); 6] = [
    ("missing", "Chưa nộp"),
    ("draft", "Đang soạn"),
    ("submitted", "Đã gửi"),
    ("returned", "Bị trả lại"),
    ("accepted", "Đã tiếp nhận"),
    ("late", "Nộp trễ hạn"),
];

/// Completeness of one agency group.
pub struct GroupRow {
    pub label: String,
    pub link: String,
    pub expected: usize,
    pub submitted: usize,
    pub on_time: usize,
    pub late: usize,
    pub missing: usize,
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
    pub submitted_on: String,
    pub late: bool,
    pub returned_reason: String,
    pub can_accept: bool,
    pub can_return: bool,
}

/// One level's value of an indicator.
pub struct LevelCell {
    pub label: &'static str,
    pub applies: bool,
    pub value: String,
    pub attainment: &'static str,
    pub attainment_class: &'static str,
    pub target: String,
    pub ratio: String,
    pub agencies: usize,
}

/// A value of the trend.
pub struct TrendPoint {
    pub period: String,
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
    pub area: String,
    pub link: String,
    pub province: LevelCell,
    pub levels: Vec<LevelCell>,
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
    data_from: String,
    data_to: String,
    due: String,
    notice: Option<String>,
    is_admin: bool,
    csrf_token: String,
    overall: GroupRow,
    groups: Vec<GroupRow>,
    group_options: Vec<SelectOption>,
    status_options: Vec<SelectOption>,
    filtered: bool,
    agencies: Vec<AgencyRow>,
    indicators: Vec<IndicatorRow>,
    docx_link: String,
    annex_link: String,
}

fn completeness_row(label: String, link: String, c: &cchc_domain::reporting::Completeness) -> GroupRow {
    let late = c.late.len();
    let missing = c.missing.len();
    let mut bar = Vec::new();
    let mut x = 0.0;
    if c.expected > 0 {
        for (n, class, what) in [
            (c.on_time, "st-done-on-time", "Đúng hạn"),
            (late, "st-done-late", "Trễ hạn"),
            (missing, "st-not-due", "Chưa nộp"),
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
        submitted: c.submitted,
        on_time: c.on_time,
        late,
        missing,
        submitted_percent: percent(c.submitted_percent()),
        on_time_percent: percent(c.on_time_percent()),
        bar,
    }
}

fn group_kind(label: &str) -> Option<AgencyKind> {
    REPORTING_KINDS.into_iter().find(|k| k.label_vn() == label)
}

fn attainment_view(value: Option<f64>, target: Option<&str>, attainment: Attainment) -> (&'static str, &'static str) {
    match (value, target, attainment) {
        (None, _, _) => ("Chưa có số liệu", "st-not-due"),
        (Some(_), None, _) => ("Không quy định mục tiêu", "st-not-due"),
        (Some(_), Some(_), Attainment::Met) => ("Đạt", "st-done-on-time"),
        (Some(_), Some(_), Attainment::NotMet) => ("Chưa đạt", "st-overdue"),
        (Some(_), Some(_), Attainment::NoData) => ("Chưa có số liệu", "st-not-due"),
    }
}

fn value_text(value: Option<f64>, unit: &str) -> String {
    match value {
        None => "—".to_string(),
        Some(v) => format!("{}{unit}", percent(v)),
    }
}

fn level_cell(result: Option<&LevelResult>, level: Option<AdminLevel>, applies: bool, unit: &str) -> LevelCell {
    let label = level.map_or("Toàn tỉnh", AdminLevel::label_vn);
    let Some(r) = result else {
        return LevelCell {
            label,
            applies,
            value: "—".into(),
            attainment: "Chưa có số liệu",
            attainment_class: "st-not-due",
            target: String::new(),
            ratio: String::new(),
            agencies: 0,
        };
    };
    let (attainment, attainment_class) = attainment_view(r.value, r.target.as_deref(), r.attainment);
    LevelCell {
        label,
        applies,
        value: value_text(r.value, unit),
        attainment,
        attainment_class,
        target: r.target.clone().unwrap_or_default(),
        ratio: if r.reporting_agencies > 0 {
            format!("{}/{}", count_text(r.numerator), count_text(r.denominator))
        } else {
            String::new()
        },
        agencies: r.reporting_agencies,
    }
}

fn applies_at(indicator: Option<&Indicator>, level: AdminLevel) -> bool {
    indicator.is_none_or(|i| i.reporters.iter().any(|k| level_of(*k) == Some(level)))
}

fn sparkline(values: &[Option<f64>], labels: &[String]) -> Option<Sparkline> {
    if values.iter().all(Option::is_none) {
        return None;
    }
    let max = values.iter().flatten().copied().fold(100.0_f64, f64::max);
    let step = if values.len() > 1 { 112.0 / (values.len() - 1) as f64 } else { 0.0 };
    let mut points = Vec::new();
    let mut dots = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let Some(v) = value else { continue };
        let x = 4.0 + step * i as f64;
        let y = 28.0 - (v.max(0.0) / max) * 24.0;
        points.push(format!("{x:.1},{y:.1}"));
        dots.push(SparkDot {
            x: format!("{x:.1}"),
            y: format!("{y:.1}"),
            title: format!("{}: {}%", labels.get(i).map_or("", String::as_str), percent(*v)),
        });
    }
    Some(Sparkline { points: points.join(" "), dots })
}

/// Indicator rows of `report`, with the trend over every period of the plan.
fn indicator_rows(
    report: &ConsolidatedReport,
    trend: &[(ReportingPeriod, ConsolidatedReport)],
    catalogue: &[Indicator],
) -> Vec<IndicatorRow> {
    let labels: Vec<String> = trend.iter().map(|(p, _)| p.id.label_vn()).collect();
    report
        .indicators
        .iter()
        .map(|result| {
            let indicator = catalogue.iter().find(|i| i.code == result.code);
            let unit = indicator.map_or("%", |i| i.unit.as_str());
            let at = |level: Option<AdminLevel>| result.levels.iter().find(|l| l.level == level);
            let values: Vec<Option<f64>> = trend
                .iter()
                .map(|(_, c)| {
                    c.indicators
                        .iter()
                        .find(|i| i.code == result.code)
                        .and_then(|i| i.levels.iter().find(|l| l.level.is_none()))
                        .and_then(|l| l.value)
                })
                .collect();
            IndicatorRow {
                code: result.code.to_string(),
                name: result.name.clone(),
                area: result.area.to_string(),
                link: format!("/bao-cao/{}/chi-tieu/{}", report.period.id, result.code),
                province: level_cell(at(None), None, true, unit),
                levels: [AdminLevel::Tinh, AdminLevel::Huyen, AdminLevel::Xa]
                    .into_iter()
                    .map(|l| level_cell(at(Some(l)), Some(l), applies_at(indicator, l), unit))
                    .collect(),
                trend: trend
                    .iter()
                    .zip(&values)
                    .map(|((p, _), v)| TrendPoint {
                        period: p.id.to_string(),
                        value: value_text(*v, unit),
                        current: p.id == report.period.id,
                    })
                    .collect(),
                spark: sparkline(&values, &labels),
            }
        })
        .collect()
}

async fn period_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
    query: Result<Query<PeriodQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    require_reader(&user)?;
    let q = query.map(|Query(q)| q).map_err(|_| bad_request("tham số trên địa chỉ trang không hợp lệ"))?;
    let period = period_param(&state, &raw).await?;
    let group = non_empty(q.nhom.as_deref())
        .map(|r| {
            AgencyKind::parse(r).filter(|k| REPORTING_KINDS.contains(k)).ok_or_else(|| {
                bad_request(format!(
                    "nhóm cơ quan «{}» không hợp lệ (department, sectoral, district, commune)",
                    shorten(r)
                ))
            })
        })
        .transpose()?;
    let wanted = non_empty(q.trang_thai.as_deref())
        .map(|r| {
            STATUS_FILTERS.iter().map(|(k, _)| *k).find(|k| *k == r).ok_or_else(|| {
                bad_request(format!(
                    "trạng thái «{}» không hợp lệ (missing, draft, submitted, returned, accepted, late)",
                    shorten(r)
                ))
            })
        })
        .transpose()?;
    let status = state.app.report_status(period.id).await?;
    let today = state.now().date_in_vietnam();
    let current = state.app.current().await?;
    let catalogue = state.app.catalogue().await?;
    let mut trend = Vec::new();
    for p in &current.plan.reporting_periods {
        trend.push((p.clone(), state.app.consolidate(p.id, today).await?));
    }
    let consolidated = match trend.iter().find(|(p, _)| p.id == period.id) {
        Some((_, c)) => c.clone(),
        None => state.app.consolidate(period.id, today).await?,
    };
    let is_admin = user.user.is_admin();
    let agencies = status
        .agencies
        .iter()
        .filter(|(a, _)| group.is_none_or(|k| a.kind == k))
        .filter(|(_, r)| match wanted {
            None => true,
            Some("late") => r.as_ref().is_some_and(|r| r.late && r.status != ReportStatus::Draft),
            Some(key) => status_of(r.as_ref()).0 == key,
        })
        .map(|(a, r)| {
            let (_, label, class) = status_of(r.as_ref());
            let report_status = r.as_ref().map(|r| r.status);
            AgencyRow {
                id: a.id.to_string(),
                name: a.name.clone(),
                kind: a.kind.label_vn(),
                link: format!("/bao-cao/{}/{}", period.id, a.id),
                status: label,
                status_class: class,
                submitted_on: r.as_ref().and_then(|r| r.submitted_on).map(|d| d.to_string()).unwrap_or_default(),
                late: r.as_ref().is_some_and(|r| r.late && r.status != ReportStatus::Draft),
                returned_reason: r
                    .as_ref()
                    .filter(|r| r.status == ReportStatus::Returned)
                    .and_then(|r| r.returned_reason.clone())
                    .unwrap_or_default(),
                can_accept: is_admin && report_status == Some(ReportStatus::Submitted),
                can_return: is_admin && matches!(report_status, Some(ReportStatus::Submitted | ReportStatus::Accepted)),
            }
        })
        .collect();
    let name_of = |raw: Option<&str>| known_agency(&state, raw.unwrap_or_default()).map(|a| a.name);
    let notice = if let Some(name) = name_of(q.da_tiep_nhan.as_deref()) {
        Some(format!("Đã tiếp nhận báo cáo của {name}; số liệu đã được khóa."))
    } else {
        name_of(q.da_tra_lai.as_deref()).map(|name| format!("Đã trả lại báo cáo của {name} kèm lý do."))
    };
    let page = PeriodPage {
        nav: Nav::new(Some(&user)),
        period_id: period.id.to_string(),
        period_label: period.id.label_vn(),
        period_name: period.name.clone(),
        data_from: period.data_from.to_string(),
        data_to: period.data_to.to_string(),
        due: period.due.to_string(),
        notice,
        is_admin,
        csrf_token: user.csrf_token.clone(),
        overall: completeness_row("Tất cả".into(), format!("/bao-cao/{}", period.id), &status.overall),
        groups: status
            .groups
            .iter()
            .map(|g| {
                let link = match group_kind(&g.label) {
                    Some(k) => format!("/bao-cao/{}?nhom={}", period.id, k.as_str()),
                    None => format!("/bao-cao/{}", period.id),
                };
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
        indicators: indicator_rows(&consolidated, &trend, &catalogue.indicators),
        docx_link: format!("/bao-cao/{}/tong-hop.docx", period.id),
        annex_link: format!("/bao-cao/{}/phu-luc.xlsx", period.id),
    };
    render(&page)
}

// ---------------------------------------------------------------------------------------------
// Drill-down: each agency's value of one indicator.

/// One agency's value of the indicator.
pub struct DrillRow {
    pub name: String,
    pub link: String,
    pub kind: &'static str,
    pub level: &'static str,
    pub numerator: String,
    pub denominator: String,
    pub value: String,
    pub attainment: &'static str,
    pub attainment_class: &'static str,
    pub status: &'static str,
    pub status_class: &'static str,
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
    province: LevelCell,
    levels: Vec<LevelCell>,
    rows: Vec<DrillRow>,
}

async fn indicator_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((raw_period, raw_code)): Path<(String, String)>,
) -> Result<Response, PageError> {
    require_reader(&user)?;
    let period = period_param(&state, &raw_period).await?;
    let catalogue = state.app.catalogue().await?;
    let indicator = IndicatorCode::parse(&raw_code)
        .and_then(|code| catalogue.indicators.iter().find(|i| i.code == code))
        .ok_or_else(|| not_found(format!("chỉ tiêu «{}»", shorten(&raw_code))))?;
    let consolidated = state.app.consolidate(period.id, state.now().date_in_vietnam()).await?;
    let result = consolidated.indicators.iter().find(|r| r.code == indicator.code);
    let at = |level: Option<AdminLevel>| result.and_then(|r| r.levels.iter().find(|l| l.level == level));
    let status: PeriodStatus = state.app.report_status(period.id).await?;
    let unit = indicator.unit.as_str();
    let mut rows = Vec::new();
    for (agency, report) in &status.agencies {
        let Some(report) =
            report.as_ref().filter(|r| matches!(r.status, ReportStatus::Submitted | ReportStatus::Accepted))
        else {
            continue;
        };
        let n = report.content.values.get(&(indicator.code.clone(), Part::Numerator)).copied();
        let d = report.content.values.get(&(indicator.code.clone(), Part::Denominator)).copied();
        let (Some(n), Some(d)) = (n, d) else { continue };
        let level = level_of(agency.kind);
        let value = (d > 0.0).then(|| n * 100.0 / d);
        let target = indicator.threshold_for(level).map(|_| "");
        let (attainment, attainment_class) = attainment_view(value, target, indicator.attainment(level, value));
        let (_, status_label, status_class) = status_of(Some(report));
        rows.push(DrillRow {
            name: agency.name.clone(),
            link: format!("/bao-cao/{}/{}", period.id, agency.id),
            kind: agency.kind.label_vn(),
            level: level.map_or("", AdminLevel::label_vn),
            numerator: count_text(n),
            denominator: count_text(d),
            value: value_text(value, unit),
            attainment,
            attainment_class,
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
        province: level_cell(at(None), None, true, unit),
        levels: [AdminLevel::Tinh, AdminLevel::Huyen, AdminLevel::Xa]
            .into_iter()
            .map(|l| level_cell(at(Some(l)), Some(l), applies_at(Some(indicator), l), unit))
            .collect(),
        rows,
    };
    render(&page)
}

// ---------------------------------------------------------------------------------------------
// The consolidated report.

async fn consolidated(state: &AppState, user: &CurrentUser, raw: &str) -> Result<ConsolidatedReport, PageError> {
    require_reader(user)?;
    let period = period_param(state, raw).await?;
    Ok(state.app.consolidate(period.id, state.now().date_in_vietnam()).await?)
}

fn document_failure(error: impl std::fmt::Display) -> PageError {
    tracing::error!(%error, "document generation failure");
    PageError(WebError::Internal(error.to_string()))
}

/// The consolidated report of period `raw` rendered by `render` as a download named
/// `{prefix}-{period}.{extension}`.
async fn consolidated_download<E: std::fmt::Display>(
    state: &AppState,
    user: &CurrentUser,
    raw: &str,
    render: impl FnOnce(&ConsolidatedReport) -> Result<Vec<u8>, E>,
    content_type: &'static str,
    prefix: &str,
    extension: &str,
) -> Result<Response, PageError> {
    let report = consolidated(state, user, raw).await?;
    let bytes = render(&report).map_err(document_failure)?;
    Ok(crate::export::download(bytes, content_type, &format!("{prefix}-{}.{extension}", report.period.id)))
}

async fn consolidated_docx(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let render = cchc_documents::docx::consolidated_docx;
    consolidated_download(&state, &user, &raw, render, cchc_documents::docx::DOCX_TYPE, "bao-cao-cchc", "docx").await
}

async fn consolidated_annex(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let render = cchc_documents::annex::consolidated_annex_xlsx;
    let xlsx = cchc_documents::annex::XLSX_TYPE;
    consolidated_download(&state, &user, &raw, render, xlsx, "phu-luc-bao-cao-cchc", "xlsx").await
}

// ---------------------------------------------------------------------------------------------
// An agency's report: the form in the browser.

/// An indicator row of the form.
pub struct IndicatorInput {
    pub code: String,
    pub name: String,
    pub numerator_def: String,
    pub denominator_def: String,
    pub n_name: String,
    pub d_name: String,
    pub n_value: String,
    pub d_value: String,
    pub n_text: String,
    pub d_text: String,
    pub rate: String,
    pub threshold: String,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

/// The narrative of one reform area.
pub struct NarrativeInput {
    pub code: String,
    pub title: String,
    pub name: String,
    pub text: String,
}

/// An activity line (read only): the agency's milestones at the data cut-off.
pub struct ActivityLine {
    pub code: String,
    pub title: String,
    pub milestone: String,
    pub due: String,
    pub status: &'static str,
    pub status_class: &'static str,
}

/// One workflow event.
pub struct EventRow {
    pub when: String,
    pub who: String,
    pub what: &'static str,
    pub reason: String,
}

/// One value change.
pub struct ChangeRow {
    pub when: String,
    pub who: String,
    pub indicator: String,
    pub part: &'static str,
    pub old: String,
    pub new: String,
}

/// A diagnostic of an uploaded file.
pub struct DiagnosticView {
    pub is_error: bool,
    pub message: String,
}

#[derive(Template)]
#[template(path = "report_form.html")]
struct ReportPage {
    nav: Nav,
    csrf_token: String,
    period_id: String,
    period_label: String,
    period_name: String,
    data_from: String,
    data_to: String,
    due: String,
    agency_id: String,
    agency_name: String,
    agency_kind: &'static str,
    level: &'static str,
    status: &'static str,
    status_class: &'static str,
    late: bool,
    submitted_on: String,
    returned_reason: Option<String>,
    updated_at: String,
    may_write: bool,
    editable: bool,
    locked_note: Option<String>,
    can_accept: bool,
    can_return: bool,
    period_link: Option<String>,
    notice: Option<String>,
    problems: Vec<String>,
    diagnostics: Vec<DiagnosticView>,
    errors: Vec<String>,
    warnings: Vec<String>,
    indicators: Vec<IndicatorInput>,
    narratives: Vec<NarrativeInput>,
    activities: Vec<ActivityLine>,
    events: Vec<EventRow>,
    changes: Vec<ChangeRow>,
    xlsx_link: String,
    csv_link: String,
    max_upload: String,
}

/// What a write brings to the page it renders: typed inputs, messages.
#[derive(Default)]
struct Extras {
    /// Field name → value as typed (the page shows them instead of the stored values).
    typed: Option<HashMap<String, String>>,
    violations: Option<Vec<Violation>>,
    problems: Vec<String>,
    diagnostics: Vec<Diagnostic>,
    notice: Option<String>,
}

fn n_name(code: &IndicatorCode) -> String {
    format!("n_{code}")
}

fn d_name(code: &IndicatorCode) -> String {
    format!("d_{code}")
}

fn narrative_name(area: AreaCode) -> String {
    format!("narrative_{area}")
}

async fn report_view(
    state: &AppState,
    user: &CurrentUser,
    agency: &Agency,
    period: &ReportingPeriod,
    extras: Extras,
) -> Result<ReportPage, PageError> {
    let form = state.app.report_form(&agency.id, period.id).await?;
    let report = stored_report(state, &agency.id, period.id).await?;
    let (events, changes) = match &report {
        Some(r) => (
            state.app.store().report_events(r.id).await.map_err(ServiceError::from)?,
            state.app.store().report_value_history(r.id).await.map_err(ServiceError::from)?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let content = report.as_ref().map(|r| r.content.clone()).unwrap_or_default();
    let may_write = user.user.may_write_for(&agency.id);
    let status_editable = report.as_ref().is_none_or(|r| r.status.is_editable());
    let violations = match extras.violations {
        Some(v) => v,
        // Without a fresh save, the rules are checked on the stored values of an editable report.
        None if report.is_some() && status_editable => {
            let catalogue = state.app.catalogue().await?;
            cchc_domain::reporting::validate(&form.indicators, &catalogue.rules, &content.values)
        }
        None => Vec::new(),
    };
    let (_, status, status_class) = status_of(report.as_ref());
    let report_status = report.as_ref().map(|r| r.status);
    let is_admin = user.user.is_admin();
    let typed = extras.typed.as_ref();
    let indicators = form
        .indicators
        .iter()
        .map(|indicator| {
            let stored = |part| content.values.get(&(indicator.code.clone(), part)).copied();
            let (n, d) = (stored(Part::Numerator), stored(Part::Denominator));
            let shown = |name: &str, value: Option<f64>| match typed {
                Some(t) => t.get(name).cloned().unwrap_or_default(),
                None => value.map(input_text).unwrap_or_default(),
            };
            let (nn, dn) = (n_name(&indicator.code), d_name(&indicator.code));
            let rate = match (typed, n, d) {
                (None, Some(n), Some(d)) if d > 0.0 => format!("{}%", percent(n * 100.0 / d)),
                _ => String::new(),
            };
            let about = |importance| {
                let mut messages: Vec<String> = violations
                    .iter()
                    .filter(|v| v.importance == importance && v.rule != MISSING_RULE)
                    .filter(|v| v.indicators.contains(&indicator.code))
                    .map(|v| v.message.clone())
                    .collect();
                let missing = violations.iter().any(|v| {
                    v.importance == importance && v.rule == MISSING_RULE && v.indicators.contains(&indicator.code)
                });
                if missing {
                    messages.push("chưa nhập đủ số liệu".to_string());
                }
                messages
            };
            IndicatorInput {
                code: indicator.code.to_string(),
                name: indicator.name.clone(),
                numerator_def: indicator.numerator.clone(),
                denominator_def: indicator.denominator.clone(),
                n_value: shown(&nn, n),
                d_value: shown(&dn, d),
                n_name: nn,
                d_name: dn,
                n_text: n.map(count_text).unwrap_or_default(),
                d_text: d.map(count_text).unwrap_or_default(),
                rate,
                threshold: cchc_documents::form::threshold_text(indicator, form.level),
                errors: about(Importance::Error),
                warnings: about(Importance::Warning),
            }
        })
        .collect();
    let narratives = form
        .areas
        .iter()
        .map(|(code, title)| {
            let name = narrative_name(*code);
            NarrativeInput {
                code: code.to_string(),
                title: title.clone(),
                text: match typed {
                    Some(t) => t.get(&name).cloned().unwrap_or_default(),
                    None => content.narratives.get(code).cloned().unwrap_or_default(),
                },
                name,
            }
        })
        .collect();
    let locked_note = match report_status {
        _ if !may_write => None,
        Some(ReportStatus::Submitted) => {
            Some("Báo cáo đã gửi nên không sửa được; Sở Nội vụ có thể trả lại để sửa.".to_string())
        }
        Some(ReportStatus::Accepted) => {
            Some("Báo cáo đã được tiếp nhận: số liệu đã khóa; Sở Nội vụ có thể mở lại (trả lại) để sửa.".to_string())
        }
        _ => None,
    };
    Ok(ReportPage {
        nav: Nav::new(Some(user)),
        csrf_token: user.csrf_token.clone(),
        period_id: period.id.to_string(),
        period_label: period.id.label_vn(),
        period_name: period.name.clone(),
        data_from: period.data_from.to_string(),
        data_to: period.data_to.to_string(),
        due: period.due.to_string(),
        agency_id: agency.id.to_string(),
        agency_name: agency.name.clone(),
        agency_kind: agency.kind.label_vn(),
        level: form.level.label_vn(),
        status,
        status_class,
        late: report.as_ref().is_some_and(|r| r.late && r.status != ReportStatus::Draft),
        submitted_on: report.as_ref().and_then(|r| r.submitted_on).map(|d| d.to_string()).unwrap_or_default(),
        returned_reason: report
            .as_ref()
            .filter(|r| r.status == ReportStatus::Returned)
            .and_then(|r| r.returned_reason.clone())
            .filter(|r| !r.is_empty()),
        updated_at: report.as_ref().map(|r| timestamp_text(&r.updated_at)).unwrap_or_default(),
        may_write,
        editable: may_write && status_editable,
        locked_note,
        can_accept: is_admin && report_status == Some(ReportStatus::Submitted),
        can_return: is_admin && matches!(report_status, Some(ReportStatus::Submitted | ReportStatus::Accepted)),
        period_link: reads_all(user).then(|| format!("/bao-cao/{}", period.id)),
        notice: extras.notice,
        problems: extras.problems,
        diagnostics: extras
            .diagnostics
            .iter()
            .map(|d| DiagnosticView {
                is_error: d.severity == cchc_domain::Severity::Error,
                message: d.message.clone(),
            })
            .collect(),
        errors: violations.iter().filter(|v| v.importance == Importance::Error).map(|v| v.message.clone()).collect(),
        warnings: warning_lines(&violations),
        indicators,
        narratives,
        activities: form
            .activities
            .iter()
            .map(|a| ActivityLine {
                code: a.activity_code.clone(),
                title: a.activity_title.clone(),
                milestone: a.milestone.clone(),
                due: a.due.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
                status: a.status.label_vn(),
                status_class: crate::pages::status_class(a.status),
            })
            .collect(),
        events: events.iter().rev().map(event_row).collect(),
        changes: changes.iter().rev().map(change_row).collect(),
        xlsx_link: format!("/bao-cao/{}/{}/bieu-mau.xlsx", period.id, agency.id),
        csv_link: format!("/bao-cao/{}/{}/bieu-mau.csv", period.id, agency.id),
        max_upload: format!("{} MB", cchc_documents::form::MAX_FORM_BYTES / (1024 * 1024)),
    })
}

/// Rule id the services give to a value left empty.
const MISSING_RULE: &str = "missing";

/// The warnings as listed on top: one line for every empty value together.
fn warning_lines(violations: &[Violation]) -> Vec<String> {
    let warnings = violations.iter().filter(|v| v.importance == Importance::Warning);
    let mut lines: Vec<String> =
        warnings.clone().filter(|v| v.rule != MISSING_RULE).map(|v| v.message.clone()).collect();
    let mut empty: Vec<String> = warnings
        .filter(|v| v.rule == MISSING_RULE)
        .flat_map(|v| v.indicators.iter().map(ToString::to_string))
        .collect();
    empty.dedup();
    if !empty.is_empty() {
        lines.push(format!(
            "Chưa nhập đủ số liệu của {} chỉ tiêu: {}. Chỉ tiêu không phát sinh trong kỳ thì nhập 0.",
            empty.len(),
            empty.join(", ")
        ));
    }
    lines
}

fn event_row(e: &ReportEvent) -> EventRow {
    EventRow {
        when: timestamp_text(&e.at),
        who: e.user.clone().unwrap_or_else(|| "—".into()),
        what: event_label(&e.kind),
        reason: e.reason.clone(),
    }
}

fn change_row(c: &ValueChange) -> ChangeRow {
    let value = |v: Option<f64>| v.map(count_text).unwrap_or_else(|| "(trống)".into());
    ChangeRow {
        when: timestamp_text(&c.at),
        who: c.user.clone().unwrap_or_else(|| "—".into()),
        indicator: c.indicator.clone(),
        part: part_label(c.part),
        old: value(c.old_value),
        new: value(c.new_value),
    }
}

#[derive(Debug, Default, Deserialize)]
struct ReportQuery {
    da_gui: Option<String>,
    da_tiep_nhan: Option<String>,
    da_tra_lai: Option<String>,
}

async fn report_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((raw_period, raw_agency)): Path<(String, String)>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let period = period_param(&state, &raw_period).await?;
    let agency = agency_param(&state, &raw_agency)?;
    require_viewer_of(&user, &agency)?;
    let notice = if q.da_gui.is_some() {
        Some("Đã gửi báo cáo tới Sở Nội vụ.".to_string())
    } else if q.da_tiep_nhan.is_some() {
        Some("Đã tiếp nhận báo cáo; số liệu đã được khóa.".to_string())
    } else if q.da_tra_lai.is_some() {
        Some("Đã trả lại báo cáo kèm lý do.".to_string())
    } else {
        None
    };
    let page = report_view(&state, &user, &agency, &period, Extras { notice, ..Extras::default() }).await?;
    render(&page)
}

/// Reads the browser form's values and narratives; every field that is not a number is a
/// problem (then nothing is saved).
fn content_from_fields(
    form: &ReportForm,
    fields: &HashMap<String, String>,
    problems: &mut Vec<String>,
) -> ReportContent {
    let mut content = ReportContent::default();
    for indicator in &form.indicators {
        for (name, part) in [(n_name(&indicator.code), Part::Numerator), (d_name(&indicator.code), Part::Denominator)] {
            match parse_count(fields.get(&name).map_or("", String::as_str)) {
                Ok(Some(value)) => {
                    content.values.insert((indicator.code.clone(), part), value);
                }
                Ok(None) => {}
                Err(why) => problems.push(format!("{} ({}): {why}", indicator.code, part_label(part))),
            }
        }
    }
    for (area, _) in &form.areas {
        let text = fields.get(&narrative_name(*area)).map_or("", String::as_str).trim();
        if text.chars().count() > MAX_NARRATIVE_CHARS {
            problems.push(format!("thuyết minh lĩnh vực {area} dài quá {MAX_NARRATIVE_CHARS} ký tự"));
        } else if !text.is_empty() {
            content.narratives.insert(*area, cchc_domain::text::normalize_document(text));
        }
    }
    content
}

fn invalid_messages(error: ServiceError) -> Result<Vec<String>, PageError> {
    match error {
        ServiceError::Invalid(messages) => Ok(messages),
        other => Err(PageError::from(other)),
    }
}

async fn save_report(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((raw_period, raw_agency)): Path<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let pairs = form_fields(form)?;
    let fields: HashMap<String, String> = pairs.into_iter().collect();
    user.check_csrf(fields.get("csrf_token").map(String::as_str))?;
    let period = period_param(&state, &raw_period).await?;
    let agency = agency_param(&state, &raw_agency)?;
    require_writer_of(&user, &agency)?;
    let submit = match fields.get("action").map(|a| a.trim()) {
        Some("submit") => true,
        Some("save") | None => false,
        Some(other) => return Err(bad_request(format!("thao tác «{}» không hợp lệ", shorten(other)))),
    };
    let report_form = state.app.report_form(&agency.id, period.id).await?;
    let mut problems = Vec::new();
    let content = content_from_fields(&report_form, &fields, &mut problems);
    if !problems.is_empty() {
        problems.insert(0, "Chưa lưu: hãy sửa các ô sau rồi lưu lại.".to_string());
        let extras = Extras { typed: Some(fields), problems, ..Extras::default() };
        let page = report_view(&state, &user, &agency, &period, extras).await?;
        return Ok(with_status(render(&page)?, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let now = state.now();
    let saved = match state.app.save_report(&user.user, &agency.id, period.id, &content, now).await {
        Ok(saved) => saved,
        Err(error) => {
            let problems = invalid_messages(error)?;
            let page = report_view(&state, &user, &agency, &period, Extras { problems, ..Extras::default() }).await?;
            return Ok(with_status(render(&page)?, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    if !submit {
        let errors = saved.violations.iter().filter(|v| v.importance == Importance::Error).count();
        let notice = if errors == 0 {
            "Đã lưu nháp. Khi số liệu đã đủ, bấm «Gửi báo cáo».".to_string()
        } else {
            format!("Đã lưu nháp; còn {errors} lỗi phải sửa trước khi gửi.")
        };
        let extras = Extras { violations: Some(saved.violations), notice: Some(notice), ..Extras::default() };
        let page = report_view(&state, &user, &agency, &period, extras).await?;
        return render(&page);
    }
    match state.app.submit_report(&user.user, &agency.id, period.id, now).await {
        Ok(_) => Ok(Redirect::to(&format!("/bao-cao/{}/{}?da_gui=1", period.id, agency.id)).into_response()),
        Err(error) => {
            let mut problems = vec!["Đã lưu nháp nhưng chưa gửi được báo cáo:".to_string()];
            problems.extend(invalid_messages(error)?);
            let extras = Extras { violations: Some(saved.violations), problems, ..Extras::default() };
            let page = report_view(&state, &user, &agency, &period, extras).await?;
            Ok(with_status(render(&page)?, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Excel / CSV round trip.

async fn download_form(
    state: &AppState,
    user: &CurrentUser,
    raw_period: &str,
    raw_agency: &str,
    xlsx: bool,
) -> Result<Response, PageError> {
    let period = period_param(state, raw_period).await?;
    let agency = agency_param(state, raw_agency)?;
    require_viewer_of(user, &agency)?;
    let form = state.app.report_form(&agency.id, period.id).await?;
    let report = stored_report(state, &agency.id, period.id).await?;
    let name = format!("bieu-mau-bao-cao-{}-{}", period.id, agency.id);
    if xlsx {
        let bytes =
            cchc_documents::form::write_form(&form, report.as_ref().map(|r| &r.content)).map_err(document_failure)?;
        Ok(crate::export::download(bytes, cchc_documents::annex::XLSX_TYPE, &format!("{name}.xlsx")))
    } else {
        let content = report.map(|r| r.content).unwrap_or_default();
        let text = cchc_documents::form::write_content_csv(&form, &content);
        Ok(crate::export::download(text.into_bytes(), crate::export::CSV_TYPE, &format!("{name}.csv")))
    }
}

async fn form_xlsx(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((raw_period, raw_agency)): Path<(String, String)>,
) -> Result<Response, PageError> {
    download_form(&state, &user, &raw_period, &raw_agency, true).await
}

async fn form_csv(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((raw_period, raw_agency)): Path<(String, String)>,
) -> Result<Response, PageError> {
    download_form(&state, &user, &raw_period, &raw_agency, false).await
}

/// The upload form as sent.
#[derive(Default)]
struct UploadFields {
    csrf_token: Option<String>,
    file_name: String,
    bytes: Vec<u8>,
    /// Size of a file that went over the limit.
    too_big: Option<usize>,
    has_file: bool,
}

fn multipart_error(error: MultipartError) -> PageError {
    multipart_failure(&error, || {
        FormError::TooLarge { size: crate::MAX_UPLOAD_BYTES, max: cchc_documents::form::MAX_FORM_BYTES }.to_string()
    })
}

async fn read_upload(multipart: &mut Multipart) -> Result<UploadFields, PageError> {
    let mut fields = UploadFields::default();
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            fields.file_name = field.file_name().unwrap_or_default().to_string();
            let mut size = 0usize;
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                size += chunk.len();
                if size > cchc_documents::form::MAX_FORM_BYTES {
                    fields.bytes = Vec::new();
                } else {
                    fields.bytes.extend_from_slice(&chunk);
                }
            }
            if size > cchc_documents::form::MAX_FORM_BYTES {
                fields.too_big = Some(size);
            }
            fields.has_file = !(fields.file_name.is_empty() && size == 0);
            continue;
        }
        let value = field.text().await.map_err(multipart_error)?;
        if name == "csrf_token" {
            fields.csrf_token = Some(value);
        }
    }
    Ok(fields)
}

/// Reads an uploaded form (XLSX, or CSV by its name) against the agency's form.
fn read_uploaded(fields: &UploadFields, form: &ReportForm) -> Result<(ReportContent, Vec<Diagnostic>, bool), String> {
    if let Some(size) = fields.too_big {
        return Err(FormError::TooLarge { size, max: cchc_documents::form::MAX_FORM_BYTES }.to_string());
    }
    if !fields.has_file || fields.bytes.is_empty() {
        return Err("Chưa chọn tệp (hoặc tệp rỗng). Hãy chọn tệp biểu mẫu .xlsx hoặc .csv đã điền.".to_string());
    }
    let is_csv = fields.file_name.to_lowercase().ends_with(".csv") && !fields.bytes.starts_with(b"PK\x03\x04");
    if is_csv {
        let text = std::str::from_utf8(&fields.bytes)
            .map_err(|_| "Tệp CSV phải được lưu với bảng mã UTF-8 (trong Excel: «CSV UTF-8»).".to_string())?;
        let (content, diagnostics) =
            cchc_documents::form::read_content_csv(text, form).map_err(|e: FormError| e.to_string())?;
        Ok((content, diagnostics, true))
    } else {
        let (content, diagnostics) =
            cchc_documents::form::read_form(&fields.bytes, form).map_err(|e: FormError| e.to_string())?;
        Ok((content, diagnostics, false))
    }
}

async fn upload(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((raw_period, raw_agency)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let mut multipart = multipart.map_err(|_| bad_request("biểu mẫu phải gửi dạng multipart/form-data"))?;
    let fields = read_upload(&mut multipart).await?;
    user.check_csrf(fields.csrf_token.as_deref())?;
    let period = period_param(&state, &raw_period).await?;
    let agency = agency_param(&state, &raw_agency)?;
    require_writer_of(&user, &agency)?;
    let form = state.app.report_form(&agency.id, period.id).await?;
    let file = crate::files::clean_file_name(&fields.file_name);
    let (mut content, diagnostics, is_csv) = match read_uploaded(&fields, &form) {
        Ok(read) => read,
        Err(message) => {
            let problems = vec![format!("Không nhận tệp «{file}»; chưa có gì được lưu."), message];
            let page = report_view(&state, &user, &agency, &period, Extras { problems, ..Extras::default() }).await?;
            return Ok(with_status(render(&page)?, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    if is_csv {
        // The CSV carries no narratives: keep the ones already written.
        if let Some(existing) = stored_report(&state, &agency.id, period.id).await? {
            content.narratives = existing.content.narratives;
        }
    }
    match state.app.save_report(&user.user, &agency.id, period.id, &content, state.now()).await {
        Ok(saved) => {
            let refused = diagnostics.iter().filter(|d| d.severity == cchc_domain::Severity::Error).count();
            let mut notice = format!("Đã đọc tệp «{file}» và lưu nháp.");
            if refused > 0 {
                notice.push_str(&format!(" {refused} ô không được ghi nhận (xem bên dưới)."));
            }
            let extras =
                Extras { violations: Some(saved.violations), diagnostics, notice: Some(notice), ..Extras::default() };
            let page = report_view(&state, &user, &agency, &period, extras).await?;
            render(&page)
        }
        Err(error) => {
            let mut problems = vec![format!("Không lưu được số liệu của tệp «{file}»:")];
            problems.extend(invalid_messages(error)?);
            let page = report_view(&state, &user, &agency, &period, Extras { problems, ..Extras::default() }).await?;
            Ok(with_status(render(&page)?, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Accept and return (Sở Nội vụ).

#[derive(Debug, Default, Deserialize)]
struct ReviewFields {
    csrf_token: Option<String>,
    ly_do: Option<String>,
    /// Where to go back: `bao-cao` (the period page) or the report page.
    ve: Option<String>,
}

fn after_review(period: PeriodId, agency: &AgencyId, back_to_period: bool, key: &str) -> Response {
    let target = if back_to_period {
        format!("/bao-cao/{period}?{key}={agency}#co-quan-{agency}")
    } else {
        format!("/bao-cao/{period}/{agency}?{key}=1")
    };
    Redirect::to(&target).into_response()
}

async fn accept(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((raw_period, raw_agency)): Path<(String, String)>,
    form: Result<Form<ReviewFields>, FormRejection>,
) -> Result<Response, PageError> {
    let fields = form_fields(form)?;
    user.check_csrf(fields.csrf_token.as_deref())?;
    user.require_admin()?;
    let period = period_param(&state, &raw_period).await?;
    let agency = agency_param(&state, &raw_agency)?;
    state.app.accept_report(&user.user, &agency.id, period.id, state.now()).await?;
    Ok(after_review(period.id, &agency.id, fields.ve.as_deref() == Some("bao-cao"), "da_tiep_nhan"))
}

async fn return_report(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((raw_period, raw_agency)): Path<(String, String)>,
    form: Result<Form<ReviewFields>, FormRejection>,
) -> Result<Response, PageError> {
    let fields = form_fields(form)?;
    user.check_csrf(fields.csrf_token.as_deref())?;
    user.require_admin()?;
    let period = period_param(&state, &raw_period).await?;
    let agency = agency_param(&state, &raw_agency)?;
    let reason = fields.ly_do.as_deref().unwrap_or_default().trim().to_string();
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(PageError(WebError::Invalid(vec![format!("lý do dài quá {MAX_REASON_CHARS} ký tự")])));
    }
    state.app.return_report(&user.user, &agency.id, period.id, &reason, state.now()).await?;
    Ok(after_review(period.id, &agency.id, fields.ve.as_deref() == Some("bao-cao"), "da_tra_lai"))
}

/// Values of a report by indicator, as the API lists them.
pub(crate) fn values_by_code(content: &ReportContent) -> BTreeMap<IndicatorCode, (Option<f64>, Option<f64>)> {
    let mut out: BTreeMap<IndicatorCode, (Option<f64>, Option<f64>)> = BTreeMap::new();
    for ((code, part), value) in &content.values {
        let entry = out.entry(code.clone()).or_default();
        match part {
            Part::Numerator => entry.0 = Some(*value),
            Part::Denominator => entry.1 = Some(*value),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_and_print_the_vietnamese_way() {
        assert_eq!(count_text(1234567.0), "1.234.567");
        assert_eq!(count_text(80.0), "80");
        assert_eq!(count_text(2.5), "2,5");
        assert_eq!(parse_count(" 120 "), Ok(Some(120.0)));
        assert_eq!(parse_count(""), Ok(None));
        assert!(parse_count("nhiều").is_err());
        assert!(parse_count("1e20").is_err());
        assert_eq!(parse_count("-3"), Ok(Some(-3.0)), "negative numbers reach the rules, which refuse them");
    }

    #[test]
    fn period_ids_must_be_written_exactly() {
        assert!(period_id("2024S1").is_some());
        assert!(period_id("2024s1").is_none());
        assert!(period_id("2024Q5").is_none());
    }

    #[test]
    fn sparkline_skips_missing_values() {
        let labels = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let spark = sparkline(&[Some(50.0), None, Some(100.0)], &labels).unwrap();
        assert_eq!(spark.dots.len(), 2);
        assert_eq!(spark.points, "4.0,16.0 116.0,4.0");
        assert!(sparkline(&[None, None], &labels).is_none());
    }
}
