//! The engine's figures: end to end from a CSV file (read, parse, count the year dossier by
//! dossier on two threads), import into a fresh store, a window query from the store, appending
//! one day (30 000 new dossiers) and querying again, and the peak resident memory (VmHWM). A
//! measuring tool, not a test.
//!
//! `cargo run --release -p cchc-dossiers --example engine_bench -- 10000000`
//! (rows, default 1 000 000; the CSV is written to a temporary folder first, not timed).

use std::time::Instant;

use cchc_domain::calendar::WorkCalendar;
use cchc_domain::dossier::{tally, Counts, DayNum, Window};
use cchc_dossiers::{generate, read, store_index, DossierStore, Format, GeneratorConfig, ReadOptions};

fn peak_rss_mib() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM")).map(|l| l.split_whitespace().nth(1).unwrap_or("").to_string())
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or_else(|| "?".into(), |kb| format!("{} MiB", kb / 1024))
}

fn main() {
    if let Err(e) = run() {
        eprintln!("Lỗi: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let rows: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let calendar = WorkCalendar::vietnam();
    let agencies: Vec<String> = (0..20)
        .map(|i| format!("so-{i:02}"))
        .chain((0..12).map(|i| format!("ubnd-huyen-{i:02}")))
        .chain((0..204).map(|i| format!("ubnd-xa-{:05}", 3600 + i)))
        .collect();
    let dir = std::env::temp_dir().join(format!("cchc-engine-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let csv = dir.join("year.csv");
    {
        let file = std::fs::File::create(&csv)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        generate(
            &GeneratorConfig { rows, seed: 2024, year: 2024, agencies: &agencies },
            &calendar,
            Format::Csv,
            &mut out,
        )?;
    }
    let size = std::fs::metadata(&csv)?.len();
    println!("Tệp CSV: {rows} hồ sơ, {} MB", size / 1_000_000);
    let window =
        Window::new(DayNum::from_ymd(2024, 1, 1).ok_or("ngày")?, DayNum::from_ymd(2024, 12, 31).ok_or("ngày")?)
            .ok_or("kỳ")?;
    let index = store_index(&calendar);

    // End to end from the CSV file.
    let started = Instant::now();
    let bytes = std::fs::read(&csv)?;
    let set = read(&bytes, Format::Csv, &ReadOptions::default())?.set;
    drop(bytes);
    let half = set.records.len().div_ceil(2).max(1);
    let parts: Vec<Vec<Counts>> = std::thread::scope(|scope| {
        let handles: Vec<_> = set
            .records
            .chunks(half)
            .map(|part| {
                let index = &index;
                let n = set.agencies.len();
                scope.spawn(move || {
                    let mut counts = vec![Counts::default(); n];
                    for d in part {
                        if let Some(c) = counts.get_mut(d.agency.0 as usize) {
                            tally(d, window, index, c);
                        }
                    }
                    counts
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut total = Counts::default();
    for part in &parts {
        for c in part {
            total.add(c);
        }
    }
    println!(
        "Từ tệp CSV đến bảng năm 2024 (đọc, phân tích, đếm; 2 luồng): {:.3} s — {} hồ sơ nhận",
        started.elapsed().as_secs_f64(),
        total.received
    );
    println!("Bộ nhớ đỉnh đến đây: {}", peak_rss_mib());

    // Import into a fresh store.
    let store = DossierStore::new(&dir.join("store"));
    let started = Instant::now();
    let report = store.append(&set, &index, &mut |_, _, _| {})?;
    println!("Nhập vào kho: {} hồ sơ trong {:.3} s", report.added, started.elapsed().as_secs_f64());
    drop(set);

    // A query from the store (fresh process state: manifest, counters, codes from disk).
    let started = Instant::now();
    let snapshot = store.snapshot()?;
    let counts = snapshot.aggregates.query(window);
    let stored: u64 = counts.iter().map(|c| c.received).sum();
    println!("Truy vấn từ kho (đọc số liệu + tính kỳ): {:.4} s — {stored} hồ sơ nhận", started.elapsed().as_secs_f64());
    assert_eq!(stored, total.received, "the store and the file agree");

    // One day: 30 000 new dossiers (codes H48.… so that they are new), appended and queried.
    let mut day = Vec::new();
    generate(
        &GeneratorConfig { rows: 30_000, seed: 7, year: 2024, agencies: &agencies },
        &calendar,
        Format::Csv,
        &mut day,
    )?;
    let day: Vec<u8> = String::from_utf8(day)?.replace("H47.", "H48.").into_bytes();
    let started = Instant::now();
    let set = read(&day, Format::Csv, &ReadOptions::default())?.set;
    let report = store.append(&set, &index, &mut |_, _, _| {})?;
    let snapshot = store.snapshot()?;
    let after: u64 = snapshot.aggregates.query(window).iter().map(|c| c.received).sum();
    println!(
        "Thêm một ngày ({} hồ sơ mới) và tính lại: {:.3} s — {after} hồ sơ nhận",
        report.added,
        started.elapsed().as_secs_f64()
    );
    println!("Bộ nhớ đỉnh (VmHWM): {}", peak_rss_mib());
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
