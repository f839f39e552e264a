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
    fn byte_sizes_read_like_people_write_them() {
        assert_eq!(human_bytes(640), "640 B");
        assert_eq!(human_bytes(1_200_000), "1.2 MB");
        assert_eq!(human_bytes(3_000_000_000), "3.00 GB");
    }
}
