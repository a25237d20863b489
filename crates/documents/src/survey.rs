//! SIPAS survey workbooks (an online survey's export, or a sheet keyed from paper forms): the
//! rows of the first sheet as text, each with its 1-based row number, for `cchc-import` to read.
//! The package is inspected within the same bounds as report forms (size, parts, unpacked size)
//! before calamine sees it.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{Data, Reader, Xlsx};

use crate::form::{cell_text, package, FormError};

/// Largest workbook accepted.
pub const MAX_SURVEY_XLSX_BYTES: usize = 10 * 1024 * 1024;
/// Most cells read from the sheet (100 000 responses of 30 columns).
const MAX_SURVEY_CELLS: usize = 3_000_000;

/// Whether the bytes look like an XLSX package (a zip) — or an old/encrypted Excel file, which
/// is refused with its own message.
pub fn looks_like_xlsx(bytes: &[u8]) -> bool {
    const CFB: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&CFB)
}

fn message(error: FormError) -> String {
    match error {
        FormError::NotXlsx => "tệp không phải là tệp Excel .xlsx".into(),
        FormError::LegacyOrEncrypted => {
            "tệp Excel 97–2003 (.xls) hoặc có mật khẩu; hãy lưu lại dưới dạng .xlsx, không đặt mật khẩu".into()
        }
        FormError::Suspicious(what) => format!("tệp có cấu trúc bất thường ({what})"),
        FormError::Unreadable(what) => format!("tệp có thể bị hỏng ({what})"),
        other => other.to_string(),
    }
}

/// The non-empty rows of the workbook's first sheet, cells as text (numbers as Excel shows
/// them: `4`, not `4.0`), or why the file cannot be read (Vietnamese). Never panics.
pub fn xlsx_rows(bytes: &[u8]) -> Result<Vec<(u32, Vec<String>)>, String> {
    if bytes.len() > MAX_SURVEY_XLSX_BYTES {
        return Err(format!("tệp quá lớn (tối đa {} MB)", MAX_SURVEY_XLSX_BYTES / 1024 / 1024));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(message(FormError::LegacyOrEncrypted));
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(message(FormError::NotXlsx));
    }
    match catch_unwind(AssertUnwindSafe(|| read(bytes))) {
        Ok(result) => result.map_err(message),
        Err(_) => Err("lỗi khi phân tích tệp".into()),
    }
}

fn read(bytes: &[u8]) -> Result<Vec<(u32, Vec<String>)>, FormError> {
    package::open(bytes)?;
    let mut xlsx: Xlsx<Cursor<&[u8]>> = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsxError::Password => FormError::LegacyOrEncrypted,
        calamine::XlsxError::Zip(_) => FormError::NotXlsx,
        other => crate::form::unreadable(other),
    })?;
    let sheet =
        xlsx.sheet_names().first().cloned().ok_or_else(|| FormError::Unreadable("không có trang tính".into()))?;
    let mut reader = xlsx.worksheet_cells_reader(&sheet).map_err(crate::form::unreadable)?;
    let mut cells: BTreeMap<u32, BTreeMap<u32, String>> = BTreeMap::new();
    let mut seen = 0usize;
    while let Some(cell) = reader.next_cell().map_err(crate::form::unreadable)? {
        seen += 1;
        if seen > MAX_SURVEY_CELLS {
            return Err(FormError::Suspicious(format!("trang «{sheet}» có quá nhiều ô")));
        }
        let (row, col) = cell.get_position();
        if col > 1_000 {
            continue;
        }
        if let Some(text) = cell_text(&Data::from(cell.get_value().clone())) {
            if !text.trim().is_empty() {
                cells.entry(row).or_default().insert(col, text);
            }
        }
    }
    Ok(cells
        .into_iter()
        .map(|(row, values)| {
            let width = values.keys().last().map_or(0, |c| *c as usize + 1);
            let mut line = vec![String::new(); width];
            for (col, text) in values {
                line[col as usize] = text;
            }
            (row + 1, line)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_sheet_is_read_as_text_rows() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "Mã phiếu").unwrap();
        sheet.write_string(0, 1, "Cơ quan").unwrap();
        sheet.write_string(0, 2, "C1").unwrap();
        sheet.write_string(2, 0, "P1").unwrap();
        sheet.write_string(2, 1, "so-noi-vu").unwrap();
        sheet.write_number(2, 2, 4.0).unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let rows = xlsx_rows(&bytes).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0], (1, vec!["Mã phiếu".to_string(), "Cơ quan".into(), "C1".into()]));
        assert_eq!(rows[1], (3, vec!["P1".to_string(), "so-noi-vu".into(), "4".into()]));
    }

    #[test]
    fn other_files_are_refused() {
        assert!(xlsx_rows(b"Ma phieu,Co quan\n").unwrap_err().contains(".xlsx"));
        assert!(xlsx_rows(b"PK\x03\x04garbage").is_err());
        assert!(xlsx_rows(&vec![0u8; MAX_SURVEY_XLSX_BYTES + 1]).unwrap_err().contains("quá lớn"));
    }
}
