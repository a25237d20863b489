use std::collections::BTreeMap;

use cchc_domain::account::UserId;
use cchc_domain::reporting::{IndicatorCode, Part, ReportContent, ReportStatus};
use cchc_domain::{AgencyId, AreaCode, Date, PeriodId};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::directory::{agency_id, corrupt};
use crate::{Store, StoreError};

/// A stored periodic report with its content.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredReport {
    pub id: i64,
    pub agency: AgencyId,
    pub period: PeriodId,
    pub status: ReportStatus,
    pub submitted_on: Option<Date>,
    pub late: bool,
    pub returned_reason: Option<String>,
    pub updated_at: String,
    pub content: ReportContent,
}

/// One entry of a report's workflow history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportEvent {
    pub kind: String,
    pub reason: String,
    pub user: Option<String>,
    pub at: String,
}

/// One change of a reported value.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueChange {
    pub indicator: String,
    pub part: Part,
    pub old_value: Option<f64>,
    pub new_value: Option<f64>,
    pub user: Option<String>,
    pub at: String,
}

/// A workflow step to apply atomically.
#[derive(Debug, Clone)]
pub struct Transition<'a> {
    /// The step happens only if the report is in one of these states.
    pub from: &'a [ReportStatus],
    pub to: ReportStatus,
    /// Event kind for the history ("submitted", "returned", "accepted", "reopened").
    pub kind: &'a str,
    pub reason: &'a str,
    /// Set on first submission.
    pub submitted_on: Option<Date>,
    pub late: Option<bool>,
    pub user: Option<UserId>,
    pub at: &'a str,
}

fn part_str(part: Part) -> &'static str {
    match part {
        Part::Numerator => "numerator",
        Part::Denominator => "denominator",
    }
}

fn part_of(text: &str) -> Result<Part, StoreError> {
    match text {
        "numerator" => Ok(Part::Numerator),
        "denominator" => Ok(Part::Denominator),
        other => Err(corrupt("value part", other)),
    }
}

fn status_of(text: &str) -> Result<ReportStatus, StoreError> {
    [ReportStatus::Draft, ReportStatus::Submitted, ReportStatus::Returned, ReportStatus::Accepted]
        .into_iter()
        .find(|s| s.as_str() == text)
        .ok_or_else(|| corrupt("report status", text))
}

impl Store {
    /// The report of an agency for a period, if one was started.
    pub async fn report(
        &self,
        version_id: i64,
        agency: &AgencyId,
        period: PeriodId,
    ) -> Result<Option<StoredReport>, StoreError> {
        let row = sqlx::query("SELECT * FROM reports WHERE plan_version_id = $1 AND agency_id = $2 AND period_id = $3")
            .bind(version_id)
            .bind(agency.as_str())
            .bind(period.to_string())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(Some(self.report_from_row(&row).await?)),
            None => Ok(None),
        }
    }

    /// Every report of a period (all agencies), with content.
    pub async fn reports_for_period(&self, version_id: i64, period: PeriodId) -> Result<Vec<StoredReport>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM reports WHERE plan_version_id = $1 AND period_id = $2 ORDER BY agency_id")
                .bind(version_id)
                .bind(period.to_string())
                .fetch_all(&self.pool)
                .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(self.report_from_row(row).await?);
        }
        Ok(out)
    }

    async fn report_from_row(&self, row: &SqliteRow) -> Result<StoredReport, StoreError> {
        let id: i64 = row.try_get("id")?;
        let period: String = row.try_get("period_id")?;
        let submitted_on: Option<String> = row.try_get("submitted_on")?;
        let mut content = ReportContent::default();
        for v in sqlx::query("SELECT indicator_code, part, value FROM report_values WHERE report_id = $1")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
        {
            let code: String = v.try_get("indicator_code")?;
            let code = IndicatorCode::parse(&code).ok_or_else(|| corrupt("indicator code", &code))?;
            content.values.insert((code, part_of(&v.try_get::<String, _>("part")?)?), v.try_get("value")?);
        }
        for n in sqlx::query("SELECT area_code, text FROM report_narratives WHERE report_id = $1")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
        {
            let code: String = n.try_get("area_code")?;
            content
                .narratives
                .insert(AreaCode::parse(&code).ok_or_else(|| corrupt("area", &code))?, n.try_get("text")?);
        }
        Ok(StoredReport {
            id,
            agency: agency_id(&row.try_get::<String, _>("agency_id")?)?,
            period: PeriodId::parse(&period).ok_or_else(|| corrupt("period", &period))?,
            status: status_of(&row.try_get::<String, _>("status")?)?,
            submitted_on: submitted_on.map(|d| Date::parse(&d).map_err(|_| corrupt("date", &d))).transpose()?,
            late: row.try_get::<i64, _>("late")? != 0,
            returned_reason: row.try_get("returned_reason")?,
            updated_at: row.try_get("updated_at")?,
            content,
        })
    }

    /// Saves a report's values and narratives (creating it as a draft when new), recording every
    /// changed value in the history. Only a draft or returned report can change: otherwise
    /// nothing is written and `Ok(None)` is returned. One transaction.
    pub async fn save_report_content(
        &self,
        version_id: i64,
        agency: &AgencyId,
        period: PeriodId,
        content: &ReportContent,
        user: Option<UserId>,
        at: &str,
    ) -> Result<Option<StoredReport>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO reports (plan_version_id, agency_id, period_id, status, updated_at) VALUES ($1, $2, $3, 'draft', $4)
             ON CONFLICT (plan_version_id, agency_id, period_id) DO NOTHING",
        )
        .bind(version_id)
        .bind(agency.as_str())
        .bind(period.to_string())
        .bind(at)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "UPDATE reports SET updated_at = $1
             WHERE plan_version_id = $2 AND agency_id = $3 AND period_id = $4 AND status IN ('draft', 'returned')
             RETURNING id",
        )
        .bind(at)
        .bind(version_id)
        .bind(agency.as_str())
        .bind(period.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(None);
        };
        let id: i64 = row.try_get("id")?;
        let mut old: BTreeMap<(String, String), f64> = BTreeMap::new();
        for v in sqlx::query("SELECT indicator_code, part, value FROM report_values WHERE report_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?
        {
            old.insert((v.try_get("indicator_code")?, v.try_get("part")?), v.try_get("value")?);
        }
        let mut new: BTreeMap<(String, String), f64> = BTreeMap::new();
        for ((code, part), value) in &content.values {
            new.insert((code.as_str().to_string(), part_str(*part).to_string()), *value);
        }
        let keys: std::collections::BTreeSet<&(String, String)> = old.keys().chain(new.keys()).collect();
        for key in keys {
            let (before, after) = (old.get(key).copied(), new.get(key).copied());
            if before == after {
                continue;
            }
            sqlx::query(
                "INSERT INTO report_value_history (report_id, indicator_code, part, old_value, new_value, user_id, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(&key.0)
            .bind(&key.1)
            .bind(before)
            .bind(after)
            .bind(user.map(|u| u.0))
            .bind(at)
            .execute(&mut *tx)
            .await?;
            match after {
                Some(value) => {
                    sqlx::query(
                        "INSERT INTO report_values (report_id, indicator_code, part, value) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (report_id, indicator_code, part) DO UPDATE SET value = excluded.value",
                    )
                    .bind(id)
                    .bind(&key.0)
                    .bind(&key.1)
                    .bind(value)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    sqlx::query("DELETE FROM report_values WHERE report_id = $1 AND indicator_code = $2 AND part = $3")
                        .bind(id)
                        .bind(&key.0)
                        .bind(&key.1)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        sqlx::query("DELETE FROM report_narratives WHERE report_id = $1").bind(id).execute(&mut *tx).await?;
        for (area, text) in &content.narratives {
            sqlx::query("INSERT INTO report_narratives (report_id, area_code, text) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(area.as_str())
                .bind(text)
                .execute(&mut *tx)
                .await?;
        }
        insert_report_event(&mut tx, id, "saved", "", user, at).await?;
        tx.commit().await?;
        self.report(version_id, agency, period).await
    }

    /// Applies a workflow step if the report is in an allowed state; `false` when it was not
    /// (another request won, or the step is not allowed now). Atomic: of two concurrent
    /// submissions exactly one succeeds.
    pub async fn transition_report(&self, report_id: i64, step: &Transition<'_>) -> Result<bool, StoreError> {
        let allowed: Vec<String> = step.from.iter().map(|s| format!("'{}'", s.as_str())).collect();
        let mut tx = self.pool.begin().await?;
        let sql = format!(
            "UPDATE reports SET status = $1, updated_at = $2,
                submitted_on = COALESCE(submitted_on, $3), late = CASE WHEN submitted_on IS NULL THEN COALESCE($4, late) ELSE late END,
                returned_reason = $5
             WHERE id = $6 AND status IN ({})",
            allowed.join(", ")
        );
        let reason = (step.to == ReportStatus::Returned).then_some(step.reason);
        let changed = sqlx::query(&sql)
            .bind(step.to.as_str())
            .bind(step.at)
            .bind(step.submitted_on.map(Date::iso))
            .bind(step.late.map(i64::from))
            .bind(reason)
            .bind(report_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        insert_report_event(&mut tx, report_id, step.kind, step.reason, step.user, step.at).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The workflow history of a report, oldest first.
    pub async fn report_events(&self, report_id: i64) -> Result<Vec<ReportEvent>, StoreError> {
        sqlx::query(
            "SELECT e.kind, e.reason, u.username, e.at FROM report_events e LEFT JOIN users u ON u.id = e.user_id
             WHERE e.report_id = $1 ORDER BY e.id",
        )
        .bind(report_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ReportEvent {
                kind: r.try_get("kind")?,
                reason: r.try_get("reason")?,
                user: r.try_get("username")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
    }

    /// Every change of a report's values, oldest first.
    pub async fn report_value_history(&self, report_id: i64) -> Result<Vec<ValueChange>, StoreError> {
        sqlx::query(
            "SELECT h.indicator_code, h.part, h.old_value, h.new_value, u.username, h.at FROM report_value_history h
             LEFT JOIN users u ON u.id = h.user_id WHERE h.report_id = $1 ORDER BY h.id",
        )
        .bind(report_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ValueChange {
                indicator: r.try_get("indicator_code")?,
                part: part_of(&r.try_get::<String, _>("part")?)?,
                old_value: r.try_get("old_value")?,
                new_value: r.try_get("new_value")?,
                user: r.try_get("username")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
    }

    /// Stores a new version of the indicator catalogue and rules of a plan version.
    pub async fn save_catalogue(
        &self,
        version_id: i64,
        catalogue_json: &str,
        rules_json: &str,
        note: &str,
        user: Option<UserId>,
        at: &str,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO indicator_catalogues (plan_version_id, version, catalogue_json, rules_json, note, created_by, created_at)
             VALUES ($1, (SELECT COALESCE(MAX(version), 0) + 1 FROM indicator_catalogues WHERE plan_version_id = $1), $2, $3, $4, $5, $6)
             RETURNING version",
        )
        .bind(version_id)
        .bind(catalogue_json)
        .bind(rules_json)
        .bind(note)
        .bind(user.map(|u| u.0))
        .bind(at)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("version")?)
    }

    /// The catalogue in force for a plan version: (version, catalogue JSON, rules JSON).
    pub async fn latest_catalogue(&self, version_id: i64) -> Result<Option<(i64, String, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT version, catalogue_json, rules_json FROM indicator_catalogues WHERE plan_version_id = $1
             ORDER BY version DESC LIMIT 1",
        )
        .bind(version_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get("version")?, r.try_get("catalogue_json")?, r.try_get("rules_json")?))).transpose()
    }
}

async fn insert_report_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    report_id: i64,
    kind: &str,
    reason: &str,
    user: Option<UserId>,
    at: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO report_events (report_id, kind, reason, user_id, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(report_id)
        .bind(kind)
        .bind(reason)
        .bind(user.map(|u| u.0))
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
