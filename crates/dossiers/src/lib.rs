//! One-stop-shop dossier files: the reader for the CSV and JSON Lines exports of the national
//! portal's synchronisation, and a deterministic generator of such files for tests and
//! benchmarks. The format is documented in `docs/dossiers.md`; the rules applied to the records
//! are in `cchc_domain::dossier`.
//!
//! Architecture invariant: no database, no network. Callers hand bytes in and get compact
//! records, code tables and line-numbered Vietnamese diagnostics back.

/// The input columns and the parsing of one row's values.
pub mod columns;
/// The fast engine: per-agency, per-day counters and window queries by prefix sums.
pub mod engine;
/// The deterministic generator.
pub mod generate;
/// Code tables (interning) and the fast hasher they use.
pub mod intern;
/// JSON Lines rows through serde without a JSON tree.
mod json;
/// Apache Parquet copies of the store's rows, for DuckDB and the like.
mod parquet_out;
/// The CSV and JSON Lines readers.
pub mod read;
/// The on-disk store: segments, `MaHoSo` index, counters, manifest.
pub mod store;
/// The streaming readers: bounded memory, rows handed over block by block.
pub mod stream;

pub use columns::Column;
pub use engine::{aggregate, Aggregates};
pub use generate::{generate, GeneratedRow, Generator, GeneratorConfig};
pub use read::{read, read_csv, read_jsonl, DossierSet, Format, ReadError, ReadOptions, ReadOutcome};
pub use store::{
    calendar_fingerprint, store_index, AppendReport, DossierStore, ImportError, Snapshot, StoreError, StreamedImport,
};
pub use stream::{count_window, Input, StreamError, StreamOptions, WindowCounts};
