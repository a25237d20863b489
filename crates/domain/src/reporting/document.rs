//! The shapes of the documents of the reporting cycle: the form an agency fills for a period,
//! and the province's consolidated report (laid out as DOCX + XLSX annex by `cchc-documents`).

use crate::agency::{AdminLevel, AgencyId, AgencyKind};
use crate::date::Date;
use crate::number::Percent1;
use crate::period::{PeriodId, ReportingPeriod};
use crate::plan::AreaCode;
use crate::reporting::{
    Assessment, Completeness, Direction, Indicator, IndicatorCode, LevelThreshold, Ratio, ReportContent, ReportStatus,
};

/// One activity line of a report form: the agency's milestones with their status at cut-off.
#[derive(Debug, Clone, PartialEq)]
pub struct FormActivityRow {
    pub activity_code: String,
    pub activity_title: String,
    pub milestone: String,
    pub due: Option<Date>,
    pub status: crate::tracking::DerivedStatus,
}

/// The agency's report of an earlier period of the same year (shown beside each indicator).
#[derive(Debug, Clone, PartialEq)]
pub struct EarlierReport {
    pub period: PeriodId,
    pub status: ReportStatus,
    pub content: ReportContent,
}

/// What an agency fills for one period: the indicators that apply to it, its activities'
/// statuses as of the data cut-off, one narrative section per reform area, and what it reported
/// in the earlier periods of the year.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportForm {
    pub agency: AgencyId,
    pub agency_name: String,
    pub agency_kind: AgencyKind,
    pub level: AdminLevel,
    pub period: ReportingPeriod,
    /// The deadline that applies to this agency (the period's, or its extension).
    pub due: Date,
    /// Plan key and title the form belongs to ("son-la-2024").
    pub plan_key: String,
    pub plan_title: String,
    pub indicators: Vec<Indicator>,
    pub activities: Vec<FormActivityRow>,
    /// Reform areas with a narrative section: (code, title).
    pub areas: Vec<(AreaCode, String)>,
    /// Earlier periods of the year, oldest first.
    pub earlier: Vec<EarlierReport>,
    /// The report's status and, when returned, why.
    pub status: Option<ReportStatus>,
    pub returned_reason: Option<String>,
}

impl ReportForm {
    /// "Quý I/2024: 45/50 (90,0%); 6 tháng đầu năm 2024: không áp dụng" — the agency's earlier
    /// answers of an indicator, or an empty string.
    pub fn earlier_text(&self, code: &IndicatorCode) -> String {
        self.earlier
            .iter()
            .filter_map(|e| {
                let answer = match e.content.answer(code) {
                    crate::reporting::Answer::Value(r) => ratio_text(r),
                    crate::reporting::Answer::NotApplicable(_) => "không áp dụng".to_string(),
                    _ => return None,
                };
                Some(format!("{}: {answer}", e.period.label_vn()))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// "45/50 (90,0%)", or "0/0" when nothing arose.
pub fn ratio_text(r: Ratio) -> String {
    let counts = format!("{}/{}", crate::number::count_vn(r.numerator), crate::number::count_vn(r.denominator));
    match r.rounded() {
        Some(p) => format!("{counts} ({p})"),
        None => counts,
    }
}

/// A level row of an indicator in the consolidated report.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelResult {
    /// `None` = the whole province.
    pub level: Option<AdminLevel>,
    pub numerator: f64,
    pub denominator: f64,
    /// Σn ÷ Σd rounded once (half away from zero, one decimal).
    pub value: Option<Percent1>,
    /// The threshold that applies, if any.
    pub threshold: Option<LevelThreshold>,
    /// The threshold as people read it ("≥ 80%", "8–10%").
    pub target: Option<String>,
    pub assessment: Assessment,
    /// How many agencies' values went into the sums.
    pub reporting_agencies: usize,
    /// How many answered «không áp dụng».
    pub not_applicable: usize,
}

impl LevelResult {
    pub fn ratio(&self) -> Ratio {
        Ratio { numerator: self.numerator, denominator: self.denominator }
    }
    /// How a range target was read ("15,0% cao hơn khoảng mục tiêu 8–10%; …"), else empty.
    pub fn reading(&self, unit: &str) -> String {
        self.assessment.reading_vn(self.value, self.threshold.as_ref(), unit)
    }
}

/// "Toàn tỉnh", "Cấp tỉnh", "Cấp huyện", "Cấp xã".
pub fn level_label(level: Option<AdminLevel>) -> &'static str {
    match level {
        None => "Toàn tỉnh",
        Some(AdminLevel::Tinh) => "Cấp tỉnh",
        Some(AdminLevel::Huyen) => "Cấp huyện",
        Some(AdminLevel::Xa) => "Cấp xã",
    }
}

/// One indicator's results in the consolidated report: one row per level whose agencies report
/// it, and a province row when more than one level does.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorResult {
    pub code: IndicatorCode,
    pub name: String,
    pub area: AreaCode,
    pub unit: String,
    pub direction: Direction,
    pub levels: Vec<LevelResult>,
}

/// Progress of one reform area as of the period's cut-off, counted per activity (a row of the
/// plan's appendix): due when one of its milestones was due by the cut-off; done when every due
/// milestone of every responsible agency is done.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaProgress {
    pub code: AreaCode,
    pub title: String,
    pub activities: usize,
    pub due: usize,
    pub done_on_time: usize,
    pub done_late: usize,
    pub overdue: usize,
    /// Activities whose milestones wait for an event (no date yet).
    pub waiting: usize,
    /// Activities overdue at cut-off: (code, title, agencies late).
    pub overdue_list: Vec<(String, String, Vec<String>)>,
    /// A few agencies' narratives that matter (lead agencies of the area first), condensed:
    /// (agency name, excerpt).
    pub highlights: Vec<(String, String)>,
    /// How many agencies wrote a narrative for the area (all are in the annex).
    pub narrative_count: usize,
}

impl AreaProgress {
    pub fn done(&self) -> usize {
        self.done_on_time + self.done_late
    }
    pub fn not_due(&self) -> usize {
        self.activities.saturating_sub(self.due + self.waiting)
    }
}

/// Completeness of one agency group in the consolidated report.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupCompleteness {
    pub kind: AgencyKind,
    pub label: String,
    pub completeness: Completeness,
}

/// An agency named in a list of the report (late, not submitted, returned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyLine {
    pub id: AgencyId,
    pub name: String,
    pub kind: AgencyKind,
}

/// An activity due in the next period, for "Phương hướng, nhiệm vụ kỳ tới".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextTask {
    pub activity_code: String,
    pub title: String,
    /// The earliest due date in the window.
    pub due: Date,
    /// Lead agencies (names).
    pub leads: Vec<String>,
}

/// The tasks of one area due in the next period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextArea {
    pub code: AreaCode,
    pub title: String,
    pub tasks: Vec<NextTask>,
}

/// One agency's answer of one indicator, for the annex.
#[derive(Debug, Clone, PartialEq)]
pub struct AgencyValue {
    pub agency: String,
    pub level: Option<AdminLevel>,
    pub code: IndicatorCode,
    /// `None` when the agency answered «không áp dụng» (the reason is then set).
    pub ratio: Option<Ratio>,
    pub not_applicable: Option<String>,
}

/// One agency's narrative of one area, for the annex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyNarrative {
    pub agency: String,
    pub area: AreaCode,
    pub text: String,
}

/// Which reports the indicator values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sources {
    pub accepted: usize,
    pub awaiting: usize,
    /// Returned reports, left out until sent again.
    pub returned: usize,
    pub expected: usize,
}

impl Sources {
    pub fn counted(&self) -> usize {
        self.accepted + self.awaiting
    }
    /// "Số liệu chỉ tiêu tổng hợp từ 180 báo cáo (150 đã tiếp nhận, 30 chờ tiếp nhận) trên 241
    /// cơ quan, đơn vị phải báo cáo; không tính 3 báo cáo bị trả lại và các báo cáo chưa gửi."
    pub fn sentence_vn(&self) -> String {
        let mut text = format!(
            "Số liệu chỉ tiêu tổng hợp từ {} báo cáo ({} đã tiếp nhận, {} chờ tiếp nhận) trên {} cơ quan, đơn vị phải báo cáo; không tính ",
            self.counted(),
            self.accepted,
            self.awaiting,
            self.expected
        );
        if self.returned > 0 {
            text.push_str(&format!("{} báo cáo bị trả lại (chờ gửi lại) và ", self.returned));
        }
        text.push_str("các báo cáo chưa gửi.");
        text
    }
}

/// The number, signer and recipients of the document (defaults kept in settings, the number
/// given when the report is issued).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSettings {
    /// The registration number ("123" → "Số: 123/BC-SNV"); empty leaves room to write it.
    pub number: String,
    /// Lines of the signer's title: ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"].
    pub signer_title: Vec<String>,
    pub signer_name: String,
    /// "Nơi nhận", one recipient per line, in order.
    pub recipients: Vec<String>,
}

impl Default for DocumentSettings {
    fn default() -> DocumentSettings {
        DocumentSettings {
            number: String::new(),
            signer_title: vec!["GIÁM ĐỐC".into()],
            signer_name: String::new(),
            recipients: DEFAULT_RECIPIENTS.iter().map(|r| (*r).to_string()).collect(),
        }
    }
}

/// "Nơi nhận" of Sở Nội vụ's PAR reports unless the settings say otherwise.
pub const DEFAULT_RECIPIENTS: [&str; 7] = [
    "Bộ Nội vụ (b/c)",
    "Thường trực Tỉnh ủy (b/c)",
    "Thường trực HĐND tỉnh (b/c)",
    "UBND tỉnh (b/c)",
    "Ban Chỉ đạo CCHC tỉnh",
    "Lãnh đạo Sở",
    "Lưu: VT, CCHC",
];

/// Everything the province's consolidated report for a period says, ready to be laid out as a
/// Vietnamese administrative document (DOCX) and an annex (XLSX).
#[derive(Debug, Clone, PartialEq)]
pub struct ConsolidatedReport {
    /// "UBND TỈNH SƠN LA".
    pub issuing_body_parent: String,
    /// "SỞ NỘI VỤ".
    pub issuing_body: String,
    /// "Sơn La" (place of the place-and-date line).
    pub place: String,
    /// The date printed on the document.
    pub date: Date,
    /// "BÁO CÁO Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2024".
    pub title: String,
    pub plan_title: String,
    /// "Quyết định số 2783/QĐ-UBND ngày 21/12/2023".
    pub plan_decision: String,
    pub period: ReportingPeriod,
    /// The period after this one, when the plan has one.
    pub next_period: Option<ReportingPeriod>,
    pub settings: DocumentSettings,
    pub sources: Sources,
    pub indicators: Vec<IndicatorResult>,
    pub areas: Vec<AreaProgress>,
    pub completeness: Vec<GroupCompleteness>,
    pub overall: Completeness,
    /// Submitted after their deadline.
    pub late: Vec<AgencyLine>,
    /// Expected but not submitted (no report, or a draft).
    pub not_submitted: Vec<AgencyLine>,
    /// Returned, awaiting resubmission.
    pub returned: Vec<AgencyLine>,
    /// Tasks due in the next period, by area.
    pub next: Vec<NextArea>,
    /// Every agency's answer per indicator (annex).
    pub agency_values: Vec<AgencyValue>,
    /// Every agency's narratives (annex).
    pub narratives: Vec<AgencyNarrative>,
}

impl ConsolidatedReport {
    /// "Số: 123/BC-SNV", or "Số:      /BC-SNV" while unnumbered.
    pub fn number_line(&self, suffix: &str) -> String {
        let number = self.settings.number.trim();
        if number.is_empty() {
            format!("Số:      /{suffix}")
        } else {
            format!("Số: {number}/{suffix}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_say_which_reports_count() {
        let s = Sources { accepted: 150, awaiting: 30, returned: 3, expected: 241 };
        assert_eq!(
            s.sentence_vn(),
            "Số liệu chỉ tiêu tổng hợp từ 180 báo cáo (150 đã tiếp nhận, 30 chờ tiếp nhận) trên 241 cơ quan, \
             đơn vị phải báo cáo; không tính 3 báo cáo bị trả lại (chờ gửi lại) và các báo cáo chưa gửi."
        );
    }

    #[test]
    fn ratios_read_with_the_one_rounding_rule() {
        assert_eq!(ratio_text(Ratio { numerator: 63.0, denominator: 112.0 }), "63/112 (56,3%)");
        assert_eq!(ratio_text(Ratio { numerator: 0.0, denominator: 0.0 }), "0/0");
        assert_eq!(ratio_text(Ratio { numerator: 1234.0, denominator: 2000.0 }), "1.234/2.000 (61,7%)");
    }
}
