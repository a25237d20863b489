//! `cchc evaluation framework export|import` and `cchc evaluation score`: the PAR Index criteria
//! framework as an editable file, and the scores, ranks and bands of a year; `cchc evaluation
//! sheet` and `cchc evaluation ranking`: an agency's score sheet (XLSX), the ranking (XLSX) and
//! the annex of the decision announcing the index (DOCX).

use std::process::ExitCode;

use anyhow::{Context, Result};
use cchc_documents::evaluation::{index_decision_docx, ranking_xlsx, score_sheet_xlsx, DecisionOptions};
use cchc_import::evaluation::{kind_label, parse_kind};
use cchc_services::{App, ServiceError};

use crate::cli::{EvaluationCommand, FrameworkCommand};
use crate::commands::{print_json, read_document, user_error};
use crate::render;

pub async fn run(app: &App, command: EvaluationCommand, as_json: bool) -> Result<ExitCode> {
    match command {
        EvaluationCommand::Framework(FrameworkCommand::Export { year, kind, out }) => {
            let kind = parse_kind(&kind).context("loại cơ quan phải là department, district hoặc commune")?;
            let framework = app.framework(year, kind).await.map_err(user_error)?;
            let document = app.export_framework(year, kind).await.map_err(user_error)?;
            std::fs::write(&out, document).with_context(|| format!("không ghi được tệp «{}»", out.display()))?;
            let source = match framework.version {
                Some(version) => format!("phiên bản {version}"),
                None => "bộ tiêu chí mẫu (cần thay bằng quyết định của tỉnh)".to_string(),
            };
            if as_json {
                print_json(&serde_json::json!({
                    "year": year, "kind": kind.as_str(), "version": framework.version,
                    "template": framework.framework.template, "out": out.display().to_string(),
                }))?;
            } else {
                outln!(
                    "Đã ghi bộ tiêu chí năm {year} của {} ({source}, {} điểm) ra «{}».",
                    kind_label(kind),
                    framework.framework.max.vn(),
                    out.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        EvaluationCommand::Framework(FrameworkCommand::Import { file, note }) => {
            let document = read_document(&file)?;
            let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
            match app.import_framework(&user, &document, &note, crate::clock::now()).await {
                Ok((year, kind, version, warnings)) => {
                    if as_json {
                        print_json(&serde_json::json!({
                            "year": year, "kind": kind.as_str(), "version": version, "warnings": warnings,
                        }))?;
                    } else {
                        for warning in &warnings {
                            outln!("Cảnh báo: {warning}");
                        }
                        outln!("Đã nạp bộ tiêu chí năm {year} của {}: phiên bản {version}.", kind_label(kind));
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(ServiceError::Invalid(errors)) => {
                    if as_json {
                        print_json(&serde_json::json!({ "refused": true, "errors": errors }))?;
                    } else {
                        errln!("Không nạp bộ tiêu chí (không có gì thay đổi) vì {} lỗi:", errors.len());
                        for error in &errors {
                            errln!("  - {error}");
                        }
                    }
                    Ok(ExitCode::from(1))
                }
                Err(other) => Err(user_error(other)),
            }
        }
        EvaluationCommand::Score { year } => {
            let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
            let scores = app.evaluation_scores(Some(&user), year, crate::clock::today()).await.map_err(user_error)?;
            if as_json {
                print_json(&cchc_web::api::evaluation::ScoresDto::of(&scores))?;
                return Ok(ExitCode::SUCCESS);
            }
            for kind in &scores.kinds {
                let state = if kind.published() { "đã công bố" } else { "tạm tính, chưa công bố" };
                let source = if kind.framework.framework.template { " — bộ tiêu chí mẫu" } else { "" };
                outln!("Chỉ số CCHC năm {year} của {} ({state}{source})", kind_label(kind.kind));
                let mut t = render::table(&[
                    "Hạng",
                    "Cơ quan, đơn vị",
                    "Điểm",
                    "Tối đa",
                    "Chỉ số (%)",
                    "Xếp loại",
                    "Năm trước",
                ]);
                for r in &kind.results {
                    t.add_row(vec![
                        r.rank.map(|n| n.to_string()).unwrap_or_default(),
                        r.agency.name.clone(),
                        r.score.points.vn(),
                        r.score.max.vn(),
                        r.score.index.map(|i| i.vn()).unwrap_or_else(|| "—".into()),
                        r.band.clone().unwrap_or_default(),
                        r.previous.map(|i| i.vn()).unwrap_or_default(),
                    ]);
                }
                outln!("{t}");
            }
            Ok(ExitCode::SUCCESS)
        }
        EvaluationCommand::Sheet { year, agency, out } => {
            let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
            let agency = app.resolve_agency(&agency).map_err(user_error)?.id.clone();
            let sheet = app.score_sheet(Some(&user), year, &agency, crate::clock::today()).await.map_err(user_error)?;
            let bytes = score_sheet_xlsx(&sheet).map_err(|e| anyhow::anyhow!("{e}"))?;
            write(&out, &bytes)?;
            if as_json {
                print_json(&serde_json::json!({
                    "year": year, "agency": agency.as_str(), "out": out.display().to_string(),
                    "points": sheet.points.value(), "max": sheet.max.value(),
                    "index": sheet.index.map(|i| i.value()), "band": sheet.band,
                }))?;
            } else {
                outln!("Đã ghi bảng điểm năm {year} của {} ra «{}».", sheet.agency, out.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        EvaluationCommand::Ranking { year, out, number, date } => {
            let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
            let table = app.ranking_table(Some(&user), year, crate::clock::today()).await.map_err(user_error)?;
            let extension = out.extension().and_then(|e| e.to_str()).unwrap_or_default().to_lowercase();
            let (bytes, what) = match extension.as_str() {
                "xlsx" => (ranking_xlsx(&table).map_err(|e| anyhow::anyhow!("{e}"))?, "bảng xếp hạng"),
                "docx" => {
                    let options = DecisionOptions { number: number.unwrap_or_default(), date };
                    (index_decision_docx(&table, &options).map_err(|e| anyhow::anyhow!("{e}"))?, "phụ lục quyết định")
                }
                _ => anyhow::bail!("tệp ghi ra phải có đuôi .xlsx (bảng xếp hạng) hoặc .docx (phụ lục quyết định)"),
            };
            write(&out, &bytes)?;
            let agencies: usize = table.kinds.iter().map(|k| k.rows.len()).sum();
            if as_json {
                print_json(&serde_json::json!({
                    "year": year, "out": out.display().to_string(), "draft": table.is_draft(),
                    "kinds": table.kinds.iter().map(|k| k.kind.as_str()).collect::<Vec<_>>(), "agencies": agencies,
                }))?;
            } else {
                let draft = if table.is_draft() {
                    " (dự thảo: có kết quả tạm tính hoặc chấm theo bộ tiêu chí mẫu)"
                } else {
                    ""
                };
                outln!(
                    "Đã ghi {what} Chỉ số CCHC năm {year} ({agencies} cơ quan, đơn vị){draft} ra «{}».",
                    out.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn write(out: &std::path::Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(out, bytes).with_context(|| format!("không ghi được tệp «{}»", out.display()))
}
