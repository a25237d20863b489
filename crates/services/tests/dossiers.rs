//! The dossier services beyond the table (whose CLI test is tests/dossiers.rs at the root):
//! an agency's period report beside the same indicators computed from the one-stop-shop
//! dossiers (hand-computed counts for Sở Tư pháp in the 6-month window 15/12/2023–13/06/2024,
//! equal values matched, different ones flagged, nothing shown before any dossier is imported),
//! and the mapping of other `DonViXuLy` codes to agencies.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cchc_domain::account::{User, UserRole};
use cchc_domain::reporting::{IndicatorCode, Part, ReportContent};
use cchc_domain::{AgencyId, PeriodId, Timestamp};
use cchc_dossiers::Format;
use cchc_services::accounts::NewAccount;
use cchc_services::App;

fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).expect("timestamp")
}

async fn account(app: &App, name: &str, role: UserRole, agency: Option<&str>) -> User {
    app.create_account(
        &NewAccount {
            username: name.into(),
            display_name: name.into(),
            role,
            agency: agency.map(|a| AgencyId::parse(a).unwrap()),
            password: "mat-khau-du-dai".into(),
        },
        at("2024-06-01T01:00:00Z"),
    )
    .await
    .expect("account")
}

/// Sở Tư pháp: A late (ended 05/03 after its appointment 26/02), B and F open past their
/// appointments at 13/06, D (online) and W early, E withdrawn; X another agency's.
/// In 2024S1: received 6 (online 1); early 2, on time 0, late 1, open and overdue 2.
const DOSSIERS_CSV: &str = include_str!("../../../tests/fixtures/dossiers-march-2024.csv");

/// The March fixture with X (received online) handled by Sở Tài chính.
fn dossiers() -> String {
    DOSSIERS_CSV.replace("X,1.003,khong-co-don-vi-nay,1,", "X,1.003,so-tai-chinh,2,")
}

fn code(text: &str) -> IndicatorCode {
    IndicatorCode::parse(text).unwrap()
}

#[tokio::test]
async fn reported_values_beside_the_dossiers_with_differences_flagged() {
    let folder = tempfile::tempdir().unwrap();
    let app = App::open_in_memory().await.unwrap().with_dossier_dir(folder.path().join("dossiers"));
    let admin = account(&app, "snv", UserRole::Admin, None).await;
    let officer = account(&app, "stp", UserRole::Agency, Some("so-tu-phap")).await;
    let agency = AgencyId::parse("so-tu-phap").unwrap();
    let s1 = PeriodId::parse("2024S1").unwrap();

    let mut content = ReportContent::default();
    for (indicator, n, d) in [("III.6.1", 2.0, 5.0), ("VII.2.2", 2.0, 6.0)] {
        content.values.insert((code(indicator), Part::Numerator), n);
        content.values.insert((code(indicator), Part::Denominator), d);
    }
    app.save_report(&officer, &agency, s1, &content, at("2024-06-10T01:00:00Z")).await.unwrap();
    let detail = app.report_detail(&officer, &agency, s1).await.unwrap();
    let stored = detail.report.as_ref().map(|r| &r.content);

    // Nothing imported yet: nothing to compare with.
    assert_eq!(app.computed_figures(&officer, &detail.form, stored).await.unwrap(), None);

    app.import_dossiers(&admin, dossiers().as_bytes(), Format::Csv, &mut |_, _, _| {}).unwrap();
    let figures = app.computed_figures(&officer, &detail.form, stored).await.unwrap().expect("figures");
    let codes: Vec<&str> = figures.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["III.2.2", "III.3.1", "III.6.1", "VII.2.2"]);
    let by = |c: &str| figures.iter().find(|f| f.code.as_str() == c).unwrap();

    let on_time = by("III.6.1");
    assert_eq!((on_time.computed.numerator, on_time.computed.denominator), (2.0, 5.0));
    assert!(!on_time.differs(), "2/5 reported, 2/5 computed");
    assert_eq!(on_time.verdict_vn(), "Khớp với số tính từ hồ sơ");
    assert!(on_time.formula.starts_with("(giải quyết trước hạn + giải quyết đúng hạn) ÷"));

    let online = by("VII.2.2");
    assert_eq!((online.computed.numerator, online.computed.denominator), (1.0, 6.0));
    assert!(online.differs());
    assert_eq!(
        online.verdict_vn(),
        "Chênh lệch: báo cáo 2/6 (33,3%), tính từ hồ sơ 1/6 (16,7%) (tử số chênh +1; tỷ lệ báo cáo cao hơn 16,6 điểm %)"
    );
    // No fee-bearing dossier, no rating: 0/0, and the agency has not answered them.
    let paid = by("III.2.2");
    assert_eq!((paid.computed.numerator, paid.computed.denominator), (0.0, 0.0));
    assert_eq!(paid.reported, None);
    assert!(!paid.differs());

    // Another agency's form counts only its own dossiers (X: received online, still open).
    let finance = AgencyId::parse("so-tai-chinh").unwrap();
    let form = app.report_form(&finance, s1).await.unwrap();
    let figures = app.computed_figures(&admin, &form, None).await.unwrap().expect("figures");
    let online = figures.iter().find(|f| f.code.as_str() == "VII.2.2").unwrap();
    assert_eq!((online.computed.numerator, online.computed.denominator), (1.0, 1.0));
    assert_eq!(online.verdict_vn(), "Cơ quan chưa báo cáo số liệu");
}

#[tokio::test]
async fn other_unit_codes_are_mapped_to_agencies_by_the_department_of_home_affairs_only() {
    let folder = tempfile::tempdir().unwrap();
    let app = App::open_in_memory().await.unwrap().with_dossier_dir(folder.path().join("dossiers"));
    let admin = account(&app, "snv", UserRole::Admin, None).await;
    let officer = account(&app, "stp", UserRole::Agency, Some("so-tu-phap")).await;
    // The province system's own codes: two dossiers of «000.00.12.H56» (Sở Tư pháp's unit in
    // that system, say), one of «LAI-CHAU» that belongs to nobody here.
    let csv = dossiers()
        .replace("A,1.001,so-tu-phap", "A,1.001,000.00.12.H56")
        .replace("B,1.001,so-tu-phap", "B,1.001,000.00.12.H56")
        + "Z,1.003,LAI-CHAU,1,20240304080000,20240308170000,,,2,,0\n";
    app.import_dossiers(&admin, csv.as_bytes(), Format::Csv, &mut |_, _, _| {}).unwrap();

    let unresolved = app.unresolved_dossier_codes(&officer).unwrap();
    let listed: Vec<(&str, u64)> = unresolved.iter().map(|u| (u.code.as_str(), u.dossiers)).collect();
    assert_eq!(listed, [("000.00.12.H56", 2), ("LAI-CHAU", 1)]);
    let period = app.dossier_period("2024S1").await.unwrap();
    let justice = |app: &App| {
        let table =
            app.dossier_indicators(&officer, &period, Some(&AgencyId::parse("so-tu-phap").unwrap()), None).unwrap();
        table.rows.first().map_or(0, |r| r.counts.received)
    };
    assert_eq!(justice(&app), 4, "D, E, F and W, without A and B");

    // Only Sở Nội vụ maps; a bad code or an unknown agency changes nothing.
    let stp = AgencyId::parse("so-tu-phap").unwrap();
    let now = at("2024-06-20T01:00:00Z");
    let refused = app.map_dossier_code(&officer, "000.00.12.H56", &stp, now).await.unwrap_err();
    assert!(refused.to_string().contains("chỉ Sở Nội vụ"), "{refused}");
    let empty = app.map_dossier_code(&admin, "  ", &stp, now).await.unwrap_err();
    assert!(empty.to_string().contains("không được để trống"), "{empty}");
    let nobody = app.map_dossier_code(&admin, "X1", &AgencyId::parse("so-khong-co").unwrap(), now).await.unwrap_err();
    assert!(nobody.to_string().contains("so-khong-co"), "{nobody}");
    assert!(app.dossier_code_mappings().is_empty());

    let mapping = app.map_dossier_code(&admin, " 000.00.12.H56 ", &stp, now).await.unwrap();
    assert_eq!(mapping.code, "000.00.12.H56");
    assert_eq!(app.dossier_code_mappings().len(), 1);
    assert_eq!(justice(&app), 6, "A and B count for Sở Tư pháp at once, without a new import");
    let listed: Vec<String> = app.unresolved_dossier_codes(&officer).unwrap().into_iter().map(|u| u.code).collect();
    assert_eq!(listed, ["LAI-CHAU"]);

    assert!(app.unmap_dossier_code(&officer, "000.00.12.H56").await.is_err());
    app.unmap_dossier_code(&admin, "000.00.12.H56").await.unwrap();
    assert_eq!(justice(&app), 4);
    let again = app.unmap_dossier_code(&admin, "000.00.12.H56").await.unwrap_err();
    assert!(again.to_string().contains("không tìm thấy"), "{again}");
}

#[tokio::test]
async fn a_reader_follows_imports_made_by_another_process() {
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path().join("dossiers");
    // Two applications over the same store, as the server and a `cchc dossiers import` are.
    let server = App::open_in_memory().await.unwrap().with_dossier_dir(dir.clone());
    let command_line = App::open_in_memory().await.unwrap().with_dossier_dir(dir);
    let admin = account(&command_line, "snv", UserRole::Admin, None).await;
    let viewer = account(&server, "xem", UserRole::Viewer, None).await;
    let period = server.dossier_period("2024-03").await.unwrap();
    let received = |app: &App| -> u64 {
        app.dossier_indicators(&viewer, &period, None, None).unwrap().rows.iter().map(|r| r.counts.received).sum()
    };
    assert_eq!(received(&server), 0);
    let (first, rest) = DOSSIERS_CSV.split_at(DOSSIERS_CSV.find("\nF,").unwrap() + 1);
    command_line.import_dossiers(&admin, first.as_bytes(), Format::Csv, &mut |_, _, _| {}).unwrap();
    assert_eq!(received(&server), 2, "D and E");
    assert_eq!(received(&server), 2, "asked again: the kept snapshot");
    let header = DOSSIERS_CSV.lines().next().unwrap();
    command_line
        .import_dossiers(&admin, format!("{header}\n{rest}").as_bytes(), Format::Csv, &mut |_, _, _| {})
        .unwrap();
    assert_eq!(received(&server), 4, "F and W, X being no agency's and Q quarantined");
}
