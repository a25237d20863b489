//! View models and small helpers shared by the plan pages and the public pages: summaries, counts, targets, activity rows, lead and partner cells, milestone lines.

use super::*;

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

pub(crate) fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}").replace('.', ",")
    }
}

pub(crate) fn threshold_text(t: &Threshold) -> String {
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

pub(crate) fn refs_text(refs: &[AgencyRef]) -> String {
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

pub(crate) fn ref_views(snap: &Snapshot, refs: &[AgencyRef], directory: &cchc_domain::AgencyDirectory) -> Vec<RefView> {
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
pub(crate) fn file_link(file: &cchc_domain::tracking::StoredFile, entry: i64) -> FileLink {
    FileLink { href: files::download_link(file, entry), name: file.file_name.clone(), size: files::size_vn(file.size) }
}

pub(crate) fn timestamp_text(raw: &str) -> String {
    cchc_domain::Timestamp::parse_rfc3339(raw).map_or_else(|| raw.to_string(), |t| t.vn())
}

/// One milestone line of a list (overdue, upcoming, agency page).
pub struct Line {
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

/// The officer's own agency (agency role only).
pub(crate) fn own_agency(user: &CurrentUser) -> Option<&AgencyId> {
    user.user.agency.as_ref().filter(|_| user.user.role == UserRole::Agency)
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
