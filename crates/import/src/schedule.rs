//! The appendix's "Thời gian" cell, read into a [`Schedule`].
//!
//! A cell holds one or more parts, usually one per deliverable: "- Kế hoạch (Tháng 7/2024)
//! Quyết định (tháng 9/2024); - Công văn hướng dẫn (quý IV/2024)." Each part becomes one
//! [`ScheduleItem`] with its label, its [`When`], an optional condition and its verbatim text.
//!
//! The reader never guesses and never drops text: a part it does not understand stays verbatim
//! with [`When::Unparsed`] and a Vietnamese warning. Matching is done on tokens folded with
//! [`cchc_domain::text::fold`] (no accents, lower case); labels, triggers and conditions are cut
//! from the original text, so they keep their accents.
//!
//! Rules worth knowing:
//! - A month, quarter or year is due on its last day; "ngày 15/3/2024" on that day.
//! - "Trước ngày X" is due the day before X (plan part VI.1.b); likewise "trước tháng/quý/năm X"
//!   is due the last day before that span starts.
//! - A date that only cites another document ("Quyết định số 899/QĐ-TTr ngày 31/7/2023") is not a
//!   deadline.
//! - A year ("năm 2024") is a deadline only where a deadline can stand: at the start of a part or
//!   of a parenthesis, or after "trong", "vào", "hoàn thành", "cuối", "trước"; elsewhere it names
//!   something ("Báo cáo CCHC năm 2024").
//! - Periodic reports take the plan's reporting periods from [`ScheduleContext`]: quarterly (or
//!   unspecified) reports fall due with every period, "6 tháng" with the half-year and year
//!   reports, "năm" with the annual one.

use cchc_domain::date::Date;
use cchc_domain::diagnostic::{Diagnostic, Severity};
use cchc_domain::period::{PeriodId, ReportingPeriod};
use cchc_domain::schedule::{Offset, PeriodDue, Precision, Schedule, ScheduleItem, When};
use cchc_domain::text::{clean, fold};

/// What a schedule cell needs to know about the plan it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleContext {
    /// The plan's year: "02 lần/năm" falls due within it.
    pub plan_year: i32,
    /// The plan's reporting periods (part VI.1.b); periodic reports fall due with them.
    pub periods: Vec<ReportingPeriod>,
}

/// Reads one "Thời gian" cell. `line` is the cell's source line, used for the diagnostics.
///
/// Never fails: whatever is not understood is kept verbatim as a [`When::Unparsed`] item and
/// reported as a warning; an empty cell gives a schedule without items and a warning.
pub fn parse_schedule(cell: &str, line: u32, ctx: &ScheduleContext, diagnostics: &mut Vec<Diagnostic>) -> Schedule {
    let text = clean(cell);
    if text.is_empty() {
        diagnostics.push(Diagnostic::warning(line, "Thiếu thời hạn"));
        return Schedule { text, items: Vec::new() };
    }

    let mut parts: Vec<Part> = Vec::new();
    for piece in split_pieces(&text) {
        let bulleted = piece.trim_start().starts_with(is_bullet);
        for (index, sub) in split_by_dates(piece).into_iter().enumerate() {
            if let Some(mut part) = parse_part(sub, ctx) {
                part.bulleted = bulleted && index == 0;
                parts.push(part);
            }
        }
    }
    if parts.is_empty() {
        // Only bullets and punctuation: keep the cell itself rather than drop it.
        parts.push(Part::unparsed(&text, not_understood(&text)));
    }
    share_dates(&mut parts);

    let items = parts
        .into_iter()
        .map(|part| {
            for (severity, message) in part.notes {
                diagnostics.push(Diagnostic::new(line, severity, message));
            }
            ScheduleItem { label: part.label, when: part.when, condition: part.condition, text: part.text }
        })
        .collect();
    Schedule { text, items }
}

// ---------------------------------------------------------------------------------------------
// Parts of a cell.

/// One part of a cell while it is being read.
#[derive(Debug, Clone)]
struct Part {
    label: Option<String>,
    when: When,
    condition: Option<String>,
    text: String,
    /// The part opens with its own bullet ("- …"), so it does not share the previous one's date.
    bulleted: bool,
    /// The part names a deliverable but no time at all ("- Báo cáo; Văn bản chấn chỉnh (tháng
    /// 11/2024)"): it takes the date of the following part of the same bullet, if any.
    shareable: bool,
    notes: Vec<(Severity, String)>,
}

impl Part {
    fn new(text: &str, label: Option<String>, when: When) -> Part {
        Part {
            label,
            when,
            condition: None,
            text: text.to_string(),
            bulleted: false,
            shareable: false,
            notes: Vec::new(),
        }
    }

    fn unparsed(text: &str, message: String) -> Part {
        let mut part = Part::new(text, None, When::Unparsed);
        part.notes.push((Severity::Warning, message));
        part
    }
}

fn not_understood(text: &str) -> String {
    format!("Không hiểu thời hạn: «{text}»")
}

/// A part without a date of its own takes the date of the next part of the same bullet.
fn share_dates(parts: &mut [Part]) {
    for index in (0..parts.len().saturating_sub(1)).rev() {
        let (head, tail) = parts.split_at_mut(index + 1);
        let (Some(part), Some(next)) = (head.last_mut(), tail.first()) else {
            continue;
        };
        if !part.shareable || next.bulleted || !matches!(next.when, When::Fixed { .. }) {
            continue;
        }
        part.when = next.when.clone();
        part.condition = next.condition.clone();
        part.shareable = false;
        if part.label.is_none() {
            part.label = Some(part.text.clone());
        }
        part.notes = vec![(
            Severity::Info,
            format!("«{}» không ghi thời hạn riêng: dùng thời hạn của «{}»", part.text, next.text),
        )];
    }
}

fn is_bullet(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '+' | '•' | '*')
}

/// Splits a cell at "; " and at " - " bullets (outside parentheses).
///
/// A separator followed by lower-case text splits only when the text before it already holds a
/// date: "Báo cáo sau khi … MTTQ VN; tổ chức UNDP tổ chức Hội nghị công bố" is one event.
fn split_pieces(text: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut pieces = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    for (index, &(byte, c)) in chars.iter().enumerate() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ';' if depth == 0 => {
                let rest = &text[byte + c.len_utf8()..];
                if should_split(&text[start..byte], rest) {
                    pieces.push(&text[start..byte]);
                    start = byte + c.len_utf8();
                }
            }
            c if depth == 0 && is_bullet(c) => {
                let spaced_before = index > 0 && chars.get(index - 1).is_some_and(|p| p.1 == ' ');
                let spaced_after = chars.get(index + 1).is_some_and(|n| n.1 == ' ');
                if spaced_before && spaced_after {
                    let rest = &text[byte + c.len_utf8()..];
                    if should_split(&text[start..byte], rest) {
                        pieces.push(&text[start..byte]);
                        start = byte;
                    }
                }
            }
            _ => {}
        }
    }
    pieces.push(&text[start..]);
    pieces
}

fn should_split(before: &str, after: &str) -> bool {
    let Some(first) = after.trim_start().chars().next() else {
        return true;
    };
    if is_bullet(first) || first.is_uppercase() || first.is_ascii_digit() {
        return true;
    }
    !find_hits(&Scan::new(before)).is_empty()
}

/// Splits a piece holding several dates after each date (or after its parenthesis): "Kế hoạch
/// (Tháng 7/2024) Quyết định (tháng 9/2024)" → two parts. Dates inside one parenthesis stay
/// together (and the part is then reported as not understood).
fn split_by_dates(piece: &str) -> Vec<&str> {
    let scan = Scan::new(piece);
    let hits = find_hits(&scan);
    let mut bounds = Vec::new();
    for pair in hits.windows(2) {
        let (hit, next) = (&pair[0], &pair[1]);
        let group = scan.outer[hit.start];
        if group.is_some() && group == scan.outer[next.start] {
            continue;
        }
        let end = match group {
            Some(open) => scan.close_of[open].map(|close| scan.tokens[close].end),
            None => scan.tokens.get(hit.end - 1).map(|t| t.end),
        };
        if let Some(end) = end {
            bounds.push(end);
        }
    }
    let mut subs = Vec::new();
    let mut start = 0;
    for end in bounds {
        if end > start {
            subs.push(&piece[start..end]);
            start = end;
        }
    }
    subs.push(&piece[start..]);
    subs
}

/// Reads one part. `None` when the part is only bullets and punctuation.
fn parse_part(raw: &str, ctx: &ScheduleContext) -> Option<Part> {
    let text = trim_item(raw);
    if text.is_empty() {
        return None;
    }
    let scan = Scan::new(text);
    let hits = find_hits(&scan);
    if let Some((hit, reason)) = hits.iter().find_map(|h| match h.kind {
        HitKind::Bad(reason) => Some((h, reason)),
        HitKind::Due { .. } => None,
    }) {
        let expr = scan.slice(hit.start, hit.end);
        return Some(Part::unparsed(text, format!("Không hiểu thời hạn: «{text}» ({reason}: «{expr}»)")));
    }
    if hits.len() > 1 {
        return Some(Part::unparsed(
            text,
            format!("Không hiểu thời hạn: «{text}» (nhiều thời hạn trong cùng một mục)"),
        ));
    }
    if let Some(hit) = hits.first() {
        let fixed = fixed_part(text, &scan, hit);
        return Some(periodic_with_month(text, &scan, hit, ctx, &fixed).unwrap_or(fixed));
    }
    let part = relative_part(text, &scan)
        .or_else(|| times_part(text, &scan, ctx))
        .or_else(|| ongoing_part(text, &scan))
        .or_else(|| event_part(text, &scan))
        .unwrap_or_else(|| periodic_or_bare_part(text, &scan, ctx));
    Some(part)
}

/// Removes bullets and separators around a part.
fn trim_item(raw: &str) -> &str {
    raw.trim_start_matches(|c: char| c.is_whitespace() || is_bullet(c) || matches!(c, ';' | ','))
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ';' | ',' | '.'))
}

/// Trims a trigger or condition clause.
fn trim_clause(raw: &str) -> String {
    raw.trim_matches(|c: char| c.is_whitespace() || matches!(c, ';' | ',' | '.' | ':')).to_string()
}

/// Words that tie a label to its date and are not part of the label ("Kế hoạch hoàn thành trong
/// Quý I/2024" → "Kế hoạch").
const CONNECTIVES: &[&[&str]] = &[
    &["hoan", "thanh", "trong"],
    &["hoan", "thanh"],
    &["ban", "hanh", "trong"],
    &["ban", "hanh"],
    &["trong", "vong"],
    &["trong", "thoi", "han"],
    &["thoi", "han"],
    &["thoi", "gian"],
    &["toi", "da"],
    &["khong", "qua"],
    &["cham", "nhat"],
    &["trong"],
    &["vao"],
    &["cuoi"],
    &["ngay"],
];

/// The label written before byte `cut`: bullets, trailing punctuation and connectives removed.
fn label_before(text: &str, cut: usize) -> Option<String> {
    let mut label = text.get(..cut).unwrap_or(text);
    label = label.trim_start_matches(|c: char| c.is_whitespace() || is_bullet(c));
    loop {
        label = label
            .trim_end_matches(|c: char| c.is_whitespace() || is_bullet(c) || matches!(c, ';' | ',' | '.' | ':' | '('));
        let tokens = tokenize(label);
        let stripped = CONNECTIVES.iter().find_map(|phrase| {
            let first = tokens.len().checked_sub(phrase.len())?;
            let tail = &tokens[first..];
            let matches = tail.iter().zip(phrase.iter()).all(|(t, w)| t.kind == TokKind::Word && t.key == *w);
            matches.then(|| tail.first().map_or(0, |t| t.start))
        });
        match stripped {
            Some(end) => label = &label[..end],
            None => break,
        }
    }
    (!label.is_empty()).then(|| label.to_string())
}

// ---------------------------------------------------------------------------------------------
// Tokens.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokKind {
    Word,
    Num,
    Punct(char),
}

/// A word, an ASCII number or a punctuation mark, with its byte span in the part's text.
#[derive(Debug, Clone)]
struct Token {
    kind: TokKind,
    /// Folded form for words ("Quý" → "quy"), the digits for numbers.
    key: String,
    /// The original text in lower case ("Quý" → "quý"): tells "quý" (quarter) from "quy".
    lower: String,
    start: usize,
    end: usize,
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut end = start + c.len_utf8();
        let kind = if c.is_ascii_digit() {
            while let Some(&(i, d)) = chars.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                end = i + d.len_utf8();
                chars.next();
            }
            TokKind::Num
        } else if c.is_alphanumeric() {
            while let Some(&(i, d)) = chars.peek() {
                if !d.is_alphanumeric() || d.is_ascii_digit() {
                    break;
                }
                end = i + d.len_utf8();
                chars.next();
            }
            TokKind::Word
        } else {
            TokKind::Punct(c)
        };
        let raw = &text[start..end];
        let key = match kind {
            TokKind::Word => fold(raw),
            TokKind::Num | TokKind::Punct(_) => raw.to_string(),
        };
        tokens.push(Token { kind, key, lower: raw.to_lowercase(), start, end });
    }
    tokens
}

/// A part's tokens with their parenthesis structure and the citations ("số 899/QĐ-TTr ngày
/// 31/7/2023") whose dates are not deadlines.
struct Scan<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    /// Index of the outermost "(" enclosing each token (a parenthesis belongs to its own group).
    outer: Vec<Option<usize>>,
    /// For each "(" its matching ")".
    close_of: Vec<Option<usize>>,
    cited: Vec<bool>,
}

impl<'a> Scan<'a> {
    fn new(text: &'a str) -> Scan<'a> {
        let tokens = tokenize(text);
        let n = tokens.len();
        let mut outer = vec![None; n];
        let mut close_of = vec![None; n];
        let mut stack: Vec<usize> = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            match token.kind {
                TokKind::Punct('(') => {
                    stack.push(i);
                    outer[i] = stack.first().copied();
                }
                TokKind::Punct(')') => {
                    if let Some(open) = stack.pop() {
                        close_of[open] = Some(i);
                        outer[i] = Some(stack.first().copied().unwrap_or(open));
                    }
                }
                _ => outer[i] = stack.first().copied(),
            }
        }
        let cited = citation_mask(&tokens);
        Scan { text, tokens, outer, close_of, cited }
    }

    fn word(&self, i: usize, key: &str) -> bool {
        self.tokens.get(i).is_some_and(|t| t.kind == TokKind::Word && t.key == key)
    }

    fn words(&self, i: usize, keys: &[&str]) -> bool {
        keys.iter().enumerate().all(|(k, key)| self.word(i + k, key))
    }

    fn lower(&self, i: usize, lower: &str) -> bool {
        self.tokens.get(i).is_some_and(|t| t.kind == TokKind::Word && t.lower == lower)
    }

    fn num(&self, i: usize) -> Option<&Token> {
        self.tokens.get(i).filter(|t| t.kind == TokKind::Num)
    }

    fn punct(&self, i: usize, c: char) -> bool {
        self.tokens.get(i).is_some_and(|t| t.kind == TokKind::Punct(c))
    }

    /// The original text from token `start` to token `end` (exclusive).
    fn slice(&self, start: usize, end: usize) -> &'a str {
        let from = self.tokens.get(start).map_or(0, |t| t.start);
        let to = end.checked_sub(1).and_then(|last| self.tokens.get(last)).map_or(from, |t| t.end);
        self.text.get(from..to.max(from)).unwrap_or("")
    }

    /// Byte where a clause starting at token `i` ends: its closing parenthesis, or the text end.
    fn clause_end(&self, i: usize) -> usize {
        self.outer
            .get(i)
            .copied()
            .flatten()
            .and_then(|open| self.close_of[open])
            .map_or(self.text.len(), |close| self.tokens[close].start)
    }

    /// Byte where a label before token `i` ends: before its parenthesis, if it is in one.
    fn label_cut(&self, i: usize) -> usize {
        let i = match self.outer.get(i).copied().flatten() {
            Some(open) => open,
            None => i,
        };
        self.tokens.get(i).map_or(self.text.len(), |t| t.start)
    }
}

fn is_date_sep(token: &Token) -> bool {
    matches!(token.kind, TokKind::Punct('/' | '-' | '.'))
}

fn small_number(token: &Token) -> Option<u32> {
    token.key.parse::<u32>().ok()
}

/// Marks document citations: "số 899/QĐ-TTr ngày 31/7/2023", "899/QĐ-TTr ngày 31/7/2023".
fn citation_mask(tokens: &[Token]) -> Vec<bool> {
    let n = tokens.len();
    let mut cited = vec![false; n];
    let adjacent = |j: usize| j > 0 && j < n && tokens[j].start == tokens[j - 1].end;
    let mut i = 0;
    while i < n {
        let is_number_word = tokens[i].kind == TokKind::Word && tokens[i].key == "so";
        if is_number_word && tokens.get(i + 1).is_some_and(|t| t.kind == TokKind::Num) {
            cited[i] = true;
            let mut j = i + 1;
            cited[j] = true;
            j += 1;
            while adjacent(j) {
                cited[j] = true;
                j += 1;
            }
            i = mark_cited_date(tokens, j, &mut cited).max(j);
            continue;
        }
        if tokens[i].kind == TokKind::Word && tokens[i].key == "ngay" && i > 0 {
            // A document code right before: "899/QĐ-TTr ngày …".
            let mut k = i - 1;
            while k > 0 && tokens[k].start == tokens[k - 1].end {
                k -= 1;
            }
            let code = &tokens[k..i];
            let has = |f: &dyn Fn(&Token) -> bool| code.iter().any(f);
            if has(&|t| t.kind == TokKind::Punct('/'))
                && has(&|t| t.kind == TokKind::Word)
                && has(&|t| t.kind == TokKind::Num)
            {
                i = mark_cited_date(tokens, i, &mut cited).max(i + 1);
                continue;
            }
        }
        i += 1;
    }
    cited
}

/// Marks a "ngày …" date starting at `i`; returns the index after it (or `i`).
fn mark_cited_date(tokens: &[Token], i: usize, cited: &mut [bool]) -> usize {
    let is_day = tokens.get(i).is_some_and(|t| t.kind == TokKind::Word && t.key == "ngay");
    if !is_day {
        return i;
    }
    let end = day_pattern(tokens, i).map_or(i + 1, |(end, _)| end);
    for flag in cited.iter_mut().take(end).skip(i) {
        *flag = true;
    }
    end
}

// ---------------------------------------------------------------------------------------------
// Dates.

#[derive(Debug, Clone, Copy)]
enum HitKind {
    /// A deadline; `start` is the first day of the span written (for "trước …").
    Due { due: Date, start: Date, precision: Precision },
    /// A date-like expression that is impossible or incomplete; the reason is Vietnamese.
    Bad(&'static str),
}

/// A date expression: tokens `start..end`.
#[derive(Debug, Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    kind: HitKind,
}

fn find_hits(scan: &Scan<'_>) -> Vec<Hit> {
    let mut hits = Vec::new();
    let mut i = 0;
    while i < scan.tokens.len() {
        if scan.cited[i] {
            i += 1;
            continue;
        }
        let Some((end, kind)) = date_at(scan, i) else {
            i += 1;
            continue;
        };
        let mut hit = Hit { start: i, end, kind };
        if i > 0 && scan.word(i - 1, "truoc") {
            hit.start = i - 1;
            hit.kind = match kind {
                HitKind::Due { start, precision, .. } => {
                    HitKind::Due { due: start.prev(), start: start.prev(), precision }
                }
                HitKind::Bad(reason) => HitKind::Bad(reason),
            };
        }
        hits.push(hit);
        i = end.max(i + 1);
    }
    hits
}

/// A date expression starting at token `i`: its end and what it means.
fn date_at(scan: &Scan<'_>, i: usize) -> Option<(usize, HitKind)> {
    let tokens = &scan.tokens;
    let token = tokens.get(i)?;
    match (token.kind, token.key.as_str()) {
        (TokKind::Word, "ngay") => day_pattern(tokens, i),
        (TokKind::Num, _) => {
            // A bare "15/3/2024", written without spaces.
            let parts = [i, i + 1, i + 2, i + 3, i + 4].map(|k| tokens.get(k));
            let [Some(d), Some(s1), Some(m), Some(s2), Some(y)] = parts else {
                return None;
            };
            let tight = [s1, m, s2, y].iter().zip([d, s1, m, s2]).all(|(b, a)| b.start == a.end);
            let shaped = tight
                && is_date_sep(s1)
                && s1.key == s2.key
                && m.kind == TokKind::Num
                && y.kind == TokKind::Num
                && y.key.len() == 4;
            shaped.then(|| (i + 5, day_kind(d, m, y)))
        }
        (TokKind::Word, "thang") => {
            if i > 0 && scan.num(i - 1).is_some() {
                return None; // "6 tháng": a duration.
            }
            let month = scan.num(i + 1)?;
            let Some(year) = year_after(scan, i + 2) else {
                return Some((i + 2, HitKind::Bad("thiếu năm")));
            };
            let kind = match (small_number(month), year) {
                (_, Err(reason)) => HitKind::Bad(reason),
                (Some(m), Ok(y)) if (1..=12).contains(&m) => span_kind(y, m, m, Precision::Month),
                _ => HitKind::Bad("tháng không tồn tại"),
            };
            Some((i + 4, kind))
        }
        (TokKind::Word, "quy") => {
            let q = tokens.get(i + 1)?;
            let quarter = match q.kind {
                TokKind::Num => small_number(q).filter(|v| (1..=4).contains(v)).ok_or(()),
                TokKind::Word
                    if !q.key.is_empty() && q.lower == q.key && q.key.chars().all(|c| matches!(c, 'i' | 'v' | 'x')) =>
                {
                    match q.key.as_str() {
                        "i" => Ok(1),
                        "ii" => Ok(2),
                        "iii" => Ok(3),
                        "iv" => Ok(4),
                        _ => Err(()),
                    }
                }
                _ => return None,
            };
            let Some(year) = year_after(scan, i + 2) else {
                if token.lower == "quý" {
                    return Some((i + 2, HitKind::Bad("thiếu năm")));
                }
                return None;
            };
            let kind = match (quarter, year) {
                (_, Err(reason)) => HitKind::Bad(reason),
                (Ok(q), Ok(y)) => span_kind(y, q * 3 - 2, q * 3, Precision::Quarter),
                (Err(()), _) => HitKind::Bad("quý không tồn tại"),
            };
            Some((i + 4, kind))
        }
        (TokKind::Word, "nam") => {
            let year = scan.num(i + 1).filter(|t| t.key.len() == 4)?;
            if !year_can_be_deadline(scan, i) {
                return None;
            }
            let kind = match parse_year(year) {
                Ok(y) => span_kind(y, 1, 12, Precision::Year),
                Err(reason) => HitKind::Bad(reason),
            };
            Some((i + 2, kind))
        }
        _ => None,
    }
}

/// "ngày 15/3/2024", "ngày 15 tháng 3 năm 2024" at token `i` (which is "ngày").
fn day_pattern(tokens: &[Token], i: usize) -> Option<(usize, HitKind)> {
    let get = |k: usize| tokens.get(i + k);
    let word = |k: usize, key: &str| get(k).is_some_and(|t| t.kind == TokKind::Word && t.key == key);
    let num = |k: usize| get(k).filter(|t| t.kind == TokKind::Num);
    let day = num(1)?;
    let second_sep = if get(2).is_some_and(is_date_sep) {
        get(4).is_some_and(is_date_sep)
    } else if word(2, "thang") {
        word(4, "nam") || get(4).is_some_and(is_date_sep)
    } else {
        return None;
    };
    let Some(month) = num(3) else {
        return Some((i + 3, HitKind::Bad("thiếu tháng")));
    };
    match num(5) {
        Some(year) if second_sep => Some((i + 6, day_kind(day, month, year))),
        _ => Some((i + 4, HitKind::Bad("thiếu năm"))),
    }
}

fn day_kind(day: &Token, month: &Token, year: &Token) -> HitKind {
    let year = match parse_year(year) {
        Ok(y) => y,
        Err(reason) => return HitKind::Bad(reason),
    };
    let date = small_number(day).zip(small_number(month)).and_then(|(d, m)| Date::from_ymd(year, m, d));
    match date {
        Some(due) => HitKind::Due { due, start: due, precision: Precision::Day },
        None => HitKind::Bad("ngày không tồn tại"),
    }
}

/// The year after a month or quarter: "/2024", "-2024" or "năm 2024". `None` when absent.
fn year_after(scan: &Scan<'_>, i: usize) -> Option<Result<i32, &'static str>> {
    let sep = scan.tokens.get(i)?;
    if !(is_date_sep(sep) || scan.word(i, "nam")) {
        return None;
    }
    scan.num(i + 1).map(parse_year)
}

fn parse_year(token: &Token) -> Result<i32, &'static str> {
    if token.key.len() != 4 {
        return Err("năm không hợp lệ");
    }
    token.key.parse::<i32>().ok().filter(|y| (1900..=2999).contains(y)).ok_or("năm không hợp lệ")
}

/// The span from the first day of `first_month` to the last day of `last_month` of `year`.
fn span_kind(year: i32, first_month: u32, last_month: u32, precision: Precision) -> HitKind {
    let start = Date::from_ymd(year, first_month, 1);
    let due = Date::last_of_month(year, last_month);
    match (start, due) {
        (Some(start), Some(due)) => HitKind::Due { due, start, precision },
        _ => HitKind::Bad("ngày không tồn tại"),
    }
}

/// "Năm 2024" is a deadline at the start of a part or parenthesis or after a connective;
/// elsewhere ("Báo cáo CCHC năm 2024") it names something.
fn year_can_be_deadline(scan: &Scan<'_>, i: usize) -> bool {
    let Some(prev) = i.checked_sub(1) else {
        return true;
    };
    match scan.tokens[prev].kind {
        TokKind::Punct(c) => matches!(c, '(' | ';' | ':') || is_bullet(c),
        TokKind::Num => false,
        TokKind::Word => {
            ["trong", "vao", "cuoi", "truoc"].iter().any(|w| scan.word(prev, w))
                || (prev > 0 && scan.words(prev - 1, &["hoan", "thanh"]))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The kinds of part.

/// A part with one date: "Kế hoạch (Tháng 7/2024)", "Năm 2024 (sau khi Bộ Y tế …)".
fn fixed_part(text: &str, scan: &Scan<'_>, hit: &Hit) -> Part {
    let HitKind::Due { due, precision, .. } = hit.kind else {
        return Part::unparsed(text, not_understood(text));
    };
    let mut cut = scan.label_cut(hit.start);
    let mut condition = None;
    if let Some(event) = event_start(scan) {
        let mut end = scan.clause_end(event);
        if scan.outer[event].is_none() && hit.start > event {
            end = end.min(scan.label_cut(hit.start));
        }
        let start = scan.tokens[event].start;
        condition = Some(trim_clause(scan.text.get(start..end.max(start)).unwrap_or(""))).filter(|c| !c.is_empty());
        cut = cut.min(scan.label_cut(event));
    }
    let mut part = Part::new(text, label_before(text, cut), When::Fixed { due, precision });
    part.condition = condition;
    part
}

/// Where an event clause ("sau khi …", "khi có …") starts, if the part has one.
fn event_start(scan: &Scan<'_>) -> Option<usize> {
    let khi = (0..scan.tokens.len()).find(|&i| scan.word(i, "khi") && !scan.cited[i])?;
    let before = khi.checked_sub(1);
    Some(match before {
        Some(b) if scan.word(b, "sau") || scan.word(b, "truoc") => b,
        _ => khi,
    })
}

/// "5 ngày làm việc kể từ ngày nhận hồ sơ hợp lệ".
fn relative_part(text: &str, scan: &Scan<'_>) -> Option<Part> {
    for i in 0..scan.tokens.len() {
        let Some(number) = scan.num(i) else {
            continue;
        };
        let (working, after_unit) = if scan.words(i + 1, &["ngay", "lam", "viec"]) {
            (true, i + 4)
        } else if scan.word(i + 1, "ngay") {
            (false, i + 2)
        } else {
            continue;
        };
        let trigger_at = if scan.words(after_unit, &["ke", "tu"]) || scan.words(after_unit, &["tinh", "tu"]) {
            after_unit + 2
        } else if scan.word(after_unit, "tu") {
            after_unit + 1
        } else {
            continue;
        };
        let start = scan.tokens.get(trigger_at).map_or(text.len(), |t| t.start);
        let trigger = trim_clause(text.get(start..).unwrap_or(""));
        let Some(count) = small_number(number) else {
            return Some(Part::unparsed(text, not_understood(text)));
        };
        if trigger.is_empty() {
            return Some(Part::unparsed(text, not_understood(text)));
        }
        let label = label_before(text, number.start);
        let when = if working {
            When::Relative { working_days: count, trigger }
        } else {
            When::Event { trigger, offset: Some(Offset::Days(count)) }
        };
        return Some(Part::new(text, label, when));
    }
    None
}

/// "01 năm 2 lần (06 tháng/lần)", "02 lần/năm".
fn times_part(text: &str, scan: &Scan<'_>, ctx: &ScheduleContext) -> Option<Part> {
    let n = scan.tokens.len();
    let mut found: Option<(usize, Option<u32>)> = None;
    let mut every_months: Option<(usize, Option<u32>)> = None;
    for i in 0..n {
        let value = |k: usize| scan.num(k).map(small_number);
        // "01 năm 2 lần"
        if let (Some(Some(1)), true, Some(count), true) =
            (value(i), scan.word(i + 1, "nam"), value(i + 2), scan.word(i + 3, "lan"))
        {
            found = found.or(Some((i, count)));
        }
        // "2 lần/năm", "2 lần mỗi năm", "2 lần một năm", "2 lần trong năm"
        if let (Some(count), true) = (value(i), scan.word(i + 1, "lan")) {
            let per_year = (scan.punct(i + 2, '/')
                || scan.word(i + 2, "moi")
                || scan.word(i + 2, "mot")
                || scan.word(i + 2, "trong"))
                && scan.word(i + 3, "nam");
            if per_year {
                found = found.or(Some((i, count)));
            }
        }
        // "mỗi năm 2 lần", "hằng năm 2 lần"
        if (scan.word(i, "moi") || scan.word(i, "hang")) && scan.word(i + 1, "nam") {
            if let (Some(count), true) = (value(i + 2), scan.word(i + 3, "lan")) {
                found = found.or(Some((i, count)));
            }
        }
        // "06 tháng/lần", "6 tháng một lần", "6 tháng 1 lần"
        if let (Some(months), true) = (value(i), scan.word(i + 1, "thang")) {
            let once = (scan.punct(i + 2, '/') || scan.word(i + 2, "mot") || value(i + 2) == Some(Some(1)))
                && scan.word(i + 3, "lan");
            if once {
                let count = months.filter(|m| *m > 0 && 12 % m == 0).map(|m| 12 / m);
                every_months = every_months.or(Some((i, count)));
            }
        }
    }
    let (start, count) = found.or(every_months)?;
    let Some(count) = count.filter(|c| *c > 0) else {
        return Some(Part::unparsed(text, not_understood(text)));
    };
    let label = label_before(text, scan.tokens[start].start);
    let ends: &[u32] = match count {
        2 => &[6, 12],
        4 => &[3, 6, 9, 12],
        _ => &[],
    };
    let dues: Vec<Date> = if (1900..=2999).contains(&ctx.plan_year) {
        ends.iter().filter_map(|m| Date::last_of_month(ctx.plan_year, *m)).collect()
    } else {
        Vec::new()
    };
    let mut part = Part::new(text, label, When::TimesPerYear { count, dues: dues.clone() });
    if dues.is_empty() {
        part.notes.push((Severity::Info, format!("«{text}»: {count} lần/năm, chưa suy ra được các hạn cụ thể")));
    }
    if let (Some((_, Some(a))), Some((_, Some(b)))) = (found, every_months) {
        if a != b {
            part.notes.push((Severity::Info, format!("«{text}»: số lần trong năm ({a}) không khớp chu kỳ ({b} lần)")));
        }
    }
    Some(part)
}

/// "Thường xuyên".
fn ongoing_part(text: &str, scan: &Scan<'_>) -> Option<Part> {
    let start =
        (0..scan.tokens.len()).find(|&i| scan.words(i, &["thuong", "xuyen"]) || scan.words(i, &["lien", "tuc"]))?;
    let label = label_before(text, scan.label_cut(start));
    Some(Part::new(text, label, When::Ongoing))
}

/// "Sau khi HĐND, UBND tỉnh ban hành …", "Báo cáo (sau khi BCĐ … công bố)", "Triển khai sau khi
/// Bộ … ban hành hướng dẫn 01 tháng".
fn event_part(text: &str, scan: &Scan<'_>) -> Option<Part> {
    let start = event_start(scan)?;
    let end_byte = scan.clause_end(start);
    let last = (start..scan.tokens.len())
        .take_while(|&k| scan.tokens[k].start < end_byte)
        .filter(|&k| !matches!(scan.tokens[k].kind, TokKind::Punct(_)))
        .last()?;

    // An offset after the clause: "… ban hành hướng dẫn 01 tháng".
    let mut trigger_end = end_byte;
    let mut offset = None;
    if let Some((number, found)) = offset_ending_at(scan, last) {
        let mut cut = number;
        while cut > start + 2 && ["trong", "vong", "sau", "khoang"].iter().any(|w| scan.word(cut - 1, w)) {
            cut -= 1;
        }
        if cut > start + 2 {
            trigger_end = scan.tokens[cut].start;
            offset = Some(found);
        }
    }
    // An offset before it: "01 tháng sau khi …".
    let mut label_cut = scan.label_cut(start);
    if offset.is_none() && scan.outer[start].is_none() {
        if let Some((number, found)) = start.checked_sub(1).and_then(|k| offset_ending_at(scan, k)) {
            offset = Some(found);
            label_cut = scan.tokens[number].start;
        }
    }
    let from = scan.tokens[start].start;
    let trigger = trim_clause(text.get(from..trigger_end.max(from)).unwrap_or(""));
    let label = label_before(text, label_cut);
    Some(Part::new(text, label, When::Event { trigger, offset }))
}

/// "01 tháng", "5 ngày", "5 ngày làm việc" ending at token `last`: the number's index and offset.
fn offset_ending_at(scan: &Scan<'_>, last: usize) -> Option<(usize, Offset)> {
    let at = |unit_len: usize| last.checked_sub(unit_len);
    if scan.word(last, "thang") {
        let n = at(1)?;
        return small_number(scan.num(n)?).map(|v| (n, Offset::Months(v)));
    }
    if scan.word(last, "viec") {
        let n = at(3)?;
        if scan.words(n + 1, &["ngay", "lam", "viec"]) {
            return small_number(scan.num(n)?).map(|v| (n, Offset::WorkingDays(v)));
        }
        return None;
    }
    if scan.word(last, "ngay") {
        let n = at(1)?;
        return small_number(scan.num(n)?).map(|v| (n, Offset::Days(v)));
    }
    None
}

/// Which reporting periods a periodic report follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PeriodChoice {
    All,
    HalfAndYear,
    Year,
}

/// The words of a part (outside parentheses) that make it a periodic report.
#[derive(Debug, Clone, Copy)]
struct PeriodWords {
    /// "định kỳ".
    periodic: bool,
    /// "theo quy định".
    rule: bool,
    /// The part starts with "Báo cáo".
    report: bool,
    /// "quý" without a number.
    quarter: bool,
    /// "6 tháng".
    half: bool,
    /// "tháng" without a number.
    month: bool,
    /// "năm" (not a deadline here, or it would have been read as one).
    year: bool,
}

impl PeriodWords {
    fn of(scan: &Scan<'_>) -> PeriodWords {
        let n = scan.tokens.len();
        let outside = |i: usize| scan.outer[i].is_none();
        PeriodWords {
            periodic: (0..n).any(|i| outside(i) && scan.words(i, &["dinh", "ky"])),
            rule: (0..n).any(|i| outside(i) && scan.words(i, &["theo", "quy", "dinh"])),
            report: scan.words(0, &["bao", "cao"]),
            quarter: (0..n).any(|i| outside(i) && scan.lower(i, "quý") && scan.num(i + 1).is_none()),
            half: (0..n).any(|i| {
                outside(i)
                    && scan.num(i).is_some_and(|t| t.key.trim_start_matches('0') == "6")
                    && scan.lower(i + 1, "tháng")
            }),
            month: (0..n).any(|i| {
                outside(i)
                    && scan.lower(i, "tháng")
                    && scan.num(i + 1).is_none()
                    && (i == 0 || scan.num(i - 1).is_none())
            }),
            // "năm 2024" here names the report ("Báo cáo năm 2024").
            year: (0..n).any(|i| outside(i) && scan.lower(i, "năm")),
        }
    }

    /// The part names its reporting periods ("quý/6 tháng/năm").
    fn named(self) -> bool {
        self.quarter || self.half || self.month || self.year
    }

    /// The plan's reporting periods these words name, with their due dates.
    fn periods(self, ctx: &ScheduleContext) -> Vec<PeriodDue> {
        let choice = if self.quarter || self.month {
            PeriodChoice::All
        } else if self.half {
            PeriodChoice::HalfAndYear
        } else if self.year {
            PeriodChoice::Year
        } else {
            PeriodChoice::All
        };
        ctx.periods
            .iter()
            .filter(|p| match (choice, p.id) {
                (PeriodChoice::All, _) => true,
                (PeriodChoice::HalfAndYear, PeriodId::Quarter { .. }) => false,
                (PeriodChoice::HalfAndYear, _) => true,
                (PeriodChoice::Year, id) => matches!(id, PeriodId::Year { .. }),
            })
            .map(|p| PeriodDue { period: p.id, due: p.due })
            .collect()
    }
}

/// "Báo cáo kết quả định kỳ quý/6 tháng/năm theo quy định (tháng 12/2024)": a periodic report
/// named by its period words that also carries a month in parentheses. The report is due with
/// every period its words name (the month alone would lose the other reports); the month is
/// read as the month of the matching period's report (Info), or reported if no named period
/// ends in it (Warning). `None` when the rule does not apply: the part stays `fixed`.
fn periodic_with_month(text: &str, scan: &Scan<'_>, hit: &Hit, ctx: &ScheduleContext, fixed: &Part) -> Option<Part> {
    let HitKind::Due { due, precision: Precision::Month, .. } = hit.kind else {
        return None;
    };
    // Only a month as such: "tháng 12/2024", not "trước tháng 12/2024".
    if !scan.word(hit.start, "thang") || scan.outer[hit.start].is_none() {
        return None;
    }
    let words = PeriodWords::of(scan);
    let names_report = (0..scan.tokens.len()).any(|i| scan.outer[i].is_none() && scan.words(i, &["bao", "cao"]));
    if !(names_report && words.periodic && words.named()) {
        return None;
    }
    let periods = words.periods(ctx);
    let month = scan.slice(hit.start, hit.end);
    if periods.is_empty() {
        // Nothing to spread the report over: keep the month rather than lose it.
        let mut part = fixed.clone();
        part.notes.push((
            Severity::Warning,
            format!("«{text}»: kế hoạch không có kỳ báo cáo phù hợp, chỉ giữ hạn «{month}»"),
        ));
        return Some(part);
    }

    let mut part = periodic_or_bare_part(text, scan, ctx);
    part.condition = fixed.condition.clone();
    // The widest period ending in that month: "tháng 6" is the half-year's, not the quarter's.
    let rank = |id: PeriodId| match id {
        PeriodId::Year { .. } => 0,
        PeriodId::HalfYear { .. } => 1,
        PeriodId::Quarter { .. } => 2,
    };
    let matched = periods
        .iter()
        .filter(|p| p.period.year() == due.year() && p.period.last_month() == due.month())
        .min_by_key(|p| rank(p.period));
    let ids = periods.iter().map(|p| p.period.to_string()).collect::<Vec<_>>().join(", ");
    let note = match matched {
        Some(p) => {
            let name = ctx
                .periods
                .iter()
                .find(|r| r.id == p.period)
                .map_or_else(|| format!("báo cáo {}", p.period.label_vn()), |r| r.name.clone());
            (
                Severity::Info,
                format!(
                    "«{text}»: báo cáo theo các kỳ đã nêu ({ids}); «{month}» trong ngoặc được hiểu là tháng của \
                     {name} (hạn {})",
                    p.due
                ),
            )
        }
        None => (
            Severity::Warning,
            format!(
                "«{text}»: «{month}» trong ngoặc không trùng tháng cuối của kỳ báo cáo nào đã nêu ({ids}); vẫn tính \
                 hạn theo các kỳ báo cáo, cần kiểm tra lại"
            ),
        ),
    };
    part.notes.push(note);
    Some(part)
}

/// "Báo cáo định kỳ theo quy định", "Báo cáo theo định kỳ năm", "Báo cáo kết quả theo quy
/// định"; otherwise the part is not understood.
fn periodic_or_bare_part(text: &str, scan: &Scan<'_>, ctx: &ScheduleContext) -> Part {
    let n = scan.tokens.len();
    let words = PeriodWords::of(scan);
    let named = words.named();

    if !(words.periodic || words.report) {
        let mut part = Part::unparsed(text, not_understood(text));
        part.shareable = true;
        return part;
    }

    let periods = words.periods(ctx);

    // The label stops where the period words begin: "Báo cáo kết quả định kỳ | trước ngày 15 …".
    let stop = (1..n).find(|&i| {
        scan.word(i, "theo")
            || scan.word(i, "truoc")
            || scan.lower(i, "quý")
            || scan.lower(i, "năm")
            || scan.lower(i, "tháng")
            || scan.lower(i, "hằng")
            || scan.lower(i, "hàng")
            || scan.num(i).is_some()
            || matches!(scan.tokens[i].kind, TokKind::Punct('(' | '/'))
    });
    let cut = stop.map_or(text.len(), |i| scan.tokens[i].start);
    let mut part = Part::new(text, label_before(text, cut), When::Periodic { periods: periods.clone() });
    part.shareable = words.report && !words.periodic && !words.rule && !named;
    if periods.is_empty() {
        part.notes
            .push((Severity::Warning, format!("«{text}»: kế hoạch không có kỳ báo cáo phù hợp, chưa tính được hạn")));
    } else if !named {
        let ids: Vec<String> = periods.iter().map(|p| p.period.to_string()).collect();
        part.notes.push((
            Severity::Info,
            format!("«{text}» không nêu kỳ báo cáo: hiểu là mọi kỳ báo cáo của kế hoạch ({})", ids.join(", ")),
        ));
    }
    part
}

#[cfg(test)]
mod tests {
    use super::*;
    use cchc_domain::schedule::ScheduleKind;
    use proptest::prelude::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn period(id: &str, name: &str, from: &str, to: &str, due: &str) -> ReportingPeriod {
        ReportingPeriod {
            id: PeriodId::parse(id).unwrap(),
            name: name.to_string(),
            data_from: date(from),
            data_to: date(to),
            due: date(due),
            line: 0,
        }
    }

    /// The Sơn La 2024 plan's reporting periods (part VI.1.b).
    fn ctx() -> ScheduleContext {
        ScheduleContext {
            plan_year: 2024,
            periods: vec![
                period("2024Q1", "Báo cáo Quý I/2024", "15/12/2023", "13/03/2024", "14/03/2024"),
                period("2024S1", "Báo cáo 6 tháng đầu năm 2024", "15/12/2023", "13/06/2024", "14/06/2024"),
                period("2024Q3", "Báo cáo Quý III/2024", "14/06/2024", "13/09/2024", "14/09/2024"),
                period("2024", "Báo cáo năm 2024", "15/12/2023", "13/12/2024", "14/12/2024"),
            ],
        }
    }

    fn parse(cell: &str) -> (Schedule, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let schedule = parse_schedule(cell, 7, &ctx(), &mut diagnostics);
        (schedule, diagnostics)
    }

    /// Milestones as "label|dd/mm/yyyy" ("-" for no label).
    fn milestones(schedule: &Schedule) -> Vec<String> {
        schedule.milestones().iter().map(|m| format!("{}|{}", m.label.as_deref().unwrap_or("-"), m.due)).collect()
    }

    fn m(label: &str, due: &str) -> Vec<String> {
        vec![format!("{label}|{due}")]
    }

    /// The four reports of the plan for a periodic item labelled `label`.
    fn every_period(label: &str) -> Vec<String> {
        vec![
            format!("{label} (Quý I/2024)|14/03/2024"),
            format!("{label} (6 tháng đầu năm 2024)|14/06/2024"),
            format!("{label} (Quý III/2024)|14/09/2024"),
            format!("{label} (Năm 2024)|14/12/2024"),
        ]
    }

    fn none() -> Vec<String> {
        Vec::new()
    }

    /// Every distinct "Thời gian" cell of the seed plan's appendix (joined across page breaks),
    /// with its kind and milestones.
    fn seed_cells() -> Vec<(&'static str, &'static str, Vec<String>)> {
        vec![
            (
                "- Kế hoạch (Tháng 7/2024) Quyết định (tháng 9/2024); - Công văn hướng dẫn (quý IV/2024).",
                "fixed",
                [
                    m("Kế hoạch", "31/07/2024"),
                    m("Quyết định", "30/09/2024"),
                    m("Công văn hướng dẫn", "31/12/2024"),
                ]
                .concat(),
            ),
            (
                "- Quyết định (sau khi Chính phủ ban hành Nghị quyết); - Báo cáo định kỳ theo quy định.",
                "mixed",
                every_period("Báo cáo định kỳ"),
            ),
            (
                "- Công văn hướng dẫn (quý IV/2024); - Quyết định công nhận mức độ HTNV (tháng 01/2025).",
                "fixed",
                [
                    m("Công văn hướng dẫn", "31/12/2024"),
                    m("Quyết định công nhận mức độ HTNV", "31/01/2025"),
                ]
                .concat(),
            ),
            (
                "- Quyết định (tháng 01/2024); - Kế hoạch triển khai Đề án (tháng 02/2024);",
                "fixed",
                [
                    m("Quyết định", "31/01/2024"),
                    m("Kế hoạch triển khai Đề án", "29/02/2024"),
                ]
                .concat(),
            ),
            (
                "- Quyết định (tháng 02/2024); - Báo cáo; Văn bản chấn chỉnh (tháng 11/2024).",
                "fixed",
                [
                    m("Quyết định", "29/02/2024"),
                    m("Báo cáo", "30/11/2024"),
                    m("Văn bản chấn chỉnh", "30/11/2024"),
                ]
                .concat(),
            ),
            (
                "- Quyết định (tháng 01/2024); - Báo cáo định kỳ quý/6 tháng/năm (lồng ghép với Báo cáo CCHC năm 2024).",
                "mixed",
                [m("Quyết định", "31/01/2024"), every_period("Báo cáo định kỳ")].concat(),
            ),
            (
                "- Kế hoạch (quý I/2024) - Báo cáo kết quả năm (tháng 12/2024)",
                "fixed",
                [
                    m("Kế hoạch", "31/03/2024"),
                    m("Báo cáo kết quả năm", "31/12/2024"),
                ]
                .concat(),
            ),
            (
                "Báo cáo (sau khi BCĐ CCHC của Chính phủ tổ chức Hội nghị công bố)",
                "event",
                none(),
            ),
            (
                "Báo cáo kết quả sau khi Liên đoàn Thương mại và Công nghiệp Việt Nam (VCCI) tổ chức Hội nghị công bố",
                "event",
                none(),
            ),
            (
                "Báo cáo sau khi Trung tâm Bồi dưỡng cán bộ và nghiên cứu học MTTQ VN; tổ chức UNDP tổ chức Hội nghị công bố",
                "event",
                none(),
            ),
            (
                "- Kế hoạch của Chủ tịch UBND tỉnh (tháng 8/2024) - Công văn hướng dẫn điều tra (Quý IV/2024)",
                "fixed",
                [
                    m("Kế hoạch của Chủ tịch UBND tỉnh", "31/08/2024"),
                    m("Công văn hướng dẫn điều tra", "31/12/2024"),
                ]
                .concat(),
            ),
            (
                "01 năm 2 lần (06 tháng/lần)",
                "recurring",
                [m("Lần 1", "30/06/2024"), m("Lần 2", "31/12/2024")].concat(),
            ),
            ("Quý IV/2024", "fixed", m("-", "31/12/2024")),
            ("Tháng 12/2024", "fixed", m("-", "31/12/2024")),
            ("Quý I/2024", "fixed", m("-", "31/03/2024")),
            (
                "- Ban hành Kế hoạch (tháng 01/2024); - Báo cáo lần 1 (tháng 11/2024).",
                "fixed",
                [
                    m("Ban hành Kế hoạch", "31/01/2024"),
                    m("Báo cáo lần 1", "30/11/2024"),
                ]
                .concat(),
            ),
            ("Tháng 01/2024", "fixed", m("-", "31/01/2024")),
            (
                "Sau khi HĐND, UBND tỉnh ban hành các văn bản QPPL",
                "event",
                none(),
            ),
            (
                "- Ban hành Kế hoạch (tháng 01/2024); - Báo cáo (tháng 12/2024).",
                "fixed",
                [
                    m("Ban hành Kế hoạch", "31/01/2024"),
                    m("Báo cáo", "31/12/2024"),
                ]
                .concat(),
            ),
            (
                "- Ban hành, Kế hoạch (tháng 1 năm 2024); - Báo cáo (quý IV/2024).",
                "fixed",
                [
                    m("Ban hành, Kế hoạch", "31/01/2024"),
                    m("Báo cáo", "31/12/2024"),
                ]
                .concat(),
            ),
            (
                "- Kế hoạch (Quý I/2024); - Báo cáo kết quả định kỳ quý/6 tháng/năm theo quy định (tháng 12/2024).",
                "mixed",
                [
                    m("Kế hoạch", "31/03/2024"),
                    every_period("Báo cáo kết quả định kỳ"),
                ]
                .concat(),
            ),
            (
                "- Kế hoạch (Quý I/2024); - Báo cáo kết quả định kỳ theo quy định.",
                "mixed",
                [
                    m("Kế hoạch", "31/03/2024"),
                    every_period("Báo cáo kết quả định kỳ"),
                ]
                .concat(),
            ),
            (
                "Khi có Quyết định công bố TTHC của bộ, ngành, Trung ương",
                "event",
                none(),
            ),
            (
                "5 ngày làm việc kể từ ngày nhận hồ sơ hợp lệ",
                "relative",
                none(),
            ),
            (
                "5 ngày làm việc kể từ khi Quyết định được ban hành",
                "relative",
                none(),
            ),
            (
                "Báo cáo theo định kỳ theo quy định",
                "recurring",
                every_period("Báo cáo"),
            ),
            (
                "- Kế hoạch (quý I/2024); - Báo cáo theo định kỳ năm.",
                "mixed",
                [
                    m("Kế hoạch", "31/03/2024"),
                    m("Báo cáo (Năm 2024)", "14/12/2024"),
                ]
                .concat(),
            ),
            (
                "Báo cáo định kỳ theo quý, năm theo quy định",
                "recurring",
                every_period("Báo cáo định kỳ"),
            ),
            ("Tháng 4/2024", "fixed", m("-", "30/04/2024")),
            ("Tháng 6/2024", "fixed", m("-", "30/06/2024")),
            ("Tháng 9/2024", "fixed", m("-", "30/09/2024")),
            ("Tháng 11/2024", "fixed", m("-", "30/11/2024")),
            ("Quý III/2024", "fixed", m("-", "30/09/2024")),
            (
                "Triển khai sau khi Bộ Khoa học công nghệ ban hành hướng dẫn 01 tháng",
                "event",
                none(),
            ),
            ("Tháng 7/2024", "fixed", m("-", "31/07/2024")),
            (
                "Năm 2024 (sau khi Bộ Y tế ban hành hướng dẫn)",
                "fixed",
                m("-", "31/12/2024"),
            ),
            ("Năm 2024", "fixed", m("-", "31/12/2024")),
            ("Thường xuyên", "ongoing", none()),
            (
                "Quyết định (tháng 12/2024); Báo cáo (tháng 01/2025)",
                "fixed",
                [m("Quyết định", "31/12/2024"), m("Báo cáo", "31/01/2025")].concat(),
            ),
            (
                "- Kế hoạch (Hoàn thành trong tháng 6/2024 theo quy định tại Quyết định số 899/QĐ-TTr ngày 31/7/2023 của Thủ tướng Chính phủ)",
                "fixed",
                m("Kế hoạch", "30/06/2024"),
            ),
            (
                "- Kế hoạch ban hành Quý I/2024; - Báo cáo kết quả quý III/2024.",
                "fixed",
                [
                    m("Kế hoạch", "31/03/2024"),
                    m("Báo cáo kết quả", "30/09/2024"),
                ]
                .concat(),
            ),
            (
                "- Tháng 01/2024 (sau khi có chương trình thực hành tiết kiệm, chống lãng phí của Chính phủ ban hành); - Báo cáo kết quả theo quy định.",
                "mixed",
                [m("-", "31/01/2024"), every_period("Báo cáo kết quả")].concat(),
            ),
            (
                "Năm 2024 (sau khi có Hướng dẫn của Bộ Khoa học và Công nghệ)",
                "fixed",
                m("-", "31/12/2024"),
            ),
            (
                "Báo cáo kết quả định kỳ trước ngày 15 của quý/6 tháng/năm",
                "recurring",
                every_period("Báo cáo kết quả định kỳ"),
            ),
            (
                "- Kế hoạch tháng 01/2024 - Báo cáo kết quả định kỳ trước ngày 15 của quý/6 tháng/năm",
                "mixed",
                [
                    m("Kế hoạch", "31/01/2024"),
                    every_period("Báo cáo kết quả định kỳ"),
                ]
                .concat(),
            ),
            (
                "- Kế hoạch tháng 03/2024 - Báo cáo kết quả định kỳ trước ngày 15 của quý/6 tháng/năm",
                "mixed",
                [
                    m("Kế hoạch", "31/03/2024"),
                    every_period("Báo cáo kết quả định kỳ"),
                ]
                .concat(),
            ),
            (
                "- Báo cáo kết quả định kỳ trước ngày 15 của quý/6 tháng/năm",
                "recurring",
                every_period("Báo cáo kết quả định kỳ"),
            ),
            (
                "- Kế hoạch quý I/2024 - Báo cáo kết quả định kỳ trước ngày 15 của quý/6 tháng/năm",
                "mixed",
                [
                    m("Kế hoạch", "31/03/2024"),
                    every_period("Báo cáo kết quả định kỳ"),
                ]
                .concat(),
            ),
            (
                "- Kế hoạch hoàn thành trong Quý I/2024; - Báo cáo theo quy định.",
                "mixed",
                [m("Kế hoạch", "31/03/2024"), every_period("Báo cáo")].concat(),
            ),
        ]
    }

    #[test]
    fn every_seed_cell_gets_its_kind_and_milestones() {
        let cells = seed_cells();
        assert_eq!(cells.len(), 49, "distinct schedule cells of the seed");
        for (cell, kind, expected) in cells {
            let (schedule, diagnostics) = parse(cell);
            assert_eq!(schedule.kind().as_str(), kind, "kind of «{cell}»: {schedule:#?}");
            assert_eq!(milestones(&schedule), expected, "milestones of «{cell}»");
            assert!(diagnostics.iter().all(|d| d.severity == Severity::Info), "«{cell}» raised {diagnostics:?}");
            assert!(schedule.items.iter().all(|i| i.when != When::Unparsed));
        }
    }

    /// The table above lists exactly the distinct cells of the seed's appendix, each joined across
    /// page breaks (a row with an empty first cell continues the previous row).
    #[test]
    fn the_table_covers_every_schedule_cell_of_the_seed() {
        let seed = include_str!("../data/ke-hoach-cchc-son-la-2024.txt");
        let mut cells: Vec<String> = Vec::new();
        let mut in_table = false;
        for line in seed.lines() {
            let row: Vec<&str> = line.split('\t').collect();
            if row.first() == Some(&"STT") {
                in_table = true;
                continue;
            }
            let Some(cell) = row.get(5).filter(|_| in_table && row.len() >= 6) else {
                continue;
            };
            let cell = clean(&cell.replace("<i>", "").replace("</i>", ""));
            if !row[0].is_empty() {
                cells.push(cell);
            } else if let (Some(last), false) = (cells.last_mut(), cell.is_empty()) {
                *last = if last.is_empty() { cell } else { format!("{last} {cell}") };
            }
        }
        cells.retain(|c| !c.is_empty());
        cells.sort();
        cells.dedup();
        let mut tabled: Vec<String> = seed_cells().into_iter().map(|c| c.0.to_string()).collect();
        tabled.sort();
        assert_eq!(cells, tabled);
    }

    #[test]
    fn labelled_milestones_keep_their_text_and_labels() {
        let (schedule, _) =
            parse("- Kế hoạch (Tháng 7/2024) Quyết định (tháng 9/2024); - Công văn hướng dẫn (quý IV/2024).");
        let texts: Vec<&str> = schedule.items.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(texts, ["Kế hoạch (Tháng 7/2024)", "Quyết định (tháng 9/2024)", "Công văn hướng dẫn (quý IV/2024)"]);
        assert_eq!(schedule.items[2].when, When::Fixed { due: date("31/12/2024"), precision: Precision::Quarter });
        assert_eq!(
            schedule.text,
            "- Kế hoạch (Tháng 7/2024) Quyết định (tháng 9/2024); - Công văn hướng dẫn (quý IV/2024)."
        );
    }

    #[test]
    fn months_quarters_years_and_days_in_any_case() {
        let cases = [
            ("Tháng 01/2024", "31/01/2024", Precision::Month),
            ("tháng 1 năm 2024", "31/01/2024", Precision::Month),
            ("THÁNG 2/2024", "29/02/2024", Precision::Month),
            ("Quý IV/2024", "31/12/2024", Precision::Quarter),
            ("quý I/2024", "31/03/2024", Precision::Quarter),
            ("Quý iii/2024", "30/09/2024", Precision::Quarter),
            ("Quý 2/2024", "30/06/2024", Precision::Quarter),
            ("quý II năm 2024", "30/06/2024", Precision::Quarter),
            ("Năm 2024", "31/12/2024", Precision::Year),
            ("Hoàn thành trong tháng 6/2024", "30/06/2024", Precision::Month),
            ("Hoàn thành trong năm 2025", "31/12/2025", Precision::Year),
            ("ngày 15/3/2024", "15/03/2024", Precision::Day),
            ("ngày 15 tháng 3 năm 2024", "15/03/2024", Precision::Day),
            ("Trước ngày 15/3/2024", "14/03/2024", Precision::Day),
            ("trước tháng 6/2024", "31/05/2024", Precision::Month),
            ("31/12/2024", "31/12/2024", Precision::Day),
            ("  Tháng\u{a0}12/2024 ", "31/12/2024", Precision::Month),
        ];
        for (cell, due, precision) in cases {
            let (schedule, diagnostics) = parse(cell);
            assert_eq!(schedule.items.len(), 1, "«{cell}»");
            assert_eq!(schedule.items[0].when, When::Fixed { due: date(due), precision }, "«{cell}»");
            assert_eq!(schedule.items[0].label, None, "«{cell}»");
            assert!(diagnostics.is_empty(), "«{cell}»: {diagnostics:?}");
        }
    }

    #[test]
    fn decomposed_input_reads_like_composed_input() {
        let nfd = "Qu\u{0079}\u{0301} IV/2024";
        let (schedule, _) = parse(nfd);
        assert_eq!(schedule.text, "Quý IV/2024");
        assert_eq!(schedule.kind(), ScheduleKind::Fixed);
    }

    #[test]
    fn citation_dates_are_not_deadlines() {
        let (schedule, _) = parse(
            "- Kế hoạch (Hoàn thành trong tháng 6/2024 theo quy định tại Quyết định số 899/QĐ-TTr ngày 31/7/2023 của Thủ tướng Chính phủ)",
        );
        assert_eq!(schedule.items.len(), 1);
        assert_eq!(schedule.items[0].label.as_deref(), Some("Kế hoạch"));
        assert_eq!(milestones(&schedule), m("Kế hoạch", "30/06/2024"));

        let (schedule, _) = parse("Theo Kế hoạch số 12/KH-UBND ngày 15/01/2024, hoàn thành tháng 3/2024");
        assert_eq!(milestones(&schedule), m("Theo Kế hoạch số 12/KH-UBND ngày 15/01/2024", "31/03/2024"));

        let (schedule, diagnostics) = parse("Theo Quyết định 899/QĐ-TTr ngày 31/7/2023");
        assert_eq!(schedule.kind(), ScheduleKind::Unparsed);
        assert_eq!(diagnostics.len(), 1);
    }

    #[test]
    fn periodic_reports_follow_the_plan_periods() {
        let (schedule, diagnostics) = parse("- Báo cáo theo định kỳ năm.");
        assert_eq!(milestones(&schedule), m("Báo cáo (Năm 2024)", "14/12/2024"));
        assert!(diagnostics.is_empty());

        let (schedule, _) = parse("Báo cáo 6 tháng, năm");
        let ids: Vec<String> = match &schedule.items[0].when {
            When::Periodic { periods } => periods.iter().map(|p| p.period.to_string()).collect(),
            other => panic!("{other:?}"),
        };
        assert_eq!(ids, ["2024S1", "2024"]);

        for cell in ["- Báo cáo kết quả theo quy định.", "- Báo cáo theo quy định.", "Báo cáo"] {
            let (schedule, diagnostics) = parse(cell);
            assert_eq!(schedule.kind(), ScheduleKind::Recurring, "«{cell}»");
            assert_eq!(schedule.milestones().len(), 4, "«{cell}»");
            assert_eq!(diagnostics.len(), 1, "«{cell}»");
            assert_eq!(diagnostics[0].severity, Severity::Info);
            assert_eq!(diagnostics[0].line, 7);
        }

        let (schedule, diagnostics) = parse("Báo cáo năm 2024");
        assert_eq!(milestones(&schedule), m("Báo cáo (Năm 2024)", "14/12/2024"));
        assert!(diagnostics.is_empty());

        let (schedule, diagnostics) = parse("Báo cáo định kỳ quý/6 tháng/năm");
        assert_eq!(schedule.milestones().len(), 4);
        assert!(diagnostics.is_empty());
    }

    #[test]
    fn periodic_reports_without_periods_in_the_plan_are_reported() {
        let mut diagnostics = Vec::new();
        let ctx = ScheduleContext { plan_year: 2024, periods: Vec::new() };
        let schedule = parse_schedule("Báo cáo định kỳ theo quy định", 3, &ctx, &mut diagnostics);
        assert_eq!(schedule.items[0].when, When::Periodic { periods: Vec::new() });
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].severity, Severity::Warning);
    }

    fn period_ids(schedule: &Schedule, item: usize) -> Vec<String> {
        match &schedule.items[item].when {
            When::Periodic { periods } => periods.iter().map(|p| p.period.to_string()).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn named_periods_with_a_month_in_parentheses_stay_periodic() {
        // The month is the last month of a named period: Info, naming the month and the period.
        let cell = "- Báo cáo kết quả định kỳ quý/6 tháng/năm theo quy định (tháng 12/2024).";
        let (schedule, diagnostics) = parse(cell);
        assert_eq!(schedule.items.len(), 1);
        assert_eq!(schedule.kind(), ScheduleKind::Recurring);
        assert_eq!(period_ids(&schedule, 0), ["2024Q1", "2024S1", "2024Q3", "2024"]);
        assert_eq!(milestones(&schedule), every_period("Báo cáo kết quả định kỳ"));
        assert_eq!(schedule.items[0].text, "Báo cáo kết quả định kỳ quý/6 tháng/năm theo quy định (tháng 12/2024)");
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].severity, Severity::Info);
        assert_eq!(diagnostics[0].line, 7);
        assert!(diagnostics[0].message.contains("«tháng 12/2024»"), "{}", diagnostics[0].message);
        assert!(diagnostics[0].message.contains("Báo cáo năm 2024"), "{}", diagnostics[0].message);

        // "6 tháng, năm" names the half-year and the year; June is the half-year's month.
        let (schedule, diagnostics) = parse("Báo cáo định kỳ 6 tháng, năm (tháng 6/2024)");
        assert_eq!(period_ids(&schedule, 0), ["2024S1", "2024"]);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].severity, Severity::Info);
        assert!(diagnostics[0].message.contains("Báo cáo 6 tháng đầu năm 2024"), "{}", diagnostics[0].message);

        // The month ends none of the named periods: the periodic milestones stay, with a warning.
        for (cell, ids) in [
            ("Báo cáo kết quả định kỳ quý/6 tháng/năm (tháng 10/2024)", vec!["2024Q1", "2024S1", "2024Q3", "2024"]),
            ("Báo cáo định kỳ năm (tháng 6/2024)", vec!["2024"]),
            ("Báo cáo định kỳ quý/năm (tháng 12/2025)", vec!["2024Q1", "2024S1", "2024Q3", "2024"]),
        ] {
            let (schedule, diagnostics) = parse(cell);
            assert_eq!(period_ids(&schedule, 0), ids, "«{cell}»");
            assert_eq!(schedule.items[0].text, cell);
            assert_eq!(diagnostics.len(), 1, "«{cell}»: {diagnostics:?}");
            assert_eq!(diagnostics[0].severity, Severity::Warning, "«{cell}»");
            assert!(diagnostics[0].message.contains("không trùng"), "«{cell}»: {}", diagnostics[0].message);
        }

        // Beside a fixed item the cell is mixed.
        let (schedule, diagnostics) =
            parse("- Kế hoạch (Quý I/2024); - Báo cáo kết quả định kỳ quý/6 tháng/năm theo quy định (tháng 12/2024).");
        assert_eq!(schedule.kind(), ScheduleKind::Mixed);
        assert_eq!(
            milestones(&schedule),
            [m("Kế hoạch", "31/03/2024"), every_period("Báo cáo kết quả định kỳ")].concat()
        );
        assert!(diagnostics.iter().all(|d| d.severity == Severity::Info));

        // Without period words (or without "định kỳ") the month is the deadline.
        for (cell, label, due) in [
            ("- Báo cáo kết quả năm (tháng 12/2024)", "Báo cáo kết quả năm", "31/12/2024"),
            ("- Báo cáo lần 1 (tháng 11/2024)", "Báo cáo lần 1", "30/11/2024"),
            ("Báo cáo (tháng 01/2025)", "Báo cáo", "31/01/2025"),
            ("Báo cáo định kỳ (tháng 12/2024)", "Báo cáo định kỳ", "31/12/2024"),
            ("Báo cáo định kỳ quý/năm (trước tháng 12/2024)", "Báo cáo định kỳ quý/năm", "30/11/2024"),
        ] {
            let (schedule, diagnostics) = parse(cell);
            assert_eq!(milestones(&schedule), m(label, due), "«{cell}»");
            assert_eq!(schedule.kind(), ScheduleKind::Fixed, "«{cell}»");
            assert!(diagnostics.is_empty(), "«{cell}»: {diagnostics:?}");
        }

        // A plan without reporting periods keeps the month, with a warning.
        let mut diagnostics = Vec::new();
        let ctx = ScheduleContext { plan_year: 2024, periods: Vec::new() };
        let schedule = parse_schedule("Báo cáo định kỳ quý/năm (tháng 12/2024)", 3, &ctx, &mut diagnostics);
        assert_eq!(milestones(&schedule), m("Báo cáo định kỳ quý/năm", "31/12/2024"));
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].severity, Severity::Warning);
    }

    #[test]
    fn times_per_year() {
        let expected = When::TimesPerYear { count: 2, dues: vec![date("30/06/2024"), date("31/12/2024")] };
        for cell in ["01 năm 2 lần (06 tháng/lần)", "02 lần/năm", "6 tháng một lần"] {
            let (schedule, diagnostics) = parse(cell);
            assert_eq!(schedule.items[0].when, expected, "«{cell}»");
            assert!(diagnostics.is_empty(), "«{cell}»");
        }
        let (schedule, _) = parse("4 lần/năm");
        assert_eq!(schedule.milestones().len(), 4);
        assert_eq!(schedule.milestones()[3].due, date("31/12/2024"));

        let (schedule, diagnostics) = parse("03 lần/năm");
        assert_eq!(schedule.items[0].when, When::TimesPerYear { count: 3, dues: Vec::new() });
        assert_eq!(diagnostics[0].severity, Severity::Info);
    }

    #[test]
    fn relative_deadlines() {
        let (schedule, _) = parse("5 ngày làm việc kể từ ngày nhận hồ sơ hợp lệ");
        assert_eq!(
            schedule.items[0].when,
            When::Relative { working_days: 5, trigger: "ngày nhận hồ sơ hợp lệ".to_string() }
        );
        let (schedule, _) = parse("5 ngày làm việc kể từ khi Quyết định được ban hành");
        assert_eq!(
            schedule.items[0].when,
            When::Relative { working_days: 5, trigger: "khi Quyết định được ban hành".to_string() }
        );
        let (schedule, _) = parse("Trong vòng 10 ngày kể từ ngày nhận đơn");
        assert_eq!(
            schedule.items[0].when,
            When::Event { trigger: "ngày nhận đơn".to_string(), offset: Some(Offset::Days(10)) }
        );
        assert_eq!(schedule.items[0].label, None);
    }

    fn event(trigger: &str, offset: Option<Offset>) -> When {
        When::Event { trigger: trigger.to_string(), offset }
    }

    #[test]
    fn event_triggered_deadlines() {
        let cases = [
            (
                "Sau khi HĐND, UBND tỉnh ban hành các văn bản QPPL",
                None,
                event("Sau khi HĐND, UBND tỉnh ban hành các văn bản QPPL", None),
            ),
            (
                "Khi có Quyết định công bố TTHC của bộ, ngành, Trung ương",
                None,
                event("Khi có Quyết định công bố TTHC của bộ, ngành, Trung ương", None),
            ),
            (
                "Báo cáo (sau khi BCĐ CCHC của Chính phủ tổ chức Hội nghị công bố)",
                Some("Báo cáo"),
                event("sau khi BCĐ CCHC của Chính phủ tổ chức Hội nghị công bố", None),
            ),
            (
                "Báo cáo kết quả sau khi Liên đoàn Thương mại và Công nghiệp Việt Nam (VCCI) tổ chức Hội nghị công bố",
                Some("Báo cáo kết quả"),
                event(
                    "sau khi Liên đoàn Thương mại và Công nghiệp Việt Nam (VCCI) tổ chức Hội nghị công bố",
                    None,
                ),
            ),
            (
                "Báo cáo sau khi Trung tâm Bồi dưỡng cán bộ và nghiên cứu học MTTQ VN; tổ chức UNDP tổ chức Hội nghị công bố",
                Some("Báo cáo"),
                event(
                    "sau khi Trung tâm Bồi dưỡng cán bộ và nghiên cứu học MTTQ VN; tổ chức UNDP tổ chức Hội nghị công bố",
                    None,
                ),
            ),
            (
                "Triển khai sau khi Bộ Khoa học công nghệ ban hành hướng dẫn 01 tháng",
                Some("Triển khai"),
                event(
                    "sau khi Bộ Khoa học công nghệ ban hành hướng dẫn",
                    Some(Offset::Months(1)),
                ),
            ),
            (
                "05 ngày làm việc sau khi có kết quả",
                None,
                event("sau khi có kết quả", Some(Offset::WorkingDays(5))),
            ),
        ];
        for (cell, label, when) in cases {
            let (schedule, diagnostics) = parse(cell);
            assert_eq!(schedule.items.len(), 1, "«{cell}»");
            assert_eq!(schedule.items[0].label.as_deref(), label, "«{cell}»");
            assert_eq!(schedule.items[0].when, when, "«{cell}»");
            assert!(diagnostics.is_empty(), "«{cell}»");
        }

        let (schedule, _) =
            parse("- Quyết định (sau khi Chính phủ ban hành Nghị quyết); - Báo cáo định kỳ theo quy định.");
        assert_eq!(schedule.kind(), ScheduleKind::Mixed);
        assert_eq!(schedule.items[0].label.as_deref(), Some("Quyết định"));
        assert_eq!(schedule.items[0].when, event("sau khi Chính phủ ban hành Nghị quyết", None));
        assert_eq!(schedule.items[1].label.as_deref(), Some("Báo cáo định kỳ"));
    }

    #[test]
    fn dates_with_a_condition() {
        let (schedule, _) = parse(
            "- Tháng 01/2024 (sau khi có chương trình thực hành tiết kiệm, chống lãng phí của Chính phủ ban hành); - Báo cáo kết quả theo quy định.",
        );
        assert_eq!(schedule.items.len(), 2);
        assert_eq!(schedule.items[0].label, None);
        assert_eq!(
            schedule.items[0].condition.as_deref(),
            Some("sau khi có chương trình thực hành tiết kiệm, chống lãng phí của Chính phủ ban hành")
        );
        assert_eq!(schedule.items[1].label.as_deref(), Some("Báo cáo kết quả"));

        for (cell, condition) in [
            ("Năm 2024 (sau khi Bộ Y tế ban hành hướng dẫn)", "sau khi Bộ Y tế ban hành hướng dẫn"),
            (
                "Năm 2024 (sau khi có Hướng dẫn của Bộ Khoa học và Công nghệ)",
                "sau khi có Hướng dẫn của Bộ Khoa học và Công nghệ",
            ),
        ] {
            let (schedule, _) = parse(cell);
            assert_eq!(schedule.items[0].condition.as_deref(), Some(condition));
            assert_eq!(schedule.items[0].when, When::Fixed { due: date("31/12/2024"), precision: Precision::Year });
        }
    }

    #[test]
    fn a_bare_deliverable_shares_the_next_date_of_its_bullet() {
        let (schedule, diagnostics) =
            parse("- Quyết định (tháng 02/2024); - Báo cáo; Văn bản chấn chỉnh (tháng 11/2024).");
        assert_eq!(schedule.items.len(), 3);
        assert_eq!(schedule.items[1].text, "Báo cáo");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].severity, Severity::Info);

        // Across bullets nothing is shared.
        let (schedule, diagnostics) = parse("- Kế hoạch triển khai; - Quyết định (tháng 02/2024)");
        assert_eq!(schedule.items[0].when, When::Unparsed);
        assert_eq!(diagnostics[0].severity, Severity::Warning);
    }

    #[test]
    fn the_page_break_halves_read_on_their_own() {
        let (schedule, _) = parse("- Quyết định (tháng 02/2024);");
        assert_eq!(milestones(&schedule), m("Quyết định", "29/02/2024"));
        let (schedule, _) = parse("- Kế hoạch tháng 01/2024");
        assert_eq!(milestones(&schedule), m("Kế hoạch", "31/01/2024"));
    }

    #[test]
    fn ongoing() {
        let (schedule, diagnostics) = parse("Thường xuyên");
        assert_eq!(schedule.items[0].when, When::Ongoing);
        assert_eq!(schedule.kind().as_str(), "ongoing");
        assert!(diagnostics.is_empty());
        let (schedule, _) = parse("THƯỜNG XUYÊN.");
        assert_eq!(schedule.items[0].when, When::Ongoing);
    }

    #[test]
    fn an_empty_cell_has_no_items_and_a_warning() {
        for cell in ["", "   ", "\n\t"] {
            let (schedule, diagnostics) = parse(cell);
            assert!(schedule.items.is_empty());
            assert_eq!(schedule.kind(), ScheduleKind::Unparsed);
            assert_eq!(diagnostics.len(), 1);
            assert_eq!(diagnostics[0].severity, Severity::Warning);
            assert_eq!(diagnostics[0].message, "Thiếu thời hạn");
        }
    }

    #[test]
    fn impossible_or_unknown_dates_stay_verbatim_with_a_warning() {
        for cell in [
            "tháng 13/2024",
            "Quý V/2024",
            "quý 0/2024",
            "ngày 31/02/2024",
            "tháng 6/24",
            "tháng 6 và tháng 12/2024",
            "ngày 15/3",
            "Kế hoạch (tháng 6/2024 và tháng 12/2024)",
            "tháng 99999999999999/2024",
            "Sớm nhất có thể ?",
            "- ; -",
            "Đầu năm 2024",
        ] {
            let (schedule, diagnostics) = parse(cell);
            assert!(schedule.items.iter().any(|i| i.when == When::Unparsed), "«{cell}»: {schedule:?}");
            assert!(
                diagnostics
                    .iter()
                    .any(|d| d.severity == Severity::Warning && d.message.starts_with("Không hiểu thời hạn")),
                "«{cell}»: {diagnostics:?}"
            );
        }
        let (schedule, diagnostics) = parse("tháng 13/2024");
        assert_eq!(schedule.items[0].text, "tháng 13/2024");
        assert_eq!(
            diagnostics[0].message,
            "Không hiểu thời hạn: «tháng 13/2024» (tháng không tồn tại: «tháng 13/2024»)"
        );
    }

    fn fragment() -> impl Strategy<Value = String> {
        let words = prop::sample::select(vec![
            "tháng",
            "Tháng",
            "quý",
            "Quý",
            "năm",
            "Năm",
            "ngày",
            "làm",
            "việc",
            "kể",
            "từ",
            "sau",
            "khi",
            "Khi",
            "số",
            "lần",
            "trước",
            "Báo",
            "cáo",
            "định",
            "kỳ",
            "theo",
            "quy",
            "định",
            "Thường",
            "xuyên",
            "Kế",
            "hoạch",
            "/",
            "-",
            " - ",
            ";",
            "(",
            ")",
            ".",
            ",",
            "I",
            "IV",
            "V",
            "iii",
            "x",
            "2024",
            "0",
            "13",
            "01",
            "6",
            "06",
            "4",
            "99999999999999999999",
            "QĐ-TTr",
            "899/QĐ-TTr",
            "15/3/2024",
            "31/02/2024",
            "\u{301}",
            "Đ",
            "–",
            "•",
            "Ω",
            "٣",
            "",
        ]);
        prop_oneof![
            words.prop_map(str::to_string),
            any::<u64>().prop_map(|n| n.to_string()),
            any::<i32>().prop_map(|n| n.to_string()),
            "\\PC{0,4}",
        ]
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(cell in any::<String>()) {
            let mut diagnostics = Vec::new();
            let _ = parse_schedule(&cell, 1, &ctx(), &mut diagnostics);
        }

        #[test]
        fn is_deterministic_and_keeps_every_part(
            parts in prop::collection::vec(fragment(), 0..16),
            spaced in any::<bool>(),
            year in prop_oneof![Just(2024), any::<i32>()],
        ) {
            let cell = parts.join(if spaced { " " } else { "" });
            let ctx = ScheduleContext { plan_year: year, periods: ctx().periods };
            let mut first = Vec::new();
            let mut second = Vec::new();
            let a = parse_schedule(&cell, 9, &ctx, &mut first);
            let b = parse_schedule(&cell, 9, &ctx, &mut second);
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(&first, &second);
            if a.text.is_empty() {
                prop_assert!(a.items.is_empty());
                prop_assert_eq!(first.len(), 1);
            } else {
                prop_assert!(!a.items.is_empty());
            }
            for item in &a.items {
                prop_assert!(!item.text.is_empty());
                prop_assert!(a.text.contains(&item.text));
                if item.when == When::Unparsed {
                    prop_assert!(first.iter().any(|d| d.severity == Severity::Warning));
                }
            }
            let _ = a.kind();
            let _ = a.milestones();
        }
    }
}
