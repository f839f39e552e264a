//! The Codex rollout line as serde reads it. One struct ([`Item`]) holds the union of the
//! fields we read from a line, its payload, or a bare legacy item; unknown fields are skipped
//! by serde without copying. Every field is one of the [`crate::agents::lenient`] wrappers, so
//! a field that changes type in some Codex release costs that field, not the line.

use super::reader::join_texts;
use crate::agents::lenient::{Flag, Int, List, Num, Obj, Str, ignore};
use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Item<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Str<'a>,
    #[serde(borrow)]
    pub(super) timestamp: Str<'a>,
    #[serde(borrow)]
    pub(super) payload: Obj<Box<Item<'a>>>,
    pub(super) record_type: Option<IgnoredAny>,
    #[serde(borrow)]
    pub(super) id: Str<'a>,
    #[serde(borrow)]
    pub(super) cwd: Str<'a>,
    #[serde(borrow)]
    pub(super) git: Obj<Git<'a>>,
    #[serde(borrow)]
    pub(super) source: Obj<Source<'a>>,
    #[serde(borrow)]
    pub(super) forked_from_id: Str<'a>,
    #[serde(borrow)]
    pub(super) model: Str<'a>,
    #[serde(borrow)]
    pub(super) role: Str<'a>,
    #[serde(borrow)]
    pub(super) content: List<Obj<Part<'a>>>,
    #[serde(borrow)]
    pub(super) summary: List<Obj<Part<'a>>>,
    #[serde(borrow)]
    pub(super) name: Str<'a>,
    #[serde(borrow)]
    pub(super) arguments: Str<'a>,
    #[serde(borrow)]
    pub(super) input: Str<'a>,
    #[serde(borrow)]
    pub(super) call_id: Str<'a>,
    #[serde(borrow)]
    pub(super) output: Output<'a>,
    #[serde(borrow)]
    pub(super) action: Obj<Action<'a>>,
    #[serde(borrow)]
    pub(super) message: Str<'a>,
    pub(super) info: Obj<TokenInfo>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Git<'a> {
    #[serde(borrow)]
    pub(super) branch: Str<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Source<'a> {
    #[serde(borrow)]
    pub(super) subagent: Obj<SubAgent<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SubAgent<'a> {
    #[serde(borrow)]
    pub(super) thread_spawn: Obj<ThreadSpawn<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ThreadSpawn<'a> {
    #[serde(borrow)]
    pub(super) parent_thread_id: Str<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Part<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Str<'a>,
    #[serde(borrow)]
    pub(super) text: Str<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Action<'a> {
    #[serde(borrow)]
    pub(super) command: List<Str<'a>>,
    #[serde(borrow)]
    pub(super) working_directory: Str<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct TokenInfo {
    pub(super) total_token_usage: Obj<Tokens>,
    pub(super) last_token_usage: Obj<Tokens>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Tokens {
    pub(super) input_tokens: Num,
    pub(super) cached_input_tokens: Num,
    pub(super) output_tokens: Num,
    pub(super) total_tokens: Num,
}

/// The arguments of a `function_call` (a JSON string inside the line).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Args<'a> {
    #[serde(borrow)]
    pub(super) command: Cmd<'a>,
    #[serde(borrow)]
    pub(super) cmd: Str<'a>,
    #[serde(borrow)]
    pub(super) workdir: Str<'a>,
    #[serde(borrow)]
    pub(super) input: Str<'a>,
    #[serde(borrow)]
    pub(super) patch: Str<'a>,
    #[serde(borrow)]
    pub(super) plan: List<Obj<Step<'a>>>,
    #[serde(borrow)]
    pub(super) explanation: Str<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Step<'a> {
    #[serde(borrow)]
    pub(super) step: Str<'a>,
    #[serde(borrow)]
    pub(super) status: Str<'a>,
}

/// The structured exec output `{"output": "...", "metadata": {"exit_code": N}}`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Structured<'a> {
    #[serde(borrow)]
    pub(super) output: Str<'a>,
    pub(super) metadata: Obj<Metadata>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Metadata {
    pub(super) exit_code: Int,
}

/// The object form of a tool output: `{content, success}` (and tolerate the structured keys).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct OutputObject<'a> {
    #[serde(borrow)]
    pub(super) content: Output<'a>,
    pub(super) success: Flag,
    #[serde(borrow)]
    pub(super) output: Str<'a>,
    pub(super) metadata: Obj<Metadata>,
}

/// `shell`'s argv array or `shell_command`'s script string.
#[derive(Default)]
pub(super) enum Cmd<'a> {
    #[default]
    None,
    Script(Cow<'a, str>),
    Argv(Vec<Cow<'a, str>>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Cmd<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Cmd<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a command")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cmd<'a>, E> {
                Ok(Cmd::Script(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Cmd<'a>, E> {
                Ok(Cmd::Script(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Cmd<'a>, E> {
                Ok(Cmd::Script(Cow::Owned(v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Cmd<'a>, A::Error> {
                let mut argv = Vec::new();
                while let Some(Str(word)) = seq.next_element::<Str<'a>>()? {
                    argv.extend(word);
                }
                Ok(Cmd::Argv(argv))
            }
            ignore!(bool);
            ignore!(num);
            ignore!(unit);
            ignore!(map);
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A tool output: a string, an array of `input_text` items, or an object
/// `{content, success}`.
#[derive(Default)]
pub(super) struct Output<'a> {
    pub(super) text: Option<Cow<'a, str>>,
    pub(super) success: Option<bool>,
    pub(super) exit_code: Option<i64>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Output<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Output<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a tool output")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Output<'a>, E> {
                Ok(Output {
                    text: Some(Cow::Borrowed(v)),
                    ..Output::default()
                })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Output<'a>, E> {
                self.visit_string(v.to_string())
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Output<'a>, E> {
                Ok(Output {
                    text: Some(Cow::Owned(v)),
                    ..Output::default()
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Output<'a>, A::Error> {
                let List(parts) =
                    List::<Obj<Part<'a>>>::deserialize(SeqAccessDeserializer::new(seq))?;
                let text = join_texts(&parts, &["input_text", "output_text", "text"]);
                Ok(Output {
                    text: Some(Cow::Owned(text)),
                    ..Output::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Output<'a>, A::Error> {
                let o = OutputObject::deserialize(MapAccessDeserializer::new(map))?;
                Ok(Output {
                    text: o.content.text.or(o.output.0),
                    success: o.success.0.or(o.content.success),
                    exit_code: o.metadata.0.and_then(|m| m.exit_code.0),
                })
            }
            ignore!(bool);
            ignore!(num);
            ignore!(unit);
        }
        d.deserialize_any(V(PhantomData))
    }
}
