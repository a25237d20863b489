//! The web application: server-rendered Vietnamese pages (askama templates, one typed struct per
//! page, usable without JavaScript), the JSON API under `/api`, and accounts.
//!
//! Architecture invariant: this is the only crate that knows HTTP, HTML and the API's JSON. It
//! calls `cchc-services` for every use case and never touches SQL. Every write is authorised here
//! against the session's user *and* again in the services (which check the milestone's agency).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::Router;
use cchc_domain::Timestamp;
use cchc_services::App;

/// JSON API: routes, request and response types, the OpenAPI document.
pub mod api;
/// Session cookie, current-user extractors, CSRF checks.
pub mod auth;
/// Error types that turn into responses (JSON for the API, a page for browsers).
pub mod error;
/// Exports: XLSX, CSV, ICS.
pub mod export;
/// Uploaded evidence files: type and size checks, content-addressed storage.
pub mod files;
/// Server-rendered pages.
pub mod pages;

/// Largest accepted upload (evidence file), in bytes.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// Where "now" comes from: the system clock, or a fixed moment (tests, demonstrations).
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    Fixed(Timestamp),
}

impl Clock {
    pub fn now(self) -> Timestamp {
        match self {
            Clock::Fixed(t) => t,
            Clock::System => Timestamp::from_unix_seconds(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0)),
            ),
        }
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    /// Folder of uploaded evidence files.
    pub files_dir: PathBuf,
    pub clock: Clock,
    /// Whether the session cookie gets the `Secure` flag (behind HTTPS).
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`cchc serve --trusted-proxy`); empty:
    /// the client is the socket peer, whatever the headers say.
    pub trusted_proxies: Arc<[IpAddr]>,
}

impl AppState {
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .merge(files::routes())
        .merge(export::routes())
        .nest("/api", api::routes())
        .layer(axum::middleware::from_fn(error::login_redirect_with_target))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
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
    response
}

/// Serves the application on a bound listener until Ctrl-C.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
