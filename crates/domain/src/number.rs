//! Numbers as Vietnamese documents print them, with one rounding rule everywhere.
//!
//! A percentage is rounded once, half away from zero, to one decimal, and printed with a decimal
//! comma ("56,3"): every page, export, document and JSON answer goes through [`Percent1`], so
//! 63/112 reads 56,3 wherever it appears. A ratio of whole numbers is rounded exactly (integer
//! arithmetic), never through a binary fraction that might sit just below the half.

use std::fmt;

/// A percentage rounded to one decimal, half away from zero: stored as tenths of a percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percent1(i64);

/// Largest magnitude handled exactly (counts are at most 10^12 per cell, 10^15 summed).
const EXACT_LIMIT: f64 = 1e15;

impl Percent1 {
    /// `numerator ÷ denominator × 100`, rounded; `None` when the denominator is zero or a value
    /// is not finite. Whole numbers (every count) are rounded exactly.
    pub fn ratio(numerator: f64, denominator: f64) -> Option<Percent1> {
        if !numerator.is_finite() || !denominator.is_finite() || denominator == 0.0 {
            return None;
        }
        let whole = |v: f64| v.fract() == 0.0 && v.abs() <= EXACT_LIMIT;
        if whole(numerator) && whole(denominator) {
            let negative = (numerator < 0.0) != (denominator < 0.0) && numerator != 0.0;
            let n = numerator.abs() as u128;
            let d = denominator.abs() as u128;
            // tenths = n × 1000 / d, half away from zero: (2 × n × 1000 + d) / (2 × d).
            let tenths = (2 * n * 1000 + d) / (2 * d);
            let tenths = i64::try_from(tenths).ok()?;
            return Some(Percent1(if negative { -tenths } else { tenths }));
        }
        Percent1::of(numerator * 100.0 / denominator)
    }

    /// A percentage already computed (not from a ratio of counts), rounded half away from zero.
    pub fn of(value: f64) -> Option<Percent1> {
        if !value.is_finite() || value.abs() > EXACT_LIMIT {
            return None;
        }
        // f64::round rounds half away from zero.
        Some(Percent1((value * 10.0).round() as i64))
    }

    /// `part` of `whole` in percent; 0 when `whole` is 0 (an empty group).
    pub fn share(part: usize, whole: usize) -> Percent1 {
        Percent1::ratio(part as f64, whole as f64).unwrap_or(Percent1(0))
    }

    /// The rounded value as a number (JSON): 56.3.
    pub fn value(self) -> f64 {
        self.0 as f64 / 10.0
    }

    /// Tenths of a percent: 563.
    pub fn tenths(self) -> i64 {
        self.0
    }

    /// The inverse of [`Percent1::tenths`] (a value kept as tenths).
    pub fn from_tenths(tenths: i64) -> Percent1 {
        Percent1(tenths)
    }

    /// "56,3" — always one decimal, thousands grouped with dots ("1.234,5").
    pub fn vn(self) -> String {
        let negative = self.0 < 0;
        let tenths = self.0.unsigned_abs();
        let mut out = String::new();
        if negative {
            out.push('-');
        }
        out.push_str(&group_thousands(tenths / 10));
        out.push(',');
        out.push_str(&(tenths % 10).to_string());
        out
    }
}

impl fmt::Display for Percent1 {
    /// The Vietnamese form with the percent sign: "56,3%".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.vn())
    }
}

/// Digits grouped by thousands with dots: 1234567 → "1.234.567".
pub fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A count as people read it: "1.234" (whole numbers grouped by thousands), otherwise the value
/// with a decimal comma ("2,5").
pub fn count_vn(value: f64) -> String {
    if value.fract() != 0.0 || !value.is_finite() || value.abs() >= EXACT_LIMIT {
        return format!("{value}").replace('.', ",");
    }
    let grouped = group_thousands(value.abs() as u64);
    if value < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// A threshold or other constant as written in the plan: decimal comma, no trailing zeros
/// ("80", "8,5").
pub fn plain_vn(value: f64) -> String {
    if !value.is_finite() {
        return "–".into();
    }
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ratios_round_half_away_from_zero_exactly() {
        // 63/112 = 56.25 exactly: half away from zero gives 56,3 (a binary `{:.1}` gives 56,2).
        assert_eq!(Percent1::ratio(63.0, 112.0).map(Percent1::vn).as_deref(), Some("56,3"));
        assert_eq!(format!("{:.1}", 63.0 * 100.0 / 112.0), "56.2", "the bug this type exists for");
        // 3/20 = 0,15% of 100 → 15,0; 1/2000 = 0,05% → 0,1 (0.05 is not a binary fraction).
        assert_eq!(Percent1::ratio(1.0, 2000.0).map(Percent1::vn).as_deref(), Some("0,1"));
        assert_eq!(Percent1::ratio(93.0, 104.0).map(Percent1::vn).as_deref(), Some("89,4"));
        assert_eq!(Percent1::ratio(1.0, 1.0).map(Percent1::vn).as_deref(), Some("100,0"));
        assert_eq!(Percent1::ratio(0.0, 5.0).map(Percent1::vn).as_deref(), Some("0,0"));
        assert_eq!(Percent1::ratio(5.0, 0.0), None);
        assert_eq!(Percent1::ratio(f64::NAN, 1.0), None);
        assert_eq!(Percent1::ratio(63.0, 112.0).map(Percent1::value), Some(56.3));
        assert_eq!(Percent1::share(1, 3).to_string(), "33,3%");
        assert_eq!(Percent1::share(0, 0).vn(), "0,0");
        assert_eq!(Percent1::of(1234.56).map(Percent1::vn).as_deref(), Some("1.234,6"));
        assert_eq!(Percent1::of(-2.25).map(Percent1::vn).as_deref(), Some("-2,3"));
    }

    #[test]
    fn counts_and_constants() {
        assert_eq!(count_vn(1_234_567.0), "1.234.567");
        assert_eq!(count_vn(80.0), "80");
        assert_eq!(count_vn(2.5), "2,5");
        assert_eq!(count_vn(-1234.0), "-1.234");
        assert_eq!(plain_vn(80.0), "80");
        assert_eq!(plain_vn(8.5), "8,5");
        assert_eq!(plain_vn(99.95), "99,95");
    }

    proptest! {
        /// The exact path agrees with decimal arithmetic: tenths = round(n × 1000 / d), half up.
        #[test]
        fn exact_rounding_matches_decimal_rule(n in 0u64..10_000_000, d in 1u64..10_000_000) {
            let tenths = Percent1::ratio(n as f64, d as f64).map(Percent1::tenths);
            // Round half up: floor(n × 1000 / d) + 1 when the remainder is at least half of d.
            let (n, d) = (u128::from(n), u128::from(d));
            let floor = n * 1000 / d;
            let want = if 2 * (n * 1000 % d) >= d { floor + 1 } else { floor };
            prop_assert_eq!(tenths, Some(want as i64));
        }
    }
}
