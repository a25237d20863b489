//! The PAR Index criteria framework as an editable JSON document: read with line-numbered
//! diagnostics (refused whole by the services when any is an error), written back for editing,
//! and the template shipped with the software.

use std::collections::HashMap;

use cchc_domain::evaluation::{
    check_framework, AutoMeasure, Band, Criterion, EvaluationArea, Framework, Level, Mapping, Method, Step,
    SubCriterion, SurveyMeasure, ASSESSED_KINDS,
};
use cchc_domain::{AgencyKind, Diagnostic, Severity};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::indicators::{field_line, key_line, Occurrences};
use crate::json_doc::DocReader;

/// The template framework (national PAR INDEX pattern, areas I–VIII of the plan, 100 points),
/// to be replaced by the province's own criteria decision.
pub const PAR_INDEX_TEMPLATE: &str = include_str!("../data/par-index-template.json");

/// The template for `year` and `kind`: the shipped document with its year, kind and title set.
pub fn template(year: i32, kind: AgencyKind) -> Option<Framework> {
    let (framework, _) = load_framework(PAR_INDEX_TEMPLATE);
    let mut framework = framework?;
    framework.year = year;
    framework.kind = kind;
    framework.title = format!("Bộ tiêu chí xác định Chỉ số CCHC năm {year} của {} (mẫu)", kind_label(kind));
    framework.template = true;
    Some(framework)
}

/// "các sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã".
pub fn kind_label(kind: AgencyKind) -> &'static str {
    match kind {
        AgencyKind::Department => "các sở, ban, ngành",
        AgencyKind::District => "UBND các huyện, thành phố",
        AgencyKind::Commune => "UBND các xã, phường",
        other => other.label_vn(),
    }
}

/// The machine name of an assessed kind in documents and URLs.
pub fn parse_kind(text: &str) -> Option<AgencyKind> {
    AgencyKind::parse(text.trim()).filter(|k| ASSESSED_KINDS.contains(k))
}

const ROOT_KEYS: &[&str] = &["year", "kind", "title", "basis", "template", "max", "bands", "areas"];
const AREA_KEYS: &[&str] = &["code", "name", "max", "criteria"];
const CRITERION_KEYS: &[&str] = &["code", "name", "max", "subs"];
const SUB_KEYS: &[&str] = &["code", "name", "max", "method", "evidence", "levels", "unit", "mapping", "measure"];

struct Reader<'a> {
    doc: DocReader<'a>,
    occurrences: Occurrences,
    /// Line of each code, for the problems the domain check reports by code.
    lines: HashMap<String, u32>,
}

impl<'a> std::ops::Deref for Reader<'a> {
    type Target = DocReader<'a>;
    fn deref(&self) -> &DocReader<'a> {
        &self.doc
    }
}

impl std::ops::DerefMut for Reader<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.doc
    }
}

impl Reader<'_> {
    fn code_line(&mut self, code: &str) -> u32 {
        let nth = self.occurrences.next(code);
        let line = field_line(self.doc.source, "code", code, nth);
        self.lines.entry(code.to_string()).or_insert(line);
        line
    }
}

/// Reads a framework document. The framework comes back only when nothing is an error: the
/// JSON shape, names of methods and measures, the points adding up at every level, mappings
/// without gaps and bands.
pub fn load_framework(source: &str) -> (Option<Framework>, Vec<Diagnostic>) {
    let mut reader = Reader { doc: DocReader::new(source), occurrences: Occurrences::default(), lines: HashMap::new() };
    let Some(root) = reader.root() else {
        return (None, reader.doc.diagnostics);
    };
    let Value::Object(root) = root else {
        reader.error(1, "Tệp bộ tiêu chí phải là một đối tượng JSON có các trường year, kind, areas, bands.");
        return (None, reader.doc.diagnostics);
    };
    reader.unknown_keys(&root, ROOT_KEYS, "Bộ tiêu chí", 1);
    let year_line = key_line(source, "year");
    let year = match root.get("year").and_then(Value::as_i64) {
        Some(year) if (2000..=2100).contains(&year) => i32::try_from(year).unwrap_or(0),
        _ => {
            reader.error(year_line, "«year» phải là năm đánh giá, ví dụ 2024.");
            0
        }
    };
    let kind_line = key_line(source, "kind");
    let kind = match root.get("kind").and_then(Value::as_str).and_then(parse_kind) {
        Some(kind) => kind,
        None => {
            reader.error(
                kind_line,
                "«kind» phải là một trong: department (sở, ban, ngành), district (UBND cấp huyện), commune (UBND cấp xã).",
            );
            AgencyKind::Department
        }
    };
    let title = reader.text(&root, "title", "Bộ tiêu chí", key_line(source, "title"), true);
    let basis = reader.text(&root, "basis", "Bộ tiêu chí", key_line(source, "basis"), false);
    let template = root.get("template").and_then(Value::as_bool).unwrap_or(false);
    let max = reader.points(&root, "max", "Bộ tiêu chí", key_line(source, "max"));
    let bands = read_bands(&mut reader, &root);
    let mut areas = Vec::new();
    for (i, area) in reader.list(&root, "areas", "Bộ tiêu chí", key_line(source, "areas")).iter().enumerate() {
        if let Some(area) = read_area(&mut reader, area, i) {
            areas.push(area);
        }
    }
    let framework = Framework { year, kind, title, basis, template, max, areas, bands };
    for problem in check_framework(&framework) {
        let line = if problem.code.is_empty() {
            key_line(source, "max")
        } else {
            reader.lines.get(&problem.code).copied().unwrap_or(0)
        };
        reader.error(line, problem.message);
    }
    let ok = !reader.diagnostics.iter().any(|d| d.severity == Severity::Error);
    (ok.then_some(framework), reader.doc.diagnostics)
}

fn read_bands(reader: &mut Reader<'_>, root: &Map<String, Value>) -> Vec<Band> {
    let line = key_line(reader.source, "bands");
    let mut bands = Vec::new();
    for (i, band) in reader.list(root, "bands", "Bộ tiêu chí", line).iter().enumerate() {
        let what = format!("Mức xếp loại thứ {}", i + 1);
        let Value::Object(band) = band else {
            reader.error(line, format!("{what} phải là đối tượng {{\"from\", \"label\"}}."));
            continue;
        };
        let label = reader.text(band, "label", &what, line, true);
        let Some(from) = reader.number(band, "from", &what, line) else {
            continue;
        };
        bands.push(Band { from, label });
    }
    bands
}

fn coded_object<'v>(
    reader: &mut Reader<'_>,
    value: &'v Value,
    what: &str,
) -> Option<(&'v Map<String, Value>, String, u32)> {
    let Value::Object(object) = value else {
        reader.error(0, format!("{what} phải là một đối tượng JSON; bỏ qua."));
        return None;
    };
    let code = match object.get("code") {
        Some(Value::String(code)) if !code.trim().is_empty() => code.trim().to_string(),
        _ => {
            reader.error(0, format!("{what} thiếu mã «code»; bỏ qua."));
            return None;
        }
    };
    let line = reader.code_line(&code);
    Some((object, code, line))
}

fn read_area(reader: &mut Reader<'_>, value: &Value, index: usize) -> Option<EvaluationArea> {
    let (object, code, line) = coded_object(reader, value, &format!("Lĩnh vực thứ {}", index + 1))?;
    let what = format!("Lĩnh vực {code}");
    reader.unknown_keys(object, AREA_KEYS, &what, line);
    let name = reader.text(object, "name", &what, line, true);
    let max = reader.points(object, "max", &what, line);
    let mut criteria = Vec::new();
    for (i, criterion) in reader.list(object, "criteria", &what, line).iter().enumerate() {
        let Some((object, code, line)) = coded_object(reader, criterion, &format!("Tiêu chí thứ {} của {what}", i + 1))
        else {
            continue;
        };
        let what = format!("Tiêu chí {code}");
        reader.unknown_keys(object, CRITERION_KEYS, &what, line);
        let name = reader.text(object, "name", &what, line, true);
        let max = reader.points(object, "max", &what, line);
        let mut subs = Vec::new();
        for (i, sub) in reader.list(object, "subs", &what, line).iter().enumerate() {
            if let Some(sub) = read_sub(reader, sub, &format!("Tiêu chí thành phần thứ {} của {what}", i + 1))
            {
                subs.push(sub);
            }
        }
        criteria.push(Criterion { code, name, max, subs });
    }
    Some(EvaluationArea { code, name, max, criteria })
}

fn read_sub(reader: &mut Reader<'_>, value: &Value, position: &str) -> Option<SubCriterion> {
    let (object, code, line) = coded_object(reader, value, position)?;
    let what = format!("Tiêu chí thành phần {code}");
    reader.unknown_keys(object, SUB_KEYS, &what, line);
    let name = reader.text(object, "name", &what, line, true);
    let max = reader.points(object, "max", &what, line);
    let evidence = reader.text(object, "evidence", &what, line, false);
    let method_name = object.get("method").and_then(Value::as_str).unwrap_or_default();
    let method = match method_name {
        "yes_no" => Method::YesNo,
        "levels" => {
            let mut levels = Vec::new();
            for (i, level) in reader.list(object, "levels", &what, line).iter().enumerate() {
                let level_what = format!("{what}, mức thứ {}", i + 1);
                let Value::Object(level) = level else {
                    reader.error(line, format!("{level_what} phải là đối tượng {{\"label\", \"points\"}}."));
                    continue;
                };
                let label = reader.text(level, "label", &level_what, line, true);
                let points = reader.points(level, "points", &level_what, line);
                levels.push(Level { label, points });
            }
            Method::Levels(levels)
        }
        "number" => {
            let unit = reader.text(object, "unit", &what, line, false);
            Method::Number { unit, mapping: read_mapping(reader, object, &what, line)? }
        }
        "auto" => {
            let measure_name = object.get("measure").and_then(Value::as_str).unwrap_or_default();
            let Some(measure) = AutoMeasure::parse(measure_name) else {
                let known = AutoMeasure::ALL.map(|m| format!("{} ({})", m.as_str(), m.label_vn())).join("; ");
                reader.error(
                    line,
                    format!(
                        "{what}: số liệu tự động «{measure_name}» không có trong hệ thống; dùng một trong: {known}."
                    ),
                );
                return None;
            };
            Method::Auto { measure, mapping: read_mapping(reader, object, &what, line)? }
        }
        "survey" => {
            let measure_name = object.get("measure").and_then(Value::as_str).unwrap_or_default();
            let Some(measure) = SurveyMeasure::parse(measure_name) else {
                reader.error(
                    line,
                    format!("{what}: kết quả điều tra «{measure_name}» không có trong hệ thống; dùng: sipas (chỉ số hài lòng SIPAS)."),
                );
                return None;
            };
            Method::Survey { measure, mapping: read_mapping(reader, object, &what, line)? }
        }
        other => {
            reader.error(
                line,
                format!(
                    "{what}: phương pháp chấm điểm «{other}» không có; dùng một trong: auto (tự động từ số liệu hệ thống), yes_no (có/không), levels (theo mức), number (số liệu quy đổi), survey (điều tra SIPAS)."
                ),
            );
            return None;
        }
    };
    Some(SubCriterion { code, name, max, method, evidence })
}

fn read_mapping(reader: &mut Reader<'_>, object: &Map<String, Value>, what: &str, line: u32) -> Option<Mapping> {
    let mapping = object.get("mapping").and_then(Value::as_object);
    if let Some(linear) = mapping.and_then(|m| m.get("linear")).and_then(Value::as_object) {
        let full_at = reader.number(linear, "full_at", &format!("{what}, quy đổi tuyến tính"), line)?;
        return Some(Mapping::Linear { full_at });
    }
    if let Some(steps) = mapping.and_then(|m| m.get("steps")).and_then(Value::as_array) {
        let mut out = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            let step_what = format!("{what}, bậc thứ {}", i + 1);
            let Value::Object(step) = step else {
                reader.error(line, format!("{step_what} phải là đối tượng {{\"from\", \"to\", \"points\"}}."));
                return None;
            };
            let from = reader.number(step, "from", &step_what, line)?;
            let to = match step.get("to") {
                None | Some(Value::Null) => None,
                Some(_) => Some(reader.number(step, "to", &step_what, line)?),
            };
            let points = reader.points(step, "points", &step_what, line);
            out.push(Step { from, to, points });
        }
        return Some(Mapping::Steps(out));
    }
    reader.error(
        line,
        format!(
            "{what}: thiếu cách quy đổi «mapping»: {{\"linear\": {{\"full_at\": 100}}}} hoặc {{\"steps\": [{{\"from\": 0, \"to\": 50, \"points\": 0}}, …]}}."
        ),
    );
    None
}

#[derive(Serialize)]
struct FrameworkDoc<'a> {
    year: i32,
    kind: &'static str,
    title: &'a str,
    basis: &'a str,
    template: bool,
    max: f64,
    bands: Vec<BandDoc<'a>>,
    areas: Vec<AreaDoc<'a>>,
}

#[derive(Serialize)]
struct BandDoc<'a> {
    from: f64,
    label: &'a str,
}

#[derive(Serialize)]
struct AreaDoc<'a> {
    code: &'a str,
    name: &'a str,
    max: f64,
    criteria: Vec<CriterionDoc<'a>>,
}

#[derive(Serialize)]
struct CriterionDoc<'a> {
    code: &'a str,
    name: &'a str,
    max: f64,
    subs: Vec<SubDoc<'a>>,
}

#[derive(Serialize)]
struct SubDoc<'a> {
    code: &'a str,
    name: &'a str,
    max: f64,
    method: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    measure: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    levels: Option<Vec<LevelDoc<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mapping: Option<Value>,
    evidence: &'a str,
}

#[derive(Serialize)]
struct LevelDoc<'a> {
    label: &'a str,
    points: f64,
}

fn mapping_doc(mapping: &Mapping) -> Value {
    match mapping {
        Mapping::Linear { full_at } => serde_json::json!({ "linear": { "full_at": full_at } }),
        Mapping::Steps(steps) => serde_json::json!({
            "steps": steps.iter().map(|s| serde_json::json!({
                "from": s.from, "to": s.to, "points": s.points.value()
            })).collect::<Vec<_>>()
        }),
    }
}

/// The framework as the editable JSON document that [`load_framework`] reads.
pub fn framework_document(framework: &Framework) -> String {
    let doc = FrameworkDoc {
        year: framework.year,
        kind: framework.kind.as_str(),
        title: &framework.title,
        basis: &framework.basis,
        template: framework.template,
        max: framework.max.value(),
        bands: framework.bands.iter().map(|b| BandDoc { from: b.from, label: &b.label }).collect(),
        areas: framework
            .areas
            .iter()
            .map(|a| AreaDoc {
                code: &a.code,
                name: &a.name,
                max: a.max.value(),
                criteria: a
                    .criteria
                    .iter()
                    .map(|c| CriterionDoc {
                        code: &c.code,
                        name: &c.name,
                        max: c.max.value(),
                        subs: c.subs.iter().map(sub_doc).collect(),
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

fn sub_doc(sub: &SubCriterion) -> SubDoc<'_> {
    let mut doc = SubDoc {
        code: &sub.code,
        name: &sub.name,
        max: sub.max.value(),
        method: sub.method.as_str(),
        measure: None,
        unit: None,
        levels: None,
        mapping: None,
        evidence: &sub.evidence,
    };
    match &sub.method {
        Method::YesNo => {}
        Method::Levels(levels) => {
            doc.levels = Some(levels.iter().map(|l| LevelDoc { label: &l.label, points: l.points.value() }).collect());
        }
        Method::Number { unit, mapping } => {
            doc.unit = Some(unit);
            doc.mapping = Some(mapping_doc(mapping));
        }
        Method::Auto { measure, mapping } => {
            doc.measure = Some(measure.as_str());
            doc.mapping = Some(mapping_doc(mapping));
        }
        Method::Survey { measure, mapping } => {
            doc.measure = Some(measure.as_str());
            doc.mapping = Some(mapping_doc(mapping));
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use cchc_domain::evaluation::Points;

    use crate::json_doc::error_lines as errors;

    #[test]
    fn the_template_loads_cleanly_and_adds_up_to_100() {
        let (framework, diagnostics) = load_framework(PAR_INDEX_TEMPLATE);
        assert_eq!(diagnostics, vec![]);
        let framework = framework.unwrap();
        assert_eq!(framework.max, Points::of(100.0).unwrap());
        assert_eq!(framework.areas.len(), 8);
        assert!(framework.template);
    }

    #[test]
    fn a_document_round_trips() {
        let framework = template(2025, AgencyKind::Commune).unwrap();
        let text = framework_document(&framework);
        let (again, diagnostics) = load_framework(&text);
        assert_eq!(errors(&diagnostics), Vec::<String>::new());
        assert_eq!(again, Some(framework));
    }

    #[test]
    fn points_that_do_not_add_up_are_refused_with_the_line_of_the_criterion() {
        let text = PAR_INDEX_TEMPLATE.replacen("\"max\": 2,\n          \"subs\"", "\"max\": 3,\n          \"subs\"", 1);
        assert_ne!(text, PAR_INDEX_TEMPLATE);
        let (framework, diagnostics) = load_framework(&text);
        assert!(framework.is_none());
        let errors = errors(&diagnostics);
        assert!(errors.iter().any(|e| e.contains("Tiêu chí I.2 ghi tối đa 3 điểm")), "{errors:?}");
        let line = diagnostics.iter().find(|d| d.message.contains("Tiêu chí I.2 ghi")).map(|d| d.line).unwrap();
        assert_eq!(text.lines().nth(line as usize - 1).map(str::trim), Some("\"code\": \"I.2\","));
    }

    #[test]
    fn an_unknown_method_or_measure_is_refused() {
        let text = PAR_INDEX_TEMPLATE.replacen("\"method\": \"yes_no\"", "\"method\": \"magic\"", 1).replacen(
            "\"measure\": \"reports_on_time\"",
            "\"measure\": \"dossiers\"",
            1,
        );
        let (framework, diagnostics) = load_framework(&text);
        assert!(framework.is_none());
        let errors = errors(&diagnostics);
        assert!(errors.iter().any(|e| e.contains("phương pháp chấm điểm «magic» không có")), "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("số liệu tự động «dossiers» không có")), "{errors:?}");
    }

    #[test]
    fn a_gap_in_a_step_mapping_is_refused() {
        let text = PAR_INDEX_TEMPLATE.replacen("\"to\": 70,", "\"to\": 60,", 1);
        assert_ne!(text, PAR_INDEX_TEMPLATE);
        let (framework, diagnostics) = load_framework(&text);
        assert!(framework.is_none());
        assert!(errors(&diagnostics).iter().any(|e| e.contains("bị hở từ 60 đến dưới 70")), "{diagnostics:?}");
    }

    #[test]
    fn broken_json_and_wrong_shapes_are_diagnosed_not_panicked_on() {
        for text in ["", "[]", "{", "{\"areas\": 3}", "{\"year\": \"x\", \"areas\": [1, {\"code\": 4}]}"] {
            let (framework, diagnostics) = load_framework(text);
            assert!(framework.is_none(), "{text}");
            assert!(!errors(&diagnostics).is_empty(), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in ".{0,200}") {
            let _ = load_framework(&text);
        }
    }
}
