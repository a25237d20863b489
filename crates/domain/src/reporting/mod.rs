//! Periodic agency reports (báo cáo định kỳ) and the plan's indicators (chỉ tiêu): values as
//! numerator and denominator, aggregation as Σ numerators ÷ Σ denominators, assessment against
//! level-specific thresholds and ranges, validation rules as data (DHIS2 style), the report
//! workflow with receipt dates and extensions, and completeness that can never exceed 100%.
//!
//! - this module: indicators, thresholds and their assessment, answers and validation;
//! - [`workflow`]: a report's status, history, timeliness and completeness;
//! - [`document`]: the shapes of a report form and of the consolidated report.

use std::collections::BTreeMap;
use std::fmt;

use crate::agency::{AdminLevel, Agency, AgencyId, AgencyKind};
use crate::number::{plain_vn, Percent1};
use crate::plan::AreaCode;
use crate::target::Comparator;

pub mod computed;
pub mod document;
pub mod workflow;

pub use computed::ComputedFigure;
pub use document::*;
pub use workflow::*;

/// Longest narrative of one reform area, in characters: one limit for the browser, the API, the
/// Excel and CSV forms (an Excel cell holds at most 32,767 characters).
pub const MAX_NARRATIVE_CHARS: usize = 30_000;
/// Longest reason (return, receipt, extension, "không áp dụng"), in characters.
pub const MAX_REASON_CHARS: usize = 2_000;
/// Largest count accepted in a value (10^12): more than any province counts.
pub const MAX_COUNT: f64 = 1e12;

/// Code of an indicator, e.g. `VII.2.1`: area, target bullet, threshold.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IndicatorCode(String);

impl IndicatorCode {
    /// Accepts `I.1.1`-style codes (a Roman area, then dot-separated numbers).
    pub fn parse(text: &str) -> Option<IndicatorCode> {
        let mut parts = text.trim().split('.');
        let area = parts.next()?;
        AreaCode::parse(area).filter(|_| area.chars().all(|c| matches!(c, 'I' | 'V' | 'X')))?;
        let rest: Vec<&str> = parts.collect();
        let ok = !rest.is_empty()
            && rest.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()));
        ok.then(|| IndicatorCode(text.trim().to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IndicatorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether more is better (most shares) or less is better (late dossiers, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher_is_better",
            Direction::LowerIsBetter => "lower_is_better",
        }
    }
}

/// Where a value stands against a range target ("khoảng 8–10%").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RangePosition {
    Below,
    Within,
    Above,
}

impl RangePosition {
    pub fn as_str(self) -> &'static str {
        match self {
            RangePosition::Below => "below",
            RangePosition::Within => "within",
            RangePosition::Above => "above",
        }
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            RangePosition::Below => "dưới khoảng mục tiêu",
            RangePosition::Within => "trong khoảng mục tiêu",
            RangePosition::Above => "trên khoảng mục tiêu",
        }
    }
}

const EPSILON: f64 = 1e-9;

/// A threshold of an indicator, for one administrative level or for all.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelThreshold {
    pub level: Option<AdminLevel>,
    pub op: Comparator,
    pub value: f64,
    /// Upper bound of a [`Comparator::Range`].
    pub upper: Option<f64>,
}

impl LevelThreshold {
    /// Whether `measured` satisfies the comparison as written (for a range: lies within it).
    pub fn is_met(&self, measured: f64) -> bool {
        match self.op {
            Comparator::Ge => measured >= self.value - EPSILON,
            Comparator::Gt => measured > self.value + EPSILON,
            Comparator::Eq => (measured - self.value).abs() < 1e-6,
            Comparator::Le => measured <= self.value + EPSILON,
            Comparator::Lt => measured < self.value - EPSILON,
            Comparator::Range => self.position(measured) == Some(RangePosition::Within),
        }
    }

    /// For a range target: below, within or above it.
    pub fn position(&self, measured: f64) -> Option<RangePosition> {
        if self.op != Comparator::Range {
            return None;
        }
        Some(if measured < self.value - EPSILON {
            RangePosition::Below
        } else if self.upper.is_some_and(|u| measured > u + EPSILON) {
            RangePosition::Above
        } else {
            RangePosition::Within
        })
    }

    /// The target as people read it: "≥ 80%", "> 70%", "8–10%".
    pub fn text(&self, unit: &str) -> String {
        match (self.op, self.upper) {
            (Comparator::Range, Some(upper)) => format!("{}–{}{unit}", plain_vn(self.value), plain_vn(upper)),
            (Comparator::Range, None) => format!("≥ {}{unit}", plain_vn(self.value)),
            (Comparator::Eq, _) => format!("{}{unit}", plain_vn(self.value)),
            (op, _) => format!("{} {}{unit}", op_symbol(op), plain_vn(self.value)),
        }
    }

    /// The target in words: "Tối thiểu 75%", "Khoảng 8–10%".
    pub fn words_vn(&self, unit: &str) -> String {
        match (self.op, self.upper) {
            (Comparator::Range, Some(upper)) => format!("Khoảng {}–{}{unit}", plain_vn(self.value), plain_vn(upper)),
            (Comparator::Range, None) => format!("Từ {}{unit} trở lên", plain_vn(self.value)),
            (op, _) => {
                let words = op.label_vn();
                let mut chars = words.chars();
                let first: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
                format!("{first} {}{unit}", plain_vn(self.value))
            }
        }
    }
}

fn op_symbol(op: Comparator) -> &'static str {
    match op {
        Comparator::Ge => "≥",
        Comparator::Gt => ">",
        Comparator::Eq => "=",
        Comparator::Le => "≤",
        Comparator::Lt => "<",
        Comparator::Range => "khoảng",
    }
}

/// One indicator of the catalogue: what agencies report and what the plan targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub code: IndicatorCode,
    pub name: String,
    pub area: AreaCode,
    /// Position of the target bullet in its area (0-based).
    pub target: usize,
    /// What the agency counts for the numerator ("Số hồ sơ giải quyết đúng hạn").
    pub numerator: String,
    /// What the agency counts for the denominator ("Tổng số hồ sơ đã giải quyết").
    pub denominator: String,
    pub unit: String,
    pub direction: Direction,
    pub thresholds: Vec<LevelThreshold>,
    /// Which kinds of agency report it.
    pub reporters: Vec<AgencyKind>,
    /// Agencies named by kind: of a kind named here, only the named agencies report it (the
    /// province's revenue: Sở Tài chính alone among the departments); a kind of `reporters` not
    /// named here reports in full.
    pub agencies: Vec<(AgencyKind, AgencyId)>,
    /// When the catalogue names `dossiers` as a source: how the indicator follows from the
    /// one-stop-shop dossier counts, shown beside each agency's self-reported value.
    pub dossiers: Option<crate::dossier::DossierFormula>,
}

/// Whether a value attains its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attainment {
    Met,
    NotMet,
    /// No value (nothing reported, or every denominator zero).
    NoData,
    /// A value, but no target at this level (the province row of an indicator whose plan sets
    /// targets per level only): shown without a verdict.
    NoTarget,
}

impl Attainment {
    pub fn as_str(self) -> &'static str {
        match self {
            Attainment::Met => "met",
            Attainment::NotMet => "not_met",
            Attainment::NoData => "no_data",
            Attainment::NoTarget => "no_target",
        }
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            Attainment::Met => "Đạt",
            Attainment::NotMet => "Chưa đạt",
            Attainment::NoData => "Chưa có số liệu",
            Attainment::NoTarget => "Không đánh giá",
        }
    }
}

/// The verdict on a value: attainment, and for a range target where the value lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Assessment {
    pub attainment: Attainment,
    pub position: Option<RangePosition>,
}

impl Assessment {
    pub const NO_DATA: Assessment = Assessment { attainment: Attainment::NoData, position: None };

    /// Assesses a rounded value against a threshold (the value people see is the value judged,
    /// so "75,0%" never reads "Chưa đạt" against "≥ 75%"). Range targets: within is met; beyond
    /// the range in the good direction is met too (it exceeds the target); short of it is not.
    pub fn of(value: Option<Percent1>, threshold: Option<&LevelThreshold>, direction: Direction) -> Assessment {
        let Some(value) = value else { return Assessment::NO_DATA };
        let Some(threshold) = threshold else {
            return Assessment { attainment: Attainment::NoTarget, position: None };
        };
        let measured = value.value();
        match threshold.position(measured) {
            Some(position) => {
                let met = matches!(
                    (position, direction),
                    (RangePosition::Within, _)
                        | (RangePosition::Above, Direction::HigherIsBetter)
                        | (RangePosition::Below, Direction::LowerIsBetter)
                );
                let attainment = if met { Attainment::Met } else { Attainment::NotMet };
                Assessment { attainment, position: Some(position) }
            }
            None => Assessment {
                attainment: if threshold.is_met(measured) { Attainment::Met } else { Attainment::NotMet },
                position: None,
            },
        }
    }

    pub fn is_met(self) -> bool {
        self.attainment == Attainment::Met
    }

    /// Short label: "Đạt", "Chưa đạt", "Vượt mục tiêu" (above a range in the good direction).
    pub fn label_vn(self) -> &'static str {
        match (self.attainment, self.position) {
            (Attainment::Met, Some(RangePosition::Above | RangePosition::Below)) => "Vượt mục tiêu",
            (attainment, _) => attainment.label_vn(),
        }
    }

    /// How the verdict was reached, for a range target (empty otherwise): "15,0% trên khoảng
    /// mục tiêu 8–10%; chỉ tiêu càng cao càng tốt nên được đánh giá là vượt mục tiêu".
    pub fn reading_vn(self, value: Option<Percent1>, threshold: Option<&LevelThreshold>, unit: &str) -> String {
        let (Some(position), Some(value), Some(threshold)) = (self.position, value, threshold) else {
            return String::new();
        };
        let target = threshold.text(unit);
        match position {
            RangePosition::Within => format!("{}{unit} nằm trong khoảng mục tiêu {target}", value.vn()),
            RangePosition::Above | RangePosition::Below => {
                let side = if position == RangePosition::Above { "cao hơn" } else { "thấp hơn" };
                let verdict = if self.is_met() { "vượt mục tiêu" } else { "chưa đạt" };
                let direction = if (position == RangePosition::Above) == self.is_met() {
                    "càng cao càng tốt"
                } else {
                    "càng thấp càng tốt"
                };
                format!(
                    "{}{unit} {side} khoảng mục tiêu {target}; chỉ tiêu {direction} nên được đánh giá là {verdict}",
                    value.vn()
                )
            }
        }
    }
}

impl Indicator {
    /// The threshold that applies at `level`: the level's own, else the one for every level.
    /// For the whole province (`None`), only a province-wide threshold applies.
    pub fn threshold_for(&self, level: Option<AdminLevel>) -> Option<&LevelThreshold> {
        match level {
            None => self.thresholds.iter().find(|t| t.level.is_none()),
            Some(_) => self
                .thresholds
                .iter()
                .find(|t| t.level.is_some() && t.level == level)
                .or_else(|| self.thresholds.iter().find(|t| t.level.is_none())),
        }
    }

    /// Assessment of a rounded percentage at `level` (`None` = the whole province).
    pub fn assess(&self, level: Option<AdminLevel>, value: Option<Percent1>) -> Assessment {
        Assessment::of(value, self.threshold_for(level), self.direction)
    }

    /// Whether `agency` answers this indicator on its form.
    pub fn applies_to(&self, agency: &Agency) -> bool {
        let mut named = self.agencies.iter().filter(|(kind, _)| *kind == agency.kind).peekable();
        self.reporters.contains(&agency.kind) && (named.peek().is_none() || named.any(|(_, id)| *id == agency.id))
    }

    /// The administrative levels whose agencies report it, in order tỉnh, huyện, xã.
    pub fn levels(&self) -> Vec<AdminLevel> {
        [AdminLevel::Tinh, AdminLevel::Huyen, AdminLevel::Xa]
            .into_iter()
            .filter(|level| self.reporters.iter().any(|k| level_of(*k) == Some(*level)))
            .collect()
    }
}

/// The level whose targets apply to an agency of `kind` (sectoral agencies report at province
/// level); `None` for agencies that do not report.
pub fn level_of(kind: AgencyKind) -> Option<AdminLevel> {
    match kind {
        AgencyKind::District => Some(AdminLevel::Huyen),
        AgencyKind::Commune => Some(AdminLevel::Xa),
        AgencyKind::Department | AgencyKind::Sectoral | AgencyKind::Province => Some(AdminLevel::Tinh),
        AgencyKind::Other => None,
    }
}

/// One reported value: numerator and denominator (counts).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio {
    pub numerator: f64,
    pub denominator: f64,
}

impl Ratio {
    /// The ratio in percent; `None` when the denominator is zero.
    pub fn percent(self) -> Option<f64> {
        (self.denominator > 0.0).then(|| self.numerator * 100.0 / self.denominator)
    }
    /// The ratio rounded as every page and document shows it.
    pub fn rounded(self) -> Option<Percent1> {
        (self.denominator > 0.0).then(|| Percent1::ratio(self.numerator, self.denominator)).flatten()
    }
}

/// Σ numerators and Σ denominators — never an average of percentages.
pub fn sum_ratios(values: impl IntoIterator<Item = Ratio>) -> Ratio {
    let (numerator, denominator) =
        values.into_iter().fold((0.0, 0.0), |(n, d), r| (n + r.numerator, d + r.denominator));
    Ratio { numerator, denominator }
}

/// Σ numerators ÷ Σ denominators, in percent. `None` when nothing was reported or every
/// denominator is zero.
pub fn aggregate(values: impl IntoIterator<Item = Ratio>) -> Option<f64> {
    sum_ratios(values).percent()
}

/// Which part of an indicator a cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    Numerator,
    Denominator,
}

impl Part {
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Numerator => "numerator",
            Part::Denominator => "denominator",
        }
    }
    pub fn parse(text: &str) -> Option<Part> {
        [Part::Numerator, Part::Denominator].into_iter().find(|p| p.as_str() == text)
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            Part::Numerator => "tử số",
            Part::Denominator => "mẫu số",
        }
    }
}

/// The values of one report: (indicator, part) → number as typed.
pub type ReportValues = BTreeMap<(IndicatorCode, Part), f64>;

/// A report's content as filled: values, indicators answered "không áp dụng" (with the reason),
/// and narratives per reform area.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportContent {
    pub values: ReportValues,
    pub not_applicable: BTreeMap<IndicatorCode, String>,
    pub narratives: BTreeMap<AreaCode, String>,
}

/// How an indicator of a form is answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Both counts ("0" and "0" when nothing arose in the period).
    Value(Ratio),
    /// Explicitly not applicable, with the reason.
    NotApplicable(String),
    /// Only one of the two counts.
    Partial,
    /// Nothing yet.
    Missing,
}

impl ReportContent {
    pub fn value(&self, code: &IndicatorCode, part: Part) -> Option<f64> {
        self.values.get(&(code.clone(), part)).copied()
    }

    /// The answer given for an indicator (values win over a "không áp dụng" mark; having both
    /// is a validation error).
    pub fn answer(&self, code: &IndicatorCode) -> Answer {
        match (self.value(code, Part::Numerator), self.value(code, Part::Denominator)) {
            (Some(numerator), Some(denominator)) => Answer::Value(Ratio { numerator, denominator }),
            (Some(_), None) | (None, Some(_)) => Answer::Partial,
            (None, None) => match self.not_applicable.get(code) {
                Some(reason) => Answer::NotApplicable(reason.clone()),
                None => Answer::Missing,
            },
        }
    }

    /// The numerator and denominator of an indicator, when both were given.
    pub fn ratio(&self, code: &IndicatorCode) -> Option<Ratio> {
        match self.answer(code) {
            Answer::Value(ratio) => Some(ratio),
            _ => None,
        }
    }

    /// Narratives of an upload that does not carry every area: the areas in `present` come from
    /// the upload, the others stay as `stored` had them. Nothing a file does not contain is
    /// dropped.
    pub fn keep_narratives_not_in(&mut self, present: &std::collections::BTreeSet<AreaCode>, stored: &ReportContent) {
        for (area, text) in &stored.narratives {
            if !present.contains(area) {
                self.narratives.insert(*area, text.clone());
            }
        }
    }
}

/// An operand of a validation rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Value(IndicatorCode, Part),
    Constant(f64),
}

/// Comparison of a validation rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleOperator {
    Le,
    Lt,
    Ge,
    Gt,
    Eq,
}

impl RuleOperator {
    fn holds(self, left: f64, right: f64) -> bool {
        match self {
            RuleOperator::Le => left <= right,
            RuleOperator::Lt => left < right,
            RuleOperator::Ge => left >= right,
            RuleOperator::Gt => left > right,
            RuleOperator::Eq => (left - right).abs() < 1e-9,
        }
    }
    pub fn symbol(self) -> &'static str {
        match self {
            RuleOperator::Le => "≤",
            RuleOperator::Lt => "<",
            RuleOperator::Ge => "≥",
            RuleOperator::Gt => ">",
            RuleOperator::Eq => "=",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            RuleOperator::Le => "<=",
            RuleOperator::Lt => "<",
            RuleOperator::Ge => ">=",
            RuleOperator::Gt => ">",
            RuleOperator::Eq => "=",
        }
    }
}

/// Errors block submission; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Importance {
    Warning,
    Error,
}

impl Importance {
    pub fn as_str(self) -> &'static str {
        match self {
            Importance::Warning => "warning",
            Importance::Error => "error",
        }
    }
}

/// A validation rule as data: left side, operator, right side, importance, skip when missing.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationRule {
    pub id: String,
    /// Vietnamese explanation shown when the rule is broken.
    pub message: String,
    /// The left side is the sum of these operands.
    pub left: Vec<Operand>,
    pub operator: RuleOperator,
    pub right: Vec<Operand>,
    pub importance: Importance,
    /// Skip the rule when any value it uses is missing (instead of counting it as 0).
    pub skip_when_missing: bool,
}

/// Rule id of an indicator not answered at all.
pub const RULE_UNANSWERED: &str = "unanswered";

/// A broken rule in a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub rule: String,
    pub importance: Importance,
    pub message: String,
    /// The indicators involved (to highlight the cells).
    pub indicators: Vec<IndicatorCode>,
}

fn side(operands: &[Operand], values: &ReportValues) -> (f64, bool) {
    let mut missing = false;
    let mut sum = 0.0;
    for operand in operands {
        match operand {
            Operand::Constant(c) => sum += c,
            Operand::Value(code, part) => match values.get(&(code.clone(), *part)) {
                Some(v) => sum += v,
                None => missing = true,
            },
        }
    }
    (sum, missing)
}

fn error(rule: &str, code: &IndicatorCode, message: String) -> Violation {
    Violation { rule: rule.into(), importance: Importance::Error, message, indicators: vec![code.clone()] }
}

/// Checks a report against the form's indicators (every indicator answered: both counts, or
/// "không áp dụng" with a reason, never both; non-negative whole counts; numerator ≤
/// denominator) and the given rules.
pub fn validate(indicators: &[Indicator], rules: &[ValidationRule], content: &ReportContent) -> Vec<Violation> {
    let values = &content.values;
    let mut out = Vec::new();
    for ((code, part), value) in values {
        if *value < 0.0 || value.fract() != 0.0 || !value.is_finite() || *value > MAX_COUNT {
            out.push(error(
                "non-negative-integer",
                code,
                format!("{code}: {} phải là số nguyên không âm (đang là {value})", part.label_vn()),
            ));
        }
    }
    for indicator in indicators {
        let code = &indicator.code;
        let n = content.value(code, Part::Numerator);
        let d = content.value(code, Part::Denominator);
        let not_applicable = content.not_applicable.get(code);
        match (n, d, not_applicable) {
            (Some(n), Some(d), None) if n > d => {
                out.push(error("numerator-le-denominator", code, format!("{code}: tử số ({n}) lớn hơn mẫu số ({d})")))
            }
            (Some(_), None, None) | (None, Some(_), None) => {
                out.push(error("both-parts", code, format!("{code}: cần nhập cả tử số và mẫu số")))
            }
            (None, None, None) => out.push(error(
                RULE_UNANSWERED,
                code,
                format!(
                    "{code}: chưa trả lời — nhập tử số và mẫu số (nhập 0 nếu trong kỳ không phát sinh), \
                     hoặc đánh dấu «Không áp dụng» và nêu lý do"
                ),
            )),
            (None, None, Some(reason)) if reason.trim().is_empty() => out.push(error(
                "not-applicable-reason",
                code,
                format!("{code}: đánh dấu «Không áp dụng» phải nêu lý do"),
            )),
            (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => out.push(error(
                "value-and-not-applicable",
                code,
                format!("{code}: vừa nhập số liệu vừa đánh dấu «Không áp dụng»; hãy chọn một"),
            )),
            _ => {}
        }
    }
    let not_applicable =
        |o: &Operand| matches!(o, Operand::Value(code, _) if content.not_applicable.contains_key(code));
    for rule in rules {
        // A rule about an indicator answered «không áp dụng» does not apply.
        if rule.left.iter().chain(&rule.right).any(not_applicable) {
            continue;
        }
        let (left, left_missing) = side(&rule.left, values);
        let (right, right_missing) = side(&rule.right, values);
        if rule.skip_when_missing && (left_missing || right_missing) {
            continue;
        }
        if !rule.operator.holds(left, right) {
            let indicators = rule
                .left
                .iter()
                .chain(&rule.right)
                .filter_map(|o| match o {
                    Operand::Value(code, _) => Some(code.clone()),
                    Operand::Constant(_) => None,
                })
                .collect();
            out.push(Violation {
                rule: rule.id.clone(),
                importance: rule.importance,
                message: format!("{} ({left} {} {right} không thỏa mãn)", rule.message, rule.operator.symbol()),
                indicators,
            });
        }
    }
    out
}

/// A value far outside what the agency reported in previous periods: more than `factor` times
/// the largest or less than 1/`factor` of the smallest earlier value (with earlier values > 0).
pub fn is_outlier(value: f64, previous: &[f64], factor: f64) -> bool {
    let positives: Vec<f64> = previous.iter().copied().filter(|v| *v > 0.0).collect();
    let (Some(max), Some(min)) =
        (positives.iter().copied().reduce(f64::max), positives.iter().copied().reduce(f64::min))
    else {
        return false;
    };
    value > max * factor || (value > 0.0 && value < min / factor)
}

/// The first sentences of a narrative, at most about `max_chars` characters, cut at a sentence
/// or word boundary with "…" — to condense agencies' texts in the consolidated report.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max_chars {
        return text;
    }
    let cut: String = text.chars().take(max_chars).collect();
    let sentence_end = cut.rfind(". ").or_else(|| cut.rfind("; "));
    match sentence_end {
        Some(end) if end >= max_chars / 3 => format!("{}.", cut[..end].trim_end_matches(['.', ';'])),
        _ => {
            let word_end = cut.rfind(' ').unwrap_or(cut.len());
            format!("{}…", cut[..word_end].trim_end_matches([',', ';', ':']))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> IndicatorCode {
        IndicatorCode::parse(text).unwrap()
    }

    fn indicator(code_text: &str, thresholds: Vec<LevelThreshold>, reporters: Vec<AgencyKind>) -> Indicator {
        Indicator {
            code: code(code_text),
            name: "Tỷ lệ".into(),
            area: AreaCode::VII,
            target: 1,
            numerator: "n".into(),
            denominator: "d".into(),
            unit: "%".into(),
            direction: Direction::HigherIsBetter,
            thresholds,
            reporters,
            agencies: Vec::new(),
            dossiers: None,
        }
    }

    fn at_least(level: Option<AdminLevel>, value: f64) -> LevelThreshold {
        LevelThreshold { level, op: Comparator::Ge, value, upper: None }
    }

    fn digitisation() -> Indicator {
        indicator(
            "VII.2.1",
            vec![
                at_least(Some(AdminLevel::Tinh), 100.0),
                at_least(Some(AdminLevel::Huyen), 80.0),
                at_least(Some(AdminLevel::Xa), 75.0),
            ],
            vec![AgencyKind::Department, AgencyKind::District, AgencyKind::Commune],
        )
    }

    fn p(value: f64) -> Option<Percent1> {
        Percent1::of(value)
    }

    #[test]
    fn aggregation_sums_numerators_and_denominators() {
        // Two communes: 3/4 (75%) and 90/100 (90%). The average of percentages would be 82.5%;
        // the right value is 93/104.
        let value =
            aggregate([Ratio { numerator: 3.0, denominator: 4.0 }, Ratio { numerator: 90.0, denominator: 100.0 }]);
        let expected = 93.0 * 100.0 / 104.0;
        assert!((value.unwrap() - expected).abs() < 1e-9);
        assert_eq!(aggregate([Ratio { numerator: 0.0, denominator: 0.0 }]), None);
        assert_eq!(aggregate(Vec::new()), None);
    }

    #[test]
    fn attainment_uses_the_level_specific_threshold() {
        let indicator = digitisation();
        assert_eq!(indicator.assess(Some(AdminLevel::Xa), p(76.0)).attainment, Attainment::Met);
        assert_eq!(indicator.assess(Some(AdminLevel::Huyen), p(76.0)).attainment, Attainment::NotMet);
        assert_eq!(indicator.assess(Some(AdminLevel::Tinh), p(99.9)).attainment, Attainment::NotMet);
        assert_eq!(indicator.assess(Some(AdminLevel::Tinh), None).attainment, Attainment::NoData);
    }

    #[test]
    fn the_province_row_is_judged_only_against_a_province_wide_target() {
        // Targets per level only: the province value is shown without a verdict.
        let per_level = digitisation();
        assert_eq!(per_level.assess(None, p(90.0)).attainment, Attainment::NoTarget);
        assert_eq!(per_level.assess(None, None).attainment, Attainment::NoData);
        // A province-wide target: judged.
        let whole = indicator("II.1.1", vec![at_least(None, 100.0)], vec![AgencyKind::Department]);
        assert_eq!(whole.assess(None, p(100.0)).attainment, Attainment::Met);
        assert_eq!(whole.assess(Some(AdminLevel::Tinh), p(90.0)).attainment, Attainment::NotMet);
    }

    #[test]
    fn the_rounded_value_is_the_value_judged() {
        let indicator = digitisation();
        // 74,96% shows as 75,0%: it must not read «Chưa đạt» against ≥ 75%.
        let shown = Percent1::ratio(7_496.0, 10_000.0);
        assert_eq!(shown.map(Percent1::vn).as_deref(), Some("75,0"));
        assert!(indicator.assess(Some(AdminLevel::Xa), shown).is_met());
    }

    #[test]
    fn range_targets_say_where_the_value_lies() {
        let mut revenue = indicator(
            "VI.2.3",
            vec![LevelThreshold { level: None, op: Comparator::Range, value: 8.0, upper: Some(10.0) }],
            vec![AgencyKind::Department],
        );
        let threshold = revenue.thresholds[0].clone();
        let above = revenue.assess(None, p(15.0));
        assert_eq!(above.attainment, Attainment::Met, "15% exceeds 8–10% for a higher-is-better indicator");
        assert_eq!(above.position, Some(RangePosition::Above));
        assert_eq!(above.label_vn(), "Vượt mục tiêu");
        let reading = above.reading_vn(p(15.0), Some(&threshold), "%");
        assert_eq!(
            reading,
            "15,0% cao hơn khoảng mục tiêu 8–10%; chỉ tiêu càng cao càng tốt nên được đánh giá là vượt mục tiêu"
        );
        let within = revenue.assess(None, p(9.0));
        assert_eq!((within.attainment, within.position), (Attainment::Met, Some(RangePosition::Within)));
        assert_eq!(within.label_vn(), "Đạt");
        let below = revenue.assess(None, p(7.9));
        assert_eq!((below.attainment, below.position), (Attainment::NotMet, Some(RangePosition::Below)));
        assert!(below.reading_vn(p(7.9), Some(&threshold), "%").contains("chưa đạt"));
        revenue.direction = Direction::LowerIsBetter;
        assert_eq!(revenue.assess(None, p(15.0)).attainment, Attainment::NotMet);
        assert_eq!(revenue.assess(None, p(5.0)).attainment, Attainment::Met);
        assert_eq!(threshold.text("%"), "8–10%");
        assert_eq!(threshold.words_vn("%"), "Khoảng 8–10%");
        assert_eq!(at_least(None, 80.0).text("%"), "≥ 80%");
        assert_eq!(at_least(None, 80.0).words_vn("%"), "Tối thiểu 80%");
    }

    #[test]
    fn every_indicator_must_be_answered() {
        let a = digitisation();
        let b = indicator("IV.4.1", vec![], vec![AgencyKind::Department]);
        let mut content = ReportContent::default();
        let rules_of = |content: &ReportContent| -> Vec<String> {
            validate(&[a.clone(), b.clone()], &[], content).into_iter().map(|v| v.rule).collect()
        };
        assert_eq!(rules_of(&content), vec![RULE_UNANSWERED, RULE_UNANSWERED]);
        content.values.insert((a.code.clone(), Part::Numerator), 0.0);
        content.values.insert((a.code.clone(), Part::Denominator), 0.0);
        content.not_applicable.insert(b.code.clone(), "Không tổ chức khảo sát trong kỳ".into());
        assert!(rules_of(&content).is_empty(), "0/0 and «không áp dụng» with a reason are answers");
        assert_eq!(content.answer(&b.code), Answer::NotApplicable("Không tổ chức khảo sát trong kỳ".into()));
        content.not_applicable.insert(a.code.clone(), "x".into());
        assert_eq!(rules_of(&content), vec!["value-and-not-applicable"]);
        content.not_applicable.remove(&a.code);
        content.not_applicable.insert(b.code.clone(), " ".into());
        assert_eq!(rules_of(&content), vec!["not-applicable-reason"]);
    }

    #[test]
    fn validation_blocks_errors_and_reports_warnings() {
        let indicator = digitisation();
        let online = code("III.1.1");
        let mut content = ReportContent::default();
        content.values.insert((indicator.code.clone(), Part::Numerator), 120.0);
        content.values.insert((indicator.code.clone(), Part::Denominator), 100.0);
        content.values.insert((online.clone(), Part::Numerator), 2.5);
        let rules = vec![ValidationRule {
            id: "online-le-received".into(),
            message: "Hồ sơ trực tuyến không thể nhiều hơn hồ sơ tiếp nhận".into(),
            left: vec![Operand::Value(online.clone(), Part::Numerator)],
            operator: RuleOperator::Le,
            right: vec![Operand::Value(indicator.code.clone(), Part::Denominator)],
            importance: Importance::Warning,
            skip_when_missing: true,
        }];
        let violations = validate(&[indicator], &rules, &content);
        let ids: Vec<&str> = violations.iter().map(|v| v.rule.as_str()).collect();
        assert!(ids.contains(&"numerator-le-denominator"));
        assert!(ids.contains(&"non-negative-integer"));
        assert!(!ids.contains(&"online-le-received"), "2.5 ≤ 100 holds");
    }

    #[test]
    fn indicators_of_one_agency_appear_on_its_form_only() {
        let mut revenue = indicator("VI.2.3", vec![], vec![AgencyKind::Department]);
        revenue.agencies = vec![(AgencyKind::Department, AgencyId::parse("so-tai-chinh").unwrap())];
        revenue.reporters.push(AgencyKind::District);
        let agency = |id: &str, kind| Agency {
            id: AgencyId::parse(id).unwrap(),
            name: id.into(),
            aliases: vec![],
            kind,
            level: AdminLevel::Tinh,
            parent: None,
            gso_code: None,
            validity: Default::default(),
        };
        assert!(revenue.applies_to(&agency("so-tai-chinh", AgencyKind::Department)));
        assert!(!revenue.applies_to(&agency("so-tu-phap", AgencyKind::Department)));
        assert!(
            revenue.applies_to(&agency("ubnd-huyen-116", AgencyKind::District)),
            "a kind not named reports in full"
        );
        assert!(!revenue.applies_to(&agency("ubnd-xa-03646", AgencyKind::Commune)));
        assert!(digitisation().applies_to(&agency("so-tu-phap", AgencyKind::Department)));
        assert_eq!(digitisation().levels(), vec![AdminLevel::Tinh, AdminLevel::Huyen, AdminLevel::Xa]);
    }

    #[test]
    fn uploads_keep_narratives_they_do_not_carry() {
        let mut stored = ReportContent::default();
        stored.narratives.insert(AreaCode::I, "đã viết".into());
        stored.narratives.insert(AreaCode::II, "cũ".into());
        let mut upload = ReportContent::default();
        upload.narratives.insert(AreaCode::II, "mới".into());
        let present = [AreaCode::II, AreaCode::III].into_iter().collect();
        upload.keep_narratives_not_in(&present, &stored);
        assert_eq!(upload.narratives.get(&AreaCode::I).map(String::as_str), Some("đã viết"));
        assert_eq!(upload.narratives.get(&AreaCode::II).map(String::as_str), Some("mới"));
        assert_eq!(upload.narratives.get(&AreaCode::III), None);
    }

    #[test]
    fn outliers_are_far_from_history() {
        assert!(is_outlier(1000.0, &[90.0, 110.0], 5.0));
        assert!(!is_outlier(300.0, &[90.0, 110.0], 5.0));
        assert!(!is_outlier(1000.0, &[], 5.0));
    }

    #[test]
    fn excerpts_cut_at_sentences_or_words() {
        assert_eq!(excerpt("Ngắn.", 100), "Ngắn.");
        let text = "Câu thứ nhất khá dài về kết quả. Câu thứ hai tiếp tục nói thêm nhiều nội dung khác.";
        assert_eq!(excerpt(text, 50), "Câu thứ nhất khá dài về kết quả.");
        assert_eq!(excerpt("một hai ba bốn năm sáu bảy", 12), "một hai ba…");
    }

    #[test]
    fn indicator_codes() {
        assert!(IndicatorCode::parse("VII.2.1").is_some());
        assert!(IndicatorCode::parse("VII").is_none());
        assert!(IndicatorCode::parse("IX.1").is_none());
        assert!(IndicatorCode::parse("7.1").is_none());
    }
}
