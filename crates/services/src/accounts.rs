//! Accounts, passwords (argon2id), sessions, login throttling, and the management of accounts
//! by administrators (with an append-only audit).
//!
//! Throttling never locks an account: failures are counted per (username, client) and per
//! client, never per username alone, so an attacker elsewhere cannot keep a victim out. After
//! [`PAIR_FREE_FAILURES`] failures of a pair (or [`CLIENT_FREE_FAILURES`] of a client within
//! [`CLIENT_WINDOW_SECONDS`]) each further attempt must wait 1, 2, 4, … seconds after the
//! latest failure, at most [`MAX_DELAY_SECONDS`]. A throttled attempt is not checked and not
//! counted. One pair's password is checked once at a time, so parallel requests cannot slip
//! past the delay.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use cchc_domain::account::{AccountAction, AccountEvent, User, UserRole};
use cchc_domain::{AgencyId, Timestamp};
use cchc_store::{FailureCount, NewUser, PasswordUpdate};
use sha2::{Digest, Sha256};

use crate::{App, ServiceError};

/// How long a session lasts.
pub const SESSION_SECONDS: i64 = 12 * 3600;
/// Failures a (username, client) pair makes before each further attempt must wait.
pub const PAIR_FREE_FAILURES: i64 = 3;
/// Failures one client makes, across usernames within [`CLIENT_WINDOW_SECONDS`], before each
/// further attempt must wait.
pub const CLIENT_FREE_FAILURES: i64 = 30;
/// How far back failures of a client count.
pub const CLIENT_WINDOW_SECONDS: i64 = 3600;
/// How far back failures of a pair count (a successful login forgets them at once).
pub const PAIR_WINDOW_SECONDS: i64 = 24 * 3600;
/// The longest wait between two attempts.
pub const MAX_DELAY_SECONDS: i64 = 5 * 60;
/// Shortest password.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password or username looked at (argon2 over a megabyte of "password" is a cheap DoS).
pub const MAX_CREDENTIAL_CHARS: usize = 256;
/// The account the command line acts as.
pub const COMMAND_LINE_USERNAME: &str = "he-thong";
/// Lines of the account audit shown.
pub const AUDIT_LINES: i64 = 100;

/// A logged-in session: the secret token for the cookie and the CSRF token for forms.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub csrf_token: String,
    pub user: User,
    /// The password was set by an administrator: the owner should change it now.
    pub must_change_password: bool,
}

/// Why a login was refused. Messages never say which of username or password was wrong.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("tên đăng nhập hoặc mật khẩu không đúng")]
    Invalid,
    #[error("đăng nhập sai nhiều lần; hãy chờ {} rồi thử lại", wait_vn(*retry_after))]
    Throttled {
        /// Seconds to wait before the next attempt is looked at.
        retry_after: i64,
    },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// Why changing one's own password was refused.
#[derive(Debug, thiserror::Error)]
pub enum PasswordChangeError {
    #[error("mật khẩu hiện tại không đúng")]
    WrongCurrent,
    #[error("nhập sai mật khẩu nhiều lần; hãy chờ {} rồi thử lại", wait_vn(*retry_after))]
    Throttled { retry_after: i64 },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// "4 giây", "2 phút 8 giây", "5 phút".
pub fn wait_vn(seconds: i64) -> String {
    let seconds = seconds.max(1);
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s} giây"),
        (m, 0) => format!("{m} phút"),
        (m, s) => format!("{m} phút {s} giây"),
    }
}

/// The wait required after `failures` failures when the first `free` cost nothing:
/// 2^(failures − free) seconds, at most [`MAX_DELAY_SECONDS`].
pub fn delay_after(failures: i64, free: i64) -> i64 {
    match failures - free {
        n if n < 0 => 0,
        n if n >= 20 => MAX_DELAY_SECONDS,
        n => (1_i64 << n).min(MAX_DELAY_SECONDS),
    }
}

/// Seconds still to wait at `now` given counted failures, or 0.
fn remaining(failures: &FailureCount, free: i64, now: Timestamp) -> i64 {
    let delay = delay_after(failures.count, free);
    match failures.latest.as_deref().and_then(Timestamp::parse_rfc3339) {
        Some(latest) if delay > 0 => (latest.unix_seconds() + delay - now.unix_seconds()).max(0),
        _ => 0,
    }
}

/// The (username, client) pairs whose password is being checked right now. A second attempt of
/// the same pair while one is under way is throttled: otherwise parallel requests would all pass
/// the throttle before the first failure is recorded.
#[derive(Debug, Default)]
pub(crate) struct InFlight(std::sync::Mutex<std::collections::HashSet<(String, String)>>);

/// Held while a pair's password is checked; frees the pair when dropped (also when the request
/// is abandoned).
struct Checking<'a> {
    set: &'a InFlight,
    key: (String, String),
}

impl InFlight {
    fn begin(&self, username: &str, client: &str) -> Option<Checking<'_>> {
        let key = (username.to_string(), client.to_string());
        let inserted = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(key.clone());
        // (Built only when inserted: a `Checking` dropped here would free the other's pair.)
        if inserted {
            Some(Checking { set: self, key })
        } else {
            None
        }
    }
}

impl Drop for Checking<'_> {
    fn drop(&mut self) {
        self.set.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&self.key);
    }
}

/// Longest display name of an account, in characters (after normalisation).
pub const MAX_DISPLAY_NAME_CHARS: usize = 200;

/// Sessions already looked up, by token hash: every authenticated request asks, and the answer
/// only changes when an account is written (through [`App`], which forgets them all) or the
/// session expires. An entry is believed for [`SESSION_RECHECK_SECONDS`] at most, so that a
/// change made by another process (`cchc user deactivate` beside a running server) or an expiry
/// shows within that time.
#[derive(Debug, Default)]
pub(crate) struct SessionCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, CachedSession>>,
    /// Bumped by every [`SessionCache::forget_all`].
    generation: std::sync::atomic::AtomicU64,
}

#[derive(Debug, Clone)]
struct CachedSession {
    user: User,
    csrf_token: String,
    checked_at: i64,
}

/// How long a looked-up session is believed without asking the database again.
pub const SESSION_RECHECK_SECONDS: i64 = 30;
/// Sessions remembered at most (past it, the memory starts over).
const SESSION_CACHE_ENTRIES: usize = 10_000;

impl SessionCache {
    fn get(&self, hash: &str, now: Timestamp) -> Option<(User, String)> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let found = entries.get(hash)?;
        let age = now.unix_seconds() - found.checked_at;
        (0..SESSION_RECHECK_SECONDS).contains(&age).then(|| (found.user.clone(), found.csrf_token.clone()))
    }

    fn put(&self, hash: &str, user: &User, csrf_token: &str, now: Timestamp) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= SESSION_CACHE_ENTRIES {
            entries.clear();
        }
        let session =
            CachedSession { user: user.clone(), csrf_token: csrf_token.to_string(), checked_at: now.unix_seconds() };
        entries.insert(hash.to_string(), session);
    }

    /// Forgets every session (an account or a session was written).
    pub(crate) fn forget_all(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        entries.clear();
    }

    /// Changes whenever an account or a session was written.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// The outcome of an account created or a password reset by an administrator: the account as
/// it now stands, and the generated password, to be shown once.
#[derive(Debug, Clone)]
pub struct AccountChange {
    pub user: User,
    pub password: Option<String>,
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

/// Runs argon2 (tens of milliseconds of CPU) on the blocking pool, so that a crowd signing in
/// at the reporting deadline does not stall page loads on the async workers.
async fn off_workers<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, ServiceError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| ServiceError::Random(e.to_string()))
}

/// [`hash_password`] off the async workers.
async fn hash_password_blocking(password: &str) -> Result<String, ServiceError> {
    let password = password.to_string();
    off_workers(move || hash_password(&password)).await?
}

/// [`verify_password`] off the async workers; a failed task counts as a wrong password.
async fn verify_password_blocking(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_string(), hash.to_string());
    off_workers(move || verify_password(&password, &hash)).await.unwrap_or(false)
}

/// What is wrong with a new password, if anything.
fn password_problem(password: &str) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Some(format!("mật khẩu phải có ít nhất {MIN_PASSWORD_CHARS} ký tự"))
    } else if chars > MAX_CREDENTIAL_CHARS {
        Some(format!("mật khẩu dài quá {MAX_CREDENTIAL_CHARS} ký tự"))
    } else if password.chars().any(char::is_control) {
        Some("mật khẩu không được chứa ký tự điều khiển".to_string())
    } else {
        None
    }
}

/// A password to show once: 12 characters from an alphabet without look-alikes (0/O, 1/l/I).
fn generated_password() -> Result<String, ServiceError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| ServiceError::Random(e.to_string()))?;
    // 256 is not a multiple of 56: reject the top of the range so every character is as likely.
    let limit = 256 - 256 % ALPHABET.len();
    let mut out = String::new();
    while out.len() < 12 {
        for &b in &bytes {
            if usize::from(b) < limit && out.len() < 12 {
                out.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
            }
        }
        getrandom::fill(&mut bytes).map_err(|e| ServiceError::Random(e.to_string()))?;
    }
    Ok(out)
}

/// A hash to verify against when the user does not exist, so that timing does not tell.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("cchc-dummy-password").unwrap_or_default())
}

impl App {
    /// Creates an account after checking its fields (the command line, the first administrator,
    /// tests: no actor is checked; the audit says "the system"). Vietnamese messages for every
    /// refusal.
    pub async fn create_account(&self, account: &NewAccount, now: Timestamp) -> Result<User, ServiceError> {
        self.insert_account(account, None, false, now).await
    }

    async fn insert_account(
        &self,
        account: &NewAccount,
        actor: Option<&User>,
        must_change_password: bool,
        now: Timestamp,
    ) -> Result<User, ServiceError> {
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
        problems.extend(password_problem(&account.password));
        let display_name = match cchc_domain::text::checked_text(&account.display_name, MAX_DISPLAY_NAME_CHARS) {
            Ok(name) if name.contains(['\n', '\t']) => {
                problems.push("họ tên chỉ được một dòng".to_string());
                String::new()
            }
            Ok(name) => name,
            Err(e) => {
                problems.push(format!("họ tên: {e}"));
                String::new()
            }
        };
        match (account.role, &account.agency) {
            (UserRole::Agency, None) => problems.push("tài khoản cán bộ cơ quan phải gắn với một cơ quan".into()),
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
        let hash = hash_password_blocking(&account.password).await?;
        let display_name = if display_name.is_empty() { username } else { display_name.as_str() };
        let created = self
            .store()
            .create_user(
                &NewUser {
                    username,
                    display_name,
                    password_hash: &hash,
                    role: account.role,
                    agency: account.agency.as_ref(),
                    must_change_password,
                },
                &now.rfc3339(),
                actor.map(|a| a.id),
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
        const NAME: &str = COMMAND_LINE_USERNAME;
        if let Some(user) = self.store().user_by_username(NAME).await? {
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

    /// Checks a password and opens a session. Throttled per (username, client) and per client
    /// (see the module documentation), never per username alone: an attacker elsewhere cannot
    /// keep a victim out. `client` is the address the web layer trusts.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &str,
        now: Timestamp,
    ) -> Result<Session, LoginError> {
        let store = self.store();
        let Some(_checking) = self.checking.begin(username, client) else {
            return Err(LoginError::Throttled { retry_after: 1 });
        };
        let retry_after = self.throttle(username, client, now).await?;
        if retry_after > 0 {
            return Err(LoginError::Throttled { retry_after });
        }
        let found = store.credentials(username).await.map_err(ServiceError::from)?;
        let ok = match &found {
            Some(credentials) => {
                verify_password_blocking(password, &credentials.password_hash).await && credentials.user.active
            }
            None => {
                let _ = verify_password_blocking(password, dummy_hash()).await;
                false
            }
        };
        let Some(credentials) = found.filter(|_| ok) else {
            self.record_failure(username, client, now).await?;
            return Err(LoginError::Invalid);
        };
        store.clear_login_failures(username, client).await.map_err(ServiceError::from)?;
        let token = random_token(32)?;
        let csrf_token = random_token(32)?;
        store
            .create_session(
                &token_hash(&token),
                credentials.user.id,
                &csrf_token,
                &now.rfc3339(),
                &now.plus_seconds(SESSION_SECONDS).rfc3339(),
            )
            .await
            .map_err(ServiceError::from)?;
        Ok(Session {
            token,
            csrf_token,
            user: credentials.user,
            must_change_password: credentials.must_change_password,
        })
    }

    /// Seconds the next attempt of `username` from `client` must still wait (0: go ahead).
    pub async fn throttle(&self, username: &str, client: &str, now: Timestamp) -> Result<i64, ServiceError> {
        let store = self.store();
        let pair = store.login_failures(username, client, &now.plus_seconds(-PAIR_WINDOW_SECONDS).rfc3339()).await?;
        let from_client =
            store.client_login_failures(client, &now.plus_seconds(-CLIENT_WINDOW_SECONDS).rfc3339()).await?;
        Ok(remaining(&pair, PAIR_FREE_FAILURES, now).max(remaining(&from_client, CLIENT_FREE_FAILURES, now)))
    }

    async fn record_failure(&self, username: &str, client: &str, now: Timestamp) -> Result<(), ServiceError> {
        let forget_before = now.plus_seconds(-PAIR_WINDOW_SECONDS.max(CLIENT_WINDOW_SECONDS)).rfc3339();
        Ok(self.store().record_login_failure(username, client, &now.rfc3339(), &forget_before).await?)
    }

    /// The user and CSRF token behind a session cookie, if the session is live.
    /// The user and CSRF token of a live session (remembered for a few seconds, see
    /// [`SessionCache`]).
    pub async fn session(&self, token: &str, now: Timestamp) -> Result<Option<(User, String)>, ServiceError> {
        let hash = token_hash(token);
        if let Some(found) = self.sessions.get(&hash, now) {
            return Ok(Some(found));
        }
        let found = self.store().session(&hash, &now.rfc3339()).await?;
        if let Some((user, csrf_token)) = &found {
            self.sessions.put(&hash, user, csrf_token, now);
        }
        Ok(found)
    }

    pub async fn logout(&self, token: &str) -> Result<(), ServiceError> {
        self.store().delete_session(&token_hash(token)).await?;
        self.sessions.forget_all();
        Ok(())
    }

    /// Whether the user's password was set by an administrator and not changed since.
    pub async fn must_change_password(&self, user: &User) -> Result<bool, ServiceError> {
        Ok(self.store().credentials(&user.username).await?.is_some_and(|c| c.must_change_password))
    }

    // -----------------------------------------------------------------------------------------
    // Management by administrators. Every function checks the actor itself.

    /// Every account (administrators only).
    pub async fn accounts(&self, actor: &User) -> Result<Vec<User>, ServiceError> {
        require_admin(actor)?;
        Ok(self.store().users().await?)
    }

    /// Every account, for the operator at the command line: whoever runs `cchc` on the data
    /// folder already holds the database, so there is no actor to check (and listing must not
    /// create the command line's own account).
    pub async fn accounts_for_operator(&self) -> Result<Vec<User>, ServiceError> {
        Ok(self.store().users().await?)
    }

    /// One account: administrators see every account, others only their own. 404 when unknown.
    pub async fn account(&self, actor: &User, username: &str) -> Result<User, ServiceError> {
        if !(actor.is_admin() || (actor.active && actor.username == username)) {
            return Err(forbidden());
        }
        self.store()
            .user_by_username(username)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("tài khoản «{}»", excerpt(username))))
    }

    /// The latest lines of the account audit, newest first (administrators only).
    pub async fn account_events(&self, actor: &User) -> Result<Vec<AccountEvent>, ServiceError> {
        require_admin(actor)?;
        Ok(self.store().account_events(AUDIT_LINES).await?)
    }

    /// Creates an account for someone (administrators only): an empty password asks for a
    /// generated one, returned once. The owner is asked to change it at first login. Audited.
    pub async fn create_account_as(
        &self,
        actor: &User,
        account: &NewAccount,
        now: Timestamp,
    ) -> Result<AccountChange, ServiceError> {
        require_admin(actor)?;
        let generated = if account.password.is_empty() { Some(generated_password()?) } else { None };
        let mut account = account.clone();
        if let Some(password) = &generated {
            account.password = password.clone();
        }
        let user = self.insert_account(&account, Some(actor), true, now).await?;
        Ok(AccountChange { user, password: generated })
    }

    /// Deactivates or reactivates an account (administrators only, never their own nor the
    /// command line's). A deactivated account's sessions end at once. Audited when it changes.
    pub async fn set_account_active(
        &self,
        actor: &User,
        username: &str,
        active: bool,
        now: Timestamp,
    ) -> Result<User, ServiceError> {
        require_admin(actor)?;
        let target = self.account(actor, username).await?;
        refuse_system_account(&target)?;
        if !active && target.id == actor.id {
            return Err(ServiceError::Invalid(vec!["không thể tự khóa tài khoản của chính mình".to_string()]));
        }
        self.store().set_user_active(target.id, active, actor.id, &now.rfc3339()).await?;
        self.sessions.forget_all();
        self.account(actor, username).await
    }

    /// Sets a new password for someone else (administrators only): `None` generates one, returned
    /// once. Every session of the account ends; its owner is asked to change the password at the
    /// next login. Audited.
    pub async fn reset_password(
        &self,
        actor: &User,
        username: &str,
        password: Option<&str>,
        now: Timestamp,
    ) -> Result<AccountChange, ServiceError> {
        require_admin(actor)?;
        let target = self.account(actor, username).await?;
        refuse_system_account(&target)?;
        if target.id == actor.id {
            return Err(ServiceError::Invalid(vec![
                "không đặt lại mật khẩu của chính mình; hãy dùng chức năng Đổi mật khẩu".to_string(),
            ]));
        }
        let (password, generated) = match password {
            Some(given) => {
                if let Some(problem) = password_problem(given) {
                    return Err(ServiceError::Invalid(vec![problem]));
                }
                (given.to_string(), None)
            }
            None => {
                let fresh = generated_password()?;
                (fresh.clone(), Some(fresh))
            }
        };
        let hash = hash_password_blocking(&password).await?;
        self.store()
            .update_password(&PasswordUpdate {
                target: target.id,
                password_hash: &hash,
                must_change_password: true,
                actor: actor.id,
                action: AccountAction::PasswordReset,
                at: &now.rfc3339(),
                keep_session: None,
            })
            .await?;
        self.sessions.forget_all();
        Ok(AccountChange { user: target, password: generated })
    }

    /// Changes one's own password: the current one must be right (wrong guesses are throttled
    /// like logins, per (username, client) and per client). Every other session of the user ends;
    /// `session_token` (the one asking) stays open. Audited.
    pub async fn change_own_password(
        &self,
        user: &User,
        current: &str,
        new: &str,
        session_token: &str,
        client: &str,
        now: Timestamp,
    ) -> Result<(), PasswordChangeError> {
        if !user.active {
            return Err(PasswordChangeError::Service(forbidden()));
        }
        let Some(_checking) = self.checking.begin(&user.username, client) else {
            return Err(PasswordChangeError::Throttled { retry_after: 1 });
        };
        let retry_after = self.throttle(&user.username, client, now).await?;
        if retry_after > 0 {
            return Err(PasswordChangeError::Throttled { retry_after });
        }
        let credentials = self
            .store()
            .credentials(&user.username)
            .await
            .map_err(ServiceError::from)?
            .ok_or_else(|| ServiceError::NotFound(format!("tài khoản «{}»", user.username)))?;
        if current.chars().count() > MAX_CREDENTIAL_CHARS
            || !verify_password_blocking(current, &credentials.password_hash).await
        {
            self.record_failure(&user.username, client, now).await?;
            return Err(PasswordChangeError::WrongCurrent);
        }
        let mut problems: Vec<String> = password_problem(new).into_iter().collect();
        if new == current {
            problems.push("mật khẩu mới phải khác mật khẩu hiện tại".to_string());
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems).into());
        }
        let hash = hash_password_blocking(new).await?;
        self.store()
            .update_password(&PasswordUpdate {
                target: user.id,
                password_hash: &hash,
                must_change_password: false,
                actor: user.id,
                action: AccountAction::PasswordChanged,
                at: &now.rfc3339(),
                keep_session: Some(&token_hash(session_token)),
            })
            .await
            .map_err(ServiceError::from)?;
        self.sessions.forget_all();
        Ok(())
    }
}

fn forbidden() -> ServiceError {
    ServiceError::Forbidden("chức năng quản lý tài khoản chỉ dành cho quản trị (Sở Nội vụ)".to_string())
}

fn require_admin(actor: &User) -> Result<(), ServiceError> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(forbidden())
    }
}

fn refuse_system_account(target: &User) -> Result<(), ServiceError> {
    if target.username == COMMAND_LINE_USERNAME {
        Err(ServiceError::Invalid(vec![format!(
            "«{COMMAND_LINE_USERNAME}» là tài khoản của dòng lệnh; không khóa hay đặt lại mật khẩu tài khoản này"
        )]))
    } else {
        Ok(())
    }
}

/// At most 40 characters of what a client sent, for a message.
fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().filter(|c| !c.is_control()).take(40).collect();
    if text.chars().count() > 40 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_after_the_free_failures_and_is_capped() {
        assert_eq!((0..3).map(|n| delay_after(n, 3)).collect::<Vec<_>>(), [0, 0, 0]);
        assert_eq!((3..8).map(|n| delay_after(n, 3)).collect::<Vec<_>>(), [1, 2, 4, 8, 16]);
        assert_eq!(delay_after(11, 3), 256);
        assert_eq!(delay_after(12, 3), MAX_DELAY_SECONDS);
        assert_eq!(delay_after(10_000, 3), MAX_DELAY_SECONDS);
    }

    #[test]
    fn a_pair_is_checked_once_at_a_time() {
        let set = InFlight::default();
        let first = set.begin("tuphap", "10.0.0.9");
        assert!(first.is_some());
        assert!(set.begin("tuphap", "10.0.0.9").is_none());
        assert!(set.begin("tuphap", "10.0.0.1").is_some(), "another client is not held up");
        drop(first);
        assert!(set.begin("tuphap", "10.0.0.9").is_some());
    }

    #[test]
    fn waits_read_in_vietnamese() {
        assert_eq!(wait_vn(0), "1 giây");
        assert_eq!(wait_vn(4), "4 giây");
        assert_eq!(wait_vn(128), "2 phút 8 giây");
        assert_eq!(wait_vn(300), "5 phút");
    }

    #[test]
    fn generated_passwords_are_long_enough_and_unambiguous() {
        let password = generated_password().expect("random");
        assert_eq!(password.chars().count(), 12);
        assert!(password_problem(&password).is_none());
        assert!(!password.contains(['0', 'O', '1', 'l', 'I']));
        assert_ne!(password, generated_password().expect("random"));
    }
}
