//! The Vietnamese lunisolar calendar (âm lịch), computed from astronomy for the UTC+7 meridian.
//!
//! The rules, as used by Vietnam since 1968:
//! - a month starts on the local (UTC+7) day that contains the new moon;
//! - month 11 is the month that contains the winter solstice (sun's apparent longitude 270°);
//! - when 13 months start between two consecutive month-11 starts, the first month after
//!   month 11 that contains no major solar term (zhongqi: a longitude multiple of 30°) is the
//!   leap month and repeats the number of the month before it.
//!
//! The astronomy is written from Jean Meeus, *Astronomical Algorithms* (2nd ed.): chapter 49 for
//! the instant of the new moon (mean phase, periodic terms and the fourteen planetary terms) and
//! chapter 25 for the sun's apparent longitude (the low-accuracy method, good to about 0.01°).
//! Both give dynamical time (TT); ΔT = TT − UT comes from the Espenak–Meeus polynomials.
//!
//! Limits, stated rather than hidden: before 1968 Vietnam used the UTC+8 (Chinese) calendar,
//! whereas this module applies UTC+7 to every year, so a few pre-1968 dates differ from what was
//! printed then. A new moon or solar term within a minute or so of local midnight could fall on
//! the other day than in official tables. Years outside
//! [`MIN_YEAR`](crate::calendar::lunar::MIN_YEAR)..=[`MAX_YEAR`](crate::calendar::lunar::MAX_YEAR)
//! are refused.

use std::fmt;

use crate::date::Date;

/// The first Gregorian year this module converts.
pub const MIN_YEAR: i32 = 1000;
/// The last Gregorian year this module converts.
pub const MAX_YEAR: i32 = 3000;

/// Vietnam's legal time is UTC+7; a lunar day is a local civil day.
const UTC_OFFSET_DAYS: f64 = 7.0 / 24.0;
/// Mean length of a lunation, in days (Meeus eq. 49.1).
const SYNODIC_MONTH: f64 = 29.530_588_861;
/// JDE of the mean new moon with k = 0 (6 January 2000).
const NEW_MOON_EPOCH: f64 = 2_451_550.097_66;
/// J2000.0 as a Julian Ephemeris Day.
const J2000: f64 = 2_451_545.0;

/// A date in the Vietnamese lunar calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LunarDate {
    /// The lunar year, numbered by the Gregorian year in which its Tết falls.
    pub year: i32,
    /// 1..=12.
    pub month: u32,
    /// 1..=30.
    pub day: u32,
    /// True for the repeated (leap, "nhuận") month.
    pub leap: bool,
}

impl fmt::Display for LunarDate {
    /// Vietnamese form: "ngày 10 tháng 3 năm 2024 âm lịch", "… tháng 2 nhuận …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let leap = if self.leap { " nhuận" } else { "" };
        write!(f, "ngày {} tháng {}{} năm {} âm lịch", self.day, self.month, leap, self.year)
    }
}

/// The lunar date of a Gregorian date; `None` outside [`MIN_YEAR`]..=[`MAX_YEAR`].
pub fn solar_to_lunar(date: Date) -> Option<LunarDate> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        return None;
    }
    let day = date.julian_day_number();
    let k = lunation_containing(day);
    // The frame runs from month 11 of `base` to the day before month 11 of `base + 1`.
    let base = if k >= month_eleven(date.year()) { date.year() } else { date.year() - 1 };
    let frame = Frame::of(base);
    let offset = k - frame.k11;
    if !(0..frame.months).contains(&offset) {
        return None;
    }
    let (index, leap) = match frame.leap {
        Some(leap_offset) if offset >= leap_offset => (offset - 1, offset == leap_offset),
        _ => (offset, false),
    };
    let year = if index < 2 { base } else { base + 1 };
    Some(LunarDate { year, month: month_number(index)?, day: u32::try_from(day - new_moon_day(k) + 1).ok()?, leap })
}

/// The Gregorian date of a lunar date; `None` if that date does not exist (a leap month the
/// year lacks, day 30 of a 29-day month, numbers out of range) or the year is out of range.
pub fn lunar_to_solar(year: i32, month: u32, day: u32, leap: bool) -> Option<Date> {
    if !(1..=12).contains(&month) || !(1..=30).contains(&day) {
        return None;
    }
    // Month 11 of year Y lies in Nov/Dec of Gregorian Y; months 1..=10 follow month 11 of Y - 1.
    let (base, index) =
        if month >= 11 { (year, i64::from(month) - 11) } else { (year.checked_sub(1)?, i64::from(month) + 1) };
    if !(MIN_YEAR - 1..=MAX_YEAR).contains(&base) {
        return None;
    }
    let frame = Frame::of(base);
    let offset = match (leap, frame.leap) {
        (true, Some(leap_offset)) if leap_offset - 1 == index => leap_offset,
        (true, _) => return None,
        (false, Some(leap_offset)) if index >= leap_offset => index + 1,
        (false, _) => index,
    };
    let start = new_moon_day(frame.k11 + offset);
    let length = new_moon_day(frame.k11 + offset + 1) - start;
    if i64::from(day) > length {
        return None;
    }
    Date::from_julian_day_number(start + i64::from(day) - 1)
}

/// Tết Nguyên đán (lunar 1/1) of the given lunar year.
pub fn tet(year: i32) -> Option<Date> {
    lunar_to_solar(year, 1, 1, false)
}

/// The leap month of a lunar year (its number, e.g. 2 for "tháng 2 nhuận"), if it has one.
pub fn leap_month(year: i32) -> Option<u32> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return None;
    }
    // A leap month 11 or 12 belongs to the frame that starts in the same Gregorian year; a leap
    // month 1..=10 to the frame that started the year before.
    if let Some(offset) = Frame::of(year - 1).leap.filter(|&o| o >= 3) {
        return month_number(offset - 1);
    }
    Frame::of(year).leap.filter(|&o| o <= 2).and_then(|o| month_number(o - 1))
}

/// The months from month 11 of one year up to (not including) month 11 of the next.
struct Frame {
    /// Lunation number of month 11.
    k11: i64,
    /// 12 or 13.
    months: i64,
    /// Offset from month 11 of the leap month, in a 13-month frame.
    leap: Option<i64>,
}

impl Frame {
    fn of(year: i32) -> Frame {
        let k11 = month_eleven(year);
        let months = month_eleven(year + 1) - k11;
        let leap = if months == 13 { (1..=12).find(|&i| !has_major_term(k11 + i)) } else { None };
        Frame { k11, months, leap }
    }
}

/// The month number of the `index`-th ordinary month of a frame (0 → 11, 1 → 12, 2 → 1, …).
fn month_number(index: i64) -> Option<u32> {
    u32::try_from((index + 10).rem_euclid(12) + 1).ok()
}

/// Lunation number (k, counted from January 2000) of the month 11 of a Gregorian year.
fn month_eleven(year: i32) -> i64 {
    lunation_containing(local_day(winter_solstice_jde(year)))
}

/// Lunation number of the lunar month that contains the given local day (a Julian Day Number).
fn lunation_containing(day: i64) -> i64 {
    // The mean phase is within about 14 hours of the true one, so one or two steps suffice.
    let mut k = ((day as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64;
    for _ in 0..4 {
        if new_moon_day(k) > day {
            k -= 1;
        } else if new_moon_day(k + 1) <= day {
            k += 1;
        } else {
            break;
        }
    }
    k
}

/// True if a major solar term (sun's longitude a multiple of 30°) falls within lunation k.
fn has_major_term(k: i64) -> bool {
    let sector = |day: i64| (sun_longitude(local_midnight_jde(day)) / 30.0).floor() as i64;
    sector(new_moon_day(k)) != sector(new_moon_day(k + 1))
}

/// The local (UTC+7) day, as a Julian Day Number, of the new moon of lunation k.
fn new_moon_day(k: i64) -> i64 {
    local_day(new_moon_jde(k as f64))
}

/// The local (UTC+7) civil day containing an instant given in dynamical time.
fn local_day(jde: f64) -> i64 {
    let ut = jde - delta_t_seconds(jde) / 86_400.0;
    (ut + UTC_OFFSET_DAYS + 0.5).floor() as i64
}

/// The instant (dynamical time) at which the given local day begins.
fn local_midnight_jde(day: i64) -> f64 {
    let ut = day as f64 - 0.5 - UTC_OFFSET_DAYS;
    ut + delta_t_seconds(ut) / 86_400.0
}

/// The instant (dynamical time) of the December solstice of a Gregorian year.
fn winter_solstice_jde(year: i32) -> f64 {
    // Start from the mean date (21 December 2000 was JD 2451900) and correct with the sun's
    // motion, as Meeus does for equinoxes and solstices (ch. 27): Δ = 58 sin(270° − λ) days.
    let mut jde = 2_451_900.0 + 365.242_189 * f64::from(year - 2000);
    for _ in 0..8 {
        let error = 270.0 - sun_longitude(jde);
        jde += 58.0 * error.to_radians().sin();
    }
    jde
}

/// The instant (JDE, dynamical time) of the true new moon of lunation k (Meeus ch. 49).
fn new_moon_jde(k: f64) -> f64 {
    let t = k / 1_236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let t4 = t3 * t;
    let mean = NEW_MOON_EPOCH + SYNODIC_MONTH * k + 0.000_154_37 * t2 - 0.000_000_150 * t3 + 0.000_000_000_73 * t4;
    // Eccentricity of the Earth's orbit, the sun's and moon's anomalies, the moon's argument of
    // latitude and the longitude of its ascending node (degrees).
    let e = 1.0 - 0.002_516 * t - 0.000_007_4 * t2;
    let m = (2.553_4 + 29.105_356_70 * k - 0.000_001_4 * t2 - 0.000_000_11 * t3).to_radians();
    let mp = (201.564_3 + 385.816_935_28 * k + 0.010_758_2 * t2 + 0.000_012_38 * t3 - 0.000_000_058 * t4).to_radians();
    let f = (160.710_8 + 390.670_502_84 * k - 0.001_611_8 * t2 - 0.000_002_27 * t3 + 0.000_000_011 * t4).to_radians();
    let omega = (124.774_6 - 1.563_755_88 * k + 0.002_067_2 * t2 + 0.000_002_15 * t3).to_radians();

    let periodic = -0.407_20 * mp.sin()
        + 0.172_41 * e * m.sin()
        + 0.016_08 * (2.0 * mp).sin()
        + 0.010_39 * (2.0 * f).sin()
        + 0.007_39 * e * (mp - m).sin()
        - 0.005_14 * e * (mp + m).sin()
        + 0.002_08 * e * e * (2.0 * m).sin()
        - 0.001_11 * (mp - 2.0 * f).sin()
        - 0.000_57 * (mp + 2.0 * f).sin()
        + 0.000_56 * e * (2.0 * mp + m).sin()
        - 0.000_42 * (3.0 * mp).sin()
        + 0.000_42 * e * (m + 2.0 * f).sin()
        + 0.000_38 * e * (m - 2.0 * f).sin()
        - 0.000_24 * e * (2.0 * mp - m).sin()
        - 0.000_17 * omega.sin()
        - 0.000_07 * (mp + 2.0 * m).sin()
        + 0.000_04 * (2.0 * mp - 2.0 * f).sin()
        + 0.000_04 * (3.0 * m).sin()
        + 0.000_03 * (mp + m - 2.0 * f).sin()
        + 0.000_03 * (2.0 * mp + 2.0 * f).sin()
        - 0.000_03 * (mp + m + 2.0 * f).sin()
        + 0.000_03 * (mp - m + 2.0 * f).sin()
        - 0.000_02 * (mp - m - 2.0 * f).sin()
        - 0.000_02 * (3.0 * mp + m).sin()
        + 0.000_02 * (4.0 * mp).sin();

    // Planetary arguments A1..A14 (degrees) and their coefficients (days).
    const PLANETARY: [(f64, f64, f64); 14] = [
        (299.77, 0.107_408, 0.000_325),
        (251.88, 0.016_321, 0.000_165),
        (251.83, 26.651_886, 0.000_164),
        (349.42, 36.412_478, 0.000_126),
        (84.66, 18.206_239, 0.000_110),
        (141.74, 53.303_771, 0.000_062),
        (207.14, 2.453_732, 0.000_060),
        (154.84, 7.306_860, 0.000_056),
        (34.52, 27.261_239, 0.000_047),
        (207.19, 0.121_824, 0.000_042),
        (291.34, 1.844_379, 0.000_040),
        (161.72, 24.198_154, 0.000_037),
        (239.56, 25.513_099, 0.000_035),
        (331.55, 3.592_518, 0.000_023),
    ];
    let planetary: f64 = PLANETARY
        .iter()
        .enumerate()
        .map(|(i, &(a0, rate, coefficient))| {
            // Only A1 carries a T² term.
            let a = a0 + rate * k - if i == 0 { 0.009_173 * t2 } else { 0.0 };
            coefficient * a.to_radians().sin()
        })
        .sum();

    mean + periodic + planetary
}

/// The sun's apparent geocentric longitude in degrees, 0 ≤ λ < 360 (Meeus ch. 25, low accuracy).
fn sun_longitude(jde: f64) -> f64 {
    let t = (jde - J2000) / 36_525.0;
    let t2 = t * t;
    let mean_longitude = 280.466_46 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mean_anomaly = (357.529_11 + 35_999.050_29 * t - 0.000_153_7 * t2).to_radians();
    let centre = (1.914_602 - 0.004_817 * t - 0.000_014 * t2) * mean_anomaly.sin()
        + (0.019_993 - 0.000_101 * t) * (2.0 * mean_anomaly).sin()
        + 0.000_289 * (3.0 * mean_anomaly).sin();
    let omega = (125.04 - 1_934.136 * t).to_radians();
    let apparent = mean_longitude + centre - 0.005_69 - 0.004_78 * omega.sin();
    apparent.rem_euclid(360.0)
}

/// ΔT = TT − UT in seconds at the given instant (Espenak–Meeus polynomial fits; outside 1800–2150
/// the long-term parabola −20 + 32u², u in centuries from 1820).
fn delta_t_seconds(jd: f64) -> f64 {
    let y = 2000.0 + (jd - J2000) / 365.25;
    let long_term = |y: f64| {
        let u = (y - 1820.0) / 100.0;
        -20.0 + 32.0 * u * u
    };
    if y < 1800.0 {
        long_term(y)
    } else if y < 1860.0 {
        let t = y - 1800.0;
        13.72 - 0.332_447 * t + 0.006_861_2 * t.powi(2) + 0.004_111_6 * t.powi(3) - 0.000_374_36 * t.powi(4)
            + 0.000_012_127_2 * t.powi(5)
            - 0.000_000_169_9 * t.powi(6)
            + 0.000_000_000_875 * t.powi(7)
    } else if y < 1900.0 {
        let t = y - 1860.0;
        7.62 + 0.573_7 * t - 0.251_754 * t.powi(2) + 0.016_806_68 * t.powi(3) - 0.000_447_362_4 * t.powi(4)
            + t.powi(5) / 233_174.0
    } else if y < 1920.0 {
        let t = y - 1900.0;
        -2.79 + 1.494_119 * t - 0.059_893_9 * t.powi(2) + 0.006_196_6 * t.powi(3) - 0.000_197 * t.powi(4)
    } else if y < 1941.0 {
        let t = y - 1920.0;
        21.20 + 0.844_93 * t - 0.076_100 * t.powi(2) + 0.002_093_6 * t.powi(3)
    } else if y < 1961.0 {
        let t = y - 1950.0;
        29.07 + 0.407 * t - t.powi(2) / 233.0 + t.powi(3) / 2_547.0
    } else if y < 1986.0 {
        let t = y - 1975.0;
        45.45 + 1.067 * t - t.powi(2) / 260.0 - t.powi(3) / 718.0
    } else if y < 2005.0 {
        let t = y - 2000.0;
        63.86 + 0.334_5 * t - 0.060_374 * t.powi(2)
            + 0.001_727_5 * t.powi(3)
            + 0.000_651_814 * t.powi(4)
            + 0.000_023_735_99 * t.powi(5)
    } else if y < 2050.0 {
        let t = y - 2000.0;
        62.92 + 0.322_17 * t + 0.005_589 * t.powi(2)
    } else if y < 2150.0 {
        long_term(y) - 0.562_8 * (2150.0 - y)
    } else {
        long_term(y)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn lunar(year: i32, month: u32, day: u32, leap: bool) -> LunarDate {
        LunarDate { year, month, day, leap }
    }

    #[test]
    fn new_moon_matches_meeus_example_49a() {
        // Meeus example 49.a: the new moon of February 1977 (k = −283) at JDE 2443192.65118.
        assert!((new_moon_jde(-283.0) - 2_443_192.651_18).abs() < 1e-5);
    }

    #[test]
    fn sun_longitude_matches_meeus_example_25a() {
        // Meeus example 25.a: 1992 October 13.0 TD, apparent longitude 199.90895° (the low
        // accuracy method, which this is, gives 199.90894°).
        assert!((sun_longitude(2_448_908.5) - 199.908_95).abs() < 2e-4);
    }

    #[test]
    fn delta_t_is_about_a_minute_in_2000() {
        assert!((delta_t_seconds(J2000) - 63.86).abs() < 0.1);
    }

    #[test]
    fn winter_solstices_fall_on_the_known_local_days() {
        // 2024-12-21 09:20 UTC, 2023-12-22 03:27 UTC, 2000-12-21 13:37 UTC: all the same day
        // at UTC+7.
        assert_eq!(local_day(winter_solstice_jde(2024)), d("21/12/2024").julian_day_number());
        assert_eq!(local_day(winter_solstice_jde(2023)), d("22/12/2023").julian_day_number());
        assert_eq!(local_day(winter_solstice_jde(2000)), d("21/12/2000").julian_day_number());
    }

    #[test]
    fn tet_falls_on_the_known_dates() {
        let known = [
            (1968, "29/01/1968"), // North Vietnam's first Tết at UTC+7; China: 30/01.
            (1985, "21/01/1985"), // China: 20/02/1985.
            (2000, "05/02/2000"),
            (2001, "24/01/2001"),
            (2002, "12/02/2002"),
            (2003, "01/02/2003"),
            (2004, "22/01/2004"),
            (2005, "09/02/2005"),
            (2006, "29/01/2006"),
            (2007, "17/02/2007"), // China: 18/02/2007.
            (2008, "07/02/2008"),
            (2009, "26/01/2009"),
            (2010, "14/02/2010"),
            (2011, "03/02/2011"),
            (2012, "23/01/2012"),
            (2013, "10/02/2013"),
            (2014, "31/01/2014"),
            (2015, "19/02/2015"),
            (2016, "08/02/2016"),
            (2017, "28/01/2017"),
            (2018, "16/02/2018"),
            (2019, "05/02/2019"),
            (2020, "25/01/2020"),
            (2021, "12/02/2021"),
            (2022, "01/02/2022"),
            (2023, "22/01/2023"),
            (2024, "10/02/2024"),
            (2025, "29/01/2025"),
            (2026, "17/02/2026"),
            (2027, "06/02/2027"),
            (2028, "26/01/2028"),
        ];
        for (year, date) in known {
            assert_eq!(tet(year), Some(d(date)), "Tết {year}");
            assert_eq!(solar_to_lunar(d(date)), Some(lunar(year, 1, 1, false)));
        }
        assert_eq!(d("10/02/2024").weekday_vn(), "Thứ Bảy");
    }

    #[test]
    fn hung_kings_day_falls_on_the_known_dates() {
        for (year, date) in [(2023, "29/04/2023"), (2024, "18/04/2024"), (2025, "07/04/2025"), (2026, "26/04/2026")] {
            assert_eq!(lunar_to_solar(year, 3, 10, false), Some(d(date)));
            assert_eq!(solar_to_lunar(d(date)), Some(lunar(year, 3, 10, false)));
        }
    }

    #[test]
    fn leap_months_are_placed_where_the_almanac_has_them() {
        assert_eq!(leap_month(2012), Some(4));
        assert_eq!(leap_month(2014), Some(9));
        assert_eq!(leap_month(2017), Some(6));
        assert_eq!(leap_month(2020), Some(4));
        assert_eq!(leap_month(2023), Some(2));
        assert_eq!(leap_month(2024), None);
        assert_eq!(leap_month(2025), Some(6));
        assert_eq!(leap_month(2026), None);
        // 2033 repeats month 11: the frame logic must attribute it to lunar year 2033.
        assert_eq!(leap_month(2033), Some(11));
        assert_eq!(leap_month(2034), None);
        // 1984–85: Vietnam (UTC+7) put the leap month in 1985 (month 2), not in 1984 (China: 10).
        assert_eq!(leap_month(1984), None);
        assert_eq!(leap_month(1985), Some(2));
        // 2023: month 2 began 20/02, its leap repeat 22/03 (new moon 21/03 17:23 UTC = 00:23 at
        // UTC+7), month 3 on 20/04.
        assert_eq!(lunar_to_solar(2023, 2, 1, false), Some(d("20/02/2023")));
        assert_eq!(lunar_to_solar(2023, 2, 1, true), Some(d("22/03/2023")));
        assert_eq!(lunar_to_solar(2023, 3, 1, false), Some(d("20/04/2023")));
        assert_eq!(solar_to_lunar(d("22/03/2023")), Some(lunar(2023, 2, 1, true)));
        // 2025: month 6 began 25/06, its leap repeat 25/07.
        assert_eq!(lunar_to_solar(2025, 6, 1, false), Some(d("25/06/2025")));
        assert_eq!(lunar_to_solar(2025, 6, 1, true), Some(d("25/07/2025")));
        // A leap month the year does not have.
        assert_eq!(lunar_to_solar(2024, 6, 1, true), None);
    }

    #[test]
    fn last_days_of_the_lunar_year_are_months_eleven_and_twelve() {
        // Tết 2024 was preceded by 30 tháng Chạp (09/02/2024); 2025 had no 30 Tết.
        assert_eq!(solar_to_lunar(d("09/02/2024")), Some(lunar(2023, 12, 30, false)));
        assert_eq!(solar_to_lunar(d("28/01/2025")), Some(lunar(2024, 12, 29, false)));
        assert_eq!(lunar_to_solar(2024, 12, 30, false), None);
        assert_eq!(solar_to_lunar(d("22/12/2024")), Some(lunar(2024, 11, 22, false)));
    }

    #[test]
    fn lunar_dates_display_in_vietnamese() {
        assert_eq!(solar_to_lunar(d("18/04/2024")).unwrap().to_string(), "ngày 10 tháng 3 năm 2024 âm lịch");
        assert_eq!(lunar(2023, 2, 1, true).to_string(), "ngày 1 tháng 2 nhuận năm 2023 âm lịch");
    }

    #[test]
    fn impossible_lunar_dates_are_refused() {
        assert_eq!(lunar_to_solar(2024, 0, 1, false), None);
        assert_eq!(lunar_to_solar(2024, 13, 1, false), None);
        assert_eq!(lunar_to_solar(2024, 1, 0, false), None);
        assert_eq!(lunar_to_solar(2024, 1, 31, false), None);
        assert_eq!(lunar_to_solar(i32::MIN, 1, 1, false), None);
        assert_eq!(lunar_to_solar(i32::MAX, 12, 1, false), None);
        assert_eq!(solar_to_lunar(d("01/01/0999")), None);
        assert_eq!(leap_month(i32::MAX), None);
    }

    #[test]
    fn every_year_from_1900_to_2100_is_well_formed() {
        for year in 1900..=2100 {
            let tet_day = tet(year).unwrap();
            assert!(
                tet_day >= d(&format!("20/01/{year}")) && tet_day <= d(&format!("21/02/{year}")),
                "Tết {year} on {tet_day}"
            );
            let leap = leap_month(year);
            let mut months: Vec<(u32, bool)> = Vec::new();
            for month in 1..=12 {
                months.push((month, false));
                if leap == Some(month) {
                    months.push((month, true));
                }
            }
            let mut start = tet_day;
            for (month, is_leap) in months {
                assert_eq!(lunar_to_solar(year, month, 1, is_leap), Some(start), "{year}-{month}{is_leap}");
                let length = if lunar_to_solar(year, month, 30, is_leap).is_some() { 30 } else { 29 };
                assert!(lunar_to_solar(year, month, 29, is_leap).is_some());
                start = start.add_days(length);
            }
            assert_eq!(Some(start), tet(year + 1), "year {year} closes on Tết");
        }
    }

    proptest! {
        #[test]
        fn solar_lunar_solar_round_trips(offset in 0i64..73_415) {
            // 01/01/1900 + offset covers 1900–2100.
            let date = d("01/01/1900").add_days(offset);
            let lunar = solar_to_lunar(date).unwrap();
            prop_assert_eq!(
                lunar_to_solar(lunar.year, lunar.month, lunar.day, lunar.leap),
                Some(date)
            );
        }

        #[test]
        fn lunar_solar_lunar_round_trips(
            year in 1901i32..=2100,
            month in 1u32..=12,
            day in 1u32..=30,
            leap in any::<bool>(),
        ) {
            match lunar_to_solar(year, month, day, leap) {
                Some(date) => prop_assert_eq!(
                    solar_to_lunar(date),
                    Some(LunarDate { year, month, day, leap })
                ),
                None => prop_assert!(day == 30 || leap),
            }
        }

        #[test]
        fn conversions_never_panic(days in -100_000_000i64..100_000_000, month in any::<u32>(),
            day in any::<u32>(), year in any::<i32>(), leap in any::<bool>()) {
            if let Some(date) = Date::from_julian_day_number(days) {
                let _ = solar_to_lunar(date);
            }
            let _ = lunar_to_solar(year, month, day, leap);
            let _ = lunar_to_solar(year.rem_euclid(2_100), month % 14, day % 32, leap);
            let _ = leap_month(year);
        }
    }
}
