//! SIPAS over HTTP: the API answers the index of a year as the OpenAPI document says, imports a
//! survey file for administrators only (CSRF required), and the Vietnamese page shows the table,
//! the chart, the upload form and the paper form for administrators.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use cchc_domain::account::UserRole;
use common::{multipart, Harness, Login};

async fn harness() -> Harness {
    common::harness(
        "2025-01-10T02:00:00Z",
        &[("snv", UserRole::Admin, None), ("canbo-tp", UserRole::Agency, Some("so-tu-phap"))],
    )
    .await
}

const CSV: &str = "Mã phiếu,Cơ quan,C1,C2,C5,C10\n\
                   P1,so-noi-vu,5,4,4,5\n\
                   P2,so-noi-vu,2,4,3,5\n\
                   P3,Sở Tư pháp,4,4,4,4\n\
                   P4,so-noi-vu,7,4,4,4\n";

fn upload(uri: &str, login: &Login, body: &str, content_type: &str) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, &login.cookie)
        .header("X-CSRF-Token", &login.csrf)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn the_api_imports_for_administrators_and_answers_the_index() {
    let h = harness().await;
    let admin = h.api_login("snv").await;
    let officer = h.api_login("canbo-tp").await;

    let refused = h.send(upload("/api/evaluation/sipas/import?year=2024", &officer, CSV, "text/csv")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    let mut no_csrf = upload("/api/evaluation/sipas/import?year=2024", &admin, CSV, "text/csv");
    no_csrf.headers_mut().remove("X-CSRF-Token");
    assert_eq!(h.send(no_csrf).await.status, StatusCode::FORBIDDEN);
    let wrong_type = h.send(upload("/api/evaluation/sipas/import?year=2024", &admin, CSV, "text/plain")).await;
    assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let unusable = h.send(upload("/api/evaluation/sipas/import?year=2024", &admin, "a,b\n1,2\n", "text/csv")).await;
    assert_eq!(unusable.status, StatusCode::UNPROCESSABLE_ENTITY);
    common::conforms("post", "/api/evaluation/sipas/import", "422", &unusable.json());

    let imported =
        h.send(upload("/api/evaluation/sipas/import?year=2024&file_name=khao-sat.csv", &admin, CSV, "text/csv")).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.text());
    let body = imported.json();
    common::conforms("post", "/api/evaluation/sipas/import", "200", &body);
    assert_eq!(body["accepted"], 3);
    assert_eq!(body["excluded"][0]["line"], 5);

    let index = h.api(Method::GET, "/api/evaluation/sipas?year=2024", Some(&officer), None).await;
    assert_eq!(index.status, StatusCode::OK, "{}", index.text());
    let json = index.json();
    common::conforms("get", "/api/evaluation/sipas", "200", &json);
    let noi_vu = json["agencies"].as_array().unwrap().iter().find(|a| a["agency"] == "so-noi-vu").unwrap().clone();
    assert_eq!(noi_vu["responses"], 2);
    // Access: items 1, 2 → 5, 4, 2, 4: 3 of 4.
    assert_eq!(noi_vu["elements"][0]["answers"], 4);
    assert_eq!(noi_vu["elements"][0]["share"], 75.0);
    assert_eq!(json["province"]["responses"], 3);

    let anonymous = h.api(Method::GET, "/api/evaluation/sipas?year=2024", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let missing_year = h.api(Method::GET, "/api/evaluation/sipas", Some(&admin), None).await;
    assert_eq!(missing_year.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_page_shows_the_index_and_lets_administrators_upload_and_key_forms() {
    let h = harness().await;
    let admin = h.form_login("snv", "/danh-gia/sipas?nam=2024").await;
    let empty = h.get("/danh-gia/sipas?nam=2024", &admin).await;
    assert!(empty.text().contains("Chưa có phiếu khảo sát nào của năm 2024"));
    assert!(empty.text().contains("Nhập phiếu khảo sát"));

    let body = multipart(&[("csrf_token", &admin.csrf), ("nam", "2024")], Some(("s.csv", "text/csv", CSV.as_bytes())));
    let page = h.post_multipart("/danh-gia/sipas/nhap", Some(&admin), body).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let text = page.text();
    assert!(text.contains("3 phiếu được lưu và tính, 1 dòng không được tính"), "{text}");
    assert!(text.contains("ngoài thang 1–5"));
    assert!(text.contains("Sở Nội vụ") && text.contains("Toàn tỉnh") && text.contains("<svg class=\"sipas-chart\""));
    assert!(text.contains("75,0%"));

    let keyed = h
        .post_form(
            "/danh-gia/sipas/phieu",
            &admin,
            &[
                ("csrf_token", &admin.csrf),
                ("nam", "2024"),
                ("ma_phieu", "GIAY-1"),
                ("co_quan", "so-tu-phap"),
                ("c1", "5"),
                ("c2", ""),
            ],
        )
        .await;
    assert_eq!(keyed.status, StatusCode::OK, "{}", keyed.text());
    assert!(keyed.text().contains("1 phiếu được lưu và tính"), "{}", keyed.text());
    let twice = h
        .post_form(
            "/danh-gia/sipas/phieu",
            &admin,
            &[
                ("csrf_token", &admin.csrf),
                ("nam", "2024"),
                ("ma_phieu", "GIAY-1"),
                ("co_quan", "so-tu-phap"),
                ("c1", "5"),
            ],
        )
        .await;
    assert!(twice.text().contains("không lưu gì"), "{}", twice.text());

    let bad_csrf = multipart(&[("csrf_token", "sai"), ("nam", "2024")], Some(("s.csv", "text/csv", CSV.as_bytes())));
    assert_eq!(h.post_multipart("/danh-gia/sipas/nhap", Some(&admin), bad_csrf).await.status, StatusCode::FORBIDDEN);

    let officer = h.form_login("canbo-tp", "/danh-gia/sipas?nam=2024").await;
    let seen = h.get("/danh-gia/sipas?nam=2024", &officer).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(!seen.text().contains("Nhập phiếu khảo sát"));
    let body =
        multipart(&[("csrf_token", &officer.csrf), ("nam", "2024")], Some(("s.csv", "text/csv", CSV.as_bytes())));
    assert_eq!(h.post_multipart("/danh-gia/sipas/nhap", Some(&officer), body).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_configuration_is_shown_downloaded_and_replaced_whole_or_not_at_all() {
    let h = harness().await;
    let admin = h.form_login("snv", "/danh-gia/sipas?nam=2024").await;
    let page = h.get("/danh-gia/sipas?nam=2024", &admin).await.text();
    assert!(page.contains("id=\"trong-so\"") && page.contains("cấu hình mặc định theo mẫu quốc gia"), "{page}");
    assert!(page.contains("id=\"nap-cau-hinh\""));
    let json = h.get("/danh-gia/sipas/cau-hinh.json?nam=2024", &admin).await;
    assert_eq!(json.status, StatusCode::OK);
    assert!(json.header(header::CONTENT_DISPOSITION).contains("cau-hinh-sipas-2024.json"));
    let document = json.text();
    let weighted = document.replacen("\"weight\": 1.0", "\"weight\": 2.5", 1);
    let send = |login: &Login, name: &'static str, text: &str| {
        multipart(
            &[("csrf_token", &login.csrf), ("nam", "2024"), ("ghi_chu", "thử")],
            Some((name, "application/json", text.as_bytes())),
        )
    };
    // An officer neither uploads nor sees the form.
    let officer = h.form_login("canbo-tp", "/danh-gia/sipas?nam=2024").await;
    assert!(!h.get("/danh-gia/sipas?nam=2024", &officer).await.text().contains("id=\"nap-cau-hinh\""));
    let by_officer =
        h.post_multipart("/danh-gia/sipas/cau-hinh", Some(&officer), send(&officer, "c.json", &weighted)).await;
    assert_eq!(by_officer.status, StatusCode::FORBIDDEN);
    // A mistake: refused with its line, nothing changed.
    let broken = weighted.replacen("\"items\": [\n        1,", "\"items\": [\n        0,", 1);
    assert_ne!(broken, weighted);
    let refused = h.post_multipart("/danh-gia/sipas/cau-hinh", Some(&admin), send(&admin, "c.json", &broken)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("không lưu gì") && refused.text().contains("gặp 0"), "{}", refused.text());
    let not_json = h.post_multipart("/danh-gia/sipas/cau-hinh", Some(&admin), send(&admin, "c.txt", &weighted)).await;
    assert_eq!(not_json.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(h.get("/danh-gia/sipas/cau-hinh.json?nam=2024", &admin).await.text(), document);
    // A correct edit becomes version 1 and the table shows the new weight.
    let saved = h.post_multipart("/danh-gia/sipas/cau-hinh", Some(&admin), send(&admin, "c.json", &weighted)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let text = saved.text();
    assert!(
        text.contains("phiên bản 1") && text.contains("<td data-label=\"Trọng số\" class=\"num\">2,5</td>"),
        "{text}"
    );
}
