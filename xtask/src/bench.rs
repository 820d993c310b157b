//! `cargo xtask bench`: GameGate against libcurl and wrk on the same nginx endpoint, over HTTP
//! and HTTPS, plus the micro-figures and sizes. Prints one table and writes
//! target/bench/results.json. Timings are measured here, never asserted in tests.

use super::{have, root, run, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const REQUESTS: &str = "20000";
const CONCURRENCY: [u32; 3] = [1, 8, 64];
/// Worker and event-driven runs are short and noisy on a shared machine: the median of these.
const REPEATS: usize = 3;
const METRICS_REPEATS: usize = 5;

struct Nginx {
    child: Child,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn install_missing_tools() -> Result {
    let mut need = Vec::new();
    for (tool, package) in [("nginx", "nginx"), ("wrk", "wrk"), ("curl-config", "libcurl4-openssl-dev"), ("openssl", "openssl"), ("strace", "strace")] {
        if !have(tool) {
            need.push(package);
        }
    }
    if need.is_empty() {
        return Ok(());
    }
    println!("bench: installing {}", need.join(" "));
    let sudo = if Command::new("id").arg("-u").output().map(|o| o.stdout == b"0\n").unwrap_or(false) { vec![] } else { vec!["sudo"] };
    let apt = |args: &[&str]| {
        let mut command = Command::new(sudo.first().copied().unwrap_or("apt-get"));
        if !sudo.is_empty() {
            command.arg("apt-get");
        }
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut command)
    };
    apt(&["update", "-qq"])?;
    apt(&[&["install", "-y", "-qq"][..], &need].concat())
}

fn sh(dir: &Path, script: &str) -> Result {
    run(Command::new("sh").arg("-c").arg(script).current_dir(dir).stdout(Stdio::null()).stderr(Stdio::null()))
}

/// A CA and a certificate for localhost, made on the spot.
fn make_certificates(dir: &Path) -> Result {
    sh(
        dir,
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 \
           -subj '/CN=gamegate bench CA' -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign && \
         openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj '/CN=localhost' && \
         printf 'subjectAltName=DNS:localhost\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > ext.cnf && \
         openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf",
    )
}

pub(crate) fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// nginx serving the fixed KGeN session response (bench/kgen_session.json) on both ports.
fn start_nginx(dir: &Path, http_port: u16, https_port: u16) -> Result<Nginx> {
    let body = std::fs::read_to_string(root().join("bench/kgen_session.json")).map_err(|e| e.to_string())?;
    let d = dir.display();
    std::fs::create_dir_all(dir.join("tmp")).map_err(|e| e.to_string())?;
    let config = format!(
        "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nworker_processes 1;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n  access_log off;\n  keepalive_requests 10000000;\n  keepalive_timeout 60s;\n\
           client_body_temp_path {d}/tmp;\n  proxy_temp_path {d}/tmp;\n  fastcgi_temp_path {d}/tmp;\n  uwsgi_temp_path {d}/tmp;\n  scgi_temp_path {d}/tmp;\n\
           server {{\n    listen 127.0.0.1:{http_port};\n    listen 127.0.0.1:{https_port} ssl;\n\
             ssl_certificate {d}/server.pem;\n    ssl_certificate_key {d}/server.key;\n\
             ssl_protocols TLSv1.2 TLSv1.3;\n\
             location / {{ default_type application/json; return 200 '{}'; }}\n  }}\n}}\n",
        body.trim()
    );
    std::fs::write(dir.join("nginx.conf"), config).map_err(|e| e.to_string())?;
    let child = Command::new("nginx")
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start nginx: {e}"))?;
    let nginx = Nginx { child };
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", https_port)).is_ok() && std::net::TcpStream::connect(("127.0.0.1", http_port)).is_ok() {
            return Ok(nginx);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Err("nginx did not start listening".into())
}

/// Builds a bench program with this machine's C compiler (found as the test suites find it),
/// optimised: the later -O2 wins over the toolchain's debug flags.
fn compile(out: &Path, name: &str, args: &[&str]) -> Result {
    let mut command = crate::toolchain::Toolchain::host()?.c_command();
    command.args(["-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-Iinclude"]).args(args).arg("-o").arg(out.join(name));
    run(&mut command)
}

/// The numbers of one run: requests/s, p50 and p99 latency in microseconds, and CPU time per
/// request: the whole process's, and for GameGate its I/O thread's alone (NaN: not measured).
#[derive(Clone, Copy, Default)]
struct Figures {
    rps: f64,
    p50_us: f64,
    p99_us: f64,
    cpu_us_per_request: f64,
    io_cpu_us_per_request: f64,
}

fn number(json: &str, key: &str) -> f64 {
    let pattern = format!("\"{key}\":");
    json.find(&pattern)
        .map(|at| &json[at + pattern.len()..])
        .and_then(|rest| rest.split([',', '}']).next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(f64::NAN)
}

fn run_program(command: &mut Command) -> Result<String> {
    // `cargo run` puts target/debug/deps on LD_LIBRARY_PATH, which beats the programs' rpath:
    // without this the benchmarks would load the debug build of the library.
    command.env("LD_LIBRARY_PATH", root().join("target/release"));
    let output = command.output().map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!("{command:?} failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn figures_of(json: &str) -> Figures {
    Figures {
        rps: number(json, "rps"),
        p50_us: number(json, "p50_us"),
        p99_us: number(json, "p99_us"),
        cpu_us_per_request: number(json, "cpu_us_per_request"),
        io_cpu_us_per_request: number(json, "io_cpu_us_per_request"),
    }
}

/// The run with the median throughput of `repeats`.
fn median_of(repeats: usize, mut one: impl FnMut() -> Result<Figures>) -> Result<Figures> {
    let mut runs = (0..repeats).map(|_| one()).collect::<Result<Vec<_>>>()?;
    runs.sort_by(|a, b| a.rps.total_cmp(&b.rps));
    Ok(runs[runs.len() / 2])
}

/// wrk's best run: 1 thread and (from 2 connections) 2 threads are both tried, since on a
/// 2-core machine wrk's second thread fights nginx for a core and can lower the ceiling.
fn wrk_best(url: &str, connections: u32, script: &Path) -> Result<(Figures, u32)> {
    let mut best = (wrk(url, connections, 1, script)?, 1);
    if connections >= 2 {
        let two = wrk(url, connections, 2, script)?;
        if two.rps > best.0.rps {
            best = (two, 2);
        }
    }
    Ok(best)
}

/// One wrk run; its CPU time comes from the shell's `times` (the children's user + system).
fn wrk(url: &str, connections: u32, threads: u32, script: &Path) -> Result<Figures> {
    let command = format!(
        "wrk -t {threads} -c {connections} -d 4s --latency -s '{}' '{url}/s2s/session/' && times",
        script.display()
    );
    let text = run_program(Command::new("bash").args(["-c", &command]))?;
    let duration_us = |value: &str| -> f64 {
        let (number, unit) = value.split_at(value.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(value.len()));
        let n: f64 = number.parse().unwrap_or(f64::NAN);
        match unit {
            "us" => n,
            "ms" => n * 1e3,
            "s" => n * 1e6,
            _ => f64::NAN,
        }
    };
    // `times` prints "0m1.234s 0m0.567s": minutes and seconds.
    let clock_us = |value: &str| -> f64 {
        let (minutes, seconds) = value.trim_end_matches('s').split_once('m').unwrap_or(("0", "nan"));
        (minutes.parse::<f64>().unwrap_or(f64::NAN) * 60.0 + seconds.parse::<f64>().unwrap_or(f64::NAN)) * 1e6
    };
    let mut figures = Figures::default();
    let mut requests = f64::NAN;
    let mut cpu_us = f64::NAN;
    for line in text.lines().map(str::trim) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["Requests/sec:", value] => figures.rps = value.parse().unwrap_or(f64::NAN),
            ["50.000%", value] | ["50%", value] => figures.p50_us = duration_us(value),
            ["99.000%", value] | ["99%", value] => figures.p99_us = duration_us(value),
            [count, "requests", "in", ..] => requests = count.parse().unwrap_or(f64::NAN),
            [user, system] if user.ends_with('s') && user.contains('m') => cpu_us = clock_us(user) + clock_us(system),
            _ => {}
        }
    }
    figures.cpu_us_per_request = cpu_us / requests;
    Ok(figures)
}

struct Row {
    protocol: &'static str,
    concurrency: u32,
    gamegate_worker: Figures,
    gamegate_tick: Figures,
    curl_event: Figures,
    curl_tick: Figures,
    wrk: Figures,
    /// The wrk threads of the best run (1 or 2).
    wrk_threads: u32,
}

pub fn bench() -> Result {
    install_missing_tools()?;
    run(super::cargo().args(["build", "--release", "-p", "gamegate"]))?;
    let release = root().join("target/release");
    let out = root().join("target/bench");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let link_gamegate = [format!("-L{}", release.display()), "-lgamegate".into(), "-lpthread".into(), "-ldl".into(), format!("-Wl,-rpath,{}", release.display())];
    let link: Vec<&str> = link_gamegate.iter().map(String::as_str).collect();
    compile(&out, "bench_gamegate", &[&["bench/bench_gamegate.c"][..], &link].concat())?;
    compile(&out, "bench_micro", &[&["bench/bench_micro.c"][..], &link].concat())?;
    compile(&out, "bench_curl", &["bench/bench_curl.c", "-lcurl"])?;
    compile(&out, "first_call", &[&["-DFIRST_CALL_CURL", "bench/first_call.c"][..], &link, &["-lcurl"]].concat())?;
    compile(&out, "alloc_count.so", &["-shared", "-fPIC", "bench/alloc_count.c"])?;
    let staticlib = release.join("libgamegate.a").display().to_string();
    compile(&out, "static_size", &["-Os", "bench/static_size.c", "-Wl,--gc-sections", &staticlib, "-lpthread", "-ldl", "-lm"])?;
    run(Command::new("strip").arg(out.join("static_size")))?;

    make_certificates(&out)?;
    let (http_port, https_port) = (free_port()?, free_port()?);
    let _nginx = start_nginx(&out, http_port, https_port)?;
    let script = out.join("post.lua");
    std::fs::write(
        &script,
        "wrk.method = \"POST\"\nwrk.body = '{\"user_id\":\"bench-player\"}'\nwrk.headers[\"content-type\"] = \"application/json\"\n\
         wrk.headers[\"x-client-id\"] = \"bench-client\"\nwrk.headers[\"x-client-secret\"] = \"bench-secret\"\n",
    )
    .map_err(|e| e.to_string())?;

    // GameGate drives all of a client's connections from one I/O thread; like libcurl and wrk
    // it gets one connection per request in flight (worker_threads = concurrency).
    let ca = out.join("ca.pem");
    let mut rows = Vec::new();
    for (protocol, url) in [("http", format!("http://127.0.0.1:{http_port}")), ("https", format!("https://localhost:{https_port}"))] {
        for concurrency in CONCURRENCY {
            let c = concurrency.to_string();
            let tls_args: Vec<PathBuf> = if protocol == "https" { vec![ca.clone()] } else { vec![] };
            let gamegate = |mode: &str| {
                run_program(
                    Command::new(out.join("bench_gamegate"))
                        .args([mode, &c, REQUESTS, &url])
                        .args(&tls_args),
                )
                .map(|j| figures_of(&j))
            };
            let curl = |mode: &str| {
                run_program(Command::new(out.join("bench_curl")).args([mode, &c, REQUESTS, &url]).args(&tls_args)).map(|j| figures_of(&j))
            };
            println!("bench: {protocol} concurrency {concurrency}");
            let (wrk, wrk_threads) = wrk_best(&url, concurrency, &script)?;
            rows.push(Row {
                protocol,
                concurrency,
                gamegate_worker: median_of(REPEATS, || gamegate("worker"))?,
                curl_event: median_of(REPEATS, || curl("event"))?,
                gamegate_tick: gamegate("tick")?,
                curl_tick: curl("tick")?,
                wrk,
                wrk_threads,
            });
        }
    }

    // What the metrics callback costs: HTTP at 64 in flight, worker mode, without and with it,
    // alternated five times each in this run (process CPU per request; median of each, and the
    // spread of the runs without it: a cost inside that spread is noise).
    let http = format!("http://127.0.0.1:{http_port}");
    let (mut without, mut with) = (Vec::new(), Vec::new());
    for _ in 0..METRICS_REPEATS {
        for (sink, metrics) in [(&mut without, "0"), (&mut with, "1")] {
            let json = run_program(Command::new(out.join("bench_gamegate")).args(["worker", "64", REQUESTS, &http]).env("GG_BENCH_METRICS", metrics))?;
            sink.push(figures_of(&json).cpu_us_per_request);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let metrics_cost = (median(&mut without), median(&mut with));
    let spread = without.last().copied().unwrap_or_default() - without.first().copied().unwrap_or_default();
    println!("bench: metrics callback: {:.2} -> {:.2} process CPU us/request", metrics_cost.0, metrics_cost.1);

    let first = first_call(&out, &ca, https_port)?;
    let syscalls = syscalls_per_request(&out, &http)?;
    let elixir = elixir_flow(&out, &link)?;
    let micro = run_program(
        Command::new(out.join("bench_micro")).arg(format!("http://127.0.0.1:{http_port}")).env("LD_PRELOAD", out.join("alloc_count.so")),
    )?;
    let so_bytes = std::fs::metadata(release.join("libgamegate.so")).map(|m| m.len()).unwrap_or(0);
    let static_bytes = std::fs::metadata(out.join("static_size")).map(|m| m.len()).unwrap_or(0);

    let mut table = render(&rows, &micro, so_bytes, static_bytes);
    let cost = metrics_cost.1 - metrics_cost.0;
    table.push_str(&format!(
        "\n| metrics callback (HTTP 64, worker, median of {METRICS_REPEATS} alternated) | process CPU µs/req | target |\n|---|---|---|\n| without | {:.2} (runs spread over {spread:.2}) | |\n| with | {:.2} | |\n| cost | {cost:.2} | ≤ 0.3 µs: {} |\n",
        metrics_cost.0,
        metrics_cost.1,
        if cost.abs() < spread { "within this run's noise" } else { verdict(cost <= 0.3) }
    ));
    table.push_str(&first);
    table.push_str(&syscalls);
    table.push_str(&sizes_of_every_target()?);
    table.push_str(&render_elixir(&elixir));
    println!("\n{table}");
    std::fs::write(out.join("table.md"), &table).map_err(|e| e.to_string())?;
    std::fs::write(out.join("results.json"), results_json(&rows, &micro, so_bytes, static_bytes)).map_err(|e| e.to_string())?;
    println!("bench: raw figures in {}", out.join("results.json").display());
    Ok(())
}

fn render(rows: &[Row], micro: &str, so_bytes: u64, static_bytes: u64) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "| proto | conc | GameGate worker req/s | p50 / p99 µs | libcurl req/s | p50 / p99 µs | wrk req/s (threads) | GG/curl | GG/wrk | p99 GG/curl | CPU µs/req: GG I/O thread / GG process / libcurl / wrk | tick: GG / curl@1kHz req/s |");
    let _ = writeln!(t, "|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        let _ = writeln!(
            t,
            "| {} | {} | {:.0} | {:.0} / {:.0} | {:.0} | {:.0} / {:.0} | {:.0} ({}) | {:.2} | {:.2} | {:.2} | {:.1} / {:.1} / {:.1} / {:.1} | {:.0} / {:.0} |",
            r.protocol,
            r.concurrency,
            r.gamegate_worker.rps,
            r.gamegate_worker.p50_us,
            r.gamegate_worker.p99_us,
            r.curl_event.rps,
            r.curl_event.p50_us,
            r.curl_event.p99_us,
            r.wrk.rps,
            r.wrk_threads,
            r.gamegate_worker.rps / r.curl_event.rps,
            r.gamegate_worker.rps / r.wrk.rps,
            r.gamegate_worker.p99_us / r.curl_event.p99_us,
            r.gamegate_worker.io_cpu_us_per_request,
            r.gamegate_worker.cpu_us_per_request,
            r.curl_event.cpu_us_per_request,
            r.wrk.cpu_us_per_request,
            r.gamegate_tick.rps,
            r.curl_tick.rps,
        );
    }
    let tick_ns = number(micro, "empty_tick_ns");
    let growth = number(micro, "rss_growth_kib_100k");
    let _ = writeln!(t);
    let _ = writeln!(t, "| micro-figure | value | target |");
    let _ = writeln!(t, "|---|---|---|");
    let _ = writeln!(t, "| empty `kgen_client_tick` | {tick_ns:.1} ns | ≤ 50 ns: {} |", verdict(tick_ns <= 50.0));
    let _ = writeln!(t, "| per delivered callback | {:.0} ns | |", number(micro, "per_callback_ns"));
    let _ = writeln!(t, "| allocations per request (whole process) | {:.1} | |", number(micro, "allocations_per_request"));
    let _ = writeln!(t, "| resident memory growth over 100 000 requests | {growth:.0} KiB | ≤ 1 MB: {} |", verdict(growth <= 1000.0));
    // The budget with the session kept at rest and the OS trust store (2.0 MB before them).
    let _ = writeln!(t, "| stripped libgamegate.so | {so_bytes} bytes | ≤ 2.1 MB (2,100,000 bytes): {} |", verdict(so_bytes <= 2_100_000));
    let _ = writeln!(t, "| stripped C program linked with libgamegate.a, --gc-sections | {static_bytes} bytes | |");
    let http64 = rows.iter().find(|r| r.protocol == "http" && r.concurrency == 64);
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "Targets: throughput ≥ libcurl at every concurrency: {}; ≥ 80 % of wrk at 64 over HTTP: {}; p99 ≤ 1.2 × libcurl: {}. \
         GameGate: one I/O thread per client, one connection per request in flight.",
        verdict(rows.iter().all(|r| r.gamegate_worker.rps >= r.curl_event.rps)),
        verdict(http64.is_some_and(|r| r.gamegate_worker.rps >= 0.8 * r.wrk.rps)),
        verdict(rows.iter().all(|r| r.gamegate_worker.p99_us <= 1.2 * r.curl_event.p99_us)),
    );
    if let Some(r) = http64 {
        let (cpu, rps) = (r.gamegate_worker.cpu_us_per_request / r.wrk.cpu_us_per_request, r.gamegate_worker.rps / r.wrk.rps);
        let _ = writeln!(
            t,
            "At HTTP 64, against wrk in this run: process CPU per request {cpu:.2}× (target ≤ 1.6×: {}), throughput {rps:.2}× (target ≥ 0.65×: {}).",
            verdict(cpu <= 1.6),
            verdict(rps >= 0.65)
        );
    }
    t
}

/// The first answer over a 100 ms round trip (nginx's HTTPS through `delay.rs`): a new client's
/// first call, its second, and a prepared client's first, against libcurl's cold first call.
fn first_call(out: &Path, ca: &Path, https_port: u16) -> Result<String> {
    const RTT_MS: u64 = 100;
    let link = crate::delay::start(https_port, std::time::Duration::from_millis(RTT_MS / 2))?;
    let url = format!("https://localhost:{}", link.port);
    let ca = ca.display().to_string();
    let rtt = RTT_MS.to_string();
    println!("bench: first call over a {RTT_MS} ms round trip");
    let gamegate = run_program(Command::new(out.join("first_call")).args(["gamegate", &url, &ca, &rtt]))?;
    let curl = run_program(Command::new(out.join("first_call")).args(["curl", &url, &ca, &rtt]))?;
    let trips = |json: &str, key: &str| number(json, key) / (RTT_MS as f64 * 1000.0);
    let (cold, warm, prepared, curl_cold) = (trips(&gamegate, "cold_us"), trips(&gamegate, "warm_us"), trips(&gamegate, "prepared_us"), trips(&curl, "cold_us"));
    let mut t = String::new();
    let _ = writeln!(t);
    let _ = writeln!(t, "| first call, HTTPS over a {RTT_MS} ms round trip (best of 3; TCP's handshake not delayed here) | round trips | target |");
    let _ = writeln!(t, "|---|---|---|");
    let _ = writeln!(t, "| libcurl, a new handle's first call (the anchor) | {curl_cold:.2} | |");
    let _ = writeln!(t, "| GameGate, a new client's first call (cold) | {cold:.2} | ≤ 3.2: {} |", verdict(cold <= 3.2));
    let _ = writeln!(t, "| GameGate, the next call on the kept-alive connection (warm) | {warm:.2} | |");
    let _ = writeln!(t, "| GameGate, a new client's first call after `kgen_client_prepare` | {prepared:.2} | ≤ 1.1: {} |", verdict(prepared <= 1.1));
    Ok(t)
}

/// System calls per request of the GameGate process at HTTP 64 in flight (worker mode), as
/// strace counts them over every thread.
fn syscalls_per_request(out: &Path, http: &str) -> Result<String> {
    const N: u32 = 20_000;
    let counts = out.join("strace.txt");
    let mut command = Command::new("strace");
    command.args(["-f", "-c", "-o"]).arg(&counts).arg(out.join("bench_gamegate")).args(["worker", "64", &N.to_string(), http]);
    run_program(&mut command)?; // the release library, as for every other figure
    let text = std::fs::read_to_string(&counts).map_err(|e| e.to_string())?;
    let calls = |name: &str| -> f64 {
        text.lines()
            .find(|l| l.split_whitespace().last() == Some(name))
            .and_then(|l| {
                let fields: Vec<&str> = l.split_whitespace().collect();
                // % time, seconds, usecs/call, calls, [errors], syscall (the total line too)
                fields.get(3).and_then(|c| c.parse().ok())
            })
            .unwrap_or(0.0)
            / N as f64
    };
    let mut t = String::new();
    let _ = writeln!(t);
    let _ = writeln!(t, "| system calls per request (HTTP 64, worker, strace -f -c, {N} requests) | calls |");
    let _ = writeln!(t, "|---|---|");
    for name in ["recvfrom", "sendto", "epoll_wait", "futex", "write", "total"] {
        let _ = writeln!(t, "| {name} | {:.2} |", calls(name));
    }
    Ok(t)
}

/// The stripped size of the library for every target `cargo xtask dist` builds here.
fn sizes_of_every_target() -> Result<String> {
    crate::dist::dist()?;
    let dist = root().join("target/dist");
    let mut t = String::new();
    let _ = writeln!(t);
    let _ = writeln!(t, "| stripped library, per target (cargo xtask dist) | bytes | budget |");
    let _ = writeln!(t, "|---|---|---|");
    for (triple, file) in [
        ("x86_64-unknown-linux-gnu", "libgamegate.so"),
        ("aarch64-unknown-linux-gnu", "libgamegate.so"),
        ("x86_64-pc-windows-gnu", "gamegate.dll"),
        ("universal2-apple-darwin", "libgamegate.dylib"),
    ] {
        let bytes = std::fs::metadata(dist.join(triple).join("lib").join(file)).map(|m| m.len()).map_err(|e| format!("{triple}/{file}: {e}"))?;
        let budget = if triple == "x86_64-unknown-linux-gnu" { format!("≤ 2,100,000: {}", verdict(bytes <= 2_100_000)) } else { String::new() };
        let _ = writeln!(t, "| {triple} `{file}` | {bytes} | {budget} |");
    }
    Ok(t)
}

/// `bench/elixir_flow.c` against the release emulator: threads and memory per Elixir client,
/// and the latency of each step of a player's session.
fn elixir_flow(out: &Path, link: &[&str]) -> Result<String> {
    run(super::cargo().args(["build", "--release", "--quiet", "-p", "gamegate-emulator"]))?;
    compile(out, "elixir_flow", &[&["-Itests/c", "bench/elixir_flow.c"][..], link].concat())?;
    let emulator = super::EmulatorProcess::start(&root().join("target/release"), false)?;
    run_program(Command::new(out.join("elixir_flow")).arg(&emulator.url).arg("300"))
}

fn render_elixir(json: &str) -> String {
    let mut t = String::new();
    let _ = writeln!(t);
    let _ = writeln!(t, "| Elixir client (bench/elixir_flow.c, 300 flows) | value |");
    let _ = writeln!(t, "|---|---|");
    let _ = writeln!(
        t,
        "| library threads per client: tick / worker / tick + background refresh | {:.0} / {:.0} / {:.0} |",
        number(json, "threads_tick"),
        number(json, "threads_worker"),
        number(json, "threads_background")
    );
    let _ = writeln!(t, "| resident memory per idle client (100 clients) | {:.1} KiB |", number(json, "kib_per_client"));
    for step in ["otp_request", "otp_verify", "request", "refresh", "sign_out"] {
        let _ = writeln!(t, "| {step}: p50 / p99 | {:.0} / {:.0} µs |", number(json, &format!("{step}_p50_us")), number(json, &format!("{step}_p99_us")));
    }
    t
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}

fn results_json(rows: &[Row], micro: &str, so_bytes: u64, static_bytes: u64) -> String {
    let f = |x: &Figures| {
        format!(
            "{{\"rps\":{:.1},\"p50_us\":{:.1},\"p99_us\":{:.1},\"cpu_us_per_request\":{:.2},\"io_cpu_us_per_request\":{:.2}}}",
            x.rps, x.p50_us, x.p99_us, x.cpu_us_per_request, x.io_cpu_us_per_request
        )
    };
    let runs: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{{\"protocol\":\"{}\",\"concurrency\":{},\"wrk_threads\":{},\"gamegate_worker\":{},\"gamegate_tick_1khz\":{},\"libcurl_multi\":{},\"libcurl_multi_1khz\":{},\"wrk\":{}}}",
                r.protocol,
                r.concurrency,
                r.wrk_threads,
                f(&r.gamegate_worker),
                f(&r.gamegate_tick),
                f(&r.curl_event),
                f(&r.curl_tick),
                f(&r.wrk)
            )
        })
        .collect();
    format!(
        "{{\"requests_per_run\":{REQUESTS},\"gamegate_io_threads\":1,\"runs\":[{}],\"micro\":{micro},\"libgamegate_so_stripped_bytes\":{so_bytes},\"static_program_stripped_bytes\":{static_bytes}}}\n",
        runs.join(",")
    )
}
