//! The agency directory, kept as versions of its editable document (JSON text read and written
//! by `cchc-import`): the latest version is in force.

use sqlx::Row;

use crate::{Store, StoreError};

/// One stored version of the directory document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryVersion {
    pub version: i64,
    pub document: String,
    pub note: String,
    pub created_at: String,
}

impl Store {
    /// Stores a new version of the directory document and returns its number.
    pub async fn save_directory_version(
        &self,
        document: &str,
        note: &str,
        created_by: Option<i64>,
        created_at: &str,
    ) -> Result<i64, StoreError> {
        let version: i64 = sqlx::query(
            "INSERT INTO directory_versions (version, document, note, created_by, created_at)
             VALUES ((SELECT COALESCE(MAX(version), 0) + 1 FROM directory_versions), $1, $2, $3, $4)
             RETURNING version",
        )
        .bind(document)
        .bind(note)
        .bind(created_by)
        .bind(created_at)
        .fetch_one(&self.pool)
        .await?
        .try_get("version")?;
        Ok(version)
    }

    /// The directory version in force, if any was stored.
    pub async fn latest_directory_version(&self) -> Result<Option<DirectoryVersion>, StoreError> {
        let row = sqlx::query(
            "SELECT version, document, note, created_at FROM directory_versions ORDER BY version DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(DirectoryVersion {
                version: row.try_get("version")?,
                document: row.try_get("document")?,
                note: row.try_get("note")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .transpose()
    }
}

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("invalid {what}: {value:?}"))
}

pub(crate) fn agency_id(text: &str) -> Result<cchc_domain::AgencyId, StoreError> {
    cchc_domain::AgencyId::parse(text).ok_or_else(|| corrupt("agency id", text))
}
