//! `POST /api/session` (log in), `GET /api/session` (who am I), `DELETE /api/session` (log out).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cchc_services::accounts::{LoginError, MAX_CREDENTIAL_CHARS};

use super::accounts::too_many_requests;
use super::dto::{LoginRequest, SessionDto, UserDto};
use super::{ApiJson, Problem, WriteUser};
use crate::auth::{removal_cookie, session_cookie, ApiUser, ClientAddr};
use crate::AppState;

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

pub async fn current(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<SessionDto>, Problem> {
    let must_change_password = state.app.must_change_password(&user.user).await?;
    Ok(Json(SessionDto {
        csrf_token: user.csrf_token,
        user: UserDto::new(&user.user, state.app.directory()),
        must_change_password,
    }))
}

pub async fn logout(State(state): State<AppState>, WriteUser(user): WriteUser) -> Result<Response, Problem> {
    state.app.logout(&user.token).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, removal_cookie())]).into_response())
}
