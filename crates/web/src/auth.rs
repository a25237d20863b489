//! Authentication as extractors (realworld-axum-sqlx style): a handler that takes [`ApiUser`] or
//! [`PageUser`] only runs for a logged-in user; [`MaybeUser`] lets public pages know who is
//! looking without requiring anyone. Writes also check the CSRF token of the session.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use cchc_domain::account::User;

use crate::error::{ApiError, PageError, WebError};
use crate::AppState;

/// Name of the session cookie (HttpOnly, SameSite=Lax).
pub const SESSION_COOKIE: &str = "cchc_session";
/// Name of the cookie that carries the login form's CSRF token before there is a session.
pub const LOGIN_CSRF_COOKIE: &str = "cchc_login_csrf";
/// Header that carries the CSRF token on API writes.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The logged-in user of a request, with the session's CSRF token.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub csrf_token: String,
    pub token: String,
}

impl CurrentUser {
    /// Refuses a write whose CSRF token does not match the session's.
    pub fn check_csrf(&self, presented: Option<&str>) -> Result<(), WebError> {
        match presented {
            Some(token) if constant_time_eq(token.as_bytes(), self.csrf_token.as_bytes()) => Ok(()),
            _ => Err(WebError::Forbidden("mã chống giả mạo (CSRF) không hợp lệ; hãy tải lại trang và thử lại".into())),
        }
    }

    /// Refuses anyone but an administrator.
    pub fn require_admin(&self) -> Result<(), WebError> {
        if self.user.is_admin() {
            Ok(())
        } else {
            Err(WebError::Forbidden("chức năng này chỉ dành cho quản trị (Sở Nội vụ)".into()))
        }
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn current_user(parts: &mut Parts, state: &AppState) -> Result<Option<CurrentUser>, WebError> {
    let Some(token) = cookie_value(&parts.headers, SESSION_COOKIE) else { return Ok(None) };
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let found = state.app.session(&token, state.now()).await?;
    Ok(found.map(|(user, csrf_token)| CurrentUser { user, csrf_token, token }))
}

/// A logged-in user, for the API: 401 JSON otherwise.
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        current_user(parts, state).await?.map(ApiUser).ok_or(ApiError(WebError::Unauthorized))
    }
}

/// A logged-in user, for pages: a redirect to the login page otherwise.
pub struct PageUser(pub CurrentUser);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        current_user(parts, state).await?.map(PageUser).ok_or(PageError(WebError::Unauthorized))
    }
}

/// The user if logged in. (Not `Option<PageUser>`: a broken session must read as "nobody", not
/// as an error page, on public pages.)
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(current_user(parts, state).await.unwrap_or(None)))
    }
}

/// The client's address, for login throttling ("unknown" when the server does not know it).
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let addr = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(ClientAddr(addr.unwrap_or_else(|| "unknown".to_string())))
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// `Set-Cookie` value for a new session: HttpOnly, SameSite=Lax, whole site, 12 hours.
pub fn session_cookie(token: &str, secure: bool) -> String {
    cookie(SESSION_COOKIE, token, cchc_services::accounts::SESSION_SECONDS, secure)
}

/// `Set-Cookie` value that deletes the session cookie.
pub fn removal_cookie() -> String {
    cookie(SESSION_COOKIE, "", 0, false)
}

/// `Set-Cookie` value of a short-lived HttpOnly cookie.
pub fn cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}
