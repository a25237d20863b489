//! Vietnamese for what serde and axum say in English. Deserialising a form, a query string or a
//! JSON body fails with messages such as "missing field `csrf_token`" or "invalid type: integer
//! `5`, expected a string", and axum's own rejections ("Failed to deserialize form body: …",
//! "Form requests must have `Content-Type: …`") are plain English text. Nothing of that reaches
//! a user: these functions turn it into Vietnamese phrases, and the error layer
//! ([`crate::layers`]) rewrites any plain-text error answer with them.
//!
//! Values are quoted shortened (a number of 309 digits, a string of 10 000 characters is not
//! echoed back).

use axum::http::{Method, StatusCode};

/// Longest piece of user input quoted back in a message, in characters.
pub const MAX_QUOTED_CHARS: usize = 40;

/// `text` cut to [`MAX_QUOTED_CHARS`] characters, with "…" when cut.
pub fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_QUOTED_CHARS {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(MAX_QUOTED_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// A serde error message (serde_json, serde_urlencoded, axum's path and query deserialisers) in
/// Vietnamese, without its position.
pub fn serde_vn(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message).trim();
    if let Some(field) = between(message, "missing field `", "`") {
        return format!("thiếu trường «{}»", shorten(field));
    }
    if let Some(field) = between(message, "duplicate field `", "`") {
        return format!("trường «{}» xuất hiện hai lần", shorten(field));
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or_default();
        return format!("trường không xác định «{}»{}", shorten(field), accepted(rest));
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let value = rest.split('`').next().unwrap_or_default();
        return format!("giá trị «{}» không hợp lệ{}", shorten(value), accepted(rest));
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (got, expected) = rest.rsplit_once(", expected ").unwrap_or((rest, ""));
        return format!("sai kiểu dữ liệu: cần {}, nhận {}", expected_vn(expected), unexpected_vn(got));
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        let (got, expected) = rest.rsplit_once(", expected ").unwrap_or((rest, ""));
        return format!("giá trị không hợp lệ: cần {}, nhận {}", expected_vn(expected), unexpected_vn(got));
    }
    if let Some(rest) = message.strip_prefix("invalid length ") {
        let expected = rest.split_once(", expected ").map_or("", |(_, e)| e);
        return format!("số phần tử không đúng: cần {}", expected_vn(expected));
    }
    if message.contains("number out of range") || message.contains("number too large") {
        return "số quá lớn".to_string();
    }
    if message.contains("number too small") {
        return "số quá nhỏ".to_string();
    }
    if message.contains("invalid digit")
        || message.contains("cannot parse integer")
        || message.contains("invalid float literal")
        || message.contains("cannot parse float")
    {
        return "không phải là số hợp lệ".to_string();
    }
    if message.contains("provided string was not `true` or `false`") {
        return "cần true hoặc false".to_string();
    }
    if message.contains("control character") {
        return "chuỗi có ký tự điều khiển không hợp lệ".to_string();
    }
    if message.contains("recursion limit") {
        return "nội dung lồng nhau quá sâu".to_string();
    }
    if message.contains("EOF while parsing") {
        return "nội dung bị cắt cụt".to_string();
    }
    "dữ liệu không đúng cấu trúc yêu cầu".to_string()
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    text.strip_prefix(start)?.split(end).next()
}

/// "; chỉ nhận a, b" from "…, expected one of `a`, `b`" ("" when serde lists nothing).
fn accepted(rest: &str) -> String {
    let Some((_, list)) = rest.split_once("expected one of ").or_else(|| rest.split_once("expected ")) else {
        return String::new();
    };
    let names: Vec<String> = list.split(", ").map(|n| shorten(n.trim().trim_matches('`'))).collect();
    if names.is_empty() || names.iter().all(String::is_empty) {
        String::new()
    } else {
        format!(" (chỉ nhận {})", names.join(", "))
    }
}

/// What serde expected ("a string", "u32", "struct ProgressRequest") in Vietnamese.
fn expected_vn(expected: &str) -> String {
    let e = expected.trim();
    let e = e.strip_prefix("a ").or_else(|| e.strip_prefix("an ")).unwrap_or(e);
    let text = match e {
        "string" | "borrowed string" | "char" | "character" => "chuỗi",
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "số nguyên không âm",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "integer" => "số nguyên",
        "f32" | "f64" | "number" | "float" => "số",
        "boolean" | "bool" => "true hoặc false",
        "sequence" | "tuple" | "array" => "danh sách",
        "map" | "object" => "đối tượng",
        "" => "kiểu khác",
        other if other.starts_with("struct ") => "đối tượng",
        other if other.starts_with("tuple") => "danh sách",
        other if other.starts_with("sequence") || other.starts_with("array") => "danh sách",
        other if other.starts_with("map") => "đối tượng",
        other if other.starts_with("string") || other.contains("date") => "chuỗi",
        other if other.contains("integer") => "số nguyên",
        _ => "kiểu khác",
    };
    text.to_string()
}

/// What serde got ("integer `5`", "floating point `1e308`", "string \"abc\"") in Vietnamese.
fn unexpected_vn(got: &str) -> String {
    let got = got.trim();
    let quoted = |prefix: &str| -> Option<String> {
        let rest = got.strip_prefix(prefix)?;
        Some(rest.trim().trim_matches('`').trim_matches('"').to_string())
    };
    if let Some(value) = quoted("integer") {
        return number_vn("số nguyên", &value);
    }
    if let Some(value) = quoted("floating point") {
        return number_vn("số thực", &value);
    }
    if let Some(value) = quoted("boolean") {
        return format!("giá trị {value}");
    }
    if let Some(value) = quoted("string").or_else(|| quoted("character")) {
        return format!("chuỗi «{}»", shorten(&value));
    }
    let text = match got {
        "null" | "unit value" | "Option value" => "giá trị rỗng (null)",
        "sequence" => "danh sách",
        "map" => "đối tượng",
        "byte array" => "dãy byte",
        _ => "giá trị khác",
    };
    text.to_string()
}

/// A number quoted back: as typed when short, otherwise only its kind.
fn number_vn(kind: &str, value: &str) -> String {
    if value.is_empty() {
        kind.to_string()
    } else if value.chars().count() <= 20 {
        format!("{kind} {value}")
    } else {
        format!("{kind} quá lớn")
    }
}

/// The Vietnamese of an error answer axum gave in plain text (a rejection of an extractor or its
/// default 404 / 405): the message and details, for `method` on an API route or a page.
pub fn plain_answer_vn(status: StatusCode, method: &Method, api: bool, body: &str) -> (String, Vec<String>) {
    let body = body.trim();
    let detail = |prefix: &str| body.strip_prefix(prefix).map(|rest| vec![serde_vn(rest.trim())]);
    if let Some(details) = detail("Failed to deserialize form body:").or_else(|| detail("Failed to deserialize form:"))
    {
        return ("không đọc được biểu mẫu gửi lên; hãy tải lại trang và thử lại".to_string(), details);
    }
    if let Some(details) = detail("Failed to deserialize query string:") {
        return ("tham số trên địa chỉ không hợp lệ".to_string(), details);
    }
    if let Some(rest) = body.strip_prefix("Failed to deserialize the JSON body into the target type:") {
        return (
            "dữ liệu không hợp lệ".to_string(),
            vec![format!("nội dung JSON không đúng cấu trúc yêu cầu: {}", serde_vn(rest.trim()))],
        );
    }
    if body.starts_with("Failed to parse the request body as JSON") {
        return ("nội dung gửi lên không phải JSON hợp lệ".to_string(), Vec::new());
    }
    let message = match status {
        StatusCode::NOT_FOUND if api => "không có địa chỉ API này; xem /api/openapi.json".to_string(),
        StatusCode::NOT_FOUND => "không tìm thấy trang này; hãy kiểm tra lại địa chỉ".to_string(),
        StatusCode::METHOD_NOT_ALLOWED if api => "địa chỉ API này không nhận phương thức HTTP đó".to_string(),
        StatusCode::METHOD_NOT_ALLOWED => {
            format!(
                "trang này không nhận yêu cầu {}; hãy mở trang từ đường dẫn trong hệ thống",
                shorten(method.as_str())
            )
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            format!("nội dung gửi lên quá lớn (tối đa {} MB)", crate::MAX_UPLOAD_BYTES / (1024 * 1024))
        }
        StatusCode::URI_TOO_LONG => "địa chỉ quá dài".to_string(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE if body.contains("application/x-www-form-urlencoded") => {
            "biểu mẫu phải gửi dạng application/x-www-form-urlencoded; hãy gửi từ trang của hệ thống".to_string()
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE if body.contains("multipart") => {
            "biểu mẫu phải gửi dạng multipart/form-data".to_string()
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE if api || body.contains("json") => {
            "nội dung gửi lên phải là JSON (tiêu đề Content-Type: application/json)".to_string()
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "kiểu nội dung gửi lên không được hỗ trợ".to_string(),
        StatusCode::UNAUTHORIZED => "cần đăng nhập".to_string(),
        StatusCode::FORBIDDEN => "không có quyền".to_string(),
        StatusCode::TOO_MANY_REQUESTS => "quá nhiều yêu cầu; hãy thử lại sau".to_string(),
        s if s.is_server_error() => "lỗi hệ thống; vui lòng thử lại sau".to_string(),
        StatusCode::UNPROCESSABLE_ENTITY => "dữ liệu không hợp lệ".to_string(),
        _ if body.contains("boundary") || body.contains("multipart") => {
            "không đọc được biểu mẫu gửi lên; hãy tải lại trang và thử lại".to_string()
        }
        StatusCode::BAD_REQUEST if body.starts_with("Invalid URL") || body.contains("path") => {
            "địa chỉ không hợp lệ".to_string()
        }
        _ => "yêu cầu không hợp lệ".to_string(),
    };
    (message, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_read_in_vietnamese() {
        assert_eq!(serde_vn("missing field `csrf_token`"), "thiếu trường «csrf_token»");
        assert_eq!(
            serde_vn("invalid type: integer `5`, expected a string at line 1 column 12"),
            "sai kiểu dữ liệu: cần chuỗi, nhận số nguyên 5"
        );
        assert_eq!(
            serde_vn("unknown field `completedOn`, expected one of `status`, `completed_on`"),
            "trường không xác định «completedOn» (chỉ nhận status, completed_on)"
        );
        assert_eq!(
            serde_vn("invalid type: string \"3\", expected u32"),
            "sai kiểu dữ liệu: cần số nguyên không âm, nhận chuỗi «3»"
        );
        assert_eq!(
            serde_vn("invalid type: null, expected a string"),
            "sai kiểu dữ liệu: cần chuỗi, nhận giá trị rỗng (null)"
        );
        assert_eq!(serde_vn("invalid digit found in string"), "không phải là số hợp lệ");
        assert_eq!(serde_vn("something English nobody expected"), "dữ liệu không đúng cấu trúc yêu cầu");
    }

    #[test]
    fn huge_numbers_and_long_strings_are_not_echoed() {
        let huge = format!("invalid type: floating point `{}`, expected u32", "1".to_string() + &"0".repeat(308));
        assert_eq!(serde_vn(&huge), "sai kiểu dữ liệu: cần số nguyên không âm, nhận số thực quá lớn");
        let long = format!("missing field `{}`", "x".repeat(500));
        assert!(serde_vn(&long).chars().count() < 60, "{}", serde_vn(&long));
        assert_eq!(shorten("abc"), "abc");
        assert_eq!(shorten(&"é".repeat(100)).chars().count(), MAX_QUOTED_CHARS);
    }

    #[test]
    fn axum_rejections_read_in_vietnamese() {
        let (message, details) = plain_answer_vn(
            StatusCode::UNPROCESSABLE_ENTITY,
            &Method::POST,
            false,
            "Failed to deserialize form body: missing field `csrf_token`",
        );
        assert!(message.starts_with("không đọc được biểu mẫu"), "{message}");
        assert_eq!(details, ["thiếu trường «csrf_token»"]);
        let (message, _) = plain_answer_vn(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &Method::POST,
            false,
            "Form requests must have `Content-Type: application/x-www-form-urlencoded`",
        );
        assert!(message.contains("application/x-www-form-urlencoded") && message.starts_with("biểu mẫu"), "{message}");
        let (message, _) = plain_answer_vn(StatusCode::METHOD_NOT_ALLOWED, &Method::DELETE, false, "");
        assert!(message.contains("DELETE"), "{message}");
    }
}
