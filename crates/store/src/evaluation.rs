//! The PAR Index: criteria framework versions, assessment rounds, assessments, their scores and
//! the append-only log of every change.

use cchc_domain::account::UserId;
use cchc_domain::evaluation::{AssessmentStage, RoundStage};
use cchc_domain::tracking::StoredFile;
use cchc_domain::{AgencyId, AgencyKind};
use sqlx::Row;

use crate::{Store, StoreError};

/// A stored framework document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameworkVersion {
    pub id: i64,
    pub year: i32,
    pub kind: AgencyKind,
    pub version: i64,
    pub document: String,
    pub note: String,
    pub created_at: String,
}

/// An assessment round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundRow {
    pub id: i64,
    pub year: i32,
    pub kind: AgencyKind,
    pub framework_id: i64,
    /// ISO date.
    pub self_deadline: String,
    pub explanation_days: u32,
    pub stage: RoundStage,
    pub opened_at: String,
    pub published_at: Option<String>,
}

/// One agency's assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentRow {
    pub id: i64,
    pub round_id: i64,
    pub agency: AgencyId,
    pub stage: AssessmentStage,
    pub submitted_at: Option<String>,
    pub appraised_at: Option<String>,
    /// ISO date until which the agency may explain.
    pub explanation_due: Option<String>,
    pub explained_at: Option<String>,
}

/// The stored scores of one sub-criterion.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScoreRow {
    pub sub_code: String,
    /// Encoded answer ("yes", "no", "level:…", "number:…", "na").
    pub self_answer: Option<String>,
    pub self_note: String,
    pub evidence: String,
    /// Hundredths of a point.
    pub appraised_points: Option<i64>,
    pub appraised_na: bool,
    pub appraisal_reason: String,
    pub explanation: String,
    pub final_points: Option<i64>,
    pub final_na: bool,
}

/// A self-assessed answer to save.
#[derive(Debug, Clone)]
pub struct SelfScore<'a> {
    pub sub_code: &'a str,
    pub answer: Option<String>,
    pub note: &'a str,
    pub evidence: &'a str,
}

/// An appraisal to save: points (or not applicable) with the reason.
#[derive(Debug, Clone)]
pub struct AppraisedScore<'a> {
    pub sub_code: &'a str,
    pub points: Option<i64>,
    pub not_applicable: bool,
    pub reason: &'a str,
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentLogRow {
    pub sub_code: Option<String>,
    pub action: String,
    pub detail: String,
    pub username: Option<String>,
    pub at: String,
}

/// An evidence file linked to a sub-criterion of an assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentFile {
    pub id: i64,
    pub assessment_id: i64,
    pub round_id: i64,
    /// The year of the round.
    pub year: i32,
    pub agency: AgencyId,
    pub sub_code: String,
    pub file: StoredFile,
    pub username: Option<String>,
    pub at: String,
}

const FILE_SELECT: &str = "SELECT f.id, f.assessment_id, a.round_id, r.year, a.agency_id, f.sub_code, f.sha256,
        f.file_name, f.content_type, f.size, u.username, f.at
   FROM assessment_files f JOIN assessments a ON a.id = f.assessment_id
   JOIN evaluation_rounds r ON r.id = a.round_id LEFT JOIN users u ON u.id = f.user_id";

fn file_of(r: &sqlx::sqlite::SqliteRow) -> Result<AssessmentFile, StoreError> {
    let agency: String = r.try_get("agency_id")?;
    let size: i64 = r.try_get("size")?;
    Ok(AssessmentFile {
        id: r.try_get("id")?,
        assessment_id: r.try_get("assessment_id")?,
        round_id: r.try_get("round_id")?,
        year: r.try_get("year")?,
        agency: AgencyId::parse(&agency).ok_or_else(|| StoreError::Corrupt(format!("agency id {agency}")))?,
        sub_code: r.try_get("sub_code")?,
        file: StoredFile {
            sha256: r.try_get("sha256")?,
            file_name: r.try_get("file_name")?,
            content_type: r.try_get("content_type")?,
            size: u64::try_from(size).map_err(|_| StoreError::Corrupt("file size".into()))?,
        },
        username: r.try_get("username")?,
        at: r.try_get("at")?,
    })
}

/// Who did something, when.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub user: Option<UserId>,
    pub at: &'a str,
}

fn kind_of(text: &str) -> Result<AgencyKind, StoreError> {
    AgencyKind::parse(text).ok_or_else(|| StoreError::Corrupt(format!("unknown agency kind {text}")))
}

fn round_of(r: &sqlx::sqlite::SqliteRow) -> Result<RoundRow, StoreError> {
    let stage: String = r.try_get("stage")?;
    let kind: String = r.try_get("kind")?;
    let days: i64 = r.try_get("explanation_days")?;
    Ok(RoundRow {
        id: r.try_get("id")?,
        year: r.try_get("year")?,
        kind: kind_of(&kind)?,
        framework_id: r.try_get("framework_id")?,
        self_deadline: r.try_get("self_deadline")?,
        explanation_days: u32::try_from(days).map_err(|_| StoreError::Corrupt("explanation days".into()))?,
        stage: RoundStage::parse(&stage).ok_or_else(|| StoreError::Corrupt(format!("round stage {stage}")))?,
        opened_at: r.try_get("opened_at")?,
        published_at: r.try_get("published_at")?,
    })
}

fn assessment_of(r: &sqlx::sqlite::SqliteRow) -> Result<AssessmentRow, StoreError> {
    let stage: String = r.try_get("stage")?;
    let agency: String = r.try_get("agency_id")?;
    Ok(AssessmentRow {
        id: r.try_get("id")?,
        round_id: r.try_get("round_id")?,
        agency: AgencyId::parse(&agency).ok_or_else(|| StoreError::Corrupt(format!("agency id {agency}")))?,
        stage: AssessmentStage::parse(&stage).ok_or_else(|| StoreError::Corrupt(format!("stage {stage}")))?,
        submitted_at: r.try_get("submitted_at")?,
        appraised_at: r.try_get("appraised_at")?,
        explanation_due: r.try_get("explanation_due")?,
        explained_at: r.try_get("explained_at")?,
    })
}

fn score_of(r: &sqlx::sqlite::SqliteRow) -> Result<ScoreRow, StoreError> {
    let appraised_na: i64 = r.try_get("appraised_na")?;
    let final_na: i64 = r.try_get("final_na")?;
    Ok(ScoreRow {
        sub_code: r.try_get("sub_code")?,
        self_answer: r.try_get("self_answer")?,
        self_note: r.try_get("self_note")?,
        evidence: r.try_get("evidence")?,
        appraised_points: r.try_get("appraised_points")?,
        appraised_na: appraised_na != 0,
        appraisal_reason: r.try_get("appraisal_reason")?,
        explanation: r.try_get("explanation")?,
        final_points: r.try_get("final_points")?,
        final_na: final_na != 0,
    })
}

const ROUND_COLUMNS: &str =
    "id, year, kind, framework_id, self_deadline, explanation_days, stage, opened_at, published_at";
const ASSESSMENT_COLUMNS: &str =
    "id, round_id, agency_id, stage, submitted_at, appraised_at, explanation_due, explained_at";
const SCORE_COLUMNS: &str = "sub_code, self_answer, self_note, evidence, appraised_points, appraised_na, \
     appraisal_reason, explanation, final_points, final_na";

async fn log(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    assessment: i64,
    sub_code: Option<&str>,
    action: &str,
    detail: &str,
    actor: Actor<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO assessment_log (assessment_id, sub_code, action, detail, user_id, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(assessment)
    .bind(sub_code)
    .bind(action)
    .bind(detail)
    .bind(actor.user.map(|u| u.0))
    .bind(actor.at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves an assessment from one of `from` to `to` inside `tx`; a conflict when it moved meanwhile.
async fn move_stage(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    assessment: i64,
    from: &[AssessmentStage],
    to: AssessmentStage,
    time_column: Option<&str>,
    at: &str,
) -> Result<(), StoreError> {
    let current: Option<String> = sqlx::query("SELECT stage FROM assessments WHERE id = $1")
        .bind(assessment)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.try_get("stage"))
        .transpose()?;
    let current = current.ok_or_else(|| StoreError::Conflict("assessment gone".into()))?;
    if !from.iter().any(|s| s.as_str() == current) {
        return Err(StoreError::Conflict(format!("assessment is {current}")));
    }
    match time_column {
        // The column name is one of ours, never user input.
        Some(column) => {
            sqlx::query(&format!("UPDATE assessments SET stage = $1, {column} = $2 WHERE id = $3"))
                .bind(to.as_str())
                .bind(at)
                .bind(assessment)
                .execute(&mut **tx)
                .await?;
        }
        None => {
            sqlx::query("UPDATE assessments SET stage = $1 WHERE id = $2")
                .bind(to.as_str())
                .bind(assessment)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

impl Store {
    /// Stores a new version of the framework of `year` and `kind`; returns its version number.
    pub async fn save_framework(
        &self,
        year: i32,
        kind: AgencyKind,
        document: &str,
        note: &str,
        actor: Actor<'_>,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO evaluation_frameworks (year, kind, version, document, note, created_by, created_at)
             VALUES ($1, $2, (SELECT COALESCE(MAX(version), 0) + 1 FROM evaluation_frameworks WHERE year = $1 AND kind = $2),
                     $3, $4, $5, $6)
             RETURNING version",
        )
        .bind(year)
        .bind(kind.as_str())
        .bind(document)
        .bind(note)
        .bind(actor.user.map(|u| u.0))
        .bind(actor.at)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("version")?)
    }

    /// The framework in force for `year` and `kind` (the latest version), when one was stored.
    pub async fn latest_framework(&self, year: i32, kind: AgencyKind) -> Result<Option<FrameworkVersion>, StoreError> {
        let row = sqlx::query(
            "SELECT id, year, kind, version, document, note, created_at FROM evaluation_frameworks
              WHERE year = $1 AND kind = $2 ORDER BY version DESC LIMIT 1",
        )
        .bind(year)
        .bind(kind.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| framework_of(&r)).transpose()
    }

    /// A stored framework by id.
    pub async fn framework(&self, id: i64) -> Result<Option<FrameworkVersion>, StoreError> {
        let row = sqlx::query(
            "SELECT id, year, kind, version, document, note, created_at FROM evaluation_frameworks WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| framework_of(&r)).transpose()
    }

    /// Opens the round of `year` and `kind` on framework `framework_id`. A conflict when the
    /// round exists already.
    pub async fn open_round(
        &self,
        year: i32,
        kind: AgencyKind,
        framework_id: i64,
        self_deadline: &str,
        explanation_days: u32,
        actor: Actor<'_>,
    ) -> Result<RoundRow, StoreError> {
        let result = sqlx::query(&format!(
            "INSERT INTO evaluation_rounds (year, kind, framework_id, self_deadline, explanation_days, stage, opened_by, opened_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {ROUND_COLUMNS}"
        ))
        .bind(year)
        .bind(kind.as_str())
        .bind(framework_id)
        .bind(self_deadline)
        .bind(i64::from(explanation_days))
        .bind(RoundStage::SelfAssessment.as_str())
        .bind(actor.user.map(|u| u.0))
        .bind(actor.at)
        .fetch_one(&self.pool)
        .await;
        match result {
            Ok(row) => round_of(&row),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::Conflict("round exists".into()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The rounds of a year (every kind).
    pub async fn rounds(&self, year: i32) -> Result<Vec<RoundRow>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {ROUND_COLUMNS} FROM evaluation_rounds WHERE year = $1 ORDER BY kind"))
            .bind(year)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(round_of).collect()
    }

    /// The round of a year and kind.
    pub async fn round(&self, year: i32, kind: AgencyKind) -> Result<Option<RoundRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {ROUND_COLUMNS} FROM evaluation_rounds WHERE year = $1 AND kind = $2"))
            .bind(year)
            .bind(kind.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| round_of(&r)).transpose()
    }

    /// Moves a round to the appraisal stage; every assessment still in draft is submitted as it
    /// stands (logged). Returns how many drafts were submitted that way.
    pub async fn start_appraisal(&self, round: i64, actor: Actor<'_>) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await?;
        let moved = sqlx::query("UPDATE evaluation_rounds SET stage = $1 WHERE id = $2 AND stage = $3")
            .bind(RoundStage::Appraisal.as_str())
            .bind(round)
            .bind(RoundStage::SelfAssessment.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if moved != 1 {
            return Err(StoreError::Conflict("round is not in self-assessment".into()));
        }
        let drafts: Vec<i64> = sqlx::query("SELECT id FROM assessments WHERE round_id = $1 AND stage = $2")
            .bind(round)
            .bind(AssessmentStage::Draft.as_str())
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        for id in &drafts {
            move_stage(
                &mut tx,
                *id,
                &[AssessmentStage::Draft],
                AssessmentStage::Submitted,
                Some("submitted_at"),
                actor.at,
            )
            .await?;
            log(&mut tx, *id, None, "submitted", "Hết hạn tự đánh giá: bản tự chấm được gửi như đang lưu.", actor)
                .await?;
        }
        tx.commit().await?;
        Ok(drafts.len())
    }

    /// Publishes a round: writes every final score given (agency, sub-criterion, points or not
    /// applicable), locks every assessment and the round, in one transaction.
    pub async fn publish_round(
        &self,
        round: i64,
        finals: &[(AgencyId, String, Option<i64>)],
        actor: Actor<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let moved = sqlx::query(
            "UPDATE evaluation_rounds SET stage = $1, published_by = $2, published_at = $3 WHERE id = $4 AND stage = $5",
        )
        .bind(RoundStage::Published.as_str())
        .bind(actor.user.map(|u| u.0))
        .bind(actor.at)
        .bind(round)
        .bind(RoundStage::Appraisal.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved != 1 {
            return Err(StoreError::Conflict("round is not in appraisal".into()));
        }
        for (agency, sub, points) in finals {
            let id = ensure_assessment_in(&mut tx, round, agency, AssessmentStage::Final).await?;
            sqlx::query(
                "INSERT INTO assessment_scores (assessment_id, sub_code, final_points, final_na) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (assessment_id, sub_code) DO UPDATE SET final_points = $3, final_na = $4",
            )
            .bind(id)
            .bind(sub)
            .bind(*points)
            .bind(i64::from(points.is_none()))
            .execute(&mut *tx)
            .await?;
        }
        let ids: Vec<i64> = sqlx::query("SELECT id FROM assessments WHERE round_id = $1")
            .bind(round)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        sqlx::query("UPDATE assessments SET stage = $1 WHERE round_id = $2")
            .bind(AssessmentStage::Final.as_str())
            .bind(round)
            .execute(&mut *tx)
            .await?;
        for id in ids {
            log(&mut tx, id, None, "published", "Công bố kết quả: điểm chính thức được khóa.", actor).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The assessments of a round.
    pub async fn assessments(&self, round: i64) -> Result<Vec<AssessmentRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE round_id = $1 ORDER BY agency_id"
        ))
        .bind(round)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(assessment_of).collect()
    }

    /// One agency's assessment in a round, created as a draft when missing.
    pub async fn ensure_assessment(&self, round: i64, agency: &AgencyId) -> Result<AssessmentRow, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id = ensure_assessment_in(&mut tx, round, agency, AssessmentStage::Draft).await?;
        let row = sqlx::query(&format!("SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        assessment_of(&row)
    }

    /// The scores of every assessment of a round: (agency, scores).
    pub async fn round_scores(&self, round: i64) -> Result<Vec<(AgencyId, ScoreRow)>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT a.agency_id, {} FROM assessment_scores s JOIN assessments a ON a.id = s.assessment_id
              WHERE a.round_id = $1 ORDER BY a.agency_id, s.sub_code",
            SCORE_COLUMNS.split(", ").map(|c| format!("s.{}", c.trim())).collect::<Vec<_>>().join(", ")
        ))
        .bind(round)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let agency: String = r.try_get("agency_id")?;
                let agency =
                    AgencyId::parse(&agency).ok_or_else(|| StoreError::Corrupt(format!("agency id {agency}")))?;
                Ok((agency, score_of(r)?))
            })
            .collect()
    }

    /// The scores of one assessment.
    pub async fn assessment_scores(&self, assessment: i64) -> Result<Vec<ScoreRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {SCORE_COLUMNS} FROM assessment_scores WHERE assessment_id = $1 ORDER BY sub_code"
        ))
        .bind(assessment)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(score_of).collect()
    }

    /// Saves self-assessed answers of a draft (and, with `submit`, sends it), logging each change.
    pub async fn save_self_scores(
        &self,
        assessment: i64,
        scores: &[SelfScore<'_>],
        submit: bool,
        actor: Actor<'_>,
    ) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await?;
        // Re-check the stage inside the transaction.
        move_stage(&mut tx, assessment, &[AssessmentStage::Draft], AssessmentStage::Draft, None, actor.at).await?;
        let mut changed = 0;
        for score in scores {
            let old = sqlx::query(
                "SELECT self_answer, self_note, evidence FROM assessment_scores WHERE assessment_id = $1 AND sub_code = $2",
            )
            .bind(assessment)
            .bind(score.sub_code)
            .fetch_optional(&mut *tx)
            .await?;
            let old: Option<(Option<String>, String, String)> = old
                .map(|r| {
                    Ok::<_, sqlx::Error>((r.try_get("self_answer")?, r.try_get("self_note")?, r.try_get("evidence")?))
                })
                .transpose()?;
            let new = (score.answer.clone(), score.note.to_string(), score.evidence.to_string());
            if old.as_ref() == Some(&new) || (old.is_none() && new == (None, String::new(), String::new())) {
                continue;
            }
            sqlx::query(
                "INSERT INTO assessment_scores (assessment_id, sub_code, self_answer, self_note, evidence) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (assessment_id, sub_code) DO UPDATE SET self_answer = $3, self_note = $4, evidence = $5",
            )
            .bind(assessment)
            .bind(score.sub_code)
            .bind(score.answer.as_deref())
            .bind(score.note)
            .bind(score.evidence)
            .execute(&mut *tx)
            .await?;
            let detail = format!(
                "Tự chấm: {} (trước: {})",
                score.answer.as_deref().unwrap_or("chưa chấm"),
                old.as_ref().and_then(|o| o.0.as_deref()).unwrap_or("chưa chấm")
            );
            log(&mut tx, assessment, Some(score.sub_code), "self", &detail, actor).await?;
            changed += 1;
        }
        if submit {
            move_stage(
                &mut tx,
                assessment,
                &[AssessmentStage::Draft],
                AssessmentStage::Submitted,
                Some("submitted_at"),
                actor.at,
            )
            .await?;
            log(&mut tx, assessment, None, "submitted", "Gửi kết quả tự chấm để thẩm định.", actor).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Saves appraised scores of a submitted or explained assessment; with `complete`, the
    /// appraisal of a submitted one is completed and the agency may explain until
    /// `explanation_due`, while an explained one becomes final.
    pub async fn save_appraisal(
        &self,
        assessment: i64,
        scores: &[AppraisedScore<'_>],
        complete: Option<&str>,
        actor: Actor<'_>,
    ) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await?;
        let stage_row = sqlx::query("SELECT stage FROM assessments WHERE id = $1")
            .bind(assessment)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::Conflict("assessment gone".into()))?;
        let stage: String = stage_row.try_get("stage")?;
        let stage = AssessmentStage::parse(&stage).ok_or_else(|| StoreError::Corrupt(format!("stage {stage}")))?;
        if !matches!(stage, AssessmentStage::Submitted | AssessmentStage::Explained) {
            return Err(StoreError::Conflict(format!("assessment is {}", stage.as_str())));
        }
        let mut changed = 0;
        for score in scores {
            sqlx::query(
                "INSERT INTO assessment_scores (assessment_id, sub_code, appraised_points, appraised_na, appraisal_reason)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (assessment_id, sub_code) DO UPDATE SET appraised_points = $3, appraised_na = $4, appraisal_reason = $5",
            )
            .bind(assessment)
            .bind(score.sub_code)
            .bind(score.points)
            .bind(i64::from(score.not_applicable))
            .bind(score.reason)
            .execute(&mut *tx)
            .await?;
            let points = if score.not_applicable {
                "không áp dụng".to_string()
            } else {
                score.points.map_or("—".to_string(), |p| cchc_domain::evaluation::Points::from_hundredths(p).vn())
            };
            let detail = if score.reason.is_empty() {
                format!("Thẩm định: {points} điểm")
            } else {
                format!("Thẩm định: {points} điểm — {}", score.reason)
            };
            log(&mut tx, assessment, Some(score.sub_code), "appraised", &detail, actor).await?;
            changed += 1;
        }
        if let Some(due) = complete {
            if stage == AssessmentStage::Submitted {
                move_stage(
                    &mut tx,
                    assessment,
                    &[AssessmentStage::Submitted],
                    AssessmentStage::Appraised,
                    Some("appraised_at"),
                    actor.at,
                )
                .await?;
                sqlx::query("UPDATE assessments SET explanation_due = $1 WHERE id = $2")
                    .bind(due)
                    .bind(assessment)
                    .execute(&mut *tx)
                    .await?;
                log(
                    &mut tx,
                    assessment,
                    None,
                    "appraisal_completed",
                    &format!("Hoàn thành thẩm định; giải trình đến hết {due}."),
                    actor,
                )
                .await?;
            } else {
                move_stage(&mut tx, assessment, &[AssessmentStage::Explained], AssessmentStage::Final, None, actor.at)
                    .await?;
                log(&mut tx, assessment, None, "finalised", "Xem xét giải trình xong; điểm được chốt.", actor).await?;
            }
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Records the agency's explanation (once) of an appraised assessment.
    pub async fn save_explanation(
        &self,
        assessment: i64,
        explanations: &[(&str, &str)],
        actor: Actor<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        move_stage(
            &mut tx,
            assessment,
            &[AssessmentStage::Appraised],
            AssessmentStage::Explained,
            Some("explained_at"),
            actor.at,
        )
        .await?;
        for (sub, text) in explanations {
            sqlx::query(
                "INSERT INTO assessment_scores (assessment_id, sub_code, explanation) VALUES ($1, $2, $3)
                 ON CONFLICT (assessment_id, sub_code) DO UPDATE SET explanation = $3",
            )
            .bind(assessment)
            .bind(*sub)
            .bind(*text)
            .execute(&mut *tx)
            .await?;
            log(&mut tx, assessment, Some(sub), "explained", &format!("Giải trình: {text}"), actor).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Makes an appraised assessment final without explanation (the window passed, or the
    /// agency accepted).
    pub async fn finalise_assessment(&self, assessment: i64, reason: &str, actor: Actor<'_>) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        move_stage(&mut tx, assessment, &[AssessmentStage::Appraised], AssessmentStage::Final, None, actor.at).await?;
        log(&mut tx, assessment, None, "finalised", reason, actor).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Links an evidence file to a sub-criterion of an assessment whose stage is one of `stages`
    /// (checked inside the transaction, so an attachment that lost a race with a stage change
    /// changes nothing), and logs it. Returns the link's id.
    pub async fn attach_assessment_file(
        &self,
        assessment: i64,
        stages: &[AssessmentStage],
        sub_code: &str,
        file: &StoredFile,
        actor: Actor<'_>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let current: Option<String> = sqlx::query("SELECT stage FROM assessments WHERE id = $1")
            .bind(assessment)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("stage"))
            .transpose()?;
        let current = current.ok_or_else(|| StoreError::Conflict("assessment gone".into()))?;
        if !stages.iter().any(|s| s.as_str() == current) {
            return Err(StoreError::Conflict(format!("assessment is {current}")));
        }
        let size = i64::try_from(file.size).map_err(|_| StoreError::Corrupt("file size".into()))?;
        let id: i64 = sqlx::query(
            "INSERT INTO assessment_files (assessment_id, sub_code, sha256, file_name, content_type, size, user_id, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(assessment)
        .bind(sub_code)
        .bind(&file.sha256)
        .bind(&file.file_name)
        .bind(&file.content_type)
        .bind(size)
        .bind(actor.user.map(|u| u.0))
        .bind(actor.at)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        log(&mut tx, assessment, Some(sub_code), "file", &file.file_name, actor).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The evidence files of an assessment, oldest first.
    pub async fn assessment_files(&self, assessment: i64) -> Result<Vec<AssessmentFile>, StoreError> {
        let rows = sqlx::query(&format!("{FILE_SELECT} WHERE f.assessment_id = $1 ORDER BY f.id"))
            .bind(assessment)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(file_of).collect()
    }

    /// The assessment links of a stored file (for the download's authorisation).
    pub async fn assessment_file_links(&self, sha256: &str) -> Result<Vec<AssessmentFile>, StoreError> {
        let rows = sqlx::query(&format!("{FILE_SELECT} WHERE f.sha256 = $1 ORDER BY f.id"))
            .bind(sha256)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(file_of).collect()
    }

    /// The log of an assessment, oldest first.
    pub async fn assessment_log(&self, assessment: i64) -> Result<Vec<AssessmentLogRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT l.sub_code, l.action, l.detail, u.username, l.at FROM assessment_log l
               LEFT JOIN users u ON u.id = l.user_id WHERE l.assessment_id = $1 ORDER BY l.id",
        )
        .bind(assessment)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AssessmentLogRow {
                    sub_code: r.try_get("sub_code")?,
                    action: r.try_get("action")?,
                    detail: r.try_get("detail")?,
                    username: r.try_get("username")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }
}

async fn ensure_assessment_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    round: i64,
    agency: &AgencyId,
    stage: AssessmentStage,
) -> Result<i64, StoreError> {
    sqlx::query(
        "INSERT INTO assessments (round_id, agency_id, stage) VALUES ($1, $2, $3) ON CONFLICT (round_id, agency_id) DO NOTHING",
    )
    .bind(round)
    .bind(agency.as_str())
    .bind(stage.as_str())
    .execute(&mut **tx)
    .await?;
    let row = sqlx::query("SELECT id FROM assessments WHERE round_id = $1 AND agency_id = $2")
        .bind(round)
        .bind(agency.as_str())
        .fetch_one(&mut **tx)
        .await?;
    Ok(row.try_get("id")?)
}

fn framework_of(r: &sqlx::sqlite::SqliteRow) -> Result<FrameworkVersion, StoreError> {
    let kind: String = r.try_get("kind")?;
    Ok(FrameworkVersion {
        id: r.try_get("id")?,
        year: r.try_get("year")?,
        kind: kind_of(&kind)?,
        version: r.try_get("version")?,
        document: r.try_get("document")?,
        note: r.try_get("note")?,
        created_at: r.try_get("created_at")?,
    })
}
