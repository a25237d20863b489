//! Exports: any milestone list as XLSX (Excel) or CSV, and each agency's deadlines as an
//! iCalendar (RFC 5545) feed.
//!
//! - `GET /xuat/{list}.xlsx` and `GET /xuat/{list}.csv`, where `{list}` is `qua-han` (overdue as
//!   of `?as_of`), `sap-den-han` (due within `?ngay` days, default 30), `co-quan-{agency_id}`,
//!   `linh-vuc-{code}` or `tim-kiem` (`?q=`, accent-insensitive). Every list takes `?as_of=`
//!   (dd/mm/yyyy or ISO; today in Vietnam by default) and the filters of the list pages the
//!   export links come from: `?linh_vuc=II`, `?nhom=commune` (agency kind), `?sap_xep=han |
//!   han-giam | co-quan`.
//! - `GET /lich/{agency_id}.ics`: the agency's dated milestones that are not done yet.
//!
//! Rows come from the cached milestone snapshot (`App::current`) evaluated as of the date, so an
//! export shows exactly what the pages show.

use crate::extract::VnQuery;
use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use cchc_domain::text::fold;
use cchc_domain::tracking::{DerivedStatus, ProgressStatus};
use cchc_domain::{AgencyId, AgencyKind, AreaCode, Date, Timestamp};
use cchc_services::dashboard::{evaluate, Evaluated, UPCOMING_DAYS};
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use serde::Deserialize;

use crate::auth::PageUser;
use crate::error::{PageError, WebError};
use crate::pages::as_of_or_today;
use crate::plan_choice::PlanChoice;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/xuat/{file}", get(export)).route("/lich/{file}", get(calendar))
}

/// Column headers of every export, with their XLSX widths (in characters).
pub const COLUMNS: [(&str, f64); 9] = [
    ("Mã hoạt động", 12.0),
    ("Hoạt động", 60.0),
    ("Lĩnh vực", 34.0),
    ("Cơ quan", 30.0),
    ("Mốc", 30.0),
    ("Hạn", 12.0),
    ("Trạng thái", 24.0),
    ("Ngày hoàn thành", 16.0),
    ("Cập nhật lần cuối", 18.0),
];

/// Longest accepted search query, in characters.
const MAX_QUERY_CHARS: usize = 200;
/// Largest "due within N days" window.
const MAX_WINDOW_DAYS: i64 = 366;

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV_TYPE: &str = "text/csv; charset=utf-8";
pub const ICS_TYPE: &str = "text/calendar; charset=utf-8";

#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    pub as_of: Option<String>,
    /// Window of `sap-den-han`, in days.
    #[serde(rename = "ngay")]
    pub days: Option<String>,
    /// Search words of `tim-kiem`.
    #[serde(rename = "q")]
    pub text: Option<String>,
    /// Only this area (I–VIII or 1–8).
    #[serde(rename = "linh_vuc")]
    pub area: Option<String>,
    /// Only agencies of this kind (`department`, `district`, `commune`, …).
    #[serde(rename = "nhom")]
    pub group: Option<String>,
    /// `han` (due date first, the default of deadline lists), `han-giam`, `co-quan`.
    #[serde(rename = "sap_xep")]
    pub sort: Option<String>,
}

/// Order of exported rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// Plan order (activity, agency, milestone).
    Plan,
    DueAsc,
    DueDesc,
    Agency,
}

/// Filters shared by every list, as the list pages offer them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filters {
    pub area: Option<AreaCode>,
    pub group: Option<AgencyKind>,
    pub sort: Option<SortOrder>,
}

fn bad_request(message: String) -> PageError {
    PageError(WebError::BadRequest(message))
}

fn non_empty(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

/// Reads `linh_vuc`, `nhom` and `sap_xep` (400 on a value the pages would refuse too).
pub fn parse_filters(query: &ExportQuery) -> Result<Filters, PageError> {
    let area = non_empty(query.area.as_deref())
        .map(|r| {
            AreaCode::parse(r).ok_or_else(|| bad_request(format!("lĩnh vực «{r}» không hợp lệ (dùng I đến VIII)")))
        })
        .transpose()?;
    let group = non_empty(query.group.as_deref())
        .map(|r| AgencyKind::parse(r).ok_or_else(|| bad_request(format!("nhóm cơ quan «{r}» không hợp lệ"))))
        .transpose()?;
    let sort = non_empty(query.sort.as_deref())
        .map(|r| match r {
            "han" => Ok(SortOrder::DueAsc),
            "han-giam" => Ok(SortOrder::DueDesc),
            "co-quan" => Ok(SortOrder::Agency),
            _ => Err(bad_request(format!("cách sắp xếp «{r}» không hợp lệ (han, han-giam, co-quan)"))),
        })
        .transpose()?;
    Ok(Filters { area, group, sort })
}

/// File formats of list exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Xlsx,
    Csv,
}

impl FileFormat {
    fn extension(self) -> &'static str {
        match self {
            FileFormat::Xlsx => "xlsx",
            FileFormat::Csv => "csv",
        }
    }
}

/// Which milestones a list holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListKind {
    Overdue,
    Upcoming { days: i64 },
    Agency(AgencyId),
    Area(AreaCode),
    Search(String),
}

/// One exported line: a milestone of an assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub activity_code: String,
    pub activity: String,
    pub area: String,
    pub agency: String,
    pub milestone: String,
    pub due: Option<Date>,
    pub status: &'static str,
    pub completed_on: Option<Date>,
    pub updated_at: Option<Timestamp>,
}

/// A list ready to be written in any format.
#[derive(Debug, Clone)]
pub struct ExportList {
    /// File name without extension, ASCII: `qua-han-2024-07-01`.
    pub slug: String,
    /// What the list is, in Vietnamese: "Mốc quá hạn chưa hoàn thành".
    pub title: String,
    pub as_of: Date,
    pub rows: Vec<ExportRow>,
}

async fn export(
    State(state): State<AppState>,
    plan: PlanChoice,
    PageUser(_user): PageUser,
    Path(file): Path<String>,
    VnQuery(query): VnQuery<ExportQuery>,
) -> Result<Response, PageError> {
    let (name, format) = match file.rsplit_once('.') {
        Some((name, "xlsx")) => (name, FileFormat::Xlsx),
        Some((name, "csv")) => (name, FileFormat::Csv),
        _ => return Err(not_found_list(&file)),
    };
    let today = state.now().date_in_vietnam();
    let (default, _) = state.app.default_as_of_of(plan.key(), today).await?;
    let as_of = as_of_or_today(query.as_of.as_deref(), default)?;
    let kind = parse_list(&state, name, &query)?;
    let filters = parse_filters(&query)?;
    let list = build_list(&state, &plan, &kind, filters, as_of).await?;
    let file_name = format!("{}.{}", list.slug, format.extension());
    // Building a workbook takes milliseconds of CPU for a long list: off the async workers.
    let (body, content_type) = tokio::task::spawn_blocking(move || match format {
        FileFormat::Xlsx => Ok::<_, PageError>((to_xlsx(&list)?, XLSX_TYPE)),
        FileFormat::Csv => Ok((to_csv(&list)?, CSV_TYPE)),
    })
    .await
    .map_err(internal)??;
    Ok(download(body, content_type, &file_name))
}

fn not_found_list(name: &str) -> PageError {
    PageError(WebError::NotFound(format!("danh sách «{name}» để xuất")))
}

/// Reads the list part of the URL (and the query values it needs).
pub fn parse_list(state: &AppState, name: &str, query: &ExportQuery) -> Result<ListKind, PageError> {
    if name == "qua-han" {
        return Ok(ListKind::Overdue);
    }
    if name == "sap-den-han" {
        let days = match query.days.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => UPCOMING_DAYS,
            Some(text) => match text.parse::<i64>() {
                Ok(n) if (1..=MAX_WINDOW_DAYS).contains(&n) => n,
                _ => {
                    return Err(PageError(WebError::BadRequest(format!(
                        "số ngày «{text}» không hợp lệ; hãy nhập một số từ 1 đến {MAX_WINDOW_DAYS}"
                    ))))
                }
            },
        };
        return Ok(ListKind::Upcoming { days });
    }
    if name == "tim-kiem" {
        let q = query.text.as_deref().map(str::trim).unwrap_or_default();
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(PageError(WebError::BadRequest(format!("từ khóa dài quá {MAX_QUERY_CHARS} ký tự"))));
        }
        if fold(q).is_empty() {
            return Err(PageError(WebError::BadRequest("hãy nhập từ khóa tìm kiếm (tham số q)".into())));
        }
        return Ok(ListKind::Search(q.to_string()));
    }
    if let Some(id) = name.strip_prefix("co-quan-") {
        let agency = AgencyId::parse(id)
            .filter(|a| state.app.directory().agency(a).is_some())
            .ok_or_else(|| PageError(WebError::NotFound(format!("cơ quan «{id}»"))))?;
        return Ok(ListKind::Agency(agency));
    }
    if let Some(code) = name.strip_prefix("linh-vuc-") {
        let area = AreaCode::parse(code).ok_or_else(|| PageError(WebError::NotFound(format!("lĩnh vực «{code}»"))))?;
        return Ok(ListKind::Area(area));
    }
    Err(not_found_list(name))
}

/// The milestones of a list as of a date, from the cached snapshot.
pub async fn build_list(
    state: &AppState,
    choice: &PlanChoice,
    kind: &ListKind,
    filters: Filters,
    as_of: Date,
) -> Result<ExportList, PageError> {
    let current = crate::pages::plan::snapshot(state, choice).await?.current;
    let plan = &current.plan;
    if let ListKind::Area(code) = kind {
        if plan.area(*code).is_none() {
            return Err(PageError(WebError::NotFound(format!("lĩnh vực «{code}» trong kế hoạch"))));
        }
    }
    let area_titles: HashMap<AreaCode, String> =
        plan.areas.iter().map(|a| (a.code, format!("{}. {}", a.code, a.title))).collect();
    let evaluated = evaluate(&current.milestones, as_of, state.app.calendar());
    let directory = state.app.directory();
    let agency_name = |id: &AgencyId| directory.agency(id).map_or_else(|| id.to_string(), |a| a.name.clone());
    let agency_kind = |id: &AgencyId| directory.agency(id).map_or(AgencyKind::Other, |a| a.kind);

    let mut selected: Vec<&Evaluated> = match kind {
        ListKind::Overdue => evaluated.iter().filter(|e| e.status == DerivedStatus::Overdue).collect(),
        ListKind::Upcoming { days } => {
            let horizon = as_of.add_days(*days);
            evaluated
                .iter()
                .filter(|e| {
                    !e.status.is_done()
                        && e.status != DerivedStatus::Overdue
                        && e.milestone.due.is_some_and(|d| d >= as_of && d <= horizon)
                })
                .collect()
        }
        ListKind::Agency(agency) => evaluated.iter().filter(|e| &e.milestone.agency == agency).collect(),
        ListKind::Area(code) => evaluated.iter().filter(|e| e.milestone.area == *code).collect(),
        ListKind::Search(q) => {
            let words: Vec<String> = fold(q).split(' ').map(str::to_string).collect();
            // Activity text (title and outputs), folded once per activity.
            let activity_text: HashMap<(AreaCode, &str), String> = plan
                .activities()
                .map(|(area, a)| {
                    ((area.code, a.number.as_str()), fold(&format!("{} {}", a.title, a.outputs.join(" "))))
                })
                .collect();
            let mut agency_text: HashMap<&AgencyId, String> = HashMap::new();
            evaluated
                .iter()
                .filter(|e| {
                    let m = &e.milestone;
                    let activity = activity_text.get(&(m.area, m.activity_number.as_str())).map_or("", String::as_str);
                    let agency = agency_text.entry(&m.agency).or_insert_with(|| fold(&agency_name(&m.agency)));
                    words.iter().all(|w| activity.contains(w.as_str()) || agency.contains(w.as_str()))
                })
                .collect()
        }
    };
    selected.retain(|e| {
        filters.area.is_none_or(|a| e.milestone.area == a)
            && filters.group.is_none_or(|k| agency_kind(&e.milestone.agency) == k)
    });
    let default_order =
        if matches!(kind, ListKind::Overdue | ListKind::Upcoming { .. }) { SortOrder::DueAsc } else { SortOrder::Plan };
    match filters.sort.unwrap_or(default_order) {
        SortOrder::Plan => {}
        SortOrder::DueAsc => {
            selected.sort_by(|a, b| a.milestone.due.cmp(&b.milestone.due).then(a.milestone.id.cmp(&b.milestone.id)))
        }
        SortOrder::DueDesc => {
            selected.sort_by(|a, b| b.milestone.due.cmp(&a.milestone.due).then(a.milestone.id.cmp(&b.milestone.id)))
        }
        SortOrder::Agency => {
            let mut names: HashMap<&AgencyId, String> = HashMap::new();
            for e in &selected {
                names.entry(&e.milestone.agency).or_insert_with(|| agency_name(&e.milestone.agency));
            }
            selected.sort_by(|a, b| {
                names[&a.milestone.agency]
                    .cmp(&names[&b.milestone.agency])
                    .then(a.milestone.due.cmp(&b.milestone.due))
                    .then(a.milestone.id.cmp(&b.milestone.id))
            })
        }
    }
    let rows = selected
        .into_iter()
        .map(|e| {
            let m = &e.milestone;
            ExportRow {
                activity_code: m.activity_code(),
                activity: m.activity_title.clone(),
                area: area_titles.get(&m.area).cloned().unwrap_or_else(|| m.area.to_string()),
                agency: agency_name(&m.agency),
                milestone: m.label.clone(),
                due: m.due,
                status: e.status.label_vn(),
                completed_on: m.progress.completed_on,
                updated_at: m.updated_at.as_deref().and_then(Timestamp::parse_rfc3339),
            }
        })
        .collect();
    let (slug, title) = match kind {
        ListKind::Overdue => ("qua-han".to_string(), "Mốc quá hạn chưa hoàn thành".to_string()),
        ListKind::Upcoming { days } => {
            ("sap-den-han".to_string(), format!("Mốc đến hạn trong {days} ngày tới (chưa hoàn thành)"))
        }
        ListKind::Agency(agency) => (format!("co-quan-{agency}"), format!("Các mốc của {}", agency_name(agency))),
        ListKind::Area(code) => (
            format!("linh-vuc-{code}"),
            format!("Các mốc của lĩnh vực {}", area_titles.get(code).cloned().unwrap_or_else(|| code.to_string())),
        ),
        ListKind::Search(q) => ("tim-kiem".to_string(), format!("Kết quả tìm kiếm «{q}»")),
    };
    let mut title = title;
    if let Some(area) = filters.area {
        if !matches!(kind, ListKind::Area(_)) {
            title.push_str(&format!(" — lĩnh vực {area}"));
        }
    }
    if let Some(group) = filters.group {
        title.push_str(&format!(" — {}", group.label_vn()));
    }
    Ok(ExportList { slug: format!("{slug}-{}", as_of.iso()), title, as_of, rows })
}

fn internal(error: impl std::fmt::Display) -> PageError {
    tracing::error!(%error, "export failure");
    PageError(WebError::Internal(error.to_string()))
}

/// A file download: type, `Content-Disposition` with an ASCII fallback and the RFC 5987 name.
pub fn download(body: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Exports are for logged-in users and may carry what only they may read.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&content_disposition(file_name)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `attachment; filename="ascii.xlsx"; filename*=UTF-8''percent-encoded.xlsx` (RFC 6266, 5987).
pub fn content_disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| match c {
            c if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%') => c,
            c if c.is_ascii() => '_',
            c => fold(&c.to_string()).chars().next().filter(char::is_ascii_alphanumeric).unwrap_or('_'),
        })
        .collect();
    let mut encoded = String::new();
    for byte in file_name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// The list as an Excel workbook: a title row, a bold frozen header with a filter, real dates.
pub fn to_xlsx(list: &ExportList) -> Result<Vec<u8>, PageError> {
    xlsx(list).map_err(internal)
}

fn excel_date(date: Date) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(date.year()).map_err(|_| XlsxError::DateTimeRangeError(date.iso()))?;
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8)
}

fn excel_datetime(at: Timestamp) -> Result<ExcelDateTime, XlsxError> {
    let seconds = at.unix_seconds().saturating_add(7 * 3600).rem_euclid(86_400);
    excel_date(at.date_in_vietnam())?.and_hms((seconds / 3600) as u16, (seconds % 3600 / 60) as u8, 0)
}

fn xlsx(list: &ExportList) -> Result<Vec<u8>, XlsxError> {
    let last_col = (COLUMNS.len() - 1) as u16;
    let title = Format::new().set_bold().set_font_size(14).set_align(FormatAlign::VerticalCenter);
    let heading = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let text = Format::new().set_align(FormatAlign::Top);
    let wrapped = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let date = Format::new().set_num_format("dd/mm/yyyy").set_align(FormatAlign::Left).set_align(FormatAlign::Top);
    let datetime =
        Format::new().set_num_format("dd/mm/yyyy hh:mm").set_align(FormatAlign::Left).set_align(FormatAlign::Top);

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Danh sách")?;
    sheet.merge_range(0, 0, 0, last_col, &format!("{} — Tính đến ngày {}", list.title, list.as_of), &title)?;
    sheet.set_row_height(0, 24)?;
    for (col, (name, width)) in COLUMNS.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(1, col, *name, &heading)?;
        sheet.set_column_width(col, *width)?;
    }
    for (i, r) in list.rows.iter().enumerate() {
        let row = 2 + i as u32;
        sheet.write_string_with_format(row, 0, &r.activity_code, &text)?;
        sheet.write_string_with_format(row, 1, &r.activity, &wrapped)?;
        sheet.write_string_with_format(row, 2, &r.area, &text)?;
        sheet.write_string_with_format(row, 3, &r.agency, &text)?;
        sheet.write_string_with_format(row, 4, &r.milestone, &text)?;
        if let Some(due) = r.due {
            sheet.write_datetime_with_format(row, 5, excel_date(due)?, &date)?;
        }
        sheet.write_string_with_format(row, 6, r.status, &text)?;
        if let Some(done) = r.completed_on {
            sheet.write_datetime_with_format(row, 7, excel_date(done)?, &date)?;
        }
        if let Some(at) = r.updated_at {
            sheet.write_datetime_with_format(row, 8, excel_datetime(at)?, &datetime)?;
        }
    }
    let last_row = 1 + list.rows.len() as u32;
    sheet.autofilter(1, 0, last_row, last_col)?;
    sheet.set_freeze_panes(2, 0)?;
    sheet.set_landscape();
    sheet.set_repeat_rows(1, 1)?;
    sheet.set_print_fit_to_pages(1, 0);
    workbook.save_to_buffer()
}

/// The list as CSV: UTF-8 with a byte-order mark (so Excel reads Vietnamese correctly), commas,
/// RFC 4180 quoting and CRLF line ends; dates as dd/mm/yyyy.
pub fn to_csv(list: &ExportList) -> Result<Vec<u8>, PageError> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(COLUMNS.iter().map(|(name, _)| *name)).map_err(internal)?;
    let date = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    for r in &list.rows {
        writer
            .write_record([
                r.activity_code.as_str(),
                &r.activity,
                &r.area,
                &r.agency,
                &r.milestone,
                &date(r.due),
                r.status,
                &date(r.completed_on),
                &r.updated_at.map(Timestamp::vn).unwrap_or_default(),
            ])
            .map_err(internal)?;
    }
    writer.into_inner().map_err(internal)
}

async fn calendar(
    State(state): State<AppState>,
    choice: PlanChoice,
    PageUser(_user): PageUser,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let not_found = || PageError(WebError::NotFound(format!("lịch «{file}»")));
    let id = file.strip_suffix(".ics").ok_or_else(not_found)?;
    let agency = AgencyId::parse(id)
        .and_then(|id| state.app.directory().agency(&id).cloned())
        .ok_or_else(|| PageError(WebError::NotFound(format!("cơ quan «{id}»"))))?;
    let current = crate::pages::plan::snapshot(&state, &choice).await?.current;
    let now = state.now();
    let today = now.date_in_vietnam();
    let events: Vec<CalendarEvent> = current
        .milestones
        .iter()
        .filter(|m| m.agency == agency.id && m.progress.status != ProgressStatus::Done)
        .filter_map(|m| {
            let due = m.due?;
            let label = if m.label.trim().is_empty() { m.activity_title.clone() } else { m.label.clone() };
            Some(CalendarEvent {
                uid: format!("milestone-{}@cchc", m.id.0),
                date: due,
                summary: format!("[{}] {}", m.activity_code(), label),
                description: format!(
                    "{} {}\nMốc: {}\nCơ quan: {}\nTrạng thái (ngày {}): {}",
                    m.activity_code(),
                    m.activity_title,
                    m.label,
                    agency.name,
                    today,
                    m.derived(today, state.app.calendar()).label_vn()
                ),
            })
        })
        .collect();
    let body = ics(&format!("Hạn CCHC — {}", agency.name), &events, now);
    Ok(download(body.into_bytes(), ICS_TYPE, &format!("{}.ics", agency.id)))
}

/// One all-day event of the calendar feed.
#[derive(Debug, Clone)]
pub struct CalendarEvent {
    pub uid: String,
    pub date: Date,
    pub summary: String,
    pub description: String,
}

fn ics_date(date: Date) -> String {
    format!("{:04}{:02}{:02}", date.year(), date.month(), date.day())
}

/// The iCalendar document (RFC 5545): CRLF line ends, TEXT values escaped, lines folded at 75
/// octets.
pub fn ics(name: &str, events: &[CalendarEvent], now: Timestamp) -> String {
    let stamp = now.rfc3339().replace(['-', ':'], "");
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//cchc//Theo doi Ke hoach CCHC//VI".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        "METHOD:PUBLISH".to_string(),
        format!("X-WR-CALNAME:{}", ics_escape(name)),
        "X-WR-TIMEZONE:Asia/Ho_Chi_Minh".to_string(),
    ];
    for e in events {
        lines.push("BEGIN:VEVENT".to_string());
        lines.push(format!("UID:{}", e.uid));
        lines.push(format!("DTSTAMP:{stamp}"));
        lines.push(format!("DTSTART;VALUE=DATE:{}", ics_date(e.date)));
        lines.push(format!("DTEND;VALUE=DATE:{}", ics_date(e.date.next())));
        lines.push(format!("SUMMARY:{}", ics_escape(&e.summary)));
        lines.push(format!("DESCRIPTION:{}", ics_escape(&e.description)));
        lines.push("TRANSP:TRANSPARENT".to_string());
        lines.push("END:VEVENT".to_string());
    }
    lines.push("END:VCALENDAR".to_string());
    let mut out = String::new();
    for line in lines {
        out.push_str(&fold_line(&line));
        out.push_str("\r\n");
    }
    out
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma, newline.
pub fn ics_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line (RFC 5545 §3.1): no line longer than 75 octets; continuation lines
/// begin with a space; a multi-byte character is never split.
pub fn fold_line(line: &str) -> String {
    const LIMIT: usize = 75;
    let mut out = String::with_capacity(line.len() + line.len() / 60 * 3);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > LIMIT {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ics_text_is_escaped() {
        assert_eq!(ics_escape("a\\b;c,d\ne\r\n"), "a\\\\b\\;c\\,d\\ne\\n");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let line = format!("DESCRIPTION:{}", "Kế hoạch kiểm tra, xử lý, rà soát văn bản QPPL; ".repeat(6));
        let folded = fold_line(&line);
        let parts: Vec<&str> = folded.split("\r\n").collect();
        assert!(parts.len() > 3);
        for (i, part) in parts.iter().enumerate() {
            assert!(part.len() <= 75, "line {i} has {} octets", part.len());
            if i > 0 {
                assert!(part.starts_with(' '));
            }
        }
        let unfolded = folded.replace("\r\n ", "");
        assert_eq!(unfolded, line);
        assert_eq!(fold_line("SHORT"), "SHORT");
        let exact = "X".repeat(75);
        assert_eq!(fold_line(&exact), exact);
        assert_eq!(fold_line(&"X".repeat(76)), format!("{}\r\n X", "X".repeat(75)));
    }

    #[test]
    fn calendar_has_required_properties() {
        let Some(date) = Date::from_ymd(2024, 1, 31) else { panic!("date") };
        let event = CalendarEvent {
            uid: "milestone-7@cchc".into(),
            date,
            summary: "[II.2] Ban hành Kế hoạch".into(),
            description: "Kế hoạch; rà soát, hệ thống hóa\nTrạng thái: Quá hạn".into(),
        };
        let text = ics("Hạn CCHC — Sở Tư pháp", &[event], Timestamp::from_unix_seconds(1_704_067_200));
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(text.contains("\r\nUID:milestone-7@cchc\r\n"));
        assert!(text.contains("\r\nDTSTAMP:20240101T000000Z\r\n"));
        assert!(text.contains("\r\nDTSTART;VALUE=DATE:20240131\r\n"));
        assert!(text.contains("\r\nDTEND;VALUE=DATE:20240201\r\n"));
        assert!(text.contains("\r\nSUMMARY:[II.2] Ban hành Kế hoạch\r\n"));
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains("\r\nDESCRIPTION:Kế hoạch\\; rà soát\\, hệ thống hóa\\nTrạng thái: Quá hạn\r\n"));
        assert!(text.contains("X-WR-CALNAME:Hạn CCHC — Sở Tư pháp"));
        assert!(text.split("\r\n").all(|l| l.len() <= 75));
    }

    #[test]
    fn content_disposition_has_ascii_fallback_and_utf8_name() {
        assert_eq!(
            content_disposition("qua-han-2024-07-01.xlsx"),
            "attachment; filename=\"qua-han-2024-07-01.xlsx\"; filename*=UTF-8''qua-han-2024-07-01.xlsx"
        );
        assert_eq!(
            content_disposition("Sở tư pháp.csv"),
            "attachment; filename=\"So_tu_phap.csv\"; filename*=UTF-8''S%E1%BB%9F%20t%C6%B0%20ph%C3%A1p.csv"
        );
    }

    fn sample() -> ExportList {
        ExportList {
            slug: "qua-han-2024-07-01".into(),
            title: "Mốc quá hạn chưa hoàn thành".into(),
            as_of: Date::from_ymd(2024, 7, 1).unwrap_or(Date::MIN),
            rows: vec![ExportRow {
                activity_code: "II.2".into(),
                activity: "Ban hành Kế hoạch \"kiểm tra\", xử lý".into(),
                area: "II. Xây dựng và tổ chức thi hành pháp luật".into(),
                agency: "Sở Tư pháp".into(),
                milestone: "Ban hành Kế hoạch".into(),
                due: Date::from_ymd(2024, 1, 31),
                status: "Hoàn thành đúng hạn",
                completed_on: Date::from_ymd(2024, 1, 18),
                updated_at: Some(Timestamp::from_unix_seconds(1_705_547_045)),
            }],
        }
    }

    #[test]
    fn csv_has_bom_header_and_quoting() {
        let Ok(bytes) = to_csv(&sample()) else { panic!("csv") };
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap_or_default();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "Mã hoạt động,Hoạt động,Lĩnh vực,Cơ quan,Mốc,Hạn,Trạng thái,Ngày hoàn thành,Cập nhật lần cuối"
        );
        assert_eq!(
            lines[1],
            "II.2,\"Ban hành Kế hoạch \"\"kiểm tra\"\", xử lý\",II. Xây dựng và tổ chức thi hành pháp luật,\
             Sở Tư pháp,Ban hành Kế hoạch,31/01/2024,Hoàn thành đúng hạn,18/01/2024,18/01/2024 10:04"
        );
        assert_eq!(lines[2], "");
    }
}
