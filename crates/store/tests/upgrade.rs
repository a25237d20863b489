//! An installation made before migration 0014 (which rebuilds `users` to admit the appraisal
//! council role) upgrades with its accounts, sessions and what refers to them intact.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::Row;

const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite");

/// A database with the migrations before `version` applied, as an older release left it.
async fn database_before(path: &Path, version: u32, scratch: &Path) {
    for entry in std::fs::read_dir(MIGRATIONS).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let number: u32 = name.get(..4).and_then(|n| n.parse().ok()).unwrap();
        if number < version {
            std::fs::copy(entry.path(), scratch.join(&name)).unwrap();
        }
    }
    let options = SqliteConnectOptions::new().filename(path).create_if_missing(true).foreign_keys(true);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(scratch).await.unwrap().run(&pool).await.unwrap();
    for statement in [
        "INSERT INTO users (id, username, display_name, password_hash, role, agency_id, active, created_at)
         VALUES (7, 'tuphap', 'Sở Tư pháp', 'x', 'agency', 'so-tu-phap', 1, '2024-01-01T00:00:00Z')",
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
         VALUES ('abc', 7, 'csrf', '2024-01-01T00:00:00Z', '2099-01-01T00:00:00Z')",
        "INSERT INTO account_events (at, actor_id, target_id, action) VALUES ('2024-01-01T00:00:00Z', NULL, 7, 'created')",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    pool.close().await;
}

#[tokio::test]
async fn accounts_and_sessions_survive_the_rebuild_of_the_users_table() {
    let dir = tempfile::tempdir().unwrap();
    let scratch = dir.path().join("old-migrations");
    std::fs::create_dir_all(&scratch).unwrap();
    let path = dir.path().join("cchc.sqlite");
    database_before(&path, 14, &scratch).await;

    let store = cchc_store::Store::open(&path).await.expect("upgrade");
    store.close().await;

    let options = SqliteConnectOptions::new().filename(&path).foreign_keys(true);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.unwrap();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query(sql).fetch_one(&pool).await.unwrap().get::<i64, _>(0) }
    };
    assert_eq!(count("SELECT COUNT(*) FROM users WHERE id = 7 AND username = 'tuphap'").await, 1);
    assert_eq!(count("SELECT COUNT(*) FROM sessions WHERE user_id = 7").await, 1, "the session was not dropped");
    assert_eq!(count("SELECT COUNT(*) FROM account_events WHERE target_id = 7").await, 1);
    assert_eq!(count("SELECT COUNT(*) FROM pragma_foreign_key_check").await, 0);
    // The new role is admitted, an unknown one still refused.
    sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, role, created_at)
         VALUES ('thamdinh', 'Hội đồng', 'x', 'appraiser', '2025-01-01T00:00:00Z')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let refused = sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, role, created_at)
         VALUES ('ai-do', 'Ai đó', 'x', 'superuser', '2025-01-01T00:00:00Z')",
    )
    .execute(&pool)
    .await;
    assert!(refused.is_err());
    // Deleting a user still cascades to its sessions: the foreign keys point at the new table.
    sqlx::query("DELETE FROM account_events").execute(&pool).await.unwrap();
    sqlx::query("DELETE FROM users WHERE id = 7").execute(&pool).await.unwrap();
    assert_eq!(count("SELECT COUNT(*) FROM sessions").await, 0);
}
