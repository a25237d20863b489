//! Accounts in the browser: `/tai-khoan` for administrators (every account, the form that
//! creates one, deactivate / reactivate / reset per account, the audit) and `/tai-khoan/mat-khau`
//! where everyone changes their own password. The services check the caller again.

use crate::extract::{VnForm, VnQuery};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cchc_domain::account::{User, UserRole};
use cchc_domain::{AgencyId, AgencyKind};
use cchc_services::accounts::{AccountChange, NewAccount, PasswordChangeError, COMMAND_LINE_USERNAME};
use cchc_services::ServiceError;
use serde::Deserialize;

use crate::auth::{ClientAddr, CurrentUser, PageUser};
use crate::error::{safe_return_path, PageError};
use crate::pages::{render, Nav, SelectOption};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tai-khoan", get(accounts_page).post(create))
        .route("/tai-khoan/mat-khau", get(password_page).post(change_password))
        .route("/tai-khoan/{username}/khoa", post(deactivate))
        .route("/tai-khoan/{username}/mo-khoa", post(reactivate))
        .route("/tai-khoan/{username}/dat-lai-mat-khau", post(reset))
}

/// Pages that may show a password are never stored by the browser or a proxy.
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn with_status(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response
}

// ---------------------------------------------------------------------------------------------
// The administrators' page.

#[derive(Debug, Clone)]
struct AccountRow {
    username: String,
    display_name: String,
    role_label: &'static str,
    agency_name: String,
    active: bool,
    /// No action: the command line's account, or one's own (deactivate / reset).
    system: bool,
    own: bool,
}

#[derive(Debug, Clone)]
struct AuditRow {
    at: String,
    actor: String,
    action: &'static str,
    target: String,
}

#[derive(Debug, Clone)]
struct AgencyGroupOptions {
    label: &'static str,
    options: Vec<SelectOption>,
}

/// A password generated for someone, shown this once.
#[derive(Debug, Clone)]
struct ShownPassword {
    username: String,
    password: String,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    nav: Nav,
    csrf_token: String,
    accounts: Vec<AccountRow>,
    audit: Vec<AuditRow>,
    role_options: Vec<SelectOption>,
    agency_groups: Vec<AgencyGroupOptions>,
    /// The create form as typed, when it is shown again with problems.
    username: String,
    display_name: String,
    notice: Option<String>,
    problems: Vec<String>,
    shown_password: Option<ShownPassword>,
}

/// The page as it stands, with the create form filled from `fields`.
async fn accounts_page_of(
    state: &AppState,
    user: &CurrentUser,
    fields: &CreateFields,
) -> Result<AccountsPage, PageError> {
    let accounts = state.app.accounts(&user.user).await?;
    let events = state.app.account_events(&user.user).await?;
    let directory = state.app.directory();
    let role = UserRole::parse(fields.role.as_deref().unwrap_or_default());
    let chosen_agency = fields.agency.as_deref().and_then(AgencyId::parse);
    let kinds = [
        AgencyKind::Province,
        AgencyKind::Department,
        AgencyKind::Sectoral,
        AgencyKind::District,
        AgencyKind::Commune,
        AgencyKind::Other,
    ];
    let agency_groups = kinds
        .iter()
        .map(|kind| {
            let mut options: Vec<SelectOption> = directory
                .agencies
                .iter()
                .filter(|a| a.kind == *kind)
                .map(|a| SelectOption {
                    value: a.id.to_string(),
                    label: a.name.clone(),
                    selected: chosen_agency.as_ref() == Some(&a.id),
                })
                .collect();
            options.sort_by(|a, b| a.label.cmp(&b.label));
            AgencyGroupOptions { label: kind.label_vn(), options }
        })
        .filter(|g| !g.options.is_empty())
        .collect();
    Ok(AccountsPage {
        nav: Nav::new(Some(user)),
        csrf_token: user.csrf_token.clone(),
        accounts: accounts.iter().map(|a| account_row(state, a, &user.user)).collect(),
        audit: events
            .iter()
            .map(|e| AuditRow {
                at: e.at.vn(),
                actor: e.actor.clone().unwrap_or_else(|| "hệ thống".to_string()),
                action: e.action.label_vn(),
                target: e.target.clone(),
            })
            .collect(),
        role_options: [UserRole::Agency, UserRole::Viewer, UserRole::Appraiser, UserRole::Admin]
            .iter()
            .map(|r| SelectOption {
                value: r.as_str().to_string(),
                label: r.label_vn().to_string(),
                selected: role == Some(*r),
            })
            .collect(),
        agency_groups,
        username: fields.username.clone().unwrap_or_default(),
        display_name: fields.display_name.clone().unwrap_or_default(),
        notice: None,
        problems: Vec::new(),
        shown_password: None,
    })
}

fn account_row(state: &AppState, account: &User, actor: &User) -> AccountRow {
    AccountRow {
        username: account.username.clone(),
        display_name: account.display_name.clone(),
        role_label: account.role.label_vn(),
        agency_name: account.agency.as_ref().map(|a| state.app.agency_name(a)).unwrap_or_default(),
        active: account.active,
        system: account.username == COMMAND_LINE_USERNAME,
        own: account.id == actor.id,
    }
}

async fn accounts_page(State(state): State<AppState>, PageUser(user): PageUser) -> Result<Response, PageError> {
    user.require_admin()?;
    let page = accounts_page_of(&state, &user, &CreateFields::default()).await?;
    Ok(no_store(render(&page)?))
}

#[derive(Debug, Default, Deserialize)]
struct CreateFields {
    csrf_token: Option<String>,
    #[serde(rename = "ten_dang_nhap")]
    username: Option<String>,
    #[serde(rename = "ho_ten")]
    display_name: Option<String>,
    #[serde(rename = "vai_tro")]
    role: Option<String>,
    #[serde(rename = "co_quan")]
    agency: Option<String>,
    #[serde(rename = "mat_khau")]
    password: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnForm(fields): VnForm<CreateFields>,
) -> Result<Response, PageError> {
    user.check_csrf(fields.csrf_token.as_deref())?;
    user.require_admin()?;
    let role = UserRole::parse(fields.role.as_deref().unwrap_or_default().trim());
    let agency_text = fields.agency.as_deref().map(str::trim).unwrap_or_default();
    let agency = if agency_text.is_empty() { None } else { AgencyId::parse(agency_text) };
    let mut problems = Vec::new();
    if role.is_none() {
        problems.push("hãy chọn vai trò".to_string());
    }
    if !agency_text.is_empty() && agency.is_none() {
        problems.push(format!("mã cơ quan «{agency_text}» không hợp lệ"));
    }
    // An agency chosen for a role that has none is ignored rather than refused: the form keeps
    // the list filled whatever the role.
    let agency = agency.filter(|_| role == Some(UserRole::Agency));
    let outcome = match role.filter(|_| problems.is_empty()) {
        None => Err(ServiceError::Invalid(problems)),
        Some(role) => {
            let account = NewAccount {
                username: fields.username.clone().unwrap_or_default().trim().to_string(),
                display_name: fields.display_name.clone().unwrap_or_default(),
                role,
                agency,
                password: fields.password.clone().unwrap_or_default(),
            };
            state.app.create_account_as(&user.user, &account, state.now()).await
        }
    };
    match outcome {
        Ok(change) => {
            let notice = format!(
                "Đã tạo tài khoản «{}» ({}). Người dùng sẽ được yêu cầu đổi mật khẩu khi đăng nhập lần đầu.",
                change.user.username,
                change.user.role.label_vn()
            );
            result_page(&state, &user, notice, change).await
        }
        Err(ServiceError::Invalid(problems)) => {
            let mut page = accounts_page_of(&state, &user, &fields).await?;
            page.problems = problems;
            Ok(no_store(with_status(render(&page)?, StatusCode::UNPROCESSABLE_ENTITY)))
        }
        Err(other) => Err(PageError::from(other)),
    }
}

/// The page after a change, with its notice and the generated password, if any.
async fn result_page(
    state: &AppState,
    user: &CurrentUser,
    notice: String,
    change: AccountChange,
) -> Result<Response, PageError> {
    let mut page = accounts_page_of(state, user, &CreateFields::default()).await?;
    page.notice = Some(notice);
    page.shown_password =
        change.password.map(|password| ShownPassword { username: change.user.username.clone(), password });
    Ok(no_store(render(&page)?))
}

#[derive(Debug, Default, Deserialize)]
struct ActionFields {
    csrf_token: Option<String>,
}

/// The checks of every per-account action: the form, the CSRF token, an administrator.
async fn action_fields(user: &CurrentUser, fields: ActionFields) -> Result<(), PageError> {
    user.check_csrf(fields.csrf_token.as_deref())?;
    user.require_admin()?;
    Ok(())
}

/// A refused action: the page again with the problems (422), or the error page.
async fn refused(state: &AppState, user: &CurrentUser, error: ServiceError) -> Result<Response, PageError> {
    match error {
        ServiceError::Invalid(problems) => {
            let mut page = accounts_page_of(state, user, &CreateFields::default()).await?;
            page.problems = problems;
            Ok(no_store(with_status(render(&page)?, StatusCode::UNPROCESSABLE_ENTITY)))
        }
        other => Err(PageError::from(other)),
    }
}

async fn set_active(
    state: AppState,
    user: CurrentUser,
    username: String,
    form: ActionFields,
    active: bool,
) -> Result<Response, PageError> {
    action_fields(&user, form).await?;
    match state.app.set_account_active(&user.user, &username, active, state.now()).await {
        Ok(account) => {
            let notice = if active {
                format!("Đã mở khóa tài khoản «{}».", account.username)
            } else {
                format!("Đã khóa tài khoản «{}»; các phiên đăng nhập của tài khoản này đã kết thúc.", account.username)
            };
            result_page(&state, &user, notice, AccountChange { user: account, password: None }).await
        }
        Err(error) => refused(&state, &user, error).await,
    }
}

async fn deactivate(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(username): Path<String>,
    VnForm(form): VnForm<ActionFields>,
) -> Result<Response, PageError> {
    set_active(state, user, username, form, false).await
}

async fn reactivate(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(username): Path<String>,
    VnForm(form): VnForm<ActionFields>,
) -> Result<Response, PageError> {
    set_active(state, user, username, form, true).await
}

async fn reset(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(username): Path<String>,
    VnForm(form): VnForm<ActionFields>,
) -> Result<Response, PageError> {
    action_fields(&user, form).await?;
    match state.app.reset_password(&user.user, &username, None, state.now()).await {
        Ok(change) => {
            let notice = format!(
                "Đã đặt lại mật khẩu của «{}»; các phiên đăng nhập của tài khoản này đã kết thúc.",
                change.user.username
            );
            result_page(&state, &user, notice, change).await
        }
        Err(error) => refused(&state, &user, error).await,
    }
}

// ---------------------------------------------------------------------------------------------
// One's own password.

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    nav: Nav,
    csrf_token: String,
    /// The password was set by an administrator (just logged in with it).
    first: bool,
    /// Where to go once changed (a checked same-site path), or empty.
    next: String,
    notice: Option<String>,
    problems: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct PasswordQuery {
    #[serde(rename = "lan-dau")]
    first: Option<String>,
    #[serde(rename = "tiep")]
    next: Option<String>,
}

fn password_page_of(user: &CurrentUser, first: bool, next: Option<&str>) -> PasswordPage {
    PasswordPage {
        nav: Nav::new(Some(user)),
        csrf_token: user.csrf_token.clone(),
        first,
        next: next.and_then(safe_return_path).unwrap_or_default().to_string(),
        notice: None,
        problems: Vec::new(),
    }
}

async fn password_page(PageUser(user): PageUser, VnQuery(q): VnQuery<PasswordQuery>) -> Result<Response, PageError> {
    let page = password_page_of(&user, q.first.is_some(), q.next.as_deref());
    Ok(no_store(render(&page)?))
}

#[derive(Debug, Default, Deserialize)]
struct PasswordFields {
    csrf_token: Option<String>,
    #[serde(rename = "mat_khau_hien_tai")]
    current: Option<String>,
    #[serde(rename = "mat_khau_moi")]
    new: Option<String>,
    #[serde(rename = "nhap_lai")]
    again: Option<String>,
    tiep: Option<String>,
}

async fn change_password(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    ClientAddr(client): ClientAddr,
    VnForm(fields): VnForm<PasswordFields>,
) -> Result<Response, PageError> {
    user.check_csrf(fields.csrf_token.as_deref())?;
    let mut page = password_page_of(&user, false, fields.tiep.as_deref());
    let new = fields.new.unwrap_or_default();
    if fields.again.unwrap_or_default() != new {
        page.problems.push("hai lần nhập mật khẩu mới không khớp nhau".to_string());
        return Ok(no_store(with_status(render(&page)?, StatusCode::UNPROCESSABLE_ENTITY)));
    }
    let current = fields.current.unwrap_or_default();
    match state.app.change_own_password(&user.user, &current, &new, &user.token, &client, state.now()).await {
        Ok(()) if !page.next.is_empty() => Ok(Redirect::to(&page.next).into_response()),
        Ok(()) => {
            page.notice = Some("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc.".to_string());
            Ok(no_store(render(&page)?))
        }
        Err(error @ PasswordChangeError::WrongCurrent) => {
            page.problems.push(error.to_string());
            Ok(no_store(with_status(render(&page)?, StatusCode::UNPROCESSABLE_ENTITY)))
        }
        Err(error @ PasswordChangeError::Throttled { retry_after }) => {
            page.problems.push(error.to_string());
            let mut response = no_store(with_status(render(&page)?, StatusCode::TOO_MANY_REQUESTS));
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
            Ok(response)
        }
        Err(PasswordChangeError::Service(ServiceError::Invalid(problems))) => {
            page.problems = problems;
            Ok(no_store(with_status(render(&page)?, StatusCode::UNPROCESSABLE_ENTITY)))
        }
        Err(PasswordChangeError::Service(other)) => Err(PageError::from(other)),
    }
}
