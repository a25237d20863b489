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
