//! Amended plans keep their progress: importing a changed version of the 2024 plan (rows of the
//! appendix table edited here, from the embedded plan) says exactly what changed and carries
//! progress, evidence, events and reports over to the new version; ambiguous matches wait for
//! an administrator's confirmation; nothing of the old version is lost.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cchc_domain::account::{User, UserRole};
use cchc_domain::plan_diff::{ActivitySide, Field};
use cchc_domain::reporting::ReportContent;
use cchc_domain::tracking::{DerivedStatus, Evidence, MilestoneKind, MilestoneQuery, MilestoneRecord, ProgressStatus};
use cchc_domain::{AgencyId, Date, ImportOutcome, PeriodId, PlanVersion, Timestamp};
use cchc_import::SON_LA_2024_PLAN;
use cchc_services::accounts::NewAccount;
use cchc_services::tracking::ProgressInput;
use cchc_services::{App, ServiceError};

fn d(text: &str) -> Date {
    Date::parse(text).expect("date")
}

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2024-07-01T03:00:00Z").expect("timestamp")
}

fn agency(id: &str) -> AgencyId {
    AgencyId::parse(id).expect("agency id")
}

async fn user(app: &App, name: &str, role: UserRole, agency_id: Option<&str>) -> User {
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

fn progress(status: ProgressStatus, on: Option<&str>, evidence: Option<&str>) -> ProgressInput {
    ProgressInput {
        status,
        completed_on: on.map(d),
        evidence: match evidence {
            Some(number) => Evidence { number: number.into(), date: on.map(d), issuer: "UBND tỉnh".into() },
            None => Evidence::default(),
        },
        file: None,
        comment: String::new(),
    }
}

/// The embedded plan with rows of the appendix edited: `edit` sees each line and returns the
/// lines that replace it.
fn edited(edit: impl Fn(&str) -> Vec<String>) -> String {
    SON_LA_2024_PLAN.split('\n').flat_map(edit).collect::<Vec<_>>().join("\n")
}

/// The 2024 plan amended: II.3 removed, the first milestone of II.2 re-dated (January →
/// February), a new II.7 added.
fn amended_2024() -> String {
    edited(|line| {
        if line.starts_with("3\tBan hành Quyết định công bố danh mục các văn bản quy phạm pháp luật")
        {
            return vec![];
        }
        if line.starts_with("2\tBan hành Kế hoạch của UBND tỉnh thực hiện công tác kiểm tra") {
            return vec![line.replace("Ban hành Kế hoạch (tháng 01/2024)", "Ban hành Kế hoạch (tháng 02/2024)")];
        }
        if line.starts_with("6\tBan hành Kế hoạch theo dõi tình hình thi hành pháp luật các lĩnh vực") {
            return vec![
                line.to_string(),
                "7\tRà soát văn bản quy phạm pháp luật về đất đai\tBáo cáo kết quả rà soát\tSở Tư pháp\tSở Tài nguyên và Môi trường\tTháng 9/2024\t".to_string(),
            ];
        }
        vec![line.to_string()]
    })
}

async fn of(app: &App, version: &PlanVersion, code: &str, agency_id: &str) -> Vec<MilestoneRecord> {
    let query = MilestoneQuery { agency: Some(agency(agency_id)), ..Default::default() };
    let all = app.milestones(version, &query).await.expect("milestones");
    all.into_iter().filter(|m| m.activity_code() == code).collect()
}

fn codes(list: &[ActivitySide]) -> Vec<String> {
    list.iter().map(ActivitySide::code).collect()
}

#[tokio::test]
async fn progress_on_the_2024_plan_survives_an_amended_version() {
    let app = App::open_in_memory().await.expect("app");
    let (v1, _, _) = app.current_plan(None).await.expect("plan");
    let officer = user(&app, "tuphap", UserRole::Agency, Some("so-tu-phap")).await;
    let admin = user(&app, "snv", UserRole::Admin, None).await;
    let commune = user(&app, "xa1", UserRole::Agency, Some("ubnd-xa-03646")).await;

    // II.2's plan (due January), recorded twice; II.3, which the amendment removes, done.
    let ii2 = of(&app, &v1, "II.2", "so-tu-phap").await;
    assert_eq!((ii2.len(), ii2[0].due), (2, Some(d("31/01/2024"))));
    app.record_progress(&officer, ii2[0].id, progress(ProgressStatus::InProgress, None, None), now())
        .await
        .expect("in progress");
    app.record_progress(
        &officer,
        ii2[0].id,
        progress(ProgressStatus::Done, Some("18/01/2024"), Some("15/KH-UBND")),
        now(),
    )
    .await
    .expect("done");
    let ii3 = of(&app, &v1, "II.3", "so-tu-phap").await;
    app.record_progress(
        &officer,
        ii3[0].id,
        progress(ProgressStatus::Done, Some("20/01/2024"), Some("99/QĐ-UBND")),
        now(),
    )
    .await
    .expect("done");
    // IV.9 waits for the ministry's guidance: the event dates every assignment.
    let iv9 = app.milestones(&v1, &MilestoneQuery::default()).await.expect("all");
    let waiting = iv9.iter().find(|m| m.activity_code() == "IV.9" && m.kind == MilestoneKind::Event).expect("IV.9");
    app.record_event(&admin, &v1, waiting.activity, waiting.item, d("15/03/2024"), None, "Hướng dẫn của Bộ", now())
        .await
        .expect("event");
    // A commune's draft report for the half-year.
    let s1 = PeriodId::parse("2024S1").expect("period");
    app.save_report(&commune, &agency("ubnd-xa-03646"), s1, &ReportContent::default(), now()).await.expect("draft");

    let report = app.import_plan_text("sua-doi.txt", &amended_2024(), "2024-07-01T03:00:00Z").await.expect("import");
    let ImportOutcome::Created(v2) = &report.outcome else { panic!("{:?}", report.outcome) };
    assert_eq!(v2.version, 2);
    let amendment = report.amendment.as_ref().expect("amendment");
    assert_eq!(amendment.from.id, v1.id);

    // The diff says exactly that: one removed, one re-dated, one added.
    let diff = &amendment.diff;
    assert_eq!(codes(&diff.removed), ["II.3"]);
    assert_eq!(codes(&diff.added), ["II.7"]);
    let changed: Vec<_> = diff.changed().collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(changed[0].new.code(), "II.2");
    assert_eq!(changed[0].changes.len(), 1);
    assert_eq!(changed[0].changes[0].field, Field::Schedule);
    assert!(changed[0].changes[0].old.contains("tháng 01/2024") && changed[0].changes[0].new.contains("tháng 02/2024"));
    assert_eq!(diff.unchanged_count(), v1_activity_count(&app, &v1).await - 2);

    // What was carried: II.2's milestone with its two entries (one citing evidence), the event,
    // the report. II.3's progress has no counterpart and stays under version 1.
    let carried = amendment.carried;
    assert_eq!((carried.milestones, carried.entries, carried.evidence), (1, 2, 1));
    assert_eq!((carried.events, carried.reports), (1, 1));
    assert!(amendment.pending.to_confirm.is_empty(), "{:?}", amendment.pending.to_confirm);
    assert_eq!(amendment.pending.not_carried.iter().map(|m| m.id).collect::<Vec<_>>(), [ii3[0].id]);

    // The new version is current; II.2's plan is due in February and done on time, with its
    // history readable from the new milestone (author and time kept, origin said).
    let (current, _, _) = app.current_plan(None).await.expect("current");
    assert_eq!(current.id, v2.id);
    let new_ii2 = of(&app, &current, "II.2", "so-tu-phap").await;
    assert_eq!(new_ii2[0].due, Some(d("29/02/2024")));
    assert_eq!(new_ii2[0].progress.status, ProgressStatus::Done);
    assert_eq!(new_ii2[0].derived(d("01/07/2024"), app.calendar()), DerivedStatus::DoneOnTime);
    assert_eq!(new_ii2[1].progress.status, ProgressStatus::NotStarted);
    let (_, history) = app.milestone_with_history(&officer, new_ii2[0].id).await.expect("history");
    assert_eq!(history.len(), 2);
    assert!(history.iter().all(|e| e.carried_from_version == Some(1) && e.recorded_by.as_deref() == Some("tuphap")));
    assert_eq!(history[1].evidence.number, "15/KH-UBND");
    // Nobody's progress on the old version changed; the removed activity's is still there.
    let (old_ii2, old_history) = app.milestone_with_history(&officer, ii2[0].id).await.expect("old");
    assert_eq!((old_ii2.progress.status, old_history.len()), (ProgressStatus::Done, 2));
    assert!(old_history.iter().all(|e| e.carried_from_version.is_none()));
    let (old_ii3, old_ii3_history) = app.milestone_with_history(&admin, ii3[0].id).await.expect("removed");
    assert_eq!((old_ii3.progress.completed_on, old_ii3_history.len()), (Some(d("20/01/2024")), 1));
    assert!(of(&app, &current, "II.3", "so-tu-phap").await.is_empty());
    // The event dated IV.9 in the new version too; the added II.7 starts empty.
    let new_iv9 = app.milestones(&current, &MilestoneQuery::default()).await.expect("all");
    let new_waiting: Vec<_> =
        new_iv9.iter().filter(|m| m.activity_code() == "IV.9" && m.kind == MilestoneKind::Event).collect();
    assert!(!new_waiting.is_empty() && new_waiting.iter().all(|m| m.due == Some(d("15/04/2024"))));
    assert!(of(&app, &current, "II.7", "so-tu-phap").await.iter().all(|m| m.updated_at.is_none()));
    // The commune's report follows the plan.
    let detail = app.report_detail(&commune, &agency("ubnd-xa-03646"), s1).await.expect("report");
    assert!(detail.report.is_some());
    // Nothing is left to confirm; importing the same amendment again changes nothing.
    let pending = app.pending_carry_over(&v1, &current).await.expect("pending");
    assert!(pending.to_confirm.is_empty());
    let again = app.import_plan_text("lai.txt", &amended_2024(), "2024-07-02T03:00:00Z").await.expect("again");
    assert!(matches!(again.outcome, ImportOutcome::Unchanged(_)) && again.amendment.is_none());
}

async fn v1_activity_count(app: &App, version: &PlanVersion) -> usize {
    app.load_version(version).await.expect("plan").0.activity_count()
}

#[tokio::test]
async fn an_activity_retitled_beyond_recognition_waits_for_confirmation() {
    let app = App::open_in_memory().await.expect("app");
    let (v1, _, _) = app.current_plan(None).await.expect("plan");
    let officer = user(&app, "tuphap", UserRole::Agency, Some("so-tu-phap")).await;
    let admin = user(&app, "snv", UserRole::Admin, None).await;
    let ii5 = of(&app, &v1, "II.5", "so-tu-phap").await;
    app.record_progress(
        &officer,
        ii5[0].id,
        progress(ProgressStatus::Done, Some("25/01/2024"), Some("20/KH-UBND")),
        now(),
    )
    .await
    .expect("done");
    let text = edited(|line| {
        if line.starts_with("5\tBan hành Kế hoạch về công tác theo dõi tình hình thi hành pháp luật") {
            return vec![line.replace(
                "Ban hành Kế hoạch về công tác theo dõi tình hình thi hành pháp luật trên địa bàn tỉnh",
                "Tổ chức tập huấn nghiệp vụ cho cán bộ pháp chế",
            )];
        }
        vec![line.to_string()]
    });
    let report = app.import_plan_text("doi-ten.txt", &text, "2024-07-01T03:00:00Z").await.expect("import");
    let ImportOutcome::Created(v2) = report.outcome.clone() else { panic!() };
    let amendment = report.amendment.expect("amendment");
    let changed: Vec<_> = amendment.diff.changed().collect();
    assert_eq!((changed.len(), changed[0].changes[0].field), (1, Field::Title));
    // Nothing carried by itself: the match rests on the number alone.
    assert_eq!(amendment.carried.milestones, 0);
    let pending = &amendment.pending.to_confirm;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].old.id, ii5[0].id);
    let new_ii5 = of(&app, &v2, "II.5", "so-tu-phap").await;
    assert_eq!(
        pending[0].candidates.iter().map(|m| m.id).collect::<Vec<_>>(),
        new_ii5.iter().map(|m| m.id).collect::<Vec<_>>()
    );

    // Only an administrator confirms, and only a pair of the same agency of consecutive versions.
    let pair = [(ii5[0].id, new_ii5[0].id)];
    let refused = app.confirm_carry_over(&officer, &v2, &pair, now()).await;
    assert!(matches!(refused, Err(ServiceError::Forbidden(_))), "{refused:?}");
    let other = app.milestones(&v2, &MilestoneQuery { agency: Some(agency("so-noi-vu")), ..Default::default() }).await;
    let other = other.expect("other")[0].id;
    let refused = app.confirm_carry_over(&admin, &v2, &[(ii5[0].id, other)], now()).await;
    assert!(matches!(refused, Err(ServiceError::Invalid(_))), "{refused:?}");
    let carried = app.confirm_carry_over(&admin, &v2, &pair, now()).await.expect("confirmed");
    assert_eq!((carried.milestones, carried.entries, carried.evidence), (1, 1, 1));
    let after = app.milestone(new_ii5[0].id).await.expect("new");
    assert_eq!(after.progress.completed_on, Some(d("25/01/2024")));
    assert!(app.pending_carry_over(&v1, &v2).await.expect("pending").to_confirm.is_empty());
    // A second confirmation of the same milestone is refused.
    let again = app.confirm_carry_over(&admin, &v2, &[(ii5[0].id, new_ii5[1].id)], now()).await;
    assert!(matches!(again, Err(ServiceError::Invalid(_))), "{again:?}");
}

#[tokio::test]
async fn every_trigger_of_a_relative_deadline_follows_the_amended_plan() {
    let app = App::open_in_memory().await.expect("app");
    let (v1, _, _) = app.current_plan(None).await.expect("plan");
    let admin = user(&app, "snv", UserRole::Admin, None).await;
    // III.4: "5 ngày làm việc kể từ ngày nhận hồ sơ hợp lệ"; two dossiers received.
    let all = app.milestones(&v1, &MilestoneQuery::default()).await.expect("all");
    let waiting =
        all.iter().find(|m| m.activity_code() == "III.4" && m.kind == MilestoneKind::Relative).expect("III.4");
    let (first, first_due) =
        app.record_trigger(&admin, &v1, waiting.id, d("04/03/2024"), "Hồ sơ số 1", now()).await.expect("first");
    let (second, second_due) =
        app.record_trigger(&admin, &v1, waiting.id, d("10/04/2024"), "Hồ sơ số 2", now()).await.expect("second");
    assert_ne!(first, second);
    app.record_progress(&admin, second, progress(ProgressStatus::Done, Some("12/04/2024"), None), now())
        .await
        .expect("done");

    let report = app.import_plan_text("sua-doi.txt", &amended_2024(), "2024-07-01T03:00:00Z").await.expect("import");
    let amendment = report.amendment.expect("amendment");
    assert_eq!(amendment.carried.events, 2);
    assert!(amendment.pending.to_confirm.is_empty() && amendment.pending.not_carried.is_empty());
    let (v2, _, _) = app.current_plan(None).await.expect("current");
    let new_iii4 = of(&app, &v2, "III.4", waiting.agency.as_str()).await;
    let dated: Vec<_> =
        new_iii4.iter().filter(|m| m.kind == MilestoneKind::Relative).map(|m| (m.due, m.progress.status)).collect();
    assert_eq!(dated, [(Some(first_due), ProgressStatus::NotStarted), (Some(second_due), ProgressStatus::Done)]);
}
