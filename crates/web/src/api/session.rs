//! `POST /api/session` (log in), `GET /api/session` (who am I), `DELETE /api/session` (log out).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cchc_services::accounts::{LoginError, MAX_CREDENTIAL_CHARS};

use super::accounts::too_many_requests;
use super::dto::{ErrorDto, LoginRequest, SessionDto, UserDto};
use super::openapi::{E400, E401, E403, E415, E422, E429};
use super::{ApiJson, Problem, WriteUser};
use crate::auth::{removal_cookie, session_cookie, ApiUser, ClientAddr};
use crate::AppState;

#[utoipa::path(
    post, path = "/api/session", tag = "session", operation_id = "login", security(()),
    summary = "Đăng nhập: đặt cookie phiên và trả mã CSRF",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Đã đăng nhập", body = SessionDto,
            headers(("Set-Cookie" = String, description = "cchc_session=…; HttpOnly; SameSite=Lax"))),
        (status = 400, response = E400),
        (status = 401, description = "Sai tên đăng nhập hoặc mật khẩu", body = ErrorDto),
        (status = 415, response = E415),
        (status = 422, response = E422),
        (status = 429, response = E429),
    ),
)]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, Problem> {
    let username = body.username.trim().to_lowercase();
    if username.is_empty()
        || body.password.is_empty()
        || username.chars().count() > MAX_CREDENTIAL_CHARS
        || body.password.chars().count() > MAX_CREDENTIAL_CHARS
    {
        return Err(Problem::new(StatusCode::UNAUTHORIZED, LoginError::Invalid.to_string()));
    }
    match state.app.login(&username, &body.password, &client, state.now()).await {
        Ok(session) => {
            let dto = SessionDto {
                csrf_token: session.csrf_token,
                user: UserDto::new(&session.user, state.app.directory()),
                must_change_password: session.must_change_password,
            };
            let cookie = session_cookie(&session.token, state.secure_cookies);
            Ok(([(header::SET_COOKIE, cookie)], Json(dto)).into_response())
        }
        Err(error @ LoginError::Invalid) => Err(Problem::new(StatusCode::UNAUTHORIZED, error.to_string())),
        Err(error @ LoginError::Throttled { retry_after }) => Ok(too_many_requests(error.to_string(), retry_after)),
        Err(LoginError::Service(error)) => Err(Problem::from(error)),
    }
}

#[utoipa::path(
    get, path = "/api/session", tag = "session", operation_id = "currentSession",
    summary = "Người dùng đang đăng nhập và mã CSRF của phiên",
    responses((status = 200, description = "Phiên hiện tại", body = SessionDto), (status = 401, response = E401)),
)]
pub async fn current(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<SessionDto>, Problem> {
    let must_change_password = state.app.must_change_password(&user.user).await?;
    Ok(Json(SessionDto {
        csrf_token: user.csrf_token,
        user: UserDto::new(&user.user, state.app.directory()),
        must_change_password,
    }))
}

#[utoipa::path(
    delete, path = "/api/session", tag = "session", operation_id = "logout", security(("session" = [], "csrf" = [])),
    summary = "Đăng xuất: xoá phiên và cookie",
    responses(
        (status = 204, description = "Đã đăng xuất"),
        (status = 401, response = E401),
        (status = 403, response = E403),
    ),
)]
pub async fn logout(State(state): State<AppState>, WriteUser(user): WriteUser) -> Result<Response, Problem> {
    state.app.logout(&user.token).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, removal_cookie())]).into_response())
}
