//! The store: hand-computed counts after an import, idempotent appends, replacement of a
//! re-sent dossier, the engine agreeing with `tally`, a million generated dossiers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;

use cchc_domain::calendar::WorkCalendar;
use cchc_domain::dossier::{tally, Counts, DayNum, Window, WorkdayIndex};
use cchc_dossiers::{generate, read, store_index, DossierSet, DossierStore, Format, GeneratorConfig, ReadOptions};

const HEADER: &str = "MaHoSo,MaTTHC,DonViXuLy,KenhThucHien,NgayTiepNhan,NgayHenTra,NgayKetThucXuLy,NgayTra,TrangThaiHoSo,CoPhiLePhi,DuocThanhToanTrucTuyen,DanhGia,PhieuXinLoi";

/// March 2024 seen by the rules (docs/dossiers.md §2):
/// A carried over, ended late on 05/03 without apology; B carried over, still open, appointment
/// 04/03 passed; C ended in February (outside); D received online with a fee paid online, early;
/// E withdrawn; F received 28/03, open, appointment in April; G (the commune) on time, rated 5;
/// H received in April (outside).
const MARCH: &str = "\
A,1.001,so-tu-phap,1,20240220090000,20240226170000,20240305100000,20240306090000,10,0,0,,0
B,1.001,so-tu-phap,1,20240225080000,20240304170000,,,4,0,0,,0
C,1.001,so-tu-phap,1,20240210080000,20240215170000,20240220100000,20240220110000,10,0,0,,0
D,1.002,so-tu-phap,2,20240304090000,20240307170000,20240306150000,,9,1,1,,0
E,1.002,so-tu-phap,1,20240305100000,20240308170000,20240306100000,20240306100000,7,0,0,,0
F,1.003,so-tu-phap,1,20240328080000,20240410170000,,,2,0,0,,0
G,1.003,ubnd-xa-03646,1,20240311080000,20240314170000,20240314160000,20240315080000,10,0,0,5,0
H,1.003,so-tu-phap,1,20240402080000,20240405170000,,,2,0,0,,0
";

fn csv(rows: &str) -> Vec<u8> {
    format!("{HEADER}\n{rows}").into_bytes()
}

fn read_csv(bytes: &[u8]) -> DossierSet {
    let outcome = read(bytes, Format::Csv, &ReadOptions::default()).unwrap();
    assert_eq!(outcome.quarantined, 0, "{:?}", outcome.diagnostics);
    outcome.set
}

fn march() -> Window {
    Window::new(DayNum::from_ymd(2024, 3, 1).unwrap(), DayNum::from_ymd(2024, 3, 31).unwrap()).unwrap()
}

fn index() -> WorkdayIndex {
    store_index(&WorkCalendar::vietnam())
}

/// Counts per agency code.
fn counts(store: &DossierStore, window: Window) -> BTreeMap<String, Counts> {
    let snapshot = store.snapshot().unwrap();
    snapshot.agencies.iter().cloned().zip(snapshot.aggregates.query(window)).collect()
}

/// Every file of the store with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn a_month_through_the_store_gives_the_hand_computed_table() {
    let dir = tempfile::tempdir().unwrap();
    let store = DossierStore::new(dir.path());
    let report = store.append(&read_csv(&csv(MARCH)), &index(), &mut |_, _, _| {}).unwrap();
    assert_eq!((report.added, report.replaced, report.unchanged, report.total), (8, 0, 0, 8));
    let all = counts(&store, march());
    let expected = Counts {
        received: 3,
        carried_over: 2,
        resolved_early: 1,
        resolved_late: 1,
        in_progress_within: 1,
        in_progress_overdue: 1,
        withdrawn: 1,
        online: 1,
        fee_required: 1,
        paid_online: 1,
        resolved_late_or_dissatisfied: 1,
        late_without_apology: 1,
        ..Counts::default()
    };
    assert_eq!(all["so-tu-phap"], expected);
    let commune = Counts { received: 1, resolved_on_time: 1, rated: 1, satisfied: 1, ..Counts::default() };
    assert_eq!(all["ubnd-xa-03646"], commune);
    // February: A, B and C received; C ended on 20/02, after its appointment (15/02): late; at
    // 29/02 A is open past its appointment (26/02), B open within (04/03).
    let february = Window::new(DayNum::from_ymd(2024, 2, 1).unwrap(), DayNum::from_ymd(2024, 2, 29).unwrap()).unwrap();
    let feb = counts(&store, february);
    assert_eq!(feb["so-tu-phap"].received, 3);
    assert_eq!(feb["so-tu-phap"].resolved_late, 1);
    assert_eq!(feb["so-tu-phap"].in_progress_within, 1);
    assert_eq!(feb["so-tu-phap"].in_progress_overdue, 1);
    assert_eq!(feb["so-tu-phap"].carried_over, 0);
}

#[test]
fn importing_twice_is_importing_once_and_a_resent_dossier_replaces_the_old() {
    let dir = tempfile::tempdir().unwrap();
    let store = DossierStore::new(dir.path());
    store.append(&read_csv(&csv(MARCH)), &index(), &mut |_, _, _| {}).unwrap();
    let before = files(dir.path());
    let again = store.append(&read_csv(&csv(MARCH)), &index(), &mut |_, _, _| {}).unwrap();
    assert_eq!((again.added, again.replaced, again.unchanged), (0, 0, 8));
    assert_eq!(files(dir.path()), before, "nothing written");

    // B ended since (late, on 10/03), and a new dossier J arrives with it.
    let update = "\
B,1.001,so-tu-phap,1,20240225080000,20240304170000,20240310100000,20240311090000,10,0,0,,1
J,1.001,so-tu-phap,1,20240312080000,20240315170000,,,4,0,0,,0
";
    let report = store.append(&read_csv(&csv(update)), &index(), &mut |_, _, _| {}).unwrap();
    assert_eq!((report.added, report.replaced, report.unchanged, report.total), (1, 1, 0, 9));
    let all = counts(&store, march());
    let so = all["so-tu-phap"];
    assert_eq!(so.resolved_late, 2);
    assert_eq!(so.in_progress_overdue, 1, "J is overdue at 31/03, B is no longer open");
    assert_eq!(so.late_without_apology, 1, "B came with an apology");
    assert_eq!(so.received, 4);
    // The same as building the store from the final versions at once.
    let fresh = tempfile::tempdir().unwrap();
    let once = DossierStore::new(fresh.path());
    let merged: String = MARCH.lines().filter(|l| !l.starts_with("B,")).map(|l| format!("{l}\n")).collect();
    once.append(&read_csv(&csv(&format!("{merged}{update}"))), &index(), &mut |_, _, _| {}).unwrap();
    assert_eq!(counts(&once, march()), all);
    for window in
        [march(), Window::new(DayNum::from_ymd(2024, 1, 1).unwrap(), DayNum::from_ymd(2024, 12, 31).unwrap()).unwrap()]
    {
        assert_eq!(counts(&once, window), counts(&store, window));
    }
    // J (in the index's delta since the last append) ends too; B is sent again unchanged.
    let later = "\
B,1.001,so-tu-phap,1,20240225080000,20240304170000,20240310100000,20240311090000,10,0,0,,1
J,1.001,so-tu-phap,1,20240312080000,20240315170000,20240314100000,,9,0,0,,0
";
    let report = store.append(&read_csv(&csv(later)), &index(), &mut |_, _, _| {}).unwrap();
    assert_eq!((report.added, report.replaced, report.unchanged, report.total), (0, 1, 1, 9));
    let so = counts(&store, march())["so-tu-phap"];
    assert_eq!((so.in_progress_overdue, so.resolved_early), (0, 2), "J resolved early");
    let all = counts(&store, march());
    let fresh = tempfile::tempdir().unwrap();
    let once = DossierStore::new(fresh.path());
    let merged: String = MARCH.lines().filter(|l| !l.starts_with("B,")).map(|l| format!("{l}\n")).collect();
    once.append(&read_csv(&csv(&format!("{merged}{later}"))), &index(), &mut |_, _, _| {}).unwrap();
    assert_eq!(counts(&once, march()), all);

    // The scan sees the live versions only.
    let mut seen = Vec::new();
    store.scan(|id, d| seen.push((id.to_string(), d.status.code()))).unwrap();
    seen.sort();
    assert_eq!(seen.iter().filter(|(id, _)| id == "B").count(), 1);
    assert!(seen.contains(&("B".to_string(), 10)));
    // Parquet files exist per receipt month.
    let parquet: Vec<String> = files(dir.path()).into_keys().filter(|k| k.ends_with(".parquet")).collect();
    assert!(parquet.iter().any(|p| p.contains("year=2024") && p.contains("month=02")), "{parquet:?}");
    assert!(parquet.iter().any(|p| p.contains("month=03")), "{parquet:?}");
}

#[test]
fn a_million_generated_dossiers_through_the_store_agree_with_tally() {
    let calendar = WorkCalendar::vietnam();
    let agencies: Vec<String> = (0..40).map(|i| format!("ag-{i:02}")).collect();
    let config = GeneratorConfig { rows: 1_000_000, seed: 11, year: 2024, agencies: &agencies };
    let mut bytes = Vec::new();
    generate(&config, &calendar, Format::Csv, &mut bytes).unwrap();
    let set = read(&bytes, Format::Csv, &ReadOptions::default()).unwrap().set;
    drop(bytes);
    let dir = tempfile::tempdir().unwrap();
    let store = DossierStore::new(dir.path());
    let index = index();
    let report = store.append(&set, &index, &mut |_, _, _| {}).unwrap();
    assert_eq!(report.added, set.len());
    let snapshot = store.snapshot().unwrap();
    assert_eq!(snapshot.dossiers, set.len());
    for (from, to) in [((2024, 1, 1), (2024, 3, 31)), ((2024, 7, 1), (2024, 12, 31)), ((2024, 3, 1), (2024, 3, 31))] {
        let window =
            Window::new(DayNum::from_ymd(from.0, from.1, from.2).unwrap(), DayNum::from_ymd(to.0, to.1, to.2).unwrap())
                .unwrap();
        let mut expected = vec![Counts::default(); set.agencies.len()];
        for d in &set.records {
            tally(d, window, &index, &mut expected[d.agency.0 as usize]);
        }
        let expected: BTreeMap<String, Counts> = set.agencies.iter().cloned().zip(expected).collect();
        let got: BTreeMap<String, Counts> =
            snapshot.agencies.iter().cloned().zip(snapshot.aggregates.query(window)).collect();
        assert_eq!(got, expected);
    }
}
