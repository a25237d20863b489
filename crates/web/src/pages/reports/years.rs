//! `/chi-tieu/{code}`: one indicator across the plans of several years — the target of each
//! level in each plan and what the province attained, with bars to compare at a glance.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use cchc_domain::reporting::{level_label, IndicatorCode};
use cchc_domain::AdminLevel;

use super::period::{value_text, verdict_class};
use crate::auth::PageUser;
use crate::error::{PageError, WebError};
use crate::pages::{render, Nav};
use crate::AppState;

struct Cell {
    target: String,
    value: String,
    verdict: &'static str,
    verdict_class: &'static str,
    /// Width of the value's bar in percent of the column (values above 100% are capped).
    bar: String,
    has_value: bool,
}

struct YearRow {
    year: String,
    plan_key: String,
    period: String,
    period_link: Option<String>,
    sources: String,
    in_plan: bool,
    cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "indicator_years.html")]
struct YearsPage {
    nav: Nav,
    code: String,
    name: String,
    levels: Vec<String>,
    rows: Vec<YearRow>,
}

pub(super) async fn years_page(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let parsed =
        IndicatorCode::parse(code.trim()).ok_or_else(|| PageError(WebError::NotFound(format!("chỉ tiêu «{code}»"))))?;
    let lines = state.app.indicator_over_years(&user.user, &parsed).await?;
    // Every level any plan reports, province first.
    let mut levels: Vec<Option<AdminLevel>> = Vec::new();
    for line in &lines {
        for level in line.result.iter().flat_map(|r| r.levels.iter().map(|l| l.level)) {
            if !levels.contains(&level) {
                levels.push(level);
            }
        }
    }
    levels.sort();
    let name = lines.iter().rev().find_map(|l| l.result.as_ref().map(|r| r.name.clone())).unwrap_or_default();
    let rows = lines
        .iter()
        .map(|line| {
            let cells = levels
                .iter()
                .map(|level| {
                    let found = line.result.as_ref().and_then(|r| r.levels.iter().find(|l| l.level == *level));
                    match found {
                        Some(l) => Cell {
                            target: l.target.clone().unwrap_or_default(),
                            value: value_text(l.value),
                            verdict: l.assessment.label_vn(),
                            verdict_class: verdict_class(l.assessment.attainment),
                            bar: l.value.map_or_else(String::new, |v| format!("{:.1}", v.value().clamp(0.0, 100.0))),
                            has_value: l.value.is_some(),
                        },
                        None => Cell {
                            target: String::new(),
                            value: "—".into(),
                            verdict: "",
                            verdict_class: "st-not-due",
                            bar: String::new(),
                            has_value: false,
                        },
                    }
                })
                .collect();
            YearRow {
                year: line.year.map_or_else(|| line.plan_key.clone(), |y| y.to_string()),
                plan_key: line.plan_key.clone(),
                period: line.period.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
                period_link: line.period.as_ref().map(|p| format!("/bao-cao/{}/chi-tieu/{}", p.id, parsed)),
                sources: line.sources.map(|s| s.sentence_vn()).unwrap_or_default(),
                in_plan: line.result.is_some(),
                cells,
            }
        })
        .collect();
    render(&YearsPage {
        nav: Nav::new(Some(&user)),
        code: parsed.to_string(),
        name,
        levels: levels.iter().map(|l| level_label(*l).to_string()).collect(),
        rows,
    })
}
