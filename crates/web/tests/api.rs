//! The JSON API through HTTP (`tower::ServiceExt::oneshot` on the real router): sessions, roles,
//! CSRF, validation, derived statuses on boundary days, concurrency, and the OpenAPI document,
//! against which every answer received here is validated.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use cchc_domain::account::UserRole;
use common::{conforms, doc, resolve, Harness, Login, PASSWORD};
use serde_json::{json, Value};

async fn harness() -> Harness {
    common::harness(
        "2024-07-01T03:00:00Z",
        &[
            ("quantri", UserRole::Admin, None),
            ("tuphap", UserRole::Agency, Some("so-tu-phap")),
            ("noivu", UserRole::Agency, Some("so-noi-vu")),
            ("lanhdao", UserRole::Viewer, None),
        ],
    )
    .await
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
}

impl Harness {
    async fn request(&self, request: Request<Body>) -> Answer {
        let page = self.send(request).await;
        let body =
            if page.body.is_empty() { Value::Null } else { serde_json::from_slice(&page.body).expect("JSON body") };
        Answer { status: page.status, headers: page.headers, body }
    }

    async fn call(&self, method: Method, uri: &str, login: Option<&Login>, body: Option<Value>) -> Answer {
        self.request(common::api_request(method, uri, login, body)).await
    }

    async fn get_json(&self, uri: &str, login: &Login) -> Answer {
        self.call(Method::GET, uri, Some(login), None).await
    }

    async fn post(&self, uri: &str, login: &Login, body: Value) -> Answer {
        self.call(Method::POST, uri, Some(login), Some(body)).await
    }

    async fn login(&self, username: &str) -> Login {
        self.api_login(username).await
    }

    /// The milestones of an agency's assignment of activity `code` (e.g. "II.2").
    async fn milestones_of(&self, login: &Login, agency: &str, code: &str) -> Vec<Value> {
        let answer = self.get_json(&format!("/api/assignments?agency={agency}&as_of=2024-07-01"), login).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        conforms("get", "/api/assignments", "200", &answer.body);
        let assignment =
            answer.body.as_array().expect("assignments array").iter().find(|a| a["activity"]["code"] == code).cloned();
        assignment.unwrap_or_else(|| panic!("no assignment {code} for {agency}"))["milestones"]
            .as_array()
            .expect("milestones array")
            .clone()
    }

    async fn history_len(&self, login: &Login, milestone: i64) -> usize {
        let answer = self.get_json(&format!("/api/milestones/{milestone}"), login).await;
        assert_eq!(answer.status, StatusCode::OK);
        answer.body["history"].as_array().expect("history array").len()
    }
}

fn progress_uri(id: i64) -> String {
    format!("/api/milestones/{id}/progress")
}

fn assert_error_shape(answer: &Answer) {
    assert!(answer.body["error"].is_string(), "not our error shape: {}", answer.body);
    assert!(answer.body["details"].is_array(), "not our error shape: {}", answer.body);
    let content_type =
        answer.headers.get(header::CONTENT_TYPE).expect("Content-Type").to_str().expect("ASCII content type");
    assert!(content_type.starts_with("application/json"), "{content_type}");
}

// ---------------------------------------------------------------------------------------------
// Session

#[tokio::test]
async fn login_returns_a_csrf_token_and_an_http_only_session_cookie() {
    let h = harness().await;
    let answer =
        h.call(Method::POST, "/api/session", None, Some(json!({"username": "tuphap", "password": PASSWORD}))).await;
    assert_eq!(answer.status, StatusCode::OK);
    conforms("post", "/api/session", "200", &answer.body);
    let csrf = answer.body["csrf_token"].as_str().unwrap();
    assert_eq!(csrf.len(), 64);
    assert_eq!(answer.body["user"]["username"], "tuphap");
    assert_eq!(answer.body["user"]["role"], "agency");
    assert_eq!(answer.body["user"]["agency"], "so-tu-phap");
    assert_eq!(answer.body["user"]["agency_name"], "Sở Tư pháp");
    let set_cookie = answer.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(set_cookie.starts_with("cchc_session="), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert_eq!(answer.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let login = Login { cookie: set_cookie.split(';').next().unwrap().to_string(), csrf: csrf.to_string() };

    let me = h.get_json("/api/session", &login).await;
    assert_eq!(me.status, StatusCode::OK);
    conforms("get", "/api/session", "200", &me.body);
    assert_eq!(me.body["csrf_token"], csrf);
    assert_eq!(me.body["user"]["display_name"], "Tài khoản tuphap");

    // Logging out needs the CSRF token.
    let no_token = Login { csrf: "0".repeat(64), ..login.clone() };
    let refused = h.call(Method::DELETE, "/api/session", Some(&no_token), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_error_shape(&refused);
    let out = h.call(Method::DELETE, "/api/session", Some(&login), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let removal = out.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(removal.starts_with("cchc_session=;") && removal.contains("Max-Age=0"), "{removal}");
    let gone = h.get_json("/api/session", &login).await;
    assert_eq!(gone.status, StatusCode::UNAUTHORIZED);
    conforms("get", "/api/session", "401", &gone.body);
}

#[tokio::test]
async fn wrong_credentials_get_401_in_vietnamese_then_429_when_throttled() {
    let h = harness().await;
    let wrong = json!({"username": "tuphap", "password": "sai-mat-khau-roi"});
    for _ in 0..3 {
        let answer = h.call(Method::POST, "/api/session", None, Some(wrong.clone())).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.body["error"], "tên đăng nhập hoặc mật khẩu không đúng");
        assert!(answer.headers.get(header::SET_COOKIE).is_none());
        conforms("post", "/api/session", "401", &answer.body);
    }
    let throttled = h.call(Method::POST, "/api/session", None, Some(wrong)).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.body["error"].as_str().unwrap().contains("thử lại"), "{}", throttled.body);
    assert_eq!(throttled.headers.get(header::RETRY_AFTER).unwrap(), "1");
    conforms("post", "/api/session", "429", &throttled.body);
    // An unknown user gets the same answer as a wrong password.
    let unknown =
        h.call(Method::POST, "/api/session", None, Some(json!({"username": "khong-co", "password": PASSWORD}))).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.body["error"], "tên đăng nhập hoặc mật khẩu không đúng");
}

#[tokio::test]
async fn a_login_posted_as_a_form_is_refused() {
    let h = harness().await;
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/session")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("username=tuphap&password={PASSWORD}")))
        .unwrap();
    let answer = h.request(request).await;
    assert_eq!(answer.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_error_shape(&answer);
    assert!(answer.headers.get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn everything_but_login_and_the_document_requires_a_session() {
    let h = harness().await;
    for uri in [
        "/api/session",
        "/api/agencies",
        "/api/activities",
        "/api/assignments",
        "/api/assignments?agency=so-tu-phap&as_of=2024-07-01",
        "/api/milestones/1",
        "/api/dashboard",
    ] {
        let answer = h.call(Method::GET, uri, None, None).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(answer.body["error"], "cần đăng nhập", "{uri}");
        assert_error_shape(&answer);
    }
    let answer = h.call(Method::POST, "/api/milestones/1/progress", None, Some(json!({"status": "done"}))).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let answer = h.call(Method::POST, "/api/activities/1/events", None, Some(json!({}))).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    // A forged cookie is nobody.
    let forged = Login { cookie: format!("cchc_session={}", "a".repeat(64)), csrf: String::new() };
    assert_eq!(h.get_json("/api/assignments", &forged).await.status, StatusCode::UNAUTHORIZED);
    let doc = h.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(doc.status, StatusCode::OK);
}

// ---------------------------------------------------------------------------------------------
// Progress: who may write, CSRF, validation

#[tokio::test]
async fn an_officer_records_its_own_milestone_and_the_views_show_it_done_on_time() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    let milestones = h.milestones_of(&officer, "so-tu-phap", "II.2").await;
    let first = &milestones[0];
    assert_eq!(first["due"], "2024-01-31");
    // As of 01/07/2024 nothing is recorded yet: overdue.
    assert_eq!(first["derived_status"], "overdue");
    assert_eq!(first["derived_status_label"], "Quá hạn chưa hoàn thành");
    assert_eq!(first["status"], "not_started");
    let id = first["id"].as_i64().unwrap();

    let before = h.get_json("/api/dashboard?as_of=2024-07-01", &officer).await;
    assert_eq!(before.status, StatusCode::OK);
    conforms("get", "/api/dashboard", "200", &before.body);

    let answer = h
        .post(
            &progress_uri(id),
            &officer,
            json!({
                "status": "done",
                "completed_on": "18/01/2024",
                "evidence": {"number": "15/KH-UBND", "date": "2024-01-18", "issuer": "UBND tỉnh Sơn La"},
                "comment": "Đã ban hành Kế hoạch"
            }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    conforms("post", "/api/milestones/{id}/progress", "200", &answer.body);
    assert_eq!(answer.body["derived_status"], "done_on_time");
    assert_eq!(answer.body["derived_status_label"], "Hoàn thành đúng hạn");
    assert_eq!(answer.body["milestone"]["status"], "done");
    assert_eq!(answer.body["milestone"]["completed_on"], "2024-01-18");
    let entry = &answer.body["entry"];
    assert_eq!(entry["recorded_by"], "tuphap");
    assert_eq!(entry["recorded_at"], "2024-07-01T03:00:00Z");
    assert_eq!(entry["completed_on"], "2024-01-18");
    assert_eq!(entry["evidence"], json!({"number": "15/KH-UBND", "date": "2024-01-18", "issuer": "UBND tỉnh Sơn La"}));
    assert_eq!(entry["file"], Value::Null);

    let after = h.milestones_of(&officer, "so-tu-phap", "II.2").await;
    assert_eq!(after[0]["derived_status"], "done_on_time");
    assert_eq!(after[0]["completed_on"], "2024-01-18");
    // Before completion the same milestone read as not yet due.
    let early = h.get_json("/api/assignments?agency=so-tu-phap&as_of=2024-01-10", &officer).await;
    let early_first = early.body.as_array().unwrap().iter().find(|a| a["activity"]["code"] == "II.2").unwrap();
    assert_eq!(early_first["milestones"][0]["derived_status"], "not_due");

    let dashboard = h.get_json("/api/dashboard?as_of=2024-07-01", &officer).await;
    conforms("get", "/api/dashboard", "200", &dashboard.body);
    let count = |body: &Value, status: &str| body["counts"][status].as_u64().unwrap();
    assert_eq!(count(&dashboard.body, "done_on_time"), count(&before.body, "done_on_time") + 1);
    assert_eq!(count(&dashboard.body, "overdue"), count(&before.body, "overdue") - 1);
    assert_eq!(dashboard.body["total"], before.body["total"]);
    let area = |body: &Value| body["areas"].as_array().unwrap().iter().find(|a| a["code"] == "II").unwrap().clone();
    assert_eq!(area(&dashboard.body)["counts"]["done_on_time"], 1);
    let done = (count(&dashboard.body, "done_on_time") + count(&dashboard.body, "done_late")) as f64;
    let expected = done * 100.0 / dashboard.body["total"].as_u64().unwrap() as f64;
    let percent = dashboard.body["done_percent"].as_f64().unwrap();
    // One rounding rule everywhere: half away from zero, one decimal.
    assert_eq!(percent, (expected * 10.0).round() / 10.0, "{percent} vs {expected}");
    assert!(!dashboard.body["overdue"].as_array().unwrap().iter().any(|m| m["id"] == id));
    assert!(before.body["overdue"].as_array().unwrap().len() <= 50);

    let detail = h.get_json(&format!("/api/milestones/{id}"), &officer).await;
    assert_eq!(detail.status, StatusCode::OK);
    conforms("get", "/api/milestones/{id}", "200", &detail.body);
    assert_eq!(detail.body["derived_status"], "done_on_time");
    assert_eq!(detail.body["agency"], json!({"id": "so-tu-phap", "name": "Sở Tư pháp"}));
    assert_eq!(detail.body["activity"]["code"], "II.2");
    assert_eq!(detail.body["can_write"], true);
    assert_eq!(detail.body["history"].as_array().unwrap().len(), 1);
    assert_eq!(detail.body["history"][0]["evidence"]["number"], "15/KH-UBND");
}

#[tokio::test]
async fn an_officer_cannot_write_another_agencys_milestone() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    let noi_vu = h.milestones_of(&officer, "so-noi-vu", "I.1").await;
    let id = noi_vu[0]["id"].as_i64().unwrap();
    let answer = h.post(&progress_uri(id), &officer, json!({"status": "in_progress"})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    conforms("post", "/api/milestones/{id}/progress", "403", &answer.body);
    assert!(answer.body["error"].as_str().unwrap().contains("Sở Nội vụ"), "{}", answer.body);
    // Refused before the body is even looked at: invalid input is 403 too, not 422.
    let invalid = h.post(&progress_uri(id), &officer, json!({"status": "xong"})).await;
    assert_eq!(invalid.status, StatusCode::FORBIDDEN);
    // Another agency's milestone history is not the officer's to read: 404, as if it did not exist.
    let detail = h.get_json(&format!("/api/milestones/{id}"), &officer).await;
    assert_eq!(detail.status, StatusCode::NOT_FOUND);
    conforms("get", "/api/milestones/{id}", "404", &detail.body);
    let noi_vu_officer = h.login("noivu").await;
    assert_eq!(h.history_len(&noi_vu_officer, id).await, 0);
    let detail = h.get_json(&format!("/api/milestones/{id}"), &noi_vu_officer).await;
    assert_eq!(detail.body["can_write"], true);
    assert_eq!(detail.body["status"], "not_started");
    // Sở Nội vụ's own officer may.
    let ok = h.post(&progress_uri(id), &noi_vu_officer, json!({"status": "in_progress"})).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
}

#[tokio::test]
async fn a_viewer_cannot_write_and_the_admin_can() {
    let h = harness().await;
    let viewer = h.login("lanhdao").await;
    let milestones = h.milestones_of(&viewer, "so-tu-phap", "II.2").await;
    let id = milestones[0]["id"].as_i64().unwrap();
    let answer = h.post(&progress_uri(id), &viewer, json!({"status": "in_progress"})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_error_shape(&answer);
    assert_eq!(h.history_len(&viewer, id).await, 0);
    let admin = h.login("quantri").await;
    let ok = h.post(&progress_uri(id), &admin, json!({"status": "in_progress", "comment": "Đang soạn"})).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["entry"]["recorded_by"], "quantri");
    // In progress after the due date is still overdue.
    assert_eq!(ok.body["derived_status"], "overdue");
}

#[tokio::test]
async fn a_write_without_the_csrf_header_is_refused() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    let id = h.milestones_of(&officer, "so-tu-phap", "II.2").await[0]["id"].as_i64().unwrap();
    let body = json!({"status": "in_progress"}).to_string();
    let without = Request::builder()
        .method(Method::POST)
        .uri(progress_uri(id))
        .header(header::COOKIE, &officer.cookie)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.clone()))
        .unwrap();
    let answer = h.request(without).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.body["error"].as_str().unwrap().contains("CSRF"), "{}", answer.body);
    conforms("post", "/api/milestones/{id}/progress", "403", &answer.body);
    // Another session's token does not do either.
    let other = h.login("tuphap").await;
    assert_ne!(other.csrf, officer.csrf);
    let wrong = Login { cookie: officer.cookie.clone(), csrf: other.csrf };
    let answer = h.post(&progress_uri(id), &wrong, json!({"status": "in_progress"})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(h.history_len(&officer, id).await, 0);
}

#[tokio::test]
async fn invalid_progress_gets_422_with_vietnamese_details_and_changes_nothing() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    let id = h.milestones_of(&officer, "so-tu-phap", "II.2").await[0]["id"].as_i64().unwrap();
    let cases = [
        (json!({"status": "finished"}), "trạng thái «finished» không hợp lệ"),
        (json!({"comment": "thiếu trạng thái"}), "cần trạng thái"),
        (json!({"status": "done", "completed_on": "31/02/2024"}), "ngày không tồn tại"),
        (json!({"status": "done", "completed_on": "hôm qua"}), "ngày không hợp lệ"),
        (json!({"status": "done", "completed_on": "2024-01-18", "evidence": {"date": "18/13/2024"}}), "evidence.date"),
        (json!({"status": "done", "completed_on": "2023-12-01"}), "trước ngày kế hoạch bắt đầu (21/12/2023)"),
        (json!({"status": "done"}), "cần ngày hoàn thành"),
        (json!({"status": "done", "completed_on": ""}), "cần ngày hoàn thành"),
        (json!({"status": "done", "completed_on": "2024-07-02"}), "sau ngày hôm nay (01/07/2024)"),
        (json!({"status": "in_progress", "completed_on": "2024-01-18"}), "chỉ ghi ngày hoàn thành"),
        (
            json!({"status": "done", "completed_on": "2024-01-18", "comment": "x".repeat(2001)}),
            "ghi chú dài 2.001 ký tự, tối đa 2.000 ký tự",
        ),
    ];
    for (body, expected) in cases {
        let answer = h.post(&progress_uri(id), &officer, body.clone()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", answer.body);
        conforms("post", "/api/milestones/{id}/progress", "422", &answer.body);
        assert_eq!(answer.body["error"], "dữ liệu không hợp lệ");
        let details: Vec<&str> = answer.body["details"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert!(details.iter().any(|d| d.contains(expected)), "{body}: expected «{expected}» in {details:?}");
    }
    assert_eq!(h.history_len(&officer, id).await, 0);
    let milestones = h.milestones_of(&officer, "so-tu-phap", "II.2").await;
    assert_eq!(milestones[0]["status"], "not_started");
}

#[tokio::test]
async fn malformed_json_is_answered_in_our_shape() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    let id = h.milestones_of(&officer, "so-tu-phap", "II.2").await[0]["id"].as_i64().unwrap();
    let raw = |body: &str, content_type: &str| {
        Request::builder()
            .method(Method::POST)
            .uri(progress_uri(id))
            .header(header::COOKIE, &officer.cookie)
            .header("X-CSRF-Token", &officer.csrf)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let syntax = h.request(raw(r#"{"status": "done","#, "application/json")).await;
    assert_eq!(syntax.status, StatusCode::BAD_REQUEST);
    assert_eq!(syntax.body["error"], "nội dung gửi lên không phải JSON hợp lệ");
    assert!(syntax.body["details"][0].as_str().unwrap().contains("dòng 1"), "{}", syntax.body);
    conforms("post", "/api/milestones/{id}/progress", "400", &syntax.body);
    let not_json = h.request(raw("status=done", "application/json")).await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    assert_error_shape(&not_json);
    let wrong_type = h.request(raw(r#"{"status": 5}"#, "application/json; charset=utf-8")).await;
    assert_eq!(wrong_type.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong_type.body["details"][0].as_str().unwrap().contains("không đúng cấu trúc"), "{}", wrong_type.body);
    conforms("post", "/api/milestones/{id}/progress", "422", &wrong_type.body);
    let unknown_field = h.request(raw(r#"{"status": "done", "completedOn": "2024-01-18"}"#, "application/json")).await;
    assert_eq!(unknown_field.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown_field.body["details"][0].as_str().unwrap().contains("completedOn"), "{}", unknown_field.body);
    let array = h.request(raw("[]", "application/json")).await;
    assert_eq!(array.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error_shape(&array);
    let empty = h.request(raw("", "application/json")).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert_error_shape(&empty);
    let text = h.request(raw(r#"{"status": "done"}"#, "text/plain")).await;
    assert_eq!(text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    conforms("post", "/api/milestones/{id}/progress", "415", &text.body);
    let too_big =
        h.request(raw(&format!(r#"{{"comment": "{}"}}"#, "x".repeat(11 * 1024 * 1024)), "application/json")).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    conforms("post", "/api/milestones/{id}/progress", "413", &too_big.body);
    assert_eq!(h.history_len(&officer, id).await, 0);
}

#[tokio::test]
async fn html_in_a_comment_round_trips_as_text() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    let id = h.milestones_of(&officer, "so-tu-phap", "II.2").await[0]["id"].as_i64().unwrap();
    let comment = r#"<script>alert("x")</script> & <b>đậm</b> 'nháy'"#;
    let answer = h
        .post(
            &progress_uri(id),
            &officer,
            json!({"status": "in_progress", "comment": comment, "evidence": {"issuer": "<i>UBND</i>"}}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["entry"]["comment"], comment);
    let content_type = answer.headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap();
    assert!(content_type.starts_with("application/json"));
    assert_eq!(answer.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    let detail = h.get_json(&format!("/api/milestones/{id}"), &officer).await;
    assert_eq!(detail.body["history"][0]["comment"], comment);
    assert_eq!(detail.body["history"][0]["evidence"]["issuer"], "<i>UBND</i>");
}

#[tokio::test]
async fn unknown_milestones_are_404() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    for uri in ["/api/milestones/999999", "/api/milestones/abc", "/api/milestones/-1"] {
        let answer = h.get_json(uri, &officer).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}");
        conforms("get", "/api/milestones/{id}", "404", &answer.body);
        assert!(answer.body["error"].as_str().unwrap().starts_with("không tìm thấy"), "{}", answer.body);
    }
    let answer = h.post("/api/milestones/999999/progress", &officer, json!({"status": "done"})).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    conforms("post", "/api/milestones/{id}/progress", "404", &answer.body);
    let answer = h.get_json("/api/khong-co", &officer).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_error_shape(&answer);
    let answer = h.call(Method::PUT, "/api/dashboard", Some(&officer), Some(json!({}))).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_error_shape(&answer);
}

// ---------------------------------------------------------------------------------------------
// Derived statuses on the boundary days

#[tokio::test]
async fn completion_on_the_due_day_is_on_time_and_the_next_day_is_late() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    let on_time = h.milestones_of(&officer, "so-tu-phap", "II.2").await[0].clone();
    let late = h.milestones_of(&officer, "so-tu-phap", "II.3").await[0].clone();
    assert_eq!(on_time["due"], "2024-01-31");
    assert_eq!(late["due"], "2024-01-31");
    // Not done: the due day itself is not yet overdue, the day after is (dd/mm/yyyy accepted).
    let on_due_day = h.get_json("/api/assignments?agency=so-tu-phap&as_of=2024-01-31", &officer).await;
    let day_after = h.get_json("/api/assignments?agency=so-tu-phap&as_of=01/02/2024", &officer).await;
    let status_of = |body: &Value, id: &Value| {
        body.as_array()
            .unwrap()
            .iter()
            .flat_map(|a| a["milestones"].as_array().unwrap())
            .find(|m| &m["id"] == id)
            .unwrap()["derived_status"]
            .clone()
    };
    assert_eq!(status_of(&on_due_day.body, &on_time["id"]), "not_due");
    assert_eq!(status_of(&day_after.body, &on_time["id"]), "overdue");

    let id = on_time["id"].as_i64().unwrap();
    let answer = h.post(&progress_uri(id), &officer, json!({"status": "done", "completed_on": "2024-01-31"})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["derived_status"], "done_on_time");
    let id = late["id"].as_i64().unwrap();
    let answer = h.post(&progress_uri(id), &officer, json!({"status": "done", "completed_on": "01/02/2024"})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["derived_status"], "done_late");
    assert_eq!(answer.body["derived_status_label"], "Hoàn thành trễ hạn");

    let now = h.get_json("/api/assignments?agency=so-tu-phap", &officer).await;
    assert_eq!(status_of(&now.body, &on_time["id"]), "done_on_time");
    assert_eq!(status_of(&now.body, &late["id"]), "done_late");
    // As of the due day, the late completion had not happened yet.
    let then = h.get_json("/api/assignments?agency=so-tu-phap&as_of=2024-01-31", &officer).await;
    assert_eq!(status_of(&then.body, &on_time["id"]), "done_on_time");
    assert_eq!(status_of(&then.body, &late["id"]), "not_due");
    let dashboard = h.get_json("/api/dashboard?as_of=2024-07-01", &officer).await;
    let area = dashboard.body["areas"].as_array().unwrap().iter().find(|a| a["code"] == "II").unwrap().clone();
    assert_eq!(area["counts"]["done_on_time"], 1);
    assert_eq!(area["counts"]["done_late"], 1);
}

#[tokio::test]
async fn concurrent_writes_are_each_recorded() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    let id = h.milestones_of(&officer, "so-tu-phap", "II.2").await[0]["id"].as_i64().unwrap();
    let uri = progress_uri(id);
    let (a, b) = tokio::join!(
        h.post(&uri, &officer, json!({"status": "in_progress", "comment": "lần 1"})),
        h.post(&uri, &officer, json!({"status": "done", "completed_on": "2024-01-20", "comment": "lần 2"})),
    );
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(b.status, StatusCode::OK, "{}", b.body);
    assert_ne!(a.body["entry"]["id"], b.body["entry"]["id"]);
    let detail = h.get_json(&format!("/api/milestones/{id}"), &officer).await;
    let history = detail.body["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    let mut comments: Vec<&str> = history.iter().filter_map(|e| e["comment"].as_str()).collect();
    comments.sort_unstable();
    assert_eq!(comments, ["lần 1", "lần 2"]);
    // The milestone's state is the last entry's.
    let last = history.last().unwrap();
    assert_eq!(detail.body["status"], last["status"]);
    let stored = h.state.app.history(&[cchc_domain::tracking::MilestoneId(id)]).await.unwrap();
    assert_eq!(stored.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Events, reads, errors of queries

#[tokio::test]
async fn only_the_admin_records_events_and_waiting_milestones_get_a_due_date() {
    let h = harness().await;
    let admin = h.login("quantri").await;
    let all = h.get_json("/api/assignments", &admin).await;
    assert_eq!(all.status, StatusCode::OK);
    conforms("get", "/api/assignments", "200", &all.body);
    let (activity, waiting) = all
        .body
        .as_array()
        .unwrap()
        .iter()
        .find_map(|a| {
            let waiting = a["milestones"].as_array().unwrap().iter().find(|m| m["kind"] == "event")?;
            Some((a["activity"]["id"].as_i64().unwrap(), waiting.clone()))
        })
        .expect("an event-triggered milestone");
    assert_eq!(waiting["derived_status"], "waiting_event");
    assert_eq!(waiting["due"], Value::Null);
    let uri = format!("/api/activities/{activity}/events");
    let body = json!({"item": waiting["item"], "occurred_on": "2024-06-03", "description": "Hội nghị công bố"});

    let officer = h.login("tuphap").await;
    let refused = h.post(&uri, &officer, body.clone()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    conforms("post", "/api/activities/{activity_id}/events", "403", &refused.body);
    let viewer = h.login("lanhdao").await;
    assert_eq!(h.post(&uri, &viewer, body.clone()).await.status, StatusCode::FORBIDDEN);

    let bad = h.post(&uri, &admin, json!({"occurred_on": "2024-08-01"})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let details = bad.body["details"].to_string();
    assert!(details.contains("item:"), "{details}");
    let future = h.post(&uri, &admin, json!({"item": waiting["item"], "occurred_on": "2024-08-01"})).await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    conforms("post", "/api/activities/{activity_id}/events", "422", &future.body);
    let unknown = h.post("/api/activities/999999/events", &admin, body.clone()).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let answer = h.post(&uri, &admin, body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    conforms("post", "/api/activities/{activity_id}/events", "200", &answer.body);
    assert_eq!(answer.body["activity_id"], activity);
    assert_eq!(answer.body["occurred_on"], "2024-06-03");
    let due = answer.body["due"].as_str().unwrap().to_string();
    assert!(due.as_str() >= "2024-06-03", "{due}");
    assert!(answer.body["milestones_dated"].as_u64().unwrap() >= 1);
    let detail = h.get_json(&format!("/api/milestones/{}", waiting["id"]), &admin).await;
    assert_eq!(detail.body["due"], due.as_str());
    assert_ne!(detail.body["derived_status"], "waiting_event");
}

#[tokio::test]
async fn agencies_are_searchable_without_accents_and_filtered_by_kind() {
    let h = harness().await;
    let viewer = h.login("lanhdao").await;
    let all = h.get_json("/api/agencies", &viewer).await;
    assert_eq!(all.status, StatusCode::OK);
    conforms("get", "/api/agencies", "200", &all.body);
    let found = h.get_json("/api/agencies?search=so%20noi%20vu", &viewer).await;
    let noi_vu = found.body.as_array().unwrap().iter().find(|a| a["id"] == "so-noi-vu").unwrap();
    assert_eq!(noi_vu["name"], "Sở Nội vụ");
    assert_eq!(noi_vu["kind"], "department");
    assert_eq!(noi_vu["level"], "tinh");
    assert!(noi_vu["groups"].as_array().unwrap().iter().any(|g| g == "departments"), "{noi_vu}");
    let communes = h.get_json("/api/agencies?kind=commune", &viewer).await;
    let communes = communes.body.as_array().unwrap();
    assert_eq!(communes.len(), 204);
    assert!(communes.iter().all(|c| c["kind"] == "commune" && c["parent"].is_string() && c["gso_code"].is_u64()));
    let bad = h.get_json("/api/agencies?kind=bo", &viewer).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    conforms("get", "/api/agencies", "422", &bad.body);
}

#[tokio::test]
async fn activities_are_listed_by_area_and_found_without_accents() {
    let h = harness().await;
    let viewer = h.login("lanhdao").await;
    let area = h.get_json("/api/activities?area=II", &viewer).await;
    assert_eq!(area.status, StatusCode::OK);
    conforms("get", "/api/activities", "200", &area.body);
    let codes: Vec<&str> = area.body.as_array().unwrap().iter().filter_map(|a| a["code"].as_str()).collect();
    assert_eq!(codes, ["II.1", "II.2", "II.3", "II.4", "II.5", "II.6"]);
    let ii2 = &area.body[1];
    assert_eq!(ii2["lead"][0]["agencies"], json!(["so-tu-phap"]));
    assert_eq!(ii2["assignment_count"], 1);
    assert_eq!(ii2["milestones_per_assignment"], 2);
    assert_eq!(ii2["milestone_count"], 2);
    assert_eq!(ii2["schedule"]["kind"], "fixed");
    assert!(!ii2["outputs"].as_array().unwrap().is_empty());
    let all = h.get_json("/api/activities", &viewer).await;
    let searched = h.get_json("/api/activities?q=he%20thong%20hoa%20van%20ban", &viewer).await;
    let found: Vec<&str> = searched.body.as_array().unwrap().iter().filter_map(|a| a["code"].as_str()).collect();
    assert!(found.contains(&"II.1") && found.contains(&"II.2"), "{found:?}");
    assert!(found.len() < all.body.as_array().unwrap().len());
    let by_agency = h.get_json("/api/activities?q=so%20noi%20vu", &viewer).await;
    assert!(by_agency.body.as_array().unwrap().iter().any(|a| a["code"] == "I.1"));
    let bad = h.get_json("/api/activities?area=IX", &viewer).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error_shape(&bad);
}

#[tokio::test]
async fn bad_dates_and_unknown_agencies_in_queries() {
    let h = harness().await;
    let viewer = h.login("lanhdao").await;
    for uri in ["/api/assignments?as_of=2024-13-01", "/api/dashboard?as_of=hom-nay", "/api/milestones/1?as_of=x"] {
        let answer = h.get_json(uri, &viewer).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
        assert_eq!(answer.body["error"], "dữ liệu không hợp lệ");
        assert!(answer.body["details"][0].as_str().unwrap().starts_with("as_of: ngày"), "{}", answer.body);
    }
    let answer = h.get_json("/api/dashboard?as_of=2024-13-01", &viewer).await;
    conforms("get", "/api/dashboard", "422", &answer.body);
    let answer = h.get_json("/api/assignments?agency=so-khong-co", &viewer).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    conforms("get", "/api/assignments", "404", &answer.body);
    // Said once, and without the command line's hint.
    assert_eq!(answer.body["error"], "không tìm thấy cơ quan «so-khong-co»");
    let answer = h.get_json("/api/assignments?agency=s%E1%BB%9F", &viewer).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    conforms("get", "/api/assignments", "422", &answer.body);
    assert!(answer.body["details"][0].as_str().unwrap().contains("khớp với nhiều cơ quan"), "{}", answer.body);
    // The dashboard's default date is today in Vietnam.
    let today = h.get_json("/api/dashboard", &viewer).await;
    assert_eq!(today.body["as_of"], "2024-07-01");
}

/// What serde and axum would have said in English.
const ENGLISH: [&str; 8] =
    ["Failed", "deserialize", "missing field", "invalid type", "expected", "unknown field", "at line", "Not Found"];

fn assert_vietnamese(answer: &Answer, what: &str) {
    assert_error_shape(answer);
    let text = answer.body.to_string();
    for english in ENGLISH {
        assert!(!text.contains(english), "{what}: «{english}» in {text}");
    }
}

#[tokio::test]
async fn every_rejection_is_vietnamese_json() {
    let h = harness().await;
    let officer = h.login("tuphap").await;
    let admin = h.login("quantri").await;

    // Wrong shapes of the login body.
    let answer = h.call(Method::POST, "/api/session", None, Some(json!({"username": 5, "password": "x"}))).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_vietnamese(&answer, "username as a number");
    assert!(
        answer.body["details"][0].as_str().unwrap().contains("sai kiểu dữ liệu: cần chuỗi, nhận số nguyên 5"),
        "{}",
        answer.body
    );
    let answer = h.call(Method::POST, "/api/session", None, Some(json!({"username": "tuphap"}))).await;
    assert_vietnamese(&answer, "no password");
    assert!(answer.body["details"][0].as_str().unwrap().contains("thiếu trường «password»"), "{}", answer.body);

    // An unknown field, a huge number where a position is expected.
    let id = h.milestones_of(&officer, "so-tu-phap", "II.2").await[0]["id"].as_i64().unwrap();
    let answer = h.post(&progress_uri(id), &officer, json!({"status": "done", "completedOn": "2024-01-18"})).await;
    assert_vietnamese(&answer, "unknown field");
    assert!(
        answer.body["details"][0].as_str().unwrap().contains("trường không xác định «completedOn»"),
        "{}",
        answer.body
    );
    let raw = Request::builder()
        .method(Method::POST)
        .uri("/api/activities/1/events")
        .header(header::COOKIE, &admin.cookie)
        .header("X-CSRF-Token", &admin.csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"item": 1e308, "occurred_on": "2024-03-15"}"#))
        .unwrap();
    let answer = h.request(raw).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_vietnamese(&answer, "item 1e308");
    assert!(!answer.body.to_string().contains("0000000000"), "a 309-digit number echoed: {}", answer.body);
    assert!(answer.body.to_string().len() < 400, "{}", answer.body);

    // Query parameters given twice.
    let answer = h.get_json("/api/assignments?agency=so-tu-phap&agency=so-noi-vu", &officer).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_vietnamese(&answer, "repeated query parameter");
    assert!(answer.body["details"][0].as_str().unwrap().contains("«agency» xuất hiện hai lần"), "{}", answer.body);

    // Control characters in typed texts.
    let answer = h.post(&progress_uri(id), &officer, json!({"status": "in_progress", "comment": "a\u{0}b"})).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body["details"][0].as_str().unwrap().starts_with("ghi chú có ký tự điều khiển"), "{}", answer.body);
    let answer = h
        .post(&progress_uri(id), &officer, json!({"status": "in_progress", "evidence": {"number": "15\u{7}/KH"}}))
        .await;
    assert!(
        answer.body["details"][0].as_str().unwrap().starts_with("số văn bản có ký tự điều khiển"),
        "{}",
        answer.body
    );
    assert_eq!(h.history_len(&officer, id).await, 0);

    // A URI too long for anybody.
    let answer = h.get_json(&format!("/api/activities?q={}", "a".repeat(9000)), &officer).await;
    assert_eq!(answer.status, StatusCode::URI_TOO_LONG);
    assert_vietnamese(&answer, "long URI");
    assert!(answer.body["error"].as_str().unwrap().starts_with("địa chỉ quá dài"));
}

// ---------------------------------------------------------------------------------------------
// The OpenAPI document

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let h = harness().await;
    let answer = h.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap().starts_with("application/json"));
    let served = &answer.body;
    assert_eq!(served, doc());
    assert_eq!(served["openapi"], "3.1.0");
    let paths: Vec<&str> = served["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    let mut sorted = paths.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "/api/activities",
            "/api/activities/{activity_id}/events",
            "/api/agencies",
            "/api/assignments",
            "/api/dashboard",
            "/api/dossiers/check-dates",
            "/api/dossiers/import",
            "/api/dossiers/indicators",
            "/api/dossiers/late",
            "/api/evaluation/inspections",
            "/api/evaluation/inspections/plan",
            "/api/evaluation/rating",
            "/api/evaluation/score",
            "/api/evaluation/sipas",
            "/api/evaluation/sipas/import",
            "/api/indicators",
            "/api/me/password",
            "/api/milestones/{id}",
            "/api/milestones/{id}/progress",
            "/api/openapi.json",
            "/api/reports",
            "/api/reports/{period}/results",
            "/api/reports/{period}/{agency}",
            "/api/reports/{period}/{agency}/accept",
            "/api/reports/{period}/{agency}/extension",
            "/api/reports/{period}/{agency}/receipt",
            "/api/reports/{period}/{agency}/return",
            "/api/reports/{period}/{agency}/submit",
            "/api/session",
            "/api/users",
            "/api/users/{username}",
        ]
    );
    let mut operations = Vec::new();
    for (path, item) in served["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            operations.push((method.clone(), path.clone()));
            assert!(operation["summary"].is_string(), "{method} {path}");
            assert!(operation["responses"].is_object(), "{method} {path}");
            for (status, response) in operation["responses"].as_object().unwrap() {
                let response = resolve(response);
                assert!(response["description"].is_string(), "{method} {path} {status}");
                if let Some(schema) = response.pointer("/content/application~1json/schema") {
                    resolve(schema);
                }
            }
        }
    }
    operations.sort();
    // Every route of the list is served by the router (no 404 / 405 before authentication).
    for (method, path) in cchc_web::api::ROUTES {
        let uri = path
            .replace("{id}", "1")
            .replace("{activity_id}", "1")
            .replace("{period}", "2024S1")
            .replace("{agency}", "so-tu-phap")
            .replace("{username}", "tuphap");
        let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
        let body = [Method::POST, Method::PUT, Method::PATCH].contains(&method).then(|| json!({}));
        let answer = h.call(method.clone(), &uri, None, body).await;
        assert!(
            ![StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&answer.status),
            "{method} {uri}: {}",
            answer.status
        );
    }
    let mut routes: Vec<(String, String)> =
        cchc_web::api::ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    routes.sort();
    assert_eq!(operations, routes);
    // Every $ref resolves.
    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(served, &mut all);
    assert!(all.len() > 30);
    for reference in all {
        resolve(&json!({"$ref": reference}));
    }
    // Cookie auth and the CSRF header.
    let schemes = &served["components"]["securitySchemes"];
    assert_eq!(
        schemes["session"],
        json!({
            "type": "apiKey", "in": "cookie", "name": "cchc_session",
            "description": schemes["session"]["description"]
        })
    );
    assert_eq!(schemes["csrf"]["in"], "header");
    assert_eq!(schemes["csrf"]["name"], "X-CSRF-Token");
    assert_eq!(
        served["paths"]["/api/milestones/{id}/progress"]["post"]["security"],
        json!([{"session": [], "csrf": []}])
    );
    // Anonymous: one requirement that asks for nothing.
    assert_eq!(served["paths"]["/api/session"]["post"]["security"], json!([{}]));
    assert_eq!(served["paths"]["/api/openapi.json"]["get"]["security"], json!([{}]));
    // The contract's machine values.
    let milestone = &served["components"]["schemas"]["Milestone"]["properties"];
    assert_eq!(resolve(&milestone["status"])["enum"], json!(["not_started", "in_progress", "done"]));
    let mut derived: Vec<&str> =
        resolve(&milestone["derived_status"])["enum"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    derived.sort_unstable();
    assert_eq!(derived, ["done_late", "done_on_time", "in_progress", "not_due", "overdue", "waiting_event"]);
    // A progress report is one of two shapes, with the same fields: the completion date goes
    // with `done`, and only with it.
    let progress = served["components"]["schemas"]["ProgressRequest"]["oneOf"].as_array().unwrap();
    assert_eq!(progress.len(), 2);
    for shape in progress {
        let mut fields: Vec<&str> = shape["properties"].as_object().unwrap().keys().map(String::as_str).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["comment", "completed_on", "evidence", "status"]);
        assert_eq!(shape["additionalProperties"], false);
    }
}
