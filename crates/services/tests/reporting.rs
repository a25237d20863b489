//! The reporting cycle end to end through the services: save, validate, submit (late or on
//! time), return, accept (locked), completeness, and the consolidated values by level.

use cchc_domain::account::{User, UserRole};
use cchc_domain::reporting::{Attainment, IndicatorCode, Part, ReportContent, ReportStatus};
use cchc_domain::{AdminLevel, AgencyId, AreaCode, Date, PeriodId, Timestamp};
use cchc_services::accounts::NewAccount;
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

#[tokio::test]
async fn a_commune_form_lists_only_commune_indicators() {
    let app = App::open_in_memory().await.expect("app");
    let form = app.report_form(&agency("ubnd-xa-03646"), s1()).await.expect("form");
    assert_eq!(form.period.data_from, Date::parse("15/12/2023").expect("d"));
    assert_eq!(form.period.data_to, Date::parse("13/06/2024").expect("d"));
    assert!(!form.indicators.is_empty());
    assert!(form.indicators.iter().all(|i| i.reporters.contains(&cchc_domain::AgencyKind::Commune)));
    assert!(form.indicators.iter().any(|i| i.code == code("VII.2.1")));
    assert_eq!(form.areas.len(), 8);
    let unknown = app.report_form(&agency("ubnd-xa-03646"), PeriodId::parse("2024Q2").expect("p")).await;
    assert!(matches!(unknown, Err(ServiceError::NotFound(_))));
}

#[tokio::test]
async fn errors_block_submission_then_submit_return_fix_accept() {
    let app = App::open_in_memory().await.expect("app");
    let officer = account(&app, "xa1", UserRole::Agency, Some("ubnd-xa-03646")).await;
    let admin = account(&app, "snv", UserRole::Admin, None).await;
    let commune = agency("ubnd-xa-03646");
    // Numerator above denominator: saved as a draft, but submission is blocked.
    let saved = app
        .save_report(&officer, &commune, s1(), &content(&[("VII.2.1", 120.0, 100.0)]), at("2024-06-10T02:00:00Z"))
        .await
        .expect("save");
    assert!(saved.violations.iter().any(|v| v.rule == "numerator-le-denominator"));
    let blocked = app.submit_report(&officer, &commune, s1(), at("2024-06-10T02:05:00Z")).await;
    assert!(matches!(blocked, Err(ServiceError::Invalid(_))), "{blocked:?}");
    app.save_report(&officer, &commune, s1(), &content(&[("VII.2.1", 80.0, 100.0)]), at("2024-06-10T02:10:00Z"))
        .await
        .expect("fix");
    let submitted = app.submit_report(&officer, &commune, s1(), at("2024-06-10T02:15:00Z")).await.expect("submit");
    assert_eq!(submitted.status, ReportStatus::Submitted);
    assert!(!submitted.late);
    // Submitted data is not editable.
    let edit = app
        .save_report(&officer, &commune, s1(), &content(&[("VII.2.1", 1.0, 100.0)]), at("2024-06-10T03:00:00Z"))
        .await;
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
    app.save_report(&officer, &commune, s1(), &content(&[("VII.2.1", 90.0, 100.0)]), at("2024-06-12T01:00:00Z"))
        .await
        .expect("edit");
    app.submit_report(&officer, &commune, s1(), at("2024-06-12T01:05:00Z")).await.expect("resubmit");
    let accepted = app.accept_report(&admin, &commune, s1(), at("2024-06-13T01:00:00Z")).await.expect("accept");
    assert_eq!(accepted.status, ReportStatus::Accepted);
    // Accepted data is locked; reopening is an audited return.
    assert!(app
        .save_report(&officer, &commune, s1(), &content(&[("VII.2.1", 1.0, 100.0)]), at("2024-06-13T02:00:00Z"))
        .await
        .is_err());
    let reopened = app
        .return_report(&admin, &commune, s1(), "Mở lại để điều chỉnh", at("2024-06-14T01:00:00Z"))
        .await
        .expect("reopen");
    assert_eq!(reopened.status, ReportStatus::Returned);
    let events: Vec<String> =
        app.store().report_events(reopened.id).await.expect("events").into_iter().map(|e| e.kind).collect();
    assert!(events.contains(&"reopened".to_string()), "{events:?}");
    let history = app.store().report_value_history(reopened.id).await.expect("history");
    assert!(history.len() >= 4, "every value change is kept: {history:?}");
}

#[tokio::test]
async fn a_late_submission_is_marked_and_an_other_agency_is_refused() {
    let app = App::open_in_memory().await.expect("app");
    let officer = account(&app, "xa1", UserRole::Agency, Some("ubnd-xa-03646")).await;
    let other = agency("ubnd-xa-03649");
    let refused =
        app.save_report(&officer, &other, s1(), &content(&[("VII.2.1", 1.0, 2.0)]), at("2024-06-10T02:00:00Z")).await;
    assert!(matches!(refused, Err(ServiceError::Forbidden(_))));
    let own = agency("ubnd-xa-03646");
    app.save_report(&officer, &own, s1(), &content(&[("VII.2.1", 1.0, 2.0)]), at("2024-06-20T02:00:00Z"))
        .await
        .expect("save");
    // Due 14/06/2024; submitted 20/06/2024 (Vietnam time).
    let late = app.submit_report(&officer, &own, s1(), at("2024-06-20T02:05:00Z")).await.expect("submit");
    assert!(late.late);
    let status = app.report_status(s1()).await.expect("status");
    assert_eq!((status.overall.submitted, status.overall.on_time), (1, 0));
    assert!(status.overall.submitted <= status.overall.expected);
    assert!(status.overall.late.contains(&own));
}

#[tokio::test]
async fn of_two_concurrent_submissions_exactly_one_wins() {
    let app = std::sync::Arc::new(App::open_in_memory().await.expect("app"));
    let officer = account(&app, "xa1", UserRole::Agency, Some("ubnd-xa-03646")).await;
    let own = agency("ubnd-xa-03646");
    app.save_report(&officer, &own, s1(), &content(&[("VII.2.1", 1.0, 2.0)]), at("2024-06-10T02:00:00Z"))
        .await
        .expect("save");
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
    let t = at("2024-06-10T02:00:00Z");
    // Digitisation (VII.2.1): tỉnh ≥ 100, huyện ≥ 80, xã ≥ 75.
    let reports = [
        ("so-tu-phap", 50.0, 50.0),      // tỉnh 100%
        ("ubnd-huyen-116", 70.0, 100.0), // huyện
        ("ubnd-huyen-118", 18.0, 20.0),  // huyện: (70 + 18) / (100 + 20) = 73.33…% < 80
        ("ubnd-xa-03646", 3.0, 4.0),     // xã
        ("ubnd-xa-03649", 90.0, 100.0),  // xã: 93 / 104 = 89.42…% ≥ 75 (an average would say 82.5)
    ];
    for (id, n, d) in reports {
        app.save_report(&admin, &agency(id), s1(), &content(&[("VII.2.1", n, d)]), t).await.expect("save");
        app.submit_report(&admin, &agency(id), s1(), t).await.expect("submit");
    }
    // A draft is not counted.
    app.save_report(&admin, &agency("ubnd-xa-03652"), s1(), &content(&[("VII.2.1", 0.0, 1000.0)]), t)
        .await
        .expect("draft");
    let report = app.consolidate(s1(), Date::parse("15/06/2024").expect("d")).await.expect("consolidate");
    let digitisation = report.indicators.iter().find(|i| i.code == code("VII.2.1")).expect("indicator");
    let level = |l: Option<AdminLevel>| digitisation.levels.iter().find(|r| r.level == l).expect("level");
    let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9);
    assert!(close(level(Some(AdminLevel::Tinh)).value, 100.0));
    assert_eq!(level(Some(AdminLevel::Tinh)).attainment, Attainment::Met);
    assert!(close(level(Some(AdminLevel::Huyen)).value, 88.0 * 100.0 / 120.0));
    assert_eq!(level(Some(AdminLevel::Huyen)).attainment, Attainment::NotMet);
    assert!(close(level(Some(AdminLevel::Xa)).value, 93.0 * 100.0 / 104.0));
    assert_eq!(level(Some(AdminLevel::Xa)).attainment, Attainment::Met);
    assert_eq!(level(Some(AdminLevel::Xa)).reporting_agencies, 2);
    let province = level(None);
    assert!(close(province.value, 231.0 * 100.0 / 274.0));
    assert_eq!(province.attainment, Attainment::NoData, "only level thresholds exist for VII.2.1");
    assert!(report.missing_agencies.len() > 200);
    assert!(report.areas.iter().any(|a| a.code == AreaCode::VII));
    assert_eq!(report.plan_decision, "Quyết định số 2783/QĐ-UBND ngày 21/12/2023");
}
