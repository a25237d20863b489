//! Accounts and roles.

use crate::agency::{Agency, AgencyId};
use crate::date::Timestamp;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserRole {
    /// Sở Nội vụ: the plan, users, events, everything.
    Admin,
    /// An agency officer: writes only its own agency's assignments.
    Agency,
    /// A leader or viewer: reads everything, writes nothing.
    Viewer,
    /// A member of the PAR Index appraisal council ("thẩm định"): reads everything, appraises
    /// the agencies' self-assessments, writes nothing else.
    Appraiser,
}

impl UserRole {
    pub const ALL: [UserRole; 4] = [UserRole::Admin, UserRole::Agency, UserRole::Viewer, UserRole::Appraiser];

    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::Admin => "admin",
            UserRole::Agency => "agency",
            UserRole::Viewer => "viewer",
            UserRole::Appraiser => "appraiser",
        }
    }
    pub fn parse(text: &str) -> Option<UserRole> {
        UserRole::ALL.into_iter().find(|r| r.as_str() == text)
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            UserRole::Admin => "Quản trị (Sở Nội vụ)",
            UserRole::Agency => "Cán bộ cơ quan",
            UserRole::Viewer => "Lãnh đạo / xem",
            UserRole::Appraiser => "Thẩm định Chỉ số CCHC",
        }
    }
}

/// Database identity of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserId(pub i64);

/// An account (without its password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: UserRole,
    /// The agency an agency officer belongs to.
    pub agency: Option<AgencyId>,
    pub active: bool,
}

impl User {
    /// Whether this user may record progress on an assignment of `agency`.
    pub fn may_write_for(&self, agency: &AgencyId) -> bool {
        self.active
            && match self.role {
                UserRole::Admin => true,
                UserRole::Agency => self.agency.as_ref() == Some(agency),
                UserRole::Viewer | UserRole::Appraiser => false,
            }
    }

    /// Whether this user appraises PAR Index self-assessments (the council, or Sở Nội vụ).
    pub fn is_appraiser(&self) -> bool {
        self.active && matches!(self.role, UserRole::Admin | UserRole::Appraiser)
    }

    pub fn is_admin(&self) -> bool {
        self.active && self.role == UserRole::Admin
    }

    /// Whether this user reads every agency's records (Sở Nội vụ and leaders).
    pub fn reads_all(&self) -> bool {
        self.active && matches!(self.role, UserRole::Admin | UserRole::Viewer | UserRole::Appraiser)
    }

    /// Whether this user may read `agency`'s reports and records: readers of everything, the
    /// agency's own officers, and a district's officers for the communes under it (read only).
    pub fn may_read(&self, agency: &Agency) -> bool {
        self.reads_all()
            || self.may_write_for(&agency.id)
            || (self.active
                && self.role == UserRole::Agency
                && agency.parent.is_some()
                && agency.parent.as_ref() == self.agency.as_ref())
    }
}

/// A change made to an account, kept in an append-only audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountAction {
    Created,
    Deactivated,
    Reactivated,
    /// An administrator set a new password (the owner is asked to change it).
    PasswordReset,
    /// The owner changed their own password.
    PasswordChanged,
}

impl AccountAction {
    pub const ALL: [AccountAction; 5] = [
        AccountAction::Created,
        AccountAction::Deactivated,
        AccountAction::Reactivated,
        AccountAction::PasswordReset,
        AccountAction::PasswordChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountAction::Created => "created",
            AccountAction::Deactivated => "deactivated",
            AccountAction::Reactivated => "reactivated",
            AccountAction::PasswordReset => "password_reset",
            AccountAction::PasswordChanged => "password_changed",
        }
    }

    pub fn parse(text: &str) -> Option<AccountAction> {
        AccountAction::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// The verb of the audit line ("quantri *đã khóa* tài khoản tuphap").
    pub fn label_vn(self) -> &'static str {
        match self {
            AccountAction::Created => "tạo tài khoản",
            AccountAction::Deactivated => "khóa tài khoản",
            AccountAction::Reactivated => "mở khóa tài khoản",
            AccountAction::PasswordReset => "đặt lại mật khẩu của",
            AccountAction::PasswordChanged => "tự đổi mật khẩu của",
        }
    }
}

/// One line of the account audit: who did what to whom, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountEvent {
    pub at: Timestamp,
    /// The username of who did it; `None` for the system itself (the first administrator).
    pub actor: Option<String>,
    /// The username of the account changed.
    pub target: String,
    pub action: AccountAction,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: UserRole, agency: Option<&str>) -> User {
        User {
            id: UserId(1),
            username: "u".into(),
            display_name: "U".into(),
            role,
            agency: agency.and_then(AgencyId::parse),
            active: true,
        }
    }

    #[test]
    fn only_admins_and_the_agencys_own_officers_may_write() {
        let tu_phap = AgencyId::parse("so-tu-phap").unwrap();
        let noi_vu = AgencyId::parse("so-noi-vu").unwrap();
        assert!(user(UserRole::Admin, None).may_write_for(&tu_phap));
        assert!(user(UserRole::Agency, Some("so-tu-phap")).may_write_for(&tu_phap));
        assert!(!user(UserRole::Agency, Some("so-tu-phap")).may_write_for(&noi_vu));
        assert!(!user(UserRole::Viewer, None).may_write_for(&tu_phap));
        let mut inactive = user(UserRole::Admin, None);
        inactive.active = false;
        assert!(!inactive.may_write_for(&tu_phap));
    }

    #[test]
    fn districts_read_their_communes_and_nobody_else_reads_other_agencies() {
        use crate::agency::{AdminLevel, AgencyKind};
        let commune = |id: &str, parent: &str| Agency {
            id: AgencyId::parse(id).unwrap(),
            name: id.into(),
            aliases: vec![],
            kind: AgencyKind::Commune,
            level: AdminLevel::Xa,
            parent: AgencyId::parse(parent),
            gso_code: None,
            validity: Default::default(),
        };
        let own = commune("ubnd-xa-03646", "ubnd-huyen-116");
        let other = commune("ubnd-xa-03700", "ubnd-huyen-118");
        let district = user(UserRole::Agency, Some("ubnd-huyen-116"));
        assert!(district.may_read(&own));
        assert!(!district.may_write_for(&own.id), "read only");
        assert!(!district.may_read(&other));
        assert!(user(UserRole::Viewer, None).may_read(&other));
        assert!(user(UserRole::Agency, Some("ubnd-xa-03646")).may_read(&own));
        assert!(!user(UserRole::Agency, Some("ubnd-xa-03646")).may_read(&other));
        let mut inactive = district.clone();
        inactive.active = false;
        assert!(!inactive.may_read(&own));
    }

    #[test]
    fn account_actions_round_trip() {
        for action in AccountAction::ALL {
            assert_eq!(AccountAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(AccountAction::parse("deleted"), None);
    }
}
