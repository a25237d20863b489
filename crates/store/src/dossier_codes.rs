//! The mapping of other `DonViXuLy` codes to directory agencies (the dossier analytics').

use sqlx::Row;

use crate::{Actor, Store, StoreError};

impl Store {
    /// Every mapped code with its agency id, by code.
    pub async fn dossier_agency_codes(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows =
            sqlx::query("SELECT code, agency_id FROM dossier_agency_codes ORDER BY code").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get("code")?, r.try_get("agency_id")?))).collect()
    }

    /// Maps `code` to `agency_id`, replacing an earlier mapping of the code.
    pub async fn set_dossier_agency_code(
        &self,
        code: &str,
        agency_id: &str,
        actor: Actor<'_>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO dossier_agency_codes (code, agency_id, updated_by, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (code) DO UPDATE SET agency_id = excluded.agency_id, updated_by = excluded.updated_by,
             updated_at = excluded.updated_at",
        )
        .bind(code)
        .bind(agency_id)
        .bind(actor.user.map(|u| u.0))
        .bind(actor.at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes the mapping of `code`; whether there was one.
    pub async fn remove_dossier_agency_code(&self, code: &str) -> Result<bool, StoreError> {
        let done =
            sqlx::query("DELETE FROM dossier_agency_codes WHERE code = $1").bind(code).execute(&self.pool).await?;
        Ok(done.rows_affected() > 0)
    }
}
