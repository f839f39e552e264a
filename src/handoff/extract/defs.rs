//! What an edit defines, read from its text: the functions, types, endpoints and config keys
//! it adds or changes, so the brief's **Done** can say "added `fn retry_after`" instead of
//! "+12 −3".
//!
//! Line-based and forgiving on purpose: a definition is recognised by how its first line
//! starts in the common languages (Rust, Python, JavaScript/TypeScript, Go, Java/Kotlin/C#,
//! Ruby, shell), a route by the usual framework spellings, a config key by its position in
//! YAML / TOML / JSON. A name found in the text written but not in the text replaced was
//! added; one in both whose block changed was changed.

use crate::model::{Edit, EditOp};
use regex::Regex;
use std::sync::LazyLock;

/// At most this many names per edit.
const MAX_NAMES: usize = 8;

/// Definition starts in code: (regex with a `name` group, the kind word shown).
static CODE: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    let r = |p: &str| Regex::new(p).expect("valid regex");
    vec![
        (
            r(
                r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:const\s+|async\s+|unsafe\s+|extern\s+(?:\x22C\x22\s+)?)*fn\s+(?P<name>[A-Za-z_]\w*)",
            ),
            "fn",
        ),
        (
            r(
                r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?P<kind>struct|enum|trait|union|mod|type)\s+(?P<name>[A-Za-z_]\w*)",
            ),
            "",
        ),
        (
            r(r"^\s*impl(?:<[^>]*>)?\s+(?P<name>[A-Za-z_][\w:<>, ]*?)\s*\{"),
            "impl",
        ),
        (
            r(r"^\s*(?:async\s+)?def\s+(?P<name>[A-Za-z_]\w*)\s*\("),
            "def",
        ),
        (
            r(
                r"^\s*(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+(?P<name>[A-Za-z_$][\w$]*)",
            ),
            "class",
        ),
        (
            r(
                r"^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*(?P<name>[A-Za-z_$][\w$]*)",
            ),
            "function",
        ),
        (
            r(
                r"^\s*(?:export\s+)?(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s*)?(?:\([^)]*\)|[A-Za-z_$][\w$]*)\s*=>",
            ),
            "function",
        ),
        (
            r(r"^\s*(?:export\s+)?(?P<kind>interface|type)\s+(?P<name>[A-Za-z_$][\w$]*)"),
            "",
        ),
        (
            r(r"^\s*func\s+(?:\([^)]*\)\s*)?(?P<name>[A-Za-z_]\w*)\s*\("),
            "func",
        ),
        (
            r(r"^type\s+(?P<name>[A-Za-z_]\w*)\s+(?:struct|interface)"),
            "type",
        ),
        (
            r(
                r"^\s*(?:(?:public|private|protected|internal|static|final|override|suspend|abstract|virtual|async)\s+)+[\w<>\[\],.? ]+?\s+(?P<name>[A-Za-z_]\w*)\s*\([^;]*$",
            ),
            "method",
        ),
        (
            r(r"^\s*fun\s+(?:<[^>]*>\s*)?(?P<name>[A-Za-z_]\w*)\s*\("),
            "fun",
        ),
        (r(r"^\s*(?P<name>[A-Za-z_][\w-]*)\s*\(\)\s*\{"), "function"),
    ]
});

/// HTTP routes as frameworks spell them: Flask/FastAPI decorators, Express/Koa routers,
/// Spring mappings, actix/rocket attributes, Go muxes.
static ROUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:@\w+\.(?P<m1>get|post|put|patch|delete|route)\s*\(|\b(?:app|router|api|server|r|mux)\.(?P<m2>get|post|put|patch|delete|all|handlefunc|handle)\s*\(|@(?P<m3>get|post|put|patch|delete|request)mapping\s*\(\s*(?:value\s*=\s*)?|#\[(?P<m4>get|post|put|patch|delete|route)\s*\(\s*)["'`](?P<path>/[^"'`]*)["'`]"#,
    )
    .expect("valid regex")
});

/// A YAML key (`key:` at the start of a line, a value or a block after it).
static YAML_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^(?P<indent>\s*)(?:-\s+)?["']?(?P<key>[A-Za-z_][\w.-]*)["']?\s*:(?:\s|$)"#)
        .expect("valid regex")
});
/// A TOML table header or key.
static TOML_TABLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*\[\[?(?P<key>[^\]]+)\]\]?\s*$").expect("valid regex"));
static TOML_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*["']?(?P<key>[A-Za-z_][\w.-]*)["']?\s*="#).expect("valid regex")
});
/// A JSON object key.
static JSON_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*"(?P<key>[^"]+)"\s*:"#).expect("valid regex"));

/// What an edit added and changed: display names like ``fn retry_after``, ``GET /health``,
/// ``config key `retry.max` ``.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Defined {
    pub added: Vec<String>,
    pub changed: Vec<String>,
}

impl Defined {
    /// Fold another edit's names in: added stays added, a name changed twice once.
    pub fn merge(&mut self, other: Defined) {
        for a in other.added {
            if !self.added.contains(&a) {
                self.changed.retain(|c| *c != a);
                self.added.push(a);
            }
        }
        for c in other.changed {
            if !self.added.contains(&c) && !self.changed.contains(&c) {
                self.changed.push(c);
            }
        }
    }
}

/// The names an edit to `path` added or changed.
pub fn defined(path: &str, edit: &Edit) -> Defined {
    let ext = path
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    let before = if matches!(edit.op, EditOp::Update) {
        blocks(&ext, &edit.before)
    } else {
        Vec::new()
    };
    let mut out = Defined::default();
    for (n, block) in blocks(&ext, &edit.after) {
        if out.added.len() + out.changed.len() >= MAX_NAMES {
            break;
        }
        match before.iter().find(|(b, _)| *b == n) {
            // Context the edit only carried along is not a change.
            Some((_, old)) if *old == block => {}
            Some(_) if !out.changed.contains(&n) => out.changed.push(n),
            None if !out.added.contains(&n) => out.added.push(n),
            _ => {}
        }
    }
    out
}

/// Each name of a text with its block: the lines from its own to the next name's, trimmed.
fn blocks(ext: &str, text: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let found = named_lines(ext, text);
    let mut out = Vec::new();
    for (k, (name, at)) in found.iter().enumerate() {
        let end = found
            .get(k + 1)
            .map_or(lines.len(), |(_, n)| *n)
            .max(at + 1);
        let block: Vec<&str> = lines[*at..end.min(lines.len())]
            .iter()
            .map(|l| l.trim())
            .collect();
        out.push((name.clone(), block.join("\n")));
    }
    out
}

/// The definitions, routes and keys named in a text, in order.
#[cfg(test)]
pub fn names(ext: &str, text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (n, _) in named_lines(ext, text) {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// Each name with the index of the line it is on.
fn named_lines(ext: &str, text: &str) -> Vec<(String, usize)> {
    match ext {
        "yaml" | "yml" => return yaml_keys(text),
        "toml" => return toml_keys(text),
        "json" => return json_keys(text),
        "md" | "txt" | "rst" | "" => return Vec::new(),
        _ => {}
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(c) = ROUTE.captures(line) {
            let method = ["m1", "m2", "m3", "m4"]
                .iter()
                .find_map(|g| c.name(g))
                .map_or(String::new(), |m| m.as_str().to_ascii_uppercase());
            let method = match method.as_str() {
                "ROUTE" | "ALL" | "HANDLEFUNC" | "HANDLE" | "REQUEST" => String::new(),
                m => format!("{m} "),
            };
            out.push((format!("endpoint `{method}{}`", &c["path"]), i));
        } else if let Some(n) = code_name(line) {
            out.push((n, i));
        }
    }
    out
}

/// ``kind name`` of a line that starts a definition.
fn code_name(line: &str) -> Option<String> {
    for (re, kind) in CODE.iter() {
        if let Some(c) = re.captures(line) {
            let kind = c.name("kind").map_or(*kind, |k| k.as_str());
            let name = c["name"].trim();
            if matches!(
                name,
                "if" | "for" | "while" | "switch" | "return" | "catch" | "new"
            ) {
                return None;
            }
            return Some(format!("`{kind} {name}`"));
        }
    }
    None
}

/// YAML keys with their parents (`server.port`), at most two levels deep.
fn yaml_keys(text: &str) -> Vec<(String, usize)> {
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let Some(c) = YAML_KEY.captures(line) else {
            continue;
        };
        let indent = c["indent"].len();
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        stack.push((indent, c["key"].to_string()));
        if stack.len() <= 2 {
            let key: Vec<&str> = stack.iter().map(|(_, k)| k.as_str()).collect();
            out.push((format!("config key `{}`", key.join(".")), i));
        }
    }
    out
}

/// TOML keys, qualified by their table.
fn toml_keys(text: &str) -> Vec<(String, usize)> {
    let mut table = String::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(c) = TOML_TABLE.captures(line) {
            table = c["key"].trim().to_string();
            out.push((format!("config table `[{table}]`"), i));
        } else if let Some(c) = TOML_KEY.captures(line) {
            let key = if table.is_empty() {
                c["key"].to_string()
            } else {
                format!("{table}.{}", &c["key"])
            };
            out.push((format!("config key `{key}`"), i));
        }
    }
    out
}

/// JSON keys with their parent object's key, from the nesting of braces.
fn json_keys(text: &str) -> Vec<(String, usize)> {
    let mut stack: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(c) = JSON_KEY.captures(line) {
            let key = c["key"].to_string();
            let full = match stack.last() {
                Some(p) if stack.len() <= 2 => format!("{p}.{key}"),
                Some(_) => continue,
                None => key.clone(),
            };
            out.push((format!("config key `{full}`"), i));
            if line.trim_end().ends_with('{') {
                stack.push(full);
            }
        } else if line.trim_start().starts_with('}') {
            stack.pop();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ed(before: &str, after: &str) -> Edit {
        Edit {
            call_id: None,
            tool: "Edit".into(),
            path: "/r/x".into(),
            op: EditOp::Update,
            before: before.into(),
            after: after.into(),
            move_to: None,
        }
    }

    #[test]
    fn definitions_in_common_languages() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "rs",
                "pub(crate) async fn retry_after(x: u8) {",
                "`fn retry_after`",
            ),
            ("rs", "pub struct Bucket {", "`struct Bucket`"),
            (
                "rs",
                "impl Display for Bucket {",
                "`impl Display for Bucket`",
            ),
            ("py", "    async def fetch(self, url):", "`def fetch`"),
            ("py", "class Client(Base):", "`class Client`"),
            (
                "ts",
                "export async function load(id: string) {",
                "`function load`",
            ),
            (
                "ts",
                "export const handler = async (req) => {",
                "`function handler`",
            ),
            ("ts", "export interface Options {", "`interface Options`"),
            (
                "go",
                "func (c *Client) Do(req *Request) error {",
                "`func Do`",
            ),
            (
                "java",
                "    public static List<String> parse(String s) {",
                "`method parse`",
            ),
            ("sh", "deploy() {", "`function deploy`"),
        ];
        for (ext, line, want) in cases {
            assert_eq!(names(ext, line), vec![want.to_string()], "{ext}: {line}");
        }
        assert!(names("py", "    if x:\n        return y(z)\n").is_empty());
    }

    #[test]
    fn endpoints_and_config_keys() {
        assert_eq!(
            names("py", "@app.get(\"/health\")\ndef health():"),
            vec!["endpoint `GET /health`", "`def health`"]
        );
        assert_eq!(
            names("js", "router.post('/api/items', create)"),
            vec!["endpoint `POST /api/items`"]
        );
        assert_eq!(
            names("yaml", "server:\n  port: 8080\n  tls:\n    cert: x\n"),
            vec![
                "config key `server`",
                "config key `server.port`",
                "config key `server.tls`"
            ]
        );
        assert_eq!(
            names("toml", "[retry]\nmax = 3\n"),
            vec!["config table `[retry]`", "config key `retry.max`"]
        );
        assert_eq!(
            names(
                "json",
                "{\n  \"scripts\": {\n    \"test\": \"jest\"\n  }\n}"
            ),
            vec!["config key `scripts`", "config key `scripts.test`"]
        );
    }

    #[test]
    fn added_versus_changed() {
        let d = defined(
            "a.py",
            &ed(
                "def fetch(url):\n    return get(url)\n",
                "def fetch(url):\n    return get(url, retry=3)\n\ndef backoff(n):\n    return 2 ** n\n",
            ),
        );
        assert_eq!(d.added, vec!["`def backoff`"]);
        assert_eq!(d.changed, vec!["`def fetch`"]);
        let mut all = Defined::default();
        all.merge(d);
        all.merge(Defined {
            added: vec![],
            changed: vec!["`def backoff`".into()],
        });
        assert_eq!(all.added, vec!["`def backoff`"]);
        assert_eq!(all.changed, vec!["`def fetch`"]);
    }
}
