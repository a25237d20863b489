//! `/danh-gia/tieu-chi`: the criteria framework of a year and kind as people read it (areas,
//! criteria, sub-criteria, points, how each is scored, the evidence asked for), its JSON
//! document to download and, for Sở Nội vụ, the upload of an edited version — refused whole,
//! every error with its line, when anything in it is wrong.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use cchc_domain::AgencyKind;
use cchc_services::evaluation::{kind_label, parse_kind};
use serde::Deserialize;

use crate::auth::{CurrentUser, MaybeUser, PageUser};
use crate::error::PageError;
use crate::extract::VnQuery;
use crate::pages::plan::bad_request;
use crate::pages::{render, Nav};
use crate::AppState;

/// Largest framework document accepted (the template is about 25 KB).
pub const MAX_FRAMEWORK_BYTES: usize = 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new().route("/danh-gia/tieu-chi", get(page).post(upload)).route("/danh-gia/tieu-chi.json", get(download))
}

#[derive(Debug, Default, Deserialize)]
struct FrameworkQuery {
    #[serde(rename = "nam")]
    year: Option<String>,
    #[serde(rename = "loai")]
    kind: Option<String>,
    #[serde(rename = "da_nap")]
    imported: Option<String>,
}

struct SubView {
    code: String,
    name: String,
    max: String,
    method: String,
    evidence: String,
}

struct CriterionView {
    code: String,
    name: String,
    max: String,
    subs: Vec<SubView>,
}

struct AreaView {
    code: String,
    name: String,
    max: String,
    criteria: Vec<CriterionView>,
}

struct KindChoice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "evaluation_framework.html")]
struct FrameworkPage {
    nav: Nav,
    csrf_token: String,
    is_admin: bool,
    year: i32,
    kind: &'static str,
    kind_label: &'static str,
    kinds: Vec<KindChoice>,
    title: String,
    basis: String,
    template: bool,
    version: String,
    max: String,
    bands: Vec<(String, String)>,
    areas: Vec<AreaView>,
    notice: Option<String>,
    problems: Vec<String>,
}

fn year_and_kind(state: &AppState, query: &FrameworkQuery) -> Result<(i32, AgencyKind), PageError> {
    let year =
        match query.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
            None => state.now().date_in_vietnam().year() - 1,
            Some(text) => text.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).ok_or_else(|| {
                bad_request(format!("năm «{}» không hợp lệ", text.chars().take(20).collect::<String>()))
            })?,
        };
    let kind = match query.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => AgencyKind::Department,
        Some(text) => parse_kind(text).ok_or_else(|| {
            bad_request("loại cơ quan phải là department (sở, ban, ngành), district (UBND cấp huyện) hoặc commune (UBND cấp xã)")
        })?,
    };
    Ok((year, kind))
}

async fn build(
    state: &AppState,
    user: Option<&CurrentUser>,
    year: i32,
    kind: AgencyKind,
) -> Result<FrameworkPage, PageError> {
    let in_force = state.app.framework(year, kind).await?;
    let framework = &in_force.framework;
    let mut bands: Vec<_> = framework.bands.clone();
    bands.sort_by(|a, b| b.from.total_cmp(&a.from));
    Ok(FrameworkPage {
        nav: Nav::new(user),
        csrf_token: user.map(|u| u.csrf_token.clone()).unwrap_or_default(),
        is_admin: user.is_some_and(|u| u.user.is_admin()),
        year,
        kind: kind.as_str(),
        kind_label: kind_label(kind),
        kinds: cchc_domain::evaluation::ASSESSED_KINDS
            .iter()
            .map(|k| KindChoice { value: k.as_str(), label: kind_label(*k), selected: *k == kind })
            .collect(),
        title: framework.title.clone(),
        basis: framework.basis.clone(),
        template: framework.template,
        version: in_force.version.map_or_else(|| "bộ mẫu kèm phần mềm".into(), |v| format!("phiên bản {v}")),
        max: framework.max.vn(),
        bands: bands
            .iter()
            .map(|b| (b.label.clone(), format!("từ {}%", cchc_domain::number::plain_vn(b.from))))
            .collect(),
        areas: framework
            .areas
            .iter()
            .map(|a| AreaView {
                code: a.code.clone(),
                name: a.name.clone(),
                max: a.max.vn(),
                criteria: a
                    .criteria
                    .iter()
                    .map(|c| CriterionView {
                        code: c.code.clone(),
                        name: c.name.clone(),
                        max: c.max.vn(),
                        subs: c
                            .subs
                            .iter()
                            .map(|s| SubView {
                                code: s.code.clone(),
                                name: s.name.clone(),
                                max: s.max.vn(),
                                method: s.method.label_vn(),
                                evidence: s.evidence.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        notice: None,
        problems: Vec::new(),
    })
}

async fn page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    VnQuery(query): VnQuery<FrameworkQuery>,
) -> Result<Response, PageError> {
    let (year, kind) = year_and_kind(&state, &query)?;
    let mut page = build(&state, user.as_ref(), year, kind).await?;
    page.notice = query.imported.map(|version| format!("Đã nạp bộ tiêu chí mới: phiên bản {version}."));
    render(&page)
}

async fn download(
    State(state): State<AppState>,
    VnQuery(query): VnQuery<FrameworkQuery>,
) -> Result<Response, PageError> {
    let (year, kind) = year_and_kind(&state, &query)?;
    let document = state.app.export_framework(year, kind).await?;
    let name = format!("bo-tieu-chi-chi-so-cchc-{year}-{}.json", kind.as_str());
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, crate::files::content_disposition(&name)),
        ],
        document,
    )
        .into_response())
}

#[derive(Default)]
struct UploadFields {
    csrf_token: Option<String>,
    note: String,
    file_name: String,
    bytes: Vec<u8>,
    too_big: bool,
}

async fn read_upload(multipart: &mut Multipart) -> Result<UploadFields, PageError> {
    let too_large = || format!("tệp bộ tiêu chí quá lớn (tối đa {} KB)", MAX_FRAMEWORK_BYTES / 1024);
    let mut fields = UploadFields::default();
    while let Some(mut field) =
        multipart.next_field().await.map_err(|e| crate::pages::multipart_failure(&e, too_large))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            fields.file_name = crate::files::clean_file_name(field.file_name().unwrap_or_default());
            while let Some(chunk) = field.chunk().await.map_err(|e| crate::pages::multipart_failure(&e, too_large))? {
                if fields.bytes.len() + chunk.len() > MAX_FRAMEWORK_BYTES {
                    fields.too_big = true;
                    fields.bytes.clear();
                } else if !fields.too_big {
                    fields.bytes.extend_from_slice(&chunk);
                }
            }
            continue;
        }
        let value = field.text().await.map_err(|e| crate::pages::multipart_failure(&e, too_large))?;
        match name.as_str() {
            "csrf_token" => fields.csrf_token = Some(value),
            "ghi_chu" => fields.note = value,
            _ => {}
        }
    }
    Ok(fields)
}

async fn upload(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnQuery(query): VnQuery<FrameworkQuery>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let mut multipart = multipart.map_err(|_| bad_request("biểu mẫu phải gửi dạng multipart/form-data"))?;
    let fields = read_upload(&mut multipart).await?;
    user.check_csrf(fields.csrf_token.as_deref())?;
    user.require_admin()?;
    let (year, kind) = year_and_kind(&state, &query)?;
    let mut problems = Vec::new();
    let file = if fields.file_name.is_empty() { "(không tên)".to_string() } else { fields.file_name.clone() };
    if fields.too_big {
        problems.push(format!("Tệp «{file}» quá lớn (tối đa {} KB).", MAX_FRAMEWORK_BYTES / 1024));
    } else if fields.bytes.is_empty() {
        problems.push("Chưa chọn tệp (hoặc tệp rỗng). Hãy chọn tệp bộ tiêu chí .json.".to_string());
    } else if !fields.file_name.to_lowercase().ends_with(".json") {
        problems.push(format!("Tệp «{file}» không phải tệp .json (tải tệp mẫu ở liên kết bên trên, sửa rồi tải lên)."));
    }
    let text = if problems.is_empty() {
        match String::from_utf8(fields.bytes) {
            Ok(text) => Some(text),
            Err(_) => {
                problems.push(format!("Tệp «{file}» không phải văn bản UTF-8."));
                None
            }
        }
    } else {
        None
    };
    if let Some(text) = text {
        match state.app.import_framework(&user.user, &text, &fields.note, state.now()).await {
            Ok((saved_year, saved_kind, version, _)) => {
                return Ok(Redirect::to(&format!(
                    "/danh-gia/tieu-chi?nam={saved_year}&loai={}&da_nap={version}",
                    saved_kind.as_str()
                ))
                .into_response());
            }
            Err(cchc_services::ServiceError::Invalid(errors)) => problems.extend(errors),
            Err(other) => return Err(PageError::from(other)),
        }
    }
    let mut page = build(&state, Some(&user), year, kind).await?;
    problems.insert(0, format!("Không nạp tệp «{file}»; bộ tiêu chí đang áp dụng không thay đổi."));
    page.problems = problems;
    let mut response = render(&page)?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}
