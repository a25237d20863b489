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
use utoipa::{IntoParams, ToSchema};

use super::dto::AgencyRefDto;
use super::openapi::{E400, E401, E403, E404, E413, E415, E422};
use super::schema::{
    AdminLevelValue, AgencyIdText, AreaCodeValue, CountValue, DirectionValue, ImportanceValue, IndicatorCodeText,
    IsoDate, NarrativeText, OptionalReason, PartValue, PeriodIdText, RangePositionValue, Reason, ReportEventKindValue,
    ReportStatusValue, ReportingKindValue, RuleOperatorValue, StandingValue, StoredReportStatusValue, ThresholdOpValue,
    VerdictValue, WindowValue,
};
use super::{parse_json, ApiPath, ApiQuery, Problem, WriteUser};
use crate::auth::ApiUser;
use crate::error::WebError;
use crate::pages::reports::{known_agency, period_id, standing_key, status_of, window_label};
use crate::AppState;

// ---------------------------------------------------------------------------------------------
// Wire types. Field names are a contract: add fields, never rename them. Their doc comments are
// the OpenAPI document's descriptions, in Vietnamese (see `super::dto`).

/// Mục tiêu của chỉ tiêu ở một cấp (level = null: mọi cấp).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = IndicatorThreshold)]
pub struct ThresholdDto {
    #[schema(required, value_type = Option<AdminLevelValue>)]
    pub level: Option<&'static str>,
    #[schema(required, value_type = Option<String>)]
    pub level_label: Option<&'static str>,
    #[schema(value_type = ThresholdOpValue)]
    pub op: &'static str,
    pub value: f64,
    /// Cận trên của mục tiêu dạng khoảng (range).
    #[schema(required)]
    pub upper: Option<f64>,
}

/// Chỉ tiêu của kế hoạch: cơ quan báo cáo tử số và mẫu số.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Indicator)]
pub struct IndicatorDto {
    #[schema(example = "VII.2.1")]
    pub code: String,
    pub name: String,
    #[schema(value_type = AreaCodeValue)]
    pub area: &'static str,
    pub area_title: String,
    /// Vị trí (từ 0) của mục tiêu trong phần chỉ tiêu của lĩnh vực.
    pub target: usize,
    /// Định nghĩa tử số.
    pub numerator: String,
    /// Định nghĩa mẫu số.
    pub denominator: String,
    pub unit: String,
    #[schema(value_type = DirectionValue)]
    pub direction: &'static str,
    pub thresholds: Vec<ThresholdDto>,
    /// Loại cơ quan báo cáo chỉ tiêu này.
    #[schema(value_type = Vec<ReportingKindValue>)]
    pub reporters: Vec<&'static str>,
    /// Cơ quan được giao: với loại cơ quan có tên ở đây, chỉ các cơ quan này báo cáo.
    pub agencies: Vec<String>,
    /// Nguồn số liệu: `report` (cơ quan tự báo cáo) hoặc `dossiers` (còn được tính từ hồ sơ TTHC).
    #[schema(example = "dossiers")]
    pub source: &'static str,
    /// Với nguồn `dossiers`: các số đếm hồ sơ cộng lại thành tử số và mẫu số.
    pub dossier_formula: Option<DossierFormulaDto>,
}

/// Công thức tính chỉ tiêu từ hồ sơ TTHC: tổng các số đếm (tên như trong `/api/dossiers/indicators`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DossierFormula)]
pub struct DossierFormulaDto {
    #[schema(example = json!(["resolved_early", "resolved_on_time"]))]
    pub numerator: Vec<&'static str>,
    pub denominator: Vec<&'static str>,
    /// Công thức bằng lời.
    pub text: String,
}

/// Một chỉ tiêu của báo cáo tính từ hồ sơ TTHC của kỳ, bên cạnh số cơ quan báo cáo.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ComputedFigure)]
pub struct ComputedFigureDto {
    pub code: String,
    /// Công thức bằng lời.
    pub formula: String,
    /// Tính từ hồ sơ.
    pub computed: ValuePairDto,
    /// Cơ quan báo cáo (cả tử số và mẫu số), nếu đã báo cáo.
    pub reported: Option<ValuePairDto>,
    /// Số báo cáo khác số tính từ hồ sơ (tử số hoặc mẫu số).
    pub differs: bool,
    /// Kết luận đối chiếu bằng lời.
    pub verdict: String,
}

/// Tử số, mẫu số và tỷ lệ (%, một chữ số thập phân).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ValuePair)]
pub struct ValuePairDto {
    pub numerator: f64,
    pub denominator: f64,
    pub rate: Option<f64>,
}

impl ValuePairDto {
    fn new(r: cchc_domain::reporting::Ratio) -> ValuePairDto {
        ValuePairDto { numerator: r.numerator, denominator: r.denominator, rate: r.rounded().map(|p| p.value()) }
    }
}

impl ComputedFigureDto {
    pub fn new(f: &cchc_domain::reporting::ComputedFigure) -> ComputedFigureDto {
        ComputedFigureDto {
            code: f.code.to_string(),
            formula: f.formula.clone(),
            computed: ValuePairDto::new(f.computed),
            reported: f.reported.map(ValuePairDto::new),
            differs: f.differs(),
            verdict: f.verdict_vn(),
        }
    }
}

impl IndicatorDto {
    pub fn new(i: &cchc_domain::reporting::Indicator, area_title: String) -> IndicatorDto {
        IndicatorDto {
            code: i.code.to_string(),
            name: i.name.clone(),
            area: i.area.as_str(),
            area_title,
            target: i.target,
            numerator: i.numerator.clone(),
            denominator: i.denominator.clone(),
            unit: i.unit.clone(),
            direction: i.direction.as_str(),
            thresholds: i.thresholds.iter().map(ThresholdDto::new).collect(),
            reporters: i.reporters.iter().map(|k| k.as_str()).collect(),
            agencies: i.agencies.iter().map(|(_, id)| id.to_string()).collect(),
            source: if i.dossiers.is_some() { "dossiers" } else { "report" },
            dossier_formula: i.dossiers.as_ref().map(|f| DossierFormulaDto {
                numerator: f.numerator().iter().map(|c| c.as_str()).collect(),
                denominator: f.denominator().iter().map(|c| c.as_str()).collect(),
                text: f.text_vn(),
            }),
        }
    }
}

impl ThresholdDto {
    pub fn new(t: &cchc_domain::reporting::LevelThreshold) -> ThresholdDto {
        ThresholdDto {
            level: t.level.map(|l| l.as_str()),
            level_label: t.level.map(|l| l.label_vn()),
            op: t.op.as_str(),
            value: t.value,
            upper: t.upper,
        }
    }
}

/// Toán hạng: một phần của chỉ tiêu, hoặc một hằng số.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RuleOperand)]
pub struct OperandDto {
    #[schema(required)]
    pub indicator: Option<String>,
    /// Phần của chỉ tiêu (kèm indicator).
    #[schema(required, value_type = Option<PartValue>)]
    pub part: Option<&'static str>,
    #[schema(required)]
    pub constant: Option<f64>,
}

/// Quy tắc kiểm tra: tổng vế trái so với tổng vế phải.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ValidationRule)]
pub struct RuleDto {
    pub id: String,
    pub message: String,
    pub left: Vec<OperandDto>,
    #[schema(value_type = RuleOperatorValue)]
    pub operator: &'static str,
    pub right: Vec<OperandDto>,
    #[schema(value_type = ImportanceValue)]
    pub importance: &'static str,
    /// Bỏ qua quy tắc khi thiếu số liệu.
    pub skip_when_missing: bool,
}

/// Danh mục chỉ tiêu và quy tắc kiểm tra đang áp dụng.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Catalogue)]
pub struct CatalogueDto {
    /// 0: danh mục kèm kế hoạch; khác 0: phiên bản đã sửa.
    pub version: i64,
    pub indicators: Vec<IndicatorDto>,
    pub rules: Vec<RuleDto>,
}

/// Kỳ báo cáo.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReportingPeriod)]
pub struct PeriodDto {
    #[schema(value_type = PeriodIdText)]
    pub id: String,
    pub name: String,
    pub label: String,
    #[schema(value_type = WindowValue)]
    pub window: &'static str,
    #[schema(format = Date)]
    pub data_from: String,
    #[schema(format = Date)]
    pub data_to: String,
    #[schema(format = Date)]
    pub due: String,
    /// Dòng trong văn bản kế hoạch.
    pub line: u32,
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
            line: period.line,
        }
    }
}

/// Tình hình gửi báo cáo của một nhóm cơ quan (kind = null: tất cả). Chỉ báo cáo chờ tiếp nhận
/// và đã tiếp nhận được tính là đã gửi; on_time + late = submitted.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Completeness)]
pub struct CompletenessDto {
    /// Loại cơ quan của nhóm; null: mọi cơ quan phải báo cáo.
    #[schema(required, value_type = Option<ReportingKindValue>)]
    pub kind: Option<&'static str>,
    pub label: String,
    pub expected: usize,
    /// Chưa lập hoặc đang soạn.
    pub not_submitted: usize,
    /// Đã gửi, chờ tiếp nhận.
    pub awaiting: usize,
    /// Bị trả lại, chờ gửi lại (không tính là đã gửi).
    pub returned: usize,
    pub accepted: usize,
    /// awaiting + accepted.
    pub submitted: usize,
    pub on_time: usize,
    pub late: usize,
    /// Như not_submitted (giữ cho tương thích).
    pub missing: usize,
    /// Làm tròn một chữ số thập phân, nửa lên.
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

/// Một cơ quan phải báo cáo và trạng thái báo cáo của nó.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AgencyReportStatus)]
pub struct AgencyStatusDto {
    pub id: String,
    pub name: String,
    #[schema(value_type = ReportingKindValue)]
    pub kind: &'static str,
    #[schema(value_type = ReportStatusValue)]
    pub status: &'static str,
    #[schema(value_type = StandingValue)]
    pub standing: &'static str,
    pub status_label: &'static str,
    /// Lần gửi đầu tiên qua hệ thống.
    #[schema(required, format = Date)]
    pub submitted_on: Option<String>,
    /// Ngày được tính là đã nhận: ngày Sở Nội vụ ghi nhận, nếu không thì lần gửi đầu tiên.
    #[schema(required, format = Date)]
    pub received_on: Option<String>,
    /// Hạn áp dụng (hạn của kỳ, hoặc hạn được gia hạn).
    #[schema(format = Date)]
    pub due: String,
    pub extended: bool,
    pub late: bool,
    #[schema(required)]
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

/// Tình hình báo cáo của một kỳ.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PeriodStatus)]
pub struct PeriodStatusDto {
    pub period: PeriodDto,
    /// Người gọi xem toàn tỉnh (nếu không: một huyện và các xã của huyện).
    pub whole_province: bool,
    pub overall: CompletenessDto,
    pub groups: Vec<CompletenessDto>,
    pub agencies: Vec<AgencyStatusDto>,
}

/// Trả lời của một chỉ tiêu: tử số và mẫu số, hoặc «không áp dụng» kèm lý do.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReportValue)]
pub struct ValueDto {
    pub code: String,
    #[schema(required)]
    pub numerator: Option<f64>,
    #[schema(required)]
    pub denominator: Option<f64>,
    /// Lý do khi chỉ tiêu được trả lời «không áp dụng».
    #[schema(required)]
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

/// Báo cáo của một cơ quan trong một kỳ (status = missing: chưa lập).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Report)]
pub struct ReportDto {
    /// null khi cơ quan chưa lập báo cáo.
    #[schema(required)]
    pub id: Option<i64>,
    pub period: String,
    pub agency: AgencyRefDto,
    #[schema(value_type = ReportStatusValue)]
    pub status: &'static str,
    pub status_label: &'static str,
    /// Số liệu còn sửa được (bản nháp, báo cáo bị trả lại, hoặc chưa lập).
    pub editable: bool,
    #[schema(required, format = Date)]
    pub submitted_on: Option<String>,
    #[schema(required, format = Date)]
    pub received_on: Option<String>,
    /// Lý do Sở Nội vụ ghi khi ghi nhận ngày nhận.
    #[schema(required)]
    pub received_reason: Option<String>,
    /// Hạn áp dụng cho cơ quan.
    #[schema(format = Date)]
    pub due: String,
    pub late: bool,
    #[schema(required)]
    pub returned_reason: Option<String>,
    #[schema(required, format = DateTime)]
    pub updated_at: Option<String>,
    pub values: Vec<ValueDto>,
    /// Thuyết minh theo lĩnh vực (khóa I–VIII).
    #[schema(value_type = BTreeMap<AreaCodeValue, String>)]
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

/// Một bước xử lý của báo cáo.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReportEvent)]
pub struct ReportEventDto {
    #[schema(value_type = ReportEventKindValue)]
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub reason: String,
    #[schema(required)]
    pub user: Option<String>,
    #[schema(format = DateTime)]
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

/// Một lần thay đổi số liệu (cũ → mới).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ValueChange)]
pub struct ValueChangeDto {
    pub indicator: String,
    #[schema(value_type = PartValue)]
    pub part: &'static str,
    #[schema(required)]
    pub old_value: Option<f64>,
    #[schema(required)]
    pub new_value: Option<f64>,
    #[schema(required)]
    pub user: Option<String>,
    #[schema(format = DateTime)]
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

/// Một lần gia hạn (lần sau cùng có hiệu lực).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Extension)]
pub struct ExtensionDto {
    pub agency: String,
    pub period: String,
    #[schema(format = Date)]
    pub until: String,
    pub reason: String,
    #[schema(required)]
    pub user: Option<String>,
    #[schema(format = DateTime)]
    pub at: String,
}

impl ExtensionDto {
    pub fn new(e: &Extension) -> ExtensionDto {
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

/// Trả lời của cơ quan ở một kỳ trước trong năm.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EarlierReport)]
pub struct EarlierDto {
    pub period: String,
    #[schema(value_type = StoredReportStatusValue)]
    pub status: &'static str,
    pub values: Vec<ValueDto>,
}

fn earlier_of(form: &ReportForm) -> Vec<EarlierDto> {
    form.earlier
        .iter()
        .map(|e| EarlierDto { period: e.period.to_string(), status: e.status.as_str(), values: values_of(&e.content) })
        .collect()
}

/// Báo cáo, kỳ, quyền và lịch sử.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReportDetail)]
pub struct ReportDetailDto {
    #[serde(flatten)]
    pub report: ReportDto,
    pub period_detail: PeriodDto,
    /// Người gọi có được lưu và gửi báo cáo này không.
    pub can_write: bool,
    /// Mã các chỉ tiêu trên biểu mẫu của cơ quan, theo thứ tự.
    pub indicators: Vec<String>,
    pub earlier: Vec<EarlierDto>,
    pub extensions: Vec<ExtensionDto>,
    pub events: Vec<ReportEventDto>,
    pub value_history: Vec<ValueChangeDto>,
    /// Các chỉ tiêu tính được từ hồ sơ TTHC đã nhập, bên cạnh số cơ quan báo cáo; `null` khi kỳ
    /// chưa có hồ sơ nào được nhập.
    pub computed: Option<Vec<ComputedFigureDto>>,
}

/// Quy tắc bị vi phạm: error chặn việc gửi, warning chỉ cảnh báo.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Violation)]
pub struct ViolationDto {
    pub rule: String,
    #[schema(value_type = ImportanceValue)]
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

/// Báo cáo đã lưu và các quy tắc bị vi phạm.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SaveReportResult)]
pub struct SaveResultDto {
    pub report: ReportDto,
    pub violations: Vec<ViolationDto>,
}

/// Các báo cáo được tổng hợp.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ResultSources)]
pub struct SourcesDto {
    pub expected: usize,
    pub accepted: usize,
    pub awaiting: usize,
    /// Báo cáo bị trả lại: không tính cho đến khi gửi lại.
    pub returned: usize,
    pub sentence: String,
}

/// Kết quả một chỉ tiêu ở một cấp (level = null: toàn tỉnh).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = IndicatorResult)]
pub struct ResultDto {
    pub indicator: String,
    pub name: String,
    #[schema(value_type = AreaCodeValue)]
    pub area: &'static str,
    #[schema(required, value_type = Option<AdminLevelValue>)]
    pub level: Option<&'static str>,
    pub level_label: &'static str,
    /// Tổng tử số (chính xác).
    pub numerator: f64,
    /// Tổng mẫu số (chính xác).
    pub denominator: f64,
    /// Tử số ÷ mẫu số × 100, làm tròn một chữ số thập phân (nửa lên); null khi chưa có số liệu.
    #[schema(required)]
    pub value: Option<f64>,
    /// Như người đọc: "56,3%".
    #[schema(required)]
    pub value_text: Option<String>,
    #[schema(required)]
    pub threshold: Option<ThresholdDto>,
    /// "≥ 80%", "8–10%".
    #[schema(required)]
    pub threshold_text: Option<String>,
    #[schema(value_type = VerdictValue)]
    pub verdict: &'static str,
    pub verdict_label: &'static str,
    /// Với mục tiêu dạng khoảng: dưới, trong hay trên khoảng.
    #[schema(required, value_type = Option<RangePositionValue>)]
    pub range_position: Option<&'static str>,
    /// Cách đọc mục tiêu dạng khoảng.
    pub reading: String,
    pub reporting_agencies: usize,
    pub not_applicable: usize,
}

/// Kết quả các chỉ tiêu của một kỳ theo cấp.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Results)]
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
                threshold: l.threshold.as_ref().map(ThresholdDto::new),
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

/// Bản nháp đầy đủ: số liệu và thuyết minh không gửi lên sẽ bị xóa. Chỉ trả lời các chỉ tiêu
/// trên biểu mẫu của cơ quan, mỗi chỉ tiêu một lần; thuyết minh cho các lĩnh vực của kế hoạch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SaveReportRequest)]
pub struct SaveRequest {
    #[serde(default)]
    pub values: Vec<ValueRequest>,
    /// Thuyết minh theo lĩnh vực: {"II": "…"}; null hoặc chuỗi rỗng: không có thuyết minh.
    #[serde(default)]
    #[schema(value_type = BTreeMap<AreaCodeValue, NarrativeText>)]
    pub narratives: BTreeMap<String, Option<String>>,
}

/// Trả lời của một chỉ tiêu: tử số và mẫu số, hoặc lý do «không áp dụng» (để trống cả hai số).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ReportValueRequest)]
pub struct ValueRequest {
    #[schema(value_type = IndicatorCodeText)]
    pub code: String,
    #[schema(value_type = Option<CountValue>)]
    pub numerator: Option<f64>,
    #[schema(value_type = Option<CountValue>)]
    pub denominator: Option<f64>,
    /// Lý do «không áp dụng»; null hoặc chuỗi rỗng: không.
    #[schema(value_type = Option<OptionalReason>)]
    pub not_applicable: Option<String>,
}

/// Trả lại báo cáo đã gửi, hoặc mở lại báo cáo đã tiếp nhận.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ReturnReportRequest)]
pub struct ReturnRequest {
    #[schema(required, value_type = Reason)]
    pub reason: Option<String>,
}

/// Ghi nhận ngày nhận báo cáo (giấy, thư điện tử): không sau hôm nay, không trước ngày bắt đầu
/// số liệu của kỳ; cơ quan phải đã có báo cáo trên hệ thống.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptRequest {
    #[schema(value_type = IsoDate)]
    pub date: String,
    #[schema(value_type = Reason)]
    pub reason: String,
}

/// Gia hạn gửi báo cáo cho một cơ quan phải báo cáo.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    /// Hạn mới, sau hạn của kỳ.
    #[schema(value_type = IsoDate)]
    pub until: String,
    #[schema(value_type = Reason)]
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

impl RuleDto {
    pub fn new(rule: &ValidationRule) -> RuleDto {
        rule_dto(rule)
    }
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

#[utoipa::path(
    get, path = "/api/indicators", tag = "reports", operation_id = "listIndicators",
    summary = "Danh mục chỉ tiêu (tử số, mẫu số, mục tiêu theo cấp, cơ quan báo cáo) và quy tắc kiểm tra",
    responses((status = 200, description = "Danh mục", body = CatalogueDto), (status = 401, response = E401)),
)]
pub async fn indicators(State(state): State<AppState>, ApiUser(_): ApiUser) -> Result<Json<CatalogueDto>, Problem> {
    let current = state.app.current().await?;
    let catalogue = state.app.catalogue().await?;
    let area_title = |code: AreaCode| {
        current.plan.area(code).map_or_else(|| code.standard_name_vn().to_string(), |a| a.title.clone())
    };
    Ok(Json(CatalogueDto {
        version: catalogue.version,
        indicators: catalogue.indicators.iter().map(|i| IndicatorDto::new(i, area_title(i.area))).collect(),
        rules: catalogue.rules.iter().map(rule_dto).collect(),
    }))
}

/// The query of `GET /api/reports`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// Mã kỳ báo cáo.
    #[param(required, value_type = PeriodIdText)]
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

#[utoipa::path(
    get, path = "/api/reports", tag = "reports", operation_id = "reportStatus",
    summary = "Tình hình báo cáo của một kỳ: phải báo cáo, chưa gửi, chờ tiếp nhận, bị trả lại, đã tiếp nhận, \
               đúng hạn, trễ hạn theo nhóm và từng cơ quan (quản trị, lãnh đạo; UBND cấp huyện: các xã của huyện)",
    params(StatusQuery),
    responses(
        (status = 200, description = "Tình hình", body = PeriodStatusDto),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 404, response = E404),
        (status = 422, response = E422),
    ),
)]
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

#[utoipa::path(
    get, path = "/api/reports/{period}/results", tag = "reports", operation_id = "reportResults",
    summary = "Kết quả các chỉ tiêu của toàn tỉnh theo cấp (tổng tử số ÷ tổng mẫu số của các báo cáo chờ tiếp nhận \
               và đã tiếp nhận; quản trị, lãnh đạo)",
    params(("period" = PeriodIdText, Path, description = "Mã kỳ báo cáo")),
    responses(
        (status = 200, description = "Kết quả", body = ResultsDto),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 404, response = E404),
    ),
)]
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

fn detail_dto(
    period: &ReportingPeriod,
    detail: &ReportDetail,
    computed: Option<Vec<cchc_domain::reporting::ComputedFigure>>,
) -> ReportDetailDto {
    ReportDetailDto {
        report: ReportDto::new(&period.id.to_string(), &detail.agency, detail.report.as_ref(), detail.form.due),
        period_detail: PeriodDto::new(period),
        can_write: detail.may_write,
        indicators: detail.form.indicators.iter().map(|i| i.code.to_string()).collect(),
        earlier: earlier_of(&detail.form),
        extensions: detail.extensions.iter().map(ExtensionDto::new).collect(),
        events: detail.events.iter().map(ReportEventDto::new).collect(),
        value_history: detail.history.iter().map(ValueChangeDto::new).collect(),
        computed: computed.map(|figures| figures.iter().map(ComputedFigureDto::new).collect()),
    }
}

#[utoipa::path(
    get, path = "/api/reports/{period}/{agency}", tag = "reports", operation_id = "getReport",
    summary = "Báo cáo của một cơ quan trong một kỳ: số liệu, thuyết minh, lịch sử xử lý và lịch sử số liệu",
    params(("period" = PeriodIdText, Path, description = "Mã kỳ báo cáo"), ("agency" = AgencyIdText, Path, description = "Mã cơ quan, ví dụ ubnd-xa-03646")),
    responses(
        (status = 200, description = "Báo cáo", body = ReportDetailDto),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 404, response = E404),
        (status = 422, response = E422),
    ),
)]
pub async fn report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((raw_period, raw_agency)): ApiPath<(String, String)>,
) -> Result<Json<ReportDetailDto>, Problem> {
    let agency = agency_of(&state, &raw_agency)?;
    let period = period_of(&state, &raw_period).await?;
    let detail = state.app.report_detail(&user.user, &agency.id, period.id).await?;
    let computed =
        state.app.computed_figures(&user.user, &detail.form, detail.report.as_ref().map(|r| &r.content)).await?;
    Ok(Json(detail_dto(&period, &detail, computed)))
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

#[utoipa::path(
    put, path = "/api/reports/{period}/{agency}", tag = "reports", operation_id = "saveReport", security(("session" = [], "csrf" = [])),
    summary = "Lưu nháp (thay toàn bộ số liệu và thuyết minh); trả về các quy tắc bị vi phạm",
    params(("period" = PeriodIdText, Path, description = "Mã kỳ báo cáo"), ("agency" = AgencyIdText, Path, description = "Mã cơ quan, ví dụ ubnd-xa-03646")),
    request_body = SaveRequest,
    responses(
        (status = 200, description = "Kết quả", body = SaveResultDto),
        (status = 400, response = E400),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 404, response = E404),
        (status = 413, response = E413),
        (status = 415, response = E415),
        (status = 422, response = E422),
    ),
)]
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

#[utoipa::path(
    post, path = "/api/reports/{period}/{agency}/submit", tag = "reports", operation_id = "submitReport", security(("session" = [], "csrf" = [])),
    summary = "Gửi báo cáo (bị chặn khi còn lỗi; gửi sau hạn bị đánh dấu trễ hạn; hai lần gửi đồng thời chỉ một lần thành công)",
    params(("period" = PeriodIdText, Path, description = "Mã kỳ báo cáo"), ("agency" = AgencyIdText, Path, description = "Mã cơ quan, ví dụ ubnd-xa-03646")),
    responses(
        (status = 200, description = "Kết quả", body = ReportDto),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 404, response = E404),
        (status = 422, response = E422),
    ),
)]
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

#[utoipa::path(
    post, path = "/api/reports/{period}/{agency}/accept", tag = "reports", operation_id = "acceptReport", security(("session" = [], "csrf" = [])),
    summary = "Tiếp nhận báo cáo đã gửi; số liệu bị khóa (chỉ quản trị)",
    params(("period" = PeriodIdText, Path, description = "Mã kỳ báo cáo"), ("agency" = AgencyIdText, Path, description = "Mã cơ quan, ví dụ ubnd-xa-03646")),
    responses(
        (status = 200, description = "Kết quả", body = ReportDto),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 404, response = E404),
        (status = 422, response = E422),
    ),
)]
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

#[utoipa::path(
    post, path = "/api/reports/{period}/{agency}/return", tag = "reports", operation_id = "returnReport", security(("session" = [], "csrf" = [])),
    summary = "Trả lại báo cáo đã gửi, hoặc mở lại báo cáo đã tiếp nhận, kèm lý do (chỉ quản trị)",
    params(("period" = PeriodIdText, Path, description = "Mã kỳ báo cáo"), ("agency" = AgencyIdText, Path, description = "Mã cơ quan, ví dụ ubnd-xa-03646")),
    request_body = ReturnRequest,
    responses(
        (status = 200, description = "Kết quả", body = ReportDto),
        (status = 400, response = E400),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 404, response = E404),
        (status = 415, response = E415),
        (status = 422, response = E422),
    ),
)]
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

#[utoipa::path(
    post, path = "/api/reports/{period}/{agency}/receipt", tag = "reports", operation_id = "recordReportReceipt", security(("session" = [], "csrf" = [])),
    summary = "Ghi nhận ngày nhận báo cáo (báo cáo giấy, thư điện tử) kèm lý do; tính đúng hạn theo ngày này (chỉ quản trị)",
    params(("period" = PeriodIdText, Path, description = "Mã kỳ báo cáo"), ("agency" = AgencyIdText, Path, description = "Mã cơ quan, ví dụ ubnd-xa-03646")),
    request_body = ReceiptRequest,
    responses(
        (status = 200, description = "Kết quả", body = ReportDto),
        (status = 400, response = E400),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 404, response = E404),
        (status = 415, response = E415),
        (status = 422, response = E422),
    ),
)]
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

#[utoipa::path(
    post, path = "/api/reports/{period}/{agency}/extension", tag = "reports", operation_id = "grantReportExtension", security(("session" = [], "csrf" = [])),
    summary = "Gia hạn gửi báo cáo cho một cơ quan, kèm lý do (chỉ quản trị)",
    params(("period" = PeriodIdText, Path, description = "Mã kỳ báo cáo"), ("agency" = AgencyIdText, Path, description = "Mã cơ quan, ví dụ ubnd-xa-03646")),
    request_body = ExtensionRequest,
    responses(
        (status = 200, description = "Kết quả", body = ExtensionDto),
        (status = 400, response = E400),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 404, response = E404),
        (status = 415, response = E415),
        (status = 422, response = E422),
    ),
)]
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
