//! Generates the C header from the Rust sources into OUT_DIR. The committed copy in
//! include/gamegate.h is checked against it by tests/header_is_fresh.rs; set
//! GAMEGATE_WRITE_HEADER=1 to refresh the committed copy.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=GAMEGATE_WRITE_HEADER");
    name_the_shared_library();

    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml is readable");
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the C header");
    bindings.write_to_file(out_dir.join("gamegate.h"));
    if std::env::var_os("GAMEGATE_WRITE_HEADER").is_some_and(|v| v == "1") {
        bindings.write_to_file(crate_dir.join("include").join("gamegate.h"));
    }
}

/// The name a program linked against the shared library records: "libgamegate.so" (found on
/// its library path, wherever the build folder was), and on Apple platforms
/// "@rpath/libgamegate.dylib" instead of the absolute build path rustc would record.
fn name_the_shared_library() {
    match std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default().as_str() {
        "linux" | "android" => println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libgamegate.so"),
        "macos" | "ios" => println!("cargo:rustc-cdylib-link-arg=-Wl,-install_name,@rpath/libgamegate.dylib"),
        _ => {}
    }
}
