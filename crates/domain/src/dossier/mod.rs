//! One-stop-shop dossiers (hồ sơ TTHC) as compact records, and the rules the plan's procedure
//! indicators and the national "766" service index apply to them.
//!
//! A province-year holds 0.5–3 million dossiers and the country tens of millions, so a record is
//! small and `Copy` (48 bytes): instants are seconds since 2000-01-01 00:00:00 Vietnam time in a
//! `u32` ([`Moment`], whose `Option` costs nothing), days are day numbers since the same epoch
//! ([`DayNum`]), and codes (agency, procedure, field) are indices into side tables kept by
//! whoever read the records. The rules ([`rules`]) are plain functions over one record and a
//! data window; the legal appointment date is O(1) through a precomputed [`WorkdayIndex`]; the
//! per-agency [`Counts`] add up, so partial results (threads, daily appends) merge exactly; and
//! [`points_766`] turns counts into the index's points. The input format and the sources of every
//! rule are in `docs/dossiers.md`.
//!
//! Architecture invariant: no IO here. Reading CSV / JSON Lines and generating test data live in
//! the `cchc-dossiers` crate.

/// The counts by name, and indicator formulas over them.
pub mod fields;
/// Outcome of one dossier for one data window, and the per-agency counts.
pub mod rules;
/// The 766 index's dossier-based components: rates, thresholds, points.
pub mod score;
/// Working-day ordinals over a date range: the legal appointment date in O(1).
pub mod workday;

use std::fmt;
use std::num::{NonZeroU32, NonZeroU8};

use crate::date::Date;

pub use fields::{CountField, DossierFormula};
pub use rules::{
    appointment_of, classify, end_of_processing, supplement_pause, tally, wrong_appointment, Counts, Outcome, State,
    Timeliness, Window,
};
pub use score::{points_766, Component766, Score766, NOT_FROM_DOSSIERS};
pub use workday::WorkdayIndex;

/// Julian Day Number of 2000-01-01, day 0 of [`DayNum`].
const EPOCH_JDN: i64 = 2_451_545;
const SECONDS_PER_DAY: u32 = 86_400;

/// A calendar day as the number of days since 2000-01-01 (day 0). Covers 2000–2135, the range
/// of [`Moment`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DayNum(u32);

impl DayNum {
    pub const fn new(days: u32) -> DayNum {
        DayNum(days)
    }

    pub const fn get(self) -> u32 {
        self.0
    }

    /// The day number of a year, month and day; `None` for a date that does not exist or lies
    /// outside 2000–2135.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<DayNum> {
        if !(2000..=2135).contains(&year) || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month)
        {
            return None;
        }
        // Whole years since 2000 with their leap days, then the month's first day: this runs for
        // every timestamp of millions of rows (divisions by constants only).
        const BEFORE_MONTH: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
        let y = year as u32 - 1;
        let leap_days = y / 4 - y / 100 + y / 400 - (1999 / 4 - 1999 / 100 + 1999 / 400);
        let leap = u32::from(month > 2 && days_in_month(year, 2) == 29);
        let before_month = BEFORE_MONTH.get(month as usize - 1).copied().unwrap_or(0);
        Some(DayNum(365 * (year as u32 - 2000) + leap_days + before_month + leap + day - 1))
    }

    /// The day of a [`Date`]; `None` outside 2000–2135.
    pub fn from_date(date: Date) -> Option<DayNum> {
        DayNum::from_ymd(date.year(), date.month(), date.day())
    }

    /// The same day as a [`Date`].
    pub fn to_date(self) -> Date {
        Date::from_julian_day_number(EPOCH_JDN + i64::from(self.0)).unwrap_or(Date::MIN)
    }

    /// (year, month, day), computed without a calendar library (civil from days).
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = i64::from(self.0) + 10_957 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        (year as i32, month as u32, day as u32)
    }

    /// The day `n` days later (saturating).
    pub fn plus(self, n: u32) -> DayNum {
        DayNum(self.0.saturating_add(n))
    }

    /// Midnight at the start of the day.
    pub fn start(self) -> Moment {
        Moment::from_seconds(self.0.saturating_mul(SECONDS_PER_DAY)).unwrap_or(Moment::LAST)
    }

    /// 23:59:59, the last second of the day.
    pub fn end(self) -> Moment {
        Moment::from_seconds(self.0.saturating_mul(SECONDS_PER_DAY).saturating_add(SECONDS_PER_DAY - 1))
            .unwrap_or(Moment::LAST)
    }
}

impl fmt::Debug for DayNum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{d:02}/{m:02}/{y}")
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// An instant in Vietnam time, to the second, as seconds since 2000-01-01 00:00:00. Stored as
/// `seconds + 1` in a non-zero `u32`, so that `Option<Moment>` is four bytes. Covers 2000 to
/// early 2136.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Moment(NonZeroU32);

impl Moment {
    /// The largest number of seconds a moment holds.
    pub const MAX_SECONDS: u32 = u32::MAX - 1;
    /// The last representable second.
    pub const LAST: Moment = Moment(NonZeroU32::MAX);

    /// `None` only for `u32::MAX` seconds, the one value the encoding cannot hold.
    pub fn from_seconds(seconds: u32) -> Option<Moment> {
        seconds.checked_add(1).and_then(NonZeroU32::new).map(Moment)
    }

    pub fn seconds(self) -> u32 {
        self.0.get() - 1
    }

    /// The day this instant falls on.
    pub fn day(self) -> DayNum {
        DayNum(self.seconds() / SECONDS_PER_DAY)
    }

    /// Seconds since midnight.
    pub fn second_of_day(self) -> u32 {
        self.seconds() % SECONDS_PER_DAY
    }

    /// The instant `seconds` earlier, not before 2000-01-01 00:00:00.
    pub fn minus(self, seconds: u32) -> Moment {
        Moment::from_seconds(self.seconds().saturating_sub(seconds)).unwrap_or(self)
    }

    /// The instant `seconds` later, saturating at [`Moment::LAST`].
    pub fn plus(self, seconds: u32) -> Moment {
        Moment::from_seconds(self.seconds().saturating_add(seconds).min(Moment::MAX_SECONDS)).unwrap_or(Moment::LAST)
    }

    /// The instant of a local date and time; `None` if it does not exist or is out of range.
    pub fn from_parts(year: i32, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<Moment> {
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let day = DayNum::from_ymd(year, month, day)?;
        let seconds = u64::from(day.0) * u64::from(SECONDS_PER_DAY) + u64::from(hour * 3600 + minute * 60 + second);
        Moment::from_seconds(u32::try_from(seconds).ok().filter(|&s| s <= Moment::MAX_SECONDS)?)
    }

    /// Parses the portal's fixed-width `yyyyMMddHHmmss` (exactly 14 ASCII digits), by hand: this
    /// runs for every timestamp of millions of rows.
    pub fn parse_compact(bytes: &[u8]) -> Option<Moment> {
        let digits: &[u8; 14] = bytes.try_into().ok()?;
        let mut values = [0u32; 14];
        for (value, &byte) in values.iter_mut().zip(digits) {
            let digit = byte.wrapping_sub(b'0');
            if digit > 9 {
                return None;
            }
            *value = u32::from(digit);
        }
        let two = |i: usize| values[i] * 10 + values[i + 1];
        let year = values[0] * 1000 + values[1] * 100 + two(2);
        Moment::from_parts(year as i32, two(4), two(6), two(8), two(10), two(12))
    }

    /// The `yyyyMMddHHmmss` digits.
    pub fn compact_bytes(self) -> [u8; 14] {
        let (y, mo, d) = self.day().ymd();
        let s = self.second_of_day();
        let mut out = [b'0'; 14];
        let mut put = |at: usize, value: u32, width: usize| {
            let mut v = value;
            for i in (0..width).rev() {
                out[at + i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        };
        put(0, y as u32, 4);
        put(4, mo, 2);
        put(6, d, 2);
        put(8, s / 3600, 2);
        put(10, s % 3600 / 60, 2);
        put(12, s % 60, 2);
        out
    }

    /// The `yyyyMMddHHmmss` text.
    pub fn compact(self) -> String {
        self.compact_bytes().iter().map(|&b| char::from(b)).collect()
    }

    /// "18/01/2024 10:04:05", for people.
    pub fn vn(self) -> String {
        let (y, m, d) = self.day().ymd();
        let s = self.second_of_day();
        format!("{d:02}/{m:02}/{y} {:02}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
    }
}

impl fmt::Debug for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.vn())
    }
}

/// How the dossier was submitted (`KenhThucHien`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Channel {
    /// 1 — trực tiếp, at the one-stop desk.
    InPerson = 1,
    /// 2 — trực tuyến.
    Online = 2,
    /// 3 — qua dịch vụ bưu chính công ích.
    Post = 3,
}

impl Channel {
    pub fn from_code(code: u8) -> Option<Channel> {
        match code {
            1 => Some(Channel::InPerson),
            2 => Some(Channel::Online),
            3 => Some(Channel::Post),
            _ => None,
        }
    }
    pub fn code(self) -> u8 {
        self as u8
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            Channel::InPerson => "trực tiếp",
            Channel::Online => "trực tuyến",
            Channel::Post => "bưu chính công ích",
        }
    }
}

/// The level of online public service used (`LoaiDVCTT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum OnlineLevel {
    /// 0 — not an online public service.
    #[default]
    NotOnline = 0,
    /// 1 — dịch vụ công trực tuyến một phần.
    Partial = 1,
    /// 2 — dịch vụ công trực tuyến toàn trình.
    Full = 2,
}

impl OnlineLevel {
    pub fn from_code(code: u8) -> Option<OnlineLevel> {
        match code {
            0 => Some(OnlineLevel::NotOnline),
            1 => Some(OnlineLevel::Partial),
            2 => Some(OnlineLevel::Full),
            _ => None,
        }
    }
    pub fn code(self) -> u8 {
        self as u8
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            OnlineLevel::NotOnline => "không",
            OnlineLevel::Partial => "một phần",
            OnlineLevel::Full => "toàn trình",
        }
    }
}

/// Where fees were paid online (`DuocThanhToanTrucTuyen`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum Payment {
    /// 0 — not paid online.
    #[default]
    NotOnline = 0,
    /// 1 — on the national public-service portal.
    NationalPortal = 1,
    /// 2 — through the province's own payment gateway.
    ProvincialGateway = 2,
}

impl Payment {
    pub fn from_code(code: u8) -> Option<Payment> {
        match code {
            0 => Some(Payment::NotOnline),
            1 => Some(Payment::NationalPortal),
            2 => Some(Payment::ProvincialGateway),
            _ => None,
        }
    }
    pub fn code(self) -> u8 {
        self as u8
    }
    pub fn is_online(self) -> bool {
        self != Payment::NotOnline
    }
}

/// The dossier's life-cycle status as the national portal synchronises it (`TrangThaiHoSo`,
/// docs/domain.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Status {
    /// 1 — mới đăng ký (submitted, not yet received).
    Registered = 1,
    /// 2 — đã tiếp nhận.
    Received = 2,
    /// 3 — không tiếp nhận / từ chối.
    Refused = 3,
    /// 4 — đang xử lý.
    Processing = 4,
    /// 5 — yêu cầu bổ sung giấy tờ.
    SupplementRequested = 5,
    /// 6 — yêu cầu thực hiện nghĩa vụ tài chính.
    FinancialObligation = 6,
    /// 7 — công dân yêu cầu rút hồ sơ.
    Withdrawn = 7,
    /// 8 — dừng xử lý.
    Stopped = 8,
    /// 9 — đã xử lý xong.
    Processed = 9,
    /// 10 — đã trả kết quả.
    Returned = 10,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Registered,
        Status::Received,
        Status::Refused,
        Status::Processing,
        Status::SupplementRequested,
        Status::FinancialObligation,
        Status::Withdrawn,
        Status::Stopped,
        Status::Processed,
        Status::Returned,
    ];

    pub fn from_code(code: u8) -> Option<Status> {
        Status::ALL.get(usize::from(code).wrapping_sub(1)).copied()
    }
    pub fn code(self) -> u8 {
        self as u8
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            Status::Registered => "mới đăng ký",
            Status::Received => "đã tiếp nhận",
            Status::Refused => "từ chối",
            Status::Processing => "đang xử lý",
            Status::SupplementRequested => "yêu cầu bổ sung",
            Status::FinancialObligation => "yêu cầu nghĩa vụ tài chính",
            Status::Withdrawn => "công dân rút hồ sơ",
            Status::Stopped => "dừng xử lý",
            Status::Processed => "đã xử lý xong",
            Status::Returned => "đã trả kết quả",
        }
    }
    /// Statuses whose dossier has ended (a timestamp in `NgayKetThucXuLy` or `NgayTra` is
    /// expected): refused, withdrawn, stopped, processed, returned.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Refused | Status::Withdrawn | Status::Stopped | Status::Processed | Status::Returned)
    }
}

/// A citizen's rating of the dossier's handling (`DanhGia`), 1 (very dissatisfied) to 5 (very
/// satisfied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DossierRating(NonZeroU8);

impl DossierRating {
    pub fn new(stars: u8) -> Option<DossierRating> {
        NonZeroU8::new(stars).filter(|s| s.get() <= 5).map(DossierRating)
    }
    pub fn get(self) -> u8 {
        self.0.get()
    }
    /// 4 or 5: «hài lòng», «rất hài lòng».
    pub fn is_satisfied(self) -> bool {
        self.0.get() >= 4
    }
    /// 1 or 2: «rất không hài lòng», «không hài lòng» (the portal's "dislike").
    pub fn is_dissatisfied(self) -> bool {
        self.0.get() <= 2
    }
}

/// The yes/no columns of a dossier, packed into one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DossierFlags(u8);

impl DossierFlags {
    /// `CoPhiLePhi`: the procedure charges a fee or charge.
    pub const FEE: DossierFlags = DossierFlags(1);
    /// `HoSoCoThanhPhanSoHoa`: documents of the dossier were digitised.
    pub const DIGITIZED: DossierFlags = DossierFlags(2);
    /// `KetQuaDienTu`: the result was issued electronically.
    pub const ELECTRONIC_RESULT: DossierFlags = DossierFlags(4);
    /// `TaiSuDungDuLieu`: already-digitised data was reused instead of asking for papers.
    pub const REUSED: DossierFlags = DossierFlags(8);
    /// `PhieuXinLoi`: a written apology with a new appointment was issued.
    pub const APOLOGY: DossierFlags = DossierFlags(16);

    pub const fn empty() -> DossierFlags {
        DossierFlags(0)
    }
    pub fn contains(self, other: DossierFlags) -> bool {
        self.0 & other.0 == other.0
    }
    pub fn with(self, other: DossierFlags, on: bool) -> DossierFlags {
        if on {
            DossierFlags(self.0 | other.0)
        } else {
            DossierFlags(self.0 & !other.0)
        }
    }
    pub fn bits(self) -> u8 {
        self.0
    }
}

/// Index of an agency code (`DonViXuLy`) in the reader's side table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct AgencyIx(pub u32);

/// Index of a procedure or field code (`MaTTHC`, `MaLinhVuc`) in the reader's side table; 0 is
/// the empty code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct CodeIx(pub u32);

/// One dossier, as the rules need it. The dossier's own code (`MaHoSo`) and the texts of the
/// interned codes live beside the records, in the reader's tables.
///
/// The reader guarantees what the rules rely on (see `docs/dossiers.md` §Validation): a dossier
/// past status 1 has `received`; a final status has `processed` or `returned`; a supplement
/// completion is not before its request. The rules are nevertheless total: any combination of
/// fields gives an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dossier {
    pub agency: AgencyIx,
    pub procedure: CodeIx,
    pub field: CodeIx,
    /// `NgayTiepNhan`.
    pub received: Option<Moment>,
    /// `NgayHenTra`; `None` when not synchronised (the legal appointment is used).
    pub appointment: Option<Moment>,
    /// `NgayKetThucXuLy`: when processing ended ("đã xử lý xong", or refusal / stop / withdrawal).
    pub processed: Option<Moment>,
    /// `NgayTra`: when the result was returned.
    pub returned: Option<Moment>,
    /// The first supplement request (`NgayYeuCauBoSung`).
    pub supplement_request: Option<Moment>,
    /// When the applicant completed the first supplement (`NgayHoanThanhBoSung`).
    pub supplement_completion: Option<Moment>,
    /// `ThoiHanGiaiQuyet`: the legal time limit in working days.
    pub limit_days: Option<u16>,
    pub status: Status,
    /// `KenhThucHien`; `None` when not synchronised (the portal counts it as in person).
    pub channel: Option<Channel>,
    pub online: OnlineLevel,
    pub payment: Payment,
    pub flags: DossierFlags,
    pub rating: Option<DossierRating>,
    /// `SoLanBoSung`: how many supplement requests were made (saturating at 255).
    pub supplements: u8,
}

impl Dossier {
    /// A dossier received at `received` with appointment `appointment`, in status 2 and nothing
    /// else set: the starting point of fixtures and of the generator.
    pub fn received_at(agency: AgencyIx, received: Moment, appointment: Moment) -> Dossier {
        Dossier {
            agency,
            procedure: CodeIx(0),
            field: CodeIx(0),
            received: Some(received),
            appointment: Some(appointment),
            processed: None,
            returned: None,
            supplement_request: None,
            supplement_completion: None,
            limit_days: None,
            status: Status::Received,
            channel: None,
            online: OnlineLevel::NotOnline,
            payment: Payment::NotOnline,
            flags: DossierFlags::empty(),
            rating: None,
            supplements: 0,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_record_is_small() {
        assert!(std::mem::size_of::<Dossier>() <= 48, "{}", std::mem::size_of::<Dossier>());
        assert_eq!(std::mem::size_of::<Option<Moment>>(), 4);
    }

    #[test]
    fn day_numbers_start_on_the_first_of_january_2000() {
        assert_eq!(DayNum::from_ymd(2000, 1, 1), Some(DayNum(0)));
        assert_eq!(DayNum::from_ymd(2000, 3, 1), Some(DayNum(60)), "2000 is a leap year");
        assert_eq!(DayNum::from_ymd(2024, 2, 30), None);
        assert_eq!(DayNum::from_ymd(1999, 12, 31), None);
        assert_eq!(DayNum(0).to_date(), Date::from_ymd(2000, 1, 1).unwrap());
        assert_eq!(DayNum::from_date(Date::from_ymd(2024, 5, 4).unwrap()), DayNum::from_ymd(2024, 5, 4));
    }

    #[test]
    fn compact_timestamps_parse_and_print() {
        let m = Moment::parse_compact(b"20240118100405").unwrap();
        assert_eq!(m.vn(), "18/01/2024 10:04:05");
        assert_eq!(m.compact(), "20240118100405");
        assert_eq!(m.day(), DayNum::from_ymd(2024, 1, 18).unwrap());
        assert_eq!(m.second_of_day(), 10 * 3600 + 4 * 60 + 5);
        for bad in [&b"2024011810040"[..], b"202401181004051", b"20240230100405", b"20241318100405", b"2024011824000a"]
        {
            assert_eq!(Moment::parse_compact(bad), None, "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(Moment::parse_compact(b"20240118240000"), None, "hour 24");
        assert_eq!(Moment::parse_compact(b"19991231235959"), None, "before 2000");
    }

    #[test]
    fn codes_round_trip_and_refuse_the_unknown() {
        for status in Status::ALL {
            assert_eq!(Status::from_code(status.code()), Some(status));
        }
        assert_eq!(Status::from_code(0), None);
        assert_eq!(Status::from_code(11), None);
        assert_eq!(Channel::from_code(4), None);
        assert_eq!(OnlineLevel::from_code(3), None);
        assert_eq!(Payment::from_code(2), Some(Payment::ProvincialGateway));
        assert_eq!(DossierRating::new(0), None);
        assert_eq!(DossierRating::new(6), None);
        assert!(DossierRating::new(4).unwrap().is_satisfied());
        assert!(DossierRating::new(2).unwrap().is_dissatisfied());
        assert!(!DossierRating::new(3).unwrap().is_dissatisfied());
    }

    proptest! {
        #[test]
        fn day_numbers_agree_with_the_date_type(days in 0u32..49_000) {
            let day = DayNum(days);
            let (y, m, d) = day.ymd();
            let date = day.to_date();
            prop_assert_eq!((date.year(), date.month(), date.day()), (y, m, d));
            prop_assert_eq!(DayNum::from_ymd(y, m, d), Some(day));
            prop_assert_eq!(DayNum::from_date(date), Some(day));
        }

        #[test]
        fn moments_round_trip_through_the_compact_form(seconds in 0u32..4_291_747_200) {
            let m = Moment::from_seconds(seconds).unwrap();
            prop_assert_eq!(Moment::parse_compact(&m.compact_bytes()), Some(m));
        }
    }
}
