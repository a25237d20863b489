//! `cchc survey import` and `cchc survey index` on the real binary: a generated set of responses
//! with known shares, every excluded line listed, a refused file storing nothing.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;

mod common;

use common::Run;

/// 10 responses for so-noi-vu: response i rates every item 5 when i < 7, else 2 (70% satisfied
/// everywhere); 4 for so-tu-phap, all «Hài lòng» (100%); then one out-of-range, one invalid, one
/// unknown agency and one duplicated row.
fn survey_csv() -> String {
    let items: Vec<String> = (1..=22).map(|i| format!("C{i}")).collect();
    let mut csv = format!("Mã phiếu,Cơ quan,{}\n", items.join(","));
    for i in 0..10 {
        let level = if i < 7 { "5" } else { "2" };
        writeln!(csv, "NV-{i},so-noi-vu,{}", vec![level; 22].join(",")).unwrap();
    }
    for i in 0..4 {
        writeln!(csv, "TP-{i},Sở Tư pháp,{}", vec!["Hài lòng"; 22].join(",")).unwrap();
    }
    writeln!(csv, "X-1,so-noi-vu,6{}", ",4".repeat(21)).unwrap(); // line 16
    writeln!(csv, "X-2,so-noi-vu,tốt{}", ",4".repeat(21)).unwrap(); // line 17
    writeln!(csv, "X-3,Sở Không Tồn Tại XYZ{}", ",4".repeat(22)).unwrap(); // line 18
    writeln!(csv, "TP-0,Sở Tư pháp,{}", vec!["Hài lòng"; 22].join(",")).unwrap(); // line 19
    csv
}

#[test]
fn survey_import_and_index_give_the_known_shares() {
    let run = Run::on("2025-01-10");
    let file = run.path("khao-sat-2024.csv");
    std::fs::write(&file, survey_csv()).unwrap();
    let out = run.ok(&["survey", "import", "--year", "2024", file.to_str().unwrap()]);
    assert!(out.contains("14 phiếu được nhập và tính, 4 dòng không được tính"), "{out}");
    for line in ["Dòng 16:", "Dòng 17:", "Dòng 18:", "Dòng 19:"] {
        assert!(out.contains(line), "{line} missing in {out}");
    }

    let json: serde_json::Value =
        serde_json::from_str(&run.ok(&["survey", "index", "--year", "2024", "--json"])).unwrap();
    assert_eq!(json["year"], 2024);
    let agencies = json["agencies"].as_array().unwrap();
    assert_eq!(agencies.len(), 2);
    let noi_vu = agencies.iter().find(|a| a["agency"] == "so-noi-vu").unwrap();
    assert_eq!(noi_vu["name"], "Sở Nội vụ");
    assert_eq!(noi_vu["responses"], 10);
    assert_eq!(noi_vu["overall"]["share"], 70.0);
    let elements = noi_vu["elements"].as_array().unwrap();
    assert_eq!(elements.len(), 5);
    assert_eq!(elements[0]["element"], "access");
    assert_eq!(elements[0]["answers"], 40);
    assert_eq!(elements[0]["satisfied"], 28);
    assert_eq!(elements[0]["share"], 70.0);
    assert!(elements[0]["low"].as_f64().unwrap() < 70.0 && elements[0]["high"].as_f64().unwrap() > 70.0);
    let tu_phap = agencies.iter().find(|a| a["agency"] == "so-tu-phap").unwrap();
    assert_eq!(tu_phap["overall"]["share"], 100.0);
    assert_eq!(tu_phap["overall"]["high"], 100.0);
    assert_eq!(json["province"]["responses"], 14);
    // (28 + 16) of (40 + 16) access answers.
    assert_eq!(json["province"]["elements"][0]["share"], 78.6);

    let table = run.ok(&["survey", "index", "--year", "2024"]);
    assert!(table.contains("Toàn tỉnh") && table.contains("70,0%"), "{table}");

    // The same file again: every response already stored, nothing counted twice.
    let again = run.ok(&["survey", "import", "--year", "2024", file.to_str().unwrap()]);
    assert!(again.contains("0 phiếu được nhập và tính, 18 dòng không được tính"), "{again}");
}

#[test]
fn a_file_without_usable_structure_is_refused_and_stores_nothing() {
    let run = Run::on("2025-01-10");
    let file = run.path("sai.csv");
    std::fs::write(&file, "Cơ quan,C1\nso-noi-vu,4\n").unwrap();
    let out = run.cchc(&["survey", "import", "--year", "2024", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("cột mã phiếu"), "{stderr}");
    assert!(!stderr.contains("panicked"));
    let json: serde_json::Value =
        serde_json::from_str(&run.ok(&["survey", "index", "--year", "2024", "--json"])).unwrap();
    assert_eq!(json["province"]["responses"], 0);
    assert_eq!(json["agencies"].as_array().unwrap().len(), 0);
}

#[test]
fn the_survey_configuration_is_exported_edited_and_imported_or_refused_whole() {
    let run = Run::on("2025-01-10");
    let out = run.path("cau-hinh.json");
    let said = run.ok(&["survey", "config", "export", "--year", "2024", "--out", out.to_str().unwrap()]);
    assert!(said.contains("cấu hình mặc định"), "{said}");
    let document = std::fs::read_to_string(&out).unwrap();
    assert!(document.contains("\"element\": \"access\"") && document.contains("\"satisfied\""), "{document}");
    // Only «Rất hài lòng» counts as satisfied.
    let strict = run.path("chat.json");
    std::fs::write(&strict, document.replace("\"satisfied\": [\n    4,\n    5\n  ]", "\"satisfied\": [5]")).unwrap();
    let bad = run.path("loi.json");
    std::fs::write(&bad, document.replace("\"satisfied\": [\n    4,\n    5\n  ]", "\"satisfied\": [9]")).unwrap();
    let refused = run.fails(&["survey", "config", "import", "--year", "2024", bad.to_str().unwrap()]);
    assert!(refused.contains("không có gì thay đổi") && refused.contains("từ 1 đến 5"), "{refused}");
    let again = run.ok(&["survey", "config", "export", "--year", "2024", "--out", out.to_str().unwrap()]);
    assert!(again.contains("cấu hình mặc định"), "{again}");
    let saved = run.ok(&["survey", "config", "import", "--year", "2024", strict.to_str().unwrap(), "--note", "thử"]);
    assert!(saved.contains("phiên bản 1"), "{saved}");
    let file = run.path("khao-sat-2024.csv");
    std::fs::write(&file, survey_csv()).unwrap();
    run.ok(&["survey", "import", "--year", "2024", file.to_str().unwrap()]);
    let json: serde_json::Value =
        serde_json::from_str(&run.ok(&["survey", "index", "--year", "2024", "--json"])).unwrap();
    let share = |id: &str| {
        json["agencies"].as_array().unwrap().iter().find(|a| a["agency"] == id).unwrap()["overall"]["share"].clone()
    };
    // Sở Tư pháp's «Hài lòng» answers no longer count (100% under the default); Sở Nội vụ's
    // «Rất hài lòng» still do.
    assert_eq!(share("so-tu-phap"), 0.0);
    assert_eq!(share("so-noi-vu"), 70.0);
}
