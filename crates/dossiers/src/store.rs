//! The dossier store: a folder of immutable segment files, a `MaHoSo` index, the engine's
//! counters and a manifest naming the current generation of each.
//!
//! ```text
//! <dir>/MANIFEST                    text: format, generation, index base, dossiers, segments,
//!                                   calendar fingerprint (counters rebuilt when it changes)
//! <dir>/index-<B>.bin               the index's base: "CCHCIDX1", count u64, then (id hash u64,
//!                                   content hash u64, segment u32, row u32) sorted by id hash;
//!                                   rewritten only when the delta outgrows a quarter of it
//! <dir>/delta-<G>.bin               "CCHCDLT1", entries added since the base (sorted), base
//!                                   positions replaced since: what a day's append writes
//! <dir>/aggregates-<G>.bin          the engine's counters (`engine::Aggregates::to_bytes`)
//! <dir>/codes-<G>.bin               "CCHCCOD1", then the DonViXuLy, MaTTHC, MaLinhVuc tables
//!                                   (u32 count, then u32 length + UTF-8 bytes per code)
//! <dir>/segments/seg-<S>.bin        per SEGMENT_ROWS new dossiers of an import: "CCHCSEG1",
//!                                   count u64, `count` fixed 48-byte records, `count` u32 ends
//!                                   of the MaHoSo texts, the texts
//! <dir>/parquet/year=Y/month=M/seg-<S>.parquet   the live rows of segment S received in that
//!                                   month, every input column under its Vietnamese name
//! ```
//!
//! An import writes its new files under fresh names (temporary name, then rename), then
//! replaces `MANIFEST` by renaming a temporary file over it: that rename is the commit. A crash
//! before it leaves the previous generation intact (files it does not name are ignored and
//! overwritten later); a refused file writes nothing. All integers are little-endian.
//!
//! Idempotence: a dossier whose `MaHoSo` hash and content hash are both in the index is skipped;
//! a known `MaHoSo` with new content replaces the old version (its footprint is subtracted from
//! the counters, its index entry repointed, its segment's Parquet files rewritten without it).

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::hash::Hasher;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use cchc_domain::calendar::WorkCalendar;
use cchc_domain::dossier::{
    AgencyIx, Channel, CodeIx, Dossier, DossierFlags, DossierRating, Moment, OnlineLevel, Payment, Status, WorkdayIndex,
};

use crate::engine::{footprint, Aggregates};
use crate::intern::{code_hash, content_hash, Interner};
use crate::read::{DossierSet, Format};
use crate::stream::{self, Input, RowFn, StreamError, StreamOptions};
use cchc_domain::Diagnostic;

const SEGMENT_MAGIC: &[u8; 8] = b"CCHCSEG1";
const INDEX_MAGIC: &[u8; 8] = b"CCHCIDX1";
const CODES_MAGIC: &[u8; 8] = b"CCHCCOD1";
const MANIFEST: &str = "MANIFEST";
const FORMAT_LINE: &str = "cchc-dossiers 1";
/// Bytes of one record in a segment.
pub const RECORD_BYTES: usize = 48;
/// The years the store's working-day index covers.
pub const INDEX_YEARS: (i32, i32) = crate::columns::YEARS;

/// Why the store could not be read or written. Vietnamese: users see it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("lỗi đọc/ghi kho hồ sơ «{path}»: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("kho hồ sơ bị hỏng: {0}")]
    Corrupt(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { path: path.display().to_string(), source }
}

/// The working-day index every footprint of the store is computed with.
pub fn store_index(calendar: &WorkCalendar) -> WorkdayIndex {
    WorkdayIndex::for_years(calendar, INDEX_YEARS.0, INDEX_YEARS.1)
}

/// A fingerprint of the working days `index` covers (its range and which days work): the
/// counters depend on them through the legal appointment dates, so a store records the
/// fingerprint it was computed with and rebuilds its counters when the calendar changes.
pub fn calendar_fingerprint(index: &WorkdayIndex) -> u64 {
    let mut hasher = crate::intern::FastHasher::default();
    hasher.write_u32(index.first().get());
    hasher.write_u32(index.last().get());
    let mut word = 0u64;
    let mut bits = 0u32;
    let mut day = index.first();
    while day <= index.last() {
        word = (word << 1) | u64::from(index.is_working(day) == Some(true));
        bits += 1;
        if bits == 64 {
            hasher.write_u64(word);
            (word, bits) = (0, 0);
        }
        day = day.plus(1);
    }
    hasher.write_u64(word);
    hasher.finish()
}

/// One `MaHoSo` in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    id: u64,
    content: u64,
    segment: u32,
    row: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Manifest {
    generation: u64,
    /// Generation whose `index-<base>.bin` is the index's base (`delta-<generation>.bin` holds
    /// what changed since).
    base: u64,
    /// Live dossiers.
    dossiers: u64,
    segments: Vec<u32>,
    /// [`calendar_fingerprint`] of the working-day index the counters were computed with
    /// (`None` in stores written before it was recorded).
    calendar: Option<u64>,
}

impl Manifest {
    fn parse(text: &str) -> Result<Manifest, StoreError> {
        let mut lines = text.lines();
        if lines.next() != Some(FORMAT_LINE) {
            return Err(StoreError::Corrupt("tệp MANIFEST không đúng định dạng".into()));
        }
        let mut manifest = Manifest::default();
        for line in lines {
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            match key {
                "generation" => {
                    manifest.generation = value
                        .parse()
                        .map_err(|_| StoreError::Corrupt("số thế hệ trong MANIFEST không hợp lệ".into()))?
                }
                "base" => {
                    manifest.base = value
                        .parse()
                        .map_err(|_| StoreError::Corrupt("số thế hệ gốc trong MANIFEST không hợp lệ".into()))?
                }
                "dossiers" => {
                    manifest.dossiers =
                        value.parse().map_err(|_| StoreError::Corrupt("số hồ sơ trong MANIFEST không hợp lệ".into()))?
                }
                "segments" => {
                    manifest.segments = value
                        .split_whitespace()
                        .map(|s| {
                            s.parse().map_err(|_| StoreError::Corrupt("số đoạn trong MANIFEST không hợp lệ".into()))
                        })
                        .collect::<Result<_, _>>()?
                }
                "calendar" => {
                    manifest.calendar = Some(u64::from_str_radix(value, 16).map_err(|_| {
                        StoreError::Corrupt("dấu vân tay lịch làm việc trong MANIFEST không hợp lệ".into())
                    })?)
                }
                _ => {}
            }
        }
        Ok(manifest)
    }

    fn text(&self) -> String {
        let segments: Vec<String> = self.segments.iter().map(u32::to_string).collect();
        let calendar = self.calendar.map(|c| format!("calendar {c:016x}\n")).unwrap_or_default();
        format!(
            "{FORMAT_LINE}\ngeneration {}\nbase {}\ndossiers {}\nsegments {}\n{calendar}",
            self.generation,
            self.base,
            self.dossiers,
            segments.join(" ")
        )
    }
}

/// Where an index entry lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Delta(usize),
    Base(u32),
}

/// The `MaHoSo` index: a sorted base file kept as bytes (not decoded, not rewritten by small
/// appends), a sorted delta of entries added since, and the base positions replaced since.
#[derive(Debug, Default)]
struct Index {
    /// 24-byte entries sorted by id hash.
    base: Vec<u8>,
    delta: Vec<Entry>,
    /// Sorted base positions no longer live.
    tombstones: Vec<u32>,
}

impl Index {
    fn base_count(&self) -> usize {
        self.base.len() / 24
    }

    fn base_entry(&self, i: usize) -> Entry {
        decode_entry(&self.base[i * 24..i * 24 + 24])
    }

    fn entry(&self, slot: Slot) -> Entry {
        match slot {
            Slot::Delta(k) => self.delta[k],
            Slot::Base(p) => self.base_entry(p as usize),
        }
    }

    fn is_dead(&self, p: usize) -> bool {
        self.tombstones.binary_search(&(p as u32)).is_ok()
    }

    /// The live entries with id hash `h`: the delta's, then the base's.
    fn with_hash(&self, h: u64) -> Vec<(Slot, Entry)> {
        let mut out = Vec::new();
        let start = self.delta.partition_point(|e| e.id < h);
        for (k, e) in self.delta[start..].iter().enumerate().take_while(|(_, e)| e.id == h) {
            out.push((Slot::Delta(start + k), *e));
        }
        let (mut lo, mut hi) = (0, self.base_count());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.base_entry(mid).id < h {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let mut p = lo;
        while p < self.base_count() && self.base_entry(p).id == h {
            if !self.is_dead(p) {
                out.push((Slot::Base(p as u32), self.base_entry(p)));
            }
            p += 1;
        }
        out
    }

    fn live_base(&self) -> impl Iterator<Item = Entry> + '_ {
        let mut dead = self.tombstones.iter().peekable();
        (0..self.base_count()).filter_map(move |p| {
            if dead.next_if(|&&d| d as usize == p).is_some() {
                None
            } else {
                Some(self.base_entry(p))
            }
        })
    }

    fn live(&self) -> impl Iterator<Item = Entry> + '_ {
        self.live_base().chain(self.delta.iter().copied())
    }

    fn len(&self) -> usize {
        self.base_count() - self.tombstones.len() + self.delta.len()
    }
}

fn decode_entry(c: &[u8]) -> Entry {
    Entry {
        id: u64::from_le_bytes(c[0..8].try_into().unwrap_or_default()),
        content: u64::from_le_bytes(c[8..16].try_into().unwrap_or_default()),
        segment: u32::from_le_bytes(c[16..20].try_into().unwrap_or_default()),
        row: u32::from_le_bytes(c[20..24].try_into().unwrap_or_default()),
    }
}

const DELTA_MAGIC: &[u8; 8] = b"CCHCDLT1";

fn encode_delta(entries: &[Entry], tombstones: &[u32]) -> Vec<u8> {
    let mut out = DELTA_MAGIC.to_vec();
    out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    out.extend_from_slice(&(tombstones.len() as u64).to_le_bytes());
    for e in entries {
        out.extend_from_slice(&e.id.to_le_bytes());
        out.extend_from_slice(&e.content.to_le_bytes());
        out.extend_from_slice(&e.segment.to_le_bytes());
        out.extend_from_slice(&e.row.to_le_bytes());
    }
    for t in tombstones {
        out.extend_from_slice(&t.to_le_bytes());
    }
    out
}

fn decode_delta(bytes: &[u8]) -> Option<(Vec<Entry>, Vec<u32>)> {
    let rest = bytes.strip_prefix(DELTA_MAGIC)?;
    let n = usize::try_from(u64::from_le_bytes(rest.get(..8)?.try_into().ok()?)).ok()?;
    let t = usize::try_from(u64::from_le_bytes(rest.get(8..16)?.try_into().ok()?)).ok()?;
    let body = rest.get(16..)?;
    if body.len() != n.checked_mul(24)?.checked_add(t.checked_mul(4)?)? {
        return None;
    }
    let entries = body[..n * 24].chunks_exact(24).map(decode_entry).collect();
    let tombstones = body[n * 24..].chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    Some((entries, tombstones))
}

/// What an append did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppendReport {
    /// Dossiers not in the store before.
    pub added: usize,
    /// Dossiers whose earlier version was replaced by changed content.
    pub replaced: usize,
    /// Dossiers already stored with the same content.
    pub unchanged: usize,
    /// Live dossiers in the store afterwards.
    pub total: usize,
}

/// The state of the store: everything but the segments' records.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub aggregates: Aggregates,
    /// `DonViXuLy` codes; the aggregates' agency index refers to this table.
    pub agencies: Vec<String>,
    pub procedures: Vec<String>,
    pub fields: Vec<String>,
    /// Live dossiers.
    pub dossiers: usize,
}

/// A store in a folder (created on the first append).
#[derive(Debug, Clone)]
pub struct DossierStore {
    dir: PathBuf,
    /// New dossiers per segment written by an append (bounds an import's memory).
    segment_rows: usize,
}

/// New dossiers per segment by default: about 40 MB of records and codes held at a time.
pub const SEGMENT_ROWS: usize = 1 << 19;

/// Progress of a long step: a Vietnamese label, done, total.
pub type Progress<'a> = &'a mut dyn FnMut(&str, u64, u64);

impl DossierStore {
    pub fn new(dir: &Path) -> DossierStore {
        DossierStore { dir: dir.to_path_buf(), segment_rows: SEGMENT_ROWS }
    }

    /// The same store writing at most `rows` new dossiers per segment.
    pub fn with_segment_rows(mut self, rows: usize) -> DossierStore {
        self.segment_rows = rows.max(1);
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The committed generation (0 for an empty store): it changes with every commit, so a
    /// caller may keep a [`Snapshot`] for as long as the generation stays.
    pub fn generation(&self) -> Result<u64, StoreError> {
        Ok(self.manifest()?.generation)
    }

    fn manifest(&self) -> Result<Manifest, StoreError> {
        let path = self.dir.join(MANIFEST);
        match fs::read_to_string(&path) {
            Ok(text) => Manifest::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest::default()),
            Err(e) => Err(io(&path)(e)),
        }
    }

    fn generation_file(&self, stem: &str, generation: u64) -> PathBuf {
        self.dir.join(format!("{stem}-{generation}.bin"))
    }

    fn segment_path(&self, segment: u32) -> PathBuf {
        self.dir.join("segments").join(format!("seg-{segment:06}.bin"))
    }

    /// The counters and code tables, without touching the segments: what a window query needs.
    pub fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let manifest = self.manifest()?;
        if manifest.generation == 0 {
            return Ok(Snapshot::default());
        }
        let path = self.generation_file("aggregates", manifest.generation);
        let bytes = fs::read(&path).map_err(io(&path))?;
        let aggregates = Aggregates::from_bytes(&bytes)
            .ok_or_else(|| StoreError::Corrupt(format!("tệp {} không đọc được", path.display())))?;
        let [agencies, procedures, fields] = self.codes(manifest.generation)?;
        let dossiers = manifest.dossiers as usize;
        Ok(Snapshot { aggregates, agencies, procedures, fields, dossiers })
    }

    /// [`DossierStore::snapshot`] for counters computed with `index`: when the store's were
    /// computed with another working-day calendar (a holiday added or moved since), they are
    /// rebuilt from the segments in one pass and committed as a new generation first.
    pub fn snapshot_for(&self, index: &WorkdayIndex) -> Result<Snapshot, StoreError> {
        let manifest = self.manifest()?;
        let calendar = calendar_fingerprint(index);
        if manifest.generation == 0 || manifest.calendar == Some(calendar) {
            return self.snapshot();
        }
        let idx = self.load_index(&manifest)?;
        let aggregates = self.rebuild_aggregates(&manifest, &idx, index)?;
        drop(idx);
        let next = self.commit_counters(&manifest, &aggregates, calendar)?;
        let [agencies, procedures, fields] = self.codes(next.generation)?;
        Ok(Snapshot { aggregates, agencies, procedures, fields, dossiers: next.dossiers as usize })
    }

    /// The counters of every live dossier, computed anew with `index`, segment by segment.
    fn rebuild_aggregates(
        &self,
        manifest: &Manifest,
        idx: &Index,
        index: &WorkdayIndex,
    ) -> Result<Aggregates, StoreError> {
        let segments: BTreeSet<u32> = manifest.segments.iter().copied().collect();
        let live = live_rows(idx.live(), &segments);
        let mut aggregates = Aggregates::default();
        for (&segment, rows) in &live {
            let path = self.segment_path(segment);
            let bytes = fs::read(&path).map_err(io(&path))?;
            let view = SegmentView::new(&bytes)
                .ok_or_else(|| StoreError::Corrupt(format!("tệp {} không đọc được", path.display())))?;
            for &row in rows {
                if let Some(f) = view.record(row).and_then(|d| footprint(&d, index)) {
                    aggregates.apply(&f, true);
                }
            }
        }
        Ok(aggregates)
    }

    /// A new generation with `aggregates` for the calendar `calendar`, everything else as in
    /// `manifest`; committed by the manifest's rename.
    fn commit_counters(
        &self,
        manifest: &Manifest,
        aggregates: &Aggregates,
        calendar: u64,
    ) -> Result<Manifest, StoreError> {
        let generation = manifest.generation + 1;
        let mut batch = Batch::default();
        batch.write(&self.generation_file("aggregates", generation), &aggregates.to_bytes())?;
        for stem in ["codes", "delta"] {
            let path = self.generation_file(stem, manifest.generation);
            let bytes = fs::read(&path).map_err(io(&path))?;
            batch.write(&self.generation_file(stem, generation), &bytes)?;
        }
        let next = Manifest { generation, calendar: Some(calendar), ..manifest.clone() };
        batch.commit()?;
        write_atomic(&self.dir.join(MANIFEST), next.text().as_bytes())?;
        for stem in ["codes", "aggregates", "delta"] {
            let _ = fs::remove_file(self.generation_file(stem, manifest.generation));
        }
        Ok(next)
    }

    fn codes(&self, generation: u64) -> Result<[Vec<String>; 3], StoreError> {
        let path = self.generation_file("codes", generation);
        let bytes = fs::read(&path).map_err(io(&path))?;
        decode_codes(&bytes).ok_or_else(|| StoreError::Corrupt(format!("tệp {} không đọc được", path.display())))
    }

    fn load_index(&self, manifest: &Manifest) -> Result<Index, StoreError> {
        if manifest.generation == 0 {
            return Ok(Index::default());
        }
        let path = self.generation_file("index", manifest.base);
        let bytes = fs::read(&path).map_err(io(&path))?;
        let corrupt = |path: &Path| StoreError::Corrupt(format!("tệp {} không đọc được", path.display()));
        let rest = bytes.strip_prefix(INDEX_MAGIC).ok_or_else(|| corrupt(&path))?;
        let count =
            rest.get(..8).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes).ok_or_else(|| corrupt(&path))?;
        if rest.len() as u64 - 8 != count.saturating_mul(24) {
            return Err(corrupt(&path));
        }
        let base = bytes[16..].to_vec();
        drop(bytes);
        let delta_path = self.generation_file("delta", manifest.generation);
        let delta_bytes = fs::read(&delta_path).map_err(io(&delta_path))?;
        let (delta, tombstones) = decode_delta(&delta_bytes).ok_or_else(|| corrupt(&delta_path))?;
        Ok(Index { base, delta, tombstones })
    }

    /// Appends `set`: new dossiers are added, changed ones replace their earlier version,
    /// identical ones change nothing (and when nothing changes, nothing is written).
    pub fn append(
        &self,
        set: &DossierSet,
        index: &WorkdayIndex,
        progress: Progress<'_>,
    ) -> Result<AppendReport, StoreError> {
        let mut appender = Appender::open(self, index)?;
        let maps = [(&set.agencies, 0usize), (&set.procedures, 1), (&set.fields, 2)]
            .map(|(codes, t)| codes.iter().map(|c| appender.tables[t].intern(c.as_bytes())).collect::<Vec<u32>>());
        let total = set.len() as u64;
        for (i, d) in set.records.iter().enumerate() {
            if i % 262_144 == 0 {
                progress("Đối chiếu mã hồ sơ", i as u64, total);
            }
            appender.push(set.id(i).unwrap_or(""), &remapped(d, &maps))?;
        }
        progress("Đối chiếu mã hồ sơ", total, total);
        appender.finish(progress)
    }

    /// Reads `input` and appends it with memory bounded by the segment size, not the file: a
    /// first pass validates the file and finds the duplicated `MaHoSo` (a refused file writes
    /// nothing), the second appends the rows block by block, writing a segment (and its
    /// Parquet files) every [`DossierStore::with_segment_rows`] new rows; the manifest's rename
    /// commits everything at once, and any failure before it removes what was written.
    pub fn append_stream(
        &self,
        input: Input<'_>,
        format: Format,
        options: &StreamOptions,
        index: &WorkdayIndex,
        progress: Progress<'_>,
    ) -> Result<StreamedImport, ImportError> {
        let size = match input {
            Input::Path(p) => fs::metadata(p).map_or(0, |m| m.len()),
            Input::Bytes(b) => b.len() as u64,
        };
        progress("Đọc tệp", 0, size);
        let noop: &RowFn<'_, ()> = &|_, _, _, _| {};
        let scan = stream::scan(input, format, options, false, noop, |meta, _, _| {
            progress("Đọc tệp", meta.offset + meta.len as u64, size);
            Ok(())
        })
        .map_err(ImportError::Refused)?;
        progress("Đọc tệp", size, size);
        let skip: Vec<u64> = scan.duplicates.iter().map(|d| d.row).collect();
        let mut skip = skip.into_iter().peekable();
        let mut appender = Appender::open(self, index)?;
        let collect: &RowFn<'_, BlockRows> = &|acc, _, id, d| {
            acc.records.push(*d);
            acc.ids.extend_from_slice(id);
            acc.ends.push(acc.ids.len());
        };
        let mut failure: Option<StoreError> = None;
        let pass = stream::run_blocks(input, format, options, true, collect, |meta, parsed| {
            progress("Đối chiếu mã hồ sơ", meta.offset, size);
            let locals = [&parsed.tables.agencies, &parsed.tables.procedures, &parsed.tables.fields];
            let mut maps: [Vec<u32>; 3] = Default::default();
            for (k, local) in locals.iter().enumerate() {
                maps[k] = local.codes().iter().map(|c| appender.tables[k].intern(c.as_bytes())).collect();
            }
            let rows = &parsed.acc;
            for (k, d) in rows.records.iter().enumerate() {
                let row = meta.first_row + k as u64;
                if skip.next_if_eq(&row).is_some() {
                    continue;
                }
                let start = if k == 0 { 0 } else { rows.ends[k - 1] };
                let id = std::str::from_utf8(&rows.ids[start..rows.ends[k]]).unwrap_or("");
                if let Err(e) = appender.push(id, &remapped(d, &maps)) {
                    failure = Some(e);
                    return Err(StreamError::Io(std::io::Error::other("kho hồ sơ")));
                }
            }
            Ok(())
        });
        if let Some(e) = failure {
            return Err(e.into());
        }
        pass.map_err(ImportError::Refused)?;
        progress("Đối chiếu mã hồ sơ", size, size);
        let report = appender.finish(progress)?;
        let diagnostics = scan.diagnostics(options.max_listed);
        Ok(StreamedImport {
            rows: scan.rows,
            quarantined: scan.quarantined,
            duplicates: scan.duplicates.len(),
            diagnostics,
            agencies: scan.agencies.into_codes(),
            report,
        })
    }

    /// Calls `f` with every live dossier (its `MaHoSo` and record, codes being indices into the
    /// snapshot's tables), segment by segment.
    pub fn scan(&self, mut f: impl FnMut(&str, &Dossier)) -> Result<(), StoreError> {
        let manifest = self.manifest()?;
        let idx = self.load_index(&manifest)?;
        let segments: BTreeSet<u32> = manifest.segments.iter().copied().collect();
        let live = live_rows(idx.live(), &segments);
        drop(idx);
        for (&segment, rows) in &live {
            let path = self.segment_path(segment);
            let bytes = fs::read(&path).map_err(io(&path))?;
            let view = SegmentView::new(&bytes)
                .ok_or_else(|| StoreError::Corrupt(format!("tệp {} không đọc được", path.display())))?;
            for &row in rows {
                if let (Some(record), Some(id)) = (view.record(row), view.id(row)) {
                    f(id, &record);
                }
            }
        }
        Ok(())
    }

    /// The live rows of one segment with their records and ids, for the Parquet writer.
    pub(crate) fn segment_rows(&self, segment: u32, rows: &[u32]) -> Result<Vec<(String, Dossier)>, StoreError> {
        let path = self.segment_path(segment);
        let bytes = fs::read(&path).map_err(io(&path))?;
        let view = SegmentView::new(&bytes)
            .ok_or_else(|| StoreError::Corrupt(format!("tệp {} không đọc được", path.display())))?;
        Ok(rows.iter().filter_map(|&r| Some((view.id(r)?.to_string(), view.record(r)?))).collect())
    }
}

/// The rows of one block, for the import: records (codes of the block's tables) and codes.
#[derive(Default)]
pub(crate) struct BlockRows {
    records: Vec<Dossier>,
    ids: Vec<u8>,
    ends: Vec<usize>,
}

/// What a streamed import did: the reader's totals and diagnostics, and the append's report.
#[derive(Debug, Clone, Default)]
pub struct StreamedImport {
    pub rows: usize,
    pub quarantined: usize,
    pub duplicates: usize,
    pub diagnostics: Vec<Diagnostic>,
    /// `DonViXuLy` codes of the file's accepted rows, in order of first appearance.
    pub agencies: Vec<String>,
    pub report: AppendReport,
}

/// Why a streamed import did nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file was refused whole (or could not be read): nothing written.
    #[error(transparent)]
    Refused(StreamError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// `d` with its code indices mapped through `maps` (agencies, procedures, fields).
fn remapped(d: &Dossier, maps: &[Vec<u32>; 3]) -> Dossier {
    Dossier {
        agency: AgencyIx(maps[0].get(d.agency.0 as usize).copied().unwrap_or(0)),
        procedure: CodeIx(maps[1].get(d.procedure.0 as usize).copied().unwrap_or(0)),
        field: CodeIx(maps[2].get(d.field.0 as usize).copied().unwrap_or(0)),
        ..*d
    }
}

/// One append in progress: dossiers pushed one by one (codes already the store's), written a
/// segment at a time, committed by [`Appender::finish`]. Dropped before that, it removes the
/// files it wrote.
struct Appender<'s> {
    store: &'s DossierStore,
    index: &'s WorkdayIndex,
    manifest: Manifest,
    idx: Index,
    aggregates: Aggregates,
    tables: [Interner; 3],
    readers: SegmentReaders,
    report: AppendReport,
    /// Index entries of this append (new dossiers, and replacements of base entries).
    added: Vec<Entry>,
    /// Old segments that lost rows.
    touched: BTreeSet<u32>,
    /// The segment being filled.
    segment: u32,
    first_new: u32,
    written: Vec<u32>,
    records: Vec<Dossier>,
    ids: String,
    ends: Vec<usize>,
    batch: Batch,
    /// The fingerprint of `index`; the counters were rebuilt for it when the store's differed.
    calendar: u64,
    rebuilt: bool,
}

impl<'s> Appender<'s> {
    fn open(store: &'s DossierStore, index: &'s WorkdayIndex) -> Result<Appender<'s>, StoreError> {
        let manifest = store.manifest()?;
        let idx = store.load_index(&manifest)?;
        let (aggregates, [agencies, procedures, fields]) = if manifest.generation == 0 {
            (Aggregates::default(), [Vec::new(), vec![String::new()], vec![String::new()]])
        } else {
            let path = store.generation_file("aggregates", manifest.generation);
            let bytes = fs::read(&path).map_err(io(&path))?;
            let aggregates = Aggregates::from_bytes(&bytes)
                .ok_or_else(|| StoreError::Corrupt(format!("tệp {} không đọc được", path.display())))?;
            (aggregates, store.codes(manifest.generation)?)
        };
        let calendar = calendar_fingerprint(index);
        let rebuilt = manifest.generation != 0 && manifest.calendar != Some(calendar);
        let aggregates = if rebuilt { store.rebuild_aggregates(&manifest, &idx, index)? } else { aggregates };
        let tables = [agencies, procedures, fields].map(|codes| {
            let mut interner = Interner::default();
            for code in &codes {
                interner.intern(code.as_bytes());
            }
            interner
        });
        let segment = manifest.segments.iter().max().map_or(1, |s| s + 1);
        Ok(Appender {
            store,
            index,
            manifest,
            idx,
            aggregates,
            tables,
            readers: SegmentReaders::default(),
            report: AppendReport::default(),
            added: Vec::new(),
            touched: BTreeSet::new(),
            segment,
            first_new: segment,
            written: Vec::new(),
            records: Vec::new(),
            ids: String::new(),
            ends: Vec::new(),
            batch: Batch::default(),
            calendar,
            rebuilt,
        })
    }

    /// One dossier (codes are the store's): skipped when known with the same content, else
    /// added or replacing its earlier version. Codes must be unique among the pushed.
    fn push(&mut self, id: &str, d: &Dossier) -> Result<(), StoreError> {
        let h = code_hash(id.as_bytes());
        let c = content_hash(id.as_bytes(), &encode(d));
        let mut found = None;
        for (slot, e) in self.idx.with_hash(h) {
            if e.content == c {
                self.report.unchanged += 1;
                return Ok(());
            }
            // An entry repointed by this append holds another code (codes are unique here).
            if e.segment < self.first_new && self.readers.id(self.store, e.segment, e.row)? == id {
                found = Some(slot);
                break;
            }
        }
        let row = u32::try_from(self.records.len()).unwrap_or(u32::MAX);
        let new = Entry { id: h, content: c, segment: self.segment, row };
        match found {
            Some(slot) => {
                let old = self.idx.entry(slot);
                let record = self.readers.record(self.store, old.segment, old.row)?;
                if let Some(f) = footprint(&record, self.index) {
                    self.aggregates.apply(&f, false);
                }
                self.touched.insert(old.segment);
                match slot {
                    Slot::Delta(k) => self.idx.delta[k] = new,
                    Slot::Base(p) => {
                        self.idx.tombstones.push(p);
                        self.added.push(new);
                    }
                }
                self.report.replaced += 1;
            }
            None => {
                self.added.push(new);
                self.report.added += 1;
            }
        }
        if let Some(f) = footprint(d, self.index) {
            self.aggregates.apply(&f, true);
        }
        self.records.push(*d);
        self.ids.push_str(id);
        self.ends.push(self.ids.len());
        if self.records.len() >= self.store.segment_rows {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the segment being filled (and its Parquet files) under temporary names.
    fn flush(&mut self) -> Result<(), StoreError> {
        if self.records.is_empty() {
            return Ok(());
        }
        let ids: Vec<&str> = (0..self.ends.len())
            .map(|k| {
                let start = if k == 0 { 0 } else { self.ends[k - 1] };
                self.ids.get(start..self.ends[k]).unwrap_or("")
            })
            .collect();
        self.batch.write(&self.store.segment_path(self.segment), &encode_segment(&self.records, &ids))?;
        let rows: Vec<(&str, Dossier)> = ids.iter().copied().zip(self.records.iter().copied()).collect();
        let codes = [self.tables[0].codes(), self.tables[1].codes(), self.tables[2].codes()];
        crate::parquet_out::write_segment(self.store, self.segment, &rows, codes, &mut self.batch)?;
        drop(rows);
        drop(ids);
        self.written.push(self.segment);
        self.segment += 1;
        self.records.clear();
        self.ids.clear();
        self.ends.clear();
        Ok(())
    }

    /// Writes the counters, codes, index and Parquet rewrites, then commits by renaming the
    /// manifest. Nothing changed: nothing written.
    fn finish(mut self, progress: Progress<'_>) -> Result<AppendReport, StoreError> {
        self.flush()?;
        let manifest = self.manifest.clone();
        if self.written.is_empty() {
            if self.rebuilt {
                self.store.commit_counters(&manifest, &self.aggregates, self.calendar)?;
            }
            self.report.total = manifest.dossiers as usize;
            return Ok(self.report.clone());
        }
        progress("Ghi kho dữ liệu", 0, 1);
        let store = self.store;
        let mut idx = std::mem::take(&mut self.idx);
        idx.tombstones.sort_unstable();
        let mut added = std::mem::take(&mut self.added);
        added.sort_unstable();
        idx.delta = if idx.delta.is_empty() { added } else { merge_sorted(std::mem::take(&mut idx.delta), added) };
        let dossiers = idx.len();
        let generation = manifest.generation + 1;
        let codes = [self.tables[0].codes(), self.tables[1].codes(), self.tables[2].codes()];
        self.batch.write(&store.generation_file("codes", generation), &encode_codes(&codes))?;
        self.batch.write(&store.generation_file("aggregates", generation), &self.aggregates.to_bytes())?;
        // Parquet of the old segments that lost rows.
        if !self.touched.is_empty() {
            let live = live_rows(idx.live(), &self.touched);
            for (&s, rows) in &live {
                let old = store.segment_rows(s, rows)?;
                let old: Vec<(&str, Dossier)> = old.iter().map(|(id, d)| (id.as_str(), *d)).collect();
                crate::parquet_out::write_segment(store, s, &old, codes, &mut self.batch)?;
            }
        }
        // The index: a new base when the delta has grown past a quarter of it, else a delta.
        let compact = idx.delta.len() * 4 > idx.base_count();
        let base = if compact {
            let count = idx.len() as u64;
            let path = store.generation_file("index", generation);
            self.batch.write_with(&path, &mut |w| {
                w.write_all(INDEX_MAGIC)?;
                w.write_all(&count.to_le_bytes())?;
                let mut delta = idx.delta.iter().copied().peekable();
                for e in idx.live_base() {
                    while let Some(next) = delta.next_if(|n| n < &e) {
                        w.write_all(&entry_bytes(&next))?;
                    }
                    w.write_all(&entry_bytes(&e))?;
                }
                for e in delta {
                    w.write_all(&entry_bytes(&e))?;
                }
                Ok(())
            })?;
            generation
        } else {
            manifest.base
        };
        let delta_bytes = if compact { encode_delta(&[], &[]) } else { encode_delta(&idx.delta, &idx.tombstones) };
        drop(idx);
        self.batch.write(&store.generation_file("delta", generation), &delta_bytes)?;
        let mut segments = manifest.segments.clone();
        segments.extend(self.written.iter().copied());
        let next = Manifest { generation, base, dossiers: dossiers as u64, segments, calendar: Some(self.calendar) };
        std::mem::take(&mut self.batch).commit()?;
        write_atomic(&store.dir.join(MANIFEST), next.text().as_bytes())?;
        for stem in ["codes", "aggregates", "delta"] {
            let _ = fs::remove_file(store.generation_file(stem, manifest.generation));
        }
        if base != manifest.base {
            let _ = fs::remove_file(store.generation_file("index", manifest.base));
        }
        progress("Ghi kho dữ liệu", 1, 1);
        self.report.total = dossiers;
        Ok(self.report.clone())
    }
}

fn entry_bytes(e: &Entry) -> [u8; 24] {
    let mut out = [0u8; 24];
    out[0..8].copy_from_slice(&e.id.to_le_bytes());
    out[8..16].copy_from_slice(&e.content.to_le_bytes());
    out[16..20].copy_from_slice(&e.segment.to_le_bytes());
    out[20..24].copy_from_slice(&e.row.to_le_bytes());
    out
}

/// Live rows of `segments`, in row order.
fn live_rows(
    entries: impl Iterator<Item = Entry>,
    segments: &BTreeSet<u32>,
) -> std::collections::BTreeMap<u32, Vec<u32>> {
    let mut live: std::collections::BTreeMap<u32, Vec<u32>> = segments.iter().map(|&s| (s, Vec::new())).collect();
    for e in entries {
        if let Some(rows) = live.get_mut(&e.segment) {
            rows.push(e.row);
        }
    }
    for rows in live.values_mut() {
        rows.sort_unstable();
    }
    live
}

fn merge_sorted(a: Vec<Entry>, b: Vec<Entry>) -> Vec<Entry> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let mut b = b.into_iter().peekable();
    for e in a {
        while let Some(next) = b.next_if(|n| n < &e) {
            out.push(next);
        }
        out.push(e);
    }
    out.extend(b);
    out
}

/// Writes `bytes` to a temporary file beside `path`, flushes it to disk, then renames it.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let tmp = path.with_extension("tmp");
    {
        let file = File::create(&tmp).map_err(io(&tmp))?;
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        writer.write_all(bytes).map_err(io(&tmp))?;
        let file = writer.into_inner().map_err(|e| io(&tmp)(e.into_error()))?;
        file.sync_all().map_err(io(&tmp))?;
    }
    fs::rename(&tmp, path).map_err(io(path))
}

/// Files written under temporary names, flushed to disk together (in parallel: a flush is
/// mostly waiting) and then renamed into place.
#[derive(Default)]
pub(crate) struct Batch {
    files: Vec<(PathBuf, PathBuf, File)>,
}

impl Batch {
    pub(crate) fn write(&mut self, path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let tmp = path.with_extension("tmp");
        let file = File::create(&tmp).map_err(io(&tmp))?;
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        writer.write_all(bytes).map_err(io(&tmp))?;
        let file = writer.into_inner().map_err(|e| io(&tmp)(e.into_error()))?;
        self.files.push((tmp, path.to_path_buf(), file));
        Ok(())
    }

    /// Writes a file whose bytes `fill` streams.
    pub(crate) fn write_with(
        &mut self,
        path: &Path,
        fill: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), StoreError> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let tmp = path.with_extension("tmp");
        let file = File::create(&tmp).map_err(io(&tmp))?;
        self.files.push((tmp.clone(), path.to_path_buf(), file.try_clone().map_err(io(&tmp))?));
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        fill(&mut writer).map_err(io(&tmp))?;
        writer.flush().map_err(io(&tmp))?;
        Ok(())
    }

    pub(crate) fn commit(mut self) -> Result<(), StoreError> {
        let files = std::mem::take(&mut self.files);
        let result = Batch::sync_and_rename(&files);
        if result.is_err() {
            for (tmp, _, _) in &files {
                let _ = fs::remove_file(tmp);
            }
        }
        result
    }

    fn sync_and_rename(files: &[(PathBuf, PathBuf, File)]) -> Result<(), StoreError> {
        let threads = files.len().clamp(1, 8);
        let share = files.len().div_ceil(threads).max(1);
        let results: Vec<Result<(), StoreError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = files
                .chunks(share)
                .map(|part| {
                    scope.spawn(move || {
                        for (tmp, _, file) in part {
                            file.sync_all().map_err(io(tmp))?;
                        }
                        Ok(())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
        });
        results.into_iter().collect::<Result<(), StoreError>>()?;
        for (tmp, path, _) in files {
            fs::rename(tmp, path).map_err(io(path))?;
        }
        Ok(())
    }
}

impl Drop for Batch {
    /// Files not committed are removed: a failed append leaves the store as it was.
    fn drop(&mut self) {
        for (tmp, _, _) in &self.files {
            let _ = fs::remove_file(tmp);
        }
    }
}

fn encode_codes(tables: &[&[String]; 3]) -> Vec<u8> {
    let mut out = CODES_MAGIC.to_vec();
    for table in tables {
        out.extend_from_slice(&(table.len() as u32).to_le_bytes());
        for code in table.iter() {
            out.extend_from_slice(&(code.len() as u32).to_le_bytes());
            out.extend_from_slice(code.as_bytes());
        }
    }
    out
}

fn decode_codes(bytes: &[u8]) -> Option<[Vec<String>; 3]> {
    let mut rest = bytes.strip_prefix(CODES_MAGIC)?;
    let word = |rest: &mut &[u8]| -> Option<u32> {
        let (w, tail) = rest.split_first_chunk::<4>()?;
        *rest = tail;
        Some(u32::from_le_bytes(*w))
    };
    let mut tables: [Vec<String>; 3] = Default::default();
    for table in &mut tables {
        let count = word(&mut rest)?;
        for _ in 0..count {
            let len = word(&mut rest)? as usize;
            let code = rest.get(..len)?;
            table.push(String::from_utf8(code.to_vec()).ok()?);
            rest = &rest[len..];
        }
    }
    Some(tables)
}

fn moment(m: Option<Moment>) -> u32 {
    m.map_or(0, |m| m.seconds() + 1)
}

fn unmoment(v: u32) -> Option<Moment> {
    v.checked_sub(1).and_then(Moment::from_seconds)
}

/// The fixed 48-byte form of a record.
pub(crate) fn encode(d: &Dossier) -> [u8; RECORD_BYTES] {
    let mut out = [0u8; RECORD_BYTES];
    let words = [
        d.agency.0,
        d.procedure.0,
        d.field.0,
        moment(d.received),
        moment(d.appointment),
        moment(d.processed),
        moment(d.returned),
        moment(d.supplement_request),
        moment(d.supplement_completion),
    ];
    for (i, w) in words.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&w.to_le_bytes());
    }
    out[36..38].copy_from_slice(&d.limit_days.unwrap_or(u16::MAX).to_le_bytes());
    out[38] = d.status.code();
    out[39] = d.channel.map_or(0, Channel::code);
    out[40] = d.online.code();
    out[41] = d.payment.code();
    out[42] = d.flags.bits();
    out[43] = d.rating.map_or(0, DossierRating::get);
    out[44] = d.supplements;
    out
}

pub(crate) fn decode(b: &[u8]) -> Option<Dossier> {
    let w = |i: usize| b.get(i * 4..i * 4 + 4).and_then(|s| s.try_into().ok()).map(u32::from_le_bytes);
    let limit = u16::from_le_bytes(b.get(36..38)?.try_into().ok()?);
    let mut flags = DossierFlags::empty();
    let bits = *b.get(42)?;
    for flag in [
        DossierFlags::FEE,
        DossierFlags::DIGITIZED,
        DossierFlags::ELECTRONIC_RESULT,
        DossierFlags::REUSED,
        DossierFlags::APOLOGY,
    ] {
        flags = flags.with(flag, bits & flag.bits() != 0);
    }
    Some(Dossier {
        agency: AgencyIx(w(0)?),
        procedure: CodeIx(w(1)?),
        field: CodeIx(w(2)?),
        received: unmoment(w(3)?),
        appointment: unmoment(w(4)?),
        processed: unmoment(w(5)?),
        returned: unmoment(w(6)?),
        supplement_request: unmoment(w(7)?),
        supplement_completion: unmoment(w(8)?),
        limit_days: (limit != u16::MAX).then_some(limit),
        status: Status::from_code(*b.get(38)?)?,
        channel: Channel::from_code(*b.get(39)?),
        online: OnlineLevel::from_code(*b.get(40)?)?,
        payment: Payment::from_code(*b.get(41)?)?,
        flags,
        rating: DossierRating::new(*b.get(43)?),
        supplements: *b.get(44)?,
    })
}

fn encode_segment(records: &[Dossier], ids: &[&str]) -> Vec<u8> {
    let text: usize = ids.iter().map(|s| s.len()).sum();
    let mut out = Vec::with_capacity(16 + records.len() * (RECORD_BYTES + 4) + text);
    out.extend_from_slice(SEGMENT_MAGIC);
    out.extend_from_slice(&(records.len() as u64).to_le_bytes());
    for d in records {
        out.extend_from_slice(&encode(d));
    }
    let mut end = 0u32;
    for id in ids {
        end += id.len() as u32;
        out.extend_from_slice(&end.to_le_bytes());
    }
    for id in ids {
        out.extend_from_slice(id.as_bytes());
    }
    out
}

/// A segment's bytes, read in place.
struct SegmentView<'a> {
    count: usize,
    records: &'a [u8],
    ends: &'a [u8],
    text: &'a [u8],
}

impl<'a> SegmentView<'a> {
    fn new(bytes: &'a [u8]) -> Option<SegmentView<'a>> {
        let rest = bytes.strip_prefix(SEGMENT_MAGIC)?;
        let count = usize::try_from(u64::from_le_bytes(rest.get(..8)?.try_into().ok()?)).ok()?;
        let records = rest.get(8..8 + count * RECORD_BYTES)?;
        let ends = rest.get(8 + count * RECORD_BYTES..8 + count * (RECORD_BYTES + 4))?;
        let text = rest.get(8 + count * (RECORD_BYTES + 4)..)?;
        Some(SegmentView { count, records, ends, text })
    }

    fn record(&self, row: u32) -> Option<Dossier> {
        let row = row as usize;
        (row < self.count).then(|| decode(&self.records[row * RECORD_BYTES..(row + 1) * RECORD_BYTES]))?
    }

    fn id(&self, row: u32) -> Option<&'a str> {
        let row = row as usize;
        let end_at = |r: usize| self.ends.get(r * 4..r * 4 + 4).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes);
        let end = end_at(row)? as usize;
        let start = if row == 0 { 0 } else { end_at(row - 1)? as usize };
        std::str::from_utf8(self.text.get(start..end)?).ok()
    }
}

/// Random access to old records during an append (only for replaced dossiers).
#[derive(Default)]
struct SegmentReaders {
    open: std::collections::HashMap<u32, (BufReader<File>, u64)>,
}

impl SegmentReaders {
    fn file(&mut self, store: &DossierStore, segment: u32) -> Result<&mut (BufReader<File>, u64), StoreError> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.open.entry(segment) {
            let path = store.segment_path(segment);
            let mut file = BufReader::with_capacity(4096, File::open(&path).map_err(io(&path))?);
            let mut head = [0u8; 16];
            file.read_exact(&mut head).map_err(io(&path))?;
            if &head[..8] != SEGMENT_MAGIC {
                return Err(StoreError::Corrupt(format!("tệp {} không đọc được", path.display())));
            }
            let count = u64::from_le_bytes(head[8..16].try_into().unwrap_or_default());
            slot.insert((file, count));
        }
        self.open.get_mut(&segment).ok_or_else(|| StoreError::Corrupt("đoạn dữ liệu không mở được".into()))
    }

    fn read_at(&mut self, store: &DossierStore, segment: u32, at: u64, buf: &mut [u8]) -> Result<(), StoreError> {
        let path = store.segment_path(segment);
        let (file, _) = self.file(store, segment)?;
        file.seek(SeekFrom::Start(at)).map_err(io(&path))?;
        file.read_exact(buf).map_err(io(&path))
    }

    fn record(&mut self, store: &DossierStore, segment: u32, row: u32) -> Result<Dossier, StoreError> {
        let mut buf = [0u8; RECORD_BYTES];
        self.read_at(store, segment, 16 + u64::from(row) * RECORD_BYTES as u64, &mut buf)?;
        decode(&buf).ok_or_else(|| StoreError::Corrupt(format!("bản ghi {row} của đoạn {segment} không đọc được")))
    }

    fn id(&mut self, store: &DossierStore, segment: u32, row: u32) -> Result<String, StoreError> {
        let count = self.file(store, segment)?.1;
        let ends_at = 16 + count * RECORD_BYTES as u64;
        let mut pair = [0u8; 8];
        let (start, end) = if row == 0 {
            let mut end = [0u8; 4];
            self.read_at(store, segment, ends_at, &mut end)?;
            (0, u32::from_le_bytes(end))
        } else {
            self.read_at(store, segment, ends_at + (u64::from(row) - 1) * 4, &mut pair)?;
            (
                u32::from_le_bytes(pair[..4].try_into().unwrap_or_default()),
                u32::from_le_bytes(pair[4..].try_into().unwrap_or_default()),
            )
        };
        let mut text = vec![0u8; end.saturating_sub(start) as usize];
        self.read_at(store, segment, ends_at + count * 4 + u64::from(start), &mut text)?;
        String::from_utf8(text).map_err(|_| StoreError::Corrupt(format!("mã hồ sơ ở đoạn {segment} không đọc được")))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_through_their_fixed_form() {
        let received = Moment::parse_compact(b"20240115090000").unwrap();
        let mut d = Dossier::received_at(AgencyIx(7), received, received.plus(3 * 86_400));
        d.limit_days = Some(3);
        d.channel = Some(Channel::Online);
        d.flags = DossierFlags::empty().with(DossierFlags::FEE, true).with(DossierFlags::APOLOGY, true);
        d.rating = DossierRating::new(4);
        d.supplements = 2;
        d.supplement_request = Some(received.plus(3600));
        assert_eq!(decode(&encode(&d)), Some(d));
        let plain = Dossier::received_at(AgencyIx(0), received, received);
        assert_eq!(decode(&encode(&plain)), Some(plain));
    }

    #[test]
    fn manifests_round_trip() {
        let m = Manifest { generation: 4, base: 2, dossiers: 17, segments: vec![1, 2, 5], calendar: None };
        assert_eq!(Manifest::parse(&m.text()).unwrap(), m);
        let m = Manifest { calendar: Some(0x0123_4567_89ab_cdef), ..m };
        assert_eq!(Manifest::parse(&m.text()).unwrap(), m);
        assert!(Manifest::parse("nonsense").is_err());
    }
}
