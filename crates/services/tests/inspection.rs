//! Use cases of inspection planning: the proposed plan (≥ 30% of each kind, the same for the same
//! seed), adoption into milestones, findings, resolution, re-inspection, next year's priorities.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cchc_domain::account::{User, UserRole};
use cchc_domain::inspection::{Place, Reason, SelectionRules};
use cchc_domain::tracking::{Evidence, MilestoneKind, MilestoneQuery, ProgressStatus};
use cchc_domain::{AgencyId, AgencyKind, Date, Timestamp};
use cchc_services::accounts::NewAccount;
use cchc_services::tracking::ProgressInput;
use cchc_services::{App, ServiceError};

fn d(text: &str) -> Date {
    Date::parse(text).expect("date")
}

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2024-12-01T03:00:00Z").expect("timestamp")
}

async fn user(app: &App, name: &str, role: UserRole, agency: Option<&str>) -> User {
    app.create_account(
        &NewAccount {
            username: name.into(),
            display_name: name.into(),
            role,
            agency: agency.map(|a| AgencyId::parse(a).expect("id")),
            password: "mat-khau-du-dai".into(),
        },
        now(),
    )
    .await
    .expect("account")
}

#[tokio::test]
async fn the_plan_covers_each_kind_and_is_the_same_for_the_same_seed() {
    let app = App::open_in_memory().await.expect("app");
    let admin = user(&app, "snv", UserRole::Admin, None).await;
    let viewer = user(&app, "lanh-dao", UserRole::Viewer, None).await;
    let officer = user(&app, "stp", UserRole::Agency, Some("so-tu-phap")).await;
    let rules = SelectionRules::default();
    let proposed = app.inspection_plan(&admin, 2024, 42, rules).await.expect("plan");
    let activity = proposed.activity.clone().expect("the 2024 plan has an inspection activity");
    assert_eq!(activity.lead.as_str(), "so-noi-vu");
    assert_eq!(format!("{}.{}", activity.area, activity.number), "I.5");
    let strata: Vec<(AgencyKind, usize, usize)> =
        proposed.plan.strata.iter().map(|s| (s.kind, s.total, s.chosen.len())).collect();
    // Sở Nội vụ does not inspect itself: 19 departments.
    assert_eq!(
        strata,
        vec![(AgencyKind::Department, 19, 6), (AgencyKind::District, 12, 4), (AgencyKind::Commune, 204, 62)]
    );
    assert!(proposed
        .plan
        .chosen()
        .all(|c| c.reasons.contains(&Reason::NotInspectedLastYear) || c.place == Place::Random));
    let again = app.inspection_plan(&viewer, 2024, 42, rules).await.expect("plan");
    assert_eq!(again.plan, proposed.plan);
    let other = app.inspection_plan(&admin, 2024, 43, rules).await.expect("plan");
    assert_ne!(other.plan, proposed.plan, "nothing distinguishes the agencies yet: the draw decides");
    assert!(matches!(app.inspection_plan(&officer, 2024, 42, rules).await, Err(ServiceError::Forbidden(_))));
}

#[tokio::test]
async fn adopting_makes_milestones_and_findings_feed_next_year() {
    let app = App::open_in_memory().await.expect("app");
    let admin = user(&app, "snv", UserRole::Admin, None).await;
    let officer = user(&app, "stp", UserRole::Agency, Some("so-tu-phap")).await;
    let rules = SelectionRules::default();
    app.import_procedure_counts(&admin, "ma_co_quan,so_tthc\nso-tu-phap,300\nso-xay-dung,250\n", now())
        .await
        .expect("procedures");
    assert!(matches!(
        app.import_procedure_counts(&admin, "ma_co_quan,so_tthc\nso-khong-co,3\n", now()).await,
        Err(ServiceError::Invalid(_))
    ));
    let proposed = app.inspection_plan(&admin, 2024, 7, rules).await.expect("plan");
    let departments = &proposed.plan.strata[0];
    assert_eq!(departments.chosen[0].agency.as_str(), "so-tu-phap");
    assert_eq!(departments.chosen[0].reasons[0], Reason::ManyProcedures(300));

    assert!(matches!(
        app.adopt_inspection_plan(&officer, 2024, 7, rules, d("01/03/2024"), d("29/11/2024"), now()).await,
        Err(ServiceError::Forbidden(_))
    ));
    let adoption = app
        .adopt_inspection_plan(&admin, 2024, 7, rules, d("01/03/2024"), d("29/11/2024"), now())
        .await
        .expect("adopt");
    assert_eq!(adoption.inspections, 72);
    assert!(matches!(
        app.adopt_inspection_plan(&admin, 2024, 7, rules, d("01/03/2024"), d("29/11/2024"), now()).await,
        Err(ServiceError::Invalid(_))
    ));
    let year = app.inspections(&admin, 2024).await.expect("inspections");
    assert_eq!(year.inspections.len(), 72);
    assert_eq!(year.adopted.as_ref().map(|p| p.seed), Some(7));
    assert!(year.inspections.iter().all(|i| app.calendar().is_working_day(i.planned_on)));

    // The inspection of Sở Tư pháp is a milestone of Sở Nội vụ on I.5, tracked like any other.
    let first = year.inspections.iter().find(|i| i.agency.as_str() == "so-tu-phap").expect("inspected").clone();
    let (version, _, _) = app.current_plan(None).await.expect("plan");
    let milestones = app
        .milestones(&version, &MilestoneQuery { milestone: first.milestone, ..MilestoneQuery::default() })
        .await
        .expect("milestones");
    let milestone = &milestones[0];
    assert_eq!(milestone.label, "Kiểm tra CCHC tại Sở Tư pháp");
    assert_eq!(milestone.agency.as_str(), "so-noi-vu");
    assert_eq!(milestone.activity_code(), "I.5");
    assert_eq!((milestone.kind, milestone.due), (MilestoneKind::Fixed, Some(first.planned_on)));
    let done = ProgressInput {
        status: ProgressStatus::Done,
        completed_on: Some(first.planned_on),
        evidence: Evidence {
            number: "01/BC-SNV".into(), date: Some(first.planned_on), issuer: "Sở Nội vụ".into()
        },
        file: None,
        comment: String::new(),
    };
    app.record_progress(&admin, milestone.id, done, now()).await.expect("progress");

    let finding = app
        .record_finding(&admin, first.id, "Chưa công khai đầy đủ TTHC", d("31/12/2024"), now())
        .await
        .expect("finding");
    assert!(matches!(
        app.record_finding(&admin, first.id, "  ", d("31/12/2024"), now()).await,
        Err(ServiceError::Invalid(_))
    ));
    assert!(matches!(
        app.record_finding(&officer, first.id, "x", d("31/12/2024"), now()).await,
        Err(ServiceError::Forbidden(_))
    ));

    // Next year: inspected in 2024 (done) and one finding still open.
    let next = app.inspection_plan(&admin, 2025, 7, rules).await.expect("2025");
    let all = app.inspections(&admin, 2024).await.expect("inspections");
    let done_in_2024 = all.inspections.iter().find(|i| i.id == first.id).expect("again");
    assert_eq!(done_in_2024.done_on, Some(first.planned_on));
    let stp = next.plan.chosen().find(|c| c.agency.as_str() == "so-tu-phap").expect("still a priority");
    assert!(stp.reasons.contains(&Reason::UnresolvedFindings(1)));
    assert!(!stp.reasons.contains(&Reason::NotInspectedLastYear));

    let re = app.schedule_reinspection(&admin, finding, d("15/12/2024"), now()).await.expect("re-inspection");
    assert!(app.schedule_reinspection(&admin, finding, d("16/12/2024"), now()).await.is_err());
    // The agency itself records the remedy, with evidence.
    assert!(app.resolve_finding(&officer, finding, d("20/11/2024"), "", now()).await.is_err());
    app.resolve_finding(&officer, finding, d("20/11/2024"), "Công văn 99/STP", now()).await.expect("resolve");
    let year = app.inspections(&admin, 2024).await.expect("inspections");
    assert_eq!(year.inspections.len(), 73);
    let reinspection = year.inspections.iter().find(|i| i.id == re).expect("listed");
    assert_eq!(reinspection.reinspects, Some(finding));
    let next = app.inspection_plan(&admin, 2025, 7, rules).await.expect("2025");
    assert!(next.plan.chosen().all(|c| !c.reasons.iter().any(|r| matches!(r, Reason::UnresolvedFindings(_)))));
}

#[tokio::test]
async fn a_low_par_index_of_the_year_before_raises_the_priority() {
    use cchc_domain::evaluation::Method;
    use cchc_services::evaluation::SelfInput;
    let app = App::open_in_memory().await.expect("app");
    let admin = user(&app, "snv", UserRole::Admin, None).await;
    let rules = SelectionRules::default();
    let low_index = |plan: &cchc_services::inspection::ProposedPlan| -> Vec<(String, f64)> {
        plan.plan
            .chosen()
            .flat_map(|c| {
                c.reasons.iter().filter_map(|r| match r {
                    Reason::LowIndex(v) => Some((c.agency.to_string(), *v)),
                    _ => None,
                })
            })
            .collect()
    };
    // No round for 2024 yet: no index, no agency chosen for a low one.
    let before = app.inspection_plan(&admin, 2025, 7, rules).await.expect("plan");
    assert!(low_index(&before).is_empty());

    // Departments are assessed for 2024; every one answers each self-assessed criterion at full
    // marks but two and Sở Nội vụ, which answer nothing: their provisional index is below the median.
    let opened = Timestamp::parse_rfc3339("2025-01-05T02:00:00Z").expect("timestamp");
    app.open_round(&admin, 2024, AgencyKind::Department, d("20/01/2025"), 5, opened).await.expect("round");
    let framework = app.framework(2024, AgencyKind::Department).await.expect("framework");
    let full: Vec<SelfInput> = framework
        .framework
        .subs()
        .filter(|(_, _, s)| s.method.is_self_assessed())
        .map(|(_, _, s)| SelfInput {
            sub: s.code.clone(),
            value: match &s.method {
                Method::YesNo => "có".into(),
                Method::Levels(levels) => levels.last().expect("a level").label.clone(),
                _ => "100".into(),
            },
            note: String::new(),
            evidence: format!("Minh chứng {}", s.code),
        })
        .collect();
    let departments: Vec<AgencyId> = app
        .assessed_agencies(2024, AgencyKind::Department)
        .into_iter()
        .map(|a| a.id)
        .filter(|id| id.as_str() != "so-noi-vu")
        .collect();
    let silent = &departments[..2];
    for (n, agency) in departments.iter().enumerate().skip(2) {
        let officer = user(&app, &format!("can-bo-{n}"), UserRole::Agency, Some(agency.as_str())).await;
        app.save_self_assessment(&officer, 2024, agency, &full, false, opened).await.expect("self-assessment");
    }
    let scores = app.year_scores(2024, d("31/12/2024")).await.expect("scores");
    let index_of = |id: &str| {
        scores
            .kinds
            .iter()
            .flat_map(|k| &k.results)
            .find(|r| r.agency.id.as_str() == id)
            .and_then(|r| r.score.index)
            .map(|i| i.hundredths() as f64 / 100.0)
            .expect("an index")
    };
    assert!(index_of(silent[0].as_str()) < index_of(departments[2].as_str()));
    let after = app.inspection_plan(&admin, 2025, 7, rules).await.expect("plan");
    let low = low_index(&after);
    let mut flagged: Vec<&str> = low.iter().map(|(a, _)| a.as_str()).collect();
    flagged.sort_unstable();
    // Without a 2025 plan naming the inspecting agency, Sở Nội vụ (which did not answer either)
    // is a candidate too.
    let mut expected: Vec<&str> = silent.iter().map(AgencyId::as_str).chain(["so-noi-vu"]).collect();
    expected.sort_unstable();
    assert_eq!(flagged, expected, "{low:?}");
    for (agency, value) in &low {
        assert_eq!(*value, index_of(agency), "{agency}");
    }
}
