//! The page of one activity (`/hoat-dong/{id}`): every responsible agency's milestones, history and evidence, and the forms that record progress (multipart, with an evidence file), events and triggers.

use super::*;
use crate::extract::{VnForm, VnQuery};
use crate::plan_choice::{plan_bar, PlanBar, PlanChoice};

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
    plan_bar: PlanBar,
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
        when: match entry.carried_from_version {
            Some(version) => format!("{} (chuyển từ phiên bản {version})", timestamp_text(&entry.recorded_at)),
            None => timestamp_text(&entry.recorded_at),
        },
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

pub(super) async fn activity_page(
    State(state): State<AppState>,
    plan: PlanChoice,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
    VnQuery(q): VnQuery<PageQuery>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw, "hoạt động")?;
    let snap = snapshot(&state, &plan).await?;
    let (entry, area, activity) = snap.activity(id).ok_or_else(|| not_found(format!("hoạt động số {id}")))?;
    let mut asof = as_of(&state, &plan, q.as_of.as_deref(), &format!("/hoat-dong/{id}")).await?;
    let chosen = non_empty(q.agency.as_deref()).map(|raw| agency_param(&snap, raw)).transpose()?;
    if let Some(agency) = &chosen {
        asof.hidden.push(Hidden { name: "co_quan", value: agency.to_string() });
    }
    let milestones = snap.milestones_of_activity(id);
    let saved = q
        .saved
        .as_deref()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|mid| snap.milestone(mid).filter(|m| m.activity.0 == id));
    let triggered = q
        .trigger_recorded
        .as_deref()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|mid| snap.milestone(mid).filter(|m| m.activity.0 == id));
    let notice = if let Some(m) = saved {
        Some(format!("Đã lưu tiến độ: «{}» — {}.", m.label, snap.agency_name(&m.agency)))
    } else if let Some(m) = triggered {
        Some(format!("Đã ghi nhận sự việc; mốc «{}» có hạn {}.", m.label, due_text(m)))
    } else if q.event_recorded.is_some() {
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
        plan_bar: plan_bar(&state, &snap.current, &asof.action).await?,
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

async fn read_progress_fields(multipart: &mut Multipart) -> Result<ProgressFields, PageError> {
    let form = files::read_form(multipart).await?;
    let text = |name: &str| form.field(name).unwrap_or_default().to_string();
    Ok(ProgressFields {
        csrf_token: form.field("csrf_token").map(str::to_string),
        status: text("status"),
        completed_on: text("completed_on"),
        evidence_number: text("evidence_number"),
        evidence_date: text("evidence_date"),
        evidence_issuer: text("evidence_issuer"),
        comment: text("comment"),
        file: form.file,
        too_big: form.too_big,
    })
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

pub(super) async fn record_progress(
    State(state): State<AppState>,
    plan: PlanChoice,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let mut multipart = multipart.map_err(|_| bad_request("biểu mẫu phải gửi dạng multipart/form-data"))?;
    let fields = read_progress_fields(&mut multipart).await?;
    user.check_csrf(fields.csrf_token.as_deref())?;
    let id = parse_id(&raw, "mốc thời hạn")?;
    let snap = snapshot(&state, &plan).await?;
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
pub(super) struct EventFields {
    csrf_token: Option<String>,
    item: Option<String>,
    occurred_on: Option<String>,
    due: Option<String>,
    description: Option<String>,
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

pub(super) async fn record_event(
    State(state): State<AppState>,
    plan: PlanChoice,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
    VnForm(fields): VnForm<EventFields>,
) -> Result<Response, PageError> {
    user.check_csrf(fields.csrf_token.as_deref())?;
    user.require_admin()?;
    let id = parse_id(&raw, "hoạt động")?;
    let snap = snapshot(&state, &plan).await?;
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
pub(super) struct TriggerFields {
    csrf_token: Option<String>,
    occurred_on: Option<String>,
    description: Option<String>,
}

pub(super) async fn record_trigger(
    State(state): State<AppState>,
    plan: PlanChoice,
    PageUser(user): PageUser,
    Path(raw): Path<String>,
    VnForm(fields): VnForm<TriggerFields>,
) -> Result<Response, PageError> {
    user.check_csrf(fields.csrf_token.as_deref())?;
    let id = parse_id(&raw, "mốc thời hạn")?;
    let snap = snapshot(&state, &plan).await?;
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
