//! The streamed import (`DossierStore::append_stream`): several segments per import, the same
//! store contents as appending the whole-file reader's set, all-or-nothing on refusal, importing
//! twice = once, a re-sent dossier replacing the old one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;

use cchc_domain::calendar::WorkCalendar;
use cchc_domain::dossier::{DayNum, Window};
use cchc_dossiers::{
    generate, read, store_index, DossierStore, Format, GeneratorConfig, ImportError, Input, ReadOptions, StreamOptions,
};

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
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

/// A generated file with repeated codes (same and changed content) and a malformed row.
fn file(rows: u64, seed: u64) -> Vec<u8> {
    let agencies: Vec<String> = ["so-tu-phap", "so-noi-vu", "ubnd-xa-03646"].map(String::from).to_vec();
    let config = GeneratorConfig { rows, seed, year: 2024, agencies: &agencies };
    let mut out = Vec::new();
    generate(&config, &WorkCalendar::vietnam(), Format::Csv, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut with = String::new();
    for (i, line) in lines.iter().enumerate() {
        with.push_str(line);
        with.push('\n');
        if i > 0 && i % 50 == 0 {
            with.push_str(lines[i / 2 + 1]);
            with.push('\n');
            with.push_str(&lines[i / 3 + 1].replacen(",2024", ",2023", 1));
            with.push('\n');
            with.push_str("x,y\n");
        }
    }
    with.into_bytes()
}

fn windows() -> Vec<Window> {
    let day = |m, d| DayNum::from_ymd(2024, m, d).unwrap();
    vec![Window::new(day(1, 1), day(12, 31)).unwrap(), Window::new(day(3, 1), day(3, 31)).unwrap()]
}

fn table(store: &DossierStore) -> Vec<BTreeMap<String, cchc_domain::dossier::Counts>> {
    let snapshot = store.snapshot().unwrap();
    windows()
        .into_iter()
        .map(|w| snapshot.agencies.iter().cloned().zip(snapshot.aggregates.query(w)).collect())
        .collect()
}

fn options() -> StreamOptions {
    StreamOptions { threads: 2, max_listed: 1000, block_bytes: 1_000 }
}

#[test]
fn a_streamed_import_stores_what_appending_the_whole_set_stores() {
    let index = store_index(&WorkCalendar::vietnam());
    let bytes = file(1_200, 3);
    let outcome = read(&bytes, Format::Csv, &ReadOptions::default()).unwrap();
    assert!(outcome.duplicates > 0 && outcome.quarantined > 0);
    let whole = tempfile::tempdir().unwrap();
    let whole_store = DossierStore::new(whole.path());
    let expected = whole_store.append(&outcome.set, &index, &mut |_, _, _| {}).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.csv");
    std::fs::write(&path, &bytes).unwrap();
    let data = tempfile::tempdir().unwrap();
    let store = DossierStore::new(data.path()).with_segment_rows(100);
    let got = store.append_stream(Input::Path(&path), Format::Csv, &options(), &index, &mut |_, _, _| {}).unwrap();
    assert_eq!(got.report, expected);
    assert_eq!((got.rows, got.quarantined, got.duplicates), (outcome.rows, outcome.quarantined, outcome.duplicates));
    assert_eq!(got.diagnostics, outcome.diagnostics);
    assert_eq!(got.agencies, outcome.set.agencies);
    assert_eq!(table(&store), table(&whole_store));
    let segments = files(data.path()).keys().filter(|k| k.starts_with("segments")).count();
    assert!(segments >= 10, "one segment per 100 new dossiers: {segments}");
    let mut ids = Vec::new();
    store.scan(|id, _| ids.push(id.to_owned())).unwrap();
    let mut expected_ids: Vec<String> = (0..outcome.set.len()).map(|i| outcome.set.id(i).unwrap().to_owned()).collect();
    ids.sort();
    expected_ids.sort();
    assert_eq!(ids, expected_ids);

    // Twice = once: nothing written.
    let before = files(data.path());
    let again = store.append_stream(Input::Path(&path), Format::Csv, &options(), &index, &mut |_, _, _| {}).unwrap();
    assert_eq!((again.report.added, again.report.replaced, again.report.unchanged), (0, 0, outcome.set.len()));
    assert_eq!(files(data.path()), before);

    // A re-sent dossier with new content replaces the old one, as in the whole-set append.
    let text = String::from_utf8(bytes.clone()).unwrap();
    let header = text.lines().next().unwrap();
    let resent: String = text.lines().skip(1).take(40).map(|l| format!("{}\n", l.replacen(",0,", ",1,", 1))).collect();
    let update = format!("{header}\n{resent}").into_bytes();
    let streamed =
        store.append_stream(Input::Bytes(&update), Format::Csv, &options(), &index, &mut |_, _, _| {}).unwrap();
    let set = read(&update, Format::Csv, &ReadOptions::default()).unwrap().set;
    let whole_report = whole_store.append(&set, &index, &mut |_, _, _| {}).unwrap();
    assert_eq!(streamed.report, whole_report);
    assert!(streamed.report.replaced > 0);
    assert_eq!(table(&store), table(&whole_store));
}

#[test]
fn a_refused_file_leaves_the_store_byte_identical() {
    let index = store_index(&WorkCalendar::vietnam());
    let data = tempfile::tempdir().unwrap();
    let store = DossierStore::new(data.path()).with_segment_rows(50);
    store.append_stream(Input::Bytes(&file(300, 1)), Format::Csv, &options(), &index, &mut |_, _, _| {}).unwrap();
    let before = files(data.path());
    // New dossiers first, a byte that is not UTF-8 near the end: refused after thousands of
    // rows were read, nothing written.
    let mut bad = file(600, 2);
    let at = bad.len() - 30;
    bad[at] = 0xff;
    let err = store.append_stream(Input::Bytes(&bad), Format::Csv, &options(), &index, &mut |_, _, _| {}).unwrap_err();
    assert!(matches!(err, ImportError::Refused(_)), "{err}");
    assert!(err.to_string().contains("UTF-8"), "{err}");
    assert_eq!(files(data.path()), before);
    // Into an empty store: no file at all.
    let empty = tempfile::tempdir().unwrap();
    let fresh = DossierStore::new(empty.path()).with_segment_rows(50);
    assert!(fresh.append_stream(Input::Bytes(&bad), Format::Csv, &options(), &index, &mut |_, _, _| {}).is_err());
    assert!(files(empty.path()).is_empty());
}

#[test]
fn counters_follow_a_changed_calendar() {
    // Calendar B: calendar A (the embedded table) plus a day off on Monday 04/03/2024.
    let table_a = include_str!("../../domain/src/calendar/days_off.tsv");
    let table_b = format!("{table_a}\n04/03/2024\tholiday\tNgày nghỉ thêm (thử)\tkiểm thử\n");
    let (a, b) = (WorkCalendar::from_table(table_a), WorkCalendar::from_table(&table_b));
    let (index_a, index_b) = (store_index(&a), store_index(&b));
    assert_ne!(cchc_dossiers::calendar_fingerprint(&index_a), cchc_dossiers::calendar_fingerprint(&index_b));
    let bytes = file(600, 8);
    let import = |store: &DossierStore, bytes: &[u8], index| {
        store.append_stream(Input::Bytes(bytes), Format::Csv, &options(), index, &mut |_, _, _| {}).unwrap()
    };
    let fresh_b = tempfile::tempdir().unwrap();
    let store_b = DossierStore::new(fresh_b.path()).with_segment_rows(64);
    import(&store_b, &bytes, &index_b);
    let data = tempfile::tempdir().unwrap();
    let store = DossierStore::new(data.path()).with_segment_rows(64);
    import(&store, &bytes, &index_a);
    let under_a = table(&store);
    assert_ne!(under_a, table(&store_b), "the day off moves legal dates: the counts differ");
    // Asked under B: rebuilt, committed, equal to a fresh import under B.
    let snapshot = store.snapshot_for(&index_b).unwrap();
    let windows = windows();
    for (w, expected) in windows.iter().zip(table(&store_b)) {
        let got: BTreeMap<String, _> = snapshot.agencies.iter().cloned().zip(snapshot.aggregates.query(*w)).collect();
        assert_eq!(got, expected);
    }
    assert_eq!(table(&store), table(&store_b), "the rebuild is on disk");
    let files_after = files(data.path());
    store.snapshot_for(&index_b).unwrap();
    assert_eq!(files(data.path()), files_after, "asked again under B: nothing rebuilt");
    // Back to A by an append of more dossiers: rebuilt under A, then the new rows added.
    let more = file(200, 9);
    import(&store, &more, &index_a);
    let both = tempfile::tempdir().unwrap();
    let store_both = DossierStore::new(both.path());
    import(&store_both, &bytes, &index_a);
    import(&store_both, &more, &index_a);
    assert_eq!(table(&store), table(&store_both));
}
