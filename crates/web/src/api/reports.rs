//! Report endpoints: the indicator catalogue and its rules, where every agency stands for a
//! period, the province's results by level, one agency's report (read, save a draft, submit),
//! and Sở Nội vụ's accept / return / receipt date / extension.
//!
//! Who may read what is decided by the services: a period's overview for Sở Nội vụ, leaders and
//! a district (its communes); the results for Sở Nội vụ and leaders; an agency's report for them
//! and the agency's own officers (others get 404). Writes follow the order of the other
//! endpoints: session (401), CSRF header (403), the caller's right (403), unknown target (404),
//! then the body (400 / 415 / 422). The services check the right again.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use cchc_domain::number::Percent1;
use cchc_domain::reporting::{
    level_label, Completeness, Extension, IndicatorCode, IndicatorResult, Operand, Part, Report, ReportContent,
    ReportEvent, ReportForm, ValidationRule, ValueChange, Violation,
};
use cchc_domain::{Agency, AgencyId, AreaCode, Date, ReportingPeriod};
use cchc_services::reporting::{AgencyStanding, ReportDetail};
use serde::{Deserialize, Serialize};

use super::dto::AgencyRefDto;
use super::{parse_json, ApiPath, ApiQuery, Problem, WriteUser};
use crate::auth::ApiUser;
use crate::error::WebError;
use crate::pages::reports::{known_agency, period_id, standing_key, status_of, window_label};
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
    /// Agencies named in the catalogue: of their kind, only they report it.
    pub agencies: Vec<String>,
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
    /// `quý` or `lũy kế từ đầu năm`.
    pub window: &'static str,
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
            window: window_label(period),
            data_from: period.data_from.iso(),
            data_to: period.data_to.iso(),
            due: period.due.iso(),
        }
    }
}

/// Completeness and timeliness of a group of agencies: only reports awaiting acceptance or
/// accepted count as submitted; `on_time` + `late` = `submitted`.
#[derive(Debug, Serialize)]
pub struct CompletenessDto {
    /// The agency kind of the group; null for every reporting agency.
    pub kind: Option<&'static str>,
    pub label: String,
    pub expected: usize,
    pub not_submitted: usize,
    pub awaiting: usize,
    pub returned: usize,
    pub accepted: usize,
    pub submitted: usize,
    pub on_time: usize,
    pub late: usize,
    /// Same as `not_submitted` (kept for older scripts).
    pub missing: usize,
    /// Rounded once: half away from zero, one decimal.
    pub submitted_percent: f64,
    pub on_time_percent: f64,
}

impl CompletenessDto {
    pub fn new(kind: Option<&'static str>, label: String, c: &Completeness) -> CompletenessDto {
        CompletenessDto {
            kind,
            label,
            expected: c.expected,
            not_submitted: c.not_submitted.len(),
            awaiting: c.awaiting.len(),
            returned: c.returned.len(),
            accepted: c.accepted.len(),
            submitted: c.submitted(),
            on_time: c.on_time.len(),
            late: c.late.len(),
            missing: c.not_submitted.len(),
            submitted_percent: Percent1::share(c.submitted(), c.expected).value(),
            on_time_percent: Percent1::share(c.on_time.len(), c.expected).value(),
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
    /// `not_submitted` | `awaiting` | `returned` | `accepted`.
    pub standing: &'static str,
    pub status_label: &'static str,
    /// First submission through the system.
    pub submitted_on: Option<String>,
    /// The day it counts as received: a date recorded by Sở Nội vụ, else the first submission.
    pub received_on: Option<String>,
    /// The deadline that applies (the period's, or an extension).
    pub due: String,
    pub extended: bool,
    pub late: bool,
    pub returned_reason: Option<String>,
}

impl AgencyStatusDto {
    pub fn new(s: &AgencyStanding) -> AgencyStatusDto {
        let report = s.report.as_deref();
        let (status, status_label, _) = status_of(report);
        AgencyStatusDto {
            id: s.agency.id.to_string(),
            name: s.agency.name.clone(),
            kind: s.agency.kind.as_str(),
            status,
            standing: standing_key(s.standing()),
            status_label,
            submitted_on: report.and_then(|r| r.submitted_on).map(Date::iso),
            received_on: report.and_then(Report::received_on).map(Date::iso),
            due: s.due.iso(),
            extended: s.extension.is_some(),
            late: s.is_late(),
            returned_reason: report
                .filter(|r| r.status == cchc_domain::reporting::ReportStatus::Returned)
                .and_then(|r| r.returned_reason.clone()),
        }
    }
}

/// `GET /api/reports?period=P`.
#[derive(Debug, Serialize)]
pub struct PeriodStatusDto {
    pub period: PeriodDto,
    /// Whether the caller sees the whole province (else a district and its communes).
    pub whole_province: bool,
    pub overall: CompletenessDto,
    pub groups: Vec<CompletenessDto>,
    pub agencies: Vec<AgencyStatusDto>,
}

/// One indicator's answer: both counts, or «không áp dụng» with its reason.
#[derive(Debug, Serialize)]
pub struct ValueDto {
    pub code: String,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// The reason when the indicator was answered «không áp dụng».
    pub not_applicable: Option<String>,
}

fn values_of(content: &ReportContent) -> Vec<ValueDto> {
    let codes: BTreeSet<&IndicatorCode> =
        content.values.keys().map(|(code, _)| code).chain(content.not_applicable.keys()).collect();
    codes
        .into_iter()
        .map(|code| ValueDto {
            code: code.to_string(),
            numerator: content.value(code, Part::Numerator),
            denominator: content.value(code, Part::Denominator),
            not_applicable: content.not_applicable.get(code).cloned(),
        })
        .collect()
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
    pub received_on: Option<String>,
    /// The reason Sở Nội vụ gave with a recorded receipt date.
    pub received_reason: Option<String>,
    /// The deadline that applies to the agency.
    pub due: String,
    pub late: bool,
    pub returned_reason: Option<String>,
    pub updated_at: Option<String>,
    pub values: Vec<ValueDto>,
    /// Narrative per reform area (`"II": "…"`).
    pub narratives: BTreeMap<&'static str, String>,
}

impl ReportDto {
    pub fn new(period: &str, agency: &Agency, report: Option<&Report>, due: Date) -> ReportDto {
        let (status, status_label, _) = status_of(report);
        let content = report.map(|r| &r.content);
        ReportDto {
            id: report.map(|r| r.id),
            period: period.to_string(),
            agency: AgencyRefDto { id: agency.id.to_string(), name: agency.name.clone() },
            status,
            status_label,
            editable: report.is_none_or(|r| r.status.is_editable()),
            submitted_on: report.and_then(|r| r.submitted_on).map(Date::iso),
            received_on: report.and_then(Report::received_on).map(Date::iso),
            received_reason: report.and_then(|r| r.receipt.as_ref()).map(|r| r.reason.clone()),
            due: due.iso(),
            late: report.is_some_and(|r| r.is_late(due)),
            returned_reason: report
                .filter(|r| r.status == cchc_domain::reporting::ReportStatus::Returned)
                .and_then(|r| r.returned_reason.clone())
                .filter(|r| !r.is_empty()),
            updated_at: report.map(|r| r.updated_at.clone()),
            values: content.map(values_of).unwrap_or_default(),
            narratives: content
                .map(|c| c.narratives.iter().map(|(area, text)| (area.as_str(), text.clone())).collect())
                .unwrap_or_default(),
        }
    }
}

/// One step of a report's workflow history.
#[derive(Debug, Serialize)]
pub struct ReportEventDto {
    /// `saved` | `submitted` | `returned` | `accepted` | `reopened` | `received`.
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub reason: String,
    pub user: Option<String>,
    pub at: String,
}

impl ReportEventDto {
    fn new(e: &ReportEvent) -> ReportEventDto {
        ReportEventDto {
            kind: e.kind.as_str(),
            kind_label: e.kind.label_vn(),
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

impl ValueChangeDto {
    fn new(c: &ValueChange) -> ValueChangeDto {
        ValueChangeDto {
            indicator: c.indicator.to_string(),
            part: c.part.as_str(),
            old_value: c.old_value,
            new_value: c.new_value,
            user: c.user.clone(),
            at: c.at.clone(),
        }
    }
}

/// A deadline extension.
#[derive(Debug, Serialize)]
pub struct ExtensionDto {
    pub agency: String,
    pub period: String,
    pub until: String,
    pub reason: String,
    pub user: Option<String>,
    pub at: String,
}

impl ExtensionDto {
    fn new(e: &Extension) -> ExtensionDto {
        ExtensionDto {
            agency: e.agency.to_string(),
            period: e.period.to_string(),
            until: e.until.iso(),
            reason: e.reason.clone(),
            user: e.user.clone(),
            at: e.at.clone(),
        }
    }
}

/// The agency's answers of an earlier period of the year.
#[derive(Debug, Serialize)]
pub struct EarlierDto {
    pub period: String,
    pub status: &'static str,
    pub values: Vec<ValueDto>,
}

fn earlier_of(form: &ReportForm) -> Vec<EarlierDto> {
    form.earlier
        .iter()
        .map(|e| EarlierDto { period: e.period.to_string(), status: e.status.as_str(), values: values_of(&e.content) })
        .collect()
}

/// `GET /api/reports/{period}/{agency}`.
#[derive(Debug, Serialize)]
pub struct ReportDetailDto {
    #[serde(flatten)]
    pub report: ReportDto,
    pub period_detail: PeriodDto,
    /// Whether the caller may save and submit it.
    pub can_write: bool,
    /// The codes of the indicators on the agency's form, in order.
    pub indicators: Vec<String>,
    pub earlier: Vec<EarlierDto>,
    pub extensions: Vec<ExtensionDto>,
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
            importance: v.importance.as_str(),
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

/// Which reports the results come from.
#[derive(Debug, Serialize)]
pub struct SourcesDto {
    pub expected: usize,
    pub accepted: usize,
    pub awaiting: usize,
    /// Returned reports, left out until sent again.
    pub returned: usize,
    pub sentence: String,
}

/// One indicator at one level.
#[derive(Debug, Serialize)]
pub struct ResultDto {
    pub indicator: String,
    pub name: String,
    pub area: &'static str,
    /// `tinh` | `huyen` | `xa`, or null for the whole province.
    pub level: Option<&'static str>,
    pub level_label: &'static str,
    /// Σ numerators (exact).
    pub numerator: f64,
    /// Σ denominators (exact).
    pub denominator: f64,
    /// Σn ÷ Σd in percent, rounded half away from zero to one decimal; null without data.
    pub value: Option<f64>,
    /// The same as people read it: "56,3%".
    pub value_text: Option<String>,
    pub threshold: Option<ThresholdDto>,
    /// "≥ 80%", "8–10%".
    pub threshold_text: Option<String>,
    /// `met` | `not_met` | `no_data` | `no_target`.
    pub verdict: &'static str,
    pub verdict_label: &'static str,
    /// For a range target: `below` | `within` | `above`.
    pub range_position: Option<&'static str>,
    /// How a range target was read.
    pub reading: String,
    pub reporting_agencies: usize,
    pub not_applicable: usize,
}

/// `GET /api/reports/{period}/results`.
#[derive(Debug, Serialize)]
pub struct ResultsDto {
    pub period: PeriodDto,
    pub sources: SourcesDto,
    pub results: Vec<ResultDto>,
}

/// The results as rows (shared with the CLI's `report results --json`).
pub fn result_rows(results: &[IndicatorResult]) -> Vec<ResultDto> {
    results
        .iter()
        .flat_map(|r| {
            r.levels.iter().map(move |l| ResultDto {
                indicator: r.code.to_string(),
                name: r.name.clone(),
                area: r.area.as_str(),
                level: l.level.map(|level| level.as_str()),
                level_label: level_label(l.level),
                numerator: l.numerator,
                denominator: l.denominator,
                value: l.value.map(Percent1::value),
                value_text: l.value.map(|v| v.to_string()),
                threshold: l.threshold.as_ref().map(|t| ThresholdDto {
                    level: t.level.map(|level| level.as_str()),
                    level_label: t.level.map(|level| level.label_vn()),
                    op: t.op.as_str(),
                    value: t.value,
                    upper: t.upper,
                }),
                threshold_text: l.target.clone(),
                verdict: l.assessment.attainment.as_str(),
                verdict_label: l.assessment.label_vn(),
                range_position: l.assessment.position.map(|p| p.as_str()),
                reading: l.reading(&r.unit),
                reporting_agencies: l.reporting_agencies,
                not_applicable: l.not_applicable,
            })
        })
        .collect()
}

/// `PUT /api/reports/{period}/{agency}` body: the whole draft (answers and narratives left out
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
    /// The reason, to answer «không áp dụng» (leave both counts null).
    pub not_applicable: Option<String>,
}

/// `POST /api/reports/{period}/{agency}/return` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    pub reason: Option<String>,
}

/// `POST /api/reports/{period}/{agency}/receipt` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptRequest {
    /// `yyyy-mm-dd` or `dd/mm/yyyy`.
    pub date: String,
    pub reason: String,
}

/// `POST /api/reports/{period}/{agency}/extension` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    /// The new deadline, `yyyy-mm-dd` or `dd/mm/yyyy`.
    pub until: String,
    pub reason: String,
}

fn operands(list: &[Operand]) -> Vec<OperandDto> {
    list.iter()
        .map(|o| match o {
            Operand::Value(code, part) => {
                OperandDto { indicator: Some(code.to_string()), part: Some(part.as_str()), constant: None }
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
        operator: rule.operator.as_str(),
        right: operands(&rule.right),
        importance: rule.importance.as_str(),
        skip_when_missing: rule.skip_when_missing,
    }
}

// ---------------------------------------------------------------------------------------------
// Targets.

fn not_found(what: String) -> Problem {
    Problem::from(WebError::NotFound(what))
}

async fn period_of(state: &AppState, raw: &str) -> Result<ReportingPeriod, Problem> {
    let id = period_id(raw).ok_or_else(|| not_found(format!("kỳ báo cáo «{raw}» (ví dụ 2024Q1, 2024S1, 2024)")))?;
    Ok(state.app.reporting_period(id).await?)
}

fn agency_of(state: &AppState, raw: &str) -> Result<Agency, Problem> {
    known_agency(state, raw).ok_or_else(|| not_found(format!("cơ quan «{raw}»")))
}

/// The agency a write targets, after the caller's right to write for it (403 before 404).
fn writable_agency(state: &AppState, user: &crate::auth::CurrentUser, raw: &str) -> Result<Agency, Problem> {
    let id = AgencyId::parse(raw.trim()).ok_or_else(|| not_found(format!("cơ quan «{raw}»")))?;
    if !user.user.may_write_for(&id) {
        return Err(Problem::from(WebError::Forbidden(format!(
            "tài khoản «{}» không được lập báo cáo của {}",
            user.user.username,
            state.app.agency_name(&id)
        ))));
    }
    agency_of(state, raw)
}

fn date_field(field: &str, text: &str) -> Result<Date, Problem> {
    Date::parse(text.trim()).map_err(|e| Problem::invalid(vec![format!("{field}: {e}")]))
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
                direction: i.direction.as_str(),
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
                agencies: i.agencies.iter().map(|(_, id)| id.to_string()).collect(),
            })
            .collect(),
        rules: catalogue.rules.iter().map(rule_dto).collect(),
    }))
}

#[derive(Debug, Deserialize)]
pub struct StatusQuery {
    period: Option<String>,
}

fn period_query(raw: Option<&str>) -> Result<&str, Problem> {
    let raw = raw.map(str::trim).filter(|p| !p.is_empty()).ok_or_else(|| {
        Problem::invalid(vec!["period: cần mã kỳ báo cáo (ví dụ 2024Q1, 2024S1, 2024Q3, 2024)".to_string()])
    })?;
    if period_id(raw).is_none() {
        return Err(Problem::invalid(vec![format!(
            "period: «{raw}» không phải mã kỳ báo cáo (ví dụ 2024Q1, 2024S1, 2024Q3, 2024)"
        )]));
    }
    Ok(raw)
}

pub async fn period_status(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<StatusQuery>,
) -> Result<Json<PeriodStatusDto>, Problem> {
    let raw = period_query(query.period.as_deref())?;
    let period = period_of(&state, raw).await?;
    let status = state.app.report_status(&user.user, period.id).await?;
    Ok(Json(PeriodStatusDto {
        period: PeriodDto::new(&status.period),
        whole_province: status.whole_province,
        overall: CompletenessDto::new(None, "Tất cả".to_string(), &status.overall),
        groups: status
            .groups
            .iter()
            .map(|g| CompletenessDto::new(Some(g.kind.as_str()), g.label.clone(), &g.completeness))
            .collect(),
        agencies: status.agencies.iter().map(AgencyStatusDto::new).collect(),
    }))
}

pub async fn results(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(raw_period): ApiPath<String>,
) -> Result<Json<ResultsDto>, Problem> {
    let period = period_of(&state, &raw_period).await?;
    let (period, data) = state.app.report_results(&user.user, period.id).await?;
    let (sources, results) = (&data.sources, &data.results);
    Ok(Json(ResultsDto {
        period: PeriodDto::new(&period),
        sources: SourcesDto {
            expected: sources.expected,
            accepted: sources.accepted,
            awaiting: sources.awaiting,
            returned: sources.returned,
            sentence: sources.sentence_vn(),
        },
        results: result_rows(results),
    }))
}

fn detail_dto(period: &ReportingPeriod, detail: &ReportDetail) -> ReportDetailDto {
    ReportDetailDto {
        report: ReportDto::new(&period.id.to_string(), &detail.agency, detail.report.as_ref(), detail.form.due),
        period_detail: PeriodDto::new(period),
        can_write: detail.may_write,
        indicators: detail.form.indicators.iter().map(|i| i.code.to_string()).collect(),
        earlier: earlier_of(&detail.form),
        extensions: detail.extensions.iter().map(ExtensionDto::new).collect(),
        events: detail.events.iter().map(ReportEventDto::new).collect(),
        value_history: detail.history.iter().map(ValueChangeDto::new).collect(),
    }
}

pub async fn report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((raw_period, raw_agency)): ApiPath<(String, String)>,
) -> Result<Json<ReportDetailDto>, Problem> {
    let agency = agency_of(&state, &raw_agency)?;
    let period = period_of(&state, &raw_period).await?;
    let detail = state.app.report_detail(&user.user, &agency.id, period.id).await?;
    Ok(Json(detail_dto(&period, &detail)))
}

/// The content of a save request, or every problem found. Text limits are the services'.
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
        for (part, number) in [(Part::Numerator, value.numerator), (Part::Denominator, value.denominator)] {
            if let Some(number) = number {
                content.values.insert((code.clone(), part), number);
            }
        }
        if let Some(reason) = value.not_applicable.as_deref().filter(|r| !r.trim().is_empty()) {
            content.not_applicable.insert(code.clone(), reason.to_string());
        }
    }
    for (key, text) in body.narratives {
        let Some(area) = AreaCode::parse(&key) else {
            problems.push(format!("narratives.{key}: lĩnh vực không hợp lệ (dùng I–VIII)"));
            continue;
        };
        if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
            content.narratives.insert(area, text);
        }
    }
    if problems.is_empty() {
        Ok(content)
    } else {
        Err(Problem::invalid(problems))
    }
}

async fn due_of(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    agency: &Agency,
    period: &ReportingPeriod,
) -> Result<Date, Problem> {
    Ok(state.app.report_detail(&user.user, &agency.id, period.id).await?.form.due)
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
    let due = due_of(&state, &user, &agency, &period).await?;
    Ok(Json(SaveResultDto {
        report: ReportDto::new(&period.id.to_string(), &agency, Some(&saved.report), due),
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
    let due = due_of(&state, &user, &agency, &period).await?;
    Ok(Json(ReportDto::new(&period.id.to_string(), &agency, Some(&report), due)))
}

/// The target of Sở Nội vụ's write: administrators only (403), then a known agency and period.
async fn review_target(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    raw_period: &str,
    raw_agency: &str,
) -> Result<(Agency, ReportingPeriod), Problem> {
    user.require_admin()?;
    Ok((agency_of(state, raw_agency)?, period_of(state, raw_period).await?))
}

pub async fn accept(
    State(state): State<AppState>,
    WriteUser(user): WriteUser,
    ApiPath((raw_period, raw_agency)): ApiPath<(String, String)>,
) -> Result<Json<ReportDto>, Problem> {
    let (agency, period) = review_target(&state, &user, &raw_period, &raw_agency).await?;
    let report = state.app.accept_report(&user.user, &agency.id, period.id, state.now()).await?;
    let due = due_of(&state, &user, &agency, &period).await?;
    Ok(Json(ReportDto::new(&period.id.to_string(), &agency, Some(&report), due)))
}

pub async fn return_report(
    State(state): State<AppState>,
    WriteUser(user): WriteUser,
    ApiPath((raw_period, raw_agency)): ApiPath<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ReportDto>, Problem> {
    let (agency, period) = review_target(&state, &user, &raw_period, &raw_agency).await?;
    let body: ReturnRequest = parse_json(&headers, body)?;
    let reason = body.reason.unwrap_or_default();
    let report = state.app.return_report(&user.user, &agency.id, period.id, &reason, state.now()).await?;
    let due = due_of(&state, &user, &agency, &period).await?;
    Ok(Json(ReportDto::new(&period.id.to_string(), &agency, Some(&report), due)))
}

pub async fn receipt(
    State(state): State<AppState>,
    WriteUser(user): WriteUser,
    ApiPath((raw_period, raw_agency)): ApiPath<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ReportDto>, Problem> {
    let (agency, period) = review_target(&state, &user, &raw_period, &raw_agency).await?;
    let body: ReceiptRequest = parse_json(&headers, body)?;
    let date = date_field("date", &body.date)?;
    let report = state.app.record_receipt(&user.user, &agency.id, period.id, date, &body.reason, state.now()).await?;
    let due = due_of(&state, &user, &agency, &period).await?;
    Ok(Json(ReportDto::new(&period.id.to_string(), &agency, Some(&report), due)))
}

pub async fn extension(
    State(state): State<AppState>,
    WriteUser(user): WriteUser,
    ApiPath((raw_period, raw_agency)): ApiPath<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ExtensionDto>, Problem> {
    let (agency, period) = review_target(&state, &user, &raw_period, &raw_agency).await?;
    let body: ExtensionRequest = parse_json(&headers, body)?;
    let until = date_field("until", &body.until)?;
    let granted =
        state.app.grant_extension(&user.user, &agency.id, period.id, until, &body.reason, state.now()).await?;
    Ok(Json(ExtensionDto::new(&granted)))
}
