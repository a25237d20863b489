//! The criteria framework of the PAR Index ("bộ tiêu chí xác định Chỉ số CCHC"): per year and
//! per kind of agency, areas → criteria → sub-criteria, each sub-criterion with its maximum
//! points, how it is scored and the evidence it requires.

use crate::agency::AgencyKind;

/// Points as the criteria decisions print them, kept in hundredths so that sums are exact
/// ("0,25", "1,5", "2").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Points(i64);

impl Points {
    pub const ZERO: Points = Points(0);

    /// Points from hundredths.
    pub fn from_hundredths(hundredths: i64) -> Points {
        Points(hundredths)
    }

    /// Points from a decimal value, rounded half away from zero to the hundredth; `None` for a
    /// value that is not finite, negative or absurdly large.
    pub fn of(value: f64) -> Option<Points> {
        if !value.is_finite() || !(0.0..=1.0e9).contains(&value) {
            return None;
        }
        Some(Points((value * 100.0).round() as i64))
    }

    /// Whether `value` has more than two decimals (it would be rounded by [`Points::of`]).
    pub fn is_exact(value: f64) -> bool {
        value.is_finite() && ((value * 100.0).round() - value * 100.0).abs() < 1e-6
    }

    pub fn hundredths(self) -> i64 {
        self.0
    }

    pub fn value(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Vietnamese notation: decimal comma, no trailing zeros ("1,5", "2", "0,25").
    pub fn vn(self) -> String {
        let whole = self.0 / 100;
        let frac = self.0 % 100;
        if frac == 0 {
            format!("{whole}")
        } else if frac % 10 == 0 {
            format!("{whole},{}", frac / 10)
        } else {
            format!("{whole},{frac:02}")
        }
    }
}

impl std::ops::Add for Points {
    type Output = Points;
    fn add(self, other: Points) -> Points {
        Points(self.0.saturating_add(other.0))
    }
}

impl std::iter::Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        iter.fold(Points::ZERO, |a, b| a + b)
    }
}

/// The kinds of agency the province assesses (one framework per kind and year).
pub const ASSESSED_KINDS: [AgencyKind; 3] = [AgencyKind::Department, AgencyKind::District, AgencyKind::Commune];

/// A figure the system computes itself from what agencies recorded, as a share in percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AutoMeasure {
    /// Of the agency's milestones due in the year, the share done by their due date.
    MilestonesOnTime,
    /// Of the year's periodic reports the agency owed, the share received by the deadline.
    ReportsOnTime,
    /// Of the indicators the agency answered in its annual report, the share meeting the
    /// plan's threshold for its level.
    IndicatorAttainment,
}

impl AutoMeasure {
    pub const ALL: [AutoMeasure; 3] =
        [AutoMeasure::MilestonesOnTime, AutoMeasure::ReportsOnTime, AutoMeasure::IndicatorAttainment];

    pub fn as_str(self) -> &'static str {
        match self {
            AutoMeasure::MilestonesOnTime => "milestones_on_time",
            AutoMeasure::ReportsOnTime => "reports_on_time",
            AutoMeasure::IndicatorAttainment => "indicator_attainment",
        }
    }

    pub fn parse(text: &str) -> Option<AutoMeasure> {
        AutoMeasure::ALL.into_iter().find(|m| m.as_str() == text)
    }

    pub fn label_vn(self) -> &'static str {
        match self {
            AutoMeasure::MilestonesOnTime => "Tỷ lệ nhiệm vụ (mốc) của kế hoạch hoàn thành đúng hạn",
            AutoMeasure::ReportsOnTime => "Tỷ lệ báo cáo định kỳ gửi đúng hạn",
            AutoMeasure::IndicatorAttainment => "Tỷ lệ chỉ tiêu đạt mục tiêu của kế hoạch (báo cáo năm)",
        }
    }
}

/// A survey result used as a criterion (a share in percent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SurveyMeasure {
    /// The agency's SIPAS satisfaction index.
    Sipas,
}

impl SurveyMeasure {
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyMeasure::Sipas => "sipas",
        }
    }

    pub fn parse(text: &str) -> Option<SurveyMeasure> {
        (text == "sipas").then_some(SurveyMeasure::Sipas)
    }

    pub fn label_vn(self) -> &'static str {
        match self {
            SurveyMeasure::Sipas => "Chỉ số hài lòng SIPAS của cơ quan",
        }
    }
}

/// One step of a threshold mapping: values in `[from, to)` (to the end when `to` is absent)
/// earn `points`.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub from: f64,
    pub to: Option<f64>,
    pub points: Points,
}

/// How a value (a share in percent, or a number the agency reports) becomes points.
#[derive(Debug, Clone, PartialEq)]
pub enum Mapping {
    /// `max × value ÷ full_at`, capped at `max` (full points from `full_at` on).
    Linear { full_at: f64 },
    /// Contiguous steps from the lowest possible value, without gaps or overlaps.
    Steps(Vec<Step>),
}

impl Mapping {
    /// The points `value` earns under this mapping for a sub-criterion worth `max`.
    pub fn points(&self, value: f64, max: Points) -> Points {
        if !value.is_finite() {
            return Points::ZERO;
        }
        match self {
            Mapping::Linear { full_at } => {
                if *full_at <= 0.0 || value >= *full_at {
                    return max;
                }
                if value <= 0.0 {
                    return Points::ZERO;
                }
                let earned = max.hundredths() as f64 * value / full_at;
                Points::from_hundredths((earned.round() as i64).clamp(0, max.hundredths()))
            }
            Mapping::Steps(steps) => steps
                .iter()
                .rev()
                .find(|s| value >= s.from && s.to.is_none_or(|to| value < to))
                .or_else(|| steps.iter().rev().find(|s| value >= s.from))
                .map_or(Points::ZERO, |s| s.points.min(max)),
        }
    }

    /// Vietnamese description ("tuyến tính, đủ điểm từ 100%"; "từ 0 đến dưới 50: 0 điểm; …").
    pub fn describe_vn(&self, unit: &str) -> String {
        match self {
            Mapping::Linear { full_at } => {
                format!("tỷ lệ thuận, đủ điểm từ {}{unit}", crate::number::plain_vn(*full_at))
            }
            Mapping::Steps(steps) => steps
                .iter()
                .map(|s| match s.to {
                    Some(to) => format!(
                        "từ {} đến dưới {}{unit}: {} điểm",
                        crate::number::plain_vn(s.from),
                        crate::number::plain_vn(to),
                        s.points.vn()
                    ),
                    None => format!("từ {}{unit} trở lên: {} điểm", crate::number::plain_vn(s.from), s.points.vn()),
                })
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

/// One answer level of a self-assessed sub-criterion ("Ban hành đúng hạn: 1 điểm").
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    pub label: String,
    pub points: Points,
}

/// How a sub-criterion is scored.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    /// Computed by the system from its own data.
    Auto { measure: AutoMeasure, mapping: Mapping },
    /// The agency answers yes (full points) or no (none).
    YesNo,
    /// The agency picks one level.
    Levels(Vec<Level>),
    /// The agency reports a number (a share, a count) that a mapping turns into points.
    Number { unit: String, mapping: Mapping },
    /// A survey result.
    Survey { measure: SurveyMeasure, mapping: Mapping },
}

impl Method {
    pub fn as_str(&self) -> &'static str {
        match self {
            Method::Auto { .. } => "auto",
            Method::YesNo => "yes_no",
            Method::Levels(_) => "levels",
            Method::Number { .. } => "number",
            Method::Survey { .. } => "survey",
        }
    }

    /// Whether the agency scores this sub-criterion itself (and the council appraises it).
    pub fn is_self_assessed(&self) -> bool {
        matches!(self, Method::YesNo | Method::Levels(_) | Method::Number { .. })
    }

    pub fn label_vn(&self) -> String {
        match self {
            Method::Auto { measure, mapping } => {
                format!("Tự động: {} ({})", measure.label_vn(), mapping.describe_vn("%"))
            }
            Method::YesNo => "Tự đánh giá: có / không".to_string(),
            Method::Levels(levels) => format!(
                "Tự đánh giá theo mức: {}",
                levels.iter().map(|l| format!("{} ({} điểm)", l.label, l.points.vn())).collect::<Vec<_>>().join("; ")
            ),
            Method::Number { unit, mapping } => {
                format!("Tự đánh giá bằng số liệu ({})", mapping.describe_vn(unit))
            }
            Method::Survey { measure, mapping } => {
                format!("Điều tra xã hội học: {} ({})", measure.label_vn(), mapping.describe_vn("%"))
            }
        }
    }
}

/// The smallest scored unit ("tiêu chí thành phần").
#[derive(Debug, Clone, PartialEq)]
pub struct SubCriterion {
    /// "I.1.1".
    pub code: String,
    pub name: String,
    pub max: Points,
    pub method: Method,
    /// What the agency must attach ("Quyết định ban hành kế hoạch").
    pub evidence: String,
}

/// A criterion ("tiêu chí"): its maximum is the sum of its sub-criteria.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    /// "I.1".
    pub code: String,
    pub name: String,
    pub max: Points,
    pub subs: Vec<SubCriterion>,
}

/// An area ("lĩnh vực"), I–VIII in the national pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationArea {
    /// "I".
    pub code: String,
    pub name: String,
    pub max: Points,
    pub criteria: Vec<Criterion>,
}

/// A classification of the index ("Tốt: từ 80% trở lên").
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Lowest index (percent) of the band.
    pub from: f64,
    pub label: String,
}

/// The criteria framework of one year and one kind of agency.
#[derive(Debug, Clone, PartialEq)]
pub struct Framework {
    pub year: i32,
    pub kind: AgencyKind,
    pub title: String,
    /// The decision that issued it ("Quyết định số …/QĐ-UBND"), empty for a template.
    pub basis: String,
    /// A template shipped with the software, to be replaced by the province's decision.
    pub template: bool,
    /// Total maximum points (the sum of the areas).
    pub max: Points,
    pub areas: Vec<EvaluationArea>,
    /// Bands by lowest index, in any order; the first band starts at 0.
    pub bands: Vec<Band>,
}

impl Framework {
    /// Every sub-criterion with its area, in document order.
    pub fn subs(&self) -> impl Iterator<Item = (&EvaluationArea, &Criterion, &SubCriterion)> {
        self.areas.iter().flat_map(|a| a.criteria.iter().flat_map(move |c| c.subs.iter().map(move |s| (a, c, s))))
    }

    pub fn sub(&self, code: &str) -> Option<&SubCriterion> {
        self.subs().map(|(_, _, s)| s).find(|s| s.code == code)
    }

    /// The band an index falls in (the band with the highest `from` not above it).
    pub fn band(&self, index: f64) -> Option<&Band> {
        self.bands.iter().filter(|b| b.from <= index + 1e-9).max_by(|a, b| a.from.total_cmp(&b.from))
    }
}

/// A problem that makes a framework unusable, with the code of the part it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameworkProblem {
    /// Code of the area / criterion / sub-criterion, empty for the framework itself.
    pub code: String,
    pub message: String,
}

/// Checks the arithmetic and mappings of a framework: every maximum is the sum of its parts,
/// codes are unique and nested (I → I.1 → I.1.1), mappings start at 0 and leave no gaps or
/// overlaps, the top of every mapping reaches the sub-criterion's maximum and no step or level
/// exceeds it, bands start at 0 and are distinct.
pub fn check_framework(framework: &Framework) -> Vec<FrameworkProblem> {
    let mut problems = Vec::new();
    let mut push = |code: &str, message: String| problems.push(FrameworkProblem { code: code.to_string(), message });
    let mut seen = std::collections::HashSet::new();
    if framework.areas.is_empty() {
        push("", "Bộ tiêu chí không có lĩnh vực nào.".to_string());
    }
    let area_sum: Points = framework.areas.iter().map(|a| a.max).sum();
    if area_sum != framework.max {
        push(
            "",
            format!(
                "Tổng điểm tối đa của bộ tiêu chí ghi {} nhưng tổng điểm các lĩnh vực là {}.",
                framework.max.vn(),
                area_sum.vn()
            ),
        );
    }
    for area in &framework.areas {
        if !seen.insert(area.code.clone()) {
            push(&area.code, format!("Mã lĩnh vực «{}» bị trùng.", area.code));
        }
        let sum: Points = area.criteria.iter().map(|c| c.max).sum();
        if area.criteria.is_empty() {
            push(&area.code, format!("Lĩnh vực {} không có tiêu chí nào.", area.code));
        } else if sum != area.max {
            push(
                &area.code,
                format!(
                    "Lĩnh vực {} ghi tối đa {} điểm nhưng tổng điểm các tiêu chí là {}.",
                    area.code,
                    area.max.vn(),
                    sum.vn()
                ),
            );
        }
        for criterion in &area.criteria {
            if !seen.insert(criterion.code.clone()) {
                push(&criterion.code, format!("Mã tiêu chí «{}» bị trùng.", criterion.code));
            }
            if !is_child_code(&area.code, &criterion.code) {
                push(
                    &criterion.code,
                    format!("Mã tiêu chí «{}» phải bắt đầu bằng mã lĩnh vực «{}.».", criterion.code, area.code),
                );
            }
            let sum: Points = criterion.subs.iter().map(|s| s.max).sum();
            if criterion.subs.is_empty() {
                push(&criterion.code, format!("Tiêu chí {} không có tiêu chí thành phần nào.", criterion.code));
            } else if sum != criterion.max {
                push(
                    &criterion.code,
                    format!(
                        "Tiêu chí {} ghi tối đa {} điểm nhưng tổng điểm các tiêu chí thành phần là {}.",
                        criterion.code,
                        criterion.max.vn(),
                        sum.vn()
                    ),
                );
            }
            for sub in &criterion.subs {
                if !seen.insert(sub.code.clone()) {
                    push(&sub.code, format!("Mã tiêu chí thành phần «{}» bị trùng.", sub.code));
                }
                if !is_child_code(&criterion.code, &sub.code) {
                    push(
                        &sub.code,
                        format!(
                            "Mã tiêu chí thành phần «{}» phải bắt đầu bằng mã tiêu chí «{}.».",
                            sub.code, criterion.code
                        ),
                    );
                }
                if sub.max == Points::ZERO {
                    push(&sub.code, format!("Tiêu chí thành phần {} có điểm tối đa bằng 0.", sub.code));
                }
                check_method(sub, &mut push);
            }
        }
    }
    check_bands(&framework.bands, &mut push);
    problems
}

fn is_child_code(parent: &str, child: &str) -> bool {
    child
        .strip_prefix(parent)
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|rest| !rest.is_empty() && !rest.contains('.') && rest.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn check_method(sub: &SubCriterion, push: &mut impl FnMut(&str, String)) {
    let code = sub.code.as_str();
    match &sub.method {
        Method::YesNo => {}
        Method::Levels(levels) => {
            if levels.len() < 2 {
                push(code, format!("Tiêu chí thành phần {code}: cần ít nhất hai mức đánh giá."));
            }
            let mut labels = std::collections::HashSet::new();
            for level in levels {
                if level.label.trim().is_empty() {
                    push(code, format!("Tiêu chí thành phần {code}: có mức đánh giá không có tên."));
                }
                if !labels.insert(level.label.trim().to_lowercase()) {
                    push(code, format!("Tiêu chí thành phần {code}: mức «{}» bị trùng.", level.label));
                }
                if level.points > sub.max {
                    push(
                        code,
                        format!(
                            "Tiêu chí thành phần {code}: mức «{}» cho {} điểm, vượt điểm tối đa {}.",
                            level.label,
                            level.points.vn(),
                            sub.max.vn()
                        ),
                    );
                }
            }
            if !levels.is_empty() && levels.iter().map(|l| l.points).max() != Some(sub.max) {
                push(code, format!("Tiêu chí thành phần {code}: không mức nào cho đủ {} điểm tối đa.", sub.max.vn()));
            }
        }
        Method::Auto { mapping, .. } | Method::Survey { mapping, .. } | Method::Number { mapping, .. } => {
            check_mapping(code, mapping, sub.max, push);
        }
    }
}

fn check_mapping(code: &str, mapping: &Mapping, max: Points, push: &mut impl FnMut(&str, String)) {
    match mapping {
        Mapping::Linear { full_at } => {
            if !full_at.is_finite() || *full_at <= 0.0 {
                push(code, format!("Tiêu chí thành phần {code}: ngưỡng đủ điểm phải là số dương."));
            }
        }
        Mapping::Steps(steps) => {
            let Some(first) = steps.first() else {
                push(code, format!("Tiêu chí thành phần {code}: thang quy đổi không có bậc nào."));
                return;
            };
            if first.from != 0.0 {
                push(
                    code,
                    format!(
                        "Tiêu chí thành phần {code}: thang quy đổi phải bắt đầu từ 0 (đang bắt đầu từ {}), các giá trị dưới đó không có điểm.",
                        crate::number::plain_vn(first.from)
                    ),
                );
            }
            for pair in steps.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                match a.to {
                    None => push(
                        code,
                        format!(
                            "Tiêu chí thành phần {code}: bậc từ {} không có giới hạn trên nhưng còn bậc sau nó.",
                            crate::number::plain_vn(a.from)
                        ),
                    ),
                    Some(to) if to < b.from => push(
                        code,
                        format!(
                            "Tiêu chí thành phần {code}: thang quy đổi bị hở từ {} đến dưới {}.",
                            crate::number::plain_vn(to),
                            crate::number::plain_vn(b.from)
                        ),
                    ),
                    Some(to) if to > b.from => push(
                        code,
                        format!(
                            "Tiêu chí thành phần {code}: bậc từ {} đến dưới {} chồng lên bậc từ {}.",
                            crate::number::plain_vn(a.from),
                            crate::number::plain_vn(to),
                            crate::number::plain_vn(b.from)
                        ),
                    ),
                    Some(_) => {}
                }
            }
            for step in steps {
                if let Some(to) = step.to {
                    if to <= step.from {
                        push(
                            code,
                            format!(
                                "Tiêu chí thành phần {code}: bậc từ {} phải có giới hạn trên lớn hơn giới hạn dưới.",
                                crate::number::plain_vn(step.from)
                            ),
                        );
                    }
                }
                if step.points > max {
                    push(
                        code,
                        format!(
                            "Tiêu chí thành phần {code}: bậc từ {} cho {} điểm, vượt điểm tối đa {}.",
                            crate::number::plain_vn(step.from),
                            step.points.vn(),
                            max.vn()
                        ),
                    );
                }
            }
            if let Some(last) = steps.last() {
                if last.to.is_some() {
                    push(
                        code,
                        format!(
                            "Tiêu chí thành phần {code}: bậc cuối phải để trống giới hạn trên (mọi giá trị lớn hơn đều có điểm)."
                        ),
                    );
                }
            }
            if steps.iter().map(|s| s.points).max() != Some(max) {
                push(code, format!("Tiêu chí thành phần {code}: không bậc nào cho đủ {} điểm tối đa.", max.vn()));
            }
        }
    }
}

fn check_bands(bands: &[Band], push: &mut impl FnMut(&str, String)) {
    if bands.is_empty() {
        push("", "Bộ tiêu chí chưa có xếp loại (bands).".to_string());
        return;
    }
    if !bands.iter().any(|b| b.from == 0.0) {
        push("", "Xếp loại phải có một mức bắt đầu từ 0%, nếu không sẽ có chỉ số không được xếp loại.".to_string());
    }
    let mut froms: Vec<f64> = bands.iter().map(|b| b.from).collect();
    froms.sort_by(f64::total_cmp);
    if froms.windows(2).any(|w| w[0] == w[1]) {
        push("", "Hai mức xếp loại có cùng ngưỡng dưới.".to_string());
    }
    if froms.iter().any(|f| !f.is_finite() || *f < 0.0 || *f > 100.0) {
        push("", "Ngưỡng xếp loại phải nằm trong khoảng 0–100%.".to_string());
    }
    if bands.iter().any(|b| b.label.trim().is_empty()) {
        push("", "Có mức xếp loại không có tên.".to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: f64) -> Points {
        Points::of(v).unwrap_or_default()
    }

    #[test]
    fn points_print_the_vietnamese_way() {
        assert_eq!(p(1.5).vn(), "1,5");
        assert_eq!(p(0.25).vn(), "0,25");
        assert_eq!(p(2.0).vn(), "2");
        assert!(Points::is_exact(0.25));
        assert!(!Points::is_exact(0.125));
        assert_eq!(Points::of(-1.0), None);
    }

    #[test]
    fn linear_mapping_caps_at_the_maximum() {
        let m = Mapping::Linear { full_at: 80.0 };
        assert_eq!(m.points(40.0, p(2.0)), p(1.0));
        assert_eq!(m.points(95.0, p(2.0)), p(2.0));
        assert_eq!(m.points(0.0, p(2.0)), Points::ZERO);
        // 2 × 33 / 80 = 0.825 → 0.83 (half away from zero at the hundredth)
        assert_eq!(m.points(33.0, p(2.0)), p(0.83));
    }

    #[test]
    fn steps_mapping_picks_the_step_holding_the_value() {
        let m = Mapping::Steps(vec![
            Step { from: 0.0, to: Some(50.0), points: p(0.0) },
            Step { from: 50.0, to: Some(80.0), points: p(0.5) },
            Step { from: 80.0, to: None, points: p(1.0) },
        ]);
        assert_eq!(m.points(49.9, p(1.0)), p(0.0));
        assert_eq!(m.points(50.0, p(1.0)), p(0.5));
        assert_eq!(m.points(100.0, p(1.0)), p(1.0));
    }

    fn sub(code: &str, max: f64, method: Method) -> SubCriterion {
        SubCriterion { code: code.into(), name: code.into(), max: p(max), method, evidence: String::new() }
    }

    fn framework(subs: Vec<SubCriterion>, criterion_max: f64, total: f64) -> Framework {
        Framework {
            year: 2024,
            kind: AgencyKind::Department,
            title: "t".into(),
            basis: String::new(),
            template: true,
            max: p(total),
            areas: vec![EvaluationArea {
                code: "I".into(),
                name: "a".into(),
                max: p(criterion_max),
                criteria: vec![Criterion { code: "I.1".into(), name: "c".into(), max: p(criterion_max), subs }],
            }],
            bands: vec![Band { from: 0.0, label: "Yếu".into() }, Band { from: 80.0, label: "Tốt".into() }],
        }
    }

    #[test]
    fn a_consistent_framework_has_no_problems() {
        let f = framework(vec![sub("I.1.1", 1.0, Method::YesNo), sub("I.1.2", 0.5, Method::YesNo)], 1.5, 1.5);
        assert_eq!(check_framework(&f), vec![]);
        assert_eq!(f.band(85.0).map(|b| b.label.as_str()), Some("Tốt"));
        assert_eq!(f.band(79.99).map(|b| b.label.as_str()), Some("Yếu"));
    }

    #[test]
    fn points_that_do_not_add_up_are_reported_at_each_level() {
        let f = framework(vec![sub("I.1.1", 1.0, Method::YesNo), sub("I.1.2", 0.5, Method::YesNo)], 2.0, 3.0);
        let codes: Vec<_> = check_framework(&f).into_iter().map(|p| p.code).collect();
        assert_eq!(codes, vec!["", "I.1"]);
    }

    #[test]
    fn gaps_overlaps_and_unreachable_maxima_are_reported() {
        let gap = Method::Number {
            unit: "%".into(),
            mapping: Mapping::Steps(vec![
                Step { from: 0.0, to: Some(50.0), points: p(0.0) },
                Step { from: 60.0, to: None, points: p(1.0) },
            ]),
        };
        let overlap = Method::Number {
            unit: "%".into(),
            mapping: Mapping::Steps(vec![
                Step { from: 0.0, to: Some(70.0), points: p(0.0) },
                Step { from: 60.0, to: None, points: p(0.5) },
            ]),
        };
        let f = framework(vec![sub("I.1.1", 1.0, gap), sub("I.1.2", 1.0, overlap)], 2.0, 2.0);
        let messages: Vec<_> = check_framework(&f).into_iter().map(|p| p.message).collect();
        assert!(messages.iter().any(|m| m.contains("bị hở từ 50 đến dưới 60")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("chồng lên")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("I.1.2: không bậc nào cho đủ 1 điểm")), "{messages:?}");
    }

    #[test]
    fn codes_must_nest() {
        let f = framework(vec![sub("II.1.1", 1.0, Method::YesNo)], 1.0, 1.0);
        assert!(check_framework(&f).iter().any(|p| p.code == "II.1.1"));
    }
}
