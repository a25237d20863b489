//! Reporting periods. Ids follow DHIS2: `2024Q1`, `2024S1` (6 tháng), `2024Q3`, `2024` (năm).

use std::fmt;

use crate::date::Date;

/// Which slice of the year a period covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeriodId {
    Quarter { year: i32, quarter: u8 },
    HalfYear { year: i32, half: u8 },
    Year { year: i32 },
}

impl PeriodId {
    /// Parses `2024Q1`, `2024S1`, `2024`.
    pub fn parse(text: &str) -> Option<PeriodId> {
        let text = text.trim();
        let year_part = text.get(..4)?;
        if !year_part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = year_part.parse().ok()?;
        match text.get(4..)? {
            "" => Some(PeriodId::Year { year }),
            "Q1" => Some(PeriodId::Quarter { year, quarter: 1 }),
            "Q2" => Some(PeriodId::Quarter { year, quarter: 2 }),
            "Q3" => Some(PeriodId::Quarter { year, quarter: 3 }),
            "Q4" => Some(PeriodId::Quarter { year, quarter: 4 }),
            "S1" => Some(PeriodId::HalfYear { year, half: 1 }),
            "S2" => Some(PeriodId::HalfYear { year, half: 2 }),
            _ => None,
        }
    }

    pub fn year(self) -> i32 {
        match self {
            PeriodId::Quarter { year, .. } | PeriodId::HalfYear { year, .. } | PeriodId::Year { year } => year,
        }
    }

    /// The last calendar month of the period (reports are due in it).
    pub fn last_month(self) -> u32 {
        match self {
            PeriodId::Quarter { quarter, .. } => u32::from(quarter) * 3,
            PeriodId::HalfYear { half, .. } => u32::from(half) * 6,
            PeriodId::Year { .. } => 12,
        }
    }

    /// Vietnamese name as documents write it: "Quý I/2024", "6 tháng đầu năm 2024", "Năm 2024".
    pub fn label_vn(self) -> String {
        match self {
            PeriodId::Quarter { year, quarter } => {
                let roman =
                    ["I", "II", "III", "IV"].get(usize::from(quarter).saturating_sub(1)).copied().unwrap_or("?");
                format!("Quý {roman}/{year}")
            }
            PeriodId::HalfYear { year, half: 1 } => format!("6 tháng đầu năm {year}"),
            PeriodId::HalfYear { year, .. } => format!("6 tháng cuối năm {year}"),
            PeriodId::Year { year } => format!("Năm {year}"),
        }
    }
}

impl fmt::Display for PeriodId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeriodId::Quarter { year, quarter } => write!(f, "{year}Q{quarter}"),
            PeriodId::HalfYear { year, half } => write!(f, "{year}S{half}"),
            PeriodId::Year { year } => write!(f, "{year}"),
        }
    }
}

/// A reporting period as the plan defines it (part VI.1.b).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportingPeriod {
    pub id: PeriodId,
    /// The name as printed, e.g. "Báo cáo Quý I/2024".
    pub name: String,
    /// First day of the data window ("chốt số liệu từ ngày …"), inclusive.
    pub data_from: Date,
    /// Last day of the data window, inclusive ("trước ngày 14/3" → 13/3).
    pub data_to: Date,
    /// Last day on which the report is on time ("trước ngày 15 của tháng cuối kỳ" → the 14th).
    pub due: Date,
    /// Source line of the definition.
    pub line: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_ids_round_trip() {
        for text in ["2024Q1", "2024S1", "2024Q3", "2024", "2025S2"] {
            assert_eq!(PeriodId::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(PeriodId::parse("2024Q5"), None);
        assert_eq!(PeriodId::parse("24Q1"), None);
        assert_eq!(PeriodId::parse("2024S1").unwrap().last_month(), 6);
    }
}
