//! Carrying what was recorded on one plan version over to the next: progress histories (copied,
//! each copy pointing at its original), the latest progress, events and triggers, and the
//! periodic reports of the plan. The old version's rows are never changed or deleted.

use cchc_domain::account::UserId;
use cchc_domain::plan_diff::ActivityAddress;
use cchc_domain::tracking::{ActivityId, MilestoneId};
use cchc_domain::{AgencyId, PlanVersion};
use sqlx::{Row, Sqlite, Transaction};

use crate::{Store, StoreError};

/// A milestone of the version being written, addressed before it has an id: its activity, its
/// agency and its position among the assignment's milestones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMilestoneRef {
    pub activity: ActivityAddress,
    pub agency: AgencyId,
    pub position: usize,
}

/// The events of an old activity to copy to the matching new activity, with the schedule items
/// they belong to (old item position → new item position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCarry {
    pub old_activity: ActivityId,
    pub new_activity: ActivityAddress,
    pub items: Vec<(usize, usize)>,
}

/// What an import carries from the previous version.
#[derive(Debug, Clone)]
pub struct CarryPlan {
    /// The version the import continues; it must still be the plan's latest when the new one
    /// is written, or nothing is written.
    pub from_version: PlanVersion,
    /// Old milestone → new milestone, matched without doubt.
    pub milestones: Vec<(MilestoneId, NewMilestoneRef)>,
    /// Old milestones that later triggers of a relative deadline added ("5 ngày làm việc kể từ
    /// ngày nhận hồ sơ", one per dossier), each with the new milestone its first trigger's
    /// milestone continues: they are added beside it, in the same assignment and item.
    pub extra: Vec<(MilestoneId, NewMilestoneRef)>,
    pub events: Vec<EventCarry>,
}

/// How much was carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CarryCounts {
    /// Milestones whose progress was carried.
    pub milestones: usize,
    /// Progress entries copied.
    pub entries: usize,
    /// Of those, entries citing evidence (a document or a file).
    pub evidence: usize,
    /// Events and triggers copied.
    pub events: usize,
    /// Periodic reports now attached to the new version.
    pub reports: usize,
}

impl std::ops::AddAssign for CarryCounts {
    fn add_assign(&mut self, other: CarryCounts) {
        self.milestones += other.milestones;
        self.entries += other.entries;
        self.evidence += other.evidence;
        self.events += other.events;
        self.reports += other.reports;
    }
}

/// A carry-over already made: which old milestone continues as which new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarryLink {
    pub old: MilestoneId,
    pub new: MilestoneId,
    /// `import` or `confirmed`.
    pub how: String,
    pub by: Option<String>,
    pub at: String,
}

/// Carries `carry` into the version `to` being written in `tx`.
pub(crate) async fn carry_in(
    tx: &mut Transaction<'_, Sqlite>,
    to: i64,
    carry: &CarryPlan,
    at: &str,
) -> Result<CarryCounts, StoreError> {
    let from = carry.from_version.id;
    let mut counts = CarryCounts::default();
    for events in &carry.events {
        counts.events += carry_events(tx, to, events).await?;
    }
    for (old, new) in &carry.milestones {
        let new_id = new_milestone_id(tx, to, new).await?;
        counts += carry_milestone(tx, from, to, *old, new_id, "import", None, at).await?;
    }
    for (old, sibling) in &carry.extra {
        let sibling = new_milestone_id(tx, to, sibling).await?;
        let new_id = add_beside(tx, *old, sibling).await?;
        counts += carry_milestone(tx, from, to, *old, new_id, "import", None, at).await?;
        sqlx::query(
            "UPDATE milestones SET due = (SELECT due FROM milestones WHERE id = $1) WHERE id = $2 AND due IS NULL",
        )
        .bind(old.0)
        .bind(new_id.0)
        .execute(&mut **tx)
        .await?;
    }
    // Periodic reports belong to the plan's year, not to a wording of it: they follow the new
    // version (with their values, history and events, which hang off the report), and so do
    // extensions; the indicator catalogue versions are copied.
    counts.reports = usize::try_from(
        sqlx::query("UPDATE reports SET plan_version_id = $1 WHERE plan_version_id = $2")
            .bind(to)
            .bind(from)
            .execute(&mut **tx)
            .await?
            .rows_affected(),
    )
    .unwrap_or(usize::MAX);
    sqlx::query("UPDATE report_extensions SET plan_version_id = $1 WHERE plan_version_id = $2")
        .bind(to)
        .bind(from)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO indicator_catalogues (plan_version_id, version, catalogue_json, rules_json, note, created_by, created_at)
         SELECT $1, version, catalogue_json, rules_json, note, created_by, created_at
         FROM indicator_catalogues WHERE plan_version_id = $2 ORDER BY version",
    )
    .bind(to)
    .bind(from)
    .execute(&mut **tx)
    .await?;
    Ok(counts)
}

/// A new milestone like `old` (label, kind, period; no date yet) at the end of the assignment
/// of `sibling`, for the same schedule item as `sibling`.
async fn add_beside(
    tx: &mut Transaction<'_, Sqlite>,
    old: MilestoneId,
    sibling: MilestoneId,
) -> Result<MilestoneId, StoreError> {
    let row = sqlx::query(
        "INSERT INTO milestones (assignment_id, position, item_position, label, kind, due, period_id)
         SELECT s.assignment_id,
                (SELECT COALESCE(MAX(position), 0) + 1 FROM milestones WHERE assignment_id = s.assignment_id),
                s.item_position, o.label, o.kind, NULL, o.period_id
         FROM milestones s, milestones o WHERE s.id = $1 AND o.id = $2 RETURNING id",
    )
    .bind(sibling.0)
    .bind(old.0)
    .fetch_one(&mut **tx)
    .await?;
    Ok(MilestoneId(row.try_get("id")?))
}

async fn new_milestone_id(
    tx: &mut Transaction<'_, Sqlite>,
    version: i64,
    new: &NewMilestoneRef,
) -> Result<MilestoneId, StoreError> {
    let row = sqlx::query(
        "SELECT m.id FROM milestones m JOIN assignments a ON a.id = m.assignment_id
         JOIN activities act ON act.id = a.activity_id
         WHERE act.plan_version_id = $1 AND act.area_code = $2 AND act.position = $3 AND a.agency_id = $4
           AND m.position = $5",
    )
    .bind(version)
    .bind(new.activity.area.as_str())
    .bind(new.activity.position as i64)
    .bind(new.agency.as_str())
    .bind(new.position as i64)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| {
        StoreError::Corrupt(format!(
            "milestone {}#{} {} #{} not stored",
            new.activity.area, new.activity.position, new.agency, new.position
        ))
    })?;
    Ok(MilestoneId(row.try_get("id")?))
}

/// Copies the events of an old activity to the new one: activity-wide events date the new
/// activity's waiting milestones of the same item, as recording them would; triggers of one
/// assignment go to the new assignment of the same agency (their milestones follow with the
/// milestone carry-over). Returns how many were copied.
async fn carry_events(tx: &mut Transaction<'_, Sqlite>, to: i64, carry: &EventCarry) -> Result<usize, StoreError> {
    let new_activity: i64 =
        sqlx::query("SELECT id FROM activities WHERE plan_version_id = $1 AND area_code = $2 AND position = $3")
            .bind(to)
            .bind(carry.new_activity.area.as_str())
            .bind(carry.new_activity.position as i64)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| StoreError::Corrupt("new activity not stored".into()))?
            .try_get("id")?;
    let rows = sqlx::query(
        "SELECT e.id, e.item_position, a.agency_id, e.due FROM plan_events e
         LEFT JOIN assignments a ON a.id = e.assignment_id
         WHERE e.activity_id = $1 ORDER BY e.id",
    )
    .bind(carry.old_activity.0)
    .fetch_all(&mut **tx)
    .await?;
    let mut copied = 0;
    for row in rows {
        let old_item = usize::try_from(row.try_get::<i64, _>("item_position")?).unwrap_or(usize::MAX);
        let Some(&(_, new_item)) = carry.items.iter().find(|(o, _)| *o == old_item) else { continue };
        let agency: Option<String> = row.try_get("agency_id")?;
        let assignment: Option<i64> = match &agency {
            None => None,
            Some(agency) => {
                let found = sqlx::query("SELECT id FROM assignments WHERE activity_id = $1 AND agency_id = $2")
                    .bind(new_activity)
                    .bind(agency)
                    .fetch_optional(&mut **tx)
                    .await?;
                match found {
                    Some(r) => Some(r.try_get("id")?),
                    None => continue,
                }
            }
        };
        let old_event: i64 = row.try_get("id")?;
        let new_event: i64 = sqlx::query(
            "INSERT INTO plan_events (activity_id, item_position, assignment_id, occurred_on, due, description,
                recorded_by, recorded_at, carried_from)
             SELECT $1, $2, $3, occurred_on, due, description, recorded_by, recorded_at, id
             FROM plan_events WHERE id = $4 RETURNING id",
        )
        .bind(new_activity)
        .bind(new_item as i64)
        .bind(assignment)
        .bind(old_event)
        .fetch_one(&mut **tx)
        .await?
        .try_get("id")?;
        if assignment.is_none() {
            let due: String = row.try_get("due")?;
            sqlx::query(
                "UPDATE milestones SET due = $1, event_id = $2
                 WHERE kind = 'event' AND item_position = $3
                   AND assignment_id IN (SELECT id FROM assignments WHERE activity_id = $4)",
            )
            .bind(due)
            .bind(new_event)
            .bind(new_item as i64)
            .bind(new_activity)
            .execute(&mut **tx)
            .await?;
        }
        copied += 1;
    }
    Ok(copied)
}

/// Copies the progress history of `old` to `new` (each copy pointing at its original, keeping
/// author and time), makes the latest progress `new`'s, gives a waiting milestone the date its
/// event gave the old one, and audits the carry-over.
#[allow(clippy::too_many_arguments)]
async fn carry_milestone(
    tx: &mut Transaction<'_, Sqlite>,
    from: i64,
    to: i64,
    old: MilestoneId,
    new: MilestoneId,
    how: &str,
    user: Option<UserId>,
    at: &str,
) -> Result<CarryCounts, StoreError> {
    let evidence: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM progress_entries WHERE milestone_id = $1
           AND (evidence_number IS NOT NULL OR file_sha256 IS NOT NULL)",
    )
    .bind(old.0)
    .fetch_one(&mut **tx)
    .await?
    .try_get("n")?;
    let entries = sqlx::query(
        "INSERT INTO progress_entries (milestone_id, user_id, recorded_at, status, completed_on, evidence_number,
            evidence_date, evidence_issuer, file_sha256, file_name, comment, carried_from)
         SELECT $1, user_id, recorded_at, status, completed_on, evidence_number, evidence_date, evidence_issuer,
            file_sha256, file_name, comment, id
         FROM progress_entries WHERE milestone_id = $2 ORDER BY id",
    )
    .bind(new.0)
    .bind(old.0)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    let state = sqlx::query("SELECT status, completed_on, updated_at, due, event_id FROM milestones WHERE id = $1")
        .bind(old.0)
        .fetch_one(&mut **tx)
        .await?;
    let old_event: Option<i64> = state.try_get("event_id")?;
    let new_event: Option<i64> = match old_event {
        None => None,
        Some(event) => sqlx::query(
            "SELECT e.id FROM plan_events e JOIN activities act ON act.id = e.activity_id
             WHERE e.carried_from = $1 AND act.plan_version_id = $2",
        )
        .bind(event)
        .bind(to)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.try_get::<i64, _>("id"))
        .transpose()?,
    };
    sqlx::query(
        "UPDATE milestones SET status = $1, completed_on = $2, updated_at = $3,
            due = CASE WHEN due IS NULL AND kind IN ('event', 'relative') AND $4 IS NOT NULL THEN $5 ELSE due END,
            event_id = CASE WHEN due IS NULL AND kind IN ('event', 'relative') AND $4 IS NOT NULL THEN $4 ELSE event_id END
         WHERE id = $6",
    )
    .bind(state.try_get::<String, _>("status")?)
    .bind(state.try_get::<Option<String>, _>("completed_on")?)
    .bind(state.try_get::<Option<String>, _>("updated_at")?)
    .bind(new_event)
    .bind(state.try_get::<Option<String>, _>("due")?)
    .bind(new.0)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO carry_overs (from_version_id, to_version_id, old_milestone_id, new_milestone_id, entries, how, user_id, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(from)
    .bind(to)
    .bind(old.0)
    .bind(new.0)
    .bind(i64::try_from(entries).unwrap_or(i64::MAX))
    .bind(how)
    .bind(user.map(|u| u.0))
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(CarryCounts {
        milestones: 1,
        entries: usize::try_from(entries).unwrap_or(usize::MAX),
        evidence: usize::try_from(evidence).unwrap_or(usize::MAX),
        events: 0,
        reports: 0,
    })
}

/// Why a confirmed carry-over was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CarryRefusal {
    /// The new milestone has progress of its own, or received some already.
    NewHasProgress(MilestoneId),
    /// The old milestone was carried to this version already.
    AlreadyCarried(MilestoneId),
}

impl Store {
    /// Carries old milestones over to milestones of version `to` as confirmed by `user`, all or
    /// nothing, in one transaction. The caller checked that each pair belongs to the plan and
    /// agency; this refuses a new milestone that has progress already and an old milestone
    /// carried to `to` before.
    pub async fn confirm_carry_over(
        &self,
        from: i64,
        to: i64,
        pairs: &[(MilestoneId, MilestoneId)],
        user: Option<UserId>,
        at: &str,
    ) -> Result<Result<CarryCounts, CarryRefusal>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut counts = CarryCounts::default();
        for (old, new) in pairs {
            let has: i64 = sqlx::query(
                "SELECT (SELECT COUNT(*) FROM progress_entries WHERE milestone_id = $1)
                      + (SELECT COUNT(*) FROM carry_overs WHERE new_milestone_id = $1) AS n",
            )
            .bind(new.0)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
            if has > 0 {
                tx.rollback().await?;
                return Ok(Err(CarryRefusal::NewHasProgress(*new)));
            }
            let carried: i64 =
                sqlx::query("SELECT COUNT(*) AS n FROM carry_overs WHERE old_milestone_id = $1 AND to_version_id = $2")
                    .bind(old.0)
                    .bind(to)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("n")?;
            if carried > 0 {
                tx.rollback().await?;
                return Ok(Err(CarryRefusal::AlreadyCarried(*old)));
            }
            counts += carry_milestone(&mut tx, from, to, *old, *new, "confirmed", user, at).await?;
        }
        tx.commit().await?;
        Ok(Ok(counts))
    }

    /// The carry-overs into version `to`, in the order they were made.
    pub async fn carry_links(&self, to: i64) -> Result<Vec<CarryLink>, StoreError> {
        sqlx::query(
            "SELECT c.old_milestone_id, c.new_milestone_id, c.how, u.username, c.at FROM carry_overs c
             LEFT JOIN users u ON u.id = c.user_id WHERE c.to_version_id = $1 ORDER BY c.id",
        )
        .bind(to)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(CarryLink {
                old: MilestoneId(r.try_get("old_milestone_id")?),
                new: MilestoneId(r.try_get("new_milestone_id")?),
                how: r.try_get("how")?,
                by: r.try_get("username")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
    }
}
