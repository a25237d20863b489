//! Layers around every route: Vietnamese error answers whatever produced them, the URI length
//! limit, and the security and caching headers.
//!
//! * [`errors`] answers 414 for a URI over [`MAX_URI_BYTES`]; renders the error pages of
//!   [`crate::error::PageError`] again with the visitor's navigation and a «Quay lại» link to the
//!   page they came from (the Content-Security-Policy forbids `javascript:` links); and rewrites
//!   any plain-text error answer — axum's rejections of forms, queries and bodies, its default
//!   404 and 405 — as a Vietnamese page, or as `{"error", "details"}` under `/api`.
//! * [`headers`] sets the security headers of every answer, `Strict-Transport-Security` behind
//!   HTTPS (`--secure-cookies`), and `Cache-Control: no-store` on every answer to a logged-in
//!   visitor (pages, evidence files, exports), so that personal data stays out of caches.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::{cookie_value, MaybeUser, SESSION_COOKIE};
use crate::error::{error_page, ErrorPageInfo};
use crate::pages::Nav;
use crate::rejection::plain_answer_vn;
use crate::AppState;

/// Longest accepted request target (path and query), in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Largest plain-text error body read to be translated.
const MAX_PLAIN_BODY: usize = 64 * 1024;

/// What the error layer keeps of a request to answer its errors.
struct Asked {
    api: bool,
    method: Method,
    headers: HeaderMap,
}

/// See the module documentation.
pub async fn errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let uri = request.uri();
    let path = uri.path();
    let asked = Asked {
        api: path == "/api" || path.starts_with("/api/"),
        method: request.method().clone(),
        headers: request.headers().clone(),
    };
    if path.len() + uri.query().map_or(0, str::len) > MAX_URI_BYTES {
        let message = format!("địa chỉ quá dài (tối đa {} byte); hãy rút gọn tham số tìm kiếm", MAX_URI_BYTES);
        return answer(
            &state,
            &asked,
            ErrorPageInfo { status: StatusCode::URI_TOO_LONG, message, details: Vec::new() },
        )
        .await;
    }
    let mut response = next.run(request).await;
    if let Some(info) = response.extensions_mut().remove::<ErrorPageInfo>() {
        return answer(&state, &asked, info).await;
    }
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || !is_plain(response.headers()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = match axum::body::to_bytes(body, MAX_PLAIN_BODY).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    };
    if status.is_server_error() && !text.is_empty() {
        tracing::error!(%status, body = %text, "plain-text error answer");
    }
    let (message, details) = plain_answer_vn(status, &asked.method, asked.api, &text);
    let mut rewritten = answer(&state, &asked, ErrorPageInfo { status, message, details }).await;
    // Keep what the original answer said beside its body (`Allow` of a 405, for instance).
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(value) = parts.headers.get(&name) {
            rewritten.headers_mut().insert(name, value.clone());
        }
    }
    rewritten
}

/// An answer without a body, or with a plain-text one: what axum answers on its own.
fn is_plain(headers: &HeaderMap) -> bool {
    match headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(content_type) => content_type.starts_with("text/plain"),
    }
}

/// The error answered as JSON under `/api`, as a page with the visitor's navigation elsewhere.
async fn answer(state: &AppState, asked: &Asked, info: ErrorPageInfo) -> Response {
    if asked.api {
        return crate::api::Problem { status: info.status, error: info.message, details: info.details }.into_response();
    }
    let (mut parts, ()) = Request::new(()).into_parts();
    parts.headers = asked.headers.clone();
    let user = match MaybeUser::from_request_parts(&mut parts, state).await {
        Ok(MaybeUser(user)) => user,
        Err(_) => None,
    };
    error_page(&info, Nav::new(user.as_ref()), &back_link(&asked.headers))
}

/// Where «Quay lại» goes: the path of the `Referer` when it is a page of this site, else `/`.
pub fn back_link(headers: &HeaderMap) -> String {
    let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let (Some(referer), Some(host)) = (text(header::REFERER), text(header::HOST)) else {
        return "/".to_string();
    };
    let Ok(uri) = referer.parse::<axum::http::Uri>() else { return "/".to_string() };
    let same_site = matches!(uri.scheme_str(), Some("http" | "https"))
        && uri.authority().is_some_and(|a| a.as_str().eq_ignore_ascii_case(host));
    let target = uri.path_and_query().map_or("/", |p| p.as_str());
    // "//elsewhere" and "/\elsewhere" would leave the site.
    if !same_site || !target.starts_with('/') || target.starts_with("//") || target.starts_with("/\\") {
        return "/".to_string();
    }
    target.to_string()
}

/// See the module documentation.
pub async fn headers(State(state): State<AppState>, request: Request<Body>, next: Next) -> Response {
    let logged_in = cookie_value(request.headers(), SESSION_COOKIE).is_some();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        ),
    );
    if state.secure_cookies {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    let public =
        headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("public"));
    if logged_in && !public {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(referer: &str, host: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::REFERER, HeaderValue::from_str(referer).unwrap_or(HeaderValue::from_static("")));
        headers.insert(header::HOST, HeaderValue::from_str(host).unwrap_or(HeaderValue::from_static("")));
        headers
    }

    #[test]
    fn back_goes_to_the_referring_page_of_this_site_only() {
        assert_eq!(back_link(&with("http://cchc.local/co-quan?nhom=district", "cchc.local")), "/co-quan?nhom=district");
        assert_eq!(back_link(&with("https://cchc.local:8443/qua-han", "cchc.local:8443")), "/qua-han");
        assert_eq!(back_link(&with("https://evil.example/x", "cchc.local")), "/");
        assert_eq!(back_link(&with("javascript:alert(1)", "cchc.local")), "/");
        assert_eq!(back_link(&with("http://cchc.local//evil.example/x", "cchc.local")), "/");
        assert_eq!(back_link(&HeaderMap::new()), "/");
    }
}
