//! What is stored is what was parsed: plans and the agency directory round-trip exactly.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cchc_domain::text::normalize_document;
use cchc_domain::ImportOutcome;
use cchc_import::agencies::son_la_2024;
use cchc_import::{parse_plan, SON_LA_2024_PLAN};
use cchc_store::{content_hash, Store};

#[tokio::test]
async fn a_parsed_plan_round_trips_through_the_database() {
    let store = Store::open_in_memory().await.expect("store");
    let (directory, _) = son_la_2024();
    let parsed = parse_plan(SON_LA_2024_PLAN, &directory);
    let hash = content_hash(&normalize_document(SON_LA_2024_PLAN));
    let outcome = store
        .import_plan(&parsed.plan, &parsed.diagnostics, "seed.txt", &hash, "2024-01-01T00:00:00Z")
        .await
        .expect("import");
    let ImportOutcome::Created(version) = outcome else { panic!("expected a new version") };
    assert_eq!((version.plan_key.as_str(), version.version), ("son-la-2024", 1));
    let (plan, diagnostics) = store.load_plan(version.id).await.expect("load");
    assert_eq!(plan, parsed.plan);
    assert_eq!(diagnostics, parsed.diagnostics);
}

#[tokio::test]
async fn the_same_content_is_stored_once_and_new_content_is_a_new_version() {
    let store = Store::open_in_memory().await.expect("store");
    let (directory, _) = son_la_2024();
    let parsed = parse_plan(SON_LA_2024_PLAN, &directory);
    let hash = content_hash(&normalize_document(SON_LA_2024_PLAN));
    let first = store.import_plan(&parsed.plan, &[], "a.txt", &hash, "t1").await.expect("import");
    let again = store.import_plan(&parsed.plan, &[], "b.txt", &hash, "t2").await.expect("import");
    assert!(matches!(first, ImportOutcome::Created(_)));
    assert!(matches!(&again, ImportOutcome::Unchanged(v) if v.source_name == "a.txt"));
    assert_eq!(store.plan_version_count().await.expect("count"), 1);
    let changed = store.import_plan(&parsed.plan, &[], "c.txt", "other-hash", "t3").await.expect("import");
    assert!(matches!(changed, ImportOutcome::Created(v) if v.version == 2));
    let current = store.current_version(Some("son-la-2024")).await.expect("current").expect("some");
    assert_eq!(current.version, 2);
}

#[tokio::test]
async fn directory_versions_are_kept_and_the_latest_is_in_force() {
    let store = Store::open_in_memory().await.expect("store");
    assert_eq!(store.latest_directory_version().await.expect("none"), None);
    assert_eq!(store.save_directory_version("{\"a\": 1}", "nhúng", None, "t1").await.expect("save"), 1);
    assert_eq!(store.save_directory_version("{\"a\": 2}", "sửa", None, "t2").await.expect("save"), 2);
    let latest = store.latest_directory_version().await.expect("load").expect("some");
    assert_eq!((latest.version, latest.document.as_str(), latest.note.as_str()), (2, "{\"a\": 2}", "sửa"));
}

#[tokio::test]
async fn a_database_file_is_created_private_and_reopened() {
    let dir = std::env::temp_dir().join(format!("cchc-store-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("test.sqlite3");
    let _ = std::fs::remove_file(&path);
    {
        let store = Store::open(&path).await.expect("create");
        store.save_directory_version("{}", "nhúng", None, "t").await.expect("save");
        // The file (and SQLite's WAL and shared-memory files beside it) are the owner's only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for file in [path.clone(), dir.join("test.sqlite3-wal"), dir.join("test.sqlite3-shm")] {
                if let Ok(meta) = std::fs::metadata(&file) {
                    assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{} is readable by others", file.display());
                }
            }
        }
        store.close().await;
    }
    let reopened = Store::open(&path).await.expect("reopen");
    assert_eq!(reopened.latest_directory_version().await.expect("load").map(|v| v.version), Some(1));
    reopened.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
