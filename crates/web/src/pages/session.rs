//! Login and logout pages.

use crate::extract::VnForm;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cchc_services::accounts::{random_token, LoginError, MAX_CREDENTIAL_CHARS};
use serde::Deserialize;

use crate::auth::{
    constant_time_eq, cookie, cookie_value, removal_cookie, session_cookie, ClientAddr, MaybeUser, PageUser,
    LOGIN_CSRF_COOKIE,
};
use crate::error::{next_query, safe_return_path, PageError, WebError};
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
    /// Where to go after login (a checked same-site path), or empty.
    next: String,
}

#[derive(Debug, Default, Deserialize)]
struct LoginQuery {
    #[serde(rename = "tiep")]
    next: Option<String>,
}

/// The checked return target of a query or form value, or empty.
fn checked_next(raw: Option<&str>) -> String {
    raw.and_then(safe_return_path).unwrap_or_default().to_string()
}

async fn login_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    // Lenient on purpose: a mangled return address must not keep anyone from the login page.
    query: Result<Query<LoginQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let next = checked_next(query.as_ref().ok().and_then(|Query(q)| q.next.as_deref()));
    if let Some(user) = user {
        return Ok(Redirect::to(&landing(&user.user, &next)).into_response());
    }
    login_form(&state, String::new(), None, next, StatusCode::OK)
}

/// Where a user lands after login: the page asked for, else the agency's page for an agency
/// officer, else the dashboard.
fn landing(user: &cchc_domain::account::User, next: &str) -> String {
    if !next.is_empty() {
        return next.to_string();
    }
    match &user.agency {
        Some(agency) if user.role == cchc_domain::account::UserRole::Agency => format!("/co-quan/{agency}"),
        _ => "/tong-quan".to_string(),
    }
}

fn login_form(
    state: &AppState,
    username: String,
    error: Option<String>,
    next: String,
    status: StatusCode,
) -> Result<Response, PageError> {
    let token = random_token(16)?;
    let page = LoginPage { nav: Nav::new(None), csrf_token: token.clone(), username, error, next };
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
    #[serde(default)]
    tiep: String,
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    VnForm(form): VnForm<LoginForm>,
) -> Result<Response, PageError> {
    let next = checked_next(Some(&form.tiep));
    let expected = cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), form.csrf_token.as_bytes()) {
        return login_form(
            &state,
            form.username,
            Some("Phiên đăng nhập đã hết hạn; vui lòng nhập lại.".into()),
            next,
            StatusCode::FORBIDDEN,
        );
    }
    let username = form.username.trim().to_lowercase();
    if username.chars().count() > MAX_CREDENTIAL_CHARS || form.password.chars().count() > MAX_CREDENTIAL_CHARS {
        return login_form(
            &state,
            String::new(),
            Some(LoginError::Invalid.to_string()),
            next,
            StatusCode::UNAUTHORIZED,
        );
    }
    match state.app.login(&username, &form.password, &client, state.now()).await {
        Ok(session) => {
            let target = if session.must_change_password {
                // The password was chosen by an administrator: its owner replaces it first.
                let mut target = "/tai-khoan/mat-khau?lan-dau=1".to_string();
                if !next.is_empty() {
                    target.push('&');
                    target.push_str(&next_query(&next));
                }
                target
            } else {
                landing(&session.user, &next)
            };
            let mut response = Redirect::to(&target).into_response();
            if let Ok(value) = session_cookie(&session.token, state.secure_cookies).parse() {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(LoginError::Invalid) => {
            login_form(&state, username, Some(LoginError::Invalid.to_string()), next, StatusCode::UNAUTHORIZED)
        }
        Err(error @ LoginError::Throttled { retry_after }) => {
            let mut response =
                login_form(&state, username, Some(error.to_string()), next, StatusCode::TOO_MANY_REQUESTS)?;
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            Ok(response)
        }
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
    VnForm(form): VnForm<LogoutForm>,
) -> Result<Response, PageError> {
    user.check_csrf(Some(&form.csrf_token))?;
    state.app.logout(&user.token).await?;
    let mut response = Redirect::to("/").into_response();
    if let Ok(value) = removal_cookie().parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}
