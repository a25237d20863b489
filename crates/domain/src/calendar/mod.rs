//! Vietnamese working-day calendar for the civil service: which days are worked, and deadline
//! arithmetic over them.
//!
//! A working day is Monday–Friday, minus public holidays, compensatory days and swapped days,
//! plus the Saturdays the government declares make-up working days. Holidays come from the
//! embedded table of announced schedules (`days_off.tsv`) where it covers the year, otherwise
//! from the statutory rules (see [`holidays`](crate::calendar::holidays)). Tết and Hùng Kings'
//! day need the lunar calendar ([`lunar`](crate::calendar::lunar)).
//!
//! Counting follows the Civil Code 2015, art. 147–148: the day of the triggering event is not
//! counted, and a deadline that ends on a non-working day moves to the next working day.

/// Public holidays, compensatory days and the table of announced civil-service schedules.
pub mod holidays;
/// The Vietnamese lunar calendar (UTC+7), computed from the new moons and solar terms.
pub mod lunar;

use std::fmt;
use std::sync::OnceLock;

pub use holidays::{statutory_holidays, DayOff, DayOffKind};
pub use lunar::{leap_month, lunar_to_solar, solar_to_lunar, tet, LunarDate};

use crate::date::Date;
use holidays::{Schedule, Table};

/// Years whose working-day sets are kept once computed; others are computed on each use.
const CACHED_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;
/// Enough 64-bit words for 366 days.
const WORDS: usize = 6;

/// The civil-service working-day calendar. Cheap to query: each year's working days are computed
/// once, on first use, and kept as a bit set. Shareable across threads.
#[derive(Clone)]
pub struct WorkCalendar {
    table: Table,
    cache: Box<[OnceLock<YearDays>]>,
}

impl WorkCalendar {
    /// The calendar with the embedded table of announced schedules (2023–2026 at the time of
    /// writing). Never panics: rows the table cannot use are listed in [`Self::data_problems`].
    pub fn vietnam() -> WorkCalendar {
        WorkCalendar::from_table(holidays::EMBEDDED_TABLE)
    }

    /// The calendar with another table in the format of `days_off.tsv` (e.g. a province's own
    /// copy with next year's schedule). An empty text gives the statutory rules alone.
    pub fn from_table(text: &str) -> WorkCalendar {
        let cache_len = usize::try_from(CACHED_YEARS.end() - CACHED_YEARS.start() + 1).unwrap_or(0);
        WorkCalendar { table: Table::parse(text), cache: (0..cache_len).map(|_| OnceLock::new()).collect() }
    }

    /// What was wrong with the table (Vietnamese, one message per skipped row or inconsistency).
    pub fn data_problems(&self) -> &[String] {
        &self.table.problems
    }

    /// True if the year's days off come from an announced schedule in the table rather than
    /// from the statutory rules alone (which cannot foresee the government's day swaps).
    pub fn has_official_schedule(&self, year: i32) -> bool {
        self.table.years.contains_key(&year)
    }

    /// True on a working day: Monday–Friday not off, or a make-up Saturday.
    pub fn is_working_day(&self, date: Date) -> bool {
        self.with_year(date.year(), |days| days.ordinal(date).is_some_and(|ordinal| days.is_working(ordinal)))
    }

    /// The date itself if it is a working day, otherwise the next working day (art. 148: a
    /// deadline that ends on a day off moves to the next working day). Saturates at the end of
    /// the representable range.
    pub fn roll_forward(&self, date: Date) -> Date {
        self.nth_working_day_from(date, 1).unwrap_or(date)
    }

    /// The `n`-th working day strictly after `from` (art. 147: the day of the triggering event is
    /// not counted). `n = 0` gives `from` rolled forward to a working day. Saturates at the end
    /// of the representable range.
    pub fn add_working_days(&self, from: Date, n: u32) -> Date {
        if n == 0 {
            return self.roll_forward(from);
        }
        let start = from.next();
        if start == from {
            return from;
        }
        self.nth_working_day_from(start, n).unwrap_or(from)
    }

    /// The number of working days from `from` to `to`, both included; 0 if `from > to`.
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        if from > to {
            return 0;
        }
        let mut total: u64 = 0;
        for year in from.year()..=to.year() {
            total += self.with_year(year, |days| {
                let first = if year == from.year() { days.ordinal(from) } else { Some(0) };
                let last = if year == to.year() { days.ordinal(to) } else { days.len.checked_sub(1) };
                match (first, last) {
                    (Some(first), Some(last)) => u64::from(days.count(first, last)),
                    _ => 0,
                }
            });
        }
        u32::try_from(total).unwrap_or(u32::MAX)
    }

    /// Every weekday of the year that is not worked (ordinary weekends are not listed), sorted.
    pub fn days_off(&self, year: i32) -> Vec<DayOff> {
        self.with_year(year, |days| days.schedule.days_off.clone())
    }

    /// The weekend days of the year that are worked, with the reason, sorted.
    pub fn makeup_days(&self, year: i32) -> Vec<(Date, String)> {
        self.with_year(year, |days| days.schedule.makeup.clone())
    }

    /// The `n`-th working day (n ≥ 1) on or after `start`; `None` past the representable range.
    fn nth_working_day_from(&self, start: Date, n: u32) -> Option<Date> {
        let mut remaining = n;
        let mut year = start.year();
        let mut first = self.with_year(year, |days| days.ordinal(start))?;
        loop {
            let found = self.with_year(year, |days| match days.nth(first, remaining) {
                Ok(ordinal) => Ok(days.date(ordinal)),
                Err(counted) => Err(counted),
            });
            match found {
                Ok(date) => return date,
                Err(counted) => remaining -= counted,
            }
            year = year.checked_add(1)?;
            Date::from_ymd(year, 1, 1)?;
            first = 0;
        }
    }

    /// Runs `f` on the year's working days, from the cache when the year is in it.
    fn with_year<R>(&self, year: i32, f: impl FnOnce(&YearDays) -> R) -> R {
        let slot = year
            .checked_sub(*CACHED_YEARS.start())
            .and_then(|index| usize::try_from(index).ok())
            .and_then(|index| self.cache.get(index));
        match slot {
            Some(cell) => f(cell.get_or_init(|| YearDays::build(year, &self.table))),
            None => f(&YearDays::build(year, &self.table)),
        }
    }
}

impl Default for WorkCalendar {
    fn default() -> Self {
        WorkCalendar::vietnam()
    }
}

impl fmt::Debug for WorkCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkCalendar")
            .field("official_years", &self.table.years.keys().collect::<Vec<_>>())
            .field("data_problems", &self.table.problems)
            .finish_non_exhaustive()
    }
}

/// One year's working days as a bit set indexed by day of the year (0 = 1 January).
#[derive(Debug, Clone)]
struct YearDays {
    /// Julian Day Number of 1 January.
    first_jdn: i64,
    /// Days in the year; 0 for a year outside the representable range.
    len: usize,
    working: [u64; WORDS],
    schedule: Schedule,
}

impl YearDays {
    fn build(year: i32, table: &Table) -> YearDays {
        let bounds = Date::from_ymd(year, 1, 1).zip(Date::from_ymd(year, 12, 31));
        let Some((first, last)) = bounds else {
            return YearDays { first_jdn: 0, len: 0, working: [0; WORDS], schedule: Schedule::default() };
        };
        let schedule = match table.years.get(&year) {
            Some(tabled) => tabled.clone(),
            None => holidays::derived_schedule(year),
        };
        let first_jdn = first.julian_day_number();
        let len = usize::try_from(last.julian_day_number() - first_jdn + 1).unwrap_or(0);
        let mut days = YearDays { first_jdn, len, working: [0; WORDS], schedule };
        for ordinal in 0..len.min(WORDS * 64) {
            // Julian Day Number modulo 7 is 0 on Monday … 6 on Sunday.
            let jdn = first_jdn + ordinal as i64;
            days.set(ordinal, jdn.rem_euclid(7) < 5);
        }
        let off: Vec<Date> = days.schedule.days_off.iter().map(|day| day.date).collect();
        let worked: Vec<Date> = days.schedule.makeup.iter().map(|&(date, _)| date).collect();
        for date in off {
            if let Some(ordinal) = days.ordinal(date) {
                days.set(ordinal, false);
            }
        }
        for date in worked {
            if let Some(ordinal) = days.ordinal(date) {
                days.set(ordinal, true);
            }
        }
        days
    }

    fn set(&mut self, ordinal: usize, working: bool) {
        if let Some(word) = self.working.get_mut(ordinal / 64) {
            let bit = 1u64 << (ordinal % 64);
            if working {
                *word |= bit;
            } else {
                *word &= !bit;
            }
        }
    }

    /// Day of the year of a date (0-based), if the date is in this year.
    fn ordinal(&self, date: Date) -> Option<usize> {
        let ordinal = usize::try_from(date.julian_day_number() - self.first_jdn).ok()?;
        (ordinal < self.len).then_some(ordinal)
    }

    fn date(&self, ordinal: usize) -> Option<Date> {
        Date::from_julian_day_number(self.first_jdn + i64::try_from(ordinal).ok()?)
    }

    fn is_working(&self, ordinal: usize) -> bool {
        self.working.get(ordinal / 64).is_some_and(|word| word & (1u64 << (ordinal % 64)) != 0)
    }

    /// Working days among the ordinals `first..=last`.
    fn count(&self, first: usize, last: usize) -> u32 {
        if first > last {
            return 0;
        }
        let mut total = 0;
        for index in first / 64..=(last / 64).min(WORDS - 1) {
            let mut mask = u64::MAX;
            if index == first / 64 {
                mask &= u64::MAX << (first % 64);
            }
            if index == last / 64 {
                mask &= u64::MAX >> (63 - last % 64);
            }
            total += (self.working[index] & mask).count_ones();
        }
        total
    }

    /// The ordinal of the `n`-th working day (n ≥ 1) at or after `first`, or, if the year ends
    /// first, how many working days it has from `first` on.
    fn nth(&self, first: usize, n: u32) -> Result<usize, u32> {
        let mut remaining = n;
        for index in first / 64..WORDS {
            let mut bits = self.working[index];
            if index == first / 64 {
                bits &= u64::MAX << (first % 64);
            }
            let ones = bits.count_ones();
            if ones >= remaining {
                for _ in 1..remaining {
                    bits &= bits - 1;
                }
                return Ok(index * 64 + bits.trailing_zeros() as usize);
            }
            remaining -= ones;
        }
        Err(n - remaining)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Weekday;
    use proptest::prelude::*;

    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn calendar() -> &'static WorkCalendar {
        static CALENDAR: OnceLock<WorkCalendar> = OnceLock::new();
        CALENDAR.get_or_init(WorkCalendar::vietnam)
    }

    /// Working-day test written without the bit sets: weekday, the lists, nothing else.
    fn naive_is_working(calendar: &WorkCalendar, date: Date) -> bool {
        let year = date.year();
        if calendar.makeup_days(year).iter().any(|&(day, _)| day == date) {
            return true;
        }
        let weekday = !matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        weekday && !calendar.days_off(year).iter().any(|day| day.date == date)
    }

    #[test]
    fn the_embedded_table_is_clean() {
        assert_eq!(calendar().data_problems(), &[] as &[String]);
        assert!(calendar().has_official_schedule(2024));
        assert!(!calendar().has_official_schedule(2027));
    }

    #[test]
    fn the_2024_civil_service_schedule_is_exact() {
        let cal = calendar();
        let off = |from: &str, to: &str| {
            let (mut day, to) = (d(from), d(to));
            while day <= to {
                assert!(!cal.is_working_day(day), "{day} should be off");
                day = day.next();
            }
        };
        off("30/12/2023", "01/01/2024");
        off("08/02/2024", "14/02/2024");
        off("18/04/2024", "18/04/2024");
        off("27/04/2024", "01/05/2024");
        off("31/08/2024", "03/09/2024");
        for working in [
            "02/01/2024",
            "07/02/2024",
            "15/02/2024",
            "17/04/2024",
            "19/04/2024",
            "26/04/2024",
            "02/05/2024",
            "04/05/2024", // Saturday, worked back for Monday 29/04.
            "30/08/2024",
            "04/09/2024",
        ] {
            assert!(cal.is_working_day(d(working)), "{working} should be worked");
        }
        assert_eq!(cal.makeup_days(2024), vec![(d("04/05/2024"), "Làm bù ngày nghỉ 29/04/2024".to_string())]);
        let days_off = cal.days_off(2024);
        assert_eq!(days_off.len(), 12);
        assert_eq!(days_off[0].name, "Tết Dương lịch");
        assert_eq!(days_off[6].name, "Giỗ Tổ Hùng Vương");
        assert_eq!(days_off[6].kind, DayOffKind::Holiday);
    }

    #[test]
    fn working_days_per_year_match_a_hand_count() {
        let cal = calendar();
        let year_total = |year: i32| {
            cal.working_days_between(Date::from_ymd(year, 1, 1).unwrap(), Date::from_ymd(year, 12, 31).unwrap())
        };
        // 2024 is a leap year starting on Monday: 52 weeks + Mon 30/12 + Tue 31/12, so
        // 52 × 5 + 2 = 262 weekdays. Off on weekdays: 1/1; 8, 9, 12, 13, 14/2; 18/4; 29, 30/4;
        // 1/5; 2, 3/9 = 12. Plus Saturday 4/5 worked: 262 − 12 + 1 = 251.
        assert_eq!(year_total(2024), 251);
        // 2023 starts on Sunday: 52 weeks + Sun 31/12 → 260 weekdays. Off: 2/1; 20, 23, 24,
        // 25, 26/1; 1, 2, 3/5; 1, 4/9 = 11 → 249.
        assert_eq!(year_total(2023), 249);
        // 2025 starts on Wednesday: 52 weeks + Wed 31/12 → 261 weekdays. Off: 1/1; 27–31/1 (5);
        // 7/4; 30/4, 1/5, 2/5; 1, 2/9 = 12. Saturday 26/4 worked → 261 − 12 + 1 = 250.
        assert_eq!(year_total(2025), 250);
        // 2026 starts on Thursday → 261 weekdays. Off: 1, 2/1; 16–20/2 (5); 27/4; 30/4, 1/5;
        // 31/8, 1, 2/9 = 13. Saturdays 10/1 and 22/8 worked → 261 − 13 + 2 = 250.
        assert_eq!(year_total(2026), 250);
    }

    #[test]
    fn deadlines_step_over_tet_and_the_april_may_holidays() {
        let cal = calendar();
        // Event on Wednesday 07/02/2024; the next working day is after the Tết break.
        assert_eq!(cal.add_working_days(d("07/02/2024"), 1), d("15/02/2024"));
        // Friday 26/04/2024 + 1: 27/04–01/05 are off.
        assert_eq!(cal.add_working_days(d("26/04/2024"), 1), d("02/05/2024"));
        assert_eq!(d("02/05/2024").weekday_vn(), "Thứ Năm");
        // Friday 03/05/2024 + 1 is the make-up Saturday.
        assert_eq!(cal.add_working_days(d("03/05/2024"), 1), d("04/05/2024"));
        // "5 ngày làm việc" from Monday 05/02/2024: 6, 7, 15, 16, 19/02.
        assert_eq!(cal.add_working_days(d("05/02/2024"), 5), d("19/02/2024"));
        // n = 0 only rolls forward.
        assert_eq!(cal.add_working_days(d("10/02/2024"), 0), d("15/02/2024"));
        assert_eq!(cal.add_working_days(d("15/02/2024"), 0), d("15/02/2024"));
        // Across the new year: Friday 29/12/2023 + 1 → Tuesday 02/01/2024.
        assert_eq!(cal.add_working_days(d("29/12/2023"), 1), d("02/01/2024"));
    }

    #[test]
    fn roll_forward_moves_days_off_to_the_next_working_day() {
        let cal = calendar();
        assert_eq!(cal.roll_forward(d("08/02/2024")), d("15/02/2024"));
        assert_eq!(cal.roll_forward(d("04/05/2024")), d("04/05/2024"));
        assert_eq!(cal.roll_forward(d("05/05/2024")), d("06/05/2024"));
        assert_eq!(cal.roll_forward(d("31/08/2024")), d("04/09/2024"));
    }

    #[test]
    fn working_days_between_counts_both_ends() {
        let cal = calendar();
        assert_eq!(cal.working_days_between(d("05/02/2024"), d("05/02/2024")), 1);
        assert_eq!(cal.working_days_between(d("10/02/2024"), d("10/02/2024")), 0);
        assert_eq!(cal.working_days_between(d("05/02/2024"), d("16/02/2024")), 5);
        assert_eq!(cal.working_days_between(d("16/02/2024"), d("05/02/2024")), 0);
        // 2023 + 2024 + 2025 + 2026 in one call.
        assert_eq!(cal.working_days_between(d("01/01/2023"), d("31/12/2026")), 249 + 251 + 250 + 250);
    }

    #[test]
    fn years_without_rows_follow_the_statutory_rules() {
        let cal = calendar();
        // 2027: Tết 06/02 (Saturday) → Tết days 05/02–09/02, Saturday and Sunday compensated
        // on Wednesday 10/02 and Thursday 11/02.
        let off: Vec<Date> = cal.days_off(2027).iter().map(|day| day.date).collect();
        for date in ["01/01/2027", "05/02/2027", "08/02/2027", "09/02/2027", "10/02/2027", "11/02/2027"] {
            assert!(off.contains(&d(date)), "{date}");
        }
        assert!(cal.makeup_days(2027).is_empty());
        // A calendar without a table derives 2024 too (and then differs from the real one).
        let rules_only = WorkCalendar::from_table("");
        assert!(rules_only.is_working_day(d("08/02/2024")));
        assert!(!rules_only.is_working_day(d("15/02/2024")));
    }

    #[test]
    fn a_bad_table_does_not_panic_and_is_reported() {
        let cal = WorkCalendar::from_table("xx\n01/01/2030\tholiday\tTết Dương lịch\tBLLĐ\n");
        assert!(!cal.data_problems().is_empty());
        assert!(!cal.is_working_day(d("01/01/2030")));
    }

    #[test]
    fn adding_ten_thousand_working_days_is_consistent() {
        // No timing here (tests never assert durations); the speed is in docs/benchmarks.md.
        let cal = calendar();
        let end = cal.add_working_days(d("01/01/2024"), 10_000);
        assert!(cal.is_working_day(end));
        assert_eq!(cal.working_days_between(d("02/01/2024"), end), 10_000);
    }

    #[test]
    fn the_ends_of_the_date_range_saturate() {
        // The last representable date, found by bisection (valid below, invalid above).
        let (mut valid, mut invalid) = (0i64, i64::MAX / 2);
        while invalid - valid > 1 {
            let middle = valid + (invalid - valid) / 2;
            if Date::from_julian_day_number(middle).is_some() {
                valid = middle;
            } else {
                invalid = middle;
            }
        }
        let last = Date::from_julian_day_number(valid).unwrap();
        let cal = calendar();
        assert_eq!(cal.add_working_days(last, u32::MAX), last);
        assert!(cal.roll_forward(last) >= last);
        assert!(cal.add_working_days(last.add_days(-10), 100) >= last.add_days(-10));
        assert!(cal.working_days_between(last.add_days(-400), last) <= 400);
        assert!(cal.days_off(i32::MAX).is_empty());
        assert!(cal.makeup_days(i32::MIN).is_empty());
    }

    proptest! {
        #[test]
        fn working_days_between_matches_a_naive_count(
            start in 0i64..(366 * 12),
            span in 0i64..800,
        ) {
            let cal = calendar();
            let from = d("01/01/2020").add_days(start);
            let to = from.add_days(span);
            let mut naive = 0;
            let mut day = from;
            while day <= to {
                if naive_is_working(cal, day) {
                    naive += 1;
                }
                day = day.next();
            }
            prop_assert_eq!(cal.working_days_between(from, to), naive);
            prop_assert_eq!(cal.is_working_day(from), naive_is_working(cal, from));
        }

        #[test]
        fn add_working_days_lands_on_the_nth_working_day(
            start in 0i64..(366 * 30),
            n in 1u32..2_000,
        ) {
            let cal = calendar();
            let from = d("01/01/2000").add_days(start);
            let result = cal.add_working_days(from, n);
            prop_assert!(result > from);
            prop_assert!(cal.is_working_day(result));
            prop_assert_eq!(cal.working_days_between(from.next(), result), n);
            let rolled = cal.roll_forward(from);
            prop_assert!(cal.is_working_day(rolled) && rolled >= from);
            prop_assert_eq!(cal.working_days_between(from, rolled.prev()), 0);
        }

        #[test]
        fn no_query_panics_on_any_date(jdn in -100_000_000i64..200_000_000, n in 0u32..50) {
            let cal = calendar();
            if let Some(date) = Date::from_julian_day_number(jdn) {
                let _ = cal.is_working_day(date);
                let _ = cal.roll_forward(date);
                let _ = cal.add_working_days(date, n);
                let _ = cal.working_days_between(date, date.add_days(40));
                let _ = cal.days_off(date.year());
                let _ = cal.makeup_days(date.year());
                let _ = solar_to_lunar(date);
            }
        }
    }
}
