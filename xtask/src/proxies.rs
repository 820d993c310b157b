//! Real HTTP proxies for the proxy suite (`tests/c/test_proxy.c`): three tinyproxy instances
//! on loopback, in front of the emulator. One is open, one wants Basic authentication, one
//! tunnels to port 443 only (so it refuses the emulator's port with 403). Stopped when dropped.

use crate::{have, root, Result};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What `tests/c/test_proxy.c` authenticates with (tinyproxy takes `[-a-z0-9._]` only).
const USER: &str = "gamegate-proxy-user";
const PASSWORD: &str = "proxy-secret.pass_42";

pub struct Proxies {
    children: Vec<Child>,
    /// `(variable, url)` for the suite's environment.
    pub urls: Vec<(&'static str, String)>,
}

impl Drop for Proxies {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

pub fn start() -> Result<Proxies> {
    if !have("tinyproxy") {
        return Err("tinyproxy is not installed (apt-get install tinyproxy)".into());
    }
    let dir = root().join("target/proxies");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut proxies = Proxies { children: Vec::new(), urls: Vec::new() };
    for (variable, name, extra) in [
        ("GAMEGATE_PROXY_URL", "open", String::new()),
        ("GAMEGATE_PROXY_AUTH_URL", "auth", format!("BasicAuth {USER} {PASSWORD}\n")),
        ("GAMEGATE_PROXY_DENY_URL", "deny", "ConnectPort 443\n".to_string()),
    ] {
        let port = crate::bench::free_port()?;
        let config = dir.join(format!("{name}.conf"));
        let text = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 60\nAllow 127.0.0.1\nMaxClients 64\nLogLevel Info\n\
             LogFile \"{log}\"\nPidFile \"{pid}\"\n{extra}",
            log = dir.join(format!("{name}.log")).display(),
            pid = dir.join(format!("{name}.pid")).display(),
        );
        std::fs::write(&config, text).map_err(|e| e.to_string())?;
        let child = Command::new("tinyproxy")
            .arg("-d")
            .arg("-c")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start tinyproxy: {e}"))?;
        proxies.children.push(child);
        wait_until_listening(port, &dir.join(format!("{name}.log")))?;
        proxies.urls.push((variable, format!("http://127.0.0.1:{port}")));
    }
    Ok(proxies)
}

/// tinyproxy has no readiness signal: its port accepting a connection is one.
fn wait_until_listening(port: u16, log: &Path) -> Result {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(format!("tinyproxy did not listen on port {port} within 10 s (see {})", log.display()))
}
