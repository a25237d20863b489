//! Helpers shared by the HTTP test files: the harness (app, accounts, router), requests through
//! `tower::ServiceExt::oneshot`, logging in through the form or the API, cookies and CSRF tokens,
//! hand-built form and multipart bodies, and the OpenAPI validator answers are held to.

// Each test file uses only some of these helpers.
#![allow(dead_code)]
// Test code: a failed unwrap or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use cchc_domain::account::UserRole;
use cchc_domain::{AgencyId, Timestamp};
use cchc_services::accounts::NewAccount;
use cchc_services::App;
use cchc_web::{router, AppState, Clock};
use serde_json::{json, Value};
use tower::ServiceExt;

pub const PASSWORD: &str = "mat-khau-du-dai-1";
pub const BOUNDARY: &str = "----cchc-test-boundary-7MA4YWxkTrZu0gW";

/// The real router over an in-memory app whose clock stands still (uploads and the dossier
/// store in a temporary folder).
pub struct Harness {
    pub router: Router,
    pub state: AppState,
    pub files: tempfile::TempDir,
}

/// A harness at `now` (RFC 3339) with `accounts` (username, role, agency), each with [`PASSWORD`].
pub async fn harness(now: &str, accounts: &[(&str, UserRole, Option<&str>)]) -> Harness {
    let now = Timestamp::parse_rfc3339(now).expect("timestamp");
    let files = tempfile::tempdir().expect("temporary folder");
    let app = App::open_in_memory().await.expect("app").with_dossier_dir(files.path().join("dossiers"));
    for &(username, role, agency) in accounts {
        let account = NewAccount {
            username: username.into(),
            display_name: format!("Tài khoản {username}"),
            role,
            agency: agency.and_then(AgencyId::parse),
            password: PASSWORD.into(),
        };
        app.create_account(&account, now).await.expect("account");
    }
    let state = AppState {
        app: Arc::new(app),
        files_dir: files.path().to_path_buf(),
        clock: Clock::Fixed(now),
        secure_cookies: false,
        trusted_proxies: Arc::from([]),
    };
    Harness { router: router(state.clone()), state, files }
}

/// An answer: status, headers and the raw body.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Page {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: header::HeaderName) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
    }
    pub fn location(&self) -> String {
        self.header(header::LOCATION)
    }
    /// The `Set-Cookie` value `name=value` for cookie `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|pair| pair.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }
    /// The body as JSON, or `null` when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// A logged-in client: the session cookie and the CSRF token.
#[derive(Clone)]
pub struct Login {
    pub cookie: String,
    pub csrf: String,
}

/// Sends `request` to `router`.
pub async fn send(router: &Router, request: Request<Body>) -> Page {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec();
    Page { status, headers, body }
}

/// A JSON API request: the session cookie and, unless it is a GET, the CSRF header.
pub fn api_request(method: Method, uri: &str, login: Option<&Login>, body: Option<Value>) -> Request<Body> {
    let mut builder = Request::builder().method(method.clone()).uri(uri);
    if let Some(login) = login {
        builder = builder.header(header::COOKIE, &login.cookie);
        if method != Method::GET {
            builder = builder.header("X-CSRF-Token", &login.csrf);
        }
    }
    match body {
        Some(body) => {
            builder.header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string())).unwrap()
        }
        None => builder.body(Body::empty()).unwrap(),
    }
}

/// Logs in through the API.
pub async fn api_login(router: &Router, username: &str) -> Login {
    let body = json!({"username": username, "password": PASSWORD});
    let answer = send(router, api_request(Method::POST, "/api/session", None, Some(body))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let cookie = answer.cookie("cchc_session").expect("session cookie");
    Login { cookie, csrf: answer.json()["csrf_token"].as_str().expect("csrf_token").to_string() }
}

impl Harness {
    pub async fn send(&self, request: Request<Body>) -> Page {
        send(&self.router, request).await
    }

    pub async fn get<'a>(&self, uri: &str, login: impl Into<Option<&'a Login>>) -> Page {
        let mut request = Request::builder().method(Method::GET).uri(uri);
        if let Some(login) = login.into() {
            request = request.header(header::COOKIE, &login.cookie);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    pub async fn post_form(&self, uri: &str, login: &Login, fields: &[(&str, &str)]) -> Page {
        self.send(form_request(uri, &login.cookie, &form_body(fields))).await
    }

    pub async fn post_multipart(&self, uri: &str, login: Option<&Login>, body: Vec<u8>) -> Page {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"));
        if let Some(login) = login {
            request = request.header(header::COOKIE, &login.cookie);
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    pub async fn api(&self, method: Method, uri: &str, login: Option<&Login>, body: Option<Value>) -> Page {
        self.send(api_request(method, uri, login, body)).await
    }

    pub async fn api_login(&self, username: &str) -> Login {
        api_login(&self.router, username).await
    }

    /// Logs in through the real login form (GET for the CSRF cookie and token, then POST), then
    /// reads the session's CSRF token off `csrf_page`.
    pub async fn form_login(&self, username: &str, csrf_page: &str) -> Login {
        let form = self.get("/dang-nhap", None).await;
        assert_eq!(form.status, StatusCode::OK);
        let login_cookie = form.cookie("cchc_login_csrf").expect("login csrf cookie");
        let token = csrf_of(&form.text());
        let body = format!("username={username}&password={}&csrf_token={token}", encode(PASSWORD));
        let answer = self.send(form_request("/dang-nhap", &login_cookie, &body)).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
        let cookie = answer.cookie("cchc_session").expect("session cookie");
        let mut login = Login { cookie, csrf: String::new() };
        let page = self.get(csrf_page, &login).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        login.csrf = csrf_of(&page.text());
        login
    }
}

/// A url-encoded form POST with `cookie`.
fn form_request(uri: &str, cookie: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// `fields` url-encoded.
pub fn form_body(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

/// The value of the first hidden `csrf_token` input of a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("csrf field") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Percent-encodes all but the unreserved characters.
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A multipart body built by hand: text fields, then an optional file (name, type, bytes).
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if let Some((file_name, content_type, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

// ---------------------------------------------------------------------------------------------
// OpenAPI: the document, and a validator that holds answers to it.

pub fn doc() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(cchc_web::api::openapi::document)
}

pub fn resolve(schema: &Value) -> &Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let target = reference.trim_start_matches("#/").split('/').fold(doc(), |v, key| &v[key]);
            assert!(!target.is_null(), "dangling $ref {reference}");
            resolve(target)
        }
        None => schema,
    }
}

/// Properties an (all-of) object schema declares.
fn declared(schema: &Value) -> Vec<String> {
    let schema = resolve(schema);
    let mut out: Vec<String> =
        schema.get("properties").and_then(Value::as_object).map(|p| p.keys().cloned().collect()).unwrap_or_default();
    for part in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        out.extend(declared(part));
    }
    out
}

/// A compiled pattern of the document (compiled once).
fn pattern(text: &str) -> regex::Regex {
    static CACHE: OnceLock<std::sync::Mutex<std::collections::HashMap<String, regex::Regex>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap();
    cache
        .entry(text.to_string())
        .or_insert_with(|| regex::Regex::new(text).unwrap_or_else(|e| panic!("pattern {text}: {e}")))
        .clone()
}

/// Whether `value` fits `schema` (no error).
pub fn fits(schema: &Value, value: &Value) -> bool {
    let mut errors = Vec::new();
    check(schema, value, "$", true, &mut errors);
    errors.is_empty()
}

/// Checks `value` against `schema`: the JSON Schema keywords the document uses (`$ref`, `allOf`,
/// `oneOf`, `anyOf`, `type`, `enum`, `const`, `format: date`, `pattern`, `minLength`,
/// `maxLength`, `minimum`, `maximum`, `required`, `properties`, `additionalProperties`,
/// `propertyNames`, `items`, `minItems`, `maxItems`). Stricter than JSON Schema on purpose: an
/// object field the document does not declare is an error in an answer (`strict`), so the
/// document cannot fall behind the code.
pub fn check(schema: &Value, value: &Value, at: &str, strict: bool, errors: &mut Vec<String>) {
    let schema = resolve(schema);
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        if strict {
            let known = declared(schema);
            for key in value.as_object().into_iter().flat_map(|o| o.keys()) {
                if !known.contains(key) {
                    errors.push(format!("{at}.{key}: not declared in the OpenAPI document"));
                }
            }
        }
        for part in parts {
            check(part, value, at, false, errors);
        }
        return;
    }
    let fitting = |choices: &Vec<Value>| {
        choices
            .iter()
            .filter(|choice| {
                let mut inner = Vec::new();
                check(choice, value, at, strict, &mut inner);
                inner.is_empty()
            })
            .count()
    };
    if let Some(choices) = schema.get("oneOf").and_then(Value::as_array) {
        let fits = fitting(choices);
        if fits != 1 {
            errors.push(format!("{at}: fits {fits} of the oneOf choices"));
        }
        return;
    }
    if let Some(choices) = schema.get("anyOf").and_then(Value::as_array) {
        if fitting(choices) == 0 {
            errors.push(format!("{at}: fits none of the anyOf choices"));
        }
        return;
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let actual_fits = |t: &str| match t {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            "null" => value.is_null(),
            _ => false,
        };
        if !types.iter().any(|t| actual_fits(t)) {
            errors.push(format!("{at}: {} is not of type {types:?}", shortened(value)));
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            errors.push(format!("{at}: {} not in {allowed:?}", shortened(value)));
        }
    }
    if let Some(constant) = schema.get("const") {
        if constant != value {
            errors.push(format!("{at}: {} is not {constant}", shortened(value)));
        }
    }
    if let Some(text) = value.as_str() {
        if schema.get("format").and_then(Value::as_str) == Some("date") {
            let shaped = text.len() == 10
                && text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
            if !shaped || cchc_domain::Date::parse(text).is_err() {
                errors.push(format!("{at}: {text} is not a date yyyy-mm-dd"));
            }
        }
        let length = text.chars().count() as u64;
        if schema.get("minLength").and_then(Value::as_u64).is_some_and(|min| length < min) {
            errors.push(format!("{at}: shorter than {}", schema["minLength"]));
        }
        if schema.get("maxLength").and_then(Value::as_u64).is_some_and(|max| length > max) {
            errors.push(format!("{at}: longer than {}", schema["maxLength"]));
        }
        if let Some(expression) = schema.get("pattern").and_then(Value::as_str) {
            if !pattern(expression).is_match(text) {
                errors.push(format!("{at}: {} does not match {expression}", shortened(value)));
            }
        }
    }
    if let Some(number) = value.as_f64() {
        if schema.get("minimum").and_then(Value::as_f64).is_some_and(|min| number < min) {
            errors.push(format!("{at}: {number} below {}", schema["minimum"]));
        }
        if schema.get("maximum").and_then(Value::as_f64).is_some_and(|max| number > max) {
            errors.push(format!("{at}: {number} above {}", schema["maximum"]));
        }
    }
    if let Some(object) = value.as_object() {
        for key in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            if !object.contains_key(key.as_str().unwrap_or_default()) {
                errors.push(format!("{at}: missing required {key}"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        let additional = schema.get("additionalProperties");
        for (key, item) in object {
            if let Some(names) = schema.get("propertyNames") {
                check(names, &Value::String(key.clone()), &format!("{at}.{key} (name)"), strict, errors);
            }
            match (properties.and_then(|p| p.get(key)), additional) {
                (Some(property), _) => check(property, item, &format!("{at}.{key}"), true, errors),
                (None, Some(Value::Bool(false))) => errors.push(format!("{at}.{key}: not allowed")),
                (None, Some(schema)) if schema.is_object() => check(schema, item, &format!("{at}.{key}"), true, errors),
                (None, _) if strict && properties.is_some() => {
                    errors.push(format!("{at}.{key}: not declared in the OpenAPI document"))
                }
                (None, _) => {}
            }
        }
    }
    if let Some(array) = value.as_array() {
        let count = array.len() as u64;
        if schema.get("maxItems").and_then(Value::as_u64).is_some_and(|max| count > max) {
            errors.push(format!("{at}: more than {} items", schema["maxItems"]));
        }
        if schema.get("minItems").and_then(Value::as_u64).is_some_and(|min| count < min) {
            errors.push(format!("{at}: fewer than {} items", schema["minItems"]));
        }
        if let Some(items) = schema.get("items") {
            for (i, item) in array.iter().enumerate() {
                check(items, item, &format!("{at}[{i}]"), true, errors);
            }
        }
    }
}

/// A value for a message: long texts cut.
fn shortened(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

/// Asserts that an answer matches what the document says `method path` answers with `status`.
pub fn conforms(method: &str, path: &str, status: &str, body: &Value) {
    let operation = &doc()["paths"][path][method];
    assert!(operation.is_object(), "{method} {path} not in the OpenAPI document");
    let response = resolve(&operation["responses"][status]);
    assert!(response.is_object(), "{method} {path} → {status} not in the OpenAPI document");
    let schema = &response["content"]["application/json"]["schema"];
    let mut errors = Vec::new();
    check(schema, body, "$", true, &mut errors);
    assert!(errors.is_empty(), "{method} {path} → {status} does not match the document:\n{}", errors.join("\n"));
}
