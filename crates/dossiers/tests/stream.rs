//! The streaming reader against the whole-file reader: on generated files with malformed rows,
//! duplicates (same and changed content), blank lines, a BOM and carriage returns, for block sizes
//! that cut the file everywhere, the window counts, diagnostics and totals are the same as
//! reading the whole file and tallying every record; refusals are the same.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cchc_domain::calendar::WorkCalendar;
use cchc_domain::dossier::{tally, Counts, DayNum, Window, WorkdayIndex};
use cchc_dossiers::{
    count_window, generate, read, store_index, Format, GeneratorConfig, Input, ReadError, ReadOptions, StreamError,
    StreamOptions,
};

fn generated(rows: u64, format: Format, seed: u64) -> Vec<u8> {
    let agencies: Vec<String> = ["so-tu-phap", "so-noi-vu", "ubnd-xa-03646", "14"].map(String::from).to_vec();
    let config = GeneratorConfig { rows, seed, year: 2024, agencies: &agencies };
    let mut out = Vec::new();
    generate(&config, &WorkCalendar::vietnam(), format, &mut out).unwrap();
    out
}

/// Lines of `bytes` with trouble mixed in: malformed rows, repeated codes (some with changed
/// content), blank lines, CRLF endings.
fn troubled(bytes: &[u8], format: Format) -> Vec<u8> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::from("\u{feff}");
    let body_start = usize::from(format == Format::Csv);
    // The first timestamp of a line (NgayTiepNhan) starts after this.
    let stamp = if format == Format::Csv { ",2024" } else { "\"2024" };
    let year = |y: &str| stamp.replace("2024", y);
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        out.push_str(if i % 7 == 3 { "\r\n" } else { "\n" });
        if i < body_start {
            continue;
        }
        match i % 97 {
            5 => out.push('\n'),
            11 => {
                // A later row with an earlier code: same content.
                out.push_str(lines[i / 2 + body_start]);
                out.push('\n');
            }
            23 => {
                // A later row with an earlier code, changed content (another status / date).
                let changed = lines[i / 3 + body_start].replacen(stamp, &year("2023"), 1).replacen(",10,", ",9,", 1);
                out.push_str(&changed);
                out.push('\n');
            }
            53 if format == Format::Csv => {
                // A quoted code (the full splitter), repeating this line's.
                let (id, rest) = line.split_once(',').unwrap();
                out.push_str(&format!("\"{id}\",{rest}\n"));
            }
            31 => out.push_str(if format == Format::Csv { "a,b,c\n" } else { "{\"MaHoSo\": 1,\n" }),
            41 => {
                out.push_str(&line.replacen(stamp, &year(if i % 2 == 0 { "9999" } else { "1900" }), 1));
                out.push('\n');
            }
            _ => {}
        }
    }
    out.into_bytes()
}

type Outcome = (Vec<String>, Vec<Counts>, String);

fn whole(bytes: &[u8], format: Format, window: Window, index: &WorkdayIndex, max_listed: usize) -> Outcome {
    let outcome = read(bytes, format, &ReadOptions { threads: 2, max_listed }).unwrap();
    let mut counts = vec![Counts::default(); outcome.set.agencies.len()];
    for d in &outcome.set.records {
        tally(d, window, index, &mut counts[d.agency.0 as usize]);
    }
    let summary = format!("{} {} {} {:?}", outcome.rows, outcome.quarantined, outcome.duplicates, outcome.diagnostics);
    (outcome.set.agencies, counts, summary)
}

fn streamed(
    input: Input<'_>,
    format: Format,
    block: usize,
    threads: usize,
    window: Window,
    index: &WorkdayIndex,
    max_listed: usize,
) -> Outcome {
    let options = StreamOptions { threads, max_listed, block_bytes: block };
    let got = count_window(input, format, &options, window, index).unwrap();
    let summary = format!("{} {} {} {:?}", got.rows, got.quarantined, got.duplicates, got.diagnostics);
    (got.agencies, got.counts, summary)
}

fn windows() -> Vec<Window> {
    let day = |m, d| DayNum::from_ymd(2024, m, d).unwrap();
    vec![Window::new(day(1, 1), day(6, 30)).unwrap(), Window::new(day(3, 1), day(3, 31)).unwrap()]
}

#[test]
fn streaming_counts_equal_the_whole_file_reader_for_any_block_size() {
    let index = store_index(&WorkCalendar::vietnam());
    for format in [Format::Csv, Format::JsonLines] {
        let bytes = troubled(&generated(2_000, format, 5), format);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, &bytes).unwrap();
        for window in windows() {
            let expected = whole(&bytes, format, window, &index, 1000);
            assert!(expected.2.contains("đã có ở dòng"), "the file has duplicates: {}", expected.2);
            assert!(expected.2.contains("năm 9999 nằm ngoài"), "and far-future dates: {}", expected.2);
            assert!(expected.2.contains("năm 1900 nằm ngoài"), "and far-past dates: {}", expected.2);
            for (block, threads) in [(1, 1), (7, 2), (100, 3), (4_096, 2), (65_536, 1), (1 << 24, 2)] {
                let got = streamed(Input::Bytes(&bytes), format, block, threads, window, &index, 1000);
                assert_eq!(got, expected, "{format:?} {block}");
            }
            let got = streamed(Input::Path(&path), format, 333, 2, window, &index, 1000);
            assert_eq!(got, expected, "{format:?} from a file");
            // Listing stops at the same place.
            let expected = whole(&bytes, format, window, &index, 30);
            assert_eq!(streamed(Input::Path(&path), format, 500, 2, window, &index, 30), expected);
        }
    }
}

#[test]
fn streaming_refuses_what_the_whole_file_reader_refuses() {
    let index = store_index(&WorkCalendar::vietnam());
    let window = windows()[0];
    let options = StreamOptions { threads: 2, max_listed: 10, block_bytes: 64 };
    let refusal = |bytes: &[u8], format: Format| -> (ReadError, ReadError) {
        let whole = read(bytes, format, &ReadOptions::default()).unwrap_err();
        let streamed = match count_window(Input::Bytes(bytes), format, &options, window, &index).unwrap_err() {
            StreamError::Refused(e) => e,
            other => panic!("{other}"),
        };
        (whole, streamed)
    };
    let mut bytes = generated(300, Format::Csv, 9);
    let at = bytes.len() - 40;
    bytes[at] = 0xff;
    let (a, b) = refusal(&bytes, Format::Csv);
    assert_eq!(a, b);
    assert!(matches!(a, ReadError::NotUtf8 { line } if line > 290), "{a:?}");
    // A missing column and a bad byte far down: the encoding is reported, as before.
    let text = String::from_utf8_lossy(&bytes).replacen("NgayTra,", "Ngay,", 1);
    let mut broken = text.into_bytes();
    let at = broken.len() - 40;
    broken[at] = 0xfe;
    let (a, b) = refusal(&broken, Format::Csv);
    assert_eq!(a, b);
    for (bytes, format) in [
        (&b"\n\n  \n"[..], Format::Csv),
        (&b"\n \n"[..], Format::JsonLines),
        (&b"MaHoSo,DonViXuLy\n1,2\n"[..], Format::Csv),
        (&b"\xEF\xBB\xBF\n\xC3\x28\n"[..], Format::Csv),
    ] {
        let (a, b) = refusal(bytes, format);
        assert_eq!(a, b, "{:?}", String::from_utf8_lossy(bytes));
    }
}
