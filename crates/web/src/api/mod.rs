//! The JSON API under `/api`: session, accounts, agencies, assignments with milestones, progress,
//! events, dashboard, activities, reports, and the OpenAPI document that describes them
//! (`/api/openapi.json`).
//!
//! Every answer is JSON. Errors are `{"error": "...", "details": [...]}` with a Vietnamese
//! message, including the ones axum would answer in plain text (malformed JSON, unknown route,
//! wrong method, oversize body). Wire types live in [`dto`]; their field names are a contract
//! scripts rely on: add fields, never rename them.
//!
//! Order of checks on a write: session (401), CSRF header (403), the caller's right to write the
//! target (403, checked here against the stored milestone and again in the services), unknown
//! target (404), then the body (400 / 415 / 422).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::Router;
use cchc_domain::tracking::MilestoneId;
use cchc_domain::Date;
use serde::de::DeserializeOwned;

use crate::auth::{ApiUser, CurrentUser, CSRF_HEADER};
use crate::error::{ApiError, WebError};
use crate::AppState;

/// Accounts: list, create, deactivate / reactivate, reset a password; change one's own.
mod accounts;
/// One-stop-shop dossiers: the table of a period with the 766 points, late dossiers, wrong
/// appointment dates, imports.
pub mod dossiers;
/// Wire types (DTOs) of the API.
pub mod dto;
/// The PAR Index scores.
pub mod evaluation;
/// Inspection planning: the proposed plan of a year for a seed.
pub mod inspection;
/// The OpenAPI 3.1 document, generated from the handlers and the wire types.
pub mod openapi;
/// The year-end task-completion rating (also the wire form of `cchc rating --json`).
pub mod rating;
/// Read endpoints: agencies, activities, assignments, milestones, dashboard.
mod read;
/// Periodic reports: indicator catalogue, period status, an agency's report and its workflow.
pub mod reports;
/// Schemas of machine values and of what clients may send, shared by the wire types.
pub mod schema;
/// Login, logout, who am I.
mod session;
/// SIPAS: the satisfaction index of a year, survey file imports.
pub mod sipas;
/// Write endpoints: progress on a milestone, events of an activity.
mod write;

/// Every route of the API as `(method, path)` with the path as OpenAPI writes it (the router
/// nests these under `/api`). The OpenAPI document and its test are checked against this list.
pub const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/session"),
    ("get", "/api/session"),
    ("delete", "/api/session"),
    ("get", "/api/agencies"),
    ("get", "/api/activities"),
    ("post", "/api/activities/{activity_id}/events"),
    ("get", "/api/assignments"),
    ("get", "/api/milestones/{id}"),
    ("post", "/api/milestones/{id}/progress"),
    ("get", "/api/dashboard"),
    ("get", "/api/indicators"),
    ("get", "/api/reports"),
    ("get", "/api/reports/{period}/results"),
    ("get", "/api/reports/{period}/{agency}"),
    ("put", "/api/reports/{period}/{agency}"),
    ("post", "/api/reports/{period}/{agency}/submit"),
    ("post", "/api/reports/{period}/{agency}/accept"),
    ("post", "/api/reports/{period}/{agency}/return"),
    ("post", "/api/reports/{period}/{agency}/receipt"),
    ("post", "/api/reports/{period}/{agency}/extension"),
    ("get", "/api/evaluation/rating"),
    ("get", "/api/users"),
    ("post", "/api/users"),
    ("patch", "/api/users/{username}"),
    ("put", "/api/me/password"),
    ("get", "/api/evaluation/score"),
    ("get", "/api/evaluation/sipas"),
    ("post", "/api/evaluation/sipas/import"),
    ("get", "/api/evaluation/inspections"),
    ("get", "/api/evaluation/inspections/plan"),
    ("get", "/api/dossiers/indicators"),
    ("get", "/api/dossiers/late"),
    ("get", "/api/dossiers/check-dates"),
    ("post", "/api/dossiers/import"),
    ("get", "/api/openapi.json"),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/session", post(session::login).get(session::current).delete(session::logout))
        .route("/agencies", get(read::agencies))
        .route("/activities", get(read::activities))
        .route("/activities/{activity_id}/events", post(write::record_event))
        .route("/assignments", get(read::assignments))
        .route("/milestones/{id}", get(read::milestone))
        .route("/milestones/{id}/progress", post(write::record_progress))
        .route("/dashboard", get(read::dashboard))
        .route("/indicators", get(reports::indicators))
        .route("/reports", get(reports::period_status))
        .route("/reports/{period}/results", get(reports::results))
        .route("/reports/{period}/{agency}", get(reports::report).put(reports::save))
        .route("/reports/{period}/{agency}/submit", post(reports::submit))
        .route("/reports/{period}/{agency}/accept", post(reports::accept))
        .route("/reports/{period}/{agency}/return", post(reports::return_report))
        .route("/reports/{period}/{agency}/receipt", post(reports::receipt))
        .route("/reports/{period}/{agency}/extension", post(reports::extension))
        .route("/evaluation/score", get(evaluation::score))
        .route("/evaluation/rating", get(rating::rating))
        .route("/users", get(accounts::list).post(accounts::create))
        .route("/users/{username}", patch(accounts::update))
        .route("/me/password", put(accounts::change_password))
        .route("/evaluation/sipas", get(sipas::index))
        .route("/evaluation/sipas/import", post(sipas::import))
        .route("/evaluation/inspections", get(inspection::list))
        .route("/evaluation/inspections/plan", get(inspection::plan))
        .route("/dossiers/indicators", get(dossiers::indicators))
        .route("/dossiers/late", get(dossiers::late_list))
        .route("/dossiers/check-dates", get(dossiers::check_dates))
        .route(
            "/dossiers/import",
            post(dossiers::import)
                .layer(axum::extract::DefaultBodyLimit::max(dossiers::MAX_DOSSIER_UPLOAD + 64 * 1024)),
        )
        .route("/openapi.json", get(openapi::serve))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::map_response(no_store))
}

/// API answers carry personal data (names, comments): never cached by the browser or proxies.
async fn no_store(mut response: Response) -> Response {
    response.headers_mut().entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}

async fn not_found() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "không có địa chỉ API này; xem /api/openapi.json")
}

async fn method_not_allowed() -> Problem {
    Problem::new(StatusCode::METHOD_NOT_ALLOWED, "địa chỉ API này không nhận phương thức HTTP đó")
}

/// An error answer of the API: a status and the `{"error", "details"}` body. Covers what
/// [`WebError`] has no variant for (a 401 with its own message, 413, 415, 405).
#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    pub error: String,
    pub details: Vec<String>,
}

impl Problem {
    pub fn new(status: StatusCode, error: impl Into<String>) -> Problem {
        Problem { status, error: error.into(), details: Vec::new() }
    }

    /// 422 with Vietnamese details.
    pub fn invalid(details: Vec<String>) -> Problem {
        Problem::from(WebError::Invalid(details))
    }
}

impl<E: Into<WebError>> From<E> for Problem {
    fn from(error: E) -> Self {
        let error: WebError = error.into();
        Problem { status: error.status(), error: error.to_string(), details: error.details() }
    }
}

impl From<ApiError> for Problem {
    fn from(error: ApiError) -> Self {
        Problem::from(error.0)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        (self.status, axum::Json(dto::ErrorDto { error: self.error, details: self.details })).into_response()
    }
}

/// A logged-in user whose request carries the session's CSRF token in `X-CSRF-Token`: the
/// extractor of every write. 401 without a session, 403 without the right token.
pub struct WriteUser(pub CurrentUser);

impl FromRequestParts<AppState> for WriteUser {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ApiUser(user) = ApiUser::from_request_parts(parts, state).await?;
        let presented = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        user.check_csrf(presented)?;
        Ok(WriteUser(user))
    }
}

/// A JSON body read with Vietnamese errors in our shape instead of axum's plain-text rejections.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let body = Bytes::from_request(req, state).await;
        parse_json(&headers, body).map(ApiJson)
    }
}

/// Reads a JSON body: 415 unless the request says `application/json` (which also keeps HTML
/// forms of other sites out), 413 when too large, 400 when not JSON, 422 when JSON of the wrong
/// shape.
pub fn parse_json<T: DeserializeOwned>(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<T, Problem> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !(essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))) {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "nội dung gửi lên phải là JSON (tiêu đề Content-Type: application/json)",
        ));
    }
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "nội dung gửi lên quá lớn")
        } else {
            Problem::new(StatusCode::BAD_REQUEST, "không đọc được nội dung gửi lên")
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| json_problem(&e))
}

fn json_problem(error: &serde_json::Error) -> Problem {
    use serde_json::error::Category;
    let place = format!("dòng {}, cột {}", error.line(), error.column());
    match error.classify() {
        Category::Data => {
            let reason = crate::rejection::serde_vn(&error.to_string());
            Problem::invalid(vec![format!("nội dung JSON không đúng cấu trúc yêu cầu ({place}): {reason}")])
        }
        Category::Syntax | Category::Eof | Category::Io => {
            let reason = crate::rejection::serde_vn(&error.to_string());
            let details = if reason.starts_with("dữ liệu không đúng") {
                format!("lỗi cú pháp JSON ở {place}")
            } else {
                format!("lỗi cú pháp JSON ở {place}: {reason}")
            };
            Problem {
                status: StatusCode::BAD_REQUEST,
                error: "nội dung gửi lên không phải JSON hợp lệ".to_string(),
                details: vec![details],
            }
        }
    }
}

/// Query parameters, with our error shape when they do not fit `T`.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => {
                let text = rejection.body_text();
                let reason = text.split_once(": ").map_or(text.as_str(), |(_, reason)| reason);
                Err(Problem::invalid(vec![format!(
                    "tham số truy vấn không hợp lệ: {}",
                    crate::rejection::serde_vn(reason)
                )]))
            }
        }
    }
}

/// Path parameters, with our error shape (404) when they do not fit `T`.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(_) => Err(Problem::from(WebError::NotFound("địa chỉ này".to_string()))),
        }
    }
}

/// The `as_of` date of a query (ISO or dd/mm/yyyy); when absent or empty, today in Vietnam, or
/// the last report's cut-off once the plan's year is over (`App::default_as_of`).
pub async fn as_of(state: &AppState, text: Option<&str>) -> Result<Date, Problem> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(state.app.default_as_of(state.now().date_in_vietnam()).await?.0),
        Some(text) => Date::parse(text).map_err(|e| Problem::invalid(vec![format!("as_of: {e}")])),
    }
}

/// An optional date field of a body: absent, null or empty is `None`; otherwise it must parse.
pub fn optional_date(field: &str, text: Option<&str>, problems: &mut Vec<String>) -> Option<Date> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    match Date::parse(text) {
        Ok(date) => Some(date),
        Err(e) => {
            problems.push(format!("{field}: {e}"));
            None
        }
    }
}

/// A milestone id from the path, or 404.
pub fn milestone_id(text: &str) -> Result<MilestoneId, Problem> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(MilestoneId)
        .ok_or_else(|| Problem::from(WebError::NotFound(format!("mốc thời hạn «{}»", crate::rejection::shorten(text)))))
}
