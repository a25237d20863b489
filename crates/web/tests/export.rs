//! Exports through HTTP (`tower::ServiceExt::oneshot` on the real router): XLSX read back with
//! calamine, CSV with its byte-order mark and RFC 4180 quoting, the ICS feed, errors, and that
//! every export needs a session.

// Test helpers outside `#[test]` functions may unwrap too (clippy.toml allows it in tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Cursor;

use axum::http::{header, Request, StatusCode};
use axum::Router;
use calamine::{Data, Reader, Xlsx};
use cchc_domain::account::UserRole;
use cchc_domain::tracking::{DerivedStatus, Evidence, MilestoneRecord, ProgressStatus};
use cchc_domain::{Date, Timestamp};
use cchc_services::dashboard::evaluate;
use cchc_services::tracking::ProgressInput;
use cchc_web::AppState;
use common::Page as Answer;
const HEADERS: [&str; 9] = [
    "Mã hoạt động",
    "Hoạt động",
    "Lĩnh vực",
    "Cơ quan",
    "Mốc",
    "Hạn",
    "Trạng thái",
    "Ngày hoàn thành",
    "Cập nhật lần cuối",
];

struct Harness {
    app: Router,
    state: AppState,
    /// Session cookie of a viewer (`cchc_session=…`).
    cookie: String,
    /// The first milestone of activity II.2 for Sở Tư pháp, recorded done on 18/01/2024.
    done: MilestoneRecord,
    _files: tempfile::TempDir,
}

fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

async fn harness() -> Harness {
    let now = Timestamp::parse_rfc3339("2024-07-01T03:00:00Z").unwrap();
    let common::Harness { router: app, state, files } = common::harness(
        "2024-07-01T03:00:00Z",
        &[("lanhdao", UserRole::Viewer, None), ("tuphap", UserRole::Agency, Some("so-tu-phap"))],
    )
    .await;
    // Sở Tư pháp reports the plan of activity II.2 issued on 18/01/2024 (due 31/01/2024).
    let current = state.app.current().await.unwrap();
    let done = current
        .milestones
        .iter()
        .find(|m| m.activity_code() == "II.2" && m.agency.as_str() == "so-tu-phap")
        .cloned()
        .unwrap();
    let operator = state.app.command_line_user(state.now()).await.unwrap();
    let officer = state.app.account(&operator, "tuphap").await.unwrap();
    let input = ProgressInput {
        status: ProgressStatus::Done,
        completed_on: Some(date("18/01/2024")),
        evidence: Evidence {
            number: "15/KH-UBND".into(), date: Some(date("18/01/2024")), issuer: "UBND tỉnh".into()
        },
        file: None,
        comment: "Đã ban hành, xem Kế hoạch số 15/KH-UBND".into(),
    };
    state.app.record_progress(&officer, done.id, input, now).await.unwrap();

    let cookie = common::api_login(&app, "lanhdao").await.cookie;
    assert!(cookie.starts_with("cchc_session="), "{cookie}");
    Harness { app, state, cookie, done, _files: files }
}

impl Harness {
    async fn get_as(&self, uri: &str, cookie: Option<&str>) -> Answer {
        let mut request = Request::builder().uri(uri);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        common::send(&self.app, request.body(axum::body::Body::empty()).unwrap()).await
    }

    async fn get(&self, uri: &str) -> Answer {
        self.get_as(uri, Some(&self.cookie)).await
    }

    /// CSV records (header excluded) of an export.
    async fn csv(&self, uri: &str) -> Vec<Vec<String>> {
        let answer = self.get(uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.text());
        assert_eq!(answer.header(header::CONTENT_TYPE), "text/csv; charset=utf-8");
        assert!(answer.body.starts_with(b"\xEF\xBB\xBF"), "{uri}: no byte-order mark");
        let mut reader = csv::Reader::from_reader(&answer.body[3..]);
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), HEADERS);
        reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
    }

    async fn evaluated(&self, as_of: Date) -> Vec<cchc_services::dashboard::Evaluated> {
        let current = self.state.app.current().await.unwrap();
        evaluate(&current.milestones, as_of, self.state.app.calendar())
    }
}

/// Days since 30/12/1899: how Excel stores a date.
fn excel_serial(date: Date) -> f64 {
    (date.julian_day_number() - 2_415_019) as f64
}

#[tokio::test]
async fn exports_need_a_session() {
    let h = harness().await;
    for uri in ["/xuat/qua-han.xlsx", "/xuat/qua-han.csv", "/xuat/co-quan-so-tu-phap.csv", "/lich/so-tu-phap.ics"] {
        let answer = h.get_as(uri, None).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{uri}");
        assert_eq!(answer.header(header::LOCATION), format!("/dang-nhap?tiep={uri}"), "{uri}");
        assert!(answer.body.is_empty(), "{uri} leaked a body");
        let forged = h.get_as(uri, Some(&format!("cchc_session={}", "0".repeat(64)))).await;
        assert_eq!(forged.status, StatusCode::SEE_OTHER, "{uri}");
    }
}

#[tokio::test]
async fn overdue_xlsx_reads_back_with_dates_title_and_headers() {
    let h = harness().await;
    let answer = h.get("/xuat/qua-han.xlsx?as_of=01/07/2024").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.header(header::CONTENT_TYPE),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        answer.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"qua-han-2024-07-01.xlsx\"; filename*=UTF-8''qua-han-2024-07-01.xlsx"
    );
    assert!(answer.body.starts_with(b"PK\x03\x04"), "not a zip file");

    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(answer.body)).unwrap();
    let sheet = workbook.worksheet_range("Danh sách").unwrap();
    let cell = |row: usize, col: usize| sheet.get((row, col)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(0, 0), Data::String("Mốc quá hạn chưa hoàn thành — Tính đến ngày 01/07/2024".into()));
    let header: Vec<Data> = (0..HEADERS.len()).map(|c| cell(1, c)).collect();
    assert_eq!(header, HEADERS.iter().map(|h| Data::String(h.to_string())).collect::<Vec<_>>());

    let as_of = date("2024-07-01");
    let mut expected: Vec<_> =
        h.evaluated(as_of).await.into_iter().filter(|e| e.status == DerivedStatus::Overdue).collect();
    expected.sort_by(|a, b| a.milestone.due.cmp(&b.milestone.due).then(a.milestone.id.cmp(&b.milestone.id)));
    assert!(expected.len() > 100, "the seed plan has many overdue milestones on 01/07/2024");
    assert_eq!(sheet.height(), 2 + expected.len());
    for (i, e) in expected.iter().enumerate() {
        let row = 2 + i;
        assert_eq!(cell(row, 0), Data::String(e.milestone.activity_code()));
        assert_eq!(cell(row, 6), Data::String("Quá hạn chưa hoàn thành".into()));
        let Data::DateTime(due) = cell(row, 5) else {
            panic!("row {row}: «Hạn» is not a date cell: {:?}", cell(row, 5))
        };
        assert_eq!(due.as_f64(), excel_serial(e.milestone.due.unwrap()), "row {row}");
        assert!(due.as_f64() < excel_serial(as_of));
    }

    // The autofilter covers the header and every row (Excel keeps it as a hidden defined name).
    let last = format!("$I${}", 2 + expected.len());
    assert!(
        workbook.defined_names().iter().any(|(name, range)| name == "_xlnm._FilterDatabase" && range.ends_with(&last)),
        "{:?}",
        workbook.defined_names()
    );
}

#[tokio::test]
async fn agency_csv_lists_every_milestone_of_the_agency_with_progress() {
    let h = harness().await;
    let rows = h.csv("/xuat/co-quan-so-tu-phap.csv?as_of=2024-07-01").await;
    let expected =
        h.evaluated(date("2024-07-01")).await.iter().filter(|e| e.milestone.agency.as_str() == "so-tu-phap").count();
    assert_eq!(rows.len(), expected);
    assert!(rows.iter().all(|r| r[3] == "Sở Tư pháp"));
    let done: Vec<_> = rows.iter().filter(|r| r[6] == "Hoàn thành đúng hạn").collect();
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(done[0][0], "II.2");
    assert_eq!(done[0][4], h.done.label);
    assert_eq!(done[0][5], "31/01/2024");
    assert_eq!(done[0][7], "18/01/2024");
    assert_eq!(done[0][8], "01/07/2024 10:00", "last update in Vietnam time");

    // Raw bytes: comma-separated, CRLF, quotes where the text has commas.
    let raw = h.get("/xuat/co-quan-so-tu-phap.csv?as_of=2024-07-01").await.text();
    assert!(raw.starts_with(
        "\u{feff}Mã hoạt động,Hoạt động,Lĩnh vực,Cơ quan,Mốc,Hạn,Trạng thái,Ngày hoàn thành,Cập nhật lần cuối\r\n"
    ));
    assert!(
        raw.contains("\r\nII.2,\"Ban hành Kế hoạch của UBND tỉnh thực hiện công tác kiểm tra, xử lý, rà soát"),
        "a title with commas is quoted"
    );
    let answer = h.get("/xuat/co-quan-so-tu-phap.csv?as_of=2024-07-01").await;
    assert_eq!(
        answer.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"co-quan-so-tu-phap-2024-07-01.csv\"; filename*=UTF-8''co-quan-so-tu-phap-2024-07-01.csv"
    );
}

#[tokio::test]
async fn overdue_csv_matches_the_dashboard_and_the_xlsx() {
    let h = harness().await;
    let rows = h.csv("/xuat/qua-han.csv?as_of=01/07/2024").await;
    let (_, board) =
        cchc_web::pages::dashboard::compute(&h.state, &Default::default(), date("2024-07-01")).await.unwrap();
    assert_eq!(rows.len(), board.overdue.len());
    assert!(rows.iter().all(|r| r[6] == "Quá hạn chưa hoàn thành"));
    // Oldest deadline first.
    let dues: Vec<Date> = rows.iter().map(|r| date(&r[5])).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]));
    // The II.2 milestone done on time is not overdue.
    assert!(!rows.iter().any(|r| r[0] == "II.2" && r[3] == "Sở Tư pháp" && r[4] == h.done.label));
    // Earlier, nothing is overdue yet.
    assert!(h.csv("/xuat/qua-han.csv?as_of=2024-01-02").await.len() < rows.len());
}

#[tokio::test]
async fn upcoming_area_and_search_lists() {
    let h = harness().await;
    let as_of = date("2024-07-01");
    let (_, board) = cchc_web::pages::dashboard::compute(&h.state, &Default::default(), as_of).await.unwrap();
    let upcoming = h.csv("/xuat/sap-den-han.csv?as_of=2024-07-01").await;
    assert_eq!(upcoming.len(), board.upcoming.len(), "default window is the dashboard's 30 days");
    for r in &upcoming {
        let due = date(&r[5]);
        assert!(due >= as_of && due <= as_of.add_days(30), "{r:?}");
    }
    let year = h.csv("/xuat/sap-den-han.csv?as_of=2024-07-01&ngay=200").await;
    assert!(year.len() > upcoming.len());

    let area = h.csv("/xuat/linh-vuc-II.csv?as_of=2024-07-01").await;
    assert!(!area.is_empty());
    assert!(area.iter().all(|r| r[0].starts_with("II.") && r[2].starts_with("II. ")), "{:?}", area[0]);
    assert_eq!(h.csv("/xuat/linh-vuc-2.csv").await, area, "area by number");

    // Accent-insensitive, over the activity title and the agency name.
    let found = h.csv("/xuat/tim-kiem.csv?q=kiem%20tra%20xu%20ly%20ra%20soat&as_of=2024-07-01").await;
    assert!(found.iter().any(|r| r[0] == "II.2"), "{found:?}");
    let by_agency = h.csv("/xuat/tim-kiem.csv?q=SO+TU+PHAP").await;
    assert!(by_agency.iter().any(|r| r[3] == "Sở Tư pháp"));
    let accented = h.csv("/xuat/tim-kiem.csv?q=s%E1%BB%9F%20t%C6%B0%20ph%C3%A1p").await;
    assert_eq!(accented, by_agency);
    assert!(h.csv("/xuat/tim-kiem.csv?q=zzzkhongcogi").await.is_empty());
    let xlsx = h.get("/xuat/tim-kiem.xlsx?q=so%20tu%20phap").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.header(header::CONTENT_DISPOSITION).contains("tim-kiem-2024-07-01.xlsx"));
}

#[tokio::test]
async fn list_page_filters_carry_over_to_the_export() {
    let h = harness().await;
    // The overdue page links its export with its own query string (area, agency group, sort).
    let all = h.csv("/xuat/qua-han.csv?as_of=2024-07-01").await;
    let filtered = h.csv("/xuat/qua-han.csv?as_of=2024-07-01&linh_vuc=III&nhom=commune&sap_xep=co-quan").await;
    assert!(!filtered.is_empty() && filtered.len() < all.len());
    let directory = h.state.app.directory();
    let communes: std::collections::HashSet<&str> = directory
        .agencies
        .iter()
        .filter(|a| a.kind == cchc_domain::AgencyKind::Commune)
        .map(|a| a.name.as_str())
        .collect();
    assert!(filtered.iter().all(|r| r[0].starts_with("III.") && communes.contains(r[3].as_str())), "{:?}", filtered[0]);
    assert!(filtered.windows(2).all(|w| w[0][3] <= w[1][3]), "sorted by agency name");
    let latest_first = h.csv("/xuat/qua-han.csv?as_of=2024-07-01&sap_xep=han-giam").await;
    assert!(latest_first.windows(2).all(|w| date(&w[0][5]) >= date(&w[1][5])));
    assert_eq!(latest_first.len(), all.len());
    let agency_area = h.csv("/xuat/co-quan-so-tu-phap.csv?linh_vuc=II").await;
    assert!(!agency_area.is_empty() && agency_area.iter().all(|r| r[0].starts_with("II.")));

    let xlsx = h.get("/xuat/qua-han.xlsx?as_of=2024-07-01&nhom=commune").await;
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx.body)).unwrap();
    let sheet = workbook.worksheet_range("Danh sách").unwrap();
    assert_eq!(
        sheet.get((0, 0)).cloned(),
        Some(Data::String("Mốc quá hạn chưa hoàn thành — UBND cấp xã — Tính đến ngày 01/07/2024".into()))
    );
}

#[tokio::test]
async fn bad_lists_dates_and_agencies_are_refused() {
    let h = harness().await;
    for (uri, status) in [
        ("/xuat/khong-co.csv", StatusCode::NOT_FOUND),
        ("/xuat/qua-han.pdf", StatusCode::NOT_FOUND),
        ("/xuat/qua-han", StatusCode::NOT_FOUND),
        ("/xuat/co-quan-khong-co-co-quan-nay.xlsx", StatusCode::NOT_FOUND),
        ("/xuat/co-quan-SO_TU_PHAP.csv", StatusCode::NOT_FOUND),
        ("/xuat/linh-vuc-IX.csv", StatusCode::NOT_FOUND),
        ("/xuat/linh-vuc-.csv", StatusCode::NOT_FOUND),
        ("/xuat/qua-han.csv?as_of=32/13/2024", StatusCode::BAD_REQUEST),
        ("/xuat/qua-han.xlsx?as_of=hom-nay", StatusCode::BAD_REQUEST),
        ("/xuat/sap-den-han.csv?ngay=abc", StatusCode::BAD_REQUEST),
        ("/xuat/sap-den-han.csv?ngay=0", StatusCode::BAD_REQUEST),
        ("/xuat/sap-den-han.csv?ngay=100000", StatusCode::BAD_REQUEST),
        ("/xuat/tim-kiem.csv", StatusCode::BAD_REQUEST),
        ("/xuat/qua-han.csv?linh_vuc=IX", StatusCode::BAD_REQUEST),
        ("/xuat/qua-han.csv?as_of=2024-07-01&as_of=2024-07-02", StatusCode::BAD_REQUEST),
        ("/xuat/qua-han.csv?nhom=ban-nganh", StatusCode::BAD_REQUEST),
        ("/xuat/sap-den-han.xlsx?sap_xep=ngau-nhien", StatusCode::BAD_REQUEST),
        ("/xuat/tim-kiem.csv?q=%20%2C%20", StatusCode::BAD_REQUEST),
        ("/lich/khong-co.ics", StatusCode::NOT_FOUND),
        ("/lich/so-tu-phap.txt", StatusCode::NOT_FOUND),
        ("/lich/so-tu-phap", StatusCode::NOT_FOUND),
    ] {
        let answer = h.get(uri).await;
        assert_eq!(answer.status, status, "{uri}");
        assert!(answer.header(header::CONTENT_TYPE).starts_with("text/html"), "{uri}: an error page");
        assert!(answer.header(header::CONTENT_DISPOSITION).is_empty(), "{uri}");
    }
}

#[tokio::test]
async fn agency_calendar_feed() {
    let h = harness().await;
    let answer = h.get("/lich/so-tu-phap.ics").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header(header::CONTENT_TYPE), "text/calendar; charset=utf-8");
    assert!(answer.header(header::CONTENT_DISPOSITION).contains("filename=\"so-tu-phap.ics\""));
    let text = answer.text();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    assert!(!text.replace("\r\n", "").contains('\n'), "bare LF");
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "line of {} octets: {line}", line.len());
    }
    let unfolded = text.replace("\r\n ", "");
    assert!(unfolded.contains("\r\nX-WR-CALNAME:Hạn CCHC — Sở Tư pháp\r\n"));

    let current = h.state.app.current().await.unwrap();
    let expected: Vec<_> = current
        .milestones
        .iter()
        .filter(|m| m.agency.as_str() == "so-tu-phap" && m.due.is_some() && m.progress.status != ProgressStatus::Done)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(unfolded.matches("\r\nBEGIN:VEVENT\r\n").count(), expected.len());
    assert_eq!(unfolded.matches("\r\nEND:VEVENT\r\n").count(), expected.len());
    for m in &expected {
        let due = m.due.unwrap();
        let start = format!("DTSTART;VALUE=DATE:{:04}{:02}{:02}", due.year(), due.month(), due.day());
        let uid = format!("\r\nUID:milestone-{}@cchc\r\n", m.id.0);
        let event = unfolded.split("BEGIN:VEVENT").find(|e| e.contains(&uid)).unwrap();
        assert!(event.contains(&start), "{event}");
        assert!(event.contains(&format!("\r\nSUMMARY:[{}] ", m.activity_code())), "{event}");
        assert!(event.contains("\r\nDTSTAMP:20240701T030000Z\r\n"), "{event}");
        assert!(event.contains("\r\nDESCRIPTION:"), "{event}");
    }
    // Done milestones leave the feed.
    assert!(!unfolded.contains(&format!("UID:milestone-{}@cchc", h.done.id.0)));
    // Commas and semicolons of titles are escaped.
    let description = unfolded.lines().find(|l| l.starts_with("DESCRIPTION:") && l.contains(',')).unwrap();
    assert!(!description.replace("\\,", "").contains(','), "{description}");
}
