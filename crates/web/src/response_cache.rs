//! Answers kept until the data under them changes: the pages and API reads that every agency
//! reloads at the reporting deadline are rendered and compressed once per change, not once per
//! request.
//!
//! An answer is kept under (who asks, the address with its query, the `Accept-Encoding` asked
//! for, today's date in Vietnam) together with [`cchc_services::App::data_generation`] read
//! before it was computed; it is served again only while that number has not moved (any write
//! through the application — progress, reports, plan, catalogue, document settings, accounts,
//! sessions, dossier imports — moves it). "Who asks" is the session itself (pages carry the session's CSRF
//! token), checked again on every request, or nobody for the public pages. Only `200` answers
//! without a `Set-Cookie` are kept, and only for the reading addresses of [`is_cacheable`] (pages,
//! API reads, exports, report forms and consolidated documents): never the login, accounts,
//! settings, evidence files or the dossier import pages (whose progress moves without a write).
//!
//! The layer sits outside compression, so a kept answer is already compressed for the encoding
//! it was asked with. Memory is bounded ([`MAX_BYTES`]): answers of older generations go first,
//! then everything.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::{cookie_value, SESSION_COOKIE};
use crate::AppState;

/// Bytes of kept answers at most (bodies, compressed as sent).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// A larger answer is sent but not kept.
const MAX_ENTRY_BYTES: usize = 4 * 1024 * 1024;
/// Largest answer the layer reads whole (every answer it sees is built in memory anyway; past
/// this it is refused as an internal error rather than held).
const MAX_READ_BYTES: usize = MAX_BYTES;
/// Longest `Accept-Encoding` value used as part of a key (longer ones are not cached).
const MAX_ACCEPT_ENCODING: usize = 128;

/// The kept answers, shared by every request of one router.
#[derive(Debug, Default)]
pub struct ResponseCache {
    inner: Mutex<Entries>,
    /// Answers being computed: requests for the same key wait for the first one and are then
    /// served what it kept, instead of all computing the same page at once.
    computing: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<Key, Arc<Entry>>,
    bytes: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    /// The session token, or `None` for a visitor without a live session.
    session: Option<String>,
    uri: String,
    accept_encoding: String,
    /// Julian day number of today in Vietnam: pages without `as_of` show today.
    day: i64,
    /// The plan the visitor chose (`cchc_ke_hoach` cookie): pages show that plan.
    plan: Option<String>,
}

#[derive(Debug)]
struct Entry {
    generation: u64,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Entry {
    fn response(&self) -> Response {
        let mut response = Response::new(Body::from(self.body.clone()));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        response
    }
}

impl ResponseCache {
    fn get(&self, key: &Key, generation: u64) -> Option<Arc<Entry>> {
        let entries = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        entries.map.get(key).filter(|e| e.generation == generation).cloned()
    }

    fn put(&self, key: Key, entry: Entry, current: u64) {
        let size = entry.body.len() + key.uri.len();
        let mut entries = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(old) = entries.map.remove(&key) {
            entries.bytes = entries.bytes.saturating_sub(old.body.len() + key.uri.len());
        }
        if entries.bytes + size > MAX_BYTES {
            entries.map.retain(|_, e| e.generation == current);
            entries.bytes = entries.map.iter().map(|(k, e)| e.body.len() + k.uri.len()).sum();
            if entries.bytes + size > MAX_BYTES {
                entries.map.clear();
                entries.bytes = 0;
            }
        }
        entries.map.insert(key, Arc::new(entry));
        entries.bytes += size;
    }

    /// The lock of `key`'s computation (created by the first request that misses).
    fn turn(&self, key: &Key) -> Arc<tokio::sync::Mutex<()>> {
        let mut computing = self.computing.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(computing.entry(key.clone()).or_default())
    }

    /// `key`'s computation is over (whoever still waits holds the lock and then finds the answer).
    fn done(&self, key: &Key) {
        self.computing.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
    }

    /// How many answers are kept (for tests and the benchmark notes).
    pub fn len(&self) -> usize {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Whether answers to `GET path` may be kept: the reading pages and API reads, exports, report
/// forms and consolidated documents — not the login, accounts, settings or evidence files.
pub fn is_cacheable(path: &str) -> bool {
    const EXACT: [&str; 12] = [
        "/",
        "/ho-so-tthc",
        "/danh-gia",
        "/ban-giao",
        "/tong-quan",
        "/co-quan",
        "/qua-han",
        "/sap-den-han",
        "/tim-kiem",
        "/bao-cao",
        "/api/openapi.json",
        "/api/dashboard",
    ];
    const PREFIXES: [&str; 19] = [
        "/ban-giao/",
        "/ho-so-tthc/",
        "/api/dossiers/",
        "/danh-gia/",
        "/api/evaluation/",
        "/cong-khai/",
        "/chi-tieu/",
        "/linh-vuc/",
        "/hoat-dong/",
        "/co-quan/",
        "/bao-cao/",
        "/xuat/",
        "/lich/",
        "/api/activities",
        "/api/agencies",
        "/api/assignments",
        "/api/milestones/",
        "/api/indicators",
        "/api/reports",
    ];
    // The upload page lists the running imports and a job's page follows one: neither is kept.
    let import = path == "/ho-so-tthc/nhap" || path.starts_with("/ho-so-tthc/nhap/");
    path != "/bao-cao/thiet-lap" && !import && (EXACT.contains(&path) || PREFIXES.iter().any(|p| path.starts_with(p)))
}

/// Whether an answer may be kept: a complete `200` that sets no cookie.
fn is_keepable(response: &Response) -> bool {
    response.status() == StatusCode::OK && !response.headers().contains_key(header::SET_COOKIE)
}

/// The layer: serves a kept answer when there is one for this request and generation,
/// otherwise computes the answer and keeps it when it may.
pub async fn layer(
    State((state, cache)): State<(AppState, Arc<ResponseCache>)>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::GET || !is_cacheable(request.uri().path()) {
        return next.run(request).await;
    }
    let accept_encoding =
        request.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    if accept_encoding.len() > MAX_ACCEPT_ENCODING {
        return next.run(request).await;
    }
    let now = state.now();
    // The session as the handlers will see it; a broken one reads as nobody, as they read it.
    let session = match cookie_value(request.headers(), SESSION_COOKIE) {
        Some(token) => match state.app.session(&token, now).await {
            Ok(Some(_)) => Some(token),
            Ok(None) => None,
            Err(_) => return next.run(request).await,
        },
        None => None,
    };
    let uri =
        request.uri().path_and_query().map_or_else(|| request.uri().path().to_string(), |p| p.as_str().to_string());
    let plan = cookie_value(request.headers(), crate::plan_choice::PLAN_COOKIE);
    let key = Key { session, uri, accept_encoding, day: now.date_in_vietnam().julian_day_number(), plan };
    if let Some(entry) = cache.get(&key, state.app.data_generation()) {
        return entry.response();
    }
    // One computation per key at a time; who waited is served what the first one kept.
    let turn = cache.turn(&key);
    let _turn = turn.lock().await;
    // Read before computing: an answer computed while a write lands is kept under the older
    // number, so it is never served after the write.
    let generation = state.app.data_generation();
    if let Some(entry) = cache.get(&key, generation) {
        return entry.response();
    }
    let response = next.run(request).await;
    if !is_keepable(&response) {
        cache.done(&key);
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, MAX_READ_BYTES).await {
        Ok(bytes) => bytes,
        Err(error) => {
            cache.done(&key);
            tracing::error!(%error, uri = %key.uri, "answer too large or unreadable for the response cache");
            return crate::error::PageError(crate::error::WebError::Internal(error.to_string())).into_response();
        }
    };
    if body.len() <= MAX_ENTRY_BYTES {
        let entry = Entry { generation, status: parts.status, headers: parts.headers.clone(), body: body.clone() };
        cache.put(key.clone(), entry, state.app.data_generation());
    }
    cache.done(&key);
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reading_addresses_are_kept() {
        for path in [
            "/",
            "/tong-quan",
            "/linh-vuc/III",
            "/hoat-dong/12",
            "/co-quan/so-tu-phap",
            "/bao-cao/2024S1",
            "/bao-cao/2024S1/ubnd-xa-03646",
            "/cong-khai/linh-vuc/II",
            "/api/activities",
            "/api/reports/2024S1/results",
            "/xuat/qua-han.xlsx",
            "/lich/so-tu-phap.ics",
            "/bao-cao/2024S1/tong-hop.docx",
            "/bao-cao/2024S1/phu-luc.xlsx",
            "/bao-cao/2024S1/x/bieu-mau.csv",
            "/danh-gia",
            "/danh-gia/2024/so-tu-phap",
            "/danh-gia/xep-loai",
            "/danh-gia/2024/xep-hang.xlsx",
            "/api/evaluation/score",
            "/ho-so-tthc",
            "/ho-so-tthc/766",
            "/ho-so-tthc/tre-han.xlsx",
            "/api/dossiers/indicators",
        ] {
            assert!(is_cacheable(path), "{path}");
        }
        for path in [
            "/dang-nhap",
            "/dang-xuat",
            "/tai-khoan",
            "/tai-khoan/mat-khau",
            "/bao-cao/thiet-lap",
            "/tep/abc",
            "/api/session",
            "/api/users",
            "/api/me/password",
            "/static/app.css",
            "/ho-so-tthc/nhap",
            "/ho-so-tthc/nhap/3",
        ] {
            assert!(!is_cacheable(path), "{path}");
        }
    }

    fn key(uri: &str) -> Key {
        Key { session: None, uri: uri.to_string(), accept_encoding: String::new(), day: 0, plan: None }
    }

    fn entry(generation: u64, bytes: usize) -> Entry {
        Entry { generation, status: StatusCode::OK, headers: HeaderMap::new(), body: Bytes::from(vec![b'x'; bytes]) }
    }

    #[test]
    fn an_answer_is_served_only_under_its_generation() {
        let cache = ResponseCache::default();
        cache.put(key("/"), entry(3, 10), 3);
        assert!(cache.get(&key("/"), 3).is_some());
        assert!(cache.get(&key("/"), 4).is_none());
        assert!(cache.get(&key("/qua-han"), 3).is_none());
    }

    #[test]
    fn memory_stays_bounded_older_generations_going_first() {
        let cache = ResponseCache::default();
        let big = MAX_BYTES / 4;
        cache.put(key("/a"), entry(1, big), 1);
        cache.put(key("/b"), entry(2, big), 2);
        cache.put(key("/c"), entry(2, big), 2);
        cache.put(key("/d"), entry(2, big), 2);
        // Full: the generation-1 answer goes, the current ones stay.
        assert!(cache.get(&key("/a"), 1).is_none());
        assert!(cache.get(&key("/b"), 2).is_some() && cache.get(&key("/d"), 2).is_some());
        let used = cache.inner.lock().map(|e| e.bytes).unwrap_or(usize::MAX);
        assert!(used <= MAX_BYTES, "{used}");
        // Replacing an answer does not count it twice.
        cache.put(key("/d"), entry(2, big), 2);
        assert_eq!(cache.len(), 3);
    }
}
