//! Reads the plan text format: a text export of the Word document with the decision, the plan's
//! prose (parts I–VI) and the appendix table (tab-separated cells, header rows repeated on every
//! page, rows split across pages).
//!
//! The reader is a single pass over lines with a small state machine. It never fails: whatever it
//! cannot place is reported as a [`Diagnostic`] with its line number and otherwise kept.

use cchc_domain::text::{clean, fold, normalize_document};
use cchc_domain::{
    Activity, AgencyDirectory, AgencyRef, AreaCode, Date, Diagnostic, PeriodId, Plan, ReportingPeriod, Task,
};

use crate::agencies::AgencyMatcher;
use crate::schedule::{parse_schedule, ScheduleContext};
use crate::target::parse_target;

/// The result of reading a plan document: the plan and everything worth telling about it.
#[derive(Debug, Clone)]
pub struct ParsedPlan {
    pub plan: Plan,
    pub diagnostics: Vec<Diagnostic>,
}

impl ParsedPlan {
    /// Whether the document looked like a plan at all (a decision, areas or activities found).
    pub fn is_plausible_plan(&self) -> bool {
        self.plan.activity_count() > 0 || self.plan.areas.iter().any(|a| !a.targets.is_empty() || !a.tasks.is_empty())
    }
}

/// Reads a plan document. `directory` resolves the "Chủ trì" / "Phối hợp" cells.
pub fn parse_plan(source: &str, directory: &AgencyDirectory) -> ParsedPlan {
    parse_plan_with(source, &AgencyMatcher::new(directory))
}

/// The plan's metadata alone (decision, signer, province, year): enough to choose the map of
/// agencies the plan is read against.
pub fn read_plan_meta(source: &str) -> cchc_domain::PlanMeta {
    let (lines, appendix_start) = lines_of(source);
    let mut reader = Reader { plan: Plan::empty(), diagnostics: Vec::new() };
    reader.read_meta(&lines[..appendix_start]);
    reader.plan.meta
}

/// The normalised lines of a document, and where its appendix ("Phụ lục") starts.
fn lines_of(source: &str) -> (Vec<Line>, usize) {
    let text = normalize_document(source);
    let lines: Vec<Line> = text
        .split('\n')
        .enumerate()
        .map(|(i, raw)| Line { number: u32::try_from(i + 1).unwrap_or(u32::MAX), raw: strip_markup(raw) })
        .collect();
    let appendix_start = lines.iter().position(|l| fold(&l.raw).starts_with("phu luc")).unwrap_or(lines.len());
    (lines, appendix_start)
}

/// Reads a plan document with a matcher built once for its directory (an `App` keeps one).
pub fn parse_plan_with(source: &str, matcher: &AgencyMatcher<'_>) -> ParsedPlan {
    let (lines, appendix_start) = lines_of(source);
    let mut reader = Reader { plan: Plan::empty(), diagnostics: Vec::new() };
    reader.read_meta(&lines[..appendix_start]);
    reader.read_prose(&lines[..appendix_start]);
    let rows = reader.read_table_rows(&lines[appendix_start..]);
    reader.read_activities(rows, matcher);
    if lines.iter().all(|l| l.raw.trim().is_empty()) {
        reader.diagnostics.push(Diagnostic::error(0, "Tệp rỗng: không có nội dung kế hoạch."));
    } else if reader.plan.activity_count() == 0 {
        reader.diagnostics.push(Diagnostic::error(
            0,
            "Không tìm thấy bảng Phụ lục các hoạt động (dòng tiêu đề «STT … Chủ trì … Phối hợp …»).",
        ));
    }
    reader.diagnostics.sort_by_key(|d| d.line);
    ParsedPlan { plan: reader.plan, diagnostics: reader.diagnostics }
}

struct Line {
    number: u32,
    raw: String,
}

struct Reader {
    plan: Plan,
    diagnostics: Vec<Diagnostic>,
}

/// Where in part II the reader is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ProseBlock {
    None,
    Targets,
    Tasks,
}

/// A bullet being accumulated (page breaks join paragraphs into it).
struct Bullet {
    text: String,
    first: u32,
    last: u32,
}

impl Reader {
    fn read_meta(&mut self, lines: &[Line]) {
        let meta = &mut self.plan.meta;
        for (index, line) in lines.iter().enumerate() {
            let t = clean(&line.raw);
            let folded = fold(&t);
            if meta.decision_number.is_empty() {
                if let Some((number, date)) = decision_reference(&t) {
                    meta.decision_number = number;
                    meta.decision_date = date;
                }
            }
            if folded == "ke hoach" && meta.title.is_empty() {
                if let Some(next) = lines[index + 1..].iter().find(|l| !l.raw.trim().is_empty()) {
                    meta.title = clean(&next.raw);
                }
                // The signature block is the last two non-empty lines before "KẾ HOẠCH".
                let before: Vec<&Line> = lines[..index].iter().filter(|l| !l.raw.trim().is_empty()).collect();
                if let [.., title, name] = before.as_slice() {
                    let title_text = clean(&title.raw);
                    if is_upper(&title_text) && title_text.chars().count() < 40 {
                        meta.signer_title = Some(title_text);
                        meta.signer = Some(clean(&name.raw));
                    }
                }
            }
        }
        if let Some(pos) = fold(&meta.title).find("tinh ") {
            let folded_title = fold(&meta.title);
            let rest = &folded_title[pos + 5..];
            let word_count = rest.split(" nam ").next().map_or(0, |s| s.split(' ').count());
            let title_words: Vec<&str> = meta.title.split(' ').collect();
            let start = folded_title[..pos].split(' ').filter(|w| !w.is_empty()).count() + 1;
            if let Some(words) = title_words.get(start..start + word_count) {
                meta.province = words.join(" ");
            }
        }
        meta.year = year_in_title(&meta.title).or_else(|| meta.decision_date.map(|d| d.year() + 1));
        if meta.decision_number.is_empty() {
            self.diagnostics.push(Diagnostic::warning(0, "Không tìm thấy số, ngày Quyết định ban hành kế hoạch."));
        }
        if meta.year.is_none() {
            self.diagnostics.push(Diagnostic::warning(0, "Không xác định được năm kế hoạch."));
        }
    }

    fn read_prose(&mut self, lines: &[Line]) {
        let mut part: Option<u32> = None;
        let mut area: Option<AreaCode> = None;
        let mut block = ProseBlock::None;
        let mut section_item: Option<u32> = None;
        let mut section_letter: Option<char> = None;
        let mut bullet: Option<Bullet> = None;
        let mut report_rule_day: Option<u32> = None;
        let mut period_bullets: Vec<Bullet> = Vec::new();

        for line in lines {
            let t = clean(&line.raw);
            if t.is_empty() {
                continue;
            }
            if let Some(numeral) = part_heading(&t) {
                self.flush_bullet(&mut bullet, area, block, &mut period_bullets, part, section_item, section_letter);
                part = Some(numeral);
                area = None;
                block = ProseBlock::None;
                section_item = None;
                section_letter = None;
                continue;
            }
            if let Some(n) = numbered_heading(&t) {
                self.flush_bullet(&mut bullet, area, block, &mut period_bullets, part, section_item, section_letter);
                section_item = Some(n);
                section_letter = None;
                block = ProseBlock::None;
                if part == Some(2) {
                    area = usize::try_from(n).ok().and_then(|n| AreaCode::parse(&n.to_string()));
                    match area.and_then(|code| self.plan.areas.iter_mut().find(|a| a.code == code)) {
                        Some(a) => a.prose_title = Some(heading_title(&t)),
                        None => self.diagnostics.push(Diagnostic::warning(
                            line.number,
                            format!("Mục nhiệm vụ trọng tâm số {n} không tương ứng lĩnh vực CCHC nào (1–7)."),
                        )),
                    }
                }
                continue;
            }
            if let Some(letter) = lettered_heading(&t) {
                self.flush_bullet(&mut bullet, area, block, &mut period_bullets, part, section_item, section_letter);
                section_letter = Some(letter);
                let folded = fold(&t);
                block = if folded.contains("chi tieu") || folded.contains("muc tieu") {
                    ProseBlock::Targets
                } else if folded.contains("nhiem vu") && folded.len() < 20 {
                    ProseBlock::Tasks
                } else {
                    ProseBlock::None
                };
                if part == Some(6) && section_item == Some(1) && letter == 'b' {
                    report_rule_day = report_due_day(&folded);
                }
                continue;
            }
            if let Some(body) = bullet_body(&t) {
                self.flush_bullet(&mut bullet, area, block, &mut period_bullets, part, section_item, section_letter);
                bullet = Some(Bullet { text: body.to_string(), first: line.number, last: line.number });
                if part == Some(6) {
                    if let Some(deadline) = own_plan_deadline(&t) {
                        self.plan.own_plan_deadline = Some(deadline);
                    }
                }
                continue;
            }
            // A paragraph that is neither a heading nor a bullet continues the open bullet
            // (a page break split it mid-sentence).
            if let Some(open) = bullet.as_mut() {
                open.text.push(' ');
                open.text.push_str(&t);
                open.last = line.number;
            } else if part == Some(2) && area.is_some() {
                self.diagnostics.push(Diagnostic::info(
                    line.number,
                    format!("Đoạn văn không thuộc gạch đầu dòng nào, bỏ qua: «{}»", short(&t)),
                ));
            }
        }
        self.flush_bullet(&mut bullet, area, block, &mut period_bullets, part, section_item, section_letter);
        self.read_reporting_periods(&period_bullets, report_rule_day);
    }

    #[allow(clippy::too_many_arguments)]
    fn flush_bullet(
        &mut self,
        bullet: &mut Option<Bullet>,
        area: Option<AreaCode>,
        block: ProseBlock,
        period_bullets: &mut Vec<Bullet>,
        part: Option<u32>,
        section_item: Option<u32>,
        section_letter: Option<char>,
    ) {
        let Some(b) = bullet.take() else { return };
        if part == Some(6) && section_item == Some(1) && section_letter == Some('b') {
            period_bullets.push(b);
            return;
        }
        if part != Some(2) {
            return;
        }
        let Some(code) = area else { return };
        let Some(target_area) = self.plan.areas.iter_mut().find(|a| a.code == code) else { return };
        // Area 1 has no "a) / b)" headings: its bullets are tasks.
        let block = if block == ProseBlock::None && code == AreaCode::I { ProseBlock::Tasks } else { block };
        match block {
            ProseBlock::Targets => {
                let target = parse_target(&b.text, (b.first, b.last), &mut self.diagnostics);
                target_area.targets.push(target);
            }
            ProseBlock::Tasks => target_area.tasks.push(Task { text: b.text, lines: (b.first, b.last) }),
            ProseBlock::None => self.diagnostics.push(Diagnostic::warning(
                b.first,
                format!("Gạch đầu dòng không thuộc mục Chỉ tiêu hay Nhiệm vụ: «{}»", short(&b.text)),
            )),
        }
    }

    fn read_reporting_periods(&mut self, bullets: &[Bullet], rule_day: Option<u32>) {
        for b in bullets {
            let folded = fold(&b.text);
            let name = b.text.split(':').next().unwrap_or(&b.text).trim().to_string();
            let Some(id) = period_of(&fold(&name), self.plan.meta.year) else {
                self.diagnostics
                    .push(Diagnostic::warning(b.first, format!("Không nhận ra kỳ báo cáo: «{}»", short(&b.text))));
                continue;
            };
            let dates = dates_in(&b.text);
            let (Some(from), Some(to)) = (dates.first().copied(), dates.get(1).copied()) else {
                self.diagnostics.push(Diagnostic::warning(
                    b.first,
                    format!("Không đọc được thời gian chốt số liệu: «{}»", short(&b.text)),
                ));
                continue;
            };
            // "đến trước ngày X" means up to and including the day before X.
            let data_to = if folded.contains("den truoc ngay") { to.prev() } else { to };
            let due = match rule_day {
                Some(day) => Date::from_ymd(id.year(), id.last_month(), day),
                None => None,
            };
            let due = due.unwrap_or_else(|| {
                self.diagnostics.push(Diagnostic::warning(
                    b.first,
                    "Không tìm thấy hạn gửi báo cáo (\"trước ngày … của tháng cuối kỳ\"); tạm lấy ngày sau ngày chốt số liệu.",
                ));
                data_to.next()
            });
            self.plan.reporting_periods.push(ReportingPeriod {
                id,
                name,
                data_from: from,
                data_to,
                due,
                line: b.first,
            });
        }
    }

    /// Collects the appendix rows: skips repeated headers, merges page-break continuations.
    fn read_table_rows(&mut self, lines: &[Line]) -> Vec<Row> {
        let mut rows: Vec<Row> = Vec::new();
        for line in lines {
            if !line.raw.contains('\t') {
                let t = clean(&line.raw);
                let folded = fold(&t);
                let is_preamble = folded.starts_with("phu luc")
                    || folded.starts_with("cai cach hanh chinh nha nuoc")
                    || folded.starts_with("kem theo");
                if !t.is_empty() && !is_preamble && !rows.is_empty() {
                    self.diagnostics.push(Diagnostic::warning(
                        line.number,
                        format!("Dòng ngoài bảng trong Phụ lục, bỏ qua: «{}»", short(&t)),
                    ));
                }
                continue;
            }
            let mut cells: Vec<String> = line.raw.split('\t').map(clean).collect();
            if fold(cells.first().map_or("", String::as_str)) == "stt" {
                continue; // A header row, repeated on every page.
            }
            if cells.len() > COLUMNS {
                let extra = cells.split_off(COLUMNS).into_iter().filter(|c| !c.is_empty()).collect::<Vec<_>>();
                if !extra.is_empty() {
                    self.diagnostics.push(Diagnostic::warning(
                        line.number,
                        format!("Dòng có nhiều hơn {COLUMNS} cột; phần thừa được ghép vào Ghi chú."),
                    ));
                    if let Some(note) = cells.last_mut() {
                        append(note, &extra.join(" "));
                    }
                }
            }
            cells.resize(COLUMNS, String::new());
            if cells[0].is_empty() {
                match rows.last_mut() {
                    Some(previous) => {
                        for (target, piece) in previous.cells.iter_mut().zip(&cells) {
                            append(target, piece);
                        }
                        previous.last_line = line.number;
                    }
                    None => self.diagnostics.push(Diagnostic::warning(
                        line.number,
                        "Dòng nối tiếp nhưng chưa có dòng nào trước đó; bỏ qua.",
                    )),
                }
                continue;
            }
            rows.push(Row { cells, first_line: line.number, last_line: line.number });
        }
        rows
    }

    fn read_activities(&mut self, rows: Vec<Row>, matcher: &AgencyMatcher<'_>) {
        let ctx = ScheduleContext {
            plan_year: self.plan.meta.year.unwrap_or(0),
            periods: self.plan.reporting_periods.clone(),
        };
        let mut current: Option<AreaCode> = None;
        let mut previous_number: Option<u32> = None;
        for row in rows {
            let stt = row.cells[0].trim_end_matches('.').to_string();
            let rest_empty = row.cells[2..].iter().all(String::is_empty);
            if let Some(code) = AreaCode::parse(&stt).filter(|_| !stt.bytes().all(|b| b.is_ascii_digit())) {
                if !rest_empty {
                    self.diagnostics.push(Diagnostic::warning(
                        row.first_line,
                        format!("Dòng tiêu đề mục {code} có nội dung ở các cột khác; bỏ qua phần đó."),
                    ));
                }
                current = Some(code);
                previous_number = None;
                if let Some(area) = self.plan.areas.iter_mut().find(|a| a.code == code) {
                    area.title = row.cells[1].clone();
                }
                continue;
            }
            if !stt.starts_with(|c: char| c.is_ascii_digit()) {
                self.diagnostics.push(Diagnostic::warning(
                    row.first_line,
                    format!("Không nhận ra số thứ tự «{stt}»; dòng được bỏ qua."),
                ));
                continue;
            }
            let Some(code) = current else {
                self.diagnostics.push(Diagnostic::warning(
                    row.first_line,
                    format!("Hoạt động số {stt} đứng trước mọi tiêu đề mục (I–VIII); bỏ qua."),
                ));
                continue;
            };
            if let Ok(number) = stt.parse::<u32>() {
                match previous_number {
                    Some(p) if number == p => self.diagnostics.push(Diagnostic::warning(
                        row.first_line,
                        format!("Mục {code}: số thứ tự {number} bị lặp lại."),
                    )),
                    Some(p) if number > p + 1 => self.diagnostics.push(Diagnostic::warning(
                        row.first_line,
                        format!(
                            "Mục {code}: số thứ tự nhảy từ {p} lên {number} (thiếu {}); giữ nguyên như văn bản.",
                            missing_range(p, number)
                        ),
                    )),
                    Some(p) if number < p => self.diagnostics.push(Diagnostic::warning(
                        row.first_line,
                        format!("Mục {code}: số thứ tự {number} nhỏ hơn số trước đó ({p})."),
                    )),
                    None if number != 1 => self.diagnostics.push(Diagnostic::warning(
                        row.first_line,
                        format!("Mục {code}: hoạt động đầu tiên mang số {number}, không phải 1."),
                    )),
                    _ => {}
                }
                previous_number = Some(number);
            }
            let [_, title, outputs, lead, partners, schedule, note] = row.cells.as_slice() else { continue };
            if title.is_empty() {
                self.diagnostics
                    .push(Diagnostic::warning(row.first_line, format!("Hoạt động {code}.{stt} không có tên.")));
            }
            let lead_refs = self.resolve(matcher, lead, row.first_line, "Chủ trì", code, &stt);
            let partner_refs = self.resolve(matcher, partners, row.first_line, "Phối hợp", code, &stt);
            let schedule = parse_schedule(schedule, row.first_line, &ctx, &mut self.diagnostics);
            let activity = Activity {
                number: stt,
                title: title.clone(),
                outputs: split_outputs(outputs),
                lead: lead_refs,
                partners: partner_refs,
                note: note.clone(),
                schedule,
                lines: (row.first_line, row.last_line),
            };
            if let Some(area) = self.plan.areas.iter_mut().find(|a| a.code == code) {
                area.activities.push(activity);
            }
        }
    }

    fn resolve(
        &mut self,
        matcher: &AgencyMatcher<'_>,
        cell: &str,
        line: u32,
        column: &str,
        code: AreaCode,
        stt: &str,
    ) -> Vec<AgencyRef> {
        if cell.is_empty() {
            if column == "Chủ trì" {
                self.diagnostics
                    .push(Diagnostic::warning(line, format!("Hoạt động {code}.{stt} không có cơ quan chủ trì.")));
            }
            return Vec::new();
        }
        let (refs, diagnostics) = matcher.resolve(cell, line);
        self.diagnostics.extend(diagnostics);
        refs
    }
}

const COLUMNS: usize = 7;

struct Row {
    cells: Vec<String>,
    first_line: u32,
    last_line: u32,
}

fn append(target: &mut String, piece: &str) {
    if piece.is_empty() {
        return;
    }
    if !target.is_empty() {
        target.push(' ');
    }
    target.push_str(piece);
}

fn missing_range(previous: u32, next: u32) -> String {
    if next == previous + 2 {
        (previous + 1).to_string()
    } else {
        format!("{}–{}", previous + 1, next - 1)
    }
}

fn short(text: &str) -> String {
    let mut out: String = text.chars().take(70).collect();
    if text.chars().count() > 70 {
        out.push('…');
    }
    out
}

/// Removes `<i>…</i>`-style tags and `*` emphasis; a run of two or more `*` between words
/// becomes a space ("Phụ lục**DANH MỤC").
fn strip_markup(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '<' {
            let rest = &line[i..];
            let tag_len = rest.find('>').filter(|&end| {
                let inner = rest[1..end].trim_start_matches('/');
                !inner.is_empty() && inner.len() <= 6 && inner.chars().all(|ch| ch.is_ascii_alphabetic())
            });
            if let Some(end) = tag_len {
                for _ in 0..rest[..=end].chars().count() - 1 {
                    chars.next();
                }
                continue;
            }
        }
        if c == '*' {
            let mut run = 1;
            while chars.peek().is_some_and(|(_, n)| *n == '*') {
                chars.next();
                run += 1;
            }
            let next_is_word = chars.peek().is_some_and(|(_, n)| n.is_alphanumeric());
            let prev_is_word = out.chars().last().is_some_and(char::is_alphanumeric);
            if run >= 2 && next_is_word && prev_is_word {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
    }
    out
}

fn is_upper(text: &str) -> bool {
    text.chars().any(char::is_alphabetic) && !text.chars().any(char::is_lowercase)
}

/// "II. NHIỆM VỤ TRỌNG TÂM" → 2. Only upper-case headings count.
fn part_heading(text: &str) -> Option<u32> {
    let (numeral, rest) = text.split_once(". ")?;
    if !is_upper(rest) || numeral.is_empty() || !numeral.chars().all(|c| matches!(c, 'I' | 'V' | 'X')) {
        return None;
    }
    AreaCode::parse(numeral).map(|c| u32::try_from(c.number()).unwrap_or(0))
}

/// "3. Cải cách thủ tục hành chính (TTHC)" → 3.
fn numbered_heading(text: &str) -> Option<u32> {
    let (number, rest) = text.split_once(". ")?;
    if number.is_empty() || number.len() > 2 || !number.bytes().all(|b| b.is_ascii_digit()) || rest.is_empty() {
        return None;
    }
    number.parse().ok()
}

fn heading_title(text: &str) -> String {
    text.split_once(". ").map_or(text, |(_, rest)| rest).trim().to_string()
}

/// "a) Chỉ tiêu" → 'a'.
fn lettered_heading(text: &str) -> Option<char> {
    let mut chars = text.chars();
    let letter = chars.next()?;
    if !matches!(letter, 'a'..='h' | 'đ') || chars.next()? != ')' || chars.next()? != ' ' {
        return None;
    }
    Some(letter)
}

/// "- text" or "+ text" → "text".
fn bullet_body(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("- ").or_else(|| text.strip_prefix("+ ")).or_else(|| text.strip_prefix("– "))?;
    Some(rest.trim())
}

/// "(Kèm theo Quyết định số 2783/QĐ-UBND ngày 21/12/2023" → number and date.
fn decision_reference(text: &str) -> Option<(String, Option<Date>)> {
    let folded = fold(text);
    if !folded.contains("kem theo quyet dinh so") && !folded.starts_with("so ") {
        return None;
    }
    let after = text.split_once("số ").map(|(_, rest)| rest).or_else(|| text.split_once("Số: ").map(|(_, r)| r))?;
    let number: String = after.chars().take_while(|c| !c.is_whitespace() && *c != ',').collect();
    if !number.starts_with(|c: char| c.is_ascii_digit()) || !number.contains('/') {
        return None;
    }
    let date = dates_in(after).first().copied();
    Some((number, date))
}

fn year_in_title(title: &str) -> Option<i32> {
    let folded = fold(title);
    let pos = folded.rfind("nam ")?;
    let digits: String = folded[pos + 4..].chars().take_while(char::is_ascii_digit).collect();
    (digits.len() == 4).then(|| digits.parse().ok()).flatten()
}

/// Every `d/m/yyyy` date in the text, in order.
fn dates_in(text: &str) -> Vec<Date> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '/'))
        .filter(|token| token.matches('/').count() == 2)
        .filter_map(|token| Date::parse(token).ok())
        .collect()
}

/// "… trước ngày 15 của tháng cuối kỳ báo cáo" → 14 (the last day that is still "before").
fn report_due_day(folded: &str) -> Option<u32> {
    let pos = folded.find("truoc ngay ")?;
    let rest = &folded[pos + "truoc ngay ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let day: u32 = digits.parse().ok()?;
    if !rest[digits.len()..].trim_start().starts_with("cua thang cuoi ky") || !(2..=31).contains(&day) {
        return None;
    }
    Some(day - 1)
}

fn own_plan_deadline(text: &str) -> Option<Date> {
    let folded = fold(text);
    if !folded.contains("ban hanh ke hoach") || !folded.contains("cham nhat") {
        return None;
    }
    dates_in(text).first().copied()
}

/// "Báo cáo Quý I/2024" → 2024Q1; "6 tháng đầu năm 2024" → 2024S1; "năm 2024" → 2024.
fn period_of(folded_name: &str, plan_year: Option<i32>) -> Option<PeriodId> {
    let year = folded_name
        .split(|c: char| !c.is_ascii_digit())
        .find(|t| t.len() == 4)
        .and_then(|t| t.parse().ok())
        .or(plan_year)?;
    if let Some(pos) = folded_name.find("quy ") {
        let numeral: String = folded_name[pos + 4..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        let quarter = match numeral.as_str() {
            "i" | "1" => 1,
            "ii" | "2" => 2,
            "iii" | "3" => 3,
            "iv" | "4" => 4,
            _ => return None,
        };
        return Some(PeriodId::Quarter { year, quarter });
    }
    if folded_name.contains("6 thang") || folded_name.contains("sau thang") {
        let half = if folded_name.contains("cuoi nam") { 2 } else { 1 };
        return Some(PeriodId::HalfYear { year, half });
    }
    folded_name.contains("nam").then_some(PeriodId::Year { year })
}

/// Splits the "Kết quả/ Sản phẩm" cell into one item per deliverable: at "- " bullets when the
/// cell uses them (a ';' inside a bullet belongs to that deliverable), otherwise at ';'; then a
/// piece that lists document kinds with commas ("Hồ sơ, đề án") is split at each kind.
fn split_outputs(cell: &str) -> Vec<String> {
    let trimmed = cell.trim();
    if trimmed.is_empty() {
        return Vec::new();
    }
    let pieces: Vec<&str> = if trimmed.starts_with("- ") {
        split_bullets(trimmed)
    } else {
        trimmed.split(';').flat_map(split_bullets).collect()
    };
    let mut out: Vec<String> = Vec::new();
    for piece in pieces {
        let item = piece.trim().trim_end_matches(['.', ';', ',', ' ']).trim();
        if item.is_empty() {
            continue;
        }
        out.extend(split_document_kinds(item));
    }
    out
}

/// Splits at "- " bullets: at the start, or " - " followed by a capital letter (so that
/// "kinh tế - xã hội" stays whole).
fn split_bullets(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = if text.starts_with("- ") { 2 } else { 0 };
    let mut search = start;
    while let Some(pos) = text[search..].find(" - ") {
        let at = search + pos;
        let next = text[at + 3..].chars().next();
        if next.is_some_and(char::is_uppercase) {
            pieces.push(&text[start..at]);
            start = at + 3;
        }
        search = at + 3;
    }
    pieces.push(&text[start..]);
    pieces
}

/// "Quyết định của UBND tỉnh, công văn, báo cáo …" → three; a comma inside a description
/// ("kiến nghị, khó khăn") stays.
fn split_document_kinds(item: &str) -> Vec<String> {
    let parts: Vec<&str> = item.split(", ").collect();
    if parts.len() < 2 || !starts_with_document_kind(parts[0]) {
        return vec![item.to_string()];
    }
    let mut out: Vec<String> = Vec::new();
    for part in parts {
        match out.last_mut() {
            Some(last) if !starts_with_document_kind(part) => {
                last.push_str(", ");
                last.push_str(part);
            }
            _ => out.push(part.trim().to_string()),
        }
    }
    out
}

fn starts_with_document_kind(text: &str) -> bool {
    const KINDS: [&str; 14] = [
        "quyet dinh",
        "ke hoach",
        "bao cao",
        "cong van",
        "van ban",
        "to trinh",
        "chi thi",
        "de an",
        "ho so",
        "du thao",
        "phieu",
        "giay chung nhan",
        "nghi quyet",
        "thong bao",
    ];
    let folded = fold(text);
    KINDS.iter().any(|k| folded.starts_with(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_removed() {
        assert_eq!(strip_markup("Kế hoạch (<i>Quý I/2024</i>)"), "Kế hoạch (Quý I/2024)");
        assert_eq!(strip_markup("(*qua Sở Nội vụ*)"), "(qua Sở Nội vụ)");
        assert_eq!(strip_markup("Phụ lục**DANH MỤC"), "Phụ lục DANH MỤC");
        assert_eq!(strip_markup("a < b > c"), "a < b > c");
    }

    #[test]
    fn outputs_split_per_deliverable() {
        assert_eq!(
            split_outputs("- Kế hoạch triển khai; - Quyết định quy định về tiêu chí; - Công văn hướng dẫn."),
            vec!["Kế hoạch triển khai", "Quyết định quy định về tiêu chí", "Công văn hướng dẫn"]
        );
        assert_eq!(
            split_outputs("- Quyết định - Báo cáo kết quả theo quy định."),
            vec!["Quyết định", "Báo cáo kết quả theo quy định"]
        );
        assert_eq!(
            split_outputs("Quyết định của UBND tỉnh, công văn, báo cáo kết quả theo quy định"),
            vec!["Quyết định của UBND tỉnh", "công văn", "báo cáo kết quả theo quy định"]
        );
        assert_eq!(
            split_outputs("Báo cáo kinh tế - xã hội - Quyết định"),
            vec!["Báo cáo kinh tế - xã hội", "Quyết định"]
        );
        assert_eq!(
            split_outputs("- Kế hoạch; - Báo cáo kết quả lồng ghép trong Báo cáo kết quả Kiểm soát TTHC; báo cáo CCHC theo quy định."),
            vec!["Kế hoạch", "Báo cáo kết quả lồng ghép trong Báo cáo kết quả Kiểm soát TTHC; báo cáo CCHC theo quy định"]
        );
        assert_eq!(
            split_outputs(
                "- Kế hoạch, Văn bản chỉ đạo về việc giải quyết những kiến nghị, khó khăn của doanh nghiệp; - Báo cáo."
            ),
            vec![
                "Kế hoạch",
                "Văn bản chỉ đạo về việc giải quyết những kiến nghị, khó khăn của doanh nghiệp",
                "Báo cáo"
            ]
        );
        assert_eq!(
            split_outputs("Cập nhật kịp thời đầy đủ các văn bản QPPL của HĐND, UBND tỉnh trên cơ sở dữ liệu quốc gia về pháp luật"),
            vec!["Cập nhật kịp thời đầy đủ các văn bản QPPL của HĐND, UBND tỉnh trên cơ sở dữ liệu quốc gia về pháp luật"]
        );
    }

    #[test]
    fn headings_are_recognised() {
        assert_eq!(part_heading("II. NHIỆM VỤ TRỌNG TÂM"), Some(2));
        assert_eq!(part_heading("II. Nhiệm vụ"), None);
        assert_eq!(numbered_heading("3. Cải cách thủ tục hành chính (TTHC)"), Some(3));
        assert_eq!(numbered_heading("942/QĐ-TTg ngày 15/6/2021"), None);
        assert_eq!(lettered_heading("a) Chỉ tiêu"), Some('a'));
        assert_eq!(lettered_heading("phá của tỉnh."), None);
    }

    #[test]
    fn reporting_rule_and_periods() {
        assert_eq!(report_due_day("truoc ngay 15 cua thang cuoi ky bao cao"), Some(14));
        assert_eq!(period_of("bao cao quy iii 2024", None), Some(PeriodId::Quarter { year: 2024, quarter: 3 }));
        assert_eq!(period_of("bao cao 6 thang dau nam 2024", None), Some(PeriodId::HalfYear { year: 2024, half: 1 }));
        assert_eq!(period_of("bao cao nam 2024", None), Some(PeriodId::Year { year: 2024 }));
    }
}
