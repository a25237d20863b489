//! Inspection planning under `/api/evaluation/inspections`: the proposed plan of a year for a
//! seed (readers of everything: Sở Nội vụ and leaders). The same wire type is what
//! `cchc inspection plan --json` prints.

use axum::extract::State;
use axum::Json;
use cchc_domain::inspection::{Reason, SelectionRules};
use cchc_services::inspection::{ProposedPlan, YearInspections};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::openapi::{E401, E403, E404, E422};
use super::schema::{AgencyKindValue, IsoDate};
use super::{ApiQuery, Problem};
use crate::auth::ApiUser;
use crate::AppState;

/// Một lý do chọn cơ quan vào kế hoạch kiểm tra.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = InspectionReason)]
pub struct ReasonDto {
    /// low_index | many_procedures | unresolved_findings | not_inspected_last_year | drawn.
    #[schema(example = "many_procedures")]
    pub code: &'static str,
    /// Giá trị được nêu (chỉ số, số TTHC, số tồn tại); null nếu không có.
    #[schema(required)]
    pub value: Option<f64>,
    /// Lý do bằng tiếng Việt, ví dụ «nhiều TTHC (120)».
    pub label: String,
}

/// Một cơ quan được chọn kiểm tra.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = InspectionChoice)]
pub struct ChosenDto {
    pub agency: String,
    pub name: String,
    #[schema(value_type = AgencyKindValue)]
    pub kind: &'static str,
    /// Điểm ưu tiên 0–100, một chữ số thập phân.
    pub priority: f64,
    /// priority | priority_drawn (bốc thăm khi cùng mức ưu tiên) | random (kiểm tra đột xuất).
    pub place: &'static str,
    pub reasons: Vec<ReasonDto>,
}

/// Một nhóm (loại cơ quan) của kế hoạch kiểm tra.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = InspectionStratum)]
pub struct StratumDto {
    #[schema(value_type = AgencyKindValue)]
    pub kind: &'static str,
    pub label: &'static str,
    /// Số cơ quan thuộc loại này.
    pub total: usize,
    /// Số cơ quan được chọn (⌈tỷ lệ × total⌉).
    pub chosen: usize,
}

/// Kế hoạch kiểm tra công tác CCHC đề xuất của một năm, tái lập được từ hạt giống (seed).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = InspectionPlan)]
pub struct InspectionPlanDto {
    pub year: i32,
    pub seed: u64,
    /// Tỷ lệ tối thiểu mỗi loại cơ quan được kiểm tra, %.
    pub share: u32,
    /// Tỷ lệ số chỗ chọn ngẫu nhiên (kiểm tra đột xuất), %.
    pub random_share: u32,
    /// Hoạt động của kế hoạch CCHC mà các cuộc kiểm tra trở thành mốc (ví dụ «I.5»); null nếu
    /// kế hoạch của năm không có.
    #[schema(required)]
    pub activity: Option<String>,
    pub strata: Vec<StratumDto>,
    pub agencies: Vec<ChosenDto>,
}

fn reason(r: Reason) -> ReasonDto {
    ReasonDto { code: r.code(), value: r.value(), label: r.label_vn() }
}

impl InspectionPlanDto {
    pub fn from_proposed(proposed: &ProposedPlan) -> InspectionPlanDto {
        let plan = &proposed.plan;
        InspectionPlanDto {
            year: proposed.year,
            seed: plan.seed,
            share: plan.rules.share_percent(),
            random_share: plan.rules.random_percent(),
            activity: proposed.activity.as_ref().map(|a| format!("{}.{}", a.area, a.number)),
            strata: plan
                .strata
                .iter()
                .map(|s| StratumDto {
                    kind: s.kind.as_str(),
                    label: s.kind.label_vn(),
                    total: s.total,
                    chosen: s.chosen.len(),
                })
                .collect(),
            agencies: plan
                .chosen()
                .map(|c| ChosenDto {
                    agency: c.agency.to_string(),
                    name: c.name.clone(),
                    kind: c.kind.as_str(),
                    priority: c.priority.value(),
                    place: c.place.as_str(),
                    reasons: c.reasons.iter().copied().map(reason).collect(),
                })
                .collect(),
        }
    }
}

/// Một tồn tại phát hiện khi kiểm tra.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = InspectionFinding)]
pub struct FindingDto {
    pub id: i64,
    pub text: String,
    /// Thời hạn khắc phục.
    #[schema(value_type = IsoDate)]
    pub deadline: String,
    /// Ngày khắc phục; null nếu chưa khắc phục.
    #[schema(required, value_type = Option<IsoDate>)]
    pub resolved_on: Option<String>,
    /// Minh chứng khắc phục; null nếu chưa khắc phục.
    #[schema(required)]
    pub evidence: Option<String>,
    /// Số cuộc tái kiểm tra đã lên lịch; null nếu chưa có.
    #[schema(required)]
    pub reinspection: Option<i64>,
    /// Đang khắc phục | Quá hạn khắc phục | Đã khắc phục đúng hạn | Đã khắc phục trễ hạn.
    pub status: &'static str,
}

/// Một cuộc kiểm tra.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Inspection)]
pub struct InspectionDto {
    pub id: i64,
    pub agency: String,
    pub name: String,
    #[schema(value_type = IsoDate)]
    pub planned_on: String,
    /// Ngày đã kiểm tra (ngày hoàn thành của mốc); null nếu chưa.
    #[schema(required, value_type = Option<IsoDate>)]
    pub done_on: Option<String>,
    /// Mốc theo dõi cuộc kiểm tra (xem /api/milestones/{id}).
    #[schema(required)]
    pub milestone: Option<i64>,
    /// Tồn tại được tái kiểm tra; null nếu là cuộc kiểm tra theo kế hoạch.
    #[schema(required)]
    pub reinspects: Option<i64>,
    pub findings: Vec<FindingDto>,
}

/// Các cuộc kiểm tra của một năm và kế hoạch đã ban hành.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = YearInspections)]
pub struct InspectionsDto {
    pub year: i32,
    /// Hạt giống của kế hoạch đã ban hành; null nếu chưa ban hành.
    #[schema(required)]
    pub seed: Option<u64>,
    /// Thời điểm ban hành (RFC 3339); null nếu chưa ban hành.
    #[schema(required)]
    pub adopted_at: Option<String>,
    pub inspections: Vec<InspectionDto>,
}

impl InspectionsDto {
    /// `names`: the agency's name for display; `today`: the day finding statuses are read on.
    pub fn from_year(
        year: &YearInspections,
        names: impl Fn(&cchc_domain::AgencyId) -> String,
        today: cchc_domain::Date,
    ) -> InspectionsDto {
        InspectionsDto {
            year: year.year,
            seed: year.adopted.as_ref().map(|p| p.seed),
            adopted_at: year.adopted.as_ref().map(|p| p.created_at.clone()),
            inspections: year
                .inspections
                .iter()
                .map(|i| InspectionDto {
                    id: i.id.0,
                    agency: i.agency.to_string(),
                    name: names(&i.agency),
                    planned_on: i.planned_on.iso(),
                    done_on: i.done_on.map(|d| d.iso()),
                    milestone: i.milestone.map(|m| m.0),
                    reinspects: i.reinspects.map(|f| f.0),
                    findings: i
                        .findings
                        .iter()
                        .map(|f| FindingDto {
                            id: f.id.0,
                            text: f.text.clone(),
                            deadline: f.deadline.iso(),
                            resolved_on: f.resolution.as_ref().map(|r| r.on.iso()),
                            evidence: f.resolution.as_ref().map(|r| r.evidence.clone()),
                            reinspection: f.reinspection.map(|r| r.0),
                            status: f.status_vn(today),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The query of `GET /api/evaluation/inspections`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Năm kiểm tra.
    #[param(value_type = i32, minimum = 2000, maximum = 2100)]
    year: Option<String>,
}

#[utoipa::path(
    get, path = "/api/evaluation/inspections", tag = "evaluation", operation_id = "listInspections",
    summary = "Các cuộc kiểm tra CCHC của một năm (mỗi cuộc là một mốc) và các tồn tại",
    params(YearQuery),
    responses(
        (status = 200, description = "Các cuộc kiểm tra", body = InspectionsDto),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 422, response = E422),
    ),
)]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<YearQuery>,
) -> Result<Json<InspectionsDto>, Problem> {
    let year = match query.year.as_deref().map(str::trim).map(str::parse::<i32>) {
        Some(Ok(y)) if (2000..=2100).contains(&y) => y,
        _ => return Err(Problem::invalid(vec!["year: năm phải là số từ 2000 đến 2100".to_string()])),
    };
    let listed = state.app.inspections(&user.user, year).await?;
    let today = state.now().date_in_vietnam();
    Ok(Json(InspectionsDto::from_year(&listed, |id| state.app.agency_name(id), today)))
}

/// The query of `GET /api/evaluation/inspections/plan`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// Năm kiểm tra.
    #[param(value_type = i32, minimum = 2000, maximum = 2100)]
    year: Option<String>,
    /// Hạt giống của phép chọn ngẫu nhiên: cùng năm, cùng dữ liệu, cùng hạt giống thì cùng kế
    /// hoạch.
    #[param(value_type = u64)]
    seed: Option<String>,
    /// Tỷ lệ tối thiểu mỗi loại cơ quan, % (1–100); mặc định 30.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    share: Option<String>,
}

/// Reads the year, seed and share of a query (pages and API), with Vietnamese problems.
pub fn plan_parameters(
    year: Option<&str>,
    seed: Option<&str>,
    share: Option<&str>,
) -> Result<(i32, u64, SelectionRules), Vec<String>> {
    let mut problems = Vec::new();
    let year = match year.map(str::trim).filter(|y| !y.is_empty()).map(str::parse::<i32>) {
        Some(Ok(y)) if (2000..=2100).contains(&y) => Some(y),
        None => {
            problems.push("year: cần năm kiểm tra".to_string());
            None
        }
        Some(_) => {
            problems.push("year: năm phải là số từ 2000 đến 2100".to_string());
            None
        }
    };
    let seed = match seed.map(str::trim).filter(|s| !s.is_empty()).map(str::parse::<u64>) {
        Some(Ok(s)) => Some(s),
        None => {
            problems.push("seed: cần hạt giống (số nguyên không âm)".to_string());
            None
        }
        Some(Err(_)) => {
            problems.push("seed: hạt giống phải là số nguyên từ 0 đến 18446744073709551615".to_string());
            None
        }
    };
    let rules = match share.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(SelectionRules::default()),
        Some(text) => match text.parse::<u32>().ok().and_then(SelectionRules::with_share) {
            Some(rules) => Some(rules),
            None => {
                problems.push("share: tỷ lệ phải là số nguyên từ 1 đến 100".to_string());
                None
            }
        },
    };
    match (year, seed, rules) {
        (Some(year), Some(seed), Some(rules)) if problems.is_empty() => Ok((year, seed, rules)),
        _ => Err(problems),
    }
}

#[utoipa::path(
    get, path = "/api/evaluation/inspections/plan", tag = "evaluation", operation_id = "inspectionPlan",
    summary = "Kế hoạch kiểm tra công tác CCHC đề xuất: tối thiểu 30% mỗi loại cơ quan, ưu tiên và lý do",
    params(PlanQuery),
    responses(
        (status = 200, description = "Kế hoạch kiểm tra đề xuất", body = InspectionPlanDto),
        (status = 401, response = E401),
        (status = 403, response = E403),
        (status = 404, response = E404),
        (status = 422, response = E422),
    ),
)]
pub async fn plan(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(query): ApiQuery<PlanQuery>,
) -> Result<Json<InspectionPlanDto>, Problem> {
    let (year, seed, rules) = plan_parameters(query.year.as_deref(), query.seed.as_deref(), query.share.as_deref())
        .map_err(Problem::invalid)?;
    let proposed = state.app.inspection_plan(&user.user, year, seed, rules).await?;
    Ok(Json(InspectionPlanDto::from_proposed(&proposed)))
}
