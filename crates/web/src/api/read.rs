//! Read endpoints. All of them read the cached current plan (`App::current`): no query per row.

use std::collections::HashMap;

use axum::extract::State;
use axum::Json;
use cchc_domain::tracking::{milestone_specs, ActivityId};
use cchc_domain::{AgencyId, AgencyKind, AreaCode};
use cchc_services::dashboard::UPCOMING_DAYS;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{
    counts, percent, ActivityDto, ActivityRefDto, AgencyDto, AgencyRefDto, AreaCountsDto, AssignmentDto, DashboardDto,
    DashboardMilestoneDto, GroupCountsDto, HistoryEntryDto, MilestoneDetailDto, MilestoneDto, PlanActivityDto,
    ResponsibleDto,
};
use super::openapi::{E401, E404, E422};
use super::schema::{AgencyKindValue, IsoDate};
use super::{as_of, milestone_id, ApiPath, ApiQuery, Problem};
use crate::auth::ApiUser;
use crate::AppState;

/// How many overdue / upcoming milestones the dashboard lists.
pub const LIST_LIMIT: usize = 50;

/// The query of `GET /api/agencies`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgencyQuery {
    /// Tìm theo tên, tên khác hoặc mã (không phân biệt dấu).
    search: Option<String>,
    /// Chỉ các cơ quan loại này.
    #[param(value_type = Option<AgencyKindValue>)]
    kind: Option<String>,
    /// Danh mục tại ngày này: các cơ quan, đơn vị tồn tại ngày đó, với tên gọi khi đó; mặc định
    /// như `as_of` của `/api/assignments` (hôm nay, hoặc ngày chốt số liệu cuối của kế hoạch
    /// đã qua năm).
    #[param(value_type = Option<IsoDate>)]
    as_of: Option<String>,
}

#[utoipa::path(
    get, path = "/api/agencies", tag = "plan", operation_id = "listAgencies",
    summary = "Danh mục cơ quan, đơn vị, địa phương",
    params(AgencyQuery),
    responses(
        (status = 200, description = "Cơ quan", body = Vec<AgencyDto>),
        (status = 401, response = E401),
        (status = 422, response = E422),
    ),
)]
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
    let date = as_of(&state, query.as_of.as_deref()).await?;
    let directory = state.app.directory_on(date);
    let found = directory.search(query.search.as_deref().unwrap_or(""));
    Ok(Json(
        found.into_iter().filter(|a| kind.is_none_or(|k| a.kind == k)).map(|a| AgencyDto::new(a, directory)).collect(),
    ))
}

/// The query of `GET /api/activities`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// Lĩnh vực I–VIII (máy chủ cũng nhận 1–8).
    #[param(value_type = Option<super::schema::AreaCodeValue>)]
    area: Option<String>,
    /// Tìm toàn văn, không phân biệt dấu: "so noi vu" tìm thấy "Sở Nội vụ".
    q: Option<String>,
}

#[utoipa::path(
    get, path = "/api/activities", tag = "plan", operation_id = "listActivities",
    summary = "Hoạt động của kế hoạch hiện hành",
    params(ActivityQuery),
    responses(
        (status = 200, description = "Hoạt động", body = Vec<ActivityDto>),
        (status = 401, response = E401),
        (status = 422, response = E422),
    ),
)]
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
            out.push(ActivityDto {
                id: id.0,
                code,
                area: plan_area.code.as_str(),
                area_title: plan_area.title.clone(),
                activity: PlanActivityDto::new(activity),
                assignment_count: assignments,
                milestones_per_assignment: milestone_specs(activity).len(),
                milestone_count,
            });
        }
    }
    Ok(Json(out))
}

/// The query of `GET /api/assignments`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssignmentQuery {
    /// Mã cơ quan (ví dụ so-tu-phap) hoặc tên; bỏ trống: mọi cơ quan.
    agency: Option<String>,
    /// Tính trạng thái tại ngày này; mặc định hôm nay (giờ Việt Nam), hoặc ngày chốt số liệu
    /// của kỳ báo cáo cuối khi năm kế hoạch đã qua.
    #[param(value_type = Option<IsoDate>)]
    as_of: Option<String>,
}

#[utoipa::path(
    get, path = "/api/assignments", tag = "tracking", operation_id = "listAssignments",
    summary = "Nhiệm vụ (mỗi cơ quan chủ trì một nhiệm vụ) và các mốc với trạng thái tính được",
    params(AssignmentQuery),
    responses(
        (status = 200, description = "Nhiệm vụ", body = Vec<AssignmentDto>),
        (status = 401, response = E401),
        (status = 404, response = E404),
        (status = 422, response = E422),
    ),
)]
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

/// The query of the reads that compute statuses as of a date.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// Tính trạng thái tại ngày này; mặc định hôm nay (giờ Việt Nam), hoặc ngày chốt số liệu
    /// của kỳ báo cáo cuối khi năm kế hoạch đã qua.
    #[param(value_type = Option<IsoDate>)]
    as_of: Option<String>,
}

#[utoipa::path(
    get, path = "/api/milestones/{id}", tag = "tracking", operation_id = "getMilestone",
    summary = "Một mốc thời hạn và lịch sử tiến độ của nó (404 với cán bộ cơ quan khác)",
    params(("id" = i64, Path, minimum = 1, description = "Mã mốc thời hạn"), AsOfQuery),
    responses(
        (status = 200, description = "Mốc", body = MilestoneDetailDto),
        (status = 401, response = E401),
        (status = 404, response = E404),
        (status = 422, response = E422),
    ),
)]
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

#[utoipa::path(
    get, path = "/api/dashboard", tag = "tracking", operation_id = "dashboard",
    summary = "Bảng điều khiển toàn tỉnh: số mốc theo trạng thái, theo lĩnh vực và nhóm cơ quan; quá hạn; sắp đến hạn",
    params(AsOfQuery),
    responses(
        (status = 200, description = "Bảng điều khiển", body = DashboardDto),
        (status = 401, response = E401),
        (status = 422, response = E422),
    ),
)]
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
