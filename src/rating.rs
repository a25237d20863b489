//! `cchc rating --year Y`, `cchc rating override …` and `cchc rating rules export|import`: the
//! year-end task-completion rating with its breakdown, Sở Nội vụ's overrides, and the rules as an
//! editable file.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use cchc_domain::evaluation::RatingLevel;
use cchc_domain::AgencyId;
use cchc_import::evaluation::kind_label;
use cchc_services::{App, ServiceError};

use crate::cli::{RatingArgs, RatingCommand, RatingRulesCommand};
use crate::commands::{print_json, read_document, user_error};
use crate::render;

pub async fn run(app: &App, args: RatingArgs, as_json: bool) -> Result<ExitCode> {
    match args.command {
        None => {
            let Some(year) = args.year else {
                bail!("cần ghi năm xếp loại: cchc rating --year 2024");
            };
            show(app, year, as_json).await
        }
        Some(RatingCommand::Override { year, agency, level, reason }) => {
            let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
            let id = AgencyId::parse(agency.trim())
                .ok_or_else(|| user_error(ServiceError::UnknownAgency(agency.clone())))?;
            let level = RatingLevel::parse(&level).context("mức xếp loại không hợp lệ")?;
            match app.override_rating(&user, year, &id, level, &reason, crate::clock::now()).await {
                Ok(()) => {
                    if as_json {
                        print_json(&serde_json::json!({
                            "year": year, "agency": id.as_str(), "level": level.as_str(), "reason": reason.trim(),
                        }))?;
                    } else {
                        outln!("Đã ghi điều chỉnh: {id} năm {year} xếp loại «{}».", level.label_vn());
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(other) => Err(user_error(other)),
            }
        }
        Some(RatingCommand::Rules(RatingRulesCommand::Export { year, out })) => {
            let rules = app.rating_rules(year).await.map_err(user_error)?;
            let document = app.export_rating_rules(year).await.map_err(user_error)?;
            std::fs::write(&out, document).with_context(|| format!("không ghi được tệp «{}»", out.display()))?;
            if as_json {
                print_json(&serde_json::json!({
                    "year": year, "valid_from_year": rules.rules.valid_from_year, "version": rules.version,
                    "out": out.display().to_string(),
                }))?;
            } else {
                outln!(
                    "Đã ghi quy tắc xếp loại áp dụng cho năm {year} (từ năm {}, {}) ra «{}».",
                    rules.rules.valid_from_year,
                    rules.version.map_or_else(|| "bộ có sẵn".to_string(), |v| format!("phiên bản {v}")),
                    out.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(RatingCommand::Rules(RatingRulesCommand::Import { file, note })) => {
            let document = read_document(&file)?;
            let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
            match app.import_rating_rules(&user, &document, &note, crate::clock::now()).await {
                Ok((from, version, warnings)) => {
                    if as_json {
                        print_json(&serde_json::json!({
                            "valid_from_year": from, "version": version, "warnings": warnings,
                        }))?;
                    } else {
                        for warning in &warnings {
                            outln!("Cảnh báo: {warning}");
                        }
                        outln!("Đã nạp quy tắc xếp loại áp dụng từ năm {from}: phiên bản {version}.");
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(ServiceError::Invalid(errors)) => {
                    if as_json {
                        print_json(&serde_json::json!({ "refused": true, "errors": errors }))?;
                    } else {
                        errln!("Không nạp quy tắc xếp loại (không có gì thay đổi) vì {} lỗi:", errors.len());
                        for error in &errors {
                            errln!("  - {error}");
                        }
                    }
                    Ok(ExitCode::from(1))
                }
                Err(other) => Err(user_error(other)),
            }
        }
    }
}

async fn show(app: &App, year: i32, as_json: bool) -> Result<ExitCode> {
    let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
    let ratings = app.ratings(Some(&user), year, crate::clock::today()).await.map_err(user_error)?;
    if as_json {
        print_json(&cchc_web::api::rating::dto(&ratings))?;
        return Ok(ExitCode::SUCCESS);
    }
    let rules = &ratings.rules.rules;
    outln!("Xếp loại mức độ hoàn thành nhiệm vụ năm {year}");
    outln!("Căn cứ: {}", rules.basis);
    let parts: Vec<String> = rules.components.iter().map(|c| format!("{} {} điểm", c.name, c.max.vn())).collect();
    outln!("Thành phần: {}", parts.join("; "));
    for kind in &ratings.kinds {
        let state =
            if kind.par_index_published { "Chỉ số CCHC đã công bố" } else { "Chỉ số CCHC tạm tính" };
        let cap = kind.cap.map(|c| format!(", tối đa {c} cơ quan xuất sắc")).unwrap_or_default();
        outln!("");
        outln!("{} ({state}{cap})", kind_label(kind.kind));
        let mut headers = vec!["Cơ quan, đơn vị".to_string()];
        headers.extend(rules.components.iter().map(|c| format!("{} ({})", c.name, c.max.vn())));
        headers.extend(["Tổng điểm".to_string(), "Xếp loại".to_string(), "Ghi chú".to_string()]);
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let mut t = render::table(&headers);
        for r in &kind.results {
            let mut row = vec![r.agency.name.clone()];
            row.extend(r.rating.components.iter().map(|c| c.points.map_or_else(|| "—".into(), |p| p.vn())));
            row.push(r.rating.total.map_or_else(|| "—".into(), |t| t.vn()));
            row.push(r.rating.level.map_or_else(|| "Chưa xếp loại".into(), |l| l.label_vn().to_string()));
            let mut note = Vec::new();
            if r.rating.capped {
                note.push("xuất sắc vượt tỷ lệ 20%, chuyển hoàn thành tốt".to_string());
            }
            if let Some(over) = &r.rating.override_ {
                note.push(format!(
                    "điều chỉnh (tính được: {}): {}",
                    r.rating.computed_level.map_or("chưa xếp loại", |l| l.label_vn()),
                    over.reason
                ));
            }
            row.push(note.join("; "));
            t.add_row(row);
        }
        outln!("{t}");
    }
    Ok(ExitCode::SUCCESS)
}
