//! Apache Parquet copies of the live rows, partitioned by year and month of receipt
//! (`parquet/year=2024/month=03/seg-000001.parquet`), so that DuckDB, Spark or Trino read the
//! store directly, e.g. `SELECT * FROM read_parquet('…/parquet/*/*/*.parquet',
//! hive_partitioning = true)`.
//!
//! Columns carry the input's Vietnamese names (`docs/dossiers.md` §1); timestamps are
//! `TIMESTAMP(MICROS)` in Vietnam local time (not adjusted to UTC), codes are integers, an
//! empty value is null. Dossiers not yet received (status 1) go to `year=0/month=0`. Written
//! with the `parquet` crate's low-level column writers (no Arrow), uncompressed with dictionary
//! encoding.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use cchc_domain::dossier::{Dossier, DossierFlags, Moment};
use parquet::data_type::{ByteArray, ByteArrayType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use crate::store::{Batch, DossierStore, StoreError};

fn code(table: &[String], i: u32) -> &str {
    table.get(i as usize).map(String::as_str).unwrap_or("")
}

/// The Parquet schema: the input columns under their own names.
pub const SCHEMA: &str = "message dossier {
  required binary MaHoSo (STRING);
  optional binary MaTTHC (STRING);
  optional binary MaLinhVuc (STRING);
  required binary DonViXuLy (STRING);
  optional int32 KenhThucHien;
  required int32 LoaiDVCTT;
  optional int64 NgayTiepNhan (TIMESTAMP(MICROS,false));
  optional int64 NgayHenTra (TIMESTAMP(MICROS,false));
  optional int64 NgayKetThucXuLy (TIMESTAMP(MICROS,false));
  optional int64 NgayTra (TIMESTAMP(MICROS,false));
  required int32 TrangThaiHoSo;
  optional int32 ThoiHanGiaiQuyet;
  required int32 CoPhiLePhi;
  required int32 DuocThanhToanTrucTuyen;
  required int32 HoSoCoThanhPhanSoHoa;
  required int32 KetQuaDienTu;
  required int32 TaiSuDungDuLieu;
  optional int32 DanhGia;
  required int32 PhieuXinLoi;
  required int32 SoLanBoSung;
  optional int64 NgayYeuCauBoSung (TIMESTAMP(MICROS,false));
  optional int64 NgayHoanThanhBoSung (TIMESTAMP(MICROS,false));
}";

/// Rows per row group.
const ROW_GROUP: usize = 1 << 20;
/// Seconds from 1970-01-01 to 2000-01-01.
const UNIX_2000: i64 = 946_684_800;

fn parquet_error(e: parquet::errors::ParquetError) -> StoreError {
    StoreError::Corrupt(format!("không ghi được tệp Parquet: {e}"))
}

fn micros(m: Moment) -> i64 {
    (i64::from(m.seconds()) + UNIX_2000) * 1_000_000
}

/// The partition folder of a record: year and month of receipt.
fn partition(d: &Dossier) -> (i32, u32) {
    d.received.map_or((0, 0), |r| {
        let (y, m, _) = r.day().ymd();
        (y, m)
    })
}

fn path(store: &DossierStore, (year, month): (i32, u32), segment: u32) -> PathBuf {
    store
        .dir()
        .join("parquet")
        .join(format!("year={year}"))
        .join(format!("month={month:02}"))
        .join(format!("seg-{segment:06}.parquet"))
}

/// (Re)writes the Parquet files of `segment` with its live `records` (MaHoSo, record); a month left without live
/// rows loses its file.
pub(crate) fn write_segment(
    store: &DossierStore,
    segment: u32,
    records: &[(&str, Dossier)],
    [agencies, procedures, fields]: [&[String]; 3],
    batch: &mut Batch,
) -> Result<(), StoreError> {
    let mut months: BTreeMap<(i32, u32), Vec<&(&str, Dossier)>> = BTreeMap::new();
    for row in records {
        months.entry(partition(&row.1)).or_default().push(row);
    }
    // Files of this segment in months that no longer have rows.
    let root = store.dir().join("parquet");
    if let Ok(years) = fs::read_dir(&root) {
        let name = format!("seg-{segment:06}.parquet");
        for year in years.flatten() {
            for month in fs::read_dir(year.path()).into_iter().flatten().flatten() {
                let file = month.path().join(&name);
                let keep = months.keys().any(|&key| path(store, key, segment) == file);
                if !keep && file.exists() {
                    let _ = fs::remove_file(&file);
                }
            }
        }
    }
    let schema = Arc::new(parse_message_type(SCHEMA).map_err(parquet_error)?);
    let props = Arc::new(WriterProperties::builder().set_created_by("cchc".into()).build());
    // Months encoded in parallel (two threads: encoding is the import's slowest step), written in
    // order.
    let months: Vec<Month<'_>> = months.into_iter().collect();
    let threads = months.len().clamp(1, 2);
    let encoded: Vec<Vec<Encoded>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let months = &months;
                let (schema, props) = (&schema, &props);
                scope.spawn(move || {
                    (t..months.len())
                        .step_by(threads)
                        .map(|i| (i, encode_month(&months[i].1, schema, props, [agencies, procedures, fields])))
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    let mut encoded: Vec<Encoded> = encoded.into_iter().flatten().collect();
    encoded.sort_by_key(|(i, _)| *i);
    for (i, buffer) in encoded {
        batch.write(&path(store, months[i].0, segment), &buffer?)?;
    }
    Ok(())
}

/// A month's partition key and rows.
type Month<'a> = ((i32, u32), Vec<&'a (&'a str, Dossier)>);
/// A month's position and its Parquet bytes.
type Encoded = (usize, Result<Vec<u8>, StoreError>);

/// One month's rows as a Parquet file.
fn encode_month(
    rows: &[&(&str, Dossier)],
    schema: &Arc<parquet::schema::types::Type>,
    props: &Arc<WriterProperties>,
    [agencies, procedures, fields]: [&[String]; 3],
) -> Result<Vec<u8>, StoreError> {
    let mut buffer = Vec::new();
    let mut writer = SerializedFileWriter::new(&mut buffer, schema.clone(), props.clone()).map_err(parquet_error)?;
    for group in rows.chunks(ROW_GROUP) {
        let mut row_group = writer.next_row_group().map_err(parquet_error)?;
        let mut column = 0usize;
        while let Some(mut col) = row_group.next_column().map_err(parquet_error)? {
            let ints = |f: &dyn Fn(&Dossier) -> i32| -> Vec<i32> { group.iter().map(|r| f(&r.1)).collect() };
            let optional_string = |table: &[String], f: &dyn Fn(&Dossier) -> u32| -> (Vec<ByteArray>, Vec<i16>) {
                let mut values = Vec::new();
                let levels = group
                    .iter()
                    .map(|r| {
                        let s = code(table, f(&r.1));
                        if s.is_empty() {
                            0
                        } else {
                            values.push(ByteArray::from(s));
                            1
                        }
                    })
                    .collect();
                (values, levels)
            };
            let optional_int = |f: &dyn Fn(&Dossier) -> Option<i32>| -> (Vec<i32>, Vec<i16>) {
                let mut values = Vec::new();
                let levels = group
                    .iter()
                    .map(|r| {
                        f(&r.1).map_or(0, |v| {
                            values.push(v);
                            1
                        })
                    })
                    .collect();
                (values, levels)
            };
            let optional_time = |f: &dyn Fn(&Dossier) -> Option<Moment>| -> (Vec<i64>, Vec<i16>) {
                let mut values = Vec::new();
                let levels = group
                    .iter()
                    .map(|r| {
                        f(&r.1).map_or(0, |m| {
                            values.push(micros(m));
                            1
                        })
                    })
                    .collect();
                (values, levels)
            };
            let flag = |d: &Dossier, f: DossierFlags| i32::from(d.flags.contains(f));
            let written = match column {
                0 => {
                    let values: Vec<ByteArray> = group.iter().map(|r| ByteArray::from(r.0)).collect();
                    col.typed::<ByteArrayType>().write_batch(&values, None, None)
                }
                1 => {
                    let (v, l) = optional_string(procedures, &|d| d.procedure.0);
                    col.typed::<ByteArrayType>().write_batch(&v, Some(&l), None)
                }
                2 => {
                    let (v, l) = optional_string(fields, &|d| d.field.0);
                    col.typed::<ByteArrayType>().write_batch(&v, Some(&l), None)
                }
                3 => {
                    let values: Vec<ByteArray> =
                        group.iter().map(|r| ByteArray::from(code(agencies, r.1.agency.0))).collect();
                    col.typed::<ByteArrayType>().write_batch(&values, None, None)
                }
                4 => {
                    let (v, l) = optional_int(&|d| d.channel.map(|c| i32::from(c.code())));
                    col.typed::<Int32Type>().write_batch(&v, Some(&l), None)
                }
                5 => col.typed::<Int32Type>().write_batch(&ints(&|d| i32::from(d.online.code())), None, None),
                6 | 7 | 8 | 9 | 20 | 21 => {
                    let pick = |d: &Dossier| match column {
                        6 => d.received,
                        7 => d.appointment,
                        8 => d.processed,
                        9 => d.returned,
                        20 => d.supplement_request,
                        _ => d.supplement_completion,
                    };
                    let (v, l) = optional_time(&pick);
                    col.typed::<Int64Type>().write_batch(&v, Some(&l), None)
                }
                10 => col.typed::<Int32Type>().write_batch(&ints(&|d| i32::from(d.status.code())), None, None),
                11 => {
                    let (v, l) = optional_int(&|d| d.limit_days.map(i32::from));
                    col.typed::<Int32Type>().write_batch(&v, Some(&l), None)
                }
                12 => col.typed::<Int32Type>().write_batch(&ints(&|d| flag(d, DossierFlags::FEE)), None, None),
                13 => col.typed::<Int32Type>().write_batch(&ints(&|d| i32::from(d.payment.code())), None, None),
                14 => col.typed::<Int32Type>().write_batch(&ints(&|d| flag(d, DossierFlags::DIGITIZED)), None, None),
                15 => col.typed::<Int32Type>().write_batch(
                    &ints(&|d| flag(d, DossierFlags::ELECTRONIC_RESULT)),
                    None,
                    None,
                ),
                16 => col.typed::<Int32Type>().write_batch(&ints(&|d| flag(d, DossierFlags::REUSED)), None, None),
                17 => {
                    let (v, l) = optional_int(&|d| d.rating.map(|r| i32::from(r.get())));
                    col.typed::<Int32Type>().write_batch(&v, Some(&l), None)
                }
                18 => col.typed::<Int32Type>().write_batch(&ints(&|d| flag(d, DossierFlags::APOLOGY)), None, None),
                _ => col.typed::<Int32Type>().write_batch(&ints(&|d| i32::from(d.supplements)), None, None),
            };
            written.map_err(parquet_error)?;
            col.close().map_err(parquet_error)?;
            column += 1;
        }
        row_group.close().map_err(parquet_error)?;
    }
    writer.close().map_err(parquet_error)?;
    Ok(buffer)
}
