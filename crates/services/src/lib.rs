//! Use cases: what a user of the command line (and later the web application) can ask for.
//! Each function takes domain values and returns domain values; presentation (tables, JSON,
//! pages) is the caller's business.
//!
//! Architecture invariant: no SQL here (that is `cchc-store`), no parsing of documents (that is
//! `cchc-import`), no presentation, no environment or clock reads: "today" is always a parameter.

use std::path::Path;

/// Accounts, passwords, sessions, login throttling.
pub mod accounts;
/// Amended plans keep their progress: diff against the previous version, carry-over.
pub mod amend;
/// Read caches (current plan, milestone snapshot) cleared on every write.
mod cache;
/// The province dashboard: counts per derived status by area, agency group and agency.
pub mod dashboard;
/// The agency directory over time: maps of any day, plans read against their year, versions.
pub mod directory;
/// Other `DonViXuLy` codes of the dossier exports mapped to directory agencies.
pub mod dossier_codes;
/// Indicators of a period report computed from the dossiers, beside the reported values.
mod dossier_compare;
/// Dossier imports from the web: jobs with progress, one at a time; the months with data.
pub mod dossier_jobs;
/// One-stop-shop dossiers: import into the dossier store, the per-agency table of a period.
pub mod dossiers;
/// The PAR Index: criteria framework, assessment round, scores, ranks and bands.
pub mod evaluation;
/// The inputs of the PAR Index documents: an agency's score sheet, the ranking of a year.
pub mod evaluation_documents;
/// Hand-over of an ended agency's open milestones to its successor.
pub mod handover;
/// Inspection planning: proposed and adopted plans, inspections as milestones, findings.
pub mod inspection;
/// The year-end task-completion rating: rules in force, breakdowns, cap, overrides.
pub mod rating;
/// The reporting cycle: forms, submission, review, completeness, consolidation.
pub mod reporting;
/// SIPAS: survey imports, keyed paper forms and the satisfaction index.
pub mod survey;
/// Assignments, milestones, progress and events.
pub mod tracking;
/// One indicator across the plans of several years.
pub mod years;

use cchc_domain::schedule::Milestone;
use cchc_domain::text::normalize_document;
use cchc_domain::{Activity, Agency, AgencyDirectory, AgencyId, Area, AreaCode, Date, Diagnostic, Plan, Severity};
use cchc_domain::{ImportOutcome, PlanVersion};
use cchc_import::agencies::AgencyMatcher;
use cchc_import::{ParsedPlan, SON_LA_2024_PLAN, SON_LA_2024_PLAN_NAME};
use cchc_store::{content_hash, plan_key, NewDocument, Store, StoreError};

pub use cache::{ActivityEntry, Current, PlanIndex, Snapshot};
/// The two dossier file formats, for callers that hand bytes to [`App::import_dossiers`] without
/// depending on the dossier engine.
pub use cchc_dossiers::Format as DossierFormat;
pub use directory::{parse_with_embedded_directory, DirectoryImport};

/// File name of the SQLite database inside the data folder.
pub const DATABASE_FILE: &str = "cchc.sqlite3";

/// What can go wrong in a use case. `Display` is the Vietnamese message for users; the
/// underlying store error is kept in the source chain for the logs.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("lỗi cơ sở dữ liệu; xem nhật ký để biết chi tiết")]
    Store(#[from] StoreError),
    #[error("không tạo được thư mục dữ liệu «{path}»: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("tài liệu không phải là một kế hoạch CCHC (không tìm thấy lĩnh vực, chỉ tiêu hay hoạt động nào)")]
    NotAPlan { diagnostics: Vec<Diagnostic> },
    #[error("chưa có kế hoạch nào trong cơ sở dữ liệu")]
    NoPlan,
    #[error("không có kế hoạch «{0}» trong cơ sở dữ liệu")]
    UnknownPlan(String),
    #[error("không tìm thấy cơ quan «{0}»; dùng `cchc agencies --search …` để tra cứu")]
    UnknownAgency(String),
    #[error("«{query}» khớp với nhiều cơ quan: {}; hãy ghi rõ hơn hoặc dùng mã cơ quan", candidates.join("; "))]
    AmbiguousAgency { query: String, candidates: Vec<String> },
    #[error("dữ liệu không hợp lệ: {}", .0.join("; "))]
    Invalid(Vec<String>),
    #[error("không tìm thấy {0}")]
    NotFound(String),
    #[error("không có quyền: {0}")]
    Forbidden(String),
    #[error("lỗi hệ thống khi tạo mã ngẫu nhiên")]
    Random(String),
}

/// The diagnostics of one severity as the messages users read: «dòng N: …» (the line left out
/// when unknown) — how every editable document (framework, rating rules, SIPAS configuration)
/// reports what was refused or warned about.
pub(crate) fn diagnostic_lines(diagnostics: &[Diagnostic], severity: cchc_domain::Severity) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .map(|d| if d.line > 0 { format!("dòng {}: {}", d.line, d.message) } else { d.message.clone() })
        .collect()
}

/// The application: a store plus the agency directory it resolves names against.
pub struct App {
    store: Store,
    /// The agency directory over time, its map of each change day and their name indexes.
    directories: directory::Directories,
    calendar: cchc_domain::calendar::WorkCalendar,
    /// Read caches for the web application; every write through `App` clears them.
    cache: cache::Cache,
    /// (username, client) pairs with a password check under way (see `accounts`).
    checking: accounts::InFlight,
    /// Sessions looked up in the last seconds (see `accounts`).
    sessions: accounts::SessionCache,
    /// Folder of the dossier store (`dossiers/` in the data folder; none in memory).
    dossier_dir: Option<std::path::PathBuf>,
    /// The working-day index of the dossier rules, built on first use (`dossiers::dossier_index`).
    dossier_index: std::sync::OnceLock<cchc_domain::dossier::WorkdayIndex>,
    /// The dossier store's snapshot with the generation it was read at (`dossier_snapshot`).
    dossier_snapshot: std::sync::Mutex<Option<(u64, std::sync::Arc<cchc_dossiers::Snapshot>)>>,
    /// Other `DonViXuLy` codes mapped to agencies (stored; read once, replaced on every edit).
    dossier_codes: dossier_codes::MappedCodes,
    /// Dossier import jobs of this process and the dossier data generation.
    dossier_jobs: dossier_jobs::DossierJobs,
}

/// What importing a document did.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub outcome: ImportOutcome,
    pub diagnostics: Vec<Diagnostic>,
    pub activity_count: usize,
    /// For a new version of a plan stored before: the diff against the previous version and
    /// what was carried over.
    pub amendment: Option<amend::Amendment>,
}

impl App {
    /// Opens the data folder (created when missing, for its owner only: 0700 on unix): the
    /// SQLite file (0600), the agency directory and, on first run, the embedded Sơn La 2024 plan.
    pub async fn open(data_dir: &Path) -> Result<App, ServiceError> {
        create_private_dir(data_dir)
            .map_err(|source| ServiceError::DataDir { path: data_dir.display().to_string(), source })?;
        let store = Store::open(&data_dir.join(DATABASE_FILE)).await?;
        Ok(App::with_store(store).await?.with_dossier_dir(data_dir.join(dossiers::DOSSIER_DIR)))
    }

    /// An application over a private in-memory database, seeded like a first run.
    pub async fn open_in_memory() -> Result<App, ServiceError> {
        App::with_store(Store::open_in_memory().await?).await
    }

    async fn with_store(store: Store) -> Result<App, ServiceError> {
        let directories = directory::load(&store, "").await?;
        let app = App {
            store,
            directories,
            calendar: cchc_domain::calendar::WorkCalendar::vietnam(),
            cache: cache::Cache::default(),
            checking: accounts::InFlight::default(),
            sessions: accounts::SessionCache::default(),
            dossier_dir: None,
            dossier_index: std::sync::OnceLock::new(),
            dossier_snapshot: std::sync::Mutex::new(None),
            dossier_codes: dossier_codes::MappedCodes::default(),
            dossier_jobs: dossier_jobs::DossierJobs::default(),
        };
        app.reload_dossier_codes().await?;
        if app.store.plan_version_count().await? == 0 {
            app.import_plan_text(SON_LA_2024_PLAN_NAME, SON_LA_2024_PLAN, "").await?;
        }
        // Plans imported before tracking existed get their assignments now.
        for version in app.store.plan_versions().await? {
            app.ensure_assignments(&version).await?;
        }
        app.follow_current_plan().await?;
        Ok(app)
    }

    /// A number that changes with every write through this `App` that a page, an API read or a
    /// document can show (plan, progress, reports, indicator catalogue, document settings,
    /// accounts and sessions, dossier imports). Lets the web layer keep an answer until the data
    /// under it changes.
    pub fn data_generation(&self) -> u64 {
        self.cache
            .data_generation()
            .wrapping_add(self.sessions.generation())
            .wrapping_add(self.dossier_jobs.generation())
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Parses a document without storing it, against the map of agencies of its year.
    pub fn parse(&self, text: &str) -> ParsedPlan {
        self.directories.parse(text)
    }

    /// Parses and stores a plan document. The same content imported twice changes nothing;
    /// changed content becomes a new version. A document that is not a plan is refused whole.
    pub async fn import_plan_text(
        &self,
        source_name: &str,
        text: &str,
        imported_at: &str,
    ) -> Result<ImportReport, ServiceError> {
        let parsed = self.parse(text);
        if !parsed.is_plausible_plan() {
            return Err(ServiceError::NotAPlan { diagnostics: parsed.diagnostics });
        }
        let hash = content_hash(&normalize_document(text));
        let activity_count = parsed.plan.activity_count();
        let key = plan_key(&parsed.plan.meta);
        if let Some(version) = self.store.version_with_content(&key, &hash).await? {
            let outcome = ImportOutcome::Unchanged(version);
            return Ok(ImportReport { outcome, activity_count, diagnostics: parsed.diagnostics, amendment: None });
        }
        let previous = self.store.current_version(Some(&key)).await?;
        let fan_out = tracking::fan_out(&parsed.plan, self.directory_of_plan(&parsed.plan.meta));
        let carry = match &previous {
            Some(previous) => Some(self.plan_carry(previous, &parsed.plan, &fan_out).await?),
            None => None,
        };
        let document = NewDocument {
            plan: &parsed.plan,
            diagnostics: &parsed.diagnostics,
            source_name,
            content_hash: &hash,
            imported_at,
        };
        let stored = self.store.import_version(&document, &fan_out, carry.as_ref().map(|(c, _)| c)).await;
        let (outcome, counts) = match stored {
            Ok(stored) => stored,
            Err(StoreError::Conflict(_)) => {
                return Err(ServiceError::Invalid(vec![format!(
                    "kế hoạch {key} vừa có một phiên bản khác được nhập cùng lúc; hãy nhập lại"
                )]))
            }
            Err(other) => return Err(other.into()),
        };
        self.follow_current_plan().await?;
        self.cache.clear();
        let amendment = match (carry, &outcome) {
            (Some((plan, diff)), ImportOutcome::Created(version)) => {
                let pending = self.pending_carry_over(&plan.from_version, version).await?;
                Some(amend::Amendment { from: plan.from_version, diff, carried: counts.into(), pending })
            }
            _ => None,
        };
        Ok(ImportReport { outcome, activity_count, diagnostics: parsed.diagnostics, amendment })
    }

    /// The latest version of a plan (by key such as `son-la-2024`, or the latest plan year).
    pub async fn current_plan(
        &self,
        plan_key: Option<&str>,
    ) -> Result<(PlanVersion, Plan, Vec<Diagnostic>), ServiceError> {
        let version = self.store.current_version(plan_key).await?.ok_or_else(|| match plan_key {
            Some(key) => ServiceError::UnknownPlan(key.to_string()),
            None => ServiceError::NoPlan,
        })?;
        let (plan, diagnostics) = self.store.load_plan(version.id).await?;
        Ok((version, plan, diagnostics))
    }

    /// Lookups by id show the names of the current plan's year from now on.
    async fn follow_current_plan(&self) -> Result<(), ServiceError> {
        if let Some(version) = self.store.current_version(None).await? {
            if let Some(date) = version.year.and_then(|y| Date::from_ymd(y, 1, 1)) {
                self.directories.set_current(date);
            }
        }
        Ok(())
    }

    pub async fn plan_versions(&self) -> Result<Vec<PlanVersion>, ServiceError> {
        Ok(self.store.plan_versions().await?)
    }

    /// The one agency a user's words designate (id, name, abbreviation, accents optional).
    pub fn resolve_agency(&self, query: &str) -> Result<&Agency, ServiceError> {
        let full = &self.directories.full;
        let candidates = AgencyMatcher::with_index(full, &self.directories.full_index).find(query);
        match candidates.as_slice() {
            [] => Err(ServiceError::UnknownAgency(query.to_string())),
            [one] => Ok(one),
            many => Err(ServiceError::AmbiguousAgency {
                query: query.to_string(),
                candidates: many.iter().take(8).map(|a| format!("{} ({})", a.name, a.id)).collect(),
            }),
        }
    }
}

/// Creates a folder (and its missing parents) that only its owner may open: 0700 on unix. An
/// existing folder is left as it is.
pub fn create_private_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// Which side of an activity an agency is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Lead,
    Partner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Lead => "lead",
            Role::Partner => "partner",
        }
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            Role::Lead => "Chủ trì",
            Role::Partner => "Phối hợp",
        }
    }
}

/// Criteria for listing activities. Every criterion left `None` matches everything.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub area: Option<AreaCode>,
    /// As lead or partner, groups expanded.
    pub agency: Option<AgencyId>,
    /// Only activities with a milestone due on or after this day.
    pub due_from: Option<Date>,
    /// Only activities with a milestone due on or before this day.
    pub due_to: Option<Date>,
    /// Only activities with a milestone due before this day (the due day itself is on time).
    pub overdue_as_of: Option<Date>,
}

/// An activity that matched a filter, with the milestones that made it match.
#[derive(Debug, Clone)]
pub struct SelectedActivity<'p> {
    pub area: &'p Area,
    pub activity: &'p Activity,
    /// The filtered agency's role, when filtering by agency.
    pub role: Option<Role>,
    /// Milestones inside the due range (all milestones when no range is given).
    pub milestones: Vec<Milestone>,
    /// Milestones overdue as of the filter's date.
    pub overdue: Vec<Milestone>,
}

/// The activities of `plan` that match `filter`, in document order.
pub fn select_activities<'p>(
    plan: &'p Plan,
    directory: &AgencyDirectory,
    filter: &ActivityFilter,
) -> Vec<SelectedActivity<'p>> {
    let mut out = Vec::new();
    for (area, activity) in plan.activities() {
        if filter.area.is_some_and(|code| code != area.code) {
            continue;
        }
        let role = match &filter.agency {
            None => None,
            Some(agency) if activity.is_led_by(agency, directory) => Some(Role::Lead),
            Some(agency) if activity.is_partner(agency, directory) => Some(Role::Partner),
            Some(_) => continue,
        };
        let all = activity.milestones();
        let ranged = filter.due_from.is_some() || filter.due_to.is_some();
        let milestones: Vec<Milestone> = all
            .iter()
            .filter(|m| filter.due_from.is_none_or(|from| m.due >= from) && filter.due_to.is_none_or(|to| m.due <= to))
            .cloned()
            .collect();
        if ranged && milestones.is_empty() {
            continue;
        }
        let overdue = match filter.overdue_as_of {
            Some(as_of) => {
                let overdue: Vec<Milestone> = milestones.iter().filter(|m| m.due < as_of).cloned().collect();
                if overdue.is_empty() {
                    continue;
                }
                overdue
            }
            None => Vec::new(),
        };
        out.push(SelectedActivity { area, activity, role, milestones, overdue });
    }
    out
}

/// Counts diagnostics by severity: (errors, warnings, infos).
pub fn diagnostic_counts(diagnostics: &[Diagnostic]) -> (usize, usize, usize) {
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    (count(Severity::Error), count(Severity::Warning), count(Severity::Info))
}
