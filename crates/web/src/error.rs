//! Errors as responses. The API answers JSON `{"error": "...", "details": [...]}`; pages answer
//! a Vietnamese error page. Internal details are logged, never shown.
//!
//! A [`PageError`] answers a page without navigation and attaches what it says
//! ([`ErrorPageInfo`]) to the response; the error layer ([`crate::layers`]), which knows the
//! request, renders it again with the visitor's navigation and a «Quay lại» link to the page
//! they came from.

use askama::Template;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
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
            // `login_redirect_with_target` adds the page asked for (it knows the request).
            let mut response = axum::response::Redirect::to(LOGIN_PATH).into_response();
            response.extensions_mut().insert(LoginRequired);
            return response;
        }
        let info = ErrorPageInfo { status: self.0.status(), message: self.0.to_string(), details: self.0.details() };
        error_page(&info, Nav::new(None), "/")
    }
}

/// The login page.
pub const LOGIN_PATH: &str = "/dang-nhap";
/// The query parameter of the login page that names where to go after login.
pub const NEXT_PARAMETER: &str = "tiep";

/// Marks the redirect of a page that needs a login (see [`login_redirect_with_target`]).
#[derive(Debug, Clone, Copy)]
struct LoginRequired;

/// Middleware: the login redirect of a page that needs a session carries the page asked for
/// (`/dang-nhap?tiep=/bao-cao/2024S1`), so that the user lands there after logging in. Only for
/// GET and HEAD (a form posted without a session is not replayed) and only same-site paths
/// ([`safe_return_path`]).
pub async fn login_redirect_with_target(request: Request, next: Next) -> Response {
    let target = if matches!(*request.method(), Method::GET | Method::HEAD) {
        request.uri().path_and_query().map(|pq| pq.as_str().to_string()).filter(|t| safe_return_path(t).is_some())
    } else {
        None
    };
    let mut response = next.run(request).await;
    if let (Some(target), Some(_)) = (target, response.extensions().get::<LoginRequired>()) {
        if let Ok(value) = HeaderValue::from_str(&login_url(&target)) {
            response.headers_mut().insert(header::LOCATION, value);
        }
    }
    response
}

/// The login page that sends the user on to `target` (already checked by [`safe_return_path`]).
pub fn login_url(target: &str) -> String {
    format!("{LOGIN_PATH}?{}", next_query(target))
}

/// `tiep=…`: the query pair that names where to go next.
pub fn next_query(target: &str) -> String {
    let mut out = format!("{NEXT_PARAMETER}=");
    for b in target.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@!$'()*,;".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `text` if it is a path of this site to return to after login: it starts with one `/` (not
/// `//` nor `/\`, which browsers read as another host), has no scheme, only printable ASCII
/// (no spaces, tabs or line breaks, which browsers drop), no backslash, and is not the login or
/// logout page itself. `None` for anything else (the caller falls back to its default page).
pub fn safe_return_path(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let plain = bytes.len() <= 2048
        && bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && bytes.iter().all(|b| (0x21..=0x7e).contains(b) && *b != b'\\');
    let path = text.split(['?', '#']).next().unwrap_or_default();
    (plain && path != LOGIN_PATH && path != "/dang-xuat").then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_site_paths_are_return_targets() {
        for good in ["/bao-cao/2024S1", "/qua-han?co-quan=so-tu-phap&as_of=2024-07-01", "/", "/co-quan/so-tu-phap#a"] {
            assert_eq!(safe_return_path(good), Some(good));
        }
        for bad in [
            "",
            "bao-cao",
            "//evil.example",
            "//evil.example/bao-cao",
            "/\\evil.example",
            "/bao-cao\\..\\x",
            "https://evil.example/",
            "javascript:alert(1)",
            "/\t/evil.example",
            "/ /evil.example",
            "/báo-cáo",
            "/dang-nhap",
            "/dang-nhap?tiep=/x",
            "/dang-xuat",
        ] {
            assert_eq!(safe_return_path(bad), None, "{bad:?}");
        }
        assert_eq!(safe_return_path(&format!("/{}", "a".repeat(3000))), None);
    }

    #[test]
    fn the_target_is_encoded_as_a_query_value() {
        assert_eq!(login_url("/bao-cao/2024S1"), "/dang-nhap?tiep=/bao-cao/2024S1");
        assert_eq!(login_url("/qua-han?a=1&b=%20"), "/dang-nhap?tiep=/qua-han%3Fa%3D1%26b%3D%2520");
    }
}
