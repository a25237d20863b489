//! What happened to one dossier in one data window, and the counts per agency.
//!
//! The rules follow the national portal's published description of the 766 formulas
//! (indicator 2.1, «Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn»; transcribed in the public repository
//! ChippedTopaz/qd766, `web/src/formula-document.ts`) and are restated in `docs/dossiers.md`:
//!
//! - **End of processing** ([`end_of_processing`]): the time of «đã xử lý xong» (status 9), else
//!   of «đã trả kết quả» (10), else of «dừng xử lý / từ chối» (8 / 3) — `NgayKetThucXuLy` when
//!   synchronised, else `NgayTra`. A withdrawal (7) ends the dossier the same way but is counted
//!   apart. A dossier waiting for the applicant's supplement (5) ends at the request.
//! - **Supplement time is excluded** ([`supplement_pause`]): the time between the supplement
//!   request and its completion is subtracted from the end of processing before it is compared
//!   with the appointment («Thời gian kết thúc xử lý hồ sơ = Thời gian kết thúc xử lý − Thời gian
//!   bổ sung hồ sơ»). **More than one request is late** whatever the times.
//! - **Early / on time / late** ([`Timeliness`]): late when the (reduced) end is after the
//!   appointment (`NgayHenTra`) to the second; otherwise early when its date is before the
//!   appointment's date, else on time.
//! - **No end**: the window's end is used. Open at the window's end, a dossier is *overdue* when
//!   its appointment is before that instant (supplement time excluded the same way).

use super::workday::WorkdayIndex;
use super::{Channel, Payment};
use super::{DayNum, Dossier, DossierFlags, Moment, OnlineLevel, Status};

/// A data window: the days `from..=to`, from 00:00:00 of the first to 23:59:59 of the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    from: DayNum,
    to: DayNum,
}

impl Window {
    /// `None` when `to` is before `from`.
    pub fn new(from: DayNum, to: DayNum) -> Option<Window> {
        (from <= to).then_some(Window { from, to })
    }
    pub fn from(self) -> DayNum {
        self.from
    }
    pub fn to(self) -> DayNum {
        self.to
    }
    /// 00:00:00 of the first day.
    pub fn start(self) -> Moment {
        self.from.start()
    }
    /// 23:59:59 of the last day: the "period's end" used for dossiers without an end.
    pub fn end(self) -> Moment {
        self.to.end()
    }
}

/// How a dossier that ended was judged against its appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timeliness {
    /// Ended on a date before the appointment's date.
    Early,
    /// Ended on the appointment's date, at or before its time.
    OnTime,
    /// Ended after the appointment, or had more than one supplement request.
    Late,
}

/// Where the dossier stands in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Not part of the window: never received (status 1), received after it, or ended before it.
    Outside,
    /// Ended in the window (processed, returned, refused, stopped, or waiting for a supplement).
    Resolved(Timeliness),
    /// Withdrawn by the applicant in the window (not among the resolved).
    Withdrawn,
    /// Not ended at the window's end; `overdue` when the appointment was before it.
    InProgress { overdue: bool },
    /// Ended or open in the window, but no appointment could be determined (neither
    /// `NgayHenTra` nor a legal limit the working-day index covers).
    NoAppointment,
}

/// The outcome of one dossier for one window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Outcome {
    /// Received in the window.
    pub received: bool,
    /// Received before the window and not ended at its start.
    pub carried_over: bool,
    pub state: State,
}

/// The end of processing, before supplement time is subtracted; `None` while the dossier is
/// open (statuses 1, 2, 4, 6, or a final status without any timestamp).
pub fn end_of_processing(d: &Dossier) -> Option<Moment> {
    match d.status {
        Status::Processed | Status::Returned | Status::Refused | Status::Stopped | Status::Withdrawn => {
            d.processed.or(d.returned)
        }
        Status::SupplementRequested => d.supplement_request,
        Status::Registered | Status::Received | Status::Processing | Status::FinancialObligation => None,
    }
}

/// Supplement time up to `until`, in seconds: from the first request to its completion (or to
/// `until` while the applicant has not completed it), counting only what lies before `until`.
pub fn supplement_pause(d: &Dossier, until: Moment) -> u32 {
    match d.supplement_request {
        Some(request) if request < until => {
            let stop = d.supplement_completion.map_or(until, |done| done.min(until));
            stop.seconds().saturating_sub(request.seconds())
        }
        _ => 0,
    }
}

/// The appointment the rules compare with: `NgayHenTra`, or when it was not synchronised the end
/// of the legal appointment day (receipt + `ThoiHanGiaiQuyet` working days).
pub fn appointment_of(d: &Dossier, index: &WorkdayIndex) -> Option<Moment> {
    if d.appointment.is_some() {
        return d.appointment;
    }
    let received = d.received?;
    let limit = d.limit_days?;
    index.add_working_days(received.day(), u32::from(limit)).map(DayNum::end)
}

fn timeliness(d: &Dossier, end: Moment, appointment: Moment) -> Timeliness {
    if d.supplements > 1 {
        return Timeliness::Late;
    }
    let end = end.minus(supplement_pause(d, end));
    if end > appointment {
        Timeliness::Late
    } else if end.day() < appointment.day() {
        Timeliness::Early
    } else {
        Timeliness::OnTime
    }
}

/// The outcome of `d` in `window`. Total: every record, however inconsistent, has one.
pub fn classify(d: &Dossier, window: Window, index: &WorkdayIndex) -> Outcome {
    const OUTSIDE: Outcome = Outcome { received: false, carried_over: false, state: State::Outside };
    let received = match d.received {
        Some(received) if d.status != Status::Registered && received <= window.end() => received,
        _ => return OUTSIDE,
    };
    let end = end_of_processing(d);
    if end.is_some_and(|end| end < window.start()) {
        return OUTSIDE;
    }
    let received_in = received >= window.start();
    let outcome = |state| Outcome { received: received_in, carried_over: !received_in, state };
    let ended = end.filter(|&end| end <= window.end());
    if let (Some(_), Status::Withdrawn) = (ended, d.status) {
        return outcome(State::Withdrawn);
    }
    let Some(appointment) = appointment_of(d, index) else {
        return outcome(State::NoAppointment);
    };
    let state = match ended {
        Some(end) => State::Resolved(timeliness(d, end, appointment)),
        None => {
            let now = window.end();
            let overdue = d.supplements > 1 || now.minus(supplement_pause(d, now)) > appointment;
            State::InProgress { overdue }
        }
    };
    outcome(state)
}

/// Whether the synchronised appointment date is wrong: on a day off, or neither the legal date
/// (receipt + `ThoiHanGiaiQuyet` working days, the day of receipt not counted) nor — when a
/// supplement was completed — the legal date pushed back by the supplement's working days (those
/// after the request's day up to and including the completion's day). `None` when it cannot be
/// judged: no synchronised appointment, no limit, or dates outside the index.
pub fn wrong_appointment(d: &Dossier, index: &WorkdayIndex) -> Option<bool> {
    let appointment = d.appointment?.day();
    let received = d.received?.day();
    let limit = u32::from(d.limit_days?);
    if !index.is_working(appointment)? {
        return Some(true);
    }
    let legal = index.add_working_days(received, limit)?;
    if appointment == legal {
        return Some(false);
    }
    if let (Some(request), Some(done)) = (d.supplement_request, d.supplement_completion) {
        let pause = index.working_days_after(request.day(), done.day())?;
        if pause > 0 && index.add_working_days(received, limit.saturating_add(pause)) == Some(appointment) {
            return Some(false);
        }
    }
    Some(true)
}

/// The counts of one agency (or any group of dossiers) for one window. Every field is a number
/// of dossiers; rates are formed only when scoring, as Σ numerators ÷ Σ denominators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Counts {
    /// Received in the window (denominator of the shares below, up to `wrong_appointment`).
    pub received: u64,
    /// Received before the window and not ended at its start.
    pub carried_over: u64,
    /// Ended in the window on a date before the appointment date.
    pub resolved_early: u64,
    /// Ended in the window on the appointment date, at or before its time.
    pub resolved_on_time: u64,
    /// Ended in the window after the appointment, or with more than one supplement request.
    pub resolved_late: u64,
    /// Open at the window's end, appointment not yet passed.
    pub in_progress_within: u64,
    /// Open at the window's end, appointment passed.
    pub in_progress_overdue: u64,
    /// Withdrawn by the applicant in the window.
    pub withdrawn: u64,
    /// Part of the window but without any appointment (neither synchronised nor derivable).
    pub no_appointment: u64,
    /// Received in the window online (`KenhThucHien` = 2).
    pub online: u64,
    /// Received in the window as a fully online service (`LoaiDVCTT` = 2).
    pub online_full: u64,
    /// Received in the window, for a procedure with fees or charges.
    pub fee_required: u64,
    /// Of those with fees, paid online (national portal or provincial gateway).
    pub paid_online: u64,
    /// Received in the window with digitised documents (`HoSoCoThanhPhanSoHoa`).
    pub digitized: u64,
    /// Received in the window with an electronic result (`KetQuaDienTu`).
    pub electronic_result: u64,
    /// Received in the window with both digitised documents and an electronic result (766
    /// indicator 4.2).
    pub digitized_with_result: u64,
    /// Received in the window reusing digitised data (`TaiSuDungDuLieu`).
    pub reused: u64,
    /// Received in the window and rated (`DanhGia` 1–5).
    pub rated: u64,
    /// Of the rated, rated 4 or 5.
    pub satisfied: u64,
    /// Resolved in the window and late or rated 1–2 (766 indicator 5.4's deductions).
    pub resolved_late_or_dissatisfied: u64,
    /// Resolved late in the window without a written apology (`PhieuXinLoi`).
    pub late_without_apology: u64,
    /// Received in the window whose synchronised appointment date is wrong.
    pub wrong_appointment: u64,
    /// Received in the window whose appointment date could be checked.
    pub appointment_checked: u64,
}

impl Counts {
    /// Each count of `self` replaced by `f(self's, other's)`: the one place that lists every
    /// count (the destructuring fails to compile when a count is added and forgotten here).
    #[inline]
    fn combine(&mut self, other: &Counts, f: impl Fn(u64, u64) -> u64) {
        let Counts {
            received,
            carried_over,
            resolved_early,
            resolved_on_time,
            resolved_late,
            in_progress_within,
            in_progress_overdue,
            withdrawn,
            no_appointment,
            online,
            online_full,
            fee_required,
            paid_online,
            digitized,
            electronic_result,
            digitized_with_result,
            reused,
            rated,
            satisfied,
            resolved_late_or_dissatisfied,
            late_without_apology,
            wrong_appointment,
            appointment_checked,
        } = *other;
        self.received = f(self.received, received);
        self.carried_over = f(self.carried_over, carried_over);
        self.resolved_early = f(self.resolved_early, resolved_early);
        self.resolved_on_time = f(self.resolved_on_time, resolved_on_time);
        self.resolved_late = f(self.resolved_late, resolved_late);
        self.in_progress_within = f(self.in_progress_within, in_progress_within);
        self.in_progress_overdue = f(self.in_progress_overdue, in_progress_overdue);
        self.withdrawn = f(self.withdrawn, withdrawn);
        self.no_appointment = f(self.no_appointment, no_appointment);
        self.online = f(self.online, online);
        self.online_full = f(self.online_full, online_full);
        self.fee_required = f(self.fee_required, fee_required);
        self.paid_online = f(self.paid_online, paid_online);
        self.digitized = f(self.digitized, digitized);
        self.electronic_result = f(self.electronic_result, electronic_result);
        self.digitized_with_result = f(self.digitized_with_result, digitized_with_result);
        self.reused = f(self.reused, reused);
        self.rated = f(self.rated, rated);
        self.satisfied = f(self.satisfied, satisfied);
        self.resolved_late_or_dissatisfied = f(self.resolved_late_or_dissatisfied, resolved_late_or_dissatisfied);
        self.late_without_apology = f(self.late_without_apology, late_without_apology);
        self.wrong_appointment = f(self.wrong_appointment, wrong_appointment);
        self.appointment_checked = f(self.appointment_checked, appointment_checked);
    }

    /// Adds `other` into `self`: counts of disjoint sets of dossiers add up exactly.
    pub fn add(&mut self, other: &Counts) {
        self.combine(other, |a, b| a + b);
    }

    /// Takes out `other`, counts of dossiers among those of `self` (saturating at 0): a
    /// dossier counted by mistake leaves again.
    pub fn subtract(&mut self, other: &Counts) {
        self.combine(other, u64::saturating_sub);
    }

    /// Ended in the window (withdrawals excluded).
    pub fn resolved(&self) -> u64 {
        self.resolved_early + self.resolved_on_time + self.resolved_late
    }

    /// Open at the window's end.
    pub fn in_progress(&self) -> u64 {
        self.in_progress_within + self.in_progress_overdue
    }

    /// Dossiers handled in the window: received in it or carried over. Every one of them is
    /// resolved, withdrawn, in progress or without an appointment.
    pub fn handled(&self) -> u64 {
        self.received + self.carried_over
    }
}

/// Classifies `d` for `window` and adds it to `counts`.
pub fn tally(d: &Dossier, window: Window, index: &WorkdayIndex, counts: &mut Counts) {
    let outcome = classify(d, window, index);
    if outcome.received {
        counts.received += 1;
        let flags = d.flags;
        counts.online += u64::from(d.channel == Some(Channel::Online));
        counts.online_full += u64::from(d.online == OnlineLevel::Full);
        let fee = flags.contains(DossierFlags::FEE);
        counts.fee_required += u64::from(fee);
        counts.paid_online += u64::from(fee && d.payment != Payment::NotOnline);
        let digitized = flags.contains(DossierFlags::DIGITIZED);
        let electronic = flags.contains(DossierFlags::ELECTRONIC_RESULT);
        counts.digitized += u64::from(digitized);
        counts.electronic_result += u64::from(electronic);
        counts.digitized_with_result += u64::from(digitized && electronic);
        counts.reused += u64::from(flags.contains(DossierFlags::REUSED));
        if let Some(rating) = d.rating {
            counts.rated += 1;
            counts.satisfied += u64::from(rating.is_satisfied());
        }
        if let Some(wrong) = wrong_appointment(d, index) {
            counts.appointment_checked += 1;
            counts.wrong_appointment += u64::from(wrong);
        }
    }
    counts.carried_over += u64::from(outcome.carried_over);
    match outcome.state {
        State::Outside => {}
        State::Resolved(timeliness) => {
            let late = timeliness == Timeliness::Late;
            match timeliness {
                Timeliness::Early => counts.resolved_early += 1,
                Timeliness::OnTime => counts.resolved_on_time += 1,
                Timeliness::Late => counts.resolved_late += 1,
            }
            counts.late_without_apology += u64::from(late && !d.flags.contains(DossierFlags::APOLOGY));
            let dissatisfied = d.rating.is_some_and(|r| r.is_dissatisfied());
            counts.resolved_late_or_dissatisfied += u64::from(late || dissatisfied);
        }
        State::Withdrawn => counts.withdrawn += 1,
        State::InProgress { overdue: false } => counts.in_progress_within += 1,
        State::InProgress { overdue: true } => counts.in_progress_overdue += 1,
        State::NoAppointment => counts.no_appointment += 1,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::{AgencyIx, DossierRating};
    use super::*;
    use crate::calendar::WorkCalendar;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn index() -> &'static WorkdayIndex {
        static INDEX: OnceLock<WorkdayIndex> = OnceLock::new();
        INDEX.get_or_init(|| WorkdayIndex::for_years(&WorkCalendar::vietnam(), 2023, 2025))
    }

    /// "dd/mm hh:mm" in 2024.
    fn at(text: &str) -> Moment {
        let b = text.as_bytes();
        let n = |i: usize| u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0');
        Moment::from_parts(2024, n(3), n(0), n(6), n(9), 0).unwrap()
    }

    fn day(d: u32, m: u32) -> DayNum {
        DayNum::from_ymd(2024, m, d).unwrap()
    }

    /// January 2024.
    fn january() -> Window {
        Window::new(day(1, 1), day(31, 1)).unwrap()
    }

    /// Received Monday 15/01 09:00, appointment Thursday 18/01 17:00 (3 working days).
    fn dossier() -> Dossier {
        let mut d = Dossier::received_at(AgencyIx(0), at("15/01 09:00"), at("18/01 17:00"));
        d.limit_days = Some(3);
        d
    }

    fn processed(at_: Moment) -> Dossier {
        Dossier { status: Status::Returned, processed: Some(at_), returned: Some(at_.plus(86_400)), ..dossier() }
    }

    fn state(d: &Dossier) -> State {
        classify(d, january(), index()).state
    }

    #[test]
    fn early_on_time_and_late_by_date_and_time() {
        assert_eq!(state(&processed(at("17/01 16:00"))), State::Resolved(Timeliness::Early), "a day before");
        assert_eq!(state(&processed(at("18/01 08:00"))), State::Resolved(Timeliness::OnTime), "same day, earlier");
        assert_eq!(state(&processed(at("18/01 17:00"))), State::Resolved(Timeliness::OnTime), "at the very time");
        assert_eq!(state(&processed(at("18/01 17:01"))), State::Resolved(Timeliness::Late), "a minute after");
        assert_eq!(state(&processed(at("19/01 08:00"))), State::Resolved(Timeliness::Late), "next day");
    }

    #[test]
    fn the_end_is_processing_then_return_then_refusal() {
        // Processed on time, returned late: the processing time counts.
        let d = Dossier { returned: Some(at("22/01 09:00")), ..processed(at("18/01 10:00")) };
        assert_eq!(end_of_processing(&d), Some(at("18/01 10:00")));
        assert_eq!(state(&d), State::Resolved(Timeliness::OnTime));
        // Only the return time synchronised.
        let d = Dossier { processed: None, returned: Some(at("22/01 09:00")), ..processed(at("18/01 10:00")) };
        assert_eq!(state(&d), State::Resolved(Timeliness::Late));
        // A refusal ends the dossier and is among the resolved.
        let d = Dossier { status: Status::Refused, processed: Some(at("16/01 10:00")), returned: None, ..dossier() };
        assert_eq!(state(&d), State::Resolved(Timeliness::Early));
        // The status decides: a timestamp on a dossier still in processing is ignored.
        let d = Dossier { status: Status::Processing, processed: Some(at("16/01 10:00")), ..dossier() };
        assert_eq!(end_of_processing(&d), None);
    }

    #[test]
    fn supplement_time_is_subtracted_from_the_end() {
        // Requested Tue 16/01 10:00, completed Mon 22/01 10:00: 6 days excluded; processed Tue
        // 23/01 15:00 counts as 17/01 15:00 → early.
        let d = Dossier {
            supplements: 1,
            supplement_request: Some(at("16/01 10:00")),
            supplement_completion: Some(at("22/01 10:00")),
            ..processed(at("23/01 15:00"))
        };
        assert_eq!(supplement_pause(&d, at("23/01 15:00")), 6 * 86_400);
        assert_eq!(state(&d), State::Resolved(Timeliness::Early));
        // Processed Thu 25/01 09:00 → 19/01 09:00 → late.
        let d = Dossier { processed: Some(at("25/01 09:00")), ..d };
        assert_eq!(state(&d), State::Resolved(Timeliness::Late));
        // Processed Wed 24/01 17:00 → 18/01 17:00 → on time, to the second.
        let d = Dossier { processed: Some(at("24/01 17:00")), ..d };
        assert_eq!(state(&d), State::Resolved(Timeliness::OnTime));
    }

    #[test]
    fn a_second_supplement_request_is_late() {
        let d = Dossier {
            supplements: 2,
            supplement_request: Some(at("16/01 10:00")),
            supplement_completion: Some(at("16/01 15:00")),
            ..processed(at("17/01 09:00"))
        };
        assert_eq!(state(&d), State::Resolved(Timeliness::Late), "would be early with one request");
        let open = Dossier { status: Status::Processing, processed: None, returned: None, ..d };
        assert_eq!(state(&open), State::InProgress { overdue: true });
    }

    #[test]
    fn waiting_for_the_applicant_ends_at_the_request() {
        let d = Dossier {
            status: Status::SupplementRequested,
            supplements: 1,
            supplement_request: Some(at("17/01 11:00")),
            ..dossier()
        };
        assert_eq!(end_of_processing(&d), Some(at("17/01 11:00")));
        assert_eq!(state(&d), State::Resolved(Timeliness::Early));
    }

    #[test]
    fn open_at_the_window_end_is_within_or_overdue() {
        let open = Dossier { status: Status::Processing, ..dossier() };
        // Window 01/01–17/01: appointment 18/01 not yet passed.
        let w = Window::new(day(1, 1), day(17, 1)).unwrap();
        assert_eq!(classify(&open, w, index()).state, State::InProgress { overdue: false });
        // Window to 18/01: the end is 23:59:59, after the 17:00 appointment.
        let w = Window::new(day(1, 1), day(18, 1)).unwrap();
        assert_eq!(classify(&open, w, index()).state, State::InProgress { overdue: true });
        // Processed after the window: open at its end.
        let d = processed(at("02/02 10:00"));
        let w = Window::new(day(1, 1), day(17, 1)).unwrap();
        assert_eq!(classify(&d, w, index()).state, State::InProgress { overdue: false });
        // A supplement pending at the window's end stops the clock: requested 16/01 10:00, the
        // window ends 19/01 23:59:59, so only 16/01 10:00 counts — within.
        let d = Dossier {
            status: Status::Processing,
            supplements: 1,
            supplement_request: Some(at("16/01 10:00")),
            supplement_completion: Some(at("25/01 10:00")),
            ..dossier()
        };
        let w = Window::new(day(1, 1), day(19, 1)).unwrap();
        assert_eq!(classify(&d, w, index()).state, State::InProgress { overdue: false });
    }

    #[test]
    fn carried_over_and_received() {
        // Received 15/01, window from 16/01: carried over, not received.
        let open = Dossier { status: Status::Processing, ..dossier() };
        let w = Window::new(day(16, 1), day(31, 1)).unwrap();
        let o = classify(&open, w, index());
        assert_eq!((o.received, o.carried_over), (false, true));
        // Ended before the window: outside.
        let d = processed(at("15/01 16:00"));
        assert_eq!(classify(&d, w, index()).state, State::Outside);
        // Received after the window: outside.
        let w = Window::new(day(1, 1), day(14, 1)).unwrap();
        assert_eq!(
            classify(&open, w, index()),
            Outcome { received: false, carried_over: false, state: State::Outside }
        );
        // Registered only: never counted.
        let d = Dossier { status: Status::Registered, ..dossier() };
        assert_eq!(classify(&d, january(), index()).state, State::Outside);
    }

    #[test]
    fn withdrawn_dossiers_are_not_resolved() {
        let d = Dossier { status: Status::Withdrawn, processed: Some(at("19/01 10:00")), ..dossier() };
        let o = classify(&d, january(), index());
        assert_eq!(o, Outcome { received: true, carried_over: false, state: State::Withdrawn });
        let mut counts = Counts::default();
        tally(&d, january(), index(), &mut counts);
        assert_eq!((counts.withdrawn, counts.resolved(), counts.resolved_late, counts.received), (1, 0, 0, 1));
        // Withdrawn after the window: in progress at its end.
        let w = Window::new(day(1, 1), day(17, 1)).unwrap();
        assert_eq!(classify(&d, w, index()).state, State::InProgress { overdue: false });
    }

    #[test]
    fn a_missing_appointment_uses_the_legal_date() {
        let d = Dossier { appointment: None, ..processed(at("18/01 20:00")) };
        // Legal: 15/01 + 3 working days = 18/01, until 23:59:59.
        assert_eq!(appointment_of(&d, index()), Some(day(18, 1).end()));
        assert_eq!(state(&d), State::Resolved(Timeliness::OnTime));
        let d = Dossier { limit_days: None, ..d };
        assert_eq!(state(&d), State::NoAppointment);
        assert_eq!(wrong_appointment(&d, index()), None);
    }

    #[test]
    fn appointment_dates_on_days_off_or_not_the_legal_date_are_wrong() {
        // Right: 15/01 + 3 = 18/01.
        assert_eq!(wrong_appointment(&dossier(), index()), Some(false));
        // Off by one working day.
        let d = Dossier { appointment: Some(at("19/01 17:00")), ..dossier() };
        assert_eq!(wrong_appointment(&d, index()), Some(true));
        // Received Fri 26/04/2024 with 1 working day: 27/04–01/05 are off, so 02/05. Saying
        // 29/04 (a Monday taken as a swapped day off) is wrong twice over.
        let mut d = Dossier::received_at(AgencyIx(0), at("26/04 10:00"), at("02/05 17:00"));
        d.limit_days = Some(1);
        assert_eq!(wrong_appointment(&d, index()), Some(false));
        let d = Dossier { appointment: Some(at("29/04 17:00")), ..d };
        assert_eq!(wrong_appointment(&d, index()), Some(true));
        // Sunday 21/01 for a 4-day limit from Monday 15/01 (legal: Fri 19/01) — and a day off.
        let mut d = Dossier::received_at(AgencyIx(0), at("15/01 09:00"), at("21/01 17:00"));
        d.limit_days = Some(4);
        assert_eq!(wrong_appointment(&d, index()), Some(true));
        // Make-up Saturday 04/05/2024 is a working day: Fri 03/05 + 1 = Sat 04/05 is right.
        let mut d = Dossier::received_at(AgencyIx(0), at("03/05 09:00"), at("04/05 11:00"));
        d.limit_days = Some(1);
        assert_eq!(wrong_appointment(&d, index()), Some(false));
    }

    #[test]
    fn an_appointment_pushed_back_by_the_supplement_is_right() {
        // Requested Tue 16/01, completed Fri 19/01: 3 working days (17, 18, 19); 18/01 + 3
        // working days = Tue 23/01.
        let d = Dossier {
            appointment: Some(at("23/01 17:00")),
            supplements: 1,
            supplement_request: Some(at("16/01 10:00")),
            supplement_completion: Some(at("19/01 10:00")),
            ..dossier()
        };
        assert_eq!(wrong_appointment(&d, index()), Some(false));
        let d = Dossier { appointment: Some(at("24/01 17:00")), ..d };
        assert_eq!(wrong_appointment(&d, index()), Some(true));
    }

    #[test]
    fn counts_of_a_small_agency_by_hand() {
        let rating = |s| DossierRating::new(s);
        let dossiers = [
            // Early, online, fee paid on the national portal, digitised with e-result, rated 5.
            Dossier {
                channel: Some(Channel::Online),
                online: OnlineLevel::Full,
                payment: Payment::NationalPortal,
                flags: DossierFlags::FEE
                    .with(DossierFlags::DIGITIZED, true)
                    .with(DossierFlags::ELECTRONIC_RESULT, true),
                rating: rating(5),
                ..processed(at("16/01 10:00"))
            },
            // Late without apology, rated 1, fee not paid online, appointment wrong (19/01).
            Dossier {
                appointment: Some(at("19/01 08:00")),
                flags: DossierFlags::FEE,
                rating: rating(1),
                ..processed(at("22/01 10:00"))
            },
            // Late with an apology, reused data.
            Dossier { flags: DossierFlags::APOLOGY.with(DossierFlags::REUSED, true), ..processed(at("19/01 10:00")) },
            // On time, rated 3.
            Dossier { rating: rating(3), ..processed(at("18/01 10:00")) },
            // Open, overdue at 31/01; in person.
            Dossier { status: Status::Processing, channel: Some(Channel::InPerson), ..dossier() },
            // Carried over from December, still open, appointment in February.
            Dossier {
                status: Status::Processing,
                received: Some(Moment::from_parts(2023, 12, 28, 9, 0, 0).unwrap()),
                appointment: Some(at("05/02 17:00")),
                limit_days: None,
                ..dossier()
            },
            // Withdrawn.
            Dossier { status: Status::Withdrawn, processed: Some(at("17/01 10:00")), ..dossier() },
        ];
        let mut c = Counts::default();
        for d in &dossiers {
            tally(d, january(), index(), &mut c);
        }
        let expected = Counts {
            received: 6,
            carried_over: 1,
            resolved_early: 1,
            resolved_on_time: 1,
            resolved_late: 2,
            in_progress_within: 1,
            in_progress_overdue: 1,
            withdrawn: 1,
            no_appointment: 0,
            online: 1,
            online_full: 1,
            fee_required: 2,
            paid_online: 1,
            digitized: 1,
            electronic_result: 1,
            digitized_with_result: 1,
            reused: 1,
            rated: 3,
            satisfied: 1,
            resolved_late_or_dissatisfied: 2,
            late_without_apology: 1,
            wrong_appointment: 1,
            appointment_checked: 6,
        };
        assert_eq!(c, expected);
        assert_eq!(c.handled(), c.resolved() + c.withdrawn + c.in_progress() + c.no_appointment);
    }

    fn moment_in_2024() -> impl Strategy<Value = Option<Moment>> {
        let start = DayNum::from_ymd(2023, 12, 1).unwrap().start().seconds();
        prop::option::weighted(0.85, (0u32..100 * 86_400).prop_map(move |s| Moment::from_seconds(start + s).unwrap()))
    }

    fn any_dossier() -> impl Strategy<Value = Dossier> {
        (
            (0u32..3, moment_in_2024(), moment_in_2024(), moment_in_2024(), moment_in_2024()),
            (moment_in_2024(), moment_in_2024(), prop::option::of(0u16..40), 1u8..=10, 0u8..4),
            (0u8..3, 0u8..3, 0u8..32, 0u8..6, 0u8..4),
        )
            .prop_map(
                |((agency, rec, app, pro, ret), (req, done, limit, status, channel), (lvl, pay, flags, r, n))| {
                    Dossier {
                        agency: AgencyIx(agency),
                        procedure: super::super::CodeIx(0),
                        field: super::super::CodeIx(0),
                        received: rec,
                        appointment: app,
                        processed: pro,
                        returned: ret,
                        supplement_request: req,
                        supplement_completion: done,
                        limit_days: limit,
                        status: Status::from_code(status).unwrap(),
                        channel: Channel::from_code(channel),
                        online: OnlineLevel::from_code(lvl).unwrap(),
                        payment: Payment::from_code(pay).unwrap(),
                        flags: DossierFlags(flags),
                        rating: DossierRating::new(r),
                        supplements: n,
                    }
                },
            )
    }

    fn any_window() -> impl Strategy<Value = Window> {
        (0u32..80, 0u32..60).prop_map(|(a, len)| {
            let from = DayNum::from_ymd(2023, 12, 1).unwrap().plus(a);
            Window::new(from, from.plus(len)).unwrap()
        })
    }

    proptest! {
        #[test]
        fn every_handled_dossier_lands_in_exactly_one_bucket(
            dossiers in prop::collection::vec(any_dossier(), 0..60),
            window in any_window(),
        ) {
            let mut c = Counts::default();
            for d in &dossiers {
                tally(d, window, index(), &mut c);
            }
            prop_assert_eq!(c.handled(), c.resolved() + c.withdrawn + c.in_progress() + c.no_appointment);
            prop_assert!(c.paid_online <= c.fee_required && c.satisfied <= c.rated);
            prop_assert!(c.late_without_apology <= c.resolved_late);
            prop_assert!(c.wrong_appointment <= c.appointment_checked && c.appointment_checked <= c.received);
        }

        #[test]
        fn counts_add_up_over_any_split(
            dossiers in prop::collection::vec(any_dossier(), 0..60),
            split in 0usize..60,
            window in any_window(),
        ) {
            let split = split.min(dossiers.len());
            let count = |ds: &[Dossier]| {
                let mut c = Counts::default();
                for d in ds {
                    tally(d, window, index(), &mut c);
                }
                c
            };
            let mut merged = count(&dossiers[..split]);
            merged.add(&count(&dossiers[split..]));
            prop_assert_eq!(merged, count(&dossiers));
        }

        #[test]
        fn a_resolved_dossier_ended_inside_the_window(d in any_dossier(), window in any_window()) {
            let o = classify(&d, window, index());
            if let State::Resolved(_) | State::Withdrawn = o.state {
                let end = end_of_processing(&d).unwrap();
                prop_assert!(window.start() <= end && end <= window.end());
            }
            prop_assert!(!(o.received && o.carried_over));
        }
    }
}
