//! Accounts through the services: who may manage them, what deactivation and resets do to
//! sessions, one's own password, the audit, and login throttling that never locks a victim out.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cchc_domain::account::{AccountAction, User, UserRole};
use cchc_domain::{AgencyId, Timestamp};
use cchc_services::accounts::{
    LoginError, NewAccount, PasswordChangeError, CLIENT_FREE_FAILURES, COMMAND_LINE_USERNAME, MAX_DELAY_SECONDS,
};
use cchc_services::{App, ServiceError};

const PASSWORD: &str = "mat-khau-du-dai";

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2024-07-01T03:00:00Z").expect("timestamp")
}

fn account(name: &str, role: UserRole, agency: Option<&str>, password: &str) -> NewAccount {
    NewAccount {
        username: name.into(),
        display_name: format!("Tài khoản {name}"),
        role,
        agency: agency.and_then(AgencyId::parse),
        password: password.into(),
    }
}

async fn setup() -> (App, User, User) {
    let app = App::open_in_memory().await.expect("app");
    let admin = app.create_account(&account("quantri", UserRole::Admin, None, PASSWORD), now()).await.expect("admin");
    let officer = app
        .create_account(&account("tuphap", UserRole::Agency, Some("so-tu-phap"), PASSWORD), now())
        .await
        .expect("officer");
    (app, admin, officer)
}

#[tokio::test]
async fn only_administrators_manage_accounts() {
    let (app, _, officer) = setup().await;
    let refused = |r: Result<(), ServiceError>| matches!(r, Err(ServiceError::Forbidden(_)));
    assert!(refused(app.accounts(&officer).await.map(|_| ())));
    assert!(refused(app.account_events(&officer).await.map(|_| ())));
    assert!(refused(
        app.create_account_as(&officer, &account("moi", UserRole::Viewer, None, ""), now()).await.map(|_| ())
    ));
    assert!(refused(app.set_account_active(&officer, "quantri", false, now()).await.map(|_| ())));
    assert!(refused(app.reset_password(&officer, "quantri", None, now()).await.map(|_| ())));
    // An inactive administrator is nobody.
    let mut former = app.account(&officer, "tuphap").await.expect("own account");
    former.role = UserRole::Admin;
    former.active = false;
    assert!(refused(app.accounts(&former).await.map(|_| ())));
}

#[tokio::test]
async fn an_account_created_by_an_administrator_gets_a_one_time_password_and_is_audited() {
    let (app, admin, _) = setup().await;
    let change = app
        .create_account_as(&admin, &account("noivu", UserRole::Agency, Some("so-noi-vu"), ""), now())
        .await
        .expect("created");
    let password = change.password.expect("generated password");
    assert_eq!(password.chars().count(), 12);
    let session = app.login("noivu", &password, "10.0.0.1", now()).await.expect("login");
    assert!(session.must_change_password);
    assert!(app.must_change_password(&session.user).await.expect("flag"));
    // The agency must exist and agency officers need one.
    let unknown = app
        .create_account_as(&admin, &account("abc", UserRole::Agency, Some("so-khong-co"), ""), now())
        .await
        .expect_err("unknown agency");
    assert!(unknown.to_string().contains("không có cơ quan mã «so-khong-co»"), "{unknown}");
    let none = app.create_account_as(&admin, &account("abc", UserRole::Agency, None, ""), now()).await;
    assert!(matches!(none, Err(ServiceError::Invalid(_))));
    let events = app.account_events(&admin).await.expect("audit");
    let latest = &events[0];
    assert_eq!(
        (latest.actor.as_deref(), latest.target.as_str(), latest.action),
        (Some("quantri"), "noivu", AccountAction::Created)
    );
    // Accounts created without an actor (first run, command line) are the system's doing.
    assert!(events.iter().any(|e| e.target == "tuphap" && e.actor.is_none()));
    // The display name is one line of text: no control character, NUL included, no line break;
    // spaces around it are trimmed.
    for (name, expected) in
        [("Nguyễn\u{0}Văn A", "ký tự điều khiển"), ("Nguyễn\nVăn A", "một dòng"), (&"A".repeat(201) as &str, "200")]
    {
        let mut bad = account("abc", UserRole::Viewer, None, "");
        bad.display_name = name.to_string();
        let refused = app.create_account_as(&admin, &bad, now()).await.expect_err("bad display name");
        assert!(refused.to_string().contains(expected), "{name:?}: {refused}");
    }
    let mut good = account("abc", UserRole::Viewer, None, "");
    good.display_name = "  Lò Thị Ánh  ".into();
    assert_eq!(app.create_account_as(&admin, &good, now()).await.expect("created").user.display_name, "Lò Thị Ánh");
}

#[tokio::test]
async fn deactivation_ends_sessions_at_once_and_reactivation_lets_the_user_back_in() {
    let (app, admin, _) = setup().await;
    let session = app.login("tuphap", PASSWORD, "10.0.0.1", now()).await.expect("login");
    let user = app.set_account_active(&admin, "tuphap", false, now()).await.expect("deactivate");
    assert!(!user.active);
    assert!(app.session(&session.token, now()).await.expect("session").is_none());
    assert!(matches!(app.login("tuphap", PASSWORD, "10.0.0.1", now()).await, Err(LoginError::Invalid)));
    // Deactivating twice changes nothing and writes no second audit line.
    app.set_account_active(&admin, "tuphap", false, now()).await.expect("again");
    let user = app.set_account_active(&admin, "tuphap", true, now()).await.expect("reactivate");
    assert!(user.active);
    assert!(app.login("tuphap", PASSWORD, "10.0.0.2", now()).await.is_ok());
    let actions: Vec<AccountAction> =
        app.account_events(&admin).await.expect("audit").iter().map(|e| e.action).take(2).collect();
    assert_eq!(actions, [AccountAction::Reactivated, AccountAction::Deactivated]);
    // Never oneself, never the command line's account, never an unknown one.
    assert!(matches!(app.set_account_active(&admin, "quantri", false, now()).await, Err(ServiceError::Invalid(_))));
    app.command_line_user(now()).await.expect("command line user");
    assert!(matches!(
        app.set_account_active(&admin, COMMAND_LINE_USERNAME, false, now()).await,
        Err(ServiceError::Invalid(_))
    ));
    assert!(matches!(app.set_account_active(&admin, "khong-co", false, now()).await, Err(ServiceError::NotFound(_))));
}

#[tokio::test]
async fn a_reset_ends_the_sessions_and_the_owner_then_chooses_a_password() {
    let (app, admin, officer) = setup().await;
    let old = app.login("tuphap", PASSWORD, "10.0.0.1", now()).await.expect("login");
    let change = app.reset_password(&admin, "tuphap", None, now()).await.expect("reset");
    let temporary = change.password.expect("generated");
    assert!(app.session(&old.token, now()).await.expect("session").is_none());
    assert!(matches!(app.login("tuphap", PASSWORD, "10.0.0.1", now()).await, Err(LoginError::Invalid)));
    let fresh = app.login("tuphap", &temporary, "10.0.0.1", now()).await.expect("login with the new password");
    assert!(fresh.must_change_password);
    let other = app.login("tuphap", &temporary, "10.0.0.7", now()).await.expect("a second session");

    // Changing one's own password: the current one must be right, the new one long enough.
    let token = fresh.token.clone();
    let wrong =
        app.change_own_password(&officer, "sai-mat-khau-roi", "mat-khau-moi-rat-dai", &token, "10.0.0.1", now());
    assert!(matches!(wrong.await, Err(PasswordChangeError::WrongCurrent)));
    match app.change_own_password(&officer, &temporary, "ngan", &token, "10.0.0.1", now()).await {
        Err(PasswordChangeError::Service(ServiceError::Invalid(problems))) => {
            assert!(problems[0].contains("ít nhất 10 ký tự"), "{problems:?}")
        }
        other => panic!("{other:?}"),
    }
    app.change_own_password(&officer, &temporary, "mat-khau-moi-rat-dai", &token, "10.0.0.1", now())
        .await
        .expect("changed");
    // The session that asked stays; the other ends; the flag is gone.
    assert!(app.session(&fresh.token, now()).await.expect("session").is_some());
    assert!(app.session(&other.token, now()).await.expect("session").is_none());
    assert!(!app.must_change_password(&officer).await.expect("flag"));
    assert!(app.login("tuphap", "mat-khau-moi-rat-dai", "10.0.0.1", now()).await.is_ok());
    let actions: Vec<AccountAction> =
        app.account_events(&admin).await.expect("audit").iter().map(|e| e.action).take(2).collect();
    assert_eq!(actions, [AccountAction::PasswordChanged, AccountAction::PasswordReset]);
    // An administrator does not reset their own password (it would skip the current one).
    assert!(matches!(app.reset_password(&admin, "quantri", None, now()).await, Err(ServiceError::Invalid(_))));
    // An explicit password is checked.
    assert!(matches!(app.reset_password(&admin, "tuphap", Some("ngan"), now()).await, Err(ServiceError::Invalid(_))));
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_like_logins() {
    let (app, _, officer) = setup().await;
    let session = app.login("tuphap", PASSWORD, "10.0.0.1", now()).await.expect("login");
    for _ in 0..3 {
        let answer =
            app.change_own_password(&officer, "sai", "mat-khau-moi-rat-dai", &session.token, "10.0.0.1", now());
        assert!(matches!(answer.await, Err(PasswordChangeError::WrongCurrent)));
    }
    let answer = app.change_own_password(&officer, PASSWORD, "mat-khau-moi-rat-dai", &session.token, "10.0.0.1", now());
    assert!(matches!(answer.await, Err(PasswordChangeError::Throttled { retry_after: 1 })));
}

#[tokio::test]
async fn the_delay_grows_per_pair_and_never_reaches_another_client() {
    let (app, _, _) = setup().await;
    let at = |seconds: i64| now().plus_seconds(seconds);
    // Three free failures, then 1 s, 2 s, 4 s … after the latest failure.
    for _ in 0..3 {
        assert!(matches!(app.login("tuphap", "sai", "10.0.0.9", at(0)).await, Err(LoginError::Invalid)));
    }
    let mut t = 0;
    for expected in [1, 2, 4, 8, 16] {
        assert!(matches!(
            app.login("tuphap", PASSWORD, "10.0.0.9", at(t)).await,
            Err(LoginError::Throttled { retry_after }) if retry_after == expected
        ));
        // One second early is still too early; on time the attempt is looked at (and fails).
        assert!(matches!(
            app.login("tuphap", "sai", "10.0.0.9", at(t + expected - 1)).await,
            Err(LoginError::Throttled { retry_after: 1 })
        ));
        t += expected;
        assert!(matches!(app.login("tuphap", "sai", "10.0.0.9", at(t)).await, Err(LoginError::Invalid)));
    }
    // The victim, elsewhere, is never refused.
    assert!(app.login("tuphap", PASSWORD, "10.0.0.1", at(t)).await.is_ok());
    // The attacker's delay is capped.
    for _ in 0..10 {
        let wait = match app.login("tuphap", "sai", "10.0.0.9", at(t)).await {
            Err(LoginError::Throttled { retry_after }) => retry_after,
            other => panic!("{other:?}"),
        };
        assert!(wait <= MAX_DELAY_SECONDS);
        t += wait;
        assert!(matches!(app.login("tuphap", "sai", "10.0.0.9", at(t)).await, Err(LoginError::Invalid)));
    }
    let Err(LoginError::Throttled { retry_after }) = app.login("tuphap", "sai", "10.0.0.9", at(t)).await else {
        panic!("not throttled")
    };
    assert_eq!(retry_after, MAX_DELAY_SECONDS);
    // Once the wait is over, the right password gets in and the pair starts afresh.
    t += retry_after;
    assert!(app.login("tuphap", PASSWORD, "10.0.0.9", at(t)).await.is_ok());
    assert!(matches!(app.login("tuphap", "sai", "10.0.0.9", at(t)).await, Err(LoginError::Invalid)));
}

#[tokio::test]
async fn one_client_spraying_many_usernames_is_slowed_down() {
    let (app, _, _) = setup().await;
    for i in 0..CLIENT_FREE_FAILURES {
        let name = format!("nguoi-{i}");
        assert!(matches!(app.login(&name, "sai", "10.0.0.9", now()).await, Err(LoginError::Invalid)), "{i}");
    }
    // A fresh username from the same client now waits; from another client it does not.
    assert!(matches!(
        app.login("tuphap", PASSWORD, "10.0.0.9", now()).await,
        Err(LoginError::Throttled { retry_after: 1 })
    ));
    assert!(app.login("tuphap", PASSWORD, "10.0.0.1", now()).await.is_ok());
    // The per-client count forgets after its window.
    assert!(app.login("tuphap", PASSWORD, "10.0.0.9", now().plus_seconds(3601)).await.is_ok());
}

#[tokio::test]
async fn parallel_guesses_cannot_slip_past_the_delay() {
    let (app, _, _) = setup().await;
    let app = std::sync::Arc::new(app);
    for _ in 0..2 {
        assert!(matches!(app.login("tuphap", "sai", "10.0.0.9", now()).await, Err(LoginError::Invalid)));
    }
    // Eight guesses at once: one is checked (the third failure), the others wait.
    let guesses: Vec<_> = (0..8)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move { app.login("tuphap", &format!("sai-{i}"), "10.0.0.9", now()).await })
        })
        .collect();
    let mut checked = 0;
    for guess in guesses {
        match guess.await.expect("task") {
            Err(LoginError::Invalid) => checked += 1,
            Err(LoginError::Throttled { .. }) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(checked, 1);
    assert!(matches!(
        app.login("tuphap", PASSWORD, "10.0.0.9", now()).await,
        Err(LoginError::Throttled { retry_after: 1 })
    ));
}
