//! One-stop-shop dossiers (issue 11): importing the portal's exports into the dossier store,
//! and the per-agency table of a reporting period or calendar month. The engine (reading,
//! storing, counting) lives in `cchc-dossiers`; here: periods from the plan, `DonViXuLy` codes
//! to directory agencies, and who may do what (Sở Nội vụ imports; every signed-in user reads).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cchc_domain::account::User;
use cchc_domain::dossier::{
    classify, points_766, tally, wrong_appointment, Counts, DayNum, Score766, State, Timeliness, Window,
};
use cchc_domain::{AdminLevel, Agency, AgencyDirectory, AgencyId, Date, Diagnostic, PeriodId};
use cchc_dossiers::{
    count_window as count_file_window, store_index, AppendReport, DossierSet, DossierStore, Format, ImportError, Input,
    Snapshot, StoreError, StreamOptions,
};

use crate::{App, ServiceError};

/// Folder of the dossier store inside the data folder.
pub const DOSSIER_DIR: &str = "dossiers";

/// A data window with the name the user asked for it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierPeriod {
    /// `2024Q1`, `2024S1`, `2024`, or a month `2024-03`.
    pub id: String,
    pub from: Date,
    pub to: Date,
    pub window: Window,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct DossierImport {
    /// Non-blank data rows read.
    pub rows: usize,
    /// Rows left out as malformed (listed in `diagnostics`).
    pub quarantined: usize,
    /// Rows left out because their `MaHoSo` came earlier in the file.
    pub duplicates: usize,
    pub diagnostics: Vec<Diagnostic>,
    pub report: AppendReport,
    /// `DonViXuLy` codes of the file that match no agency of the directory.
    pub unknown_agencies: Vec<String>,
}

/// One agency's line of the table.
#[derive(Debug, Clone)]
pub struct DossierRow {
    pub agency: Agency,
    pub counts: Counts,
    pub score: Score766,
}

/// The table of a period.
#[derive(Debug, Clone)]
pub struct DossierTable {
    pub period: DossierPeriod,
    pub rows: Vec<DossierRow>,
    /// Codes with dossiers in the window that match no agency, with their counts.
    pub unknown: Vec<(String, Counts)>,
}

/// A dossier resolved late in the window without an apology letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateDossier {
    pub id: String,
    /// The directory agency, or `None` for an unknown code (then `code` says which).
    pub agency: Option<AgencyId>,
    pub code: String,
    pub received: DayNum,
    pub appointment: Option<DayNum>,
    pub ended: Option<DayNum>,
}

/// A dossier received in the window whose appointment date is not the legal one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrongAppointment {
    pub id: String,
    pub agency: Option<AgencyId>,
    pub code: String,
    pub received: DayNum,
    /// `NgayHenTra`'s date.
    pub given: DayNum,
    /// Receipt + `ThoiHanGiaiQuyet` working days.
    pub legal: Option<DayNum>,
}

fn store_error(e: StoreError) -> ServiceError {
    ServiceError::Invalid(vec![e.to_string()])
}

fn day(date: Date) -> Result<DayNum, ServiceError> {
    DayNum::from_date(date).ok_or_else(|| ServiceError::Invalid(vec![format!("ngày {} ngoài phạm vi", date.vn())]))
}

fn to_date(d: DayNum) -> Date {
    d.to_date()
}

/// Resolves `DonViXuLy` codes to agencies: a code mapped by Sở Nội vụ, the agency id, or the
/// GSO statistical code, first in the map of `on`, then among every agency that ever existed.
struct AgencyResolver<'a> {
    on: &'a AgencyDirectory,
    all: &'a AgencyDirectory,
    mapped: std::sync::Arc<BTreeMap<String, AgencyId>>,
}

impl AgencyResolver<'_> {
    fn resolve(&self, code: &str) -> Option<&Agency> {
        let code = code.trim();
        if let Some(id) = self.mapped.get(code) {
            return self.on.agency(id).or_else(|| self.all.agency(id));
        }
        for directory in [self.on, self.all] {
            if let Some(found) = AgencyId::parse(code).and_then(|id| directory.agency(&id)) {
                return Some(found);
            }
            if let Ok(gso) = code.parse::<u32>() {
                if let Some(found) = directory.agencies.iter().find(|a| a.gso_code == Some(gso)) {
                    return Some(found);
                }
            }
        }
        None
    }
}

impl App {
    /// The working-day index of the dossier rules and the store (2000–2099), built once per
    /// application: the calendar does not change while it runs.
    pub(crate) fn dossier_index(&self) -> &cchc_domain::dossier::WorkdayIndex {
        self.dossier_index.get_or_init(|| store_index(&self.calendar))
    }

    /// The store's snapshot (codes and counters) under the application's calendar, kept while
    /// the store's generation stays: every table, list and comparison of a request reads it, and
    /// re-reading the counters file each time cost more than answering. A commit by this
    /// process or another (a CLI import) moves the generation, and the next call reads anew.
    pub(crate) fn dossier_snapshot(&self) -> Result<std::sync::Arc<Snapshot>, ServiceError> {
        let store = self.dossier_store()?;
        let generation = store.generation().map_err(store_error)?;
        let kept = |guard: &Option<(u64, std::sync::Arc<Snapshot>)>| {
            guard.as_ref().filter(|(g, _)| *g == generation && generation != 0).map(|(_, s)| s.clone())
        };
        if let Some(found) = self.dossier_snapshot.lock().ok().and_then(|g| kept(&g)) {
            return Ok(found);
        }
        let snapshot = std::sync::Arc::new(store.snapshot_for(self.dossier_index()).map_err(store_error)?);
        // A calendar change rebuilds the counters as a new generation: key by what is now there.
        let now = store.generation().map_err(store_error)?;
        if let Ok(mut guard) = self.dossier_snapshot.lock() {
            *guard = Some((now, snapshot.clone()));
        }
        Ok(snapshot)
    }

    /// Sets the folder of the dossier store (an in-memory application has none until then).
    pub fn with_dossier_dir(mut self, dir: PathBuf) -> App {
        self.dossier_dir = Some(dir);
        self
    }

    fn dossier_store(&self) -> Result<DossierStore, ServiceError> {
        self.dossier_dir
            .as_deref()
            .map(DossierStore::new)
            .ok_or_else(|| ServiceError::Invalid(vec!["chưa có thư mục lưu hồ sơ TTHC".into()]))
    }

    /// The data window of a reporting period of the plan (`2024Q1`, `2024S1`, `2024Q3`,
    /// `2024`) or of a calendar month (`2024-03`).
    pub async fn dossier_period(&self, text: &str) -> Result<DossierPeriod, ServiceError> {
        let text = text.trim();
        let bad = || {
            ServiceError::Invalid(vec![format!(
                "kỳ «{text}» không hợp lệ; dùng mã kỳ báo cáo (2024Q1, 2024S1, 2024Q3, 2024) hoặc tháng (2024-03)"
            )])
        };
        let (from, to) = if let Some((y, m)) = text.split_once('-') {
            let (year, month) = (y.parse::<i32>().map_err(|_| bad())?, m.parse::<u32>().map_err(|_| bad())?);
            if y.len() != 4 || m.len() != 2 {
                return Err(bad());
            }
            let first = Date::from_ymd(year, month, 1).ok_or_else(bad)?;
            (first, Date::last_of_month(year, month).ok_or_else(bad)?)
        } else {
            let id = PeriodId::parse(text).ok_or_else(bad)?;
            let periods = self.reporting_periods().await?;
            let period = periods
                .into_iter()
                .find(|p| p.id == id)
                .ok_or_else(|| ServiceError::NotFound(format!("kỳ báo cáo {text} trong các kế hoạch đã nhập")))?;
            (period.data_from, period.data_to)
        };
        let window = Window::new(day(from)?, day(to)?).ok_or_else(bad)?;
        Ok(DossierPeriod { id: text.to_string(), from, to, window })
    }

    /// Reads an export and appends it to the store. Only Sở Nội vụ (administrators) import.
    /// A file refused whole (encoding, missing columns) changes nothing; malformed rows are
    /// listed and left out; the same content twice changes nothing.
    pub fn import_dossiers(
        &self,
        user: &User,
        bytes: &[u8],
        format: Format,
        progress: &mut dyn FnMut(&str, u64, u64),
    ) -> Result<DossierImport, ServiceError> {
        self.import_dossier_input(user, Input::Bytes(bytes), format, progress)
    }

    /// [`App::import_dossiers`] from a file read block by block: memory bounded by the store's
    /// segment size, whatever the file's.
    pub fn import_dossiers_from_path(
        &self,
        user: &User,
        path: &Path,
        format: Format,
        progress: &mut dyn FnMut(&str, u64, u64),
    ) -> Result<DossierImport, ServiceError> {
        self.import_dossier_input(user, Input::Path(path), format, progress)
    }

    fn import_dossier_input(
        &self,
        user: &User,
        input: Input<'_>,
        format: Format,
        progress: &mut dyn FnMut(&str, u64, u64),
    ) -> Result<DossierImport, ServiceError> {
        if !user.is_admin() {
            return Err(ServiceError::Forbidden("chỉ Sở Nội vụ được nhập hồ sơ TTHC".into()));
        }
        let store = self.dossier_store()?;
        let index = self.dossier_index();
        let imported =
            store.append_stream(input, format, &StreamOptions::default(), index, progress).map_err(|e| match e {
                ImportError::Refused(e) => ServiceError::Invalid(vec![format!("tệp bị từ chối, không nhập gì: {e}")]),
                ImportError::Store(e) => store_error(e),
            })?;
        let unknown_agencies = self.unknown_codes(&imported.agencies);
        Ok(DossierImport {
            rows: imported.rows,
            quarantined: imported.quarantined,
            duplicates: imported.duplicates,
            diagnostics: imported.diagnostics,
            report: imported.report,
            unknown_agencies,
        })
    }

    fn resolver(&self, on: Date) -> AgencyResolver<'_> {
        AgencyResolver { on: self.directory_on(on), all: self.directory(), mapped: self.mapped_codes() }
    }

    pub(crate) fn unknown_codes(&self, codes: &[String]) -> Vec<String> {
        let resolver = AgencyResolver { on: self.directory(), all: self.directory(), mapped: self.mapped_codes() };
        codes.iter().filter(|c| resolver.resolve(c).is_none()).cloned().collect()
    }

    /// The table of `period` from the store, one row per agency with dossiers, filtered by
    /// agency and level. Every signed-in user reads it.
    pub fn dossier_indicators(
        &self,
        user: &User,
        period: &DossierPeriod,
        agency: Option<&AgencyId>,
        level: Option<AdminLevel>,
    ) -> Result<DossierTable, ServiceError> {
        check_reader(user)?;
        let snapshot = self.dossier_snapshot()?;
        let counts = snapshot.aggregates.query(period.window);
        Ok(self.table(period, &snapshot.agencies, &counts, agency, level))
    }

    /// The same table computed straight from an export, without the store.
    pub fn dossier_indicators_from_file(
        &self,
        user: &User,
        bytes: &[u8],
        format: Format,
        period: &DossierPeriod,
        agency: Option<&AgencyId>,
        level: Option<AdminLevel>,
    ) -> Result<(DossierTable, Vec<Diagnostic>), ServiceError> {
        self.dossier_indicators_from_input(user, Input::Bytes(bytes), format, period, agency, level)
    }

    /// The same table computed straight from an export file, read block by block: memory does
    /// not grow with the file (`cchc_dossiers::stream`).
    pub fn dossier_indicators_from_path(
        &self,
        user: &User,
        path: &Path,
        format: Format,
        period: &DossierPeriod,
        agency: Option<&AgencyId>,
        level: Option<AdminLevel>,
    ) -> Result<(DossierTable, Vec<Diagnostic>), ServiceError> {
        self.dossier_indicators_from_input(user, Input::Path(path), format, period, agency, level)
    }

    fn dossier_indicators_from_input(
        &self,
        user: &User,
        input: Input<'_>,
        format: Format,
        period: &DossierPeriod,
        agency: Option<&AgencyId>,
        level: Option<AdminLevel>,
    ) -> Result<(DossierTable, Vec<Diagnostic>), ServiceError> {
        check_reader(user)?;
        let index = self.dossier_index();
        let counted = count_file_window(input, format, &StreamOptions::default(), period.window, index)
            .map_err(|e| ServiceError::Invalid(vec![format!("tệp bị từ chối: {e}")]))?;
        Ok((self.table(period, &counted.agencies, &counted.counts, agency, level), counted.diagnostics))
    }

    fn table(
        &self,
        period: &DossierPeriod,
        codes: &[String],
        counts: &[Counts],
        agency: Option<&AgencyId>,
        level: Option<AdminLevel>,
    ) -> DossierTable {
        let resolver = self.resolver(period.to);
        let mut by_agency: BTreeMap<AgencyId, (Agency, Counts)> = BTreeMap::new();
        let mut unknown = Vec::new();
        for (code, c) in codes.iter().zip(counts) {
            if *c == Counts::default() {
                continue;
            }
            match resolver.resolve(code) {
                Some(found) => {
                    by_agency.entry(found.id.clone()).or_insert_with(|| (found.clone(), Counts::default())).1.add(c)
                }
                None => unknown.push((code.clone(), *c)),
            }
        }
        let rows = by_agency
            .into_values()
            .filter(|(a, _)| agency.is_none_or(|id| &a.id == id) && level.is_none_or(|l| a.level == l))
            .map(|(agency, counts)| {
                let name = agency.name_on(period.to).to_string();
                DossierRow { agency: Agency { name, ..agency }, score: points_766(&counts), counts }
            })
            .collect();
        DossierTable { period: period.clone(), rows, unknown }
    }

    /// Dossiers resolved late in the window without an apology letter, by agency code then
    /// `MaHoSo`.
    pub fn late_dossiers(&self, user: &User, period: &DossierPeriod) -> Result<Vec<LateDossier>, ServiceError> {
        check_reader(user)?;
        let store = self.dossier_store()?;
        let index = self.dossier_index();
        let snapshot = self.dossier_snapshot()?;
        let resolver = self.resolver(period.to);
        let mut out = Vec::new();
        store
            .scan(|id, d| {
                let outcome = classify(d, period.window, index);
                if outcome.state == State::Resolved(Timeliness::Late)
                    && !d.flags.contains(cchc_domain::dossier::DossierFlags::APOLOGY)
                {
                    let code = snapshot.agencies.get(d.agency.0 as usize).cloned().unwrap_or_default();
                    out.push(LateDossier {
                        id: id.to_string(),
                        agency: resolver.resolve(&code).map(|a| a.id.clone()),
                        code,
                        received: d.received.map_or(DayNum::default(), |r| r.day()),
                        appointment: cchc_domain::dossier::appointment_of(d, index).map(|a| a.day()),
                        ended: cchc_domain::dossier::end_of_processing(d).map(|e| e.day()),
                    });
                }
            })
            .map_err(store_error)?;
        out.sort_by(|a, b| (&a.code, &a.id).cmp(&(&b.code, &b.id)));
        Ok(out)
    }

    /// Dossiers received in the window whose synchronised appointment date is wrong.
    pub fn wrong_appointments(
        &self,
        user: &User,
        period: &DossierPeriod,
    ) -> Result<Vec<WrongAppointment>, ServiceError> {
        check_reader(user)?;
        let store = self.dossier_store()?;
        let index = self.dossier_index();
        let snapshot = self.dossier_snapshot()?;
        let resolver = self.resolver(period.to);
        let mut out = Vec::new();
        store
            .scan(|id, d| {
                let Some(received) = d.received else { return };
                let Some(given) = d.appointment else { return };
                if !classify(d, period.window, index).received || wrong_appointment(d, index) != Some(true) {
                    return;
                }
                let code = snapshot.agencies.get(d.agency.0 as usize).cloned().unwrap_or_default();
                out.push(WrongAppointment {
                    id: id.to_string(),
                    agency: resolver.resolve(&code).map(|a| a.id.clone()),
                    code,
                    received: received.day(),
                    given: given.day(),
                    legal: d.limit_days.and_then(|n| index.add_working_days(received.day(), u32::from(n))),
                });
            })
            .map_err(store_error)?;
        out.sort_by(|a, b| (&a.code, &a.id).cmp(&(&b.code, &b.id)));
        Ok(out)
    }
}

/// The dates of a [`DayNum`] for presentation.
pub fn dossier_date(d: DayNum) -> Date {
    to_date(d)
}

fn check_reader(user: &User) -> Result<(), ServiceError> {
    if user.active {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("tài khoản đã bị khóa".into()))
    }
}

/// Counts per agency index of `set` for `window`, dossier by dossier on two threads (the path
/// without the store; the store's engine gives the same numbers).
pub fn count_window(set: &DossierSet, window: Window, index: &cchc_domain::dossier::WorkdayIndex) -> Vec<Counts> {
    let agencies = set.agencies.len();
    let half = set.records.len().div_ceil(2).max(1);
    let parts: Vec<Vec<Counts>> = std::thread::scope(|scope| {
        let handles: Vec<_> = set
            .records
            .chunks(half)
            .map(|part| {
                scope.spawn(move || {
                    let mut counts = vec![Counts::default(); agencies];
                    for d in part {
                        if let Some(c) = counts.get_mut(d.agency.0 as usize) {
                            tally(d, window, index, c);
                        }
                    }
                    counts
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    let mut total = vec![Counts::default(); agencies];
    for part in &parts {
        for (t, c) in total.iter_mut().zip(part) {
            t.add(c);
        }
    }
    total
}
