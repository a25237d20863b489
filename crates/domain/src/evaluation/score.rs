//! Scoring: answers → points per sub-criterion → the index of an agency, ranked within its kind.
//!
//! The rules, also stated on the pages:
//! - a self-assessed sub-criterion without an answer earns 0 points;
//! - a sub-criterion marked *not applicable* (an automatic figure with nothing to count, a survey
//!   with no responses, or one the council declared so) is left out of both the points and the
//!   maximum: **index = points ÷ maximum of the applicable sub-criteria × 100** (rescaling), so
//!   an agency is not penalised for what it could not be measured on;
//! - the index is rounded once, half away from zero, to two decimals; ranks compare these
//!   rounded values, and equal indices share a rank (1, 2, 2, 4);
//! - the band is the one with the highest lower bound not above the index.

use std::collections::HashMap;

use super::framework::{Framework, Method, Points};
use crate::agency::AgencyId;

/// What is known about one sub-criterion of one agency.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A share in percent (automatic and survey methods).
    Share(f64),
    /// Yes / no.
    Yes(bool),
    /// The label of a level.
    Level(String),
    /// A number the agency reported.
    Number(f64),
    /// Points set directly (an appraisal adjusting a score).
    Points(Points),
    /// Left out of the points and the maximum.
    NotApplicable,
}

/// An index in percent, in hundredths ("90,02").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IndexValue(i64);

impl IndexValue {
    /// `points ÷ max × 100`, rounded half away from zero to two decimals; `None` when nothing
    /// was applicable.
    pub fn of(points: Points, max: Points) -> Option<IndexValue> {
        if max.hundredths() <= 0 {
            return None;
        }
        // Integer arithmetic: index in hundredths = points × 10 000 ÷ max, rounded half up
        // (both are non-negative).
        let numerator = i128::from(points.hundredths()) * 10_000;
        let denominator = i128::from(max.hundredths());
        let hundredths = (2 * numerator + denominator) / (2 * denominator);
        Some(IndexValue(i64::try_from(hundredths).unwrap_or(i64::MAX)))
    }

    pub fn from_hundredths(hundredths: i64) -> IndexValue {
        IndexValue(hundredths)
    }

    pub fn hundredths(self) -> i64 {
        self.0
    }

    pub fn value(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// "90,02".
    pub fn vn(self) -> String {
        format!("{},{:02}", self.0 / 100, self.0 % 100)
    }
}

/// The score of one sub-criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct SubScore {
    pub code: String,
    /// `None` when not applicable.
    pub points: Option<Points>,
    pub max: Points,
}

/// The score of one area.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaScore {
    pub code: String,
    pub name: String,
    pub points: Points,
    /// Maximum of the applicable sub-criteria.
    pub max: Points,
    /// Maximum in the framework.
    pub full_max: Points,
}

/// The score of one agency under one framework.
#[derive(Debug, Clone, PartialEq)]
pub struct AgencyScore {
    pub agency: AgencyId,
    pub points: Points,
    /// Maximum of the applicable sub-criteria (the denominator of the index).
    pub max: Points,
    pub full_max: Points,
    pub index: Option<IndexValue>,
    pub by_area: Vec<AreaScore>,
    pub subs: Vec<SubScore>,
}

/// The points an answer earns under a sub-criterion's method; `None` when not applicable.
/// An answer of the wrong shape for the method (a level for a yes/no question, an unknown level)
/// earns 0.
pub fn points_of(method: &Method, max: Points, answer: Option<&Answer>) -> Option<Points> {
    let Some(answer) = answer else {
        return match method {
            // An automatic or survey figure nobody could compute is not applicable; a
            // self-assessed one nobody answered earns nothing.
            Method::Auto { .. } | Method::Survey { .. } => None,
            _ => Some(Points::ZERO),
        };
    };
    Some(match (method, answer) {
        (_, Answer::NotApplicable) => return None,
        (_, Answer::Points(points)) => (*points).min(max),
        (Method::Auto { mapping, .. } | Method::Survey { mapping, .. }, Answer::Share(value)) => {
            mapping.points(*value, max)
        }
        (Method::Number { mapping, .. }, Answer::Number(value) | Answer::Share(value)) => mapping.points(*value, max),
        (Method::YesNo, Answer::Yes(yes)) => {
            if *yes {
                max
            } else {
                Points::ZERO
            }
        }
        (Method::Levels(levels), Answer::Level(label)) => {
            let wanted = crate::text::fold(label);
            levels.iter().find(|l| crate::text::fold(&l.label) == wanted).map_or(Points::ZERO, |l| l.points.min(max))
        }
        _ => Points::ZERO,
    })
}

/// Scores one agency: `answers` maps sub-criterion codes to what is known.
pub fn score_agency(framework: &Framework, agency: &AgencyId, answers: &HashMap<String, Answer>) -> AgencyScore {
    let mut subs = Vec::new();
    let mut by_area = Vec::new();
    for area in &framework.areas {
        let mut area_score = AreaScore {
            code: area.code.clone(),
            name: area.name.clone(),
            points: Points::ZERO,
            max: Points::ZERO,
            full_max: area.max,
        };
        for sub in area.criteria.iter().flat_map(|c| c.subs.iter()) {
            let points = points_of(&sub.method, sub.max, answers.get(&sub.code));
            if let Some(points) = points {
                area_score.points = area_score.points + points;
                area_score.max = area_score.max + sub.max;
            }
            subs.push(SubScore { code: sub.code.clone(), points, max: sub.max });
        }
        by_area.push(area_score);
    }
    let points: Points = by_area.iter().map(|a| a.points).sum();
    let max: Points = by_area.iter().map(|a| a.max).sum();
    AgencyScore {
        agency: agency.clone(),
        points,
        max,
        full_max: framework.max,
        index: IndexValue::of(points, max),
        by_area,
        subs,
    }
}

/// Competition ranks ("1, 2, 2, 4") by index, highest first; agencies without an index get no
/// rank. Returned in the order of `scores`.
pub fn ranks(scores: &[AgencyScore]) -> Vec<Option<u32>> {
    let indices: Vec<Option<IndexValue>> = scores.iter().map(|s| s.index).collect();
    indices
        .iter()
        .map(|own| {
            own.map(|own| {
                let better = indices.iter().flatten().filter(|other| **other > own).count();
                u32::try_from(better).unwrap_or(u32::MAX).saturating_add(1)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agency::AgencyKind;
    use crate::evaluation::framework::{
        AutoMeasure, Band, Criterion, EvaluationArea, Level, Mapping, SubCriterion, SurveyMeasure,
    };

    fn p(v: f64) -> Points {
        Points::of(v).unwrap_or_default()
    }

    fn sub(code: &str, max: f64, method: Method) -> SubCriterion {
        SubCriterion { code: code.into(), name: code.into(), max: p(max), method, evidence: String::new() }
    }

    /// Area I: I.1.1 yes/no 2, I.1.2 levels 3 (0 / 1,5 / 3); area II: II.1.1 auto 4 linear to
    /// 100%, II.1.2 survey 1 linear to 90%. Total 10.
    fn framework() -> Framework {
        let levels = Method::Levels(vec![
            Level { label: "Không".into(), points: p(0.0) },
            Level { label: "Một phần".into(), points: p(1.5) },
            Level { label: "Đầy đủ".into(), points: p(3.0) },
        ]);
        Framework {
            year: 2024,
            kind: AgencyKind::Department,
            title: "t".into(),
            basis: String::new(),
            template: true,
            max: p(10.0),
            areas: vec![
                EvaluationArea {
                    code: "I".into(),
                    name: "Công tác chỉ đạo".into(),
                    max: p(5.0),
                    criteria: vec![Criterion {
                        code: "I.1".into(),
                        name: "c".into(),
                        max: p(5.0),
                        subs: vec![sub("I.1.1", 2.0, Method::YesNo), sub("I.1.2", 3.0, levels)],
                    }],
                },
                EvaluationArea {
                    code: "II".into(),
                    name: "Thể chế".into(),
                    max: p(5.0),
                    criteria: vec![Criterion {
                        code: "II.1".into(),
                        name: "c".into(),
                        max: p(5.0),
                        subs: vec![
                            sub(
                                "II.1.1",
                                4.0,
                                Method::Auto {
                                    measure: AutoMeasure::MilestonesOnTime,
                                    mapping: Mapping::Linear { full_at: 100.0 },
                                },
                            ),
                            sub(
                                "II.1.2",
                                1.0,
                                Method::Survey {
                                    measure: SurveyMeasure::Sipas,
                                    mapping: Mapping::Linear { full_at: 90.0 },
                                },
                            ),
                        ],
                    }],
                },
            ],
            bands: vec![Band { from: 0.0, label: "Yếu".into() }],
        }
    }

    fn answers(list: &[(&str, Answer)]) -> HashMap<String, Answer> {
        list.iter().map(|(c, a)| (c.to_string(), a.clone())).collect()
    }

    #[test]
    fn hand_computed_total() {
        // 2 + 1,5 + 4 × 75% = 3 + 1 × 45/90 = 0,5 → 7 of 10 → 70,00
        let a = answers(&[
            ("I.1.1", Answer::Yes(true)),
            ("I.1.2", Answer::Level("một phần".into())),
            ("II.1.1", Answer::Share(75.0)),
            ("II.1.2", Answer::Share(45.0)),
        ]);
        let s = score_agency(&framework(), &AgencyId::parse("so-noi-vu").unwrap(), &a);
        assert_eq!(s.points, p(7.0));
        assert_eq!(s.max, p(10.0));
        assert_eq!(s.index.map(IndexValue::vn).as_deref(), Some("70,00"));
        assert_eq!(s.by_area[0].points, p(3.5));
        assert_eq!(s.by_area[1].points, p(3.5));
    }

    #[test]
    fn absent_survey_rescales_and_missing_self_answers_earn_nothing() {
        // No SIPAS responses: II.1.2 leaves the maximum (9); I.1.2 unanswered earns 0.
        // 2 + 0 + 4 = 6 of 9 → 66,666… → 66,67
        let a = answers(&[("I.1.1", Answer::Yes(true)), ("II.1.1", Answer::Share(100.0))]);
        let s = score_agency(&framework(), &AgencyId::parse("x").unwrap(), &a);
        assert_eq!((s.points, s.max, s.full_max), (p(6.0), p(9.0), p(10.0)));
        assert_eq!(s.index.map(IndexValue::vn).as_deref(), Some("66,67"));
        assert_eq!(s.subs.iter().find(|x| x.code == "II.1.2").and_then(|x| x.points), None);
    }

    #[test]
    fn appraised_points_are_capped_at_the_maximum() {
        let a = answers(&[("I.1.1", Answer::Points(p(5.0)))]);
        let s = score_agency(&framework(), &AgencyId::parse("x").unwrap(), &a);
        assert_eq!(s.subs[0].points, Some(p(2.0)));
    }

    #[test]
    fn ties_share_a_rank_and_the_next_rank_skips() {
        let f = framework();
        let make = |share: f64| {
            score_agency(&f, &AgencyId::parse("x").unwrap(), &answers(&[("II.1.1", Answer::Share(share))]))
        };
        // indices: 4×50%=2 of 9 → 22,22; 4 of 9 → 44,44; same 44,44; nothing applicable → none
        let nothing = score_agency(
            &f,
            &AgencyId::parse("y").unwrap(),
            &answers(&[
                ("I.1.1", Answer::NotApplicable),
                ("I.1.2", Answer::NotApplicable),
                ("II.1.1", Answer::NotApplicable),
            ]),
        );
        let scores = vec![make(50.0), make(100.0), make(100.0), nothing];
        assert_eq!(ranks(&scores), vec![Some(3), Some(1), Some(1), None]);
    }

    #[test]
    fn index_rounds_half_up_at_the_second_decimal() {
        // 1 of 8 = 12,5 exactly; 1 of 3 = 33,333…; 2 of 3 = 66,666…; 1 of 16 = 6,25; 1 of 1600 = 0,0625 → 0,06
        assert_eq!(IndexValue::of(p(1.0), p(8.0)).map(IndexValue::vn).as_deref(), Some("12,50"));
        assert_eq!(IndexValue::of(p(1.0), p(3.0)).map(IndexValue::vn).as_deref(), Some("33,33"));
        assert_eq!(IndexValue::of(p(2.0), p(3.0)).map(IndexValue::vn).as_deref(), Some("66,67"));
        assert_eq!(IndexValue::of(p(0.01), p(16.0)).map(IndexValue::hundredths), Some(6));
        assert_eq!(IndexValue::of(p(0.0), p(0.0)), None);
    }

    proptest::proptest! {
        #[test]
        fn index_is_between_0_and_100(
            shares in proptest::collection::vec(0.0f64..150.0, 2),
            yes in proptest::bool::ANY,
        ) {
            let a = answers(&[
                ("I.1.1", Answer::Yes(yes)),
                ("II.1.1", Answer::Share(shares[0])),
                ("II.1.2", Answer::Share(shares[1])),
            ]);
            let s = score_agency(&framework(), &AgencyId::parse("x").unwrap(), &a);
            let index = s.index.map_or(0, IndexValue::hundredths);
            proptest::prop_assert!((0..=10_000).contains(&index));
            proptest::prop_assert!(s.points <= s.max);
            let area_sum: Points = s.by_area.iter().map(|a| a.points).sum();
            proptest::prop_assert_eq!(area_sum, s.points);
        }
    }
}
