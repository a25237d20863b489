use std::sync::{Arc, RwLock};

use cchc_domain::tracking::MilestoneRecord;
use cchc_domain::{Diagnostic, Plan};
use cchc_store::{MilestoneQuery, PlanVersion};

use crate::{App, ServiceError};

/// The current plan with its milestones, shared read-only between requests.
#[derive(Debug)]
pub struct Current {
    pub version: PlanVersion,
    pub plan: Plan,
    pub diagnostics: Vec<Diagnostic>,
    /// Every milestone of every assignment of this version, in plan order.
    pub milestones: Vec<MilestoneRecord>,
}

/// Caches of what pages read on every request. Cleared by every write made through [`App`];
/// a write made by another process (the CLI beside a running server) shows after a restart.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    current: RwLock<Option<Arc<Current>>>,
}

impl Cache {
    pub(crate) fn clear(&self) {
        if let Ok(mut guard) = self.current.write() {
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
        let current = Arc::new(Current { version, plan, diagnostics, milestones });
        if let Ok(mut guard) = self.cache.current.write() {
            *guard = Some(Arc::clone(&current));
        }
        Ok(current)
    }
}
