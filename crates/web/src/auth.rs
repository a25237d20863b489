//! Authentication as extractors (realworld-axum-sqlx style): a handler that takes [`ApiUser`] or
//! [`PageUser`] only runs for a logged-in user; [`MaybeUser`] lets public pages know who is
//! looking without requiring anyone. Writes also check the CSRF token of the session.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
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

/// The client's address, for login throttling: the socket peer, or — only when the peer is a
/// trusted reverse proxy (`cchc serve --trusted-proxy`) — the right-most address of
/// `X-Forwarded-For` that is not itself a trusted proxy. "unknown" when the server does not
/// know it. IPv6 clients are counted by their /64 network (one subscriber's block).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let client = client_address(peer, &parts.headers, &state.trusted_proxies);
        Ok(ClientAddr(client.map_or_else(|| "unknown".to_string(), client_key)))
    }
}

/// Who the client is, given the socket peer, the request headers and the trusted proxies.
pub fn client_address(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer.map(|p| p.to_canonical())?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    // Every X-Forwarded-For header, in order, as one list; read from the right: each proxy
    // appends the address it saw, so only the entries added by trusted proxies are believed.
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for entry in forwarded.iter().rev() {
        match parse_forwarded(entry) {
            Some(address) if trusted.contains(&address) => continue,
            Some(address) => return Some(address),
            // Garbage where a trusted proxy should have written an address: believe nothing more.
            None => return Some(peer),
        }
    }
    Some(peer)
}

/// An `X-Forwarded-For` entry: `1.2.3.4`, `2001:db8::1`, `1.2.3.4:5678` or `[2001:db8::1]:5678`.
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

/// The throttling key of an address: IPv4 as is, IPv6 by its /64 network.
fn client_key(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append("x-forwarded-for", v.parse().unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_ignored_unless_the_peer_is_trusted() {
        let spoofed = headers(&["6.6.6.6"]);
        assert_eq!(client_address(Some(ip("10.0.0.2")), &spoofed, &[]), Some(ip("10.0.0.2")));
        assert_eq!(client_address(Some(ip("10.0.0.2")), &spoofed, &[ip("10.0.0.1")]), Some(ip("10.0.0.2")));
        assert_eq!(client_address(None, &spoofed, &[ip("10.0.0.1")]), None);
    }

    #[test]
    fn the_right_most_untrusted_address_is_the_client() {
        let proxy = ip("10.0.0.1");
        let inner = ip("10.0.0.5");
        // The client forged the first entry; the proxy appended the real one.
        let h = headers(&["6.6.6.6, 203.0.113.7"]);
        assert_eq!(client_address(Some(proxy), &h, &[proxy]), Some(ip("203.0.113.7")));
        // Two trusted proxies in a row, over two headers.
        let h = headers(&["6.6.6.6, 203.0.113.7", "10.0.0.5"]);
        assert_eq!(client_address(Some(proxy), &h, &[proxy, inner]), Some(ip("203.0.113.7")));
        // Ports and brackets, IPv4-mapped IPv6.
        let h = headers(&["[2001:db8::7]:443"]);
        assert_eq!(client_address(Some(proxy), &h, &[proxy]), Some(ip("2001:db8::7")));
        let h = headers(&["203.0.113.7:5000"]);
        assert_eq!(client_address(Some(ip("::ffff:10.0.0.1")), &h, &[proxy]), Some(ip("203.0.113.7")));
        // No header, or garbage: the proxy itself.
        assert_eq!(client_address(Some(proxy), &HeaderMap::new(), &[proxy]), Some(proxy));
        assert_eq!(client_address(Some(proxy), &headers(&["abc"]), &[proxy]), Some(proxy));
    }

    #[test]
    fn ipv6_clients_are_counted_by_network() {
        assert_eq!(client_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(client_key(ip("2001:db8:1:2:bbbb::9")), "2001:db8:1:2::/64");
        assert_eq!(client_key(ip("203.0.113.7")), "203.0.113.7");
    }
}
