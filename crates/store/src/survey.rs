//! SIPAS survey responses: batches (a file imported, a paper form keyed in), the responses they
//! brought (one per form id and year) with their answers, and the rows they did not count.

use std::collections::BTreeMap;

use cchc_domain::sipas::{Rating, SurveyResponse};
use cchc_domain::AgencyId;
use sqlx::Row;

use crate::{Store, StoreError};

/// Where a batch came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveySource {
    /// A CSV/XLSX file.
    File,
    /// One paper form keyed in.
    Paper,
}

impl SurveySource {
    pub fn as_str(self) -> &'static str {
        match self {
            SurveySource::File => "file",
            SurveySource::Paper => "paper",
        }
    }
    fn parse(text: &str) -> SurveySource {
        if text == "paper" {
            SurveySource::Paper
        } else {
            SurveySource::File
        }
    }
}

/// A batch to store: its responses (each with its line) and the rows not counted.
#[derive(Debug, Clone, Copy)]
pub struct NewSurveyBatch<'a> {
    pub year: i32,
    pub source: SurveySource,
    pub file_name: &'a str,
    pub by: Option<i64>,
    pub at: &'a str,
    pub responses: &'a [(u32, SurveyResponse)],
    /// (line, reason) of the rows the reader did not count.
    pub excluded: &'a [(u32, String)],
}

/// What storing a batch did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBatch {
    pub batch: i64,
    pub accepted: usize,
    /// (line, form id) of responses whose form id was already stored for the year: not counted.
    pub already_stored: Vec<(u32, String)>,
}

/// A batch as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyBatch {
    pub id: i64,
    pub year: i32,
    pub source: SurveySource,
    pub file_name: String,
    pub imported_by: Option<i64>,
    pub imported_at: String,
    pub accepted: i64,
    pub excluded: i64,
}

impl Store {
    /// Stores a batch in one transaction. A response whose form id is already stored for the
    /// year is not stored again (reported in `already_stored`, counted as excluded).
    pub async fn insert_survey_batch(&self, b: &NewSurveyBatch<'_>) -> Result<StoredBatch, StoreError> {
        let mut tx = self.pool.begin().await?;
        let batch: i64 = sqlx::query(
            "INSERT INTO survey_batches (year, source, file_name, imported_by, imported_at, accepted, excluded)
             VALUES ($1, $2, $3, $4, $5, 0, 0) RETURNING id",
        )
        .bind(b.year)
        .bind(b.source.as_str())
        .bind(b.file_name)
        .bind(b.by)
        .bind(b.at)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let mut already_stored = Vec::new();
        let mut accepted = 0usize;
        for (line, response) in b.responses {
            let inserted = sqlx::query(
                "INSERT INTO survey_responses (batch_id, year, form_id, agency_id, line)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (year, form_id) DO NOTHING RETURNING id",
            )
            .bind(batch)
            .bind(b.year)
            .bind(&response.form_id)
            .bind(response.agency.as_str())
            .bind(i64::from(*line))
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = inserted else {
                already_stored.push((*line, response.form_id.clone()));
                continue;
            };
            let id: i64 = row.try_get("id")?;
            for (item, rating) in &response.answers {
                sqlx::query("INSERT INTO survey_answers (response_id, item, rating) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(i64::from(*item))
                    .bind(i64::from(rating.level()))
                    .execute(&mut *tx)
                    .await?;
            }
            accepted += 1;
        }
        let mut excluded: Vec<(u32, String)> = b.excluded.to_vec();
        excluded.extend(already_stored.iter().map(|(line, form)| {
            (*line, format!("phiếu {form} đã được nhập trước đây cho năm {}: không tính lần nữa", b.year))
        }));
        excluded.sort_by_key(|(line, _)| *line);
        for (line, message) in &excluded {
            sqlx::query("INSERT INTO survey_exclusions (batch_id, line, message) VALUES ($1, $2, $3)")
                .bind(batch)
                .bind(i64::from(*line))
                .bind(message)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE survey_batches SET accepted = $1, excluded = $2 WHERE id = $3")
            .bind(accepted as i64)
            .bind(excluded.len() as i64)
            .bind(batch)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(StoredBatch { batch, accepted, already_stored })
    }

    /// Every response stored for `year`, ordered by form id.
    pub async fn survey_responses(&self, year: i32) -> Result<Vec<SurveyResponse>, StoreError> {
        let rows = sqlx::query("SELECT id, form_id, agency_id FROM survey_responses WHERE year = $1 ORDER BY form_id")
            .bind(year)
            .fetch_all(&self.pool)
            .await?;
        let answers = sqlx::query(
            "SELECT a.response_id, a.item, a.rating FROM survey_answers a
               JOIN survey_responses r ON r.id = a.response_id
              WHERE r.year = $1",
        )
        .bind(year)
        .fetch_all(&self.pool)
        .await?;
        let mut by_response: BTreeMap<i64, BTreeMap<u16, Rating>> = BTreeMap::new();
        for row in answers {
            let id: i64 = row.try_get("response_id")?;
            let item: i64 = row.try_get("item")?;
            let rating: i64 = row.try_get("rating")?;
            let item = u16::try_from(item).map_err(|_| StoreError::Corrupt(format!("survey item {item}")))?;
            let rating = u8::try_from(rating)
                .ok()
                .and_then(Rating::new)
                .ok_or_else(|| StoreError::Corrupt(format!("survey rating {rating}")))?;
            by_response.entry(id).or_default().insert(item, rating);
        }
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let agency: String = row.try_get("agency_id")?;
            let agency = AgencyId::parse(&agency).ok_or_else(|| StoreError::Corrupt(format!("agency id {agency}")))?;
            out.push(SurveyResponse {
                form_id: row.try_get("form_id")?,
                agency,
                year,
                answers: by_response.remove(&id).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// The batches of `year`, newest first.
    pub async fn survey_batches(&self, year: i32) -> Result<Vec<SurveyBatch>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, year, source, file_name, imported_by, imported_at, accepted, excluded
               FROM survey_batches WHERE year = $1 ORDER BY id DESC",
        )
        .bind(year)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let source: String = row.try_get("source")?;
                Ok(SurveyBatch {
                    id: row.try_get("id")?,
                    year: row.try_get("year")?,
                    source: SurveySource::parse(&source),
                    file_name: row.try_get("file_name")?,
                    imported_by: row.try_get("imported_by")?,
                    imported_at: row.try_get("imported_at")?,
                    accepted: row.try_get("accepted")?,
                    excluded: row.try_get("excluded")?,
                })
            })
            .collect()
    }

    /// The rows a batch did not count: (line, reason).
    pub async fn survey_exclusions(&self, batch: i64) -> Result<Vec<(u32, String)>, StoreError> {
        let rows = sqlx::query("SELECT line, message FROM survey_exclusions WHERE batch_id = $1 ORDER BY line")
            .bind(batch)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let line: i64 = row.try_get("line")?;
                Ok((u32::try_from(line).unwrap_or(0), row.try_get("message")?))
            })
            .collect()
    }
}
