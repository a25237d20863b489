//! The PAR Index documents ("Chỉ số cải cách hành chính"):
//!
//! - [`score_sheet_xlsx`]: one agency's score sheet — area → criterion → sub-criterion with the
//!   maximum, how it is scored, the agency's answer and points, the system's figure, the
//!   council's points and reason, the explanation and the points counted; subtotals per area and
//!   criterion; the total, maximum, index and band;
//! - [`ranking_xlsx`]: the ranking of a year, a sheet per kind of agency: rank, points by area,
//!   total, maximum, index, band, the year before and the change;
//! - [`index_decision_docx`]: the annex of the decision announcing the index (Decree 30/2020
//!   layout, as the consolidated report: A4, Times New Roman, the decree's margins), a table per
//!   kind, marked «DỰ THẢO» while a kind is scored under the template or not published.
//!
//! The XLSX files share the consolidated annex's formats (Times New Roman 12, bold frozen
//! headers repeated on every printed page, A4 landscape fitted to one page wide); points and
//! indices are numbers with two decimals, so they can be sorted and summed.

use cchc_domain::evaluation::documents::{RankingKind, RankingTable, ScoreSheet, SheetSub};
use cchc_domain::evaluation::{IndexValue, Points};
use cchc_domain::{AgencyKind, Date};
use rust_xlsxwriter::{Color, Format, Workbook, Worksheet, XlsxError};

use crate::annex::{fit_row, number_or_blank, AnnexError, Formats, FONT};
use crate::docx::{
    core_properties, date_words, document_part, package, upper_first, Body, DocxError, Font, Merge, Para, TABLE, TEXT,
    TEXT_WIDTH,
};

/// The header row of every sheet (0-based), frozen and repeated on every printed page.
const HEADER_ROW: u32 = 5;

/// What the decision the annex belongs to says of itself; both may be left for the officer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionOptions {
    /// The number only ("123" → "Quyết định số 123/QĐ-UBND"); empty leaves room to write it.
    pub number: String,
    /// The date of the decision; `None` leaves room to write it.
    pub date: Option<Date>,
}

/// "CÁC SỞ, BAN, NGÀNH", "UBND CÁC HUYỆN, THÀNH PHỐ", "UBND CÁC XÃ, PHƯỜNG".
pub fn group_title(kind: AgencyKind) -> String {
    match kind {
        AgencyKind::Department => "CÁC SỞ, BAN, NGÀNH".into(),
        AgencyKind::District => "UBND CÁC HUYỆN, THÀNH PHỐ".into(),
        AgencyKind::Commune => "UBND CÁC XÃ, PHƯỜNG".into(),
        other => other.label_vn().to_uppercase(),
    }
}

/// "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2024 CỦA CÁC SỞ, BAN, NGÀNH".
pub fn ranking_title(year: i32, kind: AgencyKind) -> String {
    format!("KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year} CỦA {}", group_title(kind))
}

/// A sheet name for a kind (at most 31 characters, none of `[]:*?/\`).
fn sheet_name(kind: AgencyKind) -> &'static str {
    match kind {
        AgencyKind::Department => "Sở, ban, ngành",
        AgencyKind::District => "UBND cấp huyện",
        AgencyKind::Commune => "UBND cấp xã",
        other => other.label_vn(),
    }
}

/// "Bộ tiêu chí: … (Quyết định số …)".
fn framework_line(title: &str, basis: &str) -> String {
    let basis = basis.trim();
    if basis.is_empty() {
        format!("Bộ tiêu chí: {}", title.trim())
    } else {
        format!("Bộ tiêu chí: {} ({basis})", title.trim())
    }
}

const TEMPLATE_NOTE: &str = "Chấm theo bộ tiêu chí mẫu của phần mềm; cần thay bằng bộ tiêu chí do UBND tỉnh ban hành.";
const PROVISIONAL_NOTE: &str = "Kết quả tạm tính, chưa công bố.";
const INDEX_RULE: &str = "Chỉ số CCHC = điểm đạt được ÷ điểm tối đa của các tiêu chí được áp dụng × 100, làm tròn đến \
                          hai chữ số thập phân; các cơ quan, đơn vị có chỉ số bằng nhau được xếp cùng hạng.";

/// The notes of a result not final, in one sentence each.
fn draft_notes(template: bool, published: bool) -> String {
    let mut notes = Vec::new();
    if !published {
        notes.push(PROVISIONAL_NOTE);
    }
    if template {
        notes.push(TEMPLATE_NOTE);
    }
    notes.join(" ")
}

// ---------------------------------------------------------------------------------------------
// XLSX.

/// The formats of the evaluation sheets: the annex's, plus points with two decimals.
struct Sheets {
    f: Formats,
    points: Format,
    bold_points: Format,
    area: Format,
    area_points: Format,
    change: Format,
}

impl Sheets {
    fn new() -> Sheets {
        let f = Formats::new();
        let shade = Color::RGB(0xF2F2F2);
        Sheets {
            points: f.count.clone().set_num_format("0.00"),
            bold_points: f.total_count.clone().set_num_format("0.00"),
            area: f.total.clone().set_text_wrap().set_background_color(shade),
            area_points: f.total_count.clone().set_num_format("0.00").set_background_color(shade),
            change: f.count.clone().set_num_format("+0.00;-0.00;0.00"),
            f,
        }
    }
}

fn workbook(s: &Sheets) -> Result<Workbook, XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_default_format(&s.f.base, 21, 72)?;
    Ok(workbook)
}

/// The heading lines (merged over every column), the header row, widths and the page setup:
/// A4 landscape, one page wide, the header row repeated, "{footer} - Trang N/M" at the bottom.
fn sheet_start(
    sheet: &mut Worksheet,
    s: &Sheets,
    lines: [&str; 4],
    columns: &[(String, f64)],
    footer: &str,
) -> Result<u32, XlsxError> {
    let last = (columns.len().max(1) - 1) as u16;
    let formats = [&s.f.title, &s.f.appendix, &s.f.reference, &s.f.reference];
    for (row, (text, format)) in lines.iter().zip(formats).enumerate() {
        sheet.merge_range(row as u32, 0, row as u32, last, text, format)?;
    }
    sheet.set_row_height(0, 36)?;
    for (col, (label, width)) in columns.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(HEADER_ROW, col, label, &s.f.heading)?;
        sheet.set_column_width(col, *width)?;
    }
    sheet.set_row_height(HEADER_ROW, 48)?;
    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    sheet.set_paper_size(9); // A4
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_print_center_horizontally(true);
    sheet.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    sheet.set_footer(format!("&C&\"{FONT},Regular\"&10{footer} - Trang &P/&N"));
    Ok(HEADER_ROW + 1)
}

fn points_cell(sheet: &mut Worksheet, row: u32, col: u16, points: Points, format: &Format) -> Result<(), XlsxError> {
    sheet.write_number_with_format(row, col, points.value(), format)?;
    Ok(())
}

fn index_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    index: Option<IndexValue>,
    format: &Format,
) -> Result<(), XlsxError> {
    number_or_blank(sheet, row, col, index.map(IndexValue::value), format)
}

const NOT_APPLICABLE: &str = "Không áp dụng";

/// Columns of the score sheet.
const SHEET_COLUMNS: [(&str, f64); 11] = [
    ("Mã", 8.0),
    ("Lĩnh vực, tiêu chí, tiêu chí thành phần", 44.0),
    ("Điểm tối đa", 9.0),
    ("Cách chấm", 30.0),
    ("Cơ quan tự đánh giá", 16.0),
    ("Điểm tự chấm", 9.0),
    ("Số liệu hệ thống (%)", 11.0),
    ("Điểm thẩm định", 10.0),
    ("Lý do thẩm định", 28.0),
    ("Giải trình", 28.0),
    ("Điểm tính", 9.0),
];
/// The column of the points counted.
const COUNTED: u16 = 10;

/// One agency's score sheet as an XLSX file.
pub fn score_sheet_xlsx(sheet_data: &ScoreSheet) -> Result<Vec<u8>, AnnexError> {
    let s = Sheets::new();
    let mut workbook = workbook(&s)?;
    let sheet = workbook.add_worksheet();
    sheet.set_name("Bảng điểm")?;
    write_score_sheet(sheet, sheet_data, &s)?;
    Ok(workbook.save_to_buffer()?)
}

fn write_score_sheet(sheet: &mut Worksheet, data: &ScoreSheet, s: &Sheets) -> Result<(), XlsxError> {
    let f = &s.f;
    let title = format!("BẢNG ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {}", data.year);
    let framework = framework_line(&data.framework_title, &data.basis);
    let state = format!("Đợt đánh giá: {}; kết quả của cơ quan: {}.", data.round_state, data.stage);
    let notes = draft_notes(data.template, data.published);
    let columns: Vec<(String, f64)> = SHEET_COLUMNS.iter().map(|(l, w)| ((*l).to_string(), *w)).collect();
    let mut row = sheet_start(sheet, s, [&title, &data.agency, &framework, &state], &columns, "Bảng điểm")?;
    if !notes.is_empty() {
        sheet.merge_range(HEADER_ROW - 1, 0, HEADER_ROW - 1, COUNTED, &notes, &f.note)?;
    }
    let last = COUNTED;
    for area in &data.areas {
        let (points, _) = area.subtotal();
        sheet.write_string_with_format(row, 0, &area.code, &s.area)?;
        sheet.write_string_with_format(row, 1, &area.name, &s.area)?;
        points_cell(sheet, row, 2, area.max, &s.area_points)?;
        for col in 3..last {
            sheet.write_blank(row, col, &s.area)?;
        }
        points_cell(sheet, row, last, points, &s.area_points)?;
        fit_row(sheet, row, &[(&area.name, SHEET_COLUMNS[1].1)])?;
        row += 1;
        for criterion in &area.criteria {
            let (points, _) = criterion.subtotal();
            sheet.write_string_with_format(row, 0, &criterion.code, &f.total)?;
            sheet.write_string_with_format(row, 1, &criterion.name, &f.total.clone().set_text_wrap())?;
            points_cell(sheet, row, 2, criterion.max, &s.bold_points)?;
            for col in 3..last {
                sheet.write_blank(row, col, &f.total)?;
            }
            points_cell(sheet, row, last, points, &s.bold_points)?;
            fit_row(sheet, row, &[(&criterion.name, SHEET_COLUMNS[1].1)])?;
            row += 1;
            for sub in &criterion.subs {
                sub_row(sheet, row, sub, s)?;
                row += 1;
            }
        }
    }
    // The total, the maximum, the index and the band.
    let labels: [(String, Option<f64>, Option<&str>); 4] = [
        (
            format!("Tổng điểm đạt được (tối đa theo bộ tiêu chí: {} điểm)", data.full_max.vn()),
            Some(data.points.value()),
            None,
        ),
        ("Điểm tối đa của các tiêu chí được áp dụng".into(), Some(data.max.value()), None),
        ("Chỉ số CCHC (%)".into(), data.index.map(IndexValue::value), None),
        ("Xếp loại".into(), None, Some(data.band.as_str())),
    ];
    for (label, value, text) in labels {
        sheet.merge_range(row, 0, row, last - 1, &label, &f.total)?;
        match text {
            Some(text) => {
                sheet.write_string_with_format(row, last, text, &f.total)?;
            }
            None => number_or_blank(sheet, row, last, value, &s.bold_points)?,
        }
        row += 1;
    }
    row += 1;
    sheet.merge_range(row, 0, row, last, &format!("Ghi chú: {INDEX_RULE}"), &f.note.clone().set_text_wrap())?;
    sheet.set_row_height(row, 36)?;
    Ok(())
}

fn sub_row(sheet: &mut Worksheet, row: u32, sub: &SheetSub, s: &Sheets) -> Result<(), XlsxError> {
    let f = &s.f;
    sheet.write_string_with_format(row, 0, &sub.code, &f.text)?;
    sheet.write_string_with_format(row, 1, &sub.name, &f.wrapped)?;
    points_cell(sheet, row, 2, sub.max, &s.points)?;
    sheet.write_string_with_format(row, 3, &sub.method, &f.wrapped)?;
    sheet.write_string_with_format(row, 4, &sub.self_value, &f.center)?;
    number_or_blank(sheet, row, 5, sub.self_points.map(Points::value), &s.points)?;
    number_or_blank(sheet, row, 6, sub.computed, &s.points)?;
    match sub.appraised {
        Some(Some(points)) => points_cell(sheet, row, 7, points, &s.points)?,
        Some(None) => {
            sheet.write_string_with_format(row, 7, NOT_APPLICABLE, &f.center)?;
        }
        None => {
            sheet.write_blank(row, 7, &s.points)?;
        }
    }
    sheet.write_string_with_format(row, 8, &sub.appraisal_reason, &f.wrapped)?;
    sheet.write_string_with_format(row, 9, &sub.explanation, &f.wrapped)?;
    match sub.points {
        Some(points) => points_cell(sheet, row, COUNTED, points, &s.points)?,
        None => {
            sheet.write_string_with_format(row, COUNTED, NOT_APPLICABLE, &f.center)?;
        }
    }
    fit_row(
        sheet,
        row,
        &[
            (&sub.name, SHEET_COLUMNS[1].1),
            (&sub.method, SHEET_COLUMNS[3].1),
            (&sub.appraisal_reason, SHEET_COLUMNS[8].1),
            (&sub.explanation, SHEET_COLUMNS[9].1),
        ],
    )
}

/// The ranking of a year as an XLSX file, a sheet per kind of agency.
pub fn ranking_xlsx(table: &RankingTable) -> Result<Vec<u8>, AnnexError> {
    let s = Sheets::new();
    let mut workbook = workbook(&s)?;
    for kind in &table.kinds {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(kind.kind))?;
        ranking_sheet(sheet, table.year, kind, &s)?;
    }
    if table.kinds.is_empty() {
        let sheet = workbook.add_worksheet();
        sheet.set_name("Xếp hạng")?;
        sheet.set_column_width(0, 90)?;
        let title = format!("KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {}", table.year);
        sheet.write_string_with_format(0, 0, &title, &s.f.title)?;
        sheet.write_string_with_format(2, 0, "Chưa có kết quả nào được công bố.", &s.f.note)?;
    }
    Ok(workbook.save_to_buffer()?)
}

fn ranking_sheet(sheet: &mut Worksheet, year: i32, kind: &RankingKind, s: &Sheets) -> Result<(), XlsxError> {
    let f = &s.f;
    let mut columns: Vec<(String, f64)> = vec![("Hạng".into(), 6.0), ("Cơ quan, đơn vị".into(), 34.0)];
    columns.extend(kind.areas.iter().map(|a| (format!("{}\n({} điểm)", a.code, a.max.vn()), 8.0)));
    let first_after_areas = columns.len() as u16;
    columns.extend(
        [
            ("Tổng điểm", 9.0),
            ("Điểm tối đa", 9.0),
            ("Chỉ số CCHC (%)", 10.0),
            ("Xếp loại", 14.0),
            ("Năm trước (%)", 10.0),
            ("Tăng, giảm", 9.0),
        ]
        .map(|(l, w)| (l.to_string(), w)),
    );
    let title = ranking_title(year, kind.kind);
    let framework = framework_line(&kind.framework_title, &kind.basis);
    let notes = draft_notes(kind.template, kind.published);
    let footer = sheet_name(kind.kind);
    let mut row = sheet_start(sheet, s, [&title, &kind.state, &framework, &notes], &columns, footer)?;
    let first = row;
    for line in &kind.rows {
        match line.rank {
            Some(rank) => sheet.write_number_with_format(row, 0, f64::from(rank), &f.center)?,
            None => sheet.write_blank(row, 0, &f.center)?,
        };
        sheet.write_string_with_format(row, 1, &line.agency, &f.text)?;
        for (i, _) in kind.areas.iter().enumerate() {
            let points = line.by_area.get(i).copied();
            number_or_blank(sheet, row, 2 + i as u16, points.map(Points::value), &s.points)?;
        }
        let c = first_after_areas;
        points_cell(sheet, row, c, line.points, &s.bold_points)?;
        points_cell(sheet, row, c + 1, line.max, &s.points)?;
        index_cell(sheet, row, c + 2, line.index, &s.bold_points)?;
        sheet.write_string_with_format(row, c + 3, &line.band, &f.center)?;
        index_cell(sheet, row, c + 4, line.previous, &s.points)?;
        number_or_blank(sheet, row, c + 5, line.change().map(|d| d as f64 / 100.0), &s.change)?;
        fit_row(sheet, row, &[(&line.agency, columns[1].1)])?;
        row += 1;
    }
    if kind.rows.is_empty() {
        sheet.merge_range(row, 0, row, (columns.len() - 1) as u16, "Không có cơ quan, đơn vị nào.", &f.note)?;
        row += 1;
    } else {
        sheet.autofilter(first - 1, 0, row - 1, (columns.len() - 1) as u16)?;
    }
    // The areas by name, under the table.
    row += 1;
    let last = (columns.len() - 1) as u16;
    sheet.merge_range(row, 0, row, last, "Các lĩnh vực:", &f.note)?;
    row += 1;
    for area in &kind.areas {
        let text = format!("{}. {} (tối đa {} điểm)", area.code, area.name, area.max.vn());
        sheet.merge_range(row, 0, row, last, &text, &f.base)?;
        row += 1;
    }
    sheet.merge_range(row, 0, row, last, &format!("Ghi chú: {INDEX_RULE}"), &f.note.clone().set_text_wrap())?;
    sheet.set_row_height(row, 36)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// DOCX: the annex of the decision.

/// STT | Cơ quan, đơn vị | Điểm đạt được | Điểm tối đa | Chỉ số | Xếp hạng | Xếp loại.
const ANNEX_COLUMNS: [u32; 7] = [650, 3_404, 1_100, 1_100, 1_100, 900, 1_100];
const _: () = assert!(
    ANNEX_COLUMNS[0]
        + ANNEX_COLUMNS[1]
        + ANNEX_COLUMNS[2]
        + ANNEX_COLUMNS[3]
        + ANNEX_COLUMNS[4]
        + ANNEX_COLUMNS[5]
        + ANNEX_COLUMNS[6]
        == TEXT_WIDTH
);
const ANNEX_HEADERS: [&str; 7] =
    ["STT", "Cơ quan, đơn vị", "Điểm đạt được", "Điểm tối đa", "Chỉ số CCHC (%)", "Xếp hạng", "Xếp loại"];

/// "(Kèm theo Quyết định số 123/QĐ-UBND ngày 05 tháng 02 năm 2025 của UBND tỉnh Sơn La)"; the
/// number and the date left blank for the officer when not given, "UBND tỉnh" when the issuer is
/// not known.
pub fn decision_reference(issuer: &str, options: &DecisionOptions) -> String {
    let number = options.number.trim();
    let number = if number.is_empty() { "       " } else { number };
    let date = options.date.map_or_else(|| "ngày      tháng      năm      ".to_string(), date_words);
    let issuer = issuer.split_whitespace().collect::<Vec<_>>().join(" ");
    let issuer = if issuer.is_empty() { "UBND tỉnh" } else { issuer.as_str() };
    format!("(Kèm theo Quyết định số {number}/QĐ-UBND {date} của {issuer})")
}

/// Roman numerals of the appendices (one per kind of agency).
const ROMAN: [&str; 6] = ["I", "II", "III", "IV", "V", "VI"];

/// The annex of the decision announcing the index of a year, as a DOCX file.
pub fn index_decision_docx(table: &RankingTable, options: &DecisionOptions) -> Result<Vec<u8>, DocxError> {
    let mut body = Body::default();
    let reference = decision_reference(&table.issuer, options);
    if table.is_draft() {
        body.p(Para::centered().after(120), &[("DỰ THẢO", TEXT.bold())]);
    }
    for (i, kind) in table.kinds.iter().enumerate() {
        if i > 0 {
            body.page_break();
        }
        let number =
            if table.kinds.len() > 1 { ROMAN.get(i).map_or(String::new(), |r| format!(" {r}")) } else { String::new() };
        annex_heading(&mut body, &format!("Phụ lục{number}"), &ranking_title(table.year, kind.kind), &reference);
        annex_table(&mut body, kind);
    }
    if table.kinds.is_empty() {
        let title = format!("KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {}", table.year);
        annex_heading(&mut body, "Phụ lục", &title, &reference);
        body.p(Para::body(), &[("Chưa có kết quả nào được công bố.", TEXT.italic())]);
    }
    let title = format!("Phụ lục kết quả Chỉ số cải cách hành chính năm {}", table.year);
    let core = core_properties(&title, "Chỉ số cải cách hành chính", table.issuer.trim(), options.date);
    package(&document_part(&body), &core)
}

/// "Phụ lục I", the title in bold capitals, "(Kèm theo Quyết định …)" in italics, a short rule.
fn annex_heading(body: &mut Body, label: &str, title: &str, reference: &str) {
    body.p(Para::centered().keep_next(), &[(label, TEXT.bold())]);
    body.p(Para::centered().keep_next(), &[(title, TEXT.bold())]);
    body.p(Para::centered().keep_next(), &[(reference, TEXT.italic())]);
    body.rule(TEXT_WIDTH, 2_000, 180);
    body.p(Para::centered().after(120), &[("", TEXT)]);
}

fn annex_table(body: &mut Body, kind: &RankingKind) {
    let small = Font::size(TABLE);
    let framework = framework_line(&kind.framework_title, &kind.basis);
    body.p(Para::body(), &[(&format!("{}.", framework.trim_end_matches('.')), TEXT.italic())]);
    let notes = draft_notes(kind.template, kind.published);
    if !notes.is_empty() {
        body.p(Para::body(), &[(&notes, TEXT.italic())]);
    }
    if kind.rows.is_empty() {
        body.p(Para::body(), &[("Không có cơ quan, đơn vị nào.", TEXT.italic())]);
        return;
    }
    body.p(Para::centered().after(60), &[("", Font::size(8))]);
    body.table_start(&ANNEX_COLUMNS, true);
    body.row_start(true);
    for (width, label) in ANNEX_COLUMNS.iter().zip(ANNEX_HEADERS) {
        body.cell(*width, Merge::None, Para::centered(), &[(label, small.bold())]);
    }
    body.row_end();
    for (i, row) in kind.rows.iter().enumerate() {
        body.row_start(false);
        let number = (i + 1).to_string();
        let rank = row.rank.map(|r| r.to_string()).unwrap_or_default();
        let index = row.index.map_or_else(|| "–".to_string(), IndexValue::vn);
        let cells: [(&str, Para); 7] = [
            (&number, Para::centered()),
            (&row.agency, Para::left()),
            (&row.points.vn(), Para::centered()),
            (&row.max.vn(), Para::centered()),
            (&index, Para::centered()),
            (&rank, Para::centered()),
            (&upper_first(&row.band), Para::centered()),
        ];
        for (width, (text, para)) in ANNEX_COLUMNS.iter().zip(cells) {
            body.cell(*width, Merge::None, para, &[(text, small)]);
        }
        body.row_end();
    }
    body.table_end();
    body.p(Para::body(), &[(&format!("Ghi chú: {INDEX_RULE}"), Font::size(TABLE).italic())]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_leaves_room_for_number_and_date() {
        let blank = decision_reference("UBND tỉnh Sơn La", &DecisionOptions::default());
        assert_eq!(
            blank,
            "(Kèm theo Quyết định số        /QĐ-UBND ngày      tháng      năm       của UBND tỉnh Sơn La)"
        );
        let options = DecisionOptions { number: " 123 ".into(), date: Date::from_ymd(2025, 2, 5) };
        assert_eq!(
            decision_reference(" UBND tỉnh  Sơn La ", &options),
            "(Kèm theo Quyết định số 123/QĐ-UBND ngày 05 tháng 02 năm 2025 của UBND tỉnh Sơn La)"
        );
        assert!(decision_reference("", &options).ends_with("của UBND tỉnh)"));
    }

    #[test]
    fn titles_name_the_group() {
        assert_eq!(
            ranking_title(2024, AgencyKind::District),
            "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2024 CỦA UBND CÁC HUYỆN, THÀNH PHỐ"
        );
        assert_eq!(group_title(AgencyKind::Commune), "UBND CÁC XÃ, PHƯỜNG");
        assert_eq!(draft_notes(false, true), "");
        assert_eq!(draft_notes(true, false), format!("{PROVISIONAL_NOTE} {TEMPLATE_NOTE}"));
    }
}
