//! `/ho-so-tthc/ma-don-vi`: the table of other `DonViXuLy` codes (the province one-stop-shop
//! system's own unit codes, say) mapped to directory agencies. Everyone signed in reads the
//! mapped codes and the codes of the store that match no agency; Sở Nội vụ maps and unmaps, and
//! the figures of every dossier already imported follow at once.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use cchc_services::dossier_codes::{UnresolvedCode, MAX_CODE_CHARS};
use cchc_services::ServiceError;
use serde::Deserialize;

use crate::api::dossiers::blocking;
use crate::auth::{CurrentUser, PageUser};
use crate::error::PageError;
use crate::extract::{VnForm, VnQuery};
use crate::pages::{render, Nav, SelectOption};
use crate::AppState;

const PATH: &str = "/ho-so-tthc/ma-don-vi";

pub fn routes() -> Router<AppState> {
    Router::new().route(PATH, get(page).post(change))
}

struct MappedLine {
    code: String,
    agency_id: String,
    agency_name: String,
}

#[derive(Template)]
#[template(path = "dossier_codes.html")]
struct CodesPage {
    nav: Nav,
    csrf_token: String,
    notice: Option<String>,
    problems: Vec<String>,
    unresolved: Vec<UnresolvedCode>,
    mapped: Vec<MappedLine>,
    /// Every agency of the directory (id → name) for the agency field's suggestions.
    agencies: Vec<SelectOption>,
    max_code: usize,
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    /// Set after a change: which one («gan» or «bo»).
    da: Option<String>,
}

async fn render_page(
    state: &AppState,
    user: &CurrentUser,
    notice: Option<String>,
    problems: Vec<String>,
) -> Result<Response, PageError> {
    let (app, u) = (state.app.clone(), user.user.clone());
    let unresolved = blocking(move || app.unresolved_dossier_codes(&u)).await?;
    let mapped = state
        .app
        .dossier_code_mappings()
        .into_iter()
        .map(|m| MappedLine { code: m.code, agency_id: m.agency.id.to_string(), agency_name: m.agency.name })
        .collect();
    let agencies = if user.user.is_admin() {
        let mut by_name: Vec<SelectOption> = state
            .app
            .directory()
            .agencies
            .iter()
            .map(|a| SelectOption { value: a.id.to_string(), label: a.name.clone(), selected: false })
            .collect();
        by_name.sort_by(|a, b| a.label.cmp(&b.label));
        by_name
    } else {
        Vec::new()
    };
    render(&CodesPage {
        nav: Nav::new(Some(user)),
        csrf_token: user.csrf_token.clone(),
        notice,
        problems,
        unresolved,
        mapped,
        agencies,
        max_code: MAX_CODE_CHARS,
    })
}

async fn page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnQuery(q): VnQuery<PageQuery>,
) -> Result<Response, PageError> {
    let notice = match q.da.as_deref() {
        Some("gan") => Some("Đã gán mã đơn vị cho cơ quan; các bảng hồ sơ tính theo bảng mã mới.".to_string()),
        Some("bo") => Some("Đã bỏ gán mã đơn vị; các bảng hồ sơ tính theo bảng mã mới.".to_string()),
        _ => None,
    };
    render_page(&state, &user, notice, Vec::new()).await
}

/// Maps (`thao_tac=gan`: `ma`, `co_quan` as an id or a name) or unmaps (`thao_tac=bo`: `ma`).
/// A refused change shows the page again with the reason and changes nothing.
async fn change(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnForm(fields): VnForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    user.check_csrf(fields.get("csrf_token").map(String::as_str))?;
    user.require_admin()?;
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    let code = field("ma");
    let done = match field("thao_tac") {
        "bo" => state.app.unmap_dossier_code(&user.user, code).await.map(|()| "bo"),
        _ => match state.app.resolve_agency(field("co_quan")) {
            Ok(agency) => {
                let id = agency.id.clone();
                state.app.map_dossier_code(&user.user, code, &id, state.now()).await.map(|_| "gan")
            }
            Err(e) => Err(e),
        },
    };
    match done {
        Ok(what) => Ok(Redirect::to(&format!("{PATH}?da={what}")).into_response()),
        Err(ServiceError::Forbidden(reason)) => Err(ServiceError::Forbidden(reason).into()),
        Err(refused) => render_page(&state, &user, None, vec![refused.to_string()]).await,
    }
}
