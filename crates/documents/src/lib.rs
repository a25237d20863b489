//! Office documents in and out: the XLSX report form an agency downloads, fills offline and
//! uploads again (and its CSV variant), and the DOCX consolidated report of the province.
//!
//! Architecture invariant: bytes in, bytes out. This crate reads no files, opens no database and
//! knows no HTTP; callers hand it bytes or text and domain values and get the same back.

pub mod annex;
/// The province's consolidated report as a Vietnamese administrative document (DOCX).
pub mod docx;
/// The agency report form: XLSX (and CSV) out, validated content and diagnostics back in.
pub mod form;
