//! The lines a commit added, exactly as git counts them.
//!
//! We ask git itself (`git diff-tree -p -U0`, combined `-c` for merges) instead of re-diffing
//! blobs: `git blame` assigns a line to the commit whose diff (git's algorithm, git's
//! heuristics) added it, so attribution must key on the very same added lines or blame would
//! look up lines the note does not describe.

use crate::error::{Error, Result};
use crate::util::git::{Repo, unquote_path};

/// A commit and the lines it added per file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitDiff {
    pub commit: String,
    /// Committer time, seconds since the epoch.
    pub time: i64,
    pub parents: Vec<String>,
    pub subject: String,
    pub files: Vec<FileDiff>,
}

/// One file of a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiff {
    /// Path in the commit (the new path of a rename).
    pub path: String,
    /// The path before a rename or copy.
    pub old_path: Option<String>,
    /// Lines new in this commit (relative to every parent for a merge): 1-based line number in
    /// the commit's version of the file, and the text without its newline.
    pub added: Vec<(u32, String)>,
    /// Set when git reported the file as binary.
    pub binary: bool,
}

/// The lines `commit` added. Merge commits count only lines new relative to all parents.
pub fn commit_diff(repo: &Repo, commit: &str) -> Result<CommitDiff> {
    let out = repo
        .command()
        .args([
            "-c",
            "core.quotepath=off",
            "-c",
            "diff.noprefix=false",
            "diff-tree",
            "-r",
            "-p",
            "-U0",
            "-c",
            "-M",
            "--root",
            // An empty commit still prints its header, so it parses (to no files).
            "--always",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "--format=%x00%H%x00%ct%x00%P%x00%s%x00",
            commit,
            "--",
        ])
        .output()
        .map_err(|e| Error::git_from("cannot run git", e))?;
    if !out.status.success() {
        return Err(Error::git(format!(
            "cannot diff {commit}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    parse(&String::from_utf8_lossy(&out.stdout))
        .ok_or_else(|| Error::git(format!("cannot read git's diff of {commit}")))
}

/// Parse `git diff-tree` output produced with the format of [`commit_diff`].
pub fn parse(text: &str) -> Option<CommitDiff> {
    let mut head = text.splitn(6, '\0');
    head.next()?;
    let commit = head.next()?.to_string();
    let time = head.next()?.trim().parse().ok()?;
    let parents: Vec<String> = head.next()?.split_whitespace().map(String::from).collect();
    let subject = head.next()?.to_string();
    let body = head.next().unwrap_or("");
    let mut files: Vec<FileDiff> = Vec::new();
    // For a combined diff, how many parent columns prefix each hunk line.
    let mut columns = 1;
    let mut next_line = 0u32;
    // Inside a hunk, `+++ x` is an added line `++ x`, not a header.
    let mut in_hunk = false;
    for line in body.lines() {
        if let Some(rest) = line.strip_prefix("diff --git ") {
            columns = 1;
            in_hunk = false;
            files.push(FileDiff {
                path: b_path(rest).unwrap_or_default(),
                old_path: None,
                added: Vec::new(),
                binary: false,
            });
        } else if let Some(rest) = line
            .strip_prefix("diff --cc ")
            .or_else(|| line.strip_prefix("diff --combined "))
        {
            columns = 0;
            in_hunk = false;
            files.push(FileDiff {
                path: unquote_path(rest),
                old_path: None,
                added: Vec::new(),
                binary: false,
            });
        } else if let Some(file) = files.last_mut() {
            if line.starts_with("@@") {
                in_hunk = true;
                // `@@ -a,b +c,d @@` or, combined with n parents, n+1 `@` on each side.
                let ats = line.bytes().take_while(|&b| b == b'@').count();
                columns = ats - 1;
                next_line = line
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix('+'))
                    .and_then(|r| r.split(',').next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1);
            } else if line.starts_with('\\') {
                // `\ No newline at end of file`: a marker about the line before, not a line.
            } else if in_hunk {
                if columns > 0 && line.len() >= columns {
                    let (marks, content) = line.split_at(columns);
                    if marks.bytes().all(|b| b == b'+') {
                        file.added.push((next_line, content.to_string()));
                        next_line += 1;
                    } else if !marks.contains('-') {
                        // A context line or one added relative to only some parents: it
                        // exists in the result, so it advances the line number.
                        next_line += 1;
                    }
                }
            } else if let Some(p) = line.strip_prefix("+++ ") {
                // git ends the name with a TAB when it contains a space.
                let p = p.strip_suffix('\t').unwrap_or(p);
                if p != "/dev/null" {
                    file.path = unquote_path(p)
                        .strip_prefix("b/")
                        .map(String::from)
                        .unwrap_or(file.path.clone());
                }
            } else if let Some(p) = line.strip_prefix("rename from ") {
                file.old_path = Some(unquote_path(p));
            } else if let Some(p) = line.strip_prefix("copy from ") {
                file.old_path = Some(unquote_path(p));
            } else if line.starts_with("Binary files ") && line.ends_with(" differ") {
                file.binary = true;
            } else if line.starts_with("--- ")
                || line.starts_with("index ")
                || line.starts_with("new file mode")
                || line.starts_with("deleted file mode")
                || line.starts_with("old mode")
                || line.starts_with("new mode")
                || line.starts_with("similarity index")
                || line.starts_with("dissimilarity index")
                || line.starts_with("rename to ")
                || line.starts_with("copy to ")
                || line.starts_with("mode ")
            {
                // Headers that say nothing about the lines.
            }
        }
    }
    files.retain(|f| !f.path.is_empty());
    Some(CommitDiff {
        commit,
        time,
        parents,
        subject,
        files,
    })
}

/// The `b/` path of a `diff --git a/x b/x` header (used until `+++` tells us for sure).
fn b_path(rest: &str) -> Option<String> {
    if rest.starts_with('"') {
        let end = rest.find("\" ")?;
        return Some(
            unquote_path(&rest[end + 2..])
                .strip_prefix("b/")?
                .to_string(),
        );
    }
    let idx = rest.find(" b/")?;
    Some(rest[idx + 3..].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_added_lines_renames_and_binaries() {
        let text = "\x00abc\x001700000000\x00p1\x00Subject line\x00\n\
diff --git a/src/a.py b/src/a.py\n\
index 1..2 100644\n\
--- a/src/a.py\n\
+++ b/src/a.py\n\
@@ -1,0 +2,2 @@\n\
+x = 1\n\
+y = 2\n\
@@ -5 +7 @@\n\
-old\n\
+new\n\
diff --git a/old.txt b/new.txt\n\
similarity index 90%\n\
rename from old.txt\n\
rename to new.txt\n\
--- a/old.txt\n\
+++ b/new.txt\n\
@@ -3,0 +4 @@\n\
+added\n\
diff --git a/img.png b/img.png\n\
new file mode 100644\n\
index 0..1\n\
Binary files /dev/null and b/img.png differ\n";
        let d = parse(text).unwrap();
        assert_eq!(d.commit, "abc");
        assert_eq!(d.time, 1_700_000_000);
        assert_eq!(d.parents, vec!["p1"]);
        assert_eq!(d.subject, "Subject line");
        assert_eq!(
            d.files[0].added,
            vec![(2, "x = 1".into()), (3, "y = 2".into()), (7, "new".into())]
        );
        assert_eq!(d.files[1].path, "new.txt");
        assert_eq!(d.files[1].old_path.as_deref(), Some("old.txt"));
        assert_eq!(d.files[1].added, vec![(4, "added".into())]);
        assert!(d.files[2].binary);
        assert_eq!(d.files[2].path, "img.png");
    }

    #[test]
    fn combined_diff_keeps_only_lines_new_to_all_parents() {
        let text = "\x00m\x001\x00p1 p2\x00Merge\x00\n\
diff --cc f.txt\n\
index 1,2..3\n\
--- a/f.txt\n\
+++ b/f.txt\n\
@@@ -1,1 -1,1 +1,3 @@@\n\
+ from p2\n\
 +from p1\n\
++brand new\n";
        let d = parse(text).unwrap();
        assert_eq!(d.files[0].path, "f.txt");
        assert_eq!(d.files[0].added, vec![(3, "brand new".into())]);
    }

    #[test]
    fn path_with_space_loses_no_tab_and_no_newline_marker_is_not_a_line() {
        let text = "\x00c\x001\x00p\x00s\x00\n\
diff --git a/my file.py b/my file.py\n\
index 1..2 100644\n\
--- a/my file.py\t\n\
+++ b/my file.py\t\n\
@@ -2 +2,2 @@\n\
-b\n\
\\ No newline at end of file\n\
+b\n\
+c\n\
@@ -9,0 +11 @@\n\
++++ not a header\n";
        let d = parse(text).unwrap();
        assert_eq!(d.files[0].path, "my file.py");
        assert_eq!(
            d.files[0].added,
            vec![
                (2, "b".into()),
                (3, "c".into()),
                (11, "+++ not a header".into())
            ]
        );
    }

    #[test]
    fn empty_commit_parses_to_no_files() {
        let d = parse("\x00c\x001\x00\x00empty\x00\n").unwrap();
        assert!(d.files.is_empty() && d.parents.is_empty());
    }

    #[test]
    fn unquotes_git_paths() {
        assert_eq!(unquote_path("\"a\\tb\""), "a\tb");
        assert_eq!(unquote_path("\"caf\\303\\251\""), "café");
        assert_eq!(unquote_path("plain"), "plain");
    }
}
