//! `cchc dossiers generate|import|indicators|late|check-dates|codes|map|unmap`: one-stop-shop
//! dossiers from the portal's exports to the per-agency table, the late list and the appointment
//! check, and the table of other unit codes mapped to agencies.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use cchc_domain::{AdminLevel, AgencyId, AgencyKind, Date};
use cchc_dossiers::{generate, Format, GeneratorConfig};
use cchc_services::dossiers::{dossier_date, DossierTable};
use cchc_services::App;
use cchc_web::api::dossiers::{ImportDto, LateListDto, TableDto, WrongListDto};
use serde::Serialize;

use crate::cli::DossiersCommand;
use crate::commands::{print_json, user_error};

#[derive(Serialize)]
struct MappedDto {
    code: String,
    agency: String,
    name: String,
}

#[derive(Serialize)]
struct UnresolvedDto {
    code: String,
    dossiers: u64,
}

#[derive(Serialize)]
struct CodesDto {
    mapped: Vec<MappedDto>,
    unresolved: Vec<UnresolvedDto>,
}

fn format_of(path: &Path) -> Result<Format> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("csv") => Ok(Format::Csv),
        Some("jsonl" | "ndjson") => Ok(Format::JsonLines),
        _ => bail!("tệp «{}» phải có đuôi .csv hoặc .jsonl", path.display()),
    }
}

/// Refuses a folder or a file that cannot be opened (the services then read it block by block).
fn check_file(path: &Path) -> Result<()> {
    let shown = path.display();
    if path.is_dir() {
        bail!("«{shown}» là thư mục, không phải tệp");
    }
    std::fs::File::open(path).with_context(|| format!("không đọc được tệp «{shown}»"))?;
    Ok(())
}

fn parse_level(level: Option<&str>) -> Result<Option<AdminLevel>> {
    level
        .map(|l| AdminLevel::parse(l).with_context(|| format!("cấp «{l}» không hợp lệ; dùng tinh, huyen hoặc xa")))
        .transpose()
}

fn parse_agency(app: &App, agency: Option<&str>) -> Result<Option<AgencyId>> {
    let Some(text) = agency else { return Ok(None) };
    let id = AgencyId::parse(text).with_context(|| format!("mã cơ quan «{text}» không hợp lệ"))?;
    if app.directory().agency(&id).is_none() {
        bail!("không tìm thấy cơ quan «{text}»; dùng `cchc agencies --search …` để tra cứu");
    }
    Ok(Some(id))
}

/// A progress bar on standard error when it is a terminal.
fn progress_bar() -> impl FnMut(&str, u64, u64) {
    let terminal = std::io::stderr().is_terminal();
    let mut last = (String::new(), u64::MAX);
    move |label: &str, done: u64, total: u64| {
        if !terminal {
            return;
        }
        let percent = done.saturating_mul(100).checked_div(total).unwrap_or(100);
        if last.0 == label && last.1 == percent {
            return;
        }
        let filled = (percent / 5) as usize;
        let mut err = std::io::stderr();
        let _ = write!(err, "\r{label:<20} [{}{}] {percent:>3}%", "#".repeat(filled), ".".repeat(20 - filled.min(20)));
        if done >= total {
            let _ = writeln!(err);
        }
        let _ = err.flush();
        last = (label.to_string(), percent);
    }
}

pub async fn run(app: &App, command: DossiersCommand, as_json: bool) -> Result<ExitCode> {
    match command {
        DossiersCommand::Codes => {
            let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
            let unresolved = app.unresolved_dossier_codes(&user).map_err(user_error)?;
            let mapped = app.dossier_code_mappings();
            if as_json {
                print_json(&CodesDto {
                    mapped: mapped
                        .iter()
                        .map(|m| MappedDto {
                            code: m.code.clone(),
                            agency: m.agency.id.to_string(),
                            name: m.agency.name.clone(),
                        })
                        .collect(),
                    unresolved: unresolved
                        .iter()
                        .map(|u| UnresolvedDto { code: u.code.clone(), dossiers: u.dossiers })
                        .collect(),
                })?;
                return Ok(ExitCode::SUCCESS);
            }
            outln!("Mã đã gán ({}):", mapped.len());
            for m in &mapped {
                outln!("  {} → {} ({})", m.code, m.agency.name, m.agency.id);
            }
            outln!("Mã trong kho chưa khớp cơ quan nào ({}):", unresolved.len());
            for u in &unresolved {
                outln!("  {}: {} hồ sơ", u.code, u.dossiers);
            }
            Ok(ExitCode::SUCCESS)
        }
        DossiersCommand::Map { code, agency } => {
            let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
            let agency = parse_agency(app, Some(&agency))?.context("thiếu mã cơ quan")?;
            let mapping = app.map_dossier_code(&user, &code, &agency, crate::clock::now()).await.map_err(user_error)?;
            outln!("Đã gán mã «{}» cho {} ({}).", mapping.code, mapping.agency.name, mapping.agency.id);
            Ok(ExitCode::SUCCESS)
        }
        DossiersCommand::Unmap { code } => {
            let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
            app.unmap_dossier_code(&user, &code).await.map_err(user_error)?;
            outln!("Đã bỏ gán mã «{}».", code.trim());
            Ok(ExitCode::SUCCESS)
        }
        DossiersCommand::Generate { rows, seed, year, out } => generate_file(app, rows, seed, year, &out, as_json),
        DossiersCommand::Import { file } => {
            let format = format_of(&file)?;
            check_file(&file)?;
            let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
            let mut progress = progress_bar();
            let import = app.import_dossiers_from_path(&user, &file, format, &mut progress).map_err(user_error)?;
            let r = &import.report;
            if as_json {
                print_json(&ImportDto::new(&import))?;
                return Ok(ExitCode::SUCCESS);
            }
            for d in &import.diagnostics {
                outln!("Dòng {}: {}", d.line, d.message);
            }
            if !import.unknown_agencies.is_empty() {
                outln!("Mã đơn vị xử lý không có trong danh mục cơ quan: {}", import.unknown_agencies.join(", "));
            }
            outln!(
                "Tệp «{}»: {} dòng; thêm mới {}, thay thế {}, không đổi {}; loại {} dòng lỗi, {} dòng trùng mã. Kho có {} hồ sơ.",
                file.display(),
                import.rows,
                r.added,
                r.replaced,
                r.unchanged,
                import.quarantined,
                import.duplicates,
                r.total
            );
            Ok(ExitCode::SUCCESS)
        }
        DossiersCommand::Indicators { period, agency, level, file } => {
            let period = app.dossier_period(&period).await.map_err(user_error)?;
            let level = parse_level(level.as_deref())?;
            let agency = parse_agency(app, agency.as_deref())?;
            let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
            let table = match file {
                Some(file) => {
                    let format = format_of(&file)?;
                    check_file(&file)?;
                    app.dossier_indicators_from_path(&user, &file, format, &period, agency.as_ref(), level)
                        .map_err(user_error)?
                        .0
                }
                None => app.dossier_indicators(&user, &period, agency.as_ref(), level).map_err(user_error)?,
            };
            if as_json {
                print_json(&TableDto::new(&table))?;
            } else {
                print_table(&table);
            }
            Ok(ExitCode::SUCCESS)
        }
        DossiersCommand::Late { period } => {
            let period = app.dossier_period(&period).await.map_err(user_error)?;
            let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
            let late = app.late_dossiers(&user, &period).map_err(user_error)?;
            if as_json {
                print_json(&LateListDto::new(&period, &late))?;
            } else {
                outln!(
                    "{}: {} hồ sơ giải quyết quá hạn chưa có văn bản xin lỗi ({} – {})",
                    period.id,
                    late.len(),
                    period.from.vn(),
                    period.to.vn()
                );
                for l in &late {
                    outln!(
                        "{}  {}  hẹn {}  xong {}",
                        l.id,
                        l.code,
                        l.appointment.map_or("—".into(), |d| dossier_date(d).vn()),
                        l.ended.map_or("—".into(), |d| dossier_date(d).vn())
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        DossiersCommand::CheckDates { period } => {
            let period = app.dossier_period(&period).await.map_err(user_error)?;
            let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
            let wrong = app.wrong_appointments(&user, &period).map_err(user_error)?;
            if as_json {
                print_json(&WrongListDto::new(&period, &wrong, app))?;
            } else {
                outln!(
                    "{}: {} hồ sơ có ngày hẹn trả sai ({} – {})",
                    period.id,
                    wrong.len(),
                    period.from.vn(),
                    period.to.vn()
                );
                for w in &wrong {
                    outln!(
                        "{}  {}  hẹn {}  đúng luật {}",
                        w.id,
                        w.code,
                        dossier_date(w.given).vn(),
                        w.legal.map_or("—".into(), |d| dossier_date(d).vn())
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn generate_file(app: &App, rows: u64, seed: u64, year: i32, out: &Path, as_json: bool) -> Result<ExitCode> {
    let format = format_of(out)?;
    let Some(end) = Date::from_ymd(year, 12, 31) else { bail!("năm {year} không hợp lệ") };
    if !(2000..=2099).contains(&year) {
        bail!("năm {year} không hợp lệ (2000–2099)");
    }
    // Departments first, then districts, then communes: the generator makes earlier agencies
    // busier.
    let rank = |k: AgencyKind| match k {
        AgencyKind::Province | AgencyKind::Department | AgencyKind::Sectoral | AgencyKind::Other => 0,
        AgencyKind::District => 1,
        AgencyKind::Commune => 2,
    };
    let mut agencies: Vec<_> = app.directory_on(end).agencies.iter().collect();
    agencies.sort_by_key(|a| rank(a.kind));
    let ids: Vec<String> = agencies.iter().map(|a| a.id.to_string()).collect();
    if ids.is_empty() {
        bail!("danh mục cơ quan năm {year} trống");
    }
    let config = GeneratorConfig { rows, seed, year, agencies: &ids };
    let tmp = out.with_extension("tmp");
    let file = std::fs::File::create(&tmp).with_context(|| format!("không ghi được tệp «{}»", tmp.display()))?;
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
    generate(&config, app.calendar(), format, &mut writer)
        .with_context(|| format!("không ghi được tệp «{}»", out.display()))?;
    writer.flush().with_context(|| format!("không ghi được tệp «{}»", out.display()))?;
    drop(writer);
    std::fs::rename(&tmp, out).with_context(|| format!("không ghi được tệp «{}»", out.display()))?;
    if as_json {
        print_json(&serde_json::json!({ "rows": rows, "seed": seed, "year": year, "out": out.display().to_string() }))?;
    } else {
        outln!("Đã sinh {rows} hồ sơ năm {year} vào «{}».", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(table: &DossierTable) {
    let p = &table.period;
    outln!("Kỳ {} ({} – {}): {} cơ quan có hồ sơ", p.id, p.from.vn(), p.to.vn(), table.rows.len());
    outln!("Cơ quan | kỳ trước | mới nhận (trực tuyến) | trước hạn / đúng hạn / quá hạn | đang giải quyết trong / quá hạn | rút | quá hạn chưa xin lỗi | điểm 766");
    for row in &table.rows {
        let c = &row.counts;
        outln!(
            "{} | {} | {} ({}) | {} / {} / {} | {} / {} | {} | {} | {}/{}",
            row.agency.name,
            c.carried_over,
            c.received,
            c.online,
            c.resolved_early,
            c.resolved_on_time,
            c.resolved_late,
            c.in_progress_within,
            c.in_progress_overdue,
            c.withdrawn,
            c.late_without_apology,
            row.score.points.vn(),
            row.score.max_points.vn()
        );
    }
    for (code, c) in &table.unknown {
        outln!("Mã đơn vị không có trong danh mục: {code} ({} hồ sơ trong kỳ)", c.received + c.carried_over);
    }
}
