//! One JSON Lines row into the raw column values, through serde without building a JSON tree.
//! Values may be strings, numbers, booleans or null; unknown keys are skipped. The supplement
//! list `DanhSachHoSoBoSung` becomes `SoLanBoSung` (its length) and the first request's
//! `NgayYeuCauBoSung` / `NgayHoanThanhBoSung` (the earliest request).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::columns::{empty_row, Column, RawRow};

/// The key of the supplement list.
pub const SUPPLEMENT_LIST: &str = "DanhSachHoSoBoSung";

/// A scalar JSON value as the bytes the CSV reader would see.
struct Scalar<'a>(Cow<'a, [u8]>);

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a number, a boolean or null")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Borrowed(v.as_bytes())))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Owned(v.as_bytes().to_vec())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Owned(v.into_bytes())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Owned(v.to_string().into_bytes())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Owned(v.to_string().into_bytes())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                // 20240118100405.0 and the like: whole numbers only.
                if v.fract() == 0.0 && (0.0..1e15).contains(&v) {
                    Ok(Scalar(Cow::Owned(format!("{v:.0}").into_bytes())))
                } else {
                    Ok(Scalar(Cow::Owned(v.to_string().into_bytes())))
                }
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Borrowed(if v { b"1" } else { b"0" })))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Borrowed(b"")))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Borrowed(b"")))
            }
        }
        deserializer.deserialize_any(V)
    }
}

enum Key {
    Column(Column),
    Supplements,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(if v == SUPPLEMENT_LIST {
                    Key::Supplements
                } else {
                    Column::from_name(v).map_or(Key::Other, Key::Column)
                })
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// One supplement request of the list.
struct Supplement<'a> {
    request: Scalar<'a>,
    completion: Scalar<'a>,
}

impl<'de> Deserialize<'de> for Supplement<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Supplement<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object with NgayYeuCauBoSung and NgayHoanThanhBoSung")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut s = Supplement { request: Scalar(Cow::Borrowed(b"")), completion: Scalar(Cow::Borrowed(b"")) };
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Column(Column::NgayYeuCauBoSung) => s.request = map.next_value()?,
                        Key::Column(Column::NgayHoanThanhBoSung) => s.completion = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(s)
            }
        }
        deserializer.deserialize_map(V)
    }
}

struct Supplements<'a>(Vec<Supplement<'a>>);

impl<'de> Deserialize<'de> for Supplements<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Supplements<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of supplement requests or null")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Supplements(items))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Supplements(Vec::new()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

struct Row<'a>(RawRow<'a>);

impl<'de> Deserialize<'de> for Row<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Row<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut row = empty_row();
                let mut list: Option<Supplements<'de>> = None;
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Column(column) => row[column.index()] = map.next_value::<Scalar<'de>>()?.0,
                        Key::Supplements => list = Some(map.next_value()?),
                        Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                if let Some(Supplements(items)) = list {
                    if !items.is_empty() {
                        if row[Column::SoLanBoSung.index()].is_empty() {
                            row[Column::SoLanBoSung.index()] = Cow::Owned(items.len().to_string().into_bytes());
                        }
                        // The earliest request (fixed-width timestamps sort as text); an empty
                        // one sorts first and is reported by the row parser.
                        if let Some(first) = items.into_iter().min_by(|a, b| a.request.0.cmp(&b.request.0)) {
                            row[Column::NgayYeuCauBoSung.index()] = first.request.0;
                            row[Column::NgayHoanThanhBoSung.index()] = first.completion.0;
                        }
                    }
                }
                Ok(Row(row))
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// The raw values of one JSON line; `Err` is the Vietnamese reason.
pub(crate) fn parse_line(line: &[u8]) -> Result<RawRow<'_>, String> {
    serde_json::from_slice::<Row<'_>>(line).map(|row| row.0).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => format!("giá trị JSON không đúng kiểu (cột {})", e.column()),
        _ => format!("dòng không phải một đối tượng JSON hợp lệ (lỗi ở cột {})", e.column()),
    })
}
