//! The project's two front-door commands, plus helpers:
//!   cargo xtask demo     the KGeN flow through the C ABI against the bundled emulator
//!   cargo xtask test     every suite: Rust, header freshness, C (plain and under valgrind), examples,
//!                        and the cross suites (Windows under wine, Linux ARM64 under qemu-user)
//!   cargo xtask cross    the cross suites alone
//!   cargo xtask csharp   the C# suites alone (NUnit, full AOT, define sets, the console example)
//!   cargo xtask dist [--check]  release artifacts for every platform this machine can build
//!                        (target/dist/); --check also reads them back and runs the consumers
//!   cargo xtask dist --hosted <msvc | android | ios>   what needs a hosted runner (release workflow)
//!   cargo xtask abi [--bless]  the C ABI against abi/gamegate-abi.txt (docs/abi.md); --bless
//!                        makes this build's ABI the baseline once the version allows it
//!   cargo xtask docs     the API reference (doxygen over gamegate.h; C# XML docs)
//!   cargo xtask header   regenerate include/gamegate.h
//!   cargo xtask unity-package   build the release library and copy it into the Unity package
//!   cargo xtask unreal-plugin   the same for the Unreal plugin (plus the headers)
//!   cargo xtask fuzz [N]  every fuzz target for N seconds (nightly + cargo-fuzz)
//!   cargo xtask typecheck   the iOS and Android code, type-checked (cargo check; never linked here)
//!   cargo xtask bench    GameGate vs libcurl vs wrk on nginx, micro-figures, sizes
//! Only std: it must build on a fresh machine before anything else is known to work.

mod abi;
mod bench;
mod cross;
mod delay;
mod dist;
mod docs;
mod licenses;
mod os_store;
mod proxies;
mod toolchain;
mod typecheck;
mod unity;
mod workflow;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use toolchain::Toolchain;

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "demo" => demo(),
        "test" => test(),
        "cross" => cross_only(),
        "csharp" => csharp_only(),
        "dist" if std::env::args().nth(2).as_deref() == Some("--check") => dist_checked(),
        "dist" if std::env::args().nth(2).as_deref() == Some("--hosted") => dist::hosted::build(&std::env::args().nth(3).unwrap_or_default()),
        "dist" => dist::dist(),
        "header" => run(cargo().args(["build", "-p", "gamegate"]).env("GAMEGATE_WRITE_HEADER", "1")),
        "unity-package" => unity_package(),
        "unreal-plugin" => unreal_plugin(),
        "bench" => bench::bench(),
        "docs" => docs::build(),
        "workflow" => workflow::schema().and_then(|()| workflow::steps_and_packaging()),
        "docs-code" => build_native().and_then(|bin_dir| {
            let emulator = EmulatorProcess::start(&bin_dir, false)?;
            docs::code_blocks(&Toolchain::host()?, &bin_dir, &emulator.url)
        }),
        "abi" => build_native().and_then(|bin_dir| if std::env::args().nth(2).as_deref() == Some("--bless") { abi::bless(&bin_dir) } else { abi::check(&bin_dir) }),
        "fuzz" => fuzz(std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(60), true),
        "typecheck" => typecheck::TARGETS.iter().try_for_each(|(triple, zig_target)| typecheck::check(triple, zig_target)),
        _ => {
            eprintln!("usage: cargo xtask <demo | test | cross | csharp | dist | bench | docs | abi [--bless] | header | unity-package | unreal-plugin | fuzz [seconds per target] | typecheck>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask {task}: {message}");
            ExitCode::FAILURE
        }
    }
}

type Result<T = ()> = std::result::Result<T, String>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(root());
    command
}

fn run(command: &mut Command) -> Result {
    let status = command.status().map_err(|e| format!("could not start {command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed ({status})"))
    }
}

fn have(tool: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {tool}")]).stdout(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// The library (debug build) and the emulator, built once.
fn build_native() -> Result<PathBuf> {
    run(cargo().args(["build", "--quiet", "-p", "gamegate", "-p", "gamegate-emulator"]))?;
    Ok(root().join("target").join("debug"))
}

/// A running emulator on a free port; killed when dropped.
struct EmulatorProcess {
    child: Child,
    url: String,
}

impl EmulatorProcess {
    fn start(bin_dir: &Path, verbose: bool) -> Result<EmulatorProcess> {
        let mut command = Command::new(bin_dir.join("gamegate-emulator"));
        // Every interface: the suites reach it on this machine's LAN address too (plain HTTP
        // to a devkit or phone during development); its URL still names loopback.
        command.args(["--host", "0.0.0.0", "--port", "0"]).stdout(Stdio::piped());
        if !verbose {
            command.arg("--quiet");
        }
        let mut child = command.spawn().map_err(|e| format!("could not start the emulator: {e}"))?;
        let stdout = child.stdout.take().ok_or("emulator has no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = lines.next().and_then(|l| l.ok()).ok_or("the emulator printed no URL")?;
        // Keep echoing what it prints (OTP codes in the demo) without blocking it.
        std::thread::spawn(move || {
            for line in lines.map_while(std::result::Result::ok) {
                println!("{line}");
            }
        });
        Ok(EmulatorProcess { child, url })
    }

    /// The emulator at this machine's LAN address, for suites that need a host beyond loopback.
    fn lan_url(&self) -> Result<String> {
        // Connecting a UDP socket sends nothing; it only picks the interface a packet would leave by.
        let socket = std::net::UdpSocket::bind("0.0.0.0:0").map_err(|e| e.to_string())?;
        let local = socket.connect("192.0.2.1:9").and_then(|()| socket.local_addr()).map_err(|e| format!("no route to find a LAN address: {e}"))?;
        if local.ip().is_loopback() || local.ip().is_unspecified() {
            return Err(format!("this machine has no address beyond loopback ({})", local.ip()));
        }
        let port = self.url.rsplit(':').next().unwrap_or_default();
        Ok(format!("http://{}:{port}", local.ip()))
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn demo() -> Result {
    let bin_dir = build_native()?;
    let out = root().join("target").join("c");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    Toolchain::host()?.compile(&["examples/c/demo.c"], &out.join("demo"), &bin_dir, &[])?;
    let emulator = EmulatorProcess::start(&bin_dir, true)?;
    println!("demo: emulator listening at {}", emulator.url);
    run(Command::new(out.join("demo")).env("GAMEGATE_EMULATOR_URL", &emulator.url))
}

struct Suites {
    passed: Vec<String>,
    failed: Vec<String>,
}

impl Suites {
    /// Prints every suite's outcome and the closing count; fails if any suite failed.
    fn finish(self) -> Result {
        println!();
        for name in &self.passed {
            println!("  ok      {name}");
        }
        for name in &self.failed {
            println!("  FAILED  {name}");
        }
        println!("suites: {} passed, {} failed", self.passed.len(), self.failed.len());
        if self.failed.is_empty() {
            Ok(())
        } else {
            Err(format!("{} suite(s) failed", self.failed.len()))
        }
    }

    fn record(&mut self, name: impl Into<String>, result: Result) {
        let name = name.into();
        match result {
            Ok(()) => self.passed.push(name),
            Err(message) => {
                eprintln!("suite {name} FAILED: {message}");
                self.failed.push(name);
            }
        }
    }
}

const UNITY_PACKAGE: &str = "bindings/unity";

/// Builds the release library; returns this machine's shared library file.
fn build_release_library() -> Result<PathBuf> {
    run(cargo().args(["build", "--release", "-p", "gamegate"]))?;
    let name = host_slot("libgamegate.so", "libgamegate.dylib", "gamegate.dll");
    Ok(root().join("target/release").join(name))
}

fn copy_into(dir: &Path, files: &[PathBuf]) -> Result {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    for from in files {
        let to = dir.join(from.file_name().expect("a file name"));
        std::fs::copy(from, &to).map_err(|e| format!("copy {} to {}: {e}", from.display(), to.display()))?;
        println!("  {}", to.display());
    }
    Ok(())
}

fn host_slot(linux: &str, macos: &str, windows: &str) -> String {
    (if cfg!(target_os = "linux") { linux } else if cfg!(target_os = "macos") { macos } else { windows }).to_string()
}

/// Builds the release library for this machine and copies it into its Unity plugin slot.
fn unity_package() -> Result {
    let slot = host_slot("Plugins/Linux/x86_64", "Plugins/macOS", "Plugins/Windows/x86_64");
    copy_into(&root().join(UNITY_PACKAGE).join(slot), &[build_release_library()?])?;
    println!("unity-package: ready; add bindings/unity/package.json in Unity's Package Manager (from disk)");
    Ok(())
}

/// Copies the headers and this machine's release library into the Unreal plugin.
fn unreal_plugin() -> Result {
    let third_party = root().join("bindings/unreal/GameGate/Source/ThirdParty/GameGateLibrary");
    let slot = host_slot("lib/Linux/x86_64-unknown-linux-gnu", "lib/Mac", "lib/Win64");
    copy_into(&third_party.join(slot), &[build_release_library()?])?;
    copy_into(&third_party.join("include"), &[root().join("include/gamegate.h"), root().join("include/gamegate.hpp")])?;
    println!("unreal-plugin: ready; copy bindings/unreal/GameGate into your project's Plugins/");
    Ok(())
}

fn native_suite(suites: &mut Suites, toolchain: &Toolchain, name: &str, source: &str, bin_dir: &Path, out: &Path, emulator_url: &str, in_ci: bool) {
    let leak_name = format!("{name} under valgrind");
    let sanitized_name = format!("{name} under asan+ubsan");
    let stem = Path::new(source).file_stem().expect("a file name").to_string_lossy().to_string();
    let binary = out.join(&stem);
    if let Err(message) = toolchain.compile(&[source], &binary, bin_dir, &[]) {
        suites.record(name, Err(format!("does not compile with -Wall -Wextra -Werror: {message}")));
        return;
    }
    suites.record(name, run(Command::new(&binary).env("GAMEGATE_EMULATOR_URL", emulator_url)));

    if have("valgrind") {
        let valgrind = Command::new("valgrind")
            .args(["--quiet", "--leak-check=full", "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite", "--error-exitcode=99"])
            .arg(format!("--suppressions={}", root().join("tests/valgrind.supp").display()))
            .arg(&binary)
            .env("GAMEGATE_EMULATOR_URL", emulator_url)
            .env("GG_UNDER_VALGRIND", "1")
            .status();
        suites.record(
            leak_name,
            match valgrind {
                Ok(s) if s.success() => Ok(()),
                Ok(s) => Err(format!("valgrind run failed ({s}); exit 99 means a memory error or a definite leak")),
                Err(e) => Err(e.to_string()),
            },
        );
    } else if in_ci {
        suites.record(leak_name, Err("valgrind is not installed (.ci/run installs it)".into()));
    } else {
        eprintln!("note: valgrind not installed; skipping {leak_name} (apt-get install valgrind)");
    }

    let sanitized = out.join(format!("{stem}-asan"));
    let sanitizer_flags = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"];
    let result = toolchain.compile(&[source], &sanitized, bin_dir, &sanitizer_flags).and_then(|()| {
        run(Command::new(&sanitized)
            .env("GAMEGATE_EMULATOR_URL", emulator_url)
            .env("GG_UNDER_SANITIZER", "1")
            .env("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=98"))
    });
    suites.record(sanitized_name, result);
}

/// gamegate.hpp as an Unreal module sees it: after the engine's `check`/`verify`/`ensure`
/// macros, C++20, no exceptions, no RTTI; built with g++ and clang++ and run.
fn unreal_macro_suites(suites: &mut Suites, toolchain: &Toolchain, bin_dir: &Path, out: &Path) {
    let flags = ["-std=c++20", "-fno-exceptions", "-fno-rtti", "-Itests/unreal"];
    let host_cpp = toolchain.cpp_path().display().to_string();
    for (label, compiler) in [("g++", host_cpp.as_str()), ("clang++", "clang++")] {
        let name = format!("c++ wrapper under unreal's macros, -fno-exceptions -fno-rtti ({label})");
        let toolchain = toolchain.with_cpp_compiler(compiler);
        let binary = out.join(format!("wrapper_under_unreal_macros_{label}"));
        let result = toolchain
            .compile(&["tests/unreal/wrapper_under_unreal_macros.cpp"], &binary, bin_dir, &flags)
            .and_then(|()| run(&mut Command::new(&binary)));
        suites.record(name, result);
    }
}

/// The Unreal plugin compiled as UnrealBuildTool compiles a module (C++20, no exceptions, no
/// RTTI, each `.cpp` alone and all as one unity file), against the engine stand-in in
/// `tests/unreal/engine` (see its README for what it models), with g++ and clang++.
fn unreal_plugin_suites(suites: &mut Suites, toolchain: &Toolchain, out: &Path) {
    let module = "bindings/unreal/GameGate/Source/GameGate";
    let dir = out.join("unreal");
    let sources: Vec<String> = std::fs::read_dir(root().join(module).join("Private"))
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "cpp")).map(|p| p.display().to_string()).collect())
        .unwrap_or_default();
    let unity = dir.join("Module.GameGate.cpp");
    let unity_text: String = sources.iter().map(|source| format!("#include \"{source}\"\n")).collect();
    let prepared = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&unity, unity_text)).map_err(|e| e.to_string());
    let host_cpp = toolchain.cpp_path().display().to_string();
    for (label, compiler) in [("g++", host_cpp.as_str()), ("clang++", "clang++")] {
        let name = format!("unreal plugin against the engine stand-in, each file and unity ({label})");
        let result = prepared.clone().and_then(|()| {
            if sources.is_empty() {
                return Err(format!("no sources under {module}/Private"));
            }
            for (index, source) in sources.iter().chain(std::iter::once(&unity.display().to_string())).enumerate() {
                let mut command = Command::new(compiler);
                command.current_dir(root()).args(["-std=c++20", "-fno-exceptions", "-fno-rtti", "-Wall", "-Wextra", "-Werror"]);
                command.args(["-Itests/unreal", "-Itests/unreal/engine", "-Itests/unreal/engine/generated", "-Iinclude"]);
                command.arg(format!("-I{module}/Public")).arg("-c").arg(source).arg("-o").arg(dir.join(format!("{label}-{index}.o")));
                run(&mut command)?;
            }
            Ok(())
        });
        suites.record(name, result);
    }
}

/// The sanitizer build needs an explicit target so build scripts stay uninstrumented.
fn host_target() -> &'static str {
    if cfg!(all(target_arch = "x86_64", target_os = "linux")) {
        "x86_64-unknown-linux-gnu"
    } else if cfg!(all(target_arch = "aarch64", target_os = "linux")) {
        "aarch64-unknown-linux-gnu"
    } else {
        "x86_64-apple-darwin"
    }
}

/// The suites that test the C ABI and the C++ wrapper: on this machine, and on every platform
/// of the cross suites.
const NATIVE_SUITES: [(&str, &str); 11] = [
    ("c kgen", "tests/c/test_kgen.c"),
    ("c elixir", "tests/c/test_elixir.c"),
    ("c faults and tls", "tests/c/test_faults.c"),
    ("c stress", "tests/c/test_stress.c"),
    ("c secrets", "tests/c/test_secrets.c"),
    ("c elixir server", "tests/c/test_server.c"),
    ("c app life (idle limit, resume, offline, Retry-After)", "tests/c/test_app_life.c"),
    ("c credential store (the game's own; restore, write, erase)", "tests/c/test_store.c"),
    ("c metrics (once per request, timings, no secret in the path)", "tests/c/test_metrics.c"),
    ("c trust (a root only the OS store holds)", "tests/c/test_trust.c"),
    ("c++ wrapper", "tests/cpp/test_cpp.cpp"),
];

const FUZZ_TARGETS: [&str; 5] = ["kgen_session", "elixir_response", "go_time", "option_setters", "http_response"];

/// Sanitizers on the Rust side and cargo-fuzz need the nightly toolchain; the shipped build never does.
fn have_nightly() -> bool {
    let nightly = Command::new("cargo").args(["+nightly", "--version"]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    nightly.is_ok_and(|s| s.success())
}

fn can_fuzz() -> bool {
    have_nightly() && have("cargo-fuzz")
}

/// Runs every fuzz target for `seconds`; a finding fails. New inputs go into the committed
/// corpus only when `grow_corpus` (`cargo xtask fuzz`), so the test command leaves the tree clean.
fn fuzz(seconds: u32, grow_corpus: bool) -> Result {
    if !can_fuzz() {
        return Err("needs the nightly toolchain and cargo-fuzz (cargo install cargo-fuzz)".into());
    }
    for target in FUZZ_TARGETS {
        let corpus = format!("fuzz/corpus/{target}");
        let scratch = root().join("target/fuzz-scratch").join(target);
        std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
        let mut command = Command::new("cargo");
        command.current_dir(root()).args(["+nightly", "fuzz", "run", target]);
        if grow_corpus {
            command.arg(&corpus);
        } else {
            command.arg(&scratch).arg(&corpus); // libFuzzer writes into the first directory
        }
        command.arg("--");
        command.arg(format!("-max_total_time={seconds}")).arg("-max_len=4096").arg("-print_final_stats=1");
        run(&mut command).map_err(|e| format!("fuzz target {target} found a failing input (see fuzz/artifacts/{target}/): {e}"))?;
    }
    Ok(())
}

fn test() -> Result {
    let in_ci = std::env::var_os("CI").is_some();
    let mut suites = Suites { passed: vec![], failed: vec![] };

    suites.record("rust (unit, integration, header freshness)", run(cargo().args(["test", "--workspace"])));

    let bin_dir = build_native()?;
    let out = root().join("target").join("c");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    suites.record("c abi: the baseline's items kept, additions only with a newer version (abi/gamegate-abi.txt)", abi::check(&bin_dir));
    suites.record("c api reference: doxygen finds every public item documented", docs::c_reference());
    suites.record("docs: every relative link in README.md and docs/ resolves", docs::links());
    suites.record("c# api reference: an XML doc on every public member of the Unity runtime", docs::csharp_reference());
    let emulator = EmulatorProcess::start(&bin_dir, false)?;
    // Read by the kgen suite (plain HTTP to a LAN host) on every platform; children inherit it.
    std::env::set_var("GAMEGATE_EMULATOR_LAN_URL", emulator.lan_url()?);
    let toolchain = Toolchain::host()?;
    // Each native suite runs three ways: plainly; under valgrind (a memory error or a definite
    // leak fails); and built with AddressSanitizer + UndefinedBehaviorSanitizer (with
    // LeakSanitizer), which also watches the library's heap through malloc.
    for (name, source) in NATIVE_SUITES {
        native_suite(&mut suites, &toolchain, name, source, &bin_dir, &out, &emulator.url, in_ci);
    }

    suites.record("docs: every C, C++ and C# block compiles (-Werror), the README's C program runs", docs::code_blocks(&toolchain, &bin_dir, &emulator.url));

    // The OS credential store, with a real keyring and with none (the store suite's binary).
    os_store::suites(&mut suites, &out.join("test_store"), &emulator.url);

    // Through real HTTP proxies (tinyproxy) in front of the emulator.
    // They run until the C# suite, which sends through the open one too, has finished.
    let proxies = proxies::start();
    match &proxies {
        Ok(running) => {
            for (variable, url) in &running.urls {
                std::env::set_var(variable, url);
            }
            native_suite(&mut suites, &toolchain, "c proxy (tinyproxy)", "tests/c/test_proxy.c", &bin_dir, &out, &emulator.url, in_ci);
        }
        Err(message) => suites.record("c proxy (tinyproxy)", Err(message.clone())),
    }

    // Examples are built and run here so none can rot.
    let server_key = root().join("emulator/keys/elixir-server-test-key.pem").display().to_string();
    for (name, source, flags, args) in [
        ("example: c demo", "examples/c/demo.c", &[][..], vec![]),
        ("example: c kgen batch (worker mode)", "examples/c/kgen_batch.c", &[][..], vec!["500".to_string()]),
        ("example: c elixir server (signed score submission)", "examples/c/elixir_server.c", &[][..], vec![server_key.clone()]),
        ("example: c++ elixir sign-in (futures)", "examples/cpp/elixir_signin.cpp", &[][..], vec![]),
        // Built without exceptions, as Unreal Engine builds C++: the wrapper must not need them.
        ("example: c++ sign-in built with -fno-exceptions", "examples/cpp/elixir_signin.cpp", &["-fno-exceptions"][..], vec![]),
    ] {
        let stem = Path::new(source).file_stem().expect("a file name").to_string_lossy().to_string();
        let binary = out.join(format!("{stem}{}", flags.concat()));
        let compiled = toolchain.compile(&[source], &binary, &bin_dir, flags);
        suites.record(name, compiled.and_then(|()| run(Command::new(&binary).args(args).env("GAMEGATE_EMULATOR_URL", &emulator.url))));
    }
    unity::csharp_suites(&mut suites, &toolchain, &bin_dir, &emulator.url, in_ci);
    drop(proxies);
    unreal_macro_suites(&mut suites, &toolchain, &bin_dir, &out);
    unreal_plugin_suites(&mut suites, &toolchain, &out);
    // The same suites built for the platforms games and servers ship on, run under wine and
    // qemu-user against the emulator on this machine.
    for platform in cross::PLATFORMS {
        cross::suites(&mut suites, &platform, &emulator.url);
    }
    suites.record("elixir server signature: openssl signs the known answer the library signs", openssl_known_answer());
    for (triple, zig_target) in typecheck::TARGETS {
        suites.record(format!("type-checked for {triple} (cargo check; not linked here)"), typecheck::check(triple, zig_target));
    }
    suites.record("android: the verifier's Kotlin component named at Cargo.lock's version (Unreal APL, Unity EDM4U)", typecheck::android_component_pinned());
    // The release artifacts, built and read back, and consumed by CMake and pkg-config.
    suites.record("third-party licenses on the allow-list, every shipped target", licenses::check());
    dist::suites(&mut suites, &emulator.url);
    drop(emulator);
    suites.record("release workflow: valid against GitHub's workflow schema", workflow::schema());
    suites.record("release workflow: its xtask steps exist, its packaging step run on this machine's dist", workflow::steps_and_packaging());

    // The library's own unit tests with AddressSanitizer on the Rust side (nightly only).
    if have_nightly() {
        // The rustup proxy (not $CARGO, which is stable's own binary) understands +nightly.
        let mut command = Command::new("cargo");
        command
            .current_dir(root())
            .args(["+nightly", "test", "--quiet", "--lib", "-p", "gamegate", "--target", host_target()])
            .env("RUSTFLAGS", "-Zsanitizer=address")
            .env("CARGO_TARGET_DIR", root().join("target/rust-asan"));
        suites.record("rust unit tests under asan (nightly)", run(&mut command));
    }

    // The corpus replays on stable in the Rust suite above; fresh fuzzing needs nightly.
    if can_fuzz() {
        suites.record("fuzzing (15 s per target)", fuzz(15, false));
    } else {
        eprintln!("note: no nightly toolchain or cargo-fuzz here; skipping the fuzz run (the committed corpus still runs)");
    }

    suites.finish()
}

/// `cargo xtask dist --check`: the artifacts, their checks and the CMake/pkg-config consumers.
fn dist_checked() -> Result {
    let bin_dir = build_native()?;
    let emulator = EmulatorProcess::start(&bin_dir, false)?;
    let mut suites = Suites { passed: vec![], failed: vec![] };
    suites.record("third-party licenses on the allow-list, every shipped target", licenses::check());
    dist::suites(&mut suites, &emulator.url);
    suites.finish()
}

/// The known answer of signed server calls, made again by openssl: the library's unit test
/// signs the same message with the same key and must produce these bytes, so neither the
/// library nor the emulator (which verifies with ring too) can agree with itself on a mistake.
fn openssl_known_answer() -> Result {
    let keys = root().join("emulator/keys");
    let signed = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(keys.join("elixir-server-test-key.pem"))
        .arg(keys.join("known-answer-message.txt"))
        .output()
        .map_err(|e| format!("openssl: {e} (apt-get install openssl)"))?;
    if !signed.status.success() {
        return Err(format!("openssl dgst failed: {}", String::from_utf8_lossy(&signed.stderr)));
    }
    let hex: String = signed.stdout.iter().map(|b| format!("{b:02x}")).collect();
    let committed = std::fs::read_to_string(keys.join("known-answer-signature.hex")).map_err(|e| e.to_string())?;
    if hex != committed.trim() {
        return Err("openssl's RSA-SHA256 signature differs from emulator/keys/known-answer-signature.hex".into());
    }
    Ok(())
}

/// The C# suites alone (`cargo xtask csharp`), for work on the Unity binding.
fn csharp_only() -> Result {
    let bin_dir = build_native()?;
    let emulator = EmulatorProcess::start(&bin_dir, false)?;
    let mut suites = Suites { passed: vec![], failed: vec![] };
    unity::csharp_suites(&mut suites, &Toolchain::host()?, &bin_dir, &emulator.url, true);
    suites.finish()
}

/// The cross suites alone (`cargo xtask cross`), for work on a platform.
fn cross_only() -> Result {
    let bin_dir = build_native()?;
    let emulator = EmulatorProcess::start(&bin_dir, false)?;
    let mut suites = Suites { passed: vec![], failed: vec![] };
    for platform in cross::PLATFORMS {
        cross::suites(&mut suites, &platform, &emulator.url);
    }
    suites.finish()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_plugin_meta_says_its_enabled_targets_and_cpus() {
        let linux = std::fs::read_to_string(super::root().join("bindings/unity/Plugins/Linux/x86_64/libgamegate.so.meta")).unwrap();
        assert_eq!(super::unity::enabled_targets(&linux), "Editor/x86_64, Linux64/x86_64");
        let armv7 = std::fs::read_to_string(super::root().join("bindings/unity/Plugins/Android/armeabi-v7a/libgamegate.so.meta")).unwrap();
        assert_eq!(super::unity::enabled_targets(&armv7), "Android/ARMv7");
        assert_eq!(super::unity::enabled_targets(&armv7.replace("CPU: ARMv7", "CPU: ARM64")), "Android/ARM64");
    }

    #[test]
    fn the_unity_package_metadata_is_complete_and_matches_its_table() {
        super::unity::unity_metadata_is_complete().unwrap();
    }
}
