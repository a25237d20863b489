//! `/danh-gia/{nam}/{agency}`: one agency's PAR Index assessment — self-assessment by its
//! officers, appraisal by the council, one explanation, the final score — and
//! `/danh-gia/{nam}/dot`: Sở Nội vụ opens the round, closes the self-assessment and publishes.
//! Every step is authorised by the services; the page only shows the forms a visitor may use.

use std::collections::HashMap;

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cchc_domain::evaluation::AssessmentStage;
use cchc_domain::{AgencyId, Date};
use cchc_services::evaluation::{kind_label, parse_kind, AppraisalInput, AssessmentView, SelfInput};
use cchc_services::ServiceError;
use serde::Deserialize;

use crate::auth::{CurrentUser, MaybeUser, PageUser};
use crate::error::{PageError, WebError};
use crate::extract::{VnForm, VnQuery};
use crate::pages::{render, Nav};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/danh-gia/{year}/dot", post(round_action))
        .route("/danh-gia/{year}/{agency}", get(page).post(action))
        .route("/danh-gia/{year}/{agency}/tep", post(attach_file))
}

/// An evidence file attached to a sub-criterion (the agency's officers, while self-assessing or
/// explaining): checked by its content like milestone evidence, stored content-addressed, linked.
async fn attach_file(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((year, agency)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let mut multipart =
        multipart.map_err(|_| PageError(WebError::BadRequest("biểu mẫu phải gửi dạng multipart/form-data".into())))?;
    let form = crate::files::read_form(&mut multipart).await?;
    user.check_csrf(form.field("csrf_token"))?;
    let year = year_of(&year)?;
    let agency = agency_id(&agency)?;
    let sub = form.field("tieu_chi").unwrap_or_default().to_string();
    let mut problems = Vec::new();
    if let Some(name) = &form.too_big {
        problems.push(crate::files::too_big_message(name));
    }
    match &form.file {
        None if form.too_big.is_none() => problems.push("chưa chọn tệp minh chứng".to_string()),
        Some((name, bytes)) => {
            if let Err(message) = crate::files::check_upload(&crate::files::clean_file_name(name), bytes) {
                problems.push(message);
            }
        }
        None => {}
    }
    if sub.trim().is_empty() {
        problems.push("chưa chọn tiêu chí thành phần".to_string());
    }
    let today = state.now().date_in_vietnam();
    if !problems.is_empty() {
        return refuse(&state, &user, year, &agency, today, problems).await;
    }
    let Some((name, bytes)) = form.file else {
        return refuse(&state, &user, year, &agency, today, vec!["chưa chọn tệp minh chứng".into()]).await;
    };
    // Refuse before storing anything when the caller may not attach.
    let view = state.app.assessment(Some(&user.user), year, &agency, today).await?;
    if !user.user.may_write_for(&view.agency.id) || user.user.is_admin() {
        return Err(PageError(WebError::Forbidden(format!(
            "chỉ cán bộ của {} được đính kèm minh chứng cho bản đánh giá của cơ quan mình",
            view.agency.name
        ))));
    }
    let stored = crate::files::store_upload(&state.files_dir, &name, bytes).await?;
    match state.app.attach_assessment_file(&user.user, year, &agency, &sub, &stored, state.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/danh-gia/{year}/{agency}?da_luu=tep#tc-{}", sub.trim())).into_response()),
        Err(ServiceError::Invalid(problems)) => refuse(&state, &user, year, &agency, today, problems).await,
        Err(other) => Err(PageError::from(other)),
    }
}

/// The assessment page again with the problems listed (422), nothing saved.
async fn refuse(
    state: &AppState,
    user: &CurrentUser,
    year: i32,
    agency: &AgencyId,
    today: Date,
    problems: Vec<String>,
) -> Result<Response, PageError> {
    let view = state.app.assessment(Some(&user.user), year, agency, today).await?;
    let mut page = build(&view, Some(user), today);
    page.problems = problems;
    let mut response = render(&page)?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

pub(crate) fn year_of(text: &str) -> Result<i32, PageError> {
    text.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| PageError(WebError::NotFound(format!("năm «{}»", text.chars().take(12).collect::<String>()))))
}

struct AreaBar {
    code: String,
    name: String,
    points: String,
    max: String,
    /// Width in percent of the area's maximum.
    bar: String,
}

struct RowView {
    code: String,
    name: String,
    is_criterion_start: bool,
    criterion: String,
    max: String,
    method: String,
    evidence_required: String,
    self_assessed: bool,
    yes_no: bool,
    levels: Vec<String>,
    self_value: String,
    self_note: String,
    evidence: String,
    /// The evidence when it is a link to a page of this site.
    evidence_link: Option<String>,
    self_points: String,
    computed: String,
    appraised: String,
    appraisal_reason: String,
    explanation: String,
    points: String,
    files: Vec<FileView>,
}

struct FileView {
    name: String,
    link: String,
    size: String,
    by: String,
    at: String,
}

struct LogView {
    at: String,
    who: String,
    code: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "evaluation_assessment.html")]
struct AssessmentPage {
    nav: Nav,
    csrf_token: String,
    year: i32,
    agency_id: String,
    agency: String,
    kind: String,
    framework_title: String,
    template_note: bool,
    round_state: String,
    stage: String,
    deadline: String,
    explanation_due: String,
    points: String,
    max: String,
    full_max: String,
    index: String,
    band: String,
    areas: Vec<AreaBar>,
    rows: Vec<RowView>,
    log: Vec<LogView>,
    system_evidence: Vec<(String, String)>,
    /// The `accept` attribute and the size limit of the evidence upload.
    accept: &'static str,
    max_upload: String,
    may_self_assess: bool,
    may_appraise: bool,
    may_finalise: bool,
    may_explain: bool,
    /// An explained assessment: the council's second look closes it.
    reconsidering: bool,
    notice: Option<String>,
    problems: Vec<String>,
}

fn iso_vn(text: &str) -> String {
    Date::parse(text).map(|d| d.vn()).unwrap_or_default()
}

fn build(view: &AssessmentView, user: Option<&CurrentUser>, today: Date) -> AssessmentPage {
    let framework = &view.framework.framework;
    let mut last_criterion = String::new();
    let rows = view
        .rows
        .iter()
        .map(|r| {
            let start = r.criterion != last_criterion;
            last_criterion = r.criterion.clone();
            let criterion = framework
                .areas
                .iter()
                .flat_map(|a| a.criteria.iter())
                .find(|c| c.code == r.criterion)
                .map(|c| format!("{} {} ({} điểm)", c.code, c.name, c.max.vn()))
                .unwrap_or_default();
            RowView {
                code: r.code.clone(),
                name: r.name.clone(),
                is_criterion_start: start,
                criterion,
                max: r.max.vn(),
                method: r.method.clone(),
                evidence_required: r.evidence_required.clone(),
                self_assessed: r.self_assessed,
                yes_no: r.yes_no,
                levels: r.levels.clone(),
                self_value: r.self_value.clone(),
                self_note: r.self_note.clone(),
                evidence: r.evidence.clone(),
                evidence_link: Some(r.evidence.trim())
                    .filter(|e| e.starts_with('/') && !e.starts_with("//") && !e.contains(char::is_whitespace))
                    .map(str::to_string),
                self_points: r.self_points.map(|p| p.vn()).unwrap_or_default(),
                computed: r
                    .computed
                    .map(|v| format!("{}%", cchc_domain::number::plain_vn((v * 10.0).round() / 10.0)))
                    .unwrap_or_default(),
                appraised: match r.appraised {
                    Some(Some(p)) => p.vn(),
                    Some(None) => "không áp dụng".into(),
                    None => String::new(),
                },
                appraisal_reason: r.appraisal_reason.clone(),
                explanation: r.explanation.clone(),
                points: r.points.map_or_else(|| "không áp dụng".into(), |p| p.vn()),
                files: r
                    .files
                    .iter()
                    .map(|f| FileView {
                        name: f.file_name.clone(),
                        link: format!("/tep/{}?danh_gia={}", f.sha256, f.id),
                        size: crate::files::size_vn(f.size),
                        by: f.by.clone().unwrap_or_default(),
                        at: cchc_domain::Timestamp::parse_rfc3339(&f.at)
                            .map(|t| t.date_in_vietnam().vn())
                            .unwrap_or_default(),
                    })
                    .collect(),
            }
        })
        .collect();
    let stage = view.assessment.as_ref().map(|a| a.stage);
    let explanation_due = view.assessment.as_ref().and_then(|a| a.explanation_due.clone()).unwrap_or_default();
    let may_finalise = user.is_some_and(|u| u.user.is_appraiser())
        && stage == Some(AssessmentStage::Appraised)
        && !explanation_due.is_empty()
        && explanation_due.as_str() < today.iso().as_str();
    AssessmentPage {
        nav: Nav::new(user),
        csrf_token: user.map(|u| u.csrf_token.clone()).unwrap_or_default(),
        year: view.year,
        agency_id: view.agency.id.to_string(),
        agency: view.agency.name.clone(),
        kind: kind_label(view.agency.kind).to_string(),
        framework_title: framework.title.clone(),
        template_note: framework.template,
        round_state: view
            .round
            .as_ref()
            .map_or_else(|| "Chưa mở đợt đánh giá".into(), |r| r.stage.label_vn().to_string()),
        stage: stage.map_or_else(|| AssessmentStage::Draft.label_vn().to_string(), |s| s.label_vn().to_string()),
        deadline: view.round.as_ref().map(|r| iso_vn(&r.self_deadline)).unwrap_or_default(),
        explanation_due: iso_vn(&explanation_due),
        points: view.score.points.vn(),
        max: view.score.max.vn(),
        full_max: view.score.full_max.vn(),
        index: view.score.index.map_or_else(|| "—".into(), |i| i.vn()),
        band: view.score.index.and_then(|i| framework.band(i.value())).map(|b| b.label.clone()).unwrap_or_default(),
        areas: view
            .score
            .by_area
            .iter()
            .map(|a| AreaBar {
                code: a.code.clone(),
                name: a.name.clone(),
                points: a.points.vn(),
                max: a.max.vn(),
                bar: if a.max.hundredths() > 0 {
                    format!("{:.1}", (a.points.value() * 100.0 / a.max.value()).clamp(0.0, 100.0))
                } else {
                    "0".into()
                },
            })
            .collect(),
        rows,
        log: view
            .log
            .iter()
            .rev()
            .map(|l| LogView {
                at: cchc_domain::Timestamp::parse_rfc3339(&l.at).map_or(l.at.clone(), |t| t.vn()),
                who: l.username.clone().unwrap_or_else(|| "hệ thống".into()),
                code: l.sub_code.clone().unwrap_or_default(),
                detail: l.detail.clone(),
            })
            .collect(),
        system_evidence: view.system_evidence.clone(),
        accept: crate::files::ACCEPT,
        max_upload: crate::files::size_vn(crate::MAX_UPLOAD_BYTES as u64),
        may_self_assess: view.may_self_assess,
        may_appraise: view.may_appraise,
        may_finalise,
        may_explain: view.may_explain,
        reconsidering: stage == Some(AssessmentStage::Explained),
        notice: None,
        problems: Vec::new(),
    }
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    #[serde(rename = "da_luu")]
    saved: Option<String>,
}

pub(crate) fn agency_id(text: &str) -> Result<AgencyId, PageError> {
    AgencyId::parse(text.trim()).ok_or_else(|| {
        PageError(WebError::NotFound(format!("cơ quan «{}»", text.chars().take(40).collect::<String>())))
    })
}

async fn page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((year, agency)): Path<(String, String)>,
    VnQuery(query): VnQuery<PageQuery>,
) -> Result<Response, PageError> {
    let year = year_of(&year)?;
    let agency = agency_id(&agency)?;
    let today = state.now().date_in_vietnam();
    let view = state.app.assessment(user.as_ref().map(|u| &u.user), year, &agency, today).await?;
    let mut page = build(&view, user.as_ref(), today);
    page.notice = query.saved.map(|step| {
        match step.as_str() {
            "luu" => "Đã lưu điểm tự chấm.",
            "gui" => "Đã gửi kết quả tự chấm để thẩm định.",
            "tham_dinh" => "Đã lưu điểm thẩm định.",
            "hoan_thanh" => "Đã hoàn thành thẩm định.",
            "giai_trinh" => "Đã gửi giải trình.",
            "chot" => "Đã chốt điểm.",
            "tep" => "Đã đính kèm tệp minh chứng.",
            _ => "Đã lưu.",
        }
        .to_string()
    });
    render(&page)
}

/// Posted fields: `buoc` (the step), `csrf_token`, and per sub-criterion `gia_tri:<code>`,
/// `ghi_chu:<code>`, `minh_chung:<code>`, `diem:<code>`, `ly_do:<code>`, `giai_trinh:<code>`.
async fn action(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((year, agency)): Path<(String, String)>,
    VnForm(fields): VnForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.check_csrf(fields.get("csrf_token").map(String::as_str))?;
    let year = year_of(&year)?;
    let agency = agency_id(&agency)?;
    let now = state.now();
    let step = fields.get("buoc").map(String::as_str).unwrap_or_default().to_string();
    let codes: Vec<String> = {
        let mut codes: Vec<String> =
            fields.keys().filter_map(|k| k.split_once(':').map(|(_, code)| code.to_string())).collect();
        codes.sort();
        codes.dedup();
        codes
    };
    let field = |prefix: &str, code: &str| fields.get(&format!("{prefix}:{code}")).cloned().unwrap_or_default();
    let result = match step.as_str() {
        "luu" | "gui" => {
            let inputs: Vec<SelfInput> = codes
                .iter()
                .filter(|c| fields.contains_key(&format!("gia_tri:{c}")))
                .map(|c| SelfInput {
                    sub: c.clone(),
                    value: field("gia_tri", c),
                    note: field("ghi_chu", c),
                    evidence: field("minh_chung", c),
                })
                .collect();
            state.app.save_self_assessment(&user.user, year, &agency, &inputs, step == "gui", now).await.map(|_| ())
        }
        "tham_dinh" | "hoan_thanh" => {
            let inputs: Vec<AppraisalInput> = codes
                .iter()
                .filter(|c| fields.contains_key(&format!("diem:{c}")))
                .filter(|c| !field("diem", c).trim().is_empty() || !field("ly_do", c).trim().is_empty())
                .map(|c| AppraisalInput { sub: c.clone(), points: field("diem", c), reason: field("ly_do", c) })
                .collect();
            state.app.appraise(&user.user, year, &agency, &inputs, step == "hoan_thanh", now).await.map(|_| ())
        }
        "giai_trinh" => {
            let explanations: Vec<(String, String)> = codes
                .iter()
                .map(|c| (c.clone(), field("giai_trinh", c)))
                .filter(|(_, t)| !t.trim().is_empty())
                .collect();
            state.app.explain(&user.user, year, &agency, &explanations, now).await
        }
        "chot" => state.app.finalise_assessment(&user.user, year, &agency, now).await,
        _ => return Err(PageError(WebError::BadRequest("thao tác không hợp lệ".into()))),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/danh-gia/{year}/{agency}?da_luu={step}")).into_response()),
        Err(ServiceError::Invalid(problems)) => {
            refuse(&state, &user, year, &agency, now.date_in_vietnam(), problems).await
        }
        Err(other) => Err(PageError::from(other)),
    }
}

#[derive(Debug, Default, Deserialize)]
struct RoundFields {
    csrf_token: Option<String>,
    #[serde(rename = "loai")]
    kind: Option<String>,
    #[serde(rename = "buoc")]
    step: Option<String>,
    /// Self-assessment deadline (dd/mm/yyyy).
    #[serde(rename = "han")]
    deadline: Option<String>,
    /// Working days to explain.
    #[serde(rename = "so_ngay")]
    days: Option<String>,
}

/// Sở Nội vụ's steps of a round: open, close the self-assessment, publish.
async fn round_action(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(year): Path<String>,
    VnForm(fields): VnForm<RoundFields>,
) -> Result<Response, PageError> {
    user.check_csrf(fields.csrf_token.as_deref())?;
    user.require_admin()?;
    let year = year_of(&year)?;
    let kind = fields
        .kind
        .as_deref()
        .and_then(parse_kind)
        .ok_or_else(|| PageError(WebError::BadRequest("loại cơ quan không hợp lệ".into())))?;
    let now = state.now();
    let result = match fields.step.as_deref() {
        Some("mo") => {
            let deadline = fields.deadline.as_deref().unwrap_or_default();
            let deadline = Date::parse(deadline.trim()).map_err(|_| {
                PageError(WebError::Invalid(vec![format!("hạn tự đánh giá «{deadline}» không phải ngày dd/mm/yyyy")]))
            })?;
            let days = fields.days.as_deref().unwrap_or("5").trim().parse::<u32>().map_err(|_| {
                PageError(WebError::Invalid(vec!["số ngày làm việc được giải trình phải là số nguyên".into()]))
            })?;
            state.app.open_round(&user.user, year, kind, deadline, days, now).await.map(|_| "mo")
        }
        Some("tham_dinh") => state.app.start_appraisal(&user.user, year, kind, now).await.map(|_| "tham_dinh"),
        Some("cong_bo") => state.app.publish_round(&user.user, year, kind, now).await.map(|_| "cong_bo"),
        _ => return Err(PageError(WebError::BadRequest("thao tác không hợp lệ".into()))),
    };
    match result {
        Ok(step) => {
            Ok(Redirect::to(&format!("/danh-gia?nam={year}&da_luu={step}&loai={}", kind.as_str())).into_response())
        }
        Err(other) => Err(PageError::from(other)),
    }
}
