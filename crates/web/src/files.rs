//! Evidence files. The type of an upload is decided by its first bytes (never by what the
//! browser claims), the file name's extension must agree with it, and the content is stored once
//! under `files_dir/<first two hex of sha256>/<sha256>`, written atomically (temporary file, then
//! rename), so storing the same file twice changes nothing. Folders are created for the owner
//! only (0700) and files readable by the owner only (0600).
//!
//! Each progress entry keeps the name its uploader gave the file: `/tep/{sha256}?tien_do={entry}`
//! answers under that entry's name. Downloads are for users who may read the records of an
//! agency whose entry links the file (`App::evidence_file`); anybody else gets 404. A file
//! attached to a PAR Index self-assessment, `/tep/{sha256}?danh_gia={link}`, is for those who
//! may see that assessment (`App::assessment_file`). They are
//! never cached (`Cache-Control: no-store`).

use crate::extract::VnQuery;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use cchc_domain::tracking::StoredFile;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::auth::PageUser;
use crate::error::{PageError, WebError};
use crate::{AppState, MAX_UPLOAD_BYTES};

/// The `accept` attribute of the upload input.
pub const ACCEPT: &str = ".pdf,.docx,.xlsx,.jpg,.jpeg,.png";

/// Longest stored file name, in characters (the extension is kept when shortening).
const MAX_NAME_CHARS: usize = 150;

pub fn routes() -> Router<AppState> {
    Router::new().route("/tep/{sha256}", get(download))
}

/// The file types accepted as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Docx,
    Xlsx,
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// Extensions (lower case, without the dot) a file of this kind may have.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Png => &["png"],
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Docx => &["docx"],
            FileKind::Xlsx => &["xlsx"],
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FileKind::Pdf => "PDF",
            FileKind::Png => "ảnh PNG",
            FileKind::Jpeg => "ảnh JPEG",
            FileKind::Docx => "Word (.docx)",
            FileKind::Xlsx => "Excel (.xlsx)",
        }
    }

    /// The kind a stored content type names, if it is one we accept.
    pub fn from_content_type(content_type: &str) -> Option<FileKind> {
        [FileKind::Pdf, FileKind::Png, FileKind::Jpeg, FileKind::Docx, FileKind::Xlsx]
            .into_iter()
            .find(|k| k.content_type() == content_type)
    }
}

/// The lower-case extension of a file name ("" when none).
fn extension(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((_, ext)) => ext.to_ascii_lowercase(),
        None => String::new(),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Decides the type of an upload from its first bytes and checks that the name's extension
/// agrees. Returns a Vietnamese message on refusal.
pub fn detect(file_name: &str, bytes: &[u8]) -> Result<FileKind, String> {
    let ext = extension(file_name);
    let kind = if bytes.starts_with(b"%PDF-") {
        FileKind::Pdf
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        FileKind::Png
    } else if bytes.starts_with(b"\xFF\xD8\xFF") {
        FileKind::Jpeg
    } else if bytes.starts_with(b"PK\x03\x04") {
        // Office Open XML documents are zip archives; the entry names are stored uncompressed.
        let office = |part: &[u8]| contains(bytes, b"[Content_Types].xml") && contains(bytes, part);
        match ext.as_str() {
            "docx" if office(b"word/") => FileKind::Docx,
            "xlsx" if office(b"xl/") => FileKind::Xlsx,
            "docx" | "xlsx" => {
                return Err(format!("tệp «{file_name}» không phải là tài liệu {} hợp lệ", ext.to_uppercase()));
            }
            _ => {
                return Err(format!(
                    "tệp «{file_name}» là tệp nén (zip); chỉ nhận tệp nén khi đó là tài liệu Word (.docx) hoặc Excel (.xlsx)"
                ));
            }
        }
    } else {
        return Err(format!(
            "tệp «{file_name}» không đúng định dạng cho phép: chỉ nhận PDF, Word (.docx), Excel (.xlsx), ảnh JPEG hoặc PNG \
             (nội dung tệp không khớp với loại nào)"
        ));
    };
    if !kind.extensions().contains(&ext.as_str()) {
        return Err(format!(
            "tên tệp «{file_name}» có phần mở rộng không khớp với nội dung ({}); hãy đặt tên có đuôi .{}",
            kind.label(),
            kind.extensions().first().copied().unwrap_or("")
        ));
    }
    Ok(kind)
}

/// Checks size and type of an upload without storing it.
pub fn check_upload(file_name: &str, bytes: &[u8]) -> Result<FileKind, String> {
    if bytes.is_empty() {
        return Err(format!("tệp «{file_name}» rỗng (0 byte)"));
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(too_big_message(file_name));
    }
    detect(file_name, bytes)
}

/// The message for an upload over the limit.
pub fn too_big_message(file_name: &str) -> String {
    format!("tệp «{file_name}» lớn quá {} MB", MAX_UPLOAD_BYTES / (1024 * 1024))
}

/// The name kept for a file: the last path component, no control characters, NFC, spaces
/// collapsed, at most [`MAX_NAME_CHARS`] characters (the extension is kept).
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let visible: String = base.chars().filter(|c| !c.is_control() && *c != '"').collect();
    let cleaned = cchc_domain::text::clean(&visible);
    if cleaned.chars().count() <= MAX_NAME_CHARS {
        return cleaned;
    }
    let ext = extension(&cleaned);
    let keep = MAX_NAME_CHARS.saturating_sub(ext.chars().count() + 1);
    let stem: String = cleaned.chars().take(keep).collect();
    if ext.is_empty() {
        stem
    } else {
        format!("{stem}.{ext}")
    }
}

/// Whether `text` is a SHA-256 in lower-case hex.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The download link of a file as history entry `entry` names it.
pub fn download_link(file: &StoredFile, entry: i64) -> String {
    format!("/tep/{}?tien_do={entry}", file.sha256)
}

/// Where the content with this hash lives.
pub fn stored_path(files_dir: &Path, sha256: &str) -> PathBuf {
    files_dir.join(sha256.get(..2).unwrap_or("00")).join(sha256)
}

/// Checks an upload (non-empty, at most [`MAX_UPLOAD_BYTES`], type by magic bytes agreeing
/// with the extension) and stores it content-addressed. Idempotent.
pub async fn store_upload(files_dir: &Path, file_name: &str, bytes: Vec<u8>) -> Result<StoredFile, WebError> {
    let name = clean_file_name(file_name);
    let shown = if name.is_empty() { "(không tên)" } else { name.as_str() };
    let kind = check_upload(shown, &bytes).map_err(|message| WebError::Invalid(vec![message]))?;
    let sha256: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    let size = bytes.len() as u64;
    let stored_name = if name.is_empty() {
        format!("minh-chung.{}", kind.extensions().first().copied().unwrap_or("bin"))
    } else {
        name
    };
    let target = stored_path(files_dir, &sha256);
    tokio::task::spawn_blocking(move || write_atomically(&target, &bytes))
        .await
        .map_err(|e| internal("lưu tệp", &e))?
        .map_err(|e| internal("lưu tệp", &e))?;
    Ok(StoredFile { sha256, file_name: stored_name, content_type: kind.content_type().to_string(), size })
}

fn internal(what: &str, error: &dyn std::fmt::Display) -> WebError {
    tracing::error!(%error, "{what}");
    WebError::Internal(format!("{what}: {error}"))
}

/// Writes `bytes` to `target` through a temporary file in the same folder and a rename, unless
/// the content is already there.
fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    if std::fs::metadata(target).is_ok_and(|m| m.len() == bytes.len() as u64) {
        return Ok(());
    }
    let dir = target.parent().ok_or_else(|| std::io::Error::other("no parent folder"))?;
    cchc_services::create_private_dir(dir)?;
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("upload");
    let temp = dir.join(format!(".{name}.{}.{}.tmp", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)));
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, target)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// `Content-Disposition` for a download: an ASCII fallback name and the real one (RFC 5987).
pub fn content_disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for b in file_name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// A size as the pages print it: "340 KB", "2,5 MB".
pub fn size_vn(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!(
            "{} MB",
            cchc_domain::number::Percent1::of(bytes as f64 / (1024.0 * 1024.0)).map_or_else(String::new, |p| p.vn())
        )
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// A multipart form with at most one file (field `file`) kept within [`MAX_UPLOAD_BYTES`].
#[derive(Debug, Default)]
pub struct UploadForm {
    fields: Vec<(String, String)>,
    /// (file name as sent, content) when a non-empty file was chosen.
    pub file: Option<(String, Vec<u8>)>,
    /// The cleaned name of a file that went over the size limit.
    pub too_big: Option<String>,
}

impl UploadForm {
    /// The first value of a text field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Reads a multipart form: text fields, and the `file` field without keeping more than the
/// upload limit in memory.
pub async fn read_form(multipart: &mut axum::extract::Multipart) -> Result<UploadForm, PageError> {
    read_form_within(multipart, MAX_UPLOAD_BYTES).await
}

/// [`read_form`] with a file limit of `limit` bytes (the route's body limit must allow it).
pub async fn read_form_within(multipart: &mut axum::extract::Multipart, limit: usize) -> Result<UploadForm, PageError> {
    let failure = |e: axum::extract::multipart::MultipartError| {
        crate::pages::multipart_failure(&e, || too_big_message("đính kèm"))
    };
    let mut form = UploadForm::default();
    while let Some(mut field) = multipart.next_field().await.map_err(failure)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let mut bytes = Vec::new();
            let mut too_big = false;
            while let Some(chunk) = field.chunk().await.map_err(failure)? {
                if too_big || bytes.len() + chunk.len() > limit {
                    too_big = true;
                    bytes = Vec::new();
                } else {
                    bytes.extend_from_slice(&chunk);
                }
            }
            if too_big {
                form.too_big = Some(clean_file_name(&file_name));
            } else if !(file_name.is_empty() && bytes.is_empty()) {
                form.file = Some((file_name, bytes));
            }
            continue;
        }
        let value = field.text().await.map_err(failure)?;
        form.fields.push((name, value));
    }
    Ok(form)
}

/// The query of a download: which progress entry's name to use, or which assessment link.
#[derive(Debug, Default, Deserialize)]
struct DownloadQuery {
    tien_do: Option<String>,
    danh_gia: Option<String>,
}

async fn download(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UrlPath(sha256): UrlPath<String>,
    VnQuery(query): VnQuery<DownloadQuery>,
) -> Result<Response, PageError> {
    let missing = || PageError(WebError::NotFound("tệp minh chứng này".to_string()));
    if !is_sha256(&sha256) {
        return Err(missing());
    }
    let number = |raw: Option<String>| raw.map(|r| r.trim().parse::<i64>().map_err(|_| missing())).transpose();
    let meta = match number(query.danh_gia)? {
        Some(link) => state.app.assessment_file(Some(&user.user), &sha256, link).await?,
        None => state.app.evidence_file(&user.user, &sha256, number(query.tien_do)?).await?,
    };
    let path = stored_path(&state.files_dir, &sha256);
    let read = tokio::task::spawn_blocking(move || std::fs::read(path)).await.map_err(|e| internal("đọc tệp", &e))?;
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
        Err(e) => return Err(PageError(internal("đọc tệp", &e))),
    };
    let content_type =
        FileKind::from_content_type(&meta.content_type).map_or("application/octet-stream", FileKind::content_type);
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&content_disposition(&meta.file_name)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_content_and_must_agree_with_the_name() {
        assert_eq!(detect("a.pdf", b"%PDF-1.7 ..."), Ok(FileKind::Pdf));
        assert_eq!(detect("A.PDF", b"%PDF-1.7 ..."), Ok(FileKind::Pdf));
        assert_eq!(detect("a.jpeg", b"\xFF\xD8\xFF\xE0...."), Ok(FileKind::Jpeg));
        assert_eq!(detect("a.png", b"\x89PNG\r\n\x1a\n...."), Ok(FileKind::Png));
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml";
        assert_eq!(detect("bao-cao.docx", docx), Ok(FileKind::Docx));
        assert!(detect("bao-cao.xlsx", docx).is_err());
        assert!(detect("bao-cao.zip", docx).is_err());
        assert!(detect("a.png", b"%PDF-1.7").is_err());
        let exe = detect("virus.pdf", b"MZ\x90\x00").unwrap_err();
        assert!(exe.contains("không đúng định dạng"), "{exe}");
    }

    #[test]
    fn names_are_cleaned_and_disposition_is_rfc5987() {
        assert_eq!(clean_file_name("C:\\Users\\x\\Kế hoạch 15.pdf"), "Kế hoạch 15.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        let long = format!("{}.pdf", "a".repeat(400));
        let cleaned = clean_file_name(&long);
        assert!(cleaned.ends_with(".pdf") && cleaned.chars().count() <= MAX_NAME_CHARS);
        let cd = content_disposition("Kế hoạch.pdf");
        assert!(cd.starts_with("attachment; filename=\"K_ ho_ch.pdf\""), "{cd}");
        assert!(cd.contains("filename*=UTF-8''K%E1%BA%BF%20ho%E1%BA%A1ch.pdf"), "{cd}");
    }

    #[tokio::test]
    async fn storing_is_content_addressed_and_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let first = store_upload(dir.path(), "kh.pdf", b"%PDF-1.4 hello".to_vec()).await.unwrap();
        let again = store_upload(dir.path(), "kh.pdf", b"%PDF-1.4 hello".to_vec()).await.unwrap();
        assert_eq!(first, again);
        let path = stored_path(dir.path(), &first.sha256);
        assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-1.4 hello");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600, "the file is the owner's only");
            assert_eq!(mode(path.parent().unwrap()), 0o700, "its folder is the owner's only");
        }
        assert!(matches!(store_upload(dir.path(), "x.pdf", Vec::new()).await, Err(WebError::Invalid(_))));
        let big = vec![b'%'; MAX_UPLOAD_BYTES + 1];
        assert!(matches!(store_upload(dir.path(), "x.pdf", big).await, Err(WebError::Invalid(_))));
    }
}
