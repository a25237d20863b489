//! Generates N dossiers, reads them back as CSV and JSON Lines, classifies them for the year
//! and prints the rates (rows per second). A measuring tool, not a test.
//!
//! `cargo run --release -p cchc-dossiers --example read_bench -- 2000000 2`
//! (rows, threads; defaults 1 000 000 and 2).

use std::time::Instant;

use cchc_domain::calendar::WorkCalendar;
use cchc_domain::dossier::{tally, Counts, DayNum, Window, WorkdayIndex};
use cchc_dossiers::{generate, read, Format, GeneratorConfig, ReadOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let threads: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2);
    let calendar = WorkCalendar::vietnam();
    let agencies: Vec<String> = (0..20)
        .map(|i| format!("so-{i:02}"))
        .chain((0..12).map(|i| format!("ubnd-huyen-{i:02}")))
        .chain((0..204).map(|i| format!("ubnd-xa-{:05}", 3600 + i)))
        .collect();
    let config = GeneratorConfig { rows, seed: 2024, year: 2024, agencies: &agencies };
    let options = ReadOptions { threads, ..ReadOptions::default() };
    let rate = |n: usize, seconds: f64| format!("{:.0}", n as f64 / seconds.max(1e-9));

    for format in [Format::Csv, Format::JsonLines] {
        let started = Instant::now();
        let mut bytes = Vec::new();
        if let Err(e) = generate(&config, &calendar, format, &mut bytes) {
            eprintln!("Lỗi khi sinh dữ liệu: {e}");
            return;
        }
        let generated = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let outcome = match read(&bytes, format, &options) {
            Ok(outcome) => outcome,
            Err(e) => {
                eprintln!("Lỗi khi đọc: {e}");
                return;
            }
        };
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "{format:?}: {} MB; sinh {rows} hồ sơ trong {generated:.2} s; đọc {} hồ sơ ({} dòng bị loại) trong {seconds:.3} s — {} hồ sơ/giây, {} luồng",
            bytes.len() / 1_000_000,
            outcome.set.len(),
            outcome.quarantined + outcome.duplicates,
            rate(outcome.set.len(), seconds),
            threads,
        );
        if format == Format::Csv {
            let index = WorkdayIndex::for_years(&calendar, 2023, 2026);
            let (Some(from), Some(to)) = (DayNum::from_ymd(2024, 1, 1), DayNum::from_ymd(2024, 12, 31)) else {
                return;
            };
            let Some(window) = Window::new(from, to) else { return };
            let started = Instant::now();
            let mut per_agency = vec![Counts::default(); outcome.set.agencies.len()];
            for d in &outcome.set.records {
                if let Some(counts) = per_agency.get_mut(d.agency.0 as usize) {
                    tally(d, window, &index, counts);
                }
            }
            let seconds = started.elapsed().as_secs_f64();
            let mut total = Counts::default();
            for counts in &per_agency {
                total.add(counts);
            }
            println!(
                "Phân loại (1 luồng): {} hồ sơ trong {seconds:.3} s — {} hồ sơ/giây; đúng hạn {} / trễ {} / đang xử lý {}",
                outcome.set.len(),
                rate(outcome.set.len(), seconds),
                total.resolved_early + total.resolved_on_time,
                total.resolved_late,
                total.in_progress()
            );
        }
    }
}
