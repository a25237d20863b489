//! The readers on generated data (CSV and JSON Lines give the same records as generated) and on
//! malformed input (refused whole, or rows quarantined with their line and reason).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cchc_domain::calendar::WorkCalendar;
use cchc_domain::dossier::{Dossier, Status};
use cchc_dossiers::{generate, read, Format, Generator, GeneratorConfig, ReadError, ReadOptions};

fn agencies() -> Vec<String> {
    ["so-tu-phap", "so-noi-vu", "ubnd-huyen-moc-chau", "ubnd-xa-03646", "14"].map(String::from).to_vec()
}

fn generated(rows: u64, format: Format) -> Vec<u8> {
    let agencies = agencies();
    let config = GeneratorConfig { rows, seed: 42, year: 2024, agencies: &agencies };
    let mut out = Vec::new();
    generate(&config, &WorkCalendar::vietnam(), format, &mut out).unwrap();
    out
}

fn options(threads: usize) -> ReadOptions {
    ReadOptions { threads, ..ReadOptions::default() }
}

/// A record with its codes resolved, for comparison across readers.
fn resolved(set: &cchc_dossiers::DossierSet, i: usize) -> (String, String, String, String, Dossier) {
    let d = set.records[i];
    let neutral = Dossier { agency: Default::default(), procedure: Default::default(), field: Default::default(), ..d };
    (
        set.id(i).unwrap().to_owned(),
        set.agency_code(d.agency).unwrap().to_owned(),
        set.procedure_code(d.procedure).unwrap().to_owned(),
        set.field_code(d.field).unwrap().to_owned(),
        neutral,
    )
}

#[test]
fn csv_and_json_lines_read_back_the_generated_records() {
    let agencies = agencies();
    let config = GeneratorConfig { rows: 3000, seed: 42, year: 2024, agencies: &agencies };
    let expected: Vec<_> = Generator::new(config, &WorkCalendar::vietnam()).collect();
    for format in [Format::Csv, Format::JsonLines] {
        for threads in [1, 2, 3] {
            let outcome = read(&generated(3000, format), format, &options(threads)).unwrap();
            assert_eq!(outcome.diagnostics, vec![], "{format:?}");
            assert_eq!((outcome.rows, outcome.quarantined, outcome.duplicates), (3000, 0, 0));
            assert_eq!(outcome.set.len(), 3000);
            for (i, row) in expected.iter().enumerate() {
                let neutral = Dossier {
                    agency: Default::default(),
                    procedure: Default::default(),
                    field: Default::default(),
                    ..row.dossier
                };
                let got = resolved(&outcome.set, i);
                assert_eq!(
                    got,
                    (row.id.clone(), row.agency.clone(), row.procedure.clone(), row.field.clone(), neutral)
                );
            }
        }
    }
}

#[test]
fn the_generator_is_deterministic_and_covers_every_case() {
    assert_eq!(generated(500, Format::Csv), generated(500, Format::Csv));
    let agencies = agencies();
    let config = GeneratorConfig { rows: 20_000, seed: 7, year: 2024, agencies: &agencies };
    let rows: Vec<_> = Generator::new(config, &WorkCalendar::vietnam()).collect();
    for status in [
        Status::Refused,
        Status::Processing,
        Status::SupplementRequested,
        Status::Withdrawn,
        Status::Stopped,
        Status::Processed,
        Status::Returned,
    ] {
        assert!(rows.iter().any(|r| r.dossier.status == status), "{status:?}");
    }
    assert!(rows.iter().any(|r| r.supplements.len() == 2));
    for agency in &agencies {
        assert!(rows.iter().any(|r| &r.agency == agency), "{agency}");
    }
    let index = cchc_domain::dossier::WorkdayIndex::for_years(&WorkCalendar::vietnam(), 2024, 2025);
    let wrong =
        rows.iter().filter(|r| cchc_domain::dossier::wrong_appointment(&r.dossier, &index) == Some(true)).count();
    // 3% are drawn wrong (2% a day late, 1% on a day off).
    assert!((300..900).contains(&wrong), "{wrong}");
}

#[test]
fn a_file_without_a_required_column_is_refused_whole() {
    let csv = b"MaHoSo,MaTTHC,DonViXuLy,TrangThaiHoSo,NgayTiepNhan\nA,1,so-tu-phap,2,20240115090000\n";
    let err = read(csv, Format::Csv, &options(2)).unwrap_err();
    assert_eq!(err, ReadError::MissingColumns(vec!["NgayHenTra", "NgayKetThucXuLy", "NgayTra"]));
    assert_eq!(err.to_string(), "thiếu cột bắt buộc: NgayHenTra, NgayKetThucXuLy, NgayTra");
}

#[test]
fn a_file_that_is_not_utf8_is_refused_whole() {
    let mut csv = generated(5, Format::Csv);
    let at = csv.len() - 10;
    csv[at] = 0xC3;
    csv[at + 1] = 0x28;
    let err = read(&csv, Format::Csv, &options(2)).unwrap_err();
    assert_eq!(err, ReadError::NotUtf8 { line: 6 });
    assert!(err.to_string().contains("UTF-8"));
    assert_eq!(read(b"", Format::JsonLines, &options(1)).unwrap_err(), ReadError::Empty);
}

const HEADER: &str = "MaHoSo;MaTTHC;DonViXuLy;TrangThaiHoSo;NgayTiepNhan;NgayHenTra;NgayKetThucXuLy;NgayTra;ThoiHanGiaiQuyet;DanhGia;CotKhac\n";

#[test]
fn malformed_rows_are_quarantined_with_their_line_and_reason() {
    let csv = format!(
        "{HEADER}\
         A1;1.001;so-tu-phap;10;20240115090000;20240118170000;20240117100000;20240117110000;3;5;x\n\
         A2;1.001;so-tu-phap;10;2024-01-15;20240118170000;20240117100000;;3;;x\n\
         A3;1.001;so-tu-phap;11;20240115090000;20240118170000;;;3;;x\n\
         A4;1.001;so-tu-phap;10;20240115090000;20240118170000;;;3;;x\n\
         \n\
         A5;1.001;so-tu-phap;4;20240115090000;;;;;;x\n\
         A6;1.001;so-tu-phap;4;20240115090000;20240112170000;;;3;;x\n\
         A7;1.001;so-tu-phap;10;20240115090000;20240118170000;20240114100000;;3;;x\n\
         A8;1.001;so-tu-phap;4;20240115090000;20240118170000;;;3;7;x\n\
         A9;1.001;so-y-te;4\n\
         A1;1.002;so-noi-vu;4;20240116090000;20240119170000;;;3;;x\n\
         A10;1.001;;4;20240115090000;20240118170000;;;3;;x\n\
         A11;1.001;so-tu-phap;2;20240115090000;20240118170000;;;;;x\n"
    );
    let outcome = read(csv.as_bytes(), Format::Csv, &options(2)).unwrap();
    let messages: Vec<String> = outcome.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        messages,
        vec![
            "dòng 1: thông tin: cột «CotKhac» không dùng đến, bỏ qua",
            "dòng 3: lỗi: NgayTiepNhan «2024-01-15» không đúng dạng yyyyMMddHHmmss",
            "dòng 4: lỗi: TrangThaiHoSo «11» không phải mã hợp lệ",
            "dòng 5: lỗi: trạng thái 10 (đã trả kết quả) nhưng thiếu cả NgayKetThucXuLy và NgayTra",
            "dòng 7: lỗi: thiếu cả NgayHenTra và ThoiHanGiaiQuyet: không xác định được hạn giải quyết",
            "dòng 8: lỗi: NgayHenTra 12/01/2024 17:00:00 trước NgayTiepNhan 15/01/2024 09:00:00",
            "dòng 9: lỗi: NgayKetThucXuLy 14/01/2024 10:00:00 trước NgayTiepNhan 15/01/2024 09:00:00",
            "dòng 10: lỗi: DanhGia «7» phải từ 1 đến 5 hoặc để trống",
            "dòng 11: lỗi: dòng có 4 cột, dòng tiêu đề có 11",
            "dòng 12: lỗi: MaHoSo «A1» đã có ở dòng 2; dòng này bị bỏ qua",
            "dòng 13: lỗi: thiếu DonViXuLy",
        ]
    );
    assert_eq!((outcome.rows, outcome.quarantined, outcome.duplicates), (12, 9, 1));
    let ids: Vec<&str> = (0..outcome.set.len()).map(|i| outcome.set.id(i).unwrap()).collect();
    assert_eq!(ids, ["A1", "A11"]);
    assert_eq!(outcome.set.records[0].rating.map(|r| r.get()), Some(5));
    // A quarantined row's agency (so-y-te) is not in the table; a duplicate's is (it was read
    // before the duplicate was found).
    assert_eq!(outcome.set.agencies, ["so-tu-phap", "so-noi-vu"]);
}

#[test]
fn json_lines_accept_numbers_strings_and_null_and_report_bad_lines() {
    let jsonl = concat!(
        r#"{"MaHoSo":"J1","MaTTHC":"1.001","DonViXuLy":"so-tu-phap","TrangThaiHoSo":"10","NgayTiepNhan":20240115090000,"NgayHenTra":"20240118170000","NgayKetThucXuLy":"20240117100000","NgayTra":null,"KenhThucHien":2,"CoPhiLePhi":true,"Khac":{"a":[1]},"DanhSachHoSoBoSung":[{"NgayYeuCauBoSung":"20240116100000","NgayHoanThanhBoSung":null},{"NgayYeuCauBoSung":"20240115100000","NgayHoanThanhBoSung":"20240115150000"}]}"#,
        "\n",
        r#"{"MaHoSo":"J2","#,
        "\n",
        r#"{"MaHoSo":"J3","DanhSachHoSoBoSung":5}"#,
        "\n",
        r#"["J4"]"#,
        "\n",
    );
    let outcome = read(jsonl.as_bytes(), Format::JsonLines, &options(2)).unwrap();
    assert_eq!(outcome.set.len(), 1);
    let d = outcome.set.records[0];
    assert_eq!(d.supplements, 2);
    assert_eq!(d.supplement_request.unwrap().compact(), "20240115100000", "the earliest request");
    assert_eq!(d.supplement_completion.unwrap().compact(), "20240115150000");
    assert!(d.flags.contains(cchc_domain::dossier::DossierFlags::FEE));
    let lines: Vec<u32> = outcome.diagnostics.iter().map(|d| d.line).collect();
    assert_eq!(lines, [2, 3, 4]);
    assert!(outcome.diagnostics[0].message.contains("không phải một đối tượng JSON hợp lệ"));
    assert!(outcome.diagnostics[1].message.contains("không đúng kiểu"));
}

#[test]
fn listing_stops_at_the_limit_but_counting_does_not() {
    let mut csv = String::from(HEADER);
    for i in 0..50 {
        csv.push_str(&format!("B{i};1;so-tu-phap;99;;;;;;;\n"));
    }
    let outcome = read(csv.as_bytes(), Format::Csv, &ReadOptions { threads: 2, max_listed: 10 }).unwrap();
    assert_eq!(outcome.quarantined, 50);
    let errors: Vec<_> = outcome.diagnostics.iter().filter(|d| d.line > 1).collect();
    assert_eq!(errors.len(), 10);
    assert_eq!(outcome.diagnostics.last().unwrap().message, "còn 40 dòng bị loại khác không liệt kê từng dòng");
}

#[test]
fn timestamps_far_in_the_past_or_future_are_quarantined() {
    let csv = format!(
        "{HEADER}\
         B1;1.001;so-tu-phap;4;19000115090000;20240118170000;;;3;;x\n\
         B2;1.001;so-tu-phap;4;99990115090000;20240118170000;;;3;;x\n\
         B3;1.001;so-tu-phap;4;21000115090000;21000118170000;;;3;;x\n\
         B4;1.001;so-tu-phap;10;20240115090000;20240118170000;20240117100000;20350117110000;3;;x\n\
         B5;1.001;so-tu-phap;4;20240115090000;20340115090000;;;3;;x\n\
         B6;1.001;so-tu-phap;4;20991231090000;20991231170000;;;0;;x\n"
    );
    let outcome = read(csv.as_bytes(), Format::Csv, &options(1)).unwrap();
    let messages: Vec<String> = outcome.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        messages,
        vec![
            "dòng 1: thông tin: cột «CotKhac» không dùng đến, bỏ qua",
            "dòng 2: lỗi: NgayTiepNhan «19000115090000»: năm 1900 nằm ngoài khoảng 2000–2099 mà hệ thống tính được",
            "dòng 3: lỗi: NgayTiepNhan «99990115090000»: năm 9999 nằm ngoài khoảng 2000–2099 mà hệ thống tính được",
            "dòng 4: lỗi: NgayTiepNhan «21000115090000»: năm 2100 nằm ngoài khoảng 2000–2099 mà hệ thống tính được",
            "dòng 5: lỗi: NgayTra 17/01/2035 11:00:00 cách NgayTiepNhan 15/01/2024 09:00:00 hơn 10 năm",
        ]
    );
    // Ten years to the day (3,653 days, leap days included) are accepted; the last year too.
    let ids: Vec<&str> = (0..outcome.set.len()).map(|i| outcome.set.id(i).unwrap()).collect();
    assert_eq!(ids, ["B5", "B6"]);
}
