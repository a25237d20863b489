//! The page of one reform area (`/linh-vuc/{code}`): its targets and its activities with their status as of a date.

use super::*;
use crate::extract::VnQuery;
use crate::plan_choice::{plan_bar, PlanBar, PlanChoice};

// ---------------------------------------------------------------------------------------------
// Area page.

#[derive(Template)]
#[template(path = "area.html")]
struct AreaPage {
    nav: Nav,
    plan_bar: PlanBar,
    asof: AsOf,
    code: String,
    title: String,
    prose_title: String,
    targets: Vec<TargetView>,
    tasks: Vec<String>,
    overall: Summary,
    legend: Vec<(&'static str, &'static str)>,
    activities: Vec<ActivityRow>,
    exports: Exports,
}

pub(super) async fn area_page(
    State(state): State<AppState>,
    plan: PlanChoice,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
    VnQuery(q): VnQuery<PageQuery>,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, PageError> {
    let code = parse_area(&raw)?;
    let asof = as_of(&state, &plan, q.as_of.as_deref(), &format!("/linh-vuc/{code}")).await?;
    let snap = snapshot(&state, &plan).await?;
    let area = snap.current.plan.area(code).ok_or_else(|| not_found(format!("lĩnh vực {code}")))?;
    let all: Vec<&MilestoneRecord> = snap.current.milestones.iter().filter(|m| m.area == code).collect();
    let page = AreaPage {
        nav: Nav::new(Some(&user)),
        plan_bar: plan_bar(&state, &snap.current, &asof.action).await?,
        code: code.to_string(),
        title: area.title.clone(),
        prose_title: area.prose_title.clone().unwrap_or_default(),
        targets: target_views(&area.targets),
        tasks: area.tasks.iter().map(|t| t.text.clone()).collect(),
        overall: summary(&count(&state, all, asof.date)),
        legend: legend(),
        activities: area_rows(&state, &snap, area, "/hoat-dong/", &asof),
        exports: exports(&format!("linh-vuc-{code}"), raw_query.as_deref()),
        asof,
    };
    render(&page)
}
