//! `/ho-so-tthc…`: one-stop-shop dossiers (issue 11). The standard dossier-handling table of a
//! period per agency with totals per level and for the province, the shares and a stacked bar
//! per agency; the late dossiers without an apology letter; the wrong appointment dates; the 766
//! points with the calculation beside each number; XLSX downloads of the table and the lists;
//! and, for Sở Nội vụ, the upload of an export, imported in the background while a page that
//! refreshes itself every second shows its progress.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use cchc_domain::dossier::{points_766, Counts, NOT_FROM_DOSSIERS};
use cchc_domain::number::Percent1;
use cchc_domain::{AdminLevel, Date};
use cchc_services::dossier_jobs::{DossierOverview, JobOutcome, JobStatus};
use cchc_services::dossiers::{dossier_date, DossierPeriod, DossierTable};
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use serde::Deserialize;

use crate::api::dossiers::{agency_of, blocking, calculation, level_of, period_of, points2, MAX_DOSSIER_UPLOAD};
use crate::auth::{CurrentUser, PageUser};
use crate::error::{PageError, WebError};
use crate::extract::VnQuery;
use crate::pages::plan::bad_request;
use crate::pages::{render, BarSegment, Nav, SelectOption};
use crate::AppState;

/// Rows of a list page.
const PAGE_SIZE: usize = 200;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ho-so-tthc", get(table_page))
        .route("/ho-so-tthc/tre-han", get(late_page))
        .route("/ho-so-tthc/ngay-hen", get(dates_page))
        .route("/ho-so-tthc/766", get(score_page))
        .route("/ho-so-tthc/bang.xlsx", get(table_xlsx))
        .route("/ho-so-tthc/tre-han.xlsx", get(late_xlsx))
        .route("/ho-so-tthc/ngay-hen.xlsx", get(dates_xlsx))
        .route(
            "/ho-so-tthc/nhap",
            get(upload_page).post(upload).layer(DefaultBodyLimit::max(MAX_DOSSIER_UPLOAD + 64 * 1024)),
        )
        .route("/ho-so-tthc/nhap/{job}", get(job_page))
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    /// Period: a reporting period of the plan or a month.
    ky: Option<String>,
    /// Level: tinh, huyen, xa.
    cap: Option<String>,
    /// One agency.
    co_quan: Option<String>,
    /// Page of a list (from 1).
    trang: Option<usize>,
}

fn percent(numerator: u64, denominator: u64) -> String {
    Percent1::ratio(numerator as f64, denominator as f64).map_or_else(|| "–".to_string(), |p| format!("{}%", p.vn()))
}

/// What the store holds, or why there is nothing to show.
async fn overview(state: &AppState, user: &CurrentUser) -> Result<DossierOverview, PageError> {
    let (app, u) = (state.app.clone(), user.user.clone());
    Ok(blocking(move || app.dossier_overview(&u)).await?)
}

/// The period picker, the chosen period and the store's state.
struct Choice {
    overview: DossierOverview,
    period: Option<DossierPeriod>,
    periods: Vec<SelectOption>,
}

async fn choose(state: &AppState, user: &CurrentUser, ky: Option<&str>) -> Result<Choice, PageError> {
    let overview = overview(state, user).await?;
    let asked = ky.map(str::trim).filter(|k| !k.is_empty()).map(str::to_string);
    let latest = overview.months.last().map(|(y, m)| format!("{y}-{m:02}"));
    let chosen = asked.or(latest);
    let mut periods: Vec<SelectOption> = state
        .app
        .reporting_periods()
        .await?
        .into_iter()
        .map(|p| SelectOption { value: p.id.to_string(), label: p.name.clone(), selected: false })
        .collect();
    periods.extend(overview.months.iter().rev().map(|(y, m)| SelectOption {
        value: format!("{y}-{m:02}"),
        label: format!("Tháng {m:02}/{y}"),
        selected: false,
    }));
    let period = match &chosen {
        Some(text) if overview.dossiers > 0 => Some(period_of(&state.app, Some(text)).await?),
        _ => None,
    };
    if let Some(p) = &period {
        if !periods.iter().any(|o| o.value == p.id) {
            periods.push(SelectOption { value: p.id.clone(), label: p.id.clone(), selected: false });
        }
        for o in &mut periods {
            o.selected = o.value == p.id;
        }
    }
    Ok(Choice { overview, period, periods })
}

/// Why a page has nothing to show (no store, no data), or `None`.
fn empty_reason(overview: &DossierOverview) -> Option<String> {
    if !overview.configured {
        Some("Ứng dụng đang chạy không có thư mục dữ liệu nên chưa có kho hồ sơ TTHC.".into())
    } else if overview.dossiers == 0 {
        Some("Chưa có hồ sơ TTHC nào được nhập.".into())
    } else {
        None
    }
}

fn period_label(period: &DossierPeriod) -> String {
    format!("{} (số liệu từ {} đến {})", period.id, period.from.vn(), period.to.vn())
}

/// A line of the table: an agency, a level's total or the province's.
struct Line {
    /// The agency's id, empty for a total.
    id: String,
    name: String,
    /// `""`, `"subtotal"` or `"total"` (a CSS class of the row).
    class: &'static str,
    c: Counts,
    /// Received in person or by post.
    offline: u64,
    resolved: u64,
    in_progress: u64,
    online: String,
    online_full: String,
    payment: String,
    digitized: String,
    reused: String,
    satisfaction: String,
    bar: Vec<BarSegment>,
    points: String,
    /// Per 766 component: (points, calculation).
    components: Vec<(String, String)>,
}

fn line(id: String, name: String, class: &'static str, c: Counts) -> Line {
    let score = points_766(&c);
    let parts = [
        (c.resolved_early, "ds-early", "Trước hạn"),
        (c.resolved_on_time, "ds-on-time", "Đúng hạn"),
        (c.resolved_late, "ds-late", "Quá hạn"),
        (c.in_progress_overdue, "ds-overdue", "Đang giải quyết quá hạn"),
    ];
    let total: u64 = parts.iter().map(|p| p.0).sum();
    let mut bar = Vec::new();
    let mut x = 0.0;
    for (n, class, label) in parts {
        if n == 0 || total == 0 {
            continue;
        }
        let width = n as f64 * 100.0 / total as f64;
        bar.push(BarSegment {
            x: format!("{x:.2}"),
            width: format!("{width:.2}"),
            class,
            title: format!("{label}: {n} ({})", percent(n, total)),
        });
        x += width;
    }
    Line {
        id,
        name,
        class,
        offline: c.received.saturating_sub(c.online),
        resolved: c.resolved(),
        in_progress: c.in_progress(),
        online: percent(c.online, c.received),
        online_full: percent(c.online_full, c.received),
        payment: percent(c.paid_online, c.fee_required),
        digitized: percent(c.digitized, c.received),
        reused: percent(c.reused, c.received),
        satisfaction: percent(c.satisfied, c.rated),
        bar,
        points: format!("{}/{}", points2(score.points), points2(score.max_points)),
        components: score
            .components
            .iter()
            .map(|k| (k.points.map_or_else(|| "N/A".to_string(), points2), calculation(k)))
            .collect(),
        c,
    }
}

/// The lines of a table: agencies by level (province, district, commune), each level followed
/// by its total, then the province's total.
fn lines(table: &DossierTable, agency: Option<&str>) -> Vec<Line> {
    let mut out = Vec::new();
    let mut province = Counts::default();
    for level in [AdminLevel::Tinh, AdminLevel::Huyen, AdminLevel::Xa] {
        let rows: Vec<_> = table
            .rows
            .iter()
            .filter(|r| r.agency.level == level && agency.is_none_or(|a| r.agency.id.as_str() == a))
            .collect();
        if rows.is_empty() {
            continue;
        }
        let mut sum = Counts::default();
        for r in &rows {
            sum.add(&r.counts);
            out.push(line(r.agency.id.to_string(), r.agency.name.clone(), "", r.counts));
        }
        province.add(&sum);
        out.push(line(String::new(), format!("Cộng {}", level.label_vn()), "subtotal", sum));
    }
    if !out.is_empty() {
        out.push(line(String::new(), "Toàn tỉnh".into(), "total", province));
    }
    out
}

#[derive(Template)]
#[template(path = "dossiers.html")]
struct TablePage {
    nav: Nav,
    empty: Option<String>,
    period_text: String,
    ky: String,
    cap: String,
    co_quan: String,
    periods: Vec<SelectOption>,
    levels: Vec<SelectOption>,
    agencies: Vec<SelectOption>,
    lines: Vec<Line>,
    unknown: Vec<(String, u64)>,
    dossiers: usize,
}

fn level_options(selected: Option<AdminLevel>) -> Vec<SelectOption> {
    [AdminLevel::Tinh, AdminLevel::Huyen, AdminLevel::Xa]
        .iter()
        .map(|l| SelectOption { value: l.as_str().into(), label: l.label_vn().into(), selected: selected == Some(*l) })
        .collect()
}

/// The chosen period's table with the page's filters, or why there is none.
struct Loaded {
    choice: Choice,
    level: Option<AdminLevel>,
    agency: Option<String>,
    table: Option<DossierTable>,
}

async fn load(state: &AppState, user: &CurrentUser, q: &PageQuery) -> Result<Loaded, PageError> {
    let choice = choose(state, user, q.ky.as_deref()).await?;
    let level = level_of(q.cap.as_deref())?;
    let agency = agency_of(&state.app, q.co_quan.as_deref())?.map(|a| a.to_string());
    let table = match &choice.period {
        Some(period) => Some(crate::api::dossiers::table(state, user, period.clone(), None, level).await?),
        None => None,
    };
    Ok(Loaded { choice, level, agency, table })
}

async fn table_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnQuery(q): VnQuery<PageQuery>,
) -> Result<Response, PageError> {
    let Loaded { choice, level, agency, table } = load(&state, &user, &q).await?;
    let (lines, unknown, agencies) = match &table {
        Some(t) => (
            lines(t, agency.as_deref()),
            t.unknown.iter().map(|(code, c)| (code.clone(), c.handled())).collect(),
            t.rows
                .iter()
                .map(|r| SelectOption {
                    value: r.agency.id.to_string(),
                    label: r.agency.name.clone(),
                    selected: agency.as_deref() == Some(r.agency.id.as_str()),
                })
                .collect(),
        ),
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    render(&TablePage {
        nav: Nav::new(Some(&user)),
        empty: empty_reason(&choice.overview),
        period_text: choice.period.as_ref().map(period_label).unwrap_or_default(),
        ky: choice.period.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
        cap: level.map(|l| l.as_str().to_string()).unwrap_or_default(),
        co_quan: agency.unwrap_or_default(),
        periods: choice.periods,
        levels: level_options(level),
        agencies,
        lines,
        unknown,
        dossiers: choice.overview.dossiers,
    })
}

/// A component of the 766 legend.
struct ComponentInfo {
    code: &'static str,
    name: &'static str,
    group: &'static str,
    max: String,
    threshold: u32,
    formula: &'static str,
}

#[derive(Template)]
#[template(path = "dossiers_766.html")]
struct ScorePage {
    nav: Nav,
    empty: Option<String>,
    period_text: String,
    ky: String,
    periods: Vec<SelectOption>,
    levels: Vec<SelectOption>,
    components: Vec<ComponentInfo>,
    other: Vec<(&'static str, &'static str, u32)>,
    lines: Vec<Line>,
}

async fn score_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnQuery(q): VnQuery<PageQuery>,
) -> Result<Response, PageError> {
    let Loaded { choice, level, table, .. } = load(&state, &user, &q).await?;
    let components = points_766(&Counts::default())
        .components
        .iter()
        .map(|c| ComponentInfo {
            code: c.code,
            name: c.name_vn,
            group: c.group_vn,
            max: c.max_points.vn(),
            threshold: c.threshold_percent,
            formula: c.formula_vn,
        })
        .collect();
    render(&ScorePage {
        nav: Nav::new(Some(&user)),
        empty: empty_reason(&choice.overview),
        period_text: choice.period.as_ref().map(period_label).unwrap_or_default(),
        ky: choice.period.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
        periods: choice.periods,
        levels: level_options(level),
        components,
        other: NOT_FROM_DOSSIERS.to_vec(),
        lines: table.as_ref().map(|t| lines(t, None)).unwrap_or_default(),
    })
}

/// A dossier of a list page.
struct ListRow {
    id: String,
    agency: String,
    received: String,
    /// Late: the appointment; wrong dates: the given appointment.
    second: String,
    /// Late: the end of processing; wrong dates: the legal date.
    third: String,
    day_off: bool,
}

#[derive(Template)]
#[template(path = "dossiers_list.html")]
struct ListPage {
    nav: Nav,
    late: bool,
    title: String,
    explanation: &'static str,
    empty: Option<String>,
    period_text: String,
    ky: String,
    periods: Vec<SelectOption>,
    total: usize,
    rows: Vec<ListRow>,
    page: usize,
    pages: usize,
}

fn date_vn(d: Option<cchc_domain::dossier::DayNum>) -> String {
    d.map_or_else(|| "—".to_string(), |d| dossier_date(d).vn())
}

fn agency_name(state: &AppState, agency: Option<&cchc_domain::AgencyId>, code: &str, on: Date) -> String {
    agency
        .and_then(|id| state.app.directory().agency(id))
        .map_or_else(|| format!("{code} (không có trong danh mục)"), |a| a.name_on(on).to_string())
}

/// Rows of both lists for a period: (late?, all rows).
async fn list_rows(
    state: &AppState,
    user: &CurrentUser,
    period: &DossierPeriod,
    late: bool,
) -> Result<Vec<ListRow>, PageError> {
    if late {
        let rows = crate::api::dossiers::late(state, user, period.clone()).await?;
        Ok(rows
            .iter()
            .map(|l| ListRow {
                id: l.id.clone(),
                agency: agency_name(state, l.agency.as_ref(), &l.code, period.to),
                received: dossier_date(l.received).vn(),
                second: date_vn(l.appointment),
                third: date_vn(l.ended),
                day_off: false,
            })
            .collect())
    } else {
        let rows = crate::api::dossiers::wrong(state, user, period.clone()).await?;
        let calendar = state.app.calendar();
        Ok(rows
            .iter()
            .map(|w| ListRow {
                id: w.id.clone(),
                agency: agency_name(state, w.agency.as_ref(), &w.code, period.to),
                received: dossier_date(w.received).vn(),
                second: dossier_date(w.given).vn(),
                third: date_vn(w.legal),
                day_off: !calendar.is_working_day(dossier_date(w.given)),
            })
            .collect())
    }
}

async fn list_page(state: &AppState, user: &CurrentUser, q: &PageQuery, late: bool) -> Result<Response, PageError> {
    let choice = choose(state, user, q.ky.as_deref()).await?;
    let mut rows = match &choice.period {
        Some(period) => list_rows(state, user, period, late).await?,
        None => Vec::new(),
    };
    let total = rows.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = q.trang.unwrap_or(1).clamp(1, pages);
    let rows: Vec<ListRow> = rows.drain(..).skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).collect();
    render(&ListPage {
        nav: Nav::new(Some(user)),
        late,
        title: if late {
            "Hồ sơ giải quyết quá hạn chưa có văn bản xin lỗi".into()
        } else {
            "Hồ sơ có ngày hẹn trả sai".into()
        },
        explanation: if late {
            "Hồ sơ kết thúc xử lý trong kỳ sau ngày hẹn trả (hoặc phải bổ sung hơn một lần) mà không có phiếu xin lỗi và hẹn lại ngày trả kết quả (PhieuXinLoi)."
        } else {
            "Hồ sơ tiếp nhận trong kỳ có ngày hẹn trả (NgayHenTra) rơi vào ngày nghỉ hoặc khác ngày đúng luật: ngày tiếp nhận cộng thời hạn giải quyết (ThoiHanGiaiQuyet) tính theo ngày làm việc, không tính ngày tiếp nhận (Bộ luật Dân sự 2015, Điều 147–148), đã trừ thời gian bổ sung hồ sơ."
        },
        empty: empty_reason(&choice.overview),
        period_text: choice.period.as_ref().map(period_label).unwrap_or_default(),
        ky: choice.period.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
        periods: choice.periods,
        total,
        rows,
        page,
        pages,
    })
}

async fn late_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnQuery(q): VnQuery<PageQuery>,
) -> Result<Response, PageError> {
    list_page(&state, &user, &q, true).await
}

async fn dates_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnQuery(q): VnQuery<PageQuery>,
) -> Result<Response, PageError> {
    list_page(&state, &user, &q, false).await
}

// ---------------------------------------------------------------------------------------------
// XLSX downloads.

/// A cell of a downloaded sheet.
enum Cell {
    Text(String),
    Number(u64),
    Date(Option<Date>),
}

fn excel_date(date: Date) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(date.year()).map_err(|_| XlsxError::DateTimeRangeError(date.iso()))?;
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8)
}

/// One sheet: a title row, a bold frozen header with a filter, then the rows.
fn workbook(sheet_name: &str, title: &str, headers: &[(&str, f64)], rows: &[Vec<Cell>]) -> Result<Vec<u8>, XlsxError> {
    let last_col = headers.len().saturating_sub(1) as u16;
    let title_format = Format::new().set_bold().set_font_size(14);
    let heading = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let date = Format::new().set_num_format("dd/mm/yyyy").set_align(FormatAlign::Left);
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    sheet.merge_range(0, 0, 0, last_col, title, &title_format)?;
    for (col, (name, width)) in headers.iter().enumerate() {
        sheet.write_string_with_format(1, col as u16, *name, &heading)?;
        sheet.set_column_width(col as u16, *width)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = 2 + i as u32;
        for (col, cell) in row.iter().enumerate() {
            let col = col as u16;
            match cell {
                Cell::Text(text) => {
                    sheet.write_string(r, col, text)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(r, col, *n as f64)?;
                }
                Cell::Date(Some(d)) => {
                    sheet.write_datetime_with_format(r, col, excel_date(*d)?, &date)?;
                }
                Cell::Date(None) => {}
            }
        }
    }
    sheet.autofilter(1, 0, 1 + rows.len() as u32, last_col)?;
    sheet.set_freeze_panes(2, 1)?;
    sheet.set_landscape();
    workbook.save_to_buffer()
}

fn xlsx_download(bytes: Result<Vec<u8>, XlsxError>, file_name: &str) -> Result<Response, PageError> {
    let bytes = bytes.map_err(|e| {
        tracing::error!(error = %e, "dossier export failure");
        PageError(WebError::Internal(e.to_string()))
    })?;
    Ok(crate::export::download(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", file_name))
}

fn no_data(choice: &Choice) -> PageError {
    PageError(WebError::NotFound(
        empty_reason(&choice.overview).unwrap_or_else(|| "số liệu hồ sơ TTHC của kỳ này".into()).to_lowercase(),
    ))
}

async fn table_xlsx(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnQuery(q): VnQuery<PageQuery>,
) -> Result<Response, PageError> {
    let Loaded { choice, agency, table, .. } = load(&state, &user, &q).await?;
    let (Some(table), Some(period)) = (table, choice.period.as_ref()) else { return Err(no_data(&choice)) };
    let headers = [
        ("Cơ quan, đơn vị", 40.0),
        ("Kỳ trước chuyển sang", 12.0),
        ("Mới tiếp nhận", 12.0),
        ("Tiếp nhận trực tuyến", 12.0),
        ("Tiếp nhận trực tiếp, bưu chính", 12.0),
        ("Đã giải quyết", 12.0),
        ("Giải quyết trước hạn", 12.0),
        ("Giải quyết đúng hạn", 12.0),
        ("Giải quyết quá hạn", 12.0),
        ("Đang giải quyết", 12.0),
        ("Đang giải quyết trong hạn", 12.0),
        ("Đang giải quyết quá hạn", 12.0),
        ("Rút hồ sơ", 10.0),
        ("Quá hạn chưa xin lỗi", 12.0),
        ("Ngày hẹn sai", 10.0),
        ("Tỷ lệ trực tuyến", 10.0),
        ("Tỷ lệ trực tuyến toàn trình", 10.0),
        ("Tỷ lệ thanh toán trực tuyến (hồ sơ có phí)", 12.0),
        ("Tỷ lệ số hóa", 10.0),
        ("Tỷ lệ tái sử dụng dữ liệu", 10.0),
        ("Tỷ lệ hài lòng", 10.0),
        ("Điểm 766 từ hồ sơ", 12.0),
    ];
    let rows: Vec<Vec<Cell>> = lines(&table, agency.as_deref())
        .into_iter()
        .map(|l| {
            let c = l.c;
            vec![
                Cell::Text(l.name),
                Cell::Number(c.carried_over),
                Cell::Number(c.received),
                Cell::Number(c.online),
                Cell::Number(l.offline),
                Cell::Number(l.resolved),
                Cell::Number(c.resolved_early),
                Cell::Number(c.resolved_on_time),
                Cell::Number(c.resolved_late),
                Cell::Number(l.in_progress),
                Cell::Number(c.in_progress_within),
                Cell::Number(c.in_progress_overdue),
                Cell::Number(c.withdrawn),
                Cell::Number(c.late_without_apology),
                Cell::Number(c.wrong_appointment),
                Cell::Text(l.online),
                Cell::Text(l.online_full),
                Cell::Text(l.payment),
                Cell::Text(l.digitized),
                Cell::Text(l.reused),
                Cell::Text(l.satisfaction),
                Cell::Text(l.points),
            ]
        })
        .collect();
    let title = format!("Tình hình giải quyết hồ sơ TTHC — kỳ {}", period_label(period));
    xlsx_download(workbook("Hồ sơ TTHC", &title, &headers, &rows), &format!("ho-so-tthc-{}.xlsx", period.id))
}

async fn list_xlsx(state: &AppState, user: &CurrentUser, q: &PageQuery, late: bool) -> Result<Response, PageError> {
    let choice = choose(state, user, q.ky.as_deref()).await?;
    let Some(period) = choice.period.as_ref() else { return Err(no_data(&choice)) };
    let parse = |text: &str| Date::parse(text).ok();
    let rows: Vec<Vec<Cell>> = list_rows(state, user, period, late)
        .await?
        .into_iter()
        .map(|r| {
            let mut cells = vec![
                Cell::Text(r.id),
                Cell::Text(r.agency),
                Cell::Date(parse(&r.received)),
                Cell::Date(parse(&r.second)),
                Cell::Date(parse(&r.third)),
            ];
            if !late {
                cells.push(Cell::Text(if r.day_off { "Có" } else { "Không" }.into()));
            }
            cells
        })
        .collect();
    let (headers, title, file): (Vec<(&str, f64)>, String, String) = if late {
        (
            vec![
                ("Mã hồ sơ", 24.0),
                ("Cơ quan, đơn vị", 40.0),
                ("Ngày tiếp nhận", 14.0),
                ("Ngày hẹn trả", 14.0),
                ("Ngày kết thúc xử lý", 14.0),
            ],
            format!("Hồ sơ giải quyết quá hạn chưa có văn bản xin lỗi — kỳ {}", period_label(period)),
            format!("ho-so-qua-han-{}.xlsx", period.id),
        )
    } else {
        (
            vec![
                ("Mã hồ sơ", 24.0),
                ("Cơ quan, đơn vị", 40.0),
                ("Ngày tiếp nhận", 14.0),
                ("Ngày hẹn trả ghi trên hồ sơ", 14.0),
                ("Ngày hẹn trả đúng luật", 14.0),
                ("Ngày hẹn rơi vào ngày nghỉ", 12.0),
            ],
            format!("Hồ sơ có ngày hẹn trả sai — kỳ {}", period_label(period)),
            format!("ngay-hen-sai-{}.xlsx", period.id),
        )
    };
    xlsx_download(workbook("Danh sách", &title, &headers, &rows), &file)
}

async fn late_xlsx(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnQuery(q): VnQuery<PageQuery>,
) -> Result<Response, PageError> {
    list_xlsx(&state, &user, &q, true).await
}

async fn dates_xlsx(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    VnQuery(q): VnQuery<PageQuery>,
) -> Result<Response, PageError> {
    list_xlsx(&state, &user, &q, false).await
}

// ---------------------------------------------------------------------------------------------
// Upload and import jobs (Sở Nội vụ).

/// A kept job in the upload page's list.
struct JobLine {
    id: u64,
    file_name: String,
    state: String,
}

fn job_state(status: &JobStatus) -> String {
    match &status.outcome {
        None => format!("đang chạy: {} {}%", status.phase, status.percent()),
        Some(JobOutcome::Imported(i)) => {
            format!(
                "xong: thêm mới {}, thay thế {}, không đổi {}",
                i.report.added, i.report.replaced, i.report.unchanged
            )
        }
        Some(JobOutcome::Refused(_)) => "bị từ chối, không nhập gì".into(),
    }
}

#[derive(Template)]
#[template(path = "dossiers_import.html")]
struct UploadPage {
    nav: Nav,
    csrf_token: String,
    max_mb: usize,
    problems: Vec<String>,
    jobs: Vec<JobLine>,
}

async fn upload_form(state: &AppState, user: &CurrentUser, problems: Vec<String>) -> Result<Response, PageError> {
    user.require_admin()?;
    let jobs = state
        .app
        .dossier_job_list(&user.user)?
        .iter()
        .map(|s| JobLine { id: s.id, file_name: s.file_name.clone(), state: job_state(s) })
        .collect();
    let refused = !problems.is_empty();
    let mut response = render(&UploadPage {
        nav: Nav::new(Some(user)),
        csrf_token: user.csrf_token.clone(),
        max_mb: MAX_DOSSIER_UPLOAD / (1024 * 1024),
        problems,
        jobs,
    })?;
    if refused {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

async fn upload_page(State(state): State<AppState>, PageUser(user): PageUser) -> Result<Response, PageError> {
    upload_form(&state, &user, Vec::new()).await
}

async fn upload(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let mut multipart = multipart.map_err(|_| bad_request("biểu mẫu phải gửi dạng multipart/form-data"))?;
    let form = crate::files::read_form_within(&mut multipart, MAX_DOSSIER_UPLOAD).await?;
    user.check_csrf(form.field("csrf_token"))?;
    user.require_admin()?;
    let refuse = |reason: String| vec![reason, "Không nhập gì.".to_string()];
    if let Some(name) = &form.too_big {
        let reason = format!("tệp «{name}» quá lớn (tối đa {} MB)", MAX_DOSSIER_UPLOAD / (1024 * 1024));
        return upload_form(&state, &user, refuse(reason)).await;
    }
    let Some((name, bytes)) = form.file.filter(|(_, b)| !b.is_empty()) else {
        return upload_form(&state, &user, refuse("chưa chọn tệp (hoặc tệp rỗng)".into())).await;
    };
    let format = match crate::api::dossiers::format_of(&name, "", &bytes) {
        Ok(format) => format,
        Err(reason) => return upload_form(&state, &user, refuse(reason)).await,
    };
    let name = crate::files::clean_file_name(&name);
    let (job, slot) = match state.app.start_dossier_job(&user.user, &name, bytes.len() as u64) {
        Ok(started) => started,
        Err(cchc_services::ServiceError::Invalid(reasons)) => {
            return upload_form(&state, &user, reasons.into_iter().chain(["Không nhập gì.".to_string()]).collect())
                .await
        }
        Err(other) => return Err(other.into()),
    };
    let id = job.id();
    let (app, u) = (state.app.clone(), user.user.clone());
    // The page follows the job; the task ends on its own (its outcome is kept in the job).
    drop(tokio::task::spawn_blocking(move || app.run_dossier_job(&job, slot, &u, &bytes, format)));
    Ok(Redirect::to(&format!("/ho-so-tthc/nhap/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "dossiers_job.html")]
struct JobPage {
    nav: Nav,
    job: JobStatus,
    size: String,
    running: bool,
    percent: u64,
    refused: Vec<String>,
    /// rows, quarantined, duplicates, added, replaced, unchanged, total
    summary: Option<[usize; 7]>,
    diagnostics: Vec<(u32, String)>,
    unknown: Vec<String>,
}

async fn job_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UrlPath(job): UrlPath<String>,
) -> Result<Response, PageError> {
    user.require_admin()?;
    let id = job.parse::<u64>().map_err(|_| PageError(WebError::NotFound("lần nhập này".into())))?;
    let status = state.app.dossier_job(&user.user, id)?;
    let (refused, summary, diagnostics, unknown) = match &status.outcome {
        Some(JobOutcome::Refused(reasons)) => (reasons.clone(), None, Vec::new(), Vec::new()),
        Some(JobOutcome::Imported(i)) => (
            Vec::new(),
            Some([
                i.rows,
                i.quarantined,
                i.duplicates,
                i.report.added,
                i.report.replaced,
                i.report.unchanged,
                i.report.total,
            ]),
            i.diagnostics.iter().map(|d| (d.line, d.message.clone())).collect(),
            i.unknown_agencies.clone(),
        ),
        None => (Vec::new(), None, Vec::new(), Vec::new()),
    };
    render(&JobPage {
        nav: Nav::new(Some(&user)),
        size: crate::files::size_vn(status.size),
        running: status.outcome.is_none(),
        percent: status.percent(),
        job: status,
        refused,
        summary,
        diagnostics,
        unknown,
    })
}
