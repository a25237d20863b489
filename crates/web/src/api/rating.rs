//! `GET /api/evaluation/rating`: the year-end task-completion rating — the rule set in force,
//! and per agency the points of each component, the total, the level before and after the cap on
//! "excellent", and Sở Nội vụ's override with its reason. Sở Nội vụ, leaders and the council see
//! every agency; an agency officer its own. The command line prints the same document.

use axum::extract::State;
use axum::Json;
use cchc_domain::evaluation::{RatingLevel, RatingOverride};
use cchc_services::rating::YearRatings;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::openapi::{E401, E403, E404, E422};
use super::{ApiQuery, Problem};
use crate::auth::ApiUser;
use crate::AppState;

/// The query of `GET /api/evaluation/rating`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RatingQuery {
    /// Năm xếp loại, ví dụ 2024.
    year: i32,
}

/// The points of one component.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingComponentDto {
    /// Mã thành phần trong bộ quy tắc.
    pub code: String,
    pub name: String,
    /// Điểm đạt được; null khi không có số liệu (thành phần không tính, tổng điểm quy về thang 100).
    pub points: Option<f64>,
    /// Điểm tối đa.
    pub max: f64,
    /// Số liệu dùng để tính (%), null khi không có.
    pub share: Option<f64>,
}

/// An override recorded by Sở Nội vụ.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingOverrideDto {
    /// xuat-sac | tot | hoan-thanh | khong-hoan-thanh.
    pub level: String,
    pub level_label: String,
    pub reason: String,
    /// Người ghi.
    pub by: String,
    /// Thời điểm ghi (RFC 3339).
    pub at: String,
}

/// One agency's rating.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyRatingDto {
    /// Mã cơ quan.
    pub agency: String,
    pub name: String,
    /// department | district | commune.
    pub kind: String,
    pub components: Vec<RatingComponentDto>,
    /// Tổng điểm trên thang 100 (sau khi quy đổi); null khi không thành phần nào có số liệu.
    pub total: Option<f64>,
    /// Mức xếp loại đang áp dụng (điều chỉnh nếu có, nếu không là mức tính được sau giới hạn tỷ lệ
    /// xuất sắc): xuat-sac | tot | hoan-thanh | khong-hoan-thanh; null khi chưa xếp loại được.
    pub level: Option<String>,
    pub level_label: Option<String>,
    /// Mức theo tổng điểm, trước giới hạn tỷ lệ xuất sắc.
    pub level_before_cap: Option<String>,
    /// Mức tính được sau giới hạn, trước điều chỉnh.
    pub computed_level: Option<String>,
    /// Bị chuyển từ xuất sắc xuống hoàn thành tốt do giới hạn tỷ lệ.
    pub capped: bool,
    /// Điều chỉnh đang áp dụng, null khi không có.
    #[serde(rename = "override")]
    pub override_: Option<RatingOverrideDto>,
    /// Mọi lần điều chỉnh, cũ trước.
    pub history: Vec<RatingOverrideDto>,
}

/// The group the cap applies to (one kind of agency).
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingGroupDto {
    /// department | district | commune.
    pub kind: String,
    /// Chỉ số CCHC dùng để tính đã công bố (false: tạm tính).
    pub par_index_published: bool,
    /// Số cơ quan tối đa được giữ mức xuất sắc.
    pub excellent_cap: Option<u32>,
}

/// The rating of a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingsDto {
    pub year: i32,
    /// Căn cứ pháp lý của bộ quy tắc.
    pub basis: String,
    pub title: String,
    /// Bộ quy tắc áp dụng từ năm.
    pub valid_from_year: i32,
    /// Phiên bản đã lưu; null: bộ quy tắc có sẵn trong phần mềm.
    pub rules_version: Option<i64>,
    /// Tỷ lệ tối đa (%) xếp loại xuất sắc trên số đạt hoàn thành tốt trở lên.
    pub excellent_cap_percent: Option<u32>,
    /// Ghi chú của bộ quy tắc: Nghị định nói gì, phần mềm quy đổi thế nào.
    pub notes: Vec<String>,
    pub groups: Vec<RatingGroupDto>,
    pub results: Vec<AgencyRatingDto>,
}

fn level(level: Option<RatingLevel>) -> Option<String> {
    level.map(|l| l.as_str().to_string())
}

fn override_dto(o: &RatingOverride) -> RatingOverrideDto {
    RatingOverrideDto {
        level: o.level.as_str().to_string(),
        level_label: o.level.label_vn().to_string(),
        reason: o.reason.clone(),
        by: o.by.clone(),
        at: o.at.clone(),
    }
}

/// The wire form of a year's ratings (the API and `cchc rating --json`).
pub fn dto(ratings: &YearRatings) -> RatingsDto {
    let rules = &ratings.rules.rules;
    RatingsDto {
        year: ratings.year,
        basis: rules.basis.clone(),
        title: rules.title.clone(),
        valid_from_year: rules.valid_from_year,
        rules_version: ratings.rules.version,
        excellent_cap_percent: rules.excellent_cap_percent,
        notes: rules.notes.clone(),
        groups: ratings
            .kinds
            .iter()
            .map(|k| RatingGroupDto {
                kind: k.kind.as_str().to_string(),
                par_index_published: k.par_index_published,
                excellent_cap: k.cap.map(|c| u32::try_from(c).unwrap_or(u32::MAX)),
            })
            .collect(),
        results: ratings
            .kinds
            .iter()
            .flat_map(|k| {
                k.results.iter().map(move |r| AgencyRatingDto {
                    agency: r.agency.id.to_string(),
                    name: r.agency.name.clone(),
                    kind: k.kind.as_str().to_string(),
                    components: r
                        .rating
                        .components
                        .iter()
                        .map(|c| RatingComponentDto {
                            code: c.code.clone(),
                            name: c.name.clone(),
                            points: c.points.map(|p| p.value()),
                            max: c.max.value(),
                            share: c.share.map(|s| (s * 100.0).round() / 100.0),
                        })
                        .collect(),
                    total: r.rating.total.map(|t| t.value()),
                    level: level(r.rating.level),
                    level_label: r.rating.level.map(|l| l.label_vn().to_string()),
                    level_before_cap: level(r.rating.level_before_cap),
                    computed_level: level(r.rating.computed_level),
                    capped: r.rating.capped,
                    override_: r.rating.override_.as_ref().map(override_dto),
                    history: r.history.iter().map(override_dto).collect(),
                })
            })
            .collect(),
    }
}

#[utoipa::path(
    get, path = "/api/evaluation/rating", tag = "evaluation", operation_id = "evaluationRating",
    summary = "Xếp loại mức độ hoàn thành nhiệm vụ cuối năm: chi tiết điểm, tổng điểm, mức xếp loại, điều chỉnh",
    params(RatingQuery),
    responses(
        (status = 200, description = "Kết quả xếp loại", body = RatingsDto),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 404, response = E404),
        (status = 422, response = E422),
    ),
)]
pub async fn rating(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<RatingQuery>,
) -> Result<Json<RatingsDto>, Problem> {
    let ratings = state.app.ratings(Some(&user.user), query.year, state.now().date_in_vietnam()).await?;
    Ok(Json(dto(&ratings)))
}
