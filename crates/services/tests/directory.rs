//! Plans over the years on a changing map: a plan is read against the agencies of its year, a
//! period expects the units that exist at its end, and the directory is a versioned document.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use cchc_domain::account::{User, UserRole};
use cchc_domain::tracking::MilestoneQuery;
use cchc_domain::{AgencyId, AgencyKind, Date, PeriodId, Severity, Timestamp};
use cchc_import::SON_LA_2024_PLAN;
use cchc_services::accounts::NewAccount;
use cchc_services::{App, ServiceError};

fn d(text: &str) -> Date {
    Date::parse(text).expect("date")
}

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-01-05T02:00:00Z").expect("timestamp")
}

/// The 2024 plan moved to another year: same activities and wording, dates shifted.
fn plan_of(year: i32) -> String {
    SON_LA_2024_PLAN.replace("2024", &year.to_string()).replace("2023", &(year - 1).to_string())
}

async fn admin(app: &App) -> User {
    app.create_account(
        &NewAccount {
            username: "snv-admin".into(),
            display_name: "Quản trị".into(),
            role: UserRole::Admin,
            agency: None,
            password: "mat-khau-du-dai".into(),
        },
        now(),
    )
    .await
    .expect("account")
}

#[tokio::test]
async fn a_2026_plan_fans_out_to_the_two_level_map_and_names_the_successors_of_2024_terms() {
    let app = App::open_in_memory().await.expect("app");
    // Two-level wording for the communes; the rest still in 2024 terms.
    let text = plan_of(2026).replace("UBND các xã, phường, thị trấn", "UBND các xã, phường");
    let report = app.import_plan_text("ke-hoach-2026.txt", &text, "2026-01-05T00:00:00Z").await.expect("import");
    let (version, plan, _) = app.current_plan(None).await.expect("current");
    assert_eq!((version.plan_key.as_str(), plan.meta.year), ("son-la-2026", Some(2026)));

    let milestones = app.milestones(&version, &MilestoneQuery::default()).await.expect("milestones");
    let agencies: BTreeSet<AgencyId> = milestones.iter().map(|m| m.agency.clone()).collect();
    let map = app.directory_on(d("01/01/2026"));
    for id in &agencies {
        let agency = map.agency(id).unwrap_or_else(|| panic!("{id} does not exist on 01/01/2026"));
        assert_ne!(agency.kind, AgencyKind::District, "{id}");
    }
    for gone in ["so-thong-tin-truyen-thong", "so-ke-hoach-dau-tu", "ban-dan-toc", "ubnd-huyen-116", "ubnd-xa-03649"] {
        assert!(!agencies.contains(&AgencyId::parse(gone).unwrap()), "{gone}");
    }
    // III.6 is led by the departments, the districts and the communes: on the 2026 map the
    // districts' duties go to the communes and wards, so 15 departments and 75 communes.
    let iii6: BTreeSet<&AgencyId> =
        milestones.iter().filter(|m| m.activity_code() == "III.6").map(|m| &m.agency).collect();
    let communes = iii6.iter().filter(|id| map.agency(id).is_some_and(|a| a.kind == AgencyKind::Commune)).count();
    let departments = iii6.iter().filter(|id| map.agency(id).is_some_and(|a| a.kind == AgencyKind::Department)).count();
    assert_eq!((departments, communes), (15, 75));
    assert!(agencies.contains(&AgencyId::parse("so-khoa-hoc-cong-nghe").unwrap()));

    // Each 2024 term says who carries it on.
    let warnings: Vec<&str> =
        report.diagnostics.iter().filter(|d| d.severity == Severity::Warning).map(|d| d.message.as_str()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w
                .contains("«Sở Thông tin và Truyền thông» không còn từ 01/03/2025; giao cho Sở Khoa học và Công nghệ")),
        "{warnings:#?}"
    );
    assert!(
        warnings.iter().any(|w| w
            .contains("«UBND các huyện, thành phố» không còn từ 01/07/2025; giao cho «UBND các xã, phường, thị trấn»")),
        "{warnings:#?}"
    );
    assert!(!warnings.iter().any(|w| w.starts_with("Không xác định được cơ quan: «Sở Thông tin")), "{warnings:#?}");

    // The 2024 plan is still there, on its own map.
    let old = app.plan_versions().await.expect("versions").into_iter().find(|v| v.plan_key == "son-la-2024").unwrap();
    let old_agencies: BTreeSet<AgencyId> = app
        .milestones(&old, &MilestoneQuery::default())
        .await
        .expect("milestones")
        .into_iter()
        .map(|m| m.agency)
        .collect();
    assert!(old_agencies.contains(&AgencyId::parse("ubnd-huyen-116").unwrap()));
    assert!(old_agencies.contains(&AgencyId::parse("so-thong-tin-truyen-thong").unwrap()));
    assert!(!old_agencies.iter().any(|id| id.as_str().ends_with("-2025")));
}

#[tokio::test]
async fn a_period_expects_the_units_that_exist_at_its_end() {
    let app = App::open_in_memory().await.expect("app");
    let admin = admin(&app).await;
    let expected = |status: &cchc_services::reporting::PeriodStatus| -> Vec<(AgencyKind, usize)> {
        status.groups.iter().map(|g| (g.kind, g.completeness.expected)).collect()
    };
    let s1_2024 = app.report_status(&admin, PeriodId::parse("2024S1").unwrap()).await.expect("status");
    assert_eq!(
        expected(&s1_2024),
        [
            (AgencyKind::Department, 20),
            (AgencyKind::Sectoral, 5),
            (AgencyKind::District, 12),
            (AgencyKind::Commune, 204)
        ]
    );

    app.import_plan_text("ke-hoach-2025.txt", &plan_of(2025), "2025-01-05T00:00:00Z").await.expect("import");
    let count = |status: &cchc_services::reporting::PeriodStatus, kind| {
        status.groups.iter().find(|g| g.kind == kind).map_or(0, |g| g.completeness.expected)
    };
    // 13/06/2025: the March departments, the districts, the 200 communes of early 2025.
    let s1 = app.report_status(&admin, PeriodId::parse("2025S1").unwrap()).await.expect("status");
    assert_eq!(
        [AgencyKind::Department, AgencyKind::District, AgencyKind::Commune].map(|k| count(&s1, k)),
        [15, 12, 200]
    );
    // 13/09/2025: no district, 75 communes and wards.
    let q3 = app.report_status(&admin, PeriodId::parse("2025Q3").unwrap()).await.expect("status");
    assert_eq!([AgencyKind::Department, AgencyKind::District, AgencyKind::Commune].map(|k| count(&q3, k)), [15, 0, 75]);
    assert_eq!(q3.overall.expected, 15 + 5 + 75);
    // A unit that no longer exists cannot report for the period, and is told who carries on.
    let refused =
        app.report_form(&AgencyId::parse("ubnd-huyen-116").unwrap(), PeriodId::parse("2025Q3").unwrap()).await;
    match refused {
        Err(ServiceError::Invalid(messages)) => {
            assert!(messages[0].contains("không còn từ ngày 01/07/2025"), "{messages:?}");
        }
        other => panic!("expected a refusal, got {:?}", other.map(|f| f.agency)),
    }
    // The 2024 period is unchanged: it still belongs to the 2024 plan, now that 2025 is current.
    let again = app.report_status(&admin, PeriodId::parse("2024S1").unwrap()).await.expect("2024 status");
    assert_eq!(expected(&again), expected(&s1_2024));
    assert_eq!(again.agencies.len(), 241);
    let periods: Vec<String> =
        app.reporting_periods().await.expect("periods").iter().map(|p| p.id.to_string()).collect();
    assert_eq!(periods, ["2025Q1", "2025S1", "2025Q3", "2025", "2024Q1", "2024S1", "2024Q3", "2024"]);
}

#[tokio::test]
async fn the_directory_is_exported_edited_and_imported_as_a_new_version_or_refused_whole() {
    let app = App::open_in_memory().await.expect("app");
    let admin = admin(&app).await;
    assert_eq!(app.directory_version(), 1);
    let document = app.export_directory();
    // Unchanged: no new version.
    let same = app.import_directory(&admin, &document, "", "2026-01-05T00:00:00Z").await.expect("same");
    assert_eq!(same.version, None);
    // The province fills in the successor of Xã Tân Hợp.
    let edited = document.replacen(
        "\"id\": \"ubnd-xa-03988\",",
        "\"id\": \"ubnd-xa-03988\",\n      \"successors\": [\"ubnd-xa-03997\"],",
        1,
    );
    assert_ne!(edited, document);
    let imported =
        app.import_directory(&admin, &edited, "Bổ sung đơn vị kế thừa", "2026-01-05T00:00:00Z").await.expect("import");
    assert_eq!(imported.version, Some(2));
    // Broken: refused whole, every error with its line, nothing stored.
    let broken = edited.replacen("\"kind\": \"department\"", "\"kind\": \"phong\"", 1).replacen(
        "\"level\": \"xa\"",
        "\"level\": \"thon\"",
        1,
    );
    match app.import_directory(&admin, &broken, "", "2026-01-05T00:00:00Z").await {
        Err(ServiceError::Invalid(errors)) => {
            assert!(errors.iter().any(|e| e.contains("«phong»") && !e.starts_with("dòng 0")), "{errors:#?}");
            assert!(errors.iter().any(|e| e.contains("«thon»") && !e.starts_with("dòng 0")), "{errors:#?}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Officers may not change it.
    let officer = app
        .create_account(
            &NewAccount {
                username: "can-bo".into(),
                display_name: "Cán bộ".into(),
                role: UserRole::Agency,
                agency: AgencyId::parse("so-tu-phap"),
                password: "mat-khau-du-dai".into(),
            },
            now(),
        )
        .await
        .expect("officer");
    assert!(matches!(app.import_directory(&officer, &edited, "", "t").await, Err(ServiceError::Forbidden(_))));
}

fn progress(status: cchc_domain::tracking::ProgressStatus, on: Option<&str>) -> cchc_services::tracking::ProgressInput {
    cchc_services::tracking::ProgressInput {
        status,
        completed_on: on.map(d),
        evidence: cchc_domain::tracking::Evidence {
            number: if on.is_some() { "12/BC-UBND".into() } else { String::new() },
            date: on.map(d),
            issuer: if on.is_some() { "UBND thành phố Sơn La".into() } else { String::new() },
        },
        file: None,
        comment: "Đang triển khai".into(),
    }
}

async fn officer(app: &App, name: &str, agency: &str) -> User {
    app.create_account(
        &NewAccount {
            username: name.into(),
            display_name: name.into(),
            role: UserRole::Agency,
            agency: AgencyId::parse(agency),
            password: "mat-khau-du-dai".into(),
        },
        now(),
    )
    .await
    .expect("officer")
}

#[tokio::test]
async fn an_ended_units_open_work_is_handed_over_with_its_history() {
    use cchc_domain::tracking::ProgressStatus;
    let app = App::open_in_memory().await.expect("app");
    let admin = admin(&app).await;
    app.import_plan_text("ke-hoach-2025.txt", &plan_of(2025), "2025-01-05T00:00:00Z").await.expect("import");
    let (version, _, _) = app.current_plan(None).await.expect("current");
    let city = AgencyId::parse("ubnd-huyen-116").unwrap();
    let ward = AgencyId::parse("ubnd-xa-03646-2025").unwrap();
    let of = |agency: &AgencyId| MilestoneQuery { agency: Some(agency.clone()), ..MilestoneQuery::default() };
    let before = app.milestones(&version, &of(&city)).await.expect("milestones");
    assert!(before.len() > 10, "{}", before.len());
    // The city finished one milestone and started another before 1 July 2025.
    let city_officer = officer(&app, "tp-son-la", "ubnd-huyen-116").await;
    let done = before[0].id;
    let started = before[1].id;
    app.record_progress(&city_officer, done, progress(ProgressStatus::Done, Some("20/02/2025")), now())
        .await
        .expect("done");
    app.record_progress(&city_officer, started, progress(ProgressStatus::InProgress, None), now())
        .await
        .expect("started");

    // On 1 July 2025 the city is gone: Sở Nội vụ sees its open work and the suggested successors.
    let july = d("01/07/2025");
    let (_, pending) = app.pending_handovers(&admin, None, july).await.expect("pending");
    let city_pending = pending.iter().find(|p| p.agency.id == city).expect("the city is pending");
    assert_eq!(city_pending.open, before.len() - 1);
    assert!(city_pending.successors.iter().any(|a| a.id == ward));
    assert!(!pending.iter().any(|p| p.agency.id.as_str() == "so-noi-vu"));

    // Refusals: a unit that still exists, an officer, several successors without a choice.
    let still = app.transfer_assignments(&admin, None, &AgencyId::parse("so-noi-vu").unwrap(), None, july, now()).await;
    assert!(matches!(still, Err(ServiceError::Invalid(_))));
    let by_officer = app.transfer_assignments(&city_officer, None, &city, Some(&ward), july, now()).await;
    assert!(matches!(by_officer, Err(ServiceError::Forbidden(_))));
    match app.transfer_assignments(&admin, None, &city, None, july, now()).await {
        Err(ServiceError::Invalid(m)) => {
            assert!(m[0].contains("đơn vị kế thừa") && m[0].contains("UBND phường Tô Hiệu"), "{m:?}")
        }
        other => panic!("expected a choice to be asked for, got {other:?}"),
    }

    let report = app.transfer_assignments(&admin, None, &city, Some(&ward), july, now()).await.expect("transfer");
    assert_eq!(report.milestones, before.len() - 1);
    // The done milestone stays with the city, whose work it records; the rest is the ward's.
    let after_city = app.milestones(&version, &of(&city)).await.expect("city");
    assert_eq!(after_city.iter().map(|m| m.id).collect::<Vec<_>>(), vec![done]);
    let after_ward = app.milestones(&version, &of(&ward)).await.expect("ward");
    let moved = after_ward.iter().find(|m| m.id == started).expect("moved");
    assert!(moved.label.ends_with("(tiếp nhận từ UBND thành phố Sơn La)"), "{}", moved.label);
    assert_eq!(moved.progress.status, ProgressStatus::InProgress);
    let history = app.history(&[started]).await.expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].recorded_by.as_deref(), Some("tp-son-la"));
    // The ward's officers continue it; the city's officers no longer can.
    let ward_officer = officer(&app, "to-hieu", "ubnd-xa-03646-2025").await;
    app.record_progress(&ward_officer, started, progress(ProgressStatus::Done, Some("15/07/2025")), now())
        .await
        .expect("ward continues");
    assert!(matches!(
        app.record_progress(&city_officer, started, progress(ProgressStatus::InProgress, None), now()).await,
        Err(ServiceError::Forbidden(_))
    ));
    // Audited, milestone by milestone; nothing left to hand over for the city.
    let audit = app.transfers(&admin, &version).await.expect("audit");
    assert_eq!(audit.len(), before.len() - 1);
    assert!(audit.iter().all(|t| t.from == city && t.to == ward && t.note.contains("30/06/2025")));
    let (_, pending) = app.pending_handovers(&admin, None, july).await.expect("pending");
    assert!(!pending.iter().any(|p| p.agency.id == city));
}
