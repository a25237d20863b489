//! The streaming readers: a file read in blocks (never whole), parsed on worker threads, each row
//! handed to the caller as soon as its block is parsed — the path of `indicators --file` and of
//! the import, whose memory does not grow with the file.
//!
//! A reader thread fills blocks of [`StreamOptions::block_bytes`] with `std::fs::File::read`
//! and cuts them after their last line break (a longer line grows its block); the header is
//! parsed once, before; `threads` workers parse whole blocks (UTF-8 check, fields, rows) into
//! per-block results; the calling thread takes those results in file order, so line numbers,
//! the order of diagnostics and "the first `MaHoSo` wins" are the same as the whole-file reader
//! ([`crate::read`]), which stays the reference (the tests compare both).
//!
//! Duplicates of `MaHoSo` are found exactly after the pass: every accepted row's 64-bit code
//! hash is kept with its row number in 4,096 buckets (16 bytes a row); each bucket goes through
//! a small open-addressing set (in cache), and only the rows whose hash repeats (duplicates, and the rare hash collision) are read
//! again, from their blocks, to compare the codes themselves. Their effect is then taken out
//! (the counts of a later duplicate are subtracted; the import skips its row).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};

use cchc_domain::dossier::{tally, AgencyIx, Counts, Dossier, Window, WorkdayIndex};
use cchc_domain::Diagnostic;
use memchr::{memchr, memrchr};

use crate::columns::{parse_row_with, parse_values, Column, Tables, Values, COLUMN_COUNT};
use crate::intern::{code_hash, Interner};
use crate::json;
use crate::read::{for_each_line, header, split_fields, Format, Layout, ReadError};

/// Where the bytes come from.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// A file, read block by block.
    Path(&'a Path),
    /// Bytes already in memory (an upload).
    Bytes(&'a [u8]),
}

/// How to stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamOptions {
    /// Worker threads parsing blocks (at least 1); the reader thread comes on top.
    pub threads: usize,
    /// At most this many row problems are listed one by one; the rest are summed up.
    pub max_listed: usize,
    /// Bytes read per block (a line longer than this grows its block).
    pub block_bytes: usize,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions { threads: 2, max_listed: 1000, block_bytes: 16 << 20 }
    }
}

/// Why a streamed file gave no result.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// Refused whole (encoding, header).
    #[error(transparent)]
    Refused(#[from] ReadError),
    #[error("không đọc được tệp: {0}")]
    Io(#[from] std::io::Error),
}

enum Source<'a> {
    File(File),
    Bytes(&'a [u8]),
}

impl Read for Source<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Source::File(f) => f.read(buf),
            Source::Bytes(b) => b.read(buf),
        }
    }
}

impl Input<'_> {
    fn open(&self) -> std::io::Result<Source<'_>> {
        match *self {
            Input::Path(p) => File::open(p).map(Source::File),
            Input::Bytes(b) => Ok(Source::Bytes(b)),
        }
    }

    /// `len` bytes at `offset` (a block read again).
    fn read_at(&self, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
        match *self {
            Input::Path(p) => {
                let mut file = File::open(p)?;
                file.seek(SeekFrom::Start(offset))?;
                let mut out = vec![0u8; len];
                file.read_exact(&mut out)?;
                Ok(out)
            }
            Input::Bytes(b) => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX);
                b.get(start..start.saturating_add(len))
                    .map(<[u8]>::to_vec)
                    .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))
            }
        }
    }
}

/// How a line becomes raw values.
pub(crate) enum Kind {
    Csv(Layout),
    Json,
}

/// The part of the input before the rows.
struct Head {
    kind: Kind,
    notes: Vec<Diagnostic>,
    /// Physical lines before the first row's (the header and blank lines before it).
    lines: u32,
    /// Byte offset of the body in the input.
    offset: u64,
    /// Body bytes already read.
    carry: Vec<u8>,
}

/// Reads up to `more` further bytes into `buf`; `true` at the end of the input.
fn read_more(source: &mut Source<'_>, buf: &mut Vec<u8>, more: usize) -> std::io::Result<bool> {
    let start = buf.len();
    buf.resize(start + more.max(1), 0);
    let mut len = start;
    let eof = loop {
        if len == buf.len() {
            break false;
        }
        match source.read(&mut buf[len..]) {
            Ok(0) => break true,
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    };
    buf.truncate(len);
    Ok(eof)
}

fn not_utf8(bytes: &[u8], lines_before: u32) -> Result<(), ReadError> {
    match std::str::from_utf8(bytes) {
        Ok(_) => Ok(()),
        Err(e) => {
            let line = memchr::memchr_iter(b'\n', &bytes[..e.valid_up_to()]).count() + 1;
            let line = u32::try_from(line).unwrap_or(u32::MAX).saturating_add(lines_before);
            Err(ReadError::NotUtf8 { line })
        }
    }
}

/// Checks that the rest of the input is UTF-8 (the whole-file reader checks the encoding before
/// the header: a file refused for both is refused for its encoding).
fn rest_is_utf8(source: &mut Source<'_>, first: &[u8], mut lines: u32, block: usize) -> Result<(), StreamError> {
    let mut buf = first.to_vec();
    loop {
        let eof = read_more(source, &mut buf, block)?;
        let cut = if eof { buf.len() } else { memrchr(b'\n', &buf).map_or(0, |i| i + 1) };
        not_utf8(&buf[..cut], lines)?;
        if eof {
            return Ok(());
        }
        lines = lines.saturating_add(u32::try_from(memchr::memchr_iter(b'\n', &buf[..cut]).count()).unwrap_or(0));
        buf.drain(..cut);
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn start(source: &mut Source<'_>, format: Format, block: usize) -> Result<Head, StreamError> {
    let mut head = Vec::new();
    let mut eof = read_more(source, &mut head, block.max(4096))?;
    while head.len() < BOM.len() && !eof {
        eof = read_more(source, &mut head, block.max(4096))?;
    }
    let bom = if head.starts_with(BOM) { BOM.len() } else { 0 };
    if format == Format::JsonLines {
        let carry = head.split_off(bom);
        return Ok(Head { kind: Kind::Json, notes: Vec::new(), lines: 0, offset: bom as u64, carry });
    }
    let mut pos = bom;
    let mut line_no = 0u32;
    loop {
        let end = match memchr(b'\n', &head[pos..]) {
            Some(i) => pos + i,
            None if !eof => {
                eof = read_more(source, &mut head, block.max(4096))?;
                continue;
            }
            None => head.len(),
        };
        line_no += 1;
        let line = &head[pos..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let next = (end + 1).min(head.len());
        if !line.trim_ascii().is_empty() {
            not_utf8(&head[bom..end], 0)?;
            return match header(line, line_no) {
                Ok((layout, notes)) => Ok(Head {
                    kind: Kind::Csv(layout),
                    notes,
                    lines: line_no,
                    offset: next as u64,
                    carry: head[next..].to_vec(),
                }),
                Err(refused) => {
                    rest_is_utf8(source, &head[next..], line_no, block.max(4096))?;
                    Err(refused.into())
                }
            };
        }
        if next >= head.len() {
            not_utf8(&head[bom..], 0)?;
            return Err(ReadError::Empty.into());
        }
        pos = next;
    }
}

/// One block's rows, parsed by a worker.
pub(crate) struct Parsed<T> {
    /// What the caller's row function gathered.
    pub acc: T,
    /// The `MaHoSo` hash of each accepted row, in order.
    pub hashes: Vec<u64>,
    /// The block's own code tables (its records' indices refer to them).
    pub tables: Tables,
    /// Quarantined rows (line within the block, reason), at most `max_listed`.
    pub problems: Vec<(u32, String)>,
    pub rows: usize,
    pub quarantined: usize,
    /// Lines in the block.
    pub lines: u32,
    /// Line (within the block) of the first byte that is not UTF-8.
    pub bad_utf8: Option<u32>,
}

/// What a row function sees: the gathered state, the row's line within its block, its trimmed
/// `MaHoSo` and its record (codes index the block's tables).
pub(crate) type RowFn<'f, T> = dyn Fn(&mut T, u32, &[u8], &Dossier) + Sync + 'f;

fn parse_block<T: Default>(
    block: &[u8],
    kind: &Kind,
    codes: bool,
    max_listed: usize,
    on_row: &RowFn<'_, T>,
) -> Parsed<T> {
    let mut out = Parsed {
        acc: T::default(),
        hashes: Vec::with_capacity(block.len() / 96 + 1),
        tables: Tables::default(),
        problems: Vec::new(),
        rows: 0,
        quarantined: 0,
        lines: 0,
        bad_utf8: None,
    };
    if let Err(ReadError::NotUtf8 { line }) = not_utf8(block, 0) {
        out.bad_utf8 = Some(line);
        return out;
    }
    let Parsed { acc, hashes, tables, problems, rows, quarantined, .. } = &mut out;
    let mut quarantine = |line: u32, reason: String| {
        *quarantined += 1;
        if problems.len() < max_listed {
            problems.push((line, reason));
        }
    };
    let lines = for_each_line(block, |n, line| {
        if line.trim_ascii().is_empty() {
            return;
        }
        *rows += 1;
        // Fast path: a CSV line without quotes and with the header's number of values.
        if let Kind::Csv(layout) = kind {
            if let Some(values) = split_plain(line, layout) {
                match parse_values(&values, tables, codes) {
                    Ok(d) => {
                        let id = values[Column::MaHoSo.index()].trim_ascii();
                        hashes.push(code_hash(id));
                        on_row(acc, n, id, &d);
                    }
                    Err(reason) => quarantine(n, reason),
                }
                return;
            }
        }
        let raw = match kind {
            Kind::Csv(layout) => split_fields(line, layout),
            Kind::Json => json::parse_line(line),
        };
        match raw.and_then(|raw| parse_row_with(&raw, tables, codes).map(|d| (raw, d))) {
            Ok((raw, d)) => {
                let id = raw[Column::MaHoSo.index()].trim_ascii();
                hashes.push(code_hash(id));
                on_row(acc, n, id, &d);
            }
            Err(reason) => quarantine(n, reason),
        }
    });
    out.lines = lines;
    out
}

/// The values of a CSV line without quotes, when it has as many as the header; `None` sends
/// the line to [`split_fields`] (quotes, or the reason it is refused).
fn split_plain<'a>(line: &'a [u8], layout: &Layout) -> Option<Values<'a>> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // The high bit of each byte of `x` that is zero, exactly (no borrow between bytes).
    let zero_bytes = |x: u64| !(((x & LOW7) + LOW7) | x | LOW7);
    let delimiter = layout.delimiter;
    let delimiters = ONES * u64::from(delimiter);
    let quotes = ONES * u64::from(b'"');
    let slots = &layout.slots;
    let mut values: Values<'a> = [b""; COLUMN_COUNT];
    let mut start = 0usize;
    let mut count = 0usize;
    let mut cut = |end: usize, count: &mut usize, start: &mut usize| {
        if let Some(Some(column)) = slots.get(*count) {
            values[column.index()] = &line[*start..end];
        }
        *count += 1;
        *start = end + 1;
    };
    // Eight bytes at a time: the positions of delimiters as bits, any quote sends the line to
    // the full splitter.
    let mut words = line.chunks_exact(8);
    let mut base = 0usize;
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let w = u64::from_le_bytes(bytes);
        if zero_bytes(w ^ quotes) != 0 {
            return None;
        }
        let mut hits = zero_bytes(w ^ delimiters);
        while hits != 0 {
            let at = base + (hits.trailing_zeros() / 8) as usize;
            cut(at, &mut count, &mut start);
            hits &= hits - 1;
        }
        base += 8;
    }
    for (k, &b) in words.remainder().iter().enumerate() {
        if b == b'"' {
            return None;
        }
        if b == delimiter {
            cut(base + k, &mut count, &mut start);
        }
    }
    cut(line.len(), &mut count, &mut start);
    (count == slots.len()).then_some(values)
}

/// Where a block lies in the input and in the count of rows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlockMeta {
    pub offset: u64,
    pub len: usize,
    /// Line number of the block's line 0 (its first line is `first_line + 1`).
    pub first_line: u32,
    /// Accepted rows before the block.
    pub first_row: u64,
}

struct Block {
    seq: usize,
    offset: u64,
    buf: Vec<u8>,
    len: usize,
}

enum Msg<T> {
    Done(usize, u64, usize, Box<Parsed<T>>),
    Failed(std::io::Error),
}

/// Reads `source` from `carry` on in blocks, parses them on `threads` workers and hands each
/// block's result to `consume` in input order.
#[allow(clippy::too_many_arguments)]
fn pipeline<T: Default + Send>(
    mut source: Source<'_>,
    carry: Vec<u8>,
    offset: u64,
    kind: &Kind,
    codes: bool,
    options: &StreamOptions,
    on_row: &RowFn<'_, T>,
    consume: &mut dyn FnMut(u64, usize, Parsed<T>) -> Result<(), StreamError>,
) -> Result<(), StreamError> {
    let threads = options.threads.max(1);
    let block = options.block_bytes.max(1);
    let max_listed = options.max_listed;
    let stop = AtomicBool::new(false);
    let (work_tx, work_rx) = mpsc::sync_channel::<Block>(1);
    let work_rx = Mutex::new(work_rx);
    let (pool_tx, pool_rx) = mpsc::channel::<Vec<u8>>();
    let (done_tx, done_rx) = mpsc::channel::<Msg<T>>();
    // Blocks read but not yet consumed are bounded: the reader takes a token per block, the
    // consumer gives it back (a slow consumer, like an import writing a segment, holds the
    // parsers back instead of letting their results pile up).
    let in_flight = threads + 2;
    let (token_tx, token_rx) = mpsc::sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        let _ = token_tx.send(());
    }
    let mut token_tx = Some(token_tx);
    std::thread::scope(|scope| {
        let reader_done = done_tx.clone();
        let stop = &stop;
        scope.spawn(move || {
            let mut pending = carry;
            let mut offset = offset;
            let mut seq = 0usize;
            let mut eof = false;
            while !eof && !stop.load(Ordering::Relaxed) {
                if token_rx.recv().is_err() {
                    return;
                }
                let mut buf = pool_rx.try_recv().unwrap_or_default();
                let mut len = pending.len();
                let mut target = block.max(len.saturating_mul(2));
                if buf.len() < target {
                    buf.resize(target, 0);
                }
                buf[..len].copy_from_slice(&pending);
                pending.clear();
                loop {
                    while len < target {
                        match source.read(&mut buf[len..target]) {
                            Ok(0) => {
                                eof = true;
                                break;
                            }
                            Ok(n) => len += n,
                            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                            Err(e) => {
                                let _ = reader_done.send(Msg::Failed(e));
                                return;
                            }
                        }
                    }
                    if eof || memrchr(b'\n', &buf[..len]).is_some() {
                        break;
                    }
                    // A line longer than the block: read on.
                    target = len.saturating_mul(2).max(len + 1);
                    buf.resize(target, 0);
                }
                let cut = if eof { len } else { memrchr(b'\n', &buf[..len]).map_or(len, |i| i + 1) };
                pending.extend_from_slice(&buf[cut..len]);
                if cut > 0 {
                    if work_tx.send(Block { seq, offset, buf, len: cut }).is_err() {
                        return;
                    }
                    seq += 1;
                    offset += cut as u64;
                }
            }
        });
        for _ in 0..threads {
            let done = done_tx.clone();
            let pool = pool_tx.clone();
            let work_rx = &work_rx;
            scope.spawn(move || loop {
                let next = match work_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok(b) = next else { return };
                let parsed = parse_block(&b.buf[..b.len], kind, codes, max_listed, on_row);
                let (seq, offset, len) = (b.seq, b.offset, b.len);
                let _ = pool.send(b.buf);
                if done.send(Msg::Done(seq, offset, len, Box::new(parsed))).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        drop(pool_tx);
        let mut waiting: BTreeMap<usize, (u64, usize, Box<Parsed<T>>)> = BTreeMap::new();
        let mut next = 0usize;
        let mut result = Ok(());
        for msg in done_rx.iter() {
            if result.is_err() {
                continue;
            }
            match msg {
                Msg::Failed(e) => {
                    result = Err(e.into());
                    stop.store(true, Ordering::Relaxed);
                    token_tx = None;
                }
                Msg::Done(seq, offset, len, parsed) => {
                    waiting.insert(seq, (offset, len, parsed));
                    while let Some((offset, len, parsed)) = waiting.remove(&next) {
                        next += 1;
                        if let Err(e) = consume(offset, len, *parsed) {
                            result = Err(e);
                            stop.store(true, Ordering::Relaxed);
                            token_tx = None;
                            break;
                        }
                        if let Some(tokens) = &token_tx {
                            let _ = tokens.try_send(());
                        }
                    }
                }
            }
        }
        result
    })
}

/// What [`run_blocks`] hands over besides the blocks.
pub(crate) struct Pass {
    kind: Kind,
    pub notes: Vec<Diagnostic>,
    pub rows: usize,
    pub blocks: Vec<BlockMeta>,
}

/// Streams `input`: the header, then every block's parsed rows to `consume` in order with its
/// position (line numbers and row numbers made absolute). Refuses a file as the whole-file
/// reader does (encoding first, then header or emptiness).
pub(crate) fn run_blocks<T: Default + Send>(
    input: Input<'_>,
    format: Format,
    options: &StreamOptions,
    codes: bool,
    on_row: &RowFn<'_, T>,
    mut consume: impl FnMut(&BlockMeta, Parsed<T>) -> Result<(), StreamError>,
) -> Result<Pass, StreamError> {
    let mut source = input.open()?;
    let head = start(&mut source, format, options.block_bytes)?;
    let mut blocks = Vec::new();
    let mut line = head.lines;
    let mut row = 0u64;
    let mut rows = 0usize;
    pipeline(source, head.carry, head.offset, &head.kind, codes, options, on_row, &mut |offset, len, parsed| {
        if let Some(bad) = parsed.bad_utf8 {
            return Err(ReadError::NotUtf8 { line: line.saturating_add(bad) }.into());
        }
        let meta = BlockMeta { offset, len, first_line: line, first_row: row };
        line = line.saturating_add(parsed.lines);
        row += parsed.hashes.len() as u64;
        rows += parsed.rows;
        blocks.push(meta);
        consume(&meta, parsed)
    })?;
    if format == Format::JsonLines && rows == 0 {
        return Err(ReadError::Empty.into());
    }
    Ok(Pass { kind: head.kind, notes: head.notes, rows, blocks })
}

/// A row left out because its `MaHoSo` came earlier.
#[derive(Debug, Clone)]
pub(crate) struct Duplicate {
    /// Accepted-row number (0-based, input order).
    pub row: u64,
    pub line: u32,
    pub first_line: u32,
    pub id: String,
    /// The record, its agency an index into the scan's agency table (other codes unset).
    pub record: Dossier,
}

/// A whole pass with the duplicates resolved.
pub(crate) struct Scan {
    pub notes: Vec<Diagnostic>,
    /// Quarantined rows (absolute line, reason), at most `max_listed`, in input order.
    pub problems: Vec<(u32, String)>,
    pub rows: usize,
    pub quarantined: usize,
    /// `DonViXuLy` codes of the accepted rows, in order of first appearance.
    pub agencies: Interner,
    /// Sorted by row.
    pub duplicates: Vec<Duplicate>,
}

impl Scan {
    /// The diagnostics the whole-file reader gives: header notes, then the listed problems and
    /// duplicates by line, then the sum of those not listed.
    pub fn diagnostics(&self, max_listed: usize) -> Vec<Diagnostic> {
        let mut listed: Vec<(u32, String)> = self.problems.clone();
        let room = max_listed.saturating_sub(listed.len());
        listed.extend(
            self.duplicates
                .iter()
                .take(room)
                .map(|d| (d.line, format!("MaHoSo «{}» đã có ở dòng {}; dòng này bị bỏ qua", d.id, d.first_line))),
        );
        listed.sort_by_key(|&(line, _)| line);
        let mut out = self.notes.clone();
        let listed_count = listed.len();
        out.extend(listed.into_iter().map(|(line, message)| Diagnostic::error(line, message)));
        let unlisted = (self.quarantined + self.duplicates.len()).saturating_sub(listed_count);
        if unlisted > 0 {
            out.push(Diagnostic::error(0, format!("còn {unlisted} dòng bị loại khác không liệt kê từng dòng")));
        }
        out
    }
}

const BUCKET_BITS: u32 = 12;

/// Streams `input` once: `on_row` runs on the workers for every accepted row, `consume` on the
/// calling thread for every block in order (with the map of the block's agency indices into the
/// scan's table); then the duplicates are resolved.
pub(crate) fn scan<T: Default + Send>(
    input: Input<'_>,
    format: Format,
    options: &StreamOptions,
    codes: bool,
    on_row: &RowFn<'_, T>,
    mut consume: impl FnMut(&BlockMeta, Parsed<T>, &[u32]) -> Result<(), StreamError>,
) -> Result<Scan, StreamError> {
    let mut agencies = Interner::default();
    let mut problems = Vec::new();
    let mut quarantined = 0usize;
    // Room for about one row per 110 bytes (a generated row has 130–140): pages not used are
    // never touched.
    let size = match input {
        Input::Path(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
        Input::Bytes(b) => b.len() as u64,
    };
    let per_bucket = usize::try_from((size / 110) >> BUCKET_BITS).unwrap_or(0);
    let mut buckets: Vec<Vec<(u64, u64)>> = (0..1 << BUCKET_BITS).map(|_| Vec::with_capacity(per_bucket)).collect();
    let pass = run_blocks(input, format, options, codes, on_row, |meta, parsed| {
        quarantined += parsed.quarantined;
        let room = options.max_listed.saturating_sub(problems.len());
        problems
            .extend(parsed.problems.iter().take(room).map(|(l, m)| (meta.first_line.saturating_add(*l), m.clone())));
        for (k, &h) in parsed.hashes.iter().enumerate() {
            buckets[(h >> (64 - BUCKET_BITS)) as usize].push((h, meta.first_row + k as u64));
        }
        let remap: Vec<u32> = parsed.tables.agencies.codes().iter().map(|c| agencies.intern(c.as_bytes())).collect();
        consume(meta, parsed, &remap)
    })?;
    let groups = repeated_hashes(buckets, options.threads);
    let duplicates = if groups.is_empty() { Vec::new() } else { resolve(input, &pass, &groups, &mut agencies)? };
    Ok(Scan { notes: pass.notes, problems, rows: pass.rows, quarantined, agencies, duplicates })
}

/// Rows sharing a hash, each group in row order.
fn repeated_hashes(mut buckets: Vec<Vec<(u64, u64)>>, threads: usize) -> Vec<Vec<u64>> {
    let work = |part: &mut [Vec<(u64, u64)>]| {
        let mut groups = Vec::new();
        // Per bucket, an open-addressing set of its hashes (a few thousand: in cache), then only
        // the hashes seen twice are gathered — no sort of the millions of rows.
        let mut table: Vec<u64> = Vec::new();
        for bucket in part.iter_mut() {
            let size = (bucket.len() * 2).next_power_of_two().max(16);
            table.clear();
            table.resize(size, 0);
            let mask = size - 1;
            let mut zero_seen = false;
            let mut repeated: Vec<u64> = Vec::new();
            for &(h, _) in bucket.iter() {
                if h == 0 {
                    if zero_seen {
                        repeated.push(0);
                    }
                    zero_seen = true;
                    continue;
                }
                // The bucket fixes the top bits: probe with the low ones.
                let mut slot = (h as usize) & mask;
                loop {
                    let here = table[slot];
                    if here == 0 {
                        table[slot] = h;
                        break;
                    }
                    if here == h {
                        repeated.push(h);
                        break;
                    }
                    slot = (slot + 1) & mask;
                }
            }
            if !repeated.is_empty() {
                repeated.sort_unstable();
                repeated.dedup();
                for h in repeated {
                    // Rows were pushed in input order.
                    groups.push(bucket.iter().filter(|e| e.0 == h).map(|e| e.1).collect::<Vec<u64>>());
                }
            }
            *bucket = Vec::new();
        }
        groups
    };
    let share = buckets.len().div_ceil(threads.max(1)).max(1);
    let mut groups: Vec<Vec<u64>> = std::thread::scope(|scope| {
        let handles: Vec<_> = buckets.chunks_mut(share).map(|part| scope.spawn(move || work(part))).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    groups.sort_unstable();
    groups
}

/// Reads again the blocks holding rows of `groups` and compares their codes.
fn resolve(
    input: Input<'_>,
    pass: &Pass,
    groups: &[Vec<u64>],
    agencies: &mut Interner,
) -> Result<Vec<Duplicate>, StreamError> {
    let mut wanted: Vec<u64> = groups.iter().flatten().copied().collect();
    wanted.sort_unstable();
    wanted.dedup();
    // (line, id, record) of every wanted row.
    let mut found: BTreeMap<u64, (u32, String, Dossier)> = BTreeMap::new();
    let mut k = 0;
    while k < wanted.len() {
        let b = pass.blocks.partition_point(|m| m.first_row <= wanted[k]).saturating_sub(1);
        let Some(meta) = pass.blocks.get(b) else { break };
        let next_row = pass.blocks.get(b + 1).map_or(u64::MAX, |m| m.first_row);
        let bytes = input.read_at(meta.offset, meta.len)?;
        let collect: &RowFn<'_, Vec<(u32, String, Dossier)>> =
            &|acc, line, id, d| acc.push((line, String::from_utf8_lossy(id).into_owned(), *d));
        let parsed = parse_block(&bytes, &pass.kind, false, 0, collect);
        let codes = parsed.tables.agencies.codes();
        while k < wanted.len() && wanted[k] < next_row {
            let row = wanted[k];
            if let Some((line, id, d)) = usize::try_from(row - meta.first_row).ok().and_then(|i| parsed.acc.get(i)) {
                let agency = codes.get(d.agency.0 as usize).map_or(0, |c| agencies.intern(c.as_bytes()));
                found.insert(
                    row,
                    (meta.first_line.saturating_add(*line), id.clone(), Dossier { agency: AgencyIx(agency), ..*d }),
                );
            }
            k += 1;
        }
    }
    let mut out = Vec::new();
    for group in groups {
        for (k, &row) in group.iter().enumerate().skip(1) {
            let Some((line, id, record)) = found.get(&row) else { continue };
            let first = group[..k].iter().filter_map(|r| found.get(r)).find(|(_, other, _)| other == id);
            if let Some((first_line, _, _)) = first {
                out.push(Duplicate { row, line: *line, first_line: *first_line, id: id.clone(), record: *record });
            }
        }
    }
    out.sort_by_key(|d| d.row);
    Ok(out)
}

/// The counts of one window per `DonViXuLy`, straight from a file.
#[derive(Debug, Clone, Default)]
pub struct WindowCounts {
    /// `DonViXuLy` codes, in order of first appearance; `counts` is indexed alike.
    pub agencies: Vec<String>,
    pub counts: Vec<Counts>,
    /// As [`crate::ReadOutcome::diagnostics`].
    pub diagnostics: Vec<Diagnostic>,
    pub rows: usize,
    pub quarantined: usize,
    pub duplicates: usize,
}

/// Reads `input` block by block and counts `window` per agency as
/// [`cchc_domain::dossier::tally`] counts the records [`crate::read`] returns — without keeping
/// the records: each row is tallied on its worker, and later duplicates are subtracted.
pub fn count_window(
    input: Input<'_>,
    format: Format,
    options: &StreamOptions,
    window: Window,
    index: &WorkdayIndex,
) -> Result<WindowCounts, StreamError> {
    let mut counts: Vec<Counts> = Vec::new();
    let on_row: &RowFn<'_, Vec<Counts>> = &|acc, _, _, d| {
        let a = d.agency.0 as usize;
        if acc.len() <= a {
            acc.resize(a + 1, Counts::default());
        }
        tally(d, window, index, &mut acc[a]);
    };
    let scan = scan(input, format, options, false, on_row, |_, parsed, remap| {
        for (local, c) in parsed.acc.iter().enumerate() {
            let global = remap.get(local).copied().unwrap_or(0) as usize;
            if counts.len() <= global {
                counts.resize(global + 1, Counts::default());
            }
            counts[global].add(c);
        }
        Ok(())
    })?;
    counts.resize(scan.agencies.len(), Counts::default());
    for d in &scan.duplicates {
        let mut out = Counts::default();
        tally(&d.record, window, index, &mut out);
        if let Some(c) = counts.get_mut(d.record.agency.0 as usize) {
            c.subtract(&out);
        }
    }
    Ok(WindowCounts {
        diagnostics: scan.diagnostics(options.max_listed),
        rows: scan.rows,
        quarantined: scan.quarantined,
        duplicates: scan.duplicates.len(),
        agencies: scan.agencies.into_codes(),
        counts,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn repeated_hashes_are_grouped_in_row_order_whatever_their_bits() {
        let mut buckets: Vec<Vec<(u64, u64)>> = vec![Vec::new(); 1 << BUCKET_BITS];
        // Hashes that share their low bits (same probe start), zero, and singles.
        let rows = [(5u64, 0u64), (5 + (1 << 20), 1), (0, 2), (7, 3), (5, 4), (0, 5), (5 + (1 << 20), 6), (5, 7)];
        for &(h, row) in &rows {
            buckets[(h >> (64 - BUCKET_BITS)) as usize].push((h, row));
        }
        let top = u64::MAX - 3;
        buckets[(top >> (64 - BUCKET_BITS)) as usize].extend([(top, 8), (top, 9)]);
        for threads in [1, 2, 3] {
            let groups = repeated_hashes(buckets.clone(), threads);
            assert_eq!(groups, vec![vec![0, 4, 7], vec![1, 6], vec![2, 5], vec![8, 9]]);
        }
    }
}
