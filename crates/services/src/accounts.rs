//! Accounts, passwords (argon2id), sessions and login throttling.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use cchc_domain::account::{User, UserRole};
use cchc_domain::{AgencyId, Timestamp};
use cchc_store::NewUser;
use sha2::{Digest, Sha256};

use crate::{App, ServiceError};

/// How long a session lasts.
pub const SESSION_SECONDS: i64 = 12 * 3600;
/// Failed attempts allowed per (username, client) within [`THROTTLE_WINDOW_SECONDS`].
pub const MAX_FAILURES: i64 = 5;
pub const THROTTLE_WINDOW_SECONDS: i64 = 15 * 60;

/// A logged-in session: the secret token for the cookie and the CSRF token for forms.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub csrf_token: String,
    pub user: User,
}

/// Why a login was refused. Messages never say which of username or password was wrong.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("tên đăng nhập hoặc mật khẩu không đúng")]
    Invalid,
    #[error("đăng nhập sai quá nhiều lần; hãy thử lại sau 15 phút")]
    Throttled,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// What a new account needs.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: UserRole,
    pub agency: Option<AgencyId>,
    pub password: String,
}

/// Random bytes as lower-case hex.
pub fn random_token(bytes: usize) -> Result<String, ServiceError> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).map_err(|e| ServiceError::Random(e.to_string()))?;
    Ok(buffer.iter().map(|b| format!("{b:02x}")).collect())
}

/// SHA-256 of a session token: the database never holds a usable token.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hash_password(password: &str) -> Result<String, ServiceError> {
    let mut salt_bytes = [0u8; 16];
    getrandom::fill(&mut salt_bytes).map_err(|e| ServiceError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| ServiceError::Random(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Random(e.to_string()))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A hash to verify against when the user does not exist, so that timing does not tell.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("cchc-dummy-password").unwrap_or_default())
}

impl App {
    /// Creates an account after checking its fields. Vietnamese messages for every refusal.
    pub async fn create_account(&self, account: &NewAccount, now: Timestamp) -> Result<User, ServiceError> {
        let mut problems = Vec::new();
        let username = account.username.trim();
        if !(3..=32).contains(&username.len())
            || !username
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
        {
            problems.push(
                "tên đăng nhập phải dài 3–32 ký tự, gồm chữ thường không dấu, số, dấu chấm, gạch dưới hoặc gạch ngang"
                    .to_string(),
            );
        }
        if account.password.chars().count() < 10 {
            problems.push("mật khẩu phải có ít nhất 10 ký tự".to_string());
        }
        match (account.role, &account.agency) {
            (UserRole::Agency, None) => {
                problems.push("tài khoản cán bộ cơ quan phải gắn với một cơ quan (--agency)".into())
            }
            (UserRole::Agency, Some(agency)) if self.directory().agency(agency).is_none() => {
                problems.push(format!("không có cơ quan mã «{agency}»"))
            }
            (UserRole::Admin | UserRole::Viewer, Some(_)) => {
                problems.push("chỉ tài khoản cán bộ cơ quan mới gắn với cơ quan".into())
            }
            _ => {}
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let hash = hash_password(&account.password)?;
        let display_name = if account.display_name.trim().is_empty() { username } else { account.display_name.trim() };
        let created = self
            .store()
            .create_user(
                &NewUser {
                    username,
                    display_name,
                    password_hash: &hash,
                    role: account.role,
                    agency: account.agency.as_ref(),
                },
                &now.rfc3339(),
            )
            .await?;
        created.ok_or_else(|| ServiceError::Invalid(vec![format!("tên đăng nhập «{username}» đã có người dùng")]))
    }

    /// On a database with no account, creates `admin` with a random password and returns it
    /// (to be shown once). Otherwise `None`.
    pub async fn ensure_first_admin(&self, now: Timestamp) -> Result<Option<String>, ServiceError> {
        if self.store().user_count().await? > 0 {
            return Ok(None);
        }
        let password = random_token(9)?;
        self.create_account(
            &NewAccount {
                username: "admin".into(),
                display_name: "Quản trị Sở Nội vụ".into(),
                role: UserRole::Admin,
                agency: None,
                password: password.clone(),
            },
            now,
        )
        .await?;
        Ok(Some(password))
    }

    /// The account the command line acts as (an administrator named `he-thong` with a random
    /// password nobody knows), created on first use so that its writes are attributed.
    pub async fn command_line_user(&self, now: Timestamp) -> Result<User, ServiceError> {
        const NAME: &str = "he-thong";
        if let Some((user, _)) = self.store().user_with_hash(NAME).await? {
            return Ok(user);
        }
        self.create_account(
            &NewAccount {
                username: NAME.into(),
                display_name: "Dòng lệnh (quản trị)".into(),
                role: UserRole::Admin,
                agency: None,
                password: random_token(24)?,
            },
            now,
        )
        .await
    }

    /// Checks a password and opens a session. Failures are counted per (username, client), so
    /// an attacker elsewhere cannot lock a victim out of their own computer.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &str,
        now: Timestamp,
    ) -> Result<Session, LoginError> {
        let store = self.store();
        let since = now.plus_seconds(-THROTTLE_WINDOW_SECONDS).rfc3339();
        let failures = store.login_failures(username, client, &since).await.map_err(ServiceError::from)?;
        if failures >= MAX_FAILURES {
            return Err(LoginError::Throttled);
        }
        let found = store.user_with_hash(username).await.map_err(ServiceError::from)?;
        let ok = match &found {
            Some((user, hash)) => verify_password(password, hash) && user.active,
            None => {
                let _ = verify_password(password, dummy_hash());
                false
            }
        };
        let Some((user, _)) = found.filter(|_| ok) else {
            store.record_login_failure(username, client, &now.rfc3339()).await.map_err(ServiceError::from)?;
            return Err(LoginError::Invalid);
        };
        store.clear_login_failures(username, client).await.map_err(ServiceError::from)?;
        let token = random_token(32)?;
        let csrf_token = random_token(32)?;
        store
            .create_session(
                &token_hash(&token),
                user.id,
                &csrf_token,
                &now.rfc3339(),
                &now.plus_seconds(SESSION_SECONDS).rfc3339(),
            )
            .await
            .map_err(ServiceError::from)?;
        Ok(Session { token, csrf_token, user })
    }

    /// The user and CSRF token behind a session cookie, if the session is live.
    pub async fn session(&self, token: &str, now: Timestamp) -> Result<Option<(User, String)>, ServiceError> {
        Ok(self.store().session(&token_hash(token), &now.rfc3339()).await?)
    }

    pub async fn logout(&self, token: &str) -> Result<(), ServiceError> {
        Ok(self.store().delete_session(&token_hash(token)).await?)
    }
}
