//! Every source file of the workspace opens with a `//!` line saying what it is for (tests and
//! examples excepted), so a newcomer reading the code map can open any file and know its place.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_source_file_opens_with_a_module_doc_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    for krate in std::fs::read_dir(root.join("crates")).expect("crates").flatten() {
        rust_files(&krate.path().join("src"), &mut files);
    }
    assert!(files.len() > 40, "found only {} files", files.len());
    let missing: Vec<String> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).expect("read").starts_with("//!"))
        .map(|f| f.strip_prefix(root).unwrap_or(f).display().to_string())
        .collect();
    assert!(missing.is_empty(), "source files without a //! opening line: {missing:?}");
}

/// The names in the `[dependencies]`, `[dev-dependencies]` and `[build-dependencies]` tables of
/// a manifest (workspace tables excepted).
fn dependencies(manifest: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_table = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_table = matches!(line, "[dependencies]" | "[dev-dependencies]" | "[build-dependencies]");
        } else if in_table {
            if let Some((name, _)) = line.split_once('=') {
                names.push(name.trim().trim_end_matches(".workspace").to_string());
            }
        }
    }
    names
}

/// The data flow of ARCHITECTURE.md, kept by the manifests: the web layer and the binary go
/// through the services only, the domain depends on no other crate of ours, and no crate
/// depends on one further down the flow.
#[test]
fn crates_depend_only_on_crates_before_them_in_the_data_flow() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &str| std::fs::read_to_string(root.join(path)).expect("manifest");
    let allowed: [(&str, &[&str]); 8] = [
        ("crates/domain/Cargo.toml", &[]),
        ("crates/import/Cargo.toml", &["cchc-domain"]),
        ("crates/dossiers/Cargo.toml", &["cchc-domain"]),
        ("crates/store/Cargo.toml", &["cchc-domain", "cchc-import"]),
        ("crates/documents/Cargo.toml", &["cchc-domain"]),
        (
            "crates/services/Cargo.toml",
            &["cchc-domain", "cchc-import", "cchc-store", "cchc-documents", "cchc-dossiers"],
        ),
        ("crates/web/Cargo.toml", &["cchc-domain", "cchc-services", "cchc-documents"]),
        // The binary also calls the dossier generator (test and benchmark data) directly.
        ("Cargo.toml", &["cchc-domain", "cchc-import", "cchc-services", "cchc-web", "cchc-documents", "cchc-dossiers"]),
    ];
    for (manifest, allowed) in allowed {
        let ours: Vec<String> = dependencies(&read(manifest)).into_iter().filter(|d| d.starts_with("cchc-")).collect();
        let extra: Vec<&String> = ours.iter().filter(|d| !allowed.contains(&d.as_str())).collect();
        assert!(extra.is_empty(), "{manifest} depends on {extra:?}, against the data flow");
    }
    assert!(!dependencies(&read("crates/web/Cargo.toml")).iter().any(|d| d == "cchc-store"));
}
