//! Periodic reports: values, «không áp dụng» answers and narratives with their history, the
//! workflow (atomic transitions, receipt dates), deadline extensions, the indicator catalogue
//! versions and the document settings.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cchc_domain::account::UserId;
use cchc_domain::reporting::{
    Extension, IndicatorCode, Part, Receipt, Report, ReportContent, ReportEvent, ReportEventKind, ReportStatus,
    Transition, ValueChange,
};
use cchc_domain::{AgencyId, AreaCode, Date, PeriodId};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::directory::{agency_id, corrupt};
use crate::{Store, StoreError};

fn status_of(text: &str) -> Result<ReportStatus, StoreError> {
    ReportStatus::parse(text).ok_or_else(|| corrupt("report status", text))
}

fn date_of(text: &str) -> Result<Date, StoreError> {
    Date::parse(text).map_err(|_| corrupt("date", text))
}

fn code_of(text: &str) -> Result<IndicatorCode, StoreError> {
    IndicatorCode::parse(text).ok_or_else(|| corrupt("indicator code", text))
}

/// Which reports a bulk read covers: a SQL condition on `reports` (aliased `r`) and its binds.
enum Scope<'a> {
    One(i64),
    Period(i64, PeriodId),
    Agency(i64, &'a AgencyId),
}

impl Scope<'_> {
    fn condition(&self) -> &'static str {
        match self {
            Scope::One(_) => "r.id = $1",
            Scope::Period(..) => "r.plan_version_id = $1 AND r.period_id = $2",
            Scope::Agency(..) => "r.plan_version_id = $1 AND r.agency_id = $2",
        }
    }

    fn bind<'q>(
        &self,
        query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
        match self {
            Scope::One(id) => query.bind(*id),
            Scope::Period(version, period) => query.bind(*version).bind(period.to_string()),
            Scope::Agency(version, agency) => query.bind(*version).bind(agency.as_str().to_string()),
        }
    }
}

fn report_from_row(row: &SqliteRow) -> Result<Report, StoreError> {
    let period: String = row.try_get("period_id")?;
    let submitted_on: Option<String> = row.try_get("submitted_on")?;
    let received_on: Option<String> = row.try_get("received_on")?;
    let received_reason: Option<String> = row.try_get("received_reason")?;
    let receipt = match received_on {
        Some(day) => Some(Receipt { date: date_of(&day)?, reason: received_reason.unwrap_or_default() }),
        None => None,
    };
    Ok(Report {
        id: row.try_get("id")?,
        agency: agency_id(&row.try_get::<String, _>("agency_id")?)?,
        period: PeriodId::parse(&period).ok_or_else(|| corrupt("period", &period))?,
        status: status_of(&row.try_get::<String, _>("status")?)?,
        submitted_on: submitted_on.map(|d| date_of(&d)).transpose()?,
        receipt,
        returned_reason: row.try_get("returned_reason")?,
        updated_at: row.try_get("updated_at")?,
        content: ReportContent::default(),
    })
}

impl Store {
    /// Reports of a scope with their content, in four queries whatever their number.
    async fn load_reports(&self, scope: Scope<'_>) -> Result<Vec<Report>, StoreError> {
        let condition = scope.condition();
        let sql = format!("SELECT r.* FROM reports r WHERE {condition} ORDER BY r.agency_id, r.period_id");
        let rows = scope.bind(sqlx::query(&sql)).fetch_all(&self.pool).await?;
        let mut reports = rows.iter().map(report_from_row).collect::<Result<Vec<_>, _>>()?;
        if reports.is_empty() {
            return Ok(reports);
        }
        let index: HashMap<i64, usize> = reports.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        let sql = format!(
            "SELECT v.report_id, v.indicator_code, v.part, v.value FROM report_values v \
             JOIN reports r ON r.id = v.report_id WHERE {condition}"
        );
        for row in scope.bind(sqlx::query(&sql)).fetch_all(&self.pool).await? {
            let Some(&i) = index.get(&row.try_get::<i64, _>("report_id")?) else { continue };
            let code = code_of(&row.try_get::<String, _>("indicator_code")?)?;
            let part: String = row.try_get("part")?;
            let part = Part::parse(&part).ok_or_else(|| corrupt("value part", &part))?;
            reports[i].content.values.insert((code, part), row.try_get("value")?);
        }
        let sql = format!(
            "SELECT n.report_id, n.indicator_code, n.reason FROM report_not_applicable n \
             JOIN reports r ON r.id = n.report_id WHERE {condition}"
        );
        for row in scope.bind(sqlx::query(&sql)).fetch_all(&self.pool).await? {
            let Some(&i) = index.get(&row.try_get::<i64, _>("report_id")?) else { continue };
            let code = code_of(&row.try_get::<String, _>("indicator_code")?)?;
            reports[i].content.not_applicable.insert(code, row.try_get("reason")?);
        }
        let sql = format!(
            "SELECT t.report_id, t.area_code, t.text FROM report_narratives t \
             JOIN reports r ON r.id = t.report_id WHERE {condition}"
        );
        for row in scope.bind(sqlx::query(&sql)).fetch_all(&self.pool).await? {
            let Some(&i) = index.get(&row.try_get::<i64, _>("report_id")?) else { continue };
            let area: String = row.try_get("area_code")?;
            let area = AreaCode::parse(&area).ok_or_else(|| corrupt("area", &area))?;
            reports[i].content.narratives.insert(area, row.try_get("text")?);
        }
        Ok(reports)
    }

    /// The report of an agency for a period, if one was started.
    pub async fn report(
        &self,
        version_id: i64,
        agency: &AgencyId,
        period: PeriodId,
    ) -> Result<Option<Report>, StoreError> {
        let row =
            sqlx::query("SELECT id FROM reports WHERE plan_version_id = $1 AND agency_id = $2 AND period_id = $3")
                .bind(version_id)
                .bind(agency.as_str())
                .bind(period.to_string())
                .fetch_optional(&self.pool)
                .await?;
        match row {
            Some(row) => Ok(self.load_reports(Scope::One(row.try_get("id")?)).await?.into_iter().next()),
            None => Ok(None),
        }
    }

    /// Every report of a period (all agencies), with content.
    pub async fn reports_for_period(&self, version_id: i64, period: PeriodId) -> Result<Vec<Report>, StoreError> {
        self.load_reports(Scope::Period(version_id, period)).await
    }

    /// Every report of an agency (all periods), with content.
    pub async fn reports_of_agency(&self, version_id: i64, agency: &AgencyId) -> Result<Vec<Report>, StoreError> {
        self.load_reports(Scope::Agency(version_id, agency)).await
    }

    /// Saves a report's values, «không áp dụng» answers and narratives (creating it as a draft
    /// when new), recording every changed value in the history. Only a draft or returned report
    /// can change: otherwise nothing is written and `Ok(None)` is returned. One transaction.
    pub async fn save_report_content(
        &self,
        version_id: i64,
        agency: &AgencyId,
        period: PeriodId,
        content: &ReportContent,
        user: Option<UserId>,
        at: &str,
    ) -> Result<Option<Report>, StoreError> {
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
            new.insert((code.as_str().to_string(), part.as_str().to_string()), *value);
        }
        let keys: BTreeSet<&(String, String)> = old.keys().chain(new.keys()).collect();
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
        sqlx::query("DELETE FROM report_not_applicable WHERE report_id = $1").bind(id).execute(&mut *tx).await?;
        for (code, reason) in &content.not_applicable {
            sqlx::query("INSERT INTO report_not_applicable (report_id, indicator_code, reason) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(code.as_str())
                .bind(reason)
                .execute(&mut *tx)
                .await?;
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
        insert_report_event(&mut tx, id, ReportEventKind::Saved, "", user, at).await?;
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
            "UPDATE reports SET status = $1, updated_at = $2, submitted_on = COALESCE(submitted_on, $3),
                returned_reason = $4
             WHERE id = $5 AND status IN ({})",
            allowed.join(", ")
        );
        let reason = (step.to == ReportStatus::Returned).then_some(step.reason);
        let changed = sqlx::query(&sql)
            .bind(step.to.as_str())
            .bind(step.at)
            .bind(step.submitted_on.map(Date::iso))
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

    /// Records the day a report was received (paper, e-mail) with the reason, in its history.
    pub async fn record_receipt(
        &self,
        report_id: i64,
        receipt: &Receipt,
        user: Option<UserId>,
        at: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE reports SET received_on = $1, received_reason = $2 WHERE id = $3")
            .bind(receipt.date.iso())
            .bind(&receipt.reason)
            .bind(report_id)
            .execute(&mut *tx)
            .await?;
        let note = format!("ngày nhận {}: {}", receipt.date.vn(), receipt.reason);
        insert_report_event(&mut tx, report_id, ReportEventKind::Received, &note, user, at).await?;
        tx.commit().await?;
        Ok(())
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
            let kind: String = r.try_get("kind")?;
            Ok(ReportEvent {
                kind: ReportEventKind::parse(&kind).ok_or_else(|| corrupt("report event", &kind))?,
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
            let part: String = r.try_get("part")?;
            Ok(ValueChange {
                indicator: code_of(&r.try_get::<String, _>("indicator_code")?)?,
                part: Part::parse(&part).ok_or_else(|| corrupt("value part", &part))?,
                old_value: r.try_get("old_value")?,
                new_value: r.try_get("new_value")?,
                user: r.try_get("username")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
    }

    /// Grants an agency a deadline extension for a period (appended; the latest applies).
    #[allow(clippy::too_many_arguments)]
    pub async fn add_extension(
        &self,
        version_id: i64,
        agency: &AgencyId,
        period: PeriodId,
        until: Date,
        reason: &str,
        user: Option<UserId>,
        at: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO report_extensions (plan_version_id, agency_id, period_id, until_date, reason, user_id, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(version_id)
        .bind(agency.as_str())
        .bind(period.to_string())
        .bind(until.iso())
        .bind(reason)
        .bind(user.map(|u| u.0))
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every extension granted for a period, oldest first (the last one of an agency applies).
    pub async fn extensions(&self, version_id: i64, period: PeriodId) -> Result<Vec<Extension>, StoreError> {
        sqlx::query(
            "SELECT x.agency_id, x.period_id, x.until_date, x.reason, u.username, x.at FROM report_extensions x
             LEFT JOIN users u ON u.id = x.user_id WHERE x.plan_version_id = $1 AND x.period_id = $2 ORDER BY x.id",
        )
        .bind(version_id)
        .bind(period.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let period: String = r.try_get("period_id")?;
            Ok(Extension {
                agency: agency_id(&r.try_get::<String, _>("agency_id")?)?,
                period: PeriodId::parse(&period).ok_or_else(|| corrupt("period", &period))?,
                until: date_of(&r.try_get::<String, _>("until_date")?)?,
                reason: r.try_get("reason")?,
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

    /// A setting's value, when set.
    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(&self.pool).await?;
        row.map(|r| r.try_get("value")).transpose().map_err(StoreError::from)
    }

    /// Sets settings in one transaction.
    pub async fn set_settings(
        &self,
        values: &[(&str, String)],
        user: Option<UserId>,
        at: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for (key, value) in values {
            sqlx::query(
                "INSERT INTO settings (key, value, updated_by, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by,
                 updated_at = excluded.updated_at",
            )
            .bind(*key)
            .bind(value)
            .bind(user.map(|u| u.0))
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

async fn insert_report_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    report_id: i64,
    kind: ReportEventKind,
    reason: &str,
    user: Option<UserId>,
    at: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO report_events (report_id, kind, reason, user_id, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(report_id)
        .bind(kind.as_str())
        .bind(reason)
        .bind(user.map(|u| u.0))
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
