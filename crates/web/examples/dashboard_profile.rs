//! Where the time of one province-dashboard request goes, measured in process on one thread
//! (no network, no concurrency): session lookup, the cached snapshot, evaluating every milestone,
//! building the dashboard, and the whole request through the router (HTML page and JSON API).
//!
//! ```sh
//! cargo run --release -p cchc-web --example dashboard_profile [-- ITERATIONS]
//! ```
//!
//! Companion of `bench/dashboard.sh` (see docs/benchmarks.md). Not a test: no thresholds.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use cchc_domain::account::UserRole;
use cchc_domain::{Date, Timestamp};
use cchc_services::accounts::NewAccount;
use cchc_services::dashboard::{dashboard, evaluate};
use cchc_services::App;
use cchc_web::{router, AppState, Clock};
use tower::ServiceExt;

type Failure = Box<dyn std::error::Error>;

/// Mean wall time of `f` over `n` runs (after two warm-up runs).
async fn time<F, Fut, T>(n: u32, mut f: F) -> Result<Duration, Failure>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Failure>>,
{
    for _ in 0..2 {
        f().await?;
    }
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(f().await?);
    }
    Ok(start.elapsed() / n)
}

fn ms(d: Duration) -> String {
    format!("{:>8.3} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Failure> {
    let n: u32 = std::env::args().nth(1).map(|s| s.parse()).transpose()?.unwrap_or(200);
    let now = Timestamp::parse_rfc3339("2024-07-01T03:00:00Z").ok_or("timestamp")?;
    let as_of = Date::parse("2024-07-01")?;
    let app = App::open_in_memory().await?;
    let account = NewAccount {
        username: "bench".into(),
        display_name: "Lãnh đạo".into(),
        role: UserRole::Viewer,
        agency: None,
        password: "mat-khau-benchmark-2024".into(),
    };
    app.create_account(&account, now).await?;
    let session = app.login("bench", "mat-khau-benchmark-2024", "127.0.0.1", now).await?;
    let files = tempfile::tempdir()?;
    let state = AppState {
        app: Arc::new(app),
        files_dir: files.path().to_path_buf(),
        clock: Clock::Fixed(now),
        secure_cookies: false,
        trusted_proxies: Arc::from([]),
    };
    let web = router(state.clone());
    let cookie = format!("cchc_session={}", session.token);
    let current = state.app.current().await?;
    let titles: Vec<_> = current.plan.areas.iter().map(|a| (a.code, a.title.clone())).collect();
    println!(
        "{} milestones, {} assignments, {} agencies in the directory; {n} iterations each",
        current.milestones.len(),
        current.milestones.iter().map(|m| m.assignment).collect::<std::collections::BTreeSet<_>>().len(),
        state.app.directory().agencies.len()
    );

    let request = |uri: &'static str| {
        let web = web.clone();
        let cookie = cookie.clone();
        move || {
            let web = web.clone();
            let cookie = cookie.clone();
            async move {
                let request = Request::builder().uri(uri).header(header::COOKIE, cookie).body(Body::empty())?;
                let response = web.oneshot(request).await?;
                if response.status() != StatusCode::OK {
                    return Err(format!("{uri}: HTTP {}", response.status()).into());
                }
                Ok(axum::body::to_bytes(response.into_body(), usize::MAX).await?.len())
            }
        }
    };

    let rows = [
        ("session lookup (SQLite)", time(n, || async { Ok(state.app.session(&session.token, now).await?) }).await?),
        ("App::current (cached snapshot)", time(n, || async { Ok(state.app.current().await?) }).await?),
        (
            "evaluate (derived status of every milestone)",
            time(n, || async { Ok(evaluate(&current.milestones, as_of, state.app.calendar())) }).await?,
        ),
        (
            "evaluate + dashboard (counts, lists)",
            time(n, || async {
                let evaluated = evaluate(&current.milestones, as_of, state.app.calendar());
                Ok(dashboard(&evaluated, &titles, state.app.directory(), as_of))
            })
            .await?,
        ),
        (
            "directory lookups (one per milestone)",
            time(n, || async {
                Ok(current.milestones.iter().filter(|m| state.app.directory().agency(&m.agency).is_some()).count())
            })
            .await?,
        ),
        ("GET /tong-quan (whole request, HTML)", time(n, request("/tong-quan?as_of=2024-07-01")).await?),
        ("GET /api/dashboard (whole request, JSON)", time(n, request("/api/dashboard?as_of=2024-07-01")).await?),
    ];
    for (what, mean) in rows {
        println!("{:<48} {}", what, ms(mean));
    }
    Ok(())
}
