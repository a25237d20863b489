//! The reporting cycle (plan part VI.1.b): forms per agency and period, saving and submitting
//! values, returning and accepting, completeness and timeliness, and the consolidated report.

use std::collections::BTreeMap;
use std::sync::Arc;

use cchc_domain::account::User;
use cchc_domain::reporting::{
    aggregate, validate, AreaProgress, Completeness, ConsolidatedReport, FormActivityRow, GroupCompleteness,
    Importance, Indicator, IndicatorResult, LevelResult, Part, Ratio, ReportContent, ReportForm, ReportStatus,
    ValidationRule, Violation,
};
use cchc_domain::tracking::DerivedStatus;
use cchc_domain::{AdminLevel, Agency, AgencyId, AgencyKind, Date, Diagnostic, PeriodId, ReportingPeriod, Timestamp};
use cchc_import::indicators::{load_catalogue, load_rules};
use cchc_store::{StoredReport, Transition};

use crate::{App, ServiceError};

/// The embedded catalogue and rules, used until an administrator stores an edited version.
pub use cchc_import::indicators::{
    SON_LA_2024_INDICATORS_JSON as SEED_CATALOGUE_JSON, SON_LA_2024_RULES_JSON as SEED_RULES_JSON,
};

/// The indicators and rules in force for the current plan.
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// 0 for the embedded seed; otherwise the stored version.
    pub version: i64,
    pub indicators: Vec<Indicator>,
    pub rules: Vec<ValidationRule>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Catalogue {
    /// The indicators an agency of `kind` reports.
    pub fn for_kind(&self, kind: AgencyKind) -> Vec<Indicator> {
        self.indicators.iter().filter(|i| i.reporters.contains(&kind)).cloned().collect()
    }
}

/// Kinds of agency expected to report each period.
pub const REPORTING_KINDS: [AgencyKind; 4] =
    [AgencyKind::Department, AgencyKind::Sectoral, AgencyKind::District, AgencyKind::Commune];

/// Where every expected agency stands for a period.
#[derive(Debug, Clone)]
pub struct PeriodStatus {
    pub period: ReportingPeriod,
    pub groups: Vec<GroupCompleteness>,
    pub overall: Completeness,
    /// Every expected agency with its report, if any.
    pub agencies: Vec<(Agency, Option<StoredReport>)>,
}

/// What saving a report found.
#[derive(Debug, Clone)]
pub struct SaveOutcome {
    pub report: StoredReport,
    /// Broken rules: errors block submission, warnings do not.
    pub violations: Vec<Violation>,
}

fn level_of(kind: AgencyKind) -> Option<AdminLevel> {
    match kind {
        AgencyKind::District => Some(AdminLevel::Huyen),
        AgencyKind::Commune => Some(AdminLevel::Xa),
        AgencyKind::Department | AgencyKind::Sectoral | AgencyKind::Province => Some(AdminLevel::Tinh),
        AgencyKind::Other => None,
    }
}

impl App {
    /// The catalogue in force for the current plan (stored version, else the embedded seed).
    /// Parsed once and kept until the next write through [`App`] (importing a catalogue or a
    /// plan clears it).
    pub async fn catalogue(&self) -> Result<Arc<Catalogue>, ServiceError> {
        if let Some(found) = self.cache.catalogue.read().ok().and_then(|guard| guard.clone()) {
            return Ok(found);
        }
        let current = self.current().await?;
        let stored = self.store().latest_catalogue(current.version.id).await?;
        let (version, catalogue_json, rules_json) = match &stored {
            Some((v, c, r)) => (*v, c.as_str(), r.as_str()),
            None => (0, SEED_CATALOGUE_JSON, SEED_RULES_JSON),
        };
        let (indicators, mut diagnostics) = load_catalogue(&current.plan, catalogue_json);
        let (rules, rule_diagnostics) = load_rules(&indicators, rules_json);
        diagnostics.extend(rule_diagnostics);
        let catalogue = Arc::new(Catalogue { version, indicators, rules, diagnostics });
        if let Ok(mut guard) = self.cache.catalogue.write() {
            *guard = Some(Arc::clone(&catalogue));
        }
        Ok(catalogue)
    }

    /// The catalogue and rules documents in force: (version, catalogue JSON, rules JSON).
    pub async fn catalogue_sources(&self) -> Result<(i64, String, String), ServiceError> {
        let current = self.current().await?;
        Ok(self
            .store()
            .latest_catalogue(current.version.id)
            .await?
            .unwrap_or_else(|| (0, SEED_CATALOGUE_JSON.to_string(), SEED_RULES_JSON.to_string())))
    }

    /// Stores an edited catalogue as a new version (administrators only). It must load without
    /// errors against the current plan; warnings are returned.
    pub async fn import_catalogue(
        &self,
        user: &User,
        catalogue_json: &str,
        rules_json: &str,
        note: &str,
        now: Timestamp,
    ) -> Result<(i64, Vec<Diagnostic>), ServiceError> {
        if !user.is_admin() {
            return Err(ServiceError::Forbidden("chỉ quản trị được sửa danh mục chỉ tiêu".into()));
        }
        let current = self.current().await?;
        let (indicators, mut diagnostics) = load_catalogue(&current.plan, catalogue_json);
        let (_, rule_diagnostics) = load_rules(&indicators, rules_json);
        diagnostics.extend(rule_diagnostics);
        let errors: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.severity == cchc_domain::Severity::Error)
            .map(ToString::to_string)
            .collect();
        if !errors.is_empty() || indicators.is_empty() {
            let mut errors = errors;
            if indicators.is_empty() {
                errors.push("danh mục không có chỉ tiêu nào".into());
            }
            return Err(ServiceError::Invalid(errors));
        }
        let version = self
            .store()
            .save_catalogue(current.version.id, catalogue_json, rules_json, note.trim(), Some(user.id), &now.rfc3339())
            .await?;
        self.cache.clear();
        Ok((version, diagnostics))
    }

    /// A reporting period of the current plan.
    pub async fn reporting_period(&self, period: PeriodId) -> Result<ReportingPeriod, ServiceError> {
        let current = self.current().await?;
        current.plan.reporting_periods.iter().find(|p| p.id == period).cloned().ok_or_else(|| {
            let known: Vec<String> = current.plan.reporting_periods.iter().map(|p| p.id.to_string()).collect();
            ServiceError::NotFound(format!("kỳ báo cáo «{period}» (các kỳ của kế hoạch: {})", known.join(", ")))
        })
    }

    fn reporting_agency(&self, agency: &AgencyId) -> Result<Agency, ServiceError> {
        let found = self.directory().agency(agency).ok_or_else(|| ServiceError::UnknownAgency(agency.to_string()))?;
        if !REPORTING_KINDS.contains(&found.kind) {
            return Err(ServiceError::Invalid(vec![format!("{} không thuộc diện gửi báo cáo định kỳ", found.name)]));
        }
        Ok(found.clone())
    }

    /// The form an agency fills for a period: its indicators, its activities' statuses as of
    /// the data cut-off, a narrative section per reform area.
    pub async fn report_form(&self, agency: &AgencyId, period: PeriodId) -> Result<ReportForm, ServiceError> {
        let agency = self.reporting_agency(agency)?;
        let period = self.reporting_period(period).await?;
        let current = self.current().await?;
        let catalogue = self.catalogue().await?;
        let activities = current
            .milestones
            .iter()
            .filter(|m| m.agency == agency.id)
            .map(|m| FormActivityRow {
                activity_code: m.activity_code(),
                activity_title: m.activity_title.clone(),
                milestone: m.label.clone(),
                due: m.due,
                status: m.derived(period.data_to, self.calendar()),
            })
            .collect();
        Ok(ReportForm {
            level: level_of(agency.kind).unwrap_or(AdminLevel::Tinh),
            agency_name: agency.name.clone(),
            agency_kind: agency.kind,
            agency: agency.id.clone(),
            period,
            plan_key: current.version.plan_key.clone(),
            plan_title: current.plan.meta.title.clone(),
            indicators: catalogue.for_kind(agency.kind),
            activities,
            areas: current.plan.areas.iter().map(|a| (a.code, a.title.clone())).collect(),
        })
    }

    fn check_may_report(user: &User, agency: &AgencyId) -> Result<(), ServiceError> {
        if user.may_write_for(agency) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(format!(
                "tài khoản «{}» không được lập báo cáo của cơ quan này",
                user.username
            )))
        }
    }

    /// Saves a draft (values and narratives). Values for indicators outside the agency's form
    /// are refused; the rules are checked and returned (they block only submission).
    pub async fn save_report(
        &self,
        user: &User,
        agency: &AgencyId,
        period: PeriodId,
        content: &ReportContent,
        now: Timestamp,
    ) -> Result<SaveOutcome, ServiceError> {
        Self::check_may_report(user, agency)?;
        let form = self.report_form(agency, period).await?;
        let unknown: Vec<String> = content
            .values
            .keys()
            .filter(|(code, _)| !form.indicators.iter().any(|i| &i.code == code))
            .map(|(code, _)| format!("chỉ tiêu {code} không thuộc biểu mẫu của {}", form.agency_name))
            .collect();
        if !unknown.is_empty() {
            return Err(ServiceError::Invalid(unknown));
        }
        let current = self.current().await?;
        let saved = self
            .store()
            .save_report_content(current.version.id, agency, period, content, Some(user.id), &now.rfc3339())
            .await?;
        let Some(report) = saved else {
            return Err(ServiceError::Invalid(vec![
                "báo cáo đã gửi hoặc đã được tiếp nhận nên không sửa được; Sở Nội vụ có thể trả lại để sửa".into(),
            ]));
        };
        let violations = self.violations(&form, &report).await?;
        Ok(SaveOutcome { report, violations })
    }

    /// Rules broken by a report: the catalogue's rules, missing values (warnings), values far
    /// from the agency's earlier periods (warnings).
    async fn violations(&self, form: &ReportForm, report: &StoredReport) -> Result<Vec<Violation>, ServiceError> {
        let catalogue = self.catalogue().await?;
        let mut out = validate(&form.indicators, &catalogue.rules, &report.content.values);
        for indicator in &form.indicators {
            for part in [Part::Numerator, Part::Denominator] {
                if !report.content.values.contains_key(&(indicator.code.clone(), part)) {
                    out.push(Violation {
                        rule: "missing".into(),
                        importance: Importance::Warning,
                        message: format!(
                            "{}: chưa nhập {}",
                            indicator.code,
                            if part == Part::Numerator { "tử số" } else { "mẫu số" }
                        ),
                        indicators: vec![indicator.code.clone()],
                    });
                }
            }
        }
        let current = self.current().await?;
        let mut previous: BTreeMap<(String, Part), Vec<f64>> = BTreeMap::new();
        for p in current.plan.reporting_periods.iter().filter(|p| p.due < form.period.due) {
            if let Some(earlier) = self.store().report(current.version.id, &form.agency, p.id).await? {
                for ((code, part), value) in earlier.content.values {
                    previous.entry((code.as_str().to_string(), part)).or_default().push(value);
                }
            }
        }
        for ((code, part), value) in &report.content.values {
            if let Some(history) = previous.get(&(code.as_str().to_string(), *part)) {
                if cchc_domain::reporting::is_outlier(*value, history, 10.0) {
                    out.push(Violation {
                        rule: "outlier".into(),
                        importance: Importance::Warning,
                        message: format!(
                            "{code}: giá trị {value} khác xa các kỳ trước ({history:?}); đề nghị kiểm tra lại"
                        ),
                        indicators: vec![code.clone()],
                    });
                }
            }
        }
        Ok(out)
    }

    /// Submits a report. Errors of the rules block it; submitting after the due date marks it
    /// late. Of two concurrent submissions exactly one succeeds.
    pub async fn submit_report(
        &self,
        user: &User,
        agency: &AgencyId,
        period: PeriodId,
        now: Timestamp,
    ) -> Result<StoredReport, ServiceError> {
        Self::check_may_report(user, agency)?;
        let form = self.report_form(agency, period).await?;
        let current = self.current().await?;
        let report = self.store().report(current.version.id, agency, period).await?.ok_or_else(|| {
            ServiceError::Invalid(vec!["chưa có số liệu: hãy nhập và lưu báo cáo trước khi gửi".into()])
        })?;
        let errors: Vec<String> = self
            .violations(&form, &report)
            .await?
            .into_iter()
            .filter(|v| v.importance == Importance::Error)
            .map(|v| v.message)
            .collect();
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let today = now.date_in_vietnam();
        let at = now.rfc3339();
        let step = Transition {
            from: &[ReportStatus::Draft, ReportStatus::Returned],
            to: ReportStatus::Submitted,
            kind: "submitted",
            reason: "",
            submitted_on: Some(today),
            late: Some(today > form.period.due),
            user: Some(user.id),
            at: &at,
        };
        if !self.store().transition_report(report.id, &step).await? {
            return Err(ServiceError::Invalid(vec!["báo cáo đã được gửi trước đó".into()]));
        }
        self.report_or_missing(agency, period).await
    }

    /// Sở Nội vụ returns a submitted (or reopens an accepted) report with a reason.
    pub async fn return_report(
        &self,
        user: &User,
        agency: &AgencyId,
        period: PeriodId,
        reason: &str,
        now: Timestamp,
    ) -> Result<StoredReport, ServiceError> {
        self.review(user, agency, period, ReportStatus::Returned, reason, now).await
    }

    /// Sở Nội vụ accepts a submitted report: its data is locked.
    pub async fn accept_report(
        &self,
        user: &User,
        agency: &AgencyId,
        period: PeriodId,
        now: Timestamp,
    ) -> Result<StoredReport, ServiceError> {
        self.review(user, agency, period, ReportStatus::Accepted, "", now).await
    }

    async fn review(
        &self,
        user: &User,
        agency: &AgencyId,
        period: PeriodId,
        to: ReportStatus,
        reason: &str,
        now: Timestamp,
    ) -> Result<StoredReport, ServiceError> {
        if !user.is_admin() {
            return Err(ServiceError::Forbidden("chỉ Sở Nội vụ được tiếp nhận hoặc trả lại báo cáo".into()));
        }
        if to == ReportStatus::Returned && reason.trim().is_empty() {
            return Err(ServiceError::Invalid(vec!["trả lại báo cáo phải nêu lý do".into()]));
        }
        let report = self.report_or_missing(agency, period).await?;
        let (from, kind): (&[ReportStatus], &str) = match (report.status, to) {
            (ReportStatus::Accepted, ReportStatus::Returned) => (&[ReportStatus::Accepted], "reopened"),
            (_, ReportStatus::Returned) => (&[ReportStatus::Submitted], "returned"),
            _ => (&[ReportStatus::Submitted], "accepted"),
        };
        let at = now.rfc3339();
        let step = Transition {
            from,
            to,
            kind,
            reason: reason.trim(),
            submitted_on: None,
            late: None,
            user: Some(user.id),
            at: &at,
        };
        if !self.store().transition_report(report.id, &step).await? {
            return Err(ServiceError::Invalid(vec![format!(
                "không thể chuyển báo cáo từ «{}» sang «{}»",
                report.status.label_vn(),
                to.label_vn()
            )]));
        }
        self.report_or_missing(agency, period).await
    }

    async fn report_or_missing(&self, agency: &AgencyId, period: PeriodId) -> Result<StoredReport, ServiceError> {
        let current = self.current().await?;
        self.store()
            .report(current.version.id, agency, period)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("báo cáo {period} của {}", self.agency_name(agency))))
    }

    /// Expected, submitted, on time and missing per agency group for a period.
    pub async fn report_status(&self, period: PeriodId) -> Result<PeriodStatus, ServiceError> {
        let period = self.reporting_period(period).await?;
        let current = self.current().await?;
        let reports = self.store().reports_for_period(current.version.id, period.id).await?;
        let submissions = |kinds: &[AgencyKind]| -> (Vec<AgencyId>, Vec<(AgencyId, Date)>) {
            let expected: Vec<AgencyId> =
                self.directory().agencies.iter().filter(|a| kinds.contains(&a.kind)).map(|a| a.id.clone()).collect();
            let submitted = reports
                .iter()
                .filter(|r| r.status != ReportStatus::Draft)
                .filter_map(|r| r.submitted_on.map(|d| (r.agency.clone(), d)))
                .collect();
            (expected, submitted)
        };
        let mut groups = Vec::new();
        for kind in REPORTING_KINDS {
            let (expected, submitted) = submissions(&[kind]);
            if expected.is_empty() {
                continue;
            }
            groups.push(GroupCompleteness {
                label: kind.label_vn().to_string(),
                completeness: Completeness::compute(&expected, &submitted, period.due),
            });
        }
        let (expected, submitted) = submissions(&REPORTING_KINDS);
        let overall = Completeness::compute(&expected, &submitted, period.due);
        let agencies = self
            .directory()
            .agencies
            .iter()
            .filter(|a| REPORTING_KINDS.contains(&a.kind))
            .map(|a| (a.clone(), reports.iter().find(|r| r.agency == a.id).cloned()))
            .collect();
        Ok(PeriodStatus { period, groups, overall, agencies })
    }

    /// The province's consolidated report for a period: indicator values by level (Σn ÷ Σd over
    /// submitted and accepted reports), attainment, activity completion per area as of the
    /// cut-off, completeness, late and missing agencies.
    pub async fn consolidate(&self, period: PeriodId, date: Date) -> Result<ConsolidatedReport, ServiceError> {
        let status = self.report_status(period).await?;
        let period = status.period.clone();
        let current = self.current().await?;
        let catalogue = self.catalogue().await?;
        let counted: Vec<(&Agency, &StoredReport)> = status
            .agencies
            .iter()
            .filter_map(|(a, r)| r.as_ref().map(|r| (a, r)))
            .filter(|(_, r)| matches!(r.status, ReportStatus::Submitted | ReportStatus::Accepted))
            .collect();
        let mut indicators = Vec::new();
        let mut agency_values = Vec::new();
        for indicator in &catalogue.indicators {
            let mut levels = Vec::new();
            let mut per_level: BTreeMap<Option<AdminLevel>, Vec<Ratio>> = BTreeMap::new();
            for (agency, report) in &counted {
                let n = report.content.values.get(&(indicator.code.clone(), Part::Numerator));
                let d = report.content.values.get(&(indicator.code.clone(), Part::Denominator));
                if let (Some(n), Some(d)) = (n, d) {
                    let level = level_of(agency.kind);
                    per_level.entry(level).or_default().push(Ratio { numerator: *n, denominator: *d });
                    agency_values.push((agency.name.clone(), level, indicator.code.clone(), *n, *d));
                }
            }
            let all: Vec<Ratio> = per_level.values().flatten().copied().collect();
            let mut rows: Vec<(Option<AdminLevel>, Vec<Ratio>)> = [AdminLevel::Tinh, AdminLevel::Huyen, AdminLevel::Xa]
                .into_iter()
                .map(|l| (Some(l), per_level.get(&Some(l)).cloned().unwrap_or_default()))
                .collect();
            rows.push((None, all));
            for (level, ratios) in rows {
                let threshold = match level {
                    Some(_) => indicator.threshold_for(level),
                    None => indicator.thresholds.iter().find(|t| t.level.is_none()),
                };
                let value = aggregate(ratios.iter().copied());
                levels.push(LevelResult {
                    level,
                    numerator: ratios.iter().map(|r| r.numerator).sum(),
                    denominator: ratios.iter().map(|r| r.denominator).sum(),
                    value,
                    target: threshold.map(|t| match t.upper {
                        Some(u) => format!("{}–{}{}", vn_number(t.value), vn_number(u), indicator.unit),
                        None => format!("{} {}{}", t.op.label_vn(), vn_number(t.value), indicator.unit),
                    }),
                    attainment: match threshold {
                        None => cchc_domain::reporting::Attainment::NoData,
                        Some(_) => indicator.attainment(level, value),
                    },
                    reporting_agencies: ratios.len(),
                });
            }
            indicators.push(IndicatorResult {
                code: indicator.code.clone(),
                name: indicator.name.clone(),
                area: indicator.area,
                levels,
            });
        }
        let areas = current
            .plan
            .areas
            .iter()
            .map(|area| {
                let milestones: Vec<DerivedStatus> = current
                    .milestones
                    .iter()
                    .filter(|m| m.area == area.code)
                    .map(|m| m.derived(period.data_to, self.calendar()))
                    .collect();
                let count = |s: DerivedStatus| milestones.iter().filter(|x| **x == s).count();
                AreaProgress {
                    code: area.code,
                    title: area.title.clone(),
                    milestones: milestones.len(),
                    done_on_time: count(DerivedStatus::DoneOnTime),
                    done_late: count(DerivedStatus::DoneLate),
                    overdue: count(DerivedStatus::Overdue),
                    narratives: counted
                        .iter()
                        .filter_map(|(a, r)| r.content.narratives.get(&area.code).map(|t| (a.name.clone(), t.clone())))
                        .filter(|(_, t)| !t.trim().is_empty())
                        .collect(),
                }
            })
            .collect();
        let name = |id: &AgencyId| self.agency_name(id);
        let meta = &current.plan.meta;
        Ok(ConsolidatedReport {
            issuing_body_parent: format!("UBND TỈNH {}", meta.province.to_uppercase()),
            issuing_body: "SỞ NỘI VỤ".into(),
            place: meta.province.clone(),
            date,
            title: format!(
                "BÁO CÁO Kết quả thực hiện công tác cải cách hành chính {}",
                period.id.label_vn().to_lowercase()
            ),
            plan_title: meta.title.clone(),
            plan_decision: match meta.decision_date {
                Some(d) => format!("Quyết định số {} ngày {d}", meta.decision_number),
                None => format!("Quyết định số {}", meta.decision_number),
            },
            late_agencies: status.overall.late.iter().map(name).collect(),
            missing_agencies: status.overall.missing.iter().map(name).collect(),
            completeness: status.groups.clone(),
            period,
            indicators,
            areas,
            agency_values,
        })
    }
}

fn vn_number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}").replace('.', ",")
    }
}
