//! The inputs of the PAR Index documents (`cchc-documents::evaluation`), built from the scores
//! the pages show and with the same visibility: an agency's score sheet as
//! [`App::assessment`] lets the user see it, the ranking as [`App::evaluation_scores`] does
//! (before publication: everything for Sở Nội vụ, the council and leaders, marked provisional;
//! an officer's own row without a rank; the public nothing).

use cchc_domain::account::User;
use cchc_domain::evaluation::documents::{
    RankingArea, RankingKind, RankingRow, RankingTable, ScoreSheet, SheetArea, SheetCriterion, SheetSub,
};
use cchc_domain::evaluation::{AssessmentStage, RoundStage};
use cchc_domain::{AgencyId, Date, Timestamp};

use crate::evaluation::{AssessmentView, KindResults, SubRow};
use crate::{App, ServiceError};

/// The provincial People's Committee in the directory.
const PROVINCE_ID: &str = "ubnd-tinh";

impl App {
    /// One agency's score sheet, for whoever may see its assessment.
    pub async fn score_sheet(
        &self,
        user: Option<&User>,
        year: i32,
        agency: &AgencyId,
        today: Date,
    ) -> Result<ScoreSheet, ServiceError> {
        let view = self.assessment(user, year, agency, today).await?;
        Ok(score_sheet_of(&view))
    }

    /// The ranking of a year as `user` may see it (kinds hidden from them are left out).
    pub async fn ranking_table(
        &self,
        user: Option<&User>,
        year: i32,
        today: Date,
    ) -> Result<RankingTable, ServiceError> {
        let scores = self.evaluation_scores(user, year, today).await?;
        // The provincial People's Committee issues the decision ("UBND tỉnh Sơn La").
        let issuer = AgencyId::parse(PROVINCE_ID)
            .and_then(|id| self.directory().agency(&id).map(|a| a.name.clone()))
            .unwrap_or_default();
        Ok(RankingTable { year, issuer, kinds: scores.kinds.iter().map(ranking_kind).collect() })
    }
}

fn score_sheet_of(view: &AssessmentView) -> ScoreSheet {
    let framework = &view.framework.framework;
    let row_of = |code: &str| view.rows.iter().find(|r| r.code == code);
    let areas = framework
        .areas
        .iter()
        .map(|area| SheetArea {
            code: area.code.clone(),
            name: area.name.clone(),
            max: area.max,
            criteria: area
                .criteria
                .iter()
                .map(|criterion| SheetCriterion {
                    code: criterion.code.clone(),
                    name: criterion.name.clone(),
                    max: criterion.max,
                    subs: criterion.subs.iter().filter_map(|s| row_of(&s.code)).map(sheet_sub).collect(),
                })
                .collect(),
        })
        .collect();
    let published = view.round.as_ref().is_some_and(|r| r.stage == RoundStage::Published);
    ScoreSheet {
        year: view.year,
        agency: view.agency.name.clone(),
        kind: view.agency.kind,
        framework_title: framework.title.clone(),
        basis: framework.basis.clone(),
        template: framework.template,
        round_state: view
            .round
            .as_ref()
            .map_or_else(|| "chưa mở đợt đánh giá".to_string(), |r| r.stage.label_vn().to_lowercase()),
        stage: view.assessment.as_ref().map_or(AssessmentStage::Draft, |a| a.stage).label_vn().to_lowercase(),
        published,
        areas,
        points: view.score.points,
        max: view.score.max,
        full_max: view.score.full_max,
        index: view.score.index,
        band: view.score.index.and_then(|i| framework.band(i.value())).map(|b| b.label.clone()).unwrap_or_default(),
    }
}

fn sheet_sub(row: &SubRow) -> SheetSub {
    SheetSub {
        code: row.code.clone(),
        name: row.name.clone(),
        max: row.max,
        method: row.method.clone(),
        self_value: row.self_value.clone(),
        self_points: row.self_points,
        computed: row.computed,
        appraised: row.appraised,
        appraisal_reason: row.appraisal_reason.clone(),
        explanation: row.explanation.clone(),
        points: row.points,
    }
}

fn ranking_kind(kind: &KindResults) -> RankingKind {
    let framework = &kind.framework.framework;
    let state = if kind.published() {
        let day = kind
            .round
            .as_ref()
            .and_then(|r| r.published_at.as_deref())
            .and_then(Timestamp::parse_rfc3339)
            .map(|t| format!(" ngày {}", t.date_in_vietnam().vn()))
            .unwrap_or_default();
        format!("Đã công bố{day}")
    } else {
        match &kind.round {
            Some(round) => format!("Tạm tính — {}", round.stage.label_vn().to_lowercase()),
            None => "Tạm tính — chưa mở đợt đánh giá".to_string(),
        }
    };
    RankingKind {
        kind: kind.kind,
        framework_title: framework.title.clone(),
        basis: framework.basis.clone(),
        template: framework.template,
        published: kind.published(),
        state,
        areas: framework
            .areas
            .iter()
            .map(|a| RankingArea { code: a.code.clone(), name: a.name.clone(), max: a.max })
            .collect(),
        rows: kind
            .results
            .iter()
            .map(|r| RankingRow {
                rank: r.rank,
                agency: r.agency.name.clone(),
                by_area: framework
                    .areas
                    .iter()
                    .map(|a| r.score.by_area.iter().find(|s| s.code == a.code).map(|s| s.points).unwrap_or_default())
                    .collect(),
                points: r.score.points,
                max: r.score.max,
                full_max: r.score.full_max,
                index: r.score.index,
                band: r.band.clone().unwrap_or_default(),
                previous: r.previous,
            })
            .collect(),
    }
}
