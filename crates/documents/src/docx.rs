//! The province's consolidated report as a Word document (DOCX) in the format of Vietnamese
//! administrative documents (Nghị định 30/2020/NĐ-CP, Phụ lục I), ready for Sở Nội vụ to number,
//! sign and send.
//!
//! The WordprocessingML is written by hand (a DOCX is a zip of a few XML parts), so the layout is
//! exactly what the decree asks for and nothing depends on a template file:
//!
//! - A4 portrait; margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm; Times New Roman;
//!   body text 14 pt, justified, first line indented 1,27 cm, 6 pt between paragraphs; page
//!   numbers centred in the header from page 2 on.
//! - The heading as a borderless two-column table: the issuing body (parent body in regular
//!   caps, the body itself in bold caps over a short rule) and "Số: 123/BC-…" on the left; the
//!   national name (bold caps), the motto (bold, underlined) and the italic place-and-date line
//!   on the right.
//! - The document type "BÁO CÁO" and its subject (bold, centred, over a short rule), the
//!   introduction with the data window and which reports the values come from.
//! - I. Kết quả thực hiện: per reform area, sentences on its tasks (nhiệm vụ) as of the cut-off,
//!   its indicators and a few agencies' highlights (the full narratives are in the annex); the
//!   indicator table by level; the submission of reports per agency group.
//! - II. Đánh giá chung: strengths and shortcomings drafted from the data for the officer to edit.
//! - III. Phương hướng, nhiệm vụ kỳ tới: the tasks due in the next period, by area.
//! - IV. Kiến nghị, đề xuất (left for the officer), the closing "./.", "Nơi nhận" on the left and
//!   the signature block on the right.
//!
//! Every percentage goes through [`Percent1`] (one rounding rule, decimal comma). Every piece of
//! user text (agency names, narratives) is escaped, and characters XML 1.0 cannot carry are
//! dropped, so no input can break the document.

use std::io::{Cursor, Write};

use cchc_domain::number::{group_thousands, Percent1};
use cchc_domain::reporting::{
    level_label, AgencyLine, AreaProgress, Attainment, Completeness, ConsolidatedReport, IndicatorResult, LevelResult,
    NextTask, RangePosition,
};
use cchc_domain::text::fold;
use cchc_domain::{AgencyKind, AreaCode, Date};
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
    let core = core_properties(report.title.trim(), &report.period.name, report.issuing_body.trim(), Some(report.date));
    package(&document_xml(report), &core)
}

/// A DOCX package around `document` (the `word/document.xml` part, see [`document_part`]) and
/// `core` (the `docProps/core.xml` part, see [`core_properties`]): the styles, settings, page
/// number headers and relationships every document of the crate shares.
pub(crate) fn package(document: &str, core: &str) -> Result<Vec<u8>, DocxError> {
    let parts: [(&str, &str); 10] = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("word/document.xml", document),
        ("word/styles.xml", STYLES),
        ("word/settings.xml", SETTINGS),
        ("word/header1.xml", HEADER_PAGE_NUMBER),
        ("word/header2.xml", HEADER_EMPTY),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
        ("docProps/core.xml", core),
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
pub(crate) const TEXT_WIDTH: u32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
/// Left column of the heading table (issuing body, number); the right one takes the rest.
const HEADING_LEFT: u32 = 3_686; // 6,5 cm
const HEADING_RIGHT: u32 = TEXT_WIDTH - HEADING_LEFT;
/// STT | Chỉ tiêu | Cấp | Kết quả | Chỉ tiêu kế hoạch | Đánh giá: the full text width.
const INDICATOR_COLUMNS: [u32; 6] = [620, 3_034, 1_250, 1_500, 1_150, 1_800];
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
pub(crate) const TABLE: u32 = 24; // 12 pt
const TABLE_SMALL: u32 = 20; // 10 pt: numerator/denominator under a result
const RECIPIENTS_LABEL: u32 = 24; // 12 pt
const RECIPIENTS: u32 = 22; // 11 pt

// ---------------------------------------------------------------------------------------------
// A tiny WordprocessingML writer.

/// Character formatting of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Font {
    bold: bool,
    italic: bool,
    underline: bool,
    size: u32,
}

impl Font {
    pub(crate) const fn size(size: u32) -> Font {
        Font { bold: false, italic: false, underline: false, size }
    }
    pub(crate) const fn bold(self) -> Font {
        Font { bold: true, ..self }
    }
    pub(crate) const fn italic(self) -> Font {
        Font { italic: true, ..self }
    }
    const fn underline(self) -> Font {
        Font { underline: true, ..self }
    }
}

pub(crate) const TEXT: Font = Font::size(BODY);
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
pub(crate) struct Para {
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
    pub(crate) const fn body() -> Para {
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
    pub(crate) const fn centered() -> Para {
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
    pub(crate) const fn left() -> Para {
        Para { align: Align::Left, ..Para::centered() }
    }
    const fn before(self, before: u32) -> Para {
        Para { before, ..self }
    }
    pub(crate) const fn after(self, after: u32) -> Para {
        Para { after, ..self }
    }
    pub(crate) const fn keep_next(self) -> Para {
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
pub(crate) struct Body {
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
    pub(crate) fn p(&mut self, para: Para, runs: &[(&str, Font)]) {
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
    pub(crate) fn rule(&mut self, width: u32, length: u32, height: u32) {
        let side = width.saturating_sub(length) / 2;
        let para = Para { left: side, right: side, line: height, ..Para::centered() };
        self.xml.push_str("<w:p>");
        self.paragraph_properties(para, Font::size(4), true);
        self.xml.push_str("</w:p>");
    }

    pub(crate) fn table_start(&mut self, columns: &[u32], bordered: bool) {
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

    pub(crate) fn table_end(&mut self) {
        self.xml.push_str("</w:tbl>");
    }

    /// Starts a row; a header row repeats on every page; no row breaks across pages.
    pub(crate) fn row_start(&mut self, header: bool) {
        self.xml.push_str("<w:tr><w:trPr><w:cantSplit/>");
        if header {
            self.xml.push_str("<w:tblHeader/>");
        }
        self.xml.push_str("</w:trPr>");
    }

    pub(crate) fn row_end(&mut self) {
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

    /// A page break: what follows starts on a new page.
    pub(crate) fn page_break(&mut self) {
        self.xml.push_str("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>");
    }

    /// A table cell holding one paragraph.
    pub(crate) fn cell(&mut self, width: u32, merge: Merge, para: Para, runs: &[(&str, Font)]) {
        self.cell_start(width, merge);
        self.p(para, runs);
        self.cell_end();
    }
}

/// Vertical merging of a table cell with the ones below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Merge {
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
    format!("{place}, {}", date_words(date))
}

/// "ngày 05 tháng 02 năm 2024", written as [`place_and_date`] explains.
pub(crate) fn date_words(date: Date) -> String {
    let month = if date.month() < 3 { format!("{:02}", date.month()) } else { date.month().to_string() };
    format!("ngày {:02} tháng {month} năm {}", date.day(), date.year())
}

/// A whole number with dots between thousands: 1.234.
pub fn vn_count(value: usize) -> String {
    group_thousands(value as u64)
}

/// `part` of `whole` as "56,3%" through the one rounding rule ([`Percent1::share`]); "–" when
/// `whole` is zero.
fn share_text(part: usize, whole: usize) -> String {
    if whole == 0 {
        "–".into()
    } else {
        Percent1::share(part, whole).to_string()
    }
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

/// The issuing body as a sentence names it: "SỞ NỘI VỤ" → "Sở Nội vụ", "VĂN PHÒNG UBND TỈNH" →
/// "Văn phòng UBND tỉnh". A name already in mixed case is kept; in a name in capitals the first
/// word keeps its capital (and the second one after "Sở", "Ban": "Sở Tư pháp"), abbreviations
/// without vowels-with-marks such as "UBND", "HĐND" stay in capitals, the rest is lower case.
pub fn body_name(issuing_body: &str) -> String {
    let name = issuing_body.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.chars().any(char::is_lowercase) {
        return name;
    }
    const ABBREVIATIONS: [&str; 6] = ["UBND", "HĐND", "MTTQ", "CCHC", "TTHC", "BCĐ"];
    let words: Vec<&str> = name.split(' ').collect();
    let named_field = words.first().is_some_and(|w| matches!(fold(w).as_str(), "so" | "ban"));
    words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            if ABBREVIATIONS.contains(word) {
                (*word).to_string()
            } else if i == 0 || (i == 1 && named_field) {
                upper_first(&word.to_lowercase())
            } else {
                word.to_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
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

/// The first letter in upper case ("cấp tỉnh" → "Cấp tỉnh").
pub(crate) fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
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

/// The area's name for a sub-heading: the plan's title, or the standard name when the plan
/// writes it in capitals (appendix headings such as "CẢI CÁCH THỂ CHẾ").
pub(crate) fn area_name(code: AreaCode, title: &str) -> String {
    let title = title.trim();
    if title.is_empty() || !title.chars().any(char::is_lowercase) {
        code.standard_name_vn().to_string()
    } else {
        title.to_string()
    }
}

/// Text on one line: runs of whitespace (line breaks included) become one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Names separated by semicolons (names contain commas: "Sở Văn hóa, Thể thao và Du lịch"), at
/// most `max` of them, then "và N cơ quan, đơn vị khác".
fn name_list<'a>(names: impl IntoIterator<Item = &'a str>, max: usize) -> String {
    let names: Vec<String> = names.into_iter().map(one_line).filter(|n| !n.is_empty()).collect();
    let shown = names.iter().take(max).cloned().collect::<Vec<_>>().join("; ");
    if names.len() > max {
        format!("{shown} và {} cơ quan, đơn vị khác", vn_count(names.len() - max))
    } else {
        shown
    }
}

/// "a", "a và b", "a, b và c".
fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} và {last}", init.join(", ")),
    }
}

// ---------------------------------------------------------------------------------------------
// Sentences built from the data.

/// How many agencies of a kind are named before the report refers to the annex instead.
const NAMES_MAX: usize = 15;
/// How many overdue tasks of an area are listed.
const OVERDUE_MAX: usize = 10;
/// How many agencies are named for one overdue task or next-period task.
const TASK_AGENCIES_MAX: usize = 5;
/// How many indicator results are named among the strengths.
const MET_MAX: usize = 6;

/// "7 nhiệm vụ đã hoàn thành (6 đúng hạn, 1 trễ hạn)" and its variants.
fn done_phrase(area: &AreaProgress) -> String {
    let done = vn_count(area.done());
    match (area.done_on_time, area.done_late) {
        (_, 0) => format!("{done} nhiệm vụ đã hoàn thành đúng hạn"),
        (0, _) => format!("{done} nhiệm vụ đã hoàn thành nhưng trễ hạn"),
        (on_time, late) => {
            format!("{done} nhiệm vụ đã hoàn thành ({} đúng hạn, {} trễ hạn)", vn_count(on_time), vn_count(late))
        }
    }
}

/// Progress of an area (or of the whole plan, `subject` = "Kế hoạch") as of the cut-off, counted
/// per task: "Lĩnh vực có 16 nhiệm vụ; đến ngày 13/06/2024 (ngày chốt số liệu), 10 nhiệm vụ đã
/// đến hạn, trong đó 7 nhiệm vụ đã hoàn thành (6 đúng hạn, 1 trễ hạn) và 3 nhiệm vụ quá hạn chưa
/// hoàn thành; 6 nhiệm vụ chưa đến hạn." Zero counts are left out rather than written as "0".
pub(crate) fn progress_sentence(subject: &str, area: &AreaProgress, cutoff: Date) -> String {
    if area.activities == 0 {
        return format!("{subject} không có nhiệm vụ nào cần theo dõi trong kỳ.");
    }
    let mut text =
        format!("{subject} có {} nhiệm vụ; đến ngày {} (ngày chốt số liệu), ", vn_count(area.activities), cutoff.vn());
    let done = area.done();
    if area.due == 0 {
        text.push_str("chưa có nhiệm vụ nào đến hạn");
    } else {
        text.push_str(&format!("{} nhiệm vụ đã đến hạn", vn_count(area.due)));
        let single = area.due == 1;
        if done == area.due {
            let how = match (area.done_on_time, area.done_late) {
                (_, 0) => "đúng hạn".to_string(),
                (0, _) => "nhưng trễ hạn".to_string(),
                (on_time, late) => format!("({} đúng hạn, {} trễ hạn)", vn_count(on_time), vn_count(late)),
            };
            if single {
                text.push_str(&format!(" và đã hoàn thành {how}"));
            } else {
                text.push_str(&format!(", đều đã hoàn thành {how}"));
            }
        } else if area.overdue == area.due {
            text.push_str(if single {
                " nhưng quá hạn chưa hoàn thành"
            } else {
                ", đều quá hạn chưa hoàn thành"
            });
        } else {
            let mut parts = Vec::new();
            if done > 0 {
                parts.push(done_phrase(area));
            }
            if area.overdue > 0 {
                parts.push(format!("{} nhiệm vụ quá hạn chưa hoàn thành", vn_count(area.overdue)));
            }
            let rest = area.due.saturating_sub(done + area.overdue);
            if rest > 0 {
                parts.push(format!("{} nhiệm vụ đang thực hiện", vn_count(rest)));
            }
            text.push_str(&format!(", trong đó {}", join_and(&parts)));
        }
        if area.not_due() > 0 {
            text.push_str(&format!("; {} nhiệm vụ chưa đến hạn", vn_count(area.not_due())));
        }
    }
    if area.waiting > 0 {
        text.push_str(&format!("; {} nhiệm vụ chờ sự kiện (chưa xác định thời hạn)", vn_count(area.waiting)));
    }
    text.push('.');
    text
}

/// The whole plan's progress: the sum of the areas.
fn plan_progress(areas: &[AreaProgress]) -> AreaProgress {
    let sum = |f: fn(&AreaProgress) -> usize| areas.iter().map(f).sum::<usize>();
    AreaProgress {
        code: AreaCode::I,
        title: String::new(),
        activities: sum(|a| a.activities),
        due: sum(|a| a.due),
        done_on_time: sum(|a| a.done_on_time),
        done_late: sum(|a| a.done_late),
        overdue: sum(|a| a.overdue),
        waiting: sum(|a| a.waiting),
        overdue_list: Vec::new(),
        highlights: Vec::new(),
        narrative_count: sum(|a| a.narrative_count),
    }
}

/// The target of a level row as people read it ("≥ 80%", "8–10%"), if it has one.
fn target_text(level: &LevelResult, unit: &str) -> Option<String> {
    level
        .target
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .or_else(|| level.threshold.as_ref().map(|t| t.text(unit)))
}

/// Whether a level row is judged against a target. Rows without a target at their level (the
/// province row of an indicator with targets per level only) are never counted: not as met, not
/// as "chưa có số liệu".
fn has_target(level: &LevelResult, unit: &str) -> bool {
    match level.assessment.attainment {
        Attainment::Met | Attainment::NotMet => true,
        Attainment::NoData => target_text(level, unit).is_some(),
        Attainment::NoTarget => false,
    }
}

/// "Vượt mục tiêu": met, beyond a range in the good direction.
fn exceeds(level: &LevelResult) -> bool {
    level.assessment.is_met() && matches!(level.assessment.position, Some(RangePosition::Above | RangePosition::Below))
}

/// Counts of level rows with a target.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    with_target: usize,
    met: usize,
    exceeded: usize,
    not_met: usize,
    no_data: usize,
}

fn tally<'a>(indicators: impl IntoIterator<Item = &'a IndicatorResult>) -> Tally {
    let mut t = Tally::default();
    for indicator in indicators {
        for level in indicator.levels.iter().filter(|l| has_target(l, &indicator.unit)) {
            t.with_target += 1;
            match level.assessment.attainment {
                Attainment::Met => {
                    t.met += 1;
                    if exceeds(level) {
                        t.exceeded += 1;
                    }
                }
                Attainment::NotMet => t.not_met += 1,
                Attainment::NoData | Attainment::NoTarget => t.no_data += 1,
            }
        }
    }
    t
}

/// "cấp xã 62,1%, mục tiêu ≥ 75%" (the level, the value, the target).
fn level_phrase(level: &LevelResult, unit: &str) -> String {
    let mut text = lower_first(level_label(level.level));
    if let Some(value) = level.value {
        text.push_str(&format!(" {value}"));
    }
    if let Some(target) = target_text(level, unit) {
        text.push_str(&format!(", mục tiêu {target}"));
    }
    text
}

/// "Tỷ lệ số hóa … (cấp tỉnh 97,4%, mục tiêu ≥ 100%; cấp xã 62,1%, mục tiêu ≥ 75%)" for the level
/// rows of each indicator that `pick` selects; indicators separated by semicolons.
fn indicator_phrases<'a>(
    indicators: impl IntoIterator<Item = &'a IndicatorResult>,
    pick: impl Fn(&LevelResult, &str) -> bool,
    max: usize,
) -> (usize, String) {
    let mut phrases = Vec::new();
    let mut rows = 0;
    for indicator in indicators {
        let levels: Vec<String> = indicator
            .levels
            .iter()
            .filter(|l| pick(l, &indicator.unit))
            .map(|l| level_phrase(l, &indicator.unit))
            .collect();
        if levels.is_empty() {
            continue;
        }
        rows += levels.len();
        phrases.push(format!("{} ({})", one_line(&indicator.name), levels.join("; ")));
    }
    let total = phrases.len();
    let mut text = phrases.into_iter().take(max).collect::<Vec<_>>().join("; ");
    if total > max {
        text.push_str(&format!(" và {} chỉ tiêu khác", vn_count(total - max)));
    }
    (rows, text)
}

/// The names (with codes) of the indicators with a level row that `pick` selects, without the
/// levels: "Tỷ lệ … (II.1.1); Tỷ lệ … (II.1.2) và 3 chỉ tiêu khác". For rows without data, where
/// every level would only repeat "no value".
fn indicator_names<'a>(
    indicators: impl IntoIterator<Item = &'a IndicatorResult>,
    pick: impl Fn(&LevelResult, &str) -> bool,
    max: usize,
) -> (usize, String) {
    let names: Vec<String> = indicators
        .into_iter()
        .filter(|i| i.levels.iter().any(|l| pick(l, &i.unit)))
        .map(|i| format!("{} ({})", one_line(&i.name), i.code))
        .collect();
    let total = names.len();
    let mut text = names.into_iter().take(max).collect::<Vec<_>>().join("; ");
    if total > max {
        text.push_str(&format!(" và {} chỉ tiêu khác", vn_count(total - max)));
    }
    (total, text)
}

/// Most indicators named without data before "và N chỉ tiêu khác".
const NO_DATA_NAMES: usize = 8;

fn is_not_met(level: &LevelResult, unit: &str) -> bool {
    has_target(level, unit) && level.assessment.attainment == Attainment::NotMet
}

fn is_no_data(level: &LevelResult, unit: &str) -> bool {
    has_target(level, unit) && level.assessment.attainment == Attainment::NoData
}

fn is_met(level: &LevelResult, unit: &str) -> bool {
    has_target(level, unit) && level.assessment.attainment == Attainment::Met
}

/// The indicators of one area in a sentence: "Chỉ tiêu của lĩnh vực: 2 trong 3 kết quả có mục
/// tiêu đạt; chưa đạt: Tỷ lệ số hóa … (cấp xã 62,1%, mục tiêu ≥ 75%)." `None` when the area has
/// no indicator.
pub(crate) fn area_indicator_sentence(indicators: &[&IndicatorResult]) -> Option<String> {
    if indicators.is_empty() {
        return None;
    }
    let t = tally(indicators.iter().copied());
    if t.with_target == 0 {
        return Some("Các chỉ tiêu của lĩnh vực không có mục tiêu để đánh giá theo cấp trong kỳ.".into());
    }
    let exceeded = if t.exceeded > 0 {
        format!(" (trong đó {} vượt mục tiêu)", vn_count(t.exceeded))
    } else {
        String::new()
    };
    if t.met + t.not_met == 0 {
        let (_, list) = indicator_names(indicators.iter().copied(), is_no_data, NO_DATA_NAMES);
        return Some(format!("Các chỉ tiêu của lĩnh vực chưa có số liệu để đánh giá: {list}."));
    }
    let mut text = String::from("Chỉ tiêu của lĩnh vực: ");
    if t.met == t.with_target {
        if t.with_target == 1 {
            text.push_str(&format!("kết quả có mục tiêu đã đạt{exceeded}"));
        } else {
            text.push_str(&format!("cả {} kết quả có mục tiêu đều đạt{exceeded}", vn_count(t.with_target)));
        }
    } else if t.met == 0 {
        text.push_str(&format!(
            "chưa có kết quả nào đạt mục tiêu (trong {} kết quả có mục tiêu)",
            vn_count(t.with_target)
        ));
    } else {
        text.push_str(&format!(
            "{} trong {} kết quả có mục tiêu đạt{exceeded}",
            vn_count(t.met),
            vn_count(t.with_target)
        ));
    }
    if t.not_met > 0 {
        let (_, list) = indicator_phrases(indicators.iter().copied(), is_not_met, usize::MAX);
        text.push_str(&format!("; chưa đạt: {list}"));
    }
    if t.no_data > 0 {
        let (_, list) = indicator_names(indicators.iter().copied(), is_no_data, NO_DATA_NAMES);
        text.push_str(&format!("; chưa có số liệu: {list}"));
    }
    text.push('.');
    Some(text)
}

/// The introduction of the indicator table: how results are computed and how many of those with
/// a target are met, not met or without data.
pub(crate) fn indicator_summary(indicators: &[IndicatorResult]) -> String {
    let t = tally(indicators);
    let mut text = format!(
        "Kết quả {} chỉ tiêu của Kế hoạch được tính bằng tổng tử số chia tổng mẫu số của các báo cáo được tổng hợp, \
         theo từng cấp (số liệu của từng cơ quan, đơn vị tại {}). ",
        vn_count(indicators.len()),
        crate::annex::APPENDICES[1].0,
    );
    if t.with_target == 0 {
        text.push_str("Không có kết quả nào có mục tiêu để đánh giá.");
    } else {
        let mut parts = vec![format!("{} đạt", vn_count(t.met))];
        if t.exceeded > 0 {
            parts[0].push_str(&format!(" (trong đó {} vượt mục tiêu)", vn_count(t.exceeded)));
        }
        if t.not_met > 0 {
            parts.push(format!("{} chưa đạt", vn_count(t.not_met)));
        }
        if t.no_data > 0 {
            parts.push(format!("{} chưa có số liệu", vn_count(t.no_data)));
        }
        text.push_str(&format!("Trong {} kết quả có mục tiêu: {}.", vn_count(t.with_target), parts.join(", ")));
    }
    let unjudged: usize =
        indicators.iter().flat_map(|i| &i.levels).filter(|l| l.assessment.attainment == Attainment::NoTarget).count();
    if unjudged > 0 {
        text.push_str(&format!(
            " {} kết quả không có mục tiêu ở cấp tương ứng (chỉ tiêu kế hoạch giao theo từng cấp) được nêu để theo dõi, \
             không đánh giá.",
            vn_count(unjudged)
        ));
    }
    text
}

/// Submission of one group: "Sở, ban, ngành: 20 cơ quan, đơn vị phải báo cáo; đã gửi 17 (85,0%),
/// trong đó đúng hạn 15 (75,0%), trễ hạn 2 (10,0%); 1 báo cáo bị trả lại, chờ gửi lại (5,0%);
/// chưa gửi 2 (10,0%)." Every share is of the agencies expected to report.
pub(crate) fn completeness_sentence(label: &str, c: &Completeness) -> String {
    let label = label.trim();
    let expected = c.expected;
    if expected == 0 {
        return format!("{label}: không có cơ quan, đơn vị phải báo cáo trong kỳ.");
    }
    let submitted = c.submitted();
    let (on_time, late) = (c.on_time.len(), c.late.len());
    let mut text = format!("{label}: {} cơ quan, đơn vị phải báo cáo; ", vn_count(expected));
    if submitted == 0 {
        text.push_str("chưa có báo cáo nào được gửi");
    } else {
        text.push_str(&format!("đã gửi {} ({})", vn_count(submitted), share_text(submitted, expected)));
        let all = if submitted == 1 { "" } else { "đều " };
        match (on_time, late) {
            (_, 0) => text.push_str(&format!(", {all}đúng hạn")),
            (0, _) => text.push_str(&format!(", {all}trễ hạn")),
            (on_time, late) => text.push_str(&format!(
                ", trong đó đúng hạn {} ({}), trễ hạn {} ({})",
                vn_count(on_time),
                share_text(on_time, expected),
                vn_count(late),
                share_text(late, expected)
            )),
        }
    }
    if !c.returned.is_empty() {
        text.push_str(&format!(
            "; {} báo cáo bị trả lại, chờ gửi lại ({})",
            vn_count(c.returned.len()),
            share_text(c.returned.len(), expected)
        ));
    }
    if !c.not_submitted.is_empty() {
        text.push_str(&format!(
            "; chưa gửi {} ({})",
            vn_count(c.not_submitted.len()),
            share_text(c.not_submitted.len(), expected)
        ));
    }
    text.push('.');
    text
}

/// Kinds of agency in the order the report names them.
const KIND_ORDER: [AgencyKind; 6] = [
    AgencyKind::Province,
    AgencyKind::Department,
    AgencyKind::Sectoral,
    AgencyKind::District,
    AgencyKind::Commune,
    AgencyKind::Other,
];

/// The group noun after a count: "2 sở, ban, ngành", "12 UBND cấp xã".
fn kind_noun(kind: AgencyKind) -> &'static str {
    match kind {
        AgencyKind::Province => "UBND tỉnh",
        AgencyKind::Department => "sở, ban, ngành",
        AgencyKind::Sectoral => "cơ quan ngành dọc",
        AgencyKind::District => "UBND cấp huyện",
        AgencyKind::Commune => "UBND cấp xã",
        AgencyKind::Other => "cơ quan, tổ chức khác",
    }
}

/// Agencies grouped by kind, counts always, names when few: "2 sở, ban, ngành (Sở A; Sở B),
/// 12 UBND cấp xã (Xã …; …)".
pub(crate) fn agencies_by_kind(lines: &[AgencyLine]) -> String {
    let mut groups = Vec::new();
    for kind in KIND_ORDER {
        let names: Vec<&str> = lines.iter().filter(|l| l.kind == kind).map(|l| l.name.as_str()).collect();
        if names.is_empty() {
            continue;
        }
        let detail = if names.len() <= NAMES_MAX {
            name_list(names.iter().copied(), NAMES_MAX)
        } else {
            format!("danh sách tại {}", crate::annex::APPENDICES[3].0)
        };
        groups.push(format!("{} {} ({detail})", vn_count(names.len()), kind_noun(kind)));
    }
    groups.join(", ")
}

/// "Chưa gửi báo cáo (14 cơ quan, đơn vị): 2 sở, ban, ngành (…), 12 UBND cấp xã (…)." — the
/// total is written when there are several groups.
pub(crate) fn agency_list_sentence(label: &str, lines: &[AgencyLine]) -> Option<String> {
    if lines.is_empty() {
        return None;
    }
    let kinds = KIND_ORDER.iter().filter(|k| lines.iter().any(|l| l.kind == **k)).count();
    let total = if kinds > 1 { format!(" ({} cơ quan, đơn vị)", vn_count(lines.len())) } else { String::new() };
    Some(format!("{label}{total}: {}.", agencies_by_kind(lines)))
}

/// "Kiểm tra công tác CCHC … (hạn 30/09/2024; chủ trì: Sở Nội vụ)".
pub(crate) fn next_task_text(task: &NextTask) -> String {
    let title = one_line(&task.title);
    let title = title.trim_end_matches(['.', ';', ',']);
    let mut text = format!("{title} (hạn {}", task.due.vn());
    let leads = name_list(task.leads.iter().map(String::as_str), TASK_AGENCIES_MAX);
    if !leads.is_empty() {
        text.push_str(&format!("; chủ trì: {leads}"));
    }
    text.push(')');
    text
}

// ---------------------------------------------------------------------------------------------
// The document.

fn document_xml(report: &ConsolidatedReport) -> String {
    let mut body = Body::default();
    heading(&mut body, report);
    title(&mut body, report);
    introduction(&mut body, report);
    results(&mut body, report);
    assessment(&mut body, report);
    next_period(&mut body, report);
    proposals(&mut body, report);
    closing(&mut body, report);
    document_part(&body)
}

/// `word/document.xml` around a body: A4 portrait, the decree's margins, the page number in the
/// header from page 2 on.
pub(crate) fn document_part(body: &Body) -> String {
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
    let number = report.number_line(&number_suffix(&report.issuing_body));
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
        "Thực hiện {} về việc ban hành {plan}; trên cơ sở báo cáo của các cơ quan, đơn vị, {} báo cáo {subject} như sau:",
        report.plan_decision.trim(),
        body_name(&report.issuing_body),
    );
    body.p(Para::body(), &[(&text, TEXT)]);
    let window = format!(
        "Thời gian chốt số liệu: từ ngày {} đến ngày {}. {}",
        report.period.data_from.vn(),
        report.period.data_to.vn(),
        report.sources.sentence_vn()
    );
    body.p(Para::body(), &[(&window, TEXT.italic())]);
}

fn section(body: &mut Body, text: &str) {
    body.p(Para::body().before(240).keep_next(), &[(text, TEXT.bold())]);
}

fn subsection(body: &mut Body, text: &str) {
    body.p(Para::body().keep_next(), &[(text, TEXT.bold())]);
}

/// A body paragraph.
fn sentence(body: &mut Body, text: &str) {
    body.p(Para::body(), &[(text, TEXT)]);
}

/// An italic note for the officer who finishes the draft.
fn note(body: &mut Body, text: &str) {
    body.p(Para::body(), &[(text, TEXT.italic())]);
}

/// I. KẾT QUẢ THỰC HIỆN: the plan as a whole, each area, the indicators, the reports.
fn results(body: &mut Body, report: &ConsolidatedReport) {
    section(body, "I. KẾT QUẢ THỰC HIỆN");
    let cutoff = report.period.data_to;
    if !report.areas.is_empty() {
        sentence(body, &progress_sentence("Kế hoạch", &plan_progress(&report.areas), cutoff));
    }
    let mut number = 0;
    for area in &report.areas {
        number += 1;
        subsection(body, &format!("{number}. Lĩnh vực {}: {}", area.code, area_name(area.code, &area.title)));
        sentence(body, &progress_sentence("Lĩnh vực", area, cutoff));
        overdue_tasks(body, area);
        let indicators: Vec<&IndicatorResult> = report.indicators.iter().filter(|i| i.area == area.code).collect();
        if let Some(text) = area_indicator_sentence(&indicators) {
            sentence(body, &text);
        }
        highlights(body, area);
    }
    number += 1;
    subsection(body, &format!("{number}. Kết quả thực hiện các chỉ tiêu"));
    indicator_table(body, report);
    number += 1;
    subsection(body, &format!("{number}. Tình hình gửi báo cáo"));
    for group in &report.completeness {
        sentence(body, &format!("- {}", completeness_sentence(&group.label, &group.completeness)));
    }
    sentence(body, &completeness_sentence("Tổng cộng", &report.overall));
}

/// The area's overdue tasks, with the agencies that have not finished them.
fn overdue_tasks(body: &mut Body, area: &AreaProgress) {
    if area.overdue_list.is_empty() {
        return;
    }
    body.p(Para::body().keep_next(), &[("Nhiệm vụ quá hạn chưa hoàn thành:", TEXT)]);
    let shown = area.overdue_list.len().min(OVERDUE_MAX);
    for (i, (code, title, agencies)) in area.overdue_list.iter().take(OVERDUE_MAX).enumerate() {
        let code = code.trim();
        let mut text =
            if code.is_empty() { format!("- {}", one_line(title)) } else { format!("- {code}. {}", one_line(title)) };
        let agencies = name_list(agencies.iter().map(String::as_str), TASK_AGENCIES_MAX);
        if !agencies.is_empty() {
            text.push_str(&format!(" (chưa hoàn thành: {agencies})"));
        }
        text.push(if i + 1 == shown && area.overdue_list.len() <= OVERDUE_MAX { '.' } else { ';' });
        sentence(body, &text);
    }
    if area.overdue_list.len() > OVERDUE_MAX {
        sentence(body, &format!("- Và {} nhiệm vụ khác.", vn_count(area.overdue_list.len() - OVERDUE_MAX)));
    }
}

/// A few agencies' narratives, condensed; the rest are counted and left to the annex.
fn highlights(body: &mut Body, area: &AreaProgress) {
    let annex = crate::annex::APPENDICES[2].0;
    if !area.highlights.is_empty() {
        body.p(Para::body().keep_next(), &[("Một số kết quả nổi bật theo báo cáo của các cơ quan, đơn vị:", TEXT)]);
        for (agency, excerpt) in &area.highlights {
            let agency = format!("- {}: ", one_line(agency));
            body.p(Para::body(), &[(&agency, TEXT.italic()), (&one_line(excerpt), TEXT)]);
        }
    }
    let others = area.narrative_count.saturating_sub(area.highlights.len());
    if others > 0 {
        let text = if area.highlights.is_empty() {
            format!("{} cơ quan, đơn vị có thuyết minh kết quả của lĩnh vực (chi tiết tại {annex}).", vn_count(others))
        } else {
            format!("Ngoài ra, {} cơ quan, đơn vị khác có thuyết minh (chi tiết tại {annex}).", vn_count(others))
        };
        sentence(body, &text);
    }
}

fn indicator_table(body: &mut Body, report: &ConsolidatedReport) {
    if report.indicators.is_empty() {
        sentence(body, "Kỳ báo cáo này không có chỉ tiêu nào được theo dõi.");
        return;
    }
    body.p(Para::body().after(120).keep_next(), &[(&indicator_summary(&report.indicators), TEXT)]);

    let cell_font = Font::size(TABLE);
    let cell = Para::centered();
    body.table_start(&INDICATOR_COLUMNS, true);
    body.row_start(true);
    for (width, label) in
        INDICATOR_COLUMNS.iter().zip(["STT", "Chỉ tiêu", "Cấp", "Kết quả", "Chỉ tiêu kế hoạch", "Đánh giá"])
    {
        body.cell(*width, Merge::None, cell, &[(label, cell_font.bold())]);
    }
    body.row_end();
    let mut notes = Vec::new();
    for (i, indicator) in report.indicators.iter().enumerate() {
        indicator_rows(body, i + 1, indicator, &mut notes);
    }
    body.table_end();
    for text in notes {
        body.p(Para::body(), &[(&text, Font::size(HEADING).italic())]);
    }
}

/// The rows of one indicator: exactly its level rows, the STT and name cells merged over them.
/// Readings of range targets are collected into `notes` (printed under the table).
fn indicator_rows(body: &mut Body, number: usize, indicator: &IndicatorResult, notes: &mut Vec<String>) {
    let columns = &INDICATOR_COLUMNS;
    let font = Font::size(TABLE);
    let cell = Para::centered();
    let name = format!("{} ({})", one_line(&indicator.name), indicator.code);
    if indicator.levels.is_empty() {
        body.row_start(false);
        body.cell(columns[0], Merge::None, cell, &[(&number.to_string(), font)]);
        body.cell(columns[1], Merge::None, Para::left(), &[(&name, font)]);
        for width in &columns[2..5] {
            body.cell(*width, Merge::None, cell, &[("–", font)]);
        }
        body.cell(columns[5], Merge::None, cell, &[(Attainment::NoData.label_vn(), font)]);
        body.row_end();
        return;
    }
    let levels = &indicator.levels;
    for (j, level) in levels.iter().enumerate() {
        let merge = match (levels.len(), j) {
            (1, _) => Merge::None,
            (_, 0) => Merge::Start,
            _ => Merge::Continue,
        };
        // The rows of one indicator stay on one page where the table allows it.
        let keep = j + 1 < levels.len();
        let (cell, left) = if keep { (cell.keep_next(), Para::left().keep_next()) } else { (cell, Para::left()) };
        body.row_start(false);
        if j == 0 {
            body.cell(columns[0], merge, cell, &[(&number.to_string(), font)]);
            body.cell(columns[1], merge, left, &[(&name, font)]);
        } else {
            body.cell(columns[0], merge, cell, &[("", font)]);
            body.cell(columns[1], merge, left, &[("", font)]);
        }
        body.cell(columns[2], Merge::None, cell, &[(&upper_first(level_label(level.level)), font)]);
        // The rounded value, and the sums it comes from in small type.
        body.cell_start(columns[3], Merge::None);
        let value = level.value.map_or_else(|| "–".to_string(), |v| v.to_string());
        body.p(cell, &[(&value, font)]);
        if level.denominator > 0.0 || level.reporting_agencies > 0 {
            let counts = format!(
                "{}/{}",
                cchc_domain::number::count_vn(level.numerator),
                cchc_domain::number::count_vn(level.denominator)
            );
            body.p(cell, &[(&counts, Font::size(TABLE_SMALL))]);
        }
        body.cell_end();
        let target = target_text(level, &indicator.unit).unwrap_or_else(|| "–".into());
        body.cell(columns[4], Merge::None, cell, &[(&target, font)]);
        let verdict = if level.assessment.is_met() { font.bold() } else { font };
        body.cell(columns[5], Merge::None, cell, &[(level.assessment.label_vn(), verdict)]);
        body.row_end();
        let reading = level.reading(&indicator.unit);
        if !reading.is_empty() {
            notes.push(format!(
                "Ghi chú: chỉ tiêu {} ({}): {reading}.",
                indicator.code,
                lower_first(level_label(level.level))
            ));
        }
    }
}

/// II. ĐÁNH GIÁ CHUNG, drafted from the data.
fn assessment(body: &mut Body, report: &ConsolidatedReport) {
    section(body, "II. ĐÁNH GIÁ CHUNG");
    note(
        body,
        "(Nội dung đánh giá dưới đây được dự thảo tự động từ số liệu tổng hợp; đề nghị rà soát, chỉnh sửa, bổ sung \
         trước khi trình ký.)",
    );
    let total = plan_progress(&report.areas);
    let t = tally(&report.indicators);

    subsection(body, "1. Ưu điểm");
    let mut strengths = Vec::new();
    if total.done() > 0 {
        let mut text = format!(
            "Đã hoàn thành {} trong {} nhiệm vụ đã đến hạn của Kế hoạch ({}), trong đó {} nhiệm vụ hoàn thành đúng hạn",
            vn_count(total.done()),
            vn_count(total.due),
            share_text(total.done(), total.due),
            vn_count(total.done_on_time),
        );
        let mut best: Vec<&AreaProgress> = report.areas.iter().filter(|a| a.due > 0 && a.done() > 0).collect();
        best.sort_by(|a, b| {
            Percent1::share(b.done(), b.due).cmp(&Percent1::share(a.done(), a.due)).then(b.due.cmp(&a.due))
        });
        if report.areas.len() > 1 && !best.is_empty() {
            let named: Vec<String> = best
                .iter()
                .take(3)
                .map(|a| {
                    format!(
                        "lĩnh vực {} ({}/{} nhiệm vụ, {})",
                        a.code,
                        vn_count(a.done()),
                        vn_count(a.due),
                        share_text(a.done(), a.due)
                    )
                })
                .collect();
            text.push_str(&format!("; các lĩnh vực có tỷ lệ hoàn thành cao nhất: {}", named.join(", ")));
        }
        strengths.push(format!("{text}."));
    }
    if total.due > 0 && total.overdue == 0 {
        strengths.push("Không có nhiệm vụ nào quá hạn chưa hoàn thành.".into());
    }
    if t.met > 0 {
        let (_, list) = indicator_phrases(&report.indicators, is_met, MET_MAX);
        let exceeded = if t.exceeded > 0 {
            format!(", trong đó {} vượt mục tiêu", vn_count(t.exceeded))
        } else {
            String::new()
        };
        strengths.push(format!(
            "{} trong {} kết quả chỉ tiêu có mục tiêu đạt{exceeded}: {list}.",
            vn_count(t.met),
            vn_count(t.with_target)
        ));
    }
    let overall = &report.overall;
    if overall.expected > 0 && overall.submitted() > 0 {
        strengths.push(format!(
            "{} trong {} cơ quan, đơn vị đã gửi báo cáo ({}), trong đó {} gửi đúng hạn ({}).",
            vn_count(overall.submitted()),
            vn_count(overall.expected),
            share_text(overall.submitted(), overall.expected),
            vn_count(overall.on_time.len()),
            share_text(overall.on_time.len(), overall.expected),
        ));
    }
    if strengths.is_empty() {
        strengths.push("Số liệu tổng hợp trong kỳ chưa cho thấy kết quả nổi bật.".into());
    }
    for text in strengths {
        sentence(body, &format!("- {text}"));
    }

    subsection(body, "2. Tồn tại, hạn chế và nguyên nhân");
    let mut weaknesses = Vec::new();
    if total.overdue > 0 {
        let areas: Vec<String> = report
            .areas
            .iter()
            .filter(|a| a.overdue > 0)
            .map(|a| format!("lĩnh vực {} ({} nhiệm vụ)", a.code, vn_count(a.overdue)))
            .collect();
        weaknesses.push(format!(
            "Còn {} nhiệm vụ quá hạn chưa hoàn thành: {}.",
            vn_count(total.overdue),
            areas.join(", ")
        ));
    }
    if t.not_met > 0 {
        let (_, list) = indicator_phrases(&report.indicators, is_not_met, usize::MAX);
        weaknesses.push(format!("{} kết quả chỉ tiêu chưa đạt mục tiêu: {list}.", vn_count(t.not_met)));
    }
    if t.no_data > 0 {
        let (count, list) = indicator_names(&report.indicators, is_no_data, NO_DATA_NAMES);
        weaknesses.push(format!("{} chỉ tiêu chưa có số liệu để đánh giá: {list}.", vn_count(count)));
    }
    for (label, lines) in [
        ("Chưa gửi báo cáo", &report.not_submitted),
        ("Gửi báo cáo trễ hạn", &report.late),
        ("Báo cáo bị trả lại, chưa gửi lại", &report.returned),
    ] {
        if let Some(text) = agency_list_sentence(label, lines) {
            weaknesses.push(text);
        }
    }
    if weaknesses.is_empty() {
        weaknesses.push("Số liệu tổng hợp trong kỳ không cho thấy tồn tại, hạn chế.".into());
    }
    for text in weaknesses {
        sentence(body, &format!("- {text}"));
    }
    note(body, "- Nguyên nhân: (bổ sung nguyên nhân khách quan, chủ quan của các tồn tại, hạn chế nêu trên).");
}

/// III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI: the tasks due in the next period, by area.
fn next_period(body: &mut Body, report: &ConsolidatedReport) {
    section(body, "III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI");
    let tasks: usize = report.next.iter().map(|a| a.tasks.len()).sum();
    let window = report
        .next_period
        .as_ref()
        .map(|p| format!("{} (từ ngày {} đến ngày {})", p.id.label_vn(), p.data_from.vn(), p.data_to.vn()));
    if tasks == 0 {
        let when = window.map_or_else(|| "Trong kỳ tới".to_string(), |w| format!("Trong kỳ tới, {w}"));
        sentence(
            body,
            &format!(
                "{when}, không có nhiệm vụ nào của Kế hoạch đến hạn. Tiếp tục triển khai các nhiệm vụ thường xuyên của \
                 Kế hoạch; các cơ quan, đơn vị chủ động thực hiện các nhiệm vụ được giao."
            ),
        );
    } else {
        let when = window.map_or_else(|| "trong kỳ tới".to_string(), |w| format!("trong kỳ tới, {w}"));
        sentence(
            body,
            &format!(
                "Các cơ quan, đơn vị tập trung thực hiện {} nhiệm vụ của Kế hoạch đến hạn {when}:",
                vn_count(tasks)
            ),
        );
        let mut number = 0;
        for area in report.next.iter().filter(|a| !a.tasks.is_empty()) {
            number += 1;
            subsection(body, &format!("{number}. Lĩnh vực {}: {}", area.code, area_name(area.code, &area.title)));
            for (i, task) in area.tasks.iter().enumerate() {
                let end = if i + 1 == area.tasks.len() { '.' } else { ';' };
                sentence(body, &format!("- {}{end}", next_task_text(task)));
            }
        }
        sentence(body, "Đồng thời, tiếp tục triển khai các nhiệm vụ thường xuyên của Kế hoạch.");
    }
    let overdue: usize = report.areas.iter().map(|a| a.overdue).sum();
    if overdue > 0 {
        sentence(
            body,
            &format!(
                "Các cơ quan, đơn vị có nhiệm vụ quá hạn khẩn trương hoàn thành {} nhiệm vụ quá hạn nêu tại Mục I.",
                vn_count(overdue)
            ),
        );
    }
    if !report.not_submitted.is_empty() || !report.returned.is_empty() || !report.late.is_empty() {
        sentence(
            body,
            "Các cơ quan, đơn vị chưa gửi, gửi trễ hạn hoặc có báo cáo bị trả lại thực hiện báo cáo đầy đủ, đúng hạn \
             theo quy định.",
        );
    }
}

fn proposals(body: &mut Body, report: &ConsolidatedReport) {
    section(body, "IV. KIẾN NGHỊ, ĐỀ XUẤT");
    note(body, "(Nội dung kiến nghị, đề xuất được bổ sung trước khi trình ký ban hành.)");
    // The closing sentence stays on the page of the signature (a signature page never stands alone).
    let closing = format!("Trên đây là báo cáo {}./.", lower_first(subject(&report.title)));
    body.p(Para::body().before(240).keep_next(), &[(&closing, TEXT)]);
}

/// "Nơi nhận" on the left ("- X;" each, the last "- X."), the signer's title in bold capitals on
/// the right, room for the signature and seal, and the signer's name.
fn closing(body: &mut Body, report: &ConsolidatedReport) {
    let settings = &report.settings;
    let columns = [HEADING_LEFT + 600, HEADING_RIGHT - 600];
    body.p(Para::left().before(120).keep_next(), &[("", TEXT)]);
    body.table_start(&columns, false);
    body.row_start(false);
    body.cell_start(columns[0], Merge::None);
    body.p(Para::left(), &[("Nơi nhận:", Font::size(RECIPIENTS_LABEL).bold().italic())]);
    let mut recipients: Vec<String> = settings
        .recipients
        .iter()
        .map(|r| one_line(r).trim_start_matches(['-', ' ']).trim_end_matches(['.', ';', ' ']).to_string())
        .filter(|r| !r.is_empty())
        .collect();
    if recipients.is_empty() {
        recipients.push("Lưu: VT".into());
    }
    for (i, recipient) in recipients.iter().enumerate() {
        let end = if i + 1 == recipients.len() { '.' } else { ';' };
        body.p(Para::left(), &[(&format!("- {recipient}{end}"), Font::size(RECIPIENTS))]);
    }
    body.cell_end();
    body.cell_start(columns[1], Merge::None);
    let titles: Vec<String> =
        settings.signer_title.iter().map(|t| one_line(t).to_uppercase()).filter(|t| !t.is_empty()).collect();
    for line in &titles {
        body.p(Para::centered(), &[(line, TEXT.bold())]);
    }
    // Room for the signature and the seal.
    for _ in 0..5 {
        body.p(Para::centered(), &[("", TEXT)]);
    }
    let name = one_line(&settings.signer_name);
    if !name.is_empty() {
        body.p(Para::centered(), &[(&name, TEXT.bold())]);
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
pub(crate) fn core_properties(title: &str, subject: &str, creator: &str, date: Option<Date>) -> String {
    let dates = date.map_or_else(String::new, |date| {
        format!(
            "<dcterms:created xsi:type=\"dcterms:W3CDTF\">{0}T00:00:00Z</dcterms:created>\
             <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{0}T00:00:00Z</dcterms:modified>",
            date.iso()
        )
    });
    format!(
        "{XML_DECLARATION}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:creator>{}</dc:creator><dc:language>vi-VN</dc:language>\
         {dates}</cp:coreProperties>",
        escape(title),
        escape(subject),
        escape(creator),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cchc_domain::reporting::{Assessment, Direction, IndicatorCode, LevelThreshold};
    use cchc_domain::{AdminLevel, AgencyId, Comparator};

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd(y, m, day).unwrap()
    }

    fn area(
        activities: usize,
        due: usize,
        on_time: usize,
        late: usize,
        overdue: usize,
        waiting: usize,
    ) -> AreaProgress {
        AreaProgress {
            code: AreaCode::I,
            title: "Công tác chỉ đạo, điều hành".into(),
            activities,
            due,
            done_on_time: on_time,
            done_late: late,
            overdue,
            waiting,
            overdue_list: Vec::new(),
            highlights: Vec::new(),
            narrative_count: 0,
        }
    }

    fn level(level: Option<AdminLevel>, n: f64, den: f64, threshold: Option<LevelThreshold>) -> LevelResult {
        let value = Percent1::ratio(n, den);
        LevelResult {
            level,
            numerator: n,
            denominator: den,
            value,
            target: threshold.as_ref().map(|t| t.text("%")),
            assessment: Assessment::of(value, threshold.as_ref(), Direction::HigherIsBetter),
            threshold,
            reporting_agencies: 3,
            not_applicable: 0,
        }
    }

    fn at_least(level: Option<AdminLevel>, value: f64) -> Option<LevelThreshold> {
        Some(LevelThreshold { level, op: Comparator::Ge, value, upper: None })
    }

    fn indicator(code: &str, name: &str, levels: Vec<LevelResult>) -> IndicatorResult {
        IndicatorResult {
            code: IndicatorCode::parse(code).unwrap(),
            name: name.into(),
            area: AreaCode::VII,
            unit: "%".into(),
            direction: Direction::HigherIsBetter,
            levels,
        }
    }

    fn line(id: &str, name: &str, kind: AgencyKind) -> AgencyLine {
        AgencyLine { id: AgencyId::parse(id).unwrap(), name: name.into(), kind }
    }

    #[test]
    fn dates_follow_the_decree() {
        assert_eq!(place_and_date("Sơn La", d(2024, 6, 10)), "Sơn La, ngày 10 tháng 6 năm 2024");
        assert_eq!(place_and_date("Sơn La", d(2024, 6, 5)), "Sơn La, ngày 05 tháng 6 năm 2024");
        assert_eq!(place_and_date("Sơn La", d(2024, 2, 5)), "Sơn La, ngày 05 tháng 02 năm 2024");
        assert_eq!(place_and_date("Sơn La", d(2024, 1, 15)), "Sơn La, ngày 15 tháng 01 năm 2024");
        assert_eq!(place_and_date("Sơn La", d(2024, 12, 31)), "Sơn La, ngày 31 tháng 12 năm 2024");
    }

    #[test]
    fn percentages_use_the_one_rounding_rule() {
        // 63/112 = 56,25 exactly: half away from zero.
        assert_eq!(share_text(63, 112), "56,3%");
        assert_eq!(share_text(1, 1), "100,0%");
        assert_eq!(share_text(0, 0), "–");
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
    fn body_names_read_as_in_a_sentence() {
        assert_eq!(body_name("SỞ NỘI VỤ"), "Sở Nội vụ");
        assert_eq!(body_name("VĂN PHÒNG UBND TỈNH"), "Văn phòng UBND tỉnh");
        assert_eq!(body_name("Sở Nội vụ"), "Sở Nội vụ");
    }

    #[test]
    fn subject_drops_the_document_type() {
        assert_eq!(subject("BÁO CÁO Kết quả thực hiện"), "Kết quả thực hiện");
        assert_eq!(subject("Kết quả thực hiện"), "Kết quả thực hiện");
        assert_eq!(lower_first("Kết quả"), "kết quả");
        assert_eq!(upper_first("cấp xã"), "Cấp xã");
    }

    #[test]
    fn progress_sentences() {
        let cutoff = d(2024, 6, 13);
        assert_eq!(
            progress_sentence("Lĩnh vực", &area(16, 10, 6, 1, 3, 0), cutoff),
            "Lĩnh vực có 16 nhiệm vụ; đến ngày 13/06/2024 (ngày chốt số liệu), 10 nhiệm vụ đã đến hạn, trong đó \
             7 nhiệm vụ đã hoàn thành (6 đúng hạn, 1 trễ hạn) và 3 nhiệm vụ quá hạn chưa hoàn thành; 6 nhiệm vụ \
             chưa đến hạn."
        );
        // With tasks waiting for an event.
        assert_eq!(
            progress_sentence("Lĩnh vực", &area(14, 9, 5, 0, 4, 2), cutoff),
            "Lĩnh vực có 14 nhiệm vụ; đến ngày 13/06/2024 (ngày chốt số liệu), 9 nhiệm vụ đã đến hạn, trong đó \
             5 nhiệm vụ đã hoàn thành đúng hạn và 4 nhiệm vụ quá hạn chưa hoàn thành; 3 nhiệm vụ chưa đến hạn; \
             2 nhiệm vụ chờ sự kiện (chưa xác định thời hạn)."
        );
    }

    #[test]
    fn progress_sentences_never_write_zero_counts() {
        let cutoff = d(2024, 6, 13);
        let text = |a: AreaProgress| progress_sentence("Lĩnh vực", &a, cutoff);
        assert_eq!(text(area(0, 0, 0, 0, 0, 0)), "Lĩnh vực không có nhiệm vụ nào cần theo dõi trong kỳ.");
        assert_eq!(
            text(area(6, 0, 0, 0, 0, 0)),
            "Lĩnh vực có 6 nhiệm vụ; đến ngày 13/06/2024 (ngày chốt số liệu), chưa có nhiệm vụ nào đến hạn."
        );
        assert_eq!(
            text(area(3, 0, 0, 0, 0, 3)),
            "Lĩnh vực có 3 nhiệm vụ; đến ngày 13/06/2024 (ngày chốt số liệu), chưa có nhiệm vụ nào đến hạn; \
             3 nhiệm vụ chờ sự kiện (chưa xác định thời hạn)."
        );
        assert_eq!(
            text(area(8, 5, 5, 0, 0, 1)),
            "Lĩnh vực có 8 nhiệm vụ; đến ngày 13/06/2024 (ngày chốt số liệu), 5 nhiệm vụ đã đến hạn, đều đã hoàn \
             thành đúng hạn; 2 nhiệm vụ chưa đến hạn; 1 nhiệm vụ chờ sự kiện (chưa xác định thời hạn)."
        );
        assert_eq!(
            text(area(7, 7, 4, 3, 0, 0)),
            "Lĩnh vực có 7 nhiệm vụ; đến ngày 13/06/2024 (ngày chốt số liệu), 7 nhiệm vụ đã đến hạn, đều đã hoàn \
             thành (4 đúng hạn, 3 trễ hạn)."
        );
        assert_eq!(
            text(area(2, 1, 0, 0, 1, 0)),
            "Lĩnh vực có 2 nhiệm vụ; đến ngày 13/06/2024 (ngày chốt số liệu), 1 nhiệm vụ đã đến hạn nhưng quá hạn \
             chưa hoàn thành; 1 nhiệm vụ chưa đến hạn."
        );
        assert_eq!(
            text(area(4, 3, 0, 1, 2, 0)),
            "Lĩnh vực có 4 nhiệm vụ; đến ngày 13/06/2024 (ngày chốt số liệu), 3 nhiệm vụ đã đến hạn, trong đó \
             1 nhiệm vụ đã hoàn thành nhưng trễ hạn và 2 nhiệm vụ quá hạn chưa hoàn thành; 1 nhiệm vụ chưa đến hạn."
        );
        for a in [area(0, 0, 0, 0, 0, 0), area(6, 0, 0, 0, 0, 0), area(8, 5, 5, 0, 0, 1), area(2, 1, 0, 0, 1, 0)] {
            let t = text(a);
            assert!(!t.contains(" 0 ") && !t.contains("trong đó 0"), "{t}");
        }
    }

    fn digitisation() -> IndicatorResult {
        use AdminLevel::{Huyen, Tinh, Xa};
        indicator(
            "VII.2.1",
            "Tỷ lệ số hóa kết quả giải quyết TTHC",
            vec![
                level(Some(Tinh), 100.0, 100.0, at_least(Some(Tinh), 100.0)),
                level(Some(Huyen), 90.0, 100.0, at_least(Some(Huyen), 80.0)),
                level(Some(Xa), 621.0, 1000.0, at_least(Some(Xa), 75.0)),
                // Targets per level only: the province row has no verdict.
                level(None, 811.0, 1200.0, None),
            ],
        )
    }

    #[test]
    fn area_indicators_count_only_rows_with_a_target() {
        let digitisation = digitisation();
        assert_eq!(digitisation.levels[3].assessment.attainment, Attainment::NoTarget);
        assert_eq!(
            area_indicator_sentence(&[&digitisation]).unwrap(),
            "Chỉ tiêu của lĩnh vực: 2 trong 3 kết quả có mục tiêu đạt; chưa đạt: Tỷ lệ số hóa kết quả giải quyết \
             TTHC (cấp xã 62,1%, mục tiêu ≥ 75%)."
        );
        assert_eq!(area_indicator_sentence(&[]), None);

        // Only a province row without a target: nothing to judge, and never «chưa có số liệu».
        let mut unjudged = digitisation.clone();
        unjudged.levels.truncate(0);
        unjudged.levels.push(level(None, 811.0, 1200.0, None));
        let text = area_indicator_sentence(&[&unjudged]).unwrap();
        assert!(!text.contains("chưa có số liệu"), "{text}");
        let summary = indicator_summary(&[unjudged]);
        assert!(!summary.contains("chưa có số liệu"), "{summary}");
        assert!(summary.contains("Không có kết quả nào có mục tiêu để đánh giá."), "{summary}");

        // A row with a target and no value is «chưa có số liệu».
        let mut empty = digitisation.clone();
        empty.levels[2] = level(Some(AdminLevel::Xa), 0.0, 0.0, at_least(Some(AdminLevel::Xa), 75.0));
        assert_eq!(
            area_indicator_sentence(&[&empty]).unwrap(),
            "Chỉ tiêu của lĩnh vực: 2 trong 3 kết quả có mục tiêu đạt; chưa có số liệu: Tỷ lệ số hóa kết quả giải \
             quyết TTHC (VII.2.1).",
            "without data, the indicator is named once, not level by level"
        );

        // Everything met, one exceeding a range.
        let revenue = indicator(
            "VI.2.3",
            "Tốc độ tăng thu ngân sách",
            vec![level(
                Some(AdminLevel::Tinh),
                150.0,
                1000.0,
                Some(LevelThreshold { level: None, op: Comparator::Range, value: 8.0, upper: Some(10.0) }),
            )],
        );
        assert_eq!(revenue.levels[0].assessment.label_vn(), "Vượt mục tiêu");
        assert_eq!(
            area_indicator_sentence(&[&revenue]).unwrap(),
            "Chỉ tiêu của lĩnh vực: kết quả có mục tiêu đã đạt (trong đó 1 vượt mục tiêu)."
        );
        let summary = indicator_summary(&[digitisation, revenue]);
        assert!(
            summary.ends_with(
                "Trong 4 kết quả có mục tiêu: 3 đạt (trong đó 1 vượt mục tiêu), 1 chưa đạt. 1 kết quả không có mục \
                 tiêu ở cấp tương ứng (chỉ tiêu kế hoạch giao theo từng cấp) được nêu để theo dõi, không đánh giá."
            ),
            "{summary}"
        );
    }

    #[test]
    fn completeness_sentences() {
        let ids = |prefix: &str, n: usize| -> Vec<AgencyId> {
            (0..n).map(|i| AgencyId::parse(&format!("{prefix}-{i}")).unwrap()).collect()
        };
        let c = Completeness {
            expected: 20,
            not_submitted: ids("n", 2),
            awaiting: ids("w", 3),
            returned: ids("r", 1),
            accepted: ids("a", 14),
            on_time: ids("o", 15),
            late: ids("l", 2),
        };
        assert_eq!(
            completeness_sentence("Sở, ban, ngành", &c),
            "Sở, ban, ngành: 20 cơ quan, đơn vị phải báo cáo; đã gửi 17 (85,0%), trong đó đúng hạn 15 (75,0%), \
             trễ hạn 2 (10,0%); 1 báo cáo bị trả lại, chờ gửi lại (5,0%); chưa gửi 2 (10,0%)."
        );
        let all = Completeness { expected: 5, accepted: ids("a", 5), on_time: ids("o", 5), ..Completeness::default() };
        assert_eq!(
            completeness_sentence("Cơ quan ngành dọc", &all),
            "Cơ quan ngành dọc: 5 cơ quan, đơn vị phải báo cáo; đã gửi 5 (100,0%), đều đúng hạn."
        );
        let none = Completeness { expected: 3, not_submitted: ids("n", 3), ..Completeness::default() };
        assert_eq!(
            completeness_sentence("UBND cấp huyện", &none),
            "UBND cấp huyện: 3 cơ quan, đơn vị phải báo cáo; chưa có báo cáo nào được gửi; chưa gửi 3 (100,0%)."
        );
        assert_eq!(
            completeness_sentence("UBND cấp xã", &Completeness::default()),
            "UBND cấp xã: không có cơ quan, đơn vị phải báo cáo trong kỳ."
        );
    }

    #[test]
    fn agencies_are_grouped_by_kind_with_counts() {
        let mut lines = vec![
            line("xa-1", "Xã Mường Lạn", AgencyKind::Commune),
            line("so-a", "Sở Văn hóa, Thể thao và Du lịch", AgencyKind::Department),
            line("huyen-a", "UBND huyện Sốp Cộp", AgencyKind::District),
            line("so-b", "Ban Dân tộc", AgencyKind::Department),
            line("xa-2", "Xã Mường Lèo", AgencyKind::Commune),
        ];
        assert_eq!(
            agencies_by_kind(&lines),
            "2 sở, ban, ngành (Sở Văn hóa, Thể thao và Du lịch; Ban Dân tộc), 1 UBND cấp huyện (UBND huyện Sốp Cộp), \
             2 UBND cấp xã (Xã Mường Lạn; Xã Mường Lèo)"
        );
        assert_eq!(
            agency_list_sentence("Chưa gửi báo cáo", &lines).unwrap(),
            format!("Chưa gửi báo cáo (5 cơ quan, đơn vị): {}.", agencies_by_kind(&lines))
        );
        // One group: no total; many names: the count and a pointer to the annex.
        let communes: Vec<AgencyLine> =
            (0..20).map(|i| line(&format!("xa-{i}"), &format!("Xã {i}"), AgencyKind::Commune)).collect();
        assert_eq!(
            agency_list_sentence("Gửi báo cáo trễ hạn", &communes).unwrap(),
            "Gửi báo cáo trễ hạn: 20 UBND cấp xã (danh sách tại Phụ lục IV)."
        );
        assert_eq!(agency_list_sentence("Gửi báo cáo trễ hạn", &[]), None);
        lines.truncate(1);
        assert_eq!(agency_list_sentence("Bị trả lại", &lines).unwrap(), "Bị trả lại: 1 UBND cấp xã (Xã Mường Lạn).");
    }

    #[test]
    fn next_tasks_name_due_date_and_leads() {
        let mut task = NextTask {
            activity_code: "I.5".into(),
            title: "Kiểm tra công tác cải cách hành chính (đợt 2).".into(),
            due: d(2024, 9, 30),
            leads: vec!["Sở Nội vụ".into()],
        };
        assert_eq!(
            next_task_text(&task),
            "Kiểm tra công tác cải cách hành chính (đợt 2) (hạn 30/09/2024; chủ trì: Sở Nội vụ)"
        );
        task.leads.clear();
        assert_eq!(next_task_text(&task), "Kiểm tra công tác cải cách hành chính (đợt 2) (hạn 30/09/2024)");
    }

    #[test]
    fn lists_are_joined_the_vietnamese_way() {
        assert_eq!(join_and(&["a".into()]), "a");
        assert_eq!(join_and(&["a".into(), "b".into(), "c".into()]), "a, b và c");
        assert_eq!(name_list(["A", "B", "C"], 2), "A; B và 1 cơ quan, đơn vị khác");
    }
}
