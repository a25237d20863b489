//! A calendar date newtype. Users type and read `dd/mm/yyyy`; machines exchange ISO `yyyy-mm-dd`.

use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};

/// A calendar date (no time zone: every date in a plan is a local Vietnamese date).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NaiveDate);

/// Why a date string was refused. Messages are Vietnamese because users see them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("ngày không hợp lệ: «{0}» (dùng dạng dd/mm/yyyy hoặc yyyy-mm-dd)")]
    Format(String),
    #[error("ngày không tồn tại: «{0}»")]
    OutOfRange(String),
}

impl Date {
    /// The earliest representable date (a safe fallback that never panics).
    pub const MIN: Date = Date(NaiveDate::MIN);

    /// The date with this year, month and day, if it exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        NaiveDate::from_ymd_opt(year, month, day).map(Date)
    }

    /// Parses `dd/mm/yyyy` (also `d/m/yyyy`, `dd-mm-yyyy`, `dd.mm.yyyy`) or ISO `yyyy-mm-dd`.
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let trimmed = text.trim();
        let parts: Vec<&str> = trimmed.split(['/', '-', '.']).collect();
        let numbers: Option<Vec<u32>> = parts
            .iter()
            .map(|p| {
                if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    None
                } else {
                    p.parse::<u32>().ok()
                }
            })
            .collect();
        let Some(numbers) = numbers else {
            return Err(DateError::Format(trimmed.to_string()));
        };
        let (year, month, day) = match (parts.as_slice(), numbers.as_slice()) {
            ([y, _, _], [yn, mn, dn]) if y.len() == 4 => (*yn, *mn, *dn),
            ([_, _, y], [dn, mn, yn]) if y.len() == 4 => (*yn, *mn, *dn),
            _ => return Err(DateError::Format(trimmed.to_string())),
        };
        let year = i32::try_from(year).map_err(|_| DateError::Format(trimmed.to_string()))?;
        Date::from_ymd(year, month, day).ok_or_else(|| DateError::OutOfRange(trimmed.to_string()))
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }
    pub fn month(self) -> u32 {
        self.0.month()
    }
    pub fn day(self) -> u32 {
        self.0.day()
    }
    pub fn weekday(self) -> Weekday {
        self.0.weekday()
    }

    /// The following day. Saturates at the end of the representable range.
    pub fn next(self) -> Date {
        self.0.succ_opt().map_or(self, Date)
    }

    /// The previous day. Saturates at the start of the representable range.
    pub fn prev(self) -> Date {
        self.0.pred_opt().map_or(self, Date)
    }

    /// This date moved by `days` (negative moves back). Saturates at the representable range.
    pub fn add_days(self, days: i64) -> Date {
        self.0.checked_add_signed(chrono::Duration::days(days)).map_or(self, Date)
    }

    /// This date moved by `months` calendar months; the day is clamped to the month's end
    /// (31/01 + 1 month = 29/02 in a leap year). Saturates at the representable range.
    pub fn add_months(self, months: u32) -> Date {
        self.0.checked_add_months(chrono::Months::new(months)).map_or(self, Date)
    }

    /// Number of days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Date) -> i64 {
        (other.0 - self.0).num_days()
    }

    /// The last day of the given month.
    pub fn last_of_month(year: i32, month: u32) -> Option<Date> {
        let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
        NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt()).filter(|_| (1..=12).contains(&month)).map(Date)
    }

    /// Julian Day Number of this date (noon-based integer count used by astronomy).
    pub fn julian_day_number(self) -> i64 {
        i64::from(self.0.num_days_from_ce()) + 1_721_425
    }

    /// The date of a Julian Day Number.
    pub fn from_julian_day_number(jdn: i64) -> Option<Date> {
        let days = i32::try_from(jdn - 1_721_425).ok()?;
        NaiveDate::from_num_days_from_ce_opt(days).map(Date)
    }

    /// ISO 8601 form, `yyyy-mm-dd`, for machines.
    pub fn iso(self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }

    /// Vietnamese form, `dd/mm/yyyy`, for people.
    pub fn vn(self) -> String {
        self.0.format("%d/%m/%Y").to_string()
    }

    /// Vietnamese name of the weekday ("Thứ Hai" … "Chủ nhật").
    pub fn weekday_vn(self) -> &'static str {
        match self.weekday() {
            Weekday::Mon => "Thứ Hai",
            Weekday::Tue => "Thứ Ba",
            Weekday::Wed => "Thứ Tư",
            Weekday::Thu => "Thứ Năm",
            Weekday::Fri => "Thứ Sáu",
            Weekday::Sat => "Thứ Bảy",
            Weekday::Sun => "Chủ nhật",
        }
    }
}

impl fmt::Display for Date {
    /// People see `dd/mm/yyyy`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.vn())
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

impl std::str::FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_vietnamese_and_iso_forms() {
        let expected = Date::from_ymd(2024, 7, 1).unwrap();
        assert_eq!(Date::parse("01/07/2024").unwrap(), expected);
        assert_eq!(Date::parse("1/7/2024").unwrap(), expected);
        assert_eq!(Date::parse("2024-07-01").unwrap(), expected);
        assert_eq!(Date::parse(" 01-07-2024 ").unwrap(), expected);
        assert_eq!(expected.to_string(), "01/07/2024");
        assert_eq!(expected.iso(), "2024-07-01");
    }

    #[test]
    fn refuses_impossible_and_malformed_dates() {
        assert!(matches!(Date::parse("31/02/2024"), Err(DateError::OutOfRange(_))));
        assert!(matches!(Date::parse("hôm nay"), Err(DateError::Format(_))));
        assert!(matches!(Date::parse("2024/07"), Err(DateError::Format(_))));
        assert!(matches!(Date::parse(""), Err(DateError::Format(_))));
        assert!(matches!(Date::parse("01/07/24"), Err(DateError::Format(_))));
    }

    #[test]
    fn julian_day_numbers_round_trip() {
        let d = Date::from_ymd(2000, 1, 1).unwrap();
        assert_eq!(d.julian_day_number(), 2_451_545);
        assert_eq!(Date::from_julian_day_number(2_451_545), Some(d));
    }

    #[test]
    fn last_of_month_handles_leap_years() {
        assert_eq!(Date::last_of_month(2024, 2), Date::from_ymd(2024, 2, 29));
        assert_eq!(Date::last_of_month(2023, 12), Date::from_ymd(2023, 12, 31));
        assert_eq!(Date::last_of_month(2023, 13), None);
    }
}

/// A moment in time, as whole seconds since the Unix epoch (UTC). Stored and exchanged as
/// RFC 3339 UTC text (`2024-01-18T03:04:05Z`), which sorts chronologically as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub fn from_unix_seconds(seconds: i64) -> Timestamp {
        Timestamp(seconds)
    }

    pub fn unix_seconds(self) -> i64 {
        self.0
    }

    pub fn plus_seconds(self, seconds: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(seconds))
    }

    /// RFC 3339 in UTC.
    pub fn rfc3339(self) -> String {
        let days = self.0.div_euclid(86_400);
        let rest = self.0.rem_euclid(86_400);
        let date = Date::from_julian_day_number(2_440_588 + days).unwrap_or(Date::MIN);
        format!("{}T{:02}:{:02}:{:02}Z", date.iso(), rest / 3600, rest % 3600 / 60, rest % 60)
    }

    /// The calendar date in Vietnam (UTC+7) at this moment.
    pub fn date_in_vietnam(self) -> Date {
        let days = self.0.saturating_add(7 * 3600).div_euclid(86_400);
        Date::from_julian_day_number(2_440_588 + days).unwrap_or(Date::MIN)
    }

    /// "18/01/2024 10:04" in Vietnam time, for people.
    pub fn vn(self) -> String {
        let local = self.0.saturating_add(7 * 3600);
        let rest = local.rem_euclid(86_400);
        format!("{} {:02}:{:02}", self.date_in_vietnam(), rest / 3600, rest % 3600 / 60)
    }

    /// Parses the RFC 3339 UTC form written by [`Timestamp::rfc3339`].
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        let (date, time) = text.strip_suffix('Z')?.split_once('T')?;
        let date = Date::parse(date).ok()?;
        let mut parts = time.split(':').map(|p| p.parse::<i64>().ok());
        let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
        let days = date.julian_day_number() - 2_440_588;
        Some(Timestamp(days * 86_400 + h * 3600 + m * 60 + s))
    }
}

#[cfg(test)]
mod timestamp_tests {
    use super::*;

    #[test]
    fn timestamps_format_and_parse() {
        let t = Timestamp::from_unix_seconds(1_705_547_045); // 2024-01-18T03:04:05Z
        assert_eq!(t.rfc3339(), "2024-01-18T03:04:05Z");
        assert_eq!(Timestamp::parse_rfc3339(&t.rfc3339()), Some(t));
        assert_eq!(t.date_in_vietnam(), Date::from_ymd(2024, 1, 18).unwrap());
        assert_eq!(t.vn(), "18/01/2024 10:04");
        // 20:00 UTC is already the next day in Vietnam.
        let late = Timestamp::from_unix_seconds(1_705_608_000); // 2024-01-18T20:00:00Z
        assert_eq!(late.date_in_vietnam(), Date::from_ymd(2024, 1, 19).unwrap());
    }
}
