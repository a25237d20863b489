//! The indicator catalogue ("danh mục chỉ tiêu") and the cross-indicator validation rules, both
//! kept as editable, versioned JSON files embedded in the binary:
//!
//! - `data/indicators-son-la-2024.json`: one entry per indicator, tied to the parsed plan by the
//!   target bullet it measures (`target`, 0-based within the area) and the positions of that
//!   bullet's parsed thresholds (`thresholds`). Threshold values and levels are never written in
//!   the file: [`load_catalogue`] takes them from the parsed [`Plan`], so the catalogue cannot
//!   drift from the plan text. Thresholds of one concept split by level (digitisation 100% /
//!   80% / 75% for tỉnh / huyện / xã) form one indicator; each parsed threshold belongs to
//!   exactly one indicator, and one left out is reported.
//! - `data/validation-rules.json`: DHIS2-style rules (left side, operator, right side,
//!   importance, skip when missing) over the catalogue's numerators and denominators.
//!
//! Neither loader fails wholesale or panics: whatever is valid is kept, the rest becomes a
//! Vietnamese [`Diagnostic`]. For the catalogue, a diagnostic about a target of the plan carries
//! the target's first line in the plan, any other carries line 0; the message names the line of
//! the catalogue file where it can be found. For the rules, the line is the rule's line in the
//! rules file (0 when unknown).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Display;

use cchc_domain::dossier::{CountField, DossierFormula};
use cchc_domain::reporting::{
    Direction, Importance, Indicator, IndicatorCode, LevelThreshold, Operand, Part, RuleOperator, ValidationRule,
};
use cchc_domain::text::clean;
use cchc_domain::{AgencyDirectory, AgencyId, AgencyKind, AreaCode, Comparator, Diagnostic, Plan, Severity};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The embedded indicator catalogue of the Sơn La 2024 plan.
pub const SON_LA_2024_INDICATORS_JSON: &str = include_str!("../data/indicators-son-la-2024.json");

/// The embedded cross-indicator validation rules of that catalogue.
pub const SON_LA_2024_RULES_JSON: &str = include_str!("../data/validation-rules.json");

/// The file format version both loaders read.
pub const CATALOGUE_VERSION: u64 = 1;

const CATALOGUE_LABEL: &str = "[danh mục chỉ tiêu]";
const RULES_LABEL: &str = "[quy tắc kiểm tra]";

/// The Sơn La 2024 catalogue over `plan` (normally the embedded plan, parsed).
pub fn son_la_2024_catalogue(plan: &Plan, directory: &AgencyDirectory) -> (Vec<Indicator>, Vec<Diagnostic>) {
    load_catalogue(plan, directory, SON_LA_2024_INDICATORS_JSON)
}

/// The embedded validation rules over `catalogue`.
pub fn son_la_2024_rules(catalogue: &[Indicator]) -> (Vec<ValidationRule>, Vec<Diagnostic>) {
    load_rules(catalogue, SON_LA_2024_RULES_JSON)
}

// ---------------------------------------------------------------------------------------------
// Shared reading
// ---------------------------------------------------------------------------------------------

/// Which file diagnostics are about, and how their lines are given.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FileKind {
    /// Lines are plan lines (or 0); the catalogue line goes into the message.
    Catalogue,
    /// Lines are lines of the rules file.
    Rules,
}

struct Reader<'a> {
    kind: FileKind,
    source: &'a str,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Reader<'a> {
    fn new(kind: FileKind, source: &'a str) -> Reader<'a> {
        Reader { kind, source, diagnostics: Vec::new() }
    }

    fn push(&mut self, severity: Severity, file_line: u32, plan_line: Option<u32>, message: impl Display) {
        let diagnostic = match self.kind {
            FileKind::Catalogue => {
                let at = if file_line > 0 { format!(" (tệp danh mục, dòng {file_line})") } else { String::new() };
                Diagnostic::new(plan_line.unwrap_or(0), severity, format!("{CATALOGUE_LABEL} {message}{at}"))
            }
            FileKind::Rules => Diagnostic::new(file_line, severity, format!("{RULES_LABEL} {message}")),
        };
        self.diagnostics.push(diagnostic);
    }

    fn error(&mut self, file_line: u32, plan_line: Option<u32>, message: impl Display) {
        self.push(Severity::Error, file_line, plan_line, message);
    }

    fn warning(&mut self, file_line: u32, plan_line: Option<u32>, message: impl Display) {
        self.push(Severity::Warning, file_line, plan_line, message);
    }

    /// Reads the root object: checks `version`, returns `plan` and the array under `list_key`.
    /// `None` when the file cannot be used at all (the diagnostic is recorded).
    fn read_root(&mut self, list_key: &str) -> Option<Root> {
        let root: Value = match serde_json::from_str(self.source) {
            Ok(root) => root,
            Err(e) => {
                let line = u32::try_from(e.line()).unwrap_or(0);
                self.error(line, None, format!("Tệp JSON không hợp lệ (dòng {line}, cột {}): {e}", e.column()));
                return None;
            }
        };
        let Value::Object(root) = root else {
            self.error(1, None, "Tệp phải là một đối tượng JSON.");
            return None;
        };
        let mut version_seen = false;
        let mut plan = None;
        let mut items = None;
        for (key, value) in root {
            let line = key_line(self.source, &key);
            match key.as_str() {
                "version" => match value.as_u64() {
                    Some(CATALOGUE_VERSION) => version_seen = true,
                    Some(other) => {
                        self.error(
                            line,
                            None,
                            format!("Phiên bản tệp {other} không được hỗ trợ (chỉ đọc phiên bản {CATALOGUE_VERSION})."),
                        );
                        return None;
                    }
                    None => {
                        self.error(line, None, format!("Mục \"version\" phải là số nguyên ({CATALOGUE_VERSION})."));
                        return None;
                    }
                },
                "plan" => match value {
                    Value::String(text) => plan = Some(text),
                    _ => self.warning(line, None, "Mục \"plan\" phải là một chuỗi; bỏ qua."),
                },
                key if key == list_key => match value {
                    Value::Array(rows) => items = Some(rows),
                    _ => {
                        self.error(line, None, format!("Mục \"{list_key}\" phải là một mảng."));
                        return None;
                    }
                },
                key if key.starts_with('_') => {}
                other => self.warning(line, None, format!("Mục \"{other}\" không được hỗ trợ; bỏ qua.")),
            }
        }
        if !version_seen {
            self.warning(0, None, format!("Tệp không ghi \"version\"; đọc như phiên bản {CATALOGUE_VERSION}."));
        }
        let Some(items) = items else {
            self.error(0, None, format!("Tệp không có mục \"{list_key}\"."));
            return None;
        };
        Some(Root { plan, items })
    }

    /// Warns about keys of an entry that the format does not know (keys starting with `_` are
    /// comments).
    fn unknown_keys(
        &mut self,
        row: &Map<String, Value>,
        known: &[&str],
        what: &str,
        file_line: u32,
        plan_line: Option<u32>,
    ) {
        for key in row.keys() {
            if !key.starts_with('_') && !known.contains(&key.as_str()) {
                self.warning(file_line, plan_line, format!("{what}: trường \"{key}\" không được hỗ trợ; bỏ qua."));
            }
        }
    }
}

struct Root {
    plan: Option<String>,
    items: Vec<Value>,
}

/// 1-based line of the first `"key"` in `source`, 0 when absent.
pub(crate) fn key_line(source: &str, key: &str) -> u32 {
    serde_json::to_string(key).ok().and_then(|needle| source.find(&needle)).map_or(0, |at| line_at(source, at))
}

/// 1-based line of the `nth` (0-based) occurrence of `"field": <value>` in `source`, 0 when absent.
pub(crate) fn field_line(source: &str, field: &str, value: &str, nth: usize) -> u32 {
    let (Ok(field), Ok(value)) = (serde_json::to_string(field), serde_json::to_string(value)) else {
        return 0;
    };
    source
        .match_indices(&value)
        .filter(|(at, _)| {
            let before = source[..*at].trim_end();
            before.strip_suffix(':').is_some_and(|b| b.trim_end().ends_with(&field))
        })
        .nth(nth)
        .map_or(0, |(at, _)| line_at(source, at))
}

pub(crate) fn line_at(source: &str, byte: usize) -> u32 {
    let prefix = source.get(..byte).unwrap_or(source);
    u32::try_from(prefix.matches('\n').count() + 1).unwrap_or(u32::MAX)
}

/// Counts occurrences of a value so that duplicates find their own line.
#[derive(Default)]
pub(crate) struct Occurrences(HashMap<String, usize>);

impl Occurrences {
    pub(crate) fn next(&mut self, value: &str) -> usize {
        let count = self.0.entry(value.to_string()).or_insert(0);
        *count += 1;
        *count - 1
    }
}

/// The first `max` characters of `text`, with "…" when cut.
fn excerpt(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

// ---------------------------------------------------------------------------------------------
// Catalogue
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct IndicatorDto {
    code: String,
    target: usize,
    thresholds: Vec<usize>,
    name: String,
    numerator: String,
    denominator: String,
    unit: String,
    direction: String,
    reporters: Vec<String>,
    #[serde(default)]
    agencies: Vec<String>,
    /// `report` (default: only what agencies report) or `dossiers` (also computed from the
    /// one-stop-shop dossiers by the two lists below).
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    dossier_numerator: Option<Vec<String>>,
    #[serde(default)]
    dossier_denominator: Option<Vec<String>>,
}

const INDICATOR_KEYS: &[&str] = &[
    "code",
    "target",
    "thresholds",
    "name",
    "numerator",
    "denominator",
    "unit",
    "direction",
    "reporters",
    "agencies",
    "source",
    "dossier_numerator",
    "dossier_denominator",
    "note",
];

/// `VII.2.1` → (VII, bullet 2, number 1); `None` unless exactly three parts, numbers from 1,
/// written without leading zeros.
fn split_code(code: &IndicatorCode) -> Option<(AreaCode, usize, usize)> {
    let mut parts = code.as_str().split('.');
    let area = AreaCode::parse(parts.next()?)?;
    let bullet = parts.next()?.parse::<usize>().ok()?;
    let number = parts.next()?.parse::<usize>().ok()?;
    let canonical = format!("{area}.{bullet}.{number}");
    (parts.next().is_none() && bullet > 0 && number > 0 && canonical == code.as_str()).then_some((area, bullet, number))
}

fn parse_direction(text: &str) -> Option<Direction> {
    match text.trim() {
        "higher_is_better" => Some(Direction::HigherIsBetter),
        "lower_is_better" => Some(Direction::LowerIsBetter),
        _ => None,
    }
}

/// Builds the indicators of `catalogue_json` over `plan`.
///
/// Thresholds come from the parsed plan (level, comparator, value, upper bound of a range), never
/// from the file. An entry with an invalid or duplicate code, a target or area missing in the
/// plan, a threshold position out of range, an unknown direction or reporter kind, or an empty
/// name or definition is left out with an error. Warnings: a parsed threshold covered by no
/// indicator or by several, an indicator without thresholds, two thresholds for the same level,
/// a unit or direction that contradicts the plan's threshold, unknown fields.
pub fn load_catalogue(
    plan: &Plan,
    directory: &AgencyDirectory,
    catalogue_json: &str,
) -> (Vec<Indicator>, Vec<Diagnostic>) {
    let mut reader = Reader::new(FileKind::Catalogue, catalogue_json);
    let Some(root) = reader.read_root("indicators") else {
        return (Vec::new(), reader.diagnostics);
    };
    check_plan_year(&mut reader, root.plan.as_deref(), plan);

    let mut indicators = Vec::new();
    let mut seen: HashMap<IndicatorCode, u32> = HashMap::new();
    let mut occurrences = Occurrences::default();
    // (area, target, threshold position) → the indicators that cover it.
    let mut coverage: BTreeMap<(AreaCode, usize, usize), Vec<IndicatorCode>> = BTreeMap::new();
    for (index, row) in root.items.into_iter().enumerate() {
        let code_text = row.get("code").and_then(Value::as_str).unwrap_or_default().to_string();
        let file_line = if code_text.is_empty() {
            0
        } else {
            field_line(catalogue_json, "code", &code_text, occurrences.next(&code_text))
        };
        let what = if code_text.is_empty() {
            format!("Mục thứ {} của \"indicators\"", index + 1)
        } else {
            format!("Chỉ tiêu «{}»", excerpt(&code_text, 40))
        };
        let plan_line = target_line(plan, &code_text);
        let Value::Object(row) = row else {
            reader.error(file_line, plan_line, format!("{what} phải là một đối tượng JSON; bỏ qua."));
            continue;
        };
        reader.unknown_keys(&row, INDICATOR_KEYS, &what, file_line, plan_line);
        let dto = match serde_json::from_value::<IndicatorDto>(Value::Object(row)) {
            Ok(dto) => dto,
            Err(e) => {
                reader.error(file_line, plan_line, format!("{what} không hợp lệ; bỏ qua: {e}"));
                continue;
            }
        };
        let Some((indicator, positions)) =
            read_indicator(&mut reader, plan, directory, dto, &what, file_line, &mut seen)
        else {
            continue;
        };
        for position in positions {
            coverage.entry((indicator.area, indicator.target, position)).or_default().push(indicator.code.clone());
        }
        indicators.push(indicator);
    }
    check_coverage(&mut reader, plan, &coverage);
    (indicators, reader.diagnostics)
}

/// The first plan line of the target an indicator code names, when the plan has it.
fn target_line(plan: &Plan, code: &str) -> Option<u32> {
    let (area, bullet, _) = split_code(&IndicatorCode::parse(code)?)?;
    let area = plan.areas.iter().find(|a| a.code == area)?;
    Some(area.targets.get(bullet.checked_sub(1)?)?.lines.0)
}

fn check_plan_year(reader: &mut Reader<'_>, catalogue_plan: Option<&str>, plan: &Plan) {
    let (Some(name), Some(year)) = (catalogue_plan, plan.meta.year) else {
        return;
    };
    let years: Vec<i32> =
        name.split(|c: char| !c.is_ascii_digit()).filter(|s| s.len() == 4).filter_map(|s| s.parse().ok()).collect();
    if !years.is_empty() && !years.contains(&year) {
        reader.warning(
            key_line(reader.source, "plan"),
            None,
            format!("Danh mục dành cho kế hoạch «{name}» nhưng kế hoạch đang dùng là của năm {year}."),
        );
    }
}

fn read_indicator(
    reader: &mut Reader<'_>,
    plan: &Plan,
    directory: &AgencyDirectory,
    dto: IndicatorDto,
    what: &str,
    file_line: u32,
    seen: &mut HashMap<IndicatorCode, u32>,
) -> Option<(Indicator, Vec<usize>)> {
    let Some(code) = IndicatorCode::parse(&dto.code) else {
        reader.error(
            file_line,
            None,
            format!(
                "{what}: mã không hợp lệ (dạng <lĩnh vực I–VIII>.<gạch đầu dòng>.<số thứ tự>, ví dụ VII.2.1); bỏ qua."
            ),
        );
        return None;
    };
    if let Some(first) = seen.get(&code) {
        let at = if *first > 0 { format!(" ở dòng {first}") } else { String::new() };
        reader.error(file_line, None, format!("{what}: mã bị trùng với chỉ tiêu đã khai báo{at}; bỏ qua mục sau."));
        return None;
    }
    seen.insert(code.clone(), file_line);
    let Some((area_code, bullet, _)) = split_code(&code) else {
        reader.error(
            file_line,
            None,
            format!("{what}: mã phải gồm đúng ba phần <lĩnh vực>.<gạch đầu dòng, từ 1>.<số thứ tự, từ 1> viết không có số 0 ở đầu, ví dụ VII.2.1; bỏ qua."),
        );
        return None;
    };
    if bullet.checked_sub(1) != Some(dto.target) {
        reader.error(
            file_line,
            None,
            format!(
                "{what}: \"target\" là {} (gạch đầu dòng thứ {} nếu đếm từ 1) nhưng mã ghi gạch đầu dòng thứ {bullet}; bỏ qua.",
                dto.target,
                dto.target.saturating_add(1)
            ),
        );
        return None;
    }
    let Some(area) = plan.areas.iter().find(|a| a.code == area_code) else {
        reader.error(file_line, None, format!("{what}: kế hoạch không có lĩnh vực {area_code}; bỏ qua."));
        return None;
    };
    let Some(target) = area.targets.get(dto.target) else {
        reader.error(
            file_line,
            None,
            format!(
                "{what}: lĩnh vực {area_code} của kế hoạch chỉ có {} gạch đầu dòng chỉ tiêu, không có gạch đầu dòng thứ {bullet}; bỏ qua.",
                area.targets.len()
            ),
        );
        return None;
    };
    let plan_line = Some(target.lines.0);
    let mut problems: Vec<String> = Vec::new();

    let mut positions: Vec<usize> = Vec::new();
    for &position in &dto.thresholds {
        if position >= target.thresholds.len() {
            problems.push(format!(
                "chỉ tiêu {area_code}.{bullet} của kế hoạch có {} ngưỡng (vị trí 0–{}), không có ngưỡng ở vị trí {position}",
                target.thresholds.len(),
                target.thresholds.len().saturating_sub(1)
            ));
        } else if positions.contains(&position) {
            problems.push(format!("ngưỡng ở vị trí {position} được ghi hai lần"));
        } else {
            positions.push(position);
        }
    }

    let mut text_field = |value: &str, label: &str| {
        let value = clean(value);
        if value.is_empty() {
            problems.push(format!("\"{label}\" không được để trống"));
        }
        value
    };
    let name = text_field(&dto.name, "name");
    let numerator = text_field(&dto.numerator, "numerator");
    let denominator = text_field(&dto.denominator, "denominator");
    let unit = text_field(&dto.unit, "unit");

    let direction = parse_direction(&dto.direction);
    if direction.is_none() {
        problems.push(format!(
            "\"direction\" là «{}», phải là higher_is_better hoặc lower_is_better",
            excerpt(&dto.direction, 40)
        ));
    }

    let mut reporters: Vec<AgencyKind> = Vec::new();
    for text in &dto.reporters {
        match AgencyKind::parse(text.trim()) {
            Some(kind) if reporters.contains(&kind) => {
                reader.warning(
                    file_line,
                    plan_line,
                    format!("{what}: loại cơ quan «{}» được ghi hai lần.", kind.as_str()),
                );
            }
            Some(kind) => reporters.push(kind),
            None => problems.push(format!(
                "loại cơ quan báo cáo «{}» không hợp lệ (department, district, commune, sectoral, province, other)",
                excerpt(text, 40)
            )),
        }
    }
    if dto.reporters.is_empty() {
        problems.push("\"reporters\" phải có ít nhất một loại cơ quan báo cáo".into());
    }
    let mut agencies: Vec<(AgencyKind, AgencyId)> = Vec::new();
    for text in &dto.agencies {
        match AgencyId::parse(text.trim()).and_then(|id| directory.agency(&id)) {
            None => problems.push(format!("\"agencies\": không có cơ quan mã «{}» trong danh mục", excerpt(text, 40))),
            Some(agency) if !reporters.contains(&agency.kind) => problems.push(format!(
                "\"agencies\": {} thuộc loại «{}», không nằm trong \"reporters\"",
                agency.name,
                agency.kind.as_str()
            )),
            Some(agency) if agencies.iter().any(|(_, id)| *id == agency.id) => {
                reader.warning(file_line, plan_line, format!("{what}: cơ quan «{}» được ghi hai lần.", agency.id))
            }
            Some(agency) => agencies.push((agency.kind, agency.id.clone())),
        }
    }

    let dossiers = read_dossier_source(&dto, &mut problems);

    let (true, Some(direction)) = (problems.is_empty(), direction) else {
        reader.error(file_line, plan_line, format!("{what}: {}; bỏ qua.", problems.join("; ")));
        return None;
    };

    let mut thresholds = Vec::with_capacity(positions.len());
    for &position in &positions {
        let Some(t) = target.thresholds.get(position) else { continue };
        if !t.unit.trim().is_empty() && clean(&t.unit) != unit {
            reader.warning(
                file_line,
                plan_line,
                format!(
                    "{what}: đơn vị «{unit}» khác đơn vị «{}» của ngưỡng ở vị trí {position} trong kế hoạch.",
                    t.unit
                ),
            );
        }
        let contradicts = match direction {
            Direction::HigherIsBetter => matches!(t.op, Comparator::Le | Comparator::Lt),
            Direction::LowerIsBetter => matches!(t.op, Comparator::Ge | Comparator::Gt),
        };
        if contradicts {
            reader.warning(
                file_line,
                plan_line,
                format!(
                    "{what}: hướng «{}» ngược với ngưỡng «{} {}{}» của kế hoạch.",
                    dto.direction.trim(),
                    t.op.label_vn(),
                    t.value,
                    t.unit
                ),
            );
        }
        thresholds.push(LevelThreshold { level: t.level, op: t.op, value: t.value, upper: t.upper });
    }
    if thresholds.is_empty() {
        reader.warning(
            file_line,
            plan_line,
            format!("{what}: không gắn với ngưỡng nào của kế hoạch; sẽ luôn là «chưa có số liệu» khi đánh giá đạt/chưa đạt."),
        );
    }
    for (i, t) in thresholds.iter().enumerate() {
        if thresholds[..i].iter().any(|earlier| earlier.level == t.level) {
            let level = t.level.map_or("mọi cấp", |l| l.label_vn());
            reader.warning(
                file_line,
                plan_line,
                format!("{what}: có hai ngưỡng cùng áp dụng cho {level}; chỉ ngưỡng đầu tiên được dùng khi đánh giá."),
            );
        }
    }

    let indicator = Indicator {
        code,
        name,
        area: area_code,
        target: dto.target,
        numerator,
        denominator,
        unit,
        direction,
        thresholds,
        reporters,
        agencies,
        dossiers,
    };
    Some((indicator, positions))
}

/// The dossier formula of an indicator whose `source` is `dossiers`; problems otherwise.
fn read_dossier_source(dto: &IndicatorDto, problems: &mut Vec<String>) -> Option<DossierFormula> {
    let lists = [("dossier_numerator", &dto.dossier_numerator), ("dossier_denominator", &dto.dossier_denominator)];
    match dto.source.as_deref().map(str::trim) {
        None | Some("report") => {
            for (key, list) in lists {
                if list.is_some() {
                    problems.push(format!("\"{key}\" chỉ dùng khi \"source\" là «dossiers»"));
                }
            }
            None
        }
        Some("dossiers") => {
            let mut sides = Vec::with_capacity(2);
            for (key, list) in lists {
                let mut fields = Vec::new();
                for name in list.iter().flatten() {
                    match CountField::parse(name) {
                        Some(field) if fields.contains(&field) => {
                            problems.push(format!("\"{key}\": «{}» được ghi hai lần", field.as_str()))
                        }
                        Some(field) => fields.push(field),
                        None => problems.push(format!(
                            "\"{key}\": không có số đếm «{}» (dùng: {})",
                            excerpt(name, 40),
                            CountField::ALL.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", ")
                        )),
                    }
                }
                if list.as_ref().is_none_or(|l| l.is_empty()) {
                    problems.push(format!("\"{key}\" phải liệt kê ít nhất một số đếm khi \"source\" là «dossiers»"));
                }
                sides.push(fields);
            }
            let denominator = sides.pop().unwrap_or_default();
            let numerator = sides.pop().unwrap_or_default();
            DossierFormula::new(numerator, denominator)
        }
        Some(other) => {
            problems.push(format!("\"source\" là «{}», phải là report hoặc dossiers", excerpt(other, 40)));
            None
        }
    }
}

/// Warns about every parsed threshold of the plan that no indicator covers, or that several do.
fn check_coverage(
    reader: &mut Reader<'_>,
    plan: &Plan,
    coverage: &BTreeMap<(AreaCode, usize, usize), Vec<IndicatorCode>>,
) {
    for area in &plan.areas {
        for (index, target) in area.targets.iter().enumerate() {
            for (position, threshold) in target.thresholds.iter().enumerate() {
                let codes = coverage.get(&(area.code, index, position)).map_or(&[][..], Vec::as_slice);
                let label = format!(
                    "Ngưỡng ở vị trí {position} của chỉ tiêu {}.{} trong kế hoạch («{}»)",
                    area.code,
                    index + 1,
                    excerpt(&threshold.subject, 80)
                );
                match codes {
                    [] => reader.warning(
                        0,
                        Some(target.lines.0),
                        format!("{label} chưa thuộc chỉ tiêu nào của danh mục."),
                    ),
                    [_] => {}
                    several => {
                        let list: Vec<&str> = several.iter().map(IndicatorCode::as_str).collect();
                        reader.warning(
                            0,
                            Some(target.lines.0),
                            format!("{label} thuộc nhiều chỉ tiêu: {}.", list.join(", ")),
                        );
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Validation rules
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct RuleDto {
    id: String,
    message: String,
    left: Vec<Value>,
    operator: String,
    right: Vec<Value>,
    importance: String,
    #[serde(default = "skip_by_default")]
    skip_when_missing: bool,
}

fn skip_by_default() -> bool {
    true
}

const RULE_KEYS: &[&str] = &["id", "message", "left", "operator", "right", "importance", "skip_when_missing", "note"];

fn parse_operator(text: &str) -> Option<RuleOperator> {
    match text.trim() {
        "<=" | "≤" => Some(RuleOperator::Le),
        "<" => Some(RuleOperator::Lt),
        ">=" | "≥" => Some(RuleOperator::Ge),
        ">" => Some(RuleOperator::Gt),
        "=" | "==" => Some(RuleOperator::Eq),
        _ => None,
    }
}

fn parse_importance(text: &str) -> Option<Importance> {
    match text.trim() {
        "error" => Some(Importance::Error),
        "warning" => Some(Importance::Warning),
        _ => None,
    }
}

fn parse_part(text: &str) -> Option<Part> {
    match text.trim() {
        "numerator" => Some(Part::Numerator),
        "denominator" => Some(Part::Denominator),
        _ => None,
    }
}

/// One operand: `{"indicator": "VII.2.2", "part": "denominator"}` or `{"constant": 1}`.
fn read_operand(value: &Value, catalogue: &[Indicator]) -> Result<Operand, String> {
    let Value::Object(row) = value else {
        return Err("toán hạng phải là một đối tượng {\"indicator\", \"part\"} hoặc {\"constant\"}".into());
    };
    if let Some(key) = row.keys().find(|k| !matches!(k.as_str(), "indicator" | "part" | "constant")) {
        return Err(format!("toán hạng có trường \"{}\" không được hỗ trợ", excerpt(key, 40)));
    }
    match (row.get("indicator"), row.get("part"), row.get("constant")) {
        (None, None, Some(constant)) => match constant.as_f64() {
            Some(c) if c.is_finite() => Ok(Operand::Constant(c)),
            _ => Err("\"constant\" phải là một số".into()),
        },
        (Some(indicator), Some(part), None) => {
            let Some(text) = indicator.as_str() else {
                return Err("\"indicator\" phải là mã chỉ tiêu (chuỗi)".into());
            };
            let Some(code) = IndicatorCode::parse(text) else {
                return Err(format!("mã chỉ tiêu «{}» không hợp lệ", excerpt(text, 40)));
            };
            if !catalogue.iter().any(|i| i.code == code) {
                return Err(format!("chỉ tiêu «{code}» không có trong danh mục"));
            }
            let Some(part) = part.as_str().and_then(parse_part) else {
                return Err(format!("chỉ tiêu «{code}»: \"part\" phải là numerator hoặc denominator"));
            };
            Ok(Operand::Value(code, part))
        }
        _ => Err("toán hạng phải có \"indicator\" và \"part\", hoặc chỉ có \"constant\"".into()),
    }
}

/// Builds the validation rules of `rules_json` over `catalogue`.
///
/// A rule is left out, with an error, when its id is empty, malformed or a duplicate, its
/// operator or importance is unknown, its message is empty, a side is empty, or an operand is
/// malformed or names an indicator that is not in `catalogue`. A rule over constants only is
/// left out with a warning.
pub fn load_rules(catalogue: &[Indicator], rules_json: &str) -> (Vec<ValidationRule>, Vec<Diagnostic>) {
    let mut reader = Reader::new(FileKind::Rules, rules_json);
    let Some(root) = reader.read_root("rules") else {
        return (Vec::new(), reader.diagnostics);
    };
    let mut rules: Vec<ValidationRule> = Vec::new();
    let mut occurrences = Occurrences::default();
    for (index, row) in root.items.into_iter().enumerate() {
        let id_text = row.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
        let line =
            if id_text.is_empty() { 0 } else { field_line(rules_json, "id", &id_text, occurrences.next(&id_text)) };
        let what = if id_text.is_empty() {
            format!("Quy tắc thứ {}", index + 1)
        } else {
            format!("Quy tắc «{}»", excerpt(&id_text, 60))
        };
        let Value::Object(row) = row else {
            reader.error(line, None, format!("{what} phải là một đối tượng JSON; bỏ qua."));
            continue;
        };
        reader.unknown_keys(&row, RULE_KEYS, &what, line, None);
        let dto = match serde_json::from_value::<RuleDto>(Value::Object(row)) {
            Ok(dto) => dto,
            Err(e) => {
                reader.error(line, None, format!("{what} không hợp lệ; bỏ qua: {e}"));
                continue;
            }
        };
        if let Some(rule) = read_rule(&mut reader, catalogue, dto, &what, line, &rules) {
            rules.push(rule);
        }
    }
    (rules, reader.diagnostics)
}

fn read_side(name: &str, operands: &[Value], catalogue: &[Indicator], problems: &mut Vec<String>) -> Vec<Operand> {
    if operands.is_empty() {
        problems.push(format!("vế \"{name}\" không có toán hạng nào"));
    }
    let mut side = Vec::new();
    for operand in operands {
        match read_operand(operand, catalogue) {
            Ok(operand) => side.push(operand),
            Err(problem) => problems.push(format!("vế \"{name}\": {problem}")),
        }
    }
    side
}

fn read_rule(
    reader: &mut Reader<'_>,
    catalogue: &[Indicator],
    dto: RuleDto,
    what: &str,
    line: u32,
    earlier: &[ValidationRule],
) -> Option<ValidationRule> {
    let id = dto.id.trim().to_string();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')) {
        reader.error(
            line,
            None,
            format!("{what}: \"id\" phải khác rỗng và chỉ gồm chữ cái ASCII, số, '-', '.', '_'; bỏ qua."),
        );
        return None;
    }
    if earlier.iter().any(|r| r.id == id) {
        reader.error(line, None, format!("{what}: \"id\" bị trùng với một quy tắc ở trên; bỏ qua quy tắc sau."));
        return None;
    }
    let mut problems: Vec<String> = Vec::new();
    let operator = parse_operator(&dto.operator);
    if operator.is_none() {
        problems.push(format!("phép so sánh «{}» không hợp lệ (<=, <, >=, >, =)", excerpt(&dto.operator, 20)));
    }
    let importance = parse_importance(&dto.importance);
    if importance.is_none() {
        problems.push(format!("mức độ «{}» không hợp lệ (error, warning)", excerpt(&dto.importance, 20)));
    }
    let message = clean(&dto.message);
    if message.is_empty() {
        problems.push("\"message\" không được để trống".into());
    }
    let left = read_side("left", &dto.left, catalogue, &mut problems);
    let right = read_side("right", &dto.right, catalogue, &mut problems);
    let (true, Some(operator), Some(importance)) = (problems.is_empty(), operator, importance) else {
        reader.error(line, None, format!("{what}: {}; bỏ qua.", problems.join("; ")));
        return None;
    };
    if left.iter().chain(&right).all(|o| matches!(o, Operand::Constant(_))) {
        reader.warning(line, None, format!("{what}: chỉ so sánh các hằng số, không dùng số liệu nào; bỏ qua."));
        return None;
    }
    Some(ValidationRule { id, message, left, operator, right, importance, skip_when_missing: dto.skip_when_missing })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::OnceLock;

    use cchc_domain::AdminLevel;
    use proptest::prelude::*;

    use super::*;

    fn directory() -> &'static AgencyDirectory {
        static DIRECTORY: OnceLock<AgencyDirectory> = OnceLock::new();
        DIRECTORY.get_or_init(|| crate::agencies::son_la_2024().0)
    }

    fn plan() -> &'static Plan {
        static PLAN: OnceLock<Plan> = OnceLock::new();
        PLAN.get_or_init(|| crate::parse_plan(crate::SON_LA_2024_PLAN, directory()).plan)
    }

    fn seed() -> &'static (Vec<Indicator>, Vec<Diagnostic>) {
        static SEED: OnceLock<(Vec<Indicator>, Vec<Diagnostic>)> = OnceLock::new();
        SEED.get_or_init(|| son_la_2024_catalogue(plan(), directory()))
    }

    fn code(text: &str) -> IndicatorCode {
        IndicatorCode::parse(text).unwrap()
    }

    fn find<'a>(indicators: &'a [Indicator], text: &str) -> &'a Indicator {
        indicators.iter().find(|i| i.code.as_str() == text).unwrap()
    }

    fn seed_json() -> Value {
        serde_json::from_str(SON_LA_2024_INDICATORS_JSON).unwrap()
    }

    fn entries(json: &mut Value) -> &mut Vec<Value> {
        json.get_mut("indicators").and_then(Value::as_array_mut).unwrap()
    }

    fn errors(diagnostics: &[Diagnostic]) -> Vec<&Diagnostic> {
        diagnostics.iter().filter(|d| d.severity == Severity::Error).collect()
    }

    fn warnings(diagnostics: &[Diagnostic]) -> Vec<&Diagnostic> {
        diagnostics.iter().filter(|d| d.severity == Severity::Warning).collect()
    }

    #[test]
    fn seed_catalogue_loads_cleanly() {
        let (indicators, diagnostics) = seed();
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        assert_eq!(indicators.len(), entries(&mut seed_json()).len());
        let mut codes = BTreeSet::new();
        for indicator in indicators {
            assert!(codes.insert(indicator.code.clone()), "duplicate {}", indicator.code);
            assert_eq!(IndicatorCode::parse(indicator.code.as_str()).as_ref(), Some(&indicator.code));
            assert!(!indicator.name.is_empty() && !indicator.numerator.is_empty() && !indicator.denominator.is_empty());
            assert!(!indicator.reporters.is_empty());
            assert!(!indicator.thresholds.is_empty(), "{} has no threshold", indicator.code);
            assert_eq!(indicator.unit, "%");
            let (area, bullet, _) = split_code(&indicator.code).unwrap();
            assert_eq!((area, bullet), (indicator.area, indicator.target + 1));
        }
    }

    #[test]
    fn every_parsed_threshold_is_covered_exactly_once() {
        let mut json = seed_json();
        let mut covered: BTreeMap<(AreaCode, usize, usize), usize> = BTreeMap::new();
        for entry in entries(&mut json).iter() {
            let (area, _, _) = split_code(&code(entry["code"].as_str().unwrap())).unwrap();
            let target = usize::try_from(entry["target"].as_u64().unwrap()).unwrap();
            for position in entry["thresholds"].as_array().unwrap() {
                let position = usize::try_from(position.as_u64().unwrap()).unwrap();
                *covered.entry((area, target, position)).or_default() += 1;
            }
        }
        let mut expected = BTreeSet::new();
        let mut bullets = 0;
        let mut without_threshold = 0;
        for area in &plan().areas {
            for (index, target) in area.targets.iter().enumerate() {
                bullets += 1;
                if target.thresholds.is_empty() {
                    without_threshold += 1;
                }
                for position in 0..target.thresholds.len() {
                    expected.insert((area.code, index, position));
                    assert_eq!(
                        covered.get(&(area.code, index, position)),
                        Some(&1),
                        "{} {index} {position}",
                        area.code
                    );
                }
            }
        }
        assert_eq!((bullets, without_threshold), (33, 2));
        assert_eq!(covered.keys().copied().collect::<BTreeSet<_>>(), expected);
    }

    #[test]
    fn thresholds_come_from_the_plan() {
        let (indicators, _) = seed();
        let digitisation = find(indicators, "VII.2.1");
        assert_eq!(digitisation.name, "Tỷ lệ số hóa kết quả giải quyết TTHC");
        let levels: Vec<(Option<AdminLevel>, Comparator, f64)> =
            digitisation.thresholds.iter().map(|t| (t.level, t.op, t.value)).collect();
        assert_eq!(
            levels,
            vec![
                (Some(AdminLevel::Tinh), Comparator::Ge, 100.0),
                (Some(AdminLevel::Huyen), Comparator::Ge, 80.0),
                (Some(AdminLevel::Xa), Comparator::Ge, 75.0),
            ]
        );
        assert_eq!(digitisation.reporters, vec![AgencyKind::Department, AgencyKind::District, AgencyKind::Commune]);
        assert_eq!(
            digitisation.assess(Some(AdminLevel::Xa), cchc_domain::number::Percent1::of(76.0)).attainment,
            cchc_domain::reporting::Attainment::Met
        );

        let revenue = find(indicators, "VI.2.3");
        assert_eq!(revenue.thresholds.len(), 1);
        assert_eq!((revenue.thresholds[0].op, revenue.thresholds[0].value), (Comparator::Range, 8.0));
        assert_eq!(revenue.thresholds[0].upper, Some(10.0));
        let finance = cchc_domain::AgencyId::parse("so-tai-chinh").unwrap();
        assert_eq!(revenue.agencies, vec![(AgencyKind::Department, finance)], "only Sở Tài chính reports revenue");

        let work_files = find(indicators, "VII.4.1");
        let values: Vec<(Option<AdminLevel>, f64)> = work_files.thresholds.iter().map(|t| (t.level, t.value)).collect();
        assert_eq!(
            values,
            vec![(Some(AdminLevel::Tinh), 80.0), (Some(AdminLevel::Huyen), 70.0), (Some(AdminLevel::Xa), 50.0)]
        );
        assert!(work_files.thresholds.iter().all(|t| t.op == Comparator::Gt));

        let commune_staff = find(indicators, "V.3.2");
        assert_eq!(commune_staff.thresholds[0].level, Some(AdminLevel::Xa));
        assert_eq!(commune_staff.reporters, vec![AgencyKind::Commune]);

        // Every indicator's thresholds are exactly the plan's, in the plan's form.
        for indicator in indicators {
            let area = plan().areas.iter().find(|a| a.code == indicator.area).unwrap();
            let target = &area.targets[indicator.target];
            for t in &indicator.thresholds {
                assert!(target
                    .thresholds
                    .iter()
                    .any(|p| p.level == t.level && p.op == t.op && p.value == t.value && p.upper == t.upper));
            }
        }
    }

    #[test]
    fn a_changed_plan_changes_the_thresholds_without_touching_the_catalogue() {
        let mut changed = plan().clone();
        let area = changed.areas.iter_mut().find(|a| a.code == AreaCode::VII).unwrap();
        area.targets[1].thresholds[2].value = 90.0;
        let (indicators, diagnostics) = son_la_2024_catalogue(&changed, directory());
        assert!(diagnostics.is_empty());
        let xa = find(&indicators, "VII.2.1").threshold_for(Some(AdminLevel::Xa)).unwrap();
        assert_eq!(xa.value, 90.0);
    }

    #[test]
    fn every_rule_loads() {
        let (indicators, _) = seed();
        let (rules, diagnostics) = son_la_2024_rules(indicators);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let json: Value = serde_json::from_str(SON_LA_2024_RULES_JSON).unwrap();
        assert_eq!(rules.len(), json["rules"].as_array().unwrap().len());
        assert!(rules.len() >= 4);
        let online = rules.iter().find(|r| r.id == "online-received-le-received").unwrap();
        assert_eq!(online.left, vec![Operand::Value(code("VII.1.3"), Part::Denominator)]);
        assert_eq!(online.operator, RuleOperator::Le);
        assert_eq!(online.right, vec![Operand::Value(code("VII.2.2"), Part::Denominator)]);
        assert_eq!(online.importance, Importance::Error);
        assert!(online.skip_when_missing);
        let self_report = rules.iter().find(|r| r.id == "self-report-III.4.2").unwrap();
        assert_eq!(self_report.right, vec![Operand::Constant(1.0)]);
    }

    #[test]
    fn seed_rules_catch_inconsistent_reports() {
        use cchc_domain::reporting::{validate, ReportContent};
        let (indicators, _) = seed();
        let (rules, _) = son_la_2024_rules(indicators);
        let mut content = ReportContent::default();
        let mut set = |text: &str, n: f64, d: f64| {
            content.values.insert((code(text), Part::Numerator), n);
            content.values.insert((code(text), Part::Denominator), d);
        };
        // 120 dossiers received online, but only 100 received in all.
        set("VII.1.3", 110.0, 120.0);
        set("VII.2.2", 120.0, 100.0);
        // Due 50: 40 on time, 10 late: consistent.
        set("III.6.1", 40.0, 50.0);
        set("III.8.1", 10.0, 10.0);
        let broken: Vec<String> = validate(indicators, &rules, &content).into_iter().map(|v| v.rule).collect();
        assert!(broken.contains(&"online-received-le-received".to_string()), "{broken:?}");
        assert!(!broken.contains(&"late-equals-due-minus-on-time".to_string()), "{broken:?}");
        assert!(!broken.contains(&"satisfaction-subset-ratings".to_string()), "skipped when missing");
    }

    #[test]
    fn agencies_named_in_the_catalogue_must_exist_and_be_of_a_reporting_kind() {
        for (agencies, expected) in [
            (vec!["so-khong-co"], "không có cơ quan mã «so-khong-co»"),
            (vec!["cong-an-tinh"], "không nằm trong \"reporters\""),
        ] {
            let mut json = seed_json();
            let list = entries(&mut json);
            list[0]["agencies"] = Value::from(agencies);
            let count = list.len();
            let (indicators, diagnostics) = load_catalogue(plan(), directory(), &json.to_string());
            assert_eq!(indicators.len(), count - 1);
            let errors = errors(&diagnostics);
            assert_eq!(errors.len(), 1, "{diagnostics:#?}");
            assert!(errors[0].message.contains(expected), "{}", errors[0].message);
        }
    }

    #[test]
    fn bad_json_gives_a_diagnostic() {
        for source in ["", "{", "[]", "null", "{\"version\": 1}", "{\"version\": 2, \"indicators\": []}"] {
            let (indicators, diagnostics) = load_catalogue(plan(), directory(), source);
            assert!(indicators.is_empty());
            assert!(!errors(&diagnostics).is_empty(), "{source}: {diagnostics:?}");
            let (rules, diagnostics) = load_rules(&seed().0, source);
            assert!(rules.is_empty());
            assert!(!errors(&diagnostics).is_empty(), "{source}: {diagnostics:?}");
        }
        let (_, diagnostics) =
            load_catalogue(plan(), directory(), "{\n  \"version\": 1,\n  \"indicators\": [\n    {,\n  ]\n}");
        assert!(diagnostics[0].message.contains("dòng 4"), "{diagnostics:?}");
    }

    #[test]
    fn unknown_codes_and_missing_targets_are_reported() {
        for (bad_code, target, expected) in [
            ("IX.1.1", 0, "mã không hợp lệ"),
            ("VII.2", 1, "đúng ba phần"),
            ("VII.02.1", 1, "đúng ba phần"),
            ("VII.3.9", 1, "\"target\""),
            ("VII.99.1", 98, "chỉ có 8 gạch đầu dòng"),
            ("I.1.1", 0, "chỉ có 0 gạch đầu dòng"),
        ] {
            let mut json = seed_json();
            let list = entries(&mut json);
            let mut entry = list[0].clone();
            entry["code"] = Value::from(bad_code);
            entry["target"] = Value::from(target);
            list.push(entry);
            let expected_len = list.len() - 1;
            let (indicators, diagnostics) = load_catalogue(plan(), directory(), &json.to_string());
            assert_eq!(indicators.len(), expected_len, "{bad_code}");
            let errors = errors(&diagnostics);
            assert_eq!(errors.len(), 1, "{bad_code}: {diagnostics:#?}");
            assert!(errors[0].message.contains(expected), "{bad_code}: {}", errors[0].message);
            assert!(warnings(&diagnostics).is_empty(), "{bad_code}: {diagnostics:#?}");
        }
    }

    #[test]
    fn duplicate_codes_keep_the_first() {
        let mut json = seed_json();
        let list = entries(&mut json);
        let mut copy = list[0].clone();
        copy["name"] = Value::from("Bản sao");
        list.push(copy);
        let source = serde_json::to_string_pretty(&json).unwrap();
        let (indicators, diagnostics) = load_catalogue(plan(), directory(), &source);
        assert_eq!(
            find(&indicators, "II.1.1").name,
            "Tỷ lệ văn bản QPPL của Trung ương được cụ thể hóa, triển khai kịp thời"
        );
        let errors = errors(&diagnostics);
        assert_eq!(errors.len(), 1, "{diagnostics:#?}");
        assert!(errors[0].message.contains("bị trùng"));
        // The message points at the second occurrence in the file.
        let last = source.rfind("\"II.1.1\"").unwrap();
        let line = source[..last].matches('\n').count() + 1;
        assert!(errors[0].message.contains(&format!("dòng {line})")), "{}", errors[0].message);
    }

    #[test]
    fn out_of_range_threshold_is_an_error_and_leaves_the_threshold_uncovered() {
        let mut json = seed_json();
        let list = entries(&mut json);
        let at = list.iter().position(|e| e["code"] == "VII.2.2").unwrap();
        list[at]["thresholds"] = serde_json::json!([7]);
        let (indicators, diagnostics) = load_catalogue(plan(), directory(), &json.to_string());
        assert!(indicators.iter().all(|i| i.code.as_str() != "VII.2.2"));
        let line = plan().areas[AreaCode::VII as usize].targets[1].lines.0;
        let errors = errors(&diagnostics);
        assert!(errors.iter().any(|d| d.message.contains("vị trí 7") && d.line == line), "{diagnostics:#?}");
        let warnings = warnings(&diagnostics);
        assert_eq!(warnings.len(), 1, "{diagnostics:#?}");
        assert!(warnings[0].message.contains("chưa thuộc chỉ tiêu nào") && warnings[0].line == line);
    }

    #[test]
    fn uncovered_and_doubly_covered_thresholds_are_warnings() {
        let mut json = seed_json();
        let list = entries(&mut json);
        list.retain(|e| e["code"] != "III.3.2");
        let at = list.iter().position(|e| e["code"] == "VII.2.2").unwrap();
        list[at]["thresholds"] = serde_json::json!([2, 3]);
        let (indicators, diagnostics) = load_catalogue(plan(), directory(), &json.to_string());
        assert!(errors(&diagnostics).is_empty(), "{diagnostics:#?}");
        let warnings = warnings(&diagnostics);
        assert!(warnings.iter().any(|d| d.message.contains("III.3") && d.message.contains("chưa thuộc")));
        assert!(warnings.iter().any(|d| d.message.contains("VII.2.1, VII.2.2")), "{warnings:#?}");
        // VII.2.2 now also holds the commune threshold next to its own.
        assert_eq!(find(&indicators, "VII.2.2").thresholds.len(), 2);
    }

    #[test]
    fn invalid_fields_drop_the_indicator() {
        let mut json = seed_json();
        let list = entries(&mut json);
        list[0]["direction"] = Value::from("up");
        list[1]["reporters"] = serde_json::json!(["department", "ministry"]);
        list[2]["name"] = Value::from("   ");
        list[3]["thresholds"] = serde_json::json!([-1]);
        list[4]["extra"] = Value::from(1);
        let (indicators, diagnostics) = load_catalogue(plan(), directory(), &json.to_string());
        let codes: Vec<&str> = indicators.iter().map(|i| i.code.as_str()).collect();
        for dropped in ["II.1.1", "II.1.2", "II.2.1", "II.2.2"] {
            assert!(!codes.contains(&dropped), "{dropped}");
        }
        assert!(codes.contains(&"II.3.1"), "an unknown field is only a warning");
        assert!(diagnostics.iter().any(|d| d.message.contains("\"extra\"")));
        assert!(diagnostics.iter().any(|d| d.message.contains("ministry")));
    }

    #[test]
    fn dossier_sources_name_known_counts_or_drop_the_indicator() {
        let on_time = find(&seed().0, "III.6.1").dossiers.clone().expect("III.6.1 is computed from dossiers");
        assert_eq!(
            on_time.numerator().iter().map(|f| f.as_str()).collect::<Vec<_>>(),
            ["resolved_early", "resolved_on_time"]
        );
        assert_eq!(on_time.denominator().len(), 4);
        assert!(find(&seed().0, "II.1.1").dossiers.is_none());
        let computed: Vec<&str> = seed().0.iter().filter(|i| i.dossiers.is_some()).map(|i| i.code.as_str()).collect();
        assert_eq!(computed, ["III.2.2", "III.3.1", "III.6.1", "VII.2.2"]);

        let mut json = seed_json();
        let list = entries(&mut json);
        list[0]["source"] = Value::from("dossiers");
        list[0]["dossier_numerator"] = serde_json::json!(["online", "late"]);
        list[0]["dossier_denominator"] = serde_json::json!(["received"]);
        list[1]["source"] = Value::from("dossiers");
        list[1]["dossier_numerator"] = serde_json::json!(["online"]);
        list[2]["source"] = Value::from("excel");
        list[3]["dossier_numerator"] = serde_json::json!(["online"]);
        list[4]["source"] = Value::from("dossiers");
        list[4]["dossier_numerator"] = serde_json::json!(["online", "online"]);
        list[4]["dossier_denominator"] = serde_json::json!(["received"]);
        let (indicators, diagnostics) = load_catalogue(plan(), directory(), &json.to_string());
        let codes: Vec<&str> = indicators.iter().map(|i| i.code.as_str()).collect();
        for dropped in ["II.1.1", "II.1.2", "II.2.1", "II.2.2", "II.3.1"] {
            assert!(!codes.contains(&dropped), "{dropped}");
        }
        let text: Vec<&str> = errors(&diagnostics).iter().map(|d| d.message.as_str()).collect();
        let all = text.join("\n");
        for expected in [
            "không có số đếm «late»",
            "\"dossier_denominator\" phải liệt kê ít nhất một số đếm",
            "\"source\" là «excel»",
            "\"dossier_numerator\" chỉ dùng khi \"source\" là «dossiers»",
            "«online» được ghi hai lần",
        ] {
            assert!(all.contains(expected), "{expected}: {all}");
        }
    }

    #[test]
    fn direction_against_the_plan_is_a_warning() {
        let mut json = seed_json();
        entries(&mut json)[0]["direction"] = Value::from("lower_is_better");
        let (indicators, diagnostics) = load_catalogue(plan(), directory(), &json.to_string());
        assert_eq!(find(&indicators, "II.1.1").direction, Direction::LowerIsBetter);
        assert!(errors(&diagnostics).is_empty());
        // "=" 100% is not contradicted by either direction; a ">=" one would be.
        let mut json = seed_json();
        let list = entries(&mut json);
        let at = list.iter().position(|e| e["code"] == "III.1.1").unwrap();
        list[at]["direction"] = Value::from("lower_is_better");
        let (_, diagnostics) = load_catalogue(plan(), directory(), &json.to_string());
        assert!(warnings(&diagnostics).iter().any(|d| d.message.contains("ngược với ngưỡng")), "{diagnostics:#?}");
    }

    #[test]
    fn another_year_is_a_warning() {
        let mut json = seed_json();
        json["plan"] = Value::from("son-la-2025");
        let (indicators, diagnostics) = load_catalogue(plan(), directory(), &json.to_string());
        assert_eq!(indicators.len(), seed().0.len());
        assert!(warnings(&diagnostics).iter().any(|d| d.message.contains("năm 2024")), "{diagnostics:#?}");
    }

    #[test]
    fn an_empty_plan_reports_missing_targets() {
        let (indicators, diagnostics) = son_la_2024_catalogue(&Plan::empty(), directory());
        assert!(indicators.is_empty());
        assert_eq!(errors(&diagnostics).len(), seed().0.len());
        assert!(warnings(&diagnostics).is_empty());
    }

    #[test]
    fn rules_with_unknown_indicators_are_dropped() {
        let (indicators, _) = seed();
        let source = r#"{
          "version": 1,
          "rules": [
            {"id": "ok", "left": [{"indicator": "VII.1.3", "part": "numerator"}], "operator": "<=",
             "right": [{"indicator": "VII.2.2", "part": "denominator"}], "importance": "error",
             "skip_when_missing": true, "message": "Hồ sơ xử lý trực tuyến ≤ hồ sơ tiếp nhận"},
            {"id": "unknown", "left": [{"indicator": "VII.9.1", "part": "numerator"}], "operator": "<=",
             "right": [{"constant": 5}], "importance": "error", "message": "x"},
            {"id": "bad-part", "left": [{"indicator": "VII.1.3", "part": "tu_so"}], "operator": "<=",
             "right": [{"constant": 5}], "importance": "warning", "message": "x"},
            {"id": "bad-operator", "left": [{"indicator": "VII.1.3", "part": "numerator"}], "operator": "!=",
             "right": [{"constant": 5}], "importance": "fatal", "message": ""},
            {"id": "constants", "left": [{"constant": 1}], "operator": "<=", "right": [{"constant": 2}],
             "importance": "warning", "message": "x"},
            {"id": "empty", "left": [], "operator": "<=", "right": [{"constant": 2}], "importance": "warning", "message": "x"},
            {"id": "ok", "left": [{"constant": 1}], "operator": "<=", "right": [{"indicator": "VII.1.3", "part": "numerator"}],
             "importance": "warning", "message": "trùng"},
            {"id": "has space", "left": [{"constant": 1}], "operator": "<=", "right": [], "importance": "warning", "message": "x"},
            7
          ]
        }"#;
        let (rules, diagnostics) = load_rules(indicators, source);
        assert_eq!(rules.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), vec!["ok"]);
        assert_eq!(errors(&diagnostics).len(), 7, "{diagnostics:#?}");
        assert_eq!(warnings(&diagnostics).len(), 1, "{diagnostics:#?}");
        let unknown = diagnostics.iter().find(|d| d.message.contains("«unknown»")).unwrap();
        assert!(unknown.message.contains("VII.9.1") && unknown.line == 7, "{unknown:?}");
        let duplicate = diagnostics.iter().find(|d| d.message.contains("bị trùng")).unwrap();
        assert_eq!(duplicate.line, 16);
        // Without the catalogue, every indicator is unknown.
        let (rules, diagnostics) = son_la_2024_rules(&[]);
        assert!(rules.is_empty());
        assert!(diagnostics.iter().all(|d| d.severity == Severity::Error));
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(source in any::<String>()) {
            let (indicators, _) = load_catalogue(plan(), directory(), &source);
            prop_assert!(indicators.is_empty());
            let _ = load_rules(&seed().0, &source);
        }

        #[test]
        fn damaged_seed_files_never_panic(cut in 0usize..40_000, len in 0usize..400) {
            for file in [SON_LA_2024_INDICATORS_JSON, SON_LA_2024_RULES_JSON] {
                let chars: Vec<char> = file.chars().collect();
                let start = cut.min(chars.len());
                let end = (start + len).min(chars.len());
                let damaged: String = chars[..start].iter().chain(&chars[end..]).collect();
                let _ = load_catalogue(plan(), directory(), &damaged);
                let _ = load_rules(&seed().0, &damaged);
            }
        }

        #[test]
        fn arbitrary_entries_never_panic(
            area in prop::sample::select(vec!["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "x", ""]),
            bullet in any::<u16>(),
            number in any::<u16>(),
            target in any::<u64>(),
            thresholds in prop::collection::vec(any::<u64>(), 0..5),
            name in "\\PC{0,20}",
            reporters in prop::collection::vec("\\PC{0,12}", 0..3),
        ) {
            let entry = serde_json::json!({
                "code": format!("{area}.{bullet}.{number}"),
                "target": target,
                "thresholds": thresholds,
                "name": name,
                "numerator": "n",
                "denominator": "d",
                "unit": "%",
                "direction": "higher_is_better",
                "reporters": reporters,
            });
            let source = serde_json::json!({"version": 1, "indicators": [entry]}).to_string();
            let (indicators, _) = load_catalogue(plan(), directory(), &source);
            for indicator in &indicators {
                let area = plan().areas.iter().find(|a| a.code == indicator.area).unwrap();
                prop_assert!(indicator.thresholds.len() <= area.targets[indicator.target].thresholds.len());
            }
        }
    }
}
