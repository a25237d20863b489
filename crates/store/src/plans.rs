//! Plan versions: a whole parsed plan written in one transaction (or recognised by its content hash), loaded back as domain values.

use std::collections::HashMap;

use cchc_domain::schedule::{Offset, PeriodDue, Precision};
use cchc_domain::text::fold;
use cchc_domain::tracking::MilestoneId;
use cchc_domain::{
    Activity, AdminLevel, AgencyRef, AreaCode, Comparator, Date, Diagnostic, GroupId, ImportOutcome, PeriodId, Plan,
    PlanMeta, PlanVersion, ReportingPeriod, Schedule, ScheduleItem, Severity, Target, Task, Threshold, When,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, Transaction};

use crate::carry::{CarryCounts, CarryPlan};
use crate::directory::{agency_id, corrupt};
use crate::tracking::ActivityFanOut;
use crate::{Store, StoreError};

/// A plan document to store: the parsed plan, its diagnostics, where it came from, the hash of
/// its normalised text and when it was imported.
#[derive(Debug, Clone, Copy)]
pub struct NewDocument<'a> {
    pub plan: &'a Plan,
    pub diagnostics: &'a [Diagnostic],
    pub source_name: &'a str,
    pub content_hash: &'a str,
    pub imported_at: &'a str,
}

/// The key identifying a plan across versions: folded province and year ("son-la-2024").
pub fn plan_key(meta: &PlanMeta) -> String {
    let province = fold(&meta.province).replace(' ', "-");
    let province = if province.is_empty() { "khong-ro".to_string() } else { province };
    match meta.year {
        Some(year) => format!("{province}-{year}"),
        None => province,
    }
}

impl Store {
    /// Stores a parsed plan as a new version unless a version with the same content exists.
    /// Everything is written in one transaction.
    pub async fn import_plan(
        &self,
        plan: &Plan,
        diagnostics: &[Diagnostic],
        source_name: &str,
        content_hash: &str,
        imported_at: &str,
    ) -> Result<ImportOutcome, StoreError> {
        let document = NewDocument { plan, diagnostics, source_name, content_hash, imported_at };
        Ok(self.import_version(&document, &[], None).await?.0)
    }

    /// Stores a parsed plan as a new version unless a version with the same content exists,
    /// with its assignments and milestones (`fan_out`) and, when `carry` is given, what was
    /// recorded on the previous version carried over to it — all in one transaction: either
    /// the new version exists with everything carried, or nothing was written.
    pub async fn import_version(
        &self,
        document: &NewDocument<'_>,
        fan_out: &[ActivityFanOut],
        carry: Option<&CarryPlan>,
    ) -> Result<(ImportOutcome, CarryCounts), StoreError> {
        let NewDocument { plan, diagnostics, source_name, content_hash, imported_at } = *document;
        let key = plan_key(&plan.meta);
        let mut tx = self.pool.begin().await?;
        let existing = sqlx::query(&format!("{VERSION_SELECT} WHERE plan_key = $1 AND content_hash = $2"))
            .bind(&key)
            .bind(content_hash)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = existing {
            tx.rollback().await?;
            return Ok((ImportOutcome::Unchanged(version_from_row(&row)?), CarryCounts::default()));
        }
        let next: i64 =
            sqlx::query("SELECT COALESCE(MAX(version), 0) + 1 AS next FROM plan_versions WHERE plan_key = $1")
                .bind(&key)
                .fetch_one(&mut *tx)
                .await?
                .try_get("next")?;
        if let Some(carry) = carry {
            if carry.from_version.plan_key != key || carry.from_version.version + 1 != next {
                tx.rollback().await?;
                return Err(StoreError::Conflict(format!(
                    "plan {key}: version {} is no longer the latest",
                    carry.from_version.version
                )));
            }
        }
        let meta = &plan.meta;
        let id: i64 = sqlx::query(
            "INSERT INTO plan_versions (plan_key, version, content_hash, source_name, imported_at, decision_number,
                decision_date, signer, signer_title, province, year, title, own_plan_deadline)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(&key)
        .bind(next)
        .bind(content_hash)
        .bind(source_name)
        .bind(imported_at)
        .bind(&meta.decision_number)
        .bind(meta.decision_date.map(Date::iso))
        .bind(&meta.signer)
        .bind(&meta.signer_title)
        .bind(&meta.province)
        .bind(meta.year)
        .bind(&meta.title)
        .bind(plan.own_plan_deadline.map(Date::iso))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        write_content(&mut tx, id, plan, diagnostics).await?;
        let mut counts = CarryCounts::default();
        if !fan_out.is_empty() {
            crate::tracking::insert_assignments(&mut tx, id, fan_out).await?;
        }
        if let Some(carry) = carry {
            counts = crate::carry::carry_in(&mut tx, id, carry, imported_at).await?;
        }
        let row = sqlx::query(&format!("{VERSION_SELECT} WHERE id = $1")).bind(id).fetch_one(&mut *tx).await?;
        let version = version_from_row(&row)?;
        tx.commit().await?;
        Ok((ImportOutcome::Created(version), counts))
    }

    /// The stored version of `plan_key` with this content, if any.
    pub async fn version_with_content(
        &self,
        plan_key: &str,
        content_hash: &str,
    ) -> Result<Option<PlanVersion>, StoreError> {
        sqlx::query(&format!("{VERSION_SELECT} WHERE plan_key = $1 AND content_hash = $2"))
            .bind(plan_key)
            .bind(content_hash)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(version_from_row)
            .transpose()
    }

    /// Version `version` of the plan `plan_key`.
    pub async fn plan_version(&self, plan_key: &str, version: i64) -> Result<Option<PlanVersion>, StoreError> {
        sqlx::query(&format!("{VERSION_SELECT} WHERE plan_key = $1 AND version = $2"))
            .bind(plan_key)
            .bind(version)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(version_from_row)
            .transpose()
    }

    /// The version a milestone belongs to.
    pub async fn version_of_milestone(&self, milestone: MilestoneId) -> Result<Option<PlanVersion>, StoreError> {
        sqlx::query(&format!(
            "{VERSION_SELECT} WHERE id = (SELECT act.plan_version_id FROM milestones m
                JOIN assignments a ON a.id = m.assignment_id JOIN activities act ON act.id = a.activity_id
                WHERE m.id = $1)"
        ))
        .bind(milestone.0)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(version_from_row)
        .transpose()
    }

    /// Every stored plan version, newest plan year first, then newest version first.
    pub async fn plan_versions(&self) -> Result<Vec<PlanVersion>, StoreError> {
        sqlx::query(&format!("{VERSION_SELECT} ORDER BY year DESC, plan_key, version DESC"))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(version_from_row)
            .collect()
    }

    /// The latest version of the plan `plan_key`, or of the plan with the latest year.
    pub async fn current_version(&self, plan_key: Option<&str>) -> Result<Option<PlanVersion>, StoreError> {
        let versions = self.plan_versions().await?;
        Ok(versions.into_iter().find(|v| plan_key.is_none_or(|k| v.plan_key == k)))
    }

    /// A stored plan version, as the domain plan and the import diagnostics.
    pub async fn load_plan(&self, version_id: i64) -> Result<(Plan, Vec<Diagnostic>), StoreError> {
        let pool = &self.pool;
        let row = sqlx::query(
            "SELECT decision_number, decision_date, signer, signer_title, province, year, title, own_plan_deadline
             FROM plan_versions WHERE id = $1",
        )
        .bind(version_id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("plan version {version_id} not found")))?;
        let mut plan = Plan::empty();
        plan.meta = PlanMeta {
            decision_number: row.try_get("decision_number")?,
            decision_date: opt_date(row.try_get("decision_date")?)?,
            signer: row.try_get("signer")?,
            signer_title: row.try_get("signer_title")?,
            province: row.try_get("province")?,
            year: row.try_get("year")?,
            title: row.try_get("title")?,
        };
        plan.own_plan_deadline = opt_date(row.try_get("own_plan_deadline")?)?;

        for row in
            sqlx::query("SELECT code, title, prose_title FROM plan_areas WHERE plan_version_id = $1 ORDER BY position")
                .bind(version_id)
                .fetch_all(pool)
                .await?
        {
            let code = area(&row.try_get::<String, _>("code")?)?;
            if let Some(a) = plan.areas.iter_mut().find(|a| a.code == code) {
                a.title = row.try_get("title")?;
                a.prose_title = row.try_get("prose_title")?;
            }
        }

        let mut thresholds: HashMap<i64, Vec<Threshold>> = HashMap::new();
        for row in sqlx::query(
            "SELECT h.target_id, h.op, h.value, h.upper, h.unit, h.level, h.subject, h.sub_target
             FROM target_thresholds h JOIN targets t ON t.id = h.target_id
             WHERE t.plan_version_id = $1 ORDER BY h.target_id, h.position",
        )
        .bind(version_id)
        .fetch_all(pool)
        .await?
        {
            let op: String = row.try_get("op")?;
            let level: Option<String> = row.try_get("level")?;
            thresholds.entry(row.try_get("target_id")?).or_default().push(Threshold {
                op: Comparator::parse(&op).ok_or_else(|| corrupt("comparator", &op))?,
                value: row.try_get("value")?,
                upper: row.try_get("upper")?,
                unit: row.try_get("unit")?,
                level: level.map(|l| AdminLevel::parse(&l).ok_or_else(|| corrupt("level", &l))).transpose()?,
                subject: row.try_get("subject")?,
                sub_target: row.try_get::<i64, _>("sub_target")? != 0,
            });
        }
        for row in sqlx::query(
            "SELECT id, area_code, text, baseline_year, horizon_year, first_line, last_line
             FROM targets WHERE plan_version_id = $1 ORDER BY area_code, position",
        )
        .bind(version_id)
        .fetch_all(pool)
        .await?
        {
            let code = area(&row.try_get::<String, _>("area_code")?)?;
            let target = Target {
                text: row.try_get("text")?,
                thresholds: thresholds.remove(&row.try_get::<i64, _>("id")?).unwrap_or_default(),
                baseline_year: row.try_get("baseline_year")?,
                horizon_year: row.try_get("horizon_year")?,
                lines: lines(&row)?,
            };
            area_mut(&mut plan, code)?.targets.push(target);
        }

        for row in sqlx::query(
            "SELECT area_code, text, first_line, last_line FROM tasks WHERE plan_version_id = $1 ORDER BY area_code, position",
        )
        .bind(version_id)
        .fetch_all(pool)
        .await?
        {
            let code = area(&row.try_get::<String, _>("area_code")?)?;
            let task = Task { text: row.try_get("text")?, lines: lines(&row)? };
            area_mut(&mut plan, code)?.tasks.push(task);
        }

        let mut activities = self.load_activities(version_id).await?;
        for a in &mut plan.areas {
            a.activities = activities.remove(&a.code).unwrap_or_default();
        }

        for row in sqlx::query(
            "SELECT period_id, name, data_from, data_to, due, line FROM reporting_periods
             WHERE plan_version_id = $1 ORDER BY position",
        )
        .bind(version_id)
        .fetch_all(pool)
        .await?
        {
            let id: String = row.try_get("period_id")?;
            plan.reporting_periods.push(ReportingPeriod {
                id: PeriodId::parse(&id).ok_or_else(|| corrupt("period id", &id))?,
                name: row.try_get("name")?,
                data_from: date(&row.try_get::<String, _>("data_from")?)?,
                data_to: date(&row.try_get::<String, _>("data_to")?)?,
                due: date(&row.try_get::<String, _>("due")?)?,
                line: u32_of(row.try_get("line")?)?,
            });
        }

        let mut diagnostics = Vec::new();
        for row in sqlx::query(
            "SELECT line, severity, message FROM import_diagnostics WHERE plan_version_id = $1 ORDER BY position",
        )
        .bind(version_id)
        .fetch_all(pool)
        .await?
        {
            let severity: String = row.try_get("severity")?;
            diagnostics.push(Diagnostic {
                line: u32_of(row.try_get("line")?)?,
                severity: Severity::parse(&severity).ok_or_else(|| corrupt("severity", &severity))?,
                message: row.try_get("message")?,
            });
        }
        Ok((plan, diagnostics))
    }

    async fn load_activities(&self, version_id: i64) -> Result<HashMap<AreaCode, Vec<Activity>>, StoreError> {
        let pool = &self.pool;
        let mut outputs: HashMap<i64, Vec<String>> = HashMap::new();
        for row in sqlx::query(
            "SELECT o.activity_id, o.text FROM activity_outputs o JOIN activities a ON a.id = o.activity_id
             WHERE a.plan_version_id = $1 ORDER BY o.activity_id, o.position",
        )
        .bind(version_id)
        .fetch_all(pool)
        .await?
        {
            outputs.entry(row.try_get("activity_id")?).or_default().push(row.try_get("text")?);
        }

        let mut ref_agencies: HashMap<i64, Vec<String>> = HashMap::new();
        for row in sqlx::query(
            "SELECT x.ref_id, x.agency_id FROM activity_ref_agencies x
             JOIN activity_refs r ON r.id = x.ref_id JOIN activities a ON a.id = r.activity_id
             WHERE a.plan_version_id = $1 ORDER BY x.ref_id, x.position",
        )
        .bind(version_id)
        .fetch_all(pool)
        .await?
        {
            ref_agencies.entry(row.try_get("ref_id")?).or_default().push(row.try_get("agency_id")?);
        }
        let mut ref_groups: HashMap<i64, Vec<String>> = HashMap::new();
        for row in sqlx::query(
            "SELECT x.ref_id, x.group_id FROM activity_ref_groups x
             JOIN activity_refs r ON r.id = x.ref_id JOIN activities a ON a.id = r.activity_id
             WHERE a.plan_version_id = $1 ORDER BY x.ref_id, x.position",
        )
        .bind(version_id)
        .fetch_all(pool)
        .await?
        {
            ref_groups.entry(row.try_get("ref_id")?).or_default().push(row.try_get("group_id")?);
        }
        let mut refs: HashMap<(i64, String), Vec<AgencyRef>> = HashMap::new();
        for row in sqlx::query(
            "SELECT r.id, r.activity_id, r.role, r.text FROM activity_refs r JOIN activities a ON a.id = r.activity_id
             WHERE a.plan_version_id = $1 ORDER BY r.activity_id, r.role, r.position",
        )
        .bind(version_id)
        .fetch_all(pool)
        .await?
        {
            let id: i64 = row.try_get("id")?;
            let agencies =
                ref_agencies.remove(&id).unwrap_or_default().iter().map(|a| agency_id(a)).collect::<Result<_, _>>()?;
            let groups = ref_groups
                .remove(&id)
                .unwrap_or_default()
                .iter()
                .map(|g| GroupId::parse(g).ok_or_else(|| corrupt("group id", g)))
                .collect::<Result<_, _>>()?;
            refs.entry((row.try_get("activity_id")?, row.try_get("role")?)).or_default().push(AgencyRef {
                text: row.try_get("text")?,
                agencies,
                groups,
            });
        }

        let mut dues: HashMap<i64, Vec<(Option<String>, String)>> = HashMap::new();
        for row in sqlx::query(
            "SELECT d.item_id, d.period_id, d.due FROM schedule_item_dues d
             JOIN schedule_items i ON i.id = d.item_id JOIN activities a ON a.id = i.activity_id
             WHERE a.plan_version_id = $1 ORDER BY d.item_id, d.position",
        )
        .bind(version_id)
        .fetch_all(pool)
        .await?
        {
            dues.entry(row.try_get("item_id")?).or_default().push((row.try_get("period_id")?, row.try_get("due")?));
        }
        let mut items: HashMap<i64, Vec<ScheduleItem>> = HashMap::new();
        for row in sqlx::query(
            "SELECT i.* FROM schedule_items i JOIN activities a ON a.id = i.activity_id
             WHERE a.plan_version_id = $1 ORDER BY i.activity_id, i.position",
        )
        .bind(version_id)
        .fetch_all(pool)
        .await?
        {
            let item_dues = dues.remove(&row.try_get::<i64, _>("id")?).unwrap_or_default();
            items.entry(row.try_get("activity_id")?).or_default().push(ScheduleItem {
                label: row.try_get("label")?,
                when: when_from_row(&row, item_dues)?,
                condition: row.try_get("condition_text")?,
                text: row.try_get("text")?,
            });
        }

        let mut by_area: HashMap<AreaCode, Vec<Activity>> = HashMap::new();
        for row in sqlx::query(
            "SELECT id, area_code, number, title, note, schedule_text, first_line, last_line
             FROM activities WHERE plan_version_id = $1 ORDER BY area_code, position",
        )
        .bind(version_id)
        .fetch_all(pool)
        .await?
        {
            let id: i64 = row.try_get("id")?;
            let code = area(&row.try_get::<String, _>("area_code")?)?;
            by_area.entry(code).or_default().push(Activity {
                number: row.try_get("number")?,
                title: row.try_get("title")?,
                outputs: outputs.remove(&id).unwrap_or_default(),
                lead: refs.remove(&(id, "lead".to_string())).unwrap_or_default(),
                partners: refs.remove(&(id, "partner".to_string())).unwrap_or_default(),
                note: row.try_get("note")?,
                schedule: Schedule {
                    text: row.try_get("schedule_text")?,
                    items: items.remove(&id).unwrap_or_default(),
                },
                lines: lines(&row)?,
            });
        }
        Ok(by_area)
    }
}

const VERSION_SELECT: &str =
    "SELECT id, plan_key, version, content_hash, source_name, imported_at, decision_number, year, title FROM plan_versions";

fn version_from_row(row: &SqliteRow) -> Result<PlanVersion, StoreError> {
    Ok(PlanVersion {
        id: row.try_get("id")?,
        plan_key: row.try_get("plan_key")?,
        version: row.try_get("version")?,
        content_hash: row.try_get("content_hash")?,
        source_name: row.try_get("source_name")?,
        imported_at: row.try_get("imported_at")?,
        decision_number: row.try_get("decision_number")?,
        year: row.try_get("year")?,
        title: row.try_get("title")?,
    })
}

async fn write_content(
    tx: &mut Transaction<'_, Sqlite>,
    version_id: i64,
    plan: &Plan,
    diagnostics: &[Diagnostic],
) -> Result<(), StoreError> {
    for (position, a) in plan.areas.iter().enumerate() {
        sqlx::query(
            "INSERT INTO plan_areas (plan_version_id, code, position, title, prose_title) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(version_id)
        .bind(a.code.as_str())
        .bind(position as i64)
        .bind(&a.title)
        .bind(&a.prose_title)
        .execute(&mut **tx)
        .await?;
        for (i, t) in a.targets.iter().enumerate() {
            let target_id: i64 = sqlx::query(
                "INSERT INTO targets (plan_version_id, area_code, position, text, baseline_year, horizon_year, first_line, last_line)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(version_id)
            .bind(a.code.as_str())
            .bind(i as i64)
            .bind(&t.text)
            .bind(t.baseline_year)
            .bind(t.horizon_year)
            .bind(i64::from(t.lines.0))
            .bind(i64::from(t.lines.1))
            .fetch_one(&mut **tx)
            .await?
            .try_get("id")?;
            for (j, h) in t.thresholds.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO target_thresholds (target_id, position, op, value, upper, unit, level, subject, sub_target)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(target_id)
                .bind(j as i64)
                .bind(h.op.as_str())
                .bind(h.value)
                .bind(h.upper)
                .bind(&h.unit)
                .bind(h.level.map(AdminLevel::as_str))
                .bind(&h.subject)
                .bind(i64::from(h.sub_target))
                .execute(&mut **tx)
                .await?;
            }
        }
        for (i, t) in a.tasks.iter().enumerate() {
            sqlx::query(
                "INSERT INTO tasks (plan_version_id, area_code, position, text, first_line, last_line) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(version_id)
            .bind(a.code.as_str())
            .bind(i as i64)
            .bind(&t.text)
            .bind(i64::from(t.lines.0))
            .bind(i64::from(t.lines.1))
            .execute(&mut **tx)
            .await?;
        }
        for (i, act) in a.activities.iter().enumerate() {
            write_activity(tx, version_id, a.code, i, act).await?;
        }
    }
    for (i, p) in plan.reporting_periods.iter().enumerate() {
        sqlx::query(
            "INSERT INTO reporting_periods (plan_version_id, period_id, position, name, data_from, data_to, due, line)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(version_id)
        .bind(p.id.to_string())
        .bind(i as i64)
        .bind(&p.name)
        .bind(p.data_from.iso())
        .bind(p.data_to.iso())
        .bind(p.due.iso())
        .bind(i64::from(p.line))
        .execute(&mut **tx)
        .await?;
    }
    for (i, d) in diagnostics.iter().enumerate() {
        sqlx::query(
            "INSERT INTO import_diagnostics (plan_version_id, position, line, severity, message) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(version_id)
        .bind(i as i64)
        .bind(i64::from(d.line))
        .bind(d.severity.as_str())
        .bind(&d.message)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn write_activity(
    tx: &mut Transaction<'_, Sqlite>,
    version_id: i64,
    code: AreaCode,
    position: usize,
    act: &Activity,
) -> Result<(), StoreError> {
    let activity_id: i64 = sqlx::query(
        "INSERT INTO activities (plan_version_id, area_code, position, number, title, note, schedule_text, schedule_kind, first_line, last_line)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(version_id)
    .bind(code.as_str())
    .bind(position as i64)
    .bind(&act.number)
    .bind(&act.title)
    .bind(&act.note)
    .bind(&act.schedule.text)
    .bind(act.schedule.kind().as_str())
    .bind(i64::from(act.lines.0))
    .bind(i64::from(act.lines.1))
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    for (i, text) in act.outputs.iter().enumerate() {
        sqlx::query("INSERT INTO activity_outputs (activity_id, position, text) VALUES ($1, $2, $3)")
            .bind(activity_id)
            .bind(i as i64)
            .bind(text)
            .execute(&mut **tx)
            .await?;
    }
    for (role, refs) in [("lead", &act.lead), ("partner", &act.partners)] {
        for (i, r) in refs.iter().enumerate() {
            let ref_id: i64 = sqlx::query(
                "INSERT INTO activity_refs (activity_id, role, position, text) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(activity_id)
            .bind(role)
            .bind(i as i64)
            .bind(&r.text)
            .fetch_one(&mut **tx)
            .await?
            .try_get("id")?;
            for (j, agency) in r.agencies.iter().enumerate() {
                sqlx::query("INSERT INTO activity_ref_agencies (ref_id, position, agency_id) VALUES ($1, $2, $3)")
                    .bind(ref_id)
                    .bind(j as i64)
                    .bind(agency.as_str())
                    .execute(&mut **tx)
                    .await?;
            }
            for (j, group) in r.groups.iter().enumerate() {
                sqlx::query("INSERT INTO activity_ref_groups (ref_id, position, group_id) VALUES ($1, $2, $3)")
                    .bind(ref_id)
                    .bind(j as i64)
                    .bind(group.as_str())
                    .execute(&mut **tx)
                    .await?;
            }
        }
    }
    for (i, item) in act.schedule.items.iter().enumerate() {
        let mut row = ItemRow { kind: "unparsed", ..ItemRow::default() };
        let mut item_dues: Vec<(Option<String>, Date)> = Vec::new();
        match &item.when {
            When::Fixed { due, precision } => {
                row.kind = "fixed";
                row.due = Some(due.iso());
                row.precision = Some(precision.as_str());
            }
            When::Ongoing => row.kind = "ongoing",
            When::Periodic { periods } => {
                row.kind = "periodic";
                item_dues = periods.iter().map(|p| (Some(p.period.to_string()), p.due)).collect();
            }
            When::TimesPerYear { count, dues } => {
                row.kind = "times_per_year";
                row.count = Some(i64::from(*count));
                item_dues = dues.iter().map(|d| (None, *d)).collect();
            }
            When::Relative { working_days, trigger } => {
                row.kind = "relative";
                row.working_days = Some(i64::from(*working_days));
                row.trigger = Some(trigger.clone());
            }
            When::Event { trigger, offset } => {
                row.kind = "event";
                row.trigger = Some(trigger.clone());
                if let Some(offset) = offset {
                    let (kind, value) = match offset {
                        Offset::Days(n) => ("days", n),
                        Offset::WorkingDays(n) => ("working_days", n),
                        Offset::Months(n) => ("months", n),
                    };
                    row.offset_kind = Some(kind);
                    row.offset_value = Some(i64::from(*value));
                }
            }
            When::Unparsed => row.kind = "unparsed",
        }
        let item_id: i64 = sqlx::query(
            "INSERT INTO schedule_items (activity_id, position, label, kind, due, precision, count, working_days,
                trigger_text, offset_kind, offset_value, condition_text, text)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(activity_id)
        .bind(i as i64)
        .bind(&item.label)
        .bind(row.kind)
        .bind(row.due)
        .bind(row.precision)
        .bind(row.count)
        .bind(row.working_days)
        .bind(row.trigger)
        .bind(row.offset_kind)
        .bind(row.offset_value)
        .bind(&item.condition)
        .bind(&item.text)
        .fetch_one(&mut **tx)
        .await?
        .try_get("id")?;
        for (j, (period, due)) in item_dues.iter().enumerate() {
            sqlx::query("INSERT INTO schedule_item_dues (item_id, position, period_id, due) VALUES ($1, $2, $3, $4)")
                .bind(item_id)
                .bind(j as i64)
                .bind(period)
                .bind(due.iso())
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// Column values of a schedule item row.
#[derive(Default)]
struct ItemRow {
    kind: &'static str,
    due: Option<String>,
    precision: Option<&'static str>,
    count: Option<i64>,
    working_days: Option<i64>,
    trigger: Option<String>,
    offset_kind: Option<&'static str>,
    offset_value: Option<i64>,
}

fn when_from_row(row: &SqliteRow, dues: Vec<(Option<String>, String)>) -> Result<When, StoreError> {
    let kind: String = row.try_get("kind")?;
    let trigger =
        || -> Result<String, StoreError> { Ok(row.try_get::<Option<String>, _>("trigger_text")?.unwrap_or_default()) };
    let number = |column: &str| -> Result<u32, StoreError> {
        let value: Option<i64> = row.try_get(column)?;
        u32_of(value.unwrap_or(0))
    };
    Ok(match kind.as_str() {
        "fixed" => {
            let due: Option<String> = row.try_get("due")?;
            let precision: Option<String> = row.try_get("precision")?;
            let precision = precision.unwrap_or_default();
            When::Fixed {
                due: date(due.as_deref().unwrap_or(""))?,
                precision: Precision::parse(&precision).ok_or_else(|| corrupt("precision", &precision))?,
            }
        }
        "ongoing" => When::Ongoing,
        "periodic" => When::Periodic {
            periods: dues
                .iter()
                .map(|(p, d)| {
                    let p = p.as_deref().unwrap_or("");
                    Ok(PeriodDue { period: PeriodId::parse(p).ok_or_else(|| corrupt("period id", p))?, due: date(d)? })
                })
                .collect::<Result<_, StoreError>>()?,
        },
        "times_per_year" => When::TimesPerYear {
            count: number("count")?,
            dues: dues.iter().map(|(_, d)| date(d)).collect::<Result<_, _>>()?,
        },
        "relative" => When::Relative { working_days: number("working_days")?, trigger: trigger()? },
        "event" => {
            let offset_kind: Option<String> = row.try_get("offset_kind")?;
            let value = number("offset_value")?;
            let offset = match offset_kind.as_deref() {
                None => None,
                Some("days") => Some(Offset::Days(value)),
                Some("working_days") => Some(Offset::WorkingDays(value)),
                Some("months") => Some(Offset::Months(value)),
                Some(other) => return Err(corrupt("offset kind", other)),
            };
            When::Event { trigger: trigger()?, offset }
        }
        "unparsed" => When::Unparsed,
        other => return Err(corrupt("schedule item kind", other)),
    })
}

fn area(code: &str) -> Result<AreaCode, StoreError> {
    AreaCode::parse(code).ok_or_else(|| corrupt("area code", code))
}

fn area_mut(plan: &mut Plan, code: AreaCode) -> Result<&mut cchc_domain::Area, StoreError> {
    plan.areas.iter_mut().find(|a| a.code == code).ok_or_else(|| corrupt("area code", code.as_str()))
}

fn date(text: &str) -> Result<Date, StoreError> {
    Date::parse(text).map_err(|_| corrupt("date", text))
}

fn opt_date(text: Option<String>) -> Result<Option<Date>, StoreError> {
    text.as_deref().map(date).transpose()
}

fn u32_of(value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| corrupt("line number", &value.to_string()))
}

fn lines(row: &SqliteRow) -> Result<(u32, u32), StoreError> {
    Ok((u32_of(row.try_get("first_line")?)?, u32_of(row.try_get("last_line")?)?))
}
