//! Parsers in this project never fail wholesale: they return their result together with a list
//! of diagnostics, each tied to a line of the source document.

use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something was noted but the result is complete (e.g. a gap in the printed numbering).
    Info,
    /// Part of the input could not be understood and was kept verbatim.
    Warning,
    /// Part of the input was unusable; the result is incomplete.
    Error,
}

impl Severity {
    /// Machine name used in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Vietnamese label shown to people.
    pub fn label_vn(self) -> &'static str {
        match self {
            Severity::Info => "thông tin",
            Severity::Warning => "cảnh báo",
            Severity::Error => "lỗi",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// One message about one line of an input document. `message` is Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line number in the source; 0 when the message concerns the whole document.
    pub line: u32,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    pub fn new(line: u32, severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic { line, severity, message: message.into() }
    }
    pub fn warning(line: u32, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(line, Severity::Warning, message)
    }
    pub fn error(line: u32, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(line, Severity::Error, message)
    }
    pub fn info(line: u32, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(line, Severity::Info, message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dòng {}: {}: {}", self.line, self.severity.label_vn(), self.message)
    }
}
