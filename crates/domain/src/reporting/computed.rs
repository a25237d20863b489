//! An indicator's value computed from the one-stop-shop dossiers, beside the value the agency
//! reported itself for the same period, and whether the two differ.

use super::{ratio_text, IndicatorCode, Ratio};

/// One indicator of an agency's form whose catalogue entry names `dossiers` as a source.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputedFigure {
    pub code: IndicatorCode,
    pub name: String,
    /// The formula in words (`DossierFormula::text_vn`).
    pub formula: String,
    /// From the dossiers of the period's data window.
    pub computed: Ratio,
    /// What the agency reported (both counts), when it did.
    pub reported: Option<Ratio>,
}

impl ComputedFigure {
    /// Whether the agency reported different counts: the dossiers give exact counts, so any
    /// difference in the numerator or the denominator is flagged, not only a different rate.
    pub fn differs(&self) -> bool {
        self.reported
            .is_some_and(|r| r.numerator != self.computed.numerator || r.denominator != self.computed.denominator)
    }

    /// Reported minus computed, in percentage points (rounded to one decimal as shown), when
    /// both have a rate.
    pub fn gap_points(&self) -> Option<f64> {
        let reported = self.reported?.rounded()?.value();
        let computed = self.computed.rounded()?.value();
        Some(((reported - computed) * 10.0).round() / 10.0)
    }

    /// «Báo cáo 45/50 (90,0%), hồ sơ 40/50 (80,0%): tử số chênh +5, cao hơn 10,0 điểm %», or
    /// «Khớp với số tính từ hồ sơ» — the flag as the pages and documents word it.
    pub fn verdict_vn(&self) -> String {
        let Some(reported) = self.reported else {
            return "Cơ quan chưa báo cáo số liệu".to_string();
        };
        if !self.differs() {
            return "Khớp với số tính từ hồ sơ".to_string();
        }
        let mut parts = Vec::new();
        for (label, r, c) in [
            ("tử số", reported.numerator, self.computed.numerator),
            ("mẫu số", reported.denominator, self.computed.denominator),
        ] {
            if r != c {
                let gap = r - c;
                let sign = if gap > 0.0 { "+" } else { "−" };
                parts.push(format!("{label} chênh {sign}{}", crate::number::count_vn(gap.abs())));
            }
        }
        if let Some(points) = self.gap_points().filter(|p| *p != 0.0) {
            let word = if points > 0.0 { "cao hơn" } else { "thấp hơn" };
            parts.push(format!("tỷ lệ báo cáo {word} {} điểm %", crate::number::plain_vn(points.abs())));
        }
        format!(
            "Chênh lệch: báo cáo {}, tính từ hồ sơ {} ({})",
            ratio_text(reported),
            ratio_text(self.computed),
            parts.join("; ")
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn figure(reported: Option<(f64, f64)>) -> ComputedFigure {
        ComputedFigure {
            code: IndicatorCode::parse("III.6.1").unwrap(),
            name: "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn và trước hạn".into(),
            formula: "x ÷ y".into(),
            computed: Ratio { numerator: 40.0, denominator: 50.0 },
            reported: reported.map(|(numerator, denominator)| Ratio { numerator, denominator }),
        }
    }

    #[test]
    fn equal_counts_match_and_different_counts_are_flagged_with_their_gaps() {
        assert!(!figure(Some((40.0, 50.0))).differs());
        assert_eq!(figure(Some((40.0, 50.0))).verdict_vn(), "Khớp với số tính từ hồ sơ");
        assert!(!figure(None).differs());
        assert_eq!(figure(None).verdict_vn(), "Cơ quan chưa báo cáo số liệu");

        let over = figure(Some((45.0, 50.0)));
        assert!(over.differs());
        assert_eq!(over.gap_points(), Some(10.0));
        assert_eq!(
            over.verdict_vn(),
            "Chênh lệch: báo cáo 45/50 (90,0%), tính từ hồ sơ 40/50 (80,0%) (tử số chênh +5; tỷ lệ báo cáo cao hơn 10 điểm %)"
        );
        // The same rate from other counts is still a difference in what was counted.
        let same_rate = figure(Some((80.0, 100.0)));
        assert!(same_rate.differs());
        assert_eq!(same_rate.gap_points(), Some(0.0));
        assert_eq!(
            same_rate.verdict_vn(),
            "Chênh lệch: báo cáo 80/100 (80,0%), tính từ hồ sơ 40/50 (80,0%) (tử số chênh +40; mẫu số chênh +50)"
        );
        let under = figure(Some((30.0, 50.0)));
        assert_eq!(under.gap_points(), Some(-20.0));
        assert!(
            under.verdict_vn().contains("tử số chênh −10; tỷ lệ báo cáo thấp hơn 20 điểm %"),
            "{}",
            under.verdict_vn()
        );
    }
}
