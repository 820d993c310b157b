//! Every input in the committed fuzz corpus (fuzz/corpus/<target>/), run through the same entry
//! points as the fuzzers, on the stable toolchain: what a fuzzing session found stays fixed.

use std::path::Path;

fn run_corpus(target: &str, entry: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut inputs = 0;
    for file in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = file.expect("a directory entry").path();
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let outcome = std::panic::catch_unwind(|| entry(&data));
        assert!(outcome.is_ok(), "{} fails its checks", path.display());
        inputs += 1;
    }
    assert!(inputs > 0, "no corpus for {target}");
}

#[test]
fn kgen_session_corpus() {
    run_corpus("kgen_session", gamegate::fuzzing::kgen_session);
}

#[test]
fn elixir_response_corpus() {
    run_corpus("elixir_response", gamegate::fuzzing::elixir_response);
}

#[test]
fn go_time_corpus() {
    run_corpus("go_time", gamegate::fuzzing::go_time);
}

#[test]
fn option_setters_corpus() {
    run_corpus("option_setters", gamegate::fuzzing::option_setters);
}
