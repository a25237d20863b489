//! A report's life: draft → submitted (awaiting acceptance) → accepted, or returned for
//! correction; the date it counts as received (the first submission, or the date Sở Nội vụ
//! records for a paper or e-mail report); the deadline (the period's, or an extension granted to
//! the agency); and completeness per group of agencies, which only counts reports awaiting
//! acceptance or accepted as submitted.

use crate::account::UserId;
use crate::agency::AgencyId;
use crate::date::Date;
use crate::period::PeriodId;
use crate::reporting::{IndicatorCode, Part, ReportContent};

/// Where a report is in its workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportStatus {
    Draft,
    /// Sent, awaiting acceptance by Sở Nội vụ.
    Submitted,
    /// Sent back for correction, awaiting resubmission.
    Returned,
    Accepted,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 4] =
        [ReportStatus::Draft, ReportStatus::Submitted, ReportStatus::Returned, ReportStatus::Accepted];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Draft => "draft",
            ReportStatus::Submitted => "submitted",
            ReportStatus::Returned => "returned",
            ReportStatus::Accepted => "accepted",
        }
    }
    pub fn parse(text: &str) -> Option<ReportStatus> {
        ReportStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            ReportStatus::Draft => "Đang soạn",
            ReportStatus::Submitted => "Chờ tiếp nhận",
            ReportStatus::Returned => "Bị trả lại, chờ gửi lại",
            ReportStatus::Accepted => "Đã tiếp nhận",
        }
    }
    /// Whether an agency may still edit its values.
    pub fn is_editable(self) -> bool {
        matches!(self, ReportStatus::Draft | ReportStatus::Returned)
    }
    /// Whether the report counts as submitted: awaiting acceptance or accepted. A returned
    /// report does not (its values are left out of the results too).
    pub fn counts_as_submitted(self) -> bool {
        matches!(self, ReportStatus::Submitted | ReportStatus::Accepted)
    }
    /// The allowed transitions: draft/returned → submitted; submitted → returned/accepted;
    /// accepted → returned (reopening, audited by the caller).
    pub fn may_become(self, next: ReportStatus) -> bool {
        use ReportStatus::*;
        matches!(
            (self, next),
            (Draft, Submitted)
                | (Returned, Submitted)
                | (Submitted, Returned)
                | (Submitted, Accepted)
                | (Accepted, Returned)
        )
    }
}

/// A date Sở Nội vụ recorded as the day a report was received (paper, e-mail), with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub date: Date,
    pub reason: String,
}

/// An agency's periodic report as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub id: i64,
    pub agency: AgencyId,
    pub period: PeriodId,
    pub status: ReportStatus,
    /// The day (Vietnam time) of the first submission through the system.
    pub submitted_on: Option<Date>,
    /// The receipt date recorded by Sở Nội vụ, which overrides `submitted_on` for timeliness.
    pub receipt: Option<Receipt>,
    pub returned_reason: Option<String>,
    pub updated_at: String,
    pub content: ReportContent,
}

impl Report {
    /// The day the report counts as received: the recorded receipt date, else the first
    /// submission (a report returned and sent again keeps its first date).
    pub fn received_on(&self) -> Option<Date> {
        self.receipt.as_ref().map(|r| r.date).or(self.submitted_on)
    }

    /// Whether it counts as submitted and was received after `due`.
    pub fn is_late(&self, due: Date) -> bool {
        self.status.counts_as_submitted() && self.received_on().is_some_and(|d| d > due)
    }
}

/// A deadline extension granted to one agency for one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub agency: AgencyId,
    pub period: PeriodId,
    /// The new last day on which the report is on time.
    pub until: Date,
    pub reason: String,
    pub user: Option<String>,
    pub at: String,
}

/// The deadline that applies to an agency: its latest extension, else the period's due date.
pub fn due_date(period_due: Date, extension: Option<&Extension>) -> Date {
    extension.map_or(period_due, |e| e.until)
}

/// Kinds of entries in a report's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportEventKind {
    Saved,
    Submitted,
    Returned,
    Accepted,
    Reopened,
    Received,
}

impl ReportEventKind {
    pub const ALL: [ReportEventKind; 6] = [
        ReportEventKind::Saved,
        ReportEventKind::Submitted,
        ReportEventKind::Returned,
        ReportEventKind::Accepted,
        ReportEventKind::Reopened,
        ReportEventKind::Received,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ReportEventKind::Saved => "saved",
            ReportEventKind::Submitted => "submitted",
            ReportEventKind::Returned => "returned",
            ReportEventKind::Accepted => "accepted",
            ReportEventKind::Reopened => "reopened",
            ReportEventKind::Received => "received",
        }
    }
    pub fn parse(text: &str) -> Option<ReportEventKind> {
        ReportEventKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            ReportEventKind::Saved => "Lưu số liệu",
            ReportEventKind::Submitted => "Gửi báo cáo",
            ReportEventKind::Returned => "Trả lại",
            ReportEventKind::Accepted => "Tiếp nhận",
            ReportEventKind::Reopened => "Mở lại báo cáo đã tiếp nhận",
            ReportEventKind::Received => "Ghi nhận ngày nhận báo cáo",
        }
    }
}

/// One entry of a report's workflow history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportEvent {
    pub kind: ReportEventKind,
    pub reason: String,
    pub user: Option<String>,
    pub at: String,
}

/// One change of a reported value.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueChange {
    pub indicator: IndicatorCode,
    pub part: Part,
    pub old_value: Option<f64>,
    pub new_value: Option<f64>,
    pub user: Option<String>,
    pub at: String,
}

/// A workflow step to apply atomically.
#[derive(Debug, Clone)]
pub struct Transition<'a> {
    /// The step happens only if the report is in one of these states.
    pub from: &'a [ReportStatus],
    pub to: ReportStatus,
    pub kind: ReportEventKind,
    pub reason: &'a str,
    /// Set on first submission.
    pub submitted_on: Option<Date>,
    pub user: Option<UserId>,
    pub at: &'a str,
}

/// Where one expected agency stands for a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standing {
    /// No report, or a draft.
    NotSubmitted,
    Awaiting,
    Returned,
    Accepted,
}

impl Standing {
    pub fn of(report: Option<&Report>) -> Standing {
        match report.map(|r| r.status) {
            None | Some(ReportStatus::Draft) => Standing::NotSubmitted,
            Some(ReportStatus::Submitted) => Standing::Awaiting,
            Some(ReportStatus::Returned) => Standing::Returned,
            Some(ReportStatus::Accepted) => Standing::Accepted,
        }
    }
}

/// Completeness and timeliness of one period for one group of agencies. Counted over expected
/// agencies only, so no rate exceeds 100%. Only reports awaiting acceptance or accepted count as
/// submitted; `on_time` and `late` split those.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completeness {
    pub expected: usize,
    pub not_submitted: Vec<AgencyId>,
    pub awaiting: Vec<AgencyId>,
    pub returned: Vec<AgencyId>,
    pub accepted: Vec<AgencyId>,
    pub on_time: Vec<AgencyId>,
    pub late: Vec<AgencyId>,
}

impl Completeness {
    /// `entries`: every expected agency, its report if any, and the deadline that applies to it
    /// (the period's due date or its extension).
    pub fn compute<'a>(entries: impl IntoIterator<Item = (&'a AgencyId, Option<&'a Report>, Date)>) -> Completeness {
        let mut out = Completeness::default();
        for (agency, report, due) in entries {
            out.expected += 1;
            let list = match Standing::of(report) {
                Standing::NotSubmitted => &mut out.not_submitted,
                Standing::Awaiting => &mut out.awaiting,
                Standing::Returned => &mut out.returned,
                Standing::Accepted => &mut out.accepted,
            };
            list.push(agency.clone());
            if let Some(report) = report.filter(|r| r.status.counts_as_submitted()) {
                if report.is_late(due) {
                    out.late.push(agency.clone());
                } else {
                    out.on_time.push(agency.clone());
                }
            }
        }
        out
    }

    /// Reports awaiting acceptance or accepted.
    pub fn submitted(&self) -> usize {
        self.awaiting.len() + self.accepted.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> AgencyId {
        AgencyId::parse(text).unwrap()
    }

    fn day(d: u32) -> Date {
        Date::from_ymd(2024, 6, d).unwrap()
    }

    fn report(agency: &str, status: ReportStatus, submitted: Option<u32>) -> Report {
        Report {
            id: 1,
            agency: id(agency),
            period: PeriodId::HalfYear { year: 2024, half: 1 },
            status,
            submitted_on: submitted.map(day),
            receipt: None,
            returned_reason: None,
            updated_at: String::new(),
            content: ReportContent::default(),
        }
    }

    #[test]
    fn only_awaiting_and_accepted_reports_count_as_submitted() {
        let due = day(14);
        let ids = ["a", "b", "c", "d", "e", "f"].map(id);
        let reports = [
            None,
            Some(report("b", ReportStatus::Draft, None)),
            Some(report("c", ReportStatus::Submitted, Some(12))),
            Some(report("d", ReportStatus::Returned, Some(20))),
            Some(report("e", ReportStatus::Accepted, Some(20))),
            Some(report("f", ReportStatus::Accepted, Some(14))),
        ];
        let c = Completeness::compute(ids.iter().zip(&reports).map(|(a, r)| (a, r.as_ref(), due)));
        assert_eq!(c.expected, 6);
        assert_eq!(c.not_submitted, vec![id("a"), id("b")]);
        assert_eq!(c.awaiting, vec![id("c")]);
        assert_eq!(c.returned, vec![id("d")], "a returned report is not submitted");
        assert_eq!(c.accepted, vec![id("e"), id("f")]);
        assert_eq!(c.submitted(), 3);
        assert_eq!(c.on_time, vec![id("c"), id("f")]);
        assert_eq!(c.late, vec![id("e")], "the returned report is not in the late list");
    }

    #[test]
    fn a_recorded_receipt_date_and_an_extension_decide_timeliness() {
        let mut paper = report("a", ReportStatus::Submitted, Some(20));
        assert!(paper.is_late(day(14)));
        paper.receipt = Some(Receipt { date: day(12), reason: "Nhận bản giấy ngày 12/6".into() });
        assert_eq!(paper.received_on(), Some(day(12)));
        assert!(!paper.is_late(day(14)));
        let late = report("b", ReportStatus::Accepted, Some(20));
        let extension = Extension {
            agency: id("b"),
            period: late.period,
            until: day(21),
            reason: "Thiên tai".into(),
            user: None,
            at: String::new(),
        };
        assert!(!late.is_late(due_date(day(14), Some(&extension))));
        assert!(late.is_late(due_date(day(14), None)));
    }

    #[test]
    fn workflow_transitions() {
        use ReportStatus::*;
        assert!(Draft.may_become(Submitted));
        assert!(!Draft.may_become(Accepted));
        assert!(Submitted.may_become(Returned));
        assert!(Accepted.may_become(Returned));
        assert!(!Accepted.is_editable());
        assert!(Returned.is_editable());
        assert!(!Returned.counts_as_submitted());
        for status in ReportStatus::ALL {
            assert_eq!(ReportStatus::parse(status.as_str()), Some(status));
        }
    }
}
