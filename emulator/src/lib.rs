//! gamegate-emulator: an offline stand-in for the KGeN and Elixir services on loopback, so
//! games can develop without credentials and GameGate's tests run against real HTTP.
//!
//! Development endpoints live under `/_emulator/` (never affected by injected faults):
//! - `GET  /_emulator/health`, `GET /_emulator/counters`
//! - `POST /_emulator/faults` `{"latency_ms":N, "status":N, "body":"..", "times":N, "path_prefix":"..", "retry_after":".."}`
//!   (`retry_after`: a `Retry-After` value sent with the faulted status, seconds or an HTTP date)
//! - `POST /_emulator/reset` (clears faults), `POST /_emulator/config` `{"token_life_ms":N}`
//! - `GET  /_emulator/elixir/otp?email=..` → `{"transactionId","code"}` (the code "e-mailed")
//! - `POST /_emulator/elixir/qr` `{"email":".."}` → `{"qrValue":"REIKEY:.."}`
//! - `POST /_emulator/elixir/expire` (every access token expires now)
//! - `GET  /_emulator/elixir/reikey?playerId=..` → `{"reikey"}` (as the launcher would pass it)
//! - `GET  /_emulator/elixir/device` → the device fields of the last OTP verify
//! - `GET  /_emulator/elixir/server-key[?which=other]` → `{"private_key_pem"}`: the test key
//!   signed server calls are verified with (or one the emulator does not know)
//! - `POST /_emulator/config` `{"clock_skew_ms":N}` shifts the clock signed calls are checked by
//! - `GET  /_emulator/tls` → `{"url","wrong_host_url","ca_pem","revocation_held_url"}`: the same
//!   services over HTTPS, whose certificate names the CA's revocation list (`GET /_emulator/crl`,
//!   empty); at `revocation_held_url` it names one (`GET /_emulator/crl-held`) answered only
//!   after 3 s, and then with 404
//!
//! Socket-level misbehaviour lives under `/_faults/<case>/` (see `socket_faults.rs`).

mod elixir;
mod exchange;
mod http_server;
mod signed;
mod socket_faults;
mod tls;
mod kgen;
mod util;

use exchange::{Exchange, Reply};
use socket_faults::{Outcome, SocketFault};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

pub const TEST_CLIENT_ID: &str = "gamegate-test-client";
pub const TEST_CLIENT_SECRET: &str = "gamegate-test-secret";
pub const TEST_API_KEY: &str = "gamegate-test-api-key";
pub const DEFAULT_TOKEN_LIFE_MS: i64 = 30_000_000_000;

#[derive(Clone, Debug)]
pub struct Config {
    /// Where plain HTTP listens: 127.0.0.1 by default; 0.0.0.0 (or a LAN address) lets a phone,
    /// an Android emulator (10.0.2.2) or a devkit reach it. HTTPS stays on loopback.
    pub host: std::net::IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub kgen_client_id: String,
    pub kgen_client_secret: String,
    pub elixir_api_key: String,
    pub token_life_ms: i64,
    /// Print OTP codes and requests on stdout.
    pub verbose: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: std::net::Ipv4Addr::LOCALHOST.into(),
            port: 0,
            kgen_client_id: TEST_CLIENT_ID.to_string(),
            kgen_client_secret: TEST_CLIENT_SECRET.to_string(),
            elixir_api_key: TEST_API_KEY.to_string(),
            token_life_ms: DEFAULT_TOKEN_LIFE_MS,
            verbose: false,
        }
    }
}

#[derive(Clone, Default)]
struct Fault {
    latency_ms: u64,
    status: u16,
    body: String,
    retry_after: Option<String>,
    /// Requests left to affect; `None` = every request until reset.
    remaining: Option<u64>,
    path_prefix: String,
}

struct State {
    kgen: kgen::Kgen,
    elixir: elixir::Elixir,
    fault: Option<Fault>,
    requests: u64,
    /// Every request that arrived, faulted or not (development endpoints aside): what a
    /// test counts to prove a request was sent once.
    arrivals: u64,
    /// Connections that carried a service request (the first request on each): how a test
    /// sees a pooled connection reused or a fresh one opened.
    connections: u64,
    /// Signed server calls (`/sdk/v2/game-stats`) being answered now (an injected latency holds
    /// them): a test that freed a client waits for its stragglers before it counts again.
    signed_in_flight: u64,
    verbose: bool,
    /// This emulator's own addresses, for redirects and `/_emulator/tls`.
    plain_url: String,
    https_port: u16,
    revocation_held_port: u16,
    ca_pem: String,
    /// The CA's revocation list (DER), served at `/_emulator/crl`.
    revocation_list: Vec<u8>,
}

/// A running emulator. Dropping it stops the servers.
pub struct Emulator {
    url: String,
    server: http_server::Server,
    _https: http_server::Server,
    _revocation_held: http_server::Server,
}

/// How long `/_emulator/crl-held` keeps an OS verifier waiting: past the 1 s timeout of the
/// test that uses it, short enough that the verifier's thread ends soon after.
const CRL_HELD_MS: u64 = 3000;

impl Emulator {
    pub fn start(config: Config) -> std::io::Result<Emulator> {
        let mut elixir = elixir::Elixir::new(&config.elixir_api_key, config.token_life_ms);
        elixir.echo_log = config.verbose;
        let ca = tls::TestCa::new()?;
        let state = Arc::new(Mutex::new(State {
            kgen: kgen::Kgen::new(&config.kgen_client_id, &config.kgen_client_secret),
            elixir,
            fault: None,
            requests: 0,
            arrivals: 0,
            connections: 0,
            signed_in_flight: 0,
            verbose: config.verbose,
            plain_url: String::new(),
            https_port: 0,
            revocation_held_port: 0,
            ca_pem: ca.pem(),
            revocation_list: ca.revocation_list()?,
        }));
        // Each connection has its own thread, so injected latency never delays other requests.
        let handler: http_server::Handler = {
            let state = state.clone();
            Arc::new(move |exchange: Exchange| respond(&state, &exchange))
        };
        let server = http_server::Server::start(config.host, config.port, handler.clone(), None)?;
        // Listening everywhere, the URL names loopback: the address this machine reaches it by.
        let shown = if config.host.is_unspecified() { std::net::Ipv4Addr::LOCALHOST.into() } else { config.host };
        let url = match shown {
            std::net::IpAddr::V6(v6) => format!("http://[{v6}]:{}", server.port()),
            v4 => format!("http://{v4}:{}", server.port()),
        };
        let loopback = std::net::Ipv4Addr::LOCALHOST.into();
        let https = http_server::Server::start(loopback, 0, handler.clone(), Some(ca.server_config(format!("{url}/_emulator/crl"), false)?))?;
        let held_list = ca.server_config(format!("{url}/_emulator/crl-held"), true)?;
        let revocation_held = http_server::Server::start(loopback, 0, handler, Some(held_list))?;
        {
            let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
            s.plain_url = url.clone();
            s.https_port = https.port();
            s.revocation_held_port = revocation_held.port();
        }
        Ok(Emulator { url, server, _https: https, _revocation_held: revocation_held })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Blocks until the process is killed.
    pub fn wait(self) {
        self.server.wait();
    }
}

/// Socket-level faults first, then the services.
fn respond(state: &Mutex<State>, ex: &Exchange) -> Outcome {
    if !ex.path.starts_with("/_emulator/") {
        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
        s.arrivals += 1;
        if ex.on_connection == 1 {
            s.connections += 1;
        }
    }
    let Some((case, rest)) = socket_faults::parse(&ex.path) else {
        return Outcome::Reply(route(state, ex));
    };
    let plain_url = state.lock().unwrap_or_else(|p| p.into_inner()).plain_url.clone();
    if let Some(reply) = socket_faults::http_reply(case, &plain_url) {
        return Outcome::Reply(reply);
    }
    let inner = || {
        let forwarded = Exchange { path: rest.clone(), ..ex.clone() };
        route(state, &forwarded)
    };
    Outcome::Socket(match case {
        "close-without-answer" => SocketFault::CloseWithoutAnswer,
        "reset-mid-headers" => SocketFault::ResetMidHeaders,
        "truncated-body" => SocketFault::TruncatedBody,
        "slow-headers" => SocketFault::SlowHeaders,
        "huge-body" => SocketFault::HugeBody,
        "chunked" => SocketFault::Chunked(inner()),
        "chunked-bare-lf" => SocketFault::ChunkedBareLineFeeds(inner()),
        "continue-with-fields" => SocketFault::InterimWithFields(inner()),
        "gzip" => SocketFault::Gzip(inner()),
        "trickle" => SocketFault::Trickle(inner()),
        "drop-reused" if ex.on_connection > 1 => SocketFault::CloseWithoutAnswer,
        "forget-idle" if ex.on_connection > 1 && ex.idle_before >= socket_faults::FORGET_IDLE_AFTER => SocketFault::Forgotten,
        "forget-idle" => return Outcome::Reply(inner()),
        "drop-reused" => return Outcome::Reply(inner()),
        other => return Outcome::Reply(Reply::not_found(&format!("/_faults/{other}"))),
    })
}

fn route(state: &Mutex<State>, ex: &Exchange) -> Reply {
    if ex.route() == "/_emulator/crl-held" {
        // Held outside the state's lock: only this connection waits.
        thread::sleep(Duration::from_millis(CRL_HELD_MS));
        return Reply::not_found("/_emulator/crl-held");
    }
    if ex.path.starts_with("/_emulator/") {
        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
        return control(&mut s, ex);
    }
    let fault = {
        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
        s.requests += 1;
        if s.verbose {
            println!("[gamegate-emulator] {} {}", ex.method, ex.path);
        }
        take_fault(&mut s, &ex.path)
    };
    struct Answered<'a>(&'a Mutex<State>, bool);
    impl Drop for Answered<'_> {
        fn drop(&mut self) {
            if self.1 {
                self.0.lock().unwrap_or_else(|p| p.into_inner()).signed_in_flight -= 1;
            }
        }
    }
    let signed = ex.path.starts_with("/sdk/v2/game-stats");
    if signed {
        state.lock().unwrap_or_else(|p| p.into_inner()).signed_in_flight += 1;
    }
    let _answered = Answered(state, signed);
    if let Some(fault) = &fault {
        if fault.latency_ms > 0 {
            thread::sleep(Duration::from_millis(fault.latency_ms));
        }
        if fault.status != 0 {
            let body = if fault.body.is_empty() { json!({"message": "fault injected by the emulator"}).to_string() } else { fault.body.clone() };
            let mut reply = Reply::raw(fault.status, body, "application/json");
            reply.retry_after = fault.retry_after.clone();
            return reply;
        }
    }
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    if ex.path.starts_with("/s2s/") {
        s.kgen.handle(ex)
    } else if ex.path.starts_with("/sdk/") {
        s.elixir.handle(ex)
    } else {
        Reply::not_found(&ex.path)
    }
}

fn take_fault(state: &mut State, path: &str) -> Option<Fault> {
    let fault = state.fault.as_mut()?;
    if !path.starts_with(&fault.path_prefix) {
        return None;
    }
    let taken = fault.clone();
    if let Some(left) = fault.remaining.as_mut() {
        *left = left.saturating_sub(1);
        if *left == 0 {
            state.fault = None;
        }
    }
    Some(taken)
}

fn control(s: &mut State, ex: &Exchange) -> Reply {
    let body = ex.json().unwrap_or_default();
    let ok = |v: Value| Reply::json(200, v);
    match (ex.method.as_str(), ex.route()) {
        ("GET", "/_emulator/health") => ok(json!({"ok": true})),
        ("GET", "/_emulator/crl") => Reply::raw(200, s.revocation_list.clone(), "application/pkix-crl"),
        ("GET", "/_emulator/tls") => ok(json!({
            "url": format!("https://localhost:{}", s.https_port),
            "wrong_host_url": format!("https://127.0.0.1:{}", s.https_port),
            "ca_pem": s.ca_pem,
            "revocation_held_url": format!("https://localhost:{}", s.revocation_held_port),
        })),
        ("GET", "/_emulator/counters") => {
            let c = s.elixir.counters;
            ok(json!({
                "requests": s.requests,
                "arrivals": s.arrivals,
                "connections": s.connections,
                "signed_in_flight": s.signed_in_flight,
                "kgen_sessions": s.kgen.sessions_created,
                "otp_requests": c.otp_requests,
                "otp_verifies": c.otp_verifies,
                "refreshes": c.refreshes,
                "signouts": c.signouts,
                "reikey_sign_ins": c.reikey_sign_ins,
                "authorized_calls": c.authorized_calls,
                "signed_calls": c.signed_calls,
                "signed_refusals": c.signed_refusals,
            }))
        }
        ("POST", "/_emulator/faults") => {
            let num = |k: &str| body.get(k).and_then(Value::as_u64).unwrap_or(0);
            let times = num("times");
            s.fault = Some(Fault {
                latency_ms: num("latency_ms"),
                status: num("status").min(599) as u16,
                body: body.get("body").and_then(Value::as_str).unwrap_or_default().to_string(),
                retry_after: body.get("retry_after").and_then(Value::as_str).map(str::to_string),
                remaining: (times > 0).then_some(times),
                path_prefix: body.get("path_prefix").and_then(Value::as_str).unwrap_or("/").to_string(),
            });
            ok(json!({"ok": true}))
        }
        ("POST", "/_emulator/reset") => {
            s.fault = None;
            ok(json!({"ok": true}))
        }
        ("POST", "/_emulator/config") => {
            if let Some(life) = body.get("token_life_ms").and_then(Value::as_i64) {
                s.elixir.token_life_ms = life.max(1);
            }
            if let Some(skew) = body.get("clock_skew_ms").and_then(Value::as_i64) {
                s.elixir.signatures.clock_skew_ms = skew;
            }
            ok(json!({"token_life_ms": s.elixir.token_life_ms, "clock_skew_ms": s.elixir.signatures.clock_skew_ms}))
        }
        ("GET", "/_emulator/elixir/otp") => {
            let email = ex.query_param("email").unwrap_or_default();
            match s.elixir.latest_code(&email) {
                Some((transaction_id, code)) => ok(json!({"transactionId": transaction_id, "code": code})),
                None => Reply::json(404, json!({"message": "no code was sent to that address"})),
            }
        }
        ("POST", "/_emulator/elixir/qr") => {
            let email = body.get("email").and_then(Value::as_str).unwrap_or("qr-player@example.com").to_string();
            ok(json!({"qrValue": s.elixir.issue_qr(&email)}))
        }
        ("POST", "/_emulator/elixir/expire") => {
            s.elixir.expire_access_tokens();
            ok(json!({"ok": true}))
        }
        ("GET", "/_emulator/elixir/reikey") => {
            let player = ex.query_param("playerId").unwrap_or_else(|| "launcher-player".to_string());
            ok(json!({"reikey": s.elixir.issue_reikey(&player), "playerId": player}))
        }
        ("GET", "/_emulator/elixir/server-key") => {
            // The test key the emulator verifies with ("other": one it does not know).
            let pem = if ex.query_param("which").as_deref() == Some("other") { signed::OTHER_TEST_KEY_PEM } else { signed::TEST_KEY_PEM };
            ok(json!({"private_key_pem": pem}))
        }
        ("GET", "/_emulator/elixir/device") => {
            let (model, id) = s.elixir.last_device.clone();
            ok(json!({"deviceModel": model, "deviceUniqueIdentifier": id}))
        }
        _ => Reply::not_found(&ex.path),
    }
}
