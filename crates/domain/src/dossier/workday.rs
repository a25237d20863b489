//! Working-day ordinals over a date range, so that "N working days after" is two array reads.
//!
//! [`WorkCalendar::add_working_days`] walks bit sets year by year; for millions of dossiers the
//! engine instead precomputes, for every day of a range, how many working days there are up to
//! and including it, and the list of the working days themselves. Then the `n`-th working day
//! strictly after `d` (Civil Code art. 147: the day of receipt is not counted) is
//! `working[upto[d] + n - 1]`, and `d` rolled forward to a working day (n = 0, art. 148) is
//! `working[upto[d] - is_working(d)]`.

use crate::calendar::WorkCalendar;
use crate::date::Date;

use super::DayNum;

/// Working-day ordinals for the days `first..=last`. Build it once per run for the years of the
/// data plus a margin for appointments after the last receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkdayIndex {
    first: DayNum,
    /// For day `first + i`: the number of working days in `first..=first + i`.
    upto: Vec<u32>,
    /// The working days of the range, in order.
    working: Vec<DayNum>,
}

impl WorkdayIndex {
    /// The index of `first..=last` (swapped if given in the wrong order), clamped to the range
    /// of [`DayNum`] (2000–2135).
    pub fn build(calendar: &WorkCalendar, first: DayNum, last: DayNum) -> WorkdayIndex {
        let (first, last) = if first <= last { (first, last) } else { (last, first) };
        let limit = DayNum::from_ymd(2135, 12, 31).unwrap_or(last);
        let last = last.min(limit);
        let len = (last.get().saturating_sub(first.get()) as usize) + 1;
        let mut upto = Vec::with_capacity(len);
        let mut working = Vec::with_capacity(len * 5 / 7 + 8);
        let mut count = 0u32;
        let mut date: Date = first.to_date();
        for i in 0..len {
            let day = first.plus(i as u32);
            if calendar.is_working_day(date) {
                count += 1;
                working.push(day);
            }
            upto.push(count);
            date = date.next();
        }
        WorkdayIndex { first, upto, working }
    }

    /// The index of whole years `first_year..=last_year`.
    pub fn for_years(calendar: &WorkCalendar, first_year: i32, last_year: i32) -> WorkdayIndex {
        let first = DayNum::from_ymd(first_year.clamp(2000, 2135), 1, 1).unwrap_or_default();
        let last = DayNum::from_ymd(last_year.clamp(2000, 2135), 12, 31).unwrap_or(first);
        WorkdayIndex::build(calendar, first, last)
    }

    pub fn first(&self) -> DayNum {
        self.first
    }

    pub fn last(&self) -> DayNum {
        self.first.plus(self.upto.len().saturating_sub(1) as u32)
    }

    fn offset(&self, day: DayNum) -> Option<usize> {
        let i = day.get().checked_sub(self.first.get())? as usize;
        (i < self.upto.len()).then_some(i)
    }

    /// Working days in `first()..=day`; `None` outside the range.
    pub fn ordinal(&self, day: DayNum) -> Option<u32> {
        self.upto.get(self.offset(day)?).copied()
    }

    /// Whether `day` is a working day; `None` outside the range.
    pub fn is_working(&self, day: DayNum) -> Option<bool> {
        let i = self.offset(day)?;
        let before = if i == 0 { 0 } else { self.upto[i - 1] };
        Some(self.upto[i] > before)
    }

    /// The same answer as [`WorkCalendar::add_working_days`]: the `n`-th working day strictly
    /// after `from`, or `from` rolled forward to a working day when `n = 0`. `None` when `from`
    /// or the answer lies outside the range.
    pub fn add_working_days(&self, from: DayNum, n: u32) -> Option<DayNum> {
        let i = self.offset(from)?;
        let upto = self.upto[i];
        let index = if n == 0 {
            // The working days strictly before `from`: the next one is `from` rolled forward.
            if i == 0 {
                0
            } else {
                self.upto[i - 1]
            }
        } else {
            upto.checked_add(n - 1)?
        };
        self.working.get(index as usize).copied()
    }

    /// Working days in `(from, to]`: after `from`, up to and including `to`; 0 when `to` is not
    /// after `from`. `None` outside the range.
    pub fn working_days_after(&self, from: DayNum, to: DayNum) -> Option<u32> {
        let a = self.ordinal(from)?;
        let b = self.ordinal(to)?;
        Some(b.saturating_sub(a))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn index() -> &'static WorkdayIndex {
        static INDEX: OnceLock<WorkdayIndex> = OnceLock::new();
        INDEX.get_or_init(|| WorkdayIndex::for_years(&WorkCalendar::vietnam(), 2023, 2026))
    }

    fn day(y: i32, m: u32, d: u32) -> DayNum {
        DayNum::from_ymd(y, m, d).unwrap()
    }

    #[test]
    fn the_day_of_receipt_is_not_counted() {
        // Monday 15/01/2024 + 3 working days = Thursday 18/01/2024.
        assert_eq!(index().add_working_days(day(2024, 1, 15), 3), Some(day(2024, 1, 18)));
        // Friday 19/01/2024 + 1 = Monday 22/01/2024.
        assert_eq!(index().add_working_days(day(2024, 1, 19), 1), Some(day(2024, 1, 22)));
    }

    #[test]
    fn holidays_and_the_makeup_saturday_of_2024() {
        // Friday 26/04/2024 + 1: 27/04–01/05 are off, Thursday 02/05.
        assert_eq!(index().add_working_days(day(2024, 4, 26), 1), Some(day(2024, 5, 2)));
        // Friday 03/05/2024 + 1: Saturday 04/05 is a make-up working day.
        assert_eq!(index().add_working_days(day(2024, 5, 3), 1), Some(day(2024, 5, 4)));
        assert_eq!(index().is_working(day(2024, 5, 4)), Some(true));
        assert_eq!(index().is_working(day(2024, 2, 12)), Some(false), "Tết 2024");
        // Wednesday 07/02/2024 + 2: Tết 08/02–14/02, then Thursday 15/02 and Friday 16/02.
        assert_eq!(index().add_working_days(day(2024, 2, 7), 2), Some(day(2024, 2, 16)));
    }

    #[test]
    fn zero_days_rolls_a_day_off_forward() {
        assert_eq!(index().add_working_days(day(2024, 1, 20), 0), Some(day(2024, 1, 22)), "Saturday");
        assert_eq!(index().add_working_days(day(2024, 1, 22), 0), Some(day(2024, 1, 22)));
    }

    #[test]
    fn outside_the_range_there_is_no_answer() {
        assert_eq!(index().add_working_days(day(2022, 12, 30), 1), None);
        assert_eq!(index().add_working_days(day(2026, 12, 30), 5), None, "the answer lies past the range");
        assert_eq!(index().working_days_after(day(2024, 1, 15), day(2024, 1, 19)), Some(4));
    }

    proptest! {
        #[test]
        fn agrees_with_the_calendar(offset in 0u32..1_300, n in 0u32..60) {
            let from = day(2023, 1, 1).plus(offset);
            let calendar = WorkCalendar::vietnam();
            let expected = DayNum::from_date(calendar.add_working_days(from.to_date(), n)).unwrap();
            prop_assert_eq!(index().add_working_days(from, n), Some(expected));
            prop_assert_eq!(index().is_working(from), Some(calendar.is_working_day(from.to_date())));
        }
    }
}
