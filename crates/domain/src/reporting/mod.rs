//! Periodic agency reports (báo cáo định kỳ) and the plan's indicators (chỉ tiêu): values as
//! numerator and denominator, aggregation as Σ numerators ÷ Σ denominators, attainment against
//! level-specific thresholds, validation rules as data (DHIS2 style), the report workflow, and
//! completeness / timeliness that can never exceed 100%.

use std::collections::BTreeMap;
use std::fmt;

use crate::agency::{AdminLevel, AgencyId, AgencyKind};
use crate::date::Date;
use crate::plan::AreaCode;
use crate::target::Comparator;

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

/// A threshold of an indicator, for one administrative level or for all.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelThreshold {
    pub level: Option<AdminLevel>,
    pub op: Comparator,
    pub value: f64,
    pub upper: Option<f64>,
}

impl LevelThreshold {
    pub fn is_met(&self, measured: f64) -> bool {
        const EPSILON: f64 = 1e-9;
        match self.op {
            Comparator::Ge => measured >= self.value - EPSILON,
            Comparator::Gt => measured > self.value + EPSILON,
            Comparator::Eq => (measured - self.value).abs() < 1e-6,
            Comparator::Le => measured <= self.value + EPSILON,
            Comparator::Lt => measured < self.value - EPSILON,
            Comparator::Range => measured >= self.value - EPSILON && self.upper.is_none_or(|u| measured <= u + EPSILON),
        }
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
}

/// Whether a value attains its target ("đạt / chưa đạt / chưa có số liệu").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attainment {
    Met,
    NotMet,
    NoData,
}

impl Attainment {
    pub fn as_str(self) -> &'static str {
        match self {
            Attainment::Met => "met",
            Attainment::NotMet => "not_met",
            Attainment::NoData => "no_data",
        }
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            Attainment::Met => "Đạt",
            Attainment::NotMet => "Chưa đạt",
            Attainment::NoData => "Chưa có số liệu",
        }
    }
}

impl Indicator {
    /// The threshold that applies at `level`: the level's own, else the one for every level.
    pub fn threshold_for(&self, level: Option<AdminLevel>) -> Option<&LevelThreshold> {
        self.thresholds
            .iter()
            .find(|t| t.level.is_some() && t.level == level)
            .or_else(|| self.thresholds.iter().find(|t| t.level.is_none()))
    }

    /// Attainment of a measured percentage at `level`.
    pub fn attainment(&self, level: Option<AdminLevel>, measured: Option<f64>) -> Attainment {
        match (measured, self.threshold_for(level)) {
            (None, _) | (_, None) => Attainment::NoData,
            (Some(value), Some(t)) if t.is_met(value) => Attainment::Met,
            (Some(_), Some(_)) => Attainment::NotMet,
        }
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
}

/// Σ numerators ÷ Σ denominators, in percent — never an average of percentages.
/// `None` when nothing was reported or every denominator is zero.
pub fn aggregate(values: impl IntoIterator<Item = Ratio>) -> Option<f64> {
    let (n, d) = values.into_iter().fold((0.0, 0.0), |(n, d), r| (n + r.numerator, d + r.denominator));
    Ratio { numerator: n, denominator: d }.percent()
}

/// Which part of an indicator a cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    Numerator,
    Denominator,
}

/// The values of one report: (indicator, part) → number as typed.
pub type ReportValues = BTreeMap<(IndicatorCode, Part), f64>;

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
}

/// Errors block submission; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Importance {
    Warning,
    Error,
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

/// Checks a report's values against the catalogue's built-in rules (non-negative whole
/// numbers, numerator ≤ denominator) and the given rules.
pub fn validate(indicators: &[Indicator], rules: &[ValidationRule], values: &ReportValues) -> Vec<Violation> {
    let mut out = Vec::new();
    for ((code, part), value) in values {
        if *value < 0.0 || value.fract() != 0.0 || !value.is_finite() {
            let which = if *part == Part::Numerator { "tử số" } else { "mẫu số" };
            out.push(Violation {
                rule: "non-negative-integer".into(),
                importance: Importance::Error,
                message: format!("{code}: {which} phải là số nguyên không âm (đang là {value})"),
                indicators: vec![code.clone()],
            });
        }
    }
    for indicator in indicators {
        let n = values.get(&(indicator.code.clone(), Part::Numerator));
        let d = values.get(&(indicator.code.clone(), Part::Denominator));
        match (n, d) {
            (Some(n), Some(d)) if n > d => out.push(Violation {
                rule: "numerator-le-denominator".into(),
                importance: Importance::Error,
                message: format!("{}: tử số ({n}) lớn hơn mẫu số ({d})", indicator.code),
                indicators: vec![indicator.code.clone()],
            }),
            (Some(_), None) | (None, Some(_)) => out.push(Violation {
                rule: "both-parts".into(),
                importance: Importance::Error,
                message: format!("{}: cần nhập cả tử số và mẫu số", indicator.code),
                indicators: vec![indicator.code.clone()],
            }),
            _ => {}
        }
    }
    for rule in rules {
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

/// Where a report is in its workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportStatus {
    Draft,
    Submitted,
    Returned,
    Accepted,
}

impl ReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Draft => "draft",
            ReportStatus::Submitted => "submitted",
            ReportStatus::Returned => "returned",
            ReportStatus::Accepted => "accepted",
        }
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            ReportStatus::Draft => "Đang soạn",
            ReportStatus::Submitted => "Đã gửi",
            ReportStatus::Returned => "Bị trả lại",
            ReportStatus::Accepted => "Đã tiếp nhận",
        }
    }
    /// Whether an agency may still edit its values.
    pub fn is_editable(self) -> bool {
        matches!(self, ReportStatus::Draft | ReportStatus::Returned)
    }
    /// The allowed transitions: draft/returned → submitted; submitted → returned/accepted;
    /// accepted → returned (reopening, audited by the caller).
    pub fn may_become(self, next: ReportStatus) -> bool {
        use ReportStatus::*;
        matches!(
            (self, next),
            (Draft, Submitted)
                | (Returned, Submitted)
                | (Submitted, Returned)
                | (Submitted, Accepted)
                | (Accepted, Returned)
        )
    }
}

/// Completeness and timeliness of one period for one group of agencies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completeness {
    pub expected: usize,
    pub submitted: usize,
    pub on_time: usize,
    pub missing: Vec<AgencyId>,
    pub late: Vec<AgencyId>,
}

impl Completeness {
    /// Counts over `expected` agencies only: a report from an agency that was not expected
    /// (a unit that no longer existed, say) does not count, so no rate exceeds 100%.
    pub fn compute(expected: &[AgencyId], submissions: &[(AgencyId, Date)], due: Date) -> Completeness {
        let mut out = Completeness { expected: expected.len(), ..Completeness::default() };
        for agency in expected {
            match submissions.iter().filter(|(a, _)| a == agency).map(|(_, d)| *d).min() {
                None => out.missing.push(agency.clone()),
                Some(day) => {
                    out.submitted += 1;
                    if day <= due {
                        out.on_time += 1;
                    } else {
                        out.late.push(agency.clone());
                    }
                }
            }
        }
        out
    }
    pub fn submitted_percent(&self) -> f64 {
        percent_of(self.submitted, self.expected)
    }
    pub fn on_time_percent(&self) -> f64 {
        percent_of(self.on_time, self.expected)
    }
}

fn percent_of(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> IndicatorCode {
        IndicatorCode::parse(text).unwrap()
    }

    fn digitisation() -> Indicator {
        let t = |level, value| LevelThreshold { level: Some(level), op: Comparator::Ge, value, upper: None };
        Indicator {
            code: code("VII.2.1"),
            name: "Tỷ lệ số hóa kết quả giải quyết TTHC".into(),
            area: AreaCode::VII,
            target: 1,
            numerator: "Số kết quả giải quyết TTHC được số hóa".into(),
            denominator: "Tổng số kết quả giải quyết TTHC".into(),
            unit: "%".into(),
            direction: Direction::HigherIsBetter,
            thresholds: vec![t(AdminLevel::Tinh, 100.0), t(AdminLevel::Huyen, 80.0), t(AdminLevel::Xa, 75.0)],
            reporters: vec![AgencyKind::Department, AgencyKind::District, AgencyKind::Commune],
        }
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
        assert_eq!(indicator.attainment(Some(AdminLevel::Xa), Some(76.0)), Attainment::Met);
        assert_eq!(indicator.attainment(Some(AdminLevel::Huyen), Some(76.0)), Attainment::NotMet);
        assert_eq!(indicator.attainment(Some(AdminLevel::Tinh), Some(99.9)), Attainment::NotMet);
        assert_eq!(indicator.attainment(Some(AdminLevel::Tinh), None), Attainment::NoData);
    }

    #[test]
    fn validation_blocks_errors_and_reports_warnings() {
        let indicator = digitisation();
        let online = code("III.1.1");
        let mut values = ReportValues::new();
        values.insert((indicator.code.clone(), Part::Numerator), 120.0);
        values.insert((indicator.code.clone(), Part::Denominator), 100.0);
        values.insert((online.clone(), Part::Numerator), 2.5);
        let rules = vec![ValidationRule {
            id: "online-le-received".into(),
            message: "Hồ sơ trực tuyến không thể nhiều hơn hồ sơ tiếp nhận".into(),
            left: vec![Operand::Value(online.clone(), Part::Numerator)],
            operator: RuleOperator::Le,
            right: vec![Operand::Value(indicator.code.clone(), Part::Denominator)],
            importance: Importance::Warning,
            skip_when_missing: true,
        }];
        let violations = validate(&[indicator], &rules, &values);
        let ids: Vec<&str> = violations.iter().map(|v| v.rule.as_str()).collect();
        assert!(ids.contains(&"numerator-le-denominator"));
        assert!(ids.contains(&"non-negative-integer"));
        assert!(!ids.contains(&"online-le-received"), "2.5 ≤ 100 holds");
    }

    #[test]
    fn completeness_never_exceeds_one_hundred_percent() {
        let a = AgencyId::parse("ubnd-xa-03646").unwrap();
        let b = AgencyId::parse("ubnd-xa-03649").unwrap();
        let gone = AgencyId::parse("ubnd-xa-99999").unwrap();
        let due = Date::from_ymd(2024, 6, 14).unwrap();
        let late_day = Date::from_ymd(2024, 6, 20).unwrap();
        let c = Completeness::compute(
            &[a.clone(), b.clone()],
            &[(a.clone(), due), (b.clone(), late_day), (gone, due)],
            due,
        );
        assert_eq!((c.expected, c.submitted, c.on_time), (2, 2, 1));
        assert_eq!(c.late, vec![b]);
        assert!(c.submitted_percent() <= 100.0);
        assert_eq!(c.on_time_percent(), 50.0);
    }

    #[test]
    fn workflow_transitions() {
        use ReportStatus::*;
        assert!(Draft.may_become(Submitted));
        assert!(!Draft.may_become(Accepted));
        assert!(Submitted.may_become(Returned));
        assert!(Accepted.may_become(Returned));
        assert!(!Accepted.is_editable());
        assert!(Returned.is_editable());
    }

    #[test]
    fn outliers_are_far_from_history() {
        assert!(is_outlier(1000.0, &[90.0, 110.0], 5.0));
        assert!(!is_outlier(300.0, &[90.0, 110.0], 5.0));
        assert!(!is_outlier(1000.0, &[], 5.0));
    }

    #[test]
    fn indicator_codes() {
        assert!(IndicatorCode::parse("VII.2.1").is_some());
        assert!(IndicatorCode::parse("VII").is_none());
        assert!(IndicatorCode::parse("IX.1").is_none());
        assert!(IndicatorCode::parse("7.1").is_none());
    }
}

/// One activity line of a report form: the agency's milestones with their status at cut-off.
#[derive(Debug, Clone, PartialEq)]
pub struct FormActivityRow {
    pub activity_code: String,
    pub activity_title: String,
    pub milestone: String,
    pub due: Option<Date>,
    pub status: crate::tracking::DerivedStatus,
}

/// What an agency fills for one period: the indicators that apply to its kind, its activities'
/// statuses as of the data cut-off, and one narrative section per reform area.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportForm {
    pub agency: AgencyId,
    pub agency_name: String,
    pub agency_kind: AgencyKind,
    pub level: AdminLevel,
    pub period: crate::period::ReportingPeriod,
    /// Plan key and title the form belongs to ("son-la-2024").
    pub plan_key: String,
    pub plan_title: String,
    pub indicators: Vec<Indicator>,
    pub activities: Vec<FormActivityRow>,
    /// Reform areas with a narrative section: (code, title).
    pub areas: Vec<(AreaCode, String)>,
}

/// A report's content as filled: values and narratives.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportContent {
    pub values: ReportValues,
    pub narratives: BTreeMap<AreaCode, String>,
}

/// A level row of an indicator in the consolidated report.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelResult {
    /// `None` = the whole province.
    pub level: Option<AdminLevel>,
    pub numerator: f64,
    pub denominator: f64,
    /// Σn ÷ Σd in percent.
    pub value: Option<f64>,
    /// The threshold as people read it ("≥ 80%"), when one applies.
    pub target: Option<String>,
    pub attainment: Attainment,
    /// How many agencies reported a value.
    pub reporting_agencies: usize,
}

/// One indicator's results in the consolidated report.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorResult {
    pub code: IndicatorCode,
    pub name: String,
    pub area: AreaCode,
    pub levels: Vec<LevelResult>,
}

/// Activity completion of one area as of the period's cut-off.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaProgress {
    pub code: AreaCode,
    pub title: String,
    pub milestones: usize,
    pub done_on_time: usize,
    pub done_late: usize,
    pub overdue: usize,
    /// Narrative excerpts from agencies' reports (agency name, text).
    pub narratives: Vec<(String, String)>,
}

/// Completeness of one agency group in the consolidated report.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupCompleteness {
    pub label: String,
    pub completeness: Completeness,
}

/// Everything the province's consolidated report for a period says, ready to be laid out as a
/// Vietnamese administrative document (DOCX) and an annex (XLSX).
#[derive(Debug, Clone, PartialEq)]
pub struct ConsolidatedReport {
    /// "UBND TỈNH SƠN LA".
    pub issuing_body_parent: String,
    /// "SỞ NỘI VỤ".
    pub issuing_body: String,
    /// "Sơn La" (place of the place-and-date line).
    pub place: String,
    /// The date printed on the document.
    pub date: Date,
    /// "BÁO CÁO Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2024".
    pub title: String,
    pub plan_title: String,
    /// "Quyết định số 2783/QĐ-UBND ngày 21/12/2023".
    pub plan_decision: String,
    pub period: crate::period::ReportingPeriod,
    pub indicators: Vec<IndicatorResult>,
    pub areas: Vec<AreaProgress>,
    pub completeness: Vec<GroupCompleteness>,
    /// Agencies that reported after the due date (names).
    pub late_agencies: Vec<String>,
    /// Agencies expected but missing (names).
    pub missing_agencies: Vec<String>,
    /// Per agency and indicator values, for the annex: (agency name, level, code, n, d).
    pub agency_values: Vec<(String, Option<AdminLevel>, IndicatorCode, f64, f64)>,
}
