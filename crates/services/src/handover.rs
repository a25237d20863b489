//! Hand-over: when an agency ends (merged, split, replaced), Sở Nội vụ moves its open milestones
//! to a successor in one audited step; the successor's officers continue them with the history.

use std::collections::BTreeMap;

use cchc_domain::account::User;
use cchc_domain::tracking::ProgressStatus;
use cchc_domain::{Agency, AgencyId, Date, PlanVersion, Timestamp};

use crate::{App, ServiceError};

/// An agency that ended and still holds open milestones in a plan.
#[derive(Debug, Clone)]
pub struct PendingHandOver {
    pub agency: Agency,
    /// Its successors on the day asked about, suggested in this order.
    pub successors: Vec<Agency>,
    /// Milestones not done.
    pub open: usize,
    /// Per activity: its code ("III.6"), title and milestones not done, in plan order — to
    /// divide the work between several successors.
    pub by_activity: Vec<(String, String, usize)>,
}

/// What a hand-over did.
#[derive(Debug, Clone)]
pub struct HandOverReport {
    pub version: PlanVersion,
    pub from: Agency,
    pub to: Agency,
    pub milestones: usize,
    pub activities: usize,
    /// Activities the successor had no assignment for before.
    pub new_assignments: usize,
}

/// A recorded move of a milestone, for the audit.
#[derive(Debug, Clone)]
pub struct TransferLine {
    pub milestone: i64,
    pub from: AgencyId,
    pub to: AgencyId,
    pub old_label: String,
    pub by: Option<i64>,
    pub at: String,
    pub note: String,
}

fn invalid(message: String) -> ServiceError {
    ServiceError::Invalid(vec![message])
}

impl App {
    /// Agencies that no longer exist on `as_of` and still hold milestones not done in the plan
    /// (`plan_key`, or the current plan), each with the successors the directory suggests.
    /// Sở Nội vụ and leaders only.
    pub async fn pending_handovers(
        &self,
        user: &User,
        plan_key: Option<&str>,
        as_of: Date,
    ) -> Result<(PlanVersion, Vec<PendingHandOver>), ServiceError> {
        if !user.reads_all() {
            return Err(ServiceError::Forbidden("chỉ Sở Nội vụ và lãnh đạo xem được việc bàn giao nhiệm vụ".into()));
        }
        // The cached snapshot: every milestone of the plan is already in memory.
        let current = self.plan_snapshot(plan_key).await?;
        let version = current.version.clone();
        let milestones = &current.milestones;
        // Per agency: milestones not done, and per activity (in plan order) code, title, count.
        type Open = (usize, Vec<(i64, String, String, usize)>);
        let mut open: BTreeMap<AgencyId, Open> = BTreeMap::new();
        for m in milestones.iter().filter(|m| m.progress.status != ProgressStatus::Done) {
            let entry = open.entry(m.agency.clone()).or_default();
            entry.0 += 1;
            match entry.1.iter_mut().find(|(id, _, _, _)| *id == m.activity.0) {
                Some(found) => found.3 += 1,
                None => entry.1.push((m.activity.0, m.activity_code(), m.activity_title.clone(), 1)),
            }
        }
        let directory = self.directory();
        let pending = directory
            .agencies
            .iter()
            .filter(|a| a.validity.until.is_some_and(|until| until < as_of))
            .filter_map(|a| {
                let (count, activities) = open.get(&a.id)?;
                Some(PendingHandOver {
                    agency: a.clone(),
                    successors: directory.successors_on(&a.id, as_of).into_iter().cloned().collect(),
                    open: *count,
                    by_activity: activities
                        .iter()
                        .map(|(_, code, title, n)| (code.clone(), title.clone(), *n))
                        .collect(),
                })
            })
            .collect();
        Ok((version, pending))
    }

    /// Moves the open milestones of `from`, which no longer exists on `as_of`, to `to` (or to
    /// its only successor when `to` is `None`) in one transaction, recorded milestone by
    /// milestone; done milestones stay with `from`. Administrators only.
    pub async fn transfer_assignments(
        &self,
        user: &User,
        plan_key: Option<&str>,
        from: &AgencyId,
        to: Option<&AgencyId>,
        as_of: Date,
        now: Timestamp,
    ) -> Result<HandOverReport, ServiceError> {
        self.transfer_activities(user, plan_key, from, to, &[], as_of, now).await
    }

    /// [`App::transfer_assignments`] for the open milestones of some activities only (codes such
    /// as "III.6"; empty: all), so that a district's work can be divided between its wards.
    #[allow(clippy::too_many_arguments)]
    pub async fn transfer_activities(
        &self,
        user: &User,
        plan_key: Option<&str>,
        from: &AgencyId,
        to: Option<&AgencyId>,
        activities: &[String],
        as_of: Date,
        now: Timestamp,
    ) -> Result<HandOverReport, ServiceError> {
        if !user.is_admin() {
            return Err(ServiceError::Forbidden("chỉ quản trị viên (Sở Nội vụ) được bàn giao nhiệm vụ".into()));
        }
        let directory = self.directory();
        let source = directory.agency(from).ok_or_else(|| ServiceError::UnknownAgency(from.to_string()))?.clone();
        let Some(last_day) = source.validity.until.filter(|until| *until < as_of) else {
            return Err(invalid(format!(
                "{} vẫn còn tồn tại ngày {}; chỉ bàn giao nhiệm vụ của cơ quan, đơn vị đã kết thúc",
                source.name,
                as_of.vn()
            )));
        };
        let successors = directory.successors_on(from, as_of);
        let target = match to {
            Some(id) => directory.agency(id).ok_or_else(|| ServiceError::UnknownAgency(id.to_string()))?.clone(),
            None => match successors.as_slice() {
                [one] => (*one).clone(),
                [] => {
                    return Err(invalid(format!(
                        "{} chưa có đơn vị kế thừa trong danh mục; hãy chọn cơ quan nhận bàn giao",
                        source.name
                    )))
                }
                many => {
                    return Err(invalid(format!(
                        "{} có {} đơn vị kế thừa ({}); hãy chọn cơ quan nhận bàn giao",
                        source.name,
                        many.len(),
                        many.iter().map(|a| format!("{} ({})", a.name, a.id)).collect::<Vec<_>>().join(", ")
                    )))
                }
            },
        };
        if target.id == source.id {
            return Err(invalid("cơ quan nhận bàn giao phải khác cơ quan bàn giao".into()));
        }
        if !target.is_valid_on(as_of) {
            return Err(invalid(format!(
                "{} không tồn tại ngày {}; không nhận bàn giao được",
                target.name,
                as_of.vn()
            )));
        }
        let current = self.plan_snapshot(plan_key).await?;
        let version = current.version.clone();
        let mut ids: Vec<i64> = Vec::new();
        for code in activities {
            let code = code.trim();
            match current.milestones.iter().find(|m| m.agency == source.id && m.activity_code() == code) {
                Some(m) => ids.push(m.activity.0),
                None => {
                    return Err(invalid(format!(
                        "{} không có nhiệm vụ ở hoạt động «{code}» trong kế hoạch {}",
                        source.name, version.plan_key
                    )))
                }
            }
        }
        let note = format!(
            "{} kết thúc ngày {}{}",
            source.name,
            last_day.vn(),
            source.validity.basis.as_deref().map(|b| format!(" ({b})")).unwrap_or_default()
        );
        let moved = self
            .store()
            .transfer_open_milestones(
                version.id,
                &cchc_store::NewTransfer {
                    from: &source.id,
                    to: &target.id,
                    label_suffix: &format!(" (tiếp nhận từ {})", source.name),
                    by: Some(user.id.0),
                    at: &now.rfc3339(),
                    note: &note,
                    activities: (!ids.is_empty()).then_some(ids.as_slice()),
                },
            )
            .await?;
        self.cache.clear();
        Ok(HandOverReport {
            version,
            from: source,
            to: target,
            milestones: moved.milestones,
            activities: moved.activities,
            new_assignments: moved.new_assignments,
        })
    }

    /// Every recorded hand-over of a plan's milestones (Sở Nội vụ and leaders).
    pub async fn transfers(&self, user: &User, version: &PlanVersion) -> Result<Vec<TransferLine>, ServiceError> {
        if !user.reads_all() {
            return Err(ServiceError::Forbidden("chỉ Sở Nội vụ và lãnh đạo xem được việc bàn giao nhiệm vụ".into()));
        }
        Ok(self
            .store()
            .milestone_transfers(version.id)
            .await?
            .into_iter()
            .map(|t| TransferLine {
                milestone: t.milestone,
                from: t.from_agency,
                to: t.to_agency,
                old_label: t.old_label,
                by: t.transferred_by,
                at: t.transferred_at,
                note: t.note,
            })
            .collect())
    }
}
