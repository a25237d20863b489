//! The directory over time on the web: `/api/agencies?as_of` and the hand-over page.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::{Method, StatusCode};
use cchc_domain::account::UserRole;
use common::harness;

/// The plan as issued, embedded by the importer (read here without depending on it).
const SON_LA_2024_PLAN: &str = include_str!("../../import/data/ke-hoach-cchc-son-la-2024.txt");

fn plan_2025() -> String {
    SON_LA_2024_PLAN.replace("2024", "2025").replace("2023", "2024")
}

#[tokio::test]
async fn agencies_of_a_day_through_the_api() {
    let h = harness("2026-01-05T02:00:00Z", &[("snv", UserRole::Admin, None)]).await;
    let login = h.api_login("snv").await;
    let count =
        |list: &serde_json::Value, kind: &str| list.as_array().unwrap().iter().filter(|a| a["kind"] == kind).count();
    let before = h.api(Method::GET, "/api/agencies?as_of=2024-06-30", Some(&login), None).await;
    assert_eq!(before.status, StatusCode::OK);
    assert_eq!((count(&before.json(), "district"), count(&before.json(), "commune")), (12, 204));
    let after = h.api(Method::GET, "/api/agencies?as_of=2025-07-01", Some(&login), None).await;
    assert_eq!((count(&after.json(), "district"), count(&after.json(), "commune")), (0, 75));
    common::conforms("get", "/api/agencies", "200", &after.json());
    let bad = h.api(Method::GET, "/api/agencies?as_of=31/02/2025", Some(&login), None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn sở_nội_vụ_hands_an_ended_district_over_in_the_browser() {
    let h = harness(
        "2025-07-02T02:00:00Z",
        &[
            ("snv", UserRole::Admin, None),
            ("lanh-dao", UserRole::Viewer, None),
            ("to-hieu", UserRole::Agency, Some("ubnd-xa-03646-2025")),
        ],
    )
    .await;
    h.state.app.import_plan_text("ke-hoach-2025.txt", &plan_2025(), "2025-01-05T00:00:00Z").await.expect("import");
    let admin = h.form_login("snv", "/ban-giao").await;
    let page = h.get("/ban-giao", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("UBND thành phố Sơn La") && html.contains("UBND phường Tô Hiệu (kế thừa)"), "{html}");
    // Without a CSRF token nothing moves.
    let forged = h
        .post_form(
            "/ban-giao",
            &admin,
            &[("tu", "ubnd-huyen-116"), ("sang", "ubnd-xa-03646-2025"), ("ngay", "01/07/2025")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // A unit that still exists is refused with a Vietnamese message.
    let refused = h
        .post_form(
            "/ban-giao",
            &admin,
            &[("csrf_token", &admin.csrf), ("tu", "so-noi-vu"), ("sang", "so-tu-phap"), ("ngay", "01/07/2025")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("vẫn còn tồn tại ngày 01/07/2025"), "{}", refused.text());
    let moved = h
        .post_form(
            "/ban-giao",
            &admin,
            &[
                ("csrf_token", &admin.csrf),
                ("tu", "ubnd-huyen-116"),
                ("sang", "ubnd-xa-03646-2025"),
                ("ngay", "01/07/2025"),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.text());
    let after = h.get(&moved.location(), &admin).await;
    let html = after.text();
    assert!(html.contains("Đã bàn giao") && html.contains("sang UBND phường Tô Hiệu"), "{html}");
    assert!(html.contains("Nhật ký bàn giao"), "{html}");
    // The ward's officer now sees the work on the ward's page.
    let ward = h.form_login("to-hieu", "/co-quan/ubnd-xa-03646-2025").await;
    let ward_page = h.get("/co-quan/ubnd-xa-03646-2025", &ward).await;
    assert!(ward_page.text().contains("tiếp nhận từ UBND thành phố Sơn La"), "{}", ward_page.text());
    // Quỳnh Nhai's work divided activity by activity: III.6 to one of its successors.
    let district = h.get("/ban-giao/ubnd-huyen-118?ngay=01/07/2025", &admin).await;
    assert_eq!(district.status, StatusCode::OK);
    let html = district.text();
    assert!(html.contains("<strong>III.6</strong>") && html.contains("name=\"hoat_dong\" value=\"III.6\""), "{html}");
    let successor = html
        .split("<option value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a suggested successor")
        .to_string();
    let divided = h
        .post_form(
            "/ban-giao",
            &admin,
            &[
                ("csrf_token", &admin.csrf),
                ("tu", "ubnd-huyen-118"),
                ("sang", &successor),
                ("hoat_dong", "III.6"),
                ("ngay", "01/07/2025"),
            ],
        )
        .await;
    assert_eq!(divided.status, StatusCode::SEE_OTHER, "{}", divided.text());
    assert!(divided.location().starts_with("/ban-giao/ubnd-huyen-118?"), "{}", divided.location());
    let rest = h.get(&divided.location(), &admin).await.text();
    assert!(rest.contains("Đã bàn giao") && !rest.contains("<strong>III.6</strong>"), "{rest}");
    assert!(rest.contains("<strong>"), "other activities still wait: {rest}");
    // Leaders read the page but cannot hand over; officers cannot read it.
    let leader = h.form_login("lanh-dao", "/ban-giao").await;
    let by_leader = h
        .post_form(
            "/ban-giao",
            &leader,
            &[
                ("csrf_token", &leader.csrf),
                ("tu", "ubnd-huyen-118"),
                ("sang", "ubnd-xa-03646-2025"),
                ("ngay", "01/07/2025"),
            ],
        )
        .await;
    assert_eq!(by_leader.status, StatusCode::FORBIDDEN);
    assert_eq!(h.get("/ban-giao", &ward).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn pages_say_which_plan_they_show_and_switch_to_another() {
    let h = harness("2026-03-02T02:00:00Z", &[("snv", UserRole::Admin, None)]).await;
    let text_2026 = SON_LA_2024_PLAN.replace("2024", "2026").replace("2023", "2025");
    h.state.app.import_plan_text("ke-hoach-2026.txt", &text_2026, "2026-01-05T00:00:00Z").await.expect("import");
    let login = h.form_login("snv", "/tong-quan").await;
    // The newest plan is the default; the bar names it and links to 2024.
    let dashboard = h.get("/tong-quan", &login).await.text();
    assert!(dashboard.contains("tỉnh Sơn La năm 2026"), "{dashboard}");
    assert!(dashboard.contains("href=\"/ke-hoach/son-la-2024?tiep=/tong-quan\""), "{dashboard}");
    // Choosing 2024 sets a cookie and comes back.
    let chosen = h.get("/ke-hoach/son-la-2024?tiep=/bao-cao", &login).await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER);
    assert_eq!(chosen.location(), "/bao-cao");
    let cookie = chosen.cookie("cchc_ke_hoach").expect("plan cookie");
    assert!(cookie.ends_with("son-la-2024"), "{cookie}");
    let with_2024 = common::Login { cookie: format!("{}; {cookie}", login.cookie), csrf: login.csrf.clone() };
    // The same addresses now show 2024 (and a kept 2026 answer is never served for it).
    let dashboard = h.get("/tong-quan", &with_2024).await.text();
    assert!(dashboard.contains("tỉnh Sơn La năm 2024") && dashboard.contains("Đang xem kế hoạch khác"), "{dashboard}");
    let reports = h.get("/bao-cao", &with_2024).await.text();
    assert!(reports.contains("/bao-cao/2024S1") && !reports.contains("/bao-cao/2026S1"), "{reports}");
    let csv = h.get("/xuat/qua-han.csv?as_of=2024-07-01", &with_2024).await;
    assert_eq!(csv.status, StatusCode::OK);
    // Without the cookie, 2026 again; 2024's period pages are reachable either way.
    assert!(h.get("/tong-quan", &login).await.text().contains("tỉnh Sơn La năm 2026"));
    assert!(h.get("/bao-cao", &login).await.text().contains("/bao-cao/2026S1"));
    assert_eq!(h.get("/bao-cao/2024S1", &login).await.status, StatusCode::OK);
    // One indicator across the years.
    let years = h.get("/chi-tieu/VII.2.1", &login).await;
    assert_eq!(years.status, StatusCode::OK);
    let html = years.text();
    assert!(
        html.contains("Chỉ tiêu VII.2.1 qua các năm") && html.contains(">2024<") && html.contains(">2026<"),
        "{html}"
    );
    assert!(html.contains("Cấp xã: mục tiêu"), "{html}");
    assert_eq!(h.get("/chi-tieu/khong-co", &login).await.status, StatusCode::NOT_FOUND);
    // Unknown plans and foreign return addresses are refused.
    assert_eq!(h.get("/ke-hoach/son-la-1999", &login).await.status, StatusCode::NOT_FOUND);
    let away = h.get("/ke-hoach/son-la-2024?tiep=//evil.example", &login).await;
    assert_eq!(away.location(), "/tong-quan");
    // A cookie naming a plan that is not stored reads as the current plan.
    let stale =
        common::Login { cookie: format!("{}; cchc_ke_hoach=son-la-1999", login.cookie), csrf: login.csrf.clone() };
    let page = h.get("/tong-quan", &stale).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("tỉnh Sơn La năm 2026"));
    let back = h.get("/ke-hoach/hien-hanh", &with_2024).await;
    assert_eq!(back.cookie("cchc_ke_hoach").as_deref(), Some("cchc_ke_hoach="));
}
