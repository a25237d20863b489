//! The XLSX (and CSV) report form: written, filled, tampered with, read back.
//!
//! The form is built by hand (a commune, the 6-month period of 2024, three indicators, one of
//! them with level-specific targets). Tampered workbooks are made with rust_xlsxwriter directly,
//! bypassing `write_form`, the way a hand-edited or foreign file would arrive.

// Test helpers outside `#[test]` functions may unwrap too (clippy.toml allows it in tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use calamine::{Data, Reader, SheetVisible, Xlsx};
use cchc_documents::form::{
    identity_checksum, read_content_csv, read_form, write_content_csv, write_form, FormError, FormKind, FormReading,
    FORMAT_VERSION, MAX_CSV_BYTES, MAX_FORM_BYTES,
};
use cchc_domain::reporting::{
    Direction, EarlierReport, FormActivityRow, Indicator, IndicatorCode, LevelThreshold, Part, ReportContent,
    ReportForm, ReportStatus,
};
use cchc_domain::tracking::DerivedStatus;
use cchc_domain::{AdminLevel, AgencyId, AgencyKind, AreaCode, Comparator, Date, PeriodId, ReportingPeriod, Severity};
use proptest::prelude::*;
use rust_xlsxwriter::{Formula, Workbook};

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn code(text: &str) -> IndicatorCode {
    IndicatorCode::parse(text).unwrap()
}

fn threshold(level: Option<AdminLevel>, op: Comparator, value: f64) -> LevelThreshold {
    LevelThreshold { level, op, value, upper: None }
}

fn indicator(
    text: &str,
    name: &str,
    area: AreaCode,
    thresholds: Vec<LevelThreshold>,
    reporters: Vec<AgencyKind>,
) -> Indicator {
    Indicator {
        code: code(text),
        name: name.into(),
        area,
        target: 0,
        numerator: format!("Tử số của {name}"),
        denominator: format!("Mẫu số của {name}"),
        unit: "%".into(),
        direction: Direction::HigherIsBetter,
        thresholds,
        reporters,
        agencies: Vec::new(),
        dossiers: None,
    }
}

fn period_2024s1() -> ReportingPeriod {
    ReportingPeriod {
        id: PeriodId::parse("2024S1").unwrap(),
        name: "Báo cáo 6 tháng đầu năm 2024".into(),
        data_from: date("15/12/2023"),
        data_to: date("13/06/2024"),
        due: date("14/06/2024"),
        line: 0,
    }
}

fn form() -> ReportForm {
    let all = vec![AgencyKind::Department, AgencyKind::District, AgencyKind::Commune];
    ReportForm {
        agency: AgencyId::parse("ubnd-xa-03646").unwrap(),
        agency_name: "UBND phường Chiềng Lề".into(),
        agency_kind: AgencyKind::Commune,
        level: AdminLevel::Xa,
        period: period_2024s1(),
        plan_key: "son-la-2024".into(),
        plan_title: "Kế hoạch cải cách hành chính năm 2024 của tỉnh Sơn La".into(),
        indicators: vec![
            indicator(
                "III.1.1",
                "Tỷ lệ hồ sơ TTHC được giải quyết đúng hạn",
                AreaCode::III,
                vec![threshold(None, Comparator::Ge, 98.0)],
                all.clone(),
            ),
            indicator(
                "VII.2.1",
                "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC",
                AreaCode::VII,
                vec![
                    threshold(Some(AdminLevel::Tinh), Comparator::Ge, 100.0),
                    threshold(Some(AdminLevel::Huyen), Comparator::Ge, 80.0),
                    threshold(Some(AdminLevel::Xa), Comparator::Ge, 75.0),
                ],
                all.clone(),
            ),
            indicator("VII.3.1", "Tỷ lệ hồ sơ trực tuyến toàn trình", AreaCode::VII, Vec::new(), all),
        ],
        activities: vec![
            FormActivityRow {
                activity_code: "III.1".into(),
                activity_title: "Rà soát, đơn giản hóa thủ tục hành chính".into(),
                milestone: "Báo cáo 6 tháng".into(),
                due: Some(date("14/06/2024")),
                status: DerivedStatus::InProgress,
            },
            FormActivityRow {
                activity_code: "VII.4".into(),
                activity_title: "Số hóa kết quả giải quyết TTHC".into(),
                milestone: "Cả năm".into(),
                due: None,
                status: DerivedStatus::NotDue,
            },
        ],
        areas: vec![
            (AreaCode::I, AreaCode::I.standard_name_vn().into()),
            (AreaCode::III, AreaCode::III.standard_name_vn().into()),
            (AreaCode::VII, AreaCode::VII.standard_name_vn().into()),
        ],
        due: date("14/06/2024"),
        earlier: vec![EarlierReport {
            period: PeriodId::parse("2024Q1").unwrap(),
            status: ReportStatus::Accepted,
            content: {
                let mut q1 = ReportContent::default();
                q1.values.insert((code("VII.2.1"), Part::Numerator), 45.0);
                q1.values.insert((code("VII.2.1"), Part::Denominator), 50.0);
                q1
            },
        }],
        status: Some(ReportStatus::Returned),
        returned_reason: Some("Thiếu số liệu số hóa".into()),
    }
}

fn filled() -> ReportContent {
    let mut content = ReportContent::default();
    let values = [("III.1.1", 120.0, 125.0), ("VII.2.1", 80.0, 100.0), ("VII.3.1", 0.0, 0.0)];
    for (c, n, d) in values {
        content.values.insert((code(c), Part::Numerator), n);
        content.values.insert((code(c), Part::Denominator), d);
    }
    content.narratives.insert(
        AreaCode::III,
        "Đã rà soát 12 thủ tục hành chính.\nKiến nghị: bổ sung máy quét cho bộ phận một cửa.".into(),
    );
    content.narratives.insert(AreaCode::VII, "Số hóa đạt 80% hồ sơ.".into());
    content.values.remove(&(code("VII.3.1"), Part::Numerator));
    content.values.remove(&(code("VII.3.1"), Part::Denominator));
    content.not_applicable.insert(code("VII.3.1"), "Phường chưa có TTHC đủ điều kiện toàn trình".into());
    content
}

fn codes() -> Vec<String> {
    form().indicators.iter().map(|i| i.code.as_str().to_string()).collect()
}

/// A value cell of a crafted workbook.
#[derive(Clone)]
enum Cell {
    Empty,
    Number(f64),
    Text(&'static str),
    Formula(&'static str),
}

/// Identity rows of «_cchc» with a checksum computed over them (as `write_form` would).
fn identity(agency: &str, agency_name: &str, period: &str, plan: &str, codes: &[String]) -> Vec<(String, String)> {
    let mut rows = vec![
        ("format".to_string(), FORMAT_VERSION.to_string()),
        ("plan".to_string(), plan.to_string()),
        ("agency".to_string(), agency.to_string()),
        ("agency_name".to_string(), agency_name.to_string()),
        ("period".to_string(), period.to_string()),
    ];
    rows.extend(codes.iter().map(|c| ("indicator".to_string(), c.clone())));
    let checksum = identity_checksum(FORMAT_VERSION, plan, agency, agency_name, period, codes);
    rows.push(("checksum".to_string(), checksum));
    rows
}

fn genuine_identity() -> Vec<(String, String)> {
    identity("ubnd-xa-03646", "UBND phường Chiềng Lề", "2024S1", "son-la-2024", &codes())
}

fn set(rows: &mut [(String, String)], key: &str, value: &str) {
    for row in rows.iter_mut().filter(|(k, _)| k == key) {
        row.1 = value.to_string();
    }
}

/// A workbook made with rust_xlsxwriter directly: «Chỉ tiêu» with `rows` (code, E, F) from row
/// 12 and «_cchc» with `identity`. Either sheet can be left out.
fn craft(identity: Option<&[(String, String)]>, rows: Option<&[(&str, Cell, Cell)]>) -> Vec<u8> {
    let mut workbook = Workbook::new();
    if let Some(rows) = rows {
        let sheet = workbook.add_worksheet().set_name("Chỉ tiêu").unwrap();
        sheet.write_string(10, 0, "Mã chỉ tiêu").unwrap();
        for (i, (c, numerator, denominator)) in rows.iter().enumerate() {
            let row = 11 + i as u32;
            sheet.write_string(row, 0, *c).unwrap();
            for (col, cell) in [(4u16, numerator), (5u16, denominator)] {
                match cell {
                    Cell::Empty => {}
                    Cell::Number(n) => {
                        sheet.write_number(row, col, *n).unwrap();
                    }
                    Cell::Text(t) => {
                        sheet.write_string(row, col, *t).unwrap();
                    }
                    Cell::Formula(f) => {
                        sheet.write_formula(row, col, Formula::new(*f).set_result("7")).unwrap();
                    }
                }
            }
        }
    }
    if let Some(identity) = identity {
        let sheet = workbook.add_worksheet().set_name("_cchc").unwrap();
        for (row, (key, value)) in identity.iter().enumerate() {
            sheet.write_string(row as u32, 0, key).unwrap();
            sheet.write_string(row as u32, 1, value).unwrap();
        }
    }
    if rows.is_none() && identity.is_none() {
        workbook.add_worksheet().set_name("Trang 1").unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

fn numbers(values: [(f64, f64); 3]) -> Vec<(&'static str, Cell, Cell)> {
    ["III.1.1", "VII.2.1", "VII.3.1"]
        .into_iter()
        .zip(values)
        .map(|(c, (n, d))| (c, Cell::Number(n), Cell::Number(d)))
        .collect()
}

fn read_err(bytes: &[u8]) -> FormError {
    match read_form(bytes, &form()) {
        Ok(reading) => panic!("expected a refusal, got {reading:?}"),
        Err(error) => error,
    }
}

fn read_ok(bytes: &[u8]) -> (ReportContent, Vec<cchc_domain::Diagnostic>) {
    let FormReading { content, diagnostics, .. } = read_form(bytes, &form()).unwrap();
    (content, diagnostics)
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().to_string(), content)
        })
        .collect()
}

fn sheet_text(bytes: &[u8], sheet: &str) -> BTreeMap<(u32, u32), String> {
    let mut xlsx: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let range = xlsx.worksheet_range(sheet).unwrap();
    range
        .used_cells()
        .filter_map(|(r, c, data)| {
            let (row, col) = range.start().map(|(r0, c0)| (r0 + r as u32, c0 + c as u32)).unwrap();
            match data {
                Data::String(s) => Some(((row, col), s.clone())),
                Data::Float(f) => Some(((row, col), f.to_string())),
                _ => None,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Writing and the round trip
// ---------------------------------------------------------------------------------------------

#[test]
fn an_empty_form_reads_back_empty() {
    let bytes = write_form(&form(), None).unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"));
    let reading = read_form(&bytes, &form()).unwrap();
    assert_eq!(reading.content, ReportContent::default());
    assert!(reading.diagnostics.is_empty(), "{:?}", reading.diagnostics);
    // The workbook carries every area's narrative cell: empty cells clear saved narratives.
    assert_eq!(reading.narrative_areas.len(), 3);
}

#[test]
fn a_filled_form_round_trips_values_and_narratives() {
    let content = filled();
    let bytes = write_form(&form(), Some(&content)).unwrap();
    let (read, diagnostics) = read_ok(&bytes);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(read, content, "values, «không áp dụng» with its reason, and narratives");
}

#[test]
fn the_workbook_is_prefilled_in_vietnamese() {
    let bytes = write_form(&form(), None).unwrap();
    let xlsx: Xlsx<_> = Xlsx::new(Cursor::new(bytes.as_slice())).unwrap();
    let sheets: Vec<(String, SheetVisible)> =
        xlsx.sheets_metadata().iter().map(|s| (s.name.clone(), s.visible)).collect();
    assert_eq!(
        sheets,
        vec![
            ("Chỉ tiêu".to_string(), SheetVisible::Visible),
            ("Hoạt động".to_string(), SheetVisible::Visible),
            ("Thuyết minh".to_string(), SheetVisible::Visible),
            ("_cchc".to_string(), SheetVisible::VeryHidden),
        ]
    );

    let cells = sheet_text(&bytes, "Chỉ tiêu");
    let all: Vec<&str> = cells.values().map(String::as_str).collect();
    for expected in [
        "BÁO CÁO ĐỊNH KỲ CẢI CÁCH HÀNH CHÍNH",
        "Cơ quan, đơn vị: UBND phường Chiềng Lề",
        "Kỳ báo cáo: 6 tháng đầu năm 2024",
        "Thời gian chốt số liệu: từ 15/12/2023 đến 13/06/2024",
        "Hạn gửi báo cáo: 14/06/2024",
        "Trạng thái: Bị trả lại, chờ gửi lại — lý do: Thiếu số liệu số hóa",
    ] {
        assert!(all.contains(&expected), "missing «{expected}» in {all:?}");
    }
    let header: Vec<&str> = (0..10).map(|c| cells[&(10, c)].as_str()).collect();
    assert_eq!(
        header,
        [
            "Mã chỉ tiêu",
            "Tên chỉ tiêu",
            "Tử số (định nghĩa)",
            "Mẫu số (định nghĩa)",
            "Tử số",
            "Mẫu số",
            "Không áp dụng (ghi lý do)",
            "Tỷ lệ (%)",
            "Chỉ tiêu kế hoạch",
            "Các kỳ trước",
        ]
    );
    assert_eq!(cells[&(11, 0)], "III.1.1");
    assert_eq!(cells[&(11, 8)], "Tối thiểu 98%");
    // The level-specific target: the commune's, not the province's or the district's.
    assert_eq!(cells[&(12, 0)], "VII.2.1");
    assert_eq!(cells[&(12, 8)], "Tối thiểu 75% (cấp xã)");
    assert_eq!(cells[&(13, 8)], "Không quy định");
    // The agency's answer of an earlier period beside the indicator, with the one rounding rule.
    assert_eq!(cells[&(12, 9)], "Quý I/2024: 45/50 (90,0%)");
    assert!(!cells.contains_key(&(11, 9)), "nothing earlier for III.1.1");

    let activities = sheet_text(&bytes, "Hoạt động");
    let all: Vec<&str> = activities.values().map(String::as_str).collect();
    assert!(all.contains(&"Đang thực hiện") && all.contains(&"Chưa đến hạn"), "{all:?}");
    assert!(all.contains(&"14/06/2024"), "{all:?}");

    let narratives = sheet_text(&bytes, "Thuyết minh");
    assert_eq!(narratives[&(4, 0)], "I");
    assert_eq!(narratives[&(6, 1)], AreaCode::VII.standard_name_vn());

    let identity = sheet_text(&bytes, "_cchc");
    assert_eq!(identity[&(2, 1)], "ubnd-xa-03646");
    assert_eq!(identity[&(4, 1)], "2024S1");
}

/// Style indices whose cell format is unlocked, from styles.xml.
fn unlocked_styles(styles: &str) -> Vec<usize> {
    let xfs = styles.split("<cellXfs").nth(1).unwrap().split("</cellXfs>").next().unwrap();
    xfs.split("<xf ").skip(1).enumerate().filter(|(_, xf)| xf.contains("locked=\"0\"")).map(|(i, _)| i).collect()
}

/// The `s` attribute of cell `reference` in a sheet's XML.
fn style_of(sheet: &str, reference: &str) -> usize {
    let start = sheet.find(&format!("<c r=\"{reference}\"")).unwrap_or_else(|| panic!("no cell {reference}"));
    let tag = &sheet[start..start + sheet[start..].find('>').unwrap()];
    tag.split("s=\"").nth(1).map_or(0, |rest| rest.split('"').next().unwrap().parse().unwrap())
}

#[test]
fn sheets_are_protected_with_only_value_cells_unlocked_and_validated() {
    let bytes = write_form(&form(), None).unwrap();
    let parts: BTreeMap<String, String> =
        unzip(&bytes).into_iter().map(|(name, content)| (name, String::from_utf8(content).unwrap())).collect();
    let unlocked = unlocked_styles(&parts["xl/styles.xml"]);
    let indicators = &parts["xl/worksheets/sheet1.xml"];
    for sheet in 1..=4 {
        assert!(parts[&format!("xl/worksheets/sheet{sheet}.xml")].contains("<sheetProtection"), "sheet {sheet}");
    }
    for value_cell in ["E12", "F12", "E14", "F14", "G12", "G14"] {
        assert!(unlocked.contains(&style_of(indicators, value_cell)), "{value_cell} must be unlocked");
    }
    for label_cell in ["A12", "B12", "C12", "D12", "H12", "I12", "J12", "A11", "E11"] {
        assert!(!unlocked.contains(&style_of(indicators, label_cell)), "{label_cell} must be locked");
    }
    assert!(indicators.contains("type=\"whole\"") && indicators.contains("operator=\"greaterThanOrEqual\""));
    assert!(indicators.contains("sqref=\"E12:F14\""), "validation over the value cells");
    assert!(indicators.contains("Nhập số nguyên không âm"));
    assert!(indicators.contains("<pane"), "frozen panes");
    assert!(
        indicators.contains("IF(F12&gt;0,ROUND(E12/F12*100,1)") || indicators.contains("IF(F12>0,ROUND(E12/F12*100,1)")
    );
    assert!(indicators.contains("sqref=\"G12:G14\""), "validation over the «không áp dụng» cells");
    let narratives = &parts["xl/worksheets/sheet3.xml"];
    assert!(unlocked.contains(&style_of(narratives, "C5")), "narrative cells are unlocked");
    assert!(!unlocked.contains(&style_of(narratives, "A5")));
}

#[test]
fn writing_is_deterministic() {
    assert_eq!(write_form(&form(), Some(&filled())).unwrap(), write_form(&form(), Some(&filled())).unwrap());
}

// ---------------------------------------------------------------------------------------------
// Crafted workbooks: values as people type them
// ---------------------------------------------------------------------------------------------

#[test]
fn a_crafted_workbook_with_the_right_identity_is_read() {
    let bytes = craft(Some(&genuine_identity()), Some(&numbers([(1.0, 2.0), (3.0, 4.0), (0.0, 0.0)])));
    let reading = read_form(&bytes, &form()).unwrap();
    let (content, diagnostics) = (reading.content, reading.diagnostics);
    // The crafted workbook has no «Thuyết minh»: a warning, and the saved narratives are kept.
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0].severity, Severity::Warning);
    assert!(diagnostics[0].message.contains("«Thuyết minh»") && diagnostics[0].message.contains("giữ nguyên"));
    assert!(reading.narrative_areas.is_empty(), "no area is carried: none is erased");
    assert_eq!(content.values.get(&(code("VII.2.1"), Part::Denominator)), Some(&4.0));
    assert_eq!(content.values.len(), 6);
    assert!(content.narratives.is_empty());
}

#[test]
fn text_in_a_numeric_cell_is_a_diagnostic_and_nothing_is_guessed() {
    let rows = vec![
        ("III.1.1", Cell::Text("nhiều"), Cell::Number(125.0)),
        ("VII.2.1", Cell::Text("1.234"), Cell::Text(" 2 000 ")),
        ("VII.3.1", Cell::Number(-3.0), Cell::Number(2.5)),
    ];
    let bytes = craft(Some(&genuine_identity()), Some(&rows));
    let reading = read_form(&bytes, &form()).unwrap();
    assert!(reading.has_errors(), "the caller refuses the whole upload");
    let (content, diagnostics) = (reading.content, reading.diagnostics);
    let diagnostics: Vec<_> = diagnostics.into_iter().filter(|d| d.severity == Severity::Error).collect();
    assert_eq!(content.values.get(&(code("III.1.1"), Part::Numerator)), None, "«nhiều» is not guessed");
    assert_eq!(content.values.get(&(code("III.1.1"), Part::Denominator)), Some(&125.0));
    assert_eq!(content.values.get(&(code("VII.2.1"), Part::Numerator)), Some(&1234.0));
    assert_eq!(content.values.get(&(code("VII.2.1"), Part::Denominator)), Some(&2000.0));
    assert_eq!(content.values.get(&(code("VII.3.1"), Part::Numerator)), None);
    assert_eq!(content.values.get(&(code("VII.3.1"), Part::Denominator)), None);
    assert_eq!(diagnostics.len(), 3, "{diagnostics:?}");
    let first = &diagnostics[0];
    assert_eq!(first.severity, Severity::Error);
    assert_eq!(first.line, 12);
    assert!(first.message.contains("«Chỉ tiêu!E12»"), "{}", first.message);
    assert!(first.message.contains("«nhiều» không phải là số"), "{}", first.message);
    assert!(!first.message.contains("chưa nhập"), "no contradicting message: {}", first.message);
    assert!(diagnostics[1].message.contains("«Chỉ tiêu!E14»") && diagnostics[1].message.contains("số âm"));
    assert!(
        diagnostics[2].message.contains("«Chỉ tiêu!F14»") && diagnostics[2].message.contains("không phải là số nguyên")
    );
}

// ---------------------------------------------------------------------------------------------
// Wrong and tampered files
// ---------------------------------------------------------------------------------------------

#[test]
fn another_agencys_form_is_refused_by_name() {
    let rows = numbers([(1.0, 2.0), (3.0, 4.0), (0.0, 0.0)]);
    let other = identity("ubnd-xa-03649", "UBND xã Chiềng Cơi", "2024S1", "son-la-2024", &codes());
    let error = read_err(&craft(Some(&other), Some(&rows)));
    assert!(matches!(error, FormError::WrongAgency { .. }), "{error:?}");
    assert_eq!(error.to_string(), "Biểu mẫu của «UBND xã Chiềng Cơi», không phải của «UBND phường Chiềng Lề».");

    // The same through write_form: a genuine form downloaded for another commune.
    let mut neighbour = form();
    neighbour.agency = AgencyId::parse("ubnd-xa-03649").unwrap();
    neighbour.agency_name = "UBND xã Chiềng Cơi".into();
    let error = read_err(&write_form(&neighbour, Some(&filled())).unwrap());
    assert!(matches!(error, FormError::WrongAgency { .. }), "{error:?}");
}

#[test]
fn editing_the_agency_without_the_checksum_is_tampering() {
    let mut rows = genuine_identity();
    set(&mut rows, "agency", "ubnd-xa-03649");
    let error = read_err(&craft(Some(&rows), Some(&numbers([(1.0, 2.0), (3.0, 4.0), (0.0, 0.0)]))));
    assert_eq!(error, FormError::Tampered);
    assert!(error.to_string().contains("đã bị sửa"));
}

#[test]
fn a_bad_checksum_is_tampering() {
    let mut rows = genuine_identity();
    set(&mut rows, "checksum", &"0".repeat(64));
    let error = read_err(&craft(Some(&rows), Some(&numbers([(1.0, 2.0), (3.0, 4.0), (0.0, 0.0)]))));
    assert_eq!(error, FormError::Tampered);
}

#[test]
fn another_periods_form_is_refused() {
    let rows = numbers([(1.0, 2.0), (3.0, 4.0), (0.0, 0.0)]);
    let q3 = identity("ubnd-xa-03646", "UBND phường Chiềng Lề", "2024Q3", "son-la-2024", &codes());
    let error = read_err(&craft(Some(&q3), Some(&rows)));
    assert_eq!(error, FormError::WrongPeriod { found: "Quý III/2024".into(), expected: "6 tháng đầu năm 2024".into() });
    assert_eq!(error.to_string(), "Biểu mẫu của kỳ «Quý III/2024», không phải kỳ «6 tháng đầu năm 2024».");

    let mut last_quarter = form();
    last_quarter.period.id = PeriodId::parse("2024Q1").unwrap();
    let error = read_err(&write_form(&last_quarter, None).unwrap());
    assert!(matches!(error, FormError::WrongPeriod { .. }), "{error:?}");
}

#[test]
fn another_plans_form_is_refused() {
    let rows = numbers([(1.0, 2.0), (3.0, 4.0), (0.0, 0.0)]);
    let other = identity("ubnd-xa-03646", "UBND phường Chiềng Lề", "2024S1", "son-la-2025", &codes());
    let error = read_err(&craft(Some(&other), Some(&rows)));
    assert!(matches!(error, FormError::WrongPlan { .. }), "{error:?}");
}

#[test]
fn another_format_version_is_refused() {
    let mut rows = genuine_identity();
    set(&mut rows, "format", "cchc-bieu-mau/0");
    let error = read_err(&craft(Some(&rows), Some(&numbers([(1.0, 2.0), (3.0, 4.0), (0.0, 0.0)]))));
    assert!(matches!(error, FormError::WrongVersion { .. }), "{error:?}");
}

#[test]
fn added_removed_or_reordered_indicator_rows_are_refused() {
    let identity_rows = genuine_identity();
    // An extra row in the table.
    let mut rows = numbers([(1.0, 2.0), (3.0, 4.0), (0.0, 0.0)]);
    rows.push(("VIII.1.1", Cell::Number(5.0), Cell::Number(6.0)));
    let error = read_err(&craft(Some(&identity_rows), Some(&rows)));
    assert!(matches!(&error, FormError::IndicatorsDiffer(d) if d.contains("VIII.1.1")), "{error:?}");
    // A removed row.
    let rows = numbers([(1.0, 2.0), (3.0, 4.0), (0.0, 0.0)]);
    let error = read_err(&craft(Some(&identity_rows), Some(&rows[..2])));
    assert!(matches!(&error, FormError::IndicatorsDiffer(d) if d.contains("thiếu «VII.3.1»")), "{error:?}");
    // Reordered rows (values would land on the wrong indicator).
    let mut reordered = numbers([(1.0, 2.0), (3.0, 4.0), (0.0, 0.0)]);
    reordered.swap(0, 1);
    let error = read_err(&craft(Some(&identity_rows), Some(&reordered)));
    assert!(matches!(&error, FormError::IndicatorsDiffer(d) if d.contains("thứ tự")), "{error:?}");
    // An identity listing another indicator set (with a valid checksum).
    let mut more = codes();
    more.push("VIII.1.1".into());
    let other = identity("ubnd-xa-03646", "UBND phường Chiềng Lề", "2024S1", "son-la-2024", &more);
    let error = read_err(&craft(Some(&other), Some(&numbers([(1.0, 2.0), (3.0, 4.0), (0.0, 0.0)]))));
    assert!(matches!(error, FormError::IndicatorsDiffer(_)), "{error:?}");
}

#[test]
fn a_formula_in_a_value_cell_is_refused_not_evaluated() {
    let rows = vec![
        ("III.1.1", Cell::Number(1.0), Cell::Number(2.0)),
        ("VII.2.1", Cell::Formula("=1+6"), Cell::Number(10.0)),
        ("VII.3.1", Cell::Empty, Cell::Empty),
    ];
    let error = read_err(&craft(Some(&genuine_identity()), Some(&rows)));
    assert_eq!(error, FormError::Formula(vec!["Chỉ tiêu!E13".into()]));
    assert!(error.to_string().contains("«Chỉ tiêu!E13» có công thức"), "{error}");
}

#[test]
fn missing_sheets_are_refused() {
    let rows = numbers([(1.0, 2.0), (3.0, 4.0), (0.0, 0.0)]);
    assert_eq!(read_err(&craft(None, Some(&rows))), FormError::MissingSheet("_cchc".into()));
    assert_eq!(read_err(&craft(Some(&genuine_identity()), None)), FormError::MissingSheet("Chỉ tiêu".into()));
    assert_eq!(read_err(&craft(None, None)), FormError::MissingSheet("_cchc".into()));
}

#[test]
fn a_huge_file_is_refused_before_parsing() {
    let mut junk = b"PK\x03\x04".to_vec();
    junk.resize(6 * 1024 * 1024, 0x5a);
    let error = read_err(&junk);
    assert_eq!(error, FormError::TooLarge { size: 6 * 1024 * 1024, kind: FormKind::Xlsx });
    assert_eq!(error.to_string(), "Tệp quá lớn (6 MB); biểu mẫu Excel (.xlsx) tối đa 5 MB.");
    assert_eq!(
        FormError::OverLimit(FormKind::Csv).to_string(),
        "Tệp vượt quá dung lượng tối đa của biểu mẫu CSV (2 MB).",
        "the limit of the form being uploaded, without a made-up size"
    );
}

#[test]
fn files_that_are_not_xlsx_are_refused() {
    assert_eq!(read_err(b""), FormError::NotXlsx);
    assert_eq!(read_err("Mã chỉ tiêu;Tử số\nIII.1.1;5".as_bytes()), FormError::NotXlsx);
    assert_eq!(read_err(b"%PDF-1.7\n"), FormError::NotXlsx);
    // «bao-cao.xls»: random bytes, and a real Excel 97-2003 (CFB) signature.
    let random: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    assert_eq!(read_err(&random), FormError::NotXlsx);
    let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    xls.extend_from_slice(&random);
    assert_eq!(read_err(&xls), FormError::LegacyOrEncrypted);
    // A zip that is not a workbook, and a truncated workbook.
    assert_eq!(read_err(&zip_of(&[("ghi-chu.txt", "xin chào".as_bytes())])), FormError::NotXlsx);
    let bytes = write_form(&form(), None).unwrap();
    assert!(read_form(&bytes[..bytes.len() / 2], &form()).is_err());
}

#[test]
fn a_zip_bomb_is_refused() {
    let zeros = vec![0u8; 40 * 1024 * 1024];
    let bomb = zip_of(&[("xl/sharedStrings.xml", &zeros)]);
    assert!(bomb.len() < MAX_FORM_BYTES, "the bomb is small: {}", bomb.len());
    assert!(matches!(read_err(&bomb), FormError::Suspicious(_)));
}

#[test]
fn far_apart_cells_do_not_blow_up_memory() {
    // A cell at XFD1048576 next to the table: a grid reader would allocate 17 billion cells.
    let bytes = craft(Some(&genuine_identity()), Some(&numbers([(1.0, 2.0), (3.0, 4.0), (0.0, 0.0)])));
    let mut parts = unzip(&bytes);
    for (name, content) in parts.iter_mut().filter(|(n, _)| n == "xl/worksheets/sheet1.xml") {
        let xml = String::from_utf8(content.clone()).unwrap();
        *content = xml
            .replace("</sheetData>", "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row></sheetData>")
            .into_bytes();
        assert!(name.ends_with("sheet1.xml"));
    }
    let entries: Vec<(&str, &[u8])> = parts.iter().map(|(n, c)| (n.as_str(), c.as_slice())).collect();
    let (content, _) = read_ok(&zip_of(&entries));
    assert_eq!(content.values.len(), 6);
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

#[test]
fn csv_round_trips_values_not_applicable_and_narratives() {
    let content = filled();
    let text = write_content_csv(&form(), &content);
    assert!(text.starts_with("\u{feff}#agency=ubnd-xa-03646\r\n#period=2024S1\r\n#plan=son-la-2024\r\n"));
    assert!(text.contains("ma,ten,tu_so,mau_so,khong_ap_dung,thuyet_minh\r\nIII.1.1,"), "{text}");
    assert!(text.contains(",120,125,,\r\n"), "{text}");
    // A narrative over two lines is quoted; the csv crate reads it back whole.
    assert!(text.contains("\"Đã rà soát 12 thủ tục hành chính.\nKiến nghị"), "{text}");
    let reading = read_content_csv(text.as_bytes(), &form()).unwrap();
    assert!(reading.diagnostics.is_empty(), "{:?}", reading.diagnostics);
    assert_eq!(reading.content, content, "values, «không áp dụng» and narratives");
    assert_eq!(reading.narrative_areas.len(), 3);
}

#[test]
fn a_csv_without_area_rows_carries_no_narratives_and_erases_none() {
    let text = write_content_csv(&form(), &filled());
    let values_only: String = text
        .split("\r\n")
        .filter(|line| {
            !line.starts_with("I,")
                && !line.starts_with("III,")
                && !line.starts_with("VII,")
                && !line.starts_with("\"Đã")
        })
        .collect::<Vec<_>>()
        .join("\r\n");
    let kept = values_only.replace("Kiến nghị: bổ sung máy quét cho bộ phận một cửa.\"\r\n", "");
    let reading = read_content_csv(kept.as_bytes(), &form()).unwrap();
    assert!(reading.narrative_areas.is_empty(), "{kept}");
    assert!(reading.content.narratives.is_empty());
    assert_eq!(reading.content.values, filled().values);
}

#[test]
fn csv_saved_by_a_vietnamese_excel_is_read() {
    // Semicolons, quoted grouped numbers, trailing separators, rows reordered, no BOM.
    let text = "#agency=ubnd-xa-03646;;;;;\n#period=2024S1;;;;;\n#plan=son-la-2024;;;;;\n\
                ma;ten;tu_so;mau_so;khong_ap_dung;thuyet_minh\n\
                VII.2.1;Số hóa;\"1.234\";\"2.000\";;\nIII.1.1;Đúng hạn;nhiều;5;;\nVII.3.1;;;;Không có TTHC;\n;;;;;\n\
                VII;;;;;\"Hai\ndòng\"\n";
    let reading = read_content_csv(text.as_bytes(), &form()).unwrap();
    let content = &reading.content;
    assert_eq!(content.values.get(&(code("VII.2.1"), Part::Numerator)), Some(&1234.0));
    assert_eq!(content.values.get(&(code("VII.2.1"), Part::Denominator)), Some(&2000.0));
    assert_eq!(content.values.get(&(code("III.1.1"), Part::Numerator)), None);
    assert_eq!(content.values.get(&(code("III.1.1"), Part::Denominator)), Some(&5.0));
    assert_eq!(content.not_applicable.get(&code("VII.3.1")).map(String::as_str), Some("Không có TTHC"));
    assert_eq!(content.narratives.get(&AreaCode::VII).map(String::as_str), Some("Hai\ndòng"));
    assert_eq!(reading.diagnostics.len(), 1);
    assert!(reading.has_errors());
    assert_eq!(reading.diagnostics[0].line, 6);
    let message = &reading.diagnostics[0].message;
    assert!(message.contains("Dòng 6, cột tu_so") && message.contains("«nhiều» không phải là số"), "{message}");
}

#[test]
fn csv_identity_must_match() {
    let text = write_content_csv(&form(), &filled());
    let read = |t: String| read_content_csv(t.as_bytes(), &form()).unwrap_err();
    let error = read(text.replace("ubnd-xa-03646", "ubnd-xa-03649"));
    assert!(matches!(error, FormError::WrongAgency { .. }), "{error:?}");
    let error = read(text.replace("2024S1", "2024Q3"));
    assert!(matches!(error, FormError::WrongPeriod { .. }), "{error:?}");
    let error = read(text.replace("son-la-2024", "son-la-2025"));
    assert!(matches!(error, FormError::WrongPlan { .. }), "{error:?}");
    let error = read(text.replace("#period=2024S1\r\n", ""));
    assert_eq!(error, FormError::CsvIdentityMissing("period".into()));
    assert_eq!(error.to_string(), "Tệp CSV thiếu dòng «#period=…» ở đầu tệp.");
    let error = read(text.replace("ma,ten,tu_so,mau_so,khong_ap_dung,thuyet_minh", "code,n,d"));
    assert!(matches!(error, FormError::CsvHeader(_)), "{error:?}");
    let error = read(text.replace("ma,ten,tu_so,mau_so,khong_ap_dung,thuyet_minh", "ma_chi_tieu,tu_so,mau_so"));
    assert_eq!(error, FormError::CsvOldLayout);
    let error = read_content_csv(b"#agency=\xff\xfe", &form()).unwrap_err();
    assert_eq!(error, FormError::CsvNotUtf8);
}

#[test]
fn csv_indicator_rows_must_match_the_form() {
    let text = write_content_csv(&form(), &filled());
    let read = |t: String| read_content_csv(t.as_bytes(), &form()).unwrap_err();
    assert!(matches!(read(format!("{text}VIII.1.1,x,1,2,,\r\n")), FormError::IndicatorsDiffer(_)));
    assert!(matches!(read(format!("{text}III.1.1,x,1,2,,\r\n")), FormError::IndicatorsDiffer(_)));
    let missing: String = text.split("\r\n").filter(|l| !l.starts_with("VII.3.1,")).collect::<Vec<_>>().join("\r\n");
    assert!(matches!(read(missing), FormError::IndicatorsDiffer(_)));
    let huge = "#".repeat(MAX_CSV_BYTES + 1);
    let error = read(huge);
    assert_eq!(error, FormError::TooLarge { size: MAX_CSV_BYTES + 1, kind: FormKind::Csv });
    assert!(error.to_string().ends_with("biểu mẫu CSV tối đa 2 MB."), "{error}");
    const { assert!(MAX_CSV_BYTES < MAX_FORM_BYTES) };
}

// ---------------------------------------------------------------------------------------------
// Never panic
// ---------------------------------------------------------------------------------------------

/// Bytes likely to break XML structure and cell addresses when spliced into a part.
fn splice() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..8),
        Just(b"<f>1+1</f>".to_vec()),
        Just(b" r=\"XFD1048576\"".to_vec()),
        Just(b" r=\"A99999999999\"".to_vec()),
        Just(b"<c r=\"E12\"><f t=\"shared\" ref=\"A1:XFD1048576\" si=\"4000000000\">A1</f></c>".to_vec()),
        Just(b"<dimension ref=\"B2:A1\"/>".to_vec()),
        Just(b" t=\"s\"".to_vec()),
        Just(b"<v>1e400</v>".to_vec()),
        Just(b"</row>".to_vec()),
        Just(b"<row>".to_vec()),
        Just(b"&#0;".to_vec()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..2048), zip_header in any::<bool>()) {
        if zip_header {
            bytes.splice(0..0, b"PK\x03\x04".iter().copied());
        }
        let _ = read_form(&bytes, &form());
    }

    #[test]
    fn mutated_workbooks_never_panic(
        part in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..16, splice()), 1..6),
    ) {
        let bytes = write_form(&form(), Some(&filled())).unwrap();
        let mut parts = unzip(&bytes);
        let index = part.index(parts.len());
        let content = &mut parts[index].1;
        for (at, remove, insert) in edits {
            let start = at.index(content.len() + 1);
            let end = (start + remove).min(content.len());
            content.splice(start..end, insert);
        }
        let entries: Vec<(&str, &[u8])> = parts.iter().map(|(n, c)| (n.as_str(), c.as_slice())).collect();
        let _ = read_form(&zip_of(&entries), &form());
    }

    #[test]
    fn flipped_bytes_in_a_workbook_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = write_form(&form(), Some(&filled())).unwrap();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let _ = read_form(&bytes, &form());
    }

    #[test]
    fn arbitrary_csv_never_panics(text in "(#(agency|period|plan)=[a-z0-9-]{0,14}\r?\n){0,4}[ -~àếệ;,\"\t\n]{0,300}") {
        let _ = read_content_csv(text.as_bytes(), &form());
    }
}

// ---------------------------------------------------------------------------------------------
// A real spreadsheet application
// ---------------------------------------------------------------------------------------------

/// Opens the form in LibreOffice Calc and saves it again as XLSX (what happens when an officer
/// fills it), or `None` when LibreOffice (with Calc) is not installed.
fn resave_with_libreoffice(bytes: &[u8]) -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bieu-mau.xlsx");
    std::fs::write(&input, bytes).unwrap();
    let out = dir.path().join("out");
    let profile = format!("-env:UserInstallation=file://{}", dir.path().join("profile").display());
    let status = std::process::Command::new("soffice")
        .args([profile.as_str(), "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir"])
        .arg(&out)
        .arg(&input)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    let resaved = std::fs::read(out.join("bieu-mau.xlsx")).ok();
    if !status.success() || resaved.is_none() {
        eprintln!("LibreOffice Calc is not available: skipping");
    }
    resaved
}

#[test]
fn a_form_saved_again_by_libreoffice_reads_back() {
    let content = filled();
    let Some(resaved) = resave_with_libreoffice(&write_form(&form(), Some(&content)).unwrap()) else {
        // CI installs LibreOffice Calc (.ci/run): there, a missing Calc is a failure.
        assert!(std::env::var_os("CI").is_none(), "LibreOffice Calc is required under CI");
        return;
    };
    assert_ne!(resaved, write_form(&form(), Some(&content)).unwrap(), "the file was rewritten");
    let (read, diagnostics) = read_ok(&resaved);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(read, content);
}
