//! The OpenAPI document generated from the handlers and wire types: a reviewed snapshot, and the
//! proof that its request schemas are tight. A small generator driven by the document builds
//! request bodies its schemas accept — minimal, maximal (every field, the longest texts, the
//! largest numbers), and random with boundary lengths — and the server must not refuse any of
//! them as malformed (400) or invalid (422); bodies the schemas refuse are refused by the server
//! too.
//!
//! What the schemas cannot say is data the server holds: dates relative to today and to the
//! plan or period, agencies and indicators that exist, a fresh username, the current password,
//! the event item of an activity. The generator takes those values from per-endpoint sources,
//! named by property or by schema component; the descriptions in the document say these rules.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use axum::http::{Method, StatusCode};
use cchc_domain::account::UserRole;
use cchc_domain::{AgencyId, Date, PeriodId};
use common::{doc, fits, resolve, Harness, Login};
use serde_json::{json, Map, Value};

#[test]
fn the_openapi_document_matches_the_reviewed_snapshot() {
    insta::assert_json_snapshot!("document", doc());
}

// ---------------------------------------------------------------------------------------------
// The generator.

/// A small deterministic random source (xorshift64), so that a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self) -> bool {
        self.next().is_multiple_of(2)
    }
    fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high.saturating_sub(low) + 1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// Required fields only, shortest texts, smallest numbers.
    Minimal,
    /// Every field, longest texts, largest numbers.
    Maximal,
    /// Random fields, lengths at either boundary or between.
    Random,
}

/// What texts are drawn from: ASCII, Vietnamese composed and decomposed, several kinds of
/// space, line breaks, a byte-order mark, characters beyond the BMP, JSON's escapes, and control
/// characters (which a pattern must keep out, or the server must accept).
const POOL: &[char] = &[
    'a', 'Z', '0', '9', '.', '_', '-', '/', ' ', '\n', '\t', '\r', 'ắ', 'Đ', 'ự', 'e', '\u{301}', '\u{a0}', '\u{3000}',
    '\u{feff}', '😀', '中', '"', '\\', '<', '&', '\u{0}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}', '\u{b}',
];

/// A source of values that depend on stored data.
type Source = Box<dyn FnMut(&mut Rng, Mode) -> Value>;

struct Generator {
    rng: Rng,
    /// By property name first, then by schema component.
    sources: HashMap<&'static str, Source>,
}

impl Generator {
    fn new(seed: u64) -> Generator {
        Generator { rng: Rng(seed | 1), sources: HashMap::new() }
    }

    fn source(mut self, name: &'static str, source: impl FnMut(&mut Rng, Mode) -> Value + 'static) -> Generator {
        self.sources.insert(name, Box::new(source));
        self
    }

    fn sourced(&mut self, name: &str, mode: Mode) -> Option<Value> {
        let source = self.sources.get_mut(name)?;
        Some(source(&mut self.rng, mode))
    }

    /// A body for `schema` in `mode`, checked against the schema before it is sent.
    fn body(&mut self, schema: &Value, mode: Mode) -> Value {
        for _ in 0..50 {
            let body = self.value(schema, None, mode);
            if fits(schema, &body) {
                return body;
            }
        }
        panic!("the generator found no body for {schema}");
    }

    fn value(&mut self, schema: &Value, name: Option<&str>, mode: Mode) -> Value {
        if schema.get("type") == Some(&json!("null")) {
            return Value::Null;
        }
        if let Some(choices) = schema.get("oneOf").or_else(|| schema.get("anyOf")).and_then(Value::as_array) {
            let usable: Vec<&Value> =
                choices.iter().filter(|c| mode != Mode::Maximal || c.get("type") != Some(&json!("null"))).collect();
            for _ in 0..20 {
                let choice = usable[self.rng.below(usable.len())];
                let value = self.value(choice, name, mode);
                if fits(schema, &value) {
                    return value;
                }
            }
            panic!("no choice of {schema} fits");
        }
        if let Some(found) = name.and_then(|n| self.sourced(n, mode)) {
            return found;
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let component = reference.rsplit('/').next().unwrap();
            if let Some(found) = self.sourced(component, mode) {
                return found;
            }
            return self.value(resolve(schema), name, mode);
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return match mode {
                Mode::Minimal => values[0].clone(),
                Mode::Maximal => values[values.len() - 1].clone(),
                Mode::Random => values[self.rng.below(values.len())].clone(),
            };
        }
        let types: Vec<&str> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => panic!("no type in {schema}"),
        };
        let kind = match mode {
            Mode::Minimal if types.contains(&"null") => "null",
            _ => {
                let real: Vec<&str> = types.iter().copied().filter(|t| *t != "null").collect();
                real[self.rng.below(real.len())]
            }
        };
        match kind {
            "null" => Value::Null,
            "boolean" => Value::Bool(self.rng.chance()),
            "string" => self.string(schema, mode),
            "integer" | "number" => self.number(schema, kind, mode),
            "object" => self.object(schema, mode),
            "array" => {
                let count = match mode {
                    Mode::Minimal => schema.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize,
                    Mode::Maximal => 3,
                    Mode::Random => self.rng.below(4),
                };
                Value::Array((0..count).map(|_| self.value(&schema["items"], None, mode)).collect())
            }
            other => panic!("type {other}"),
        }
    }

    fn number(&mut self, schema: &Value, kind: &str, mode: Mode) -> Value {
        // No bound says any number is fine: the extreme bodies say it with the largest ones.
        let unbounded = if kind == "integer" { 9_007_199_254_740_991.0 } else { 1e300 };
        let low = schema.get("minimum").and_then(Value::as_f64).unwrap_or(-unbounded);
        let high = schema.get("maximum").and_then(Value::as_f64).unwrap_or(unbounded);
        let value = match mode {
            Mode::Minimal => low,
            Mode::Maximal => high,
            Mode::Random => low + (high - low) * (self.rng.below(1_000_001) as f64 / 1_000_000.0),
        };
        if kind == "integer" {
            json!(value.round() as i64)
        } else {
            json!(value)
        }
    }

    fn string(&mut self, schema: &Value, mode: Mode) -> Value {
        assert_ne!(schema.get("format"), Some(&json!("date")), "a date needs a source: {schema}");
        let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        // No maximum says any length is fine: the maximal body says it with a long one.
        let max = schema.get("maxLength").and_then(Value::as_u64).unwrap_or(40_000) as usize;
        // The characters the pattern lets through, each tried between two letters.
        let pool: Vec<char> = POOL
            .iter()
            .copied()
            .filter(|c| {
                let mut probe = schema.clone();
                if let Some(object) = probe.as_object_mut() {
                    object.remove("minLength");
                    object.remove("maxLength");
                }
                fits(&probe, &json!(format!("a{c}a")))
            })
            .collect();
        assert!(!pool.is_empty(), "no character fits {schema}");
        for _ in 0..200 {
            let length = match mode {
                Mode::Minimal => min,
                Mode::Maximal => max,
                Mode::Random => match self.rng.below(3) {
                    0 => min,
                    1 => max,
                    _ => self.rng.between(min, max.min(min + 60)),
                },
            };
            let text: String = (0..length).map(|_| pool[self.rng.below(pool.len())]).collect();
            let value = Value::String(text);
            if fits(schema, &value) {
                return value;
            }
        }
        panic!("no string fits {schema}");
    }

    fn object(&mut self, schema: &Value, mode: Mode) -> Value {
        let mut out = Map::new();
        let required: Vec<&str> =
            schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        for (key, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            let wanted = required.contains(&key.as_str())
                || match mode {
                    Mode::Minimal => false,
                    Mode::Maximal => true,
                    Mode::Random => self.rng.chance(),
                };
            if wanted {
                let value = self.value(property, Some(key), mode);
                out.insert(key.clone(), value);
            }
        }
        if let (Some(names), Some(values)) = (schema.get("propertyNames"), schema.get("additionalProperties")) {
            let names = resolve(names)["enum"].as_array().cloned().unwrap_or_default();
            for name in names {
                let wanted = match mode {
                    Mode::Minimal => false,
                    Mode::Maximal => true,
                    Mode::Random => self.rng.below(3) == 0,
                };
                if wanted {
                    let value = self.value(values, None, mode);
                    out.insert(name.as_str().unwrap().to_string(), value);
                }
            }
        }
        Value::Object(out)
    }
}

/// The request schema of `method path`.
fn request_schema(method: &str, path: &str) -> &'static Value {
    let schema = &doc()["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "{method} {path} has no JSON body");
    schema
}

/// A source of dates from `from` to `to` (the first in minimal mode, the last in maximal).
fn dates(from: &str, to: &str) -> impl FnMut(&mut Rng, Mode) -> Value {
    let (from, to) = (Date::parse(from).unwrap(), Date::parse(to).unwrap());
    let span = from.days_until(to);
    move |rng, mode| {
        let offset = match mode {
            Mode::Minimal => 0,
            Mode::Maximal => span,
            Mode::Random => rng.below(span as usize + 1) as i64,
        };
        json!(from.add_days(offset).iso())
    }
}

/// A source that picks from `values` without repeating one within a body (`reset` between bodies).
fn distinct(values: Vec<String>, taken: Rc<RefCell<BTreeSet<String>>>) -> impl FnMut(&mut Rng, Mode) -> Value {
    move |rng, _| {
        let mut taken = taken.borrow_mut();
        let free: Vec<&String> = values.iter().filter(|v| !taken.contains(*v)).collect();
        let chosen = free[rng.below(free.len())].clone();
        taken.insert(chosen.clone());
        json!(chosen)
    }
}

const NOW: &str = "2024-07-01T03:00:00Z";
const PERIOD: &str = "2024S1";
/// Communes: one whose draft is saved, one returned again and again, one given receipt dates.
const SAVED: &str = "ubnd-xa-03646";
const RETURNED: &str = "ubnd-xa-03649";
const RECEIVED: &str = "ubnd-xa-03652";

struct Run {
    h: Harness,
    admin: Login,
}

impl Run {
    async fn new() -> Run {
        let h = common::harness(
            NOW,
            &[
                ("quantri", UserRole::Admin, None),
                ("doimatkhau", UserRole::Viewer, None),
                ("canbo", UserRole::Agency, Some("so-tu-phap")),
            ],
        )
        .await;
        let admin = h.api_login("quantri").await;
        Run { h, admin }
    }

    /// Sends `body` and asserts the server took it (`expected`), or at least did not call it
    /// malformed or invalid when `expected` is `None`.
    async fn accepted(
        &self,
        login: Option<&Login>,
        method: Method,
        uri: &str,
        body: &Value,
        expected: Option<StatusCode>,
    ) -> Value {
        let answer = self.h.api(method.clone(), uri, login, Some(body.clone())).await;
        let sent: String = body.to_string().chars().take(600).collect();
        match expected {
            Some(status) => assert_eq!(answer.status, status, "{method} {uri} {sent}…\n→ {}", answer.text()),
            None => assert!(
                ![StatusCode::BAD_REQUEST, StatusCode::UNPROCESSABLE_ENTITY].contains(&answer.status),
                "{method} {uri} {sent}…\n→ {} {}",
                answer.status,
                answer.text()
            ),
        }
        answer.json()
    }

    /// Every indicator of `agency`'s form answered «không áp dụng»: a report that can be sent.
    async fn complete_report(&self, agency: &str) -> Value {
        let form = self.h.state.app.report_form(&AgencyId::parse(agency).unwrap(), period()).await.unwrap();
        let values: Vec<Value> = form
            .indicators
            .iter()
            .map(|i| json!({"code": i.code.to_string(), "not_applicable": "Không phát sinh"}))
            .collect();
        json!({"values": values})
    }

    async fn form_codes(&self, agency: &str) -> Vec<String> {
        let form = self.h.state.app.report_form(&AgencyId::parse(agency).unwrap(), period()).await.unwrap();
        form.indicators.iter().map(|i| i.code.to_string()).collect()
    }
}

fn period() -> PeriodId {
    PeriodId::parse(PERIOD).unwrap()
}

/// The modes of one endpoint's bodies: minimal, maximal, then `random` random ones.
fn modes(random: usize) -> Vec<Mode> {
    let mut modes = vec![Mode::Minimal, Mode::Maximal];
    modes.extend(std::iter::repeat_n(Mode::Random, random));
    modes
}

#[tokio::test]
async fn bodies_the_schemas_accept_are_never_refused_as_invalid() {
    let run = Run::new().await;
    let admin = &run.admin;
    let directory_ids: Vec<String> = run.h.state.app.directory().agencies.iter().map(|a| a.id.to_string()).collect();

    // Login: wrong credentials are 401 (then 429), never 400 / 422.
    let schema = request_schema("post", "/api/session");
    let mut generator = Generator::new(1);
    for mode in modes(3) {
        let body = generator.body(schema, mode);
        run.accepted(None, Method::POST, "/api/session", &body, None).await;
    }

    // New accounts: a fresh username each time, an agency that exists for an officer.
    let schema = request_schema("post", "/api/users");
    let used = Rc::new(RefCell::new(BTreeSet::from(["quantri".to_string(), "doimatkhau".into(), "canbo".into()])));
    let usernames = used.clone();
    let mut generator = Generator::new(2)
        .source("username", move |rng, mode| {
            let alphabet: Vec<char> = "abcdefghijklmnopqrstuvwxyz0123456789._-".chars().collect();
            loop {
                let length = match mode {
                    Mode::Minimal => 3,
                    Mode::Maximal => 32,
                    Mode::Random => rng.between(3, 32),
                };
                let name: String = (0..length).map(|_| alphabet[rng.below(alphabet.len())]).collect();
                if usernames.borrow_mut().insert(name.clone()) {
                    return json!(name);
                }
            }
        })
        .source("AgencyId", move |rng, _| json!(directory_ids[rng.below(directory_ids.len())]));
    for mode in modes(4) {
        let body = generator.body(schema, mode);
        run.accepted(Some(admin), Method::POST, "/api/users", &body, Some(StatusCode::CREATED)).await;
    }

    // An account change: either field, never both.
    let schema = request_schema("patch", "/api/users/{username}");
    let mut generator = Generator::new(3);
    for mode in modes(4) {
        let body = generator.body(schema, mode);
        run.accepted(Some(admin), Method::PATCH, "/api/users/canbo", &body, Some(StatusCode::OK)).await;
    }

    // One's own password: the current one is known; the new one then becomes current.
    let schema = request_schema("put", "/api/me/password");
    let current = Rc::new(RefCell::new(common::PASSWORD.to_string()));
    let known = current.clone();
    let mut generator = Generator::new(4).source("current", move |_, _| json!(known.borrow().clone()));
    let own = run.h.api_login("doimatkhau").await;
    for mode in modes(2) {
        let body = generator.body(schema, mode);
        run.accepted(Some(&own), Method::PUT, "/api/me/password", &body, Some(StatusCode::NO_CONTENT)).await;
        *current.borrow_mut() = body["new"].as_str().unwrap().to_string();
    }

    // Progress on a milestone: dates between the plan's start and today.
    let assignments = run.h.api(Method::GET, "/api/assignments?agency=so-tu-phap", Some(admin), None).await.json();
    let milestone = assignments[0]["milestones"][0]["id"].as_i64().unwrap();
    let schema = request_schema("post", "/api/milestones/{id}/progress");
    let mut generator = Generator::new(5)
        .source("completed_on", dates("2024-01-01", "2024-07-01"))
        .source("date", dates("2023-01-01", "2024-07-01"));
    for mode in modes(8) {
        let body = generator.body(schema, mode);
        let uri = format!("/api/milestones/{milestone}/progress");
        run.accepted(Some(admin), Method::POST, &uri, &body, Some(StatusCode::OK)).await;
    }

    // An event: the item that waits for one, a date not after today, a due date after it.
    let all = run.h.api(Method::GET, "/api/assignments", Some(admin), None).await.json();
    let (activity, item) = all
        .as_array()
        .unwrap()
        .iter()
        .find_map(|a| {
            let waiting = a["milestones"].as_array().unwrap().iter().find(|m| m["kind"] == "event")?;
            Some((a["activity"]["id"].as_i64().unwrap(), waiting["item"].clone()))
        })
        .expect("an event-triggered milestone");
    let schema = request_schema("post", "/api/activities/{activity_id}/events");
    let mut generator = Generator::new(6)
        .source("item", move |_, _| item.clone())
        .source("occurred_on", dates("2023-01-01", "2024-07-01"))
        .source("due", dates("2024-07-01", "2025-12-31"));
    for mode in modes(4) {
        let body = generator.body(schema, mode);
        let uri = format!("/api/activities/{activity}/events");
        run.accepted(Some(admin), Method::POST, &uri, &body, Some(StatusCode::OK)).await;
    }

    // A draft: indicators of the agency's form, each once.
    let schema = request_schema("put", "/api/reports/{period}/{agency}");
    let taken = Rc::new(RefCell::new(BTreeSet::new()));
    let mut generator = Generator::new(7).source("code", distinct(run.form_codes(SAVED).await, taken.clone()));
    for mode in modes(6) {
        taken.borrow_mut().clear();
        let body = generator.body(schema, mode);
        let uri = format!("/api/reports/{PERIOD}/{SAVED}");
        run.accepted(Some(admin), Method::PUT, &uri, &body, Some(StatusCode::OK)).await;
    }

    // Returning a report: sent each time before it is returned.
    let schema = request_schema("post", "/api/reports/{period}/{agency}/return");
    let complete = run.complete_report(RETURNED).await;
    let mut generator = Generator::new(8);
    for mode in modes(3) {
        let report = format!("/api/reports/{PERIOD}/{RETURNED}");
        run.accepted(Some(admin), Method::PUT, &report, &complete, Some(StatusCode::OK)).await;
        run.accepted(Some(admin), Method::POST, &format!("{report}/submit"), &json!({}), Some(StatusCode::OK)).await;
        let body = generator.body(schema, mode);
        run.accepted(Some(admin), Method::POST, &format!("{report}/return"), &body, Some(StatusCode::OK)).await;
    }

    // Receipt dates: between the start of the period's data and today, on a report that exists.
    let found = run.h.state.app.reporting_period(period()).await.unwrap();
    let report = format!("/api/reports/{PERIOD}/{RECEIVED}");
    run.accepted(Some(admin), Method::PUT, &report, &run.complete_report(RECEIVED).await, Some(StatusCode::OK)).await;
    let schema = request_schema("post", "/api/reports/{period}/{agency}/receipt");
    let mut generator = Generator::new(9).source("date", dates(&found.data_from.iso(), "2024-07-01"));
    for mode in modes(3) {
        let body = generator.body(schema, mode);
        run.accepted(Some(admin), Method::POST, &format!("{report}/receipt"), &body, Some(StatusCode::OK)).await;
    }

    // Extensions: after the period's deadline.
    let schema = request_schema("post", "/api/reports/{period}/{agency}/extension");
    let after = found.due.add_days(1).iso();
    let mut generator = Generator::new(10).source("until", dates(&after, "2024-12-31"));
    for mode in modes(3) {
        let body = generator.body(schema, mode);
        let uri = format!("/api/reports/{PERIOD}/{SAVED}/extension");
        run.accepted(Some(admin), Method::POST, &uri, &body, Some(StatusCode::OK)).await;
    }
}

#[tokio::test]
async fn bodies_the_schemas_refuse_are_refused_by_the_server() {
    let run = Run::new().await;
    let admin = &run.admin;
    let assignments = run.h.api(Method::GET, "/api/assignments?agency=so-tu-phap", Some(admin), None).await.json();
    let milestone = assignments[0]["milestones"][0]["id"].as_i64().unwrap();
    let progress = format!("/api/milestones/{milestone}/progress");
    let report = format!("/api/reports/{PERIOD}/{SAVED}");
    let code = run.form_codes(SAVED).await[0].clone();
    let cases: Vec<(Method, &str, String, Value)> = vec![
        // Done without its date, a date without done, an unknown status, an unknown field.
        (Method::POST, "/api/milestones/{id}/progress", progress.clone(), json!({"status": "done"})),
        (
            Method::POST,
            "/api/milestones/{id}/progress",
            progress.clone(),
            json!({"status": "in_progress", "completed_on": "2024-06-03"}),
        ),
        (Method::POST, "/api/milestones/{id}/progress", progress.clone(), json!({"status": "xong"})),
        (
            Method::POST,
            "/api/milestones/{id}/progress",
            progress.clone(),
            json!({"status": "not_started", "ghi_chu": "?"}),
        ),
        (
            Method::POST,
            "/api/milestones/{id}/progress",
            progress.clone(),
            json!({"status": "not_started", "comment": "a\u{0}b"}),
        ),
        (
            Method::POST,
            "/api/milestones/{id}/progress",
            progress.clone(),
            json!({"status": "not_started", "comment": "x".repeat(2001)}),
        ),
        (
            Method::POST,
            "/api/milestones/{id}/progress",
            progress.clone(),
            json!({"status": "done", "completed_on": "2024-02-30"}),
        ),
        // Usernames and passwords out of bounds, an officer without an agency, an admin with one.
        (Method::POST, "/api/users", "/api/users".to_string(), json!({"username": "ab", "role": "viewer"})),
        (Method::POST, "/api/users", "/api/users".to_string(), json!({"username": "Hoa-Binh", "role": "viewer"})),
        (
            Method::POST,
            "/api/users",
            "/api/users".to_string(),
            json!({"username": "ngan", "role": "viewer", "password": "123456789"}),
        ),
        (Method::POST, "/api/users", "/api/users".to_string(), json!({"username": "canbo2", "role": "agency"})),
        (
            Method::POST,
            "/api/users",
            "/api/users".to_string(),
            json!({"username": "quantri2", "role": "admin", "agency": "so-tu-phap"}),
        ),
        // Both fields of an account change, or neither.
        (Method::PATCH, "/api/users/{username}", "/api/users/canbo".to_string(), json!({})),
        (
            Method::PATCH,
            "/api/users/{username}",
            "/api/users/canbo".to_string(),
            json!({"active": false, "password": null}),
        ),
        // Counts out of range, a code that is not one, a narrative of no area, a NUL.
        (
            Method::PUT,
            "/api/reports/{period}/{agency}",
            report.clone(),
            json!({"values": [{"code": code, "numerator": 1e13}]}),
        ),
        (Method::PUT, "/api/reports/{period}/{agency}", report.clone(), json!({"values": [{"code": "7.2.1"}]})),
        (Method::PUT, "/api/reports/{period}/{agency}", report.clone(), json!({"narratives": {"IX": "…"}})),
        (Method::PUT, "/api/reports/{period}/{agency}", report.clone(), json!({"narratives": {"II": "a\u{1b}b"}})),
        // Blank reasons, and a reason with a control character.
        (Method::POST, "/api/reports/{period}/{agency}/return", format!("{report}/return"), json!({"reason": "   "})),
        (Method::POST, "/api/reports/{period}/{agency}/return", format!("{report}/return"), json!({})),
        (
            Method::POST,
            "/api/reports/{period}/{agency}/extension",
            format!("{report}/extension"),
            json!({"until": "2024-12-31", "reason": "a\u{7f}"}),
        ),
        (
            Method::POST,
            "/api/reports/{period}/{agency}/receipt",
            format!("{report}/receipt"),
            json!({"date": "ngày mai", "reason": "Bản giấy"}),
        ),
    ];
    for (method, path, uri, body) in cases {
        let schema = request_schema(&method.as_str().to_ascii_lowercase(), path);
        assert!(!fits(schema, &body), "the schema of {method} {path} accepts {body}");
        let answer = run.h.api(method.clone(), &uri, Some(admin), Some(body.clone())).await;
        assert!(
            [StatusCode::BAD_REQUEST, StatusCode::UNPROCESSABLE_ENTITY].contains(&answer.status),
            "{method} {uri} {body} → {} {}",
            answer.status,
            answer.text()
        );
    }
    // A period id the pattern refuses is no period of the server either.
    let pattern = &doc()["components"]["schemas"]["PeriodId"];
    for (id, known) in [("2024S1", true), ("2024s1", false), ("2024Q5", false), ("0999", false), ("2024H1", false)] {
        assert_eq!(fits(pattern, &json!(id)), known, "{id}");
        let answer = run.h.api(Method::GET, &format!("/api/reports/{id}/results"), Some(admin), None).await;
        assert_eq!(answer.status == StatusCode::OK, known, "{id}: {}", answer.status);
    }
}
