//! SIPAS: survey files imported and paper forms keyed in by Sở Nội vụ, and the satisfaction
//! index of a year computed from what is stored (kept until the next survey write).
//!
//! Agencies are read against the map of 31 December of the survey year (the agencies that
//! existed at its end, under the names they bore then); an id of any agency that existed during
//! the year is accepted too. Re-importing a file: a response whose form id is already stored for
//! the year is reported as a duplicate and not counted again, so importing the same file twice
//! changes nothing but the record of the second batch.

use std::collections::BTreeMap;
use std::sync::Arc;

use cchc_domain::account::User;
use cchc_domain::sipas::{sipas_index, SipasConfig, SipasIndex, SurveyResponse};
use cchc_domain::text::clean;
use cchc_domain::{Agency, AgencyDirectory, Date, Diagnostic, Severity, Timestamp};
use cchc_import::sipas_config::{load_sipas_config, sipas_config_document};
use cchc_import::survey::{csv_rows, read_survey, SurveyFileError, SurveyReading, MAX_FORM_ID_CHARS, MAX_SURVEY_BYTES};
use cchc_store::{NewSurveyBatch, SipasConfigVersion, StoreError, SurveySource};

use crate::{App, ServiceError};

pub use cchc_store::SurveyBatch;

/// Years a survey may be recorded for.
pub const SURVEY_YEARS: std::ops::RangeInclusive<i32> = 2015..=2100;

/// What an import (or a keyed form) did.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyImport {
    pub year: i32,
    pub file_name: String,
    pub batch: i64,
    /// Responses stored and counted.
    pub accepted: usize,
    /// Rows not counted, each with its line and reason (errors), in line order.
    pub excluded: Vec<Diagnostic>,
    /// Columns ignored (warnings on the header line).
    pub warnings: Vec<Diagnostic>,
}

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(vec![message.into()])
}

fn check_year(year: i32) -> Result<(), ServiceError> {
    if SURVEY_YEARS.contains(&year) {
        Ok(())
    } else {
        Err(invalid(format!("năm khảo sát {year} không hợp lệ")))
    }
}

/// A file refused whole: the reason, Vietnamese.
fn refused(error: SurveyFileError) -> ServiceError {
    invalid(format!("tệp bị từ chối, không nhập phiếu nào: {error}"))
}

impl App {
    /// The configuration the index of `year` is computed with: the latest version Sở Nội vụ
    /// stored for that year or the closest earlier one, else the documented default (see
    /// `cchc_domain::sipas`). Also which version it is (`None`: the default).
    pub async fn sipas_config(&self, year: i32) -> Result<(SipasConfig, Option<SipasConfigVersion>), ServiceError> {
        let Some(stored) = self.store.sipas_config_for(year).await? else {
            return Ok((SipasConfig::default(), None));
        };
        match load_sipas_config(&stored.document) {
            (Some(config), _) => Ok((config, Some(stored))),
            // Stored documents were checked when saved; an unreadable one is the store's fault.
            (None, _) => Err(ServiceError::Store(StoreError::Corrupt(format!(
                "SIPAS configuration {} version {}",
                stored.year, stored.version
            )))),
        }
    }

    /// The configuration in force for `year` as its editable JSON document.
    pub async fn export_sipas_config(&self, year: i32) -> Result<String, ServiceError> {
        check_year(year)?;
        Ok(sipas_config_document(&self.sipas_config(year).await?.0))
    }

    /// Stores a new version of the SIPAS configuration of `year` (Sở Nội vụ), refused whole with
    /// every problem and its line; the index is computed again with it. Returns the version.
    pub async fn import_sipas_config(
        &self,
        user: &User,
        year: i32,
        document: &str,
        note: &str,
        now: Timestamp,
    ) -> Result<i64, ServiceError> {
        if !user.is_admin() {
            return Err(ServiceError::Forbidden("chỉ Sở Nội vụ được thay cấu hình khảo sát SIPAS".into()));
        }
        check_year(year)?;
        let (config, diagnostics) = load_sipas_config(document);
        if config.is_none() {
            return Err(ServiceError::Invalid(crate::diagnostic_lines(&diagnostics, Severity::Error)));
        }
        let mut problems = Vec::new();
        let note = crate::tracking::typed_text("ghi chú", note, &mut problems);
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let version = self
            .store
            .save_sipas_config(year, document, &note, cchc_store::Actor { user: Some(user.id), at: &now.rfc3339() })
            .await?;
        self.cache.survey_changed();
        Ok(version)
    }

    /// The map survey files of `year` are read against: the agencies of 31 December, plus those
    /// that ended during the year (their ids and names still resolve).
    pub fn survey_directory(&self, year: i32) -> AgencyDirectory {
        let end = Date::from_ymd(year, 12, 31).unwrap_or_else(|| self.directories.latest());
        let start = Date::from_ymd(year, 1, 1).unwrap_or(end);
        let at_end = self.directory_on(end);
        let mut agencies: Vec<Agency> = at_end.agencies.clone();
        for agency in &self.directory_on(start).agencies {
            if agencies.iter().all(|a| a.id != agency.id) {
                agencies.push(agency.clone());
            }
        }
        AgencyDirectory::new(agencies, at_end.groups.clone())
    }

    /// Imports a CSV or XLSX file of survey responses for `year` (administrators only). A file
    /// whose structure is unusable is refused whole and nothing is stored; otherwise the valid
    /// responses are stored and every row not counted is reported with its line.
    pub async fn import_survey(
        &self,
        user: &User,
        year: i32,
        file_name: &str,
        bytes: &[u8],
        now: Timestamp,
    ) -> Result<SurveyImport, ServiceError> {
        if !user.is_admin() {
            return Err(ServiceError::Forbidden("chỉ quản trị viên (Sở Nội vụ) được nhập phiếu khảo sát".into()));
        }
        check_year(year)?;
        if bytes.len() > MAX_SURVEY_BYTES {
            return Err(refused(SurveyFileError::TooLarge { size: bytes.len(), max: MAX_SURVEY_BYTES }));
        }
        let rows = if cchc_documents::survey::looks_like_xlsx(bytes) {
            let bytes = bytes.to_vec();
            tokio::task::spawn_blocking(move || cchc_documents::survey::xlsx_rows(&bytes))
                .await
                .map_err(|_| refused(SurveyFileError::Xlsx("lỗi khi phân tích tệp".into())))?
                .map_err(|e| refused(SurveyFileError::Xlsx(e)))?
        } else {
            let text = std::str::from_utf8(bytes).map_err(|_| refused(SurveyFileError::NotCsvOrXlsx))?;
            if text.contains('\0') {
                return Err(refused(SurveyFileError::NotCsvOrXlsx));
            }
            csv_rows(text).map_err(refused)?
        };
        let config = self.sipas_config(year).await?.0;
        let reading = read_survey(&rows, year, &self.survey_directory(year), &config).map_err(refused)?;
        let name = clean(file_name);
        let name: String = if name.is_empty() { "tệp không tên".into() } else { name.chars().take(200).collect() };
        self.store_reading(user, year, &name, SurveySource::File, reading, now).await
    }

    async fn store_reading(
        &self,
        user: &User,
        year: i32,
        file_name: &str,
        source: SurveySource,
        reading: SurveyReading,
        now: Timestamp,
    ) -> Result<SurveyImport, ServiceError> {
        let excluded: Vec<(u32, String)> = reading.excluded().map(|d| (d.line, d.message.clone())).collect();
        let stored = self
            .store
            .insert_survey_batch(&NewSurveyBatch {
                year,
                source,
                file_name,
                by: Some(user.id.0),
                at: &now.rfc3339(),
                responses: &reading.responses,
                excluded: &excluded,
            })
            .await?;
        self.cache.survey_changed();
        let mut excluded: Vec<Diagnostic> = reading.excluded().cloned().collect();
        excluded.extend(stored.already_stored.iter().map(|(line, form)| {
            Diagnostic::error(*line, format!("phiếu {form} đã được nhập trước đây cho năm {year}: không tính lần nữa"))
        }));
        excluded.sort_by_key(|d| d.line);
        Ok(SurveyImport {
            year,
            file_name: file_name.to_string(),
            batch: stored.batch,
            accepted: stored.accepted,
            excluded,
            warnings: reading.diagnostics.into_iter().filter(|d| d.severity != Severity::Error).collect(),
        })
    }

    /// Records one paper form keyed in (administrators only): `agency` is an id or a name,
    /// `answers` item → rating as typed ("4", "Hài lòng"; empty: not answered). Refused whole,
    /// storing nothing, when anything is wrong or the form id is already stored for the year.
    pub async fn key_response(
        &self,
        user: &User,
        year: i32,
        form_id: &str,
        agency: &str,
        answers: &BTreeMap<u16, String>,
        now: Timestamp,
    ) -> Result<SurveyImport, ServiceError> {
        if !user.is_admin() {
            return Err(ServiceError::Forbidden("chỉ quản trị viên (Sở Nội vụ) được nhập phiếu khảo sát".into()));
        }
        check_year(year)?;
        let form_id = clean(form_id);
        if form_id.is_empty() || form_id.chars().count() > MAX_FORM_ID_CHARS || form_id.chars().any(char::is_control) {
            return Err(invalid(format!("mã phiếu phải có từ 1 đến {MAX_FORM_ID_CHARS} ký tự")));
        }
        let config = self.sipas_config(year).await?.0;
        // The same reader as files, over a table of one row: one set of rules.
        let mut header = vec!["Mã phiếu".to_string(), "Cơ quan".to_string()];
        let mut row = vec![form_id.clone(), agency.to_string()];
        for (item, text) in answers {
            if config.element_of(*item).is_none() {
                if text.trim().is_empty() {
                    continue;
                }
                return Err(invalid(format!("câu {item} không thuộc năm yếu tố của phiếu khảo sát")));
            }
            header.push(format!("C{item}"));
            row.push(text.clone());
        }
        if header.len() == 2 {
            return Err(invalid("phiếu không trả lời câu nào"));
        }
        let reading = read_survey(&[(1, header), (2, row)], year, &self.survey_directory(year), &config)
            .map_err(|e| invalid(e.to_string()))?;
        if let Some(problem) = reading.excluded().next() {
            return Err(invalid(problem.message.clone()));
        }
        if self.store.survey_responses(year).await?.iter().any(|r| r.form_id == form_id) {
            return Err(invalid(format!("phiếu {form_id} đã được nhập cho năm {year}")));
        }
        let import = self.store_reading(user, year, "phiếu giấy", SurveySource::Paper, reading, now).await?;
        if import.accepted == 0 {
            return Err(invalid(format!("phiếu {form_id} đã được nhập cho năm {year}")));
        }
        Ok(import)
    }

    /// The responses stored for `year`.
    pub async fn survey_responses(&self, year: i32) -> Result<Vec<SurveyResponse>, ServiceError> {
        Ok(self.store.survey_responses(year).await?)
    }

    /// The imports and keyed forms of `year`, newest first (administrators and leaders).
    pub async fn survey_batches(&self, user: &User, year: i32) -> Result<Vec<SurveyBatch>, ServiceError> {
        if !user.reads_all() {
            return Err(ServiceError::Forbidden("chỉ Sở Nội vụ và lãnh đạo xem được các lần nhập phiếu".into()));
        }
        Ok(self.store.survey_batches(year).await?)
    }

    /// The rows a batch did not count: (line, reason).
    pub async fn survey_exclusions(&self, user: &User, batch: i64) -> Result<Vec<(u32, String)>, ServiceError> {
        if !user.reads_all() {
            return Err(ServiceError::Forbidden("chỉ Sở Nội vụ và lãnh đạo xem được các lần nhập phiếu".into()));
        }
        Ok(self.store.survey_exclusions(batch).await?)
    }

    /// The satisfaction index of `year` from the responses stored (public once computed, like
    /// every published index). Computed once per survey write and shared: cheap to call.
    pub async fn sipas_index(&self, year: i32) -> Result<Arc<SipasIndex>, ServiceError> {
        check_year(year)?;
        let generation = self.cache.survey_generation();
        if let Some(index) = self.cache.sipas_kept(year, generation) {
            return Ok(index);
        }
        let responses = self.store.survey_responses(year).await?;
        let index = Arc::new(sipas_index(&self.sipas_config(year).await?.0, &responses));
        self.cache.keep_sipas(year, generation, &index);
        Ok(index)
    }
}
