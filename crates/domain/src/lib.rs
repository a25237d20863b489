//! The public administration reform (PAR, "cải cách hành chính") plan as plain Rust types.
//!
//! Architecture invariant: this crate knows nothing of files, SQL, HTTP or JSON. It holds the
//! vocabulary of the domain (see `docs/glossary.md`) and the pure rules over it: the working-day
//! calendar, deadline arithmetic, schedule milestones, and Vietnamese text folding.

/// Accounts and roles.
pub mod account;
/// Agencies, administrative units and the named groups that plans refer to.
pub mod agency;
/// Vietnamese working-day calendar: lunar dates, public holidays, civil-service day swaps.
pub mod calendar;
/// Dates as the users write them (dd/mm/yyyy) and as machines do (ISO 8601).
pub mod date;
/// Line-numbered messages that parsers return instead of failing.
pub mod diagnostic;
/// One-stop-shop dossiers: compact records, timeliness rules, per-agency counts, 766 points.
pub mod dossier;
/// The PAR Index: criteria frameworks, scoring, ranking and bands.
pub mod evaluation;
/// Inspection planning: which agencies to inspect in a year, by priority and a seeded draw.
pub mod inspection;
/// Numbers as Vietnamese documents print them: one rounding rule for every percentage.
pub mod number;
/// Reporting periods (quarter, half-year, year) and their data windows.
pub mod period;
/// The plan document: metadata, reform areas, targets, tasks, activities.
pub mod plan;
/// What changed between two versions of a plan, and which milestones continue which.
pub mod plan_diff;
/// Periodic reports and indicators: aggregation, attainment, validation rules, completeness.
pub mod reporting;
/// When an activity is due: fixed dates, recurring reports, events, relative deadlines.
pub mod schedule;
/// SIPAS: the satisfaction index per agency and element, with Wilson intervals.
pub mod sipas;
/// Quantified targets ("chỉ tiêu") and their thresholds.
pub mod target;
/// Vietnamese text normalisation: NFC, accent folding for matching and search.
pub mod text;
/// Assignments, milestones, progress and derived deadline status.
pub mod tracking;

pub use agency::{
    AdminLevel, Agency, AgencyDirectory, AgencyGroup, AgencyId, AgencyKind, Ending, FormerName, GroupId, Validity,
};
pub use date::{Date, DateError, Timestamp};
pub use diagnostic::{Diagnostic, Severity};
pub use period::{PeriodId, ReportingPeriod};
pub use plan::{Activity, AgencyRef, Area, AreaCode, ImportOutcome, Plan, PlanMeta, PlanVersion, Task};
pub use schedule::{Schedule, ScheduleItem, ScheduleKind, When};
pub use sipas::{Rating, SipasConfig, SipasElement, SipasIndex, SurveyResponse};
pub use target::{Comparator, Target, Threshold};
