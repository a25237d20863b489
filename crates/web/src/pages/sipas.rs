//! `/danh-gia/sipas?nam=Y`: the satisfaction index (SIPAS) of a year — a table per agency with
//! the five elements, sample sizes and 95% intervals, a bar chart of the overall share by
//! agency — and, for Sở Nội vụ, the upload of a survey file and a form to key one paper form.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use cchc_domain::number::Percent1;
use cchc_domain::sipas::{SipasElement, RATING_LABELS};
use cchc_services::survey::SurveyImport;
use cchc_services::ServiceError;
use serde::Deserialize;

use crate::api::sipas::{ElementDto, ShareDto, SipasDto};
use crate::auth::{CurrentUser, PageUser};
use crate::error::PageError;
use crate::extract::{VnForm, VnQuery};
use crate::pages::plan::bad_request;
use crate::pages::{render, Nav};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/danh-gia/sipas", get(page))
        .route("/danh-gia/sipas/nhap", post(upload))
        .route("/danh-gia/sipas/phieu", post(key_form))
        .route("/danh-gia/sipas/cau-hinh.json", get(config_download))
        .route("/danh-gia/sipas/cau-hinh", post(config_upload))
}

struct Cell {
    share: String,
    interval: String,
    answers: u64,
}

struct Line {
    id: String,
    name: String,
    responses: u64,
    overall: String,
    interval: String,
    elements: Vec<Cell>,
}

struct Bar {
    name: String,
    y: usize,
    text_y: usize,
    width: f64,
    low: f64,
    high: f64,
    label: String,
}

struct Item {
    number: u16,
    element: &'static str,
}

struct Choice {
    id: String,
    name: String,
}

#[derive(Template)]
#[template(path = "sipas.html")]
struct SipasPage {
    nav: Nav,
    csrf_token: String,
    year: i32,
    elements: Vec<&'static str>,
    lines: Vec<Line>,
    province: Line,
    bars: Vec<Bar>,
    chart_height: usize,
    items: Vec<Item>,
    /// Per element: name, weight, question numbers.
    weights: Vec<(&'static str, String, String)>,
    satisfied: String,
    config_version: String,
    levels: Vec<(u8, &'static str)>,
    agencies: Vec<Choice>,
    notice: Option<String>,
    problems: Vec<String>,
    excluded: Vec<(u32, String)>,
}

fn vn(value: f64) -> String {
    Percent1::of(value).map_or_else(String::new, |p| format!("{}%", p.vn()))
}

fn interval(share: Option<ShareDto>) -> String {
    share.map_or_else(String::new, |s| format!("{}–{}", vn(s.low).trim_end_matches('%'), vn(s.high)))
}

fn cells(elements: &[ElementDto]) -> Vec<Cell> {
    elements
        .iter()
        .map(|e| Cell {
            share: e.share.map_or_else(|| "—".into(), vn),
            interval: match (e.low, e.high) {
                (Some(low), Some(high)) => interval(Some(ShareDto { share: 0.0, low, high })),
                _ => String::new(),
            },
            answers: e.answers,
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    #[serde(rename = "nam")]
    year: Option<i32>,
}

async fn build(state: &AppState, user: &CurrentUser, year: i32) -> Result<SipasPage, PageError> {
    let index = state.app.sipas_index(year).await?;
    let directory = state.app.survey_directory(year);
    let dto = SipasDto::new(year, &index, &directory);
    let lines: Vec<Line> = dto
        .agencies
        .iter()
        .map(|a| Line {
            id: a.agency.clone(),
            name: a.name.clone(),
            responses: a.responses,
            overall: a.overall.map_or_else(|| "—".into(), |s| vn(s.share)),
            interval: interval(a.overall),
            elements: cells(&a.elements),
        })
        .collect();
    let province = Line {
        id: String::new(),
        name: "Toàn tỉnh".into(),
        responses: dto.province.responses,
        overall: dto.province.overall.map_or_else(|| "—".into(), |s| vn(s.share)),
        interval: interval(dto.province.overall),
        elements: cells(&dto.province.elements),
    };
    let mut ranked: Vec<_> = dto.agencies.iter().filter_map(|a| a.overall.map(|s| (a.name.clone(), s))).collect();
    ranked.sort_by(|a, b| b.1.share.total_cmp(&a.1.share).then_with(|| a.0.cmp(&b.0)));
    let bars: Vec<Bar> = ranked
        .into_iter()
        .enumerate()
        .map(|(i, (name, s))| Bar {
            name,
            y: i * 24,
            text_y: i * 24 + 15,
            width: s.share,
            low: s.low,
            high: s.high,
            label: vn(s.share),
        })
        .collect();
    let (config, version) = state.app.sipas_config(year).await?;
    Ok(SipasPage {
        nav: Nav::new(Some(user)),
        csrf_token: user.csrf_token.clone(),
        year,
        elements: SipasElement::ALL.iter().map(|e| e.label_vn()).collect(),
        chart_height: bars.len() * 24 + 4,
        lines,
        province,
        bars,
        items: config.items.iter().map(|(number, e)| Item { number: *number, element: e.label_vn() }).collect(),
        weights: SipasElement::ALL
            .iter()
            .map(|e| {
                let items = config.items_of(*e).iter().map(|n| format!("C{n}")).collect::<Vec<_>>().join(", ");
                (e.label_vn(), cchc_domain::number::plain_vn(config.weight(*e)), items)
            })
            .collect(),
        satisfied: config.satisfied.iter().map(|r| r.label_vn()).collect::<Vec<_>>().join(", "),
        config_version: version.map_or_else(
            || "cấu hình mặc định theo mẫu quốc gia".to_string(),
            |v| {
                format!(
                    "phiên bản {} của năm {}, lưu ngày {}{}",
                    v.version,
                    v.year,
                    v.created_at
                        .get(..10)
                        .and_then(|d| cchc_domain::Date::parse(d).ok())
                        .map(|d| d.vn())
                        .unwrap_or_default(),
                    if v.note.is_empty() { String::new() } else { format!(" ({})", v.note) }
                )
            },
        ),
        levels: RATING_LABELS.iter().enumerate().map(|(i, l)| (i as u8 + 1, *l)).collect(),
        agencies: directory.agencies.iter().map(|a| Choice { id: a.id.to_string(), name: a.name.clone() }).collect(),
        notice: None,
        problems: Vec::new(),
        excluded: Vec::new(),
    })
}

fn default_year(state: &AppState) -> i32 {
    state.now().date_in_vietnam().year()
}

async fn page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnQuery(q): VnQuery<PageQuery>,
) -> Result<Response, PageError> {
    let year = q.year.unwrap_or_else(|| default_year(&state));
    render(&build(&state, &user, year).await?)
}

/// The page after an import or a keyed form: the summary and every line not counted, or why
/// nothing was stored.
async fn answered(
    state: &AppState,
    user: &CurrentUser,
    year: i32,
    result: Result<SurveyImport, ServiceError>,
    what: &str,
) -> Result<Response, PageError> {
    let mut page = build(state, user, year).await?;
    match result {
        Ok(import) => {
            page.notice = Some(format!(
                "{what}: {} phiếu được lưu và tính, {} dòng không được tính.",
                import.accepted,
                import.excluded.len()
            ));
            page.excluded = import.excluded.iter().map(|d| (d.line, d.message.clone())).collect();
        }
        Err(ServiceError::Invalid(reasons)) => {
            page.problems = reasons;
            page.problems.insert(0, format!("{what}: không lưu gì."));
        }
        Err(other) => return Err(other.into()),
    }
    render(&page)
}

/// The year posted with a form (`nam`).
fn posted_year(form: &crate::files::UploadForm) -> Result<i32, PageError> {
    form.field("nam").and_then(|y| y.trim().parse::<i32>().ok()).ok_or_else(|| bad_request("năm khảo sát không hợp lệ"))
}

async fn upload(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let mut multipart = multipart.map_err(|_| bad_request("biểu mẫu phải gửi dạng multipart/form-data"))?;
    let form = crate::files::read_form(&mut multipart).await?;
    user.check_csrf(form.field("csrf_token"))?;
    user.require_admin()?;
    let year = posted_year(&form)?;
    let (name, bytes) = form.file.unwrap_or_default();
    let name = crate::files::clean_file_name(&name);
    let what = format!("Tệp «{name}»");
    let result = if form.too_big.is_some() {
        Err(ServiceError::Invalid(vec!["tệp quá lớn (tối đa 10 MB)".into()]))
    } else if bytes.is_empty() {
        Err(ServiceError::Invalid(vec!["chưa chọn tệp (hoặc tệp rỗng)".into()]))
    } else {
        state.app.import_survey(&user.user, year, &name, &bytes, state.now()).await
    };
    answered(&state, &user, year, result, &what).await
}

/// The configuration of a year as its JSON document, to edit and upload again.
async fn config_download(
    State(state): State<AppState>,
    PageUser(_user): PageUser,
    VnQuery(q): VnQuery<PageQuery>,
) -> Result<Response, PageError> {
    let year = q.year.unwrap_or_else(|| default_year(&state));
    let document = state.app.export_sipas_config(year).await?;
    Ok(crate::export::download(
        document.into_bytes(),
        "application/json; charset=utf-8",
        &format!("cau-hinh-sipas-{year}.json"),
    ))
}

/// Sở Nội vụ replaces the configuration of a year with an edited document (refused whole).
async fn config_upload(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let mut multipart = multipart.map_err(|_| bad_request("biểu mẫu phải gửi dạng multipart/form-data"))?;
    let form = crate::files::read_form(&mut multipart).await?;
    user.check_csrf(form.field("csrf_token"))?;
    user.require_admin()?;
    let year = posted_year(&form)?;
    let note = form.field("ghi_chu").unwrap_or_default().to_string();
    let (name, bytes) = form.file.unwrap_or_default();
    let result = if form.too_big.is_some() {
        Err(ServiceError::Invalid(vec!["tệp quá lớn".into()]))
    } else if bytes.is_empty() {
        Err(ServiceError::Invalid(vec!["chưa chọn tệp cấu hình (.json)".into()]))
    } else if !name.to_lowercase().ends_with(".json") {
        Err(ServiceError::Invalid(vec![format!("tệp «{}» không phải tệp .json", crate::files::clean_file_name(&name))]))
    } else {
        match String::from_utf8(bytes) {
            Ok(text) => state.app.import_sipas_config(&user.user, year, &text, &note, state.now()).await,
            Err(_) => Err(ServiceError::Invalid(vec!["tệp không phải văn bản UTF-8".into()])),
        }
    };
    let mut page = build(&state, &user, year).await?;
    match result {
        Ok(version) => {
            page.notice = Some(format!(
                "Đã lưu cấu hình khảo sát năm {year}, phiên bản {version}; chỉ số được tính lại theo cấu hình này."
            ))
        }
        Err(ServiceError::Invalid(reasons)) => {
            page.problems = reasons;
            page.problems.insert(0, "Cấu hình khảo sát: không lưu gì.".into());
        }
        Err(other) => return Err(other.into()),
    }
    let mut response = render(&page)?;
    if !page.problems.is_empty() {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

async fn key_form(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnForm(fields): VnForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    user.check_csrf(fields.get("csrf_token").map(String::as_str))?;
    user.require_admin()?;
    let year = fields
        .get("nam")
        .and_then(|y| y.trim().parse::<i32>().ok())
        .ok_or_else(|| bad_request("năm khảo sát không hợp lệ"))?;
    let answers: BTreeMap<u16, String> = fields
        .iter()
        .filter_map(|(key, value)| Some((key.strip_prefix('c')?.parse::<u16>().ok()?, value.clone())))
        .collect();
    let form_id = fields.get("ma_phieu").map(String::as_str).unwrap_or_default();
    let agency = fields.get("co_quan").map(String::as_str).unwrap_or_default();
    let result = state.app.key_response(&user.user, year, form_id, agency, &answers, state.now()).await;
    answered(&state, &user, year, result, &format!("Phiếu giấy «{}»", form_id.trim())).await
}
