//! Inspection planning ("kế hoạch kiểm tra công tác cải cách hành chính"): which agencies Sở Nội
//! vụ inspects in a year, and why.
//!
//! The plan asks to inspect "trên 30%" / "tối thiểu 30%" of the agencies, to favour those with
//! many administrative procedures, to inspect by surprise ("kiểm tra đột xuất") and to
//! re-inspect earlier findings ("tái kiểm tra việc khắc phục tồn tại"). [`plan_inspections`]
//! turns that into a rule:
//!
//! - The candidates are split into *strata* by kind of agency (departments, district People's
//!   Committees, commune People's Committees — whatever kinds the year's directory has). Each
//!   stratum of `N` candidates gets `n = ⌈share × N⌉` places (share 30% by default), so every
//!   kind is covered at least at the share.
//! - Of those, `⌊n × random share⌋` places (20% by default) are *surprise* places drawn at random
//!   among the candidates the priority did not take; the others are *priority* places.
//! - A candidate's *priority* (0–100, one decimal) adds up weighted components, each in [0, 1]
//!   and computed within its stratum (see [`PriorityWeights`], which sum to 100 by default):
//!   low PAR index (below the stratum's median: how far below, relative to the lowest), many
//!   procedures (above the stratum's median: how far above, relative to the most), unresolved
//!   findings (one third per finding, capped at three) and not inspected last year (all or
//!   nothing). Each component that counts is a [`Reason`].
//! - The priority places go to the highest priorities. When the last places fall inside a group
//!   of equal priority, the seeded draw picks among that group (and says so).
//!
//! The draw is reproducible: [`SplitMix64`] (a documented, fixed generator; no library whose
//! stream may change between versions) seeded with the plan's seed and the stratum's kind, over
//! the candidates sorted by agency id. The same candidates, rules and seed give the same plan;
//! another seed changes only the drawn places.

use std::cmp::Ordering;

use crate::agency::{AgencyId, AgencyKind};
use crate::calendar::WorkCalendar;
use crate::date::Date;
use crate::number::Percent1;

/// What the priority is computed from, for one agency.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectionCandidate {
    pub agency: AgencyId,
    pub name: String,
    /// The stratum.
    pub kind: AgencyKind,
    /// The agency's latest PAR index (0–100); lower is a higher priority. `None`: not scored.
    pub index: Option<f64>,
    /// Administrative procedures ("thủ tục hành chính") the agency handles.
    pub procedures: u32,
    /// Findings of earlier inspections not yet remedied.
    pub unresolved_findings: u32,
    /// Whether an inspection of the agency was done (or planned) the year before.
    pub inspected_last_year: bool,
}

/// Weights of the priority components; the priority is their weighted sum, out of their total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriorityWeights {
    pub low_index: u32,
    pub procedures: u32,
    pub unresolved_findings: u32,
    pub not_inspected_last_year: u32,
}

impl Default for PriorityWeights {
    /// Low index 35, procedures 25 (the plan's own emphasis), unresolved findings 25,
    /// not inspected last year 15.
    fn default() -> Self {
        PriorityWeights { low_index: 35, procedures: 25, unresolved_findings: 25, not_inspected_last_year: 15 }
    }
}

impl PriorityWeights {
    fn total(self) -> u32 {
        self.low_index + self.procedures + self.unresolved_findings + self.not_inspected_last_year
    }
}

/// How many agencies a plan takes and how it ranks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelectionRules {
    /// Minimum share of each stratum inspected, in percent (1–100).
    share_percent: u32,
    /// Share of each stratum's places drawn at random (surprise inspections), in percent (0–50).
    random_percent: u32,
    pub weights: PriorityWeights,
}

/// The default minimum share: "tối thiểu 30% cơ quan, đơn vị".
pub const DEFAULT_SHARE_PERCENT: u32 = 30;
/// The default share of surprise places.
pub const DEFAULT_RANDOM_PERCENT: u32 = 20;
/// Unresolved findings beyond this many add nothing to the priority.
pub const UNRESOLVED_CAP: u32 = 3;

impl Default for SelectionRules {
    fn default() -> Self {
        SelectionRules {
            share_percent: DEFAULT_SHARE_PERCENT,
            random_percent: DEFAULT_RANDOM_PERCENT,
            weights: PriorityWeights::default(),
        }
    }
}

impl SelectionRules {
    /// The default rules with another minimum share; `None` outside 1–100.
    pub fn with_share(share_percent: u32) -> Option<SelectionRules> {
        (1..=100).contains(&share_percent).then(|| SelectionRules { share_percent, ..SelectionRules::default() })
    }

    /// The rules with another share of surprise places; `None` above 50.
    pub fn with_random(self, random_percent: u32) -> Option<SelectionRules> {
        (random_percent <= 50).then_some(SelectionRules { random_percent, ..self })
    }

    pub fn share_percent(self) -> u32 {
        self.share_percent
    }

    pub fn random_percent(self) -> u32 {
        self.random_percent
    }

    /// Places for a stratum of `total` candidates: ⌈share × total⌉.
    pub fn places(self, total: usize) -> usize {
        (total * self.share_percent as usize).div_ceil(100).min(total)
    }

    /// Of `places`, how many are drawn at random: ⌊places × random share⌋.
    pub fn random_places(self, places: usize) -> usize {
        places * self.random_percent as usize / 100
    }
}

/// Why an agency is in the plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reason {
    /// Its PAR index is below the stratum's median.
    LowIndex(f64),
    /// It handles more procedures than the stratum's median.
    ManyProcedures(u32),
    /// Findings of earlier inspections are not remedied.
    UnresolvedFindings(u32),
    NotInspectedLastYear,
    /// The seeded draw gave it its place (a surprise place, or among equal priorities).
    Drawn,
}

impl Reason {
    /// The code in JSON and storage.
    pub fn code(self) -> &'static str {
        match self {
            Reason::LowIndex(_) => "low_index",
            Reason::ManyProcedures(_) => "many_procedures",
            Reason::UnresolvedFindings(_) => "unresolved_findings",
            Reason::NotInspectedLastYear => "not_inspected_last_year",
            Reason::Drawn => "drawn",
        }
    }

    /// The value the reason cites, if any.
    pub fn value(self) -> Option<f64> {
        match self {
            Reason::LowIndex(v) => Some(v),
            Reason::ManyProcedures(n) | Reason::UnresolvedFindings(n) => Some(f64::from(n)),
            Reason::NotInspectedLastYear | Reason::Drawn => None,
        }
    }

    /// "chỉ số CCHC thấp (72,4)", "nhiều TTHC (120)", …
    pub fn label_vn(self) -> String {
        match self {
            Reason::LowIndex(v) => {
                format!("chỉ số CCHC thấp ({})", Percent1::of(v).map_or_else(|| "–".to_string(), Percent1::vn))
            }
            Reason::ManyProcedures(n) => format!("nhiều TTHC ({n})"),
            Reason::UnresolvedFindings(n) => format!("còn tồn tại chưa khắc phục ({n})"),
            Reason::NotInspectedLastYear => "năm trước chưa được kiểm tra".to_string(),
            Reason::Drawn => "chọn ngẫu nhiên".to_string(),
        }
    }

    /// `code` or `code=value`, as stored.
    pub fn encode(self) -> String {
        match self {
            Reason::LowIndex(v) => format!("low_index={v}"),
            Reason::ManyProcedures(n) => format!("many_procedures={n}"),
            Reason::UnresolvedFindings(n) => format!("unresolved_findings={n}"),
            Reason::NotInspectedLastYear | Reason::Drawn => self.code().to_string(),
        }
    }

    /// The inverse of [`Reason::encode`].
    pub fn decode(text: &str) -> Option<Reason> {
        let (code, value) = match text.split_once('=') {
            Some((code, value)) => (code, Some(value)),
            None => (text, None),
        };
        match (code, value) {
            ("low_index", Some(v)) => v.parse::<f64>().ok().filter(|v| v.is_finite()).map(Reason::LowIndex),
            ("many_procedures", Some(v)) => v.parse().ok().map(Reason::ManyProcedures),
            ("unresolved_findings", Some(v)) => v.parse().ok().map(Reason::UnresolvedFindings),
            ("not_inspected_last_year", None) => Some(Reason::NotInspectedLastYear),
            ("drawn", None) => Some(Reason::Drawn),
            _ => None,
        }
    }
}

/// How a chosen agency got its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// By priority alone.
    Priority,
    /// By priority, the draw deciding among equal priorities at the end of the priority places.
    PriorityDrawn,
    /// A surprise place, drawn among those the priority did not take.
    Random,
}

impl Place {
    pub const ALL: [Place; 3] = [Place::Priority, Place::PriorityDrawn, Place::Random];

    pub fn as_str(self) -> &'static str {
        match self {
            Place::Priority => "priority",
            Place::PriorityDrawn => "priority_drawn",
            Place::Random => "random",
        }
    }

    pub fn parse(text: &str) -> Option<Place> {
        Place::ALL.into_iter().find(|p| p.as_str() == text)
    }

    pub fn label_vn(self) -> &'static str {
        match self {
            Place::Priority => "Ưu tiên",
            Place::PriorityDrawn => "Ưu tiên (bốc thăm khi cùng mức)",
            Place::Random => "Đột xuất (chọn ngẫu nhiên)",
        }
    }

    /// Whether another seed could have given the place to another agency.
    pub fn is_drawn(self) -> bool {
        !matches!(self, Place::Priority)
    }
}

/// One agency of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ChosenAgency {
    pub agency: AgencyId,
    pub name: String,
    pub kind: AgencyKind,
    pub priority: Percent1,
    pub place: Place,
    /// The components that raised its priority, then [`Reason::Drawn`] for a drawn place.
    pub reasons: Vec<Reason>,
}

/// The plan of one kind of agency.
#[derive(Debug, Clone, PartialEq)]
pub struct Stratum {
    pub kind: AgencyKind,
    /// Candidates of this kind.
    pub total: usize,
    /// Priority places first (highest priority first), then surprise places.
    pub chosen: Vec<ChosenAgency>,
}

/// The agencies to inspect in a year, per stratum.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectionPlan {
    pub seed: u64,
    pub rules: SelectionRules,
    /// In the order of [`AgencyKind`].
    pub strata: Vec<Stratum>,
}

impl InspectionPlan {
    /// Every chosen agency, stratum after stratum.
    pub fn chosen(&self) -> impl Iterator<Item = &ChosenAgency> {
        self.strata.iter().flat_map(|s| s.chosen.iter())
    }
}

/// Identifier of a stored inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InspectionId(pub i64);

/// Identifier of a stored finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FindingId(pub i64);

/// An adopted plan as stored: who adopted it and what it chose.
#[derive(Debug, Clone, PartialEq)]
pub struct AdoptedPlan {
    pub id: i64,
    pub year: i32,
    pub seed: u64,
    pub share_percent: u32,
    pub random_percent: u32,
    pub created_by: Option<String>,
    pub created_at: String,
    /// In plan order (names are those of today's lookups, not kept).
    pub chosen: Vec<ChosenAgency>,
}

/// One inspection of one agency ("cuộc kiểm tra").
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    pub id: InspectionId,
    pub year: i32,
    /// The adopted plan it comes from; `None` for a re-inspection.
    pub plan: Option<i64>,
    pub agency: AgencyId,
    pub planned_on: Date,
    /// When it was done: recorded on it, else the completion date of its milestone.
    pub done_on: Option<Date>,
    /// The milestone that tracks it, in the inspecting agency's assignment.
    pub milestone: Option<crate::tracking::MilestoneId>,
    /// The finding it re-inspects ("tái kiểm tra").
    pub reinspects: Option<FindingId>,
    pub findings: Vec<Finding>,
}

/// What an inspection found that the agency must remedy ("tồn tại, hạn chế").
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub id: FindingId,
    pub inspection: InspectionId,
    pub text: String,
    /// Remediation deadline ("thời hạn khắc phục").
    pub deadline: Date,
    pub recorded_by: Option<String>,
    pub recorded_at: String,
    pub resolution: Option<Resolution>,
    /// The re-inspection scheduled for it.
    pub reinspection: Option<InspectionId>,
}

impl Finding {
    /// Not resolved and past its deadline as of `as_of` (the deadline day is on time).
    pub fn is_overdue(&self, as_of: Date) -> bool {
        self.resolution.is_none() && as_of > self.deadline
    }

    pub fn status_vn(&self, as_of: Date) -> &'static str {
        match (&self.resolution, self.is_overdue(as_of)) {
            (Some(r), _) if r.on <= self.deadline => "Đã khắc phục đúng hạn",
            (Some(_), _) => "Đã khắc phục trễ hạn",
            (None, true) => "Quá hạn khắc phục",
            (None, false) => "Đang khắc phục",
        }
    }
}

/// How a finding was remedied ("đã khắc phục").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    pub on: Date,
    pub by: Option<String>,
    pub at: String,
    /// The evidence: a document number, a link, a short description.
    pub evidence: String,
}

/// SplitMix64 (Steele, Lea & Flood 2014; the constants of Vigna's reference `splitmix64.c`): a
/// 64-bit state advanced by the golden-ratio increment and mixed. Fixed here so that a seed
/// gives the same plan in every version of cchc.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in `0..bound` (rejection sampling, no modulo bias); 0 when `bound` is 0.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % bound;
            }
        }
    }

    /// Moves `k` uniformly drawn items of `items` to its front (partial Fisher–Yates).
    pub fn draw_front<T>(&mut self, items: &mut [T], k: usize) {
        let len = items.len();
        for i in 0..k.min(len) {
            let j = i + self.below((len - i) as u64) as usize;
            items.swap(i, j);
        }
    }
}

/// The stream of a stratum: the seed mixed with the kind, so that a stratum's draw does not
/// depend on which other kinds exist.
fn stratum_rng(seed: u64, kind: AgencyKind) -> SplitMix64 {
    let salt = match kind {
        AgencyKind::Province => 1u64,
        AgencyKind::Department => 2,
        AgencyKind::Sectoral => 3,
        AgencyKind::District => 4,
        AgencyKind::Commune => 5,
        AgencyKind::Other => 6,
    };
    let mut mixer = SplitMix64::new(seed ^ salt.wrapping_mul(0xD1B5_4A32_D192_ED03));
    SplitMix64::new(mixer.next_u64())
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => values.get(n / 2).copied(),
        _ => Some((values.get(n / 2 - 1)? + values.get(n / 2)?) / 2.0),
    }
}

/// A candidate's priority and reasons, within its stratum.
#[derive(Debug, Clone)]
struct Scored {
    candidate: InspectionCandidate,
    priority: Percent1,
    reasons: Vec<Reason>,
}

fn score_stratum(candidates: Vec<InspectionCandidate>, weights: PriorityWeights) -> Vec<Scored> {
    let index = |c: &InspectionCandidate| c.index.filter(|v| v.is_finite());
    let indices: Vec<f64> = candidates.iter().filter_map(index).collect();
    let index_median = median(indices.clone());
    let index_min = indices.iter().copied().fold(f64::INFINITY, f64::min);
    let procedures: Vec<f64> = candidates.iter().map(|c| f64::from(c.procedures)).collect();
    let procedures_median = median(procedures.clone()).unwrap_or(0.0);
    let procedures_max = procedures.iter().copied().fold(0.0, f64::max);
    let total = f64::from(weights.total().max(1));
    candidates
        .into_iter()
        .map(|candidate| {
            let mut reasons = Vec::new();
            let mut sum = 0.0;
            if let (Some(v), Some(median)) = (index(&candidate), index_median) {
                if v < median {
                    sum += f64::from(weights.low_index) * (median - v) / (median - index_min);
                    reasons.push(Reason::LowIndex(v));
                }
            }
            let n = f64::from(candidate.procedures);
            if n > procedures_median {
                sum += f64::from(weights.procedures) * (n - procedures_median) / (procedures_max - procedures_median);
                reasons.push(Reason::ManyProcedures(candidate.procedures));
            }
            if candidate.unresolved_findings > 0 {
                let counted = candidate.unresolved_findings.min(UNRESOLVED_CAP);
                sum += f64::from(weights.unresolved_findings) * f64::from(counted) / f64::from(UNRESOLVED_CAP);
                reasons.push(Reason::UnresolvedFindings(candidate.unresolved_findings));
            }
            if !candidate.inspected_last_year {
                sum += f64::from(weights.not_inspected_last_year);
                reasons.push(Reason::NotInspectedLastYear);
            }
            let priority = Percent1::of(sum * 100.0 / total).unwrap_or_else(|| Percent1::share(0, 1));
            Scored { candidate, priority, reasons }
        })
        .collect()
}

fn chosen(scored: Scored, place: Place) -> ChosenAgency {
    let Scored { candidate, priority, mut reasons } = scored;
    match place {
        Place::Priority => {}
        Place::PriorityDrawn => reasons.push(Reason::Drawn),
        Place::Random => reasons = vec![Reason::Drawn],
    }
    ChosenAgency { agency: candidate.agency, name: candidate.name, kind: candidate.kind, priority, place, reasons }
}

/// Chooses the agencies to inspect (see the module documentation for the rule). The order of
/// `candidates` does not matter; a candidate listed twice counts once (the first listing).
pub fn plan_inspections(candidates: &[InspectionCandidate], rules: SelectionRules, seed: u64) -> InspectionPlan {
    let mut sorted: Vec<InspectionCandidate> = candidates.to_vec();
    sorted.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.agency.cmp(&b.agency)));
    sorted.dedup_by(|later, first| later.agency == first.agency);
    let mut kinds: Vec<AgencyKind> = sorted.iter().map(|c| c.kind).collect();
    kinds.dedup();
    let strata = kinds
        .into_iter()
        .map(|kind| {
            let members: Vec<InspectionCandidate> = sorted.iter().filter(|c| c.kind == kind).cloned().collect();
            plan_stratum(kind, members, rules, seed)
        })
        .collect();
    InspectionPlan { seed, rules, strata }
}

fn plan_stratum(kind: AgencyKind, members: Vec<InspectionCandidate>, rules: SelectionRules, seed: u64) -> Stratum {
    let total = members.len();
    let places = rules.places(total);
    let random = rules.random_places(places);
    let priority_places = places - random;
    let mut rng = stratum_rng(seed, kind);
    let mut scored = score_stratum(members, rules.weights);
    // Highest priority first; equal priorities in agency-id order (the draw decides among them).
    scored.sort_by(|a, b| b.priority.cmp(&a.priority).then_with(|| a.candidate.agency.cmp(&b.candidate.agency)));
    let mut out = Vec::with_capacity(places);
    let mut rest: Vec<Scored> = Vec::new();
    if priority_places > 0 {
        let boundary = scored.get(priority_places - 1).map(|s| s.priority);
        let (mut above, mut tied): (Vec<Scored>, Vec<Scored>) = (Vec::new(), Vec::new());
        for s in scored {
            match boundary.map(|b| s.priority.cmp(&b)) {
                Some(Ordering::Greater) => above.push(s),
                Some(Ordering::Equal) => tied.push(s),
                _ => rest.push(s),
            }
        }
        let wanted = priority_places - above.len();
        out.extend(above.into_iter().map(|s| chosen(s, Place::Priority)));
        if wanted == tied.len() {
            out.extend(tied.into_iter().map(|s| chosen(s, Place::Priority)));
        } else {
            rng.draw_front(&mut tied, wanted);
            let left = tied.split_off(wanted);
            tied.sort_by(|a, b| a.candidate.agency.cmp(&b.candidate.agency));
            out.extend(tied.into_iter().map(|s| chosen(s, Place::PriorityDrawn)));
            // Those left keep their order: priority, then agency id (the tie group is one priority).
            let mut left = left;
            left.sort_by(|a, b| a.candidate.agency.cmp(&b.candidate.agency));
            rest.splice(0..0, left);
        }
    } else {
        rest = scored;
    }
    // Surprise places: a uniform draw over the rest, in agency-id order (independent of priority).
    rest.sort_by(|a, b| a.candidate.agency.cmp(&b.candidate.agency));
    rng.draw_front(&mut rest, random);
    rest.truncate(random);
    rest.sort_by(|a, b| a.candidate.agency.cmp(&b.candidate.agency));
    out.extend(rest.into_iter().map(|s| chosen(s, Place::Random)));
    Stratum { kind, total, chosen: out }
}

/// `count` dates spread evenly over the working days from `from` to `to` (both included), in
/// order; a day repeats when there are more dates than working days. `None` when the range has
/// no working day.
pub fn spread_over_working_days(calendar: &WorkCalendar, from: Date, to: Date, count: usize) -> Option<Vec<Date>> {
    let mut days = Vec::new();
    let mut day = from;
    while day <= to {
        if calendar.is_working_day(day) {
            days.push(day);
        }
        let next = day.next();
        if next == day {
            break;
        }
        day = next;
    }
    if days.is_empty() {
        return None;
    }
    Some((0..count).filter_map(|i| days.get(i * days.len() / count.max(1)).copied()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn candidate(id: &str, kind: AgencyKind) -> InspectionCandidate {
        InspectionCandidate {
            agency: AgencyId::parse(id).expect("test id"),
            name: id.to_uppercase(),
            kind,
            index: None,
            procedures: 0,
            unresolved_findings: 0,
            inspected_last_year: true,
        }
    }

    fn ids(stratum: &Stratum) -> Vec<&str> {
        stratum.chosen.iter().map(|c| c.agency.as_str()).collect()
    }

    #[test]
    fn splitmix64_matches_the_reference_stream() {
        // Vigna's splitmix64.c seeded with 1234567.
        let mut rng = SplitMix64::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn places_round_up_per_stratum() {
        let rules = SelectionRules::default();
        assert_eq!(rules.places(20), 6);
        assert_eq!(rules.places(12), 4);
        assert_eq!(rules.places(204), 62);
        assert_eq!(rules.places(1), 1);
        assert_eq!(rules.places(0), 0);
        assert_eq!(rules.random_places(62), 12);
        assert_eq!(rules.random_places(4), 0);
        assert!(SelectionRules::with_share(0).is_none());
        assert!(SelectionRules::with_share(101).is_none());
        assert_eq!(SelectionRules::with_share(100).map(|r| r.places(7)), Some(7));
    }

    #[test]
    fn priorities_follow_index_procedures_findings_and_last_year() {
        let mut all: Vec<InspectionCandidate> =
            (0..10).map(|i| candidate(&format!("so-{i:02}"), AgencyKind::Department)).collect();
        for (i, c) in all.iter_mut().enumerate() {
            c.index = Some(80.0 + i as f64);
        }
        all[9].unresolved_findings = 5; // index 89 (high), but three or more findings open
        all[5].procedures = 300;
        all[6].inspected_last_year = false;
        let rules = SelectionRules::with_share(40).and_then(|r| r.with_random(0)).expect("rules");
        let plan = plan_inspections(&all, rules, 7);
        let stratum = &plan.strata[0];
        assert_eq!(stratum.total, 10);
        // Median index 84.5, lowest 80: index 80 gives 35, index 81 gives 3.5 / 4.5 × 35 = 27.2;
        // the most procedures 25; three or more open findings 25.
        assert_eq!(ids(stratum), vec!["so-00", "so-01", "so-05", "so-09"]);
        assert_eq!(stratum.chosen[1].priority.vn(), "27,2");
        let first = &stratum.chosen[0];
        assert_eq!(first.priority.vn(), "35,0");
        assert_eq!(first.reasons, vec![Reason::LowIndex(80.0)]);
        assert_eq!(first.reasons[0].label_vn(), "chỉ số CCHC thấp (80,0)");
        assert_eq!(stratum.chosen[3].reasons, vec![Reason::UnresolvedFindings(5)]);
        assert_eq!(stratum.chosen[3].reasons[0].label_vn(), "còn tồn tại chưa khắc phục (5)");
        assert!(stratum.chosen.iter().all(|c| c.place == Place::Priority));
    }

    #[test]
    fn equal_priorities_are_drawn_and_say_so() {
        let all: Vec<InspectionCandidate> = (0..10)
            .map(|i| InspectionCandidate {
                inspected_last_year: false,
                ..candidate(&format!("x-{i}"), AgencyKind::Commune)
            })
            .collect();
        let plan = plan_inspections(&all, SelectionRules::default(), 1);
        let stratum = &plan.strata[0];
        assert_eq!(stratum.chosen.len(), 3);
        assert!(stratum.chosen.iter().all(|c| c.place.is_drawn()));
        assert!(stratum.chosen.iter().all(
            |c| c.reasons == vec![Reason::NotInspectedLastYear, Reason::Drawn] || c.reasons == vec![Reason::Drawn]
        ));
        let other: Vec<InspectionCandidate> = all.iter().rev().cloned().collect();
        assert_eq!(plan_inspections(&other, SelectionRules::default(), 1), plan, "input order does not matter");
        let differs = (2..50).any(|seed| plan_inspections(&all, SelectionRules::default(), seed).strata != plan.strata);
        assert!(differs, "other seeds draw other agencies");
    }

    #[test]
    fn surprise_places_are_drawn_among_the_rest() {
        let mut all: Vec<InspectionCandidate> =
            (0..20).map(|i| candidate(&format!("so-{i:02}"), AgencyKind::Department)).collect();
        for (i, c) in all.iter_mut().enumerate() {
            c.procedures = i as u32 * 10;
        }
        let plan = plan_inspections(&all, SelectionRules::default(), 99);
        let stratum = &plan.strata[0];
        // 6 places: 5 by priority (the most procedures), 1 surprise.
        assert_eq!(ids(stratum)[..5], ["so-19", "so-18", "so-17", "so-16", "so-15"]);
        assert_eq!(stratum.chosen[5].place, Place::Random);
        assert_eq!(stratum.chosen[5].reasons, vec![Reason::Drawn]);
        assert_eq!(stratum.chosen[0].reasons[0].label_vn(), "nhiều TTHC (190)");
    }

    #[test]
    fn reasons_round_trip_through_their_codes() {
        for reason in [
            Reason::LowIndex(72.35),
            Reason::ManyProcedures(12),
            Reason::UnresolvedFindings(2),
            Reason::NotInspectedLastYear,
            Reason::Drawn,
        ] {
            assert_eq!(Reason::decode(&reason.encode()), Some(reason));
        }
        assert_eq!(Reason::decode("low_index=NaN"), None);
        assert_eq!(Reason::decode("drawn=1"), None);
        assert_eq!(Reason::NotInspectedLastYear.label_vn(), "năm trước chưa được kiểm tra");
    }

    #[test]
    fn dates_spread_over_working_days() {
        let calendar = WorkCalendar::vietnam();
        let d = |s: &str| Date::parse(s).expect("date");
        // 01/04/2024 (Monday) to 12/04/2024 (Friday): ten working days.
        let dates = spread_over_working_days(&calendar, d("01/04/2024"), d("12/04/2024"), 5).expect("days");
        let vn: Vec<String> = dates.iter().map(|d| d.vn()).collect();
        assert_eq!(vn, ["01/04/2024", "03/04/2024", "05/04/2024", "09/04/2024", "11/04/2024"]);
        assert!(dates.iter().all(|d| calendar.is_working_day(*d)));
        assert_eq!(spread_over_working_days(&calendar, d("06/04/2024"), d("07/04/2024"), 3), None);
        let many = spread_over_working_days(&calendar, d("01/04/2024"), d("02/04/2024"), 3).expect("days");
        assert_eq!(many.len(), 3);
    }

    fn kinds() -> impl Strategy<Value = AgencyKind> {
        prop_oneof![Just(AgencyKind::Department), Just(AgencyKind::District), Just(AgencyKind::Commune)]
    }

    fn candidates() -> impl Strategy<Value = Vec<InspectionCandidate>> {
        prop::collection::vec((kinds(), prop::option::of(0.0f64..100.0), 0u32..50, 0u32..5, any::<bool>()), 0..80)
            .prop_map(|rows| {
                rows.into_iter()
                    .enumerate()
                    .map(|(i, (kind, index, procedures, unresolved_findings, inspected_last_year))| {
                        InspectionCandidate {
                            agency: AgencyId::parse(&format!("a-{i}")).expect("id"),
                            name: format!("A {i}"),
                            kind,
                            index: index.map(|v| (v * 10.0).round() / 10.0),
                            procedures,
                            unresolved_findings,
                            inspected_last_year,
                        }
                    })
                    .collect()
            })
    }

    proptest! {
        #[test]
        fn every_stratum_is_covered_at_the_share(all in candidates(), share in 1u32..=100, seed in any::<u64>()) {
            let rules = SelectionRules::with_share(share).expect("share");
            let plan = plan_inspections(&all, rules, seed);
            for kind in [AgencyKind::Department, AgencyKind::District, AgencyKind::Commune] {
                let total = all.iter().filter(|c| c.kind == kind).count();
                let stratum = plan.strata.iter().find(|s| s.kind == kind);
                let chosen = stratum.map_or(0, |s| s.chosen.len());
                prop_assert_eq!(stratum.map_or(0, |s| s.total), total);
                prop_assert!(chosen * 100 >= total * share as usize, "{} of {} at {}%", chosen, total, share);
                prop_assert!(chosen <= total);
                let mut seen: Vec<&AgencyId> = stratum.map(|s| s.chosen.iter().map(|c| &c.agency).collect()).unwrap_or_default();
                seen.sort();
                seen.dedup();
                prop_assert_eq!(seen.len(), chosen, "no agency twice");
            }
        }

        #[test]
        fn the_same_seed_gives_the_same_plan(all in candidates(), seed in any::<u64>(), other in any::<u64>()) {
            let rules = SelectionRules::default();
            let plan = plan_inspections(&all, rules, seed);
            prop_assert_eq!(&plan_inspections(&all, rules, seed), &plan);
            let mut reversed = all.clone();
            reversed.reverse();
            prop_assert_eq!(&plan_inspections(&reversed, rules, seed), &plan);
            // Another seed changes only drawn places.
            let fixed = |p: &InspectionPlan| -> Vec<AgencyId> {
                p.chosen().filter(|c| c.place == Place::Priority).map(|c| c.agency.clone()).collect()
            };
            prop_assert_eq!(fixed(&plan_inspections(&all, rules, other)), fixed(&plan));
        }

        #[test]
        fn priorities_are_respected(all in candidates(), seed in any::<u64>()) {
            let plan = plan_inspections(&all, SelectionRules::default(), seed);
            for stratum in &plan.strata {
                let scored = score_stratum(all.iter().filter(|c| c.kind == stratum.kind).cloned().collect(), SelectionRules::default().weights);
                let lowest_priority_pick = stratum.chosen.iter().filter(|c| c.place != Place::Random).map(|c| c.priority).min();
                let Some(lowest) = lowest_priority_pick else { continue };
                for s in &scored {
                    let picked = stratum.chosen.iter().any(|c| c.agency == s.candidate.agency);
                    prop_assert!(picked || s.priority <= lowest, "{} left out with priority {:?} > {:?}", s.candidate.agency, s.priority, lowest);
                }
            }
        }
    }
}
