//! Integration tests of `cchc inspection`: the plan is the same for the same seed and covers at
//! least 30% of each kind; adoption makes milestones; findings and re-inspections.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Run;

#[test]
fn the_plan_is_identical_for_the_same_seed_and_covers_each_kind() {
    let run = Run::new();
    let plan = run.json(&["inspection", "plan", "--year", "2024", "--seed", "2024"]);
    assert_eq!(plan, run.json(&["inspection", "plan", "--year", "2024", "--seed", "2024"]));
    assert_eq!(plan["activity"], "I.5");
    let agencies = plan["agencies"].as_array().expect("agencies");
    for stratum in plan["strata"].as_array().expect("strata") {
        let (kind, total, chosen) = (
            stratum["kind"].as_str().unwrap(),
            stratum["total"].as_u64().unwrap(),
            stratum["chosen"].as_u64().unwrap(),
        );
        assert!(chosen * 100 >= total * 30, "{kind}: {chosen} of {total}");
        assert_eq!(agencies.iter().filter(|a| a["kind"] == kind).count() as u64, chosen);
    }
    assert!(agencies.iter().all(|a| !a["reasons"].as_array().unwrap().is_empty()));
    assert!(agencies.iter().any(|a| a["reasons"].as_array().unwrap().iter().any(|r| r["label"] == "chọn ngẫu nhiên")));
    let other = run.json(&["inspection", "plan", "--year", "2024", "--seed", "7"]);
    assert_ne!(plan["agencies"], other["agencies"]);
    let table = run.ok(&["inspection", "plan", "--year", "2024", "--seed", "2024", "--share", "50"]);
    assert!(table.contains("UBND cấp xã: chọn 102 trên 204"), "{table}");
    let refused = run.fails(&["inspection", "plan", "--year", "2024", "--seed", "1", "--share", "0"]);
    assert!(refused.contains("tỷ lệ"), "{refused}");
}

#[test]
fn adoption_makes_tracked_inspections_with_findings_and_reinspection() {
    let run = Run::new();
    let csv = run.path("tthc.csv");
    std::fs::write(&csv, "ma_co_quan,so_tthc\nso-tu-phap,300\n").expect("write");
    run.ok(&["inspection", "procedures", csv.to_str().unwrap()]);
    let bad = run.path("bad.csv");
    std::fs::write(&bad, "ma_co_quan,so_tthc\nso-khong-co,3\n").expect("write");
    let refused = run.fails(&["inspection", "procedures", bad.to_str().unwrap()]);
    assert!(refused.contains("dòng 2"), "{refused}");

    let adopted = run.json(&[
        "inspection",
        "adopt",
        "--year",
        "2024",
        "--seed",
        "5",
        "--from",
        "01/03/2024",
        "--to",
        "29/11/2024",
    ]);
    assert_eq!(adopted["inspections"], 72);
    assert_eq!(adopted["activity"], "I.5");
    let again = run.fails(&[
        "inspection",
        "adopt",
        "--year",
        "2024",
        "--seed",
        "5",
        "--from",
        "01/03/2024",
        "--to",
        "29/11/2024",
    ]);
    assert!(again.contains("đã được ban hành"), "{again}");

    let list = run.json(&["inspection", "list", "--year", "2024"]);
    let inspections = list["inspections"].as_array().expect("inspections");
    assert_eq!(inspections.len(), 72);
    let stp = inspections.iter().find(|i| i["agency"] == "so-tu-phap").expect("many procedures: inspected");
    let id = stp["id"].as_i64().unwrap().to_string();
    assert!(stp["milestone"].as_i64().is_some(), "each inspection is a milestone");

    let finding = run.json(&[
        "inspection",
        "finding",
        "add",
        "--inspection",
        &id,
        "--text",
        "Chưa niêm yết TTHC",
        "--deadline",
        "30/12/2024",
    ]);
    let finding_id = finding["finding"].as_i64().unwrap().to_string();
    let late =
        run.fails(&["inspection", "finding", "add", "--inspection", &id, "--text", "x", "--deadline", "01/01/2024"]);
    assert!(late.contains("thời hạn khắc phục"), "{late}");
    run.ok(&["inspection", "finding", "reinspect", "--finding", &finding_id, "--on", "30/12/2024"]);
    run.ok(&[
        "inspection",
        "finding",
        "resolve",
        "--finding",
        &finding_id,
        "--on",
        "30/06/2024",
        "--evidence",
        "CV 1/STP",
    ]);
    let list = run.json(&["inspection", "list", "--year", "2024"]);
    let inspections = list["inspections"].as_array().expect("inspections");
    assert_eq!(inspections.len(), 73);
    let stp = inspections.iter().find(|i| i["id"].as_i64().unwrap().to_string() == id).expect("listed");
    assert_eq!(stp["findings"][0]["resolved_on"], "2024-06-30");
    assert!(inspections.iter().any(|i| i["reinspects"].as_i64().map(|f| f.to_string()) == Some(finding_id.clone())));
}
