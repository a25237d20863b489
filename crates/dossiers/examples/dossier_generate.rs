//! Writes a generated dossier CSV (docs/dossiers.md §4) to a file, for `bench/dossiers.sh`
//! until `cchc dossiers generate` exists. The agency list is the one of `read_bench`: 20
//! departments, 12 district and 204 commune People's Committees (236, the 2024 map's shape).
//!
//! `cargo run --release -p cchc-dossiers --example dossier_generate -- --rows 10000000 --seed 2024 --year 2024 --out /tmp/d.csv`

use std::fs::File;
use std::io::BufWriter;
use std::process::ExitCode;
use std::time::Instant;

use cchc_domain::calendar::WorkCalendar;
use cchc_dossiers::{generate, Format, GeneratorConfig};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let rows: u64 = value("--rows").and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let seed: u64 = value("--seed").and_then(|v| v.parse().ok()).unwrap_or(2024);
    let year: i32 = value("--year").and_then(|v| v.parse().ok()).unwrap_or(2024);
    let Some(out) = value("--out") else {
        eprintln!("Thiếu --out TỆP.csv");
        return ExitCode::from(2);
    };
    let agencies: Vec<String> = (0..20)
        .map(|i| format!("so-{i:02}"))
        .chain((0..12).map(|i| format!("ubnd-huyen-{i:02}")))
        .chain((0..204).map(|i| format!("ubnd-xa-{:05}", 3600 + i)))
        .collect();
    let config = GeneratorConfig { rows, seed, year, agencies: &agencies };
    let started = Instant::now();
    let file = match File::create(&out) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("Không tạo được tệp {out}: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = generate(&config, &WorkCalendar::vietnam(), Format::Csv, BufWriter::with_capacity(1 << 20, file)) {
        eprintln!("Lỗi khi ghi {out}: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "Đã sinh {rows} hồ sơ (seed {seed}, năm {year}) vào {out} trong {:.2} s",
        started.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}
