//! The Claude Code transcript line as serde reads it: borrowed structs holding the union of
//! the fields we read. Unlisted fields (`toolUseResult`, image data, progress payloads,
//! `snapshot`) are skipped by serde without being materialised, which is most of the bytes of
//! a transcript. Every field is one of the [`crate::agents::lenient`] wrappers, so one field
//! of an unexpected type (`timestamp` as epoch ms, a numeric `uuid`, a string `isSidechain`)
//! costs that field, never the record and the edits in it.

use crate::agents::lenient::{Flag, Num, Obj, Str, ignore};
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

/// `message.content` and `tool_result.content`: a plain string or a list of blocks; any other
/// JSON type reads as no blocks.
pub(super) enum Content<'a> {
    Text(Cow<'a, str>),
    Blocks(Vec<Block<'a>>),
}

impl Default for Content<'_> {
    fn default() -> Self {
        Content::Blocks(Vec::new())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Content<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Content<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a list of content blocks")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Content::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Content::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Content::Text(Cow::Owned(v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut blocks = Vec::with_capacity(seq.size_hint().unwrap_or(1));
                // A block that is not an object (a bare string in some MCP results) is
                // consumed and dropped; the others are kept.
                while let Some(b) = seq.next_element::<Obj<Block<'de>>>()? {
                    blocks.extend(b.0);
                }
                Ok(Content::Blocks(blocks))
            }
            ignore!(bool);
            ignore!(num);
            ignore!(unit);
            ignore!(map);
        }
        d.deserialize_any(V)
    }
}

/// One content block; a flat union of the fields of the block types we read. Unlisted fields
/// (`signature`, image `source`, `caller`) are skipped without allocation.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Block<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Str<'a>,
    #[serde(borrow)]
    pub(super) text: Str<'a>,
    #[serde(borrow)]
    pub(super) thinking: Str<'a>,
    #[serde(borrow)]
    pub(super) id: Str<'a>,
    #[serde(borrow)]
    pub(super) name: Str<'a>,
    /// Tool inputs are small except the edit texts we keep anyway, and their shape depends on
    /// the tool (MCP tools have arbitrary ones), so a `Value` is both cheap and robust here.
    pub(super) input: Option<Value>,
    #[serde(borrow)]
    pub(super) tool_use_id: Str<'a>,
    #[serde(borrow)]
    pub(super) content: Option<Content<'a>>,
    pub(super) is_error: Flag,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Message<'a> {
    #[serde(borrow)]
    pub(super) id: Str<'a>,
    #[serde(borrow)]
    pub(super) model: Str<'a>,
    #[serde(borrow)]
    pub(super) content: Option<Content<'a>>,
    #[serde(borrow)]
    pub(super) stop_reason: Str<'a>,
    pub(super) usage: Obj<TokenUsage>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct TokenUsage {
    pub(super) input_tokens: Num,
    pub(super) output_tokens: Num,
    pub(super) cache_read_input_tokens: Num,
    pub(super) cache_creation_input_tokens: Num,
}

/// The envelope of one line.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Line<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Str<'a>,
    #[serde(borrow)]
    pub(super) uuid: Str<'a>,
    #[serde(rename = "parentUuid", borrow)]
    pub(super) parent_uuid: Str<'a>,
    #[serde(rename = "sessionId", borrow)]
    pub(super) session_id: Str<'a>,
    #[serde(rename = "agentId", borrow)]
    pub(super) agent_id: Str<'a>,
    #[serde(rename = "isSidechain")]
    pub(super) is_sidechain: Flag,
    #[serde(rename = "isMeta")]
    pub(super) is_meta: Flag,
    #[serde(rename = "isCompactSummary")]
    pub(super) is_compact_summary: Flag,
    #[serde(rename = "isApiErrorMessage")]
    pub(super) is_api_error: Flag,
    #[serde(borrow)]
    pub(super) cwd: Str<'a>,
    #[serde(rename = "gitBranch", borrow)]
    pub(super) git_branch: Str<'a>,
    /// RFC 3339 text, or epoch milliseconds in some exports.
    pub(super) timestamp: Stamp,
    #[serde(borrow)]
    pub(super) message: Obj<Message<'a>>,
}

/// A timestamp: RFC 3339 text or epoch milliseconds; anything else → None.
#[derive(Default)]
pub(super) struct Stamp(pub(super) Option<crate::model::Millis>);

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Stamp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a timestamp")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Stamp, E> {
                Ok(Stamp(crate::model::parse_millis(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Stamp, E> {
                Ok(Stamp(i64::try_from(v).ok()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Stamp, E> {
                Ok(Stamp(Some(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Stamp, E> {
                Ok(Stamp(v.is_finite().then_some(v as i64)))
            }
            ignore!(bool);
            ignore!(unit);
            ignore!(map);
            ignore!(seq);
        }
        d.deserialize_any(V)
    }
}
