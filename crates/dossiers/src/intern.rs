//! Code tables: each distinct code once, rows refer to it by index.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A small, fast, non-cryptographic hasher for short keys (the multiply-rotate scheme of
/// rustc's FxHasher, written out here: eight bytes at a time). The inputs are the province's own
/// files, so collision attacks are not a concern; SipHash would cost more than the parsing.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Distinct codes in order of first appearance.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    index: FastMap<Box<[u8]>, u32>,
    codes: Vec<String>,
}

impl Interner {
    /// The index of `code`, adding it if new. Codes are valid UTF-8 (the readers check the
    /// whole input first); anything else is kept lossily.
    pub fn intern(&mut self, code: &[u8]) -> u32 {
        if let Some(&i) = self.index.get(code) {
            return i;
        }
        let i = u32::try_from(self.codes.len()).unwrap_or(u32::MAX);
        self.codes.push(String::from_utf8_lossy(code).into_owned());
        self.index.insert(code.into(), i);
        i
    }

    pub fn codes(&self) -> &[String] {
        &self.codes
    }

    pub fn into_codes(self) -> Vec<String> {
        self.codes
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

/// The 64-bit hash of a dossier code (`MaHoSo`), as the duplicate check and the store's index
/// use it.
pub fn code_hash(code: &[u8]) -> u64 {
    let mut hasher = FastHasher::default();
    hasher.write(code);
    hasher.finish()
}

/// A second, independent 64-bit hash of a dossier's code and stored record: equal code and
/// content hashes mean the same content.
pub fn content_hash(code: &[u8], record: &[u8]) -> u64 {
    let mut hasher = FastHasher(0x9e37_79b9_7f4a_7c15);
    hasher.write(code);
    hasher.write_u8(0xff);
    hasher.write(record);
    hasher.finish()
}
