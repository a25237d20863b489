//! A real browser (Debian's chromium, headless, driven through chromedriver over WebDriver)
//! against the real server: an officer of Sở Tư pháp logs in through the login form, records
//! progress on activity II.2 with a PDF attached, and sees the dashboard change; at phone width
//! the history table turns into cards that keep their column labels. Screenshots of the dashboard
//! and of the activity at phone width are saved to `target/test-artifacts/`. Sở Nội vụ uploads a
//! file of one-stop-shop dossiers, follows the import's progress page and reads the table
//! (screenshots of the table and of the 766 points are saved beside the others).
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (`apt-get install chromium
//! chromium-driver`; `.ci/run` installs them). Without them the test is skipped with a note,
//! except under CI (`CI` set), where it fails. `CCHC_CHROMIUM` / `CCHC_CHROMEDRIVER` override the
//! paths.

// Test helpers outside `#[test]` functions may unwrap too (clippy.toml allows it in tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use cchc_domain::account::UserRole;
use cchc_domain::AgencyId;
use cchc_services::accounts::NewAccount;
use cchc_services::App;
use cchc_web::{router, AppState, Clock};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const USERNAME: &str = "tuphap";
const PASSWORD: &str = "mat-khau-tu-phap-2024";

/// A minimal but well-formed one-page PDF (the server checks the `%PDF-` signature).
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n\
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n\
trailer<</Root 1 0 R>>\n%%EOF\n";

/// The browser binaries, or `None` (after a note) when they are missing outside CI.
fn browser_tools() -> Option<(PathBuf, PathBuf)> {
    let path = |var: &str, default: &str| PathBuf::from(std::env::var(var).unwrap_or_else(|_| default.to_string()));
    let chromium = path("CCHC_CHROMIUM", "/usr/bin/chromium");
    let driver = path("CCHC_CHROMEDRIVER", "/usr/bin/chromedriver");
    let missing: Vec<String> =
        [&chromium, &driver].iter().filter(|p| !p.is_file()).map(|p| p.display().to_string()).collect();
    if missing.is_empty() {
        return Some((chromium, driver));
    }
    let message = format!(
        "browser test needs {} (install with: apt-get install -y chromium chromium-driver)",
        missing.join(" and ")
    );
    if std::env::var_os("CI").is_some() {
        panic!("{message}; CI is set, so a missing browser is a failure");
    }
    eprintln!("note: skipping the browser test: {message}");
    None
}

/// chromedriver, killed (by its own process id) when dropped.
struct Driver {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Driver {
    fn start(binary: &Path, dir: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = dir.join("chromedriver.log");
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        Driver { child, port, log }
    }

    async fn wait_ready(&self) {
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not listen on port {} within 10 s", self.port);
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where test artifacts go: `$CARGO_TARGET_DIR/test-artifacts` or `<workspace>/target/test-artifacts`.
fn artifacts_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("test-artifacts")
}

/// What the test reads off the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DashboardReading {
    /// The «đã hoàn thành» KPI as shown (the number of milestones done).
    done_kpi: String,
    /// Milestones done on time, from the overall bar ("Hoàn thành đúng hạn: N").
    done_on_time: usize,
    /// The «Hoàn thành» cell of area II ("0,0%").
    area_ii_done: String,
}

async fn read_dashboard(c: &Client, base: &str) -> Result<DashboardReading, String> {
    c.goto(&format!("{base}/tong-quan")).await.map_err(|e| format!("open dashboard: {e}"))?;
    let mut done_kpi = None;
    for kpi in c.find_all(Locator::Css(".kpis .kpi")).await.map_err(|e| format!("KPIs: {e}"))? {
        let text = kpi.text().await.map_err(|e| e.to_string())?;
        if text.contains("đã hoàn thành") {
            let n = kpi.find(Locator::Css(".n")).await.map_err(|e| e.to_string())?;
            done_kpi = Some(n.text().await.map_err(|e| e.to_string())?);
        }
    }
    let done_kpi = done_kpi.ok_or("no «đã hoàn thành» KPI on the dashboard")?;
    let area_ii_done = c
        .find(Locator::XPath("//a[starts-with(@href, '/linh-vuc/II?')]/ancestor::tr/td[3]"))
        .await
        .map_err(|e| format!("area II row: {e}"))?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let source = c.source().await.map_err(|e| e.to_string())?;
    let overall_bar = source
        .split("<svg class=\"bar\"")
        .nth(1)
        .and_then(|rest| rest.split("</svg>").next())
        .ok_or("no overall bar on the dashboard")?;
    let done_on_time = overall_bar
        .split("Hoàn thành đúng hạn: ")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .map_or(Ok(0), |n| n.trim().parse::<usize>())
        .map_err(|e| format!("done count: {e}"))?;
    Ok(DashboardReading { done_kpi, done_on_time, area_ii_done })
}

async fn type_into(c: &Client, form: &str, name: &str, value: &str) -> Result<(), String> {
    let field = c
        .find(Locator::Css(&format!("#{form} [name='{name}']")))
        .await
        .map_err(|e| format!("field «{name}» of #{form}: {e}"))?;
    field.clear().await.map_err(|e| format!("clear «{name}»: {e}"))?;
    field.send_keys(value).await.map_err(|e| format!("type into «{name}»: {e}"))
}

/// Polls the page until it contains `text` (10 s).
async fn wait_for_text(c: &Client, text: &str) -> Result<String, String> {
    let mut source = String::new();
    for _ in 0..50 {
        source = c.source().await.map_err(|e| e.to_string())?;
        if source.contains(text) {
            return Ok(source);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let url = c.current_url().await.map(|u| u.to_string()).unwrap_or_default();
    Err(format!("«{text}» did not appear on {url}; page:\n{}", &source[..source.len().min(4000)]))
}

/// Logs in through the login form and waits for the logged-in layout.
async fn log_in(c: &Client, base: &str, username: &str, password: &str) -> Result<(), String> {
    c.goto(&format!("{base}/dang-nhap")).await.map_err(|e| format!("open login page: {e}"))?;
    let login = c.find(Locator::Css("form[action='/dang-nhap']")).await.map_err(|e| format!("no login form: {e}"))?;
    for (name, value) in [("username", username), ("password", password)] {
        let field = login.find(Locator::Css(&format!("[name='{name}']"))).await.map_err(|e| e.to_string())?;
        field.clear().await.map_err(|e| e.to_string())?;
        field.send_keys(value).await.map_err(|e| e.to_string())?;
    }
    login
        .find(Locator::Css("button[type='submit'],input[type='submit']"))
        .await
        .map_err(|e| format!("no login button: {e}"))?
        .click()
        .await
        .map_err(|e| format!("submit login: {e}"))?;
    wait_for_text(c, "Đăng xuất").await.map_err(|e| format!("login of {username} failed: {e}"))?;
    Ok(())
}

/// Logs out through the layout's button.
async fn log_out(c: &Client) -> Result<(), String> {
    c.find(Locator::Css("form[action='/dang-xuat'] button"))
        .await
        .map_err(|e| format!("no logout button: {e}"))?
        .click()
        .await
        .map_err(|e| format!("log out: {e}"))?;
    wait_for_text(c, "Đăng nhập").await.map(|_| ())
}

/// The scenario. Returns an error message rather than panicking, so that the browser is always
/// closed.
async fn scenario(c: &Client, base: &str, activity: i64, milestone: i64, pdf: &Path) -> Result<(), String> {
    c.set_window_size(1280, 2200).await.map_err(|e| format!("window size: {e}"))?;

    // Log in through the form.
    log_in(c, base, USERNAME, PASSWORD).await?;

    // The dashboard before.
    let before = read_dashboard(c, base).await?;
    println!("dashboard before: {before:?}");

    // Record progress on the first milestone of II.2.
    c.goto(&format!("{base}/hoat-dong/{activity}")).await.map_err(|e| format!("open activity: {e}"))?;
    let form = format!("progress-{milestone}");
    c.find(Locator::Css(&format!("#{form}")))
        .await
        .map_err(|e| format!("no progress form #{form} on /hoat-dong/{activity}: {e}"))?;
    c.find(Locator::Css(&format!("#{form} select[name='status']")))
        .await
        .map_err(|e| format!("status field: {e}"))?
        .select_by_value("done")
        .await
        .map_err(|e| format!("choose «done»: {e}"))?;
    type_into(c, &form, "completed_on", "18/01/2024").await?;
    type_into(c, &form, "evidence_number", "15/KH-UBND").await?;
    type_into(c, &form, "evidence_date", "18/01/2024").await?;
    type_into(c, &form, "evidence_issuer", "UBND tỉnh Sơn La").await?;
    type_into(c, &form, "comment", "Đã ban hành Kế hoạch số 15/KH-UBND ngày 18/01/2024.").await?;
    c.find(Locator::Css(&format!("#{form} input[type='file'][name='file']")))
        .await
        .map_err(|e| format!("file field: {e}"))?
        .send_keys(&pdf.display().to_string())
        .await
        .map_err(|e| format!("attach the PDF: {e}"))?;
    let button = c
        .find(Locator::Css(&format!("#{form} button[type='submit']")))
        .await
        .map_err(|e| format!("submit button: {e}"))?;
    let label = button.text().await.map_err(|e| e.to_string())?;
    if label.trim() != "Lưu tiến độ" {
        return Err(format!("the submit button reads «{label}», expected «Lưu tiến độ»"));
    }
    button.click().await.map_err(|e| format!("submit progress: {e}"))?;
    let page = wait_for_text(c, "Đã lưu tiến độ").await?;
    if !page.contains("Hoàn thành đúng hạn") {
        return Err("after saving, the page does not show «Hoàn thành đúng hạn»".into());
    }
    let badge = c
        .find(Locator::Css(&format!("#moc-{milestone} .badge")))
        .await
        .map_err(|e| format!("status badge of milestone {milestone}: {e}"))?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    if badge != "Hoàn thành đúng hạn" {
        return Err(format!("milestone {milestone} shows «{badge}», expected «Hoàn thành đúng hạn»"));
    }
    let attachment = c
        .find(Locator::Css(&format!("#moc-{milestone} a[href^='/tep/']")))
        .await
        .map_err(|e| format!("no link to the attached PDF on milestone {milestone}: {e}"))?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    if attachment != "ke-hoach-15-KH-UBND.pdf" {
        return Err(format!("the attachment is listed as «{attachment}»"));
    }
    if !page.contains("15/KH-UBND") {
        return Err("the evidence number is not shown after saving".into());
    }

    // The dashboard after.
    let after = read_dashboard(c, base).await?;
    println!("dashboard after: {after:?}");
    if after.done_on_time != before.done_on_time + 1 {
        return Err(format!("done-on-time count went {} → {}", before.done_on_time, after.done_on_time));
    }
    if after.area_ii_done == before.area_ii_done {
        return Err(format!("area II «Hoàn thành» did not change ({})", after.area_ii_done));
    }
    if after.done_kpi == before.done_kpi {
        return Err(format!("the «đã hoàn thành» KPI did not change ({})", after.done_kpi));
    }

    // Screenshot of the dashboard.
    let png = c.screenshot().await.map_err(|e| format!("screenshot: {e}"))?;
    let dir = artifacts_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let path = dir.join("dashboard.png");
    std::fs::write(&path, &png).map_err(|e| format!("write {}: {e}", path.display()))?;
    let shown = path.canonicalize().unwrap_or(path);
    println!("dashboard screenshot: {}", shown.display());

    // At phone width the history table turns into cards that keep their column labels.
    c.set_window_size(390, 844).await.map_err(|e| format!("phone window size: {e}"))?;
    c.goto(&format!("{base}/hoat-dong/{activity}")).await.map_err(|e| format!("open activity: {e}"))?;
    let script = format!(
        "const cell = document.querySelector('#moc-{milestone} table.list tbody td[data-label]');
         const head = document.querySelector('#moc-{milestone} table.list thead');
         if (!cell || !head) {{ return null; }}
         cell.scrollIntoView();
         const before = getComputedStyle(cell, '::before');
         return [before.content, before.display, getComputedStyle(head).display, cell.getBoundingClientRect().width];"
    );
    let found = c.execute(&script, vec![]).await.map_err(|e| format!("read the card labels: {e}"))?;
    let values = found.as_array().ok_or("no history table on the activity page")?;
    let text = |i: usize| values.get(i).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    if text(0) != "\"Thời điểm\"" || text(1) == "none" {
        return Err(format!("at phone width the first history cell shows label {} (display {})", text(0), text(1)));
    }
    if text(2) != "none" {
        return Err(format!("at phone width the table head is still shown (display {})", text(2)));
    }
    let png = c.screenshot().await.map_err(|e| format!("phone screenshot: {e}"))?;
    let path = dir.join("activity-phone.png");
    std::fs::write(&path, &png).map_err(|e| format!("write {}: {e}", path.display()))?;
    Ok(())
}

/// Starts chromedriver and opens a headless chromium session through it.
async fn open_browser(chromium: &Path, chromedriver: &Path, dir: &Path) -> (Driver, Client) {
    let driver = Driver::start(chromedriver, dir);
    driver.wait_ready().await;
    let profile = dir.join("chromium-profile");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), json!("chrome"));
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium.display().to_string(),
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--lang=vi",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .unwrap_or_else(|e| panic!("cannot open a chromium session: {e}\nchromedriver log:\n{}", driver.log_tail()));
    (driver, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officer_records_progress_in_a_real_browser() {
    let Some((chromium, chromedriver)) = browser_tools() else { return };
    let temp = tempfile::tempdir().unwrap();

    // The real server, in process, on a free port.
    let app = App::open_in_memory().await.unwrap();
    let now = Clock::System.now();
    app.create_account(
        &NewAccount {
            username: USERNAME.into(),
            display_name: "Cán bộ Sở Tư pháp".into(),
            role: UserRole::Agency,
            agency: AgencyId::parse("so-tu-phap"),
            password: PASSWORD.into(),
        },
        now,
    )
    .await
    .unwrap();
    let files = temp.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    let state = AppState {
        app: Arc::new(app),
        files_dir: files,
        clock: Clock::System,
        secure_cookies: false,
        trusted_proxies: Arc::from([]),
    };
    let current = state.app.current().await.unwrap();
    let target = current
        .milestones
        .iter()
        .filter(|m| m.activity_code() == "II.2" && m.agency.as_str() == "so-tu-phap")
        .min_by_key(|m| m.id.0)
        .unwrap();
    let (activity, milestone) = (target.activity.0, target.id.0);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>()).await
    });

    let pdf = temp.path().join("ke-hoach-15-KH-UBND.pdf");
    std::fs::write(&pdf, PDF).unwrap();

    let (driver, client) = open_browser(&chromium, &chromedriver, temp.path()).await;

    let outcome = tokio::time::timeout(Duration::from_secs(120), scenario(&client, &base, activity, milestone, &pdf))
        .await
        .unwrap_or_else(|_| Err("the browser scenario took more than 120 s".into()));
    let _ = client.close().await;
    drop(driver);
    server.abort();
    if let Err(message) = outcome {
        panic!("{message}");
    }
}

const EVALUATION_ACCOUNTS: [(&str, UserRole, Option<&str>); 4] = [
    ("quantri", UserRole::Admin, None),
    ("thamdinh", UserRole::Appraiser, None),
    ("tuphap", UserRole::Agency, Some("so-tu-phap")),
    ("noivu", UserRole::Agency, Some("so-noi-vu")),
];
const EVALUATION_PASSWORD: &str = "mat-khau-danh-gia-2024";

async fn click(c: &Client, css: &str) -> Result<(), String> {
    c.find(Locator::Css(css))
        .await
        .map_err(|e| format!("no «{css}»: {e}"))?
        .click()
        .await
        .map_err(|e| format!("click «{css}»: {e}"))
}

async fn count(c: &Client, css: &str) -> Result<usize, String> {
    Ok(c.find_all(Locator::Css(css)).await.map_err(|e| format!("find «{css}»: {e}"))?.len())
}

/// Self-assessment → appraisal → explanation → publication in the browser, each step by its
/// role; `close_others` closes the other departments (appraised as they stand) through the
/// services, as the council would one by one.
async fn evaluation_scenario(
    c: &Client,
    base: &str,
    close_others: impl std::future::Future<Output = Result<(), String>>,
) -> Result<(), String> {
    c.set_window_size(1280, 2200).await.map_err(|e| format!("window size: {e}"))?;
    let assessment = format!("{base}/danh-gia/2024/so-tu-phap");
    let ranking = format!("{base}/danh-gia?nam=2024");
    let open = |url: String| async move { c.goto(&url).await.map_err(|e| format!("open {url}: {e}")) };

    // Sở Nội vụ opens the round.
    log_in(c, base, "quantri", EVALUATION_PASSWORD).await?;
    open(ranking.clone()).await?;
    click(c, "#mo-dot-department button").await?;
    wait_for_text(c, "Đã mở đợt đánh giá").await?;
    log_out(c).await?;

    // Sở Tư pháp scores itself and sends; it has no appraisal field.
    log_in(c, base, "tuphap", EVALUATION_PASSWORD).await?;
    open(assessment.clone()).await?;
    if count(c, "[name^='diem:']").await? > 0 {
        return Err("an agency officer sees the appraisal fields".into());
    }
    c.execute(
        "document.querySelectorAll(\"select[name^='gia_tri:']\").forEach(s => s.selectedIndex = s.options.length - 1);\
         document.querySelectorAll(\"input[name^='gia_tri:']\").forEach(i => i.value = '100');",
        vec![],
    )
    .await
    .map_err(|e| format!("fill the self-assessment: {e}"))?;
    click(c, "button[value='gui']").await?;
    wait_for_text(c, "Đã gửi kết quả tự chấm").await?;
    log_out(c).await?;

    // Another agency cannot see it before publication.
    log_in(c, base, "noivu", EVALUATION_PASSWORD).await?;
    open(assessment.clone()).await?;
    wait_for_text(c, "chỉ được xem sau khi công bố").await?;
    open(ranking.clone()).await?;
    let page = wait_for_text(c, "Chỉ số cải cách hành chính năm 2024").await?;
    if page.contains("Sở Tư pháp") {
        return Err("Sở Nội vụ's officer sees Sở Tư pháp before publication".into());
    }
    log_out(c).await?;

    // Sở Nội vụ closes the self-assessment.
    log_in(c, base, "quantri", EVALUATION_PASSWORD).await?;
    open(ranking.clone()).await?;
    click(c, "#ket-thuc-department button").await?;
    wait_for_text(c, "chuyển sang thẩm định").await?;
    log_out(c).await?;

    // The council lowers I.1.1 with a reason; it has no self-assessment field.
    log_in(c, base, "thamdinh", EVALUATION_PASSWORD).await?;
    open(assessment.clone()).await?;
    if count(c, "[name^='gia_tri:']").await? > 0 {
        return Err("the council sees the self-assessment fields".into());
    }
    type_into(c, "phieu", "diem:I.1.1", "0").await?;
    type_into(c, "phieu", "ly_do:I.1.1", "Kế hoạch ban hành sau ngày 10/01").await?;
    click(c, "button[value='hoan_thanh']").await?;
    wait_for_text(c, "Đã hoàn thành thẩm định").await?;
    log_out(c).await?;

    // Sở Tư pháp explains, once.
    log_in(c, base, "tuphap", EVALUATION_PASSWORD).await?;
    open(assessment.clone()).await?;
    type_into(c, "phieu", "giai_trinh:I.1.1", "Kế hoạch số 12/KH-STP ban hành ngày 08/01/2024").await?;
    click(c, "button[value='giai_trinh']").await?;
    wait_for_text(c, "Đã gửi giải trình").await?;
    if count(c, "[name^='giai_trinh:']").await? > 0 {
        return Err("the explanation form is still offered after explaining".into());
    }
    log_out(c).await?;

    // The council accepts the explanation and closes.
    log_in(c, base, "thamdinh", EVALUATION_PASSWORD).await?;
    open(assessment.clone()).await?;
    type_into(c, "phieu", "diem:I.1.1", "1").await?;
    type_into(c, "phieu", "ly_do:I.1.1", "Chấp nhận giải trình").await?;
    click(c, "button[value='hoan_thanh']").await?;
    wait_for_text(c, "Điểm chính thức").await?;
    log_out(c).await?;

    close_others.await?;

    // Sở Nội vụ publishes; the public sees the ranking.
    log_in(c, base, "quantri", EVALUATION_PASSWORD).await?;
    open(ranking.clone()).await?;
    click(c, "#cong-bo-department button").await?;
    wait_for_text(c, "Đã công bố Chỉ số CCHC").await?;
    log_out(c).await?;
    open(ranking.clone()).await?;
    let page = wait_for_text(c, "Sở Tư pháp").await?;
    let row = page.split("<tr>").find(|r| r.contains("Sở Tư pháp")).unwrap_or_default();
    if !row.contains("<td data-label=\"Hạng\">1</td>") {
        return Err(format!("Sở Tư pháp is not first on the public ranking: {row}"));
    }
    let dir = artifacts_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let png = c.screenshot().await.map_err(|e| format!("ranking screenshot: {e}"))?;
    std::fs::write(dir.join("evaluation-ranking.png"), &png).map_err(|e| format!("write screenshot: {e}"))?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_par_index_round_in_a_real_browser() {
    let Some((chromium, chromedriver)) = browser_tools() else { return };
    let temp = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open_in_memory().await.unwrap());
    let now = Clock::System.now();
    for (name, role, agency) in EVALUATION_ACCOUNTS {
        app.create_account(
            &NewAccount {
                username: name.into(),
                display_name: name.into(),
                role,
                agency: agency.and_then(AgencyId::parse),
                password: EVALUATION_PASSWORD.into(),
            },
            now,
        )
        .await
        .unwrap();
    }
    let files = temp.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    let state = AppState {
        app: app.clone(),
        files_dir: files,
        clock: Clock::System,
        secure_cookies: false,
        trusted_proxies: Arc::from([]),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>()).await
    });
    let (driver, client) = open_browser(&chromium, &chromedriver, temp.path()).await;
    let close_others = async {
        let council = app
            .accounts_for_operator()
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|u| u.username == "thamdinh")
            .ok_or("no council account")?;
        let after_window = now.plus_seconds(60 * 86_400);
        for agency in app.assessed_agencies(2024, cchc_domain::AgencyKind::Department) {
            if agency.id.as_str() == "so-tu-phap" {
                continue;
            }
            app.appraise(&council, 2024, &agency.id, &[], true, now).await.map_err(|e| e.to_string())?;
            app.finalise_assessment(&council, 2024, &agency.id, after_window).await.map_err(|e| e.to_string())?;
        }
        Ok(())
    };
    let outcome = tokio::time::timeout(Duration::from_secs(180), evaluation_scenario(&client, &base, close_others))
        .await
        .unwrap_or_else(|_| Err("the evaluation scenario took more than 180 s".into()));
    let _ = client.close().await;
    drop(driver);
    server.abort();
    if let Err(message) = outcome {
        panic!("{message}");
    }
}

/// A hand-computed month of dossiers (`tests/fixtures/dossiers-march-2024.csv`): Sở Tư pháp
/// received 4 dossiers in March 2024 (one online), resolved 2 early and 1 late, 2 carried over;
/// one row of an unknown agency, one quarantined.
const DOSSIERS_CSV: &str = include_str!("../../../tests/fixtures/dossiers-march-2024.csv");

/// Sở Nội vụ uploads the file on `/ho-so-tthc/nhap`, follows the progress page (which reloads
/// itself) to the summary, opens the table and reads Sở Tư pháp's numbers.
async fn dossier_scenario(c: &Client, base: &str, csv: &Path) -> Result<(), String> {
    c.set_window_size(1280, 2200).await.map_err(|e| format!("window size: {e}"))?;
    log_in(c, base, "quantri", EVALUATION_PASSWORD).await?;
    c.goto(&format!("{base}/ho-so-tthc")).await.map_err(|e| format!("open the table: {e}"))?;
    wait_for_text(c, "Chưa có hồ sơ TTHC nào được nhập.").await?;
    click(c, "#chua-co-du-lieu a[href='/ho-so-tthc/nhap']").await?;
    wait_for_text(c, "Nhập tệp hồ sơ thủ tục hành chính").await?;
    c.find(Locator::Css("#nhap-ho-so input[type='file'][name='file']"))
        .await
        .map_err(|e| format!("file field: {e}"))?
        .send_keys(&csv.display().to_string())
        .await
        .map_err(|e| format!("choose the file: {e}"))?;
    click(c, "#nhap-ho-so button[type='submit']").await?;
    let summary = wait_for_text(c, "Đã nhập xong.").await?;
    if !summary.contains("<dt>Hồ sơ mới</dt><dd>7</dd>") || !summary.contains("khong-co-don-vi-nay") {
        return Err(format!("unexpected summary:\n{}", &summary[..summary.len().min(4000)]));
    }
    click(c, "#xem-bang").await?;
    wait_for_text(c, "Tình hình giải quyết hồ sơ thủ tục hành chính").await?;
    let cells =
        c.find_all(Locator::Css("#cq-so-tu-phap td.num")).await.map_err(|e| format!("Sở Tư pháp's row: {e}"))?;
    let mut numbers = Vec::new();
    for cell in cells {
        numbers.push(cell.text().await.map_err(|e| e.to_string())?);
    }
    // Carried over, received (total, online, other), resolved (total, early, on time, late), in
    // progress (total, within, overdue), withdrawn.
    let expected = ["2", "4", "1", "3", "3", "2", "0", "1", "2", "1", "1", "1"];
    if numbers != expected {
        return Err(format!("Sở Tư pháp's row reads {numbers:?}, expected {expected:?}"));
    }
    if count(c, "#cq-so-tu-phap svg.bar rect").await? != 3 {
        return Err("the stacked bar should show early, late and overdue".into());
    }
    let dir = artifacts_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let png = c.screenshot().await.map_err(|e| format!("table screenshot: {e}"))?;
    std::fs::write(dir.join("dossiers-table.png"), &png).map_err(|e| format!("write screenshot: {e}"))?;
    c.goto(&format!("{base}/ho-so-tthc/766")).await.map_err(|e| format!("open the 766 page: {e}"))?;
    wait_for_text(c, "12,00 = 3/5 × 20 (ngưỡng 100%)").await?;
    let png = c.screenshot().await.map_err(|e| format!("766 screenshot: {e}"))?;
    std::fs::write(dir.join("dossiers-766.png"), &png).map_err(|e| format!("write screenshot: {e}"))?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dossiers_uploaded_in_a_real_browser() {
    let Some((chromium, chromedriver)) = browser_tools() else { return };
    let temp = tempfile::tempdir().unwrap();
    let app = App::open_in_memory().await.unwrap().with_dossier_dir(temp.path().join("dossiers"));
    app.create_account(
        &NewAccount {
            username: "quantri".into(),
            display_name: "Sở Nội vụ".into(),
            role: UserRole::Admin,
            agency: None,
            password: EVALUATION_PASSWORD.into(),
        },
        Clock::System.now(),
    )
    .await
    .unwrap();
    let files = temp.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    let state = AppState {
        app: Arc::new(app),
        files_dir: files,
        clock: Clock::System,
        secure_cookies: false,
        trusted_proxies: Arc::from([]),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>()).await
    });
    let csv = temp.path().join("ho-so-thang-3.csv");
    std::fs::write(&csv, DOSSIERS_CSV).unwrap();
    let (driver, client) = open_browser(&chromium, &chromedriver, temp.path()).await;
    let outcome = tokio::time::timeout(Duration::from_secs(120), dossier_scenario(&client, &base, &csv))
        .await
        .unwrap_or_else(|_| Err("the dossier scenario took more than 120 s".into()));
    let _ = client.close().await;
    drop(driver);
    server.abort();
    if let Err(message) = outcome {
        panic!("{message}");
    }
}
