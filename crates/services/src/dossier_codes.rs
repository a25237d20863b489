//! Other `DonViXuLy` codes of the one-stop-shop exports (the province system's own unit codes,
//! say) mapped by Sở Nội vụ to directory agencies. The mapping is stored, read once into memory
//! and replaced on every edit; a mapped code wins over the agency-id and GSO-code lookups. Every
//! table, list and comparison resolves codes when it is asked, so a new mapping applies at once
//! to every dossier already imported.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use cchc_domain::account::User;
use cchc_domain::dossier::Window;
use cchc_domain::{Agency, AgencyId, Timestamp};
use cchc_store::Actor;

use crate::{App, ServiceError};

/// Longest code accepted, in characters.
pub const MAX_CODE_CHARS: usize = 64;

/// The mapping in memory.
#[derive(Debug, Default)]
pub(crate) struct MappedCodes(RwLock<Arc<BTreeMap<String, AgencyId>>>);

/// One mapped code.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeMapping {
    pub code: String,
    pub agency: Agency,
}

/// A code of the imported dossiers that matches no agency, with its number of dossiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnresolvedCode {
    pub code: String,
    pub dossiers: u64,
}

fn admin_only(user: &User) -> Result<(), ServiceError> {
    if user.is_admin() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("chỉ Sở Nội vụ được sửa bảng mã đơn vị xử lý hồ sơ".into()))
    }
}

/// A code as users type it: trimmed, not empty, at most [`MAX_CODE_CHARS`], no control
/// characters.
fn checked_code(code: &str) -> Result<String, ServiceError> {
    let code = code.trim();
    let problem = if code.is_empty() {
        Some("mã đơn vị không được để trống".to_string())
    } else if code.chars().count() > MAX_CODE_CHARS {
        Some(format!("mã đơn vị dài quá {MAX_CODE_CHARS} ký tự"))
    } else if code.chars().any(char::is_control) {
        Some("mã đơn vị có ký tự điều khiển".to_string())
    } else {
        None
    };
    match problem {
        Some(problem) => Err(ServiceError::Invalid(vec![problem])),
        None => Ok(code.to_string()),
    }
}

impl App {
    pub(crate) fn mapped_codes(&self) -> Arc<BTreeMap<String, AgencyId>> {
        match self.dossier_codes.0.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Reads the stored mapping into memory (ids no longer parseable are left out and logged
    /// by nobody: the directory keeps every agency that ever existed, so none should be).
    pub(crate) async fn reload_dossier_codes(&self) -> Result<(), ServiceError> {
        let map: BTreeMap<String, AgencyId> = self
            .store
            .dossier_agency_codes()
            .await?
            .into_iter()
            .filter_map(|(code, id)| Some((code, AgencyId::parse(&id)?)))
            .collect();
        match self.dossier_codes.0.write() {
            Ok(mut guard) => *guard = Arc::new(map),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(map),
        }
        // Every dossier page and comparison resolves codes anew: answers kept before are stale.
        self.cache.clear();
        Ok(())
    }

    /// Every mapped code with its agency, by code.
    pub fn dossier_code_mappings(&self) -> Vec<CodeMapping> {
        self.mapped_codes()
            .iter()
            .filter_map(|(code, id)| {
                Some(CodeMapping { code: code.clone(), agency: self.directory().agency(id)?.clone() })
            })
            .collect()
    }

    /// Maps `code` to `agency` (replacing an earlier mapping of the code). Sở Nội vụ only; the
    /// agency must be in the directory (of any day).
    pub async fn map_dossier_code(
        &self,
        user: &User,
        code: &str,
        agency: &AgencyId,
        now: Timestamp,
    ) -> Result<CodeMapping, ServiceError> {
        admin_only(user)?;
        let code = checked_code(code)?;
        let Some(found) = self.directory().agency(agency).cloned() else {
            return Err(ServiceError::UnknownAgency(agency.to_string()));
        };
        let at = now.rfc3339();
        self.store.set_dossier_agency_code(&code, found.id.as_str(), Actor { user: Some(user.id), at: &at }).await?;
        self.reload_dossier_codes().await?;
        Ok(CodeMapping { code, agency: found })
    }

    /// Removes the mapping of `code`. Sở Nội vụ only; «không tìm thấy» when there was none.
    pub async fn unmap_dossier_code(&self, user: &User, code: &str) -> Result<(), ServiceError> {
        admin_only(user)?;
        let code = checked_code(code)?;
        if !self.store.remove_dossier_agency_code(&code).await? {
            return Err(ServiceError::NotFound(format!("mã đơn vị «{code}» trong bảng mã")));
        }
        self.reload_dossier_codes().await
    }

    /// The `DonViXuLy` codes of the imported dossiers that match no agency (by mapping, id or
    /// GSO code), with their numbers of dossiers, most first.
    pub fn unresolved_dossier_codes(&self, user: &User) -> Result<Vec<UnresolvedCode>, ServiceError> {
        if !user.active {
            return Err(ServiceError::Forbidden("tài khoản đã bị khóa".into()));
        }
        if self.dossier_dir.is_none() {
            return Ok(Vec::new());
        }
        let snapshot = self.dossier_snapshot()?;
        let (first, days) = snapshot.aggregates.range();
        let Some(window) = Window::new(first, cchc_domain::dossier::DayNum::new(first.get() + days.saturating_sub(1)))
        else {
            return Ok(Vec::new());
        };
        let counts = if days == 0 { Vec::new() } else { snapshot.aggregates.query(window) };
        let unknown = self.unknown_codes(&snapshot.agencies);
        let mut out: Vec<UnresolvedCode> = snapshot
            .agencies
            .iter()
            .zip(counts.iter().map(Some).chain(std::iter::repeat(None)))
            .filter(|(code, _)| unknown.contains(code))
            .map(|(code, c)| UnresolvedCode { code: code.clone(), dossiers: c.map_or(0, |c| c.received) })
            .collect();
        out.sort_by(|a, b| b.dossiers.cmp(&a.dossiers).then_with(|| a.code.cmp(&b.code)));
        Ok(out)
    }
}
