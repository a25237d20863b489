//! SIPAS, the index of people's and organisations' satisfaction with the service of the public
//! administration ("Chỉ số hài lòng về sự phục vụ hành chính"): survey responses on a 5-point
//! scale, grouped into five elements, become a share of satisfied answers per agency and element
//! with its sample size and a 95% Wilson interval.
//!
//! # The formula
//!
//! For an agency `a` and an element `e`, every answer (one rated item of one response) to an
//! item the configuration maps to `e` counts once:
//!
//! - `n(a,e)` = answers, `s(a,e)` = answers at a *satisfied* level (by default 4 «Hài lòng» and
//!   5 «Rất hài lòng»);
//! - share `p = s ÷ n`;
//! - the 95% Wilson score interval (z = 1.96):
//!   `centre = (p + z²/2n) ÷ (1 + z²/n)`,
//!   `half = z ÷ (1 + z²/n) × √(p(1−p)/n + z²/4n²)`, interval `centre ± half` (always within
//!   [0, 1], always containing `p`; none when `n = 0`).
//!
//! The agency's overall share is the weighted mean of its element shares,
//! `Σ w(e)·p(a,e) ÷ Σ w(e)` over the elements that have answers (an element nobody answered is
//! left out and the weights of the others rescaled). Its interval is the same weighted mean of the
//! elements' Wilson bounds: the elements are answered by the same people, so their errors are not
//! independent, and averaging the bounds is the conservative choice (it is what the interval of
//! the mean would be if the elements moved together). The province is computed the same way from
//! the answers of every agency pooled per element. Weights and satisfied levels are configurable
//! ([`SipasConfig`]); the default weighs the five elements equally.

use std::collections::{BTreeMap, BTreeSet};

use crate::agency::AgencyId;
use crate::text::fold;

/// The z value of a two-sided 95% interval.
pub const Z_95: f64 = 1.96;

/// The five elements of the SIPAS questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SipasElement {
    /// Tiếp cận dịch vụ.
    Access,
    /// Thủ tục hành chính.
    Procedure,
    /// Công chức trực tiếp giải quyết công việc.
    CivilServants,
    /// Kết quả giải quyết công việc.
    Result,
    /// Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị.
    Feedback,
}

impl SipasElement {
    pub const ALL: [SipasElement; 5] = [
        SipasElement::Access,
        SipasElement::Procedure,
        SipasElement::CivilServants,
        SipasElement::Result,
        SipasElement::Feedback,
    ];

    /// Machine name (JSON, database, configuration).
    pub fn as_str(self) -> &'static str {
        match self {
            SipasElement::Access => "access",
            SipasElement::Procedure => "procedure",
            SipasElement::CivilServants => "civil_servants",
            SipasElement::Result => "result",
            SipasElement::Feedback => "feedback",
        }
    }

    pub fn parse(text: &str) -> Option<SipasElement> {
        SipasElement::ALL.into_iter().find(|e| e.as_str() == text)
    }

    /// Vietnamese label shown to people.
    pub fn label_vn(self) -> &'static str {
        match self {
            SipasElement::Access => "Tiếp cận dịch vụ",
            SipasElement::Procedure => "Thủ tục hành chính",
            SipasElement::CivilServants => "Công chức giải quyết công việc",
            SipasElement::Result => "Kết quả giải quyết công việc",
            SipasElement::Feedback => "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị",
        }
    }
}

/// One answer on the 5-point scale: 1 «Rất không hài lòng» … 5 «Rất hài lòng».
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rating(u8);

/// The labels of the five levels, 1 to 5.
pub const RATING_LABELS: [&str; 5] =
    ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"];

impl Rating {
    pub fn new(level: u8) -> Option<Rating> {
        (1..=5).contains(&level).then_some(Rating(level))
    }

    pub fn level(self) -> u8 {
        self.0
    }

    /// "1" … "5" (also "4.0" as spreadsheets write it) or a level's label in any case, with or
    /// without diacritics ("hai long", "RẤT HÀI LÒNG").
    pub fn parse(text: &str) -> Option<Rating> {
        let folded = fold(text);
        if let Some(level) = RATING_LABELS.iter().position(|label| fold(label) == folded) {
            return Rating::new(level as u8 + 1);
        }
        let trimmed = text.trim();
        let digits = trimmed.strip_suffix(".0").or_else(|| trimmed.strip_suffix(",0")).unwrap_or(trimmed);
        digits.parse::<u8>().ok().and_then(Rating::new)
    }

    pub fn label_vn(self) -> &'static str {
        RATING_LABELS[usize::from(self.0 - 1)]
    }
}

/// Why a configuration was refused (Vietnamese).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SipasConfigError {
    #[error("chưa có câu hỏi nào được gán vào yếu tố")]
    NoItems,
    #[error("trọng số của yếu tố «{0}» phải là số không âm")]
    BadWeight(&'static str),
    #[error("tổng trọng số các yếu tố phải lớn hơn 0")]
    ZeroWeights,
    #[error("chưa chọn mức nào được tính là hài lòng")]
    NoSatisfiedLevel,
}

/// How responses become the index: which question (item number) belongs to which element, the
/// weight of each element in the overall share, and which levels count as satisfied.
#[derive(Debug, Clone, PartialEq)]
pub struct SipasConfig {
    pub items: BTreeMap<u16, SipasElement>,
    pub weights: BTreeMap<SipasElement, f64>,
    pub satisfied: BTreeSet<Rating>,
}

/// How many items of the default questionnaire each element has, in order (22 in all).
pub const DEFAULT_ITEMS_PER_ELEMENT: [(SipasElement, u16); 5] = [
    (SipasElement::Access, 4),
    (SipasElement::Procedure, 5),
    (SipasElement::CivilServants, 6),
    (SipasElement::Result, 3),
    (SipasElement::Feedback, 4),
];

impl Default for SipasConfig {
    /// The 22 criteria of the national SIPAS pattern, numbered 1–22 in the order of the elements:
    /// 1–4 access, 5–9 procedure, 10–15 civil servants, 16–18 result, 19–22 feedback; equal
    /// weights; «Hài lòng» and «Rất hài lòng» satisfied. A questionnaire numbered otherwise is
    /// described by its own configuration.
    fn default() -> SipasConfig {
        let mut items = BTreeMap::new();
        let mut next = 1u16;
        for (element, count) in DEFAULT_ITEMS_PER_ELEMENT {
            for _ in 0..count {
                items.insert(next, element);
                next += 1;
            }
        }
        let weights = SipasElement::ALL.into_iter().map(|e| (e, 1.0)).collect();
        let satisfied = [4, 5].into_iter().filter_map(Rating::new).collect();
        SipasConfig { items, weights, satisfied }
    }
}

impl SipasConfig {
    pub fn check(&self) -> Result<(), SipasConfigError> {
        if self.items.is_empty() {
            return Err(SipasConfigError::NoItems);
        }
        for element in SipasElement::ALL {
            let weight = self.weight(element);
            if !weight.is_finite() || weight < 0.0 {
                return Err(SipasConfigError::BadWeight(element.label_vn()));
            }
        }
        if SipasElement::ALL.iter().map(|e| self.weight(*e)).sum::<f64>() <= 0.0 {
            return Err(SipasConfigError::ZeroWeights);
        }
        if self.satisfied.is_empty() {
            return Err(SipasConfigError::NoSatisfiedLevel);
        }
        Ok(())
    }

    /// An element's weight (0 when not listed).
    pub fn weight(&self, element: SipasElement) -> f64 {
        self.weights.get(&element).copied().unwrap_or(0.0)
    }

    pub fn element_of(&self, item: u16) -> Option<SipasElement> {
        self.items.get(&item).copied()
    }

    /// The items of one element, in order.
    pub fn items_of(&self, element: SipasElement) -> Vec<u16> {
        self.items.iter().filter(|(_, e)| **e == element).map(|(item, _)| *item).collect()
    }
}

/// One completed questionnaire: who it is about (the agency that served the respondent), the
/// survey year, and the rating given to each item answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyResponse {
    /// The questionnaire's number (unique within a year).
    pub form_id: String,
    pub agency: AgencyId,
    pub year: i32,
    pub answers: BTreeMap<u16, Rating>,
}

/// A share with its 95% Wilson interval, all as fractions of 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share {
    pub share: f64,
    pub low: f64,
    pub high: f64,
}

/// The 95% Wilson score interval of `satisfied` out of `answers`; `None` when nothing was
/// answered.
pub fn wilson(satisfied: u64, answers: u64) -> Option<Share> {
    if answers == 0 || satisfied > answers {
        return None;
    }
    let n = answers as f64;
    let p = satisfied as f64 / n;
    let z2 = Z_95 * Z_95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z_95 / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // Rounding in the last bit must not put the bound on the wrong side of the share.
    let low = (centre - half).clamp(0.0, 1.0).min(p);
    let high = (centre + half).clamp(0.0, 1.0).max(p);
    Some(Share { share: p, low, high })
}

/// One element of one agency (or of the province).
#[derive(Debug, Clone, PartialEq)]
pub struct ElementResult {
    pub element: SipasElement,
    pub answers: u64,
    pub satisfied: u64,
    /// `None` when nothing was answered.
    pub share: Option<Share>,
}

/// The index of one agency, or of the province (then `agency` is `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct AgencyResult {
    pub agency: Option<AgencyId>,
    /// Questionnaires counted.
    pub responses: u64,
    /// Always the five elements, in order.
    pub elements: Vec<ElementResult>,
    /// The weighted mean of the element shares; `None` when no weighted element was answered.
    pub overall: Option<Share>,
}

/// The index of a year: every agency with at least one response (ordered by id) and the province.
#[derive(Debug, Clone, PartialEq)]
pub struct SipasIndex {
    pub agencies: Vec<AgencyResult>,
    pub province: AgencyResult,
}

impl SipasIndex {
    pub fn agency(&self, id: &AgencyId) -> Option<&AgencyResult> {
        self.agencies.iter().find(|a| a.agency.as_ref() == Some(id))
    }
}

#[derive(Default, Clone, Copy)]
struct Tally {
    answers: u64,
    satisfied: u64,
}

fn result_of(
    config: &SipasConfig,
    agency: Option<AgencyId>,
    responses: u64,
    tallies: &BTreeMap<SipasElement, Tally>,
) -> AgencyResult {
    let elements: Vec<ElementResult> = SipasElement::ALL
        .into_iter()
        .map(|element| {
            let tally = tallies.get(&element).copied().unwrap_or_default();
            ElementResult {
                element,
                answers: tally.answers,
                satisfied: tally.satisfied,
                share: wilson(tally.satisfied, tally.answers),
            }
        })
        .collect();
    let (mut weights, mut share, mut low, mut high) = (0.0, 0.0, 0.0, 0.0);
    for result in &elements {
        let weight = config.weight(result.element);
        if let (Some(s), true) = (result.share, weight > 0.0) {
            weights += weight;
            share += weight * s.share;
            low += weight * s.low;
            high += weight * s.high;
        }
    }
    let overall = (weights > 0.0).then(|| {
        let share = (share / weights).clamp(0.0, 1.0);
        Share { share, low: (low / weights).clamp(0.0, share), high: (high / weights).clamp(share, 1.0) }
    });
    AgencyResult { agency, responses, elements, overall }
}

/// The index of a set of responses (already checked: one per form id, known agencies). Answers to
/// items the configuration does not map are ignored.
pub fn sipas_index(config: &SipasConfig, responses: &[SurveyResponse]) -> SipasIndex {
    let mut per_agency: BTreeMap<&AgencyId, (u64, BTreeMap<SipasElement, Tally>)> = BTreeMap::new();
    let mut province: BTreeMap<SipasElement, Tally> = BTreeMap::new();
    for response in responses {
        let (count, tallies) = per_agency.entry(&response.agency).or_default();
        *count += 1;
        for (item, rating) in &response.answers {
            let Some(element) = config.element_of(*item) else { continue };
            let satisfied = u64::from(config.satisfied.contains(rating));
            for tally in [tallies.entry(element).or_default(), province.entry(element).or_default()] {
                tally.answers += 1;
                tally.satisfied += satisfied;
            }
        }
    }
    let agencies = per_agency
        .iter()
        .map(|(agency, (count, tallies))| result_of(config, Some((*agency).clone()), *count, tallies))
        .collect();
    SipasIndex { agencies, province: result_of(config, None, responses.len() as u64, &province) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id(text: &str) -> AgencyId {
        AgencyId::parse(text).unwrap()
    }

    #[test]
    fn ratings_parse_from_numbers_and_labels() {
        assert_eq!(Rating::parse("4"), Rating::new(4));
        assert_eq!(Rating::parse(" 5.0 "), Rating::new(5));
        assert_eq!(Rating::parse("Rất hài lòng"), Rating::new(5));
        assert_eq!(Rating::parse("RAT KHONG HAI LONG"), Rating::new(1));
        assert_eq!(Rating::parse("không hài lòng"), Rating::new(2));
        assert_eq!(Rating::parse("Bình thường"), Rating::new(3));
        assert_eq!(Rating::parse("hài lòng"), Rating::new(4));
        assert_eq!(Rating::parse("6"), None);
        assert_eq!(Rating::parse("0"), None);
        assert_eq!(Rating::parse("tốt"), None);
        assert_eq!(Rating::new(3).unwrap().label_vn(), "Bình thường");
    }

    #[test]
    fn the_default_questionnaire_has_22_items_in_five_elements() {
        let config = SipasConfig::default();
        assert_eq!(config.items.len(), 22);
        assert_eq!(config.items_of(SipasElement::Access), vec![1, 2, 3, 4]);
        assert_eq!(config.items_of(SipasElement::Procedure), vec![5, 6, 7, 8, 9]);
        assert_eq!(config.items_of(SipasElement::CivilServants), vec![10, 11, 12, 13, 14, 15]);
        assert_eq!(config.items_of(SipasElement::Result), vec![16, 17, 18]);
        assert_eq!(config.items_of(SipasElement::Feedback), vec![19, 20, 21, 22]);
        assert_eq!(config.check(), Ok(()));
        for element in SipasElement::ALL {
            assert_eq!(SipasElement::parse(element.as_str()), Some(element));
        }
    }

    #[test]
    fn a_configuration_without_weights_or_levels_is_refused() {
        let mut config = SipasConfig::default();
        config.weights.values_mut().for_each(|w| *w = 0.0);
        assert_eq!(config.check(), Err(SipasConfigError::ZeroWeights));
        let mut config = SipasConfig::default();
        config.weights.insert(SipasElement::Result, -1.0);
        assert!(matches!(config.check(), Err(SipasConfigError::BadWeight(_))));
        let mut config = SipasConfig::default();
        config.satisfied.clear();
        assert_eq!(config.check(), Err(SipasConfigError::NoSatisfiedLevel));
    }

    #[test]
    fn wilson_matches_a_hand_computed_interval() {
        // 8 of 10: centre = (0.8 + 0.19208) / 1.38416 = 0.716738…, half = 0.230…
        let share = wilson(8, 10).unwrap();
        assert!((share.low - 0.4902).abs() < 1e-4, "{share:?}");
        assert!((share.high - 0.9433).abs() < 1e-4, "{share:?}");
        assert_eq!(wilson(0, 0), None);
        let none = wilson(0, 20).unwrap();
        assert_eq!(none.low, 0.0);
        let all = wilson(20, 20).unwrap();
        assert_eq!(all.high, 1.0);
    }

    fn response(form: &str, agency: &str, ratings: &[(u16, u8)]) -> SurveyResponse {
        SurveyResponse {
            form_id: form.into(),
            agency: id(agency),
            year: 2024,
            answers: ratings.iter().map(|(item, level)| (*item, Rating::new(*level).unwrap())).collect(),
        }
    }

    #[test]
    fn the_overall_share_is_the_weighted_mean_of_the_elements() {
        let config = SipasConfig::default();
        // Access: items 1, 2 → 1 of 2 satisfied; procedure: item 5 → 1 of 1; nothing else.
        let responses = [response("1", "so-noi-vu", &[(1, 5), (2, 3), (5, 4), (99, 5)])];
        let index = sipas_index(&config, &responses);
        let agency = index.agency(&id("so-noi-vu")).unwrap();
        assert_eq!(agency.responses, 1);
        assert_eq!(agency.elements[0].answers, 2);
        assert_eq!(agency.elements[0].satisfied, 1);
        assert_eq!(agency.elements[1].share.unwrap().share, 1.0);
        assert_eq!(agency.elements[2].share, None);
        assert_eq!(agency.overall.unwrap().share, 0.75);
        let mut weighted = config.clone();
        weighted.weights.insert(SipasElement::Procedure, 3.0);
        let index = sipas_index(&weighted, &responses);
        assert_eq!(index.agencies[0].overall.unwrap().share, (0.5 + 3.0) / 4.0);
    }

    proptest! {
        #[test]
        fn wilson_bounds_stay_in_0_1_and_contain_the_share(n in 1u64..5000, frac in 0.0f64..=1.0) {
            let s = ((n as f64) * frac).floor() as u64;
            let share = wilson(s, n).unwrap();
            prop_assert!(0.0 <= share.low && share.low <= share.share);
            prop_assert!(share.share <= share.high && share.high <= 1.0);
        }

        /// A generated set with known counts per agency and element comes out exact.
        #[test]
        fn known_shares_come_out_exact(
            counts in proptest::collection::vec((1u64..40, 0u64..=100), 10),
        ) {
            // Two agencies × five elements; element e of agency a gets `n` answers, of which
            // `pct`% (rounded down) are satisfied — one answer per response, on the element's
            // first item.
            let config = SipasConfig::default();
            let agencies = ["so-noi-vu", "so-tu-phap"];
            let mut responses = Vec::new();
            let mut expected = BTreeMap::new();
            for (k, (n, pct)) in counts.iter().enumerate() {
                let agency = agencies[k / 5];
                let element = SipasElement::ALL[k % 5];
                let item = config.items_of(element)[0];
                let satisfied = n * pct / 100;
                for i in 0..*n {
                    let level = if i < satisfied { 4 + (i % 2) as u8 } else { 1 + (i % 3) as u8 };
                    responses.push(response(&format!("{k}-{i}"), agency, &[(item, level)]));
                }
                expected.insert((agency, element), (*n, satisfied));
            }
            let index = sipas_index(&config, &responses);
            let mut province = BTreeMap::<SipasElement, (u64, u64)>::new();
            for ((agency, element), (n, satisfied)) in &expected {
                let result = index.agency(&id(agency)).unwrap();
                let element_result = &result.elements[SipasElement::ALL.iter().position(|e| e == element).unwrap()];
                prop_assert_eq!(element_result.answers, *n);
                prop_assert_eq!(element_result.satisfied, *satisfied);
                prop_assert_eq!(element_result.share.unwrap().share, *satisfied as f64 / *n as f64);
                let p = province.entry(*element).or_default();
                p.0 += n;
                p.1 += satisfied;
            }
            for agency in agencies {
                let result = index.agency(&id(agency)).unwrap();
                let mean = result.elements.iter().map(|e| e.share.unwrap().share).sum::<f64>() / 5.0;
                prop_assert!((result.overall.unwrap().share - mean).abs() < 1e-12);
            }
            for (k, element) in SipasElement::ALL.iter().enumerate() {
                let (n, s) = province[element];
                prop_assert_eq!(index.province.elements[k].answers, n);
                prop_assert_eq!(index.province.elements[k].satisfied, s);
            }
            prop_assert_eq!(index.province.responses, responses.len() as u64);
        }
    }
}
