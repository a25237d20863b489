//! Read endpoints. All of them read the cached current plan (`App::current`): no query per row.

use std::collections::HashMap;

use axum::extract::State;
use axum::Json;
use cchc_domain::tracking::{milestone_specs, ActivityId};
use cchc_domain::{AgencyId, AgencyKind, AreaCode};
use cchc_services::dashboard::UPCOMING_DAYS;
use serde::Deserialize;

use super::dto::{
    counts, percent, ActivityDto, ActivityRefDto, AgencyDto, AgencyRefDto, AreaCountsDto, AssignmentDto, DashboardDto,
    DashboardMilestoneDto, GroupCountsDto, HistoryEntryDto, MilestoneDetailDto, MilestoneDto, ResponsibleDto,
    ScheduleDto,
};
use super::{as_of, milestone_id, ApiPath, ApiQuery, Problem};
use crate::auth::ApiUser;
use crate::AppState;

/// How many overdue / upcoming milestones the dashboard lists.
pub const LIST_LIMIT: usize = 50;

#[derive(Debug, Deserialize)]
pub struct AgencyQuery {
    search: Option<String>,
    kind: Option<String>,
}

pub async fn agencies(
    State(state): State<AppState>,
    ApiUser(_): ApiUser,
    ApiQuery(query): ApiQuery<AgencyQuery>,
) -> Result<Json<Vec<AgencyDto>>, Problem> {
    let kind = match query.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => None,
        Some(text) => Some(AgencyKind::parse(text).ok_or_else(|| {
            Problem::invalid(vec![format!(
                "kind: loại cơ quan «{text}» không hợp lệ; \
                 dùng province, department, sectoral, district, commune hoặc other"
            )])
        })?),
    };
    let directory = state.app.directory();
    let found = directory.search(query.search.as_deref().unwrap_or(""));
    Ok(Json(
        found.into_iter().filter(|a| kind.is_none_or(|k| a.kind == k)).map(|a| AgencyDto::new(a, directory)).collect(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct ActivityQuery {
    area: Option<String>,
    q: Option<String>,
}

pub async fn activities(
    State(state): State<AppState>,
    ApiUser(_): ApiUser,
    ApiQuery(query): ApiQuery<ActivityQuery>,
) -> Result<Json<Vec<ActivityDto>>, Problem> {
    let area = match query.area.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(text) => Some(AreaCode::parse(text).ok_or_else(|| {
            Problem::invalid(vec![format!("area: lĩnh vực «{text}» không hợp lệ; dùng I–VIII hoặc 1–8")])
        })?),
    };
    let needle = cchc_domain::text::fold(query.q.as_deref().unwrap_or(""));
    let snap = state.app.snapshot().await?;
    let current = &snap.current;
    let directory = state.app.directory();
    let mut per_activity: HashMap<ActivityId, (Vec<i64>, usize)> = HashMap::new();
    for m in &current.milestones {
        let entry = per_activity.entry(m.activity).or_default();
        if entry.0.last() != Some(&m.assignment.0) {
            entry.0.push(m.assignment.0);
        }
        entry.1 += 1;
    }
    let mut out = Vec::new();
    for plan_area in &current.plan.areas {
        if area.is_some_and(|a| a != plan_area.code) {
            continue;
        }
        for (position, activity) in plan_area.activities.iter().enumerate() {
            let code = format!("{}.{}", plan_area.code, activity.number);
            if !needle.is_empty() {
                let mut haystack = vec![code.clone(), activity.title.clone(), activity.note.clone()];
                haystack.extend(activity.outputs.iter().cloned());
                for reference in activity.lead.iter().chain(&activity.partners) {
                    haystack.push(reference.text.clone());
                    haystack.extend(
                        reference.agencies.iter().filter_map(|id| directory.agency(id)).map(|a| a.name.clone()),
                    );
                }
                if !haystack.iter().any(|h| cchc_domain::text::fold(h).contains(&needle)) {
                    continue;
                }
            }
            let Some(id) = snap.activity_id_at(plan_area.code, position).map(ActivityId) else { continue };
            let (assignments, milestone_count) =
                per_activity.get(&id).map_or((0, 0), |(assignments, n)| (assignments.len(), *n));
            let kind = activity.schedule.kind();
            out.push(ActivityDto {
                id: id.0,
                code,
                area: plan_area.code.as_str(),
                area_title: plan_area.title.clone(),
                number: activity.number.clone(),
                title: activity.title.clone(),
                outputs: activity.outputs.clone(),
                lead: activity.lead.iter().map(ResponsibleDto::new).collect(),
                partners: activity.partners.iter().map(ResponsibleDto::new).collect(),
                note: activity.note.clone(),
                schedule: ScheduleDto {
                    text: activity.schedule.text.clone(),
                    kind: kind.as_str(),
                    kind_label: kind.label_vn(),
                },
                assignment_count: assignments,
                milestones_per_assignment: milestone_specs(activity).len(),
                milestone_count,
            });
        }
    }
    Ok(Json(out))
}

#[derive(Debug, Deserialize)]
pub struct AssignmentQuery {
    agency: Option<String>,
    as_of: Option<String>,
}

pub async fn assignments(
    State(state): State<AppState>,
    ApiUser(_): ApiUser,
    ApiQuery(query): ApiQuery<AssignmentQuery>,
) -> Result<Json<Vec<AssignmentDto>>, Problem> {
    let as_of = as_of(&state, query.as_of.as_deref()).await?;
    let directory = state.app.directory();
    let agency = match query.agency.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(text) => Some(resolve_agency(&state, text)?),
    };
    let current = state.app.current().await?;
    let calendar = state.app.calendar();
    // Partners are printed per activity; look them up by (area, number) once.
    let mut partners = HashMap::new();
    for (area, activity) in current.plan.activities() {
        partners.entry((area.code, activity.number.as_str())).or_insert(&activity.partners);
    }
    let mut out: Vec<AssignmentDto> = Vec::new();
    for m in current.milestones.iter().filter(|m| agency.as_ref().is_none_or(|a| &m.agency == a)) {
        let milestone = MilestoneDto::new(m, m.derived(as_of, calendar));
        match out.last_mut() {
            Some(last) if last.id == m.assignment.0 => last.milestones.push(milestone),
            _ => out.push(AssignmentDto {
                id: m.assignment.0,
                activity: ActivityRefDto::new(m),
                agency: AgencyRefDto::new(&m.agency, directory),
                role: "lead",
                partners: partners
                    .get(&(m.area, m.activity_number.as_str()))
                    .map(|refs| refs.iter().map(ResponsibleDto::new).collect())
                    .unwrap_or_default(),
                milestones: vec![milestone],
            }),
        }
    }
    Ok(Json(out))
}

/// An agency by id, or else by name or abbreviation as people type it; 404 when unknown.
fn resolve_agency(state: &AppState, text: &str) -> Result<AgencyId, Problem> {
    if let Some(agency) = AgencyId::parse(text).and_then(|id| state.app.directory().agency(&id)) {
        return Ok(agency.id.clone());
    }
    Ok(state.app.resolve_agency(text)?.id.clone())
}

#[derive(Debug, Deserialize)]
pub struct AsOfQuery {
    as_of: Option<String>,
}

pub async fn milestone(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<AsOfQuery>,
) -> Result<Json<MilestoneDetailDto>, Problem> {
    let as_of = as_of(&state, query.as_of.as_deref()).await?;
    let id = milestone_id(&id)?;
    // 404 for an officer of another agency, as for a milestone that does not exist.
    let (record, history) = state.app.milestone_with_history(&user.user, id).await?;
    let directory = state.app.directory();
    Ok(Json(MilestoneDetailDto {
        milestone: MilestoneDto::new(&record, record.derived(as_of, state.app.calendar())),
        as_of: as_of.iso(),
        assignment_id: record.assignment.0,
        activity: ActivityRefDto::new(&record),
        agency: AgencyRefDto::new(&record.agency, directory),
        can_write: user.user.may_write_for(&record.agency),
        history: history.iter().map(HistoryEntryDto::new).collect(),
    }))
}

pub async fn dashboard(
    State(state): State<AppState>,
    ApiUser(_): ApiUser,
    ApiQuery(query): ApiQuery<AsOfQuery>,
) -> Result<Json<DashboardDto>, Problem> {
    let as_of = as_of(&state, query.as_of.as_deref()).await?;
    let (_, board) = state.app.dashboard(as_of).await?;
    let directory = state.app.directory();
    let list = |items: &[cchc_services::dashboard::Evaluated]| -> Vec<DashboardMilestoneDto> {
        items.iter().take(LIST_LIMIT).map(|e| DashboardMilestoneDto::new(&e.milestone, e.status, directory)).collect()
    };
    Ok(Json(DashboardDto {
        as_of: as_of.iso(),
        total: board.overall.total(),
        counts: counts(&board.overall),
        done_percent: percent(board.overall.done_percent()),
        areas: board
            .by_area
            .iter()
            .map(|b| AreaCountsDto {
                code: b.key.as_str(),
                title: b.label.clone(),
                total: b.counts.total(),
                done_percent: percent(b.counts.done_percent()),
                counts: counts(&b.counts),
            })
            .collect(),
        groups: board
            .by_group
            .iter()
            .map(|b| GroupCountsDto {
                kind: b.key.as_str(),
                label: b.label.clone(),
                total: b.counts.total(),
                done_percent: percent(b.counts.done_percent()),
                counts: counts(&b.counts),
            })
            .collect(),
        overdue: list(&board.overdue),
        overdue_total: board.overdue.len(),
        upcoming: list(&board.upcoming),
        upcoming_total: board.upcoming.len(),
        upcoming_days: UPCOMING_DAYS,
    }))
}
