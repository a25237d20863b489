//! Persistence through sqlx. SQLite now (one file in the data folder); the schema and queries are
//! kept to the SQL that PostgreSQL also speaks (`$n` parameters, no SQLite-only functions) so that
//! a PostgreSQL backend can be added beside `migrations/sqlite` later.
//!
//! Architecture invariant: this is the only crate that knows SQL. It takes and returns domain
//! types; nothing outside it sees a row.

use std::path::Path;
use std::str::FromStr;

use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};

/// Accounts, sessions and login throttling.
mod accounts;
/// Carrying progress, events and reports from one plan version to the next.
mod carry;
/// Reading and writing the agency directory.
mod directory;
/// Other `DonViXuLy` codes of the dossier exports mapped to agencies.
mod dossier_codes;
/// The PAR Index: framework versions, rounds, assessments, scores and their log.
mod evaluation;
/// Hand-over of an ended agency's open milestones to its successor.
mod handover;
/// Inspection plans, inspections (with their milestones), findings, procedure counts.
mod inspection;
/// Reading and writing plan versions.
mod plans;
/// The task-completion rating: overrides and rule-set versions.
mod rating;
/// Periodic reports, their answers and history, extensions, catalogue versions, settings.
mod reports;
/// Versions of the SIPAS configuration.
mod sipas_config;
/// SIPAS survey batches, responses and the rows not counted.
mod survey;
/// Assignments, milestones, events and progress history.
mod tracking;

pub use accounts::{Credentials, FailureCount, NewUser, PasswordUpdate};
pub use carry::{CarryCounts, CarryLink, CarryPlan, CarryRefusal, EventCarry, NewMilestoneRef};
pub use directory::DirectoryVersion;
pub use evaluation::{
    Actor, AppraisedScore, AssessmentFile, AssessmentLogRow, AssessmentRow, FrameworkVersion, RoundRow, ScoreRow,
    SelfScore,
};
pub use handover::{HandOver, MilestoneTransfer, NewTransfer};
pub use inspection::{MilestoneTarget, NewInspectionPlan, PlannedInspection};
pub use plans::{plan_key, NewDocument};
pub use rating::{OverrideRow, RulesVersion};
pub use sipas_config::SipasConfigVersion;
pub use survey::{NewSurveyBatch, StoredBatch, SurveyBatch, SurveySource};
pub use tracking::{ActivityFanOut, FileLink, MilestoneQuery, NewEvent};

/// Failures of the store. Details are for the logs; callers show users a generic message.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("concurrent change: {0}")]
    Conflict(String),
    #[error("cannot create the database file {path}: {source}")]
    Create { path: String, source: std::io::Error },
}

/// Creates an empty file readable by its owner only, unless the file exists already.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// The database behind every command.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

impl Store {
    /// Opens (creating when missing) the SQLite database file and applies pending migrations.
    /// A new file is readable and writable by its owner only (0600 on unix); SQLite gives its
    /// WAL and shared-memory files the same permissions.
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        create_private_file(path).map_err(|source| StoreError::Create { path: path.display().to_string(), source })?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true);
        Store::connect(options, 4).await
    }

    /// A private in-memory database, for tests and dry runs.
    pub async fn open_in_memory() -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        // One connection: every connection to ":memory:" would be a separate database.
        Store::connect(options, 1).await
    }

    async fn connect(options: SqliteConnectOptions, connections: u32) -> Result<Store, StoreError> {
        let pool = SqlitePoolOptions::new().max_connections(connections).connect_with(options).await?;
        // Migrations run with foreign keys off, as SQLite's procedure for rebuilding a table
        // requires (0014 rebuilds `users`); every foreign key is checked afterwards.
        let mut connection = pool.acquire().await?;
        sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *connection).await?;
        let migrated = MIGRATOR.run(&mut *connection).await;
        let violations = sqlx::query("PRAGMA foreign_key_check").fetch_all(&mut *connection).await;
        sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *connection).await?;
        migrated?;
        if !violations?.is_empty() {
            return Err(StoreError::Corrupt("foreign keys broken after migrating".into()));
        }
        drop(connection);
        Ok(Store { pool })
    }

    /// The number of plan versions stored (all plans).
    pub async fn plan_version_count(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM plan_versions").fetch_one(&self.pool).await?;
        Ok(row.try_get("n")?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The identity of a document's content: SHA-256 of its normalised text, in hex.
/// Callers pass the text after `cchc_domain::text::normalize_document`, so the same document
/// saved with CRLF, a BOM or NFD characters has the same identity.
pub fn content_hash(normalized_text: &str) -> String {
    let digest = Sha256::digest(normalized_text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
