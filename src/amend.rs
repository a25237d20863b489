//! `cchc plan diff`, the amendment part of `cchc plan import`, `cchc plan carry-over` and
//! `cchc plan progress`: what changed between two versions of a plan and what was carried over.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Result};
use cchc_domain::plan_diff::{diff, PlanDiff};
use cchc_domain::tracking::{MilestoneId, MilestoneQuery, MilestoneRecord};
use cchc_domain::Plan;
use cchc_services::amend::{Amendment, Carried, Pending};
use cchc_services::App;
use serde::Serialize;

use crate::commands::{print_json, read_document, user_error};
use crate::{json, render};

/// `cchc plan diff OLD NEW`: both files parsed against the embedded agency directory; no
/// database is opened.
pub fn plan_diff(old: &Path, new: &Path, as_json: bool) -> Result<ExitCode> {
    let parse = |path: &Path| -> Result<Plan> {
        let parsed = cchc_services::parse_with_embedded_directory(&read_document(path)?);
        if !parsed.is_plausible_plan() {
            bail!("«{}» không phải là một kế hoạch CCHC", path.display());
        }
        Ok(parsed.plan)
    };
    let (old_plan, new_plan) = (parse(old)?, parse(new)?);
    let d = diff(&old_plan, &new_plan);
    if as_json {
        #[derive(Serialize)]
        struct Side {
            file: String,
            decision_number: String,
            year: Option<i32>,
            title: String,
            activities: usize,
        }
        #[derive(Serialize)]
        struct Out {
            old: Side,
            new: Side,
            #[serde(flatten)]
            diff: json::DiffJson,
        }
        let side = |path: &Path, plan: &Plan| Side {
            file: path.display().to_string(),
            decision_number: plan.meta.decision_number.clone(),
            year: plan.meta.year,
            title: plan.meta.title.clone(),
            activities: plan.activity_count(),
        };
        print_json(&Out { old: side(old, &old_plan), new: side(new, &new_plan), diff: json::diff(&d) })?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!("So sánh «{}» (cũ) với «{}» (mới):", old.display(), new.display());
    print_diff(&d);
    Ok(ExitCode::SUCCESS)
}

/// The Vietnamese diff table and its summary line.
pub fn print_diff(d: &PlanDiff) {
    if d.is_empty() {
        outln!("Các hoạt động không thay đổi ({} hoạt động).", d.unchanged_count());
        return;
    }
    let mut t = render::table(&["Thay đổi", "Mã", "Hoạt động", "Chi tiết"]);
    for a in &d.added {
        t.add_row(vec!["Thêm mới".to_string(), a.code(), render::short(&a.title, 100), String::new()]);
    }
    for a in &d.removed {
        t.add_row(vec!["Bỏ".to_string(), a.code(), render::short(&a.title, 100), String::new()]);
    }
    for m in d.changed() {
        let details = m
            .changes
            .iter()
            .map(|c| format!("«{}»: {} → {}", c.field.label_vn(), shown(&c.old), shown(&c.new)))
            .collect::<Vec<_>>()
            .join("\n");
        let code = if m.old.code() == m.new.code() {
            m.new.code()
        } else {
            format!("{} (cũ: {})", m.new.code(), m.old.code())
        };
        t.add_row(vec!["Thay đổi".to_string(), code, render::short(&m.new.title, 100), details]);
    }
    outln!("{t}");
    outln!(
        "{} hoạt động thêm mới, {} bỏ, {} thay đổi, {} không đổi.",
        d.added.len(),
        d.removed.len(),
        d.changed().count(),
        d.unchanged_count()
    );
}

fn shown(text: &str) -> String {
    if text.is_empty() {
        "(trống)".to_string()
    } else {
        render::short(text, 200)
    }
}

/// What an import of an amended version prints after its first line.
pub fn print_amendment(app: &App, amendment: &Amendment) {
    outln!("Thay đổi so với phiên bản {} («{}»):", amendment.from.version, amendment.from.source_name);
    print_diff(&amendment.diff);
    print_carried(&amendment.carried, amendment.pending.to_confirm.len());
    print_pending(app, &amendment.pending, amendment.from.version);
}

fn print_carried(c: &Carried, to_confirm: usize) {
    outln!(
        "Đã chuyển {} mốc tiến độ, {} bằng chứng, {} sự kiện sang phiên bản mới; {} mốc cần xác nhận.",
        c.milestones,
        c.evidence,
        c.events,
        to_confirm
    );
    if c.reports > 0 {
        outln!("{} báo cáo định kỳ của các cơ quan được giữ nguyên ở phiên bản mới.", c.reports);
    }
}

fn print_pending(app: &App, pending: &Pending, old_version: i64) {
    let describe = |m: &MilestoneRecord| {
        let due = m.due.map(|d| format!(", hạn {d}")).unwrap_or_default();
        format!("{} — {}{due}", m.id.0, render::short(&m.label, 80))
    };
    if !pending.to_confirm.is_empty() {
        outln!("Các mốc cần xác nhận (mốc cũ đã có tiến độ; chọn mốc mới tiếp nối):");
        let mut t = render::table(&["Mốc cũ", "Hoạt động", "Cơ quan", "Trạng thái", "Có thể chuyển sang mốc mới"]);
        for p in &pending.to_confirm {
            t.add_row(vec![
                describe(&p.old),
                p.old.activity_code(),
                app.agency_name(&p.old.agency),
                p.old.progress.status.label_vn().to_string(),
                p.candidates.iter().map(describe).collect::<Vec<_>>().join("\n"),
            ]);
        }
        outln!("{t}");
        outln!("Xác nhận: cchc plan carry-over --match MÃ_MỐC_CŨ=MÃ_MỐC_MỚI (lặp lại cho từng mốc).");
    }
    if !pending.not_carried.is_empty() {
        outln!(
            "{} mốc đã có tiến độ không còn trong phiên bản mới; vẫn xem được ở phiên bản cũ: cchc plan progress --version {old_version}",
            pending.not_carried.len()
        );
        let mut t = render::table(&["Mốc", "Hoạt động", "Cơ quan", "Trạng thái"]);
        for m in &pending.not_carried {
            t.add_row(vec![
                describe(m),
                m.activity_code(),
                app.agency_name(&m.agency),
                m.progress.status.label_vn().to_string(),
            ]);
        }
        outln!("{t}");
    }
}

/// `cchc plan carry-over [--match OLD=NEW]…`: lists what is left to carry to the current version,
/// or carries the confirmed pairs (as the command line's administrator account, audited).
pub async fn carry_over(app: &App, plan_key: Option<&str>, matches: &[(i64, i64)], as_json: bool) -> Result<ExitCode> {
    let (current, _, _) = app.current_plan(plan_key).await.map_err(user_error)?;
    let Some(previous) = app.previous_version(&current).await.map_err(user_error)? else {
        bail!("kế hoạch {} chỉ có một phiên bản; không có gì để chuyển", current.plan_key);
    };
    if matches.is_empty() {
        let pending = app.pending_carry_over(&previous, &current).await.map_err(user_error)?;
        if as_json {
            print_json(&json::pending(&pending))?;
        } else {
            if pending.to_confirm.is_empty() {
                outln!(
                    "Không còn mốc nào cần xác nhận giữa phiên bản {} và phiên bản {} của kế hoạch {}.",
                    previous.version,
                    current.version,
                    current.plan_key
                );
            } else {
                outln!(
                    "Kế hoạch {}: từ phiên bản {} sang phiên bản {}.",
                    current.plan_key,
                    previous.version,
                    current.version
                );
            }
            print_pending(app, &pending, previous.version);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let now = crate::clock::now();
    let actor = app.command_line_user(now).await.map_err(user_error)?;
    let pairs: Vec<(MilestoneId, MilestoneId)> =
        matches.iter().map(|&(o, n)| (MilestoneId(o), MilestoneId(n))).collect();
    let carried = app.confirm_carry_over(&actor, &current, &pairs, now).await.map_err(user_error)?;
    let pending = app.pending_carry_over(&previous, &current).await.map_err(user_error)?;
    if as_json {
        #[derive(Serialize)]
        struct Out {
            carried: json::CarriedJson,
            #[serde(flatten)]
            pending: json::CarryPendingJson,
        }
        print_json(&Out { carried: json::carried(&carried), pending: json::pending(&pending) })?;
    } else {
        print_carried(&carried, pending.to_confirm.len());
    }
    Ok(ExitCode::SUCCESS)
}

/// `cchc plan progress [--version N] [--activity II.3]`: the milestones of a version on which
/// progress was recorded, with their history size (carried entries say where from).
pub async fn progress(
    app: &App,
    plan_key: Option<&str>,
    version: Option<i64>,
    activity: Option<&str>,
    as_json: bool,
) -> Result<ExitCode> {
    let version = match version {
        Some(n) => app.plan_version(plan_key, n).await.map_err(user_error)?,
        None => app.current_plan(plan_key).await.map_err(user_error)?.0,
    };
    let code = activity.map(|a| a.trim().to_uppercase());
    let milestones: Vec<MilestoneRecord> = app
        .milestones(&version, &MilestoneQuery::default())
        .await
        .map_err(user_error)?
        .into_iter()
        .filter(|m| m.updated_at.is_some())
        .filter(|m| code.as_ref().is_none_or(|c| m.activity_code().to_uppercase() == *c))
        .collect();
    let ids: Vec<MilestoneId> = milestones.iter().map(|m| m.id).collect();
    let history = app.history(&ids).await.map_err(user_error)?;
    let entries = |m: &MilestoneRecord| history.iter().filter(|e| e.milestone == m.id).collect::<Vec<_>>();
    if as_json {
        #[derive(Serialize)]
        struct Row {
            #[serde(flatten)]
            milestone: json::TrackedMilestoneJson,
            entries: usize,
            /// The versions the history was carried from, oldest first.
            carried_from_versions: Vec<i64>,
        }
        #[derive(Serialize)]
        struct Out {
            version: json::VersionJson,
            milestones: Vec<Row>,
        }
        let rows = milestones
            .iter()
            .map(|m| {
                let list = entries(m);
                let mut from: Vec<i64> = list.iter().filter_map(|e| e.carried_from_version).collect();
                from.sort_unstable();
                from.dedup();
                Row { milestone: json::tracked(m), entries: list.len(), carried_from_versions: from }
            })
            .collect();
        print_json(&Out { version: json::version(&version), milestones: rows })?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "Kế hoạch {} — phiên bản {} (nhập từ «{}»): tiến độ đã ghi nhận",
        version.plan_key,
        version.version,
        version.source_name
    );
    let mut t = render::table(&["Mốc", "Hoạt động", "Cơ quan", "Mốc công việc", "Hạn", "Trạng thái", "Lịch sử"]);
    for m in &milestones {
        let list = entries(m);
        let carried = list.iter().filter_map(|e| e.carried_from_version).max();
        let history = match carried {
            Some(v) => format!("{} lần ghi (chuyển từ phiên bản {v})", list.len()),
            None => format!("{} lần ghi", list.len()),
        };
        let status = match m.progress.completed_on {
            Some(on) => format!("{} ({on})", m.progress.status.label_vn()),
            None => m.progress.status.label_vn().to_string(),
        };
        t.add_row(vec![
            m.id.0.to_string(),
            m.activity_code(),
            app.agency_name(&m.agency),
            render::short(&m.label, 80),
            m.due.map(|d| d.to_string()).unwrap_or_default(),
            status,
            history,
        ]);
    }
    outln!("{t}");
    outln!("{} mốc có tiến độ.", milestones.len());
    Ok(ExitCode::SUCCESS)
}
