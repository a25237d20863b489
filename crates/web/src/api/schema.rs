//! Schemas the derives cannot write alone: machine values taken from the domain's own lists, and
//! the rules on what a client may send (lengths, characters, patterns) taken from the constants
//! the services check. Each type here is a marker that a wire type names as the `value_type` of
//! a field, so that the field keeps its Rust type while the document and the server read their
//! rules from one place.
//!
//! Patterns are written so that ECMA-262 (what OpenAPI tools use) and Rust's `regex` (what the
//! tests use) read them alike: `\uXXXX` escapes, no look-around. Lengths are said with
//! `minLength` / `maxLength` (which count characters), never inside a pattern (which some tools
//! run over UTF-16 units).

use std::borrow::Cow;

use cchc_domain::account::UserRole;
use cchc_domain::reporting::{
    Attainment, Direction, Importance, Part, RangePosition, ReportEventKind, ReportStatus, RuleOperator,
};
use cchc_domain::target::Comparator;
use cchc_domain::tracking::{DerivedStatus, MilestoneKind, ProgressStatus};
use cchc_domain::{AdminLevel, AgencyKind, AreaCode, ScheduleKind};
use cchc_services::accounts::{MAX_CREDENTIAL_CHARS, MIN_PASSWORD_CHARS};
use utoipa::openapi::schema::{KnownFormat, Object, ObjectBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{RefOr, Schema};

/// The characters [`cchc_domain::text::checked_text`] refuses: every control character but the
/// tab and the line breaks (a carriage return becomes a line feed there).
pub const NO_CONTROL_CHARACTERS: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

/// As [`NO_CONTROL_CHARACTERS`], with at least one character that is neither a space nor a
/// byte-order mark: what is left after trimming is not empty.
pub const NOT_BLANK: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*\
     [^\\s\\uFEFF\\u0000-\\u001F\\u007F-\\u009F]\
     [^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

/// A password: no control character at all (tabs and line breaks included).
pub const PASSWORD_CHARACTERS: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";

/// One line of text (a display name): no control character at all, as for passwords.
pub const ONE_LINE: &str = PASSWORD_CHARACTERS;

/// A reporting period id exactly as written by `PeriodId`'s `Display`: `2024Q1`, `2024S1`, `2024`.
pub const PERIOD_ID: &str = "^[1-9][0-9]{3}(Q[1-4]|S[12])?$";

/// An indicator code as `IndicatorCode::parse` reads it: `VII.2.1`.
pub const INDICATOR_CODE: &str = "^(I|II|III|IV|V|VI|VII|VIII)(\\.[0-9]{1,3})+$";

/// An agency id as `AgencyId::parse` reads it (length apart).
pub const AGENCY_ID: &str = "^[a-z0-9-]+$";

/// A username as the account service accepts it (length apart).
pub const USERNAME: &str = "^[a-z0-9._-]+$";

/// The most characters of an agency id.
pub const MAX_AGENCY_ID_CHARS: usize = 64;

/// Declares a marker type whose schema is the component `$component` built by `$build`.
macro_rules! component {
    ($(#[$doc:meta])* $name:ident = $component:literal, $build:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                let object: Object = $build;
                RefOr::T(Schema::Object(object))
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($component)
            }
        }
    };
}

/// A string schema with a Vietnamese description.
fn string(description: &str) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String).description(Some(description))
}

/// A string that is one of `values`.
fn values<'a>(description: &str, values: impl IntoIterator<Item = &'a str>) -> Object {
    string(description).enum_values(Some(values)).build()
}

// ---------------------------------------------------------------------------------------------
// Machine values. Each list comes from the domain type that writes the value.

component!(
    /// `ProgressStatus::as_str`.
    ProgressStatusValue = "ProgressStatus",
    values("Trạng thái cán bộ báo cáo", ProgressStatus::ALL.iter().map(|s| s.as_str()))
);
component!(
    /// `DerivedStatus::as_str`.
    DerivedStatusValue = "DerivedStatus",
    values("Trạng thái tính được theo ngày as_of", DerivedStatus::ALL.iter().map(|s| s.as_str()))
);
component!(
    /// `MilestoneKind::as_str`.
    MilestoneKindValue = "MilestoneKind",
    values("Loại mốc thời hạn", MilestoneKind::ALL.iter().map(|k| k.as_str()))
);
component!(
    /// `ScheduleKind::as_str`.
    ScheduleKindValue = "ScheduleKind",
    values(
        "Loại ô Thời gian",
        [
            ScheduleKind::Fixed,
            ScheduleKind::Recurring,
            ScheduleKind::Ongoing,
            ScheduleKind::Relative,
            ScheduleKind::Event,
            ScheduleKind::Mixed,
            ScheduleKind::Unparsed,
        ]
        .iter()
        .map(|k| k.as_str())
    )
);

/// Every agency kind, in the directory's order.
pub const AGENCY_KINDS: [AgencyKind; 6] = [
    AgencyKind::Province,
    AgencyKind::Department,
    AgencyKind::Sectoral,
    AgencyKind::District,
    AgencyKind::Commune,
    AgencyKind::Other,
];

component!(
    /// `AgencyKind::as_str`.
    AgencyKindValue = "AgencyKind",
    values("Loại cơ quan", AGENCY_KINDS.iter().map(|k| k.as_str()))
);
component!(
    /// The kinds of agency that report (`cchc_services::reporting::REPORTING_KINDS`).
    ReportingKindValue = "ReportingKind",
    values("Loại cơ quan phải báo cáo", cchc_services::reporting::REPORTING_KINDS.iter().map(|k| k.as_str()))
);
component!(
    /// `AdminLevel::as_str`.
    AdminLevelValue = "AdminLevel",
    values("Cấp: tinh | huyen | xa", [AdminLevel::Tinh, AdminLevel::Huyen, AdminLevel::Xa].iter().map(|l| l.as_str()))
);
component!(
    /// `UserRole::as_str`.
    UserRoleValue = "UserRole",
    values(
        "Vai trò: admin (quản trị, Sở Nội vụ) | agency (cán bộ cơ quan) | viewer (lãnh đạo, chỉ xem) | appraiser (thẩm định Chỉ số CCHC)",
        UserRole::ALL.iter().map(|r| r.as_str())
    )
);
component!(
    /// `AreaCode::as_str`.
    AreaCodeValue = "AreaCode",
    area_codes()
);

/// The reform areas I–VIII, also the keys of a report's narratives.
pub fn area_codes() -> Object {
    values("Lĩnh vực cải cách I–VIII", AreaCode::ALL.iter().map(|a| a.as_str()))
}
component!(
    /// What `pages::reports::status_of` writes: `missing` and every `ReportStatus`.
    ReportStatusValue = "ReportStatus",
    values(
        "Trạng thái báo cáo (missing: chưa lập)",
        std::iter::once("missing").chain(ReportStatus::ALL.iter().map(|s| s.as_str()))
    )
);
component!(
    /// `ReportStatus::as_str`: a report that exists.
    StoredReportStatusValue = "StoredReportStatus",
    values("Trạng thái của báo cáo đã lập", ReportStatus::ALL.iter().map(|s| s.as_str()))
);
component!(
    /// What `pages::reports::standing_key` writes.
    StandingValue = "Standing",
    values(
        "Tình trạng gửi: not_submitted (chưa gửi) | awaiting (chờ tiếp nhận) | returned (bị trả lại) | accepted (đã tiếp nhận)",
        ["not_submitted", "awaiting", "returned", "accepted"]
    )
);
component!(
    /// `ReportEventKind::as_str`.
    ReportEventKindValue = "ReportEventKind",
    values("Bước xử lý báo cáo", ReportEventKind::ALL.iter().map(|k| k.as_str()))
);
component!(
    /// `Comparator::as_str`.
    ThresholdOpValue = "ThresholdOp",
    values(
        "Phép so sánh với mục tiêu (range: trong khoảng value–upper)",
        [Comparator::Ge, Comparator::Gt, Comparator::Eq, Comparator::Le, Comparator::Lt, Comparator::Range]
            .iter()
            .map(|c| c.as_str())
    )
);
component!(
    /// `RuleOperator::as_str`.
    RuleOperatorValue = "RuleOperator",
    values(
        "Phép so sánh của quy tắc",
        [RuleOperator::Le, RuleOperator::Lt, RuleOperator::Ge, RuleOperator::Gt, RuleOperator::Eq].iter().map(|o| o.as_str())
    )
);
component!(
    /// `Importance::as_str`.
    ImportanceValue = "Importance",
    values(
        "error: chặn việc gửi báo cáo; warning: chỉ cảnh báo",
        [Importance::Error, Importance::Warning].iter().map(|i| i.as_str())
    )
);
component!(
    /// `Direction::as_str`.
    DirectionValue = "Direction",
    values(
        "Chiều tốt của chỉ tiêu",
        [Direction::HigherIsBetter, Direction::LowerIsBetter].iter().map(|d| d.as_str())
    )
);
component!(
    /// `Part::as_str`.
    PartValue = "Part",
    values("Tử số hoặc mẫu số", [Part::Numerator, Part::Denominator].iter().map(|p| p.as_str()))
);
component!(
    /// `Attainment::as_str`.
    VerdictValue = "Verdict",
    values(
        "Đánh giá: met (đạt) | not_met (chưa đạt) | no_data (chưa có số liệu) | no_target (không có mục tiêu ở cấp này)",
        [Attainment::Met, Attainment::NotMet, Attainment::NoData, Attainment::NoTarget].iter().map(|a| a.as_str())
    )
);
component!(
    /// `RangePosition::as_str`.
    RangePositionValue = "RangePosition",
    values(
        "Vị trí so với mục tiêu dạng khoảng",
        [RangePosition::Below, RangePosition::Within, RangePosition::Above].iter().map(|p| p.as_str())
    )
);
component!(
    /// What `ScheduleItemDto::new` writes for each `When`.
    ScheduleItemKindValue = "ScheduleItemKind",
    values(
        "Loại mục của ô Thời gian",
        ["fixed", "ongoing", "periodic", "times_per_year", "relative", "event", "unparsed"]
    )
);
component!(
    /// What `ScheduleItemDto::new` writes for each `Precision`.
    PrecisionValue = "Precision",
    values("Độ chính xác của hạn", ["day", "month", "quarter", "year"])
);
component!(
    /// The role of an assignment's agency: always the lead (partners get none).
    AssignmentRoleValue = "AssignmentRole",
    values("Vai trò của cơ quan trong nhiệm vụ: luôn là lead (chủ trì)", ["lead"])
);
component!(
    /// What `pages::reports::window_label` writes.
    WindowValue = "PeriodWindow",
    values("Số liệu của kỳ: một quý, hoặc lũy kế từ đầu năm", ["quý", "lũy kế từ đầu năm"])
);

// ---------------------------------------------------------------------------------------------
// What clients send.

component!(
    /// An ISO date; `Date::parse` also reads `dd/mm/yyyy`, which the document leaves out so that
    /// what it describes is exactly a valid calendar date.
    IsoDate = "Date",
    string("Ngày dạng yyyy-mm-dd (máy chủ cũng nhận dd/mm/yyyy)")
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .build()
);
component!(
    /// [`PERIOD_ID`].
    PeriodIdText = "PeriodId",
    string("Mã kỳ báo cáo: năm và Q1–Q4 (quý), S1–S2 (6 tháng) hoặc không gì (cả năm)")
        .pattern(Some(PERIOD_ID))
        .examples(["2024Q1", "2024S1", "2024Q3", "2024"])
        .build()
);
component!(
    /// [`AGENCY_ID`].
    AgencyIdText = "AgencyId",
    string("Mã cơ quan: chữ thường không dấu, số và dấu gạch ngang")
        .pattern(Some(AGENCY_ID))
        .min_length(Some(1))
        .max_length(Some(MAX_AGENCY_ID_CHARS))
        .examples(["so-tu-phap", "ubnd-xa-03646"])
        .build()
);
component!(
    /// [`INDICATOR_CODE`].
    IndicatorCodeText = "IndicatorCode",
    string("Mã chỉ tiêu: lĩnh vực (I–VIII) và số thứ tự các cấp").pattern(Some(INDICATOR_CODE)).examples(["VII.2.1"]).build()
);
component!(
    /// A text an officer types on a progress report or an event (`tracking::MAX_TEXT_CHARS`).
    ShortText = "ShortText",
    string(&format!(
        "Văn bản tự do: tối đa {} ký tự, không có ký tự điều khiển (trừ xuống dòng và tab)",
        cchc_services::tracking::MAX_TEXT_CHARS
    ))
    .max_length(Some(cchc_services::tracking::MAX_TEXT_CHARS))
    .pattern(Some(NO_CONTROL_CHARACTERS))
    .build()
);
component!(
    /// A reason that may be left empty (`reporting::MAX_REASON_CHARS`).
    OptionalReason = "OptionalReason",
    string(&format!(
        "Lý do: tối đa {} ký tự, không có ký tự điều khiển (trừ xuống dòng và tab)",
        cchc_domain::reporting::MAX_REASON_CHARS
    ))
    .max_length(Some(cchc_domain::reporting::MAX_REASON_CHARS))
    .pattern(Some(NO_CONTROL_CHARACTERS))
    .build()
);
component!(
    /// A reason that must be given (returning a report, a receipt date, an extension).
    Reason = "Reason",
    string(&format!(
        "Lý do (bắt buộc): không để trống, tối đa {} ký tự, không có ký tự điều khiển (trừ xuống dòng và tab)",
        cchc_domain::reporting::MAX_REASON_CHARS
    ))
    .min_length(Some(1))
    .max_length(Some(cchc_domain::reporting::MAX_REASON_CHARS))
    .pattern(Some(NOT_BLANK))
    .build()
);
component!(
    /// A narrative of a reform area (`reporting::MAX_NARRATIVE_CHARS`), or `null` for none.
    NarrativeText = "Narrative",
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .description(Some(format!(
            "Thuyết minh: tối đa {} ký tự, không có ký tự điều khiển (trừ xuống dòng và tab); null hoặc chuỗi \
             rỗng: không có thuyết minh",
            cchc_domain::reporting::MAX_NARRATIVE_CHARS
        )))
    .max_length(Some(cchc_domain::reporting::MAX_NARRATIVE_CHARS))
    .pattern(Some(NO_CONTROL_CHARACTERS))
    .build()
);
component!(
    /// A count of a report (`reporting::MAX_COUNT`).
    CountValue = "Count",
    ObjectBuilder::new()
        .schema_type(Type::Number)
        .description(Some("Số đếm: từ 0 đến 1.000.000.000.000"))
        .minimum(Some(0))
        .maximum(Some(cchc_domain::reporting::MAX_COUNT))
        .build()
);
component!(
    /// A username the account service accepts.
    Username = "Username",
    string("Tên đăng nhập: 3–32 ký tự, chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang")
        .min_length(Some(3))
        .max_length(Some(32))
        .pattern(Some(USERNAME))
        .examples(["tuphap"])
        .build()
);
component!(
    /// A new password the account service accepts.
    NewPassword = "NewPassword",
    string(&format!(
        "Mật khẩu mới: {MIN_PASSWORD_CHARS}–{MAX_CREDENTIAL_CHARS} ký tự, không có ký tự điều khiển"
    ))
    .format(Some(SchemaFormat::Custom("password".to_string())))
    .min_length(Some(MIN_PASSWORD_CHARS))
    .max_length(Some(MAX_CREDENTIAL_CHARS))
    .pattern(Some(PASSWORD_CHARACTERS))
    .build()
);
component!(
    /// A password or username to check (longer ones are never right).
    Credential = "Credential",
    string(&format!("1–{MAX_CREDENTIAL_CHARS} ký tự"))
        .min_length(Some(1))
        .max_length(Some(MAX_CREDENTIAL_CHARS))
        .build()
);

component!(
    /// Counts per derived status: every status is a key.
    StatusCounts = "StatusCounts",
    DerivedStatus::ALL
        .iter()
        .fold(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some("Số mốc theo trạng thái tính được (đủ mọi trạng thái)")),
            |object, status| {
                object
                    .property(status.as_str(), ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)))
                    .required(status.as_str())
            }
        )
        .build()
);
