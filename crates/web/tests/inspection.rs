//! Inspection planning on the web: `/api/evaluation/inspections/plan` and the page
//! `/danh-gia/kiem-tra` with its adoption form.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::{Method, StatusCode};
use cchc_domain::account::UserRole;
use common::harness;

#[tokio::test]
async fn the_plan_through_the_api_is_the_same_for_the_same_seed() {
    let h = harness(
        "2024-02-05T02:00:00Z",
        &[
            ("snv", UserRole::Admin, None),
            ("lanh-dao", UserRole::Viewer, None),
            ("stp", UserRole::Agency, Some("so-tu-phap")),
        ],
    )
    .await;
    let admin = h.api_login("snv").await;
    let viewer = h.api_login("lanh-dao").await;
    let uri = "/api/evaluation/inspections/plan?year=2024&seed=11";
    let first = h.api(Method::GET, uri, Some(&admin), None).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    common::conforms("get", "/api/evaluation/inspections/plan", "200", &first.json());
    let again = h.api(Method::GET, uri, Some(&viewer), None).await;
    assert_eq!(again.json(), first.json());
    let plan = first.json();
    for s in plan["strata"].as_array().unwrap() {
        assert!(s["chosen"].as_u64().unwrap() * 100 >= s["total"].as_u64().unwrap() * 30, "{s}");
    }
    let officer = h.api_login("stp").await;
    assert_eq!(h.api(Method::GET, uri, Some(&officer), None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(h.api(Method::GET, uri, None, None).await.status, StatusCode::UNAUTHORIZED);
    let bad = h.api(Method::GET, "/api/evaluation/inspections/plan?year=2024&seed=-1", Some(&admin), None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("seed"), "{}", bad.text());
}

#[tokio::test]
async fn sở_nội_vụ_adopts_the_plan_on_the_page() {
    let h =
        harness("2024-02-05T02:00:00Z", &[("snv", UserRole::Admin, None), ("lanh-dao", UserRole::Viewer, None)]).await;
    let admin = h.form_login("snv", "/danh-gia/kiem-tra?nam=2024&seed=3").await;
    let page = h.get("/danh-gia/kiem-tra?nam=2024&seed=3", &admin).await;
    let html = page.text();
    assert!(html.contains("Kế hoạch kiểm tra công tác cải cách hành chính năm 2024"), "{html}");
    assert!(html.contains("UBND cấp xã: 62 / 204"), "{html}");
    assert!(html.contains("năm trước chưa được kiểm tra"));
    assert!(html.contains("Ban hành kế hoạch kiểm tra"));
    let fields = [("nam", "2024"), ("seed", "3"), ("tu_ngay", "01/03/2024"), ("den_ngay", "29/11/2024")];
    let forged = h.post_form("/danh-gia/kiem-tra", &admin, &fields).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let mut with_csrf = vec![("csrf_token", admin.csrf.as_str())];
    with_csrf.extend_from_slice(&fields);
    let mut wrong = with_csrf.clone();
    wrong[3] = ("tu_ngay", "31/02/2024");
    let refused = h.post_form("/danh-gia/kiem-tra", &admin, &wrong).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("dd/mm/yyyy"), "{}", refused.text());
    let adopted = h.post_form("/danh-gia/kiem-tra", &admin, &with_csrf).await;
    assert_eq!(adopted.status, StatusCode::SEE_OTHER, "{}", adopted.text());
    let page = h.get(&adopted.location(), &admin).await;
    let html = page.text();
    assert!(html.contains("72 cuộc kiểm tra"), "{html}");
    assert!(html.contains("Các cuộc kiểm tra đã ban hành"));
    assert!(!html.contains("Ban hành kế hoạch kiểm tra</button>"));
    // Each inspection is a milestone of I.5, shown on the activity's page like any other.
    let link = html.split("href=\"/hoat-dong/").nth(1).and_then(|rest| rest.split('"').next()).expect("activity link");
    let activity = h.get(&format!("/hoat-dong/{link}"), &admin).await;
    assert_eq!(activity.status, StatusCode::OK);
    assert!(activity.text().contains("Kiểm tra CCHC tại"), "{}", activity.text());
    // A finding on the first inspection, then its remedy, through the page's forms.
    let first =
        html.split("<td data-label=\"Số\">").nth(1).and_then(|rest| rest.split('<').next()).expect("inspection id");
    let base = [("csrf_token", admin.csrf.as_str()), ("nam", "2024"), ("seed", "3")];
    let mut add = base.to_vec();
    add.extend_from_slice(&[
        ("thao_tac", "ghi"),
        ("kiem_tra", first),
        ("noi_dung", "Chưa niêm yết TTHC"),
        ("ngay", "31/12/2024"),
    ]);
    let recorded = h.post_form("/danh-gia/kiem-tra/ton-tai", &admin, &add).await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.text());
    let html = h.get("/danh-gia/kiem-tra?nam=2024&seed=3", &admin).await.text();
    assert!(html.contains("Chưa niêm yết TTHC — hạn 31/12/2024: Đang khắc phục"), "{html}");
    let finding = html.split("name=\"ton_tai\" value=\"").nth(1).and_then(|r| r.split('"').next()).expect("finding id");
    let mut empty = base.to_vec();
    empty.extend_from_slice(&[("thao_tac", "khac-phuc"), ("ton_tai", finding), ("ngay", "05/02/2024")]);
    let refused = h.post_form("/danh-gia/kiem-tra/ton-tai", &admin, &empty).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("minh chứng"), "{}", refused.text());
    // The same through the API, finding included.
    let api = h.api_login("snv").await;
    let listed = h.api(Method::GET, "/api/evaluation/inspections?year=2024", Some(&api), None).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text());
    common::conforms("get", "/api/evaluation/inspections", "200", &listed.json());
    let body = listed.json();
    assert_eq!(body["seed"], 3);
    assert_eq!(body["inspections"].as_array().unwrap().len(), 72);
    assert!(body["inspections"].as_array().unwrap().iter().any(|i| i["findings"][0]["status"] == "Đang khắc phục"));
    // Leaders read it without the form.
    let viewer = h.form_login("lanh-dao", "/danh-gia/kiem-tra?nam=2024&seed=3").await;
    let seen = h.get("/danh-gia/kiem-tra?nam=2024&seed=3", &viewer).await.text();
    assert!(seen.contains("Đã ban hành lúc"), "{seen}");
}
