//! The command line (clap): commands, arguments, Vietnamese help and usage errors.

use std::path::PathBuf;
use std::process::ExitCode;

use cchc_domain::{AreaCode, Date};
use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand};

/// cchc — Kế hoạch cải cách hành chính (CCHC) như dữ liệu.
///
/// Chạy không có lệnh con: tạo cơ sở dữ liệu (nếu chưa có), nạp sẵn Kế hoạch CCHC tỉnh Sơn La
/// năm 2024 và in tổng quan kế hoạch.
#[derive(Debug, Parser)]
#[command(name = "cchc", version, about, long_about = None, disable_help_subcommand = true)]
pub struct Cli {
    /// Thư mục dữ liệu (chứa tệp SQLite). Mặc định: ./cchc-data
    #[arg(long, global = true, env = "CCHC_DATA", value_name = "THƯ_MỤC")]
    pub data: Option<PathBuf>,

    /// In kết quả dạng JSON (cho máy) thay vì bảng.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Đọc, nhập và xem các phiên bản kế hoạch.
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Liệt kê các hoạt động của Phụ lục, lọc theo lĩnh vực, cơ quan, thời hạn.
    Activities(ActivitiesArgs),
    /// Liệt kê các chỉ tiêu của kế hoạch.
    Targets(TargetsArgs),
    /// Tra cứu cơ quan, đơn vị và địa phương.
    Agencies(AgenciesArgs),
    /// Nhiệm vụ được giao: bàn giao nhiệm vụ chưa xong của cơ quan, đơn vị đã kết thúc.
    #[command(subcommand)]
    Assignments(AssignmentsCommand),
    /// Lịch ngày làm việc của Việt Nam.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Chỉ số CCHC của các cơ quan: bộ tiêu chí, điểm, xếp hạng.
    #[command(subcommand)]
    Evaluation(EvaluationCommand),
    /// Danh mục chỉ tiêu (từ kế hoạch) kèm định nghĩa tử số, mẫu số và ngưỡng theo cấp.
    Indicators {
        #[command(subcommand)]
        command: Option<IndicatorsCommand>,
    },
    /// Xếp loại mức độ hoàn thành nhiệm vụ cuối năm của các cơ quan (chi tiết điểm, điều chỉnh).
    Rating(RatingArgs),
    /// Báo cáo định kỳ: biểu mẫu Excel, nộp, tình hình nộp, báo cáo tổng hợp.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Chạy ứng dụng web (trang tiếng Việt, API JSON).
    Serve(ServeArgs),
    /// Quản lý tài khoản người dùng.
    #[command(subcommand)]
    User(UserCommand),
    /// Khảo sát sự hài lòng (SIPAS): nhập phiếu, tính chỉ số.
    #[command(subcommand)]
    Survey(SurveyCommand),
    /// Kế hoạch kiểm tra công tác CCHC: đề xuất, ban hành, kết luận kiểm tra, tái kiểm tra.
    #[command(subcommand)]
    Inspection(InspectionCommand),
    /// Hồ sơ TTHC một cửa: nhập dữ liệu đồng bộ, bảng theo dõi giải quyết hồ sơ, điểm 766.
    #[command(subcommand)]
    Dossiers(DossiersCommand),
}

#[derive(Debug, Subcommand)]
pub enum DossiersCommand {
    /// Sinh tệp hồ sơ giả lập (CSV hoặc JSON Lines theo đuôi tệp) để thử nghiệm.
    Generate {
        /// Số hồ sơ.
        #[arg(long)]
        rows: u64,
        /// Hạt giống ngẫu nhiên (cùng hạt giống cho cùng tệp).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Năm tiếp nhận.
        #[arg(long)]
        year: i32,
        /// Tệp ghi ra (.csv hoặc .jsonl).
        #[arg(long)]
        out: PathBuf,
    },
    /// Nhập tệp hồ sơ (CSV hoặc JSON Lines, UTF-8) vào kho; nhập lại cùng tệp không thay đổi gì.
    Import {
        /// Tệp .csv hoặc .jsonl.
        file: PathBuf,
    },
    /// Bảng theo dõi giải quyết hồ sơ theo cơ quan của một kỳ báo cáo hoặc một tháng.
    Indicators {
        /// Kỳ báo cáo (2024Q1, 2024S1, 2024Q3, 2024) hoặc tháng (2024-03).
        #[arg(long)]
        period: String,
        /// Chỉ một cơ quan (mã cơ quan).
        #[arg(long)]
        agency: Option<String>,
        /// Chỉ một cấp: tinh, huyen, xa.
        #[arg(long)]
        level: Option<String>,
        /// Tính thẳng từ tệp (không dùng kho).
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Hồ sơ giải quyết quá hạn trong kỳ mà chưa có văn bản xin lỗi.
    Late {
        /// Kỳ báo cáo hoặc tháng.
        #[arg(long)]
        period: String,
    },
    /// Hồ sơ tiếp nhận trong kỳ có ngày hẹn trả sai (so với thời hạn giải quyết theo ngày làm việc).
    CheckDates {
        /// Kỳ báo cáo hoặc tháng.
        #[arg(long)]
        period: String,
    },
    /// Bảng mã đơn vị xử lý khác (mã của hệ thống một cửa) đã gán cho cơ quan, và các mã trong kho
    /// chưa khớp cơ quan nào.
    Codes,
    /// Gán một mã đơn vị xử lý (DonViXuLy) cho một cơ quan của danh mục (chỉ Sở Nội vụ).
    Map {
        /// Mã đơn vị như trong tệp hồ sơ.
        code: String,
        /// Mã cơ quan trong danh mục (ví dụ so-tu-phap).
        agency: String,
    },
    /// Bỏ gán một mã đơn vị xử lý.
    Unmap {
        /// Mã đơn vị như trong tệp hồ sơ.
        code: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SurveyCommand {
    /// Nhập tệp phiếu khảo sát (CSV UTF-8 hoặc Excel .xlsx): dòng tiêu đề có cột mã phiếu, cột cơ
    /// quan và các cột câu hỏi (C1 … C22). Liệt kê mọi dòng không được tính; tệp không dùng được
    /// thì không nhập gì.
    Import {
        /// Năm khảo sát.
        #[arg(long)]
        year: i32,
        /// Tệp phiếu (.csv hoặc .xlsx).
        file: PathBuf,
    },
    /// Chỉ số hài lòng của một năm theo cơ quan và yếu tố (tỷ lệ hài lòng, cỡ mẫu, khoảng tin
    /// cậy 95%).
    Index {
        /// Năm khảo sát.
        #[arg(long)]
        year: i32,
    },
    /// Cấu hình tính chỉ số: câu hỏi thuộc yếu tố nào, trọng số các yếu tố, mức được tính là hài
    /// lòng (ghi ra tệp JSON để sửa, nạp phiên bản mới).
    #[command(subcommand)]
    Config(SurveyConfigCommand),
}

#[derive(Debug, Subcommand)]
pub enum SurveyConfigCommand {
    /// Ghi cấu hình đang áp dụng cho năm ra tệp JSON.
    Export {
        #[arg(long)]
        year: i32,
        /// Tệp ghi ra (.json).
        #[arg(long)]
        out: PathBuf,
    },
    /// Nạp cấu hình đã sửa cho năm (có lỗi thì không nạp gì).
    Import {
        #[arg(long)]
        year: i32,
        /// Tệp cấu hình (.json).
        file: PathBuf,
        /// Ghi chú (ví dụ căn cứ thay đổi).
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvaluationCommand {
    /// Bộ tiêu chí xác định Chỉ số CCHC (ghi ra tệp JSON để chỉnh sửa, nạp phiên bản mới).
    #[command(subcommand)]
    Framework(FrameworkCommand),
    /// Điểm, chỉ số, xếp hạng và xếp loại của các cơ quan trong năm (tạm tính đến khi công bố).
    Score {
        /// Năm đánh giá, ví dụ 2024.
        #[arg(long)]
        year: i32,
    },
    /// Bảng điểm Chỉ số CCHC của một cơ quan (XLSX): từng tiêu chí thành phần, điểm tự chấm,
    /// điểm thẩm định và lý do, giải trình, điểm tính; tổng điểm, chỉ số, xếp loại.
    Sheet {
        #[arg(long)]
        year: i32,
        /// Mã hoặc tên cơ quan, ví dụ so-tu-phap.
        #[arg(long)]
        agency: String,
        /// Tệp ghi ra (.xlsx).
        #[arg(long)]
        out: PathBuf,
    },
    /// Bảng xếp hạng Chỉ số CCHC của năm (.xlsx) hoặc phụ lục quyết định công bố Chỉ số (.docx).
    Ranking {
        #[arg(long)]
        year: i32,
        /// Tệp ghi ra: .xlsx (bảng xếp hạng) hoặc .docx (phụ lục quyết định).
        #[arg(long)]
        out: PathBuf,
        /// Số quyết định (chỉ phần số, ví dụ 123 → «Quyết định số 123/QĐ-UBND»); bỏ trống để viết tay.
        #[arg(long)]
        number: Option<String>,
        /// Ngày quyết định (dd/mm/yyyy); bỏ trống để viết tay.
        #[arg(long, value_parser = parse_date)]
        date: Option<Date>,
    },
}

/// `cchc rating --year Y`, or one of its subcommands.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RatingArgs {
    /// Năm xếp loại, ví dụ 2024.
    #[arg(long)]
    pub year: Option<i32>,
    #[command(subcommand)]
    pub command: Option<RatingCommand>,
}

#[derive(Debug, Subcommand)]
pub enum RatingCommand {
    /// Ghi quyết định điều chỉnh kết quả xếp loại của một cơ quan (có lý do; giữ lịch sử).
    Override {
        #[arg(long)]
        year: i32,
        /// Mã cơ quan, ví dụ so-tu-phap.
        #[arg(long)]
        agency: String,
        /// Mức xếp loại.
        #[arg(long, value_parser = ["xuat-sac", "tot", "hoan-thanh", "khong-hoan-thanh"])]
        level: String,
        /// Lý do điều chỉnh (bắt buộc).
        #[arg(long)]
        reason: String,
    },
    /// Quy tắc xếp loại (ghi ra tệp JSON để chỉnh sửa, nạp phiên bản mới).
    #[command(subcommand)]
    Rules(RatingRulesCommand),
}

#[derive(Debug, Subcommand)]
pub enum RatingRulesCommand {
    /// Ghi bộ quy tắc áp dụng cho năm ra tệp JSON.
    Export {
        #[arg(long)]
        year: i32,
        /// Tệp ghi ra (.json).
        #[arg(long)]
        out: PathBuf,
    },
    /// Nạp bộ quy tắc đã chỉnh sửa thành phiên bản mới (có lỗi thì không nạp gì).
    Import {
        /// Tệp quy tắc (.json).
        file: PathBuf,
        /// Ghi chú (ví dụ số văn bản).
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum FrameworkCommand {
    /// Ghi bộ tiêu chí đang áp dụng (hoặc bộ mẫu) ra tệp JSON.
    Export {
        #[arg(long)]
        year: i32,
        /// department (sở, ban, ngành), district (UBND cấp huyện), commune (UBND cấp xã).
        #[arg(long, value_parser = ["department", "district", "commune"])]
        kind: String,
        /// Tệp ghi ra (.json).
        #[arg(long)]
        out: PathBuf,
    },
    /// Nạp bộ tiêu chí đã chỉnh sửa thành phiên bản mới (có lỗi thì không nạp gì).
    Import {
        /// Tệp bộ tiêu chí (.json).
        file: PathBuf,
        /// Ghi chú (ví dụ số quyết định ban hành).
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum InspectionCommand {
    /// Kế hoạch kiểm tra đề xuất: tối thiểu 30% mỗi loại cơ quan, kèm điểm ưu tiên và lý do.
    /// Cùng năm, cùng dữ liệu, cùng hạt giống (--seed) thì cùng kế hoạch.
    Plan {
        #[arg(long)]
        year: i32,
        /// Hạt giống của phép chọn ngẫu nhiên.
        #[arg(long)]
        seed: u64,
        /// Tỷ lệ tối thiểu mỗi loại cơ quan, % (1–100).
        #[arg(long, default_value_t = 30)]
        share: u32,
    },
    /// Ban hành kế hoạch (Sở Nội vụ): mỗi cơ quan được chọn thành một cuộc kiểm tra và một mốc
    /// «Kiểm tra CCHC tại …» của hoạt động kế hoạch kiểm tra, ngày kiểm tra rải đều trên các
    /// ngày làm việc từ --from đến --to.
    Adopt {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        seed: u64,
        #[arg(long, default_value_t = 30)]
        share: u32,
        /// Ngày bắt đầu (dd/mm/yyyy).
        #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
        from: Date,
        /// Ngày kết thúc (dd/mm/yyyy).
        #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
        to: Date,
    },
    /// Các cuộc kiểm tra của một năm và các tồn tại đã kết luận.
    List {
        #[arg(long)]
        year: i32,
    },
    /// Tồn tại phát hiện khi kiểm tra: ghi, ghi nhận khắc phục, lên lịch tái kiểm tra.
    #[command(subcommand)]
    Finding(FindingCommand),
    /// Nạp số thủ tục hành chính của từng cơ quan (CSV «ma_co_quan,so_tthc»).
    Procedures {
        /// Tệp CSV.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum FindingCommand {
    /// Ghi một tồn tại của cuộc kiểm tra, kèm thời hạn khắc phục.
    Add {
        /// Số cuộc kiểm tra (xem `cchc inspection list`).
        #[arg(long)]
        inspection: i64,
        /// Nội dung tồn tại.
        #[arg(long)]
        text: String,
        /// Thời hạn khắc phục (dd/mm/yyyy).
        #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
        deadline: Date,
    },
    /// Ghi nhận tồn tại đã được khắc phục, kèm minh chứng.
    Resolve {
        /// Số tồn tại.
        #[arg(long)]
        finding: i64,
        /// Ngày khắc phục (dd/mm/yyyy).
        #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
        on: Date,
        /// Minh chứng: số văn bản, đường dẫn hoặc mô tả.
        #[arg(long)]
        evidence: String,
    },
    /// Lên lịch tái kiểm tra việc khắc phục một tồn tại.
    Reinspect {
        #[arg(long)]
        finding: i64,
        /// Ngày tái kiểm tra (dd/mm/yyyy).
        #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
        on: Date,
    },
}

#[derive(Debug, Subcommand)]
pub enum IndicatorsCommand {
    /// Ghi danh mục chỉ tiêu và quy tắc kiểm tra đang áp dụng ra tệp JSON để chỉnh sửa.
    Export {
        /// Tệp danh mục chỉ tiêu (.json).
        #[arg(long)]
        out: PathBuf,
        /// Tệp quy tắc kiểm tra (.json).
        #[arg(long)]
        rules_out: PathBuf,
    },
    /// Một chỉ tiêu qua các năm: mục tiêu theo kế hoạch từng năm và kết quả toàn tỉnh của kỳ
    /// báo cáo gần nhất có số liệu.
    Years {
        /// Mã chỉ tiêu, ví dụ VII.2.1.
        code: String,
    },
    /// Nạp danh mục đã chỉnh sửa thành phiên bản mới (kiểm tra trước; có lỗi thì không nạp).
    Import {
        /// Tệp danh mục chỉ tiêu (.json).
        file: PathBuf,
        /// Tệp quy tắc kiểm tra (.json); mặc định giữ quy tắc đang áp dụng.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Ghi chú lý do thay đổi.
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Tải biểu mẫu báo cáo (Excel hoặc CSV) của một cơ quan cho một kỳ, điền sẵn số liệu đã có.
    Form {
        /// Mã cơ quan, ví dụ ubnd-xa-03646 (hoặc tên).
        #[arg(long)]
        agency: String,
        /// Kỳ báo cáo: 2024Q1, 2024S1, 2024Q3, 2024.
        #[arg(long, value_parser = parse_period)]
        period: cchc_domain::PeriodId,
        /// Tệp ghi ra: .xlsx (Excel) hoặc .csv.
        #[arg(long)]
        out: PathBuf,
    },
    /// Đọc biểu mẫu đã điền (Excel hoặc CSV), kiểm tra và nộp báo cáo (tệp có ô sai: không lưu gì).
    Submit {
        #[arg(long)]
        agency: String,
        #[arg(long, value_parser = parse_period)]
        period: cchc_domain::PeriodId,
        /// Tệp đã điền (.xlsx hoặc .csv).
        file: PathBuf,
    },
    /// Tình hình gửi báo cáo của một kỳ: phải báo cáo, chưa gửi, chờ tiếp nhận, bị trả lại, đã tiếp nhận, đúng hạn, trễ hạn.
    Status {
        #[arg(long, value_parser = parse_period)]
        period: cchc_domain::PeriodId,
    },
    /// Kết quả các chỉ tiêu của toàn tỉnh theo cấp (tổng tử số ÷ tổng mẫu số).
    Results {
        #[arg(long, value_parser = parse_period)]
        period: cchc_domain::PeriodId,
    },
    /// Tiếp nhận báo cáo đã gửi (số liệu bị khóa).
    Accept {
        #[arg(long, value_parser = parse_period)]
        period: cchc_domain::PeriodId,
        #[arg(long)]
        agency: String,
    },
    /// Trả lại báo cáo đã gửi (hoặc mở lại báo cáo đã tiếp nhận) kèm lý do.
    Return {
        #[arg(long, value_parser = parse_period)]
        period: cchc_domain::PeriodId,
        #[arg(long)]
        agency: String,
        #[arg(long)]
        reason: String,
    },
    /// Ghi nhận ngày nhận báo cáo (báo cáo giấy, thư điện tử) kèm lý do.
    Receive {
        #[arg(long, value_parser = parse_period)]
        period: cchc_domain::PeriodId,
        #[arg(long)]
        agency: String,
        /// Ngày nhận (dd/mm/yyyy).
        #[arg(long, value_parser = parse_date)]
        date: Date,
        #[arg(long)]
        reason: String,
    },
    /// Gia hạn gửi báo cáo cho một cơ quan kèm lý do.
    Extend {
        #[arg(long, value_parser = parse_period)]
        period: cchc_domain::PeriodId,
        #[arg(long)]
        agency: String,
        /// Hạn mới (dd/mm/yyyy), sau hạn của kỳ.
        #[arg(long, value_parser = parse_date)]
        until: Date,
        #[arg(long)]
        reason: String,
    },
    /// Báo cáo tổng hợp của tỉnh: Word (.docx, kèm phụ lục Excel cạnh tệp) hoặc PDF (.pdf, cần LibreOffice).
    Consolidate {
        #[arg(long, value_parser = parse_period)]
        period: cchc_domain::PeriodId,
        /// Tệp ghi ra (.docx hoặc .pdf).
        #[arg(long)]
        out: PathBuf,
        /// Ngày ghi trên văn bản (mặc định hôm nay).
        #[arg(long, value_parser = parse_date)]
        date: Option<Date>,
        /// Số văn bản (chỉ phần số, ví dụ 123 → «Số: 123/BC-SNV»).
        #[arg(long)]
        number: Option<String>,
        /// Họ tên người ký (mặc định theo thiết lập).
        #[arg(long)]
        signer: Option<String>,
        /// Chức danh người ký, các dòng cách nhau bởi «|», ví dụ "KT. GIÁM ĐỐC|PHÓ GIÁM ĐỐC".
        #[arg(long)]
        signer_title: Option<String>,
        /// Nơi nhận, cách nhau bởi «|» (mặc định theo thiết lập).
        #[arg(long)]
        recipients: Option<String>,
    },
    /// Xem hoặc đặt thiết lập mặc định của báo cáo tổng hợp (người ký, chức danh, nơi nhận).
    Settings {
        #[arg(long)]
        signer: Option<String>,
        /// Các dòng cách nhau bởi «|».
        #[arg(long)]
        signer_title: Option<String>,
        /// Cách nhau bởi «|».
        #[arg(long)]
        recipients: Option<String>,
    },
}

fn parse_ip(text: &str) -> Result<std::net::IpAddr, String> {
    text.trim().parse().map_err(|_| format!("«{text}» không phải địa chỉ IP (ví dụ 10.0.0.1 hoặc fd00::1)"))
}

fn parse_period(text: &str) -> Result<cchc_domain::PeriodId, String> {
    cchc_domain::PeriodId::parse(text)
        .ok_or_else(|| format!("kỳ báo cáo không hợp lệ: «{text}» (dùng 2024Q1, 2024S1, 2024Q3 hoặc 2024)"))
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Địa chỉ lắng nghe.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub addr: std::net::SocketAddr,
    /// Đặt cờ Secure cho cookie phiên (khi chạy sau HTTPS).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Địa chỉ IP của máy chủ proxy ngược được tin cậy (lặp lại được): chỉ khi kết nối đến từ
    /// địa chỉ này mới đọc địa chỉ người dùng từ tiêu đề X-Forwarded-For (để giới hạn đăng nhập sai).
    #[arg(long = "trusted-proxy", value_name = "ĐỊA_CHỈ_IP", value_parser = parse_ip)]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Không giữ lại trang đã dựng (mỗi lượt xem dựng lại trang; dùng khi đo hiệu năng hoặc
    /// tìm lỗi). Mặc định trang và dữ liệu API được giữ đến khi dữ liệu thay đổi.
    #[arg(long)]
    pub no_response_cache: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Tạo tài khoản; mật khẩu đọc từ đầu vào chuẩn (--password-stdin).
    Add {
        /// Tên đăng nhập (chữ thường không dấu, số, . _ -).
        #[arg(long)]
        username: String,
        /// Vai trò: admin (Sở Nội vụ), agency (cán bộ cơ quan), viewer (lãnh đạo, xem), appraiser (thẩm định Chỉ số CCHC).
        #[arg(long, value_parser = ["admin", "agency", "viewer", "appraiser"])]
        role: String,
        /// Mã cơ quan (bắt buộc với vai trò agency), ví dụ so-tu-phap.
        #[arg(long, value_name = "MÃ_CƠ_QUAN")]
        agency: Option<String>,
        /// Họ tên hiển thị.
        #[arg(long)]
        name: Option<String>,
        /// Đọc mật khẩu từ đầu vào chuẩn (dòng đầu tiên).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Liệt kê tài khoản.
    List,
    /// Khóa tài khoản (các phiên đăng nhập của tài khoản kết thúc ngay).
    Deactivate {
        /// Tên đăng nhập.
        username: String,
    },
    /// Mở khóa tài khoản.
    Reactivate {
        /// Tên đăng nhập.
        username: String,
    },
    /// Đặt lại mật khẩu: in một mật khẩu ngẫu nhiên (chỉ hiển thị một lần); người dùng được yêu
    /// cầu đổi khi đăng nhập.
    ResetPassword {
        /// Tên đăng nhập.
        username: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Đọc tệp kế hoạch và in kết quả, không ghi vào cơ sở dữ liệu.
    Parse {
        /// Tệp văn bản kế hoạch (UTF-8).
        file: PathBuf,
    },
    /// Nhập tệp kế hoạch vào cơ sở dữ liệu (nhập lại cùng nội dung không thay đổi gì). Tệp là
    /// phiên bản sửa đổi của kế hoạch đã có (cùng tỉnh, cùng năm): in các thay đổi so với phiên
    /// bản trước và chuyển tiến độ, minh chứng, sự kiện sang các mốc tương ứng của phiên bản mới.
    Import {
        /// Tệp văn bản kế hoạch (UTF-8).
        file: PathBuf,
    },
    /// So sánh hai tệp kế hoạch (không dùng cơ sở dữ liệu): hoạt động thêm mới, bỏ, thay đổi.
    Diff {
        /// Tệp phiên bản cũ (UTF-8).
        old: PathBuf,
        /// Tệp phiên bản mới (UTF-8).
        new: PathBuf,
    },
    /// Các mốc đã có tiến độ của phiên bản trước chưa được chuyển sang phiên bản hiện hành;
    /// với --match CŨ=MỚI: xác nhận chuyển tiến độ của mốc cũ sang mốc mới.
    CarryOver {
        #[command(flatten)]
        plan: PlanSelector,
        /// Mã mốc cũ = mã mốc mới (lặp lại được), ví dụ --match 120=4521.
        #[arg(long = "match", value_name = "CŨ=MỚI", value_parser = parse_match)]
        matches: Vec<(i64, i64)>,
    },
    /// Tiến độ đã ghi nhận của một phiên bản kế hoạch (mặc định: phiên bản hiện hành).
    Progress {
        #[command(flatten)]
        plan: VersionSelector,
        /// Chỉ một hoạt động, ví dụ II.3.
        #[arg(long, value_name = "MÃ")]
        activity: Option<String>,
    },
    /// Liệt kê các phiên bản kế hoạch đã nhập.
    Versions,
    /// Tổng quan kế hoạch hiện hành (hoặc một phiên bản cũ với --version).
    Show(VersionSelector),
    /// Các cảnh báo khi nhập phiên bản hiện hành.
    Diagnostics(PlanSelector),
}

#[derive(Debug, Args)]
pub struct PlanSelector {
    /// Mã kế hoạch, ví dụ son-la-2024 (mặc định: kế hoạch của năm mới nhất).
    #[arg(long, value_name = "MÃ")]
    pub plan: Option<String>,
}

#[derive(Debug, Args)]
pub struct VersionSelector {
    /// Mã kế hoạch, ví dụ son-la-2024 (mặc định: kế hoạch của năm mới nhất).
    #[arg(long, value_name = "MÃ")]
    pub plan: Option<String>,
    /// Số phiên bản (xem: cchc plan versions); mặc định phiên bản mới nhất.
    #[arg(long, value_name = "SỐ", value_parser = clap::value_parser!(i64).range(1..))]
    pub version: Option<i64>,
}

fn parse_match(text: &str) -> Result<(i64, i64), String> {
    let bad = || format!("«{text}» không đúng dạng MÃ_MỐC_CŨ=MÃ_MỐC_MỚI, ví dụ 120=4521");
    let (old, new) = text.split_once('=').ok_or_else(bad)?;
    let number = |t: &str| t.trim().parse::<i64>().ok().filter(|n| *n > 0);
    Ok((number(old).ok_or_else(bad)?, number(new).ok_or_else(bad)?))
}

#[derive(Debug, Args)]
pub struct ActivitiesArgs {
    #[command(flatten)]
    pub plan: PlanSelector,
    /// Lĩnh vực I–VIII (hoặc 1–8).
    #[arg(long, value_parser = parse_area, value_name = "LĨNH_VỰC")]
    pub area: Option<AreaCode>,
    /// Cơ quan (chủ trì hoặc phối hợp, kể cả qua nhóm như «Các sở, ban, ngành»): tên, tên viết tắt hoặc mã.
    #[arg(long, value_name = "TÊN")]
    pub agency: Option<String>,
    /// Chỉ các hoạt động có mốc đến hạn từ ngày này (dd/mm/yyyy hoặc yyyy-mm-dd).
    #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
    pub due_from: Option<Date>,
    /// Chỉ các hoạt động có mốc đến hạn đến ngày này.
    #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
    pub due_to: Option<Date>,
    /// Chỉ các hoạt động có mốc đã quá hạn (tính đến --as-of, mặc định hôm nay).
    #[arg(long)]
    pub overdue: bool,
    /// Ngày tính quá hạn.
    #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
    pub as_of: Option<Date>,
}

#[derive(Debug, Args)]
pub struct TargetsArgs {
    #[command(flatten)]
    pub plan: PlanSelector,
    /// Lĩnh vực I–VIII (hoặc 1–8).
    #[arg(long, value_parser = parse_area, value_name = "LĨNH_VỰC")]
    pub area: Option<AreaCode>,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AgenciesArgs {
    #[command(subcommand)]
    pub command: Option<AgenciesCommand>,
    /// Tìm theo tên, tên viết tắt hoặc mã (không phân biệt dấu, hoa thường).
    #[arg(long, value_name = "CHUỖI")]
    pub search: Option<String>,
    /// Danh mục tại ngày này (dd/mm/yyyy hoặc yyyy-mm-dd): các cơ quan, đơn vị tồn tại ngày đó,
    /// với tên gọi khi đó. Mặc định: hôm nay.
    #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
    pub as_of: Option<Date>,
    /// Mọi cơ quan, đơn vị qua các thời kỳ, kèm thời hạn và đơn vị kế thừa.
    #[arg(long, conflicts_with = "as_of")]
    pub all: bool,
}

#[derive(Debug, Subcommand)]
pub enum AssignmentsCommand {
    /// Các cơ quan, đơn vị đã kết thúc mà còn mốc chưa hoàn thành, kèm đơn vị kế thừa gợi ý.
    Pending {
        /// Kế hoạch (ví dụ son-la-2025); mặc định kế hoạch hiện hành.
        #[arg(long)]
        plan: Option<String>,
        /// Xét tại ngày này; mặc định hôm nay.
        #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
        as_of: Option<Date>,
    },
    /// Chuyển các mốc chưa hoàn thành của một cơ quan, đơn vị đã kết thúc sang đơn vị kế thừa
    /// (kèm lịch sử cập nhật; mốc đã hoàn thành vẫn thuộc đơn vị cũ). Ghi nhật ký từng mốc.
    Transfer {
        /// Mã cơ quan, đơn vị đã kết thúc (ví dụ ubnd-huyen-116).
        #[arg(long, value_name = "MÃ")]
        from: String,
        /// Mã cơ quan nhận; bỏ trống khi đơn vị chỉ có một đơn vị kế thừa.
        #[arg(long, value_name = "MÃ")]
        to: Option<String>,
        /// Chỉ các hoạt động này (ví dụ --activity III.6 --activity IV.2), để chia nhiệm vụ của
        /// một huyện cho nhiều xã, phường; mặc định mọi hoạt động.
        #[arg(long = "activity", value_name = "MÃ_HOẠT_ĐỘNG")]
        activities: Vec<String>,
        /// Kế hoạch (ví dụ son-la-2025); mặc định kế hoạch hiện hành.
        #[arg(long)]
        plan: Option<String>,
        /// Xét tại ngày này; mặc định hôm nay.
        #[arg(long, value_parser = parse_date, value_name = "NGÀY")]
        as_of: Option<Date>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgenciesCommand {
    /// Ghi toàn bộ danh mục (có thời hạn hiệu lực, đơn vị kế thừa, tên cũ) ra tệp JSON để chỉnh sửa.
    Export {
        /// Tệp kết quả (.json); mặc định in ra màn hình.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Nạp danh mục đã chỉnh sửa thành phiên bản mới (kiểm tra toàn bộ; có lỗi thì không nạp gì).
    Import {
        /// Tệp danh mục (.json).
        file: PathBuf,
        /// Ghi chú lý do thay đổi.
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Đếm số ngày làm việc từ FROM đến TO (tính cả hai đầu).
    Workdays {
        #[arg(value_parser = parse_date, value_name = "TỪ_NGÀY")]
        from: Date,
        #[arg(value_parser = parse_date, value_name = "ĐẾN_NGÀY")]
        to: Date,
    },
    /// Ngày làm việc thứ N sau FROM (không tính ngày FROM, theo Bộ luật Dân sự).
    Add {
        #[arg(value_parser = parse_date, value_name = "TỪ_NGÀY")]
        from: Date,
        #[arg(value_name = "N")]
        days: u32,
    },
    /// Các ngày nghỉ lễ, Tết, nghỉ bù và ngày làm bù trong năm.
    Holidays {
        #[arg(value_parser = clap::value_parser!(i32).range(1900..=2199), value_name = "NĂM")]
        year: i32,
    },
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).map_err(|e| e.to_string())
}

fn parse_area(text: &str) -> Result<AreaCode, String> {
    AreaCode::parse(text).ok_or_else(|| format!("lĩnh vực không hợp lệ: «{text}» (dùng I–VIII hoặc 1–8)"))
}

/// The standard library's number parsing errors (clap passes them on) in Vietnamese; our own
/// value parsers' messages are Vietnamese already and pass unchanged.
fn parse_error_vn(text: &str) -> String {
    match text {
        "invalid digit found in string" => "không phải là số nguyên không âm".to_string(),
        "number too large to fit in target type" => "số quá lớn".to_string(),
        "number too small to fit in target type" => "số quá nhỏ".to_string(),
        "cannot parse integer from empty string" => "chưa nhập số".to_string(),
        "invalid float literal" => "không phải là số".to_string(),
        other => other.to_string(),
    }
}

/// Prints a usage error in Vietnamese (help and version go to stdout unchanged).
pub fn report_usage_error(error: clap::Error) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let detail = error.get(clap::error::ContextKind::InvalidArg).map(|a| a.to_string()).unwrap_or_default();
    let value = error.get(clap::error::ContextKind::InvalidValue).map(|v| v.to_string()).unwrap_or_default();
    let message = match error.kind() {
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            // Our own value parsers already speak Vietnamese; show their message.
            let source = std::error::Error::source(&error).map(|s| parse_error_vn(&s.to_string()));
            match source {
                Some(text) => format!("giá trị không hợp lệ cho {detail}: {text}"),
                None => format!("giá trị «{value}» không hợp lệ cho {detail}"),
            }
        }
        ErrorKind::UnknownArgument => format!("tham số không được hỗ trợ: {detail}"),
        ErrorKind::InvalidSubcommand => format!("lệnh không tồn tại: {value}"),
        ErrorKind::MissingRequiredArgument => format!("thiếu tham số bắt buộc: {detail}"),
        ErrorKind::MissingSubcommand => "thiếu lệnh con".to_string(),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => format!("số lượng giá trị không đúng: {detail}"),
        ErrorKind::ArgumentConflict => format!("các tham số xung đột: {detail}"),
        _ => "câu lệnh không hợp lệ".to_string(),
    };
    errln!("Lỗi: {message}\nXem hướng dẫn: cchc --help");
    ExitCode::from(2)
}
