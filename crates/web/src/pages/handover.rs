//! `/ban-giao`: Sở Nội vụ sees the agencies and units that ended with work still open in the
//! current plan, and hands each one's open milestones to a successor in one audited step.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use cchc_domain::{AgencyId, Date};
use serde::Deserialize;

use crate::auth::{CurrentUser, PageUser};
use crate::error::{PageError, WebError};
use crate::extract::{VnForm, VnQuery};
use crate::pages::plan::bad_request;
use crate::pages::{as_of_or_today, render, Nav};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/ban-giao", get(page).post(transfer)).route("/ban-giao/{agency}", get(agency_page))
}

struct Choice {
    id: String,
    name: String,
}

struct Row {
    id: String,
    name: String,
    ended: String,
    open: usize,
    activities: usize,
    choices: Vec<Choice>,
    /// (code, title, milestones not done) per activity.
    by_activity: Vec<(String, String, usize)>,
}

struct Done {
    milestone: i64,
    from: String,
    to: String,
    label: String,
    at: String,
    note: String,
}

#[derive(Template)]
#[template(path = "handover.html")]
struct HandoverPage {
    nav: Nav,
    csrf_token: String,
    plan_key: String,
    as_of: String,
    rows: Vec<Row>,
    /// Every agency that exists on the day, once, for the «other agency» field of each row.
    all: Vec<Choice>,
    done: Vec<Done>,
    notice: Option<String>,
    problems: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    #[serde(rename = "ngay")]
    as_of: Option<String>,
    #[serde(rename = "da_chuyen")]
    moved: Option<u32>,
    #[serde(rename = "tu")]
    from: Option<String>,
    #[serde(rename = "sang")]
    to: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct TransferFields {
    csrf_token: Option<String>,
    #[serde(rename = "tu")]
    from: Option<String>,
    #[serde(rename = "sang")]
    to: Option<String>,
    /// Another agency than the suggested ones (its id), which wins when given.
    #[serde(rename = "sang_khac")]
    other: Option<String>,
    #[serde(rename = "ngay")]
    as_of: Option<String>,
    /// Only this activity ("III.6"), from the page of one unit.
    #[serde(rename = "hoat_dong")]
    activity: Option<String>,
}

async fn build(state: &AppState, user: &CurrentUser, as_of: Date) -> Result<HandoverPage, PageError> {
    let (version, pending) = state.app.pending_handovers(&user.user, None, as_of).await?;
    let map = state.app.directory_on(as_of);
    let directory = state.app.directory();
    let rows = pending
        .into_iter()
        .map(|p| {
            let choices: Vec<Choice> =
                p.successors.iter().map(|a| Choice { id: a.id.to_string(), name: a.name.clone() }).collect();
            Row {
                id: p.agency.id.to_string(),
                name: p.agency.name.clone(),
                ended: p.agency.validity.until.map(|d| d.vn()).unwrap_or_default(),
                open: p.open,
                activities: p.by_activity.len(),
                choices,
                by_activity: p.by_activity,
            }
        })
        .collect();
    let name = |id: &AgencyId| directory.agency(id).map_or_else(|| id.to_string(), |a| a.name.clone());
    let done = state
        .app
        .transfers(&user.user, &version)
        .await?
        .into_iter()
        .rev()
        .take(200)
        .map(|t| Done {
            milestone: t.milestone,
            from: name(&t.from),
            to: name(&t.to),
            label: t.old_label,
            at: cchc_domain::Timestamp::parse_rfc3339(&t.at).map_or(t.at.clone(), |ts| ts.vn()),
            note: t.note,
        })
        .collect();
    Ok(HandoverPage {
        nav: Nav::new(Some(user)),
        csrf_token: user.csrf_token.clone(),
        plan_key: version.plan_key,
        as_of: as_of.vn(),
        rows,
        all: map.agencies.iter().map(|a| Choice { id: a.id.to_string(), name: a.name.clone() }).collect(),
        done,
        notice: None,
        problems: Vec::new(),
    })
}

async fn page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnQuery(q): VnQuery<PageQuery>,
) -> Result<Response, PageError> {
    let as_of = as_of_or_today(q.as_of.as_deref(), state.now().date_in_vietnam())?;
    let mut page = build(&state, &user, as_of).await?;
    let name = |id: Option<&str>| {
        id.and_then(AgencyId::parse)
            .and_then(|id| state.app.directory().agency(&id).map(|a| a.name.clone()))
            .unwrap_or_default()
    };
    page.notice = q.moved.map(|count| {
        format!(
            "Đã bàn giao {count} mốc chưa hoàn thành của {} sang {}.",
            name(q.from.as_deref()),
            name(q.to.as_deref())
        )
    });
    render(&page)
}

async fn transfer(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnForm(fields): VnForm<TransferFields>,
) -> Result<Response, PageError> {
    user.check_csrf(fields.csrf_token.as_deref())?;
    user.require_admin()?;
    let as_of = as_of_or_today(fields.as_of.as_deref(), state.now().date_in_vietnam())?;
    let from = fields
        .from
        .as_deref()
        .and_then(|t| AgencyId::parse(t.trim()))
        .ok_or_else(|| bad_request("thiếu hoặc sai mã cơ quan bàn giao"))?;
    let other = fields.other.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let to = match other.or(fields.to.as_deref().map(str::trim)).filter(|t| !t.is_empty()) {
        None => None,
        Some(text) => {
            Some(AgencyId::parse(text).ok_or_else(|| bad_request(format!("mã cơ quan nhận «{text}» không hợp lệ")))?)
        }
    };
    let activities: Vec<String> =
        fields.activity.iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
    let result =
        state.app.transfer_activities(&user.user, None, &from, to.as_ref(), &activities, as_of, state.now()).await;
    match result {
        Ok(report) => {
            // Back to the unit's page while it still has work to divide, else to the list.
            let path =
                if activities.is_empty() { "/ban-giao".to_string() } else { format!("/ban-giao/{}", report.from.id) };
            Ok(Redirect::to(&format!(
                "{path}?ngay={}&da_chuyen={}&tu={}&sang={}",
                as_of.iso(),
                report.milestones,
                report.from.id,
                report.to.id
            ))
            .into_response())
        }
        Err(cchc_services::ServiceError::Invalid(problems)) => {
            let mut page = build(&state, &user, as_of).await?;
            page.problems = problems;
            let mut response = render(&page)?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(other) => Err(PageError::from(other)),
    }
}

#[derive(Template)]
#[template(path = "handover_agency.html")]
struct AgencyHandoverPage {
    nav: Nav,
    csrf_token: String,
    plan_key: String,
    as_of: String,
    row: Option<Row>,
    name: String,
    all: Vec<Choice>,
    notice: Option<String>,
}

/// `/ban-giao/{agency}`: one ended unit's open work activity by activity, each handed to the
/// successor chosen for it (a district's work divided between its wards).
async fn agency_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(agency): Path<String>,
    VnQuery(q): VnQuery<PageQuery>,
) -> Result<Response, PageError> {
    let as_of = as_of_or_today(q.as_of.as_deref(), state.now().date_in_vietnam())?;
    let id = AgencyId::parse(agency.trim())
        .filter(|id| state.app.directory().agency(id).is_some())
        .ok_or_else(|| PageError(WebError::NotFound(format!("cơ quan «{agency}»"))))?;
    let name = state.app.directory().agency(&id).map(|a| a.name.clone()).unwrap_or_default();
    let page = build(&state, &user, as_of).await?;
    let notice = q.moved.map(|count| {
        let to =
            q.to.as_deref()
                .and_then(AgencyId::parse)
                .and_then(|t| state.app.directory().agency(&t).map(|a| a.name.clone()));
        format!("Đã bàn giao {count} mốc chưa hoàn thành sang {}.", to.unwrap_or_default())
    });
    render(&AgencyHandoverPage {
        nav: page.nav,
        csrf_token: page.csrf_token,
        plan_key: page.plan_key,
        as_of: page.as_of,
        row: page.rows.into_iter().find(|r| r.id == id.as_str()),
        name,
        all: page.all,
        notice,
    })
}
