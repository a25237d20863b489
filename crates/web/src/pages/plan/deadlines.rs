//! The overdue (`/qua-han`) and upcoming (`/sap-den-han`) lists, filtered, sorted and paged.

use super::*;
use crate::extract::VnQuery;
use crate::plan_choice::{plan_bar, PlanBar, PlanChoice};

// ---------------------------------------------------------------------------------------------
// Overdue and upcoming lists.

#[derive(Template)]
#[template(path = "deadlines.html")]
struct DeadlinesPage {
    nav: Nav,
    plan_bar: PlanBar,
    asof: AsOf,
    path: &'static str,
    heading: String,
    explanation: String,
    upcoming: bool,
    days: i64,
    areas: Vec<SelectOption>,
    groups: Vec<SelectOption>,
    sorts: Vec<SelectOption>,
    total: usize,
    lines: Vec<Line>,
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
    exports: Exports,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    DueAsc,
    DueDesc,
    Agency,
}

impl Sort {
    const ALL: [(Sort, &'static str, &'static str); 3] = [
        (Sort::DueAsc, "han", "Hạn sớm trước"),
        (Sort::DueDesc, "han-giam", "Hạn muộn trước"),
        (Sort::Agency, "co-quan", "Theo cơ quan"),
    ];
    fn parse(raw: Option<&str>) -> Result<Sort, PageError> {
        match non_empty(raw) {
            None => Ok(Sort::DueAsc),
            Some(r) => Sort::ALL.iter().find(|(_, key, _)| *key == r).map(|(s, _, _)| *s).ok_or_else(|| {
                bad_request(format!("cách sắp xếp «{}» không hợp lệ (han, han-giam, co-quan)", shorten(r)))
            }),
        }
    }
    fn key(self) -> &'static str {
        Sort::ALL.iter().find(|(s, _, _)| *s == self).map_or("han", |(_, k, _)| k)
    }
}

pub(crate) fn positive(raw: Option<&str>, label: &str, max: i64) -> Result<Option<i64>, PageError> {
    non_empty(raw)
        .map(|r| {
            r.parse::<i64>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| bad_request(format!("{label} «{}» không hợp lệ (số từ 1 đến {max})", shorten(r))))
        })
        .transpose()
}

pub(super) async fn overdue_page(
    State(state): State<AppState>,
    plan: PlanChoice,
    PageUser(user): PageUser,
    VnQuery(query): VnQuery<PageQuery>,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, PageError> {
    deadlines(state, plan, user, query, raw_query, false).await
}

pub(super) async fn upcoming_page(
    State(state): State<AppState>,
    plan: PlanChoice,
    PageUser(user): PageUser,
    VnQuery(query): VnQuery<PageQuery>,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, PageError> {
    deadlines(state, plan, user, query, raw_query, true).await
}

async fn deadlines(
    state: AppState,
    plan: PlanChoice,
    user: CurrentUser,
    q: PageQuery,
    raw_query: Option<String>,
    upcoming: bool,
) -> Result<Response, PageError> {
    let path = if upcoming { "/sap-den-han" } else { "/qua-han" };
    let area = area_filter(q.area.as_deref())?;
    let group = group_filter(q.group.as_deref())?;
    let sort = Sort::parse(q.sort.as_deref())?;
    let days = positive(q.days.as_deref(), "số ngày", 366)?.unwrap_or(UPCOMING_DAYS);
    let page = usize::try_from(positive(q.page.as_deref(), "trang", 100_000)?.unwrap_or(1)).unwrap_or(1);
    let asof = as_of(&state, &plan, q.as_of.as_deref(), path).await?;
    let snap = snapshot(&state, &plan).await?;
    let horizon = asof.date.add_days(days);
    let calendar = state.app.calendar();
    let mut selected: Vec<(&MilestoneRecord, DerivedStatus)> = snap
        .current
        .milestones
        .iter()
        .filter(|m| area.is_none_or(|a| m.area == a))
        .filter(|m| group.is_none_or(|k| snap.agency_kind(&m.agency) == k))
        .filter_map(|m| {
            let status = m.derived(asof.date, calendar);
            let keep = if upcoming {
                !status.is_done()
                    && status != DerivedStatus::Overdue
                    && m.due.is_some_and(|d| d >= asof.date && d <= horizon)
            } else {
                status == DerivedStatus::Overdue
            };
            keep.then_some((m, status))
        })
        .collect();
    match sort {
        Sort::DueAsc => selected.sort_by(|a, b| a.0.due.cmp(&b.0.due).then(a.0.id.cmp(&b.0.id))),
        Sort::DueDesc => selected.sort_by(|a, b| b.0.due.cmp(&a.0.due).then(a.0.id.cmp(&b.0.id))),
        Sort::Agency => selected.sort_by(|a, b| {
            snap.agency_name(&a.0.agency).cmp(&snap.agency_name(&b.0.agency)).then(a.0.due.cmp(&b.0.due))
        }),
    }
    let total = selected.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    if page > pages {
        return Err(not_found(format!("trang {page} (danh sách chỉ có {pages} trang)")));
    }
    let lines = selected
        .iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|(m, s)| line(&snap, m, *s, &asof, "/hoat-dong/"))
        .collect();
    let page_link = |n: usize| {
        let mut link = format!("{path}?as_of={}", asof.iso);
        if let Some(a) = area {
            link.push_str(&format!("&linh_vuc={a}"));
        }
        if let Some(k) = group {
            link.push_str(&format!("&nhom={}", k.as_str()));
        }
        if upcoming && days != UPCOMING_DAYS {
            link.push_str(&format!("&ngay={days}"));
        }
        if sort != Sort::DueAsc {
            link.push_str(&format!("&sap_xep={}", sort.key()));
        }
        link.push_str(&format!("&trang={n}"));
        link
    };
    let list = if upcoming { "sap-den-han" } else { "qua-han" };
    let page = DeadlinesPage {
        nav: Nav::new(Some(&user)),
        plan_bar: plan_bar(&state, &snap.current, &asof.action).await?,
        path,
        heading: if upcoming {
            format!("Đến hạn trong {days} ngày tới")
        } else {
            "Quá hạn chưa hoàn thành".to_string()
        },
        explanation: if upcoming {
            format!("Các mốc chưa hoàn thành có hạn từ {} đến {}.", asof.text, horizon)
        } else {
            format!("Các mốc đã qua hạn mà chưa hoàn thành, tính đến ngày {}.", asof.text)
        },
        upcoming,
        days,
        areas: AreaCode::ALL
            .iter()
            .map(|c| SelectOption {
                value: c.to_string(),
                label: format!(
                    "{c}. {}",
                    snap.current.plan.area(*c).map_or(c.standard_name_vn(), |a| a.title.as_str())
                ),
                selected: area == Some(*c),
            })
            .collect(),
        groups: kind_options(&GROUP_KINDS, group),
        sorts: Sort::ALL
            .iter()
            .map(|(s, key, label)| SelectOption {
                value: key.to_string(),
                label: label.to_string(),
                selected: *s == sort,
            })
            .collect(),
        total,
        lines,
        page,
        pages,
        prev: (page > 1).then(|| page_link(page - 1)),
        next: (page < pages).then(|| page_link(page + 1)),
        exports: exports(list, raw_query.as_deref()),
        asof,
    };
    render(&page)
}
