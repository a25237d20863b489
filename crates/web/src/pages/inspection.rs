//! `/danh-gia/kiem-tra`: the inspection plan of a year (Sở Nội vụ and leaders): the proposed plan
//! for a seed, per kind of agency, with each agency's priority and reasons; for Sở Nội vụ a form
//! that adopts it (each inspection becomes a milestone); the adopted inspections and findings.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use cchc_domain::Date;
use serde::Deserialize;

use crate::api::inspection::plan_parameters;
use crate::auth::{CurrentUser, PageUser};
use crate::error::{PageError, WebError};
use crate::extract::{VnForm, VnQuery};
use crate::pages::{render, Nav};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/danh-gia/kiem-tra", get(page).post(adopt))
        .route("/danh-gia/kiem-tra/ton-tai", axum::routing::post(finding))
}

struct Chosen {
    id: String,
    name: String,
    priority: String,
    place: &'static str,
    reasons: String,
}

struct StratumView {
    label: &'static str,
    total: usize,
    chosen: Vec<Chosen>,
}

struct FindingView {
    id: i64,
    open: bool,
    reinspected: bool,
    text: String,
    deadline: String,
    status: &'static str,
    evidence: String,
}

struct InspectionView {
    id: i64,
    name: String,
    planned_on: String,
    done_on: String,
    milestone: Option<i64>,
    reinspects: Option<i64>,
    findings: Vec<FindingView>,
}

#[derive(Template)]
#[template(path = "inspection.html")]
struct InspectionPage {
    nav: Nav,
    csrf_token: String,
    year: i32,
    seed: u64,
    share: u32,
    random_share: u32,
    activity: Option<String>,
    /// The stored id of the inspection activity (its page lists the milestones).
    activity_id: Option<i64>,
    strata: Vec<StratumView>,
    adopted: Option<String>,
    inspections: Vec<InspectionView>,
    from: String,
    to: String,
    notice: Option<String>,
    problems: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    #[serde(rename = "nam")]
    year: Option<String>,
    seed: Option<String>,
    #[serde(rename = "ty_le")]
    share: Option<String>,
    #[serde(rename = "da_ban_hanh")]
    adopted: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
struct AdoptFields {
    csrf_token: Option<String>,
    #[serde(rename = "nam")]
    year: Option<String>,
    seed: Option<String>,
    #[serde(rename = "ty_le")]
    share: Option<String>,
    #[serde(rename = "tu_ngay")]
    from: Option<String>,
    #[serde(rename = "den_ngay")]
    to: Option<String>,
}

async fn build(
    state: &AppState,
    user: &CurrentUser,
    year: i32,
    seed: u64,
    rules: cchc_domain::inspection::SelectionRules,
) -> Result<InspectionPage, PageError> {
    let proposed = state.app.inspection_plan(&user.user, year, seed, rules).await?;
    let listed = state.app.inspections(&user.user, year).await?;
    let today = state.now().date_in_vietnam();
    let strata = proposed
        .plan
        .strata
        .iter()
        .map(|s| StratumView {
            label: s.kind.label_vn(),
            total: s.total,
            chosen: s
                .chosen
                .iter()
                .map(|c| Chosen {
                    id: c.agency.to_string(),
                    name: c.name.clone(),
                    priority: c.priority.vn(),
                    place: c.place.label_vn(),
                    reasons: c.reasons.iter().map(|r| r.label_vn()).collect::<Vec<_>>().join("; "),
                })
                .collect(),
        })
        .collect();
    let inspections = listed
        .inspections
        .iter()
        .map(|i| InspectionView {
            id: i.id.0,
            name: state.app.agency_name(&i.agency),
            planned_on: i.planned_on.vn(),
            done_on: i.done_on.map(|d| d.vn()).unwrap_or_default(),
            milestone: i.milestone.map(|m| m.0),
            reinspects: i.reinspects.map(|f| f.0),
            findings: i
                .findings
                .iter()
                .map(|f| FindingView {
                    id: f.id.0,
                    open: f.resolution.is_none(),
                    reinspected: f.reinspection.is_some(),
                    text: f.text.clone(),
                    deadline: f.deadline.vn(),
                    status: f.status_vn(today),
                    evidence: f.resolution.as_ref().map(|r| r.evidence.clone()).unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    let adopted = listed.adopted.as_ref().map(|p| {
        let at = cchc_domain::Timestamp::parse_rfc3339(&p.created_at).map_or(p.created_at.clone(), |t| t.vn());
        format!("Đã ban hành lúc {at} với hạt giống {} ({}% mỗi loại cơ quan).", p.seed, p.share_percent)
    });
    Ok(InspectionPage {
        nav: Nav::new(Some(user)),
        csrf_token: user.csrf_token.clone(),
        year,
        seed,
        share: rules.share_percent(),
        random_share: rules.random_percent(),
        activity_id: proposed.activity.as_ref().map(|a| a.id.0),
        activity: proposed.activity.map(|a| format!("{}.{} {} (chủ trì: {})", a.area, a.number, a.title, a.lead_name)),
        strata,
        adopted,
        inspections,
        from: Date::from_ymd(year, 3, 1).map(Date::vn).unwrap_or_default(),
        to: Date::from_ymd(year, 11, 30).map(Date::vn).unwrap_or_default(),
        notice: None,
        problems: Vec::new(),
    })
}

fn parameters(
    state: &AppState,
    year: Option<&str>,
    seed: Option<&str>,
    share: Option<&str>,
) -> Result<(i32, u64, cchc_domain::inspection::SelectionRules), PageError> {
    // Defaults: this year, the year as seed.
    let this_year = state.now().date_in_vietnam().year().to_string();
    let year = year.filter(|y| !y.trim().is_empty()).unwrap_or(&this_year);
    let seed = seed.filter(|s| !s.trim().is_empty()).unwrap_or(year);
    plan_parameters(Some(year), Some(seed), share).map_err(|p| PageError(WebError::Invalid(p)))
}

async fn page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnQuery(q): VnQuery<PageQuery>,
) -> Result<Response, PageError> {
    let (year, seed, rules) = parameters(&state, q.year.as_deref(), q.seed.as_deref(), q.share.as_deref())?;
    let mut page = build(&state, &user, year, seed, rules).await?;
    page.notice = q.adopted.map(|n| {
        format!("Đã ban hành kế hoạch kiểm tra năm {year}: {n} cuộc kiểm tra, mỗi cuộc là một mốc được theo dõi.")
    });
    render(&page)
}

async fn adopt(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnForm(fields): VnForm<AdoptFields>,
) -> Result<Response, PageError> {
    user.check_csrf(fields.csrf_token.as_deref())?;
    user.require_admin()?;
    let (year, seed, rules) =
        parameters(&state, fields.year.as_deref(), fields.seed.as_deref(), fields.share.as_deref())?;
    let date = |text: Option<&str>, what: &str| {
        Date::parse(text.unwrap_or("").trim()).map_err(|_| format!("{what}: cần ngày dạng dd/mm/yyyy"))
    };
    let result = match (date(fields.from.as_deref(), "từ ngày"), date(fields.to.as_deref(), "đến ngày")) {
        (Ok(from), Ok(to)) => {
            state.app.adopt_inspection_plan(&user.user, year, seed, rules, from, to, state.now()).await
        }
        (from, to) => Err(cchc_services::ServiceError::Invalid([from.err(), to.err()].into_iter().flatten().collect())),
    };
    match result {
        Ok(adoption) => Ok(Redirect::to(&format!(
            "/danh-gia/kiem-tra?nam={year}&seed={seed}&ty_le={}&da_ban_hanh={}",
            rules.share_percent(),
            adoption.inspections
        ))
        .into_response()),
        Err(cchc_services::ServiceError::Invalid(problems)) => {
            let mut page = build(&state, &user, year, seed, rules).await?;
            page.problems = problems;
            let mut response = render(&page)?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(other) => Err(PageError::from(other)),
    }
}

#[derive(Debug, Default, Deserialize)]
struct FindingFields {
    csrf_token: Option<String>,
    #[serde(rename = "nam")]
    year: Option<String>,
    seed: Option<String>,
    #[serde(rename = "ty_le")]
    share: Option<String>,
    /// ghi (a new finding), khac-phuc (resolved), tai-kiem-tra (re-inspection).
    #[serde(rename = "thao_tac")]
    action: Option<String>,
    #[serde(rename = "kiem_tra")]
    inspection: Option<String>,
    #[serde(rename = "ton_tai")]
    finding: Option<String>,
    #[serde(rename = "noi_dung")]
    text: Option<String>,
    #[serde(rename = "ngay")]
    date: Option<String>,
    #[serde(rename = "minh_chung")]
    evidence: Option<String>,
}

/// `POST /danh-gia/kiem-tra/ton-tai`: records a finding, its remedy or its re-inspection
/// (Sở Nội vụ), then back to the page of the year.
async fn finding(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnForm(fields): VnForm<FindingFields>,
) -> Result<Response, PageError> {
    use cchc_domain::inspection::{FindingId, InspectionId};
    user.check_csrf(fields.csrf_token.as_deref())?;
    user.require_admin()?;
    let (year, seed, rules) =
        parameters(&state, fields.year.as_deref(), fields.seed.as_deref(), fields.share.as_deref())?;
    let number = |text: Option<&str>, what: &str| {
        text.unwrap_or("").trim().parse::<i64>().map_err(|_| format!("thiếu hoặc sai số {what}"))
    };
    let date = Date::parse(fields.date.as_deref().unwrap_or("").trim())
        .map_err(|_| "ngày: cần ngày dạng dd/mm/yyyy".to_string());
    let now = state.now();
    let text = fields.text.as_deref().unwrap_or("");
    let evidence = fields.evidence.as_deref().unwrap_or("");
    let result: Result<&str, cchc_services::ServiceError> = match fields.action.as_deref().unwrap_or("") {
        "ghi" => match (number(fields.inspection.as_deref(), "cuộc kiểm tra"), date) {
            (Ok(id), Ok(deadline)) => state
                .app
                .record_finding(&user.user, InspectionId(id), text, deadline, now)
                .await
                .map(|_| "Đã ghi tồn tại."),
            (a, b) => Err(cchc_services::ServiceError::Invalid([a.err(), b.err()].into_iter().flatten().collect())),
        },
        "khac-phuc" => match (number(fields.finding.as_deref(), "tồn tại"), date) {
            (Ok(id), Ok(on)) => state
                .app
                .resolve_finding(&user.user, FindingId(id), on, evidence, now)
                .await
                .map(|_| "Đã ghi nhận khắc phục."),
            (a, b) => Err(cchc_services::ServiceError::Invalid([a.err(), b.err()].into_iter().flatten().collect())),
        },
        "tai-kiem-tra" => match (number(fields.finding.as_deref(), "tồn tại"), date) {
            (Ok(id), Ok(on)) => state
                .app
                .schedule_reinspection(&user.user, FindingId(id), on, now)
                .await
                .map(|_| "Đã lên lịch tái kiểm tra."),
            (a, b) => Err(cchc_services::ServiceError::Invalid([a.err(), b.err()].into_iter().flatten().collect())),
        },
        other => Err(cchc_services::ServiceError::Invalid(vec![format!("thao tác «{other}» không hợp lệ")])),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/danh-gia/kiem-tra?nam={year}&seed={seed}&ty_le={}#cuoc-kiem-tra",
            rules.share_percent()
        ))
        .into_response()),
        Err(cchc_services::ServiceError::Invalid(problems)) => {
            let mut page = build(&state, &user, year, seed, rules).await?;
            page.problems = problems;
            let mut response = render(&page)?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(other) => Err(PageError::from(other)),
    }
}
