//! The API references: the C header through doxygen (`cargo xtask docs`, HTML in
//! target/doc/c/html), and the checks that nothing public is left undocumented there or in the
//! Unity runtime's C# (XML docs, compiler warning CS1591).

use crate::{root, run, Result};
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
    c_reference()?;
    csharp_reference()?;
    println!("docs: target/doc/c/html/index.html (C), target/doc/csharp/GameGate.Runtime.xml (C#)");
    Ok(())
}
