//! The rules of the year-end task-completion rating as editable JSON documents: read with
//! line-numbered diagnostics (refused whole when any is an error), written back for editing,
//! and the two rule sets shipped with the software (2024 on: Decree 90/2020 as amended by
//! Decree 48/2023, approximated in points; 2026 on: Decree 335/2025).

use cchc_domain::evaluation::{
    check_rules, AutoMeasure, Component, RatingBand, RatingLevel, RatingRules, RatingSource, RulesPart,
};
use cchc_domain::{Diagnostic, Severity};
use serde::Serialize;
use serde_json::Value;

use crate::indicators::{field_line, key_line, Occurrences};
use crate::json_doc::DocReader;

/// Decree 335/2025/NĐ-CP, from 2026.
pub const RULES_2026_ND335: &str = include_str!("../data/rating-2026-nd335.json");
/// Decree 90/2020/NĐ-CP as amended by Decree 48/2023/NĐ-CP, in force in 2024 (and 2025).
pub const RULES_2024_ND90: &str = include_str!("../data/rating-2024-nd90.json");

/// The shipped rule sets, oldest first (those that load).
pub fn shipped_rules() -> Vec<RatingRules> {
    [RULES_2024_ND90, RULES_2026_ND335].into_iter().filter_map(|text| load_rules(text).0).collect()
}

const ROOT_KEYS: &[&str] =
    &["title", "basis", "valid_from_year", "excellent_cap_percent", "components", "bands", "notes"];
const COMPONENT_KEYS: &[&str] = &["code", "name", "max", "source", "measure", "share"];
const BAND_KEYS: &[&str] = &["from", "level"];

/// Reads a rule-set document. The rules come back only when nothing is an error: the JSON
/// shape, known sources, measures and levels, components adding up to 100, bands from 0 upwards
/// without repeats, the cap within 0–100.
pub fn load_rules(source: &str) -> (Option<RatingRules>, Vec<Diagnostic>) {
    let mut reader = DocReader::new(source);
    let Some(root) = reader.root() else {
        return (None, reader.diagnostics);
    };
    let Value::Object(root) = root else {
        reader.error(
            1,
            "Tệp quy tắc xếp loại phải là một đối tượng JSON có các trường valid_from_year, components, bands.",
        );
        return (None, reader.diagnostics);
    };
    let what = "Bộ quy tắc xếp loại";
    reader.unknown_keys(&root, ROOT_KEYS, what, 1);
    let title = reader.text(&root, "title", what, key_line(source, "title"), true);
    let basis = reader.text(&root, "basis", what, key_line(source, "basis"), true);
    let year_line = key_line(source, "valid_from_year");
    let valid_from_year = match root.get("valid_from_year").and_then(Value::as_i64) {
        Some(year) if (2000..=2100).contains(&year) => i32::try_from(year).unwrap_or(0),
        _ => {
            reader.error(year_line, "«valid_from_year» phải là năm bắt đầu áp dụng, ví dụ 2026.");
            0
        }
    };
    let cap_line = key_line(source, "excellent_cap_percent");
    let excellent_cap_percent = match root.get("excellent_cap_percent") {
        None | Some(Value::Null) => None,
        Some(value) => match value.as_u64().and_then(|v| u32::try_from(v).ok()) {
            Some(percent) => Some(percent),
            None => {
                reader.error(cap_line, "«excellent_cap_percent» phải là số nguyên phần trăm từ 0 đến 100.");
                None
            }
        },
    };
    let mut occurrences = Occurrences::default();
    let mut component_lines = std::collections::HashMap::new();
    let mut components = Vec::new();
    for (i, value) in reader.list(&root, "components", what, key_line(source, "components")).iter().enumerate() {
        let position = format!("Thành phần thứ {}", i + 1);
        let Value::Object(object) = value else {
            reader.error(key_line(source, "components"), format!("{position} phải là một đối tượng JSON; bỏ qua."));
            continue;
        };
        let Some(code) = object.get("code").and_then(Value::as_str).map(str::trim).filter(|c| !c.is_empty()) else {
            reader.error(key_line(source, "components"), format!("{position} thiếu mã «code»; bỏ qua."));
            continue;
        };
        let nth = occurrences.next(code);
        let line = field_line(source, "code", code, nth);
        component_lines.entry(code.to_string()).or_insert(line);
        let what = format!("Thành phần {code}");
        reader.unknown_keys(object, COMPONENT_KEYS, &what, line);
        let name = reader.text(object, "name", &what, line, true);
        let max = reader.points(object, "max", &what, line);
        let source_name = object.get("source").and_then(Value::as_str).unwrap_or_default();
        let source = match source_name {
            "par_index" => RatingSource::ParIndex,
            "auto" => {
                let measure_name = object.get("measure").and_then(Value::as_str).unwrap_or_default();
                match AutoMeasure::parse(measure_name) {
                    Some(measure) => RatingSource::Auto(measure),
                    None => {
                        let known = AutoMeasure::ALL.map(|m| format!("{} ({})", m.as_str(), m.label_vn())).join("; ");
                        reader.error(
                            line,
                            format!("{what}: số liệu tự động «{measure_name}» không có trong hệ thống; dùng một trong: {known}."),
                        );
                        continue;
                    }
                }
            }
            "constant" => match object.get("share").and_then(Value::as_f64) {
                Some(share) => RatingSource::Constant(share),
                None => {
                    reader.error(line, format!("{what}: nguồn «constant» cần tỷ lệ «share» (phần trăm, 0–100)."));
                    continue;
                }
            },
            other => {
                reader.error(
                    line,
                    format!(
                        "{what}: nguồn điểm «{other}» không có; dùng một trong: par_index (Chỉ số CCHC), auto (số liệu tự động, kèm «measure»), constant (tỷ lệ cố định, kèm «share»)."
                    ),
                );
                continue;
            }
        };
        components.push(Component { code: code.to_string(), name, max, source });
    }
    let mut band_lines = Vec::new();
    let mut bands = Vec::new();
    let mut level_occurrences = Occurrences::default();
    for (i, value) in reader.list(&root, "bands", what, key_line(source, "bands")).iter().enumerate() {
        let position = format!("Mức xếp loại thứ {}", i + 1);
        let Value::Object(object) = value else {
            reader.error(key_line(source, "bands"), format!("{position} phải là đối tượng {{\"from\", \"level\"}}."));
            continue;
        };
        let level_text = object.get("level").and_then(Value::as_str).unwrap_or_default();
        let line = match field_line(source, "level", level_text, level_occurrences.next(level_text)) {
            0 => key_line(source, "bands"),
            line => line,
        };
        reader.unknown_keys(object, BAND_KEYS, &position, line);
        let Some(level) = RatingLevel::parse(level_text) else {
            let known = RatingLevel::ALL.map(|l| format!("{} ({})", l.as_str(), l.label_vn())).join("; ");
            reader.error(line, format!("{position}: mức «{level_text}» không có; dùng một trong: {known}."));
            continue;
        };
        let from = reader.points(object, "from", &position, line);
        band_lines.push(line);
        bands.push(RatingBand { from, level });
    }
    let notes = match root.get("notes") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(cchc_domain::text::clean).collect(),
        Some(_) => {
            reader.error(key_line(source, "notes"), "«notes» phải là danh sách các đoạn ghi chú.");
            Vec::new()
        }
    };
    let rules = RatingRules { title, basis, valid_from_year, components, bands, excellent_cap_percent, notes };
    // A component refused above would also make the sum wrong: say it once.
    let skipped = root.get("components").and_then(Value::as_array).map_or(0, Vec::len) != rules.components.len();
    for problem in check_rules(&rules) {
        if skipped && problem.part == RulesPart::Components {
            continue;
        }
        let line = match &problem.part {
            RulesPart::Components => key_line(source, "components"),
            RulesPart::Component(code) => component_lines.get(code).copied().unwrap_or(0),
            RulesPart::Bands => key_line(source, "bands"),
            RulesPart::Band(i) => band_lines.get(*i).copied().unwrap_or(0),
            RulesPart::Cap => cap_line,
        };
        reader.error(line, problem.message);
    }
    let ok = !reader.diagnostics.iter().any(|d| d.severity == Severity::Error);
    (ok.then_some(rules), reader.diagnostics)
}

#[derive(Serialize)]
struct RulesDoc<'a> {
    title: &'a str,
    basis: &'a str,
    valid_from_year: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    excellent_cap_percent: Option<u32>,
    components: Vec<ComponentDoc<'a>>,
    bands: Vec<BandDoc>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct ComponentDoc<'a> {
    code: &'a str,
    name: &'a str,
    max: f64,
    source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    measure: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    share: Option<f64>,
}

#[derive(Serialize)]
struct BandDoc {
    from: f64,
    level: &'static str,
}

/// The rule set as the editable JSON document that [`load_rules`] reads.
pub fn rules_document(rules: &RatingRules) -> String {
    let doc = RulesDoc {
        title: &rules.title,
        basis: &rules.basis,
        valid_from_year: rules.valid_from_year,
        excellent_cap_percent: rules.excellent_cap_percent,
        components: rules
            .components
            .iter()
            .map(|c| ComponentDoc {
                code: &c.code,
                name: &c.name,
                max: c.max.value(),
                source: c.source.as_str(),
                measure: match c.source {
                    RatingSource::Auto(measure) => Some(measure.as_str()),
                    _ => None,
                },
                share: match c.source {
                    RatingSource::Constant(share) => Some(share),
                    _ => None,
                },
            })
            .collect(),
        bands: rules.bands.iter().map(|b| BandDoc { from: b.from.value(), level: b.level.as_str() }).collect(),
        notes: &rules.notes,
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use cchc_domain::evaluation::Points;

    use crate::json_doc::error_lines as errors;

    #[test]
    fn the_shipped_rule_sets_load_cleanly() {
        for text in [RULES_2024_ND90, RULES_2026_ND335] {
            let (rules, diagnostics) = load_rules(text);
            assert_eq!(diagnostics, vec![]);
            let rules = rules.unwrap();
            assert_eq!(rules.components.iter().map(|c| c.max).sum::<Points>(), Points::of(100.0).unwrap());
            assert_eq!(rules.excellent_cap_percent, Some(20));
            assert!(!rules.notes.is_empty());
        }
        let sets = shipped_rules();
        assert_eq!(sets.iter().map(|r| r.valid_from_year).collect::<Vec<_>>(), vec![2024, 2026]);
        let nd335 = &sets[1];
        assert!(nd335.basis.contains("335/2025/NĐ-CP"));
        assert_eq!(nd335.components[0].max, Points::of(30.0).unwrap());
        assert_eq!(nd335.components[1].max, Points::of(70.0).unwrap());
        assert_eq!(nd335.level_of(Points::of(90.0).unwrap()), Some(RatingLevel::HoanThanhXuatSac));
        assert_eq!(nd335.level_of(Points::of(69.99).unwrap()), Some(RatingLevel::HoanThanh));
    }

    #[test]
    fn a_document_round_trips() {
        for rules in shipped_rules() {
            let (again, diagnostics) = load_rules(&rules_document(&rules));
            assert_eq!(errors(&diagnostics), Vec::<String>::new());
            assert_eq!(again, Some(rules));
        }
    }

    #[test]
    fn components_that_do_not_add_up_are_refused_with_the_line() {
        let text = RULES_2026_ND335.replacen("\"max\": 70,", "\"max\": 60,", 1);
        assert_ne!(text, RULES_2026_ND335);
        let (rules, diagnostics) = load_rules(&text);
        assert!(rules.is_none());
        let errors = errors(&diagnostics);
        assert!(errors.iter().any(|e| e.contains("là 90, phải bằng 100")), "{errors:?}");
        let line = diagnostics.iter().find(|d| d.message.contains("phải bằng 100")).map(|d| d.line).unwrap();
        assert_eq!(text.lines().nth(line as usize - 1).map(str::trim), Some("\"components\": ["));
    }

    #[test]
    fn gaps_unknown_sources_and_levels_are_refused_each_with_its_line() {
        let text = RULES_2026_ND335
            .replacen(
                "{ \"from\": 0, \"level\": \"khong-hoan-thanh\" }",
                "{ \"from\": 10, \"level\": \"khong-hoan-thanh\" }",
                1,
            )
            .replacen("\"measure\": \"milestones_on_time\"", "\"measure\": \"dossiers\"", 1)
            .replacen("\"level\": \"tot\"", "\"level\": \"gioi\"", 1);
        let (rules, diagnostics) = load_rules(&text);
        assert!(rules.is_none());
        let found = errors(&diagnostics);
        assert!(found.iter().any(|e| e.contains("bắt đầu từ 0 điểm (đang là 10)")), "{found:?}");
        assert!(found.iter().any(|e| e.contains("số liệu tự động «dossiers» không có")), "{found:?}");
        assert!(found.iter().any(|e| e.contains("mức «gioi» không có")), "{found:?}");
        for d in diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            let line = text.lines().nth(d.line as usize - 1).unwrap_or_default();
            assert!(
                line.contains("khong-hoan-thanh") || line.contains("ket-qua-nhiem-vu") || line.contains("gioi"),
                "{}: {line}",
                d.message
            );
        }
        let text = RULES_2026_ND335.replacen("\"source\": \"par_index\"", "\"source\": \"magic\"", 1);
        assert!(errors(&load_rules(&text).1).iter().any(|e| e.contains("nguồn điểm «magic» không có")));
    }

    #[test]
    fn broken_json_and_wrong_shapes_are_diagnosed_not_panicked_on() {
        for text in
            ["", "[]", "{", "{\"components\": 3}", "{\"valid_from_year\": \"x\", \"components\": [1, {\"code\": 4}]}"]
        {
            let (rules, diagnostics) = load_rules(text);
            assert!(rules.is_none(), "{text}");
            assert!(!errors(&diagnostics).is_empty(), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in ".{0,200}") {
            let _ = load_rules(&text);
        }
    }
}
