//! Small text and path helpers shared by capture, the queries and the commands: byte sizes,
//! short session ids, repository-relative paths.

use std::path::Path;

/// `1.2 MB`, `640 B`.
pub fn human_bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        _ => format!("{:.2} GB", n as f64 / 1e9),
    }
}

/// The first 8 characters of a session id (after a sub-agent's `agent-`/`sidechain-` word).
pub fn short_id(id: &str) -> &str {
    // Sub-agent ids carry a word before their own id (`agent-a1b2…`, `sidechain-a800…`): keep
    // it, or every sidechain of a session would show as the same `sidechai`.
    let skip = ["sidechain-", "agent-"]
        .iter()
        .find(|p| id.starts_with(**p))
        .map_or(0, |p| p.len());
    let end = id[skip..]
        .char_indices()
        .nth(8)
        .map_or(id.len(), |(i, _)| skip + i);
    &id[..end]
}

/// Short session ids that stay unique among a set of ids, the way git abbreviates object
/// ids: at least [`short_id`]'s length, longer where two ids share a longer prefix (UUIDv7
/// ids, as Codex writes them, share their first 8 hex digits within a minute).
#[derive(Debug, Default)]
pub struct ShortIds {
    len: std::collections::HashMap<String, usize>,
}

impl ShortIds {
    /// The unique abbreviations of `ids`.
    pub fn new<'a>(ids: impl IntoIterator<Item = &'a str>) -> ShortIds {
        let mut all: Vec<&str> = ids.into_iter().collect();
        all.sort_unstable();
        all.dedup();
        let lcp = |a: &str, b: &str| {
            a.char_indices()
                .zip(b.chars())
                .find(|((_, x), y)| x != y)
                .map_or(a.len().min(b.len()), |((i, _), _)| i)
        };
        let mut len = std::collections::HashMap::with_capacity(all.len());
        for (i, id) in all.iter().enumerate() {
            let before = i.checked_sub(1).map_or(0, |j| lcp(all[j], id));
            let after = all.get(i + 1).map_or(0, |n| lcp(n, id));
            len.insert(id.to_string(), unique_len(id, before.max(after)));
        }
        ShortIds { len }
    }

    /// The abbreviation of `id` (unknown ids get [`short_id`]'s).
    pub fn get<'a>(&self, id: &'a str) -> &'a str {
        match self.len.get(id) {
            Some(&n) => &id[..n],
            None => short_id(id),
        }
    }
}

/// The byte length of `id`'s abbreviation when `shared` bytes are common with a neighbour:
/// one character past them, never shorter than [`short_id`], never ending in a separator.
fn unique_len(id: &str, shared: usize) -> usize {
    let mut n = short_id(id).len();
    if shared >= n {
        n = id[shared..]
            .chars()
            .next()
            .map_or(id.len(), |c| shared + c.len_utf8());
    }
    while n < id.len() && id[..n].ends_with('-') {
        n += id[n..].chars().next().map_or(0, char::len_utf8);
    }
    n
}

/// The repository-relative path (with `/` separators) of an absolute path inside `root`.
pub fn relative(path: &str, root: &Path) -> Option<String> {
    let rel = Path::new(path).strip_prefix(root).ok()?;
    let parts: Vec<_> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_keep_sub_agent_words() {
        assert_eq!(short_id("5b0c1f2e-8a4d-4c1e"), "5b0c1f2e");
        assert_eq!(short_id("sidechain-a8000000-0000"), "sidechain-a8000000");
        assert_eq!(short_id("agent-a1b2c3d4"), "agent-a1b2c3d4");
        assert_eq!(short_id("abc"), "abc");
    }

    #[test]
    fn short_ids_lengthen_until_unique() {
        // Two UUIDv7 ids of one minute, one of another, and a sub-agent.
        let a = "019bc2a1-4d2e-7a10-9c3b-5e6f7a8b9c0d";
        let b = "019bc2a1-4d2f-7b20-8c3b-5e6f7a8b9c02";
        let c = "019bc2b0-1111-7a10-9c3b-5e6f7a8b9c01";
        let d = "agent-a1b2c3d4";
        let ids = ShortIds::new([a, b, c, d]);
        assert_eq!(ids.get(a), "019bc2a1-4d2e");
        assert_eq!(ids.get(b), "019bc2a1-4d2f");
        assert_eq!(ids.get(c), "019bc2b0");
        assert_eq!(ids.get(d), "agent-a1b2c3d4");
        assert_eq!(ids.get("5b0c1f2e-8a4d"), "5b0c1f2e", "unknown ids");
        // Every abbreviation is a prefix of exactly one id.
        for id in [a, b, c, d] {
            let short = ids.get(id);
            assert_eq!(
                [a, b, c, d].iter().filter(|x| x.starts_with(short)).count(),
                1
            );
        }
        // The separator is skipped: never `019bc2a1-`.
        let e = "019bc2a1-0000";
        assert_eq!(ShortIds::new([a, e]).get(e), "019bc2a1-0");
    }

    #[test]
    fn byte_sizes_read_like_people_write_them() {
        assert_eq!(human_bytes(640), "640 B");
        assert_eq!(human_bytes(1_200_000), "1.2 MB");
        assert_eq!(human_bytes(3_000_000_000), "3.00 GB");
    }
}
