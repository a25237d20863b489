//! The province dashboard ("Tổng quan"): progress by area and agency group, what is overdue and
//! who owns it, what falls due in the next 30 days.

use crate::extract::VnQuery;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use cchc_services::dashboard::{Dashboard, Evaluated};
use serde::Deserialize;

use crate::auth::PageUser;
use crate::error::PageError;
use crate::pages::{as_of_or_today, bar, legend, percent, render, status_class, BarSegment, Nav};
use crate::plan_choice::{plan_bar, PlanBar, PlanChoice};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/tong-quan", get(page))
}

#[derive(Deserialize)]
pub struct AsOfQuery {
    pub as_of: Option<String>,
}

/// A breakdown row ready for the template.
pub struct Row {
    pub key: String,
    pub link: String,
    pub label: String,
    pub total: usize,
    pub done_percent: String,
    pub overdue: usize,
    pub bar: Vec<BarSegment>,
}

/// A milestone line of the overdue / upcoming lists.
pub struct Line {
    pub activity_code: String,
    pub activity_id: i64,
    pub title: String,
    pub label: String,
    pub agency_id: String,
    pub agency: String,
    pub due: String,
    pub status: &'static str,
    pub status_class: &'static str,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    nav: Nav,
    plan_bar: PlanBar,
    plan_title: String,
    as_of: String,
    as_of_iso: String,
    /// Why the page opens on a day other than today (a plan year that is over).
    as_of_note: Option<String>,
    today_iso: String,
    total: usize,
    done_count: usize,
    done_percent: String,
    overdue_count: usize,
    overall_bar: Vec<BarSegment>,
    legend: Vec<(&'static str, &'static str)>,
    areas: Vec<Row>,
    groups: Vec<Row>,
    overdue: Vec<Line>,
    overdue_more: usize,
    upcoming: Vec<Line>,
    upcoming_more: usize,
}

/// Lines shown on the dashboard before "xem tất cả".
const LIST_LIMIT: usize = 15;

pub fn line(state: &AppState, e: &Evaluated) -> Line {
    Line {
        activity_code: e.milestone.activity_code(),
        activity_id: e.milestone.activity.0,
        title: e.milestone.activity_title.clone(),
        label: e.milestone.label.clone(),
        agency_id: e.milestone.agency.to_string(),
        agency: state.app.agency_name(&e.milestone.agency),
        due: e.milestone.due.map(|d| d.to_string()).unwrap_or_default(),
        status: e.status.label_vn(),
        status_class: status_class(e.status),
    }
}

/// The dashboard as of a date (memoised per snapshot in the services).
pub async fn compute(
    state: &AppState,
    plan: &PlanChoice,
    as_of: cchc_domain::Date,
) -> Result<(std::sync::Arc<cchc_services::Current>, std::sync::Arc<Dashboard>), PageError> {
    Ok(state.app.dashboard_of(plan.key(), as_of).await?)
}

async fn page(
    State(state): State<AppState>,
    plan: PlanChoice,
    PageUser(user): PageUser,
    VnQuery(query): VnQuery<AsOfQuery>,
) -> Result<Response, PageError> {
    let today = state.now().date_in_vietnam();
    let (default, note) = state.app.default_as_of_of(plan.key(), today).await?;
    let as_of = as_of_or_today(query.as_of.as_deref(), default)?;
    let as_of_note = note.filter(|_| query.as_of.as_deref().map(str::trim).is_none_or(str::is_empty));
    let (current, board) = compute(&state, &plan, as_of).await?;
    let plan_bar = plan_bar(&state, &current, "/tong-quan").await?;
    let areas = board
        .by_area
        .iter()
        .map(|b| Row {
            key: b.key.to_string(),
            link: format!("/linh-vuc/{}?as_of={}", b.key, as_of.iso()),
            label: format!("{}. {}", b.key, b.label),
            total: b.counts.total(),
            done_percent: percent(b.counts.done_percent()),
            overdue: b.counts.get(cchc_domain::tracking::DerivedStatus::Overdue),
            bar: bar(&b.counts),
        })
        .collect();
    let groups = board
        .by_group
        .iter()
        .map(|b| Row {
            key: b.key.as_str().to_string(),
            link: format!("/co-quan?nhom={}&as_of={}", b.key.as_str(), as_of.iso()),
            label: b.label.clone(),
            total: b.counts.total(),
            done_percent: percent(b.counts.done_percent()),
            overdue: b.counts.get(cchc_domain::tracking::DerivedStatus::Overdue),
            bar: bar(&b.counts),
        })
        .collect();
    let page = DashboardPage {
        nav: Nav::new(Some(&user)),
        plan_bar,
        plan_title: current.plan.meta.title.clone(),
        as_of: as_of.to_string(),
        as_of_iso: as_of.iso(),
        as_of_note,
        today_iso: today.iso(),
        total: board.overall.total(),
        done_count: board.overall.get(cchc_domain::tracking::DerivedStatus::DoneOnTime)
            + board.overall.get(cchc_domain::tracking::DerivedStatus::DoneLate),
        done_percent: percent(board.overall.done_percent()),
        overdue_count: board.overall.get(cchc_domain::tracking::DerivedStatus::Overdue),
        overall_bar: bar(&board.overall),
        legend: legend(),
        areas,
        groups,
        overdue: board.overdue.iter().take(LIST_LIMIT).map(|e| line(&state, e)).collect(),
        overdue_more: board.overdue.len().saturating_sub(LIST_LIMIT),
        upcoming: board.upcoming.iter().take(LIST_LIMIT).map(|e| line(&state, e)).collect(),
        upcoming_more: board.upcoming.len().saturating_sub(LIST_LIMIT),
    };
    render(&page)
}
