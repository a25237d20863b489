//! Periodic reports through HTTP (`tower::ServiceExt::oneshot` on the real router): the Excel
//! round trip with validation errors, fixing and submitting, accepting and the province value,
//! a late submission, a returned report, refusals per role and CSRF, tampered uploads, and the
//! JSON API (checked against its OpenAPI document) including a concurrent double submission.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{header, Method, StatusCode};
use cchc_documents::form::{read_form, write_content_csv, write_form};
use cchc_domain::account::UserRole;
use cchc_domain::reporting::{IndicatorCode, Part, ReportContent, ReportStatus};
use cchc_domain::{AgencyId, AreaCode, PeriodId};
use common::{conforms, multipart, Harness, Login, Page};
use serde_json::json;

const COMMUNE: &str = "ubnd-xa-03646";
const OTHER_COMMUNE: &str = "ubnd-xa-03649";
const FORM_URI: &str = "/bao-cao/2024S1/ubnd-xa-03646";
/// 10/06/2024 10:00 in Vietnam: before the 2024S1 due date (14/06/2024).
const ON_TIME: &str = "2024-06-10T03:00:00Z";
/// 20/06/2024 10:00 in Vietnam: after it.
const LATE: &str = "2024-06-20T03:00:00Z";

async fn harness(now: &str) -> Harness {
    common::harness(
        now,
        &[
            ("quantri", UserRole::Admin, None),
            ("xa1", UserRole::Agency, Some(COMMUNE)),
            ("xa2", UserRole::Agency, Some(OTHER_COMMUNE)),
            ("lanhdao", UserRole::Viewer, None),
        ],
    )
    .await
}

/// The HTML from `id="{id}"` to the end of its table row.
fn row(html: &str, id: &str) -> String {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no element {id}"));
    let end = html[start..].find("</tr>").map_or(html.len(), |e| start + e);
    html[start..end].to_string()
}

impl Harness {
    async fn upload(&self, uri: &str, login: &Login, file_name: &str, bytes: &[u8]) -> Page {
        let body = multipart(&[("csrf_token", &login.csrf)], Some((file_name, "application/octet-stream", bytes)));
        self.post_multipart(uri, Some(login), body).await
    }

    /// Logs in through the real login form.
    async fn login(&self, username: &str) -> Login {
        self.form_login(username, "/bao-cao").await
    }

    async fn stored(&self, agency: &str) -> Option<cchc_store::StoredReport> {
        let version = self.state.app.current().await.unwrap().version.id;
        self.state.app.store().report(version, &AgencyId::parse(agency).unwrap(), s1()).await.unwrap()
    }

    async fn form(&self, agency: &str, period: PeriodId) -> cchc_domain::reporting::ReportForm {
        self.state.app.report_form(&AgencyId::parse(agency).unwrap(), period).await.unwrap()
    }
}

fn s1() -> PeriodId {
    PeriodId::parse("2024S1").unwrap()
}

fn code(text: &str) -> IndicatorCode {
    IndicatorCode::parse(text).unwrap()
}

fn content(values: &[(&str, f64, f64)]) -> ReportContent {
    let mut c = ReportContent::default();
    for (indicator, n, d) in values {
        c.values.insert((code(indicator), Part::Numerator), *n);
        c.values.insert((code(indicator), Part::Denominator), *d);
    }
    c.narratives.insert(AreaCode::VII, "Đã số hóa kết quả giải quyết TTHC tại Bộ phận Một cửa.".into());
    c
}

/// The browser form's fields for saving `values` with `action`.
fn form_fields<'a>(csrf: &'a str, action: &'a str, values: &[(&str, &str, &str)]) -> Vec<(String, String)> {
    let mut fields = vec![("csrf_token".to_string(), csrf.to_string()), ("action".to_string(), action.to_string())];
    for (code, n, d) in values {
        fields.push((format!("n_{code}"), (*n).to_string()));
        fields.push((format!("d_{code}"), (*d).to_string()));
    }
    fields.push(("narrative_VII".into(), "Đã số hóa kết quả giải quyết TTHC.".into()));
    fields
}

async fn post_fields(h: &Harness, uri: &str, login: &Login, fields: &[(String, String)]) -> Page {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    h.post_form(uri, login, &borrowed).await
}

/// Asserts our error shape and that the document lists the status for the operation.
fn refused(method: &str, path: &str, page: &Page, status: StatusCode) {
    assert_eq!(page.status, status, "{}", page.text());
    let body = page.json();
    assert!(body["error"].is_string() && body["details"].is_array(), "not our error shape: {body}");
    conforms(method, path, status.as_str(), &body);
}

// ---------------------------------------------------------------------------------------------
// Pages

#[tokio::test]
async fn excel_round_trip_errors_fix_submit_accept_and_the_province_value() {
    let h = harness(ON_TIME).await;
    let officer = h.login("xa1").await;

    // The list of periods leads the officer to the commune's own report.
    let index = h.get("/bao-cao", &officer).await.text();
    assert!(index.contains("2024S1") && index.contains(FORM_URI), "{index}");
    assert!(index.contains("14/06/2024"), "due date as dd/mm/yyyy");
    let page = h.get(FORM_URI, &officer).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("name=\"n_VII.2.1\"") && html.contains("name=\"d_VII.2.1\""));
    assert!(html.contains("name=\"narrative_II\""));
    assert!(html.contains("Chưa nộp") && html.contains("15/12/2023") && html.contains("13/06/2024"));
    assert!(html.contains("Tải biểu mẫu Excel") && html.contains("Lưu nháp") && html.contains("Gửi báo cáo"));

    // Download the form.
    let download = h.get(&format!("{FORM_URI}/bieu-mau.xlsx"), &officer).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.header(header::CONTENT_TYPE), cchc_documents::annex::XLSX_TYPE);
    assert!(download.header(header::CONTENT_DISPOSITION).contains("bieu-mau-bao-cao-2024S1-ubnd-xa-03646.xlsx"));
    let form = h.form(COMMUNE, s1()).await;
    let (empty, _) = read_form(&download.body, &form).expect("the downloaded form reads back");
    assert!(empty.values.is_empty());

    // "Excel" fills it with a numerator above its denominator; the upload shows the error and
    // keeps the draft.
    let filled = write_form(&form, Some(&content(&[("VII.2.1", 120.0, 100.0)]))).unwrap();
    let uploaded = h.upload(&format!("{FORM_URI}/tai-len"), &officer, "bieu-mau.xlsx", &filled).await;
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.text());
    let html = uploaded.text();
    assert!(html.contains("Lỗi — phải sửa trước khi gửi"), "{html}");
    assert!(html.contains("tử số (120) lớn hơn mẫu số (100)"), "{html}");
    assert!(row(&html, "chi-tieu-VII.2.1").contains("class=\"error\""), "the error sits next to the inputs");
    assert!(html.contains("Cảnh báo"), "missing values are warnings");
    let draft = h.stored(COMMUNE).await.expect("draft saved");
    assert_eq!(draft.status, ReportStatus::Draft);
    assert_eq!(draft.content.values.get(&(code("VII.2.1"), Part::Numerator)), Some(&120.0));
    assert!(draft.content.narratives.contains_key(&AreaCode::VII));

    // Submitting with the error is refused, and the page says why.
    let blocked =
        post_fields(&h, FORM_URI, &officer, &form_fields(&officer.csrf, "submit", &[("VII.2.1", "120", "100")])).await;
    assert_eq!(blocked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blocked.text().contains("chưa gửi được báo cáo"), "{}", blocked.text());
    assert_eq!(h.stored(COMMUNE).await.unwrap().status, ReportStatus::Draft);

    // The corrected workbook, then «Gửi báo cáo».
    let fixed = write_form(&form, Some(&content(&[("VII.2.1", 77.0, 88.0)]))).unwrap();
    let uploaded = h.upload(&format!("{FORM_URI}/tai-len"), &officer, "bieu-mau.xlsx", &fixed).await;
    assert_eq!(uploaded.status, StatusCode::OK);
    assert!(!uploaded.text().contains("Lỗi — phải sửa trước khi gửi"), "{}", uploaded.text());
    let submitted =
        post_fields(&h, FORM_URI, &officer, &form_fields(&officer.csrf, "submit", &[("VII.2.1", "77", "88")])).await;
    assert_eq!(submitted.status, StatusCode::SEE_OTHER, "{}", submitted.text());
    let html = h.get(&submitted.header(header::LOCATION), &officer).await.text();
    assert!(html.contains("Đã gửi báo cáo tới Sở Nội vụ"));
    assert!(html.contains("Đã gửi") && !html.contains("Trễ hạn"));
    assert!(!html.contains("name=\"n_VII.2.1\""), "a submitted report is read only");
    assert!(html.contains("120 → 77"), "the value history shows old → new: {html}");

    // Sở Nội vụ accepts from the period page.
    let admin = h.login("quantri").await;
    let period = h.get("/bao-cao/2024S1", &admin).await;
    assert_eq!(period.status, StatusCode::OK);
    let html = period.text();
    assert!(row(&html, &format!("co-quan-{COMMUNE}")).contains("Đã gửi"));
    assert!(html.contains(&format!("/bao-cao/2024S1/{COMMUNE}/tiep-nhan")));
    let accepted =
        h.post_form(&format!("{FORM_URI}/tiep-nhan"), &admin, &[("csrf_token", &admin.csrf), ("ve", "bao-cao")]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.text());
    let location = accepted.header(header::LOCATION);
    assert!(location.starts_with("/bao-cao/2024S1?da_tiep_nhan=ubnd-xa-03646"), "{location}");
    let html = h.get(&location, &admin).await.text();
    assert!(html.contains("Đã tiếp nhận báo cáo của"));
    assert!(row(&html, &format!("co-quan-{COMMUNE}")).contains("Đã tiếp nhận"));
    // 77 / 88 = 87,5% at commune level (target ≥ 75%: met) and for the province.
    let indicator = row(&html, "chi-tieu-VII.2.1");
    assert!(indicator.contains("87,5%"), "{indicator}");
    assert!(indicator.contains("Đạt"), "{indicator}");
    assert!(indicator.contains("<svg"), "trend sparkline: {indicator}");
    assert_eq!(h.stored(COMMUNE).await.unwrap().status, ReportStatus::Accepted);

    // Drill-down to the agency's numbers.
    let drill = h.get("/bao-cao/2024S1/chi-tieu/VII.2.1", &admin).await;
    assert_eq!(drill.status, StatusCode::OK);
    let html = drill.text();
    assert!(html.contains(&format!("/bao-cao/2024S1/{COMMUNE}")) && html.contains(">77<") && html.contains(">88<"));

    // The officer's page is locked and shows the workflow.
    let html = h.get(FORM_URI, &officer).await.text();
    assert!(html.contains("Đã tiếp nhận") && html.contains("Tiếp nhận") && html.contains("Gửi báo cáo"));
    assert!(html.contains("số liệu đã khóa"));

    // The consolidated report and its annex.
    let docx = h.get("/bao-cao/2024S1/tong-hop.docx", &admin).await;
    assert_eq!(docx.status, StatusCode::OK);
    assert_eq!(docx.header(header::CONTENT_TYPE), cchc_documents::docx::DOCX_TYPE);
    assert!(docx.header(header::CONTENT_DISPOSITION).contains("bao-cao-cchc-2024S1.docx"));
    assert!(docx.body.starts_with(b"PK"));
    let annex = h.get("/bao-cao/2024S1/phu-luc.xlsx", &admin).await;
    assert_eq!(annex.status, StatusCode::OK);
    assert!(annex.header(header::CONTENT_DISPOSITION).contains("phu-luc-bao-cao-cchc-2024S1.xlsx"));
    assert_eq!(h.get("/bao-cao/2024S1/tong-hop.docx", &officer).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_late_submission_is_flagged() {
    let h = harness(LATE).await;
    let officer = h.login("xa1").await;
    let answer =
        post_fields(&h, FORM_URI, &officer, &form_fields(&officer.csrf, "submit", &[("VII.2.1", "30", "40")])).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let report = h.stored(COMMUNE).await.unwrap();
    assert!(report.late);
    assert_eq!(report.submitted_on.map(|d| d.to_string()).as_deref(), Some("20/06/2024"));
    assert!(h.get(FORM_URI, &officer).await.text().contains("Trễ hạn"));

    let admin = h.login("quantri").await;
    let html = h.get("/bao-cao/2024S1?trang_thai=late", &admin).await.text();
    let line = row(&html, &format!("co-quan-{COMMUNE}"));
    assert!(line.contains("Trễ hạn") && line.contains("20/06/2024"), "{line}");
    assert!(!html.contains(&format!("id=\"co-quan-{OTHER_COMMUNE}\"")), "the filter keeps only late reports");
    let missing = h.get("/bao-cao/2024S1?nhom=commune&trang_thai=missing", &admin).await.text();
    assert!(missing.contains(&format!("id=\"co-quan-{OTHER_COMMUNE}\"")));
    assert!(!missing.contains(&format!("id=\"co-quan-{COMMUNE}\"")));
    assert_eq!(h.get("/bao-cao/2024S1?trang_thai=lung-tung", &admin).await.status, StatusCode::BAD_REQUEST);

    let api = h.api_login("quantri").await;
    let status = h.api(Method::GET, "/api/reports?period=2024S1", Some(&api), None).await;
    assert_eq!(status.status, StatusCode::OK);
    conforms("get", "/api/reports", "200", &status.json());
    let body = status.json();
    assert_eq!(body["overall"]["submitted"], 1);
    assert_eq!(body["overall"]["on_time"], 0);
    assert_eq!(body["overall"]["late"], 1);
    let commune = body["agencies"].as_array().unwrap().iter().find(|a| a["id"] == COMMUNE).unwrap();
    assert_eq!(commune["late"], true);
    assert_eq!(commune["submitted_on"], "2024-06-20");
}

#[tokio::test]
async fn a_returned_report_shows_the_reason_and_can_be_fixed() {
    let h = harness(ON_TIME).await;
    let officer = h.login("xa1").await;
    let admin = h.login("quantri").await;
    let answer =
        post_fields(&h, FORM_URI, &officer, &form_fields(&officer.csrf, "submit", &[("VII.2.1", "10", "40")])).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);

    // A reason is required.
    let empty =
        h.post_form(&format!("{FORM_URI}/tra-lai"), &admin, &[("csrf_token", &admin.csrf), ("ly_do", " ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(h.stored(COMMUNE).await.unwrap().status, ReportStatus::Submitted);
    let returned = h
        .post_form(
            &format!("{FORM_URI}/tra-lai"),
            &admin,
            &[("csrf_token", &admin.csrf), ("ly_do", "Thiếu số liệu số hóa của quý II")],
        )
        .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER);
    assert_eq!(returned.header(header::LOCATION), format!("{FORM_URI}?da_tra_lai=1"));

    let html = h.get(FORM_URI, &officer).await.text();
    assert!(html.contains("Bị trả lại"));
    assert!(row(&format!("{html}</tr>"), "ly-do-tra-lai").contains("Thiếu số liệu số hóa của quý II"));
    assert!(html.contains("name=\"n_VII.2.1\""), "a returned report is editable again");
    assert!(html.contains("Trả lại"), "the history shows the return");
    let period = h.get("/bao-cao/2024S1", &admin).await.text();
    assert!(row(&period, &format!("co-quan-{COMMUNE}")).contains("Thiếu số liệu số hóa của quý II"));

    // Fixed and sent again.
    let again =
        post_fields(&h, FORM_URI, &officer, &form_fields(&officer.csrf, "submit", &[("VII.2.1", "35", "40")])).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.text());
    assert_eq!(h.stored(COMMUNE).await.unwrap().status, ReportStatus::Submitted);
}

#[tokio::test]
async fn writes_are_refused_to_other_agencies_viewers_and_without_csrf() {
    let h = harness(ON_TIME).await;
    let officer = h.login("xa1").await;
    let viewer = h.login("lanhdao").await;
    let other_uri = format!("/bao-cao/2024S1/{OTHER_COMMUNE}");

    // An officer cannot save (nor read) another agency's report, nor see the province overview.
    let fields = form_fields(&officer.csrf, "save", &[("VII.2.1", "1", "2")]);
    assert_eq!(post_fields(&h, &other_uri, &officer, &fields).await.status, StatusCode::FORBIDDEN);
    assert!(h.stored(OTHER_COMMUNE).await.is_none());
    assert_eq!(h.get(&other_uri, &officer).await.status, StatusCode::FORBIDDEN);
    assert_eq!(h.get("/bao-cao/2024S1", &officer).await.status, StatusCode::FORBIDDEN);
    let foreign = write_form(&h.form(OTHER_COMMUNE, s1()).await, None).unwrap();
    assert_eq!(
        h.upload(&format!("{other_uri}/tai-len"), &officer, "f.xlsx", &foreign).await.status,
        StatusCode::FORBIDDEN
    );
    // Only Sở Nội vụ accepts.
    let accept = h.post_form(&format!("{FORM_URI}/tiep-nhan"), &officer, &[("csrf_token", &officer.csrf)]).await;
    assert_eq!(accept.status, StatusCode::FORBIDDEN);

    // A viewer reads, read only, and cannot save.
    let page = h.get(FORM_URI, &viewer).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text().contains("name=\"n_VII.2.1\""));
    let fields = form_fields(&viewer.csrf, "save", &[("VII.2.1", "1", "2")]);
    assert_eq!(post_fields(&h, FORM_URI, &viewer, &fields).await.status, StatusCode::FORBIDDEN);
    assert_eq!(h.get("/bao-cao/2024S1", &viewer).await.status, StatusCode::OK);

    // Without the CSRF token.
    let fields = form_fields("forged", "save", &[("VII.2.1", "1", "2")]);
    assert_eq!(post_fields(&h, FORM_URI, &officer, &fields).await.status, StatusCode::FORBIDDEN);
    assert!(h.stored(COMMUNE).await.is_none());

    // Text where a number goes: 422, the typed value is kept on the page, nothing saved.
    let fields = form_fields(&officer.csrf, "save", &[("VII.2.1", "nhiều", "2")]);
    let answer = post_fields(&h, FORM_URI, &officer, &fields).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.text().contains("không phải là số") && answer.text().contains("value=\"nhiều\""));
    assert!(h.stored(COMMUNE).await.is_none());

    // Unknown period or agency: 404.
    assert_eq!(h.get("/bao-cao/2024Q2/ubnd-xa-03646", &officer).await.status, StatusCode::NOT_FOUND);
    assert_eq!(h.get("/bao-cao/2024S1/khong-co", &viewer).await.status, StatusCode::NOT_FOUND);

    // A plain save keeps a draft and shows the violations.
    let fields = form_fields(&officer.csrf, "save", &[("VII.2.1", "5", "2")]);
    let saved = post_fields(&h, FORM_URI, &officer, &fields).await;
    assert_eq!(saved.status, StatusCode::OK);
    assert!(saved.text().contains("Đã lưu nháp") && saved.text().contains("Lỗi — phải sửa trước khi gửi"));
    assert_eq!(h.stored(COMMUNE).await.unwrap().status, ReportStatus::Draft);
}

#[tokio::test]
async fn tampered_uploads_are_refused_and_nothing_is_saved() {
    let h = harness(ON_TIME).await;
    let officer = h.login("xa1").await;
    let upload_uri = format!("{FORM_URI}/tai-len");

    // A form of another agency.
    let foreign = write_form(&h.form(OTHER_COMMUNE, s1()).await, Some(&content(&[("VII.2.1", 1.0, 2.0)]))).unwrap();
    let answer = h.upload(&upload_uri, &officer, "bieu-mau.xlsx", &foreign).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.text().contains("Biểu mẫu của «"), "{}", answer.text());
    assert!(answer.text().contains("chưa có gì được lưu"));
    assert!(h.stored(COMMUNE).await.is_none());

    // A form of another period.
    let q1 = PeriodId::parse("2024Q1").unwrap();
    let other_period = write_form(&h.form(COMMUNE, q1).await, Some(&content(&[("VII.2.1", 1.0, 2.0)]))).unwrap();
    let answer = h.upload(&upload_uri, &officer, "bieu-mau.xlsx", &other_period).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.text().contains("kỳ"), "{}", answer.text());

    // Not a workbook, a huge file, no file.
    let answer = h.upload(&upload_uri, &officer, "bieu-mau.xlsx", b"%PDF-1.4 not a workbook").await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.text().contains("không phải là tệp Excel"), "{}", answer.text());
    let huge = vec![b'P'; cchc_documents::form::MAX_FORM_BYTES + 1];
    let answer = h.upload(&upload_uri, &officer, "bieu-mau.xlsx", &huge).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.text().contains("Tệp quá lớn"), "{}", answer.text());
    let answer = h.upload(&upload_uri, &officer, "", b"").await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A CSV of another agency, then the right one.
    let foreign_csv = write_content_csv(&h.form(OTHER_COMMUNE, s1()).await, &content(&[("VII.2.1", 1.0, 2.0)]));
    let answer = h.upload(&upload_uri, &officer, "bieu-mau.csv", foreign_csv.as_bytes()).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(h.stored(COMMUNE).await.is_none());
    let own = h.form(COMMUNE, s1()).await;
    let download = h.get(&format!("{FORM_URI}/bieu-mau.csv"), &officer).await;
    assert_eq!(download.status, StatusCode::OK);
    assert!(download.header(header::CONTENT_TYPE).starts_with("text/csv"));
    let csv = write_content_csv(&own, &content(&[("VII.2.1", 3.0, 4.0)]));
    let answer = h.upload(&upload_uri, &officer, "bieu-mau.csv", csv.as_bytes()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let saved = h.stored(COMMUNE).await.expect("saved from CSV");
    assert_eq!(saved.content.values.get(&(code("VII.2.1"), Part::Denominator)), Some(&4.0));
}

// ---------------------------------------------------------------------------------------------
// API

const API_REPORT: &str = "/api/reports/2024S1/ubnd-xa-03646";
const API_REPORT_PATH: &str = "/api/reports/{period}/{agency}";

#[tokio::test]
async fn api_save_submit_accept() {
    let h = harness(ON_TIME).await;
    let officer = h.api_login("xa1").await;
    let admin = h.api_login("quantri").await;
    let viewer = h.api_login("lanhdao").await;

    let catalogue = h.api(Method::GET, "/api/indicators", Some(&officer), None).await;
    assert_eq!(catalogue.status, StatusCode::OK);
    conforms("get", "/api/indicators", "200", &catalogue.json());
    let body = catalogue.json();
    let digitisation = body["indicators"].as_array().unwrap().iter().find(|i| i["code"] == "VII.2.1").unwrap();
    assert!(digitisation["reporters"].as_array().unwrap().contains(&json!("commune")));
    assert!(digitisation["thresholds"].as_array().unwrap().iter().any(|t| t["level"] == "xa"));
    assert!(!body["rules"].as_array().unwrap().is_empty());

    // Not started yet.
    let empty = h.api(Method::GET, API_REPORT, Some(&officer), None).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.text());
    conforms("get", API_REPORT_PATH, "200", &empty.json());
    assert_eq!(empty.json()["status"], "missing");
    assert_eq!(empty.json()["can_write"], true);

    // A draft with an error: saved, the error blocks submission.
    let draft = json!({
        "values": [{"code": "VII.2.1", "numerator": 120, "denominator": 100}],
        "narratives": {"VII": "Đã số hóa kết quả."}
    });
    let saved = h.api(Method::PUT, API_REPORT, Some(&officer), Some(draft)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    conforms("put", API_REPORT_PATH, "200", &saved.json());
    let violations = saved.json()["violations"].clone();
    assert!(violations
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["rule"] == "numerator-le-denominator" && v["importance"] == "error"));
    let blocked = h.api(Method::POST, &format!("{API_REPORT}/submit"), Some(&officer), None).await;
    refused("post", "/api/reports/{period}/{agency}/submit", &blocked, StatusCode::UNPROCESSABLE_ENTITY);

    // Bad bodies.
    let bad = h
        .api(Method::PUT, API_REPORT, Some(&officer), Some(json!({"values": [{"code": "VII", "numerator": 1}]})))
        .await;
    refused("put", API_REPORT_PATH, &bad, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown_field = h.api(Method::PUT, API_REPORT, Some(&officer), Some(json!({"valeurs": []}))).await;
    refused("put", API_REPORT_PATH, &unknown_field, StatusCode::UNPROCESSABLE_ENTITY);
    let not_in_form = json!({"values": [{"code": "II.1.1", "numerator": 1, "denominator": 2}]});
    let refused_code = h.api(Method::PUT, API_REPORT, Some(&officer), Some(not_in_form)).await;
    refused("put", API_REPORT_PATH, &refused_code, StatusCode::UNPROCESSABLE_ENTITY);

    // Other agencies and viewers cannot write; without CSRF nobody can.
    let forbidden =
        h.api(Method::PUT, "/api/reports/2024S1/ubnd-xa-03649", Some(&officer), Some(json!({"values": []}))).await;
    refused("put", API_REPORT_PATH, &forbidden, StatusCode::FORBIDDEN);
    let viewer_save = h.api(Method::PUT, API_REPORT, Some(&viewer), Some(json!({"values": []}))).await;
    refused("put", API_REPORT_PATH, &viewer_save, StatusCode::FORBIDDEN);
    let no_csrf = Login { csrf: "x".repeat(64), ..officer.clone() };
    let forged = h.api(Method::PUT, API_REPORT, Some(&no_csrf), Some(json!({"values": []}))).await;
    refused("put", API_REPORT_PATH, &forged, StatusCode::FORBIDDEN);
    let unknown = h.api(Method::PUT, "/api/reports/2024S1/khong-co", Some(&admin), Some(json!({"values": []}))).await;
    refused("put", API_REPORT_PATH, &unknown, StatusCode::NOT_FOUND);
    let unknown_period = h.api(Method::GET, "/api/reports/2024Q2/ubnd-xa-03646", Some(&admin), None).await;
    refused("get", API_REPORT_PATH, &unknown_period, StatusCode::NOT_FOUND);
    let others = h.api(Method::GET, "/api/reports/2024S1/ubnd-xa-03649", Some(&officer), None).await;
    refused("get", API_REPORT_PATH, &others, StatusCode::FORBIDDEN);

    // Fixed, submitted, accepted.
    let fixed = json!({"values": [{"code": "VII.2.1", "numerator": 77, "denominator": 88}]});
    let saved = h.api(Method::PUT, API_REPORT, Some(&officer), Some(fixed)).await;
    assert_eq!(saved.status, StatusCode::OK);
    assert!(!saved.json()["violations"].as_array().unwrap().iter().any(|v| v["importance"] == "error"));
    assert_eq!(saved.json()["report"]["narratives"], json!({}), "PUT replaces the whole draft");
    let submitted = h.api(Method::POST, &format!("{API_REPORT}/submit"), Some(&officer), None).await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text());
    conforms("post", "/api/reports/{period}/{agency}/submit", "200", &submitted.json());
    assert_eq!(submitted.json()["status"], "submitted");
    assert_eq!(submitted.json()["late"], false);
    assert_eq!(submitted.json()["submitted_on"], "2024-06-10");

    let by_officer = h.api(Method::POST, &format!("{API_REPORT}/accept"), Some(&officer), None).await;
    refused("post", "/api/reports/{period}/{agency}/accept", &by_officer, StatusCode::FORBIDDEN);
    let accepted = h.api(Method::POST, &format!("{API_REPORT}/accept"), Some(&admin), None).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text());
    conforms("post", "/api/reports/{period}/{agency}/accept", "200", &accepted.json());
    assert_eq!(accepted.json()["status"], "accepted");
    assert_eq!(accepted.json()["editable"], false);
    let locked = h
        .api(Method::PUT, API_REPORT, Some(&officer), Some(json!({"values": [{"code": "VII.2.1", "numerator": 1}]})))
        .await;
    refused("put", API_REPORT_PATH, &locked, StatusCode::UNPROCESSABLE_ENTITY);

    // Reopening needs a reason.
    let no_reason =
        h.api(Method::POST, &format!("{API_REPORT}/return"), Some(&admin), Some(json!({"reason": ""}))).await;
    refused("post", "/api/reports/{period}/{agency}/return", &no_reason, StatusCode::UNPROCESSABLE_ENTITY);
    let reopened = h
        .api(Method::POST, &format!("{API_REPORT}/return"), Some(&admin), Some(json!({"reason": "Điều chỉnh số liệu"})))
        .await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.text());
    conforms("post", "/api/reports/{period}/{agency}/return", "200", &reopened.json());
    assert_eq!(reopened.json()["status"], "returned");
    assert_eq!(reopened.json()["returned_reason"], "Điều chỉnh số liệu");

    // The detail: values, workflow and value history.
    let detail = h.api(Method::GET, API_REPORT, Some(&officer), None).await;
    assert_eq!(detail.status, StatusCode::OK);
    conforms("get", API_REPORT_PATH, "200", &detail.json());
    let body = detail.json();
    assert_eq!(body["values"], json!([{"code": "VII.2.1", "numerator": 77.0, "denominator": 88.0}]));
    let kinds: Vec<&str> = body["events"].as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["saved", "saved", "submitted", "accepted", "reopened"]);
    let history = body["value_history"].as_array().unwrap();
    assert!(history.iter().any(|c| c["indicator"] == "VII.2.1"
        && c["part"] == "numerator"
        && c["old_value"] == 120.0
        && c["new_value"] == 77.0
        && c["user"] == "xa1"));

    // The period overview is for Sở Nội vụ and leaders.
    let overview = h.api(Method::GET, "/api/reports?period=2024S1", Some(&viewer), None).await;
    assert_eq!(overview.status, StatusCode::OK);
    conforms("get", "/api/reports", "200", &overview.json());
    let refused_overview = h.api(Method::GET, "/api/reports?period=2024S1", Some(&officer), None).await;
    refused("get", "/api/reports", &refused_overview, StatusCode::FORBIDDEN);
    let no_period = h.api(Method::GET, "/api/reports", Some(&admin), None).await;
    refused("get", "/api/reports", &no_period, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown_period = h.api(Method::GET, "/api/reports?period=2024Q2", Some(&admin), None).await;
    refused("get", "/api/reports", &unknown_period, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn of_two_concurrent_api_submissions_exactly_one_wins() {
    let h = harness(ON_TIME).await;
    let officer = h.api_login("xa1").await;
    let draft = json!({"values": [{"code": "VII.2.1", "numerator": 3, "denominator": 4}]});
    assert_eq!(h.api(Method::PUT, API_REPORT, Some(&officer), Some(draft)).await.status, StatusCode::OK);
    let uri = format!("{API_REPORT}/submit");
    let (a, b) =
        tokio::join!(h.api(Method::POST, &uri, Some(&officer), None), h.api(Method::POST, &uri, Some(&officer), None));
    let statuses = [a.status, b.status];
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    let loser = if a.status == StatusCode::OK { &b } else { &a };
    refused("post", "/api/reports/{period}/{agency}/submit", loser, StatusCode::UNPROCESSABLE_ENTITY);
    let version = h.state.app.current().await.unwrap().version.id;
    let report = h.state.app.store().report(version, &AgencyId::parse(COMMUNE).unwrap(), s1()).await.unwrap().unwrap();
    let submissions =
        h.state.app.store().report_events(report.id).await.unwrap().iter().filter(|e| e.kind == "submitted").count();
    assert_eq!(submissions, 1);
}
