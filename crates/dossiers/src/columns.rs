//! The columns of a dossier row and the parsing of one row's values into a [`Dossier`], shared by
//! the CSV and JSON Lines readers. The meaning of every column is in `docs/dossiers.md`.

use std::borrow::Cow;

use cchc_domain::dossier::{
    AgencyIx, Channel, CodeIx, Dossier, DossierFlags, DossierRating, Moment, OnlineLevel, Payment, Status,
};

use crate::intern::Interner;

/// A column of the input, named as the national portal's synchronisation names it (or, where
/// the portal's name is unknown, as `docs/dossiers.md` says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    MaHoSo,
    MaTTHC,
    MaLinhVuc,
    DonViXuLy,
    KenhThucHien,
    LoaiDVCTT,
    NgayTiepNhan,
    NgayHenTra,
    NgayKetThucXuLy,
    NgayTra,
    TrangThaiHoSo,
    ThoiHanGiaiQuyet,
    CoPhiLePhi,
    DuocThanhToanTrucTuyen,
    HoSoCoThanhPhanSoHoa,
    KetQuaDienTu,
    TaiSuDungDuLieu,
    DanhGia,
    PhieuXinLoi,
    SoLanBoSung,
    NgayYeuCauBoSung,
    NgayHoanThanhBoSung,
}

/// Number of columns.
pub const COLUMN_COUNT: usize = 22;

impl Column {
    /// Every column, in the order the generator writes them.
    pub const ALL: [Column; COLUMN_COUNT] = [
        Column::MaHoSo,
        Column::MaTTHC,
        Column::MaLinhVuc,
        Column::DonViXuLy,
        Column::KenhThucHien,
        Column::LoaiDVCTT,
        Column::NgayTiepNhan,
        Column::NgayHenTra,
        Column::NgayKetThucXuLy,
        Column::NgayTra,
        Column::TrangThaiHoSo,
        Column::ThoiHanGiaiQuyet,
        Column::CoPhiLePhi,
        Column::DuocThanhToanTrucTuyen,
        Column::HoSoCoThanhPhanSoHoa,
        Column::KetQuaDienTu,
        Column::TaiSuDungDuLieu,
        Column::DanhGia,
        Column::PhieuXinLoi,
        Column::SoLanBoSung,
        Column::NgayYeuCauBoSung,
        Column::NgayHoanThanhBoSung,
    ];

    /// Columns without which a file is refused whole.
    pub const REQUIRED: [Column; 8] = [
        Column::MaHoSo,
        Column::MaTTHC,
        Column::DonViXuLy,
        Column::TrangThaiHoSo,
        Column::NgayTiepNhan,
        Column::NgayHenTra,
        Column::NgayKetThucXuLy,
        Column::NgayTra,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::MaHoSo => "MaHoSo",
            Column::MaTTHC => "MaTTHC",
            Column::MaLinhVuc => "MaLinhVuc",
            Column::DonViXuLy => "DonViXuLy",
            Column::KenhThucHien => "KenhThucHien",
            Column::LoaiDVCTT => "LoaiDVCTT",
            Column::NgayTiepNhan => "NgayTiepNhan",
            Column::NgayHenTra => "NgayHenTra",
            Column::NgayKetThucXuLy => "NgayKetThucXuLy",
            Column::NgayTra => "NgayTra",
            Column::TrangThaiHoSo => "TrangThaiHoSo",
            Column::ThoiHanGiaiQuyet => "ThoiHanGiaiQuyet",
            Column::CoPhiLePhi => "CoPhiLePhi",
            Column::DuocThanhToanTrucTuyen => "DuocThanhToanTrucTuyen",
            Column::HoSoCoThanhPhanSoHoa => "HoSoCoThanhPhanSoHoa",
            Column::KetQuaDienTu => "KetQuaDienTu",
            Column::TaiSuDungDuLieu => "TaiSuDungDuLieu",
            Column::DanhGia => "DanhGia",
            Column::PhieuXinLoi => "PhieuXinLoi",
            Column::SoLanBoSung => "SoLanBoSung",
            Column::NgayYeuCauBoSung => "NgayYeuCauBoSung",
            Column::NgayHoanThanhBoSung => "NgayHoanThanhBoSung",
        }
    }

    /// The column of a header name: exact, else ignoring ASCII case and surrounding spaces.
    pub fn from_name(name: &str) -> Option<Column> {
        let name = name.trim();
        Column::ALL.into_iter().find(|c| c.name() == name || c.name().eq_ignore_ascii_case(name))
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// One row's raw values, by column; an absent column is empty.
pub(crate) type RawRow<'a> = [Cow<'a, [u8]>; COLUMN_COUNT];

pub(crate) fn empty_row<'a>() -> RawRow<'a> {
    std::array::from_fn(|_| Cow::Borrowed(&b""[..]))
}

/// The side tables rows are interned into.
#[derive(Debug)]
pub(crate) struct Tables {
    pub agencies: Interner,
    pub procedures: Interner,
    pub fields: Interner,
}

impl Default for Tables {
    fn default() -> Tables {
        let mut tables =
            Tables { agencies: Interner::default(), procedures: Interner::default(), fields: Interner::default() };
        // Index 0 is the empty code.
        tables.procedures.intern(b"");
        tables.fields.intern(b"");
        tables
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

fn text(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

fn small_number(column: Column, bytes: &[u8], max: u32) -> Result<Option<u32>, String> {
    let bytes = trim(bytes);
    if bytes.is_empty() {
        return Ok(None);
    }
    let mut value: u32 = 0;
    for &b in bytes {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 || value > max {
            return Err(format!("{} «{}» không phải số nguyên từ 0 đến {max}", column.name(), text(bytes)));
        }
        value = value * 10 + u32::from(digit);
    }
    if value > max {
        return Err(format!("{} «{}» không phải số nguyên từ 0 đến {max}", column.name(), text(bytes)));
    }
    Ok(Some(value))
}

fn code<T>(column: Column, bytes: &[u8], of: fn(u8) -> Option<T>) -> Result<Option<T>, String> {
    match small_number(column, bytes, 255)? {
        None => Ok(None),
        Some(value) => of(value as u8)
            .map(Some)
            .ok_or_else(|| format!("{} «{}» không phải mã hợp lệ", column.name(), text(trim(bytes)))),
    }
}

fn flag(column: Column, bytes: &[u8]) -> Result<bool, String> {
    match trim(bytes) {
        b"" | b"0" => Ok(false),
        b"1" => Ok(true),
        other => Err(format!("{} «{}» phải là 0 hoặc 1", column.name(), text(other))),
    }
}

/// The years a timestamp may fall in: those of the store's working-day index
/// ([`crate::store::INDEX_YEARS`]); anything else is quarantined (`docs/dossiers.md` §1).
pub const YEARS: (i32, i32) = (2000, 2099);
/// Seconds from 2000-01-01 00:00:00 to 01/01 of the year after [`YEARS`]' last (36,525 days).
const YEARS_END_SECONDS: u32 = 36_525 * 86_400;
/// How far after the receipt another timestamp may lie: ten years (3,653 days).
const AFTER_RECEIPT_SECONDS: u32 = 3_653 * 86_400;

fn out_of_years(column: Column, bytes: &[u8], year: i64) -> String {
    format!(
        "{} «{}»: năm {year} nằm ngoài khoảng {}–{} mà hệ thống tính được",
        column.name(),
        text(bytes),
        YEARS.0,
        YEARS.1
    )
}

fn moment(column: Column, bytes: &[u8]) -> Result<Option<Moment>, String> {
    let bytes = trim(bytes);
    if bytes.is_empty() {
        return Ok(None);
    }
    match Moment::parse_compact(bytes) {
        Some(m) if m.seconds() < YEARS_END_SECONDS => Ok(Some(m)),
        Some(m) => Err(out_of_years(column, bytes, i64::from(m.day().ymd().0))),
        None => {
            // Fourteen digits of a real date in a year outside the range: say so.
            let year =
                bytes.iter().take(4).try_fold(0i64, |y, &b| b.is_ascii_digit().then(|| y * 10 + i64::from(b - b'0')));
            match year {
                Some(year)
                    if bytes.len() == 14
                        && bytes.iter().all(u8::is_ascii_digit)
                        && !(i64::from(YEARS.0)..=i64::from(YEARS.1)).contains(&year) =>
                {
                    Err(out_of_years(column, bytes, year))
                }
                _ => Err(format!("{} «{}» không đúng dạng yyyyMMddHHmmss", column.name(), text(bytes))),
            }
        }
    }
}

/// Parses one row. `Err` is the Vietnamese reason the row is quarantined.
pub(crate) fn parse_row(row: &RawRow<'_>, tables: &mut Tables) -> Result<Dossier, String> {
    parse_row_with(row, tables, true)
}

/// [`parse_row`], interning `MaTTHC` and `MaLinhVuc` only when `codes` (the counts do not need
/// them: without, both are [`CodeIx`] 0). The row is validated the same either way.
pub(crate) fn parse_row_with(row: &RawRow<'_>, tables: &mut Tables, codes: bool) -> Result<Dossier, String> {
    let values: Values<'_> = std::array::from_fn(|i| &*row[i]);
    parse_values(&values, tables, codes)
}

/// One row's values, by column, borrowed (the CSV reader's fast path for lines without quotes).
pub(crate) type Values<'a> = [&'a [u8]; COLUMN_COUNT];

/// [`parse_row_with`] over borrowed values.
pub(crate) fn parse_values(row: &Values<'_>, tables: &mut Tables, codes: bool) -> Result<Dossier, String> {
    let get = |c: Column| -> &[u8] { row[c.index()] };
    let id = trim(get(Column::MaHoSo));
    if id.is_empty() {
        return Err("thiếu MaHoSo".to_owned());
    }
    let agency = trim(get(Column::DonViXuLy));
    if agency.is_empty() {
        return Err("thiếu DonViXuLy".to_owned());
    }
    let status = code(Column::TrangThaiHoSo, get(Column::TrangThaiHoSo), Status::from_code)?
        .ok_or_else(|| "thiếu TrangThaiHoSo".to_owned())?;
    let received = moment(Column::NgayTiepNhan, get(Column::NgayTiepNhan))?;
    let appointment = moment(Column::NgayHenTra, get(Column::NgayHenTra))?;
    let processed = moment(Column::NgayKetThucXuLy, get(Column::NgayKetThucXuLy))?;
    let returned = moment(Column::NgayTra, get(Column::NgayTra))?;
    let supplement_request = moment(Column::NgayYeuCauBoSung, get(Column::NgayYeuCauBoSung))?;
    let supplement_completion = moment(Column::NgayHoanThanhBoSung, get(Column::NgayHoanThanhBoSung))?;
    let limit_days = small_number(Column::ThoiHanGiaiQuyet, get(Column::ThoiHanGiaiQuyet), 9_999)?.map(|v| v as u16);
    let supplements = small_number(Column::SoLanBoSung, get(Column::SoLanBoSung), 255)?;
    let channel = code(Column::KenhThucHien, get(Column::KenhThucHien), Channel::from_code)?;
    let online = code(Column::LoaiDVCTT, get(Column::LoaiDVCTT), OnlineLevel::from_code)?.unwrap_or_default();
    let payment = code(Column::DuocThanhToanTrucTuyen, get(Column::DuocThanhToanTrucTuyen), Payment::from_code)?
        .unwrap_or_default();
    let rating = match small_number(Column::DanhGia, get(Column::DanhGia), 255)? {
        None => None,
        Some(stars) => Some(
            DossierRating::new(stars as u8)
                .ok_or_else(|| format!("DanhGia «{stars}» phải từ 1 đến 5 hoặc để trống"))?,
        ),
    };
    let flags = DossierFlags::empty()
        .with(DossierFlags::FEE, flag(Column::CoPhiLePhi, get(Column::CoPhiLePhi))?)
        .with(DossierFlags::DIGITIZED, flag(Column::HoSoCoThanhPhanSoHoa, get(Column::HoSoCoThanhPhanSoHoa))?)
        .with(DossierFlags::ELECTRONIC_RESULT, flag(Column::KetQuaDienTu, get(Column::KetQuaDienTu))?)
        .with(DossierFlags::REUSED, flag(Column::TaiSuDungDuLieu, get(Column::TaiSuDungDuLieu))?)
        .with(DossierFlags::APOLOGY, flag(Column::PhieuXinLoi, get(Column::PhieuXinLoi))?);

    // The consistency the rules rely on.
    let supplements = match (supplements, supplement_request) {
        (Some(0) | None, Some(_)) => 1,
        (Some(n), None) if n > 0 => {
            return Err(format!("SoLanBoSung = {n} nhưng thiếu NgayYeuCauBoSung"));
        }
        (Some(n), _) => n.min(255) as u8,
        (None, None) => 0,
    };
    if supplement_request.is_none() && supplement_completion.is_some() {
        return Err("có NgayHoanThanhBoSung nhưng thiếu NgayYeuCauBoSung".to_owned());
    }
    if let (Some(request), Some(done)) = (supplement_request, supplement_completion) {
        if done < request {
            return Err(format!("NgayHoanThanhBoSung {} trước NgayYeuCauBoSung {}", done.vn(), request.vn()));
        }
    }
    if status != Status::Registered {
        let Some(received) = received else {
            return Err(format!("thiếu NgayTiepNhan (trạng thái {} — {})", status.code(), status.label_vn()));
        };
        if appointment.is_none() && limit_days.is_none() {
            return Err("thiếu cả NgayHenTra và ThoiHanGiaiQuyet: không xác định được hạn giải quyết".to_owned());
        }
        if let Some(appointment) = appointment {
            if appointment.day() < received.day() {
                return Err(format!("NgayHenTra {} trước NgayTiepNhan {}", appointment.vn(), received.vn()));
            }
        }
        if status.is_final() && processed.is_none() && returned.is_none() {
            return Err(format!(
                "trạng thái {} ({}) nhưng thiếu cả NgayKetThucXuLy và NgayTra",
                status.code(),
                status.label_vn()
            ));
        }
        if status == Status::SupplementRequested && supplement_request.is_none() {
            return Err("trạng thái 5 (yêu cầu bổ sung) nhưng thiếu NgayYeuCauBoSung".to_owned());
        }
        for (column, value) in [
            (Column::NgayKetThucXuLy, processed),
            (Column::NgayTra, returned),
            (Column::NgayYeuCauBoSung, supplement_request),
        ] {
            if let Some(value) = value.filter(|&v| v < received) {
                return Err(format!("{} {} trước NgayTiepNhan {}", column.name(), value.vn(), received.vn()));
            }
        }
    }
    if let Some(received) = received {
        for (column, value) in [
            (Column::NgayHenTra, appointment),
            (Column::NgayKetThucXuLy, processed),
            (Column::NgayTra, returned),
            (Column::NgayYeuCauBoSung, supplement_request),
            (Column::NgayHoanThanhBoSung, supplement_completion),
        ] {
            if let Some(value) =
                value.filter(|v| v.seconds().saturating_sub(received.seconds()) > AFTER_RECEIPT_SECONDS)
            {
                return Err(format!("{} {} cách NgayTiepNhan {} hơn 10 năm", column.name(), value.vn(), received.vn()));
            }
        }
    }

    Ok(Dossier {
        agency: AgencyIx(tables.agencies.intern(agency)),
        procedure: CodeIx(if codes { tables.procedures.intern(trim(get(Column::MaTTHC))) } else { 0 }),
        field: CodeIx(if codes { tables.fields.intern(trim(get(Column::MaLinhVuc))) } else { 0 }),
        received,
        appointment,
        processed,
        returned,
        supplement_request,
        supplement_completion,
        limit_days,
        status,
        channel,
        online,
        payment,
        flags,
        rating,
        supplements,
    })
}
