//! The counts of [`Counts`] by name, and the formula that turns them into an indicator's
//! numerator and denominator (the indicator catalogue names `dossiers` as the source of an
//! indicator with such a formula; the agency's self-reported value is then compared with it).

use super::Counts;

macro_rules! count_fields {
    ($($variant:ident => $field:ident, $label:literal;)*) => {
        /// One count of [`Counts`], named as in the CLI's and the API's JSON.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum CountField {
            $($variant,)*
        }

        impl CountField {
            /// Every count, in the order of [`Counts`].
            pub const ALL: &'static [CountField] = &[$(CountField::$variant,)*];

            /// The JSON name (`resolved_on_time`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(CountField::$variant => stringify!($field),)*
                }
            }

            /// What it counts, in Vietnamese.
            pub fn label_vn(self) -> &'static str {
                match self {
                    $(CountField::$variant => $label,)*
                }
            }

            /// Its value in `counts`.
            pub fn of(self, counts: &Counts) -> u64 {
                match self {
                    $(CountField::$variant => counts.$field,)*
                }
            }
        }
    };
}

count_fields! {
    Received => received, "tiếp nhận trong kỳ";
    CarriedOver => carried_over, "kỳ trước chuyển qua";
    ResolvedEarly => resolved_early, "giải quyết trước hạn";
    ResolvedOnTime => resolved_on_time, "giải quyết đúng hạn";
    ResolvedLate => resolved_late, "giải quyết trễ hạn";
    InProgressWithin => in_progress_within, "đang giải quyết trong hạn";
    InProgressOverdue => in_progress_overdue, "đang giải quyết quá hạn";
    Withdrawn => withdrawn, "rút hồ sơ";
    NoAppointment => no_appointment, "không có ngày hẹn trả";
    Online => online, "tiếp nhận trực tuyến";
    OnlineFull => online_full, "dịch vụ công trực tuyến toàn trình";
    FeeRequired => fee_required, "có phí, lệ phí";
    PaidOnline => paid_online, "thanh toán trực tuyến";
    Digitized => digitized, "có thành phần số hóa";
    ElectronicResult => electronic_result, "có kết quả điện tử";
    DigitizedWithResult => digitized_with_result, "số hóa và có kết quả điện tử";
    Reused => reused, "tái sử dụng dữ liệu";
    Rated => rated, "được đánh giá";
    Satisfied => satisfied, "đánh giá hài lòng (4–5)";
    ResolvedLateOrDissatisfied => resolved_late_or_dissatisfied, "trễ hạn hoặc không hài lòng";
    LateWithoutApology => late_without_apology, "trễ hạn chưa có phiếu xin lỗi";
    WrongAppointment => wrong_appointment, "ngày hẹn trả sai";
    AppointmentChecked => appointment_checked, "ngày hẹn trả được kiểm tra";
}

impl CountField {
    /// The count named `name` (its JSON name).
    pub fn parse(name: &str) -> Option<CountField> {
        let name = name.trim();
        CountField::ALL.iter().copied().find(|f| f.as_str() == name)
    }
}

/// How an indicator's numerator and denominator follow from the dossier counts: each is the sum
/// of the named counts (every list non-empty; a count at most once per list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierFormula {
    numerator: Vec<CountField>,
    denominator: Vec<CountField>,
}

impl DossierFormula {
    /// `None` when a list is empty or names a count twice.
    pub fn new(numerator: Vec<CountField>, denominator: Vec<CountField>) -> Option<DossierFormula> {
        let distinct = |list: &[CountField]| list.iter().enumerate().all(|(i, f)| !list[..i].contains(f));
        (!numerator.is_empty() && !denominator.is_empty() && distinct(&numerator) && distinct(&denominator))
            .then_some(DossierFormula { numerator, denominator })
    }

    pub fn numerator(&self) -> &[CountField] {
        &self.numerator
    }

    pub fn denominator(&self) -> &[CountField] {
        &self.denominator
    }

    /// (numerator, denominator) of `counts`.
    pub fn evaluate(&self, counts: &Counts) -> (u64, u64) {
        let sum = |list: &[CountField]| list.iter().map(|f| f.of(counts)).sum();
        (sum(&self.numerator), sum(&self.denominator))
    }

    /// The formula in words: «giải quyết trước hạn + giải quyết đúng hạn ÷ (…)».
    pub fn text_vn(&self) -> String {
        let side = |list: &[CountField]| {
            let words: Vec<&str> = list.iter().map(|f| f.label_vn()).collect();
            if words.len() > 1 {
                format!("({})", words.join(" + "))
            } else {
                words.join("")
            }
        };
        format!("{} ÷ {}", side(&self.numerator), side(&self.denominator))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn every_field_round_trips_by_name_and_reads_its_own_count() {
        assert_eq!(CountField::ALL.len(), 23);
        for field in CountField::ALL {
            assert_eq!(CountField::parse(field.as_str()), Some(*field));
            let mut counts = Counts::default();
            set(&mut counts, *field, 7);
            // The field reads its own count, and no other field reads it.
            assert_eq!(field.of(&counts), 7, "{field:?}");
            assert_eq!(CountField::ALL.iter().map(|f| f.of(&counts)).sum::<u64>(), 7, "{field:?}");
        }
        assert_eq!(CountField::parse("resolved"), None);
    }

    fn set(counts: &mut Counts, field: CountField, value: u64) {
        let mut one = Counts::default();
        match field {
            CountField::Received => one.received = value,
            CountField::CarriedOver => one.carried_over = value,
            CountField::ResolvedEarly => one.resolved_early = value,
            CountField::ResolvedOnTime => one.resolved_on_time = value,
            CountField::ResolvedLate => one.resolved_late = value,
            CountField::InProgressWithin => one.in_progress_within = value,
            CountField::InProgressOverdue => one.in_progress_overdue = value,
            CountField::Withdrawn => one.withdrawn = value,
            CountField::NoAppointment => one.no_appointment = value,
            CountField::Online => one.online = value,
            CountField::OnlineFull => one.online_full = value,
            CountField::FeeRequired => one.fee_required = value,
            CountField::PaidOnline => one.paid_online = value,
            CountField::Digitized => one.digitized = value,
            CountField::ElectronicResult => one.electronic_result = value,
            CountField::DigitizedWithResult => one.digitized_with_result = value,
            CountField::Reused => one.reused = value,
            CountField::Rated => one.rated = value,
            CountField::Satisfied => one.satisfied = value,
            CountField::ResolvedLateOrDissatisfied => one.resolved_late_or_dissatisfied = value,
            CountField::LateWithoutApology => one.late_without_apology = value,
            CountField::WrongAppointment => one.wrong_appointment = value,
            CountField::AppointmentChecked => one.appointment_checked = value,
        }
        counts.add(&one);
    }

    #[test]
    fn the_on_time_formula_sums_its_counts() {
        let on_time = DossierFormula::new(
            vec![CountField::ResolvedEarly, CountField::ResolvedOnTime],
            vec![
                CountField::ResolvedEarly,
                CountField::ResolvedOnTime,
                CountField::ResolvedLate,
                CountField::InProgressOverdue,
            ],
        )
        .unwrap();
        let counts = Counts {
            resolved_early: 5,
            resolved_on_time: 3,
            resolved_late: 2,
            in_progress_overdue: 1,
            in_progress_within: 9,
            ..Counts::default()
        };
        assert_eq!(on_time.evaluate(&counts), (8, 11));
        assert_eq!(
            on_time.text_vn(),
            "(giải quyết trước hạn + giải quyết đúng hạn) ÷ (giải quyết trước hạn + giải quyết đúng hạn + \
             giải quyết trễ hạn + đang giải quyết quá hạn)"
        );
        assert!(DossierFormula::new(vec![], vec![CountField::Received]).is_none());
        assert!(DossierFormula::new(vec![CountField::Online, CountField::Online], vec![CountField::Received]).is_none());
    }
}
