//! Periodic reports through HTTP (`tower::ServiceExt::oneshot` on the real router): the Excel
//! round trip (a file with a bad cell refused whole), every indicator answered, fixing and
//! submitting, accepting and the province value with the one rounding rule, a late submission,
//! a returned report that is neither submitted nor late, receipt dates and extensions, a
//! district reading its communes, the CSV keeping narratives, refusals per role and CSRF,
//! tampered uploads, the consolidated documents, and the JSON API (checked against its OpenAPI
//! document) including a concurrent double submission.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::{header, Method, StatusCode};
use cchc_documents::form::{read_form, write_content_csv, write_form};
use cchc_domain::account::UserRole;
use cchc_domain::reporting::{IndicatorCode, Part, Report, ReportContent, ReportEventKind, ReportStatus};
use cchc_domain::{AgencyId, AreaCode, PeriodId, Timestamp};
use common::{conforms, multipart, Harness, Login, Page};
use serde_json::json;

const COMMUNE: &str = "ubnd-xa-03646";
const OTHER_COMMUNE: &str = "ubnd-xa-03649";
const DISTRICT: &str = "ubnd-huyen-116";
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
            ("huyen", UserRole::Agency, Some(DISTRICT)),
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

    /// The stored report, read through the services as the command-line administrator.
    async fn stored(&self, agency: &str) -> Option<Report> {
        let admin = self.state.app.command_line_user(Timestamp::from_unix_seconds(0)).await.unwrap();
        self.state.app.report_detail(&admin, &AgencyId::parse(agency).unwrap(), s1()).await.unwrap().report
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

const NOT_APPLICABLE: &str = "Không phát sinh trong kỳ";

/// Every indicator of the commune's form answered: the given values, «không áp dụng» for the
/// others; a narrative for area VII.
async fn content(h: &Harness, agency: &str, values: &[(&str, f64, f64)]) -> ReportContent {
    let form = h.form(agency, s1()).await;
    let mut c = ReportContent::default();
    for indicator in &form.indicators {
        match values.iter().find(|(v, _, _)| code(v) == indicator.code) {
            Some((_, n, d)) => {
                c.values.insert((indicator.code.clone(), Part::Numerator), *n);
                c.values.insert((indicator.code.clone(), Part::Denominator), *d);
            }
            None => {
                c.not_applicable.insert(indicator.code.clone(), NOT_APPLICABLE.into());
            }
        }
    }
    c.narratives.insert(AreaCode::VII, "Đã số hóa kết quả giải quyết TTHC tại Bộ phận Một cửa.".into());
    c
}

/// The browser form's fields answering every indicator of the commune's form: `values` as
/// typed, «không áp dụng» for the others.
async fn form_fields(h: &Harness, csrf: &str, action: &str, values: &[(&str, &str, &str)]) -> Vec<(String, String)> {
    let form = h.form(COMMUNE, s1()).await;
    let mut fields = vec![("csrf_token".to_string(), csrf.to_string()), ("action".to_string(), action.to_string())];
    for indicator in &form.indicators {
        match values.iter().find(|(c, _, _)| code(c) == indicator.code) {
            Some((c, n, d)) => {
                fields.push((format!("n_{c}"), (*n).to_string()));
                fields.push((format!("d_{c}"), (*d).to_string()));
            }
            None => fields.push((format!("na_{}", indicator.code), NOT_APPLICABLE.to_string())),
        }
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
    assert!(index.contains("lũy kế từ đầu năm") && index.contains("(quý)"), "which windows are cumulative");
    let page = h.get(FORM_URI, &officer).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("name=\"n_VII.2.1\"")
            && html.contains("name=\"d_VII.2.1\"")
            && html.contains("name=\"na_VII.2.1\"")
    );
    assert!(html.contains("name=\"narrative_II\"") && html.contains("maxlength=\"30000\""));
    assert!(html.contains("Chưa lập báo cáo") && html.contains("15/12/2023") && html.contains("13/06/2024"));
    assert!(html.contains("Tải biểu mẫu Excel") && html.contains("Lưu nháp") && html.contains("Gửi báo cáo"));

    // Download the form.
    let download = h.get(&format!("{FORM_URI}/bieu-mau.xlsx"), &officer).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.header(header::CONTENT_TYPE), cchc_documents::annex::XLSX_TYPE);
    assert!(download.header(header::CONTENT_DISPOSITION).contains("bieu-mau-bao-cao-2024S1-ubnd-xa-03646.xlsx"));
    let form = h.form(COMMUNE, s1()).await;
    let empty = read_form(&download.body, &form).expect("the downloaded form reads back");
    assert!(empty.content.values.is_empty());

    // "Excel" fills it with a numerator above its denominator: saved as a draft, the error sits
    // next to the inputs and blocks submission.
    let filled = write_form(&form, Some(&content(&h, COMMUNE, &[("VII.2.1", 120.0, 100.0)]).await)).unwrap();
    let uploaded = h.upload(&format!("{FORM_URI}/tai-len"), &officer, "bieu-mau.xlsx", &filled).await;
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.text());
    let html = uploaded.text();
    assert!(html.contains("Phải sửa trước khi gửi"), "{html}");
    assert!(html.contains("tử số (120) lớn hơn mẫu số (100)"), "{html}");
    assert!(row(&html, "chi-tieu-VII.2.1").contains("class=\"error\""), "the error sits next to the inputs");
    let draft = h.stored(COMMUNE).await.expect("draft saved");
    assert_eq!(draft.status, ReportStatus::Draft);
    assert_eq!(draft.content.value(&code("VII.2.1"), Part::Numerator), Some(120.0));
    assert!(draft.content.narratives.contains_key(&AreaCode::VII));
    assert_eq!(draft.content.not_applicable.get(&code("V.3.2")).map(String::as_str), Some(NOT_APPLICABLE));

    // Submitting with the error is refused, and the page says why.
    let fields = form_fields(&h, &officer.csrf, "submit", &[("VII.2.1", "120", "100")]).await;
    let blocked = post_fields(&h, FORM_URI, &officer, &fields).await;
    assert_eq!(blocked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blocked.text().contains("chưa gửi được báo cáo"), "{}", blocked.text());
    assert_eq!(h.stored(COMMUNE).await.unwrap().status, ReportStatus::Draft);

    // The corrected workbook, then «Gửi báo cáo».
    let fixed = write_form(&form, Some(&content(&h, COMMUNE, &[("VII.2.1", 63.0, 112.0)]).await)).unwrap();
    let uploaded = h.upload(&format!("{FORM_URI}/tai-len"), &officer, "bieu-mau.xlsx", &fixed).await;
    assert_eq!(uploaded.status, StatusCode::OK);
    assert!(!uploaded.text().contains("Phải sửa trước khi gửi"), "{}", uploaded.text());
    let fields = form_fields(&h, &officer.csrf, "submit", &[("VII.2.1", "63", "112")]).await;
    let submitted = post_fields(&h, FORM_URI, &officer, &fields).await;
    assert_eq!(submitted.status, StatusCode::SEE_OTHER, "{}", submitted.text());
    let html = h.get(&submitted.header(header::LOCATION), &officer).await.text();
    assert!(html.contains("Đã gửi báo cáo tới Sở Nội vụ"));
    assert!(html.contains("Chờ tiếp nhận") && !html.contains("badge st-overdue\">Trễ hạn"));
    assert!(!html.contains("name=\"n_VII.2.1\""), "a submitted report is read only");
    assert!(html.contains("120 → 63"), "the value history shows old → new: {html}");

    // Sở Nội vụ accepts from the period page.
    let admin = h.login("quantri").await;
    let period = h.get("/bao-cao/2024S1", &admin).await;
    assert_eq!(period.status, StatusCode::OK);
    let html = period.text();
    assert!(row(&html, &format!("co-quan-{COMMUNE}")).contains("Chờ tiếp nhận"));
    assert!(html.contains(&format!("/bao-cao/2024S1/{COMMUNE}/tiep-nhan")));
    let accepted =
        h.post_form(&format!("{FORM_URI}/tiep-nhan"), &admin, &[("csrf_token", &admin.csrf), ("ve", "bao-cao")]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.text());
    let location = accepted.header(header::LOCATION);
    assert!(location.starts_with("/bao-cao/2024S1?da_tiep_nhan=ubnd-xa-03646"), "{location}");
    let html = h.get(&location, &admin).await.text();
    assert!(html.contains("Đã tiếp nhận báo cáo của"));
    assert!(row(&html, &format!("co-quan-{COMMUNE}")).contains("Đã tiếp nhận"));
    // 63 / 112 = 56,25%: half away from zero, one decimal, decimal comma — 56,3% everywhere.
    let indicator = row(&html, "chi-tieu-VII.2.1");
    assert!(indicator.contains("56,3%") && !indicator.contains("56,2"), "{indicator}");
    assert!(indicator.contains("Chưa đạt") && indicator.contains("≥ 75%"), "{indicator}");
    let province = &indicator[indicator.find("Toàn tỉnh:").unwrap()..];
    assert!(province.contains("Không đánh giá"), "no province-wide target: {province}");
    assert!(!province.contains("Chưa có số liệu"), "{province}");
    assert!(indicator.contains("<svg"), "trend sparkline: {indicator}");
    assert!(html.contains("Số liệu chỉ tiêu tổng hợp từ 1 báo cáo (1 đã tiếp nhận, 0 chờ tiếp nhận)"), "{html}");
    assert_eq!(h.stored(COMMUNE).await.unwrap().status, ReportStatus::Accepted);

    // Drill-down to the agency's numbers.
    let drill = h.get("/bao-cao/2024S1/chi-tieu/VII.2.1", &admin).await;
    assert_eq!(drill.status, StatusCode::OK);
    let html = drill.text();
    assert!(html.contains(&format!("/bao-cao/2024S1/{COMMUNE}")) && html.contains(">63<") && html.contains(">112<"));
    assert!(html.contains("56,3%"));

    // The officer's page is locked and shows the workflow.
    let html = h.get(FORM_URI, &officer).await.text();
    assert!(html.contains("Đã tiếp nhận") && html.contains("Tiếp nhận") && html.contains("Gửi báo cáo"));
    assert!(html.contains("số liệu đã khóa"));

    // The consolidated report (numbered) and its annex; the settings page.
    let docx = h.get("/bao-cao/2024S1/tong-hop.docx?so=123&ngay=20/06/2024", &admin).await;
    assert_eq!(docx.status, StatusCode::OK, "{}", docx.text());
    assert_eq!(docx.header(header::CONTENT_TYPE), cchc_documents::docx::DOCX_TYPE);
    assert!(docx.header(header::CONTENT_DISPOSITION).contains("bao-cao-cchc-2024S1.docx"));
    let text = docx_text(&docx.body);
    assert!(text.contains("Số: 123/BC-SNV") && text.contains("56,3%"), "{text}");
    assert!(text.contains("II. ĐÁNH GIÁ CHUNG") && text.contains("III. PHƯƠNG HƯỚNG"), "{text}");
    let annex = h.get("/bao-cao/2024S1/phu-luc.xlsx?so=123", &admin).await;
    assert_eq!(annex.status, StatusCode::OK);
    assert!(annex.header(header::CONTENT_DISPOSITION).contains("phu-luc-bao-cao-cchc-2024S1.xlsx"));
    assert_eq!(h.get("/bao-cao/2024S1/tong-hop.docx", &officer).await.status, StatusCode::FORBIDDEN);
    assert_eq!(h.get("/bao-cao/2024S1/tong-hop.docx?so=12/BC", &admin).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The text of a DOCX's main part, tags removed.
fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    archive.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    let mut out = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn a_file_with_a_bad_cell_is_refused_whole_with_every_error_listed() {
    let h = harness(ON_TIME).await;
    let officer = h.login("xa1").await;
    let form = h.form(COMMUNE, s1()).await;
    // A first good upload leaves a draft.
    let good = write_form(&form, Some(&content(&h, COMMUNE, &[("VII.2.1", 7.0, 8.0)]).await)).unwrap();
    assert_eq!(h.upload(&format!("{FORM_URI}/tai-len"), &officer, "a.xlsx", &good).await.status, StatusCode::OK);
    // The officer types "abc" and "-3" into two value cells: a crafted copy of the workbook.
    let csv =
        write_content_csv(&form, &content(&h, COMMUNE, &[("VII.2.1", 9.0, 10.0)]).await).replace(",9,10,", ",abc,-3,");
    let answer = h.upload(&format!("{FORM_URI}/tai-len"), &officer, "bieu-mau.csv", csv.as_bytes()).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.text());
    let html = answer.text();
    assert!(html.contains("chưa có gì được lưu") && html.contains("2 ô không hợp lệ"), "{html}");
    assert!(html.contains("«abc» không phải là số") && html.contains("số âm"), "{html}");
    assert!(!html.contains("Phải sửa"), "no contradicting message for a typed cell: {html}");
    assert!(!html.contains("Đã lưu nháp"));
    let stored = h.stored(COMMUNE).await.unwrap();
    assert_eq!(stored.content.value(&code("VII.2.1"), Part::Numerator), Some(7.0), "nothing changed");
    // A CSV over its own limit says the CSV limit.
    let huge = format!("#agency={COMMUNE}\n{}", "x".repeat(cchc_documents::form::MAX_CSV_BYTES));
    let answer = h.upload(&format!("{FORM_URI}/tai-len"), &officer, "bieu-mau.csv", huge.as_bytes()).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.text().contains("biểu mẫu CSV tối đa 2 MB"), "{}", answer.text());
}

#[tokio::test]
async fn a_csv_upload_keeps_the_narratives_and_carries_its_own() {
    let h = harness(ON_TIME).await;
    let officer = h.login("xa1").await;
    let form = h.form(COMMUNE, s1()).await;
    let mut with_narratives = content(&h, COMMUNE, &[("VII.2.1", 7.0, 8.0)]).await;
    with_narratives.narratives.insert(AreaCode::II, "Rà soát 12 văn bản.\nĐề xuất bãi bỏ 2 văn bản.".into());
    let xlsx = write_form(&form, Some(&with_narratives)).unwrap();
    assert_eq!(h.upload(&format!("{FORM_URI}/tai-len"), &officer, "a.xlsx", &xlsx).await.status, StatusCode::OK);
    // A CSV with the values only (its area rows removed): the narratives stay.
    let csv = write_content_csv(&form, &content(&h, COMMUNE, &[("VII.2.1", 8.0, 9.0)]).await);
    let values_only: String = csv
        .split("\r\n")
        .filter(|line| !form.areas.iter().any(|(area, _)| line.starts_with(&format!("{area},"))))
        .collect::<Vec<_>>()
        .join("\r\n");
    let answer = h.upload(&format!("{FORM_URI}/tai-len"), &officer, "bieu-mau.csv", values_only.as_bytes()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert!(answer.text().contains("thuyết minh đã lưu được giữ nguyên"));
    let stored = h.stored(COMMUNE).await.unwrap();
    assert_eq!(stored.content.value(&code("VII.2.1"), Part::Numerator), Some(8.0));
    assert_eq!(
        stored.content.narratives.get(&AreaCode::II).map(String::as_str),
        Some("Rà soát 12 văn bản.\nĐề xuất bãi bỏ 2 văn bản.")
    );
    // The downloaded CSV carries them, quoted over two lines, and reads back.
    let download = h.get(&format!("{FORM_URI}/bieu-mau.csv"), &officer).await;
    let text = download.text();
    assert!(text.contains("\"Rà soát 12 văn bản.\nĐề xuất bãi bỏ 2 văn bản.\""), "{text}");
    let answer = h.upload(&format!("{FORM_URI}/tai-len"), &officer, "lai.csv", &download.body).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(h.stored(COMMUNE).await.unwrap().content, stored.content, "the round trip changes nothing");
}

#[tokio::test]
async fn a_long_narrative_from_excel_can_be_saved_again_on_the_web() {
    let h = harness(ON_TIME).await;
    let officer = h.login("xa1").await;
    let form = h.form(COMMUNE, s1()).await;
    let mut long = content(&h, COMMUNE, &[]).await;
    let text = "Kết quả nổi bật của lĩnh vực. ".repeat(850); // ≈ 25.500 characters
    long.narratives.insert(AreaCode::III, text.trim().to_string());
    let xlsx = write_form(&form, Some(&long)).unwrap();
    assert_eq!(h.upload(&format!("{FORM_URI}/tai-len"), &officer, "a.xlsx", &xlsx).await.status, StatusCode::OK);
    let mut fields = form_fields(&h, &officer.csrf, "save", &[]).await;
    fields.push(("narrative_III".into(), text.trim().to_string()));
    let saved = post_fields(&h, FORM_URI, &officer, &fields).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    assert!(saved.text().contains("Đã lưu nháp"));
    // Over the one limit: refused, the typed text kept on the page, nothing saved.
    let mut fields = form_fields(&h, &officer.csrf, "save", &[]).await;
    fields.push(("narrative_III".into(), "ă".repeat(30_001)));
    let refused = post_fields(&h, FORM_URI, &officer, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("tối đa 30.000 ký tự") && refused.text().contains("Chưa lưu gì"));
    assert!(h.stored(COMMUNE).await.unwrap().content.narratives[&AreaCode::III].starts_with("Kết quả"));
}

#[tokio::test]
async fn a_late_submission_is_flagged_and_a_receipt_date_or_extension_is_recorded() {
    let h = harness(LATE).await;
    let officer = h.login("xa1").await;
    let fields = form_fields(&h, &officer.csrf, "submit", &[("VII.2.1", "30", "40")]).await;
    let answer = post_fields(&h, FORM_URI, &officer, &fields).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let report = h.stored(COMMUNE).await.unwrap();
    assert!(report.is_late(h.form(COMMUNE, s1()).await.due));
    assert_eq!(report.submitted_on.map(|d| d.to_string()).as_deref(), Some("20/06/2024"));
    assert!(h.get(FORM_URI, &officer).await.text().contains("Trễ hạn"));

    let admin = h.login("quantri").await;
    let html = h.get("/bao-cao/2024S1?trang_thai=late", &admin).await.text();
    let line = row(&html, &format!("co-quan-{COMMUNE}"));
    assert!(line.contains("Trễ hạn") && line.contains("20/06/2024"), "{line}");
    assert!(!html.contains(&format!("id=\"co-quan-{OTHER_COMMUNE}\"")), "the filter keeps only late reports");
    let missing = h.get("/bao-cao/2024S1?nhom=commune&trang_thai=not_submitted", &admin).await.text();
    assert!(missing.contains(&format!("id=\"co-quan-{OTHER_COMMUNE}\"")));
    assert!(!missing.contains(&format!("id=\"co-quan-{COMMUNE}\"")));
    assert_eq!(h.get("/bao-cao/2024S1?trang_thai=lung-tung", &admin).await.status, StatusCode::BAD_REQUEST);

    // The paper report arrived on 12/06: Sở Nội vụ records it, the report is on time.
    let form_page = h.get(FORM_URI, &admin).await.text();
    assert!(form_page.contains("id=\"ghi-ngay-nhan\"") && form_page.contains("id=\"gia-han\""));
    let no_reason = h
        .post_form(
            &format!("{FORM_URI}/ngay-nhan"),
            &admin,
            &[("csrf_token", &admin.csrf), ("ngay", "12/06/2024"), ("ly_do", "")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let by_officer = h
        .post_form(
            &format!("{FORM_URI}/ngay-nhan"),
            &officer,
            &[("csrf_token", &officer.csrf), ("ngay", "12/06/2024"), ("ly_do", "x")],
        )
        .await;
    assert_eq!(by_officer.status, StatusCode::FORBIDDEN);
    let received = h
        .post_form(
            &format!("{FORM_URI}/ngay-nhan"),
            &admin,
            &[("csrf_token", &admin.csrf), ("ngay", "12/06/2024"), ("ly_do", "Công văn số 45/UBND ngày 12/6/2024")],
        )
        .await;
    assert_eq!(received.status, StatusCode::SEE_OTHER, "{}", received.text());
    let html = h.get(&received.header(header::LOCATION), &admin).await.text();
    assert!(
        html.contains("Đã ghi nhận ngày nhận báo cáo") && html.contains("12/06/2024 — Công văn số 45/UBND"),
        "{html}"
    );
    assert!(html.contains("Ghi nhận ngày nhận báo cáo"), "audited in the history");
    let period = h.get("/bao-cao/2024S1", &admin).await.text();
    let line = row(&period, &format!("co-quan-{COMMUNE}"));
    assert!(line.contains("12/06/2024") && !line.contains("Trễ hạn"), "{line}");

    // An extension for the other commune: a submission of 20/06 is on time.
    let extended = h
        .post_form(
            &format!("/bao-cao/2024S1/{OTHER_COMMUNE}/gia-han"),
            &admin,
            &[("csrf_token", &admin.csrf), ("ngay", "21/06/2024"), ("ly_do", "Mưa lũ chia cắt")],
        )
        .await;
    assert_eq!(extended.status, StatusCode::SEE_OTHER, "{}", extended.text());
    let other = h.login("xa2").await;
    let page = h.get(&format!("/bao-cao/2024S1/{OTHER_COMMUNE}"), &other).await.text();
    assert!(page.contains("21/06/2024") && page.contains("Được gia hạn") && page.contains("Mưa lũ chia cắt"), "{page}");
}

#[tokio::test]
async fn a_returned_report_is_neither_submitted_nor_late_and_can_be_fixed() {
    let h = harness(LATE).await;
    let officer = h.login("xa1").await;
    let admin = h.login("quantri").await;
    let fields = form_fields(&h, &officer.csrf, "submit", &[("VII.2.1", "10", "40")]).await;
    assert_eq!(post_fields(&h, FORM_URI, &officer, &fields).await.status, StatusCode::SEE_OTHER);

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
    assert!(html.contains("Bị trả lại, chờ gửi lại"));
    assert!(row(&format!("{html}</tr>"), "ly-do-tra-lai").contains("Thiếu số liệu số hóa của quý II"));
    assert!(html.contains("name=\"n_VII.2.1\""), "a returned report is editable again");
    // Neither submitted nor late, in the table and in the API.
    let period = h.get("/bao-cao/2024S1", &admin).await.text();
    let line = row(&period, &format!("co-quan-{COMMUNE}"));
    assert!(line.contains("Thiếu số liệu số hóa của quý II") && !line.contains("Trễ hạn"), "{line}");
    let api = h.api_login("quantri").await;
    let status = h.api(Method::GET, "/api/reports?period=2024S1", Some(&api), None).await.json();
    assert_eq!(
        (
            status["overall"]["returned"].as_u64(),
            status["overall"]["submitted"].as_u64(),
            status["overall"]["late"].as_u64()
        ),
        (Some(1), Some(0), Some(0))
    );

    // Fixed and sent again.
    let fields = form_fields(&h, &officer.csrf, "submit", &[("VII.2.1", "35", "40")]).await;
    let again = post_fields(&h, FORM_URI, &officer, &fields).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.text());
    assert_eq!(h.stored(COMMUNE).await.unwrap().status, ReportStatus::Submitted);
}

#[tokio::test]
async fn a_district_sees_its_communes_read_only() {
    let h = harness(ON_TIME).await;
    let district = h.login("huyen").await;
    let index = h.get("/bao-cao", &district).await.text();
    assert!(index.contains("href=\"/bao-cao/2024S1\""), "{index}");
    let page = h.get("/bao-cao/2024S1", &district).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains(&format!("id=\"co-quan-{COMMUNE}\"")), "a commune of the district");
    assert!(!html.contains("id=\"co-quan-ubnd-xa-04000\""), "not another district's commune");
    assert!(!html.contains("id=\"chi-tieu\"") && !html.contains("tiep-nhan"), "no province results, no review");
    let commune = h.get(FORM_URI, &district).await;
    assert_eq!(commune.status, StatusCode::OK);
    assert!(!commune.text().contains("name=\"n_VII.2.1\""), "read only");
    assert_eq!(h.get("/bao-cao/2024S1/chi-tieu/VII.2.1", &district).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn writes_are_refused_to_other_agencies_viewers_and_without_csrf() {
    let h = harness(ON_TIME).await;
    let officer = h.login("xa1").await;
    let viewer = h.login("lanhdao").await;
    let other_uri = format!("/bao-cao/2024S1/{OTHER_COMMUNE}");

    // An officer cannot save (nor read) another agency's report, nor see the province overview.
    let fields = form_fields(&h, &officer.csrf, "save", &[("VII.2.1", "1", "2")]).await;
    assert_eq!(post_fields(&h, &other_uri, &officer, &fields).await.status, StatusCode::FORBIDDEN);
    assert!(h.stored(OTHER_COMMUNE).await.is_none());
    assert_eq!(h.get(&other_uri, &officer).await.status, StatusCode::NOT_FOUND);
    assert_eq!(h.get(&format!("{other_uri}/bieu-mau.xlsx"), &officer).await.status, StatusCode::NOT_FOUND);
    assert_eq!(h.get("/bao-cao/2024S1", &officer).await.status, StatusCode::FORBIDDEN);
    let foreign = write_form(&h.form(OTHER_COMMUNE, s1()).await, None).unwrap();
    assert_eq!(
        h.upload(&format!("{other_uri}/tai-len"), &officer, "f.xlsx", &foreign).await.status,
        StatusCode::FORBIDDEN
    );
    // Only Sở Nội vụ accepts, records receipts and grants extensions; only it edits settings.
    let accept = h.post_form(&format!("{FORM_URI}/tiep-nhan"), &officer, &[("csrf_token", &officer.csrf)]).await;
    assert_eq!(accept.status, StatusCode::FORBIDDEN);
    let extension = h
        .post_form(
            &format!("{FORM_URI}/gia-han"),
            &officer,
            &[("csrf_token", &officer.csrf), ("ngay", "30/06/2024"), ("ly_do", "x")],
        )
        .await;
    assert_eq!(extension.status, StatusCode::FORBIDDEN);
    assert_eq!(h.get("/bao-cao/thiet-lap", &viewer).await.status, StatusCode::FORBIDDEN);

    // A viewer reads, read only, and cannot save.
    let page = h.get(FORM_URI, &viewer).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text().contains("name=\"n_VII.2.1\""));
    let fields = form_fields(&h, &viewer.csrf, "save", &[("VII.2.1", "1", "2")]).await;
    assert_eq!(post_fields(&h, FORM_URI, &viewer, &fields).await.status, StatusCode::FORBIDDEN);
    assert_eq!(h.get("/bao-cao/2024S1", &viewer).await.status, StatusCode::OK);

    // Without the CSRF token.
    let fields = form_fields(&h, "forged", "save", &[("VII.2.1", "1", "2")]).await;
    assert_eq!(post_fields(&h, FORM_URI, &officer, &fields).await.status, StatusCode::FORBIDDEN);
    assert!(h.stored(COMMUNE).await.is_none());

    // Text where a number goes: 422, the typed value is kept on the page, nothing saved, and no
    // other message contradicts it.
    let fields = form_fields(&h, &officer.csrf, "save", &[("VII.2.1", "nhiều", "2")]).await;
    let answer = post_fields(&h, FORM_URI, &officer, &fields).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = answer.text();
    assert!(html.contains("không phải là số") && html.contains("value=\"nhiều\""));
    assert!(!html.contains("Phải sửa"), "{html}");
    assert!(h.stored(COMMUNE).await.is_none());

    // Unknown period or agency: 404.
    assert_eq!(h.get("/bao-cao/2024Q2/ubnd-xa-03646", &officer).await.status, StatusCode::NOT_FOUND);
    assert_eq!(h.get("/bao-cao/2024S1/khong-co", &viewer).await.status, StatusCode::NOT_FOUND);

    // A save with nothing answered keeps a draft and lists the unanswered indicators.
    let saved = h
        .post_form(
            FORM_URI,
            &officer,
            &[("csrf_token", &officer.csrf), ("action", "save"), ("n_VII.2.1", "5"), ("d_VII.2.1", "2")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    let html = saved.text();
    assert!(
        html.contains("Đã lưu nháp") && html.contains("Phải sửa trước khi gửi") && html.contains("Chưa trả lời"),
        "{html}"
    );
    assert_eq!(h.stored(COMMUNE).await.unwrap().status, ReportStatus::Draft);
}

#[tokio::test]
async fn tampered_uploads_are_refused_and_nothing_is_saved() {
    let h = harness(ON_TIME).await;
    let officer = h.login("xa1").await;
    let upload_uri = format!("{FORM_URI}/tai-len");

    // A form of another agency.
    let foreign_content = content(&h, OTHER_COMMUNE, &[("VII.2.1", 1.0, 2.0)]).await;
    let foreign = write_form(&h.form(OTHER_COMMUNE, s1()).await, Some(&foreign_content)).unwrap();
    let answer = h.upload(&upload_uri, &officer, "bieu-mau.xlsx", &foreign).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.text().contains("Biểu mẫu của «"), "{}", answer.text());
    assert!(answer.text().contains("chưa có gì được lưu"));
    assert!(h.stored(COMMUNE).await.is_none());

    // A form of another period.
    let q1 = PeriodId::parse("2024Q1").unwrap();
    let other_period = write_form(&h.form(COMMUNE, q1).await, None).unwrap();
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
    assert!(
        answer.text().contains("Tệp quá lớn") && answer.text().contains("biểu mẫu Excel (.xlsx) tối đa 5 MB"),
        "{}",
        answer.text()
    );
    let answer = h.upload(&upload_uri, &officer, "", b"").await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A CSV of another agency, then the right one.
    let foreign_csv = write_content_csv(&h.form(OTHER_COMMUNE, s1()).await, &foreign_content);
    let answer = h.upload(&upload_uri, &officer, "bieu-mau.csv", foreign_csv.as_bytes()).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(h.stored(COMMUNE).await.is_none());
    let own = h.form(COMMUNE, s1()).await;
    let download = h.get(&format!("{FORM_URI}/bieu-mau.csv"), &officer).await;
    assert_eq!(download.status, StatusCode::OK);
    assert!(download.header(header::CONTENT_TYPE).starts_with("text/csv"));
    let csv = write_content_csv(&own, &content(&h, COMMUNE, &[("VII.2.1", 3.0, 4.0)]).await);
    let answer = h.upload(&upload_uri, &officer, "bieu-mau.csv", csv.as_bytes()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let saved = h.stored(COMMUNE).await.expect("saved from CSV");
    assert_eq!(saved.content.value(&code("VII.2.1"), Part::Denominator), Some(4.0));
}

#[tokio::test]
async fn document_settings_are_edited_in_the_browser() {
    let h = harness(ON_TIME).await;
    let admin = h.login("quantri").await;
    let page = h.get("/bao-cao/thiet-lap", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Bộ Nội vụ (b/c)") && page.text().contains("Lưu: VT, CCHC"));
    // Downloaded before the change (and kept): the next download must still carry the new signer.
    let before = docx_text(&h.get("/bao-cao/2024S1/tong-hop.docx", &admin).await.body);
    assert!(!before.contains("Nguyễn Văn A"), "{before}");
    let refused = h
        .post_form(
            "/bao-cao/thiet-lap",
            &admin,
            &[("csrf_token", &admin.csrf), ("chuc_danh", ""), ("noi_nhan", "UBND tỉnh")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("chức danh người ký không được để trống"));
    let saved = h
        .post_form(
            "/bao-cao/thiet-lap",
            &admin,
            &[
                ("csrf_token", &admin.csrf),
                ("chuc_danh", "KT. GIÁM ĐỐC\r\nPHÓ GIÁM ĐỐC"),
                ("nguoi_ky", "Nguyễn Văn A"),
                ("noi_nhan", "Bộ Nội vụ (b/c)\r\nUBND tỉnh (b/c)\r\nLưu: VT, CCHC"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let docx = h.get("/bao-cao/2024S1/tong-hop.docx", &admin).await;
    let text = docx_text(&docx.body);
    assert!(text.contains("KT. GIÁM ĐỐC") && text.contains("PHÓ GIÁM ĐỐC") && text.contains("Nguyễn Văn A"), "{text}");
    assert!(text.contains("UBND tỉnh (b/c)") && !text.contains("Thường trực Tỉnh ủy"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// API

const API_REPORT: &str = "/api/reports/2024S1/ubnd-xa-03646";
const API_REPORT_PATH: &str = "/api/reports/{period}/{agency}";

/// A save request answering every indicator of the commune's form.
async fn answers(h: &Harness, values: &[(&str, f64, f64)]) -> serde_json::Value {
    let form = h.form(COMMUNE, s1()).await;
    let values: Vec<serde_json::Value> = form
        .indicators
        .iter()
        .map(|i| match values.iter().find(|(c, _, _)| code(c) == i.code) {
            Some((c, n, d)) => json!({"code": c, "numerator": n, "denominator": d}),
            None => json!({"code": i.code.to_string(), "not_applicable": NOT_APPLICABLE}),
        })
        .collect();
    json!({"values": values, "narratives": {"VII": "Đã số hóa kết quả."}})
}

#[tokio::test]
async fn api_save_submit_accept_results() {
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
    let revenue = body["indicators"].as_array().unwrap().iter().find(|i| i["code"] == "VI.2.3").unwrap();
    assert_eq!(revenue["agencies"], json!(["so-tai-chinh"]));
    assert!(!body["rules"].as_array().unwrap().is_empty());

    // Not started yet.
    let empty = h.api(Method::GET, API_REPORT, Some(&officer), None).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.text());
    conforms("get", API_REPORT_PATH, "200", &empty.json());
    assert_eq!(empty.json()["status"], "missing");
    assert_eq!(empty.json()["can_write"], true);
    assert_eq!(empty.json()["due"], "2024-06-14");

    // Nothing answered: saved, submission refused with one message per unanswered indicator.
    let nothing = h.api(Method::PUT, API_REPORT, Some(&officer), Some(json!({"values": []}))).await;
    assert_eq!(nothing.status, StatusCode::OK, "{}", nothing.text());
    assert!(nothing.json()["violations"].as_array().unwrap().iter().any(|v| v["rule"] == "unanswered"));
    let blocked = h.api(Method::POST, &format!("{API_REPORT}/submit"), Some(&officer), None).await;
    refused("post", "/api/reports/{period}/{agency}/submit", &blocked, StatusCode::UNPROCESSABLE_ENTITY);

    // A draft with an error: saved, the error blocks submission.
    let saved =
        h.api(Method::PUT, API_REPORT, Some(&officer), Some(answers(&h, &[("VII.2.1", 120.0, 100.0)]).await)).await;
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
    let huge = json!({"values": [{"code": "VII.2.1", "numerator": 1e308, "denominator": 1e308}]});
    let refused_huge = h.api(Method::PUT, API_REPORT, Some(&officer), Some(huge)).await;
    refused("put", API_REPORT_PATH, &refused_huge, StatusCode::UNPROCESSABLE_ENTITY);
    let long = json!({"values": [], "narratives": {"II": "ă".repeat(30_001)}});
    let refused_long = h.api(Method::PUT, API_REPORT, Some(&officer), Some(long)).await;
    refused("put", API_REPORT_PATH, &refused_long, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused_long.json()["details"][0].as_str().unwrap().contains("tối đa 30.000 ký tự"));

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
    refused("get", API_REPORT_PATH, &others, StatusCode::NOT_FOUND);

    // Fixed, submitted, accepted.
    let saved =
        h.api(Method::PUT, API_REPORT, Some(&officer), Some(answers(&h, &[("VII.2.1", 63.0, 112.0)]).await)).await;
    assert_eq!(saved.status, StatusCode::OK);
    assert!(
        !saved.json()["violations"].as_array().unwrap().iter().any(|v| v["importance"] == "error"),
        "{}",
        saved.text()
    );
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

    // The results: exact numerator and denominator, the value rounded once, the verdict.
    let results = h.api(Method::GET, "/api/reports/2024S1/results", Some(&viewer), None).await;
    assert_eq!(results.status, StatusCode::OK, "{}", results.text());
    conforms("get", "/api/reports/{period}/results", "200", &results.json());
    let body = results.json();
    assert_eq!(body["sources"]["accepted"], 1);
    let rows = body["results"].as_array().unwrap();
    let xa = rows.iter().find(|r| r["indicator"] == "VII.2.1" && r["level"] == "xa").unwrap();
    assert_eq!(
        (xa["numerator"].as_f64(), xa["denominator"].as_f64(), xa["value"].as_f64()),
        (Some(63.0), Some(112.0), Some(56.3))
    );
    assert_eq!(xa["value_text"], "56,3%");
    assert_eq!((xa["verdict"].as_str(), xa["reporting_agencies"].as_u64()), (Some("not_met"), Some(1)));
    let province = rows.iter().find(|r| r["indicator"] == "VII.2.1" && r["level"].is_null()).unwrap();
    assert_eq!(province["verdict"], "no_target");
    assert!(!rows.iter().any(|r| r["indicator"] == "V.3.2" && r["level"] != "xa"), "only the levels that report it");
    let refused_results = h.api(Method::GET, "/api/reports/2024S1/results", Some(&officer), None).await;
    refused("get", "/api/reports/{period}/results", &refused_results, StatusCode::FORBIDDEN);

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

    // A receipt date and an extension, with the history.
    let receipt = h
        .api(
            Method::POST,
            &format!("{API_REPORT}/receipt"),
            Some(&admin),
            Some(json!({"date": "2024-06-09", "reason": "Bản giấy nhận ngày 09/6"})),
        )
        .await;
    assert_eq!(receipt.status, StatusCode::OK, "{}", receipt.text());
    conforms("post", "/api/reports/{period}/{agency}/receipt", "200", &receipt.json());
    assert_eq!(receipt.json()["received_on"], "2024-06-09");
    let bad_date = h
        .api(
            Method::POST,
            &format!("{API_REPORT}/receipt"),
            Some(&admin),
            Some(json!({"date": "31/02/2024", "reason": "x"})),
        )
        .await;
    refused("post", "/api/reports/{period}/{agency}/receipt", &bad_date, StatusCode::UNPROCESSABLE_ENTITY);
    let extension = h
        .api(
            Method::POST,
            "/api/reports/2024S1/ubnd-xa-03649/extension",
            Some(&admin),
            Some(json!({"until": "2024-06-21", "reason": "Mưa lũ"})),
        )
        .await;
    assert_eq!(extension.status, StatusCode::OK, "{}", extension.text());
    conforms("post", "/api/reports/{period}/{agency}/extension", "200", &extension.json());
    let by_officer = h
        .api(
            Method::POST,
            "/api/reports/2024S1/ubnd-xa-03649/extension",
            Some(&officer),
            Some(json!({"until": "2024-06-21", "reason": "x"})),
        )
        .await;
    refused("post", "/api/reports/{period}/{agency}/extension", &by_officer, StatusCode::FORBIDDEN);

    // The detail: values, «không áp dụng», workflow and value history.
    let detail = h.api(Method::GET, API_REPORT, Some(&officer), None).await;
    assert_eq!(detail.status, StatusCode::OK);
    conforms("get", API_REPORT_PATH, "200", &detail.json());
    let body = detail.json();
    let values = body["values"].as_array().unwrap();
    assert!(
        values.contains(&json!({"code": "VII.2.1", "numerator": 63.0, "denominator": 112.0, "not_applicable": null}))
    );
    assert!(values
        .contains(&json!({"code": "V.3.2", "numerator": null, "denominator": null, "not_applicable": NOT_APPLICABLE})));
    let kinds: Vec<&str> = body["events"].as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["saved", "saved", "saved", "submitted", "accepted", "reopened", "received"]);
    let history = body["value_history"].as_array().unwrap();
    assert!(history.iter().any(|c| c["indicator"] == "VII.2.1"
        && c["part"] == "numerator"
        && c["old_value"] == 120.0
        && c["new_value"] == 63.0
        && c["user"] == "xa1"));

    // The period overview is for Sở Nội vụ, leaders and districts.
    let overview = h.api(Method::GET, "/api/reports?period=2024S1", Some(&viewer), None).await;
    assert_eq!(overview.status, StatusCode::OK);
    conforms("get", "/api/reports", "200", &overview.json());
    let overall = &overview.json()["overall"];
    for key in ["expected", "not_submitted", "awaiting", "returned", "accepted", "on_time", "late"] {
        assert!(overall[key].is_u64(), "{key}: {overall}");
    }
    assert_eq!(overall["returned"], 1);
    let refused_overview = h.api(Method::GET, "/api/reports?period=2024S1", Some(&officer), None).await;
    refused("get", "/api/reports", &refused_overview, StatusCode::FORBIDDEN);
    let district = h.api_login("huyen").await;
    let scoped = h.api(Method::GET, "/api/reports?period=2024S1", Some(&district), None).await;
    assert_eq!(scoped.status, StatusCode::OK);
    assert_eq!(scoped.json()["whole_province"], false);
    let no_period = h.api(Method::GET, "/api/reports", Some(&admin), None).await;
    refused("get", "/api/reports", &no_period, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown_period = h.api(Method::GET, "/api/reports?period=2024Q2", Some(&admin), None).await;
    refused("get", "/api/reports", &unknown_period, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn of_two_concurrent_api_submissions_exactly_one_wins() {
    let h = harness(ON_TIME).await;
    let officer = h.api_login("xa1").await;
    let draft = answers(&h, &[("VII.2.1", 3.0, 4.0)]).await;
    assert_eq!(h.api(Method::PUT, API_REPORT, Some(&officer), Some(draft)).await.status, StatusCode::OK);
    let uri = format!("{API_REPORT}/submit");
    let (a, b) =
        tokio::join!(h.api(Method::POST, &uri, Some(&officer), None), h.api(Method::POST, &uri, Some(&officer), None));
    let statuses = [a.status, b.status];
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    let loser = if a.status == StatusCode::OK { &b } else { &a };
    refused("post", "/api/reports/{period}/{agency}/submit", loser, StatusCode::UNPROCESSABLE_ENTITY);
    let admin = h.state.app.command_line_user(Timestamp::from_unix_seconds(0)).await.unwrap();
    let detail = h.state.app.report_detail(&admin, &AgencyId::parse(COMMUNE).unwrap(), s1()).await.unwrap();
    let submissions = detail.events.iter().filter(|e| e.kind == ReportEventKind::Submitted).count();
    assert_eq!(submissions, 1);
}

/// The commune's dossiers of the 6-month window: one resolved early online, one late, one open
/// past its appointment at 13/06/2024 — on time 1 of 3, online 1 of 3.
const COMMUNE_DOSSIERS: &str = "\
MaHoSo,MaTTHC,DonViXuLy,KenhThucHien,NgayTiepNhan,NgayHenTra,NgayKetThucXuLy,NgayTra,TrangThaiHoSo,ThoiHanGiaiQuyet,PhieuXinLoi
H1,1.001,ubnd-xa-03646,2,20240304090000,20240307170000,20240306150000,,9,,0
H2,1.001,ubnd-xa-03646,1,20240220090000,20240226170000,20240305100000,20240306090000,10,,0
H3,1.002,ubnd-xa-03646,1,20240401080000,20240410170000,,,2,,0
";

#[tokio::test]
async fn the_report_shows_the_indicators_computed_from_dossiers_and_flags_differences() {
    let h = harness(ON_TIME).await;
    let officer = h.login("xa1").await;
    // Before any dossier is imported: no comparison.
    let page = h.get(FORM_URI, &officer).await;
    assert!(!page.text().contains("Đối chiếu với số liệu tính từ hồ sơ TTHC"));

    let admin_user = h.state.app.command_line_user(Timestamp::parse_rfc3339(ON_TIME).unwrap()).await.unwrap();
    h.state
        .app
        .import_dossiers(&admin_user, COMMUNE_DOSSIERS.as_bytes(), cchc_services::DossierFormat::Csv, &mut |_, _, _| {})
        .unwrap();
    // The officer submits III.6.1 as 1/3 (as the dossiers say) and VII.2.2 as 2/3 (they do not).
    let fields = form_fields(&h, &officer.csrf, "submit", &[("III.6.1", "1", "3"), ("VII.2.2", "2", "3")]).await;
    let sent = post_fields(&h, FORM_URI, &officer, &fields).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
    assert_eq!(h.stored(COMMUNE).await.unwrap().status, ReportStatus::Submitted);
    let html = h.get(FORM_URI, &officer).await.text();
    let section = &html[html.find("Đối chiếu với số liệu tính từ hồ sơ TTHC").expect("comparison")..];
    assert!(section.contains("1 chỉ tiêu có số báo cáo khác số tính từ hồ sơ"), "{section}");
    let on_time = &section[section.find("#chi-tieu-III.6.1").unwrap()..];
    let on_time = &on_time[..on_time.find("</tr>").unwrap()];
    assert!(on_time.contains("Khớp với số tính từ hồ sơ") && !on_time.contains("Chênh lệch"), "{on_time}");
    let online = &section[section.find("#chi-tieu-VII.2.2").unwrap()..];
    let online = &online[..online.find("</tr>").unwrap()];
    assert!(online.contains("Chênh lệch: báo cáo 2/3 (66,7%), tính từ hồ sơ 1/3 (33,3%)"), "{online}");

    // The API says the same.
    let api = h.api_login("xa1").await;
    let detail = h.api(Method::GET, "/api/reports/2024S1/ubnd-xa-03646", Some(&api), None).await;
    assert_eq!(detail.status, StatusCode::OK);
    let body = detail.json();
    conforms("get", "/api/reports/{period}/{agency}", "200", &body);
    let computed = body["computed"].as_array().unwrap();
    let online = computed.iter().find(|c| c["code"] == "VII.2.2").unwrap();
    assert_eq!(online["computed"], json!({ "numerator": 1.0, "denominator": 3.0, "rate": 33.3 }));
    assert_eq!(online["differs"], true);
    let on_time = computed.iter().find(|c| c["code"] == "III.6.1").unwrap();
    assert_eq!(on_time["differs"], false);
    let catalogue = h.api(Method::GET, "/api/indicators", Some(&api), None).await.json();
    let indicator = catalogue["indicators"].as_array().unwrap().iter().find(|i| i["code"] == "III.6.1").unwrap();
    assert_eq!(indicator["source"], "dossiers");
    assert_eq!(indicator["dossier_formula"]["numerator"], json!(["resolved_early", "resolved_on_time"]));

    // Sở Nội vụ sees, indicator by indicator, which agencies' reports differ from the dossiers.
    let admin = h.login("quantri").await;
    let online = h.get("/bao-cao/2024S1/chi-tieu/VII.2.2", &admin).await.text();
    assert!(online.contains("1 cơ quan báo cáo số khác số tính từ hồ sơ"), "{online}");
    let line = &online[online.find("class=\"differs\"").expect("a flagged row")..];
    let line = &line[..line.find("</tr>").unwrap()];
    assert!(line.contains("1/3 (33,3%)") && line.contains("Chênh lệch"), "{line}");
    let on_time = h.get("/bao-cao/2024S1/chi-tieu/III.6.1", &admin).await.text();
    assert!(on_time.contains("Không có chênh lệch") && !on_time.contains("class=\"differs\""), "{on_time}");
    // An indicator agencies alone report has no dossier column.
    let other = h.get("/bao-cao/2024S1/chi-tieu/II.1.1", &admin).await.text();
    assert!(!other.contains("Tính từ hồ sơ"));
}
