//! Unit tests of blame's pure parts: path resolution and the `git log -L` reader.

use super::timeline::{RawCommit, parse_log};
use super::*;

#[test]
fn paths_resolve_relative_to_the_cwd_like_git() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let sub = root.join("src/deep");
    std::fs::create_dir_all(&sub).unwrap();
    assert_eq!(repo_path(&root, &sub, "a.rs").unwrap(), "src/deep/a.rs");
    assert_eq!(repo_path(&root, &sub, "../b.rs").unwrap(), "src/b.rs");
    assert_eq!(repo_path(&root, &sub, "./../../c.rs").unwrap(), "c.rs");
    assert_eq!(
        repo_path(&root, &root, root.join("x/y.rs").to_str().unwrap()).unwrap(),
        "x/y.rs"
    );
    let err = repo_path(&root, &sub, "../../../outside.rs").unwrap_err();
    assert!(
        matches!(&err, Error::User(m) if m.contains("outside repository")),
        "{err}"
    );
    assert!(repo_path(&root, &sub, "../..").is_err());
}

#[test]
fn log_l_output_gives_each_commit_its_changed_lines() {
    let text = "\x1eccc\x1f300\x1fCat\x1fthird\n\ndiff --git a/b.txt b/b.txt\n--- a/b.txt\n+++ b/b.txt\n@@ -2,2 +3,2 @@\n-TWO\n+TWO!\n three\n\
\x1ebbb\x1f200\x1fBob\x1fsecond: with \x1f? no\n\ndiff --git a/a.txt b/a.txt\n--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1,2 @@\n+one\n+TWO\n";
    let got = parse_log(text);
    assert_eq!(
        got[0],
        RawCommit {
            commit: "ccc".into(),
            time: 300,
            author: "Cat".into(),
            subject: "third".into(),
            path: "b.txt".into(),
            changes: vec![(false, 2, "TWO".into()), (true, 3, "TWO!".into())],
        }
    );
    assert_eq!(got[1].path, "a.txt");
    assert_eq!(
        got[1].changes,
        vec![(true, 1, "one".into()), (true, 2, "TWO".into())]
    );
}

#[test]
fn porcelain_output_is_git_shaped() {
    let line = |n: u32, commit: Option<&str>, kind: Kind| Line {
        line: n,
        commit: commit.map(String::from),
        orig_line: n + 10,
        orig_path: "old name.py".into(),
        content: format!("line {n}"),
        attr: Attr {
            kind,
            agent: (kind == Kind::Ai).then(|| "claude-code".to_string()),
            model: (kind == Kind::Ai).then(|| "claude-opus-4-5-20251101".to_string()),
            session: (kind == Kind::Ai).then(|| "s-1".to_string()),
            prompt: (kind == Kind::Ai).then(|| "make it\nretry".to_string()),
        },
    };
    let a = "a".repeat(40);
    let blame = Blame {
        file: "new.py".into(),
        rev: None,
        lines: vec![
            line(1, Some(&a), Kind::Ai),
            line(2, Some(&a), Kind::Ai),
            line(3, None, Kind::Unknown),
        ],
        commits: HashMap::new(),
    };
    let mut out = Vec::new();
    print_porcelain(&blame, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let expected = format!(
        "{a} 11 1 2\nwho ai\nagent claude-code\nmodel claude-opus-4-5-20251101\nsession s-1\nprompt make it retry\nfilename old name.py\n\tline 1\n\
         {a} 12 2\nwho ai\nagent claude-code\nmodel claude-opus-4-5-20251101\nsession s-1\nprompt make it retry\nfilename old name.py\n\tline 2\n\
         {NOT_COMMITTED} 13 3 1\nwho unknown\nfilename old name.py\n\tline 3\n"
    );
    assert_eq!(text, expected);
    assert_eq!(render::quote_path_for_tests("a\"b\nc"), "\"a\\\"b\\nc\"");
}

#[test]
fn human_rows_align_and_mark_modified_and_unknown() {
    let mk = |n: u32, kind: Kind, agent: Option<&str>, model: Option<&str>| Line {
        line: n,
        commit: Some(format!("{n}234567890abcdef")),
        orig_line: n,
        orig_path: "f".into(),
        content: format!("text {n}"),
        attr: Attr {
            kind,
            agent: agent.map(String::from),
            model: model.map(String::from),
            session: agent.map(|_| "5f2e91ab-0000".to_string()),
            prompt: agent.map(|_| "do the thing".to_string()),
        },
    };
    let blame = Blame {
        file: "f".into(),
        rev: None,
        lines: vec![
            mk(
                9,
                Kind::Ai,
                Some("claude-code"),
                Some("claude-opus-4-5-20251101"),
            ),
            mk(10, Kind::Modified, Some("codex"), Some("gpt-5-codex")),
            mk(11, Kind::Human, None, None),
            mk(12, Kind::Unknown, None, None),
        ],
        commits: HashMap::new(),
    };
    let mut out = Vec::new();
    print_human(
        &blame,
        true,
        &crate::util::text::ShortIds::default(),
        crate::ui::Paint { on: false },
        &mut out,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The prompt starts where the content does.
    let content_col = lines[0].find("text 9").unwrap();
    let prompt = format!("{}↳ prompt: \"do the thing\"", " ".repeat(content_col));
    assert_eq!(
        lines,
        vec![
            "9234567  claude-code  opus-4.5     5f2e91ab   9) text 9",
            prompt.as_str(),
            "1023456  codex*       gpt-5-codex  5f2e91ab  10) text 10",
            prompt.as_str(),
            "1123456  human                               11) text 11",
            "1223456  -                                   12) text 12",
        ]
    );
}

#[test]
fn working_tree_hunks_give_replaced_lines() {
    let text = "diff --git a/f b/f\nindex 1..2 100644\n--- a/f\n+++ b/f\n@@ -3 +3 @@\n-old three\n+new three\n@@ -7,0 +8,2 @@\n+added\n+added too\n@@ -10,2 +11 @@\n--- a dashed line\n-x\n+y\n";
    let h = timeline::parse_hunks(text);
    assert_eq!(h.len(), 3);
    assert_eq!(
        (
            h[0].old_start,
            h[0].new_start,
            h[0].new_count,
            h[0].removed.clone()
        ),
        (3, 3, 1, vec!["old three".to_string()])
    );
    assert_eq!(
        (h[1].new_start, h[1].new_count, h[1].removed.len()),
        (8, 2, 0)
    );
    assert_eq!(
        h[2].removed,
        vec!["-- a dashed line".to_string(), "x".to_string()]
    );
}

#[test]
fn plain_line_ranges_for_files_git_does_not_know() {
    assert_eq!(super::numeric_range("3,7"), Some((3, 7)));
    assert_eq!(super::numeric_range("7,3"), Some((3, 7)));
    assert_eq!(super::numeric_range("5,+3"), Some((5, 7)));
    assert_eq!(super::numeric_range("5,-3"), Some((3, 5)));
    assert_eq!(super::numeric_range("4"), Some((4, 4)));
    assert_eq!(super::numeric_range("/fn main/,+2"), None);
    assert_eq!(super::numeric_range(":main"), None);
}
