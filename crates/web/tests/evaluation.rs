//! The PAR Index on the web: `/api/evaluation/score` and the ranking page `/danh-gia`, with
//! what each visitor may see before publication.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::{Method, StatusCode};
use cchc_domain::account::UserRole;
use common::harness;

#[tokio::test]
async fn scores_through_the_api_and_the_ranking_page_before_publication() {
    let h = harness(
        "2025-01-10T02:00:00Z",
        &[
            ("snv", UserRole::Admin, None),
            ("thamdinh", UserRole::Appraiser, None),
            ("stp", UserRole::Agency, Some("so-tu-phap")),
        ],
    )
    .await;
    let admin = h.api_login("snv").await;
    let all = h.api(Method::GET, "/api/evaluation/score?year=2024", Some(&admin), None).await;
    assert_eq!(all.status, StatusCode::OK);
    common::conforms("get", "/api/evaluation/score", "200", &all.json());
    let results = all.json()["results"].as_array().unwrap().clone();
    assert_eq!(results.iter().filter(|r| r["kind"] == "district").count(), 12);
    assert!(results.iter().all(|r| r["published"] == false && r["by_area"].as_array().unwrap().len() == 8));
    // The council reads everything; an agency officer only its own row, without a rank.
    let council = h.api_login("thamdinh").await;
    let seen = h.api(Method::GET, "/api/evaluation/score?year=2024", Some(&council), None).await;
    assert_eq!(seen.json()["results"].as_array().unwrap().len(), results.len());
    let officer = h.api_login("stp").await;
    let own = h.api(Method::GET, "/api/evaluation/score?year=2024", Some(&officer), None).await.json();
    let own_rows = own["results"].as_array().unwrap();
    assert_eq!(own_rows.len(), 1);
    assert_eq!(own_rows[0]["agency"], "so-tu-phap");
    assert!(own_rows[0]["rank"].is_null());
    assert!(own["hidden_kinds"].as_array().unwrap().iter().any(|k| k == "department"));
    let bad = h.api(Method::GET, "/api/evaluation/score?year=abc", Some(&admin), None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("không phải là số hợp lệ"), "{}", bad.text());

    // The page: the public sees that nothing is published; Sở Nội vụ the provisional ranking,
    // with the template warning.
    let public = h.get("/danh-gia?nam=2024", None).await;
    assert_eq!(public.status, StatusCode::OK);
    let html = public.text();
    assert!(html.contains("Kết quả của các sở, ban, ngành chưa được công bố"), "{html}");
    assert!(!html.contains("Sở Tư pháp"), "{html}");
    let page_login = h.form_login("snv", "/danh-gia?nam=2024").await;
    let html = h.get("/danh-gia?nam=2024", &page_login).await.text();
    assert!(html.contains("Tạm tính — chưa mở đợt đánh giá") && html.contains("bộ tiêu chí mẫu"), "{html}");
    assert!(html.contains("Sở Tư pháp") && html.contains("UBND huyện Mộc Châu"), "{html}");
    let bad = h.get("/danh-gia?nam=hai-nghin", None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("năm «hai-nghin» không hợp lệ"));
}

/// Every self-assessed answer at its best: (field, value) pairs for the assessment form.
async fn best_answers(h: &common::Harness) -> Vec<(String, String)> {
    let framework = h.state.app.framework(2024, cchc_domain::AgencyKind::Department).await.unwrap();
    framework
        .framework
        .subs()
        .filter(|(_, _, s)| s.method.is_self_assessed())
        .map(|(_, _, s)| {
            let value = match &s.method {
                cchc_domain::evaluation::Method::YesNo => "có".to_string(),
                cchc_domain::evaluation::Method::Levels(levels) => levels.last().unwrap().label.clone(),
                _ => "100".to_string(),
            };
            (format!("gia_tri:{}", s.code), value)
        })
        .collect()
}

fn fields<'a>(csrf: &'a str, step: &'a str, rest: &'a [(String, String)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![("csrf_token", csrf), ("buoc", step)];
    all.extend(rest.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    all
}

#[tokio::test]
async fn a_round_through_the_pages_each_step_by_its_role() {
    let h = harness(
        "2025-01-10T02:00:00Z",
        &[
            ("snv", UserRole::Admin, None),
            ("thamdinh", UserRole::Appraiser, None),
            ("stp", UserRole::Agency, Some("so-tu-phap")),
            ("noivu", UserRole::Agency, Some("so-noi-vu")),
        ],
    )
    .await;
    let admin = h.form_login("snv", "/danh-gia?nam=2024").await;
    let opened = h
        .post_form(
            "/danh-gia/2024/dot",
            &admin,
            &[
                ("csrf_token", &admin.csrf),
                ("loai", "department"),
                ("buoc", "mo"),
                ("han", "24/01/2025"),
                ("so_ngay", "5"),
            ],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.text());
    let officer = h.form_login("stp", "/danh-gia/2024/so-tu-phap").await;
    let page = h.get("/danh-gia/2024/so-tu-phap", &officer).await.text();
    assert!(page.contains("name=\"gia_tri:I.1.1\"") && !page.contains("name=\"diem:"), "{page}");
    // A wrong answer: nothing saved, the reason listed.
    let mut answers = best_answers(&h).await;
    let good = answers.clone();
    answers[0].1 = "có lẽ".into();
    let refused = h.post_form("/danh-gia/2024/so-tu-phap", &officer, &fields(&officer.csrf, "gui", &answers)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("trả lời «có» hoặc «không»"), "{}", refused.text());
    let sent = h.post_form("/danh-gia/2024/so-tu-phap", &officer, &fields(&officer.csrf, "gui", &good)).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
    // Another agency neither reads nor writes it.
    let other = h.form_login("noivu", "/danh-gia/2024/so-noi-vu").await;
    assert_eq!(h.get("/danh-gia/2024/so-tu-phap", &other).await.status, StatusCode::FORBIDDEN);
    let forged = h.post_form("/danh-gia/2024/so-tu-phap", &other, &fields(&other.csrf, "luu", &good)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(h.get("/danh-gia/2024/so-tu-phap", None).await.status, StatusCode::FORBIDDEN);

    let closed = h
        .post_form(
            "/danh-gia/2024/dot",
            &admin,
            &[("csrf_token", &admin.csrf), ("loai", "department"), ("buoc", "tham_dinh")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.text());
    let council = h.form_login("thamdinh", "/danh-gia/2024/so-tu-phap").await;
    let page = h.get("/danh-gia/2024/so-tu-phap", &council).await.text();
    assert!(page.contains("name=\"diem:I.1.1\"") && !page.contains("name=\"gia_tri:"), "{page}");
    let lower = |reason: &str| {
        vec![("diem:I.1.1".to_string(), "0".to_string()), ("ly_do:I.1.1".to_string(), reason.to_string())]
    };
    let no_reason = lower("");
    let refused =
        h.post_form("/danh-gia/2024/so-tu-phap", &council, &fields(&council.csrf, "hoan_thanh", &no_reason)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let with_reason = lower("Kế hoạch ban hành sau ngày 10/01");
    let done =
        h.post_form("/danh-gia/2024/so-tu-phap", &council, &fields(&council.csrf, "hoan_thanh", &with_reason)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    // The officer may not appraise; it explains once.
    let forged =
        h.post_form("/danh-gia/2024/so-tu-phap", &officer, &fields(&officer.csrf, "tham_dinh", &with_reason)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let explanation = vec![("giai_trinh:I.1.1".to_string(), "Kế hoạch số 12/KH-STP ngày 08/01".to_string())];
    let explained =
        h.post_form("/danh-gia/2024/so-tu-phap", &officer, &fields(&officer.csrf, "giai_trinh", &explanation)).await;
    assert_eq!(explained.status, StatusCode::SEE_OTHER, "{}", explained.text());
    let again =
        h.post_form("/danh-gia/2024/so-tu-phap", &officer, &fields(&officer.csrf, "giai_trinh", &explanation)).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let restore = vec![
        ("diem:I.1.1".to_string(), "1".to_string()),
        ("ly_do:I.1.1".to_string(), "Chấp nhận giải trình".to_string()),
    ];
    let closed =
        h.post_form("/danh-gia/2024/so-tu-phap", &council, &fields(&council.csrf, "hoan_thanh", &restore)).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.text());
    let page = h.get("/danh-gia/2024/so-tu-phap", &officer).await.text();
    assert!(page.contains("Điểm chính thức") && page.contains("Chấp nhận giải trình"), "{page}");

    // The other departments: appraised as they stand and closed after their window.
    let council_user =
        h.state.app.accounts_for_operator().await.unwrap().into_iter().find(|u| u.username == "thamdinh").unwrap();
    let later = cchc_domain::Timestamp::parse_rfc3339("2025-03-01T02:00:00Z").unwrap();
    for agency in h.state.app.assessed_agencies(2024, cchc_domain::AgencyKind::Department) {
        if agency.id.as_str() == "so-tu-phap" {
            continue;
        }
        h.state.app.appraise(&council_user, 2024, &agency.id, &[], true, h.state.now()).await.unwrap();
        h.state.app.finalise_assessment(&council_user, 2024, &agency.id, later).await.unwrap();
    }
    let published = h
        .post_form(
            "/danh-gia/2024/dot",
            &admin,
            &[("csrf_token", &admin.csrf), ("loai", "department"), ("buoc", "cong_bo")],
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.text());
    let public = h.get("/danh-gia?nam=2024", None).await.text();
    assert!(public.contains("Đã công bố"), "{public}");
    let row = public.split("<tr>").find(|r| r.contains("Sở Tư pháp")).unwrap();
    assert!(row.contains("<td data-label=\"Hạng\">1</td>"), "{row}");
    assert_eq!(h.get("/danh-gia/2024/so-tu-phap", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_framework_is_read_downloaded_and_replaced_whole_or_not_at_all() {
    let h = harness(
        "2025-01-10T02:00:00Z",
        &[("snv", UserRole::Admin, None), ("stp", UserRole::Agency, Some("so-tu-phap"))],
    )
    .await;
    let public = h.get("/danh-gia/tieu-chi?nam=2024&loai=department", None).await;
    assert_eq!(public.status, StatusCode::OK);
    let html = public.text();
    assert!(html.contains("bộ tiêu chí mẫu") && html.contains("I.1.1") && !html.contains("nap-tieu-chi"), "{html}");
    let json = h.get("/danh-gia/tieu-chi.json?nam=2024&loai=department", None).await;
    assert_eq!(json.status, StatusCode::OK);
    assert!(json
        .header(axum::http::header::CONTENT_DISPOSITION)
        .contains("bo-tieu-chi-chi-so-cchc-2024-department.json"));
    let original = json.text();

    let admin = h.form_login("snv", "/danh-gia/tieu-chi?nam=2024&loai=department").await;
    let broken = original.replacen("\"max\": 100.0", "\"max\": 90.0", 1);
    let body = common::multipart(
        &[("csrf_token", &admin.csrf), ("ghi_chu", "thử")],
        Some(("tieu-chi.json", "application/json", broken.as_bytes())),
    );
    let refused = h.post_multipart("/danh-gia/tieu-chi?nam=2024&loai=department", Some(&admin), body).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = refused.text();
    assert!(
        text.contains("không thay đổi") && text.contains("dòng 7: Tổng điểm tối đa của bộ tiêu chí ghi 90"),
        "{text}"
    );
    assert_eq!(h.get("/danh-gia/tieu-chi.json?nam=2024&loai=department", None).await.text(), original);
    // Not JSON by name, or an officer: refused.
    let body =
        common::multipart(&[("csrf_token", &admin.csrf)], Some(("tieu-chi.txt", "text/plain", original.as_bytes())));
    assert_eq!(
        h.post_multipart("/danh-gia/tieu-chi?nam=2024&loai=department", Some(&admin), body).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let officer = h.form_login("stp", "/danh-gia/tieu-chi?nam=2024").await;
    let body = common::multipart(
        &[("csrf_token", &officer.csrf)],
        Some(("tieu-chi.json", "application/json", original.as_bytes())),
    );
    assert_eq!(
        h.post_multipart("/danh-gia/tieu-chi?nam=2024&loai=department", Some(&officer), body).await.status,
        StatusCode::FORBIDDEN
    );
    // A correct edit becomes version 1.
    let edited = original.replacen("\"basis\": \"\"", "\"basis\": \"Quyết định thử số 1/QĐ-UBND\"", 1);
    let body = common::multipart(
        &[("csrf_token", &admin.csrf), ("ghi_chu", "QĐ thử")],
        Some(("tieu-chi.json", "application/json", edited.as_bytes())),
    );
    let saved = h.post_multipart("/danh-gia/tieu-chi?nam=2024&loai=department", Some(&admin), body).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let page = h.get(&saved.location(), None).await.text();
    assert!(page.contains("phiên bản 1") && page.contains("Quyết định thử số 1/QĐ-UBND"), "{page}");
}

/// The sheet names and the cell texts of the first column `col` of an XLSX download.
fn xlsx_column(body: &[u8], sheet: &str, col: u32) -> (Vec<String>, Vec<String>) {
    use calamine::{open_workbook_from_rs, Reader, Xlsx};
    let mut workbook: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(body.to_vec())).unwrap();
    let names = workbook.sheet_names();
    let range = workbook.worksheet_range(sheet).unwrap();
    let cells = (0..range.height() as u32)
        .map(|r| range.get_value((r, col)).map(|v| v.to_string()).unwrap_or_default())
        .collect();
    (names, cells)
}

fn docx_text(body: &[u8]) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(body.to_vec())).unwrap();
    let mut xml = String::new();
    archive.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    xml
}

#[tokio::test]
async fn documents_download_with_the_visibility_of_their_pages() {
    use axum::http::header;
    let h = harness(
        "2025-01-10T02:00:00Z",
        &[
            ("snv", UserRole::Admin, None),
            ("stp", UserRole::Agency, Some("so-tu-phap")),
            ("noivu", UserRole::Agency, Some("so-noi-vu")),
        ],
    )
    .await;
    let admin = h.form_login("snv", "/danh-gia?nam=2024").await;
    // The links, on the ranking page and on the assessment page.
    let page = h.get("/danh-gia?nam=2024", &admin).await.text();
    assert!(
        page.contains("href=\"/danh-gia/2024/xep-hang.xlsx\"")
            && page.contains("action=\"/danh-gia/2024/quyet-dinh.docx\""),
        "{page}"
    );
    let page = h.get("/danh-gia/2024/so-tu-phap", &admin).await.text();
    assert!(page.contains("href=\"/danh-gia/2024/so-tu-phap/bang-diem.xlsx\""), "{page}");

    // The ranking: provisional, every agency for Sở Nội vụ (not mistaken for an agency's page).
    let ranking = h.get("/danh-gia/2024/xep-hang.xlsx", &admin).await;
    assert_eq!(ranking.status, StatusCode::OK, "{}", ranking.text());
    assert_eq!(ranking.header(header::CONTENT_TYPE), cchc_documents::annex::XLSX_TYPE);
    assert!(
        ranking.header(header::CONTENT_DISPOSITION).contains("filename=\"xep-hang-chi-so-cchc-2024.xlsx\""),
        "{}",
        ranking.header(header::CONTENT_DISPOSITION)
    );
    let (sheets, agencies) = xlsx_column(&ranking.body, "UBND cấp huyện", 1);
    assert_eq!(sheets, ["Sở, ban, ngành", "UBND cấp huyện"]);
    assert_eq!(agencies.iter().filter(|a| a.starts_with("UBND huyện") || a.starts_with("UBND thành phố")).count(), 12);
    // An officer: its own row only; the public: nothing before publication.
    let officer = h.form_login("stp", "/danh-gia?nam=2024").await;
    let own = h.get("/danh-gia/2024/xep-hang.xlsx", &officer).await;
    let (sheets, agencies) = xlsx_column(&own.body, "Sở, ban, ngành", 1);
    assert_eq!(sheets, ["Sở, ban, ngành"]);
    assert!(
        agencies.contains(&"Sở Tư pháp".to_string()) && !agencies.contains(&"Sở Nội vụ".to_string()),
        "{agencies:?}"
    );
    let public = h.get("/danh-gia/2024/xep-hang.xlsx", None).await;
    assert_eq!(public.status, StatusCode::OK);
    let (sheets, _) = xlsx_column(&public.body, "Xếp hạng", 0);
    assert_eq!(sheets, ["Xếp hạng"]);

    // The decision annex, numbered and dated; a bad date is refused.
    let annex = h.get("/danh-gia/2024/quyet-dinh.docx?so=123&ngay=20%2F03%2F2025", &admin).await;
    assert_eq!(annex.status, StatusCode::OK, "{}", annex.text());
    assert_eq!(annex.header(header::CONTENT_TYPE), cchc_documents::docx::DOCX_TYPE);
    assert!(annex.header(header::CONTENT_DISPOSITION).contains("phu-luc-quyet-dinh-chi-so-cchc-2024.docx"));
    let xml = docx_text(&annex.body);
    for expected in [
        "DỰ THẢO",
        "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2024 CỦA CÁC SỞ, BAN, NGÀNH",
        "(Kèm theo Quyết định số 123/QĐ-UBND ngày 20 tháng 3 năm 2025 của UBND tỉnh Sơn La)",
        "UBND huyện Mộc Châu",
    ] {
        assert!(xml.contains(expected), "{expected} missing");
    }
    let bad = h.get("/danh-gia/2024/quyet-dinh.docx?ngay=31%2F02%2F2025", &admin).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("ngày quyết định"), "{}", bad.text());

    // The score sheet: the agency's officers and Sở Nội vụ; not another agency, not the public.
    let sheet = h.get("/danh-gia/2024/so-tu-phap/bang-diem.xlsx", &officer).await;
    assert_eq!(sheet.status, StatusCode::OK, "{}", sheet.text());
    assert!(sheet.header(header::CONTENT_DISPOSITION).contains("bang-diem-chi-so-cchc-2024-so-tu-phap.xlsx"));
    let (sheets, first) = xlsx_column(&sheet.body, "Bảng điểm", 0);
    assert_eq!(sheets, ["Bảng điểm"]);
    assert_eq!(first[1], "Sở Tư pháp");
    assert!(first.contains(&"I.1.1".to_string()), "{first:?}");
    assert_eq!(h.get("/danh-gia/2024/so-tu-phap/bang-diem.xlsx", &admin).await.status, StatusCode::OK);
    let other = h.form_login("noivu", "/danh-gia?nam=2024").await;
    assert_eq!(h.get("/danh-gia/2024/so-tu-phap/bang-diem.xlsx", &other).await.status, StatusCode::FORBIDDEN);
    assert_eq!(h.get("/danh-gia/2024/so-tu-phap/bang-diem.xlsx", None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(h.get("/danh-gia/2024/khong-co/bang-diem.xlsx", &admin).await.status, StatusCode::NOT_FOUND);
    // The agency's page is still the page.
    assert!(h.get("/danh-gia/2024/so-tu-phap", &officer).await.text().contains("Tải bảng điểm (Excel)"));
}

#[tokio::test]
async fn evidence_files_are_attached_by_the_agency_and_read_by_who_sees_the_assessment() {
    let h = harness(
        "2025-01-10T02:00:00Z",
        &[
            ("snv", UserRole::Admin, None),
            ("stp", UserRole::Agency, Some("so-tu-phap")),
            ("noivu", UserRole::Agency, Some("so-noi-vu")),
        ],
    )
    .await;
    let admin = h.form_login("snv", "/danh-gia?nam=2024").await;
    let open = [
        ("csrf_token", admin.csrf.as_str()),
        ("loai", "department"),
        ("buoc", "mo"),
        ("han", "24/01/2025"),
        ("so_ngay", "5"),
    ];
    assert_eq!(h.post_form("/danh-gia/2024/dot", &admin, &open).await.status, StatusCode::SEE_OTHER);
    let officer = h.form_login("stp", "/danh-gia/2024/so-tu-phap").await;
    let page = h.get("/danh-gia/2024/so-tu-phap", &officer).await.text();
    assert!(page.contains("id=\"dinh-kem\"") && page.contains("enctype=\"multipart/form-data\""), "{page}");
    let pdf = b"%PDF-1.4\n% minh chung\n".to_vec();
    let upload = |login: &common::Login, sub: &str, name: &str, bytes: &[u8]| {
        common::multipart(&[("csrf_token", &login.csrf), ("tieu_chi", sub)], Some((name, "application/pdf", bytes)))
    };

    // Content that is not what its name says: refused, listed, nothing linked.
    let wrong = h
        .post_multipart(
            "/danh-gia/2024/so-tu-phap/tep",
            Some(&officer),
            upload(&officer, "I.1.1", "bien-ban.pdf", b"not a pdf"),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.text().contains("không đúng định dạng cho phép") && !wrong.text().contains("class=\"tep-minh-chung\"")
    );
    let unknown = h
        .post_multipart(
            "/danh-gia/2024/so-tu-phap/tep",
            Some(&officer),
            upload(&officer, "IX.9.9", "bien-ban.pdf", &pdf),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.text().contains("không có tiêu chí thành phần «IX.9.9»"), "{}", unknown.text());
    // Another agency, a forged token: refused.
    let other = h.form_login("noivu", "/danh-gia/2024/so-noi-vu").await;
    let by_other = h
        .post_multipart("/danh-gia/2024/so-tu-phap/tep", Some(&other), upload(&other, "I.1.1", "bien-ban.pdf", &pdf))
        .await;
    assert_eq!(by_other.status, StatusCode::FORBIDDEN);
    let forged =
        common::multipart(&[("csrf_token", "sai"), ("tieu_chi", "I.1.1")], Some(("a.pdf", "application/pdf", &pdf)));
    assert_eq!(
        h.post_multipart("/danh-gia/2024/so-tu-phap/tep", Some(&officer), forged).await.status,
        StatusCode::FORBIDDEN
    );

    // The officer attaches a PDF to I.1.1: linked on the page, logged.
    let done = h
        .post_multipart(
            "/danh-gia/2024/so-tu-phap/tep",
            Some(&officer),
            upload(&officer, "I.1.1", "Biên bản.pdf", &pdf),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    let page = h.get(&done.location(), &officer).await.text();
    assert!(page.contains("Đã đính kèm tệp minh chứng"), "{page}");
    let start = page.find("class=\"tep-minh-chung\"").expect("a file link");
    let href_at = page[..start].rfind("href=\"").unwrap() + 6;
    let link = page[href_at..].split('"').next().unwrap().replace("&amp;", "&");
    assert!(link.starts_with("/tep/") && link.contains("?danh_gia="), "{link}");
    assert!(page[start..].starts_with("class=\"tep-minh-chung\">Biên bản.pdf</a>"), "{}", &page[start..start + 80]);
    let got = h.get(&link, &officer).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body, pdf);
    // Sở Nội vụ reads it; another agency and the public do not, before publication.
    assert_eq!(h.get(&link, &admin).await.status, StatusCode::OK);
    assert_eq!(h.get(&link, &other).await.status, StatusCode::NOT_FOUND);
    assert_ne!(h.get(&link, None).await.status, StatusCode::OK);

    // Once sent for appraisal the officer can no longer attach.
    let sent = h
        .post_form("/danh-gia/2024/so-tu-phap", &officer, &fields(&officer.csrf, "gui", &best_answers(&h).await))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
    let late = h
        .post_multipart("/danh-gia/2024/so-tu-phap/tep", Some(&officer), upload(&officer, "I.1.2", "them.pdf", &pdf))
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(late.text().contains("chỉ đính kèm được minh chứng"), "{}", late.text());
    assert_eq!(
        h.get("/danh-gia/2024/so-tu-phap", &officer).await.text().matches("class=\"tep-minh-chung\"").count(),
        1
    );
}
