//! The periodic report form of one agency for one period, as an Excel workbook (and a CSV
//! variant) that officers download, fill offline and upload again.
//!
//! # Workbook layout
//!
//! - «Chỉ tiêu» (visible, first): title rows 1–9 (agency, period, data window, the deadline that
//!   applies, the report's status and why it was returned), the table header on row 11
//!   ([`HEADER_ROW`]) and one row per indicator from row 12 ([`FIRST_VALUE_ROW`]), in the order of
//!   [`ReportForm::indicators`]. Columns: A mã chỉ tiêu, B tên, C tử số (định nghĩa), D mẫu số
//!   (định nghĩa), **E tử số**, **F mẫu số**, **G không áp dụng — lý do**, H tỷ lệ (%) (an Excel
//!   formula for the user's convenience, never read back), I chỉ tiêu kế hoạch of the agency's
//!   level, J the agency's answers of the earlier periods of the year.
//! - «Hoạt động»: the agency's milestones and their status at the data cut-off (read only).
//! - «Thuyết minh»: one row per reform area from row 5: A code, B title, **C narrative**.
//! - «_cchc» (very hidden): the form's identity as key (column A) / value (column B) rows:
//!   `format`, `plan`, `agency`, `agency_name`, `period`, one `indicator` row per indicator in
//!   table order, and `checksum` = [`identity_checksum`] of those.
//!
//! Every sheet is protected (no password: the protection guides people, it is not a security
//! boundary). Only the value cells (bold above) are unlocked; they carry data validation.
//!
//! # Reading back
//!
//! [`read_form`] trusts nothing in the file. It rejects, with a Vietnamese [`FormError`], a file
//! that is too large, not an XLSX, unusually packed (zip bombs), not one of our forms, tampered
//! with, meant for another agency, period or plan, whose indicator rows were changed, or that has
//! formulas in value cells (formulas are never evaluated). Cell values that are not non-negative
//! whole numbers become error [`Diagnostic`]s naming the cell («Chỉ tiêu!E12»; `line` is the
//! Excel row): nothing is guessed, and callers refuse the whole upload when there is one. The
//! result says which reform areas the file carries narratives for ([`FormReading`]), so that a
//! file without them never erases what was saved. Domain validation (every indicator answered,
//! numerator ≤ denominator, rules, text limits) is the services' job, on the returned content.
//!
//! # CSV
//!
//! The CSV variant carries the same content: identity lines, then one row per indicator
//! (`ma,ten,tu_so,mau_so,khong_ap_dung,thuyet_minh`, the reason of «không áp dụng» in
//! `khong_ap_dung`) and one row per reform area (its code in `ma`, the narrative in
//! `thuyet_minh`, quoted over several lines where needed). It is read with the `csv` crate.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{Cursor, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{Data, Reader, Xlsx};
use cchc_domain::reporting::{Indicator, IndicatorCode, Part, ReportContent, ReportForm, MAX_NARRATIVE_CHARS};
use cchc_domain::text::normalize_document;
use cchc_domain::{AdminLevel, AreaCode, Diagnostic, PeriodId};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Formula, ProtectionOptions, Workbook, Worksheet, XlsxError,
};
use sha2::{Digest, Sha256};

/// Largest XLSX form accepted, checked before anything is parsed.
pub const MAX_FORM_BYTES: usize = 5 * 1024 * 1024;
/// Largest CSV form accepted (eight narratives of 30,000 characters fit well within it).
pub const MAX_CSV_BYTES: usize = 2 * 1024 * 1024;
/// Largest total size of the parts once unpacked (a real form is well under 1 MB).
pub const MAX_UNPACKED_BYTES: u64 = 32 * 1024 * 1024;
/// Most parts (files) inside the XLSX package.
const MAX_PARTS: usize = 1_000;
/// Most cells read from one sheet.
const MAX_CELLS: usize = 200_000;
/// Largest count accepted in a value cell.
pub use cchc_domain::reporting::MAX_COUNT;

/// Version of the workbook layout, stored in «_cchc».
pub const FORMAT_VERSION: &str = "cchc-bieu-mau/2";

pub const SHEET_INDICATORS: &str = "Chỉ tiêu";
pub const SHEET_ACTIVITIES: &str = "Hoạt động";
pub const SHEET_NARRATIVES: &str = "Thuyết minh";
pub const SHEET_IDENTITY: &str = "_cchc";

/// 0-based row of the table header on «Chỉ tiêu» (Excel row 11).
pub const HEADER_ROW: u32 = 10;
/// 0-based row of the first indicator on «Chỉ tiêu» (Excel row 12).
pub const FIRST_VALUE_ROW: u32 = 11;
/// 0-based column of the numerator values (E).
pub const NUMERATOR_COL: u16 = 4;
/// 0-based column of the denominator values (F).
pub const DENOMINATOR_COL: u16 = 5;
/// 0-based column of the «không áp dụng» reasons (G).
pub const NOT_APPLICABLE_COL: u16 = 6;
/// 0-based row of the narratives header on «Thuyết minh» (Excel row 4).
pub const NARRATIVE_HEADER_ROW: u32 = 3;
/// 0-based row of the first reform area on «Thuyết minh» (Excel row 5).
pub const FIRST_NARRATIVE_ROW: u32 = 4;
/// 0-based column of the narratives (C).
pub const NARRATIVE_COL: u16 = 2;

/// Column headers of the CSV variant.
pub const CSV_HEADER: [&str; 6] = ["ma", "ten", "tu_so", "mau_so", "khong_ap_dung", "thuyet_minh"];
/// The header of the first CSV layout (values only), refused with a clear message.
const CSV_HEADER_V1: [&str; 3] = ["ma_chi_tieu", "tu_so", "mau_so"];

/// Which kind of form a file is (for messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Xlsx,
    Csv,
}

impl FormKind {
    /// The largest file of this kind.
    pub fn max_bytes(self) -> usize {
        match self {
            FormKind::Xlsx => MAX_FORM_BYTES,
            FormKind::Csv => MAX_CSV_BYTES,
        }
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            FormKind::Xlsx => "biểu mẫu Excel (.xlsx)",
            FormKind::Csv => "biểu mẫu CSV",
        }
    }
}

/// What reading a filled form found: its content, the reform areas it carries narratives for
/// (an area not carried keeps what was saved), and the problems of its cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FormReading {
    pub content: ReportContent,
    pub narrative_areas: BTreeSet<AreaCode>,
    /// Errors (refuse the upload) and warnings, each naming its cell or line.
    pub diagnostics: Vec<Diagnostic>,
}

impl FormReading {
    /// Whether a cell was refused: the upload must then change nothing.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == cchc_domain::Severity::Error)
    }
}

/// Why a form was refused. Messages are Vietnamese: officers read them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("Tệp quá lớn ({}); {} tối đa {}.", human_size(.size), .kind.label_vn(), human_size(&.kind.max_bytes()))]
    TooLarge { size: usize, kind: FormKind },
    #[error("Tệp vượt quá dung lượng tối đa của {} ({}).", .0.label_vn(), human_size(&.0.max_bytes()))]
    OverLimit(FormKind),
    #[error("Tệp không phải là tệp Excel .xlsx. Hãy tải biểu mẫu từ hệ thống, điền số liệu và lưu dưới dạng .xlsx.")]
    NotXlsx,
    #[error(
        "Tệp là định dạng Excel 97–2003 (.xls) hoặc đã được đặt mật khẩu. Hãy lưu lại dưới dạng .xlsx (Excel Workbook), không đặt mật khẩu."
    )]
    LegacyOrEncrypted,
    #[error("Tệp có cấu trúc bất thường ({0}); hệ thống không đọc tệp này. Hãy tải lại biểu mẫu từ hệ thống.")]
    Suspicious(String),
    #[error("Không đọc được tệp Excel ({0}). Tệp có thể bị hỏng; hãy tải lại biểu mẫu từ hệ thống.")]
    Unreadable(String),
    #[error("Không tìm thấy trang «{0}»: tệp không phải là biểu mẫu báo cáo do hệ thống tạo ra.")]
    MissingSheet(String),
    #[error("Trang «_cchc» thiếu thông tin «{0}»: tệp không phải là biểu mẫu do hệ thống tạo ra hoặc đã bị sửa.")]
    MissingIdentity(String),
    #[error("Biểu mẫu thuộc phiên bản «{found}», hệ thống cần phiên bản «{expected}». Hãy tải biểu mẫu mới.")]
    WrongVersion { found: String, expected: String },
    #[error(
        "Thông tin định danh của biểu mẫu đã bị sửa (mã kiểm tra không khớp). Hãy tải biểu mẫu mới và điền lại số liệu."
    )]
    Tampered,
    #[error("Biểu mẫu của «{found}», không phải của «{expected}».")]
    WrongAgency { found: String, expected: String },
    #[error("Biểu mẫu của kỳ «{found}», không phải kỳ «{expected}».")]
    WrongPeriod { found: String, expected: String },
    #[error("Biểu mẫu thuộc kế hoạch «{found}», không phải kế hoạch «{expected}».")]
    WrongPlan { found: String, expected: String },
    #[error(
        "Danh sách chỉ tiêu trong tệp khác với biểu mẫu của kỳ này ({0}). Không thêm, xóa hay đổi thứ tự dòng; hãy tải biểu mẫu mới."
    )]
    IndicatorsDiffer(String),
    #[error(
        "Ô {} có công thức. Ô số liệu chỉ nhận số nhập trực tiếp; hãy thay công thức bằng giá trị.",
        quote_list(.0)
    )]
    Formula(Vec<String>),
    #[error("Tệp CSV thiếu dòng «#{0}=…» ở đầu tệp.")]
    CsvIdentityMissing(String),
    #[error("Tệp CSV có hai dòng «#{0}=…» khác nhau.")]
    CsvIdentityConflict(String),
    #[error("Dòng tiêu đề của tệp CSV phải là «ma,ten,tu_so,mau_so,khong_ap_dung,thuyet_minh» (đang là «{0}»).")]
    CsvHeader(String),
    #[error("Tệp CSV theo mẫu cũ (chỉ có tử số, mẫu số). Hãy tải biểu mẫu CSV mới: mẫu mới có cột «khong_ap_dung» và các dòng thuyết minh.")]
    CsvOldLayout,
    #[error("Không đọc được tệp CSV ở dòng {0} (có thể do dấu ngoặc kép không đóng).")]
    CsvMalformed(u64),
    #[error("Tệp CSV phải được lưu với bảng mã UTF-8 (trong Excel: «CSV UTF-8»).")]
    CsvNotUtf8,
    #[error("Không tạo được tệp Excel: {0}")]
    Write(String),
}

fn human_size(bytes: &usize) -> String {
    let bytes = *bytes;
    if bytes >= 1024 * 1024 {
        format!("{} MB", format_decimal(bytes as f64 / (1024.0 * 1024.0), 1))
    } else if bytes >= 1024 {
        format!("{} KB", format_decimal(bytes as f64 / 1024.0, 0))
    } else {
        format!("{bytes} byte")
    }
}

fn quote_list(items: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut out = items.iter().take(SHOWN).map(|c| format!("«{c}»")).collect::<Vec<_>>().join(", ");
    if items.len() > SHOWN {
        let _ = write!(out, " và {} ô khác", items.len() - SHOWN);
    }
    out
}

impl From<XlsxError> for FormError {
    fn from(error: XlsxError) -> Self {
        FormError::Write(error.to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------

/// SHA-256 (hex) of the form's identity fields, each length-prefixed so that no two different
/// identities hash the same text. It detects edits of «_cchc»; it is not a signature (the
/// algorithm is public), which is why [`read_form`] also compares every field with the form
/// the server expects.
pub fn identity_checksum(
    format: &str,
    plan_key: &str,
    agency: &str,
    agency_name: &str,
    period: &str,
    indicators: &[String],
) -> String {
    let mut hasher = Sha256::new();
    let mut field = |text: &str| {
        hasher.update(text.len().to_string().as_bytes());
        hasher.update(b":");
        hasher.update(text.as_bytes());
        hasher.update(b"\n");
    };
    field("cchc-documents/form-identity");
    field(format);
    field(plan_key);
    field(agency);
    field(agency_name);
    field(period);
    for code in indicators {
        field(code);
    }
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(64);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

fn expected_codes(form: &ReportForm) -> Vec<String> {
    form.indicators.iter().map(|i| i.code.as_str().to_string()).collect()
}

fn form_checksum(form: &ReportForm) -> String {
    identity_checksum(
        FORMAT_VERSION,
        &form.plan_key,
        form.agency.as_str(),
        &form.agency_name,
        &form.period.id.to_string(),
        &expected_codes(form),
    )
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

const FONT: &str = "Times New Roman";

struct Formats {
    title: Format,
    info: Format,
    note: Format,
    header: Format,
    text: Format,
    code: Format,
    value: Format,
    rate: Format,
    narrative: Format,
}

impl Formats {
    fn new() -> Formats {
        let base = || Format::new().set_font_name(FONT).set_font_size(12);
        let cell = || base().set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::Top);
        let input = Color::RGB(0xFFF2CC);
        Formats {
            title: base().set_bold().set_font_size(14).set_align(FormatAlign::Center),
            info: base(),
            note: base().set_italic().set_text_wrap().set_align(FormatAlign::Top),
            header: base()
                .set_bold()
                .set_text_wrap()
                .set_border(FormatBorder::Thin)
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            text: cell(),
            code: cell().set_align(FormatAlign::Center),
            value: base()
                .set_border(FormatBorder::Thin)
                .set_background_color(input)
                .set_num_format("#,##0")
                .set_align(FormatAlign::Top)
                .set_unlocked(),
            rate: base().set_border(FormatBorder::Thin).set_num_format("0.0").set_align(FormatAlign::Top),
            narrative: cell().set_background_color(input).set_unlocked(),
        }
    }
}

/// Points per line of 12-point text.
const LINE_HEIGHT: f64 = 15.75;

/// A row height that shows every wrapped text in full: (text, column width in characters).
/// Spreadsheet applications do not all fit rows to wrapped text on opening, so we estimate.
fn row_height(texts: &[(&str, f64)]) -> f64 {
    let lines = texts
        .iter()
        .map(|(text, width)| {
            let per_line = (width * 1.05).max(1.0);
            text.split('\n').map(|line| (line.chars().count() as f64 / per_line).ceil().max(1.0)).sum::<f64>()
        })
        .fold(1.0, f64::max);
    (lines.min(25.0) * LINE_HEIGHT + 4.0).round()
}

fn protect(sheet: &mut Worksheet) {
    let options = ProtectionOptions { format_columns: true, format_rows: true, ..ProtectionOptions::new() };
    sheet.protect_with_options(&options);
}

fn col_letter(col: u32) -> String {
    let mut n = col + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// `«Chỉ tiêu!E12»`-style reference (without the quotes) of a 0-based cell.
pub fn cell_ref(sheet: &str, row: u32, col: u32) -> String {
    format!("{sheet}!{}{}", col_letter(col), u64::from(row) + 1)
}

/// A number as Vietnamese documents print it: decimal comma, no trailing zeros.
fn format_decimal(value: f64, max_decimals: usize) -> String {
    let text = format!("{value:.max_decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text };
    text.replace('.', ",")
}

/// The plan's target for `level` as people read it: "Tối thiểu 75% (cấp xã)", "Khoảng 8–10%".
pub fn threshold_text(indicator: &Indicator, level: AdminLevel) -> String {
    match indicator.threshold_for(Some(level)) {
        None => "Không quy định".to_string(),
        Some(threshold) => {
            let text = threshold.words_vn(&indicator.unit);
            match threshold.level {
                Some(level) => format!("{text} ({})", level.label_vn()),
                None => text,
            }
        }
    }
}

/// The XLSX form of `form`, prefilled with `content` when given (a report being corrected).
pub fn write_form(form: &ReportForm, content: Option<&ReportContent>) -> Result<Vec<u8>, FormError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    let mut properties = DocProperties::new()
        .set_title(format!("Báo cáo cải cách hành chính {} – {}", form.period.id.label_vn(), form.agency_name))
        .set_subject(form.plan_title.clone())
        .set_author("cchc")
        .set_keywords(format!("{} {} {}", form.plan_key, form.agency, form.period.id));
    // A fixed creation date keeps the bytes reproducible (no clock is read here).
    let cutoff = &form.period.data_to;
    if let (Ok(year), Ok(month), Ok(day)) =
        (u16::try_from(cutoff.year()), u8::try_from(cutoff.month()), u8::try_from(cutoff.day()))
    {
        if let Ok(date) = ExcelDateTime::from_ymd(year, month, day) {
            properties = properties.set_creation_datetime(&date);
        }
    }
    workbook.set_properties(&properties);

    workbook.push_worksheet(indicator_sheet(form, content, &formats)?);
    workbook.push_worksheet(activity_sheet(form, &formats)?);
    workbook.push_worksheet(narrative_sheet(form, content, &formats)?);
    workbook.push_worksheet(identity_sheet(form)?);
    Ok(workbook.save_to_buffer()?)
}

fn indicator_sheet(form: &ReportForm, content: Option<&ReportContent>, f: &Formats) -> Result<Worksheet, FormError> {
    let mut sheet = Worksheet::new();
    sheet.set_name(SHEET_INDICATORS)?;
    sheet.set_active(true);
    let last_col = 9;
    sheet.merge_range(0, 0, 0, last_col, "BÁO CÁO ĐỊNH KỲ CẢI CÁCH HÀNH CHÍNH", &f.title)?;
    let period = &form.period;
    let due = if form.due == period.due {
        format!("Hạn gửi báo cáo: {}", form.due.vn())
    } else {
        format!("Hạn gửi báo cáo: {} (được gia hạn; hạn chung của kỳ là {})", form.due.vn(), period.due.vn())
    };
    let status = match (&form.status, &form.returned_reason) {
        (Some(status), Some(reason)) => format!("Trạng thái: {} — lý do: {reason}", status.label_vn()),
        (Some(status), None) => format!("Trạng thái: {}", status.label_vn()),
        (None, _) => "Trạng thái: Chưa lập báo cáo".to_string(),
    };
    let info = [
        format!("Cơ quan, đơn vị: {}", form.agency_name),
        format!("Kỳ báo cáo: {}", period.id.label_vn()),
        format!("Thời gian chốt số liệu: từ {} đến {}", period.data_from.vn(), period.data_to.vn()),
        due,
        format!("Kế hoạch: {}", form.plan_title),
        format!("Chỉ tiêu kế hoạch áp dụng: {}", form.level.label_vn()),
        status,
    ];
    for (i, line) in info.iter().enumerate() {
        let row = 1 + i as u32;
        sheet.merge_range(row, 0, row, last_col, line, &f.info)?;
    }
    sheet.merge_range(
        8,
        0,
        8,
        last_col,
        "Mỗi chỉ tiêu phải được trả lời: nhập số nguyên không âm vào ô Tử số và Mẫu số (nhập 0 và 0 nếu trong kỳ \
         không phát sinh), hoặc ghi lý do vào ô «Không áp dụng» nếu chỉ tiêu không áp dụng với cơ quan. Không dùng \
         công thức, không thêm, xóa hay đổi thứ tự dòng. Cột Tỷ lệ (%) chỉ để tham khảo: hệ thống tự tính lại.",
        &f.note,
    )?;
    sheet.set_row_height(8, 64)?;

    let headers = [
        ("Mã chỉ tiêu", 11.0),
        ("Tên chỉ tiêu", 40.0),
        ("Tử số (định nghĩa)", 30.0),
        ("Mẫu số (định nghĩa)", 30.0),
        ("Tử số", 13.0),
        ("Mẫu số", 13.0),
        ("Không áp dụng (ghi lý do)", 24.0),
        ("Tỷ lệ (%)", 10.0),
        ("Chỉ tiêu kế hoạch", 22.0),
        ("Các kỳ trước", 24.0),
    ];
    for (col, (title, width)) in headers.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(HEADER_ROW, col, *title, &f.header)?;
        sheet.set_column_width(col, *width)?;
    }
    sheet.set_row_height(HEADER_ROW, 32)?;

    for (i, indicator) in form.indicators.iter().enumerate() {
        let row = FIRST_VALUE_ROW + i as u32;
        let excel_row = row + 1;
        sheet.write_string_with_format(row, 0, indicator.code.as_str(), &f.code)?;
        sheet.write_string_with_format(row, 1, &indicator.name, &f.text)?;
        sheet.write_string_with_format(row, 2, &indicator.numerator, &f.text)?;
        sheet.write_string_with_format(row, 3, &indicator.denominator, &f.text)?;
        for (col, part) in [(NUMERATOR_COL, Part::Numerator), (DENOMINATOR_COL, Part::Denominator)] {
            match content.and_then(|c| c.values.get(&(indicator.code.clone(), part))) {
                Some(value) => sheet.write_number_with_format(row, col, *value, &f.value)?,
                None => sheet.write_blank(row, col, &f.value)?,
            };
        }
        let reason = content.and_then(|c| c.not_applicable.get(&indicator.code)).map_or("", String::as_str);
        if reason.is_empty() {
            sheet.write_blank(row, NOT_APPLICABLE_COL, &f.narrative)?;
        } else {
            sheet.write_string_with_format(row, NOT_APPLICABLE_COL, reason, &f.narrative)?;
        }
        // The cached result is what a viewer shows before recalculating.
        let value = |part| content.and_then(|c| c.values.get(&(indicator.code.clone(), part))).copied();
        let cached = match (value(Part::Numerator), value(Part::Denominator)) {
            (Some(n), Some(d)) => {
                cchc_domain::number::Percent1::ratio(n, d).map(|p| p.value().to_string()).unwrap_or_default()
            }
            _ => String::new(),
        };
        let formula = format!("=IF(F{excel_row}>0,ROUND(E{excel_row}/F{excel_row}*100,1),\"\")");
        sheet.write_formula_with_format(row, 7, Formula::new(formula).set_result(cached), &f.rate)?;
        let target = threshold_text(indicator, form.level);
        sheet.write_string_with_format(row, 8, &target, &f.text)?;
        let earlier = form.earlier_text(&indicator.code);
        sheet.write_string_with_format(row, 9, &earlier, &f.text)?;
        let texts = [
            (indicator.name.as_str(), headers[1].1),
            (indicator.numerator.as_str(), headers[2].1),
            (indicator.denominator.as_str(), headers[3].1),
            (reason, headers[6].1),
            (target.as_str(), headers[8].1),
            (earlier.as_str(), headers[9].1),
        ];
        sheet.set_row_height(row, row_height(&texts))?;
    }

    if let Some(last) = form.indicators.len().checked_sub(1) {
        let last_row = FIRST_VALUE_ROW + last as u32;
        let validation = DataValidation::new()
            .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
            .ignore_blank(true)
            .set_input_title("Nhập số nguyên không âm")?
            .set_input_message("Nhập số nguyên không âm (0, 1, 2, …); 0 nếu không phát sinh.")?
            .set_error_style(DataValidationErrorStyle::Stop)
            .set_error_title("Giá trị không hợp lệ")?
            .set_error_message(
                "Chỉ nhập số nguyên không âm, ví dụ 125. Không nhập chữ, số thập phân, số âm hay công thức.",
            )?;
        sheet.add_data_validation(FIRST_VALUE_ROW, NUMERATOR_COL, last_row, DENOMINATOR_COL, &validation)?;
        let reason = DataValidation::new()
            .allow_text_length(DataValidationRule::LessThanOrEqualTo(
                u32::try_from(cchc_domain::reporting::MAX_REASON_CHARS).unwrap_or(u32::MAX),
            ))
            .ignore_blank(true)
            .set_input_title("Không áp dụng")?
            .set_input_message(
                "Chỉ ghi khi chỉ tiêu không áp dụng với cơ quan: nêu lý do, để trống Tử số và Mẫu số.",
            )?;
        sheet.add_data_validation(FIRST_VALUE_ROW, NOT_APPLICABLE_COL, last_row, NOT_APPLICABLE_COL, &reason)?;
    }

    sheet.set_freeze_panes(FIRST_VALUE_ROW, 2)?;
    sheet.set_landscape().set_paper_size(9).set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    protect(&mut sheet);
    Ok(sheet)
}

fn activity_sheet(form: &ReportForm, f: &Formats) -> Result<Worksheet, FormError> {
    let mut sheet = Worksheet::new();
    sheet.set_name(SHEET_ACTIVITIES)?;
    let last_col = 5;
    sheet.merge_range(0, 0, 0, last_col, "TÌNH HÌNH THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO", &f.title)?;
    sheet.merge_range(
        1,
        0,
        1,
        last_col,
        &format!(
            "{} – {} (trạng thái tại ngày chốt số liệu {})",
            form.agency_name,
            form.period.id.label_vn(),
            form.period.data_to.vn()
        ),
        &f.info,
    )?;
    sheet.merge_range(
        2,
        0,
        2,
        last_col,
        "Trang này chỉ để đối chiếu; cập nhật tiến độ trên hệ thống, không sửa tại đây.",
        &f.note,
    )?;
    let header_row = 3;
    let headers =
        [("STT", 6.0), ("Mã hoạt động", 13.0), ("Hoạt động", 60.0), ("Mốc", 30.0), ("Hạn", 12.0), ("Trạng thái", 26.0)];
    for (col, (title, width)) in headers.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(header_row, col, *title, &f.header)?;
        sheet.set_column_width(col, *width)?;
    }
    if form.activities.is_empty() {
        sheet.merge_range(
            header_row + 1,
            0,
            header_row + 1,
            last_col,
            "Không có nhiệm vụ nào đến kỳ báo cáo.",
            &f.text,
        )?;
    }
    for (i, activity) in form.activities.iter().enumerate() {
        let row = header_row + 1 + i as u32;
        sheet.write_number_with_format(row, 0, (i + 1) as f64, &f.code)?;
        sheet.write_string_with_format(row, 1, &activity.activity_code, &f.code)?;
        sheet.write_string_with_format(row, 2, &activity.activity_title, &f.text)?;
        sheet.write_string_with_format(row, 3, &activity.milestone, &f.text)?;
        let due = activity.due.map_or_else(|| "—".to_string(), |d| d.vn());
        sheet.write_string_with_format(row, 4, due, &f.code)?;
        sheet.write_string_with_format(row, 5, activity.status.label_vn(), &f.text)?;
        let texts = [
            (activity.activity_title.as_str(), headers[2].1),
            (activity.milestone.as_str(), headers[3].1),
            (activity.status.label_vn(), headers[5].1),
        ];
        sheet.set_row_height(row, row_height(&texts))?;
    }
    sheet.set_freeze_panes(header_row + 1, 0)?;
    sheet.set_landscape().set_paper_size(9).set_print_fit_to_pages(1, 0);
    protect(&mut sheet);
    Ok(sheet)
}

fn narrative_sheet(form: &ReportForm, content: Option<&ReportContent>, f: &Formats) -> Result<Worksheet, FormError> {
    let mut sheet = Worksheet::new();
    sheet.set_name(SHEET_NARRATIVES)?;
    let last_col = NARRATIVE_COL;
    sheet.merge_range(0, 0, 0, last_col, "THUYẾT MINH KẾT QUẢ THỰC HIỆN THEO LĨNH VỰC", &f.title)?;
    sheet.merge_range(1, 0, 1, last_col, &format!("{} – {}", form.agency_name, form.period.id.label_vn()), &f.info)?;
    sheet.merge_range(
        2,
        0,
        2,
        last_col,
        "Ghi kết quả, khó khăn và kiến nghị của từng lĩnh vực vào ô nền vàng (Alt+Enter để xuống dòng).",
        &f.note,
    )?;
    for (col, (title, width)) in
        [("Lĩnh vực", 10.0), ("Tên lĩnh vực", 36.0), ("Thuyết minh kết quả thực hiện", 100.0)].iter().enumerate()
    {
        let col = col as u16;
        sheet.write_string_with_format(NARRATIVE_HEADER_ROW, col, *title, &f.header)?;
        sheet.set_column_width(col, *width)?;
    }
    for (i, (code, title)) in form.areas.iter().enumerate() {
        let row = FIRST_NARRATIVE_ROW + i as u32;
        sheet.write_string_with_format(row, 0, code.as_str(), &f.code)?;
        sheet.write_string_with_format(row, 1, title, &f.text)?;
        match content.and_then(|c| c.narratives.get(code)) {
            Some(text) => sheet.write_string_with_format(row, NARRATIVE_COL, text, &f.narrative)?,
            None => sheet.write_blank(row, NARRATIVE_COL, &f.narrative)?,
        };
        let narrative = content.and_then(|c| c.narratives.get(code)).map_or("", String::as_str);
        sheet.set_row_height(row, row_height(&[(narrative, 100.0), (title, 36.0)]).max(120.0))?;
    }
    if let Some(last) = form.areas.len().checked_sub(1) {
        let last_row = FIRST_NARRATIVE_ROW + last as u32;
        let validation = DataValidation::new()
            .allow_text_length(DataValidationRule::LessThanOrEqualTo(
                u32::try_from(MAX_NARRATIVE_CHARS).unwrap_or(u32::MAX),
            ))
            .ignore_blank(true)
            .set_error_title("Nội dung quá dài")?
            .set_error_message(format!(
                "Mỗi ô thuyết minh tối đa {} ký tự.",
                cchc_domain::number::group_thousands(MAX_NARRATIVE_CHARS as u64)
            ))?;
        sheet.add_data_validation(FIRST_NARRATIVE_ROW, NARRATIVE_COL, last_row, NARRATIVE_COL, &validation)?;
    }
    sheet.set_freeze_panes(FIRST_NARRATIVE_ROW, 0)?;
    sheet.set_landscape().set_paper_size(9).set_print_fit_to_pages(1, 0);
    protect(&mut sheet);
    Ok(sheet)
}

fn identity_sheet(form: &ReportForm) -> Result<Worksheet, FormError> {
    let mut sheet = Worksheet::new();
    sheet.set_name(SHEET_IDENTITY)?;
    let mut rows: Vec<(&str, String)> = vec![
        ("format", FORMAT_VERSION.to_string()),
        ("plan", form.plan_key.clone()),
        ("agency", form.agency.as_str().to_string()),
        ("agency_name", form.agency_name.clone()),
        ("period", form.period.id.to_string()),
    ];
    rows.extend(form.indicators.iter().map(|i| ("indicator", i.code.as_str().to_string())));
    rows.push(("checksum", form_checksum(form)));
    for (row, (key, value)) in rows.iter().enumerate() {
        sheet.write_string(row as u32, 0, *key)?;
        sheet.write_string(row as u32, 1, value)?;
    }
    sheet.set_column_width(0, 14)?;
    sheet.set_column_width(1, 70)?;
    sheet.set_very_hidden(true);
    protect(&mut sheet);
    Ok(sheet)
}

// ---------------------------------------------------------------------------------------------
// Values as typed
// ---------------------------------------------------------------------------------------------

/// What a value cell (or CSV field) holds once read.
#[derive(Debug, Clone, PartialEq)]
enum Count {
    Empty,
    Value(f64),
    /// Why it is refused (Vietnamese, to follow "«…»: ").
    Invalid(String),
}

fn number_count(value: f64) -> Count {
    if !value.is_finite() {
        Count::Invalid("không phải là số hợp lệ".into())
    } else if value < 0.0 {
        Count::Invalid(format!("số âm ({}) không hợp lệ", format_decimal(value, 6)))
    } else if value.fract() != 0.0 {
        Count::Invalid(format!("{} không phải là số nguyên", format_decimal(value, 6)))
    } else if value > MAX_COUNT {
        Count::Invalid(format!("số {} quá lớn", format_decimal(value, 0)))
    } else {
        Count::Value(value)
    }
}

fn is_group_separator(c: char) -> bool {
    matches!(c, '.' | ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

/// A count typed as text: digits, optionally grouped by thousands with dots or spaces
/// ("1.234", "1 234 567"). Anything else is refused, never guessed ("12.34", "1,5", "nhiều").
fn text_count(raw: &str) -> Count {
    let text = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}');
    if text.is_empty() {
        return Count::Empty;
    }
    let shown = shorten(text);
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    let groups: Vec<&str> = unsigned.split(is_group_separator).collect();
    let all_digits = |g: &&str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let grouped_ok = match groups.split_first() {
        Some((first, [])) => all_digits(first),
        Some((first, rest)) => {
            all_digits(first) && first.len() <= 3 && rest.iter().all(|g| all_digits(g) && g.len() == 3)
        }
        None => false,
    };
    if grouped_ok {
        let digits: String = groups.concat();
        let digits = digits.trim_start_matches('0');
        if digits.len() > 13 {
            return Count::Invalid(format!("số «{shown}» quá lớn"));
        }
        return match digits.parse::<u64>() {
            Ok(n) => number_count(n as f64),
            Err(_) if digits.is_empty() => Count::Value(0.0),
            Err(_) => Count::Invalid(format!("«{shown}» không phải là số")),
        };
    }
    let body = text.strip_prefix('-').or_else(|| text.strip_prefix('−'));
    let numeric = |s: &str| {
        !s.is_empty()
            && s.chars().any(|c| c.is_ascii_digit())
            && s.chars().all(|c| c.is_ascii_digit() || c == ',' || is_group_separator(c))
    };
    match body {
        Some(rest) if numeric(rest) => Count::Invalid(format!("số âm «{shown}» không hợp lệ")),
        _ if numeric(unsigned) => {
            Count::Invalid(format!("«{shown}» không phải là số nguyên (hoặc viết sai dấu phân cách)"))
        }
        _ => Count::Invalid(format!("«{shown}» không phải là số")),
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        text.to_string()
    }
}

fn cell_count(data: &Data) -> Count {
    match data {
        Data::Empty => Count::Empty,
        Data::Int(i) => number_count(*i as f64),
        Data::Float(x) => number_count(*x),
        Data::String(s) => text_count(s),
        Data::Bool(b) => {
            Count::Invalid(format!("giá trị logic {} không phải là số", if *b { "TRUE" } else { "FALSE" }))
        }
        Data::DateTime(_) | Data::DateTimeIso(_) => Count::Invalid("ô chứa ngày tháng, không phải số".into()),
        Data::DurationIso(_) => Count::Invalid("ô chứa khoảng thời gian, không phải số".into()),
        Data::Error(e) => Count::Invalid(format!("ô có lỗi Excel ({e})")),
    }
}

pub(crate) fn cell_text(data: &Data) -> Option<String> {
    match data {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => Some(format!("{x:.0}")),
        Data::Float(x) => Some(x.to_string()),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(d) => Some(d.to_string()),
        Data::Error(_) | Data::Empty => None,
    }
}

fn part_label(part: Part) -> &'static str {
    match part {
        Part::Numerator => "tử số",
        Part::Denominator => "mẫu số",
    }
}

// ---------------------------------------------------------------------------------------------
// The package, inspected before calamine sees it
// ---------------------------------------------------------------------------------------------

pub(crate) mod package {
    use super::*;
    use quick_xml::events::Event;
    use quick_xml::name::QName;

    /// The XML parts of an XLSX package, unpacked within bounds. Keys are normalised the way
    /// calamine looks parts up (lower case, `/` separators).
    pub(crate) struct Package {
        parts: HashMap<String, Vec<u8>>,
    }

    pub(crate) fn open(bytes: &[u8]) -> Result<Package, FormError> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| FormError::NotXlsx)?;
        if archive.len() > MAX_PARTS {
            return Err(FormError::Suspicious(format!("{} tệp con", archive.len())));
        }
        let mut parts = HashMap::new();
        let mut total: u64 = 0;
        for index in 0..archive.len() {
            let mut file = archive.by_index(index).map_err(|e| FormError::Unreadable(e.to_string()))?;
            let declared = file.size();
            total = total.saturating_add(declared);
            if total > MAX_UNPACKED_BYTES {
                return Err(FormError::Suspicious("dung lượng sau khi giải nén quá lớn".into()));
            }
            let name = file.name().replace('\\', "/").to_ascii_lowercase();
            let keep = name.ends_with(".xml") || name.ends_with(".rels");
            let mut content = Vec::new();
            let limited = &mut (&mut file).take(declared.saturating_add(1));
            let read = if keep {
                limited.read_to_end(&mut content).map(|n| n as u64)
            } else {
                std::io::copy(limited, &mut std::io::sink())
            };
            let read = read.map_err(|e| FormError::Unreadable(e.to_string()))?;
            if read != declared {
                return Err(FormError::Suspicious("kích thước khai báo của tệp con không đúng".into()));
            }
            if keep {
                parts.insert(name, content);
            }
        }
        Ok(Package { parts })
    }

    fn attribute(start: &quick_xml::events::BytesStart<'_>, key: &[u8]) -> Result<Option<Vec<u8>>, FormError> {
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|e| FormError::Unreadable(e.to_string()))?;
            if attribute.key == QName(key) {
                return Ok(Some(attribute.value.into_owned()));
            }
        }
        Ok(None)
    }

    fn reader(xml: &[u8]) -> quick_xml::Reader<&[u8]> {
        let mut reader = quick_xml::Reader::from_reader(xml);
        let config = reader.config_mut();
        config.check_end_names = false;
        config.expand_empty_elements = true;
        reader
    }

    fn xml_error(error: impl std::fmt::Display) -> FormError {
        FormError::Unreadable(format!("XML: {error}"))
    }

    impl Package {
        fn part(&self, path: &str) -> Option<&[u8]> {
            self.parts.get(&path.replace('\\', "/").to_ascii_lowercase()).map(Vec::as_slice)
        }

        /// Sheet name → part path, resolved as calamine does (workbook.xml + its relationships).
        pub(super) fn sheet_paths(&self) -> Result<HashMap<String, String>, FormError> {
            let rels = self.part("xl/_rels/workbook.xml.rels").ok_or(FormError::NotXlsx)?;
            let mut targets: HashMap<Vec<u8>, String> = HashMap::new();
            let mut xml = reader(rels);
            let mut buf = Vec::new();
            loop {
                match xml.read_event_into(&mut buf).map_err(xml_error)? {
                    Event::Start(e) if e.local_name().as_ref() == b"Relationship" => {
                        let id = attribute(&e, b"Id")?.unwrap_or_default();
                        let target = attribute(&e, b"Target")?.unwrap_or_default();
                        targets.insert(id, String::from_utf8_lossy(&target).into_owned());
                    }
                    Event::Eof => break,
                    _ => {}
                }
                buf.clear();
            }
            let workbook = self.part("xl/workbook.xml").ok_or(FormError::NotXlsx)?;
            let mut xml = reader(workbook);
            let mut paths = HashMap::new();
            loop {
                match xml.read_event_into(&mut buf).map_err(xml_error)? {
                    Event::Start(e) if e.local_name().as_ref() == b"sheet" => {
                        let mut name = None;
                        let mut path = None;
                        for a in e.attributes() {
                            let a = a.map_err(|e| FormError::Unreadable(e.to_string()))?;
                            if a.key == QName(b"name") {
                                name =
                                    Some(a.decode_and_unescape_value(xml.decoder()).map_err(xml_error)?.into_owned());
                            } else if a.key.local_name().as_ref() == b"id" {
                                path = targets.get(a.value.as_ref()).map(|target| {
                                    if let Some(rest) = target.strip_prefix('/') {
                                        rest.to_string()
                                    } else if target.starts_with("xl/") {
                                        target.clone()
                                    } else {
                                        format!("xl/{target}")
                                    }
                                });
                            }
                        }
                        if let (Some(name), Some(path)) = (name, path) {
                            paths.insert(name, path);
                        }
                    }
                    Event::Eof => break,
                    _ => {}
                }
                buf.clear();
            }
            Ok(paths)
        }

        /// The 0-based positions of the cells of a sheet part that hold a formula. Cell
        /// addresses are checked to be within Excel's limits on the way.
        pub(super) fn formula_cells(&self, path: &str) -> Result<Vec<(u32, u32)>, FormError> {
            let xml = self.part(path).ok_or_else(|| FormError::Unreadable(format!("thiếu {path}")))?;
            let mut xml = reader(xml);
            let mut buf = Vec::new();
            let mut in_data = false;
            let (mut row, mut col) = (0u32, 0u32);
            let mut cell: Option<(u32, u32)> = None;
            let mut depth = 0usize;
            let mut formulas = Vec::new();
            loop {
                match xml.read_event_into(&mut buf).map_err(xml_error)? {
                    Event::Start(e) => {
                        let name = e.local_name();
                        let name = name.as_ref();
                        if let Some(pos) = cell {
                            depth += 1;
                            if name == b"f" && !formulas.contains(&pos) {
                                formulas.push(pos);
                            }
                        } else if !in_data {
                            if name == b"sheetData" {
                                in_data = true;
                            } else if name == b"dimension" {
                                if let Some(range) = attribute(&e, b"ref")? {
                                    check_dimension(&range)?;
                                }
                            }
                        } else if name == b"row" {
                            if let Some(r) = attribute(&e, b"r")? {
                                row = parse_ref(&r).ok_or_else(|| bad_address(&r))?.0;
                            }
                        } else if name == b"c" {
                            let pos = match attribute(&e, b"r")? {
                                Some(r) => match parse_ref(&r) {
                                    Some((row, Some(col))) => (row, col),
                                    _ => return Err(bad_address(&r)),
                                },
                                None if row <= MAX_ROW && col <= MAX_COL => (row, col),
                                None => return Err(FormError::Unreadable("ô nằm ngoài giới hạn của Excel".into())),
                            };
                            col = pos.1;
                            cell = Some(pos);
                            depth = 0;
                        }
                    }
                    Event::End(e) => {
                        let name = e.local_name();
                        let name = name.as_ref();
                        if cell.is_some() {
                            if depth == 0 && name == b"c" {
                                cell = None;
                                col = col.saturating_add(1);
                            } else {
                                depth = depth.saturating_sub(1);
                            }
                        } else if in_data && name == b"row" {
                            row = row.saturating_add(1);
                            col = 0;
                        } else if name == b"sheetData" {
                            break;
                        }
                    }
                    Event::Eof => break,
                    _ => {}
                }
                buf.clear();
            }
            Ok(formulas)
        }
    }

    const MAX_ROW: u32 = 1_048_575;
    const MAX_COL: u32 = 16_383;

    fn bad_address(text: &[u8]) -> FormError {
        FormError::Unreadable(format!("địa chỉ ô không hợp lệ «{}»", shorten(&String::from_utf8_lossy(text))))
    }

    fn check_dimension(range: &[u8]) -> Result<(), FormError> {
        let mut parts = range.split(|b| *b == b':');
        let first = parts.next().and_then(parse_ref);
        let second = match parts.next() {
            Some(p) => parse_ref(p),
            None => first,
        };
        match (first, second, parts.next()) {
            (Some((r1, Some(c1))), Some((r2, Some(c2))), None) if r1 <= r2 && c1 <= c2 => Ok(()),
            _ => Err(bad_address(range)),
        }
    }

    /// `E12` → (11, Some(4)); `12` → (11, None). Within Excel's limits, or `None`.
    pub(super) fn parse_ref(text: &[u8]) -> Option<(u32, Option<u32>)> {
        let letters = text.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        let (col_part, row_part) = text.split_at(letters);
        if letters > 3 || row_part.is_empty() || row_part.len() > 7 || !row_part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let row: u32 = row_part.iter().fold(0, |n, b| n * 10 + u32::from(b - b'0'));
        let row = row.checked_sub(1).filter(|r| *r <= MAX_ROW)?;
        if col_part.is_empty() {
            return Some((row, None));
        }
        let col = col_part.iter().fold(0u32, |n, b| n * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1) - 1;
        (col <= MAX_COL).then_some((row, Some(col)))
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the XLSX form
// ---------------------------------------------------------------------------------------------

type Cells = BTreeMap<(u32, u32), Data>;

pub(crate) fn unreadable(error: impl std::fmt::Display) -> FormError {
    FormError::Unreadable(shorten(&error.to_string()))
}

/// Reads the cells of `sheet` for which `keep(row, col)` holds, streaming (a sheet with far
/// apart cells never becomes a huge grid in memory).
fn read_cells(
    xlsx: &mut Xlsx<Cursor<&[u8]>>,
    sheet: &str,
    keep: impl Fn(u32, u32) -> bool,
) -> Result<Cells, FormError> {
    let mut reader = xlsx.worksheet_cells_reader(sheet).map_err(unreadable)?;
    let mut cells = Cells::new();
    let mut seen = 0usize;
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        seen += 1;
        if seen > MAX_CELLS {
            return Err(FormError::Suspicious(format!("trang «{sheet}» có quá nhiều ô")));
        }
        let (row, col) = cell.get_position();
        if keep(row, col) {
            cells.insert((row, col), Data::from(cell.get_value().clone()));
        }
    }
    Ok(cells)
}

#[derive(Debug, Default)]
struct Identity {
    fields: HashMap<String, String>,
    indicators: Vec<String>,
}

impl Identity {
    fn from_cells(cells: &Cells) -> Identity {
        let mut identity = Identity::default();
        let rows: BTreeSet<u32> = cells.keys().map(|(row, _)| *row).collect();
        for row in rows {
            let key = cells.get(&(row, 0)).and_then(cell_text).map(|k| k.trim().to_string()).unwrap_or_default();
            let value = cells.get(&(row, 1)).and_then(cell_text).map(|v| v.trim().to_string()).unwrap_or_default();
            if key == "indicator" {
                identity.indicators.push(value);
            } else if !key.is_empty() {
                identity.fields.entry(key).or_insert(value);
            }
        }
        identity
    }

    fn get(&self, key: &str) -> Result<&str, FormError> {
        self.fields
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| FormError::MissingIdentity(key.into()))
    }
}

fn period_label(id: &str) -> String {
    PeriodId::parse(id).map_or_else(|| id.to_string(), PeriodId::label_vn)
}

fn describe_code_difference(found: &[String], expected: &[String]) -> String {
    let found_set: BTreeSet<&String> = found.iter().collect();
    let expected_set: BTreeSet<&String> = expected.iter().collect();
    let extra: Vec<String> = found_set.difference(&expected_set).map(|c| shorten(c)).collect();
    let missing: Vec<String> = expected_set.difference(&found_set).map(|c| c.to_string()).collect();
    let mut parts = Vec::new();
    if !extra.is_empty() {
        parts.push(format!("thừa {}", quote_list(&extra)));
    }
    if !missing.is_empty() {
        parts.push(format!("thiếu {}", quote_list(&missing)));
    }
    if parts.is_empty() {
        if found.len() != expected.len() {
            parts.push("có dòng chỉ tiêu bị lặp".to_string());
        } else {
            parts.push("thứ tự dòng đã bị thay đổi".to_string());
        }
    }
    parts.join("; ")
}

fn check_identity(identity: &Identity, expected: &ReportForm) -> Result<(), FormError> {
    let format = identity.get("format")?;
    if format != FORMAT_VERSION {
        return Err(FormError::WrongVersion { found: shorten(format), expected: FORMAT_VERSION.into() });
    }
    let plan = identity.get("plan")?;
    let agency = identity.get("agency")?;
    let agency_name = identity.fields.get("agency_name").map(String::as_str).unwrap_or_default();
    let period = identity.get("period")?;
    let checksum = identity.get("checksum")?;
    let computed = identity_checksum(format, plan, agency, agency_name, period, &identity.indicators);
    if !checksum.eq_ignore_ascii_case(&computed) {
        return Err(FormError::Tampered);
    }
    if agency != expected.agency.as_str() {
        let found = if agency_name.is_empty() { agency.to_string() } else { agency_name.to_string() };
        let expected_name =
            if expected.agency_name.is_empty() { expected.agency.to_string() } else { expected.agency_name.clone() };
        return Err(FormError::WrongAgency { found: shorten(&found), expected: expected_name });
    }
    let expected_period = expected.period.id.to_string();
    if period != expected_period {
        return Err(FormError::WrongPeriod {
            found: shorten(&period_label(period)),
            expected: expected.period.id.label_vn(),
        });
    }
    if plan != expected.plan_key {
        return Err(FormError::WrongPlan { found: shorten(plan), expected: expected.plan_key.clone() });
    }
    let codes = expected_codes(expected);
    if identity.indicators != codes {
        return Err(FormError::IndicatorsDiffer(describe_code_difference(&identity.indicators, &codes)));
    }
    Ok(())
}

pub(crate) fn check_bytes(bytes: &[u8]) -> Result<(), FormError> {
    if bytes.len() > MAX_FORM_BYTES {
        return Err(FormError::TooLarge { size: bytes.len(), kind: FormKind::Xlsx });
    }
    const CFB: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.starts_with(&CFB) {
        return Err(FormError::LegacyOrEncrypted);
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(FormError::NotXlsx);
    }
    Ok(())
}

/// Reads an uploaded XLSX form back: the content, the areas it carries narratives for and the
/// diagnostics of refused cells, or why the whole file is refused. Never panics.
pub fn read_form(bytes: &[u8], expected: &ReportForm) -> Result<FormReading, FormError> {
    check_bytes(bytes)?;
    // Defence in depth: a parser bug on hostile input must become a refusal, not a crash.
    match catch_unwind(AssertUnwindSafe(|| read_checked(bytes, expected))) {
        Ok(result) => result,
        Err(_) => Err(FormError::Unreadable("lỗi khi phân tích tệp".into())),
    }
}

/// The message of a refused value: the cell, what it is, why, what to type instead.
fn value_problem(place: &str, part: Part, code: &IndicatorCode, reason: &str) -> String {
    format!(
        "{place} ({} chỉ tiêu {code}): {reason}; hãy nhập số nguyên không âm (0 nếu không phát sinh).",
        part_label(part)
    )
}

fn read_checked(bytes: &[u8], expected: &ReportForm) -> Result<FormReading, FormError> {
    let package = package::open(bytes)?;
    let paths = package.sheet_paths()?;
    let mut xlsx: Xlsx<Cursor<&[u8]>> = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsxError::Password => FormError::LegacyOrEncrypted,
        calamine::XlsxError::Zip(_) => FormError::NotXlsx,
        other => unreadable(other),
    })?;
    let names = xlsx.sheet_names();
    for required in [SHEET_IDENTITY, SHEET_INDICATORS] {
        if !names.iter().any(|n| n == required) {
            return Err(FormError::MissingSheet(required.into()));
        }
    }
    // Every sheet read below is scanned first: addresses within limits, formulas located.
    let formulas_of = |sheet: &str| -> Result<Vec<(u32, u32)>, FormError> {
        let path =
            paths.get(sheet).ok_or_else(|| FormError::Unreadable(format!("không định vị được trang «{sheet}»")))?;
        package.formula_cells(path)
    };
    formulas_of(SHEET_IDENTITY)?;
    let indicator_formulas = formulas_of(SHEET_INDICATORS)?;
    let has_narratives = names.iter().any(|n| n == SHEET_NARRATIVES);
    let narrative_formulas = if has_narratives { formulas_of(SHEET_NARRATIVES)? } else { Vec::new() };

    let identity = Identity::from_cells(&read_cells(&mut xlsx, SHEET_IDENTITY, |_, col| col <= 1)?);
    check_identity(&identity, expected)?;

    let rows = expected.indicators.len() as u32;
    let value_rows = FIRST_VALUE_ROW..FIRST_VALUE_ROW + rows;
    let input_col = |col: u32| {
        col == u32::from(NUMERATOR_COL) || col == u32::from(DENOMINATOR_COL) || col == u32::from(NOT_APPLICABLE_COL)
    };
    let mut formula_refs: Vec<String> = indicator_formulas
        .iter()
        .filter(|(row, col)| value_rows.contains(row) && input_col(*col))
        .map(|(row, col)| cell_ref(SHEET_INDICATORS, *row, *col))
        .collect();
    formula_refs.extend(
        narrative_formulas
            .iter()
            .filter(|(row, col)| *row >= FIRST_NARRATIVE_ROW && *col == u32::from(NARRATIVE_COL))
            .map(|(row, col)| cell_ref(SHEET_NARRATIVES, *row, *col)),
    );
    if !formula_refs.is_empty() {
        return Err(FormError::Formula(formula_refs));
    }

    let table = read_cells(&mut xlsx, SHEET_INDICATORS, |row, col| row > HEADER_ROW && (col == 0 || input_col(col)))?;
    let table_codes: Vec<String> = table
        .iter()
        .filter(|((_, col), _)| *col == 0)
        .filter_map(|(_, data)| cell_text(data))
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    let codes = expected_codes(expected);
    let in_place = expected.indicators.iter().enumerate().all(|(i, indicator)| {
        table.get(&(FIRST_VALUE_ROW + i as u32, 0)).and_then(cell_text).map(|c| c.trim().to_string())
            == Some(indicator.code.as_str().to_string())
    });
    if table_codes != codes || !in_place {
        return Err(FormError::IndicatorsDiffer(describe_code_difference(&table_codes, &codes)));
    }

    let mut reading = FormReading::default();
    for (i, indicator) in expected.indicators.iter().enumerate() {
        let row = FIRST_VALUE_ROW + i as u32;
        for (col, part) in [(NUMERATOR_COL, Part::Numerator), (DENOMINATOR_COL, Part::Denominator)] {
            let data = table.get(&(row, u32::from(col))).cloned().unwrap_or_default();
            match cell_count(&data) {
                Count::Empty => {}
                Count::Value(value) => {
                    reading.content.values.insert((indicator.code.clone(), part), value);
                }
                Count::Invalid(reason) => {
                    let place = format!("Ô «{}»", cell_ref(SHEET_INDICATORS, row, u32::from(col)));
                    reading
                        .diagnostics
                        .push(Diagnostic::error(row + 1, value_problem(&place, part, &indicator.code, &reason)));
                }
            }
        }
        let reason = table.get(&(row, u32::from(NOT_APPLICABLE_COL))).and_then(cell_text).unwrap_or_default();
        let reason = normalize_document(&reason).trim().to_string();
        if !reason.is_empty() {
            reading.content.not_applicable.insert(indicator.code.clone(), reason);
        }
    }

    if has_narratives {
        let cells = read_cells(&mut xlsx, SHEET_NARRATIVES, |row, col| {
            row >= FIRST_NARRATIVE_ROW && (col == 0 || col == u32::from(NARRATIVE_COL))
        })?;
        read_narratives(&cells, expected, &mut reading);
    } else if !expected.areas.is_empty() {
        reading.diagnostics.push(Diagnostic::warning(
            0,
            format!("Tệp không có trang «{SHEET_NARRATIVES}»: phần thuyết minh đã lưu trước đó được giữ nguyên."),
        ));
    }
    Ok(reading)
}

fn read_narratives(cells: &Cells, expected: &ReportForm, reading: &mut FormReading) {
    let rows: BTreeSet<u32> = cells.keys().map(|(row, _)| *row).collect();
    for row in rows {
        let code_text = cells.get(&(row, 0)).and_then(cell_text).unwrap_or_default();
        let narrative = cells.get(&(row, u32::from(NARRATIVE_COL)));
        let reference = cell_ref(SHEET_NARRATIVES, row, u32::from(NARRATIVE_COL));
        let area = AreaCode::parse(&code_text).filter(|a| expected.areas.iter().any(|(code, _)| code == a));
        let Some(area) = area else {
            if narrative.is_some_and(|d| *d != Data::Empty) {
                reading.diagnostics.push(Diagnostic::warning(
                    row + 1,
                    format!(
                        "Ô «{reference}»: lĩnh vực «{}» không có trong biểu mẫu; phần thuyết minh này bị bỏ qua.",
                        shorten(code_text.trim())
                    ),
                ));
            }
            continue;
        };
        if !reading.narrative_areas.insert(area) {
            if narrative.is_some_and(|d| *d != Data::Empty) {
                reading.diagnostics.push(Diagnostic::error(
                    row + 1,
                    format!("Ô «{reference}»: lĩnh vực {} có hai dòng thuyết minh; hãy gộp vào một ô.", area.as_str()),
                ));
            }
            continue;
        }
        let Some(data) = narrative else { continue };
        let Some(text) = cell_text(data) else {
            if let Data::Error(e) = data {
                reading.diagnostics.push(Diagnostic::error(
                    row + 1,
                    format!("Ô «{reference}»: ô có lỗi Excel ({e}); hãy nhập lại nội dung thuyết minh."),
                ));
            }
            continue;
        };
        let text = normalize_document(&text).trim().to_string();
        if !text.is_empty() {
            reading.content.narratives.insert(area, text);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

fn plain_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}

/// The CSV variant of the form: UTF-8 with BOM, CRLF line ends, identity comment lines
/// (`#agency=…`, `#period=…`, `#plan=…`), the header [`CSV_HEADER`], one row per indicator and
/// one row per reform area (narratives quoted, line breaks kept).
pub fn write_content_csv(form: &ReportForm, content: &ReportContent) -> String {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).flexible(true).from_writer(Vec::new());
    let mut rows: Vec<Vec<String>> = vec![
        vec![format!("#agency={}", form.agency)],
        vec![format!("#period={}", form.period.id)],
        vec![format!("#plan={}", form.plan_key)],
        CSV_HEADER.iter().map(|h| (*h).to_string()).collect(),
    ];
    for indicator in &form.indicators {
        let value =
            |part| content.values.get(&(indicator.code.clone(), part)).map(|v| plain_number(*v)).unwrap_or_default();
        rows.push(vec![
            indicator.code.to_string(),
            indicator.name.clone(),
            value(Part::Numerator),
            value(Part::Denominator),
            content.not_applicable.get(&indicator.code).cloned().unwrap_or_default(),
            String::new(),
        ]);
    }
    for (area, title) in &form.areas {
        let text = content.narratives.get(area).cloned().unwrap_or_default();
        rows.push(vec![area.to_string(), title.clone(), String::new(), String::new(), String::new(), text]);
    }
    for row in rows {
        // Writing into memory cannot fail.
        let _ = writer.write_record(&row);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    format!("\u{feff}{}", String::from_utf8_lossy(&bytes))
}

/// Reads the CSV variant back (any of `,` `;` tab as separator, quoted fields over several
/// lines), with the same identity checks as the workbook (no checksum: the identity lines must
/// match the expected form). Rows may come in any order, but every indicator of the form must
/// appear exactly once and nothing else; area rows are optional (an area not in the file keeps
/// its saved narrative).
pub fn read_content_csv(bytes: &[u8], expected: &ReportForm) -> Result<FormReading, FormError> {
    if bytes.len() > MAX_CSV_BYTES {
        return Err(FormError::TooLarge { size: bytes.len(), kind: FormKind::Csv });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| FormError::CsvNotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header_line = text
        .lines()
        .map(str::trim_start)
        .find(|l| {
            !l.trim_start_matches('"').starts_with('#') && l.chars().any(|c| !matches!(c, ',' | ';' | '\t' | ' '))
        })
        .unwrap_or_default();
    let delimiter = [b',', b';', b'\t'].into_iter().find(|d| header_line.as_bytes().contains(d)).unwrap_or(b',');
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());

    let mut identity: HashMap<String, String> = HashMap::new();
    let mut header: Option<Vec<String>> = None;
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| FormError::CsvMalformed(e.position().map_or(0, csv::Position::line)))?;
        let line = record.position().map_or(0, csv::Position::line);
        let fields: Vec<String> = record.iter().map(|f| f.to_string()).collect();
        let first = fields.first().map(|f| f.trim()).unwrap_or_default();
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if first.starts_with('#') {
            if header.is_none() {
                if let Some((key, value)) = first.trim_start_matches('#').split_once('=') {
                    let (key, value) = (key.trim().to_ascii_lowercase(), value.trim().to_string());
                    if identity.get(&key).is_some_and(|previous| *previous != value) {
                        return Err(FormError::CsvIdentityConflict(key));
                    }
                    identity.insert(key, value);
                }
            }
            continue;
        }
        if header.is_none() {
            let mut names: Vec<String> = fields.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
            while names.last().is_some_and(String::is_empty) {
                names.pop();
            }
            header = Some(names);
            continue;
        }
        rows.push((line, fields));
    }

    let field = |key: &str| {
        identity.get(key).filter(|v| !v.is_empty()).cloned().ok_or_else(|| FormError::CsvIdentityMissing(key.into()))
    };
    let (agency, period, plan) = (field("agency")?, field("period")?, field("plan")?);
    if agency != expected.agency.as_str() {
        return Err(FormError::WrongAgency { found: shorten(&agency), expected: expected.agency_name.clone() });
    }
    if period != expected.period.id.to_string() {
        return Err(FormError::WrongPeriod {
            found: shorten(&period_label(&period)),
            expected: expected.period.id.label_vn(),
        });
    }
    if plan != expected.plan_key {
        return Err(FormError::WrongPlan { found: shorten(&plan), expected: expected.plan_key.clone() });
    }
    let header = header.unwrap_or_default();
    if header == CSV_HEADER_V1 {
        return Err(FormError::CsvOldLayout);
    }
    if header != CSV_HEADER {
        return Err(FormError::CsvHeader(shorten(&header.join(&char::from(delimiter).to_string()))));
    }

    let known: HashMap<&str, &IndicatorCode> = expected.indicators.iter().map(|i| (i.code.as_str(), &i.code)).collect();
    let mut found: Vec<String> = Vec::new();
    let mut reading = FormReading::default();
    for (line, fields) in rows {
        let cell = |n: usize| fields.get(n).map(|f| f.trim()).unwrap_or_default();
        let code_text = cell(0).to_string();
        if let Some(area) = AreaCode::parse(&code_text).filter(|a| expected.areas.iter().any(|(c, _)| c == a)) {
            if !reading.narrative_areas.insert(area) {
                reading.diagnostics.push(Diagnostic::error(
                    line as u32,
                    format!("Dòng {line}: lĩnh vực {area} có hai dòng thuyết minh; hãy gộp vào một dòng."),
                ));
                continue;
            }
            let text = normalize_document(fields.get(5).map(String::as_str).unwrap_or_default()).trim().to_string();
            if !text.is_empty() {
                reading.content.narratives.insert(area, text);
            }
            continue;
        }
        found.push(code_text.clone());
        let Some(code) = known.get(code_text.as_str()) else { continue };
        if !cell(5).is_empty() {
            reading.diagnostics.push(Diagnostic::warning(
                line as u32,
                format!("Dòng {line} ({code}): cột «thuyet_minh» chỉ dùng cho các dòng lĩnh vực; nội dung bị bỏ qua."),
            ));
        }
        for (n, part, column) in [(2, Part::Numerator, "tu_so"), (3, Part::Denominator, "mau_so")] {
            match text_count(cell(n)) {
                Count::Empty => {}
                Count::Value(value) => {
                    reading.content.values.insert(((*code).clone(), part), value);
                }
                Count::Invalid(reason) => {
                    let place = format!("Dòng {line}, cột {column}");
                    reading
                        .diagnostics
                        .push(Diagnostic::error(line as u32, value_problem(&place, part, code, &reason)));
                }
            }
        }
        let reason = normalize_document(cell(4)).trim().to_string();
        if !reason.is_empty() {
            reading.content.not_applicable.insert((*code).clone(), reason);
        }
    }
    let codes = expected_codes(expected);
    let mut sorted_found = found.clone();
    sorted_found.sort();
    let mut sorted_codes = codes.clone();
    sorted_codes.sort();
    if sorted_found != sorted_codes {
        return Err(FormError::IndicatorsDiffer(describe_code_difference(&found, &codes)));
    }
    Ok(reading)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_typed_as_text_are_read_without_guessing() {
        assert_eq!(text_count(""), Count::Empty);
        assert_eq!(text_count("  "), Count::Empty);
        assert_eq!(text_count("125"), Count::Value(125.0));
        assert_eq!(text_count(" 1.234 "), Count::Value(1234.0));
        assert_eq!(text_count("1 234 567"), Count::Value(1_234_567.0));
        assert_eq!(text_count("1\u{a0}234"), Count::Value(1234.0));
        assert_eq!(text_count("007"), Count::Value(7.0));
        assert_eq!(text_count("0"), Count::Value(0.0));
        assert_eq!(text_count("+5"), Count::Value(5.0));
        for refused in
            ["nhiều", "12.34", "1,5", "1.2345", "-3", "−3", "1e3", "12abc", "1..234", ".123", "99999999999999"]
        {
            assert!(matches!(text_count(refused), Count::Invalid(_)), "{refused} must be refused");
        }
        let Count::Invalid(reason) = text_count("-3") else { panic!() };
        assert!(reason.contains("âm"), "{reason}");
        let Count::Invalid(reason) = text_count("2,5") else { panic!() };
        assert!(reason.contains("nguyên"), "{reason}");
    }

    #[test]
    fn numbers_must_be_non_negative_whole_and_finite() {
        assert_eq!(number_count(3.0), Count::Value(3.0));
        assert!(matches!(number_count(-1.0), Count::Invalid(_)));
        assert!(matches!(number_count(2.5), Count::Invalid(_)));
        assert!(matches!(number_count(f64::NAN), Count::Invalid(_)));
        assert!(matches!(number_count(f64::INFINITY), Count::Invalid(_)));
        assert!(matches!(number_count(2e12), Count::Invalid(_)));
    }

    #[test]
    fn cell_references_and_addresses() {
        assert_eq!(cell_ref("Chỉ tiêu", 11, 4), "Chỉ tiêu!E12");
        assert_eq!(col_letter(25), "Z");
        assert_eq!(col_letter(26), "AA");
        assert_eq!(col_letter(16_383), "XFD");
        assert_eq!(package::parse_ref(b"E12"), Some((11, Some(4))));
        assert_eq!(package::parse_ref(b"XFD1048576"), Some((1_048_575, Some(16_383))));
        assert_eq!(package::parse_ref(b"12"), Some((11, None)));
        assert_eq!(package::parse_ref(b"XFE1"), None);
        assert_eq!(package::parse_ref(b"A1048577"), None);
        assert_eq!(package::parse_ref(b"A0"), None);
        assert_eq!(package::parse_ref(b"AAAA1"), None);
        assert_eq!(package::parse_ref(b"A99999999999"), None);
        assert_eq!(package::parse_ref(b"E"), None);
    }

    #[test]
    fn checksum_depends_on_every_field_and_their_boundaries() {
        let codes = vec!["I.1.1".to_string(), "VII.2.1".to_string()];
        let base = identity_checksum("v", "plan", "a", "A", "2024S1", &codes);
        assert_eq!(base.len(), 64);
        assert_ne!(base, identity_checksum("v", "plan", "b", "A", "2024S1", &codes));
        assert_ne!(base, identity_checksum("v", "plan", "a", "A", "2024Q3", &codes));
        assert_ne!(base, identity_checksum("v", "pla", "na", "A", "2024S1", &codes));
        let reordered = vec!["VII.2.1".to_string(), "I.1.1".to_string()];
        assert_ne!(base, identity_checksum("v", "plan", "a", "A", "2024S1", &reordered));
    }

    #[test]
    fn vietnamese_numbers_and_sizes() {
        assert_eq!(format_decimal(80.0, 2), "80");
        assert_eq!(format_decimal(99.5, 2), "99,5");
        assert_eq!(human_size(&(6 * 1024 * 1024)), "6 MB");
        assert_eq!(human_size(&(5 * 1024 * 1024 + 512 * 1024)), "5,5 MB");
        assert_eq!(
            FormError::TooLarge { size: 6 * 1024 * 1024, kind: FormKind::Xlsx }.to_string(),
            "Tệp quá lớn (6 MB); biểu mẫu Excel (.xlsx) tối đa 5 MB."
        );
    }
}
