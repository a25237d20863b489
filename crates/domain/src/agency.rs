//! Agencies ("cơ quan, đơn vị"), administrative units and named groups of them.

use std::fmt;

use crate::text::fold;

/// Stable identifier of an agency, e.g. `so-noi-vu`, `ubnd-huyen-116`, `ubnd-xa-03646`.
/// Lower-case ASCII letters, digits and `-`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgencyId(String);

impl AgencyId {
    pub fn parse(text: &str) -> Option<AgencyId> {
        let ok = !text.is_empty()
            && text.len() <= 64
            && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        ok.then(|| AgencyId(text.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgencyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Identifier of a named group of agencies ("Các sở, ban, ngành" → `departments`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupId(String);

impl GroupId {
    pub fn parse(text: &str) -> Option<GroupId> {
        AgencyId::parse(text).map(|id| GroupId(id.0))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Administrative level a target or an agency belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AdminLevel {
    /// Province ("cấp tỉnh").
    Tinh,
    /// District ("cấp huyện": huyện, thành phố thuộc tỉnh).
    Huyen,
    /// Commune ("cấp xã": xã, phường, thị trấn).
    Xa,
}

impl AdminLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            AdminLevel::Tinh => "tinh",
            AdminLevel::Huyen => "huyen",
            AdminLevel::Xa => "xa",
        }
    }
    pub fn parse(text: &str) -> Option<AdminLevel> {
        match text {
            "tinh" => Some(AdminLevel::Tinh),
            "huyen" => Some(AdminLevel::Huyen),
            "xa" => Some(AdminLevel::Xa),
            _ => None,
        }
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            AdminLevel::Tinh => "cấp tỉnh",
            AdminLevel::Huyen => "cấp huyện",
            AdminLevel::Xa => "cấp xã",
        }
    }
}

/// What kind of body an agency is; decides the groups it belongs to and the report form it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgencyKind {
    /// The provincial People's Committee and the Chairman ("UBND tỉnh", "Chủ tịch UBND tỉnh").
    Province,
    /// A provincial department or agency ("sở, ban, ngành").
    Department,
    /// A central agency based in the province ("ngành dọc": police, tax, treasury, …).
    Sectoral,
    /// A district-level People's Committee ("UBND huyện, thành phố").
    District,
    /// A commune-level People's Committee ("UBND xã, phường, thị trấn").
    Commune,
    /// Anything else named by a plan (associations, press, party bodies, ministries).
    Other,
}

impl AgencyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AgencyKind::Province => "province",
            AgencyKind::Department => "department",
            AgencyKind::Sectoral => "sectoral",
            AgencyKind::District => "district",
            AgencyKind::Commune => "commune",
            AgencyKind::Other => "other",
        }
    }
    pub fn parse(text: &str) -> Option<AgencyKind> {
        [
            AgencyKind::Province,
            AgencyKind::Department,
            AgencyKind::Sectoral,
            AgencyKind::District,
            AgencyKind::Commune,
            AgencyKind::Other,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            AgencyKind::Province => "UBND tỉnh",
            AgencyKind::Department => "Sở, ban, ngành",
            AgencyKind::Sectoral => "Cơ quan ngành dọc",
            AgencyKind::District => "UBND cấp huyện",
            AgencyKind::Commune => "UBND cấp xã",
            AgencyKind::Other => "Cơ quan, tổ chức khác",
        }
    }
}

/// One agency or administrative unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    pub id: AgencyId,
    /// Official Vietnamese name, e.g. "Sở Nội vụ", "UBND huyện Mai Sơn".
    pub name: String,
    /// Other ways documents write it ("Sở TT&TT", "Văn phòng UBND tỉnh").
    pub aliases: Vec<String>,
    pub kind: AgencyKind,
    pub level: AdminLevel,
    /// The district a commune belongs to.
    pub parent: Option<AgencyId>,
    /// Official statistical (GSO) code of the administrative unit, where it is one.
    pub gso_code: Option<u32>,
}

/// A named group. Membership is either a fixed list or every agency of some kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyGroup {
    pub id: GroupId,
    pub name: String,
    pub aliases: Vec<String>,
    /// Every agency of these kinds is a member.
    pub kinds: Vec<AgencyKind>,
    /// Plus these agencies.
    pub members: Vec<AgencyId>,
}

/// The agencies of a province and the groups plans refer to.
#[derive(Debug, Clone, Default)]
pub struct AgencyDirectory {
    pub agencies: Vec<Agency>,
    pub groups: Vec<AgencyGroup>,
    /// Position of each agency by id, built on first lookup. A lookup checks the entry it finds,
    /// so a directory changed after the index was built still answers correctly (just slower).
    index: std::sync::OnceLock<std::collections::HashMap<AgencyId, usize>>,
}

impl PartialEq for AgencyDirectory {
    fn eq(&self, other: &Self) -> bool {
        self.agencies == other.agencies && self.groups == other.groups
    }
}

impl Eq for AgencyDirectory {}

impl AgencyDirectory {
    pub fn new(agencies: Vec<Agency>, groups: Vec<AgencyGroup>) -> AgencyDirectory {
        AgencyDirectory { agencies, groups, index: std::sync::OnceLock::new() }
    }

    pub fn agency(&self, id: &AgencyId) -> Option<&Agency> {
        let index =
            self.index.get_or_init(|| self.agencies.iter().enumerate().map(|(i, a)| (a.id.clone(), i)).collect());
        match index.get(id).and_then(|&i| self.agencies.get(i)) {
            Some(found) if &found.id == id => Some(found),
            _ => self.agencies.iter().find(|a| &a.id == id),
        }
    }

    pub fn group(&self, id: &GroupId) -> Option<&AgencyGroup> {
        self.groups.iter().find(|g| &g.id == id)
    }

    /// Every agency that belongs to a group, in directory order.
    pub fn members(&self, id: &GroupId) -> Vec<&Agency> {
        let Some(group) = self.group(id) else {
            return Vec::new();
        };
        self.agencies.iter().filter(|a| group.kinds.contains(&a.kind) || group.members.contains(&a.id)).collect()
    }

    /// Whether `agency` belongs to group `group`.
    pub fn is_member(&self, group: &GroupId, agency: &AgencyId) -> bool {
        let Some(g) = self.group(group) else {
            return false;
        };
        g.members.contains(agency) || self.agency(agency).is_some_and(|a| g.kinds.contains(&a.kind))
    }

    /// Agencies whose name, alias or id contains `query`, compared accent- and case-insensitively.
    pub fn search(&self, query: &str) -> Vec<&Agency> {
        let needle = fold(query);
        self.agencies
            .iter()
            .filter(|a| {
                needle.is_empty()
                    || fold(&a.name).contains(&needle)
                    || a.aliases.iter().any(|al| fold(al).contains(&needle))
                    || a.id.as_str().contains(&needle)
            })
            .collect()
    }
}
