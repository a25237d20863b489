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

use super::dto::{AccountDto, AccountResultDto, ErrorDto, NewUserRequest, PasswordChangeRequest, UserPatchRequest};
use super::openapi::{E400, E401, E403, E404, E415, E422, E429};
use super::{parse_json, ApiPath, Problem, WriteUser};
use crate::auth::{ApiUser, ClientAddr};
use crate::AppState;

#[utoipa::path(
    get, path = "/api/users", tag = "accounts", operation_id = "listUsers",
    summary = "Danh sách tài khoản (chỉ quản trị)",
    responses(
        (status = 200, description = "Tài khoản", body = Vec<AccountDto>),
        (status = 401, response = E401),
        (status = 403, response = E403),
    ),
)]
pub async fn list(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<Vec<AccountDto>>, Problem> {
    user.require_admin()?;
    let accounts = state.app.accounts(&user.user).await?;
    Ok(Json(accounts.iter().map(|a| AccountDto::new(a, state.app.directory())).collect()))
}

#[utoipa::path(
    post, path = "/api/users", tag = "accounts", operation_id = "createUser", security(("session" = [], "csrf" = [])),
    summary = "Tạo tài khoản với vai trò và cơ quan (chỉ quản trị); người dùng được yêu cầu đổi mật khẩu khi đăng nhập",
    request_body = NewUserRequest,
    responses(
        (status = 201, description = "Đã tạo", body = AccountResultDto),
        (status = 400, response = E400),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 415, response = E415),
        (status = 422, description = "Dữ liệu không hợp lệ, hoặc tên đăng nhập đã có người dùng, hoặc không có cơ quan này", body = ErrorDto),
    ),
)]
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

#[utoipa::path(
    patch, path = "/api/users/{username}", tag = "accounts", operation_id = "updateUser", security(("session" = [], "csrf" = [])),
    summary = "Khóa / mở khóa tài khoản (phiên của tài khoản bị khóa hết hiệu lực ngay) hoặc đặt lại mật khẩu \
               (chỉ quản trị; không áp dụng cho chính mình và tài khoản của dòng lệnh)",
    params(("username" = String, Path, description = "Tên đăng nhập")),
    request_body = UserPatchRequest,
    responses(
        (status = 200, description = "Đã cập nhật", body = AccountResultDto),
        (status = 400, response = E400),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 404, response = E404),
        (status = 415, response = E415),
        (status = 422, response = E422),
    ),
)]
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

#[utoipa::path(
    put, path = "/api/me/password", tag = "accounts", operation_id = "changeOwnPassword", security(("session" = [], "csrf" = [])),
    summary = "Đổi mật khẩu của chính mình (mật khẩu hiện tại và mật khẩu mới); các phiên khác kết thúc",
    request_body = PasswordChangeRequest,
    responses(
        (status = 204, description = "Đã đổi mật khẩu"),
        (status = 400, response = E400),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 415, response = E415),
        (status = 422, description = "Mật khẩu hiện tại không đúng, hoặc mật khẩu mới trùng mật khẩu hiện tại", body = ErrorDto),
        (status = 429, response = E429),
    ),
)]
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
