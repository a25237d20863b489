//! The harness of the command-line tests: the real `cchc` binary run against a fresh data
//! folder in a temporary directory, with the clock fixed.

// Not every test file uses every helper.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

pub struct Run {
    dir: tempfile::TempDir,
    today: &'static str,
}

impl Run {
    /// A fresh data folder; the binary's clock reads 01/07/2024.
    pub fn new() -> Run {
        Run::on("2024-07-01")
    }

    /// A fresh data folder; the binary's clock reads `today` (ISO date).
    pub fn on(today: &'static str) -> Run {
        Run { dir: tempfile::tempdir().expect("temp dir"), today }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A file next to the data folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn cchc(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_cchc"))
            .args(args)
            .arg("--data")
            .arg(self.data())
            .env_remove("CCHC_DATA")
            .env("CCHC_TODAY", self.today)
            .output()
            .expect("run cchc")
    }

    /// Runs a command that must succeed; its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cchc(args);
        assert!(out.status.success(), "cchc {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Runs a command with `--json`; its parsed output.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).expect("valid JSON")
    }

    /// Runs a command that must fail without panicking; its standard error.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.cchc(args);
        assert!(!out.status.success(), "cchc {args:?} should have failed");
        let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
        assert!(!stderr.contains("panicked"), "cchc {args:?} panicked: {stderr}");
        stderr
    }
}
