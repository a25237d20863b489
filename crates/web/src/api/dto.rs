//! Wire types of the JSON API. Dates are ISO `yyyy-mm-dd` (or `null`), moments RFC 3339 UTC,
//! machine values lower-case snake case with a Vietnamese `*_label` beside them where people
//! read them. Field names are a contract: add fields, never rename them.
//!
//! The OpenAPI document is generated from these types (`utoipa::ToSchema`): the doc comments of
//! the types and their fields are the document's descriptions, hence in Vietnamese, the language
//! of the people who read it. Fields of answers are always present (`null` when empty), so every
//! field of an answer type is `required`; `value_type`s name the schemas of [`super::schema`].
//!
//! The command line's `--json` answers use the same types where they describe the same things
//! (agencies, activities and their schedules, reporting periods, accounts, reports): a wire type
//! exists once.

use cchc_domain::account::User;
use cchc_domain::schedule::{Offset, Precision};
use cchc_domain::tracking::{DerivedStatus, MilestoneRecord, ProgressEntry, StoredFile};
use cchc_domain::{Activity, Agency, AgencyDirectory, AgencyRef, Date, Ending, Schedule, ScheduleItem, When};
use cchc_services::dashboard::StatusCounts;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Type};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use super::schema::{
    AdminLevelValue, AgencyIdText, AgencyKindValue, AreaCodeValue, Credential, DerivedStatusValue, IsoDate,
    MilestoneKindValue, NewPassword, ProgressStatusValue, ScheduleKindValue, ShortText, UserRoleValue, Username,
};

/// Lỗi: thông điệp tiếng Việt và chi tiết (mỗi vấn đề một dòng).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorDto {
    pub error: String,
    pub details: Vec<String>,
}

fn iso(date: Option<Date>) -> Option<String> {
    date.map(Date::iso)
}

/// A reference to the component of `T`.
pub(crate) fn reference<T: ToSchema>() -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(T::name()))
}

/// `T`'s component or `null`.
pub(crate) fn nullable<T: ToSchema>() -> RefOr<Schema> {
    OneOfBuilder::new().item(ObjectBuilder::new().schema_type(Type::Null)).item(reference::<T>()).into()
}

/// Registers the component of `T` (for hand-written schemas that refer to it).
pub(crate) fn register<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) {
    schemas.push((T::name().into_owned(), T::schema()));
    T::schemas(schemas);
}

// ---------------------------------------------------------------------------------------------
// Session

/// Đăng nhập.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(value_type = Credential)]
    pub username: String,
    #[schema(value_type = Credential)]
    pub password: String,
}

/// Người dùng đang đăng nhập.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = User)]
pub struct UserDto {
    pub username: String,
    pub display_name: String,
    #[schema(value_type = UserRoleValue)]
    pub role: &'static str,
    pub role_label: &'static str,
    /// Mã cơ quan của cán bộ cơ quan.
    #[schema(required)]
    pub agency: Option<String>,
    #[schema(required)]
    pub agency_name: Option<String>,
    /// Quản trị: ghi nhận sự kiện và ghi thay mọi cơ quan.
    pub is_admin: bool,
}

impl UserDto {
    pub fn new(user: &User, directory: &AgencyDirectory) -> UserDto {
        UserDto {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role.as_str(),
            role_label: user.role.label_vn(),
            agency: user.agency.as_ref().map(|a| a.to_string()),
            agency_name: user.agency.as_ref().and_then(|a| directory.agency(a)).map(|a| a.name.clone()),
            is_admin: user.is_admin(),
        }
    }
}

/// Phiên đăng nhập. Gửi `csrf_token` trong tiêu đề X-CSRF-Token ở mọi thao tác ghi.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Session)]
pub struct SessionDto {
    /// Gửi trong tiêu đề X-CSRF-Token ở mọi thao tác ghi.
    pub csrf_token: String,
    pub user: UserDto,
    /// Mật khẩu do quản trị đặt: hãy đổi bằng PUT /api/me/password.
    pub must_change_password: bool,
}

// ---------------------------------------------------------------------------------------------
// Accounts

/// Tài khoản (quản trị xem và quản lý).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Account)]
pub struct AccountDto {
    pub username: String,
    pub display_name: String,
    #[schema(value_type = UserRoleValue)]
    pub role: &'static str,
    pub role_label: &'static str,
    /// Mã cơ quan của cán bộ cơ quan.
    #[schema(required)]
    pub agency: Option<String>,
    #[schema(required)]
    pub agency_name: Option<String>,
    /// false: đã khóa, không đăng nhập được (các phiên đã kết thúc).
    pub active: bool,
    /// Tài khoản của dòng lệnh (không khóa, không đặt lại mật khẩu).
    pub system: bool,
}

impl AccountDto {
    pub fn new(user: &User, directory: &AgencyDirectory) -> AccountDto {
        AccountDto {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role.as_str(),
            role_label: user.role.label_vn(),
            agency: user.agency.as_ref().map(|a| a.to_string()),
            agency_name: user.agency.as_ref().and_then(|a| directory.agency(a)).map(|a| a.name.clone()),
            active: user.active,
            system: user.username == cchc_services::accounts::COMMAND_LINE_USERNAME,
        }
    }
}

/// `POST /api/users` body. Its schema is written by hand below: the agency goes with the role.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    pub username: String,
    pub display_name: Option<String>,
    /// `admin` | `agency` | `viewer`.
    pub role: String,
    /// Agency id; required for role `agency`, refused for the others.
    pub agency: Option<String>,
    /// Absent, null or empty: a password is generated and returned once.
    pub password: Option<String>,
}

impl PartialSchema for NewUserRequest {
    fn schema() -> RefOr<Schema> {
        let variant = |roles: &[&str], agency: RefOr<Schema>, required_agency: bool| {
            let mut object = ObjectBuilder::new()
                .schema_type(Type::Object)
                .property("username", reference::<Username>())
                .required("username")
                .property(
                    "display_name",
                    ObjectBuilder::new()
                        .schema_type(
                            [Type::String, Type::Null].into_iter().collect::<utoipa::openapi::schema::SchemaType>(),
                        )
                        .description(Some("Họ tên (một dòng, không có ký tự điều khiển); bỏ trống: dùng tên đăng nhập"))
                        .max_length(Some(cchc_services::accounts::MAX_DISPLAY_NAME_CHARS))
                        .pattern(Some(crate::api::schema::ONE_LINE)),
                )
                .property(
                    "role",
                    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(roles.iter().copied())),
                )
                .required("role")
                .property("agency", agency)
                .property("password", nullable::<NewPassword>())
                .additional_properties(Some(AdditionalProperties::FreeForm(false)));
            if required_agency {
                object = object.required("agency");
            }
            object
        };
        let agency_role = [cchc_domain::account::UserRole::Agency.as_str()];
        let other_roles = [
            cchc_domain::account::UserRole::Admin.as_str(),
            cchc_domain::account::UserRole::Viewer.as_str(),
            cchc_domain::account::UserRole::Appraiser.as_str(),
        ];
        OneOfBuilder::new()
            .description(Some(
                "Tạo tài khoản. Vai trò agency (cán bộ cơ quan) phải kèm mã cơ quan; vai trò khác không kèm. \
                 Bỏ trống mật khẩu (null hoặc không gửi) để tạo mật khẩu ngẫu nhiên, trả về một lần.",
            ))
            .item(variant(&agency_role, reference::<AgencyIdText>(), true))
            .item(variant(&other_roles, ObjectBuilder::new().schema_type(Type::Null).into(), false))
            .into()
    }
}

impl ToSchema for NewUserRequest {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        register::<Username>(schemas);
        register::<AgencyIdText>(schemas);
        register::<NewPassword>(schemas);
    }
}

/// `PATCH /api/users/{username}` body: `active` or `password` (`null` generates one). Its schema
/// is written by hand below: exactly one of the two.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPatchRequest {
    pub active: Option<bool>,
    /// Absent: unchanged; `null`: reset to a generated password; a string: reset to it.
    #[serde(default, deserialize_with = "present")]
    pub password: Option<Option<String>>,
}

impl PartialSchema for UserPatchRequest {
    fn schema() -> RefOr<Schema> {
        let active = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "active",
                ObjectBuilder::new()
                    .schema_type(Type::Boolean)
                    .description(Some("false: khóa (các phiên kết thúc ngay); true: mở khóa")),
            )
            .required("active")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        let password = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("password", nullable::<NewPassword>())
            .required("password")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        OneOfBuilder::new()
            .description(Some(
                "Một trong hai: khóa / mở khóa (`active`), hoặc đặt lại mật khẩu (`password`; null: tạo mật khẩu \
                 ngẫu nhiên, trả về một lần). Đặt lại mật khẩu kết thúc mọi phiên của tài khoản.",
            ))
            .item(active)
            .item(password)
            .into()
    }
}

impl ToSchema for UserPatchRequest {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        register::<NewPassword>(schemas);
    }
}

/// A field that is present (even as `null`) reads as `Some`.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// Tài khoản sau thay đổi và mật khẩu tạo ngẫu nhiên (chỉ hiển thị lần này).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AccountResult)]
pub struct AccountResultDto {
    pub user: AccountDto,
    /// Mật khẩu tạo ngẫu nhiên, chỉ hiển thị lần này; null khi không tạo mật khẩu.
    #[schema(required)]
    pub password: Option<String>,
}

/// Đổi mật khẩu của chính mình.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeRequest {
    /// Mật khẩu hiện tại.
    #[schema(value_type = Credential)]
    pub current: String,
    /// Mật khẩu mới, khác mật khẩu hiện tại.
    #[schema(value_type = NewPassword)]
    pub new: String,
}

// ---------------------------------------------------------------------------------------------
// Agencies and activities

/// Cơ quan, đơn vị hoặc địa phương.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Agency)]
pub struct AgencyDto {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    #[schema(value_type = AgencyKindValue)]
    pub kind: &'static str,
    pub kind_label: &'static str,
    #[schema(value_type = AdminLevelValue)]
    pub level: &'static str,
    pub level_label: &'static str,
    /// Huyện của một xã.
    #[schema(required)]
    pub parent: Option<String>,
    /// Mã đơn vị hành chính (GSO).
    #[schema(required)]
    pub gso_code: Option<u32>,
    /// Mã các nhóm cơ quan có cơ quan này.
    pub groups: Vec<String>,
    /// Ngày đầu tồn tại (ISO); null = trước mọi kế hoạch.
    #[schema(required, value_type = Option<String>, format = Date)]
    pub valid_from: Option<String>,
    /// Ngày cuối tồn tại (ISO); null = còn tồn tại.
    #[schema(required, value_type = Option<String>, format = Date)]
    pub valid_until: Option<String>,
    /// Cách kết thúc: merged (sáp nhập), split (chia tách), replaced (được thay thế), dissolved (giải thể).
    #[schema(required, value_type = Option<String>)]
    pub ending: Option<&'static str>,
    /// Mã các cơ quan kế thừa (từ ngày sau `valid_until`).
    pub successors: Vec<String>,
}

impl AgencyDto {
    pub fn new(agency: &Agency, directory: &AgencyDirectory) -> AgencyDto {
        AgencyDto {
            id: agency.id.to_string(),
            name: agency.name.clone(),
            aliases: agency.aliases.clone(),
            kind: agency.kind.as_str(),
            kind_label: agency.kind.label_vn(),
            level: agency.level.as_str(),
            level_label: agency.level.label_vn(),
            parent: agency.parent.as_ref().map(|p| p.to_string()),
            gso_code: agency.gso_code,
            groups: directory
                .groups
                .iter()
                .filter(|g| directory.is_member(&g.id, &agency.id))
                .map(|g| g.id.to_string())
                .collect(),
            valid_from: agency.validity.from.map(Date::iso),
            valid_until: agency.validity.until.map(Date::iso),
            ending: agency.validity.ending.map(Ending::as_str),
            successors: agency.validity.successors.iter().map(ToString::to_string).collect(),
        }
    }
}

/// Cơ quan (mã và tên).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AgencyRef)]
pub struct AgencyRefDto {
    pub id: String,
    pub name: String,
}

impl AgencyRefDto {
    pub fn new(id: &cchc_domain::AgencyId, directory: &AgencyDirectory) -> AgencyRefDto {
        AgencyRefDto {
            id: id.to_string(),
            name: directory.agency(id).map_or_else(|| id.to_string(), |a| a.name.clone()),
        }
    }
}

/// Một phần ô Chủ trì / Phối hợp: chữ như in và cơ quan, nhóm đã nhận ra.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Responsible)]
pub struct ResponsibleDto {
    pub text: String,
    pub agencies: Vec<String>,
    pub groups: Vec<String>,
}

impl ResponsibleDto {
    pub fn new(reference: &AgencyRef) -> ResponsibleDto {
        ResponsibleDto {
            text: reference.text.clone(),
            agencies: reference.agencies.iter().map(|a| a.to_string()).collect(),
            groups: reference.groups.iter().map(|g| g.to_string()).collect(),
        }
    }
}

/// Ô Thời gian: chữ như in, loại, các hạn tính được và từng mục đã đọc.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Schedule)]
pub struct ScheduleDto {
    /// Ô Thời gian như in.
    pub text: String,
    #[schema(value_type = ScheduleKindValue)]
    pub kind: &'static str,
    pub kind_label: &'static str,
    /// Các hạn có ngày cố định (mốc báo cáo định kỳ theo các kỳ của kế hoạch).
    pub milestones: Vec<ScheduleMilestoneDto>,
    /// Từng mục của ô, theo thứ tự (vị trí là `item` của một mốc và của một sự kiện).
    pub items: Vec<ScheduleItemDto>,
}

impl ScheduleDto {
    pub fn new(schedule: &Schedule) -> ScheduleDto {
        let kind = schedule.kind();
        ScheduleDto {
            text: schedule.text.clone(),
            kind: kind.as_str(),
            kind_label: kind.label_vn(),
            milestones: schedule.milestones().iter().map(ScheduleMilestoneDto::new).collect(),
            items: schedule.items.iter().map(ScheduleItemDto::new).collect(),
        }
    }
}

/// Một hạn tính được từ ô Thời gian.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ScheduleMilestone)]
pub struct ScheduleMilestoneDto {
    #[schema(required)]
    pub label: Option<String>,
    #[schema(format = Date)]
    pub due: String,
}

impl ScheduleMilestoneDto {
    pub fn new(m: &cchc_domain::schedule::Milestone) -> ScheduleMilestoneDto {
        ScheduleMilestoneDto { label: m.label.clone(), due: m.due.iso() }
    }
}

/// Một mục của ô Thời gian như đã đọc; các trường không áp dụng cho loại mục thì vắng mặt.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ScheduleItem)]
pub struct ScheduleItemDto {
    /// Sản phẩm hoặc bước của hạn ("Kế hoạch", "Báo cáo lần 1").
    #[schema(required)]
    pub label: Option<String>,
    #[schema(value_type = super::schema::ScheduleItemKindValue)]
    pub kind: &'static str,
    /// Phần chữ của mục như in.
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub due: Option<String>,
    /// Độ chính xác của hạn: day | month | quarter | year.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<super::schema::PrecisionValue>)]
    pub precision: Option<&'static str>,
    /// Các kỳ báo cáo của mục định kỳ.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub periods: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub times_per_year: Option<u32>,
    /// Số ngày làm việc kể từ sự việc (mục relative).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_days: Option<u32>,
    /// Sự việc hoặc sự kiện mà hạn chờ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    /// Thời gian sau sự kiện: "5 ngày", "10 ngày làm việc", "1 tháng".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<String>,
    /// Điều kiện ghi bên cạnh hạn, như in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

impl ScheduleItemDto {
    pub fn new(item: &ScheduleItem) -> ScheduleItemDto {
        let mut dto = ScheduleItemDto {
            label: item.label.clone(),
            kind: "unparsed",
            text: item.text.clone(),
            due: None,
            precision: None,
            periods: Vec::new(),
            times_per_year: None,
            working_days: None,
            trigger: None,
            offset: None,
            condition: item.condition.clone(),
        };
        match &item.when {
            When::Fixed { due, precision } => {
                dto.kind = "fixed";
                dto.due = Some(due.iso());
                dto.precision = Some(match precision {
                    Precision::Day => "day",
                    Precision::Month => "month",
                    Precision::Quarter => "quarter",
                    Precision::Year => "year",
                });
            }
            When::Ongoing => dto.kind = "ongoing",
            When::Periodic { periods } => {
                dto.kind = "periodic";
                dto.periods = periods.iter().map(|p| p.period.to_string()).collect();
            }
            When::TimesPerYear { count, .. } => {
                dto.kind = "times_per_year";
                dto.times_per_year = Some(*count);
            }
            When::Relative { working_days, trigger } => {
                dto.kind = "relative";
                dto.working_days = Some(*working_days);
                dto.trigger = Some(trigger.clone());
            }
            When::Event { trigger, offset } => {
                dto.kind = "event";
                dto.trigger = Some(trigger.clone());
                dto.offset = offset.map(|o| match o {
                    Offset::Days(n) => format!("{n} ngày"),
                    Offset::WorkingDays(n) => format!("{n} ngày làm việc"),
                    Offset::Months(n) => format!("{n} tháng"),
                });
            }
            When::Unparsed => {}
        }
        dto
    }
}

/// Một hoạt động như in trong Phụ lục: số thứ tự, tên, sản phẩm, cơ quan chủ trì và phối hợp,
/// ghi chú, ô Thời gian và các dòng của văn bản.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PlanActivity)]
pub struct PlanActivityDto {
    pub number: String,
    pub title: String,
    pub outputs: Vec<String>,
    pub lead: Vec<ResponsibleDto>,
    pub partners: Vec<ResponsibleDto>,
    pub note: String,
    pub schedule: ScheduleDto,
    /// Dòng đầu và dòng cuối trong văn bản kế hoạch.
    pub lines: [u32; 2],
}

impl PlanActivityDto {
    pub fn new(activity: &Activity) -> PlanActivityDto {
        PlanActivityDto {
            number: activity.number.clone(),
            title: activity.title.clone(),
            outputs: activity.outputs.clone(),
            lead: activity.lead.iter().map(ResponsibleDto::new).collect(),
            partners: activity.partners.iter().map(ResponsibleDto::new).collect(),
            note: activity.note.clone(),
            schedule: ScheduleDto::new(&activity.schedule),
            lines: [activity.lines.0, activity.lines.1],
        }
    }
}

/// Hoạt động của Phụ lục kế hoạch hiện hành.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Activity)]
pub struct ActivityDto {
    pub id: i64,
    #[schema(example = "II.2")]
    pub code: String,
    #[schema(value_type = AreaCodeValue)]
    pub area: &'static str,
    pub area_title: String,
    #[serde(flatten)]
    pub activity: PlanActivityDto,
    /// Số cơ quan được giao (mỗi cơ quan một nhiệm vụ).
    pub assignment_count: usize,
    /// Số mốc của mỗi nhiệm vụ khi giao.
    pub milestones_per_assignment: usize,
    /// Số mốc của mọi nhiệm vụ.
    pub milestone_count: usize,
}

// ---------------------------------------------------------------------------------------------
// Assignments and milestones

/// Hoạt động của một nhiệm vụ hoặc mốc.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ActivityRef)]
pub struct ActivityRefDto {
    pub id: i64,
    pub code: String,
    #[schema(value_type = AreaCodeValue)]
    pub area: &'static str,
    pub number: String,
    pub title: String,
}

impl ActivityRefDto {
    pub fn new(m: &MilestoneRecord) -> ActivityRefDto {
        ActivityRefDto {
            id: m.activity.0,
            code: m.activity_code(),
            area: m.area.as_str(),
            number: m.activity_number.clone(),
            title: m.activity_title.clone(),
        }
    }
}

/// Mốc thời hạn của một nhiệm vụ, với trạng thái tính theo ngày as_of.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Milestone)]
pub struct MilestoneDto {
    pub id: i64,
    pub label: String,
    #[schema(value_type = MilestoneKindValue)]
    pub kind: &'static str,
    /// Vị trí (từ 0) của mục trong ô Thời gian của hoạt động (trường `item` của
    /// POST /api/activities/{activity_id}/events).
    pub item: usize,
    #[schema(required, format = Date)]
    pub due: Option<String>,
    /// Kỳ báo cáo của mốc báo cáo định kỳ: 2024Q1, 2024S1, 2024.
    #[schema(required)]
    pub period: Option<String>,
    #[schema(required)]
    pub period_label: Option<String>,
    #[schema(value_type = ProgressStatusValue)]
    pub status: &'static str,
    pub status_label: &'static str,
    #[schema(required, format = Date)]
    pub completed_on: Option<String>,
    /// Lần ghi tiến độ gần nhất, nếu có.
    #[schema(required, format = DateTime)]
    pub updated_at: Option<String>,
    #[schema(value_type = DerivedStatusValue)]
    pub derived_status: &'static str,
    pub derived_status_label: &'static str,
}

impl MilestoneDto {
    pub fn new(m: &MilestoneRecord, derived: DerivedStatus) -> MilestoneDto {
        MilestoneDto {
            id: m.id.0,
            label: m.label.clone(),
            kind: m.kind.as_str(),
            item: m.item,
            due: iso(m.due),
            period: m.period.map(|p| p.to_string()),
            period_label: m.period.map(|p| p.label_vn()),
            status: m.progress.status.as_str(),
            status_label: m.progress.status.label_vn(),
            completed_on: iso(m.progress.completed_on),
            updated_at: m.updated_at.clone(),
            derived_status: derived.as_str(),
            derived_status_label: derived.label_vn(),
        }
    }
}

/// Phần việc của một cơ quan chủ trì trong một hoạt động.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Assignment)]
pub struct AssignmentDto {
    pub id: i64,
    pub activity: ActivityRefDto,
    pub agency: AgencyRefDto,
    /// Luôn là lead: cơ quan phối hợp không được giao nhiệm vụ riêng (xem partners).
    #[schema(value_type = super::schema::AssignmentRoleValue)]
    pub role: &'static str,
    pub partners: Vec<ResponsibleDto>,
    pub milestones: Vec<MilestoneDto>,
}

/// Văn bản minh chứng.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Evidence)]
pub struct EvidenceDto {
    #[schema(example = "15/KH-UBND")]
    pub number: String,
    #[schema(required, format = Date)]
    pub date: Option<String>,
    pub issuer: String,
}

/// Tệp minh chứng (lưu theo SHA-256), với tên do người tải lên lần ghi này đặt.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = File)]
pub struct FileDto {
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    #[schema(example = "/tep/{sha256}?tien_do={id}")]
    pub url: String,
}

impl FileDto {
    /// The file of history entry `entry`, under the name that entry's uploader gave it.
    pub fn new(file: &StoredFile, entry: i64) -> FileDto {
        FileDto {
            sha256: file.sha256.clone(),
            file_name: file.file_name.clone(),
            content_type: file.content_type.clone(),
            size: file.size,
            url: crate::files::download_link(file, entry),
        }
    }
}

/// Một lần ghi tiến độ (lịch sử chỉ thêm, không sửa).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = HistoryEntry)]
pub struct HistoryEntryDto {
    pub id: i64,
    pub milestone_id: i64,
    #[schema(required)]
    pub recorded_by: Option<String>,
    #[schema(format = DateTime)]
    pub recorded_at: String,
    #[schema(value_type = ProgressStatusValue)]
    pub status: &'static str,
    pub status_label: &'static str,
    #[schema(required, format = Date)]
    pub completed_on: Option<String>,
    pub evidence: EvidenceDto,
    #[schema(required)]
    pub file: Option<FileDto>,
    /// Văn bản thuần; khi hiển thị dạng HTML phải thoát ký tự.
    pub comment: String,
}

impl HistoryEntryDto {
    pub fn new(entry: &ProgressEntry) -> HistoryEntryDto {
        HistoryEntryDto {
            id: entry.id,
            milestone_id: entry.milestone.0,
            recorded_by: entry.recorded_by.clone(),
            recorded_at: entry.recorded_at.clone(),
            status: entry.status.as_str(),
            status_label: entry.status.label_vn(),
            completed_on: iso(entry.completed_on),
            evidence: EvidenceDto {
                number: entry.evidence.number.clone(),
                date: iso(entry.evidence.date),
                issuer: entry.evidence.issuer.clone(),
            },
            file: entry.file.as_ref().map(|f| FileDto::new(f, entry.id)),
            comment: entry.comment.clone(),
        }
    }
}

/// Mốc, cơ quan chủ trì và lịch sử tiến độ (cũ trước).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MilestoneDetail)]
pub struct MilestoneDetailDto {
    #[serde(flatten)]
    pub milestone: MilestoneDto,
    #[schema(format = Date)]
    pub as_of: String,
    pub assignment_id: i64,
    pub activity: ActivityRefDto,
    pub agency: AgencyRefDto,
    /// Người gọi có được ghi tiến độ của mốc này không.
    pub can_write: bool,
    pub history: Vec<HistoryEntryDto>,
}

/// `POST /api/milestones/{id}/progress` body. The server reads every field leniently (dates ISO
/// or dd/mm/yyyy, empty strings as absent); its schema is written by hand below and says the
/// strict form: the completion date with status `done`, and only then.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressRequest {
    pub status: Option<String>,
    pub completed_on: Option<String>,
    pub evidence: Option<EvidenceRequest>,
    pub comment: Option<String>,
}

impl PartialSchema for ProgressRequest {
    fn schema() -> RefOr<Schema> {
        let variant = |statuses: Vec<&str>, completed_on: RefOr<Schema>, done: bool| {
            let mut object = ObjectBuilder::new()
                .schema_type(Type::Object)
                .property("status", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(statuses)))
                .required("status")
                .property("completed_on", completed_on)
                .property("evidence", nullable::<EvidenceRequest>())
                .property("comment", nullable::<ShortText>())
                .additional_properties(Some(AdditionalProperties::FreeForm(false)));
            if done {
                object = object.required("completed_on");
            }
            object
        };
        let done = cchc_domain::tracking::ProgressStatus::Done;
        let others = cchc_domain::tracking::ProgressStatus::ALL.iter().filter(|s| **s != done).map(|s| s.as_str());
        OneOfBuilder::new()
            .description(Some(
                "Báo cáo tiến độ. Trạng thái done (hoàn thành) cần ngày hoàn thành, không trước ngày kế hoạch bắt \
                 đầu và không sau hôm nay; trạng thái khác không ghi ngày hoàn thành. Ngày của văn bản minh chứng \
                 không sau hôm nay và không trước năm liền trước năm kế hoạch.",
            ))
            .item(variant(vec![done.as_str()], reference::<IsoDate>(), true))
            .item(variant(others.collect(), ObjectBuilder::new().schema_type(Type::Null).into(), false))
            .into()
    }
}

impl ToSchema for ProgressRequest {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        register::<IsoDate>(schemas);
        register::<EvidenceRequest>(schemas);
        register::<ShortText>(schemas);
    }
}

/// Văn bản minh chứng của một lần ghi tiến độ.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRequest {
    /// Số văn bản, ví dụ 15/KH-UBND.
    #[schema(value_type = Option<ShortText>)]
    pub number: Option<String>,
    /// Ngày ban hành.
    #[schema(value_type = Option<IsoDate>)]
    pub date: Option<String>,
    /// Cơ quan ban hành.
    #[schema(value_type = Option<ShortText>)]
    pub issuer: Option<String>,
}

/// Kết quả ghi tiến độ.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ProgressResult)]
pub struct ProgressResultDto {
    /// Lần ghi vừa thêm vào lịch sử.
    pub entry: HistoryEntryDto,
    /// Mốc với trạng thái mới, tính theo hôm nay.
    pub milestone: MilestoneDto,
    #[schema(value_type = DerivedStatusValue)]
    pub derived_status: &'static str,
    pub derived_status_label: &'static str,
}

/// Sự kiện mà một mục thời hạn chờ (ví dụ văn bản hướng dẫn của Bộ đã ban hành). Ngày xảy ra
/// không sau hôm nay; mục phải là mục chờ sự kiện của hoạt động.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventRequest {
    /// Vị trí (từ 0) của mục chờ sự kiện trong ô Thời gian của hoạt động.
    #[schema(required, value_type = u32, format = Int64, maximum = 4_294_967_295_u64)]
    pub item: Option<u32>,
    #[schema(required, value_type = IsoDate)]
    pub occurred_on: Option<String>,
    /// Hạn tự đặt thay cho hạn tính được (không trước ngày xảy ra).
    #[schema(value_type = Option<IsoDate>)]
    pub due: Option<String>,
    #[schema(value_type = Option<ShortText>)]
    pub description: Option<String>,
}

/// Hạn đã tính và số mốc được gán hạn.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EventResult)]
pub struct EventResultDto {
    pub activity_id: i64,
    pub item: u32,
    #[schema(format = Date)]
    pub occurred_on: String,
    #[schema(format = Date)]
    pub due: String,
    /// Số mốc (của mọi nhiệm vụ) được gán hạn này.
    pub milestones_dated: u64,
}

// ---------------------------------------------------------------------------------------------
// Dashboard

/// Counts per derived status; every status is present.
pub type CountsDto = std::collections::BTreeMap<&'static str, usize>;

pub fn counts(counts: &StatusCounts) -> CountsDto {
    counts.entries().into_iter().map(|(status, n)| (status.as_str(), n)).collect()
}

/// Theo lĩnh vực.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AreaCounts)]
pub struct AreaCountsDto {
    #[schema(value_type = AreaCodeValue)]
    pub code: &'static str,
    pub title: String,
    pub total: usize,
    pub done_percent: f64,
    #[schema(value_type = super::schema::StatusCounts)]
    pub counts: CountsDto,
}

/// Theo nhóm cơ quan.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = GroupCounts)]
pub struct GroupCountsDto {
    #[schema(value_type = AgencyKindValue)]
    pub kind: &'static str,
    pub label: String,
    pub total: usize,
    pub done_percent: f64,
    #[schema(value_type = super::schema::StatusCounts)]
    pub counts: CountsDto,
}

/// Mốc trong danh sách quá hạn / sắp đến hạn.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DashboardMilestone)]
pub struct DashboardMilestoneDto {
    pub id: i64,
    pub label: String,
    #[schema(required, format = Date)]
    pub due: Option<String>,
    #[schema(value_type = ProgressStatusValue)]
    pub status: &'static str,
    #[schema(value_type = DerivedStatusValue)]
    pub derived_status: &'static str,
    pub derived_status_label: &'static str,
    pub activity: ActivityRefDto,
    pub agency: AgencyRefDto,
}

impl DashboardMilestoneDto {
    pub fn new(m: &MilestoneRecord, derived: DerivedStatus, directory: &AgencyDirectory) -> DashboardMilestoneDto {
        DashboardMilestoneDto {
            id: m.id.0,
            label: m.label.clone(),
            due: iso(m.due),
            status: m.progress.status.as_str(),
            derived_status: derived.as_str(),
            derived_status_label: derived.label_vn(),
            activity: ActivityRefDto::new(m),
            agency: AgencyRefDto::new(&m.agency, directory),
        }
    }
}

/// Bảng điều khiển toàn tỉnh.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Dashboard)]
pub struct DashboardDto {
    #[schema(format = Date)]
    pub as_of: String,
    pub total: usize,
    #[schema(value_type = super::schema::StatusCounts)]
    pub counts: CountsDto,
    /// Tỷ lệ mốc đã hoàn thành (đúng hạn hoặc trễ hạn), làm tròn một chữ số thập phân.
    pub done_percent: f64,
    pub areas: Vec<AreaCountsDto>,
    pub groups: Vec<GroupCountsDto>,
    /// 50 mốc quá hạn đầu tiên, hạn sớm nhất trước.
    #[schema(max_items = 50)]
    pub overdue: Vec<DashboardMilestoneDto>,
    pub overdue_total: usize,
    /// 50 mốc chưa hoàn thành đầu tiên đến hạn trong upcoming_days ngày sau as_of.
    #[schema(max_items = 50)]
    pub upcoming: Vec<DashboardMilestoneDto>,
    pub upcoming_total: usize,
    pub upcoming_days: i64,
}

/// A percentage rounded once: half away from zero, one decimal (`Percent1`, as on every page).
pub fn percent(value: f64) -> f64 {
    cchc_domain::number::Percent1::of(value).map_or(0.0, cchc_domain::number::Percent1::value)
}

/// Một dòng của tệp tải lên bị loại hoặc được cảnh báo, với lý do (phiếu khảo sát, hồ sơ TTHC).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = FileLine)]
pub struct FileLineDto {
    /// Dòng trong tệp (dòng tiêu đề là dòng 1; 0: cả tệp).
    pub line: u32,
    pub message: String,
}

impl FileLineDto {
    pub fn new(d: &cchc_domain::Diagnostic) -> FileLineDto {
        FileLineDto { line: d.line, message: d.message.clone() }
    }
}
