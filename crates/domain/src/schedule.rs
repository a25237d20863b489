//! When an activity is due. The appendix's "Thời gian" cell becomes a [`Schedule`]: the verbatim
//! text plus one [`ScheduleItem`] per recognised part (often one per deliverable).

use crate::date::Date;
use crate::period::PeriodId;

/// How precisely a fixed deadline was written; the due date is the last day of that span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Precision {
    Day,
    Month,
    Quarter,
    Year,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Day => "day",
            Precision::Month => "month",
            Precision::Quarter => "quarter",
            Precision::Year => "year",
        }
    }
    pub fn parse(text: &str) -> Option<Precision> {
        match text {
            "day" => Some(Precision::Day),
            "month" => Some(Precision::Month),
            "quarter" => Some(Precision::Quarter),
            "year" => Some(Precision::Year),
            _ => None,
        }
    }
}

/// An offset after an event ("sau khi … ban hành hướng dẫn 01 tháng").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Offset {
    Days(u32),
    WorkingDays(u32),
    Months(u32),
}

/// A report due for one reporting period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodDue {
    pub period: PeriodId,
    pub due: Date,
}

/// One recognised part of a schedule cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    /// A concrete deadline: the last day of the month, quarter or year written, or a given day.
    Fixed { due: Date, precision: Precision },
    /// "Thường xuyên": ongoing, no deadline.
    Ongoing,
    /// Periodic reports tied to the plan's reporting periods, each with its due date.
    Periodic { periods: Vec<PeriodDue> },
    /// "01 năm 2 lần": a number of times per year; `dues` are the derived period ends.
    TimesPerYear { count: u32, dues: Vec<Date> },
    /// "5 ngày làm việc kể từ ngày nhận hồ sơ hợp lệ": working days after a trigger.
    Relative { working_days: u32, trigger: String },
    /// "Sau khi … ban hành": due when (or an offset after) an event happens.
    Event { trigger: String, offset: Option<Offset> },
    /// Not understood; the item's text is kept verbatim and a diagnostic is raised.
    Unparsed,
}

/// One part of a schedule cell: an optional label (usually the deliverable), a when, the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleItem {
    /// The deliverable or step the date belongs to ("Kế hoạch", "Báo cáo lần 1").
    pub label: Option<String>,
    pub when: When,
    /// A condition written beside a date ("sau khi có hướng dẫn của Bộ …"), kept verbatim.
    pub condition: Option<String>,
    /// The verbatim text of this part.
    pub text: String,
}

/// Classification of a whole schedule cell (JSON `schedule.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScheduleKind {
    Fixed,
    Recurring,
    Ongoing,
    Relative,
    Event,
    Mixed,
    Unparsed,
}

impl ScheduleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleKind::Fixed => "fixed",
            ScheduleKind::Recurring => "recurring",
            ScheduleKind::Ongoing => "ongoing",
            ScheduleKind::Relative => "relative",
            ScheduleKind::Event => "event",
            ScheduleKind::Mixed => "mixed",
            ScheduleKind::Unparsed => "unparsed",
        }
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            ScheduleKind::Fixed => "có thời hạn",
            ScheduleKind::Recurring => "định kỳ",
            ScheduleKind::Ongoing => "thường xuyên",
            ScheduleKind::Relative => "tính từ sự việc",
            ScheduleKind::Event => "chờ sự kiện",
            ScheduleKind::Mixed => "hỗn hợp",
            ScheduleKind::Unparsed => "chưa phân tích được",
        }
    }
}

impl When {
    fn kind(&self) -> ScheduleKind {
        match self {
            When::Fixed { .. } => ScheduleKind::Fixed,
            When::Ongoing => ScheduleKind::Ongoing,
            When::Periodic { .. } | When::TimesPerYear { .. } => ScheduleKind::Recurring,
            When::Relative { .. } => ScheduleKind::Relative,
            When::Event { .. } => ScheduleKind::Event,
            When::Unparsed => ScheduleKind::Unparsed,
        }
    }
}

/// A concrete dated milestone derived from a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    pub label: Option<String>,
    pub due: Date,
}

/// The "Thời gian" cell of an activity.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schedule {
    /// The cell exactly as printed (markup removed, whitespace collapsed).
    pub text: String,
    pub items: Vec<ScheduleItem>,
}

impl Schedule {
    /// One kind when every item agrees, `Mixed` otherwise, `Unparsed` when nothing was understood.
    pub fn kind(&self) -> ScheduleKind {
        let mut kinds = self.items.iter().map(|i| i.when.kind());
        let Some(first) = kinds.next() else {
            return ScheduleKind::Unparsed;
        };
        if kinds.all(|k| k == first) {
            first
        } else {
            ScheduleKind::Mixed
        }
    }

    /// Every concrete dated milestone, in item order.
    pub fn milestones(&self) -> Vec<Milestone> {
        let mut out = Vec::new();
        for item in &self.items {
            match &item.when {
                When::Fixed { due, .. } => out.push(Milestone { label: item.label.clone(), due: *due }),
                When::Periodic { periods } => {
                    for p in periods {
                        let base = item.label.clone().unwrap_or_else(|| "Báo cáo".to_string());
                        out.push(Milestone { label: Some(format!("{base} ({})", p.period.label_vn())), due: p.due });
                    }
                }
                When::TimesPerYear { dues, .. } => {
                    for (i, due) in dues.iter().enumerate() {
                        let base = item.label.clone().unwrap_or_default();
                        let label = if base.is_empty() {
                            format!("Lần {}", i + 1)
                        } else {
                            format!("{base} (lần {})", i + 1)
                        };
                        out.push(Milestone { label: Some(label), due: *due });
                    }
                }
                When::Ongoing | When::Relative { .. } | When::Event { .. } | When::Unparsed => {}
            }
        }
        out
    }
}
