//! Transport settings shared by both clients; `gg_options` in C is a box around this.

use crate::error::Error;
use std::time::Duration;

/// Callbacks run only inside `*_client_tick` (and `*_client_free`), on the thread that calls it (the default).
pub const GG_DISPATCH_TICK: u32 = 0;
/// Callbacks run on the client's callback thread, one at a time, never on its I/O thread.
pub const GG_DISPATCH_WORKER: u32 = 1;

/// Where completion callbacks run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dispatch {
    /// Only inside `*_client_tick`, on the thread that calls it.
    Tick,
    /// On the client's callback thread (never its I/O thread), one at a time, in order.
    Worker,
}

impl Dispatch {
    pub fn from_raw(mode: u32) -> Result<Dispatch, Error> {
        match mode {
            GG_DISPATCH_TICK => Ok(Dispatch::Tick),
            GG_DISPATCH_WORKER => Ok(Dispatch::Worker),
            other => Err(Error::invalid(format!("unknown dispatch mode {other}: use GG_DISPATCH_TICK (0) or GG_DISPATCH_WORKER (1)"))),
        }
    }
}

pub(crate) const DEFAULT_TIMEOUT_MS: u32 = 10_000;
pub(crate) const DEFAULT_WORKER_THREADS: u32 = 4;
pub(crate) const MAX_WORKER_THREADS: u32 = 256;
pub(crate) const DEFAULT_MAX_BODY_BYTES: u64 = 1024 * 1024;
pub(crate) const DEFAULT_REFRESH_MARGIN_MS: u32 = 60_000;
pub(crate) const DEFAULT_MAX_RETRIES: u32 = 2;
pub(crate) const DEFAULT_RETRY_BASE_DELAY_MS: u32 = 200;
pub(crate) const MAX_RETRIES: u32 = 10;
/// Under the idle timeouts of carriers' NATs and load balancers seen in practice (and
/// libcurl's 118 s), over a game's usual pause between calls.
pub(crate) const DEFAULT_MAX_IDLE_MS: u32 = 60_000;

#[derive(Clone, Debug)]
pub struct Options {
    /// `None`: the service's production URL.
    pub base_url: Option<String>,
    pub timeout: Duration,
    pub dispatch: Dispatch,
    /// Extra trusted roots (DER), on top of the bundled Mozilla roots.
    pub extra_roots_der: Vec<Vec<u8>>,
    pub worker_threads: u32,
    pub max_body_bytes: u64,
    /// Elixir: refresh the access token when it expires within this margin.
    pub refresh_margin: Duration,
    pub user_agent: Option<String>,
    /// Elixir: refresh the token near expiry even when the game makes no call.
    pub background_refresh: bool,
    /// Transient failures retried (KGeN session creation and GETs only); 0 disables.
    pub max_retries: u32,
    /// The first retry waits up to this long (full jitter), doubling each time.
    pub retry_base_delay: Duration,
    /// A pooled connection idle longer is closed, never reused.
    pub max_idle: Duration,
    /// `tick` stops delivering callbacks once this much time went by; zero: no budget.
    pub tick_budget: Duration,
    /// Plain `http://` to any host, not only loopback (development: a LAN emulator).
    pub allow_plain_http: bool,
    /// Whom TLS trusts (`net::trust`).
    pub trust: crate::net::trust::Trust,
    /// Per-request numbers, right before each request's callback.
    pub metrics: Option<crate::engine::metrics::MetricsSink>,
    /// Turns the service's host name into addresses (the system's; tests bring their own).
    pub resolver: crate::net::Resolver,
    /// Every request goes through this HTTP proxy (CONNECT for HTTPS).
    pub proxy: Option<crate::net::proxy::ProxyUrl>,
    /// Without `proxy`: take one from `HTTPS_PROXY` / `http_proxy`, minus `NO_PROXY`, at client creation.
    pub proxy_from_environment: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            base_url: None,
            timeout: Duration::from_millis(u64::from(DEFAULT_TIMEOUT_MS)),
            dispatch: Dispatch::Tick,
            extra_roots_der: Vec::new(),
            worker_threads: DEFAULT_WORKER_THREADS,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            refresh_margin: Duration::from_millis(u64::from(DEFAULT_REFRESH_MARGIN_MS)),
            user_agent: None,
            background_refresh: false,
            max_retries: DEFAULT_MAX_RETRIES,
            retry_base_delay: Duration::from_millis(u64::from(DEFAULT_RETRY_BASE_DELAY_MS)),
            max_idle: Duration::from_millis(u64::from(DEFAULT_MAX_IDLE_MS)),
            tick_budget: Duration::ZERO,
            metrics: None,
            trust: crate::net::trust::Trust::Default,
            allow_plain_http: false,
            resolver: crate::net::Resolver::system(),
            proxy: None,
            proxy_from_environment: false,
        }
    }
}

impl Options {
    pub fn set_timeout_ms(&mut self, ms: u32) -> Result<(), Error> {
        if ms == 0 {
            return Err(Error::invalid("timeout must be at least 1 ms"));
        }
        self.timeout = Duration::from_millis(u64::from(ms));
        Ok(())
    }

    pub fn set_retries(&mut self, max_retries: u32, base_delay_ms: u32) -> Result<(), Error> {
        if max_retries > MAX_RETRIES {
            return Err(Error::invalid(format!("at most {MAX_RETRIES} retries, got {max_retries}")));
        }
        if max_retries > 0 && base_delay_ms == 0 {
            return Err(Error::invalid("the retry base delay must be at least 1 ms"));
        }
        self.max_retries = max_retries;
        self.retry_base_delay = Duration::from_millis(u64::from(base_delay_ms));
        Ok(())
    }

    pub fn set_worker_threads(&mut self, count: u32) -> Result<(), Error> {
        if count == 0 || count > MAX_WORKER_THREADS {
            return Err(Error::invalid(format!("requests in flight (worker_threads) must be 1..={MAX_WORKER_THREADS}, got {count}")));
        }
        self.worker_threads = count;
        Ok(())
    }

    pub fn set_max_body_bytes(&mut self, bytes: u64) -> Result<(), Error> {
        if bytes == 0 {
            return Err(Error::invalid("the response body cap must be at least 1 byte"));
        }
        self.max_body_bytes = bytes;
        Ok(())
    }

    pub fn set_base_url(&mut self, url: &str) -> Result<(), Error> {
        // Plain HTTP beyond loopback is judged at client creation, once every setter has run.
        crate::http::BaseUrl::parse_allowing(url, true)?;
        self.base_url = Some(url.trim_end_matches('/').to_string());
        Ok(())
    }

    /// Parses every certificate in `pem`; fails without changing anything if one is bad.
    pub fn add_root_certificates_pem(&mut self, pem: &str) -> Result<(), Error> {
        let certs = crate::http::parse_pem_certificates(pem)?;
        self.extra_roots_der.extend(certs);
        Ok(())
    }

    /// `http://[user:password@]host:port`; "" removes the proxy.
    pub fn set_proxy(&mut self, url: &str) -> Result<(), Error> {
        self.proxy = match url.trim() {
            "" => None,
            url => Some(crate::net::proxy::ProxyUrl::parse(url)?),
        };
        Ok(())
    }

    pub fn set_user_agent(&mut self, agent: &str) -> Result<(), Error> {
        crate::http::check_header_value("user agent", agent)?;
        self.user_agent = Some(agent.to_string());
        Ok(())
    }
}
