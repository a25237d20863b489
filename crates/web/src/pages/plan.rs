//! Areas, activities, agencies, the overdue and upcoming lists, search, and the forms that
//! write progress, events and triggers.
//!
//! Every page reads the cached current plan and milestones (`App::current`) plus a lookup index
//! built once per cached snapshot ([`snapshot`]); the only per-request database reads are the
//! progress history of the milestones a page expands (one batched query) and the session.

use std::collections::HashMap;

use askama::Template;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use cchc_domain::account::UserRole;
use cchc_domain::schedule::Offset;
use cchc_domain::text::fold;
use cchc_domain::tracking::{
    ActivityId, DerivedStatus, Evidence, MilestoneId, MilestoneKind, MilestoneRecord, ProgressEntry, ProgressStatus,
};
use cchc_domain::{Activity, AgencyId, AgencyKind, AgencyRef, Area, AreaCode, Date, Target, Threshold, When};
use cchc_services::dashboard::StatusCounts;
use cchc_services::tracking::ProgressInput;
use serde::Deserialize;

use crate::auth::{CurrentUser, PageUser};
use crate::error::{PageError, WebError};
use crate::pages::{
    as_of_or_today, bar, kind_options, legend, percent, render, status_class, BarSegment, Nav, SelectOption,
};
use crate::rejection::shorten;
use crate::{files, AppState};

/// Activities with at most this many assignments show every agency's milestones expanded.
pub(crate) const EXPAND_ALL_UP_TO: usize = 12;
/// Lines per page of the overdue and upcoming lists.
const PAGE_SIZE: usize = 200;
/// Longest search query, in characters.
const MAX_QUERY_CHARS: usize = 200;
/// Default window of "sắp đến hạn", in days.
const UPCOMING_DAYS: i64 = cchc_services::dashboard::UPCOMING_DAYS;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/linh-vuc/{code}", get(area_page))
        .route("/hoat-dong/{id}", get(activity_page))
        .route("/hoat-dong/{id}/su-kien", post(record_event))
        .route("/moc/{id}/tien-do", post(record_progress))
        .route("/moc/{id}/su-viec", post(record_trigger))
        .route("/co-quan", get(agencies_page))
        .route("/co-quan/{id}", get(agency_page))
        .route("/qua-han", get(overdue_page))
        .route("/sap-den-han", get(upcoming_page))
        .route("/tim-kiem", get(search_page))
}

// ---------------------------------------------------------------------------------------------
// The snapshot: the cached current plan plus its lookup index (`App::snapshot`).

pub(crate) use cchc_services::{ActivityEntry, Snapshot};

/// The current snapshot (cached by the services, rebuilt only after a write).
pub(crate) async fn snapshot(state: &AppState) -> Result<Snapshot, PageError> {
    Ok(state.app.snapshot().await?)
}

// ---------------------------------------------------------------------------------------------
// Query parameters and small parsers shared by the pages.

/// Every query parameter the pages understand (each page reads the ones it needs).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PageQuery {
    pub as_of: Option<String>,
    pub linh_vuc: Option<String>,
    pub nhom: Option<String>,
    pub ngay: Option<String>,
    pub q: Option<String>,
    pub co_quan: Option<String>,
    pub sap_xep: Option<String>,
    pub trang: Option<String>,
    pub tat_ca: Option<String>,
    pub da_luu: Option<String>,
    pub da_ghi_su_kien: Option<String>,
    pub da_ghi_su_viec: Option<String>,
}

pub(crate) fn bad_request(message: impl Into<String>) -> PageError {
    PageError(WebError::BadRequest(message.into()))
}

pub(crate) fn not_found(what: impl Into<String>) -> PageError {
    PageError(WebError::NotFound(what.into()))
}

/// The query parameters, or a 400 page.
pub(crate) fn page_query(query: Result<Query<PageQuery>, QueryRejection>) -> Result<PageQuery, PageError> {
    query.map(|Query(q)| q).map_err(|r| super::query_rejected(&r))
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|s| !s.is_empty())
}

/// A positive database id from the path, or a 404 page.
pub(crate) fn parse_id(raw: &str, what: &str) -> Result<i64, PageError> {
    raw.trim().parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| not_found(format!("{what} «{}»", shorten(raw))))
}

pub(crate) fn parse_area(raw: &str) -> Result<AreaCode, PageError> {
    AreaCode::parse(raw).ok_or_else(|| not_found(format!("lĩnh vực «{}» (chỉ có I đến VIII)", shorten(raw))))
}

fn area_filter(raw: Option<&str>) -> Result<Option<AreaCode>, PageError> {
    non_empty(raw)
        .map(|r| {
            AreaCode::parse(r)
                .ok_or_else(|| bad_request(format!("lĩnh vực «{}» không hợp lệ (dùng I đến VIII)", shorten(r))))
        })
        .transpose()
}

/// The agency kinds a `nhom` filter may name, in display order.
pub(crate) const GROUP_KINDS: [AgencyKind; 6] = [
    AgencyKind::Department,
    AgencyKind::District,
    AgencyKind::Commune,
    AgencyKind::Sectoral,
    AgencyKind::Province,
    AgencyKind::Other,
];

fn group_filter(raw: Option<&str>) -> Result<Option<AgencyKind>, PageError> {
    non_empty(raw)
        .map(|r| {
            AgencyKind::parse(r).ok_or_else(|| {
                bad_request(format!(
                    "nhóm cơ quan «{}» không hợp lệ (dùng department, district, commune, sectoral, province hoặc other)",
                    shorten(r)
                ))
            })
        })
        .transpose()
}

/// A known agency from a path or query value, or a 404 page.
fn agency_param(snap: &Snapshot, raw: &str) -> Result<AgencyId, PageError> {
    AgencyId::parse(raw.trim())
        .filter(|id| snap.knows_agency(id))
        .ok_or_else(|| not_found(format!("cơ quan «{}»", shorten(raw))))
}

/// The "as of" date of a page and the little form that changes it.
#[derive(Debug, Clone)]
pub struct AsOf {
    pub date: Date,
    /// dd/mm/yyyy.
    pub text: String,
    pub iso: String,
    /// Where the form goes, with the other parameters of the page as hidden fields.
    pub action: String,
    pub hidden: Vec<Hidden>,
    /// Why the page opens on a day other than today (a plan year that is over), with today's
    /// date for the link that shows today instead.
    pub note: Option<String>,
    pub today: String,
}

/// A hidden input of a GET form.
#[derive(Debug, Clone)]
pub struct Hidden {
    pub name: &'static str,
    pub value: String,
}

impl AsOf {
    /// `path?as_of=yyyy-mm-dd`.
    pub fn link(&self, path: &str) -> String {
        format!("{path}?as_of={}", self.iso)
    }
}

pub(crate) async fn as_of(state: &AppState, raw: Option<&str>, action: &str) -> Result<AsOf, PageError> {
    let today = state.now().date_in_vietnam();
    let (default, note) = state.app.default_as_of(today).await?;
    let date = as_of_or_today(raw, default)?;
    let note = note.filter(|_| raw.map(str::trim).is_none_or(str::is_empty));
    Ok(AsOf {
        date,
        text: date.to_string(),
        iso: date.iso(),
        action: action.to_string(),
        hidden: Vec::new(),
        note,
        today: today.iso(),
    })
}

/// Links to the exports of a list, with the page's own query string.
pub struct Exports {
    pub xlsx: String,
    pub csv: String,
    pub ics: Option<String>,
}

pub(crate) fn exports(list: &str, raw_query: Option<&str>) -> Exports {
    let query = non_empty(raw_query).map(|q| format!("?{q}")).unwrap_or_default();
    Exports { xlsx: format!("/xuat/{list}.xlsx{query}"), csv: format!("/xuat/{list}.csv{query}"), ics: None }
}

// ---------------------------------------------------------------------------------------------
// View models shared with the public pages.

/// Counts of one set of milestones, ready for a template.
pub struct Summary {
    pub total: usize,
    pub done: usize,
    pub overdue: usize,
    pub done_percent: String,
    pub bar: Vec<BarSegment>,
}

pub(crate) fn summary(counts: &StatusCounts) -> Summary {
    Summary {
        total: counts.total(),
        done: counts.get(DerivedStatus::DoneOnTime) + counts.get(DerivedStatus::DoneLate),
        overdue: counts.get(DerivedStatus::Overdue),
        done_percent: percent(counts.done_percent()),
        bar: bar(counts),
    }
}

pub(crate) fn count<'a>(
    state: &AppState,
    milestones: impl IntoIterator<Item = &'a MilestoneRecord>,
    as_of: Date,
) -> StatusCounts {
    let mut counts = StatusCounts::default();
    for m in milestones {
        counts.add(m.derived(as_of, state.app.calendar()));
    }
    counts
}

/// A target with its thresholds in words.
pub struct TargetView {
    pub text: String,
    pub thresholds: Vec<String>,
    pub years: String,
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}").replace('.', ",")
    }
}

fn threshold_text(t: &Threshold) -> String {
    let value = match (t.op, t.upper) {
        (cchc_domain::Comparator::Range, Some(upper)) => {
            format!("từ {} đến {}{}", number(t.value), number(upper), t.unit)
        }
        _ => format!("{} {}{}", t.op.label_vn(), number(t.value), t.unit),
    };
    let level = t.level.map(|l| format!(" ({})", l.label_vn())).unwrap_or_default();
    let prefix = if t.sub_target { "trong đó: " } else { "" };
    let subject = if t.subject.is_empty() { String::new() } else { format!(" — {}", t.subject) };
    format!("{prefix}{value}{level}{subject}")
}

pub(crate) fn target_views(targets: &[Target]) -> Vec<TargetView> {
    targets
        .iter()
        .map(|t| TargetView {
            text: t.text.clone(),
            thresholds: t.thresholds.iter().map(threshold_text).collect(),
            years: match (t.baseline_year, t.horizon_year) {
                (Some(b), Some(h)) => format!("so với năm {b}, đến năm {h}"),
                (Some(b), None) => format!("so với năm {b}"),
                (None, Some(h)) => format!("đến năm {h}"),
                (None, None) => String::new(),
            },
        })
        .collect()
}

/// An activity row of an area page or a search result.
pub struct ActivityRow {
    pub link: String,
    pub code: String,
    pub title: String,
    pub lead: String,
    pub schedule: String,
    pub agencies: usize,
    pub summary: Summary,
}

fn refs_text(refs: &[AgencyRef]) -> String {
    refs.iter().map(|r| r.text.as_str()).collect::<Vec<_>>().join("; ")
}

pub(crate) fn activity_row(
    state: &AppState,
    snap: &Snapshot,
    entry: &ActivityEntry,
    activity: &Activity,
    link_prefix: &str,
    as_of: &AsOf,
) -> ActivityRow {
    let milestones = snap.milestones_of_activity(entry.id);
    let mut agencies: Vec<&AgencyId> = milestones.iter().map(|m| &m.agency).collect();
    agencies.sort();
    agencies.dedup();
    ActivityRow {
        link: as_of.link(&format!("{link_prefix}{}", entry.id)),
        code: entry.code.clone(),
        title: activity.title.clone(),
        lead: refs_text(&activity.lead),
        schedule: activity.schedule.text.clone(),
        agencies: agencies.len(),
        summary: summary(&count(state, milestones, as_of.date)),
    }
}

/// The rows of every activity of an area.
pub(crate) fn area_rows(
    state: &AppState,
    snap: &Snapshot,
    area: &Area,
    link_prefix: &str,
    as_of: &AsOf,
) -> Vec<ActivityRow> {
    area.activities
        .iter()
        .enumerate()
        .filter_map(|(position, activity)| {
            let id = snap.activity_id_at(area.code, position)?;
            let entry = snap.entry(id)?;
            Some(activity_row(state, snap, entry, activity, link_prefix, as_of))
        })
        .collect()
}

/// An agency named in a lead or partner cell.
pub struct NameLink {
    pub id: String,
    pub name: String,
}

/// A lead or partner cell: the text as printed and the agencies it resolves to (those whose
/// name merely repeats the text are left out; `agency` is set when the text names one agency).
pub struct RefView {
    pub text: String,
    pub agency: Option<String>,
    pub agencies: Vec<NameLink>,
    pub groups: Vec<String>,
}

fn ref_views(snap: &Snapshot, refs: &[AgencyRef], directory: &cchc_domain::AgencyDirectory) -> Vec<RefView> {
    refs.iter()
        .map(|r| {
            let text = fold(&r.text);
            let agency = match (r.agencies.as_slice(), r.groups.is_empty()) {
                ([one], true) => Some(one.to_string()),
                _ => None,
            };
            RefView {
                text: r.text.clone(),
                agencies: r
                    .agencies
                    .iter()
                    .map(|id| NameLink { id: id.to_string(), name: snap.agency_name(id) })
                    .filter(|a| agency.is_none() && fold(&a.name) != text)
                    .collect(),
                groups: r
                    .groups
                    .iter()
                    .filter_map(|g| directory.group(g))
                    .map(|g| g.name.clone())
                    .filter(|name| fold(name) != text && fold(name) != text.trim_start_matches("cac "))
                    .collect(),
                agency,
            }
        })
        .collect()
}

/// What every activity page shows on top.
pub struct ActivityHeader {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub area_code: String,
    pub area_title: String,
    pub outputs: Vec<String>,
    pub lead: Vec<RefView>,
    pub partners: Vec<RefView>,
    pub schedule: String,
    pub note: String,
}

pub(crate) fn activity_header(
    state: &AppState,
    snap: &Snapshot,
    entry: &ActivityEntry,
    area: &Area,
    activity: &Activity,
) -> ActivityHeader {
    let directory = state.app.directory();
    ActivityHeader {
        id: entry.id,
        code: entry.code.clone(),
        title: activity.title.clone(),
        area_code: area.code.to_string(),
        area_title: area.title.clone(),
        outputs: activity.outputs.clone(),
        lead: ref_views(snap, &activity.lead, directory),
        partners: ref_views(snap, &activity.partners, directory),
        schedule: activity.schedule.text.clone(),
        note: activity.note.clone(),
    }
}

/// One agency's share of an activity, as a summary row.
pub struct AgencySummary {
    pub id: String,
    pub name: String,
    pub link: String,
    pub expanded: bool,
    pub summary: Summary,
}

/// The milestones of an activity grouped by agency, in plan order.
pub(crate) fn by_agency<'a>(milestones: &[&'a MilestoneRecord]) -> Vec<(AgencyId, Vec<&'a MilestoneRecord>)> {
    let mut groups: Vec<(AgencyId, Vec<&MilestoneRecord>)> = Vec::new();
    let mut at: HashMap<&AgencyId, usize> = HashMap::new();
    for m in milestones {
        match at.get(&m.agency) {
            Some(i) => {
                if let Some(group) = groups.get_mut(*i) {
                    group.1.push(m);
                }
            }
            None => {
                at.insert(&m.agency, groups.len());
                groups.push((m.agency.clone(), vec![m]));
            }
        }
    }
    groups
}

/// "Văn bản số 15/KH-UBND ngày 18/01/2024 của UBND tỉnh" (none when there is no evidence).
pub(crate) fn evidence_text(evidence: &Evidence) -> Option<String> {
    if evidence.is_empty() {
        return None;
    }
    let mut parts = vec!["Văn bản".to_string()];
    if !evidence.number.is_empty() {
        parts.push(format!("số {}", evidence.number));
    }
    if let Some(date) = evidence.date {
        parts.push(format!("ngày {date}"));
    }
    if !evidence.issuer.is_empty() {
        parts.push(format!("của {}", evidence.issuer));
    }
    Some(parts.join(" "))
}

/// The due date in words, also when there is none.
pub(crate) fn due_text(m: &MilestoneRecord) -> String {
    match (m.due, m.kind) {
        (Some(due), _) => due.to_string(),
        (None, MilestoneKind::Event) => "chờ sự kiện".into(),
        (None, MilestoneKind::Relative) => "chờ sự việc phát sinh".into(),
        (None, MilestoneKind::Ongoing) => "thường xuyên".into(),
        (None, _) => "chưa xác định".into(),
    }
}

pub(crate) fn kind_label(kind: MilestoneKind) -> &'static str {
    match kind {
        MilestoneKind::Fixed => "có thời hạn",
        MilestoneKind::Periodic => "báo cáo định kỳ",
        MilestoneKind::Recurring => "định kỳ trong năm",
        MilestoneKind::Event => "sau sự kiện",
        MilestoneKind::Relative => "tính từ sự việc",
        MilestoneKind::Ongoing => "thường xuyên",
        MilestoneKind::Unparsed => "chưa phân tích được thời hạn",
    }
}

/// A file link of a history entry.
pub struct FileLink {
    pub href: String,
    pub name: String,
    pub size: String,
}

/// The file of history entry `entry`, under the name that entry's uploader gave it.
fn file_link(file: &cchc_domain::tracking::StoredFile, entry: i64) -> FileLink {
    let size = if file.size >= 1024 * 1024 {
        format!("{} MB", percent(file.size as f64 / (1024.0 * 1024.0)))
    } else {
        format!("{} KB", file.size.div_ceil(1024))
    };
    FileLink { href: files::download_link(file, entry), name: file.file_name.clone(), size }
}

fn timestamp_text(raw: &str) -> String {
    cchc_domain::Timestamp::parse_rfc3339(raw).map_or_else(|| raw.to_string(), |t| t.vn())
}

/// One milestone line of a list (overdue, upcoming, agency page).
pub struct Line {
    pub milestone_id: i64,
    pub activity_link: String,
    pub activity_code: String,
    pub title: String,
    pub label: String,
    pub agency_id: String,
    pub agency: String,
    pub due: String,
    /// Days past due (overdue) or until due (upcoming).
    pub days: i64,
    pub status: &'static str,
    pub status_class: &'static str,
}

pub(crate) fn line(snap: &Snapshot, m: &MilestoneRecord, status: DerivedStatus, as_of: &AsOf, prefix: &str) -> Line {
    let days = m.due.map_or(0, |due| due.days_until(as_of.date).abs());
    Line {
        milestone_id: m.id.0,
        activity_link: as_of.link(&format!("{prefix}{}", m.activity.0)),
        activity_code: m.activity_code(),
        title: m.activity_title.clone(),
        label: m.label.clone(),
        agency_id: m.agency.to_string(),
        agency: snap.agency_name(&m.agency),
        due: due_text(m),
        days,
        status: status.label_vn(),
        status_class: status_class(status),
    }
}

// ---------------------------------------------------------------------------------------------
// Area page.

#[derive(Template)]
#[template(path = "area.html")]
struct AreaPage {
    nav: Nav,
    asof: AsOf,
    code: String,
    title: String,
    prose_title: String,
    targets: Vec<TargetView>,
    tasks: Vec<String>,
    overall: Summary,
    legend: Vec<(&'static str, &'static str)>,
    activities: Vec<ActivityRow>,
    exports: Exports,
}

async fn area_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
    query: Result<Query<PageQuery>, QueryRejection>,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, PageError> {
    let q = page_query(query)?;
    let code = parse_area(&raw)?;
    let asof = as_of(&state, q.as_of.as_deref(), &format!("/linh-vuc/{code}")).await?;
    let snap = snapshot(&state).await?;
    let area = snap.current.plan.area(code).ok_or_else(|| not_found(format!("lĩnh vực {code}")))?;
    let all: Vec<&MilestoneRecord> = snap.current.milestones.iter().filter(|m| m.area == code).collect();
    let page = AreaPage {
        nav: Nav::new(Some(&user)),
        code: code.to_string(),
        title: area.title.clone(),
        prose_title: area.prose_title.clone().unwrap_or_default(),
        targets: target_views(&area.targets),
        tasks: area.tasks.iter().map(|t| t.text.clone()).collect(),
        overall: summary(&count(&state, all, asof.date)),
        legend: legend(),
        activities: area_rows(&state, &snap, area, "/hoat-dong/", &asof),
        exports: exports(&format!("linh-vuc-{code}"), raw_query.as_deref()),
        asof,
    };
    render(&page)
}

// ---------------------------------------------------------------------------------------------
// Activity page.

/// An option of the status select.
pub struct StatusOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// One entry of a milestone's history.
pub struct HistoryRow {
    pub who: String,
    pub when: String,
    pub status: &'static str,
    pub completed_on: String,
    pub evidence: String,
    pub file: Option<FileLink>,
    pub comment: String,
}

/// A milestone block of the activity page.
pub struct MilestoneBlock {
    pub id: i64,
    pub label: String,
    pub kind: &'static str,
    pub due: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub progress: &'static str,
    pub completed_on: String,
    pub updated_at: String,
    pub evidence: String,
    pub file: Option<FileLink>,
    pub history: Vec<HistoryRow>,
    pub can_write: bool,
    pub can_trigger: bool,
    pub options: Vec<StatusOption>,
    pub form_completed_on: String,
    pub form_number: String,
    pub form_date: String,
    pub form_issuer: String,
}

/// One agency's milestones, expanded.
pub struct AgencySection {
    pub id: String,
    pub name: String,
    pub link: String,
    pub milestones: Vec<MilestoneBlock>,
}

/// A waiting event an administrator can record.
pub struct EventForm {
    pub item: usize,
    pub text: String,
    pub trigger: String,
    pub offset: String,
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    nav: Nav,
    asof: AsOf,
    header: ActivityHeader,
    area_link: String,
    notice: Option<String>,
    overall: Summary,
    legend: Vec<(&'static str, &'static str)>,
    role_note: Option<String>,
    show_summary: bool,
    /// The summary table comes before the expanded sections (small activities) or after them.
    summary_first: bool,
    agencies: Vec<AgencySummary>,
    sections: Vec<AgencySection>,
    events: Vec<EventForm>,
    csrf_token: String,
    accept: &'static str,
    public_link: String,
}

fn status_options(current: ProgressStatus) -> Vec<StatusOption> {
    ProgressStatus::ALL
        .iter()
        .map(|s| StatusOption { value: s.as_str(), label: s.label_vn(), selected: *s == current })
        .collect()
}

fn history_row(entry: &ProgressEntry) -> HistoryRow {
    HistoryRow {
        who: entry.recorded_by.clone().unwrap_or_else(|| "—".to_string()),
        when: timestamp_text(&entry.recorded_at),
        status: entry.status.label_vn(),
        completed_on: entry.completed_on.map(|d| d.to_string()).unwrap_or_default(),
        evidence: evidence_text(&entry.evidence).unwrap_or_default(),
        file: entry.file.as_ref().map(|f| file_link(f, entry.id)),
        comment: entry.comment.clone(),
    }
}

/// A milestone's block. `history` is empty for a visitor who may not read the agency's
/// records; `public_evidence` is then what the transparency pages show of it.
fn milestone_block(
    state: &AppState,
    user: &CurrentUser,
    m: &MilestoneRecord,
    history: &[&ProgressEntry],
    public_evidence: Option<&Evidence>,
    as_of: Date,
    first_trigger: bool,
) -> MilestoneBlock {
    let status = m.derived(as_of, state.app.calendar());
    let latest = history.last();
    let evidence = latest.map(|e| e.evidence.clone()).or_else(|| public_evidence.cloned()).unwrap_or_default();
    let may_write = user.user.may_write_for(&m.agency);
    MilestoneBlock {
        id: m.id.0,
        label: m.label.clone(),
        kind: kind_label(m.kind),
        due: due_text(m),
        status: status.label_vn(),
        status_class: status_class(status),
        progress: m.progress.status.label_vn(),
        completed_on: m.progress.completed_on.map(|d| d.to_string()).unwrap_or_default(),
        updated_at: m.updated_at.as_deref().map(timestamp_text).unwrap_or_default(),
        evidence: evidence_text(&evidence).unwrap_or_default(),
        file: history.iter().rev().find_map(|e| e.file.as_ref().map(|f| file_link(f, e.id))),
        history: history.iter().rev().map(|e| history_row(e)).collect(),
        can_write: may_write,
        can_trigger: may_write && first_trigger && m.kind == MilestoneKind::Relative,
        options: status_options(m.progress.status),
        form_completed_on: m.progress.completed_on.map(|d| d.to_string()).unwrap_or_default(),
        form_number: evidence.number.clone(),
        form_date: evidence.date.map(|d| d.to_string()).unwrap_or_default(),
        form_issuer: evidence.issuer.clone(),
    }
}

fn offset_text(offset: Option<Offset>) -> String {
    match offset {
        None => String::new(),
        Some(Offset::Days(n)) => format!("{n} ngày"),
        Some(Offset::WorkingDays(n)) => format!("{n} ngày làm việc"),
        Some(Offset::Months(n)) => format!("{n} tháng"),
    }
}

/// The officer's own agency (agency role only).
fn own_agency(user: &CurrentUser) -> Option<&AgencyId> {
    user.user.agency.as_ref().filter(|_| user.user.role == UserRole::Agency)
}

async fn activity_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = page_query(query)?;
    let id = parse_id(&raw, "hoạt động")?;
    let snap = snapshot(&state).await?;
    let (entry, area, activity) = snap.activity(id).ok_or_else(|| not_found(format!("hoạt động số {id}")))?;
    let mut asof = as_of(&state, q.as_of.as_deref(), &format!("/hoat-dong/{id}")).await?;
    let chosen = non_empty(q.co_quan.as_deref()).map(|raw| agency_param(&snap, raw)).transpose()?;
    if let Some(agency) = &chosen {
        asof.hidden.push(Hidden { name: "co_quan", value: agency.to_string() });
    }
    let milestones = snap.milestones_of_activity(id);
    let saved = q
        .da_luu
        .as_deref()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|mid| snap.milestone(mid).filter(|m| m.activity.0 == id));
    let triggered = q
        .da_ghi_su_viec
        .as_deref()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|mid| snap.milestone(mid).filter(|m| m.activity.0 == id));
    let notice = if let Some(m) = saved {
        Some(format!("Đã lưu tiến độ: «{}» — {}.", m.label, snap.agency_name(&m.agency)))
    } else if let Some(m) = triggered {
        Some(format!("Đã ghi nhận sự việc; mốc «{}» có hạn {}.", m.label, due_text(m)))
    } else if q.da_ghi_su_kien.is_some() {
        Some("Đã ghi nhận sự kiện; hạn của các mốc liên quan đã được tính.".to_string())
    } else {
        None
    };

    let groups = by_agency(&milestones);
    let own = own_agency(&user);
    let expand_all = groups.len() <= EXPAND_ALL_UP_TO;
    let expanded = |agency: &AgencyId| {
        expand_all
            || own == Some(agency)
            || chosen.as_ref() == Some(agency)
            || saved.is_some_and(|m| &m.agency == agency)
            || triggered.is_some_and(|m| &m.agency == agency)
    };
    // The history of the agencies whose records the user may read; of the others, what the
    // public sees (the evidence document), as for a visitor of the transparency pages.
    let shown: Vec<&MilestoneRecord> =
        groups.iter().filter(|(a, _)| expanded(a)).flat_map(|(_, ms)| ms.iter().copied()).collect();
    let entries = state.app.readable_history(&user.user, &shown).await?;
    let hidden: Vec<MilestoneId> =
        shown.iter().filter(|m| !state.app.may_read_records(&user.user, &m.agency)).map(|m| m.id).collect();
    let public_evidence = state.app.public_evidence(&hidden).await?;
    let mut history: HashMap<i64, Vec<&ProgressEntry>> = HashMap::new();
    for e in &entries {
        history.entry(e.milestone.0).or_default().push(e);
    }

    let mut agencies = Vec::new();
    let mut sections = Vec::new();
    for (agency, ms) in &groups {
        let open = expanded(agency);
        let name = snap.agency_name(agency);
        let link = format!("/hoat-dong/{id}?as_of={}&co_quan={agency}#co-quan-{agency}", asof.iso);
        agencies.push(AgencySummary {
            id: agency.to_string(),
            name: name.clone(),
            link: link.clone(),
            expanded: open,
            summary: summary(&count(&state, ms.iter().copied(), asof.date)),
        });
        if open {
            let mut seen_items = Vec::new();
            let blocks = ms
                .iter()
                .map(|m| {
                    let first = m.kind == MilestoneKind::Relative && !seen_items.contains(&m.item);
                    if first {
                        seen_items.push(m.item);
                    }
                    let h = history.get(&m.id.0).map_or(&[][..], Vec::as_slice);
                    milestone_block(&state, &user, m, h, public_evidence.get(&m.id), asof.date, first)
                })
                .collect();
            sections.push(AgencySection {
                id: agency.to_string(),
                name,
                link: asof.link(&format!("/co-quan/{agency}")),
                milestones: blocks,
            });
        }
    }
    // The officer's own agency first.
    if let Some(own) = own {
        sections.sort_by_key(|s| s.id != own.as_str());
    }

    let mut events = Vec::new();
    if user.user.is_admin() {
        for (item, schedule_item) in activity.schedule.items.iter().enumerate() {
            if let When::Event { trigger, offset } = &schedule_item.when {
                let waiting = milestones.iter().any(|m| {
                    m.item == item
                        && m.kind == MilestoneKind::Event
                        && m.derived(asof.date, state.app.calendar()) == DerivedStatus::WaitingEvent
                });
                if waiting {
                    events.push(EventForm {
                        item,
                        text: schedule_item.text.clone(),
                        trigger: trigger.clone(),
                        offset: offset_text(*offset),
                    });
                }
            }
        }
    }

    let directory = state.app.directory();
    let role_note = match own {
        Some(agency) if groups.iter().any(|(a, _)| a == agency) => None,
        Some(agency) if activity.is_partner(agency, directory) => {
            Some(format!("{} là cơ quan phối hợp của hoạt động này (không có mốc riêng).", snap.agency_name(agency)))
        }
        Some(agency) => Some(format!("{} không được giao hoạt động này.", snap.agency_name(agency))),
        None => None,
    };
    let page = ActivityPage {
        nav: Nav::new(Some(&user)),
        header: activity_header(&state, &snap, entry, area, activity),
        area_link: asof.link(&format!("/linh-vuc/{}", area.code)),
        notice,
        overall: summary(&count(&state, milestones.iter().copied(), asof.date)),
        legend: legend(),
        role_note,
        show_summary: !expand_all || groups.len() > 1,
        summary_first: expand_all || sections.is_empty(),
        agencies,
        sections,
        events,
        csrf_token: user.csrf_token.clone(),
        accept: files::ACCEPT,
        public_link: asof.link(&format!("/cong-khai/hoat-dong/{id}")),
        asof,
    };
    render(&page)
}

// ---------------------------------------------------------------------------------------------
// Writes: progress (multipart), events and triggers (urlencoded). Each checks the CSRF token,
// then the user's right to write for the milestone's agency (the services check again), then
// the input; nothing is saved unless everything is valid.

/// The progress form as sent.
#[derive(Debug, Default)]
struct ProgressFields {
    csrf_token: Option<String>,
    status: String,
    completed_on: String,
    evidence_number: String,
    evidence_date: String,
    evidence_issuer: String,
    comment: String,
    /// (file name, content) when a file was chosen.
    file: Option<(String, Vec<u8>)>,
    /// The name of a file that went over the size limit.
    too_big: Option<String>,
}

fn multipart_error(error: MultipartError) -> PageError {
    super::multipart_failure(&error, || files::too_big_message("đính kèm"))
}

async fn read_progress_fields(multipart: &mut Multipart) -> Result<ProgressFields, PageError> {
    let mut fields = ProgressFields::default();
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let mut bytes = Vec::new();
            let mut too_big = false;
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                if too_big || bytes.len() + chunk.len() > crate::MAX_UPLOAD_BYTES {
                    too_big = true;
                    bytes = Vec::new();
                } else {
                    bytes.extend_from_slice(&chunk);
                }
            }
            if too_big {
                fields.too_big = Some(files::clean_file_name(&file_name));
            } else if !(file_name.is_empty() && bytes.is_empty()) {
                fields.file = Some((file_name, bytes));
            }
            continue;
        }
        let value = field.text().await.map_err(multipart_error)?;
        match name.as_str() {
            "csrf_token" => fields.csrf_token = Some(value),
            "status" => fields.status = value,
            "completed_on" => fields.completed_on = value,
            "evidence_number" => fields.evidence_number = value,
            "evidence_date" => fields.evidence_date = value,
            "evidence_issuer" => fields.evidence_issuer = value,
            "comment" => fields.comment = value,
            _ => {}
        }
    }
    Ok(fields)
}

/// An optional date field: empty is none; a malformed date is a Vietnamese problem.
fn optional_date(label: &str, raw: &str, problems: &mut Vec<String>) -> Option<Date> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match Date::parse(raw) {
        Ok(date) => Some(date),
        Err(e) => {
            problems.push(format!("{label}: {e}"));
            None
        }
    }
}

impl ProgressFields {
    /// The typed input (without the file), or every problem found.
    fn input(&self, problems: &mut Vec<String>) -> Option<ProgressInput> {
        let status = match self.status.trim() {
            "" => {
                problems.push("chưa chọn trạng thái".to_string());
                None
            }
            raw => {
                let parsed = ProgressStatus::parse(raw);
                if parsed.is_none() {
                    problems.push(format!(
                        "trạng thái «{}» không hợp lệ (chọn Chưa triển khai, Đang triển khai hoặc Hoàn thành)",
                        shorten(raw)
                    ));
                }
                parsed
            }
        };
        let completed_on = optional_date("ngày hoàn thành", &self.completed_on, problems);
        let evidence_date = optional_date("ngày của văn bản minh chứng", &self.evidence_date, problems);
        Some(ProgressInput {
            status: status?,
            completed_on,
            evidence: Evidence {
                number: self.evidence_number.trim().to_string(),
                date: evidence_date,
                issuer: self.evidence_issuer.trim().to_string(),
            },
            file: None,
            comment: self.comment.trim().to_string(),
        })
    }
}

fn forbidden(snap: &Snapshot, user: &CurrentUser, agency: &AgencyId) -> PageError {
    PageError(WebError::Forbidden(format!(
        "tài khoản «{}» không được cập nhật cho {}",
        user.user.username,
        snap.agency_name(agency)
    )))
}

async fn record_progress(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let mut multipart = multipart.map_err(|_| bad_request("biểu mẫu phải gửi dạng multipart/form-data"))?;
    let fields = read_progress_fields(&mut multipart).await?;
    user.check_csrf(fields.csrf_token.as_deref())?;
    let id = parse_id(&raw, "mốc thời hạn")?;
    let snap = snapshot(&state).await?;
    let record = snap.milestone(id).ok_or_else(|| not_found(format!("mốc thời hạn số {id}")))?;
    if !user.user.may_write_for(&record.agency) {
        return Err(forbidden(&snap, &user, &record.agency));
    }
    let activity = record.activity.0;
    let mut problems = Vec::new();
    let input = fields.input(&mut problems);
    if let Some(name) = &fields.too_big {
        problems.push(files::too_big_message(name));
    }
    if let Some((name, bytes)) = &fields.file {
        if let Err(message) = files::check_upload(&files::clean_file_name(name), bytes) {
            problems.push(message);
        }
    }
    let Some(mut input) = input.filter(|_| problems.is_empty()) else {
        return Err(PageError(WebError::Invalid(problems)));
    };
    drop(snap);
    if let Some((name, bytes)) = fields.file {
        input.file = Some(files::store_upload(&state.files_dir, &name, bytes).await?);
    }
    state.app.record_progress(&user.user, MilestoneId(id), input, state.now()).await?;
    Ok(Redirect::to(&format!("/hoat-dong/{activity}?da_luu={id}#moc-{id}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct EventFields {
    csrf_token: Option<String>,
    item: Option<String>,
    occurred_on: Option<String>,
    due: Option<String>,
    description: Option<String>,
}

fn form_fields<T>(form: Result<Form<T>, FormRejection>) -> Result<T, PageError> {
    form.map(|Form(f)| f).map_err(|r| super::form_rejected(&r))
}

fn required_date(label: &str, raw: Option<&str>, problems: &mut Vec<String>) -> Option<Date> {
    let value = optional_date(label, raw.unwrap_or_default(), problems);
    if value.is_none() && non_empty(raw).is_none() {
        problems.push(format!("chưa nhập {label}"));
    }
    value
}

/// The description as typed; the services check it with every other typed text.
fn description(raw: Option<&str>) -> String {
    raw.unwrap_or_default().to_string()
}

async fn record_event(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
    form: Result<Form<EventFields>, FormRejection>,
) -> Result<Response, PageError> {
    let fields = form_fields(form)?;
    user.check_csrf(fields.csrf_token.as_deref())?;
    user.require_admin()?;
    let id = parse_id(&raw, "hoạt động")?;
    let snap = snapshot(&state).await?;
    if snap.activity(id).is_none() {
        return Err(not_found(format!("hoạt động số {id}")));
    }
    let mut problems = Vec::new();
    let item = match non_empty(fields.item.as_deref()).map(str::parse::<usize>) {
        Some(Ok(item)) => Some(item),
        _ => {
            problems.push("mục thời hạn không hợp lệ".to_string());
            None
        }
    };
    let occurred_on = required_date("ngày xảy ra sự kiện", fields.occurred_on.as_deref(), &mut problems);
    let due = optional_date("hạn", fields.due.as_deref().unwrap_or_default(), &mut problems);
    let text = description(fields.description.as_deref());
    let (Some(item), Some(occurred_on), true) = (item, occurred_on, problems.is_empty()) else {
        return Err(PageError(WebError::Invalid(problems)));
    };
    let version = snap.current.version.clone();
    drop(snap);
    state.app.record_event(&user.user, &version, ActivityId(id), item, occurred_on, due, &text, state.now()).await?;
    Ok(Redirect::to(&format!("/hoat-dong/{id}?da_ghi_su_kien={item}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct TriggerFields {
    csrf_token: Option<String>,
    occurred_on: Option<String>,
    description: Option<String>,
}

async fn record_trigger(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
    form: Result<Form<TriggerFields>, FormRejection>,
) -> Result<Response, PageError> {
    let fields = form_fields(form)?;
    user.check_csrf(fields.csrf_token.as_deref())?;
    let id = parse_id(&raw, "mốc thời hạn")?;
    let snap = snapshot(&state).await?;
    let record = snap.milestone(id).ok_or_else(|| not_found(format!("mốc thời hạn số {id}")))?;
    if !user.user.may_write_for(&record.agency) {
        return Err(forbidden(&snap, &user, &record.agency));
    }
    let activity = record.activity.0;
    let mut problems = Vec::new();
    let occurred_on = required_date("ngày phát sinh sự việc", fields.occurred_on.as_deref(), &mut problems);
    let text = description(fields.description.as_deref());
    let (Some(occurred_on), true) = (occurred_on, problems.is_empty()) else {
        return Err(PageError(WebError::Invalid(problems)));
    };
    let version = snap.current.version.clone();
    drop(snap);
    let (dated, _) =
        state.app.record_trigger(&user.user, &version, MilestoneId(id), occurred_on, &text, state.now()).await?;
    let dated = dated.0;
    Ok(Redirect::to(&format!("/hoat-dong/{activity}?da_ghi_su_viec={dated}#moc-{dated}")).into_response())
}

// ---------------------------------------------------------------------------------------------
// Agency page and agency list.

/// A count of one derived status.
pub struct CountCell {
    pub label: &'static str,
    pub class: &'static str,
    pub n: usize,
}

/// One lead assignment of an agency.
pub struct AssignmentView {
    pub link: String,
    pub code: String,
    pub title: String,
    pub lines: Vec<Line>,
}

/// An activity where the agency is only a partner.
pub struct PartnerView {
    pub link: String,
    pub code: String,
    pub title: String,
    pub lead: String,
    pub schedule: String,
}

#[derive(Template)]
#[template(path = "agency.html")]
struct AgencyPage {
    nav: Nav,
    asof: AsOf,
    name: String,
    kind: &'static str,
    parent: Option<NameLink>,
    is_own: bool,
    overall: Summary,
    cells: Vec<CountCell>,
    on_time_percent: String,
    legend: Vec<(&'static str, &'static str)>,
    assignments: Vec<AssignmentView>,
    partners: Vec<PartnerView>,
    exports: Exports,
}

async fn agency_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
    query: Result<Query<PageQuery>, QueryRejection>,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, PageError> {
    let q = page_query(query)?;
    let snap = snapshot(&state).await?;
    let agency = agency_param(&snap, &raw)?;
    let asof = as_of(&state, q.as_of.as_deref(), &format!("/co-quan/{agency}")).await?;
    let directory = state.app.directory();
    let record = directory.agency(&agency).ok_or_else(|| not_found(format!("cơ quan «{agency}»")))?;
    let milestones = snap.milestones_of_agency(&agency);
    let counts = count(&state, milestones.iter().copied(), asof.date);

    let mut assignments: Vec<AssignmentView> = Vec::new();
    let mut current_activity = None;
    for m in &milestones {
        let status = m.derived(asof.date, state.app.calendar());
        if current_activity != Some(m.activity.0) {
            current_activity = Some(m.activity.0);
            assignments.push(AssignmentView {
                link: format!("/hoat-dong/{}?as_of={}&co_quan={agency}#co-quan-{agency}", m.activity.0, asof.iso),
                code: m.activity_code(),
                title: m.activity_title.clone(),
                lines: Vec::new(),
            });
        }
        if let Some(a) = assignments.last_mut() {
            a.lines.push(line(&snap, m, status, &asof, "/hoat-dong/"));
        }
    }
    let led: Vec<i64> = milestones.iter().map(|m| m.activity.0).collect();
    let mut partners = Vec::new();
    for area in &snap.current.plan.areas {
        for (position, activity) in area.activities.iter().enumerate() {
            let Some(id) = snap.activity_id_at(area.code, position) else { continue };
            if led.contains(&id) || !activity.is_partner(&agency, directory) {
                continue;
            }
            partners.push(PartnerView {
                link: asof.link(&format!("/hoat-dong/{id}")),
                code: format!("{}.{}", area.code, activity.number),
                title: activity.title.clone(),
                lead: refs_text(&activity.lead),
                schedule: activity.schedule.text.clone(),
            });
        }
    }
    let on_time = counts.get(DerivedStatus::DoneOnTime);
    let judged = on_time + counts.get(DerivedStatus::DoneLate) + counts.get(DerivedStatus::Overdue);
    let page = AgencyPage {
        nav: Nav::new(Some(&user)),
        name: record.name.clone(),
        kind: record.kind.label_vn(),
        parent: record.parent.as_ref().map(|p| NameLink { id: p.to_string(), name: snap.agency_name(p) }),
        is_own: own_agency(&user) == Some(&agency),
        overall: summary(&counts),
        cells: counts
            .entries()
            .into_iter()
            .map(|(s, n)| CountCell { label: s.label_vn(), class: status_class(s), n })
            .collect(),
        on_time_percent: if judged == 0 {
            "—".to_string()
        } else {
            cchc_domain::number::Percent1::share(on_time, judged).to_string()
        },
        legend: legend(),
        assignments,
        partners,
        exports: Exports {
            ics: Some(format!("/lich/{agency}.ics")),
            ..exports(&format!("co-quan-{agency}"), raw_query.as_deref())
        },
        asof,
    };
    render(&page)
}

/// A row of the agency list.
pub struct AgencyRow {
    pub link: String,
    pub name: String,
    pub kind: &'static str,
    pub in_progress: usize,
    pub summary: Summary,
}

/// A filter link of the agency list.
pub struct GroupLink {
    pub link: String,
    pub label: &'static str,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "agencies.html")]
struct AgenciesPage {
    nav: Nav,
    asof: AsOf,
    heading: String,
    groups: Vec<GroupLink>,
    all_link: String,
    all_active: bool,
    legend: Vec<(&'static str, &'static str)>,
    rows: Vec<AgencyRow>,
    without_assignments: usize,
}

async fn agencies_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = page_query(query)?;
    let group = group_filter(q.nhom.as_deref())?;
    let mut asof = as_of(&state, q.as_of.as_deref(), "/co-quan").await?;
    if let Some(kind) = group {
        asof.hidden.push(Hidden { name: "nhom", value: kind.as_str().to_string() });
    }
    let snap = snapshot(&state).await?;
    let mut rows = Vec::new();
    let mut without_assignments = 0;
    for agency in &state.app.directory().agencies {
        if group.is_some_and(|k| k != agency.kind) {
            continue;
        }
        let milestones = snap.milestones_of_agency(&agency.id);
        if milestones.is_empty() {
            without_assignments += 1;
            continue;
        }
        let counts = count(&state, milestones, asof.date);
        rows.push((
            counts.get(DerivedStatus::Overdue),
            AgencyRow {
                link: asof.link(&format!("/co-quan/{}", agency.id)),
                name: agency.name.clone(),
                kind: agency.kind.label_vn(),
                in_progress: counts.get(DerivedStatus::InProgress),
                summary: summary(&counts),
            },
        ));
    }
    // Most overdue first; the directory order breaks ties.
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    let groups = GROUP_KINDS
        .iter()
        .map(|k| GroupLink {
            link: format!("/co-quan?nhom={}&as_of={}", k.as_str(), asof.iso),
            label: k.label_vn(),
            active: group == Some(*k),
        })
        .collect();
    let page = AgenciesPage {
        nav: Nav::new(Some(&user)),
        heading: group.map_or_else(|| "Tất cả cơ quan, đơn vị".to_string(), |k| k.label_vn().to_string()),
        groups,
        all_link: asof.link("/co-quan"),
        all_active: group.is_none(),
        legend: legend(),
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        without_assignments,
        asof,
    };
    render(&page)
}

// ---------------------------------------------------------------------------------------------
// Overdue and upcoming lists.

#[derive(Template)]
#[template(path = "deadlines.html")]
struct DeadlinesPage {
    nav: Nav,
    asof: AsOf,
    path: &'static str,
    heading: String,
    explanation: String,
    upcoming: bool,
    days: i64,
    areas: Vec<SelectOption>,
    groups: Vec<SelectOption>,
    sorts: Vec<SelectOption>,
    total: usize,
    lines: Vec<Line>,
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
    exports: Exports,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    DueAsc,
    DueDesc,
    Agency,
}

impl Sort {
    const ALL: [(Sort, &'static str, &'static str); 3] = [
        (Sort::DueAsc, "han", "Hạn sớm trước"),
        (Sort::DueDesc, "han-giam", "Hạn muộn trước"),
        (Sort::Agency, "co-quan", "Theo cơ quan"),
    ];
    fn parse(raw: Option<&str>) -> Result<Sort, PageError> {
        match non_empty(raw) {
            None => Ok(Sort::DueAsc),
            Some(r) => Sort::ALL.iter().find(|(_, key, _)| *key == r).map(|(s, _, _)| *s).ok_or_else(|| {
                bad_request(format!("cách sắp xếp «{}» không hợp lệ (han, han-giam, co-quan)", shorten(r)))
            }),
        }
    }
    fn key(self) -> &'static str {
        Sort::ALL.iter().find(|(s, _, _)| *s == self).map_or("han", |(_, k, _)| k)
    }
}

fn positive(raw: Option<&str>, label: &str, max: i64) -> Result<Option<i64>, PageError> {
    non_empty(raw)
        .map(|r| {
            r.parse::<i64>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| bad_request(format!("{label} «{}» không hợp lệ (số từ 1 đến {max})", shorten(r))))
        })
        .transpose()
}

async fn overdue_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    query: Result<Query<PageQuery>, QueryRejection>,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, PageError> {
    deadlines(state, user, query, raw_query, false).await
}

async fn upcoming_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    query: Result<Query<PageQuery>, QueryRejection>,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, PageError> {
    deadlines(state, user, query, raw_query, true).await
}

async fn deadlines(
    state: AppState,
    user: CurrentUser,
    query: Result<Query<PageQuery>, QueryRejection>,
    raw_query: Option<String>,
    upcoming: bool,
) -> Result<Response, PageError> {
    let q = page_query(query)?;
    let path = if upcoming { "/sap-den-han" } else { "/qua-han" };
    let area = area_filter(q.linh_vuc.as_deref())?;
    let group = group_filter(q.nhom.as_deref())?;
    let sort = Sort::parse(q.sap_xep.as_deref())?;
    let days = positive(q.ngay.as_deref(), "số ngày", 366)?.unwrap_or(UPCOMING_DAYS);
    let page = usize::try_from(positive(q.trang.as_deref(), "trang", 100_000)?.unwrap_or(1)).unwrap_or(1);
    let asof = as_of(&state, q.as_of.as_deref(), path).await?;
    let snap = snapshot(&state).await?;
    let horizon = asof.date.add_days(days);
    let calendar = state.app.calendar();
    let mut selected: Vec<(&MilestoneRecord, DerivedStatus)> = snap
        .current
        .milestones
        .iter()
        .filter(|m| area.is_none_or(|a| m.area == a))
        .filter(|m| group.is_none_or(|k| snap.agency_kind(&m.agency) == k))
        .filter_map(|m| {
            let status = m.derived(asof.date, calendar);
            let keep = if upcoming {
                !status.is_done()
                    && status != DerivedStatus::Overdue
                    && m.due.is_some_and(|d| d >= asof.date && d <= horizon)
            } else {
                status == DerivedStatus::Overdue
            };
            keep.then_some((m, status))
        })
        .collect();
    match sort {
        Sort::DueAsc => selected.sort_by(|a, b| a.0.due.cmp(&b.0.due).then(a.0.id.cmp(&b.0.id))),
        Sort::DueDesc => selected.sort_by(|a, b| b.0.due.cmp(&a.0.due).then(a.0.id.cmp(&b.0.id))),
        Sort::Agency => selected.sort_by(|a, b| {
            snap.agency_name(&a.0.agency).cmp(&snap.agency_name(&b.0.agency)).then(a.0.due.cmp(&b.0.due))
        }),
    }
    let total = selected.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    if page > pages {
        return Err(not_found(format!("trang {page} (danh sách chỉ có {pages} trang)")));
    }
    let lines = selected
        .iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|(m, s)| line(&snap, m, *s, &asof, "/hoat-dong/"))
        .collect();
    let page_link = |n: usize| {
        let mut link = format!("{path}?as_of={}", asof.iso);
        if let Some(a) = area {
            link.push_str(&format!("&linh_vuc={a}"));
        }
        if let Some(k) = group {
            link.push_str(&format!("&nhom={}", k.as_str()));
        }
        if upcoming && days != UPCOMING_DAYS {
            link.push_str(&format!("&ngay={days}"));
        }
        if sort != Sort::DueAsc {
            link.push_str(&format!("&sap_xep={}", sort.key()));
        }
        link.push_str(&format!("&trang={n}"));
        link
    };
    let list = if upcoming { "sap-den-han" } else { "qua-han" };
    let page = DeadlinesPage {
        nav: Nav::new(Some(&user)),
        path,
        heading: if upcoming {
            format!("Đến hạn trong {days} ngày tới")
        } else {
            "Quá hạn chưa hoàn thành".to_string()
        },
        explanation: if upcoming {
            format!("Các mốc chưa hoàn thành có hạn từ {} đến {}.", asof.text, horizon)
        } else {
            format!("Các mốc đã qua hạn mà chưa hoàn thành, tính đến ngày {}.", asof.text)
        },
        upcoming,
        days,
        areas: AreaCode::ALL
            .iter()
            .map(|c| SelectOption {
                value: c.to_string(),
                label: format!(
                    "{c}. {}",
                    snap.current.plan.area(*c).map_or(c.standard_name_vn(), |a| a.title.as_str())
                ),
                selected: area == Some(*c),
            })
            .collect(),
        groups: kind_options(&GROUP_KINDS, group),
        sorts: Sort::ALL
            .iter()
            .map(|(s, key, label)| SelectOption {
                value: key.to_string(),
                label: label.to_string(),
                selected: *s == sort,
            })
            .collect(),
        total,
        lines,
        page,
        pages,
        prev: (page > 1).then(|| page_link(page - 1)),
        next: (page < pages).then(|| page_link(page + 1)),
        exports: exports(list, raw_query.as_deref()),
        asof,
    };
    render(&page)
}

// ---------------------------------------------------------------------------------------------
// Search.

/// An agency found by name.
pub struct AgencyHit {
    pub link: String,
    pub name: String,
    pub kind: &'static str,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    nav: Nav,
    asof: AsOf,
    q: String,
    searched: bool,
    agencies: Vec<AgencyHit>,
    activities: Vec<ActivityRow>,
    legend: Vec<(&'static str, &'static str)>,
    exports: Exports,
}

async fn search_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    query: Result<Query<PageQuery>, QueryRejection>,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, PageError> {
    let q = page_query(query)?;
    let text = q.q.as_deref().unwrap_or_default().trim().to_string();
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(bad_request(format!("từ khóa tìm kiếm dài quá {MAX_QUERY_CHARS} ký tự")));
    }
    let mut asof = as_of(&state, q.as_of.as_deref(), "/tim-kiem").await?;
    if !text.is_empty() {
        asof.hidden.push(Hidden { name: "q", value: text.clone() });
    }
    let snap = snapshot(&state).await?;
    let searched = !fold(&text).is_empty();
    let agencies = if searched {
        state
            .app
            .directory()
            .search(&text)
            .into_iter()
            .map(|a| AgencyHit {
                link: asof.link(&format!("/co-quan/{}", a.id)),
                name: a.name.clone(),
                kind: a.kind.label_vn(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let activities = snap
        .search(&text)
        .into_iter()
        .filter_map(|entry| {
            let activity = snap.current.plan.area(entry.area)?.activities.get(entry.position)?;
            Some(activity_row(&state, &snap, entry, activity, "/hoat-dong/", &asof))
        })
        .collect();
    let page = SearchPage {
        nav: Nav::new(Some(&user)),
        q: text,
        searched,
        agencies,
        activities,
        legend: legend(),
        exports: exports("tim-kiem", raw_query.as_deref()),
        asof,
    };
    render(&page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_read_in_vietnamese() {
        let t = Threshold {
            op: cchc_domain::Comparator::Ge,
            value: 80.0,
            upper: None,
            unit: "%".into(),
            level: None,
            subject: String::new(),
            sub_target: false,
        };
        assert_eq!(threshold_text(&t), "tối thiểu 80%");
        let r = Threshold { op: cchc_domain::Comparator::Range, value: 8.5, upper: Some(10.0), ..t };
        assert_eq!(threshold_text(&r), "từ 8,5 đến 10%");
    }

    #[test]
    fn evidence_reads_as_a_citation() {
        let e =
            Evidence { number: "15/KH-UBND".into(), date: Date::from_ymd(2024, 1, 18), issuer: "UBND tỉnh".into() };
        assert_eq!(evidence_text(&e).as_deref(), Some("Văn bản số 15/KH-UBND ngày 18/01/2024 của UBND tỉnh"));
        assert_eq!(evidence_text(&Evidence::default()), None);
    }
}
