//! The command line's clock, read here at the edge and nowhere else in the binary.
//!
//! `CCHC_TODAY` (dd/mm/yyyy or ISO) fixes "now" to 10:00 of that day in Vietnam, for
//! reproducible runs and worked examples (deadlines, on-time receipts, document dates).

use cchc_domain::{Date, Timestamp};

/// The system clock, or 10:00 in Vietnam on `CCHC_TODAY` when it is set to a valid date.
pub fn now() -> Timestamp {
    if let Some(day) = std::env::var("CCHC_TODAY").ok().and_then(|v| Date::parse(&v).ok()) {
        let days = day.julian_day_number() - 2_440_588;
        return Timestamp::from_unix_seconds(days * 86_400 + 3 * 3600);
    }
    system_now()
}

/// The system clock, whatever `CCHC_TODAY` says (what the web server runs on).
pub fn system_now() -> Timestamp {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    Timestamp::from_unix_seconds(seconds)
}

/// Today's date in Vietnam (UTC+7), honouring `CCHC_TODAY`.
pub fn today() -> Date {
    now().date_in_vietnam()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_day_is_that_day_in_vietnam() {
        // 10:00 in Vietnam is 03:00 UTC of the same day.
        let day = Date::parse("20/06/2024").unwrap_or(Date::MIN);
        let days = day.julian_day_number() - 2_440_588;
        let at = Timestamp::from_unix_seconds(days * 86_400 + 3 * 3600);
        assert_eq!(at.date_in_vietnam(), day);
        assert_eq!(at.rfc3339(), "2024-06-20T03:00:00Z");
    }
}
