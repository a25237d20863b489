//! One-stop-shop dossiers (issue 11): the per-agency table of a period with the 766 points
//! (`GET /api/dossiers/indicators`), the late dossiers without an apology letter
//! (`GET /api/dossiers/late`), the wrong appointment dates (`GET /api/dossiers/check-dates`),
//! every signed-in user; and the import of an export (`POST /api/dossiers/import`, Sở Nội vụ,
//! CSRF). The field names are those of `cchc dossiers … --json`. The engine's calls read or
//! write files and count millions of records: they run on the blocking pool.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use cchc_domain::dossier::{Component766, Counts, DayNum, Score766};
use cchc_domain::evaluation::Points;
use cchc_domain::{AdminLevel, AgencyId};
use cchc_services::dossiers::{
    dossier_date, DossierImport, DossierPeriod, DossierTable, LateDossier, WrongAppointment,
};
use cchc_services::{App, DossierFormat, ServiceError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::openapi::{E401, E403, E413, E415, E422};
use super::schema::{AdminLevelValue, AgencyIdText};
use super::{ApiQuery, Problem, WriteUser};
use crate::api::dto::FileLineDto;
use crate::auth::{ApiUser, CurrentUser};
use crate::error::WebError;
use crate::AppState;

/// Largest export accepted, by the API and the upload page (a province's year is a few hundred
/// megabytes of CSV).
pub const MAX_DOSSIER_UPLOAD: usize = 512 * 1024 * 1024;

/// Các số đếm của một cơ quan trong khoảng số liệu của kỳ (xem docs/dossiers.md §2).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = DossierCounts)]
pub struct CountsDto {
    /// Hồ sơ tiếp nhận trong kỳ.
    pub received: u64,
    /// Hồ sơ kỳ trước chuyển sang (tiếp nhận trước kỳ, chưa kết thúc khi kỳ bắt đầu).
    pub carried_over: u64,
    /// Đã giải quyết trước hạn.
    pub resolved_early: u64,
    /// Đã giải quyết đúng hạn.
    pub resolved_on_time: u64,
    /// Đã giải quyết quá hạn.
    pub resolved_late: u64,
    /// Đang giải quyết, còn trong hạn.
    pub in_progress_within: u64,
    /// Đang giải quyết, đã quá hạn.
    pub in_progress_overdue: u64,
    /// Công dân rút hồ sơ trong kỳ.
    pub withdrawn: u64,
    /// Không có ngày hẹn trả (không đồng bộ, không tính được).
    pub no_appointment: u64,
    /// Tiếp nhận trực tuyến (KenhThucHien = 2).
    pub online: u64,
    /// Dịch vụ công trực tuyến toàn trình (LoaiDVCTT = 2).
    pub online_full: u64,
    /// Có phí, lệ phí.
    pub fee_required: u64,
    /// Trong số có phí, lệ phí: thanh toán trực tuyến.
    pub paid_online: u64,
    /// Có thành phần hồ sơ số hóa.
    pub digitized: u64,
    /// Có kết quả điện tử.
    pub electronic_result: u64,
    /// Vừa số hóa thành phần hồ sơ vừa có kết quả điện tử.
    pub digitized_with_result: u64,
    /// Tái sử dụng dữ liệu số hóa.
    pub reused: u64,
    /// Được đánh giá (DanhGia 1–5).
    pub rated: u64,
    /// Đánh giá hài lòng (4–5).
    pub satisfied: u64,
    /// Đã giải quyết, quá hạn hoặc bị đánh giá không hài lòng (1–2).
    pub resolved_late_or_dissatisfied: u64,
    /// Giải quyết quá hạn chưa có văn bản xin lỗi.
    pub late_without_apology: u64,
    /// Ngày hẹn trả sai so với thời hạn luật định.
    pub wrong_appointment: u64,
    /// Ngày hẹn trả kiểm tra được.
    pub appointment_checked: u64,
}

impl From<&Counts> for CountsDto {
    fn from(c: &Counts) -> CountsDto {
        CountsDto {
            received: c.received,
            carried_over: c.carried_over,
            resolved_early: c.resolved_early,
            resolved_on_time: c.resolved_on_time,
            resolved_late: c.resolved_late,
            in_progress_within: c.in_progress_within,
            in_progress_overdue: c.in_progress_overdue,
            withdrawn: c.withdrawn,
            no_appointment: c.no_appointment,
            online: c.online,
            online_full: c.online_full,
            fee_required: c.fee_required,
            paid_online: c.paid_online,
            digitized: c.digitized,
            electronic_result: c.electronic_result,
            digitized_with_result: c.digitized_with_result,
            reused: c.reused,
            rated: c.rated,
            satisfied: c.satisfied,
            resolved_late_or_dissatisfied: c.resolved_late_or_dissatisfied,
            late_without_apology: c.late_without_apology,
            wrong_appointment: c.wrong_appointment,
            appointment_checked: c.appointment_checked,
        }
    }
}

/// Một thành phần của Chỉ số 766 tính từ hồ sơ.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = Dossier766Component)]
pub struct ComponentDto {
    /// Số hiệu chỉ tiêu trong mô tả công thức ("2.1").
    pub code: String,
    /// Nhóm chỉ tiêu.
    pub group: String,
    /// Tên chỉ tiêu.
    pub name: String,
    pub numerator: u64,
    pub denominator: u64,
    /// Tỷ lệ (%), một chữ số thập phân; null khi mẫu số bằng 0.
    #[schema(required)]
    pub rate: Option<f64>,
    /// Tỷ lệ (%) từ đó đạt điểm tối đa.
    pub threshold_percent: u32,
    /// Điểm; null khi mẫu số bằng 0 (không tính vào tổng và điểm tối đa).
    #[schema(required)]
    pub points: Option<f64>,
    pub max_points: f64,
    /// Công thức của chỉ tiêu.
    pub formula: String,
    /// Phép tính cho ra điểm, ví dụ «12,00 = 3/5 × 20 (ngưỡng 100%)».
    pub calculation: String,
}

/// Phần Chỉ số 766 tính từ hồ sơ (60 điểm).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = Dossier766Score)]
pub struct ScoreDto {
    /// Tổng điểm các thành phần có số liệu.
    pub total: f64,
    /// Tổng điểm tối đa các thành phần có số liệu.
    pub max: f64,
    pub components: Vec<ComponentDto>,
}

/// Points with two decimals and a decimal comma: "12,00".
pub fn points2(points: Points) -> String {
    let h = points.hundredths();
    format!("{},{:02}", h / 100, (h % 100).abs())
}

/// How a component's points came out of its numbers, in Vietnamese: "12,00 = 3/5 × 20 (ngưỡng
/// 100%)", "7,20 = 60/200 × 12 ÷ 50% (ngưỡng 50%)", "10,00 = điểm tối đa 10 (45/50 = 90,0% ≥
/// ngưỡng 80%)", or why there are none.
pub fn calculation(c: &Component766) -> String {
    let Some(points) = c.points else {
        return "N/A (mẫu số bằng 0: không tính vào tổng)".to_string();
    };
    let (n, d, threshold, max) = (c.numerator, c.denominator, c.threshold_percent, c.max_points.vn());
    let reached = u128::from(n) * 100 >= u128::from(d) * u128::from(threshold);
    if reached {
        let rate = c.rate.map_or_else(String::new, |r| format!(" = {}%", r.vn()));
        format!("{} = điểm tối đa {max} ({n}/{d}{rate} ≥ ngưỡng {threshold}%)", points2(points))
    } else if threshold == 100 {
        format!("{} = {n}/{d} × {max} (ngưỡng 100%)", points2(points))
    } else {
        format!("{} = {n}/{d} × {max} ÷ {threshold}% (ngưỡng {threshold}%)", points2(points))
    }
}

impl ScoreDto {
    pub fn new(score: &Score766) -> ScoreDto {
        ScoreDto {
            total: score.points.value(),
            max: score.max_points.value(),
            components: score
                .components
                .iter()
                .map(|c| ComponentDto {
                    code: c.code.into(),
                    group: c.group_vn.into(),
                    name: c.name_vn.into(),
                    numerator: c.numerator,
                    denominator: c.denominator,
                    rate: c.rate.map(|r| r.tenths() as f64 / 10.0),
                    threshold_percent: c.threshold_percent,
                    points: c.points.map(Points::value),
                    max_points: c.max_points.value(),
                    formula: c.formula_vn.into(),
                    calculation: calculation(c),
                })
                .collect(),
        }
    }
}

/// Một dòng của bảng: một cơ quan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = DossierRow)]
pub struct RowDto {
    #[schema(value_type = AgencyIdText)]
    pub agency: String,
    pub name: String,
    #[schema(value_type = AdminLevelValue)]
    pub level: String,
    #[serde(flatten)]
    pub counts: CountsDto,
    pub points_766: ScoreDto,
}

/// Mã DonViXuLy có hồ sơ trong kỳ nhưng không có trong danh mục cơ quan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = DossierUnknownAgency)]
pub struct UnknownDto {
    #[serde(rename = "DonViXuLy")]
    pub code: String,
    #[serde(flatten)]
    pub counts: CountsDto,
}

/// Bảng tình hình giải quyết hồ sơ TTHC của một kỳ, theo cơ quan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = DossierTable)]
pub struct TableDto {
    /// Mã kỳ báo cáo (2024S1) hoặc tháng (2024-03).
    pub period: String,
    /// Ngày đầu khoảng số liệu.
    #[schema(format = Date)]
    pub from: String,
    /// Ngày cuối khoảng số liệu.
    #[schema(format = Date)]
    pub to: String,
    pub results: Vec<RowDto>,
    pub unknown_agencies: Vec<UnknownDto>,
}

impl TableDto {
    pub fn new(table: &DossierTable) -> TableDto {
        let DossierPeriod { id, from, to, .. } = &table.period;
        TableDto {
            period: id.clone(),
            from: from.iso(),
            to: to.iso(),
            results: table
                .rows
                .iter()
                .map(|r| RowDto {
                    agency: r.agency.id.to_string(),
                    name: r.agency.name.clone(),
                    level: r.agency.level.as_str().into(),
                    counts: CountsDto::from(&r.counts),
                    points_766: ScoreDto::new(&r.score),
                })
                .collect(),
            unknown_agencies: table
                .unknown
                .iter()
                .map(|(code, c)| UnknownDto { code: code.clone(), counts: CountsDto::from(c) })
                .collect(),
        }
    }
}

fn iso(d: DayNum) -> String {
    dossier_date(d).iso()
}

/// Hồ sơ giải quyết quá hạn trong kỳ chưa có văn bản xin lỗi.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = LateDossier)]
pub struct LateDto {
    #[serde(rename = "MaHoSo")]
    pub ma_ho_so: String,
    /// Cơ quan trong danh mục; null khi mã DonViXuLy không có trong danh mục.
    #[schema(required, value_type = Option<AgencyIdText>)]
    pub agency: Option<String>,
    #[serde(rename = "DonViXuLy")]
    pub don_vi_xu_ly: String,
    /// Ngày tiếp nhận.
    #[schema(format = Date)]
    pub received: String,
    /// Ngày hẹn trả.
    #[schema(required, value_type = Option<String>, format = Date)]
    pub appointment: Option<String>,
    /// Ngày kết thúc xử lý.
    #[schema(required, value_type = Option<String>, format = Date)]
    pub ended: Option<String>,
}

impl LateDto {
    pub fn new(l: &LateDossier) -> LateDto {
        LateDto {
            ma_ho_so: l.id.clone(),
            agency: l.agency.as_ref().map(|a| a.to_string()),
            don_vi_xu_ly: l.code.clone(),
            received: iso(l.received),
            appointment: l.appointment.map(iso),
            ended: l.ended.map(iso),
        }
    }
}

/// Hồ sơ tiếp nhận trong kỳ có ngày hẹn trả sai.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = WrongAppointment)]
pub struct WrongDto {
    #[serde(rename = "MaHoSo")]
    pub ma_ho_so: String,
    /// Cơ quan trong danh mục; null khi mã DonViXuLy không có trong danh mục.
    #[schema(required, value_type = Option<AgencyIdText>)]
    pub agency: Option<String>,
    #[serde(rename = "DonViXuLy")]
    pub don_vi_xu_ly: String,
    /// Ngày tiếp nhận.
    #[schema(format = Date)]
    pub received: String,
    /// Ngày hẹn trả ghi trên hồ sơ (NgayHenTra).
    #[schema(format = Date)]
    pub given: String,
    /// Ngày hẹn trả đúng luật: ngày tiếp nhận cộng ThoiHanGiaiQuyet ngày làm việc.
    #[schema(required, value_type = Option<String>, format = Date)]
    pub legal: Option<String>,
    /// Ngày hẹn trả ghi trên hồ sơ rơi vào ngày nghỉ.
    pub given_on_day_off: bool,
}

impl WrongDto {
    pub fn new(w: &WrongAppointment, app: &App) -> WrongDto {
        WrongDto {
            ma_ho_so: w.id.clone(),
            agency: w.agency.as_ref().map(|a| a.to_string()),
            don_vi_xu_ly: w.code.clone(),
            received: iso(w.received),
            given: iso(w.given),
            legal: w.legal.map(iso),
            given_on_day_off: !app.calendar().is_working_day(dossier_date(w.given)),
        }
    }
}

/// Danh sách hồ sơ quá hạn chưa xin lỗi của một kỳ.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = LateDossierList)]
pub struct LateListDto {
    pub period: String,
    #[schema(format = Date)]
    pub from: String,
    #[schema(format = Date)]
    pub to: String,
    pub results: Vec<LateDto>,
}

impl LateListDto {
    pub fn new(period: &DossierPeriod, late: &[LateDossier]) -> LateListDto {
        let (from, to) = (period.from.iso(), period.to.iso());
        LateListDto { period: period.id.clone(), from, to, results: late.iter().map(LateDto::new).collect() }
    }
}

/// Danh sách hồ sơ có ngày hẹn trả sai của một kỳ.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = WrongAppointmentList)]
pub struct WrongListDto {
    pub period: String,
    #[schema(format = Date)]
    pub from: String,
    #[schema(format = Date)]
    pub to: String,
    pub results: Vec<WrongDto>,
}

impl WrongListDto {
    pub fn new(period: &DossierPeriod, wrong: &[WrongAppointment], app: &App) -> WrongListDto {
        let (from, to) = (period.from.iso(), period.to.iso());
        let results = wrong.iter().map(|w| WrongDto::new(w, app)).collect();
        WrongListDto { period: period.id.clone(), from, to, results }
    }
}

/// Kết quả nhập một tệp hồ sơ.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = DossierImport)]
pub struct ImportDto {
    /// Số dòng dữ liệu đã đọc.
    pub rows: usize,
    /// Hồ sơ mới.
    pub added: usize,
    /// Hồ sơ đã có, được thay bằng nội dung mới.
    pub replaced: usize,
    /// Hồ sơ đã có, không đổi.
    pub unchanged: usize,
    /// Dòng lỗi bị loại (liệt kê trong diagnostics).
    pub quarantined: usize,
    /// Dòng trùng MaHoSo với một dòng trước trong tệp, bị loại.
    pub duplicates: usize,
    /// Số hồ sơ trong kho sau khi nhập.
    pub total: usize,
    /// Mã DonViXuLy không có trong danh mục cơ quan.
    pub unknown_agencies: Vec<String>,
    pub diagnostics: Vec<FileLineDto>,
}

impl ImportDto {
    pub fn new(import: &DossierImport) -> ImportDto {
        let r = &import.report;
        ImportDto {
            rows: import.rows,
            added: r.added,
            replaced: r.replaced,
            unchanged: r.unchanged,
            quarantined: import.quarantined,
            duplicates: import.duplicates,
            total: r.total,
            unknown_agencies: import.unknown_agencies.clone(),
            diagnostics: import.diagnostics.iter().map(FileLineDto::new).collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorsQuery {
    /// Kỳ báo cáo của kế hoạch (2024Q1, 2024S1, 2024Q3, 2024) hoặc tháng (2024-03).
    #[param(required, example = "2024S1")]
    period: Option<String>,
    /// Chỉ một cơ quan.
    #[param(value_type = Option<AgencyIdText>)]
    agency: Option<String>,
    /// Chỉ một cấp: tinh, huyen, xa.
    #[param(value_type = Option<AdminLevelValue>)]
    level: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// Kỳ báo cáo của kế hoạch (2024Q1, 2024S1, 2024Q3, 2024) hoặc tháng (2024-03).
    #[param(required, example = "2024S1")]
    period: Option<String>,
}

/// The period of a query: 422 when missing or unknown.
pub async fn period_of(app: &App, text: Option<&str>) -> Result<DossierPeriod, ServiceError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Err(ServiceError::Invalid(vec![
            "thiếu tham số period (kỳ báo cáo như 2024S1 hoặc tháng như 2024-03)".into()
        ])),
        Some(text) => app.dossier_period(text).await.map_err(|e| match e {
            ServiceError::NotFound(what) => ServiceError::Invalid(vec![format!("không có {what}")]),
            other => other,
        }),
    }
}

/// A level filter (`tinh`, `huyen`, `xa`; empty = every level).
pub fn level_of(text: Option<&str>) -> Result<Option<AdminLevel>, ServiceError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => AdminLevel::parse(t).map(Some).ok_or_else(|| {
            ServiceError::Invalid(vec![format!(
                "cấp «{}» không hợp lệ; dùng tinh, huyen hoặc xa",
                crate::rejection::shorten(t)
            )])
        }),
    }
}

/// An agency filter: an agency of the directory, or empty.
pub fn agency_of(app: &App, text: Option<&str>) -> Result<Option<AgencyId>, ServiceError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => AgencyId::parse(t).filter(|id| app.directory().agency(id).is_some()).map(Some).ok_or_else(|| {
            ServiceError::Invalid(vec![format!("không có cơ quan «{}» trong danh mục", crate::rejection::shorten(t))])
        }),
    }
}

/// Runs `f` on the blocking pool (the engine reads files and counts millions of records).
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, WebError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(WebError::from),
        Err(error) => {
            tracing::error!(%error, "dossier task failed");
            Err(WebError::Internal(error.to_string()))
        }
    }
}

/// The table of a period for `user`, computed on the blocking pool.
pub async fn table(
    state: &AppState,
    user: &CurrentUser,
    period: DossierPeriod,
    agency: Option<AgencyId>,
    level: Option<AdminLevel>,
) -> Result<DossierTable, WebError> {
    let (app, user) = (state.app.clone(), user.user.clone());
    blocking(move || app.dossier_indicators(&user, &period, agency.as_ref(), level)).await
}

/// The late dossiers of a period, from the blocking pool.
pub async fn late(state: &AppState, user: &CurrentUser, period: DossierPeriod) -> Result<Vec<LateDossier>, WebError> {
    let (app, user) = (state.app.clone(), user.user.clone());
    blocking(move || app.late_dossiers(&user, &period)).await
}

/// The wrong appointment dates of a period, from the blocking pool.
pub async fn wrong(
    state: &AppState,
    user: &CurrentUser,
    period: DossierPeriod,
) -> Result<Vec<WrongAppointment>, WebError> {
    let (app, user) = (state.app.clone(), user.user.clone());
    blocking(move || app.wrong_appointments(&user, &period)).await
}

#[utoipa::path(
    get, path = "/api/dossiers/indicators", tag = "dossiers", operation_id = "dossierIndicators",
    summary = "Tình hình giải quyết hồ sơ TTHC của một kỳ theo cơ quan: các số đếm và điểm Chỉ số 766 tính từ hồ sơ, \
               kèm mã DonViXuLy không có trong danh mục",
    params(IndicatorsQuery),
    responses(
        (status = 200, description = "Bảng của kỳ", body = TableDto),
        (status = 401, response = E401),
        (status = 422, response = E422),
    ),
)]
pub async fn indicators(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<IndicatorsQuery>,
) -> Result<Json<TableDto>, Problem> {
    let period = period_of(&state.app, query.period.as_deref()).await?;
    let level = level_of(query.level.as_deref())?;
    let agency = agency_of(&state.app, query.agency.as_deref())?;
    let table = table(&state, &user, period, agency, level).await?;
    Ok(Json(TableDto::new(&table)))
}

#[utoipa::path(
    get, path = "/api/dossiers/late", tag = "dossiers", operation_id = "lateDossiers",
    summary = "Hồ sơ giải quyết quá hạn trong kỳ chưa có văn bản xin lỗi",
    params(PeriodQuery),
    responses(
        (status = 200, description = "Danh sách", body = LateListDto),
        (status = 401, response = E401),
        (status = 422, response = E422),
    ),
)]
pub async fn late_list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Json<LateListDto>, Problem> {
    let period = period_of(&state.app, query.period.as_deref()).await?;
    let rows = late(&state, &user, period.clone()).await?;
    Ok(Json(LateListDto::new(&period, &rows)))
}

#[utoipa::path(
    get, path = "/api/dossiers/check-dates", tag = "dossiers", operation_id = "checkDossierDates",
    summary = "Hồ sơ tiếp nhận trong kỳ có ngày hẹn trả sai: rơi vào ngày nghỉ hoặc khác ngày tiếp nhận cộng thời hạn \
               giải quyết tính theo ngày làm việc",
    params(PeriodQuery),
    responses(
        (status = 200, description = "Danh sách", body = WrongListDto),
        (status = 401, response = E401),
        (status = 422, response = E422),
    ),
)]
pub async fn check_dates(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Json<WrongListDto>, Problem> {
    let period = period_of(&state.app, query.period.as_deref()).await?;
    let rows = wrong(&state, &user, period.clone()).await?;
    Ok(Json(WrongListDto::new(&period, &rows, &state.app)))
}

/// The format of an export from its name (`.csv`, `.jsonl`, `.ndjson`) or, failing that, its
/// media type; a workbook or an archive is named as such.
pub fn format_of(file_name: &str, content_type: &str, bytes: &[u8]) -> Result<DossierFormat, String> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err("tệp là bảng tính Excel hoặc tệp nén, không phải CSV/JSONL; hãy lưu thành CSV (UTF-8)".into());
    }
    let lower = file_name.to_ascii_lowercase();
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if lower.ends_with(".csv") {
        Ok(DossierFormat::Csv)
    } else if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
        Ok(DossierFormat::JsonLines)
    } else if !lower.is_empty() && lower.contains('.') {
        Err(format!("tệp «{}» phải có đuôi .csv, .jsonl hoặc .ndjson", crate::files::clean_file_name(file_name)))
    } else {
        match essence.as_str() {
            "text/csv" => Ok(DossierFormat::Csv),
            "application/jsonl" | "application/x-ndjson" | "application/x-jsonlines" | "application/jsonlines" => {
                Ok(DossierFormat::JsonLines)
            }
            _ => Err("không xác định được định dạng tệp: đặt tên tệp đuôi .csv hoặc .jsonl (tham số file_name), \
                      hoặc gửi Content-Type text/csv hay application/x-ndjson"
                .into()),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Tên tệp; đuôi .csv, .jsonl hoặc .ndjson cho biết định dạng (khi không gửi dạng multipart).
    file_name: Option<String>,
}

fn too_large() -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("tệp quá lớn (tối đa {} MB)", MAX_DOSSIER_UPLOAD / (1024 * 1024)),
    )
}

#[utoipa::path(
    post, path = "/api/dossiers/import", tag = "dossiers", operation_id = "importDossiers",
    summary = "Nhập tệp hồ sơ TTHC (CSV hoặc JSON Lines UTF-8, tối đa 512 MB) vào kho hồ sơ (Sở Nội vụ). Gửi nội dung tệp \
               (định dạng theo file_name hoặc Content-Type) hoặc biểu mẫu multipart có trường file. Tệp sai mã hóa hoặc \
               thiếu cột bị từ chối cả tệp, không nhập gì; dòng lỗi được liệt kê theo số dòng và bị loại; nhập lại cùng \
               tệp không thay đổi gì",
    params(ImportQuery),
    request_body(content = Vec<u8>, description = "Nội dung tệp", content_type = "text/csv"),
    responses(
        (status = 200, description = "Đã nhập", body = ImportDto),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 413, response = E413),
        (status = 415, response = E415),
        (status = 422, response = E422),
    ),
    security(("session" = [], "csrf" = [])),
)]
pub async fn import(
    State(state): State<AppState>,
    WriteUser(user): WriteUser,
    ApiQuery(query): ApiQuery<ImportQuery>,
    request: Request,
) -> Result<Json<ImportDto>, Problem> {
    if !user.user.is_admin() {
        return Err(Problem::from(WebError::Forbidden("chỉ Sở Nội vụ được nhập hồ sơ TTHC".into())));
    }
    let headers: HeaderMap = request.headers().clone();
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let (name, bytes) = if content_type.to_ascii_lowercase().starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|_| Problem::new(StatusCode::BAD_REQUEST, "không đọc được biểu mẫu multipart gửi lên"))?;
        let form = crate::files::read_form_within(&mut multipart, MAX_DOSSIER_UPLOAD).await.map_err(|e| {
            if matches!(e.0, WebError::Invalid(_)) {
                too_large()
            } else {
                Problem::new(StatusCode::BAD_REQUEST, "không đọc được biểu mẫu multipart gửi lên")
            }
        })?;
        if form.too_big.is_some() {
            return Err(too_large());
        }
        let (name, bytes) = form.file.ok_or_else(|| Problem::invalid(vec!["biểu mẫu không có trường file".into()]))?;
        (name, Bytes::from(bytes))
    } else {
        let bytes = Bytes::from_request(request, &state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                Problem::new(StatusCode::BAD_REQUEST, "không đọc được nội dung gửi lên")
            }
        })?;
        (query.file_name.unwrap_or_default(), bytes)
    };
    let format = format_of(&name, &content_type, &bytes)
        .map_err(|reason| Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, format!("{reason}; không nhập gì")))?;
    if bytes.is_empty() {
        return Err(Problem::invalid(vec!["tệp rỗng; không nhập gì".into()]));
    }
    let app = state.app.clone();
    let import = blocking(move || app.import_dossiers_now(&user.user, &bytes, format, &mut |_, _, _| {})).await?;
    Ok(Json(ImportDto::new(&import)))
}
