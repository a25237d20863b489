//! Agencies ("cơ quan, đơn vị"), administrative units and named groups of them.

use std::fmt;

use crate::text::fold;
use crate::Date;

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
    /// When the agency exists, and what became of it.
    pub validity: Validity,
}

impl Agency {
    /// Whether the agency exists on `date`.
    pub fn is_valid_on(&self, date: Date) -> bool {
        self.validity.contains(date)
    }

    /// The name the agency bore on `date` (its current name when `date` is after every rename).
    pub fn name_on(&self, date: Date) -> &str {
        self.validity.former_names.iter().find(|f| date <= f.until).map_or(self.name.as_str(), |f| f.name.as_str())
    }
}

/// How an agency ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ending {
    /// Merged into its (one) successor together with others ("sáp nhập", "nhập toàn bộ").
    Merged,
    /// Divided between several successors ("chia tách").
    Split,
    /// Replaced by a new body that took over its duties ("thay thế", "tổ chức lại").
    Replaced,
    /// Abolished without a successor ("giải thể").
    Dissolved,
}

impl Ending {
    pub const ALL: [Ending; 4] = [Ending::Merged, Ending::Split, Ending::Replaced, Ending::Dissolved];

    pub fn as_str(self) -> &'static str {
        match self {
            Ending::Merged => "merged",
            Ending::Split => "split",
            Ending::Replaced => "replaced",
            Ending::Dissolved => "dissolved",
        }
    }
    pub fn parse(text: &str) -> Option<Ending> {
        Ending::ALL.into_iter().find(|e| e.as_str() == text)
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            Ending::Merged => "sáp nhập vào",
            Ending::Split => "chia tách thành",
            Ending::Replaced => "được thay thế bởi",
            Ending::Dissolved => "giải thể",
        }
    }
}

/// A name an agency bore until (and including) `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormerName {
    pub name: String,
    pub until: Date,
}

/// The interval an agency or a group exists in (both ends inclusive, open when `None`), what
/// ended it and who took over, and its earlier names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validity {
    /// First day; `None` = before any plan.
    pub from: Option<Date>,
    /// Last day; `None` = still exists.
    pub until: Option<Date>,
    /// How it ended (set when `until` is).
    pub ending: Option<Ending>,
    /// Who took over its duties, from the day after `until`.
    pub successors: Vec<AgencyId>,
    /// Earlier names, oldest first, each with its last day.
    pub former_names: Vec<FormerName>,
    /// The decision the interval rests on ("Nghị quyết 1681/NQ-UBTVQH15 ngày 16/06/2025").
    pub basis: Option<String>,
}

impl Validity {
    pub fn contains(&self, date: Date) -> bool {
        self.from.is_none_or(|from| from <= date) && self.until.is_none_or(|until| date <= until)
    }
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
    /// Last day the group exists (e.g. "UBND các huyện, thành phố" until 30/06/2025).
    pub until: Option<Date>,
    /// The group that took over its duties afterwards.
    pub successor: Option<GroupId>,
}

impl AgencyGroup {
    pub fn is_valid_on(&self, date: Date) -> bool {
        self.until.is_none_or(|until| date <= until)
    }
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

    /// Every agency and group of the directory, each under the name it bore on `date` (names
    /// borne at other times are dropped from its aliases, so that the names of that day stay
    /// unambiguous): the directory to look agencies up in when showing a plan of that day.
    pub fn named_on(&self, date: Date) -> AgencyDirectory {
        let agencies = self
            .agencies
            .iter()
            .map(|a| {
                let mut agency = a.clone();
                let name = a.name_on(date);
                if !a.validity.former_names.is_empty() {
                    // "Thị trấn Yên Châu" was another unit before Xã Viêng Lán took the name.
                    let others: Vec<String> = std::iter::once(a.name.as_str())
                        .chain(a.validity.former_names.iter().map(|f| f.name.as_str()))
                        .filter(|other| *other != name)
                        .map(fold)
                        .collect();
                    agency.aliases.retain(|alias| {
                        let folded = fold(alias);
                        !others.iter().any(|o| *o == folded || o.strip_prefix("ubnd ") == Some(folded.as_str()))
                    });
                    agency.name = name.to_string();
                }
                agency
            })
            .collect();
        AgencyDirectory::new(agencies, self.groups.clone())
    }

    /// The directory as it stood on `date`: the agencies and groups that existed then, each
    /// under the name it bore then, group members and parents that did not exist left out.
    pub fn as_of(&self, date: Date) -> AgencyDirectory {
        let named = self.named_on(date);
        let agencies: Vec<Agency> = named.agencies.into_iter().filter(|a| a.is_valid_on(date)).collect();
        let valid: std::collections::HashSet<AgencyId> = agencies.iter().map(|a| a.id.clone()).collect();
        let agencies: Vec<Agency> = agencies
            .into_iter()
            .map(|mut agency| {
                if agency.parent.as_ref().is_some_and(|p| !valid.contains(p)) {
                    agency.parent = None;
                }
                agency
            })
            .collect();
        let groups = named
            .groups
            .into_iter()
            .filter(|g| g.is_valid_on(date))
            .map(|mut group| {
                group.members.retain(|m| valid.contains(m));
                group
            })
            .collect();
        AgencyDirectory::new(agencies, groups)
    }

    /// The agencies that carry on the duties of `id` on `date`: itself when it exists then,
    /// else its successors (followed through every later change), in directory order. Empty
    /// when it ended without a successor or did not exist yet.
    pub fn successors_on(&self, id: &AgencyId, date: Date) -> Vec<&Agency> {
        let mut seen = std::collections::HashSet::new();
        let mut found = std::collections::BTreeSet::new();
        let mut stack = vec![id.clone()];
        while let Some(next) = stack.pop() {
            if !seen.insert(next.clone()) {
                continue;
            }
            let Some(agency) = self.agency(&next) else { continue };
            if agency.is_valid_on(date) {
                found.insert(next);
            } else if agency.validity.until.is_some_and(|until| until < date) {
                stack.extend(agency.validity.successors.iter().cloned());
            }
        }
        self.agencies.iter().filter(|a| found.contains(&a.id)).collect()
    }

    /// The group that carries on the duties of group `id` on `date` (itself, or its successor
    /// followed through later changes).
    pub fn group_successor_on(&self, id: &GroupId, date: Date) -> Option<&AgencyGroup> {
        let mut current = self.group(id)?;
        for _ in 0..self.groups.len() {
            if current.is_valid_on(date) {
                return Some(current);
            }
            current = self.group(current.successor.as_ref()?)?;
        }
        None
    }

    /// The days on which the directory changes (an agency or group starts, or the day after
    /// one ends, or a rename takes effect), sorted. Views as of two days with no change
    /// between them are equal.
    pub fn change_dates(&self) -> Vec<Date> {
        let mut dates = std::collections::BTreeSet::new();
        for agency in &self.agencies {
            let v = &agency.validity;
            dates.extend(v.from);
            dates.extend(v.until.map(Date::next));
            dates.extend(v.former_names.iter().map(|f| f.until.next()));
        }
        dates.extend(self.groups.iter().filter_map(|g| g.until.map(Date::next)));
        dates.into_iter().collect()
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
