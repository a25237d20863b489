//! What changed between two versions of a plan: activities added, removed and changed (which
//! fields, old → new), and which milestone of the new version continues which milestone of the
//! old one, so that recorded progress can follow an amended plan.
//!
//! Activities are matched in passes, strongest evidence first: same area, number and title;
//! same title in the same area (the rows were renumbered); same number with a similar title;
//! a very similar title; and last, the same number alone (a *weak* match: its milestones are
//! carried over only once someone confirms them). Milestones are matched per agency inside a
//! matched activity: same label (and reporting period), else the same schedule item and kind
//! when the label changed with its date. A match that is not unique is *ambiguous*.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::agency::AgencyId;
use crate::period::PeriodId;
use crate::plan::{Activity, AgencyRef, AreaCode, Plan};
use crate::text::{clean, fold};
use crate::tracking::MilestoneKind;

/// Where an activity sits in a plan: its area and its position in that area's appendix rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActivityAddress {
    pub area: AreaCode,
    pub position: usize,
}

/// An activity of one side of a diff, as people cite it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivitySide {
    pub address: ActivityAddress,
    /// The STT as printed.
    pub number: String,
    pub title: String,
}

impl ActivitySide {
    fn of(address: ActivityAddress, activity: &Activity) -> ActivitySide {
        ActivitySide { address, number: activity.number.clone(), title: activity.title.clone() }
    }

    /// "II.3".
    pub fn code(&self) -> String {
        format!("{}.{}", self.address.area, self.number)
    }
}

/// A field of an activity that a diff compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// The STT as printed (the row was renumbered).
    Number,
    Title,
    Lead,
    Partners,
    Outputs,
    Schedule,
    Note,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Number => "number",
            Field::Title => "title",
            Field::Lead => "lead",
            Field::Partners => "partners",
            Field::Outputs => "outputs",
            Field::Schedule => "schedule",
            Field::Note => "note",
        }
    }

    pub fn label_vn(self) -> &'static str {
        match self {
            Field::Number => "số thứ tự",
            Field::Title => "tên",
            Field::Lead => "cơ quan chủ trì",
            Field::Partners => "cơ quan phối hợp",
            Field::Outputs => "sản phẩm",
            Field::Schedule => "thời gian",
            Field::Note => "ghi chú",
        }
    }
}

/// One changed field, with its text in each version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: Field,
    pub old: String,
    pub new: String,
}

/// How an old activity was recognised in the new version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchBasis {
    /// Same area, number and title.
    NumberAndTitle,
    /// Same title in the same area, under another number.
    Title,
    /// Same number, similar title.
    NumberAndSimilarTitle,
    /// A very similar title in the same area, under another number.
    SimilarTitle,
    /// Same number only: the title changed beyond recognition. Weak: its milestones wait for
    /// confirmation before anything is carried over.
    NumberOnly,
}

impl MatchBasis {
    pub fn is_weak(self) -> bool {
        self == MatchBasis::NumberOnly
    }
}

/// An activity present in both versions, with what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityMatch {
    pub old: ActivitySide,
    pub new: ActivitySide,
    pub basis: MatchBasis,
    /// Empty when nothing the diff compares changed.
    pub changes: Vec<FieldChange>,
}

/// The difference between two plans.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanDiff {
    /// Activities of both versions, in the new version's order.
    pub matched: Vec<ActivityMatch>,
    /// Activities only in the new version ("Thêm mới").
    pub added: Vec<ActivitySide>,
    /// Activities only in the old version ("Bỏ").
    pub removed: Vec<ActivitySide>,
}

impl PlanDiff {
    /// Matched activities with at least one changed field ("Thay đổi").
    pub fn changed(&self) -> impl Iterator<Item = &ActivityMatch> {
        self.matched.iter().filter(|m| !m.changes.is_empty())
    }

    pub fn unchanged_count(&self) -> usize {
        self.matched.iter().filter(|m| m.changes.is_empty()).count()
    }

    /// Whether the two plans have the same activities with the same fields.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed().next().is_none()
    }

    /// The match of the old activity at `address`, if it was matched.
    pub fn match_of_old(&self, address: ActivityAddress) -> Option<&ActivityMatch> {
        self.matched.iter().find(|m| m.old.address == address)
    }
}

/// Every activity of a plan with its address, in document order.
fn addressed(plan: &Plan) -> Vec<(ActivityAddress, &Activity)> {
    plan.areas
        .iter()
        .flat_map(|area| {
            area.activities
                .iter()
                .enumerate()
                .map(move |(position, a)| (ActivityAddress { area: area.code, position }, a))
        })
        .collect()
}

/// Share of distinct words two titles have in common (Jaccard index over folded words).
pub fn title_similarity(a: &str, b: &str) -> f64 {
    let words = |t: &str| fold(t).split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect::<BTreeSet<_>>();
    let (a, b) = (words(a), words(b));
    let union = a.union(&b).count();
    if union == 0 {
        return 1.0;
    }
    a.intersection(&b).count() as f64 / union as f64
}

/// Above this similarity, titles with the same number are the same activity.
const SIMILAR: f64 = 0.5;
/// Above this similarity, titles under different numbers are the same activity.
const VERY_SIMILAR: f64 = 0.8;

/// The difference between `old` and `new`.
pub fn diff(old: &Plan, new: &Plan) -> PlanDiff {
    let olds = addressed(old);
    let news = addressed(new);
    let mut pairs: HashMap<usize, (usize, MatchBasis)> = HashMap::new(); // new index → (old index, basis)
    let mut old_taken: HashSet<usize> = HashSet::new();
    let same_title = |a: &Activity, b: &Activity| fold(&a.title) == fold(&b.title);
    let same_number = |a: &Activity, b: &Activity| clean(&a.number) == clean(&b.number);
    type Rule<'r> = Box<dyn Fn(&Activity, &Activity) -> bool + 'r>;
    let passes: [(MatchBasis, Rule<'_>); 5] = [
        (MatchBasis::NumberAndTitle, Box::new(move |a, b| same_number(a, b) && same_title(a, b))),
        (MatchBasis::Title, Box::new(same_title)),
        (
            MatchBasis::NumberAndSimilarTitle,
            Box::new(move |a, b| same_number(a, b) && title_similarity(&a.title, &b.title) >= SIMILAR),
        ),
        (MatchBasis::SimilarTitle, Box::new(|a, b| title_similarity(&a.title, &b.title) >= VERY_SIMILAR)),
        (MatchBasis::NumberOnly, Box::new(same_number)),
    ];
    for (basis, rule) in &passes {
        for (ni, (naddr, nact)) in news.iter().enumerate() {
            if pairs.contains_key(&ni) {
                continue;
            }
            let found = olds
                .iter()
                .enumerate()
                .find(|(oi, (oaddr, oact))| !old_taken.contains(oi) && oaddr.area == naddr.area && rule(oact, nact));
            if let Some((oi, _)) = found {
                old_taken.insert(oi);
                pairs.insert(ni, (oi, *basis));
            }
        }
    }
    let mut result = PlanDiff::default();
    for (ni, (naddr, nact)) in news.iter().enumerate() {
        match pairs.get(&ni) {
            Some(&(oi, basis)) => {
                let (oaddr, oact) = olds[oi];
                result.matched.push(ActivityMatch {
                    old: ActivitySide::of(oaddr, oact),
                    new: ActivitySide::of(*naddr, nact),
                    basis,
                    changes: changes(oact, nact),
                });
            }
            None => result.added.push(ActivitySide::of(*naddr, nact)),
        }
    }
    for (oi, (oaddr, oact)) in olds.iter().enumerate() {
        if !old_taken.contains(&oi) {
            result.removed.push(ActivitySide::of(*oaddr, oact));
        }
    }
    result
}

fn refs_text(refs: &[AgencyRef]) -> String {
    refs.iter().map(|r| clean(&r.text)).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("; ")
}

/// The fields that differ between two versions of an activity (whitespace does not count).
fn changes(old: &Activity, new: &Activity) -> Vec<FieldChange> {
    let fields = [
        (Field::Number, clean(&old.number), clean(&new.number)),
        (Field::Title, clean(&old.title), clean(&new.title)),
        (Field::Lead, refs_text(&old.lead), refs_text(&new.lead)),
        (Field::Partners, refs_text(&old.partners), refs_text(&new.partners)),
        (
            Field::Outputs,
            old.outputs.iter().map(|o| clean(o)).collect::<Vec<_>>().join("; "),
            new.outputs.iter().map(|o| clean(o)).collect::<Vec<_>>().join("; "),
        ),
        (Field::Schedule, clean(&old.schedule.text), clean(&new.schedule.text)),
        (Field::Note, clean(&old.note), clean(&new.note)),
    ];
    fields.into_iter().filter(|(_, a, b)| a != b).map(|(field, old, new)| FieldChange { field, old, new }).collect()
}

/// What identifies a milestone for matching, with the caller's handle `id` (a stored id, or an
/// address of a milestone not stored yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneKey<I> {
    pub id: I,
    pub activity: ActivityAddress,
    pub agency: AgencyId,
    /// Position of the schedule item it comes from.
    pub item: usize,
    pub label: String,
    pub kind: MilestoneKind,
    pub period: Option<PeriodId>,
}

/// Which new milestone continues which old one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneMatching<A, B> {
    /// Unique matches: (old, new).
    pub matched: Vec<(A, B)>,
    /// Old milestones with several candidates, or whose activity matched only weakly: someone
    /// must say which new milestone continues them.
    pub ambiguous: Vec<(A, Vec<B>)>,
    /// Old milestones with no counterpart (activity removed, agency no longer responsible, or
    /// milestone dropped): they stay under the old version.
    pub unmatched: Vec<A>,
}

impl<A, B> Default for MilestoneMatching<A, B> {
    fn default() -> Self {
        MilestoneMatching { matched: Vec::new(), ambiguous: Vec::new(), unmatched: Vec::new() }
    }
}

/// Matches the milestones of the old version to those of the new one, per matched activity and
/// agency: first by label and period, then by schedule item and kind (a label that changed
/// with its date). A candidate counts only when it is the one candidate on both sides.
pub fn match_milestones<A: Clone, B: Clone>(
    diff: &PlanDiff,
    old: &[MilestoneKey<A>],
    new: &[MilestoneKey<B>],
) -> MilestoneMatching<A, B> {
    let mut out = MilestoneMatching::default();
    let mut new_by_group: HashMap<(ActivityAddress, &AgencyId), Vec<usize>> = HashMap::new();
    for (i, m) in new.iter().enumerate() {
        new_by_group.entry((m.activity, &m.agency)).or_default().push(i);
    }
    let mut old_by_group: Vec<((ActivityAddress, &AgencyId), Vec<usize>)> = Vec::new();
    for (i, m) in old.iter().enumerate() {
        let key = (m.activity, &m.agency);
        match old_by_group.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(i),
            None => old_by_group.push((key, vec![i])),
        }
    }
    for ((address, agency), olds) in old_by_group {
        let Some(activity) = diff.match_of_old(address) else {
            out.unmatched.extend(olds.iter().map(|&i| old[i].id.clone()));
            continue;
        };
        let news = new_by_group.get(&(activity.new.address, agency)).cloned().unwrap_or_default();
        if news.is_empty() {
            out.unmatched.extend(olds.iter().map(|&i| old[i].id.clone()));
            continue;
        }
        if activity.basis.is_weak() {
            for &o in &olds {
                let candidates = news.iter().filter(|&&n| new[n].kind == old[o].kind).map(|&n| new[n].id.clone());
                let mut candidates: Vec<B> = candidates.collect();
                if candidates.is_empty() {
                    candidates = news.iter().map(|&n| new[n].id.clone()).collect();
                }
                out.ambiguous.push((old[o].id.clone(), candidates));
            }
            continue;
        }
        match_group(old, new, &olds, &news, &mut out);
    }
    out
}

/// A test of whether a new milestone may continue an old one.
type MilestoneRule<A, B> = dyn Fn(&MilestoneKey<A>, &MilestoneKey<B>) -> bool;

fn match_group<A: Clone, B: Clone>(
    old: &[MilestoneKey<A>],
    new: &[MilestoneKey<B>],
    olds: &[usize],
    news: &[usize],
    out: &mut MilestoneMatching<A, B>,
) {
    let mut old_left: Vec<usize> = olds.to_vec();
    let mut new_left: Vec<usize> = news.to_vec();
    let by_label = |o: &MilestoneKey<A>, n: &MilestoneKey<B>| fold(&o.label) == fold(&n.label) && o.period == n.period;
    let by_item =
        |o: &MilestoneKey<A>, n: &MilestoneKey<B>| o.item == n.item && o.kind == n.kind && o.period == n.period;
    let by_kind = |o: &MilestoneKey<A>, n: &MilestoneKey<B>| o.kind == n.kind && o.period == n.period;
    let rules: [&MilestoneRule<A, B>; 3] = [&by_label, &by_item, &by_kind];
    let mut ambiguous: HashMap<usize, Vec<usize>> = HashMap::new();
    for rule in rules {
        let mut matched_now = Vec::new();
        for &o in &old_left {
            let candidates: Vec<usize> = new_left.iter().copied().filter(|&n| rule(&old[o], &new[n])).collect();
            if let [n] = candidates.as_slice() {
                let rivals = old_left.iter().filter(|&&other| rule(&old[other], &new[*n])).count();
                if rivals == 1 {
                    matched_now.push((o, *n));
                    continue;
                }
            }
            if candidates.len() > 1 {
                ambiguous.entry(o).or_insert(candidates);
            }
        }
        for (o, n) in matched_now {
            out.matched.push((old[o].id.clone(), new[n].id.clone()));
            old_left.retain(|&x| x != o);
            new_left.retain(|&x| x != n);
            ambiguous.remove(&o);
        }
    }
    for o in old_left {
        match ambiguous.remove(&o) {
            Some(candidates) => {
                let candidates: Vec<B> =
                    candidates.into_iter().filter(|n| new_left.contains(n)).map(|n| new[n].id.clone()).collect();
                if candidates.is_empty() {
                    out.unmatched.push(old[o].id.clone());
                } else {
                    out.ambiguous.push((old[o].id.clone(), candidates));
                }
            }
            None => {
                // Several old milestones competed for one new milestone: it is ambiguous too.
                let contested: Vec<B> = new_left
                    .iter()
                    .filter(|&&n| old[o].kind == new[n].kind && old[o].period == new[n].period)
                    .map(|&n| new[n].id.clone())
                    .collect();
                if contested.is_empty() {
                    out.unmatched.push(old[o].id.clone());
                } else {
                    out.ambiguous.push((old[o].id.clone(), contested));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;
    use crate::schedule::Schedule;

    fn activity(number: &str, title: &str, schedule: &str) -> Activity {
        Activity {
            number: number.into(),
            title: title.into(),
            outputs: vec!["Kế hoạch".into()],
            lead: vec![AgencyRef { text: "Sở Nội vụ".into(), ..AgencyRef::default() }],
            partners: Vec::new(),
            note: String::new(),
            schedule: Schedule { text: schedule.into(), items: Vec::new() },
            lines: (1, 1),
        }
    }

    fn plan(activities: Vec<Activity>) -> Plan {
        let mut plan = Plan::empty();
        plan.areas[1].activities = activities;
        plan
    }

    #[test]
    fn removed_redated_and_added_activities_are_told_apart() {
        let old = plan(vec![
            activity("1", "Ban hành Quyết định công bố hệ thống hóa văn bản", "Quý I/2024"),
            activity("2", "Ban hành Kế hoạch kiểm tra văn bản", "Tháng 01/2024"),
            activity("3", "Cập nhật văn bản vào cơ sở dữ liệu", "Thường xuyên"),
        ]);
        let new = plan(vec![
            activity("1", "Ban hành Quyết định công bố hệ thống hóa văn bản", "Quý I/2024"),
            activity("2", "Ban hành Kế hoạch kiểm tra văn bản", "Tháng 02/2024"),
            activity("4", "Rà soát văn bản quy phạm pháp luật về đất đai", "Tháng 9/2024"),
        ]);
        let d = diff(&old, &new);
        assert_eq!(d.removed.iter().map(ActivitySide::code).collect::<Vec<_>>(), ["II.3"]);
        assert_eq!(d.added.iter().map(ActivitySide::code).collect::<Vec<_>>(), ["II.4"]);
        let changed: Vec<_> = d.changed().collect();
        assert_eq!(changed.len(), 1);
        assert_eq!(
            changed[0].changes,
            [FieldChange { field: Field::Schedule, old: "Tháng 01/2024".into(), new: "Tháng 02/2024".into() }]
        );
        assert_eq!(d.unchanged_count(), 1);
    }

    #[test]
    fn renumbered_rows_are_matched_by_title() {
        let old = plan(vec![
            activity("1", "Một hoạt động bị bỏ đi", "Quý I/2024"),
            activity("2", "Ban hành Kế hoạch kiểm tra văn bản", "Tháng 01/2024"),
        ]);
        let new = plan(vec![activity("1", "Ban hành Kế hoạch kiểm tra văn bản", "Tháng 01/2024")]);
        let d = diff(&old, &new);
        assert_eq!(d.matched.len(), 1);
        assert_eq!(d.matched[0].basis, MatchBasis::Title);
        assert_eq!(d.matched[0].changes[0].field, Field::Number);
        assert_eq!(d.removed[0].title, "Một hoạt động bị bỏ đi");
    }

    #[test]
    fn a_new_title_under_the_same_number_is_a_weak_match() {
        let old = plan(vec![activity("1", "Ban hành Kế hoạch kiểm tra văn bản", "Tháng 01/2024")]);
        let new = plan(vec![activity("1", "Tổ chức hội nghị tập huấn nghiệp vụ", "Tháng 01/2024")]);
        let d = diff(&old, &new);
        assert_eq!(d.matched[0].basis, MatchBasis::NumberOnly);
        assert_eq!(d.matched[0].changes[0].field, Field::Title);
    }

    fn key(id: u32, item: usize, label: &str) -> MilestoneKey<u32> {
        MilestoneKey {
            id,
            activity: ActivityAddress { area: AreaCode::II, position: 0 },
            agency: AgencyId::parse("so-noi-vu").unwrap(),
            item,
            label: label.into(),
            kind: MilestoneKind::Fixed,
            period: None,
        }
    }

    #[test]
    fn milestones_match_by_label_then_by_item_and_duplicates_are_ambiguous() {
        let one = plan(vec![activity("1", "Ban hành Kế hoạch kiểm tra văn bản", "x")]);
        let d = diff(&one, &one);
        // Same labels.
        let m = match_milestones(
            &d,
            &[key(1, 0, "Kế hoạch"), key(2, 1, "Báo cáo")],
            &[key(10, 0, "Kế hoạch"), key(11, 1, "Báo cáo")],
        );
        assert_eq!(m.matched, [(1, 10), (2, 11)]);
        // A label that changed with its date: same item and kind.
        let m = match_milestones(&d, &[key(1, 0, "Kế hoạch (tháng 1)")], &[key(10, 0, "Kế hoạch (tháng 2)")]);
        assert_eq!(m.matched, [(1, 10)]);
        // Two new milestones could continue the old one.
        let m = match_milestones(&d, &[key(1, 0, "Kế hoạch")], &[key(10, 1, "Kế hoạch A"), key(11, 2, "Kế hoạch B")]);
        assert_eq!(m.ambiguous, [(1, vec![10, 11])]);
        assert!(m.matched.is_empty());
    }
}
