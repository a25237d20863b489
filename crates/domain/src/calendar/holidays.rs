//! Public holidays (Labour Code 2019, art. 111–112) and the table of civil-service day swaps.
//!
//! Two sources decide which weekdays are off in a year:
//! - the **table** (`days_off.tsv`, embedded): the schedules the government actually announced
//!   for civil servants. A year with at least one valid row is taken wholly from the table;
//! - the **statutory rules**, for every other year: the holidays of art. 112, and for each one
//!   that falls on a Saturday or Sunday a compensatory day on the next working day (art. 111(3)).
//!   These cannot foresee the swaps the government decides each year.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Weekday;

use super::lunar;
use crate::date::Date;

/// Name of 1 January.
pub const NEW_YEAR: &str = "Tết Dương lịch";
/// Name of the five days of the lunar new year.
pub const TET: &str = "Tết Nguyên đán";
/// Name of lunar 10/3.
pub const HUNG_KINGS: &str = "Giỗ Tổ Hùng Vương";
/// Name of 30 April.
pub const VICTORY_DAY: &str = "Ngày Chiến thắng";
/// Name of 1 May.
pub const LABOUR_DAY: &str = "Ngày Quốc tế Lao động";
/// Name of 2 September and its adjacent day.
pub const NATIONAL_DAY: &str = "Ngày Quốc khánh";

/// The calendar's own table of announced schedules (see the header of the file for its format).
pub(crate) const EMBEDDED_TABLE: &str = include_str!("days_off.tsv");

/// Why a weekday is not worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayOffKind {
    /// A public holiday of art. 112 (one of the five Tết days, 2/9, …).
    Holiday,
    /// The day off owed because a holiday fell on a weekly rest day (art. 111(3)).
    Compensatory,
    /// A working day turned into a day off, worked back on a Saturday (see `makeup_days`).
    Swapped,
}

impl DayOffKind {
    /// Machine name, as written in the table's "loại" column.
    pub fn as_str(self) -> &'static str {
        match self {
            DayOffKind::Holiday => "holiday",
            DayOffKind::Compensatory => "compensatory",
            DayOffKind::Swapped => "swapped",
        }
    }

    /// Vietnamese label shown to people.
    pub fn label_vn(self) -> &'static str {
        match self {
            DayOffKind::Holiday => "nghỉ lễ, Tết",
            DayOffKind::Compensatory => "nghỉ bù",
            DayOffKind::Swapped => "nghỉ hoán đổi",
        }
    }

    pub fn parse(text: &str) -> Option<DayOffKind> {
        match text {
            "holiday" => Some(DayOffKind::Holiday),
            "compensatory" => Some(DayOffKind::Compensatory),
            "swapped" => Some(DayOffKind::Swapped),
            _ => None,
        }
    }
}

/// A weekday (Monday–Friday) on which civil servants do not work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayOff {
    pub date: Date,
    /// Vietnamese, e.g. "Tết Nguyên đán", "Nghỉ bù Giỗ Tổ Hùng Vương".
    pub name: String,
    pub kind: DayOffKind,
}

/// Which weekdays of one year are off and which weekend days are worked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Schedule {
    /// Weekdays off, sorted by date.
    pub days_off: Vec<DayOff>,
    /// Saturdays (or Sundays) worked, sorted by date.
    pub makeup: Vec<(Date, String)>,
}

/// True on Saturday and Sunday, the civil service's weekly rest days.
pub(crate) fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The public holidays of art. 112 in a Gregorian year, weekends included, sorted by date.
///
/// Tết is the last day of the old lunar year and the first four of the new one (the
/// government's usual choice). The day adjacent to 2/9 is the one that joins a weekend where
/// there is such a choice (Tuesday → 1/9, Thursday → 3/9, …), as the government has chosen in
/// recent years; a Wednesday 2/9 takes 1/9 (as the 2026 schedule did). Tết and Hùng Kings'
/// day are missing for years the lunar calendar does not cover.
pub fn statutory_holidays(year: i32) -> Vec<(Date, &'static str)> {
    let mut days = Vec::new();
    let mut push = |date: Option<Date>, name: &'static str| {
        if let Some(date) = date.filter(|d| d.year() == year) {
            days.push((date, name));
        }
    };
    push(Date::from_ymd(year, 1, 1), NEW_YEAR);
    if let Some(tet) = lunar::tet(year) {
        for offset in -1..=3 {
            push(Some(tet.add_days(offset)), TET);
        }
    }
    push(lunar::lunar_to_solar(year, 3, 10, false), HUNG_KINGS);
    push(Date::from_ymd(year, 4, 30), VICTORY_DAY);
    push(Date::from_ymd(year, 5, 1), LABOUR_DAY);
    if let Some(national_day) = Date::from_ymd(year, 9, 2) {
        let adjacent = match national_day.weekday() {
            Weekday::Tue | Weekday::Wed | Weekday::Fri | Weekday::Sat => national_day.prev(),
            Weekday::Mon | Weekday::Thu | Weekday::Sun => national_day.next(),
        };
        push(Some(national_day), NATIONAL_DAY);
        push(Some(adjacent), NATIONAL_DAY);
    }
    days.sort_by_key(|&(date, _)| date);
    days
}

/// The schedule of a year from the statutory rules alone: holidays on weekdays, and for each
/// holiday on a Saturday or Sunday one compensatory day on the next weekday that is neither a
/// holiday nor already a compensatory day. No swaps, no make-up days.
pub(crate) fn derived_schedule(year: i32) -> Schedule {
    // Two holidays on one date (lunar 10/3 can be 30/4) count once, under both names.
    let mut holidays: BTreeMap<Date, Vec<&'static str>> = BTreeMap::new();
    for (date, name) in statutory_holidays(year) {
        let names = holidays.entry(date).or_default();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let mut days_off = Vec::new();
    let mut taken: BTreeSet<Date> = holidays.keys().copied().collect();
    for (&date, names) in &holidays {
        let name = names.join(", ");
        if !is_weekend(date) {
            days_off.push(DayOff { date, name, kind: DayOffKind::Holiday });
            continue;
        }
        let mut candidate = date.next();
        // A week always holds a free weekday; the bound only guards against a saturated date.
        for _ in 0..31 {
            if !is_weekend(candidate) && !taken.contains(&candidate) {
                break;
            }
            candidate = candidate.next();
        }
        if taken.insert(candidate) && candidate.year() == year {
            days_off
                .push(DayOff { date: candidate, name: format!("Nghỉ bù {name}"), kind: DayOffKind::Compensatory });
        }
    }
    days_off.sort_by_key(|day| day.date);
    Schedule { days_off, makeup: Vec::new() }
}

/// The parsed table: complete schedules for the years it covers, and what was wrong with it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    pub years: BTreeMap<i32, Schedule>,
    /// Vietnamese messages, one per skipped row or inconsistency, prefixed by the line number.
    pub problems: Vec<String>,
}

impl Table {
    /// Parses the tab-separated table. Never fails: a bad row is skipped and reported.
    pub fn parse(text: &str) -> Table {
        let mut table = Table::default();
        let mut seen: BTreeMap<Date, usize> = BTreeMap::new();
        for (index, raw) in text.lines().enumerate() {
            let line_number = index + 1;
            let line = raw.trim_end_matches('\r');
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            match parse_row(line) {
                Err(message) => table.problems.push(format!("dòng {line_number}: {message}")),
                Ok(row) => {
                    let date = row.date();
                    if let Some(first) = seen.get(&date) {
                        table.problems.push(format!("dòng {line_number}: ngày {date} đã có ở dòng {first}, bỏ qua"));
                        continue;
                    }
                    seen.insert(date, line_number);
                    let schedule = table.years.entry(date.year()).or_default();
                    match row {
                        Row::Off(day) => schedule.days_off.push(day),
                        Row::Work(date, name) => schedule.makeup.push((date, name)),
                    }
                }
            }
        }
        for (&year, schedule) in &mut table.years {
            schedule.days_off.sort_by_key(|day| day.date);
            schedule.makeup.sort_by_key(|&(date, _)| date);
            table.problems.extend(missing_holidays(year, schedule));
        }
        table
    }
}

enum Row {
    Off(DayOff),
    Work(Date, String),
}

impl Row {
    fn date(&self) -> Date {
        match self {
            Row::Off(day) => day.date,
            Row::Work(date, _) => *date,
        }
    }
}

fn parse_row(line: &str) -> Result<Row, String> {
    let columns: Vec<&str> = line.split('\t').map(str::trim).collect();
    let [date, kind, name, source] = columns.as_slice() else {
        return Err(format!("cần 4 cột cách nhau bằng dấu Tab (ngày, loại, tên, căn cứ), có {}", columns.len()));
    };
    let date = Date::parse(date).map_err(|e| e.to_string())?;
    if name.is_empty() {
        return Err("thiếu tên ngày".to_string());
    }
    if source.is_empty() {
        return Err("thiếu căn cứ".to_string());
    }
    if *kind == "work" {
        if !is_weekend(date) {
            return Err(format!("ngày làm bù {date} là {}, không phải thứ Bảy hay Chủ nhật", date.weekday_vn()));
        }
        return Ok(Row::Work(date, name.to_string()));
    }
    let Some(kind) = DayOffKind::parse(kind) else {
        return Err(format!("loại «{kind}» không hợp lệ (holiday, compensatory, swapped hoặc work)"));
    };
    if is_weekend(date) {
        return Err(format!("{date} là {}, vốn là ngày nghỉ hằng tuần: không ghi vào bảng", date.weekday_vn()));
    }
    Ok(Row::Off(DayOff { date, name: name.to_string(), kind }))
}

/// The holidays fixed by law (not the government's choice of Tết days) that fall on a weekday of
/// a tabled year but are missing from its rows: a sign the year was entered only in part.
fn missing_holidays(year: i32, schedule: &Schedule) -> Vec<String> {
    let fixed = [
        (Date::from_ymd(year, 1, 1), NEW_YEAR),
        (lunar::tet(year), TET),
        (lunar::lunar_to_solar(year, 3, 10, false), HUNG_KINGS),
        (Date::from_ymd(year, 4, 30), VICTORY_DAY),
        (Date::from_ymd(year, 5, 1), LABOUR_DAY),
        (Date::from_ymd(year, 9, 2), NATIONAL_DAY),
    ];
    fixed
        .into_iter()
        .filter_map(|(date, name)| {
            let date = date?;
            let listed = schedule.days_off.iter().any(|day| day.date == date);
            (!is_weekend(date) && !listed).then(|| {
                format!("năm {year}: bảng thiếu ngày {name} {date} (năm có trong bảng phải ghi đủ các ngày nghỉ)")
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn dates(schedule: &Schedule) -> Vec<String> {
        schedule.days_off.iter().map(|day| day.date.vn()).collect()
    }

    #[test]
    fn the_embedded_table_has_no_problems() {
        let table = Table::parse(EMBEDDED_TABLE);
        assert_eq!(table.problems, Vec::<String>::new());
        assert_eq!(table.years.keys().copied().collect::<Vec<_>>(), vec![2023, 2024, 2025, 2026]);
    }

    #[test]
    fn the_embedded_2024_schedule_is_the_announced_one() {
        let table = Table::parse(EMBEDDED_TABLE);
        let schedule = &table.years[&2024];
        assert_eq!(
            dates(schedule),
            [
                "01/01/2024",
                "08/02/2024",
                "09/02/2024",
                "12/02/2024",
                "13/02/2024",
                "14/02/2024",
                "18/04/2024",
                "29/04/2024",
                "30/04/2024",
                "01/05/2024",
                "02/09/2024",
                "03/09/2024",
            ]
        );
        assert_eq!(schedule.makeup.len(), 1);
        assert_eq!(schedule.makeup[0].0, d("04/05/2024"));
        assert_eq!(schedule.days_off[7].kind, DayOffKind::Swapped);
        assert_eq!(schedule.days_off[4].kind, DayOffKind::Compensatory);
    }

    #[test]
    fn statutory_holidays_of_2024_follow_article_112() {
        let names: Vec<(String, &str)> =
            statutory_holidays(2024).into_iter().map(|(date, name)| (date.vn(), name)).collect();
        assert_eq!(
            names,
            [
                ("01/01/2024".to_string(), NEW_YEAR),
                ("09/02/2024".to_string(), TET),
                ("10/02/2024".to_string(), TET),
                ("11/02/2024".to_string(), TET),
                ("12/02/2024".to_string(), TET),
                ("13/02/2024".to_string(), TET),
                ("18/04/2024".to_string(), HUNG_KINGS),
                ("30/04/2024".to_string(), VICTORY_DAY),
                ("01/05/2024".to_string(), LABOUR_DAY),
                ("02/09/2024".to_string(), NATIONAL_DAY),
                ("03/09/2024".to_string(), NATIONAL_DAY),
            ]
        );
    }

    #[test]
    fn weekend_holidays_give_compensatory_days_on_following_weekdays() {
        // 2022 (no table rows): 1/1 is a Saturday → Monday 3/1; Tết 31/1–4/2 all weekdays;
        // Hùng Kings 10/4 is a Sunday → Monday 11/4; 30/4 and 1/5 are Saturday and Sunday →
        // Monday 2/5 and Tuesday 3/5; 2/9 is a Friday → 1/9. This is what was announced.
        let schedule = derived_schedule(2022);
        assert_eq!(
            dates(&schedule),
            [
                "03/01/2022",
                "31/01/2022",
                "01/02/2022",
                "02/02/2022",
                "03/02/2022",
                "04/02/2022",
                "11/04/2022",
                "02/05/2022",
                "03/05/2022",
                "01/09/2022",
                "02/09/2022",
            ]
        );
        assert_eq!(schedule.days_off[0].name, "Nghỉ bù Tết Dương lịch");
        assert_eq!(schedule.days_off[0].kind, DayOffKind::Compensatory);
        // 2024 by the rules alone (the real schedule differs): Tết 9/2–13/2, with 10/2 and
        // 11/2 on the weekend → 14/2 and 15/2.
        let rules_2024 = derived_schedule(2024);
        assert!(rules_2024.days_off.iter().any(|day| day.date == d("15/02/2024")));
    }

    #[test]
    fn bad_rows_are_skipped_and_reported() {
        let text = "# comment\n\
                    01/01/2030\tholiday\tTết Dương lịch\tBLLĐ 2019\n\
                    02/01/2030\tnghỉ\tNghỉ gì đó\tBLLĐ 2019\n\
                    31/02/2030\tholiday\tX\tY\n\
                    05/01/2030\tholiday\tThứ Bảy\tY\n\
                    07/01/2030\twork\tLàm bù\tY\n\
                    01/01/2030\tswapped\tTrùng\tY\n\
                    08/01/2030\tholiday\t\tY\n\
                    09/01/2030\tholiday\tThiếu cột\n\
                    \n";
        let table = Table::parse(text);
        let lines: Vec<&str> = table.problems.iter().map(|p| p.split(':').next().unwrap_or("")).collect();
        assert_eq!(&lines[..7], ["dòng 3", "dòng 4", "dòng 5", "dòng 6", "dòng 7", "dòng 8", "dòng 9"]);
        // 2030 is tabled with only 1/1: the other statutory weekday holidays are reported.
        assert!(table.problems[7..].iter().all(|p| p.starts_with("năm 2030")));
        assert_eq!(table.years[&2030].days_off.len(), 1);
    }
}
