//! The page of one agency (`/co-quan/{id}`: its assignments as lead and partner with a scorecard) and the list of agencies (`/co-quan`).

use super::*;
use crate::extract::VnQuery;
use crate::plan_choice::{plan_bar, PlanBar, PlanChoice};

// ---------------------------------------------------------------------------------------------
// Agency page and agency list.

/// A count of one derived status.
pub struct CountCell {
    pub label: &'static str,
    pub class: &'static str,
    pub n: usize,
}

/// One lead assignment of an agency.
pub struct AssignmentView {
    pub link: String,
    pub code: String,
    pub title: String,
    pub lines: Vec<Line>,
}

/// An activity where the agency is only a partner.
pub struct PartnerView {
    pub link: String,
    pub code: String,
    pub title: String,
    pub lead: String,
    pub schedule: String,
}

#[derive(Template)]
#[template(path = "agency.html")]
struct AgencyPage {
    nav: Nav,
    plan_bar: PlanBar,
    asof: AsOf,
    name: String,
    kind: &'static str,
    parent: Option<NameLink>,
    is_own: bool,
    overall: Summary,
    cells: Vec<CountCell>,
    on_time_percent: String,
    legend: Vec<(&'static str, &'static str)>,
    assignments: Vec<AssignmentView>,
    partners: Vec<PartnerView>,
    exports: Exports,
}

pub(super) async fn agency_page(
    State(state): State<AppState>,
    plan: PlanChoice,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
    VnQuery(q): VnQuery<PageQuery>,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, PageError> {
    let snap = snapshot(&state, &plan).await?;
    let agency = agency_param(&snap, &raw)?;
    let asof = as_of(&state, &plan, q.as_of.as_deref(), &format!("/co-quan/{agency}")).await?;
    let directory = state.app.directory();
    let record = directory.agency(&agency).ok_or_else(|| not_found(format!("cơ quan «{agency}»")))?;
    let milestones = snap.milestones_of_agency(&agency);
    let counts = count(&state, milestones.iter().copied(), asof.date);

    let mut assignments: Vec<AssignmentView> = Vec::new();
    let mut current_activity = None;
    for m in &milestones {
        let status = m.derived(asof.date, state.app.calendar());
        if current_activity != Some(m.activity.0) {
            current_activity = Some(m.activity.0);
            assignments.push(AssignmentView {
                link: format!("/hoat-dong/{}?as_of={}&co_quan={agency}#co-quan-{agency}", m.activity.0, asof.iso),
                code: m.activity_code(),
                title: m.activity_title.clone(),
                lines: Vec::new(),
            });
        }
        if let Some(a) = assignments.last_mut() {
            a.lines.push(line(&snap, m, status, &asof, "/hoat-dong/"));
        }
    }
    let led: Vec<i64> = milestones.iter().map(|m| m.activity.0).collect();
    let mut partners = Vec::new();
    for area in &snap.current.plan.areas {
        for (position, activity) in area.activities.iter().enumerate() {
            let Some(id) = snap.activity_id_at(area.code, position) else { continue };
            if led.contains(&id) || !activity.is_partner(&agency, directory) {
                continue;
            }
            partners.push(PartnerView {
                link: asof.link(&format!("/hoat-dong/{id}")),
                code: format!("{}.{}", area.code, activity.number),
                title: activity.title.clone(),
                lead: refs_text(&activity.lead),
                schedule: activity.schedule.text.clone(),
            });
        }
    }
    let on_time = counts.get(DerivedStatus::DoneOnTime);
    let judged = on_time + counts.get(DerivedStatus::DoneLate) + counts.get(DerivedStatus::Overdue);
    let page = AgencyPage {
        nav: Nav::new(Some(&user)),
        plan_bar: plan_bar(&state, &snap.current, &asof.action).await?,
        name: record.name.clone(),
        kind: record.kind.label_vn(),
        parent: record.parent.as_ref().map(|p| NameLink { id: p.to_string(), name: snap.agency_name(p) }),
        is_own: own_agency(&user) == Some(&agency),
        overall: summary(&counts),
        cells: counts
            .entries()
            .into_iter()
            .map(|(s, n)| CountCell { label: s.label_vn(), class: status_class(s), n })
            .collect(),
        on_time_percent: if judged == 0 {
            "—".to_string()
        } else {
            cchc_domain::number::Percent1::share(on_time, judged).to_string()
        },
        legend: legend(),
        assignments,
        partners,
        exports: Exports {
            ics: Some(format!("/lich/{agency}.ics")),
            ..exports(&format!("co-quan-{agency}"), raw_query.as_deref())
        },
        asof,
    };
    render(&page)
}

/// A row of the agency list.
pub struct AgencyRow {
    pub link: String,
    pub name: String,
    pub kind: &'static str,
    pub in_progress: usize,
    pub summary: Summary,
}

/// A filter link of the agency list.
pub struct GroupLink {
    pub link: String,
    pub label: &'static str,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "agencies.html")]
struct AgenciesPage {
    nav: Nav,
    plan_bar: PlanBar,
    asof: AsOf,
    heading: String,
    groups: Vec<GroupLink>,
    all_link: String,
    all_active: bool,
    legend: Vec<(&'static str, &'static str)>,
    rows: Vec<AgencyRow>,
    without_assignments: usize,
}

pub(super) async fn agencies_page(
    State(state): State<AppState>,
    plan: PlanChoice,
    PageUser(user): PageUser,
    VnQuery(q): VnQuery<PageQuery>,
) -> Result<Response, PageError> {
    let group = group_filter(q.group.as_deref())?;
    let mut asof = as_of(&state, &plan, q.as_of.as_deref(), "/co-quan").await?;
    if let Some(kind) = group {
        asof.hidden.push(Hidden { name: "nhom", value: kind.as_str().to_string() });
    }
    let snap = snapshot(&state, &plan).await?;
    let mut rows = Vec::new();
    let mut without_assignments = 0;
    for agency in &state.app.directory_of_plan(&snap.current.plan.meta).agencies {
        if group.is_some_and(|k| k != agency.kind) {
            continue;
        }
        let milestones = snap.milestones_of_agency(&agency.id);
        if milestones.is_empty() {
            without_assignments += 1;
            continue;
        }
        let counts = count(&state, milestones, asof.date);
        rows.push((
            counts.get(DerivedStatus::Overdue),
            AgencyRow {
                link: asof.link(&format!("/co-quan/{}", agency.id)),
                name: agency.name.clone(),
                kind: agency.kind.label_vn(),
                in_progress: counts.get(DerivedStatus::InProgress),
                summary: summary(&counts),
            },
        ));
    }
    // Most overdue first; the directory order breaks ties.
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    let groups = GROUP_KINDS
        .iter()
        .map(|k| GroupLink {
            link: format!("/co-quan?nhom={}&as_of={}", k.as_str(), asof.iso),
            label: k.label_vn(),
            active: group == Some(*k),
        })
        .collect();
    let page = AgenciesPage {
        nav: Nav::new(Some(&user)),
        plan_bar: plan_bar(&state, &snap.current, &asof.action).await?,
        heading: group.map_or_else(|| "Tất cả cơ quan, đơn vị".to_string(), |k| k.label_vn().to_string()),
        groups,
        all_link: asof.link("/co-quan"),
        all_active: group.is_none(),
        legend: legend(),
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        without_assignments,
        asof,
    };
    render(&page)
}
