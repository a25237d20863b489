//! Use cases of tracking: fan-out, progress with authorisation, events, the dashboard.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cchc_domain::account::UserRole;
use cchc_domain::tracking::MilestoneQuery;
use cchc_domain::tracking::{DerivedStatus, Evidence, MilestoneKind, ProgressStatus};
use cchc_domain::{AgencyId, Date, Timestamp};
use cchc_services::accounts::{LoginError, NewAccount};
use cchc_services::dashboard::{dashboard, evaluate};
use cchc_services::tracking::ProgressInput;
use cchc_services::{App, ServiceError};

fn d(text: &str) -> Date {
    Date::parse(text).expect("date")
}

/// 2024-07-01T03:00:00Z.
fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2024-07-01T03:00:00Z").expect("timestamp")
}

fn agency(id: &str) -> AgencyId {
    AgencyId::parse(id).expect("agency id")
}

async fn user(app: &App, name: &str, role: UserRole, agency_id: Option<&str>) -> cchc_domain::account::User {
    app.create_account(
        &NewAccount {
            username: name.into(),
            display_name: name.into(),
            role,
            agency: agency_id.map(agency),
            password: "mat-khau-du-dai".into(),
        },
        now(),
    )
    .await
    .expect("account")
}

fn done(on: &str) -> ProgressInput {
    ProgressInput {
        status: ProgressStatus::Done,
        completed_on: Some(d(on)),
        evidence: Evidence { number: "15/KH-UBND".into(), date: Some(d(on)), issuer: "UBND tỉnh".into() },
        file: None,
        comment: String::new(),
    }
}

#[tokio::test]
async fn every_responsible_agency_gets_its_own_assignment() {
    let app = App::open_in_memory().await.expect("app");
    let (version, _, _) = app.current_plan(None).await.expect("plan");
    let all = app.milestones(&version, &MilestoneQuery::default()).await.expect("milestones");
    // III.6 is led by departments, district and commune committees: 20 + 12 + 204 assignments.
    let iii6: std::collections::BTreeSet<_> =
        all.iter().filter(|m| m.activity_code() == "III.6").map(|m| m.agency.clone()).collect();
    let departments =
        app.directory_on(d("01/01/2024")).members(&cchc_domain::GroupId::parse("departments").expect("id")).len();
    assert_eq!(departments, 20);
    assert_eq!(iii6.len(), departments + 12 + 204);
    // II.2 is led by Sở Tư pháp alone, with two milestones.
    let ii2: Vec<_> = all.iter().filter(|m| m.activity_code() == "II.2").collect();
    assert_eq!(ii2.len(), 2);
    assert!(ii2.iter().all(|m| m.agency == agency("so-tu-phap")));
    assert_eq!(ii2[0].due, Some(d("31/01/2024")));
    // Periodic reports are instantiated once per reporting period.
    let vii6: Vec<_> = all.iter().filter(|m| m.activity_code() == "VII.6").collect();
    assert_eq!(vii6.iter().filter(|m| m.kind == MilestoneKind::Periodic).count(), 4);
}

#[tokio::test]
async fn an_officer_records_progress_for_their_agency_only() {
    let app = App::open_in_memory().await.expect("app");
    let (version, _, _) = app.current_plan(None).await.expect("plan");
    let officer = user(&app, "tuphap", UserRole::Agency, Some("so-tu-phap")).await;
    let viewer = user(&app, "lanhdao", UserRole::Viewer, None).await;
    let own = app
        .milestones(&version, &MilestoneQuery { agency: Some(agency("so-tu-phap")), ..Default::default() })
        .await
        .expect("own");
    let ii2 = own.iter().find(|m| m.activity_code() == "II.2").expect("II.2");
    let entry = app.record_progress(&officer, ii2.id, done("18/01/2024"), now()).await.expect("recorded");
    assert_eq!(entry.recorded_by.as_deref(), Some("tuphap"));
    let updated = app.milestone(ii2.id).await.expect("read");
    assert_eq!(updated.derived(d("01/07/2024"), app.calendar()), DerivedStatus::DoneOnTime);

    let other = app
        .milestones(&version, &MilestoneQuery { agency: Some(agency("so-noi-vu")), ..Default::default() })
        .await
        .expect("other");
    let refused = app.record_progress(&officer, other[0].id, done("18/01/2024"), now()).await;
    assert!(matches!(refused, Err(ServiceError::Forbidden(_))), "{refused:?}");
    let refused = app.record_progress(&viewer, ii2.id, done("18/01/2024"), now()).await;
    assert!(matches!(refused, Err(ServiceError::Forbidden(_))));
    // Nothing was written by the refused attempts.
    assert_eq!(app.history(&[ii2.id, other[0].id]).await.expect("history").len(), 1);
}

#[tokio::test]
async fn nonsense_progress_is_refused_with_reasons() {
    let app = App::open_in_memory().await.expect("app");
    let (version, _, _) = app.current_plan(None).await.expect("plan");
    let officer = user(&app, "tuphap", UserRole::Agency, Some("so-tu-phap")).await;
    let own = app
        .milestones(&version, &MilestoneQuery { agency: Some(agency("so-tu-phap")), ..Default::default() })
        .await
        .expect("own");
    let id = own[0].id;
    for bad in [done("01/12/2023"), done("02/07/2024")] {
        assert!(matches!(app.record_progress(&officer, id, bad, now()).await, Err(ServiceError::Invalid(_))));
    }
    let mut no_date = done("18/01/2024");
    no_date.completed_on = None;
    assert!(matches!(app.record_progress(&officer, id, no_date, now()).await, Err(ServiceError::Invalid(_))));
    let missing =
        app.record_progress(&officer, cchc_domain::tracking::MilestoneId(999_999), done("18/01/2024"), now()).await;
    assert!(matches!(missing, Err(ServiceError::NotFound(_))));
    assert!(app.history(&[id]).await.expect("history").is_empty());
}

#[tokio::test]
async fn an_event_dates_the_waiting_milestones() {
    let app = App::open_in_memory().await.expect("app");
    let (version, plan, _) = app.current_plan(None).await.expect("plan");
    let admin = user(&app, "snv", UserRole::Admin, None).await;
    let all = app.milestones(&version, &MilestoneQuery::default()).await.expect("milestones");
    // IV.9: "Triển khai sau khi Bộ Khoa học công nghệ ban hành hướng dẫn 01 tháng".
    let waiting: Vec<_> =
        all.iter().filter(|m| m.activity_code() == "IV.9" && m.kind == MilestoneKind::Event).collect();
    assert!(!waiting.is_empty());
    assert_eq!(waiting[0].derived(d("01/07/2024"), app.calendar()), DerivedStatus::WaitingEvent);
    let (due, dated) = app
        .record_event(
            &admin,
            &version,
            waiting[0].activity,
            waiting[0].item,
            d("15/03/2024"),
            None,
            "Hướng dẫn của Bộ KH&CN",
            now(),
        )
        .await
        .expect("event");
    assert_eq!(due, d("15/04/2024"));
    assert_eq!(dated as usize, waiting.len());
    let after = app.milestone(waiting[0].id).await.expect("read");
    assert_eq!(after.derived(d("01/07/2024"), app.calendar()), DerivedStatus::Overdue);
    let officer = user(&app, "khcn", UserRole::Agency, Some("so-khoa-hoc-cong-nghe")).await;
    let refused = app
        .record_event(&officer, &version, waiting[0].activity, waiting[0].item, d("15/03/2024"), None, "", now())
        .await;
    assert!(matches!(refused, Err(ServiceError::Forbidden(_))));
    assert_eq!(plan.meta.year, Some(2024));
}

#[tokio::test]
async fn the_dashboard_counts_every_milestone_once() {
    let app = App::open_in_memory().await.expect("app");
    let (version, plan, _) = app.current_plan(None).await.expect("plan");
    let all = app.milestones(&version, &MilestoneQuery::default()).await.expect("milestones");
    let as_of = d("01/07/2024");
    let evaluated = evaluate(&all, as_of, app.calendar());
    let titles: Vec<_> = plan.areas.iter().map(|a| (a.code, a.title.clone())).collect();
    let board = dashboard(&evaluated, &titles, app.directory(), as_of);
    assert_eq!(board.overall.total(), all.len());
    assert_eq!(board.by_area.iter().map(|b| b.counts.total()).sum::<usize>(), all.len());
    assert_eq!(board.by_group.iter().map(|b| b.counts.total()).sum::<usize>(), all.len());
    assert_eq!(board.overdue.len(), board.overall.get(DerivedStatus::Overdue));
    assert!(board.overdue.windows(2).all(|w| w[0].milestone.due <= w[1].milestone.due));
    assert!(board.upcoming.iter().all(|e| e.milestone.due.is_some_and(|due| due >= as_of && due <= d("31/07/2024"))));
}

#[tokio::test]
async fn login_is_throttled_per_user_and_client_without_locking_out_others() {
    let app = App::open_in_memory().await.expect("app");
    user(&app, "tuphap", UserRole::Agency, Some("so-tu-phap")).await;
    for _ in 0..3 {
        assert!(matches!(app.login("tuphap", "sai", "10.0.0.9", now()).await, Err(LoginError::Invalid)));
    }
    assert!(matches!(
        app.login("tuphap", "mat-khau-du-dai", "10.0.0.9", now()).await,
        Err(LoginError::Throttled { retry_after: 1 })
    ));
    // The real user, from their own machine, still gets in.
    let session = app.login("tuphap", "mat-khau-du-dai", "10.0.0.1", now()).await.expect("login");
    let (who, csrf) = app.session(&session.token, now()).await.expect("session").expect("live");
    assert_eq!((who.username.as_str(), csrf), ("tuphap", session.csrf_token.clone()));
    // Sessions expire.
    let later = now().plus_seconds(13 * 3600);
    assert!(app.session(&session.token, later).await.expect("session").is_none());
    app.logout(&session.token).await.expect("logout");
    assert!(app.session(&session.token, now()).await.expect("session").is_none());
    // Unknown users fail the same way.
    assert!(matches!(app.login("khong-co", "x", "10.0.0.1", now()).await, Err(LoginError::Invalid)));
}

#[tokio::test]
async fn the_first_admin_is_created_once() {
    let app = App::open_in_memory().await.expect("app");
    let password = app.ensure_first_admin(now()).await.expect("admin").expect("created");
    assert!(password.len() >= 16);
    assert!(app.ensure_first_admin(now()).await.expect("admin").is_none());
    assert!(app.login("admin", &password, "127.0.0.1", now()).await.is_ok());
}

/// A PDF stored content-addressed, under the name its uploader gave it.
fn pdf(name: &str) -> cchc_domain::tracking::StoredFile {
    cchc_domain::tracking::StoredFile {
        sha256: "ab".repeat(32),
        file_name: name.into(),
        content_type: "application/pdf".into(),
        size: 1234,
    }
}

#[tokio::test]
async fn histories_and_files_are_read_by_the_agency_its_district_leaders_and_so_noi_vu_only() {
    let app = App::open_in_memory().await.expect("app");
    let (version, _, _) = app.current_plan(None).await.expect("plan");
    let all = app.milestones(&version, &MilestoneQuery::default()).await.expect("milestones");
    // A commune's milestone of III.6, and the district the commune belongs to.
    let commune_milestone = all
        .iter()
        .find(|m| {
            m.activity_code() == "III.6"
                && app.directory().agency(&m.agency).is_some_and(|a| a.kind == cchc_domain::AgencyKind::Commune)
        })
        .expect("a commune's milestone");
    let commune = app.directory().agency(&commune_milestone.agency).expect("commune").clone();
    let district_id = commune.parent.clone().expect("the commune's district");
    let other_district = app
        .directory()
        .agencies
        .iter()
        .find(|a| a.kind == cchc_domain::AgencyKind::District && a.id != district_id)
        .expect("another district")
        .id
        .clone();

    let commune_officer = user(&app, "canboxa", UserRole::Agency, Some(commune.id.as_str())).await;
    let district_officer = user(&app, "huyen", UserRole::Agency, Some(district_id.as_str())).await;
    let other_officer = user(&app, "huyenkhac", UserRole::Agency, Some(other_district.as_str())).await;
    let viewer = user(&app, "lanhdao", UserRole::Viewer, None).await;
    let admin = user(&app, "snv", UserRole::Admin, None).await;

    let mut input = done("18/01/2024");
    input.comment = "Ý kiến nội bộ của xã".into();
    input.file = Some(pdf("bien-ban-xa.pdf"));
    app.record_progress(&commune_officer, commune_milestone.id, input, now()).await.expect("recorded");

    for reader in [&commune_officer, &district_officer, &viewer, &admin] {
        let (record, history) =
            app.milestone_with_history(reader, commune_milestone.id).await.expect("readable history");
        assert_eq!(record.id, commune_milestone.id);
        assert_eq!(history.len(), 1, "{}", reader.username);
        assert_eq!(history[0].comment, "Ý kiến nội bộ của xã");
        let file = app.evidence_file(reader, &"ab".repeat(32), None).await.expect("readable file");
        assert_eq!(file.file_name, "bien-ban-xa.pdf");
    }
    // Another district's officer: as if neither existed.
    let refused = app.milestone_with_history(&other_officer, commune_milestone.id).await;
    assert!(matches!(refused, Err(ServiceError::NotFound(_))), "{refused:?}");
    let refused = app.evidence_file(&other_officer, &"ab".repeat(32), None).await;
    assert!(matches!(refused, Err(ServiceError::NotFound(_))), "{refused:?}");
    let listed = app.readable_history(&other_officer, &[commune_milestone]).await.expect("history");
    assert!(listed.is_empty(), "{listed:?}");
    assert_eq!(app.readable_history(&district_officer, &[commune_milestone]).await.expect("history").len(), 1);
    // The public sees the evidence document, nothing else.
    let public = app.public_evidence(&[commune_milestone.id]).await.expect("public evidence");
    assert_eq!(public.get(&commune_milestone.id).map(|e| e.number.as_str()), Some("15/KH-UBND"));
}

#[tokio::test]
async fn an_evidence_file_keeps_the_name_each_uploader_gave_it() {
    let app = App::open_in_memory().await.expect("app");
    let (version, _, _) = app.current_plan(None).await.expect("plan");
    let tu_phap = user(&app, "tuphap", UserRole::Agency, Some("so-tu-phap")).await;
    let noi_vu = user(&app, "noivu", UserRole::Agency, Some("so-noi-vu")).await;
    let tai_chinh = user(&app, "taichinh", UserRole::Agency, Some("so-tai-chinh")).await;
    let first_of = |agency_id: &str| {
        let agency_id = agency(agency_id);
        let app = &app;
        let version = &version;
        async move {
            app.milestones(version, &MilestoneQuery { agency: Some(agency_id), ..Default::default() })
                .await
                .expect("milestones")[0]
                .id
        }
    };
    let (a, b) = (first_of("so-tu-phap").await, first_of("so-noi-vu").await);
    let mut input = done("18/01/2024");
    input.file = Some(pdf("ke-hoach-tu-phap.pdf"));
    let first = app.record_progress(&tu_phap, a, input, now()).await.expect("first upload");
    let mut input = done("18/01/2024");
    input.file = Some(pdf("ke-hoach-noi-vu.pdf"));
    let second = app.record_progress(&noi_vu, b, input, now()).await.expect("same bytes, another name");
    assert_eq!(first.file.as_ref().map(|f| f.file_name.as_str()), Some("ke-hoach-tu-phap.pdf"));
    assert_eq!(second.file.as_ref().map(|f| f.file_name.as_str()), Some("ke-hoach-noi-vu.pdf"));
    let history = app.history(&[a, b]).await.expect("history");
    let names: Vec<_> = history.iter().filter_map(|e| e.file.as_ref()).map(|f| f.file_name.as_str()).collect();
    assert_eq!(names, ["ke-hoach-tu-phap.pdf", "ke-hoach-noi-vu.pdf"]);
    let sha = "ab".repeat(32);
    assert_eq!(app.evidence_file(&tu_phap, &sha, None).await.expect("own").file_name, "ke-hoach-tu-phap.pdf");
    assert_eq!(app.evidence_file(&noi_vu, &sha, None).await.expect("own").file_name, "ke-hoach-noi-vu.pdf");
    // Asking for the other agency's entry by id does not reveal its name.
    let refused = app.evidence_file(&noi_vu, &sha, Some(first.id)).await;
    assert!(matches!(refused, Err(ServiceError::NotFound(_))), "{refused:?}");
    assert!(matches!(app.evidence_file(&tai_chinh, &sha, None).await, Err(ServiceError::NotFound(_))));
}

#[tokio::test]
async fn typed_texts_with_control_characters_are_refused_in_vietnamese() {
    let app = App::open_in_memory().await.expect("app");
    let (version, _, _) = app.current_plan(None).await.expect("plan");
    let officer = user(&app, "tuphap", UserRole::Agency, Some("so-tu-phap")).await;
    let admin = user(&app, "snv", UserRole::Admin, None).await;
    let own = app
        .milestones(&version, &MilestoneQuery { agency: Some(agency("so-tu-phap")), ..Default::default() })
        .await
        .expect("own");
    let mut input = done("18/01/2024");
    input.comment = "trước\u{0}sau".into();
    input.evidence.issuer = "UBND\u{1b}[31m tỉnh".into();
    let Err(ServiceError::Invalid(problems)) = app.record_progress(&officer, own[0].id, input, now()).await else {
        panic!("control characters accepted");
    };
    assert!(
        problems.iter().any(|p| p.starts_with("ghi chú có ký tự điều khiển") && p.contains("U+0000")),
        "{problems:?}"
    );
    assert!(problems.iter().any(|p| p.starts_with("cơ quan ban hành có ký tự điều khiển")), "{problems:?}");
    let mut input = done("18/01/2024");
    input.comment = "x".repeat(MAX + 1);
    let Err(ServiceError::Invalid(problems)) = app.record_progress(&officer, own[0].id, input, now()).await else {
        panic!("an overlong comment accepted");
    };
    assert_eq!(problems, ["ghi chú dài 2.001 ký tự, tối đa 2.000 ký tự"]);
    assert!(app.history(&[own[0].id]).await.expect("history").is_empty());

    let all = app.milestones(&version, &MilestoneQuery::default()).await.expect("milestones");
    let waiting = all.iter().find(|m| m.activity_code() == "IV.9" && m.kind == MilestoneKind::Event).expect("IV.9");
    let refused = app
        .record_event(&admin, &version, waiting.activity, waiting.item, d("15/03/2024"), None, "a\u{7f}b", now())
        .await;
    assert!(
        matches!(&refused, Err(ServiceError::Invalid(p)) if p[0].starts_with("mô tả có ký tự điều khiển")),
        "{refused:?}"
    );
}

const MAX: usize = cchc_services::tracking::MAX_TEXT_CHARS;
