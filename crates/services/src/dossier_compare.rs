//! The indicators of an agency's period report that the catalogue computes from the
//! one-stop-shop dossiers (`source: dossiers`), beside what the agency reported itself.

use cchc_domain::account::User;
use cchc_domain::dossier::Counts;
use cchc_domain::reporting::{ComputedFigure, Ratio, ReportContent, ReportForm};

use crate::{App, ServiceError};

impl App {
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
        if self.dossier_dir.is_none() || !form.indicators.iter().any(|i| i.dossiers.is_some()) {
            return Ok(None);
        }
        let period = self.dossier_period(&form.period.id.to_string()).await?;
        let table = self.dossier_indicators(user, &period, None, None)?;
        if table.rows.is_empty() && table.unknown.is_empty() {
            return Ok(None);
        }
        let counts = table.rows.iter().find(|r| r.agency.id == form.agency).map_or(Counts::default(), |r| r.counts);
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
