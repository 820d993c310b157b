//! `gamegate-emulator [--host ADDR] [--port N] [--token-life-ms N] [--quiet]`: serves KGeN and
//! Elixir on 127.0.0.1 (or ADDR) and prints its URL on the first line of stdout.

use gamegate_emulator::{Config, Emulator, TEST_API_KEY, TEST_CLIENT_ID, TEST_CLIENT_SECRET};
use std::io::Write;

fn main() {
    let mut config = Config { port: 8910, verbose: true, ..Config::default() };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().unwrap_or_else(|| fail(&format!("{name} needs a value")));
        match arg.as_str() {
            "--host" => config.host = value("--host").parse().unwrap_or_else(|_| fail("--host takes an IP address (0.0.0.0 for every interface)")),
            "--port" => config.port = value("--port").parse().unwrap_or_else(|_| fail("--port takes 0..65535")),
            "--token-life-ms" => {
                config.token_life_ms = value("--token-life-ms").parse().unwrap_or_else(|_| fail("--token-life-ms takes a number"))
            }
            "--client-id" => config.kgen_client_id = value("--client-id"),
            "--client-secret" => config.kgen_client_secret = value("--client-secret"),
            "--api-key" => config.elixir_api_key = value("--api-key"),
            "--quiet" => config.verbose = false,
            "-h" | "--help" => {
                println!("usage: gamegate-emulator [--host ADDR (default 127.0.0.1; 0.0.0.0 for the LAN)] [--port N (0 = any free port, default 8910)] [--token-life-ms N] [--client-id ID] [--client-secret S] [--api-key K] [--quiet]");
                return;
            }
            other => fail(&format!("unknown argument {other:?}; see --help")),
        }
    }
    let emulator = Emulator::start(config.clone()).unwrap_or_else(|e| fail(&format!("could not listen: {e}")));
    println!("{}", emulator.url());
    if config.verbose {
        println!("[gamegate-emulator] KGeN client id {TEST_CLIENT_ID:?} / secret {TEST_CLIENT_SECRET:?} (defaults), Elixir API key {TEST_API_KEY:?} (default)");
        if !config.host.is_loopback() {
            println!("[gamegate-emulator] listening on {} beyond loopback: clients elsewhere need gg_options_set_allow_plain_http (development only)", config.host);
        }
        println!("[gamegate-emulator] development endpoints under {}/_emulator/ ; Ctrl-C to stop", emulator.url());
    }
    let _ = std::io::stdout().flush();
    emulator.wait();
}

fn fail(message: &str) -> ! {
    eprintln!("gamegate-emulator: {message}");
    std::process::exit(2);
}
