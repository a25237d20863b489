//! Server-rendered pages (kanidm style: one typed struct per template, `base.html` for the
//! layout). Every page works without JavaScript; forms post back and redirect.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use cchc_domain::tracking::DerivedStatus;
use cchc_domain::Date;
use cchc_services::dashboard::StatusCounts;

use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::AppState;

/// Accounts: the administrators' page and everyone's own password.
pub mod accounts;
/// The PAR Index: one agency's assessment and the round's steps.
pub mod assessment;
/// The province dashboard, the page leaders open first.
pub mod dashboard;
/// `/ho-so-tthc/ma-don-vi`: other unit codes of the dossier exports mapped to agencies.
pub mod dossier_codes;
/// One-stop-shop dossiers: the handling table, late dossiers, wrong dates, 766 points, imports.
pub mod dossiers;
/// The PAR Index: ranking of a year.
pub mod evaluation;
/// Downloads of the PAR Index documents: ranking and score sheet (XLSX), the decision annex (DOCX).
pub mod evaluation_documents;
/// The PAR Index criteria framework: read, download, upload.
pub mod framework;
/// Hand-over of the open work of agencies and units that ended.
pub mod handover;
/// The inspection plan of a year, its adoption, the inspections and findings.
pub mod inspection;
/// Areas, activities, agencies, lists, search, and the forms that write progress and events.
pub mod plan;
/// Public transparency pages (no login, no personal data).
pub mod public;
/// The year-end task-completion rating: breakdown, levels, overrides.
pub mod rating;
/// Periodic agency reports: periods, completeness, indicator results, the form, the documents.
pub mod reports;
/// Login and logout.
pub mod session;
/// `/danh-gia/sipas`: the satisfaction index of a year, survey uploads and paper forms.
pub mod sipas;

/// Version string appended to static asset URLs so that browsers refetch after an upgrade.
pub const ASSET_VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/app.css", get(stylesheet))
        .merge(session::routes())
        .merge(accounts::routes())
        .merge(dashboard::routes())
        .merge(assessment::routes())
        .merge(evaluation::routes())
        .merge(framework::routes())
        .merge(rating::routes())
        .merge(evaluation_documents::routes())
        .merge(dossier_codes::routes())
        .merge(handover::routes())
        .merge(inspection::routes())
        .merge(plan::routes())
        .merge(public::routes())
        .merge(reports::routes())
        .merge(sipas::routes())
        .merge(dossiers::routes())
}

async fn stylesheet() -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8"),
            // The URL carries the version (`?v=`), so a new release is fetched anew.
            (axum::http::header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

/// What the layout shows about the visitor: name, role, where "my agency" is, and the CSRF
/// token of the logout form.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    pub user_name: Option<String>,
    pub role_label: String,
    pub agency_id: Option<String>,
    pub is_admin: bool,
    pub can_read_all: bool,
    pub csrf_token: String,
    pub asset_version: &'static str,
}

impl Nav {
    pub fn new(user: Option<&CurrentUser>) -> Nav {
        match user {
            None => Nav { asset_version: ASSET_VERSION, ..Nav::default() },
            Some(current) => Nav {
                user_name: Some(current.user.display_name.clone()),
                role_label: current.user.role.label_vn().to_string(),
                agency_id: current.user.agency.as_ref().map(|a| a.to_string()),
                is_admin: current.user.is_admin(),
                can_read_all: true,
                csrf_token: current.csrf_token.clone(),
                asset_version: ASSET_VERSION,
            },
        }
    }
}

/// Renders a template into an HTML response.
pub fn render<T: Template>(template: &T) -> Result<Response, PageError> {
    Ok(Html(template.render()?).into_response())
}

/// Parses the `as_of` query value (dd/mm/yyyy or ISO); today when absent.
pub fn as_of_or_today(raw: Option<&str>, today: Date) -> Result<Date, PageError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today),
        Some(text) => Date::parse(text).map_err(|e| PageError(crate::error::WebError::BadRequest(e.to_string()))),
    }
}

/// CSS class of a derived status (colours are in app.css).
pub fn status_class(status: DerivedStatus) -> &'static str {
    match status {
        DerivedStatus::NotDue => "st-not-due",
        DerivedStatus::InProgress => "st-in-progress",
        DerivedStatus::DoneOnTime => "st-done-on-time",
        DerivedStatus::DoneLate => "st-done-late",
        DerivedStatus::Overdue => "st-overdue",
        DerivedStatus::WaitingEvent => "st-waiting",
    }
}

/// One segment of a stacked bar (an SVG `rect`): x and width in percent.
#[derive(Debug, Clone)]
pub struct BarSegment {
    pub x: String,
    pub width: String,
    pub class: &'static str,
    pub title: String,
}

/// The stacked bar of a status breakdown: one segment per non-empty status.
pub fn bar(counts: &StatusCounts) -> Vec<BarSegment> {
    let total = counts.total();
    if total == 0 {
        return Vec::new();
    }
    let mut x = 0.0;
    let mut out = Vec::new();
    for (status, n) in counts.entries() {
        if n == 0 {
            continue;
        }
        let width = n as f64 * 100.0 / total as f64;
        out.push(BarSegment {
            x: format!("{x:.2}"),
            width: format!("{width:.2}"),
            class: status_class(status),
            title: format!("{}: {n}", status.label_vn()),
        });
        x += width;
    }
    out
}

/// "12,5" — a number rounded once, half away from zero, to one decimal, with a Vietnamese
/// decimal comma (`Percent1`, the rule of every page, export and document).
pub fn percent(value: f64) -> String {
    cchc_domain::number::Percent1::of(value).map_or_else(|| "–".to_string(), |p| p.vn())
}

/// Legend entries: every derived status with its label and class.
pub fn legend() -> Vec<(&'static str, &'static str)> {
    DerivedStatus::ALL.iter().map(|s| (s.label_vn(), status_class(*s))).collect()
}

/// A multipart body that could not be read: the `too_large` message when it went over the size
/// limit, otherwise a bad request.
pub(crate) fn multipart_failure(
    error: &axum::extract::multipart::MultipartError,
    too_large: impl FnOnce() -> String,
) -> PageError {
    if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        PageError(crate::error::WebError::Invalid(vec![too_large()]))
    } else {
        plan::bad_request("không đọc được biểu mẫu gửi lên; hãy tải lại trang và thử lại")
    }
}

/// The page for query parameters that do not fit: what serde said, in Vietnamese.
pub(crate) fn query_rejected(rejection: &axum::extract::rejection::QueryRejection) -> PageError {
    let text = rejection.body_text();
    let reason = text.split_once(": ").map_or(text.as_str(), |(_, reason)| reason);
    plan::bad_request(format!("tham số trên địa chỉ trang không hợp lệ: {}", crate::rejection::serde_vn(reason)))
}

/// The page for a form that could not be read (wrong content type, missing or malformed field),
/// saying why in Vietnamese.
pub(crate) fn form_rejected(rejection: &axum::extract::rejection::FormRejection) -> PageError {
    let text = rejection.body_text();
    let (message, details) =
        crate::rejection::plain_answer_vn(rejection.status(), &axum::http::Method::POST, false, &text);
    let why = details.first().map(|d| format!(" ({d})")).unwrap_or_default();
    let message = if message.starts_with("không đọc được biểu mẫu") {
        format!("không đọc được biểu mẫu gửi lên{why}; hãy tải lại trang và thử lại")
    } else {
        message
    };
    plan::bad_request(message)
}

/// An option of a `<select>` filter.
#[derive(Debug, Clone)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Options of an agency-group filter (`?nhom=`).
pub fn kind_options(kinds: &[cchc_domain::AgencyKind], selected: Option<cchc_domain::AgencyKind>) -> Vec<SelectOption> {
    kinds
        .iter()
        .map(|k| SelectOption {
            value: k.as_str().to_string(),
            label: k.label_vn().to_string(),
            selected: selected == Some(*k),
        })
        .collect()
}
