//! The API references: the C header through doxygen (`cargo xtask docs`, HTML in
//! target/doc/c/html), and the checks that nothing public is left undocumented there or in the
//! Unity runtime's C# (XML docs, compiler warning CS1591).

use crate::toolchain::Toolchain;
use crate::{root, run, Result};
use std::path::Path;
use std::process::Command;

/// Builds the C reference; any doxygen warning (an undocumented item, a broken reference) fails.
pub fn c_reference() -> Result {
    let out = root().join("target/doc/c");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let mut doxygen = Command::new("doxygen");
    doxygen.current_dir(root()).arg("docs/Doxyfile");
    run(&mut doxygen).map_err(|e| format!("{e} (apt-get install doxygen)"))?;
    let warnings = std::fs::read_to_string(out.join("warnings.txt")).unwrap_or_default();
    if !warnings.trim().is_empty() {
        return Err(format!("doxygen over include/gamegate.h:\n{warnings}"));
    }
    Ok(())
}

/// The Unity runtime compiled with XML docs, a public member without one failing (CS1591).
pub fn csharp_reference() -> Result {
    let out = root().join("target/doc/csharp");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let mut mcs = Command::new("mcs");
    mcs.current_dir(root()).args(["-langversion:7.2", "-nologo", "-target:library", "-warnaserror:1591,1570,1572,1573,1574,1584"]);
    mcs.arg(format!("-out:{}", out.join("GameGate.Runtime.dll").display()));
    mcs.arg(format!("-doc:{}", out.join("GameGate.Runtime.xml").display()));
    mcs.arg("-recurse:bindings/unity/Runtime/*.cs");
    run(&mut mcs).map_err(|e| format!("a public member of the Unity runtime has no (or a broken) XML doc: {e}"))
}

pub fn build() -> Result {
    links()?;
    c_reference()?;
    csharp_reference()?;
    println!("docs: target/doc/c/html/index.html (C), target/doc/csharp/GameGate.Runtime.xml (C#)");
    Ok(())
}

/// One fenced block of C, C++ or C# in a Markdown file.
struct Block {
    place: String,
    lang: &'static str,
    code: String,
    /// Marked `<!-- snippet: in-function -->`: statements, compiled as a function's body.
    in_function: bool,
}

/// The Markdown a reader meets: the front door, the guides, the packages' own READMEs.
fn markdown_files() -> Vec<std::path::PathBuf> {
    let mut files = vec![root().join("README.md"), root().join("bindings/unity/README.md"), root().join("bindings/unreal/GameGate/README.md")];
    if let Ok(entries) = std::fs::read_dir(root().join("docs")) {
        let mut docs: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "md")).collect();
        docs.sort();
        files.extend(docs);
    }
    files
}

fn blocks(path: &Path) -> Result<Vec<Block>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path.strip_prefix(root()).unwrap_or(path).display().to_string();
    let (mut found, mut open, mut previous) = (Vec::new(), None::<Block>, String::new());
    for (index, line) in text.lines().enumerate() {
        if let Some(block) = open.as_mut() {
            if line.trim_start() == "```" {
                found.extend(open.take());
            } else {
                block.code.push_str(line);
                block.code.push('\n');
            }
            continue;
        }
        if let Some(info) = line.trim_start().strip_prefix("```") {
            let lang = match info.trim() {
                "c" => Some("c"),
                "cpp" | "c++" => Some("cpp"),
                "csharp" | "cs" | "c#" => Some("csharp"),
                _ => None,
            };
            let block = Block { place: format!("{name}:{}", index + 1), lang: lang.unwrap_or(""), code: String::new(), in_function: previous.trim() == "<!-- snippet: in-function -->" };
            // Other languages (sh, cmake) are read past, not compiled.
            open = Some(block);
        }
        if !line.trim().is_empty() {
            previous = line.to_string();
        }
    }
    Ok(found.into_iter().filter(|b| !b.lang.is_empty()).collect())
}

/// Every C, C++ and C# block of the docs compiled with warnings as errors; a C or C++ block with
/// a `main` also runs against the emulator.
pub fn code_blocks(toolchain: &Toolchain, bin_dir: &Path, emulator_url: &str) -> Result {
    let out = root().join("target/doc/snippets");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let mut all = Vec::new();
    for file in markdown_files() {
        if file.exists() {
            all.extend(blocks(&file)?);
        }
    }
    if all.is_empty() {
        return Err("no code block found in README.md or docs/".into());
    }
    let csharp = CSharpReferences::build(&out)?;
    let mut problems = Vec::new();
    for (index, block) in all.iter().enumerate() {
        let result = match block.lang {
            "csharp" => csharp.compile(block, &out.join(format!("snippet{index}"))),
            _ => native_block(toolchain, block, &out.join(format!("snippet{index}")), bin_dir, emulator_url),
        };
        if let Err(e) = result {
            problems.push(format!("{} ({}): {e}", block.place, block.lang));
        }
    }
    println!("docs: {} code blocks compiled ({} failed)", all.len(), problems.len());
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn native_block(toolchain: &Toolchain, block: &Block, stem: &Path, bin_dir: &Path, emulator_url: &str) -> Result {
    let cpp = block.lang == "cpp";
    let source = stem.with_extension(if cpp { "cpp" } else { "c" });
    let prelude = if cpp { "prelude.hpp" } else { "prelude.h" };
    let text = if block.in_function {
        format!("#include \"{prelude}\"\nvoid gg_doc_snippet(void);\nvoid gg_doc_snippet(void) {{\n{}}}\n", block.code)
    } else {
        block.code.clone()
    };
    std::fs::write(&source, text).map_err(|e| e.to_string())?;
    let path = source.to_string_lossy().to_string();
    if block.code.contains("int main(") {
        toolchain.compile(&[&path], stem, bin_dir, &["-Idocs/snippets"])?;
        return run(Command::new(stem).env("GAMEGATE_EMULATOR_URL", emulator_url));
    }
    toolchain.compile_object(&source, &stem.with_extension("o"), &["-Idocs/snippets"])
}

/// The Unity runtime and the UnityEngine stand-in, compiled once for the C# blocks.
struct CSharpReferences {
    runtime: std::path::PathBuf,
    engine: std::path::PathBuf,
}

impl CSharpReferences {
    fn build(out: &Path) -> Result<CSharpReferences> {
        let references = CSharpReferences { runtime: out.join("GameGate.Runtime.dll"), engine: out.join("UnityEngine.dll") };
        mcs(&["-target:library".into(), format!("-out:{}", references.engine.display()), "tests/unity/UnityEngine.cs".into()])?;
        mcs(&["-target:library".into(), format!("-out:{}", references.runtime.display()), "-recurse:bindings/unity/Runtime/*.cs".into()])?;
        Ok(references)
    }

    fn compile(&self, block: &Block, stem: &Path) -> Result {
        let source = stem.with_extension("cs");
        let text = if block.in_function {
            format!(
                "using System;\nusing System.Threading.Tasks;\nusing GameGate;\nusing UnityEngine;\nnamespace GameGate.DocSnippets\n{{\n    class Snippet : Prelude\n    {{\n        protected override async Task Run()\n        {{\n{}        }}\n    }}\n}}\n",
                block.code
            )
        } else {
            block.code.clone()
        };
        std::fs::write(&source, text).map_err(|e| e.to_string())?;
        mcs(&[
            "-target:library".into(),
            format!("-r:{}", self.runtime.display()),
            format!("-r:{}", self.engine.display()),
            format!("-out:{}", stem.with_extension("dll").display()),
            "docs/snippets/Prelude.cs".into(),
            source.display().to_string(),
        ])
    }
}

fn mcs(args: &[String]) -> Result {
    let mut command = Command::new("mcs");
    command.current_dir(root()).args(["-langversion:7.2", "-warnaserror", "-nologo"]).args(args);
    run(&mut command).map_err(|e| if e.contains("could not start") { format!("{e} (apt-get install mono-mcs)") } else { e })
}

/// Every relative link in the docs points at a file that exists.
pub fn links() -> Result {
    let mut broken = Vec::new();
    for file in markdown_files().into_iter().filter(|f| f.exists()) {
        let text = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
        // Prose only: a C++ lambda in a code block (`[](int x)`) is no link.
        let prose: String = text.split("```").step_by(2).collect::<Vec<_>>().join("\n");
        for target in prose.split("](").skip(1).filter_map(|rest| rest.split(')').next()) {
            let path = target.split('#').next().unwrap_or_default();
            if path.is_empty() || path.contains("://") || path.starts_with("mailto:") {
                continue;
            }
            if !file.parent().unwrap_or(&root()).join(path).exists() {
                broken.push(format!("{}: {target}", file.strip_prefix(root()).unwrap_or(&file).display()));
            }
        }
    }
    if broken.is_empty() {
        Ok(())
    } else {
        Err(format!("links to nothing:\n{}", broken.join("\n")))
    }
}
