//! Accounts through HTTP (`tower::ServiceExt::oneshot` on the real router): the administrators'
//! API and pages, everyone's own password, roles and CSRF refusals, login throttling that keeps
//! an attacker out without locking the victim out (with a fixed clock that the tests move), the
//! client address behind a trusted proxy, and the return to the page asked for after login.
//! Every JSON answer is held to the OpenAPI document.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use cchc_domain::account::UserRole;
use cchc_domain::Timestamp;
use cchc_web::{router, AppState, Clock};
use common::{api_request, conforms, csrf_of, encode, Harness, Login, Page, PASSWORD};
use serde_json::{json, Value};

const NOW: &str = "2024-07-01T03:00:00Z";

async fn harness() -> Harness {
    common::harness(
        NOW,
        &[
            ("quantri", UserRole::Admin, None),
            ("tuphap", UserRole::Agency, Some("so-tu-phap")),
            ("lanhdao", UserRole::Viewer, None),
        ],
    )
    .await
}

/// A copy of the application's router whose clock reads `seconds` after [`NOW`] and that trusts
/// `proxies`; the same database behind it.
fn router_at(h: &Harness, seconds: i64, proxies: &[&str]) -> Router {
    let now = Timestamp::parse_rfc3339(NOW).unwrap().plus_seconds(seconds);
    let trusted: Vec<IpAddr> = proxies.iter().map(|p| p.parse().unwrap()).collect();
    router(AppState { clock: Clock::Fixed(now), trusted_proxies: Arc::from(trusted), ..h.state.clone() })
}

/// `POST /api/session` as if from `peer`, with an optional `X-Forwarded-For`.
fn login_request(username: &str, password: &str, peer: &str, forwarded: Option<&str>) -> Request<Body> {
    let body = json!({"username": username, "password": password});
    let mut request = api_request(Method::POST, "/api/session", None, Some(body));
    let addr: SocketAddr = SocketAddr::new(peer.parse().unwrap(), 40_000);
    request.extensions_mut().insert(ConnectInfo(addr));
    if let Some(value) = forwarded {
        request.headers_mut().insert("x-forwarded-for", value.parse().unwrap());
    }
    request
}

async fn api_login_as(router: &Router, username: &str, password: &str, peer: &str, forwarded: Option<&str>) -> Page {
    let answer = common::send(router, login_request(username, password, peer, forwarded)).await;
    match answer.status.as_u16() {
        200 | 401 | 429 => conforms("post", "/api/session", &answer.status.as_u16().to_string(), &answer.json()),
        other => panic!("unexpected {other}: {}", answer.text()),
    }
    answer
}

fn login_of(answer: &Page) -> Login {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    Login {
        cookie: answer.cookie("cchc_session").expect("session cookie"),
        csrf: answer.json()["csrf_token"].as_str().unwrap().to_string(),
    }
}

fn retry_after(answer: &Page) -> i64 {
    answer.header(header::RETRY_AFTER).parse().unwrap_or_else(|_| panic!("no Retry-After: {:?}", answer.headers))
}

/// An API call whose answer must be documented; returns it.
async fn call(h: &Harness, method: Method, uri: &str, path: &str, login: Option<&Login>, body: Option<Value>) -> Page {
    let answer = h.api(method.clone(), uri, login, body).await;
    let status = answer.status.as_u16().to_string();
    if answer.status != StatusCode::NO_CONTENT {
        conforms(&method.as_str().to_ascii_lowercase(), path, &status, &answer.json());
    }
    answer
}

// ---------------------------------------------------------------------------------------------
// The API

#[tokio::test]
async fn only_administrators_list_and_create_accounts() {
    let h = harness().await;
    let admin = h.api_login("quantri").await;
    let officer = h.api_login("tuphap").await;

    let list = call(&h, Method::GET, "/api/users", "/api/users", Some(&admin), None).await;
    assert_eq!(list.status, StatusCode::OK);
    let users = list.json();
    let names: Vec<&str> = users.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names.iter().filter(|n| ["quantri", "tuphap", "lanhdao"].contains(n)).count(), 3, "{names:?}");
    assert_eq!(call(&h, Method::GET, "/api/users", "/api/users", None, None).await.status, StatusCode::UNAUTHORIZED);
    let refused = call(&h, Method::GET, "/api/users", "/api/users", Some(&officer), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Created without a password: one is generated and shown once.
    let body =
        json!({"username": "noivu", "display_name": "Cán bộ Sở Nội vụ", "role": "agency", "agency": "so-noi-vu"});
    let created = call(&h, Method::POST, "/api/users", "/api/users", Some(&admin), Some(body.clone())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let answer = created.json();
    assert_eq!(answer["user"]["agency_name"], "Sở Nội vụ");
    assert_eq!(answer["user"]["active"], true);
    let password = answer["password"].as_str().unwrap().to_string();
    let session = api_login_as(&h.router, "noivu", &password, "10.0.0.1", None).await;
    assert_eq!(session.json()["must_change_password"], true);
    let me = h.api(Method::GET, "/api/session", Some(&login_of(&session)), None).await;
    conforms("get", "/api/session", "200", &me.json());
    assert_eq!(me.json()["must_change_password"], true);
    // With a password: none is returned.
    let body = json!({"username": "lanhdao2", "role": "viewer", "password": "mat-khau-dat-san-1"});
    let created = call(&h, Method::POST, "/api/users", "/api/users", Some(&admin), Some(body)).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.json()["password"], Value::Null);

    // Refusals: the agency must exist, role agency needs one, others have none, names are unique.
    for (body, expected) in [
        (json!({"username": "abc", "role": "agency", "agency": "so-khong-co"}), "không có cơ quan mã «so-khong-co»"),
        (json!({"username": "abc", "role": "agency"}), "phải gắn với một cơ quan"),
        (json!({"username": "abc", "role": "viewer", "agency": "so-noi-vu"}), "chỉ tài khoản cán bộ cơ quan"),
        (json!({"username": "abc", "role": "chu-tich"}), "vai trò «chu-tich» không hợp lệ"),
        (json!({"username": "noivu", "role": "viewer"}), "đã có người dùng"),
        (json!({"username": "AB", "role": "viewer"}), "tên đăng nhập phải dài 3–32 ký tự"),
        (json!({"username": "abc", "role": "viewer", "password": "ngan"}), "ít nhất 10 ký tự"),
        (json!({"username": "abc", "role": "viewer", "admin": true}), "trường không xác định «admin»"),
    ] {
        let answer = call(&h, Method::POST, "/api/users", "/api/users", Some(&admin), Some(body.clone())).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(answer.json()["details"].to_string().contains(expected), "{body}: {}", answer.text());
    }
    // Roles and CSRF.
    let body = json!({"username": "abc", "role": "admin"});
    let answer = call(&h, Method::POST, "/api/users", "/api/users", Some(&officer), Some(body.clone())).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let forged = Login { csrf: "0".repeat(64), ..admin.clone() };
    let answer = call(&h, Method::POST, "/api/users", "/api/users", Some(&forged), Some(body.clone())).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.json()["error"].as_str().unwrap().contains("CSRF"));
    let answer = call(&h, Method::POST, "/api/users", "/api/users", None, Some(body)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let list = call(&h, Method::GET, "/api/users", "/api/users", Some(&admin), None).await;
    assert!(!list.text().contains("\"abc\""));
}

#[tokio::test]
async fn a_deactivated_users_sessions_stop_working_immediately() {
    let h = harness().await;
    let admin = h.api_login("quantri").await;
    let officer = h.api_login("tuphap").await;
    let patch = |login: Option<&Login>, user: &str, body: Value| {
        let uri = format!("/api/users/{user}");
        let login = login.cloned();
        let h = &h;
        async move { call(h, Method::PATCH, &uri, "/api/users/{username}", login.as_ref(), Some(body)).await }
    };
    let answer = patch(Some(&admin), "tuphap", json!({"active": false})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json()["user"]["active"], false);
    assert_eq!(answer.json()["password"], Value::Null);
    assert_eq!(h.api(Method::GET, "/api/session", Some(&officer), None).await.status, StatusCode::UNAUTHORIZED);
    let page = h.get("/co-quan/so-tu-phap", &officer).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(api_login_as(&h.router, "tuphap", PASSWORD, "10.0.0.1", None).await.status, StatusCode::UNAUTHORIZED);

    let answer = patch(Some(&admin), "tuphap", json!({"active": true})).await;
    assert_eq!(answer.json()["user"]["active"], true);
    assert_eq!(api_login_as(&h.router, "tuphap", PASSWORD, "10.0.0.2", None).await.status, StatusCode::OK);

    // Refusals.
    assert_eq!(patch(Some(&admin), "khong-co", json!({"active": false})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(patch(Some(&officer), "lanhdao", json!({"active": false})).await.status, StatusCode::UNAUTHORIZED);
    let officer = h.api_login("tuphap").await;
    assert_eq!(patch(Some(&officer), "lanhdao", json!({"active": false})).await.status, StatusCode::FORBIDDEN);
    let forged = Login { csrf: "0".repeat(64), ..admin.clone() };
    assert_eq!(patch(Some(&forged), "lanhdao", json!({"active": false})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(patch(None, "lanhdao", json!({"active": false})).await.status, StatusCode::UNAUTHORIZED);
    for body in [json!({"active": false, "password": null}), json!({}), json!({"active": "no"})] {
        let answer = patch(Some(&admin), "lanhdao", body.clone()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let own = patch(Some(&admin), "quantri", json!({"active": false})).await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own.text().contains("không thể tự khóa"), "{}", own.text());
    // The viewer was never touched.
    assert_eq!(api_login_as(&h.router, "lanhdao", PASSWORD, "10.0.0.3", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn administrators_reset_passwords_and_everyone_changes_their_own() {
    let h = harness().await;
    let admin = h.api_login("quantri").await;
    let viewer = h.api_login("lanhdao").await;
    let uri = "/api/users/lanhdao";
    let path = "/api/users/{username}";

    // A reset without a password generates one, returned once; the user's sessions end.
    let reset = call(&h, Method::PATCH, uri, path, Some(&admin), Some(json!({"password": null}))).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.text());
    let temporary = reset.json()["password"].as_str().unwrap().to_string();
    assert_eq!(h.api(Method::GET, "/api/session", Some(&viewer), None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api_login_as(&h.router, "lanhdao", PASSWORD, "10.0.0.1", None).await.status, StatusCode::UNAUTHORIZED);
    let session = api_login_as(&h.router, "lanhdao", &temporary, "10.0.0.1", None).await;
    assert_eq!(session.json()["must_change_password"], true);
    let viewer = login_of(&session);
    let second = login_of(&api_login_as(&h.router, "lanhdao", &temporary, "10.0.0.2", None).await);
    // With a password chosen by the administrator, nothing is returned.
    let chosen = call(
        &h,
        Method::PATCH,
        "/api/users/tuphap",
        path,
        Some(&admin),
        Some(json!({"password": "mat-khau-dat-san-1"})),
    );
    let chosen = chosen.await;
    assert_eq!(chosen.json()["password"], Value::Null);
    assert_eq!(api_login_as(&h.router, "tuphap", "mat-khau-dat-san-1", "10.0.0.1", None).await.status, StatusCode::OK);
    let short =
        call(&h, Method::PATCH, "/api/users/tuphap", path, Some(&admin), Some(json!({"password": "ngan"}))).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Only administrators reset; nobody resets their own.
    let refused =
        call(&h, Method::PATCH, "/api/users/tuphap", path, Some(&viewer), Some(json!({"password": null}))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let own = call(&h, Method::PATCH, "/api/users/quantri", path, Some(&admin), Some(json!({"password": null}))).await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Changing one's own password.
    let mine = "/api/me/password";
    let change = |current: &str, new: &str| json!({"current": current, "new": new});
    let wrong =
        call(&h, Method::PUT, mine, mine, Some(&viewer), Some(change("sai-mat-khau-roi", "mat-khau-moi-rat-dai")));
    let wrong = wrong.await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().contains("mật khẩu hiện tại không đúng"));
    let short = call(&h, Method::PUT, mine, mine, Some(&viewer), Some(change(&temporary, "ngan"))).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let forged = Login { csrf: "0".repeat(64), ..viewer.clone() };
    let answer =
        call(&h, Method::PUT, mine, mine, Some(&forged), Some(change(&temporary, "mat-khau-moi-rat-dai"))).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = call(&h, Method::PUT, mine, mine, None, Some(change(&temporary, "mat-khau-moi-rat-dai"))).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let extra =
        call(&h, Method::PUT, mine, mine, Some(&viewer), Some(json!({"current": "x", "new": "y", "z": 1}))).await;
    assert_eq!(extra.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = call(&h, Method::PUT, mine, mine, Some(&viewer), Some(change(&temporary, "mat-khau-moi-rat-dai"))).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.text());
    // This session stays, the other ends, the flag is gone, the new password works.
    let me = h.api(Method::GET, "/api/session", Some(&viewer), None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["must_change_password"], false);
    assert_eq!(h.api(Method::GET, "/api/session", Some(&second), None).await.status, StatusCode::UNAUTHORIZED);
    let again = api_login_as(&h.router, "lanhdao", "mat-khau-moi-rat-dai", "10.0.0.5", None).await;
    assert_eq!(again.status, StatusCode::OK);

    // Wrong current passwords are throttled: 429 with Retry-After.
    for _ in 0..2 {
        let wrong =
            call(&h, Method::PUT, mine, mine, Some(&viewer), Some(change("sai-mat-khau-roi", "mat-khau-khac-rat-dai")));
        assert_eq!(wrong.await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let throttled =
        call(&h, Method::PUT, mine, mine, Some(&viewer), Some(change("mat-khau-moi-rat-dai", "mat-khau-khac-rat-dai")));
    let throttled = throttled.await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS, "{}", throttled.text());
    assert_eq!(retry_after(&throttled), 1);
}

// ---------------------------------------------------------------------------------------------
// Throttling

#[tokio::test]
async fn an_attacker_is_throttled_with_a_growing_delay_while_the_victim_logs_in_from_elsewhere() {
    let h = harness().await;
    let attacker = "198.51.100.9";
    let victim = "203.0.113.7";
    for _ in 0..3 {
        let answer = api_login_as(&h.router, "tuphap", "sai-mat-khau-roi", attacker, None).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password is not looked at from the attacker's address now.
    let throttled = api_login_as(&h.router, "tuphap", PASSWORD, attacker, None).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&throttled), 1);
    assert!(throttled.json()["error"].as_str().unwrap().contains("hãy chờ 1 giây"), "{}", throttled.text());
    assert!(throttled.cookie("cchc_session").is_none());
    // The victim, from their own address, gets in at the same moment.
    let answer = api_login_as(&h.router, "tuphap", PASSWORD, victim, None).await;
    assert_eq!(answer.status, StatusCode::OK);

    // The delay doubles: 1, 2, 4, 8 seconds after each further failure.
    let mut t = 0;
    for expected in [1, 2, 4, 8] {
        let early = api_login_as(&router_at(&h, t, &[]), "tuphap", "sai-mat-khau-roi", attacker, None).await;
        assert_eq!(early.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(retry_after(&early), expected);
        t += expected;
        let looked_at = api_login_as(&router_at(&h, t, &[]), "tuphap", "sai-mat-khau-roi", attacker, None).await;
        assert_eq!(looked_at.status, StatusCode::UNAUTHORIZED);
    }
    let later = api_login_as(&router_at(&h, t, &[]), "tuphap", PASSWORD, attacker, None).await;
    assert_eq!(retry_after(&later), 16);
    // And the victim still gets in.
    let answer = api_login_as(&router_at(&h, t, &[]), "tuphap", PASSWORD, victim, None).await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn the_login_form_says_how_long_to_wait() {
    let h = harness().await;
    let post = |password: &str| {
        let h = &h;
        let password = password.to_string();
        async move {
            let form = h.get("/dang-nhap", None).await;
            let cookie = form.cookie("cchc_login_csrf").unwrap();
            let csrf = csrf_of(&form.text());
            let body = [("username", "tuphap"), ("password", password.as_str()), ("csrf_token", csrf.as_str())];
            h.post_form("/dang-nhap", &Login { cookie, csrf: String::new() }, &body).await
        }
    };
    for _ in 0..3 {
        assert_eq!(post("sai-mat-khau-roi").await.status, StatusCode::UNAUTHORIZED);
    }
    let page = post(PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&page), 1);
    assert!(page.text().contains("hãy chờ 1 giây rồi thử lại"), "{}", page.text());
    assert!(page.text().contains("<form method=\"post\" action=\"/dang-nhap\""));
    assert!(page.cookie("cchc_session").is_none());
}

#[tokio::test]
async fn x_forwarded_for_is_ignored_without_a_trusted_proxy_and_honoured_with_it() {
    let h = harness().await;
    let proxy = "10.0.0.1";
    // Without --trusted-proxy the header is the client's say-so: every request below comes from
    // the proxy's address, so changing the header does not escape the throttle.
    let plain = router_at(&h, 0, &[]);
    for i in 0..3 {
        let forwarded = format!("198.51.100.{i}");
        let answer = api_login_as(&plain, "tuphap", "sai-mat-khau-roi", proxy, Some(&forwarded)).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let answer = api_login_as(&plain, "tuphap", PASSWORD, proxy, Some("203.0.113.7")).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "X-Forwarded-For was believed");

    // With the proxy trusted, each user behind it is counted apart: the attacker is throttled,
    // the victim behind the same proxy gets in.
    let trusted = router_at(&h, 0, &[proxy]);
    for _ in 0..3 {
        let answer = api_login_as(&trusted, "lanhdao", "sai-mat-khau-roi", proxy, Some("198.51.100.9")).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let answer = api_login_as(&trusted, "lanhdao", PASSWORD, proxy, Some("198.51.100.9")).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    // A forged entry on the left does not help the attacker: the proxy appended the real one.
    let answer = api_login_as(&trusted, "lanhdao", PASSWORD, proxy, Some("203.0.113.7, 198.51.100.9")).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    let answer = api_login_as(&trusted, "lanhdao", PASSWORD, proxy, Some("203.0.113.7")).await;
    assert_eq!(answer.status, StatusCode::OK);
    // A peer that is not the trusted proxy is its own client, whatever it forwards.
    let answer = api_login_as(&trusted, "lanhdao", PASSWORD, "192.0.2.50", Some("198.51.100.9")).await;
    assert_eq!(answer.status, StatusCode::OK);
}

// ---------------------------------------------------------------------------------------------
// Back to the page asked for

/// Logs in through the form posted from `/dang-nhap?tiep=…` (the raw query value) and returns
/// the answer to the POST.
async fn form_login_via(h: &Harness, username: &str, password: &str, next: Option<&str>) -> Page {
    let uri = next.map_or_else(|| "/dang-nhap".to_string(), |n| format!("/dang-nhap?tiep={}", encode(n)));
    let form = h.get(&uri, None).await;
    assert_eq!(form.status, StatusCode::OK);
    let html = form.text();
    let cookie = form.cookie("cchc_login_csrf").unwrap();
    // The form posts back what the page carries (nothing when the target was refused).
    let marker = "name=\"tiep\" value=\"";
    let carried = html
        .find(marker)
        .map(|i| html[i + marker.len()..].split('"').next().unwrap().replace("&#38;", "&").replace("&amp;", "&"));
    let csrf = csrf_of(&html);
    let mut fields = vec![("username", username), ("password", password), ("csrf_token", csrf.as_str())];
    let carried = carried.unwrap_or_default();
    if !carried.is_empty() {
        fields.push(("tiep", carried.as_str()));
    }
    h.post_form("/dang-nhap", &Login { cookie, csrf: String::new() }, &fields).await
}

#[tokio::test]
async fn after_login_the_user_returns_to_the_page_asked_for() {
    let h = harness().await;
    // The login redirect carries the page and its query.
    let answer = h.get("/bao-cao/2024S1", None).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location(), "/dang-nhap?tiep=/bao-cao/2024S1");
    let answer = h.get("/qua-han?co-quan=so-tu-phap&as_of=2024-07-01", None).await;
    assert_eq!(answer.location(), "/dang-nhap?tiep=/qua-han%3Fco-quan%3Dso-tu-phap%26as_of%3D2024-07-01");
    // A form posted without a session is not replayed.
    let post = h.post_form("/tai-khoan", &Login { cookie: String::new(), csrf: String::new() }, &[]).await;
    assert_eq!(post.location(), "/dang-nhap");

    let back = form_login_via(&h, "lanhdao", PASSWORD, Some("/bao-cao/2024S1")).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.text());
    assert_eq!(back.location(), "/bao-cao/2024S1");
    let back = form_login_via(&h, "tuphap", PASSWORD, Some("/qua-han?co-quan=so-tu-phap&as_of=2024-07-01")).await;
    assert_eq!(back.location(), "/qua-han?co-quan=so-tu-phap&as_of=2024-07-01");
    // Without a target: the default page of the role.
    assert_eq!(form_login_via(&h, "tuphap", PASSWORD, None).await.location(), "/co-quan/so-tu-phap");

    // Other sites, whatever the spelling, fall back to the default page and are never echoed.
    for evil in [
        "//evil.example",
        "//evil.example/bao-cao",
        "https://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/dang-nhap",
    ] {
        let page = h.get(&format!("/dang-nhap?tiep={}", encode(evil)), None).await;
        assert!(!page.text().contains("name=\"tiep\""), "{evil:?} echoed");
        let back = form_login_via(&h, "lanhdao", PASSWORD, Some(evil)).await;
        assert_eq!(back.location(), "/tong-quan", "{evil:?}");
        // Posted directly (not from our page), it is refused the same way.
        let form = h.get("/dang-nhap", None).await;
        let cookie = form.cookie("cchc_login_csrf").unwrap();
        let csrf = csrf_of(&form.text());
        let fields = [("username", "lanhdao"), ("password", PASSWORD), ("csrf_token", csrf.as_str()), ("tiep", evil)];
        let direct = h.post_form("/dang-nhap", &Login { cookie, csrf: String::new() }, &fields).await;
        assert_eq!(direct.location(), "/tong-quan", "{evil:?}");
    }

    // Already logged in: the login page sends the user straight on.
    let viewer = h.form_login("lanhdao", "/co-quan").await;
    let answer = h.get("/dang-nhap?tiep=/qua-han", &viewer).await;
    assert_eq!(answer.location(), "/qua-han");
    let answer = h.get(&format!("/dang-nhap?tiep={}", encode("//evil.example")), &viewer).await;
    assert_eq!(answer.location(), "/tong-quan");
}

// ---------------------------------------------------------------------------------------------
// The pages

#[tokio::test]
async fn administrators_manage_accounts_in_the_browser() {
    let h = harness().await;
    let admin = h.form_login("quantri", "/tai-khoan").await;
    let page = h.get("/tai-khoan", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header(header::CACHE_CONTROL), "no-store");
    let html = page.text();
    for expected in
        ["tuphap", "Tài khoản lanhdao", "action=\"/tai-khoan/tuphap/khoa\"", "Tạo tài khoản", "Nhật ký tài khoản"]
    {
        assert!(html.contains(expected), "{expected}");
    }
    assert!(!html.contains("action=\"/tai-khoan/quantri/khoa\""), "an administrator cannot lock themselves out");
    assert!(html.contains("href=\"/tai-khoan\""), "nav link for administrators");

    // Create: an agency officer, password generated and shown once.
    let fields = [
        ("csrf_token", admin.csrf.as_str()),
        ("ten_dang_nhap", "noivu"),
        ("ho_ten", "Cán bộ <Sở> Nội vụ"),
        ("vai_tro", "agency"),
        ("co_quan", "so-noi-vu"),
        ("mat_khau", ""),
    ];
    let created = h.post_form("/tai-khoan", &admin, &fields).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text());
    assert_eq!(created.header(header::CACHE_CONTROL), "no-store");
    let html = created.text();
    assert!(html.contains("Đã tạo tài khoản «noivu»"));
    assert!(html.contains("Cán bộ &#60;Sở&#62; Nội vụ") || html.contains("Cán bộ &lt;Sở&gt; Nội vụ"), "escaped");
    let marker = "<code class=\"password\">";
    let start = html.find(marker).expect("password shown") + marker.len();
    let password = html[start..].split('<').next().unwrap().to_string();
    // The owner logs in with it and is sent to change it, then on to the page asked for.
    let first = form_login_via(&h, "noivu", &password, Some("/bao-cao")).await;
    assert_eq!(first.location(), "/tai-khoan/mat-khau?lan-dau=1&tiep=/bao-cao");
    let owner = Login { cookie: first.cookie("cchc_session").unwrap(), csrf: String::new() };
    let form = h.get("/tai-khoan/mat-khau?lan-dau=1&tiep=/bao-cao", &owner).await;
    assert!(form.text().contains("Mật khẩu của bạn do quản trị đặt"));
    let owner = Login { csrf: csrf_of(&form.text()), ..owner };
    let fields = [
        ("csrf_token", owner.csrf.as_str()),
        ("mat_khau_hien_tai", password.as_str()),
        ("mat_khau_moi", "mat-khau-cua-toi-1"),
        ("nhap_lai", "mat-khau-cua-toi-1"),
        ("tiep", "/bao-cao"),
    ];
    let changed = h.post_form("/tai-khoan/mat-khau", &owner, &fields).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.text());
    assert_eq!(changed.location(), "/bao-cao");

    // Refusals keep the form as typed.
    let fields =
        [("csrf_token", admin.csrf.as_str()), ("ten_dang_nhap", "abc"), ("vai_tro", "agency"), ("co_quan", "")];
    let refused = h.post_form("/tai-khoan", &admin, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("phải gắn với một cơ quan"));
    assert!(refused.text().contains("value=\"abc\""));
    let fields = [("csrf_token", "sai"), ("ten_dang_nhap", "abc"), ("vai_tro", "viewer")];
    assert_eq!(h.post_form("/tai-khoan", &admin, &fields).await.status, StatusCode::FORBIDDEN);

    // Deactivate: the officer's session ends at once; reactivate; reset.
    let officer = h.form_login("tuphap", "/tai-khoan/mat-khau").await;
    let locked = h.post_form("/tai-khoan/tuphap/khoa", &admin, &[("csrf_token", admin.csrf.as_str())]).await;
    assert_eq!(locked.status, StatusCode::OK);
    assert!(locked.text().contains("Đã khóa tài khoản «tuphap»"));
    assert_eq!(h.get("/tai-khoan/mat-khau", &officer).await.status, StatusCode::SEE_OTHER);
    let unlocked = h.post_form("/tai-khoan/tuphap/mo-khoa", &admin, &[("csrf_token", admin.csrf.as_str())]).await;
    assert!(unlocked.text().contains("Đã mở khóa tài khoản «tuphap»"));
    let reset = h.post_form("/tai-khoan/tuphap/dat-lai-mat-khau", &admin, &[("csrf_token", admin.csrf.as_str())]).await;
    assert_eq!(reset.status, StatusCode::OK);
    assert!(reset.text().contains("Mật khẩu của <strong>tuphap</strong>"));
    assert_eq!(
        h.post_form("/tai-khoan/khong-co/khoa", &admin, &[("csrf_token", admin.csrf.as_str())]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.post_form("/tai-khoan/tuphap/khoa", &admin, &[("csrf_token", "sai")]).await.status,
        StatusCode::FORBIDDEN
    );
    let own = h.post_form("/tai-khoan/quantri/khoa", &admin, &[("csrf_token", admin.csrf.as_str())]).await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The audit says who did what to whom.
    let html = h.get("/tai-khoan", &admin).await.text();
    for line in ["đặt lại mật khẩu của", "mở khóa tài khoản", "khóa tài khoản", "tạo tài khoản", "tự đổi mật khẩu của"]
    {
        assert!(html.contains(line), "{line}");
    }
    let audit = &html[html.find("Nhật ký tài khoản").unwrap()..];
    assert!(audit.contains("quantri") && audit.contains("noivu") && audit.contains("hệ thống"));
}

#[tokio::test]
async fn others_see_no_account_page_and_change_only_their_own_password() {
    let h = harness().await;
    let officer = h.form_login("tuphap", "/tai-khoan/mat-khau").await;
    let page = h.get("/tai-khoan/mat-khau", &officer).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("href=\"/tai-khoan/mat-khau\""), "nav link for everyone");
    assert!(!html.contains("href=\"/tai-khoan\""), "no account list link for officers");
    assert_eq!(h.get("/tai-khoan", &officer).await.status, StatusCode::FORBIDDEN);
    let fields = [("csrf_token", officer.csrf.as_str()), ("ten_dang_nhap", "abc"), ("vai_tro", "admin")];
    assert_eq!(h.post_form("/tai-khoan", &officer, &fields).await.status, StatusCode::FORBIDDEN);
    let answer = h.post_form("/tai-khoan/lanhdao/khoa", &officer, &[("csrf_token", officer.csrf.as_str())]).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer =
        h.post_form("/tai-khoan/lanhdao/dat-lai-mat-khau", &officer, &[("csrf_token", officer.csrf.as_str())]).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    // Nobody logged in: to the login page, then back.
    assert_eq!(h.get("/tai-khoan/mat-khau", None).await.location(), "/dang-nhap?tiep=/tai-khoan/mat-khau");

    let post = |fields: Vec<(&'static str, String)>| {
        let h = &h;
        let officer = officer.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            h.post_form("/tai-khoan/mat-khau", &officer, &fields).await
        }
    };
    let fields = |csrf: &str, current: &str, new: &str, again: &str| {
        vec![
            ("csrf_token", csrf.to_string()),
            ("mat_khau_hien_tai", current.to_string()),
            ("mat_khau_moi", new.to_string()),
            ("nhap_lai", again.to_string()),
        ]
    };
    let csrf = officer.csrf.clone();
    let forged = post(fields("sai", PASSWORD, "mat-khau-moi-rat-dai", "mat-khau-moi-rat-dai")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let mismatch = post(fields(&csrf, PASSWORD, "mat-khau-moi-rat-dai", "mat-khau-khac-rat-dai")).await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.text().contains("không khớp"));
    let wrong = post(fields(&csrf, "sai-mat-khau-roi", "mat-khau-moi-rat-dai", "mat-khau-moi-rat-dai")).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().contains("mật khẩu hiện tại không đúng"));
    let short = post(fields(&csrf, PASSWORD, "ngan", "ngan")).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.text().contains("ít nhất 10 ký tự"));
    let done = post(fields(&csrf, PASSWORD, "mat-khau-moi-rat-dai", "mat-khau-moi-rat-dai")).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.text().contains("Đã đổi mật khẩu"));
    // A redirect target that is not ours is ignored.
    let mut evil = fields(&csrf, "mat-khau-moi-rat-dai", "mat-khau-thu-ba-dai", "mat-khau-thu-ba-dai");
    evil.push(("tiep", "//evil.example".to_string()));
    let done = post(evil).await;
    assert_eq!(done.status, StatusCode::OK);
    // Two more wrong guesses (three in all) and the next attempt waits.
    for _ in 0..2 {
        let wrong = post(fields(&csrf, "sai-mat-khau-roi", "mat-khau-moi-rat-dai", "mat-khau-moi-rat-dai")).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let throttled = post(fields(&csrf, "mat-khau-thu-ba-dai", "mat-khau-moi-rat-dai", "mat-khau-moi-rat-dai")).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&throttled), 1);
    assert!(throttled.text().contains("hãy chờ 1 giây"));
}
