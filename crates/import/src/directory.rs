//! The agency directory over time, and its editable document.
//!
//! [`son_la`] builds Sơn La's directory from 2024 on out of the embedded data files:
//!
//! - the 2024 directory (`son-la-units-2024.json` + `agencies-son-la.json`, see
//!   [`crate::agencies`]);
//! - `son-la-changes.json`: dated changes (the early-2025 rearrangement of communes and Thị xã
//!   Mộc Châu; the departments reorganised from 1 March 2025), each with its legal basis and
//!   whether it could be confirmed;
//! - `son-la-units-2025.json` and `son-la-communes-2025-mergers.csv`: the 75 communes and wards
//!   of the two-level local government from 1 July 2025, which old unit went into which, and
//!   the end of the district level.
//!
//! Every agency gets a [`Validity`]: first and last day, how it ended, its successors and its
//! earlier names. A new unit that keeps the statistical code of a unit it absorbed gets its own
//! id (`ubnd-xa-03646-2025`), so history stays attached to the unit that did the work.
//!
//! [`directory_document`] writes the whole directory as one JSON document that the province
//! edits and reads back with [`parse_directory`]; both end with [`check_directory`].

use std::collections::{BTreeMap, HashSet};

use cchc_domain::text::clean;
use cchc_domain::{
    AdminLevel, Agency, AgencyDirectory, AgencyGroup, AgencyId, AgencyKind, Date, Diagnostic, Ending, FormerName,
    GroupId, Severity, Validity,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::agencies::{
    ambiguity_diagnostics, clean_aliases, json_line, line_of, lower_first, read_units, son_la_2024, unit_proper_name,
};

/// Dated changes of the Sơn La directory after 2024.
pub const EMBEDDED_CHANGES_JSON: &str = include_str!("../data/son-la-changes.json");
/// The 75 communes and wards from 1 July 2025 (byte copy of the shared data file).
pub const EMBEDDED_UNITS_2025_JSON: &str = include_str!("../data/son-la-units-2025.json");
/// Which unit of June 2025 went into which new one (byte copy of the shared data file).
pub const EMBEDDED_MERGERS_2025_CSV: &str = include_str!("../data/son-la-communes-2025-mergers.csv");

const CHANGES_LABEL: &str = "[thay đổi danh mục]";
const MERGERS_LABEL: &str = "[bảng sắp xếp 2025]";
const DOCUMENT_LABEL: &str = "[danh mục]";

/// The group of district People's Committees, which ends with the district level.
const DISTRICTS_GROUP: &str = "districts";
/// The group of commune People's Committees, which takes over from the districts group.
const COMMUNES_GROUP: &str = "communes";

const TWO_LEVEL_COMMUNES_BASIS: &str = "Nghị quyết 1681/NQ-UBTVQH15 ngày 16/06/2025 của Ủy ban Thường vụ Quốc hội về sắp xếp các đơn vị hành chính cấp xã của tỉnh Sơn La năm 2025";
const TWO_LEVEL_DISTRICTS_BASIS: &str =
    "Luật Tổ chức chính quyền địa phương số 72/2025/QH15: chính quyền địa phương hai cấp, không còn cấp huyện từ 01/07/2025";

/// First day of the two-level local government.
fn two_level_from() -> Date {
    Date::from_ymd(2025, 7, 1).unwrap_or(Date::MIN)
}

/// Sơn La's directory from 2024 on, built from the embedded files, with the diagnostics of
/// every step (unconfirmed changes, names spelled differently by two sources, a code on which
/// the sources disagree).
pub fn son_la() -> (AgencyDirectory, Vec<Diagnostic>) {
    let (mut directory, mut diagnostics) = son_la_2024();
    apply_changes(&mut directory, EMBEDDED_CHANGES_JSON, &mut diagnostics);
    apply_two_level(&mut directory, EMBEDDED_UNITS_2025_JSON, EMBEDDED_MERGERS_2025_CSV, &mut diagnostics);
    for diagnostic in check_directory(&directory) {
        if !diagnostics.contains(&diagnostic) {
            diagnostics.push(diagnostic);
        }
    }
    (AgencyDirectory::new(directory.agencies, directory.groups), diagnostics)
}

// ---------------------------------------------------------------------------------------------
// Dated changes
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangesFile {
    #[serde(rename = "_comment", default)]
    _comment: Option<Value>,
    changes: Vec<Value>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeDto {
    effective: String,
    basis: String,
    #[serde(default = "yes")]
    confirmed: bool,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    renamed: Vec<RenameDto>,
    #[serde(default)]
    new: Vec<NewDto>,
    #[serde(default)]
    ended: Vec<EndDto>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RenameDto {
    id: String,
    /// The administrative unit's new name ("Thị trấn Mường Giàng").
    #[serde(default)]
    unit: Option<String>,
    /// Or the agency's new name.
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NewDto {
    Unit {
        unit: String,
        code: u32,
        #[serde(default)]
        parent: Option<String>,
    },
    Agency {
        id: String,
        name: String,
        kind: String,
        #[serde(default)]
        aliases: Vec<String>,
        #[serde(default)]
        level: Option<String>,
        #[serde(default)]
        parent: Option<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndDto {
    ids: Vec<String>,
    ending: String,
    #[serde(default)]
    successors: Vec<String>,
    #[serde(default = "yes")]
    confirmed: bool,
}

fn position(directory: &AgencyDirectory, id: &str) -> Option<usize> {
    directory.agencies.iter().position(|a| a.id.as_str() == id)
}

/// The People's Committee of a unit: "Xã Mường Giàng" → "UBND xã Mường Giàng".
fn committee_name(unit: &str) -> String {
    format!("UBND {}", lower_first(unit))
}

fn apply_changes(directory: &mut AgencyDirectory, source: &str, diagnostics: &mut Vec<Diagnostic>) {
    let file: ChangesFile = match serde_json::from_str(source) {
        Ok(file) => file,
        Err(e) => {
            diagnostics.push(Diagnostic::error(json_line(&e), format!("{CHANGES_LABEL} Tệp không hợp lệ: {e}")));
            return;
        }
    };
    for (index, value) in file.changes.into_iter().enumerate() {
        let hint = value.get("basis").and_then(Value::as_str).map_or(0, |b| line_of(source, b));
        let change: ChangeDto = match serde_json::from_value(value) {
            Ok(change) => change,
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    hint,
                    format!("{CHANGES_LABEL} Thay đổi thứ {} không hợp lệ; bỏ qua: {e}", index + 1),
                ));
                continue;
            }
        };
        let Ok(effective) = Date::parse(&change.effective) else {
            diagnostics.push(Diagnostic::error(
                hint,
                format!("{CHANGES_LABEL} Ngày hiệu lực «{}» không hợp lệ; bỏ qua thay đổi.", change.effective),
            ));
            continue;
        };
        let last_day = effective.prev();
        let basis = clean(&change.basis);
        let confirmed_note = change.note.as_deref().map(clean).unwrap_or_default();
        if !change.confirmed {
            diagnostics.push(Diagnostic::warning(
                hint,
                format!(
                    "{CHANGES_LABEL} Chưa đối chiếu được với văn bản gốc: {basis} (hiệu lực {}). {confirmed_note}",
                    effective.vn()
                ),
            ));
        } else if !confirmed_note.is_empty() {
            diagnostics.push(Diagnostic::info(hint, format!("{CHANGES_LABEL} {basis}: {confirmed_note}")));
        }
        for rename in change.renamed {
            let Some(at) = position(directory, rename.id.trim()) else {
                diagnostics.push(Diagnostic::error(
                    line_of(source, &rename.id),
                    format!("{CHANGES_LABEL} Không có cơ quan «{}» để đổi tên; bỏ qua.", rename.id),
                ));
                continue;
            };
            let (name, alias) = match (rename.unit.as_deref().map(clean), rename.name.as_deref().map(clean)) {
                (Some(unit), _) if unit_proper_name(&unit).is_some() => (committee_name(&unit), Some(unit)),
                (_, Some(name)) if !name.is_empty() => (name, None),
                _ => {
                    diagnostics.push(Diagnostic::error(
                        line_of(source, &rename.id),
                        format!("{CHANGES_LABEL} Đổi tên «{}»: thiếu tên mới hợp lệ; bỏ qua.", rename.id),
                    ));
                    continue;
                }
            };
            if let Some(agency) = directory.agencies.get_mut(at) {
                let old = std::mem::replace(&mut agency.name, name);
                agency.validity.former_names.push(FormerName { name: old.clone(), until: last_day });
                agency.aliases.retain(|a| *a != agency.name);
                agency.aliases.extend(alias);
                if agency.validity.basis.is_none() {
                    agency.validity.basis = Some(basis.clone());
                }
            }
        }
        for new in change.new {
            let agency = match new {
                NewDto::Unit { unit, code, parent } => {
                    let unit = clean(&unit);
                    let Some(id) = AgencyId::parse(&format!("ubnd-xa-{code:05}")) else { continue };
                    Agency {
                        id,
                        name: committee_name(&unit),
                        aliases: vec![unit],
                        kind: AgencyKind::Commune,
                        level: AdminLevel::Xa,
                        parent: parent.as_deref().and_then(AgencyId::parse),
                        gso_code: Some(code),
                        validity: Validity { from: Some(effective), basis: Some(basis.clone()), ..Validity::default() },
                    }
                }
                NewDto::Agency { id, name, kind, aliases, level, parent } => {
                    let line = line_of(source, &id);
                    let (Some(id), Some(kind)) = (AgencyId::parse(id.trim()), AgencyKind::parse(kind.trim())) else {
                        diagnostics.push(Diagnostic::error(
                            line,
                            format!("{CHANGES_LABEL} Cơ quan mới «{id}»: mã hoặc loại không hợp lệ; bỏ qua."),
                        ));
                        continue;
                    };
                    let name = clean(&name);
                    Agency {
                        id,
                        aliases: clean_aliases(&aliases).into_iter().filter(|a| *a != name).collect(),
                        name,
                        kind,
                        level: level.as_deref().and_then(AdminLevel::parse).unwrap_or(AdminLevel::Tinh),
                        parent: parent.as_deref().and_then(AgencyId::parse),
                        gso_code: None,
                        validity: Validity { from: Some(effective), basis: Some(basis.clone()), ..Validity::default() },
                    }
                }
            };
            if directory.agency(&agency.id).is_some() {
                diagnostics.push(Diagnostic::error(
                    line_of(source, agency.id.as_str()),
                    format!("{CHANGES_LABEL} Mã «{}» đã có; bỏ qua cơ quan mới.", agency.id),
                ));
                continue;
            }
            directory.agencies.push(agency);
        }
        for end in change.ended {
            let line = end.ids.first().map_or(hint, |id| line_of(source, id));
            let Some(ending) = Ending::parse(end.ending.trim()) else {
                diagnostics.push(Diagnostic::error(
                    line,
                    format!(
                        "{CHANGES_LABEL} Cách kết thúc «{}» không hợp lệ (merged, split, replaced, dissolved); bỏ qua.",
                        end.ending
                    ),
                ));
                continue;
            };
            let successors: Vec<AgencyId> = end.successors.iter().filter_map(|s| AgencyId::parse(s.trim())).collect();
            for id in &end.ids {
                let Some(at) = position(directory, id.trim()) else {
                    diagnostics.push(Diagnostic::error(
                        line,
                        format!("{CHANGES_LABEL} Không có cơ quan «{id}» để kết thúc; bỏ qua."),
                    ));
                    continue;
                };
                let Some(agency) = directory.agencies.get_mut(at) else { continue };
                agency.validity.until = Some(last_day);
                agency.validity.ending = Some(ending);
                agency.validity.successors.clone_from(&successors);
                agency.validity.basis = Some(basis.clone());
                let name = agency.name.clone();
                if successors.is_empty() && ending != Ending::Dissolved {
                    diagnostics.push(Diagnostic::warning(
                        line,
                        format!(
                            "{CHANGES_LABEL} «{name}» kết thúc ngày {} nhưng chưa xác định được đơn vị kế thừa; hãy bổ sung trong danh mục (cchc agencies export/import).",
                            last_day.vn()
                        ),
                    ));
                } else if !end.confirmed {
                    let names: Vec<String> = successors.iter().map(|s| directory_name(directory, s)).collect();
                    diagnostics.push(Diagnostic::warning(
                        line,
                        format!(
                            "{CHANGES_LABEL} «{name}» {} {}: chưa xác nhận được từ nguồn công khai.",
                            ending.label_vn(),
                            names.join(", ")
                        ),
                    ));
                }
            }
        }
    }
}

/// "UBND thị trấn Yên Châu (trước là UBND xã Viêng Lán)".
fn directory_name(directory: &AgencyDirectory, id: &AgencyId) -> String {
    match directory.agency(id) {
        None => id.to_string(),
        Some(a) => match a.validity.former_names.last() {
            Some(former) => format!("{} (trước là {})", a.name, former.name),
            None => a.name.clone(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// The two-level local government from 1 July 2025
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct MergerRow {
    new_code: String,
    new_name: String,
    old_code: String,
    old_name: String,
    old_district: String,
    note: String,
}

/// "Thành phố Sơn La (116)" → 116.
fn district_code(text: &str) -> Option<u32> {
    let open = text.rfind('(')?;
    text[open + 1..].trim_end().strip_suffix(')')?.trim().parse().ok()
}

fn apply_two_level(
    directory: &mut AgencyDirectory,
    units_json: &str,
    csv_text: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let from = two_level_from();
    let last_day = from.prev();
    let units = read_units(units_json, diagnostics);

    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(csv_text.as_bytes());
    // New unit code → (name, [(csv line, row)]).
    let mut new_units: BTreeMap<u32, (String, Vec<(u32, MergerRow)>)> = BTreeMap::new();
    for (index, record) in reader.deserialize::<MergerRow>().enumerate() {
        let line = u32::try_from(index + 2).unwrap_or(u32::MAX);
        let row = match record {
            Ok(row) => row,
            Err(e) => {
                diagnostics.push(Diagnostic::error(line, format!("{MERGERS_LABEL} Dòng không hợp lệ; bỏ qua: {e}")));
                continue;
            }
        };
        let Ok(code) = row.new_code.parse::<u32>() else {
            diagnostics.push(Diagnostic::error(
                line,
                format!("{MERGERS_LABEL} Mã mới «{}» không hợp lệ; bỏ qua.", row.new_code),
            ));
            continue;
        };
        let name = clean(&row.new_name);
        new_units.entry(code).or_insert_with(|| (name, Vec::new())).1.push((line, row));
    }

    // The units file and the table name the same 75 units; the table's codes follow Decision
    // 19/2025/QĐ-TTg, so a different code in the units file is reported and the table wins.
    for (code, name) in &units.communes {
        match new_units.iter().find(|(_, (n, _))| n == name) {
            Some((table_code, _)) if table_code != code => diagnostics.push(Diagnostic::info(
                line_of(units_json, name),
                format!(
                    "{MERGERS_LABEL} Mã của «{name}»: tệp đơn vị hành chính 2025 ghi {code}, bảng sắp xếp và Quyết định 19/2025/QĐ-TTg ghi {table_code:05}; dùng {table_code:05}."
                ),
            )),
            Some(_) => {}
            None => diagnostics.push(Diagnostic::warning(
                line_of(units_json, name),
                format!("{MERGERS_LABEL} «{name}» có trong tệp đơn vị hành chính 2025 nhưng không có trong bảng sắp xếp."),
            )),
        }
    }
    for (code, (name, _)) in &new_units {
        if !units.communes.iter().any(|(_, n)| n == name) {
            diagnostics.push(Diagnostic::warning(
                0,
                format!("{MERGERS_LABEL} «{name}» ({code:05}) có trong bảng sắp xếp nhưng không có trong tệp đơn vị hành chính 2025."),
            ));
        }
    }

    let mut district_successors: BTreeMap<u32, Vec<AgencyId>> = BTreeMap::new();
    let mut mentioned: HashSet<AgencyId> = HashSet::new();
    for (code, (name, rows)) in &new_units {
        let unchanged = matches!(rows.as_slice(), [(_, row)] if row.note == "Giữ nguyên" && row.old_code.parse::<u32>().ok() == Some(*code));
        let new_id = if unchanged {
            AgencyId::parse(&format!("ubnd-xa-{code:05}"))
        } else {
            AgencyId::parse(&format!("ubnd-xa-{code:05}-2025"))
        };
        let Some(new_id) = new_id else { continue };
        for (line, row) in rows {
            if let Some(district) = district_code(&row.old_district) {
                let list = district_successors.entry(district).or_default();
                if !list.contains(&new_id) {
                    list.push(new_id.clone());
                }
            }
            let Some(old_id) =
                row.old_code.parse::<u32>().ok().and_then(|c| AgencyId::parse(&format!("ubnd-xa-{c:05}")))
            else {
                diagnostics.push(Diagnostic::error(
                    *line,
                    format!("{MERGERS_LABEL} Mã cũ «{}» không hợp lệ; bỏ qua.", row.old_code),
                ));
                continue;
            };
            mentioned.insert(old_id.clone());
            let Some(old) = directory.agency(&old_id) else {
                diagnostics.push(Diagnostic::error(
                    *line,
                    format!(
                        "{MERGERS_LABEL} Không có đơn vị cũ «{}» ({}) trong danh mục; bỏ qua.",
                        row.old_name, row.old_code
                    ),
                ));
                continue;
            };
            if !old.is_valid_on(last_day) {
                diagnostics.push(Diagnostic::warning(
                    *line,
                    format!(
                        "{MERGERS_LABEL} «{}» ({}) không còn tồn tại ngày {} theo danh mục.",
                        row.old_name,
                        row.old_code,
                        last_day.vn()
                    ),
                ));
            }
            let expected = committee_name(&clean(&row.old_name));
            if old.name_on(last_day) != expected {
                diagnostics.push(Diagnostic::info(
                    *line,
                    format!(
                        "{MERGERS_LABEL} Bảng sắp xếp ghi «{}», danh mục ghi «{}» (mã {}): coi là một đơn vị.",
                        clean(&row.old_name),
                        old.name_on(last_day),
                        row.old_code
                    ),
                ));
            }
            if unchanged {
                continue;
            }
            let ending = if rows.len() > 1 { Ending::Merged } else { Ending::Replaced };
            if let Some(at) = position(directory, old_id.as_str()) {
                if let Some(old) = directory.agencies.get_mut(at) {
                    old.validity.until = Some(last_day);
                    old.validity.ending = Some(ending);
                    old.validity.successors = vec![new_id.clone()];
                    old.validity.basis = Some(TWO_LEVEL_COMMUNES_BASIS.to_string());
                }
            }
        }
        if !unchanged {
            directory.agencies.push(Agency {
                id: new_id,
                name: committee_name(name),
                aliases: vec![name.clone()],
                kind: AgencyKind::Commune,
                level: AdminLevel::Xa,
                parent: None,
                gso_code: Some(*code),
                validity: Validity {
                    from: Some(from),
                    basis: Some(TWO_LEVEL_COMMUNES_BASIS.to_string()),
                    ..Validity::default()
                },
            });
        }
    }
    // Every commune of June 2025 must be in the table.
    for agency in &directory.agencies {
        if agency.kind == AgencyKind::Commune && agency.is_valid_on(last_day) && !mentioned.contains(&agency.id) {
            diagnostics.push(Diagnostic::warning(
                0,
                format!(
                    "{MERGERS_LABEL} «{}» tồn tại ngày {} nhưng không có trong bảng sắp xếp.",
                    agency.name,
                    last_day.vn()
                ),
            ));
        }
    }
    // The district level ends; each district's duties go to the communes and wards its
    // communes went into.
    for agency in &mut directory.agencies {
        if agency.kind == AgencyKind::District && agency.is_valid_on(last_day) {
            agency.validity.until = Some(last_day);
            agency.validity.ending = Some(Ending::Split);
            agency.validity.successors =
                agency.gso_code.and_then(|c| district_successors.get(&c)).cloned().unwrap_or_default();
            agency.validity.basis = Some(TWO_LEVEL_DISTRICTS_BASIS.to_string());
        }
    }
    let communes = GroupId::parse(COMMUNES_GROUP);
    for group in &mut directory.groups {
        if group.id.as_str() == DISTRICTS_GROUP {
            group.until = Some(last_day);
            group.successor.clone_from(&communes);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Plans read against the map of their year
// ---------------------------------------------------------------------------------------------

/// Gives the references of a parsed plan that name no agency on `date` to whoever carries on
/// the agency or group they named on an earlier day.
///
/// `parsed` was read against `directory.as_of(date)`. A lead or partner fragment that named
/// nothing then ("Sở Thông tin và Truyền thông" in a 2026 plan, "UBND các huyện, thành phố"
/// after the district level ended) is read again against the directory of each earlier change
/// day, latest first; when it names agencies or groups there, they are replaced by their
/// successors on `date` and the "not recognised" warning by one that names the successors.
pub fn resolve_successors(parsed: &mut crate::ParsedPlan, directory: &AgencyDirectory, date: Date) {
    let unresolved = parsed.plan.activities().any(|(_, activity)| {
        activity.lead.iter().chain(&activity.partners).any(|r| r.agencies.is_empty() && r.groups.is_empty())
    });
    if !unresolved {
        // Nothing to look up on earlier days: no map to build.
        return;
    }
    let mut days: Vec<Date> =
        std::iter::once(Date::MIN).chain(directory.change_dates()).filter(|d| *d <= date).collect();
    days.reverse();
    // The map of `date` itself is where the fragment was not found; start with the one before.
    if !days.is_empty() {
        days.remove(0);
    }
    let views: Vec<AgencyDirectory> = days.iter().map(|d| directory.as_of(*d)).collect();
    let matchers: Vec<crate::agencies::AgencyMatcher<'_>> =
        views.iter().map(crate::agencies::AgencyMatcher::new).collect();
    let mut notes: Vec<(u32, String, String)> = Vec::new();
    for area in &mut parsed.plan.areas {
        for activity in &mut area.activities {
            let line = activity.lines.0;
            for reference in activity.lead.iter_mut().chain(activity.partners.iter_mut()) {
                if !reference.agencies.is_empty() || !reference.groups.is_empty() {
                    continue;
                }
                for matcher in &matchers {
                    let (refs, _) = matcher.resolve(&reference.text, line);
                    if refs.is_empty() || refs.iter().any(|r| r.agencies.is_empty() && r.groups.is_empty()) {
                        continue;
                    }
                    let mut agencies: Vec<AgencyId> = Vec::new();
                    let mut groups: Vec<GroupId> = Vec::new();
                    let mut told: Vec<String> = Vec::new();
                    for r in &refs {
                        for id in &r.agencies {
                            let next = directory.successors_on(id, date);
                            let former = directory.agency(id).map_or_else(|| id.to_string(), |a| a.name.clone());
                            let until = directory.agency(id).and_then(|a| a.validity.until);
                            let names: Vec<String> = next.iter().map(|a| a.name.clone()).collect();
                            told.push(match (until, names.is_empty()) {
                                (Some(until), false) => format!(
                                    "«{former}» không còn từ {}; giao cho {}",
                                    until.next().vn(),
                                    names.join(", ")
                                ),
                                (Some(until), true) => {
                                    format!("«{former}» không còn từ {} và chưa có đơn vị kế thừa", until.next().vn())
                                }
                                (None, _) => format!("«{former}» chưa tồn tại ngày {}", date.vn()),
                            });
                            for a in next {
                                if !agencies.contains(&a.id) {
                                    agencies.push(a.id.clone());
                                }
                            }
                        }
                        for id in &r.groups {
                            let former = directory.group(id).map_or_else(|| id.to_string(), |g| g.name.clone());
                            match directory.group_successor_on(id, date) {
                                Some(next) => {
                                    let until = directory
                                        .group(id)
                                        .and_then(|g| g.until)
                                        .map_or_else(String::new, |u| format!(" từ {}", u.next().vn()));
                                    told.push(format!("«{former}» không còn{until}; giao cho «{}»", next.name));
                                    if !groups.contains(&next.id) {
                                        groups.push(next.id.clone());
                                    }
                                }
                                None => told.push(format!("«{former}» không còn và chưa có nhóm kế thừa")),
                            }
                        }
                    }
                    notes.push((line, reference.text.clone(), told.join("; ")));
                    reference.agencies = agencies;
                    reference.groups = groups;
                    break;
                }
            }
        }
    }
    for (line, text, told) in notes {
        let unknown = format!("Không xác định được cơ quan: «{text}»");
        parsed.diagnostics.retain(|d| !(d.severity == Severity::Warning && d.message.starts_with(&unknown)));
        parsed.diagnostics.push(Diagnostic::warning(
            line,
            format!("«{text}» là tên theo danh mục trước ngày {}: {told}.", date.vn()),
        ));
    }
    parsed.diagnostics.sort_by_key(|d| d.line);
}

// ---------------------------------------------------------------------------------------------
// Checks shared by the embedded directory and an imported document
// ---------------------------------------------------------------------------------------------

/// What must hold in a directory over time: intervals in order, an ending exactly when there is
/// a last day, successors and parents that exist, successors that exist the day after, former
/// names inside the interval and in order, group members and successors that exist; and, on
/// every day the directory changes, no two agencies or groups sharing a name.
pub fn check_directory(directory: &AgencyDirectory) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let label = DOCUMENT_LABEL;
    for agency in &directory.agencies {
        let v = &agency.validity;
        let name = &agency.name;
        if let (Some(from), Some(until)) = (v.from, v.until) {
            if until < from {
                out.push(Diagnostic::error(
                    0,
                    format!("{label} «{name}»: ngày kết thúc {} trước ngày bắt đầu {}.", until.vn(), from.vn()),
                ));
            }
        }
        match (v.until, v.ending) {
            (Some(_), None) => out.push(Diagnostic::error(
                0,
                format!("{label} «{name}»: có ngày kết thúc nhưng thiếu cách kết thúc (ending)."),
            )),
            (None, Some(_)) => out.push(Diagnostic::error(
                0,
                format!("{label} «{name}»: có cách kết thúc nhưng thiếu ngày kết thúc (valid_until)."),
            )),
            _ => {}
        }
        if v.until.is_none() && !v.successors.is_empty() {
            out.push(Diagnostic::error(0, format!("{label} «{name}»: có đơn vị kế thừa nhưng chưa kết thúc.")));
        }
        for successor in &v.successors {
            match directory.agency(successor) {
                None => {
                    out.push(Diagnostic::error(0, format!("{label} «{name}»: không có đơn vị kế thừa «{successor}».")))
                }
                Some(next) => {
                    if let Some(until) = v.until {
                        if !next.is_valid_on(until.next()) {
                            out.push(Diagnostic::warning(
                                0,
                                format!(
                                    "{label} «{name}»: đơn vị kế thừa «{}» không tồn tại ngày {}.",
                                    next.name,
                                    until.next().vn()
                                ),
                            ));
                        }
                    }
                }
            }
        }
        if let Some(parent) = &agency.parent {
            if directory.agency(parent).is_none() {
                out.push(Diagnostic::error(0, format!("{label} «{name}»: không có cơ quan cấp trên «{parent}».")));
            }
        }
        let mut previous: Option<Date> = None;
        for former in &v.former_names {
            let in_order = previous.is_none_or(|p| p < former.until);
            let inside = v.from.is_none_or(|f| f <= former.until) && v.until.is_none_or(|u| former.until < u);
            if !in_order || !inside {
                out.push(Diagnostic::error(
                    0,
                    format!(
                        "{label} «{name}»: tên cũ «{}» (đến {}) phải nằm trong thời hạn của cơ quan và theo thứ tự thời gian.",
                        former.name,
                        former.until.vn()
                    ),
                ));
            }
            previous = Some(former.until);
        }
    }
    for group in &directory.groups {
        for member in &group.members {
            if directory.agency(member).is_none() {
                out.push(Diagnostic::error(0, format!("{label} Nhóm «{}»: không có cơ quan «{member}».", group.name)));
            }
        }
        if let Some(successor) = &group.successor {
            if directory.group(successor).is_none() {
                out.push(Diagnostic::error(
                    0,
                    format!("{label} Nhóm «{}»: không có nhóm kế thừa «{successor}».", group.name),
                ));
            }
        }
    }
    // Names must tell agencies apart on every day: check the directory as it stood before the
    // first change and on every change day.
    let mut days = vec![Date::MIN];
    days.extend(directory.change_dates());
    let mut seen = HashSet::new();
    for day in days {
        for mut diagnostic in ambiguity_diagnostics(&directory.as_of(day)) {
            if !seen.insert(diagnostic.message.clone()) {
                continue;
            }
            if day != Date::MIN {
                diagnostic.message.push_str(&format!(" (danh mục từ ngày {})", day.vn()));
            }
            out.push(diagnostic);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The editable document
// ---------------------------------------------------------------------------------------------

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FormerNameDoc {
    name: String,
    until: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgencyDoc {
    id: String,
    name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
    kind: String,
    level: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gso_code: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    valid_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    valid_until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ending: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    successors: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    former_names: Vec<FormerNameDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    basis: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupDoc {
    id: String,
    name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    kinds: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    members: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    valid_until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    successor: Option<String>,
}

#[derive(Serialize)]
struct DocumentOut<'a> {
    #[serde(rename = "_comment")]
    comment: &'a [&'a str],
    agencies: Vec<AgencyDoc>,
    groups: Vec<GroupDoc>,
}

const DOCUMENT_COMMENT: &[&str] = &[
    "Danh mục cơ quan, đơn vị và nhóm cơ quan của tỉnh, có thời hạn hiệu lực. Sửa tệp này rồi nạp lại bằng `cchc agencies import TỆP` (hoặc trang Danh mục cơ quan): tệp được kiểm tra toàn bộ, có lỗi thì không lưu gì; hợp lệ thì lưu thành phiên bản mới.",
    "Mỗi cơ quan: id (chữ thường ASCII, số, '-'; không đổi sau khi đã dùng), name (tên hiện tại hoặc tên cuối cùng), aliases (tên gọi khác), kind (province | department | sectoral | district | commune | other), level (tinh | huyen | xa), parent, gso_code (mã thống kê), valid_from / valid_until (ngày đầu / ngày cuối tồn tại, dd/mm/yyyy; bỏ trống = không giới hạn), ending (merged = sáp nhập, split = chia tách, replaced = được thay thế, dissolved = giải thể; bắt buộc khi có valid_until), successors (cơ quan kế thừa, tồn tại từ ngày sau valid_until), former_names (tên cũ, mỗi tên kèm until = ngày cuối dùng tên đó), basis (văn bản làm căn cứ).",
    "Mỗi nhóm: id, name, aliases, kinds (mọi cơ quan thuộc các loại này), members (thêm từng cơ quan), valid_until và successor (nhóm kế thừa, ví dụ UBND các huyện, thành phố → UBND các xã, phường từ 01/07/2025).",
];

fn date_text(date: Option<Date>) -> Option<String> {
    date.map(Date::vn)
}

/// The whole directory as one editable JSON document (dates dd/mm/yyyy).
pub fn directory_document(directory: &AgencyDirectory) -> String {
    let agencies = directory
        .agencies
        .iter()
        .map(|a| AgencyDoc {
            id: a.id.to_string(),
            name: a.name.clone(),
            aliases: a.aliases.clone(),
            kind: a.kind.as_str().to_string(),
            level: a.level.as_str().to_string(),
            parent: a.parent.as_ref().map(ToString::to_string),
            gso_code: a.gso_code,
            valid_from: date_text(a.validity.from),
            valid_until: date_text(a.validity.until),
            ending: a.validity.ending.map(|e| e.as_str().to_string()),
            successors: a.validity.successors.iter().map(ToString::to_string).collect(),
            former_names: a
                .validity
                .former_names
                .iter()
                .map(|f| FormerNameDoc { name: f.name.clone(), until: f.until.vn() })
                .collect(),
            basis: a.validity.basis.clone(),
        })
        .collect();
    let groups = directory
        .groups
        .iter()
        .map(|g| GroupDoc {
            id: g.id.to_string(),
            name: g.name.clone(),
            aliases: g.aliases.clone(),
            kinds: g.kinds.iter().map(|k| k.as_str().to_string()).collect(),
            members: g.members.iter().map(ToString::to_string).collect(),
            valid_until: date_text(g.until),
            successor: g.successor.as_ref().map(ToString::to_string),
        })
        .collect();
    let out = DocumentOut { comment: DOCUMENT_COMMENT, agencies, groups };
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}

fn parse_date_field(value: Option<&str>, what: &str, line: u32, errors: &mut Vec<Diagnostic>) -> Option<Date> {
    let text = value?.trim();
    if text.is_empty() {
        return None;
    }
    match Date::parse(text) {
        Ok(date) => Some(date),
        Err(_) => {
            errors
                .push(Diagnostic::error(line, format!("{DOCUMENT_LABEL} {what} «{text}» không phải ngày dd/mm/yyyy.")));
            None
        }
    }
}

/// Reads the editable document. Never fails wholesale: every row that cannot be read is an
/// error with its line and is left out; callers refuse to store a document with any error.
pub fn parse_directory(source: &str) -> (AgencyDirectory, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut directory = AgencyDirectory::default();
    let root: Value = match serde_json::from_str(source) {
        Ok(root) => root,
        Err(e) => {
            diagnostics.push(Diagnostic::error(json_line(&e), format!("{DOCUMENT_LABEL} Tệp JSON không hợp lệ: {e}")));
            return (directory, diagnostics);
        }
    };
    let Value::Object(root) = root else {
        diagnostics.push(Diagnostic::error(
            1,
            format!("{DOCUMENT_LABEL} Tệp phải là một đối tượng JSON có \"agencies\" và \"groups\"."),
        ));
        return (directory, diagnostics);
    };
    let mut agency_rows = Vec::new();
    let mut group_rows = Vec::new();
    for (key, value) in root {
        match (key.as_str(), value) {
            ("_comment", _) => {}
            ("agencies", Value::Array(rows)) => agency_rows = rows,
            ("groups", Value::Array(rows)) => group_rows = rows,
            (other, _) => diagnostics.push(Diagnostic::error(
                line_of(source, other),
                format!("{DOCUMENT_LABEL} Mục \"{other}\" không được hỗ trợ (chỉ có \"agencies\" và \"groups\", là các mảng)."),
            )),
        }
    }
    if agency_rows.is_empty() {
        diagnostics.push(Diagnostic::error(0, format!("{DOCUMENT_LABEL} Danh mục không có cơ quan nào.")));
    }
    for (index, row) in agency_rows.into_iter().enumerate() {
        let line = row.get("id").and_then(Value::as_str).map_or(0, |id| line_of(source, id));
        let doc: AgencyDoc = match serde_json::from_value(row) {
            Ok(doc) => doc,
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    line,
                    format!("{DOCUMENT_LABEL} Cơ quan thứ {} không hợp lệ: {e}", index + 1),
                ));
                continue;
            }
        };
        let mut errors = Vec::new();
        let id = AgencyId::parse(doc.id.trim());
        if id.is_none() {
            errors.push(Diagnostic::error(
                line,
                format!("{DOCUMENT_LABEL} Mã «{}» không hợp lệ (chữ thường ASCII, số và '-').", doc.id),
            ));
        }
        let name = clean(&doc.name);
        if name.is_empty() {
            errors.push(Diagnostic::error(line, format!("{DOCUMENT_LABEL} Cơ quan «{}» không có tên.", doc.id)));
        }
        let kind = AgencyKind::parse(doc.kind.trim());
        if kind.is_none() {
            errors.push(Diagnostic::error(line, format!("{DOCUMENT_LABEL} «{name}»: loại «{}» không hợp lệ (province, department, sectoral, district, commune, other).", doc.kind)));
        }
        let level = AdminLevel::parse(doc.level.trim());
        if level.is_none() {
            errors.push(Diagnostic::error(
                line,
                format!("{DOCUMENT_LABEL} «{name}»: cấp «{}» không hợp lệ (tinh, huyen, xa).", doc.level),
            ));
        }
        let ending = match doc.ending.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => {
                let parsed = Ending::parse(text);
                if parsed.is_none() {
                    errors.push(Diagnostic::error(line, format!("{DOCUMENT_LABEL} «{name}»: cách kết thúc «{text}» không hợp lệ (merged, split, replaced, dissolved).")));
                }
                parsed
            }
        };
        let from = parse_date_field(doc.valid_from.as_deref(), "valid_from", line, &mut errors);
        let until = parse_date_field(doc.valid_until.as_deref(), "valid_until", line, &mut errors);
        let mut successors = Vec::new();
        for s in &doc.successors {
            match AgencyId::parse(s.trim()) {
                Some(s) => successors.push(s),
                None => errors.push(Diagnostic::error(
                    line,
                    format!("{DOCUMENT_LABEL} «{name}»: mã kế thừa «{s}» không hợp lệ."),
                )),
            }
        }
        let mut former_names = Vec::new();
        for f in &doc.former_names {
            if let Some(until) = parse_date_field(Some(&f.until), "until (tên cũ)", line, &mut errors) {
                former_names.push(FormerName { name: clean(&f.name), until });
            }
        }
        let parent = match doc.parent.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => {
                let parsed = AgencyId::parse(text);
                if parsed.is_none() {
                    errors.push(Diagnostic::error(
                        line,
                        format!("{DOCUMENT_LABEL} «{name}»: mã cơ quan cấp trên «{text}» không hợp lệ."),
                    ));
                }
                parsed
            }
        };
        if let Some(id) = &id {
            if directory.agency(id).is_some() {
                errors.push(Diagnostic::error(line, format!("{DOCUMENT_LABEL} Mã «{id}» bị trùng.")));
            }
        }
        let (Some(id), Some(kind), Some(level), true) = (id, kind, level, errors.is_empty()) else {
            diagnostics.extend(errors);
            continue;
        };
        directory.agencies.push(Agency {
            id,
            aliases: clean_aliases(&doc.aliases).into_iter().filter(|a| *a != name).collect(),
            name,
            kind,
            level,
            parent,
            gso_code: doc.gso_code,
            validity: Validity {
                from,
                until,
                ending,
                successors,
                former_names,
                basis: doc.basis.as_deref().map(clean).filter(|b| !b.is_empty()),
            },
        });
    }
    for (index, row) in group_rows.into_iter().enumerate() {
        let line = row.get("id").and_then(Value::as_str).map_or(0, |id| line_of(source, id));
        let doc: GroupDoc = match serde_json::from_value(row) {
            Ok(doc) => doc,
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    line,
                    format!("{DOCUMENT_LABEL} Nhóm thứ {} không hợp lệ: {e}", index + 1),
                ));
                continue;
            }
        };
        let mut errors = Vec::new();
        let id = GroupId::parse(doc.id.trim());
        let name = clean(&doc.name);
        if id.is_none() || name.is_empty() {
            errors.push(Diagnostic::error(
                line,
                format!("{DOCUMENT_LABEL} Nhóm «{}»: mã không hợp lệ hoặc thiếu tên.", doc.id),
            ));
        }
        let mut kinds = Vec::new();
        for k in &doc.kinds {
            match AgencyKind::parse(k.trim()) {
                Some(k) if !kinds.contains(&k) => kinds.push(k),
                Some(_) => {}
                None => errors
                    .push(Diagnostic::error(line, format!("{DOCUMENT_LABEL} Nhóm «{name}»: loại «{k}» không hợp lệ."))),
            }
        }
        let mut members = Vec::new();
        for m in &doc.members {
            match AgencyId::parse(m.trim()) {
                Some(m) => members.push(m),
                None => errors.push(Diagnostic::error(
                    line,
                    format!("{DOCUMENT_LABEL} Nhóm «{name}»: mã thành viên «{m}» không hợp lệ."),
                )),
            }
        }
        let until = parse_date_field(doc.valid_until.as_deref(), "valid_until", line, &mut errors);
        let successor = doc.successor.as_deref().map(str::trim).filter(|s| !s.is_empty()).and_then(|s| {
            let parsed = GroupId::parse(s);
            if parsed.is_none() {
                errors.push(Diagnostic::error(
                    line,
                    format!("{DOCUMENT_LABEL} Nhóm «{name}»: mã nhóm kế thừa «{s}» không hợp lệ."),
                ));
            }
            parsed
        });
        if let Some(id) = &id {
            if directory.group(id).is_some() {
                errors.push(Diagnostic::error(line, format!("{DOCUMENT_LABEL} Mã nhóm «{id}» bị trùng.")));
            }
        }
        let (Some(id), true) = (id, errors.is_empty()) else {
            diagnostics.extend(errors);
            continue;
        };
        directory.groups.push(AgencyGroup {
            id,
            aliases: clean_aliases(&doc.aliases).into_iter().filter(|a| *a != name).collect(),
            name,
            kinds,
            members,
            until,
            successor,
        });
    }
    let directory = AgencyDirectory::new(directory.agencies, directory.groups);
    diagnostics.extend(check_directory(&directory));
    (directory, diagnostics)
}

/// Whether a list of diagnostics refuses a document (any error).
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn count(directory: &AgencyDirectory, kind: AgencyKind) -> usize {
        directory.agencies.iter().filter(|a| a.kind == kind).count()
    }

    #[test]
    fn the_map_of_each_period_has_the_units_of_that_period() {
        let (directory, diagnostics) = son_la();
        assert!(!has_errors(&diagnostics), "{diagnostics:#?}");
        let y2024 = directory.as_of(day("30/06/2024"));
        assert_eq!((count(&y2024, AgencyKind::District), count(&y2024, AgencyKind::Commune)), (12, 204));
        let june2025 = directory.as_of(day("30/06/2025"));
        assert_eq!((count(&june2025, AgencyKind::District), count(&june2025, AgencyKind::Commune)), (12, 200));
        let july2025 = directory.as_of(day("01/07/2025"));
        assert_eq!((count(&july2025, AgencyKind::District), count(&july2025, AgencyKind::Commune)), (0, 75));
        let departments = |d: &AgencyDirectory| {
            let mut ids: Vec<String> =
                d.agencies.iter().filter(|a| a.kind == AgencyKind::Department).map(|a| a.id.to_string()).collect();
            ids.sort();
            ids
        };
        assert_eq!(departments(&y2024).len(), 20);
        let after = departments(&july2025);
        // Fourteen departments and Ban Quản lý các khu công nghiệp, kept until its
        // reorganisation is confirmed.
        assert_eq!(
            after,
            [
                "ban-quan-ly-cac-khu-cong-nghiep",
                "so-cong-thuong",
                "so-dan-toc-ton-giao",
                "so-giao-duc-dao-tao",
                "so-khoa-hoc-cong-nghe",
                "so-ngoai-vu",
                "so-noi-vu",
                "so-nong-nghiep-moi-truong",
                "so-tai-chinh",
                "so-tu-phap",
                "so-van-hoa-the-thao-du-lich",
                "so-xay-dung",
                "so-y-te",
                "thanh-tra-tinh",
                "van-phong-ubnd-tinh"
            ]
        );
        for gone in ["so-thong-tin-truyen-thong", "so-ke-hoach-dau-tu", "ban-dan-toc", "so-tai-nguyen-moi-truong"] {
            assert!(!after.iter().any(|id| id == gone), "{gone}");
        }
        assert!(after.iter().any(|id| id == "so-nong-nghiep-moi-truong"));
        // The group of districts has gone with them; its successor is the communes group.
        assert!(july2025.group(&GroupId::parse("districts").unwrap()).is_none());
        let districts = GroupId::parse("districts").unwrap();
        assert_eq!(
            directory.group_successor_on(&districts, day("01/01/2026")).map(|g| g.id.as_str()),
            Some("communes")
        );
    }

    #[test]
    fn successors_are_followed_through_every_change() {
        let (directory, _) = son_la();
        let ids = |id: &str, date: &str| -> Vec<String> {
            directory.successors_on(&AgencyId::parse(id).unwrap(), day(date)).iter().map(|a| a.id.to_string()).collect()
        };
        assert_eq!(ids("so-thong-tin-truyen-thong", "01/01/2026"), ["so-khoa-hoc-cong-nghe"]);
        assert_eq!(ids("so-thong-tin-truyen-thong", "01/01/2024"), ["so-thong-tin-truyen-thong"]);
        // Xã Chiềng Ly → Xã Phổng Ly (02/2025) → a commune of the two-level map (07/2025).
        let chieng_ly = ids("ubnd-xa-03751", "01/01/2026");
        assert_eq!(chieng_ly.len(), 1);
        assert!(chieng_ly[0].ends_with("-2025"), "{chieng_ly:?}");
        // Phường Chiềng Lề keeps its code in the new Phường Tô Hiệu, under a new id.
        assert_eq!(ids("ubnd-xa-03646", "01/07/2025"), ["ubnd-xa-03646-2025"]);
        assert_eq!(
            directory.agency(&AgencyId::parse("ubnd-xa-03646-2025").unwrap()).unwrap().name,
            "UBND phường Tô Hiệu"
        );
        // Unchanged communes keep their id.
        assert_eq!(ids("ubnd-xa-03760", "01/01/2026"), ["ubnd-xa-03760"]);
        // A district's duties go to the new communes of its territory.
        assert!(ids("ubnd-huyen-118", "01/01/2026").len() >= 2);
    }

    #[test]
    fn names_follow_the_date_and_the_code_of_the_decision_wins() {
        let (directory, diagnostics) = son_la();
        let giang = directory.agency(&AgencyId::parse("ubnd-xa-03703").unwrap()).unwrap();
        assert_eq!(giang.name_on(day("31/12/2024")), "UBND xã Mường Giàng");
        assert_eq!(giang.name_on(day("01/03/2025")), "UBND thị trấn Mường Giàng");
        assert_eq!(directory.as_of(day("01/06/2024")).agency(&giang.id).unwrap().name, "UBND xã Mường Giàng");
        let chieng_an = directory.agency(&AgencyId::parse("ubnd-xa-03664-2025").unwrap()).unwrap();
        assert_eq!((chieng_an.name.as_str(), chieng_an.gso_code), ("UBND phường Chiềng An", Some(3664)));
        assert!(
            diagnostics.iter().any(|d| d.message.contains("Chiềng An") && d.message.contains("3667")),
            "{diagnostics:#?}"
        );
        // What could not be confirmed says so.
        assert!(diagnostics.iter().any(|d| d.severity == Severity::Warning && d.message.contains("UBND xã Tân Hợp")));
    }

    #[test]
    fn the_document_round_trips_and_refuses_what_does_not_hold() {
        let (directory, _) = son_la();
        let text = directory_document(&directory);
        let (read, diagnostics) = parse_directory(&text);
        assert!(!has_errors(&diagnostics), "{diagnostics:#?}");
        assert_eq!(read, directory);

        let broken = text
            .replacen(
                "\"successors\": [\n        \"so-khoa-hoc-cong-nghe\"\n      ]",
                "\"successors\": [\"so-khong-co\"]",
                1,
            )
            .replacen("\"kind\": \"department\"", "\"kind\": \"phong\"", 1);
        assert_ne!(broken, text);
        let (_, diagnostics) = parse_directory(&broken);
        let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
        assert!(errors.iter().any(|d| d.message.contains("so-khong-co")), "{errors:#?}");
        assert!(errors.iter().any(|d| d.message.contains("phong") && d.line > 0), "{errors:#?}");

        let (_, diagnostics) = parse_directory("[1, 2]");
        assert!(has_errors(&diagnostics));
        let (_, diagnostics) = parse_directory("{ not json");
        assert!(has_errors(&diagnostics));
    }
}
