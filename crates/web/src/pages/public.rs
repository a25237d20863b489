//! Public transparency pages: no login, and no personal data — no usernames, no comments, no
//! files, no history authors. Citizens see the plan, its progress, what is late and who owns
//! it, and the evidence documents (number, date, issuer) of what was done.

use crate::extract::VnQuery;
use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use cchc_domain::tracking::{DerivedStatus, MilestoneRecord};
use cchc_domain::{AgencyId, AreaCode};
use cchc_services::dashboard::StatusCounts;

use crate::auth::MaybeUser;
use crate::error::PageError;
use crate::pages::plan::{
    activity_header, area_rows, as_of, by_agency, count, due_text, evidence_text, not_found, parse_area, parse_id,
    snapshot, summary, target_views, ActivityHeader, ActivityRow, AgencySummary, AsOf, Hidden, Summary, TargetView,
    EXPAND_ALL_UP_TO,
};
use crate::pages::{legend, render, status_class, Nav};
use crate::plan_choice::{plan_bar, PlanBar, PlanChoice};
use crate::AppState;

/// Agencies listed with their overdue milestones on the home page before "xem tất cả".
const OVERDUE_AGENCIES_SHOWN: usize = 30;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/cong-khai/linh-vuc/{code}", get(area_page))
        .route("/cong-khai/hoat-dong/{id}", get(activity_page))
}

/// A row of the progress-by-area table.
pub struct AreaRow {
    pub link: String,
    pub label: String,
    pub summary: Summary,
}

/// An overdue milestone, as the public sees it.
pub struct PublicItem {
    pub link: String,
    pub code: String,
    pub title: String,
    pub label: String,
    pub due: String,
}

/// One agency's overdue milestones.
pub struct OverdueGroup {
    pub name: String,
    pub items: Vec<PublicItem>,
}

#[derive(Template)]
#[template(path = "public_home.html")]
struct HomePage {
    nav: Nav,
    plan_bar: PlanBar,
    asof: AsOf,
    plan_title: String,
    decision: String,
    activity_count: usize,
    overall: Summary,
    legend: Vec<(&'static str, &'static str)>,
    areas: Vec<AreaRow>,
    overdue_total: usize,
    groups: Vec<OverdueGroup>,
    hidden_groups: usize,
    all_link: String,
}

async fn home(
    State(state): State<AppState>,
    plan: PlanChoice,
    MaybeUser(user): MaybeUser,
    VnQuery(q): VnQuery<crate::pages::plan::PageQuery>,
) -> Result<Response, PageError> {
    let asof = as_of(&state, &plan, q.as_of.as_deref(), "/").await?;
    let snap = snapshot(&state, &plan).await?;
    let plan = &snap.current.plan;
    let mut overall = StatusCounts::default();
    let mut by_area: HashMap<AreaCode, StatusCounts> = HashMap::new();
    let mut overdue: Vec<&MilestoneRecord> = Vec::new();
    for m in &snap.current.milestones {
        let status = m.derived(asof.date, state.app.calendar());
        overall.add(status);
        by_area.entry(m.area).or_default().add(status);
        if status == DerivedStatus::Overdue {
            overdue.push(m);
        }
    }
    let overdue_total = overdue.len();
    let mut groups: Vec<(AgencyId, Vec<&MilestoneRecord>)> = by_agency(&overdue);
    // Most overdue first; plan order breaks ties.
    groups.sort_by_key(|g| std::cmp::Reverse(g.1.len()));
    let show_all = q.all.is_some();
    let hidden_groups = if show_all { 0 } else { groups.len().saturating_sub(OVERDUE_AGENCIES_SHOWN) };
    let groups = groups
        .into_iter()
        .take(if show_all { usize::MAX } else { OVERDUE_AGENCIES_SHOWN })
        .map(|(agency, mut ms)| {
            ms.sort_by(|a, b| a.due.cmp(&b.due).then(a.id.cmp(&b.id)));
            OverdueGroup {
                name: snap.agency_name(&agency),
                items: ms
                    .iter()
                    .map(|m| PublicItem {
                        link: asof.link(&format!("/cong-khai/hoat-dong/{}", m.activity.0)),
                        code: m.activity_code(),
                        title: m.activity_title.clone(),
                        label: m.label.clone(),
                        due: due_text(m),
                    })
                    .collect(),
            }
        })
        .collect();
    let meta = &plan.meta;
    let mut decision = String::new();
    if !meta.decision_number.is_empty() {
        decision = format!("Ban hành kèm theo Quyết định số {}", meta.decision_number);
        if let Some(date) = meta.decision_date {
            decision.push_str(&format!(" ngày {date}"));
        }
        if !meta.province.is_empty() {
            decision.push_str(&format!(" của UBND tỉnh {}", meta.province));
        }
    }
    let page = HomePage {
        nav: Nav::new(user.as_ref()),
        plan_bar: plan_bar(&state, &snap.current, &asof.action).await?,
        plan_title: if meta.title.is_empty() {
            "Kế hoạch cải cách hành chính".to_string()
        } else {
            meta.title.clone()
        },
        decision,
        activity_count: plan.activity_count(),
        overall: summary(&overall),
        legend: legend(),
        areas: plan
            .areas
            .iter()
            .map(|a| AreaRow {
                link: asof.link(&format!("/cong-khai/linh-vuc/{}", a.code)),
                label: format!("{}. {}", a.code, a.title),
                summary: summary(&by_area.get(&a.code).copied().unwrap_or_default()),
            })
            .collect(),
        overdue_total,
        groups,
        hidden_groups,
        all_link: format!("/?as_of={}&tat_ca=1#qua-han", asof.iso),
        asof,
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "public_area.html")]
struct AreaPage {
    nav: Nav,
    plan_bar: PlanBar,
    asof: AsOf,
    code: String,
    title: String,
    targets: Vec<TargetView>,
    tasks: Vec<String>,
    overall: Summary,
    legend: Vec<(&'static str, &'static str)>,
    activities: Vec<ActivityRow>,
}

async fn area_page(
    State(state): State<AppState>,
    plan: PlanChoice,
    MaybeUser(user): MaybeUser,
    Path(raw): Path<String>,
    VnQuery(q): VnQuery<crate::pages::plan::PageQuery>,
) -> Result<Response, PageError> {
    let code = parse_area(&raw)?;
    let asof = as_of(&state, &plan, q.as_of.as_deref(), &format!("/cong-khai/linh-vuc/{code}")).await?;
    let snap = snapshot(&state, &plan).await?;
    let area = snap.current.plan.area(code).ok_or_else(|| not_found(format!("lĩnh vực {code}")))?;
    let all = snap.current.milestones.iter().filter(|m| m.area == code);
    let page = AreaPage {
        nav: Nav::new(user.as_ref()),
        plan_bar: plan_bar(&state, &snap.current, &asof.action).await?,
        code: code.to_string(),
        title: area.title.clone(),
        targets: target_views(&area.targets),
        tasks: area.tasks.iter().map(|t| t.text.clone()).collect(),
        overall: summary(&count(&state, all, asof.date)),
        legend: legend(),
        activities: area_rows(&state, &snap, area, "/cong-khai/hoat-dong/", &asof),
        asof,
    };
    render(&page)
}

/// A milestone as the public sees it: status and evidence document only.
pub struct PublicMilestone {
    pub label: String,
    pub due: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub evidence: String,
}

/// One agency's milestones on the public activity page.
pub struct PublicSection {
    pub id: String,
    pub name: String,
    pub milestones: Vec<PublicMilestone>,
}

#[derive(Template)]
#[template(path = "public_activity.html")]
struct ActivityPage {
    nav: Nav,
    plan_bar: PlanBar,
    asof: AsOf,
    header: ActivityHeader,
    area_link: String,
    overall: Summary,
    legend: Vec<(&'static str, &'static str)>,
    show_summary: bool,
    /// The summary table comes before the expanded sections (small activities) or after them.
    summary_first: bool,
    agencies: Vec<AgencySummary>,
    sections: Vec<PublicSection>,
}

async fn activity_page(
    State(state): State<AppState>,
    plan: PlanChoice,
    MaybeUser(user): MaybeUser,
    Path(raw): Path<String>,
    VnQuery(q): VnQuery<crate::pages::plan::PageQuery>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw, "hoạt động")?;
    let snap = snapshot(&state, &plan).await?;
    let (entry, area, activity) = snap.activity(id).ok_or_else(|| not_found(format!("hoạt động số {id}")))?;
    let mut asof = as_of(&state, &plan, q.as_of.as_deref(), &format!("/cong-khai/hoat-dong/{id}")).await?;
    let chosen = match q.agency.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => Some(
            AgencyId::parse(raw)
                .filter(|a| snap.knows_agency(a))
                .ok_or_else(|| not_found(format!("cơ quan «{}»", crate::rejection::shorten(raw))))?,
        ),
    };
    if let Some(agency) = &chosen {
        asof.hidden.push(Hidden { name: "co_quan", value: agency.to_string() });
    }
    let milestones = snap.milestones_of_activity(id);
    let groups = by_agency(&milestones);
    let expand_all = groups.len() <= EXPAND_ALL_UP_TO;
    let expanded = |agency: &AgencyId| expand_all || chosen.as_ref() == Some(agency);
    let ids: Vec<_> = groups.iter().filter(|(a, _)| expanded(a)).flat_map(|(_, ms)| ms.iter().map(|m| m.id)).collect();
    // Only the evidence documents: the services hand out nothing personal for these pages.
    let evidence = state.app.public_evidence(&ids).await?;
    let mut agencies = Vec::new();
    let mut sections = Vec::new();
    for (agency, ms) in &groups {
        let open = expanded(agency);
        let name = snap.agency_name(agency);
        agencies.push(AgencySummary {
            id: agency.to_string(),
            name: name.clone(),
            link: format!("/cong-khai/hoat-dong/{id}?as_of={}&co_quan={agency}#co-quan-{agency}", asof.iso),
            expanded: open,
            summary: summary(&count(&state, ms.iter().copied(), asof.date)),
        });
        if open {
            let milestones = ms
                .iter()
                .map(|m| {
                    let status = m.derived(asof.date, state.app.calendar());
                    PublicMilestone {
                        label: m.label.clone(),
                        due: due_text(m),
                        status: status.label_vn(),
                        status_class: status_class(status),
                        evidence: evidence.get(&m.id).and_then(evidence_text).unwrap_or_default(),
                    }
                })
                .collect();
            sections.push(PublicSection { id: agency.to_string(), name, milestones });
        }
    }
    let page = ActivityPage {
        nav: Nav::new(user.as_ref()),
        plan_bar: plan_bar(&state, &snap.current, &asof.action).await?,
        header: activity_header(&state, &snap, entry, area, activity),
        area_link: asof.link(&format!("/cong-khai/linh-vuc/{}", area.code)),
        overall: summary(&count(&state, milestones.iter().copied(), asof.date)),
        legend: legend(),
        show_summary: groups.len() > 1,
        summary_first: expand_all || sections.is_empty(),
        agencies,
        sections,
        asof,
    };
    render(&page)
}
