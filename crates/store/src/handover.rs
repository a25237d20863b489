//! Hand-over: the open milestones of an agency that ended move to its successor, audited.

use cchc_domain::AgencyId;
use sqlx::Row;

use crate::{Store, StoreError};

/// What a hand-over moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HandOver {
    /// Milestones moved (with their progress history).
    pub milestones: usize,
    /// Activities they belong to.
    pub activities: usize,
    /// Assignments the successor did not have yet and now has.
    pub new_assignments: usize,
}

/// What to hand over: from which agency to which, and how to record it.
#[derive(Debug, Clone, Copy)]
pub struct NewTransfer<'a> {
    pub from: &'a AgencyId,
    pub to: &'a AgencyId,
    /// Appended to each moved milestone's label (" (tiếp nhận từ …)").
    pub label_suffix: &'a str,
    pub by: Option<i64>,
    pub at: &'a str,
    pub note: &'a str,
    /// Only the milestones of these activities (ids); `None`: every activity.
    pub activities: Option<&'a [i64]>,
}

/// One recorded move of a milestone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneTransfer {
    pub milestone: i64,
    pub from_agency: AgencyId,
    pub to_agency: AgencyId,
    pub old_label: String,
    pub transferred_by: Option<i64>,
    pub transferred_at: String,
    pub note: String,
}

impl Store {
    /// Moves every milestone of `t.from` in plan version `version_id` that is not done to the
    /// assignment of `t.to` for the same activity (created when missing), appending
    /// `t.label_suffix` to its label, in one transaction; done milestones stay with `t.from`, whose
    /// work they record.
    pub async fn transfer_open_milestones(&self, version_id: i64, t: &NewTransfer<'_>) -> Result<HandOver, StoreError> {
        let NewTransfer { from, to, label_suffix, by, at, note, activities } = *t;
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(
            "SELECT m.id, m.assignment_id, m.label, a.activity_id
               FROM milestones m
               JOIN assignments a ON a.id = m.assignment_id
               JOIN activities act ON act.id = a.activity_id
              WHERE act.plan_version_id = $1 AND a.agency_id = $2 AND m.status <> 'done'
              ORDER BY act.area_code, act.position, m.position",
        )
        .bind(version_id)
        .bind(from.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let mut out = HandOver::default();
        let mut targets: Vec<(i64, i64)> = Vec::new();
        for row in rows {
            let milestone: i64 = row.try_get("id")?;
            let from_assignment: i64 = row.try_get("assignment_id")?;
            let label: String = row.try_get("label")?;
            let activity: i64 = row.try_get("activity_id")?;
            if activities.is_some_and(|only| !only.contains(&activity)) {
                continue;
            }
            let target = match targets.iter().find(|(a, _)| *a == activity) {
                Some((_, target)) => *target,
                None => {
                    let existing = sqlx::query("SELECT id FROM assignments WHERE activity_id = $1 AND agency_id = $2")
                        .bind(activity)
                        .bind(to.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                    let target: i64 = match existing {
                        Some(row) => row.try_get("id")?,
                        None => {
                            out.new_assignments += 1;
                            sqlx::query("INSERT INTO assignments (activity_id, agency_id) VALUES ($1, $2) RETURNING id")
                                .bind(activity)
                                .bind(to.as_str())
                                .fetch_one(&mut *tx)
                                .await?
                                .try_get("id")?
                        }
                    };
                    targets.push((activity, target));
                    target
                }
            };
            let position: i64 =
                sqlx::query("SELECT COALESCE(MAX(position), -1) + 1 AS next FROM milestones WHERE assignment_id = $1")
                    .bind(target)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("next")?;
            sqlx::query("UPDATE milestones SET assignment_id = $1, position = $2, label = $3 WHERE id = $4")
                .bind(target)
                .bind(position)
                .bind(format!("{label}{label_suffix}"))
                .bind(milestone)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO milestone_transfers (milestone_id, from_assignment_id, to_assignment_id, from_agency, to_agency,
                    old_label, transferred_by, transferred_at, note)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(milestone)
            .bind(from_assignment)
            .bind(target)
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(&label)
            .bind(by)
            .bind(at)
            .bind(note)
            .execute(&mut *tx)
            .await?;
            out.milestones += 1;
        }
        out.activities = targets.len();
        tx.commit().await?;
        Ok(out)
    }

    /// Every recorded move of the milestones of a plan version, oldest first.
    pub async fn milestone_transfers(&self, version_id: i64) -> Result<Vec<MilestoneTransfer>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.milestone_id, t.from_agency, t.to_agency, t.old_label, t.transferred_by, t.transferred_at, t.note
               FROM milestone_transfers t
               JOIN assignments a ON a.id = t.to_assignment_id
               JOIN activities act ON act.id = a.activity_id
              WHERE act.plan_version_id = $1
              ORDER BY t.id",
        )
        .bind(version_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(MilestoneTransfer {
                    milestone: row.try_get("milestone_id")?,
                    from_agency: crate::directory::agency_id(&row.try_get::<String, _>("from_agency")?)?,
                    to_agency: crate::directory::agency_id(&row.try_get::<String, _>("to_agency")?)?,
                    old_label: row.try_get("old_label")?,
                    transferred_by: row.try_get("transferred_by")?,
                    transferred_at: row.try_get("transferred_at")?,
                    note: row.try_get("note")?,
                })
            })
            .collect()
    }
}
