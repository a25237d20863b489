//! Tracking the plan: each activity fans out into one assignment per responsible agency, each
//! assignment into milestones; progress recorded on a milestone gives a derived status as of any
//! date.

use crate::agency::{AgencyDirectory, AgencyId};
use crate::calendar::WorkCalendar;
use crate::date::Date;
use crate::period::PeriodId;
use crate::plan::Activity;
use crate::schedule::{Offset, When};

/// What the responsible officer reports ("trạng thái").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProgressStatus {
    NotStarted,
    InProgress,
    Done,
}

impl ProgressStatus {
    pub const ALL: [ProgressStatus; 3] = [ProgressStatus::NotStarted, ProgressStatus::InProgress, ProgressStatus::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            ProgressStatus::NotStarted => "not_started",
            ProgressStatus::InProgress => "in_progress",
            ProgressStatus::Done => "done",
        }
    }
    pub fn parse(text: &str) -> Option<ProgressStatus> {
        ProgressStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            ProgressStatus::NotStarted => "Chưa triển khai",
            ProgressStatus::InProgress => "Đang triển khai",
            ProgressStatus::Done => "Hoàn thành",
        }
    }
}

/// The status of a milestone as of a date, derived from its due date and progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DerivedStatus {
    NotDue,
    InProgress,
    DoneOnTime,
    DoneLate,
    Overdue,
    WaitingEvent,
}

impl DerivedStatus {
    pub const ALL: [DerivedStatus; 6] = [
        DerivedStatus::Overdue,
        DerivedStatus::InProgress,
        DerivedStatus::NotDue,
        DerivedStatus::DoneOnTime,
        DerivedStatus::DoneLate,
        DerivedStatus::WaitingEvent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DerivedStatus::NotDue => "not_due",
            DerivedStatus::InProgress => "in_progress",
            DerivedStatus::DoneOnTime => "done_on_time",
            DerivedStatus::DoneLate => "done_late",
            DerivedStatus::Overdue => "overdue",
            DerivedStatus::WaitingEvent => "waiting_event",
        }
    }
    pub fn parse(text: &str) -> Option<DerivedStatus> {
        DerivedStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            DerivedStatus::NotDue => "Chưa đến hạn",
            DerivedStatus::InProgress => "Đang thực hiện",
            DerivedStatus::DoneOnTime => "Hoàn thành đúng hạn",
            DerivedStatus::DoneLate => "Hoàn thành trễ hạn",
            DerivedStatus::Overdue => "Quá hạn chưa hoàn thành",
            DerivedStatus::WaitingEvent => "Chờ sự kiện",
        }
    }
    pub fn is_done(self) -> bool {
        matches!(self, DerivedStatus::DoneOnTime | DerivedStatus::DoneLate)
    }
}

/// The latest progress of a milestone, as far as status derivation needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressState {
    pub status: ProgressStatus,
    pub completed_on: Option<Date>,
}

impl Default for ProgressState {
    fn default() -> Self {
        ProgressState { status: ProgressStatus::NotStarted, completed_on: None }
    }
}

/// What kind of deadline a milestone has (decides how a missing due date reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MilestoneKind {
    /// A date from the plan (month, quarter, year, day).
    Fixed,
    /// A periodic report for one reporting period.
    Periodic,
    /// One of "n times a year".
    Recurring,
    /// Due after an event; no date until the event is recorded.
    Event,
    /// Due N working days after a trigger.
    Relative,
    /// "Thường xuyên": no deadline.
    Ongoing,
    /// The plan's text could not be read; no deadline.
    Unparsed,
}

impl MilestoneKind {
    pub const ALL: [MilestoneKind; 7] = [
        MilestoneKind::Fixed,
        MilestoneKind::Periodic,
        MilestoneKind::Recurring,
        MilestoneKind::Event,
        MilestoneKind::Relative,
        MilestoneKind::Ongoing,
        MilestoneKind::Unparsed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneKind::Fixed => "fixed",
            MilestoneKind::Periodic => "periodic",
            MilestoneKind::Recurring => "recurring",
            MilestoneKind::Event => "event",
            MilestoneKind::Relative => "relative",
            MilestoneKind::Ongoing => "ongoing",
            MilestoneKind::Unparsed => "unparsed",
        }
    }
    pub fn parse(text: &str) -> Option<MilestoneKind> {
        MilestoneKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
    /// Whether the milestone waits for an event before it has a due date.
    pub fn waits_for_event(self) -> bool {
        matches!(self, MilestoneKind::Event | MilestoneKind::Relative)
    }
}

/// Derives the status of a milestone as of `as_of`.
///
/// A due date that falls on a non-working day moves to the next working day (Civil Code 2015,
/// art. 148). The due day itself is on time. Completion recorded after `as_of` does not count
/// yet, so the status as of an earlier date is what it was then.
pub fn derive_status(
    kind: MilestoneKind,
    due: Option<Date>,
    progress: ProgressState,
    as_of: Date,
    calendar: &WorkCalendar,
) -> DerivedStatus {
    let completed = match (progress.status, progress.completed_on) {
        (ProgressStatus::Done, Some(on)) if on <= as_of => Some(on),
        _ => None,
    };
    let Some(due) = due else {
        return match (completed, kind.waits_for_event()) {
            (Some(_), _) => DerivedStatus::DoneOnTime,
            (None, true) => DerivedStatus::WaitingEvent,
            (None, false) if progress.status == ProgressStatus::InProgress => DerivedStatus::InProgress,
            (None, false) => DerivedStatus::NotDue,
        };
    };
    let effective_due = calendar.roll_forward(due);
    match completed {
        Some(on) if on <= effective_due => DerivedStatus::DoneOnTime,
        Some(_) => DerivedStatus::DoneLate,
        None if as_of > effective_due => DerivedStatus::Overdue,
        None if progress.status == ProgressStatus::InProgress => DerivedStatus::InProgress,
        None => DerivedStatus::NotDue,
    }
}

/// A milestone of an activity before it is instantiated for an agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneSpec {
    /// Position of the schedule item it comes from.
    pub item: usize,
    pub label: String,
    pub kind: MilestoneKind,
    pub due: Option<Date>,
    pub period: Option<PeriodId>,
}

/// The milestones every assignment of `activity` starts with: fixed dates as parsed, one per
/// reporting period for periodic reports, one per occurrence for "n times a year", and one
/// waiting placeholder for event-triggered and relative deadlines (their dates come when the
/// event or trigger is recorded).
pub fn milestone_specs(activity: &Activity) -> Vec<MilestoneSpec> {
    let mut out = Vec::new();
    let single = activity.schedule.items.len() <= 1;
    for (index, item) in activity.schedule.items.iter().enumerate() {
        let base =
            item.label.clone().unwrap_or_else(|| if single { activity_label(activity) } else { item.text.clone() });
        let mut push = |label: String, kind: MilestoneKind, due: Option<Date>, period: Option<PeriodId>| {
            out.push(MilestoneSpec { item: index, label, kind, due, period });
        };
        match &item.when {
            When::Fixed { due, .. } => push(base, MilestoneKind::Fixed, Some(*due), None),
            When::Periodic { periods } => {
                for p in periods {
                    push(
                        format!("{base} ({})", p.period.label_vn()),
                        MilestoneKind::Periodic,
                        Some(p.due),
                        Some(p.period),
                    );
                }
            }
            When::TimesPerYear { dues, .. } if !dues.is_empty() => {
                for (i, due) in dues.iter().enumerate() {
                    push(format!("{base} (lần {})", i + 1), MilestoneKind::Recurring, Some(*due), None);
                }
            }
            When::TimesPerYear { .. } => push(base, MilestoneKind::Unparsed, None, None),
            When::Event { .. } => push(base, MilestoneKind::Event, None, None),
            When::Relative { .. } => push(base, MilestoneKind::Relative, None, None),
            When::Ongoing => push(base, MilestoneKind::Ongoing, None, None),
            When::Unparsed => push(base, MilestoneKind::Unparsed, None, None),
        }
    }
    if out.is_empty() {
        out.push(MilestoneSpec {
            item: 0,
            label: activity_label(activity),
            kind: MilestoneKind::Unparsed,
            due: None,
            period: None,
        });
    }
    out
}

fn activity_label(activity: &Activity) -> String {
    activity.outputs.first().cloned().unwrap_or_else(|| "Hoàn thành hoạt động".to_string())
}

/// The due date of an event-triggered milestone once the event happened on `event_date`.
pub fn due_after_event(event_date: Date, offset: Option<Offset>, calendar: &WorkCalendar) -> Date {
    match offset {
        None => event_date,
        Some(Offset::Days(n)) => event_date.add_days(i64::from(n)),
        Some(Offset::WorkingDays(n)) => calendar.add_working_days(event_date, n),
        Some(Offset::Months(n)) => event_date.add_months(n),
    }
}

/// The agencies that each get their own assignment of `activity`: every agency named as lead,
/// and every member of every group named as lead, once each, in directory order of appearance.
pub fn responsible_agencies(activity: &Activity, directory: &AgencyDirectory) -> Vec<AgencyId> {
    let mut out: Vec<AgencyId> = Vec::new();
    for reference in &activity.lead {
        for id in &reference.agencies {
            if !out.contains(id) {
                out.push(id.clone());
            }
        }
        for group in &reference.groups {
            for member in directory.members(group) {
                if !out.contains(&member.id) {
                    out.push(member.id.clone());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn done(on: &str) -> ProgressState {
        ProgressState { status: ProgressStatus::Done, completed_on: Some(d(on)) }
    }

    #[test]
    fn the_due_day_itself_is_on_time_and_the_next_working_day_is_late() {
        let cal = WorkCalendar::vietnam();
        let fixed = MilestoneKind::Fixed;
        // 31/01/2024 is a Wednesday.
        let due = Some(d("31/01/2024"));
        assert_eq!(derive_status(fixed, due, done("31/01/2024"), d("05/02/2024"), &cal), DerivedStatus::DoneOnTime);
        assert_eq!(derive_status(fixed, due, done("01/02/2024"), d("05/02/2024"), &cal), DerivedStatus::DoneLate);
        let open = ProgressState::default();
        assert_eq!(derive_status(fixed, due, open, d("31/01/2024"), &cal), DerivedStatus::NotDue);
        assert_eq!(derive_status(fixed, due, open, d("01/02/2024"), &cal), DerivedStatus::Overdue);
        let working = ProgressState { status: ProgressStatus::InProgress, completed_on: None };
        assert_eq!(derive_status(fixed, due, working, d("30/01/2024"), &cal), DerivedStatus::InProgress);
    }

    #[test]
    fn a_deadline_on_a_holiday_moves_to_the_next_working_day() {
        let cal = WorkCalendar::vietnam();
        // 30/04/2024 is a public holiday; 01/05 too; the next working day is Thursday 02/05/2024.
        let due = Some(d("30/04/2024"));
        let fixed = MilestoneKind::Fixed;
        assert_eq!(derive_status(fixed, due, done("02/05/2024"), d("10/05/2024"), &cal), DerivedStatus::DoneOnTime);
        assert_eq!(derive_status(fixed, due, done("03/05/2024"), d("10/05/2024"), &cal), DerivedStatus::DoneLate);
        assert_eq!(derive_status(fixed, due, ProgressState::default(), d("02/05/2024"), &cal), DerivedStatus::NotDue);
        assert_eq!(derive_status(fixed, due, ProgressState::default(), d("03/05/2024"), &cal), DerivedStatus::Overdue);
        // 31/03/2024 is a Sunday: due Monday 01/04/2024.
        let sunday = Some(d("31/03/2024"));
        assert_eq!(derive_status(fixed, sunday, done("01/04/2024"), d("02/04/2024"), &cal), DerivedStatus::DoneOnTime);
    }

    #[test]
    fn completion_after_the_as_of_date_does_not_count_yet() {
        let cal = WorkCalendar::vietnam();
        let due = Some(d("31/01/2024"));
        let status = derive_status(MilestoneKind::Fixed, due, done("20/01/2024"), d("15/01/2024"), &cal);
        assert_eq!(status, DerivedStatus::NotDue);
    }

    #[test]
    fn events_wait_and_ongoing_work_is_never_overdue() {
        let cal = WorkCalendar::vietnam();
        let open = ProgressState::default();
        assert_eq!(derive_status(MilestoneKind::Event, None, open, d("01/12/2024"), &cal), DerivedStatus::WaitingEvent);
        assert_eq!(derive_status(MilestoneKind::Ongoing, None, open, d("01/12/2024"), &cal), DerivedStatus::NotDue);
        assert_eq!(
            derive_status(MilestoneKind::Event, None, done("01/03/2024"), d("01/12/2024"), &cal),
            DerivedStatus::DoneOnTime
        );
    }

    #[test]
    fn event_offsets_use_the_calendar() {
        let cal = WorkCalendar::vietnam();
        assert_eq!(due_after_event(d("15/01/2024"), Some(Offset::Months(1)), &cal), d("15/02/2024"));
        assert_eq!(due_after_event(d("31/01/2024"), Some(Offset::Months(1)), &cal), d("29/02/2024"));
        assert_eq!(due_after_event(d("07/02/2024"), Some(Offset::WorkingDays(1)), &cal), d("15/02/2024"));
        assert_eq!(due_after_event(d("07/02/2024"), None, &cal), d("07/02/2024"));
    }
}

/// Database identity of a stored activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActivityId(pub i64);

/// Database identity of an assignment (one agency's share of an activity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AssignmentId(pub i64);

/// Database identity of a milestone of an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MilestoneId(pub i64);

/// A milestone of one agency's assignment, with its activity's context and current progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneRecord {
    pub id: MilestoneId,
    pub assignment: AssignmentId,
    pub activity: ActivityId,
    pub area: crate::plan::AreaCode,
    pub activity_number: String,
    pub activity_title: String,
    pub agency: AgencyId,
    /// Position of the schedule item the milestone comes from.
    pub item: usize,
    pub label: String,
    pub kind: MilestoneKind,
    pub due: Option<Date>,
    pub period: Option<PeriodId>,
    pub progress: ProgressState,
    /// When progress was last recorded (RFC 3339), if ever.
    pub updated_at: Option<String>,
}

impl MilestoneRecord {
    pub fn derived(&self, as_of: Date, calendar: &WorkCalendar) -> DerivedStatus {
        derive_status(self.kind, self.due, self.progress, as_of, calendar)
    }

    /// "II.3" — the activity's code as people cite it.
    pub fn activity_code(&self) -> String {
        format!("{}.{}", self.area, self.activity_number)
    }
}

/// The document that proves a milestone was done ("15/KH-UBND ngày 18/01/2024 của UBND tỉnh").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Evidence {
    pub number: String,
    pub date: Option<Date>,
    pub issuer: String,
}

impl Evidence {
    pub fn is_empty(&self) -> bool {
        self.number.is_empty() && self.date.is_none() && self.issuer.is_empty()
    }
}

/// An uploaded evidence file, identified by the SHA-256 of its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
}

/// One entry of a milestone's append-only progress history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressEntry {
    pub id: i64,
    pub milestone: MilestoneId,
    /// Who recorded it (username), when known.
    pub recorded_by: Option<String>,
    pub recorded_at: String,
    pub status: ProgressStatus,
    pub completed_on: Option<Date>,
    pub evidence: Evidence,
    pub file: Option<StoredFile>,
    pub comment: String,
    /// For an entry carried over from an earlier version of the plan (see `plan_diff`): the
    /// number of the version it was copied from (the copy keeps its author and time).
    pub carried_from_version: Option<i64>,
}

/// A new progress report for a milestone, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProgress {
    pub status: ProgressStatus,
    pub completed_on: Option<Date>,
    pub evidence: Evidence,
    pub file: Option<StoredFile>,
    pub comment: String,
}

/// Which milestones to read (every field set narrows the selection).
#[derive(Debug, Clone, Default)]
pub struct MilestoneQuery {
    pub agency: Option<AgencyId>,
    pub activity: Option<ActivityId>,
    pub milestone: Option<MilestoneId>,
}

/// A stored activity's identity and address in the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityIndex {
    pub id: ActivityId,
    pub area: crate::plan::AreaCode,
    pub position: usize,
    pub number: String,
}
