//! The readers: CSV and JSON Lines bytes into compact records, with line-numbered diagnostics.
//!
//! A file that is not UTF-8, has no header or lacks a required column is refused whole
//! ([`ReadError`]). Otherwise every malformed row is reported with its line and reason and left
//! out (quarantined), and a `MaHoSo` seen before is reported and its later rows left out.
//!
//! Speed: the input is split at line boundaries into one chunk per thread
//! (`std::thread::scope`); a CSV line is cut with `memchr` and its fields borrowed from the
//! input (only a quoted field with doubled quotes is copied); timestamps are parsed by hand from
//! their 14 digits; codes are interned, so a row allocates nothing unless its dossier code
//! (appended to one shared text) or a new code needs room.

use std::borrow::Cow;

use cchc_domain::dossier::{AgencyIx, CodeIx, Dossier};
use cchc_domain::Diagnostic;
use memchr::memchr;

use crate::columns::{empty_row, parse_row, Column, RawRow, Tables};
use crate::json;

/// The two input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma- (or semicolon-, tab-) separated values with a header row.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

/// How to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// Threads to parse with (at least 1).
    pub threads: usize,
    /// At most this many row problems are listed one by one; the rest are summed up.
    pub max_listed: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { threads: 2, max_listed: 1000 }
    }
}

/// Why a whole file was refused. The messages are Vietnamese: users see them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("tệp không phải văn bản UTF-8 (lỗi mã hóa ở dòng {line}); hãy lưu lại tệp với bảng mã UTF-8")]
    NotUtf8 { line: u32 },
    #[error("tệp trống: không có dòng tiêu đề")]
    Empty,
    #[error("thiếu cột bắt buộc: {}", .0.join(", "))]
    MissingColumns(Vec<&'static str>),
    #[error("cột {0} có hai lần trong dòng tiêu đề")]
    DuplicateColumn(&'static str),
}

/// The records read, with their dossier codes and the code tables their indices refer to.
#[derive(Debug, Clone, Default)]
pub struct DossierSet {
    pub records: Vec<Dossier>,
    ids: String,
    id_ends: Vec<usize>,
    /// `DonViXuLy` codes; [`AgencyIx`] indexes this.
    pub agencies: Vec<String>,
    /// `MaTTHC` codes; index 0 is the empty code.
    pub procedures: Vec<String>,
    /// `MaLinhVuc` codes; index 0 is the empty code.
    pub fields: Vec<String>,
}

impl DossierSet {
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The `MaHoSo` of record `i`.
    pub fn id(&self, i: usize) -> Option<&str> {
        let end = *self.id_ends.get(i)?;
        let start = if i == 0 { 0 } else { self.id_ends[i - 1] };
        self.ids.get(start..end)
    }

    pub fn agency_code(&self, agency: AgencyIx) -> Option<&str> {
        self.agencies.get(agency.0 as usize).map(String::as_str)
    }

    pub fn procedure_code(&self, code: CodeIx) -> Option<&str> {
        self.procedures.get(code.0 as usize).map(String::as_str)
    }

    pub fn field_code(&self, code: CodeIx) -> Option<&str> {
        self.fields.get(code.0 as usize).map(String::as_str)
    }
}

/// What a reader returns for a file it accepted.
#[derive(Debug, Clone, Default)]
pub struct ReadOutcome {
    pub set: DossierSet,
    /// Vietnamese, line-numbered: unknown columns, quarantined rows, duplicates.
    pub diagnostics: Vec<Diagnostic>,
    /// Non-blank data rows seen.
    pub rows: usize,
    /// Rows left out as malformed.
    pub quarantined: usize,
    /// Rows left out because their `MaHoSo` came earlier.
    pub duplicates: usize,
}

/// Reads `input` in `format`.
pub fn read(input: &[u8], format: Format, options: &ReadOptions) -> Result<ReadOutcome, ReadError> {
    match format {
        Format::Csv => read_csv(input, options),
        Format::JsonLines => read_jsonl(input, options),
    }
}

/// The part of the input one thread parsed.
#[derive(Default)]
struct Part {
    records: Vec<Dossier>,
    /// 1-based line of each record, relative to the chunk until merged.
    lines: Vec<u32>,
    ids: String,
    id_ends: Vec<usize>,
    /// Hash of each record's code, computed in the worker thread for the duplicate check.
    hashes: Vec<u64>,
    tables: Tables,
    problems: Vec<(u32, String)>,
    rows: usize,
    quarantined: usize,
    /// Lines in the chunk.
    line_count: u32,
}

impl Part {
    fn take(&mut self, line: u32, row: &RawRow<'_>, max_listed: usize) {
        self.rows += 1;
        match parse_row(row, &mut self.tables) {
            Ok(dossier) => {
                self.records.push(dossier);
                self.lines.push(line);
                let id = row[Column::MaHoSo.index()].trim_ascii();
                self.hashes.push(hash_code(id));
                self.ids.push_str(&String::from_utf8_lossy(id));
                self.id_ends.push(self.ids.len());
            }
            Err(reason) => self.quarantine(line, reason, max_listed),
        }
    }

    fn quarantine(&mut self, line: u32, reason: String, max_listed: usize) {
        self.quarantined += 1;
        if self.problems.len() < max_listed {
            self.problems.push((line, reason));
        }
    }
}

fn check_utf8(input: &[u8]) -> Result<&[u8], ReadError> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    match std::str::from_utf8(input) {
        Ok(_) => Ok(input),
        Err(e) => {
            let before = &input[..e.valid_up_to()];
            let line = memchr::memchr_iter(b'\n', before).count() + 1;
            Err(ReadError::NotUtf8 { line: u32::try_from(line).unwrap_or(u32::MAX) })
        }
    }
}

/// Splits `body` into up to `n` chunks ending at line boundaries.
fn chunks(body: &[u8], n: usize) -> Vec<&[u8]> {
    let n = n.max(1);
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    for k in 1..n {
        let target = (body.len() * k / n).max(start);
        if target >= body.len() {
            break;
        }
        match memchr(b'\n', &body[target..]) {
            Some(i) => {
                let end = target + i + 1;
                out.push(&body[start..end]);
                start = end;
            }
            None => break,
        }
    }
    out.push(&body[start..]);
    out
}

/// Calls `f` on each line of `chunk` with its 1-based number within the chunk (without the line
/// break and a trailing carriage return), and returns the number of lines.
pub(crate) fn for_each_line<'a>(chunk: &'a [u8], mut f: impl FnMut(u32, &'a [u8])) -> u32 {
    let mut pos = 0;
    let mut number = 0u32;
    while pos < chunk.len() {
        let end = memchr(b'\n', &chunk[pos..]).map_or(chunk.len(), |i| pos + i);
        let line = &chunk[pos..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        number += 1;
        f(number, line);
        pos = end + 1;
    }
    number
}

/// Parses the chunks in parallel with `parse` and merges them.
fn run(
    chunks: Vec<&[u8]>,
    first_line: u32,
    options: &ReadOptions,
    parse: impl Fn(&[u8]) -> Part + Sync,
) -> ReadOutcome {
    let parts: Vec<Part> = if chunks.len() == 1 {
        chunks.iter().map(|c| parse(c)).collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = chunks.iter().map(|c| scope.spawn(|| parse(c))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
        })
    };
    merge(parts, first_line, options)
}

fn merge(parts: Vec<Part>, first_line: u32, options: &ReadOptions) -> ReadOutcome {
    let mut parts = parts.into_iter();
    let mut base = parts.next().unwrap_or_default();
    let mut offset = first_line;
    for line in base.lines.iter_mut() {
        *line += offset;
    }
    for (line, _) in base.problems.iter_mut() {
        *line += offset;
    }
    offset += base.line_count;
    for mut part in parts {
        let remap = |from: &crate::intern::Interner, into: &mut crate::intern::Interner| -> Vec<u32> {
            from.codes().iter().map(|code| into.intern(code.as_bytes())).collect()
        };
        let agencies = remap(&part.tables.agencies, &mut base.tables.agencies);
        let procedures = remap(&part.tables.procedures, &mut base.tables.procedures);
        let fields = remap(&part.tables.fields, &mut base.tables.fields);
        base.records.extend(part.records.iter().map(|d| Dossier {
            agency: AgencyIx(agencies[d.agency.0 as usize]),
            procedure: CodeIx(procedures[d.procedure.0 as usize]),
            field: CodeIx(fields[d.field.0 as usize]),
            ..*d
        }));
        base.lines.extend(part.lines.iter().map(|l| l + offset));
        base.hashes.extend_from_slice(&part.hashes);
        let shift = base.ids.len();
        base.ids.push_str(&part.ids);
        base.id_ends.extend(part.id_ends.iter().map(|e| e + shift));
        let room = options.max_listed.saturating_sub(base.problems.len());
        base.problems.extend(part.problems.drain(..).take(room).map(|(l, m)| (l + offset, m)));
        base.rows += part.rows;
        base.quarantined += part.quarantined;
        offset += part.line_count;
    }
    finish(base, options)
}

/// Duplicate codes, diagnostics, and the final set.
fn finish(part: Part, options: &ReadOptions) -> ReadOutcome {
    let Part { records, lines, ids, id_ends, hashes, tables, mut problems, rows, quarantined, .. } = part;
    let mut set = DossierSet {
        records,
        ids,
        id_ends,
        agencies: tables.agencies.into_codes(),
        procedures: tables.procedures.into_codes(),
        fields: tables.fields.into_codes(),
    };
    // Duplicate codes: sort (hash, row) pairs and compare the codes within runs of equal
    // hashes — cheaper than a hash map of millions of string keys.
    let mut order: Vec<(u64, u32)> = hashes.iter().enumerate().map(|(i, &h)| (h, i as u32)).collect();
    order.sort_unstable();
    // (row, row of the first occurrence)
    let mut duplicate_rows: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && order[end].0 == order[start].0 {
            end += 1;
        }
        if end - start > 1 {
            // Rows in this run are in file order (the sort is by hash, then row).
            for k in start + 1..end {
                let row = order[k].1 as usize;
                let id = set.id(row);
                if let Some(first) = order[start..k].iter().map(|&(_, r)| r as usize).find(|&r| set.id(r) == id) {
                    duplicate_rows.push((row, first));
                }
            }
        }
        start = end;
    }
    duplicate_rows.sort_unstable();
    let mut listed_duplicates = Vec::new();
    for &(row, first) in &duplicate_rows {
        if problems.len() + listed_duplicates.len() >= options.max_listed {
            break;
        }
        let id = set.id(row).unwrap_or("");
        let first = lines[first];
        listed_duplicates.push((lines[row], format!("MaHoSo «{id}» đã có ở dòng {first}; dòng này bị bỏ qua")));
    }
    let duplicates = duplicate_rows.len();
    if duplicates > 0 {
        let mut keep = vec![true; set.records.len()];
        for &(i, _) in &duplicate_rows {
            keep[i] = false;
        }
        let mut ids = String::with_capacity(set.ids.len());
        let mut ends = Vec::with_capacity(set.records.len() - duplicates);
        let mut records = Vec::with_capacity(set.records.len() - duplicates);
        for (i, &kept) in keep.iter().enumerate() {
            if kept {
                ids.push_str(set.id(i).unwrap_or(""));
                ends.push(ids.len());
                records.push(set.records[i]);
            }
        }
        set.records = records;
        set.ids = ids;
        set.id_ends = ends;
    }
    problems.extend(listed_duplicates);
    problems.sort_by_key(|&(line, _)| line);
    let mut diagnostics: Vec<Diagnostic> =
        problems.into_iter().map(|(line, message)| Diagnostic::error(line, message)).collect();
    let unlisted = (quarantined + duplicates).saturating_sub(diagnostics.len());
    if unlisted > 0 {
        diagnostics.push(Diagnostic::error(0, format!("còn {unlisted} dòng bị loại khác không liệt kê từng dòng")));
    }
    ReadOutcome { set, diagnostics, rows, quarantined, duplicates }
}

fn hash_code(code: &[u8]) -> u64 {
    crate::intern::code_hash(code)
}

/// The CSV layout read from the header.
pub(crate) struct Layout {
    pub(crate) delimiter: u8,
    /// The column of each position of the header; `None` for a column not used.
    pub(crate) slots: Vec<Option<Column>>,
}

pub(crate) fn header(line: &[u8], line_no: u32) -> Result<(Layout, Vec<Diagnostic>), ReadError> {
    let count = |b: u8| line.iter().filter(|&&c| c == b).count();
    let delimiter = [b',', b';', b'\t'].into_iter().max_by_key(|&b| count(b)).unwrap_or(b',');
    let mut slots = Vec::new();
    let mut notes = Vec::new();
    let mut found = [false; crate::columns::COLUMN_COUNT];
    for name in line.split(|&b| b == delimiter) {
        let name = String::from_utf8_lossy(name);
        let name = name.trim().trim_matches('"');
        match Column::from_name(name) {
            Some(column) => {
                if found[column.index()] {
                    return Err(ReadError::DuplicateColumn(column.name()));
                }
                found[column.index()] = true;
                slots.push(Some(column));
            }
            None => {
                notes.push(Diagnostic::info(line_no, format!("cột «{name}» không dùng đến, bỏ qua")));
                slots.push(None);
            }
        }
    }
    let missing: Vec<&'static str> =
        Column::REQUIRED.into_iter().filter(|c| !found[c.index()]).map(Column::name).collect();
    if !missing.is_empty() {
        return Err(ReadError::MissingColumns(missing));
    }
    Ok((Layout { delimiter, slots }, notes))
}

/// Cuts one CSV line into its values (RFC 4180 quoting within the line; a quoted value cannot
/// span lines).
pub(crate) fn split_fields<'a>(line: &'a [u8], layout: &Layout) -> Result<RawRow<'a>, String> {
    let mut row = empty_row();
    let delimiter = layout.delimiter;
    let mut count = 0usize;
    let mut pos = 0usize;
    loop {
        let rest = &line[pos..];
        let (value, next): (Cow<'a, [u8]>, Option<usize>) = if rest.first() == Some(&b'"') {
            let body = &rest[1..];
            let mut owned: Option<Vec<u8>> = None;
            let mut k = 0;
            loop {
                let Some(q) = memchr(b'"', &body[k..]) else {
                    return Err(format!("cột thứ {}: dấu ngoặc kép không được đóng", count + 1));
                };
                let at = k + q;
                if body.get(at + 1) == Some(&b'"') {
                    owned.get_or_insert_with(Vec::new).extend_from_slice(&body[k..=at]);
                    k = at + 2;
                    continue;
                }
                let value = match owned.take() {
                    Some(mut v) => {
                        v.extend_from_slice(&body[k..at]);
                        Cow::Owned(v)
                    }
                    None => Cow::Borrowed(&body[..at]),
                };
                let after = pos + 1 + at + 1;
                let next = match line.get(after) {
                    None => None,
                    Some(&b) if b == delimiter => Some(after + 1),
                    Some(_) => {
                        return Err(format!("cột thứ {}: có ký tự sau dấu ngoặc kép đóng", count + 1));
                    }
                };
                break (value, next);
            }
        } else {
            match memchr(delimiter, rest) {
                Some(k) => (Cow::Borrowed(&rest[..k]), Some(pos + k + 1)),
                None => (Cow::Borrowed(rest), None),
            }
        };
        if let Some(Some(column)) = layout.slots.get(count) {
            row[column.index()] = value;
        }
        count += 1;
        match next {
            Some(n) => pos = n,
            None => break,
        }
    }
    if count != layout.slots.len() {
        return Err(format!("dòng có {count} cột, dòng tiêu đề có {}", layout.slots.len()));
    }
    Ok(row)
}

/// Reads CSV: a header row naming the columns (any order; `,` `;` or tab, whichever the header
/// uses most), then one dossier per line.
pub fn read_csv(input: &[u8], options: &ReadOptions) -> Result<ReadOutcome, ReadError> {
    let input = check_utf8(input)?;
    // The header: the first non-blank line.
    let mut pos = 0;
    let mut header_line = 0u32;
    let (layout, notes) = loop {
        if pos >= input.len() {
            return Err(ReadError::Empty);
        }
        let end = memchr(b'\n', &input[pos..]).map_or(input.len(), |i| pos + i);
        let line = &input[pos..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        header_line += 1;
        pos = (end + 1).min(input.len());
        if !line.trim_ascii().is_empty() {
            break header(line, header_line)?;
        }
    };
    let body = &input[pos..];
    let max_listed = options.max_listed;
    let mut outcome = run(chunks(body, options.threads), header_line, options, |chunk| {
        let mut part = Part::default();
        let lines = for_each_line(chunk, |n, line| {
            if line.trim_ascii().is_empty() {
                return;
            }
            match split_fields(line, &layout) {
                Ok(row) => part.take(n, &row, max_listed),
                Err(reason) => {
                    part.rows += 1;
                    part.quarantine(n, reason, max_listed);
                }
            }
        });
        part.line_count = lines;
        part
    });
    let mut diagnostics = notes;
    diagnostics.append(&mut outcome.diagnostics);
    outcome.diagnostics = diagnostics;
    Ok(outcome)
}

/// Reads JSON Lines: one JSON object per line, keys named as the CSV columns, the supplement
/// requests as the list `DanhSachHoSoBoSung`.
pub fn read_jsonl(input: &[u8], options: &ReadOptions) -> Result<ReadOutcome, ReadError> {
    let input = check_utf8(input)?;
    if input.trim_ascii().is_empty() {
        return Err(ReadError::Empty);
    }
    let max_listed = options.max_listed;
    Ok(run(chunks(input, options.threads), 0, options, |chunk| {
        let mut part = Part::default();
        let lines = for_each_line(chunk, |n, line| {
            if line.trim_ascii().is_empty() {
                return;
            }
            match json::parse_line(line) {
                Ok(row) => part.take(n, &row, max_listed),
                Err(reason) => {
                    part.rows += 1;
                    part.quarantine(n, reason, max_listed);
                }
            }
        });
        part.line_count = lines;
        part
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn chunks_end_at_line_boundaries_and_cover_everything() {
        let body = b"a\nbb\nccc\ndddd\ne";
        for n in 1..6 {
            let parts = chunks(body, n);
            assert_eq!(parts.concat(), body.to_vec());
            for part in &parts[..parts.len() - 1] {
                assert_eq!(part.last(), Some(&b'\n'));
            }
        }
    }

    #[test]
    fn quoted_values_may_hold_delimiters_and_doubled_quotes() {
        let layout = Layout { delimiter: b',', slots: vec![Some(Column::MaHoSo), Some(Column::DonViXuLy), None] };
        let row = split_fields(br#""a,b","x ""y""",z"#, &layout).unwrap();
        assert_eq!(&*row[Column::MaHoSo.index()], b"a,b");
        assert_eq!(&*row[Column::DonViXuLy.index()], b"x \"y\"");
        assert!(split_fields(br#""a,b,c"#, &layout).unwrap_err().contains("không được đóng"));
        assert!(split_fields(br#""a"b,c,d"#, &layout).unwrap_err().contains("sau dấu ngoặc kép"));
        assert!(split_fields(b"a,b", &layout).unwrap_err().contains("2 cột"));
    }
}
