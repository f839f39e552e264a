//! Tests of the in-memory model, the `drift-note/1` text format and merging (no git).

use crate::model;
use crate::notes::*;

const S1: &str = "5b0c1f2e-7d4a-4c1b-9e55-0a1b2c3d4e5f";
const S2: &str = "9d8e7f60-1111-4222-8333-444455556666";

fn session(id: &str, agent: &str, ended: Option<i64>) -> SessionRecord {
    SessionRecord {
        id: id.to_string(),
        agent: agent.to_string(),
        model: Some("claude-sonnet-4-5".to_string()),
        started: Some(1_768_469_400_000),
        ended,
        accepted: 2,
        rejected: 1,
        superseded: 0,
        ..Default::default()
    }
}

fn ai(s: &str) -> Who {
    Who::Ai(s.to_string())
}

fn modified(s: &str) -> Who {
    Who::Modified(s.to_string())
}

/// A note with every record type, odd paths and texts.
fn rich_note() -> Note {
    let p1 = prompt_key("Make fetch() retry three times");
    let p2 = prompt_key("Explain \"why\"\nin two lines");
    let mut note = Note::from_lines(
        "src/net.py",
        &[
            (Who::Human, None, "import time"),
            (ai(S1), Some(&p1), "def fetch(url):"),
            (ai(S1), Some(&p1), "    for i in range(3):"),
            (modified(S1), Some(&p1), "        return get(url)"),
            (Who::Human, None, "# end"),
        ],
    );
    note.set_lines(
        "docs/a file with spaces \"and quotes\".md",
        10,
        &[(ai(S2), Some(&p2), "x"), (ai(S2), Some(&p2), "y")],
    );
    note.set_lines("weird\tpath\u{202e}txt", 1, &[(Who::Human, None, "z")]);
    let mut s1 = session(S1, "claude-code", Some(1_768_470_733_250));
    s1.prompts
        .insert(p1.clone(), "Make fetch() retry three times".to_string());
    s1.decisions.insert("Retry only on IOError".to_string());
    s1.rejected_approaches
        .insert("Use tenacity (new dependency)".to_string());
    note.add_session(s1);
    let mut s2 = session(S2, "codex", None);
    s2.model = Some("gpt 5 \"codex\"".to_string());
    s2.started = None;
    s2.prompts
        .insert(p2.clone(), "Explain \"why\"\nin two lines".to_string());
    note.add_session(s2);
    note.add_session(SessionRecord::new("session with spaces"));
    note.extra.insert("zz-future-record 1 2 3".to_string());
    note
}

fn hand_built_notes() -> Vec<Note> {
    let mut empty_session = Note::default();
    empty_session.add_session(SessionRecord::new("s"));
    let mut summarised = Note::from_lines("a", &[(Who::Human, None, "x")]);
    summarised.summarised.insert(Summarised::Text);
    summarised
        .summarised
        .insert(Summarised::Hashes("b c".to_string()));
    let mut no_hashes = Note::default();
    no_hashes.files.insert(
        "big.rs".to_string(),
        vec![LineRange {
            start: 1,
            end: 100_000,
            who: ai("s"),
            prompt: None,
            hashes: Vec::new(),
        }],
    );
    vec![
        Note::default(),
        empty_session,
        summarised,
        no_hashes,
        Note::from_lines("", &[(ai(""), Some(""), "")]),
        rich_note(),
    ]
}

fn normalized(mut n: Note) -> Note {
    n.normalize();
    n
}

#[test]
fn round_trip_is_exact_for_hand_built_notes() {
    for note in hand_built_notes() {
        let text = note.render();
        let parsed = Note::parse(&text);
        assert_eq!(parsed, normalized(note.clone()), "round trip of:\n{text}");
        assert_eq!(parsed.render(), text, "re-render differs");
    }
}

#[test]
fn rendering_is_deterministic_and_independent_of_insertion_order() {
    let note = rich_note();
    assert_eq!(note.render(), note.clone().render());

    // The same facts added in another order render to the same bytes.
    let mut other = Note::default();
    for (id, s) in note.sessions.iter().rev() {
        let mut s = s.clone();
        s.id = id.clone();
        other.add_session(s);
    }
    for (path, ranges) in note.files.iter().rev() {
        other
            .files
            .insert(path.clone(), ranges.iter().rev().cloned().collect());
    }
    other.extra = note.extra.clone();
    assert_eq!(other.render(), note.render());
}

#[test]
fn lines_are_sorted_unique_and_the_version_comes_first() {
    // Every keyword this version writes sorts after the version line.
    for kw in [
        "file",
        "session",
        "session-prompt",
        "session-decision",
        "session-rejected",
        "summarised",
    ] {
        assert!(FORMAT_VERSION < kw, "{kw} sorts before the version");
    }
    for note in hand_built_notes() {
        let text = note.render();
        assert!(text.ends_with('\n'));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], FORMAT_VERSION, "{text}");
        let mut sorted = lines.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, lines, "not sorted/unique:\n{text}");
        // `cat_sort_uniq` of a note with itself is the note itself.
        let mut doubled: Vec<&str> = lines.iter().chain(lines.iter()).copied().collect();
        doubled.sort();
        doubled.dedup();
        assert_eq!(doubled, lines);
    }
}

#[test]
fn awkward_tokens_are_quoted_and_stay_on_one_line() {
    let note = rich_note();
    let text = note.render();
    // 1 version + 3 (net.py: human, ai, modified; then human again => 4 ranges) ...
    let file_lines: Vec<&str> = text.lines().filter(|l| l.starts_with("file ")).collect();
    assert_eq!(file_lines.len(), 4 + 1 + 1, "{text}");
    assert!(text.contains("file \"docs/a file with spaces \\\"and quotes\\\".md\" 10-11 ai "));
    assert!(text.contains("file \"weird\\tpath\\u202etxt\" 1 human h="));
    assert!(text.contains("session \"session with spaces\" accepted=0"));
    assert!(text.contains("model=\"gpt 5 \\\"codex\\\"\""));
    assert!(text.contains(&format!(
        "session-prompt {S2} {} \"Explain \\\"why\\\"\\nin two lines\"",
        prompt_key("Explain \"why\"\nin two lines")
    )));
    assert!(text.contains(&format!(
        "session {S1} agent=claude-code model=claude-sonnet-4-5 \
         start=2026-01-15T09:30:00Z end=2026-01-15T09:52:13.25Z accepted=2 rejected=1 superseded=0"
    )));
    // No record leaked a raw control or invisible character.
    assert!(
        !text
            .chars()
            .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}')
    );
}

#[test]
fn from_lines_coalesces_runs_and_hashes_each_line() {
    let note = Note::from_lines(
        "f",
        &[
            (ai("s"), Some("p1"), "a"),
            (ai("s"), Some("p1"), "b  \r"),
            (ai("s"), Some("p2"), "c"),
            (Who::Human, None, "d"),
            (Who::Human, None, "e"),
        ],
    );
    let ranges = &note.files["f"];
    let spans: Vec<(u32, u32, &Who, Option<&str>)> = ranges
        .iter()
        .map(|r| (r.start, r.end, &r.who, r.prompt.as_deref()))
        .collect();
    assert_eq!(
        spans,
        vec![
            (1, 2, &ai("s"), Some("p1")),
            (3, 3, &ai("s"), Some("p2")),
            (4, 5, &Who::Human, None)
        ]
    );
    assert_eq!(ranges[0].hashes, vec![line_hash("a"), line_hash("b")]);
}

#[test]
fn set_lines_overrides_only_the_given_lines() {
    let mut note = Note::from_lines("f", &vec![(Who::Human, None, "a"); 5]);
    note.set_lines("f", 2, &[(ai("s"), None, "x"), (ai("s"), None, "y")]);
    let who: Vec<&Who> = (1..=5).map(|l| note.who_at("f", l).unwrap().who).collect();
    assert_eq!(
        who,
        vec![&Who::Human, &ai("s"), &ai("s"), &Who::Human, &Who::Human]
    );
    assert_eq!(
        note.who_at("f", 3).unwrap().hash,
        Some(line_hash("y").as_str())
    );
    assert_eq!(
        note.who_at("f", 5).unwrap().hash,
        Some(line_hash("a").as_str())
    );
    assert!(note.who_at("f", 6).is_none());
    assert!(note.who_at("g", 1).is_none());
}

#[test]
fn line_hash_ignores_trailing_whitespace_and_prompt_key_is_exact() {
    assert_eq!(line_hash("let x = 1;"), line_hash("let x = 1;  \t\r"));
    assert_ne!(line_hash("let x = 1;"), line_hash(" let x = 1;"));
    assert_eq!(line_hash("").len(), 8);
    assert!(line_hash("x").bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(prompt_key("fix it"), prompt_key("fix it "));
    // SHA-256("") starts with e3b0c442.
    assert_eq!(line_hash("   "), "e3b0c442");
}

#[test]
fn who_at_gives_prompt_text_and_session() {
    let note = rich_note();
    let info = note.who_at("src/net.py", 3).unwrap();
    assert_eq!(info.who, &ai(S1));
    assert_eq!(info.prompt, Some("Make fetch() retry three times"));
    assert_eq!(info.session.map(|s| s.agent.as_str()), Some("claude-code"));
    assert_eq!(
        info.hash,
        Some(line_hash("    for i in range(3):").as_str())
    );
    let human = note.who_at("src/net.py", 1).unwrap();
    assert_eq!(human.who, &Who::Human);
    assert!(human.session.is_none() && human.prompt.is_none());
}

#[test]
fn lines_by_counts_per_session_and_file() {
    let by = rich_note().lines_by();
    assert_eq!(
        by.total,
        LineCounts {
            ai: 4,
            modified: 1,
            human: 3
        }
    );
    assert_eq!(
        by.session[S1],
        LineCounts {
            ai: 2,
            modified: 1,
            human: 0
        }
    );
    assert_eq!(
        by.session[S2],
        LineCounts {
            ai: 2,
            modified: 0,
            human: 0
        }
    );
    assert_eq!(by.file["src/net.py"].total(), 5);
    assert_eq!(by.total.total(), 8);
}

#[test]
fn strip_text_removes_free_text_but_keeps_attribution() {
    let mut note = rich_note();
    note.strip_text();
    let text = note.render();
    assert!(!text.contains("session-prompt"));
    assert!(!text.contains("session-decision"));
    assert!(!text.contains("session-rejected"));
    assert!(!text.contains("zz-future-record"));
    assert!(text.contains(&format!("file src/net.py 2-3 ai {S1} p=")));
    assert_eq!(note.lines_by(), rich_note().lines_by());
}

#[test]
fn is_empty_only_for_a_note_without_content() {
    assert!(Note::default().is_empty());
    assert!(Note::parse("drift-note/1\n").is_empty());
    assert!(!Note::parse("hi\n").is_empty());
    assert!(!rich_note().is_empty());
}

#[test]
fn plain_text_and_unknown_records_are_kept_verbatim() {
    let note = Note::parse("hi there\n");
    assert!(note.files.is_empty() && note.sessions.is_empty());
    assert_eq!(note.extra.iter().collect::<Vec<_>>(), vec!["hi there"]);
    assert_eq!(note.render(), "drift-note/1\nhi there\n");

    let future = "drift-note/2\n\
                  file a.rs 1-2 ai s1 h=aa,bb\n\
                  gadget a.rs 1 \"sparkles\"\n\
                  session s1 agent=codex accepted=1 rejected=0 superseded=0 mood=happy\n";
    let note = Note::parse(future);
    assert_eq!(note.files["a.rs"][0].who, ai("s1"));
    assert_eq!(note.files["a.rs"][0].hashes, vec!["aa", "bb"]);
    assert_eq!(note.sessions["s1"].agent, "codex");
    assert_eq!(note.sessions["s1"].accepted, 1);
    assert!(note.extra.contains("drift-note/2"));
    assert!(note.extra.contains("gadget a.rs 1 \"sparkles\""));
    assert!(
        note.extra
            .contains("session s1 agent=codex accepted=1 rejected=0 superseded=0 mood=happy")
    );
    // Nothing is lost, and a second round trip is stable.
    let text = note.render();
    for line in future.lines() {
        assert!(text.lines().any(|l| l == line), "lost {line:?}:\n{text}");
    }
    assert_eq!(Note::parse(&text), note);
}

#[test]
fn malformed_records_do_not_break_parsing() {
    let text = "drift-note/1\r\n\
                file a 0-3 human\n\
                file a 5-2 human\n\
                file a 1-3 robot\n\
                file a 1-3 ai\n\
                file \"unterminated 1 human\n\
                session x accepted=lots\n\
                session-prompt x only-key\n\
                file a 1-2 human h=aa\n\
                \n\
                file a 7 human\n";
    let note = Note::parse(text);
    // The one good record and the hash-count mismatch (used without hashes) survive.
    assert_eq!(
        note.files["a"],
        vec![
            LineRange {
                start: 1,
                end: 2,
                who: Who::Human,
                prompt: None,
                hashes: vec![]
            },
            LineRange {
                start: 7,
                end: 7,
                who: Who::Human,
                prompt: None,
                hashes: vec![]
            }
        ]
    );
    assert!(note.sessions.is_empty());
    assert_eq!(note.extra.len(), 8, "{:?}", note.extra);
    assert_eq!(Note::parse(&note.render()), note);
}

#[test]
fn parsing_arbitrary_bytes_never_panics_and_normalises_stably() {
    // A small deterministic generator over an alphabet that hits the tokenizer's corners.
    let alphabet: &[&str] = &[
        "file ",
        "session ",
        "session-prompt ",
        "drift-note/1",
        "ai ",
        "human ",
        "modified ",
        "\"",
        "\\",
        "=",
        "p=",
        "h=",
        ",",
        "1",
        "-",
        "9",
        "4294967295",
        "a",
        " ",
        "\n",
        "\r",
        "é",
        "\u{202e}",
        "accepted=",
        "end=",
        "summarised ",
        "hashes ",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..2000 {
        let mut s = String::new();
        for _ in 0..(state % 40) {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            s.push_str(alphabet[(state >> 33) as usize % alphabet.len()]);
        }
        let once = Note::parse(&s);
        let text = once.render();
        let twice = Note::parse(&text);
        assert_eq!(twice, once, "unstable for {s:?}");
        assert_eq!(twice.render(), text);
    }
}

#[test]
fn records_of_one_session_and_overlapping_ranges_combine() {
    let text = "drift-note/1\n\
                file f 1-10 human\n\
                file f 4-6 ai b\n\
                file f 5-8 ai a\n\
                session a accepted=1 rejected=5 superseded=0 start=2026-01-01T00:00:00Z end=2026-01-01T02:00:00Z\n\
                session a agent=codex accepted=3 rejected=0 superseded=2 start=2026-01-01T01:00:00Z end=2026-01-01T01:30:00Z\n\
                session b agent=claude-code accepted=1 rejected=0 superseded=0 end=2026-01-01T01:00:00Z\n";
    let note = Note::parse(text);
    let a = &note.sessions["a"];
    assert_eq!((a.accepted, a.rejected, a.superseded), (3, 5, 2));
    assert_eq!(a.agent, "codex");
    assert_eq!(a.started, model::parse_millis("2026-01-01T00:00:00Z"));
    assert_eq!(a.ended, model::parse_millis("2026-01-01T02:00:00Z"));
    // Session a ended later, so it wins lines 5-6 from b; evidence beats human everywhere.
    let who: Vec<String> = (1..=10)
        .map(|l| match note.who_at("f", l).unwrap().who {
            Who::Ai(s) => s.clone(),
            other => other.keyword().to_string(),
        })
        .collect();
    assert_eq!(
        who,
        [
            "human", "human", "human", "b", "a", "a", "a", "a", "human", "human"
        ]
    );
}

fn note_a() -> Note {
    let mut n = Note::from_lines(
        "f.rs",
        &[
            (Who::Human, None, "1"),
            (ai("a"), Some("pa"), "2"),
            (ai("a"), Some("pa"), "3"),
            (Who::Human, None, "4"),
        ],
    );
    n.set_lines("only-a.rs", 1, &[(modified("a"), None, "x")]);
    let mut s = session("a", "claude-code", Some(2_000));
    s.prompts.insert("pa".into(), "do a".into());
    s.decisions.insert("decided a".into());
    n.add_session(s);
    n
}

fn note_b() -> Note {
    let mut n = Note::from_lines(
        "f.rs",
        &[
            (ai("b"), None, "1"),
            (Who::Human, None, "2"),
            (ai("b"), None, "3"),
            (Who::Human, None, "4"),
            (Who::Human, None, "5"),
        ],
    );
    let mut s = session("b", "codex", Some(1_000));
    s.accepted = 7;
    n.add_session(s);
    let mut a_again = session("a", "claude-code", Some(2_000));
    a_again.started = Some(1);
    a_again.rejected = 4;
    a_again.decisions.insert("another a".into());
    n.add_session(a_again);
    n
}

fn note_c() -> Note {
    let mut n = Note::from_lines("f.rs", &vec![(Who::Human, None, "1"); 2]);
    n.set_lines("g.rs", 3, &[(ai("c"), Some("pc"), "q")]);
    n.add_session(session("c", "codex", None));
    n.extra.insert("future thing".into());
    n.summarised.insert(Summarised::Text);
    n
}

fn merged(mut a: Note, b: Note) -> Note {
    a.merge(b);
    a
}

#[test]
fn merge_is_a_union_with_evidence_winning() {
    let m = merged(note_a(), note_b());
    // Line 1: b's evidence beats a's human; line 3: a (ended later) beats b; 5 only in b.
    let who: Vec<&Who> = (1..=5).map(|l| m.who_at("f.rs", l).unwrap().who).collect();
    assert_eq!(
        who,
        vec![&ai("b"), &ai("a"), &ai("a"), &Who::Human, &Who::Human]
    );
    assert_eq!(m.who_at("f.rs", 3).unwrap().prompt, Some("do a"));
    assert_eq!(m.who_at("only-a.rs", 1).unwrap().who, &modified("a"));
    let a = &m.sessions["a"];
    assert_eq!((a.started, a.rejected), (Some(1), 4));
    assert_eq!(a.decisions.len(), 2);
    assert_eq!(m.sessions["b"].accepted, 7);
}

#[test]
fn merge_is_commutative_associative_and_idempotent_on_bytes() {
    let notes = [note_a(), note_b(), note_c(), rich_note(), Note::default()];
    for x in &notes {
        assert_eq!(
            merged(x.clone(), x.clone()).render(),
            x.render(),
            "idempotent"
        );
        for y in &notes {
            let xy = merged(x.clone(), y.clone()).render();
            assert_eq!(xy, merged(y.clone(), x.clone()).render(), "commutative");
            assert_eq!(
                merged(Note::parse(&xy), y.clone()).render(),
                xy,
                "absorbing"
            );
            for z in &notes {
                assert_eq!(
                    merged(merged(x.clone(), y.clone()), z.clone()).render(),
                    merged(x.clone(), merged(y.clone(), z.clone())).render(),
                    "associative"
                );
            }
        }
    }
}

#[test]
fn merging_parsed_texts_equals_parsing_the_concatenation() {
    // This is what makes plain git's cat_sort_uniq merge safe.
    for (x, y) in [
        (note_a(), note_b()),
        (note_b(), note_c()),
        (rich_note(), note_a()),
    ] {
        let (tx, ty) = (x.render(), y.render());
        let mut lines: Vec<&str> = tx.lines().chain(ty.lines()).collect();
        lines.sort();
        lines.dedup();
        let cat_sort_uniq = lines.join("\n") + "\n";
        assert_eq!(
            Note::parse(&cat_sort_uniq),
            merged(Note::parse(&tx), Note::parse(&ty))
        );
    }
}

#[test]
fn big_notes_stay_under_the_bound_and_say_what_was_dropped() {
    let text: Vec<String> = (0..50_000).map(|i| format!("line {i}")).collect();
    let lines: Vec<(Who, Option<&str>, &str)> = text
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let who = if (i / 1000) % 2 == 0 {
                ai("s")
            } else {
                Who::Human
            };
            (who, None, t.as_str())
        })
        .collect();
    let mut note = Note::from_lines("big.rs", &lines);
    note.set_lines("small.rs", 1, &[(ai("s"), Some("k"), "tiny")]);
    let mut s = session("s", "codex", Some(5));
    s.prompts.insert("k".into(), "x".repeat(1000));
    note.add_session(s);
    let full = note.render();
    assert!(
        full.len() > DEFAULT_MAX_BYTES,
        "test note is not big enough"
    );

    let bounded = note.render_bounded(DEFAULT_MAX_BYTES);
    assert!(
        bounded.len() <= DEFAULT_MAX_BYTES,
        "{} bytes",
        bounded.len()
    );
    let parsed = Note::parse(&bounded);
    assert!(parsed.summarised.contains(&Summarised::Text));
    assert!(
        parsed
            .summarised
            .contains(&Summarised::Hashes("big.rs".into()))
    );
    // Only the largest file lost its hashes; all attribution survived.
    assert!(
        !parsed
            .summarised
            .contains(&Summarised::Hashes("small.rs".into()))
    );
    assert_eq!(parsed.files["small.rs"][0].hashes, vec![line_hash("tiny")]);
    assert_eq!(parsed.lines_by(), note.lines_by());
    assert!(parsed.files["big.rs"].iter().all(|r| r.hashes.is_empty()));
    assert_eq!(parsed.files["big.rs"].len(), 50);
    assert!(bounded.contains("summarised hashes big.rs\n"));
    // Bounded output is itself a fixed point.
    assert_eq!(parsed.render_bounded(DEFAULT_MAX_BYTES), bounded);
}

#[test]
fn free_text_is_dropped_first_and_only_when_needed() {
    let mut note = Note::from_lines("a.rs", &[(ai("s"), Some("k"), "x")]);
    let mut s = session("s", "codex", None);
    s.prompts.insert("k".into(), "p".repeat(5000));
    note.add_session(s);
    assert_eq!(note.render_bounded(10_000), note.render());
    let bounded = Note::parse(&note.render_bounded(1000));
    assert_eq!(
        bounded.summarised.iter().collect::<Vec<_>>(),
        vec![&Summarised::Text]
    );
    assert!(bounded.sessions["s"].prompts.is_empty());
    assert_eq!(bounded.files["a.rs"][0].prompt.as_deref(), Some("k"));
    assert_eq!(bounded.files["a.rs"][0].hashes, vec![line_hash("x")]);
}

#[test]
fn tiny_bounds_still_give_a_complete_note() {
    let note = rich_note();
    let out = note.render_bounded(10);
    let parsed = Note::parse(&out);
    assert!(out.starts_with(FORMAT_VERSION));
    assert!(parsed.files.is_empty());
    assert_eq!(parsed.sessions.len(), note.sessions.len());
    assert!(
        parsed
            .summarised
            .contains(&Summarised::File("src/net.py".into()))
    );
    assert!(parsed.summarised.contains(&Summarised::Extra));
}

#[test]
fn hostile_ranges_are_cheap() {
    let text = "file a 1-4294967295 human\n\
                file a 1-4294967295 ai s\n\
                file a 4294967295 ai t\n\
                session t end=2026-01-01T00:00:00Z\n";
    let note = Note::parse(text);
    // t has a known end and s does not, so t wins the last line.
    assert_eq!(note.files["a"].len(), 2);
    assert_eq!(note.files["a"][1].who, ai("t"));
    assert_eq!(note.lines_by().total.ai, 4_294_967_295);
    assert_eq!(note.lines_by().total.human, 0);
}

#[test]
fn doc_example_is_canonical() {
    let doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/note-format.md"));
    let start = doc
        .find("<!-- example:begin -->\n```text\n")
        .expect("example start");
    let body = &doc[start..];
    let body = &body[body.find("```text\n").unwrap() + 8..];
    let example = &body[..body.find("```").expect("example end")];
    let note = Note::parse(example);
    assert!(note.extra.is_empty(), "{:?}", note.extra);
    assert_eq!(note.render(), example);
    // The documented hashes and prompt keys are the real ones.
    let net = &note.files["src/net.py"];
    assert_eq!(net[0].hashes, vec![line_hash("import time"), line_hash("")]);
    let s = &note.sessions[S1];
    for (key, text) in &s.prompts {
        assert_eq!(key, &prompt_key(text));
    }
    assert_eq!(note.who_at("src/net.py", 8).unwrap().who, &modified(S1));
}
