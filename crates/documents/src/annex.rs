//! The Excel annex of the consolidated report (XLSX): the full data behind the Word document.
//!
//! Four sheets, each an appendix of the report with its heading ("Phụ lục I", its title and
//! "(Kèm theo Báo cáo số 123/BC-SNV ngày 20/06/2024 của Sở Nội vụ)"), bold frozen headers repeated
//! on every printed page, column widths and an autofilter:
//! - «Chỉ tiêu»: every indicator × level as in the DOCX, with Σ numerator, Σ denominator, the
//!   value (rounded once by [`Percent1`]), target, assessment, how a range target was read, and
//!   how many agencies reported or answered «không áp dụng»;
//! - «Theo cơ quan»: each agency's numerator, denominator and ratio per indicator, or «không áp
//!   dụng» with the reason;
//! - «Thuyết minh»: every agency's narrative of every area, in full;
//! - «Tình hình báo cáo»: submission per agency group, then the agencies that did not submit,
//!   were returned or were late, with their kind.
//!
//! Times New Roman everywhere, A4 landscape, fitted to one page wide. Numbers are written as
//! numbers (not text), so the annex can be sorted, filtered and summed.

use cchc_domain::number::Percent1;
use cchc_domain::reporting::{level_label, ConsolidatedReport, Ratio};
use cchc_domain::AreaCode;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::docx::{area_name, body_name, number_suffix};

/// Media type of an XLSX file.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Sheet names, in order.
pub const SHEETS: [&str; 4] = ["Chỉ tiêu", "Theo cơ quan", "Thuyết minh", "Tình hình báo cáo"];

/// The appendices the sheets hold (number, title), in the order of [`SHEETS`]; the DOCX refers to
/// them by number.
pub const APPENDICES: [(&str, &str); 4] = [
    ("Phụ lục I", "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU"),
    ("Phụ lục II", "SỐ LIỆU CHỈ TIÊU CỦA TỪNG CƠ QUAN, ĐƠN VỊ"),
    ("Phụ lục III", "THUYẾT MINH KẾT QUẢ CỦA CÁC CƠ QUAN, ĐƠN VỊ"),
    ("Phụ lục IV", "TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ"),
];

pub(crate) const FONT: &str = "Times New Roman";
/// Type size of the cells (points).
const SIZE: f64 = 12.0;
/// The header row of every sheet (0-based), repeated on every printed page.
const HEADER_ROW: u32 = 5;

/// Why the annex could not be written.
#[derive(Debug, thiserror::Error)]
pub enum AnnexError {
    #[error("không tạo được phụ lục XLSX: {0}")]
    Xlsx(#[from] XlsxError),
}

/// The annex of the consolidated report as an XLSX file.
pub fn consolidated_annex_xlsx(report: &ConsolidatedReport) -> Result<Vec<u8>, AnnexError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    // Times New Roman 12 is the default (Normal) style too: 21 px rows, 72 px columns.
    workbook.set_default_format(&formats.base, 21, 72)?;
    indicator_sheet(workbook.add_worksheet(), report, &formats)?;
    agency_sheet(workbook.add_worksheet(), report, &formats)?;
    narrative_sheet(workbook.add_worksheet(), report, &formats)?;
    completeness_sheet(workbook.add_worksheet(), report, &formats)?;
    Ok(workbook.save_to_buffer()?)
}

pub(crate) struct Formats {
    pub(crate) base: Format,
    pub(crate) appendix: Format,
    pub(crate) title: Format,
    pub(crate) reference: Format,
    pub(crate) note: Format,
    pub(crate) heading: Format,
    pub(crate) text: Format,
    pub(crate) wrapped: Format,
    pub(crate) long_text: Format,
    pub(crate) center: Format,
    pub(crate) count: Format,
    pub(crate) percent: Format,
    pub(crate) total: Format,
    pub(crate) total_count: Format,
    pub(crate) total_percent: Format,
}

impl Formats {
    pub(crate) fn new() -> Formats {
        let base = Format::new().set_font_name(FONT).set_font_size(SIZE);
        let cell = base.clone().set_border(FormatBorder::Thin).set_align(FormatAlign::VerticalCenter);
        let centered = base.clone().set_align(FormatAlign::Center).set_align(FormatAlign::VerticalCenter);
        Formats {
            appendix: centered.clone().set_bold(),
            title: centered.clone().set_bold().set_text_wrap(),
            reference: centered.clone().set_italic().set_text_wrap(),
            note: base.clone().set_italic(),
            heading: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_align(FormatAlign::Center),
            text: cell.clone().set_text_wrap(),
            wrapped: cell.clone().set_text_wrap(),
            long_text: base
                .clone()
                .set_border(FormatBorder::Thin)
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_align(FormatAlign::Left),
            center: cell.clone().set_align(FormatAlign::Center).set_text_wrap(),
            count: cell.clone().set_num_format("#,##0"),
            percent: cell.clone().set_num_format("0.0"),
            total: cell.clone().set_bold(),
            total_count: cell.clone().set_bold().set_num_format("#,##0"),
            total_percent: cell.set_bold().set_num_format("0.0"),
            base,
        }
    }
}

/// "(Kèm theo Báo cáo số 123/BC-SNV ngày 20/06/2024 của Sở Nội vụ)", the number left blank
/// ("Báo cáo số     /BC-SNV") until the report is numbered.
pub fn reference_line(report: &ConsolidatedReport) -> String {
    let number = report.settings.number.trim();
    let number = if number.is_empty() { "    " } else { number };
    format!(
        "(Kèm theo Báo cáo số {number}/{} ngày {} của {})",
        number_suffix(&report.issuing_body),
        report.date.vn(),
        body_name(&report.issuing_body)
    )
}

fn window(report: &ConsolidatedReport) -> String {
    format!(
        "{} — thời gian chốt số liệu: từ ngày {} đến ngày {}",
        report.period.name.trim(),
        report.period.data_from.vn(),
        report.period.data_to.vn()
    )
}

/// The appendix heading, the header row (frozen, repeated on every printed page), column widths
/// and the page setup; returns the first data row.
fn sheet_start(
    sheet: &mut Worksheet,
    index: usize,
    report: &ConsolidatedReport,
    columns: &[(&str, f64)],
    formats: &Formats,
) -> Result<u32, XlsxError> {
    let last = (columns.len() - 1) as u16;
    let (appendix, title) = APPENDICES[index];
    sheet.set_name(SHEETS[index])?;
    sheet.merge_range(0, 0, 0, last, appendix, &formats.appendix)?;
    sheet.merge_range(1, 0, 1, last, title, &formats.title)?;
    sheet.merge_range(2, 0, 2, last, &reference_line(report), &formats.reference)?;
    sheet.merge_range(3, 0, 3, last, &window(report), &formats.reference)?;
    for (col, (label, width)) in columns.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(HEADER_ROW, col, *label, &formats.heading)?;
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
    sheet.set_footer(format!("&C&\"{FONT},Regular\"&10{appendix} - Trang &P/&N"));
    Ok(HEADER_ROW + 1)
}

pub(crate) fn number_or_blank(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: Option<f64>,
    format: &Format,
) -> Result<(), XlsxError> {
    match value.filter(|v| v.is_finite()) {
        Some(v) => sheet.write_number_with_format(row, col, v, format)?,
        None => sheet.write_blank(row, col, format)?,
    };
    Ok(())
}

/// The value as the report prints it, as a number: 56.3 (rounded once by [`Percent1`]).
fn rounded(value: Option<Percent1>) -> Option<f64> {
    value.map(Percent1::value)
}

fn filter(sheet: &mut Worksheet, first: u32, row: u32, columns: usize) -> Result<(), XlsxError> {
    sheet.autofilter(first - 1, 0, row.max(first) - 1, (columns - 1) as u16)?;
    Ok(())
}

fn indicator_sheet(sheet: &mut Worksheet, report: &ConsolidatedReport, f: &Formats) -> Result<(), XlsxError> {
    const COLUMNS: [(&str, f64); 13] = [
        ("STT", 5.0),
        ("Mã chỉ tiêu", 9.0),
        ("Chỉ tiêu", 42.0),
        ("Lĩnh vực", 8.0),
        ("Cấp", 11.0),
        ("Σ tử số", 12.0),
        ("Σ mẫu số", 12.0),
        ("Kết quả (%)", 9.0),
        ("Chỉ tiêu kế hoạch", 11.0),
        ("Đánh giá", 15.0),
        ("Cách đánh giá", 36.0),
        ("Số cơ quan báo cáo", 10.0),
        ("Số cơ quan không áp dụng", 11.0),
    ];
    let mut row = sheet_start(sheet, 0, report, &COLUMNS, f)?;
    let first = row;
    for (i, indicator) in report.indicators.iter().enumerate() {
        for level in &indicator.levels {
            sheet.write_number_with_format(row, 0, (i + 1) as f64, &f.center)?;
            sheet.write_string_with_format(row, 1, indicator.code.as_str(), &f.text)?;
            sheet.write_string_with_format(row, 2, &indicator.name, &f.wrapped)?;
            sheet.write_string_with_format(row, 3, indicator.area.as_str(), &f.center)?;
            sheet.write_string_with_format(row, 4, capitalised(level_label(level.level)), &f.text)?;
            sheet.write_number_with_format(row, 5, level.numerator, &f.count)?;
            sheet.write_number_with_format(row, 6, level.denominator, &f.count)?;
            number_or_blank(sheet, row, 7, rounded(level.value), &f.percent)?;
            let target = level
                .target
                .clone()
                .or_else(|| level.threshold.as_ref().map(|t| t.text(&indicator.unit)))
                .unwrap_or_default();
            sheet.write_string_with_format(row, 8, &target, &f.center)?;
            sheet.write_string_with_format(row, 9, level.assessment.label_vn(), &f.center)?;
            let reading = level.reading(&indicator.unit);
            sheet.write_string_with_format(row, 10, &reading, &f.wrapped)?;
            sheet.write_number_with_format(row, 11, level.reporting_agencies as f64, &f.count)?;
            sheet.write_number_with_format(row, 12, level.not_applicable as f64, &f.count)?;
            fit_row(
                sheet,
                row,
                &[(&indicator.name, COLUMNS[2].1), (&reading, COLUMNS[10].1), (&target, COLUMNS[8].1)],
            )?;
            row += 1;
        }
    }
    filter(sheet, first, row, COLUMNS.len())
}

fn agency_sheet(sheet: &mut Worksheet, report: &ConsolidatedReport, f: &Formats) -> Result<(), XlsxError> {
    const COLUMNS: [(&str, f64); 9] = [
        ("STT", 5.0),
        ("Cơ quan, đơn vị", 32.0),
        ("Cấp", 11.0),
        ("Mã chỉ tiêu", 9.0),
        ("Chỉ tiêu", 42.0),
        ("Tử số", 12.0),
        ("Mẫu số", 12.0),
        ("Tỷ lệ (%)", 14.0),
        ("Lý do không áp dụng", 36.0),
    ];
    let mut row = sheet_start(sheet, 1, report, &COLUMNS, f)?;
    let first = row;
    for (i, value) in report.agency_values.iter().enumerate() {
        let name = report.indicators.iter().find(|r| r.code == value.code).map_or("", |r| r.name.as_str());
        sheet.write_number_with_format(row, 0, (i + 1) as f64, &f.center)?;
        sheet.write_string_with_format(row, 1, &value.agency, &f.text)?;
        let level = value.level.map_or_else(String::new, |l| capitalised(l.label_vn()));
        sheet.write_string_with_format(row, 2, &level, &f.text)?;
        sheet.write_string_with_format(row, 3, value.code.as_str(), &f.text)?;
        sheet.write_string_with_format(row, 4, name, &f.wrapped)?;
        match value.ratio {
            Some(Ratio { numerator, denominator }) => {
                sheet.write_number_with_format(row, 5, numerator, &f.count)?;
                sheet.write_number_with_format(row, 6, denominator, &f.count)?;
                let ratio = Ratio { numerator, denominator };
                number_or_blank(sheet, row, 7, rounded(ratio.rounded()), &f.percent)?;
                sheet.write_blank(row, 8, &f.wrapped)?;
            }
            None => {
                sheet.write_blank(row, 5, &f.count)?;
                sheet.write_blank(row, 6, &f.count)?;
                sheet.write_string_with_format(row, 7, "Không áp dụng", &f.center)?;
                sheet.write_string_with_format(row, 8, value.not_applicable.as_deref().unwrap_or(""), &f.wrapped)?;
            }
        }
        let reason = value.not_applicable.as_deref().unwrap_or("");
        fit_row(sheet, row, &[(&value.agency, COLUMNS[1].1), (name, COLUMNS[4].1), (reason, COLUMNS[8].1)])?;
        row += 1;
    }
    filter(sheet, first, row, COLUMNS.len())
}

/// Width of the narrative column, in characters.
const NARRATIVE_WIDTH: f64 = 95.0;

fn narrative_sheet(sheet: &mut Worksheet, report: &ConsolidatedReport, f: &Formats) -> Result<(), XlsxError> {
    const COLUMNS: [(&str, f64); 4] =
        [("STT", 5.0), ("Cơ quan, đơn vị", 28.0), ("Lĩnh vực", 28.0), ("Nội dung thuyết minh", NARRATIVE_WIDTH)];
    let mut row = sheet_start(sheet, 2, report, &COLUMNS, f)?;
    let first = row;
    for (i, narrative) in report.narratives.iter().enumerate() {
        let text = narrative.text.replace("\r\n", "\n").replace('\r', "\n");
        let text = text.trim();
        sheet.write_number_with_format(row, 0, (i + 1) as f64, &f.center)?;
        sheet.write_string_with_format(row, 1, &narrative.agency, &f.long_text)?;
        sheet.write_string_with_format(row, 2, area_label(report, narrative.area), &f.long_text)?;
        sheet.write_string_with_format(row, 3, text, &f.long_text)?;
        let area = area_label(report, narrative.area);
        fit_row(sheet, row, &[(&narrative.agency, COLUMNS[1].1), (&area, COLUMNS[2].1), (text, NARRATIVE_WIDTH)])?;
        row += 1;
    }
    if report.narratives.is_empty() {
        sheet.merge_range(row, 0, row, 3, "Không có cơ quan, đơn vị nào gửi thuyết minh.", &f.note)?;
        return Ok(());
    }
    filter(sheet, first, row, COLUMNS.len())
}

/// "I. Công tác chỉ đạo, điều hành cải cách hành chính".
fn area_label(report: &ConsolidatedReport, code: AreaCode) -> String {
    let title = report.areas.iter().find(|a| a.code == code).map_or("", |a| a.title.as_str());
    format!("{code}. {}", area_name(code, title))
}

/// Sets the height of a row so that its wrapped cells show in full (neither Excel nor LibreOffice
/// grows rows by itself when opening a file): the most lines any cell needs, a line per about
/// `width` characters of each paragraph (Times New Roman 12 runs a little narrower than the digit
/// the width is measured in), 16 pt a line, at most Excel's 409 pt.
pub(crate) fn fit_row(sheet: &mut Worksheet, row: u32, cells: &[(&str, f64)]) -> Result<(), XlsxError> {
    let lines = cells
        .iter()
        .map(|(text, width)| {
            let per_line = (width * 1.1 - 1.0).max(1.0);
            text.split('\n').map(|p| (p.chars().count() as f64 / per_line).ceil().max(1.0) as usize).sum::<usize>()
        })
        .max()
        .unwrap_or(1);
    if lines > 1 {
        sheet.set_row_height(row, (lines as f64 * 16.0 + 4.0).min(409.0))?;
    }
    Ok(())
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn completeness_sheet(sheet: &mut Worksheet, report: &ConsolidatedReport, f: &Formats) -> Result<(), XlsxError> {
    const COLUMNS: [(&str, f64); 9] = [
        ("Nhóm cơ quan, đơn vị", 34.0),
        ("Phải báo cáo", 10.0),
        ("Đã gửi", 10.0),
        ("Đúng hạn", 10.0),
        ("Trễ hạn", 10.0),
        ("Bị trả lại (chờ gửi lại)", 12.0),
        ("Chưa gửi", 10.0),
        ("Tỷ lệ đã gửi (%)", 11.0),
        ("Tỷ lệ đúng hạn (%)", 11.0),
    ];
    let mut row = sheet_start(sheet, 3, report, &COLUMNS, f)?;
    let share = |part: usize, whole: usize| (whole > 0).then(|| Percent1::share(part, whole).value());
    let groups = report.completeness.iter().map(|g| (g.label.as_str(), &g.completeness, false));
    for (label, c, total) in groups.chain([("Tổng cộng", &report.overall, true)]) {
        let (text, count, percent) =
            if total { (&f.total, &f.total_count, &f.total_percent) } else { (&f.text, &f.count, &f.percent) };
        sheet.write_string_with_format(row, 0, label, text)?;
        let counts =
            [c.expected, c.submitted(), c.on_time.len(), c.late.len(), c.returned.len(), c.not_submitted.len()];
        for (col, n) in counts.into_iter().enumerate() {
            sheet.write_number_with_format(row, col as u16 + 1, n as f64, count)?;
        }
        number_or_blank(sheet, row, 7, share(c.submitted(), c.expected), percent)?;
        number_or_blank(sheet, row, 8, share(c.on_time.len(), c.expected), percent)?;
        fit_row(sheet, row, &[(label, COLUMNS[0].1)])?;
        row += 1;
    }

    // The agencies to follow up: not submitted, returned, late.
    row += 1;
    sheet.merge_range(
        row,
        0,
        row,
        8,
        "Danh sách cơ quan, đơn vị chưa gửi báo cáo, có báo cáo bị trả lại hoặc gửi trễ hạn",
        &f.appendix,
    )?;
    row += 1;
    sheet.write_string_with_format(row, 0, "Cơ quan, đơn vị", &f.heading)?;
    sheet.merge_range(row, 1, row, 4, "Loại cơ quan, đơn vị", &f.heading)?;
    sheet.merge_range(row, 5, row, 8, "Tình trạng", &f.heading)?;
    row += 1;
    let lists = [
        (&report.not_submitted, "Chưa gửi báo cáo"),
        (&report.returned, "Bị trả lại, chờ gửi lại"),
        (&report.late, "Gửi báo cáo trễ hạn"),
    ];
    for (lines, status) in lists {
        for line in lines {
            sheet.write_string_with_format(row, 0, &line.name, &f.text)?;
            sheet.merge_range(row, 1, row, 4, line.kind.label_vn(), &f.text)?;
            sheet.merge_range(row, 5, row, 8, status, &f.text)?;
            fit_row(sheet, row, &[(&line.name, COLUMNS[0].1)])?;
            row += 1;
        }
    }
    if report.late.is_empty() && report.not_submitted.is_empty() && report.returned.is_empty() {
        sheet.merge_range(row, 0, row, 8, "Tất cả các cơ quan, đơn vị đã gửi báo cáo đúng hạn.", &f.note)?;
    }
    Ok(())
}
