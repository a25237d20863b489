//! Inspection planning: adopted plans, inspections (each with its milestone), findings,
//! re-inspections, and the procedure counts imported per agency.

use std::collections::HashMap;

use cchc_domain::account::UserId;
use cchc_domain::inspection::{
    AdoptedPlan, ChosenAgency, Finding, FindingId, Inspection, InspectionId, Place, Reason, Resolution,
};
use cchc_domain::number::Percent1;
use cchc_domain::tracking::{ActivityId, MilestoneId};
use cchc_domain::{AgencyId, AgencyKind, Date};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::directory::{agency_id, corrupt};
use crate::{Store, StoreError};

/// Where inspection milestones go: the plan's inspection activity, in the assignment of the
/// agency that leads it (created when missing), under a schedule item position past the
/// activity's own items (they are added milestones, not read from the plan's "Thời gian").
#[derive(Debug, Clone, Copy)]
pub struct MilestoneTarget<'a> {
    pub activity: ActivityId,
    pub lead: &'a AgencyId,
    pub item: usize,
}

/// One inspection to create: its agency, planned day and milestone label.
#[derive(Debug, Clone)]
pub struct PlannedInspection {
    pub agency: AgencyId,
    pub planned_on: Date,
    pub label: String,
}

/// An inspection plan being adopted.
#[derive(Debug, Clone)]
pub struct NewInspectionPlan<'a> {
    pub year: i32,
    pub seed: u64,
    pub share_percent: u32,
    pub random_percent: u32,
    pub plan_version_id: i64,
    pub target: MilestoneTarget<'a>,
    pub chosen: &'a [ChosenAgency],
    pub inspections: &'a [PlannedInspection],
    pub by: Option<UserId>,
    pub at: &'a str,
}

const INSPECTION_SELECT: &str = "SELECT i.id, i.year, i.plan_id, i.agency_id, i.planned_on, i.done_on, i.milestone_id,
        m.status AS milestone_status, m.completed_on AS milestone_completed,
        (SELECT MIN(f.id) FROM inspection_findings f WHERE f.reinspection_id = i.id) AS reinspects
    FROM inspections i
    LEFT JOIN milestones m ON m.id = i.milestone_id";

impl Store {
    /// Stores an adopted plan, its agencies, one inspection per planned agency and one milestone
    /// per inspection, in one transaction. A year that has a plan already is a conflict.
    pub async fn adopt_inspection_plan(&self, plan: &NewInspectionPlan<'_>) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let exists = sqlx::query("SELECT id FROM inspection_plans WHERE year = $1")
            .bind(plan.year)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!("inspection plan of {} exists", plan.year)));
        }
        let plan_id: i64 = sqlx::query(
            "INSERT INTO inspection_plans (year, seed, share_percent, random_percent, plan_version_id, activity_id,
                created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(plan.year)
        .bind(plan.seed.to_string())
        .bind(i64::from(plan.share_percent))
        .bind(i64::from(plan.random_percent))
        .bind(plan.plan_version_id)
        .bind(plan.target.activity.0)
        .bind(plan.by.map(|u| u.0))
        .bind(plan.at)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        for (position, chosen) in plan.chosen.iter().enumerate() {
            let reasons: Vec<String> = chosen.reasons.iter().map(|r| r.encode()).collect();
            sqlx::query(
                "INSERT INTO inspection_plan_agencies (plan_id, position, agency_id, kind, priority_tenths, place, reasons)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(plan_id)
            .bind(position as i64)
            .bind(chosen.agency.as_str())
            .bind(chosen.kind.as_str())
            .bind(chosen.priority.tenths())
            .bind(chosen.place.as_str())
            .bind(reasons.join(";"))
            .execute(&mut *tx)
            .await?;
        }
        let assignment = assignment_of(&mut tx, plan.target).await?;
        for inspection in plan.inspections {
            let milestone = insert_milestone(&mut tx, assignment, plan.target.item, inspection).await?;
            insert_inspection(&mut tx, plan.year, Some(plan_id), inspection, milestone, plan.by, plan.at).await?;
        }
        tx.commit().await?;
        Ok(plan_id)
    }

    /// Schedules a re-inspection of a finding (a new inspection with its milestone), in one
    /// transaction. A finding re-inspected already is a conflict.
    pub async fn schedule_reinspection(
        &self,
        finding: FindingId,
        year: i32,
        target: MilestoneTarget<'_>,
        inspection: &PlannedInspection,
        by: Option<UserId>,
        at: &str,
    ) -> Result<InspectionId, StoreError> {
        let mut tx = self.pool.begin().await?;
        let assignment = assignment_of(&mut tx, target).await?;
        let milestone = insert_milestone(&mut tx, assignment, target.item, inspection).await?;
        let id = insert_inspection(&mut tx, year, None, inspection, milestone, by, at).await?;
        let updated = sqlx::query(
            "UPDATE inspection_findings SET reinspection_id = $1 WHERE id = $2 AND reinspection_id IS NULL",
        )
        .bind(id)
        .bind(finding.0)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            tx.rollback().await?;
            return Err(StoreError::Conflict(format!("finding {} has a re-inspection", finding.0)));
        }
        tx.commit().await?;
        Ok(InspectionId(id))
    }

    /// The adopted plan of a year.
    pub async fn adopted_inspection_plan(&self, year: i32) -> Result<Option<AdoptedPlan>, StoreError> {
        let Some(row) = sqlx::query(
            "SELECT p.id, p.year, p.seed, p.share_percent, p.random_percent, u.username, p.created_at
               FROM inspection_plans p LEFT JOIN users u ON u.id = p.created_by
              WHERE p.year = $1",
        )
        .bind(year)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let id: i64 = row.try_get("id")?;
        let seed: String = row.try_get("seed")?;
        let chosen = sqlx::query(
            "SELECT agency_id, kind, priority_tenths, place, reasons FROM inspection_plan_agencies
              WHERE plan_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(chosen_from_row)
        .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(AdoptedPlan {
            id,
            year: row.try_get("year")?,
            seed: seed.parse().map_err(|_| corrupt("seed", &seed))?,
            share_percent: u32::try_from(row.try_get::<i64, _>("share_percent")?).unwrap_or(0),
            random_percent: u32::try_from(row.try_get::<i64, _>("random_percent")?).unwrap_or(0),
            created_by: row.try_get("username")?,
            created_at: row.try_get("created_at")?,
            chosen,
        }))
    }

    /// The inspections planned in a year (re-inspections included), by planned day, with their
    /// findings.
    pub async fn inspections(&self, year: i32) -> Result<Vec<Inspection>, StoreError> {
        let rows = sqlx::query(&format!("{INSPECTION_SELECT} WHERE i.year = $1 ORDER BY i.planned_on, i.id"))
            .bind(year)
            .fetch_all(&self.pool)
            .await?;
        let mut out = rows.iter().map(inspection_from_row).collect::<Result<Vec<_>, _>>()?;
        let findings = self.findings_of_year(year).await?;
        for inspection in &mut out {
            inspection.findings = findings.iter().filter(|f| f.inspection == inspection.id).cloned().collect();
        }
        Ok(out)
    }

    /// One inspection with its findings.
    pub async fn inspection(&self, id: InspectionId) -> Result<Option<Inspection>, StoreError> {
        let row =
            sqlx::query(&format!("{INSPECTION_SELECT} WHERE i.id = $1")).bind(id.0).fetch_optional(&self.pool).await?;
        let Some(mut inspection) = row.as_ref().map(inspection_from_row).transpose()? else { return Ok(None) };
        inspection.findings = self.findings_where("f.inspection_id = $1", id.0).await?;
        Ok(Some(inspection))
    }

    /// One finding.
    pub async fn finding(&self, id: FindingId) -> Result<Option<Finding>, StoreError> {
        Ok(self.findings_where("f.id = $1", id.0).await?.into_iter().next())
    }

    async fn findings_of_year(&self, year: i32) -> Result<Vec<Finding>, StoreError> {
        self.findings_where("f.inspection_id IN (SELECT id FROM inspections WHERE year = $1)", i64::from(year)).await
    }

    async fn findings_where(&self, condition: &str, value: i64) -> Result<Vec<Finding>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT f.id, f.inspection_id, f.text, f.deadline, ru.username AS recorded_by, f.recorded_at, f.resolved_on,
                    su.username AS resolved_by, f.resolved_at, f.evidence, f.reinspection_id
               FROM inspection_findings f
               LEFT JOIN users ru ON ru.id = f.recorded_by
               LEFT JOIN users su ON su.id = f.resolved_by
              WHERE {condition} ORDER BY f.id"
        ))
        .bind(value)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(finding_from_row).collect()
    }

    /// Records a finding on an inspection.
    pub async fn record_finding(
        &self,
        inspection: InspectionId,
        text: &str,
        deadline: Date,
        by: Option<UserId>,
        at: &str,
    ) -> Result<FindingId, StoreError> {
        let id: i64 = sqlx::query(
            "INSERT INTO inspection_findings (inspection_id, text, deadline, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(inspection.0)
        .bind(text)
        .bind(deadline.iso())
        .bind(by.map(|u| u.0))
        .bind(at)
        .fetch_one(&self.pool)
        .await?
        .try_get("id")?;
        Ok(FindingId(id))
    }

    /// Marks a finding resolved. A finding resolved already is a conflict.
    pub async fn resolve_finding(
        &self,
        finding: FindingId,
        on: Date,
        evidence: &str,
        by: Option<UserId>,
        at: &str,
    ) -> Result<(), StoreError> {
        let updated = sqlx::query(
            "UPDATE inspection_findings SET resolved_on = $1, evidence = $2, resolved_by = $3, resolved_at = $4
              WHERE id = $5 AND resolved_on IS NULL",
        )
        .bind(on.iso())
        .bind(evidence)
        .bind(by.map(|u| u.0))
        .bind(at)
        .bind(finding.0)
        .execute(&self.pool)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!("finding {} is resolved or missing", finding.0)));
        }
        Ok(())
    }

    /// Findings not resolved, per agency, of inspections of years before `year`.
    pub async fn unresolved_findings_before(&self, year: i32) -> Result<HashMap<AgencyId, u32>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.agency_id, COUNT(*) AS n FROM inspection_findings f JOIN inspections i ON i.id = f.inspection_id
              WHERE i.year < $1 AND f.resolved_on IS NULL GROUP BY i.agency_id",
        )
        .bind(year)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    agency_id(&r.try_get::<String, _>("agency_id")?)?,
                    u32::try_from(r.try_get::<i64, _>("n")?).unwrap_or(u32::MAX),
                ))
            })
            .collect()
    }

    /// Replaces the procedure count of the agencies given (others keep theirs), in one
    /// transaction.
    pub async fn save_procedure_counts(
        &self,
        counts: &[(AgencyId, u32)],
        by: Option<UserId>,
        at: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for (agency, n) in counts {
            sqlx::query(
                "INSERT INTO agency_procedures (agency_id, procedures, imported_by, imported_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (agency_id) DO UPDATE SET procedures = excluded.procedures,
                    imported_by = excluded.imported_by, imported_at = excluded.imported_at",
            )
            .bind(agency.as_str())
            .bind(i64::from(*n))
            .bind(by.map(|u| u.0))
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The procedure count of every agency that has one.
    pub async fn procedure_counts(&self) -> Result<HashMap<AgencyId, u32>, StoreError> {
        let rows = sqlx::query("SELECT agency_id, procedures FROM agency_procedures").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    agency_id(&r.try_get::<String, _>("agency_id")?)?,
                    u32::try_from(r.try_get::<i64, _>("procedures")?).unwrap_or(0),
                ))
            })
            .collect()
    }
}

/// The assignment of `target.lead` on `target.activity`, created when missing.
async fn assignment_of(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    target: MilestoneTarget<'_>,
) -> Result<i64, StoreError> {
    let existing = sqlx::query("SELECT id FROM assignments WHERE activity_id = $1 AND agency_id = $2")
        .bind(target.activity.0)
        .bind(target.lead.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match existing {
        Some(row) => row.try_get("id")?,
        None => sqlx::query("INSERT INTO assignments (activity_id, agency_id) VALUES ($1, $2) RETURNING id")
            .bind(target.activity.0)
            .bind(target.lead.as_str())
            .fetch_one(&mut **tx)
            .await?
            .try_get("id")?,
    })
}

/// Appends a fixed milestone to an assignment (after its last one).
async fn insert_milestone(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    assignment: i64,
    item: usize,
    inspection: &PlannedInspection,
) -> Result<i64, StoreError> {
    let position: i64 =
        sqlx::query("SELECT COALESCE(MAX(position), -1) + 1 AS next FROM milestones WHERE assignment_id = $1")
            .bind(assignment)
            .fetch_one(&mut **tx)
            .await?
            .try_get("next")?;
    Ok(sqlx::query(
        "INSERT INTO milestones (assignment_id, position, item_position, label, kind, due)
         VALUES ($1, $2, $3, $4, 'fixed', $5) RETURNING id",
    )
    .bind(assignment)
    .bind(position)
    .bind(item as i64)
    .bind(&inspection.label)
    .bind(inspection.planned_on.iso())
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?)
}

async fn insert_inspection(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    year: i32,
    plan: Option<i64>,
    inspection: &PlannedInspection,
    milestone: i64,
    by: Option<UserId>,
    at: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO inspections (year, plan_id, agency_id, planned_on, milestone_id, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(year)
    .bind(plan)
    .bind(inspection.agency.as_str())
    .bind(inspection.planned_on.iso())
    .bind(milestone)
    .bind(by.map(|u| u.0))
    .bind(at)
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?)
}

fn date(value: &str) -> Result<Date, StoreError> {
    Date::parse(value).map_err(|_| corrupt("date", value))
}

fn opt_date(value: Option<String>) -> Result<Option<Date>, StoreError> {
    value.as_deref().map(date).transpose()
}

fn chosen_from_row(row: &SqliteRow) -> Result<ChosenAgency, StoreError> {
    let kind: String = row.try_get("kind")?;
    let place: String = row.try_get("place")?;
    let reasons: String = row.try_get("reasons")?;
    let agency = agency_id(&row.try_get::<String, _>("agency_id")?)?;
    Ok(ChosenAgency {
        name: agency.to_string(),
        agency,
        kind: AgencyKind::parse(&kind).ok_or_else(|| corrupt("agency kind", &kind))?,
        priority: Percent1::from_tenths(row.try_get("priority_tenths")?),
        place: Place::parse(&place).ok_or_else(|| corrupt("place", &place))?,
        reasons: reasons
            .split(';')
            .filter(|r| !r.is_empty())
            .map(|r| Reason::decode(r).ok_or_else(|| corrupt("reason", r)))
            .collect::<Result<_, _>>()?,
    })
}

fn inspection_from_row(row: &SqliteRow) -> Result<Inspection, StoreError> {
    let done_on = opt_date(row.try_get("done_on")?)?;
    let milestone_done = match row.try_get::<Option<String>, _>("milestone_status")?.as_deref() {
        Some("done") => opt_date(row.try_get("milestone_completed")?)?,
        _ => None,
    };
    Ok(Inspection {
        id: InspectionId(row.try_get("id")?),
        year: row.try_get("year")?,
        plan: row.try_get("plan_id")?,
        agency: agency_id(&row.try_get::<String, _>("agency_id")?)?,
        planned_on: date(&row.try_get::<String, _>("planned_on")?)?,
        done_on: done_on.or(milestone_done),
        milestone: row.try_get::<Option<i64>, _>("milestone_id")?.map(MilestoneId),
        reinspects: row.try_get::<Option<i64>, _>("reinspects")?.map(FindingId),
        findings: Vec::new(),
    })
}

fn finding_from_row(row: &SqliteRow) -> Result<Finding, StoreError> {
    let resolution = match opt_date(row.try_get("resolved_on")?)? {
        Some(on) => Some(Resolution {
            on,
            by: row.try_get("resolved_by")?,
            at: row.try_get::<Option<String>, _>("resolved_at")?.unwrap_or_default(),
            evidence: row.try_get::<Option<String>, _>("evidence")?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(Finding {
        id: FindingId(row.try_get("id")?),
        inspection: InspectionId(row.try_get("inspection_id")?),
        text: row.try_get("text")?,
        deadline: date(&row.try_get::<String, _>("deadline")?)?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: row.try_get("recorded_at")?,
        resolution,
        reinspection: row.try_get::<Option<i64>, _>("reinspection_id")?.map(InspectionId),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cchc_domain::inspection::Place;

    fn id(text: &str) -> AgencyId {
        AgencyId::parse(text).expect("id")
    }

    #[tokio::test]
    async fn an_adopted_plan_makes_inspections_milestones_and_findings() {
        let store = Store::open_in_memory().await.expect("store");
        let (directory, _) = cchc_import::agencies::son_la_2024();
        let parsed = cchc_import::parse_plan(cchc_import::SON_LA_2024_PLAN, &directory);
        let outcome = store.import_plan(&parsed.plan, &[], "kh.txt", "hash", "t").await.expect("import");
        let cchc_domain::ImportOutcome::Created(version) = outcome else { panic!("a new version") };
        let activity = store.activity_index(version.id).await.expect("index")[0].id;
        let lead = id("so-noi-vu");
        let target = MilestoneTarget { activity, lead: &lead, item: 9 };
        let chosen = vec![ChosenAgency {
            agency: id("so-tu-phap"),
            name: "Sở Tư pháp".into(),
            kind: AgencyKind::Department,
            priority: Percent1::from_tenths(625),
            place: Place::PriorityDrawn,
            reasons: vec![Reason::LowIndex(71.5), Reason::NotInspectedLastYear, Reason::Drawn],
        }];
        let d = |s: &str| Date::parse(s).expect("date");
        let planned = vec![PlannedInspection {
            agency: id("so-tu-phap"),
            planned_on: d("15/04/2024"),
            label: "Kiểm tra CCHC tại Sở Tư pháp".into(),
        }];
        let plan = NewInspectionPlan {
            year: 2024,
            seed: u64::MAX,
            share_percent: 30,
            random_percent: 20,
            plan_version_id: version.id,
            target,
            chosen: &chosen,
            inspections: &planned,
            by: None,
            at: "2024-03-01T00:00:00Z",
        };
        store.adopt_inspection_plan(&plan).await.expect("adopt");
        assert!(matches!(store.adopt_inspection_plan(&plan).await, Err(StoreError::Conflict(_))));
        let adopted = store.adopted_inspection_plan(2024).await.expect("read").expect("plan");
        assert_eq!(adopted.seed, u64::MAX);
        assert_eq!(adopted.chosen[0].reasons, chosen[0].reasons);
        assert_eq!(adopted.chosen[0].priority, chosen[0].priority);
        let inspections = store.inspections(2024).await.expect("inspections");
        assert_eq!(inspections.len(), 1);
        let milestone = store.milestone(inspections[0].milestone.expect("milestone")).await.expect("m").expect("m");
        assert_eq!(milestone.label, "Kiểm tra CCHC tại Sở Tư pháp");
        assert_eq!(milestone.agency, lead);
        assert_eq!(milestone.due, Some(d("15/04/2024")));

        let finding = store
            .record_finding(inspections[0].id, "Chưa niêm yết TTHC", d("30/06/2024"), None, "t")
            .await
            .expect("finding");
        assert_eq!(store.unresolved_findings_before(2025).await.expect("n").get(&id("so-tu-phap")), Some(&1));
        assert!(store.unresolved_findings_before(2024).await.expect("n").is_empty());
        let again = PlannedInspection { planned_on: d("15/07/2024"), ..planned[0].clone() };
        let re = store.schedule_reinspection(finding, 2024, target, &again, None, "t").await.expect("re");
        assert!(store.schedule_reinspection(finding, 2024, target, &again, None, "t").await.is_err());
        assert_eq!(store.inspection(re).await.expect("i").expect("i").reinspects, Some(finding));
        store.resolve_finding(finding, d("20/06/2024"), "Công văn 12/STP", None, "t").await.expect("resolve");
        assert!(matches!(
            store.resolve_finding(finding, d("20/06/2024"), "x", None, "t").await,
            Err(StoreError::Conflict(_))
        ));
        let found = store.finding(finding).await.expect("f").expect("f");
        assert_eq!(found.resolution.map(|r| r.evidence), Some("Công văn 12/STP".to_string()));
        assert_eq!(found.reinspection, Some(re));
        assert!(store.unresolved_findings_before(2025).await.expect("n").is_empty());

        store.save_procedure_counts(&[(id("so-tu-phap"), 120)], None, "t").await.expect("save");
        store.save_procedure_counts(&[(id("so-tu-phap"), 130)], None, "t").await.expect("save");
        assert_eq!(store.procedure_counts().await.expect("counts").get(&id("so-tu-phap")), Some(&130));
    }
}
