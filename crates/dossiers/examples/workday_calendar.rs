//! Exports the working-day calendar (`WorkCalendar::vietnam()`, through the same
//! `WorkdayIndex` the rules use) as CSV, so that another engine (DuckDB in
//! `bench/dossiers.sh`) computes the same legal dates.
//!
//! One row per day of the years `FIRST..=LAST`: `date` (ISO), `is_working` (0/1) and
//! `ordinal`, the number of working days from the first day up to and including this one.
//! With that table, for receipt day `r` and a limit of `n` working days (Civil Code 2015
//! art. 147–148, the day of receipt not counted):
//!
//! - the legal date is the working day whose ordinal is `ordinal(r) + n` (n > 0), or
//!   `ordinal(r) − is_working(r) + 1` (n = 0: `r` rolled forward to a working day); no date
//!   when that ordinal exceeds the last one (the index's range ends there too);
//! - the working days of a supplement, after the request's day up to and including the
//!   completion's day, are `max(0, ordinal(completion) − ordinal(request))`.
//!
//! `cargo run --release -p cchc-dossiers --example workday_calendar -- 2023 2025 > calendar.csv`

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use cchc_domain::calendar::WorkCalendar;
use cchc_domain::dossier::{DayNum, WorkdayIndex};

fn main() -> ExitCode {
    let args: Vec<i32> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (first, last) = match args.as_slice() {
        [first, last] => (*first, *last),
        [year] => (*year, *year),
        _ => {
            eprintln!("Cách dùng: workday_calendar NĂM_ĐẦU NĂM_CUỐI");
            return ExitCode::from(2);
        }
    };
    let index = WorkdayIndex::for_years(&WorkCalendar::vietnam(), first, last);
    match write(&index, io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Lỗi khi ghi lịch: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write(index: &WorkdayIndex, out: impl Write) -> io::Result<()> {
    let mut out = BufWriter::new(out);
    writeln!(out, "date,is_working,ordinal")?;
    for day in (index.first().get()..=index.last().get()).map(DayNum::new) {
        let (y, m, d) = day.ymd();
        let working = u8::from(index.is_working(day) == Some(true));
        let ordinal = index.ordinal(day).unwrap_or(0);
        writeln!(out, "{y:04}-{m:02}-{d:02},{working},{ordinal}")?;
    }
    out.flush()
}
