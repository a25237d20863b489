//! `cchc dossiers …` end to end: generate, import, the table, the late list and the appointment
//! check as JSON; importing twice; a refused file leaving the store untouched; the table
//! computed straight from the file equal to the store's.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;

mod common;

use common::Run;

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.display().to_string(), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// March 2024 for Sở Tư pháp (`tests/fixtures/dossiers-march-2024.csv`, the web tests' too): A carried over and resolved late without apology, B carried over
/// and open past its appointment, D received and early, E withdrawn, F received and open within
/// its appointment; W received 04/03 with 3 working days (legal date 07/03) but an appointment
/// on 08/03: wrong, and early. X is an unknown agency code.
const MARCH_CSV: &str = include_str!("fixtures/dossiers-march-2024.csv");

/// The header row of the export.
fn header() -> &'static str {
    MARCH_CSV.lines().next().unwrap_or_default()
}

#[test]
fn a_hand_computed_month_through_the_command_line() {
    let run = Run::new();
    std::fs::write(run.path("march.csv"), MARCH_CSV).unwrap();
    let import = run.json(&["dossiers", "import", run.path("march.csv").to_str().unwrap()]);
    assert_eq!(import["added"], 7);
    assert_eq!(import["quarantined"], 1, "Q's appointment is before its receipt");
    assert_eq!(import["diagnostics"][0]["line"], 9);
    assert_eq!(import["unknown_agencies"], serde_json::json!(["khong-co-don-vi-nay"]));

    let table = run.json(&["dossiers", "indicators", "--period", "2024-03"]);
    assert_eq!(table["from"], "2024-03-01");
    assert_eq!(table["to"], "2024-03-31");
    let rows = table["results"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let so = &rows[0];
    assert_eq!(so["agency"], "so-tu-phap");
    assert_eq!(so["level"], "tinh");
    let expect = [
        ("received", 4),
        ("carried_over", 2),
        ("resolved_early", 2),
        ("resolved_on_time", 0),
        ("resolved_late", 1),
        ("in_progress_within", 1),
        ("in_progress_overdue", 1),
        ("withdrawn", 1),
        ("online", 1),
        ("late_without_apology", 1),
        ("wrong_appointment", 1),
    ];
    for (field, value) in expect {
        assert_eq!(so[field], value, "{field}");
    }
    // 2.1: (early 2 + within 1) ÷ (resolved 3 + in progress 2) = 60% of 20 points = 12.
    let c21 = &so["points_766"]["components"][0];
    assert_eq!(
        (c21["code"].as_str(), c21["numerator"].as_u64(), c21["denominator"].as_u64()),
        (Some("2.1"), Some(3), Some(5))
    );
    assert_eq!(c21["points"], 12.0);
    assert_eq!(table["unknown_agencies"][0]["DonViXuLy"], "khong-co-don-vi-nay");

    let late = run.json(&["dossiers", "late", "--period", "2024-03"]);
    let ids: Vec<&str> = late["results"].as_array().unwrap().iter().map(|r| r["MaHoSo"].as_str().unwrap()).collect();
    assert_eq!(ids, ["A"]);
    let dates = run.json(&["dossiers", "check-dates", "--period", "2024-03"]);
    assert_eq!(dates["results"].as_array().unwrap().len(), 1);
    assert_eq!(dates["results"][0]["MaHoSo"], "W");
    assert_eq!(dates["results"][0]["given"], "2024-03-08");
    assert_eq!(dates["results"][0]["legal"], "2024-03-07");

    // Filters.
    let none = run.json(&["dossiers", "indicators", "--period", "2024-03", "--level", "xa"]);
    assert_eq!(none["results"].as_array().unwrap().len(), 0);
    let one = run.json(&["dossiers", "indicators", "--period", "2024-03", "--agency", "so-tu-phap"]);
    assert_eq!(one["results"].as_array().unwrap().len(), 1);
    assert!(run.fails(&["dossiers", "indicators", "--period", "2024-13"]).contains("không hợp lệ"));
}

#[test]
fn generate_import_twice_query_and_refuse_bad_files() {
    let run = Run::new();
    let csv = run.path("year.csv");
    let csv = csv.to_str().unwrap();
    run.json(&["dossiers", "generate", "--rows", "20000", "--seed", "3", "--year", "2024", "--out", csv]);
    let first = run.json(&["dossiers", "import", csv]);
    assert_eq!(first["added"], 20000);
    let store = run.path("data").join("dossiers");
    let before = files(&store);
    let second = run.json(&["dossiers", "import", csv]);
    assert_eq!((second["added"].as_u64(), second["unchanged"].as_u64()), (Some(0), Some(20000)));
    assert_eq!(files(&store), before, "importing twice changes nothing");

    // A file with missing columns, and one not in UTF-8: refused with a Vietnamese message,
    // the store's bytes unchanged.
    std::fs::write(run.path("missing.csv"), "MaHoSo,DonViXuLy\nx,so-tu-phap\n").unwrap();
    let message = run.fails(&["dossiers", "import", run.path("missing.csv").to_str().unwrap()]);
    assert!(message.contains("thiếu cột bắt buộc"), "{message}");
    let mut latin1 = format!("{}\n", header()).into_bytes();
    latin1.extend_from_slice(b"\xe0,1.001,so-tu-phap,1,20240304090000,20240307170000,,,2,,0\n");
    std::fs::write(run.path("latin1.csv"), latin1).unwrap();
    let message = run.fails(&["dossiers", "import", run.path("latin1.csv").to_str().unwrap()]);
    assert!(message.contains("UTF-8"), "{message}");
    assert_eq!(files(&store), before, "a refused file changes nothing");

    for period in ["2024Q1", "2024-03", "2024"] {
        let stored = run.json(&["dossiers", "indicators", "--period", period]);
        let direct = run.json(&["dossiers", "indicators", "--period", period, "--file", csv]);
        assert_eq!(stored, direct, "{period}");
        assert!(stored["results"].as_array().unwrap().len() > 100);
    }
    let late = run.json(&["dossiers", "late", "--period", "2024Q1"]);
    let table = run.json(&["dossiers", "indicators", "--period", "2024Q1"]);
    let total: u64 =
        table["results"].as_array().unwrap().iter().map(|r| r["late_without_apology"].as_u64().unwrap()).sum();
    assert_eq!(late["results"].as_array().unwrap().len() as u64, total);
    let dates = run.json(&["dossiers", "check-dates", "--period", "2024Q1"]);
    let wrong: u64 =
        table["results"].as_array().unwrap().iter().map(|r| r["wrong_appointment"].as_u64().unwrap()).sum();
    assert_eq!(dates["results"].as_array().unwrap().len() as u64, wrong);
    assert!(wrong > 0);
}

#[test]
fn other_unit_codes_are_mapped_from_the_command_line() {
    let run = Run::new();
    std::fs::write(run.path("march.csv"), MARCH_CSV).unwrap();
    run.ok(&["dossiers", "import", run.path("march.csv").to_str().unwrap()]);
    let codes = run.json(&["dossiers", "codes"]);
    assert_eq!(codes["mapped"], serde_json::json!([]));
    assert_eq!(codes["unresolved"], serde_json::json!([{ "code": "khong-co-don-vi-nay", "dossiers": 1 }]));

    assert!(run.fails(&["dossiers", "map", "khong-co-don-vi-nay", "so-khong-co"]).contains("không tìm thấy cơ quan"));
    let said = run.ok(&["dossiers", "map", "khong-co-don-vi-nay", "so-tai-chinh"]);
    assert!(said.contains("Đã gán mã «khong-co-don-vi-nay» cho Sở Tài chính"), "{said}");
    let codes = run.json(&["dossiers", "codes"]);
    assert_eq!(codes["mapped"][0]["agency"], "so-tai-chinh");
    assert_eq!(codes["unresolved"], serde_json::json!([]));
    // X now counts for Sở Tài chính: received in March, still open within its appointment.
    let table = run.json(&["dossiers", "indicators", "--period", "2024-03", "--agency", "so-tai-chinh"]);
    assert_eq!(table["results"][0]["received"], 1);
    assert_eq!(table["unknown_agencies"], serde_json::json!([]));

    run.ok(&["dossiers", "unmap", "khong-co-don-vi-nay"]);
    assert!(run.fails(&["dossiers", "unmap", "khong-co-don-vi-nay"]).contains("không tìm thấy"));
}
