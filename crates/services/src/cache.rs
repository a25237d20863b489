//! Read caches shared between requests (the current plan with its milestones, dashboards, the catalogue), cleared by every write through `App`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use cchc_domain::tracking::MilestoneRecord;
use cchc_domain::{Date, Diagnostic, Plan};
use cchc_store::{MilestoneQuery, PlanVersion};

use crate::dashboard::{dashboard, evaluate, Dashboard};
use crate::{App, ServiceError};

/// The current plan with its milestones, shared read-only between requests.
#[derive(Debug)]
pub struct Current {
    pub version: PlanVersion,
    pub plan: Plan,
    pub diagnostics: Vec<Diagnostic>,
    /// Every milestone of every assignment of this version, in plan order.
    pub milestones: Vec<MilestoneRecord>,
    /// Dashboards already computed for this snapshot, by as-of date.
    dashboards: Mutex<HashMap<Date, Arc<Dashboard>>>,
}

/// How many dashboards (distinct as-of dates) one snapshot keeps.
const DASHBOARD_MEMO: usize = 64;

/// Caches of what pages read on every request. Cleared by every write made through [`App`];
/// a write made by another process (the CLI beside a running server) shows after a restart.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    current: RwLock<Option<Arc<Current>>>,
    /// The indicator catalogue in force (parsed from JSON against the current plan).
    pub(crate) catalogue: RwLock<Option<Arc<crate::reporting::Catalogue>>>,
}

impl Cache {
    pub(crate) fn clear(&self) {
        if let Ok(mut guard) = self.current.write() {
            *guard = None;
        }
        if let Ok(mut guard) = self.catalogue.write() {
            *guard = None;
        }
    }
}

impl App {
    /// The current plan (latest year, latest version) with all its milestones, cached.
    pub async fn current(&self) -> Result<Arc<Current>, ServiceError> {
        if let Ok(guard) = self.cache.current.read() {
            if let Some(current) = guard.as_ref() {
                return Ok(Arc::clone(current));
            }
        }
        let (version, plan, diagnostics) = self.current_plan(None).await?;
        let milestones = self.store().milestones(version.id, &MilestoneQuery::default()).await?;
        let current = Arc::new(Current { version, plan, diagnostics, milestones, dashboards: Mutex::default() });
        if let Ok(mut guard) = self.cache.current.write() {
            *guard = Some(Arc::clone(&current));
        }
        Ok(current)
    }
}

impl App {
    /// The province dashboard of the current plan as of a date. Computed once per snapshot and
    /// date (every write starts a new snapshot), so serving it costs almost nothing.
    pub async fn dashboard(&self, as_of: Date) -> Result<(Arc<Current>, Arc<Dashboard>), ServiceError> {
        let current = self.current().await?;
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
