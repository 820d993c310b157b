//! `cargo xtask dist`: the release artifacts a studio drops in, for every platform this
//! machine can build, laid out under `target/dist/`:
//!   <triple>/                include/, lib/ (shared + static, Windows import libraries),
//!                            lib/pkgconfig/gamegate.pc, lib/cmake/GameGate/, THIRD_PARTY_NOTICES
//!   gamegate-<v>-<triple>.tar.gz, SHA256SUMS
//!   unity/                   the UPM package with every binary built here in its slot, and its tarball
//!   unreal/GameGate/         the plugin with Source/ThirdParty filled for Win64, Linux, LinuxArm64 and Mac
//! Linux builds are linked by zig against glibc 2.28 (cargo-zigbuild), so they load on
//! Debian 10+, Ubuntu 20.04+ and RHEL 8; macOS is one universal2 dylib (zig as linker).
//! `checks` reads the files back for the test command; `hosted` builds what needs a host this
//! machine cannot be (MSVC, Android NDK, Apple SDKs), for the release workflow's runners.

mod checks;
pub mod hosted;

pub use checks::suites;

use crate::toolchain::Toolchain;
use crate::{cargo, cross, have, root, run, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The oldest glibc the Linux builds need.
const GLIBC_FLOOR: (u32, u32) = (2, 28);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Os {
    Linux,
    Windows,
    Mac,
}

pub struct Target {
    /// The folder and archive name.
    pub triple: &'static str,
    /// What cargo builds (a zig triple may carry the glibc version).
    build: &'static str,
    zig: bool,
    os: Os,
    /// The target whose dependency tree the notices list.
    tree_of: &'static str,
}

pub const TARGETS: [Target; 4] = [
    Target { triple: "x86_64-unknown-linux-gnu", build: "x86_64-unknown-linux-gnu.2.28", zig: true, os: Os::Linux, tree_of: "x86_64-unknown-linux-gnu" },
    Target { triple: "aarch64-unknown-linux-gnu", build: "aarch64-unknown-linux-gnu.2.28", zig: true, os: Os::Linux, tree_of: "aarch64-unknown-linux-gnu" },
    Target { triple: "x86_64-pc-windows-gnu", build: "x86_64-pc-windows-gnu", zig: false, os: Os::Windows, tree_of: "x86_64-pc-windows-gnu" },
    Target { triple: "universal2-apple-darwin", build: "universal2-apple-darwin", zig: true, os: Os::Mac, tree_of: "aarch64-apple-darwin" },
];

/// What the static library needs from the system, as `rustc --print native-static-libs`
/// reports it for each target (checked for Linux by the CMake consumer's static build).
fn native_static_libs(os: Os) -> &'static [&'static str] {
    match os {
        Os::Linux => &["gcc_s", "util", "rt", "pthread", "m", "dl", "c"],
        Os::Windows => &["bcrypt", "advapi32", "kernel32", "ntdll", "userenv", "ws2_32", "dbghelp"],
        Os::Mac => &["iconv", "System", "c", "m"],
    }
}

pub fn dist_dir() -> PathBuf {
    root().join("target/dist")
}

fn cargo_build_dir(target: &Target) -> PathBuf {
    let folder = target.build.split(".2.").next().unwrap_or(target.build);
    root().join("target").join(folder).join("release")
}

/// Builds every artifact and lays them out; prints each one's size.
pub fn dist() -> Result {
    if !have("cargo-zigbuild") {
        return Err("cargo-zigbuild is not installed (pip install ziglang cargo-zigbuild)".into());
    }
    let dist = dist_dir();
    if dist.exists() {
        std::fs::remove_dir_all(&dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    }
    std::fs::create_dir_all(&dist).map_err(|e| e.to_string())?;
    let mut archives = Vec::new();
    for target in &TARGETS {
        build(target)?;
        lay_out(target, &dist.join(target.triple))?;
        let archive = format!("gamegate-{VERSION}-{}.tar.gz", target.triple);
        run(Command::new("tar").current_dir(&dist).args(["-czf", &archive, target.triple]))?;
        archives.push(archive);
    }
    let sums = Command::new("sha256sum").current_dir(&dist).args(&archives).output().map_err(|e| format!("sha256sum: {e}"))?;
    if !sums.status.success() {
        return Err("sha256sum failed".into());
    }
    std::fs::write(dist.join("SHA256SUMS"), &sums.stdout).map_err(|e| e.to_string())?;
    unity_package(&dist)?;
    unreal_plugin(&dist)?;
    println!("\ndist: target/dist/");
    for file in walk(&dist)?.iter().filter(|f| is_shipped_binary(f) || f.to_string_lossy().ends_with(".tar.gz") || f.to_string_lossy().ends_with(".tgz")) {
        let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        println!("  {:>10}  {}", size, file.strip_prefix(&dist).unwrap_or(file).display());
    }
    Ok(())
}

fn build(target: &Target) -> Result {
    if target.zig {
        let mut command = cargo();
        command.args(["zigbuild", "--release", "--quiet", "-p", "gamegate", "--target", target.build]);
        if target.os == Os::Mac {
            link_against_framework_stubs(&mut command);
        }
        return run(&mut command)
            .map_err(|e| format!("{e} (rustup target add {}; pip install ziglang cargo-zigbuild)", rust_targets(target).join(" ")));
    }
    let toolchain = Toolchain::for_target(target.build)?;
    let linker = format!("CARGO_TARGET_{}_LINKER", target.build.to_uppercase().replace('-', "_"));
    run(cargo().args(["build", "--release", "--quiet", "-p", "gamegate", "--target", target.build]).env(linker, toolchain.c_path()))
}

/// Without Apple's SDK (zig links the macOS dylib here), Security and CoreFoundation are
/// linked against the stubs in `xtask/apple-frameworks`: the symbols GameGate uses and the
/// frameworks' install names, as the SDK's own `.tbd` files hold them. The dylib then loads
/// the real frameworks on a Mac. A symbol missing from a stub fails the link, naming it.
fn link_against_framework_stubs(command: &mut Command) {
    let has_sdk = std::env::var_os("SDKROOT").is_some() || have("xcrun");
    if has_sdk {
        return;
    }
    let stubs = root().join("xtask/apple-frameworks");
    for triple in ["x86_64-apple-darwin", "aarch64-apple-darwin"] {
        let variable = format!("CARGO_TARGET_{}_RUSTFLAGS", triple.to_uppercase().replace('-', "_"));
        command.env(variable, format!("-C link-arg=-F{}", stubs.display()));
    }
}

fn rust_targets(target: &Target) -> Vec<&'static str> {
    match target.os {
        Os::Mac => vec!["x86_64-apple-darwin", "aarch64-apple-darwin"],
        _ => vec![target.tree_of],
    }
}

/// The files a triple's folder holds, as (name under lib/, built file name).
fn libraries(os: Os) -> &'static [&'static str] {
    match os {
        Os::Linux => &["libgamegate.so", "libgamegate.a"],
        // The DLL, MinGW's import and static libraries; gamegate.dll.lib is made below.
        Os::Windows => &["gamegate.dll", "libgamegate.dll.a", "libgamegate.a"],
        Os::Mac => &["libgamegate.dylib", "libgamegate.a"],
    }
}

fn lay_out(target: &Target, folder: &Path) -> Result {
    let lib = folder.join("lib");
    for dir in ["include", "lib/pkgconfig", "lib/cmake/GameGate"] {
        std::fs::create_dir_all(folder.join(dir)).map_err(|e| e.to_string())?;
    }
    copy_headers(&folder.join("include"))?;
    let built = cargo_build_dir(target);
    for name in libraries(target.os) {
        copy(&built.join(name), &lib.join(name))?;
    }
    if target.os == Os::Windows {
        // For MSVC's linker (and Unreal on Windows): an import library of the header's functions.
        let functions: Vec<String> = cross::header_functions()?.into_iter().collect();
        cross::import_library("gamegate.dll", &functions, &lib.join("gamegate.dll.lib"))?;
    }
    std::fs::write(lib.join("pkgconfig/gamegate.pc"), pkg_config(target.os)).map_err(|e| e.to_string())?;
    std::fs::write(lib.join("cmake/GameGate/GameGateConfig.cmake"), cmake_config(target)).map_err(|e| e.to_string())?;
    std::fs::write(lib.join("cmake/GameGate/GameGateConfigVersion.cmake"), cmake_version()).map_err(|e| e.to_string())?;
    copy_licences(folder)?;
    std::fs::write(folder.join("THIRD_PARTY_NOTICES"), crate::licenses::notices(target.tree_of)?).map_err(|e| e.to_string())
}

/// GameGate's own licence texts beside every artifact (MIT OR Apache-2.0, the user's choice).
fn copy_licences(dir: &Path) -> Result {
    for name in ["LICENSE-MIT", "LICENSE-APACHE"] {
        copy(&root().join(name), &dir.join(name))?;
    }
    Ok(())
}

fn pkg_config(os: Os) -> String {
    let private: Vec<String> = native_static_libs(os).iter().map(|l| format!("-l{l}")).collect();
    format!(
        "# GameGate {VERSION}, generated by cargo xtask dist. Relocatable: paths follow this file.\n\
         prefix=${{pcfiledir}}/../..\nlibdir=${{prefix}}/lib\nincludedir=${{prefix}}/include\n\n\
         Name: GameGate\nDescription: KGeN server sessions and Elixir player sign-in (C ABI)\nVersion: {VERSION}\n\
         Libs: -L${{libdir}} -lgamegate\nLibs.private: {}\nCflags: -I${{includedir}}\n",
        private.join(" ")
    )
}

fn cmake_config(target: &Target) -> String {
    let (shared, extra) = match target.os {
        Os::Linux => ("libgamegate.so", "    IMPORTED_SONAME \"libgamegate.so\"\n".to_string()),
        Os::Mac => ("libgamegate.dylib", "    IMPORTED_SONAME \"@rpath/libgamegate.dylib\"\n".to_string()),
        Os::Windows => ("gamegate.dll", String::new()),
    };
    let implib = match target.os {
        Os::Windows => "if(MSVC)\n  set_target_properties(GameGate::gamegate PROPERTIES IMPORTED_IMPLIB \"${_gamegate_prefix}/lib/gamegate.dll.lib\")\n\
                        else()\n  set_target_properties(GameGate::gamegate PROPERTIES IMPORTED_IMPLIB \"${_gamegate_prefix}/lib/libgamegate.dll.a\")\nendif()\n",
        _ => "",
    };
    let libs = native_static_libs(target.os).join(";");
    format!(
        "# GameGate {VERSION} for {triple}, generated by cargo xtask dist.\n\
         #   find_package(GameGate CONFIG REQUIRED)\n\
         #   target_link_libraries(app PRIVATE GameGate::gamegate)          # shared library\n\
         #   target_link_libraries(app PRIVATE GameGate::gamegate_static)   # static library\n\
         get_filename_component(_gamegate_prefix \"${{CMAKE_CURRENT_LIST_DIR}}/../../..\" ABSOLUTE)\n\
         if(NOT TARGET GameGate::gamegate)\n\
         add_library(GameGate::gamegate SHARED IMPORTED)\n\
         set_target_properties(GameGate::gamegate PROPERTIES\n\
         \x20   IMPORTED_LOCATION \"${{_gamegate_prefix}}/lib/{shared}\"\n{extra}\
         \x20   INTERFACE_INCLUDE_DIRECTORIES \"${{_gamegate_prefix}}/include\")\n{implib}\
         add_library(GameGate::gamegate_static STATIC IMPORTED)\n\
         set_target_properties(GameGate::gamegate_static PROPERTIES\n\
         \x20   IMPORTED_LOCATION \"${{_gamegate_prefix}}/lib/libgamegate.a\"\n\
         \x20   INTERFACE_INCLUDE_DIRECTORIES \"${{_gamegate_prefix}}/include\"\n\
         \x20   INTERFACE_LINK_LIBRARIES \"{libs}\")\n\
         endif()\nunset(_gamegate_prefix)\n",
        triple = target.triple
    )
}

/// Compatible with a request for the same 0.minor (before 1.0) or the same major, not newer.
fn cmake_version() -> String {
    format!(
        "set(PACKAGE_VERSION \"{VERSION}\")\n\
         if(PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION)\n  set(PACKAGE_VERSION_COMPATIBLE FALSE)\n\
         elseif(PACKAGE_FIND_VERSION_MAJOR STREQUAL \"0\" AND NOT PACKAGE_FIND_VERSION_MINOR STREQUAL \"{minor}\")\n  set(PACKAGE_VERSION_COMPATIBLE FALSE)\n\
         elseif(NOT PACKAGE_FIND_VERSION_MAJOR STREQUAL \"{major}\")\n  set(PACKAGE_VERSION_COMPATIBLE FALSE)\n\
         else()\n  set(PACKAGE_VERSION_COMPATIBLE TRUE)\n  if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)\n    set(PACKAGE_VERSION_EXACT TRUE)\n  endif()\nendif()\n",
        major = VERSION.split('.').next().unwrap_or("0"),
        minor = VERSION.split('.').nth(1).unwrap_or("0"),
    )
}

/// The Unity package with every binary built here in its slot. A slot that cannot be filled
/// here goes with its `.meta` (Unity would call a lone `.meta` useless and may drop it); the
/// test-only `Tests~` folder stays home. Packed as Unity's "Add package from tarball" wants:
/// everything under `package/`.
fn unity_package(dist: &Path) -> Result {
    let package = dist.join("unity/package");
    std::fs::create_dir_all(dist.join("unity")).map_err(|e| e.to_string())?;
    run(Command::new("cp").arg("-r").arg(root().join(crate::UNITY_PACKAGE)).arg(&package))?;
    let _ = std::fs::remove_dir_all(package.join("Tests~"));
    let plugins = package.join("Plugins");
    for (slot, from) in unity_slots(dist) {
        match from {
            Some(file) => copy(&file, &plugins.join(slot))?,
            None => {
                for stale in [plugins.join(slot), plugins.join(format!("{slot}.meta"))] {
                    let _ = std::fs::remove_file(stale);
                }
                println!("  unity: Plugins/{slot} is built by the release workflow's hosted runners, not here (left out, with its .meta)");
            }
        }
    }
    remove_empty_folders(&plugins)?;
    run(Command::new("tar").current_dir(dist.join("unity")).args(["-czf", &format!("com.gamegate.sdk-{VERSION}.tgz"), "package"]))
}

/// Each plugin slot of the Unity package and the file built for it, if any.
fn unity_slots(dist: &Path) -> Vec<(&'static str, Option<PathBuf>)> {
    vec![
        ("Linux/x86_64/libgamegate.so", Some(built(dist, "x86_64-unknown-linux-gnu", "libgamegate.so"))),
        ("Windows/x86_64/gamegate.dll", Some(built(dist, "x86_64-pc-windows-gnu", "gamegate.dll"))),
        ("macOS/libgamegate.dylib", Some(built(dist, "universal2-apple-darwin", "libgamegate.dylib"))),
        // Built on hosted runners (`--hosted`), when their output was downloaded here.
        ("Android/arm64-v8a/libgamegate.so", hosted::built_file("android", "lib/arm64-v8a/libgamegate.so")),
        ("Android/armeabi-v7a/libgamegate.so", hosted::built_file("android", "lib/armeabi-v7a/libgamegate.so")),
        ("iOS/libgamegate.a", hosted::built_file("ios", "lib/libgamegate.a")),
    ]
}

/// A folder whose slots all went, with the `.meta` Unity keeps for the folder itself.
fn remove_empty_folders(dir: &Path) -> Result {
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            remove_empty_folders(&path)?;
            if std::fs::read_dir(&path).map_err(|e| e.to_string())?.next().is_none() {
                std::fs::remove_dir(&path).map_err(|e| e.to_string())?;
                let _ = std::fs::remove_file(path.with_extension("meta"));
            }
        }
    }
    Ok(())
}

/// The Unreal plugin with its third-party library filled for Win64, Linux (x86_64, ARM64) and Mac.
fn unreal_plugin(dist: &Path) -> Result {
    let plugin = dist.join("unreal/GameGate");
    std::fs::create_dir_all(dist.join("unreal")).map_err(|e| e.to_string())?;
    run(Command::new("cp").arg("-r").arg(root().join("bindings/unreal/GameGate")).arg(&plugin))?;
    let third_party = plugin.join("Source/ThirdParty/GameGateLibrary");
    copy_headers(&third_party.join("include"))?;
    for (slot, file) in [
        ("Win64/gamegate.dll", built(dist, "x86_64-pc-windows-gnu", "gamegate.dll")),
        ("Win64/gamegate.dll.lib", built(dist, "x86_64-pc-windows-gnu", "gamegate.dll.lib")),
        ("Linux/x86_64-unknown-linux-gnu/libgamegate.so", built(dist, "x86_64-unknown-linux-gnu", "libgamegate.so")),
        ("Linux/aarch64-unknown-linux-gnu/libgamegate.so", built(dist, "aarch64-unknown-linux-gnu", "libgamegate.so")),
        ("Mac/libgamegate.dylib", built(dist, "universal2-apple-darwin", "libgamegate.dylib")),
    ] {
        copy(&file, &third_party.join("lib").join(slot))?;
    }
    for (slot, hosted_file) in [
        ("Android/arm64-v8a/libgamegate.so", hosted::built_file("android", "lib/arm64-v8a/libgamegate.so")),
        ("IOS/libgamegate.a", hosted::built_file("ios", "lib/libgamegate.a")),
    ] {
        match hosted_file {
            Some(file) => copy(&file, &third_party.join("lib").join(slot))?,
            None => println!("  unreal: lib/{slot} is built by the release workflow's hosted runners, not here"),
        }
    }
    copy_licences(&plugin)?;
    copy(&dist.join("x86_64-unknown-linux-gnu/THIRD_PARTY_NOTICES"), &plugin.join("THIRD_PARTY_NOTICES"))
}

/// A library laid out for `triple` under the dist folder.
fn built(dist: &Path, triple: &str, name: &str) -> PathBuf {
    dist.join(triple).join("lib").join(name)
}

/// Both headers (C and the C++ wrapper) into `dir`.
fn copy_headers(dir: &Path) -> Result {
    for header in ["gamegate.h", "gamegate.hpp"] {
        copy(&root().join("include").join(header), &dir.join(header))?;
    }
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    std::fs::copy(from, to).map(drop).map_err(|e| format!("copy {} to {}: {e}", from.display(), to.display()))
}

fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path)?);
        } else {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn is_shipped_binary(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    [".so", ".a", ".dll", ".lib", ".dylib"].iter().any(|ext| name.ends_with(ext))
}

