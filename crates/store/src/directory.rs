//! The agency directory: agencies, groups and their members, saved and loaded.

use std::collections::HashMap;

use cchc_domain::{AdminLevel, Agency, AgencyDirectory, AgencyGroup, AgencyId, AgencyKind, GroupId};
use sqlx::Row;

use crate::{Store, StoreError};

impl Store {
    /// Replaces the stored agency directory with `directory` (in one transaction).
    pub async fn save_directory(&self, directory: &AgencyDirectory) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for table in [
            "agency_group_members",
            "agency_group_kinds",
            "agency_group_aliases",
            "agency_groups",
            "agency_aliases",
            "agencies",
        ] {
            sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *tx).await?;
        }
        for (position, agency) in directory.agencies.iter().enumerate() {
            sqlx::query(
                "INSERT INTO agencies (id, name, kind, level, parent_id, gso_code, position) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(agency.id.as_str())
            .bind(&agency.name)
            .bind(agency.kind.as_str())
            .bind(agency.level.as_str())
            .bind(agency.parent.as_ref().map(AgencyId::as_str))
            .bind(agency.gso_code.map(i64::from))
            .bind(position as i64)
            .execute(&mut *tx)
            .await?;
            for (i, alias) in agency.aliases.iter().enumerate() {
                sqlx::query("INSERT INTO agency_aliases (agency_id, position, alias) VALUES ($1, $2, $3)")
                    .bind(agency.id.as_str())
                    .bind(i as i64)
                    .bind(alias)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for (position, group) in directory.groups.iter().enumerate() {
            sqlx::query("INSERT INTO agency_groups (id, name, position) VALUES ($1, $2, $3)")
                .bind(group.id.as_str())
                .bind(&group.name)
                .bind(position as i64)
                .execute(&mut *tx)
                .await?;
            for (i, alias) in group.aliases.iter().enumerate() {
                sqlx::query("INSERT INTO agency_group_aliases (group_id, position, alias) VALUES ($1, $2, $3)")
                    .bind(group.id.as_str())
                    .bind(i as i64)
                    .bind(alias)
                    .execute(&mut *tx)
                    .await?;
            }
            for (i, kind) in group.kinds.iter().enumerate() {
                sqlx::query("INSERT INTO agency_group_kinds (group_id, position, kind) VALUES ($1, $2, $3)")
                    .bind(group.id.as_str())
                    .bind(i as i64)
                    .bind(kind.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            for (i, member) in group.members.iter().enumerate() {
                sqlx::query("INSERT INTO agency_group_members (group_id, position, agency_id) VALUES ($1, $2, $3)")
                    .bind(group.id.as_str())
                    .bind(i as i64)
                    .bind(member.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The stored agency directory, in its saved order.
    pub async fn load_directory(&self) -> Result<AgencyDirectory, StoreError> {
        let mut directory = AgencyDirectory::default();
        let rows = sqlx::query("SELECT id, name, kind, level, parent_id, gso_code FROM agencies ORDER BY position")
            .fetch_all(&self.pool)
            .await?;
        let alias_rows = sqlx::query("SELECT agency_id, alias FROM agency_aliases ORDER BY agency_id, position")
            .fetch_all(&self.pool)
            .await?;
        let mut aliases_by_agency: HashMap<String, Vec<String>> = HashMap::new();
        for row in alias_rows {
            aliases_by_agency.entry(row.try_get("agency_id")?).or_default().push(row.try_get("alias")?);
        }
        for row in rows {
            let id: String = row.try_get("id")?;
            let kind: String = row.try_get("kind")?;
            let level: String = row.try_get("level")?;
            let parent: Option<String> = row.try_get("parent_id")?;
            let gso: Option<i64> = row.try_get("gso_code")?;
            let aliases = aliases_by_agency.remove(&id).unwrap_or_default();
            directory.agencies.push(Agency {
                id: agency_id(&id)?,
                name: row.try_get("name")?,
                aliases,
                kind: AgencyKind::parse(&kind).ok_or_else(|| corrupt("agency kind", &kind))?,
                level: AdminLevel::parse(&level).ok_or_else(|| corrupt("agency level", &level))?,
                parent: parent.as_deref().map(agency_id).transpose()?,
                gso_code: gso.and_then(|g| u32::try_from(g).ok()),
            });
        }
        let groups = sqlx::query("SELECT id, name FROM agency_groups ORDER BY position").fetch_all(&self.pool).await?;
        for row in groups {
            let id: String = row.try_get("id")?;
            let aliases = sqlx::query("SELECT alias FROM agency_group_aliases WHERE group_id = $1 ORDER BY position")
                .bind(&id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>("alias"))
                .collect::<Result<Vec<_>, _>>()?;
            let kinds = sqlx::query("SELECT kind FROM agency_group_kinds WHERE group_id = $1 ORDER BY position")
                .bind(&id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| {
                    let k: String = r.try_get("kind")?;
                    AgencyKind::parse(&k).ok_or_else(|| corrupt("group kind", &k))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let members =
                sqlx::query("SELECT agency_id FROM agency_group_members WHERE group_id = $1 ORDER BY position")
                    .bind(&id)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| agency_id(&r.try_get::<String, _>("agency_id")?))
                    .collect::<Result<Vec<_>, _>>()?;
            directory.groups.push(AgencyGroup {
                id: GroupId::parse(&id).ok_or_else(|| corrupt("group id", &id))?,
                name: row.try_get("name")?,
                aliases,
                kinds,
                members,
            });
        }
        Ok(directory)
    }
}

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("invalid {what}: {value:?}"))
}

pub(crate) fn agency_id(text: &str) -> Result<AgencyId, StoreError> {
    AgencyId::parse(text).ok_or_else(|| corrupt("agency id", text))
}
