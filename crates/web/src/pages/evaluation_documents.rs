//! Downloads of the PAR Index documents, with the visibility of the pages they are linked from:
//!
//! - `GET /danh-gia/{nam}/xep-hang.xlsx`: the ranking of the year, a sheet per kind (what
//!   `/danh-gia` shows the visitor: everything once published; before, Sở Nội vụ, the council and
//!   leaders the provisional figures, an officer its own row, the public nothing);
//! - `GET /danh-gia/{nam}/quyet-dinh.docx?so=123&ngay=20/03/2025`: the annex of the decision
//!   announcing the index (Decree 30/2020 layout), «DỰ THẢO» while not final;
//! - `GET /danh-gia/{nam}/{agency}/bang-diem.xlsx`: one agency's score sheet (who may read its
//!   assessment page).
//!
//! The static last segments take precedence over `/danh-gia/{nam}/{agency}`.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use cchc_documents::annex::XLSX_TYPE;
use cchc_documents::docx::DOCX_TYPE;
use cchc_documents::evaluation::{index_decision_docx, ranking_xlsx, score_sheet_xlsx, DecisionOptions};
use serde::Deserialize;

use crate::auth::MaybeUser;
use crate::error::{PageError, WebError};
use crate::extract::VnQuery;
use crate::pages::assessment::{agency_id, year_of};
use crate::pages::reports::{blocking, document_failure};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/danh-gia/{year}/xep-hang.xlsx", get(ranking))
        .route("/danh-gia/{year}/quyet-dinh.docx", get(decision))
        .route("/danh-gia/{year}/{agency}/bang-diem.xlsx", get(score_sheet))
}

#[derive(Debug, Default, Deserialize)]
struct DecisionQuery {
    /// The decision's number ("123"); empty leaves room to write it by hand.
    #[serde(rename = "so")]
    number: Option<String>,
    /// The decision's date (dd/mm/yyyy); empty leaves room to write it by hand.
    #[serde(rename = "ngay")]
    date: Option<String>,
}

async fn ranking(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(year): Path<String>,
) -> Result<Response, PageError> {
    let year = year_of(&year)?;
    let today = state.now().date_in_vietnam();
    let table = state.app.ranking_table(user.as_ref().map(|u| &u.user), year, today).await?;
    let bytes = blocking(move || ranking_xlsx(&table)).await?.map_err(document_failure)?;
    Ok(crate::export::download(bytes, XLSX_TYPE, &format!("xep-hang-chi-so-cchc-{year}.xlsx")))
}

async fn decision(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(year): Path<String>,
    VnQuery(query): VnQuery<DecisionQuery>,
) -> Result<Response, PageError> {
    let year = year_of(&year)?;
    let date = match query.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(text) => Some(
            cchc_domain::Date::parse(text)
                .map_err(|e| PageError(WebError::BadRequest(format!("ngày quyết định: {e}"))))?,
        ),
        None => None,
    };
    let number = query.number.unwrap_or_default().trim().chars().take(20).collect::<String>();
    let options = DecisionOptions { number, date };
    let today = state.now().date_in_vietnam();
    let table = state.app.ranking_table(user.as_ref().map(|u| &u.user), year, today).await?;
    let bytes = blocking(move || index_decision_docx(&table, &options)).await?.map_err(document_failure)?;
    Ok(crate::export::download(bytes, DOCX_TYPE, &format!("phu-luc-quyet-dinh-chi-so-cchc-{year}.docx")))
}

async fn score_sheet(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((year, agency)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let year = year_of(&year)?;
    let agency = agency_id(&agency)?;
    let today = state.now().date_in_vietnam();
    let sheet = state.app.score_sheet(user.as_ref().map(|u| &u.user), year, &agency, today).await?;
    let bytes = blocking(move || score_sheet_xlsx(&sheet)).await?.map_err(document_failure)?;
    Ok(crate::export::download(bytes, XLSX_TYPE, &format!("bang-diem-chi-so-cchc-{year}-{agency}.xlsx")))
}
