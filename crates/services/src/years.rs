//! The same indicator across the plans of several years: its target per level in each plan and
//! what the province attained (the latest period of that plan with reports counted).

use std::sync::Arc;

use cchc_domain::account::User;
use cchc_domain::reporting::{IndicatorCode, IndicatorResult, Sources};
use cchc_domain::ReportingPeriod;

use crate::{App, ServiceError};

/// One plan's line of the comparison.
#[derive(Debug, Clone)]
pub struct IndicatorYear {
    pub plan_key: String,
    pub year: Option<i32>,
    pub plan_title: String,
    /// The period whose results are shown: the latest one with at least one report counted,
    /// else the plan's last period (no data yet).
    pub period: Option<ReportingPeriod>,
    /// Where the values come from.
    pub sources: Option<Sources>,
    /// `None` when the plan's catalogue has no indicator with this code.
    pub result: Option<IndicatorResult>,
}

impl App {
    /// Indicator `code` in every plan, oldest year first (Sở Nội vụ and leaders).
    pub async fn indicator_over_years(
        &self,
        user: &User,
        code: &IndicatorCode,
    ) -> Result<Vec<IndicatorYear>, ServiceError> {
        if !user.reads_all() {
            return Err(ServiceError::Forbidden(
                "kết quả chỉ tiêu toàn tỉnh chỉ dành cho Sở Nội vụ và lãnh đạo".into(),
            ));
        }
        let mut keys: Vec<(Option<i32>, String)> =
            self.plans_latest().await?.into_iter().map(|v| (v.year, v.plan_key)).collect();
        keys.sort();
        let mut out = Vec::new();
        let mut found_anywhere = false;
        for (year, key) in keys {
            let plan = self.plan_snapshot(Some(&key)).await?;
            let catalogue = self.catalogue_of(&plan).await?;
            let mut line = IndicatorYear {
                plan_key: key,
                year,
                plan_title: plan.plan.meta.title.clone(),
                period: None,
                sources: None,
                result: None,
            };
            if catalogue.indicators.iter().any(|i| &i.code == code) {
                found_anywhere = true;
                let mut chosen: Option<(ReportingPeriod, Arc<crate::reporting::PeriodData>)> = None;
                for period in plan.plan.reporting_periods.iter().rev() {
                    let data = self.period_data(period).await?;
                    let counted = data.sources.counted() > 0;
                    if chosen.is_none() || counted {
                        chosen = Some((period.clone(), data));
                    }
                    if counted {
                        break;
                    }
                }
                if let Some((period, data)) = chosen {
                    line.result = data.results.iter().find(|r| &r.code == code).cloned();
                    line.sources = Some(data.sources);
                    line.period = Some(period);
                }
            }
            out.push(line);
        }
        if !found_anywhere {
            return Err(ServiceError::NotFound(format!("chỉ tiêu «{code}» trong danh mục của các kế hoạch")));
        }
        Ok(out)
    }
}
