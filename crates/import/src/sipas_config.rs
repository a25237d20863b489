//! The SIPAS configuration as an editable JSON document: per element of the questionnaire, its
//! weight in the overall share and the item numbers (questions) that belong to it; and the
//! levels counted as satisfied. Read with line-numbered Vietnamese diagnostics and refused whole
//! on any error.
//!
//! ```json
//! { "elements": [ { "element": "access", "name": "Tiếp cận dịch vụ", "weight": 1, "items": [1, 2, 3, 4] }, … ],
//!   "satisfied": [4, 5] }
//! ```

use std::collections::{BTreeMap, BTreeSet};

use cchc_domain::sipas::{Rating, SipasConfig, SipasElement};
use cchc_domain::{Diagnostic, Severity};
use serde::Serialize;
use serde_json::Value;

use crate::indicators::{field_line, key_line};
use crate::json_doc::DocReader;

const ROOT_KEYS: &[&str] = &["elements", "satisfied", "note"];
const ELEMENT_KEYS: &[&str] = &["element", "name", "weight", "items"];
/// Highest question number accepted.
const MAX_ITEM: u64 = 999;

/// Reads a configuration document; the configuration comes back only when nothing is an error.
pub fn load_sipas_config(source: &str) -> (Option<SipasConfig>, Vec<Diagnostic>) {
    let mut reader = DocReader::new(source);
    let Some(root) = reader.root() else {
        return (None, reader.diagnostics);
    };
    let Value::Object(root) = root else {
        reader.error(1, "Tệp cấu hình SIPAS phải là một đối tượng JSON { … }.");
        return (None, reader.diagnostics);
    };
    reader.unknown_keys(&root, ROOT_KEYS, "Cấu hình", 1);
    let mut config = SipasConfig { items: BTreeMap::new(), weights: BTreeMap::new(), satisfied: BTreeSet::new() };
    let elements_line = key_line(source, "elements");
    for value in reader.list(&root, "elements", "Cấu hình", elements_line) {
        let Value::Object(object) = value else {
            reader.error(elements_line, "Mỗi phần tử của «elements» phải là một đối tượng { … }.");
            continue;
        };
        let code = reader.text(object, "element", "Yếu tố", elements_line, true);
        let line = field_line(source, "element", &code, 0).max(elements_line);
        reader.unknown_keys(object, ELEMENT_KEYS, "Yếu tố", line);
        let Some(element) = SipasElement::parse(&code) else {
            if !code.is_empty() {
                reader.error(
                    line,
                    format!(
                        "Yếu tố «{code}» không có; dùng một trong: {}.",
                        SipasElement::ALL.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
            continue;
        };
        let what = format!("Yếu tố «{}»", element.label_vn());
        if config.weights.contains_key(&element) {
            reader.error(line, format!("{what} được khai báo hai lần."));
            continue;
        }
        match reader.number(object, "weight", &what, line) {
            Some(weight) if weight >= 0.0 => {
                config.weights.insert(element, weight);
            }
            Some(_) => reader.error(line, format!("{what}: trọng số phải là số không âm.")),
            None => {}
        }
        for item in reader.list(object, "items", &what, line) {
            match item.as_u64().filter(|n| (1..=MAX_ITEM).contains(n)).and_then(|n| u16::try_from(n).ok()) {
                Some(number) => {
                    if let Some(other) = config.items.insert(number, element) {
                        reader.error(
                            line,
                            format!(
                                "Câu hỏi số {number} đã thuộc yếu tố «{}»; mỗi câu chỉ thuộc một yếu tố.",
                                other.label_vn()
                            ),
                        );
                    }
                }
                None => reader
                    .error(line, format!("{what}: số câu hỏi phải là số nguyên từ 1 đến {MAX_ITEM} (gặp {item}).")),
            }
        }
    }
    let satisfied_line = key_line(source, "satisfied");
    for level in reader.list(&root, "satisfied", "Cấu hình", satisfied_line) {
        match level.as_u64().and_then(|n| u8::try_from(n).ok()).and_then(Rating::new) {
            Some(rating) => {
                config.satisfied.insert(rating);
            }
            None => reader.error(satisfied_line, format!("Mức hài lòng phải là số từ 1 đến 5 (gặp {level}).")),
        }
    }
    if let Err(problem) = config.check() {
        reader.error(1, format!("Cấu hình không dùng được: {problem}."));
    }
    let ok = !reader.diagnostics.iter().any(|d| d.severity == Severity::Error);
    (ok.then_some(config), reader.diagnostics)
}

#[derive(Serialize)]
struct ConfigDoc {
    elements: Vec<ElementDoc>,
    satisfied: Vec<u8>,
}

#[derive(Serialize)]
struct ElementDoc {
    element: &'static str,
    name: &'static str,
    weight: f64,
    items: Vec<u16>,
}

/// The editable document of a configuration (read back identically by [`load_sipas_config`]).
pub fn sipas_config_document(config: &SipasConfig) -> String {
    let doc = ConfigDoc {
        elements: SipasElement::ALL
            .iter()
            .map(|e| ElementDoc {
                element: e.as_str(),
                name: e.label_vn(),
                weight: config.weight(*e),
                items: config.items_of(*e),
            })
            .collect(),
        satisfied: config.satisfied.iter().map(|r| r.level()).collect(),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    use crate::json_doc::error_lines as errors;

    #[test]
    fn the_default_round_trips() {
        let text = sipas_config_document(&SipasConfig::default());
        let (config, diagnostics) = load_sipas_config(&text);
        assert!(errors(&diagnostics).is_empty(), "{diagnostics:?}");
        assert_eq!(config.unwrap(), SipasConfig::default());
    }

    #[test]
    fn weights_and_items_are_read() {
        let text = sipas_config_document(&SipasConfig::default())
            .replacen("\"weight\": 1.0", "\"weight\": 2.0", 1)
            .replace("\"satisfied\": [\n    4,\n    5\n  ]", "\"satisfied\": [5]");
        let (config, diagnostics) = load_sipas_config(&text);
        assert!(errors(&diagnostics).is_empty(), "{diagnostics:?}");
        let config = config.unwrap();
        assert_eq!(config.weight(SipasElement::Access), 2.0);
        assert_eq!(config.weight(SipasElement::Procedure), 1.0);
        assert_eq!(config.satisfied.iter().map(|r| r.level()).collect::<Vec<_>>(), vec![5]);
    }

    #[test]
    fn mistakes_are_refused_whole_each_with_its_line() {
        let text = r#"{
  "elements": [
    { "element": "access", "weight": -1, "items": [1, 2] },
    { "element": "procedure", "weight": 1, "items": [2, 0] },
    { "element": "nowhere", "weight": 1, "items": [9] }
  ],
  "satisfied": [6]
}"#;
        let (config, diagnostics) = load_sipas_config(text);
        assert!(config.is_none());
        let errors = errors(&diagnostics);
        assert!(
            errors.iter().any(|e| e.starts_with("3: ") && e.contains("trọng số phải là số không âm")),
            "{errors:?}"
        );
        assert!(errors.iter().any(|e| e.starts_with("4: ") && e.contains("Câu hỏi số 2 đã thuộc")), "{errors:?}");
        assert!(errors.iter().any(|e| e.starts_with("4: ") && e.contains("gặp 0")), "{errors:?}");
        assert!(errors.iter().any(|e| e.starts_with("5: ") && e.contains("«nowhere» không có")), "{errors:?}");
        assert!(errors.iter().any(|e| e.starts_with("7: ") && e.contains("từ 1 đến 5")), "{errors:?}");
        let (none, diagnostics) = load_sipas_config("not json");
        assert!(none.is_none() && !diagnostics.is_empty());
    }
}
