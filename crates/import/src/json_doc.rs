//! Reading the fields of an editable JSON document (PAR Index framework, rating rules) into
//! domain values while collecting line-numbered Vietnamese diagnostics: a missing or mistyped
//! field is an error naming the field, an unknown one a warning; nothing panics.

use cchc_domain::evaluation::Points;
use cchc_domain::{Diagnostic, Severity};
use serde_json::{Map, Value};

/// The diagnostics gathered while reading one document.
pub(crate) struct DocReader<'a> {
    pub(crate) source: &'a str,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl<'a> DocReader<'a> {
    pub(crate) fn new(source: &'a str) -> DocReader<'a> {
        DocReader { source, diagnostics: Vec::new() }
    }

    /// The document's root value, or `None` with an error when it is not JSON.
    pub(crate) fn root(&mut self) -> Option<Value> {
        match serde_json::from_str(self.source) {
            Ok(root) => Some(root),
            Err(e) => {
                self.error(
                    u32::try_from(e.line()).unwrap_or(0),
                    format!("Tệp không phải JSON hợp lệ (dòng {}, cột {}).", e.line(), e.column()),
                );
                None
            }
        }
    }

    pub(crate) fn error(&mut self, line: u32, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(line, Severity::Error, message));
    }

    pub(crate) fn warning(&mut self, line: u32, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(line, Severity::Warning, message));
    }

    pub(crate) fn unknown_keys(&mut self, object: &Map<String, Value>, known: &[&str], what: &str, line: u32) {
        for key in object.keys().filter(|k| !known.contains(&k.as_str())) {
            self.warning(line, format!("{what}: trường «{key}» không được dùng; bỏ qua."));
        }
    }

    /// A text field, cleaned; empty when absent (an error when `required`).
    pub(crate) fn text(
        &mut self,
        object: &Map<String, Value>,
        key: &str,
        what: &str,
        line: u32,
        required: bool,
    ) -> String {
        match object.get(key) {
            Some(Value::String(text)) => {
                let text = cchc_domain::text::clean(text);
                if required && text.is_empty() {
                    self.error(line, format!("{what}: «{key}» không được để trống."));
                }
                text
            }
            None | Some(Value::Null) => {
                if required {
                    self.error(line, format!("{what}: thiếu «{key}»."));
                }
                String::new()
            }
            Some(_) => {
                self.error(line, format!("{what}: «{key}» phải là chuỗi ký tự."));
                String::new()
            }
        }
    }

    /// Non-negative points with at most two decimals.
    pub(crate) fn points(&mut self, object: &Map<String, Value>, key: &str, what: &str, line: u32) -> Points {
        match object.get(key).and_then(Value::as_f64) {
            Some(value) if Points::is_exact(value) && value >= 0.0 => Points::of(value).unwrap_or_default(),
            Some(_) => {
                self.error(line, format!("{what}: «{key}» phải là số điểm không âm, tối đa hai chữ số thập phân."));
                Points::ZERO
            }
            None => {
                self.error(line, format!("{what}: thiếu số điểm «{key}»."));
                Points::ZERO
            }
        }
    }

    /// A finite number.
    pub(crate) fn number(&mut self, object: &Map<String, Value>, key: &str, what: &str, line: u32) -> Option<f64> {
        match object.get(key) {
            Some(value) => match value.as_f64() {
                Some(number) if number.is_finite() => Some(number),
                _ => {
                    self.error(line, format!("{what}: «{key}» phải là một số."));
                    None
                }
            },
            None => {
                self.error(line, format!("{what}: thiếu «{key}»."));
                None
            }
        }
    }

    /// A list; empty with an error when it is something else.
    pub(crate) fn list<'v>(&mut self, object: &'v Map<String, Value>, key: &str, what: &str, line: u32) -> &'v [Value] {
        match object.get(key) {
            Some(Value::Array(items)) => items,
            _ => {
                self.error(line, format!("{what}: «{key}» phải là một danh sách."));
                &[]
            }
        }
    }
}

/// The errors of a reading as «line: message», for tests.
#[cfg(test)]
pub(crate) fn error_lines(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| format!("{}: {}", d.line, d.message)).collect()
}
