//! The reference per-agency table for `bench/dossiers.sh`: reads a dossier CSV with the
//! `cchc-dossiers` reader and counts every agency's dossiers for one window with the domain's
//! `tally` — the numbers DuckDB's SQL (`bench/dossiers.sql`) and later `cchc dossiers
//! indicators` must reproduce exactly.
//!
//! Output (stdout or `--out`): CSV, one line per agency seen in the file, sorted by code:
//! `agency` then every field of `Counts` in declaration order. Timings and the reader's
//! problem counts go to stderr.
//!
//! `cargo run --release -p cchc-dossiers --example dossier_reference -- --file d.csv --from 2023-12-15 --to 2024-06-13 --years 2023-2025`
//!
//! `--file` may be given more than once (a base file and a day's append): the counts of the
//! files add up, agencies matched by code.
//!
//! `--years A-B` is the range of the working-day index (`WorkdayIndex::for_years`): the
//! calendar table given to DuckDB must cover the same years (`workday_calendar A B`), since a
//! legal date outside the index is "unknown" to the rules. `--threads` (default 2) is used to
//! read and to count.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use cchc_domain::calendar::WorkCalendar;
use cchc_domain::dossier::{tally, Counts, DayNum, Dossier, Window, WorkdayIndex};
use cchc_domain::Date;
use cchc_dossiers::{read_csv, ReadOptions};

/// The column names of the output, in `Counts` order.
const FIELDS: [&str; 23] = [
    "received",
    "carried_over",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress_within",
    "in_progress_overdue",
    "withdrawn",
    "no_appointment",
    "online",
    "online_full",
    "fee_required",
    "paid_online",
    "digitized",
    "electronic_result",
    "digitized_with_result",
    "reused",
    "rated",
    "satisfied",
    "resolved_late_or_dissatisfied",
    "late_without_apology",
    "wrong_appointment",
    "appointment_checked",
];

fn values(c: &Counts) -> [u64; 23] {
    [
        c.received,
        c.carried_over,
        c.resolved_early,
        c.resolved_on_time,
        c.resolved_late,
        c.in_progress_within,
        c.in_progress_overdue,
        c.withdrawn,
        c.no_appointment,
        c.online,
        c.online_full,
        c.fee_required,
        c.paid_online,
        c.digitized,
        c.electronic_result,
        c.digitized_with_result,
        c.reused,
        c.rated,
        c.satisfied,
        c.resolved_late_or_dissatisfied,
        c.late_without_apology,
        c.wrong_appointment,
        c.appointment_checked,
    ]
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn day(text: &str) -> Result<DayNum, String> {
    Date::parse(text)
        .ok()
        .and_then(DayNum::from_date)
        .ok_or_else(|| format!("Ngày không hợp lệ: «{text}» (dùng dd/mm/yyyy hoặc yyyy-mm-dd)"))
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let files: Vec<&String> =
        args.iter().zip(args.iter().skip(1)).filter(|(flag, _)| *flag == "--file").map(|(_, f)| f).collect();
    if files.is_empty() {
        return Err("Thiếu --file TỆP.csv".to_owned());
    }
    let from = day(&value("--from").ok_or("Thiếu --from NGÀY")?)?;
    let to = day(&value("--to").ok_or("Thiếu --to NGÀY")?)?;
    let window = Window::new(from, to).ok_or("Ngày --to phải không trước ngày --from")?;
    let threads: usize = value("--threads").and_then(|v| v.parse().ok()).unwrap_or(2).max(1);
    let years = value("--years").ok_or("Thiếu --years NĂM_ĐẦU-NĂM_CUỐI")?;
    let (first, last) = years
        .split_once('-')
        .and_then(|(a, b)| Some((a.parse::<i32>().ok()?, b.parse::<i32>().ok()?)))
        .ok_or_else(|| format!("--years «{years}» phải có dạng 2023-2025"))?;
    let index = WorkdayIndex::for_years(&WorkCalendar::vietnam(), first, last);

    let started = Instant::now();
    let mut table: BTreeMap<String, Counts> = BTreeMap::new();
    let (mut records, mut quarantined, mut duplicates) = (0, 0, 0);
    for file in files {
        let bytes = std::fs::read(file).map_err(|e| format!("Không đọc được {file}: {e}"))?;
        let outcome =
            read_csv(&bytes, &ReadOptions { threads, ..ReadOptions::default() }).map_err(|e| format!("{file}: {e}"))?;
        drop(bytes);
        let set = &outcome.set;
        let agencies = set.agencies.len();
        let chunk = set.records.len().div_ceil(threads).max(1);
        let count = |records: &[Dossier]| {
            let mut per_agency = vec![Counts::default(); agencies];
            for d in records {
                if let Some(counts) = per_agency.get_mut(d.agency.0 as usize) {
                    tally(d, window, &index, counts);
                }
            }
            per_agency
        };
        let partials: Vec<Vec<Counts>> = std::thread::scope(|scope| {
            let handles: Vec<_> = set.records.chunks(chunk).map(|part| scope.spawn(|| count(part))).collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        for partial in &partials {
            for (code, part) in set.agencies.iter().zip(partial) {
                table.entry(code.clone()).or_default().add(part);
            }
        }
        records += set.len();
        quarantined += outcome.quarantined;
        duplicates += outcome.duplicates;
    }
    let counted = started.elapsed().as_secs_f64();

    let write = |out: &mut dyn Write| -> io::Result<()> {
        writeln!(out, "agency,{}", FIELDS.join(","))?;
        for (code, counts) in &table {
            let numbers: Vec<String> = values(counts).iter().map(u64::to_string).collect();
            writeln!(out, "{code},{}", numbers.join(","))?;
        }
        out.flush()
    };
    let written = match value("--out") {
        Some(path) => {
            let file = File::create(&path).map_err(|e| format!("Không tạo được {path}: {e}"))?;
            write(&mut BufWriter::new(file))
        }
        None => write(&mut BufWriter::new(io::stdout().lock())),
    };
    written.map_err(|e| format!("Lỗi khi ghi kết quả: {e}"))?;
    eprintln!(
        "Tham chiếu: {records} hồ sơ, {} đơn vị ({quarantined} dòng bị loại, {duplicates} trùng); đọc và đếm trong {counted:.3} s ({threads} luồng)",
        table.len(),
    );
    Ok(())
}
