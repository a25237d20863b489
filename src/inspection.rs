//! `cchc inspection plan|adopt|list|finding|procedures`: the inspection plan of a year (≥ 30% of
//! each kind of agency, reproducible from a seed), its adoption into tracked milestones,
//! findings with remediation deadlines and re-inspections.

use std::process::ExitCode;

use anyhow::Result;
use cchc_domain::inspection::{FindingId, InspectionId, SelectionRules};
use cchc_services::App;
use cchc_web::api::inspection::{InspectionPlanDto, InspectionsDto};

use crate::cli::{FindingCommand, InspectionCommand};
use crate::commands::{print_json, read_document, user_error};
use crate::render;

fn rules(share: u32) -> Result<SelectionRules> {
    SelectionRules::with_share(share).ok_or_else(|| anyhow::anyhow!("tỷ lệ --share phải từ 1 đến 100 (%)"))
}

pub async fn run(app: &App, command: InspectionCommand, as_json: bool) -> Result<ExitCode> {
    let now = crate::clock::now();
    let user = app.command_line_user(now).await.map_err(user_error)?;
    match command {
        InspectionCommand::Plan { year, seed, share } => {
            let proposed = app.inspection_plan(&user, year, seed, rules(share)?).await.map_err(user_error)?;
            let dto = InspectionPlanDto::from_proposed(&proposed);
            if as_json {
                print_json(&dto)?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut t = render::table(&["Loại", "Mã", "Cơ quan, đơn vị", "Ưu tiên", "Lý do"]);
            for c in proposed.plan.chosen() {
                t.add_row(vec![
                    c.kind.label_vn().to_string(),
                    c.agency.to_string(),
                    c.name.clone(),
                    c.priority.vn(),
                    c.reasons.iter().map(|r| r.label_vn()).collect::<Vec<_>>().join("; "),
                ]);
            }
            outln!("{t}");
            for s in &dto.strata {
                outln!("{}: chọn {} trên {} cơ quan, đơn vị.", s.label, s.chosen, s.total);
            }
            outln!(
                "Kế hoạch kiểm tra năm {year}, hạt giống {seed}, tỷ lệ tối thiểu {share}% mỗi loại; {}% số chỗ chọn ngẫu nhiên (kiểm tra đột xuất).",
                dto.random_share
            );
        }
        InspectionCommand::Adopt { year, seed, share, from, to } => {
            let adoption =
                app.adopt_inspection_plan(&user, year, seed, rules(share)?, from, to, now).await.map_err(user_error)?;
            if as_json {
                print_json(&serde_json::json!({
                    "year": year,
                    "seed": seed,
                    "plan_id": adoption.plan_id,
                    "inspections": adoption.inspections,
                    "activity": format!("{}.{}", adoption.activity.area, adoption.activity.number),
                    "lead": adoption.activity.lead.as_str(),
                }))?;
            } else {
                outln!(
                    "Đã ban hành kế hoạch kiểm tra năm {year}: {} cuộc kiểm tra, mỗi cuộc là một mốc của hoạt động {}.{} ({}) do {} chủ trì.",
                    adoption.inspections,
                    adoption.activity.area,
                    adoption.activity.number,
                    adoption.activity.title,
                    adoption.activity.lead_name
                );
            }
        }
        InspectionCommand::List { year } => {
            let listed = app.inspections(&user, year).await.map_err(user_error)?;
            let today = crate::clock::today();
            if as_json {
                print_json(&InspectionsDto::from_year(&listed, |id| app.agency_name(id), today))?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut t = render::table(&["Số", "Cơ quan, đơn vị", "Ngày kiểm tra", "Đã kiểm tra", "Tồn tại"]);
            for i in &listed.inspections {
                let findings: Vec<String> = i
                    .findings
                    .iter()
                    .map(|f| format!("#{} {} (hạn {}; {})", f.id.0, f.text, f.deadline, f.status_vn(today)))
                    .collect();
                let name = match i.reinspects {
                    Some(f) => format!("{} (tái kiểm tra tồn tại #{})", app.agency_name(&i.agency), f.0),
                    None => app.agency_name(&i.agency),
                };
                t.add_row(vec![
                    i.id.0.to_string(),
                    name,
                    i.planned_on.to_string(),
                    i.done_on.map(|d| d.to_string()).unwrap_or_default(),
                    findings.join("\n"),
                ]);
            }
            outln!("{t}");
            match &listed.adopted {
                Some(p) => outln!(
                    "Kế hoạch kiểm tra năm {year} (hạt giống {}) ban hành lúc {}: {} cuộc kiểm tra.",
                    p.seed,
                    p.created_at,
                    listed.inspections.len()
                ),
                None => outln!("Chưa ban hành kế hoạch kiểm tra năm {year}."),
            }
        }
        InspectionCommand::Finding(FindingCommand::Add { inspection, text, deadline }) => {
            let id =
                app.record_finding(&user, InspectionId(inspection), &text, deadline, now).await.map_err(user_error)?;
            if as_json {
                print_json(
                    &serde_json::json!({ "finding": id.0, "inspection": inspection, "deadline": deadline.iso() }),
                )?;
            } else {
                outln!("Đã ghi tồn tại #{} của cuộc kiểm tra #{inspection}, hạn khắc phục {deadline}.", id.0);
            }
        }
        InspectionCommand::Finding(FindingCommand::Resolve { finding, on, evidence }) => {
            app.resolve_finding(&user, FindingId(finding), on, &evidence, now).await.map_err(user_error)?;
            if as_json {
                print_json(&serde_json::json!({ "finding": finding, "resolved_on": on.iso() }))?;
            } else {
                outln!("Đã ghi nhận tồn tại #{finding} được khắc phục ngày {on}.");
            }
        }
        InspectionCommand::Finding(FindingCommand::Reinspect { finding, on }) => {
            let id = app.schedule_reinspection(&user, FindingId(finding), on, now).await.map_err(user_error)?;
            if as_json {
                print_json(&serde_json::json!({ "finding": finding, "inspection": id.0, "planned_on": on.iso() }))?;
            } else {
                outln!("Đã lên lịch tái kiểm tra tồn tại #{finding} ngày {on} (cuộc kiểm tra #{}).", id.0);
            }
        }
        InspectionCommand::Procedures { file } => {
            let text = read_document(&file)?;
            let (count, _) = app.import_procedure_counts(&user, &text, now).await.map_err(user_error)?;
            if as_json {
                print_json(&serde_json::json!({ "agencies": count }))?;
            } else {
                outln!("Đã nạp số thủ tục hành chính của {count} cơ quan, đơn vị.");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
