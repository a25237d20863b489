//! The consolidated report (and its annex) as PDF, converted by LibreOffice running headless.
//!
//! **The one exception to "bytes in, bytes out":** this module is the crate's only IO. It writes
//! the document into a fresh private directory under [`std::env::temp_dir`] (mode 0700 on unix,
//! named from the process id, a counter and the time), runs `soffice --headless --convert-to pdf`
//! there with a private LibreOffice profile (so conversions never clash with each other or with a
//! LibreOffice someone has open), kills it after [`TIMEOUT`], reads the PDF back and removes the
//! directory, also when the conversion fails. It reads `PATH` to find `soffice` or `libreoffice`
//! and the clock only to name the directory. Without LibreOffice the server still offers the DOCX:
//! [`PdfError::NotInstalled`] says so in Vietnamese.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Media type of a PDF file.
pub const PDF_TYPE: &str = "application/pdf";

/// How long LibreOffice may take before it is killed (its first start in a fresh profile takes a
/// few seconds; a report converts in well under a minute).
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// The programs tried, in order, on `PATH`.
const PROGRAMS: [&str; 2] = ["soffice", "libreoffice"];

/// Why no PDF could be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("Máy chủ chưa cài LibreOffice nên không tạo được tệp PDF; hãy tải bản DOCX và tự chuyển sang PDF.")]
    NotInstalled,
    /// The detail (LibreOffice's output, an IO error) is for the log, not for the user.
    #[error("không chuyển được sang PDF")]
    Failed(String),
    #[error("không chuyển được sang PDF: LibreOffice không hoàn thành trong {} giây", TIMEOUT.as_secs())]
    Timeout,
}

impl PdfError {
    /// What went wrong, for the log (the Vietnamese message stays short for the user).
    pub fn detail(&self) -> &str {
        match self {
            PdfError::Failed(detail) => detail,
            PdfError::NotInstalled => "soffice/libreoffice not found on PATH",
            PdfError::Timeout => "LibreOffice timed out",
        }
    }
}

/// Whether LibreOffice is installed (a PDF can be offered).
pub fn is_available() -> bool {
    find_program().is_some()
}

/// A DOCX file converted to PDF.
pub fn docx_to_pdf(docx: &[u8]) -> Result<Vec<u8>, PdfError> {
    convert(docx, "docx")
}

/// An XLSX file converted to PDF (each sheet printed as its page setup says).
pub fn xlsx_to_pdf(xlsx: &[u8]) -> Result<Vec<u8>, PdfError> {
    convert(xlsx, "xlsx")
}

fn convert(bytes: &[u8], extension: &str) -> Result<Vec<u8>, PdfError> {
    let program = find_program().ok_or(PdfError::NotInstalled)?;
    let work = WorkDir::create()?;
    let input = work.path.join(format!("bao-cao.{extension}"));
    fs::write(&input, bytes).map_err(|e| failed("writing the input", &e))?;
    let log_path = work.path.join("soffice.log");
    let log = fs::File::create(&log_path).map_err(|e| failed("creating the log", &e))?;
    let profile = work.path.join("profile");
    let child = Command::new(&program)
        .args(["--headless", "--norestore"])
        .arg(format!("-env:UserInstallation={}", file_url(&profile)))
        .args(["--convert-to", "pdf", "--outdir"])
        .arg(&work.path)
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        // LibreOffice wants a writable HOME; the private directory will do.
        .env("HOME", &work.path)
        // Vietnamese number formats in the PDF ("12.480", "56,3") whatever the server's locale:
        // LibreOffice reads the locale from the environment and carries its own locale data.
        .env("LC_ALL", "vi_VN.UTF-8")
        .env("LANG", "vi_VN.UTF-8")
        .spawn()
        .map_err(|e| failed(&format!("starting {}", program.display()), &e))?;
    let status = wait_with_timeout(child, TIMEOUT)?;
    let output = work.path.join("bao-cao.pdf");
    let log = || fs::read_to_string(&log_path).unwrap_or_default();
    if !status.success() {
        return Err(PdfError::Failed(format!("{} exited with {status}: {}", program.display(), log().trim())));
    }
    let mut pdf = Vec::new();
    fs::File::open(&output)
        .and_then(|mut f| f.read_to_end(&mut pdf))
        .map_err(|e| PdfError::Failed(format!("no PDF written ({e}): {}", log().trim())))?;
    if !pdf.starts_with(b"%PDF") {
        return Err(PdfError::Failed(format!("the output is not a PDF: {}", log().trim())));
    }
    Ok(pdf)
}

fn failed(what: &str, error: &std::io::Error) -> PdfError {
    PdfError::Failed(format!("{what}: {error}"))
}

/// `soffice` or `libreoffice` on `PATH`.
fn find_program() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| PROGRAMS.iter().map(move |name| dir.join(name)))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Waits for the process, killing it after `limit`.
fn wait_with_timeout(mut child: Child, limit: Duration) -> Result<std::process::ExitStatus, PdfError> {
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(PdfError::Timeout);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed("waiting for LibreOffice", &e));
            }
        }
    }
}

/// `file://` URL of an absolute path, bytes outside the unreserved set percent-encoded.
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'/' | b'-' | b'_' | b'.' | b'~') {
            url.push(char::from(byte));
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

/// A private directory under the system's temporary directory, removed when dropped.
struct WorkDir {
    path: PathBuf,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl WorkDir {
    fn create() -> Result<WorkDir, PdfError> {
        let base = std::env::temp_dir();
        let mut last_error = None;
        for _ in 0..8 {
            let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
            let name = format!("cchc-pdf-{}-{}-{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
            let path = base.join(name);
            match create_private_dir(&path) {
                Ok(()) => return Ok(WorkDir { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_error = Some(e),
                Err(e) => return Err(failed("creating the temporary directory", &e)),
            }
        }
        let error = last_error.unwrap_or_else(|| std::io::Error::other("no unique name"));
        Err(failed("creating the temporary directory", &error))
    }
}

#[cfg(unix)]
fn create_private_dir(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().mode(0o700).create(path)
}

#[cfg(not(unix))]
fn create_private_dir(path: &Path) -> std::io::Result<()> {
    fs::DirBuilder::new().create(path)
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_are_encoded() {
        assert_eq!(file_url(Path::new("/tmp/a b/ş")), "file:///tmp/a%20b/%C5%9F");
        assert_eq!(file_url(Path::new("/tmp/cchc-pdf-1-0-2/profile")), "file:///tmp/cchc-pdf-1-0-2/profile");
    }

    #[test]
    fn work_directories_are_private_and_removed() {
        let work = WorkDir::create().unwrap();
        let path = work.path.clone();
        assert!(path.is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o700);
        }
        let other = WorkDir::create().unwrap();
        assert_ne!(other.path, path, "every conversion gets its own directory");
        fs::write(path.join("x"), b"x").unwrap();
        drop(work);
        assert!(!path.exists(), "the directory is removed with its content");
    }

    #[test]
    fn messages_are_vietnamese() {
        assert!(PdfError::NotInstalled.to_string().contains("LibreOffice"));
        assert!(PdfError::NotInstalled.to_string().contains("DOCX"));
        let failed = PdfError::Failed("exit 1: javaldx".into());
        assert_eq!(failed.to_string(), "không chuyển được sang PDF");
        assert_eq!(failed.detail(), "exit 1: javaldx");
        assert!(PdfError::Timeout.to_string().contains("120 giây"));
    }
}
