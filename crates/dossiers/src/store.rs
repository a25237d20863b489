//! The dossier store: a folder of immutable segment files, a `MaHoSo` index, the engine's
//! counters and a manifest naming the current generation of each.
//!
//! ```text
//! <dir>/MANIFEST                    text: format, generation, index base, dossiers, segments
//! <dir>/index-<B>.bin               the index's base: "CCHCIDX1", count u64, then (id hash u64,
//!                                   content hash u64, segment u32, row u32) sorted by id hash;
//!                                   rewritten only when the delta outgrows a quarter of it
//! <dir>/delta-<G>.bin               "CCHCDLT1", entries added since the base (sorted), base
//!                                   positions replaced since: what a day's append writes
//! <dir>/aggregates-<G>.bin          the engine's counters (`engine::Aggregates::to_bytes`)
//! <dir>/codes-<G>.bin               "CCHCCOD1", then the DonViXuLy, MaTTHC, MaLinhVuc tables
//!                                   (u32 count, then u32 length + UTF-8 bytes per code)
//! <dir>/segments/seg-<S>.bin        one per import that changed something: "CCHCSEG1",
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
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use cchc_domain::calendar::WorkCalendar;
use cchc_domain::dossier::{
    AgencyIx, Channel, CodeIx, Dossier, DossierFlags, DossierRating, Moment, OnlineLevel, Payment, Status, WorkdayIndex,
};

use crate::engine::{footprint, Aggregates};
use crate::intern::{code_hash, content_hash, Interner};
use crate::read::DossierSet;

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
                _ => {}
            }
        }
        Ok(manifest)
    }

    fn text(&self) -> String {
        let segments: Vec<String> = self.segments.iter().map(u32::to_string).collect();
        format!(
            "{FORMAT_LINE}\ngeneration {}\nbase {}\ndossiers {}\nsegments {}\n",
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
}

/// Progress of a long step: a Vietnamese label, done, total.
pub type Progress<'a> = &'a mut dyn FnMut(&str, u64, u64);

impl DossierStore {
    pub fn new(dir: &Path) -> DossierStore {
        DossierStore { dir: dir.to_path_buf() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
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
        let manifest = self.manifest()?;
        let mut idx = self.load_index(&manifest)?;
        let (mut aggregates, [agencies, procedures, fields]) = if manifest.generation == 0 {
            (Aggregates::default(), [Vec::new(), vec![String::new()], vec![String::new()]])
        } else {
            let path = self.generation_file("aggregates", manifest.generation);
            let bytes = fs::read(&path).map_err(io(&path))?;
            let aggregates = Aggregates::from_bytes(&bytes)
                .ok_or_else(|| StoreError::Corrupt(format!("tệp {} không đọc được", path.display())))?;
            (aggregates, self.codes(manifest.generation)?)
        };
        let mut tables = [agencies, procedures, fields].map(|codes| {
            let mut interner = Interner::default();
            for code in &codes {
                interner.intern(code.as_bytes());
            }
            interner
        });
        let [agency_map, procedure_map, field_map] = [(&set.agencies, 0usize), (&set.procedures, 1), (&set.fields, 2)]
            .map(|(codes, t)| codes.iter().map(|c| tables[t].intern(c.as_bytes())).collect::<Vec<u32>>());

        // Classify every incoming dossier against the index.
        let total = set.len() as u64;
        let mut report = AppendReport::default();
        let mut fresh: Vec<(usize, u64, u64)> = Vec::new();
        let mut replaced: Vec<(usize, Slot, u64)> = Vec::new();
        let mut readers = SegmentReaders::default();
        for (i, d) in set.records.iter().enumerate() {
            if i % 262_144 == 0 {
                progress("Đối chiếu mã hồ sơ", i as u64, total);
            }
            let id = set.id(i).unwrap_or("");
            let global = Dossier {
                agency: AgencyIx(agency_map.get(d.agency.0 as usize).copied().unwrap_or(0)),
                procedure: CodeIx(procedure_map.get(d.procedure.0 as usize).copied().unwrap_or(0)),
                field: CodeIx(field_map.get(d.field.0 as usize).copied().unwrap_or(0)),
                ..*d
            };
            let h = code_hash(id.as_bytes());
            let c = content_hash(id.as_bytes(), &encode(&global));
            let mut found = None;
            let mut unchanged = false;
            for (slot, e) in idx.with_hash(h) {
                if e.content == c {
                    unchanged = true;
                    break;
                }
                if readers.id(self, e.segment, e.row)? == id {
                    found = Some(slot);
                    break;
                }
            }
            if unchanged {
                report.unchanged += 1;
            } else if let Some(at) = found {
                replaced.push((i, at, c));
            } else {
                fresh.push((i, h, c));
            }
        }
        progress("Đối chiếu mã hồ sơ", total, total);
        report.added = fresh.len();
        report.replaced = replaced.len();
        if fresh.is_empty() && replaced.is_empty() {
            report.total = manifest.dossiers as usize;
            return Ok(report);
        }

        // The new segment: the added and replacing dossiers, in input order.
        let segment = manifest.segments.iter().max().map_or(1, |s| s + 1);
        let mut rows: Vec<usize> = fresh.iter().map(|f| f.0).chain(replaced.iter().map(|r| r.0)).collect();
        rows.sort_unstable();
        let row_of = |i: usize| rows.binary_search(&i).map_or(0, |r| r as u32);
        let mut records = Vec::with_capacity(rows.len());
        let mut ids: Vec<&str> = Vec::with_capacity(rows.len());
        for &i in &rows {
            let d = &set.records[i];
            records.push(Dossier {
                agency: AgencyIx(agency_map.get(d.agency.0 as usize).copied().unwrap_or(0)),
                procedure: CodeIx(procedure_map.get(d.procedure.0 as usize).copied().unwrap_or(0)),
                field: CodeIx(field_map.get(d.field.0 as usize).copied().unwrap_or(0)),
                ..*d
            });
            ids.push(set.id(i).unwrap_or(""));
        }

        // Counters: out with the old versions, in with the new.
        let mut touched: BTreeSet<u32> = BTreeSet::new();
        let mut added: Vec<Entry> = Vec::with_capacity(fresh.len() + replaced.len());
        for &(i, slot, c) in &replaced {
            let old = idx.entry(slot);
            let record = readers.record(self, old.segment, old.row)?;
            if let Some(f) = footprint(&record, index) {
                aggregates.apply(&f, false);
            }
            touched.insert(old.segment);
            let new = Entry { id: old.id, content: c, segment, row: row_of(i) };
            match slot {
                Slot::Delta(k) => idx.delta[k] = new,
                Slot::Base(p) => {
                    idx.tombstones.push(p);
                    added.push(new);
                }
            }
        }
        idx.tombstones.sort_unstable();
        progress("Cập nhật số liệu", 0, records.len() as u64);
        for d in &records {
            if let Some(f) = footprint(d, index) {
                aggregates.apply(&f, true);
            }
        }
        progress("Cập nhật số liệu", records.len() as u64, records.len() as u64);
        added.extend(fresh.iter().map(|&(i, h, c)| Entry { id: h, content: c, segment, row: row_of(i) }));
        added.sort_unstable();
        idx.delta = merge_sorted(std::mem::take(&mut idx.delta), added);
        drop(readers);
        let dossiers = idx.len();

        // Write the new generation, then commit by renaming the manifest.
        let generation = manifest.generation + 1;
        progress("Ghi kho dữ liệu", 0, 1);
        let mut batch = Batch::default();
        batch.write(&self.segment_path(segment), &encode_segment(&records, &ids))?;
        let codes = [tables[0].codes(), tables[1].codes(), tables[2].codes()];
        batch.write(&self.generation_file("codes", generation), &encode_codes(&codes))?;
        batch.write(&self.generation_file("aggregates", generation), &aggregates.to_bytes())?;
        // The index: a new base when the delta has grown past a quarter of it, else a delta.
        let compact = idx.delta.len() * 4 > idx.base_count();
        let base = if compact {
            let all = merge_sorted(idx.live_base().collect(), std::mem::take(&mut idx.delta));
            batch.write(&self.generation_file("index", generation), &encode_index(&all))?;
            idx = Index { base: Vec::new(), delta: all, tombstones: Vec::new() };
            generation
        } else {
            manifest.base
        };
        let delta_bytes = if compact { encode_delta(&[], &[]) } else { encode_delta(&idx.delta, &idx.tombstones) };
        batch.write(&self.generation_file("delta", generation), &delta_bytes)?;
        // Parquet: the new segment (every row live), and the old segments that lost rows.
        let new_rows: Vec<(&str, Dossier)> = ids.iter().copied().zip(records.iter().copied()).collect();
        crate::parquet_out::write_segment(self, segment, &new_rows, codes, &mut batch)?;
        drop(new_rows);
        if !touched.is_empty() {
            let live = live_rows(idx.live(), &touched);
            for (&s, rows) in &live {
                let old = self.segment_rows(s, rows)?;
                let old: Vec<(&str, Dossier)> = old.iter().map(|(id, d)| (id.as_str(), *d)).collect();
                crate::parquet_out::write_segment(self, s, &old, codes, &mut batch)?;
            }
        }
        let mut segments = manifest.segments.clone();
        segments.push(segment);
        let next = Manifest { generation, base, dossiers: dossiers as u64, segments };
        batch.commit()?;
        write_atomic(&self.dir.join(MANIFEST), next.text().as_bytes())?;
        for stem in ["codes", "aggregates", "delta"] {
            let _ = fs::remove_file(self.generation_file(stem, manifest.generation));
        }
        if base != manifest.base {
            let _ = fs::remove_file(self.generation_file("index", manifest.base));
        }
        progress("Ghi kho dữ liệu", 1, 1);
        report.total = dossiers;
        Ok(report)
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

    pub(crate) fn commit(self) -> Result<(), StoreError> {
        let threads = self.files.len().clamp(1, 8);
        let share = self.files.len().div_ceil(threads).max(1);
        let results: Vec<Result<(), StoreError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = self
                .files
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
        for (tmp, path, _) in &self.files {
            fs::rename(tmp, path).map_err(io(path))?;
        }
        Ok(())
    }
}

fn encode_index(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + entries.len() * 24);
    out.extend_from_slice(INDEX_MAGIC);
    out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    for e in entries {
        out.extend_from_slice(&e.id.to_le_bytes());
        out.extend_from_slice(&e.content.to_le_bytes());
        out.extend_from_slice(&e.segment.to_le_bytes());
        out.extend_from_slice(&e.row.to_le_bytes());
    }
    out
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
        let m = Manifest { generation: 4, base: 2, dossiers: 17, segments: vec![1, 2, 5] };
        assert_eq!(Manifest::parse(&m.text()).unwrap(), m);
        assert!(Manifest::parse("nonsense").is_err());
    }
}
