//! The task-completion rating on the web: `/api/evaluation/rating` and the page
//! `/danh-gia/xep-loai` with Sở Nội vụ's override form, who sees what, and that the page's
//! address does not clash with the PAR Index pages under `/danh-gia`.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::{Method, StatusCode};
use cchc_domain::account::UserRole;
use common::harness;

#[tokio::test]
async fn the_rating_through_the_api_by_role_and_by_year() {
    let h = harness(
        "2025-01-10T02:00:00Z",
        &[
            ("snv", UserRole::Admin, None),
            ("lanhdao", UserRole::Viewer, None),
            ("stp", UserRole::Agency, Some("so-tu-phap")),
        ],
    )
    .await;
    let admin = h.api_login("snv").await;
    let all = h.api(Method::GET, "/api/evaluation/rating?year=2024", Some(&admin), None).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text());
    common::conforms("get", "/api/evaluation/rating", "200", &all.json());
    let body = all.json();
    assert!(body["basis"].as_str().unwrap().contains("90/2020/NĐ-CP"), "{body}");
    assert_eq!(body["excellent_cap_percent"], 20);
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.iter().filter(|r| r["kind"] == "district").count(), 12);
    let first = &results[0];
    for key in ["agency", "name", "kind", "components", "total", "level", "level_before_cap", "capped", "override"] {
        assert!(first.get(key).is_some(), "{key} missing: {first}");
    }
    assert_eq!(first["components"].as_array().unwrap().len(), 3);
    // Leaders read every agency; an officer only its own; nobody unknown.
    let viewer = h.api_login("lanhdao").await;
    let seen = h.api(Method::GET, "/api/evaluation/rating?year=2024", Some(&viewer), None).await.json();
    assert_eq!(seen["results"].as_array().unwrap().len(), results.len());
    let officer = h.api_login("stp").await;
    let own = h.api(Method::GET, "/api/evaluation/rating?year=2024", Some(&officer), None).await.json();
    let own = own["results"].as_array().unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["agency"], "so-tu-phap");
    let anonymous = h.api(Method::GET, "/api/evaluation/rating?year=2024", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    // From 2026 the rules of Decree 335/2025: general criteria 30, task results 70.
    let later = h.api(Method::GET, "/api/evaluation/rating?year=2026", Some(&admin), None).await.json();
    assert!(later["basis"].as_str().unwrap().contains("335/2025/NĐ-CP"), "{later}");
    let maxima: Vec<f64> =
        later["results"][0]["components"].as_array().unwrap().iter().map(|c| c["max"].as_f64().unwrap()).collect();
    assert_eq!(maxima, vec![30.0, 70.0]);
    // Before any rule set: not found, in Vietnamese.
    let early = h.api(Method::GET, "/api/evaluation/rating?year=2020", Some(&admin), None).await;
    assert_eq!(early.status, StatusCode::NOT_FOUND);
    assert!(early.text().contains("quy tắc xếp loại"), "{}", early.text());
    let bad = h.api(Method::GET, "/api/evaluation/rating?year=abc", Some(&admin), None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_page_shows_the_breakdown_and_sở_nội_vụ_records_an_override_with_a_reason() {
    let h = harness(
        "2025-01-10T02:00:00Z",
        &[("snv", UserRole::Admin, None), ("stp", UserRole::Agency, Some("so-tu-phap"))],
    )
    .await;
    let admin = h.form_login("snv", "/danh-gia/xep-loai?nam=2024").await;
    let html = h.get("/danh-gia/xep-loai?nam=2024", &admin).await.text();
    assert!(html.contains("Xếp loại mức độ hoàn thành nhiệm vụ năm 2024"), "{html}");
    assert!(html.contains("Nghị định 90/2020/NĐ-CP") && html.contains("48/2023/NĐ-CP"), "{html}");
    assert!(html.contains("Phần mềm quy đổi gần đúng ra điểm"), "{html}");
    assert!(html.contains("class=\"yoy-value\"") && !html.contains("style="), "{html}");
    assert!(html.contains("id=\"dieu-chinh-so-tu-phap\"") && html.contains("name=\"csrf_token\""), "{html}");
    assert!(html.contains("UBND huyện Mộc Châu"), "{html}");

    // The neighbours under /danh-gia still answer as before.
    let ranking = h.get("/danh-gia?nam=2024", &admin).await;
    assert_eq!(ranking.status, StatusCode::OK);
    assert!(ranking.text().contains("Chỉ số cải cách hành chính năm 2024"));
    // It links here, to the framework, SIPAS and next year's inspection plan.
    for link in [
        "/danh-gia/xep-loai?nam=2024",
        "/danh-gia/tieu-chi?nam=2024",
        "/danh-gia/sipas?nam=2024",
        "/danh-gia/kiem-tra?nam=2025",
    ] {
        assert!(ranking.text().contains(&format!("href=\"{link}\"")), "{link}");
    }
    let assessment = h.get("/danh-gia/2024/so-tu-phap", &admin).await;
    assert_eq!(assessment.status, StatusCode::OK);
    assert!(assessment.text().contains("Chỉ số CCHC năm 2024: Sở Tư pháp"));

    // No reason: refused, nothing recorded. A forged token or an officer: forbidden.
    let form = |csrf: &'static str, reason: &'static str| {
        vec![("csrf_token", csrf), ("nam", "2024"), ("co_quan", "so-tu-phap"), ("muc", "xuat-sac"), ("ly_do", reason)]
    };
    let csrf: &'static str = Box::leak(admin.csrf.clone().into_boxed_str());
    let refused = h.post_form("/danh-gia/xep-loai", &admin, &form(csrf, " ")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("cần ghi lý do điều chỉnh"), "{}", refused.text());
    let forged = h.post_form("/danh-gia/xep-loai", &admin, &form("sai", "Có lý do")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let officer = h.form_login("stp", "/danh-gia/xep-loai?nam=2024").await;
    let own_page = h.get("/danh-gia/xep-loai?nam=2024", &officer).await.text();
    assert!(own_page.contains("Sở Tư pháp") && !own_page.contains("Sở Nội vụ</td>"), "{own_page}");
    assert!(!own_page.contains("id=\"dieu-chinh-"), "{own_page}");
    let officer_csrf: &'static str = Box::leak(officer.csrf.clone().into_boxed_str());
    let by_officer = h.post_form("/danh-gia/xep-loai", &officer, &form(officer_csrf, "Tự nâng")).await;
    assert_eq!(by_officer.status, StatusCode::FORBIDDEN);

    let done = h.post_form("/danh-gia/xep-loai", &admin, &form(csrf, "Hoàn thành xuất sắc nhiệm vụ đột xuất")).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    assert!(done.location().starts_with("/danh-gia/xep-loai?nam=2024&da_luu=so-tu-phap"), "{}", done.location());
    let html = h.get(&done.location(), &admin).await.text();
    assert!(html.contains("Đã ghi điều chỉnh kết quả xếp loại"), "{html}");
    assert!(html.contains("Lý do: Hoàn thành xuất sắc nhiệm vụ đột xuất"), "{html}");
    let api = h.api_login("snv").await;
    let body = h.api(Method::GET, "/api/evaluation/rating?year=2024", Some(&api), None).await.json();
    let stp = body["results"].as_array().unwrap().iter().find(|r| r["agency"] == "so-tu-phap").unwrap().clone();
    assert_eq!(stp["level"], "xuat-sac");
    assert_eq!(stp["override"]["reason"], "Hoàn thành xuất sắc nhiệm vụ đột xuất");
    assert_ne!(stp["computed_level"], "xuat-sac");

    // The public is sent to the login page.
    let public = h.get("/danh-gia/xep-loai?nam=2024", None).await;
    assert_eq!(public.status, StatusCode::SEE_OTHER);
    assert!(public.location().starts_with("/dang-nhap"), "{}", public.location());
}
