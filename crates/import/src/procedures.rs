//! The procedure counts per agency (`ma_co_quan,so_tthc`), imported by Sở Nội vụ until dossier
//! data exist; inspection planning favours agencies with many procedures.

use cchc_domain::{AgencyDirectory, AgencyId, Diagnostic};

/// The header the file must start with.
pub const PROCEDURES_HEADER: &str = "ma_co_quan,so_tthc";

/// Reads the CSV (comma-separated, cells may be quoted; ids and numbers never contain commas): a header `ma_co_quan,so_tthc`, then one agency id (as `cchc agencies` shows it)
/// and one whole number per line. Every problem is an error with its line; the rows that read
/// are returned too (the caller refuses the file when there is an error).
pub fn parse_procedure_counts(text: &str, directory: &AgencyDirectory) -> (Vec<(AgencyId, u32)>, Vec<Diagnostic>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows: Vec<(AgencyId, u32)> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut saw_header = false;
    for (i, raw) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let cells: Vec<&str> = raw.split(',').map(|c| c.trim().trim_matches('"').trim()).collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        if !saw_header {
            saw_header = true;
            if cells.join(",") != PROCEDURES_HEADER {
                diagnostics.push(Diagnostic::error(line, format!("dòng đầu phải là tiêu đề «{PROCEDURES_HEADER}»")));
            }
            continue;
        }
        let [id, count] = cells.as_slice() else {
            diagnostics.push(Diagnostic::error(line, "cần đúng 2 cột: mã cơ quan, số thủ tục hành chính"));
            continue;
        };
        let Some(agency) = AgencyId::parse(id) else {
            diagnostics.push(Diagnostic::error(line, format!("mã cơ quan «{id}» không hợp lệ")));
            continue;
        };
        if directory.agency(&agency).is_none() {
            diagnostics.push(Diagnostic::error(line, format!("không có cơ quan mã «{agency}» trong danh mục")));
            continue;
        }
        let Ok(n) = count.parse::<u32>() else {
            diagnostics.push(Diagnostic::error(line, format!("số TTHC «{count}» không phải số nguyên không âm")));
            continue;
        };
        if rows.iter().any(|(a, _)| *a == agency) {
            diagnostics.push(Diagnostic::error(line, format!("cơ quan «{agency}» xuất hiện hai lần")));
            continue;
        }
        rows.push((agency, n));
    }
    if !saw_header {
        diagnostics.push(Diagnostic::error(1, format!("tệp trống; cần tiêu đề «{PROCEDURES_HEADER}»")));
    }
    (rows, diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cchc_domain::Severity;

    #[test]
    fn counts_are_read_with_line_numbered_errors() {
        let (directory, _) = crate::agencies::son_la_2024();
        let text =
            "\u{feff}ma_co_quan,so_tthc\nso-tu-phap,120\n\nso-khong-co,3\nso-noi-vu,-1\nso-tu-phap,5\nso-noi-vu\n";
        let (rows, diagnostics) = parse_procedure_counts(text, &directory);
        assert_eq!(rows, vec![(AgencyId::parse("so-tu-phap").expect("id"), 120)]);
        let lines: Vec<u32> = diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, vec![4, 5, 6, 7]);
        assert!(diagnostics.iter().all(|d| d.severity == Severity::Error));
        let (_, empty) = parse_procedure_counts("", &directory);
        assert_eq!(empty.len(), 1);
        let (_, bad_header) = parse_procedure_counts("agency,count\n", &directory);
        assert_eq!(bad_header[0].line, 1);
    }
}
