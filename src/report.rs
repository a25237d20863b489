use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use cchc_domain::{AgencyId, Date, PeriodId};
use cchc_services::App;
use serde::Serialize;

use crate::cli::{IndicatorsCommand, ReportCommand};
use crate::render;

pub async fn run(app: &App, command: ReportCommand, as_json: bool) -> Result<ExitCode> {
    match command {
        ReportCommand::Status { period } => status(app, period, as_json).await,
        ReportCommand::Form { agency, period, out } => form(app, &agency, period, &out, as_json).await,
        ReportCommand::Submit { agency, period, file } => submit(app, &agency, period, &file, as_json).await,
        ReportCommand::Consolidate { period, out, date } => consolidate(app, period, &out, date, as_json).await,
    }
}

fn agency_id(app: &App, text: &str) -> Result<AgencyId> {
    Ok(app.resolve_agency(text).map_err(anyhow::Error::new)?.id.clone())
}

fn now() -> cchc_domain::Timestamp {
    cchc_web::Clock::System.now()
}

async fn form(app: &App, agency: &str, period: PeriodId, out: &Path, as_json: bool) -> Result<ExitCode> {
    let agency = agency_id(app, agency)?;
    let form = app.report_form(&agency, period).await.map_err(anyhow::Error::new)?;
    let current = app.current().await.map_err(anyhow::Error::new)?;
    let content = app
        .store()
        .report(current.version.id, &agency, period)
        .await
        .map_err(|e| anyhow::Error::new(cchc_services::ServiceError::from(e)))?
        .map(|r| r.content);
    let is_csv = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let bytes = if is_csv {
        cchc_documents::form::write_content_csv(&form, &content.clone().unwrap_or_default()).into_bytes()
    } else {
        cchc_documents::form::write_form(&form, content.as_ref()).map_err(|e| anyhow::anyhow!("{e}"))?
    };
    std::fs::write(out, &bytes).with_context(|| format!("không ghi được tệp «{}»", out.display()))?;
    if as_json {
        println!(
            "{}",
            serde_json::json!({"file": out.display().to_string(), "agency": agency.as_str(), "period": period.to_string(),
                "indicators": form.indicators.len(), "bytes": bytes.len()})
        );
    } else {
        println!(
            "Đã ghi biểu mẫu {} của {} ({} chỉ tiêu) vào «{}». Hạn gửi: {}.",
            period.label_vn(),
            form.agency_name,
            form.indicators.len(),
            out.display(),
            form.period.due
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn submit(app: &App, agency: &str, period: PeriodId, file: &Path, as_json: bool) -> Result<ExitCode> {
    let agency = agency_id(app, agency)?;
    let form = app.report_form(&agency, period).await.map_err(anyhow::Error::new)?;
    let metadata = std::fs::metadata(file).with_context(|| format!("không tìm thấy tệp «{}»", file.display()))?;
    if metadata.len() > cchc_documents::form::MAX_FORM_BYTES as u64 {
        bail!("tệp «{}» quá lớn (tối đa {} MB)", file.display(), cchc_documents::form::MAX_FORM_BYTES / 1_048_576);
    }
    let bytes = std::fs::read(file).with_context(|| format!("không đọc được tệp «{}»", file.display()))?;
    let is_csv = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let read = if is_csv {
        let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("tệp CSV không phải văn bản UTF-8"))?;
        cchc_documents::form::read_content_csv(&text, &form)
    } else {
        cchc_documents::form::read_form(&bytes, &form)
    };
    let (content, diagnostics) = read.map_err(|e| anyhow::anyhow!("{e}; không lưu gì"))?;
    for d in &diagnostics {
        eprintln!("{d}");
    }
    let user = app.command_line_user(now()).await.map_err(anyhow::Error::new)?;
    let saved = app.save_report(&user, &agency, period, &content, now()).await.map_err(anyhow::Error::new)?;
    for v in &saved.violations {
        let level = match v.importance {
            cchc_domain::reporting::Importance::Error => "lỗi",
            cchc_domain::reporting::Importance::Warning => "cảnh báo",
        };
        eprintln!("{level}: {}", v.message);
    }
    let report = app
        .submit_report(&user, &agency, period, now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}\nĐã lưu bản nháp; sửa các lỗi trên rồi nộp lại"))?;
    if as_json {
        println!(
            "{}",
            serde_json::json!({"agency": agency.as_str(), "period": period.to_string(), "status": report.status.as_str(),
                "late": report.late, "submitted_on": report.submitted_on.map(Date::iso),
                "warnings": saved.violations.len(), "diagnostics": diagnostics.len()})
        );
    } else {
        println!(
            "Đã nộp báo cáo {} của {}{}.",
            period.label_vn(),
            form.agency_name,
            if report.late { " (nộp muộn)" } else { "" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn consolidate(app: &App, period: PeriodId, out: &Path, date: Option<Date>, as_json: bool) -> Result<ExitCode> {
    let date = date.unwrap_or_else(|| now().date_in_vietnam());
    let report = app.consolidate(period, date).await.map_err(anyhow::Error::new)?;
    let docx = cchc_documents::docx::consolidated_docx(&report).map_err(|e| anyhow::anyhow!("{e}"))?;
    let annex = cchc_documents::annex::consolidated_annex_xlsx(&report).map_err(|e| anyhow::anyhow!("{e}"))?;
    let annex_path = out.with_extension("xlsx");
    std::fs::write(out, &docx).with_context(|| format!("không ghi được tệp «{}»", out.display()))?;
    std::fs::write(&annex_path, &annex).with_context(|| format!("không ghi được tệp «{}»", annex_path.display()))?;
    if as_json {
        println!(
            "{}",
            serde_json::json!({"docx": out.display().to_string(), "annex": annex_path.display().to_string(),
                "indicators": report.indicators.len(), "late": report.late_agencies.len(), "missing": report.missing_agencies.len()})
        );
    } else {
        println!("Đã ghi báo cáo tổng hợp «{}» và phụ lục «{}».", out.display(), annex_path.display());
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct GroupJson {
    group: String,
    expected: usize,
    submitted: usize,
    on_time: usize,
    missing: usize,
    submitted_percent: f64,
    on_time_percent: f64,
}

async fn status(app: &App, period: PeriodId, as_json: bool) -> Result<ExitCode> {
    let status = app.report_status(period).await.map_err(anyhow::Error::new)?;
    let group = |label: &str, c: &cchc_domain::reporting::Completeness| GroupJson {
        group: label.to_string(),
        expected: c.expected,
        submitted: c.submitted,
        on_time: c.on_time,
        missing: c.missing.len(),
        submitted_percent: c.submitted_percent(),
        on_time_percent: c.on_time_percent(),
    };
    if as_json {
        let agencies: Vec<_> = status
            .agencies
            .iter()
            .map(|(a, r)| {
                serde_json::json!({
                    "agency": a.id.as_str(), "name": a.name, "kind": a.kind.as_str(),
                    "status": r.as_ref().map_or("missing", |r| r.status.as_str()),
                    "submitted_on": r.as_ref().and_then(|r| r.submitted_on).map(|d| d.iso()),
                    "late": r.as_ref().is_some_and(|r| r.late),
                })
            })
            .collect();
        let out = serde_json::json!({
            "period": status.period.id.to_string(),
            "due": status.period.due.iso(),
            "data_from": status.period.data_from.iso(),
            "data_to": status.period.data_to.iso(),
            "expected": status.overall.expected,
            "submitted": status.overall.submitted,
            "on_time": status.overall.on_time,
            "missing": status.overall.missing.len(),
            "groups": status.groups.iter().map(|g| group(&g.label, &g.completeness)).collect::<Vec<_>>(),
            "agencies": agencies,
        });
        println!("{}", serde_json::to_string_pretty(&out).context("JSON")?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Kỳ báo cáo {} — chốt số liệu {} đến {}, hạn gửi {}",
        status.period.id.label_vn(),
        status.period.data_from,
        status.period.data_to,
        status.period.due
    );
    let mut t = render::table(&["Nhóm", "Phải nộp", "Đã nộp", "Đúng hạn", "Chưa nộp", "Tỷ lệ nộp", "Tỷ lệ đúng hạn"]);
    let mut rows: Vec<GroupJson> = status.groups.iter().map(|g| group(&g.label, &g.completeness)).collect();
    rows.push(group("Tổng cộng", &status.overall));
    for r in rows {
        t.add_row(vec![
            r.group,
            r.expected.to_string(),
            r.submitted.to_string(),
            r.on_time.to_string(),
            r.missing.to_string(),
            format!("{}%", render::number((r.submitted_percent * 10.0).round() / 10.0)),
            format!("{}%", render::number((r.on_time_percent * 10.0).round() / 10.0)),
        ]);
    }
    println!("{t}");
    Ok(ExitCode::SUCCESS)
}

/// `cchc indicators export|import`: the catalogue is data an administrator edits.
pub async fn indicators_command(app: &App, command: IndicatorsCommand, as_json: bool) -> Result<ExitCode> {
    match command {
        IndicatorsCommand::Export { out, rules_out } => {
            let (version, catalogue, rules) = app.catalogue_sources().await.map_err(anyhow::Error::new)?;
            std::fs::write(&out, catalogue).with_context(|| format!("không ghi được tệp «{}»", out.display()))?;
            std::fs::write(&rules_out, rules)
                .with_context(|| format!("không ghi được tệp «{}»", rules_out.display()))?;
            if as_json {
                println!(
                    "{}",
                    serde_json::json!({"version": version, "catalogue": out.display().to_string(), "rules": rules_out.display().to_string()})
                );
            } else {
                println!(
                    "Đã ghi danh mục (phiên bản {version}) vào «{}» và quy tắc vào «{}».",
                    out.display(),
                    rules_out.display()
                );
            }
        }
        IndicatorsCommand::Import { file, rules, note } => {
            let read = |path: &Path| -> Result<String> {
                std::fs::read_to_string(path)
                    .with_context(|| format!("không đọc được tệp «{}» (cần văn bản UTF-8)", path.display()))
            };
            let catalogue = read(&file)?;
            let rules = match rules {
                Some(path) => read(&path)?,
                None => app.catalogue_sources().await.map_err(anyhow::Error::new)?.2,
            };
            let user = app.command_line_user(now()).await.map_err(anyhow::Error::new)?;
            match app.import_catalogue(&user, &catalogue, &rules, &note, now()).await {
                Ok((version, diagnostics)) => {
                    for d in &diagnostics {
                        eprintln!("{d}");
                    }
                    if as_json {
                        println!("{}", serde_json::json!({"version": version, "warnings": diagnostics.len()}));
                    } else {
                        println!("Đã nạp danh mục chỉ tiêu phiên bản {version}.");
                    }
                }
                Err(cchc_services::ServiceError::Invalid(problems)) => {
                    for p in &problems {
                        eprintln!("{p}");
                    }
                    bail!("danh mục có lỗi; không nạp gì");
                }
                Err(other) => return Err(anyhow::Error::new(other)),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
