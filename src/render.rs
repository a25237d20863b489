//! Vietnamese tables for people.

use cchc_domain::schedule::Milestone;
use cchc_domain::{Target, Threshold};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

/// A table with the house style: full-width borders, wrapped cells, at most `width` columns.
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        t.set_width(160);
    }
    t.set_header(header.iter().copied());
    t
}

pub fn milestones(list: &[Milestone]) -> String {
    list.iter()
        .map(|m| match &m.label {
            Some(label) => format!("{label}: {}", m.due),
            None => m.due.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn threshold(h: &Threshold) -> String {
    let value = number(h.value);
    let mut text = match h.upper {
        Some(upper) => format!("{value}–{}{}", number(upper), h.unit),
        None => format!("{} {value}{}", symbol(h.op.as_str()), h.unit),
    };
    if let Some(level) = h.level {
        text.push_str(&format!(" ({})", level.label_vn()));
    }
    if h.sub_target {
        text.push_str(" [trong đó]");
    }
    text
}

pub fn thresholds(t: &Target) -> String {
    if t.thresholds.is_empty() {
        return "(không định lượng)".to_string();
    }
    t.thresholds.iter().map(threshold).collect::<Vec<_>>().join("\n")
}

fn symbol(op: &str) -> &str {
    match op {
        ">=" => "≥",
        "<=" => "≤",
        other => other,
    }
}

/// 90 → "90", 2.5 → "2,5" (Vietnamese decimal comma).
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}").replace('.', ",")
    }
}

/// Shortens a long text for a table cell.
pub fn short(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}
