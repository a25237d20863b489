//! Read caches shared between requests: the current plan with its milestones and its lookup
//! index (one [`Current`] snapshot), the dashboards computed over it, and the indicator catalogue.
//!
//! One generation counter guards them: every write through [`App`] bumps it and drops the
//! snapshot; a reload that started before the write finds the counter changed when it is done and
//! does not store what it read, so a `clear()` during a reload never leaves a stale snapshot.
//! Requests that miss together wait for one reload (`loading_*`) rather than each computing it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use cchc_domain::text::fold;
use cchc_domain::tracking::MilestoneQuery;
use cchc_domain::tracking::{ActivityIndex, MilestoneRecord};
use cchc_domain::{
    Activity, AgencyDirectory, AgencyId, AgencyKind, Area, AreaCode, Date, Diagnostic, PeriodId, Plan, PlanVersion,
};

use crate::dashboard::{dashboard, evaluate, Dashboard};
use crate::{App, ServiceError};

/// A year's PAR Index scores with the data generation and the day they were computed at.
pub(crate) type KeptScores = (u64, cchc_domain::Date, Arc<crate::evaluation::YearScores>);

/// The current plan with its milestones, shared read-only between requests.
#[derive(Debug)]
pub struct Current {
    pub version: PlanVersion,
    pub plan: Plan,
    pub diagnostics: Vec<Diagnostic>,
    /// Every milestone of every assignment of this version, in plan order.
    pub milestones: Vec<MilestoneRecord>,
    /// The stored activities (ids and places in the plan).
    activities: Vec<ActivityIndex>,
    /// Lookup tables, built on first use.
    index: OnceLock<Arc<PlanIndex>>,
    /// Dashboards already computed for this snapshot, by as-of date.
    dashboards: Mutex<HashMap<Date, Arc<Dashboard>>>,
}

/// How many dashboards (distinct as-of dates) one snapshot keeps.
const DASHBOARD_MEMO: usize = 64;

/// Caches of what pages read on every request. Cleared by every write made through [`App`];
/// a write made by another process (the CLI beside a running server) shows after a restart.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    /// Bumped by every [`Cache::clear`]; a snapshot read under an older value is not kept.
    generation: AtomicU64,
    /// The snapshot of each plan asked for, by plan key (`None`: the current plan, latest year).
    plans: RwLock<HashMap<Option<String>, Arc<Current>>>,
    /// Every stored plan version (newest year first), read once per generation.
    versions: RwLock<Option<(u64, Arc<Vec<PlanVersion>>)>>,
    /// Bumped when the indicator catalogue changes (a progress write does not touch it).
    catalogue_generation: AtomicU64,
    /// The indicator catalogue in force of each plan version, parsed from JSON against it:
    /// plan version id → (catalogue generation, catalogue).
    catalogue: RwLock<HashMap<i64, (u64, Arc<crate::reporting::Catalogue>)>>,
    /// Bumped by every write of a report, a receipt date or an extension.
    reports_generation: AtomicU64,
    /// Standings and results of a period, under the key they were computed with.
    periods: Mutex<HashMap<PeriodId, (PeriodKey, Arc<crate::reporting::PeriodData>)>>,
    /// Bumped when the document settings (signer, recipients) change: nothing here depends on
    /// them, but documents kept by the web layer do.
    settings_generation: AtomicU64,
    /// Bumped by every write of the PAR Index (frameworks, rounds, assessments).
    evaluation_generation: AtomicU64,
    /// Scores of a year under the data generation and the day they were computed at.
    pub(crate) evaluations: Mutex<HashMap<i32, KeptScores>>,
    /// Bumped by every survey import or keyed form.
    survey_generation: AtomicU64,
    /// The SIPAS index of each year asked for: year → (survey generation, index).
    sipas: Mutex<HashMap<i32, (u64, Arc<cchc_domain::sipas::SipasIndex>)>>,
    /// Held while the snapshot is read from the store: the requests that miss it together wait
    /// for one reload instead of each reading the whole plan (a crowd after a restart or a
    /// write would otherwise all compute the same thing and none would finish in time).
    pub(crate) loading_current: tokio::sync::Mutex<()>,
    /// The same for the catalogue.
    pub(crate) loading_catalogue: tokio::sync::Mutex<()>,
    /// The same for a period's standings and results.
    pub(crate) loading_period: tokio::sync::Mutex<()>,
}

/// What a period's computed data depends on: (reports generation, catalogue generation, plan
/// version id).
pub(crate) type PeriodKey = (u64, u64, i64);

impl Cache {
    pub(crate) fn clear(&self) {
        // Under the write lock, so that no reader stores between the bump and the reset.
        if let Ok(mut guard) = self.plans.write() {
            self.generation.fetch_add(1, Ordering::SeqCst);
            guard.clear();
        } else {
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Drops the catalogue (an edited catalogue was stored).
    pub(crate) fn clear_catalogue(&self) {
        if let Ok(mut guard) = self.catalogue.write() {
            self.catalogue_generation.fetch_add(1, Ordering::SeqCst);
            guard.clear();
        } else {
            self.catalogue_generation.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Changes with every write through [`App`] that a page, an API read or a document can show
    /// (plan, progress, reports, catalogue, document settings): each counter only grows, so
    /// their sum does too.
    pub(crate) fn data_generation(&self) -> u64 {
        self.generation()
            .wrapping_add(self.catalogue_generation())
            .wrapping_add(self.reports_generation.load(Ordering::SeqCst))
            .wrapping_add(self.settings_generation.load(Ordering::SeqCst))
            .wrapping_add(self.evaluation_generation.load(Ordering::SeqCst))
            .wrapping_add(self.survey_generation())
    }

    /// Notes a write of the PAR Index.
    pub(crate) fn evaluation_changed(&self) {
        self.evaluation_generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Survey responses were stored.
    pub(crate) fn survey_changed(&self) {
        self.survey_generation.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn survey_generation(&self) -> u64 {
        self.survey_generation.load(Ordering::SeqCst)
    }

    pub(crate) fn sipas_kept(&self, year: i32, generation: u64) -> Option<Arc<cchc_domain::sipas::SipasIndex>> {
        let guard = self.sipas.lock().ok()?;
        guard.get(&year).filter(|(g, _)| *g == generation).map(|(_, index)| Arc::clone(index))
    }

    /// Keeps a year's index computed under `generation` unless a survey write happened since.
    pub(crate) fn keep_sipas(&self, year: i32, generation: u64, index: &Arc<cchc_domain::sipas::SipasIndex>) {
        if let Ok(mut guard) = self.sipas.lock() {
            if self.survey_generation() == generation {
                guard.insert(year, (generation, Arc::clone(index)));
            }
        }
    }

    /// The document settings were written.
    pub(crate) fn settings_changed(&self) {
        self.settings_generation.fetch_add(1, Ordering::SeqCst);
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Keeps the snapshot of plan `key` if no write happened since `generation` was read.
    fn keep(&self, generation: u64, key: Option<&str>, current: &Arc<Current>) {
        if let Ok(mut guard) = self.plans.write() {
            if self.generation() == generation {
                guard.insert(key.map(str::to_string), Arc::clone(current));
            }
        }
    }

    fn kept(&self, key: Option<&str>) -> Option<Arc<Current>> {
        let guard = self.plans.read().ok()?;
        guard.get(&key.map(str::to_string)).map(Arc::clone)
    }

    /// A report, receipt date or extension was written.
    pub(crate) fn reports_changed(&self) {
        if let Ok(mut guard) = self.periods.lock() {
            self.reports_generation.fetch_add(1, Ordering::SeqCst);
            guard.clear();
        } else {
            self.reports_generation.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// The key a period's data would be computed under now.
    pub(crate) fn period_key(&self, version_id: i64) -> PeriodKey {
        (self.reports_generation.load(Ordering::SeqCst), self.catalogue_generation(), version_id)
    }

    pub(crate) fn period(&self, period: PeriodId, key: PeriodKey) -> Option<Arc<crate::reporting::PeriodData>> {
        let guard = self.periods.lock().ok()?;
        guard.get(&period).filter(|(k, _)| *k == key).map(|(_, data)| Arc::clone(data))
    }

    /// Keeps a period's data computed under `key` unless a write happened meanwhile.
    pub(crate) fn keep_period(&self, period: PeriodId, key: PeriodKey, data: &Arc<crate::reporting::PeriodData>) {
        if let Ok(mut guard) = self.periods.lock() {
            if self.period_key(key.2) == key {
                guard.insert(period, (key, Arc::clone(data)));
            }
        }
    }

    pub(crate) fn catalogue_generation(&self) -> u64 {
        self.catalogue_generation.load(Ordering::SeqCst)
    }

    /// The catalogue kept for plan version `version_id`, if still valid.
    pub(crate) fn catalogue(&self, version_id: i64) -> Option<Arc<crate::reporting::Catalogue>> {
        let generation = self.catalogue_generation();
        let guard = self.catalogue.read().ok()?;
        guard.get(&version_id).filter(|(g, _)| *g == generation).map(|(_, c)| Arc::clone(c))
    }

    /// Keeps a catalogue read under `generation` unless the catalogue changed meanwhile.
    pub(crate) fn keep_catalogue(
        &self,
        generation: u64,
        version_id: i64,
        catalogue: &Arc<crate::reporting::Catalogue>,
    ) {
        if let Ok(mut guard) = self.catalogue.write() {
            if self.catalogue_generation() == generation {
                guard.insert(version_id, (generation, Arc::clone(catalogue)));
            }
        }
    }
}

impl App {
    /// The current plan (latest year, latest version) with all its milestones, cached.
    pub async fn current(&self) -> Result<Arc<Current>, ServiceError> {
        self.plan_snapshot(None).await
    }

    /// The latest version of plan `key` (`son-la-2024`; `None`: the current plan) with all its
    /// milestones, cached like the current plan.
    pub async fn plan_snapshot(&self, key: Option<&str>) -> Result<Arc<Current>, ServiceError> {
        if let Some(current) = self.cache.kept(key) {
            return Ok(current);
        }
        // One reload at a time; whoever waited finds the snapshot the first one kept.
        let _turn = self.cache.loading_current.lock().await;
        if let Some(current) = self.cache.kept(key) {
            return Ok(current);
        }
        let generation = self.cache.generation();
        let (version, plan, diagnostics) = self.current_plan(key).await?;
        let milestones = self.store().milestones(version.id, &MilestoneQuery::default()).await?;
        let activities = self.store().activity_index(version.id).await?;
        let current = Arc::new(Current {
            version,
            plan,
            diagnostics,
            milestones,
            activities,
            index: OnceLock::new(),
            dashboards: Mutex::default(),
        });
        self.cache.keep(generation, key, &current);
        Ok(current)
    }

    /// Every stored plan version, newest plan year first (cached until the next write).
    pub async fn plan_versions_cached(&self) -> Result<Arc<Vec<PlanVersion>>, ServiceError> {
        let generation = self.cache.generation();
        if let Ok(guard) = self.cache.versions.read() {
            if let Some((g, versions)) = guard.as_ref() {
                if *g == generation {
                    return Ok(Arc::clone(versions));
                }
            }
        }
        let versions = Arc::new(self.plan_versions().await?);
        if let Ok(mut guard) = self.cache.versions.write() {
            if self.cache.generation() == generation {
                *guard = Some((generation, Arc::clone(&versions)));
            }
        }
        Ok(versions)
    }

    /// The latest version of each plan, newest plan year first (one line per plan key).
    pub async fn plans_latest(&self) -> Result<Vec<PlanVersion>, ServiceError> {
        let mut out: Vec<PlanVersion> = Vec::new();
        for version in self.plan_versions_cached().await?.iter() {
            if !out.iter().any(|v| v.plan_key == version.plan_key) {
                out.push(version.clone());
            }
        }
        Ok(out)
    }

    /// The plan a reporting period belongs to: the plan of the period's year (its latest
    /// version), else the current plan. 2024's reports stay reachable when 2026 is current.
    pub async fn plan_of_period(&self, period: PeriodId) -> Result<Arc<Current>, ServiceError> {
        let current = self.current().await?;
        if current.plan.meta.year == Some(period.year()) {
            return Ok(current);
        }
        let versions = self.plan_versions_cached().await?;
        match versions.iter().find(|v| v.year == Some(period.year())) {
            Some(version) => {
                let key = version.plan_key.clone();
                self.plan_snapshot(Some(&key)).await
            }
            None => Ok(current),
        }
    }

    /// The day pages open on when the user gives none: today while the current plan's year
    /// runs; once it is over, the data cut-off of its last report (so a newcomer reading a past
    /// year does not land on a wall of red), with a Vietnamese note saying so.
    pub async fn default_as_of(&self, today: Date) -> Result<(Date, Option<String>), ServiceError> {
        self.default_as_of_of(None, today).await
    }

    /// [`App::default_as_of`] for plan `key` (`None`: the current plan).
    pub async fn default_as_of_of(
        &self,
        key: Option<&str>,
        today: Date,
    ) -> Result<(Date, Option<String>), ServiceError> {
        let current = self.plan_snapshot(key).await?;
        let Some(year) = current.plan.meta.year else { return Ok((today, None)) };
        if today.year() <= year {
            return Ok((today, None));
        }
        let last = current.plan.reporting_periods.iter().max_by_key(|p| p.data_to);
        let (day, what) = match last {
            Some(p) => (p.data_to, format!("ngày chốt số liệu của {}", p.name.to_lowercase())),
            None => (Date::last_of_month(year, 12).unwrap_or(today), "ngày cuối năm kế hoạch".to_string()),
        };
        let note = format!("Kế hoạch năm {year} đã kết thúc: trang hiển thị tình hình đến ngày {} ({what}).", day.vn());
        Ok((day, Some(note)))
    }

    /// The current snapshot with its lookup index (built once per snapshot).
    pub async fn snapshot(&self) -> Result<Snapshot, ServiceError> {
        self.snapshot_of(None).await
    }

    /// The snapshot of plan `key` (`None`: the current plan) with its lookup index.
    pub async fn snapshot_of(&self, key: Option<&str>) -> Result<Snapshot, ServiceError> {
        let current = self.plan_snapshot(key).await?;
        let index = Arc::clone(current.index.get_or_init(|| Arc::new(PlanIndex::build(&current, self.directory()))));
        Ok(Snapshot { current, index })
    }

    /// The province dashboard of the current plan as of a date. Computed once per snapshot and
    /// date (every write starts a new snapshot), so serving it costs almost nothing.
    pub async fn dashboard(&self, as_of: Date) -> Result<(Arc<Current>, Arc<Dashboard>), ServiceError> {
        self.dashboard_of(None, as_of).await
    }

    /// [`App::dashboard`] of plan `key` (`None`: the current plan).
    pub async fn dashboard_of(
        &self,
        key: Option<&str>,
        as_of: Date,
    ) -> Result<(Arc<Current>, Arc<Dashboard>), ServiceError> {
        let current = self.plan_snapshot(key).await?;
        if let Some(found) = current.dashboards.lock().ok().and_then(|memo| memo.get(&as_of).cloned()) {
            return Ok((current, found));
        }
        let evaluated = evaluate(&current.milestones, as_of, self.calendar());
        let titles: Vec<_> = current.plan.areas.iter().map(|a| (a.code, a.title.clone())).collect();
        let board = Arc::new(dashboard(&evaluated, &titles, self.directory(), as_of));
        if let Ok(mut memo) = current.dashboards.lock() {
            if memo.len() >= DASHBOARD_MEMO {
                memo.clear();
            }
            memo.insert(as_of, Arc::clone(&board));
        }
        Ok((current, board))
    }
}

/// Lookup tables over one [`Current`] value.
#[derive(Debug)]
pub struct PlanIndex {
    pub activities: Vec<ActivityEntry>,
    by_id: HashMap<i64, usize>,
    by_position: HashMap<(AreaCode, usize), usize>,
    /// Milestone id → position in `Current::milestones`.
    milestone_at: HashMap<i64, usize>,
    /// Activity id → positions of its milestones, in plan order.
    by_activity: HashMap<i64, Vec<usize>>,
    /// Agency → positions of its milestones, in plan order.
    by_agency: HashMap<AgencyId, Vec<usize>>,
    /// Agency → (name, kind).
    agencies: HashMap<AgencyId, (String, AgencyKind)>,
}

/// A stored activity and where it sits in the plan.
#[derive(Debug)]
pub struct ActivityEntry {
    pub id: i64,
    pub area: AreaCode,
    pub position: usize,
    pub code: String,
    /// Folded searchable text: fields separated by " | " so that a phrase never spans two.
    haystack: String,
}

/// The current plan, its milestones and the index, for one request.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub current: Arc<Current>,
    pub index: Arc<PlanIndex>,
}

impl PlanIndex {
    fn build(current: &Current, directory: &AgencyDirectory) -> PlanIndex {
        let agencies: HashMap<AgencyId, (String, AgencyKind)> =
            directory.agencies.iter().map(|a| (a.id.clone(), (a.name.clone(), a.kind))).collect();
        let mut activities = Vec::new();
        for s in &current.activities {
            let Some(activity) = current.plan.area(s.area).and_then(|a| a.activities.get(s.position)) else {
                continue;
            };
            let mut fields = vec![fold(&activity.title)];
            fields.extend(activity.outputs.iter().map(|o| fold(o)));
            for r in activity.lead.iter().chain(&activity.partners) {
                fields.push(fold(&r.text));
                fields.extend(r.agencies.iter().filter_map(|id| agencies.get(id)).map(|(name, _)| fold(name)));
                fields.extend(r.groups.iter().filter_map(|g| directory.group(g)).map(|g| fold(&g.name)));
            }
            activities.push(ActivityEntry {
                id: s.id.0,
                area: s.area,
                position: s.position,
                code: format!("{}.{}", s.area, activity.number),
                haystack: format!(" {} ", fields.join(" | ")),
            });
        }
        activities.sort_by_key(|a| (a.area, a.position));
        let by_id = activities.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
        let by_position = activities.iter().enumerate().map(|(i, a)| ((a.area, a.position), i)).collect();
        let mut milestone_at = HashMap::new();
        let mut by_activity: HashMap<i64, Vec<usize>> = HashMap::new();
        let mut by_agency: HashMap<AgencyId, Vec<usize>> = HashMap::new();
        for (i, m) in current.milestones.iter().enumerate() {
            milestone_at.insert(m.id.0, i);
            by_activity.entry(m.activity.0).or_default().push(i);
            by_agency.entry(m.agency.clone()).or_default().push(i);
        }
        PlanIndex { activities, by_id, by_position, milestone_at, by_activity, by_agency, agencies }
    }
}

impl Snapshot {
    /// A stored activity of the current plan by id.
    pub fn activity(&self, id: i64) -> Option<(&ActivityEntry, &Area, &Activity)> {
        let entry = self.index.activities.get(*self.index.by_id.get(&id)?)?;
        let area = self.current.plan.area(entry.area)?;
        Some((entry, area, area.activities.get(entry.position)?))
    }

    /// The index entry of a stored activity.
    pub fn entry(&self, id: i64) -> Option<&ActivityEntry> {
        self.index.activities.get(*self.index.by_id.get(&id)?)
    }

    /// The stored id of the activity at this place of the plan.
    pub fn activity_id_at(&self, area: AreaCode, position: usize) -> Option<i64> {
        self.index.by_position.get(&(area, position)).and_then(|i| self.index.activities.get(*i)).map(|a| a.id)
    }

    pub fn milestone(&self, id: i64) -> Option<&MilestoneRecord> {
        self.current.milestones.get(*self.index.milestone_at.get(&id)?)
    }

    pub fn milestones_of_activity(&self, id: i64) -> Vec<&MilestoneRecord> {
        self.positions(self.index.by_activity.get(&id))
    }

    pub fn milestones_of_agency(&self, agency: &AgencyId) -> Vec<&MilestoneRecord> {
        self.positions(self.index.by_agency.get(agency))
    }

    fn positions(&self, positions: Option<&Vec<usize>>) -> Vec<&MilestoneRecord> {
        positions.map_or_else(Vec::new, |p| p.iter().filter_map(|i| self.current.milestones.get(*i)).collect())
    }

    pub fn agency_name(&self, id: &AgencyId) -> String {
        self.index.agencies.get(id).map_or_else(|| id.to_string(), |(name, _)| name.clone())
    }

    pub fn agency_kind(&self, id: &AgencyId) -> AgencyKind {
        self.index.agencies.get(id).map_or(AgencyKind::Other, |(_, kind)| *kind)
    }

    pub fn knows_agency(&self, id: &AgencyId) -> bool {
        self.index.agencies.contains_key(id)
    }

    /// The activities whose folded text contains the folded query as a phrase starting a word.
    pub fn search(&self, query: &str) -> Vec<&ActivityEntry> {
        let needle = fold(query);
        if needle.is_empty() {
            return Vec::new();
        }
        let needle = format!(" {needle}");
        self.index.activities.iter().filter(|a| a.haystack.contains(&needle)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_clear_during_a_reload_never_leaves_a_stale_snapshot() {
        let app = App::open_in_memory().await.expect("app");
        let before = app.current().await.expect("current");
        // A reload reads the generation, then a write clears the cache before the reload stores.
        let generation = app.cache.generation();
        app.cache.clear();
        app.cache.keep(generation, None, &before);
        let after = app.current().await.expect("current");
        assert!(!Arc::ptr_eq(&before, &after), "the snapshot read before the write was not kept");
        // Without a write in between, the snapshot is kept and shared.
        let again = app.current().await.expect("current");
        assert!(Arc::ptr_eq(&after, &again));
        let snapshot = app.snapshot().await.expect("snapshot");
        assert!(Arc::ptr_eq(&snapshot.current, &again));
        assert_eq!(snapshot.index.activities.len(), 81);
        assert!(Arc::ptr_eq(&snapshot.index, &app.snapshot().await.expect("snapshot").index), "built once");
    }
}
