//! Periodic agency reports (báo cáo định kỳ, plan part VI.1.b), one module per page family:
//!
//! - [`period`]: the periods, where every agency stands for a period (expected, not submitted,
//!   awaiting acceptance, returned, accepted, on time, late), the province's indicator results
//!   by level with their trend, and the drill-down to each agency's value;
//! - [`form`]: an agency's report — the form in the browser (values, «0», «không áp dụng»),
//!   the Excel / CSV round trip, and Sở Nội vụ's accept / return / receipt date / extension;
//! - [`documents`]: the consolidated report (DOCX, XLSX annex, PDF) and its settings.
//!
//! Who sees what is decided by the services (`User::may_read`, `User::reads_all`): Sở Nội vụ
//! and leaders see everything, a district its communes (read only), an officer the own agency.
//! Every write checks the CSRF token here, and the services check the user's right again.

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use cchc_domain::reporting::{Report, ReportStatus, Standing};
use cchc_domain::{Agency, AgencyId, PeriodId, ReportingPeriod};

use crate::error::{PageError, WebError};
use crate::pages::plan::not_found;
use crate::AppState;

/// The consolidated report and its settings.
mod documents;
/// An agency's report: the form, the uploads, Sở Nội vụ's review.
mod form;
/// The periods, completeness and indicator results.
mod period;
/// One indicator across the plans of several years.
mod years;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bao-cao", get(period::index_page))
        .route("/chi-tieu/{code}", get(years::years_page))
        .route("/bao-cao/thiet-lap", get(documents::settings_page).post(documents::save_settings))
        .route("/bao-cao/{period}", get(period::period_page))
        .route("/bao-cao/{period}/tong-hop.docx", get(documents::consolidated_docx))
        .route("/bao-cao/{period}/tong-hop.pdf", get(documents::consolidated_pdf))
        .route("/bao-cao/{period}/phu-luc.xlsx", get(documents::consolidated_annex))
        .route("/bao-cao/{period}/chi-tieu/{code}", get(period::indicator_page))
        .route("/bao-cao/{period}/{agency}", get(form::report_page).post(form::save_report))
        .route("/bao-cao/{period}/{agency}/bieu-mau.xlsx", get(form::form_xlsx))
        .route("/bao-cao/{period}/{agency}/bieu-mau.csv", get(form::form_csv))
        .route("/bao-cao/{period}/{agency}/tai-len", post(form::upload))
        .route("/bao-cao/{period}/{agency}/tiep-nhan", post(form::accept))
        .route("/bao-cao/{period}/{agency}/tra-lai", post(form::return_report))
        .route("/bao-cao/{period}/{agency}/ngay-nhan", post(form::record_receipt))
        .route("/bao-cao/{period}/{agency}/gia-han", post(form::grant_extension))
}

/// A period id of the path (`2024S1`); `None` when it is not one.
pub(crate) fn period_id(raw: &str) -> Option<PeriodId> {
    PeriodId::parse(raw.trim()).filter(|p| p.to_string() == raw.trim())
}

/// A known agency of the path; `None` when the directory does not have it.
pub(crate) fn known_agency(state: &AppState, raw: &str) -> Option<Agency> {
    AgencyId::parse(raw.trim()).and_then(|id| state.app.directory().agency(&id)).cloned()
}

/// Machine key, Vietnamese label and CSS class of a report's status (`None` = not started).
pub(crate) fn status_of(report: Option<&Report>) -> (&'static str, &'static str, &'static str) {
    match report.map(|r| r.status) {
        None => ("missing", "Chưa lập báo cáo", "st-not-due"),
        Some(ReportStatus::Draft) => ("draft", ReportStatus::Draft.label_vn(), "st-in-progress"),
        Some(ReportStatus::Submitted) => ("submitted", ReportStatus::Submitted.label_vn(), "st-waiting"),
        Some(ReportStatus::Returned) => ("returned", ReportStatus::Returned.label_vn(), "st-overdue"),
        Some(ReportStatus::Accepted) => ("accepted", ReportStatus::Accepted.label_vn(), "st-done-on-time"),
    }
}

/// Machine key of where an agency stands (the completeness columns).
pub(crate) fn standing_key(standing: Standing) -> &'static str {
    match standing {
        Standing::NotSubmitted => "not_submitted",
        Standing::Awaiting => "awaiting",
        Standing::Returned => "returned",
        Standing::Accepted => "accepted",
    }
}

/// Whether a period's window is cumulative from the start of the year (6 tháng, năm) or one
/// quarter: said beside every trend.
pub(crate) fn window_label(period: &ReportingPeriod) -> &'static str {
    match period.id {
        PeriodId::Quarter { .. } => "quý",
        PeriodId::HalfYear { .. } | PeriodId::Year { .. } => "lũy kế từ đầu năm",
    }
}

pub(crate) fn shorten(text: &str) -> String {
    let trimmed = text.trim();
    if trimmed.chars().count() > 40 {
        format!("{}…", trimmed.chars().take(40).collect::<String>())
    } else {
        trimmed.to_string()
    }
}

pub(crate) fn timestamp_text(raw: &str) -> String {
    cchc_domain::Timestamp::parse_rfc3339(raw).map_or_else(|| raw.to_string(), |t| t.vn())
}

/// The period of the path, or a 404 page.
async fn period_param(state: &AppState, raw: &str) -> Result<ReportingPeriod, PageError> {
    let id = period_id(raw).ok_or_else(|| not_found(format!("kỳ báo cáo «{}»", shorten(raw))))?;
    Ok(state.app.reporting_period(id).await?)
}

fn agency_param(state: &AppState, raw: &str) -> Result<Agency, PageError> {
    known_agency(state, raw).ok_or_else(|| not_found(format!("cơ quan «{}»", shorten(raw))))
}

fn with_status(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response
}

pub(crate) fn document_failure(error: impl std::fmt::Display) -> PageError {
    tracing::error!(%error, "document generation failure");
    PageError(WebError::Internal(error.to_string()))
}

/// Runs CPU-heavy document work (XLSX parsing, DOCX/XLSX rendering) off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, PageError> {
    tokio::task::spawn_blocking(work).await.map_err(document_failure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_ids_must_be_written_exactly() {
        assert!(period_id("2024S1").is_some());
        assert!(period_id("2024s1").is_none());
        assert!(period_id("2024Q5").is_none());
    }
}
