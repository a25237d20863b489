//! Login and logout pages.

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use cchc_services::accounts::{random_token, LoginError};
use serde::Deserialize;

use crate::auth::{
    constant_time_eq, cookie, cookie_value, removal_cookie, session_cookie, ClientAddr, MaybeUser, PageUser,
    LOGIN_CSRF_COOKIE,
};
use crate::error::{PageError, WebError};
use crate::pages::{render, Nav};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/dang-nhap", get(login_page).post(login)).route("/dang-xuat", post(logout))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Nav,
    csrf_token: String,
    username: String,
    error: Option<String>,
}

async fn login_page(State(state): State<AppState>, MaybeUser(user): MaybeUser) -> Result<Response, PageError> {
    if user.is_some() {
        return Ok(Redirect::to("/tong-quan").into_response());
    }
    login_form(&state, String::new(), None, axum::http::StatusCode::OK)
}

fn login_form(
    state: &AppState,
    username: String,
    error: Option<String>,
    status: axum::http::StatusCode,
) -> Result<Response, PageError> {
    let token = random_token(16)?;
    let page = LoginPage { nav: Nav::new(None), csrf_token: token.clone(), username, error };
    let mut response = render(&page)?;
    *response.status_mut() = status;
    if let Ok(value) = cookie(LOGIN_CSRF_COOKIE, &token, 3600, state.secure_cookies).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    csrf_token: String,
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let expected = cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), form.csrf_token.as_bytes()) {
        return login_form(
            &state,
            form.username,
            Some("Phiên đăng nhập đã hết hạn; vui lòng nhập lại.".into()),
            axum::http::StatusCode::FORBIDDEN,
        );
    }
    let username = form.username.trim().to_lowercase();
    match state.app.login(&username, &form.password, &client, state.now()).await {
        Ok(session) => {
            let target = match &session.user.agency {
                Some(agency) if session.user.role == cchc_domain::account::UserRole::Agency => {
                    format!("/co-quan/{agency}")
                }
                _ => "/tong-quan".to_string(),
            };
            let mut response = Redirect::to(&target).into_response();
            if let Ok(value) = session_cookie(&session.token, state.secure_cookies).parse() {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(LoginError::Invalid) => {
            login_form(&state, username, Some(LoginError::Invalid.to_string()), axum::http::StatusCode::UNAUTHORIZED)
        }
        Err(error @ LoginError::Throttled { .. }) => login_form(
            &state,
            username,
            Some(error.to_string()),
            axum::http::StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(LoginError::Service(e)) => Err(PageError(WebError::from(e))),
    }
}

#[derive(Deserialize)]
struct LogoutForm {
    csrf_token: String,
}

async fn logout(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(form): Form<LogoutForm>,
) -> Result<Response, PageError> {
    user.check_csrf(Some(&form.csrf_token))?;
    state.app.logout(&user.token).await?;
    let mut response = Redirect::to("/").into_response();
    if let Ok(value) = removal_cookie().parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}
