//! The server-rendered pages through HTTP (`tower::ServiceExt::oneshot` on the real router):
//! logging in through the real form, recording progress with an attachment through the real
//! multipart form, refusals per role, CSRF, upload checks, escaping, the public pages, search
//! and bad input.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::{header, StatusCode};
use cchc_domain::account::UserRole;
use cchc_domain::tracking::{MilestoneId, MilestoneRecord};
use common::{multipart, Harness, Login as Browser};

/// A tiny but well-formed PDF.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

async fn harness() -> Harness {
    common::harness(
        "2024-07-01T03:00:00Z",
        &[
            ("quantri", UserRole::Admin, None),
            ("tuphap", UserRole::Agency, Some("so-tu-phap")),
            ("lanhdao", UserRole::Viewer, None),
        ],
    )
    .await
}

/// The HTML of the milestone block `moc-{id}`.
fn block(html: &str, id: MilestoneId) -> String {
    let start = html.find(&format!("id=\"moc-{}\"", id.0)).expect("milestone block");
    let end = html[start..].find("</article>").map_or(html.len(), |e| start + e);
    html[start..end].to_string()
}

impl Harness {
    /// Logs in through the real login form.
    async fn login(&self, username: &str) -> Browser {
        self.form_login(username, "/co-quan").await
    }

    async fn milestones(&self) -> Vec<MilestoneRecord> {
        self.state.app.current().await.unwrap().milestones.clone()
    }

    async fn first_of(&self, code: &str, agency: &str) -> MilestoneRecord {
        self.milestones()
            .await
            .into_iter()
            .find(|m| m.activity_code() == code && m.agency.as_str() == agency)
            .expect("milestone")
    }

    async fn history_len(&self, id: MilestoneId) -> usize {
        self.state.app.history(&[id]).await.unwrap().len()
    }

    fn stored_files(&self) -> usize {
        walk(self.files.path())
    }
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries.filter_map(Result::ok).map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum()
        })
        .unwrap_or(0)
}

fn done_fields<'a>(csrf: &'a str, comment: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", csrf),
        ("status", "done"),
        ("completed_on", "18/01/2024"),
        ("evidence_number", "15/KH-UBND"),
        ("evidence_date", "18/01/2024"),
        ("evidence_issuer", "UBND tỉnh"),
        ("comment", comment),
    ]
}

#[tokio::test]
async fn an_officer_records_progress_with_a_pdf_and_sees_it_on_time() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    let milestone = h.first_of("II.2", "so-tu-phap").await;
    let activity = milestone.activity.0;
    let id = milestone.id.0;

    // The activity page offers the officer the progress form of their own milestone.
    let page = h.get(&format!("/hoat-dong/{activity}"), Some(&officer)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains(&format!(
        "<form method=\"post\" action=\"/moc/{id}/tien-do\" enctype=\"multipart/form-data\" id=\"progress-{id}\">"
    )));
    for field in ["csrf_token", "status", "completed_on", "evidence_number", "evidence_date", "evidence_issuer"] {
        assert!(html.contains(&format!("name=\"{field}\"")), "{field}");
    }
    assert!(html.contains("<textarea name=\"comment\""));
    assert!(html.contains("type=\"file\" name=\"file\" accept=\".pdf,.docx,.xlsx,.jpg,.jpeg,.png\""));
    assert!(html.contains("Lưu tiến độ"));

    let comment = "<script>alert(\"x\")</script> đã trình ký";
    let body = multipart(&done_fields(&officer.csrf, comment), Some(("Kế hoạch 15.pdf", "application/pdf", PDF)));
    let answer = h.post_multipart(&format!("/moc/{id}/tien-do"), Some(&officer), body).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    assert_eq!(answer.location(), format!("/hoat-dong/{activity}?da_luu={id}#moc-{id}"));

    let page = h.get(&answer.location(), Some(&officer)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Đã lưu tiến độ"));
    let moc = block(&html, milestone.id);
    assert!(moc.contains("badge st-done-on-time\">Hoàn thành đúng hạn<"), "{moc}");
    assert!(moc.contains("Văn bản số 15/KH-UBND ngày 18/01/2024 của UBND tỉnh"), "{moc}");
    let href_at = moc.find("href=\"/tep/").expect("file link") + "href=\"".len();
    let href = moc[href_at..].split('"').next().unwrap().to_string();
    assert!(moc.contains("Kế hoạch 15.pdf"));
    // History: who and when (Vietnam time of the fixed clock).
    assert!(moc.contains("tuphap") && moc.contains("01/07/2024 10:00"), "{moc}");
    // The script in the comment is escaped, never executed.
    assert!(!html.contains("<script>alert"));
    assert!(moc.contains("&#60;script&#62;") || moc.contains("&lt;script&gt;"), "{moc}");

    // The file downloads for logged-in users only, with its name and type.
    let file = h.get(&href, Some(&officer)).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, PDF);
    assert_eq!(file.headers.get(header::CONTENT_TYPE).unwrap(), "application/pdf");
    let disposition = file.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap();
    assert!(disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''K%E1%BA%BF%20ho"));
    let anonymous = h.get(&href, None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(
        h.get("/tep/0000000000000000000000000000000000000000000000000000000000000000", Some(&officer)).await.status,
        StatusCode::NOT_FOUND
    );

    // The agency page shows the milestone done and the scorecard counts it.
    let agency = h.get("/co-quan/so-tu-phap", Some(&officer)).await.text();
    assert!(agency.contains("Hoàn thành đúng hạn"));
    assert!(agency.contains("/xuat/co-quan-so-tu-phap.xlsx") && agency.contains("/lich/so-tu-phap.ics"));
}

#[tokio::test]
async fn writes_are_refused_to_other_agencies_viewers_and_without_csrf() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    let viewer = h.login("lanhdao").await;
    let own = h.first_of("II.2", "so-tu-phap").await;
    let other = h.first_of("I.1", "so-noi-vu").await;

    // Another agency's milestone: 403, nothing recorded, even with a valid token and file.
    let body = multipart(&done_fields(&officer.csrf, "x"), Some(("kh.pdf", "application/pdf", PDF)));
    let answer = h.post_multipart(&format!("/moc/{}/tien-do", other.id.0), Some(&officer), body).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text());
    assert_eq!(h.history_len(other.id).await, 0);
    // And the form is not offered.
    let page = h.get(&format!("/hoat-dong/{}", other.activity.0), Some(&officer)).await.text();
    assert!(!page.contains(&format!("id=\"progress-{}\"", other.id.0)));

    // A viewer may read but not write.
    let body = multipart(&done_fields(&viewer.csrf, "x"), None);
    let answer = h.post_multipart(&format!("/moc/{}/tien-do", own.id.0), Some(&viewer), body).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let page = h.get(&format!("/hoat-dong/{}", own.activity.0), Some(&viewer)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text().contains("id=\"progress-"));

    // Missing or wrong CSRF token: 403.
    let mut fields = done_fields("", "x");
    fields.remove(0);
    let answer =
        h.post_multipart(&format!("/moc/{}/tien-do", own.id.0), Some(&officer), multipart(&fields, None)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let wrong = multipart(&done_fields("00ff", "x"), None);
    let answer = h.post_multipart(&format!("/moc/{}/tien-do", own.id.0), Some(&officer), wrong).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(h.history_len(own.id).await, 0);

    // Nobody logged in: to the login page.
    let answer = h.post_multipart(&format!("/moc/{}/tien-do", own.id.0), None, multipart(&[], None)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location(), "/dang-nhap");

    // Events are for administrators only.
    let answer = h
        .post_form(
            &format!("/hoat-dong/{}/su-kien", own.activity.0),
            &officer,
            &[("csrf_token", &officer.csrf), ("item", "0"), ("occurred_on", "15/03/2024")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(h.stored_files(), 0);
}

#[tokio::test]
async fn bad_uploads_and_bad_fields_are_refused_in_vietnamese_and_change_nothing() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    let own = h.first_of("II.2", "so-tu-phap").await;
    let uri = format!("/moc/{}/tien-do", own.id.0);

    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode";
    let body = multipart(&done_fields(&officer.csrf, "x"), Some(("bao-cao.pdf", "application/pdf", exe)));
    let answer = h.post_multipart(&uri, Some(&officer), body).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.text().contains("không đúng định dạng cho phép"), "{}", answer.text());

    // A PDF named .png: the extension must agree with the content.
    let body = multipart(&done_fields(&officer.csrf, "x"), Some(("anh.png", "image/png", PDF)));
    let answer = h.post_multipart(&uri, Some(&officer), body).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.text().contains("không khớp với nội dung"));

    // An empty file.
    let body = multipart(&done_fields(&officer.csrf, "x"), Some(("rong.pdf", "application/pdf", b"")));
    let answer = h.post_multipart(&uri, Some(&officer), body).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.text().contains("rỗng"));

    // Malformed dates and status: every reason listed.
    let fields = [
        ("csrf_token", officer.csrf.as_str()),
        ("status", "xong"),
        ("completed_on", "32/01/2024"),
        ("evidence_date", "hôm qua"),
    ];
    let answer = h.post_multipart(&uri, Some(&officer), multipart(&fields, None)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = answer.text();
    assert!(text.contains("trạng thái «xong» không hợp lệ"), "{text}");
    assert!(text.contains("ngày hoàn thành"), "{text}");
    assert!(text.contains("ngày của văn bản minh chứng"), "{text}");

    // Completion in the future (the service's rule) is refused too.
    let mut fields = done_fields(&officer.csrf, "x");
    fields[2] = ("completed_on", "01/08/2024");
    let answer = h.post_multipart(&uri, Some(&officer), multipart(&fields, None)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(h.history_len(own.id).await, 0);
    assert_eq!(h.stored_files(), 0);
}

#[tokio::test]
async fn the_public_pages_need_no_login_and_show_no_personal_data() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    let own = h.first_of("II.2", "so-tu-phap").await;
    let secret = "ghi chú nội bộ không công khai";
    let body = multipart(&done_fields(&officer.csrf, secret), Some(("kh.pdf", "application/pdf", PDF)));
    let answer = h.post_multipart(&format!("/moc/{}/tien-do", own.id.0), Some(&officer), body).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);

    let home = h.get("/", None).await;
    assert_eq!(home.status, StatusCode::OK);
    let html = home.text();
    assert!(html.contains("2783/QĐ-UBND"));
    assert!(html.contains("Tiến độ theo lĩnh vực") && html.contains("class=\"bar\""));
    assert!(html.contains("Quá hạn chưa hoàn thành"));
    assert!(html.contains("Đăng nhập") && html.contains("Công khai"));

    let activity = h.get(&format!("/cong-khai/hoat-dong/{}", own.activity.0), None).await;
    assert_eq!(activity.status, StatusCode::OK);
    let public = activity.text();
    assert!(public.contains("Văn bản số 15/KH-UBND ngày 18/01/2024 của UBND tỉnh"));
    assert!(public.contains("Hoàn thành đúng hạn"));
    let area = h.get("/cong-khai/linh-vuc/II", None).await;
    assert_eq!(area.status, StatusCode::OK);
    for page in [html, public, area.text()] {
        assert!(!page.contains("tuphap"), "username on a public page");
        assert!(!page.contains("Tài khoản"), "display name on a public page");
        assert!(!page.contains(secret), "comment on a public page");
        assert!(!page.contains("/tep/"), "file on a public page");
        assert!(!page.contains("csrf_token"));
    }
    assert_eq!(h.get("/cong-khai/hoat-dong/999999", None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(h.get("/?as_of=2024-13-45", None).await.status, StatusCode::BAD_REQUEST);
    // The logged-in pages are not public.
    let answer = h.get(&format!("/hoat-dong/{}", own.activity.0), None).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location(), format!("/dang-nhap?tiep=/hoat-dong/{}", own.activity.0));
}

#[tokio::test]
async fn search_folds_accents_and_lists_link_to_exports() {
    let h = harness().await;
    let viewer = h.login("lanhdao").await;

    let page = h.get("/tim-kiem?q=so+noi+vu", Some(&viewer)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("href=\"/co-quan/so-noi-vu"), "the agency itself is found");
    // I.1 is led by Sở Nội vụ.
    let i1 = h.first_of("I.1", "so-noi-vu").await;
    assert!(html.contains(&format!("/hoat-dong/{}?", i1.activity.0)));
    assert!(html.contains("/xuat/tim-kiem.xlsx?q=so+noi+vu") && html.contains("/xuat/tim-kiem.csv?q=so+noi+vu"));
    // Accents typed or not, same results.
    let accented = h.get("/tim-kiem?q=S%E1%BB%9F+N%E1%BB%99i+v%E1%BB%A5", Some(&viewer)).await.text();
    assert!(accented.contains(&format!("/hoat-dong/{}?", i1.activity.0)));
    let none = h.get("/tim-kiem?q=zzzzqqq", Some(&viewer)).await.text();
    assert!(!none.contains("/hoat-dong/"));

    let overdue = h.get("/qua-han?linh_vuc=II&nhom=department", Some(&viewer)).await;
    assert_eq!(overdue.status, StatusCode::OK);
    let html = overdue.text();
    assert!(
        html.contains("/xuat/qua-han.xlsx?linh_vuc=II&#38;nhom=department")
            || html.contains("/xuat/qua-han.xlsx?linh_vuc=II&amp;nhom=department")
    );
    assert!(html.contains("Sở Tư pháp"));
    let upcoming = h.get("/sap-den-han?ngay=60", Some(&viewer)).await;
    assert_eq!(upcoming.status, StatusCode::OK);
    assert!(upcoming.text().contains("Đến hạn trong 60 ngày tới"));
    let area = h.get("/linh-vuc/II", Some(&viewer)).await;
    assert_eq!(area.status, StatusCode::OK);
    assert!(area.text().contains("/xuat/linh-vuc-II.csv"));
    let agencies = h.get("/co-quan?nhom=district", Some(&viewer)).await;
    assert_eq!(agencies.status, StatusCode::OK);
    assert!(agencies.text().contains("UBND thành phố Sơn La"));
}

#[tokio::test]
async fn bad_input_gets_404_and_400_pages() {
    let h = harness().await;
    let viewer = h.login("lanhdao").await;
    for uri in [
        "/hoat-dong/999999",
        "/hoat-dong/abc",
        "/hoat-dong/-1",
        "/linh-vuc/IX",
        "/co-quan/khong-co-co-quan-nay",
        "/co-quan/SO-NOI-VU",
        "/hoat-dong/1?co_quan=khong-co",
    ] {
        let page = h.get(uri, Some(&viewer)).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(page.text().contains("Không tìm thấy"), "{uri}");
    }
    for uri in [
        "/qua-han?as_of=32/13/2024",
        "/linh-vuc/II?as_of=hom-nay",
        "/co-quan?nhom=khac",
        "/qua-han?linh_vuc=X",
        "/sap-den-han?ngay=0",
        "/qua-han?sap_xep=ten",
    ] {
        let page = h.get(uri, Some(&viewer)).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(page.text().contains("không hợp lệ"), "{uri}");
    }
    let officer = h.login("tuphap").await;
    let body = multipart(&done_fields(&officer.csrf, "x"), None);
    let page = h.post_multipart("/moc/999999/tien-do", Some(&officer), body).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_administrator_records_an_event_and_the_due_date_appears() {
    let h = harness().await;
    let admin = h.login("quantri").await;
    let waiting = h
        .milestones()
        .await
        .into_iter()
        .find(|m| m.activity_code() == "I.8" && m.due.is_none())
        .expect("I.8 waits for an event");
    let uri = format!("/hoat-dong/{}", waiting.activity.0);
    let page = h.get(&uri, Some(&admin)).await.text();
    assert!(page.contains(&format!("action=\"{uri}/su-kien\"")) && page.contains("Ghi nhận sự kiện"));

    let bad = h
        .post_form(
            &format!("{uri}/su-kien"),
            &admin,
            &[("csrf_token", &admin.csrf), ("item", "0"), ("occurred_on", "31/02/2024")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let answer = h
        .post_form(
            &format!("{uri}/su-kien"),
            &admin,
            &[("csrf_token", &admin.csrf), ("item", "0"), ("occurred_on", "15/03/2024"), ("description", "Hội nghị")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let page = h.get(&answer.location(), Some(&admin)).await.text();
    assert!(page.contains("Đã ghi nhận sự kiện"));
    assert!(block(&page, waiting.id).contains("15/03/2024"));
}

#[tokio::test]
async fn a_plan_whose_year_is_over_opens_on_its_last_report_cut_off() {
    // 04/12/2026: the 2024 plan is over.
    let h = common::harness("2026-12-04T03:00:00Z", &[("lanhdao", UserRole::Viewer, None)]).await;
    let viewer = h.form_login("lanhdao", "/tong-quan").await;
    let html = h.get("/tong-quan", &viewer).await.text();
    assert!(html.contains("value=\"13/12/2024\""), "the form shows the day used");
    assert!(html.contains("Kế hoạch năm 2024 đã kết thúc") && html.contains("13/12/2024"), "{html}");
    assert!(html.contains("href=\"/tong-quan?as_of=2026-12-04\""), "the choice of today stays visible");
    // A chosen date is used as given, without the note.
    let chosen = h.get("/tong-quan?as_of=01/07/2024", &viewer).await.text();
    assert!(chosen.contains("value=\"01/07/2024\"") && !chosen.contains("id=\"asof-note\""));
    // The same on the public home page, and the API's default.
    let public = h.get("/", None).await.text();
    assert!(public.contains("value=\"13/12/2024\"") && public.contains("id=\"asof-note\""), "{public}");
    let api = h.api_login("lanhdao").await;
    let board = h.api(axum::http::Method::GET, "/api/dashboard", Some(&api), None).await;
    assert_eq!(board.json()["as_of"], "2024-12-13");
}

#[tokio::test]
async fn pages_are_compressed_when_the_client_accepts_it_and_assets_are_cacheable() {
    use axum::body::Body;
    use axum::http::{Method, Request};
    let h = harness().await;
    let get = |uri: &str, encoding: &str| {
        Request::builder().method(Method::GET).uri(uri).header(header::ACCEPT_ENCODING, encoding).body(Body::empty())
    };
    let plain = h.send(get("/?as_of=2024-07-01", "identity").unwrap()).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
    for (accept, expected) in [("gzip", "gzip"), ("br", "br"), ("gzip, deflate, br", "br")] {
        let page = h.send(get("/?as_of=2024-07-01", accept).unwrap()).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.header(header::CONTENT_ENCODING), expected, "{accept}");
        assert!(page.body.len() * 4 < plain.body.len(), "{accept}: {} vs {} bytes", page.body.len(), plain.body.len());
    }
    let css = h.send(get("/static/app.css?v=1", "gzip").unwrap()).await;
    assert!(css.header(header::CACHE_CONTROL).contains("immutable"));
    // An XLSX export is a zip already: sent as it is.
    let viewer = h.login("lanhdao").await;
    let request = Request::builder()
        .uri("/xuat/qua-han.xlsx?as_of=2024-07-01")
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .header(header::COOKIE, &viewer.cookie)
        .body(Body::empty())
        .unwrap();
    let xlsx = h.send(request).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.headers.get(header::CONTENT_ENCODING).is_none() && xlsx.body.starts_with(b"PK"));
}

// ---------------------------------------------------------------------------------------------
// Privacy: who reads histories, comments and evidence files.

/// A harness with officers of two departments, a commune, its district and another district.
async fn privacy_harness() -> (Harness, MilestoneRecord) {
    let app = cchc_services::App::open_in_memory().await.unwrap();
    let current = app.current().await.unwrap();
    let commune_milestone = current
        .milestones
        .iter()
        .find(|m| {
            m.activity_code() == "III.6"
                && app.directory().agency(&m.agency).is_some_and(|a| a.kind == cchc_domain::AgencyKind::Commune)
        })
        .unwrap()
        .clone();
    let commune = app.directory().agency(&commune_milestone.agency).unwrap().clone();
    let district = commune.parent.clone().unwrap().to_string();
    let other_district = app
        .directory()
        .agencies
        .iter()
        .find(|a| a.kind == cchc_domain::AgencyKind::District && a.id.as_str() != district)
        .unwrap()
        .id
        .to_string();
    let h = common::harness(
        "2024-07-01T03:00:00Z",
        &[
            ("quantri", UserRole::Admin, None),
            ("tuphap", UserRole::Agency, Some("so-tu-phap")),
            ("noivu", UserRole::Agency, Some("so-noi-vu")),
            ("lanhdao", UserRole::Viewer, None),
            ("canboxa", UserRole::Agency, Some(commune.id.as_str())),
            ("canbohuyen", UserRole::Agency, Some(&district)),
            ("huyenkhac", UserRole::Agency, Some(&other_district)),
        ],
    )
    .await;
    (h, commune_milestone)
}

/// The `href` of the first evidence file link of `html`.
fn file_href(html: &str) -> String {
    let at = html.find("href=\"/tep/").expect("file link") + "href=\"".len();
    html[at..].split('"').next().unwrap().replace("&#38;", "&").replace("&amp;", "&")
}

#[tokio::test]
async fn histories_comments_and_files_are_hidden_from_other_agencies_officers() {
    let (h, commune_milestone) = privacy_harness().await;
    let officer = h.login("tuphap").await;
    let own = h.first_of("II.2", "so-tu-phap").await;
    let secret = "ý kiến nội bộ của Sở Tư pháp";
    let body = multipart(&done_fields(&officer.csrf, secret), Some(("bien-ban-noi-bo.pdf", "application/pdf", PDF)));
    let answer = h.post_multipart(&format!("/moc/{}/tien-do", own.id.0), Some(&officer), body).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let page = h.get(&format!("/hoat-dong/{}", own.activity.0), Some(&officer)).await.text();
    let href = file_href(&block(&page, own.id));
    assert!(href.contains("?tien_do="), "{href}");

    // Sở Nội vụ's officer sees the status and the evidence document, as the public does, but
    // neither who recorded it, nor the comment, nor the file.
    let other = h.login("noivu").await;
    let page = h.get(&format!("/hoat-dong/{}", own.activity.0), Some(&other)).await;
    assert_eq!(page.status, StatusCode::OK);
    let moc = block(&page.text(), own.id);
    assert!(moc.contains("Hoàn thành đúng hạn") && moc.contains("Văn bản số 15/KH-UBND"), "{moc}");
    for private in [secret, "tuphap", "bien-ban-noi-bo.pdf", "/tep/", "Lịch sử cập nhật"] {
        assert!(!moc.contains(private), "«{private}» shown to another agency's officer:\n{moc}");
    }
    let sha = href.trim_start_matches("/tep/").split('?').next().unwrap().to_string();
    for uri in [href.clone(), format!("/tep/{sha}")] {
        let file = h.get(&uri, Some(&other)).await;
        assert_eq!(file.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!file.text().contains("bien-ban-noi-bo"), "{uri}");
    }

    // The agency itself, leaders and Sở Nội vụ's administrators read everything.
    for reader in ["tuphap", "lanhdao", "quantri"] {
        let login = h.login(reader).await;
        let moc = block(&h.get(&format!("/hoat-dong/{}", own.activity.0), Some(&login)).await.text(), own.id);
        assert!(moc.contains(secret) && moc.contains("bien-ban-noi-bo.pdf"), "{reader}: {moc}");
        let file = h.get(&href, Some(&login)).await;
        assert_eq!(file.status, StatusCode::OK, "{reader}");
        assert_eq!(file.header(header::CACHE_CONTROL), "no-store");
    }

    // A district reads its communes' records; another district does not.
    let commune = h.login("canboxa").await;
    let uri = format!("/moc/{}/tien-do", commune_milestone.id.0);
    let body = multipart(&done_fields(&commune.csrf, "ghi chú của xã"), None);
    assert_eq!(h.post_multipart(&uri, Some(&commune), body).await.status, StatusCode::SEE_OTHER);
    let page_uri = format!("/hoat-dong/{}?co_quan={}", commune_milestone.activity.0, commune_milestone.agency);
    let district = h.login("canbohuyen").await;
    let moc = block(&h.get(&page_uri, Some(&district)).await.text(), commune_milestone.id);
    assert!(moc.contains("ghi chú của xã") && moc.contains("canboxa"), "{moc}");
    let stranger = h.login("huyenkhac").await;
    let moc = block(&h.get(&page_uri, Some(&stranger)).await.text(), commune_milestone.id);
    assert!(!moc.contains("ghi chú của xã") && !moc.contains("canboxa"), "{moc}");
}

#[tokio::test]
async fn an_evidence_file_keeps_the_name_each_agency_gave_it() {
    let (h, _) = privacy_harness().await;
    let tu_phap = h.login("tuphap").await;
    let noi_vu = h.login("noivu").await;
    let first = h.first_of("II.2", "so-tu-phap").await;
    let second = h.first_of("I.1", "so-noi-vu").await;
    for (login, milestone, name) in
        [(&tu_phap, &first, "ke-hoach-tu-phap.pdf"), (&noi_vu, &second, "ke-hoach-noi-vu.pdf")]
    {
        let body = multipart(&done_fields(&login.csrf, ""), Some((name, "application/pdf", PDF)));
        let answer = h.post_multipart(&format!("/moc/{}/tien-do", milestone.id.0), Some(login), body).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    }
    assert_eq!(h.stored_files(), 1, "the same bytes are stored once");
    for (login, milestone, name, other_name) in [
        (&tu_phap, &first, "ke-hoach-tu-phap.pdf", "ke-hoach-noi-vu.pdf"),
        (&noi_vu, &second, "ke-hoach-noi-vu.pdf", "ke-hoach-tu-phap.pdf"),
    ] {
        let page = h.get(&format!("/hoat-dong/{}", milestone.activity.0), Some(login)).await.text();
        let moc = block(&page, milestone.id);
        assert!(moc.contains(name) && !moc.contains(other_name), "{moc}");
        let file = h.get(&file_href(&moc), Some(login)).await;
        assert_eq!(file.status, StatusCode::OK);
        assert!(
            file.header(header::CONTENT_DISPOSITION).contains(name),
            "{}",
            file.header(header::CONTENT_DISPOSITION)
        );
        // Without the entry, the latest entry the reader may read names it.
        let sha = file_href(&moc).trim_start_matches("/tep/").split('?').next().unwrap().to_string();
        let file = h.get(&format!("/tep/{sha}"), Some(login)).await;
        assert!(file.header(header::CONTENT_DISPOSITION).contains(name));
    }
}

#[tokio::test]
async fn the_public_pages_show_no_names_comments_or_files_to_anyone() {
    let (h, commune_milestone) = privacy_harness().await;
    let commune = h.login("canboxa").await;
    let secret = "bình luận riêng của cán bộ xã";
    let body = multipart(&done_fields(&commune.csrf, secret), Some(("bien-ban-rieng.pdf", "application/pdf", PDF)));
    let answer = h.post_multipart(&format!("/moc/{}/tien-do", commune_milestone.id.0), Some(&commune), body).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let activity = commune_milestone.activity.0;
    let pages = [
        "/".to_string(),
        "/?tat_ca=1".to_string(),
        "/cong-khai/linh-vuc/III".to_string(),
        format!("/cong-khai/hoat-dong/{activity}"),
        format!("/cong-khai/hoat-dong/{activity}?co_quan={}", commune_milestone.agency),
    ];
    let stranger = h.login("huyenkhac").await;
    for uri in &pages {
        for login in [None, Some(&stranger)] {
            let page = h.get(uri, login).await;
            assert_eq!(page.status, StatusCode::OK, "{uri}");
            let html = page.text();
            for private in [secret, "canboxa", "Tài khoản canboxa", "bien-ban-rieng.pdf", "/tep/", "Lịch sử"] {
                assert!(!html.contains(private), "«{private}» on the public page {uri}");
            }
        }
    }
    // What the public does see: the status and the evidence document.
    let html = h.get(&pages[4], None).await.text();
    assert!(html.contains("Văn bản số 15/KH-UBND ngày 18/01/2024 của UBND tỉnh"), "{html}");
}

// ---------------------------------------------------------------------------------------------
// Every refusal in Vietnamese, with the visitor's navigation and a «Quay lại» that works
// without JavaScript.

/// What axum and serde would have said in English.
const ENGLISH: [&str; 9] = [
    "Failed",
    "deserialize",
    "missing field",
    "invalid type",
    "expected",
    "Content-Type: application/x",
    "Method Not Allowed",
    "Not Found",
    "URI Too Long",
];

fn assert_vietnamese_page(page: &common::Page, what: &str) {
    let html = page.text();
    assert!(
        page.header(header::CONTENT_TYPE).starts_with("text/html"),
        "{what}: {}",
        page.header(header::CONTENT_TYPE)
    );
    for english in ENGLISH {
        assert!(!html.contains(english), "{what}: «{english}» in\n{html}");
    }
    assert!(html.contains("Quay lại") && !html.contains("javascript:"), "{what}: {html}");
}

/// A request with the session cookie (when given) and extra headers.
fn request(
    method: &str,
    uri: &str,
    login: Option<&Browser>,
    headers: &[(&str, &str)],
    body: &str,
) -> axum::http::Request<axum::body::Body> {
    let mut builder = axum::http::Request::builder().method(method).uri(uri);
    if let Some(login) = login {
        builder = builder.header(header::COOKIE, &login.cookie);
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(axum::body::Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn every_refusal_is_a_vietnamese_page_with_the_visitors_navigation() {
    let h = harness().await;
    let viewer = h.login("lanhdao").await;
    let form = [("content-type", "application/x-www-form-urlencoded")];

    // The logout form without its token: serde's "missing field `csrf_token`", in Vietnamese.
    let page = h.send(request("POST", "/dang-xuat", Some(&viewer), &form, "khac=1")).await;
    assert!(page.status.is_client_error(), "{}", page.status);
    assert_vietnamese_page(&page, "logout without csrf_token");
    assert!(page.text().contains("thiếu trường «csrf_token»"), "{}", page.text());
    // The visitor's navigation is there: still logged in, their name and the logout form.
    assert!(page.text().contains("Đăng xuất") && page.text().contains("Tài khoản lanhdao"), "{}", page.text());

    // The login form sent as JSON.
    let json = [("content-type", "application/json")];
    let page = h.send(request("POST", "/dang-nhap", None, &json, "{}")).await;
    assert_eq!(page.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_vietnamese_page(&page, "login as JSON");
    assert!(page.text().contains("biểu mẫu phải gửi dạng application/x-www-form-urlencoded"));
    assert!(page.text().contains("href=\"/dang-nhap\""), "nobody logged in: offer the login page");

    // An unknown page, a wrong method, a repeated query parameter.
    let page = h.get("/khong-co-trang-nay", Some(&viewer)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_vietnamese_page(&page, "unknown page");
    assert!(page.text().contains("không tìm thấy trang này") && page.text().contains("Đăng xuất"));
    let page = h.send(request("DELETE", "/tong-quan", Some(&viewer), &[], "")).await;
    assert_eq!(page.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_vietnamese_page(&page, "DELETE");
    assert!(page.text().contains("không nhận yêu cầu DELETE"), "{}", page.text());
    assert!(page.header(header::ALLOW).contains("GET"));
    for uri in ["/tong-quan?as_of=01/07/2024&as_of=02/07/2024", "/qua-han?trang=1&trang=2"] {
        let page = h.get(uri, Some(&viewer)).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_vietnamese_page(&page, uri);
        assert!(page.text().contains("xuất hiện hai lần"), "{uri}: {}", page.text());
    }
    // A number nobody needs: refused, not echoed in full.
    let huge = format!("1{}", "0".repeat(308));
    let page = h.get(&format!("/qua-han?trang={huge}"), Some(&viewer)).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(!page.text().contains(&huge[..60]), "a 309-digit number echoed back");

    // A URI longer than anything the pages make.
    let page = h.get(&format!("/tim-kiem?q={}", "a".repeat(9000)), Some(&viewer)).await;
    assert_eq!(page.status, StatusCode::URI_TOO_LONG);
    assert_vietnamese_page(&page, "long URI");
    assert!(page.text().contains("địa chỉ quá dài"));
}

#[tokio::test]
async fn quay_lai_goes_back_to_the_referring_page_of_this_site() {
    let h = harness().await;
    let viewer = h.login("lanhdao").await;
    let back = |page: &common::Page| {
        let html = page.text();
        let at = html.find("rel=\"prev\"").expect("back link");
        let start = html[..at].rfind("href=\"").expect("href") + "href=\"".len();
        html[start..].split('"').next().unwrap().replace("&#38;", "&").replace("&amp;", "&")
    };
    let referred = [("host", "cchc.example"), ("referer", "http://cchc.example/co-quan?nhom=district")];
    let page = h.send(request("GET", "/hoat-dong/999999", Some(&viewer), &referred, "")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(back(&page), "/co-quan?nhom=district");
    let elsewhere = [("host", "cchc.example"), ("referer", "https://evil.example/co-quan")];
    let page = h.send(request("GET", "/hoat-dong/999999", Some(&viewer), &elsewhere, "")).await;
    assert_eq!(back(&page), "/");
    let page = h.get("/hoat-dong/999999", Some(&viewer)).await;
    assert_eq!(back(&page), "/");
}

#[tokio::test]
async fn control_characters_in_forms_are_refused_in_vietnamese() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    let own = h.first_of("II.2", "so-tu-phap").await;
    let body = multipart(&done_fields(&officer.csrf, "trước\u{0}sau"), None);
    let answer = h.post_multipart(&format!("/moc/{}/tien-do", own.id.0), Some(&officer), body).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.text().contains("ghi chú có ký tự điều khiển không hợp lệ (mã U+0000)"), "{}", answer.text());
    assert_eq!(h.history_len(own.id).await, 0);

    let admin = h.login("quantri").await;
    let waiting = h.milestones().await.into_iter().find(|m| m.activity_code() == "I.8" && m.due.is_none()).unwrap();
    let fields = [
        ("csrf_token", admin.csrf.as_str()),
        ("item", "0"),
        ("occurred_on", "15/03/2024"),
        ("description", "Hội nghị\u{1b}[2J"),
    ];
    let answer = h.post_form(&format!("/hoat-dong/{}/su-kien", waiting.activity.0), &admin, &fields).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.text().contains("mô tả có ký tự điều khiển"), "{}", answer.text());
    let fields = [("csrf_token", admin.csrf.as_str()), ("item", "1e308"), ("occurred_on", "15/03/2024")];
    let answer = h.post_form(&format!("/hoat-dong/{}/su-kien", waiting.activity.0), &admin, &fields).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.text().contains("mục thời hạn không hợp lệ"));
}

#[tokio::test]
async fn logged_in_answers_are_never_cached_and_https_is_remembered() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    for uri in ["/tong-quan", "/co-quan/so-tu-phap", "/", "/xuat/qua-han.csv", "/khong-co"] {
        let page = h.get(uri, Some(&officer)).await;
        assert_eq!(page.header(header::CACHE_CONTROL), "no-store", "{uri}");
    }
    // The stylesheet is the same for everybody.
    assert!(h.get("/static/app.css", Some(&officer)).await.header(header::CACHE_CONTROL).starts_with("public"));
    assert_eq!(h.get("/", None).await.header(header::STRICT_TRANSPORT_SECURITY), "");

    // Behind HTTPS (--secure-cookies), browsers are told to keep using it.
    let secure = cchc_web::router(cchc_web::AppState { secure_cookies: true, ..h.state.clone() });
    for uri in ["/", "/dang-nhap", "/api/session", "/khong-co"] {
        let page = common::send(&secure, request("GET", uri, None, &[], "")).await;
        assert_eq!(page.header(header::STRICT_TRANSPORT_SECURITY), "max-age=31536000", "{uri}");
    }
}

// ---------------------------------------------------------------------------------------------
// Phone-sized tables.

#[tokio::test]
async fn every_table_cell_carries_its_column_label_for_phone_cards() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    let own = h.first_of("II.2", "so-tu-phap").await;
    let body = multipart(&done_fields(&officer.csrf, "đã xong"), Some(("kh.pdf", "application/pdf", PDF)));
    assert_eq!(
        h.post_multipart(&format!("/moc/{}/tien-do", own.id.0), Some(&officer), body).await.status,
        StatusCode::SEE_OTHER
    );
    let admin = h.login("quantri").await;
    let activity = own.activity.0;
    let pages = [
        "/tong-quan".to_string(),
        "/linh-vuc/II".to_string(),
        format!("/hoat-dong/{activity}"),
        "/hoat-dong/1".to_string(),
        "/co-quan".to_string(),
        "/co-quan/so-tu-phap".to_string(),
        "/qua-han".to_string(),
        "/sap-den-han?ngay=90".to_string(),
        "/tim-kiem?q=tu+phap".to_string(),
        "/".to_string(),
        "/cong-khai/linh-vuc/II".to_string(),
        format!("/cong-khai/hoat-dong/{activity}"),
        "/bao-cao".to_string(),
        "/bao-cao/2024S1".to_string(),
        "/bao-cao/2024S1/so-tu-phap".to_string(),
    ];
    let mut cells = 0;
    for uri in &pages {
        let page = h.get(uri, Some(&admin)).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        let html = page.text();
        for (at, _) in html.match_indices("<td") {
            let tag = &html[at..at + html[at..].find('>').unwrap()];
            assert!(tag.contains("data-label=\""), "{uri}: a cell without its column label: {tag}>");
            assert!(!tag.contains("data-label=\"\""), "{uri}: an empty column label: {tag}>");
            cells += 1;
        }
    }
    assert!(cells > 500, "only {cells} cells checked");
    // And the narrow layout shows the label above each value.
    let css = h.get("/static/app.css", None).await.text();
    let narrow = css.split("@media (max-width: 640px)").nth(1).unwrap();
    assert!(narrow.contains("td[data-label]::before { content: attr(data-label)"), "{narrow}");
}

#[tokio::test]
async fn query_strings_and_forms_that_do_not_fit_get_a_vietnamese_page_naming_the_parameter() {
    let h = harness().await;
    let admin = h.login("quantri").await;
    let own = h.first_of("II.2", "so-tu-phap").await;

    // A parameter given twice, on every family of pages: the page names it (as it appears in
    // the address) and says what went wrong, in Vietnamese.
    for uri in ["/qua-han?nhom=district&nhom=commune", "/linh-vuc/II?linh_vuc=I&linh_vuc=II", "/tim-kiem?q=a&q=b"] {
        let page = h.get(uri, Some(&admin)).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{uri}");
        let html = page.text();
        assert!(html.contains("tham số trên địa chỉ trang không hợp lệ"), "{uri}: {html}");
        assert!(!html.contains("duplicate field") && !html.contains("Failed to deserialize"), "{uri}: {html}");
    }
    let public = h.get("/cong-khai/linh-vuc/II?tat_ca=1&tat_ca=2", None).await;
    assert_eq!(public.status, StatusCode::BAD_REQUEST);
    assert!(public.text().contains("tham số trên địa chỉ trang không hợp lệ"), "{}", public.text());

    // A form posted as something else than a form: refused in Vietnamese, nothing recorded.
    let request = axum::http::Request::builder()
        .method(axum::http::Method::POST)
        .uri(format!("/hoat-dong/{}/su-kien", own.activity.0))
        .header(axum::http::header::COOKIE, &admin.cookie)
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from("{}"))
        .unwrap();
    let answer = h.send(request).await;
    assert!(answer.status.is_client_error(), "{}", answer.status);
    let html = answer.text();
    assert!(html.contains("biểu mẫu phải gửi dạng application/x-www-form-urlencoded"), "{html}");
    assert!(!html.contains("Expected request with"), "{html}");
}

#[tokio::test]
async fn kept_answers_never_outlive_the_data_or_the_session_and_are_never_shared() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    let viewer = h.login("lanhdao").await;
    let own = h.first_of("II.2", "so-tu-phap").await;
    let page_uri = format!("/hoat-dong/{}", own.activity.0);
    let public_uri = format!("/cong-khai/hoat-dong/{}", own.activity.0);
    let api_uri = format!("/api/milestones/{}", own.id.0);

    // Asked twice, the same answer; each session gets its own (its name, its CSRF token).
    let before = h.get(&page_uri, Some(&officer)).await.text();
    assert_eq!(h.get(&page_uri, Some(&officer)).await.text(), before);
    let other = h.get(&page_uri, Some(&viewer)).await.text();
    assert!(before.contains("Tài khoản tuphap") && other.contains("Tài khoản lanhdao"));
    assert!(before.contains(&officer.csrf) && !other.contains(&officer.csrf));
    let public_before = h.get(&public_uri, None).await.text();
    assert!(!public_before.contains("tuphap"), "the public page shows no session");
    let api_before = h.get(&api_uri, Some(&officer)).await.text();
    assert!(api_before.contains("\"status\":\"not_started\""), "{api_before}");

    // A write through the pages: every kept answer that shows it is computed again.
    let body = multipart(&done_fields(&officer.csrf, "x"), Some(("kh.pdf", "application/pdf", PDF)));
    let answer = h.post_multipart(&format!("/moc/{}/tien-do", own.id.0), Some(&officer), body).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let after = h.get(&page_uri, Some(&officer)).await.text();
    let evidence = "Văn bản số 15/KH-UBND ngày 18/01/2024";
    assert!(block(&after, own.id).contains(evidence) && !block(&before, own.id).contains(evidence));
    assert!(h.get(&page_uri, Some(&viewer)).await.text().contains(evidence));
    assert_ne!(h.get(&public_uri, None).await.text(), public_before);
    assert!(h.get(&api_uri, Some(&officer)).await.text().contains("\"status\":\"done\""));

    // A session that ended is not served its kept page: the login page instead.
    let logout = h.send(request(
        "POST",
        "/dang-xuat",
        Some(&officer),
        &[("content-type", "application/x-www-form-urlencoded")],
        &format!("csrf_token={}", officer.csrf),
    ));
    assert_eq!(logout.await.status, StatusCode::SEE_OTHER);
    let gone = h.get(&page_uri, Some(&officer)).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert!(gone.location().starts_with("/dang-nhap"), "{}", gone.location());
    // The other session is untouched.
    assert_eq!(h.get(&page_uri, Some(&viewer)).await.status, StatusCode::OK);
}
