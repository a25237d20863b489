//! Errors as responses. The API answers JSON `{"error": "...", "details": [...]}`; pages answer
//! a Vietnamese error page. Internal details are logged, never shown.
//!
//! A [`PageError`] answers a page without navigation and attaches what it says
//! ([`ErrorPageInfo`]) to the response; the error layer ([`crate::layers`]), which knows the
//! request, renders it again with the visitor's navigation and a «Quay lại» link to the page
//! they came from.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use cchc_services::ServiceError;
use serde::Serialize;

use crate::pages::Nav;

/// What went wrong, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("cần đăng nhập")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("không tìm thấy {0}")]
    NotFound(String),
    #[error("dữ liệu không hợp lệ")]
    Invalid(Vec<String>),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("lỗi hệ thống; vui lòng thử lại sau")]
    Internal(String),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn details(&self) -> Vec<String> {
        match self {
            WebError::Invalid(details) => details.clone(),
            _ => Vec::new(),
        }
    }
}

impl From<ServiceError> for WebError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Invalid(details) => WebError::Invalid(details),
            ServiceError::NotFound(what) => WebError::NotFound(what),
            ServiceError::Forbidden(why) => WebError::Forbidden(why),
            // The services' message for the command line points at `cchc agencies --search`; the
            // web says only what is missing.
            ServiceError::UnknownAgency(query) => {
                WebError::NotFound(format!("cơ quan «{}»", crate::rejection::shorten(&query)))
            }
            ServiceError::UnknownPlan(key) => {
                WebError::NotFound(format!("kế hoạch «{}»", crate::rejection::shorten(&key)))
            }
            ServiceError::AmbiguousAgency { .. } => WebError::Invalid(vec![error.to_string()]),
            other => {
                tracing::error!(error = ?other, "service failure");
                WebError::Internal(other.to_string())
            }
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(error: askama::Error) -> Self {
        tracing::error!(%error, "template failure");
        WebError::Internal(error.to_string())
    }
}

#[derive(Serialize)]
struct ErrorBody {
    error: String,
    details: Vec<String>,
}

/// An error answered as JSON (the API).
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(error: E) -> Self {
        ApiError(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: self.0.to_string(), details: self.0.details() };
        (self.0.status(), axum::Json(body)).into_response()
    }
}

/// An error answered as a page (browsers).
#[derive(Debug)]
pub struct PageError(pub WebError);

impl<E: Into<WebError>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError(error.into())
    }
}

/// What an error page says. Attached to the answer of a [`PageError`] so that the error layer
/// can render the page again with the visitor's navigation.
#[derive(Debug, Clone)]
pub struct ErrorPageInfo {
    pub status: StatusCode,
    pub message: String,
    pub details: Vec<String>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    nav: Nav,
    title: &'a str,
    message: &'a str,
    details: &'a [String],
    /// Where «Quay lại» goes: the page the visitor came from (same site), else the home page.
    back: &'a str,
    /// Whether to offer the login page (nobody is logged in).
    login: bool,
}

/// The heading of an error page.
pub fn error_title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::FORBIDDEN => "Không có quyền",
        StatusCode::NOT_FOUND => "Không tìm thấy",
        StatusCode::METHOD_NOT_ALLOWED => "Yêu cầu không phù hợp",
        StatusCode::URI_TOO_LONG => "Địa chỉ quá dài",
        StatusCode::PAYLOAD_TOO_LARGE => "Nội dung quá lớn",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "Dữ liệu không hợp lệ",
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "Dữ liệu không hợp lệ",
        StatusCode::TOO_MANY_REQUESTS => "Thử lại sau",
        StatusCode::UNAUTHORIZED => "Cần đăng nhập",
        _ => "Lỗi hệ thống",
    }
}

/// An error page: `info` said to the visitor `nav` describes, «Quay lại» going to `back`.
pub fn error_page(info: &ErrorPageInfo, nav: Nav, back: &str) -> Response {
    let login = nav.user_name.is_none();
    let page =
        ErrorPage { nav, title: error_title(info.status), message: &info.message, details: &info.details, back, login };
    let mut response = match page.render() {
        Ok(html) => (info.status, Html(html)).into_response(),
        Err(_) => (info.status, info.message.clone()).into_response(),
    };
    response.extensions_mut().insert(info.clone());
    response
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.0, WebError::Unauthorized) {
            return axum::response::Redirect::to("/dang-nhap").into_response();
        }
        let info = ErrorPageInfo { status: self.0.status(), message: self.0.to_string(), details: self.0.details() };
        error_page(&info, Nav::new(None), "/")
    }
}
