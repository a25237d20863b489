//! Accounts, sessions (token hashes only) and login failures.

use cchc_domain::account::{User, UserId, UserRole};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::directory::{agency_id, corrupt};
use crate::{Store, StoreError};

/// A new account; the password is already hashed by the caller.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: UserRole,
    pub agency: Option<&'a cchc_domain::AgencyId>,
}

const USER_SELECT: &str = "SELECT id, username, display_name, role, agency_id, active FROM users";

impl Store {
    /// Creates an account. A taken username is `Ok(None)`.
    pub async fn create_user(&self, user: &NewUser<'_>, created_at: &str) -> Result<Option<User>, StoreError> {
        let result = sqlx::query(
            "INSERT INTO users (username, display_name, password_hash, role, agency_id, active, created_at)
             VALUES ($1, $2, $3, $4, $5, 1, $6) ON CONFLICT (username) DO NOTHING RETURNING id",
        )
        .bind(user.username)
        .bind(user.display_name)
        .bind(user.password_hash)
        .bind(user.role.as_str())
        .bind(user.agency.map(|a| a.as_str()))
        .bind(created_at)
        .fetch_optional(&self.pool)
        .await?;
        match result {
            Some(row) => self.user(UserId(row.try_get("id")?)).await,
            None => Ok(None),
        }
    }

    pub async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(&format!("{USER_SELECT} WHERE id = $1")).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// An account and its password hash, by username.
    pub async fn user_with_hash(&self, username: &str) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT id, username, display_name, role, agency_id, active, password_hash FROM users WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((user_from_row(&r)?, r.try_get("password_hash")?))).transpose()
    }

    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        sqlx::query(&format!("{USER_SELECT} ORDER BY username"))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(user_from_row)
            .collect()
    }

    pub async fn user_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&self.pool).await?.try_get("n")?)
    }

    pub async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores a session (by the hash of its token).
    pub async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        csrf_token: &str,
        created_at: &str,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(csrf_token)
        .bind(created_at)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The user and CSRF token of a live session. `now` is RFC 3339 UTC, compared as text.
    pub async fn session(&self, token_hash: &str, now: &str) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.agency_id, u.active, s.csrf_token
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((user_from_row(&r)?, r.try_get("csrf_token")?))).transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn record_login_failure(&self, username: &str, client: &str, at: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO login_failures (username, client, at) VALUES ($1, $2, $3)")
            .bind(username)
            .bind(client)
            .bind(at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Failed logins for this username from this client since `since`.
    pub async fn login_failures(&self, username: &str, client: &str, since: &str) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM login_failures WHERE username = $1 AND client = $2 AND at > $3")
            .bind(username)
            .bind(client)
            .bind(since)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    pub async fn clear_login_failures(&self, username: &str, client: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE username = $1 AND client = $2")
            .bind(username)
            .bind(client)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

fn user_from_row(row: &SqliteRow) -> Result<User, StoreError> {
    let role: String = row.try_get("role")?;
    let agency: Option<String> = row.try_get("agency_id")?;
    Ok(User {
        id: UserId(row.try_get("id")?),
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: UserRole::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        agency: agency.as_deref().map(agency_id).transpose()?,
        active: row.try_get::<i64, _>("active")? != 0,
    })
}
