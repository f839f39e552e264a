//! The brief's quality check: fixture sessions in the shapes real sessions take (a question
//! versus an instruction, accepted and declined plans, a failure then a success, one failed
//! patch of many hunks, permission denials, edited files absent from the working tree), and
//! for each the facts that must appear under which heading and those that must appear
//! nowhere. The rendered markdown is what is checked; the score is printed
//! (`cargo test --lib quality -- --nocapture`) and every fact must hold.

use super::*;
use crate::handoff::render;
use crate::handoff::scope::SessionData;
use crate::model::{Agent, Session, SessionInfo};
use std::path::Path;

const T: i64 = 1_768_469_400; // 2026-01-15T09:30:00Z, seconds

struct Fx {
    id: &'static str,
    events: Vec<Event>,
    n: i64,
}

impl Fx {
    fn new(id: &'static str) -> Fx {
        Fx {
            id,
            events: Vec::new(),
            n: 0,
        }
    }

    fn push(&mut self, kind: EventKind) -> &mut Fx {
        self.n += 10;
        self.events.push(Event {
            id: format!("{}-{}", self.id, self.n),
            session_id: self.id.into(),
            at: Some((T + self.n) * 1000),
            ord: self.n,
            kind,
        });
        self
    }

    fn prompt(&mut self, t: &str) -> &mut Fx {
        self.push(EventKind::Prompt { text: t.into() })
    }

    fn reply(&mut self, t: &str) -> &mut Fx {
        self.push(EventKind::Reply { text: t.into() })
    }

    fn plan(&mut self, t: &str) -> &mut Fx {
        self.push(EventKind::Plan {
            items: Vec::new(),
            explanation: Some(t.into()),
        })
    }

    fn deny(&mut self, reason: Option<&str>) -> &mut Fx {
        self.push(EventKind::Rejection {
            call_id: None,
            reason: reason.map(String::from),
        })
    }

    fn edit(&mut self, call: &str, path: &Path, before: &str, after: &str) -> &mut Fx {
        self.push(EventKind::Edit(Edit {
            call_id: Some(call.into()),
            tool: "apply_patch".into(),
            path: path.to_string_lossy().into_owned(),
            op: EditOp::Update,
            before: before.into(),
            after: after.into(),
            move_to: None,
        }))
    }

    fn run(&mut self, call: &str, cmd: &str) -> &mut Fx {
        self.push(EventKind::Command {
            call_id: Some(call.into()),
            command: cmd.into(),
        })
    }

    fn result(&mut self, call: &str, ok: bool, tail: Option<&str>) -> &mut Fx {
        self.push(EventKind::Outcome {
            call_id: call.into(),
            ok,
            exit_code: (!ok).then_some(1),
            output_tail: tail.map(String::from),
        })
    }

    fn session(&self, agent: Agent) -> SessionData {
        SessionData {
            session: Session {
                agent,
                info: SessionInfo {
                    id: self.id.into(),
                    branch: Some("feature".into()),
                    started: self.events.first().and_then(|e| e.at),
                    ..SessionInfo::default()
                },
            },
            events: self.events.clone(),
            via: Via::Branch,
        }
    }
}

/// The markdown brief of these sessions against the files under `root`.
fn render_brief(root: &Path, sessions: Vec<SessionData>) -> String {
    let m = Material {
        sessions,
        ..Material::default()
    };
    let meta = Meta {
        scope: "branch feature".into(),
        branch: Some("feature".into()),
        target: Target::Generic,
        created: (T + 3600) * 1000,
        root: root.to_path_buf(),
        brief_path: None,
        resume: None,
    };
    let tree = Tree::new(root, HashMap::new(), HashMap::new());
    render::render_to_string(&extract(&m, &tree, meta), 8000).expect("render")
}

/// The text under `## heading`, up to the next heading.
fn under<'t>(text: &'t str, heading: &str) -> &'t str {
    let head = format!("\n## {heading}\n");
    let Some(at) = text.find(&head) else {
        return "";
    };
    let rest = &text[at + head.len()..];
    &rest[..rest.find("\n## ").unwrap_or(rest.len())]
}

/// What a fixture's brief must and must not say.
enum Fact {
    Under(&'static str, &'static str),
    Nowhere(&'static str),
    /// Exactly this many lines of the section contain the text.
    Times(&'static str, &'static str, usize),
}

/// Score the facts on a brief: (held, total, the ones that failed).
fn score(name: &str, text: &str, facts: &[Fact]) -> (usize, usize, Vec<String>) {
    let mut failed = Vec::new();
    for f in facts {
        let ok = match f {
            Fact::Under(h, needle) => under(text, h).contains(needle),
            Fact::Nowhere(needle) => !text.contains(needle),
            Fact::Times(h, needle, n) => {
                under(text, h)
                    .lines()
                    .filter(|l| l.contains(needle))
                    .count()
                    == *n
            }
        };
        if !ok {
            failed.push(match f {
                Fact::Under(h, n) => format!("{name}: \"{n}\" missing under {h}"),
                Fact::Nowhere(n) => format!("{name}: \"{n}\" must not appear"),
                Fact::Times(h, n, k) => format!("{name}: \"{n}\" not {k} times under {h}"),
            });
        }
    }
    (facts.len() - failed.len(), facts.len(), failed)
}

fn question_versus_instruction(root: &Path) -> String {
    let mut s = Fx::new("q1");
    s.prompt("Build a CSV exporter for the energy charts data.")
        .prompt("does energy charts maybe has exports of the whole dataset?")
        .reply("Yes. Energy-Charts offers a bulk CSV download per year at /api/export.")
        .prompt("fix this: cannot use err in this scope")
        .prompt("Use the requests library, not urllib.")
        .reply("I'll use a token bucket rather than a fixed sleep because the API allows bursts.")
        .prompt("ok, now add tests for the exporter please")
        .reply("Tests added.")
        .prompt("should we cache the downloads?");
    render_brief(root, vec![s.session(Agent::ClaudeCode)])
}

fn plans(root: &Path) -> String {
    let mut a = Fx::new("p1");
    a.prompt("Publish the branch")
        .plan("## Plan\n1. Push the branch with --force\n2. Open a PR")
        .deny(Some("don't force push, we share this branch"))
        .plan("## Plan\n1. Push the branch without force\n2. Open a PR")
        .run("k1", "git push origin feature")
        .result("k1", true, None);
    let mut b = Fx::new("p2");
    b.prompt("Implement the following plan:\n\n# Retry\n- Add backoff to fetch()\n- Cap it at five tries")
        .reply("Done: fetch() retries with backoff.");
    render_brief(
        root,
        vec![a.session(Agent::ClaudeCode), b.session(Agent::ClaudeCode)],
    )
}

fn failure_then_success(root: &Path) -> String {
    std::fs::write(
        root.join("net.py"),
        "def fetch(url):\n    return get(url)\n\ndef backoff(n):\n    return 2 ** n\n",
    )
    .unwrap();
    let net = root.join("net.py");
    let mut s = Fx::new("f1");
    s.prompt("Add a backoff helper to net.py");
    // One patch of four hunks that failed: four edit events of one call.
    for h in 0..4 {
        s.edit(
            "bad",
            &net,
            &format!("old line {h}\n"),
            &format!("new line {h}\n"),
        );
    }
    s.result(
        "bad",
        false,
        Some("apply_patch verification failed: context not found"),
    )
    .edit("good", &net, "", "def backoff(n):\n    return 2 ** n\n")
    .result("good", true, None)
    .run("t1", "pytest -q")
    .result("t1", false, Some("1 failed"))
    .run("t2", "pytest -q")
    .result("t2", true, None)
    .run("d1", "python demo.py --bad-input")
    .result("d1", false, Some("ValueError: bad input"))
    .reply("That fails as expected: the demo shows the error message users get.");
    render_brief(root, vec![s.session(Agent::Codex)])
}

fn denials(root: &Path) -> String {
    let mut s = Fx::new("d1");
    s.prompt("Ship the release")
        .run("c1", "git push --force origin main")
        .result("c1", false, Some("This command requires approval"))
        .run("c2", "webfetch https://example.com")
        .result("c2", false, Some("Error: No such tool available: WebFetch"))
        .run("c3", "cargo build")
        .result("c3", false, Some("error[E0425]: cannot find value `x`"));
    render_brief(root, vec![s.session(Agent::ClaudeCode)])
}

fn files_absent(root: &Path) -> String {
    let mut s = Fx::new("a1");
    s.prompt("Add the health endpoint")
        .edit(
            "e1",
            &root.join("app.py"),
            "",
            "@app.get(\"/health\")\ndef health():\n    return {\"ok\": True}\n",
        )
        .result("e1", true, None)
        .edit(
            "e2",
            &root.join("config.yaml"),
            "",
            "server:\n  port: 8080\n",
        )
        .result("e2", true, None);
    render_brief(root, vec![s.session(Agent::Codex)])
}

/// A fixture: its name, how its brief is made, and the facts to check.
type Case = (&'static str, fn(&Path) -> String, Vec<Fact>);

#[test]
fn brief_quality_on_the_fixture_shapes() {
    use Fact::*;
    let cases: Vec<Case> = vec![
        (
            "question vs instruction",
            question_versus_instruction,
            vec![
                Under("Task", "Asked: \"does energy charts maybe has exports"),
                Under("Decided", "Finding: asked \"does energy charts"),
                Under("Decided", "bulk CSV download"),
                Under(
                    "Decided",
                    "Instruction: \"Use the requests library, not urllib.\"",
                ),
                Under(
                    "Decided",
                    "Agent's choice (not objected to): \"I'll use a token bucket",
                ),
                Under(
                    "Open",
                    "Question the user asked, unanswered: \"should we cache",
                ),
                Nowhere("Instruction: \"does energy"),
                Nowhere("Instruction: \"fix this"),
            ],
        ),
        (
            "accepted and declined plans",
            plans,
            vec![
                Under(
                    "Tried and rejected",
                    "Declined plan; the user said: \"don't force push",
                ),
                Under("Tried and rejected", "Push the branch with --force"),
                Under("Decided", "Accepted plan:"),
                Under("Decided", "Push the branch without force"),
                Under("Decided", "Add backoff to fetch()"),
                Nowhere("Then asked: \"Implement the following plan"),
                Nowhere("Instruction: \"Cap it"),
                Nowhere("Plan presented, not yet approved"),
            ],
        ),
        (
            "failure then success, duplicate hunks",
            failure_then_success,
            vec![
                Times("Tried and rejected", "failed to apply", 1),
                Under("Tried and rejected", "failed, then solved by a later edit"),
                Under("Done", "`net.py`: added `def backoff`"),
                Under("Done", "Asked \"Add a backoff helper to net.py\""),
                Nowhere("Last failing command"),
                Nowhere("pytest -q"),
                Nowhere("demo.py"),
            ],
        ),
        (
            "denials",
            denials,
            vec![
                Under(
                    "Tried and rejected",
                    "did not allow `git push --force origin main`",
                ),
                Under("Tried and rejected", "did not allow `webfetch"),
                Under("Open", "Last failing command: `cargo build`"),
                Nowhere("Last failing command: `git push"),
                Nowhere("Last failing command: `webfetch"),
            ],
        ),
        (
            "files absent",
            files_absent,
            vec![
                Under(
                    "Done",
                    "`app.py`: added endpoint `GET /health`, `def health`",
                ),
                Under(
                    "Done",
                    "`config.yaml`: added config key `server`, config key `server.port`",
                ),
                Under("Done", "not in this working tree"),
                Nowhere("no longer exists"),
                Nowhere("is gone"),
            ],
        ),
    ];
    let (mut held, mut total, mut failed) = (0, 0, Vec::new());
    for (name, build, facts) in cases {
        let dir = tempfile::tempdir().unwrap();
        let text = build(dir.path());
        let (h, t, f) = score(name, &text, &facts);
        println!("{name}: {h}/{t}");
        if !f.is_empty() {
            println!("{text}");
        }
        held += h;
        total += t;
        failed.extend(f);
    }
    println!("handoff brief quality: {held}/{total} facts hold");
    assert!(failed.is_empty(), "{failed:#?}");
}
