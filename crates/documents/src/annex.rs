//! The Excel annex of the consolidated report (XLSX): the full data behind the Word document.
//!
//! Three sheets, each with a title, bold frozen headers, column widths and an autofilter:
//! - «Chỉ tiêu»: every indicator × level with Σ numerator, Σ denominator, value, target and
//!   attainment;
//! - «Theo cơ quan»: each agency's reported numerator and denominator per indicator;
//! - «Tình hình báo cáo»: completeness per agency group, then the agencies that reported late or
//!   not at all.
//!
//! Numbers are written as numbers (not text), so the annex can be sorted, filtered and summed.

use cchc_domain::reporting::ConsolidatedReport;
use cchc_domain::AdminLevel;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

/// Media type of an XLSX file.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Sheet names, in order.
pub const SHEETS: [&str; 3] = ["Chỉ tiêu", "Theo cơ quan", "Tình hình báo cáo"];

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
    indicator_sheet(workbook.add_worksheet(), report, &formats)?;
    agency_sheet(workbook.add_worksheet(), report, &formats)?;
    completeness_sheet(workbook.add_worksheet(), report, &formats)?;
    Ok(workbook.save_to_buffer()?)
}

struct Formats {
    title: Format,
    note: Format,
    heading: Format,
    text: Format,
    wrapped: Format,
    center: Format,
    count: Format,
    percent: Format,
}

impl Formats {
    fn new() -> Formats {
        let cell = Format::new().set_border(FormatBorder::Thin).set_align(FormatAlign::VerticalCenter);
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            note: Format::new().set_italic(),
            heading: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_border(FormatBorder::Thin)
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            text: cell.clone(),
            wrapped: cell.clone().set_text_wrap(),
            center: cell.clone().set_align(FormatAlign::Center),
            count: cell.clone().set_num_format("#,##0"),
            percent: cell.set_num_format("0.0"),
        }
    }
}

/// Title lines, the header row (frozen, filtered) and column widths; returns the first data row.
fn sheet_start(
    sheet: &mut Worksheet,
    name: &str,
    title: &str,
    note: &str,
    columns: &[(&str, f64)],
    formats: &Formats,
) -> Result<u32, XlsxError> {
    sheet.set_name(name)?;
    sheet.set_paper_size(9); // A4
    sheet.write_string_with_format(0, 0, title, &formats.title)?;
    sheet.write_string_with_format(1, 0, note, &formats.note)?;
    for (col, (label, width)) in columns.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(3, col, *label, &formats.heading)?;
        sheet.set_column_width(col, *width)?;
    }
    sheet.set_row_height(3, 32)?;
    sheet.set_freeze_panes(4, 0)?;
    Ok(4)
}

fn window(report: &ConsolidatedReport) -> String {
    format!(
        "{} — thời gian chốt số liệu: từ ngày {} đến ngày {}",
        report.period.name,
        report.period.data_from.vn(),
        report.period.data_to.vn()
    )
}

fn level_label(level: Option<AdminLevel>, whole: &'static str) -> &'static str {
    match level {
        None => whole,
        Some(AdminLevel::Tinh) => "Cấp tỉnh",
        Some(AdminLevel::Huyen) => "Cấp huyện",
        Some(AdminLevel::Xa) => "Cấp xã",
    }
}

fn number_or_blank(
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

fn indicator_sheet(sheet: &mut Worksheet, report: &ConsolidatedReport, f: &Formats) -> Result<(), XlsxError> {
    const COLUMNS: [(&str, f64); 11] = [
        ("STT", 6.0),
        ("Mã chỉ tiêu", 11.0),
        ("Chỉ tiêu", 60.0),
        ("Lĩnh vực", 9.0),
        ("Cấp", 12.0),
        ("Tử số", 12.0),
        ("Mẫu số", 12.0),
        ("Kết quả (%)", 11.0),
        ("Chỉ tiêu kế hoạch", 16.0),
        ("Đánh giá", 16.0),
        ("Số cơ quan báo cáo", 12.0),
    ];
    let title = format!("Phụ lục: Kết quả các chỉ tiêu — {}", report.title.trim());
    let mut row = sheet_start(sheet, SHEETS[0], &title, &window(report), &COLUMNS, f)?;
    let first = row;
    for (i, indicator) in report.indicators.iter().enumerate() {
        for level in &indicator.levels {
            sheet.write_number_with_format(row, 0, (i + 1) as f64, &f.center)?;
            sheet.write_string_with_format(row, 1, indicator.code.as_str(), &f.text)?;
            sheet.write_string_with_format(row, 2, &indicator.name, &f.wrapped)?;
            sheet.write_string_with_format(row, 3, indicator.area.as_str(), &f.center)?;
            sheet.write_string_with_format(row, 4, level_label(level.level, "Toàn tỉnh"), &f.text)?;
            sheet.write_number_with_format(row, 5, level.numerator, &f.count)?;
            sheet.write_number_with_format(row, 6, level.denominator, &f.count)?;
            number_or_blank(sheet, row, 7, level.value, &f.percent)?;
            sheet.write_string_with_format(row, 8, level.target.as_deref().unwrap_or(""), &f.center)?;
            sheet.write_string_with_format(row, 9, level.attainment.label_vn(), &f.center)?;
            sheet.write_number_with_format(row, 10, level.reporting_agencies as f64, &f.count)?;
            row += 1;
        }
    }
    sheet.autofilter(first - 1, 0, row.max(first) - 1, (COLUMNS.len() - 1) as u16)?;
    Ok(())
}

fn agency_sheet(sheet: &mut Worksheet, report: &ConsolidatedReport, f: &Formats) -> Result<(), XlsxError> {
    const COLUMNS: [(&str, f64); 8] = [
        ("STT", 6.0),
        ("Cơ quan, đơn vị", 40.0),
        ("Cấp", 12.0),
        ("Mã chỉ tiêu", 11.0),
        ("Chỉ tiêu", 50.0),
        ("Tử số", 12.0),
        ("Mẫu số", 12.0),
        ("Tỷ lệ (%)", 11.0),
    ];
    let title = format!("Phụ lục: Số liệu của từng cơ quan, đơn vị — {}", report.title.trim());
    let mut row = sheet_start(sheet, SHEETS[1], &title, &window(report), &COLUMNS, f)?;
    let first = row;
    for (i, (agency, level, code, numerator, denominator)) in report.agency_values.iter().enumerate() {
        let name = report.indicators.iter().find(|r| &r.code == code).map_or("", |r| r.name.as_str());
        let ratio = (*denominator > 0.0).then(|| numerator * 100.0 / denominator);
        sheet.write_number_with_format(row, 0, (i + 1) as f64, &f.center)?;
        sheet.write_string_with_format(row, 1, agency, &f.text)?;
        sheet.write_string_with_format(row, 2, level_label(*level, ""), &f.text)?;
        sheet.write_string_with_format(row, 3, code.as_str(), &f.text)?;
        sheet.write_string_with_format(row, 4, name, &f.wrapped)?;
        sheet.write_number_with_format(row, 5, *numerator, &f.count)?;
        sheet.write_number_with_format(row, 6, *denominator, &f.count)?;
        number_or_blank(sheet, row, 7, ratio, &f.percent)?;
        row += 1;
    }
    sheet.autofilter(first - 1, 0, row.max(first) - 1, (COLUMNS.len() - 1) as u16)?;
    Ok(())
}

fn completeness_sheet(sheet: &mut Worksheet, report: &ConsolidatedReport, f: &Formats) -> Result<(), XlsxError> {
    const COLUMNS: [(&str, f64); 9] = [
        ("Nhóm cơ quan, đơn vị", 40.0),
        ("Phải báo cáo", 20.0),
        ("Đã gửi", 12.0),
        ("Tỷ lệ đã gửi (%)", 12.0),
        ("Đúng hạn", 12.0),
        ("Tỷ lệ đúng hạn (%)", 12.0),
        ("Trễ hạn", 12.0),
        ("Chưa gửi", 12.0),
        ("Tỷ lệ chưa gửi (%)", 12.0),
    ];
    let title = format!("Phụ lục: Tình hình báo cáo của các cơ quan, đơn vị — {}", report.title.trim());
    let mut row = sheet_start(sheet, SHEETS[2], &title, &window(report), &COLUMNS, f)?;
    let share = |part: usize, whole: usize| (whole > 0).then(|| part as f64 * 100.0 / whole as f64);
    for group in &report.completeness {
        let c = &group.completeness;
        sheet.write_string_with_format(row, 0, &group.label, &f.text)?;
        sheet.write_number_with_format(row, 1, c.expected as f64, &f.count)?;
        sheet.write_number_with_format(row, 2, c.submitted as f64, &f.count)?;
        number_or_blank(sheet, row, 3, share(c.submitted, c.expected), &f.percent)?;
        sheet.write_number_with_format(row, 4, c.on_time as f64, &f.count)?;
        number_or_blank(sheet, row, 5, share(c.on_time, c.expected), &f.percent)?;
        sheet.write_number_with_format(row, 6, c.late.len() as f64, &f.count)?;
        sheet.write_number_with_format(row, 7, c.missing.len() as f64, &f.count)?;
        number_or_blank(sheet, row, 8, share(c.missing.len(), c.expected), &f.percent)?;
        row += 1;
    }

    // The agencies to follow up: late first, then missing.
    row += 1;
    sheet.write_string_with_format(row, 0, "Danh sách cơ quan, đơn vị gửi báo cáo trễ hạn hoặc chưa gửi", &f.title)?;
    row += 1;
    for (col, label) in ["Cơ quan, đơn vị", "Tình trạng"].into_iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, label, &f.heading)?;
    }
    row += 1;
    let late = report.late_agencies.iter().map(|n| (n, "Gửi báo cáo trễ hạn"));
    let missing = report.missing_agencies.iter().map(|n| (n, "Chưa gửi báo cáo"));
    for (name, status) in late.chain(missing) {
        sheet.write_string_with_format(row, 0, name, &f.text)?;
        sheet.write_string_with_format(row, 1, status, &f.text)?;
        row += 1;
    }
    if report.late_agencies.is_empty() && report.missing_agencies.is_empty() {
        sheet.write_string_with_format(row, 0, "Tất cả các cơ quan, đơn vị đã gửi báo cáo đúng hạn.", &f.note)?;
    }
    Ok(())
}
