//! The one HTTP agent of a client: TLS roots, timeouts, body cap, redirects and the mapping of
//! transport failures onto GameGate result codes. Blocking; runs on the engine's workers.

use crate::error::{Error, GG_BAD_RESPONSE, GG_INVALID_ARGUMENT, GG_NETWORK, GG_TIMEOUT, GG_TLS};
use crate::options::Options;
use std::sync::Arc;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;
use ureq::http::{Method, Request, Uri};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use crate::coalesce::CoalescingConnector;
use crate::resolver::CachingResolver;
use ureq::unversioned::transport::{Connector, DefaultConnector};
use ureq::Agent;

/// A validated `scheme://host[:port][/prefix]` with no trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// Accepts `https://` anywhere and `http://` only for loopback hosts, so a typo can never
    /// send a client secret or a player's token across a network in clear text.
    pub fn parse(url: &str) -> Result<BaseUrl, Error> {
        let trimmed = url.trim_end_matches('/');
        let uri: Uri = trimmed
            .parse()
            .map_err(|_| Error::invalid(format!("base URL is not a valid URL: {url:?}")))?;
        let host = uri.host().ok_or_else(|| Error::invalid(format!("base URL has no host: {url:?}")))?;
        if uri.query().is_some() || trimmed.contains('#') {
            return Err(Error::invalid("base URL must not carry a query or fragment"));
        }
        match uri.scheme_str() {
            Some("https") => {}
            Some("http") if is_loopback(host) => {}
            Some("http") => {
                return Err(Error::invalid(format!(
                    "plain http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https:// for {host}"
                )))
            }
            _ => return Err(Error::invalid(format!("base URL must start with https:// (or http:// on loopback): {url:?}"))),
        }
        Ok(BaseUrl(trimmed.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `path` must start with `/`.
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.0, path)
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
    if path.parse::<ureq::http::uri::PathAndQuery>().is_err() {
        return Err(Error::invalid(format!("path is not a valid URL path: {path:?}")));
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

/// Validates the arguments of a generic JSON request (either service) before it is queued.
pub fn check_request(method: &str, path: &str, body_json: Option<&str>) -> Result<(), Error> {
    parse_method(method)?;
    check_path(path)?;
    if let Some(body) = body_json {
        if serde_json::from_str::<serde_json::Value>(body).is_err() {
            return Err(Error::invalid("body_json is not valid JSON"));
        }
    }
    Ok(())
}

/// Every certificate found in `pem`, as DER. Fails when there is none or one is malformed.
pub fn parse_pem_certificates(pem: &str) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    for item in ureq::tls::parse_pem(pem.as_bytes()) {
        match item {
            Ok(PemItem::Certificate(cert)) => out.push(cert.der().to_vec()),
            Ok(_) => {}
            Err(_) => return Err(Error::invalid("root certificate PEM is malformed")),
        }
    }
    if out.is_empty() {
        return Err(Error::invalid("no CERTIFICATE block found in the root certificate PEM"));
    }
    Ok(out)
}

/// An HTTP response whose body was read in full (up to the cap).
pub struct Response {
    pub status: u16,
    /// Wiped when dropped: response bodies carry tokens.
    pub body: Zeroizing<Vec<u8>>,
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Whether a request may be sent again after a transient failure. Only requests that are
/// safe to repeat are: KGeN session creation (create-or-retrieve) and GETs, but never a
/// sign-in flow whose credential works once (an OTP, a QR value, a rei-key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    Never,
    IfTransient,
}

impl Retry {
    pub fn for_method(method: &Method) -> Retry {
        if *method == Method::GET {
            Retry::IfTransient
        } else {
            Retry::Never
        }
    }
}

/// One keep-alive connection pool shared by a client's workers.
pub struct Http {
    agent: Agent,
    base: BaseUrl,
    max_body_bytes: u64,
    timeout: Duration,
    max_retries: u32,
    retry_base_delay: Duration,
}

impl Http {
    pub fn new(options: &Options, default_base: &str) -> Result<Arc<Http>, Error> {
        let base = BaseUrl::parse(options.base_url.as_deref().unwrap_or(default_base))?;
        // The bundled Mozilla roots plus the caller's own (a staging CA, a proxy).
        let bundled = webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().map(|c| Certificate::from_der(c.as_ref()));
        let extra = options.extra_roots_der.iter().map(|der| Certificate::from_der(der).to_owned());
        let roots = RootCerts::from(bundled.chain(extra).collect::<Vec<_>>());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let connections = options.worker_threads as usize;
        let user_agent = options
            .user_agent
            .clone()
            .unwrap_or_else(|| format!("gamegate/{}", env!("CARGO_PKG_VERSION")));
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(options.timeout))
            // API calls never redirect; following one could downgrade HTTPS to plain HTTP.
            .max_redirects(0)
            .max_idle_connections(connections.max(1) * 2)
            .max_idle_connections_per_host(connections.max(1))
            .user_agent(user_agent)
            .proxy(None)
            .tls_config(TlsConfig::builder().root_certs(roots).unversioned_rustls_crypto_provider(provider).build())
            .build();
        let connector = DefaultConnector::default().chain(CoalescingConnector);
        let agent = Agent::with_parts(config, connector, CachingResolver::default());
        Ok(Arc::new(Http {
            agent,
            base,
            max_body_bytes: options.max_body_bytes,
            timeout: options.timeout,
            max_retries: options.max_retries,
            retry_base_delay: options.retry_base_delay,
        }))
    }

    pub fn base(&self) -> &BaseUrl {
        &self.base
    }

    /// Sends a request and reads the whole body, bounded by the body cap; all attempts together
    /// stay within the request timeout. `log_path` is what log lines show: callers whose path
    /// carries a credential redact it.
    pub fn send(
        &self,
        method: Method,
        path: &str,
        log_path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        retry: Retry,
    ) -> Result<Response, Error> {
        let deadline = Instant::now() + self.timeout;
        let mut attempt = 0;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            // The first attempt has the agent's own timeout; a retry only what is left of it.
            let timeout = (attempt > 0).then(|| remaining.max(Duration::from_millis(1)));
            let outcome = self.send_once(method.clone(), path, log_path, headers, body, timeout);
            if retry == Retry::Never || attempt >= self.max_retries || !is_transient(&outcome) {
                return outcome;
            }
            let delay = backoff_delay(self.retry_base_delay, attempt);
            if Instant::now() + delay >= deadline {
                return outcome; // no time left for another attempt
            }
            attempt += 1;
            crate::gg_log!(
                crate::log::GG_LOG_DEBUG,
                "{} {}: transient failure ({}), retry {} of {} in {} ms",
                method,
                path_without_query(log_path),
                match &outcome {
                    Ok(r) => format!("HTTP {}", r.status),
                    Err(e) => crate::error::result_name(e.code).to_string(),
                },
                attempt,
                self.max_retries,
                delay.as_millis()
            );
            std::thread::sleep(delay);
        }
    }

    fn send_once(
        &self,
        method: Method,
        path: &str,
        log_path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        timeout: Option<Duration>,
    ) -> Result<Response, Error> {
        let url = self.base.join(path);
        let mut builder = Request::builder().method(method.clone()).uri(&url).header("accept", "application/json");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let result = match body {
            Some(bytes) => {
                let request = builder
                    .header("content-type", "application/json")
                    .body(bytes)
                    .map_err(|_| Error::invalid("request could not be built (bad header value?)"))?;
                match timeout {
                    // A per-request setting copies the agent's whole configuration: retries only.
                    Some(t) => self.agent.run(self.agent.configure_request(request).timeout_global(Some(t)).build()),
                    None => self.agent.run(request),
                }
            }
            None => {
                let request = builder.body(()).map_err(|_| Error::invalid("request could not be built (bad header value?)"))?;
                match timeout {
                    Some(t) => self.agent.run(self.agent.configure_request(request).timeout_global(Some(t)).build()),
                    None => self.agent.run(request),
                }
            }
        };
        let mut response = result.map_err(map_transport_error)?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(self.max_body_bytes)
            .read_to_vec()
            .map_err(|e| map_transport_error(e).with_status(status))?;
        crate::gg_log!(crate::log::GG_LOG_DEBUG, "{} {} -> HTTP {} ({} bytes)", method, path_without_query(log_path), status, body.len());
        Ok(Response { status, body: Zeroizing::new(body) })
    }
}

/// Worth another attempt: the connection failed (nothing was answered) or a gateway said
/// the service is briefly unavailable. A timeout is not: it has used up the time.
fn is_transient(outcome: &Result<Response, Error>) -> bool {
    match outcome {
        Ok(response) => matches!(response.status, 502..=504),
        Err(error) => error.code == GG_NETWORK,
    }
}

/// Exponential backoff with full jitter: a uniformly random wait in [0, base * 2^attempt].
fn backoff_delay(base: Duration, attempt: u32) -> Duration {
    let ceiling = base.saturating_mul(1u32 << attempt.min(16));
    let ceiling_ms = ceiling.as_millis().min(u128::from(u64::MAX)) as u64;
    Duration::from_millis(random_u64() % (ceiling_ms + 1))
}

/// A random number from std's per-process randomly keyed hasher: jitter, not cryptography.
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u8(0);
    hasher.finish()
}

/// Query strings may carry user data; logs show the path only.
fn path_without_query(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

fn map_transport_error(error: ureq::Error) -> Error {
    use ureq::Error as U;
    match error {
        U::Timeout(_) => Error::new(GG_TIMEOUT, "the request timed out"),
        U::BodyExceedsLimit(limit) => Error::new(GG_BAD_RESPONSE, format!("the response body is larger than the {limit}-byte cap")),
        U::Tls(msg) => Error::new(GG_TLS, format!("TLS failure: {msg}")),
        U::Pem(_) => Error::new(GG_TLS, "TLS failure: bad PEM data"),
        U::Rustls(e) => Error::new(GG_TLS, format!("TLS failure: {e}")),
        U::HostNotFound => Error::new(GG_NETWORK, "the host name could not be resolved"),
        U::ConnectionFailed => Error::new(GG_NETWORK, "the connection failed"),
        U::Io(e) => map_io_error(e),
        U::Protocol(e) => Error::new(GG_BAD_RESPONSE, format!("the server broke the HTTP protocol: {e}")),
        U::BadUri(_) | U::Http(_) => Error::new(GG_INVALID_ARGUMENT, "the request URL is invalid"),
        U::TooManyRedirects | U::RedirectFailed => Error::new(GG_NETWORK, "unexpected redirect"),
        other => Error::new(GG_NETWORK, format!("network failure: {other}")),
    }
}

fn map_io_error(error: std::io::Error) -> Error {
    use std::io::ErrorKind as K;
    // rustls reports handshake failures (bad certificate, wrong name) through io::Error.
    let text = error.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        return Error::new(GG_TLS, format!("TLS failure: {text}"));
    }
    match error.kind() {
        K::TimedOut | K::WouldBlock => Error::new(GG_TIMEOUT, "the request timed out"),
        K::ConnectionRefused => Error::new(GG_NETWORK, "the connection was refused"),
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => Error::new(GG_NETWORK, "the connection was reset"),
        K::UnexpectedEof => Error::new(GG_NETWORK, "the connection closed before the response was complete"),
        _ => Error::new(GG_NETWORK, format!("network failure: {text}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_full_jitter_under_a_doubling_ceiling() {
        let base = Duration::from_millis(100);
        for attempt in 0..5u32 {
            let ceiling = 100u64 << attempt;
            let delays: Vec<u64> = (0..200).map(|_| backoff_delay(base, attempt).as_millis() as u64).collect();
            assert!(delays.iter().all(|&d| d <= ceiling), "attempt {attempt}: {delays:?}");
            // Full jitter spreads over the whole range, not just near the ceiling.
            assert!(delays.iter().any(|&d| d < ceiling / 2) && delays.iter().any(|&d| d >= ceiling / 2), "attempt {attempt}");
        }
        assert!(backoff_delay(Duration::from_secs(60), 40) <= Duration::from_secs(60) * (1 << 16));
    }

    #[test]
    fn only_gateway_errors_and_failed_connections_are_transient() {
        let status = |s| Ok(Response { status: s, body: Zeroizing::new(vec![]) });
        for transient in [502, 503, 504] {
            assert!(is_transient(&status(transient)), "{transient}");
        }
        for not in [200, 301, 400, 401, 404, 429, 500] {
            assert!(!is_transient(&status(not)), "{not}");
        }
        assert!(is_transient(&Err(Error::new(GG_NETWORK, "refused"))));
        assert!(!is_transient(&Err(Error::new(GG_TIMEOUT, "slow"))));
        assert!(!is_transient(&Err(Error::new(GG_TLS, "bad cert"))));
        assert!(!is_transient(&Err(Error::new(GG_BAD_RESPONSE, "garbage"))));
    }

    #[test]
    fn sign_in_flows_never_retry_but_gets_may() {
        assert_eq!(Retry::for_method(&Method::GET), Retry::IfTransient);
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            assert_eq!(Retry::for_method(&method), Retry::Never);
        }
    }

    #[test]
    fn plain_http_only_on_loopback() {
        for ok in ["https://kend.elixir.app", "http://127.0.0.1:8080", "http://127.8.9.10", "http://localhost:1/", "http://[::1]:9000", "https://10.0.0.1/api"] {
            assert!(BaseUrl::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["http://example.com", "http://10.0.0.1", "http://192.168.1.1:80", "ftp://localhost", "not a url", "", "https://", "http://localhost.evil.com"] {
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
