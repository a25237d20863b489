//! Accounts: `GET /api/users` and `POST /api/users` (administrators), `PATCH
//! /api/users/{username}` (deactivate / reactivate, reset the password; administrators) and
//! `PUT /api/me/password` (everyone, their own). The services check the caller again.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cchc_domain::account::UserRole;
use cchc_domain::AgencyId;
use cchc_services::accounts::{NewAccount, PasswordChangeError};

use super::dto::{AccountDto, AccountResultDto, NewUserRequest, PasswordChangeRequest, UserPatchRequest};
use super::{parse_json, ApiPath, Problem, WriteUser};
use crate::auth::{ApiUser, ClientAddr};
use crate::AppState;

pub async fn list(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<Vec<AccountDto>>, Problem> {
    user.require_admin()?;
    let accounts = state.app.accounts(&user.user).await?;
    Ok(Json(accounts.iter().map(|a| AccountDto::new(a, state.app.directory())).collect()))
}

pub async fn create(
    State(state): State<AppState>,
    WriteUser(user): WriteUser,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    user.require_admin()?;
    let body: NewUserRequest = parse_json(&headers, body)?;
    let account = new_account(&body)?;
    let created = state.app.create_account_as(&user.user, &account, state.now()).await?;
    let dto =
        AccountResultDto { user: AccountDto::new(&created.user, state.app.directory()), password: created.password };
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}

/// The account a `POST /api/users` body asks for; 422 with every problem of its shape (the
/// services check the rest: username, password, agency of the role).
fn new_account(body: &NewUserRequest) -> Result<NewAccount, Problem> {
    let mut problems = Vec::new();
    let role = UserRole::parse(body.role.trim());
    if role.is_none() {
        problems.push(format!("role: vai trò «{}» không hợp lệ; dùng admin, agency hoặc viewer", body.role.trim()));
    }
    let agency = match body.agency.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(text) => {
            let parsed = AgencyId::parse(text);
            if parsed.is_none() {
                problems.push(format!("agency: mã cơ quan «{text}» không hợp lệ"));
            }
            parsed
        }
    };
    let Some(role) = role.filter(|_| problems.is_empty()) else { return Err(Problem::invalid(problems)) };
    Ok(NewAccount {
        username: body.username.trim().to_string(),
        display_name: body.display_name.clone().unwrap_or_default(),
        role,
        agency,
        password: body.password.clone().unwrap_or_default(),
    })
}

pub async fn update(
    State(state): State<AppState>,
    WriteUser(user): WriteUser,
    ApiPath(username): ApiPath<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<AccountResultDto>, Problem> {
    user.require_admin()?;
    // 404 before the body is read.
    let mut target = state.app.account(&user.user, &username).await?;
    let body: UserPatchRequest = parse_json(&headers, body)?;
    let now = state.now();
    let mut password = None;
    match (body.active, body.password) {
        (Some(active), None) => {
            target = state.app.set_account_active(&user.user, &target.username, active, now).await?;
        }
        (None, Some(requested)) => {
            let requested = requested.filter(|p| !p.is_empty());
            let change = state.app.reset_password(&user.user, &target.username, requested.as_deref(), now).await?;
            password = change.password;
        }
        (active, requested) => {
            let which = if active.is_some() && requested.is_some() { "chỉ một trong hai: " } else { "" };
            return Err(Problem::invalid(vec![format!(
                "cần {which}«active» (true / false) hoặc «password» (chuỗi, hoặc null để tạo mật khẩu ngẫu nhiên)"
            )]));
        }
    }
    Ok(Json(AccountResultDto { user: AccountDto::new(&target, state.app.directory()), password }))
}

pub async fn change_password(
    State(state): State<AppState>,
    WriteUser(user): WriteUser,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let body: PasswordChangeRequest = parse_json(&headers, body)?;
    let changed =
        state.app.change_own_password(&user.user, &body.current, &body.new, &user.token, &client, state.now()).await;
    match changed {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(error @ PasswordChangeError::WrongCurrent) => Err(Problem::invalid(vec![format!("current: {error}")])),
        Err(error @ PasswordChangeError::Throttled { retry_after }) => {
            Ok(too_many_requests(error.to_string(), retry_after))
        }
        Err(PasswordChangeError::Service(error)) => Err(Problem::from(error)),
    }
}

/// 429 in our shape with `Retry-After` (seconds).
pub fn too_many_requests(message: String, retry_after: i64) -> Response {
    let mut response = Problem::new(StatusCode::TOO_MANY_REQUESTS, message).into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
    response
}
