//! Wire types of the JSON API. Dates are ISO `yyyy-mm-dd` (or `null`), moments RFC 3339 UTC,
//! machine values lower-case snake case with a Vietnamese `*_label` beside them where people
//! read them. Field names are a contract: add fields, never rename them.

use cchc_domain::account::User;
use cchc_domain::tracking::{DerivedStatus, MilestoneRecord, ProgressEntry, StoredFile};
use cchc_domain::{Agency, AgencyDirectory, AgencyRef, Date};
use cchc_services::dashboard::StatusCounts;
use serde::{Deserialize, Serialize};

/// The body of every error answer.
#[derive(Debug, Serialize)]
pub struct ErrorDto {
    pub error: String,
    pub details: Vec<String>,
}

fn iso(date: Option<Date>) -> Option<String> {
    date.map(Date::iso)
}

// ---------------------------------------------------------------------------------------------
// Session

/// `POST /api/session` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize)]
pub struct UserDto {
    pub username: String,
    pub display_name: String,
    /// `admin` | `agency` | `viewer`.
    pub role: &'static str,
    pub role_label: &'static str,
    /// The agency id of an agency officer.
    pub agency: Option<String>,
    pub agency_name: Option<String>,
    /// Whether the user may record events and write for every agency.
    pub is_admin: bool,
}

impl UserDto {
    pub fn new(user: &User, directory: &AgencyDirectory) -> UserDto {
        UserDto {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role.as_str(),
            role_label: user.role.label_vn(),
            agency: user.agency.as_ref().map(|a| a.to_string()),
            agency_name: user.agency.as_ref().and_then(|a| directory.agency(a)).map(|a| a.name.clone()),
            is_admin: user.is_admin(),
        }
    }
}

/// `POST /api/session` and `GET /api/session` answer.
#[derive(Debug, Serialize)]
pub struct SessionDto {
    /// To send in `X-CSRF-Token` on every write.
    pub csrf_token: String,
    pub user: UserDto,
    /// The password was set by an administrator: change it (`PUT /api/me/password`).
    pub must_change_password: bool,
}

// ---------------------------------------------------------------------------------------------
// Accounts

/// An account as administrators manage it (`GET /api/users`).
#[derive(Debug, Serialize)]
pub struct AccountDto {
    pub username: String,
    pub display_name: String,
    /// `admin` | `agency` | `viewer`.
    pub role: &'static str,
    pub role_label: &'static str,
    pub agency: Option<String>,
    pub agency_name: Option<String>,
    /// A deactivated account cannot log in and its sessions have ended.
    pub active: bool,
    /// The command line's own account (never deactivated nor reset).
    pub system: bool,
}

impl AccountDto {
    pub fn new(user: &User, directory: &AgencyDirectory) -> AccountDto {
        AccountDto {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role.as_str(),
            role_label: user.role.label_vn(),
            agency: user.agency.as_ref().map(|a| a.to_string()),
            agency_name: user.agency.as_ref().and_then(|a| directory.agency(a)).map(|a| a.name.clone()),
            active: user.active,
            system: user.username == cchc_services::accounts::COMMAND_LINE_USERNAME,
        }
    }
}

/// `POST /api/users` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    pub username: String,
    pub display_name: Option<String>,
    /// `admin` | `agency` | `viewer`.
    pub role: String,
    /// Agency id; required for role `agency`, refused for the others.
    pub agency: Option<String>,
    /// Absent, null or empty: a password is generated and returned once.
    pub password: Option<String>,
}

/// `PATCH /api/users/{username}` body: `active` and/or `password` (`null` generates one).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPatchRequest {
    pub active: Option<bool>,
    /// Absent: unchanged; `null`: reset to a generated password; a string: reset to it.
    #[serde(default, deserialize_with = "present")]
    pub password: Option<Option<String>>,
}

/// A field that is present (even as `null`) reads as `Some`.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// `POST /api/users` and `PATCH /api/users/{username}` answer.
#[derive(Debug, Serialize)]
pub struct AccountResultDto {
    pub user: AccountDto,
    /// A generated password, shown this once; `null` when none was generated.
    pub password: Option<String>,
}

/// `PUT /api/me/password` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeRequest {
    pub current: String,
    pub new: String,
}

// ---------------------------------------------------------------------------------------------
// Agencies and activities

#[derive(Debug, Serialize)]
pub struct AgencyDto {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    /// `province` | `department` | `sectoral` | `district` | `commune` | `other`.
    pub kind: &'static str,
    pub kind_label: &'static str,
    /// `tinh` | `huyen` | `xa`.
    pub level: &'static str,
    pub level_label: &'static str,
    /// The district of a commune.
    pub parent: Option<String>,
    pub gso_code: Option<u32>,
    /// Ids of the named groups it belongs to.
    pub groups: Vec<String>,
}

impl AgencyDto {
    pub fn new(agency: &Agency, directory: &AgencyDirectory) -> AgencyDto {
        AgencyDto {
            id: agency.id.to_string(),
            name: agency.name.clone(),
            aliases: agency.aliases.clone(),
            kind: agency.kind.as_str(),
            kind_label: agency.kind.label_vn(),
            level: agency.level.as_str(),
            level_label: agency.level.label_vn(),
            parent: agency.parent.as_ref().map(|p| p.to_string()),
            gso_code: agency.gso_code,
            groups: directory
                .groups
                .iter()
                .filter(|g| directory.is_member(&g.id, &agency.id))
                .map(|g| g.id.to_string())
                .collect(),
        }
    }
}

/// An agency named by id and name.
#[derive(Debug, Serialize)]
pub struct AgencyRefDto {
    pub id: String,
    pub name: String,
}

impl AgencyRefDto {
    pub fn new(id: &cchc_domain::AgencyId, directory: &AgencyDirectory) -> AgencyRefDto {
        AgencyRefDto {
            id: id.to_string(),
            name: directory.agency(id).map_or_else(|| id.to_string(), |a| a.name.clone()),
        }
    }
}

/// A lead or partner cell fragment of an activity: the text as printed and what it resolved to.
#[derive(Debug, Serialize)]
pub struct ResponsibleDto {
    pub text: String,
    pub agencies: Vec<String>,
    pub groups: Vec<String>,
}

impl ResponsibleDto {
    pub fn new(reference: &AgencyRef) -> ResponsibleDto {
        ResponsibleDto {
            text: reference.text.clone(),
            agencies: reference.agencies.iter().map(|a| a.to_string()).collect(),
            groups: reference.groups.iter().map(|g| g.to_string()).collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ScheduleDto {
    /// The "Thời gian" cell as printed.
    pub text: String,
    /// `fixed` | `recurring` | `ongoing` | `relative` | `event` | `mixed` | `unparsed`.
    pub kind: &'static str,
    pub kind_label: &'static str,
}

/// An activity of the current plan (`GET /api/activities`).
#[derive(Debug, Serialize)]
pub struct ActivityDto {
    pub id: i64,
    /// "II.2".
    pub code: String,
    pub area: &'static str,
    pub area_title: String,
    pub number: String,
    pub title: String,
    pub outputs: Vec<String>,
    pub lead: Vec<ResponsibleDto>,
    pub partners: Vec<ResponsibleDto>,
    pub note: String,
    pub schedule: ScheduleDto,
    /// Agencies that got their own assignment.
    pub assignment_count: usize,
    /// Milestones each assignment starts with.
    pub milestones_per_assignment: usize,
    /// Milestones over all assignments.
    pub milestone_count: usize,
}

// ---------------------------------------------------------------------------------------------
// Assignments and milestones

/// The activity an assignment or milestone belongs to.
#[derive(Debug, Serialize)]
pub struct ActivityRefDto {
    pub id: i64,
    pub code: String,
    pub area: &'static str,
    pub number: String,
    pub title: String,
}

impl ActivityRefDto {
    pub fn new(m: &MilestoneRecord) -> ActivityRefDto {
        ActivityRefDto {
            id: m.activity.0,
            code: m.activity_code(),
            area: m.area.as_str(),
            number: m.activity_number.clone(),
            title: m.activity_title.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MilestoneDto {
    pub id: i64,
    pub label: String,
    /// `fixed` | `periodic` | `recurring` | `event` | `relative` | `ongoing` | `unparsed`.
    pub kind: &'static str,
    /// Position (0-based) of the schedule item of the activity it comes from (the `item` of
    /// `POST /api/activities/{activity_id}/events`).
    pub item: usize,
    pub due: Option<String>,
    /// Reporting period id (`2024Q1`, `2024S1`, `2024`) of a periodic report.
    pub period: Option<String>,
    pub period_label: Option<String>,
    /// What the officer reported: `not_started` | `in_progress` | `done`.
    pub status: &'static str,
    pub status_label: &'static str,
    pub completed_on: Option<String>,
    /// When progress was last recorded (RFC 3339), if ever.
    pub updated_at: Option<String>,
    /// As of the request's date: `not_due` | `in_progress` | `done_on_time` | `done_late` |
    /// `overdue` | `waiting_event`.
    pub derived_status: &'static str,
    pub derived_status_label: &'static str,
}

impl MilestoneDto {
    pub fn new(m: &MilestoneRecord, derived: DerivedStatus) -> MilestoneDto {
        MilestoneDto {
            id: m.id.0,
            label: m.label.clone(),
            kind: m.kind.as_str(),
            item: m.item,
            due: iso(m.due),
            period: m.period.map(|p| p.to_string()),
            period_label: m.period.map(|p| p.label_vn()),
            status: m.progress.status.as_str(),
            status_label: m.progress.status.label_vn(),
            completed_on: iso(m.progress.completed_on),
            updated_at: m.updated_at.clone(),
            derived_status: derived.as_str(),
            derived_status_label: derived.label_vn(),
        }
    }
}

/// One agency's share of an activity (`GET /api/assignments`).
#[derive(Debug, Serialize)]
pub struct AssignmentDto {
    pub id: i64,
    pub activity: ActivityRefDto,
    pub agency: AgencyRefDto,
    /// Always `lead`: partners do not get assignments; they are listed in `partners`.
    pub role: &'static str,
    pub partners: Vec<ResponsibleDto>,
    pub milestones: Vec<MilestoneDto>,
}

#[derive(Debug, Serialize)]
pub struct EvidenceDto {
    pub number: String,
    pub date: Option<String>,
    pub issuer: String,
}

#[derive(Debug, Serialize)]
pub struct FileDto {
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub url: String,
}

impl FileDto {
    /// The file of history entry `entry`, under the name that entry's uploader gave it.
    pub fn new(file: &StoredFile, entry: i64) -> FileDto {
        FileDto {
            sha256: file.sha256.clone(),
            file_name: file.file_name.clone(),
            content_type: file.content_type.clone(),
            size: file.size,
            url: crate::files::download_link(file, entry),
        }
    }
}

/// One entry of a milestone's append-only progress history.
#[derive(Debug, Serialize)]
pub struct HistoryEntryDto {
    pub id: i64,
    pub milestone_id: i64,
    pub recorded_by: Option<String>,
    pub recorded_at: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub completed_on: Option<String>,
    pub evidence: EvidenceDto,
    pub file: Option<FileDto>,
    /// As typed (plain text; whoever renders it as HTML must escape it).
    pub comment: String,
}

impl HistoryEntryDto {
    pub fn new(entry: &ProgressEntry) -> HistoryEntryDto {
        HistoryEntryDto {
            id: entry.id,
            milestone_id: entry.milestone.0,
            recorded_by: entry.recorded_by.clone(),
            recorded_at: entry.recorded_at.clone(),
            status: entry.status.as_str(),
            status_label: entry.status.label_vn(),
            completed_on: iso(entry.completed_on),
            evidence: EvidenceDto {
                number: entry.evidence.number.clone(),
                date: iso(entry.evidence.date),
                issuer: entry.evidence.issuer.clone(),
            },
            file: entry.file.as_ref().map(|f| FileDto::new(f, entry.id)),
            comment: entry.comment.clone(),
        }
    }
}

/// `GET /api/milestones/{id}`: the milestone, whose it is, and its history (oldest first).
#[derive(Debug, Serialize)]
pub struct MilestoneDetailDto {
    #[serde(flatten)]
    pub milestone: MilestoneDto,
    pub as_of: String,
    pub assignment_id: i64,
    pub activity: ActivityRefDto,
    pub agency: AgencyRefDto,
    /// Whether the caller may record progress on it.
    pub can_write: bool,
    pub history: Vec<HistoryEntryDto>,
}

/// `POST /api/milestones/{id}/progress` body. Only `status` is required; dates are ISO or
/// dd/mm/yyyy; empty strings count as absent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressRequest {
    pub status: Option<String>,
    pub completed_on: Option<String>,
    pub evidence: Option<EvidenceRequest>,
    pub comment: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRequest {
    pub number: Option<String>,
    pub date: Option<String>,
    pub issuer: Option<String>,
}

/// `POST /api/milestones/{id}/progress` answer.
#[derive(Debug, Serialize)]
pub struct ProgressResultDto {
    /// The new history entry.
    pub entry: HistoryEntryDto,
    /// The milestone with its new state, derived status as of today.
    pub milestone: MilestoneDto,
    pub derived_status: &'static str,
    pub derived_status_label: &'static str,
}

/// `POST /api/activities/{activity_id}/events` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRequest {
    /// Position (0-based) of the event-triggered item in the activity's schedule.
    pub item: Option<u32>,
    pub occurred_on: Option<String>,
    /// Overrides the computed due date.
    pub due: Option<String>,
    pub description: Option<String>,
}

/// `POST /api/activities/{activity_id}/events` answer.
#[derive(Debug, Serialize)]
pub struct EventResultDto {
    pub activity_id: i64,
    pub item: u32,
    pub occurred_on: String,
    pub due: String,
    /// Milestones (over all assignments) that got this due date.
    pub milestones_dated: u64,
}

// ---------------------------------------------------------------------------------------------
// Dashboard

/// Counts per derived status; every status is present.
pub type CountsDto = std::collections::BTreeMap<&'static str, usize>;

pub fn counts(counts: &StatusCounts) -> CountsDto {
    counts.entries().into_iter().map(|(status, n)| (status.as_str(), n)).collect()
}

#[derive(Debug, Serialize)]
pub struct AreaCountsDto {
    pub code: &'static str,
    pub title: String,
    pub total: usize,
    pub done_percent: f64,
    pub counts: CountsDto,
}

#[derive(Debug, Serialize)]
pub struct GroupCountsDto {
    /// The agency kind (`department`, `district`, `commune`, …).
    pub kind: &'static str,
    pub label: String,
    pub total: usize,
    pub done_percent: f64,
    pub counts: CountsDto,
}

/// A milestone in the dashboard's overdue and upcoming lists.
#[derive(Debug, Serialize)]
pub struct DashboardMilestoneDto {
    pub id: i64,
    pub label: String,
    pub due: Option<String>,
    pub status: &'static str,
    pub derived_status: &'static str,
    pub derived_status_label: &'static str,
    pub activity: ActivityRefDto,
    pub agency: AgencyRefDto,
}

impl DashboardMilestoneDto {
    pub fn new(m: &MilestoneRecord, derived: DerivedStatus, directory: &AgencyDirectory) -> DashboardMilestoneDto {
        DashboardMilestoneDto {
            id: m.id.0,
            label: m.label.clone(),
            due: iso(m.due),
            status: m.progress.status.as_str(),
            derived_status: derived.as_str(),
            derived_status_label: derived.label_vn(),
            activity: ActivityRefDto::new(m),
            agency: AgencyRefDto::new(&m.agency, directory),
        }
    }
}

/// `GET /api/dashboard` answer.
#[derive(Debug, Serialize)]
pub struct DashboardDto {
    pub as_of: String,
    pub total: usize,
    pub counts: CountsDto,
    /// Done (on time or late) as a percentage of all milestones, two decimals.
    pub done_percent: f64,
    pub areas: Vec<AreaCountsDto>,
    pub groups: Vec<GroupCountsDto>,
    /// The first 50 overdue milestones, oldest due date first.
    pub overdue: Vec<DashboardMilestoneDto>,
    pub overdue_total: usize,
    /// The first 50 milestones not done that fall due within `upcoming_days` after `as_of`.
    pub upcoming: Vec<DashboardMilestoneDto>,
    pub upcoming_total: usize,
    pub upcoming_days: i64,
}

/// A percentage rounded once: half away from zero, one decimal (`Percent1`, as on every page).
pub fn percent(value: f64) -> f64 {
    cchc_domain::number::Percent1::of(value).map_or(0.0, cchc_domain::number::Percent1::value)
}
