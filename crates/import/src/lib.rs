//! Reads documents into the domain model. Never fails wholesale: every reader returns its result
//! together with line-numbered [`cchc_domain::Diagnostic`]s.
//!
//! Architecture invariant: this crate knows nothing of databases, HTTP or the command line.

/// Agency directory (embedded Sơn La data) and resolution of "Chủ trì" / "Phối hợp" cells.
pub mod agencies;
/// The directory over time (validity, successors, former names) and its editable document.
pub mod directory;
/// The PAR Index criteria framework document and its template.
pub mod evaluation;
/// The indicator catalogue (thresholds from the parsed plan) and cross-indicator validation rules.
pub mod indicators;
/// Field readers with line-numbered diagnostics for the editable JSON documents.
mod json_doc;
/// The plan text format: prose areas, targets, tasks, reporting calendar, appendix table.
pub mod plan;
/// Procedure counts per agency (`ma_co_quan,so_tthc`), an input of inspection planning.
pub mod procedures;
/// The rules of the year-end task-completion rating (Decree 90/2020 → 48/2023; Decree 335/2025).
pub mod rating;
/// The "Thời gian" cell: fixed, recurring, ongoing, relative and event-triggered deadlines.
pub mod schedule;
/// The SIPAS configuration document (item → element, weights, satisfied levels).
pub mod sipas_config;
/// SIPAS survey files (CSV, or rows read from XLSX) into responses, with the rows not counted.
pub mod survey;
/// Quantified targets: thresholds, levels, baselines, ranges and sub-targets.
pub mod target;

pub use plan::{parse_plan, parse_plan_with, read_plan_meta, ParsedPlan};

/// The Sơn La 2024 plan as issued (Decision 2783/QĐ-UBND of 21/12/2023), shipped in the product
/// so that a fresh installation starts with it loaded.
pub const SON_LA_2024_PLAN: &str = include_str!("../data/ke-hoach-cchc-son-la-2024.txt");

/// File name under which the embedded plan is recorded as imported.
pub const SON_LA_2024_PLAN_NAME: &str = "ke-hoach-cchc-son-la-2024.txt";
