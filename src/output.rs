//! Printing that never panics. `println!` panics when standard output is a pipe closed early
//! (`cchc agencies | head`): the reader has what it wanted, so [`outln!`] ends the process
//! quietly with status 0 instead. Any other write failure (a full disk) is reported in
//! Vietnamese with status 1. [`errln!`] writes to standard error and ignores failures: there is
//! nowhere left to report them.

use std::io::Write as _;

/// `println!` that exits quietly when standard output is closed.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::error_line(format_args!($($arg)*))
    };
}

/// Writes one line to standard output (see the module documentation).
pub fn line(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    let written = out.write_fmt(args).and_then(|()| out.write_all(b"\n"));
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            error_line(format_args!("Lỗi: không ghi được kết quả ra đầu ra chuẩn: {e}"));
            std::process::exit(1);
        }
    }
}

/// Writes one line to standard error, ignoring failures.
pub fn error_line(args: std::fmt::Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.write_all(b"\n"));
}
