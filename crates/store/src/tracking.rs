//! Assignments, milestones (latest progress denormalised), events, triggers, the append-only progress history and evidence files.

use cchc_domain::account::UserId;
use cchc_domain::tracking::{
    ActivityId, ActivityIndex, AssignmentId, Evidence, MilestoneId, MilestoneKind, MilestoneRecord, MilestoneSpec,
    NewProgress, ProgressEntry, ProgressState, ProgressStatus, StoredFile,
};
use cchc_domain::{AgencyId, AreaCode, Date, PeriodId};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::directory::{agency_id, corrupt};
use crate::{Store, StoreError};

/// The fan-out of one activity, addressed by its area and position in the plan.
#[derive(Debug, Clone)]
pub struct ActivityFanOut {
    pub area: AreaCode,
    pub position: usize,
    pub agencies: Vec<AgencyId>,
    pub milestones: Vec<MilestoneSpec>,
}

/// An event (or trigger) being recorded for a schedule item.
#[derive(Debug, Clone, Copy)]
pub struct NewEvent<'a> {
    /// Position of the schedule item in its activity.
    pub item: usize,
    pub occurred_on: Date,
    pub due: Date,
    pub description: &'a str,
    pub user: Option<UserId>,
    pub recorded_at: &'a str,
}

pub use cchc_domain::tracking::MilestoneQuery;

/// A progress entry that links an evidence file: whose milestone it is, and the file under the
/// name that entry's uploader gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLink {
    pub entry: i64,
    pub milestone: MilestoneId,
    pub agency: AgencyId,
    pub file: StoredFile,
}

const MILESTONE_SELECT: &str = "SELECT m.id, m.assignment_id, a.activity_id, act.area_code, act.number, act.title,
        a.agency_id, m.item_position, m.label, m.kind, m.due, m.period_id, m.status, m.completed_on, m.updated_at
    FROM milestones m
    JOIN assignments a ON a.id = m.assignment_id
    JOIN activities act ON act.id = a.activity_id";

impl Store {
    /// The stored activities of a plan version, in plan order.
    pub async fn activity_index(&self, version_id: i64) -> Result<Vec<ActivityIndex>, StoreError> {
        sqlx::query("SELECT id, area_code, position, number FROM activities WHERE plan_version_id = $1 ORDER BY area_code, position")
            .bind(version_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let code: String = row.try_get("area_code")?;
                Ok(ActivityIndex {
                    id: ActivityId(row.try_get("id")?),
                    area: AreaCode::parse(&code).ok_or_else(|| corrupt("area code", &code))?,
                    position: usize::try_from(row.try_get::<i64, _>("position")?).unwrap_or(0),
                    number: row.try_get("number")?,
                })
            })
            .collect()
    }

    /// The decision date and plan year of the plan version an activity belongs to.
    pub async fn plan_dates_of_activity(
        &self,
        activity: ActivityId,
    ) -> Result<(Option<Date>, Option<i32>), StoreError> {
        let row = sqlx::query(
            "SELECT v.decision_date, v.year FROM activities a JOIN plan_versions v ON v.id = a.plan_version_id WHERE a.id = $1",
        )
        .bind(activity.0)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok((opt_date(r.try_get("decision_date")?)?, r.try_get("year")?)),
            None => Ok((None, None)),
        }
    }

    /// Whether the assignments of a plan version exist.
    pub async fn has_assignments(&self, version_id: i64) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM assignments a JOIN activities act ON act.id = a.activity_id WHERE act.plan_version_id = $1",
        )
        .bind(version_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Creates the assignments and milestones of a plan version, in one transaction.
    pub async fn create_assignments(&self, version_id: i64, fan_out: &[ActivityFanOut]) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await?;
        let created = insert_assignments(&mut tx, version_id, fan_out).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Milestones of a plan version, in plan order, then agency, then milestone order.
    pub async fn milestones(
        &self,
        version_id: i64,
        query: &MilestoneQuery,
    ) -> Result<Vec<MilestoneRecord>, StoreError> {
        let sql = format!(
            "{MILESTONE_SELECT} WHERE act.plan_version_id = $1
               AND ($2 IS NULL OR a.agency_id = $2)
               AND ($3 IS NULL OR a.activity_id = $3)
               AND ($4 IS NULL OR m.id = $4)
             ORDER BY act.area_code, act.position, a.id, m.position, m.id"
        );
        let rows = sqlx::query(&sql)
            .bind(version_id)
            .bind(query.agency.as_ref().map(AgencyId::as_str))
            .bind(query.activity.map(|a| a.0))
            .bind(query.milestone.map(|m| m.0))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(milestone_from_row).collect()
    }

    /// One milestone, whatever its plan version.
    pub async fn milestone(&self, id: MilestoneId) -> Result<Option<MilestoneRecord>, StoreError> {
        let row =
            sqlx::query(&format!("{MILESTONE_SELECT} WHERE m.id = $1")).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(milestone_from_row).transpose()
    }

    /// Appends a progress entry and makes it the milestone's current state, in one transaction.
    pub async fn record_progress(
        &self,
        milestone: MilestoneId,
        user: Option<UserId>,
        progress: &NewProgress,
        recorded_at: &str,
    ) -> Result<ProgressEntry, StoreError> {
        let mut tx = self.pool.begin().await?;
        if let Some(file) = &progress.file {
            sqlx::query(
                "INSERT INTO files (sha256, file_name, content_type, size, uploaded_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(&file.sha256)
            .bind(&file.file_name)
            .bind(&file.content_type)
            .bind(i64::try_from(file.size).unwrap_or(i64::MAX))
            .bind(recorded_at)
            .execute(&mut *tx)
            .await?;
        }
        let id: i64 = sqlx::query(
            "INSERT INTO progress_entries (milestone_id, user_id, recorded_at, status, completed_on, evidence_number,
                evidence_date, evidence_issuer, file_sha256, file_name, comment)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(milestone.0)
        .bind(user.map(|u| u.0))
        .bind(recorded_at)
        .bind(progress.status.as_str())
        .bind(progress.completed_on.map(Date::iso))
        .bind(non_empty(&progress.evidence.number))
        .bind(progress.evidence.date.map(Date::iso))
        .bind(non_empty(&progress.evidence.issuer))
        .bind(progress.file.as_ref().map(|f| f.sha256.as_str()))
        .bind(progress.file.as_ref().map(|f| f.file_name.as_str()))
        .bind(&progress.comment)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let updated =
            sqlx::query("UPDATE milestones SET status = $1, completed_on = $2, updated_at = $3 WHERE id = $4")
                .bind(progress.status.as_str())
                .bind(progress.completed_on.map(Date::iso))
                .bind(recorded_at)
                .bind(milestone.0)
                .execute(&mut *tx)
                .await?;
        if updated.rows_affected() != 1 {
            tx.rollback().await?;
            return Err(StoreError::Corrupt(format!("milestone {} not found", milestone.0)));
        }
        tx.commit().await?;
        let entries = self.progress_history(&[milestone]).await?;
        entries.into_iter().find(|e| e.id == id).ok_or_else(|| StoreError::Corrupt("entry vanished".into()))
    }

    /// The progress history of some milestones, oldest first.
    pub async fn progress_history(&self, milestones: &[MilestoneId]) -> Result<Vec<ProgressEntry>, StoreError> {
        if milestones.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=milestones.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT p.id, p.milestone_id, u.username, p.recorded_at, p.status, p.completed_on, p.evidence_number,
                p.evidence_date, p.evidence_issuer, p.comment, f.sha256,
                COALESCE(p.file_name, f.file_name) AS file_name, f.content_type, f.size, ov.version AS carried_from_version
             FROM progress_entries p
             LEFT JOIN users u ON u.id = p.user_id
             LEFT JOIN files f ON f.sha256 = p.file_sha256
             LEFT JOIN progress_entries o ON o.id = p.carried_from
             LEFT JOIN milestones om ON om.id = o.milestone_id
             LEFT JOIN assignments oa ON oa.id = om.assignment_id
             LEFT JOIN activities oact ON oact.id = oa.activity_id
             LEFT JOIN plan_versions ov ON ov.id = oact.plan_version_id
             WHERE p.milestone_id IN ({}) ORDER BY p.id",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for m in milestones {
            query = query.bind(m.0);
        }
        query.fetch_all(&self.pool).await?.iter().map(entry_from_row).collect()
    }

    /// Every progress entry that links the evidence file with this hash, newest first: whose
    /// milestone it is and the file as that entry's uploader named it.
    pub async fn file_links(&self, sha256: &str) -> Result<Vec<FileLink>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.id, p.milestone_id, a.agency_id, f.sha256, COALESCE(p.file_name, f.file_name) AS file_name,
                f.content_type, f.size
             FROM progress_entries p
             JOIN files f ON f.sha256 = p.file_sha256
             JOIN milestones m ON m.id = p.milestone_id
             JOIN assignments a ON a.id = m.assignment_id
             WHERE p.file_sha256 = $1
             ORDER BY p.id DESC",
        )
        .bind(sha256)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FileLink {
                    entry: r.try_get("id")?,
                    milestone: MilestoneId(r.try_get("milestone_id")?),
                    agency: agency_id(&r.try_get::<String, _>("agency_id")?)?,
                    file: StoredFile {
                        sha256: r.try_get("sha256")?,
                        file_name: r.try_get("file_name")?,
                        content_type: r.try_get("content_type")?,
                        size: u64::try_from(r.try_get::<i64, _>("size")?).unwrap_or(0),
                    },
                })
            })
            .collect()
    }

    /// Records that the event of an event-triggered schedule item happened: every milestone of
    /// that item, in every assignment of the activity, gets `due`. Recording again corrects it.
    pub async fn record_event(&self, activity: ActivityId, event: &NewEvent<'_>) -> Result<u64, StoreError> {
        let (item, due) = (event.item, event.due);
        let mut tx = self.pool.begin().await?;
        let event = insert_event(&mut tx, activity, None, event).await?;
        let updated = sqlx::query(
            "UPDATE milestones SET due = $1, event_id = $2
             WHERE kind = 'event' AND item_position = $3
               AND assignment_id IN (SELECT id FROM assignments WHERE activity_id = $4)",
        )
        .bind(due.iso())
        .bind(event)
        .bind(item as i64)
        .bind(activity.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(updated)
    }

    /// Records a trigger of a relative deadline for one assignment: the first trigger dates the
    /// waiting milestone, each later one adds a milestone. Returns the dated milestone.
    pub async fn record_trigger(
        &self,
        assignment: AssignmentId,
        event: &NewEvent<'_>,
    ) -> Result<MilestoneId, StoreError> {
        let (item, occurred_on, due) = (event.item, event.occurred_on, event.due);
        let mut tx = self.pool.begin().await?;
        let activity: i64 = sqlx::query("SELECT activity_id FROM assignments WHERE id = $1")
            .bind(assignment.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("assignment {} not found", assignment.0)))?
            .try_get("activity_id")?;
        let event = insert_event(&mut tx, ActivityId(activity), Some(assignment), event).await?;
        let waiting = sqlx::query(
            "SELECT id, label FROM milestones WHERE assignment_id = $1 AND item_position = $2 AND kind = 'relative'
             ORDER BY (due IS NULL) DESC, id LIMIT 1",
        )
        .bind(assignment.0)
        .bind(item as i64)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::Corrupt("no relative milestone for this item".into()))?;
        let waiting_id: i64 = waiting.try_get("id")?;
        let has_due = sqlx::query("SELECT due FROM milestones WHERE id = $1")
            .bind(waiting_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get::<Option<String>, _>("due")?
            .is_some();
        let id = if has_due {
            let label: String = waiting.try_get("label")?;
            let position: i64 =
                sqlx::query("SELECT COALESCE(MAX(position), 0) + 1 AS p FROM milestones WHERE assignment_id = $1")
                    .bind(assignment.0)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("p")?;
            sqlx::query(
                "INSERT INTO milestones (assignment_id, position, item_position, label, kind, due, event_id)
                 VALUES ($1, $2, $3, $4, 'relative', $5, $6) RETURNING id",
            )
            .bind(assignment.0)
            .bind(position)
            .bind(item as i64)
            .bind(format!("{label} ({})", occurred_on))
            .bind(due.iso())
            .bind(event)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?
        } else {
            sqlx::query("UPDATE milestones SET due = $1, event_id = $2 WHERE id = $3")
                .bind(due.iso())
                .bind(event)
                .bind(waiting_id)
                .execute(&mut *tx)
                .await?;
            waiting_id
        };
        tx.commit().await?;
        Ok(MilestoneId(id))
    }
}

/// Inserts the assignments and milestones of a plan version inside `tx`. Returns how many
/// assignments were made.
pub(crate) async fn insert_assignments(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    version_id: i64,
    fan_out: &[ActivityFanOut],
) -> Result<usize, StoreError> {
    let mut index: Vec<(AreaCode, usize, i64)> = Vec::new();
    for row in sqlx::query("SELECT id, area_code, position FROM activities WHERE plan_version_id = $1")
        .bind(version_id)
        .fetch_all(&mut **tx)
        .await?
    {
        let code: String = row.try_get("area_code")?;
        let area = AreaCode::parse(&code).ok_or_else(|| corrupt("area code", &code))?;
        index.push((area, usize::try_from(row.try_get::<i64, _>("position")?).unwrap_or(0), row.try_get("id")?));
    }
    let mut created = 0;
    for activity in fan_out {
        let Some(&(_, _, activity_id)) =
            index.iter().find(|(area, position, _)| *area == activity.area && *position == activity.position)
        else {
            return Err(StoreError::Corrupt(format!("activity {}#{} not stored", activity.area, activity.position)));
        };
        for agency in &activity.agencies {
            let assignment: i64 =
                sqlx::query("INSERT INTO assignments (activity_id, agency_id) VALUES ($1, $2) RETURNING id")
                    .bind(activity_id)
                    .bind(agency.as_str())
                    .fetch_one(&mut **tx)
                    .await?
                    .try_get("id")?;
            created += 1;
            for (position, spec) in activity.milestones.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO milestones (assignment_id, position, item_position, label, kind, due, period_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(assignment)
                .bind(position as i64)
                .bind(spec.item as i64)
                .bind(&spec.label)
                .bind(spec.kind.as_str())
                .bind(spec.due.map(Date::iso))
                .bind(spec.period.map(|p| p.to_string()))
                .execute(&mut **tx)
                .await?;
            }
        }
    }
    Ok(created)
}

/// Inserts a plan event (for every assignment of the activity, or for one) and returns its id.
async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    activity: ActivityId,
    assignment: Option<AssignmentId>,
    event: &NewEvent<'_>,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO plan_events (activity_id, item_position, assignment_id, occurred_on, due, description, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(activity.0)
    .bind(event.item as i64)
    .bind(assignment.map(|a| a.0))
    .bind(event.occurred_on.iso())
    .bind(event.due.iso())
    .bind(event.description)
    .bind(event.user.map(|u| u.0))
    .bind(event.recorded_at)
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?)
}

fn non_empty(text: &str) -> Option<&str> {
    let t = text.trim();
    (!t.is_empty()).then_some(t)
}

fn opt_date(value: Option<String>) -> Result<Option<Date>, StoreError> {
    value.map(|v| Date::parse(&v).map_err(|_| corrupt("date", &v))).transpose()
}

fn milestone_from_row(row: &SqliteRow) -> Result<MilestoneRecord, StoreError> {
    let area: String = row.try_get("area_code")?;
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    let period: Option<String> = row.try_get("period_id")?;
    Ok(MilestoneRecord {
        id: MilestoneId(row.try_get("id")?),
        assignment: AssignmentId(row.try_get("assignment_id")?),
        activity: ActivityId(row.try_get("activity_id")?),
        area: AreaCode::parse(&area).ok_or_else(|| corrupt("area code", &area))?,
        activity_number: row.try_get("number")?,
        activity_title: row.try_get("title")?,
        agency: agency_id(&row.try_get::<String, _>("agency_id")?)?,
        item: usize::try_from(row.try_get::<i64, _>("item_position")?).unwrap_or(0),
        label: row.try_get("label")?,
        kind: MilestoneKind::parse(&kind).ok_or_else(|| corrupt("milestone kind", &kind))?,
        due: opt_date(row.try_get("due")?)?,
        period: period.map(|p| PeriodId::parse(&p).ok_or_else(|| corrupt("period", &p))).transpose()?,
        progress: ProgressState {
            status: ProgressStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
            completed_on: opt_date(row.try_get("completed_on")?)?,
        },
        updated_at: row.try_get("updated_at")?,
    })
}

fn entry_from_row(row: &SqliteRow) -> Result<ProgressEntry, StoreError> {
    let status: String = row.try_get("status")?;
    let sha: Option<String> = row.try_get("sha256")?;
    let file = match sha {
        Some(sha256) => Some(StoredFile {
            sha256,
            file_name: row.try_get("file_name")?,
            content_type: row.try_get("content_type")?,
            size: u64::try_from(row.try_get::<i64, _>("size")?).unwrap_or(0),
        }),
        None => None,
    };
    Ok(ProgressEntry {
        id: row.try_get("id")?,
        milestone: MilestoneId(row.try_get("milestone_id")?),
        recorded_by: row.try_get("username")?,
        recorded_at: row.try_get("recorded_at")?,
        status: ProgressStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        completed_on: opt_date(row.try_get("completed_on")?)?,
        evidence: Evidence {
            number: row.try_get::<Option<String>, _>("evidence_number")?.unwrap_or_default(),
            date: opt_date(row.try_get("evidence_date")?)?,
            issuer: row.try_get::<Option<String>, _>("evidence_issuer")?.unwrap_or_default(),
        },
        file,
        comment: row.try_get("comment")?,
        carried_from_version: row.try_get("carried_from_version")?,
    })
}
