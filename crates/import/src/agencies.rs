//! The agency directory of Sơn La and the resolution of "Chủ trì" / "Phối hợp" cells.
//!
//! The directory is built from two JSON files embedded in the binary:
//!
//! - `data/son-la-units-2024.json`: GSO codes of the province, its 12 districts and 204 communes
//!   (before the 1 July 2025 reorganisation). Every administrative unit becomes the People's
//!   Committee that governs it: `ubnd-tinh`, `ubnd-huyen-<code>`, `ubnd-xa-<code, 5 digits>`.
//! - `data/agencies-son-la.json`: an editable list of the other agencies (departments, sectoral
//!   agencies, other bodies) and of the named groups ("Các sở, ban, ngành" → `departments`). The
//!   file documents itself in its `_comment` fields.
//!
//! A lead or partner cell is resolved by a greedy longest match of known names over the cell's
//! *canonical* token sequence: folded text (case and diacritics removed), punctuation ignored,
//! the filler words "các", "và", "&" dropped, and a few abbreviations expanded ("Ủy ban nhân
//! dân" → "UBND", "VP" → "Văn phòng", "PTNT", "TT&TT", "KH&ĐT", …). Group names contain commas
//! ("Các sở, ban, ngành, UBND các huyện, thành phố"), which is why cells are not split on commas.
//! When no exact name matches, a small edit distance is tolerated on longer names (never on the
//! names of administrative units), and a name cut off at the end of a cell ("Sở Thông tin") is
//! accepted when it is the beginning of exactly one name.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use cchc_domain::text::{clean, fold};
use cchc_domain::{
    AdminLevel, Agency, AgencyDirectory, AgencyGroup, AgencyId, AgencyKind, AgencyRef, Diagnostic, GroupId, Validity,
};
use serde::Deserialize;
use serde_json::Value;

/// The embedded GSO administrative units of Sơn La in 2024 (byte copy of the shared data file).
pub const EMBEDDED_UNITS_2024_JSON: &str = include_str!("../data/son-la-units-2024.json");

/// The embedded list of Sơn La agencies and groups.
pub const EMBEDDED_AGENCIES_JSON: &str = include_str!("../data/agencies-son-la.json");

pub(crate) const UNITS_LABEL: &str = "[đơn vị hành chính]";
pub(crate) const AGENCIES_LABEL: &str = "[danh mục cơ quan]";

/// The directory of Sơn La in 2024, built from the embedded data files.
pub fn son_la_2024() -> (AgencyDirectory, Vec<Diagnostic>) {
    load_directory(EMBEDDED_UNITS_2024_JSON, EMBEDDED_AGENCIES_JSON)
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct ProvinceDto {
    code: u32,
    name: String,
}

#[derive(Deserialize)]
struct DistrictDto {
    code: u32,
    name: String,
    #[serde(default)]
    communes: Vec<Value>,
}

#[derive(Deserialize)]
struct CommuneDto {
    code: u32,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvinceExtraDto {
    #[serde(rename = "_comment", default)]
    _comment: Option<Value>,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgencyDto {
    #[serde(rename = "_comment", default)]
    _comment: Option<Value>,
    id: String,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    kind: String,
    #[serde(default)]
    level: Option<String>,
    #[serde(default)]
    parent: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupDto {
    #[serde(rename = "_comment", default)]
    _comment: Option<Value>,
    id: String,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    kinds: Vec<String>,
    #[serde(default)]
    members: Vec<String>,
}

/// 1-based line of the first occurrence of `value` written as a JSON string; 0 when absent.
pub(crate) fn line_of(source: &str, value: &str) -> u32 {
    let Ok(needle) = serde_json::to_string(value) else {
        return 0;
    };
    source.find(&needle).map_or(0, |at| u32::try_from(source[..at].matches('\n').count() + 1).unwrap_or(u32::MAX))
}

pub(crate) fn json_line(error: &serde_json::Error) -> u32 {
    u32::try_from(error.line()).unwrap_or(0)
}

/// "Huyện Mai Sơn" → "huyện Mai Sơn".
pub(crate) fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(crate) fn clean_aliases(aliases: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for alias in aliases {
        let alias = clean(alias);
        if !alias.is_empty() && !out.contains(&alias) {
            out.push(alias);
        }
    }
    out
}

/// GSO code and name of an administrative unit.
pub(crate) type Unit = (u32, String);

pub(crate) struct Units {
    pub(crate) province: Option<Unit>,
    /// Each district with its communes.
    pub(crate) districts: Vec<(Unit, Vec<Unit>)>,
    /// Communes listed without a district (two-level local government from 1 July 2025).
    pub(crate) communes: Vec<Unit>,
}

/// Prefixes of administrative unit names, longest first.
const UNIT_PREFIXES: [&str; 7] = ["Thành phố", "Thị trấn", "Thị xã", "Huyện", "Phường", "Quận", "Xã"];

/// The proper name of a unit after its prefix ("Xã Nậm Ét" → "Nậm Ét"), when it has one.
pub fn unit_proper_name(name: &str) -> Option<&str> {
    UNIT_PREFIXES.iter().find_map(|prefix| name.strip_prefix(prefix).and_then(|rest| rest.strip_prefix(' ')))
}

/// Every unit name is a known prefix followed by a proper name starting with a capital letter
/// ("Xã Nậm ét" lost the capital É of "Nậm Ét" somewhere upstream).
pub(crate) fn check_unit_name(name: &str, line: u32, diagnostics: &mut Vec<Diagnostic>) {
    let problem = match unit_proper_name(name) {
        None => "không bắt đầu bằng Tỉnh/Huyện/Thành phố/Thị xã/Quận/Xã/Phường/Thị trấn",
        Some(proper) => {
            let words_capitalised = proper.split(' ').all(|w| w.chars().next().is_some_and(|c| !c.is_lowercase()));
            if words_capitalised {
                return;
            }
            "có chữ không viết hoa chữ cái đầu sau tên loại đơn vị"
        }
    };
    diagnostics
        .push(Diagnostic::warning(line, format!("{UNITS_LABEL} Tên «{name}» {problem}; hãy kiểm tra lại dữ liệu.")));
}

fn read_communes(source: &str, rows: Vec<Value>, where_: &str, diagnostics: &mut Vec<Diagnostic>) -> Vec<Unit> {
    let mut out = Vec::new();
    for (index, row) in rows.into_iter().enumerate() {
        let hint = row.get("name").and_then(Value::as_str).map(|name| line_of(source, name)).unwrap_or(0);
        match serde_json::from_value::<CommuneDto>(row) {
            Ok(commune) if !clean(&commune.name).is_empty() => {
                let name = clean(&commune.name);
                check_unit_name(&name, hint, diagnostics);
                out.push((commune.code, name));
            }
            Ok(_) => diagnostics.push(Diagnostic::error(
                hint,
                format!("{UNITS_LABEL} Xã thứ {} {where_} không có tên; bỏ qua.", index + 1),
            )),
            Err(e) => diagnostics.push(Diagnostic::error(
                hint,
                format!("{UNITS_LABEL} Xã thứ {} {where_} không hợp lệ; bỏ qua: {e}", index + 1),
            )),
        }
    }
    out
}

pub(crate) fn read_units(source: &str, diagnostics: &mut Vec<Diagnostic>) -> Units {
    let mut units = Units { province: None, districts: Vec::new(), communes: Vec::new() };
    let root: Value = match serde_json::from_str(source) {
        Ok(root) => root,
        Err(e) => {
            diagnostics.push(Diagnostic::error(json_line(&e), format!("{UNITS_LABEL} Tệp JSON không hợp lệ: {e}")));
            return units;
        }
    };
    let Value::Object(mut root) = root else {
        diagnostics.push(Diagnostic::error(1, format!("{UNITS_LABEL} Tệp phải là một đối tượng JSON.")));
        return units;
    };
    match root.remove("province").map(serde_json::from_value::<ProvinceDto>) {
        Some(Ok(province)) => units.province = Some((province.code, clean(&province.name))),
        Some(Err(e)) => {
            diagnostics.push(Diagnostic::error(0, format!("{UNITS_LABEL} Mục \"province\" không hợp lệ: {e}")))
        }
        None => diagnostics.push(Diagnostic::error(0, format!("{UNITS_LABEL} Thiếu mục \"province\"."))),
    }
    let districts = match root.remove("districts") {
        Some(Value::Array(rows)) => rows,
        Some(_) => {
            diagnostics.push(Diagnostic::error(0, format!("{UNITS_LABEL} Mục \"districts\" phải là một mảng.")));
            Vec::new()
        }
        None => Vec::new(),
    };
    for (index, row) in districts.into_iter().enumerate() {
        let hint = row.get("name").and_then(Value::as_str).map(|name| line_of(source, name)).unwrap_or(0);
        match serde_json::from_value::<DistrictDto>(row) {
            Ok(district) if !clean(&district.name).is_empty() => {
                let name = clean(&district.name);
                check_unit_name(&name, hint, diagnostics);
                let where_ = format!("của {name}");
                let communes = read_communes(source, district.communes, &where_, diagnostics);
                units.districts.push(((district.code, name), communes));
            }
            Ok(_) => diagnostics
                .push(Diagnostic::error(hint, format!("{UNITS_LABEL} Huyện thứ {} không có tên; bỏ qua.", index + 1))),
            Err(e) => diagnostics.push(Diagnostic::error(
                hint,
                format!("{UNITS_LABEL} Huyện thứ {} không hợp lệ; bỏ qua: {e}", index + 1),
            )),
        }
    }
    match root.remove("communes") {
        Some(Value::Array(rows)) => {
            units.communes = read_communes(source, rows, "của tỉnh", diagnostics);
        }
        Some(_) => diagnostics.push(Diagnostic::error(0, format!("{UNITS_LABEL} Mục \"communes\" phải là một mảng."))),
        None => {}
    }
    if units.districts.is_empty() && units.communes.is_empty() && units.province.is_some() {
        diagnostics.push(Diagnostic::warning(0, format!("{UNITS_LABEL} Tệp không có huyện, xã nào.")));
    }
    units
}

struct AgencyFile {
    province_aliases: Vec<String>,
    agencies: Vec<(u32, AgencyDto)>,
    groups: Vec<(u32, GroupDto)>,
}

fn read_agency_file(source: &str, diagnostics: &mut Vec<Diagnostic>) -> AgencyFile {
    let mut file = AgencyFile { province_aliases: Vec::new(), agencies: Vec::new(), groups: Vec::new() };
    let root: Value = match serde_json::from_str(source) {
        Ok(root) => root,
        Err(e) => {
            diagnostics.push(Diagnostic::error(json_line(&e), format!("{AGENCIES_LABEL} Tệp JSON không hợp lệ: {e}")));
            return file;
        }
    };
    let Value::Object(root) = root else {
        diagnostics.push(Diagnostic::error(1, format!("{AGENCIES_LABEL} Tệp phải là một đối tượng JSON.")));
        return file;
    };
    for (key, value) in root {
        match key.as_str() {
            "_comment" => {}
            "province" => match serde_json::from_value::<ProvinceExtraDto>(value) {
                Ok(extra) => file.province_aliases = clean_aliases(&extra.aliases),
                Err(e) => diagnostics.push(Diagnostic::error(
                    line_of(source, "province"),
                    format!("{AGENCIES_LABEL} Mục \"province\" không hợp lệ: {e}"),
                )),
            },
            "agencies" | "groups" => {
                let Value::Array(rows) = value else {
                    diagnostics.push(Diagnostic::error(
                        line_of(source, &key),
                        format!("{AGENCIES_LABEL} Mục \"{key}\" phải là một mảng."),
                    ));
                    continue;
                };
                for (index, row) in rows.into_iter().enumerate() {
                    let hint = row.get("id").and_then(Value::as_str).map(|id| line_of(source, id)).unwrap_or(0);
                    let what = if key == "agencies" { "Cơ quan" } else { "Nhóm" };
                    let result = if key == "agencies" {
                        serde_json::from_value::<AgencyDto>(row).map(|dto| file.agencies.push((hint, dto)))
                    } else {
                        serde_json::from_value::<GroupDto>(row).map(|dto| file.groups.push((hint, dto)))
                    };
                    if let Err(e) = result {
                        diagnostics.push(Diagnostic::error(
                            hint,
                            format!("{AGENCIES_LABEL} {what} thứ {} không hợp lệ; bỏ qua: {e}", index + 1),
                        ));
                    }
                }
            }
            other => diagnostics.push(Diagnostic::warning(
                line_of(source, other),
                format!("{AGENCIES_LABEL} Mục \"{other}\" không được hỗ trợ; bỏ qua."),
            )),
        }
    }
    file
}

/// Builds the directory from a GSO units file and an agencies file.
///
/// Order: the provincial People's Committee (`ubnd-tinh`), the agencies of the agencies file,
/// every district People's Committee (`ubnd-huyen-<code>`), every commune People's Committee
/// (`ubnd-xa-<code, 5 digits>`, parent = its district). Never panics: malformed JSON or rows
/// become diagnostics (Vietnamese, with the line of the offending row where it can be found)
/// and everything valid is kept.
pub fn load_directory(units_json: &str, agencies_json: &str) -> (AgencyDirectory, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let units = read_units(units_json, &mut diagnostics);
    let file = read_agency_file(agencies_json, &mut diagnostics);
    let mut directory = AgencyDirectory::default();

    let province_id = AgencyId::parse("ubnd-tinh");
    if let Some(id) = province_id.clone() {
        let (name, gso_code) = match &units.province {
            Some((code, name)) => (format!("UBND {}", lower_first(name)), Some(*code)),
            None => ("UBND tỉnh".to_string(), None),
        };
        let aliases = file.province_aliases.iter().filter(|alias| **alias != name).cloned().collect();
        directory.agencies.push(Agency {
            id,
            name,
            aliases,
            kind: AgencyKind::Province,
            level: AdminLevel::Tinh,
            parent: None,
            gso_code,
            validity: Validity::default(),
        });
    }

    // Agencies of the agencies file; parents are checked once every id is known.
    let mut parents: Vec<(usize, u32, String)> = Vec::new();
    for (line, dto) in file.agencies {
        let Some(id) = AgencyId::parse(dto.id.trim()) else {
            diagnostics.push(Diagnostic::error(
                line,
                format!(
                    "{AGENCIES_LABEL} Mã cơ quan «{}» không hợp lệ (chỉ dùng chữ thường ASCII, số và '-'); bỏ qua.",
                    dto.id
                ),
            ));
            continue;
        };
        if directory.agency(&id).is_some() {
            diagnostics.push(Diagnostic::error(
                line,
                format!("{AGENCIES_LABEL} Mã cơ quan «{id}» bị trùng; bỏ qua bản ghi sau."),
            ));
            continue;
        }
        let name = clean(&dto.name);
        if name.is_empty() {
            diagnostics.push(Diagnostic::error(line, format!("{AGENCIES_LABEL} Cơ quan «{id}» không có tên; bỏ qua.")));
            continue;
        }
        let Some(kind) = AgencyKind::parse(dto.kind.trim()) else {
            diagnostics.push(Diagnostic::error(
                line,
                format!(
                    "{AGENCIES_LABEL} Cơ quan «{id}»: loại «{}» không hợp lệ (province, department, sectoral, district, commune, other); bỏ qua.",
                    dto.kind
                ),
            ));
            continue;
        };
        let level = match dto.level.as_deref().map(str::trim) {
            None => AdminLevel::Tinh,
            Some(text) => match AdminLevel::parse(text) {
                Some(level) => level,
                None => {
                    diagnostics.push(Diagnostic::error(
                        line,
                        format!(
                            "{AGENCIES_LABEL} Cơ quan «{id}»: cấp «{text}» không hợp lệ (tinh, huyen, xa); bỏ qua."
                        ),
                    ));
                    continue;
                }
            },
        };
        if let Some(parent) = dto.parent {
            parents.push((directory.agencies.len(), line, parent));
        }
        let aliases = clean_aliases(&dto.aliases).into_iter().filter(|alias| *alias != name).collect();
        directory.agencies.push(Agency {
            id,
            name,
            aliases,
            kind,
            level,
            parent: None,
            gso_code: None,
            validity: Validity::default(),
        });
    }

    // Administrative units.
    let push_unit = |directory: &mut AgencyDirectory,
                     diagnostics: &mut Vec<Diagnostic>,
                     id: String,
                     name: &str,
                     kind: AgencyKind,
                     parent: Option<AgencyId>,
                     code: u32| {
        let Some(id) = AgencyId::parse(&id) else {
            return;
        };
        if directory.agency(&id).is_some() {
            diagnostics.push(Diagnostic::error(
                line_of(units_json, name),
                format!("{UNITS_LABEL} Mã đơn vị «{id}» ({name}) bị trùng; bỏ qua."),
            ));
            return;
        }
        let level = if kind == AgencyKind::District { AdminLevel::Huyen } else { AdminLevel::Xa };
        directory.agencies.push(Agency {
            id,
            name: format!("UBND {}", lower_first(name)),
            aliases: vec![name.to_string()],
            kind,
            level,
            parent,
            gso_code: Some(code),
            validity: Validity::default(),
        });
    };
    let mut commune_rows: Vec<(u32, String, Option<AgencyId>)> = Vec::new();
    for ((code, name), communes) in &units.districts {
        let id = format!("ubnd-huyen-{code}");
        push_unit(&mut directory, &mut diagnostics, id.clone(), name, AgencyKind::District, None, *code);
        let parent = AgencyId::parse(&id);
        for (commune_code, commune_name) in communes {
            commune_rows.push((*commune_code, commune_name.clone(), parent.clone()));
        }
    }
    for (code, name) in &units.communes {
        commune_rows.push((*code, name.clone(), None));
    }
    for (code, name, parent) in commune_rows {
        push_unit(
            &mut directory,
            &mut diagnostics,
            format!("ubnd-xa-{code:05}"),
            &name,
            AgencyKind::Commune,
            parent,
            code,
        );
    }

    // Parents of the file's agencies.
    for (index, line, parent) in parents {
        match AgencyId::parse(parent.trim()) {
            Some(parent_id) if directory.agency(&parent_id).is_some() => {
                if let Some(agency) = directory.agencies.get_mut(index) {
                    agency.parent = Some(parent_id);
                }
            }
            _ => {
                let id = directory.agencies.get(index).map(|a| a.id.to_string()).unwrap_or_default();
                diagnostics.push(Diagnostic::warning(
                    line,
                    format!("{AGENCIES_LABEL} Cơ quan «{id}»: không có cơ quan cấp trên «{parent}»; bỏ qua."),
                ));
            }
        }
    }

    // Groups.
    for (line, dto) in file.groups {
        let Some(id) = GroupId::parse(dto.id.trim()) else {
            diagnostics
                .push(Diagnostic::error(line, format!("{AGENCIES_LABEL} Mã nhóm «{}» không hợp lệ; bỏ qua.", dto.id)));
            continue;
        };
        if directory.group(&id).is_some() {
            diagnostics.push(Diagnostic::error(
                line,
                format!("{AGENCIES_LABEL} Mã nhóm «{id}» bị trùng; bỏ qua bản ghi sau."),
            ));
            continue;
        }
        let name = clean(&dto.name);
        if name.is_empty() {
            diagnostics.push(Diagnostic::error(line, format!("{AGENCIES_LABEL} Nhóm «{id}» không có tên; bỏ qua.")));
            continue;
        }
        let mut kinds = Vec::new();
        for kind in &dto.kinds {
            match AgencyKind::parse(kind.trim()) {
                Some(kind) if !kinds.contains(&kind) => kinds.push(kind),
                Some(_) => {}
                None => diagnostics.push(Diagnostic::error(
                    line,
                    format!("{AGENCIES_LABEL} Nhóm «{id}»: loại «{kind}» không hợp lệ; bỏ qua loại này."),
                )),
            }
        }
        let mut members = Vec::new();
        for member in &dto.members {
            match AgencyId::parse(member.trim()) {
                Some(member) if directory.agency(&member).is_some() => {
                    if !members.contains(&member) {
                        members.push(member);
                    }
                }
                _ => diagnostics.push(Diagnostic::warning(
                    line,
                    format!("{AGENCIES_LABEL} Nhóm «{id}»: không có cơ quan «{member}»; bỏ qua thành viên này."),
                )),
            }
        }
        let aliases = clean_aliases(&dto.aliases).into_iter().filter(|alias| *alias != name).collect();
        directory.groups.push(AgencyGroup { id, name, aliases, kinds, members, until: None, successor: None });
    }

    diagnostics.extend(ambiguity_diagnostics(&directory));
    (directory, diagnostics)
}

/// Names that cannot be told apart make cells ambiguous: one warning per shared name.
pub fn ambiguity_diagnostics(directory: &AgencyDirectory) -> Vec<Diagnostic> {
    let matcher = AgencyMatcher::new(directory);
    matcher
        .truly_ambiguous()
        .into_iter()
        .map(|(key, entry)| {
            Diagnostic::warning(
                0,
                format!(
                    "{AGENCIES_LABEL} Tên «{key}» dùng chung cho: {}; ô ghi tên này sẽ không xác định được.",
                    matcher.describe_targets(&entry.targets)
                ),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Canonical tokens
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RawKind {
    /// A word (folded) or `&`.
    Word,
    /// Punctuation that ends a qualifier or a residue: `, ; . : ( ) …`.
    Boundary,
    /// Other punctuation (`-`, quotes, bullets): ignored.
    Soft,
}

#[derive(Debug, Clone)]
struct RawToken {
    /// Byte range in the cleaned cell.
    start: usize,
    end: usize,
    kind: RawKind,
    /// Folded word ("so", "ubnd", "&"); empty for punctuation.
    folded: String,
    /// Lower-case word with its diacritics ("sở"), to tell apart names that fold alike.
    lower: String,
}

impl RawToken {
    fn is_word_in(&self, words: &[&str]) -> bool {
        self.kind == RawKind::Word && words.contains(&self.folded.as_str())
    }
}

/// A canonical token and the raw tokens `[ra, rb)` it comes from.
#[derive(Debug, Clone)]
struct CanonToken {
    text: String,
    /// The same word with diacritics, lower case.
    exact: String,
    ra: usize,
    rb: usize,
}

const BOUNDARY_CHARS: &[char] = &[',', ';', '.', ':', '(', ')', '[', ']', '{', '}', '/', '\\', '|', '!', '?', '\n'];

/// Words dropped from canonical sequences: articles and conjunctions.
const DROPPED: &[&str] = &["cac", "va", "&"];

/// Words that carry no agency on their own when left over.
const FILLER: &[&str] = &["cac", "va", "&", "tinh", "cua", "voi", "cung"];

/// Abbreviation rules on folded words; longer patterns first.
const RULES: &[(&[&str], &[&str])] = &[
    (&["uy", "ban", "nhan", "dan"], &["ubnd"]),
    (&["hoi", "dong", "nhan", "dan"], &["hdnd"]),
    (&["tt", "&", "tt"], &["thong", "tin", "truyen", "thong"]),
    (&["kh", "&", "dt"], &["ke", "hoach", "dau", "tu"]),
    (&["ubmttq"], &["uy", "ban", "mat", "tran", "to", "quoc"]),
    (&["mttq"], &["mat", "tran", "to", "quoc"]),
    (&["dbqh"], &["dai", "bieu", "quoc", "hoi"]),
    (&["ptnt"], &["phat", "trien", "nong", "thon"]),
    (&["vp"], &["van", "phong"]),
    (&["tp"], &["thanh", "pho"]),
];

fn is_combining(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

fn tokenize(text: &str) -> Vec<RawToken> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_alphanumeric() {
            let mut end = start + c.len_utf8();
            while let Some(&(at, d)) = chars.peek() {
                if d.is_alphanumeric() || is_combining(d) {
                    end = at + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let run = &text[start..end];
            let folded = fold(run);
            let pieces: Vec<&str> = folded.split_whitespace().collect();
            for word in &pieces {
                let lower = if pieces.len() == 1 { run.to_lowercase() } else { (*word).to_string() };
                tokens.push(RawToken { start, end, kind: RawKind::Word, folded: (*word).to_string(), lower });
            }
        } else if c == '&' {
            tokens.push(RawToken {
                start,
                end: start + 1,
                kind: RawKind::Word,
                folded: "&".to_string(),
                lower: "&".to_string(),
            });
        } else if c.is_whitespace() || is_combining(c) {
            continue;
        } else {
            let kind = if BOUNDARY_CHARS.contains(&c) { RawKind::Boundary } else { RawKind::Soft };
            tokens.push(RawToken {
                start,
                end: start + c.len_utf8(),
                kind,
                folded: String::new(),
                lower: String::new(),
            });
        }
    }
    tokens
}

fn canonicalize(raw: &[RawToken]) -> Vec<CanonToken> {
    let words: Vec<(usize, &str, &str)> = raw
        .iter()
        .enumerate()
        .filter(|(_, t)| t.kind == RawKind::Word)
        .map(|(i, t)| (i, t.folded.as_str(), t.lower.as_str()))
        .collect();
    let mut out = Vec::new();
    let mut k = 0;
    'outer: while let Some(&(index, word, lower)) = words.get(k) {
        for (pattern, replacement) in RULES {
            let rest = &words[k..];
            if rest.len() >= pattern.len() && pattern.iter().zip(rest).all(|(p, (_, w, _))| p == w) {
                let ra = index;
                let rb = rest[pattern.len() - 1].0 + 1;
                out.extend(replacement.iter().map(|r| CanonToken {
                    text: (*r).to_string(),
                    exact: (*r).to_string(),
                    ra,
                    rb,
                }));
                k += pattern.len();
                continue 'outer;
            }
        }
        if !DROPPED.contains(&word) {
            out.push(CanonToken { text: word.to_string(), exact: lower.to_string(), ra: index, rb: index + 1 });
        }
        k += 1;
    }
    out
}

/// Canonical words of a name: "Sở Kế hoạch và Đầu tư" → so ke hoach dau tu.
fn canonical_words(text: &str) -> Vec<CanonToken> {
    canonicalize(&tokenize(&clean(text)))
}

fn join_texts(tokens: &[CanonToken]) -> String {
    tokens.iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ")
}

fn join_exact(tokens: &[CanonToken]) -> String {
    tokens.iter().map(|t| t.exact.as_str()).collect::<Vec<_>>().join(" ")
}

/// Lengths of the shorter forms a document may use: without a trailing "tỉnh Sơn La", "Sơn La"
/// or "tỉnh", as long as two words remain.
fn variant_lengths(words: &[CanonToken]) -> Vec<usize> {
    let n = words.len();
    let ends =
        |suffix: &[&str]| n >= suffix.len() && words[n - suffix.len()..].iter().zip(suffix).all(|(w, s)| w.text == *s);
    let cuts: &[usize] = if ends(&["tinh", "son", "la"]) {
        &[2, 3]
    } else if ends(&["son", "la"]) {
        &[2]
    } else if ends(&["tinh"]) {
        &[1]
    } else {
        &[]
    };
    cuts.iter().filter(|cut| n >= *cut + 2).map(|cut| n - cut).collect()
}

/// Levenshtein distance over chars, or `None` when it exceeds `limit`.
fn distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        let mut row_min = current[0];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
            row_min = row_min.min(current[j + 1]);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    let d = previous[b.len()];
    (d <= limit).then_some(d)
}

/// Typos tolerated on a name whose canonical form has `len` bytes.
fn allowed_typos(len: usize) -> usize {
    match len {
        0..=11 => 0,
        12..=19 => 1,
        _ => 2,
    }
}

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Agency(usize),
    Group(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Resolution {
    /// One agency, or several named jointly by an alias they share.
    Agencies(Vec<usize>),
    Group(usize),
    Ambiguous(Vec<Target>),
}

#[derive(Debug)]
struct Entry {
    /// Targets with whether the key is only an alias (not the name) of each.
    targets: Vec<Target>,
    resolution: Resolution,
}

#[derive(Debug)]
struct Phrase {
    words: Vec<String>,
    key: String,
    /// The words with their diacritics, lower case.
    exact: String,
    target: Target,
    /// Typos and truncation are tolerated (not for administrative units).
    tolerant: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    Exact,
    Typo,
    Truncated,
}

#[derive(Debug)]
struct Span {
    ra: usize,
    rb: usize,
    key: String,
    /// The matched words with their diacritics, lower case.
    exact: String,
    how: How,
}

/// Every known name of a directory, canonicalised.
#[derive(Debug)]
struct Index {
    phrases: Vec<Phrase>,
    entries: HashMap<String, Entry>,
    max_words: usize,
}

impl Index {
    fn build(directory: &AgencyDirectory) -> Index {
        let mut phrases = Vec::new();
        let mut seen: HashSet<(String, Target)> = HashSet::new();
        let mut sources: HashMap<String, Vec<(Target, bool)>> = HashMap::new();
        let mut add = |text: &str, target: Target, is_alias: bool, tolerant: bool| {
            let words = canonical_words(text);
            if words.is_empty() {
                return;
            }
            let mut lengths = vec![words.len()];
            if tolerant {
                lengths.extend(variant_lengths(&words));
            }
            for len in lengths {
                let form = &words[..len];
                let key = join_texts(form);
                let list = sources.entry(key.clone()).or_default();
                match list.iter_mut().find(|(t, _)| *t == target) {
                    Some(existing) => existing.1 &= is_alias,
                    None => list.push((target, is_alias)),
                }
                let exact = join_exact(form);
                if seen.insert((exact.clone(), target)) {
                    phrases.push(Phrase {
                        words: form.iter().map(|t| t.text.clone()).collect(),
                        key,
                        exact,
                        target,
                        tolerant,
                    });
                }
            }
        };
        for (index, agency) in directory.agencies.iter().enumerate() {
            let tolerant = !matches!(agency.kind, AgencyKind::District | AgencyKind::Commune);
            let target = Target::Agency(index);
            add(&agency.name, target, false, tolerant);
            for alias in &agency.aliases {
                add(alias, target, true, tolerant);
            }
        }
        for (index, group) in directory.groups.iter().enumerate() {
            let target = Target::Group(index);
            add(&group.name, target, false, true);
            for alias in &group.aliases {
                add(alias, target, true, true);
            }
        }
        let entries = sources
            .into_iter()
            .map(|(key, list)| {
                let resolution = resolve_targets(directory, &list);
                let targets = list.into_iter().map(|(t, _)| t).collect();
                (key, Entry { targets, resolution })
            })
            .collect();
        let max_words = phrases.iter().map(|p| p.words.len()).max().unwrap_or(0);
        Index { phrases, entries, max_words }
    }
}

/// The matching index of one directory, built once and shared: an `App` keeps one beside its
/// directory, so that resolving a name never rebuilds it.
#[derive(Debug, Clone)]
pub struct AgencyIndex(Arc<Index>);

impl AgencyIndex {
    pub fn build(directory: &AgencyDirectory) -> AgencyIndex {
        AgencyIndex(Arc::new(Index::build(directory)))
    }
}

/// Resolves cells and names against one directory. [`resolve_cell`] and [`find_agencies`] build
/// a matcher per call; code that resolves many names builds one ([`AgencyMatcher::new`], or
/// [`AgencyMatcher::with_index`] with a kept [`AgencyIndex`]).
#[derive(Debug, Clone)]
pub struct AgencyMatcher<'a> {
    directory: &'a AgencyDirectory,
    index: Arc<Index>,
}

impl<'a> AgencyMatcher<'a> {
    pub fn new(directory: &'a AgencyDirectory) -> AgencyMatcher<'a> {
        AgencyMatcher { directory, index: Arc::new(Index::build(directory)) }
    }

    /// A matcher over `directory` with an index built before (see [`AgencyIndex`]).
    pub fn with_index(directory: &'a AgencyDirectory, index: &AgencyIndex) -> AgencyMatcher<'a> {
        AgencyMatcher { directory, index: Arc::clone(&index.0) }
    }

    fn target_name(&self, target: Target) -> String {
        match target {
            Target::Agency(i) => {
                self.directory.agencies.get(i).map(|a| format!("{} ({})", a.name, a.id)).unwrap_or_default()
            }
            Target::Group(i) => {
                self.directory.groups.get(i).map(|g| format!("{} (nhóm {})", g.name, g.id)).unwrap_or_default()
            }
        }
    }

    fn describe_targets(&self, targets: &[Target]) -> String {
        targets.iter().map(|t| self.target_name(*t)).collect::<Vec<_>>().join("; ")
    }

    fn resolution_name(&self, resolution: &Resolution) -> String {
        match resolution {
            Resolution::Agencies(list) => list
                .iter()
                .filter_map(|i| self.directory.agencies.get(*i))
                .map(|a| a.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
            Resolution::Group(i) => self.directory.groups.get(*i).map(|g| g.name.clone()).unwrap_or_default(),
            Resolution::Ambiguous(targets) => self.describe_targets(targets),
        }
    }

    /// Splits a lead or partner cell into references; see [`resolve_cell`].
    pub fn resolve(&self, cell: &str, line: u32) -> (Vec<AgencyRef>, Vec<Diagnostic>) {
        let text = clean(cell);
        let raw = tokenize(&text);
        let canon = canonicalize(&raw);
        let spans = self.match_spans(&raw, &canon);
        let mut refs = Vec::new();
        let mut diagnostics = Vec::new();
        let slice = |a: usize, b: usize| -> String {
            match (raw.get(a), b.checked_sub(1).and_then(|last| raw.get(last))) {
                (Some(first), Some(last)) if first.start < last.end => text[first.start..last.end].to_string(),
                _ => String::new(),
            }
        };

        let mut pos = 0;
        for (k, span) in spans.iter().enumerate() {
            let mut start = span.ra;
            while start > pos && raw[start - 1].is_word_in(&["cac", "nhung"]) {
                start -= 1;
            }
            self.residue(&raw, pos, start, &slice, line, &mut refs, &mut diagnostics);
            let limit = spans.get(k + 1).map_or(raw.len(), |next| next.ra);
            let qualifier = qualifier(&raw, span.rb, limit);
            let end = qualifier.map_or(span.rb, |(_, qb)| qb);
            let fragment = slice(start, end);
            let matched = slice(start, span.rb);
            let Some(resolution) = self.resolution_of(&span.key, &span.exact) else {
                pos = end;
                continue;
            };
            let mut reference = AgencyRef { text: fragment.clone(), agencies: Vec::new(), groups: Vec::new() };
            match &resolution {
                Resolution::Agencies(list) => {
                    reference.agencies =
                        list.iter().filter_map(|i| self.directory.agencies.get(*i)).map(|a| a.id.clone()).collect();
                }
                Resolution::Group(i) => {
                    if let Some(group) = self.directory.groups.get(*i) {
                        reference.groups.push(group.id.clone());
                    }
                }
                Resolution::Ambiguous(targets) => {
                    diagnostics.push(Diagnostic::warning(
                        line,
                        format!(
                            "Không xác định được cơ quan: «{fragment}» (có thể là: {})",
                            self.describe_targets(targets)
                        ),
                    ));
                }
            }
            let understood = self.resolution_name(&resolution);
            match span.how {
                How::Exact => {}
                How::Typo => diagnostics.push(Diagnostic::info(
                    line,
                    format!("«{matched}» được hiểu là «{understood}» (sai khác chính tả)."),
                )),
                How::Truncated => diagnostics
                    .push(Diagnostic::info(line, format!("«{matched}» được hiểu là «{understood}» (tên bị cắt)."))),
            }
            if let Some((qa, qb)) = qualifier {
                let meaningful = raw[qa..qb]
                    .iter()
                    .any(|t| t.kind == RawKind::Word && !["tinh", "son", "la"].contains(&t.folded.as_str()));
                if meaningful {
                    diagnostics.push(Diagnostic::info(
                        line,
                        format!("Bỏ qua phần bổ nghĩa «{}» trong «{fragment}»: hiểu là «{understood}».", slice(qa, qb)),
                    ));
                }
            }
            refs.push(reference);
            pos = end;
        }
        self.residue(&raw, pos, raw.len(), &slice, line, &mut refs, &mut diagnostics);
        (refs, diagnostics)
    }

    /// Unmatched raw tokens `[from, to)`: every run between boundaries that holds more than
    /// filler becomes an unresolved reference with a warning.
    #[allow(clippy::too_many_arguments)]
    fn residue(
        &self,
        raw: &[RawToken],
        from: usize,
        to: usize,
        slice: &dyn Fn(usize, usize) -> String,
        line: u32,
        refs: &mut Vec<AgencyRef>,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let mut run_start = from;
        for i in from..=to {
            if i < to && raw[i].kind != RawKind::Boundary {
                continue;
            }
            let mut a = run_start;
            let mut b = i;
            let skip = |t: &RawToken| t.kind != RawKind::Word || t.is_word_in(FILLER);
            while a < b && skip(&raw[a]) {
                a += 1;
            }
            while b > a && skip(&raw[b - 1]) {
                b -= 1;
            }
            if a < b {
                let text = slice(a, b);
                diagnostics.push(Diagnostic::warning(line, format!("Không xác định được cơ quan: «{text}»")));
                refs.push(AgencyRef { text, agencies: Vec::new(), groups: Vec::new() });
            }
            run_start = i + 1;
        }
    }

    fn match_spans(&self, raw: &[RawToken], canon: &[CanonToken]) -> Vec<Span> {
        // A match may not end inside the expansion of one abbreviation.
        let valid_end = |e: usize| e == canon.len() || canon[e].ra >= canon[e - 1].rb;
        let mut spans = Vec::new();
        let mut i = 0;
        while i < canon.len() {
            let found = self
                .exact(canon, i, &valid_end)
                .map(|(len, key)| (len, key, How::Exact))
                .or_else(|| self.fuzzy(canon, i, &valid_end).map(|(len, key)| (len, key, How::Typo)))
                .or_else(|| self.truncated(raw, canon, i, &valid_end).map(|(len, key)| (len, key, How::Truncated)));
            match found {
                Some((len, key, how)) => {
                    spans.push(Span {
                        ra: canon[i].ra,
                        rb: canon[i + len - 1].rb,
                        key,
                        exact: join_exact(&canon[i..i + len]),
                        how,
                    });
                    i += len;
                }
                None => {
                    let rb = canon[i].rb;
                    i += 1;
                    while i < canon.len() && canon[i].ra < rb {
                        i += 1;
                    }
                }
            }
        }
        spans
    }

    fn window(canon: &[CanonToken], i: usize, len: usize) -> String {
        join_texts(&canon[i..i + len])
    }

    /// The resolution of `key`; a key shared by names that differ only in diacritics
    /// ("xã Mường Sại", "xã Mường Sai") is narrowed down by the words as written.
    fn resolution_of(&self, key: &str, exact: &str) -> Option<Resolution> {
        let entry = self.index.entries.get(key)?;
        if !matches!(entry.resolution, Resolution::Ambiguous(_)) {
            return Some(entry.resolution.clone());
        }
        let mut targets: Vec<Target> =
            self.index.phrases.iter().filter(|p| p.key == key && p.exact == exact).map(|p| p.target).collect();
        targets.dedup();
        Some(match targets.as_slice() {
            [Target::Agency(i)] => Resolution::Agencies(vec![*i]),
            [Target::Group(g)] => Resolution::Group(*g),
            _ => entry.resolution.clone(),
        })
    }

    /// Keys that stay ambiguous even with diacritics.
    fn truly_ambiguous(&self) -> Vec<(&String, &Entry)> {
        let mut out: Vec<(&String, &Entry)> = self
            .index
            .entries
            .iter()
            .filter(|(key, entry)| {
                matches!(entry.resolution, Resolution::Ambiguous(_))
                    && self.index.phrases.iter().filter(|p| &p.key == *key).any(|p| {
                        self.index.phrases.iter().any(|q| q.key == p.key && q.exact == p.exact && q.target != p.target)
                    })
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    fn exact(&self, canon: &[CanonToken], i: usize, valid_end: &dyn Fn(usize) -> bool) -> Option<(usize, String)> {
        let longest = self.index.max_words.min(canon.len() - i);
        (1..=longest).rev().find_map(|len| {
            if !valid_end(i + len) {
                return None;
            }
            let key = Self::window(canon, i, len);
            self.index.entries.contains_key(&key).then_some((len, key))
        })
    }

    fn fuzzy(&self, canon: &[CanonToken], i: usize, valid_end: &dyn Fn(usize) -> bool) -> Option<(usize, String)> {
        // (distance, words consumed, key)
        let mut best: Vec<(usize, usize, &str)> = Vec::new();
        for phrase in self.index.phrases.iter().filter(|p| p.tolerant) {
            let limit = allowed_typos(phrase.key.len());
            if limit == 0 {
                continue;
            }
            let n = phrase.words.len();
            for len in n.saturating_sub(1).max(1)..=n + 1 {
                if i + len > canon.len() || !valid_end(i + len) {
                    continue;
                }
                let window = Self::window(canon, i, len);
                let Some(d) = distance_within(&window, &phrase.key, limit) else {
                    continue;
                };
                let candidate = (d, len, phrase.key.as_str());
                match best.first() {
                    Some(&(bd, bl, _)) if (d, std::cmp::Reverse(len)) > (bd, std::cmp::Reverse(bl)) => {}
                    Some(&(bd, bl, _)) if (d, len) == (bd, bl) => best.push(candidate),
                    _ => best = vec![candidate],
                }
            }
        }
        let (_, len, key) = *best.first()?;
        let first = &self.index.entries.get(key)?.resolution;
        best.iter()
            .all(|(_, _, k)| self.index.entries.get(*k).is_some_and(|e| &e.resolution == first))
            .then(|| (len, key.to_string()))
    }

    /// A name cut off at the end of the cell or before a boundary ("Sở Thông tin"): accepted
    /// when it covers at least three words and half of exactly one name.
    fn truncated(
        &self,
        raw: &[RawToken],
        canon: &[CanonToken],
        i: usize,
        valid_end: &dyn Fn(usize) -> bool,
    ) -> Option<(usize, String)> {
        let longest = self.index.max_words.min(canon.len() - i);
        for len in (3..=longest).rev() {
            if !valid_end(i + len) {
                continue;
            }
            let after = raw[canon[i + len - 1].rb..].iter().find(|t| t.kind != RawKind::Soft);
            if after.is_some_and(|t| t.kind != RawKind::Boundary) {
                continue;
            }
            let window: Vec<&str> = canon[i..i + len].iter().map(|t| t.text.as_str()).collect();
            let candidates: Vec<&Phrase> = self
                .index
                .phrases
                .iter()
                .filter(|p| {
                    p.tolerant
                        && p.words.len() > len
                        && 2 * len >= p.words.len()
                        && p.words.iter().zip(&window).all(|(a, b)| a == b)
                })
                .collect();
            let Some(first) = candidates.first() else {
                continue;
            };
            let first_resolution = &self.index.entries.get(&first.key)?.resolution;
            if candidates
                .iter()
                .all(|p| self.index.entries.get(&p.key).is_some_and(|e| &e.resolution == first_resolution))
                && !matches!(first_resolution, Resolution::Ambiguous(_))
            {
                return Some((len, first.key.clone()));
            }
        }
        None
    }

    /// See [`find_agencies`].
    pub fn find(&self, query: &str) -> Vec<&'a Agency> {
        let query = query.trim();
        if query.is_empty() {
            return Vec::new();
        }
        let agencies = &self.directory.agencies;
        if let Some(agency) = agencies.iter().find(|a| a.id.as_str() == query) {
            return vec![agency];
        }
        let words = canonical_words(query);
        let key = join_texts(&words);
        let exact_key = join_exact(&words);
        if key.is_empty() {
            return Vec::new();
        }
        let collect = |mut indices: Vec<usize>| -> Vec<&'a Agency> {
            indices.sort_unstable();
            indices.dedup();
            indices.into_iter().filter_map(|i| agencies.get(i)).collect()
        };
        let agency_phrases = || {
            self.index.phrases.iter().filter_map(|p| match p.target {
                Target::Agency(i) => Some((i, p)),
                Target::Group(_) => None,
            })
        };
        // Exact name or alias.
        let same: Vec<(usize, &Phrase)> = agency_phrases().filter(|(_, p)| p.key == key).collect();
        if !same.is_empty() {
            let mut indices: Vec<usize> = same.iter().map(|(i, _)| *i).collect();
            indices.sort_unstable();
            indices.dedup();
            if indices.len() > 1 {
                // Names that fold alike: the diacritics as written decide, when they can.
                let written: Vec<usize> = same.iter().filter(|(_, p)| p.exact == exact_key).map(|(i, _)| *i).collect();
                if !written.is_empty() {
                    return collect(written);
                }
            }
            return collect(indices);
        }
        // Closest name within the tolerated typos.
        let mut best: Option<usize> = None;
        let mut closest = Vec::new();
        for (i, phrase) in agency_phrases() {
            let limit = allowed_typos(phrase.key.len().max(key.len()));
            if let Some(d) = distance_within(&key, &phrase.key, limit) {
                match best {
                    Some(b) if d > b => {}
                    Some(b) if d == b => closest.push(i),
                    _ => {
                        best = Some(d);
                        closest = vec![i];
                    }
                }
            }
        }
        if !closest.is_empty() {
            return collect(closest);
        }
        // Substring of a name, an alias or an id.
        let folded = fold(query);
        let slug = folded.replace(' ', "-");
        let containing: Vec<usize> = agencies
            .iter()
            .enumerate()
            .filter(|(i, a)| {
                a.id.as_str().contains(&slug)
                    || fold(&a.name).contains(&folded)
                    || a.aliases.iter().any(|al| fold(al).contains(&folded))
                    || agency_phrases().any(|(j, p)| j == *i && p.key.contains(&key))
            })
            .map(|(i, _)| i)
            .collect();
        collect(containing)
    }
}

fn resolve_targets(directory: &AgencyDirectory, list: &[(Target, bool)]) -> Resolution {
    match list {
        [(Target::Agency(i), _)] => Resolution::Agencies(vec![*i]),
        [(Target::Group(g), _)] => Resolution::Group(*g),
        _ => {
            let joint: Option<Vec<usize>> = list
                .iter()
                .map(|(target, is_alias)| match target {
                    Target::Agency(i)
                        if *is_alias
                            && directory
                                .agencies
                                .get(*i)
                                .is_some_and(|a| !matches!(a.kind, AgencyKind::District | AgencyKind::Commune)) =>
                    {
                        Some(*i)
                    }
                    _ => None,
                })
                .collect();
            match joint {
                Some(mut indices) if !indices.is_empty() => {
                    indices.sort_unstable();
                    Resolution::Agencies(indices)
                }
                _ => Resolution::Ambiguous(list.iter().map(|(t, _)| *t).collect()),
            }
        }
    }
}

/// Words right after a match, up to the next boundary, that qualify it ("… được kiểm tra",
/// "… cấp DVCTT"). They do not start with a conjunction.
fn qualifier(raw: &[RawToken], from: usize, limit: usize) -> Option<(usize, usize)> {
    let limit = limit.min(raw.len());
    let mut qa = from;
    while qa < limit && raw[qa].kind == RawKind::Soft {
        qa += 1;
    }
    if qa >= limit || raw[qa].kind != RawKind::Word || raw[qa].is_word_in(DROPPED) {
        return None;
    }
    let mut qb = qa;
    while qb < limit && raw[qb].kind != RawKind::Boundary {
        qb += 1;
    }
    while qb > qa && (raw[qb - 1].kind == RawKind::Soft || raw[qb - 1].is_word_in(DROPPED)) {
        qb -= 1;
    }
    (qa < qb).then_some((qa, qb))
}

/// Splits a "Chủ trì" or "Phối hợp" cell into references.
///
/// One [`AgencyRef`] per recognised name, with `text` the fragment as printed (including a
/// leading "Các" and any qualifier the plan appends, e.g. "UBND xã, phường, thị trấn được kiểm
/// tra"). A dropped qualifier, a corrected typo or a truncated name gives an Info diagnostic on
/// `line`. Text that names no known agency becomes a reference with neither agencies nor groups
/// and a Warning "Không xác định được cơ quan: «…»". Never panics.
pub fn resolve_cell(directory: &AgencyDirectory, cell: &str, line: u32) -> (Vec<AgencyRef>, Vec<Diagnostic>) {
    AgencyMatcher::new(directory).resolve(cell, line)
}

/// Agencies matching a `--agency NAME` filter: the agency whose id is `query`; else those whose
/// name or alias equals it (accents, case, punctuation and abbreviations ignored); else the
/// closest names within a small edit distance; else those whose id, name or alias contains it.
/// More than one result means the query is ambiguous; none means nothing matched.
pub fn find_agencies<'a>(directory: &'a AgencyDirectory, query: &str) -> Vec<&'a Agency> {
    AgencyMatcher::new(directory).find(query)
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use cchc_domain::Severity;
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn every_unit_name_starts_with_a_capital_letter_after_its_prefix() {
        for (file, source) in
            [("2024", EMBEDDED_UNITS_2024_JSON), ("2025", include_str!("../data/son-la-units-2025.json"))]
        {
            let mut diagnostics = Vec::new();
            let units = read_units(source, &mut diagnostics);
            let names: Vec<&String> = units
                .districts
                .iter()
                .flat_map(|((_, d), communes)| std::iter::once(d).chain(communes.iter().map(|(_, c)| c)))
                .chain(units.communes.iter().map(|(_, c)| c))
                .collect();
            assert!(names.len() > 70, "{file}: {}", names.len());
            for name in names {
                let proper = unit_proper_name(name).unwrap_or_else(|| panic!("{file}: «{name}» has no prefix"));
                for word in proper.split(' ') {
                    assert!(word.chars().next().is_some_and(char::is_uppercase), "{file}: «{name}»");
                }
            }
            assert!(diagnostics.is_empty(), "{file}: {diagnostics:?}");
        }
        let mut diagnostics = Vec::new();
        check_unit_name("Xã Nậm ét", 7, &mut diagnostics);
        check_unit_name("Xã Nậm Ét", 8, &mut diagnostics);
        check_unit_name("Làng Mới", 9, &mut diagnostics);
        assert_eq!(diagnostics.iter().map(|d| d.line).collect::<Vec<_>>(), vec![7, 9]);
        let (directory, _) = son_la_2024();
        for name in ["UBND xã É Tòng", "UBND xã Nậm Ét", "UBND xã Mường É"] {
            assert!(directory.agencies.iter().any(|a| a.name == name), "{name}");
        }
    }

    fn directory() -> &'static AgencyDirectory {
        static DIRECTORY: OnceLock<AgencyDirectory> = OnceLock::new();
        DIRECTORY.get_or_init(|| son_la_2024().0)
    }

    fn ids(refs: &[AgencyRef]) -> Vec<(Vec<String>, Vec<String>)> {
        refs.iter()
            .map(|r| {
                (r.agencies.iter().map(|a| a.to_string()).collect(), r.groups.iter().map(|g| g.to_string()).collect())
            })
            .collect()
    }

    fn agency(id: &str) -> (Vec<String>, Vec<String>) {
        (vec![id.to_string()], Vec::new())
    }

    fn group(id: &str) -> (Vec<String>, Vec<String>) {
        (Vec::new(), vec![id.to_string()])
    }

    fn warnings(diagnostics: &[Diagnostic]) -> Vec<&Diagnostic> {
        diagnostics.iter().filter(|d| d.severity >= Severity::Warning).collect()
    }

    fn count(kind: AgencyKind) -> usize {
        directory().agencies.iter().filter(|a| a.kind == kind).count()
    }

    #[test]
    fn embedded_directory_loads_cleanly() {
        let (directory, diagnostics) = son_la_2024();
        assert!(warnings(&diagnostics).is_empty(), "{diagnostics:#?}");
        assert_eq!(count(AgencyKind::Province), 1);
        assert_eq!(count(AgencyKind::District), 12);
        assert_eq!(count(AgencyKind::Commune), 204);
        let departments = GroupId::parse("departments").unwrap();
        let n = directory.members(&departments).len();
        assert!((20..=30).contains(&n), "{n} departments");
        for id in
            ["departments", "districts", "communes", "sectoral", "related", "all-agencies", "public-service-units"]
        {
            assert!(directory.group(&GroupId::parse(id).unwrap()).is_some(), "{id}");
        }
        assert_eq!(directory.members(&GroupId::parse("sectoral").unwrap()).len(), 5);
        let mut seen = std::collections::HashSet::new();
        for a in &directory.agencies {
            assert!(seen.insert(a.id.clone()), "duplicate {}", a.id);
        }
    }

    #[test]
    fn units_become_peoples_committees() {
        let d = directory();
        let province = d.agency(&AgencyId::parse("ubnd-tinh").unwrap()).unwrap();
        assert_eq!(province.name, "UBND tỉnh Sơn La");
        assert_eq!(province.gso_code, Some(14));
        assert_eq!(province.kind, AgencyKind::Province);
        let city = d.agency(&AgencyId::parse("ubnd-huyen-116").unwrap()).unwrap();
        assert_eq!(city.name, "UBND thành phố Sơn La");
        assert_eq!(city.level, AdminLevel::Huyen);
        let mai_son = d.agency(&AgencyId::parse("ubnd-huyen-125").unwrap()).unwrap();
        assert_eq!(mai_son.name, "UBND huyện Mai Sơn");
        assert_eq!(mai_son.gso_code, Some(125));
        let ward = d.agency(&AgencyId::parse("ubnd-xa-03646").unwrap()).unwrap();
        assert_eq!(ward.name, "UBND phường Chiềng Lề");
        assert_eq!(ward.kind, AgencyKind::Commune);
        assert_eq!(ward.level, AdminLevel::Xa);
        assert_eq!(ward.parent, AgencyId::parse("ubnd-huyen-116"));
        assert!(d.agencies.iter().any(|a| a.name.starts_with("UBND thị trấn ") && a.kind == AgencyKind::Commune));
        let centre = d.agency(&AgencyId::parse("trung-tam-phuc-vu-hanh-chinh-cong").unwrap()).unwrap();
        assert_eq!(centre.parent, AgencyId::parse("van-phong-ubnd-tinh"));
    }

    /// Every distinct lead and partner cell of the 2024 plan, continuation rows joined.
    const SEED_CELLS: &[&str] = &[
        "- Các cơ quan, đơn vị có liên quan",
        "Ban Quản lý các khu công nghiệp",
        "Các Sở, ban, ngành, UBND các huyện, thành phố",
        "Các cơ quan hành chính nhà nước, các đơn vị sự nghiệp công lập trên địa bàn tỉnh",
        "Các cơ quan, đơn vị có liên quan",
        "Các cơ quan, địa phương, đơn vị",
        "Các sở, ban ngành; UBND các huyện, thành phố; UBND các xã, phường, thị trấn.",
        "Các sở, ban ngành; UBND các huyện, thành phố; UBND các xã, phường, thị trấn; các cơ quan, đơn vị",
        "Các sở, ban, ngành",
        "Các sở, ban, ngành tham mưu xây dựng văn bản, Văn phòng HĐND, UBND tỉnh",
        "Các sở, ban, ngành thuộc UBND tỉnh",
        "Các sở, ban, ngành, UBND các huyện, thành phố",
        "Các sở, ban, ngành, UBND các huyện, thành phố; UBND xã, phường, thị trấn được kiểm tra",
        "Các sở, ban, ngành, UBND cấp huyện, UBND cấp xã",
        "Các sở, ban, ngành; UBND các huyện thành phố",
        "Các sở, ban, ngành; UBND các huyện thành phố; UBND các xã, phường, thị trấn",
        "Các sở, ban, ngành; UBND các huyện thành phố; các cơ quan đơn vị có liên quan",
        "Các sở, ban, ngành; UBND các huyện thành phố; các đơn vị sự nghiệp công lập thuộc tỉnh",
        "Các sở, ban, ngành; UBND các huyện, thành phố",
        "Các sở, ban, ngành; UBND các huyện, thành phố cấp DVCTT",
        "Hiệp hội doanh nghiệp tỉnh; các sở, ban, ngành; UBND các huyện, thành phố",
        "Sở Công Thương",
        "Sở Giáo dục và Đào tạo",
        "Sở Khoa học và Công nghệ",
        "Sở Kế hoạch và Đầu tư",
        "Sở Kế hoạch và Đầu tư; Sở Thông tin và Truyền thông",
        "Sở Lao động - Thương binh và xã hội",
        "Sở Nội vụ",
        "Sở Nội vụ, UBND các huyện thành phố; các cơ quan, đơn vị có liên quan",
        "Sở Nội vụ; các cơ quan, đơn vị có liên quan",
        "Sở Thông tin và Truyền thông",
        "Sở Thông tin và Truyền thông; UBND các huyện, thành phố",
        "Sở Tài chính",
        "Sở Tài chính, Sở Thông tin và Truyền thông",
        "Sở Tư pháp",
        "Sở Y tế",
        "Sở nông nghiệp và PTNT",
        "Sở, ban, ngành tỉnh; UBND cấp huyện; UBND cấp xã",
        "Sở, ban, ngành, UBND các huyện, thành phố",
        "Văn phòng Chính phủ; các sở, ban, ngành; các cơ quan, đơn vị có liên quan",
        "Văn phòng UBND tỉnh",
        "Văn phòng UBND tỉnh, các sở, ban, ngành; UBND các huyện, thành phố,",
        "Văn phòng UBND tỉnh; Sở Thông tin và Truyền thông",
        "Văn phòng UBND tỉnh; Sở Thông tin và Truyền thông; các cơ quan, đơn vị có liên quan",
        "Văn phòng UBND tỉnh; UBND các huyện, thành phố",
        // Halves of cells split across a page, as they appear before joining.
        "Sở Thông tin",
        "Văn phòng UBND tỉnh; Sở Thông tin",
        "Các sở, ban ngành;",
    ];

    fn assert_resolves(cell: &str) {
        let (refs, diagnostics) = resolve_cell(directory(), cell, 7);
        assert!(warnings(&diagnostics).is_empty(), "{cell:?}: {diagnostics:#?}");
        assert!(!refs.is_empty(), "{cell:?}");
        for r in &refs {
            assert!(!r.agencies.is_empty() || !r.groups.is_empty(), "{cell:?}: {r:?}");
            assert!(cell.contains(&r.text), "{cell:?} does not contain {:?}", r.text);
        }
    }

    #[test]
    fn every_seed_cell_resolves_without_warning() {
        for cell in SEED_CELLS {
            assert_resolves(cell);
        }
    }

    /// Columns 4 and 5 of the appendix rows, continuation rows (empty STT) joined with a space.
    fn seed_cells(text: &str) -> Vec<(u32, String)> {
        let mut rows: Vec<(u32, [String; 2])> = Vec::new();
        let mut open = false;
        let mut in_table = false;
        for (index, line) in text.lines().enumerate() {
            let cells: Vec<&str> = line.split('\t').map(str::trim).collect();
            if cells.first() == Some(&"STT") {
                in_table = true;
                continue;
            }
            if !in_table || cells.len() < 5 {
                continue;
            }
            let line_no = u32::try_from(index + 1).unwrap();
            if cells[0].is_empty() {
                if let (true, Some((_, row))) = (open, rows.last_mut()) {
                    for (slot, piece) in row.iter_mut().zip([cells[3], cells[4]]) {
                        if !piece.is_empty() {
                            if !slot.is_empty() {
                                slot.push(' ');
                            }
                            slot.push_str(piece);
                        }
                    }
                }
            } else if cells[0].bytes().all(|b| b.is_ascii_digit()) {
                rows.push((line_no, [cells[3].to_string(), cells[4].to_string()]));
                open = true;
            } else {
                open = false;
            }
        }
        rows.into_iter()
            .flat_map(|(line, [lead, partners])| [(line, lead), (line, partners)])
            .filter(|(_, cell)| !cell.is_empty())
            .collect()
    }

    #[test]
    fn every_cell_of_the_seed_file_resolves_without_warning() {
        // The embedded copy: a test that reads ../shared would silently pass in a fresh clone.
        let text = cchc_domain::text::normalize_document(crate::SON_LA_2024_PLAN);
        let cells = seed_cells(&text);
        assert!(cells.len() > 150, "{} cells", cells.len());
        let mut distinct: Vec<&str> = cells.iter().map(|(_, c)| c.as_str()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        for cell in &distinct {
            assert_resolves(cell);
            assert!(SEED_CELLS.contains(cell), "not in SEED_CELLS: {cell:?}");
        }
        assert!(cells.iter().any(|(_, c)| c == "Các sở, ban, ngành; UBND các huyện, thành phố"));
    }

    #[test]
    fn specific_cells() {
        let d = directory();
        let (refs, _) = resolve_cell(d, "Sở Tư pháp", 1);
        assert_eq!(ids(&refs), vec![agency("so-tu-phap")]);
        assert_eq!(refs[0].text, "Sở Tư pháp");

        let (refs, diagnostics) = resolve_cell(d, "Các sở, ban, ngành, UBND các huyện, thành phố", 1);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(ids(&refs), vec![group("departments"), group("districts")]);
        assert_eq!(refs[0].text, "Các sở, ban, ngành");
        assert_eq!(refs[1].text, "UBND các huyện, thành phố");

        let (refs, _) = resolve_cell(d, "Văn phòng Chính phủ; các sở, ban, ngành; các cơ quan, đơn vị có liên quan", 1);
        assert_eq!(ids(&refs), vec![agency("van-phong-chinh-phu"), group("departments"), group("related")]);
        assert_eq!(refs[1].text, "các sở, ban, ngành");
        assert_eq!(refs[2].text, "các cơ quan, đơn vị có liên quan");

        for cell in ["Sở nông nghiệp và PTNT", "Sở NN&PTNT", "Sở Nông nghiệp và Phát triển nông thôn"]
        {
            let (refs, _) = resolve_cell(d, cell, 1);
            assert_eq!(ids(&refs), vec![agency("so-nong-nghiep-phat-trien-nong-thon")], "{cell}");
        }
        for cell in ["Sở TT&TT", "Sở TT & TT", "Sở Thông tin và Truyền thông"] {
            let (refs, _) = resolve_cell(d, cell, 1);
            assert_eq!(ids(&refs), vec![agency("so-thong-tin-truyen-thong")], "{cell}");
        }
        let (refs, _) = resolve_cell(d, "Sở KH&ĐT, Sở LĐ-TB&XH", 1);
        assert_eq!(ids(&refs), vec![agency("so-ke-hoach-dau-tu"), agency("so-lao-dong-thuong-binh-xa-hoi")]);
        let (refs, _) = resolve_cell(d, "VP UBND tỉnh; Ủy ban nhân dân tỉnh", 1);
        assert_eq!(ids(&refs), vec![agency("van-phong-ubnd-tinh"), agency("ubnd-tinh")]);
    }

    #[test]
    fn joint_name_means_both_offices() {
        let (refs, diagnostics) =
            resolve_cell(directory(), "Các sở, ban, ngành tham mưu xây dựng văn bản, Văn phòng HĐND, UBND tỉnh", 4);
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].groups, vec![GroupId::parse("departments").unwrap()]);
        assert_eq!(refs[0].text, "Các sở, ban, ngành tham mưu xây dựng văn bản");
        assert_eq!(refs[1].text, "Văn phòng HĐND, UBND tỉnh");
        let mut joint: Vec<&str> = refs[1].agencies.iter().map(|a| a.as_str()).collect();
        joint.sort_unstable();
        assert_eq!(joint, vec!["van-phong-hdnd-tinh", "van-phong-ubnd-tinh"]);
        assert!(diagnostics
            .iter()
            .any(|d| d.severity == Severity::Info && d.line == 4 && d.message.contains("tham mưu")));
        assert!(warnings(&diagnostics).is_empty());
    }

    #[test]
    fn qualifiers_are_kept_in_the_text_and_reported() {
        let d = directory();
        let (refs, diagnostics) = resolve_cell(
            d,
            "Các sở, ban, ngành, UBND các huyện, thành phố; UBND xã, phường, thị trấn được kiểm tra",
            9,
        );
        assert_eq!(ids(&refs), vec![group("departments"), group("districts"), group("communes")]);
        assert_eq!(refs[2].text, "UBND xã, phường, thị trấn được kiểm tra");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].severity, Severity::Info);

        let (refs, _) = resolve_cell(d, "Các sở, ban, ngành; UBND các huyện, thành phố cấp DVCTT", 9);
        assert_eq!(ids(&refs), vec![group("departments"), group("districts")]);
        assert_eq!(refs[1].text, "UBND các huyện, thành phố cấp DVCTT");

        let (refs, diagnostics) = resolve_cell(d, "Các sở, ban, ngành thuộc UBND tỉnh", 9);
        assert_eq!(ids(&refs), vec![group("departments")]);
        assert!(diagnostics.is_empty());
    }

    #[test]
    fn typos_and_truncations_are_tolerated() {
        let d = directory();
        let cases = [
            ("Các sở, ban ngành", group("departments")),
            ("Sở, ban, ngành tỉnh", group("departments")),
            ("Các sở ban nghành", group("departments")),
            ("UBND các huyện thành phố", group("districts")),
            ("UBND các huyện, thàng phố", group("districts")),
            ("Các cơ quan đơn vị có liên quan.", group("related")),
            ("Sở Nông nghiệp và Phát triển nông thôm", agency("so-nong-nghiep-phat-trien-nong-thon")),
            ("Sở Kế hoạch Đầu tư", agency("so-ke-hoach-dau-tu")),
            ("Sở Giáo dụcc và Đào tạo", agency("so-giao-duc-dao-tao")),
            ("Sở Lao động, Thương binh & Xã hội", agency("so-lao-dong-thuong-binh-xa-hoi")),
        ];
        for (cell, expected) in cases {
            let (refs, diagnostics) = resolve_cell(d, cell, 1);
            assert!(warnings(&diagnostics).is_empty(), "{cell}: {diagnostics:?}");
            assert_eq!(ids(&refs), vec![expected], "{cell}");
        }
        let (refs, diagnostics) = resolve_cell(d, "Sở Thông tin", 1);
        assert_eq!(ids(&refs), vec![agency("so-thong-tin-truyen-thong")]);
        assert!(diagnostics.iter().all(|d| d.severity == Severity::Info));
        // Names of administrative units are never corrected.
        let (refs, diagnostics) = resolve_cell(d, "UBND huyện Mai Sơnn", 1);
        assert!(refs[0].agencies.is_empty());
        assert_eq!(warnings(&diagnostics).len(), 1);
        // Ministries and departments with the same name part are not confused.
        let (refs, _) = resolve_cell(d, "Bộ Khoa học và Công nghệ; Sở Khoa học và Công nghệ", 1);
        assert_eq!(ids(&refs), vec![agency("bo-khoa-hoc-cong-nghe"), agency("so-khoa-hoc-cong-nghe")]);
    }

    #[test]
    fn units_resolve_by_name() {
        let (refs, diagnostics) = resolve_cell(
            directory(),
            "UBND huyện Mai Sơn, Ủy ban nhân dân thành phố Sơn La và UBND phường Chiềng Lề",
            1,
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(ids(&refs), vec![agency("ubnd-huyen-125"), agency("ubnd-huyen-116"), agency("ubnd-xa-03646")]);
    }

    #[test]
    fn communes_that_fold_alike_are_told_apart_by_diacritics() {
        let d = directory();
        let (refs, diagnostics) = resolve_cell(d, "UBND xã Mường Sại; UBND xã Mường Sai; xã Chiềng Đông", 1);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(ids(&refs), vec![agency("ubnd-xa-03709"), agency("ubnd-xa-04213"), agency("ubnd-xa-04063")]);
        // Written without diacritics the name is ambiguous: a warning naming both.
        let (refs, diagnostics) = resolve_cell(d, "UBND xa Muong Sai", 1);
        assert!(refs[0].agencies.is_empty());
        assert_eq!(warnings(&diagnostics).len(), 1);
        assert!(diagnostics[0].message.contains("ubnd-xa-03709") && diagnostics[0].message.contains("ubnd-xa-04213"));
        let found: Vec<&str> = find_agencies(d, "xã Mường Sại").iter().map(|a| a.id.as_str()).collect();
        assert_eq!(found, vec!["ubnd-xa-03709"]);
        assert_eq!(find_agencies(d, "xa muong sai").len(), 2);
    }

    #[test]
    fn a_matcher_can_be_reused() {
        let matcher = AgencyMatcher::new(directory());
        let (refs, _) = matcher.resolve("Sở Y tế", 1);
        assert_eq!(ids(&refs), vec![agency("so-y-te")]);
        assert_eq!(matcher.find("so y te").len(), 1);
    }

    #[test]
    fn garbage_gives_a_warning() {
        let d = directory();
        let (refs, diagnostics) = resolve_cell(d, "Công ty TNHH Một Thành Viên Xyz", 12);
        assert_eq!(refs.len(), 1);
        assert!(refs[0].agencies.is_empty() && refs[0].groups.is_empty());
        assert_eq!(refs[0].text, "Công ty TNHH Một Thành Viên Xyz");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].severity, Severity::Warning);
        assert_eq!(diagnostics[0].line, 12);
        assert_eq!(diagnostics[0].message, "Không xác định được cơ quan: «Công ty TNHH Một Thành Viên Xyz»");

        let (refs, diagnostics) = resolve_cell(d, "Sở Nội vụ; Phòng XYZ và các đơn vị khác", 3);
        assert_eq!(refs.len(), 2);
        assert_eq!(ids(&refs)[0], agency("so-noi-vu"));
        assert_eq!(refs[1].text, "Phòng XYZ và các đơn vị khác");
        assert_eq!(warnings(&diagnostics).len(), 1);

        for empty in ["", "   ", ";", "- , và"] {
            let (refs, diagnostics) = resolve_cell(d, empty, 1);
            assert!(refs.is_empty() && diagnostics.is_empty(), "{empty:?}");
        }
    }

    #[test]
    fn find_agencies_by_id_name_alias_and_fuzzy() {
        let d = directory();
        let one = |q: &str| -> Vec<String> { find_agencies(d, q).iter().map(|a| a.id.to_string()).collect() };
        assert_eq!(one("so noi vu"), vec!["so-noi-vu"]);
        assert_eq!(one("so-noi-vu"), vec!["so-noi-vu"]);
        assert_eq!(one("SỞ NỘI VỤ"), vec!["so-noi-vu"]);
        assert_eq!(one("Sở TT&TT"), vec!["so-thong-tin-truyen-thong"]);
        assert_eq!(one("ubnd-huyen-125"), vec!["ubnd-huyen-125"]);
        assert_eq!(one("UBND huyện Mai Sơn"), vec!["ubnd-huyen-125"]);
        assert_eq!(one("Sở Giáo dục và Đào tạoo"), vec!["so-giao-duc-dao-tao"]);
        assert_eq!(one("UBND tỉnh"), vec!["ubnd-tinh"]);
        let ambiguous = one("nội vụ");
        assert!(ambiguous.contains(&"so-noi-vu".to_string()));
        assert!(ambiguous.contains(&"bo-noi-vu".to_string()));
        assert!(one("khong co co quan nay").is_empty());
        assert!(one("").is_empty());
        assert!(one("&&").is_empty());
    }

    #[test]
    fn bad_input_files_give_diagnostics_not_panics() {
        let (directory, diagnostics) = load_directory("{ not json", "[1, 2");
        assert_eq!(directory.agencies.len(), 1, "the province is always there");
        assert_eq!(diagnostics.iter().filter(|d| d.severity == Severity::Error).count(), 2);
        assert!(diagnostics.iter().all(|d| d.line > 0));

        let units = r#"{"province": {"code": 14, "name": "Tỉnh Sơn La"},
            "districts": [
              {"code": 125, "name": "Huyện Mai Sơn", "communes": [{"code": 4000, "name": "Xã A"}, {"name": "Xã B"}]},
              {"code": "x", "name": "Huyện Lỗi"}
            ]}"#;
        let agencies = r#"{
            "_comment": "test",
            "agencies": [
              {"id": "so-noi-vu", "name": "Sở Nội vụ", "kind": "department"},
              {"id": "Sở Sai", "name": "Sở Sai", "kind": "department"},
              {"id": "so-y-te", "name": "Sở Y tế", "kind": "hospital"},
              {"id": "so-noi-vu", "name": "Sở Nội vụ 2", "kind": "department"},
              {"id": "so-x", "name": "Sở X", "kind": "department", "alias": ["X"]},
              {"id": "trung-tam", "name": "Trung tâm", "kind": "other", "parent": "khong-co"}
            ],
            "groups": [
              {"id": "departments", "name": "Các sở, ban, ngành", "kinds": ["department", "bogus"], "members": ["khong-co"]}
            ],
            "extra": 1
        }"#;
        let (directory, diagnostics) = load_directory(units, agencies);
        let ids: Vec<&str> = directory.agencies.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, vec!["ubnd-tinh", "so-noi-vu", "trung-tam", "ubnd-huyen-125", "ubnd-xa-04000"]);
        assert_eq!(directory.groups.len(), 1);
        assert_eq!(directory.groups[0].kinds, vec![AgencyKind::Department]);
        assert!(directory.groups[0].members.is_empty());
        // Commune without code, bad district, bad id, bad kind, duplicate id, unknown field,
        // unknown parent, bad group kind, unknown member, unknown top-level key.
        assert_eq!(diagnostics.len(), 10, "{diagnostics:#?}");
        assert!(diagnostics.iter().any(|d| d.message.contains("Sở Sai") && d.line == 5));
    }

    proptest! {
        #[test]
        fn resolve_cell_never_panics(cell in "\\PC{0,60}") {
            let (refs, _) = resolve_cell(directory(), &cell, 1);
            for r in refs {
                prop_assert!(!r.text.is_empty());
            }
        }

        #[test]
        fn resolve_cell_never_panics_on_near_names(
            pieces in prop::collection::vec(
                prop::sample::select(vec![
                    "Sở", "sở", "ban", "ngành", ",", ";", "và", "&", "TT", "KH", "ĐT", "UBND",
                    "các", "huyện", "thành phố", "xã", "Văn phòng", "HĐND", "tỉnh", "-",
                    "Thông tin", "Truyền thông", "PTNT", "Ủy ban nhân dân", "cấp", "đơn vị",
                    "Sở Nội vụ", "cơ quan", "có liên quan", "Chiềng", "x\u{0301}", "(", ")",
                ]),
                0..14,
            )
        ) {
            let cell = pieces.join(" ");
            let (refs, diagnostics) = resolve_cell(directory(), &cell, 2);
            for r in &refs {
                prop_assert!(cell.contains(&r.text) || clean(&cell).contains(&r.text));
            }
            for d in diagnostics {
                prop_assert_eq!(d.line, 2);
            }
        }
    }
}
