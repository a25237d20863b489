//! The indicators of an agency's period report that the catalogue computes from the
//! one-stop-shop dossiers (`source: dossiers`), beside what the agency reported itself.

use std::collections::BTreeMap;

use cchc_domain::account::User;
use cchc_domain::dossier::Counts;
use cchc_domain::reporting::{ComputedFigure, Ratio, ReportContent, ReportForm};
use cchc_domain::{AgencyId, PeriodId};

use crate::{App, ServiceError};

impl App {
    /// The dossier counts of every agency with dossiers in the data window of reporting period
    /// `period`; `None` when no dossier of the window was imported (for any agency, known or
    /// not) or there is no dossier store.
    pub async fn dossier_counts_by_agency(
        &self,
        user: &User,
        period: PeriodId,
    ) -> Result<Option<BTreeMap<AgencyId, Counts>>, ServiceError> {
        if self.dossier_dir.is_none() {
            return Ok(None);
        }
        let period = self.dossier_period(&period.to_string()).await?;
        let table = self.dossier_indicators(user, &period, None, None)?;
        if table.rows.is_empty() && table.unknown.is_empty() {
            return Ok(None);
        }
        Ok(Some(table.rows.into_iter().map(|r| (r.agency.id, r.counts)).collect()))
    }

    /// The form's indicators with a dossier formula, computed from the dossiers of the
    /// period's data window for the form's agency, beside the values of `content`. `None` when
    /// the form has no such indicator or no dossier of the window was imported (for any agency);
    /// an agency without dossiers in a window that has some gets 0/0.
    pub async fn computed_figures(
        &self,
        user: &User,
        form: &ReportForm,
        content: Option<&ReportContent>,
    ) -> Result<Option<Vec<ComputedFigure>>, ServiceError> {
        if !form.indicators.iter().any(|i| i.dossiers.is_some()) {
            return Ok(None);
        }
        let Some(by_agency) = self.dossier_counts_by_agency(user, form.period.id).await? else { return Ok(None) };
        let counts = by_agency.get(&form.agency).copied().unwrap_or_default();
        let figures = form
            .indicators
            .iter()
            .filter_map(|indicator| {
                let formula = indicator.dossiers.as_ref()?;
                let (numerator, denominator) = formula.evaluate(&counts);
                Some(ComputedFigure {
                    code: indicator.code.clone(),
                    name: indicator.name.clone(),
                    formula: formula.text_vn(),
                    // Exact below 2^53, far above any agency's dossiers.
                    computed: Ratio { numerator: numerator as f64, denominator: denominator as f64 },
                    reported: content.and_then(|c| c.ratio(&indicator.code)),
                })
            })
            .collect();
        Ok(Some(figures))
    }
}
