//! An agency's report for a period (`/bao-cao/{period}/{agency}`): the form in the browser —
//! every indicator answered with its two counts, «0» when nothing arose, or «không áp dụng»
//! with a reason; the agency's earlier answers of the year beside each indicator; the Excel and
//! CSV round trip, where a file with any bad cell is refused whole with every problem listed;
//! Sở Nội vụ's accept / return, receipt date and deadline extension; the history.

use crate::extract::{VnForm, VnQuery};
use std::collections::HashMap;

use askama::Template;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cchc_documents::form::{FormError, FormKind, FormReading};
use cchc_domain::number::count_vn;
use cchc_domain::reporting::{
    ratio_text, Importance, IndicatorCode, Part, ReportContent, ReportEvent, ReportStatus, ValueChange, Violation,
    MAX_NARRATIVE_CHARS, MAX_REASON_CHARS, RULE_UNANSWERED,
};
use cchc_domain::{Agency, AreaCode, Date, Diagnostic, ReportingPeriod};
use cchc_services::reporting::ReportDetail;
use cchc_services::ServiceError;
use serde::Deserialize;

use super::{agency_param, blocking, document_failure, period_param, shorten, status_of, timestamp_text, with_status};
use crate::auth::{CurrentUser, PageUser};
use crate::error::{PageError, WebError};
use crate::pages::plan::bad_request;
use crate::pages::{render, Nav};
use crate::AppState;

/// An indicator row of the form.
pub struct IndicatorInput {
    pub code: String,
    pub name: String,
    pub numerator_def: String,
    pub denominator_def: String,
    pub n_name: String,
    pub d_name: String,
    pub na_name: String,
    pub n_value: String,
    pub d_value: String,
    pub na_value: String,
    pub n_text: String,
    pub d_text: String,
    pub rate: String,
    pub threshold: String,
    pub earlier: String,
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

/// A deadline extension.
pub struct ExtensionRow {
    pub until: String,
    pub reason: String,
    pub who: String,
    pub when: String,
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
    period_due: String,
    agency_id: String,
    agency_name: String,
    agency_kind: &'static str,
    level: &'static str,
    status: &'static str,
    status_class: &'static str,
    late: bool,
    submitted_on: String,
    received: Option<String>,
    returned_reason: Option<String>,
    updated_at: String,
    may_write: bool,
    editable: bool,
    locked_note: Option<String>,
    is_admin: bool,
    can_accept: bool,
    can_return: bool,
    has_report: bool,
    period_link: Option<String>,
    notice: Option<String>,
    problems: Vec<String>,
    diagnostics: Vec<DiagnosticView>,
    errors: Vec<String>,
    warnings: Vec<String>,
    indicators: Vec<IndicatorInput>,
    narratives: Vec<NarrativeInput>,
    max_narrative: usize,
    max_narrative_text: String,
    max_reason: usize,
    activities: Vec<ActivityLine>,
    events: Vec<EventRow>,
    changes: Vec<ChangeRow>,
    extensions: Vec<ExtensionRow>,
    xlsx_link: String,
    csv_link: String,
    max_upload: String,
    /// The indicators computed from the one-stop-shop dossiers beside the reported values;
    /// `None` when no dossier of the period was imported.
    computed: Option<Vec<ComputedLine>>,
    computed_differences: usize,
}

/// An indicator computed from the dossiers, beside the agency's own value.
pub struct ComputedLine {
    pub code: String,
    pub name: String,
    pub reported: String,
    pub computed: String,
    pub formula: String,
    pub verdict: String,
    pub differs: bool,
}

/// What a write brings to the page it renders: typed inputs, messages.
#[derive(Default)]
struct Extras {
    /// Field name → value as typed (the page shows them instead of the stored values, and
    /// checks nothing else: the problems of what was typed are the only messages).
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

fn na_name(code: &IndicatorCode) -> String {
    format!("na_{code}")
}

fn narrative_name(area: AreaCode) -> String {
    format!("narrative_{area}")
}

/// A count as an `<input type="number">` value: plain digits.
fn input_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

/// A typed count: empty is none; otherwise a finite number (negative and fractional numbers
/// reach the rules, which refuse them with their own message).
pub(crate) fn parse_count(raw: &str) -> Result<Option<f64>, String> {
    let cleaned: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    match cleaned.parse::<f64>() {
        Ok(value) if value.is_finite() && value.abs() <= cchc_domain::reporting::MAX_COUNT => Ok(Some(value)),
        Ok(_) => Err(format!("«{}» quá lớn (tối đa 1.000.000.000.000)", shorten(raw))),
        Err(_) => Err(format!("«{}» không phải là số", shorten(raw))),
    }
}

fn event_row(e: &ReportEvent) -> EventRow {
    EventRow {
        when: timestamp_text(&e.at),
        who: e.user.clone().unwrap_or_else(|| "—".into()),
        what: e.kind.label_vn(),
        reason: e.reason.clone(),
    }
}

fn change_row(c: &ValueChange) -> ChangeRow {
    let value = |v: Option<f64>| v.map(count_vn).unwrap_or_else(|| "(trống)".into());
    ChangeRow {
        when: timestamp_text(&c.at),
        who: c.user.clone().unwrap_or_else(|| "—".into()),
        indicator: c.indicator.to_string(),
        part: c.part.label_vn(),
        old: value(c.old_value),
        new: value(c.new_value),
    }
}

/// The warnings as listed on top.
fn warning_lines(violations: &[Violation]) -> Vec<String> {
    violations.iter().filter(|v| v.importance == Importance::Warning).map(|v| v.message.clone()).collect()
}

/// The errors as listed on top: one line for every unanswered indicator together.
fn error_lines(violations: &[Violation]) -> Vec<String> {
    let errors = violations.iter().filter(|v| v.importance == Importance::Error);
    let mut lines: Vec<String> =
        errors.clone().filter(|v| v.rule != RULE_UNANSWERED).map(|v| v.message.clone()).collect();
    let unanswered: Vec<String> = errors
        .filter(|v| v.rule == RULE_UNANSWERED)
        .flat_map(|v| v.indicators.iter().map(ToString::to_string))
        .collect();
    if !unanswered.is_empty() {
        lines.push(format!(
            "Chưa trả lời {} chỉ tiêu: {}. Mỗi chỉ tiêu nhập tử số và mẫu số (nhập 0 nếu trong kỳ không phát sinh) \
             hoặc ghi lý do vào ô «Không áp dụng».",
            unanswered.len(),
            unanswered.join(", ")
        ));
    }
    lines
}

async fn report_view(
    state: &AppState,
    user: &CurrentUser,
    agency: &Agency,
    period: &ReportingPeriod,
    extras: Extras,
) -> Result<ReportPage, PageError> {
    let ReportDetail { form, report, events, history, extensions, may_write, violations, .. } =
        state.app.report_detail(&user.user, &agency.id, period.id).await?;
    let content = report.as_ref().map(|r| r.content.clone()).unwrap_or_default();
    let computed: Option<Vec<ComputedLine>> =
        state.app.computed_figures(&user.user, &form, report.as_ref().map(|r| &r.content)).await?.map(|figures| {
            figures
                .iter()
                .map(|f| ComputedLine {
                    code: f.code.to_string(),
                    name: f.name.clone(),
                    reported: f.reported.map(ratio_text).unwrap_or_else(|| "chưa báo cáo".into()),
                    computed: ratio_text(f.computed),
                    formula: f.formula.clone(),
                    verdict: f.verdict_vn(),
                    differs: f.differs(),
                })
                .collect()
        });
    let computed_differences = computed.as_ref().map_or(0, |lines| lines.iter().filter(|l| l.differs).count());
    let status_editable = report.as_ref().is_none_or(|r| r.status.is_editable());
    let typed = extras.typed.as_ref();
    let violations = match (extras.violations, typed) {
        (Some(fresh), _) => fresh,
        // What was typed was refused: its problems are the only messages.
        (None, Some(_)) => Vec::new(),
        (None, None) => violations,
    };
    let (_, status, status_class) = status_of(report.as_ref());
    let report_status = report.as_ref().map(|r| r.status);
    let is_admin = user.user.is_admin();
    let indicators = form
        .indicators
        .iter()
        .map(|indicator| {
            let stored = |part| content.value(&indicator.code, part);
            let (n, d) = (stored(Part::Numerator), stored(Part::Denominator));
            let na = content.not_applicable.get(&indicator.code).cloned().unwrap_or_default();
            let shown = |name: &str, value: String| match typed {
                Some(t) => t.get(name).cloned().unwrap_or_default(),
                None => value,
            };
            let (nn, dn, nan) = (n_name(&indicator.code), d_name(&indicator.code), na_name(&indicator.code));
            let rate = match (typed, n, d) {
                (None, Some(n), Some(d)) => {
                    cchc_domain::number::Percent1::ratio(n, d).map(|p| p.to_string()).unwrap_or_default()
                }
                _ => String::new(),
            };
            let about = |importance| -> Vec<String> {
                violations
                    .iter()
                    .filter(|v| v.importance == importance && v.indicators.contains(&indicator.code))
                    .map(|v| if v.rule == RULE_UNANSWERED { "chưa trả lời".to_string() } else { v.message.clone() })
                    .collect()
            };
            IndicatorInput {
                code: indicator.code.to_string(),
                name: indicator.name.clone(),
                numerator_def: indicator.numerator.clone(),
                denominator_def: indicator.denominator.clone(),
                n_value: shown(&nn, n.map(input_text).unwrap_or_default()),
                d_value: shown(&dn, d.map(input_text).unwrap_or_default()),
                na_value: shown(&nan, na.clone()),
                n_name: nn,
                d_name: dn,
                na_name: nan,
                n_text: n.map(count_vn).unwrap_or_default(),
                d_text: if na.is_empty() {
                    d.map(count_vn).unwrap_or_default()
                } else {
                    format!("Không áp dụng: {na}")
                },
                rate,
                threshold: cchc_documents::form::threshold_text(indicator, form.level),
                earlier: form.earlier_text(&indicator.code),
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
            Some("Báo cáo đã gửi, chờ Sở Nội vụ tiếp nhận nên không sửa được; Sở Nội vụ có thể trả lại để sửa.".into())
        }
        Some(ReportStatus::Accepted) => {
            Some("Báo cáo đã được tiếp nhận: số liệu đã khóa; Sở Nội vụ có thể mở lại (trả lại) để sửa.".into())
        }
        _ => None,
    };
    let max_upload = format!(
        "Excel tối đa {} MB, CSV tối đa {} MB",
        cchc_documents::form::MAX_FORM_BYTES / (1024 * 1024),
        cchc_documents::form::MAX_CSV_BYTES / (1024 * 1024)
    );
    Ok(ReportPage {
        nav: Nav::new(Some(user)),
        csrf_token: user.csrf_token.clone(),
        period_id: period.id.to_string(),
        period_label: period.id.label_vn(),
        period_name: period.name.clone(),
        data_from: period.data_from.to_string(),
        data_to: period.data_to.to_string(),
        due: form.due.to_string(),
        period_due: period.due.to_string(),
        agency_id: agency.id.to_string(),
        agency_name: agency.name.clone(),
        agency_kind: agency.kind.label_vn(),
        level: form.level.label_vn(),
        status,
        status_class,
        late: report.as_ref().is_some_and(|r| r.is_late(form.due)),
        submitted_on: report.as_ref().and_then(|r| r.submitted_on).map(|d| d.to_string()).unwrap_or_default(),
        received: report.as_ref().and_then(|r| r.receipt.as_ref()).map(|r| format!("{} — {}", r.date, r.reason)),
        returned_reason: form.returned_reason.clone().filter(|r| !r.is_empty()),
        updated_at: report.as_ref().map(|r| timestamp_text(&r.updated_at)).unwrap_or_default(),
        may_write,
        editable: may_write && status_editable,
        locked_note,
        is_admin,
        can_accept: is_admin && report_status == Some(ReportStatus::Submitted),
        can_return: is_admin && matches!(report_status, Some(ReportStatus::Submitted | ReportStatus::Accepted)),
        has_report: report.is_some(),
        computed,
        computed_differences,
        period_link: (user.user.reads_all() || !may_write).then(|| format!("/bao-cao/{}", period.id)),
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
        errors: error_lines(&violations),
        warnings: warning_lines(&violations),
        indicators,
        narratives,
        max_narrative: MAX_NARRATIVE_CHARS,
        max_narrative_text: cchc_domain::number::group_thousands(MAX_NARRATIVE_CHARS as u64),
        max_reason: MAX_REASON_CHARS,
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
        changes: history.iter().rev().map(change_row).collect(),
        extensions: extensions
            .iter()
            .rev()
            .map(|e| ExtensionRow {
                until: e.until.to_string(),
                reason: e.reason.clone(),
                who: e.user.clone().unwrap_or_else(|| "—".into()),
                when: timestamp_text(&e.at),
            })
            .collect(),
        xlsx_link: format!("/bao-cao/{}/{}/bieu-mau.xlsx", period.id, agency.id),
        csv_link: format!("/bao-cao/{}/{}/bieu-mau.csv", period.id, agency.id),
        max_upload,
    })
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ReportQuery {
    #[serde(rename = "da_gui")]
    sent: Option<String>,
    #[serde(rename = "da_tiep_nhan")]
    accepted: Option<String>,
    #[serde(rename = "da_tra_lai")]
    returned: Option<String>,
    #[serde(rename = "da_ghi_ngay_nhan")]
    received: Option<String>,
    #[serde(rename = "da_gia_han")]
    extended: Option<String>,
}

pub(super) async fn report_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((raw_period, raw_agency)): Path<(String, String)>,
    VnQuery(q): VnQuery<ReportQuery>,
) -> Result<Response, PageError> {
    let period = period_param(&state, &raw_period).await?;
    let agency = agency_param(&state, &raw_agency)?;
    let notice = [
        (q.sent.is_some(), "Đã gửi báo cáo tới Sở Nội vụ; báo cáo đang chờ tiếp nhận."),
        (q.accepted.is_some(), "Đã tiếp nhận báo cáo; số liệu đã được khóa."),
        (q.returned.is_some(), "Đã trả lại báo cáo kèm lý do."),
        (q.received.is_some(), "Đã ghi nhận ngày nhận báo cáo."),
        (q.extended.is_some(), "Đã gia hạn gửi báo cáo."),
    ]
    .into_iter()
    .find(|(set, _)| *set)
    .map(|(_, text)| text.to_string());
    let page = report_view(&state, &user, &agency, &period, Extras { notice, ..Extras::default() }).await?;
    render(&page)
}

/// Reads the browser form's answers and narratives; every count that is not a number is a
/// problem (then nothing is saved). Narratives and reasons are checked by the services.
fn content_from_fields(
    form: &cchc_domain::reporting::ReportForm,
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
                Err(why) => problems.push(format!("{} ({}): {why}", indicator.code, part.label_vn())),
            }
        }
        let reason = fields.get(&na_name(&indicator.code)).map_or("", String::as_str);
        if !reason.trim().is_empty() {
            content.not_applicable.insert(indicator.code.clone(), reason.to_string());
        }
    }
    for (area, _) in &form.areas {
        let text = fields.get(&narrative_name(*area)).map_or("", String::as_str);
        if !text.trim().is_empty() {
            content.narratives.insert(*area, text.to_string());
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

async fn refused(
    state: &AppState,
    user: &CurrentUser,
    agency: &Agency,
    period: &ReportingPeriod,
    extras: Extras,
) -> Result<Response, PageError> {
    let page = report_view(state, user, agency, period, extras).await?;
    Ok(with_status(render(&page)?, StatusCode::UNPROCESSABLE_ENTITY))
}

pub(super) async fn save_report(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((raw_period, raw_agency)): Path<(String, String)>,
    VnForm(pairs): VnForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields: HashMap<String, String> = pairs.into_iter().collect();
    user.check_csrf(fields.get("csrf_token").map(String::as_str))?;
    let period = period_param(&state, &raw_period).await?;
    let agency = agency_param(&state, &raw_agency)?;
    let submit = match fields.get("action").map(|a| a.trim()) {
        Some("submit") => true,
        Some("save") | None => false,
        Some(other) => return Err(bad_request(format!("thao tác «{}» không hợp lệ", shorten(other)))),
    };
    let report_form = state.app.report_form(&agency.id, period.id).await?;
    let mut problems = Vec::new();
    let content = content_from_fields(&report_form, &fields, &mut problems);
    if !problems.is_empty() {
        problems.insert(0, "Chưa lưu gì: hãy sửa các ô sau rồi lưu lại.".to_string());
        return refused(&state, &user, &agency, &period, Extras { typed: Some(fields), problems, ..Extras::default() })
            .await;
    }
    let now = state.now();
    let saved = match state.app.save_report(&user.user, &agency.id, period.id, &content, now).await {
        Ok(saved) => saved,
        Err(error) => {
            let mut problems = vec!["Chưa lưu gì:".to_string()];
            problems.extend(invalid_messages(error)?);
            let extras = Extras { typed: Some(fields), problems, ..Extras::default() };
            return refused(&state, &user, &agency, &period, extras).await;
        }
    };
    if !submit {
        let errors = saved.violations.iter().filter(|v| v.importance == Importance::Error).count();
        let notice = if errors == 0 {
            "Đã lưu nháp. Mọi chỉ tiêu đã được trả lời: có thể bấm «Gửi báo cáo».".to_string()
        } else {
            format!("Đã lưu nháp; còn {errors} lỗi phải sửa trước khi gửi.")
        };
        let extras = Extras { violations: Some(saved.violations), notice: Some(notice), ..Extras::default() };
        return render(&report_view(&state, &user, &agency, &period, extras).await?);
    }
    match state.app.submit_report(&user.user, &agency.id, period.id, now).await {
        Ok(_) => Ok(Redirect::to(&format!("/bao-cao/{}/{}?da_gui=1", period.id, agency.id)).into_response()),
        Err(error) => {
            let mut problems = vec!["Đã lưu nháp nhưng chưa gửi được báo cáo:".to_string()];
            problems.extend(invalid_messages(error)?);
            let extras = Extras { violations: Some(saved.violations), problems, ..Extras::default() };
            refused(&state, &user, &agency, &period, extras).await
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
    kind: FormKind,
) -> Result<Response, PageError> {
    let period = period_param(state, raw_period).await?;
    let agency = agency_param(state, raw_agency)?;
    let detail = state.app.report_detail(&user.user, &agency.id, period.id).await?;
    let name = format!("bieu-mau-bao-cao-{}-{}", period.id, agency.id);
    let content = detail.report.map(|r| r.content);
    match kind {
        FormKind::Xlsx => {
            let form = detail.form;
            let bytes = blocking(move || cchc_documents::form::write_form(&form, content.as_ref()))
                .await?
                .map_err(document_failure)?;
            Ok(crate::export::download(bytes, cchc_documents::annex::XLSX_TYPE, &format!("{name}.xlsx")))
        }
        FormKind::Csv => {
            let text = cchc_documents::form::write_content_csv(&detail.form, &content.unwrap_or_default());
            Ok(crate::export::download(text.into_bytes(), crate::export::CSV_TYPE, &format!("{name}.csv")))
        }
    }
}

pub(super) async fn form_xlsx(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((raw_period, raw_agency)): Path<(String, String)>,
) -> Result<Response, PageError> {
    download_form(&state, &user, &raw_period, &raw_agency, FormKind::Xlsx).await
}

pub(super) async fn form_csv(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((raw_period, raw_agency)): Path<(String, String)>,
) -> Result<Response, PageError> {
    download_form(&state, &user, &raw_period, &raw_agency, FormKind::Csv).await
}

/// The upload form as sent.
#[derive(Default)]
struct UploadFields {
    csrf_token: Option<String>,
    file_name: String,
    bytes: Vec<u8>,
    /// Size of a file that went over the limit of its kind.
    too_big: Option<usize>,
    has_file: bool,
}

impl UploadFields {
    /// CSV by name (and not a zip), else XLSX.
    fn kind(&self) -> FormKind {
        let csv_name = self.file_name.to_lowercase().ends_with(".csv");
        if csv_name && !self.bytes.starts_with(b"PK\x03\x04") {
            FormKind::Csv
        } else {
            FormKind::Xlsx
        }
    }
}

fn kind_by_name(file_name: &str) -> FormKind {
    if file_name.to_lowercase().ends_with(".csv") {
        FormKind::Csv
    } else {
        FormKind::Xlsx
    }
}

fn multipart_error(error: MultipartError, file_name: &str) -> PageError {
    let kind = kind_by_name(file_name);
    crate::pages::multipart_failure(&error, || FormError::OverLimit(kind).to_string())
}

async fn read_upload(multipart: &mut Multipart) -> Result<UploadFields, PageError> {
    let mut fields = UploadFields::default();
    while let Some(mut field) = multipart.next_field().await.map_err(|e| multipart_error(e, &fields.file_name))? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            fields.file_name = field.file_name().unwrap_or_default().to_string();
            let limit = kind_by_name(&fields.file_name).max_bytes().max(cchc_documents::form::MAX_FORM_BYTES);
            let mut size = 0usize;
            while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(e, &fields.file_name))? {
                size += chunk.len();
                if size > limit {
                    fields.bytes = Vec::new();
                } else {
                    fields.bytes.extend_from_slice(&chunk);
                }
            }
            if size > limit {
                fields.too_big = Some(size);
            }
            fields.has_file = !(fields.file_name.is_empty() && size == 0);
            continue;
        }
        let value = field.text().await.map_err(|e| multipart_error(e, &fields.file_name))?;
        if name == "csrf_token" {
            fields.csrf_token = Some(value);
        }
    }
    Ok(fields)
}

pub(super) async fn upload(
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
    if !user.user.may_write_for(&agency.id) {
        return Err(PageError(WebError::Forbidden(format!(
            "tài khoản «{}» không được lập báo cáo của {}",
            user.user.username, agency.name
        ))));
    }
    let form = state.app.report_form(&agency.id, period.id).await?;
    let file = crate::files::clean_file_name(&fields.file_name);
    let kind = fields.kind();
    let refuse = |mut problems: Vec<String>, diagnostics: Vec<Diagnostic>| {
        problems.insert(0, format!("Không nhận tệp «{file}»; chưa có gì được lưu."));
        Extras { problems, diagnostics, ..Extras::default() }
    };
    if let Some(size) = fields.too_big.filter(|size| *size > kind.max_bytes()) {
        let extras = refuse(vec![FormError::TooLarge { size, kind }.to_string()], Vec::new());
        return refused(&state, &user, &agency, &period, extras).await;
    }
    if !fields.has_file || fields.bytes.is_empty() {
        let message = "Chưa chọn tệp (hoặc tệp rỗng). Hãy chọn tệp biểu mẫu .xlsx hoặc .csv đã điền.".to_string();
        return refused(&state, &user, &agency, &period, refuse(vec![message], Vec::new())).await;
    }
    let bytes = fields.bytes;
    let expected = form.clone();
    let read = blocking(move || match kind {
        FormKind::Csv => cchc_documents::form::read_content_csv(&bytes, &expected),
        FormKind::Xlsx => cchc_documents::form::read_form(&bytes, &expected),
    })
    .await?;
    let reading: FormReading = match read {
        Ok(reading) => reading,
        Err(error) => {
            return refused(&state, &user, &agency, &period, refuse(vec![error.to_string()], Vec::new())).await
        }
    };
    if reading.has_errors() {
        let count = reading.diagnostics.iter().filter(|d| d.severity == cchc_domain::Severity::Error).count();
        let message = format!("Tệp có {count} ô không hợp lệ (liệt kê bên dưới); hãy sửa trong tệp rồi tải lên lại.");
        let extras = refuse(vec![message], reading.diagnostics);
        return refused(&state, &user, &agency, &period, extras).await;
    }
    let now = state.now();
    match state
        .app
        .save_upload(&user.user, &agency.id, period.id, &reading.content, &reading.narrative_areas, now)
        .await
    {
        Ok(saved) => {
            let kept = if reading.narrative_areas.is_empty() && !form.areas.is_empty() {
                " Tệp không có phần thuyết minh: thuyết minh đã lưu được giữ nguyên."
            } else {
                ""
            };
            let notice = format!("Đã đọc tệp «{file}» và lưu nháp.{kept}");
            let extras = Extras {
                violations: Some(saved.violations),
                diagnostics: reading.diagnostics,
                notice: Some(notice),
                ..Extras::default()
            };
            render(&report_view(&state, &user, &agency, &period, extras).await?)
        }
        Err(error) => {
            let extras = refuse(invalid_messages(error)?, reading.diagnostics);
            refused(&state, &user, &agency, &period, extras).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Sở Nội vụ: accept, return, receipt date, extension.

#[derive(Debug, Default, Deserialize)]
pub(super) struct ReviewFields {
    csrf_token: Option<String>,
    #[serde(rename = "ly_do")]
    reason: Option<String>,
    /// `dd/mm/yyyy`: the receipt date, or the new deadline.
    #[serde(rename = "ngay")]
    date: Option<String>,
    /// Where to go back: `bao-cao` (the period page) or the report page.
    #[serde(rename = "ve")]
    back: Option<String>,
}

fn after_review(period: &ReportingPeriod, agency: &Agency, back_to_period: bool, key: &str) -> Response {
    let target = if back_to_period {
        format!("/bao-cao/{}?{key}={}#co-quan-{}", period.id, agency.id, agency.id)
    } else {
        format!("/bao-cao/{}/{}?{key}=1", period.id, agency.id)
    };
    Redirect::to(&target).into_response()
}

/// The fields of a review form, after the CSRF check, with the period and agency of the path.
async fn review_target(
    state: &AppState,
    user: &CurrentUser,
    raw: (String, String),
    fields: ReviewFields,
) -> Result<(ReviewFields, ReportingPeriod, Agency), PageError> {
    user.check_csrf(fields.csrf_token.as_deref())?;
    user.require_admin()?;
    let period = period_param(state, &raw.0).await?;
    let agency = agency_param(state, &raw.1)?;
    Ok((fields, period, agency))
}

fn review_date(fields: &ReviewFields, what: &str) -> Result<Date, PageError> {
    let raw = fields.date.as_deref().map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return Err(PageError(WebError::Invalid(vec![format!("cần nhập {what} (dd/mm/yyyy)")])));
    }
    Date::parse(raw).map_err(|e| PageError(WebError::Invalid(vec![format!("{what}: {e}")])))
}

pub(super) async fn accept(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(raw): Path<(String, String)>,
    VnForm(form): VnForm<ReviewFields>,
) -> Result<Response, PageError> {
    let (fields, period, agency) = review_target(&state, &user, raw, form).await?;
    state.app.accept_report(&user.user, &agency.id, period.id, state.now()).await?;
    Ok(after_review(&period, &agency, fields.back.as_deref() == Some("bao-cao"), "da_tiep_nhan"))
}

pub(super) async fn return_report(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(raw): Path<(String, String)>,
    VnForm(form): VnForm<ReviewFields>,
) -> Result<Response, PageError> {
    let (fields, period, agency) = review_target(&state, &user, raw, form).await?;
    let reason = fields.reason.clone().unwrap_or_default();
    state.app.return_report(&user.user, &agency.id, period.id, &reason, state.now()).await?;
    Ok(after_review(&period, &agency, fields.back.as_deref() == Some("bao-cao"), "da_tra_lai"))
}

pub(super) async fn record_receipt(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(raw): Path<(String, String)>,
    VnForm(form): VnForm<ReviewFields>,
) -> Result<Response, PageError> {
    let (fields, period, agency) = review_target(&state, &user, raw, form).await?;
    let date = review_date(&fields, "ngày nhận báo cáo")?;
    let reason = fields.reason.clone().unwrap_or_default();
    state.app.record_receipt(&user.user, &agency.id, period.id, date, &reason, state.now()).await?;
    Ok(after_review(&period, &agency, false, "da_ghi_ngay_nhan"))
}

pub(super) async fn grant_extension(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(raw): Path<(String, String)>,
    VnForm(form): VnForm<ReviewFields>,
) -> Result<Response, PageError> {
    let (fields, period, agency) = review_target(&state, &user, raw, form).await?;
    let until = review_date(&fields, "hạn mới")?;
    let reason = fields.reason.clone().unwrap_or_default();
    state.app.grant_extension(&user.user, &agency.id, period.id, until, &reason, state.now()).await?;
    Ok(after_review(&period, &agency, false, "da_gia_han"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_counts() {
        assert_eq!(parse_count(" 120 "), Ok(Some(120.0)));
        assert_eq!(parse_count(""), Ok(None));
        assert!(parse_count("nhiều").is_err());
        assert!(parse_count("1e20").is_err());
        assert_eq!(parse_count("-3"), Ok(Some(-3.0)), "negative numbers reach the rules, which refuse them");
    }
}
