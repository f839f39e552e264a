//! The forgiving pieces both readers are built from: serde wrappers that accept only the JSON
//! type they expect and ignore (consume) anything else, line repair for bytes JSON parsers
//! refuse, and the head/tail cutters that bound the text kept from tool outputs.
//!
//! Why lenient: agent CLIs change the JSON type of a field now and then (a timestamp becomes
//! epoch milliseconds, an id a number, a flag a string). With strict types one such field costs
//! the whole record, edits included; with these it costs that field only.

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

pub(crate) use crate::lenient_ignore as ignore;

/// Generates the `visit_*` methods of a lenient visitor that map a JSON type the field does
/// not expect to the default value (consuming it).
#[macro_export]
#[doc(hidden)]
macro_rules! lenient_ignore {
    (bool) => {
        fn visit_bool<E: ::serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
    };
    (num) => {
        fn visit_i64<E: ::serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_u64<E: ::serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_f64<E: ::serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
    };
    (str) => {
        fn visit_str<E: ::serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
    };
    (unit) => {
        fn visit_unit<E: ::serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_none<E: ::serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
    };
    (map) => {
        fn visit_map<A: ::serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            while map
                .next_entry::<::serde::de::IgnoredAny, ::serde::de::IgnoredAny>()?
                .is_some()
            {}
            Ok(Default::default())
        }
    };
    (seq) => {
        fn visit_seq<A: ::serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            while seq.next_element::<::serde::de::IgnoredAny>()?.is_some() {}
            Ok(Default::default())
        }
    };
}

/// A string, borrowed from the line when it has no escapes; any other JSON type → None.
#[derive(Default)]
pub struct Str<'a>(pub Option<Cow<'a, str>>);

impl Str<'_> {
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: ::serde::de::Error>(self, v: &'de str) -> Result<Str<'a>, E> {
                Ok(Str(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<Str<'a>, E> {
                Ok(Str(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E: ::serde::de::Error>(self, v: String) -> Result<Str<'a>, E> {
                Ok(Str(Some(Cow::Owned(v))))
            }
            ignore!(bool);
            ignore!(num);
            ignore!(unit);
            ignore!(map);
            ignore!(seq);
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A JSON object deserialised as `T`; any other JSON type → None.
pub struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: ::serde::de::MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(|t| Obj(Some(t)))
            }
            ignore!(bool);
            ignore!(num);
            ignore!(str);
            ignore!(unit);
            ignore!(seq);
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A JSON array of `T`; any other JSON type → empty.
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: ::serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<List<T>, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(List(items))
            }
            ignore!(bool);
            ignore!(num);
            ignore!(str);
            ignore!(unit);
            ignore!(map);
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A non-negative integer (token counts); anything else → None.
#[derive(Default)]
pub struct Num(pub Option<u64>);

impl Num {
    pub fn get(&self) -> Option<u64> {
        self.0
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a count")
            }
            fn visit_u64<E: ::serde::de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num(Some(v)))
            }
            fn visit_i64<E: ::serde::de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(u64::try_from(v).ok()))
            }
            fn visit_f64<E: ::serde::de::Error>(self, v: f64) -> Result<Num, E> {
                Ok(Num((v.is_finite() && v >= 0.0).then_some(v as u64)))
            }
            ignore!(bool);
            ignore!(str);
            ignore!(unit);
            ignore!(map);
            ignore!(seq);
        }
        d.deserialize_any(V)
    }
}

/// A signed integer (exit codes); anything else → None.
#[derive(Default)]
pub struct Int(pub Option<i64>);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Int;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer")
            }
            fn visit_u64<E: ::serde::de::Error>(self, v: u64) -> Result<Int, E> {
                Ok(Int(i64::try_from(v).ok()))
            }
            fn visit_i64<E: ::serde::de::Error>(self, v: i64) -> Result<Int, E> {
                Ok(Int(Some(v)))
            }
            fn visit_f64<E: ::serde::de::Error>(self, v: f64) -> Result<Int, E> {
                Ok(Int(v.is_finite().then_some(v as i64)))
            }
            ignore!(bool);
            ignore!(str);
            ignore!(unit);
            ignore!(map);
            ignore!(seq);
        }
        d.deserialize_any(V)
    }
}

/// A boolean; anything else → None.
#[derive(Default)]
pub struct Flag(pub Option<bool>);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean")
            }
            fn visit_bool<E: ::serde::de::Error>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(Some(v)))
            }
            ignore!(num);
            ignore!(str);
            ignore!(unit);
            ignore!(map);
            ignore!(seq);
        }
        d.deserialize_any(V)
    }
}

/// The last `max` bytes of `text` on a char boundary, starting at a line start when one is
/// near; None when there is no text.
pub fn tail(text: &str, max: usize) -> Option<String> {
    let text = text.trim_end();
    if text.trim().is_empty() {
        return None;
    }
    if text.len() <= max {
        return Some(text.to_string());
    }
    let mut start = ceil_boundary(text, text.len() - max);
    if let Some(nl) = text[start..].find('\n')
        && nl < max / 2
    {
        start += nl + 1;
    }
    Some(text[start..].to_string())
}

/// The first `max` bytes of `text` on a char boundary, ending at a line end when one is near.
pub fn head(text: &str, max: usize) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.len() <= max {
        return Some(text.to_string());
    }
    let mut end = floor_boundary(text, max);
    if let Some(nl) = text[..end].rfind('\n')
        && nl > max / 2
    {
        end = nl;
    }
    Some(text[..end].to_string())
}

/// The largest char boundary of `s` at or before `i`.
pub fn floor_boundary(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    (0..=i).rev().find(|&j| s.is_char_boundary(j)).unwrap_or(0)
}

/// The smallest char boundary of `s` at or after `i`.
pub fn ceil_boundary(s: &str, i: usize) -> usize {
    (i..s.len())
        .find(|&j| s.is_char_boundary(j))
        .unwrap_or(s.len())
}

/// A line that serde_json refuses although an agent wrote it: invalid UTF-8 (a multi-byte
/// character cut by a crash) or a lone UTF-16 surrogate escape (`\ud83d`, which JavaScript
/// writes when it cuts a string inside an emoji). Returns the line with those replaced by
/// U+FFFD, or None when there is nothing to repair (the line is really malformed).
pub fn repair(line: &[u8]) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(line);
    let mut changed = matches!(text, Cow::Owned(_));
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    while let Some(i) = rest.find("\\u") {
        // An escaped backslash (`\\\\u…`) is not an escape: count the backslashes before.
        let run = rest[..i].bytes().rev().take_while(|&b| b == b'\\').count();
        let (before, at) = rest.split_at(i);
        out.push_str(before);
        if run % 2 == 1 {
            out.push_str("\\u");
            rest = &at[2..];
            continue;
        }
        let unit = |s: &str| {
            s.get(2..6)
                .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|h| u16::from_str_radix(h, 16).ok())
        };
        match unit(at) {
            Some(0xD800..=0xDBFF) => {
                let next = at.get(6..).filter(|n| n.starts_with("\\u")).and_then(unit);
                if next.is_some_and(|lo| (0xDC00..=0xDFFF).contains(&lo)) {
                    out.push_str(&at[..12]);
                    rest = &at[12..];
                } else {
                    out.push_str("\\ufffd");
                    changed = true;
                    rest = &at[6..];
                }
            }
            Some(0xDC00..=0xDFFF) => {
                out.push_str("\\ufffd");
                changed = true;
                rest = &at[6..];
            }
            _ => {
                out.push_str("\\u");
                rest = &at[2..];
            }
        }
    }
    out.push_str(rest);
    changed.then(|| out.into_bytes())
}
