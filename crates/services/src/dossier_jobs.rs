//! Dossier imports as the web application runs them (issue 11): one import at a time, each a
//! job whose progress a page can follow, kept in memory (the last [`KEPT_JOBS`]); every import
//! that changes the store moves the data generation, so that kept answers are not served
//! after it; and what the store holds (how many dossiers, which months have data).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use cchc_domain::account::User;
use cchc_domain::dossier::{Counts, Window};
use cchc_domain::Date;

use crate::dossiers::DossierImport;
use crate::{App, DossierFormat, ServiceError};

/// How many finished or running jobs the registry keeps (older ones are forgotten).
pub const KEPT_JOBS: usize = 8;

/// How a job ended.
#[derive(Debug, Clone)]
pub enum JobOutcome {
    /// The file was read and appended (malformed rows listed in the import's diagnostics).
    Imported(DossierImport),
    /// Nothing was imported, for these reasons (Vietnamese).
    Refused(Vec<String>),
}

/// What a job's page shows.
#[derive(Debug, Clone)]
pub struct JobStatus {
    pub id: u64,
    /// The file's name as uploaded.
    pub file_name: String,
    /// Size of the file in bytes.
    pub size: u64,
    /// Who started it (display name).
    pub started_by: String,
    /// The step under way, in Vietnamese ("Đọc tệp", …).
    pub phase: String,
    pub done: u64,
    pub total: u64,
    /// `None` while the job runs.
    pub outcome: Option<JobOutcome>,
}

impl JobStatus {
    /// Progress of the current step, 0–100.
    pub fn percent(&self) -> u64 {
        if self.outcome.is_some() {
            return 100;
        }
        self.done.saturating_mul(100).checked_div(self.total).unwrap_or(0).min(100)
    }
}

/// One import started from the web.
#[derive(Debug)]
pub struct DossierJob {
    id: u64,
    status: Mutex<JobStatus>,
}

impl DossierJob {
    pub fn id(&self) -> u64 {
        self.id
    }

    /// A copy of the job's state now.
    pub fn status(&self) -> JobStatus {
        self.status.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn progress(&self, phase: &str, done: u64, total: u64) {
        let mut status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
        if status.phase != phase {
            status.phase = phase.to_string();
        }
        status.done = done;
        status.total = total;
    }

    fn finish(&self, outcome: JobOutcome) {
        self.status.lock().unwrap_or_else(PoisonError::into_inner).outcome = Some(outcome);
    }
}

/// The right to import: one at a time (two appends at once would race on the store's commit
/// point). Released when dropped.
#[derive(Debug)]
pub struct ImportSlot {
    busy: Arc<AtomicBool>,
}

impl Drop for ImportSlot {
    fn drop(&mut self) {
        self.busy.store(false, Ordering::SeqCst);
    }
}

/// The jobs of this process and the dossier part of the data generation.
#[derive(Debug, Default)]
pub struct DossierJobs {
    next: AtomicU64,
    jobs: Mutex<VecDeque<Arc<DossierJob>>>,
    busy: Arc<AtomicBool>,
    /// Bumped by every import that changed the store.
    generation: AtomicU64,
}

impl DossierJobs {
    /// Moves with every dossier import that changed the store.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    fn slot(&self) -> Result<ImportSlot, ServiceError> {
        self.busy
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .map(|_| ImportSlot { busy: Arc::clone(&self.busy) })
            .map_err(|_| {
                ServiceError::Invalid(vec!["một lần nhập hồ sơ TTHC khác đang chạy; hãy chờ xong rồi nhập lại".into()])
            })
    }

    fn add(&self, file_name: &str, size: u64, started_by: &str) -> Arc<DossierJob> {
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let job = Arc::new(DossierJob {
            id,
            status: Mutex::new(JobStatus {
                id,
                file_name: file_name.to_string(),
                size,
                started_by: started_by.to_string(),
                phase: "Chờ bắt đầu".into(),
                done: 0,
                total: size,
                outcome: None,
            }),
        });
        let mut jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        jobs.push_back(Arc::clone(&job));
        while jobs.len() > KEPT_JOBS {
            jobs.pop_front();
        }
        job
    }

    fn get(&self, id: u64) -> Option<Arc<DossierJob>> {
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner).iter().find(|j| j.id == id).cloned()
    }

    /// The kept jobs, newest first.
    fn list(&self) -> Vec<JobStatus> {
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner).iter().rev().map(|j| j.status()).collect()
    }
}

/// What the dossier store holds.
#[derive(Debug, Clone, Default)]
pub struct DossierOverview {
    /// Whether the application has a folder for the store (an in-memory one has none).
    pub configured: bool,
    /// Live dossiers stored.
    pub dossiers: usize,
    /// Months (year, month) in which dossiers were received, oldest first.
    pub months: Vec<(i32, u32)>,
}

fn require_admin(user: &User) -> Result<(), ServiceError> {
    if user.is_admin() && user.active {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("chỉ Sở Nội vụ được nhập hồ sơ TTHC".into()))
    }
}

impl App {
    /// The import jobs of this process.
    pub fn dossier_jobs(&self) -> &DossierJobs {
        &self.dossier_jobs
    }

    /// [`App::import_dossiers`], one at a time, moving the data generation when the store
    /// changed.
    pub fn import_dossiers_now(
        &self,
        user: &User,
        bytes: &[u8],
        format: DossierFormat,
        progress: &mut dyn FnMut(&str, u64, u64),
    ) -> Result<DossierImport, ServiceError> {
        require_admin(user)?;
        let slot = self.dossier_jobs.slot()?;
        self.import_in_slot(&slot, user, bytes, format, progress)
    }

    fn import_in_slot(
        &self,
        _slot: &ImportSlot,
        user: &User,
        bytes: &[u8],
        format: DossierFormat,
        progress: &mut dyn FnMut(&str, u64, u64),
    ) -> Result<DossierImport, ServiceError> {
        let import = self.import_dossiers(user, bytes, format, progress)?;
        if import.report.added + import.report.replaced > 0 {
            self.dossier_jobs.generation.fetch_add(1, Ordering::SeqCst);
        }
        Ok(import)
    }

    /// Registers an import of `file_name` (`size` bytes) by `user` and takes the import slot;
    /// run it with [`App::run_dossier_job`]. Only Sở Nội vụ imports; one import at a time.
    pub fn start_dossier_job(
        &self,
        user: &User,
        file_name: &str,
        size: u64,
    ) -> Result<(Arc<DossierJob>, ImportSlot), ServiceError> {
        require_admin(user)?;
        let slot = self.dossier_jobs.slot()?;
        Ok((self.dossier_jobs.add(file_name, size, &user.display_name), slot))
    }

    /// Runs a registered import (blocking: reading, counting and writing the store), recording
    /// its progress and outcome in `job`, then releases the slot.
    pub fn run_dossier_job(
        &self,
        job: &DossierJob,
        slot: ImportSlot,
        user: &User,
        bytes: &[u8],
        format: DossierFormat,
    ) {
        let mut progress = |phase: &str, done: u64, total: u64| job.progress(phase, done, total);
        let outcome = match self.import_in_slot(&slot, user, bytes, format, &mut progress) {
            Ok(import) => JobOutcome::Imported(import),
            Err(ServiceError::Invalid(reasons)) => JobOutcome::Refused(reasons),
            Err(other) => JobOutcome::Refused(vec![other.to_string()]),
        };
        drop(slot);
        job.finish(outcome);
    }

    /// A job of this process, for Sở Nội vụ.
    pub fn dossier_job(&self, user: &User, id: u64) -> Result<JobStatus, ServiceError> {
        require_admin(user)?;
        self.dossier_jobs
            .get(id)
            .map(|j| j.status())
            .ok_or_else(|| ServiceError::NotFound(format!("lần nhập số {id} (chỉ giữ {KEPT_JOBS} lần gần nhất)")))
    }

    /// The kept jobs, newest first, for Sở Nội vụ.
    pub fn dossier_job_list(&self, user: &User) -> Result<Vec<JobStatus>, ServiceError> {
        require_admin(user)?;
        Ok(self.dossier_jobs.list())
    }

    /// What the store holds: its size and the months with dossiers received. Every signed-in
    /// user reads it.
    pub fn dossier_overview(&self, user: &User) -> Result<DossierOverview, ServiceError> {
        if !user.active {
            return Err(ServiceError::Forbidden("tài khoản đã bị khóa".into()));
        }
        if self.dossier_dir.is_none() {
            return Ok(DossierOverview::default());
        }
        let snapshot = self.dossier_snapshot()?;
        let mut months = Vec::new();
        let (first, days) = snapshot.aggregates.range();
        if days > 0 && snapshot.dossiers > 0 {
            let (mut year, mut month, _) = first.ymd();
            let (last_year, last_month, _) = first.plus(days - 1).ymd();
            while (year, month) <= (last_year, last_month) {
                let window = Date::from_ymd(year, month, 1)
                    .zip(Date::last_of_month(year, month))
                    .and_then(|(from, to)| {
                        cchc_domain::dossier::DayNum::from_date(from).zip(cchc_domain::dossier::DayNum::from_date(to))
                    })
                    .and_then(|(from, to)| Window::new(from, to));
                if let Some(window) = window {
                    let mut total = Counts::default();
                    for c in snapshot.aggregates.query(window) {
                        total.add(&c);
                    }
                    if total.received > 0 {
                        months.push((year, month));
                    }
                }
                (year, month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
            }
        }
        Ok(DossierOverview { configured: true, dossiers: snapshot.dossiers, months })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn one_import_at_a_time_and_the_slot_is_released_when_dropped() {
        let jobs = DossierJobs::default();
        let slot = jobs.slot().unwrap();
        let busy = jobs.slot().unwrap_err().to_string();
        assert!(busy.contains("đang chạy"), "{busy}");
        drop(slot);
        assert!(jobs.slot().is_ok());
    }

    #[test]
    fn the_registry_keeps_the_last_jobs_newest_first() {
        let jobs = DossierJobs::default();
        for i in 0..KEPT_JOBS + 3 {
            jobs.add(&format!("tep-{i}.csv"), 10, "Sở Nội vụ");
        }
        let kept = jobs.list();
        assert_eq!(kept.len(), KEPT_JOBS);
        assert_eq!(kept[0].id, (KEPT_JOBS + 3) as u64);
        assert_eq!(kept[KEPT_JOBS - 1].id, 4, "the three oldest are forgotten");
        assert!(jobs.get(1).is_none() && jobs.get(4).is_some());
    }

    #[test]
    fn progress_is_the_current_step_in_percent_and_full_once_over() {
        let jobs = DossierJobs::default();
        let job = jobs.add("a.csv", 200, "x");
        assert_eq!(job.status().percent(), 0);
        job.progress("Đọc tệp", 50, 200);
        assert_eq!((job.status().phase.as_str(), job.status().percent()), ("Đọc tệp", 25));
        job.progress("Ghi kho", 3, 0);
        assert_eq!(job.status().percent(), 0, "an unknown total is 0%, not a division by zero");
        job.finish(JobOutcome::Refused(vec!["tệp rỗng".into()]));
        assert_eq!(job.status().percent(), 100);
    }
}
