//! `git drift`: parse the command line and hand over to the library.
use clap::Parser;

fn main() {
    std::process::exit(drift::cli::run(drift::cli::Cli::parse_from(
        drift::cli::normalize_args(std::env::args()),
    )));
}
