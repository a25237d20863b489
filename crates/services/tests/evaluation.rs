//! The PAR Index through the services: the framework refused whole when wrong, the automatic
//! criteria read from tracking and reporting, and a round from self-assessment to publication
//! with hand-computed totals, rescaling, ties and visibility.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cchc_domain::account::{User, UserRole};
use cchc_domain::evaluation::{AssessmentStage, AutoMeasure, Method, RoundStage};
use cchc_domain::tracking::{DerivedStatus, ProgressStatus};
use cchc_domain::{AgencyId, AgencyKind, Date, Timestamp};
use cchc_services::accounts::NewAccount;
use cchc_services::evaluation::{AppraisalInput, SelfInput};
use cchc_services::tracking::ProgressInput;
use cchc_services::{App, ServiceError};

fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).expect("timestamp")
}

fn agency(id: &str) -> AgencyId {
    AgencyId::parse(id).expect("agency")
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

#[tokio::test]
async fn a_framework_that_does_not_add_up_or_names_an_unknown_method_is_refused_whole() {
    let app = App::open_in_memory().await.unwrap();
    let admin = account(&app, "quantri", UserRole::Admin, None).await;
    let original = app.export_framework(2024, AgencyKind::Department).await.unwrap();
    let broken = original.replacen("\"max\": 100.0", "\"max\": 99.0", 1);
    assert_ne!(broken, original);
    let Err(ServiceError::Invalid(errors)) =
        app.import_framework(&admin, &broken, "", at("2024-07-01T00:00:00Z")).await
    else {
        panic!("accepted a framework whose points do not add up");
    };
    assert!(errors.iter().any(|e| e.contains("tổng điểm các lĩnh vực là 100")), "{errors:?}");
    let unknown = original.replacen("\"method\": \"yes_no\"", "\"method\": \"bốc thăm\"", 1);
    assert!(matches!(
        app.import_framework(&admin, &unknown, "", at("2024-07-01T00:00:00Z")).await,
        Err(ServiceError::Invalid(_))
    ));
    // Nothing changed: still the template.
    assert_eq!(app.framework(2024, AgencyKind::Department).await.unwrap().version, None);
    assert_eq!(app.export_framework(2024, AgencyKind::Department).await.unwrap(), original);
    // A correct edit becomes version 1; an agency officer may not import.
    let edited = original.replacen("(mẫu)", "(Quyết định thử)", 1);
    let (year, kind, version, _) =
        app.import_framework(&admin, &edited, "thử", at("2024-07-01T00:00:00Z")).await.unwrap();
    assert_eq!((year, kind, version), (2024, AgencyKind::Department, 1));
    let officer = account(&app, "snv", UserRole::Agency, Some("so-noi-vu")).await;
    assert!(matches!(
        app.import_framework(&officer, &edited, "", at("2024-07-01T00:00:00Z")).await,
        Err(ServiceError::Forbidden(_))
    ));
}

#[tokio::test]
async fn automatic_criteria_count_what_tracking_and_reporting_recorded() {
    let app = App::open_in_memory().await.unwrap();
    let officer = account(&app, "snv", UserRole::Agency, Some("so-noi-vu")).await;
    let plan = app.plan_of_period(cchc_domain::PeriodId::Year { year: 2024 }).await.unwrap();
    let year_end = date("31/12/2024");
    let mine: Vec<_> = plan
        .milestones
        .iter()
        .filter(|m| m.agency == agency("so-noi-vu") && m.due.is_some_and(|d| d <= year_end))
        .cloned()
        .collect();
    assert!(mine.len() >= 3, "Sở Nội vụ has milestones in 2024");
    // Two done on their due date, one done a day late.
    for (m, late) in mine.iter().take(3).zip([false, false, true]) {
        let due = m.due.unwrap();
        let on = if late { due.add_days(1) } else { due };
        app.record_progress(
            &officer,
            m.id,
            ProgressInput {
                status: ProgressStatus::Done,
                completed_on: Some(on),
                evidence: Default::default(),
                file: None,
                comment: String::new(),
            },
            at("2025-01-05T03:00:00Z"),
        )
        .await
        .unwrap();
    }
    let measures = app.automatic_measures(2024, date("05/01/2025")).await.unwrap();
    let share = measures.get(&(agency("so-noi-vu"), AutoMeasure::MilestonesOnTime)).copied().unwrap();
    let expected = 2.0 * 100.0
        / mine.iter().filter(|m| m.derived(year_end, app.calendar()) != DerivedStatus::WaitingEvent).count() as f64;
    assert!((share - expected).abs() < 1e-9, "{share} vs {expected}");
    // No report sent: 0 of the 4 periods on time; nothing reported: no indicator attainment.
    assert_eq!(measures.get(&(agency("so-noi-vu"), AutoMeasure::ReportsOnTime)).copied(), Some(0.0));
    assert_eq!(measures.get(&(agency("so-noi-vu"), AutoMeasure::IndicatorAttainment)), None);
    // The milestones done are offered as evidence to the agency's officers, not to the public.
    let view = app.assessment(Some(&officer), 2024, &agency("so-noi-vu"), date("05/01/2025")).await.unwrap();
    assert_eq!(view.system_evidence.iter().filter(|(_, link)| link.starts_with("/hoat-dong/")).count(), 3);
    assert!(view.system_evidence.iter().any(|(label, _)| label.contains("hoàn thành")));
}

fn self_inputs(app_framework: &cchc_services::evaluation::FrameworkInForce) -> Vec<SelfInput> {
    app_framework
        .framework
        .subs()
        .filter(|(_, _, s)| s.method.is_self_assessed())
        .map(|(_, _, s)| SelfInput {
            sub: s.code.clone(),
            value: match &s.method {
                Method::YesNo => "có".into(),
                Method::Levels(levels) => levels.last().unwrap().label.clone(),
                _ => "100".into(),
            },
            note: String::new(),
            evidence: format!("Minh chứng {}", s.code),
        })
        .collect()
}

#[tokio::test]
async fn a_round_from_self_assessment_to_publication() {
    let app = App::open_in_memory().await.unwrap();
    let admin = account(&app, "quantri", UserRole::Admin, None).await;
    let council = account(&app, "thamdinh", UserRole::Appraiser, None).await;
    let snv = account(&app, "snv", UserRole::Agency, Some("so-noi-vu")).await;
    let stp = account(&app, "stp", UserRole::Agency, Some("so-tu-phap")).await;
    let opened = at("2025-01-05T02:00:00Z");
    let today = date("05/01/2025");
    assert!(matches!(
        app.open_round(&snv, 2024, AgencyKind::Department, date("20/01/2025"), 5, opened).await,
        Err(ServiceError::Forbidden(_))
    ));
    let round = app.open_round(&admin, 2024, AgencyKind::Department, date("20/01/2025"), 5, opened).await.unwrap();
    assert_eq!(round.stage, RoundStage::SelfAssessment);
    assert!(app.open_round(&admin, 2024, AgencyKind::Department, date("20/01/2025"), 5, opened).await.is_err());

    // Self-assessment: a wrong answer refuses the whole save.
    let framework = app.framework(2024, AgencyKind::Department).await.unwrap();
    let mut inputs = self_inputs(&framework);
    let good = inputs.clone();
    inputs[0].value = "có lẽ".into();
    assert!(matches!(
        app.save_self_assessment(&snv, 2024, &agency("so-noi-vu"), &inputs, true, opened).await,
        Err(ServiceError::Invalid(_))
    ));
    assert!(app
        .assessment(Some(&snv), 2024, &agency("so-noi-vu"), today)
        .await
        .unwrap()
        .rows
        .iter()
        .all(|r| r.self_value.is_empty()));
    // Another agency can neither write nor read it.
    assert!(matches!(
        app.save_self_assessment(&stp, 2024, &agency("so-noi-vu"), &good, false, opened).await,
        Err(ServiceError::Forbidden(_))
    ));
    app.save_self_assessment(&snv, 2024, &agency("so-noi-vu"), &good, true, opened).await.unwrap();
    assert!(matches!(
        app.assessment(Some(&stp), 2024, &agency("so-noi-vu"), today).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(app.assessment(None, 2024, &agency("so-noi-vu"), today).await, Err(ServiceError::Forbidden(_))));
    // Submitted: no more changes by the agency.
    assert!(app.save_self_assessment(&snv, 2024, &agency("so-noi-vu"), &good, false, opened).await.is_err());
    // Before publication the public sees nothing, the agency only itself.
    let public = app.evaluation_scores(None, 2024, today).await.unwrap();
    assert!(public.kinds.is_empty() && public.hidden.contains(&AgencyKind::Department));
    let own = app.evaluation_scores(Some(&snv), 2024, today).await.unwrap();
    assert_eq!(own.kinds[0].results.len(), 1);
    assert_eq!(own.kinds[0].results[0].rank, None);

    // Appraisal: the council lowers I.1.1 (1 point) to 0 with a reason; a change without reason
    // is refused; nobody else may appraise.
    let council_at = at("2025-01-21T02:00:00Z");
    assert!(
        app.appraise(&council, 2024, &agency("so-noi-vu"), &[], false, council_at).await.is_err(),
        "still self-assessment"
    );
    app.start_appraisal(&admin, 2024, AgencyKind::Department, council_at).await.unwrap();
    let no_reason = [AppraisalInput { sub: "I.1.1".into(), points: "0".into(), reason: String::new() }];
    assert!(matches!(
        app.appraise(&council, 2024, &agency("so-noi-vu"), &no_reason, true, council_at).await,
        Err(ServiceError::Invalid(_))
    ));
    assert!(matches!(
        app.appraise(&snv, 2024, &agency("so-noi-vu"), &no_reason, true, council_at).await,
        Err(ServiceError::Forbidden(_))
    ));
    let lowered =
        [AppraisalInput { sub: "I.1.1".into(), points: "0".into(), reason: "Ban hành kế hoạch sau 10/01".into() }];
    app.appraise(&council, 2024, &agency("so-noi-vu"), &lowered, true, council_at).await.unwrap();
    let view = app.assessment(Some(&snv), 2024, &agency("so-noi-vu"), date("21/01/2025")).await.unwrap();
    assert_eq!(view.assessment.as_ref().unwrap().stage, AssessmentStage::Appraised);
    assert!(view.may_explain);
    // Self-assessed 100 − 3 − 2 − 10 − 16 = 69, lowered to 68; reports on time 0 of 4 → 0;
    // milestones none done → 0; indicators and SIPAS absent → max 100 − 10 − 16 = 74.
    // 68 ÷ 74 = 91,89 %.
    assert_eq!(view.score.points.vn(), "68");
    assert_eq!(view.score.max.vn(), "74");
    assert_eq!(view.score.index.unwrap().vn(), "91,89");

    // Explanation, once; the council restores the point and closes.
    app.explain(
        &snv,
        2024,
        &agency("so-noi-vu"),
        &[("I.1.1".into(), "Kế hoạch ban hành ngày 08/01".into())],
        at("2025-01-22T02:00:00Z"),
    )
    .await
    .unwrap();
    assert!(app
        .explain(&snv, 2024, &agency("so-noi-vu"), &[("I.1.1".into(), "lần hai".into())], at("2025-01-22T03:00:00Z"))
        .await
        .is_err());
    let restored =
        [AppraisalInput { sub: "I.1.1".into(), points: "1".into(), reason: "Chấp nhận giải trình".into() }];
    app.appraise(&council, 2024, &agency("so-noi-vu"), &restored, true, at("2025-01-23T02:00:00Z")).await.unwrap();

    // Publication waits for every agency to be final.
    let publish_at = at("2025-02-10T02:00:00Z");
    let Err(ServiceError::Invalid(pending)) = app.publish_round(&admin, 2024, AgencyKind::Department, publish_at).await
    else {
        panic!("published with agencies pending");
    };
    assert!(pending[0].contains("chưa được chốt điểm"), "{pending:?}");
    let others: Vec<_> = app
        .assessed_agencies(2024, AgencyKind::Department)
        .into_iter()
        .filter(|a| a.id != agency("so-noi-vu"))
        .collect();
    for other in &others {
        app.appraise(&council, 2024, &other.id, &[], true, council_at).await.unwrap();
        app.finalise_assessment(&council, 2024, &other.id, publish_at).await.unwrap();
    }
    app.publish_round(&admin, 2024, AgencyKind::Department, publish_at).await.unwrap();

    // Public now: 69 ÷ 74 = 93,24 %, first; every other agency 0 points, tied second.
    let public = app.evaluation_scores(None, 2024, date("10/02/2025")).await.unwrap();
    let kind = &public.kinds[0];
    assert!(kind.published());
    let first = &kind.results[0];
    assert_eq!(first.agency.id, agency("so-noi-vu"));
    assert_eq!(first.score.index.unwrap().vn(), "93,24");
    assert_eq!(first.rank, Some(1));
    assert_eq!(first.band.as_deref(), Some("Xuất sắc"));
    assert!(kind.results[1..].iter().all(|r| r.rank == Some(2) && r.score.points.vn() == "0"));
    assert_eq!(kind.results.len(), others.len() + 1);
    // The published scores are frozen: later progress does not move them.
    let view = app.assessment(None, 2024, &agency("so-tu-phap"), date("10/02/2025")).await.unwrap();
    assert!(!view.may_self_assess && !view.may_appraise && !view.may_explain);
    let log = app.assessment(Some(&admin), 2024, &agency("so-noi-vu"), date("10/02/2025")).await.unwrap().log;
    let actions: Vec<&str> = log.iter().map(|l| l.action.as_str()).collect();
    for action in ["self", "submitted", "appraised", "appraisal_completed", "explained", "finalised", "published"] {
        assert!(actions.contains(&action), "{action} missing from {actions:?}");
    }
}

#[tokio::test]
async fn the_survey_criterion_reads_the_sipas_index_and_is_not_applicable_without_responses() {
    let app = App::open_in_memory().await.unwrap();
    let admin = account(&app, "quantri", UserRole::Admin, None).await;
    let today = date("10/01/2025");
    let before = app.evaluation_scores(Some(&admin), 2024, today).await.unwrap();
    let row = |scores: &cchc_services::evaluation::VisibleScores, id: &str| {
        scores.kinds.iter().flat_map(|k| k.results.iter()).find(|r| r.agency.id == agency(id)).unwrap().clone()
    };
    // No SIPAS response: VIII.1.1 (16 points) and VIII.2.1 (10, no annual report) are out.
    assert_eq!(row(&before, "so-noi-vu").score.max.vn(), "74");
    // Four paper forms for Sở Nội vụ: 3 of 4 satisfied on every item → 75 % → 16 × 75 / 90.
    for (n, rating) in ["5", "4", "4", "2"].iter().enumerate() {
        let answers = (1..=22u16).map(|item| (item, rating.to_string())).collect();
        app.key_response(&admin, 2024, &format!("P-{n}"), "so-noi-vu", &answers, at("2025-01-08T02:00:00Z"))
            .await
            .unwrap();
    }
    let measures = app.survey_measures(2024).await.unwrap();
    let share = measures.get(&(agency("so-noi-vu"), cchc_domain::evaluation::SurveyMeasure::Sipas)).copied().unwrap();
    assert!((share - 75.0).abs() < 1e-9, "{share}");
    let after = app.evaluation_scores(Some(&admin), 2024, today).await.unwrap();
    let snv = row(&after, "so-noi-vu");
    assert_eq!(snv.score.max.vn(), "90");
    let survey = snv.score.subs.iter().find(|s| s.code == "VIII.1.1").unwrap();
    // 16 × 75 ÷ 90 = 13,333… → 13,33
    assert_eq!(survey.points.unwrap().vn(), "13,33");
    assert_eq!(row(&after, "so-tu-phap").score.max.vn(), "74");
}
