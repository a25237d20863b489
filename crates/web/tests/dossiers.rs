//! One-stop-shop dossiers over HTTP (issue 11): a hand-computed month imported through the API
//! and through the upload page (a background job whose page refreshes itself), then the table,
//! the late list, the date check, the 766 calculations and the XLSX downloads; who may import
//! (Sở Nội vụ only, CSRF required); a refused file changes nothing; the response cache does not
//! serve the answers from before an import.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Cursor;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use calamine::{Data, Reader, Xlsx};
use cchc_domain::account::UserRole;
use common::{multipart, Harness, Login, Page};
use serde_json::Value;

/// March 2024 for Sở Tư pháp (`tests/fixtures/dossiers-march-2024.csv`, the CLI tests' too): A carried over and
/// resolved late without apology, B carried over and open past its appointment, D received
/// online and early, E withdrawn, F received and open within its appointment; W received 04/03
/// with 3 working days (legal date 07/03) but an appointment on 08/03: wrong, and early. X is an
/// unknown agency code; Q (line 9) has its appointment before its receipt: quarantined.
const MARCH_CSV: &str = include_str!("../../../tests/fixtures/dossiers-march-2024.csv");

/// The header row of the export.
fn header() -> &'static str {
    MARCH_CSV.lines().next().unwrap_or_default()
}

fn march_csv() -> String {
    MARCH_CSV.to_string()
}

/// The real router over an in-memory app with a dossier store in its temporary folder.
async fn harness() -> Harness {
    common::harness(
        "2024-07-10T02:00:00Z",
        &[("snv", UserRole::Admin, None), ("canbo-tp", UserRole::Agency, Some("so-tu-phap"))],
    )
    .await
}

fn raw_upload(uri: &str, login: &Login, body: Vec<u8>, content_type: &str, csrf: bool) -> Request<Body> {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, &login.cookie)
        .header(header::CONTENT_TYPE, content_type);
    if csrf {
        request = request.header("X-CSRF-Token", &login.csrf);
    }
    request.body(Body::from(body)).unwrap()
}

async fn indicators(h: &Harness, login: &Login, query: &str) -> Value {
    let answer = h.api(Method::GET, &format!("/api/dossiers/indicators?{query}"), Some(login), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    common::conforms("get", "/api/dossiers/indicators", "200", &answer.json());
    answer.json()
}

/// Every file under the store's folder with its bytes.
fn store_files(h: &Harness) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![h.files.path().join("dossiers")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn the_api_imports_a_hand_computed_month_and_answers_its_table_and_lists() {
    let h = harness().await;
    let admin = h.api_login("snv").await;
    let officer = h.api_login("canbo-tp").await;

    // Before any import: an empty table (kept by the response cache under this generation).
    let before = indicators(&h, &officer, "period=2024-03").await;
    assert_eq!(before["results"].as_array().unwrap().len(), 0);
    // The agency's report page shows no dossier figures yet (and is kept too).
    let report = "/bao-cao/2024S1/so-tu-phap";
    let page = h.get(report, &officer).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(!page.text().contains("id=\"doi-chieu-ho-so\""));

    // Who may import, and how.
    let csv = march_csv().into_bytes();
    let uri = "/api/dossiers/import?file_name=thang-3.csv";
    let refused = h.send(raw_upload(uri, &officer, csv.clone(), "text/csv", true)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["error"], "chỉ Sở Nội vụ được nhập hồ sơ TTHC");
    common::conforms("post", "/api/dossiers/import", "403", &refused.json());
    let no_csrf = h.send(raw_upload(uri, &admin, csv.clone(), "text/csv", false)).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    assert!(no_csrf.json()["error"].as_str().unwrap().contains("CSRF"));
    let workbook = h
        .send(raw_upload("/api/dossiers/import?file_name=a.xlsx", &admin, b"PK\x03\x04xx".to_vec(), "text/csv", true))
        .await;
    assert_eq!(workbook.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(workbook.json()["error"].as_str().unwrap().contains("không nhập gì"), "{}", workbook.text());
    let unnamed =
        h.send(raw_upload("/api/dossiers/import", &admin, csv.clone(), "application/octet-stream", true)).await;
    assert_eq!(unnamed.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // A refused file (a required column missing; not UTF-8) changes nothing.
    let missing = h.send(raw_upload(uri, &admin, b"MaHoSo,DonViXuLy\nx,so-tu-phap\n".to_vec(), "text/csv", true)).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", missing.text());
    common::conforms("post", "/api/dossiers/import", "422", &missing.json());
    assert!(missing.text().contains("thiếu cột bắt buộc"), "{}", missing.text());
    let mut latin1 = format!("{}\n", header()).into_bytes();
    latin1.extend_from_slice(b"\xe0,1.001,so-tu-phap,1,20240304090000,20240307170000,,,2,,0\n");
    let not_utf8 = h.send(raw_upload(uri, &admin, latin1, "text/csv", true)).await;
    assert_eq!(not_utf8.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(not_utf8.text().contains("UTF-8"), "{}", not_utf8.text());
    // Past the router's 10 MB limit for other uploads: this route takes up to 512 MB, so an
    // 11 MB file is read (and refused for its header, not for its size).
    let mut big = b"MaHoSo,DonViXuLy\n".to_vec();
    big.resize(11 * 1024 * 1024, b'x');
    let large = h.send(raw_upload(uri, &admin, big, "text/csv", true)).await;
    assert_eq!(large.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", large.text());
    assert!(large.text().contains("thiếu cột bắt buộc"), "{}", large.text());
    assert!(store_files(&h).is_empty(), "a refused file writes nothing");
    assert_eq!(indicators(&h, &officer, "period=2024-03").await, before);

    // The import: the raw body, its format from the file name.
    let imported = h.send(raw_upload(uri, &admin, csv.clone(), "text/csv", true)).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.text());
    let summary = imported.json();
    common::conforms("post", "/api/dossiers/import", "200", &summary);
    assert_eq!((summary["rows"].as_u64(), summary["added"].as_u64()), (Some(8), Some(7)));
    assert_eq!(summary["quarantined"], 1);
    assert_eq!(summary["diagnostics"][0]["line"], 9);
    assert_eq!(summary["unknown_agencies"], serde_json::json!(["khong-co-don-vi-nay"]));

    // The table moved although the empty one was kept: the import moved the data generation.
    let table = indicators(&h, &officer, "period=2024-03").await;
    assert_eq!((table["from"].as_str(), table["to"].as_str()), (Some("2024-03-01"), Some("2024-03-31")));
    let rows = table["results"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let so = &rows[0];
    assert_eq!(
        (so["agency"].as_str(), so["name"].as_str(), so["level"].as_str()),
        (Some("so-tu-phap"), Some("Sở Tư pháp"), Some("tinh"))
    );
    for (field, value) in [
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
    ] {
        assert_eq!(so[field], value, "{field}");
    }
    // 2.1: (early 2 + within 1) ÷ (resolved 3 + in progress 2) = 60% of 20 points = 12.
    let c21 = &so["points_766"]["components"][0];
    assert_eq!((c21["code"].as_str(), c21["points"].as_f64()), (Some("2.1"), Some(12.0)));
    assert_eq!(c21["calculation"], "12,00 = 3/5 × 20 (ngưỡng 100%)");
    // 3.3: 1 of 4 received online = 25%, half of the 50% threshold: 6 of 12.
    let c33 = &so["points_766"]["components"][1];
    assert_eq!(c33["calculation"], "6,00 = 1/4 × 12 ÷ 50% (ngưỡng 50%)");
    assert_eq!(table["unknown_agencies"][0]["DonViXuLy"], "khong-co-don-vi-nay");

    // The report page kept before the import is not served again: the figures appear.
    assert!(h.get(report, &officer).await.text().contains("id=\"doi-chieu-ho-so\""));

    // Filters; a plan period; errors.
    assert_eq!(indicators(&h, &officer, "period=2024-03&level=xa").await["results"].as_array().unwrap().len(), 0);
    assert_eq!(
        indicators(&h, &officer, "period=2024-03&agency=so-tu-phap").await["results"].as_array().unwrap().len(),
        1
    );
    assert_eq!(indicators(&h, &officer, "period=2024Q1").await["period"], "2024Q1");
    for (query, message) in [
        ("", "thiếu tham số period"),
        ("period=2024-13", "không hợp lệ"),
        ("period=2024-03&level=tong", "cấp «tong» không hợp lệ"),
        ("period=2024-03&agency=khong-co", "không có cơ quan «khong-co»"),
    ] {
        let answer = h.api(Method::GET, &format!("/api/dossiers/indicators?{query}"), Some(&officer), None).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(answer.text().contains(message), "{query}: {}", answer.text());
        common::conforms("get", "/api/dossiers/indicators", "422", &answer.json());
    }
    let anonymous = h.api(Method::GET, "/api/dossiers/indicators?period=2024-03", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    let late = h.api(Method::GET, "/api/dossiers/late?period=2024-03", Some(&officer), None).await;
    assert_eq!(late.status, StatusCode::OK, "{}", late.text());
    common::conforms("get", "/api/dossiers/late", "200", &late.json());
    let late = late.json();
    assert_eq!(late["results"].as_array().unwrap().len(), 1);
    let a = &late["results"][0];
    assert_eq!((a["MaHoSo"].as_str(), a["agency"].as_str()), (Some("A"), Some("so-tu-phap")));
    assert_eq!((a["appointment"].as_str(), a["ended"].as_str()), (Some("2024-02-26"), Some("2024-03-05")));

    let dates = h.api(Method::GET, "/api/dossiers/check-dates?period=2024-03", Some(&officer), None).await;
    assert_eq!(dates.status, StatusCode::OK, "{}", dates.text());
    common::conforms("get", "/api/dossiers/check-dates", "200", &dates.json());
    let dates = dates.json();
    assert_eq!(dates["results"].as_array().unwrap().len(), 1);
    let w = &dates["results"][0];
    assert_eq!(
        (w["MaHoSo"].as_str(), w["given"].as_str(), w["legal"].as_str()),
        (Some("W"), Some("2024-03-08"), Some("2024-03-07"))
    );
    assert_eq!(w["given_on_day_off"], false, "08/03/2024 is a Friday");

    // Importing the same file again changes nothing; as a multipart form it is read the same.
    let again = h
        .send(raw_upload(
            "/api/dossiers/import",
            &admin,
            multipart(&[], Some(("thang-3.csv", "text/csv", march_csv().as_bytes()))),
            &format!("multipart/form-data; boundary={}", common::BOUNDARY),
            true,
        ))
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!((again.json()["added"].as_u64(), again.json()["unchanged"].as_u64()), (Some(0), Some(7)));
}

/// The `<td class="num">` values of the table row with `id`.
fn row_numbers(html: &str, id: &str) -> Vec<String> {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("row {id} in {html}"));
    let row = &html[start..start + html[start..].find("</tr>").unwrap()];
    row.split("<td class=\"num\">").skip(1).map(|cell| cell.split('<').next().unwrap().to_string()).collect()
}

/// Waits (at most 30 s) for the import job's page to say it is over, and returns it.
async fn finished_job(h: &Harness, login: &Login, location: &str) -> Page {
    for _ in 0..600 {
        let page = h.get(location, login).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        if !page.text().contains("http-equiv=\"refresh\"") {
            return page;
        }
        assert!(page.text().contains("<progress"), "a running job shows its progress");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the import job did not finish in 30 s");
}

fn xlsx_rows(page: &Page, sheet: &str) -> Vec<Vec<Data>> {
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header(header::CONTENT_TYPE), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(page.body.clone())).unwrap();
    let range = workbook.worksheet_range(sheet).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

#[tokio::test]
async fn the_pages_import_in_the_background_and_show_the_table_lists_and_766() {
    let h = harness().await;
    let admin = h.form_login("snv", "/ho-so-tthc/nhap").await;
    let officer = h.form_login("canbo-tp", "/ho-so-tthc").await;

    // No data yet: the pages say so; administrators get the link to the upload page.
    let empty = h.get("/ho-so-tthc", &officer).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.text().contains("Chưa có hồ sơ TTHC nào được nhập."), "{}", empty.text());
    assert!(!empty.text().contains("href=\"/ho-so-tthc/nhap\""));
    assert!(h.get("/ho-so-tthc", &admin).await.text().contains("href=\"/ho-so-tthc/nhap\""));
    assert!(empty.text().contains("href=\"/ho-so-tthc\">Hồ sơ TTHC</a>"), "the navigation links the pages");

    // Only Sở Nội vụ uploads, with the form's CSRF token.
    assert_eq!(h.get("/ho-so-tthc/nhap", &officer).await.status, StatusCode::FORBIDDEN);
    let csv = march_csv();
    let form = |csrf: &str| multipart(&[("csrf_token", csrf)], Some(("thang-3.csv", "text/csv", csv.as_bytes())));
    let by_officer = h.post_multipart("/ho-so-tthc/nhap", Some(&officer), form(&officer.csrf)).await;
    assert_eq!(by_officer.status, StatusCode::FORBIDDEN);
    assert!(by_officer.text().contains("quản trị (Sở Nội vụ)"), "{}", by_officer.text());
    let forged = h.post_multipart("/ho-so-tthc/nhap", Some(&admin), form("khong-dung")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // A file of the wrong type is refused on the spot.
    let workbook =
        multipart(&[("csrf_token", &admin.csrf)], Some(("bang.xlsx", "application/octet-stream", b"PK\x03\x04")));
    let refused = h.post_multipart("/ho-so-tthc/nhap", Some(&admin), workbook).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("Không nhập gì."), "{}", refused.text());

    // A file missing a column (11 MB: past the 10 MB of other uploads, within this page's
    // 512 MB): the job ends refused, the store untouched.
    let mut missing = b"MaHoSo,DonViXuLy\nx,so-tu-phap\n".to_vec();
    missing.resize(11 * 1024 * 1024, b'x');
    let bad = multipart(&[("csrf_token", &admin.csrf)], Some(("thieu-cot.csv", "text/csv", &missing)));
    let started = h.post_multipart("/ho-so-tthc/nhap", Some(&admin), bad).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.text());
    let done = finished_job(&h, &admin, &started.location()).await;
    assert!(done.text().contains("Tệp bị từ chối: không nhập gì"), "{}", done.text());
    assert!(done.text().contains("thiếu cột bắt buộc"), "{}", done.text());
    assert!(store_files(&h).is_empty());

    // The month: the job page ends with the summary and the quarantined line.
    let started = h.post_multipart("/ho-so-tthc/nhap", Some(&admin), form(&admin.csrf)).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.text());
    assert!(started.location().starts_with("/ho-so-tthc/nhap/"));
    let done = finished_job(&h, &admin, &started.location()).await;
    let text = done.text();
    assert!(text.contains("Đã nhập xong."), "{text}");
    assert!(text.contains("<dt>Hồ sơ mới</dt><dd>7</dd>"), "{text}");
    assert!(text.contains("<dt>Dòng lỗi bị loại</dt><dd>1</dd>"), "{text}");
    assert!(text.contains("<td data-label=\"Dòng\" class=\"num\">9</td>"), "{text}");
    assert!(text.contains("<code>khong-co-don-vi-nay</code>"), "{text}");
    assert!(text.contains("href=\"/ho-so-tthc\""));
    assert!(h.get("/ho-so-tthc/nhap", &admin).await.text().contains("thang-3.csv"), "the upload page lists the jobs");
    assert_eq!(h.get(&started.location(), &officer).await.status, StatusCode::FORBIDDEN, "jobs are Sở Nội vụ's");
    assert_eq!(h.get("/ho-so-tthc/nhap/999", &admin).await.status, StatusCode::NOT_FOUND);

    // The table (the latest month with data is the default period).
    let page = h.get("/ho-so-tthc", &officer).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("<option value=\"2024-03\" selected>Tháng 03/2024</option>"), "{html}");
    // A and B were received in February: that month has data too; April has none.
    assert!(html.contains("<option value=\"2024-02\">Tháng 02/2024</option>"), "{html}");
    assert!(!html.contains("Tháng 04/2024"));
    // Carried over, received (total, online, in person or post), resolved (total, early, on
    // time, late), in progress (total, within, overdue), withdrawn.
    let expected = ["2", "4", "1", "3", "3", "2", "0", "1", "2", "1", "1", "1"];
    assert_eq!(row_numbers(&html, "cq-so-tu-phap"), expected);
    assert!(html.contains("Cộng cấp tỉnh") && html.contains("Toàn tỉnh"));
    assert!(html.contains("<td class=\"num\">25,0%</td>"), "1 of 4 online: {html}");
    assert!(html.contains("class=\"ds-early\""), "the stacked bar: {html}");
    assert!(!html.contains("style="), "no inline style under the CSP");
    assert!(html.contains("<code>khong-co-don-vi-nay</code>"));
    let filtered = h.get("/ho-so-tthc?ky=2024-03&cap=xa", &officer).await.text();
    assert!(filtered.contains("Không có hồ sơ nào trong kỳ này theo bộ lọc đã chọn"), "{filtered}");

    let late = h.get("/ho-so-tthc/tre-han?ky=2024-03", &officer).await.text();
    assert!(late.contains("<span id=\"so-ho-so\">1</span>"), "{late}");
    assert!(late.contains("<code>A</code></td><td data-label=\"Cơ quan, đơn vị\">Sở Tư pháp</td><td data-label=\"Ngày tiếp nhận\">20/02/2024</td>"), "{late}");
    assert!(late.contains("26/02/2024") && late.contains("05/03/2024"));
    let dates = h.get("/ho-so-tthc/ngay-hen?ky=2024-03", &officer).await.text();
    assert!(dates.contains("<code>W</code>"), "{dates}");
    assert!(dates.contains(">08/03/2024<") && dates.contains(">07/03/2024<") && dates.contains(">Không<"), "{dates}");

    let score = h.get("/ho-so-tthc/766?ky=2024-03", &officer).await.text();
    assert!(score.contains("12,00 = 3/5 × 20 (ngưỡng 100%)"), "{score}");
    assert!(score.contains("6,00 = 1/4 × 12 ÷ 50% (ngưỡng 50%)"), "{score}");
    assert!(score.contains("Tỷ lệ hồ sơ nộp trực tuyến"), "the formulas are listed");

    // Downloads.
    let rows = xlsx_rows(&h.get("/ho-so-tthc/bang.xlsx?ky=2024-03", &officer).await, "Hồ sơ TTHC");
    assert_eq!(rows[1][0], Data::String("Cơ quan, đơn vị".into()));
    let so = rows.iter().find(|r| r[0] == Data::String("Sở Tư pháp".into())).unwrap();
    assert_eq!((so[1].clone(), so[2].clone()), (Data::Float(2.0), Data::Float(4.0)));
    assert!(rows.iter().any(|r| r[0] == Data::String("Toàn tỉnh".into())));
    let rows = xlsx_rows(&h.get("/ho-so-tthc/tre-han.xlsx?ky=2024-03", &officer).await, "Danh sách");
    assert_eq!(rows[1][0], Data::String("Mã hồ sơ".into()));
    assert_eq!(rows[2][0], Data::String("A".into()));
    assert!(matches!(rows[2][3], Data::DateTime(_)), "real dates: {:?}", rows[2][3]);
    let rows = xlsx_rows(&h.get("/ho-so-tthc/ngay-hen.xlsx?ky=2024-03", &officer).await, "Danh sách");
    assert_eq!((rows[2][0].clone(), rows[2][5].clone()), (Data::String("W".into()), Data::String("Không".into())));
}

#[tokio::test]
async fn other_unit_codes_are_mapped_on_their_page_and_the_table_follows_at_once() {
    let h = harness().await;
    let admin_api = h.api_login("snv").await;
    let imported = h
        .send(raw_upload(
            "/api/dossiers/import?file_name=thang-3.csv",
            &admin_api,
            march_csv().into_bytes(),
            "text/csv",
            true,
        ))
        .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.text());
    let admin = h.form_login("snv", "/ho-so-tthc").await;
    let officer = h.form_login("canbo-tp", "/ho-so-tthc").await;
    let uri = "/ho-so-tthc/ma-don-vi";

    // Everyone reads which codes match nobody; only Sở Nội vụ gets the forms.
    let seen = h.get(uri, &officer).await.text();
    assert!(seen.contains("<code>khong-co-don-vi-nay</code>"), "{seen}");
    assert!(!seen.contains("name=\"thao_tac\""));
    let table = h.get("/ho-so-tthc?ky=2024-03", &admin).await.text();
    assert!(table.contains("href=\"/ho-so-tthc/ma-don-vi\""), "the table links unknown codes to the mapping");

    // An officer may not map; a name that is no agency is refused on the page, nothing changes.
    let denied = h
        .post_form(
            uri,
            &officer,
            &[
                ("csrf_token", &officer.csrf),
                ("thao_tac", "gan"),
                ("ma", "khong-co-don-vi-nay"),
                ("co_quan", "so-tai-chinh"),
            ],
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let no_csrf = h
        .post_form(uri, &admin, &[("thao_tac", "gan"), ("ma", "khong-co-don-vi-nay"), ("co_quan", "so-tai-chinh")])
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let unknown = h
        .post_form(
            uri,
            &admin,
            &[
                ("csrf_token", &admin.csrf),
                ("thao_tac", "gan"),
                ("ma", "khong-co-don-vi-nay"),
                ("co_quan", "Sở Không Có"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert!(unknown.text().contains("id=\"loi\""), "{}", unknown.text());
    assert!(h.state.app.dossier_code_mappings().is_empty());

    // Mapped by the agency's name: X counts for Sở Tài chính at once, without a new import.
    let mapped = h
        .post_form(
            uri,
            &admin,
            &[
                ("csrf_token", &admin.csrf),
                ("thao_tac", "gan"),
                ("ma", "khong-co-don-vi-nay"),
                ("co_quan", "Sở Tài chính"),
            ],
        )
        .await;
    assert_eq!(mapped.status, StatusCode::SEE_OTHER, "{}", mapped.text());
    let after = h.get(&mapped.location(), &admin).await.text();
    assert!(after.contains("id=\"thong-bao\"") && after.contains("id=\"khong-co-ma-la\""), "{after}");
    assert!(after.contains("<code>khong-co-don-vi-nay</code></td><td data-label=\"Cơ quan\">Sở Tài chính"), "{after}");
    let finance = indicators(&h, &admin_api, "period=2024-03&agency=so-tai-chinh").await;
    assert_eq!(finance["results"][0]["received"], 1);

    // Unmapped again: the code is unknown again.
    let unmapped = h
        .post_form(uri, &admin, &[("csrf_token", &admin.csrf), ("thao_tac", "bo"), ("ma", "khong-co-don-vi-nay")])
        .await;
    assert_eq!(unmapped.status, StatusCode::SEE_OTHER);
    let finance = indicators(&h, &admin_api, "period=2024-03&agency=so-tai-chinh").await;
    assert_eq!(finance["results"].as_array().unwrap().len(), 0);
    assert!(h.get(uri, &officer).await.text().contains("<code>khong-co-don-vi-nay</code>"));
}
