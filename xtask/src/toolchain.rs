//! The C and C++ compilers for one target, found the way Rust build scripts find them (the
//! `cc` crate: CC/CXX and their per-target variants, else the target's usual cross prefix),
//! and the one way every C suite, example and helper is compiled against GameGate.

use crate::{root, run, Result};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Toolchain {
    pub triple: String,
    c: Compiler,
    cpp: Compiler,
}

/// A compiler and the target flags the `cc` crate chose for it.
struct Compiler {
    path: PathBuf,
    args: Vec<OsString>,
}

impl Toolchain {
    pub fn host() -> Result<Toolchain> {
        Toolchain::for_target(crate::host_target())
    }

    pub fn for_target(triple: &str) -> Result<Toolchain> {
        let windows = triple.contains("windows");
        let find = |cpp: bool| {
            let tool = cc::Build::new()
                .target(triple)
                .host(crate::host_target())
                .opt_level(0)
                .debug(true)
                .cargo_metadata(false)
                .cpp(cpp)
                .try_get_compiler()
                .map_err(|e| format!("no {} compiler for {triple}: {e}", if cpp { "C++" } else { "C" }))?;
            let mut path = tool.path().to_path_buf();
            // mingw-w64's default compilers use win32 threads, whose libstdc++ has no
            // std::mutex or std::thread; the -posix ones have both.
            let posix = PathBuf::from(format!("{}-posix", path.display()));
            if windows && works(&posix) {
                path = posix;
            }
            Ok::<_, String>(Compiler { path, args: tool.args().to_vec() })
        };
        Ok(Toolchain { triple: triple.to_string(), c: find(false)?, cpp: find(true)? })
    }

    /// The same toolchain with another C++ compiler (clang++ beside g++, say).
    pub fn with_cpp_compiler(&self, compiler: &str) -> Toolchain {
        let c = Compiler { path: self.c.path.clone(), args: self.c.args.clone() };
        Toolchain { triple: self.triple.clone(), c, cpp: Compiler { path: PathBuf::from(compiler), args: self.cpp.args.clone() } }
    }

    pub fn is_windows(&self) -> bool {
        self.triple.contains("windows")
    }

    /// The C compiler's path (also the linker for Rust's cross builds).
    pub fn c_path(&self) -> &Path {
        &self.c.path
    }

    /// The C compiler with the target's flags, for builds other than test programs.
    pub fn c_command(&self) -> Command {
        let mut command = Command::new(&self.c.path);
        command.current_dir(root()).args(&self.c.args);
        command
    }

    /// The C++ compiler's path (to ask it where its runtime DLLs are).
    pub fn cpp_path(&self) -> &Path {
        &self.cpp.path
    }

    /// The compiler is present (a cross compiler may not be installed).
    pub fn check(&self) -> Result {
        for compiler in [&self.c, &self.cpp] {
            if !works(&compiler.path) {
                return Err(format!("{} is not installed", compiler.path.display()));
            }
        }
        Ok(())
    }

    /// Compiles C (`.c`) or C++17 (`.cpp`) sources against the header and the library in
    /// `lib_dir`, warnings as errors; `extra` flags go last.
    pub fn compile(&self, sources: &[&str], output: &Path, lib_dir: &Path, extra: &[&str]) -> Result {
        let mut command = self.compiler_for(sources);
        command.args(sources).arg("-o").arg(output);
        command.arg(format!("-L{}", lib_dir.display())).arg("-lgamegate").arg("-lpthread");
        if !self.is_windows() {
            command.arg(format!("-Wl,-rpath,{}", lib_dir.display()));
        } else {
            command.arg("-lcrypt32"); // the trust suite puts a CA into the ROOT store
        }
        command.args(extra);
        run(&mut command)
    }
}

impl Toolchain {
    /// Compiles one source to an object file (no link), with the same flags as `compile`.
    pub fn compile_object(&self, source: &Path, output: &Path, extra: &[&str]) -> Result {
        let source = source.to_string_lossy().to_string();
        let mut command = self.compiler_for(&[&source]);
        command.arg("-c").arg(&source).arg("-o").arg(output).args(extra);
        run(&mut command)
    }

    /// The C or C++ compiler (by the first source's extension) with the suites' flags.
    fn compiler_for(&self, sources: &[&str]) -> Command {
        let cpp = sources.first().is_some_and(|s| s.ends_with(".cpp"));
        let tool = if cpp { &self.cpp } else { &self.c };
        let mut command = Command::new(&tool.path);
        command.current_dir(root()).args(&tool.args);
        command.arg(if cpp { "-std=c++17" } else { "-std=c11" });
        command.args(["-Wall", "-Wextra", "-Werror", "-pedantic", "-g", "-Iinclude", "-Itests/c"]);
        command
    }
}

fn works(compiler: &Path) -> bool {
    Command::new(compiler).arg("--version").output().is_ok_and(|o| o.status.success())
}
