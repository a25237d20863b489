//! The reporting cycle end to end through the services: answers (values, 0, «không áp dụng»),
//! validation, submission (late or on time, receipt dates, extensions), return and accept,
//! completeness that only counts reports awaiting acceptance or accepted, results by level with
//! the one rounding rule, range targets, and the consolidated report.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use cchc_domain::account::{User, UserRole};
use cchc_domain::reporting::{
    Attainment, IndicatorCode, Part, RangePosition, ReportContent, ReportEventKind, ReportStatus, RULE_UNANSWERED,
};
use cchc_domain::{AdminLevel, AgencyId, AreaCode, Date, PeriodId, Timestamp};
use cchc_services::accounts::NewAccount;
use cchc_services::reporting::DocumentOptions;
use cchc_services::{App, ServiceError};

fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).expect("timestamp")
}

fn agency(id: &str) -> AgencyId {
    AgencyId::parse(id).expect("agency")
}

fn s1() -> PeriodId {
    PeriodId::parse("2024S1").expect("period")
}

fn code(text: &str) -> IndicatorCode {
    IndicatorCode::parse(text).expect("code")
}

fn date(text: &str) -> Date {
    Date::parse(text).expect("date")
}

async fn account(app: &App, name: &str, role: UserRole, agency_id: Option<&str>) -> User {
    app.create_account(
        &NewAccount {
            username: name.into(),
            display_name: name.into(),
            role,
            agency: agency_id.map(agency),
            password: "mat-khau-du-dai".into(),
        },
        at("2024-06-01T01:00:00Z"),
    )
    .await
    .expect("account")
}

fn content(values: &[(&str, f64, f64)]) -> ReportContent {
    let mut c = ReportContent::default();
    for (indicator, n, d) in values {
        c.values.insert((code(indicator), Part::Numerator), *n);
        c.values.insert((code(indicator), Part::Denominator), *d);
    }
    c
}

/// Every indicator of the agency's form answered: the given values, «không áp dụng» for the
/// others (which also leaves the cross-indicator rules about them aside).
async fn answered(app: &App, id: &str, values: &[(&str, f64, f64)]) -> ReportContent {
    let form = app.report_form(&agency(id), s1()).await.expect("form");
    let mut c = content(values);
    for indicator in &form.indicators {
        if !values.iter().any(|(v, _, _)| code(v) == indicator.code) {
            c.not_applicable.insert(indicator.code.clone(), "Không phát sinh trong kỳ".into());
        }
    }
    c
}

async fn submit(app: &App, user: &User, id: &str, values: &[(&str, f64, f64)], when: &str) {
    let c = answered(app, id, values).await;
    app.save_report(user, &agency(id), s1(), &c, at(when)).await.expect("save");
    app.submit_report(user, &agency(id), s1(), at(when)).await.expect("submit");
}

#[tokio::test]
async fn a_commune_form_lists_only_commune_indicators() {
    let app = App::open_in_memory().await.expect("app");
    let form = app.report_form(&agency("ubnd-xa-03646"), s1()).await.expect("form");
    assert_eq!(form.period.data_from, date("15/12/2023"));
    assert_eq!(form.period.data_to, date("13/06/2024"));
    assert_eq!(form.due, date("14/06/2024"));
    assert!(!form.indicators.is_empty());
    assert!(form.indicators.iter().all(|i| i.reporters.contains(&cchc_domain::AgencyKind::Commune)));
    assert!(form.indicators.iter().any(|i| i.code == code("VII.2.1")));
    assert_eq!(form.areas.len(), 8);
    let unknown = app.report_form(&agency("ubnd-xa-03646"), PeriodId::parse("2024Q2").expect("p")).await;
    assert!(matches!(unknown, Err(ServiceError::NotFound(_))));
}

#[tokio::test]
async fn indicators_one_agency_answers_appear_on_its_form_only() {
    let app = App::open_in_memory().await.expect("app");
    let has = |form: &cchc_domain::reporting::ReportForm, c: &str| form.indicators.iter().any(|i| i.code == code(c));
    let finance = app.report_form(&agency("so-tai-chinh"), s1()).await.expect("form");
    let justice = app.report_form(&agency("so-tu-phap"), s1()).await.expect("form");
    let home = app.report_form(&agency("so-noi-vu"), s1()).await.expect("form");
    for single in ["VI.2.2", "VI.2.3"] {
        assert!(has(&finance, single), "{single} on Sở Tài chính's form");
        assert!(!has(&justice, single), "no department is asked for the province's revenue ({single})");
    }
    assert!(has(&home, "IV.4.1") && !has(&justice, "IV.4.1") && !has(&finance, "IV.4.1"));
    // A kind not named in "agencies" reports in full: every district answers IV.4.2.
    let district = app.report_form(&agency("ubnd-huyen-116"), s1()).await.expect("form");
    assert!(has(&district, "IV.4.2"));
    assert!(!has(&justice, "IV.4.2") && has(&app.report_form(&agency("so-y-te"), s1()).await.expect("f"), "IV.4.2"));
}

#[tokio::test]
async fn every_indicator_must_be_answered_before_submission() {
    let app = App::open_in_memory().await.expect("app");
    let officer = account(&app, "xa1", UserRole::Agency, Some("ubnd-xa-03646")).await;
    let commune = agency("ubnd-xa-03646");
    let t = at("2024-06-10T02:00:00Z");
    // Nothing at all: refused, and nothing counts as sent.
    let empty = app.save_report(&officer, &commune, s1(), &ReportContent::default(), t).await.expect("save");
    let form = app.report_form(&commune, s1()).await.expect("form");
    let unanswered = empty.violations.iter().filter(|v| v.rule == RULE_UNANSWERED).count();
    assert_eq!(unanswered, form.indicators.len());
    let refused = app.submit_report(&officer, &commune, s1(), t).await;
    assert!(matches!(&refused, Err(ServiceError::Invalid(m)) if m.len() == form.indicators.len()), "{refused:?}");
    let status = app.report_status(&account(&app, "snv", UserRole::Admin, None).await, s1()).await.expect("status");
    assert_eq!(status.overall.submitted(), 0);
    // Values, zeros and «không áp dụng» with a reason are answers.
    let mut c =
        answered(&app, "ubnd-xa-03646", &[("VII.2.1", 80.0, 100.0), ("III.6.1", 100.0, 120.0), ("VII.7.1", 0.0, 0.0)])
            .await;
    let na = code("V.3.2");
    c.not_applicable.insert(na.clone(), "Đang kiện toàn đội ngũ, chưa có số liệu".into());
    app.save_report(&officer, &commune, s1(), &c, t).await.expect("save");
    let sent = app.submit_report(&officer, &commune, s1(), t).await.expect("submit");
    assert_eq!(
        sent.content.not_applicable.get(&na).map(String::as_str),
        Some("Đang kiện toàn đội ngũ, chưa có số liệu")
    );
}

#[tokio::test]
async fn errors_block_submission_then_submit_return_fix_accept() {
    let app = App::open_in_memory().await.expect("app");
    let officer = account(&app, "xa1", UserRole::Agency, Some("ubnd-xa-03646")).await;
    let admin = account(&app, "snv", UserRole::Admin, None).await;
    let commune = agency("ubnd-xa-03646");
    // Numerator above denominator: saved as a draft, but submission is blocked.
    let bad = answered(&app, "ubnd-xa-03646", &[("VII.2.1", 120.0, 100.0)]).await;
    let saved = app.save_report(&officer, &commune, s1(), &bad, at("2024-06-10T02:00:00Z")).await.expect("save");
    assert!(saved.violations.iter().any(|v| v.rule == "numerator-le-denominator"));
    let blocked = app.submit_report(&officer, &commune, s1(), at("2024-06-10T02:05:00Z")).await;
    assert!(matches!(blocked, Err(ServiceError::Invalid(_))), "{blocked:?}");
    let good = answered(&app, "ubnd-xa-03646", &[("VII.2.1", 80.0, 100.0)]).await;
    app.save_report(&officer, &commune, s1(), &good, at("2024-06-10T02:10:00Z")).await.expect("fix");
    let submitted = app.submit_report(&officer, &commune, s1(), at("2024-06-10T02:15:00Z")).await.expect("submit");
    assert_eq!(submitted.status, ReportStatus::Submitted);
    assert!(!submitted.is_late(date("14/06/2024")));
    // Submitted data is not editable.
    let edit = app.save_report(&officer, &commune, s1(), &good, at("2024-06-10T03:00:00Z")).await;
    assert!(matches!(edit, Err(ServiceError::Invalid(_))));
    // Only Sở Nội vụ returns, with a reason.
    assert!(matches!(
        app.return_report(&officer, &commune, s1(), "x", at("2024-06-11T01:00:00Z")).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        app.return_report(&admin, &commune, s1(), " ", at("2024-06-11T01:00:00Z")).await,
        Err(ServiceError::Invalid(_))
    ));
    let returned = app
        .return_report(&admin, &commune, s1(), "Thiếu số liệu số hóa", at("2024-06-11T01:00:00Z"))
        .await
        .expect("return");
    assert_eq!(
        (returned.status, returned.returned_reason.as_deref()),
        (ReportStatus::Returned, Some("Thiếu số liệu số hóa"))
    );
    let form = app.report_form(&commune, s1()).await.expect("form");
    assert_eq!(form.returned_reason.as_deref(), Some("Thiếu số liệu số hóa"), "the form shows why");
    let fixed = answered(&app, "ubnd-xa-03646", &[("VII.2.1", 90.0, 100.0)]).await;
    app.save_report(&officer, &commune, s1(), &fixed, at("2024-06-12T01:00:00Z")).await.expect("edit");
    app.submit_report(&officer, &commune, s1(), at("2024-06-12T01:05:00Z")).await.expect("resubmit");
    let accepted = app.accept_report(&admin, &commune, s1(), at("2024-06-13T01:00:00Z")).await.expect("accept");
    assert_eq!(accepted.status, ReportStatus::Accepted);
    // Accepted data is locked; reopening is an audited return.
    assert!(app.save_report(&officer, &commune, s1(), &fixed, at("2024-06-13T02:00:00Z")).await.is_err());
    let reopened = app
        .return_report(&admin, &commune, s1(), "Mở lại để điều chỉnh", at("2024-06-14T01:00:00Z"))
        .await
        .expect("reopen");
    assert_eq!(reopened.status, ReportStatus::Returned);
    let detail = app.report_detail(&admin, &commune, s1()).await.expect("detail");
    let events: Vec<ReportEventKind> = detail.events.iter().map(|e| e.kind).collect();
    assert!(events.contains(&ReportEventKind::Reopened), "{events:?}");
    assert!(detail.history.len() >= 4, "every value change is kept: {:?}", detail.history);
}

#[tokio::test]
async fn a_returned_report_is_neither_submitted_nor_late_and_its_values_are_left_out() {
    let app = App::open_in_memory().await.expect("app");
    let admin = account(&app, "snv", UserRole::Admin, None).await;
    // On time and accepted; late and awaiting; late then returned; a draft.
    submit(&app, &admin, "ubnd-xa-03646", &[("VII.2.1", 3.0, 4.0)], "2024-06-10T02:00:00Z").await;
    app.accept_report(&admin, &agency("ubnd-xa-03646"), s1(), at("2024-06-11T02:00:00Z")).await.expect("accept");
    submit(&app, &admin, "ubnd-xa-03649", &[("VII.2.1", 90.0, 100.0)], "2024-06-20T02:00:00Z").await;
    submit(&app, &admin, "ubnd-xa-03652", &[("VII.2.1", 0.0, 1000.0)], "2024-06-20T02:00:00Z").await;
    app.return_report(&admin, &agency("ubnd-xa-03652"), s1(), "Sai số liệu", at("2024-06-21T02:00:00Z"))
        .await
        .expect("return");
    let draft = answered(&app, "ubnd-xa-03655", &[]).await;
    app.save_report(&admin, &agency("ubnd-xa-03655"), s1(), &draft, at("2024-06-10T02:00:00Z")).await.expect("draft");

    let status = app.report_status(&admin, s1()).await.expect("status");
    let communes = status.groups.iter().find(|g| g.kind == cchc_domain::AgencyKind::Commune).expect("communes");
    let c = &communes.completeness;
    assert_eq!(c.expected, 204);
    assert_eq!((c.accepted.len(), c.awaiting.len(), c.returned.len()), (1, 1, 1));
    assert_eq!(c.submitted(), 2, "only awaiting and accepted count as submitted");
    assert_eq!(c.not_submitted.len(), 201, "the draft and the 200 not started");
    assert_eq!(c.on_time, vec![agency("ubnd-xa-03646")]);
    assert_eq!(c.late, vec![agency("ubnd-xa-03649")], "the returned report is not in the late list");
    assert_eq!(status.overall.expected, status.agencies.len());

    let (_, data) = app.report_results(&admin, s1()).await.expect("results");
    let (sources, results) = (&data.sources, &data.results);
    assert_eq!((sources.accepted, sources.awaiting, sources.returned), (1, 1, 1));
    let digitisation = results.iter().find(|r| r.code == code("VII.2.1")).expect("VII.2.1");
    let xa = digitisation.levels.iter().find(|l| l.level == Some(AdminLevel::Xa)).expect("xã");
    assert_eq!((xa.numerator, xa.denominator), (93.0, 104.0), "the returned 0/1000 is left out");
    assert_eq!(xa.reporting_agencies, 2);
    assert!(sources.sentence_vn().contains("không tính 1 báo cáo bị trả lại"));
}

#[tokio::test]
async fn a_recorded_receipt_date_and_an_extension_make_a_report_on_time() {
    let app = App::open_in_memory().await.expect("app");
    let admin = account(&app, "snv", UserRole::Admin, None).await;
    let officer = account(&app, "xa1", UserRole::Agency, Some("ubnd-xa-03646")).await;
    // Keyed in on 20/06 from a paper report received on 12/06.
    submit(&app, &admin, "ubnd-xa-03646", &[], "2024-06-20T02:00:00Z").await;
    let late = app.report_status(&admin, s1()).await.expect("status");
    assert!(late.overall.late.contains(&agency("ubnd-xa-03646")));
    assert!(matches!(
        app.record_receipt(
            &officer,
            &agency("ubnd-xa-03646"),
            s1(),
            date("12/06/2024"),
            "bản giấy",
            at("2024-06-21T01:00:00Z")
        )
        .await,
        Err(ServiceError::Forbidden(_))
    ));
    for (day, reason) in [("12/06/2024", " "), ("25/06/2024", "tương lai"), ("01/12/2023", "trước kỳ")] {
        let refused = app
            .record_receipt(&admin, &agency("ubnd-xa-03646"), s1(), date(day), reason, at("2024-06-21T01:00:00Z"))
            .await;
        assert!(matches!(refused, Err(ServiceError::Invalid(_))), "{day}: {refused:?}");
    }
    let received = app
        .record_receipt(
            &admin,
            &agency("ubnd-xa-03646"),
            s1(),
            date("12/06/2024"),
            "Nhận bản giấy theo Công văn số 45/UBND ngày 12/6/2024",
            at("2024-06-21T01:00:00Z"),
        )
        .await
        .expect("receipt");
    assert_eq!(received.received_on(), Some(date("12/06/2024")));
    let status = app.report_status(&admin, s1()).await.expect("status");
    assert!(status.overall.on_time.contains(&agency("ubnd-xa-03646")));
    let detail = app.report_detail(&admin, &agency("ubnd-xa-03646"), s1()).await.expect("detail");
    let receipt = detail.events.iter().find(|e| e.kind == ReportEventKind::Received).expect("audited");
    assert!(receipt.reason.contains("12/06/2024") && receipt.user.as_deref() == Some("snv"), "{receipt:?}");

    // An extension to 21/06 makes a submission of 20/06 on time.
    assert!(matches!(
        app.grant_extension(
            &admin,
            &agency("ubnd-xa-03649"),
            s1(),
            date("14/06/2024"),
            "x",
            at("2024-06-13T01:00:00Z")
        )
        .await,
        Err(ServiceError::Invalid(_))
    ));
    let extension = app
        .grant_extension(
            &admin,
            &agency("ubnd-xa-03649"),
            s1(),
            date("21/06/2024"),
            "Mưa lũ chia cắt",
            at("2024-06-13T01:00:00Z"),
        )
        .await
        .expect("extension");
    assert_eq!((extension.until, extension.user.as_deref()), (date("21/06/2024"), Some("snv")));
    submit(&app, &admin, "ubnd-xa-03649", &[], "2024-06-20T02:00:00Z").await;
    let status = app.report_status(&admin, s1()).await.expect("status");
    assert!(status.overall.on_time.contains(&agency("ubnd-xa-03649")));
    let standing = status.agencies.iter().find(|s| s.agency.id == agency("ubnd-xa-03649")).expect("standing");
    assert_eq!(standing.due, date("21/06/2024"));
    assert_eq!(app.report_form(&agency("ubnd-xa-03649"), s1()).await.expect("form").due, date("21/06/2024"));
}

#[tokio::test]
async fn a_district_reads_its_communes_and_officers_do_not_read_other_agencies() {
    let app = App::open_in_memory().await.expect("app");
    let district = account(&app, "huyen", UserRole::Agency, Some("ubnd-huyen-116")).await;
    let commune = account(&app, "xa1", UserRole::Agency, Some("ubnd-xa-03646")).await;
    let status = app.report_status(&district, s1()).await.expect("district status");
    assert!(!status.whole_province);
    assert!(status.agencies.len() > 5);
    assert!(status
        .agencies
        .iter()
        .all(|s| s.agency.id == agency("ubnd-huyen-116") || s.agency.parent == Some(agency("ubnd-huyen-116"))));
    let detail = app.report_detail(&district, &agency("ubnd-xa-03646"), s1()).await.expect("read");
    assert!(!detail.may_write, "read only");
    assert!(matches!(app.report_status(&commune, s1()).await, Err(ServiceError::Forbidden(_))));
    assert!(matches!(
        app.report_detail(&commune, &agency("ubnd-xa-03649"), s1()).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(matches!(app.report_results(&district, s1()).await, Err(ServiceError::Forbidden(_))));
}

#[tokio::test]
async fn narratives_have_one_limit_and_uploads_keep_what_they_do_not_carry() {
    let app = App::open_in_memory().await.expect("app");
    let officer = account(&app, "xa1", UserRole::Agency, Some("ubnd-xa-03646")).await;
    let commune = agency("ubnd-xa-03646");
    let t = at("2024-06-10T02:00:00Z");
    let mut c = answered(&app, "ubnd-xa-03646", &[]).await;
    c.narratives.insert(AreaCode::I, "ă".repeat(30_000));
    c.narratives.insert(AreaCode::II, "Đã rà soát 12 văn bản.".into());
    app.save_report(&officer, &commune, s1(), &c, t).await.expect("30.000 characters are accepted");
    let mut long = c.clone();
    long.narratives.insert(AreaCode::I, "ă".repeat(30_001));
    let refused = app.save_report(&officer, &commune, s1(), &long, t).await;
    assert!(matches!(&refused, Err(ServiceError::Invalid(m)) if m[0].contains("tối đa 30.000 ký tự")), "{refused:?}");
    let mut control = c.clone();
    control.narratives.insert(AreaCode::III, "a\u{0}b".into());
    assert!(matches!(app.save_report(&officer, &commune, s1(), &control, t).await, Err(ServiceError::Invalid(_))));
    // An upload without narratives (a CSV of values only) keeps them.
    let values_only = answered(&app, "ubnd-xa-03646", &[("VII.2.1", 7.0, 8.0)]).await;
    let saved = app.save_upload(&officer, &commune, s1(), &values_only, &BTreeSet::new(), t).await.expect("upload");
    assert_eq!(saved.report.content.narratives.len(), 2, "nothing the file does not contain is dropped");
    assert_eq!(saved.report.content.value(&code("VII.2.1"), Part::Numerator), Some(7.0));
    // An upload that carries area II replaces that one only; an empty cell it carries clears it.
    let mut with_ii = values_only.clone();
    with_ii.narratives.insert(AreaCode::II, "Mới".into());
    let present: BTreeSet<AreaCode> = [AreaCode::II, AreaCode::III].into_iter().collect();
    let saved = app.save_upload(&officer, &commune, s1(), &with_ii, &present, t).await.expect("upload");
    assert_eq!(saved.report.content.narratives.get(&AreaCode::II).map(String::as_str), Some("Mới"));
    assert!(saved.report.content.narratives.contains_key(&AreaCode::I));
}

#[tokio::test]
async fn of_two_concurrent_submissions_exactly_one_wins() {
    let app = std::sync::Arc::new(App::open_in_memory().await.expect("app"));
    let officer = account(&app, "xa1", UserRole::Agency, Some("ubnd-xa-03646")).await;
    let own = agency("ubnd-xa-03646");
    let c = answered(&app, "ubnd-xa-03646", &[]).await;
    app.save_report(&officer, &own, s1(), &c, at("2024-06-10T02:00:00Z")).await.expect("save");
    let (a, b) = tokio::join!(
        app.submit_report(&officer, &own, s1(), at("2024-06-10T02:05:00Z")),
        app.submit_report(&officer, &own, s1(), at("2024-06-10T02:05:00Z"))
    );
    assert_eq!(u8::from(a.is_ok()) + u8::from(b.is_ok()), 1, "{a:?} / {b:?}");
}

#[tokio::test]
async fn province_values_are_sums_of_numerators_over_sums_of_denominators_by_level() {
    let app = App::open_in_memory().await.expect("app");
    let admin = account(&app, "snv", UserRole::Admin, None).await;
    let t = "2024-06-10T02:00:00Z";
    // Digitisation (VII.2.1): tỉnh ≥ 100, huyện ≥ 80, xã ≥ 75; no province-wide target.
    for (id, n, d) in [
        ("so-tu-phap", 50.0, 50.0),      // tỉnh 100%
        ("ubnd-huyen-116", 70.0, 100.0), // huyện
        ("ubnd-huyen-118", 18.0, 20.0),  // huyện: (70 + 18) / (100 + 20) = 73,3% < 80
        ("ubnd-xa-03646", 3.0, 4.0),     // xã
        ("ubnd-xa-03649", 90.0, 100.0),  // xã: 93 / 104 = 89,4% ≥ 75 (an average would say 82,5)
    ] {
        submit(&app, &admin, id, &[("VII.2.1", n, d)], t).await;
    }
    // Sở Tài chính: revenue up 15% against a target of 8–10%; 63/112 somewhere for rounding.
    submit(&app, &admin, "so-tai-chinh", &[("VI.2.3", 15.0, 100.0), ("VI.2.2", 63.0, 112.0)], t).await;
    let report =
        app.consolidate(&admin, s1(), date("15/06/2024"), &DocumentOptions::default()).await.expect("consolidate");
    let result = |c: &str| report.indicators.iter().find(|i| i.code == code(c)).expect("indicator");
    let digitisation = result("VII.2.1");
    let level = |l: Option<AdminLevel>| digitisation.levels.iter().find(|r| r.level == l).expect("level");
    let shown = |l: Option<AdminLevel>| level(l).value.map(|v| v.vn());
    assert_eq!(shown(Some(AdminLevel::Tinh)).as_deref(), Some("100,0"));
    assert_eq!(level(Some(AdminLevel::Tinh)).assessment.attainment, Attainment::Met);
    assert_eq!(shown(Some(AdminLevel::Huyen)).as_deref(), Some("73,3"));
    assert_eq!(level(Some(AdminLevel::Huyen)).assessment.attainment, Attainment::NotMet);
    assert_eq!(shown(Some(AdminLevel::Xa)).as_deref(), Some("89,4"));
    assert_eq!(level(Some(AdminLevel::Xa)).assessment.attainment, Attainment::Met);
    assert_eq!(level(Some(AdminLevel::Xa)).reporting_agencies, 2);
    let province = level(None);
    assert_eq!((province.numerator, province.denominator), (231.0, 274.0));
    assert_eq!(
        province.assessment.attainment,
        Attainment::NoTarget,
        "the plan sets targets per level only: the province value is shown without a verdict"
    );
    // A department-only indicator has a single row: no «Toàn tỉnh» duplicate.
    let revenue = result("VI.2.3");
    assert_eq!(revenue.levels.len(), 1);
    assert_eq!(revenue.levels[0].assessment.attainment, Attainment::Met, "15% exceeds 8–10%");
    assert_eq!(revenue.levels[0].assessment.position, Some(RangePosition::Above));
    assert!(revenue.levels[0].reading("%").contains("cao hơn khoảng mục tiêu 8–10%"));
    assert_eq!(result("VI.2.2").levels[0].value.map(|v| v.vn()).as_deref(), Some("56,3"), "63/112 half away from zero");
    // Commune-only indicators have only the commune row.
    assert_eq!(result("V.3.2").levels.iter().map(|l| l.level).collect::<Vec<_>>(), vec![Some(AdminLevel::Xa)]);
    assert!(report.not_submitted.len() > 200);
    assert!(report.areas.iter().any(|a| a.code == AreaCode::VII));
    assert_eq!(report.plan_decision, "Quyết định số 2783/QĐ-UBND ngày 21/12/2023");
    assert_eq!(report.next_period.as_ref().map(|p| p.id.to_string()).as_deref(), Some("2024Q3"));
    assert!(!report.next.is_empty(), "tasks due in Q3");
    assert!(report
        .next
        .iter()
        .flat_map(|a| &a.tasks)
        .all(|t| t.due > date("13/06/2024") && t.due <= date("13/09/2024")));
    let area_total: usize = report.areas.iter().map(|a| a.activities).sum();
    assert_eq!(area_total, 81);
    for area in &report.areas {
        assert!(area.done() + area.overdue == area.due && area.due + area.waiting <= area.activities, "{area:?}");
    }
    assert_eq!(report.settings.recipients.first().map(String::as_str), Some("Bộ Nội vụ (b/c)"));
}

#[tokio::test]
async fn document_settings_are_kept_and_options_override_them() {
    let app = App::open_in_memory().await.expect("app");
    let admin = account(&app, "snv", UserRole::Admin, None).await;
    let viewer = account(&app, "lanhdao", UserRole::Viewer, None).await;
    let mut settings = app.document_settings().await.expect("defaults");
    assert_eq!(settings.signer_title, vec!["GIÁM ĐỐC".to_string()]);
    settings.signer_name = "Nguyễn Văn A".into();
    settings.signer_title = vec!["KT. GIÁM ĐỐC".into(), "PHÓ GIÁM ĐỐC".into()];
    assert!(matches!(
        app.save_document_settings(&viewer, &settings, at("2024-06-01T01:00:00Z")).await,
        Err(ServiceError::Forbidden(_))
    ));
    app.save_document_settings(&admin, &settings, at("2024-06-01T01:00:00Z")).await.expect("save");
    let options = DocumentOptions { number: Some("123".into()), ..DocumentOptions::default() };
    let report = app.consolidate(&viewer, s1(), date("20/06/2024"), &options).await.expect("consolidate");
    assert_eq!(report.settings.signer_name, "Nguyễn Văn A");
    assert_eq!(report.settings.signer_title, vec!["KT. GIÁM ĐỐC".to_string(), "PHÓ GIÁM ĐỐC".to_string()]);
    assert_eq!(report.number_line("BC-SNV"), "Số: 123/BC-SNV");
    let bad = DocumentOptions { number: Some("123/BC-SNV".into()), ..DocumentOptions::default() };
    assert!(matches!(app.consolidate(&admin, s1(), date("20/06/2024"), &bad).await, Err(ServiceError::Invalid(_))));
}

/// A crowd that misses the caches together (after a restart or a write) waits for one
/// computation: every request gets the very same snapshot and the very same period data,
/// instead of each reading and computing its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn requests_that_miss_together_share_one_computation() {
    let app = std::sync::Arc::new(App::open_in_memory().await.expect("app"));
    let admin = account(&app, "quantri", UserRole::Admin, None).await;
    // Writes empty the caches: a report (period data) and progress (the snapshot).
    let officer = account(&app, "tuphap", UserRole::Agency, Some("so-tu-phap")).await;
    submit(&app, &officer, "so-tu-phap", &[], "2024-06-10T03:00:00Z").await;
    let own = app
        .current()
        .await
        .expect("current")
        .milestones
        .iter()
        .find(|m| m.agency == agency("so-tu-phap"))
        .map(|m| m.id);
    let progress = cchc_services::tracking::ProgressInput {
        status: cchc_domain::tracking::ProgressStatus::InProgress,
        completed_on: None,
        evidence: cchc_domain::tracking::Evidence::default(),
        file: None,
        comment: String::new(),
    };
    app.record_progress(&officer, own.expect("a milestone"), progress, at("2024-06-10T03:00:00Z"))
        .await
        .expect("progress");

    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let (app, admin) = (std::sync::Arc::clone(&app), admin.clone());
            tokio::spawn(async move {
                let current = app.current().await.expect("current");
                let status = app.report_status(&admin, s1()).await.expect("status");
                (current, status)
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("task"));
    }
    let (first_current, first_status) = &answers[0];
    for (current, status) in &answers {
        assert!(std::sync::Arc::ptr_eq(current, first_current), "two snapshots were read");
        assert!(std::sync::Arc::ptr_eq(status, first_status), "a period was computed twice");
    }
}

#[tokio::test]
async fn an_indicator_is_compared_across_the_plans_of_several_years() {
    let app = App::open_in_memory().await.expect("app");
    let admin = account(&app, "snv", UserRole::Admin, None).await;
    let t = "2024-06-10T02:00:00Z";
    for (id, n, d) in [("ubnd-xa-03646", 3.0, 4.0), ("ubnd-xa-03649", 90.0, 100.0)] {
        submit(&app, &admin, id, &[("VII.2.1", n, d)], t).await;
    }
    let text = cchc_import::SON_LA_2024_PLAN.replace("2024", "2026").replace("2023", "2025");
    app.import_plan_text("ke-hoach-2026.txt", &text, "2026-01-05T00:00:00Z").await.expect("2026 plan");
    let years = app.indicator_over_years(&admin, &code("VII.2.1")).await.expect("years");
    assert_eq!(years.iter().map(|y| y.year).collect::<Vec<_>>(), vec![Some(2024), Some(2026)]);
    // 2024: the latest period with reports counted (6 tháng), xã 93/104 = 89,4% against ≥ 75%.
    let y2024 = &years[0];
    assert_eq!(y2024.period.as_ref().map(|p| p.id.to_string()).as_deref(), Some("2024S1"));
    let xa = y2024.result.as_ref().unwrap().levels.iter().find(|l| l.level == Some(AdminLevel::Xa)).unwrap();
    assert_eq!((xa.value.map(|v| v.vn()).as_deref(), xa.assessment.attainment), (Some("89,4"), Attainment::Met));
    assert!(xa.target.as_deref().is_some_and(|t| t.contains("75")), "{:?}", xa.target);
    // 2026: the same targets, no report yet.
    let y2026 = &years[1];
    assert_eq!(y2026.sources.map(|s| s.counted()), Some(0));
    let xa = y2026.result.as_ref().unwrap().levels.iter().find(|l| l.level == Some(AdminLevel::Xa)).unwrap();
    assert_eq!((xa.value, xa.assessment.attainment), (None, Attainment::NoData));
    // Officers do not read the province's results; an unknown code is «không tìm thấy».
    let officer = account(&app, "can-bo-xa", UserRole::Agency, Some("ubnd-xa-03646")).await;
    assert!(matches!(app.indicator_over_years(&officer, &code("VII.2.1")).await, Err(ServiceError::Forbidden(_))));
    assert!(matches!(app.indicator_over_years(&admin, &code("VIII.9.9")).await, Err(ServiceError::NotFound(_))));
}
