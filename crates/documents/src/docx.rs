//! The province's consolidated report as a Word document (DOCX) in the format of Vietnamese
//! administrative documents (Nghị định 30/2020/NĐ-CP, Phụ lục I).
//!
//! The WordprocessingML is written by hand (a DOCX is a zip of a few XML parts), so the layout is
//! exactly what the decree asks for and nothing depends on a template file:
//!
//! - A4 portrait; margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm; Times New Roman;
//!   body text 14 pt, justified, first line indented 1,27 cm, 6 pt between paragraphs; page
//!   numbers centred in the header from page 2 on.
//! - The heading as a borderless two-column table: the issuing body (parent body in regular
//!   caps, the body itself in bold caps over a short rule) and "Số:      /BC-…" on the left; the
//!   national name (bold caps), the motto (bold, underlined) and the italic place-and-date line
//!   on the right.
//! - The document type "BÁO CÁO" and its subject (bold, centred, over a short rule), the
//!   introduction, sections I–IV, the closing "./." and the "Nơi nhận" and signature blocks.
//!
//! Every piece of user text (agency names, narratives) is escaped, and characters XML 1.0 cannot
//! carry are dropped, so no input can break the document.

use std::io::{Cursor, Write};

use cchc_domain::reporting::{Attainment, ConsolidatedReport, IndicatorResult, LevelResult};
use cchc_domain::text::fold;
use cchc_domain::{AdminLevel, Date};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// Media type of a DOCX file.
pub const DOCX_TYPE: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Why the document could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error("không tạo được tệp DOCX: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("không ghi được tệp DOCX: {0}")]
    Io(#[from] std::io::Error),
}

/// The consolidated report of a period as a DOCX file, ready to be numbered and signed.
pub fn consolidated_docx(report: &ConsolidatedReport) -> Result<Vec<u8>, DocxError> {
    let document = document_xml(report);
    let parts: [(&str, &str); 10] = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("word/document.xml", &document),
        ("word/styles.xml", STYLES),
        ("word/settings.xml", SETTINGS),
        ("word/header1.xml", HEADER_PAGE_NUMBER),
        ("word/header2.xml", HEADER_EMPTY),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
        ("docProps/core.xml", &core_xml(report)),
        ("docProps/app.xml", APP),
    ];
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    // A fixed timestamp (the zip default, 1980-01-01) keeps the output reproducible.
    let options = SimpleFileOptions::DEFAULT.compression_method(CompressionMethod::Deflated);
    for (name, content) in parts {
        zip.start_file(name, options)?;
        zip.write_all(content.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

// ---------------------------------------------------------------------------------------------
// Page geometry (twentieths of a point: 1 mm ≈ 56.7) and type sizes (half-points).

const PAGE_WIDTH: u32 = 11_906; // 210 mm
const PAGE_HEIGHT: u32 = 16_838; // 297 mm
const MARGIN_TOP: u32 = 1_134; // 20 mm
const MARGIN_BOTTOM: u32 = 1_134; // 20 mm
const MARGIN_LEFT: u32 = 1_701; // 30 mm
const MARGIN_RIGHT: u32 = 851; // 15 mm
const HEADER_DISTANCE: u32 = 567; // 10 mm
/// Width of the text column.
const TEXT_WIDTH: u32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
/// Left column of the heading table (issuing body, number); the right one takes the rest.
const HEADING_LEFT: u32 = 3_686; // 6,5 cm
const HEADING_RIGHT: u32 = TEXT_WIDTH - HEADING_LEFT;
/// STT | Chỉ tiêu | Cấp | Kết quả (%) | Chỉ tiêu kế hoạch | Đánh giá: the full text width.
const INDICATOR_COLUMNS: [u32; 6] = [680, 3_054, 1_250, 1_050, 1_370, 1_950];
const _: () = assert!(
    INDICATOR_COLUMNS[0]
        + INDICATOR_COLUMNS[1]
        + INDICATOR_COLUMNS[2]
        + INDICATOR_COLUMNS[3]
        + INDICATOR_COLUMNS[4]
        + INDICATOR_COLUMNS[5]
        == TEXT_WIDTH
);
/// First-line indent of body paragraphs (1,27 cm).
const INDENT: u32 = 720;

const BODY: u32 = 28; // 14 pt
const HEADING: u32 = 26; // 13 pt: issuing body, national name, number
const TABLE: u32 = 24; // 12 pt
const RECIPIENTS_LABEL: u32 = 24; // 12 pt
const RECIPIENTS: u32 = 22; // 11 pt

// ---------------------------------------------------------------------------------------------
// A tiny WordprocessingML writer.

/// Character formatting of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Font {
    bold: bool,
    italic: bool,
    underline: bool,
    size: u32,
}

impl Font {
    const fn size(size: u32) -> Font {
        Font { bold: false, italic: false, underline: false, size }
    }
    const fn bold(self) -> Font {
        Font { bold: true, ..self }
    }
    const fn italic(self) -> Font {
        Font { italic: true, ..self }
    }
    const fn underline(self) -> Font {
        Font { underline: true, ..self }
    }
}

const TEXT: Font = Font::size(BODY);
const FONT: &str = "<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"Times New Roman\" \
                    w:cs=\"Times New Roman\"/>";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Center,
    Both,
}

/// Paragraph formatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Para {
    align: Align,
    first_line: u32,
    left: u32,
    right: u32,
    before: u32,
    after: u32,
    /// Line spacing in 240ths of a line (240 = single).
    line: u32,
    keep_next: bool,
}

impl Para {
    /// A body paragraph: justified, first line indented, 6 pt before, 1.15 lines.
    const fn body() -> Para {
        Para {
            align: Align::Both,
            first_line: INDENT,
            left: 0,
            right: 0,
            before: 120,
            after: 0,
            line: 276,
            keep_next: false,
        }
    }
    /// A centred line without spacing (heading blocks, table cells).
    const fn centered() -> Para {
        Para {
            align: Align::Center,
            first_line: 0,
            left: 0,
            right: 0,
            before: 0,
            after: 0,
            line: 240,
            keep_next: false,
        }
    }
    const fn left() -> Para {
        Para { align: Align::Left, ..Para::centered() }
    }
    const fn before(self, before: u32) -> Para {
        Para { before, ..self }
    }
    const fn after(self, after: u32) -> Para {
        Para { after, ..self }
    }
    const fn keep_next(self) -> Para {
        Para { keep_next: true, ..self }
    }
}

/// Appends `text` as XML character data: markup characters escaped, characters XML 1.0 does not
/// allow dropped.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// Whether XML 1.0 can carry the character at all.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// The body of `word/document.xml`, built element by element.
#[derive(Default)]
struct Body {
    xml: String,
    /// Whether cells of the current table are centred vertically (data tables) or not (the
    /// borderless layout tables, whose columns start at the top).
    centre_cells: bool,
}

impl Body {
    fn run(&mut self, text: &str, font: Font) {
        self.xml.push_str("<w:r>");
        self.run_properties(font);
        // Line breaks become <w:br/>, tabs <w:tab/>; carriage returns are dropped.
        let mut first = true;
        for line in text.split('\n') {
            if !first {
                self.xml.push_str("<w:br/>");
            }
            first = false;
            let mut first_piece = true;
            for piece in line.split('\t') {
                if !first_piece {
                    self.xml.push_str("<w:tab/>");
                }
                first_piece = false;
                let piece: String = piece.chars().filter(|c| *c != '\r').collect();
                if !piece.is_empty() {
                    self.xml.push_str("<w:t xml:space=\"preserve\">");
                    escape_into(&mut self.xml, &piece);
                    self.xml.push_str("</w:t>");
                }
            }
        }
        self.xml.push_str("</w:r>");
    }

    fn run_properties(&mut self, font: Font) {
        // The font is repeated on every run (not only in the styles), so text pasted into another
        // document keeps it.
        self.xml.push_str("<w:rPr>");
        self.xml.push_str(FONT);
        if font.bold {
            self.xml.push_str("<w:b/><w:bCs/>");
        }
        if font.italic {
            self.xml.push_str("<w:i/><w:iCs/>");
        }
        self.xml.push_str(&format!("<w:sz w:val=\"{0}\"/><w:szCs w:val=\"{0}\"/>", font.size));
        if font.underline {
            self.xml.push_str("<w:u w:val=\"single\"/>");
        }
        self.xml.push_str("</w:rPr>");
    }

    fn paragraph_properties(&mut self, para: Para, mark: Font, bottom_rule: bool) {
        self.xml.push_str("<w:pPr>");
        if para.keep_next {
            self.xml.push_str("<w:keepNext/>");
        }
        if bottom_rule {
            self.xml
                .push_str("<w:pBdr><w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"0\" w:color=\"000000\"/></w:pBdr>");
        }
        let line_rule = if bottom_rule { "exact" } else { "auto" };
        self.xml.push_str(&format!(
            "<w:spacing w:before=\"{}\" w:after=\"{}\" w:line=\"{}\" w:lineRule=\"{line_rule}\"/>",
            para.before, para.after, para.line
        ));
        if para.first_line > 0 || para.left > 0 || para.right > 0 {
            self.xml.push_str(&format!(
                "<w:ind w:left=\"{}\" w:right=\"{}\" w:firstLine=\"{}\"/>",
                para.left, para.right, para.first_line
            ));
        }
        let jc = match para.align {
            Align::Left => "left",
            Align::Center => "center",
            Align::Both => "both",
        };
        self.xml.push_str(&format!("<w:jc w:val=\"{jc}\"/>"));
        self.run_properties(mark);
        self.xml.push_str("</w:pPr>");
    }

    /// A paragraph of runs; the paragraph mark takes the first run's size.
    fn p(&mut self, para: Para, runs: &[(&str, Font)]) {
        self.xml.push_str("<w:p>");
        let mark = runs.first().map_or(TEXT, |(_, f)| Font::size(f.size));
        self.paragraph_properties(para, mark, false);
        for (text, font) in runs {
            self.run(text, *font);
        }
        self.xml.push_str("</w:p>");
    }

    /// A short horizontal rule of `length` twips centred in a column `width` wide: an empty
    /// `height` twips high paragraph with a bottom border, indented from both sides.
    fn rule(&mut self, width: u32, length: u32, height: u32) {
        let side = width.saturating_sub(length) / 2;
        let para = Para { left: side, right: side, line: height, ..Para::centered() };
        self.xml.push_str("<w:p>");
        self.paragraph_properties(para, Font::size(4), true);
        self.xml.push_str("</w:p>");
    }

    fn table_start(&mut self, columns: &[u32], bordered: bool) {
        self.centre_cells = bordered;
        let width: u32 = columns.iter().sum();
        self.xml.push_str("<w:tbl><w:tblPr>");
        self.xml.push_str(&format!("<w:tblW w:w=\"{width}\" w:type=\"dxa\"/>"));
        self.xml.push_str("<w:jc w:val=\"center\"/>");
        let border =
            if bordered { "w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"" } else { "w:val=\"nil\"" };
        self.xml.push_str("<w:tblBorders>");
        for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
            self.xml.push_str(&format!("<w:{side} {border}/>"));
        }
        self.xml.push_str("</w:tblBorders><w:tblLayout w:type=\"fixed\"/>");
        let (vertical, horizontal) = if bordered { (40, 80) } else { (0, 40) };
        self.xml.push_str(&format!(
            "<w:tblCellMar><w:top w:w=\"{vertical}\" w:type=\"dxa\"/><w:left w:w=\"{horizontal}\" w:type=\"dxa\"/>\
             <w:bottom w:w=\"{vertical}\" w:type=\"dxa\"/><w:right w:w=\"{horizontal}\" w:type=\"dxa\"/></w:tblCellMar>"
        ));
        self.xml.push_str("<w:tblLook w:val=\"0000\" w:firstRow=\"0\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/>");
        self.xml.push_str("</w:tblPr><w:tblGrid>");
        for column in columns {
            self.xml.push_str(&format!("<w:gridCol w:w=\"{column}\"/>"));
        }
        self.xml.push_str("</w:tblGrid>");
    }

    fn table_end(&mut self) {
        self.xml.push_str("</w:tbl>");
    }

    /// Starts a row; a header row repeats on every page; no row breaks across pages.
    fn row_start(&mut self, header: bool) {
        self.xml.push_str("<w:tr><w:trPr><w:cantSplit/>");
        if header {
            self.xml.push_str("<w:tblHeader/>");
        }
        self.xml.push_str("</w:trPr>");
    }

    fn row_end(&mut self) {
        self.xml.push_str("</w:tr>");
    }

    fn cell_start(&mut self, width: u32, merge: Merge) {
        self.xml.push_str(&format!("<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>"));
        match merge {
            Merge::None => {}
            Merge::Start => self.xml.push_str("<w:vMerge w:val=\"restart\"/>"),
            Merge::Continue => self.xml.push_str("<w:vMerge/>"),
        }
        if self.centre_cells {
            self.xml.push_str("<w:vAlign w:val=\"center\"/>");
        }
        self.xml.push_str("</w:tcPr>");
    }

    fn cell_end(&mut self) {
        self.xml.push_str("</w:tc>");
    }

    /// A table cell holding one paragraph.
    fn cell(&mut self, width: u32, merge: Merge, para: Para, runs: &[(&str, Font)]) {
        self.cell_start(width, merge);
        self.p(para, runs);
        self.cell_end();
    }
}

/// Vertical merging of a table cell with the ones below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Merge {
    None,
    Start,
    Continue,
}

// ---------------------------------------------------------------------------------------------
// Vietnamese conventions.

/// "Sơn La, ngày 05 tháng 02 năm 2024": the decree writes a leading zero for days below 10 and for
/// months 1 and 2 (so nobody can turn "ngày 5" into "ngày 15" or "tháng 1" into "tháng 11"); months
/// 3–12 are written as they are.
pub fn place_and_date(place: &str, date: Date) -> String {
    let month = if date.month() < 3 { format!("{:02}", date.month()) } else { date.month().to_string() };
    format!("{place}, ngày {:02} tháng {month} năm {}", date.day(), date.year())
}

/// A number with a Vietnamese decimal comma and at most one decimal: 82,5; 100; 7,3.
/// Thousands are grouped with dots (1.234,5).
pub fn vn_decimal(value: f64) -> String {
    if !value.is_finite() {
        return "–".into();
    }
    let tenths = (value * 10.0).round();
    let negative = tenths < 0.0;
    let tenths = tenths.abs() as u64;
    let (whole, fraction) = (tenths / 10, tenths % 10);
    let mut out = String::new();
    if negative && tenths > 0 {
        out.push('-');
    }
    out.push_str(&group_thousands(whole));
    if fraction > 0 {
        out.push(',');
        out.push_str(&fraction.to_string());
    }
    out
}

/// A whole number with dots between thousands: 1.234.
pub fn vn_count(value: usize) -> String {
    group_thousands(value as u64)
}

fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// The part of a document number after the slash: "BC-SNV" for a report of "SỞ NỘI VỤ" (the
/// initials of the issuing body).
pub fn number_suffix(issuing_body: &str) -> String {
    let initials: String =
        fold(issuing_body).split(' ').filter_map(|w| w.chars().next()).flat_map(char::to_uppercase).collect();
    if initials.is_empty() {
        "BC".into()
    } else {
        format!("BC-{initials}")
    }
}

/// The subject line: the title without its document type ("BÁO CÁO Kết quả …" → "Kết quả …").
fn subject(title: &str) -> &str {
    let title = title.trim();
    title.strip_prefix("BÁO CÁO").map_or(title, str::trim_start)
}

/// The first letter in lower case ("Kết quả thực hiện" → "kết quả thực hiện").
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How wide a line of text roughly is, in twips (for the length of the rules under it).
fn estimated_width(text: &str, size: u32) -> u32 {
    let ems: f64 = text
        .chars()
        .map(|c| {
            if c == ' ' {
                0.25
            } else if c.is_uppercase() {
                0.72
            } else {
                0.5
            }
        })
        .sum();
    // size is in half-points; one point is 20 twips.
    (ems * f64::from(size) * 10.0) as u32
}

fn level_label(level: Option<AdminLevel>) -> &'static str {
    match level {
        None => "Toàn tỉnh",
        Some(AdminLevel::Tinh) => "Cấp tỉnh",
        Some(AdminLevel::Huyen) => "Cấp huyện",
        Some(AdminLevel::Xa) => "Cấp xã",
    }
}

/// The area's name for a sub-heading: the plan's title, or the standard name when the plan
/// writes it in capitals (appendix headings such as "CẢI CÁCH THỂ CHẾ").
fn area_name(area: &cchc_domain::reporting::AreaProgress) -> String {
    let title = area.title.trim();
    if title.is_empty() || !title.chars().any(char::is_lowercase) {
        area.code.standard_name_vn().to_string()
    } else {
        title.to_string()
    }
}

fn percent_text(part: usize, whole: usize) -> String {
    if whole == 0 {
        "–".into()
    } else {
        format!("{}%", vn_decimal(part as f64 * 100.0 / whole as f64))
    }
}

// ---------------------------------------------------------------------------------------------
// The document.

fn document_xml(report: &ConsolidatedReport) -> String {
    let mut body = Body::default();
    heading(&mut body, report);
    title(&mut body, report);
    introduction(&mut body, report);
    results_by_area(&mut body, report);
    indicators(&mut body, report);
    completeness(&mut body, report);
    proposals(&mut body, report);
    closing(&mut body);
    let mut xml = String::with_capacity(body.xml.len() + 2_000);
    xml.push_str(XML_DECLARATION);
    xml.push_str(
        "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>",
    );
    xml.push_str(&body.xml);
    xml.push_str(&format!(
        "<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rId4\"/><w:headerReference w:type=\"first\" r:id=\"rId5\"/>\
         <w:pgSz w:w=\"{PAGE_WIDTH}\" w:h=\"{PAGE_HEIGHT}\"/>\
         <w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" w:left=\"{MARGIN_LEFT}\" \
         w:header=\"{HEADER_DISTANCE}\" w:footer=\"{HEADER_DISTANCE}\" w:gutter=\"0\"/>\
         <w:cols w:space=\"720\"/><w:titlePg/></w:sectPr></w:body></w:document>"
    ));
    xml
}

/// The heading table: issuing body and number on the left, national name, motto, place and date
/// on the right.
fn heading(body: &mut Body, report: &ConsolidatedReport) {
    let columns = [HEADING_LEFT, HEADING_RIGHT];
    let small = Font::size(HEADING);
    body.table_start(&columns, false);

    body.row_start(false);
    body.cell_start(HEADING_LEFT, Merge::None);
    body.p(Para::centered(), &[(&report.issuing_body_parent.to_uppercase(), small)]);
    let issuing_body = report.issuing_body.to_uppercase();
    body.p(Para::centered(), &[(&issuing_body, small.bold())]);
    let rule = (estimated_width(&issuing_body, HEADING) / 2).clamp(600, HEADING_LEFT - 400);
    body.rule(HEADING_LEFT, rule, 120);
    body.cell_end();
    body.cell_start(HEADING_RIGHT, Merge::None);
    body.p(Para::centered(), &[("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", small.bold())]);
    body.p(Para::centered(), &[("Độc lập - Tự do - Hạnh phúc", TEXT.bold().underline())]);
    body.cell_end();
    body.row_end();

    body.row_start(false);
    let number = format!("Số:      /{}", number_suffix(&report.issuing_body));
    body.cell(HEADING_LEFT, Merge::None, Para::centered().before(160), &[(&number, small)]);
    let date_line = place_and_date(&report.place, report.date);
    body.cell(HEADING_RIGHT, Merge::None, Para::centered().before(160), &[(&date_line, TEXT.italic())]);
    body.row_end();

    body.table_end();
}

/// "BÁO CÁO" and the subject, centred and bold, with a short rule under them.
fn title(body: &mut Body, report: &ConsolidatedReport) {
    body.p(Para::centered().before(480).keep_next(), &[("BÁO CÁO", TEXT.bold())]);
    let subject = subject(&report.title);
    if !subject.is_empty() {
        body.p(Para::centered().keep_next(), &[(subject, TEXT.bold())]);
    }
    let rule = (estimated_width(subject, BODY).min(TEXT_WIDTH) / 3).clamp(1_200, 3_000);
    body.rule(TEXT_WIDTH, rule, 180);
    body.p(Para::centered().after(120), &[("", TEXT)]);
}

fn introduction(body: &mut Body, report: &ConsolidatedReport) {
    let plan = report.plan_title.trim();
    let plan = if fold(plan).starts_with("ke hoach") {
        plan.to_string()
    } else {
        format!("Kế hoạch {}", lower_first(plan))
    };
    let subject = lower_first(subject(&report.title));
    let text = format!(
        "Thực hiện {} về việc ban hành {plan}; trên cơ sở báo cáo của các cơ quan, đơn vị, báo cáo {subject} như sau:",
        report.plan_decision.trim(),
    );
    body.p(Para::body(), &[(&text, TEXT)]);
    let window = format!(
        "Thời gian chốt số liệu: từ ngày {} đến ngày {}.",
        report.period.data_from.vn(),
        report.period.data_to.vn()
    );
    body.p(Para::body(), &[(&window, TEXT.italic())]);
}

fn section(body: &mut Body, text: &str) {
    body.p(Para::body().before(240).keep_next(), &[(text, TEXT.bold())]);
}

fn results_by_area(body: &mut Body, report: &ConsolidatedReport) {
    section(body, "I. KẾT QUẢ THỰC HIỆN");
    let total = |f: fn(&cchc_domain::reporting::AreaProgress) -> usize| report.areas.iter().map(f).sum::<usize>();
    let milestones = total(|a| a.milestones);
    let summary = format!(
        "Tính đến ngày {} (ngày chốt số liệu), các nhiệm vụ của Kế hoạch có tổng số {} mốc công việc; \
         hoàn thành đúng hạn {}, hoàn thành trễ hạn {}, quá hạn chưa hoàn thành {}.",
        report.period.data_to.vn(),
        vn_count(milestones),
        vn_count(total(|a| a.done_on_time)),
        vn_count(total(|a| a.done_late)),
        vn_count(total(|a| a.overdue)),
    );
    body.p(Para::body(), &[(&summary, TEXT)]);
    for (i, area) in report.areas.iter().enumerate() {
        let heading = format!("{}. Lĩnh vực {}: {}", i + 1, area.code, area_name(area));
        body.p(Para::body().keep_next(), &[(&heading, TEXT.bold())]);
        let progress = if area.milestones == 0 {
            "Không có mốc công việc nào trong kỳ báo cáo.".to_string()
        } else {
            format!(
                "Tổng số {} mốc công việc; hoàn thành đúng hạn {}, hoàn thành trễ hạn {}, quá hạn chưa hoàn thành {}.",
                vn_count(area.milestones),
                vn_count(area.done_on_time),
                vn_count(area.done_late),
                vn_count(area.overdue)
            )
        };
        body.p(Para::body(), &[(&progress, TEXT)]);
        if !area.narratives.is_empty() {
            body.p(Para::body().keep_next(), &[("Kết quả theo báo cáo của các cơ quan, đơn vị:", TEXT)]);
        }
        for (agency, text) in &area.narratives {
            // One paragraph per line of the narrative (a line break inside a justified paragraph
            // would stretch the line before it), the agency's name in front of the first.
            let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
            let agency = format!("- {}: ", agency.trim());
            body.p(Para::body(), &[(&agency, TEXT.italic()), (lines.next().unwrap_or(""), TEXT)]);
            for line in lines {
                body.p(Para::body(), &[(line, TEXT)]);
            }
        }
    }
}

fn indicators(body: &mut Body, report: &ConsolidatedReport) {
    section(body, "II. KẾT QUẢ CÁC CHỈ TIÊU");
    if report.indicators.is_empty() {
        body.p(Para::body(), &[("Kỳ báo cáo này không có chỉ tiêu nào được theo dõi.", TEXT)]);
        return;
    }
    let rows: Vec<&LevelResult> = report.indicators.iter().flat_map(|i| &i.levels).collect();
    let count = |a: Attainment| rows.iter().filter(|l| l.attainment == a).count();
    let intro = format!(
        "Kết quả {} chỉ tiêu của Kế hoạch, tính bằng tổng tử số chia tổng mẫu số của các cơ quan, đơn vị đã gửi \
         báo cáo (chi tiết tại Phụ lục kèm theo). Trong {} kết quả theo cấp: {} kết quả đạt, {} chưa đạt, {} chưa có số liệu.",
        vn_count(report.indicators.len()),
        vn_count(rows.len()),
        vn_count(count(Attainment::Met)),
        vn_count(count(Attainment::NotMet)),
        vn_count(count(Attainment::NoData)),
    );
    body.p(Para::body().after(120).keep_next(), &[(&intro, TEXT)]);

    let cell_font = Font::size(TABLE);
    let cell = Para::centered();
    body.table_start(&INDICATOR_COLUMNS, true);
    body.row_start(true);
    for (width, label) in
        INDICATOR_COLUMNS.iter().zip(["STT", "Chỉ tiêu", "Cấp", "Kết quả (%)", "Chỉ tiêu kế hoạch", "Đánh giá"])
    {
        body.cell(*width, Merge::None, cell, &[(label, cell_font.bold())]);
    }
    body.row_end();
    for (i, indicator) in report.indicators.iter().enumerate() {
        indicator_rows(body, &INDICATOR_COLUMNS, i + 1, indicator);
    }
    body.table_end();
}

fn indicator_rows(body: &mut Body, columns: &[u32; 6], number: usize, indicator: &IndicatorResult) {
    let font = Font::size(TABLE);
    let cell = Para::centered();
    let name = format!("{} ({})", indicator.name.trim(), indicator.code);
    let empty = [LevelResult {
        level: None,
        numerator: 0.0,
        denominator: 0.0,
        value: None,
        target: None,
        attainment: Attainment::NoData,
        reporting_agencies: 0,
    }];
    let levels: &[LevelResult] = if indicator.levels.is_empty() { &empty } else { &indicator.levels };
    for (j, level) in levels.iter().enumerate() {
        let merge = match (levels.len(), j) {
            (1, _) => Merge::None,
            (_, 0) => Merge::Start,
            _ => Merge::Continue,
        };
        body.row_start(false);
        if j == 0 {
            body.cell(columns[0], merge, cell, &[(&number.to_string(), font)]);
            body.cell(columns[1], merge, Para::left(), &[(&name, font)]);
        } else {
            body.cell(columns[0], merge, cell, &[("", font)]);
            body.cell(columns[1], merge, Para::left(), &[("", font)]);
        }
        let value = level.value.map_or_else(|| "–".to_string(), vn_decimal);
        let target = level.target.as_deref().map(str::trim).filter(|t| !t.is_empty()).unwrap_or("–");
        let attainment = match level.attainment {
            Attainment::Met => font.bold(),
            Attainment::NotMet | Attainment::NoData => font,
        };
        body.cell(columns[2], Merge::None, cell, &[(level_label(level.level), font)]);
        body.cell(columns[3], Merge::None, cell, &[(&value, font)]);
        body.cell(columns[4], Merge::None, cell, &[(target, font)]);
        body.cell(columns[5], Merge::None, cell, &[(level.attainment.label_vn(), attainment)]);
        body.row_end();
    }
}

fn completeness(body: &mut Body, report: &ConsolidatedReport) {
    section(body, "III. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ");
    for (i, group) in report.completeness.iter().enumerate() {
        let c = &group.completeness;
        let text = if c.expected == 0 {
            format!("{}. {}: không có cơ quan, đơn vị phải báo cáo trong kỳ.", i + 1, group.label.trim())
        } else {
            format!(
                "{}. {}: {} cơ quan, đơn vị phải báo cáo; đã gửi {} ({}), trong đó đúng hạn {} ({}); \
                 chưa gửi {} ({}).",
                i + 1,
                group.label.trim(),
                vn_count(c.expected),
                vn_count(c.submitted),
                percent_text(c.submitted, c.expected),
                vn_count(c.on_time),
                percent_text(c.on_time, c.expected),
                vn_count(c.missing.len()),
                percent_text(c.missing.len(), c.expected),
            )
        };
        body.p(Para::body(), &[(&text, TEXT)]);
    }
    agency_list(
        body,
        "Các cơ quan, đơn vị gửi báo cáo trễ hạn",
        "Không có cơ quan, đơn vị nào gửi báo cáo trễ hạn.",
        &report.late_agencies,
    );
    agency_list(
        body,
        "Các cơ quan, đơn vị chưa gửi báo cáo",
        "Tất cả các cơ quan, đơn vị đã gửi báo cáo.",
        &report.missing_agencies,
    );
}

/// "Label (n): A; B; C." — names are separated by semicolons because they contain commas
/// ("Sở Văn hóa, Thể thao và Du lịch").
fn agency_list(body: &mut Body, label: &str, none: &str, names: &[String]) {
    if names.is_empty() {
        body.p(Para::body(), &[(none, TEXT)]);
        return;
    }
    let label = format!("{label} ({}): ", vn_count(names.len()));
    let list = format!("{}.", names.iter().map(|n| n.trim()).collect::<Vec<_>>().join("; "));
    body.p(Para::body(), &[(&label, TEXT.italic()), (&list, TEXT)]);
}

fn proposals(body: &mut Body, report: &ConsolidatedReport) {
    section(body, "IV. ĐỀ XUẤT, KIẾN NGHỊ");
    body.p(Para::body(), &[("(Nội dung đề xuất, kiến nghị được bổ sung trước khi trình ký ban hành.)", TEXT.italic())]);
    // The closing sentence stays on the page of the signature (a signature page never stands alone).
    let closing = format!("Trên đây là báo cáo {}./.", lower_first(subject(&report.title)));
    body.p(Para::body().before(240).keep_next(), &[(&closing, TEXT)]);
}

/// "Nơi nhận" on the left, the signer's title on the right, room for the signature and seal.
fn closing(body: &mut Body) {
    let columns = [HEADING_LEFT + 600, HEADING_RIGHT - 600];
    body.p(Para::left().before(120).keep_next(), &[("", TEXT)]);
    body.table_start(&columns, false);
    body.row_start(false);
    body.xml.push_str(&format!("<w:tc><w:tcPr><w:tcW w:w=\"{}\" w:type=\"dxa\"/></w:tcPr>", columns[0]));
    body.p(Para::left(), &[("Nơi nhận:", Font::size(RECIPIENTS_LABEL).bold().italic())]);
    body.p(Para::left(), &[("- UBND tỉnh (để báo cáo);", Font::size(RECIPIENTS))]);
    body.p(Para::left(), &[("- Lưu: VT.", Font::size(RECIPIENTS))]);
    body.cell_end();
    body.xml.push_str(&format!("<w:tc><w:tcPr><w:tcW w:w=\"{}\" w:type=\"dxa\"/></w:tcPr>", columns[1]));
    body.p(Para::centered(), &[("GIÁM ĐỐC", TEXT.bold())]);
    for _ in 0..4 {
        body.p(Para::centered(), &[("", TEXT)]);
    }
    body.cell_end();
    body.row_end();
    body.table_end();
    body.p(Para::left(), &[("", Font::size(4))]);
}

// ---------------------------------------------------------------------------------------------
// The other parts of the package.

const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
<Override PartName=\"/word/header1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>\
<Override PartName=\"/word/header2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
</Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>\
<Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header1.xml\"/>\
<Relationship Id=\"rId5\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header2.xml\"/>\
</Relationships>";

/// Times New Roman everywhere (also for complex-script and East Asian text), 14 pt, Vietnamese.
const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:docDefaults><w:rPrDefault><w:rPr>\
<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"Times New Roman\" w:cs=\"Times New Roman\"/>\
<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/><w:lang w:val=\"vi-VN\" w:eastAsia=\"vi-VN\" w:bidi=\"ar-SA\"/>\
</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault>\
</w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/>\
<w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"Times New Roman\" w:cs=\"Times New Roman\"/></w:rPr></w:style>\
<w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\"><w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/></w:style>\
<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:semiHidden/>\
<w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/>\
<w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Header\"><w:name w:val=\"header\"/><w:basedOn w:val=\"Normal\"/>\
<w:pPr><w:jc w:val=\"center\"/></w:pPr></w:style>\
</w:styles>";

const SETTINGS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:defaultTabStop w:val=\"720\"/><w:characterSpacingControl w:val=\"doNotCompress\"/>\
<w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
<w:themeFontLang w:val=\"vi-VN\"/>\
</w:settings>";

/// The page number, centred at the top, from page 2 on (page 1 uses the empty first-page header).
const HEADER_PAGE_NUMBER: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:hdr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:p><w:pPr><w:pStyle w:val=\"Header\"/><w:jc w:val=\"center\"/></w:pPr>\
<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>2</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>\
</w:hdr>";

const HEADER_EMPTY: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:hdr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:p><w:pPr><w:pStyle w:val=\"Header\"/></w:pPr></w:p></w:hdr>";

const APP: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">\
<Application>cchc</Application></Properties>";

/// Title, author (the issuing body), language and the document date, so the file says what it is.
fn core_xml(report: &ConsolidatedReport) -> String {
    format!(
        "{XML_DECLARATION}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:creator>{}</dc:creator><dc:language>vi-VN</dc:language>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">{}T00:00:00Z</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{}T00:00:00Z</dcterms:modified>\
         </cp:coreProperties>",
        escape(report.title.trim()),
        escape(&report.period.name),
        escape(report.issuing_body.trim()),
        report.date.iso(),
        report.date.iso(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_the_decree() {
        let d = |y, m, d| Date::from_ymd(y, m, d).unwrap();
        assert_eq!(place_and_date("Sơn La", d(2024, 6, 10)), "Sơn La, ngày 10 tháng 6 năm 2024");
        assert_eq!(place_and_date("Sơn La", d(2024, 6, 5)), "Sơn La, ngày 05 tháng 6 năm 2024");
        assert_eq!(place_and_date("Sơn La", d(2024, 2, 5)), "Sơn La, ngày 05 tháng 02 năm 2024");
        assert_eq!(place_and_date("Sơn La", d(2024, 1, 15)), "Sơn La, ngày 15 tháng 01 năm 2024");
        assert_eq!(place_and_date("Sơn La", d(2024, 12, 31)), "Sơn La, ngày 31 tháng 12 năm 2024");
    }

    #[test]
    fn numbers_use_a_decimal_comma() {
        assert_eq!(vn_decimal(82.5), "82,5");
        assert_eq!(vn_decimal(100.0), "100");
        assert_eq!(vn_decimal(89.423), "89,4");
        assert_eq!(vn_decimal(99.96), "100");
        assert_eq!(vn_decimal(1234.5), "1.234,5");
        assert_eq!(vn_decimal(0.0), "0");
        assert_eq!(vn_decimal(f64::NAN), "–");
        assert_eq!(vn_count(1_234_567), "1.234.567");
        assert_eq!(vn_count(12), "12");
    }

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(escape("<b>&\"x'\u{0}\u{1b}y"), "&lt;b&gt;&amp;&quot;x&apos;y");
        let mut body = Body::default();
        body.run("a\tb\r\nc", TEXT);
        assert!(body
            .xml
            .contains("<w:t xml:space=\"preserve\">a</w:t><w:tab/><w:t xml:space=\"preserve\">b</w:t><w:br/>"));
    }

    #[test]
    fn number_suffix_uses_the_initials_of_the_issuing_body() {
        assert_eq!(number_suffix("SỞ NỘI VỤ"), "BC-SNV");
        assert_eq!(number_suffix("Sở Tư pháp"), "BC-STP");
        assert_eq!(number_suffix(""), "BC");
    }

    #[test]
    fn subject_drops_the_document_type() {
        assert_eq!(subject("BÁO CÁO Kết quả thực hiện"), "Kết quả thực hiện");
        assert_eq!(subject("Kết quả thực hiện"), "Kết quả thực hiện");
        assert_eq!(lower_first("Kết quả"), "kết quả");
    }
}
