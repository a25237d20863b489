//! Quantified targets ("chỉ tiêu", "mục tiêu") and their thresholds.

use crate::agency::AdminLevel;

/// How a measured value is compared with a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparator {
    /// "tối thiểu", "từ … trở lên", "đạt".
    Ge,
    /// "trên".
    Gt,
    /// A bare "100%".
    Eq,
    /// "tối đa", "không quá".
    Le,
    /// "dưới".
    Lt,
    /// "khoảng 8-10%": `value` is the lower bound, `upper` the upper one.
    Range,
}

impl Comparator {
    pub fn as_str(self) -> &'static str {
        match self {
            Comparator::Ge => ">=",
            Comparator::Gt => ">",
            Comparator::Eq => "=",
            Comparator::Le => "<=",
            Comparator::Lt => "<",
            Comparator::Range => "range",
        }
    }
    pub fn parse(text: &str) -> Option<Comparator> {
        [Comparator::Ge, Comparator::Gt, Comparator::Eq, Comparator::Le, Comparator::Lt, Comparator::Range]
            .into_iter()
            .find(|c| c.as_str() == text)
    }
    /// Vietnamese wording for people ("tối thiểu", "trên", …).
    pub fn label_vn(self) -> &'static str {
        match self {
            Comparator::Ge => "tối thiểu",
            Comparator::Gt => "trên",
            Comparator::Eq => "bằng",
            Comparator::Le => "tối đa",
            Comparator::Lt => "dưới",
            Comparator::Range => "trong khoảng",
        }
    }
}

/// One measurable threshold inside a target bullet.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub op: Comparator,
    pub value: f64,
    /// Upper bound, for [`Comparator::Range`].
    pub upper: Option<f64>,
    /// Unit as written ("%").
    pub unit: String,
    /// The administrative level the threshold applies to, when the text says so.
    pub level: Option<AdminLevel>,
    /// The clause the threshold was read from (for people; the bullet may hold several).
    pub subject: String,
    /// A sub-target ("Trong đó …") of the threshold before it.
    pub sub_target: bool,
}

impl Threshold {
    /// Whether `measured` (in the threshold's unit) attains the threshold.
    pub fn is_met(&self, measured: f64) -> bool {
        match self.op {
            Comparator::Ge => measured >= self.value,
            Comparator::Gt => measured > self.value,
            Comparator::Eq => (measured - self.value).abs() < 1e-9,
            Comparator::Le => measured <= self.value,
            Comparator::Lt => measured < self.value,
            Comparator::Range => measured >= self.value && self.upper.is_none_or(|u| measured <= u),
        }
    }
}

/// A target bullet with the thresholds read from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The bullet's full text (page breaks joined, markup removed).
    pub text: String,
    pub thresholds: Vec<Threshold>,
    /// "so với năm 2021".
    pub baseline_year: Option<i32>,
    /// "đến năm 2025".
    pub horizon_year: Option<i32>,
    /// First and last source line.
    pub lines: (u32, u32),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn threshold(op: Comparator, value: f64, upper: Option<f64>) -> Threshold {
        Threshold { op, value, upper, unit: "%".into(), level: None, subject: String::new(), sub_target: false }
    }

    #[test]
    fn comparators_apply_their_boundaries() {
        assert!(threshold(Comparator::Ge, 80.0, None).is_met(80.0));
        assert!(!threshold(Comparator::Gt, 80.0, None).is_met(80.0));
        assert!(threshold(Comparator::Eq, 100.0, None).is_met(100.0));
        assert!(!threshold(Comparator::Eq, 100.0, None).is_met(99.9));
        assert!(threshold(Comparator::Range, 8.0, Some(10.0)).is_met(9.0));
        assert!(!threshold(Comparator::Range, 8.0, Some(10.0)).is_met(10.5));
    }
}
