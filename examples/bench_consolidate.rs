//! Benchmark (not a test): every expected agency of Sơn La reports every indicator of its form
//! for one period, then the period is consolidated and the DOCX report and XLSX annex are
//! generated. Prints the time of each step.
//!
//! Run: `cargo run --release --example bench_consolidate [PERIOD] [DATA_DIR]` (default 2024S1 in a
//! temporary folder). With `DATA_DIR`, the filled database stays there (bench/pages.sh serves it).

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use anyhow::{Context, Result};
use cchc_domain::reporting::{Part, ReportContent};
use cchc_domain::{PeriodId, Timestamp};
use cchc_services::App;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let period = PeriodId::parse(&std::env::args().nth(1).unwrap_or_else(|| "2024S1".into())).context("period")?;
    let temporary = tempfile::tempdir()?;
    let dir = std::env::args().nth(2).map_or_else(|| temporary.path().to_path_buf(), std::path::PathBuf::from);
    let started = Instant::now();
    let app = App::open(&dir).await?;
    println!("open + seed (plan, directory, fan-out): {:>8.1} ms", started.elapsed().as_secs_f64() * 1e3);
    let now = Timestamp::parse_rfc3339("2024-06-10T02:00:00Z").context("time")?;
    let user = app.command_line_user(now).await?;
    let status = app.report_status(&user, period).await?;
    let agencies: Vec<_> = status.agencies.iter().map(|s| s.agency.id.clone()).collect();

    let started = Instant::now();
    let mut values = 0usize;
    for (i, agency) in agencies.iter().enumerate() {
        let form = app.report_form(agency, period).await?;
        let mut content = ReportContent::default();
        // One denominator and one share per agency, so that the catalogue's consistency rules
        // (subset ≤ whole) hold; indicators that count the agency itself have fixed denominators.
        let base = 50.0 + ((i * 37) % 950) as f64;
        let share = 0.6 + (i % 40) as f64 / 100.0;
        for indicator in &form.indicators {
            let denominator = match indicator.code.as_str() {
                "III.4.2" | "VI.6.1" => 1.0,
                "VII.8.1" => 2.0,
                _ => base,
            };
            let numerator = (denominator * share).floor();
            content.values.insert((indicator.code.clone(), Part::Numerator), numerator);
            content.values.insert((indicator.code.clone(), Part::Denominator), denominator);
            values += 2;
        }
        for (area, _) in &form.areas {
            content.narratives.insert(
                *area,
                format!(
                    "Kết quả thực hiện lĩnh vực {area}: đã triển khai đầy đủ các nhiệm vụ. Khó khăn: thiếu nhân lực."
                ),
            );
        }
        app.save_report(&user, agency, period, &content, now).await?;
        app.submit_report(&user, agency, period, now).await?;
    }
    let ingest = started.elapsed();
    println!(
        "{} agencies saved + validated + submitted ({values} values): {:>8.1} ms ({:.2} ms per report)",
        agencies.len(),
        ingest.as_secs_f64() * 1e3,
        ingest.as_secs_f64() * 1e3 / agencies.len() as f64
    );

    let started = Instant::now();
    let report = app
        .consolidate(&user, period, now.date_in_vietnam(), &cchc_services::reporting::DocumentOptions::default())
        .await?;
    println!(
        "consolidate (completeness + Σn/Σd by level for {} indicators): {:>8.1} ms",
        report.indicators.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    let started = Instant::now();
    let docx = cchc_documents::docx::consolidated_docx(&report).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("DOCX ({} KB): {:>8.1} ms", docx.len() / 1024, started.elapsed().as_secs_f64() * 1e3);
    let started = Instant::now();
    let annex = cchc_documents::annex::consolidated_annex_xlsx(&report).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "XLSX annex ({} KB, {} agency values): {:>8.1} ms",
        annex.len() / 1024,
        report.agency_values.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}
