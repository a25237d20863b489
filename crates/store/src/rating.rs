//! The year-end task-completion rating: overrides (append-only, the latest in force) and stored
//! versions of the rule sets.

use cchc_domain::evaluation::{RatingLevel, RatingOverride};
use cchc_domain::AgencyId;
use sqlx::Row;

use crate::evaluation::Actor;
use crate::{Store, StoreError};

/// One recorded override, with the agency it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideRow {
    pub agency: AgencyId,
    pub value: RatingOverride,
}

/// A stored rule-set document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesVersion {
    pub valid_from_year: i32,
    pub version: i64,
    pub document: String,
    pub note: String,
    pub created_at: String,
}

fn override_of(r: &sqlx::sqlite::SqliteRow) -> Result<OverrideRow, StoreError> {
    let agency: String = r.try_get("agency_id")?;
    let level: String = r.try_get("level")?;
    let by: Option<String> = r.try_get("display_name")?;
    Ok(OverrideRow {
        agency: AgencyId::parse(&agency).ok_or_else(|| StoreError::Corrupt(format!("agency id {agency}")))?,
        value: RatingOverride {
            level: RatingLevel::parse(&level).ok_or_else(|| StoreError::Corrupt(format!("rating level {level}")))?,
            reason: r.try_get("reason")?,
            by: by.unwrap_or_default(),
            at: r.try_get("at")?,
        },
    })
}

const OVERRIDE_SELECT: &str = "SELECT o.agency_id, o.level, o.reason, o.at, u.display_name
     FROM rating_overrides o LEFT JOIN users u ON u.id = o.user_id";

impl Store {
    /// Records an override of the rating of `agency` in `year`.
    pub async fn record_rating_override(
        &self,
        year: i32,
        agency: &AgencyId,
        level: RatingLevel,
        reason: &str,
        actor: Actor<'_>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO rating_overrides (year, agency_id, level, reason, user_id, at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(year)
        .bind(agency.as_str())
        .bind(level.as_str())
        .bind(reason)
        .bind(actor.user.map(|u| u.0))
        .bind(actor.at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every override of a year, oldest first (the last one of an agency is in force).
    pub async fn rating_overrides(&self, year: i32) -> Result<Vec<OverrideRow>, StoreError> {
        let rows = sqlx::query(&format!("{OVERRIDE_SELECT} WHERE o.year = $1 ORDER BY o.id"))
            .bind(year)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(override_of).collect()
    }

    /// Stores a new version of the rule set valid from `valid_from_year`; returns its version.
    pub async fn save_rating_rules(
        &self,
        valid_from_year: i32,
        document: &str,
        note: &str,
        actor: Actor<'_>,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO rating_rules (valid_from_year, version, document, note, created_by, created_at)
             VALUES ($1, (SELECT COALESCE(MAX(version), 0) + 1 FROM rating_rules WHERE valid_from_year = $1),
                     $2, $3, $4, $5)
             RETURNING version",
        )
        .bind(valid_from_year)
        .bind(document)
        .bind(note)
        .bind(actor.user.map(|u| u.0))
        .bind(actor.at)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("version")?)
    }

    /// The latest stored version of every rule set, by `valid_from_year`.
    pub async fn latest_rating_rules(&self) -> Result<Vec<RulesVersion>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.valid_from_year, r.version, r.document, r.note, r.created_at FROM rating_rules r
              WHERE r.version = (SELECT MAX(x.version) FROM rating_rules x WHERE x.valid_from_year = r.valid_from_year)
              ORDER BY r.valid_from_year",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RulesVersion {
                    valid_from_year: r.try_get("valid_from_year")?,
                    version: r.try_get("version")?,
                    document: r.try_get("document")?,
                    note: r.try_get("note")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }
}
