//! Report endpoints: the indicator catalogue and its rules, where every agency stands for a
//! period, one agency's report (read, save a draft, submit), and Sở Nội vụ's accept / return.
//!
//! Reading a period's overview is for Sở Nội vụ and leaders (admin, viewer); an agency's report
//! is readable by them and by the agency's own officers. Writes follow the order of the other
//! endpoints: session (401), CSRF header (403), the caller's right (403), unknown target (404),
//! then the body (400 / 415 / 422). The services check the right again.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use cchc_domain::reporting::{
    Direction, Importance, IndicatorCode, Operand, Part, ReportContent, RuleOperator, ValidationRule, Violation,
};
use cchc_domain::{Agency, AgencyId, AreaCode, ReportingPeriod};
use cchc_store::{ReportEvent, StoredReport, ValueChange};
use serde::{Deserialize, Serialize};

use super::dto::{percent, AgencyRefDto};
use super::{parse_json, ApiPath, ApiQuery, Problem, WriteUser};
use crate::auth::{ApiUser, CurrentUser};
use crate::error::WebError;
use crate::pages::reports::{
    event_label, known_agency, may_view, period_id, reads_all, status_of, values_by_code, MAX_NARRATIVE_CHARS,
    MAX_REASON_CHARS, READERS_ONLY,
};
use crate::AppState;

// ---------------------------------------------------------------------------------------------
// Wire types. Field names are a contract: add fields, never rename them.

/// A threshold of an indicator for one level (or every level when `level` is null).
#[derive(Debug, Serialize)]
pub struct ThresholdDto {
    /// `tinh` | `huyen` | `xa`, or null for every level.
    pub level: Option<&'static str>,
    pub level_label: Option<&'static str>,
    /// `>=` | `>` | `=` | `<=` | `<` | `range`.
    pub op: &'static str,
    pub value: f64,
    /// Upper bound of a `range`.
    pub upper: Option<f64>,
}

/// One indicator of the catalogue.
#[derive(Debug, Serialize)]
pub struct IndicatorDto {
    pub code: String,
    pub name: String,
    pub area: &'static str,
    pub area_title: String,
    /// What the agency counts for the numerator.
    pub numerator: String,
    /// What the agency counts for the denominator.
    pub denominator: String,
    pub unit: String,
    /// `higher_is_better` | `lower_is_better`.
    pub direction: &'static str,
    pub thresholds: Vec<ThresholdDto>,
    /// Agency kinds that report it (`department`, `sectoral`, `district`, `commune`).
    pub reporters: Vec<&'static str>,
}

/// An operand of a rule: an indicator's part, or a constant.
#[derive(Debug, Serialize)]
pub struct OperandDto {
    pub indicator: Option<String>,
    /// `numerator` | `denominator`, with `indicator`.
    pub part: Option<&'static str>,
    pub constant: Option<f64>,
}

/// A validation rule (each side is the sum of its operands).
#[derive(Debug, Serialize)]
pub struct RuleDto {
    pub id: String,
    pub message: String,
    pub left: Vec<OperandDto>,
    /// `<=` | `<` | `>=` | `>` | `=`.
    pub operator: &'static str,
    pub right: Vec<OperandDto>,
    /// `error` (blocks submission) | `warning`.
    pub importance: &'static str,
    pub skip_when_missing: bool,
}

/// `GET /api/indicators`.
#[derive(Debug, Serialize)]
pub struct CatalogueDto {
    /// 0 for the catalogue shipped with the plan, else the stored version.
    pub version: i64,
    pub indicators: Vec<IndicatorDto>,
    pub rules: Vec<RuleDto>,
}

#[derive(Debug, Serialize)]
pub struct PeriodDto {
    /// `2024Q1` | `2024S1` | `2024Q3` | `2024`.
    pub id: String,
    pub name: String,
    pub label: String,
    pub data_from: String,
    pub data_to: String,
    pub due: String,
}

impl PeriodDto {
    pub fn new(period: &ReportingPeriod) -> PeriodDto {
        PeriodDto {
            id: period.id.to_string(),
            name: period.name.clone(),
            label: period.id.label_vn(),
            data_from: period.data_from.iso(),
            data_to: period.data_to.iso(),
            due: period.due.iso(),
        }
    }
}

/// Completeness and timeliness of a group of agencies.
#[derive(Debug, Serialize)]
pub struct CompletenessDto {
    /// The agency kind of the group; null for every reporting agency.
    pub kind: Option<&'static str>,
    pub label: String,
    pub expected: usize,
    pub submitted: usize,
    pub on_time: usize,
    pub late: usize,
    pub missing: usize,
    pub submitted_percent: f64,
    pub on_time_percent: f64,
}

impl CompletenessDto {
    fn new(kind: Option<&'static str>, label: String, c: &cchc_domain::reporting::Completeness) -> CompletenessDto {
        CompletenessDto {
            kind,
            label,
            expected: c.expected,
            submitted: c.submitted,
            on_time: c.on_time,
            late: c.late.len(),
            missing: c.missing.len(),
            submitted_percent: percent(c.submitted_percent()),
            on_time_percent: percent(c.on_time_percent()),
        }
    }
}

/// Where one expected agency stands.
#[derive(Debug, Serialize)]
pub struct AgencyStatusDto {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    /// `missing` (not started) | `draft` | `submitted` | `returned` | `accepted`.
    pub status: &'static str,
    pub status_label: &'static str,
    pub submitted_on: Option<String>,
    pub late: bool,
    pub returned_reason: Option<String>,
}

/// `GET /api/reports?period=P`.
#[derive(Debug, Serialize)]
pub struct PeriodStatusDto {
    pub period: PeriodDto,
    pub overall: CompletenessDto,
    pub groups: Vec<CompletenessDto>,
    pub agencies: Vec<AgencyStatusDto>,
}

/// One indicator's reported counts.
#[derive(Debug, Serialize)]
pub struct ValueDto {
    pub code: String,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
}

/// An agency's report for a period.
#[derive(Debug, Serialize)]
pub struct ReportDto {
    /// Null while the agency has not started it.
    pub id: Option<i64>,
    pub period: String,
    pub agency: AgencyRefDto,
    /// `missing` | `draft` | `submitted` | `returned` | `accepted`.
    pub status: &'static str,
    pub status_label: &'static str,
    /// Whether values may still change (a draft, a returned report, or none yet).
    pub editable: bool,
    pub submitted_on: Option<String>,
    pub late: bool,
    pub returned_reason: Option<String>,
    pub updated_at: Option<String>,
    pub values: Vec<ValueDto>,
    /// Narrative per reform area (`"II": "…"`).
    pub narratives: BTreeMap<&'static str, String>,
}

impl ReportDto {
    pub fn new(period: &str, agency: &Agency, report: Option<&StoredReport>) -> ReportDto {
        let (status, status_label, _) = status_of(report);
        let content = report.map(|r| &r.content);
        ReportDto {
            id: report.map(|r| r.id),
            period: period.to_string(),
            agency: AgencyRefDto { id: agency.id.to_string(), name: agency.name.clone() },
            status,
            status_label,
            editable: report.is_none_or(|r| r.status.is_editable()),
            submitted_on: report.and_then(|r| r.submitted_on).map(|d| d.iso()),
            late: report.is_some_and(|r| r.late),
            returned_reason: report.and_then(|r| r.returned_reason.clone()).filter(|r| !r.is_empty()),
            updated_at: report.map(|r| r.updated_at.clone()),
            values: content
                .map(values_by_code)
                .unwrap_or_default()
                .into_iter()
                .map(|(code, (numerator, denominator))| ValueDto { code: code.to_string(), numerator, denominator })
                .collect(),
            narratives: content
                .map(|c| c.narratives.iter().map(|(area, text)| (area.as_str(), text.clone())).collect())
                .unwrap_or_default(),
        }
    }
}

/// One step of a report's workflow history.
#[derive(Debug, Serialize)]
pub struct ReportEventDto {
    /// `saved` | `submitted` | `returned` | `accepted` | `reopened`.
    pub kind: String,
    pub kind_label: &'static str,
    pub reason: String,
    pub user: Option<String>,
    pub at: String,
}

impl ReportEventDto {
    fn new(e: &ReportEvent) -> ReportEventDto {
        ReportEventDto {
            kind: e.kind.clone(),
            kind_label: event_label(&e.kind),
            reason: e.reason.clone(),
            user: e.user.clone(),
            at: e.at.clone(),
        }
    }
}

/// One change of a reported value.
#[derive(Debug, Serialize)]
pub struct ValueChangeDto {
    pub indicator: String,
    /// `numerator` | `denominator`.
    pub part: &'static str,
    pub old_value: Option<f64>,
    pub new_value: Option<f64>,
    pub user: Option<String>,
    pub at: String,
}

fn part_str(part: Part) -> &'static str {
    match part {
        Part::Numerator => "numerator",
        Part::Denominator => "denominator",
    }
}

impl ValueChangeDto {
    fn new(c: &ValueChange) -> ValueChangeDto {
        ValueChangeDto {
            indicator: c.indicator.clone(),
            part: part_str(c.part),
            old_value: c.old_value,
            new_value: c.new_value,
            user: c.user.clone(),
            at: c.at.clone(),
        }
    }
}

/// `GET /api/reports/{period}/{agency}`.
#[derive(Debug, Serialize)]
pub struct ReportDetailDto {
    #[serde(flatten)]
    pub report: ReportDto,
    pub period_detail: PeriodDto,
    /// Whether the caller may save and submit it.
    pub can_write: bool,
    pub events: Vec<ReportEventDto>,
    pub value_history: Vec<ValueChangeDto>,
}

/// A broken validation rule.
#[derive(Debug, Serialize)]
pub struct ViolationDto {
    pub rule: String,
    /// `error` (blocks submission) | `warning`.
    pub importance: &'static str,
    pub message: String,
    pub indicators: Vec<String>,
}

impl ViolationDto {
    fn new(v: &Violation) -> ViolationDto {
        ViolationDto {
            rule: v.rule.clone(),
            importance: importance_str(v.importance),
            message: v.message.clone(),
            indicators: v.indicators.iter().map(|c| c.to_string()).collect(),
        }
    }
}

/// `PUT /api/reports/{period}/{agency}` answer.
#[derive(Debug, Serialize)]
pub struct SaveResultDto {
    pub report: ReportDto,
    pub violations: Vec<ViolationDto>,
}

/// `PUT /api/reports/{period}/{agency}` body: the whole draft (values and narratives left out
/// are removed).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveRequest {
    #[serde(default)]
    pub values: Vec<ValueRequest>,
    #[serde(default)]
    pub narratives: BTreeMap<String, Option<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueRequest {
    pub code: String,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
}

/// `POST /api/reports/{period}/{agency}/return` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    pub reason: Option<String>,
}

fn importance_str(importance: Importance) -> &'static str {
    match importance {
        Importance::Error => "error",
        Importance::Warning => "warning",
    }
}

fn operator_str(operator: RuleOperator) -> &'static str {
    match operator {
        RuleOperator::Le => "<=",
        RuleOperator::Lt => "<",
        RuleOperator::Ge => ">=",
        RuleOperator::Gt => ">",
        RuleOperator::Eq => "=",
    }
}

fn operands(list: &[Operand]) -> Vec<OperandDto> {
    list.iter()
        .map(|o| match o {
            Operand::Value(code, part) => {
                OperandDto { indicator: Some(code.to_string()), part: Some(part_str(*part)), constant: None }
            }
            Operand::Constant(c) => OperandDto { indicator: None, part: None, constant: Some(*c) },
        })
        .collect()
}

fn rule_dto(rule: &ValidationRule) -> RuleDto {
    RuleDto {
        id: rule.id.clone(),
        message: rule.message.clone(),
        left: operands(&rule.left),
        operator: operator_str(rule.operator),
        right: operands(&rule.right),
        importance: importance_str(rule.importance),
        skip_when_missing: rule.skip_when_missing,
    }
}

// ---------------------------------------------------------------------------------------------
// Targets.

fn not_found(what: String) -> Problem {
    Problem::from(WebError::NotFound(what))
}

fn forbidden(why: String) -> Problem {
    Problem::from(WebError::Forbidden(why))
}

async fn period_of(state: &AppState, raw: &str) -> Result<ReportingPeriod, Problem> {
    let id = period_id(raw).ok_or_else(|| not_found(format!("kỳ báo cáo «{raw}» (ví dụ 2024Q1, 2024S1, 2024)")))?;
    Ok(state.app.reporting_period(id).await?)
}

fn agency_of(state: &AppState, raw: &str) -> Result<Agency, Problem> {
    known_agency(state, raw).ok_or_else(|| not_found(format!("cơ quan «{raw}»")))
}

/// The agency a write targets, after the caller's right to write for it (403 before 404).
fn writable_agency(state: &AppState, user: &CurrentUser, raw: &str) -> Result<Agency, Problem> {
    let id = AgencyId::parse(raw.trim()).ok_or_else(|| not_found(format!("cơ quan «{raw}»")))?;
    if !user.user.may_write_for(&id) {
        return Err(forbidden(format!(
            "tài khoản «{}» không được lập báo cáo của {}",
            user.user.username,
            state.app.agency_name(&id)
        )));
    }
    agency_of(state, raw)
}

async fn stored(
    state: &AppState,
    agency: &AgencyId,
    period: cchc_domain::PeriodId,
) -> Result<Option<StoredReport>, Problem> {
    let current = state.app.current().await?;
    Ok(state.app.store().report(current.version.id, agency, period).await.map_err(cchc_services::ServiceError::from)?)
}

// ---------------------------------------------------------------------------------------------
// Handlers.

pub async fn indicators(State(state): State<AppState>, ApiUser(_): ApiUser) -> Result<Json<CatalogueDto>, Problem> {
    let current = state.app.current().await?;
    let catalogue = state.app.catalogue().await?;
    let area_title = |code: AreaCode| {
        current.plan.area(code).map_or_else(|| code.standard_name_vn().to_string(), |a| a.title.clone())
    };
    Ok(Json(CatalogueDto {
        version: catalogue.version,
        indicators: catalogue
            .indicators
            .iter()
            .map(|i| IndicatorDto {
                code: i.code.to_string(),
                name: i.name.clone(),
                area: i.area.as_str(),
                area_title: area_title(i.area),
                numerator: i.numerator.clone(),
                denominator: i.denominator.clone(),
                unit: i.unit.clone(),
                direction: match i.direction {
                    Direction::HigherIsBetter => "higher_is_better",
                    Direction::LowerIsBetter => "lower_is_better",
                },
                thresholds: i
                    .thresholds
                    .iter()
                    .map(|t| ThresholdDto {
                        level: t.level.map(|l| l.as_str()),
                        level_label: t.level.map(|l| l.label_vn()),
                        op: t.op.as_str(),
                        value: t.value,
                        upper: t.upper,
                    })
                    .collect(),
                reporters: i.reporters.iter().map(|k| k.as_str()).collect(),
            })
            .collect(),
        rules: catalogue.rules.iter().map(rule_dto).collect(),
    }))
}

#[derive(Debug, Deserialize)]
pub struct StatusQuery {
    period: Option<String>,
}

pub async fn period_status(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<StatusQuery>,
) -> Result<Json<PeriodStatusDto>, Problem> {
    if !reads_all(&user) {
        return Err(forbidden(READERS_ONLY.to_string()));
    }
    let raw = query.period.as_deref().map(str::trim).filter(|p| !p.is_empty()).ok_or_else(|| {
        Problem::invalid(vec!["period: cần mã kỳ báo cáo (ví dụ 2024Q1, 2024S1, 2024Q3, 2024)".to_string()])
    })?;
    if period_id(raw).is_none() {
        return Err(Problem::invalid(vec![format!(
            "period: «{raw}» không phải mã kỳ báo cáo (ví dụ 2024Q1, 2024S1, 2024Q3, 2024)"
        )]));
    }
    let period = period_of(&state, raw).await?;
    let status = state.app.report_status(period.id).await?;
    let kind_of = |label: &str| {
        cchc_services::reporting::REPORTING_KINDS.into_iter().find(|k| k.label_vn() == label).map(|k| k.as_str())
    };
    Ok(Json(PeriodStatusDto {
        period: PeriodDto::new(&status.period),
        overall: CompletenessDto::new(None, "Tất cả".to_string(), &status.overall),
        groups: status
            .groups
            .iter()
            .map(|g| CompletenessDto::new(kind_of(&g.label), g.label.clone(), &g.completeness))
            .collect(),
        agencies: status
            .agencies
            .iter()
            .map(|(agency, report)| {
                let (status, status_label, _) = status_of(report.as_ref());
                AgencyStatusDto {
                    id: agency.id.to_string(),
                    name: agency.name.clone(),
                    kind: agency.kind.as_str(),
                    status,
                    status_label,
                    submitted_on: report.as_ref().and_then(|r| r.submitted_on).map(|d| d.iso()),
                    late: report.as_ref().is_some_and(|r| r.late),
                    returned_reason: report.as_ref().and_then(|r| r.returned_reason.clone()).filter(|r| !r.is_empty()),
                }
            })
            .collect(),
    }))
}

pub async fn report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((raw_period, raw_agency)): ApiPath<(String, String)>,
) -> Result<Json<ReportDetailDto>, Problem> {
    let agency = agency_of(&state, &raw_agency)?;
    if !may_view(&user, &agency.id) {
        return Err(forbidden(format!(
            "tài khoản «{}» không được xem báo cáo của {}",
            user.user.username, agency.name
        )));
    }
    let period = period_of(&state, &raw_period).await?;
    // A reporting agency: the services refuse the others.
    state.app.report_form(&agency.id, period.id).await?;
    let report = stored(&state, &agency.id, period.id).await?;
    let (events, history) = match &report {
        Some(r) => (
            state.app.store().report_events(r.id).await.map_err(cchc_services::ServiceError::from)?,
            state.app.store().report_value_history(r.id).await.map_err(cchc_services::ServiceError::from)?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    Ok(Json(ReportDetailDto {
        report: ReportDto::new(&period.id.to_string(), &agency, report.as_ref()),
        period_detail: PeriodDto::new(&period),
        can_write: user.user.may_write_for(&agency.id),
        events: events.iter().map(ReportEventDto::new).collect(),
        value_history: history.iter().map(ValueChangeDto::new).collect(),
    }))
}

/// The content of a save request, or every problem found.
fn content_of(body: SaveRequest) -> Result<ReportContent, Problem> {
    let mut problems = Vec::new();
    let mut content = ReportContent::default();
    let mut seen = BTreeSet::new();
    for (i, value) in body.values.iter().enumerate() {
        let Some(code) = IndicatorCode::parse(&value.code) else {
            problems.push(format!("values[{i}].code: «{}» không phải mã chỉ tiêu (ví dụ VII.2.1)", value.code));
            continue;
        };
        if !seen.insert(code.clone()) {
            problems.push(format!("values[{i}].code: chỉ tiêu {code} xuất hiện hai lần"));
            continue;
        }
        for (part, number, field) in
            [(Part::Numerator, value.numerator, "numerator"), (Part::Denominator, value.denominator, "denominator")]
        {
            let Some(number) = number else { continue };
            if number.abs() > cchc_documents::form::MAX_COUNT {
                problems.push(format!("values[{i}].{field}: {number} quá lớn"));
                continue;
            }
            content.values.insert((code.clone(), part), number);
        }
    }
    for (key, text) in body.narratives {
        let Some(area) = AreaCode::parse(&key) else {
            problems.push(format!("narratives.{key}: lĩnh vực không hợp lệ (dùng I–VIII)"));
            continue;
        };
        let text = text.unwrap_or_default();
        let text = text.trim();
        if text.chars().count() > MAX_NARRATIVE_CHARS {
            problems.push(format!("narratives.{key}: dài quá {MAX_NARRATIVE_CHARS} ký tự"));
        } else if !text.is_empty() {
            content.narratives.insert(area, cchc_domain::text::normalize_document(text));
        }
    }
    if problems.is_empty() {
        Ok(content)
    } else {
        Err(Problem::invalid(problems))
    }
}

pub async fn save(
    State(state): State<AppState>,
    WriteUser(user): WriteUser,
    ApiPath((raw_period, raw_agency)): ApiPath<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<SaveResultDto>, Problem> {
    let agency = writable_agency(&state, &user, &raw_agency)?;
    let period = period_of(&state, &raw_period).await?;
    let body: SaveRequest = parse_json(&headers, body)?;
    let content = content_of(body)?;
    let saved = state.app.save_report(&user.user, &agency.id, period.id, &content, state.now()).await?;
    Ok(Json(SaveResultDto {
        report: ReportDto::new(&period.id.to_string(), &agency, Some(&saved.report)),
        violations: saved.violations.iter().map(ViolationDto::new).collect(),
    }))
}

pub async fn submit(
    State(state): State<AppState>,
    WriteUser(user): WriteUser,
    ApiPath((raw_period, raw_agency)): ApiPath<(String, String)>,
) -> Result<Json<ReportDto>, Problem> {
    let agency = writable_agency(&state, &user, &raw_agency)?;
    let period = period_of(&state, &raw_period).await?;
    let report = state.app.submit_report(&user.user, &agency.id, period.id, state.now()).await?;
    Ok(Json(ReportDto::new(&period.id.to_string(), &agency, Some(&report))))
}

pub async fn accept(
    State(state): State<AppState>,
    WriteUser(user): WriteUser,
    ApiPath((raw_period, raw_agency)): ApiPath<(String, String)>,
) -> Result<Json<ReportDto>, Problem> {
    user.require_admin()?;
    let agency = agency_of(&state, &raw_agency)?;
    let period = period_of(&state, &raw_period).await?;
    let report = state.app.accept_report(&user.user, &agency.id, period.id, state.now()).await?;
    Ok(Json(ReportDto::new(&period.id.to_string(), &agency, Some(&report))))
}

pub async fn return_report(
    State(state): State<AppState>,
    WriteUser(user): WriteUser,
    ApiPath((raw_period, raw_agency)): ApiPath<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ReportDto>, Problem> {
    user.require_admin()?;
    let agency = agency_of(&state, &raw_agency)?;
    let period = period_of(&state, &raw_period).await?;
    let body: ReturnRequest = parse_json(&headers, body)?;
    let reason = body.reason.unwrap_or_default();
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Problem::invalid(vec!["reason: trả lại báo cáo phải nêu lý do".to_string()]));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Problem::invalid(vec![format!("reason: dài quá {MAX_REASON_CHARS} ký tự")]));
    }
    let report = state.app.return_report(&user.user, &agency.id, period.id, reason, state.now()).await?;
    Ok(Json(ReportDto::new(&period.id.to_string(), &agency, Some(&report))))
}
