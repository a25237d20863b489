//! Areas, activities, agencies, the overdue and upcoming lists, search, and the forms that
//! write progress, events and triggers.
//!
//! Every page reads the cached current plan and milestones (`App::current`) plus a lookup index
//! built once per cached snapshot ([`snapshot`]); the only per-request database reads are the
//! progress history of the milestones a page expands (one batched query) and the session.

use crate::plan_choice::PlanChoice;
use std::collections::HashMap;

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cchc_domain::account::UserRole;
use cchc_domain::schedule::Offset;
use cchc_domain::text::fold;
use cchc_domain::tracking::{
    ActivityId, DerivedStatus, Evidence, MilestoneId, MilestoneKind, MilestoneRecord, ProgressEntry, ProgressStatus,
};
use cchc_domain::{Activity, AgencyId, AgencyKind, AgencyRef, Area, AreaCode, Date, Target, Threshold, When};
use cchc_services::dashboard::StatusCounts;
use cchc_services::tracking::ProgressInput;
use serde::Deserialize;

use crate::auth::{CurrentUser, PageUser};
use crate::error::{PageError, WebError};
use crate::pages::{
    as_of_or_today, bar, kind_options, legend, percent, render, status_class, BarSegment, Nav, SelectOption,
};
use crate::rejection::shorten;
use crate::{files, AppState};

/// The activity page, and the forms that write progress, events and triggers.
mod activity;
/// The agency page and the list of agencies.
mod agency;
/// The area page.
mod area;
/// The overdue and upcoming lists.
mod deadlines;
/// Search.
mod search;
/// View models and small helpers shared by the plan pages and the public pages.
mod views;

pub(crate) use views::*;

/// Activities with at most this many assignments show every agency's milestones expanded.
pub(crate) const EXPAND_ALL_UP_TO: usize = 12;
/// Lines per page of the overdue and upcoming lists.
const PAGE_SIZE: usize = 200;
/// Longest search query, in characters.
const MAX_QUERY_CHARS: usize = 200;
/// Default window of "sắp đến hạn", in days.
const UPCOMING_DAYS: i64 = cchc_services::dashboard::UPCOMING_DAYS;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/linh-vuc/{code}", get(area::area_page))
        .route("/hoat-dong/{id}", get(activity::activity_page))
        .route("/hoat-dong/{id}/su-kien", post(activity::record_event))
        .route("/moc/{id}/tien-do", post(activity::record_progress))
        .route("/moc/{id}/su-viec", post(activity::record_trigger))
        .route("/co-quan", get(agency::agencies_page))
        .route("/co-quan/{id}", get(agency::agency_page))
        .route("/qua-han", get(deadlines::overdue_page))
        .route("/sap-den-han", get(deadlines::upcoming_page))
        .route("/tim-kiem", get(search::search_page))
}

// ---------------------------------------------------------------------------------------------
// The snapshot: the cached current plan plus its lookup index (`App::snapshot`).

pub(crate) use cchc_services::{ActivityEntry, Snapshot};

/// The current snapshot (cached by the services, rebuilt only after a write).
pub(crate) async fn snapshot(state: &AppState, plan: &PlanChoice) -> Result<Snapshot, PageError> {
    Ok(state.app.snapshot_of(plan.key()).await?)
}

// ---------------------------------------------------------------------------------------------
// Query parameters and small parsers shared by the pages.

/// Every query parameter the pages understand (each page reads the ones it needs).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PageQuery {
    /// Day the page shows the plan on (`dd/mm/yyyy` or ISO).
    pub as_of: Option<String>,
    /// Only this area (`I`–`VIII` or `1`–`8`).
    #[serde(rename = "linh_vuc")]
    pub area: Option<String>,
    /// Only agencies of this kind (`department`, `district`, `commune`, …).
    #[serde(rename = "nhom")]
    pub group: Option<String>,
    /// Window of the upcoming list, in days.
    #[serde(rename = "ngay")]
    pub days: Option<String>,
    /// Search words.
    #[serde(rename = "q")]
    pub text: Option<String>,
    /// The agency chosen on an activity page.
    #[serde(rename = "co_quan")]
    pub agency: Option<String>,
    /// `han` (due date first), `han-giam`, `co-quan`.
    #[serde(rename = "sap_xep")]
    pub sort: Option<String>,
    /// Page number of a long list, from 1.
    #[serde(rename = "trang")]
    pub page: Option<String>,
    /// Show every row instead of the first ones.
    #[serde(rename = "tat_ca")]
    pub all: Option<String>,
    /// Set after progress was saved (shows a notice).
    #[serde(rename = "da_luu")]
    pub saved: Option<String>,
    /// Set after an event was recorded.
    #[serde(rename = "da_ghi_su_kien")]
    pub event_recorded: Option<String>,
    /// Set after a trigger was recorded.
    #[serde(rename = "da_ghi_su_viec")]
    pub trigger_recorded: Option<String>,
}

pub(crate) fn bad_request(message: impl Into<String>) -> PageError {
    PageError(WebError::BadRequest(message.into()))
}

pub(crate) fn not_found(what: impl Into<String>) -> PageError {
    PageError(WebError::NotFound(what.into()))
}

pub(crate) fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|s| !s.is_empty())
}

/// A positive database id from the path, or a 404 page.
pub(crate) fn parse_id(raw: &str, what: &str) -> Result<i64, PageError> {
    raw.trim().parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| not_found(format!("{what} «{}»", shorten(raw))))
}

pub(crate) fn parse_area(raw: &str) -> Result<AreaCode, PageError> {
    AreaCode::parse(raw).ok_or_else(|| not_found(format!("lĩnh vực «{}» (chỉ có I đến VIII)", shorten(raw))))
}

pub(crate) fn area_filter(raw: Option<&str>) -> Result<Option<AreaCode>, PageError> {
    non_empty(raw)
        .map(|r| {
            AreaCode::parse(r)
                .ok_or_else(|| bad_request(format!("lĩnh vực «{}» không hợp lệ (dùng I đến VIII)", shorten(r))))
        })
        .transpose()
}

/// The agency kinds a `nhom` filter may name, in display order.
pub(crate) const GROUP_KINDS: [AgencyKind; 6] = [
    AgencyKind::Department,
    AgencyKind::District,
    AgencyKind::Commune,
    AgencyKind::Sectoral,
    AgencyKind::Province,
    AgencyKind::Other,
];

pub(crate) fn group_filter(raw: Option<&str>) -> Result<Option<AgencyKind>, PageError> {
    non_empty(raw)
        .map(|r| {
            AgencyKind::parse(r).ok_or_else(|| {
                bad_request(format!(
                    "nhóm cơ quan «{}» không hợp lệ (dùng department, district, commune, sectoral, province hoặc other)",
                    shorten(r)
                ))
            })
        })
        .transpose()
}

/// A known agency from a path or query value, or a 404 page.
pub(crate) fn agency_param(snap: &Snapshot, raw: &str) -> Result<AgencyId, PageError> {
    AgencyId::parse(raw.trim())
        .filter(|id| snap.knows_agency(id))
        .ok_or_else(|| not_found(format!("cơ quan «{}»", shorten(raw))))
}

/// The "as of" date of a page and the little form that changes it.
#[derive(Debug, Clone)]
pub struct AsOf {
    pub date: Date,
    /// dd/mm/yyyy.
    pub text: String,
    pub iso: String,
    /// Where the form goes, with the other parameters of the page as hidden fields.
    pub action: String,
    pub hidden: Vec<Hidden>,
    /// Why the page opens on a day other than today (a plan year that is over), with today's
    /// date for the link that shows today instead.
    pub note: Option<String>,
    pub today: String,
}

/// A hidden input of a GET form.
#[derive(Debug, Clone)]
pub struct Hidden {
    pub name: &'static str,
    pub value: String,
}

impl AsOf {
    /// `path?as_of=yyyy-mm-dd`.
    pub fn link(&self, path: &str) -> String {
        format!("{path}?as_of={}", self.iso)
    }
}

pub(crate) async fn as_of(
    state: &AppState,
    plan: &PlanChoice,
    raw: Option<&str>,
    action: &str,
) -> Result<AsOf, PageError> {
    let today = state.now().date_in_vietnam();
    let (default, note) = state.app.default_as_of_of(plan.key(), today).await?;
    let date = as_of_or_today(raw, default)?;
    let note = note.filter(|_| raw.map(str::trim).is_none_or(str::is_empty));
    Ok(AsOf {
        date,
        text: date.to_string(),
        iso: date.iso(),
        action: action.to_string(),
        hidden: Vec::new(),
        note,
        today: today.iso(),
    })
}

/// Links to the exports of a list, with the page's own query string.
pub struct Exports {
    pub xlsx: String,
    pub csv: String,
    pub ics: Option<String>,
}

pub(crate) fn exports(list: &str, raw_query: Option<&str>) -> Exports {
    let query = non_empty(raw_query).map(|q| format!("?{q}")).unwrap_or_default();
    Exports { xlsx: format!("/xuat/{list}.xlsx{query}"), csv: format!("/xuat/{list}.csv{query}"), ics: None }
}
