//! One function per command of the binary: read the arguments' files, call the services, print a Vietnamese table or JSON.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use cchc_domain::calendar::WorkCalendar;
use cchc_domain::ImportOutcome;
use cchc_domain::{AgencyKind, AreaCode, Plan};
use cchc_services::{diagnostic_counts, select_activities, ActivityFilter, App, ServiceError};
use cchc_web::api::dto::{AccountDto, AgencyDto};
use cchc_web::api::reports::{CatalogueDto, IndicatorDto, RuleDto};
use serde::Serialize;

use crate::cli::{
    ActivitiesArgs, AgenciesArgs, AgenciesCommand, CalendarCommand, Cli, Command, PlanCommand, ServeArgs, TargetsArgs,
    UserCommand,
};
use crate::{json, render};

/// Largest plan document accepted (a plan is a few hundred kilobytes).
const MAX_DOCUMENT_BYTES: u64 = 20 * 1024 * 1024;

pub async fn run(cli: Cli) -> Result<ExitCode> {
    let data = cli.data.clone().unwrap_or_else(crate::default_data_dir);
    let as_json = cli.json;
    match cli.command {
        None => overview(&open(&data).await?, None, None, as_json).await,
        Some(Command::Plan(PlanCommand::Show(selector))) => {
            overview(&open(&data).await?, selector.plan.as_deref(), selector.version, as_json).await
        }
        Some(Command::Plan(PlanCommand::Parse { file })) => parse(&data, &file, as_json).await,
        Some(Command::Plan(PlanCommand::Import { file })) => import(&open(&data).await?, &file, as_json).await,
        Some(Command::Plan(PlanCommand::Diff { old, new })) => crate::amend::plan_diff(&old, &new, as_json),
        Some(Command::Plan(PlanCommand::CarryOver { plan, matches })) => {
            crate::amend::carry_over(&open(&data).await?, plan.plan.as_deref(), &matches, as_json).await
        }
        Some(Command::Plan(PlanCommand::Progress { plan, activity })) => {
            let app = open(&data).await?;
            crate::amend::progress(&app, plan.plan.as_deref(), plan.version, activity.as_deref(), as_json).await
        }
        Some(Command::Plan(PlanCommand::Versions)) => versions(&open(&data).await?, as_json).await,
        Some(Command::Plan(PlanCommand::Diagnostics(selector))) => {
            let app = open(&data).await?;
            let (_, _, diagnostics) = app.current_plan(selector.plan.as_deref()).await?;
            print_diagnostics(&diagnostics, as_json)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Activities(args)) => activities(&open(&data).await?, args, as_json).await,
        Some(Command::Targets(args)) => targets(&open(&data).await?, args, as_json).await,
        Some(Command::Agencies(args)) => agencies(&open(&data).await?, args, as_json).await,
        Some(Command::Assignments(command)) => crate::handover::run(&open(&data).await?, command, as_json).await,
        Some(Command::Evaluation(command)) => crate::evaluation::run(&open(&data).await?, command, as_json).await,
        Some(Command::Calendar(command)) => calendar(command, as_json),
        Some(Command::Serve(args)) => serve(&data, args).await,
        Some(Command::Indicators { command: None }) => indicators(&open(&data).await?, as_json).await,
        Some(Command::Indicators { command: Some(command) }) => {
            crate::report::indicators_command(&open(&data).await?, command, as_json).await
        }
        Some(Command::Rating(args)) => crate::rating::run(&open(&data).await?, args, as_json).await,
        Some(Command::Report(command)) => crate::report::run(&open(&data).await?, command, as_json).await,
        Some(Command::User(command)) => user(&open(&data).await?, command, as_json).await,
        Some(Command::Survey(command)) => crate::survey::run(&open(&data).await?, command, as_json).await,
        Some(Command::Inspection(command)) => crate::inspection::run(&open(&data).await?, command, as_json).await,
        Some(Command::Dossiers(command)) => crate::dossiers::run(&open(&data).await?, command, as_json).await,
    }
}

async fn open(data: &Path) -> Result<App> {
    App::open(data).await.map_err(user_error)
}

/// Keeps the Vietnamese message of a service error; store details go to the cause chain only.
pub(crate) fn user_error(error: ServiceError) -> anyhow::Error {
    anyhow::Error::new(error)
}

pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<()> {
    outln!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Reads a user's document: must exist, be of reasonable size and be UTF-8 text.
pub(crate) fn read_document(path: &Path) -> Result<String> {
    let shown = path.display();
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!("không tìm thấy tệp «{shown}»"),
        Err(e) => return Err(e).with_context(|| format!("không đọc được tệp «{shown}»")),
    };
    if metadata.is_dir() {
        bail!("«{shown}» là thư mục, không phải tệp");
    }
    if metadata.len() > MAX_DOCUMENT_BYTES {
        bail!(
            "tệp «{shown}» quá lớn ({} MB; tối đa {} MB)",
            metadata.len() / 1_048_576,
            MAX_DOCUMENT_BYTES / 1_048_576
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("không đọc được tệp «{shown}»"))?;
    if bytes.contains(&0) {
        bail!("tệp «{shown}» là tệp nhị phân, không phải văn bản; hãy lưu kế hoạch dưới dạng văn bản (.txt, UTF-8)");
    }
    String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("tệp «{shown}» không phải văn bản UTF-8; hãy lưu lại với bảng mã UTF-8"))
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

async fn parse(data: &Path, file: &Path, as_json: bool) -> Result<ExitCode> {
    let text = read_document(file)?;
    // Parsing needs only the agency directory: the data folder's when it exists (so that local
    // edits count), otherwise the embedded one. Nothing is created or written.
    let parsed = if data.join(cchc_services::DATABASE_FILE).exists() {
        open(data).await?.parse(&text)
    } else {
        cchc_services::parse_with_embedded_directory(&text)
    };
    let plausible = parsed.is_plausible_plan();
    if as_json {
        print_json(&json::plan(&parsed.plan, &parsed.diagnostics))?;
    } else {
        print_plan_overview(&parsed.plan);
        print_diagnostics(&parsed.diagnostics, false)?;
    }
    if !plausible {
        errln!(
            "Lỗi: «{}» không phải là một kế hoạch CCHC (không tìm thấy lĩnh vực, chỉ tiêu hay hoạt động nào).",
            file.display()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

async fn import(app: &App, file: &Path, as_json: bool) -> Result<ExitCode> {
    let text = read_document(file)?;
    let report = match app.import_plan_text(&file_name(file), &text, &crate::clock::now().rfc3339()).await {
        Ok(report) => report,
        Err(ServiceError::NotAPlan { diagnostics }) => {
            print_diagnostics(&diagnostics, as_json)?;
            bail!("«{}» không phải là một kế hoạch CCHC; không nhập gì", file.display());
        }
        Err(other) => return Err(user_error(other)),
    };
    let (errors, warnings, _) = diagnostic_counts(&report.diagnostics);
    if as_json {
        #[derive(Serialize)]
        struct Out {
            status: &'static str,
            version: json::VersionJson,
            activities: usize,
            errors: usize,
            warnings: usize,
            /// The version this one amends (the plan's latest before the import), if any.
            amends: Option<json::VersionJson>,
            diff: Option<json::DiffJson>,
            carried: Option<json::CarriedJson>,
            #[serde(flatten)]
            pending: Option<json::CarryPendingJson>,
        }
        let (status, version) = match &report.outcome {
            ImportOutcome::Created(v) => ("created", v),
            ImportOutcome::Unchanged(v) => ("unchanged", v),
        };
        let amendment = report.amendment.as_ref();
        print_json(&Out {
            status,
            version: json::version(version),
            activities: report.activity_count,
            errors,
            warnings,
            amends: amendment.map(|a| json::version(&a.from)),
            diff: amendment.map(|a| json::diff(&a.diff)),
            carried: amendment.map(|a| json::carried(&a.carried)),
            pending: amendment.map(|a| json::pending(&a.pending)),
        })?;
    } else {
        match &report.outcome {
            ImportOutcome::Created(v) => outln!(
                "Đã nhập kế hoạch «{}» ({}), phiên bản {}: {} hoạt động, {} lỗi, {} cảnh báo.",
                v.title,
                v.plan_key,
                v.version,
                report.activity_count,
                errors,
                warnings
            ),
            ImportOutcome::Unchanged(v) => outln!(
                "Tài liệu này đã được nhập trước đó (kế hoạch {}, phiên bản {}); không có thay đổi.",
                v.plan_key,
                v.version
            ),
        }
        if errors + warnings > 0 {
            outln!("Xem chi tiết: cchc plan diagnostics");
        }
        if let Some(amendment) = &report.amendment {
            crate::amend::print_amendment(app, amendment);
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn versions(app: &App, as_json: bool) -> Result<ExitCode> {
    let versions = app.plan_versions().await.map_err(user_error)?;
    if as_json {
        print_json(&versions.iter().map(json::version).collect::<Vec<_>>())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = render::table(&["Mã kế hoạch", "Phiên bản", "Quyết định", "Tệp", "Thời điểm nhập", "Tên kế hoạch"]);
    for v in &versions {
        t.add_row(vec![
            v.plan_key.clone(),
            v.version.to_string(),
            v.decision_number.clone(),
            v.source_name.clone(),
            v.imported_at.clone(),
            v.title.clone(),
        ]);
    }
    outln!("{t}");
    Ok(ExitCode::SUCCESS)
}

async fn overview(app: &App, plan_key: Option<&str>, number: Option<i64>, as_json: bool) -> Result<ExitCode> {
    let (version, plan, diagnostics) = match number {
        None => app.current_plan(plan_key).await.map_err(user_error)?,
        Some(n) => {
            let version = app.plan_version(plan_key, n).await.map_err(user_error)?;
            let (plan, diagnostics) = app.load_version(&version).await.map_err(user_error)?;
            (version, plan, diagnostics)
        }
    };
    if as_json {
        print_json(&json::plan(&plan, &diagnostics))?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!("Kế hoạch {} — phiên bản {} (nhập từ «{}»)", version.plan_key, version.version, version.source_name);
    print_plan_overview(&plan);
    let (errors, warnings, infos) = diagnostic_counts(&diagnostics);
    outln!("Khi nhập: {errors} lỗi, {warnings} cảnh báo, {infos} thông tin (xem: cchc plan diagnostics).");
    outln!("Thử: cchc activities --agency \"Sở Tư pháp\" --overdue --as-of 01/07/2024");
    Ok(ExitCode::SUCCESS)
}

fn print_plan_overview(plan: &Plan) {
    let m = &plan.meta;
    outln!("{}", if m.title.is_empty() { "(không rõ tên kế hoạch)" } else { &m.title });
    let date = m.decision_date.map(|d| d.to_string()).unwrap_or_else(|| "?".into());
    outln!(
        "Quyết định số {} ngày {date}; người ký: {} {}",
        if m.decision_number.is_empty() { "?" } else { &m.decision_number },
        m.signer_title.as_deref().unwrap_or(""),
        m.signer.as_deref().unwrap_or("?")
    );
    let mut t = render::table(&["Lĩnh vực", "Tên", "Chỉ tiêu", "Nhiệm vụ", "Hoạt động"]);
    for a in &plan.areas {
        t.add_row(vec![
            a.code.to_string(),
            a.prose_title.clone().unwrap_or_else(|| a.title.clone()),
            a.targets.len().to_string(),
            a.tasks.len().to_string(),
            a.activities.len().to_string(),
        ]);
    }
    let total = |f: fn(&cchc_domain::Area) -> usize| plan.areas.iter().map(f).sum::<usize>().to_string();
    t.add_row(vec![
        String::new(),
        "Tổng cộng".to_string(),
        total(|a| a.targets.len()),
        total(|a| a.tasks.len()),
        total(|a| a.activities.len()),
    ]);
    outln!("{t}");
    if !plan.reporting_periods.is_empty() {
        let mut t = render::table(&["Kỳ báo cáo", "Mã kỳ", "Chốt số liệu từ", "đến hết ngày", "Hạn gửi báo cáo"]);
        for p in &plan.reporting_periods {
            t.add_row(vec![
                p.name.clone(),
                p.id.to_string(),
                p.data_from.to_string(),
                p.data_to.to_string(),
                p.due.to_string(),
            ]);
        }
        outln!("{t}");
    }
    if let Some(deadline) = plan.own_plan_deadline {
        outln!("Hạn các cơ quan, đơn vị ban hành kế hoạch CCHC của mình: {deadline}");
    }
}

fn print_diagnostics(diagnostics: &[cchc_domain::Diagnostic], as_json: bool) -> Result<()> {
    if as_json {
        return print_json(&diagnostics.iter().map(json::diagnostic).collect::<Vec<_>>());
    }
    if diagnostics.is_empty() {
        outln!("Không có cảnh báo.");
        return Ok(());
    }
    let mut t = render::table(&["Dòng", "Mức độ", "Nội dung"]);
    for d in diagnostics {
        t.add_row(vec![d.line.to_string(), d.severity.label_vn().to_string(), d.message.clone()]);
    }
    outln!("{t}");
    Ok(())
}

async fn activities(app: &App, args: ActivitiesArgs, as_json: bool) -> Result<ExitCode> {
    let (_, plan, _) = app.current_plan(args.plan.plan.as_deref()).await.map_err(user_error)?;
    let agency = match &args.agency {
        Some(name) => Some(app.resolve_agency(name).map_err(user_error)?.clone()),
        None => None,
    };
    if args.as_of.is_some() && !args.overdue {
        bail!("--as-of chỉ dùng cùng --overdue");
    }
    if let (Some(from), Some(to)) = (args.due_from, args.due_to) {
        if from > to {
            bail!("--due-from ({from}) phải không sau --due-to ({to})");
        }
    }
    let as_of = args.overdue.then(|| args.as_of.unwrap_or_else(crate::clock::today));
    let filter = ActivityFilter {
        area: args.area,
        agency: agency.as_ref().map(|a| a.id.clone()),
        due_from: args.due_from,
        due_to: args.due_to,
        overdue_as_of: as_of,
    };
    let selected = select_activities(&plan, app.directory(), &filter);
    if as_json {
        print_json(&selected.iter().map(json::selected).collect::<Vec<_>>())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut header = vec!["Mã", "Hoạt động", "Chủ trì"];
    if agency.is_some() {
        header.push("Vai trò");
    }
    header.push(if as_of.is_some() { "Mốc quá hạn" } else { "Thời hạn" });
    let mut t = render::table(&header);
    for s in &selected {
        let mut row = vec![
            format!("{}.{}", s.area.code, s.activity.number),
            render::short(&s.activity.title, 120),
            s.activity.lead.iter().map(|r| r.text.as_str()).collect::<Vec<_>>().join("; "),
        ];
        if let Some(role) = s.role {
            row.push(role.label_vn().to_string());
        }
        row.push(if as_of.is_some() {
            render::milestones(&s.overdue)
        } else if s.milestones.is_empty() {
            s.activity.schedule.text.clone()
        } else {
            render::milestones(&s.milestones)
        });
        t.add_row(row);
    }
    if let Some(a) = &agency {
        outln!("Cơ quan: {} ({})", a.name, a.id);
    }
    if let Some(d) = as_of {
        outln!("Các hoạt động có mốc đã quá hạn tính đến ngày {d} (chưa có dữ liệu tiến độ, mọi mốc đã qua hạn được coi là quá hạn):");
    }
    outln!("{t}");
    outln!("{} hoạt động.", selected.len());
    Ok(ExitCode::SUCCESS)
}

async fn targets(app: &App, args: TargetsArgs, as_json: bool) -> Result<ExitCode> {
    let (_, plan, _) = app.current_plan(args.plan.plan.as_deref()).await.map_err(user_error)?;
    let areas: Vec<_> = plan.areas.iter().filter(|a| args.area.is_none_or(|c| c == a.code)).collect();
    if as_json {
        #[derive(Serialize)]
        struct Row {
            area: &'static str,
            number: usize,
            #[serde(flatten)]
            target: json::TargetJson,
        }
        let rows: Vec<Row> = areas
            .iter()
            .flat_map(|a| {
                a.targets.iter().enumerate().map(|(i, t)| Row {
                    area: a.code.as_str(),
                    number: i + 1,
                    target: json::target(t),
                })
            })
            .collect();
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = render::table(&["Lĩnh vực", "STT", "Chỉ tiêu", "Ngưỡng"]);
    let mut count = 0;
    for a in &areas {
        for (i, target) in a.targets.iter().enumerate() {
            count += 1;
            t.add_row(vec![
                a.code.to_string(),
                (i + 1).to_string(),
                render::short(&target.text, 160),
                render::thresholds(target),
            ]);
        }
    }
    outln!("{t}");
    outln!("{count} chỉ tiêu.");
    Ok(ExitCode::SUCCESS)
}

async fn agencies(app: &App, args: AgenciesArgs, as_json: bool) -> Result<ExitCode> {
    match args.command {
        Some(AgenciesCommand::Export { out }) => {
            let document = app.export_directory();
            match out {
                Some(path) => {
                    std::fs::write(&path, document)
                        .with_context(|| format!("không ghi được tệp «{}»", path.display()))?;
                    errln!("Đã ghi danh mục (phiên bản {}) ra «{}».", app.directory_version(), path.display());
                }
                None => outln!("{}", document.trim_end()),
            }
            return Ok(ExitCode::SUCCESS);
        }
        Some(AgenciesCommand::Import { file, note }) => return agencies_import(app, &file, &note, as_json).await,
        None => {}
    }
    let (directory, when) = if args.all {
        (app.directory(), None)
    } else {
        let date = args.as_of.unwrap_or_else(crate::clock::today);
        (app.directory_on(date), Some(date))
    };
    let list = directory.search(args.search.as_deref().unwrap_or(""));
    if as_json {
        print_json(&list.iter().map(|a| AgencyDto::new(a, directory)).collect::<Vec<_>>())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = render::table(&["Mã", "Tên", "Loại", "Cấp", "Mã thống kê", "Thuộc", "Hiệu lực", "Kế thừa"]);
    let full = app.directory();
    for a in &list {
        let parent = a.parent.as_ref().and_then(|p| directory.agency(p)).map(|p| p.name.clone()).unwrap_or_default();
        let v = &a.validity;
        let validity = match (v.from, v.until) {
            (None, None) => String::new(),
            (Some(from), None) => format!("từ {}", from.vn()),
            (None, Some(until)) => format!("đến {}", until.vn()),
            (Some(from), Some(until)) => format!("{} – {}", from.vn(), until.vn()),
        };
        let successors: Vec<String> =
            v.successors.iter().map(|s| full.agency(s).map_or_else(|| s.to_string(), |x| x.name.clone())).collect();
        t.add_row(vec![
            a.id.to_string(),
            a.name.clone(),
            a.kind.label_vn().to_string(),
            a.level.label_vn().to_string(),
            a.gso_code.map(|c| format!("{c:05}")).unwrap_or_default(),
            parent,
            validity,
            successors.join(", "),
        ]);
    }
    outln!("{t}");
    let count = |kind: AgencyKind| list.iter().filter(|a| a.kind == kind).count();
    let what = format!(
        "{} cơ quan, đơn vị ({} sở, ban, ngành; {} UBND cấp huyện; {} UBND cấp xã)",
        list.len(),
        count(AgencyKind::Department),
        count(AgencyKind::District),
        count(AgencyKind::Commune)
    );
    match when {
        Some(date) => outln!("{what} tồn tại ngày {}; danh mục phiên bản {}.", date.vn(), app.directory_version()),
        None => outln!("{what} qua các thời kỳ; danh mục phiên bản {}.", app.directory_version()),
    }
    Ok(ExitCode::SUCCESS)
}

async fn agencies_import(app: &App, file: &Path, note: &str, as_json: bool) -> Result<ExitCode> {
    let text = read_document(file)?;
    let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
    match app.import_directory(&user, &text, note, &crate::clock::now().rfc3339()).await {
        Ok(imported) => {
            for d in &imported.diagnostics {
                errln!("{d}");
            }
            if as_json {
                print_json(&serde_json::json!({
                    "version": imported.version,
                    "agencies": imported.agencies,
                    "groups": imported.groups,
                    "warnings": imported.diagnostics.len(),
                }))?;
            } else {
                match imported.version {
                    Some(version) => outln!(
                        "Đã nạp danh mục phiên bản {version}: {} cơ quan, đơn vị và {} nhóm. Ứng dụng web đang chạy dùng danh mục mới sau khi khởi động lại.",
                        imported.agencies,
                        imported.groups
                    ),
                    None => outln!("Danh mục không thay đổi; không tạo phiên bản mới."),
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ServiceError::Invalid(problems)) => {
            for p in &problems {
                errln!("{p}");
            }
            bail!("danh mục có {} lỗi; không nạp gì", problems.len())
        }
        Err(other) => Err(user_error(other)),
    }
}

fn calendar(command: CalendarCommand, as_json: bool) -> Result<ExitCode> {
    let calendar = WorkCalendar::vietnam();
    match command {
        CalendarCommand::Workdays { from, to } => {
            if from > to {
                bail!("ngày bắt đầu ({from}) sau ngày kết thúc ({to})");
            }
            let n = calendar.working_days_between(from, to);
            if as_json {
                print_json(&serde_json::json!({ "workdays": n }))?;
            } else {
                outln!("Từ {from} đến {to} có {n} ngày làm việc (tính cả hai đầu).");
            }
        }
        CalendarCommand::Add { from, days } => {
            if days > 100_000 {
                bail!("số ngày quá lớn: {days} (tối đa 100000)");
            }
            let date = calendar.add_working_days(from, days);
            if as_json {
                print_json(&serde_json::json!({ "date": date.iso() }))?;
            } else {
                outln!("{days} ngày làm việc kể từ {from} (không tính ngày {from}): {} ({})", date, date.weekday_vn());
            }
        }
        CalendarCommand::Holidays { year } => {
            let days_off = calendar.days_off(year);
            let makeup = calendar.makeup_days(year);
            if as_json {
                #[derive(Serialize)]
                struct Makeup {
                    date: String,
                    weekday: &'static str,
                    name: String,
                }
                #[derive(Serialize)]
                struct Out {
                    year: i32,
                    days_off: Vec<json::DayOffJson>,
                    makeup_working_days: Vec<Makeup>,
                }
                print_json(&Out {
                    year,
                    days_off: days_off.iter().map(json::day_off).collect(),
                    makeup_working_days: makeup
                        .iter()
                        .map(|(d, name)| Makeup { date: d.iso(), weekday: d.weekday_vn(), name: name.clone() })
                        .collect(),
                })?;
            } else {
                let mut t = render::table(&["Ngày", "Thứ", "Ngày nghỉ"]);
                for d in &days_off {
                    t.add_row(vec![d.date.to_string(), d.date.weekday_vn().to_string(), d.name.clone()]);
                }
                outln!("Các ngày nghỉ (ngoài Thứ Bảy, Chủ nhật) của cán bộ, công chức năm {year}:");
                outln!("{t}");
                if !makeup.is_empty() {
                    let mut t = render::table(&["Ngày", "Thứ", "Làm bù"]);
                    for (d, name) in &makeup {
                        t.add_row(vec![d.to_string(), d.weekday_vn().to_string(), name.clone()]);
                    }
                    outln!("Ngày làm việc bù:");
                    outln!("{t}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(data: &Path, args: ServeArgs) -> Result<ExitCode> {
    let app = open(data).await?;
    let now = crate::clock::system_now();
    if let Some(password) = app.ensure_first_admin(now).await.map_err(user_error)? {
        outln!("Đã tạo tài khoản quản trị đầu tiên.");
        outln!("  Tên đăng nhập: admin");
        outln!("  Mật khẩu:      {password}");
        outln!("  (Mật khẩu chỉ hiển thị một lần; hãy lưu lại.)");
    }
    let state = cchc_web::AppState {
        app: std::sync::Arc::new(app),
        files_dir: data.join("files"),
        clock: cchc_web::Clock::System,
        secure_cookies: args.secure_cookies,
        trusted_proxies: args.trusted_proxies.into(),
    };
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("không mở được địa chỉ {} (cổng đang bận hoặc không có quyền)", args.addr))?;
    let bound = listener.local_addr().unwrap_or(args.addr);
    outln!("Đang phục vụ tại http://{bound} (dữ liệu: {}). Nhấn Ctrl-C để dừng.", data.display());
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    cchc_web::serve(listener, state, cchc_web::RouterOptions { response_cache: !args.no_response_cache })
        .await
        .context("máy chủ web dừng vì lỗi")?;
    Ok(ExitCode::SUCCESS)
}

async fn user(app: &App, command: UserCommand, as_json: bool) -> Result<ExitCode> {
    match command {
        UserCommand::Add { username, role, agency, name, password_stdin: _ } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).context("không đọc được mật khẩu từ đầu vào chuẩn")?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            let role = cchc_domain::account::UserRole::parse(&role).context("vai trò không hợp lệ")?;
            let agency = match agency {
                Some(text) => Some(app.resolve_agency(&text).map_err(user_error)?.id.clone()),
                None => None,
            };
            let account = cchc_services::accounts::NewAccount {
                username: username.clone(),
                display_name: name.unwrap_or_default(),
                role,
                agency,
                password,
            };
            let user = app.create_account(&account, crate::clock::now()).await.map_err(user_error)?;
            if as_json {
                print_json(&serde_json::json!({
                    "id": user.id.0, "username": user.username, "role": user.role.as_str(),
                    "agency": user.agency.as_ref().map(|a| a.to_string()),
                }))?;
            } else {
                outln!("Đã tạo tài khoản «{}» ({}).", user.username, user.role.label_vn());
            }
        }
        UserCommand::Deactivate { username } => set_active(app, &username, false, as_json).await?,
        UserCommand::Reactivate { username } => set_active(app, &username, true, as_json).await?,
        UserCommand::ResetPassword { username } => {
            let now = crate::clock::now();
            let actor = app.command_line_user(now).await.map_err(user_error)?;
            let change = app.reset_password(&actor, &username, None, now).await.map_err(user_error)?;
            let password = change.password.unwrap_or_default();
            if as_json {
                print_json(&serde_json::json!({"username": change.user.username, "password": password}))?;
            } else {
                println!("Đã đặt lại mật khẩu của «{}».", change.user.username);
                println!("  Mật khẩu mới: {password}");
                println!("  (Chỉ hiển thị một lần; người dùng được yêu cầu đổi khi đăng nhập.)");
            }
        }
        UserCommand::List => {
            let users = app.accounts_for_operator().await.map_err(user_error)?;
            if as_json {
                /// An account as the API lists it, with its id.
                #[derive(Serialize)]
                struct Row {
                    id: i64,
                    #[serde(flatten)]
                    account: AccountDto,
                }
                let list: Vec<Row> =
                    users.iter().map(|u| Row { id: u.id.0, account: AccountDto::new(u, app.directory()) }).collect();
                print_json(&list)?;
            } else {
                let mut t = render::table(&["Tên đăng nhập", "Họ tên", "Vai trò", "Cơ quan", "Hoạt động"]);
                for u in &users {
                    t.add_row(vec![
                        u.username.clone(),
                        u.display_name.clone(),
                        u.role.label_vn().to_string(),
                        u.agency.as_ref().map(|a| app.agency_name(a)).unwrap_or_default(),
                        if u.active { "có" } else { "khóa" }.to_string(),
                    ]);
                }
                outln!("{t}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `cchc user deactivate|reactivate`: as the command line's administrator account (audited).
async fn set_active(app: &App, username: &str, active: bool, as_json: bool) -> Result<()> {
    let now = crate::clock::now();
    let actor = app.command_line_user(now).await.map_err(user_error)?;
    let user = app.set_account_active(&actor, username, active, now).await.map_err(user_error)?;
    if as_json {
        print_json(&serde_json::json!({"username": user.username, "active": user.active}))?;
    } else if user.active {
        println!("Đã mở khóa tài khoản «{}».", user.username);
    } else {
        println!("Đã khóa tài khoản «{}»; các phiên đăng nhập của tài khoản đã kết thúc.", user.username);
    }
    Ok(())
}

async fn indicators(app: &App, as_json: bool) -> Result<ExitCode> {
    let catalogue = app.catalogue().await.map_err(user_error)?;
    if as_json {
        /// The catalogue as `GET /api/indicators` answers it, with the diagnostics of its loading.
        #[derive(Serialize)]
        struct Out {
            #[serde(flatten)]
            catalogue: CatalogueDto,
            diagnostics: Vec<json::DiagnosticJson>,
        }
        let (_, plan, _) = app.current_plan(None).await.map_err(user_error)?;
        let area_title =
            |code: AreaCode| plan.area(code).map_or_else(|| code.standard_name_vn().to_string(), |a| a.title.clone());
        print_json(&Out {
            catalogue: CatalogueDto {
                version: catalogue.version,
                indicators: catalogue.indicators.iter().map(|i| IndicatorDto::new(i, area_title(i.area))).collect(),
                rules: catalogue.rules.iter().map(RuleDto::new).collect(),
            },
            diagnostics: catalogue.diagnostics.iter().map(json::diagnostic).collect(),
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = render::table(&["Mã", "Chỉ tiêu", "Tử số", "Mẫu số", "Ngưỡng", "Đơn vị báo cáo"]);
    for i in &catalogue.indicators {
        t.add_row(vec![
            i.code.to_string(),
            i.name.clone(),
            i.numerator.clone(),
            i.denominator.clone(),
            i.thresholds.iter().map(json::level_threshold_vn).collect::<Vec<_>>().join("\n"),
            i.reporters.iter().map(|k| k.label_vn()).collect::<Vec<_>>().join(", "),
        ]);
    }
    outln!("{t}");
    outln!(
        "{} chỉ tiêu, {} quy tắc kiểm tra (phiên bản danh mục: {}).",
        catalogue.indicators.len(),
        catalogue.rules.len(),
        if catalogue.version == 0 {
            "mặc định theo kế hoạch".to_string()
        } else {
            catalogue.version.to_string()
        }
    );
    Ok(ExitCode::SUCCESS)
}
