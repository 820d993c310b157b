//! `cargo xtask dist`: the release artifacts a studio drops in, for every platform this
//! machine can build, laid out under `target/dist/`:
//!   <triple>/                include/, lib/ (shared + static, Windows import libraries),
//!                            lib/pkgconfig/gamegate.pc, lib/cmake/GameGate/, THIRD_PARTY_NOTICES
//!   gamegate-<v>-<triple>.tar.gz, SHA256SUMS
//!   unity/                   the UPM package with every binary built here in its slot, and its tarball
//!   unreal/GameGate/         the plugin with Source/ThirdParty filled for Win64, Linux and Mac
//! Linux builds are linked by zig against glibc 2.28 (cargo-zigbuild), so they load on
//! Debian 10+, Ubuntu 20.04+ and RHEL 8; macOS is one universal2 dylib (zig as linker).
//! `checks` reads the files back (symbol versions, SONAME, install name, architectures,
//! exports, checksums) for the test command.

use crate::toolchain::Toolchain;
use crate::{cargo, cross, have, root, run, Result, Suites};
use std::collections::BTreeSet;
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
        return run(cargo().args(["zigbuild", "--release", "--quiet", "-p", "gamegate", "--target", target.build]))
            .map_err(|e| format!("{e} (rustup target add {}; pip install ziglang cargo-zigbuild)", rust_targets(target).join(" ")));
    }
    let toolchain = Toolchain::for_target(target.build)?;
    let linker = format!("CARGO_TARGET_{}_LINKER", target.build.to_uppercase().replace('-', "_"));
    run(cargo().args(["build", "--release", "--quiet", "-p", "gamegate", "--target", target.build]).env(linker, toolchain.c_path()))
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
    for header in ["gamegate.h", "gamegate.hpp"] {
        copy(&root().join("include").join(header), &folder.join("include").join(header))?;
    }
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
    std::fs::write(folder.join("THIRD_PARTY_NOTICES"), crate::licenses::notices(target.tree_of)?).map_err(|e| e.to_string())
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
                println!("  unity: Plugins/{slot} is not built on this machine (left out, with its .meta)");
            }
        }
    }
    remove_empty_folders(&plugins)?;
    run(Command::new("tar").current_dir(dist.join("unity")).args(["-czf", &format!("com.gamegate.sdk-{VERSION}.tgz"), "package"]))
}

/// Each plugin slot of the Unity package and the file built here for it, if any.
fn unity_slots(dist: &Path) -> Vec<(&'static str, Option<PathBuf>)> {
    let built = |triple: &str, name: &str| Some(dist.join(triple).join("lib").join(name));
    vec![
        ("Linux/x86_64/libgamegate.so", built("x86_64-unknown-linux-gnu", "libgamegate.so")),
        ("Windows/x86_64/gamegate.dll", built("x86_64-pc-windows-gnu", "gamegate.dll")),
        ("macOS/libgamegate.dylib", built("universal2-apple-darwin", "libgamegate.dylib")),
        ("Android/arm64-v8a/libgamegate.so", None),
        ("Android/armeabi-v7a/libgamegate.so", None),
        ("iOS/libgamegate.a", None),
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

/// The Unreal plugin with its third-party library filled for Win64, Linux and Mac.
fn unreal_plugin(dist: &Path) -> Result {
    let plugin = dist.join("unreal/GameGate");
    std::fs::create_dir_all(dist.join("unreal")).map_err(|e| e.to_string())?;
    run(Command::new("cp").arg("-r").arg(root().join("bindings/unreal/GameGate")).arg(&plugin))?;
    let third_party = plugin.join("Source/ThirdParty/GameGateLibrary");
    for header in ["gamegate.h", "gamegate.hpp"] {
        copy(&root().join("include").join(header), &third_party.join("include").join(header))?;
    }
    let lib = |triple: &str, name: &str| dist.join(triple).join("lib").join(name);
    for (slot, file) in [
        ("Win64/gamegate.dll", lib("x86_64-pc-windows-gnu", "gamegate.dll")),
        ("Win64/gamegate.dll.lib", lib("x86_64-pc-windows-gnu", "gamegate.dll.lib")),
        ("Linux/x86_64-unknown-linux-gnu/libgamegate.so", lib("x86_64-unknown-linux-gnu", "libgamegate.so")),
        ("Mac/libgamegate.dylib", lib("universal2-apple-darwin", "libgamegate.dylib")),
    ] {
        copy(&file, &third_party.join("lib").join(slot))?;
    }
    copy(&dist.join("x86_64-unknown-linux-gnu/THIRD_PARTY_NOTICES"), &plugin.join("THIRD_PARTY_NOTICES"))
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

// ---- checks on the artifacts (the test command) ----------------------------------------------

/// Builds the artifacts, then reads them back; each check is a suite.
pub fn suites(suites: &mut Suites, emulator_url: &str) {
    let built = dist();
    let failed_build = built.is_err();
    suites.record("cargo xtask dist (every artifact this machine can build)", built);
    if failed_build {
        return;
    }
    let dist = dist_dir();
    for target in &TARGETS {
        let folder = dist.join(target.triple);
        let result = match target.os {
            Os::Linux => check_linux(&folder.join("lib/libgamegate.so")),
            Os::Mac => check_mac(&folder.join("lib/libgamegate.dylib")),
            Os::Windows => cross::check_dll(&folder.join("lib/gamegate.dll")),
        };
        suites.record(format!("dist {}: the library as the platform's loader sees it", target.triple), result);
    }
    suites.record("dist archives: checksums match and each holds its folder", check_archives(&dist));
    suites.record("dist unity tarball: a binary in every slot it lists, no orphan .meta", check_unity_tarball(&dist));
    suites.record("dist c++ consumer: cmake find_package(GameGate), shared and static, run", cmake_consumer(&dist, emulator_url));
    suites.record("dist c consumer: pkg-config --cflags --libs gamegate, run", pkg_config_consumer(&dist, emulator_url));
}

/// Highest GLIBC symbol version at most the floor, a SONAME, and the header's functions exported.
fn check_linux(so: &Path) -> Result {
    let symbols = output(Command::new("llvm-objdump").arg("-T").arg(so))?;
    let newest = highest_glibc(&symbols).ok_or("no GLIBC symbol versions found")?;
    let headers = output(Command::new("llvm-objdump").arg("-p").arg(so))?;
    let soname = headers.lines().find_map(|l| l.trim().strip_prefix("SONAME")).map(str::trim).unwrap_or_default().to_string();
    let exported: BTreeSet<String> = symbols
        .lines()
        .filter(|l| l.contains(" .text") && l.contains("DF"))
        .filter_map(|l| l.split_whitespace().last().map(String::from))
        .collect();
    println!("  {}: newest glibc symbol GLIBC_{}.{}, SONAME {soname:?}, {} functions", so.display(), newest.0, newest.1, exported.len());
    if newest > GLIBC_FLOOR {
        return Err(format!("needs GLIBC_{}.{}, newer than the {}.{} floor", newest.0, newest.1, GLIBC_FLOOR.0, GLIBC_FLOOR.1));
    }
    if soname != "libgamegate.so" {
        return Err(format!("SONAME is {soname:?}, not \"libgamegate.so\""));
    }
    same_functions(&exported)
}

/// The highest `GLIBC_x.y` version a symbol table needs.
fn highest_glibc(symbols: &str) -> Option<(u32, u32)> {
    symbols
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter_map(|word| word.strip_prefix("GLIBC_"))
        .filter_map(|version| {
            let mut parts = version.split('.');
            Some((parts.next()?.parse().ok()?, parts.next().and_then(|p| p.parse().ok()).unwrap_or(0)))
        })
        .max()
}

/// Install name `@rpath/libgamegate.dylib`, both architectures, the header's functions in each.
fn check_mac(dylib: &Path) -> Result {
    let id = output(Command::new("llvm-objdump").args(["--macho", "--dylib-id"]).arg(dylib))?;
    let install_name = id.lines().last().unwrap_or_default().trim().to_string();
    let lipo = llvm_lipo().ok_or("llvm-lipo is not installed (apt-get install llvm)")?;
    let archs = output(Command::new(lipo).arg("-archs").arg(dylib))?;
    let archs: BTreeSet<&str> = archs.split_whitespace().collect();
    println!("  {}: install name {install_name}, architectures {archs:?}", dylib.display());
    if install_name != "@rpath/libgamegate.dylib" {
        return Err(format!("install name is {install_name:?}: it must be @rpath/libgamegate.dylib to load outside the build Mac"));
    }
    if archs != BTreeSet::from(["arm64", "x86_64"]) {
        return Err(format!("architectures {archs:?}, not arm64 + x86_64"));
    }
    for arch in ["arm64", "x86_64"] {
        let trie = output(Command::new("llvm-objdump").args(["--macho", "--exports-trie", &format!("--arch={arch}")]).arg(dylib))?;
        let exported: BTreeSet<String> = trie.lines().filter_map(|l| l.split_whitespace().last()).filter_map(|s| s.strip_prefix('_')).map(String::from).collect();
        same_functions(&exported).map_err(|e| format!("{arch}: {e}"))?;
    }
    Ok(())
}

/// Debian names it llvm-lipo-<version>.
fn llvm_lipo() -> Option<PathBuf> {
    if have("llvm-lipo") {
        return Some(PathBuf::from("llvm-lipo"));
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/bin").ok()?.flatten().map(|e| e.path()).filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("llvm-lipo-"))).collect();
    found.sort();
    found.pop()
}

fn same_functions(exported: &BTreeSet<String>) -> Result {
    let declared = cross::header_functions()?;
    let missing: Vec<_> = declared.difference(exported).collect();
    let extra: Vec<_> = exported.iter().filter(|name| !declared.contains(*name) && is_ours(name)).collect();
    if missing.is_empty() && extra.is_empty() {
        Ok(())
    } else {
        Err(format!("in the header but not exported: {missing:?}; exported but not in the header: {extra:?}"))
    }
}

fn is_ours(name: &str) -> bool {
    ["gg_", "kgen_", "elixir_"].iter().any(|prefix| name.starts_with(prefix))
}

/// `sha256sum -c` over SHA256SUMS, and each archive lists exactly its folder's files.
fn check_archives(dist: &Path) -> Result {
    run(Command::new("sha256sum").current_dir(dist).args(["--check", "--strict", "SHA256SUMS"]))?;
    for target in &TARGETS {
        let archive = format!("gamegate-{VERSION}-{}.tar.gz", target.triple);
        let listed: BTreeSet<String> = output(Command::new("tar").current_dir(dist).args(["-tzf", &archive]))?.lines().filter(|l| !l.ends_with('/')).map(String::from).collect();
        let on_disk: BTreeSet<String> = walk(&dist.join(target.triple))?.iter().map(|f| f.strip_prefix(dist).unwrap_or(f).display().to_string()).collect();
        if listed != on_disk {
            return Err(format!("{archive} does not hold exactly {}/", target.triple));
        }
        for needed in ["include/gamegate.h", "include/gamegate.hpp", "lib/pkgconfig/gamegate.pc", "lib/cmake/GameGate/GameGateConfig.cmake", "lib/cmake/GameGate/GameGateConfigVersion.cmake", "THIRD_PARTY_NOTICES"] {
            if !listed.contains(&format!("{}/{needed}", target.triple)) {
                return Err(format!("{archive} has no {needed}"));
            }
        }
    }
    Ok(())
}

/// Read from the tarball itself: every asset has its `.meta` and every `.meta` its asset
/// (folders included), and at least one plugin slot holds its binary.
fn check_unity_tarball(dist: &Path) -> Result {
    let tarball = format!("unity/com.gamegate.sdk-{VERSION}.tgz");
    let listed = output(Command::new("tar").current_dir(dist).args(["-tzf", &tarball]))?;
    let entries: BTreeSet<String> = listed.lines().map(|l| l.trim_end_matches('/').to_string()).filter(|l| l != "package").collect();
    let problems = unity_listing_problems(&entries);
    println!("  {tarball}: {} entries, {} native libraries", entries.len(), entries.iter().filter(|e| is_shipped_binary(Path::new(e))).count());
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// What Unity would complain about in a package's file list (paths under `package/`).
fn unity_listing_problems(entries: &BTreeSet<String>) -> Vec<String> {
    let mut problems = Vec::new();
    for entry in entries {
        let hidden = entry.split('/').any(|part| part.ends_with('~') || part.starts_with('.'));
        if hidden || entry == "package/package.json" {
            continue; // Unity imports neither hidden folders nor the manifest as assets
        }
        match entry.strip_suffix(".meta") {
            Some(asset) if !entries.contains(asset) => problems.push(format!("{entry} has no asset (an orphan .meta)")),
            Some(_) => {}
            None if !entries.contains(&format!("{entry}.meta")) => problems.push(format!("{entry} has no .meta")),
            None => {}
        }
    }
    if !entries.iter().any(|e| e.contains("/Plugins/") && is_shipped_binary(Path::new(e))) {
        problems.push("no native library in any plugin slot".into());
    }
    problems
}

/// `tests/dist/cmake`: find_package(GameGate CONFIG REQUIRED) against the Linux folder, a
/// program linked to the shared and one to the static library, both run against the emulator.
fn cmake_consumer(dist: &Path, emulator_url: &str) -> Result {
    if !have("cmake") {
        return Err("cmake is not installed (apt-get install cmake)".into());
    }
    let build = root().join("target/dist-consumers/cmake");
    let _ = std::fs::remove_dir_all(&build);
    let prefix = dist.join("x86_64-unknown-linux-gnu");
    run(Command::new("cmake")
        .arg("-S")
        .arg(root().join("tests/dist/cmake"))
        .arg("-B")
        .arg(&build)
        .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display()))
        .arg("-DCMAKE_BUILD_TYPE=Release"))?;
    run(Command::new("cmake").arg("--build").arg(&build))?;
    for program in ["consumer_shared", "consumer_static"] {
        run(Command::new(build.join(program)).env("GAMEGATE_EMULATOR_URL", emulator_url))?;
    }
    // The shared one found the library in the dist folder, not in the build tree.
    let needed = output(Command::new("llvm-objdump").arg("-p").arg(build.join("consumer_shared")))?;
    if !needed.lines().any(|l| l.contains("NEEDED") && l.trim_end().ends_with(" libgamegate.so")) {
        return Err("consumer_shared does not record NEEDED libgamegate.so".into());
    }
    Ok(())
}

/// `tests/dist/pkg_config.c` built with `pkg-config --cflags --libs gamegate` and run.
fn pkg_config_consumer(dist: &Path, emulator_url: &str) -> Result {
    if !have("pkg-config") {
        return Err("pkg-config is not installed (apt-get install pkg-config)".into());
    }
    let pc_dir = dist.join("x86_64-unknown-linux-gnu/lib/pkgconfig");
    let flags = output(Command::new("pkg-config").args(["--cflags", "--libs", "gamegate"]).env("PKG_CONFIG_PATH", &pc_dir))?;
    let libdir = output(Command::new("pkg-config").args(["--variable=libdir", "gamegate"]).env("PKG_CONFIG_PATH", &pc_dir))?;
    let out = root().join("target/dist-consumers");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let program = out.join("pkg_config_consumer");
    let toolchain = Toolchain::host()?;
    run(toolchain
        .c_command()
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&program)
        .arg(root().join("tests/dist/pkg_config.c"))
        .args(flags.split_whitespace())
        .arg(format!("-Wl,-rpath,{}", libdir.trim())))?;
    run(Command::new(&program).env("GAMEGATE_EMULATOR_URL", emulator_url))
}

fn output(command: &mut Command) -> Result<String> {
    let out = command.output().map_err(|e| format!("{command:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{command:?} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unity_listing_with_an_orphan_meta_or_a_missing_meta_is_refused() {
        let listing = |names: &[&str]| names.iter().map(|n| format!("package/{n}")).collect::<BTreeSet<String>>();
        let good = listing(&["package.json", "package.json.meta", "Plugins", "Plugins.meta", "Plugins/Linux", "Plugins/Linux.meta", "Plugins/Linux/libgamegate.so", "Plugins/Linux/libgamegate.so.meta", "Tests~/x.cs"]);
        assert!(unity_listing_problems(&good).is_empty(), "{:?}", unity_listing_problems(&good));
        let orphan = listing(&["Plugins", "Plugins.meta", "Plugins/Linux/libgamegate.so", "Plugins/Linux/libgamegate.so.meta", "Plugins/Linux", "Plugins/Linux.meta", "Plugins/iOS.meta"]);
        assert_eq!(unity_listing_problems(&orphan), vec!["package/Plugins/iOS.meta has no asset (an orphan .meta)"]);
        let bare = listing(&["Plugins", "Plugins.meta", "Plugins/a.dll"]);
        assert_eq!(unity_listing_problems(&bare), vec!["package/Plugins/a.dll has no .meta"]);
        let empty = listing(&["Runtime", "Runtime.meta"]);
        assert_eq!(unity_listing_problems(&empty), vec!["no native library in any plugin slot"]);
    }

    #[test]
    fn the_newest_glibc_version_is_read_from_a_symbol_table() {
        let table = "0000 DF *UND* 0000 (GLIBC_2.2.5) memcpy\n0000 DF *UND* 0000 (GLIBC_2.28) fcntl64\n0000 DF *UND* GLIBC_2.3 x";
        assert_eq!(highest_glibc(table), Some((2, 28)));
        assert_eq!(highest_glibc("0000 DF *UND* (GLIBC_2.34) pthread_create"), Some((2, 34)));
        assert_eq!(highest_glibc("nothing versioned"), None);
    }
}
