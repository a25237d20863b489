//! Stored versions of the SIPAS configuration (the JSON document; parsing is the importer's).

use sqlx::Row;

use crate::{Actor, Store, StoreError};

/// One stored version of a year's SIPAS configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipasConfigVersion {
    pub year: i32,
    pub version: i64,
    pub document: String,
    pub note: String,
    pub created_at: String,
}

impl Store {
    /// Stores a new version of the SIPAS configuration of `year`; returns its version number.
    pub async fn save_sipas_config(
        &self,
        year: i32,
        document: &str,
        note: &str,
        actor: Actor<'_>,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO sipas_configs (year, version, document, note, created_by, created_at)
             VALUES ($1, (SELECT COALESCE(MAX(version), 0) + 1 FROM sipas_configs WHERE year = $1), $2, $3, $4, $5)
             RETURNING version",
        )
        .bind(year)
        .bind(document)
        .bind(note)
        .bind(actor.user.map(|u| u.0))
        .bind(actor.at)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("version")?)
    }

    /// The configuration in force for `year`: the latest version of the latest year not after it.
    pub async fn sipas_config_for(&self, year: i32) -> Result<Option<SipasConfigVersion>, StoreError> {
        let row = sqlx::query(
            "SELECT year, version, document, note, created_at FROM sipas_configs
              WHERE year <= $1 ORDER BY year DESC, version DESC LIMIT 1",
        )
        .bind(year)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SipasConfigVersion {
                year: r.try_get("year")?,
                version: r.try_get("version")?,
                document: r.try_get("document")?,
                note: r.try_get("note")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .transpose()
    }
}
