//! The Sơn La 2024 plan as issued, read end to end.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cchc_domain::text::normalize_document;
use cchc_domain::{AreaCode, Date, PeriodId, Plan, Severity};
use cchc_import::agencies::son_la_2024;
use cchc_import::{parse_plan, ParsedPlan, SON_LA_2024_PLAN};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

fn parse(text: &str) -> ParsedPlan {
    let (directory, _) = son_la_2024();
    parse_plan(text, &directory)
}

fn date(text: &str) -> Date {
    Date::parse(text).expect("valid date")
}

#[test]
fn the_seed_yields_every_activity_target_task_and_period() {
    let parsed = parse(SON_LA_2024_PLAN);
    let plan = &parsed.plan;
    let counts: Vec<(AreaCode, usize)> = plan.areas.iter().map(|a| (a.code, a.activities.len())).collect();
    assert_eq!(
        counts,
        vec![
            (AreaCode::I, 16),
            (AreaCode::II, 6),
            (AreaCode::III, 8),
            (AreaCode::IV, 14),
            (AreaCode::V, 7),
            (AreaCode::VI, 9),
            (AreaCode::VII, 15),
            (AreaCode::VIII, 6)
        ]
    );
    assert_eq!(plan.activity_count(), 81);
    let targets: Vec<usize> = plan.areas.iter().map(|a| a.targets.len()).collect();
    let tasks: Vec<usize> = plan.areas.iter().map(|a| a.tasks.len()).collect();
    assert_eq!(targets, vec![0, 4, 8, 4, 3, 6, 8, 0]);
    assert_eq!(tasks, vec![5, 4, 8, 5, 5, 6, 5, 0]);
    assert_eq!(targets.iter().sum::<usize>(), 33);
    assert_eq!(tasks.iter().sum::<usize>(), 38);
    assert_eq!(plan.own_plan_deadline, Some(date("10/01/2024")));
}

#[test]
fn metadata_is_read_from_the_decision() {
    let meta = parse(SON_LA_2024_PLAN).plan.meta;
    assert_eq!(meta.decision_number, "2783/QĐ-UBND");
    assert_eq!(meta.decision_date, Some(date("21/12/2023")));
    assert_eq!(meta.signer.as_deref(), Some("Hoàng Quốc Khánh"));
    assert_eq!(meta.signer_title.as_deref(), Some("CHỦ TỊCH"));
    assert_eq!(meta.province, "Sơn La");
    assert_eq!(meta.year, Some(2024));
    assert_eq!(meta.title, "Cải cách hành chính nhà nước tỉnh Sơn La năm 2024");
}

#[test]
fn reporting_periods_follow_part_vi_1_b() {
    let plan = parse(SON_LA_2024_PLAN).plan;
    let got: Vec<(String, Date, Date, Date)> =
        plan.reporting_periods.iter().map(|p| (p.id.to_string(), p.data_from, p.data_to, p.due)).collect();
    assert_eq!(
        got,
        vec![
            ("2024Q1".to_string(), date("15/12/2023"), date("13/03/2024"), date("14/03/2024")),
            ("2024S1".to_string(), date("15/12/2023"), date("13/06/2024"), date("14/06/2024")),
            ("2024Q3".to_string(), date("14/06/2024"), date("13/09/2024"), date("14/09/2024")),
            ("2024".to_string(), date("15/12/2023"), date("13/12/2024"), date("14/12/2024")),
        ]
    );
    assert_eq!(plan.reporting_periods[0].id, PeriodId::Quarter { year: 2024, quarter: 1 });
}

#[test]
fn page_breaks_are_merged_and_numbering_is_kept_as_printed() {
    let parsed = parse(SON_LA_2024_PLAN);
    let plan = &parsed.plan;
    let area_i = plan.area(AreaCode::I).expect("area I");
    let numbers: Vec<&str> = area_i.activities.iter().map(|a| a.number.as_str()).collect();
    assert_eq!(numbers, vec!["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "15", "16", "17"]);
    assert!(parsed
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Warning && d.message.contains("nhảy từ 13 lên 15") && d.line == 362));
    // I.5 continues on the next page: partners and schedule are joined.
    let i5 = &area_i.activities[4];
    let partners: Vec<&str> = i5.partners.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(partners, vec!["Các sở, ban, ngành", "UBND các huyện, thành phố"]);
    assert_eq!(i5.partners[1].groups[0].as_str(), "districts");
    assert_eq!(i5.lines, (348, 351));
    assert_eq!(i5.outputs, vec!["Quyết định", "báo cáo kết quả kiểm tra", "văn bản chấn chỉnh của Chủ tịch UBND tỉnh"]);
    let vii2 = &plan.area(AreaCode::VII).expect("VII").activities[1];
    assert_eq!(
        vii2.title,
        "Quyết định phê duyệt kết quả đánh giá, xếp hạng chỉ số chuyển đổi số của các cơ quan nhà nước trên địa bàn tỉnh năm 2024"
    );
    // Markup is stripped.
    let iii2 = &plan.area(AreaCode::III).expect("III").activities[1];
    assert!(!iii2.schedule.text.contains("<i>"), "{}", iii2.schedule.text);
    // Prose split by a page break is one bullet.
    let area_ii = plan.area(AreaCode::II).expect("II");
    assert!(
        area_ii.tasks[0].text.contains("liên quan đến đối tượng là người dân, trong đó"),
        "{}",
        area_ii.tasks[0].text
    );
    assert_eq!(area_ii.tasks[0].lines, (105, 107));
}

#[test]
fn every_lead_and_partner_resolves() {
    let parsed = parse(SON_LA_2024_PLAN);
    for (area, activity) in parsed.plan.activities() {
        for r in activity.lead.iter().chain(&activity.partners) {
            assert!(
                !r.agencies.is_empty() || !r.groups.is_empty(),
                "{}.{}: «{}» resolved to nothing",
                area.code,
                activity.number,
                r.text
            );
        }
        assert!(!activity.lead.is_empty(), "{}.{} has no lead", area.code, activity.number);
    }
}

#[test]
fn crlf_bom_and_nfd_variants_parse_identically() {
    let reference = parse(SON_LA_2024_PLAN);
    let nfd: String = SON_LA_2024_PLAN.nfd().collect();
    let variants = [
        SON_LA_2024_PLAN.replace('\n', "\r\n"),
        format!("\u{feff}{SON_LA_2024_PLAN}"),
        nfd.clone(),
        format!("\u{feff}{}", nfd.replace('\n', "\r\n")),
    ];
    for variant in variants {
        let parsed = parse(&variant);
        assert_eq!(parsed.plan, reference.plan);
        assert_eq!(parsed.diagnostics, reference.diagnostics);
    }
}

#[test]
fn text_that_is_not_a_plan_yields_errors_not_panics() {
    for text in ["", "\n\n\n", "Kính gửi: Sở Nội vụ", "STT\tDanh mục\n1\tx\n", "\u{0}\u{1}binary\t\t\t"] {
        let parsed = parse(text);
        assert!(parsed.diagnostics.iter().any(|d| d.severity == Severity::Error), "{text:?}");
    }
}

fn mangle(plan: &str, crlf: bool, bom: bool, nfd: bool) -> String {
    let mut text = if nfd { plan.nfd().collect() } else { plan.to_string() };
    if crlf {
        text = text.replace('\n', "\r\n");
    }
    if bom {
        text.insert(0, '\u{feff}');
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Re-encoding a document never changes what is read from it.
    #[test]
    fn importer_is_idempotent_under_reencoding(crlf: bool, bom: bool, nfd: bool, cut in 0usize..6000) {
        // Take a prefix of the document (on a char boundary) so that partial plans are covered too.
        let end = SON_LA_2024_PLAN.char_indices().map(|(i, _)| i).find(|&i| i >= cut * 5).unwrap_or(SON_LA_2024_PLAN.len());
        let original = &SON_LA_2024_PLAN[..end];
        let a = parse(original);
        let b = parse(&mangle(original, crlf, bom, nfd));
        prop_assert_eq!(&a.plan, &b.plan);
        prop_assert_eq!(&a.diagnostics, &b.diagnostics);
        // Normalising twice is the same as normalising once.
        let once = normalize_document(original);
        prop_assert_eq!(normalize_document(&once), once);
    }

    /// Arbitrary input never panics and never produces an activity outside an area.
    #[test]
    fn arbitrary_input_never_panics(lines in proptest::collection::vec("[\\PC\t]{0,80}", 0..40)) {
        let text = lines.join("\n");
        let parsed = parse(&text);
        let plan: &Plan = &parsed.plan;
        prop_assert_eq!(plan.areas.len(), 8);
    }
}
