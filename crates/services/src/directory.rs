//! The agency directory over time: the map of any day, plans read against the map of their
//! year, and the editable directory document (export, validated import as a new version).

use cchc_domain::account::User;
use cchc_domain::{AgencyDirectory, Date, Diagnostic, PlanMeta};
use cchc_import::agencies::{AgencyIndex, AgencyMatcher};
use cchc_import::directory::{directory_document, has_errors, parse_directory, resolve_successors, son_la};
use cchc_import::{parse_plan_with, read_plan_meta, ParsedPlan};
use cchc_store::Store;

use crate::{App, ServiceError};

/// The directory as it stood on each day it changed, with its name index built once.
pub(crate) struct Directories {
    /// Every agency and group that ever existed, with its validity.
    pub(crate) full: AgencyDirectory,
    /// The name index of `full` (words of users: ids and every name ever borne).
    pub(crate) full_index: AgencyIndex,
    /// (first day, map of that day, its index, every agency under its name of that day), in
    /// date order; the first starts at `Date::MIN`.
    epochs: Vec<Epoch>,
    /// The map date of the current plan (as a day number), whose names lookups show.
    current: std::sync::atomic::AtomicI64,
    /// The stored version in force.
    pub(crate) version: i64,
}

struct Epoch {
    from: Date,
    view: AgencyDirectory,
    index: AgencyIndex,
    named: AgencyDirectory,
}

impl Directories {
    pub(crate) fn new(full: AgencyDirectory, version: i64) -> Directories {
        let epochs: Vec<Epoch> = std::iter::once(Date::MIN)
            .chain(full.change_dates())
            .map(|from| {
                let view = full.as_of(from);
                let index = AgencyIndex::build(&view);
                Epoch { from, view, index, named: full.named_on(from) }
            })
            .collect();
        let latest = epochs.last().map_or(Date::MIN, |e| e.from);
        Directories {
            full_index: AgencyIndex::build(&full),
            full,
            epochs,
            current: std::sync::atomic::AtomicI64::new(latest.julian_day_number()),
            version,
        }
    }

    /// Lookups show names as of `date` (the current plan's map date) from now on.
    pub(crate) fn set_current(&self, date: Date) {
        self.current.store(date.julian_day_number(), std::sync::atomic::Ordering::Relaxed);
    }

    /// Every agency that ever existed, under its name on the current plan's map date.
    pub(crate) fn named(&self) -> &AgencyDirectory {
        let day = self.current.load(std::sync::atomic::Ordering::Relaxed);
        let date = Date::from_julian_day_number(day).unwrap_or(Date::MIN);
        self.epoch(date).map_or(&self.full, |e| &e.named)
    }

    fn epoch(&self, date: Date) -> Option<&Epoch> {
        self.epochs.iter().rev().find(|e| e.from <= date).or(self.epochs.first())
    }

    pub(crate) fn on(&self, date: Date) -> &AgencyDirectory {
        self.epoch(date).map_or(&self.full, |e| &e.view)
    }

    fn matcher_on(&self, date: Date) -> AgencyMatcher<'_> {
        match self.epoch(date) {
            Some(e) => AgencyMatcher::with_index(&e.view, &e.index),
            None => AgencyMatcher::with_index(&self.full, &self.full_index),
        }
    }

    /// The map of the latest change (today's, unless a change is dated in the future).
    pub(crate) fn latest(&self) -> Date {
        self.epochs.last().map_or(Date::MIN, |e| e.from)
    }

    /// Reads a plan against the map of its year ([`PlanMeta::map_date`]; the latest map when
    /// the document gives no year); names of agencies that no longer exist then go to their
    /// successors, with a warning.
    pub(crate) fn parse(&self, text: &str) -> ParsedPlan {
        let date = read_plan_meta(text).map_date().unwrap_or_else(|| self.latest());
        let mut parsed = parse_plan_with(text, &self.matcher_on(date));
        resolve_successors(&mut parsed, &self.full, date);
        parsed
    }
}

/// Loads the directory in force: the latest stored version, or the embedded one stored as
/// version 1 on first run (and on a database made before directories had versions).
pub(crate) async fn load(store: &Store, now: &str) -> Result<Directories, ServiceError> {
    if let Some(stored) = store.latest_directory_version().await? {
        let (directory, diagnostics) = parse_directory(&stored.document);
        if has_errors(&diagnostics) {
            return Err(ServiceError::Invalid(
                std::iter::once(format!("danh mục cơ quan đang dùng (phiên bản {}) không đọc được", stored.version))
                    .chain(
                        diagnostics
                            .iter()
                            .filter(|d| d.severity == cchc_domain::Severity::Error)
                            .map(|d| d.to_string()),
                    )
                    .collect(),
            ));
        }
        return Ok(Directories::new(directory, stored.version));
    }
    // The embedded data is part of the build and is tested to load without errors.
    let (embedded, _) = son_la();
    let version = store
        .save_directory_version(
            &directory_document(&embedded),
            "Danh mục nhúng trong chương trình (Sơn La 2024–2025)",
            None,
            now,
        )
        .await?;
    Ok(Directories::new(embedded, version))
}

/// Parses a document against Sơn La's embedded directory, without any database.
pub fn parse_with_embedded_directory(text: &str) -> ParsedPlan {
    let (directory, _) = son_la();
    Directories::new(directory, 0).parse(text)
}

/// What importing a directory document did.
#[derive(Debug, Clone)]
pub struct DirectoryImport {
    /// The new version, or `None` when the document equals the directory in force.
    pub version: Option<i64>,
    pub agencies: usize,
    pub groups: usize,
    /// Warnings and notes (never errors: a document with errors is refused whole).
    pub diagnostics: Vec<Diagnostic>,
}

impl App {
    /// Every agency and group that ever existed, with its validity, each under the name it
    /// bore on the current plan's map date: for lookups by id and for history. Lists of "the
    /// agencies" use [`App::directory_on`] or [`App::directory_of_plan`].
    pub fn directory(&self) -> &AgencyDirectory {
        self.directories.named()
    }

    /// The directory as it stood on `date`: the agencies that existed then, under the names
    /// they bore then.
    pub fn directory_on(&self, date: Date) -> &AgencyDirectory {
        self.directories.on(date)
    }

    /// The directory a plan is read against (1 January of its year).
    pub fn directory_of_plan(&self, meta: &PlanMeta) -> &AgencyDirectory {
        self.directories.on(meta.map_date().unwrap_or_else(|| self.directories.latest()))
    }

    /// The stored version of the directory in force.
    pub fn directory_version(&self) -> i64 {
        self.directories.version
    }

    /// The editable document of the directory in force.
    pub fn export_directory(&self) -> String {
        directory_document(&self.directories.full)
    }

    /// Checks an edited directory document and stores it as a new version. Refused whole, with
    /// every error and its line, when anything is wrong; administrators only. The new version
    /// is read when the application next starts (the running server keeps its directory).
    pub async fn import_directory(
        &self,
        user: &User,
        text: &str,
        note: &str,
        now: &str,
    ) -> Result<DirectoryImport, ServiceError> {
        if !user.is_admin() {
            return Err(ServiceError::Forbidden("chỉ quản trị viên được sửa danh mục cơ quan".into()));
        }
        let (directory, diagnostics) = parse_directory(text);
        if has_errors(&diagnostics) {
            return Err(ServiceError::Invalid(
                diagnostics
                    .iter()
                    .filter(|d| d.severity == cchc_domain::Severity::Error)
                    .map(|d| d.to_string())
                    .collect(),
            ));
        }
        let counts = (directory.agencies.len(), directory.groups.len());
        let version = if directory == self.directories.full {
            None
        } else {
            let note = if note.trim().is_empty() { "Danh mục sửa đổi" } else { note.trim() };
            Some(
                self.store()
                    .save_directory_version(&directory_document(&directory), note, Some(user.id.0), now)
                    .await?,
            )
        };
        Ok(DirectoryImport { version, agencies: counts.0, groups: counts.1, diagnostics })
    }
}
