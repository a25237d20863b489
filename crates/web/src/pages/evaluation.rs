//! `/danh-gia`: the PAR Index of a year — per kind of agency, the ranking with points, index,
//! band and the year before, and a bar per agency. Public once a kind's round is published;
//! before, Sở Nội vụ, the council and leaders see the provisional figures and an agency officer
//! its own row.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use cchc_services::evaluation::kind_label;

use crate::auth::MaybeUser;
use crate::error::{PageError, WebError};
use crate::extract::VnQuery;
use crate::pages::{render, Nav};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/danh-gia", get(ranking_page))
}

#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct RankingQuery {
    /// Year of the assessment.
    #[serde(rename = "nam")]
    year: Option<String>,
    /// The round step just done.
    #[serde(rename = "da_luu")]
    done: Option<String>,
    #[serde(rename = "loai")]
    kind: Option<String>,
}

struct Row {
    id: String,
    stage: String,
    rank: String,
    agency: String,
    points: String,
    max: String,
    index: String,
    /// Bar width (0–100).
    bar: String,
    band: String,
    previous: String,
    change: String,
}

struct KindBlock {
    kind: String,
    /// Sở Nội vụ's next step: open (none yet), close self-assessment, publish.
    can_open: bool,
    can_close: bool,
    can_publish: bool,
    default_deadline: String,
    title: String,
    state: String,
    template_note: bool,
    basis: String,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "evaluation_ranking.html")]
struct RankingPage {
    nav: Nav,
    year: i32,
    prev_year: i32,
    next_year: i32,
    kinds: Vec<KindBlock>,
    hidden: Vec<String>,
    csrf_token: String,
    notice: Option<String>,
}

async fn ranking_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    VnQuery(query): VnQuery<RankingQuery>,
) -> Result<Response, PageError> {
    let today = state.now().date_in_vietnam();
    let year = match query.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => today.year() - 1,
        Some(text) => text.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).ok_or_else(|| {
            PageError(WebError::BadRequest(format!("năm «{}» không hợp lệ", text.chars().take(20).collect::<String>())))
        })?,
    };
    let is_admin = user.as_ref().is_some_and(|u| u.user.is_admin());
    let scores = state.app.evaluation_scores(user.as_ref().map(|u| &u.user), year, today).await?;
    let kinds = scores
        .kinds
        .iter()
        .map(|kind| KindBlock {
            kind: kind.kind.as_str().to_string(),
            can_open: is_admin && kind.round.is_none(),
            can_close: is_admin
                && kind.round.as_ref().is_some_and(|r| r.stage == cchc_domain::evaluation::RoundStage::SelfAssessment),
            can_publish: is_admin
                && kind.round.as_ref().is_some_and(|r| r.stage == cchc_domain::evaluation::RoundStage::Appraisal),
            default_deadline: today.add_days(14).vn(),
            title: format!("Chỉ số CCHC năm {year} của {}", kind_label(kind.kind)),
            state: if kind.published() {
                format!(
                    "Đã công bố{}",
                    kind.round
                        .as_ref()
                        .and_then(|r| r.published_at.as_deref())
                        .and_then(cchc_domain::Timestamp::parse_rfc3339)
                        .map(|t| format!(" ngày {}", t.date_in_vietnam().vn()))
                        .unwrap_or_default()
                )
            } else {
                match &kind.round {
                    Some(round) => format!("Tạm tính — {}", round.stage.label_vn().to_lowercase()),
                    None => "Tạm tính — chưa mở đợt đánh giá".to_string(),
                }
            },
            template_note: kind.framework.framework.template,
            basis: kind.framework.framework.basis.clone(),
            rows: kind
                .results
                .iter()
                .map(|r| Row {
                    id: r.agency.id.to_string(),
                    stage: r.stage.map(|s| s.label_vn().to_string()).unwrap_or_default(),
                    rank: r.rank.map(|n| n.to_string()).unwrap_or_default(),
                    agency: r.agency.name.clone(),
                    points: r.score.points.vn(),
                    max: r.score.max.vn(),
                    index: r.score.index.map_or_else(|| "—".into(), |i| i.vn()),
                    bar: r.score.index.map_or_else(|| "0".into(), |i| format!("{:.2}", i.value().clamp(0.0, 100.0))),
                    band: r.band.clone().unwrap_or_default(),
                    previous: r.previous.map(|i| i.vn()).unwrap_or_default(),
                    change: match (r.score.index, r.previous) {
                        (Some(now), Some(before)) => {
                            let delta = now.hundredths() - before.hundredths();
                            let sign = if delta > 0 {
                                "+"
                            } else if delta < 0 {
                                "−"
                            } else {
                                "±"
                            };
                            format!("{sign}{}", cchc_domain::evaluation::IndexValue::from_hundredths(delta.abs()).vn())
                        }
                        _ => String::new(),
                    },
                })
                .collect(),
        })
        .collect();
    render(&RankingPage {
        nav: Nav::new(user.as_ref()),
        year,
        prev_year: year - 1,
        next_year: year + 1,
        kinds,
        hidden: scores.hidden.iter().map(|k| kind_label(*k).to_string()).collect(),
        csrf_token: user.as_ref().map(|u| u.csrf_token.clone()).unwrap_or_default(),
        notice: query.done.as_deref().map(|step| {
            let kind = query
                .kind
                .as_deref()
                .and_then(cchc_services::evaluation::parse_kind)
                .map(kind_label)
                .unwrap_or_default();
            match step {
                "mo" => format!("Đã mở đợt đánh giá của {kind}."),
                "tham_dinh" => format!("Đã kết thúc tự đánh giá của {kind}; chuyển sang thẩm định."),
                "cong_bo" => format!("Đã công bố Chỉ số CCHC của {kind}."),
                _ => "Đã lưu.".to_string(),
            }
        }),
    })
}
