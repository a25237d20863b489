//! `GET /api/evaluation/score`: the PAR Index of a year — points, index, rank and band of every
//! agency the caller may see (everything once published; before, Sở Nội vụ, the council and
//! leaders see provisional figures and an agency officer its own row).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::openapi::{E401, E422};
use super::{ApiQuery, Problem};
use crate::auth::ApiUser;
use crate::AppState;

/// The query of `GET /api/evaluation/score`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScoreQuery {
    /// Năm đánh giá, ví dụ 2024.
    year: i32,
}

/// Points of one area.
#[derive(Debug, Serialize, ToSchema)]
pub struct AreaScoreDto {
    /// Mã lĩnh vực (I–VIII).
    area: String,
    name: String,
    points: f64,
    /// Điểm tối đa của các tiêu chí áp dụng.
    max: f64,
    /// Điểm tối đa theo bộ tiêu chí.
    full_max: f64,
}

/// One agency's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyScoreDto {
    /// Mã cơ quan.
    agency: String,
    name: String,
    /// department | district | commune.
    kind: String,
    points: f64,
    /// Mẫu số của chỉ số: điểm tối đa của các tiêu chí áp dụng.
    max: f64,
    full_max: f64,
    /// Chỉ số (%), hai chữ số thập phân; null khi không tiêu chí nào áp dụng.
    index: Option<f64>,
    /// Hạng trong loại cơ quan (bằng chỉ số thì cùng hạng); null trước khi công bố với cán bộ cơ quan.
    rank: Option<u32>,
    band: Option<String>,
    /// Chỉ số đã công bố của năm trước.
    previous_index: Option<f64>,
    /// Kết quả đã công bố (false: tạm tính).
    published: bool,
    by_area: Vec<AreaScoreDto>,
}

/// The results of a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoresDto {
    year: i32,
    results: Vec<AgencyScoreDto>,
    /// Loại cơ quan mà người gọi chưa được xem (chưa công bố).
    hidden_kinds: Vec<String>,
}

#[utoipa::path(
    get, path = "/api/evaluation/score", tag = "evaluation", operation_id = "evaluationScore",
    summary = "Chỉ số CCHC của các cơ quan trong năm: điểm, chỉ số, hạng, xếp loại, điểm theo lĩnh vực",
    params(ScoreQuery),
    responses(
        (status = 200, description = "Kết quả", body = ScoresDto),
        (status = 401, response = E401),
        (status = 422, response = E422),
    ),
)]
pub async fn score(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<ScoreQuery>,
) -> Result<Json<ScoresDto>, Problem> {
    let scores = state.app.evaluation_scores(Some(&user.user), query.year, state.now().date_in_vietnam()).await?;
    Ok(Json(ScoresDto::of(&scores)))
}

impl ScoresDto {
    /// The wire form of what a caller may see (the CLI's `--json` answer too).
    pub fn of(scores: &cchc_services::evaluation::VisibleScores) -> ScoresDto {
        let results = scores
            .kinds
            .iter()
            .flat_map(|k| {
                k.results.iter().map(move |r| AgencyScoreDto {
                    agency: r.agency.id.to_string(),
                    name: r.agency.name.clone(),
                    kind: k.kind.as_str().to_string(),
                    points: r.score.points.value(),
                    max: r.score.max.value(),
                    full_max: r.score.full_max.value(),
                    index: r.score.index.map(|i| i.value()),
                    rank: r.rank,
                    band: r.band.clone(),
                    previous_index: r.previous.map(|i| i.value()),
                    published: k.published(),
                    by_area: r
                        .score
                        .by_area
                        .iter()
                        .map(|a| AreaScoreDto {
                            area: a.code.clone(),
                            name: a.name.clone(),
                            points: a.points.value(),
                            max: a.max.value(),
                            full_max: a.full_max.value(),
                        })
                        .collect(),
                })
            })
            .collect();
        ScoresDto {
            year: scores.year,
            results,
            hidden_kinds: scores.hidden.iter().map(|k| k.as_str().to_string()).collect(),
        }
    }
}
