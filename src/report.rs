//! `cchc report …` and `cchc indicators …`: the reporting cycle from the command line, through
//! the services only, as the command-line administrator. JSON answers reuse the API's wire
//! types, so a script reads the same fields from both.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use cchc_documents::form::{FormKind, FormReading};
use cchc_domain::account::User;
use cchc_domain::number::{count_vn, Percent1};
use cchc_domain::reporting::{level_label, Completeness, DocumentSettings};
use cchc_domain::{AgencyId, Date, PeriodId, Severity};
use cchc_services::reporting::DocumentOptions;
use cchc_services::{App, ServiceError};
use cchc_web::api::reports::{result_rows, AgencyStatusDto, CompletenessDto, ExtensionDto, PeriodDto, ReportDto};

use crate::cli::{IndicatorsCommand, ReportCommand};
use crate::render;

pub async fn run(app: &App, command: ReportCommand, as_json: bool) -> Result<ExitCode> {
    let user = app.command_line_user(crate::clock::now()).await.map_err(anyhow::Error::new)?;
    match command {
        ReportCommand::Status { period } => status(app, &user, period, as_json).await,
        ReportCommand::Results { period } => results(app, &user, period, as_json).await,
        ReportCommand::Form { agency, period, out } => form(app, &user, &agency, period, &out, as_json).await,
        ReportCommand::Submit { agency, period, file } => submit(app, &user, &agency, period, &file, as_json).await,
        ReportCommand::Accept { period, agency } => {
            let id = agency_id(app, &agency)?;
            let report =
                app.accept_report(&user, &id, period, crate::clock::now()).await.map_err(anyhow::Error::new)?;
            done(app, &user, &id, period, &report, "Đã tiếp nhận báo cáo", as_json).await
        }
        ReportCommand::Return { period, agency, reason } => {
            let id = agency_id(app, &agency)?;
            let report = app
                .return_report(&user, &id, period, &reason, crate::clock::now())
                .await
                .map_err(anyhow::Error::new)?;
            done(app, &user, &id, period, &report, "Đã trả lại báo cáo", as_json).await
        }
        ReportCommand::Receive { period, agency, date, reason } => {
            let id = agency_id(app, &agency)?;
            let report = app
                .record_receipt(&user, &id, period, date, &reason, crate::clock::now())
                .await
                .map_err(anyhow::Error::new)?;
            done(app, &user, &id, period, &report, &format!("Đã ghi nhận ngày nhận {date}"), as_json).await
        }
        ReportCommand::Extend { period, agency, until, reason } => {
            let id = agency_id(app, &agency)?;
            let extension = app
                .grant_extension(&user, &id, period, until, &reason, crate::clock::now())
                .await
                .map_err(anyhow::Error::new)?;
            if as_json {
                outln!("{}", serde_json::to_string_pretty(&ExtensionDto::new(&extension)).context("JSON")?);
            } else {
                outln!(
                    "Đã gia hạn báo cáo {} của {} đến ngày {}.",
                    period.label_vn(),
                    app.agency_name(&id),
                    extension.until
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ReportCommand::Consolidate { period, out, date, number, signer, signer_title, recipients } => {
            let options = DocumentOptions {
                number,
                signer_name: signer,
                signer_title: signer_title.map(|t| split_lines(&t)),
                recipients: recipients.map(|r| split_lines(&r)),
            };
            consolidate(app, &user, period, &out, date, &options, as_json).await
        }
        ReportCommand::Settings { signer, signer_title, recipients } => {
            settings(app, &user, signer, signer_title, recipients, as_json).await
        }
    }
}

fn split_lines(text: &str) -> Vec<String> {
    text.split('|').map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

fn agency_id(app: &App, text: &str) -> Result<AgencyId> {
    Ok(app.resolve_agency(text).map_err(anyhow::Error::new)?.id.clone())
}

async fn done(
    app: &App,
    user: &User,
    agency: &AgencyId,
    period: PeriodId,
    report: &cchc_domain::reporting::Report,
    what: &str,
    as_json: bool,
) -> Result<ExitCode> {
    let detail = app.report_detail(user, agency, period).await.map_err(anyhow::Error::new)?;
    if as_json {
        let dto = ReportDto::new(&period.to_string(), &detail.agency, Some(report), detail.form.due);
        outln!("{}", serde_json::to_string_pretty(&dto).context("JSON")?);
    } else {
        outln!("{what}: {} — {} ({}).", detail.agency.name, period.label_vn(), report.status.label_vn());
    }
    Ok(ExitCode::SUCCESS)
}

async fn form(app: &App, user: &User, agency: &str, period: PeriodId, out: &Path, as_json: bool) -> Result<ExitCode> {
    let agency = agency_id(app, agency)?;
    let detail = app.report_detail(user, &agency, period).await.map_err(anyhow::Error::new)?;
    let content = detail.report.map(|r| r.content);
    let is_csv = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let form = detail.form;
    let bytes = if is_csv {
        cchc_documents::form::write_content_csv(&form, &content.clone().unwrap_or_default()).into_bytes()
    } else {
        cchc_documents::form::write_form(&form, content.as_ref()).map_err(|e| anyhow::anyhow!("{e}"))?
    };
    std::fs::write(out, &bytes).with_context(|| format!("không ghi được tệp «{}»", out.display()))?;
    if as_json {
        outln!(
            "{}",
            serde_json::json!({"file": out.display().to_string(), "agency": agency.as_str(), "period": period.to_string(),
                "indicators": form.indicators.len(), "bytes": bytes.len(), "due": form.due.iso()})
        );
    } else {
        outln!(
            "Đã ghi biểu mẫu {} của {} ({} chỉ tiêu) vào «{}». Hạn gửi: {}.",
            period.label_vn(),
            form.agency_name,
            form.indicators.len(),
            out.display(),
            form.due
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn submit(
    app: &App,
    user: &User,
    agency: &str,
    period: PeriodId,
    file: &Path,
    as_json: bool,
) -> Result<ExitCode> {
    let agency = agency_id(app, agency)?;
    let form = app.report_form(&agency, period).await.map_err(anyhow::Error::new)?;
    let kind =
        if file.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) { FormKind::Csv } else { FormKind::Xlsx };
    let metadata = std::fs::metadata(file).with_context(|| format!("không tìm thấy tệp «{}»", file.display()))?;
    if metadata.len() > kind.max_bytes() as u64 {
        bail!("{}", cchc_documents::form::FormError::TooLarge { size: metadata.len() as usize, kind });
    }
    let bytes = std::fs::read(file).with_context(|| format!("không đọc được tệp «{}»", file.display()))?;
    let read = match kind {
        FormKind::Csv => cchc_documents::form::read_content_csv(&bytes, &form),
        FormKind::Xlsx => cchc_documents::form::read_form(&bytes, &form),
    };
    let reading: FormReading = read.map_err(|e| anyhow::anyhow!("{e}; không lưu gì"))?;
    for d in &reading.diagnostics {
        errln!("{d}");
    }
    if reading.has_errors() {
        let count = reading.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        bail!("tệp có {count} ô không hợp lệ (liệt kê ở trên); không lưu gì, hãy sửa tệp rồi nộp lại");
    }
    let saved = app
        .save_upload(user, &agency, period, &reading.content, &reading.narrative_areas, crate::clock::now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}; không lưu gì"))?;
    for v in &saved.violations {
        let level = match v.importance {
            cchc_domain::reporting::Importance::Error => "lỗi",
            cchc_domain::reporting::Importance::Warning => "cảnh báo",
        };
        errln!("{level}: {}", v.message);
    }
    let report = app
        .submit_report(user, &agency, period, crate::clock::now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}\nĐã lưu bản nháp; sửa các lỗi trên rồi nộp lại"))?;
    let late = report.is_late(form.due);
    if as_json {
        let mut dto = serde_json::to_value(ReportDto::new(
            &period.to_string(),
            &app.reporting_agency(&agency)?,
            Some(&report),
            form.due,
        ))
        .context("JSON")?;
        if let Some(map) = dto.as_object_mut() {
            map.insert("warnings".into(), saved.violations.len().into());
            map.insert("diagnostics".into(), reading.diagnostics.len().into());
        }
        outln!("{}", serde_json::to_string_pretty(&dto).context("JSON")?);
    } else {
        outln!(
            "Đã nộp báo cáo {} của {}{}; báo cáo đang chờ Sở Nội vụ tiếp nhận.",
            period.label_vn(),
            form.agency_name,
            if late { " (trễ hạn)" } else { "" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn consolidate(
    app: &App,
    user: &User,
    period: PeriodId,
    out: &Path,
    date: Option<Date>,
    options: &DocumentOptions,
    as_json: bool,
) -> Result<ExitCode> {
    let date = date.unwrap_or_else(|| crate::clock::now().date_in_vietnam());
    let report = app.consolidate(user, period, date, options).await.map_err(anyhow::Error::new)?;
    let docx = cchc_documents::docx::consolidated_docx(&report).map_err(|e| anyhow::anyhow!("{e}"))?;
    let annex = cchc_documents::annex::consolidated_annex_xlsx(&report).map_err(|e| anyhow::anyhow!("{e}"))?;
    let as_pdf = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    let document =
        if as_pdf { cchc_documents::pdf::docx_to_pdf(&docx).map_err(|e| anyhow::anyhow!("{e}"))? } else { docx };
    let annex_path = out.with_extension("xlsx");
    std::fs::write(out, &document).with_context(|| format!("không ghi được tệp «{}»", out.display()))?;
    std::fs::write(&annex_path, &annex).with_context(|| format!("không ghi được tệp «{}»", annex_path.display()))?;
    if as_json {
        outln!(
            "{}",
            serde_json::json!({"document": out.display().to_string(), "annex": annex_path.display().to_string(),
                "number": report.settings.number, "indicators": report.indicators.len(),
                "late": report.late.len(), "not_submitted": report.not_submitted.len(), "returned": report.returned.len()})
        );
    } else {
        outln!("Đã ghi báo cáo tổng hợp «{}» và phụ lục «{}».", out.display(), annex_path.display());
        outln!("{}", report.sources.sentence_vn());
    }
    Ok(ExitCode::SUCCESS)
}

async fn settings(
    app: &App,
    user: &User,
    signer: Option<String>,
    signer_title: Option<String>,
    recipients: Option<String>,
    as_json: bool,
) -> Result<ExitCode> {
    let mut current = app.document_settings().await.map_err(anyhow::Error::new)?;
    if signer.is_some() || signer_title.is_some() || recipients.is_some() {
        let updated = DocumentSettings {
            number: String::new(),
            signer_name: signer.unwrap_or(current.signer_name),
            signer_title: signer_title.map(|t| split_lines(&t)).unwrap_or(current.signer_title),
            recipients: recipients.map(|r| split_lines(&r)).unwrap_or(current.recipients),
        };
        current = app.save_document_settings(user, &updated, crate::clock::now()).await.map_err(anyhow::Error::new)?;
    }
    if as_json {
        outln!(
            "{}",
            serde_json::json!({"signer": current.signer_name, "signer_title": current.signer_title,
                "recipients": current.recipients})
        );
    } else {
        outln!("Chức danh người ký: {}", current.signer_title.join(" / "));
        outln!("Người ký: {}", if current.signer_name.is_empty() { "(chưa đặt)" } else { &current.signer_name });
        outln!("Nơi nhận:");
        for r in &current.recipients {
            outln!("  - {r}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn status_row(label: &str, c: &Completeness) -> Vec<String> {
    vec![
        label.to_string(),
        c.expected.to_string(),
        c.not_submitted.len().to_string(),
        c.awaiting.len().to_string(),
        c.returned.len().to_string(),
        c.accepted.len().to_string(),
        c.on_time.len().to_string(),
        c.late.len().to_string(),
        Percent1::share(c.submitted(), c.expected).to_string(),
    ]
}

async fn status(app: &App, user: &User, period: PeriodId, as_json: bool) -> Result<ExitCode> {
    let status = app.report_status(user, period).await.map_err(anyhow::Error::new)?;
    if as_json {
        let total = CompletenessDto::new(None, "Tổng cộng".into(), &status.overall);
        let mut out = serde_json::to_value(&total).context("JSON")?;
        if let Some(map) = out.as_object_mut() {
            map.remove("kind");
            map.remove("label");
            map.insert("period".into(), serde_json::to_value(PeriodDto::new(&status.period)).context("JSON")?);
            let groups: Vec<CompletenessDto> = status
                .groups
                .iter()
                .map(|g| CompletenessDto::new(Some(g.kind.as_str()), g.label.clone(), &g.completeness))
                .collect();
            map.insert("groups".into(), serde_json::to_value(groups).context("JSON")?);
            let agencies: Vec<AgencyStatusDto> = status.agencies.iter().map(AgencyStatusDto::new).collect();
            map.insert("agencies".into(), serde_json::to_value(agencies).context("JSON")?);
        }
        outln!("{}", serde_json::to_string_pretty(&out).context("JSON")?);
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "Kỳ báo cáo {} — chốt số liệu {} đến {}, hạn gửi {}",
        status.period.id.label_vn(),
        status.period.data_from,
        status.period.data_to,
        status.period.due
    );
    let mut t = render::table(&[
        "Nhóm",
        "Phải báo cáo",
        "Chưa gửi",
        "Chờ tiếp nhận",
        "Bị trả lại",
        "Đã tiếp nhận",
        "Đúng hạn",
        "Trễ hạn",
        "Tỷ lệ đã gửi",
    ]);
    for g in &status.groups {
        t.add_row(status_row(&g.label, &g.completeness));
    }
    t.add_row(status_row("Tổng cộng", &status.overall));
    outln!("{t}");
    outln!("Đã gửi = chờ tiếp nhận + đã tiếp nhận; báo cáo bị trả lại được tính khi gửi lại.");
    Ok(ExitCode::SUCCESS)
}

async fn results(app: &App, user: &User, period: PeriodId, as_json: bool) -> Result<ExitCode> {
    let (period, data) = app.report_results(user, period).await.map_err(anyhow::Error::new)?;
    let (sources, results) = (&data.sources, &data.results);
    if as_json {
        let out = serde_json::json!({
            "period": PeriodDto::new(&period),
            "sources": {"expected": sources.expected, "accepted": sources.accepted, "awaiting": sources.awaiting,
                "returned": sources.returned, "sentence": sources.sentence_vn()},
            "results": result_rows(results),
        });
        outln!("{}", serde_json::to_string_pretty(&out).context("JSON")?);
        return Ok(ExitCode::SUCCESS);
    }
    outln!("Kết quả các chỉ tiêu — {}", period.id.label_vn());
    outln!("{}", sources.sentence_vn());
    let mut t = render::table(&["Chỉ tiêu", "Cấp", "Tử số/mẫu số", "Kết quả", "Mục tiêu", "Đánh giá", "Số đơn vị"]);
    for r in results {
        for l in &r.levels {
            let verdict = match l.reading(&r.unit) {
                reading if reading.is_empty() => l.assessment.label_vn().to_string(),
                reading => format!("{} ({reading})", l.assessment.label_vn()),
            };
            t.add_row(vec![
                format!("{} {}", r.code, r.name),
                level_label(l.level).to_string(),
                format!("{}/{}", count_vn(l.numerator), count_vn(l.denominator)),
                l.value.map_or_else(|| "—".into(), |v| v.to_string()),
                l.target.clone().unwrap_or_else(|| "—".into()),
                verdict,
                l.reporting_agencies.to_string(),
            ]);
        }
    }
    outln!("{t}");
    Ok(ExitCode::SUCCESS)
}

/// `cchc indicators export|import`: the catalogue is data an administrator edits.
pub async fn indicators_command(app: &App, command: IndicatorsCommand, as_json: bool) -> Result<ExitCode> {
    match command {
        IndicatorsCommand::Years { code } => return indicator_years(app, &code, as_json).await,
        IndicatorsCommand::Export { out, rules_out } => {
            let (version, catalogue, rules) = app.catalogue_sources().await.map_err(anyhow::Error::new)?;
            std::fs::write(&out, catalogue).with_context(|| format!("không ghi được tệp «{}»", out.display()))?;
            std::fs::write(&rules_out, rules)
                .with_context(|| format!("không ghi được tệp «{}»", rules_out.display()))?;
            if as_json {
                outln!(
                    "{}",
                    serde_json::json!({"version": version, "catalogue": out.display().to_string(), "rules": rules_out.display().to_string()})
                );
            } else {
                outln!(
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
            let user = app.command_line_user(crate::clock::now()).await.map_err(anyhow::Error::new)?;
            match app.import_catalogue(&user, &catalogue, &rules, &note, crate::clock::now()).await {
                Ok((version, diagnostics)) => {
                    for d in &diagnostics {
                        errln!("{d}");
                    }
                    if as_json {
                        outln!("{}", serde_json::json!({"version": version, "warnings": diagnostics.len()}));
                    } else {
                        outln!("Đã nạp danh mục chỉ tiêu phiên bản {version}.");
                    }
                }
                Err(ServiceError::Invalid(problems)) => {
                    for p in &problems {
                        errln!("{p}");
                    }
                    bail!("danh mục có lỗi; không nạp gì");
                }
                Err(other) => return Err(anyhow::Error::new(other)),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `cchc indicators years CODE`: the indicator in every plan, oldest year first.
async fn indicator_years(app: &App, code: &str, as_json: bool) -> Result<ExitCode> {
    let parsed = cchc_domain::reporting::IndicatorCode::parse(code.trim())
        .with_context(|| format!("mã chỉ tiêu «{code}» không hợp lệ (ví dụ VII.2.1)"))?;
    let user = app.command_line_user(crate::clock::now()).await.map_err(anyhow::Error::new)?;
    let lines = app.indicator_over_years(&user, &parsed).await.map_err(anyhow::Error::new)?;
    if as_json {
        let rows: Vec<serde_json::Value> = lines
            .iter()
            .map(|line| {
                serde_json::json!({
                    "plan": line.plan_key,
                    "year": line.year,
                    "period": line.period.as_ref().map(|p| p.id.to_string()),
                    "reports_counted": line.sources.map(|s| s.counted()),
                    "levels": line.result.as_ref().map(|r| result_rows(std::slice::from_ref(r))),
                })
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&serde_json::json!({ "code": parsed.to_string(), "years": rows }))?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = render::table(&["Năm", "Kỳ báo cáo", "Cấp", "Mục tiêu", "Kết quả", "Tử số/mẫu số", "Đánh giá"]);
    for line in &lines {
        let year = line.year.map_or_else(|| line.plan_key.clone(), |y| y.to_string());
        let Some(result) = &line.result else {
            t.add_row(vec![
                year,
                "(kế hoạch không có chỉ tiêu này)".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
            continue;
        };
        let period = line.period.as_ref().map(|p| p.id.label_vn()).unwrap_or_default();
        for l in &result.levels {
            t.add_row(vec![
                year.clone(),
                period.clone(),
                level_label(l.level).to_string(),
                l.target.clone().unwrap_or_default(),
                l.value.map_or_else(|| "—".to_string(), |v| v.to_string()),
                if l.reporting_agencies > 0 {
                    format!("{}/{}", count_vn(l.numerator), count_vn(l.denominator))
                } else {
                    String::new()
                },
                l.assessment.label_vn().to_string(),
            ]);
        }
    }
    let name = lines.iter().rev().find_map(|l| l.result.as_ref().map(|r| r.name.clone())).unwrap_or_default();
    outln!("Chỉ tiêu {parsed}: {name}");
    outln!("{t}");
    Ok(ExitCode::SUCCESS)
}
