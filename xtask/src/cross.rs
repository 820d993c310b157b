//! The cross suites: the library and every native suite built for a platform games or servers
//! ship on, and run on this machine through that platform's stand-in (Windows programs under
//! wine, Linux ARM64 programs under qemu-user), against the emulator running natively on
//! 127.0.0.1. Windows also gets its DLL's export and import tables checked, and a program
//! linked MSVC-style (lld-link against `gamegate.dll.lib`) run.

use crate::toolchain::Toolchain;
use crate::{cargo, root, run, Result, Suites, NATIVE_SUITES};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub struct Platform {
    /// Suite names end with it: "c kgen (windows)".
    pub label: &'static str,
    pub triple: &'static str,
}

pub const PLATFORMS: [Platform; 2] = [
    Platform { label: "windows", triple: "x86_64-pc-windows-gnu" },
    Platform { label: "linux arm64", triple: "aarch64-unknown-linux-gnu" },
];

/// Where a platform's programs run here.
enum Runner {
    Wine { wine: PathBuf, prefix: PathBuf },
    Qemu { program: &'static str, sysroot: &'static str },
}

impl Runner {
    fn for_platform(platform: &Platform) -> Result<Runner> {
        if platform.triple.contains("windows") {
            // Debian 12 keeps wine64 out of PATH.
            let wine = ["/usr/lib/wine/wine64", "/usr/bin/wine64", "/usr/bin/wine"]
                .iter()
                .map(PathBuf::from)
                .find(|path| path.exists())
                .ok_or("wine64 is not installed (apt-get install wine64)")?;
            Ok(Runner::Wine { wine, prefix: root().join("target/cross/wine-prefix") })
        } else {
            let runner = Runner::Qemu { program: "qemu-aarch64", sysroot: "/usr/aarch64-linux-gnu" };
            if !crate::have("qemu-aarch64") {
                return Err("qemu-aarch64 is not installed (apt-get install qemu-user)".into());
            }
            if !Path::new("/usr/aarch64-linux-gnu/lib").exists() {
                return Err("the ARM64 C library is not installed (apt-get install libc6-dev-arm64-cross)".into());
            }
            Ok(runner)
        }
    }

    fn command(&self, program: &Path) -> Command {
        match self {
            Runner::Wine { wine, prefix } => {
                let mut command = Command::new(wine);
                // No Mono or Gecko installers when the prefix is first made.
                command.arg(program).env("WINEPREFIX", prefix).env("WINEDEBUG", "-all").env("WINEDLLOVERRIDES", "mscoree=;mshtml=");
                command.current_dir(program.parent().expect("a program's folder"));
                command
            }
            Runner::Qemu { program: qemu, sysroot } => {
                let mut command = Command::new(qemu);
                command.args(["-L", sysroot]).arg(program).env("GG_UNDER_QEMU", "1");
                command
            }
        }
    }

    /// Ends wine's background server, so nothing of the run is left behind.
    fn finish(&self) {
        if let Runner::Wine { wine, prefix } = self {
            let server = wine.with_file_name("wineserver");
            let _ = Command::new(server).arg("-k").env("WINEPREFIX", prefix).status();
        }
    }
}

/// Everything a platform's suites need, built and in place.
struct Prepared {
    toolchain: Toolchain,
    runner: Runner,
    /// The library the test programs link against.
    lib_dir: PathBuf,
    /// Where the test programs are written and run.
    out: PathBuf,
}

pub fn suites(suites: &mut Suites, platform: &Platform, emulator_url: &str) {
    let started = Instant::now();
    let prepared = match prepare(platform) {
        Ok(prepared) => prepared,
        Err(message) => {
            suites.record(format!("cross build ({})", platform.label), Err(message));
            return;
        }
    };
    let exe = if prepared.toolchain.is_windows() { ".exe" } else { "" };
    for (name, source) in NATIVE_SUITES {
        let stem = Path::new(source).file_stem().expect("a file name").to_string_lossy().to_string();
        let program = prepared.out.join(format!("{stem}{exe}"));
        let result = prepared
            .toolchain
            .compile(&[source], &program, &prepared.lib_dir, &[])
            .and_then(|()| run(prepared.runner.command(&program).env("GAMEGATE_EMULATOR_URL", emulator_url)));
        suites.record(format!("{name} ({})", platform.label), result);
    }
    if prepared.toolchain.is_windows() {
        // The store suite's OS test: a round trip through wine's Credential Manager.
        let store_suite = prepared.out.join("test_store.exe");
        let result = run(prepared
            .runner
            .command(&store_suite)
            .env("GAMEGATE_EMULATOR_URL", emulator_url)
            .env("GG_TEST_FILTER", "test_the_os_store")
            .env("GG_EXPECT_OS_STORE", "credential-manager"));
        suites.record("c credential store: the Windows Credential Manager (windows)", result);
        let dll = prepared.out.join("gamegate.dll");
        suites.record("windows dll exports the header's functions and imports only system dlls", check_dll(&dll));
        suites.record("windows msvc-style link against gamegate.dll.lib (lld-link)", msvc_consumer(&prepared, emulator_url));
        // The trust suite's CA in the current user's ROOT store, in a process of its own (wine's
        // chain engine reads the store once per process), and last: it fetches the certificate's
        // revocation list, and with that list in wine's cache wine's SSL policy passes a chain
        // whose root it does not know (a partial chain, which Windows refuses).
        let trust_suite = prepared.out.join("test_trust.exe");
        let result = run(prepared.runner.command(&trust_suite).env("GAMEGATE_EMULATOR_URL", emulator_url).env("GG_TRUST_ROOT_STORE", "1"));
        suites.record("c trust: a root only the Windows ROOT store holds (windows)", result);
    }
    prepared.runner.finish();
    println!("cross suites ({}): {:.0} s", platform.label, started.elapsed().as_secs_f64());
}

fn prepare(platform: &Platform) -> Result<Prepared> {
    let toolchain = Toolchain::for_target(platform.triple)?;
    toolchain.check().map_err(|e| format!("{e} (apt-get install {})", compiler_packages(platform)))?;
    let runner = Runner::for_platform(platform)?;
    let linker_variable = format!("CARGO_TARGET_{}_LINKER", platform.triple.to_uppercase().replace('-', "_"));
    run(cargo()
        .args(["build", "--quiet", "-p", "gamegate", "--target", platform.triple])
        .env(linker_variable, toolchain.c_path()))
    .map_err(|e| format!("{e} (rustup target add {})", platform.triple))?;
    let lib_dir = root().join("target").join(platform.triple).join("debug");
    let out = root().join("target/cross").join(platform.triple);
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    if toolchain.is_windows() {
        // Windows finds DLLs next to the program: the library, the test-only stand-in for
        // wine's missing bcryptprimitives.dll, and the MinGW C++ runtime the C++ suite needs.
        copy(&lib_dir.join("gamegate.dll"), &out.join("gamegate.dll"))?;
        run(toolchain
            .c_command()
            .args(["-shared", "-O2", "-Wall", "-Wextra", "-Werror", "-o"])
            .arg(out.join("bcryptprimitives.dll"))
            .arg(root().join("tests/windows/bcryptprimitives.c"))
            .arg("-lbcrypt"))?;
        for runtime in ["libstdc++-6.dll", "libgcc_s_seh-1.dll", "libwinpthread-1.dll"] {
            let printed = Command::new(toolchain.cpp_path()).arg(format!("-print-file-name={runtime}")).output().map_err(|e| e.to_string())?;
            let found = PathBuf::from(String::from_utf8_lossy(&printed.stdout).trim());
            if !found.is_absolute() || !found.exists() {
                return Err(format!("{runtime} not found by {}", toolchain.cpp_path().display()));
            }
            copy(&found, &out.join(runtime))?;
        }
    }
    Ok(Prepared { toolchain, runner, lib_dir, out })
}

fn compiler_packages(platform: &Platform) -> &'static str {
    if platform.triple.contains("windows") {
        "gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64"
    } else {
        "gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross"
    }
}

fn copy(from: &Path, to: &Path) -> Result {
    std::fs::copy(from, to).map(drop).map_err(|e| format!("copy {} to {}: {e}", from.display(), to.display()))
}

/// The functions `include/gamegate.h` declares (cbindgen writes each declaration's return
/// type and name at the start of a line).
pub fn header_functions() -> Result<BTreeSet<String>> {
    let header = std::fs::read_to_string(root().join("include/gamegate.h")).map_err(|e| e.to_string())?;
    let mut names = BTreeSet::new();
    for line in header.lines() {
        let starts_a_declaration = line.starts_with(|c: char| c.is_ascii_alphabetic()) && !line.starts_with("typedef");
        let Some(open) = line.find('(').filter(|_| starts_a_declaration) else { continue };
        let name = line[..open].rsplit([' ', '*']).next().unwrap_or_default();
        if !name.is_empty() {
            names.insert(name.to_string());
        }
    }
    Ok(names)
}

/// The system DLLs every Windows 10/11 has; GameGate may import from these only (no MinGW
/// runtime DLL may be needed by a game that ships gamegate.dll).
fn is_system_dll(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("api-ms-win-")
        || ["kernel32.dll", "ntdll.dll", "advapi32.dll", "ws2_32.dll", "userenv.dll", "bcrypt.dll", "bcryptprimitives.dll", "msvcrt.dll", "crypt32.dll"]
            .contains(&name.as_str())
}

/// The DLL's export table equals the header's functions, and its imports are system DLLs.
pub fn check_dll(dll: &Path) -> Result {
    let dump = Command::new("llvm-objdump").arg("-p").arg(dll).output().map_err(|e| format!("llvm-objdump: {e} (apt-get install llvm)"))?;
    if !dump.status.success() {
        return Err("llvm-objdump could not read the DLL".into());
    }
    let text = String::from_utf8_lossy(&dump.stdout);
    let mut exports = BTreeSet::new();
    let mut imports = Vec::new();
    let mut in_exports = false;
    for line in text.lines() {
        if line.starts_with("Export Table:") {
            in_exports = true;
            continue;
        }
        if let Some(name) = line.trim().strip_prefix("DLL Name: ") {
            imports.push(name.to_string());
        }
        if in_exports {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                [ordinal, rva, name] if ordinal.parse::<u32>().is_ok() && rva.starts_with("0x") => {
                    exports.insert(name.to_string());
                }
                [] => in_exports = false,
                _ => {}
            }
        }
    }
    let declared = header_functions()?;
    let extra: Vec<_> = exports.difference(&declared).collect();
    let missing: Vec<_> = declared.difference(&exports).collect();
    let foreign: Vec<_> = imports.iter().filter(|name| !is_system_dll(name)).collect();
    println!("  gamegate.dll: {} exports (header: {} functions); imports {}", exports.len(), declared.len(), imports.join(", "));
    if !extra.is_empty() || !missing.is_empty() || !foreign.is_empty() || exports.is_empty() {
        return Err(format!("exported but not in the header: {extra:?}; in the header but not exported: {missing:?}; non-system imports: {foreign:?}"));
    }
    Ok(())
}

/// An MSVC-style import library (`lib`) for `dll` exporting `functions`, made by llvm-dlltool
/// from a module-definition file written beside it (removed afterwards).
pub fn import_library(dll: &str, functions: &[String], lib: &Path) -> Result {
    if !crate::have("llvm-dlltool") {
        return Err("llvm-dlltool is not installed (apt-get install llvm)".into());
    }
    let def = lib.with_extension("def");
    let text = format!("LIBRARY {dll}\nEXPORTS\n{}\n", functions.join("\n"));
    std::fs::write(&def, text).map_err(|e| e.to_string())?;
    let made = run(Command::new("llvm-dlltool").args(["-m", "i386:x86-64", "-d"]).arg(&def).arg("-l").arg(lib).args(["-D", dll]));
    let _ = std::fs::remove_file(&def);
    made
}

/// An MSVC-style import library from the header's functions (`llvm-dlltool`), and a program
/// compiled for x86_64-pc-windows-msvc and linked by `lld-link` against it, run under wine.
fn msvc_consumer(prepared: &Prepared, emulator_url: &str) -> Result {
    for (tool, package) in [("llvm-dlltool", "llvm"), ("lld-link", "lld"), ("clang", "clang")] {
        if !crate::have(tool) {
            return Err(format!("{tool} is not installed (apt-get install {package})"));
        }
    }
    let out = &prepared.out;
    let gamegate_lib = out.join("gamegate.dll.lib");
    let kernel32_lib = out.join("kernel32.lib");
    let functions: Vec<String> = header_functions()?.into_iter().collect();
    let kernel32: Vec<String> = ["GetStdHandle", "WriteFile", "GetEnvironmentVariableA", "Sleep", "ExitProcess"].map(String::from).to_vec();
    import_library("gamegate.dll", &functions, &gamegate_lib)?;
    import_library("kernel32.dll", &kernel32, &kernel32_lib)?;
    let object = out.join("msvc_consumer.obj");
    let program = out.join("msvc_consumer.exe");
    run(Command::new("clang")
        .current_dir(root())
        .args(["--target=x86_64-pc-windows-msvc", "-ffreestanding", "-fno-builtin", "-fno-stack-protector", "-O0"])
        .args(["-Wall", "-Wextra", "-Werror", "-Iinclude", "-c", "tests/windows/msvc_consumer.c", "-o"])
        .arg(&object))?;
    run(Command::new("lld-link")
        .args(["/nologo", "/entry:start", "/subsystem:console", "/nodefaultlib"])
        .arg(format!("/out:{}", program.display()))
        .arg(&object)
        .arg(&gamegate_lib)
        .arg(&kernel32_lib))?;
    run(prepared.runner.command(&program).env("GAMEGATE_EMULATOR_URL", emulator_url))
}
