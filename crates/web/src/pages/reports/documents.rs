//! The province's consolidated report of a period, as Sở Nội vụ signs and sends it: the DOCX
//! (numbered when `?so=` is given), its XLSX annex, the PDF when LibreOffice is installed on the
//! server; and the settings page for the signer and the recipients ("Nơi nhận").

use crate::extract::{VnForm, VnQuery};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use cchc_domain::reporting::{ConsolidatedReport, DocumentSettings};
use cchc_services::reporting::DocumentOptions;
use serde::Deserialize;

use super::{blocking, document_failure, period_param, with_status};
use crate::auth::{CurrentUser, PageUser};
use crate::error::{PageError, WebError};
use crate::pages::plan::bad_request;
use crate::pages::{render, Nav};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub(super) struct DocumentQuery {
    /// The registration number ("123"); empty leaves room to write it by hand.
    #[serde(rename = "so")]
    number: Option<String>,
    /// The date printed on the document (dd/mm/yyyy); today when absent.
    #[serde(rename = "ngay")]
    date: Option<String>,
}

async fn consolidated(
    state: &AppState,
    user: &CurrentUser,
    raw: &str,
    q: DocumentQuery,
) -> Result<ConsolidatedReport, PageError> {
    let period = period_param(state, raw).await?;
    let date = match q.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(text) => cchc_domain::Date::parse(text).map_err(|e| bad_request(format!("ngày văn bản: {e}")))?,
        None => state.now().date_in_vietnam(),
    };
    let options = DocumentOptions {
        number: q.number.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
        ..DocumentOptions::default()
    };
    Ok(state.app.consolidate(&user.user, period.id, date, &options).await?)
}

/// The consolidated report rendered off the async workers as a download named
/// `{prefix}-{period}.{extension}`.
async fn download<E: std::fmt::Display + Send + 'static>(
    report: ConsolidatedReport,
    render: fn(&ConsolidatedReport) -> Result<Vec<u8>, E>,
    content_type: &'static str,
    prefix: &str,
    extension: &str,
) -> Result<Response, PageError> {
    let name = format!("{prefix}-{}.{extension}", report.period.id);
    let bytes = blocking(move || render(&report)).await?.map_err(document_failure)?;
    Ok(crate::export::download(bytes, content_type, &name))
}

pub(super) async fn consolidated_docx(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
    VnQuery(query): VnQuery<DocumentQuery>,
) -> Result<Response, PageError> {
    let report = consolidated(&state, &user, &raw, query).await?;
    let render = cchc_documents::docx::consolidated_docx;
    download(report, render, cchc_documents::docx::DOCX_TYPE, "bao-cao-cchc", "docx").await
}

pub(super) async fn consolidated_annex(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
    VnQuery(query): VnQuery<DocumentQuery>,
) -> Result<Response, PageError> {
    let report = consolidated(&state, &user, &raw, query).await?;
    let render = cchc_documents::annex::consolidated_annex_xlsx;
    download(report, render, cchc_documents::annex::XLSX_TYPE, "phu-luc-bao-cao-cchc", "xlsx").await
}

fn to_pdf(report: &ConsolidatedReport) -> Result<Vec<u8>, String> {
    let docx = cchc_documents::docx::consolidated_docx(report).map_err(|e| e.to_string())?;
    cchc_documents::pdf::docx_to_pdf(&docx).map_err(|e| e.to_string())
}

pub(super) async fn consolidated_pdf(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
    VnQuery(query): VnQuery<DocumentQuery>,
) -> Result<Response, PageError> {
    let report = consolidated(&state, &user, &raw, query).await?;
    if !cchc_documents::pdf::is_available() {
        let message = cchc_documents::pdf::PdfError::NotInstalled.to_string();
        let page = PageError(WebError::Invalid(vec![message]));
        return Ok(with_status(page.into_response(), axum::http::StatusCode::SERVICE_UNAVAILABLE));
    }
    let name = format!("bao-cao-cchc-{}.pdf", report.period.id);
    match blocking(move || to_pdf(&report)).await? {
        Ok(bytes) => Ok(crate::export::download(bytes, cchc_documents::pdf::PDF_TYPE, &name)),
        Err(error) => {
            tracing::error!(%error, "PDF conversion failure");
            Err(PageError(WebError::Invalid(vec![
                "Không chuyển được báo cáo sang PDF; hãy tải bản Word (DOCX) và chuyển bằng phần mềm soạn thảo.".into(),
            ])))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Settings of the consolidated report.

#[derive(Template)]
#[template(path = "report_settings.html")]
struct SettingsPage {
    nav: Nav,
    csrf_token: String,
    signer_name: String,
    signer_title: String,
    recipients: String,
    notice: Option<String>,
    problems: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct SettingsQuery {
    #[serde(rename = "da_luu")]
    saved: Option<String>,
}

fn settings_page_of(user: &CurrentUser, settings: &DocumentSettings) -> SettingsPage {
    SettingsPage {
        nav: Nav::new(Some(user)),
        csrf_token: user.csrf_token.clone(),
        signer_name: settings.signer_name.clone(),
        signer_title: settings.signer_title.join("\n"),
        recipients: settings.recipients.join("\n"),
        notice: None,
        problems: Vec::new(),
    }
}

pub(super) async fn settings_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnQuery(q): VnQuery<SettingsQuery>,
) -> Result<Response, PageError> {
    user.require_admin()?;
    let settings = state.app.document_settings().await?;
    let mut page = settings_page_of(&user, &settings);
    page.notice = q.saved.map(|_| "Đã lưu thiết lập; các báo cáo tổng hợp tải về từ nay dùng thiết lập này.".into());
    render(&page)
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct SettingsFields {
    csrf_token: Option<String>,
    #[serde(rename = "nguoi_ky")]
    signer_name: Option<String>,
    #[serde(rename = "chuc_danh")]
    signer_title: Option<String>,
    #[serde(rename = "noi_nhan")]
    recipients: Option<String>,
}

fn lines(text: Option<&str>) -> Vec<String> {
    text.unwrap_or_default().lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

pub(super) async fn save_settings(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnForm(fields): VnForm<SettingsFields>,
) -> Result<Response, PageError> {
    user.check_csrf(fields.csrf_token.as_deref())?;
    user.require_admin()?;
    let settings = DocumentSettings {
        number: String::new(),
        signer_name: fields.signer_name.clone().unwrap_or_default(),
        signer_title: lines(fields.signer_title.as_deref()),
        recipients: lines(fields.recipients.as_deref()),
    };
    match state.app.save_document_settings(&user.user, &settings, state.now()).await {
        Ok(_) => Ok(Redirect::to("/bao-cao/thiet-lap?da_luu=1").into_response()),
        Err(cchc_services::ServiceError::Invalid(problems)) => {
            let mut page = settings_page_of(&user, &settings);
            page.signer_title = fields.signer_title.unwrap_or_default();
            page.recipients = fields.recipients.unwrap_or_default();
            page.problems = problems;
            Ok(with_status(render(&page)?, axum::http::StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(other) => Err(PageError::from(other)),
    }
}
