//! `cchc`: the command line. Thin glue over the library crates (ripgrep style): parse arguments,
//! call a use case, print a Vietnamese table or JSON, map errors to an exit code.
//!
//! Only this binary reads the environment, the clock and the file system paths given by users.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Printing that never panics on a closed pipe (`outln!`, `errln!`).
#[macro_use]
mod output;
/// `cchc plan diff`, `plan carry-over`, `plan progress`: amended plans keep their progress.
mod amend;
/// Argument definitions.
mod cli;
/// The clock, read at the edge (`CCHC_TODAY` fixes it).
mod clock;
/// Command implementations.
mod commands;
/// `cchc dossiers …`: one-stop-shop dossier imports and tables.
mod dossiers;
/// `cchc evaluation …`: the PAR Index framework and scores.
mod evaluation;
/// `cchc assignments pending|transfer`: hand-over of an ended unit's open work.
mod handover;
/// `cchc inspection …`: the inspection plan, its adoption, findings and re-inspections.
mod inspection;
/// JSON views of domain values (`--json`).
mod json;
/// `cchc rating …`: the year-end task-completion rating, overrides, rules.
mod rating;
/// Vietnamese tables.
mod render;
/// `cchc report …`: forms, submission, status, consolidation.
mod report;
/// `cchc survey import|index`: SIPAS survey responses and the satisfaction index.
mod survey;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(error) => return cli::report_usage_error(error),
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CCHC_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            errln!("Lỗi: không khởi động được bộ thực thi: {error}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::run(args)) {
        Ok(code) => code,
        Err(error) => {
            errln!("Lỗi: {error}");
            // The chain below the first message is for diagnosis, not for users; show it only
            // when asked.
            if std::env::var_os("CCHC_DEBUG").is_some() {
                for cause in error.chain().skip(1) {
                    errln!("  nguyên nhân: {cause}");
                }
            }
            ExitCode::from(1)
        }
    }
}

/// The data folder: `--data`, else `$CCHC_DATA`, else `./cchc-data`.
pub(crate) fn default_data_dir() -> PathBuf {
    PathBuf::from("cchc-data")
}
