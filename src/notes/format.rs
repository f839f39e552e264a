//! The `drift-note/1` text format: rendering, lenient parsing and the size bound.
//!
//! One self-contained record per line, lines sorted bytewise and unique, so git's own
//! `cat_sort_uniq` notes merge (concatenate, sort, dedupe) yields a note that parses to the
//! union of both sides. Tokens are separated by one space; a token holding a space, a quote,
//! a control or invisible character (or nothing) is written as a JSON string, and free texts
//! always are. The full specification with an example is `docs/note-format.md`.

use super::merge;
use super::{LineRange, Millis, Note, SessionRecord, Summarised, Who};
use std::collections::BTreeMap;

/// The version record; it sorts before every other record this version writes
/// (`d` < `f` < `s`).
pub const FORMAT_VERSION: &str = "drift-note/1";

/// The default size bound for a rendered note (256 KiB).
pub const DEFAULT_MAX_BYTES: usize = 256 * 1024;

impl Note {
    /// Render the note in the `drift-note/1` text format: deterministic (the same note
    /// renders to the same bytes), sorted unique lines, each ending in `\n`.
    pub fn render(&self) -> String {
        let mut n = self.clone();
        n.normalize();
        render_normalized(&n)
    }

    /// Render within `max_bytes` (see [`DEFAULT_MAX_BYTES`]). When the full rendering is
    /// larger, drop in this order until it fits, recording each step as a `summarised` record:
    /// all free text (prompt texts, decisions, rejected approaches); the per-line hashes of
    /// the largest files; unrecognised records; whole files, largest first. The result is
    /// always a complete note; it exceeds the bound only if the version line, the session
    /// records and the markers alone do.
    pub fn render_bounded(&self, max_bytes: usize) -> String {
        let mut n = self.clone();
        n.normalize();
        let out = render_normalized(&n);
        if out.len() <= max_bytes {
            return out;
        }
        let mut size = out.len();

        if n.sessions.values().any(SessionRecord::has_text) {
            n.sessions.values_mut().for_each(SessionRecord::strip_text);
            n.summarised.insert(Summarised::Text);
            let out = render_normalized(&n);
            if out.len() <= max_bytes {
                return out;
            }
            size = out.len();
        }

        // Estimates below only ever overshoot (re-coalescing and marker dedup shrink the
        // real size), so stopping when the estimate fits means the rendering fits.
        let mut by_hash_bytes: Vec<(usize, String)> = n
            .files
            .iter()
            .map(|(path, ranges)| {
                let bytes = ranges
                    .iter()
                    .map(|r| hashes_token(&r.hashes).map_or(0, |t| t.len() + 1))
                    .sum();
                (bytes, path.clone())
            })
            .filter(|(bytes, _)| *bytes > 0)
            .collect();
        by_hash_bytes.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        for (bytes, path) in by_hash_bytes {
            if size <= max_bytes {
                break;
            }
            if let Some(ranges) = n.files.get_mut(&path) {
                let mut taken = std::mem::take(ranges);
                taken.iter_mut().for_each(|r| r.hashes.clear());
                *ranges = merge::coalesce(taken);
            }
            let marker = Summarised::Hashes(path);
            size = size - bytes + summarised_line(&marker).len() + 1;
            n.summarised.insert(marker);
        }
        let out = render_normalized(&n);
        if out.len() <= max_bytes {
            return out;
        }
        size = out.len();

        if !n.extra.is_empty() {
            n.extra.clear();
            n.summarised.insert(Summarised::Extra);
            let out = render_normalized(&n);
            if out.len() <= max_bytes {
                return out;
            }
            size = out.len();
        }

        let mut by_file_bytes: Vec<(usize, String)> = n
            .files
            .iter()
            .map(|(path, ranges)| {
                let bytes = ranges.iter().map(|r| file_line(path, r).len() + 1).sum();
                (bytes, path.clone())
            })
            .collect();
        by_file_bytes.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        for (bytes, path) in by_file_bytes {
            if size <= max_bytes {
                break;
            }
            n.files.remove(&path);
            let marker = Summarised::File(path);
            size = size - bytes + summarised_line(&marker).len() + 1;
            n.summarised.insert(marker);
        }
        render_normalized(&n)
    }

    /// Parse a note leniently: every line is read on its own; records about the same session
    /// or the same lines are combined as [`Note::merge`] would; lines that are not understood
    /// (other formats, other versions' records, plain `git notes add -m` text) are kept in
    /// [`Note::extra`]. Never fails.
    pub fn parse(text: &str) -> Note {
        let mut note = Note::default();
        for raw in text.split('\n') {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.trim().is_empty() {
                continue;
            }
            match parse_line(line) {
                Some((record, complete)) => {
                    if !complete {
                        note.extra.insert(line.to_string());
                    }
                    apply(&mut note, record);
                }
                None => {
                    note.extra.insert(line.to_string());
                }
            }
        }
        note.normalize();
        note
    }

    /// [`Note::parse`] for a blob's bytes; invalid UTF-8 is replaced, not rejected.
    pub fn parse_bytes(bytes: &[u8]) -> Note {
        Note::parse(&String::from_utf8_lossy(bytes))
    }
}

/// Whether a line can be kept verbatim in [`Note::extra`] and survive a round trip.
pub(super) fn valid_extra(line: &str) -> bool {
    !line.trim().is_empty() && !line.contains('\n') && !line.ends_with('\r')
}

fn render_normalized(n: &Note) -> String {
    let mut lines: Vec<String> = Vec::new();
    lines.push(FORMAT_VERSION.to_string());
    for (path, ranges) in &n.files {
        lines.extend(ranges.iter().map(|r| file_line(path, r)));
    }
    for (id, s) in &n.sessions {
        lines.push(session_line(id, s));
        let id = token(id);
        for (key, text) in &s.prompts {
            lines.push(format!(
                "session-prompt {id} {} {}",
                token(key),
                quote(text)
            ));
        }
        for text in &s.decisions {
            lines.push(format!("session-decision {id} {}", quote(text)));
        }
        for text in &s.rejected_approaches {
            lines.push(format!("session-rejected {id} {}", quote(text)));
        }
    }
    lines.extend(n.summarised.iter().map(summarised_line));
    lines.extend(n.extra.iter().filter(|l| valid_extra(l)).cloned());
    // `str`'s order is bytewise, the same as git's strcmp-based `cat_sort_uniq`.
    lines.sort_unstable();
    lines.dedup();
    let mut out = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for line in lines {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn file_line(path: &str, r: &LineRange) -> String {
    let mut s = format!("file {} ", token(path));
    if r.start == r.end {
        s.push_str(&r.start.to_string());
    } else {
        s.push_str(&format!("{}-{}", r.start, r.end));
    }
    s.push(' ');
    s.push_str(r.who.keyword());
    if let Some(session) = r.who.session() {
        s.push(' ');
        s.push_str(&token(session));
    }
    if let Some(p) = &r.prompt {
        s.push_str(" p=");
        s.push_str(&token(p));
    }
    if let Some(h) = hashes_token(&r.hashes) {
        s.push(' ');
        s.push_str(&h);
    }
    s
}

fn hashes_token(hashes: &[String]) -> Option<String> {
    (!hashes.is_empty() && hashes.iter().all(|h| merge::valid_hash(h)))
        .then(|| format!("h={}", hashes.join(",")))
}

fn session_line(id: &str, s: &SessionRecord) -> String {
    let mut line = format!("session {}", token(id));
    if !s.agent.is_empty() {
        line.push_str(&format!(" agent={}", token(&s.agent)));
    }
    if let Some(m) = &s.model {
        line.push_str(&format!(" model={}", token(m)));
    }
    if let Some(t) = s.started {
        line.push_str(&format!(" start={}", format_time(t)));
    }
    if let Some(t) = s.ended {
        line.push_str(&format!(" end={}", format_time(t)));
    }
    line.push_str(&format!(
        " accepted={} rejected={} superseded={}",
        s.accepted, s.rejected, s.superseded
    ));
    line
}

fn summarised_line(m: &Summarised) -> String {
    match m {
        Summarised::Text => "summarised text".to_string(),
        Summarised::Extra => "summarised extra".to_string(),
        Summarised::Hashes(path) => format!("summarised hashes {}", token(path)),
        Summarised::File(path) => format!("summarised file {}", token(path)),
    }
}

/// RFC 3339 in UTC; milliseconds outside jiff's range (±9999 years) as a bare integer, which
/// the parser also accepts.
fn format_time(ms: Millis) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| ms.to_string())
}

fn parse_time(s: &str) -> Option<Millis> {
    if let Ok(ms) = s.parse::<i64>() {
        return Some(ms);
    }
    s.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond())
}

/// Characters that do not show (or reorder what follows) in a terminal; quoted so a path or
/// text cannot hide or spoof part of a record in `git log --notes`.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

fn needs_quote(s: &str) -> bool {
    s.is_empty() || s.chars().any(|c| c == ' ' || c == '"' || invisible(c))
}

/// A positional or `key=` value: bare when safe, else a JSON string.
fn token(s: &str) -> String {
    if needs_quote(s) {
        quote(s)
    } else {
        s.to_string()
    }
}

/// A JSON string literal that also escapes invisible characters, so it is one printable line.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Every invisible character is in the BMP, so one \u escape suffices.
            c if invisible(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One token of a record line: a bare word, a JSON string, or `key=` followed by a JSON string.
struct Tok {
    key: Option<String>,
    text: String,
    quoted: bool,
}

impl Tok {
    fn positional(&self) -> Option<&str> {
        self.key.is_none().then_some(self.text.as_str())
    }

    fn key_value(&self) -> Option<(&str, &str)> {
        match &self.key {
            Some(k) => Some((k, &self.text)),
            None if !self.quoted => self.text.split_once('='),
            None => None,
        }
    }
}

fn tokenize(line: &str) -> Option<Vec<Tok>> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i >= b.len() {
            return Some(out);
        }
        let start = i;
        while i < b.len() && b[i] != b' ' && b[i] != b'"' {
            i += 1;
        }
        // Slicing at ASCII bytes is always on a char boundary.
        let bare = &line[start..i];
        if i < b.len() && b[i] == b'"' {
            let key = if bare.is_empty() {
                None
            } else {
                Some(bare.strip_suffix('=')?.to_string())
            };
            let close = json_string_end(b, i)?;
            let text: String = serde_json::from_str(&line[i..=close]).ok()?;
            i = close + 1;
            if i < b.len() && b[i] != b' ' {
                return None;
            }
            out.push(Tok {
                key,
                text,
                quoted: true,
            });
        } else {
            out.push(Tok {
                key: None,
                text: bare.to_string(),
                quoted: false,
            });
        }
    }
}

fn json_string_end(b: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

enum Record {
    Version,
    File(String, LineRange),
    Session(SessionRecord),
    Prompt(String, String, String),
    Decision(String, String),
    Rejected(String, String),
    Summarised(Summarised),
}

/// The record a line holds, and whether every part of it was understood (if not, the line is
/// also kept verbatim so nothing a newer writer added is lost).
fn parse_line(line: &str) -> Option<(Record, bool)> {
    if line == FORMAT_VERSION {
        return Some((Record::Version, true));
    }
    let toks = tokenize(line)?;
    let head = toks.first().filter(|t| !t.quoted && t.key.is_none())?;
    match head.text.as_str() {
        "file" => parse_file(&toks),
        "session" => parse_session(&toks),
        "session-prompt" => match toks.as_slice() {
            [_, id, key, text] => Some((
                Record::Prompt(
                    id.positional()?.to_string(),
                    key.positional()?.to_string(),
                    text.positional()?.to_string(),
                ),
                true,
            )),
            _ => None,
        },
        "session-decision" | "session-rejected" => match toks.as_slice() {
            [_, id, text] => {
                let (id, text) = (id.positional()?.to_string(), text.positional()?.to_string());
                let record = if head.text == "session-decision" {
                    Record::Decision(id, text)
                } else {
                    Record::Rejected(id, text)
                };
                Some((record, true))
            }
            _ => None,
        },
        "summarised" => {
            let what = match toks.as_slice() {
                [_, w] if w.positional()? == "text" => Summarised::Text,
                [_, w] if w.positional()? == "extra" => Summarised::Extra,
                [_, w, p] if w.positional()? == "hashes" => {
                    Summarised::Hashes(p.positional()?.to_string())
                }
                [_, w, p] if w.positional()? == "file" => {
                    Summarised::File(p.positional()?.to_string())
                }
                _ => return None,
            };
            Some((Record::Summarised(what), true))
        }
        _ => None,
    }
}

fn parse_range(s: &str) -> Option<(u32, u32)> {
    let (a, b) = match s.split_once('-') {
        Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
        None => {
            let n = s.parse().ok()?;
            (n, n)
        }
    };
    (a >= 1 && a <= b).then_some((a, b))
}

fn parse_file(toks: &[Tok]) -> Option<(Record, bool)> {
    let path = toks.get(1)?.positional()?.to_string();
    let (start, end) = parse_range(toks.get(2)?.positional()?)?;
    let kind = toks.get(3).filter(|t| !t.quoted)?.positional()?;
    let session = || toks.get(4).and_then(Tok::positional).map(str::to_string);
    let (who, rest) = match kind {
        "ai" => (Who::Ai(session()?), 5),
        "modified" => (Who::Modified(session()?), 5),
        "human" => (Who::Human, 4),
        _ => return None,
    };
    let mut complete = true;
    let mut prompt = None;
    let mut hashes = Vec::new();
    for t in toks.get(rest..).unwrap_or_default() {
        match t.key_value() {
            Some(("p", v)) => prompt = Some(v.to_string()),
            Some(("h", v)) => hashes = v.split(',').map(str::to_string).collect(),
            _ => complete = false,
        }
    }
    let range = LineRange {
        start,
        end,
        who,
        prompt,
        hashes,
    };
    if !range.hashes.is_empty()
        && (range.hashes.len() as u64 != merge::len(&range)
            || !range.hashes.iter().all(|h| merge::valid_hash(h)))
    {
        // Keep the line verbatim; the range itself is still used, without hashes.
        complete = false;
    }
    Some((Record::File(path, range), complete))
}

fn parse_session(toks: &[Tok]) -> Option<(Record, bool)> {
    let mut rec = SessionRecord::new(toks.get(1)?.positional()?);
    let mut complete = true;
    for t in toks.get(2..).unwrap_or_default() {
        match t.key_value() {
            Some(("agent", v)) => rec.agent = v.to_string(),
            Some(("model", v)) => rec.model = Some(v.to_string()),
            Some(("start", v)) => rec.started = Some(parse_time(v)?),
            Some(("end", v)) => rec.ended = Some(parse_time(v)?),
            Some(("accepted", v)) => rec.accepted = v.parse().ok()?,
            Some(("rejected", v)) => rec.rejected = v.parse().ok()?,
            Some(("superseded", v)) => rec.superseded = v.parse().ok()?,
            _ => complete = false,
        }
    }
    Some((Record::Session(rec), complete))
}

fn apply(note: &mut Note, record: Record) {
    fn session(sessions: &mut BTreeMap<String, SessionRecord>, id: String) -> &mut SessionRecord {
        sessions
            .entry(id.clone())
            .or_insert_with(|| SessionRecord::new(id))
    }
    match record {
        Record::Version => {}
        Record::File(path, range) => note.files.entry(path).or_default().push(range),
        Record::Session(rec) => session(&mut note.sessions, rec.id.clone()).absorb(rec),
        Record::Prompt(id, key, text) => {
            let mut rec = SessionRecord::new(id.clone());
            rec.prompts.insert(key, text);
            session(&mut note.sessions, id).absorb(rec);
        }
        Record::Decision(id, text) => {
            session(&mut note.sessions, id).decisions.insert(text);
        }
        Record::Rejected(id, text) => {
            session(&mut note.sessions, id)
                .rejected_approaches
                .insert(text);
        }
        Record::Summarised(what) => {
            note.summarised.insert(what);
        }
    }
}
