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
use axum::middleware::from_fn_with_state;
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
/// `VnQuery` and `VnForm`: query strings and forms whose rejections are Vietnamese pages.
pub mod extract;
/// Uploaded evidence files: type and size checks, content-addressed storage.
pub mod files;
/// Layers around every route: Vietnamese errors, URI limit, security and caching headers.
pub mod layers;
/// Server-rendered pages.
pub mod pages;
/// Which plan the pages show (a cookie set by `/ke-hoach/{key}`) and the bar that says so.
pub mod plan_choice;
/// Vietnamese for serde's and axum's English error messages.
pub mod rejection;
/// Answers kept until the data under them changes (reading pages and API reads).
pub mod response_cache;

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

/// How the router is built.
#[derive(Debug, Clone, Copy)]
pub struct RouterOptions {
    /// Keep rendered answers until the data under them changes (see [`response_cache`]).
    pub response_cache: bool,
}

impl Default for RouterOptions {
    fn default() -> Self {
        RouterOptions { response_cache: true }
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    router_with(state, RouterOptions::default())
}

/// The whole application, built with `options`.
pub fn router_with(state: AppState, options: RouterOptions) -> Router {
    let router = Router::new()
        .merge(pages::routes())
        .merge(plan_choice::routes())
        .merge(files::routes())
        .merge(export::routes())
        .nest("/api", api::routes())
        .fallback(page_not_found)
        .layer(axum::middleware::from_fn(error::login_redirect_with_target))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024))
        .layer(from_fn_with_state(state.clone(), layers::errors))
        .layer(from_fn_with_state(state.clone(), layers::headers))
        .layer(compression());
    let router = if options.response_cache {
        let cache = Arc::new(response_cache::ResponseCache::default());
        router.layer(from_fn_with_state((state.clone(), cache), response_cache::layer))
    } else {
        router
    };
    router.with_state(state)
}

/// gzip or brotli when the client accepts it, at the fastest level (a page is compressed per
/// request); files that are already compressed (XLSX, DOCX, PDF, images) are sent as they are.
fn compression() -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
    use tower_http::compression::{CompressionLayer, CompressionLevel};
    let predicate = SizeAbove::new(1024)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::const_new("application/vnd.openxmlformats"))
        .and(NotForContentType::const_new("application/pdf"))
        .and(NotForContentType::const_new("application/zip"));
    CompressionLayer::new().quality(CompressionLevel::Fastest).compress_when(predicate)
}

async fn page_not_found() -> error::PageError {
    error::PageError(error::WebError::NotFound("trang này; hãy kiểm tra lại địa chỉ".to_string()))
}

/// Serves the application on a bound listener until Ctrl-C.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState, options: RouterOptions) -> std::io::Result<()> {
    axum::serve(listener, router_with(state, options).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
