//! The year-end task-completion rating: the rule set in force for a year (stored versions, else
//! the shipped sets), each assessed agency's breakdown, total and level computed from its PAR
//! Index and the automatic measures, the cap on "excellent" per kind of agency, and Sở Nội vụ's
//! overrides with their reasons (append-only; the latest is in force, the rest is its history).
//!
//! Visibility: Sở Nội vụ, leaders and the appraisal council see every agency; an agency officer
//! sees its own; the public nothing.

use std::collections::HashMap;

use cchc_domain::account::User;
use cchc_domain::evaluation::{rate, rules_for_year, Rating, RatingInput, RatingLevel, RatingOverride, RatingRules};
use cchc_domain::{Agency, AgencyId, AgencyKind, Date, Severity, Timestamp};
use cchc_import::rating::{load_rules, rules_document, shipped_rules};
use cchc_store::{Actor, StoreError};

use crate::{App, ServiceError};

/// The rule set in force for a year.
#[derive(Debug, Clone)]
pub struct RulesInForce {
    pub rules: RatingRules,
    /// Stored version, `None` for a shipped set.
    pub version: Option<i64>,
}

/// One agency's rating with the history of its overrides (oldest first).
#[derive(Debug, Clone)]
pub struct AgencyRating {
    pub agency: Agency,
    pub rating: Rating,
    pub history: Vec<RatingOverride>,
}

/// The ratings of one kind of agency (the group the cap applies to).
#[derive(Debug, Clone)]
pub struct KindRatings {
    pub kind: AgencyKind,
    /// The PAR Index used is the published one (false: provisional).
    pub par_index_published: bool,
    /// How many may keep "excellent" under the cap, when the rules have one.
    pub cap: Option<usize>,
    /// Ordered by total (highest first, unrated last), then name.
    pub results: Vec<AgencyRating>,
}

/// The ratings of a year as `user` may see them.
#[derive(Debug, Clone)]
pub struct YearRatings {
    pub year: i32,
    pub rules: RulesInForce,
    pub kinds: Vec<KindRatings>,
}

impl App {
    /// The rule set in force in `year`: among the shipped sets and the latest stored version of
    /// each, the one with the highest `valid_from_year` not after `year`.
    pub async fn rating_rules(&self, year: i32) -> Result<RulesInForce, ServiceError> {
        let mut sets: Vec<RulesInForce> =
            shipped_rules().into_iter().map(|rules| RulesInForce { rules, version: None }).collect();
        for stored in self.store().latest_rating_rules().await? {
            let (rules, _) = load_rules(&stored.document);
            let rules = rules.ok_or_else(|| {
                ServiceError::Store(StoreError::Corrupt(format!(
                    "stored rating rules {} v{} do not load",
                    stored.valid_from_year, stored.version
                )))
            })?;
            sets.retain(|s| s.rules.valid_from_year != rules.valid_from_year);
            sets.push(RulesInForce { rules, version: Some(stored.version) });
        }
        let plain: Vec<RatingRules> = sets.iter().map(|s| s.rules.clone()).collect();
        let wanted = rules_for_year(&plain, year).map(|r| r.valid_from_year).ok_or_else(|| {
            ServiceError::NotFound(format!("quy tắc xếp loại áp dụng cho năm {year} (sớm nhất từ năm 2024)"))
        })?;
        sets.into_iter()
            .find(|s| s.rules.valid_from_year == wanted)
            .ok_or_else(|| ServiceError::NotFound(format!("quy tắc xếp loại năm {year}")))
    }

    /// The editable document of the rule set in force in `year`.
    pub async fn export_rating_rules(&self, year: i32) -> Result<String, ServiceError> {
        Ok(rules_document(&self.rating_rules(year).await?.rules))
    }

    /// Stores an edited rule set as a new version (Sở Nội vụ only), refused whole with every
    /// error and its line. Returns (valid_from_year, version, warnings).
    pub async fn import_rating_rules(
        &self,
        user: &User,
        document: &str,
        note: &str,
        now: Timestamp,
    ) -> Result<(i32, i64, Vec<String>), ServiceError> {
        if !user.is_admin() {
            return Err(ServiceError::Forbidden("chỉ Sở Nội vụ được ban hành quy tắc xếp loại".into()));
        }
        let (rules, diagnostics) = load_rules(document);
        let Some(rules) = rules else {
            return Err(ServiceError::Invalid(crate::diagnostic_lines(&diagnostics, Severity::Error)));
        };
        let note = crate::tracking::typed_text("ghi chú", note, &mut Vec::new());
        let version = self
            .store()
            .save_rating_rules(
                rules.valid_from_year,
                document,
                &note,
                Actor { user: Some(user.id), at: &now.rfc3339() },
            )
            .await?;
        self.cache.evaluation_changed();
        Ok((rules.valid_from_year, version, crate::diagnostic_lines(&diagnostics, Severity::Warning)))
    }

    /// The ratings of `year` that `user` may see: every agency for Sở Nội vụ, leaders and the
    /// council; an officer's own agency; nothing for the public (refused).
    pub async fn ratings(&self, user: Option<&User>, year: i32, today: Date) -> Result<YearRatings, ServiceError> {
        let Some(user) = user.filter(|u| u.active) else {
            return Err(ServiceError::Forbidden("kết quả xếp loại chỉ dành cho người dùng đã đăng nhập".into()));
        };
        let all = self.all_ratings(year, today).await?;
        if user.reads_all() {
            return Ok(all);
        }
        let own = user.agency.as_ref();
        let kinds = all
            .kinds
            .into_iter()
            .filter_map(|k| {
                let results: Vec<AgencyRating> = k.results.into_iter().filter(|r| Some(&r.agency.id) == own).collect();
                (!results.is_empty()).then_some(KindRatings { results, ..k })
            })
            .collect();
        Ok(YearRatings { kinds, ..all })
    }

    /// Every assessed agency's rating of `year`.
    async fn all_ratings(&self, year: i32, today: Date) -> Result<YearRatings, ServiceError> {
        let rules = self.rating_rules(year).await?;
        let scores = self.year_scores(year, today).await?;
        let automatic = self.automatic_measures(year, today).await?;
        let mut history: HashMap<AgencyId, Vec<RatingOverride>> = HashMap::new();
        for row in self.store().rating_overrides(year).await? {
            history.entry(row.agency).or_default().push(row.value);
        }
        let mut kinds = Vec::new();
        for kind in &scores.kinds {
            let inputs: Vec<RatingInput> = kind
                .results
                .iter()
                .map(|r| RatingInput {
                    agency: r.agency.id.clone(),
                    par_index: r.score.index.map(|i| i.value()),
                    measures: automatic
                        .iter()
                        .filter(|((agency, _), _)| *agency == r.agency.id)
                        .map(|((_, measure), value)| (*measure, *value))
                        .collect(),
                    override_: history.get(&r.agency.id).and_then(|h| h.last()).cloned(),
                })
                .collect();
            let ratings = rate(&rules.rules, &inputs);
            let good_or_better =
                ratings.iter().filter(|r| r.level_before_cap.is_some_and(RatingLevel::is_good_or_better)).count();
            let mut results: Vec<AgencyRating> = kind
                .results
                .iter()
                .zip(ratings)
                .map(|(r, rating)| AgencyRating {
                    history: history.get(&r.agency.id).cloned().unwrap_or_default(),
                    agency: r.agency.clone(),
                    rating,
                })
                .collect();
            results.sort_by(|a, b| b.rating.total.cmp(&a.rating.total).then_with(|| a.agency.name.cmp(&b.agency.name)));
            kinds.push(KindRatings {
                kind: kind.kind,
                par_index_published: kind.published(),
                cap: rules.rules.cap(good_or_better),
                results,
            });
        }
        Ok(YearRatings { year, rules, kinds })
    }

    /// Records Sở Nội vụ's decision on the rating of `agency` in `year`, with its reason. The
    /// history is kept; the latest decision is in force.
    pub async fn override_rating(
        &self,
        user: &User,
        year: i32,
        agency: &AgencyId,
        level: RatingLevel,
        reason: &str,
        now: Timestamp,
    ) -> Result<(), ServiceError> {
        if !user.is_admin() {
            return Err(ServiceError::Forbidden("chỉ Sở Nội vụ được điều chỉnh kết quả xếp loại".into()));
        }
        let mut problems = Vec::new();
        let reason = crate::tracking::typed_text("lý do", reason, &mut problems);
        if reason.is_empty() && problems.is_empty() {
            problems.push("cần ghi lý do điều chỉnh kết quả xếp loại".to_string());
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let scores = self.year_scores(year, now.date_in_vietnam()).await?;
        if !scores.kinds.iter().any(|k| k.results.iter().any(|r| &r.agency.id == agency)) {
            return Err(ServiceError::UnknownAgency(format!("{agency} (không thuộc diện xếp loại năm {year})")));
        }
        self.store()
            .record_rating_override(year, agency, level, &reason, Actor { user: Some(user.id), at: &now.rfc3339() })
            .await?;
        self.cache.evaluation_changed();
        Ok(())
    }
}
