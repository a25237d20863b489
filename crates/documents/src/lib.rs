//! Office documents in and out: the XLSX report form an agency downloads, fills offline and
//! uploads again (and its CSV variant), and the consolidated report of the province as DOCX with
//! its XLSX annex, and as PDF.
//!
//! Architecture invariant: bytes in, bytes out. This crate reads no files, opens no database and
//! knows no HTTP; callers hand it bytes or text and domain values and get the same back.
//!
//! The one exception is [`pdf`]: converting a document to PDF runs LibreOffice, which needs the
//! document on disk. That module alone writes a temporary private directory (removed afterwards)
//! and starts the LibreOffice process; everything else stays pure.

/// The consolidated report's annex (XLSX): indicators, values per agency, narratives, submission.
pub mod annex;
/// The province's consolidated report as a Vietnamese administrative document (DOCX).
pub mod docx;
/// The PAR Index documents: an agency's score sheet and the ranking (XLSX), the decision annex (DOCX).
pub mod evaluation;
/// The agency report form: XLSX (and CSV) out, validated content and diagnostics back in.
pub mod form;
/// DOCX/XLSX → PDF through headless LibreOffice: the crate's only IO.
pub mod pdf;
/// SIPAS survey workbooks: the rows of the first sheet, read within the upload bounds.
pub mod survey;
