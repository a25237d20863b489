//! The 766 index's components that dossier data can give, as points.
//!
//! Decision 766/QĐ-TTg (23/6/2022) scores a province out of 100 in five groups. The national
//! portal's formula description (transcribed in the public repository ChippedTopaz/qd766,
//! `web/src/formula-document.ts`; its points per indicator in `docs/metrics.m0.json`, from the
//! METRICS sheet of «Công thức 766.xlsx») turns a rate into points linearly up to a threshold,
//! then gives full points: `points = max × min(1, rate ÷ threshold)`. Seven components, 60 points,
//! come from dossiers; the other 40 need the procedure database, the feedback system or the
//! citizens' data store and are listed in [`NOT_FROM_DOSSIERS`]. `docs/dossiers.md` gives the
//! table and the choices made where the sources are silent.

use crate::evaluation::Points;
use crate::number::Percent1;

use super::rules::Counts;

/// One component: its rate and points for one set of counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component766 {
    /// The indicator's number in the formula description ("2.1").
    pub code: &'static str,
    pub group_vn: &'static str,
    pub name_vn: &'static str,
    pub numerator: u64,
    pub denominator: u64,
    /// `None` when the denominator is 0 («N/A»).
    pub rate: Option<Percent1>,
    /// The rate (percent) from which the full points are given.
    pub threshold_percent: u32,
    pub max_points: Points,
    /// `None` when the denominator is 0: the component is left out of the total and its maximum.
    pub points: Option<Points>,
    /// The formula, in Vietnamese.
    pub formula_vn: &'static str,
}

/// The dossier-based part of the 766 index for one set of counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score766 {
    pub components: Vec<Component766>,
    /// Σ points of the components with data.
    pub points: Points,
    /// Σ maxima of the components with data.
    pub max_points: Points,
}

struct Spec {
    code: &'static str,
    group_vn: &'static str,
    name_vn: &'static str,
    threshold_percent: u32,
    max_points: i64,
    formula_vn: &'static str,
    numerator: fn(&Counts) -> u64,
    denominator: fn(&Counts) -> u64,
}

const PROGRESS: &str = "Tiến độ, kết quả giải quyết";
const ONLINE: &str = "Cung cấp dịch vụ trực tuyến, thanh toán trực tuyến";
const DIGITAL: &str = "Số hóa hồ sơ";
const SATISFACTION: &str = "Mức độ hài lòng";

const SPECS: [Spec; 7] = [
    Spec {
        code: "2.1",
        group_vn: PROGRESS,
        name_vn: "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn",
        threshold_percent: 100,
        max_points: 20,
        formula_vn: "Tỷ lệ = (số hồ sơ giải quyết trước hạn + đúng hạn + đang giải quyết trong hạn) ÷ (số hồ sơ đã \
                     giải quyết + đang giải quyết trong kỳ) × 100%; điểm = tỷ lệ × 20 điểm.",
        numerator: |c| c.resolved_early + c.resolved_on_time + c.in_progress_within,
        denominator: |c| c.resolved() + c.in_progress(),
    },
    Spec {
        code: "3.3",
        group_vn: ONLINE,
        name_vn: "Tỷ lệ hồ sơ nộp trực tuyến",
        threshold_percent: 50,
        max_points: 12,
        formula_vn: "Tỷ lệ = số hồ sơ tiếp nhận trực tuyến (KenhThucHien = 2) ÷ số hồ sơ tiếp nhận trong kỳ × 100%; \
                     từ 50% trở lên đạt 12 điểm, dưới 50%: tỷ lệ × 12 ÷ 50%.",
        numerator: |c| c.online,
        denominator: |c| c.received,
    },
    Spec {
        code: "3.6",
        group_vn: ONLINE,
        name_vn: "Tỷ lệ hồ sơ thanh toán trực tuyến",
        threshold_percent: 80,
        max_points: 10,
        formula_vn: "Tỷ lệ = số hồ sơ có phí, lệ phí được thanh toán trực tuyến (DuocThanhToanTrucTuyen = 1 hoặc 2) \
                     ÷ số hồ sơ có phí, lệ phí tiếp nhận trong kỳ × 100%; từ 80% trở lên đạt 10 điểm, dưới 80%: \
                     tỷ lệ × 10 ÷ 80%.",
        numerator: |c| c.paid_online,
        denominator: |c| c.fee_required,
    },
    Spec {
        code: "4.1",
        group_vn: DIGITAL,
        name_vn: "Tỷ lệ hồ sơ có cấp kết quả giải quyết TTHC điện tử",
        threshold_percent: 80,
        max_points: 6,
        formula_vn: "Tỷ lệ = số hồ sơ có kết quả điện tử (KetQuaDienTu = 1) ÷ số hồ sơ tiếp nhận trong kỳ × 100%; \
                     từ 80% trở lên đạt 6 điểm, dưới 80%: tỷ lệ × 6 ÷ 80%.",
        numerator: |c| c.electronic_result,
        denominator: |c| c.received,
    },
    Spec {
        code: "4.2",
        group_vn: DIGITAL,
        name_vn: "Tỷ lệ hồ sơ TTHC thực hiện số hóa hồ sơ",
        threshold_percent: 80,
        max_points: 4,
        formula_vn: "Tỷ lệ = số hồ sơ vừa số hóa thành phần hồ sơ vừa có kết quả điện tử ÷ số hồ sơ tiếp nhận trong \
                     kỳ × 100%; từ 80% trở lên đạt 4 điểm, dưới 80%: tỷ lệ × 4 ÷ 80%.",
        numerator: |c| c.digitized_with_result,
        denominator: |c| c.received,
    },
    Spec {
        code: "4.3",
        group_vn: DIGITAL,
        name_vn: "Tỷ lệ hồ sơ khai thác, sử dụng lại thông tin, dữ liệu số hóa",
        threshold_percent: 80,
        max_points: 2,
        formula_vn: "Tỷ lệ = số hồ sơ có tái sử dụng dữ liệu số hóa ÷ số hồ sơ tiếp nhận trong kỳ × 100%; từ 80% \
                     trở lên đạt 2 điểm, dưới 80%: tỷ lệ × 2 ÷ 80%.",
        numerator: |c| c.reused,
        denominator: |c| c.received,
    },
    Spec {
        code: "5.4",
        group_vn: SATISFACTION,
        name_vn: "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC",
        threshold_percent: 90,
        max_points: 6,
        formula_vn: "Tỷ lệ = (số hồ sơ đã giải quyết − số hồ sơ giải quyết quá hạn hoặc bị đánh giá không hài lòng) \
                     ÷ số hồ sơ đã giải quyết trong kỳ × 100%; từ 90% trở lên đạt 6 điểm, dưới 90%: tỷ lệ × 6 ÷ 90%.",
        numerator: |c| c.resolved().saturating_sub(c.resolved_late_or_dissatisfied),
        denominator: |c| c.resolved(),
    },
];

/// The components of the 766 index that need data other than dossiers: (code, name, points).
/// Together with the seven computed here they make 100 points.
pub const NOT_FROM_DOSSIERS: [(&str, &str, u32); 10] = [
    ("1.1", "Tỷ lệ TTHC công bố đúng hạn", 6),
    ("1.2", "Tỷ lệ TTHC được cập nhật, công khai đúng hạn", 4),
    ("1.3", "Tỷ lệ TTHC công khai đầy đủ nội dung", 2),
    ("1.4", "Tỷ lệ hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia", 6),
    ("4.4", "Tỷ lệ hồ sơ số hóa có kết nối, chia sẻ dữ liệu phục vụ tái sử dụng", 4),
    ("4.5a", "Tỷ lệ hồ sơ TTHC có sử dụng thông tin, dữ liệu dân cư", 2),
    ("4.5b", "Tỷ lệ TTHC triển khai kết nối, chia sẻ dữ liệu dân cư", 2),
    ("4.6", "Tỷ lệ cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính", 2),
    ("5.2", "Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn", 6),
    ("5.3", "Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị", 6),
];

/// `max × numerator ÷ (denominator × threshold%)`, at most `max`, in hundredths of a point,
/// rounded once, half up, in integers.
fn linear_points(max_hundredths: i64, numerator: u64, denominator: u64, threshold_percent: u32) -> Option<Points> {
    if denominator == 0 || threshold_percent == 0 {
        return None;
    }
    let top = u128::from(max_hundredths.unsigned_abs()) * u128::from(numerator) * 100;
    let bottom = u128::from(denominator) * u128::from(threshold_percent);
    let rounded = (2 * top + bottom) / (2 * bottom);
    let capped = rounded.min(u128::from(max_hundredths.unsigned_abs()));
    Some(Points::from_hundredths(i64::try_from(capped).unwrap_or(max_hundredths)))
}

/// The dossier-based 766 components for `counts` (one agency, or a sum of them).
pub fn points_766(counts: &Counts) -> Score766 {
    let components: Vec<Component766> = SPECS
        .iter()
        .map(|spec| {
            let numerator = (spec.numerator)(counts);
            let denominator = (spec.denominator)(counts);
            let max_hundredths = spec.max_points * 100;
            Component766 {
                code: spec.code,
                group_vn: spec.group_vn,
                name_vn: spec.name_vn,
                numerator,
                denominator,
                rate: Percent1::ratio(numerator as f64, denominator as f64),
                threshold_percent: spec.threshold_percent,
                max_points: Points::from_hundredths(max_hundredths),
                points: linear_points(max_hundredths, numerator, denominator, spec.threshold_percent),
                formula_vn: spec.formula_vn,
            }
        })
        .collect();
    let points = components.iter().filter_map(|c| c.points).sum();
    let max_points = components.iter().filter(|c| c.points.is_some()).map(|c| c.max_points).sum();
    Score766 { components, points, max_points }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn component<'a>(score: &'a Score766, code: &str) -> &'a Component766 {
        score.components.iter().find(|c| c.code == code).unwrap()
    }

    #[test]
    fn the_maxima_make_one_hundred_points() {
        let computed: i64 = SPECS.iter().map(|s| s.max_points).sum();
        let other: u32 = NOT_FROM_DOSSIERS.iter().map(|&(_, _, p)| p).sum();
        assert_eq!((computed, other), (60, 40));
    }

    #[test]
    fn rates_become_points_linearly_up_to_the_threshold() {
        let counts = Counts {
            received: 200,
            online: 60, // 30% of a 50% threshold: 12 × 0,6 = 7,2
            fee_required: 50,
            paid_online: 45,          // 90% ≥ 80%: full 10
            electronic_result: 100,   // 50% of 80%: 6 × 0,625 = 3,75
            digitized_with_result: 1, // 0,5% of 80%: 4 × 1/160 = 0,025 → 0,03 (half up)
            reused: 0,
            resolved_early: 70,
            resolved_on_time: 20,
            resolved_late: 10,
            in_progress_within: 15,
            in_progress_overdue: 5,
            resolved_late_or_dissatisfied: 12, // (100 − 12) / 100 = 88% of 90%: 6 × 88/90 = 5,866… → 5,87
            ..Counts::default()
        };
        let s = points_766(&counts);
        // 2.1: (70 + 20 + 15) / (100 + 20) = 87,5% → 17,5 of 20.
        let c = component(&s, "2.1");
        assert_eq!((c.numerator, c.denominator, c.rate.unwrap().tenths()), (105, 120, 875));
        assert_eq!(c.points, Some(Points::from_hundredths(1750)));
        assert_eq!(component(&s, "3.3").points, Some(Points::from_hundredths(720)));
        assert_eq!(component(&s, "3.6").points, Some(Points::from_hundredths(1000)));
        assert_eq!(component(&s, "4.1").points, Some(Points::from_hundredths(375)));
        assert_eq!(component(&s, "4.2").points, Some(Points::from_hundredths(3)));
        assert_eq!(component(&s, "4.3").points, Some(Points::ZERO));
        assert_eq!(component(&s, "5.4").points, Some(Points::from_hundredths(587)));
        assert_eq!(s.points, Points::from_hundredths(1750 + 720 + 1000 + 375 + 3 + 587));
        assert_eq!(s.max_points, Points::from_hundredths(6000));
    }

    #[test]
    fn an_empty_denominator_leaves_the_component_out() {
        let counts = Counts { received: 10, online: 5, ..Counts::default() };
        let s = points_766(&counts);
        let payment = component(&s, "3.6");
        assert_eq!((payment.rate, payment.points), (None, None));
        assert_eq!(component(&s, "2.1").points, None, "nothing resolved or in progress");
        // 3.3 (12), 4.1, 4.2, 4.3 (12 together) have a denominator.
        assert_eq!(s.max_points, Points::from_hundredths(2400));
        assert_eq!(s.points, Points::from_hundredths(1200), "50% online reaches the threshold");
    }
}
