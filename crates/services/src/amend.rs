//! Amended plans keep their progress.
//!
//! Importing a changed version of a plan (same province and year — the same issuer's plan, or
//! a decision amending it) compares it with the previous version (`cchc_domain::plan_diff`) and,
//! in the transaction that writes the new version, carries over to the matching milestones of
//! the new version what was recorded on the old ones: the progress history (copied, each copy
//! pointing at its original), the latest progress, the events and triggers, and the plan's
//! periodic reports. Only unambiguous matches are carried; the others wait for an
//! administrator's confirmation (`App::confirm_carry_over`). Nothing of the old version is
//! changed: progress on a removed milestone stays readable under it.

use std::collections::{HashMap, HashSet};

use cchc_domain::account::User;
use cchc_domain::plan_diff::{diff, match_milestones, ActivityAddress, MilestoneKey, PlanDiff};
use cchc_domain::tracking::{ActivityId, MilestoneId, MilestoneKind, MilestoneQuery, MilestoneRecord};
use cchc_domain::{Plan, PlanVersion, Timestamp};
use cchc_store::{ActivityFanOut, CarryCounts, CarryPlan, CarryRefusal, EventCarry, NewMilestoneRef};

use crate::{App, ServiceError};

/// How much an import or a confirmation carried over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Carried {
    /// Milestones whose progress was carried.
    pub milestones: usize,
    /// Progress entries copied (the whole history of those milestones).
    pub entries: usize,
    /// Of those entries, the ones citing evidence (a document or a file).
    pub evidence: usize,
    /// Events and triggers copied.
    pub events: usize,
    /// Periodic reports now attached to the new version.
    pub reports: usize,
}

impl From<CarryCounts> for Carried {
    fn from(c: CarryCounts) -> Carried {
        Carried {
            milestones: c.milestones,
            entries: c.entries,
            evidence: c.evidence,
            events: c.events,
            reports: c.reports,
        }
    }
}

/// An old milestone with progress whose continuation someone must confirm, with the new
/// milestones that could continue it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMatch {
    pub old: MilestoneRecord,
    pub candidates: Vec<MilestoneRecord>,
}

/// What is left of a carry-over between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pending {
    /// Old milestones with progress that need a confirmed match.
    pub to_confirm: Vec<PendingMatch>,
    /// Old milestones with progress that nothing in the new version continues (activity
    /// removed, agency no longer responsible, milestone dropped): readable under the old version.
    pub not_carried: Vec<MilestoneRecord>,
}

/// What importing an amended version did beside storing it.
#[derive(Debug, Clone)]
pub struct Amendment {
    /// The version it amends (the plan's latest before the import).
    pub from: PlanVersion,
    pub diff: PlanDiff,
    pub carried: Carried,
    pub pending: Pending,
}

/// Whether an old milestone holds something worth carrying: progress recorded, or the date a
/// trigger gave a relative deadline (activity-wide events date the new milestones by
/// themselves).
fn has_records(m: &MilestoneRecord) -> bool {
    m.updated_at.is_some() || (m.kind == MilestoneKind::Relative && m.due.is_some())
}

fn key_of(m: &MilestoneRecord, addresses: &HashMap<ActivityId, ActivityAddress>) -> Option<MilestoneKey<MilestoneId>> {
    Some(MilestoneKey {
        id: m.id,
        activity: *addresses.get(&m.activity)?,
        agency: m.agency.clone(),
        item: m.item,
        label: m.label.clone(),
        kind: m.kind,
        period: m.period,
    })
}

impl App {
    /// The milestones of a stored version as matching keys (and the records by id).
    async fn version_keys(
        &self,
        version: &PlanVersion,
    ) -> Result<(Vec<MilestoneKey<MilestoneId>>, HashMap<MilestoneId, MilestoneRecord>), ServiceError> {
        let addresses: HashMap<ActivityId, ActivityAddress> = self
            .store()
            .activity_index(version.id)
            .await?
            .into_iter()
            .map(|i| (i.id, ActivityAddress { area: i.area, position: i.position }))
            .collect();
        let records = self.store().milestones(version.id, &MilestoneQuery::default()).await?;
        let keys = records.iter().filter_map(|m| key_of(m, &addresses)).collect();
        Ok((keys, records.into_iter().map(|m| (m.id, m)).collect()))
    }

    /// What an import of `plan` as the version after `previous` carries over, and the diff.
    pub(crate) async fn plan_carry(
        &self,
        previous: &PlanVersion,
        plan: &Plan,
        fan_out: &[ActivityFanOut],
    ) -> Result<(CarryPlan, PlanDiff), ServiceError> {
        let (old_plan, _) = self.store().load_plan(previous.id).await?;
        let plan_diff = diff(&old_plan, plan);
        let (old_keys, old_records) = self.version_keys(previous).await?;
        let mut new_keys = Vec::new();
        for activity in fan_out {
            let address = ActivityAddress { area: activity.area, position: activity.position };
            for agency in &activity.agencies {
                for (position, spec) in activity.milestones.iter().enumerate() {
                    new_keys.push(MilestoneKey {
                        id: NewMilestoneRef { activity: address, agency: agency.clone(), position },
                        activity: address,
                        agency: agency.clone(),
                        item: spec.item,
                        label: spec.label.clone(),
                        kind: spec.kind,
                        period: spec.period,
                    });
                }
            }
        }
        let matching = match_milestones(&plan_diff, &old_keys, &new_keys);
        // Schedule items of waiting milestones: where the events of an activity go.
        let mut items: HashMap<(ActivityId, ActivityAddress), HashSet<(usize, usize)>> = HashMap::new();
        let mut milestones = Vec::new();
        let mut continued: HashMap<(cchc_domain::tracking::AssignmentId, usize), NewMilestoneRef> = HashMap::new();
        for (old, new) in matching.matched {
            let Some(record) = old_records.get(&old) else { continue };
            if record.kind.waits_for_event() {
                items.entry((record.activity, new.activity)).or_default().insert((record.item, item_of(fan_out, &new)));
            }
            if record.kind == MilestoneKind::Relative {
                continued.insert((record.assignment, record.item), new.clone());
            }
            if has_records(record) {
                milestones.push((old, new));
            }
        }
        // The milestones later triggers added to a relative deadline follow its first one.
        let extra = matching
            .unmatched
            .iter()
            .filter_map(|old| old_records.get(old))
            .filter(|m| m.kind == MilestoneKind::Relative && has_records(m))
            .filter_map(|m| Some((m.id, continued.get(&(m.assignment, m.item))?.clone())))
            .collect();
        let mut events: Vec<EventCarry> = items
            .into_iter()
            .map(|((old_activity, new_activity), items)| {
                let mut items: Vec<(usize, usize)> = items.into_iter().collect();
                items.sort_unstable();
                EventCarry { old_activity, new_activity, items }
            })
            .collect();
        events.sort_by_key(|e| (e.new_activity, e.old_activity));
        Ok((CarryPlan { from_version: previous.clone(), milestones, extra, events }, plan_diff))
    }

    /// The version of the same plan just before `version`, if any.
    pub async fn previous_version(&self, version: &PlanVersion) -> Result<Option<PlanVersion>, ServiceError> {
        Ok(self.store().plan_version(&version.plan_key, version.version - 1).await?)
    }

    /// Version `number` of a plan (by key, or the plan of the latest year).
    pub async fn plan_version(&self, plan_key: Option<&str>, number: i64) -> Result<PlanVersion, ServiceError> {
        let latest = self.store().current_version(plan_key).await?.ok_or_else(|| match plan_key {
            Some(key) => ServiceError::UnknownPlan(key.to_string()),
            None => ServiceError::NoPlan,
        })?;
        self.store().plan_version(&latest.plan_key, number).await?.ok_or_else(|| {
            ServiceError::NotFound(format!(
                "phiên bản {number} của kế hoạch {} (mới nhất: {})",
                latest.plan_key, latest.version
            ))
        })
    }

    /// A stored version as a plan, with its import diagnostics.
    pub async fn load_version(
        &self,
        version: &PlanVersion,
    ) -> Result<(Plan, Vec<cchc_domain::Diagnostic>), ServiceError> {
        Ok(self.store().load_plan(version.id).await?)
    }

    /// The difference between a version and the one before it (`None` for a first version).
    pub async fn version_diff(&self, version: &PlanVersion) -> Result<Option<(PlanVersion, PlanDiff)>, ServiceError> {
        let Some(previous) = self.previous_version(version).await? else { return Ok(None) };
        let (old, _) = self.store().load_plan(previous.id).await?;
        let (new, _) = self.store().load_plan(version.id).await?;
        Ok(Some((previous, diff(&old, &new))))
    }

    /// What is left to carry from `from` to `to`: old milestones with progress not carried yet,
    /// with the new milestones that could continue each (those matched without doubt whose
    /// progress was recorded after the import have that one candidate), and old milestones
    /// with progress that nothing continues.
    pub async fn pending_carry_over(&self, from: &PlanVersion, to: &PlanVersion) -> Result<Pending, ServiceError> {
        let (old_plan, _) = self.store().load_plan(from.id).await?;
        let (new_plan, _) = self.store().load_plan(to.id).await?;
        let plan_diff = diff(&old_plan, &new_plan);
        let (old_keys, old_records) = self.version_keys(from).await?;
        let (new_keys, new_records) = self.version_keys(to).await?;
        let links = self.store().carry_links(to.id).await?;
        let carried_old: HashSet<MilestoneId> = links.iter().map(|l| l.old).collect();
        let carried_new: HashSet<MilestoneId> = links.iter().map(|l| l.new).collect();
        let matching = match_milestones(&plan_diff, &old_keys, &new_keys);
        let open = |id: &MilestoneId| old_records.get(id).filter(|m| has_records(m) && !carried_old.contains(id));
        let candidates = |ids: &[MilestoneId]| -> Vec<MilestoneRecord> {
            ids.iter().filter(|n| !carried_new.contains(n)).filter_map(|n| new_records.get(n).cloned()).collect()
        };
        let mut pending = Pending::default();
        let mut waiting: Vec<(MilestoneId, Vec<MilestoneId>)> =
            matching.matched.into_iter().map(|(old, new)| (old, vec![new])).collect();
        waiting.extend(matching.ambiguous);
        for (old, news) in waiting {
            let Some(record) = open(&old) else { continue };
            let candidates = candidates(&news);
            if candidates.is_empty() {
                pending.not_carried.push(record.clone());
            } else {
                pending.to_confirm.push(PendingMatch { old: record.clone(), candidates });
            }
        }
        for old in matching.unmatched {
            if let Some(record) = open(&old) {
                pending.not_carried.push(record.clone());
            }
        }
        let order = |m: &MilestoneRecord| (m.area, m.activity, m.agency.clone(), m.id);
        pending.to_confirm.sort_by_key(|p| order(&p.old));
        pending.not_carried.sort_by_key(order);
        Ok(pending)
    }

    /// Carries old milestones of the version before `to` over to milestones of `to`, as
    /// `user` (an administrator) confirms: each pair is (old milestone, new milestone) of the
    /// same agency. All pairs or none; a new milestone with progress of its own is refused.
    pub async fn confirm_carry_over(
        &self,
        user: &User,
        to: &PlanVersion,
        pairs: &[(MilestoneId, MilestoneId)],
        now: Timestamp,
    ) -> Result<Carried, ServiceError> {
        if !user.is_admin() {
            return Err(ServiceError::Forbidden("chỉ quản trị (Sở Nội vụ) được xác nhận chuyển tiến độ".into()));
        }
        let Some(from) = self.previous_version(to).await? else {
            return Err(ServiceError::Invalid(vec![format!(
                "phiên bản {} là phiên bản đầu tiên của kế hoạch {}; không có gì để chuyển",
                to.version, to.plan_key
            )]));
        };
        let mut problems = Vec::new();
        let mut seen_old = HashSet::new();
        let mut seen_new = HashSet::new();
        for (old, new) in pairs {
            if !seen_old.insert(*old) || !seen_new.insert(*new) {
                problems.push(format!("mốc {} hoặc {} được ghi hai lần", old.0, new.0));
                continue;
            }
            let old_record = self.milestone_record(*old).await?;
            let new_record = self.milestone_record(*new).await?;
            let old_version = self.store().version_of_milestone(*old).await?;
            let new_version = self.store().version_of_milestone(*new).await?;
            if old_version.as_ref().map(|v| v.id) != Some(from.id) {
                problems.push(format!(
                    "mốc {} không thuộc phiên bản {} của kế hoạch {}",
                    old.0, from.version, from.plan_key
                ));
            }
            if new_version.as_ref().map(|v| v.id) != Some(to.id) {
                problems
                    .push(format!("mốc {} không thuộc phiên bản {} của kế hoạch {}", new.0, to.version, to.plan_key));
            }
            if old_record.agency != new_record.agency {
                problems.push(format!(
                    "mốc {} ({}) và mốc {} ({}) không cùng cơ quan",
                    old.0,
                    self.agency_name(&old_record.agency),
                    new.0,
                    self.agency_name(&new_record.agency)
                ));
            }
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let user_id = Some(user.id);
        let result = self.store().confirm_carry_over(from.id, to.id, pairs, user_id, &now.rfc3339()).await?;
        self.cache.clear();
        match result {
            Ok(counts) => Ok(counts.into()),
            Err(CarryRefusal::NewHasProgress(id)) => {
                Err(ServiceError::Invalid(vec![format!("mốc {} của phiên bản mới đã có tiến độ", id.0)]))
            }
            Err(CarryRefusal::AlreadyCarried(id)) => {
                Err(ServiceError::Invalid(vec![format!("tiến độ của mốc {} đã được chuyển sang phiên bản mới", id.0)]))
            }
        }
    }
}

/// The schedule item of a milestone of the fan-out.
fn item_of(fan_out: &[ActivityFanOut], new: &NewMilestoneRef) -> usize {
    fan_out
        .iter()
        .find(|a| a.area == new.activity.area && a.position == new.activity.position)
        .and_then(|a| a.milestones.get(new.position))
        .map_or(0, |spec| spec.item)
}
