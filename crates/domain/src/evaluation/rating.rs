//! The year-end task-completion rating of agencies ("xếp loại mức độ hoàn thành nhiệm vụ"):
//! four levels from rules kept as data — components worth points that add up to 100, each fed by
//! a figure the system has, bands from 0 upwards, and a cap on "excellent".
//!
//! The rules of computation, also stated on the pages:
//! - a component earns `share × max ÷ 100` points (share in percent, clamped to 0–100), rounded
//!   half away from zero to the hundredth;
//! - a component whose figure is missing (no PAR Index for the agency's kind, nothing to count
//!   for an automatic measure) is *not applicable*: it leaves both the points and the maximum,
//!   and the total is rescaled to 100 — **total = points ÷ maximum of the applicable components
//!   × 100**, rounded once to the hundredth (the same rule as the PAR Index). With no applicable
//!   component the agency has no total and is not rated;
//! - the level is the band with the highest lower bound not above the total;
//! - **the cap on "excellent"**: within each group rated together (one kind of agency), at most
//!   `floor(cap % × number rated "good" or "excellent")` agencies keep "excellent" (0 when that
//!   product is below 1). When more reached it, the highest totals keep it; agencies tied with the
//!   first one that does not fit all lose it too (ties are never broken by name or order), so
//!   fewer than the cap may keep it. Those who lose it are rated "good" and marked as capped;
//! - **overrides** recorded by Sở Nội vụ, with a reason, replace the computed level and are
//!   shown beside it; they are the province's decision and are not re-checked against the cap.

use std::collections::HashMap;

use super::framework::{AutoMeasure, Points};
use super::score::IndexValue;
use crate::agency::AgencyId;

/// The four rating levels, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    HoanThanhXuatSac,
    HoanThanhTot,
    HoanThanh,
    KhongHoanThanh,
}

impl Level {
    /// Best first.
    pub const ALL: [Level; 4] = [Level::HoanThanhXuatSac, Level::HoanThanhTot, Level::HoanThanh, Level::KhongHoanThanh];

    /// The machine name (CLI `--level`, JSON, stored overrides).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::HoanThanhXuatSac => "xuat-sac",
            Level::HoanThanhTot => "tot",
            Level::HoanThanh => "hoan-thanh",
            Level::KhongHoanThanh => "khong-hoan-thanh",
        }
    }

    /// The machine name, or the Vietnamese label with or without accents, with or without
    /// "nhiệm vụ" ("xuat-sac", "Hoàn thành tốt nhiệm vụ", "hoàn thành").
    pub fn parse(text: &str) -> Option<Level> {
        let wanted = crate::text::fold(text.trim()).replace(['_', ' '], "-");
        Level::ALL.into_iter().find(|l| {
            let label = crate::text::fold(l.label_vn()).replace(' ', "-");
            l.as_str() == wanted || label == wanted || label.strip_suffix("-nhiem-vu") == Some(wanted.as_str())
        })
    }

    /// "Hoàn thành xuất sắc nhiệm vụ", …
    pub fn label_vn(self) -> &'static str {
        match self {
            Level::HoanThanhXuatSac => "Hoàn thành xuất sắc nhiệm vụ",
            Level::HoanThanhTot => "Hoàn thành tốt nhiệm vụ",
            Level::HoanThanh => "Hoàn thành nhiệm vụ",
            Level::KhongHoanThanh => "Không hoàn thành nhiệm vụ",
        }
    }

    /// Rated "good" or better (the base of the cap).
    pub fn is_good_or_better(self) -> bool {
        matches!(self, Level::HoanThanhXuatSac | Level::HoanThanhTot)
    }
}

/// Where a component's points come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Source {
    /// The agency's PAR Index of the year (index % × max).
    ParIndex,
    /// A figure the system computes from tracking and reporting (share × max).
    Auto(AutoMeasure),
    /// A constant share in percent, the same for every agency (for a criterion the system cannot
    /// measure and the province scores in full, or not at all, for everyone).
    Constant(f64),
}

impl Source {
    /// The machine name of the source kind in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::ParIndex => "par_index",
            Source::Auto(_) => "auto",
            Source::Constant(_) => "constant",
        }
    }

    pub fn label_vn(self) -> String {
        match self {
            Source::ParIndex => "Chỉ số CCHC của cơ quan trong năm (%)".to_string(),
            Source::Auto(measure) => measure.label_vn().to_string(),
            Source::Constant(share) => format!("Cố định {}% cho mọi cơ quan", crate::number::plain_vn(share)),
        }
    }
}

/// One component of the rules ("tiêu chí chung", "kết quả thực hiện nhiệm vụ").
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub code: String,
    pub name: String,
    pub max: Points,
    pub source: Source,
}

/// A band: from `from` points upwards (to the next band) the level is `level`.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingBand {
    pub from: Points,
    pub level: Level,
}

/// A rule set, valid from a year until a later set replaces it.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingRules {
    pub title: String,
    /// The legal text ("Nghị định 335/2025/NĐ-CP …").
    pub basis: String,
    pub valid_from_year: i32,
    pub components: Vec<Component>,
    /// Ascending by `from`, the first at 0.
    pub bands: Vec<RatingBand>,
    /// At most this percentage of the agencies rated "good" or better may be "excellent".
    pub excellent_cap_percent: Option<u32>,
    /// What the law says and how this rule set approximates it.
    pub notes: Vec<String>,
}

impl RatingRules {
    /// The level of `total`: the band with the highest lower bound not above it.
    pub fn level_of(&self, total: Points) -> Option<Level> {
        self.bands.iter().filter(|b| b.from <= total).max_by_key(|b| b.from).map(|b| b.level)
    }

    /// How many may keep "excellent" when `good_or_better` agencies are rated good or better.
    pub fn cap(&self, good_or_better: usize) -> Option<usize> {
        self.excellent_cap_percent.map(|percent| good_or_better.saturating_mul(percent as usize) / 100)
    }
}

/// The rule set in force in `year`: the latest whose `valid_from_year` is not after it.
pub fn rules_for_year(sets: &[RatingRules], year: i32) -> Option<&RatingRules> {
    sets.iter().filter(|r| r.valid_from_year <= year).max_by_key(|r| r.valid_from_year)
}

/// Which part of a rule set a problem concerns (the reader turns it into a line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RulesPart {
    Components,
    Component(String),
    Bands,
    /// The band at this index.
    Band(usize),
    Cap,
}

/// A problem that makes a rule set unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesProblem {
    pub part: RulesPart,
    pub message: String,
}

/// Checks a rule set: components add up to 100 with unique codes and positive maxima, constant
/// shares within 0–100, bands start at 0, ascend strictly, stay within 100 and name each level at
/// most once, the cap within 0–100.
pub fn check_rules(rules: &RatingRules) -> Vec<RulesProblem> {
    let mut problems = Vec::new();
    let mut push = |part: RulesPart, message: String| problems.push(RulesProblem { part, message });
    let hundred = Points::from_hundredths(10_000);
    if rules.components.is_empty() {
        push(RulesPart::Components, "Bộ quy tắc không có thành phần điểm nào.".to_string());
    }
    let sum: Points = rules.components.iter().map(|c| c.max).sum();
    if !rules.components.is_empty() && sum != hundred {
        push(RulesPart::Components, format!("Tổng điểm tối đa của các thành phần là {}, phải bằng 100.", sum.vn()));
    }
    let mut codes = std::collections::HashSet::new();
    for component in &rules.components {
        let part = || RulesPart::Component(component.code.clone());
        if !codes.insert(component.code.as_str()) {
            push(part(), format!("Mã thành phần «{}» bị trùng.", component.code));
        }
        if component.max == Points::ZERO {
            push(part(), format!("Thành phần {} có điểm tối đa bằng 0.", component.code));
        }
        if let Source::Constant(share) = component.source {
            if !(0.0..=100.0).contains(&share) {
                push(part(), format!("Thành phần {}: tỷ lệ cố định phải từ 0 đến 100.", component.code));
            }
        }
    }
    match rules.bands.first() {
        None => push(RulesPart::Bands, "Bộ quy tắc không có mức xếp loại nào.".to_string()),
        Some(first) if first.from != Points::ZERO => push(
            RulesPart::Band(0),
            format!("Mức xếp loại đầu tiên phải bắt đầu từ 0 điểm (đang là {}).", first.from.vn()),
        ),
        Some(_) => {}
    }
    for (i, pair) in rules.bands.windows(2).enumerate() {
        if pair[1].from <= pair[0].from {
            push(
                RulesPart::Band(i + 1),
                format!(
                    "Các mức xếp loại phải theo thứ tự điểm tăng dần: {} điểm đứng sau {} điểm.",
                    pair[1].from.vn(),
                    pair[0].from.vn()
                ),
            );
        }
    }
    let mut levels = std::collections::HashSet::new();
    for (i, band) in rules.bands.iter().enumerate() {
        if band.from > hundred {
            push(
                RulesPart::Band(i),
                format!("Mức «{}» bắt đầu từ {} điểm, vượt 100.", band.level.label_vn(), band.from.vn()),
            );
        }
        if !levels.insert(band.level) {
            push(RulesPart::Band(i), format!("Mức «{}» xuất hiện hai lần.", band.level.label_vn()));
        }
    }
    if rules.excellent_cap_percent.is_some_and(|p| p > 100) {
        push(RulesPart::Cap, "Tỷ lệ tối đa xếp loại xuất sắc phải từ 0 đến 100%.".to_string());
    }
    problems
}

/// An override recorded by Sở Nội vụ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingOverride {
    pub level: Level,
    pub reason: String,
    /// Who recorded it (display name).
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
}

/// What is known about one agency.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingInput {
    pub agency: AgencyId,
    /// Its PAR Index of the year, in percent.
    pub par_index: Option<f64>,
    /// The automatic figures, in percent.
    pub measures: HashMap<AutoMeasure, f64>,
    pub override_: Option<RatingOverride>,
}

/// The points of one component of one agency.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentScore {
    pub code: String,
    pub name: String,
    pub max: Points,
    /// The figure used, in percent; `None` when not applicable.
    pub share: Option<f64>,
    /// `None` when not applicable.
    pub points: Option<Points>,
}

/// The rating of one agency.
#[derive(Debug, Clone, PartialEq)]
pub struct Rating {
    pub agency: AgencyId,
    pub components: Vec<ComponentScore>,
    /// Points out of 100 after rescaling; `None` when no component applied.
    pub total: Option<Points>,
    /// Points and maximum of the applicable components, before rescaling.
    pub points: Points,
    pub applicable_max: Points,
    /// The level of the total, before the cap.
    pub level_before_cap: Option<Level>,
    /// After the cap, before any override.
    pub computed_level: Option<Level>,
    /// What counts: the override when there is one, else the computed level.
    pub level: Option<Level>,
    /// "Excellent" taken away by the cap.
    pub capped: bool,
    pub override_: Option<RatingOverride>,
}

/// `share % × max`, rounded half away from zero to the hundredth, within 0..=max.
fn points_of_share(share: f64, max: Points) -> Points {
    let share = if share.is_finite() { share.clamp(0.0, 100.0) } else { 0.0 };
    let hundredths = (max.hundredths() as f64 * share / 100.0).round() as i64;
    Points::from_hundredths(hundredths.clamp(0, max.hundredths()))
}

/// Rates one agency, without the cap.
fn rate_one(rules: &RatingRules, input: &RatingInput) -> Rating {
    let components: Vec<ComponentScore> = rules
        .components
        .iter()
        .map(|c| {
            let share = match c.source {
                Source::ParIndex => input.par_index,
                Source::Auto(measure) => input.measures.get(&measure).copied(),
                Source::Constant(share) => Some(share),
            }
            .filter(|s| s.is_finite());
            ComponentScore {
                code: c.code.clone(),
                name: c.name.clone(),
                max: c.max,
                share,
                points: share.map(|s| points_of_share(s, c.max)),
            }
        })
        .collect();
    let points: Points = components.iter().filter_map(|c| c.points).sum();
    let applicable_max: Points = components.iter().filter(|c| c.points.is_some()).map(|c| c.max).sum();
    let total = IndexValue::of(points, applicable_max).map(|i| Points::from_hundredths(i.hundredths()));
    let level = total.and_then(|t| rules.level_of(t));
    Rating {
        agency: input.agency.clone(),
        components,
        total,
        points,
        applicable_max,
        level_before_cap: level,
        computed_level: level,
        level,
        capped: false,
        override_: None,
    }
}

/// Rates a group of agencies rated together (one kind): the breakdown, the total, the level,
/// the cap on "excellent" and the overrides, in the order of `inputs`.
pub fn rate(rules: &RatingRules, inputs: &[RatingInput]) -> Vec<Rating> {
    let mut ratings: Vec<Rating> = inputs.iter().map(|i| rate_one(rules, i)).collect();
    let good_or_better = ratings.iter().filter(|r| r.level_before_cap.is_some_and(Level::is_good_or_better)).count();
    if let Some(cap) = rules.cap(good_or_better) {
        let mut excellent: Vec<Points> = ratings
            .iter()
            .filter(|r| r.level_before_cap == Some(Level::HoanThanhXuatSac))
            .filter_map(|r| r.total)
            .collect();
        if excellent.len() > cap {
            excellent.sort_by(|a, b| b.cmp(a));
            // The total of the first agency that does not fit: it and everyone tied with it lose
            // "excellent"; only strictly higher totals keep it.
            let first_out = excellent[cap];
            for rating in &mut ratings {
                if rating.level_before_cap == Some(Level::HoanThanhXuatSac)
                    && rating.total.is_some_and(|t| t <= first_out)
                {
                    rating.computed_level = Some(Level::HoanThanhTot);
                    rating.level = Some(Level::HoanThanhTot);
                    rating.capped = true;
                }
            }
        }
    }
    for (rating, input) in ratings.iter_mut().zip(inputs) {
        if let Some(over) = &input.override_ {
            rating.level = Some(over.level);
            rating.override_ = Some(over.clone());
        }
    }
    ratings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: f64) -> Points {
        Points::of(v).unwrap_or_default()
    }

    /// Decree 335's shape: general 30 from the PAR Index, results 70 from milestones on time.
    fn rules() -> RatingRules {
        RatingRules {
            title: "t".into(),
            basis: "Nghị định 335/2025/NĐ-CP".into(),
            valid_from_year: 2026,
            components: vec![
                Component {
                    code: "chung".into(),
                    name: "Tiêu chí chung".into(),
                    max: p(30.0),
                    source: Source::ParIndex,
                },
                Component {
                    code: "ket-qua".into(),
                    name: "Kết quả thực hiện nhiệm vụ".into(),
                    max: p(70.0),
                    source: Source::Auto(AutoMeasure::MilestonesOnTime),
                },
            ],
            bands: vec![
                RatingBand { from: p(0.0), level: Level::KhongHoanThanh },
                RatingBand { from: p(50.0), level: Level::HoanThanh },
                RatingBand { from: p(70.0), level: Level::HoanThanhTot },
                RatingBand { from: p(90.0), level: Level::HoanThanhXuatSac },
            ],
            excellent_cap_percent: Some(20),
            notes: vec![],
        }
    }

    fn input(id: &str, par: Option<f64>, on_time: Option<f64>) -> RatingInput {
        RatingInput {
            agency: AgencyId::parse(id).unwrap(),
            par_index: par,
            measures: on_time.map(|v| (AutoMeasure::MilestonesOnTime, v)).into_iter().collect(),
            override_: None,
        }
    }

    #[test]
    fn hand_computed_breakdown_and_bands() {
        // 30 × 85,5% = 25,65; 70 × 90% = 63 → 88,65 → good.
        let r = rate(&rules(), &[input("a", Some(85.5), Some(90.0))]);
        assert_eq!(r[0].components[0].points, Some(p(25.65)));
        assert_eq!(r[0].components[1].points, Some(p(63.0)));
        assert_eq!(r[0].total, Some(p(88.65)));
        assert_eq!(r[0].level, Some(Level::HoanThanhTot));
        // Bounds belong to the band above: exactly 90 is excellent, exactly 50 completed,
        // 49,99 not completed.
        let r = rate(&rules(), &[input("b", Some(100.0), Some(100.0)), input("c", Some(50.0), Some(50.0))]);
        assert_eq!(r[1].total, Some(p(50.0)));
        assert_eq!(r[1].level, Some(Level::HoanThanh));
        assert_eq!(rules().level_of(p(49.99)), Some(Level::KhongHoanThanh));
        assert_eq!(rules().level_of(p(90.0)), Some(Level::HoanThanhXuatSac));
        assert_eq!(rules().level_of(p(89.99)), Some(Level::HoanThanhTot));
    }

    #[test]
    fn a_missing_par_index_is_not_applicable_and_the_total_is_rescaled() {
        // Only milestones: 70 × 80% = 56 of 70 → 80,00 → good (not 56 → completed).
        let r = rate(&rules(), &[input("a", None, Some(80.0))]);
        assert_eq!(r[0].components[0].points, None);
        assert_eq!((r[0].points, r[0].applicable_max), (p(56.0), p(70.0)));
        assert_eq!(r[0].total, Some(p(80.0)));
        assert_eq!(r[0].level, Some(Level::HoanThanhTot));
        // 70 × 2/3 = 46,67 of 70 → 66,67.
        let r = rate(&rules(), &[input("b", None, Some(200.0 / 3.0))]);
        assert_eq!(r[0].total, Some(p(66.67)));
        // Nothing at all: not rated.
        let r = rate(&rules(), &[input("c", None, None)]);
        assert_eq!((r[0].total, r[0].level), (None, None));
    }

    #[test]
    fn the_cap_keeps_the_highest_totals() {
        // 10 rated good or better: 6 good (80) and 4 excellent (99, 98, 95, 92).
        // Cap = floor(20% × 10) = 2 → 99 and 98 keep it; 95 and 92 become good, marked capped.
        let mut inputs: Vec<RatingInput> = (0..6).map(|i| input(&format!("tot-{i}"), Some(80.0), Some(80.0))).collect();
        for (id, v) in [("a", 99.0), ("b", 98.0), ("c", 95.0), ("d", 92.0)] {
            inputs.push(input(id, Some(v), Some(v)));
        }
        let r = rate(&rules(), &inputs);
        let level = |id: &str| r.iter().find(|x| x.agency.as_str() == id).map(|x| (x.level, x.capped)).unwrap();
        assert_eq!(level("a"), (Some(Level::HoanThanhXuatSac), false));
        assert_eq!(level("b"), (Some(Level::HoanThanhXuatSac), false));
        assert_eq!(level("c"), (Some(Level::HoanThanhTot), true));
        assert_eq!(level("d"), (Some(Level::HoanThanhTot), true));
        assert_eq!(
            r.iter().find(|x| x.agency.as_str() == "c").unwrap().level_before_cap,
            Some(Level::HoanThanhXuatSac)
        );
    }

    #[test]
    fn agencies_tied_at_the_boundary_all_lose_excellent() {
        // 10 good or better, cap 2: excellent totals 99, 95, 95 → the second place is tied with
        // the first that does not fit, so only 99 keeps it.
        let mut inputs: Vec<RatingInput> = (0..7).map(|i| input(&format!("tot-{i}"), Some(75.0), Some(75.0))).collect();
        for (id, v) in [("a", 99.0), ("b", 95.0), ("c", 95.0)] {
            inputs.push(input(id, Some(v), Some(v)));
        }
        let r = rate(&rules(), &inputs);
        let excellent: Vec<&str> =
            r.iter().filter(|x| x.level == Some(Level::HoanThanhXuatSac)).map(|x| x.agency.as_str()).collect();
        assert_eq!(excellent, vec!["a"]);
        assert_eq!(r.iter().filter(|x| x.capped).count(), 2);
        // When every tied agency fits, all keep it: 10 good or better, excellent 95, 95 → both.
        let mut inputs: Vec<RatingInput> = (0..8).map(|i| input(&format!("tot-{i}"), Some(75.0), Some(75.0))).collect();
        inputs.push(input("b", Some(95.0), Some(95.0)));
        inputs.push(input("c", Some(95.0), Some(95.0)));
        let r = rate(&rules(), &inputs);
        assert_eq!(r.iter().filter(|x| x.level == Some(Level::HoanThanhXuatSac)).count(), 2);
    }

    #[test]
    fn with_fewer_than_five_rated_good_nobody_is_excellent() {
        // 4 good or better → floor(0,8) = 0.
        let inputs: Vec<RatingInput> = (0..4).map(|i| input(&format!("x-{i}"), Some(95.0), Some(95.0))).collect();
        let r = rate(&rules(), &inputs);
        assert!(r.iter().all(|x| x.level == Some(Level::HoanThanhTot) && x.capped));
    }

    #[test]
    fn an_override_replaces_the_level_and_is_shown() {
        let mut one = input("a", Some(40.0), Some(40.0));
        one.override_ = Some(RatingOverride {
            level: Level::HoanThanh,
            reason: "Hoàn thành nhiệm vụ đột xuất".into(),
            by: "Sở Nội vụ".into(),
            at: "2027-01-10T00:00:00Z".into(),
        });
        let r = rate(&rules(), &[one]);
        assert_eq!(r[0].total, Some(p(40.0)));
        assert_eq!(r[0].computed_level, Some(Level::KhongHoanThanh));
        assert_eq!(r[0].level, Some(Level::HoanThanh));
        assert_eq!(r[0].override_.as_ref().map(|o| o.reason.as_str()), Some("Hoàn thành nhiệm vụ đột xuất"));
    }

    #[test]
    fn levels_parse_from_machine_names_and_labels() {
        assert_eq!(Level::parse("xuat-sac"), Some(Level::HoanThanhXuatSac));
        assert_eq!(Level::parse("Hoàn thành tốt nhiệm vụ"), Some(Level::HoanThanhTot));
        assert_eq!(Level::parse("hoan thanh"), Some(Level::HoanThanh));
        assert_eq!(Level::parse("khong_hoan_thanh"), Some(Level::KhongHoanThanh));
        assert_eq!(Level::parse("tốt lắm"), None);
    }

    #[test]
    fn the_rules_of_a_year_are_the_latest_in_force() {
        let mut old = rules();
        old.valid_from_year = 2024;
        old.basis = "cũ".into();
        let sets = vec![rules(), old];
        assert_eq!(rules_for_year(&sets, 2023), None);
        assert_eq!(rules_for_year(&sets, 2025).map(|r| r.basis.as_str()), Some("cũ"));
        assert_eq!(rules_for_year(&sets, 2030).map(|r| r.valid_from_year), Some(2026));
    }

    #[test]
    fn broken_rules_are_reported() {
        let mut r = rules();
        r.components[1].max = p(60.0);
        r.bands[0].from = p(10.0);
        r.bands.push(RatingBand { from: p(80.0), level: Level::HoanThanh });
        let problems: Vec<String> = check_rules(&r).into_iter().map(|p| p.message).collect();
        assert!(problems.iter().any(|p| p.contains("phải bằng 100")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("bắt đầu từ 0")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("tăng dần")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("hai lần")), "{problems:?}");
        assert!(check_rules(&rules()).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn totals_stay_within_100_and_excellent_never_exceeds_the_cap(
            figures in proptest::collection::vec(
                (proptest::option::of(-10.0f64..150.0), proptest::option::of(-10.0f64..150.0)),
                0..40,
            ),
        ) {
            let inputs: Vec<RatingInput> = figures
                .iter()
                .enumerate()
                .map(|(i, (par, on_time))| input(&format!("x-{i}"), *par, *on_time))
                .collect();
            let r = rate(&rules(), &inputs);
            for rating in &r {
                if let Some(total) = rating.total {
                    proptest::prop_assert!((0..=10_000).contains(&total.hundredths()));
                }
                proptest::prop_assert!(rating.points <= rating.applicable_max);
            }
            let good = r.iter().filter(|x| x.level_before_cap.is_some_and(Level::is_good_or_better)).count();
            let excellent = r.iter().filter(|x| x.level == Some(Level::HoanThanhXuatSac)).count();
            proptest::prop_assert!(excellent <= good / 5);
            // The cap only ever moves "excellent" to "good".
            for rating in r.iter().filter(|x| x.capped) {
                proptest::prop_assert_eq!(rating.level, Some(Level::HoanThanhTot));
            }
        }
    }
}
