//! The DESCRIPTION and EXAMPLES of each subcommand's man page (`git-drift-log(1)`, …): the
//! prose a `--help` screen has no room for. Options and synopsis come from the clap
//! definition, so they cannot drift from the code.

/// One subcommand's page text.
pub struct Page {
    pub command: &'static str,
    pub description: &'static str,
    /// (command line, what it does).
    pub examples: &'static [(&'static str, &'static str)],
}

pub const PAGES: &[Page] = &[
    Page {
        command: "init",
        description: "Sets the repository up for git drift: creates .prompts/ (the local store, ignored by git), writes .prompts/config.yaml with every key documented, installs the post-commit, post-rewrite and pre-push hooks (chaining any hook already there), and adds fetch refspecs so refs/notes/drift travels with git fetch. Running it again repairs what is missing; --uninstall removes the hooks and refspecs and keeps .prompts/.",
        examples: &[
            ("git drift init", "set up the current repository"),
            (
                "git drift init --uninstall",
                "remove the hooks and refspecs; the captured sessions stay",
            ),
        ],
    },
    Page {
        command: "capture",
        description: "Reads what the enabled agents appended to their session transcripts since the last capture, keeps the sessions that ran inside this repository, redacts secrets, and stores the events in .prompts/events.db. Capture is incremental and idempotent; query commands run it themselves, so running it by hand is rarely needed.",
        examples: &[
            (
                "git drift capture",
                "read new transcript lines of every enabled agent",
            ),
            (
                "git drift capture --agent codex --since yesterday",
                "only Codex sessions of the last day",
            ),
            ("git drift capture --json", "what was read, as JSON"),
        ],
    },
    Page {
        command: "sessions",
        description: "Lists the captured sessions of this repository, newest first: agent, model, when, how many prompts, edits and commands, and the first prompt.",
        examples: &[
            ("git drift sessions", "every session of this repository"),
            (
                "git drift sessions --agent claude-code --json",
                "Claude Code sessions as JSON",
            ),
        ],
    },
    Page {
        command: "session",
        description: "Shows the timeline of one session: prompts, replies, reasoning, edits with their outcome, commands with exit codes, rejections with the reason given, and token usage. ID may be any unique prefix. --diff shows what each edit changed (or one edit, by its number or event id); --commits lists the commits the session's edits landed in.",
        examples: &[
            (
                "git drift session 5b0c",
                "the session whose id starts with 5b0c",
            ),
            ("git drift session 5b0c --json", "the same as JSON"),
            (
                "git drift session 5b0c --diff 2",
                "the diff of the session's second edit",
            ),
            (
                "git drift session 5b0c --commits",
                "the commits its edits landed in",
            ),
        ],
    },
    Page {
        command: "bind",
        description: "Attributes the lines a commit added to the agent edits that wrote them (or to a human) and writes the commit's note on refs/notes/drift. The post-commit hook does this for every commit; run it by hand for a commit made while the hooks were off.",
        examples: &[
            ("git drift bind", "bind HEAD"),
            ("git drift bind HEAD~2", "bind an older commit"),
        ],
    },
    Page {
        command: "backfill",
        description: "Binds existing commits that have no note yet from the transcripts already on disk, oldest first, so a repository that adopts git drift late still gets attribution for the work the agents' logs remember.",
        examples: &[
            (
                "git drift backfill",
                "every commit of the current branch without a note",
            ),
            (
                "git drift backfill main~50..main",
                "only the last fifty commits",
            ),
        ],
    },
    Page {
        command: "log",
        description: "Per-commit attribution, like git log with a line per commit saying which agents and humans wrote its added lines, in which sessions.",
        examples: &[
            ("git drift log -5", "the last five commits"),
            (
                "git drift log origin/main..HEAD --json",
                "the commits not yet pushed, as JSON",
            ),
        ],
    },
    Page {
        command: "show",
        description: "The sessions behind one commit: the prompts that led to it, what was decided, the approaches rejected on the way, and the line ranges each agent wrote.",
        examples: &[
            ("git drift show", "the sessions behind HEAD"),
            ("git drift show a1b2c3d --json", "one commit, as JSON"),
        ],
    },
    Page {
        command: "sync",
        description: "Fetches refs/notes/drift from the remote, merges it with the local notes without losing either side's attribution, and pushes the result. The pre-push hook does this with every git push.",
        examples: &[
            ("git drift sync", "with the default remote"),
            (
                "git drift sync upstream --json",
                "with another remote, reporting as JSON",
            ),
        ],
    },
    Page {
        command: "blame",
        description: "Like git blame, with each line's author being the agent (and model and session) that wrote it, or human. --show-prompt adds the prompt behind each group of agent lines; --timeline gives a line's whole history, including the attempts rejected or superseded on the way; --porcelain is a stable machine format.",
        examples: &[
            ("git drift blame src/net.py", "every line of a file"),
            (
                "git drift blame -L 10,20 --show-prompt src/net.py",
                "ten lines, with the prompts behind them",
            ),
            (
                "git drift blame --line 12 --timeline src/net.py",
                "the history of one line",
            ),
        ],
    },
    Page {
        command: "handoff",
        description: "Writes a brief of the task in progress (what was done, decided and rejected, what is open, the files in scope, and how to resume) that another agent can pick the work up from cold. Offline by default; --llm compacts it with a model; --inject also starts a native session of the target agent with the brief.",
        examples: &[
            (
                "git drift handoff --to codex",
                "brief the current task for Codex, in .prompts/handoffs/",
            ),
            (
                "git drift handoff --from claude-code --print",
                "the latest Claude Code task, on stdout",
            ),
            (
                "git drift handoff --to claude-code --inject",
                "also create a Claude Code session that starts with it",
            ),
        ],
    },
    Page {
        command: "status",
        description: "One screen on whether this repository is set up: the hooks and where they are installed, the agents and their homes, sessions captured, commits without a note, notes not yet pushed, and the next command to run for each problem.",
        examples: &[
            ("git drift status", "what is set up and what to run next"),
            ("git drift status --json", "the same as JSON"),
        ],
    },
    Page {
        command: "agents",
        description: "Every agent reader git drift has: its home and where that setting came from (default, environment variable or a file), whether it is enabled, and the sessions of this repository found in it.",
        examples: &[("git drift agents", "the readers and their homes")],
    },
    Page {
        command: "config",
        description: "Shows the merged configuration (.prompts/config.yaml over ~/.config/drift/config.yaml over the defaults) with the file each value came from, prints one value, sets one key in the file while keeping its comments, or opens the file in git's editor; every change is checked by the same parser every command uses.",
        examples: &[
            (
                "git drift config --show-origin",
                "every value and where it came from",
            ),
            (
                "git drift config set handoff.llm.model llama3.1:8b",
                "set one key in .prompts/config.yaml",
            ),
            (
                "git drift config --edit --user",
                "edit your own file in git's editor",
            ),
        ],
    },
    Page {
        command: "completions",
        description: "Prints a completion script for the shell, covering git drift's commands and options; with bash, git's own completion also completes after git drift.",
        examples: &[
            (
                "source <(git drift completions bash)",
                "completions in the current bash",
            ),
            (
                "git drift completions zsh > ~/.zfunc/_git-drift",
                "install them for zsh",
            ),
        ],
    },
    Page {
        command: "help",
        description: "Shows the manual of a command: its man page (git-drift-COMMAND(1)) when man finds one, as git help does, else the same text as git drift COMMAND --help.",
        examples: &[
            ("git drift help blame", "the manual of git drift blame"),
            ("git drift help", "the manual of git drift"),
        ],
    },
    Page {
        command: "rejected",
        description: "Lists the approaches rejected across this repository's sessions, newest first: every edit, command or plan a person declined, which session and agent proposed it, and the reason typed when declining. What was tried and turned down is the memory most often lost between agents.",
        examples: &[
            ("git drift rejected", "every rejected approach"),
            (
                "git drift rejected --since '2 weeks ago' --json",
                "the last two weeks, as JSON",
            ),
        ],
    },
    Page {
        command: "demo",
        description: "Creates a throwaway repository in which a Claude Code session writes a file, a Codex session adds another and a human edits the first (the two transcripts were written by the real CLIs), captures and binds the commits, and shows sessions, log, blame, show and a handoff brief. The agent homes it uses are inside the demo directory, so your own ~/.claude and ~/.codex are neither read nor written. It prints where the demo is and how to delete it.",
        examples: &[
            (
                "git drift demo",
                "in a new directory under the system's temporary directory",
            ),
            (
                "git drift demo --dir /tmp/drift-demo",
                "in a directory of your choosing",
            ),
        ],
    },
    Page {
        command: "stats",
        description: "Counts the lines the selected commits added and who wrote them: ai (an agent, unchanged since), modified (an agent, then changed by a human), human, and unknown (commits without a note), with percentages, and the agents' edits accepted, rejected and superseded. --by groups them per agent, model, commit author, top-level path, day or week. It reads only git and the notes (local and fetched), so it works in a fresh clone after git fetch.",
        examples: &[
            ("git drift stats", "the current branch, per agent"),
            (
                "git drift stats --since 2.weeks.ago --by week",
                "the last two weeks, week by week",
            ),
            (
                "git drift stats main..HEAD --by model -- src/",
                "this branch's work under src/, per model",
            ),
        ],
    },
];
