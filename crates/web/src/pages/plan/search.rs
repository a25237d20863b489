//! Search (`/tim-kiem`): activities by accent-insensitive phrase, and agencies by name.

use super::*;
use crate::extract::VnQuery;
use crate::plan_choice::{plan_bar, PlanBar, PlanChoice};

// ---------------------------------------------------------------------------------------------
// Search.

/// An agency found by name.
pub struct AgencyHit {
    pub link: String,
    pub name: String,
    pub kind: &'static str,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    nav: Nav,
    plan_bar: PlanBar,
    asof: AsOf,
    q: String,
    searched: bool,
    agencies: Vec<AgencyHit>,
    activities: Vec<ActivityRow>,
    legend: Vec<(&'static str, &'static str)>,
    exports: Exports,
}

pub(super) async fn search_page(
    State(state): State<AppState>,
    plan: PlanChoice,
    PageUser(user): PageUser,
    VnQuery(q): VnQuery<PageQuery>,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, PageError> {
    let text = q.text.as_deref().unwrap_or_default().trim().to_string();
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(bad_request(format!("từ khóa tìm kiếm dài quá {MAX_QUERY_CHARS} ký tự")));
    }
    let mut asof = as_of(&state, &plan, q.as_of.as_deref(), "/tim-kiem").await?;
    if !text.is_empty() {
        asof.hidden.push(Hidden { name: "q", value: text.clone() });
    }
    let snap = snapshot(&state, &plan).await?;
    let searched = !fold(&text).is_empty();
    let agencies = if searched {
        state
            .app
            .directory()
            .search(&text)
            .into_iter()
            .map(|a| AgencyHit {
                link: asof.link(&format!("/co-quan/{}", a.id)),
                name: a.name.clone(),
                kind: a.kind.label_vn(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let activities = snap
        .search(&text)
        .into_iter()
        .filter_map(|entry| {
            let activity = snap.current.plan.area(entry.area)?.activities.get(entry.position)?;
            Some(activity_row(&state, &snap, entry, activity, "/hoat-dong/", &asof))
        })
        .collect();
    let page = SearchPage {
        nav: Nav::new(Some(&user)),
        plan_bar: plan_bar(&state, &snap.current, &asof.action).await?,
        q: text,
        searched,
        agencies,
        activities,
        legend: legend(),
        exports: exports("tim-kiem", raw_query.as_deref()),
        asof,
    };
    render(&page)
}
