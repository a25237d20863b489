//! The reporting cycle (plan part VI.1.b): forms per agency and period, saving and submitting
//! answers, returning and accepting, receipt dates and extensions, completeness and timeliness,
//! the indicator results and the consolidated report. Every read and write checks the caller.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use cchc_domain::account::User;
use cchc_domain::number::Percent1;
use cchc_domain::reporting::{
    due_date, excerpt, level_of, sum_ratios, validate, AgencyLine, AgencyNarrative, AgencyValue, Answer, AreaProgress,
    Assessment, Completeness, ConsolidatedReport, DocumentSettings, EarlierReport, Extension, FormActivityRow,
    GroupCompleteness, Importance, Indicator, IndicatorResult, LevelResult, NextArea, NextTask, Part, Receipt, Report,
    ReportContent, ReportEvent, ReportEventKind, ReportForm, ReportStatus, Sources, Standing, Transition,
    ValidationRule, ValueChange, Violation, MAX_COUNT, MAX_NARRATIVE_CHARS, MAX_REASON_CHARS,
};
use cchc_domain::text::checked_text;
use cchc_domain::tracking::DerivedStatus;
use cchc_domain::{
    AdminLevel, Agency, AgencyId, AgencyKind, AreaCode, Date, Diagnostic, PeriodId, ReportingPeriod, Timestamp,
};
use cchc_import::indicators::{load_catalogue, load_rules};

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
    /// The indicators on `agency`'s form (its kind reports them, and it is named where the
    /// catalogue names agencies).
    pub fn for_agency(&self, agency: &Agency) -> Vec<Indicator> {
        self.indicators.iter().filter(|i| i.applies_to(agency)).cloned().collect()
    }
}

/// Kinds of agency expected to report each period.
pub const REPORTING_KINDS: [AgencyKind; 4] =
    [AgencyKind::Department, AgencyKind::Sectoral, AgencyKind::District, AgencyKind::Commune];

/// One expected agency for a period: its report, its deadline and any extension.
#[derive(Debug, Clone)]
pub struct AgencyStanding {
    pub agency: Agency,
    pub report: Option<Arc<Report>>,
    /// The deadline that applies (the period's, or the latest extension).
    pub due: Date,
    pub extension: Option<Extension>,
}

impl AgencyStanding {
    pub fn standing(&self) -> Standing {
        Standing::of(self.report.as_deref())
    }
    pub fn is_late(&self) -> bool {
        self.report.as_ref().is_some_and(|r| r.is_late(self.due))
    }
}

/// Where every agency the caller may see stands for a period.
#[derive(Debug, Clone)]
pub struct PeriodStatus {
    pub period: ReportingPeriod,
    pub groups: Vec<GroupCompleteness>,
    pub overall: Completeness,
    pub agencies: Vec<AgencyStanding>,
    /// Whether the caller sees every agency (Sở Nội vụ, leaders) or a district's communes.
    pub whole_province: bool,
}

/// A period's standings and results, computed once per change of the reports (receipt dates and
/// extensions included) or of the catalogue, and shared between requests.
#[derive(Debug)]
pub struct PeriodData {
    /// Every expected agency (the whole province).
    pub status: Arc<PeriodStatus>,
    /// Which reports the results come from.
    pub sources: Sources,
    /// Σn ÷ Σd by level over the reports awaiting acceptance or accepted.
    pub results: Vec<IndicatorResult>,
    /// Every agency's answer of every indicator (the annex).
    pub agency_values: Vec<AgencyValue>,
}

/// An agency's report for a period with everything its page shows.
#[derive(Debug, Clone)]
pub struct ReportDetail {
    pub agency: Agency,
    pub form: ReportForm,
    pub report: Option<Report>,
    pub events: Vec<ReportEvent>,
    pub history: Vec<ValueChange>,
    pub extensions: Vec<Extension>,
    /// Whether the caller may save and submit it.
    pub may_write: bool,
    /// The rules broken by the stored answers (checked while the report is editable).
    pub violations: Vec<Violation>,
}

/// What saving a report found.
#[derive(Debug, Clone)]
pub struct SaveOutcome {
    pub report: Report,
    /// Broken rules: errors block submission, warnings do not.
    pub violations: Vec<Violation>,
}

/// The number, signer and recipients a consolidated report is issued with; `None` keeps the
/// default kept in settings.
#[derive(Debug, Clone, Default)]
pub struct DocumentOptions {
    pub number: Option<String>,
    pub signer_name: Option<String>,
    pub signer_title: Option<Vec<String>>,
    pub recipients: Option<Vec<String>>,
}

const SETTING_SIGNER_NAME: &str = "report.signer_name";
const SETTING_SIGNER_TITLE: &str = "report.signer_title";
const SETTING_RECIPIENTS: &str = "report.recipients";
/// Longest line of a signer's title or a recipient.
const MAX_SETTING_LINE: usize = 200;

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(vec![message.into()])
}

impl App {
    /// The catalogue in force for the current plan (stored version, else the embedded seed).
    /// Parsed once per plan version and kept until an edited catalogue is stored.
    pub async fn catalogue(&self) -> Result<Arc<Catalogue>, ServiceError> {
        let current = self.current().await?;
        self.catalogue_of(&current).await
    }

    /// The catalogue in force for a plan (the plan of a period, say), kept per plan version.
    pub async fn catalogue_of(&self, current: &crate::Current) -> Result<Arc<Catalogue>, ServiceError> {
        if let Some(found) = self.cache.catalogue(current.version.id) {
            return Ok(found);
        }
        let _turn = self.cache.loading_catalogue.lock().await;
        if let Some(found) = self.cache.catalogue(current.version.id) {
            return Ok(found);
        }
        let generation = self.cache.catalogue_generation();
        let stored = self.store().latest_catalogue(current.version.id).await?;
        let (version, catalogue_json, rules_json) = match &stored {
            Some((v, c, r)) => (*v, c.as_str(), r.as_str()),
            None => (0, SEED_CATALOGUE_JSON, SEED_RULES_JSON),
        };
        let (indicators, mut diagnostics) = load_catalogue(&current.plan, self.directory(), catalogue_json);
        let (rules, rule_diagnostics) = load_rules(&indicators, rules_json);
        diagnostics.extend(rule_diagnostics);
        let catalogue = Arc::new(Catalogue { version, indicators, rules, diagnostics });
        self.cache.keep_catalogue(generation, current.version.id, &catalogue);
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
        let (indicators, mut diagnostics) = load_catalogue(&current.plan, self.directory(), catalogue_json);
        let (_, rule_diagnostics) = load_rules(&indicators, rules_json);
        diagnostics.extend(rule_diagnostics);
        let mut errors: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.severity == cchc_domain::Severity::Error)
            .map(ToString::to_string)
            .collect();
        if indicators.is_empty() {
            errors.push("danh mục không có chỉ tiêu nào".into());
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let version = self
            .store()
            .save_catalogue(current.version.id, catalogue_json, rules_json, note.trim(), Some(user.id), &now.rfc3339())
            .await?;
        self.cache.clear_catalogue();
        Ok((version, diagnostics))
    }

    /// A reporting period of the plan of its year (see [`App::plan_of_period`]).
    pub async fn reporting_period(&self, period: PeriodId) -> Result<ReportingPeriod, ServiceError> {
        let current = self.plan_of_period(period).await?;
        current.plan.reporting_periods.iter().find(|p| p.id == period).cloned().ok_or_else(|| {
            let known: Vec<String> = current.plan.reporting_periods.iter().map(|p| p.id.to_string()).collect();
            ServiceError::NotFound(format!("kỳ báo cáo «{period}» (các kỳ của kế hoạch: {})", known.join(", ")))
        })
    }

    /// The reporting periods of every plan (the latest version of each), newest year first,
    /// each plan's periods in order: 2024's stay reachable when 2026 is current.
    pub async fn reporting_periods(&self) -> Result<Vec<ReportingPeriod>, ServiceError> {
        let mut out = Vec::new();
        for version in self.plans_latest().await? {
            out.extend(self.plan_snapshot(Some(&version.plan_key)).await?.plan.reporting_periods.iter().cloned());
        }
        Ok(out)
    }

    /// An agency that reports periodically.
    pub fn reporting_agency(&self, agency: &AgencyId) -> Result<Agency, ServiceError> {
        let found = self.directory().agency(agency).ok_or_else(|| ServiceError::UnknownAgency(agency.to_string()))?;
        if !REPORTING_KINDS.contains(&found.kind) {
            return Err(invalid(format!("{} không thuộc diện gửi báo cáo định kỳ", found.name)));
        }
        Ok(found.clone())
    }

    /// The agency as it stood at the end of the period's data window (its name then); refused
    /// when it did not exist then, naming its successors or its first day.
    fn agency_of_period(&self, agency: &Agency, period: &ReportingPeriod) -> Result<Agency, ServiceError> {
        if let Some(found) = self.directory_on(period.data_to).agency(&agency.id) {
            return Ok(found.clone());
        }
        let v = &agency.validity;
        let why = match (v.from, v.until) {
            (Some(from), _) if period.data_to < from => format!("chỉ tồn tại từ ngày {}", from.vn()),
            (_, Some(until)) => {
                let next: Vec<String> =
                    self.directory().successors_on(&agency.id, period.data_to).iter().map(|a| a.name.clone()).collect();
                if next.is_empty() {
                    format!("không còn từ ngày {}", until.next().vn())
                } else {
                    format!("không còn từ ngày {}; đơn vị kế thừa: {}", until.next().vn(), next.join(", "))
                }
            }
            _ => "không tồn tại".to_string(),
        };
        Err(invalid(format!(
            "{} không thuộc diện báo cáo {}: {why} (số liệu kỳ này chốt ngày {})",
            agency.name,
            period.name,
            period.data_to.vn()
        )))
    }

    async fn extension_of(&self, agency: &AgencyId, period: PeriodId) -> Result<Option<Extension>, ServiceError> {
        let current = self.plan_of_period(period).await?;
        let all = self.store().extensions(current.version.id, period).await?;
        Ok(all.into_iter().rev().find(|e| &e.agency == agency))
    }

    /// The form an agency fills for a period: its indicators, its activities' statuses as of
    /// the data cut-off, a narrative section per reform area, its earlier answers of the year,
    /// the deadline that applies to it and where its report stands.
    pub async fn report_form(&self, agency: &AgencyId, period: PeriodId) -> Result<ReportForm, ServiceError> {
        Ok(self.form_parts(agency, period).await?.0)
    }

    /// The form, the agency's report of the period and the extensions granted to it, from one
    /// read of the agency's reports and one of the period's extensions.
    async fn form_parts(
        &self,
        agency: &AgencyId,
        period: PeriodId,
    ) -> Result<(ReportForm, Option<Report>, Vec<Extension>), ServiceError> {
        let agency = self.reporting_agency(agency)?;
        let period = self.reporting_period(period).await?;
        let agency = self.agency_of_period(&agency, &period)?;
        let current = self.plan_of_period(period.id).await?;
        let catalogue = self.catalogue_of(&current).await?;
        let mut reports = self.store().reports_of_agency(current.version.id, &agency.id).await?;
        let extensions: Vec<Extension> = self
            .store()
            .extensions(current.version.id, period.id)
            .await?
            .into_iter()
            .filter(|e| e.agency == agency.id)
            .collect();
        let earlier = current
            .plan
            .reporting_periods
            .iter()
            .filter(|p| p.due < period.due && p.id.year() == period.id.year())
            .filter_map(|p| reports.iter().find(|r| r.period == p.id))
            .map(|r| EarlierReport { period: r.period, status: r.status, content: r.content.clone() })
            .collect();
        let own = reports.iter().position(|r| r.period == period.id).map(|i| reports.swap_remove(i));
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
        let form = ReportForm {
            level: level_of(agency.kind).unwrap_or(AdminLevel::Tinh),
            agency_name: agency.name.clone(),
            agency_kind: agency.kind,
            agency: agency.id.clone(),
            due: due_date(period.due, extensions.last()),
            period,
            plan_key: current.version.plan_key.clone(),
            plan_title: current.plan.meta.title.clone(),
            indicators: catalogue.for_agency(&agency),
            activities,
            areas: current.plan.areas.iter().map(|a| (a.code, a.title.clone())).collect(),
            earlier,
            status: own.as_ref().map(|r| r.status),
            returned_reason: own
                .as_ref()
                .filter(|r| r.status == ReportStatus::Returned)
                .and_then(|r| r.returned_reason.clone()),
        };
        Ok((form, own, extensions))
    }

    fn check_may_read(user: &User, agency: &Agency) -> Result<(), ServiceError> {
        if user.may_read(agency) {
            Ok(())
        } else {
            // Other agencies' reports do not exist for the caller.
            Err(ServiceError::NotFound(format!("báo cáo của cơ quan «{}»", agency.id)))
        }
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

    fn check_admin(user: &User, what: &str) -> Result<(), ServiceError> {
        if user.is_admin() {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(format!("chỉ Sở Nội vụ được {what}")))
        }
    }

    /// An agency's report for a period with its form, history and extensions, for a caller who
    /// may read it (other agencies' officers get «không tìm thấy»).
    pub async fn report_detail(
        &self,
        user: &User,
        agency: &AgencyId,
        period: PeriodId,
    ) -> Result<ReportDetail, ServiceError> {
        let found = self.reporting_agency(agency)?;
        Self::check_may_read(user, &found)?;
        let (form, report, extensions) = self.form_parts(agency, period).await?;
        let (events, history) = match &report {
            Some(r) => (self.store().report_events(r.id).await?, self.store().report_value_history(r.id).await?),
            None => (Vec::new(), Vec::new()),
        };
        let violations = match &report {
            Some(r) if r.status.is_editable() => self.violations(&form, &r.content).await?,
            _ => Vec::new(),
        };
        Ok(ReportDetail {
            may_write: user.may_write_for(agency),
            agency: found,
            form,
            report,
            events,
            history,
            extensions,
            violations,
        })
    }

    /// Checks and cleans what a user typed: answers only for indicators of the form, counts
    /// finite and at most [`MAX_COUNT`], narratives and reasons through [`checked_text`] (one
    /// limit, one place), narratives only for the plan's areas.
    fn checked_content(form: &ReportForm, content: &ReportContent) -> Result<ReportContent, ServiceError> {
        let mut problems = Vec::new();
        let on_form = |code| form.indicators.iter().any(|i| &i.code == code);
        let mut out = ReportContent::default();
        for ((code, part), value) in &content.values {
            if !on_form(code) {
                problems.push(format!("chỉ tiêu {code} không thuộc biểu mẫu của {}", form.agency_name));
            } else if !value.is_finite() || value.abs() > MAX_COUNT {
                problems.push(format!("{code} ({}): số quá lớn (tối đa 1.000.000.000.000)", part.label_vn()));
            } else {
                out.values.insert((code.clone(), *part), *value);
            }
        }
        for (code, reason) in &content.not_applicable {
            if !on_form(code) {
                problems.push(format!("chỉ tiêu {code} không thuộc biểu mẫu của {}", form.agency_name));
                continue;
            }
            match checked_text(reason, MAX_REASON_CHARS) {
                Ok(reason) => {
                    out.not_applicable.insert(code.clone(), reason);
                }
                Err(e) => problems.push(format!("{code}: lý do «không áp dụng» {e}")),
            }
        }
        for (area, text) in &content.narratives {
            if !form.areas.iter().any(|(code, _)| code == area) {
                problems.push(format!("lĩnh vực {area} không có trong kế hoạch"));
                continue;
            }
            match checked_text(text, MAX_NARRATIVE_CHARS) {
                Ok(text) if text.is_empty() => {}
                Ok(text) => {
                    out.narratives.insert(*area, text);
                }
                Err(e) => problems.push(format!("thuyết minh lĩnh vực {area}: {e}")),
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(ServiceError::Invalid(problems))
        }
    }

    /// Saves a draft (answers and narratives, replacing the stored ones). Nothing is saved when
    /// anything is refused; the rules are checked and returned (they block only submission).
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
        let content = Self::checked_content(&form, content)?;
        let current = self.plan_of_period(period).await?;
        let saved = self
            .store()
            .save_report_content(current.version.id, agency, period, &content, Some(user.id), &now.rfc3339())
            .await?;
        self.cache.reports_changed();
        let Some(report) = saved else {
            return Err(invalid(
                "báo cáo đã gửi hoặc đã được tiếp nhận nên không sửa được; Sở Nội vụ có thể trả lại để sửa",
            ));
        };
        let violations = self.violations(&form, &report.content).await?;
        Ok(SaveOutcome { report, violations })
    }

    /// Saves what an uploaded form carries: every answer, and the narratives of the areas in
    /// `narrative_areas` (a file without them keeps the narratives saved before).
    pub async fn save_upload(
        &self,
        user: &User,
        agency: &AgencyId,
        period: PeriodId,
        upload: &ReportContent,
        narrative_areas: &BTreeSet<AreaCode>,
        now: Timestamp,
    ) -> Result<SaveOutcome, ServiceError> {
        Self::check_may_report(user, agency)?;
        let current = self.plan_of_period(period).await?;
        let mut content = upload.clone();
        if let Some(stored) = self.store().report(current.version.id, agency, period).await? {
            content.keep_narratives_not_in(narrative_areas, &stored.content);
        }
        self.save_report(user, agency, period, &content, now).await
    }

    /// Rules broken by a report's answers: every indicator answered, the catalogue's rules,
    /// and values far from the agency's earlier periods (warnings).
    pub async fn violations(&self, form: &ReportForm, content: &ReportContent) -> Result<Vec<Violation>, ServiceError> {
        let plan = self.plan_of_period(form.period.id).await?;
        let catalogue = self.catalogue_of(&plan).await?;
        let mut out = validate(&form.indicators, &catalogue.rules, content);
        let mut previous: BTreeMap<(String, Part), Vec<f64>> = BTreeMap::new();
        for earlier in &form.earlier {
            for ((code, part), value) in &earlier.content.values {
                previous.entry((code.as_str().to_string(), *part)).or_default().push(*value);
            }
        }
        for ((code, part), value) in &content.values {
            if let Some(history) = previous.get(&(code.as_str().to_string(), *part)) {
                if cchc_domain::reporting::is_outlier(*value, history, 10.0) {
                    let shown: Vec<String> = history.iter().map(|v| cchc_domain::number::count_vn(*v)).collect();
                    out.push(Violation {
                        rule: "outlier".into(),
                        importance: Importance::Warning,
                        message: format!(
                            "{code}: {} {} khác xa các kỳ trước ({}); đề nghị kiểm tra lại",
                            part.label_vn(),
                            cchc_domain::number::count_vn(*value),
                            shown.join(", ")
                        ),
                        indicators: vec![code.clone()],
                    });
                }
            }
        }
        Ok(out)
    }

    /// Submits a report. Every indicator must be answered and no rule error may remain. Of two
    /// concurrent submissions exactly one succeeds.
    pub async fn submit_report(
        &self,
        user: &User,
        agency: &AgencyId,
        period: PeriodId,
        now: Timestamp,
    ) -> Result<Report, ServiceError> {
        Self::check_may_report(user, agency)?;
        let (form, report, _) = self.form_parts(agency, period).await?;
        let report = report.ok_or_else(|| {
            invalid("chưa có số liệu: hãy nhập và lưu báo cáo trước khi gửi (mỗi chỉ tiêu nhập số liệu hoặc đánh dấu «Không áp dụng»)")
        })?;
        let errors: Vec<String> = self
            .violations(&form, &report.content)
            .await?
            .into_iter()
            .filter(|v| v.importance == Importance::Error)
            .map(|v| v.message)
            .collect();
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let at = now.rfc3339();
        let step = Transition {
            from: &[ReportStatus::Draft, ReportStatus::Returned],
            to: ReportStatus::Submitted,
            kind: ReportEventKind::Submitted,
            reason: "",
            submitted_on: Some(now.date_in_vietnam()),
            user: Some(user.id),
            at: &at,
        };
        let moved = self.store().transition_report(report.id, &step).await?;
        self.cache.reports_changed();
        if !moved {
            return Err(invalid("báo cáo đã được gửi trước đó"));
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
    ) -> Result<Report, ServiceError> {
        self.review(user, agency, period, ReportStatus::Returned, reason, now).await
    }

    /// Sở Nội vụ accepts a submitted report: its data is locked.
    pub async fn accept_report(
        &self,
        user: &User,
        agency: &AgencyId,
        period: PeriodId,
        now: Timestamp,
    ) -> Result<Report, ServiceError> {
        self.review(user, agency, period, ReportStatus::Accepted, "", now).await
    }

    fn checked_reason(reason: &str, what: &str) -> Result<String, ServiceError> {
        let reason = checked_text(reason, MAX_REASON_CHARS).map_err(|e| invalid(format!("lý do {e}")))?;
        if reason.is_empty() {
            return Err(invalid(format!("{what} phải nêu lý do")));
        }
        Ok(reason)
    }

    async fn review(
        &self,
        user: &User,
        agency: &AgencyId,
        period: PeriodId,
        to: ReportStatus,
        reason: &str,
        now: Timestamp,
    ) -> Result<Report, ServiceError> {
        Self::check_admin(user, "tiếp nhận hoặc trả lại báo cáo")?;
        let reason = match to {
            ReportStatus::Returned => Self::checked_reason(reason, "trả lại báo cáo")?,
            _ => String::new(),
        };
        let report = self.report_or_missing(agency, period).await?;
        let (from, kind): (&[ReportStatus], ReportEventKind) = match (report.status, to) {
            (ReportStatus::Accepted, ReportStatus::Returned) => (&[ReportStatus::Accepted], ReportEventKind::Reopened),
            (_, ReportStatus::Returned) => (&[ReportStatus::Submitted], ReportEventKind::Returned),
            _ => (&[ReportStatus::Submitted], ReportEventKind::Accepted),
        };
        let at = now.rfc3339();
        let step = Transition { from, to, kind, reason: &reason, submitted_on: None, user: Some(user.id), at: &at };
        let moved = self.store().transition_report(report.id, &step).await?;
        self.cache.reports_changed();
        if !moved {
            return Err(invalid(format!(
                "không thể chuyển báo cáo từ «{}» sang «{}»",
                report.status.label_vn(),
                to.label_vn()
            )));
        }
        self.report_or_missing(agency, period).await
    }

    /// Sở Nội vụ records the day a report was received (a paper or e-mail report keyed in
    /// later), with the reason; timeliness uses it. Audited in the report's history.
    pub async fn record_receipt(
        &self,
        user: &User,
        agency: &AgencyId,
        period: PeriodId,
        date: Date,
        reason: &str,
        now: Timestamp,
    ) -> Result<Report, ServiceError> {
        Self::check_admin(user, "ghi nhận ngày nhận báo cáo")?;
        let reason = Self::checked_reason(reason, "ghi nhận ngày nhận báo cáo")?;
        let period = self.reporting_period(period).await?;
        let today = now.date_in_vietnam();
        if date > today {
            return Err(invalid(format!("ngày nhận {} ở tương lai (hôm nay là {})", date.vn(), today.vn())));
        }
        if date < period.data_from {
            return Err(invalid(format!(
                "ngày nhận {} trước ngày bắt đầu kỳ báo cáo ({})",
                date.vn(),
                period.data_from.vn()
            )));
        }
        let current = self.plan_of_period(period.id).await?;
        let report = self.store().report(current.version.id, agency, period.id).await?.ok_or_else(|| {
            invalid(format!(
                "{} chưa có báo cáo {} trên hệ thống: hãy nhập số liệu của báo cáo (cơ quan nhập, hoặc Sở Nội vụ nhập thay) rồi ghi nhận ngày nhận",
                self.agency_name(agency),
                period.id.label_vn()
            ))
        })?;
        self.store().record_receipt(report.id, &Receipt { date, reason }, Some(user.id), &now.rfc3339()).await?;
        self.cache.reports_changed();
        self.report_or_missing(agency, period.id).await
    }

    /// Sở Nội vụ grants an agency a later deadline for a period, with the reason (audited;
    /// the latest extension applies).
    pub async fn grant_extension(
        &self,
        user: &User,
        agency: &AgencyId,
        period: PeriodId,
        until: Date,
        reason: &str,
        now: Timestamp,
    ) -> Result<Extension, ServiceError> {
        Self::check_admin(user, "gia hạn báo cáo")?;
        let reason = Self::checked_reason(reason, "gia hạn báo cáo")?;
        let found = self.reporting_agency(agency)?;
        let period = self.reporting_period(period).await?;
        if until <= period.due {
            return Err(invalid(format!("hạn mới {} phải sau hạn gửi của kỳ ({})", until.vn(), period.due.vn())));
        }
        let current = self.plan_of_period(period.id).await?;
        let at = now.rfc3339();
        self.store()
            .add_extension(current.version.id, &found.id, period.id, until, &reason, Some(user.id), &at)
            .await?;
        self.extension_of(&found.id, period.id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("gia hạn của {}", found.name)))
    }

    async fn report_or_missing(&self, agency: &AgencyId, period: PeriodId) -> Result<Report, ServiceError> {
        let current = self.plan_of_period(period).await?;
        self.store()
            .report(current.version.id, agency, period)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("báo cáo {period} của {}", self.agency_name(agency))))
    }

    /// Every expected agency of a period with its report and deadline (no authorisation: the
    /// callers below check it).
    async fn standings(&self, period: &ReportingPeriod) -> Result<Vec<AgencyStanding>, ServiceError> {
        let current = self.plan_of_period(period.id).await?;
        let mut reports: BTreeMap<AgencyId, Arc<Report>> = self
            .store()
            .reports_for_period(current.version.id, period.id)
            .await?
            .into_iter()
            .map(|r| (r.agency.clone(), Arc::new(r)))
            .collect();
        let mut extensions: BTreeMap<AgencyId, Extension> = BTreeMap::new();
        for e in self.store().extensions(current.version.id, period.id).await? {
            extensions.insert(e.agency.clone(), e);
        }
        // Expected: the reporting agencies that exist at the end of the period's data window,
        // under the names they bore then.
        Ok(self
            .directory_on(period.data_to)
            .agencies
            .iter()
            .filter(|a| REPORTING_KINDS.contains(&a.kind))
            .map(|a| {
                let extension = extensions.remove(&a.id);
                AgencyStanding {
                    agency: a.clone(),
                    report: reports.remove(&a.id),
                    due: due_date(period.due, extension.as_ref()),
                    extension,
                }
            })
            .collect())
    }

    /// Where every agency the caller may read stands for a period: expected, not submitted,
    /// awaiting acceptance, returned, accepted, on time and late, per group and in total. Sở
    /// Nội vụ and leaders see the province; a district's officers see the district and its
    /// communes; other officers are refused.
    pub async fn report_status(&self, user: &User, period: PeriodId) -> Result<Arc<PeriodStatus>, ServiceError> {
        let period = self.reporting_period(period).await?;
        let data = self.period_data(&period).await?;
        if user.reads_all() {
            return Ok(Arc::clone(&data.status));
        }
        let visible: Vec<AgencyStanding> =
            data.status.agencies.iter().filter(|s| user.may_read(&s.agency)).cloned().collect();
        if visible.iter().all(|s| Some(&s.agency.id) == user.agency.as_ref()) {
            return Err(ServiceError::Forbidden(
                "tình hình báo cáo chỉ dành cho Sở Nội vụ, lãnh đạo và UBND cấp huyện (các xã của huyện); cán bộ cơ quan xem báo cáo của cơ quan mình"
                    .into(),
            ));
        }
        Ok(Arc::new(Self::period_status(period, visible, false)))
    }

    /// A period's standings and results, from the cache when no report changed since.
    pub(crate) async fn period_data(&self, period: &ReportingPeriod) -> Result<Arc<PeriodData>, ServiceError> {
        let current = self.plan_of_period(period.id).await?;
        let key = self.cache.period_key(current.version.id);
        if let Some(found) = self.cache.period(period.id, key) {
            return Ok(found);
        }
        let _turn = self.cache.loading_period.lock().await;
        let key = self.cache.period_key(current.version.id);
        if let Some(found) = self.cache.period(period.id, key) {
            return Ok(found);
        }
        let standings = self.standings(period).await?;
        let catalogue = self.catalogue_of(&current).await?;
        let (sources, results, agency_values) = Self::results(&catalogue, &standings);
        let data = Arc::new(PeriodData {
            status: Arc::new(Self::period_status(period.clone(), standings, true)),
            sources,
            results,
            agency_values,
        });
        self.cache.keep_period(period.id, key, &data);
        Ok(data)
    }

    fn period_status(period: ReportingPeriod, agencies: Vec<AgencyStanding>, whole_province: bool) -> PeriodStatus {
        let entries = |kind: Option<AgencyKind>| {
            Completeness::compute(
                agencies
                    .iter()
                    .filter(|s| kind.is_none_or(|k| s.agency.kind == k))
                    .map(|s| (&s.agency.id, s.report.as_deref(), s.due)),
            )
        };
        let groups = REPORTING_KINDS
            .into_iter()
            .filter(|k| agencies.iter().any(|s| s.agency.kind == *k))
            .map(|kind| GroupCompleteness {
                kind,
                label: kind.label_vn().to_string(),
                completeness: entries(Some(kind)),
            })
            .collect();
        let overall = entries(None);
        PeriodStatus { period, groups, overall, agencies, whole_province }
    }

    /// The consolidated document's defaults (signer, title, recipients) as kept in settings.
    pub async fn document_settings(&self) -> Result<DocumentSettings, ServiceError> {
        let mut settings = DocumentSettings::default();
        let lines = |text: String| -> Vec<String> {
            text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
        };
        if let Some(name) = self.store().setting(SETTING_SIGNER_NAME).await? {
            settings.signer_name = name;
        }
        if let Some(title) = self.store().setting(SETTING_SIGNER_TITLE).await?.map(lines).filter(|l| !l.is_empty()) {
            settings.signer_title = title;
        }
        if let Some(recipients) = self.store().setting(SETTING_RECIPIENTS).await?.map(lines).filter(|l| !l.is_empty()) {
            settings.recipients = recipients;
        }
        Ok(settings)
    }

    /// Stores the consolidated document's defaults (Sở Nội vụ only).
    pub async fn save_document_settings(
        &self,
        user: &User,
        settings: &DocumentSettings,
        now: Timestamp,
    ) -> Result<DocumentSettings, ServiceError> {
        Self::check_admin(user, "sửa thiết lập văn bản báo cáo")?;
        let checked = Self::checked_settings(&DocumentOptions {
            number: None,
            signer_name: Some(settings.signer_name.clone()),
            signer_title: Some(settings.signer_title.clone()),
            recipients: Some(settings.recipients.clone()),
        })?;
        let values = [
            (SETTING_SIGNER_NAME, checked.signer_name.unwrap_or_default()),
            (SETTING_SIGNER_TITLE, checked.signer_title.unwrap_or_default().join("\n")),
            (SETTING_RECIPIENTS, checked.recipients.unwrap_or_default().join("\n")),
        ];
        self.store().set_settings(&values, Some(user.id), &now.rfc3339()).await?;
        self.cache.settings_changed();
        self.document_settings().await
    }

    /// Every line of the options through [`checked_text`]; titles and recipients not empty.
    fn checked_settings(options: &DocumentOptions) -> Result<DocumentOptions, ServiceError> {
        let mut problems = Vec::new();
        let mut line = |label: &str, text: &str| match checked_text(text, MAX_SETTING_LINE) {
            Ok(text) if text.contains('\n') => {
                problems.push(format!("{label}: chỉ được một dòng"));
                None
            }
            Ok(text) => Some(text),
            Err(e) => {
                problems.push(format!("{label}: {e}"));
                None
            }
        };
        let number = options.number.as_deref().and_then(|n| line("số văn bản", n));
        let signer_name = options.signer_name.as_deref().and_then(|n| line("người ký", n));
        let mut list = |label: &str, lines: &Option<Vec<String>>| {
            lines.as_ref().map(|lines| {
                lines.iter().filter_map(|l| line(label, l)).filter(|l| !l.is_empty()).collect::<Vec<String>>()
            })
        };
        let signer_title = list("chức danh người ký", &options.signer_title);
        let recipients = list("nơi nhận", &options.recipients);
        if signer_title.as_ref().is_some_and(Vec::is_empty) {
            problems.push("chức danh người ký không được để trống (ví dụ «GIÁM ĐỐC»)".into());
        }
        if recipients.as_ref().is_some_and(Vec::is_empty) {
            problems.push("nơi nhận không được để trống".into());
        }
        if number.as_ref().is_some_and(|n| n.contains('/')) {
            problems.push("số văn bản chỉ ghi phần số (ví dụ 123); phần «/BC-SNV» do hệ thống thêm".into());
        }
        if problems.is_empty() {
            Ok(DocumentOptions { number, signer_name, signer_title, recipients })
        } else {
            Err(ServiceError::Invalid(problems))
        }
    }

    /// The province's indicator results for a period (a reader of the province only).
    pub async fn report_results(
        &self,
        user: &User,
        period: PeriodId,
    ) -> Result<(ReportingPeriod, Arc<PeriodData>), ServiceError> {
        if !user.reads_all() {
            return Err(ServiceError::Forbidden(
                "kết quả chỉ tiêu toàn tỉnh chỉ dành cho Sở Nội vụ và lãnh đạo".into(),
            ));
        }
        let period = self.reporting_period(period).await?;
        let data = self.period_data(&period).await?;
        Ok((period, data))
    }

    /// Indicator results by level over the reports awaiting acceptance or accepted (Σn ÷ Σd),
    /// the sources, and every agency's answers.
    fn results(
        catalogue: &Catalogue,
        standings: &[AgencyStanding],
    ) -> (Sources, Vec<IndicatorResult>, Vec<AgencyValue>) {
        let counted: Vec<(&Agency, &Report)> = standings
            .iter()
            .filter_map(|s| s.report.as_deref().map(|r| (&s.agency, r)))
            .filter(|(_, r)| r.status.counts_as_submitted())
            .collect();
        let count = |standing: Standing| standings.iter().filter(|s| s.standing() == standing).count();
        let sources = Sources {
            accepted: count(Standing::Accepted),
            awaiting: count(Standing::Awaiting),
            returned: count(Standing::Returned),
            expected: standings.len(),
        };
        let mut results = Vec::new();
        let mut agency_values = Vec::new();
        for indicator in &catalogue.indicators {
            // (level, ratios, not applicable)
            let mut per_level: BTreeMap<AdminLevel, (Vec<cchc_domain::reporting::Ratio>, usize)> = BTreeMap::new();
            for (agency, report) in counted.iter().filter(|(a, _)| indicator.applies_to(a)) {
                let Some(level) = level_of(agency.kind) else { continue };
                let entry = per_level.entry(level).or_default();
                match report.content.answer(&indicator.code) {
                    Answer::Value(ratio) => {
                        entry.0.push(ratio);
                        agency_values.push(AgencyValue {
                            agency: agency.name.clone(),
                            level: Some(level),
                            code: indicator.code.clone(),
                            ratio: Some(ratio),
                            not_applicable: None,
                        });
                    }
                    Answer::NotApplicable(reason) => {
                        entry.1 += 1;
                        agency_values.push(AgencyValue {
                            agency: agency.name.clone(),
                            level: Some(level),
                            code: indicator.code.clone(),
                            ratio: None,
                            not_applicable: Some(reason),
                        });
                    }
                    Answer::Partial | Answer::Missing => {}
                }
            }
            let levels = indicator.levels();
            let mut rows: Vec<(Option<AdminLevel>, Vec<cchc_domain::reporting::Ratio>, usize)> = levels
                .iter()
                .map(|l| {
                    let (ratios, na) = per_level.get(l).cloned().unwrap_or_default();
                    (Some(*l), ratios, na)
                })
                .collect();
            if levels.len() > 1 {
                let all = per_level.values().flat_map(|(r, _)| r.iter().copied()).collect();
                let na = per_level.values().map(|(_, n)| n).sum();
                rows.push((None, all, na));
            }
            let level_results = rows
                .into_iter()
                .map(|(level, ratios, not_applicable)| {
                    let sum = sum_ratios(ratios.iter().copied());
                    let value = sum.rounded();
                    let threshold = indicator.threshold_for(level).cloned();
                    LevelResult {
                        level,
                        numerator: sum.numerator,
                        denominator: sum.denominator,
                        value,
                        target: threshold.as_ref().map(|t| t.text(&indicator.unit)),
                        assessment: Assessment::of(value, threshold.as_ref(), indicator.direction),
                        threshold,
                        reporting_agencies: ratios.len(),
                        not_applicable,
                    }
                })
                .collect();
            results.push(IndicatorResult {
                code: indicator.code.clone(),
                name: indicator.name.clone(),
                area: indicator.area,
                unit: indicator.unit.clone(),
                direction: indicator.direction,
                levels: level_results,
            });
        }
        (sources, results, agency_values)
    }

    /// The province's consolidated report for a period: indicator results by level, activity
    /// progress per area as of the cut-off with condensed narratives, completeness, the late,
    /// missing and returned agencies, the tasks of the next period, every answer and narrative
    /// for the annex; issued with `options` over the defaults kept in settings.
    pub async fn consolidate(
        &self,
        user: &User,
        period: PeriodId,
        date: Date,
        options: &DocumentOptions,
    ) -> Result<ConsolidatedReport, ServiceError> {
        if !user.reads_all() {
            return Err(ServiceError::Forbidden("báo cáo tổng hợp chỉ dành cho Sở Nội vụ và lãnh đạo".into()));
        }
        let options = Self::checked_settings(options)?;
        let mut settings = self.document_settings().await?;
        if let Some(number) = options.number {
            settings.number = number;
        }
        if let Some(name) = options.signer_name {
            settings.signer_name = name;
        }
        if let Some(title) = options.signer_title {
            settings.signer_title = title;
        }
        if let Some(recipients) = options.recipients {
            settings.recipients = recipients;
        }
        let period = self.reporting_period(period).await?;
        let data = self.period_data(&period).await?;
        let status = &data.status;
        let current = self.plan_of_period(period.id).await?;
        let (sources, indicators, agency_values) = (data.sources, data.results.clone(), data.agency_values.clone());
        let counted: Vec<(&Agency, &Report)> = status
            .agencies
            .iter()
            .filter_map(|s| s.report.as_deref().map(|r| (&s.agency, r)))
            .filter(|(_, r)| r.status.counts_as_submitted())
            .collect();
        let areas =
            current.plan.areas.iter().map(|area| self.area_progress(&current, area, &period, &counted)).collect();
        let narratives = counted
            .iter()
            .flat_map(|(agency, report)| {
                report.content.narratives.iter().map(|(area, text)| AgencyNarrative {
                    agency: agency.name.clone(),
                    area: *area,
                    text: text.clone(),
                })
            })
            .collect();
        let next_period =
            current.plan.reporting_periods.iter().filter(|p| p.due > period.due).min_by_key(|p| p.due).cloned();
        let next = match &next_period {
            Some(next_period) => self.next_tasks(&current, period.data_to, next_period.data_to),
            None => Vec::new(),
        };
        let line = |id: &AgencyId| {
            let agency = self.directory().agency(id);
            AgencyLine {
                id: id.clone(),
                name: agency.map_or_else(|| id.to_string(), |a| a.name.clone()),
                kind: agency.map_or(AgencyKind::Other, |a| a.kind),
            }
        };
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
            late: status.overall.late.iter().map(line).collect(),
            not_submitted: status.overall.not_submitted.iter().map(line).collect(),
            returned: status.overall.returned.iter().map(line).collect(),
            completeness: status.groups.clone(),
            overall: status.overall.clone(),
            next_period,
            settings,
            sources,
            period,
            indicators,
            areas,
            next,
            agency_values,
            narratives,
        })
    }

    /// An area's progress per activity at the cut-off, and a few narratives that matter.
    fn area_progress(
        &self,
        current: &crate::Current,
        area: &cchc_domain::Area,
        period: &ReportingPeriod,
        counted: &[(&Agency, &Report)],
    ) -> AreaProgress {
        let cutoff = period.data_to;
        let mut progress = AreaProgress {
            code: area.code,
            title: area.title.clone(),
            activities: area.activities.len(),
            due: 0,
            done_on_time: 0,
            done_late: 0,
            overdue: 0,
            waiting: 0,
            overdue_list: Vec::new(),
            highlights: Vec::new(),
            narrative_count: 0,
        };
        for activity in &area.activities {
            let milestones: Vec<_> = current
                .milestones
                .iter()
                .filter(|m| m.area == area.code && m.activity_number == activity.number)
                .collect();
            let due: Vec<_> = milestones.iter().filter(|m| m.due.is_some_and(|d| d <= cutoff)).collect();
            let statuses: Vec<DerivedStatus> = due.iter().map(|m| m.derived(cutoff, self.calendar())).collect();
            let late_agencies: BTreeSet<String> = due
                .iter()
                .zip(&statuses)
                .filter(|(_, s)| **s == DerivedStatus::Overdue)
                .map(|(m, _)| self.agency_name(&m.agency))
                .collect();
            if !late_agencies.is_empty() {
                progress.due += 1;
                progress.overdue += 1;
                progress.overdue_list.push((
                    format!("{}.{}", area.code, activity.number),
                    activity.title.clone(),
                    late_agencies.into_iter().collect(),
                ));
            } else if !statuses.is_empty()
                && statuses.iter().all(|s| matches!(s, DerivedStatus::DoneOnTime | DerivedStatus::DoneLate))
            {
                progress.due += 1;
                if statuses.contains(&DerivedStatus::DoneLate) {
                    progress.done_late += 1;
                } else {
                    progress.done_on_time += 1;
                }
            } else if due.is_empty()
                && !milestones.is_empty()
                && milestones.iter().all(|m| m.derived(cutoff, self.calendar()) == DerivedStatus::WaitingEvent)
            {
                progress.waiting += 1;
            }
        }
        // Narratives: agencies leading activities of the area first, then departments, districts,
        // communes; longer texts first among equals.
        let mut written: Vec<(usize, u8, usize, &Agency, &String)> = counted
            .iter()
            .filter_map(|(agency, report)| {
                let text = report.content.narratives.get(&area.code).filter(|t| !t.trim().is_empty())?;
                let leads = area.activities.iter().filter(|a| a.is_led_by(&agency.id, self.directory())).count();
                let rank = match agency.kind {
                    AgencyKind::Department | AgencyKind::Province => 0,
                    AgencyKind::Sectoral => 1,
                    AgencyKind::District => 2,
                    AgencyKind::Commune | AgencyKind::Other => 3,
                };
                Some((leads, rank, text.chars().count(), *agency, text))
            })
            .collect();
        written.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(b.2.cmp(&a.2)).then(a.3.name.cmp(&b.3.name)));
        progress.narrative_count = written.len();
        progress.highlights =
            written.iter().take(3).map(|(_, _, _, agency, text)| (agency.name.clone(), excerpt(text, 320))).collect();
        progress
    }

    /// Activities with a milestone due after `from` up to `to`, by area, with lead agencies.
    fn next_tasks(&self, current: &crate::Current, from: Date, to: Date) -> Vec<NextArea> {
        let mut out = Vec::new();
        for area in &current.plan.areas {
            let mut tasks = Vec::new();
            for activity in &area.activities {
                let due = current
                    .milestones
                    .iter()
                    .filter(|m| m.area == area.code && m.activity_number == activity.number)
                    .filter_map(|m| m.due)
                    .filter(|d| *d > from && *d <= to)
                    .min();
                let Some(due) = due else { continue };
                tasks.push(NextTask {
                    activity_code: format!("{}.{}", area.code, activity.number),
                    title: activity.title.clone(),
                    due,
                    leads: activity.lead.iter().map(|r| r.text.clone()).collect(),
                });
            }
            if !tasks.is_empty() {
                out.push(NextArea { code: area.code, title: area.title.clone(), tasks });
            }
        }
        out
    }
}

/// The share `part / whole` with the one rounding rule ("56,3%").
pub fn share_text(part: usize, whole: usize) -> String {
    Percent1::share(part, whole).to_string()
}
