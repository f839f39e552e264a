//! Gemini CLI chat records as serde reads them. One struct ([`Line`]) holds the union of the
//! fields of the three line shapes (the metadata line, a message record, a `$set` /
//! `$rewindTo` update) and of the legacy single-document `session-*.json` (metadata plus a
//! `messages` array of the same message records). Every field is a lenient wrapper, so a field
//! that changes type costs that field, not the record.

use crate::agents::lenient::{Flag, List, Num, Obj, Str, ignore};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Line<'a> {
    // Metadata (first line, legacy document).
    #[serde(rename = "sessionId", borrow)]
    pub(super) session_id: Str<'a>,
    #[serde(rename = "startTime", borrow)]
    pub(super) start_time: Str<'a>,
    #[serde(rename = "lastUpdated", borrow)]
    pub(super) last_updated: Str<'a>,
    /// `main` or `subagent` on the metadata line.
    #[serde(borrow)]
    pub(super) kind: Str<'a>,
    // A message record.
    #[serde(borrow)]
    pub(super) id: Str<'a>,
    #[serde(borrow)]
    pub(super) timestamp: Str<'a>,
    /// `user`, `gemini`, `info`, `error`, `warning`.
    #[serde(rename = "type", borrow)]
    pub(super) role: Str<'a>,
    pub(super) content: Content,
    #[serde(borrow)]
    pub(super) model: Str<'a>,
    pub(super) tokens: Obj<Tokens>,
    #[serde(borrow)]
    pub(super) thoughts: List<Obj<Thought<'a>>>,
    #[serde(rename = "toolCalls", borrow)]
    pub(super) tool_calls: List<Obj<ToolCall<'a>>>,
    // Updates.
    #[serde(rename = "$set", borrow)]
    pub(super) set: Obj<Box<Line<'a>>>,
    #[serde(rename = "$rewindTo", borrow)]
    pub(super) rewind_to: Str<'a>,
    /// The legacy document's messages, or a `$set` that replaces all of them.
    #[serde(borrow)]
    pub(super) messages: Option<List<Obj<Line<'a>>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Tokens {
    pub(super) input: Num,
    pub(super) output: Num,
    pub(super) cached: Num,
    pub(super) thoughts: Num,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Thought<'a> {
    #[serde(borrow)]
    pub(super) subject: Str<'a>,
    #[serde(borrow)]
    pub(super) description: Str<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ToolCall<'a> {
    #[serde(borrow)]
    pub(super) id: Str<'a>,
    #[serde(borrow)]
    pub(super) name: Str<'a>,
    #[serde(borrow)]
    pub(super) args: Obj<Args<'a>>,
    #[serde(borrow)]
    pub(super) result: List<Obj<ResultPart<'a>>>,
    /// `success`, `error`, `cancelled`, or a state before those.
    #[serde(borrow)]
    pub(super) status: Str<'a>,
    #[serde(borrow)]
    pub(super) timestamp: Str<'a>,
    /// For edits an object (`fileDiff`, `isNewFile`, …); for other tools a string.
    #[serde(rename = "resultDisplay")]
    pub(super) result_display: Obj<Display>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Args<'a> {
    #[serde(borrow)]
    pub(super) file_path: Str<'a>,
    #[serde(borrow)]
    pub(super) content: Str<'a>,
    #[serde(borrow)]
    pub(super) old_string: Str<'a>,
    #[serde(borrow)]
    pub(super) new_string: Str<'a>,
    #[serde(borrow)]
    pub(super) command: Str<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Display {
    #[serde(rename = "isNewFile")]
    pub(super) is_new_file: Flag,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ResultPart<'a> {
    #[serde(rename = "functionResponse", borrow)]
    pub(super) function_response: Obj<FunctionResponse<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct FunctionResponse<'a> {
    #[serde(borrow)]
    pub(super) response: Obj<Response<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Response<'a> {
    #[serde(borrow)]
    pub(super) output: Str<'a>,
    #[serde(borrow)]
    pub(super) error: Str<'a>,
}

/// A message's `content` (Gemini's `PartListUnion`: a string, one part, or a list of parts):
/// its text, and whether it carries tool results (`functionResponse` parts), which makes a
/// `user` record the CLI's reply to the model rather than something the human typed.
#[derive(Default)]
pub(super) struct Content {
    pub(super) text: String,
    pub(super) tool_result: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Part<'a> {
    #[serde(borrow)]
    text: Str<'a>,
    #[serde(rename = "functionResponse")]
    function_response: Option<IgnoredAny>,
    #[serde(rename = "functionCall")]
    function_call: Option<IgnoredAny>,
}

impl Content {
    fn add(&mut self, part: Part<'_>) {
        if part.function_response.is_some() || part.function_call.is_some() {
            self.tool_result |= part.function_response.is_some();
            return;
        }
        if let Some(t) = part.text.get() {
            self.text.push_str(t);
        }
    }
}

impl<'de> Deserialize<'de> for Content {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Content;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or parts")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Content, E> {
                Ok(Content {
                    text: v.to_string(),
                    tool_result: false,
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Content, A::Error> {
                let mut c = Content::default();
                while let Some(part) = seq.next_element::<Obj<Part<'de>>>()? {
                    if let Some(p) = part.0 {
                        c.add(p);
                    }
                }
                Ok(c)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Content, A::Error> {
                let part = Part::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let mut c = Content::default();
                c.add(part);
                Ok(c)
            }
            ignore!(bool);
            ignore!(num);
            ignore!(unit);
        }
        d.deserialize_any(V)
    }
}
