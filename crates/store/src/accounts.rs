//! Accounts, sessions, the account audit and login failures.

use cchc_domain::account::{AccountAction, AccountEvent, User, UserId, UserRole};
use cchc_domain::Timestamp;
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
    /// Whether the owner is asked to change the password (an administrator chose it).
    pub must_change_password: bool,
}

/// What a login checks: the account, its password hash, and whether the password was set by
/// an administrator.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub must_change_password: bool,
}

/// Failed logins counted for throttling: how many, and when the latest was (RFC 3339).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailureCount {
    pub count: i64,
    pub latest: Option<String>,
}

/// A new password hash for an account, with the audit line that explains it.
#[derive(Debug, Clone)]
pub struct PasswordUpdate<'a> {
    pub target: UserId,
    pub password_hash: &'a str,
    pub must_change_password: bool,
    /// Who did it (the owner, for a change of one's own password).
    pub actor: UserId,
    pub action: AccountAction,
    pub at: &'a str,
    /// A session of the target that stays open (the one changing its own password); every
    /// other session of the target ends.
    pub keep_session: Option<&'a str>,
}

const USER_SELECT: &str = "SELECT id, username, display_name, role, agency_id, active FROM users";

impl Store {
    /// Creates an account and its audit line (`actor` `None`: the system). A taken username is
    /// `Ok(None)` and writes nothing.
    pub async fn create_user(
        &self,
        user: &NewUser<'_>,
        created_at: &str,
        actor: Option<UserId>,
    ) -> Result<Option<User>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let result = sqlx::query(
            "INSERT INTO users (username, display_name, password_hash, role, agency_id, active, created_at,
                                must_change_password)
             VALUES ($1, $2, $3, $4, $5, 1, $6, $7) ON CONFLICT (username) DO NOTHING RETURNING id",
        )
        .bind(user.username)
        .bind(user.display_name)
        .bind(user.password_hash)
        .bind(user.role.as_str())
        .bind(user.agency.map(|a| a.as_str()))
        .bind(created_at)
        .bind(i64::from(user.must_change_password))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = result else { return Ok(None) };
        let id: i64 = row.try_get("id")?;
        insert_event(&mut tx, created_at, actor, UserId(id), AccountAction::Created).await?;
        tx.commit().await?;
        self.user(UserId(id)).await
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

    /// An account by username.
    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(&format!("{USER_SELECT} WHERE username = $1"))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// What a login checks, by username.
    pub async fn credentials(&self, username: &str) -> Result<Option<Credentials>, StoreError> {
        let row = sqlx::query(
            "SELECT id, username, display_name, role, agency_id, active, password_hash, must_change_password
             FROM users WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Credentials {
                user: user_from_row(&r)?,
                password_hash: r.try_get("password_hash")?,
                must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
            })
        })
        .transpose()
    }

    /// Activates or deactivates an account with its audit line; deactivation ends every session
    /// of the account in the same transaction. `false` when the account was already so (nothing
    /// written).
    pub async fn set_user_active(
        &self,
        target: UserId,
        active: bool,
        actor: UserId,
        at: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query("UPDATE users SET active = $1 WHERE id = $2 AND active <> $1")
            .bind(i64::from(active))
            .bind(target.0)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        if !changed {
            return Ok(false);
        }
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(target.0).execute(&mut *tx).await?;
        }
        let action = if active { AccountAction::Reactivated } else { AccountAction::Deactivated };
        insert_event(&mut tx, at, Some(actor), target, action).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Replaces an account's password hash, ends its other sessions and writes the audit line,
    /// in one transaction.
    pub async fn update_password(&self, update: &PasswordUpdate<'_>) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3")
            .bind(update.password_hash)
            .bind(i64::from(update.must_change_password))
            .bind(update.target.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(update.target.0)
            .bind(update.keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        insert_event(&mut tx, update.at, Some(update.actor), update.target, update.action).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The latest `limit` lines of the account audit, newest first.
    pub async fn account_events(&self, limit: i64) -> Result<Vec<AccountEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.at, a.username AS actor, t.username AS target, e.action
             FROM account_events e JOIN users t ON t.id = e.target_id LEFT JOIN users a ON a.id = e.actor_id
             ORDER BY e.id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let at: String = row.try_get("at")?;
                let action: String = row.try_get("action")?;
                Ok(AccountEvent {
                    at: Timestamp::parse_rfc3339(&at).ok_or_else(|| corrupt("account event time", &at))?,
                    actor: row.try_get("actor")?,
                    target: row.try_get("target")?,
                    action: AccountAction::parse(&action).ok_or_else(|| corrupt("account action", &action))?,
                })
            })
            .collect()
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

    /// Records a failed login and forgets failures older than `forget_before` (every
    /// timestamp is RFC 3339 UTC, compared as text).
    pub async fn record_login_failure(
        &self,
        username: &str,
        client: &str,
        at: &str,
        forget_before: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(forget_before).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO login_failures (username, client, at) VALUES ($1, $2, $3)")
            .bind(username)
            .bind(client)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Failed logins for this username from this client since `since`.
    pub async fn login_failures(&self, username: &str, client: &str, since: &str) -> Result<FailureCount, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MAX(at) AS latest FROM login_failures
             WHERE username = $1 AND client = $2 AND at > $3",
        )
        .bind(username)
        .bind(client)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(FailureCount { count: row.try_get("n")?, latest: row.try_get("latest")? })
    }

    /// Failed logins from this client, whatever the username, since `since`.
    pub async fn client_login_failures(&self, client: &str, since: &str) -> Result<FailureCount, StoreError> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n, MAX(at) AS latest FROM login_failures WHERE client = $1 AND at > $2")
                .bind(client)
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
        Ok(FailureCount { count: row.try_get("n")?, latest: row.try_get("latest")? })
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

async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    at: &str,
    actor: Option<UserId>,
    target: UserId,
    action: AccountAction,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO account_events (at, actor_id, target_id, action) VALUES ($1, $2, $3, $4)")
        .bind(at)
        .bind(actor.map(|a| a.0))
        .bind(target.0)
        .bind(action.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
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
