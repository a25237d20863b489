//! SIPAS endpoints: the satisfaction index of a year (`GET /api/evaluation/sipas?year=Y`, any
//! logged-in user) and the import of a survey file (`POST /api/evaluation/sipas/import?year=Y`,
//! administrators, the file as the raw body). The wire types are also the CLI's `--json` answers.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use cchc_domain::number::Percent1;
use cchc_domain::sipas::{AgencyResult, Share, SipasIndex};
use cchc_domain::AgencyDirectory;
use cchc_services::survey::SurveyImport;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::openapi::{E401, E403, E413, E415, E422};
use super::schema::AgencyIdText;
use super::{ApiQuery, Problem, WriteUser};
use crate::api::dto::FileLineDto;
use crate::auth::ApiUser;
use crate::AppState;

/// Largest survey file accepted by the API (as the services: 10 MB).
pub const MAX_SURVEY_UPLOAD: usize = crate::MAX_UPLOAD_BYTES;

/// Tỷ lệ hài lòng và khoảng tin cậy 95% (Wilson), tính bằng phần trăm làm tròn một chữ số thập
/// phân.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[schema(as = SipasShare)]
pub struct ShareDto {
    /// Tỷ lệ (%).
    pub share: f64,
    /// Cận dưới (%).
    pub low: f64,
    /// Cận trên (%).
    pub high: f64,
}

impl ShareDto {
    fn new(share: Share) -> ShareDto {
        let percent = |v: f64| Percent1::of(v * 100.0).map_or(0.0, Percent1::value);
        ShareDto { share: percent(share.share), low: percent(share.low), high: percent(share.high) }
    }
}

/// Một yếu tố của một cơ quan (hoặc toàn tỉnh).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = SipasElementResult)]
pub struct ElementDto {
    /// Mã yếu tố: access | procedure | civil_servants | result | feedback.
    pub element: String,
    /// Tên yếu tố.
    pub label: String,
    /// Số câu trả lời (cỡ mẫu).
    pub answers: u64,
    /// Số câu trả lời «Hài lòng» hoặc «Rất hài lòng».
    pub satisfied: u64,
    /// Tỷ lệ hài lòng (%); null khi không có câu trả lời.
    #[schema(required)]
    pub share: Option<f64>,
    /// Cận dưới khoảng tin cậy 95% (%).
    #[schema(required)]
    pub low: Option<f64>,
    /// Cận trên khoảng tin cậy 95% (%).
    #[schema(required)]
    pub high: Option<f64>,
}

/// Chỉ số hài lòng của một cơ quan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = SipasAgency)]
pub struct AgencyDto {
    #[schema(value_type = AgencyIdText)]
    pub agency: String,
    pub name: String,
    /// Số phiếu được tính.
    pub responses: u64,
    /// Bình quân gia quyền tỷ lệ hài lòng của các yếu tố; null khi không có câu trả lời.
    #[schema(required)]
    pub overall: Option<ShareDto>,
    /// Năm yếu tố, theo thứ tự.
    pub elements: Vec<ElementDto>,
}

/// Toàn tỉnh: câu trả lời của mọi cơ quan gộp theo yếu tố.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = SipasProvince)]
pub struct ProvinceDto {
    pub responses: u64,
    #[schema(required)]
    pub overall: Option<ShareDto>,
    pub elements: Vec<ElementDto>,
}

/// Chỉ số SIPAS của một năm.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = SipasIndex)]
pub struct SipasDto {
    pub year: i32,
    pub agencies: Vec<AgencyDto>,
    pub province: ProvinceDto,
}

fn elements(result: &AgencyResult) -> Vec<ElementDto> {
    result
        .elements
        .iter()
        .map(|e| {
            let share = e.share.map(ShareDto::new);
            ElementDto {
                element: e.element.as_str().into(),
                label: e.element.label_vn().into(),
                answers: e.answers,
                satisfied: e.satisfied,
                share: e.share.and_then(|_| Percent1::ratio(e.satisfied as f64, e.answers as f64)).map(Percent1::value),
                low: share.map(|s| s.low),
                high: share.map(|s| s.high),
            }
        })
        .collect()
}

impl SipasDto {
    /// The wire form of an index; agency names from `directory` (the survey year's).
    pub fn new(year: i32, index: &SipasIndex, directory: &AgencyDirectory) -> SipasDto {
        let agencies = index
            .agencies
            .iter()
            .filter_map(|a| {
                let id = a.agency.as_ref()?;
                Some(AgencyDto {
                    agency: id.to_string(),
                    name: directory.agency(id).map_or_else(|| id.to_string(), |agency| agency.name.clone()),
                    responses: a.responses,
                    overall: a.overall.map(ShareDto::new),
                    elements: elements(a),
                })
            })
            .collect();
        let province = ProvinceDto {
            responses: index.province.responses,
            overall: index.province.overall.map(ShareDto::new),
            elements: elements(&index.province),
        };
        SipasDto { year, agencies, province }
    }
}

/// Kết quả nhập một tệp phiếu khảo sát.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = SurveyImport)]
pub struct SurveyImportDto {
    pub year: i32,
    pub file_name: String,
    /// Số phiếu được lưu và tính.
    pub accepted: usize,
    /// Các dòng không được tính (không hợp lệ, ngoài thang, cơ quan không xác định, trùng).
    pub excluded: Vec<FileLineDto>,
    /// Các cột bị bỏ qua.
    pub warnings: Vec<FileLineDto>,
}

impl SurveyImportDto {
    pub fn new(import: &SurveyImport) -> SurveyImportDto {
        SurveyImportDto {
            year: import.year,
            file_name: import.file_name.clone(),
            accepted: import.accepted,
            excluded: import.excluded.iter().map(FileLineDto::new).collect(),
            warnings: import.warnings.iter().map(FileLineDto::new).collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Năm khảo sát.
    #[param(required, minimum = 2015, maximum = 2100)]
    year: Option<i32>,
}

fn year_of(year: Option<i32>) -> Result<i32, Problem> {
    year.ok_or_else(|| Problem::invalid(vec!["thiếu tham số year (năm khảo sát)".into()]))
}

#[utoipa::path(
    get, path = "/api/evaluation/sipas", tag = "evaluation", operation_id = "sipasIndex",
    summary = "Chỉ số hài lòng (SIPAS) của một năm: tỷ lệ hài lòng theo cơ quan và yếu tố, cỡ mẫu, khoảng tin cậy 95% (Wilson)",
    params(YearQuery),
    responses(
        (status = 200, description = "Chỉ số", body = SipasDto),
        (status = 401, response = E401),
        (status = 422, response = E422),
    ),
)]
pub async fn index(
    State(state): State<AppState>,
    ApiUser(_): ApiUser,
    ApiQuery(query): ApiQuery<YearQuery>,
) -> Result<Json<SipasDto>, Problem> {
    let year = year_of(query.year)?;
    let index = state.app.sipas_index(year).await?;
    Ok(Json(SipasDto::new(year, &index, &state.app.survey_directory(year))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Năm khảo sát.
    #[param(required, minimum = 2015, maximum = 2100)]
    year: Option<i32>,
    /// Tên tệp (để ghi nhận).
    file_name: Option<String>,
}

#[utoipa::path(
    post, path = "/api/evaluation/sipas/import", tag = "evaluation", operation_id = "importSurvey",
    summary = "Nhập tệp phiếu khảo sát (CSV UTF-8 hoặc XLSX, tối đa 10 MB) của một năm (quản trị). Tệp không dùng được \
               bị từ chối cả tệp; các dòng không hợp lệ, ngoài thang, trùng được liệt kê và không được tính",
    params(ImportQuery),
    request_body(content = Vec<u8>, description = "Nội dung tệp", content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "Đã nhập", body = SurveyImportDto),
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
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<SurveyImportDto>, Problem> {
    if !user.user.is_admin() {
        return Err(Problem::from(crate::error::WebError::Forbidden(
            "chỉ quản trị viên (Sở Nội vụ) được nhập phiếu khảo sát".into(),
        )));
    }
    let year = year_of(query.year)?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !matches!(
        essence.as_str(),
        "application/octet-stream" | "text/csv" | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ) {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "tệp gửi lên phải là CSV (text/csv) hoặc Excel .xlsx (application/octet-stream)",
        ));
    }
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "tệp quá lớn (tối đa 10 MB)")
        } else {
            Problem::new(StatusCode::BAD_REQUEST, "không đọc được nội dung gửi lên")
        }
    })?;
    let name = query.file_name.as_deref().unwrap_or("tệp tải lên");
    let import = state.app.import_survey(&user.user, year, name, &bytes, state.now()).await?;
    Ok(Json(SurveyImportDto::new(&import)))
}
