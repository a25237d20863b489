//! The plan document: metadata, the eight reform areas, targets, tasks and appendix activities.

use std::fmt;

use crate::agency::{AgencyDirectory, AgencyId, GroupId};
use crate::date::Date;
use crate::period::ReportingPeriod;
use crate::schedule::{Milestone, Schedule};
use crate::target::Target;

/// The decision that issues the plan ("Quyết định số 2783/QĐ-UBND ngày 21/12/2023").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanMeta {
    /// "2783/QĐ-UBND".
    pub decision_number: String,
    pub decision_date: Option<Date>,
    /// The signer's name ("Hoàng Quốc Khánh").
    pub signer: Option<String>,
    /// The signer's title as printed ("CHỦ TỊCH").
    pub signer_title: Option<String>,
    /// "Sơn La".
    pub province: String,
    /// The plan year (2024).
    pub year: Option<i32>,
    /// The plan's title ("Cải cách hành chính nhà nước tỉnh Sơn La năm 2024").
    pub title: String,
}

impl PlanMeta {
    /// The day whose map of agencies and units the plan is read against: 1 January of its
    /// year, else its decision date.
    pub fn map_date(&self) -> Option<Date> {
        self.year.and_then(|y| Date::from_ymd(y, 1, 1)).or(self.decision_date)
    }
}

/// The eight reform areas of the national PAR INDEX ("lĩnh vực cải cách").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AreaCode {
    I,
    II,
    III,
    IV,
    V,
    VI,
    VII,
    VIII,
}

impl AreaCode {
    pub const ALL: [AreaCode; 8] = [
        AreaCode::I,
        AreaCode::II,
        AreaCode::III,
        AreaCode::IV,
        AreaCode::V,
        AreaCode::VI,
        AreaCode::VII,
        AreaCode::VIII,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AreaCode::I => "I",
            AreaCode::II => "II",
            AreaCode::III => "III",
            AreaCode::IV => "IV",
            AreaCode::V => "V",
            AreaCode::VI => "VI",
            AreaCode::VII => "VII",
            AreaCode::VIII => "VIII",
        }
    }

    /// Parses a Roman numeral I–VIII (any case) or a number 1–8.
    pub fn parse(text: &str) -> Option<AreaCode> {
        let upper = text.trim().to_ascii_uppercase();
        if let Ok(n) = upper.parse::<usize>() {
            return n.checked_sub(1).and_then(|i| AreaCode::ALL.get(i)).copied();
        }
        AreaCode::ALL.into_iter().find(|c| c.as_str() == upper)
    }

    /// 1-based position: prose area `n` of part II is appendix area `n`.
    pub fn number(self) -> usize {
        self as usize + 1
    }

    /// The standard Vietnamese name of the area in the PAR INDEX.
    pub fn standard_name_vn(self) -> &'static str {
        match self {
            AreaCode::I => "Công tác chỉ đạo, điều hành cải cách hành chính",
            AreaCode::II => "Cải cách thể chế",
            AreaCode::III => "Cải cách thủ tục hành chính",
            AreaCode::IV => "Cải cách tổ chức bộ máy hành chính nhà nước",
            AreaCode::V => "Cải cách chế độ công vụ",
            AreaCode::VI => "Cải cách tài chính công",
            AreaCode::VII => "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số",
            AreaCode::VIII => "Tác động của cải cách hành chính đến phát triển kinh tế - xã hội",
        }
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A qualitative duty from the prose ("b) Nhiệm vụ").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub text: String,
    pub lines: (u32, u32),
}

/// A reference from a lead or partner cell to agencies and groups.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgencyRef {
    /// The fragment of the cell as printed.
    pub text: String,
    pub agencies: Vec<AgencyId>,
    pub groups: Vec<GroupId>,
}

impl AgencyRef {
    /// Whether this reference names `agency` directly or through a group it belongs to.
    pub fn covers(&self, agency: &AgencyId, directory: &AgencyDirectory) -> bool {
        self.agencies.contains(agency) || self.groups.iter().any(|g| directory.is_member(g, agency))
    }
}

/// A row of the appendix table ("hoạt động").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// The STT as printed; never renumbered.
    pub number: String,
    pub title: String,
    /// One item per deliverable ("Kết quả/ Sản phẩm").
    pub outputs: Vec<String>,
    /// "Chủ trì".
    pub lead: Vec<AgencyRef>,
    /// "Phối hợp".
    pub partners: Vec<AgencyRef>,
    /// "Ghi chú".
    pub note: String,
    /// "Thời gian".
    pub schedule: Schedule,
    /// First and last source line, page-break continuations included.
    pub lines: (u32, u32),
}

impl Activity {
    pub fn milestones(&self) -> Vec<Milestone> {
        self.schedule.milestones()
    }

    /// Whether `agency` leads this activity (directly or through a group).
    pub fn is_led_by(&self, agency: &AgencyId, directory: &AgencyDirectory) -> bool {
        self.lead.iter().any(|r| r.covers(agency, directory))
    }

    /// Whether `agency` is a partner of this activity (directly or through a group).
    pub fn is_partner(&self, agency: &AgencyId, directory: &AgencyDirectory) -> bool {
        self.partners.iter().any(|r| r.covers(agency, directory))
    }

    /// Milestones due strictly before `as_of` (the due day itself is still on time).
    /// Without progress data every such milestone counts as overdue.
    pub fn overdue_milestones(&self, as_of: Date) -> Vec<Milestone> {
        self.milestones().into_iter().filter(|m| m.due < as_of).collect()
    }
}

/// A reform area with its prose and appendix content.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub code: AreaCode,
    /// The appendix heading ("CẢI CÁCH THỂ CHẾ"), or the standard name when absent.
    pub title: String,
    /// The prose heading of part II ("Cải cách thể chế"); none for area VIII.
    pub prose_title: Option<String>,
    pub targets: Vec<Target>,
    pub tasks: Vec<Task>,
    pub activities: Vec<Activity>,
}

/// A whole plan as imported.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub meta: PlanMeta,
    /// Always the eight areas I–VIII in order (empty where the document has nothing).
    pub areas: Vec<Area>,
    pub reporting_periods: Vec<ReportingPeriod>,
    /// Deadline for every agency to issue its own plan (part VI.1.a: "chậm nhất là ngày …").
    pub own_plan_deadline: Option<Date>,
}

impl Plan {
    /// An empty plan with the eight areas and their standard names.
    pub fn empty() -> Plan {
        Plan {
            meta: PlanMeta::default(),
            areas: AreaCode::ALL
                .into_iter()
                .map(|code| Area {
                    code,
                    title: code.standard_name_vn().to_string(),
                    prose_title: None,
                    targets: Vec::new(),
                    tasks: Vec::new(),
                    activities: Vec::new(),
                })
                .collect(),
            reporting_periods: Vec::new(),
            own_plan_deadline: None,
        }
    }

    pub fn area(&self, code: AreaCode) -> Option<&Area> {
        self.areas.iter().find(|a| a.code == code)
    }

    /// Every activity with its area, in document order.
    pub fn activities(&self) -> impl Iterator<Item = (&Area, &Activity)> {
        self.areas.iter().flat_map(|a| a.activities.iter().map(move |act| (a, act)))
    }

    pub fn activity_count(&self) -> usize {
        self.areas.iter().map(|a| a.activities.len()).sum()
    }
}

/// A stored version of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanVersion {
    pub id: i64,
    /// Which plan this is a version of: province and year, e.g. `son-la-2024`.
    pub plan_key: String,
    /// 1 for the first import of that plan, then 2, 3, …
    pub version: i64,
    pub content_hash: String,
    pub source_name: String,
    /// When it was imported (RFC 3339, UTC).
    pub imported_at: String,
    pub decision_number: String,
    pub year: Option<i32>,
    pub title: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// The same document was imported before; nothing changed.
    Unchanged(PlanVersion),
    /// A new version was stored.
    Created(PlanVersion),
}
