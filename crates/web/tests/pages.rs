//! The server-rendered pages through HTTP (`tower::ServiceExt::oneshot` on the real router):
//! logging in through the real form, recording progress with an attachment through the real
//! multipart form, refusals per role, CSRF, upload checks, escaping, the public pages, search
//! and bad input.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

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
