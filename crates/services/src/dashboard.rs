//! The province dashboard: derived statuses counted by area, by agency group and by agency,
//! plus what is overdue and what falls due soon.

use std::collections::BTreeMap;

use cchc_domain::calendar::WorkCalendar;
use cchc_domain::tracking::{DerivedStatus, MilestoneRecord};
use cchc_domain::{AgencyDirectory, AgencyId, AgencyKind, AreaCode, Date};

/// Milestones counted per derived status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    counts: [usize; 6],
}

fn slot(status: DerivedStatus) -> usize {
    DerivedStatus::ALL.iter().position(|s| *s == status).unwrap_or(0)
}

impl StatusCounts {
    pub fn add(&mut self, status: DerivedStatus) {
        self.counts[slot(status)] += 1;
    }
    pub fn get(&self, status: DerivedStatus) -> usize {
        self.counts[slot(status)]
    }
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }
    /// Share of `status` in percent (0 when empty).
    pub fn percent(&self, status: DerivedStatus) -> f64 {
        let total = self.total();
        if total == 0 {
            0.0
        } else {
            self.get(status) as f64 * 100.0 / total as f64
        }
    }
    /// Done (on time or late) as a percentage of all milestones, rounded once (the one rule of
    /// `cchc_domain::number::Percent1`).
    pub fn done_percent(&self) -> f64 {
        let done = self.get(DerivedStatus::DoneOnTime) + self.get(DerivedStatus::DoneLate);
        cchc_domain::number::Percent1::share(done, self.total()).value()
    }
    /// Every status with its count, in display order.
    pub fn entries(&self) -> Vec<(DerivedStatus, usize)> {
        DerivedStatus::ALL.iter().map(|s| (*s, self.get(*s))).collect()
    }
}

/// One row of a breakdown.
#[derive(Debug, Clone)]
pub struct Breakdown<K> {
    pub key: K,
    pub label: String,
    pub counts: StatusCounts,
}

/// A milestone with its status as of the dashboard date.
#[derive(Debug, Clone)]
pub struct Evaluated {
    pub milestone: MilestoneRecord,
    pub status: DerivedStatus,
}

/// Everything the province dashboard shows.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub as_of: Date,
    pub overall: StatusCounts,
    pub by_area: Vec<Breakdown<AreaCode>>,
    pub by_group: Vec<Breakdown<AgencyKind>>,
    pub by_agency: Vec<Breakdown<AgencyId>>,
    /// Overdue milestones, oldest due date first.
    pub overdue: Vec<Evaluated>,
    /// Milestones not done that fall due within `UPCOMING_DAYS` after `as_of`.
    pub upcoming: Vec<Evaluated>,
}

/// How far ahead "sắp đến hạn" looks.
pub const UPCOMING_DAYS: i64 = 30;

/// Evaluates every milestone as of `as_of`.
pub fn evaluate(milestones: &[MilestoneRecord], as_of: Date, calendar: &WorkCalendar) -> Vec<Evaluated> {
    milestones.iter().map(|m| Evaluated { milestone: m.clone(), status: m.derived(as_of, calendar) }).collect()
}

/// Builds the dashboard from evaluated milestones.
pub fn dashboard(
    evaluated: &[Evaluated],
    area_titles: &[(AreaCode, String)],
    directory: &AgencyDirectory,
    as_of: Date,
) -> Dashboard {
    let mut overall = StatusCounts::default();
    let mut by_area: BTreeMap<AreaCode, StatusCounts> = BTreeMap::new();
    let mut by_group: BTreeMap<AgencyKind, StatusCounts> = BTreeMap::new();
    let mut by_agency: BTreeMap<AgencyId, StatusCounts> = BTreeMap::new();
    let horizon = as_of.add_days(UPCOMING_DAYS);
    let mut overdue = Vec::new();
    let mut upcoming = Vec::new();
    for e in evaluated {
        overall.add(e.status);
        by_area.entry(e.milestone.area).or_default().add(e.status);
        let kind = directory.agency(&e.milestone.agency).map_or(AgencyKind::Other, |a| a.kind);
        by_group.entry(kind).or_default().add(e.status);
        by_agency.entry(e.milestone.agency.clone()).or_default().add(e.status);
        if e.status == DerivedStatus::Overdue {
            overdue.push(e.clone());
        } else if !e.status.is_done() && e.milestone.due.is_some_and(|d| d >= as_of && d <= horizon) {
            upcoming.push(e.clone());
        }
    }
    overdue.sort_by(|a, b| a.milestone.due.cmp(&b.milestone.due).then(a.milestone.id.cmp(&b.milestone.id)));
    upcoming.sort_by(|a, b| a.milestone.due.cmp(&b.milestone.due).then(a.milestone.id.cmp(&b.milestone.id)));
    Dashboard {
        as_of,
        overall,
        by_area: area_titles
            .iter()
            .map(|(code, title)| Breakdown {
                key: *code,
                label: title.clone(),
                counts: by_area.get(code).copied().unwrap_or_default(),
            })
            .collect(),
        by_group: by_group
            .into_iter()
            .map(|(kind, counts)| Breakdown { key: kind, label: kind.label_vn().to_string(), counts })
            .collect(),
        by_agency: by_agency
            .into_iter()
            .map(|(id, counts)| Breakdown {
                label: directory.agency(&id).map_or_else(|| id.to_string(), |a| a.name.clone()),
                key: id,
                counts,
            })
            .collect(),
        overdue,
        upcoming,
    }
}
