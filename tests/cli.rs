//! Integration tests of the `cchc` command line: each test runs the real binary against a fresh
//! data folder.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/import/data/ke-hoach-cchc-son-la-2024.txt");

mod common;

use common::Run;

fn seed() -> String {
    std::fs::read_to_string(SEED).expect("seed plan")
}

#[test]
fn first_run_creates_the_database_with_the_son_la_plan_preloaded() {
    let run = Run::new();
    let out = run.ok(&[]);
    assert!(out.contains("Cải cách hành chính nhà nước tỉnh Sơn La năm 2024"), "{out}");
    assert!(out.contains("2783/QĐ-UBND"));
    assert!(run.data().join("cchc.sqlite3").exists());
    let versions = run.json(&["plan", "versions"]);
    assert_eq!(versions.as_array().map(Vec::len), Some(1));
    assert_eq!(versions[0]["plan_key"], "son-la-2024");
}

#[test]
fn plan_parse_json_follows_the_contract_and_touches_no_database() {
    let run = Run::new();
    let plan = run.json(&["plan", "parse", SEED]);
    assert!(!run.data().exists(), "plan parse must not create the data folder");
    assert_eq!(plan["meta"]["decision_number"], "2783/QĐ-UBND");
    assert_eq!(plan["meta"]["decision_date"], "2023-12-21");
    assert_eq!(plan["meta"]["province"], "Sơn La");
    assert_eq!(plan["meta"]["year"], 2024);
    let areas = plan["areas"].as_array().expect("areas");
    let counts: Vec<usize> = areas.iter().map(|a| a["activities"].as_array().map_or(0, Vec::len)).collect();
    assert_eq!(counts, vec![16, 6, 8, 14, 7, 9, 15, 6]);
    let targets: usize = areas.iter().map(|a| a["targets"].as_array().map_or(0, Vec::len)).sum();
    let tasks: usize = areas.iter().map(|a| a["tasks"].as_array().map_or(0, Vec::len)).sum();
    assert_eq!((targets, tasks), (33, 38));
    let first = &areas[0]["activities"][0];
    for key in ["number", "title", "outputs", "lead", "partners", "note", "schedule", "lines"] {
        assert!(first.get(key).is_some(), "activity lacks {key}");
    }
    for key in ["text", "kind", "milestones"] {
        assert!(first["schedule"].get(key).is_some(), "schedule lacks {key}");
    }
    for key in ["text", "agencies", "groups"] {
        assert!(first["lead"][0].get(key).is_some(), "ref lacks {key}");
    }
    let periods = plan["reporting_periods"].as_array().expect("periods");
    assert_eq!(periods.len(), 4);
    assert_eq!(periods[0]["data_from"], "2023-12-15");
    assert_eq!(periods[0]["data_to"], "2024-03-13");
    assert_eq!(periods[0]["due"], "2024-03-14");
}

/// The field names of `value`, sorted.
fn keys(value: &serde_json::Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().expect("object").keys().cloned().collect();
    keys.sort();
    keys
}

/// The properties of component `name` of the API's OpenAPI document, sorted.
fn api_fields(name: &str) -> Vec<String> {
    let document = cchc_web::api::openapi::document();
    keys(&document["components"]["schemas"][name]["properties"])
}

#[test]
fn the_json_answers_use_the_api_wire_types_for_what_the_api_also_answers() {
    let run = Run::new();
    let plan = run.json(&["plan", "parse", SEED]);
    assert_eq!(keys(&plan["reporting_periods"][0]), api_fields("ReportingPeriod"));
    let activity = &plan["areas"][0]["activities"][0];
    assert_eq!(keys(activity), api_fields("PlanActivity"));
    assert_eq!(keys(&activity["schedule"]), api_fields("Schedule"));
    assert_eq!(keys(&activity["lead"][0]), api_fields("Responsible"));
    let agencies = run.json(&["agencies", "--search", "noi vu"]);
    assert_eq!(keys(&agencies[0]), api_fields("Agency"));
    let catalogue = run.json(&["indicators"]);
    assert_eq!(keys(&catalogue["indicators"][0]), api_fields("Indicator"));
    assert_eq!(keys(&catalogue["rules"][0]), api_fields("ValidationRule"));
    let mut add = Command::new(env!("CARGO_BIN_EXE_cchc"))
        .args(["user", "add", "--username", "lanhdao", "--role", "viewer", "--password-stdin", "--data"])
        .arg(run.data())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    std::io::Write::write_all(&mut add.stdin.take().expect("stdin"), b"mat-khau-rat-dai\n").expect("write");
    assert!(add.wait().expect("wait").success());
    let users = run.json(&["user", "list"]);
    let mut account = api_fields("Account");
    account.push("id".to_string());
    account.sort();
    assert_eq!(keys(&users[0]), account);
}

#[test]
fn the_parsed_seed_matches_the_reviewed_snapshot() {
    let run = Run::new();
    let plan = run.json(&["plan", "parse", SEED]);
    insta::assert_json_snapshot!("parsed_seed_plan", plan);
}

#[test]
fn what_does_so_tu_phap_owe_and_what_is_overdue_on_1_july_2024() {
    let run = Run::new();
    let owed = run.json(&["activities", "--agency", "Sở Tư pháp"]);
    let codes: Vec<&str> = owed.as_array().expect("list").iter().filter_map(|a| a["code"].as_str()).collect();
    for code in ["II.1", "II.2", "II.3", "II.4", "II.5", "II.6"] {
        assert!(codes.contains(&code), "Sở Tư pháp leads {code}: {codes:?}");
    }
    // As a member of "Các sở, ban, ngành" it is also a partner of area I activities.
    assert!(codes.contains(&"I.1"), "{codes:?}");
    let overdue = run.json(&["activities", "--agency", "so tu phap", "--overdue", "--as-of", "01/07/2024"]);
    let overdue_codes: Vec<&str> =
        overdue.as_array().expect("list").iter().filter_map(|a| a["code"].as_str()).collect();
    assert!(overdue_codes.contains(&"II.1"), "II.1 was due in quý I/2024: {overdue_codes:?}");
    assert!(overdue_codes.contains(&"II.3"), "II.3 was due in tháng 01/2024: {overdue_codes:?}");
    assert!(!overdue_codes.contains(&"II.4"), "II.4 has no dated milestone: {overdue_codes:?}");
    for item in overdue.as_array().expect("list") {
        for m in item["overdue_milestones"].as_array().expect("milestones") {
            assert!(m["due"].as_str().expect("due") < "2024-07-01");
        }
    }
    let table = run.ok(&["activities", "--agency", "Sở Tư pháp", "--overdue", "--as-of", "01/07/2024"]);
    assert!(table.contains("Mốc quá hạn") && table.contains("31/03/2024"), "{table}");
}

#[test]
fn activities_filter_by_area_and_due_range() {
    let run = Run::new();
    let area = run.json(&["activities", "--area", "viii"]);
    assert_eq!(area.as_array().map(Vec::len), Some(6));
    let december = run.json(&["activities", "--due-from", "01/12/2024", "--due-to", "2024-12-31"]);
    for item in december.as_array().expect("list") {
        for m in item["matched_milestones"].as_array().expect("milestones") {
            let due = m["due"].as_str().expect("due");
            assert!(("2024-12-01"..="2024-12-31").contains(&due), "{due}");
        }
    }
    assert!(december.as_array().map_or(0, Vec::len) >= 10);
}

#[test]
fn targets_and_agencies_are_listed() {
    let run = Run::new();
    let targets = run.json(&["targets"]);
    assert_eq!(targets.as_array().map(Vec::len), Some(33));
    let area7 = run.json(&["targets", "--area", "VII"]);
    let levels: Vec<&str> =
        area7[1]["thresholds"].as_array().expect("thresholds").iter().filter_map(|t| t["level"].as_str()).collect();
    assert_eq!(levels, vec!["tinh", "huyen", "xa"]);
    let found = run.json(&["agencies", "--search", "noi vu"]);
    assert!(found.as_array().expect("list").iter().any(|a| a["name"] == "Sở Nội vụ"));
    let all = run.json(&["agencies"]);
    let count = |kind: &str| all.as_array().expect("list").iter().filter(|a| a["kind"] == kind).count();
    assert_eq!((count("province"), count("district"), count("commune")), (1, 12, 204));
    let table = run.ok(&["agencies", "--search", "Mai Sơn"]);
    assert!(table.contains("UBND huyện Mai Sơn"), "{table}");
}

#[test]
fn the_directory_of_any_day_and_its_export_edit_import_cycle() {
    let run = Run::new();
    let on = |date: &str| run.json(&["agencies", "--as-of", date]);
    let count = |list: &serde_json::Value, kind: &str| {
        list.as_array().expect("list").iter().filter(|a| a["kind"] == kind).count()
    };
    let y2024 = on("2024-06-30");
    assert_eq!((count(&y2024, "district"), count(&y2024, "commune"), count(&y2024, "department")), (12, 204, 20));
    let two_level = on("2025-07-01");
    assert_eq!(
        (count(&two_level, "district"), count(&two_level, "commune"), count(&two_level, "department")),
        (0, 75, 15)
    );
    let to_hieu = two_level.as_array().unwrap().iter().find(|a| a["id"] == "ubnd-xa-03646-2025").expect("Tô Hiệu");
    assert_eq!(
        (to_hieu["name"].as_str(), to_hieu["valid_from"].as_str()),
        (Some("UBND phường Tô Hiệu"), Some("2025-07-01"))
    );
    let all = run.json(&["agencies", "--all", "--search", "thong tin truyen thong"]);
    let tt = all.as_array().unwrap().iter().find(|a| a["id"] == "so-thong-tin-truyen-thong").expect("Sở TT&TT");
    assert_eq!((tt["valid_until"].as_str(), tt["ending"].as_str()), (Some("2025-02-28"), Some("merged")));
    assert_eq!(tt["successors"], serde_json::json!(["so-khoa-hoc-cong-nghe"]));
    let table = run.ok(&["agencies", "--as-of", "01/07/2025", "--search", "Tô Hiệu"]);
    assert!(table.contains("từ 01/07/2025") && table.contains("tồn tại ngày 01/07/2025"), "{table}");

    // Export, fill in a successor the sources could not confirm, import: a new version.
    let file = run.path("danh-muc.json");
    run.ok(&["agencies", "export", "--out", file.to_str().unwrap()]);
    let document = std::fs::read_to_string(&file).expect("export");
    let edited = document.replacen(
        "\"id\": \"ubnd-xa-03988\",",
        "\"id\": \"ubnd-xa-03988\",\n      \"successors\": [\"ubnd-xa-03997\"],",
        1,
    );
    assert_ne!(edited, document);
    std::fs::write(&file, &edited).expect("write");
    let imported = run.json(&["agencies", "import", file.to_str().unwrap(), "--note", "Bổ sung kế thừa"]);
    assert_eq!(imported["version"], 2);
    let again = run.json(&["agencies", "--all", "--search", "Tân Hợp"]);
    assert_eq!(again[0]["successors"], serde_json::json!(["ubnd-xa-03997"]));
    // A broken document is refused whole, every error with its line.
    std::fs::write(&file, edited.replacen("\"kind\": \"department\"", "\"kind\": \"phong\"", 1)).expect("write");
    let refused = run.fails(&["agencies", "import", file.to_str().unwrap()]);
    assert!(refused.contains("«phong»") && refused.contains("không nạp gì"), "{refused}");
    assert!(run.ok(&["agencies"]).contains("danh mục phiên bản 2"));
}

#[test]
fn the_open_work_of_an_ended_district_is_handed_over_from_the_command_line() {
    let run = Run::new();
    let plan = run.path("2025.txt");
    std::fs::write(&plan, seed().replace("2024", "2025").replace("2023", "2024")).expect("write");
    assert_eq!(run.json(&["plan", "import", plan.to_str().unwrap()])["status"], "created");
    let pending = run.json(&["assignments", "pending", "--as-of", "01/07/2025"]);
    let rows = pending["pending"].as_array().expect("pending");
    assert_eq!(rows.iter().filter(|r| r["agency"].as_str().unwrap().starts_with("ubnd-huyen-")).count(), 12);
    let city = rows.iter().find(|r| r["agency"] == "ubnd-huyen-116").expect("the city");
    assert!(city["successors"].as_array().unwrap().iter().any(|s| s == "ubnd-xa-03646-2025"));
    // One indicator across the two plans.
    let years = run.json(&["indicators", "years", "VII.2.1"]);
    let listed: Vec<i64> = years["years"].as_array().unwrap().iter().filter_map(|y| y["year"].as_i64()).collect();
    assert_eq!(listed, [2024, 2025]);
    let table = run.ok(&["indicators", "years", "VII.2.1"]);
    assert!(table.contains("Chỉ tiêu VII.2.1") && table.contains("Cấp xã"), "{table}");
    // Four successors: the officer must choose.
    let ask = run.fails(&["assignments", "transfer", "--from", "ubnd-huyen-116", "--as-of", "01/07/2025"]);
    assert!(ask.contains("4 đơn vị kế thừa") && ask.contains("ubnd-xa-03646-2025"), "{ask}");
    // One activity first (a district's work can be divided), then the rest.
    let iii6 = city["by_activity"].as_array().unwrap().iter().find(|a| a["activity"] == "III.6").expect("III.6");
    let one = run.json(&[
        "assignments",
        "transfer",
        "--from",
        "ubnd-huyen-116",
        "--to",
        "ubnd-xa-03664-2025",
        "--activity",
        "III.6",
        "--as-of",
        "01/07/2025",
    ]);
    assert_eq!((one["milestones"].clone(), one["activities"].clone()), (iii6["open_milestones"].clone(), 1.into()));
    let unknown = run.fails(&[
        "assignments",
        "transfer",
        "--from",
        "ubnd-huyen-116",
        "--to",
        "ubnd-xa-03664-2025",
        "--activity",
        "IX.9",
        "--as-of",
        "01/07/2025",
    ]);
    assert!(unknown.contains("«IX.9»"), "{unknown}");
    let done = run.json(&[
        "assignments",
        "transfer",
        "--from",
        "ubnd-huyen-116",
        "--to",
        "ubnd-xa-03646-2025",
        "--as-of",
        "01/07/2025",
    ]);
    assert_eq!(
        done["milestones"].as_u64().unwrap() + one["milestones"].as_u64().unwrap(),
        city["open_milestones"].as_u64().unwrap()
    );
    let table = run.ok(&["activities", "--agency", "ubnd-xa-03646-2025"]);
    assert!(table.contains("III.6"), "{table}");
    let again = run.json(&["assignments", "pending", "--as-of", "01/07/2025"]);
    assert!(!again["pending"].as_array().unwrap().iter().any(|r| r["agency"] == "ubnd-huyen-116"));
    // A unit that still exists is not handed over.
    let refused =
        run.fails(&["assignments", "transfer", "--from", "so-noi-vu", "--to", "so-tu-phap", "--as-of", "01/07/2025"]);
    assert!(refused.contains("vẫn còn tồn tại"), "{refused}");
}

#[test]
fn importing_the_same_document_twice_changes_nothing_and_a_changed_one_is_a_new_version() {
    let run = Run::new();
    run.ok(&[]);
    let same = run.json(&["plan", "import", SEED]);
    assert_eq!(same["status"], "unchanged");
    // The same document with CRLF line ends and a BOM is the same document.
    let crlf = run.path("crlf.txt");
    std::fs::write(&crlf, format!("\u{feff}{}", seed().replace('\n', "\r\n"))).expect("write");
    assert_eq!(run.json(&["plan", "import", crlf.to_str().expect("path")])["status"], "unchanged");
    let changed = run.path("changed.txt");
    std::fs::write(&changed, seed().replace("Tháng 6/2024", "Tháng 7/2024")).expect("write");
    let created = run.json(&["plan", "import", changed.to_str().expect("path")]);
    assert_eq!(created["status"], "created");
    assert_eq!(created["version"]["version"], 2);
    assert_eq!(run.json(&["plan", "versions"]).as_array().map(Vec::len), Some(2));
}

#[test]
fn next_years_plan_is_imported_the_same_way() {
    let run = Run::new();
    let next = run.path("2025.txt");
    let text =
        seed().replace("năm 2024", "năm 2025").replace("2783/QĐ-UBND ngày 21/12/2023", "3001/QĐ-UBND ngày 20/12/2024");
    std::fs::write(&next, text).expect("write");
    let created = run.json(&["plan", "import", next.to_str().expect("path")]);
    assert_eq!(created["status"], "created");
    assert_eq!(created["version"]["plan_key"], "son-la-2025");
    // The newest plan year becomes the default; the older one stays addressable.
    assert_eq!(run.json(&["plan", "show"])["meta"]["year"], 2025);
    assert_eq!(run.json(&["plan", "show", "--plan", "son-la-2024"])["meta"]["year"], 2024);
}

#[test]
fn calendar_commands_count_working_days() {
    let run = Run::new();
    // February 2024: 21 weekdays, minus Tết 8–14/2 (5 weekdays) = 16.
    assert_eq!(run.json(&["calendar", "workdays", "01/02/2024", "29/02/2024"])["workdays"], 16);
    assert_eq!(run.json(&["calendar", "add", "07/02/2024", "1"])["date"], "2024-02-15");
    assert_eq!(run.json(&["calendar", "add", "2024-04-26", "1"])["date"], "2024-05-02");
    // Numbers nobody needs are refused in Vietnamese, not with the standard library's English.
    for (n, expected) in [("1e308", "không phải là số nguyên"), ("99999999999999999999", "số quá lớn")] {
        let err = run.fails(&["calendar", "add", "07/02/2024", n]);
        assert!(err.contains(expected) && !err.contains("invalid") && !err.contains("target type"), "{n}: {err}");
    }
    let holidays = run.json(&["calendar", "holidays", "2024"]);
    let off: Vec<&str> =
        holidays["days_off"].as_array().expect("days").iter().filter_map(|d| d["date"].as_str()).collect();
    for day in [
        "2024-01-01",
        "2024-02-08",
        "2024-02-14",
        "2024-04-18",
        "2024-04-29",
        "2024-04-30",
        "2024-05-01",
        "2024-09-02",
        "2024-09-03",
    ] {
        assert!(off.contains(&day), "{day} should be off: {off:?}");
    }
    let makeup: Vec<&str> =
        holidays["makeup_working_days"].as_array().expect("days").iter().filter_map(|d| d["date"].as_str()).collect();
    assert_eq!(makeup, vec!["2024-05-04"]);
    let table = run.ok(&["calendar", "holidays", "2024"]);
    assert!(table.contains("04/05/2024"), "{table}");
}

#[test]
fn bad_input_gets_a_vietnamese_message_and_a_non_zero_exit() {
    let run = Run::new();
    let missing = run.fails(&["plan", "import", "/khong/ton/tai.txt"]);
    assert!(missing.contains("không tìm thấy tệp"), "{missing}");

    let binary = run.path("binary.docx");
    std::fs::write(&binary, [0x50u8, 0x4b, 0x03, 0x04, 0x00, 0xff, 0x00]).expect("write");
    let err = run.fails(&["plan", "parse", binary.to_str().expect("path")]);
    assert!(err.contains("tệp nhị phân"), "{err}");

    let latin1 = run.path("latin1.txt");
    std::fs::write(&latin1, [b'K', 0xea, b' ', b'h']).expect("write");
    assert!(run.fails(&["plan", "parse", latin1.to_str().expect("path")]).contains("UTF-8"));

    let empty = run.path("empty.txt");
    std::fs::write(&empty, "").expect("write");
    assert!(run.fails(&["plan", "parse", empty.to_str().expect("path")]).contains("không phải là một kế hoạch"));

    let prose = run.path("letter.txt");
    std::fs::write(&prose, "Kính gửi: Sở Nội vụ\n\nĐề nghị quý cơ quan xem xét.\n").expect("write");
    let err = run.fails(&["plan", "import", prose.to_str().expect("path")]);
    assert!(err.contains("không phải là một kế hoạch"), "{err}");
    assert_eq!(run.json(&["plan", "versions"]).as_array().map(Vec::len), Some(1), "nothing imported");

    let bad_date = run.fails(&["activities", "--overdue", "--as-of", "31/02/2024"]);
    assert!(bad_date.contains("ngày không tồn tại"), "{bad_date}");
    assert!(run.fails(&["calendar", "workdays", "hôm qua", "01/01/2024"]).contains("ngày không hợp lệ"));
    assert!(run.fails(&["activities", "--area", "IX"]).contains("lĩnh vực không hợp lệ"));
    assert!(run.fails(&["activities", "--agency", "Bộ Quốc phòng Mỹ"]).contains("không tìm thấy cơ quan"));
    assert!(run.fails(&["khong-co-lenh"]).contains("Lỗi"));
    assert!(run.fails(&["calendar", "workdays", "02/01/2024", "01/01/2024"]).contains("sau ngày kết thúc"));
}

#[test]
fn shipped_seed_is_the_document_as_issued() {
    // SHA-256 of ../shared/seed/ke-hoach-cchc-son-la-2024.txt as received (checked once; the test
    // must not depend on ../shared, which a fresh clone does not have).
    const AS_ISSUED: &str = "2fe770af81aa588551beb13378e47df8150dec6d67fda87b4fe665e41821b44b";
    use sha2::Digest;
    let digest = sha2::Sha256::digest(std::fs::read(SEED).expect("seed"));
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, AS_ISSUED, "the shipped copy differs from the plan as issued");
}

#[test]
fn user_add_creates_accounts_and_refuses_bad_ones() {
    use std::io::Write;
    let run = Run::new();
    let add = |args: &[&str], password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cchc"))
            .args(args)
            .arg("--data")
            .arg(run.data())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        child.stdin.take().expect("stdin").write_all(password.as_bytes()).expect("write");
        child.wait_with_output().expect("wait")
    };
    let ok = add(
        &["user", "add", "--username", "tuphap", "--role", "agency", "--agency", "Sở Tư pháp", "--password-stdin"],
        "mat-khau-rat-dai\n",
    );
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let users = run.json(&["user", "list"]);
    assert_eq!(users[0]["agency"], "so-tu-phap");
    let short = add(&["user", "add", "--username", "x2", "--role", "viewer", "--password-stdin"], "ngan\n");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("ít nhất 10 ký tự"));
    let no_agency =
        add(&["user", "add", "--username", "abc", "--role", "agency", "--password-stdin"], "mat-khau-rat-dai\n");
    assert!(String::from_utf8_lossy(&no_agency.stderr).contains("phải gắn với một cơ quan"));
    let dup =
        add(&["user", "add", "--username", "tuphap", "--role", "viewer", "--password-stdin"], "mat-khau-rat-dai\n");
    assert!(String::from_utf8_lossy(&dup.stderr).contains("đã có người dùng"));
}

#[test]
fn user_deactivate_reactivate_and_reset_password() {
    use std::io::Write;
    let run = Run::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cchc"))
        .args(["user", "add", "--username", "lanhdao", "--role", "viewer", "--password-stdin", "--data"])
        .arg(run.data())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    child.stdin.take().expect("stdin").write_all(b"mat-khau-rat-dai\n").expect("write");
    assert!(child.wait().expect("wait").success());
    let out = run.ok(&["user", "deactivate", "lanhdao"]);
    assert!(out.contains("Đã khóa tài khoản «lanhdao»"), "{out}");
    let users = run.json(&["user", "list"]);
    let lanhdao = users.as_array().expect("array").iter().find(|u| u["username"] == "lanhdao").expect("listed");
    assert_eq!(lanhdao["active"], false);
    assert!(run.ok(&["user", "reactivate", "lanhdao"]).contains("Đã mở khóa"));
    let reset = run.json(&["user", "reset-password", "lanhdao"]);
    assert_eq!(reset["password"].as_str().expect("password").len(), 12);
    assert!(run.fails(&["user", "deactivate", "khong-co"]).contains("không tìm thấy tài khoản «khong-co»"));
    assert!(run.fails(&["serve", "--trusted-proxy", "proxy.local"]).contains("không phải địa chỉ IP"));
}

#[test]
fn serve_prints_the_first_admin_password_once_and_answers_http() {
    use std::io::{BufRead, BufReader, Read, Write};
    let run = Run::new();
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_cchc"))
            .args(["serve", "--addr", "127.0.0.1:0", "--data"])
            .arg(run.data())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn")
    };
    let read_until_serving = |child: &mut std::process::Child| {
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("line");
            let done = line.starts_with("Đang phục vụ tại");
            lines.push(line);
            if done {
                break;
            }
        }
        lines
    };
    let mut first = start();
    let lines = read_until_serving(&mut first);
    assert!(lines.iter().any(|l| l.contains("Mật khẩu:")), "{lines:?}");
    let address = lines
        .last()
        .and_then(|l| l.split("http://").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("address")
        .to_string();
    let mut stream = std::net::TcpStream::connect(&address).expect("connect");
    write!(stream, "GET /dang-nhap HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("Đăng nhập"));
    first.kill().expect("kill");
    let _ = first.wait();
    // A second start on the same data prints no password.
    let mut second = start();
    let lines = read_until_serving(&mut second);
    assert!(!lines.iter().any(|l| l.contains("Mật khẩu:")), "{lines:?}");
    second.kill().expect("kill");
    let _ = second.wait();
}

/// A blank CSV form with every indicator answered: `values` for the codes given, «không áp
/// dụng» for the others.
fn answer_all(blank: &str, values: &[(&str, &str, &str)]) -> String {
    blank
        .split("\r\n")
        .map(|line| {
            let code = line.split(',').next().unwrap_or_default();
            let is_indicator = code.contains('.') && code.starts_with(['I', 'V']);
            match values.iter().find(|(c, _, _)| *c == code) {
                Some((_, n, d)) if line.ends_with(",,,,") => {
                    format!("{},{n},{d},,", &line[..line.len() - 4])
                }
                None if is_indicator && line.ends_with(",,,,") => {
                    format!("{},,,Không phát sinh trong kỳ,", &line[..line.len() - 4])
                }
                _ => line.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[test]
fn a_commune_report_goes_from_form_to_consolidated_word_document() {
    let run = Run::new();
    let csv = run.path("form.csv");
    let csv_arg = csv.to_str().expect("path");
    run.ok(&["report", "form", "--agency", "ubnd-xa-03646", "--period", "2024S1", "--out", csv_arg]);
    let xlsx = run.path("form.xlsx");
    run.ok(&[
        "report",
        "form",
        "--agency",
        "ubnd-xa-03646",
        "--period",
        "2024S1",
        "--out",
        xlsx.to_str().expect("path"),
    ]);
    assert_eq!(&std::fs::read(&xlsx).expect("xlsx")[..2], b"PK");
    let blank = std::fs::read_to_string(&csv).expect("csv");
    assert!(
        blank.contains("#agency=ubnd-xa-03646") && blank.contains("ma,ten,tu_so,mau_so,khong_ap_dung,thuyet_minh"),
        "{blank}"
    );
    // Nothing answered: refused, nothing submitted.
    let err = run.fails(&["report", "submit", "--agency", "ubnd-xa-03646", "--period", "2024S1", csv_arg]);
    assert!(err.contains("chưa trả lời"), "{err}");
    // A cell the officer typed «abc» into: the whole file is refused, with the line.
    std::fs::write(&csv, answer_all(&blank, &[("VII.2.1", "abc", "100")])).expect("write");
    let err = run.fails(&["report", "submit", "--agency", "ubnd-xa-03646", "--period", "2024S1", csv_arg]);
    assert!(err.contains("«abc» không phải là số") && err.contains("không lưu gì"), "{err}");
    // Numerator above denominator: refused, nothing submitted.
    std::fs::write(&csv, answer_all(&blank, &[("VII.2.1", "120", "100")])).expect("write");
    let err = run.fails(&["report", "submit", "--agency", "ubnd-xa-03646", "--period", "2024S1", csv_arg]);
    assert!(err.contains("lớn hơn mẫu số"), "{err}");
    // Fixed: submitted (63/112 for the rounding below).
    std::fs::write(&csv, answer_all(&blank, &[("VII.2.1", "63", "112")])).expect("write");
    let done = run.json(&["report", "submit", "--agency", "ubnd-xa-03646", "--period", "2024S1", csv_arg]);
    assert_eq!(done["status"], "submitted");
    // A form of another agency is refused whole.
    let other = run.path("other.csv");
    std::fs::write(&other, blank.replace("ubnd-xa-03646", "ubnd-xa-03649")).expect("write");
    let err = run.fails(&[
        "report",
        "submit",
        "--agency",
        "ubnd-xa-03646",
        "--period",
        "2024S1",
        other.to_str().expect("path"),
    ]);
    assert!(err.contains("không lưu gì"), "{err}");

    // Sở Nội vụ's side from scripts: accept, the results, return, a receipt date, an extension.
    let accepted = run.json(&["report", "accept", "--period", "2024S1", "--agency", "ubnd-xa-03646"]);
    assert_eq!(accepted["status"], "accepted");
    let results = run.json(&["report", "results", "--period", "2024S1"]);
    let xa = results["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["indicator"] == "VII.2.1" && r["level"] == "xa")
        .expect("commune row")
        .clone();
    assert_eq!(
        (xa["numerator"].as_f64(), xa["denominator"].as_f64(), xa["value"].as_f64()),
        (Some(63.0), Some(112.0), Some(56.3))
    );
    assert_eq!(
        (xa["threshold_text"].as_str(), xa["verdict"].as_str(), xa["reporting_agencies"].as_u64()),
        (Some("≥ 75%"), Some("not_met"), Some(1))
    );
    let table = run.ok(&["report", "results", "--period", "2024S1"]);
    assert!(table.contains("56,3%") && table.contains("Chưa đạt"), "{table}");
    let returned =
        run.json(&["report", "return", "--period", "2024S1", "--agency", "ubnd-xa-03646", "--reason", "Sai số liệu"]);
    assert_eq!(
        (returned["status"].as_str(), returned["returned_reason"].as_str()),
        (Some("returned"), Some("Sai số liệu"))
    );
    let status = run.json(&["report", "status", "--period", "2024S1"]);
    for key in ["expected", "not_submitted", "awaiting", "returned", "accepted", "on_time", "late"] {
        assert!(status[key].is_u64(), "{key}: {status}");
    }
    assert_eq!(
        (status["returned"].as_u64(), status["awaiting"].as_u64(), status["late"].as_u64()),
        (Some(1), Some(0), Some(0))
    );
    assert_eq!(status["period"]["due"], "2024-06-14");
    assert!(status["expected"].as_u64().expect("expected") >= 241);
    let communes =
        status["groups"].as_array().expect("groups").iter().find(|g| g["kind"] == "commune").expect("communes").clone();
    assert_eq!(communes["returned"], 1);
    let received = run.json(&[
        "report",
        "receive",
        "--period",
        "2024S1",
        "--agency",
        "ubnd-xa-03646",
        "--date",
        "12/06/2024",
        "--reason",
        "Bản giấy",
    ]);
    assert_eq!(received["received_on"], "2024-06-12");
    let extended = run.json(&[
        "report",
        "extend",
        "--period",
        "2024S1",
        "--agency",
        "ubnd-xa-03649",
        "--until",
        "21/06/2024",
        "--reason",
        "Mưa lũ",
    ]);
    assert_eq!(extended["until"], "2024-06-21");
    assert!(run
        .fails(&[
            "report",
            "extend",
            "--period",
            "2024S1",
            "--agency",
            "ubnd-xa-03649",
            "--until",
            "01/06/2024",
            "--reason",
            "x"
        ])
        .contains("phải sau hạn gửi"));

    // The consolidated report, numbered and signed.
    let settings = run.json(&["report", "settings", "--signer-title", "KT. GIÁM ĐỐC|PHÓ GIÁM ĐỐC"]);
    assert_eq!(settings["signer_title"], serde_json::json!(["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]));
    assert_eq!(settings["recipients"][0], "Bộ Nội vụ (b/c)");
    let docx = run.path("bao-cao.docx");
    let out = run.json(&[
        "report",
        "consolidate",
        "--period",
        "2024S1",
        "--date",
        "15/06/2024",
        "--number",
        "123",
        "--signer",
        "Nguyễn Văn A",
        "--out",
        docx.to_str().expect("path"),
    ]);
    assert_eq!(out["number"], "123");
    assert_eq!(&std::fs::read(&docx).expect("docx")[..2], b"PK");
    assert!(run.path("bao-cao.xlsx").exists(), "{out}");
    let indicators = run.json(&["indicators"]);
    assert_eq!(indicators["indicators"].as_array().map(Vec::len), Some(45));
    assert!(run.fails(&["report", "status", "--period", "2024Q2"]).contains("kỳ báo cáo"));
    assert!(run.fails(&["report", "status", "--period", "quy-1"]).contains("kỳ báo cáo không hợp lệ"));
}

#[test]
fn an_administrator_edits_the_indicator_catalogue_without_touching_code() {
    let run = Run::new();
    let catalogue = run.path("chi-tieu.json");
    let rules = run.path("quy-tac.json");
    run.ok(&[
        "indicators",
        "export",
        "--out",
        catalogue.to_str().expect("p"),
        "--rules-out",
        rules.to_str().expect("p"),
    ]);
    let original = std::fs::read_to_string(&catalogue).expect("catalogue");
    let renamed = original.replacen("Tỷ lệ số hóa kết quả giải quyết TTHC", "Tỷ lệ số hóa kết quả TTHC (sửa)", 1);
    assert_ne!(renamed, original, "the seed names the digitisation indicator");
    std::fs::write(&catalogue, &renamed).expect("write");
    let imported = run.json(&["indicators", "import", catalogue.to_str().expect("p"), "--note", "đổi tên"]);
    assert_eq!(imported["version"], 1);
    let now = run.json(&["indicators"]);
    assert_eq!(now["version"], 1);
    assert!(now["indicators"].as_array().expect("list").iter().any(|i| i["name"] == "Tỷ lệ số hóa kết quả TTHC (sửa)"));
    // A broken catalogue is refused whole.
    std::fs::write(&catalogue, "{ không phải JSON").expect("write");
    let err = run.fails(&["indicators", "import", catalogue.to_str().expect("p")]);
    assert!(err.contains("không nạp gì"), "{err}");
    assert_eq!(run.json(&["indicators"])["version"], 1);
}

#[test]
fn output_into_a_pipe_closed_early_ends_quietly() {
    use std::io::Read;
    let run = Run::new();
    run.ok(&["plan", "show"]);
    // 140 KB of JSON: more than a pipe holds, so the command is still writing when the reader
    // goes away, like `cchc activities --json | head`.
    for args in [&["activities", "--json"][..], &["activities"][..], &["agencies", "--json"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cchc"))
            .args(args)
            .arg("--data")
            .arg(run.data())
            .env("CCHC_TODAY", "2024-07-01")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut stdout = child.stdout.take().expect("stdout");
        let mut first = [0u8; 64];
        stdout.read_exact(&mut first).expect("the first bytes");
        drop(stdout);
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "cchc {args:?} | head panicked: {stderr}");
        assert!(out.status.success(), "cchc {args:?} | head: {:?} {stderr}", out.status);
        assert!(stderr.is_empty(), "cchc {args:?} | head said: {stderr}");
    }
}

#[cfg(unix)]
#[test]
fn the_data_folder_and_database_are_the_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let run = Run::new();
    run.ok(&["plan", "show"]);
    let mode = |p: &Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode(&run.data()), 0o700);
    for entry in std::fs::read_dir(run.data()).expect("data folder") {
        let path = entry.expect("entry").path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
}

/// The 2024 plan amended: II.3 removed, II.2's plan re-dated (January → February), II.7 added.
fn amended_2024() -> String {
    let mut out = Vec::new();
    for line in seed().split('\n') {
        if line.starts_with("3\tBan hành Quyết định công bố danh mục các văn bản quy phạm pháp luật")
        {
            continue;
        }
        if line.starts_with("2\tBan hành Kế hoạch của UBND tỉnh thực hiện công tác kiểm tra") {
            out.push(line.replace("Ban hành Kế hoạch (tháng 01/2024)", "Ban hành Kế hoạch (tháng 02/2024)"));
            continue;
        }
        out.push(line.to_string());
        if line.starts_with("6\tBan hành Kế hoạch theo dõi tình hình thi hành pháp luật các lĩnh vực") {
            out.push("7\tRà soát văn bản quy phạm pháp luật về đất đai\tBáo cáo kết quả rà soát\tSở Tư pháp\tSở Tài nguyên và Môi trường\tTháng 9/2024\t".to_string());
        }
    }
    out.join("\n")
}

/// Records progress on the first milestone of `code` for Sở Tư pháp, through the services (the
/// command line records none: officers use the web application).
fn record_done(data: &Path, code: &str, on: &str, evidence: &str) {
    use cchc_domain::tracking::{Evidence, MilestoneQuery, ProgressStatus};
    use cchc_domain::{AgencyId, Date, Timestamp};
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let app = cchc_services::App::open(data).await.expect("open");
        let now = Timestamp::parse_rfc3339("2024-07-01T03:00:00Z").expect("now");
        let agency = AgencyId::parse("so-tu-phap").expect("agency");
        let account = cchc_services::accounts::NewAccount {
            username: format!("tuphap-{}", code.replace('.', "-").to_lowercase()),
            display_name: "Cán bộ Sở Tư pháp".into(),
            role: cchc_domain::account::UserRole::Agency,
            agency: Some(agency.clone()),
            password: "mat-khau-du-dai".into(),
        };
        let officer = app.create_account(&account, now).await.expect("officer");
        let (version, _, _) = app.current_plan(None).await.expect("plan");
        let query = MilestoneQuery { agency: Some(agency), ..Default::default() };
        let milestones = app.milestones(&version, &query).await.expect("milestones");
        let first = milestones.iter().find(|m| m.activity_code() == code).expect("milestone");
        let date = Date::parse(on).expect("date");
        let input = cchc_services::tracking::ProgressInput {
            status: ProgressStatus::Done,
            completed_on: Some(date),
            evidence: Evidence { number: evidence.into(), date: Some(date), issuer: "UBND tỉnh".into() },
            file: None,
            comment: String::new(),
        };
        app.record_progress(&officer, first.id, input, now).await.expect("progress");
    });
}

#[test]
fn progress_on_the_2024_plan_survives_an_amended_version_and_the_diff_says_so() {
    let run = Run::new();
    let amended = run.path("sua-doi.txt");
    std::fs::write(&amended, amended_2024()).expect("write");
    let amended = amended.to_str().expect("path");

    // The diff of two files touches no database.
    let diff = run.json(&["plan", "diff", SEED, amended]);
    assert!(!run.data().exists(), "plan diff created the data folder");
    let codes = |key: &str| -> Vec<String> {
        diff[key].as_array().expect("list").iter().map(|a| a["code"].as_str().expect("code").to_string()).collect()
    };
    assert_eq!(
        (codes("added"), codes("removed"), codes("changed")),
        (vec!["II.7".to_string()], vec!["II.3".to_string()], vec!["II.2".to_string()])
    );
    let changes = diff["changed"][0]["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1);
    assert_eq!((changes[0]["field"].as_str(), changes[0]["label"].as_str()), (Some("schedule"), Some("thời gian")));
    let table = run.ok(&["plan", "diff", SEED, amended]);
    assert!(table.contains("Thêm mới") && table.contains("Bỏ") && table.contains("«thời gian»"), "{table}");
    assert!(table.contains("1 hoạt động thêm mới, 1 bỏ, 1 thay đổi"), "{table}");

    // Progress on version 1, then the amended import.
    run.ok(&[]);
    record_done(&run.data(), "II.2", "18/01/2024", "15/KH-UBND");
    record_done(&run.data(), "II.3", "20/01/2024", "99/QĐ-UBND");
    let out = run.ok(&["plan", "import", amended]);
    assert!(out.contains("phiên bản 2") && out.contains("Thay đổi so với phiên bản 1"), "{out}");
    assert!(
        out.contains("│ Thêm mới ┆ II.7") && out.contains("│ Bỏ       ┆ II.3") && out.contains("│ Thay đổi ┆ II.2"),
        "{out}"
    );
    assert!(
        out.contains("Đã chuyển 1 mốc tiến độ, 1 bằng chứng, 0 sự kiện sang phiên bản mới; 0 mốc cần xác nhận."),
        "{out}"
    );
    assert!(out.contains("1 mốc đã có tiến độ không còn trong phiên bản mới"), "{out}");

    // Version 2 holds II.2's progress (carried from version 1); version 1 still holds II.3's.
    let now = run.json(&["plan", "progress"]);
    assert_eq!(now["version"]["version"], 2);
    let rows = now["milestones"].as_array().expect("rows");
    assert_eq!(rows.len(), 1, "{now}");
    assert_eq!((rows[0]["activity"].as_str(), rows[0]["status"].as_str()), (Some("II.2"), Some("done")));
    assert_eq!((rows[0]["due"].as_str(), rows[0]["completed_on"].as_str()), (Some("2024-02-29"), Some("2024-01-18")));
    assert_eq!(rows[0]["carried_from_versions"], serde_json::json!([1]));
    let old = run.json(&["plan", "progress", "--version", "1", "--activity", "II.3"]);
    assert_eq!(old["milestones"][0]["completed_on"], "2024-01-20");
    assert!(run.ok(&["plan", "show", "--version", "1"]).contains("phiên bản 1"));
    assert!(run.ok(&["plan", "carry-over"]).contains("Không còn mốc nào cần xác nhận"));
    let pending = run.json(&["plan", "carry-over"]);
    assert_eq!(pending["not_carried"][0]["activity"], "II.3");
    assert!(run.fails(&["plan", "carry-over", "--match", "1=x"]).contains("MÃ_MỐC_CŨ=MÃ_MỐC_MỚI"));
}

#[test]
fn an_uncertain_match_is_carried_once_an_administrator_confirms_it() {
    let run = Run::new();
    run.ok(&[]);
    record_done(&run.data(), "II.5", "25/01/2024", "20/KH-UBND");
    let retitled = run.path("doi-ten.txt");
    let text = seed().replace(
        "Ban hành Kế hoạch về công tác theo dõi tình hình thi hành pháp luật trên địa bàn tỉnh",
        "Tổ chức tập huấn nghiệp vụ cho cán bộ pháp chế",
    );
    std::fs::write(&retitled, text).expect("write");
    let imported = run.json(&["plan", "import", retitled.to_str().expect("path")]);
    assert_eq!(imported["carried"]["milestones"], 0);
    assert_eq!(imported["diff"]["changed"][0]["matched_by"], "number_only");
    let pending = run.json(&["plan", "carry-over"]);
    let old = pending["to_confirm"][0]["old"]["id"].as_i64().expect("old id");
    let new = pending["to_confirm"][0]["candidates"][0]["id"].as_i64().expect("new id");
    let table = run.ok(&["plan", "carry-over"]);
    assert!(table.contains("Các mốc cần xác nhận") && table.contains("--match"), "{table}");
    let confirmed = run.ok(&["plan", "carry-over", "--match", &format!("{old}={new}")]);
    assert!(
        confirmed.contains("Đã chuyển 1 mốc tiến độ, 1 bằng chứng, 0 sự kiện sang phiên bản mới; 0 mốc cần xác nhận."),
        "{confirmed}"
    );
    let rows = run.json(&["plan", "progress", "--activity", "ii.5"]);
    assert_eq!(rows["milestones"][0]["id"].as_i64(), Some(new));
    assert_eq!(rows["milestones"][0]["carried_from_versions"], serde_json::json!([1]));
    // Confirming again is refused in Vietnamese.
    let err = run.fails(&["plan", "carry-over", "--match", &format!("{old}={new}")]);
    assert!(err.contains("đã"), "{err}");
}

#[test]
fn evaluation_framework_export_import_refuses_whole_and_score_lists_every_agency() {
    let run = Run::new();
    let file = run.path("tieu-chi.json");
    let file_arg = file.to_str().unwrap();
    run.ok(&["evaluation", "framework", "export", "--year", "2024", "--kind", "department", "--out", file_arg]);
    let original = std::fs::read_to_string(&file).unwrap();
    // Points that do not add up and an unknown method: refused, exit ≠ 0, every error with its line.
    let broken = original.replacen("\"max\": 100.0", "\"max\": 98.0", 1).replacen(
        "\"measure\": \"reports_on_time\"",
        "\"measure\": \"ho_so\"",
        1,
    );
    let bad = run.path("sai.json");
    std::fs::write(&bad, broken).unwrap();
    let stderr = run.fails(&["evaluation", "framework", "import", bad.to_str().unwrap()]);
    assert!(stderr.contains("không có gì thay đổi"), "{stderr}");
    assert!(stderr.contains("dòng 7: Tổng điểm tối đa của bộ tiêu chí ghi 98"), "{stderr}");
    assert!(stderr.contains("số liệu tự động «ho_so» không có"), "{stderr}");
    let again = run.path("lai.json");
    run.ok(&[
        "evaluation",
        "framework",
        "export",
        "--year",
        "2024",
        "--kind",
        "department",
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read_to_string(&again).unwrap(), original, "nothing changed");
    // A correct edit becomes version 1.
    std::fs::write(&bad, original.replacen("(mẫu)", "(QĐ thử)", 1)).unwrap();
    let imported = run.json(&["evaluation", "framework", "import", bad.to_str().unwrap(), "--note", "QĐ thử"]);
    assert_eq!(imported["version"], 1);

    let scores = run.json(&["evaluation", "score", "--year", "2024"]);
    let results = scores["results"].as_array().unwrap();
    let count = |kind: &str| results.iter().filter(|r| r["kind"] == kind).count();
    assert!(count("department") >= 20, "{}", count("department"));
    assert_eq!(count("district"), 12);
    let first = &results[0];
    for key in ["agency", "kind", "points", "max", "index", "rank", "band", "by_area"] {
        assert!(first.get(key).is_some(), "{key} missing: {first}");
    }
    assert_eq!(first["by_area"].as_array().unwrap().len(), 8);
}

#[test]
fn rating_rules_are_refused_whole_then_a_rule_set_rates_with_the_cap_and_an_override() {
    let run = Run::new();
    // The rules of 2024 are those shipped for Decree 90/2020 (as amended by 48/2023).
    let file = run.path("quy-tac.json");
    let file_arg = file.to_str().unwrap();
    let exported = run.json(&["rating", "rules", "export", "--year", "2024", "--out", file_arg]);
    assert_eq!(exported["valid_from_year"], 2024);
    assert!(exported["version"].is_null());
    let original = std::fs::read_to_string(&file).unwrap();
    assert!(original.contains("48/2023/NĐ-CP"));
    // Components that do not add up and an unknown level: refused, exit ≠ 0, each with its line.
    let broken = original.replacen("\"max\": 20.0", "\"max\": 10.0", 1).replacen("\"tot\"", "\"gioi\"", 1);
    let bad = run.path("sai.json");
    std::fs::write(&bad, &broken).unwrap();
    let stderr = run.fails(&["rating", "rules", "import", bad.to_str().unwrap()]);
    assert!(stderr.contains("không có gì thay đổi"), "{stderr}");
    let components_line = broken.lines().position(|l| l.contains("\"components\"")).unwrap() + 1;
    assert!(stderr.contains(&format!("dòng {components_line}: Tổng điểm tối đa của các thành phần là 90")), "{stderr}");
    let level_line = broken.lines().position(|l| l.contains("\"gioi\"")).unwrap() + 1;
    assert!(stderr.contains(&format!("dòng {level_line}: Mức xếp loại thứ 3: mức «gioi» không có")), "{stderr}");
    run.ok(&["rating", "rules", "export", "--year", "2024", "--out", file_arg]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original, "nothing changed");

    // A province's own set from 2024: 90 points given to everyone, 10 for milestones on time.
    let own = r#"{
  "title": "Thử", "basis": "Quyết định thử của UBND tỉnh", "valid_from_year": 2024,
  "excellent_cap_percent": 20,
  "components": [
    { "code": "chung", "name": "Tiêu chí chung", "max": 90, "source": "constant", "share": 100 },
    { "code": "tien-do", "name": "Tiến độ", "max": 10, "source": "auto", "measure": "milestones_on_time" }
  ],
  "bands": [
    { "from": 0, "level": "khong-hoan-thanh" }, { "from": 50, "level": "hoan-thanh" },
    { "from": 70, "level": "tot" }, { "from": 90, "level": "xuat-sac" }
  ],
  "notes": ["Bộ quy tắc thử."]
}"#;
    std::fs::write(&bad, own).unwrap();
    assert_eq!(run.json(&["rating", "rules", "import", bad.to_str().unwrap()])["version"], 1);
    // Sở Tư pháp finishes one of its 21 milestones due by 01/07/2024 on time: 1/21 of 10 points
    // = 0,476… → 0,48; total 90,48. Every other department has 90 (nothing on time): all 20
    // departments reach "excellent", the cap is floor(20% × 20) = 4; the fifth highest total is
    // 90, so every agency at 90 loses it (ties at the boundary all lose) and only Sở Tư pháp
    // keeps it.
    record_done(&run.data(), "II.2", "18/01/2024", "15/KH-UBND");
    let rating = run.json(&["rating", "--year", "2024"]);
    assert_eq!(rating["basis"], "Quyết định thử của UBND tỉnh");
    assert_eq!(rating["rules_version"], 1);
    let results = rating["results"].as_array().unwrap();
    let departments: Vec<&serde_json::Value> = results.iter().filter(|r| r["kind"] == "department").collect();
    assert_eq!(departments.len(), 20);
    let group = rating["groups"].as_array().unwrap().iter().find(|g| g["kind"] == "department").unwrap();
    assert_eq!(group["excellent_cap"], 4);
    let stp = departments.iter().find(|r| r["agency"] == "so-tu-phap").unwrap();
    assert_eq!(stp["components"][0]["points"], 90.0);
    assert_eq!(stp["components"][1]["points"], 0.48);
    assert_eq!(stp["components"][1]["max"], 10.0);
    assert_eq!(stp["total"], 90.48);
    assert_eq!((&stp["level"], &stp["capped"]), (&serde_json::json!("xuat-sac"), &serde_json::json!(false)));
    for other in departments.iter().filter(|r| r["agency"] != "so-tu-phap") {
        assert_eq!(other["total"], 90.0, "{other}");
        assert_eq!(other["level_before_cap"], "xuat-sac");
        assert_eq!(other["level"], "tot");
        assert_eq!(other["capped"], true);
        assert!(other["override"].is_null());
    }

    // An override needs a reason, is shown beside the computed level and keeps its history.
    let stderr = run.fails(&[
        "rating",
        "override",
        "--year",
        "2024",
        "--agency",
        "so-noi-vu",
        "--level",
        "xuat-sac",
        "--reason",
        "  ",
    ]);
    assert!(stderr.contains("cần ghi lý do"), "{stderr}");
    let stderr = run.fails(&[
        "rating",
        "override",
        "--year",
        "2024",
        "--agency",
        "so-khong-co",
        "--level",
        "tot",
        "--reason",
        "x",
    ]);
    assert!(stderr.contains("không tìm thấy cơ quan «so-khong-co"), "{stderr}");
    for (level, reason) in [("hoan-thanh", "Nhầm"), ("xuat-sac", "Hoàn thành xuất sắc nhiệm vụ đột xuất được giao")]
    {
        run.ok(&[
            "rating",
            "override",
            "--year",
            "2024",
            "--agency",
            "so-noi-vu",
            "--level",
            level,
            "--reason",
            reason,
        ]);
    }
    let rating = run.json(&["rating", "--year", "2024"]);
    let snv = rating["results"].as_array().unwrap().iter().find(|r| r["agency"] == "so-noi-vu").unwrap().clone();
    assert_eq!(snv["level"], "xuat-sac");
    assert_eq!(snv["computed_level"], "tot");
    assert_eq!(snv["override"]["reason"], "Hoàn thành xuất sắc nhiệm vụ đột xuất được giao");
    assert_eq!(snv["history"].as_array().unwrap().len(), 2);
    assert_eq!(snv["history"][0]["level"], "hoan-thanh");
    let table = run.ok(&["rating", "--year", "2024"]);
    assert!(table.contains("Quyết định thử của UBND tỉnh") && table.contains("Sở Tư pháp"), "{table}");
    assert!(run.fails(&["rating"]).contains("cần ghi năm xếp loại"));
}

#[test]
fn evaluation_sheet_and_ranking_documents_are_written() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    use std::io::Read;

    let run = Run::new();
    let text = |range: &calamine::Range<Data>, row: u32, col: u32| match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };

    // One agency's score sheet.
    let sheet = run.path("bang-diem.xlsx");
    let written = run.json(&[
        "evaluation",
        "sheet",
        "--year",
        "2024",
        "--agency",
        "so-tu-phap",
        "--out",
        sheet.to_str().unwrap(),
    ]);
    assert_eq!(written["agency"], "so-tu-phap");
    let mut workbook: Xlsx<_> = open_workbook(&sheet).unwrap();
    let range = workbook.worksheet_range("Bảng điểm").unwrap();
    assert_eq!(text(&range, 0, 0), "BẢNG ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2024");
    assert_eq!(text(&range, 1, 0), "Sở Tư pháp");
    assert!(text(&range, 4, 0).contains("bộ tiêu chí mẫu"), "{}", text(&range, 4, 0));
    assert_eq!(text(&range, 5, 10), "Điểm tính");
    assert_eq!(text(&range, 6, 0), "I");
    let codes: Vec<String> = (6..range.height() as u32).map(|r| text(&range, r, 0)).collect();
    assert!(codes.iter().any(|c| c == "I.1.1") && codes.iter().any(|c| c.starts_with("VIII")), "{codes:?}");
    let total = (0..range.height() as u32).find(|r| text(&range, *r, 0).starts_with("Tổng điểm đạt được")).unwrap();
    assert!(matches!(range.get_value((total, 10)), Some(Data::Float(_))));
    let unknown = run.fails(&["evaluation", "sheet", "--year", "2024", "--agency", "khong-co", "--out", "x.xlsx"]);
    assert!(!unknown.is_empty());

    // The ranking: a sheet per kind.
    let ranking = run.path("xep-hang.xlsx");
    run.ok(&["evaluation", "ranking", "--year", "2024", "--out", ranking.to_str().unwrap()]);
    let mut workbook: Xlsx<_> = open_workbook(&ranking).unwrap();
    assert_eq!(workbook.sheet_names(), vec!["Sở, ban, ngành".to_string(), "UBND cấp huyện".to_string()]);
    let range = workbook.worksheet_range("UBND cấp huyện").unwrap();
    assert_eq!(text(&range, 0, 0), "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2024 CỦA UBND CÁC HUYỆN, THÀNH PHỐ");
    assert_eq!(text(&range, 5, 1), "Cơ quan, đơn vị");
    let districts = (6..range.height() as u32).filter(|r| text(&range, *r, 1).starts_with("UBND ")).count();
    assert_eq!(districts, 12);

    // The decision annex, numbered and dated, a draft (template framework, not published).
    let annex = run.path("quyet-dinh.docx");
    let out = run.ok(&[
        "evaluation",
        "ranking",
        "--year",
        "2024",
        "--out",
        annex.to_str().unwrap(),
        "--number",
        "123",
        "--date",
        "20/03/2025",
    ]);
    assert!(out.contains("dự thảo"), "{out}");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&annex).unwrap()).unwrap();
    let mut xml = String::new();
    archive.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    for expected in [
        "DỰ THẢO",
        "Phụ lục I",
        "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2024 CỦA CÁC SỞ, BAN, NGÀNH",
        "Phụ lục II",
        "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2024 CỦA UBND CÁC HUYỆN, THÀNH PHỐ",
        "(Kèm theo Quyết định số 123/QĐ-UBND ngày 20 tháng 3 năm 2025 của UBND tỉnh Sơn La)",
        "Sở Tư pháp",
        "Xếp loại",
    ] {
        assert!(xml.contains(expected), "{expected} missing");
    }
    let wrong = run.fails(&["evaluation", "ranking", "--year", "2024", "--out", "x.pdf"]);
    assert!(wrong.contains(".xlsx") && wrong.contains(".docx"), "{wrong}");
}
