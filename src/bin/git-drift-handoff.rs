//! `git drift-handoff` / `git drift handoff`: hand the arguments to the library.

fn main() {
    std::process::exit(drift::cli::run_handoff(std::env::args().skip(1).collect()));
}
