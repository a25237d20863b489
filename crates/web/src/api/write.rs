//! Write endpoints. Each is one service call, hence one transaction; the caller's right to
//! write is checked here against the stored milestone (never an id from the client) and again
//! in the services.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use cchc_domain::tracking::{ActivityId, Evidence, ProgressState, ProgressStatus};
use cchc_services::tracking::ProgressInput;

use super::dto::{EventRequest, EventResultDto, HistoryEntryDto, MilestoneDto, ProgressRequest, ProgressResultDto};
use super::openapi::{E400, E401, E403, E404, E413, E415, E422};
use super::{milestone_id, optional_date, parse_json, ApiPath, Problem, WriteUser};
use crate::error::WebError;
use crate::AppState;

#[utoipa::path(
    post, path = "/api/milestones/{id}/progress", tag = "tracking", operation_id = "recordProgress", security(("session" = [], "csrf" = [])),
    summary = "Ghi tiến độ của một mốc (cán bộ của chính cơ quan đó hoặc quản trị)",
    params(("id" = i64, Path, minimum = 1, description = "Mã mốc thời hạn")),
    request_body = ProgressRequest,
    responses(
        (status = 200, description = "Đã ghi", body = ProgressResultDto),
        (status = 400, response = E400),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 404, response = E404),
        (status = 413, response = E413),
        (status = 415, response = E415),
        (status = 422, response = E422),
    ),
)]
pub async fn record_progress(
    State(state): State<AppState>,
    WriteUser(user): WriteUser,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ProgressResultDto>, Problem> {
    let id = milestone_id(&id)?;
    let record = state.app.milestone(id).await?;
    if !user.user.may_write_for(&record.agency) {
        return Err(Problem::from(WebError::Forbidden(format!(
            "tài khoản «{}» không được cập nhật tiến độ của {}",
            user.user.username,
            state.app.agency_name(&record.agency)
        ))));
    }
    let body: ProgressRequest = parse_json(&headers, body)?;
    let mut problems = Vec::new();
    let status = match body.status.as_deref().map(str::trim) {
        None | Some("") => {
            problems.push("status: cần trạng thái (not_started, in_progress hoặc done)".to_string());
            None
        }
        Some(text) => {
            let parsed = ProgressStatus::parse(text);
            if parsed.is_none() {
                problems.push(format!(
                    "status: trạng thái «{text}» không hợp lệ; dùng not_started (chưa triển khai), \
                     in_progress (đang triển khai) hoặc done (hoàn thành)"
                ));
            }
            parsed
        }
    };
    let completed_on = optional_date("completed_on", body.completed_on.as_deref(), &mut problems);
    let evidence = body.evidence.unwrap_or_default();
    let evidence_date = optional_date("evidence.date", evidence.date.as_deref(), &mut problems);
    let Some(status) = status.filter(|_| problems.is_empty()) else {
        return Err(Problem::invalid(problems));
    };
    let input = ProgressInput {
        status,
        completed_on,
        evidence: Evidence {
            number: evidence.number.unwrap_or_default(),
            date: evidence_date,
            issuer: evidence.issuer.unwrap_or_default(),
        },
        file: None,
        comment: body.comment.unwrap_or_default(),
    };
    let now = state.now();
    let entry = state.app.record_progress(&user.user, id, input, now).await?;
    // The milestone as it now stands: the entry just written is its current progress.
    let mut updated = record;
    updated.progress = ProgressState { status: entry.status, completed_on: entry.completed_on };
    updated.updated_at = Some(entry.recorded_at.clone());
    let derived = updated.derived(now.date_in_vietnam(), state.app.calendar());
    Ok(Json(ProgressResultDto {
        entry: HistoryEntryDto::new(&entry),
        milestone: MilestoneDto::new(&updated, derived),
        derived_status: derived.as_str(),
        derived_status_label: derived.label_vn(),
    }))
}

#[utoipa::path(
    post, path = "/api/activities/{activity_id}/events", tag = "tracking", operation_id = "recordEvent", security(("session" = [], "csrf" = [])),
    summary = "Ghi nhận sự kiện của một mục thời hạn chờ sự kiện (chỉ quản trị)",
    params(("activity_id" = i64, Path, minimum = 1, description = "Mã hoạt động")),
    request_body = EventRequest,
    responses(
        (status = 200, description = "Hạn đã tính", body = EventResultDto),
        (status = 400, response = E400),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 404, response = E404),
        (status = 415, response = E415),
        (status = 422, response = E422),
    ),
)]
pub async fn record_event(
    State(state): State<AppState>,
    WriteUser(user): WriteUser,
    ApiPath(activity): ApiPath<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<EventResultDto>, Problem> {
    user.require_admin()?;
    let activity = activity.parse::<i64>().ok().filter(|id| *id > 0).map(ActivityId).ok_or_else(|| {
        Problem::from(WebError::NotFound(format!("hoạt động «{}»", crate::rejection::shorten(&activity))))
    })?;
    let body: EventRequest = parse_json(&headers, body)?;
    let mut problems = Vec::new();
    if body.item.is_none() {
        problems.push("item: cần vị trí (từ 0) của mục thời hạn chờ sự kiện".to_string());
    }
    let occurred_on = optional_date("occurred_on", body.occurred_on.as_deref(), &mut problems);
    if body.occurred_on.as_deref().is_none_or(|t| t.trim().is_empty()) {
        problems.push("occurred_on: cần ngày xảy ra sự kiện".to_string());
    }
    let due = optional_date("due", body.due.as_deref(), &mut problems);
    // Checked with every other typed text in the services.
    let description = body.description.unwrap_or_default();
    let (Some(item), Some(occurred_on), true) = (body.item, occurred_on, problems.is_empty()) else {
        return Err(Problem::invalid(problems));
    };
    let current = state.app.current().await?;
    let (due, dated) = state
        .app
        .record_event(
            &user.user,
            &current.version,
            activity,
            item as usize,
            occurred_on,
            due,
            &description,
            state.now(),
        )
        .await?;
    Ok(Json(EventResultDto {
        activity_id: activity.0,
        item,
        occurred_on: occurred_on.iso(),
        due: due.iso(),
        milestones_dated: dated,
    }))
}
