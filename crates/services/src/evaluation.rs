//! The PAR Index use cases: the criteria framework in force (stored, else the template), its
//! export and import, the assessment round (self-assessment → appraisal → explanation →
//! publication) and the scores, ranks and bands of every agency.
//!
//! Visibility: until a round is published an agency officer sees only its own assessment;
//! Sở Nội vụ, the appraisal council and leaders see every one (marked provisional); the public
//! sees a kind's results once its round is published.

use std::collections::HashMap;
use std::sync::Arc;

use cchc_domain::account::User;
use cchc_domain::evaluation::{
    allowed, ranks, score_agency, AgencyScore, Answer, AssessmentStage, AutoMeasure, Framework, IndexValue, Method,
    Points, RoundStage, SurveyMeasure, WorkflowStep, ASSESSED_KINDS,
};
use cchc_domain::reporting::{level_of, Attainment};
use cchc_domain::tracking::{DerivedStatus, StoredFile};
use cchc_domain::{Agency, AgencyId, AgencyKind, Date, PeriodId, Timestamp};
use cchc_import::evaluation::{framework_document, load_framework, template};
pub use cchc_import::evaluation::{kind_label, parse_kind};
use cchc_store::{Actor, AppraisedScore, AssessmentLogRow, AssessmentRow, RoundRow, ScoreRow, SelfScore, StoreError};

use crate::{App, ServiceError};

/// Working days an agency has to explain after the appraisal, unless the round says otherwise.
pub const DEFAULT_EXPLANATION_DAYS: u32 = 5;

/// The framework in force for a year and kind.
#[derive(Debug, Clone)]
pub struct FrameworkInForce {
    pub framework: Framework,
    /// Stored version, `None` for the shipped template.
    pub version: Option<i64>,
    /// Stored id (rounds refer to it).
    pub id: Option<i64>,
}

/// One agency's result.
#[derive(Debug, Clone)]
pub struct AgencyResult {
    pub agency: Agency,
    pub score: AgencyScore,
    pub rank: Option<u32>,
    pub band: Option<String>,
    /// The published index of the year before, when there is one for the same agency.
    pub previous: Option<IndexValue>,
    pub stage: Option<AssessmentStage>,
}

/// The results of one kind of agency in a year.
#[derive(Debug, Clone)]
pub struct KindResults {
    pub kind: AgencyKind,
    pub framework: Arc<FrameworkInForce>,
    pub round: Option<RoundRow>,
    /// Ordered by rank (unranked last), then name.
    pub results: Vec<AgencyResult>,
}

impl KindResults {
    pub fn published(&self) -> bool {
        self.round.as_ref().is_some_and(|r| r.stage == RoundStage::Published)
    }
}

/// Every kind's results of a year, as computed (before any visibility filter).
#[derive(Debug, Clone)]
pub struct YearScores {
    pub year: i32,
    pub kinds: Vec<KindResults>,
}

/// What a user may see of a year's results.
#[derive(Debug, Clone)]
pub struct VisibleScores {
    pub year: i32,
    pub kinds: Vec<KindResults>,
    /// Kinds whose results are hidden from this user until publication.
    pub hidden: Vec<AgencyKind>,
}

/// A self-assessed answer as typed.
#[derive(Debug, Clone, Default)]
pub struct SelfInput {
    pub sub: String,
    /// "có"/"không", a level's label, or a number; empty: not answered.
    pub value: String,
    pub note: String,
    pub evidence: String,
}

/// An appraisal as typed: empty points accept the self-assessed score; "không áp dụng" leaves
/// the sub-criterion out.
#[derive(Debug, Clone, Default)]
pub struct AppraisalInput {
    pub sub: String,
    pub points: String,
    pub reason: String,
}

/// One row of an assessment's page.
#[derive(Debug, Clone)]
pub struct SubRow {
    pub area: String,
    pub criterion: String,
    pub code: String,
    pub name: String,
    pub max: Points,
    pub method: String,
    pub self_assessed: bool,
    pub evidence_required: String,
    /// For a method of levels: the labels.
    pub levels: Vec<String>,
    pub yes_no: bool,
    /// The stored answer as the agency typed it ("có", a level, "85,5").
    pub self_value: String,
    pub self_note: String,
    pub evidence: String,
    /// The figure the system computed (automatic and survey methods), in percent.
    pub computed: Option<f64>,
    pub self_points: Option<Points>,
    /// `Some(None)`: appraised as not applicable.
    pub appraised: Option<Option<Points>>,
    pub appraisal_reason: String,
    pub explanation: String,
    /// The points counted now (final once published).
    pub points: Option<Points>,
    /// Evidence files attached to this sub-criterion, oldest first.
    pub files: Vec<EvidenceFile>,
}

/// An evidence file attached to a sub-criterion of an assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFile {
    /// The link's id (`/tep/{sha256}?danh_gia={id}` downloads it under its name).
    pub id: i64,
    pub sha256: String,
    pub file_name: String,
    pub size: u64,
    pub by: Option<String>,
    pub at: String,
}

/// An agency's assessment as its page shows it.
#[derive(Debug, Clone)]
pub struct AssessmentView {
    pub year: i32,
    pub agency: Agency,
    pub framework: Arc<FrameworkInForce>,
    pub round: Option<RoundRow>,
    pub assessment: Option<AssessmentRow>,
    pub rows: Vec<SubRow>,
    pub score: AgencyScore,
    pub log: Vec<AssessmentLogRow>,
    /// What the system already holds that can serve as evidence (for readers of the agency):
    /// (label, same-site link) — its milestones done in the year and its periodic reports.
    pub system_evidence: Vec<(String, String)>,
    pub may_self_assess: bool,
    pub may_appraise: bool,
    pub may_explain: bool,
}

/// Who may see an agency's assessment: everybody once published; before, its own officers, Sở
/// Nội vụ, the council and leaders.
fn may_see_assessment(user: Option<&User>, agency: &AgencyId, published: bool) -> bool {
    published || user.is_some_and(|u| (u.may_write_for(agency) && !u.is_admin()) || u.reads_all())
}

/// "2025-01-31" → "31/01/2025"; empty when absent or unreadable.
fn iso_vn(iso: Option<&str>) -> String {
    iso.and_then(|d| Date::parse(d).ok()).map(|d| d.vn()).unwrap_or_default()
}

fn year_end(year: i32) -> Date {
    Date::from_ymd(year, 12, 31).unwrap_or_else(|| Timestamp::from_unix_seconds(0).date_in_vietnam())
}

/// Reads a number typed the Vietnamese way ("85,5") or the machine way ("85.5").
fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim().trim_end_matches('%').trim();
    let normalised = if text.contains(',') { text.replace('.', "").replace(',', ".") } else { text.to_string() };
    normalised.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)
}

fn is_not_applicable(text: &str) -> bool {
    matches!(cchc_domain::text::fold(text.trim()).as_str(), "na" | "khong ap dung" | "kad")
}

/// The stored form of a self-assessed answer, or the Vietnamese reason it is refused.
fn encode_answer(method: &Method, code: &str, value: &str) -> Result<Option<String>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    match method {
        Method::YesNo => match cchc_domain::text::fold(value).as_str() {
            "co" | "yes" | "1" | "dat" => Ok(Some("yes".into())),
            "khong" | "no" | "0" | "khong dat" => Ok(Some("no".into())),
            _ => Err(format!("{code}: trả lời «có» hoặc «không» (nhận được «{value}»)")),
        },
        Method::Levels(levels) => {
            let wanted = cchc_domain::text::fold(value);
            levels
                .iter()
                .find(|l| cchc_domain::text::fold(&l.label) == wanted)
                .map(|l| Some(format!("level:{}", l.label)))
                .ok_or_else(|| {
                    format!(
                        "{code}: mức «{value}» không có; chọn một trong: {}",
                        levels.iter().map(|l| format!("«{}»", l.label)).collect::<Vec<_>>().join(", ")
                    )
                })
        }
        Method::Number { .. } => parse_number(value)
            .map(|n| Some(format!("number:{n}")))
            .ok_or_else(|| format!("{code}: «{value}» không phải là số không âm (ví dụ 85,5)")),
        Method::Auto { .. } | Method::Survey { .. } => {
            Err(format!("{code}: tiêu chí này do hệ thống tự tính, cơ quan không tự chấm"))
        }
    }
}

fn decode_answer(stored: &str) -> Option<Answer> {
    match stored {
        "yes" => Some(Answer::Yes(true)),
        "no" => Some(Answer::Yes(false)),
        "na" => Some(Answer::NotApplicable),
        other => {
            if let Some(label) = other.strip_prefix("level:") {
                Some(Answer::Level(label.to_string()))
            } else {
                other.strip_prefix("number:").and_then(|n| n.parse().ok()).map(Answer::Number)
            }
        }
    }
}

/// How a stored answer reads to people.
fn answer_text(stored: &str) -> String {
    match decode_answer(stored) {
        Some(Answer::Yes(true)) => "Có".into(),
        Some(Answer::Yes(false)) => "Không".into(),
        Some(Answer::Level(label)) => label,
        Some(Answer::Number(n)) => cchc_domain::number::plain_vn(n),
        Some(Answer::NotApplicable) => "Không áp dụng".into(),
        _ => String::new(),
    }
}

fn appraised_of(row: &ScoreRow) -> Option<Option<Points>> {
    if row.appraised_na {
        Some(None)
    } else {
        row.appraised_points.map(|p| Some(Points::from_hundredths(p)))
    }
}

/// What counts for one sub-criterion: the final score once published, else the appraisal, else
/// the self-assessed answer; automatic and survey figures from `computed`.
fn answer_for(method: &Method, row: Option<&ScoreRow>, computed: Option<f64>, published: bool) -> Option<Answer> {
    if published {
        let row = row?;
        return Some(if row.final_na {
            Answer::NotApplicable
        } else {
            Answer::Points(Points::from_hundredths(row.final_points.unwrap_or(0)))
        });
    }
    if let Some(appraised) = row.and_then(appraised_of) {
        return Some(appraised.map_or(Answer::NotApplicable, Answer::Points));
    }
    match method {
        Method::Auto { .. } | Method::Survey { .. } => computed.map(Answer::Share),
        _ => row.and_then(|r| r.self_answer.as_deref()).and_then(decode_answer),
    }
}

impl App {
    /// The framework in force for `year` and `kind`: the latest stored version, else the
    /// shipped template.
    pub async fn framework(&self, year: i32, kind: AgencyKind) -> Result<Arc<FrameworkInForce>, ServiceError> {
        if !ASSESSED_KINDS.contains(&kind) {
            return Err(ServiceError::Invalid(vec![format!(
                "không chấm Chỉ số CCHC cho loại cơ quan «{}»",
                kind.label_vn()
            )]));
        }
        if let Some(stored) = self.store().latest_framework(year, kind).await? {
            let (framework, _) = load_framework(&stored.document);
            let framework = framework.ok_or_else(|| {
                ServiceError::Store(StoreError::Corrupt(format!("stored framework {} does not load", stored.id)))
            })?;
            return Ok(Arc::new(FrameworkInForce { framework, version: Some(stored.version), id: Some(stored.id) }));
        }
        let framework = template(year, kind)
            .ok_or_else(|| ServiceError::Store(StoreError::Corrupt("the shipped template does not load".into())))?;
        Ok(Arc::new(FrameworkInForce { framework, version: None, id: None }))
    }

    /// The editable document of the framework in force.
    pub async fn export_framework(&self, year: i32, kind: AgencyKind) -> Result<String, ServiceError> {
        Ok(framework_document(&self.framework(year, kind).await?.framework))
    }

    /// Stores an edited framework as a new version (Sở Nội vụ only). Refused whole, with every
    /// error and its line, when anything in it is wrong; a framework of a round already under
    /// way cannot change. Returns (year, kind, version, warnings).
    pub async fn import_framework(
        &self,
        user: &User,
        document: &str,
        note: &str,
        now: Timestamp,
    ) -> Result<(i32, AgencyKind, i64, Vec<String>), ServiceError> {
        if !user.is_admin() {
            return Err(ServiceError::Forbidden("chỉ Sở Nội vụ được ban hành bộ tiêu chí".into()));
        }
        let (framework, diagnostics) = load_framework(document);
        let Some(framework) = framework else {
            return Err(ServiceError::Invalid(crate::diagnostic_lines(&diagnostics, cchc_domain::Severity::Error)));
        };
        if let Some(round) = self.store().round(framework.year, framework.kind).await? {
            return Err(ServiceError::Invalid(vec![format!(
                "đợt đánh giá năm {} của {} đã mở ngày {}; không thay bộ tiêu chí giữa chừng",
                framework.year,
                kind_label(framework.kind),
                round.opened_at.get(..10).unwrap_or_default()
            )]));
        }
        let version = self
            .store()
            .save_framework(
                framework.year,
                framework.kind,
                document,
                note.trim(),
                Actor { user: Some(user.id), at: &now.rfc3339() },
            )
            .await?;
        self.cache.evaluation_changed();
        Ok((
            framework.year,
            framework.kind,
            version,
            crate::diagnostic_lines(&diagnostics, cchc_domain::Severity::Warning),
        ))
    }

    /// The agencies assessed for `year` and `kind`: those of that kind existing at the end of
    /// the year (the map then: 2025's communes are the new ones).
    pub fn assessed_agencies(&self, year: i32, kind: AgencyKind) -> Vec<Agency> {
        let mut agencies: Vec<Agency> =
            self.directory_on(year_end(year)).agencies.iter().filter(|a| a.kind == kind).cloned().collect();
        agencies.sort_by(|a, b| a.name.cmp(&b.name));
        agencies
    }

    /// Whether the province scores `kind` in `year` without being asked: departments always;
    /// district People's Committees while districts exist; commune People's Committees once
    /// there are no districts any more (two-level local government, from 1 July 2025). A round
    /// opened for another kind is scored too.
    pub fn assessed_by_default(&self, year: i32, kind: AgencyKind) -> bool {
        let districts = !self.assessed_agencies(year, AgencyKind::District).is_empty();
        match kind {
            AgencyKind::Commune => !districts,
            _ => true,
        }
    }

    /// The automatic figures of a year for every agency, in percent: (agency, measure) → value.
    /// Counted as of the end of the year, or today while it runs. An agency with nothing to
    /// count has no value (the sub-criterion is then not applicable).
    pub async fn automatic_measures(
        &self,
        year: i32,
        today: Date,
    ) -> Result<HashMap<(AgencyId, AutoMeasure), f64>, ServiceError> {
        let as_of = today.min(year_end(year));
        let mut out = HashMap::new();
        let plan = self.plan_of_period(PeriodId::Year { year }).await?;
        if plan.plan.meta.year == Some(year) {
            let mut counts: HashMap<&AgencyId, (usize, usize)> = HashMap::new();
            for milestone in &plan.milestones {
                let status = milestone.derived(as_of, self.calendar());
                let due = milestone.due.is_some_and(|d| d <= as_of);
                if !(due || status.is_done()) || status == DerivedStatus::WaitingEvent {
                    continue;
                }
                let entry = counts.entry(&milestone.agency).or_default();
                entry.1 += 1;
                if status == DerivedStatus::DoneOnTime {
                    entry.0 += 1;
                }
            }
            for (agency, (on_time, total)) in counts {
                if total > 0 {
                    out.insert(
                        ((*agency).clone(), AutoMeasure::MilestonesOnTime),
                        on_time as f64 * 100.0 / total as f64,
                    );
                }
            }
        }
        let mut reports: HashMap<AgencyId, (usize, usize)> = HashMap::new();
        for period in self.reporting_periods().await?.into_iter().filter(|p| p.id.year() == year && p.due <= as_of) {
            let data = self.period_data(&period).await?;
            for standing in &data.status.agencies {
                let entry = reports.entry(standing.agency.id.clone()).or_default();
                entry.1 += 1;
                if standing.report.as_ref().is_some_and(|r| r.status.counts_as_submitted()) && !standing.is_late() {
                    entry.0 += 1;
                }
            }
            if period.id == (PeriodId::Year { year }) {
                let catalogue = self.catalogue_of(&*self.plan_of_period(period.id).await?).await?;
                for standing in &data.status.agencies {
                    let Some(report) = standing.report.as_deref().filter(|r| r.status.counts_as_submitted()) else {
                        continue;
                    };
                    let level = level_of(standing.agency.kind);
                    let (mut met, mut judged) = (0usize, 0usize);
                    for indicator in catalogue.indicators.iter().filter(|i| i.applies_to(&standing.agency)) {
                        if let cchc_domain::reporting::Answer::Value(ratio) = report.content.answer(&indicator.code) {
                            match indicator.assess(level, ratio.rounded()).attainment {
                                Attainment::Met => {
                                    met += 1;
                                    judged += 1;
                                }
                                Attainment::NotMet => judged += 1,
                                _ => {}
                            }
                        }
                    }
                    if judged > 0 {
                        out.insert(
                            (standing.agency.id.clone(), AutoMeasure::IndicatorAttainment),
                            met as f64 * 100.0 / judged as f64,
                        );
                    }
                }
            }
        }
        for (agency, (on_time, total)) in reports {
            if total > 0 {
                out.insert((agency, AutoMeasure::ReportsOnTime), on_time as f64 * 100.0 / total as f64);
            }
        }
        Ok(out)
    }

    /// The survey figures of a year: (agency, measure) → share in percent. An agency without
    /// counted responses has none (the criterion is then not applicable).
    pub async fn survey_measures(&self, year: i32) -> Result<HashMap<(AgencyId, SurveyMeasure), f64>, ServiceError> {
        let index = self.sipas_index(year).await?;
        Ok(index
            .agencies
            .iter()
            .filter_map(|a| Some(((a.agency.clone()?, SurveyMeasure::Sipas), a.overall?.share * 100.0)))
            .collect())
    }

    /// Every kind's scores of a year (kept until the data change).
    pub async fn year_scores(&self, year: i32, today: Date) -> Result<Arc<YearScores>, ServiceError> {
        let generation = self.data_generation();
        if let Ok(memo) = self.cache.evaluations.lock() {
            if let Some((at, day, scores)) = memo.get(&year) {
                if *at == generation && *day == today {
                    return Ok(scores.clone());
                }
            }
        }
        let automatic = self.automatic_measures(year, today).await?;
        let survey = self.survey_measures(year).await?;
        let mut kinds = Vec::new();
        for kind in ASSESSED_KINDS {
            let agencies = self.assessed_agencies(year, kind);
            let round = self.store().round(year, kind).await?;
            if (agencies.is_empty() || !self.assessed_by_default(year, kind)) && round.is_none() {
                continue;
            }
            let framework = match &round {
                Some(round) => self.round_framework(round).await?,
                None => self.framework(year, kind).await?,
            };
            let published = round.as_ref().is_some_and(|r| r.stage == RoundStage::Published);
            let (stages, scores) = match &round {
                Some(round) => (
                    self.store()
                        .assessments(round.id)
                        .await?
                        .into_iter()
                        .map(|a| (a.agency, a.stage))
                        .collect::<HashMap<_, _>>(),
                    self.store().round_scores(round.id).await?,
                ),
                None => (HashMap::new(), Vec::new()),
            };
            let mut by_agency: HashMap<&AgencyId, HashMap<&str, &ScoreRow>> = HashMap::new();
            for (agency, row) in &scores {
                by_agency.entry(agency).or_default().insert(row.sub_code.as_str(), row);
            }
            let previous = self.published_indices(year - 1, kind).await?;
            let mut computed: Vec<(Agency, AgencyScore)> = agencies
                .into_iter()
                .map(|agency| {
                    let rows = by_agency.get(&agency.id);
                    let answers = framework
                        .framework
                        .subs()
                        .filter_map(|(_, _, sub)| {
                            let value = computed_value(&sub.method, &agency.id, &automatic, &survey);
                            answer_for(
                                &sub.method,
                                rows.and_then(|r| r.get(sub.code.as_str()).copied()),
                                value,
                                published,
                            )
                            .map(|a| (sub.code.clone(), a))
                        })
                        .collect();
                    let score = score_agency(&framework.framework, &agency.id, &answers);
                    (agency, score)
                })
                .collect();
            let scores_only: Vec<AgencyScore> = computed.iter().map(|(_, s)| s.clone()).collect();
            let rank_list = ranks(&scores_only);
            let mut results: Vec<AgencyResult> = computed
                .drain(..)
                .zip(rank_list)
                .map(|((agency, score), rank)| AgencyResult {
                    band: score.index.and_then(|i| framework.framework.band(i.value())).map(|b| b.label.clone()),
                    previous: previous.get(&agency.id).copied(),
                    stage: stages.get(&agency.id).copied(),
                    agency,
                    score,
                    rank,
                })
                .collect();
            results.sort_by(|a, b| {
                a.rank
                    .unwrap_or(u32::MAX)
                    .cmp(&b.rank.unwrap_or(u32::MAX))
                    .then_with(|| a.agency.name.cmp(&b.agency.name))
            });
            kinds.push(KindResults { kind, framework, round, results });
        }
        let scores = Arc::new(YearScores { year, kinds });
        if let Ok(mut memo) = self.cache.evaluations.lock() {
            memo.insert(year, (generation, today, scores.clone()));
        }
        Ok(scores)
    }

    /// The published indices of a year and kind, by agency (empty when not published).
    async fn published_indices(
        &self,
        year: i32,
        kind: AgencyKind,
    ) -> Result<HashMap<AgencyId, IndexValue>, ServiceError> {
        let Some(round) = self.store().round(year, kind).await?.filter(|r| r.stage == RoundStage::Published) else {
            return Ok(HashMap::new());
        };
        let framework = self.round_framework(&round).await?;
        let mut rows: HashMap<AgencyId, HashMap<String, Answer>> = HashMap::new();
        for (agency, row) in self.store().round_scores(round.id).await? {
            if let Some(answer) = answer_for(&Method::YesNo, Some(&row), None, true) {
                rows.entry(agency).or_default().insert(row.sub_code.clone(), answer);
            }
        }
        Ok(rows
            .into_iter()
            .filter_map(|(agency, answers)| {
                score_agency(&framework.framework, &agency, &answers).index.map(|index| (agency, index))
            })
            .collect())
    }

    async fn round_framework(&self, round: &RoundRow) -> Result<Arc<FrameworkInForce>, ServiceError> {
        let stored =
            self.store().framework(round.framework_id).await?.ok_or_else(|| {
                ServiceError::Store(StoreError::Corrupt(format!("round {} without framework", round.id)))
            })?;
        let (framework, _) = load_framework(&stored.document);
        let framework = framework.ok_or_else(|| {
            ServiceError::Store(StoreError::Corrupt(format!("stored framework {} does not load", stored.id)))
        })?;
        Ok(Arc::new(FrameworkInForce { framework, version: Some(stored.version), id: Some(stored.id) }))
    }

    /// What `user` may see of a year's results: everything once a kind is published; before,
    /// Sở Nội vụ, the council and leaders see everything (provisional), an agency officer only
    /// its own row, the public nothing.
    pub async fn evaluation_scores(
        &self,
        user: Option<&User>,
        year: i32,
        today: Date,
    ) -> Result<VisibleScores, ServiceError> {
        let scores = self.year_scores(year, today).await?;
        let mut kinds = Vec::new();
        let mut hidden = Vec::new();
        for kind in &scores.kinds {
            if kind.published() || user.is_some_and(User::reads_all) {
                kinds.push(kind.clone());
                continue;
            }
            let own = user.and_then(|u| u.agency.as_ref()).filter(|_| user.is_some_and(|u| u.active));
            let mine: Vec<AgencyResult> = kind
                .results
                .iter()
                .filter(|r| Some(&r.agency.id) == own)
                .map(|r| AgencyResult { rank: None, ..r.clone() })
                .collect();
            hidden.push(kind.kind);
            if !mine.is_empty() {
                kinds.push(KindResults { results: mine, ..kind.clone() });
            }
        }
        Ok(VisibleScores { year: scores.year, kinds, hidden })
    }

    /// Opens the round of `year` and `kind` (Sở Nội vụ): the framework in force is stored if it
    /// is still the template, so that the round keeps it whatever changes later.
    pub async fn open_round(
        &self,
        user: &User,
        year: i32,
        kind: AgencyKind,
        self_deadline: Date,
        explanation_days: u32,
        now: Timestamp,
    ) -> Result<RoundRow, ServiceError> {
        if !user.is_admin() {
            return Err(ServiceError::Forbidden("chỉ Sở Nội vụ được mở đợt đánh giá".into()));
        }
        let mut problems = Vec::new();
        if self_deadline < now.date_in_vietnam() {
            problems.push(format!("hạn tự đánh giá {self_deadline} đã qua"));
        }
        if !(1..=30).contains(&explanation_days) {
            problems.push("số ngày làm việc được giải trình phải từ 1 đến 30".to_string());
        }
        if self.assessed_agencies(year, kind).is_empty() {
            problems.push(format!("năm {year} không có cơ quan nào thuộc loại «{}»", kind.label_vn()));
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let actor = Actor { user: Some(user.id), at: &now.rfc3339() };
        let framework = self.framework(year, kind).await?;
        let framework_id = match framework.id {
            Some(id) => id,
            None => {
                let document = framework_document(&framework.framework);
                self.store()
                    .save_framework(year, kind, &document, "Bộ tiêu chí mẫu, lưu khi mở đợt đánh giá", actor)
                    .await?;
                self.store()
                    .latest_framework(year, kind)
                    .await?
                    .map(|f| f.id)
                    .ok_or_else(|| ServiceError::Store(StoreError::Corrupt("framework not stored".into())))?
            }
        };
        let round = match self
            .store()
            .open_round(year, kind, framework_id, &self_deadline.iso(), explanation_days, actor)
            .await
        {
            Err(StoreError::Conflict(_)) => {
                return Err(ServiceError::Invalid(vec![format!(
                    "đợt đánh giá năm {year} của {} đã được mở",
                    kind_label(kind)
                )]))
            }
            other => other?,
        };
        self.cache.evaluation_changed();
        Ok(round)
    }

    /// The round of `year` and `kind`, which must be at `stage`.
    async fn round_at(&self, year: i32, kind: AgencyKind, stage: RoundStage) -> Result<RoundRow, ServiceError> {
        let round = self
            .store()
            .round(year, kind)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("đợt đánh giá năm {year} của {}", kind_label(kind))))?;
        if round.stage != stage {
            return Err(ServiceError::Invalid(vec![format!(
                "đợt đánh giá đang ở giai đoạn «{}»",
                round.stage.label_vn()
            )]));
        }
        Ok(round)
    }

    /// An agency's assessment in the round of its kind (created as a draft when missing).
    async fn assessment_in_round(&self, year: i32, agency: &Agency) -> Result<(RoundRow, AssessmentRow), ServiceError> {
        let round = self.round_of_agency(year, agency).await?;
        let assessment = self.store().ensure_assessment(round.id, &agency.id).await?;
        Ok((round, assessment))
    }

    async fn round_of_agency(&self, year: i32, agency: &Agency) -> Result<RoundRow, ServiceError> {
        self.store().round(year, agency.kind).await?.ok_or_else(|| {
            ServiceError::NotFound(format!("đợt đánh giá Chỉ số CCHC năm {year} của {}", kind_label(agency.kind)))
        })
    }

    fn assessed_agency(&self, year: i32, agency: &AgencyId) -> Result<Agency, ServiceError> {
        let kinds_agencies = self.directory_on(year_end(year));
        kinds_agencies
            .agency(agency)
            .filter(|a| ASSESSED_KINDS.contains(&a.kind))
            .cloned()
            .ok_or_else(|| ServiceError::UnknownAgency(agency.to_string()))
    }

    /// An agency's assessment as `user` may see it. Until publication only the agency's own
    /// officers, Sở Nội vụ, the council and leaders see it.
    pub async fn assessment(
        &self,
        user: Option<&User>,
        year: i32,
        agency: &AgencyId,
        today: Date,
    ) -> Result<AssessmentView, ServiceError> {
        let agency = self.assessed_agency(year, agency)?;
        let round = self.store().round(year, agency.kind).await?;
        let published = round.as_ref().is_some_and(|r| r.stage == RoundStage::Published);
        let own = user.is_some_and(|u| u.may_write_for(&agency.id) && !u.is_admin());
        if !may_see_assessment(user, &agency.id, published) {
            return Err(ServiceError::Forbidden(
                "kết quả tự đánh giá của cơ quan khác chỉ được xem sau khi công bố".into(),
            ));
        }
        let framework = match &round {
            Some(round) => self.round_framework(round).await?,
            None => self.framework(year, agency.kind).await?,
        };
        let assessment = match &round {
            Some(round) => self.store().assessments(round.id).await?.into_iter().find(|a| a.agency == agency.id),
            None => None,
        };
        let scores: HashMap<String, ScoreRow> = match &assessment {
            Some(a) => {
                self.store().assessment_scores(a.id).await?.into_iter().map(|r| (r.sub_code.clone(), r)).collect()
            }
            None => HashMap::new(),
        };
        let log = match &assessment {
            Some(a) => self.store().assessment_log(a.id).await?,
            None => Vec::new(),
        };
        let mut files: HashMap<String, Vec<EvidenceFile>> = HashMap::new();
        if let Some(a) = &assessment {
            for f in self.store().assessment_files(a.id).await? {
                files.entry(f.sub_code.clone()).or_default().push(EvidenceFile {
                    id: f.id,
                    sha256: f.file.sha256,
                    file_name: f.file.file_name,
                    size: f.file.size,
                    by: f.username,
                    at: f.at,
                });
            }
        }
        let automatic = self.automatic_measures(year, today).await?;
        let survey = self.survey_measures(year).await?;
        let mut rows = Vec::new();
        let mut answers = HashMap::new();
        for (area, criterion, sub) in framework.framework.subs() {
            let row = scores.get(&sub.code);
            let computed = computed_value(&sub.method, &agency.id, &automatic, &survey);
            let answer = answer_for(&sub.method, row, computed, published);
            let points = cchc_domain::evaluation::points_of(&sub.method, sub.max, answer.as_ref());
            let self_points = row
                .and_then(|r| r.self_answer.as_deref())
                .and_then(decode_answer)
                .and_then(|a| cchc_domain::evaluation::points_of(&sub.method, sub.max, Some(&a)));
            if let Some(answer) = answer {
                answers.insert(sub.code.clone(), answer);
            }
            rows.push(SubRow {
                area: area.code.clone(),
                criterion: criterion.code.clone(),
                code: sub.code.clone(),
                name: sub.name.clone(),
                max: sub.max,
                method: sub.method.label_vn(),
                self_assessed: sub.method.is_self_assessed(),
                evidence_required: sub.evidence.clone(),
                levels: match &sub.method {
                    Method::Levels(levels) => levels.iter().map(|l| l.label.clone()).collect(),
                    _ => Vec::new(),
                },
                yes_no: matches!(sub.method, Method::YesNo),
                self_value: row.and_then(|r| r.self_answer.as_deref()).map(answer_text).unwrap_or_default(),
                self_note: row.map(|r| r.self_note.clone()).unwrap_or_default(),
                evidence: row.map(|r| r.evidence.clone()).unwrap_or_default(),
                computed,
                self_points,
                appraised: row.and_then(appraised_of),
                appraisal_reason: row.map(|r| r.appraisal_reason.clone()).unwrap_or_default(),
                explanation: row.map(|r| r.explanation.clone()).unwrap_or_default(),
                points,
                files: files.remove(&sub.code).unwrap_or_default(),
            });
        }
        let score = score_agency(&framework.framework, &agency.id, &answers);
        let round_stage = round.as_ref().map(|r| r.stage);
        let stage = assessment.as_ref().map_or(AssessmentStage::Draft, |a| a.stage);
        let step_ok = |step| round_stage.is_some_and(|r| allowed(step, r, stage).is_ok());
        let before_deadline = round.as_ref().is_some_and(|r| r.self_deadline.as_str() >= today.iso().as_str());
        let explain_open = assessment
            .as_ref()
            .and_then(|a| a.explanation_due.as_deref())
            .is_some_and(|due| due >= today.iso().as_str());
        let system_evidence = if user.is_some_and(|u| self.may_read_records(u, &agency.id)) {
            self.system_evidence(year, &agency, today).await?
        } else {
            Vec::new()
        };
        Ok(AssessmentView {
            year,
            system_evidence,
            may_self_assess: own && before_deadline && step_ok(WorkflowStep::SaveSelf),
            may_appraise: user.is_some_and(User::is_appraiser)
                && (step_ok(WorkflowStep::Appraise) || step_ok(WorkflowStep::Finalise)),
            may_explain: own && explain_open && step_ok(WorkflowStep::Explain),
            agency,
            framework,
            round,
            assessment,
            rows,
            score,
            log,
        })
    }

    /// Attaches an evidence file (already stored by the caller) to a sub-criterion of an
    /// agency's assessment: its own officers, while they may self-assess or explain.
    pub async fn attach_assessment_file(
        &self,
        user: &User,
        year: i32,
        agency: &AgencyId,
        sub: &str,
        file: &StoredFile,
        now: Timestamp,
    ) -> Result<i64, ServiceError> {
        let view = self.assessment(Some(user), year, agency, now.date_in_vietnam()).await?;
        if !user.may_write_for(&view.agency.id) || user.is_admin() {
            return Err(ServiceError::Forbidden(format!(
                "chỉ cán bộ của {} được đính kèm minh chứng cho bản đánh giá của cơ quan mình",
                view.agency.name
            )));
        }
        let round = view.round.as_ref().filter(|_| view.may_self_assess || view.may_explain).ok_or_else(|| {
            ServiceError::Invalid(vec![
                "chỉ đính kèm được minh chứng khi đang tự đánh giá (trước hạn) hoặc đang giải trình".into(),
            ])
        })?;
        let sub = sub.trim();
        if view.framework.framework.sub(sub).is_none() {
            return Err(ServiceError::Invalid(vec![format!(
                "không có tiêu chí thành phần «{}»",
                sub.chars().take(20).collect::<String>()
            )]));
        }
        let assessment = match &view.assessment {
            Some(assessment) => assessment.clone(),
            None => self.store().ensure_assessment(round.id, &view.agency.id).await?,
        };
        let at = now.rfc3339();
        let actor = Actor { user: Some(user.id), at: &at };
        self.store()
            .attach_assessment_file(assessment.id, &[assessment.stage], sub, file, actor)
            .await
            .map_err(conflict_message)?;
        self.cache.evaluation_changed();
        Ok(assessment.id)
    }

    /// The evidence file `sha256` attached to an assessment (link `id`), if `user` may see that
    /// assessment; otherwise not found.
    pub async fn assessment_file(
        &self,
        user: Option<&User>,
        sha256: &str,
        id: i64,
    ) -> Result<StoredFile, ServiceError> {
        let missing = || ServiceError::NotFound("tệp minh chứng này".to_string());
        let link =
            self.store().assessment_file_links(sha256).await?.into_iter().find(|l| l.id == id).ok_or_else(missing)?;
        let published = self
            .store()
            .rounds(link.year)
            .await?
            .into_iter()
            .any(|r| r.id == link.round_id && r.stage == RoundStage::Published);
        if may_see_assessment(user, &link.agency, published) {
            Ok(link.file)
        } else {
            Err(missing())
        }
    }

    /// The agency's milestones done in the plan of `year` and its reports of the year's periods,
    /// as (label, link) for the evidence of a self-assessment.
    async fn system_evidence(
        &self,
        year: i32,
        agency: &Agency,
        today: Date,
    ) -> Result<Vec<(String, String)>, ServiceError> {
        let mut out = Vec::new();
        let plan = self.plan_of_period(PeriodId::Year { year }).await?;
        if plan.plan.meta.year == Some(year) {
            for m in plan.milestones.iter().filter(|m| m.agency == agency.id) {
                if let Some(on) = m.progress.completed_on.filter(|_| m.derived(today, self.calendar()).is_done()) {
                    out.push((
                        format!("{} — {} (hoàn thành {})", m.activity_code(), m.label, on.vn()),
                        format!("/hoat-dong/{}", m.activity.0),
                    ));
                }
            }
        }
        for period in self.reporting_periods().await?.into_iter().filter(|p| p.id.year() == year) {
            let data = self.period_data(&period).await?;
            if let Some(standing) = data.status.agencies.iter().find(|s| s.agency.id == agency.id) {
                if let Some(report) = &standing.report {
                    out.push((
                        format!("{} — {}", period.name, report.status.label_vn()),
                        format!("/bao-cao/{}/{}", period.id, agency.id),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// Saves an agency's self-assessment (its own officers, before the deadline); with
    /// `submit`, sends it to the council. Refused whole when any answer is wrong.
    pub async fn save_self_assessment(
        &self,
        user: &User,
        year: i32,
        agency: &AgencyId,
        inputs: &[SelfInput],
        submit: bool,
        now: Timestamp,
    ) -> Result<usize, ServiceError> {
        let agency = self.assessed_agency(year, agency)?;
        if !user.may_write_for(&agency.id) || user.is_admin() {
            return Err(ServiceError::Forbidden(format!(
                "chỉ cán bộ của {} được tự chấm điểm của cơ quan mình",
                agency.name
            )));
        }
        let (round, assessment) = self.assessment_in_round(year, &agency).await?;
        allowed(WorkflowStep::SaveSelf, round.stage, assessment.stage).map_err(|m| ServiceError::Invalid(vec![m]))?;
        let today = now.date_in_vietnam();
        if round.self_deadline.as_str() < today.iso().as_str() {
            return Err(ServiceError::Invalid(vec![format!(
                "đã hết hạn tự đánh giá ({})",
                iso_vn(Some(&round.self_deadline))
            )]));
        }
        let framework = self.round_framework(&round).await?;
        let mut problems = Vec::new();
        let mut encoded = Vec::new();
        for input in inputs {
            let Some(sub) = framework.framework.sub(input.sub.trim()) else {
                problems.push(format!("không có tiêu chí thành phần «{}»", input.sub));
                continue;
            };
            let note = crate::tracking::typed_text("ghi chú", &input.note, &mut problems);
            let evidence = crate::tracking::typed_text("minh chứng", &input.evidence, &mut problems);
            if !sub.method.is_self_assessed() {
                if !input.value.trim().is_empty() {
                    problems.push(format!("{}: tiêu chí này do hệ thống tự tính, cơ quan không tự chấm", sub.code));
                }
                continue;
            }
            match encode_answer(&sub.method, &sub.code, &input.value) {
                Ok(answer) => encoded.push((sub.code.clone(), answer, note, evidence)),
                Err(problem) => problems.push(problem),
            }
        }
        if submit {
            let answered: std::collections::HashSet<&str> =
                encoded.iter().filter(|(_, a, _, _)| a.is_some()).map(|(c, _, _, _)| c.as_str()).collect();
            let stored = self.store().assessment_scores(assessment.id).await?;
            let missing: Vec<&str> = framework
                .framework
                .subs()
                .filter(|(_, _, s)| s.method.is_self_assessed())
                .map(|(_, _, s)| s.code.as_str())
                .filter(|code| {
                    let given = inputs.iter().any(|i| i.sub.trim() == *code);
                    !answered.contains(code)
                        && (given || !stored.iter().any(|r| r.sub_code == *code && r.self_answer.is_some()))
                })
                .collect();
            if !missing.is_empty() {
                problems.push(format!("chưa tự chấm: {}", missing.join(", ")));
            }
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let scores: Vec<SelfScore<'_>> = encoded
            .iter()
            .map(|(code, answer, note, evidence)| SelfScore { sub_code: code, answer: answer.clone(), note, evidence })
            .collect();
        let changed = self
            .store()
            .save_self_scores(assessment.id, &scores, submit, Actor { user: Some(user.id), at: &now.rfc3339() })
            .await
            .map_err(conflict_message)?;
        self.cache.evaluation_changed();
        Ok(changed)
    }

    /// Ends the self-assessment of a round (Sở Nội vụ): drafts are sent as they stand.
    pub async fn start_appraisal(
        &self,
        user: &User,
        year: i32,
        kind: AgencyKind,
        now: Timestamp,
    ) -> Result<usize, ServiceError> {
        if !user.is_admin() {
            return Err(ServiceError::Forbidden("chỉ Sở Nội vụ được chuyển đợt đánh giá sang thẩm định".into()));
        }
        let round = self.round_at(year, kind, RoundStage::SelfAssessment).await?;
        let actor = Actor { user: Some(user.id), at: &now.rfc3339() };
        for agency in self.assessed_agencies(year, kind) {
            self.store().ensure_assessment(round.id, &agency.id).await?;
        }
        let submitted = self.store().start_appraisal(round.id, actor).await.map_err(conflict_message)?;
        self.cache.evaluation_changed();
        Ok(submitted)
    }

    /// The council's appraisal of an assessment: each sub-criterion accepted (empty points),
    /// adjusted (points and a reason) or declared not applicable (with a reason). With
    /// `complete`, a submitted assessment goes to the agency for explanation, an explained one
    /// becomes final.
    pub async fn appraise(
        &self,
        user: &User,
        year: i32,
        agency: &AgencyId,
        inputs: &[AppraisalInput],
        complete: bool,
        now: Timestamp,
    ) -> Result<usize, ServiceError> {
        if !user.is_appraiser() {
            return Err(ServiceError::Forbidden("chỉ Hội đồng thẩm định được thẩm định điểm".into()));
        }
        let agency = self.assessed_agency(year, agency)?;
        let (round, assessment) = self.assessment_in_round(year, &agency).await?;
        allowed(WorkflowStep::Appraise, round.stage, assessment.stage).map_err(|m| ServiceError::Invalid(vec![m]))?;
        let framework = self.round_framework(&round).await?;
        let stored: HashMap<String, ScoreRow> =
            self.store().assessment_scores(assessment.id).await?.into_iter().map(|r| (r.sub_code.clone(), r)).collect();
        let mut problems = Vec::new();
        let mut appraised = Vec::new();
        for input in inputs {
            let Some(sub) = framework.framework.sub(input.sub.trim()) else {
                problems.push(format!("không có tiêu chí thành phần «{}»", input.sub));
                continue;
            };
            let reason = crate::tracking::typed_text("lý do", &input.reason, &mut problems);
            let text = input.points.trim();
            let self_points = stored
                .get(&sub.code)
                .and_then(|r| r.self_answer.as_deref())
                .and_then(decode_answer)
                .and_then(|a| cchc_domain::evaluation::points_of(&sub.method, sub.max, Some(&a)));
            if text.is_empty() {
                if sub.method.is_self_assessed() {
                    appraised.push((
                        sub.code.clone(),
                        Some(self_points.unwrap_or_default().hundredths()),
                        false,
                        reason,
                    ));
                }
                continue;
            }
            if is_not_applicable(text) {
                if reason.is_empty() {
                    problems.push(format!("{}: cần ghi lý do khi xác định «không áp dụng»", sub.code));
                }
                appraised.push((sub.code.clone(), None, true, reason));
                continue;
            }
            let Some(points) = parse_number(text).and_then(Points::of) else {
                problems.push(format!("{}: điểm «{text}» không phải là số không âm", sub.code));
                continue;
            };
            if points > sub.max {
                problems.push(format!("{}: {} điểm vượt điểm tối đa {}", sub.code, points.vn(), sub.max.vn()));
                continue;
            }
            if Some(points) != self_points && reason.is_empty() {
                problems.push(format!("{}: cần ghi lý do khi điểm thẩm định khác điểm tự chấm", sub.code));
            }
            appraised.push((sub.code.clone(), Some(points.hundredths()), false, reason));
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let due = self.calendar().add_working_days(now.date_in_vietnam(), round.explanation_days).iso();
        let scores: Vec<AppraisedScore<'_>> = appraised
            .iter()
            .map(|(code, points, na, reason)| AppraisedScore {
                sub_code: code,
                points: *points,
                not_applicable: *na,
                reason,
            })
            .collect();
        let changed = self
            .store()
            .save_appraisal(
                assessment.id,
                &scores,
                complete.then_some(due.as_str()),
                Actor { user: Some(user.id), at: &now.rfc3339() },
            )
            .await
            .map_err(conflict_message)?;
        self.cache.evaluation_changed();
        Ok(changed)
    }

    /// The agency's explanation of its appraisal (its own officers, once, within the window).
    pub async fn explain(
        &self,
        user: &User,
        year: i32,
        agency: &AgencyId,
        explanations: &[(String, String)],
        now: Timestamp,
    ) -> Result<(), ServiceError> {
        let agency = self.assessed_agency(year, agency)?;
        if !user.may_write_for(&agency.id) || user.is_admin() {
            return Err(ServiceError::Forbidden(format!("chỉ cán bộ của {} được giải trình", agency.name)));
        }
        let (round, assessment) = self.assessment_in_round(year, &agency).await?;
        allowed(WorkflowStep::Explain, round.stage, assessment.stage).map_err(|m| ServiceError::Invalid(vec![m]))?;
        let today = now.date_in_vietnam().iso();
        if assessment.explanation_due.as_deref().is_some_and(|due| due < today.as_str()) {
            return Err(ServiceError::Invalid(vec![format!(
                "đã hết hạn giải trình ({})",
                assessment
                    .explanation_due
                    .as_deref()
                    .and_then(|d| Date::parse(d).ok())
                    .map(|d| d.vn())
                    .unwrap_or_default()
            )]));
        }
        let framework = self.round_framework(&round).await?;
        let mut problems = Vec::new();
        let mut rows = Vec::new();
        for (sub, text) in explanations {
            let text = crate::tracking::typed_text("giải trình", text, &mut problems);
            if text.is_empty() {
                continue;
            }
            match framework.framework.sub(sub.trim()) {
                Some(sub) => rows.push((sub.code.clone(), text)),
                None => problems.push(format!("không có tiêu chí thành phần «{sub}»")),
            }
        }
        if rows.is_empty() && problems.is_empty() {
            problems.push("chưa có nội dung giải trình nào".into());
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let rows: Vec<(&str, &str)> = rows.iter().map(|(c, t)| (c.as_str(), t.as_str())).collect();
        self.store()
            .save_explanation(assessment.id, &rows, Actor { user: Some(user.id), at: &now.rfc3339() })
            .await
            .map_err(conflict_message)?;
        self.cache.evaluation_changed();
        Ok(())
    }

    /// Makes an appraised assessment final without explanation (the council, once the window
    /// has passed).
    pub async fn finalise_assessment(
        &self,
        user: &User,
        year: i32,
        agency: &AgencyId,
        now: Timestamp,
    ) -> Result<(), ServiceError> {
        if !user.is_appraiser() {
            return Err(ServiceError::Forbidden("chỉ Hội đồng thẩm định được chốt điểm".into()));
        }
        let agency = self.assessed_agency(year, agency)?;
        let (_, assessment) = self.assessment_in_round(year, &agency).await?;
        if assessment.stage != AssessmentStage::Appraised {
            return Err(ServiceError::Invalid(vec![format!(
                "không thể chốt điểm khi bản đánh giá «{}»",
                assessment.stage.label_vn()
            )]));
        }
        let today = now.date_in_vietnam().iso();
        if assessment.explanation_due.as_deref().is_some_and(|due| due >= today.as_str()) {
            return Err(ServiceError::Invalid(vec![format!(
                "cơ quan còn được giải trình đến hết {}",
                assessment
                    .explanation_due
                    .as_deref()
                    .and_then(|d| Date::parse(d).ok())
                    .map(|d| d.vn())
                    .unwrap_or_default()
            )]));
        }
        self.store()
            .finalise_assessment(
                assessment.id,
                "Hết hạn giải trình, cơ quan không giải trình: điểm thẩm định được chốt.",
                Actor { user: Some(user.id), at: &now.rfc3339() },
            )
            .await
            .map_err(conflict_message)?;
        self.cache.evaluation_changed();
        Ok(())
    }

    /// Publishes a round (Sở Nội vụ): every assessment must be final; the automatic and survey
    /// figures are frozen with the appraised ones, and the results become public.
    pub async fn publish_round(
        &self,
        user: &User,
        year: i32,
        kind: AgencyKind,
        now: Timestamp,
    ) -> Result<usize, ServiceError> {
        if !user.is_admin() {
            return Err(ServiceError::Forbidden("chỉ Sở Nội vụ được công bố kết quả".into()));
        }
        let round = self.round_at(year, kind, RoundStage::Appraisal).await?;
        let assessments = self.store().assessments(round.id).await?;
        let agencies = self.assessed_agencies(year, kind);
        let pending: Vec<String> = agencies
            .iter()
            .filter(|a| !assessments.iter().any(|x| x.agency == a.id && x.stage == AssessmentStage::Final))
            .map(|a| a.name.clone())
            .collect();
        if !pending.is_empty() {
            return Err(ServiceError::Invalid(vec![format!(
                "còn {} cơ quan chưa được chốt điểm: {}",
                pending.len(),
                pending.join("; ")
            )]));
        }
        let framework = self.round_framework(&round).await?;
        let automatic = self.automatic_measures(year, now.date_in_vietnam()).await?;
        let survey = self.survey_measures(year).await?;
        let scores = self.store().round_scores(round.id).await?;
        let mut finals = Vec::new();
        for agency in &agencies {
            for (_, _, sub) in framework.framework.subs() {
                let row = scores.iter().find(|(a, r)| *a == agency.id && r.sub_code == sub.code).map(|(_, r)| r);
                let computed = computed_value(&sub.method, &agency.id, &automatic, &survey);
                let answer = answer_for(&sub.method, row, computed, false);
                let points = cchc_domain::evaluation::points_of(&sub.method, sub.max, answer.as_ref());
                finals.push((agency.id.clone(), sub.code.clone(), points.map(Points::hundredths)));
            }
        }
        self.store()
            .publish_round(round.id, &finals, Actor { user: Some(user.id), at: &now.rfc3339() })
            .await
            .map_err(conflict_message)?;
        self.cache.evaluation_changed();
        Ok(agencies.len())
    }
}

fn computed_value(
    method: &Method,
    agency: &AgencyId,
    automatic: &HashMap<(AgencyId, AutoMeasure), f64>,
    survey: &HashMap<(AgencyId, SurveyMeasure), f64>,
) -> Option<f64> {
    match method {
        Method::Auto { measure, .. } => automatic.get(&(agency.clone(), *measure)).copied(),
        Method::Survey { measure, .. } => survey.get(&(agency.clone(), *measure)).copied(),
        _ => None,
    }
}

/// A write that lost a race reads as a Vietnamese message, not a database error.
fn conflict_message(error: StoreError) -> ServiceError {
    match error {
        StoreError::Conflict(_) => ServiceError::Invalid(vec![
            "bản đánh giá vừa được người khác chuyển sang bước khác; hãy tải lại trang".into(),
        ]),
        other => ServiceError::Store(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_the_vietnamese_and_the_machine_way() {
        assert_eq!(parse_number("85,5"), Some(85.5));
        assert_eq!(parse_number("85.5"), Some(85.5));
        assert_eq!(parse_number("1.234,5"), Some(1234.5));
        assert_eq!(parse_number("90 %"), Some(90.0));
        assert_eq!(parse_number("-1"), None);
        assert_eq!(parse_number("abc"), None);
    }

    #[test]
    fn answers_round_trip_through_their_stored_form() {
        assert_eq!(encode_answer(&Method::YesNo, "I.1.1", "Có"), Ok(Some("yes".into())));
        assert_eq!(encode_answer(&Method::YesNo, "I.1.1", ""), Ok(None));
        assert!(encode_answer(&Method::YesNo, "I.1.1", "có lẽ").is_err());
        assert_eq!(decode_answer("number:85.5"), Some(Answer::Number(85.5)));
        assert_eq!(answer_text("level:Đầy đủ"), "Đầy đủ");
        assert_eq!(decode_answer("garbage"), None);
    }
}
