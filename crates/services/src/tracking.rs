//! Assignments, milestones, progress and events.
//!
//! Who reads what: a milestone's status and due date are public (the transparency pages show
//! them); its history — who recorded what, comments, evidence files — is readable by the
//! agency's own officers, a district's officers for its communes, leaders and Sở Nội vụ
//! (`User::may_read`). To anybody else such a read answers "not found", as for a milestone or
//! file that does not exist.

use std::collections::HashMap;

use cchc_domain::account::User;
use cchc_domain::calendar::WorkCalendar;
use cchc_domain::text::checked_text;
use cchc_domain::tracking::MilestoneQuery;
use cchc_domain::tracking::{
    due_after_event, milestone_specs, responsible_agencies, ActivityId, AssignmentId, Evidence, MilestoneId,
    MilestoneKind, MilestoneRecord, NewProgress, ProgressEntry, ProgressStatus, StoredFile,
};
use cchc_domain::{AgencyId, Date, Plan, PlanVersion, Timestamp, When};
use cchc_store::{ActivityFanOut, NewEvent};

use crate::{App, ServiceError};

/// Longest comment or evidence field accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// A progress report as a user typed it (already parsed into types, not yet checked).
#[derive(Debug, Clone)]
pub struct ProgressInput {
    pub status: ProgressStatus,
    pub completed_on: Option<Date>,
    pub evidence: cchc_domain::tracking::Evidence,
    pub file: Option<cchc_domain::tracking::StoredFile>,
    pub comment: String,
}

/// The fan-out of every activity of a plan: one assignment per responsible agency.
pub fn fan_out(plan: &Plan, directory: &cchc_domain::AgencyDirectory) -> Vec<ActivityFanOut> {
    plan.areas
        .iter()
        .flat_map(|area| {
            area.activities.iter().enumerate().map(move |(position, activity)| ActivityFanOut {
                area: area.code,
                position,
                agencies: responsible_agencies(activity, directory),
                milestones: milestone_specs(activity),
            })
        })
        .collect()
}

impl App {
    pub fn calendar(&self) -> &WorkCalendar {
        &self.calendar
    }

    /// Creates the assignments of a plan version unless they exist. Returns how many were made.
    pub async fn ensure_assignments(&self, version: &PlanVersion) -> Result<usize, ServiceError> {
        if self.store().has_assignments(version.id).await? {
            return Ok(0);
        }
        let (plan, _) = self.store().load_plan(version.id).await?;
        let directory = self.directory_of_plan(&plan.meta);
        let created = self.store().create_assignments(version.id, &fan_out(&plan, directory)).await?;
        self.cache.clear();
        Ok(created)
    }

    /// Milestones of a plan version matching `query`.
    pub async fn milestones(
        &self,
        version: &PlanVersion,
        query: &MilestoneQuery,
    ) -> Result<Vec<MilestoneRecord>, ServiceError> {
        Ok(self.store().milestones(version.id, query).await?)
    }

    /// Records progress on a milestone for `user`, after checking the user may write for the
    /// milestone's agency and that the report makes sense. One transaction.
    pub async fn record_progress(
        &self,
        user: &User,
        milestone: MilestoneId,
        input: ProgressInput,
        now: Timestamp,
    ) -> Result<ProgressEntry, ServiceError> {
        let record = self.milestone_record(milestone).await?;
        if !user.may_write_for(&record.agency) {
            return Err(ServiceError::Forbidden(format!(
                "tài khoản «{}» không được cập nhật tiến độ của {}",
                user.username,
                self.agency_name(&record.agency)
            )));
        }
        let plan_start = self.plan_start(&record).await?;
        let today = now.date_in_vietnam();
        let mut problems = Vec::new();
        match (input.status, input.completed_on) {
            (ProgressStatus::Done, None) => problems.push("trạng thái «Hoàn thành» cần ngày hoàn thành".to_string()),
            (ProgressStatus::Done, Some(on)) => {
                if on < plan_start {
                    problems.push(format!("ngày hoàn thành {on} trước ngày kế hoạch bắt đầu ({plan_start})"));
                }
                if on > today {
                    problems.push(format!("ngày hoàn thành {on} sau ngày hôm nay ({today})"));
                }
            }
            (_, Some(_)) => problems.push("chỉ ghi ngày hoàn thành khi trạng thái là «Hoàn thành»".to_string()),
            (_, None) => {}
        }
        if let Some(date) = input.evidence.date {
            if date > today {
                problems.push(format!("ngày của văn bản minh chứng {date} sau ngày hôm nay"));
            }
            if date.year() < plan_start.year() - 1 {
                problems.push(format!("ngày của văn bản minh chứng {date} quá xa trước kỳ kế hoạch"));
            }
        }
        let number = typed_text("số văn bản", &input.evidence.number, &mut problems);
        let issuer = typed_text("cơ quan ban hành", &input.evidence.issuer, &mut problems);
        let comment = typed_text("ghi chú", &input.comment, &mut problems);
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let progress = NewProgress {
            status: input.status,
            completed_on: input.completed_on,
            evidence: Evidence { number, date: input.evidence.date, issuer },
            file: input.file,
            comment,
        };
        let entry = self.store().record_progress(milestone, Some(user.id), &progress, &now.rfc3339()).await?;
        self.cache.clear();
        Ok(entry)
    }

    /// The progress history of milestones, oldest first, unchecked: for the command line and
    /// tests. Pages and the API use [`App::milestone_with_history`], [`App::readable_history`]
    /// and [`App::public_evidence`], which check who is reading.
    pub async fn history(&self, milestones: &[MilestoneId]) -> Result<Vec<ProgressEntry>, ServiceError> {
        Ok(self.store().progress_history(milestones).await?)
    }

    /// Whether `user` may read the records of `agency`'s milestones (history, comments,
    /// evidence files): see [`User::may_read`]. An agency missing from the directory is read
    /// by readers of everything and by its own officers only.
    pub fn may_read_records(&self, user: &User, agency: &AgencyId) -> bool {
        match self.directory().agency(agency) {
            Some(found) => user.may_read(found),
            None => user.reads_all() || user.may_write_for(agency),
        }
    }

    /// One milestone: from the cached current plan when it is there (no query), otherwise from
    /// the store (a milestone of an older plan version).
    pub async fn milestone(&self, id: MilestoneId) -> Result<MilestoneRecord, ServiceError> {
        let current = self.current().await?;
        if let Some(found) = current.milestones.iter().find(|m| m.id == id) {
            return Ok(found.clone());
        }
        self.milestone_record(id).await
    }

    /// A milestone with its progress history (oldest first), for `user`: "not found" unless the
    /// user may read the records of the milestone's agency.
    pub async fn milestone_with_history(
        &self,
        user: &User,
        id: MilestoneId,
    ) -> Result<(MilestoneRecord, Vec<ProgressEntry>), ServiceError> {
        let record = self.milestone(id).await?;
        if !self.may_read_records(user, &record.agency) {
            return Err(milestone_not_found(id));
        }
        let history = self.store().progress_history(&[id]).await?;
        Ok((record, history))
    }

    /// The progress history (oldest first) of those `milestones` whose agency's records `user`
    /// may read; the history of the others is left out. One query.
    pub async fn readable_history(
        &self,
        user: &User,
        milestones: &[&MilestoneRecord],
    ) -> Result<Vec<ProgressEntry>, ServiceError> {
        let mut readable: HashMap<&AgencyId, bool> = HashMap::new();
        let ids: Vec<MilestoneId> = milestones
            .iter()
            .filter(|m| *readable.entry(&m.agency).or_insert_with(|| self.may_read_records(user, &m.agency)))
            .map(|m| m.id)
            .collect();
        Ok(self.store().progress_history(&ids).await?)
    }

    /// What everybody may see of milestones' progress: the evidence document (number, date,
    /// issuer) cited by each milestone's latest entry, when it cites one. No names, comments or
    /// files.
    pub async fn public_evidence(
        &self,
        milestones: &[MilestoneId],
    ) -> Result<HashMap<MilestoneId, Evidence>, ServiceError> {
        let mut latest = HashMap::new();
        for entry in self.store().progress_history(milestones).await? {
            latest.insert(entry.milestone, entry.evidence);
        }
        latest.retain(|_, evidence: &mut Evidence| !evidence.is_empty());
        Ok(latest)
    }

    /// An evidence file for `user`, under the name the uploader of progress entry `entry` gave
    /// it (without `entry`: the latest entry linking it that the user may read). "Not found"
    /// unless the file is linked from an entry of an agency whose records the user may read.
    pub async fn evidence_file(
        &self,
        user: &User,
        sha256: &str,
        entry: Option<i64>,
    ) -> Result<StoredFile, ServiceError> {
        self.store()
            .file_links(sha256)
            .await?
            .into_iter()
            .filter(|link| entry.is_none_or(|e| e == link.entry))
            .find(|link| self.may_read_records(user, &link.agency))
            .map(|link| link.file)
            .ok_or_else(|| ServiceError::NotFound("tệp minh chứng này".to_string()))
    }

    /// Records that the event an activity's schedule item waits for happened (administrators
    /// only). The due date is the event date plus the item's offset (working days use the
    /// calendar), unless `due` is given. Returns the number of milestones dated.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_event(
        &self,
        user: &User,
        version: &PlanVersion,
        activity: ActivityId,
        item: usize,
        occurred_on: Date,
        due: Option<Date>,
        description: &str,
        now: Timestamp,
    ) -> Result<(Date, u64), ServiceError> {
        if !user.is_admin() {
            return Err(ServiceError::Forbidden("chỉ quản trị (Sở Nội vụ) được ghi nhận sự kiện".into()));
        }
        let (plan, activity_ref) = self.activity(version, activity).await?;
        let Some(schedule_item) = activity_ref.schedule.items.get(item) else {
            return Err(ServiceError::NotFound(format!("mục thời hạn số {item} của hoạt động")));
        };
        let When::Event { offset, .. } = &schedule_item.when else {
            return Err(ServiceError::Invalid(vec!["mục thời hạn này không chờ sự kiện".into()]));
        };
        let description = checked_description(description)?;
        self.check_event_date(&plan, occurred_on, now)?;
        let due = due.unwrap_or_else(|| due_after_event(occurred_on, *offset, &self.calendar));
        if due < occurred_on {
            return Err(ServiceError::Invalid(vec![format!("hạn {due} trước ngày xảy ra sự kiện {occurred_on}")]));
        }
        let recorded_at = now.rfc3339();
        let event = NewEvent {
            item,
            occurred_on,
            due,
            description: &description,
            user: Some(user.id),
            recorded_at: &recorded_at,
        };
        let n = self.store().record_event(activity, &event).await?;
        self.cache.clear();
        Ok((due, n))
    }

    /// Records a trigger of a relative deadline ("5 ngày làm việc kể từ ngày nhận hồ sơ") for
    /// one assignment: the due date is that many working days after `occurred_on`.
    pub async fn record_trigger(
        &self,
        user: &User,
        version: &PlanVersion,
        milestone: MilestoneId,
        occurred_on: Date,
        description: &str,
        now: Timestamp,
    ) -> Result<(MilestoneId, Date), ServiceError> {
        let record = self.milestone_record(milestone).await?;
        if !user.may_write_for(&record.agency) {
            return Err(ServiceError::Forbidden(format!(
                "tài khoản «{}» không được ghi cho cơ quan này",
                user.username
            )));
        }
        if record.kind != MilestoneKind::Relative {
            return Err(ServiceError::Invalid(vec!["mốc này không tính hạn từ sự việc".into()]));
        }
        let (plan, activity) = self.activity(version, record.activity).await?;
        let working_days = match activity.schedule.items.get(record.item).map(|i| &i.when) {
            Some(When::Relative { working_days, .. }) => *working_days,
            _ => return Err(ServiceError::Invalid(vec!["mốc này không tính hạn từ sự việc".into()])),
        };
        let description = checked_description(description)?;
        self.check_event_date(&plan, occurred_on, now)?;
        let due = self.calendar.add_working_days(occurred_on, working_days);
        let recorded_at = now.rfc3339();
        let event = NewEvent {
            item: record.item,
            occurred_on,
            due,
            description: &description,
            user: Some(user.id),
            recorded_at: &recorded_at,
        };
        let id = self.store().record_trigger(record.assignment, &event).await?;
        self.cache.clear();
        Ok((id, due))
    }

    fn check_event_date(&self, plan: &Plan, occurred_on: Date, now: Timestamp) -> Result<(), ServiceError> {
        let today = now.date_in_vietnam();
        if occurred_on > today {
            return Err(ServiceError::Invalid(vec![format!("ngày xảy ra {occurred_on} sau ngày hôm nay ({today})")]));
        }
        if let Some(year) = plan.meta.year {
            if occurred_on.year() < year - 1 || occurred_on.year() > year + 1 {
                return Err(ServiceError::Invalid(vec![format!(
                    "ngày {occurred_on} nằm ngoài kỳ kế hoạch năm {year}"
                )]));
            }
        }
        Ok(())
    }

    async fn activity(
        &self,
        version: &PlanVersion,
        activity: ActivityId,
    ) -> Result<(Plan, cchc_domain::Activity), ServiceError> {
        let index = self.store().activity_index(version.id).await?;
        let Some(found) = index.iter().find(|i| i.id == activity) else {
            return Err(ServiceError::NotFound(format!("hoạt động số {}", activity.0)));
        };
        let (plan, _) = self.store().load_plan(version.id).await?;
        let act = plan
            .area(found.area)
            .and_then(|a| a.activities.get(found.position))
            .cloned()
            .ok_or_else(|| ServiceError::NotFound(format!("hoạt động số {}", activity.0)))?;
        Ok((plan, act))
    }

    /// The first day progress can be dated: the decision date, or 1 January of the plan year.
    async fn plan_start(&self, record: &MilestoneRecord) -> Result<Date, ServiceError> {
        let (decision_date, year) = self.store().plan_dates_of_activity(record.activity).await?;
        Ok(decision_date.or_else(|| year.and_then(|y| Date::from_ymd(y, 1, 1))).unwrap_or(Date::MIN))
    }

    /// One milestone from the store, or a "not found" the user can read.
    pub async fn milestone_record(&self, milestone: MilestoneId) -> Result<MilestoneRecord, ServiceError> {
        self.store().milestone(milestone).await?.ok_or_else(|| milestone_not_found(milestone))
    }

    /// The agency's name, or its id when unknown.
    pub fn agency_name(&self, id: &cchc_domain::AgencyId) -> String {
        self.directory().agency(id).map_or_else(|| id.to_string(), |a| a.name.clone())
    }

    /// The assignment's milestones, for pages that show one assignment.
    pub async fn assignment_milestones(
        &self,
        version: &PlanVersion,
        assignment: AssignmentId,
    ) -> Result<Vec<MilestoneRecord>, ServiceError> {
        let all = self.store().milestones(version.id, &MilestoneQuery::default()).await?;
        Ok(all.into_iter().filter(|m| m.assignment == assignment).collect())
    }
}

fn milestone_not_found(id: MilestoneId) -> ServiceError {
    ServiceError::NotFound(format!("mốc thời hạn số {}", id.0))
}

/// A text field of a progress report through the one check of typed text; the problem, named
/// after the field, goes to `problems`.
pub(crate) fn typed_text(name: &str, value: &str, problems: &mut Vec<String>) -> String {
    checked_text(value, MAX_TEXT_CHARS).unwrap_or_else(|e| {
        problems.push(format!("{name} {e}"));
        String::new()
    })
}

/// The description of an event or trigger, checked like every typed text.
fn checked_description(description: &str) -> Result<String, ServiceError> {
    checked_text(description, MAX_TEXT_CHARS).map_err(|e| ServiceError::Invalid(vec![format!("mô tả {e}")]))
}
