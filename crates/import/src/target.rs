//! Reads a target bullet ("chỉ tiêu") into thresholds.
//!
//! The reading is deliberately literal: every percentage in the bullet becomes a threshold; the
//! words just before it decide the comparator; a level ("cấp tỉnh / huyện / xã") is attached when
//! the clause after the number names exactly one level, or positionally for "tương ứng" lists.

use cchc_domain::text::fold;
use cchc_domain::{AdminLevel, Comparator, Diagnostic, Target, Threshold};

/// A percentage found in the text, with byte positions in the original string.
struct Found {
    start: usize,
    end: usize,
    value: f64,
    upper: Option<f64>,
}

/// Reads one target bullet. Bullets with no percentage keep their text and get a diagnostic.
pub fn parse_target(text: &str, lines: (u32, u32), diagnostics: &mut Vec<Diagnostic>) -> Target {
    let found = find_percentages(text);
    let sub_marker = find_sub_target_marker(text);
    let mut thresholds: Vec<Threshold> = Vec::with_capacity(found.len());
    let mut previous_end = 0usize;
    let mut previous_op: Option<Comparator> = None;
    for (index, hit) in found.iter().enumerate() {
        let before = text.get(previous_end..hit.start).unwrap_or("");
        let before_folded = fold(before);
        let next_start = found.get(index + 1).map_or(text.len(), |n| n.start);
        let after = text.get(hit.end..next_start).unwrap_or("");
        let after_folded = fold(after);
        let continues_list = index > 0 && is_list_separator(before);
        let op = if hit.upper.is_some() {
            Comparator::Range
        } else if continues_list {
            previous_op.unwrap_or(Comparator::Ge)
        } else {
            comparator_before(&before_folded, &after_folded, hit.value)
        };
        previous_op = Some(op);
        let clause_end = clause_end(after);
        thresholds.push(Threshold {
            op,
            value: hit.value,
            upper: hit.upper,
            unit: "%".to_string(),
            level: single_level(&fold(after.get(..clause_end).unwrap_or(after))),
            subject: clause_around(text, hit.start, hit.end),
            sub_target: sub_marker.is_some_and(|m| hit.start > m),
        });
        previous_end = hit.end;
    }
    assign_respective_levels(text, &found, &mut thresholds);
    if thresholds.is_empty() {
        diagnostics.push(Diagnostic::warning(
            lines.0,
            format!("Chỉ tiêu không có giá trị định lượng, giữ nguyên văn: «{}»", shorten(text)),
        ));
    }
    let folded = fold(text);
    Target {
        text: text.to_string(),
        thresholds,
        baseline_year: year_after(&folded, "so voi nam")
            .or_else(|| year_after(&folded, "so voi danh gia uoc thuc hien nam")),
        horizon_year: year_after(&folded, "den nam"),
        lines,
    }
}

fn shorten(text: &str) -> String {
    let mut out: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// Every "N%" or "N-M%" in the text.
fn find_percentages(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    for (pct_pos, _) in text.match_indices('%') {
        let head = &text[..pct_pos];
        let trimmed = head.trim_end();
        let Some((num_start, value)) = trailing_number(trimmed) else { continue };
        let mut start = num_start;
        let mut upper = None;
        let mut lower = value;
        // A range "8-10%" or "8 - 10%": another number before a dash.
        let before_num = text[..num_start].trim_end();
        if let Some(before_dash) = before_num.strip_suffix(['-', '–']) {
            if let Some((range_start, low)) = trailing_number(before_dash.trim_end()) {
                start = range_start;
                upper = Some(value);
                lower = low;
            }
        }
        out.push(Found { start, end: pct_pos + 1, value: lower, upper });
    }
    out
}

/// The number at the end of `text` (digits with an optional decimal part), with its start.
fn trailing_number(text: &str) -> Option<(usize, f64)> {
    let bytes = text.as_bytes();
    let mut i = bytes.len();
    while i > 0 && (bytes[i - 1].is_ascii_digit() || bytes[i - 1] == b',' || bytes[i - 1] == b'.') {
        i -= 1;
    }
    let mut raw = &text[i..];
    // A leading separator belongs to the sentence ("…, 80%"), not the number.
    while let Some(rest) = raw.strip_prefix([',', '.']) {
        raw = rest;
        i += 1;
    }
    if raw.is_empty() || !raw.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    // A preceding letter means this is part of a code ("QĐ-UBND2"), not a quantity.
    if text[..i].chars().last().is_some_and(|c| c.is_alphabetic()) {
        return None;
    }
    let value: f64 = raw.replace(',', ".").parse().ok()?;
    Some((i, value))
}

fn is_list_separator(between: &str) -> bool {
    let folded = fold(between);
    folded.is_empty() || folded == "va"
}

/// The comparator implied by the words right before a number (and "trở lên" right after).
fn comparator_before(before: &str, after: &str, value: f64) -> Comparator {
    if after.starts_with("tro len") {
        return Comparator::Ge;
    }
    // Filler between the comparator and the number: "tối thiểu tương ứng là 100%", "đạt tỷ lệ 80%".
    const FILLER: [&str; 5] = [" la", " tuong ung", " ty le", " muc", " o"];
    let mut head = format!(" {before}");
    while let Some(stripped) = FILLER.iter().find_map(|f| head.strip_suffix(f)) {
        head = stripped.to_string();
    }
    // "từ 30% trở lên" is read from the words after the number ("trở lên"): a bare " tu" here
    // would also match "trình tự".
    const PHRASES: [(&str, Comparator); 8] = [
        (" toi thieu", Comparator::Ge),
        (" it nhat", Comparator::Ge),
        (" toi da", Comparator::Le),
        (" khong vuot qua", Comparator::Le),
        (" khong qua", Comparator::Le),
        (" duoi", Comparator::Lt),
        (" tren", Comparator::Gt),
        (" dat", Comparator::Ge),
    ];
    if let Some((_, op)) = PHRASES.iter().find(|(phrase, _)| head.ends_with(phrase)) {
        return *op;
    }
    if value >= 100.0 {
        Comparator::Eq
    } else {
        // A bare share below 100% is a floor to reach ("Phấn đấu 80% …").
        Comparator::Ge
    }
}

/// The clause of `text` that holds the byte range `start..end`: bounded by ';', a sentence end,
/// or a sub-target marker ("trong đó", "trong số đó").
fn clause_around(text: &str, start: usize, end: usize) -> String {
    let boundaries = clause_boundaries(text);
    let from = boundaries.iter().copied().filter(|&b| b <= start).max().unwrap_or(0);
    let to = boundaries.iter().copied().filter(|&b| b >= end).min().unwrap_or(text.len());
    let clause = text.get(from..to).unwrap_or(text);
    clause.trim_start_matches([';', '.', ',', ' ']).trim_end_matches([';', '.', ',', ' ']).trim().to_string()
}

fn clause_boundaries(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, c) in text.char_indices() {
        if c == ';' || (c == '.' && text[i + 1..].starts_with(' ')) {
            out.push(i + 1);
        }
    }
    let lower = text.to_lowercase();
    if lower.len() == text.len() {
        for marker in ["trong số đó", "trong đó"] {
            let mut from = 0;
            while let Some(pos) = lower[from..].find(marker) {
                out.push(from + pos);
                from += pos + marker.len();
            }
        }
    }
    out.sort_unstable();
    out
}

/// Byte length of the clause that follows a number: up to ';' or a sentence end.
fn clause_end(after: &str) -> usize {
    let mut end = after.len();
    for (i, c) in after.char_indices() {
        if c == ';' {
            end = i;
            break;
        }
        if c == '.' && after[i + 1..].starts_with(' ') {
            end = i;
            break;
        }
    }
    end
}

fn levels_in(folded: &str) -> Vec<AdminLevel> {
    let mut found: Vec<(usize, AdminLevel)> = Vec::new();
    const NEEDLES: [(&str, AdminLevel); 5] = [
        ("cap tinh", AdminLevel::Tinh),
        ("thuoc ubnd tinh", AdminLevel::Tinh),
        ("cua ubnd tinh", AdminLevel::Tinh),
        ("cap huyen", AdminLevel::Huyen),
        ("cap xa", AdminLevel::Xa),
    ];
    for (needle, level) in NEEDLES {
        let mut from = 0;
        while let Some(pos) = folded[from..].find(needle) {
            found.push((from + pos, level));
            from += pos + needle.len();
        }
    }
    found.sort_by_key(|(pos, _)| *pos);
    found.into_iter().map(|(_, level)| level).collect()
}

fn single_level(folded_clause: &str) -> Option<AdminLevel> {
    let mut levels = levels_in(folded_clause);
    levels.dedup();
    match levels.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// "… cấp tỉnh, cấp huyện, cấp xã đạt tỷ lệ tối thiểu tương ứng là 100%, 80%, 75%".
fn assign_respective_levels(text: &str, found: &[Found], thresholds: &mut [Threshold]) {
    let folded_full = fold(text);
    if !folded_full.contains("tuong ung") {
        return;
    }
    // Find the first run of list-separated percentages.
    let mut run_start = 0usize;
    while run_start < found.len() {
        let mut run_end = run_start;
        while run_end + 1 < found.len()
            && is_list_separator(text.get(found[run_end].end..found[run_end + 1].start).unwrap_or("x"))
        {
            run_end += 1;
        }
        let count = run_end - run_start + 1;
        if count > 1 {
            let sentence_start = text[..found[run_start].start].rfind(['.', ';']).map_or(0, |p| p + 1);
            let before = fold(&text[sentence_start..found[run_start].start]);
            if before.contains("tuong ung") {
                let levels = levels_in(&before);
                if levels.len() == count {
                    for (threshold, level) in thresholds[run_start..=run_end].iter_mut().zip(levels) {
                        threshold.level = Some(level);
                    }
                }
            }
        }
        run_start = run_end + 1;
    }
}

/// Position of "Trong đó" / "trong số đó": thresholds after it are sub-targets.
fn find_sub_target_marker(text: &str) -> Option<usize> {
    let lower = text.to_lowercase();
    ["trong số đó", "trong đó"].iter().filter_map(|m| lower.find(m)).min().map(|p| {
        // `lower` may differ in byte length from `text` only for exotic characters; clamp.
        p.min(text.len())
    })
}

fn year_after(folded: &str, phrase: &str) -> Option<i32> {
    let pos = folded.find(phrase)?;
    let rest = folded[pos + phrase.len()..].trim_start();
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() == 4 {
        digits.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Target {
        let mut diagnostics = Vec::new();
        parse_target(text, (1, 1), &mut diagnostics)
    }

    fn ops(target: &Target) -> Vec<(&'static str, f64, Option<&'static str>)> {
        target.thresholds.iter().map(|t| (t.op.as_str(), t.value, t.level.map(|l| l.as_str()))).collect()
    }

    #[test]
    fn minimum_and_sub_target() {
        let t = parse("Mức độ hài lòng của người dân, doanh nghiệp về giải quyết TTHC đạt tối thiểu 90%. Trong đó, mức độ hài lòng về giải quyết các TTHC lĩnh vực đất đai, xây dựng, đầu tư đạt tối thiểu 85%.");
        assert_eq!(ops(&t), vec![(">=", 90.0, None), (">=", 85.0, None)]);
        assert!(!t.thresholds[0].sub_target);
        assert!(t.thresholds[1].sub_target);
    }

    #[test]
    fn level_specific_respective_list() {
        let t = parse("Tiếp tục triển khai quy trình số hóa kết quả giải quyết TTHC đang còn hiệu lực và có giá trị sử dụng thuộc thẩm quyền giải quyết của cấp tỉnh, cấp huyện, cấp xã đạt tỷ lệ tối thiểu tương ứng là 100%, 80%, 75% để đảm bảo việc kết nối, chia sẻ dữ liệu trong giải quyết TTHC trên môi trường điện tử; 50% hồ sơ TTHC được người dân, doanh nghiệp thực hiện trực tuyến từ xa.");
        assert_eq!(
            ops(&t),
            vec![
                (">=", 100.0, Some("tinh")),
                (">=", 80.0, Some("huyen")),
                (">=", 75.0, Some("xa")),
                (">=", 50.0, None)
            ]
        );
    }

    #[test]
    fn above_with_levels_per_clause() {
        let t = parse("Trên 80% tổng số hồ sơ công việc tại cấp tỉnh; trên 70% tổng số hồ sơ công việc tại cấp huyện và trên 50% tổng số hồ sơ công việc tại cấp xã được tạo lập, xử lý, lưu trữ.");
        assert_eq!(ops(&t), vec![(">", 80.0, Some("tinh")), (">", 70.0, Some("huyen")), (">", 50.0, Some("xa"))]);
    }

    #[test]
    fn range_baseline_and_at_least_phrase() {
        let t = parse("Thực hiện giải ngân kế hoạch đầu tư vốn ngân sách nhà nước năm 2023 đạt từ 90% trở lên; trên 80% số cơ sở nhà, đất được cấp có thẩm quyền phê duyệt phương án sắp xếp lại, xử lý. Phân đấu thu nội địa năm 2024 tăng khoảng 8-10% so với đánh giá ước thực hiện năm 2023.");
        assert_eq!(ops(&t), vec![(">=", 90.0, None), (">", 80.0, None), ("range", 8.0, None)]);
        assert_eq!(t.thresholds[2].upper, Some(10.0));
        assert_eq!(t.baseline_year, Some(2023));
    }

    #[test]
    fn bare_hundred_percent_is_equality_and_horizon_is_read() {
        let t = parse("100% văn bản QPPL được kiểm tra kịp thời theo quy định; 100% văn bản QPPL khi phát hiện sai phạm qua kiểm tra được xử lý hoặc kiến nghị xử lý.");
        assert_eq!(ops(&t), vec![("=", 100.0, None), ("=", 100.0, None)]);
        let t = parse("Tiếp tục phân đầu đến năm 2025, giảm tối thiểu 10% số lượng đơn vị sự nghiệp công lập trên địa bàn tỉnh so với năm 2021.");
        assert_eq!(ops(&t), vec![(">=", 10.0, None)]);
        assert_eq!((t.baseline_year, t.horizon_year), (Some(2021), Some(2025)));
    }

    #[test]
    fn two_levels_named_in_one_clause_give_no_level() {
        let t = parse("100% đơn vị sự nghiệp thuộc UBND tỉnh, UBND cấp huyện tuyển dụng viên chức đúng trình tự; 100% cán bộ, công chức cấp xã đạt chuẩn.");
        assert_eq!(ops(&t), vec![("=", 100.0, None), ("=", 100.0, Some("xa"))]);
    }

    #[test]
    fn a_bullet_without_numbers_keeps_text_and_warns() {
        let mut diagnostics = Vec::new();
        let t = parse_target(
            "Công bố đầy đủ Tập hệ thống hóa văn bản còn hiệu lực tính đến hết ngày 31/12/2023.",
            (7, 7),
            &mut diagnostics,
        );
        assert!(t.thresholds.is_empty());
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].line, 7);
    }
}
