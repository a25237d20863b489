//! `/danh-gia/xep-loai?nam=Y`: the year-end task-completion rating — the rule set's basis and
//! notes, per kind of agency the breakdown of each agency's points, its total with a bar, the
//! level (before and after the cap on "excellent") and any override with its reason; for Sở Nội
//! vụ a form per agency to record an override. Logged-in users only: Sở Nội vụ, leaders and the
//! council see every agency, an officer its own.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use cchc_domain::evaluation::RatingLevel;
use cchc_domain::{AgencyId, Timestamp};
use cchc_services::evaluation::kind_label;
use cchc_services::rating::YearRatings;
use cchc_services::ServiceError;
use serde::Deserialize;

use crate::auth::{CurrentUser, PageUser};
use crate::error::{PageError, WebError};
use crate::extract::{VnForm, VnQuery};
use crate::pages::{render, Nav};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/danh-gia/xep-loai", get(page).post(record_override))
}

#[derive(Debug, Deserialize, Default)]
struct PageQuery {
    #[serde(rename = "nam")]
    year: Option<String>,
    #[serde(rename = "da_luu")]
    saved: Option<String>,
}

struct ComponentCell {
    points: String,
    share: String,
}

struct LevelOption {
    value: &'static str,
    label: &'static str,
}

struct Row {
    id: String,
    agency: String,
    components: Vec<ComponentCell>,
    total: String,
    /// Bar width (0–100).
    bar: String,
    level: String,
    /// The computed level when an override replaces it, or the level before the cap.
    note: String,
    override_reason: String,
    override_by: String,
    history: Vec<String>,
}

struct KindBlock {
    title: String,
    state: String,
    rows: Vec<Row>,
}

struct ComponentHead {
    name: String,
    max: String,
    source: String,
}

#[derive(Template)]
#[template(path = "rating.html")]
struct RatingPage {
    nav: Nav,
    year: i32,
    prev_year: i32,
    next_year: i32,
    title: String,
    basis: String,
    version: String,
    cap: String,
    notes: Vec<String>,
    components: Vec<ComponentHead>,
    kinds: Vec<KindBlock>,
    can_override: bool,
    levels: Vec<LevelOption>,
    csrf_token: String,
    notice: Option<String>,
    problems: Vec<String>,
}

fn year_of(text: Option<&str>, today_year: i32) -> Result<i32, PageError> {
    match text.map(str::trim).filter(|y| !y.is_empty()) {
        None => Ok(today_year - 1),
        Some(text) => text.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).ok_or_else(|| {
            PageError(WebError::BadRequest(format!("năm «{}» không hợp lệ", text.chars().take(20).collect::<String>())))
        }),
    }
}

fn when(at: &str) -> String {
    Timestamp::parse_rfc3339(at).map(|t| t.date_in_vietnam().vn()).unwrap_or_default()
}

fn build(ratings: &YearRatings, user: &CurrentUser) -> RatingPage {
    let rules = &ratings.rules.rules;
    let year = ratings.year;
    RatingPage {
        nav: Nav::new(Some(user)),
        year,
        prev_year: year - 1,
        next_year: year + 1,
        title: rules.title.clone(),
        basis: rules.basis.clone(),
        version: ratings
            .rules
            .version
            .map_or_else(|| "bộ quy tắc có sẵn trong phần mềm".to_string(), |v| format!("phiên bản {v} do Sở Nội vụ nạp")),
        cap: rules
            .excellent_cap_percent
            .map(|p| format!("Số cơ quan xếp loại hoàn thành xuất sắc không quá {p}% số cơ quan đạt hoàn thành tốt trở lên, tính riêng cho từng loại cơ quan."))
            .unwrap_or_default(),
        notes: rules.notes.clone(),
        components: rules
            .components
            .iter()
            .map(|c| ComponentHead { name: c.name.clone(), max: c.max.vn(), source: c.source.label_vn() })
            .collect(),
        kinds: ratings
            .kinds
            .iter()
            .map(|k| KindBlock {
                title: format!("Xếp loại năm {year} của {}", kind_label(k.kind)),
                state: format!(
                    "{}{}",
                    if k.par_index_published { "Chỉ số CCHC đã công bố" } else { "Chỉ số CCHC tạm tính, chưa công bố" },
                    k.cap.map(|c| format!("; tối đa {c} cơ quan hoàn thành xuất sắc")).unwrap_or_default()
                ),
                rows: k
                    .results
                    .iter()
                    .map(|r| {
                        let rating = &r.rating;
                        let note = if rating.override_.is_some() {
                            format!(
                                "Điều chỉnh; theo điểm: {}",
                                rating.computed_level.map_or("chưa xếp loại", |l| l.label_vn())
                            )
                        } else if rating.capped {
                            "Đạt điểm xuất sắc, vượt tỷ lệ nên xếp hoàn thành tốt".to_string()
                        } else {
                            String::new()
                        };
                        Row {
                            id: r.agency.id.to_string(),
                            agency: r.agency.name.clone(),
                            components: rating
                                .components
                                .iter()
                                .map(|c| ComponentCell {
                                    points: c.points.map_or_else(|| "—".into(), |p| p.vn()),
                                    share: c.share.map_or_else(
                                        || "không có số liệu".into(),
                                        |s| format!("{}%", cchc_domain::number::plain_vn((s * 10.0).round() / 10.0)),
                                    ),
                                })
                                .collect(),
                            total: rating.total.map_or_else(|| "—".into(), |t| t.vn()),
                            bar: rating
                                .total
                                .map_or_else(|| "0".into(), |t| format!("{:.2}", t.value().clamp(0.0, 100.0))),
                            level: rating.level.map_or_else(|| "Chưa xếp loại".into(), |l| l.label_vn().to_string()),
                            note,
                            override_reason: rating.override_.as_ref().map(|o| o.reason.clone()).unwrap_or_default(),
                            override_by: rating
                                .override_
                                .as_ref()
                                .map(|o| format!("{} — {}", o.by, when(&o.at)))
                                .unwrap_or_default(),
                            history: r
                                .history
                                .iter()
                                .rev()
                                .skip(1)
                                .map(|o| format!("{}: {} ({}, {})", when(&o.at), o.level.label_vn(), o.reason, o.by))
                                .collect(),
                        }
                    })
                    .collect(),
            })
            .collect(),
        can_override: user.user.is_admin(),
        levels: RatingLevel::ALL.into_iter().map(|l| LevelOption { value: l.as_str(), label: l.label_vn() }).collect(),
        csrf_token: user.csrf_token.clone(),
        notice: None,
        problems: Vec::new(),
    }
}

async fn page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnQuery(query): VnQuery<PageQuery>,
) -> Result<Response, PageError> {
    let today = state.now().date_in_vietnam();
    let year = year_of(query.year.as_deref(), today.year())?;
    let ratings = state.app.ratings(Some(&user.user), year, today).await?;
    let mut page = build(&ratings, &user);
    page.notice = query.saved.map(|agency| format!("Đã ghi điều chỉnh kết quả xếp loại ({agency})."));
    render(&page)
}

#[derive(Debug, Default, Deserialize)]
struct OverrideFields {
    csrf_token: Option<String>,
    #[serde(rename = "nam")]
    year: Option<String>,
    #[serde(rename = "co_quan")]
    agency: Option<String>,
    #[serde(rename = "muc")]
    level: Option<String>,
    #[serde(rename = "ly_do")]
    reason: Option<String>,
}

/// Sở Nội vụ records an override (level and reason) of one agency's rating.
async fn record_override(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnForm(fields): VnForm<OverrideFields>,
) -> Result<Response, PageError> {
    user.check_csrf(fields.csrf_token.as_deref())?;
    user.require_admin()?;
    let now = state.now();
    let year = year_of(fields.year.as_deref(), now.date_in_vietnam().year())?;
    let agency_text = fields.agency.as_deref().unwrap_or_default();
    let agency = AgencyId::parse(agency_text.trim()).ok_or_else(|| {
        PageError(WebError::NotFound(format!("cơ quan «{}»", agency_text.chars().take(40).collect::<String>())))
    })?;
    let level = fields
        .level
        .as_deref()
        .and_then(RatingLevel::parse)
        .ok_or_else(|| PageError(WebError::Invalid(vec!["hãy chọn mức xếp loại".into()])))?;
    let reason = fields.reason.as_deref().unwrap_or_default();
    match state.app.override_rating(&user.user, year, &agency, level, reason, now).await {
        Ok(()) => Ok(Redirect::to(&format!("/danh-gia/xep-loai?nam={year}&da_luu={agency}#{agency}")).into_response()),
        Err(ServiceError::Invalid(problems)) => {
            let ratings = state.app.ratings(Some(&user.user), year, now.date_in_vietnam()).await?;
            let mut page = build(&ratings, &user);
            page.problems = problems;
            let mut response = render(&page)?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(other) => Err(PageError::from(other)),
    }
}
