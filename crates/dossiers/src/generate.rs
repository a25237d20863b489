//! A deterministic generator of dossier files for tests and benchmarks: the same seed, year,
//! calendar and agency list always give the same bytes. The distributions are documented in
//! `docs/dossiers.md` §Generator and below, next to the draws.

use std::io::{self, Write};

use cchc_domain::calendar::WorkCalendar;
use cchc_domain::dossier::{
    AgencyIx, Channel, CodeIx, DayNum, Dossier, DossierFlags, DossierRating, Moment, OnlineLevel, Payment, Status,
    WorkdayIndex,
};
use cchc_domain::inspection::SplitMix64;

use crate::columns::Column;
use crate::read::Format;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GeneratorConfig<'a> {
    pub rows: u64,
    pub seed: u64,
    /// Receipts fall on the working days of this year; the reference instant (the "now" of
    /// the data) is 31/12 of the year, 23:59:59.
    pub year: i32,
    /// Agency codes as `DonViXuLy` carries them (directory ids or GSO codes). Earlier agencies
    /// receive more dossiers; an empty list gives one agency "don-vi-1".
    pub agencies: &'a [String],
}

/// One generated dossier with its texts. The record's `agency`, `procedure` and `field` are the
/// positions in the agency list and the procedure and field numbers, not reader indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedRow {
    pub id: String,
    pub agency: String,
    pub procedure: String,
    pub field: String,
    pub dossier: Dossier,
    /// Every supplement request (request, completion); the record keeps the first.
    pub supplements: Vec<(Moment, Option<Moment>)>,
}

/// Legal time limits (working days) by procedure number modulo 20: 1 day 10%, 3 days 20%,
/// 5 days 20%, 7 days 10%, 10 days 15%, 15 days 15%, 20 days 5%, 30 days 5%.
const LIMITS: [u16; 20] = [1, 1, 3, 3, 3, 3, 5, 5, 5, 5, 7, 7, 10, 10, 10, 15, 15, 15, 20, 30];
/// Procedures drawn from; 10 per field.
const PROCEDURES: u64 = 400;
const HOUR: u32 = 3600;
const DAY: u32 = 86_400;

/// The generator's state: the stream of rows.
pub struct Generator<'a> {
    rng: SplitMix64,
    config: GeneratorConfig<'a>,
    index: WorkdayIndex,
    working: Vec<DayNum>,
    reference_end: Moment,
    next: u64,
    fallback_agency: String,
}

impl<'a> Generator<'a> {
    pub fn new(config: GeneratorConfig<'a>, calendar: &WorkCalendar) -> Generator<'a> {
        let year = config.year.clamp(2000, 2134);
        let index = WorkdayIndex::for_years(calendar, year, year + 1);
        let first = DayNum::from_ymd(year, 1, 1).unwrap_or_default();
        let last = DayNum::from_ymd(year, 12, 31).unwrap_or(first);
        let working: Vec<DayNum> =
            (first.get()..=last.get()).map(DayNum::new).filter(|&d| index.is_working(d) == Some(true)).collect();
        Generator {
            rng: SplitMix64::new(config.seed),
            config,
            index,
            working,
            reference_end: last.end(),
            next: 0,
            fallback_agency: "don-vi-1".to_owned(),
        }
    }

    fn percent(&mut self) -> u64 {
        self.rng.below(100)
    }

    fn row(&mut self) -> GeneratedRow {
        let seq = self.next;
        self.next += 1;
        let n = self.config.agencies.len() as u64;
        // The minimum of two uniform draws: P(i) ∝ 2(n − i) − 1, earlier agencies busier.
        let agency = self.rng.below(n).min(self.rng.below(n)) as usize;
        let agency_code = self.config.agencies.get(agency).unwrap_or(&self.fallback_agency).clone();
        let procedure = self.rng.below(PROCEDURES) as u32;
        let limit = LIMITS[procedure as usize % LIMITS.len()];

        // Receipt: a uniformly drawn working day of the year, 07:30–17:00.
        let day = match self.working.len() {
            0 => DayNum::from_ymd(self.config.year.clamp(2000, 2134), 6, 3).unwrap_or_default(),
            len => self.working[self.rng.below(len as u64) as usize],
        };
        let received = day.start().plus(7 * HOUR + 1800 + self.rng.below(u64::from(9 * HOUR + 1800)) as u32);

        // Channel: 1% not synchronised, 54% in person, 40% online, 5% post.
        let channel = match self.percent() {
            0 => None,
            1..=54 => Some(Channel::InPerson),
            55..=94 => Some(Channel::Online),
            _ => Some(Channel::Post),
        };
        // Online dossiers: 60% fully online, 40% partly.
        let online = match channel {
            Some(Channel::Online) if self.percent() < 60 => OnlineLevel::Full,
            Some(Channel::Online) => OnlineLevel::Partial,
            _ => OnlineLevel::NotOnline,
        };

        // Appointment at 17:00: the legal date; 2% one working day later, 1% on the next day
        // off after it (both wrong).
        let legal = self.index.add_working_days(day, u32::from(limit)).unwrap_or(day.plus(u32::from(limit)));
        let appointment_day = match self.rng.below(1000) {
            0..=19 => self.index.add_working_days(legal, 1).unwrap_or(legal.plus(1)),
            20..=29 => {
                (1..=14).map(|k| legal.plus(k)).find(|&d| self.index.is_working(d) == Some(false)).unwrap_or(legal)
            }
            _ => legal,
        };
        let appointment = appointment_day.start().plus(17 * HOUR);

        // Supplements: 8% one request, 1% two. A request 1–2 days after receipt; 85% of single
        // requests completed 1–7 days later (the rest still awaited).
        let count = match self.percent() {
            0..=7 => 1,
            8 => 2,
            _ => 0,
        };
        let mut supplements = Vec::new();
        let mut at = received;
        for _ in 0..count {
            let request = at.plus((1 + self.rng.below(2) as u32) * DAY);
            let completed = count > 1 || self.percent() < 85;
            let completion =
                completed.then(|| request.plus((1 + self.rng.below(7) as u32) * DAY + self.rng.below(8 * 3600) as u32));
            supplements.push((request, completion));
            at = completion.unwrap_or(request);
        }
        // Nothing after the reference instant is known yet.
        let reference_end = self.reference_end;
        supplements.retain(|&(request, _)| request <= reference_end);
        for (_, completion) in supplements.iter_mut() {
            *completion = completion.filter(|&c| c <= reference_end);
        }
        let pause: u32 = supplements.iter().map(|&(r, c)| c.map_or(0, |c| c.seconds() - r.seconds())).sum();
        let awaiting = supplements.last().is_some_and(|&(_, c)| c.is_none());

        // Outcome: 1% withdrawn, 1% refused, 0.5% stopped, 2% still open at the reference
        // instant; of the rest 70% early, 18% on time, 12% late (supplement time added back).
        let draw = self.rng.below(1000);
        let mut late = false;
        let (status, end) = if awaiting {
            (Status::SupplementRequested, None)
        } else {
            match draw {
                0..=9 => (
                    Status::Withdrawn,
                    Some(received.plus(self.rng.below(u64::from(u32::from(limit) + 1) * u64::from(DAY)) as u32 + 600)),
                ),
                10..=19 => (Status::Refused, Some(received.plus(self.rng.below(u64::from(2 * DAY)) as u32 + 600))),
                20..=24 => (Status::Stopped, Some(received.plus(self.rng.below(u64::from(3 * DAY)) as u32 + 600))),
                25..=44 => {
                    let open = [Status::Received, Status::Processing, Status::FinancialObligation];
                    (open[self.rng.below(3) as usize], None)
                }
                _ => {
                    let t = self.percent();
                    let end = if t < 70 {
                        let span = appointment.day().get().saturating_sub(received.day().get()).max(1);
                        let end_day = received.day().plus(self.rng.below(u64::from(span)) as u32);
                        let end =
                            end_day.start().plus(7 * HOUR + 1800 + self.rng.below(u64::from(9 * HOUR + 1800)) as u32);
                        end.max(received.plus(1800))
                    } else if t < 88 {
                        let end = appointment
                            .day()
                            .start()
                            .plus(7 * HOUR + 1800 + self.rng.below(u64::from(9 * HOUR)) as u32);
                        end.max(received.plus(60)).min(appointment.max(received.plus(60)))
                    } else {
                        late = true;
                        appointment.plus((1 + self.rng.below(10) as u32) * DAY)
                    };
                    let status = if self.percent() < 80 { Status::Returned } else { Status::Processed };
                    (status, Some(end.plus(pause)))
                }
            }
        };
        // Ends after the reference instant are not known yet: the dossier is still in processing.
        let (status, end) = match end {
            Some(end) if end > self.reference_end => (Status::Processing, None),
            _ => (status, end),
        };
        let returned = match (status, end) {
            (Status::Returned, Some(end)) => {
                Some(end.plus(self.rng.below(u64::from(3 * DAY)) as u32).min(self.reference_end))
            }
            _ => None,
        };

        // Fees on 40%; paid online by 70% of online applicants with a fee (60% of them on the
        // national portal), 10% of the others.
        let fee = self.percent() < 40;
        let payment = if !fee {
            Payment::NotOnline
        } else {
            let share = if channel == Some(Channel::Online) { 70 } else { 10 };
            match (self.percent() < share, self.percent() < 60) {
                (false, _) => Payment::NotOnline,
                (true, true) => Payment::NationalPortal,
                (true, false) => Payment::ProvincialGateway,
            }
        };
        // Digitised documents 75%, electronic result 65%, reused data 30%; an apology on 60% of
        // the late.
        let flags = DossierFlags::empty()
            .with(DossierFlags::FEE, fee)
            .with(DossierFlags::DIGITIZED, self.percent() < 75)
            .with(DossierFlags::ELECTRONIC_RESULT, self.percent() < 65)
            .with(DossierFlags::REUSED, self.percent() < 30)
            .with(DossierFlags::APOLOGY, late && self.percent() < 60);
        // Ratings on 35% of processed or returned dossiers: 1★ 3%, 2★ 4%, 3★ 13%, 4★ 35%, 5★ 45%.
        let rating = if matches!(status, Status::Processed | Status::Returned) && self.percent() < 35 {
            let stars = match self.percent() {
                0..=2 => 1,
                3..=6 => 2,
                7..=19 => 3,
                20..=54 => 4,
                _ => 5,
            };
            DossierRating::new(stars)
        } else {
            None
        };

        let first = supplements.first().copied();
        let dossier = Dossier {
            agency: AgencyIx(agency as u32),
            procedure: CodeIx(procedure),
            field: CodeIx(procedure / 10),
            received: Some(received),
            appointment: Some(appointment),
            processed: end,
            returned,
            supplement_request: first.map(|(r, _)| r),
            supplement_completion: first.and_then(|(_, c)| c),
            limit_days: Some(limit),
            status,
            channel,
            online,
            payment,
            flags,
            rating,
            supplements: supplements.len() as u8,
        };
        GeneratedRow {
            id: format!("H47.{agency:04}-{}-{seq:09}", self.config.year),
            agency: agency_code,
            procedure: format!("1.{:06}", 1000 + procedure),
            field: format!("LV{:02}", procedure / 10),
            dossier,
            supplements,
        }
    }
}

impl Iterator for Generator<'_> {
    type Item = GeneratedRow;
    fn next(&mut self) -> Option<GeneratedRow> {
        (self.next < self.config.rows).then(|| self.row())
    }
}

fn csv_text(out: &mut Vec<u8>, text: &str) {
    if text.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        out.extend_from_slice(text.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

fn moment_text(out: &mut Vec<u8>, m: Option<Moment>) {
    if let Some(m) = m {
        out.extend_from_slice(&m.compact_bytes());
    }
}

fn number(out: &mut Vec<u8>, v: Option<u32>) {
    if let Some(v) = v {
        out.extend_from_slice(v.to_string().as_bytes());
    }
}

/// The CSV header line (with its line break).
pub fn csv_header() -> String {
    let names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
    format!("{}\n", names.join(","))
}

/// Appends one row as a CSV line, columns in [`Column::ALL`] order.
pub fn write_csv_row(out: &mut Vec<u8>, row: &GeneratedRow) {
    let d = &row.dossier;
    let flag = |f: DossierFlags| Some(u32::from(d.flags.contains(f)));
    for column in Column::ALL {
        if column != Column::MaHoSo {
            out.push(b',');
        }
        match column {
            Column::MaHoSo => csv_text(out, &row.id),
            Column::MaTTHC => csv_text(out, &row.procedure),
            Column::MaLinhVuc => csv_text(out, &row.field),
            Column::DonViXuLy => csv_text(out, &row.agency),
            Column::KenhThucHien => number(out, d.channel.map(|c| u32::from(c.code()))),
            Column::LoaiDVCTT => number(out, Some(u32::from(d.online.code()))),
            Column::NgayTiepNhan => moment_text(out, d.received),
            Column::NgayHenTra => moment_text(out, d.appointment),
            Column::NgayKetThucXuLy => moment_text(out, d.processed),
            Column::NgayTra => moment_text(out, d.returned),
            Column::TrangThaiHoSo => number(out, Some(u32::from(d.status.code()))),
            Column::ThoiHanGiaiQuyet => number(out, d.limit_days.map(u32::from)),
            Column::CoPhiLePhi => number(out, flag(DossierFlags::FEE)),
            Column::DuocThanhToanTrucTuyen => number(out, Some(u32::from(d.payment.code()))),
            Column::HoSoCoThanhPhanSoHoa => number(out, flag(DossierFlags::DIGITIZED)),
            Column::KetQuaDienTu => number(out, flag(DossierFlags::ELECTRONIC_RESULT)),
            Column::TaiSuDungDuLieu => number(out, flag(DossierFlags::REUSED)),
            Column::DanhGia => number(out, d.rating.map(|r| u32::from(r.get()))),
            Column::PhieuXinLoi => number(out, flag(DossierFlags::APOLOGY)),
            Column::SoLanBoSung => number(out, Some(u32::from(d.supplements))),
            Column::NgayYeuCauBoSung => moment_text(out, d.supplement_request),
            Column::NgayHoanThanhBoSung => moment_text(out, d.supplement_completion),
        }
    }
    out.push(b'\n');
}

fn json_string(out: &mut Vec<u8>, text: &str) {
    match serde_json::to_string(text) {
        Ok(quoted) => out.extend_from_slice(quoted.as_bytes()),
        Err(_) => out.extend_from_slice(b"\"\""),
    }
}

fn json_moment(out: &mut Vec<u8>, m: Option<Moment>) {
    match m {
        Some(m) => {
            out.push(b'"');
            out.extend_from_slice(&m.compact_bytes());
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
}

fn json_number(out: &mut Vec<u8>, v: Option<u32>) {
    match v {
        Some(v) => out.extend_from_slice(v.to_string().as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
}

/// Appends one row as a JSON line: the same keys as the CSV columns, except that the supplement
/// requests are the list `DanhSachHoSoBoSung` instead of `SoLanBoSung` and the first request's
/// two columns.
pub fn write_json_row(out: &mut Vec<u8>, row: &GeneratedRow) {
    let d = &row.dossier;
    let flag = |f: DossierFlags| Some(u32::from(d.flags.contains(f)));
    out.push(b'{');
    let mut first = true;
    for column in Column::ALL {
        if matches!(column, Column::SoLanBoSung | Column::NgayYeuCauBoSung | Column::NgayHoanThanhBoSung) {
            continue;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        out.push(b'"');
        out.extend_from_slice(column.name().as_bytes());
        out.extend_from_slice(b"\":");
        match column {
            Column::MaHoSo => json_string(out, &row.id),
            Column::MaTTHC => json_string(out, &row.procedure),
            Column::MaLinhVuc => json_string(out, &row.field),
            Column::DonViXuLy => json_string(out, &row.agency),
            Column::KenhThucHien => json_number(out, d.channel.map(|c| u32::from(c.code()))),
            Column::LoaiDVCTT => json_number(out, Some(u32::from(d.online.code()))),
            Column::NgayTiepNhan => json_moment(out, d.received),
            Column::NgayHenTra => json_moment(out, d.appointment),
            Column::NgayKetThucXuLy => json_moment(out, d.processed),
            Column::NgayTra => json_moment(out, d.returned),
            Column::TrangThaiHoSo => json_number(out, Some(u32::from(d.status.code()))),
            Column::ThoiHanGiaiQuyet => json_number(out, d.limit_days.map(u32::from)),
            Column::CoPhiLePhi => json_number(out, flag(DossierFlags::FEE)),
            Column::DuocThanhToanTrucTuyen => json_number(out, Some(u32::from(d.payment.code()))),
            Column::HoSoCoThanhPhanSoHoa => json_number(out, flag(DossierFlags::DIGITIZED)),
            Column::KetQuaDienTu => json_number(out, flag(DossierFlags::ELECTRONIC_RESULT)),
            Column::TaiSuDungDuLieu => json_number(out, flag(DossierFlags::REUSED)),
            Column::DanhGia => json_number(out, d.rating.map(|r| u32::from(r.get()))),
            Column::PhieuXinLoi => json_number(out, flag(DossierFlags::APOLOGY)),
            Column::SoLanBoSung | Column::NgayYeuCauBoSung | Column::NgayHoanThanhBoSung => {}
        }
    }
    out.extend_from_slice(b",\"");
    out.extend_from_slice(crate::json::SUPPLEMENT_LIST.as_bytes());
    out.extend_from_slice(b"\":[");
    for (k, &(request, completion)) in row.supplements.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"NgayYeuCauBoSung\":");
        json_moment(out, Some(request));
        out.extend_from_slice(b",\"NgayHoanThanhBoSung\":");
        json_moment(out, completion);
        out.push(b'}');
    }
    out.extend_from_slice(b"]}\n");
}

/// Writes `config.rows` generated dossiers to `out` in `format`.
pub fn generate<W: Write>(
    config: &GeneratorConfig<'_>,
    calendar: &WorkCalendar,
    format: Format,
    mut out: W,
) -> io::Result<()> {
    let mut buffer = Vec::with_capacity(1 << 16);
    if format == Format::Csv {
        buffer.extend_from_slice(csv_header().as_bytes());
    }
    for row in Generator::new(config.clone(), calendar) {
        match format {
            Format::Csv => write_csv_row(&mut buffer, &row),
            Format::JsonLines => write_json_row(&mut buffer, &row),
        }
        if buffer.len() >= 1 << 16 {
            out.write_all(&buffer)?;
            buffer.clear();
        }
    }
    out.write_all(&buffer)?;
    out.flush()
}
