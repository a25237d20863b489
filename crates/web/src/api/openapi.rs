//! The OpenAPI 3.1 document of the API, served at `GET /api/openapi.json` (no login).
//!
//! Written by hand with `serde_json::json!` rather than generated from derives: the wire types
//! are few, the document stays readable in one place, and no macro crate enters the build.
//! The integration tests hold it to the truth: every route of [`super::ROUTES`] is described,
//! and every answer the tests receive is validated against the schema given here (an answer
//! field the document does not declare fails the tests).

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use cchc_domain::account::UserRole;
use cchc_domain::tracking::{DerivedStatus, MilestoneKind, ProgressStatus};
use cchc_domain::{AdminLevel, AgencyKind, AreaCode, ScheduleKind};
use serde_json::{json, Map, Value};

use crate::auth::SESSION_COOKIE;

pub async fn serve() -> Response {
    static BODY: OnceLock<String> = OnceLock::new();
    let body = BODY.get_or_init(|| document().to_string());
    ([(header::CONTENT_TYPE, "application/json")], body.as_str()).into_response()
}

const ITEM_DESCRIPTION: &str = "Vị trí (từ 0) của mục trong ô Thời gian của hoạt động";

fn string() -> Value {
    json!({"type": "string"})
}
fn nullable_string() -> Value {
    json!({"type": ["string", "null"]})
}
fn date() -> Value {
    json!({"type": "string", "format": "date", "description": "yyyy-mm-dd"})
}
fn nullable_date() -> Value {
    json!({"type": ["string", "null"], "format": "date", "description": "yyyy-mm-dd hoặc null"})
}
fn integer() -> Value {
    json!({"type": "integer"})
}
fn boolean() -> Value {
    json!({"type": "boolean"})
}
fn array(items: Value) -> Value {
    json!({"type": "array", "items": items})
}
fn schema(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}
fn enumeration(values: Vec<&'static str>) -> Value {
    json!({"type": "string", "enum": values})
}

/// An object schema whose every property is always present (nullable ones as `null`).
fn object(description: &str, properties: Vec<(&str, Value)>) -> Value {
    let required: Vec<&str> = properties.iter().map(|(k, _)| *k).collect();
    let properties: Map<String, Value> = properties.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    json!({"type": "object", "description": description, "required": required, "properties": properties})
}

/// A request-body object: only `required` must be sent; nothing else is accepted.
fn request(description: &str, required: &[&str], properties: Vec<(&str, Value)>) -> Value {
    let properties: Map<String, Value> = properties.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    json!({
        "type": "object", "description": description, "required": required,
        "properties": properties, "additionalProperties": false
    })
}

fn derived_statuses() -> Vec<&'static str> {
    DerivedStatus::ALL.iter().map(|s| s.as_str()).collect()
}

fn schemas() -> Value {
    let statuses: Vec<&str> = ProgressStatus::ALL.iter().map(|s| s.as_str()).collect();
    let counts: Vec<(&str, Value)> = DerivedStatus::ALL.iter().map(|s| (s.as_str(), integer())).collect();
    let kinds = [
        AgencyKind::Province,
        AgencyKind::Department,
        AgencyKind::Sectoral,
        AgencyKind::District,
        AgencyKind::Commune,
        AgencyKind::Other,
    ];
    let agency_kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    let levels: Vec<&str> = [AdminLevel::Tinh, AdminLevel::Huyen, AdminLevel::Xa].iter().map(|l| l.as_str()).collect();
    let roles: Vec<&str> = [UserRole::Admin, UserRole::Agency, UserRole::Viewer].iter().map(|r| r.as_str()).collect();
    let milestone_kinds: Vec<&str> = MilestoneKind::ALL.iter().map(|k| k.as_str()).collect();
    let schedule_kinds: Vec<&str> = [
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
    .collect();
    let areas: Vec<&str> = AreaCode::ALL.iter().map(|a| a.as_str()).collect();
    let area_codes = areas.clone();
    let group_kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    let counted = |description: &str, key: (&'static str, Value), label: &'static str| {
        object(
            description,
            vec![
                key,
                (label, string()),
                ("total", integer()),
                ("done_percent", json!({"type": "number"})),
                ("counts", schema("StatusCounts")),
            ],
        )
    };
    json!({
        "Error": object("Lỗi: thông điệp tiếng Việt và chi tiết (mỗi vấn đề một dòng).", vec![
            ("error", string()),
            ("details", array(string())),
        ]),
        "LoginRequest": request("Đăng nhập.", &["username", "password"], vec![
            ("username", string()),
            ("password", json!({"type": "string", "format": "password"})),
        ]),
        "User": object("Người dùng đang đăng nhập.", vec![
            ("username", string()),
            ("display_name", string()),
            ("role", enumeration(roles.clone())),
            ("role_label", string()),
            ("agency", json!({"type": ["string", "null"], "description": "Mã cơ quan của cán bộ cơ quan"})),
            ("agency_name", nullable_string()),
            ("is_admin", boolean()),
        ]),
        "Session": object("Phiên đăng nhập. Gửi `csrf_token` trong tiêu đề X-CSRF-Token ở mọi thao tác ghi.", vec![
            ("csrf_token", string()),
            ("user", schema("User")),
            ("must_change_password", json!({
                "type": "boolean",
                "description": "Mật khẩu do quản trị đặt: hãy đổi bằng PUT /api/me/password"
            })),
        ]),
        "Account": object("Tài khoản (quản trị xem và quản lý).", vec![
            ("username", string()),
            ("display_name", string()),
            ("role", enumeration(roles.clone())),
            ("role_label", string()),
            ("agency", json!({"type": ["string", "null"], "description": "Mã cơ quan của cán bộ cơ quan"})),
            ("agency_name", nullable_string()),
            ("active", json!({"type": "boolean", "description": "false: đã khóa, không đăng nhập được"})),
            ("system", json!({"type": "boolean", "description": "Tài khoản của dòng lệnh (không khóa, không đặt lại mật khẩu)"})),
        ]),
        "NewUserRequest": request("Tạo tài khoản.", &["username", "role"], vec![
            ("username", json!({"type": "string", "description": "3–32 ký tự: chữ thường không dấu, số, . _ -"})),
            ("display_name", nullable_string()),
            ("role", enumeration(roles.clone())),
            ("agency", json!({"type": ["string", "null"], "description": "Mã cơ quan; bắt buộc với vai trò agency, không dùng với vai trò khác"})),
            ("password", json!({"type": ["string", "null"], "format": "password",
                "description": "Ít nhất 10 ký tự; bỏ trống để tạo mật khẩu ngẫu nhiên (trả về một lần)"})),
        ]),
        "UserPatchRequest": request(
            "Một trong hai: khóa / mở khóa (`active`), hoặc đặt lại mật khẩu (`password`; null: tạo mật khẩu \
             ngẫu nhiên, trả về một lần). Đặt lại mật khẩu kết thúc mọi phiên của tài khoản.",
            &[],
            vec![
                ("active", boolean()),
                ("password", json!({"type": ["string", "null"], "format": "password"})),
            ],
        ),
        "AccountResult": object("Tài khoản sau thay đổi và mật khẩu tạo ngẫu nhiên (chỉ hiển thị lần này).", vec![
            ("user", schema("Account")),
            ("password", json!({"type": ["string", "null"], "description": "null khi không tạo mật khẩu"})),
        ]),
        "PasswordChangeRequest": request("Đổi mật khẩu của chính mình.", &["current", "new"], vec![
            ("current", json!({"type": "string", "format": "password"})),
            ("new", json!({"type": "string", "format": "password", "description": "Ít nhất 10 ký tự"})),
        ]),
        "Agency": object("Cơ quan, đơn vị hoặc địa phương.", vec![
            ("id", string()),
            ("name", string()),
            ("aliases", array(string())),
            ("kind", enumeration(agency_kinds)),
            ("kind_label", string()),
            ("level", enumeration(levels)),
            ("level_label", string()),
            ("parent", json!({"type": ["string", "null"], "description": "Huyện của một xã"})),
            ("gso_code", json!({"type": ["integer", "null"], "description": "Mã đơn vị hành chính (GSO)"})),
            ("groups", array(string())),
        ]),
        "AgencyRef": object("Cơ quan (mã và tên).", vec![("id", string()), ("name", string())]),
        "Responsible": object("Một phần ô Chủ trì / Phối hợp: chữ như in và cơ quan, nhóm đã nhận ra.", vec![
            ("text", string()),
            ("agencies", array(string())),
            ("groups", array(string())),
        ]),
        "Schedule": object("Ô Thời gian.", vec![
            ("text", string()),
            ("kind", enumeration(schedule_kinds)),
            ("kind_label", string()),
        ]),
        "Activity": object("Hoạt động của Phụ lục kế hoạch hiện hành.", vec![
            ("id", integer()),
            ("code", json!({"type": "string", "example": "II.2"})),
            ("area", enumeration(areas.clone())),
            ("area_title", string()),
            ("number", string()),
            ("title", string()),
            ("outputs", array(string())),
            ("lead", array(schema("Responsible"))),
            ("partners", array(schema("Responsible"))),
            ("note", string()),
            ("schedule", schema("Schedule")),
            ("assignment_count", integer()),
            ("milestones_per_assignment", integer()),
            ("milestone_count", integer()),
        ]),
        "ActivityRef": object("Hoạt động của một nhiệm vụ hoặc mốc.", vec![
            ("id", integer()),
            ("code", string()),
            ("area", enumeration(areas)),
            ("number", string()),
            ("title", string()),
        ]),
        "Milestone": object("Mốc thời hạn của một nhiệm vụ, với trạng thái tính theo ngày as_of.", vec![
            ("id", integer()),
            ("label", string()),
            ("kind", enumeration(milestone_kinds)),
            ("item", json!({"type": "integer", "description": ITEM_DESCRIPTION})),
            ("due", nullable_date()),
            ("period", json!({"type": ["string", "null"], "description": "Kỳ báo cáo: 2024Q1, 2024S1, 2024"})),
            ("period_label", nullable_string()),
            ("status", enumeration(statuses.clone())),
            ("status_label", string()),
            ("completed_on", nullable_date()),
            ("updated_at", json!({"type": ["string", "null"], "format": "date-time"})),
            ("derived_status", enumeration(derived_statuses())),
            ("derived_status_label", string()),
        ]),
        "Assignment": object("Phần việc của một cơ quan chủ trì trong một hoạt động.", vec![
            ("id", integer()),
            ("activity", schema("ActivityRef")),
            ("agency", schema("AgencyRef")),
            ("role", enumeration(vec!["lead"])),
            ("partners", array(schema("Responsible"))),
            ("milestones", array(schema("Milestone"))),
        ]),
        "Evidence": object("Văn bản minh chứng.", vec![
            ("number", json!({"type": "string", "example": "15/KH-UBND"})),
            ("date", nullable_date()),
            ("issuer", string()),
        ]),
        "File": object("Tệp minh chứng (lưu theo SHA-256), với tên do người tải lên lần ghi này đặt.", vec![
            ("sha256", string()),
            ("file_name", string()),
            ("content_type", string()),
            ("size", integer()),
            ("url", json!({"type": "string", "example": "/tep/{sha256}?tien_do={id}"})),
        ]),
        "HistoryEntry": object("Một lần ghi tiến độ (lịch sử chỉ thêm, không sửa).", vec![
            ("id", integer()),
            ("milestone_id", integer()),
            ("recorded_by", nullable_string()),
            ("recorded_at", json!({"type": "string", "format": "date-time"})),
            ("status", enumeration(statuses.clone())),
            ("status_label", string()),
            ("completed_on", nullable_date()),
            ("evidence", schema("Evidence")),
            ("file", json!({"oneOf": [schema("File"), {"type": "null"}]})),
            ("comment", json!({
                "type": "string",
                "description": "Văn bản thuần; khi hiển thị dạng HTML phải thoát ký tự"
            })),
        ]),
        "MilestoneDetail": {"allOf": [schema("Milestone"), object("Mốc, chủ sở hữu và lịch sử.", vec![
            ("as_of", date()),
            ("assignment_id", integer()),
            ("activity", schema("ActivityRef")),
            ("agency", schema("AgencyRef")),
            ("can_write", boolean()),
            ("history", array(schema("HistoryEntry"))),
        ])]},
        "ProgressRequest": request(
            "Báo cáo tiến độ. Ngày dạng yyyy-mm-dd hoặc dd/mm/yyyy; chuỗi rỗng coi như không có.",
            &["status"],
            vec![
                ("status", enumeration(statuses)),
                ("completed_on", json!({"type": ["string", "null"], "description": "Bắt buộc khi status = done"})),
                ("evidence", request("Văn bản minh chứng.", &[], vec![
                    ("number", nullable_string()),
                    ("date", nullable_string()),
                    ("issuer", nullable_string()),
                ])),
                ("comment", nullable_string()),
            ],
        ),
        "ProgressResult": object("Kết quả ghi tiến độ.", vec![
            ("entry", schema("HistoryEntry")),
            ("milestone", schema("Milestone")),
            ("derived_status", enumeration(derived_statuses())),
            ("derived_status_label", string()),
        ]),
        "EventRequest": request(
            "Sự kiện mà một mục thời hạn chờ (ví dụ văn bản hướng dẫn của Bộ đã ban hành).",
            &["item", "occurred_on"],
            vec![
                ("item", json!({"type": "integer", "minimum": 0, "description": ITEM_DESCRIPTION})),
                ("occurred_on", string()),
                ("due", json!({"type": ["string", "null"], "description": "Hạn tự đặt thay cho hạn tính được"})),
                ("description", nullable_string()),
            ],
        ),
        "EventResult": object("Hạn đã tính và số mốc được gán hạn.", vec![
            ("activity_id", integer()),
            ("item", integer()),
            ("occurred_on", date()),
            ("due", date()),
            ("milestones_dated", integer()),
        ]),
        "StatusCounts": object("Số mốc theo trạng thái tính được.", counts),
        "AreaCounts": counted("Theo lĩnh vực.", ("code", enumeration(area_codes)), "title"),
        "GroupCounts": counted("Theo nhóm cơ quan.", ("kind", enumeration(group_kinds)), "label"),
        "DashboardMilestone": object("Mốc trong danh sách quá hạn / sắp đến hạn.", vec![
            ("id", integer()),
            ("label", string()),
            ("due", nullable_date()),
            ("status", enumeration(ProgressStatus::ALL.iter().map(|s| s.as_str()).collect())),
            ("derived_status", enumeration(derived_statuses())),
            ("derived_status_label", string()),
            ("activity", schema("ActivityRef")),
            ("agency", schema("AgencyRef")),
        ]),
        "Dashboard": object("Bảng điều khiển toàn tỉnh.", vec![
            ("as_of", date()),
            ("total", integer()),
            ("counts", schema("StatusCounts")),
            ("done_percent", json!({"type": "number"})),
            ("areas", array(schema("AreaCounts"))),
            ("groups", array(schema("GroupCounts"))),
            ("overdue", json!({"type": "array", "maxItems": 50, "items": schema("DashboardMilestone")})),
            ("overdue_total", integer()),
            ("upcoming", json!({"type": "array", "maxItems": 50, "items": schema("DashboardMilestone")})),
            ("upcoming_total", integer()),
            ("upcoming_days", integer()),
        ]),
    })
}

fn error(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema("Error")}}})
}

fn ok(description: &str, body: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": body}}})
}

fn responses(success: (&str, Value), errors: &[&str]) -> Value {
    let mut map = Map::new();
    map.insert(success.0.to_string(), success.1);
    for code in errors {
        map.insert((*code).to_string(), json!({"$ref": format!("#/components/responses/E{code}")}));
    }
    Value::Object(map)
}

fn query(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": {"type": "string"}})
}

fn as_of_parameter() -> Value {
    json!({"$ref": "#/components/parameters/AsOf"})
}

fn json_body(name: &str) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": schema(name)}}})
}

/// Security of the writes: the session cookie and its CSRF token in the header.
fn write_security() -> Value {
    json!([{"session": [], "csrf": []}])
}

fn paths() -> Value {
    let milestone_id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
    json!({
        "/api/session": {
            "post": {
                "operationId": "login", "tags": ["session"], "security": [],
                "summary": "Đăng nhập: đặt cookie phiên và trả mã CSRF",
                "requestBody": json_body("LoginRequest"),
                "responses": {
                    "200": {
                        "description": "Đã đăng nhập",
                        "headers": {"Set-Cookie": {
                            "description": format!("{SESSION_COOKIE}=…; HttpOnly; SameSite=Lax"),
                            "schema": {"type": "string"}
                        }},
                        "content": {"application/json": {"schema": schema("Session")}}
                    },
                    "400": {"$ref": "#/components/responses/E400"},
                    "401": error("Sai tên đăng nhập hoặc mật khẩu"),
                    "415": {"$ref": "#/components/responses/E415"},
                    "422": {"$ref": "#/components/responses/E422"},
                    "429": {"$ref": "#/components/responses/E429"},
                }
            },
            "get": {
                "operationId": "currentSession", "tags": ["session"],
                "summary": "Người dùng đang đăng nhập và mã CSRF của phiên",
                "responses": responses(("200", ok("Phiên hiện tại", schema("Session"))), &["401"]),
            },
            "delete": {
                "operationId": "logout", "tags": ["session"], "security": write_security(),
                "summary": "Đăng xuất: xoá phiên và cookie",
                "responses": responses(("204", json!({"description": "Đã đăng xuất"})), &["401", "403"]),
            },
        },
        "/api/users": {
            "get": {
                "operationId": "listUsers", "tags": ["accounts"],
                "summary": "Danh sách tài khoản (chỉ quản trị)",
                "responses": responses(("200", ok("Tài khoản", array(schema("Account")))), &["401", "403"]),
            },
            "post": {
                "operationId": "createUser", "tags": ["accounts"], "security": write_security(),
                "summary": "Tạo tài khoản với vai trò và cơ quan (chỉ quản trị); người dùng được yêu cầu đổi mật khẩu khi đăng nhập",
                "requestBody": json_body("NewUserRequest"),
                "responses": responses(
                    ("201", ok("Đã tạo", schema("AccountResult"))),
                    &["400", "401", "403", "415", "422"],
                ),
            },
        },
        "/api/users/{username}": {
            "patch": {
                "operationId": "updateUser", "tags": ["accounts"], "security": write_security(),
                "summary": "Khóa / mở khóa tài khoản (phiên của tài khoản bị khóa hết hiệu lực ngay) hoặc đặt lại mật khẩu \
                            (chỉ quản trị; không áp dụng cho chính mình)",
                "parameters": [{"name": "username", "in": "path", "required": true, "schema": {"type": "string"}}],
                "requestBody": json_body("UserPatchRequest"),
                "responses": responses(
                    ("200", ok("Đã cập nhật", schema("AccountResult"))),
                    &["400", "401", "403", "404", "415", "422"],
                ),
            },
        },
        "/api/me/password": {
            "put": {
                "operationId": "changeOwnPassword", "tags": ["accounts"], "security": write_security(),
                "summary": "Đổi mật khẩu của chính mình (mật khẩu hiện tại và mật khẩu mới); các phiên khác kết thúc",
                "requestBody": json_body("PasswordChangeRequest"),
                "responses": responses(
                    ("204", json!({"description": "Đã đổi mật khẩu"})),
                    &["400", "401", "403", "415", "422", "429"],
                ),
            },
        },
        "/api/agencies": {
            "get": {
                "operationId": "listAgencies", "tags": ["plan"],
                "summary": "Danh mục cơ quan, đơn vị, địa phương",
                "parameters": [
                    query("search", "Tìm theo tên, tên khác hoặc mã (không phân biệt dấu)"),
                    query("kind", "province | department | sectoral | district | commune | other"),
                ],
                "responses": responses(("200", ok("Cơ quan", array(schema("Agency")))), &["401", "422"]),
            }
        },
        "/api/activities": {
            "get": {
                "operationId": "listActivities", "tags": ["plan"],
                "summary": "Hoạt động của kế hoạch hiện hành",
                "parameters": [
                    query("area", "Lĩnh vực I–VIII (hoặc 1–8)"),
                    query("q", "Tìm toàn văn, không phân biệt dấu: \"so noi vu\" tìm thấy \"Sở Nội vụ\""),
                ],
                "responses": responses(("200", ok("Hoạt động", array(schema("Activity")))), &["401", "422"]),
            }
        },
        "/api/activities/{activity_id}/events": {
            "post": {
                "operationId": "recordEvent", "tags": ["tracking"], "security": write_security(),
                "summary": "Ghi nhận sự kiện của một mục thời hạn chờ sự kiện (chỉ quản trị)",
                "parameters": [{"name": "activity_id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "requestBody": json_body("EventRequest"),
                "responses": responses(
                    ("200", ok("Hạn đã tính", schema("EventResult"))),
                    &["400", "401", "403", "404", "415", "422"],
                ),
            }
        },
        "/api/assignments": {
            "get": {
                "operationId": "listAssignments", "tags": ["tracking"],
                "summary": "Nhiệm vụ (mỗi cơ quan chủ trì một nhiệm vụ) và các mốc với trạng thái tính được",
                "parameters": [
                    query("agency", "Mã cơ quan (ví dụ so-tu-phap); bỏ trống: mọi cơ quan"),
                    as_of_parameter(),
                ],
                "responses": responses(("200", ok("Nhiệm vụ", array(schema("Assignment")))), &["401", "404", "422"]),
            }
        },
        "/api/milestones/{id}": {
            "get": {
                "operationId": "getMilestone", "tags": ["tracking"],
                "summary": "Một mốc thời hạn và lịch sử tiến độ của nó (404 với cán bộ cơ quan khác)",
                "parameters": [milestone_id.clone(), as_of_parameter()],
                "responses": responses(("200", ok("Mốc", schema("MilestoneDetail"))), &["401", "404", "422"]),
            }
        },
        "/api/milestones/{id}/progress": {
            "post": {
                "operationId": "recordProgress", "tags": ["tracking"], "security": write_security(),
                "summary": "Ghi tiến độ của một mốc (cán bộ của chính cơ quan đó hoặc quản trị)",
                "parameters": [milestone_id],
                "requestBody": json_body("ProgressRequest"),
                "responses": responses(
                    ("200", ok("Đã ghi", schema("ProgressResult"))),
                    &["400", "401", "403", "404", "413", "415", "422"],
                ),
            }
        },
        "/api/dashboard": {
            "get": {
                "operationId": "dashboard", "tags": ["tracking"],
                "summary": "Bảng điều khiển toàn tỉnh: số mốc theo trạng thái, theo lĩnh vực và nhóm cơ quan; \
                            quá hạn; sắp đến hạn",
                "parameters": [as_of_parameter()],
                "responses": responses(("200", ok("Bảng điều khiển", schema("Dashboard"))), &["401", "422"]),
            }
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "openapi", "tags": ["meta"], "security": [],
                "summary": "Tài liệu OpenAPI này",
                "responses": {"200": ok("Tài liệu OpenAPI 3.1", json!({"type": "object"}))},
            }
        },
    })
}

/// The whole document.
pub fn document() -> Value {
    let statuses = derived_statuses().join(" | ");
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "cchc — API theo dõi kế hoạch cải cách hành chính",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "API JSON của cchc. Đăng nhập bằng POST /api/session (cookie phiên `{SESSION_COOKIE}`); \
                 mọi thao tác ghi gửi kèm mã CSRF của phiên trong tiêu đề X-CSRF-Token. \
                 Ngày dạng yyyy-mm-dd (đầu vào nhận cả dd/mm/yyyy). \
                 Lỗi trả về {{\"error\", \"details\"}} bằng tiếng Việt. \
                 Trạng thái báo cáo: not_started | in_progress | done; trạng thái tính được: {statuses}."
            ),
        },
        "servers": [{"url": "/"}],
        "tags": [
            {"name": "session", "description": "Đăng nhập, đăng xuất"},
            {"name": "accounts", "description": "Tài khoản: quản trị tạo, khóa, đặt lại mật khẩu; ai cũng đổi được mật khẩu của mình"},
            {"name": "plan", "description": "Kế hoạch và danh mục cơ quan"},
            {"name": "tracking", "description": "Nhiệm vụ, mốc thời hạn, tiến độ, bảng điều khiển"},
            {"name": "reports", "description": "Chỉ tiêu, báo cáo định kỳ của cơ quan, tiếp nhận và trả lại"},
            {"name": "meta", "description": "Tài liệu API"},
        ],
        "security": [{"session": []}],
        "paths": merged(paths(), report_paths()),
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                    "description": "Cookie phiên (HttpOnly, SameSite=Lax) do POST /api/session đặt"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
                    "description": "Mã csrf_token của phiên; bắt buộc ở mọi thao tác ghi"},
            },
            "parameters": {
                "AsOf": {"name": "as_of", "in": "query", "required": false,
                    "description": "Tính trạng thái tại ngày này (yyyy-mm-dd hoặc dd/mm/yyyy); \
                                    mặc định hôm nay (giờ Việt Nam)",
                    "schema": {"type": "string"}},
            },
            "responses": {
                "E400": error("Nội dung gửi lên không phải JSON hợp lệ"),
                "E401": error("Cần đăng nhập"),
                "E403": error("Không có quyền, hoặc thiếu / sai mã CSRF"),
                "E404": error("Không tìm thấy"),
                "E413": error("Nội dung gửi lên quá lớn"),
                "E415": error("Nội dung gửi lên phải là application/json"),
                "E422": error("Dữ liệu không hợp lệ; `details` nêu từng vấn đề"),
                "E429": {
                    "description": "Nhập sai nhiều lần: chờ số giây trong Retry-After rồi thử lại",
                    "headers": {"Retry-After": {"description": "Số giây phải chờ", "schema": {"type": "integer"}}},
                    "content": {"application/json": {"schema": schema("Error")}},
                },
            },
            "schemas": merged(schemas(), report_schemas()),
        },
    })
}

// ---------------------------------------------------------------------------------------------
// Periodic reports (`super::reports`).

/// `base` with the entries of `extra` added (both objects).
fn merged(mut base: Value, extra: Value) -> Value {
    if let (Some(target), Value::Object(entries)) = (base.as_object_mut(), extra) {
        target.extend(entries);
    }
    base
}

fn number() -> Value {
    json!({"type": "number"})
}
fn nullable_number() -> Value {
    json!({"type": ["number", "null"]})
}

fn report_schemas() -> Value {
    let report_statuses = vec!["missing", "draft", "submitted", "returned", "accepted"];
    let standings = vec!["not_submitted", "awaiting", "returned", "accepted"];
    let reporting_kinds: Vec<&str> = cchc_services::reporting::REPORTING_KINDS.iter().map(|k| k.as_str()).collect();
    let levels: Vec<&str> = [AdminLevel::Tinh, AdminLevel::Huyen, AdminLevel::Xa].iter().map(|l| l.as_str()).collect();
    let areas: Vec<&str> = AreaCode::ALL.iter().map(|a| a.as_str()).collect();
    let parts = vec!["numerator", "denominator"];
    let importance = vec!["error", "warning"];
    let completeness = |description: &str, kind: Value| {
        object(
            description,
            vec![
                ("kind", kind),
                ("label", string()),
                ("expected", integer()),
                ("not_submitted", json!({"type": "integer", "description": "Chưa lập hoặc đang soạn"})),
                ("awaiting", json!({"type": "integer", "description": "Đã gửi, chờ tiếp nhận"})),
                (
                    "returned",
                    json!({"type": "integer", "description": "Bị trả lại, chờ gửi lại (không tính là đã gửi)"}),
                ),
                ("accepted", integer()),
                ("submitted", json!({"type": "integer", "description": "awaiting + accepted"})),
                ("on_time", integer()),
                ("late", integer()),
                ("missing", json!({"type": "integer", "description": "Như not_submitted (giữ cho tương thích)"})),
                (
                    "submitted_percent",
                    json!({"type": "number", "description": "Làm tròn một chữ số thập phân, nửa lên"}),
                ),
                ("on_time_percent", number()),
            ],
        )
    };
    let operand = object(
        "Toán hạng: một phần của chỉ tiêu, hoặc một hằng số.",
        vec![
            ("indicator", nullable_string()),
            ("part", json!({"type": ["string", "null"], "enum": ["numerator", "denominator", null]})),
            ("constant", nullable_number()),
        ],
    );
    json!({
        "IndicatorThreshold": object("Mục tiêu của chỉ tiêu ở một cấp (level = null: mọi cấp).", vec![
            ("level", json!({"type": ["string", "null"], "enum": [levels[0], levels[1], levels[2], null]})),
            ("level_label", nullable_string()),
            ("op", enumeration(vec![">=", ">", "=", "<=", "<", "range"])),
            ("value", number()),
            ("upper", nullable_number()),
        ]),
        "Indicator": object("Chỉ tiêu của kế hoạch: cơ quan báo cáo tử số và mẫu số.", vec![
            ("code", json!({"type": "string", "example": "VII.2.1"})),
            ("name", string()),
            ("area", enumeration(areas.clone())),
            ("area_title", string()),
            ("numerator", json!({"type": "string", "description": "Định nghĩa tử số"})),
            ("denominator", json!({"type": "string", "description": "Định nghĩa mẫu số"})),
            ("unit", string()),
            ("direction", enumeration(vec!["higher_is_better", "lower_is_better"])),
            ("thresholds", array(schema("IndicatorThreshold"))),
            ("reporters", array(enumeration(reporting_kinds.clone()))),
            ("agencies", json!({"type": "array", "items": string(),
                "description": "Cơ quan được giao: với loại cơ quan có tên ở đây, chỉ các cơ quan này báo cáo"})),
        ]),
        "RuleOperand": operand,
        "ValidationRule": object("Quy tắc kiểm tra: tổng vế trái so với tổng vế phải.", vec![
            ("id", string()),
            ("message", string()),
            ("left", array(schema("RuleOperand"))),
            ("operator", enumeration(vec!["<=", "<", ">=", ">", "="])),
            ("right", array(schema("RuleOperand"))),
            ("importance", enumeration(importance.clone())),
            ("skip_when_missing", boolean()),
        ]),
        "Catalogue": object("Danh mục chỉ tiêu và quy tắc kiểm tra đang áp dụng.", vec![
            ("version", json!({"type": "integer", "description": "0: danh mục kèm kế hoạch; khác 0: phiên bản đã sửa"})),
            ("indicators", array(schema("Indicator"))),
            ("rules", array(schema("ValidationRule"))),
        ]),
        "ReportingPeriod": object("Kỳ báo cáo.", vec![
            ("id", json!({"type": "string", "example": "2024S1"})),
            ("name", string()),
            ("label", string()),
            ("window", enumeration(vec!["quý", "lũy kế từ đầu năm"])),
            ("data_from", date()),
            ("data_to", date()),
            ("due", date()),
        ]),
        "Completeness": completeness(
            "Tình hình gửi báo cáo của một nhóm cơ quan (kind = null: tất cả).",
            json!({"type": ["string", "null"], "enum": [reporting_kinds[0], reporting_kinds[1], reporting_kinds[2], reporting_kinds[3], null]}),
        ),
        "AgencyReportStatus": object("Một cơ quan phải báo cáo và trạng thái báo cáo của nó.", vec![
            ("id", string()),
            ("name", string()),
            ("kind", enumeration(reporting_kinds)),
            ("status", enumeration(report_statuses.clone())),
            ("standing", enumeration(standings)),
            ("status_label", string()),
            ("submitted_on", nullable_date()),
            ("received_on", nullable_date()),
            ("due", date()),
            ("extended", boolean()),
            ("late", boolean()),
            ("returned_reason", nullable_string()),
        ]),
        "PeriodStatus": object("Tình hình báo cáo của một kỳ.", vec![
            ("period", schema("ReportingPeriod")),
            ("whole_province", boolean()),
            ("overall", schema("Completeness")),
            ("groups", array(schema("Completeness"))),
            ("agencies", array(schema("AgencyReportStatus"))),
        ]),
        "ReportValue": object("Trả lời của một chỉ tiêu: tử số và mẫu số, hoặc «không áp dụng» kèm lý do.", vec![
            ("code", string()),
            ("numerator", nullable_number()),
            ("denominator", nullable_number()),
            ("not_applicable", nullable_string()),
        ]),
        "Report": object("Báo cáo của một cơ quan trong một kỳ (status = missing: chưa lập).", vec![
            ("id", json!({"type": ["integer", "null"]})),
            ("period", string()),
            ("agency", schema("AgencyRef")),
            ("status", enumeration(report_statuses)),
            ("status_label", string()),
            ("editable", boolean()),
            ("submitted_on", nullable_date()),
            ("received_on", nullable_date()),
            ("received_reason", nullable_string()),
            ("due", date()),
            ("late", boolean()),
            ("returned_reason", nullable_string()),
            ("updated_at", json!({"type": ["string", "null"], "format": "date-time"})),
            ("values", array(schema("ReportValue"))),
            ("narratives", json!({
                "type": "object", "description": "Thuyết minh theo lĩnh vực (khóa I–VIII)",
                "additionalProperties": string()
            })),
        ]),
        "ReportEvent": object("Một bước xử lý của báo cáo.", vec![
            ("kind", enumeration(vec!["saved", "submitted", "returned", "accepted", "reopened", "received"])),
            ("kind_label", string()),
            ("reason", string()),
            ("user", nullable_string()),
            ("at", json!({"type": "string", "format": "date-time"})),
        ]),
        "ValueChange": object("Một lần thay đổi số liệu (cũ → mới).", vec![
            ("indicator", string()),
            ("part", enumeration(parts.clone())),
            ("old_value", nullable_number()),
            ("new_value", nullable_number()),
            ("user", nullable_string()),
            ("at", json!({"type": "string", "format": "date-time"})),
        ]),
        "ReportDetail": {"allOf": [schema("Report"), object("Báo cáo, kỳ, quyền và lịch sử.", vec![
            ("period_detail", schema("ReportingPeriod")),
            ("can_write", boolean()),
            ("indicators", array(string())),
            ("earlier", array(object("Trả lời của cơ quan ở một kỳ trước trong năm.", vec![
                ("period", string()),
                ("status", enumeration(vec!["draft", "submitted", "returned", "accepted"])),
                ("values", array(schema("ReportValue"))),
            ]))),
            ("extensions", array(schema("Extension"))),
            ("events", array(schema("ReportEvent"))),
            ("value_history", array(schema("ValueChange"))),
        ])]},
        "Violation": object("Quy tắc bị vi phạm: error chặn việc gửi, warning chỉ cảnh báo.", vec![
            ("rule", string()),
            ("importance", enumeration(importance)),
            ("message", string()),
            ("indicators", array(string())),
        ]),
        "SaveReportRequest": request(
            "Bản nháp đầy đủ: số liệu và thuyết minh không gửi lên sẽ bị xóa.",
            &[],
            vec![
                ("values", array(request("Trả lời của một chỉ tiêu: tử số và mẫu số, hoặc lý do «không áp dụng».", &["code"], vec![
                    ("code", json!({"type": "string", "pattern": "^(I|II|III|IV|V|VI|VII|VIII)(\\.[0-9]{1,3})+$", "example": "VII.2.1"})),
                    ("numerator", json!({"type": ["number", "null"], "minimum": 0, "maximum": 1_000_000_000_000u64})),
                    ("denominator", json!({"type": ["number", "null"], "minimum": 0, "maximum": 1_000_000_000_000u64})),
                    ("not_applicable", json!({"type": ["string", "null"], "maxLength": 2000})),
                ]))),
                ("narratives", json!({
                    "type": "object", "description": "Thuyết minh theo lĩnh vực: {\"II\": \"…\"}",
                    "additionalProperties": {"type": ["string", "null"]}
                })),
            ],
        ),
        "SaveReportResult": object("Báo cáo đã lưu và các quy tắc bị vi phạm.", vec![
            ("report", schema("Report")),
            ("violations", array(schema("Violation"))),
        ]),
        "ReturnReportRequest": request("Trả lại báo cáo.", &["reason"], vec![("reason", json!({"type": "string", "minLength": 1, "maxLength": 2000, "pattern": "\\S"}))]),
        "ReceiptRequest": request("Ghi nhận ngày nhận báo cáo (giấy, thư điện tử).", &["date", "reason"], vec![
            ("date", json!({"type": "string", "format": "date", "description": "yyyy-mm-dd hoặc dd/mm/yyyy"})),
            ("reason", json!({"type": "string", "minLength": 1, "maxLength": 2000, "pattern": "\\S"})),
        ]),
        "ExtensionRequest": request("Gia hạn gửi báo cáo cho một cơ quan.", &["until", "reason"], vec![
            ("until", json!({"type": "string", "format": "date", "description": "Hạn mới, sau hạn của kỳ"})),
            ("reason", json!({"type": "string", "minLength": 1, "maxLength": 2000, "pattern": "\\S"})),
        ]),
        "Extension": object("Một lần gia hạn (lần sau cùng có hiệu lực).", vec![
            ("agency", string()),
            ("period", string()),
            ("until", date()),
            ("reason", string()),
            ("user", nullable_string()),
            ("at", json!({"type": "string", "format": "date-time"})),
        ]),
        "ResultSources": object("Các báo cáo được tổng hợp.", vec![
            ("expected", integer()),
            ("accepted", integer()),
            ("awaiting", integer()),
            ("returned", json!({"type": "integer", "description": "Báo cáo bị trả lại: không tính cho đến khi gửi lại"})),
            ("sentence", string()),
        ]),
        "IndicatorResult": object("Kết quả một chỉ tiêu ở một cấp (level = null: toàn tỉnh).", vec![
            ("indicator", string()),
            ("name", string()),
            ("area", enumeration(areas.clone())),
            ("level", json!({"type": ["string", "null"], "enum": [levels[0], levels[1], levels[2], null]})),
            ("level_label", string()),
            ("numerator", json!({"type": "number", "description": "Tổng tử số (chính xác)"})),
            ("denominator", json!({"type": "number", "description": "Tổng mẫu số (chính xác)"})),
            ("value", json!({"type": ["number", "null"], "description": "Tử số ÷ mẫu số × 100, làm tròn một chữ số thập phân (nửa lên)"})),
            ("value_text", nullable_string()),
            ("threshold", json!({"oneOf": [schema("IndicatorThreshold"), {"type": "null"}]})),
            ("threshold_text", nullable_string()),
            ("verdict", enumeration(vec!["met", "not_met", "no_data", "no_target"])),
            ("verdict_label", string()),
            ("range_position", json!({"type": ["string", "null"], "enum": ["below", "within", "above", null]})),
            ("reading", string()),
            ("reporting_agencies", integer()),
            ("not_applicable", integer()),
        ]),
        "Results": object("Kết quả các chỉ tiêu của một kỳ theo cấp.", vec![
            ("period", schema("ReportingPeriod")),
            ("sources", schema("ResultSources")),
            ("results", array(schema("IndicatorResult"))),
        ]),
    })
}

fn report_paths() -> Value {
    let path_parameters = json!([
        {"name": "period", "in": "path", "required": true, "schema": {"type": "string"},
            "description": "Mã kỳ: 2024Q1, 2024S1, 2024Q3, 2024"},
        {"name": "agency", "in": "path", "required": true, "schema": {"type": "string"},
            "description": "Mã cơ quan, ví dụ ubnd-xa-03646"},
    ]);
    let write = |operation: &str, summary: &str, body: Option<&str>, result: Value, errors: &[&str]| {
        let mut op = json!({
            "operationId": operation, "tags": ["reports"], "security": write_security(),
            "summary": summary,
            "parameters": path_parameters.clone(),
            "responses": responses(("200", ok("Kết quả", result)), errors),
        });
        if let (Some(name), Some(map)) = (body, op.as_object_mut()) {
            map.insert("requestBody".to_string(), json_body(name));
        }
        op
    };
    json!({
        "/api/indicators": {
            "get": {
                "operationId": "listIndicators", "tags": ["reports"],
                "summary": "Danh mục chỉ tiêu (tử số, mẫu số, mục tiêu theo cấp, cơ quan báo cáo) và quy tắc kiểm tra",
                "responses": responses(("200", ok("Danh mục", schema("Catalogue"))), &["401"]),
            }
        },
        "/api/reports": {
            "get": {
                "operationId": "reportStatus", "tags": ["reports"],
                "summary": "Tình hình báo cáo của một kỳ: phải báo cáo, chưa gửi, chờ tiếp nhận, bị trả lại, đã tiếp nhận, \
                            đúng hạn, trễ hạn theo nhóm và từng cơ quan (quản trị, lãnh đạo; UBND cấp huyện: các xã của huyện)",
                "parameters": [json!({"name": "period", "in": "query", "required": true,
                    "description": "Mã kỳ: 2024Q1, 2024S1, 2024Q3, 2024", "schema": {"type": "string"}})],
                "responses": responses(("200", ok("Tình hình", schema("PeriodStatus"))), &["401", "403", "404", "422"]),
            }
        },
        "/api/reports/{period}/results": {
            "get": {
                "operationId": "reportResults", "tags": ["reports"],
                "summary": "Kết quả các chỉ tiêu của toàn tỉnh theo cấp (tổng tử số ÷ tổng mẫu số của các báo cáo chờ tiếp nhận và đã tiếp nhận; quản trị, lãnh đạo)",
                "parameters": [path_parameters[0].clone()],
                "responses": responses(("200", ok("Kết quả", schema("Results"))), &["401", "403", "404"]),
            }
        },
        "/api/reports/{period}/{agency}": {
            "get": {
                "operationId": "getReport", "tags": ["reports"],
                "summary": "Báo cáo của một cơ quan trong một kỳ: số liệu, thuyết minh, lịch sử xử lý và lịch sử số liệu",
                "parameters": path_parameters.clone(),
                "responses": responses(("200", ok("Báo cáo", schema("ReportDetail"))), &["401", "403", "404", "422"]),
            },
            "put": write(
                "saveReport",
                "Lưu nháp (thay toàn bộ số liệu và thuyết minh); trả về các quy tắc bị vi phạm",
                Some("SaveReportRequest"),
                schema("SaveReportResult"),
                &["400", "401", "403", "404", "413", "415", "422"],
            ),
        },
        "/api/reports/{period}/{agency}/submit": {
            "post": write(
                "submitReport",
                "Gửi báo cáo (bị chặn khi còn lỗi; gửi sau hạn bị đánh dấu trễ hạn; hai lần gửi đồng thời chỉ một lần thành công)",
                None,
                schema("Report"),
                &["401", "403", "404", "422"],
            ),
        },
        "/api/reports/{period}/{agency}/accept": {
            "post": write(
                "acceptReport",
                "Tiếp nhận báo cáo đã gửi; số liệu bị khóa (chỉ quản trị)",
                None,
                schema("Report"),
                &["401", "403", "404", "422"],
            ),
        },
        "/api/reports/{period}/{agency}/return": {
            "post": write(
                "returnReport",
                "Trả lại báo cáo đã gửi, hoặc mở lại báo cáo đã tiếp nhận, kèm lý do (chỉ quản trị)",
                Some("ReturnReportRequest"),
                schema("Report"),
                &["400", "401", "403", "404", "415", "422"],
            ),
        },
        "/api/reports/{period}/{agency}/receipt": {
            "post": write(
                "recordReportReceipt",
                "Ghi nhận ngày nhận báo cáo (báo cáo giấy, thư điện tử) kèm lý do; tính đúng hạn theo ngày này (chỉ quản trị)",
                Some("ReceiptRequest"),
                schema("Report"),
                &["400", "401", "403", "404", "415", "422"],
            ),
        },
        "/api/reports/{period}/{agency}/extension": {
            "post": write(
                "grantReportExtension",
                "Gia hạn gửi báo cáo cho một cơ quan, kèm lý do (chỉ quản trị)",
                Some("ExtensionRequest"),
                schema("Extension"),
                &["400", "401", "403", "404", "415", "422"],
            ),
        },
    })
}
