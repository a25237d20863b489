//! SIPAS survey files: a table of responses (CSV here; XLSX arrives as rows read by
//! `cchc-documents`) becomes [`SurveyResponse`]s plus a line-numbered list of the rows that are
//! not counted and why.
//!
//! The first non-empty row is the header. It must name a form-id column («Mã phiếu», «Số
//! phiếu», `form_id` …), an agency column («Cơ quan», «Đơn vị», `agency` …: an id such as
//! `so-noi-vu` or the agency's name) and item columns («C15», «Câu 15», «15» …: the item number
//! the [`SipasConfig`] maps to an element). Other columns are ignored with a warning. A table
//! without one of the three kinds of column is refused whole ([`SurveyFileError`]).
//!
//! A row is not counted (an error diagnostic with its line) when its form id is missing, its
//! agency is unknown or ambiguous, a rating is not one of the five levels (invalid) or a number
//! outside 1–5 (out of range), it answers nothing, or it is a duplicate: a row identical to an
//! earlier one is not counted again (the earlier one is), and rows sharing a form id with
//! different answers are none of them counted (which one is right cannot be told). An empty
//! cell is an item not answered.

use std::collections::{BTreeMap, HashMap};

use cchc_domain::sipas::{Rating, SipasConfig, SurveyResponse};
use cchc_domain::text::{clean, fold};
use cchc_domain::{AgencyDirectory, Diagnostic};

use crate::agencies::AgencyMatcher;

/// Largest survey file accepted (CSV or XLSX).
pub const MAX_SURVEY_BYTES: usize = 10 * 1024 * 1024;
/// Most data rows in one file.
pub const MAX_SURVEY_ROWS: usize = 100_000;
/// Longest form id kept.
pub const MAX_FORM_ID_CHARS: usize = 64;

/// A row of cells with its 1-based line (CSV line, or spreadsheet row).
pub type Row = (u32, Vec<String>);

/// Why a whole file was refused. Vietnamese: the person importing reads it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SurveyFileError {
    #[error("tệp không có dữ liệu")]
    Empty,
    #[error("tệp quá lớn ({size} byte, tối đa {max} byte)")]
    TooLarge { size: usize, max: usize },
    #[error("tệp có quá nhiều dòng (tối đa {0})")]
    TooManyRows(usize),
    #[error("tệp không phải CSV (UTF-8) hoặc Excel (.xlsx)")]
    NotCsvOrXlsx,
    #[error("không đọc được tệp CSV: {0}")]
    Csv(String),
    #[error("không đọc được tệp Excel: {0}")]
    Xlsx(String),
    #[error("dòng tiêu đề không có cột mã phiếu (ví dụ «Mã phiếu»)")]
    NoFormColumn,
    #[error("dòng tiêu đề không có cột cơ quan (ví dụ «Cơ quan» hoặc «Mã cơ quan»)")]
    NoAgencyColumn,
    #[error("dòng tiêu đề không có cột câu hỏi nào thuộc năm yếu tố (ví dụ «C1» … «C22»)")]
    NoItemColumns,
}

/// What a file holds: the responses to count, each with its line, and the diagnostics (errors:
/// rows not counted; warnings: columns ignored).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SurveyReading {
    pub responses: Vec<(u32, SurveyResponse)>,
    pub diagnostics: Vec<Diagnostic>,
}

impl SurveyReading {
    /// Rows not counted.
    pub fn excluded(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.severity == cchc_domain::Severity::Error)
    }
}

/// The rows of a CSV text (BOM and line ends tolerated; `;` used as separator when the header
/// has more of them than commas, as Excel writes CSV in Vietnamese locales).
pub fn csv_rows(text: &str) -> Result<Vec<Row>, SurveyFileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    let delimiter = if header.matches(';').count() > header.matches(',').count() { b';' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| SurveyFileError::Csv(e.to_string()))?;
        let line = record.position().map_or(0, |p| u32::try_from(p.line()).unwrap_or(u32::MAX));
        rows.push((line, record.iter().map(str::to_string).collect()));
        if rows.len() > MAX_SURVEY_ROWS + 1 {
            return Err(SurveyFileError::TooManyRows(MAX_SURVEY_ROWS));
        }
    }
    Ok(rows)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Form,
    Agency,
    Item(u16),
    Other,
}

const FORM_HEADERS: [&str; 9] =
    ["ma phieu", "so phieu", "phieu", "ma so phieu", "so hieu phieu", "form id", "form", "id phieu", "phieu so"];
const AGENCY_HEADERS: [&str; 10] = [
    "co quan",
    "ma co quan",
    "don vi",
    "ma don vi",
    "co quan don vi",
    "ten co quan",
    "ten don vi",
    "agency",
    "co quan duoc danh gia",
    "co quan giai quyet",
];

/// «C15», «Câu 15», «Q15», «15», «item 15» → 15.
fn item_number(folded: &str) -> Option<u16> {
    let compact: String = folded.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = ["cau", "item", "c", "q"]
        .iter()
        .find_map(|prefix| compact.strip_prefix(prefix).filter(|rest| !rest.is_empty()))
        .unwrap_or(&compact);
    if digits.chars().all(|c| c.is_ascii_digit()) {
        digits.parse().ok()
    } else {
        None
    }
}

fn column_of(header: &str) -> Column {
    let folded = fold(header);
    if FORM_HEADERS.contains(&folded.as_str()) || folded == "form_id" {
        Column::Form
    } else if AGENCY_HEADERS.contains(&folded.as_str()) {
        Column::Agency
    } else if let Some(item) = item_number(&folded) {
        Column::Item(item)
    } else {
        Column::Other
    }
}

fn short(text: &str) -> String {
    let text = clean(text);
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

/// Reads the rows of a survey table (see the module documentation). `directory` is the map the
/// agency column is read against (the survey year's); `year` is given to every response.
pub fn read_survey(
    rows: &[Row],
    year: i32,
    directory: &AgencyDirectory,
    config: &SipasConfig,
) -> Result<SurveyReading, SurveyFileError> {
    let mut rows = rows.iter().filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let (header_line, header) = rows.next().ok_or(SurveyFileError::Empty)?;
    let columns: Vec<Column> = header.iter().map(|h| column_of(h)).collect();
    let mut diagnostics = Vec::new();
    let form_col = columns.iter().position(|c| *c == Column::Form).ok_or(SurveyFileError::NoFormColumn)?;
    let agency_col = columns.iter().position(|c| *c == Column::Agency).ok_or(SurveyFileError::NoAgencyColumn)?;
    let mut items: Vec<(usize, u16)> = Vec::new();
    for (index, column) in columns.iter().enumerate() {
        match column {
            Column::Item(item) if config.element_of(*item).is_some() => {
                if items.iter().any(|(_, i)| i == item) {
                    diagnostics.push(Diagnostic::warning(
                        *header_line,
                        format!("cột «{}» lặp lại câu {item}: bỏ qua cột này", short(&header[index])),
                    ));
                } else {
                    items.push((index, *item));
                }
            }
            Column::Item(_) | Column::Other => diagnostics.push(Diagnostic::warning(
                *header_line,
                format!("cột «{}» không thuộc năm yếu tố: bỏ qua", short(&header[index])),
            )),
            Column::Form | Column::Agency => {}
        }
    }
    if items.is_empty() {
        return Err(SurveyFileError::NoItemColumns);
    }

    let matcher = AgencyMatcher::new(directory);
    let mut candidates: Vec<(u32, SurveyResponse)> = Vec::new();
    // Identical rows seen (cells trimmed) → first line.
    let mut seen_rows: HashMap<Vec<String>, u32> = HashMap::new();
    let error = |line: u32, message: String| Diagnostic::error(line, message);
    for (line, cells) in rows {
        let line = *line;
        let cell = |i: usize| cells.get(i).map(|c| c.trim()).unwrap_or_default();
        let key: Vec<String> = cells.iter().map(|c| clean(c)).collect();
        if let Some(first) = seen_rows.get(&key) {
            diagnostics.push(error(line, format!("trùng hoàn toàn với dòng {first}: không tính lần nữa")));
            continue;
        }
        seen_rows.insert(key, line);
        let form_id = clean(cell(form_col));
        if form_id.is_empty() {
            diagnostics.push(error(line, "thiếu mã phiếu: phiếu không được tính".into()));
            continue;
        }
        if form_id.chars().count() > MAX_FORM_ID_CHARS || form_id.chars().any(char::is_control) {
            diagnostics
                .push(error(line, format!("mã phiếu «{}» không hợp lệ: phiếu không được tính", short(&form_id))));
            continue;
        }
        let agency_text = cell(agency_col);
        let agency = if agency_text.is_empty() {
            Err(format!("phiếu {form_id}: thiếu cơ quan"))
        } else {
            match matcher.find(agency_text).as_slice() {
                [one] => Ok(one.id.clone()),
                [] => Err(format!("phiếu {form_id}: không xác định được cơ quan «{}»", short(agency_text))),
                many => Err(format!(
                    "phiếu {form_id}: «{}» có thể là {} cơ quan ({}); hãy ghi mã cơ quan",
                    short(agency_text),
                    many.len(),
                    many.iter().take(3).map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ")
                )),
            }
        };
        let agency = match agency {
            Ok(agency) => agency,
            Err(message) => {
                diagnostics.push(error(line, format!("{message}: phiếu không được tính")));
                continue;
            }
        };
        let mut answers = BTreeMap::new();
        let mut problems = Vec::new();
        for (index, item) in &items {
            let text = cell(*index);
            if text.is_empty() {
                continue;
            }
            match Rating::parse(text) {
                Some(rating) => {
                    answers.insert(*item, rating);
                }
                None => {
                    let number = text.replace(',', ".").parse::<f64>().ok();
                    problems.push(match number {
                        Some(_) => format!("câu {item}: «{}» ngoài thang 1–5", short(text)),
                        None => format!("câu {item}: «{}» không phải mức đánh giá", short(text)),
                    });
                }
            }
        }
        if !problems.is_empty() {
            diagnostics.push(error(line, format!("phiếu {form_id}: {}: phiếu không được tính", problems.join("; "))));
            continue;
        }
        if answers.is_empty() {
            diagnostics.push(error(line, format!("phiếu {form_id}: không trả lời câu nào: phiếu không được tính")));
            continue;
        }
        candidates.push((line, SurveyResponse { form_id, agency, year, answers }));
    }

    // Rows sharing a form id (not identical rows: those were handled above) are none counted.
    let mut lines_of: HashMap<&str, Vec<u32>> = HashMap::new();
    for (line, response) in &candidates {
        lines_of.entry(response.form_id.as_str()).or_default().push(*line);
    }
    let mut responses = Vec::new();
    let mut duplicated = Vec::new();
    for (line, response) in &candidates {
        let lines = &lines_of[response.form_id.as_str()];
        if lines.len() > 1 {
            let others: Vec<String> = lines.iter().filter(|l| **l != *line).map(u32::to_string).collect();
            duplicated.push(error(
                *line,
                format!(
                    "phiếu {} trùng mã với dòng {} nhưng khác nội dung: không phiếu nào được tính",
                    response.form_id,
                    others.join(", ")
                ),
            ));
        } else {
            responses.push((*line, response.clone()));
        }
    }
    diagnostics.extend(duplicated);
    diagnostics.sort_by_key(|d| d.line);
    Ok(SurveyReading { responses, diagnostics })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cchc_domain::Severity;

    fn directory() -> AgencyDirectory {
        crate::agencies::son_la_2024().0
    }

    fn read(text: &str) -> Result<SurveyReading, SurveyFileError> {
        read_survey(&csv_rows(text)?, 2024, &directory(), &SipasConfig::default())
    }

    fn excluded(reading: &SurveyReading) -> Vec<(u32, String)> {
        reading.excluded().map(|d| (d.line, d.message.clone())).collect()
    }

    #[test]
    fn a_clean_file_gives_every_response() {
        let reading = read(
            "Mã phiếu,Cơ quan,C1,C2,Câu 5,Ghi chú\n\
             P1,so-noi-vu,5,4,Hài lòng,\n\
             P2,Sở Tư pháp,rất không hài lòng,,3,ok\n",
        )
        .unwrap();
        assert_eq!(excluded(&reading), vec![]);
        assert_eq!(reading.responses.len(), 2);
        let (line, second) = &reading.responses[1];
        assert_eq!(*line, 3);
        assert_eq!(second.agency.as_str(), "so-tu-phap");
        assert_eq!(second.answers.len(), 2);
        assert_eq!(second.answers[&1], Rating::new(1).unwrap());
        assert_eq!(second.answers[&5], Rating::new(3).unwrap());
        // «Ghi chú» is ignored with a warning on the header line.
        assert!(reading.diagnostics.iter().any(|d| d.severity == Severity::Warning && d.message.contains("Ghi chú")));
    }

    #[test]
    fn invalid_out_of_range_and_unknown_rows_are_reported_with_their_line() {
        let reading = read(
            "ma phieu;co quan;1;2\n\
             P1;so-noi-vu;6;4\n\
             P2;so-noi-vu;tốt;4\n\
             P3;Cơ quan XYZ;4;4\n\
             ;so-noi-vu;4;4\n\
             P5;so-noi-vu;;\n\
             P6;so-noi-vu;0;4\n\
             P7;so-noi-vu;4;4\n",
        )
        .unwrap();
        let lines: Vec<u32> = excluded(&reading).iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 6, 7]);
        let messages = excluded(&reading);
        assert!(messages[0].1.contains("ngoài thang 1–5"), "{messages:?}");
        assert!(messages[1].1.contains("không phải mức đánh giá"), "{messages:?}");
        assert!(messages[2].1.contains("không xác định được cơ quan"), "{messages:?}");
        assert!(messages[3].1.contains("thiếu mã phiếu"), "{messages:?}");
        assert!(messages[4].1.contains("không trả lời câu nào"), "{messages:?}");
        assert_eq!(reading.responses.len(), 1);
        assert_eq!(reading.responses[0].1.form_id, "P7");
    }

    #[test]
    fn duplicates_are_reported_and_not_counted() {
        let reading = read(
            "Mã phiếu,Cơ quan,C1\n\
             P1,so-noi-vu,5\n\
             P1,so-noi-vu,5\n\
             P2,so-noi-vu,4\n\
             P2,so-noi-vu,2\n\
             P3,so-noi-vu,1\n",
        )
        .unwrap();
        let messages = excluded(&reading);
        assert_eq!(messages.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![3, 4, 5]);
        assert!(messages[0].1.contains("trùng hoàn toàn với dòng 2"));
        assert!(messages[1].1.contains("trùng mã với dòng 5"));
        let counted: Vec<&str> = reading.responses.iter().map(|(_, r)| r.form_id.as_str()).collect();
        assert_eq!(counted, vec!["P1", "P3"]);
    }

    #[test]
    fn unusable_structures_are_refused_whole() {
        assert_eq!(read(""), Err(SurveyFileError::Empty));
        assert_eq!(read("Cơ quan,C1\nso-noi-vu,4\n"), Err(SurveyFileError::NoFormColumn));
        assert_eq!(read("Mã phiếu,C1\nP1,4\n"), Err(SurveyFileError::NoAgencyColumn));
        assert_eq!(read("Mã phiếu,Cơ quan,Ghi chú,C99\nP1,so-noi-vu,x,4\n"), Err(SurveyFileError::NoItemColumns));
    }

    #[test]
    fn item_headers_are_read_in_several_spellings() {
        assert_eq!(column_of("C15"), Column::Item(15));
        assert_eq!(column_of("Câu 15"), Column::Item(15));
        assert_eq!(column_of("q3"), Column::Item(3));
        assert_eq!(column_of("7"), Column::Item(7));
        assert_eq!(column_of("Cơ quan"), Column::Agency);
        assert_eq!(column_of("form_id"), Column::Form);
        assert_eq!(column_of("Số phiếu"), Column::Form);
        assert_eq!(column_of("Ngày"), Column::Other);
    }
}
