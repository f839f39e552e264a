//! `git drift`: hand the command line to the library.

fn main() {
    std::process::exit(drift::cli::main(std::env::args()));
}
