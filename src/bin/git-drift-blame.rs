//! `git drift-blame` / `git drift blame`: hand the arguments to the library.

fn main() {
    std::process::exit(drift::cli::run_blame(std::env::args().skip(1).collect()));
}
