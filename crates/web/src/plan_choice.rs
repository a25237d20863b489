//! Which plan the pages show: the current plan (latest year) unless the visitor chose another
//! one with `/ke-hoach/{key}` (a cookie, so that every link of every page stays in that plan),
//! and the bar that says which plan a page shows with links to the others.

use std::convert::Infallible;

use axum::extract::{FromRequestParts, Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use cchc_services::Current;
use serde::Deserialize;

use crate::auth::{cookie, cookie_value};
use crate::error::{PageError, WebError};
use crate::extract::VnQuery;
use crate::AppState;

/// Name of the cookie that keeps the chosen plan.
pub const PLAN_COOKIE: &str = "cchc_ke_hoach";

/// The plan key the visitor chose (`son-la-2024`), or `None` for the current plan.
#[derive(Debug, Clone, Default)]
pub struct PlanChoice(pub Option<String>);

impl PlanChoice {
    pub fn key(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// A plan key as it may appear in a cookie or a path: lower-case ASCII, digits and `-`.
fn valid_key(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl FromRequestParts<AppState> for PlanChoice {
    type Rejection = Infallible;
    /// A cookie naming a plan that is not stored (any more) reads as the current plan, so the
    /// pages never meet an unknown key.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(key) = cookie_value(&parts.headers, PLAN_COOKIE).filter(|k| valid_key(k)) else {
            return Ok(PlanChoice(None));
        };
        let known = state.app.plan_versions_cached().await.is_ok_and(|v| v.iter().any(|v| v.plan_key == key));
        Ok(PlanChoice(known.then_some(key)))
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/ke-hoach/{key}", get(choose))
}

#[derive(Debug, Default, Deserialize)]
struct ChooseQuery {
    /// Where to go back to (a path of this site).
    #[serde(rename = "tiep")]
    next: Option<String>,
}

/// `/ke-hoach/son-la-2024` chooses that plan; `/ke-hoach/hien-hanh` goes back to the current
/// one. Then back to the page the visitor came from (same-site paths only).
async fn choose(
    State(state): State<AppState>,
    Path(key): Path<String>,
    VnQuery(q): VnQuery<ChooseQuery>,
) -> Result<Response, PageError> {
    let next = q
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.starts_with("/ke-hoach/"))
        .unwrap_or_else(|| "/tong-quan".to_string());
    let value = if key == "hien-hanh" {
        cookie(PLAN_COOKIE, "", 0, state.secure_cookies)
    } else {
        let known = state.app.plan_versions_cached().await?.iter().any(|v| v.plan_key == key);
        if !valid_key(&key) || !known {
            return Err(PageError(WebError::NotFound(format!("kế hoạch «{key}»"))));
        }
        cookie(PLAN_COOKIE, &key, 365 * 24 * 3600, state.secure_cookies)
    };
    let mut response = Redirect::to(&next).into_response();
    if let Ok(value) = value.parse() {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    Ok(response)
}

/// One plan in the bar.
pub struct PlanLink {
    pub key: String,
    pub label: String,
    pub shown: bool,
}

/// "Kế hoạch năm 2026 (Quyết định …)" with links to the other plans.
pub struct PlanBar {
    pub title: String,
    pub decision: String,
    /// Whether the plan shown is not the current one (the bar then says so).
    pub chosen: bool,
    pub plans: Vec<PlanLink>,
    /// The page's path, to come back to after switching.
    pub back: String,
}

/// The bar of the plan a page shows; `back` is the page's path (no query).
pub async fn plan_bar(state: &AppState, shown: &Current, back: &str) -> Result<PlanBar, PageError> {
    let mut plans: Vec<PlanLink> = Vec::new();
    for version in state.app.plans_latest().await? {
        let label = version.year.map_or_else(|| version.plan_key.clone(), |y| format!("Năm {y}"));
        plans.push(PlanLink { shown: version.plan_key == shown.version.plan_key, key: version.plan_key, label });
    }
    let current_key = plans.first().map(|p| p.key.clone());
    let meta = &shown.plan.meta;
    let decision = match meta.decision_date {
        Some(date) => format!("Quyết định số {} ngày {}", meta.decision_number, date.vn()),
        None => format!("Quyết định số {}", meta.decision_number),
    };
    Ok(PlanBar {
        title: meta.title.clone(),
        decision,
        chosen: current_key.as_deref() != Some(shown.version.plan_key.as_str()),
        plans,
        back: if back.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-_.".contains(&b)) { back } else { "/tong-quan" }
            .to_string(),
    })
}
