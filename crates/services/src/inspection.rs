//! Inspection planning: the proposed plan of a year (readers: Sở Nội vụ and leaders), its
//! adoption (Sở Nội vụ: one inspection and one milestone per chosen agency, tracked like any
//! milestone), findings with remediation deadlines, resolution and re-inspection, and the
//! procedure counts imported per agency.
//!
//! The candidates of a year are the departments, district and commune People's Committees of
//! the directory of 1 January of that year (the kinds that exist then), less the agency that
//! leads the plan's inspection activity (Sở Nội vụ does not inspect itself). Their priority
//! inputs: the PAR index of the previous year (published, else provisional: `App::year_scores`), the imported
//! procedure counts (`cchc inspection procedures`), findings of earlier years still unresolved,
//! and whether an inspection of the previous year was done.

use std::collections::HashMap;
use std::sync::Arc;

use cchc_domain::account::User;
use cchc_domain::inspection::{
    plan_inspections, spread_over_working_days, AdoptedPlan, FindingId, Inspection, InspectionCandidate, InspectionId,
    InspectionPlan, SelectionRules,
};
use cchc_domain::text::{checked_text, fold};
use cchc_domain::tracking::ActivityId;
use cchc_domain::{Activity, AgencyId, AgencyKind, AreaCode, Date, Diagnostic, Severity, Timestamp};
use cchc_import::procedures::parse_procedure_counts;
use cchc_store::{MilestoneTarget, NewInspectionPlan, PlannedInspection, StoreError};

use crate::{App, Current, ServiceError};

/// The kinds of agency inspected (the strata).
pub const INSPECTED_KINDS: [AgencyKind; 3] = [AgencyKind::Department, AgencyKind::District, AgencyKind::Commune];

/// Longest finding or evidence text accepted, in characters.
pub const MAX_FINDING_CHARS: usize = 2000;

/// The plan's activity whose milestones the inspections become.
#[derive(Debug, Clone)]
pub struct InspectionActivity {
    pub id: ActivityId,
    pub area: AreaCode,
    pub number: String,
    pub title: String,
    /// The agency that leads it (Sở Nội vụ) and whose assignment gets the milestones.
    pub lead: AgencyId,
    pub lead_name: String,
    /// The schedule item position the added milestones carry (past the activity's own items).
    item: usize,
}

/// A proposed plan with what the page needs around it.
#[derive(Debug, Clone)]
pub struct ProposedPlan {
    pub year: i32,
    pub plan: InspectionPlan,
    /// `None` when the year's plan has no inspection activity (adoption is then refused).
    pub activity: Option<InspectionActivity>,
}

/// What adopting a plan did.
#[derive(Debug, Clone)]
pub struct Adoption {
    pub plan_id: i64,
    pub inspections: usize,
    pub activity: InspectionActivity,
}

/// The inspections of a year: the adopted plan (if any) and every inspection with its findings.
#[derive(Debug, Clone)]
pub struct YearInspections {
    pub year: i32,
    pub adopted: Option<AdoptedPlan>,
    pub inspections: Vec<Inspection>,
}

fn forbidden(what: &str) -> ServiceError {
    ServiceError::Forbidden(what.to_string())
}

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(vec![message.into()])
}

/// The inspection activity of a plan: "Kế hoạch kiểm tra công tác cải cách hành chính" (area I
/// first), looked up by its words, with an agency as its lead.
fn find_inspection_activity(current: &Current) -> Option<(AreaCode, usize, &Activity, AgencyId)> {
    let matches = |a: &Activity| {
        let title = fold(&a.title);
        title.contains("ke hoach kiem tra") && (title.contains("cai cach hanh chinh") || title.contains("cchc"))
    };
    current.plan.areas.iter().find_map(|area| {
        area.activities.iter().enumerate().find_map(|(position, activity)| {
            let lead = activity.lead.iter().find_map(|r| r.agencies.first())?;
            matches(activity).then(|| (area.code, position, activity, lead.clone()))
        })
    })
}

impl App {
    /// The PAR index of each agency for `year` (lower: inspected first): the published index
    /// when the year's round is published, else the provisional one (self-assessed and appraised
    /// scores so far plus the automatic criteria as of the year's end). A kind without a round
    /// that year gives no index, and the priority rests on the other components.
    async fn par_index_by_agency(&self, year: i32) -> Result<HashMap<AgencyId, f64>, ServiceError> {
        let Some(end) = Date::from_ymd(year, 12, 31) else { return Ok(HashMap::new()) };
        let scores = match self.year_scores(year, end).await {
            Ok(scores) => scores,
            Err(ServiceError::NotFound(_)) => return Ok(HashMap::new()),
            Err(other) => return Err(other),
        };
        Ok(scores
            .kinds
            .iter()
            .filter(|k| k.round.is_some())
            .flat_map(|k| &k.results)
            .filter_map(|r| r.score.index.map(|i| (r.agency.id.clone(), i.hundredths() as f64 / 100.0)))
            .collect())
    }

    /// The latest version of the plan of `year`.
    async fn plan_of_year(&self, year: i32) -> Result<Arc<Current>, ServiceError> {
        let versions = self.plan_versions_cached().await?;
        let version = versions
            .iter()
            .find(|v| v.year == Some(year))
            .ok_or_else(|| ServiceError::NotFound(format!("kế hoạch CCHC năm {year}")))?;
        let key = version.plan_key.clone();
        self.plan_snapshot(Some(&key)).await
    }

    /// The inspection activity of the plan of `year`, if it has one.
    async fn inspection_activity(&self, year: i32) -> Result<Option<InspectionActivity>, ServiceError> {
        let Ok(current) = self.plan_of_year(year).await else { return Ok(None) };
        let snapshot = self.snapshot_of(Some(&current.version.plan_key)).await?;
        let Some((area, position, activity, lead)) = find_inspection_activity(&snapshot.current) else {
            return Ok(None);
        };
        let Some(id) = snapshot.activity_id_at(area, position) else { return Ok(None) };
        Ok(Some(InspectionActivity {
            id: ActivityId(id),
            area,
            number: activity.number.clone(),
            title: activity.title.clone(),
            lead_name: self.agency_name(&lead),
            lead,
            item: activity.schedule.items.len(),
        }))
    }

    /// The candidates of `year` with their priority inputs.
    async fn inspection_candidates(
        &self,
        year: i32,
        inspector: Option<&AgencyId>,
    ) -> Result<Vec<InspectionCandidate>, ServiceError> {
        let day = Date::from_ymd(year, 1, 1).ok_or_else(|| invalid(format!("năm {year} không hợp lệ")))?;
        let index = self.par_index_by_agency(year - 1).await?;
        let procedures = self.store().procedure_counts().await?;
        let unresolved = self.store().unresolved_findings_before(year).await?;
        let inspected: Vec<AgencyId> = self
            .store()
            .inspections(year - 1)
            .await?
            .into_iter()
            .filter(|i| i.done_on.is_some())
            .map(|i| i.agency)
            .collect();
        Ok(self
            .directory_on(day)
            .agencies
            .iter()
            .filter(|a| INSPECTED_KINDS.contains(&a.kind) && Some(&a.id) != inspector)
            .map(|a| InspectionCandidate {
                agency: a.id.clone(),
                name: a.name.clone(),
                kind: a.kind,
                index: index.get(&a.id).copied(),
                procedures: procedures.get(&a.id).copied().unwrap_or(0),
                unresolved_findings: unresolved.get(&a.id).copied().unwrap_or(0),
                inspected_last_year: inspected.contains(&a.id),
            })
            .collect())
    }

    /// The proposed inspection plan of `year` for `seed` (Sở Nội vụ and leaders).
    pub async fn inspection_plan(
        &self,
        user: &User,
        year: i32,
        seed: u64,
        rules: SelectionRules,
    ) -> Result<ProposedPlan, ServiceError> {
        if !user.reads_all() {
            return Err(forbidden("chỉ Sở Nội vụ và lãnh đạo xem được kế hoạch kiểm tra"));
        }
        if !(2000..=2100).contains(&year) {
            return Err(invalid(format!("năm {year} không hợp lệ")));
        }
        let activity = self.inspection_activity(year).await?;
        let candidates = self.inspection_candidates(year, activity.as_ref().map(|a| &a.lead)).await?;
        Ok(ProposedPlan { year, plan: plan_inspections(&candidates, rules, seed), activity })
    }

    /// Adopts the plan of `year` for `seed` (Sở Nội vụ): one inspection per chosen agency, its
    /// planned day spread over the working days from `from` to `to`, and one milestone per
    /// inspection — "Kiểm tra CCHC tại …", due that day — in the inspecting agency's assignment
    /// of the plan's inspection activity; all in one transaction. A year has one adopted plan.
    #[allow(clippy::too_many_arguments)]
    pub async fn adopt_inspection_plan(
        &self,
        user: &User,
        year: i32,
        seed: u64,
        rules: SelectionRules,
        from: Date,
        to: Date,
        now: Timestamp,
    ) -> Result<Adoption, ServiceError> {
        if !user.is_admin() {
            return Err(forbidden("chỉ Sở Nội vụ (quản trị) được ban hành kế hoạch kiểm tra"));
        }
        let mut problems = Vec::new();
        if from > to {
            problems.push(format!("ngày bắt đầu {from} sau ngày kết thúc {to}"));
        }
        if from.year() != year || to.year() != year {
            problems.push(format!("các cuộc kiểm tra phải nằm trong năm {year}"));
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let proposed = self.inspection_plan(user, year, seed, rules).await?;
        let activity = proposed.activity.ok_or_else(|| {
            invalid(format!(
                "kế hoạch CCHC năm {year} không có hoạt động «Kế hoạch kiểm tra công tác cải cách hành chính» do một cơ quan chủ trì; không thể gắn các cuộc kiểm tra vào theo dõi tiến độ"
            ))
        })?;
        let chosen: Vec<_> = proposed.plan.chosen().cloned().collect();
        let dates = spread_over_working_days(self.calendar(), from, to, chosen.len())
            .ok_or_else(|| invalid(format!("không có ngày làm việc nào từ {from} đến {to}")))?;
        let inspections: Vec<PlannedInspection> = chosen
            .iter()
            .zip(dates)
            .map(|(c, planned_on)| PlannedInspection {
                agency: c.agency.clone(),
                planned_on,
                label: format!("Kiểm tra CCHC tại {}", c.name),
            })
            .collect();
        let current = self.plan_of_year(year).await?;
        let target = MilestoneTarget { activity: activity.id, lead: &activity.lead, item: activity.item };
        let new = NewInspectionPlan {
            year,
            seed,
            share_percent: rules.share_percent(),
            random_percent: rules.random_percent(),
            plan_version_id: current.version.id,
            target,
            chosen: &chosen,
            inspections: &inspections,
            by: Some(user.id),
            at: &now.rfc3339(),
        };
        let plan_id = match self.store().adopt_inspection_plan(&new).await {
            Ok(id) => id,
            Err(StoreError::Conflict(_)) => {
                return Err(invalid(format!("kế hoạch kiểm tra năm {year} đã được ban hành trước đó")))
            }
            Err(other) => return Err(other.into()),
        };
        self.cache.clear();
        Ok(Adoption { plan_id, inspections: inspections.len(), activity })
    }

    /// The adopted plan and the inspections of `year` (Sở Nội vụ and leaders).
    pub async fn inspections(&self, user: &User, year: i32) -> Result<YearInspections, ServiceError> {
        if !user.reads_all() {
            return Err(forbidden("chỉ Sở Nội vụ và lãnh đạo xem được các cuộc kiểm tra"));
        }
        let mut adopted = self.store().adopted_inspection_plan(year).await?;
        if let Some(plan) = &mut adopted {
            for chosen in &mut plan.chosen {
                chosen.name = self.agency_name(&chosen.agency);
            }
        }
        Ok(YearInspections { year, adopted, inspections: self.store().inspections(year).await? })
    }

    async fn inspection_or_missing(&self, id: InspectionId) -> Result<Inspection, ServiceError> {
        self.store().inspection(id).await?.ok_or_else(|| ServiceError::NotFound(format!("cuộc kiểm tra số {}", id.0)))
    }

    async fn finding_or_missing(&self, id: FindingId) -> Result<cchc_domain::inspection::Finding, ServiceError> {
        self.store().finding(id).await?.ok_or_else(|| ServiceError::NotFound(format!("tồn tại số {}", id.0)))
    }

    /// Records a finding of an inspection with its remediation deadline (Sở Nội vụ).
    pub async fn record_finding(
        &self,
        user: &User,
        inspection: InspectionId,
        text: &str,
        deadline: Date,
        now: Timestamp,
    ) -> Result<FindingId, ServiceError> {
        if !user.is_admin() {
            return Err(forbidden("chỉ Sở Nội vụ (quản trị) được ghi kết luận kiểm tra"));
        }
        let found = self.inspection_or_missing(inspection).await?;
        let mut problems = Vec::new();
        let text = match checked_text(text, MAX_FINDING_CHARS) {
            Ok(t) if !t.is_empty() => t,
            Ok(_) => {
                problems.push("nội dung tồn tại không được để trống".to_string());
                String::new()
            }
            Err(e) => {
                problems.push(format!("nội dung tồn tại: {e}"));
                String::new()
            }
        };
        if deadline < found.planned_on {
            problems.push(format!("thời hạn khắc phục {deadline} trước ngày kiểm tra {}", found.planned_on));
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let id = self.store().record_finding(inspection, &text, deadline, Some(user.id), &now.rfc3339()).await?;
        self.cache.clear();
        Ok(id)
    }

    /// Marks a finding remedied, with evidence (Sở Nội vụ, or the inspected agency's officers).
    pub async fn resolve_finding(
        &self,
        user: &User,
        finding: FindingId,
        on: Date,
        evidence: &str,
        now: Timestamp,
    ) -> Result<(), ServiceError> {
        let found = self.finding_or_missing(finding).await?;
        let inspection = self.inspection_or_missing(found.inspection).await?;
        if !user.may_write_for(&inspection.agency) {
            return Err(forbidden("chỉ Sở Nội vụ hoặc cơ quan được kiểm tra được ghi kết quả khắc phục"));
        }
        let mut problems = Vec::new();
        let evidence = match checked_text(evidence, MAX_FINDING_CHARS) {
            Ok(t) if !t.is_empty() => t,
            Ok(_) => {
                problems.push("cần minh chứng khắc phục (số văn bản, đường dẫn hoặc mô tả)".to_string());
                String::new()
            }
            Err(e) => {
                problems.push(format!("minh chứng: {e}"));
                String::new()
            }
        };
        if on > now.date_in_vietnam() {
            problems.push(format!("ngày khắc phục {on} sau ngày hôm nay"));
        }
        if on < inspection.planned_on {
            problems.push(format!("ngày khắc phục {on} trước ngày kiểm tra {}", inspection.planned_on));
        }
        if found.resolution.is_some() {
            problems.push("tồn tại này đã được ghi nhận khắc phục".to_string());
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        match self.store().resolve_finding(finding, on, &evidence, Some(user.id), &now.rfc3339()).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => return Err(invalid("tồn tại này đã được ghi nhận khắc phục")),
            Err(other) => return Err(other.into()),
        }
        self.cache.clear();
        Ok(())
    }

    /// Schedules a re-inspection of a finding on `planned_on` (Sở Nội vụ): a new inspection of
    /// the same agency with its milestone "Tái kiểm tra CCHC tại …" on the inspection activity
    /// of that year's plan.
    pub async fn schedule_reinspection(
        &self,
        user: &User,
        finding: FindingId,
        planned_on: Date,
        now: Timestamp,
    ) -> Result<InspectionId, ServiceError> {
        if !user.is_admin() {
            return Err(forbidden("chỉ Sở Nội vụ (quản trị) được lên lịch tái kiểm tra"));
        }
        let found = self.finding_or_missing(finding).await?;
        let inspection = self.inspection_or_missing(found.inspection).await?;
        if found.reinspection.is_some() {
            return Err(invalid("tồn tại này đã có lịch tái kiểm tra"));
        }
        if planned_on < inspection.planned_on {
            return Err(invalid(format!(
                "ngày tái kiểm tra {planned_on} trước ngày kiểm tra {}",
                inspection.planned_on
            )));
        }
        let year = planned_on.year();
        let activity = self.inspection_activity(year).await?.ok_or_else(|| {
            invalid(format!(
                "kế hoạch CCHC năm {year} không có hoạt động «Kế hoạch kiểm tra công tác cải cách hành chính»"
            ))
        })?;
        let planned = PlannedInspection {
            label: format!("Tái kiểm tra CCHC tại {}", self.agency_name(&inspection.agency)),
            agency: inspection.agency,
            planned_on,
        };
        let target = MilestoneTarget { activity: activity.id, lead: &activity.lead, item: activity.item };
        let id = match self
            .store()
            .schedule_reinspection(finding, year, target, &planned, Some(user.id), &now.rfc3339())
            .await
        {
            Ok(id) => id,
            Err(StoreError::Conflict(_)) => return Err(invalid("tồn tại này đã có lịch tái kiểm tra")),
            Err(other) => return Err(other.into()),
        };
        self.cache.clear();
        Ok(id)
    }

    /// Imports procedure counts (`ma_co_quan,so_tthc`; Sở Nội vụ). A file with an error changes
    /// nothing; the diagnostics say which lines.
    pub async fn import_procedure_counts(
        &self,
        user: &User,
        text: &str,
        now: Timestamp,
    ) -> Result<(usize, Vec<Diagnostic>), ServiceError> {
        if !user.is_admin() {
            return Err(forbidden("chỉ Sở Nội vụ (quản trị) được nhập số thủ tục hành chính"));
        }
        let (rows, diagnostics) = parse_procedure_counts(text, &self.directories.full);
        if diagnostics.iter().any(|d| d.severity == Severity::Error) {
            return Err(ServiceError::Invalid(diagnostics.iter().map(ToString::to_string).collect()));
        }
        self.store().save_procedure_counts(&rows, Some(user.id), &now.rfc3339()).await?;
        self.cache.clear();
        Ok((rows.len(), diagnostics))
    }
}
