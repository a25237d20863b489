//! The consolidated report as DOCX and its XLSX annex, built from a hand-made report: the
//! package parts, the administrative format, escaping of user text, the indicator table; then the
//! DOCX converted to PDF by LibreOffice (headless) with the text checked and page 1 kept as a PNG
//! artifact (`target/test-artifacts/consolidated-report-page1.png`).
//!
//! LibreOffice and poppler-utils are needed for the conversion part: when `soffice` is missing the
//! test fails if `CI` is set and otherwise prints a note and skips that part.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use cchc_documents::annex::{consolidated_annex_xlsx, SHEETS};
use cchc_documents::docx::consolidated_docx;
use cchc_domain::reporting::{
    AreaProgress, Attainment, Completeness, ConsolidatedReport, GroupCompleteness, IndicatorCode, IndicatorResult,
    LevelResult,
};
use cchc_domain::{AdminLevel, AgencyId, AreaCode, Date, PeriodId, ReportingPeriod};

const NARRATIVE: &str = "Tiếp nhận <b>1.250</b> hồ sơ & giải quyết \"đúng hạn\" 98%.";
const NARRATIVE_ESCAPED: &str = "Tiếp nhận &lt;b&gt;1.250&lt;/b&gt; hồ sơ &amp; giải quyết &quot;đúng hạn&quot; 98%.";

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd(y, m, d).unwrap()
}

fn code(text: &str) -> IndicatorCode {
    IndicatorCode::parse(text).unwrap()
}

fn id(text: &str) -> AgencyId {
    AgencyId::parse(text).unwrap()
}

fn level(
    level: Option<AdminLevel>,
    n: f64,
    d: f64,
    target: Option<&str>,
    attainment: Attainment,
    agencies: usize,
) -> LevelResult {
    LevelResult {
        level,
        numerator: n,
        denominator: d,
        value: (d > 0.0).then(|| n * 100.0 / d),
        target: target.map(str::to_string),
        attainment,
        reporting_agencies: agencies,
    }
}

fn report() -> ConsolidatedReport {
    use AdminLevel::{Huyen, Tinh, Xa};
    use Attainment::{Met, NoData, NotMet};
    let indicators = vec![
        IndicatorResult {
            code: code("III.1.1"),
            name: "Tỷ lệ hồ sơ TTHC được giải quyết đúng hạn".into(),
            area: AreaCode::III,
            levels: vec![
                level(Some(Tinh), 165.0, 200.0, Some("≥ 80%"), Met, 3),
                level(Some(Huyen), 90.0, 100.0, Some("≥ 90%"), Met, 1),
                level(Some(Xa), 0.0, 0.0, Some("≥ 90%"), NoData, 0),
                level(None, 255.0, 300.0, Some("≥ 80%"), Met, 4),
            ],
        },
        IndicatorResult {
            code: code("VII.2.1"),
            name: "Tỷ lệ số hóa kết quả giải quyết TTHC".into(),
            area: AreaCode::VII,
            levels: vec![
                level(Some(Tinh), 73.0, 100.0, Some("≥ 100%"), NotMet, 3),
                level(Some(Huyen), 41.0, 50.0, Some("≥ 80%"), Met, 1),
                level(None, 114.0, 150.0, None, NoData, 4),
            ],
        },
        IndicatorResult {
            code: code("I.1.1"),
            name: "Tỷ lệ văn bản quy phạm pháp luật được rà soát".into(),
            area: AreaCode::I,
            levels: vec![level(None, 0.0, 0.0, Some("= 100%"), NoData, 0)],
        },
    ];
    let areas = vec![
        AreaProgress {
            code: AreaCode::I,
            title: "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH".into(),
            milestones: 12,
            done_on_time: 8,
            done_late: 1,
            overdue: 2,
            narratives: vec![("Sở Nội vụ".into(), "Ban hành kế hoạch kiểm tra cải cách hành chính năm 2024.".into())],
        },
        AreaProgress {
            code: AreaCode::III,
            title: "CẢI CÁCH THỦ TỤC HÀNH CHÍNH".into(),
            milestones: 20,
            done_on_time: 15,
            done_late: 2,
            overdue: 1,
            narratives: vec![
                ("UBND huyện Mộc Châu".into(), NARRATIVE.into()),
                (
                    "Sở Văn hóa, Thể thao và Du lịch".into(),
                    "Rà soát 12 thủ tục.\nĐề xuất đơn giản hóa 3 thủ tục.".into(),
                ),
            ],
        },
        AreaProgress {
            code: AreaCode::VII,
            title: "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số".into(),
            milestones: 0,
            done_on_time: 0,
            done_late: 0,
            overdue: 0,
            narratives: Vec::new(),
        },
    ];
    let completeness = vec![
        GroupCompleteness {
            label: "Sở, ban, ngành".into(),
            completeness: Completeness {
                expected: 3,
                submitted: 3,
                on_time: 2,
                missing: Vec::new(),
                late: vec![id("so-tu-phap")],
            },
        },
        GroupCompleteness {
            label: "UBND cấp huyện".into(),
            completeness: Completeness {
                expected: 2,
                submitted: 1,
                on_time: 1,
                missing: vec![id("ubnd-huyen-119")],
                late: Vec::new(),
            },
        },
        GroupCompleteness { label: "UBND cấp xã".into(), completeness: Completeness::default() },
    ];
    let agency_values = vec![
        ("Sở Tư pháp".to_string(), Some(Tinh), code("III.1.1"), 100.0, 120.0),
        ("Sở Nội vụ".to_string(), Some(Tinh), code("III.1.1"), 65.0, 80.0),
        ("UBND huyện Mộc Châu".to_string(), Some(Huyen), code("III.1.1"), 90.0, 100.0),
        ("Sở Nội vụ".to_string(), Some(Tinh), code("VII.2.1"), 73.0, 100.0),
        ("UBND huyện Mộc Châu".to_string(), Some(Huyen), code("VII.2.1"), 41.0, 50.0),
    ];
    ConsolidatedReport {
        issuing_body_parent: "UBND TỈNH SƠN LA".into(),
        issuing_body: "SỞ NỘI VỤ".into(),
        place: "Sơn La".into(),
        date: date(2024, 6, 10),
        title: "BÁO CÁO Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2024".into(),
        plan_title: "Cải cách hành chính nhà nước tỉnh Sơn La năm 2024".into(),
        plan_decision: "Quyết định số 2783/QĐ-UBND ngày 21/12/2023".into(),
        period: ReportingPeriod {
            id: PeriodId::parse("2024S1").unwrap(),
            name: "Báo cáo 6 tháng đầu năm 2024".into(),
            data_from: date(2023, 12, 15),
            data_to: date(2024, 6, 13),
            due: date(2024, 6, 14),
            line: 1,
        },
        indicators,
        areas,
        completeness,
        late_agencies: vec!["Sở Tư pháp".into()],
        missing_agencies: vec!["UBND huyện Sông Mã".into()],
        agency_values,
    }
}

/// Every part of the package, as text.
fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("the DOCX is a zip");
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

/// The text of all `<w:t>` elements, unescaped, in document order.
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

    // The heading, in order.
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let position = |needle: &str| {
        lines.iter().position(|l| *l == needle).unwrap_or_else(|| panic!("no line «{needle}» in\n{text}"))
    };
    let order = [
        "UBND TỈNH SƠN LA",
        "SỞ NỘI VỤ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số:      /BC-SNV",
        "Sơn La, ngày 10 tháng 6 năm 2024",
        "BÁO CÁO",
        "Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2024",
        "I. KẾT QUẢ THỰC HIỆN",
        "II. KẾT QUẢ CÁC CHỈ TIÊU",
        "III. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ",
        "IV. ĐỀ XUẤT, KIẾN NGHỊ",
        "Nơi nhận:",
        "- UBND tỉnh (để báo cáo);",
        "- Lưu: VT.",
        "GIÁM ĐỐC",
    ];
    let positions: Vec<usize> = order.iter().map(|l| position(l)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "heading out of order: {positions:?}");

    // The motto is bold and underlined, the national name bold, the date italic.
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
    assert!(run_of(">Sơn La, ngày 10 tháng 6 năm 2024<").contains("<w:i/>"));
    assert!(run_of(">GIÁM ĐỐC<").contains("<w:b/>"));

    // Introduction and data window.
    assert!(text.contains(
        "Thực hiện Quyết định số 2783/QĐ-UBND ngày 21/12/2023 về việc ban hành Kế hoạch cải cách hành chính nhà nước tỉnh Sơn La năm 2024"
    ));
    assert!(text.contains("Thời gian chốt số liệu: từ ngày 15/12/2023 đến ngày 13/06/2024."));

    // Areas: code and title (the standard name for a title in capitals), counts, narratives.
    assert!(text.contains("1. Lĩnh vực I: Công tác chỉ đạo, điều hành cải cách hành chính"));
    assert!(text.contains("2. Lĩnh vực III: Cải cách thủ tục hành chính"));
    assert!(text.contains("3. Lĩnh vực VII: Xây dựng và phát triển Chính quyền điện tử, Chính quyền số"));
    assert!(text.contains(
        "Tổng số 20 mốc công việc; hoàn thành đúng hạn 15, hoàn thành trễ hạn 2, quá hạn chưa hoàn thành 1."
    ));
    assert!(text.contains(
        "tổng số 32 mốc công việc; hoàn thành đúng hạn 23, hoàn thành trễ hạn 3, quá hạn chưa hoàn thành 3."
    ));
    assert!(text.contains(&format!("- UBND huyện Mộc Châu: {NARRATIVE}")));
    assert!(xml.contains(NARRATIVE_ESCAPED), "the narrative is escaped");
    assert!(!xml.contains("<b>"), "no raw user markup");
    // A narrative of several lines: one paragraph per line, the agency in front of the first.
    assert!(text.contains("- Sở Văn hóa, Thể thao và Du lịch: Rà soát 12 thủ tục.\nĐề xuất đơn giản hóa 3 thủ tục.\n"));

    // The indicator table: header, then one row per level with the decimal comma.
    for header in ["STT", "Chỉ tiêu", "Cấp", "Kết quả (%)", "Chỉ tiêu kế hoạch", "Đánh giá"] {
        assert!(lines.contains(&header), "table header {header}");
    }
    assert!(xml.contains("<w:tblHeader/>"), "the header row repeats on every page");
    let table = &text[text.find("STT").unwrap()..text.find("III. TÌNH HÌNH").unwrap()];
    let rows: Vec<&str> = table.lines().collect();
    let expect_row = |cells: &[&str]| {
        let found = rows.windows(cells.len()).any(|w| w == cells);
        assert!(found, "row {cells:?} not in table:\n{table}");
    };
    expect_row(&["1", "Tỷ lệ hồ sơ TTHC được giải quyết đúng hạn (III.1.1)", "Cấp tỉnh", "82,5", "≥ 80%", "Đạt"]);
    expect_row(&["Cấp xã", "–", "≥ 90%", "Chưa có số liệu"]);
    expect_row(&["Toàn tỉnh", "85", "≥ 80%", "Đạt"]);
    expect_row(&["2", "Tỷ lệ số hóa kết quả giải quyết TTHC (VII.2.1)", "Cấp tỉnh", "73", "≥ 100%", "Chưa đạt"]);
    expect_row(&["Toàn tỉnh", "76", "–", "Chưa có số liệu"]);
    expect_row(&["3", "Tỷ lệ văn bản quy phạm pháp luật được rà soát (I.1.1)", "Toàn tỉnh", "–", "= 100%"]);
    // The first indicator's STT and name cells span its four level rows.
    assert_eq!(xml.matches("<w:vMerge w:val=\"restart\"/>").count(), 4, "two merged cells for each of 2 indicators");

    // Completeness with percentages, then late and missing agencies.
    assert!(text.contains(
        "1. Sở, ban, ngành: 3 cơ quan, đơn vị phải báo cáo; đã gửi 3 (100%), trong đó đúng hạn 2 (66,7%); chưa gửi 0 (0%)."
    ));
    assert!(text.contains(
        "2. UBND cấp huyện: 2 cơ quan, đơn vị phải báo cáo; đã gửi 1 (50%), trong đó đúng hạn 1 (50%); chưa gửi 1 (50%)."
    ));
    assert!(text.contains("3. UBND cấp xã: không có cơ quan, đơn vị phải báo cáo trong kỳ."));
    assert!(text.contains("Các cơ quan, đơn vị gửi báo cáo trễ hạn (1): Sở Tư pháp."));
    assert!(text.contains("Các cơ quan, đơn vị chưa gửi báo cáo (1): UBND huyện Sông Mã."));
    assert!(text.contains("Trên đây là báo cáo kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2024./."));
}

#[test]
fn hostile_text_cannot_break_the_document() {
    let mut report = report();
    report.areas[0].narratives.push((
        "Cơ quan <w:p> & \"x\"".into(),
        "]]> <![CDATA[ </w:t></w:r></w:p> \u{0}\u{7}\u{1b}\u{FFFE} '\t' \r\n end".into(),
    ));
    report.late_agencies.push("A&B <script>".into());
    report.indicators[0].name = "<w:tbl>".into();
    let parts = unzip(&consolidated_docx(&report).unwrap());
    let xml = &parts["word/document.xml"];
    assert_well_formed("word/document.xml", xml);
    let illegal = |c: char| (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}');
    assert!(!xml.chars().any(illegal), "characters XML 1.0 forbids are dropped");
    let text = plain_text(xml);
    assert!(text.contains("- Cơ quan <w:p> & \"x\": ]]> <![CDATA[ </w:t></w:r></w:p>  '"), "{text}");
    assert!(text.contains("A&B <script>"));
    assert!(text.contains("<w:tbl> (III.1.1)"));
}

#[test]
fn an_empty_report_is_still_a_document() {
    let mut report = report();
    report.indicators.clear();
    report.areas.clear();
    report.completeness.clear();
    report.late_agencies.clear();
    report.missing_agencies.clear();
    report.agency_values.clear();
    let parts = unzip(&consolidated_docx(&report).unwrap());
    let xml = &parts["word/document.xml"];
    assert_well_formed("word/document.xml", xml);
    let text = plain_text(xml);
    assert!(text.contains("Kỳ báo cáo này không có chỉ tiêu nào được theo dõi."));
    assert!(text.contains("Không có cơ quan, đơn vị nào gửi báo cáo trễ hạn."));
    assert!(text.contains("Tất cả các cơ quan, đơn vị đã gửi báo cáo."));
    let annex = consolidated_annex_xlsx(&report).unwrap();
    let workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(annex)).unwrap();
    assert_eq!(workbook.sheet_names().len(), 3);
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

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|dir| names.iter().map(move |n| dir.join(n))).find(|p| p.is_file())
}

/// Runs a command, killing it after `limit`.
fn run_with_timeout(command: &mut Command, limit: Duration) -> std::process::ExitStatus {
    let mut child = command.stdin(Stdio::null()).stdout(Stdio::null()).spawn().expect("the program starts");
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn libreoffice_renders_the_report() {
    let Some(soffice) = find_program(&["soffice", "libreoffice"]) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "soffice not found; CI needs: apt-get install --no-install-recommends libreoffice-writer-nogui \
             poppler-utils fonts-liberation2"
        );
        eprintln!(
            "note: soffice not found, skipping the PDF conversion (apt-get install --no-install-recommends \
             libreoffice-writer-nogui poppler-utils fonts-liberation2)"
        );
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let docx = work.path().join("consolidated-report.docx");
    std::fs::write(&docx, consolidated_docx(&report()).unwrap()).unwrap();

    // A private profile: no clash with a running LibreOffice or a parallel test.
    let profile = work.path().join("profile");
    // Its chatter ("failed to launch javaldx") goes to a log shown only when the conversion fails.
    let log_path = work.path().join("soffice.log");
    let started = Instant::now();
    let status = run_with_timeout(
        Command::new(&soffice)
            .arg(format!("-env:UserInstallation=file://{}", profile.display()))
            .args(["--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
            .arg(work.path())
            .arg(&docx)
            .stderr(std::fs::File::create(&log_path).unwrap()),
        Duration::from_secs(180),
    );
    let elapsed = started.elapsed();
    let pdf = work.path().join("consolidated-report.pdf");
    let log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    assert!(status.success(), "soffice failed: {status}\n{}", log());
    assert!(pdf.is_file(), "no PDF written\n{}", log());
    eprintln!("LibreOffice converted the DOCX to PDF in {:.1} s", elapsed.as_secs_f64());

    let output = Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext (poppler-utils) runs");
    assert!(output.status.success());
    let text = collapse_whitespace(&String::from_utf8_lossy(&output.stdout));
    for needle in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Sơn La, ngày 10 tháng 6 năm 2024",
        "BÁO CÁO",
        "Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2024",
        "Tỷ lệ số hóa kết quả giải quyết TTHC",
        "82,5",
        NARRATIVE,
        "GIÁM ĐỐC",
    ] {
        assert!(text.contains(needle), "PDF text lacks «{needle}»:\n{text}");
    }
    let pdfinfo = Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo runs");
    let info = String::from_utf8_lossy(&pdfinfo.stdout);
    assert!(info.contains("595.304 x 841.89 pts (A4)"), "A4 pages: {info}");

    // Page 1 as an image, kept as an artifact.
    let artifacts = target_dir().join("test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let stem = artifacts.join("consolidated-report-page1");
    let status = run_with_timeout(
        Command::new("pdftoppm").args(["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"]).arg(&pdf).arg(&stem),
        Duration::from_secs(60),
    );
    assert!(status.success());
    let png = stem.with_extension("png");
    assert!(png.is_file());
    std::fs::copy(&pdf, artifacts.join("consolidated-report.pdf")).unwrap();
    std::fs::copy(&docx, artifacts.join("consolidated-report.docx")).unwrap();
    eprintln!("page 1 rendered to {}", png.display());
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
fn annex_has_the_three_sheets() {
    let bytes = consolidated_annex_xlsx(&report()).unwrap();
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), SHEETS.map(String::from).to_vec());
    assert_eq!(SHEETS, ["Chỉ tiêu", "Theo cơ quan", "Tình hình báo cáo"]);

    let rows = |workbook: &mut Xlsx<_>, name: &str| -> Vec<Vec<String>> {
        let range = workbook.worksheet_range(name).unwrap();
        range.rows().map(|r| r.iter().map(cell_text).collect()).collect()
    };

    let indicators = rows(&mut workbook, "Chỉ tiêu");
    let header = indicators.iter().position(|r| r.first().is_some_and(|c| c == "STT")).unwrap();
    assert_eq!(indicators[header][2], "Chỉ tiêu");
    assert_eq!(indicators[header][9], "Đánh giá");
    let data = &indicators[header + 1..];
    assert_eq!(data.len(), 4 + 3 + 1, "one row per indicator and level");
    assert_eq!(
        data[0][1..8],
        ["III.1.1", "Tỷ lệ hồ sơ TTHC được giải quyết đúng hạn", "III", "Cấp tỉnh", "165", "200", "82.5"]
    );
    assert_eq!(data[0][8..10], ["≥ 80%", "Đạt"]);
    assert_eq!(data[4][9], "Chưa đạt");
    assert_eq!(data[7][7], "", "no value, no number");
    assert_eq!(data[7][9], "Chưa có số liệu");

    let agencies = rows(&mut workbook, "Theo cơ quan");
    let header = agencies.iter().position(|r| r.first().is_some_and(|c| c == "STT")).unwrap();
    assert_eq!(
        agencies[header][1..8],
        ["Cơ quan, đơn vị", "Cấp", "Mã chỉ tiêu", "Chỉ tiêu", "Tử số", "Mẫu số", "Tỷ lệ (%)"]
    );
    assert_eq!(agencies.len() - header - 1, 5);
    assert_eq!(
        agencies[header + 3][1..8],
        ["UBND huyện Mộc Châu", "Cấp huyện", "III.1.1", "Tỷ lệ hồ sơ TTHC được giải quyết đúng hạn", "90", "100", "90"]
    );

    let status = rows(&mut workbook, "Tình hình báo cáo");
    let flat: Vec<String> = status.iter().map(|r| r.join("|")).collect();
    assert!(flat.iter().any(|r| r.starts_with("Sở, ban, ngành|3|3|100|2|")), "{flat:#?}");
    assert!(flat.iter().any(|r| r.starts_with("UBND cấp huyện|2|1|50|1|50|0|1|50")), "{flat:#?}");
    assert!(flat.iter().any(|r| r.starts_with("Sở Tư pháp|Gửi báo cáo trễ hạn")), "{flat:#?}");
    assert!(flat.iter().any(|r| r.starts_with("UBND huyện Sông Mã|Chưa gửi báo cáo")), "{flat:#?}");
}
