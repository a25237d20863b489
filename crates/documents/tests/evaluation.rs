//! The PAR Index documents built from hand-made data: the score sheet and the ranking open with
//! calamine and hold the expected cells; the decision annex is a well-formed DOCX whose text is
//! kept as a snapshot (`tests/snapshots/`), marked «DỰ THẢO» while a kind is provisional.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Cursor, Read};

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use cchc_documents::evaluation::{index_decision_docx, ranking_xlsx, score_sheet_xlsx, DecisionOptions};
use cchc_domain::evaluation::documents::{
    RankingArea, RankingKind, RankingRow, RankingTable, ScoreSheet, SheetArea, SheetCriterion, SheetSub,
};
use cchc_domain::evaluation::{IndexValue, Points};
use cchc_domain::{AgencyKind, Date};

fn p(value: f64) -> Points {
    Points::of(value).unwrap()
}

fn index(value: f64) -> Option<IndexValue> {
    Some(IndexValue::from_hundredths((value * 100.0).round() as i64))
}

fn sub(code: &str, name: &str, max: f64, points: Option<f64>) -> SheetSub {
    SheetSub {
        code: code.into(),
        name: name.into(),
        max: p(max),
        method: "Tự đánh giá: có / không".into(),
        self_value: "có".into(),
        self_points: Some(p(max)),
        computed: None,
        appraised: None,
        appraisal_reason: String::new(),
        explanation: String::new(),
        points: points.map(p),
    }
}

fn sheet() -> ScoreSheet {
    let mut lowered = sub("I.1.1", "Ban hành kế hoạch CCHC năm đúng thời hạn", 1.0, Some(0.0));
    lowered.appraised = Some(Some(p(0.0)));
    lowered.appraisal_reason = "Kế hoạch ban hành sau ngày 10/01".into();
    lowered.explanation = "Kế hoạch số 12/KH-STP ngày 08/01 <đính kèm>".into();
    let mut automatic = sub("I.2.1", "Tỷ lệ nhiệm vụ hoàn thành đúng hạn", 2.0, Some(1.5));
    automatic.method = "Tự động: tỷ lệ mốc hoàn thành đúng hạn".into();
    automatic.self_value = String::new();
    automatic.self_points = None;
    automatic.computed = Some(76.5);
    let mut survey = sub("VIII.1.1", "Chỉ số hài lòng (SIPAS)", 3.0, None);
    survey.self_value = String::new();
    survey.self_points = None;
    ScoreSheet {
        year: 2024,
        agency: "Sở Tư pháp".into(),
        kind: AgencyKind::Department,
        framework_title: "Bộ tiêu chí Chỉ số CCHC năm 2024 của các sở, ban, ngành".into(),
        basis: "Quyết định số 2712/QĐ-UBND".into(),
        template: false,
        round_state: "Đã công bố".into(),
        stage: "Điểm chính thức".into(),
        published: true,
        areas: vec![
            SheetArea {
                code: "I".into(),
                name: "Công tác chỉ đạo, điều hành CCHC".into(),
                max: p(4.5),
                criteria: vec![
                    SheetCriterion {
                        code: "I.1".into(),
                        name: "Kế hoạch CCHC năm".into(),
                        max: p(2.5),
                        subs: vec![lowered, sub("I.1.2", "Mức độ thực hiện kế hoạch", 1.5, Some(1.5))],
                    },
                    SheetCriterion {
                        code: "I.2".into(),
                        name: "Thực hiện nhiệm vụ được giao".into(),
                        max: p(2.0),
                        subs: vec![automatic],
                    },
                ],
            },
            SheetArea {
                code: "VIII".into(),
                name: "Tác động của CCHC".into(),
                max: p(3.0),
                criteria: vec![SheetCriterion {
                    code: "VIII.1".into(),
                    name: "Sự hài lòng".into(),
                    max: p(3.0),
                    subs: vec![survey],
                }],
            },
        ],
        points: p(3.0),
        max: p(4.5),
        full_max: p(7.5),
        index: index(66.67),
        band: "Trung bình".into(),
    }
}

fn areas() -> Vec<RankingArea> {
    vec![
        RankingArea { code: "I".into(), name: "Công tác chỉ đạo, điều hành".into(), max: p(10.0) },
        RankingArea { code: "II".into(), name: "Cải cách thể chế".into(), max: p(90.0) },
    ]
}

fn row(
    rank: Option<u32>,
    agency: &str,
    by_area: [f64; 2],
    value: Option<f64>,
    band: &str,
    previous: Option<f64>,
) -> RankingRow {
    let points = p(by_area[0] + by_area[1]);
    RankingRow {
        rank,
        agency: agency.into(),
        by_area: by_area.iter().map(|v| p(*v)).collect(),
        points,
        max: p(100.0),
        full_max: p(100.0),
        index: value.and_then(index),
        band: band.into(),
        previous: previous.and_then(index),
    }
}

fn table() -> RankingTable {
    RankingTable {
        year: 2024,
        issuer: "UBND tỉnh Sơn La".into(),
        kinds: vec![
            RankingKind {
                kind: AgencyKind::Department,
                framework_title: "Bộ tiêu chí năm 2024 của các sở, ban, ngành".into(),
                basis: "Quyết định số 2712/QĐ-UBND".into(),
                template: false,
                published: true,
                state: "Đã công bố ngày 15/03/2025".into(),
                areas: areas(),
                rows: vec![
                    row(Some(1), "Sở Tư pháp", [9.5, 81.0], Some(90.5), "tốt", Some(88.0)),
                    row(Some(2), "Sở Nội vụ", [9.0, 80.0], Some(89.0), "Khá", Some(89.25)),
                    row(Some(2), "Ban Dân tộc & <Tôn giáo>", [10.0, 79.0], Some(89.0), "Khá", None),
                    row(None, "Sở Ngoại vụ", [0.0, 0.0], None, "", None),
                ],
            },
            RankingKind {
                kind: AgencyKind::District,
                framework_title: "Bộ tiêu chí mẫu (mẫu)".into(),
                basis: String::new(),
                template: true,
                published: false,
                state: "Tạm tính — đang thẩm định".into(),
                areas: areas(),
                rows: vec![row(Some(1), "UBND huyện Mộc Châu", [8.0, 70.0], Some(78.0), "Trung bình", None)],
            },
        ],
    }
}

fn cell(range: &calamine::Range<Data>, row: u32, col: u32) -> Data {
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

fn text(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match cell(range, row, col) {
        Data::String(s) => s,
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn number(range: &calamine::Range<Data>, row: u32, col: u32) -> f64 {
    match cell(range, row, col) {
        Data::Float(v) => v,
        Data::Int(v) => v as f64,
        other => panic!("({row}, {col}) is not a number: {other:?}"),
    }
}

/// The row whose column `col` reads `value`.
fn find_row(range: &calamine::Range<Data>, col: u32, value: &str) -> u32 {
    (0..range.height() as u32).find(|r| text(range, *r, col) == value).unwrap_or_else(|| panic!("no row «{value}»"))
}

#[test]
fn the_score_sheet_has_the_tree_subtotals_and_total() {
    let bytes = score_sheet_xlsx(&sheet()).unwrap();
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), vec!["Bảng điểm".to_string()]);
    let range = workbook.worksheet_range("Bảng điểm").unwrap();
    assert_eq!(text(&range, 0, 0), "BẢNG ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2024");
    assert_eq!(text(&range, 1, 0), "Sở Tư pháp");
    assert!(text(&range, 2, 0).contains("Quyết định số 2712/QĐ-UBND"));
    assert_eq!(text(&range, 3, 0), "Đợt đánh giá: Đã công bố; kết quả của cơ quan: Điểm chính thức.");
    assert_eq!(text(&range, 5, 0), "Mã");
    assert_eq!(text(&range, 5, 10), "Điểm tính");
    // Area I: 0 + 1,5 + 1,5 = 3 of 4,5; criterion I.1: 1,5 of 2,5.
    let area = find_row(&range, 0, "I");
    assert_eq!(number(&range, area, 2), 4.5);
    assert_eq!(number(&range, area, 10), 3.0);
    let criterion = find_row(&range, 0, "I.1");
    assert_eq!(number(&range, criterion, 10), 1.5);
    let lowered = find_row(&range, 0, "I.1.1");
    assert_eq!(text(&range, lowered, 4), "có");
    assert_eq!(number(&range, lowered, 5), 1.0);
    assert_eq!(number(&range, lowered, 7), 0.0);
    assert_eq!(text(&range, lowered, 8), "Kế hoạch ban hành sau ngày 10/01");
    assert_eq!(text(&range, lowered, 9), "Kế hoạch số 12/KH-STP ngày 08/01 <đính kèm>");
    let automatic = find_row(&range, 0, "I.2.1");
    assert_eq!(number(&range, automatic, 6), 76.5);
    let survey = find_row(&range, 0, "VIII.1.1");
    assert_eq!(text(&range, survey, 10), "Không áp dụng");
    let total = find_row(&range, 0, "Tổng điểm đạt được (tối đa theo bộ tiêu chí: 7,5 điểm)");
    assert_eq!(number(&range, total, 10), 3.0);
    assert_eq!(number(&range, total + 1, 10), 4.5);
    assert_eq!(number(&range, total + 2, 10), 66.67);
    assert_eq!(text(&range, total + 3, 10), "Trung bình");
}

#[test]
fn the_ranking_has_a_sheet_per_kind() {
    let bytes = ranking_xlsx(&table()).unwrap();
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), vec!["Sở, ban, ngành".to_string(), "UBND cấp huyện".to_string()]);
    let range = workbook.worksheet_range("Sở, ban, ngành").unwrap();
    assert_eq!(text(&range, 0, 0), "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2024 CỦA CÁC SỞ, BAN, NGÀNH");
    let headers: Vec<String> = (0..10).map(|c| text(&range, 5, c)).collect();
    assert_eq!(
        headers,
        [
            "Hạng",
            "Cơ quan, đơn vị",
            "I\n(10 điểm)",
            "II\n(90 điểm)",
            "Tổng điểm",
            "Điểm tối đa",
            "Chỉ số CCHC (%)",
            "Xếp loại",
            "Năm trước (%)",
            "Tăng, giảm"
        ]
    );
    assert_eq!(number(&range, 6, 0), 1.0);
    assert_eq!(text(&range, 6, 1), "Sở Tư pháp");
    assert_eq!(number(&range, 6, 2), 9.5);
    assert_eq!(number(&range, 6, 4), 90.5);
    assert_eq!(number(&range, 6, 6), 90.5);
    assert_eq!(number(&range, 6, 8), 88.0);
    assert!((number(&range, 6, 9) - 2.5).abs() < 1e-9);
    assert!((number(&range, 7, 9) + 0.25).abs() < 1e-9);
    // Ties share a rank; no index, no rank.
    assert_eq!(number(&range, 8, 0), 2.0);
    assert_eq!(cell(&range, 9, 0), Data::Empty);
    assert_eq!(cell(&range, 9, 6), Data::Empty);
    let district = workbook.worksheet_range("UBND cấp huyện").unwrap();
    assert!(text(&district, 3, 0).contains("chưa công bố") && text(&district, 3, 0).contains("bộ tiêu chí mẫu"));
}

/// Every part of the package, as text.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut parts = std::collections::BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        parts.insert(file.name().to_string(), text);
    }
    parts
}

/// The text of all `<w:t>` elements, unescaped (fails on malformed XML); one line per
/// paragraph, cells of a table row separated by « | ».
fn plain_text(xml: &str) -> String {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let mut inside = false;
    let mut in_row = false;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == b"w:t" => inside = true,
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"w:t" => inside = false,
            quick_xml::events::Event::Start(e) if e.name().as_ref() == b"w:tr" => in_row = true,
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"w:tr" => {
                in_row = false;
                out.truncate(out.trim_end_matches(" | ").len());
                out.push('\n');
            }
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"w:p" => {
                out.push_str(if in_row { " | " } else { "\n" });
            }
            quick_xml::events::Event::Text(t) if inside => out.push_str(&t.decode().unwrap()),
            quick_xml::events::Event::GeneralRef(r) if inside => {
                let entity = String::from_utf8(r.to_vec()).unwrap();
                out.push_str(match entity.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity {other}"),
                });
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn the_decision_annex_is_a_draft_until_every_kind_is_published() {
    let options = DecisionOptions { number: "123".into(), date: Date::from_ymd(2025, 3, 20) };
    let parts = unzip(&index_decision_docx(&table(), &options).unwrap());
    for name in ["[Content_Types].xml", "word/document.xml", "word/styles.xml", "docProps/core.xml"] {
        assert!(parts.contains_key(name), "{name} missing");
    }
    let xml = &parts["word/document.xml"];
    // Decree 30/2020: A4, margins 20/20/30/15 mm, Times New Roman.
    assert!(xml.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"), "A4");
    assert!(xml.contains("w:top=\"1134\" w:right=\"851\" w:bottom=\"1134\" w:left=\"1701\""), "margins");
    assert!(xml.contains("w:ascii=\"Times New Roman\""));
    assert!(xml.contains("<w:br w:type=\"page\"/>"), "a kind per page");
    let text = plain_text(xml);
    insta::assert_snapshot!("index_decision_annex", text);

    // Every kind published under the province's framework: no longer a draft.
    let mut final_table = table();
    final_table.kinds.truncate(1);
    let parts = unzip(&index_decision_docx(&final_table, &DecisionOptions::default()).unwrap());
    let text = plain_text(&parts["word/document.xml"]);
    assert!(!text.contains("DỰ THẢO") && !text.contains("tạm tính"), "{text}");
    assert!(text.starts_with("Phụ lục\n"), "a single appendix has no number: {text}");
    assert!(
        text.contains("(Kèm theo Quyết định số        /QĐ-UBND ngày      tháng      năm       của UBND tỉnh Sơn La)")
    );
}
