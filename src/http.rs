//! A client's connection to its service: the base URL, TLS roots, timeouts, body cap and
//! retries, on top of the client's own I/O thread (`net`). Requests are started and their
//! answers come back on the I/O thread, which also runs alarms (a flow's next step).

use crate::error::Error;
use crate::net::proxy::ProxyUrl;
use crate::net::{Alarm, Exchange, OnDone, ReactorHandle, Rewrite, Settings, TlsSettings};
use crate::secret::Secret;
pub use crate::net::Aborter;
use crate::options::Options;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};
use crate::secret::SecretBytes;

pub use crate::net::response::Response;
pub use crate::net::retry::Retry;
pub use crate::net::Method;

/// A validated `scheme://host[:port][/prefix]` with no trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl {
    text: String,
    https: bool,
    /// As written in the URL: an IPv6 literal keeps its brackets.
    host: String,
    port: u16,
    /// The path every request path is appended to ("" or "/api").
    prefix: String,
}

impl BaseUrl {
    /// Accepts `https://` anywhere and `http://` only for loopback hosts, so a typo can never
    /// send a client secret or a player's token across a network in clear text.
    pub fn parse(url: &str) -> Result<BaseUrl, Error> {
        BaseUrl::parse_allowing(url, false)
    }

    /// `parse`, with plain HTTP to any host when `any_plain_http` (development: a LAN emulator,
    /// an Android emulator's 10.0.2.2).
    pub fn parse_allowing(url: &str, any_plain_http: bool) -> Result<BaseUrl, Error> {
        let trimmed = url.trim_end_matches('/');
        let not_url = || Error::invalid(format!("base URL is not a valid URL: {url:?}"));
        let (scheme, rest) = trimmed.split_once("://").ok_or_else(not_url)?;
        if rest.contains('?') || rest.contains('#') {
            return Err(Error::invalid("base URL must not carry a query or fragment"));
        }
        let (authority, prefix) = rest.find('/').map_or((rest, ""), |at| rest.split_at(at));
        if authority.is_empty() {
            return Err(Error::invalid(format!("base URL has no host: {url:?}")));
        }
        if authority.contains('@') {
            return Err(Error::invalid("base URL must not carry a user name or password"));
        }
        let (host, port) = crate::net::split_host_port(authority).ok_or_else(not_url)?;
        if !prefix.is_empty() {
            check_path(prefix)?;
        }
        let https = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" if is_loopback(host) || any_plain_http => false,
            "http" => {
                return Err(Error::invalid(format!(
                    "plain http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost), or any host after gg_options_set_allow_plain_http (development only); use https:// for {host}"
                )))
            }
            _ => return Err(Error::invalid(format!("base URL must start with https:// (or http:// on loopback): {url:?}"))),
        };
        Ok(BaseUrl {
            text: trimmed.to_string(),
            https,
            host: host.to_ascii_lowercase(),
            port: port.unwrap_or(if https { 443 } else { 80 }),
            prefix: prefix.to_string(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `path` must start with `/`.
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.text, path)
    }

    /// The `Host` header: the port only when it is not the scheme's default.
    pub fn host_header(&self) -> String {
        if self.port == if self.https { 443 } else { 80 } {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

/// Header values may not carry control characters: a CR/LF would let a caller inject headers.
pub fn check_header_value(what: &str, value: &str) -> Result<(), Error> {
    if value.chars().any(|c| c.is_control()) {
        return Err(Error::invalid(format!("{what} contains a control character (CR, LF, NUL...)")));
    }
    Ok(())
}

/// A request path relative to the base URL: starts with `/`, no spaces or control characters.
pub fn check_path(path: &str) -> Result<(), Error> {
    if !path.starts_with('/') {
        return Err(Error::invalid(format!("path must start with '/': {path:?}")));
    }
    if path.chars().any(|c| c.is_control() || c == ' ') || path.contains('#') {
        return Err(Error::invalid("path contains a space, control character or fragment"));
    }
    if !path.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid(format!("path is not a valid URL path (percent-encode other characters): {path:?}")));
    }
    Ok(())
}

pub fn parse_method(method: &str) -> Result<Method, Error> {
    match method.to_ascii_uppercase().as_str() {
        "GET" => Ok(Method::GET),
        "POST" => Ok(Method::POST),
        "PUT" => Ok(Method::PUT),
        "PATCH" => Ok(Method::PATCH),
        "DELETE" => Ok(Method::DELETE),
        _ => Err(Error::invalid(format!("unsupported HTTP method {method:?}: use GET, POST, PUT, PATCH or DELETE"))),
    }
}

/// Validates the arguments of a generic JSON request (any service) before it is queued;
/// returns the method.
pub fn check_request(method: &str, path: &str, body_json: Option<&str>) -> Result<Method, Error> {
    let method = parse_method(method)?;
    check_path(path)?;
    if let Some(body) = body_json {
        if serde_json::from_str::<serde_json::Value>(body).is_err() {
            return Err(Error::invalid("body_json is not valid JSON"));
        }
    }
    Ok(method)
}

/// Every certificate found in `pem`, as DER. Fails when there is none or one is malformed.
pub fn parse_pem_certificates(pem: &str) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    for item in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        match item {
            Ok(cert) => out.push(cert.to_vec()),
            Err(_) => return Err(Error::invalid("root certificate PEM is malformed")),
        }
    }
    if out.is_empty() {
        return Err(Error::invalid("no CERTIFICATE block found in the root certificate PEM"));
    }
    Ok(out)
}


/// A request ready for the wire, built (and checked) on the caller's thread.
pub struct Prepared {
    bytes: SecretBytes,
    retry: Retry,
    label: String,
    /// Overrides the client's timeout for this exchange (`listen_for`).
    timeout: Option<Duration>,
    rewrite: Option<Rewrite>,
}

/// Writes a client's requests: the path prefix and the header lines every request carries
/// (Host, User-Agent, Accept...), built once and shared by whatever writes requests later.
#[derive(Clone)]
pub struct RequestWriter {
    /// The path prefix; for plain HTTP through a proxy, the absolute `http://host:port/prefix`.
    prefix: Arc<str>,
    common_headers: Arc<str>,
    /// `Basic ...` for a plain-HTTP proxy (HTTPS proxies see it in CONNECT only).
    proxy_authorization: Option<Arc<Secret>>,
}

impl RequestWriter {
    /// Headers were checked for CR/LF by the caller. Credentials in them are wiped with the bytes.
    pub fn write(&self, method: Method, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> SecretBytes {
        let body_len = body.map_or(0, <[u8]>::len);
        let mut head = String::with_capacity(256);
        let _ = write!(head, "{method} {}{path} HTTP/1.1\r\n{}", self.prefix, self.common_headers);
        if body.is_some() {
            let _ = write!(head, "Content-Type: application/json\r\nContent-Length: {body_len}\r\n");
        } else if method != Method::GET {
            head.push_str("Content-Length: 0\r\n");
        }
        let mut bytes = SecretBytes::with_capacity(head.len() + 128 + body_len);
        bytes.extend_from_slice(head.as_bytes());
        let proxy = self.proxy_authorization.as_ref().map(|value| ("Proxy-Authorization", value.expose()));
        for (name, value) in headers.iter().copied().chain(proxy) {
            bytes.extend_from_slice(name.as_bytes());
            bytes.extend_from_slice(b": ");
            bytes.extend_from_slice(value.as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"\r\n");
        if let Some(body) = body {
            bytes.extend_from_slice(body);
        }
        bytes
    }
}

impl Prepared {
    /// Keeps the exchange open for its answer up to `window`, however long its caller waits
    /// (a refresh whose answer must not be thrown away).
    pub fn listen_for(mut self, window: Duration) -> Prepared {
        self.timeout = Some(window);
        self
    }

    /// A request whose bytes are written at each attempt, right before they go on the wire
    /// (on the I/O thread), by `rewrite`.
    pub fn written_at_send(method: Method, log_path: &str, retry: Retry, rewrite: Rewrite) -> Prepared {
        let label = format!("{method} {}", redacted(log_path));
        Prepared { bytes: SecretBytes::with_capacity(0), retry, label, timeout: None, rewrite: Some(rewrite) }
    }
}

/// A client's service connection: one origin, one I/O thread, at most `worker_threads`
/// requests on the wire at once.
pub struct Http {
    base: BaseUrl,
    writer: RequestWriter,
    timeout: Duration,
    reactor: ReactorHandle,
}

impl Http {
    /// `name` labels the I/O thread ("gamegate-kgen-io").
    pub fn new(name: &str, options: &Options, default_base: &str) -> Result<Arc<Http>, Error> {
        let base = BaseUrl::parse_allowing(options.base_url.as_deref().unwrap_or(default_base), options.allow_plain_http)?;
        let tls = if base.https { Some(tls_settings(&base, options)?) } else { None };
        if !base.https && !is_loopback(&base.host) {
            crate::gg_log!(
                crate::log::GG_LOG_WARN,
                "{name}: plain http:// to {} (gg_options_set_allow_plain_http): for development only, requests and credentials travel unencrypted",
                base.host
            );
        }
        let user_agent = options
            .user_agent
            .clone()
            .unwrap_or_else(|| format!("gamegate/{}", env!("CARGO_PKG_VERSION")));
        let proxy = proxy_for(&base, options)?;
        // Through a proxy the connections go to it; HTTPS opens a tunnel on each.
        let (host, port) = proxy.as_ref().map_or((base.host.clone(), base.port), |p| (p.host.clone(), p.port));
        let tunnel = proxy.as_ref().map(|p| base.https.then(|| p.connect_request(&base.host, base.port, &user_agent)));
        if let Some(p) = &proxy {
            crate::gg_log!(crate::log::GG_LOG_INFO, "{name}: through the HTTP proxy {}:{}", p.host, p.port);
        }
        let settings = Settings {
            host,
            port,
            tls,
            max_in_flight: options.worker_threads.max(1) as usize,
            max_body: options.max_body_bytes,
            max_retries: options.max_retries,
            retry_base_delay: options.retry_base_delay,
            max_idle: options.max_idle,
            measure: options.metrics.is_some(),
            request_timeout: options.timeout,
            resolver: options.resolver.clone(),
            proxy: tunnel,
        };
        let reactor = ReactorHandle::spawn(name, settings)?;
        let common_headers = format!(
            "Host: {}\r\nUser-Agent: {user_agent}\r\nAccept: application/json\r\nAccept-Encoding: gzip\r\n",
            base.host_header()
        );
        // Plain HTTP through a proxy names the whole URL in the request line.
        let plain_proxy = proxy.as_ref().filter(|_| !base.https);
        let prefix = match plain_proxy {
            Some(_) => format!("http://{}{}", base.host_header(), base.prefix),
            None => base.prefix.clone(),
        };
        let proxy_authorization = plain_proxy.and_then(ProxyUrl::authorization).map(Arc::new);
        let writer = RequestWriter { prefix: prefix.into(), common_headers: common_headers.into(), proxy_authorization };
        Ok(Arc::new(Http { writer, base, timeout: options.timeout, reactor }))
    }

    pub fn base(&self) -> &BaseUrl {
        &self.base
    }

    /// Builds a request. `log_path` is what log lines show: callers whose path carries a
    /// credential redact it. Headers were checked for CR/LF by the caller.
    pub fn prepare(&self, method: Method, path: &str, log_path: &str, headers: &[(&str, &str)], body: Option<&[u8]>, retry: Retry) -> Prepared {
        let bytes = self.writer.write(method, path, headers, body);
        Prepared { bytes, retry, label: format!("{method} {}", redacted(log_path)), timeout: None, rewrite: None }
    }

    /// What writes this client's requests, for requests written again at each attempt.
    pub fn writer(&self) -> RequestWriter {
        self.writer.clone()
    }

    /// Puts a request on the wire; `on_done` gets its answer (all attempts within the request
    /// timeout) on the client's I/O thread, exactly once, unless the client is freed first.
    /// The `Aborter` answers it with `GG_CANCELLED` at once and frees its connection.
    pub fn start(&self, request: Prepared, on_done: OnDone) -> Aborter {
        let Prepared { bytes, retry, label, timeout, rewrite } = request;
        self.reactor.start(Exchange { bytes, timeout: timeout.unwrap_or(self.timeout), retry, label, on_done, rewrite })
    }

    /// Runs `alarm` on the client's I/O thread at `at`; the `Aborter` keeps it from running.
    /// Dropped unrun if the client is freed first.
    pub fn at(&self, at: Instant, alarm: Alarm) -> Aborter {
        self.reactor.set_alarm(at, alarm)
    }

    /// Resolves, connects and finishes TLS for one connection now; the next call finds it warm.
    pub fn prepare_connection(&self) {
        self.reactor.prepare();
    }

    /// Runs `work` on the client's I/O thread as soon as it is free (where a flow's steps run,
    /// so no answer of the caller's ever arrives on the caller's own thread).
    pub fn on_io_thread(&self, work: Alarm) {
        let _runs_once = self.reactor.set_alarm(Instant::now(), work);
    }

    /// The client's request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// How many times this client's I/O thread has woken up (for tests of its sleeping).
    #[cfg(test)]
    pub fn io_wakeups(&self) -> u64 {
        self.reactor.wakeups()
    }

    /// Sends a request and waits for its answer (for the tests of the HTTP rules).
    #[cfg(test)]
    pub fn send(&self, method: Method, path: &str, log_path: &str, headers: &[(&str, &str)], body: Option<&[u8]>, retry: Retry) -> Result<Response, Error> {
        self.wait_for(self.prepare(method, path, log_path, headers, body, retry))
    }

    /// Sends a prepared request and waits for its answer.
    #[cfg(test)]
    pub fn wait_for(&self, request: Prepared) -> Result<Response, Error> {
        if self.reactor.is_io_thread() {
            return Err(Error::internal("a blocking request was made on the I/O thread"));
        }
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let _not_aborted = self.start(request, Box::new(move |outcome| {
            let _ = sender.send(outcome);
        }));
        // No answer at all: the I/O thread stopped because the client is being freed.
        receiver.recv().unwrap_or_else(|_| Err(Error::shutdown()))
    }
}

/// The proxy a client's requests go through: the one set in the options, else (when asked)
/// the environment's, unless `NO_PROXY` exempts the service's host.
fn proxy_for(base: &BaseUrl, options: &Options) -> Result<Option<ProxyUrl>, Error> {
    if options.proxy.is_some() {
        return Ok(options.proxy.clone());
    }
    if !options.proxy_from_environment || crate::net::proxy::exempted_by_environment(&base.host) {
        return Ok(None);
    }
    ProxyUrl::from_environment(base.https)
}

/// Whom the client trusts (`net::trust`: the OS, the bundled roots, plus the caller's own,
/// e.g. a staging CA) and the name the certificate must carry.
fn tls_settings(base: &BaseUrl, options: &Options) -> Result<TlsSettings, Error> {
    let trusted = crate::net::trust::client_config(options.trust, &options.extra_roots_der)?;
    let bare = base.host.trim_start_matches('[').trim_end_matches(']');
    let server_name = ServerName::try_from(bare.to_string()).map_err(|_| Error::invalid(format!("{bare:?} is not a valid TLS server name")))?;
    Ok(TlsSettings { config: trusted.config, server_name, checked_by: trusted.checked_by })
}

/// A path as log lines and metrics show it: query values replaced (`?filter=*`), since a
/// value may be anything a game sent, a credential included.
fn redacted(path: &str) -> String {
    let Some((route, query)) = path.split_once('?') else { return path.to_string() };
    let keys: Vec<String> = query.split('&').filter(|pair| !pair.is_empty()).map(|pair| format!("{}=*", pair.split('=').next().unwrap_or(""))).collect();
    format!("{route}?{}", keys.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_in_logs_and_metrics_keep_query_keys_but_never_values() {
        assert_eq!(redacted("/sdk/v2/tournaments/?filter=ALL&token=abc"), "/sdk/v2/tournaments/?filter=*&token=*");
        assert_eq!(redacted("/s2s/session/"), "/s2s/session/");
        assert_eq!(redacted("/a?flag"), "/a?flag=*");
    }
    use crate::error::GG_INVALID_ARGUMENT;

    #[test]
    fn plain_http_only_on_loopback() {
        for ok in ["https://kend.elixir.app", "http://127.0.0.1:8080", "http://127.8.9.10", "http://localhost:1/", "http://[::1]:9000", "https://10.0.0.1/api"] {
            assert!(BaseUrl::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["http://example.com", "http://10.0.0.1", "http://192.168.1.1:80", "ftp://localhost", "not a url", "", "https://", "http://localhost.evil.com", "http://user@127.0.0.1", "http://127.0.0.1:0", "http://127.0.0.1:99999"] {
            let err = BaseUrl::parse(bad).unwrap_err();
            assert_eq!(err.code, GG_INVALID_ARGUMENT, "{bad}");
        }
    }

    #[test]
    fn base_url_trailing_slash_is_trimmed() {
        assert_eq!(BaseUrl::parse("http://127.0.0.1:5/").unwrap().join("/s2s/session"), "http://127.0.0.1:5/s2s/session");
    }

    #[test]
    fn header_values_reject_crlf() {
        assert!(check_header_value("x", "abc-123").is_ok());
        assert!(check_header_value("x", "abc\r\nx-evil: 1").is_err());
        assert!(check_header_value("x", "a\0b").is_err());
    }

    #[test]
    fn paths_are_checked() {
        assert!(check_path("/s2s/loyalty/rewardable-events?x=1").is_ok());
        assert!(check_path("s2s").is_err());
        assert!(check_path("/a b").is_err());
        assert!(check_path("/a\r\nb").is_err());
    }

    #[test]
    fn methods_are_a_closed_set() {
        assert_eq!(parse_method("get").unwrap(), Method::GET);
        assert!(parse_method("CONNECT").is_err());
        assert!(parse_method("").is_err());
    }

    #[test]
    fn pem_without_certificate_is_rejected() {
        assert!(parse_pem_certificates("hello").is_err());
        assert!(parse_pem_certificates("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n").is_err());
    }
}
