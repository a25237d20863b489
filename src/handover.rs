//! `cchc assignments pending` and `cchc assignments transfer`: the open work of agencies and
//! units that ended, and its hand-over to a successor.

use std::process::ExitCode;

use anyhow::{Context, Result};
use cchc_domain::AgencyId;
use cchc_services::{App, ServiceError};

use crate::cli::AssignmentsCommand;
use crate::commands::{print_json, user_error};
use crate::render;

fn agency_id(text: &str) -> Result<AgencyId> {
    AgencyId::parse(text.trim())
        .with_context(|| format!("mã cơ quan «{text}» không hợp lệ (chữ thường ASCII, số và '-'); xem `cchc agencies`"))
}

pub async fn run(app: &App, command: AssignmentsCommand, as_json: bool) -> Result<ExitCode> {
    let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
    match command {
        AssignmentsCommand::Pending { plan, as_of } => {
            let as_of = as_of.unwrap_or_else(crate::clock::today);
            let (version, pending) = app.pending_handovers(&user, plan.as_deref(), as_of).await.map_err(user_error)?;
            if as_json {
                let rows: Vec<serde_json::Value> = pending
                    .iter()
                    .map(|p| {
                        serde_json::json!({
                            "agency": p.agency.id.as_str(),
                            "name": p.agency.name,
                            "valid_until": p.agency.validity.until.map(|d| d.iso()),
                            "open_milestones": p.open,
                            "activities": p.by_activity.len(),
                            "successors": p.successors.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
                            "by_activity": p.by_activity.iter().map(|(code, title, open)| serde_json::json!({
                                "activity": code, "title": title, "open_milestones": open,
                            })).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                print_json(&serde_json::json!({ "plan": version.plan_key, "as_of": as_of.iso(), "pending": rows }))?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut t =
                render::table(&["Mã", "Cơ quan, đơn vị", "Kết thúc", "Mốc chưa xong", "Hoạt động", "Đơn vị kế thừa"]);
            for p in &pending {
                t.add_row(vec![
                    p.agency.id.to_string(),
                    p.agency.name.clone(),
                    p.agency.validity.until.map(|d| d.vn()).unwrap_or_default(),
                    p.open.to_string(),
                    p.by_activity.len().to_string(),
                    p.successors.iter().map(|a| format!("{} ({})", a.name, a.id)).collect::<Vec<_>>().join("; "),
                ]);
            }
            outln!("{t}");
            outln!(
                "Kế hoạch {}: {} cơ quan, đơn vị đã kết thúc trước ngày {} còn nhiệm vụ chưa bàn giao.",
                version.plan_key,
                pending.len(),
                as_of.vn()
            );
        }
        AssignmentsCommand::Transfer { from, to, activities, plan, as_of } => {
            let as_of = as_of.unwrap_or_else(crate::clock::today);
            let from = agency_id(&from)?;
            let to = to.as_deref().map(agency_id).transpose()?;
            let report = match app
                .transfer_activities(
                    &user,
                    plan.as_deref(),
                    &from,
                    to.as_ref(),
                    &activities,
                    as_of,
                    crate::clock::now(),
                )
                .await
            {
                Ok(report) => report,
                Err(ServiceError::Invalid(problems)) => anyhow::bail!("{}", problems.join("; ")),
                Err(other) => return Err(user_error(other)),
            };
            if as_json {
                print_json(&serde_json::json!({
                    "plan": report.version.plan_key,
                    "from": report.from.id.as_str(),
                    "to": report.to.id.as_str(),
                    "milestones": report.milestones,
                    "activities": report.activities,
                    "new_assignments": report.new_assignments,
                }))?;
            } else {
                outln!(
                    "Đã bàn giao {} mốc chưa hoàn thành của {} hoạt động từ {} sang {} (kế hoạch {}); lịch sử cập nhật đi kèm từng mốc, mốc đã hoàn thành vẫn thuộc {}.",
                    report.milestones,
                    report.activities,
                    report.from.name,
                    report.to.name,
                    report.version.plan_key,
                    report.from.name
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
