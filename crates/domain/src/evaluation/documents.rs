//! What the PAR Index documents print: one agency's score sheet, and the ranking of a year (the
//! XLSX table and the annex of the decision announcing the index).
//!
//! Plain data, filled by the services from the scores they computed (the same way
//! `reporting::ConsolidatedReport` feeds the consolidated report); `cchc-documents` only lays
//! them out. Subtotals are sums of the points given here, so a document never recomputes a
//! score differently from the pages.

use crate::agency::AgencyKind;
use crate::evaluation::{IndexValue, Points};

/// One agency's assessment as its score sheet prints it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreSheet {
    pub year: i32,
    pub agency: String,
    pub kind: AgencyKind,
    pub framework_title: String,
    /// The decision that issued the framework, empty for the template.
    pub basis: String,
    /// Scored under the template shipped with the software.
    pub template: bool,
    /// The round's state ("Đã công bố", "Đang thẩm định", "Chưa mở đợt đánh giá").
    pub round_state: String,
    /// The assessment's stage ("Điểm chính thức", "Đang tự chấm", …).
    pub stage: String,
    /// Whether the round is published (the points are final).
    pub published: bool,
    pub areas: Vec<SheetArea>,
    /// Points counted.
    pub points: Points,
    /// Maximum of the applicable sub-criteria (the denominator of the index).
    pub max: Points,
    /// Maximum in the framework.
    pub full_max: Points,
    pub index: Option<IndexValue>,
    /// Empty without an index.
    pub band: String,
}

/// An area of the score sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetArea {
    pub code: String,
    pub name: String,
    pub max: Points,
    pub criteria: Vec<SheetCriterion>,
}

/// A criterion of the score sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetCriterion {
    pub code: String,
    pub name: String,
    pub max: Points,
    pub subs: Vec<SheetSub>,
}

/// A sub-criterion of the score sheet: what was claimed, computed, appraised and counted.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetSub {
    pub code: String,
    pub name: String,
    pub max: Points,
    /// How it is scored ("Tự đánh giá: có / không").
    pub method: String,
    /// The agency's answer as typed ("có", a level, "85,5"); empty when not answered or not
    /// self-assessed.
    pub self_value: String,
    pub self_points: Option<Points>,
    /// The figure the system computed (automatic and survey methods), in percent.
    pub computed: Option<f64>,
    /// The council's points: `Some(None)` appraised as not applicable, `None` not appraised.
    pub appraised: Option<Option<Points>>,
    pub appraisal_reason: String,
    pub explanation: String,
    /// Points counted; `None`: not applicable (left out of the points and the maximum).
    pub points: Option<Points>,
}

/// Points counted and maximum of the applicable sub-criteria among `subs`.
fn subtotal<'a>(subs: impl Iterator<Item = &'a SheetSub>) -> (Points, Points) {
    subs.filter_map(|s| s.points.map(|p| (p, s.max)))
        .fold((Points::ZERO, Points::ZERO), |(points, max), (p, m)| (points + p, max + m))
}

impl SheetCriterion {
    /// Points counted and maximum of the applicable sub-criteria.
    pub fn subtotal(&self) -> (Points, Points) {
        subtotal(self.subs.iter())
    }
}

impl SheetArea {
    /// Points counted and maximum of the applicable sub-criteria.
    pub fn subtotal(&self) -> (Points, Points) {
        subtotal(self.criteria.iter().flat_map(|c| c.subs.iter()))
    }
}

/// The ranking of a year, per kind of agency, as the reader may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct RankingTable {
    pub year: i32,
    /// Who issues the decision announcing the index: "UBND tỉnh Sơn La" (empty when unknown).
    pub issuer: String,
    pub kinds: Vec<RankingKind>,
}

/// The ranking of one kind of agency.
#[derive(Debug, Clone, PartialEq)]
pub struct RankingKind {
    pub kind: AgencyKind,
    pub framework_title: String,
    pub basis: String,
    pub template: bool,
    /// Results final and public.
    pub published: bool,
    /// "Đã công bố ngày 15/03/2025", "Tạm tính — đang thẩm định".
    pub state: String,
    /// The areas of the framework, in order (the columns of points by area).
    pub areas: Vec<RankingArea>,
    /// Ordered by rank (unranked last).
    pub rows: Vec<RankingRow>,
}

/// An area of the framework: its code ("I"), name and maximum.
#[derive(Debug, Clone, PartialEq)]
pub struct RankingArea {
    pub code: String,
    pub name: String,
    pub max: Points,
}

/// One agency's line of the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct RankingRow {
    pub rank: Option<u32>,
    pub agency: String,
    /// Points per area, in the order of [`RankingKind::areas`].
    pub by_area: Vec<Points>,
    pub points: Points,
    /// Maximum of the applicable sub-criteria.
    pub max: Points,
    pub full_max: Points,
    pub index: Option<IndexValue>,
    pub band: String,
    /// The published index of the year before.
    pub previous: Option<IndexValue>,
}

impl RankingRow {
    /// Index this year minus the year before, in hundredths of a percentage point.
    pub fn change(&self) -> Option<i64> {
        Some(self.index?.hundredths() - self.previous?.hundredths())
    }
}

impl RankingKind {
    /// Not final: scored under the template or not published yet.
    pub fn is_draft(&self) -> bool {
        self.template || !self.published
    }
}

impl RankingTable {
    /// Any kind not final: the annex is marked «DỰ THẢO».
    pub fn is_draft(&self) -> bool {
        self.kinds.is_empty() || self.kinds.iter().any(RankingKind::is_draft)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(hundredths: i64) -> Points {
        Points::from_hundredths(hundredths)
    }

    fn sub(max: i64, points: Option<i64>) -> SheetSub {
        SheetSub {
            code: "I.1.1".into(),
            name: "x".into(),
            max: p(max),
            method: String::new(),
            self_value: String::new(),
            self_points: None,
            computed: None,
            appraised: None,
            appraisal_reason: String::new(),
            explanation: String::new(),
            points: points.map(p),
        }
    }

    #[test]
    fn subtotals_leave_out_what_is_not_applicable() {
        let criterion = SheetCriterion {
            code: "I.1".into(),
            name: "x".into(),
            max: p(450),
            subs: vec![sub(100, Some(100)), sub(150, None), sub(200, Some(50))],
        };
        assert_eq!(criterion.subtotal(), (p(150), p(300)));
        let area = SheetArea {
            code: "I".into(),
            name: "x".into(),
            max: p(550),
            criteria: vec![criterion.clone(), SheetCriterion { subs: vec![sub(100, Some(25))], ..criterion }],
        };
        assert_eq!(area.subtotal(), (p(175), p(400)));
    }

    #[test]
    fn change_needs_both_years() {
        let row = RankingRow {
            rank: Some(1),
            agency: "Sở Tư pháp".into(),
            by_area: Vec::new(),
            points: p(9000),
            max: p(10000),
            full_max: p(10000),
            index: Some(IndexValue::from_hundredths(9002)),
            band: "Tốt".into(),
            previous: Some(IndexValue::from_hundredths(9150)),
        };
        assert_eq!(row.change(), Some(-148));
        assert_eq!(RankingRow { previous: None, ..row }.change(), None);
    }
}
