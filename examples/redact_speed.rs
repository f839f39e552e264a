//! Throughput of the redactor on the files given (each redacted whole, several times), and the
//! cost of its first use (compiling the keyword matchers and the rules a text needs):
//! `cargo run --release --example redact_speed -- FILE...`. A tuning aid for `src/redact/`;
//! bench/README.md says when to use it.

use drift::redact::Redactor;
use std::time::Instant;

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    let texts: Vec<String> = files
        .iter()
        .map(|f| String::from_utf8_lossy(&std::fs::read(f).expect("readable file")).into_owned())
        .collect();
    let r = Redactor::default();
    let t = Instant::now();
    r.prepare();
    println!(
        "prepare (keyword matchers): {:.2} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    for (f, text) in files.iter().zip(&texts) {
        let t = Instant::now();
        let first = r.redact(text).len();
        let first_ms = t.elapsed().as_secs_f64() * 1e3;
        let runs = 5;
        let t = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(r.redact(text).len());
        }
        let s = t.elapsed().as_secs_f64() / runs as f64;
        println!(
            "{f}: {:.1} KB, first {first_ms:.2} ms, then {:.2} ms = {:.1} MB/s ({} bytes out)",
            text.len() as f64 / 1e3,
            s * 1e3,
            text.len() as f64 / 1e6 / s,
            first
        );
    }
}
