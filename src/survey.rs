//! `cchc survey import --year Y FILE`, `cchc survey index --year Y [--json]` and `cchc survey
//! config export|import`: SIPAS survey responses and the configuration in, the satisfaction index
//! out.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use cchc_services::{App, ServiceError};
use cchc_web::api::sipas::{ShareDto, SipasDto, SurveyImportDto};

use crate::cli::{SurveyCommand, SurveyConfigCommand};
use crate::commands::{print_json, read_document, user_error};
use crate::render;

/// Largest survey file read (the services refuse larger ones too).
const MAX_SURVEY_FILE: u64 = 10 * 1024 * 1024;

pub async fn run(app: &App, command: SurveyCommand, as_json: bool) -> Result<ExitCode> {
    match command {
        SurveyCommand::Import { year, file } => {
            let shown = file.display().to_string();
            let metadata = std::fs::metadata(&file).with_context(|| format!("không đọc được tệp «{shown}»"))?;
            if metadata.is_dir() {
                bail!("«{shown}» là thư mục, không phải tệp");
            }
            if metadata.len() > MAX_SURVEY_FILE {
                bail!("tệp «{shown}» quá lớn (tối đa {} MB)", MAX_SURVEY_FILE / 1_048_576);
            }
            let bytes = std::fs::read(&file).with_context(|| format!("không đọc được tệp «{shown}»"))?;
            let name = file.file_name().map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
            let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
            let import = match app.import_survey(&user, year, &name, &bytes, crate::clock::now()).await {
                Ok(import) => import,
                Err(ServiceError::Invalid(reasons)) => {
                    for reason in &reasons {
                        errln!("Lỗi: {reason}");
                    }
                    bail!("không nhập phiếu nào từ «{shown}»");
                }
                Err(other) => return Err(user_error(other)),
            };
            if as_json {
                print_json(&SurveyImportDto::new(&import))?;
                return Ok(ExitCode::SUCCESS);
            }
            for warning in &import.warnings {
                outln!("Dòng {}: {}", warning.line, warning.message);
            }
            for line in &import.excluded {
                outln!("Dòng {}: {}", line.line, line.message);
            }
            outln!(
                "Năm {year}, tệp «{name}»: {} phiếu được nhập và tính, {} dòng không được tính.",
                import.accepted,
                import.excluded.len()
            );
        }
        SurveyCommand::Config(SurveyConfigCommand::Export { year, out }) => {
            let document = app.export_sipas_config(year).await.map_err(user_error)?;
            std::fs::write(&out, document).with_context(|| format!("không ghi được tệp «{}»", out.display()))?;
            let (_, version) = app.sipas_config(year).await.map_err(user_error)?;
            let source = version.map_or_else(
                || "cấu hình mặc định".to_string(),
                |v| format!("phiên bản {} của năm {}", v.version, v.year),
            );
            outln!("Đã ghi cấu hình khảo sát năm {year} ({source}) ra «{}».", out.display());
        }
        SurveyCommand::Config(SurveyConfigCommand::Import { year, file, note }) => {
            let document = read_document(&file)?;
            let user = app.command_line_user(crate::clock::now()).await.map_err(user_error)?;
            match app.import_sipas_config(&user, year, &document, &note, crate::clock::now()).await {
                Ok(version) => {
                    if as_json {
                        print_json(&serde_json::json!({ "year": year, "version": version }))?;
                    } else {
                        outln!("Đã nạp cấu hình khảo sát năm {year}: phiên bản {version}.");
                    }
                }
                Err(ServiceError::Invalid(errors)) => {
                    errln!("Không nạp cấu hình (không có gì thay đổi) vì {} lỗi:", errors.len());
                    for error in &errors {
                        errln!("  - {error}");
                    }
                    return Ok(ExitCode::FAILURE);
                }
                Err(other) => return Err(user_error(other)),
            }
        }
        SurveyCommand::Index { year } => {
            let index = app.sipas_index(year).await.map_err(user_error)?;
            let dto = SipasDto::new(year, &index, &app.survey_directory(year));
            if as_json {
                print_json(&dto)?;
                return Ok(ExitCode::SUCCESS);
            }
            let percent = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |v| format!("{}%", plain(v)));
            let interval =
                |s: Option<ShareDto>| s.map_or_else(String::new, |s| format!("{}–{}", plain(s.low), plain(s.high)));
            let mut header = vec!["Mã", "Cơ quan, đơn vị", "Số phiếu", "Chung", "KTC 95%"];
            let labels = ["Tiếp cận", "Thủ tục", "Công chức", "Kết quả", "Góp ý"];
            header.extend(labels);
            let mut t = render::table(&header);
            let mut row = |code: String,
                           name: String,
                           responses: u64,
                           overall: Option<ShareDto>,
                           elements: &[cchc_web::api::sipas::ElementDto]| {
                let mut cells =
                    vec![code, name, responses.to_string(), percent(overall.map(|s| s.share)), interval(overall)];
                cells.extend(elements.iter().map(|e| format!("{} (n={})", percent(e.share), e.answers)));
                t.add_row(cells);
            };
            for a in &dto.agencies {
                row(a.agency.clone(), a.name.clone(), a.responses, a.overall, &a.elements);
            }
            row(
                String::new(),
                "Toàn tỉnh".into(),
                dto.province.responses,
                dto.province.overall,
                &dto.province.elements,
            );
            outln!("{t}");
            outln!(
                "Chỉ số hài lòng năm {year}: tỷ lệ câu trả lời «Hài lòng» và «Rất hài lòng»; chung = bình quân các yếu tố; \
                 KTC 95%: khoảng tin cậy Wilson."
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// "87,5" — one decimal, decimal comma.
fn plain(value: f64) -> String {
    cchc_domain::number::Percent1::of(value).map_or_else(String::new, |p| p.vn())
}
