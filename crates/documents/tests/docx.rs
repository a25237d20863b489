//! The consolidated report as DOCX and its XLSX annex, built from a hand-made report with Sơn La
//! data (several areas, indicators with per-level, province-wide and range targets, agencies late,
//! not submitted and returned, next-period tasks): the package parts, the administrative format,
//! the sentences drafted from the data, escaping of user text, the indicator table; then the DOCX
//! converted to PDF by `cchc_documents::pdf` (LibreOffice headless) with the text checked and the
//! first and last pages kept as PNG artifacts (`target/test-artifacts/consolidated-report-*.png`).
//!
//! LibreOffice and poppler-utils are needed for the conversion part: when `soffice` is missing the
//! test fails if `CI` is set and otherwise prints a note and skips that part.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use cchc_documents::annex::{consolidated_annex_xlsx, reference_line, SHEETS};
use cchc_documents::docx::consolidated_docx;
use cchc_documents::pdf::{docx_to_pdf, is_available, xlsx_to_pdf, PDF_TYPE};
use cchc_domain::number::Percent1;
use cchc_domain::reporting::{
    AgencyLine, AgencyNarrative, AgencyValue, AreaProgress, Assessment, Attainment, Completeness, ConsolidatedReport,
    Direction, DocumentSettings, GroupCompleteness, IndicatorCode, IndicatorResult, LevelResult, LevelThreshold,
    NextArea, NextTask, Ratio, Sources, DEFAULT_RECIPIENTS,
};
use cchc_domain::text::fold;
use cchc_domain::{AdminLevel, AgencyId, AgencyKind, AreaCode, Comparator, Date, PeriodId, ReportingPeriod};

const NARRATIVE: &str = "Tiếp nhận <b>1.250</b> hồ sơ & giải quyết \"đúng hạn\" 98%.";
const NARRATIVE_ESCAPED: &str = "Tiếp nhận &lt;b&gt;1.250&lt;/b&gt; hồ sơ &amp; giải quyết &quot;đúng hạn&quot; 98%.";
const NEXT_TASK: &str = "Kiểm tra công tác cải cách hành chính tại các cơ quan, đơn vị (đợt 2)";

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd(y, m, d).unwrap()
}

fn code(text: &str) -> IndicatorCode {
    IndicatorCode::parse(text).unwrap()
}

/// An id from a name: "Sở Tư pháp" → `so-tu-phap`.
fn id(name: &str) -> AgencyId {
    let folded: String =
        fold(name).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect::<String>();
    let id = folded.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    AgencyId::parse(&id).unwrap()
}

fn ge(level: Option<AdminLevel>, value: f64) -> Option<LevelThreshold> {
    Some(LevelThreshold { level, op: Comparator::Ge, value, upper: None })
}

fn eq(level: Option<AdminLevel>, value: f64) -> Option<LevelThreshold> {
    Some(LevelThreshold { level, op: Comparator::Eq, value, upper: None })
}

/// A level row as the services compute it: Σn ÷ Σd rounded once, assessed against the threshold
/// that applies at the level.
fn row(
    level: Option<AdminLevel>,
    n: f64,
    d: f64,
    threshold: Option<LevelThreshold>,
    agencies: usize,
    not_applicable: usize,
) -> LevelResult {
    let value = Percent1::ratio(n, d);
    LevelResult {
        level,
        numerator: n,
        denominator: d,
        value,
        target: threshold.as_ref().map(|t| t.text("%")),
        assessment: Assessment::of(value, threshold.as_ref(), Direction::HigherIsBetter),
        threshold,
        reporting_agencies: agencies,
        not_applicable,
    }
}

fn indicator(text: &str, name: &str, area: AreaCode, levels: Vec<LevelResult>) -> IndicatorResult {
    IndicatorResult {
        code: code(text),
        name: name.into(),
        area,
        unit: "%".into(),
        direction: Direction::HigherIsBetter,
        levels,
    }
}

fn indicators() -> Vec<IndicatorResult> {
    use AdminLevel::{Huyen, Tinh, Xa};
    let revenue_range = Some(LevelThreshold { level: None, op: Comparator::Range, value: 8.0, upper: Some(10.0) });
    vec![
        // A province-wide target: every level and the province judged against ≥ 98%.
        indicator(
            "III.1.1",
            "Tỷ lệ hồ sơ TTHC được giải quyết đúng hạn",
            AreaCode::III,
            vec![
                row(Some(Tinh), 12_480.0, 12_600.0, ge(None, 98.0), 18, 0),
                row(Some(Huyen), 8_870.0, 9_100.0, ge(None, 98.0), 10, 0),
                row(Some(Xa), 15_230.0, 15_400.0, ge(None, 98.0), 192, 0),
                row(None, 36_580.0, 37_100.0, ge(None, 98.0), 220, 0),
            ],
        ),
        // 6.300/11.200 = 56,25% exactly: printed 56,3% (half away from zero).
        indicator(
            "VII.1.2",
            "Tỷ lệ hồ sơ TTHC được tiếp nhận, giải quyết trực tuyến toàn trình",
            AreaCode::VII,
            vec![
                row(Some(Huyen), 6_300.0, 11_200.0, ge(None, 50.0), 10, 0),
                row(Some(Xa), 2_000.0, 5_000.0, ge(None, 50.0), 190, 2),
                row(None, 8_300.0, 16_200.0, ge(None, 50.0), 200, 2),
            ],
        ),
        // Targets per level only (tỉnh ≥ 100, huyện ≥ 80, xã ≥ 75): the province row is not judged.
        indicator(
            "VII.2.1",
            "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC",
            AreaCode::VII,
            vec![
                row(Some(Tinh), 1_850.0, 1_900.0, ge(Some(Tinh), 100.0), 18, 0),
                row(Some(Huyen), 4_120.0, 5_000.0, ge(Some(Huyen), 80.0), 10, 0),
                row(Some(Xa), 8_317.0, 13_400.0, ge(Some(Xa), 75.0), 192, 0),
                row(None, 14_287.0, 20_300.0, None, 220, 0),
            ],
        ),
        // A range target "khoảng 8–10%", 15,0%: above it, higher is better → «Vượt mục tiêu».
        indicator(
            "VI.2.3",
            "Tốc độ tăng thu ngân sách nhà nước trên địa bàn",
            AreaCode::VI,
            vec![row(Some(Tinh), 1_050.0, 7_000.0, revenue_range, 1, 0)],
        ),
        // Nothing arose in the period: «Chưa có số liệu».
        indicator(
            "II.3.1",
            "Tỷ lệ phản ánh, kiến nghị về quy định hành chính được xử lý",
            AreaCode::II,
            vec![row(Some(Tinh), 0.0, 0.0, eq(None, 100.0), 16, 2)],
        ),
    ]
}

fn area(
    code: AreaCode,
    title: &str,
    counts: [usize; 6],
    overdue_list: Vec<(&str, &str, Vec<&str>)>,
    highlights: Vec<(&str, &str)>,
    narrative_count: usize,
) -> AreaProgress {
    let [activities, due, done_on_time, done_late, overdue, waiting] = counts;
    AreaProgress {
        code,
        title: title.into(),
        activities,
        due,
        done_on_time,
        done_late,
        overdue,
        waiting,
        overdue_list: overdue_list
            .into_iter()
            .map(|(c, t, a)| (c.to_string(), t.to_string(), a.into_iter().map(String::from).collect()))
            .collect(),
        highlights: highlights.into_iter().map(|(a, t)| (a.to_string(), t.to_string())).collect(),
        narrative_count,
    }
}

fn areas() -> Vec<AreaProgress> {
    vec![
        area(
            AreaCode::I,
            "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH",
            [16, 10, 6, 1, 3, 0],
            vec![
                (
                    "I.2",
                    "Xây dựng, ban hành Kế hoạch tuyên truyền cải cách hành chính năm 2024",
                    vec!["UBND huyện Sốp Cộp", "UBND huyện Sông Mã"],
                ),
                ("I.4", "Khảo sát sự hài lòng của người dân, tổ chức Quý I/2024", vec!["Sở Nội vụ"]),
                ("I.7", "Kiện toàn đội ngũ công chức đầu mối cải cách hành chính", vec!["Ban Dân tộc"]),
            ],
            vec![
                (
                    "Sở Nội vụ",
                    "Tham mưu UBND tỉnh ban hành Kế hoạch kiểm tra cải cách hành chính năm 2024; đã kiểm tra 8 cơ quan, đơn vị.",
                ),
                ("UBND huyện Mộc Châu", NARRATIVE),
            ],
            45,
        ),
        area(AreaCode::II, "Cải cách thể chế", [8, 5, 5, 0, 0, 1], vec![], vec![], 0),
        area(
            AreaCode::III,
            "Cải cách thủ tục hành chính",
            [12, 7, 4, 3, 0, 0],
            vec![],
            vec![
                ("Văn phòng UBND tỉnh", "Công bố 1.742 thủ tục hành chính; cập nhật đầy đủ lên Cơ sở dữ liệu quốc gia."),
                ("UBND thành phố Sơn La", "Rà soát 12 thủ tục.\nĐề xuất đơn giản hóa 3 thủ tục."),
            ],
            2,
        ),
        area(
            AreaCode::VI,
            "Cải cách tài chính công",
            [6, 0, 0, 0, 0, 0],
            vec![],
            vec![("Sở Tài chính", "Thu ngân sách nhà nước trên địa bàn 6 tháng đầu năm tăng 15,0% so với cùng kỳ.")],
            1,
        ),
        area(
            AreaCode::VII,
            "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số",
            [14, 9, 5, 0, 4, 2],
            vec![
                ("VII.2", "Số hóa hồ sơ, kết quả giải quyết TTHC còn hiệu lực", vec!["UBND huyện Sốp Cộp"]),
                ("VII.4", "Kết nối Hệ thống thông tin giải quyết TTHC với Cổng Dịch vụ công quốc gia", vec!["Sở Thông tin và Truyền thông"]),
                ("VII.5", "Triển khai thanh toán trực tuyến phí, lệ phí", vec!["Sở Tài chính", "Kho bạc Nhà nước tỉnh"]),
                ("VII.8", "Cập nhật dữ liệu dân cư phục vụ giải quyết TTHC", vec!["Công an tỉnh"]),
            ],
            vec![(
                "Sở Thông tin và Truyền thông",
                "Hệ thống thông tin giải quyết TTHC tỉnh vận hành ổn định; 100% cơ quan sử dụng văn bản điện tử.",
            )],
            180,
        ),
    ]
}

/// One agency group: the named agencies that did not submit, were returned or were late, and
/// anonymous ones for the rest (`awaiting` of them awaiting acceptance, the others accepted).
struct Group {
    completeness: GroupCompleteness,
    not_submitted: Vec<AgencyLine>,
    returned: Vec<AgencyLine>,
    late: Vec<AgencyLine>,
}

fn group(
    kind: AgencyKind,
    expected: usize,
    not_submitted: &[&str],
    returned: &[&str],
    late: &[&str],
    awaiting: usize,
) -> Group {
    let lines = |names: &[&str]| -> Vec<AgencyLine> {
        names.iter().map(|n| AgencyLine { id: id(n), name: (*n).into(), kind }).collect()
    };
    let (not_submitted, returned, late) = (lines(not_submitted), lines(returned), lines(late));
    let ids = |lines: &[AgencyLine]| -> Vec<AgencyId> { lines.iter().map(|l| l.id.clone()).collect() };
    let others = expected - not_submitted.len() - returned.len() - late.len();
    let anonymous: Vec<AgencyId> =
        (0..others).map(|i| AgencyId::parse(&format!("{}-{i}", kind.as_str())).unwrap()).collect();
    let (waiting, accepted_on_time) = anonymous.split_at(awaiting);
    let mut accepted = ids(&late);
    accepted.extend_from_slice(accepted_on_time);
    let completeness = Completeness {
        expected,
        not_submitted: ids(&not_submitted),
        awaiting: waiting.to_vec(),
        returned: ids(&returned),
        accepted,
        on_time: anonymous.clone(),
        late: ids(&late),
    };
    Group {
        completeness: GroupCompleteness { kind, label: kind.label_vn().into(), completeness },
        not_submitted,
        returned,
        late,
    }
}

const COMMUNES_NOT_SUBMITTED: [&str; 12] = [
    "Xã Mường Lạn",
    "Xã Mường Lèo",
    "Xã Mường Và",
    "Xã Nậm Lạnh",
    "Xã Púng Bánh",
    "Xã Sam Kha",
    "Xã Sốp Cộp",
    "Xã Dồm Cang",
    "Xã Chiềng Khoong",
    "Xã Mường Cai",
    "Xã Mường Hung",
    "Xã Nậm Ty",
];

fn groups() -> Vec<Group> {
    vec![
        group(
            AgencyKind::Department,
            20,
            &["Sở Văn hóa, Thể thao và Du lịch", "Ban Dân tộc"],
            &["Sở Y tế"],
            &["Sở Tư pháp", "Sở Xây dựng"],
            3,
        ),
        group(AgencyKind::Sectoral, 5, &[], &[], &["Công an tỉnh"], 0),
        group(
            AgencyKind::District,
            12,
            &["UBND huyện Sốp Cộp"],
            &["UBND huyện Sông Mã"],
            &["UBND huyện Quỳnh Nhai"],
            2,
        ),
        group(
            AgencyKind::Commune,
            204,
            &COMMUNES_NOT_SUBMITTED,
            &[],
            &["Xã Chiềng Sơ", "Xã Chiềng En", "Xã Đứa Mòn", "Xã Huổi Một", "Xã Nà Nghịu"],
            3,
        ),
    ]
}

fn next() -> Vec<NextArea> {
    vec![
        NextArea {
            code: AreaCode::I,
            title: "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH".into(),
            tasks: vec![NextTask {
                activity_code: "I.5".into(),
                title: NEXT_TASK.into(),
                due: date(2024, 9, 30),
                leads: vec!["Sở Nội vụ".into()],
            }],
        },
        NextArea { code: AreaCode::II, title: "Cải cách thể chế".into(), tasks: vec![] },
        NextArea {
            code: AreaCode::VII,
            title: "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số".into(),
            tasks: vec![
                NextTask {
                    activity_code: "VII.3".into(),
                    title: "Nâng cấp Hệ thống thông tin giải quyết thủ tục hành chính tỉnh".into(),
                    due: date(2024, 9, 15),
                    leads: vec!["Sở Thông tin và Truyền thông".into(), "Văn phòng UBND tỉnh".into()],
                },
                NextTask {
                    activity_code: "VII.6".into(),
                    title: "Báo cáo kết quả số hóa hồ sơ, kết quả giải quyết TTHC Quý III/2024".into(),
                    due: date(2024, 9, 13),
                    leads: vec![],
                },
            ],
        },
    ]
}

fn agency_values() -> Vec<AgencyValue> {
    let value = |agency: &str, level, c: &str, n: f64, d: f64| AgencyValue {
        agency: agency.into(),
        level: Some(level),
        code: code(c),
        ratio: Some(Ratio { numerator: n, denominator: d }),
        not_applicable: None,
    };
    vec![
        value("Sở Tư pháp", AdminLevel::Tinh, "III.1.1", 1_180.0, 1_200.0),
        value("Sở Nội vụ", AdminLevel::Tinh, "III.1.1", 650.0, 650.0),
        value("UBND huyện Mộc Châu", AdminLevel::Huyen, "VII.1.2", 630.0, 1_120.0),
        value("Sở Nội vụ", AdminLevel::Tinh, "VII.2.1", 73.0, 100.0),
        AgencyValue {
            agency: "Xã Chiềng Hặc".into(),
            level: Some(AdminLevel::Xa),
            code: code("VII.1.2"),
            ratio: None,
            not_applicable: Some("Xã chưa được cấp tài khoản dịch vụ công trực tuyến".into()),
        },
    ]
}

fn narratives() -> Vec<AgencyNarrative> {
    let long = "Năm 2024, huyện tập trung chỉ đạo quyết liệt công tác cải cách hành chính. ".repeat(20);
    vec![
        AgencyNarrative {
            agency: "Sở Nội vụ".into(), area: AreaCode::I, text: "Ban hành Kế hoạch kiểm tra.".into()
        },
        AgencyNarrative { agency: "UBND huyện Mộc Châu".into(), area: AreaCode::I, text: long },
        AgencyNarrative {
            agency: "UBND thành phố Sơn La".into(),
            area: AreaCode::III,
            text: "Rà soát 12 thủ tục.\r\nĐề xuất đơn giản hóa 3 thủ tục.".into(),
        },
    ]
}

fn period(id: &str, name: &str, from: Date, to: Date, due: Date) -> ReportingPeriod {
    ReportingPeriod { id: PeriodId::parse(id).unwrap(), name: name.into(), data_from: from, data_to: to, due, line: 1 }
}

fn report() -> ConsolidatedReport {
    let groups = groups();
    let mut overall = Completeness::default();
    for g in &groups {
        let c = &g.completeness.completeness;
        overall.expected += c.expected;
        overall.not_submitted.extend(c.not_submitted.iter().cloned());
        overall.awaiting.extend(c.awaiting.iter().cloned());
        overall.returned.extend(c.returned.iter().cloned());
        overall.accepted.extend(c.accepted.iter().cloned());
        overall.on_time.extend(c.on_time.iter().cloned());
        overall.late.extend(c.late.iter().cloned());
    }
    let sources = Sources {
        accepted: overall.accepted.len(),
        awaiting: overall.awaiting.len(),
        returned: overall.returned.len(),
        expected: overall.expected,
    };
    ConsolidatedReport {
        issuing_body_parent: "UBND TỈNH SƠN LA".into(),
        issuing_body: "SỞ NỘI VỤ".into(),
        place: "Sơn La".into(),
        date: date(2024, 6, 20),
        title: "BÁO CÁO Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2024".into(),
        plan_title: "Cải cách hành chính nhà nước tỉnh Sơn La năm 2024".into(),
        plan_decision: "Quyết định số 2783/QĐ-UBND ngày 21/12/2023".into(),
        period: period(
            "2024S1",
            "Báo cáo 6 tháng đầu năm 2024",
            date(2023, 12, 15),
            date(2024, 6, 13),
            date(2024, 6, 14),
        ),
        next_period: Some(period(
            "2024Q3",
            "Báo cáo Quý III/2024",
            date(2024, 6, 14),
            date(2024, 9, 13),
            date(2024, 9, 14),
        )),
        settings: DocumentSettings {
            number: "123".into(),
            signer_title: vec!["KT. GIÁM ĐỐC".into(), "PHÓ GIÁM ĐỐC".into()],
            signer_name: "Nguyễn Văn A".into(),
            recipients: DEFAULT_RECIPIENTS.iter().map(|r| (*r).to_string()).collect(),
        },
        sources,
        indicators: indicators(),
        areas: areas(),
        completeness: groups.iter().map(|g| g.completeness.clone()).collect(),
        overall,
        late: groups.iter().flat_map(|g| g.late.clone()).collect(),
        not_submitted: groups.iter().flat_map(|g| g.not_submitted.clone()).collect(),
        returned: groups.iter().flat_map(|g| g.returned.clone()).collect(),
        next: next(),
        agency_values: agency_values(),
        narratives: narratives(),
    }
}

/// Every part of the package, as text.
fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("the file is a zip");
    let mut parts = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        parts.insert(file.name().to_string(), text);
    }
    parts
}

/// Fails unless `xml` is well-formed (matching tags, valid escapes).
fn assert_well_formed(name: &str, xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{name} is not well-formed XML at byte {}: {e}", reader.buffer_position()),
        }
    }
}

/// The text of all `<w:t>` elements, unescaped, in document order; one line per paragraph.
fn plain_text(xml: &str) -> String {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let mut inside = false;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == b"w:t" => inside = true,
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"w:t" => inside = false,
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"w:p" => out.push('\n'),
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

fn document(report: &ConsolidatedReport) -> (String, String) {
    let parts = unzip(&consolidated_docx(report).unwrap());
    let xml = parts["word/document.xml"].clone();
    assert_well_formed("word/document.xml", &xml);
    let text = plain_text(&xml);
    (xml, text)
}

/// The XML of the indicator table (the bordered table with the "Chỉ tiêu kế hoạch" header).
fn indicator_table_xml(xml: &str) -> &str {
    let header = xml.find(">Chỉ tiêu kế hoạch<").expect("the indicator table");
    let start = xml[..header].rfind("<w:tbl>").unwrap();
    let end = start + xml[start..].find("</w:tbl>").unwrap();
    &xml[start..end]
}

#[test]
fn docx_is_a_zip_with_the_required_parts() {
    let bytes = consolidated_docx(&report()).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    let parts = unzip(&bytes);
    for name in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/document.xml",
        "word/styles.xml",
        "word/_rels/document.xml.rels",
        "docProps/core.xml",
    ] {
        assert!(parts.contains_key(name), "missing part {name}: {:?}", parts.keys());
    }
    for (name, xml) in &parts {
        assert_well_formed(name, xml);
    }
    // Every relationship target exists, and every part has a content type.
    let rels = &parts["word/_rels/document.xml.rels"];
    for target in ["styles.xml", "settings.xml", "header1.xml", "header2.xml"] {
        assert!(rels.contains(&format!("Target=\"{target}\"")));
        assert!(parts.contains_key(&format!("word/{target}")));
        assert!(parts["[Content_Types].xml"].contains(&format!("PartName=\"/word/{target}\"")));
    }
    assert!(parts["docProps/core.xml"].contains("<dc:title>BÁO CÁO Kết quả thực hiện công tác cải cách hành chính"));
    // Same report, same bytes.
    assert_eq!(bytes, consolidated_docx(&report()).unwrap());
}

#[test]
fn document_follows_the_administrative_format() {
    let parts = unzip(&consolidated_docx(&report()).unwrap());
    let xml = &parts["word/document.xml"];
    let text = plain_text(xml);

    // A4, margins 20/20/30/15 mm, Times New Roman.
    assert!(xml.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    assert!(xml.contains("w:top=\"1134\" w:right=\"851\" w:bottom=\"1134\" w:left=\"1701\""));
    assert!(xml.contains("w:ascii=\"Times New Roman\""));
    assert!(parts["word/styles.xml"].contains("w:ascii=\"Times New Roman\""));

    // The heading, the sections and the closing blocks, in order.
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let position = |needle: &str| {
        lines.iter().position(|l| *l == needle).unwrap_or_else(|| panic!("no line «{needle}» in\n{text}"))
    };
    let order = [
        "UBND TỈNH SƠN LA",
        "SỞ NỘI VỤ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 123/BC-SNV",
        "Sơn La, ngày 20 tháng 6 năm 2024",
        "BÁO CÁO",
        "Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2024",
        "I. KẾT QUẢ THỰC HIỆN",
        "1. Lĩnh vực I: Công tác chỉ đạo, điều hành cải cách hành chính",
        "2. Lĩnh vực II: Cải cách thể chế",
        "3. Lĩnh vực III: Cải cách thủ tục hành chính",
        "4. Lĩnh vực VI: Cải cách tài chính công",
        "5. Lĩnh vực VII: Xây dựng và phát triển Chính quyền điện tử, Chính quyền số",
        "6. Kết quả thực hiện các chỉ tiêu",
        "7. Tình hình gửi báo cáo",
        "II. ĐÁNH GIÁ CHUNG",
        "1. Ưu điểm",
        "2. Tồn tại, hạn chế và nguyên nhân",
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
        "IV. KIẾN NGHỊ, ĐỀ XUẤT",
        "Trên đây là báo cáo kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2024./.",
        "Nơi nhận:",
        "- Bộ Nội vụ (b/c);",
        "- Thường trực Tỉnh ủy (b/c);",
        "- Lãnh đạo Sở;",
        "- Lưu: VT, CCHC.",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Văn A",
    ];
    let positions: Vec<usize> = order.iter().map(|l| position(l)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "out of order: {positions:?}");

    // The motto is bold and underlined, the national name bold, the date italic, the signer bold.
    let run_of = |needle: &str| {
        let end = xml.find(needle).unwrap_or_else(|| panic!("{needle} not in document.xml"));
        let start = xml[..end].rfind("<w:r>").unwrap();
        xml[start..end].to_string()
    };
    let motto = run_of(">Độc lập - Tự do - Hạnh phúc<");
    assert!(motto.contains("<w:b/>") && motto.contains("<w:u w:val=\"single\"/>"), "{motto}");
    assert!(run_of(">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<").contains("<w:b/>"));
    assert!(run_of(">SỞ NỘI VỤ<").contains("<w:b/>"));
    assert!(!run_of(">UBND TỈNH SƠN LA<").contains("<w:b/>"));
    assert!(run_of(">Sơn La, ngày 20 tháng 6 năm 2024<").contains("<w:i/>"));
    for signer in [">KT. GIÁM ĐỐC<", ">PHÓ GIÁM ĐỐC<", ">Nguyễn Văn A<"] {
        assert!(run_of(signer).contains("<w:b/>"), "{signer} is bold");
    }

    // Introduction, data window and where the values come from.
    assert!(text.contains(
        "Thực hiện Quyết định số 2783/QĐ-UBND ngày 21/12/2023 về việc ban hành Kế hoạch cải cách hành chính nhà nước \
         tỉnh Sơn La năm 2024; trên cơ sở báo cáo của các cơ quan, đơn vị, Sở Nội vụ báo cáo kết quả thực hiện"
    ));
    assert!(text.contains("Thời gian chốt số liệu: từ ngày 15/12/2023 đến ngày 13/06/2024."));
    assert!(text.contains(
        "Số liệu chỉ tiêu tổng hợp từ 224 báo cáo (216 đã tiếp nhận, 8 chờ tiếp nhận) trên 241 cơ quan, đơn vị phải \
         báo cáo; không tính 2 báo cáo bị trả lại (chờ gửi lại) và các báo cáo chưa gửi."
    ));
    assert!(run_of(">Thời gian chốt số liệu").contains("<w:i/>"));
}

#[test]
fn results_are_sentences_a_reader_understands() {
    let (xml, text) = document(&report());

    // The plan as a whole, then each area (counted per task).
    assert!(text.contains(
        "Kế hoạch có 56 nhiệm vụ; đến ngày 13/06/2024 (ngày chốt số liệu), 31 nhiệm vụ đã đến hạn, trong đó 24 nhiệm \
         vụ đã hoàn thành (20 đúng hạn, 4 trễ hạn) và 7 nhiệm vụ quá hạn chưa hoàn thành; 22 nhiệm vụ chưa đến hạn; \
         3 nhiệm vụ chờ sự kiện (chưa xác định thời hạn)."
    ));
    assert!(text.contains(
        "Lĩnh vực có 16 nhiệm vụ; đến ngày 13/06/2024 (ngày chốt số liệu), 10 nhiệm vụ đã đến hạn, trong đó 7 nhiệm \
         vụ đã hoàn thành (6 đúng hạn, 1 trễ hạn) và 3 nhiệm vụ quá hạn chưa hoàn thành; 6 nhiệm vụ chưa đến hạn."
    ));
    assert!(
        text.contains("Lĩnh vực có 6 nhiệm vụ; đến ngày 13/06/2024 (ngày chốt số liệu), chưa có nhiệm vụ nào đến hạn.")
    );
    assert!(text.contains(
        "- I.2. Xây dựng, ban hành Kế hoạch tuyên truyền cải cách hành chính năm 2024 (chưa hoàn thành: UBND huyện \
         Sốp Cộp; UBND huyện Sông Mã);"
    ));

    // Each area's indicators: only rows with a target count.
    assert!(text.contains(
        "Chỉ tiêu của lĩnh vực: 3 trong 6 kết quả có mục tiêu đạt; chưa đạt: Tỷ lệ hồ sơ TTHC được tiếp nhận, giải \
         quyết trực tuyến toàn trình (cấp xã 40,0%, mục tiêu ≥ 50%); Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC \
         (cấp tỉnh 97,4%, mục tiêu ≥ 100%; cấp xã 62,1%, mục tiêu ≥ 75%)."
    ));
    assert!(text.contains(
        "Các chỉ tiêu của lĩnh vực chưa có số liệu để đánh giá: Tỷ lệ phản ánh, kiến nghị về quy định hành chính được xử lý (II.3.1)."
    ));
    assert!(text.contains("Chỉ tiêu của lĩnh vực: kết quả có mục tiêu đã đạt (trong đó 1 vượt mục tiêu)."));

    // Highlights, condensed; the others counted and left to the annex.
    assert!(text.contains(&format!("- UBND huyện Mộc Châu: {NARRATIVE}")));
    assert!(xml.contains(NARRATIVE_ESCAPED), "the narrative is escaped");
    assert!(!xml.contains("<b>"), "no raw user markup");
    assert!(text.contains("Ngoài ra, 43 cơ quan, đơn vị khác có thuyết minh (chi tiết tại Phụ lục III)."));
    assert!(text.contains("Ngoài ra, 179 cơ quan, đơn vị khác có thuyết minh"));
    assert_eq!(text.matches("Ngoài ra,").count(), 2, "not for areas whose narratives are all shown");
    // A narrative of several lines is one paragraph in the report.
    assert!(text.contains("- UBND thành phố Sơn La: Rà soát 12 thủ tục. Đề xuất đơn giản hóa 3 thủ tục.\n"));
    // Full narratives are never pasted into the report.
    assert!(!text.contains("Năm 2024, huyện tập trung chỉ đạo quyết liệt"));

    // Submission per group, with percentages through Percent1.
    assert!(text.contains(
        "- Sở, ban, ngành: 20 cơ quan, đơn vị phải báo cáo; đã gửi 17 (85,0%), trong đó đúng hạn 15 (75,0%), trễ hạn \
         2 (10,0%); 1 báo cáo bị trả lại, chờ gửi lại (5,0%); chưa gửi 2 (10,0%)."
    ));
    assert!(text.contains(
        "- Cơ quan ngành dọc: 5 cơ quan, đơn vị phải báo cáo; đã gửi 5 (100,0%), trong đó đúng hạn 4 (80,0%), trễ hạn \
         1 (20,0%)."
    ));
    assert!(text.contains(
        "- UBND cấp xã: 204 cơ quan, đơn vị phải báo cáo; đã gửi 192 (94,1%), trong đó đúng hạn 187 (91,7%), trễ hạn \
         5 (2,5%); chưa gửi 12 (5,9%)."
    ));
    assert!(text.contains(
        "Tổng cộng: 241 cơ quan, đơn vị phải báo cáo; đã gửi 224 (92,9%), trong đó đúng hạn 215 (89,2%), trễ hạn 9 \
         (3,7%); 2 báo cáo bị trả lại, chờ gửi lại (0,8%); chưa gửi 15 (6,2%)."
    ));
}

#[test]
fn the_indicator_table_has_exactly_the_rows_given() {
    let report = report();
    let (xml, text) = document(&report);
    for header in ["STT", "Chỉ tiêu", "Cấp", "Kết quả", "Chỉ tiêu kế hoạch", "Đánh giá"] {
        assert!(text.lines().any(|l| l == header), "table header {header}");
    }
    assert!(xml.contains("<w:tblHeader/>"), "the header row repeats on every page");
    let table = indicator_table_xml(&xml);
    let rows: usize = report.indicators.iter().map(|i| i.levels.len()).sum();
    assert_eq!(rows, 4 + 3 + 4 + 1 + 1);
    assert_eq!(table.matches("<w:tr>").count(), 1 + rows, "a header and one row per level given");
    // STT and name merged over the level rows of each indicator with several.
    assert_eq!(table.matches("<w:vMerge w:val=\"restart\"/>").count(), 2 * 3);

    let start = text.find("\nSTT\n").unwrap();
    let end = text.find("7. Tình hình gửi báo cáo").unwrap();
    let cells: Vec<&str> = text[start..end].lines().collect();
    let expect_row = |row: &[&str]| {
        assert!(cells.windows(row.len()).any(|w| w == row), "row {row:?} not in table:\n{}", cells.join("\n"));
    };
    expect_row(&["1", "Tỷ lệ hồ sơ TTHC được giải quyết đúng hạn (III.1.1)", "Cấp tỉnh", "99,0%", "12.480/12.600"]);
    expect_row(&["Cấp huyện", "97,5%", "8.870/9.100", "≥ 98%", "Chưa đạt"]);
    expect_row(&["Toàn tỉnh", "98,6%", "36.580/37.100", "≥ 98%", "Đạt"]);
    expect_row(&["Cấp huyện", "56,3%", "6.300/11.200", "≥ 50%", "Đạt"]);
    expect_row(&["Cấp xã", "62,1%", "8.317/13.400", "≥ 75%", "Chưa đạt"]);
    // The province row of per-level targets: shown, not judged.
    expect_row(&["Toàn tỉnh", "70,4%", "14.287/20.300", "–", "Không đánh giá"]);
    expect_row(&["Cấp tỉnh", "15,0%", "1.050/7.000", "8–10%", "Vượt mục tiêu"]);
    expect_row(&["Cấp tỉnh", "–", "0/0", "100%", "Chưa có số liệu"]);
    // The reading of the range target, under the table.
    assert!(text.contains(
        "Ghi chú: chỉ tiêu VI.2.3 (cấp tỉnh): 15,0% cao hơn khoảng mục tiêu 8–10%; chỉ tiêu càng cao càng tốt nên được \
         đánh giá là vượt mục tiêu."
    ));
    // Counts of rows with a target only.
    assert!(text.contains(
        "Trong 12 kết quả có mục tiêu: 7 đạt (trong đó 1 vượt mục tiêu), 4 chưa đạt, 1 chưa có số liệu. 1 kết quả \
         không có mục tiêu ở cấp tương ứng"
    ));
}

#[test]
fn a_row_without_a_target_is_never_counted_as_without_data() {
    let mut report = report();
    // Leave out the one indicator that really has no data.
    report.indicators.retain(|i| i.code.as_str() != "II.3.1");
    let no_target: Vec<&LevelResult> = report
        .indicators
        .iter()
        .flat_map(|i| &i.levels)
        .filter(|l| l.assessment.attainment == Attainment::NoTarget)
        .collect();
    assert_eq!(no_target.len(), 1, "the province row of VII.2.1");
    let (_, text) = document(&report);
    assert!(!text.to_lowercase().contains("chưa có số liệu"), "{text}");
    assert!(text.contains("Trong 11 kết quả có mục tiêu: 7 đạt (trong đó 1 vượt mục tiêu), 4 chưa đạt."));
    assert_eq!(text.lines().filter(|l| *l == "Không đánh giá").count(), 1);
}

#[test]
fn the_assessment_is_drafted_from_the_data() {
    let (xml, text) = document(&report());
    assert!(text.contains("(Nội dung đánh giá dưới đây được dự thảo tự động từ số liệu tổng hợp;"));
    let note = xml.find(">(Nội dung đánh giá dưới đây").unwrap();
    assert!(xml[xml[..note].rfind("<w:r>").unwrap()..note].contains("<w:i/>"), "the note is italic");

    // Strengths.
    assert!(text.contains(
        "- Đã hoàn thành 24 trong 31 nhiệm vụ đã đến hạn của Kế hoạch (77,4%), trong đó 20 nhiệm vụ hoàn thành đúng \
         hạn; các lĩnh vực có tỷ lệ hoàn thành cao nhất: lĩnh vực III (7/7 nhiệm vụ, 100,0%), lĩnh vực II (5/5 nhiệm \
         vụ, 100,0%), lĩnh vực I (7/10 nhiệm vụ, 70,0%)."
    ));
    assert!(text.contains("- 7 trong 12 kết quả chỉ tiêu có mục tiêu đạt, trong đó 1 vượt mục tiêu: Tỷ lệ hồ sơ TTHC"));
    assert!(text.contains("- 224 trong 241 cơ quan, đơn vị đã gửi báo cáo (92,9%), trong đó 215 gửi đúng hạn (89,2%)."));

    // Shortcomings: overdue tasks by area, indicators not met by level, agencies by kind.
    assert!(
        text.contains("- Còn 7 nhiệm vụ quá hạn chưa hoàn thành: lĩnh vực I (3 nhiệm vụ), lĩnh vực VII (4 nhiệm vụ).")
    );
    assert!(text.contains(
        "- 4 kết quả chỉ tiêu chưa đạt mục tiêu: Tỷ lệ hồ sơ TTHC được giải quyết đúng hạn (cấp huyện 97,5%, mục tiêu \
         ≥ 98%); Tỷ lệ hồ sơ TTHC được tiếp nhận, giải quyết trực tuyến toàn trình (cấp xã 40,0%, mục tiêu ≥ 50%); \
         Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC (cấp tỉnh 97,4%, mục tiêu ≥ 100%; cấp xã 62,1%, mục tiêu ≥ 75%)."
    ));
    assert!(text.contains(&format!(
        "- Chưa gửi báo cáo (15 cơ quan, đơn vị): 2 sở, ban, ngành (Sở Văn hóa, Thể thao và Du lịch; Ban Dân tộc), \
         1 UBND cấp huyện (UBND huyện Sốp Cộp), 12 UBND cấp xã ({}).",
        COMMUNES_NOT_SUBMITTED.join("; ")
    )));
    assert!(text.contains(
        "- Gửi báo cáo trễ hạn (9 cơ quan, đơn vị): 2 sở, ban, ngành (Sở Tư pháp; Sở Xây dựng), 1 cơ quan ngành dọc \
         (Công an tỉnh), 1 UBND cấp huyện (UBND huyện Quỳnh Nhai), 5 UBND cấp xã (Xã Chiềng Sơ; Xã Chiềng En; Xã Đứa \
         Mòn; Xã Huổi Một; Xã Nà Nghịu)."
    ));
    assert!(text.contains(
        "- Báo cáo bị trả lại, chưa gửi lại (2 cơ quan, đơn vị): 1 sở, ban, ngành (Sở Y tế), 1 UBND cấp huyện (UBND \
         huyện Sông Mã)."
    ));
}

#[test]
fn the_next_period_lists_the_tasks_due() {
    let (_, text) = document(&report());
    assert!(text.contains(
        "Các cơ quan, đơn vị tập trung thực hiện 3 nhiệm vụ của Kế hoạch đến hạn trong kỳ tới, Quý III/2024 (từ ngày \
         14/06/2024 đến ngày 13/09/2024):"
    ));
    let section = &text[text.find("III. PHƯƠNG HƯỚNG").unwrap()..text.find("IV. KIẾN NGHỊ").unwrap()];
    assert!(section.contains(&format!("1. Lĩnh vực I: Công tác chỉ đạo, điều hành cải cách hành chính\n- {NEXT_TASK} (hạn 30/09/2024; chủ trì: Sở Nội vụ).\n")));
    assert!(section.contains(
        "2. Lĩnh vực VII: Xây dựng và phát triển Chính quyền điện tử, Chính quyền số\n- Nâng cấp Hệ thống thông tin \
         giải quyết thủ tục hành chính tỉnh (hạn 15/09/2024; chủ trì: Sở Thông tin và Truyền thông; Văn phòng UBND \
         tỉnh);\n- Báo cáo kết quả số hóa hồ sơ, kết quả giải quyết TTHC Quý III/2024 (hạn 13/09/2024).\n"
    ));
    assert!(!section.contains("Lĩnh vực II"), "areas without tasks are left out");

    let mut report = report();
    report.next.iter_mut().for_each(|a| a.tasks.clear());
    let (_, text) = document(&report);
    assert!(text.contains(
        "Trong kỳ tới, Quý III/2024 (từ ngày 14/06/2024 đến ngày 13/09/2024), không có nhiệm vụ nào của Kế hoạch đến \
         hạn. Tiếp tục triển khai các nhiệm vụ thường xuyên của Kế hoạch"
    ));
}

#[test]
fn an_unnumbered_report_leaves_room_for_the_number() {
    let mut report = report();
    report.settings.number = " ".into();
    report.settings.signer_name.clear();
    report.settings.signer_title = vec!["giám đốc".into()];
    let (_, text) = document(&report);
    assert!(text.lines().any(|l| l == "Số:      /BC-SNV"), "{text}");
    assert!(text.lines().any(|l| l == "GIÁM ĐỐC"), "the title in capitals");
    assert!(!text.contains("Nguyễn Văn A"));
    assert_eq!(reference_line(&report), "(Kèm theo Báo cáo số     /BC-SNV ngày 20/06/2024 của Sở Nội vụ)");
}

#[test]
fn hostile_text_cannot_break_the_document() {
    let mut report = report();
    report.areas[0].highlights.push((
        "Cơ quan <w:p> & \"x\"".into(),
        "]]> <![CDATA[ </w:t></w:r></w:p> \u{0}\u{7}\u{1b}\u{FFFE} '\t' \r\n end".into(),
    ));
    report.late.push(AgencyLine { id: id("a b"), name: "A&B <script>".into(), kind: AgencyKind::Other });
    report.indicators[0].name = "<w:tbl>".into();
    report.settings.signer_name = "</w:t>".into();
    report.settings.recipients.push("<Nơi & nhận>".into());
    let (xml, text) = document(&report);
    let illegal = |c: char| (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}');
    assert!(!xml.chars().any(illegal), "characters XML 1.0 forbids are dropped");
    assert!(text.contains("- Cơ quan <w:p> & \"x\": ]]> <![CDATA[ </w:t></w:r></w:p>  ' ' end"), "{text}");
    assert!(text.contains("1 cơ quan, tổ chức khác (A&B <script>)"));
    assert!(text.contains("<w:tbl> (III.1.1)"));
    assert!(text.contains("</w:t>") && text.contains("- <Nơi & nhận>."));
    let annex = consolidated_annex_xlsx(&report).unwrap();
    let workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(annex)).unwrap();
    assert_eq!(workbook.sheet_names().len(), SHEETS.len());
}

#[test]
fn an_empty_report_is_still_a_document() {
    let mut report = report();
    report.indicators.clear();
    report.areas.clear();
    report.completeness.clear();
    report.overall = Completeness::default();
    report.late.clear();
    report.not_submitted.clear();
    report.returned.clear();
    report.next.clear();
    report.next_period = None;
    report.agency_values.clear();
    report.narratives.clear();
    report.settings.recipients.clear();
    let (_, text) = document(&report);
    assert!(text.contains("Kỳ báo cáo này không có chỉ tiêu nào được theo dõi."));
    assert!(text.contains("Tổng cộng: không có cơ quan, đơn vị phải báo cáo trong kỳ."));
    assert!(text.contains("- Số liệu tổng hợp trong kỳ chưa cho thấy kết quả nổi bật."));
    assert!(text.contains("- Số liệu tổng hợp trong kỳ không cho thấy tồn tại, hạn chế."));
    assert!(text.contains("Trong kỳ tới, không có nhiệm vụ nào của Kế hoạch đến hạn."));
    assert!(text.lines().any(|l| l == "- Lưu: VT."));
    let annex = consolidated_annex_xlsx(&report).unwrap();
    let workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(annex)).unwrap();
    assert_eq!(workbook.sheet_names().len(), SHEETS.len());
}

// ---------------------------------------------------------------------------------------------
// LibreOffice.

/// `target/` of this build: `CARGO_TARGET_DIR` when set, else the directory above the test
/// binary that holds cargo's `CACHEDIR.TAG`.
fn target_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        let dir = PathBuf::from(dir);
        return if dir.is_absolute() { dir } else { workspace.join(dir) };
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().find(|d| d.join("CACHEDIR.TAG").is_file()).map(Path::to_path_buf))
        .unwrap_or_else(|| workspace.join("target"))
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Renders pages `first..=last` of `pdf` to `<stem>.png` with pdftoppm.
fn render_page(pdf: &Path, page: usize, stem: &Path) -> PathBuf {
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", &page.to_string(), "-l", &page.to_string(), "-singlefile"])
        .arg(pdf)
        .arg(stem)
        .status()
        .expect("pdftoppm (poppler-utils) runs");
    assert!(status.success());
    let png = stem.with_extension("png");
    assert!(png.is_file());
    png
}

#[test]
fn libreoffice_renders_the_report() {
    if !is_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "soffice not found; CI needs: apt-get install --no-install-recommends libreoffice-writer-nogui \
             libreoffice-calc-nogui poppler-utils fonts-liberation2"
        );
        eprintln!(
            "note: soffice not found, skipping the PDF conversion (apt-get install --no-install-recommends \
             libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-liberation2)"
        );
        return;
    }
    assert_eq!(PDF_TYPE, "application/pdf");
    let docx = consolidated_docx(&report()).unwrap();
    let started = std::time::Instant::now();
    let pdf = docx_to_pdf(&docx).unwrap_or_else(|e| panic!("{e}: {}", e.detail()));
    eprintln!("LibreOffice converted the DOCX to PDF in {:.1} s", started.elapsed().as_secs_f64());
    assert!(pdf.starts_with(b"%PDF"));

    let artifacts = target_dir().join("test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let pdf_path = artifacts.join("consolidated-report.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();
    std::fs::write(artifacts.join("consolidated-report.docx"), &docx).unwrap();

    let output = Command::new("pdftotext").arg(&pdf_path).arg("-").output().expect("pdftotext (poppler-utils) runs");
    assert!(output.status.success());
    let raw = String::from_utf8_lossy(&output.stdout);
    std::fs::write(artifacts.join("consolidated-report.txt"), raw.as_bytes()).unwrap();
    let text = collapse_whitespace(&raw);
    for needle in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 123/BC-SNV",
        "Sơn La, ngày 20 tháng 6 năm 2024",
        "BÁO CÁO",
        "Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2024",
        "I. KẾT QUẢ THỰC HIỆN",
        "II. ĐÁNH GIÁ CHUNG",
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
        NEXT_TASK,
        "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC",
        "56,3%",
        "Vượt mục tiêu",
        NARRATIVE,
        "Nơi nhận",
        "Bộ Nội vụ",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Văn A",
    ] {
        assert!(text.contains(needle), "PDF text lacks «{needle}»:\n{text}");
    }
    let pdfinfo = Command::new("pdfinfo").arg(&pdf_path).output().expect("pdfinfo runs");
    let info = String::from_utf8_lossy(&pdfinfo.stdout);
    assert!(info.contains("595.304 x 841.89 pts (A4)"), "A4 pages: {info}");
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("page count in {info}"));

    // The first page and the last one (the signature) as images, kept as artifacts.
    let first = render_page(&pdf_path, 1, &artifacts.join("consolidated-report-page1"));
    let last = render_page(&pdf_path, pages, &artifacts.join("consolidated-report-last-page"));
    eprintln!("{pages} pages; rendered to {} and {}", first.display(), last.display());

    // The annex: landscape A4, every sheet fitted to the page width, its heading on the page.
    let annex_xlsx = consolidated_annex_xlsx(&report()).unwrap();
    std::fs::write(artifacts.join("consolidated-annex.xlsx"), &annex_xlsx).unwrap();
    let annex = xlsx_to_pdf(&annex_xlsx).unwrap_or_else(|e| panic!("{e}: {}", e.detail()));
    let annex_path = artifacts.join("consolidated-annex.pdf");
    std::fs::write(&annex_path, &annex).unwrap();
    let output = Command::new("pdftotext").arg(&annex_path).arg("-").output().unwrap();
    let text = collapse_whitespace(&String::from_utf8_lossy(&output.stdout));
    for needle in [
        "Phụ lục I",
        "Phụ lục IV",
        "(Kèm theo Báo cáo số 123/BC-SNV ngày 20/06/2024 của Sở Nội vụ)",
        // Vietnamese separators whatever the server's locale.
        "12.480",
        "56,3",
        "Vượt mục tiêu",
    ] {
        assert!(text.contains(needle), "annex PDF text lacks «{needle}»:\n{text}");
    }
    let pdfinfo = Command::new("pdfinfo").arg(&annex_path).output().unwrap();
    let info = String::from_utf8_lossy(&pdfinfo.stdout);
    assert!(info.contains("841.89 x 595.304 pts (A4)"), "A4 landscape: {info}");
    render_page(&annex_path, 1, &artifacts.join("consolidated-annex-page1"));
}

// ---------------------------------------------------------------------------------------------
// The annex.

fn cell_text(data: &Data) -> String {
    match data {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

#[test]
fn annex_has_the_four_appendices() {
    let bytes = consolidated_annex_xlsx(&report()).unwrap();
    let parts = unzip(&bytes);
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), SHEETS.map(String::from).to_vec());
    assert_eq!(SHEETS, ["Chỉ tiêu", "Theo cơ quan", "Thuyết minh", "Tình hình báo cáo"]);

    // Print settings of every sheet: A4 landscape, one page wide, the header row on every page.
    for i in 1..=SHEETS.len() {
        let sheet = &parts[&format!("xl/worksheets/sheet{i}.xml")];
        let setup = &sheet[sheet.find("<pageSetup").unwrap()..];
        let setup = &setup[..setup.find("/>").unwrap()];
        for attribute in ["paperSize=\"9\"", "orientation=\"landscape\"", "fitToHeight=\"0\""] {
            assert!(setup.contains(attribute), "sheet{i}: {setup}");
        }
        assert!(sheet.contains("<pageSetUpPr fitToPage=\"1\"/>"), "sheet{i} fits to page");
    }
    let workbook_xml = &parts["xl/workbook.xml"];
    assert_eq!(workbook_xml.matches("_xlnm.Print_Titles").count(), SHEETS.len(), "{workbook_xml}");
    assert!(workbook_xml.contains("'Chỉ tiêu'!$6:$6"), "{workbook_xml}");
    // Times New Roman everywhere: no other font in the styles.
    let styles = &parts["xl/styles.xml"];
    assert!(styles.contains("<name val=\"Times New Roman\"/>"));
    assert!(!styles.contains("Calibri"), "{styles}");

    let rows = |workbook: &mut Xlsx<_>, name: &str| -> Vec<Vec<String>> {
        let range = workbook.worksheet_range(name).unwrap();
        range.rows().map(|r| r.iter().map(cell_text).collect()).collect()
    };

    let indicators = rows(&mut workbook, "Chỉ tiêu");
    assert_eq!(indicators[0][0], "Phụ lục I");
    assert_eq!(indicators[1][0], "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU");
    assert_eq!(indicators[2][0], "(Kèm theo Báo cáo số 123/BC-SNV ngày 20/06/2024 của Sở Nội vụ)");
    let header = indicators.iter().position(|r| r.first().is_some_and(|c| c == "STT")).unwrap();
    assert_eq!(header, 5);
    assert_eq!(indicators[header][2], "Chỉ tiêu");
    assert_eq!(indicators[header][9], "Đánh giá");
    let data = &indicators[header + 1..];
    assert_eq!(data.len(), 4 + 3 + 4 + 1 + 1, "one row per indicator and level, as in the DOCX");
    assert_eq!(
        data[0][1..8],
        ["III.1.1", "Tỷ lệ hồ sơ TTHC được giải quyết đúng hạn", "III", "Cấp tỉnh", "12480", "12600", "99"]
    );
    assert_eq!(data[0][8..10], ["≥ 98%", "Đạt"]);
    assert_eq!(data[4][7], "56.3", "6.300/11.200 rounded once, half away from zero");
    assert_eq!(data[10][9], "Không đánh giá");
    assert_eq!(data[11][9], "Vượt mục tiêu");
    assert!(data[11][10].starts_with("15,0% cao hơn khoảng mục tiêu 8–10%"));
    assert_eq!(data[12][7], "", "no value, no number");
    assert_eq!(data[12][9], "Chưa có số liệu");
    assert_eq!(data[12][11..13], ["16", "2"]);

    let agencies = rows(&mut workbook, "Theo cơ quan");
    assert_eq!(agencies[0][0], "Phụ lục II");
    let header = agencies.iter().position(|r| r.first().is_some_and(|c| c == "STT")).unwrap();
    assert_eq!(
        agencies[header][1..9],
        ["Cơ quan, đơn vị", "Cấp", "Mã chỉ tiêu", "Chỉ tiêu", "Tử số", "Mẫu số", "Tỷ lệ (%)", "Lý do không áp dụng"]
    );
    assert_eq!(agencies.len() - header - 1, 5);
    assert_eq!(
        agencies[header + 3][1..8],
        [
            "UBND huyện Mộc Châu",
            "Cấp huyện",
            "VII.1.2",
            "Tỷ lệ hồ sơ TTHC được tiếp nhận, giải quyết trực tuyến toàn trình",
            "630",
            "1120",
            "56.3"
        ]
    );
    assert_eq!(
        agencies[header + 5][5..9],
        ["", "", "Không áp dụng", "Xã chưa được cấp tài khoản dịch vụ công trực tuyến"]
    );

    let notes = rows(&mut workbook, "Thuyết minh");
    assert_eq!(notes[0][0], "Phụ lục III");
    let header = notes.iter().position(|r| r.first().is_some_and(|c| c == "STT")).unwrap();
    assert_eq!(notes.len() - header - 1, 3, "every narrative");
    assert_eq!(
        notes[header + 1][1..4],
        ["Sở Nội vụ", "I. Công tác chỉ đạo, điều hành cải cách hành chính", "Ban hành Kế hoạch kiểm tra."]
    );
    assert_eq!(notes[header + 2][3], narratives()[1].text.trim(), "in full");
    assert_eq!(notes[header + 3][3], "Rà soát 12 thủ tục.\nĐề xuất đơn giản hóa 3 thủ tục.");

    let status = rows(&mut workbook, "Tình hình báo cáo");
    assert_eq!(status[0][0], "Phụ lục IV");
    let flat: Vec<String> = status.iter().map(|r| r.join("|")).collect();
    assert!(flat.iter().any(|r| r == "Sở, ban, ngành|20|17|15|2|1|2|85|75"), "{flat:#?}");
    assert!(flat.iter().any(|r| r == "UBND cấp xã|204|192|187|5|0|12|94.1|91.7"), "{flat:#?}");
    assert!(flat.iter().any(|r| r == "Tổng cộng|241|224|215|9|2|15|92.9|89.2"), "{flat:#?}");
    assert!(flat.iter().any(|r| r.starts_with("Ban Dân tộc|Sở, ban, ngành||||Chưa gửi báo cáo")), "{flat:#?}");
    assert!(flat.iter().any(|r| r.starts_with("UBND huyện Sông Mã|UBND cấp huyện||||Bị trả lại, chờ gửi lại")));
    assert!(flat.iter().any(|r| r.starts_with("Công an tỉnh|Cơ quan ngành dọc||||Gửi báo cáo trễ hạn")));
}
