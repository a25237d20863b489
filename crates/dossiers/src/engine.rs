//! The fast engine: per-agency, per-day counters from which every window's [`Counts`] follow by
//! prefix sums, exactly as [`cchc_domain::dossier::tally`] would count them dossier by dossier.
//!
//! Why this works (`docs/dossiers.md` §2). For validated data a dossier's receipt is not after
//! its end, and what the rules decide per dossier does not depend on the window except through
//! three days:
//!
//! - its **receipt day** R: received in `[from, to]` ⇔ `from ≤ R ≤ to`; the "received" shares
//!   (online, fees, digitised, rated, wrong appointment …) are fixed per dossier;
//! - its **end day** E (end of processing, `None` while open): ended in the window ⇔
//!   `from ≤ E ≤ to`, and its timeliness (early / on time / late, supplement time excluded) is
//!   fixed once ended; carried over = received before `from` − ended before `from`; open at the
//!   window's end = received by `to` − ended by `to`;
//! - its **overdue day** O: the first day `t` such that, still open at 23:59:59 of `t`, it is
//!   overdue. `t ↦ t − pause(t)` does not decrease, so an open dossier is overdue at `to` exactly
//!   when `O ≤ to`; "open and overdue at `to`" = #{O ≤ to} − #{max(O, E) ≤ to}.
//!
//! So each dossier adds 1 to a few counters at those days ([`Footprint`]); a window is two
//! prefix sums per agency (O(agencies × days), a few milliseconds for a year), and a replaced
//! dossier is taken out by subtracting its old footprint. The equivalence with `tally` is
//! tested on generated data for many windows.

use cchc_domain::dossier::{
    appointment_of, classify, end_of_processing, wrong_appointment, Channel, Counts, DayNum, Dossier, DossierFlags,
    OnlineLevel, Payment, State, Status, Timeliness, Window, WorkdayIndex,
};

/// Counters by receipt day.
const RECEIVED: usize = 0;
const NO_APPOINTMENT_RECEIVED: usize = 1;
const ONLINE: usize = 2;
const ONLINE_FULL: usize = 3;
const FEE: usize = 4;
const PAID_ONLINE: usize = 5;
const DIGITIZED: usize = 6;
const ELECTRONIC: usize = 7;
const DIGITIZED_WITH_RESULT: usize = 8;
const REUSED: usize = 9;
const RATED: usize = 10;
const SATISFIED: usize = 11;
const CHECKED: usize = 12;
const WRONG: usize = 13;
/// Counters by end day.
const ENDED: usize = 14;
const WITHDRAWN: usize = 15;
const EARLY: usize = 16;
const ON_TIME: usize = 17;
const LATE: usize = 18;
/// Ended, not withdrawn, without an appointment.
const NO_APPOINTMENT_ENDED: usize = 19;
/// Ended without an appointment (withdrawn included): leaves the open no-appointment count.
const NO_APPOINTMENT_CLOSED: usize = 20;
const LATE_WITHOUT_APOLOGY: usize = 21;
const LATE_OR_DISSATISFIED: usize = 22;
/// By overdue day.
const OVERDUE: usize = 23;
/// By max(overdue day, end day).
const OVERDUE_CLOSED: usize = 24;

/// Number of counters per agency and day.
pub const COUNTERS: usize = 25;

/// What one dossier adds to the counters: which counters at which day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footprint {
    pub agency: u32,
    pub received: DayNum,
    /// Bits of the receipt-day counters (0–13).
    pub received_bits: u16,
    pub end: Option<DayNum>,
    /// Bits of the end-day counters (14–22), shifted down by 14.
    pub end_bits: u16,
    pub overdue: Option<DayNum>,
}

/// The footprint of `d`; `None` for a dossier no window counts (status 1, or no receipt).
pub fn footprint(d: &Dossier, index: &WorkdayIndex) -> Option<Footprint> {
    let received = match d.received {
        Some(received) if d.status != Status::Registered => received,
        _ => return None,
    };
    let appointment = appointment_of(d, index);
    let mut bits = 1u16 << RECEIVED;
    let mut set = |counter: usize, on: bool| bits |= u16::from(on) << counter;
    set(NO_APPOINTMENT_RECEIVED, appointment.is_none());
    set(ONLINE, d.channel == Some(Channel::Online));
    set(ONLINE_FULL, d.online == OnlineLevel::Full);
    let fee = d.flags.contains(DossierFlags::FEE);
    set(FEE, fee);
    set(PAID_ONLINE, fee && d.payment != Payment::NotOnline);
    let digitized = d.flags.contains(DossierFlags::DIGITIZED);
    let electronic = d.flags.contains(DossierFlags::ELECTRONIC_RESULT);
    set(DIGITIZED, digitized);
    set(ELECTRONIC, electronic);
    set(DIGITIZED_WITH_RESULT, digitized && electronic);
    set(REUSED, d.flags.contains(DossierFlags::REUSED));
    set(RATED, d.rating.is_some());
    set(SATISFIED, d.rating.is_some_and(|r| r.is_satisfied()));
    let wrong = wrong_appointment(d, index);
    set(CHECKED, wrong.is_some());
    set(WRONG, wrong == Some(true));

    let end = end_of_processing(d);
    let mut end_bits = 0u16;
    if let Some(end) = end {
        let mut set = |counter: usize, on: bool| end_bits |= u16::from(on) << (counter - ENDED);
        set(ENDED, true);
        set(NO_APPOINTMENT_CLOSED, appointment.is_none());
        // The state of an ended dossier does not depend on the window: judge it in the window
        // of its end day.
        let state = Window::new(end.day(), end.day()).map(|w| classify(d, w, index).state);
        match state {
            Some(State::Withdrawn) => set(WITHDRAWN, true),
            Some(State::NoAppointment) => set(NO_APPOINTMENT_ENDED, true),
            Some(State::Resolved(timeliness)) => {
                let late = timeliness == Timeliness::Late;
                set(EARLY, timeliness == Timeliness::Early);
                set(ON_TIME, timeliness == Timeliness::OnTime);
                set(LATE, late);
                set(LATE_WITHOUT_APOLOGY, late && !d.flags.contains(DossierFlags::APOLOGY));
                set(LATE_OR_DISSATISFIED, late || d.rating.is_some_and(|r| r.is_dissatisfied()));
            }
            // An end before the receipt (the reader quarantines it): counted as ended only.
            _ => {}
        }
    }
    let overdue = appointment.and_then(|a| overdue_day(d, a.seconds())).map(|o| o.max(received.day()));
    Some(Footprint {
        agency: d.agency.0,
        received: received.day(),
        received_bits: bits,
        end: end.map(|e| e.day()),
        end_bits,
        overdue,
    })
}

/// The first day at whose 23:59:59 the dossier, if still open, is overdue (rule 6); `None` when
/// it never would be (a supplement still awaited that was requested in time).
fn overdue_day(d: &Dossier, appointment: u32) -> Option<DayNum> {
    const DAY: u64 = 86_400;
    let day = |seconds: u64| u32::try_from(seconds / DAY).ok().map(DayNum::new);
    if d.supplements > 1 {
        return d.received.map(|r| r.day());
    }
    let a = u64::from(appointment);
    // The first day whose end is after the appointment.
    let first = (a + 1) / DAY;
    let first_end = first * DAY + DAY - 1;
    match d.supplement_request.map(|r| u64::from(r.seconds())) {
        // The clock still runs at that day's end: overdue from then on.
        None => day(a + 1),
        Some(request) if request >= first_end => day(a + 1),
        Some(request) if request > a => day(a + 1),
        Some(request) => {
            // Paused at the request, before the appointment: overdue only once the pause ends
            // and the time lost is made up.
            let completion = u64::from(d.supplement_completion?.seconds());
            let pause = completion.saturating_sub(request);
            day(a + pause + 1)
        }
    }
}

/// Counters per agency and day over a range of days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aggregates {
    first: u32,
    days: u32,
    agencies: u32,
    /// `((agency × days) + day − first) × COUNTERS + counter`.
    cells: Vec<u32>,
}

impl Aggregates {
    pub fn agencies(&self) -> usize {
        self.agencies as usize
    }

    /// First day and number of days covered.
    pub fn range(&self) -> (DayNum, u32) {
        (DayNum::new(self.first), self.days)
    }

    /// Makes room for `agency` and the days `lo..=hi`, rounded out to whole years.
    fn ensure(&mut self, agency: u32, lo: u32, hi: u32) {
        let (first, last) =
            if self.days == 0 { (lo, hi) } else { (self.first.min(lo), (self.first + self.days - 1).max(hi)) };
        let agencies = self.agencies.max(agency + 1);
        if self.days != 0 && first == self.first && last == self.first + self.days - 1 && agencies == self.agencies {
            return;
        }
        let year_start = |d: u32| {
            let (y, _, _) = DayNum::new(d).ymd();
            DayNum::from_ymd(y, 1, 1).map_or(d, DayNum::get)
        };
        let year_end = |d: u32| {
            let (y, _, _) = DayNum::new(d).ymd();
            DayNum::from_ymd(y, 12, 31).map_or(d, DayNum::get)
        };
        let (first, last) = if self.days != 0 && first == self.first && last == self.first + self.days - 1 {
            (first, last)
        } else {
            (year_start(first), year_end(last))
        };
        let days = last - first + 1;
        let mut cells = vec![0u32; agencies as usize * days as usize * COUNTERS];
        for a in 0..self.agencies as usize {
            for d in 0..self.days as usize {
                let from = (a * self.days as usize + d) * COUNTERS;
                let to = (a * days as usize + d + (self.first - first) as usize) * COUNTERS;
                cells[to..to + COUNTERS].copy_from_slice(&self.cells[from..from + COUNTERS]);
            }
        }
        *self = Aggregates { first, days, agencies, cells };
    }

    fn bump(&mut self, agency: u32, day: DayNum, counter: usize, add: bool) {
        let i = (agency as usize * self.days as usize + (day.get() - self.first) as usize) * COUNTERS + counter;
        if let Some(cell) = self.cells.get_mut(i) {
            *cell = if add { cell.wrapping_add(1) } else { cell.wrapping_sub(1) };
        }
    }

    /// Adds (`add`) or takes out a dossier's footprint.
    pub fn apply(&mut self, f: &Footprint, add: bool) {
        let mut lo = f.received.get();
        let mut hi = lo;
        for day in [f.end, f.overdue].into_iter().flatten() {
            lo = lo.min(day.get());
            hi = hi.max(day.get());
        }
        self.ensure(f.agency, lo, hi);
        for counter in 0..ENDED {
            if f.received_bits & (1 << counter) != 0 {
                self.bump(f.agency, f.received, counter, add);
            }
        }
        if let Some(end) = f.end {
            for counter in ENDED..OVERDUE {
                if f.end_bits & (1 << (counter - ENDED)) != 0 {
                    self.bump(f.agency, end, counter, add);
                }
            }
        }
        if let Some(overdue) = f.overdue {
            self.bump(f.agency, overdue, OVERDUE, add);
            if let Some(end) = f.end {
                self.bump(f.agency, end.max(overdue), OVERDUE_CLOSED, add);
            }
        }
    }

    /// The counts of every agency index for `window`.
    pub fn query(&self, window: Window) -> Vec<Counts> {
        (0..self.agencies).map(|a| self.query_agency(a, window)).collect()
    }

    fn query_agency(&self, agency: u32, window: Window) -> Counts {
        let mut before = [0u64; COUNTERS];
        let mut upto = [0u64; COUNTERS];
        let days = self.days as usize;
        let base = agency as usize * days * COUNTERS;
        for d in 0..days {
            let day = self.first + d as u32;
            if day > window.to().get() {
                break;
            }
            let row = &self.cells[base + d * COUNTERS..base + (d + 1) * COUNTERS];
            let target = if day < window.from().get() { &mut before } else { &mut upto };
            for (sum, &cell) in target.iter_mut().zip(row) {
                *sum = sum.wrapping_add(u64::from(cell));
            }
        }
        // `upto` holds the window's days only; the cumulative sums are before + upto.
        let inside = |c: usize| upto[c];
        let through = |c: usize| before[c].wrapping_add(upto[c]);
        let open = through(RECEIVED).wrapping_sub(through(ENDED));
        let overdue = through(OVERDUE).wrapping_sub(through(OVERDUE_CLOSED));
        let open_without = through(NO_APPOINTMENT_RECEIVED).wrapping_sub(through(NO_APPOINTMENT_CLOSED));
        Counts {
            received: inside(RECEIVED),
            carried_over: before[RECEIVED].wrapping_sub(before[ENDED]),
            resolved_early: inside(EARLY),
            resolved_on_time: inside(ON_TIME),
            resolved_late: inside(LATE),
            in_progress_within: open.wrapping_sub(overdue).wrapping_sub(open_without),
            in_progress_overdue: overdue,
            withdrawn: inside(WITHDRAWN),
            no_appointment: inside(NO_APPOINTMENT_ENDED).wrapping_add(open_without),
            online: inside(ONLINE),
            online_full: inside(ONLINE_FULL),
            fee_required: inside(FEE),
            paid_online: inside(PAID_ONLINE),
            digitized: inside(DIGITIZED),
            electronic_result: inside(ELECTRONIC),
            digitized_with_result: inside(DIGITIZED_WITH_RESULT),
            reused: inside(REUSED),
            rated: inside(RATED),
            satisfied: inside(SATISFIED),
            resolved_late_or_dissatisfied: inside(LATE_OR_DISSATISFIED),
            late_without_apology: inside(LATE_WITHOUT_APOLOGY),
            wrong_appointment: inside(WRONG),
            appointment_checked: inside(CHECKED),
        }
    }

    /// Adds every counter of `other` (same shape or not) into `self`.
    pub fn merge(&mut self, other: &Aggregates) {
        if other.days == 0 {
            return;
        }
        self.ensure(other.agencies.saturating_sub(1), other.first, other.first + other.days - 1);
        for a in 0..other.agencies as usize {
            for d in 0..other.days as usize {
                let from = (a * other.days as usize + d) * COUNTERS;
                let to = (a * self.days as usize + d + (other.first - self.first) as usize) * COUNTERS;
                for (cell, &add) in self.cells[to..to + COUNTERS].iter_mut().zip(&other.cells[from..from + COUNTERS]) {
                    *cell = cell.wrapping_add(add);
                }
            }
        }
    }

    /// Little-endian bytes: magic, first day, days, agencies, then the cells.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(20 + self.cells.len() * 4);
        out.extend_from_slice(MAGIC);
        for v in [self.first, self.days, self.agencies] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for cell in &self.cells {
            out.extend_from_slice(&cell.to_le_bytes());
        }
        out
    }

    /// `None` when the bytes are not an aggregates file of this version.
    pub fn from_bytes(bytes: &[u8]) -> Option<Aggregates> {
        let rest = bytes.strip_prefix(MAGIC)?;
        let word = |i: usize| rest.get(i * 4..i * 4 + 4).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes);
        let (first, days, agencies) = (word(0)?, word(1)?, word(2)?);
        let count = (days as usize).checked_mul(agencies as usize)?.checked_mul(COUNTERS)?;
        let body = rest.get(12..)?;
        if body.len() != count * 4 {
            return None;
        }
        let cells = body.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        Some(Aggregates { first, days, agencies, cells })
    }
}

const MAGIC: &[u8; 8] = b"CCHCAGG1";

/// The aggregates of a set of records, built on `threads` threads.
pub fn aggregate(records: &[Dossier], index: &WorkdayIndex, threads: usize) -> Aggregates {
    let threads = threads.max(1);
    let chunk = records.len().div_ceil(threads).max(1);
    let build = |part: &[Dossier]| {
        let mut aggregates = Aggregates::default();
        for d in part {
            if let Some(f) = footprint(d, index) {
                aggregates.apply(&f, true);
            }
        }
        aggregates
    };
    if threads == 1 || records.len() < 2 {
        return build(records);
    }
    let parts: Vec<Aggregates> = std::thread::scope(|scope| {
        let handles: Vec<_> = records.chunks(chunk).map(|part| scope.spawn(move || build(part))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    let mut total = Aggregates::default();
    for part in &parts {
        total.merge(part);
    }
    total
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::{generate, read, Format, GeneratorConfig, ReadOptions};
    use cchc_domain::calendar::WorkCalendar;
    use cchc_domain::dossier::tally;

    #[test]
    fn the_engine_counts_like_tally_for_any_window() {
        let calendar = WorkCalendar::vietnam();
        let agencies: Vec<String> = (0..7).map(|i| format!("ag-{i}")).collect();
        let config = GeneratorConfig { rows: 30_000, seed: 7, year: 2024, agencies: &agencies };
        let mut bytes = Vec::new();
        generate(&config, &calendar, Format::Csv, &mut bytes).unwrap();
        let set = read(&bytes, Format::Csv, &ReadOptions::default()).unwrap().set;
        let index = WorkdayIndex::for_years(&calendar, 2023, 2026);
        let aggregates = aggregate(&set.records, &index, 2);
        let mut seed = 99u64;
        let mut next = |n: u32| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            ((seed >> 33) % u64::from(n)) as u32
        };
        let jan1 = DayNum::from_ymd(2024, 1, 1).unwrap().get();
        let mut windows: Vec<Window> = (0..40)
            .map(|_| {
                let from = jan1 - 20 + next(420);
                Window::new(DayNum::new(from), DayNum::new(from + next(120))).unwrap()
            })
            .collect();
        windows.push(Window::new(DayNum::new(jan1), DayNum::new(jan1 + 365)).unwrap());
        windows.push(Window::new(DayNum::new(jan1 + 100), DayNum::new(jan1 + 100)).unwrap());
        for window in windows {
            let mut expected = vec![Counts::default(); set.agencies.len()];
            for d in &set.records {
                tally(d, window, &index, &mut expected[d.agency.0 as usize]);
            }
            assert_eq!(aggregates.query(window), expected, "{window:?}");
        }
    }

    #[test]
    fn taking_a_footprint_out_restores_the_counters_and_bytes_round_trip() {
        let calendar = WorkCalendar::vietnam();
        let agencies: Vec<String> = (0..3).map(|i| format!("ag-{i}")).collect();
        let config = GeneratorConfig { rows: 2_000, seed: 3, year: 2024, agencies: &agencies };
        let mut bytes = Vec::new();
        generate(&config, &calendar, Format::Csv, &mut bytes).unwrap();
        let set = read(&bytes, Format::Csv, &ReadOptions::default()).unwrap().set;
        let index = WorkdayIndex::for_years(&calendar, 2023, 2026);
        let (head, tail) = set.records.split_at(1_500);
        let mut aggregates = aggregate(head, &index, 1);
        let before = aggregates
            .query(Window::new(DayNum::from_ymd(2024, 1, 1).unwrap(), DayNum::from_ymd(2024, 6, 30).unwrap()).unwrap());
        let whole = aggregate(&set.records, &index, 1);
        for d in tail {
            aggregates.apply(&footprint(d, &index).unwrap(), true);
        }
        let window =
            Window::new(DayNum::from_ymd(2024, 1, 1).unwrap(), DayNum::from_ymd(2024, 6, 30).unwrap()).unwrap();
        assert_eq!(aggregates.query(window), whole.query(window));
        for d in tail {
            aggregates.apply(&footprint(d, &index).unwrap(), false);
        }
        assert_eq!(aggregates.query(window), before);
        assert_eq!(Aggregates::from_bytes(&whole.to_bytes()), Some(whole.clone()));
        assert_eq!(Aggregates::from_bytes(b"nonsense"), None);
    }
}
