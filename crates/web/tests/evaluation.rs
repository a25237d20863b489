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
