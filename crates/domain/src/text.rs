//! Vietnamese text normalisation.
//!
//! Documents arrive in NFC or NFD, with CRLF or LF line ends and sometimes a byte-order mark.
//! Everything inside the system is NFC. For matching (agency names, search) text is *folded*:
//! lower case, diacritics removed, `đ` → `d`, punctuation turned into spaces, spaces collapsed.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Canonical composition (NFC) with line ends unified to `\n` and a leading BOM removed.
pub fn normalize_document(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    unified.nfc().collect()
}

/// Why a text typed by a user was refused (Vietnamese, to follow the field's name).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error(
        "dài {} ký tự, tối đa {} ký tự",
        crate::number::group_thousands(*.length as u64),
        crate::number::group_thousands(*.max as u64)
    )]
    TooLong { length: usize, max: usize },
    #[error("có ký tự điều khiển không hợp lệ (mã U+{0:04X}); hãy xóa ký tự đó hoặc gõ lại đoạn văn bản")]
    ControlCharacter(u32),
}

/// A text a user typed (a narrative, a reason): normalised like a document, trimmed, at most
/// `max_chars` characters, free of control characters other than line breaks and tabs. The one
/// check every form, upload and API field goes through.
pub fn checked_text(text: &str, max_chars: usize) -> Result<String, TextError> {
    let text = normalize_document(text);
    let text = text.trim();
    if let Some(c) = text.chars().find(|c| c.is_control() && !matches!(c, '\n' | '\t')) {
        return Err(TextError::ControlCharacter(u32::from(c)));
    }
    let length = text.chars().count();
    if length > max_chars {
        return Err(TextError::TooLong { length, max: max_chars });
    }
    Ok(text.to_string())
}

/// NFC form of a short string, trimmed, inner whitespace collapsed to single spaces.
pub fn clean(text: &str) -> String {
    let composed: String = text.nfc().collect();
    composed.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Accent- and case-insensitive key: "Sở Nội vụ" and "so noi vu" fold to the same string.
/// Punctuation becomes a space, except `&` which is kept as its own token.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            _ => c,
        };
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if c == '&' {
            out.push_str(" & ");
        } else {
            out.push(' ');
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_is_checked_in_one_place() {
        assert_eq!(checked_text("  Kết quả\r\ndòng 2\t ", 100), Ok("Kết quả\ndòng 2".to_string()));
        assert_eq!(checked_text("a\u{0}b", 100), Err(TextError::ControlCharacter(0)));
        assert_eq!(checked_text("a\u{1b}b", 100), Err(TextError::ControlCharacter(0x1b)));
        let long = "ă".repeat(30_001);
        let error = checked_text(&long, 30_000).unwrap_err();
        assert_eq!(error.to_string(), "dài 30.001 ký tự, tối đa 30.000 ký tự");
        assert_eq!(checked_text("", 10), Ok(String::new()));
    }

    #[test]
    fn fold_removes_accents_case_and_punctuation() {
        assert_eq!(fold("Sở Nội vụ"), "so noi vu");
        assert_eq!(fold("SỞ  NỘI VỤ;"), "so noi vu");
        assert_eq!(fold("Đài Phát thanh"), "dai phat thanh");
        assert_eq!(fold("TT&TT"), "tt & tt");
    }

    #[test]
    fn nfd_and_nfc_documents_normalise_identically() {
        let nfc = "Kế hoạch\r\nSở Nội vụ";
        let nfd: String = nfc.nfd().collect();
        let with_bom = format!("\u{feff}{nfd}");
        assert_eq!(normalize_document(nfc), normalize_document(&with_bom));
        assert_eq!(normalize_document(nfc), "Kế hoạch\nSở Nội vụ");
    }
}
