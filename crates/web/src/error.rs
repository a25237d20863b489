//! Errors as responses. The API answers JSON `{"error": "...", "details": [...]}`; pages answer
//! a Vietnamese error page. Internal details are logged, never shown.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use cchc_services::ServiceError;
use serde::Serialize;

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
            ServiceError::UnknownAgency(_) | ServiceError::AmbiguousAgency { .. } | ServiceError::UnknownPlan(_) => {
                WebError::NotFound(error.to_string())
            }
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

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: String,
    details: Vec<String>,
    login: bool,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if matches!(self.0, WebError::Unauthorized) {
            return axum::response::Redirect::to("/dang-nhap").into_response();
        }
        let title = match status {
            StatusCode::FORBIDDEN => "Không có quyền",
            StatusCode::NOT_FOUND => "Không tìm thấy",
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "Dữ liệu không hợp lệ",
            StatusCode::TOO_MANY_REQUESTS => "Thử lại sau",
            _ => "Lỗi hệ thống",
        };
        let page = ErrorPage { title, message: self.0.to_string(), details: self.0.details(), login: false };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, self.0.to_string()).into_response(),
        }
    }
}
