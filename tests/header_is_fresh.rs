//! The committed C header must be exactly what cbindgen generates from the current sources.

#[test]
fn committed_header_matches_a_fresh_generation() {
    let fresh = include_str!(concat!(env!("OUT_DIR"), "/gamegate.h"));
    let committed_path = concat!(env!("CARGO_MANIFEST_DIR"), "/include/gamegate.h");
    let committed = std::fs::read_to_string(committed_path).unwrap_or_default();
    assert!(
        committed == fresh,
        "include/gamegate.h is stale: run `GAMEGATE_WRITE_HEADER=1 cargo build` and commit the result"
    );
}
