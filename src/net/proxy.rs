//! HTTP proxies: `http://[user:password@]host:port`, as a server in a data centre or a build
//! farm reaches the internet. HTTPS goes through a CONNECT tunnel (TLS to the service inside
//! it, the service's certificate checked as usual); plain HTTP (loopback only) is sent to the
//! proxy in absolute form. The credentials are secrets: kept wiped, sent only to the proxy,
//! never in a log line or an error text. `HTTPS_PROXY`/`https_proxy`, `http_proxy` and
//! `NO_PROXY`/`no_proxy` are read the way curl reads them.

use crate::error::{Error, GG_HTTP_STATUS, GG_NETWORK};
use crate::secret::{Secret, SecretBytes};

/// Where requests go instead of the service, and who they say they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyUrl {
    /// As written: an IPv6 literal keeps its brackets.
    pub host: String,
    pub port: u16,
    /// `user:password`, percent-decoded.
    pub credentials: Option<Secret>,
}

/// curl's default port for an `http://` proxy.
const DEFAULT_PORT: u16 = 1080;
/// The longest proxy reply head read while opening a tunnel.
const MAX_REPLY_HEAD: usize = 16 * 1024;

impl ProxyUrl {
    /// `http://[user:password@]host[:port]`; errors never repeat the URL (it may hold a password).
    pub fn parse(url: &str) -> Result<ProxyUrl, Error> {
        let trimmed = url.trim().trim_end_matches('/');
        let rest = match trimmed.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some((scheme, _)) => {
                return Err(Error::invalid(format!(
                    "proxy scheme {:?} is not supported: use an http:// proxy (HTTPS still goes through it, in a CONNECT tunnel)",
                    scheme.chars().take(16).collect::<String>()
                )))
            }
            None => trimmed, // "host:port", as curl takes it
        };
        if rest.contains(['/', '?', '#']) {
            return Err(Error::invalid("the proxy URL must be http://[user:password@]host:port, without a path"));
        }
        let (credentials, authority) = match rest.rsplit_once('@') {
            Some((userinfo, authority)) => {
                let decoded = percent_decode(userinfo).ok_or_else(|| Error::invalid("the proxy user name or password is not valid percent-encoded UTF-8"))?;
                (Some(Secret::new(decoded)), authority)
            }
            None => (None, rest),
        };
        let (host, port) = super::split_host_port(authority).ok_or_else(|| Error::invalid("the proxy URL has no valid host[:port]"))?;
        Ok(ProxyUrl { host: host.to_ascii_lowercase(), port: port.unwrap_or(DEFAULT_PORT), credentials })
    }

    /// The proxy the environment names for a service URL of this kind, as curl picks it:
    /// `https_proxy` then `HTTPS_PROXY` for HTTPS; only lowercase `http_proxy` for plain HTTP
    /// (an uppercase one can be set by a web server's CGI environment). Empty means none.
    pub fn from_environment(https: bool) -> Result<Option<ProxyUrl>, Error> {
        let names: &[&str] = if https { &["https_proxy", "HTTPS_PROXY"] } else { &["http_proxy"] };
        match names.iter().find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty())) {
            Some(url) => ProxyUrl::parse(&url).map(Some),
            None => Ok(None),
        }
    }

    /// `Proxy-Authorization: Basic ...` for the credentials, if any.
    pub fn authorization(&self) -> Option<Secret> {
        self.credentials.as_ref().map(|c| Secret::new(format!("Basic {}", base64(c.expose().as_bytes()))))
    }

    /// The CONNECT request that opens a tunnel to `host:port` (host as written in URLs).
    pub fn connect_request(&self, host: &str, port: u16, user_agent: &str) -> SecretBytes {
        let mut bytes = SecretBytes::with_capacity(256);
        let target = format!("{host}:{port}");
        bytes.extend_from_slice(format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\nUser-Agent: {user_agent}\r\n").as_bytes());
        if let Some(value) = self.authorization() {
            bytes.extend_from_slice(b"Proxy-Authorization: ");
            bytes.extend_from_slice(value.expose().as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"\r\n");
        bytes
    }
}

/// Whether `NO_PROXY`/`no_proxy` (comma-separated: `*`, host names matching themselves and
/// their subdomains, IP addresses, IPv4 CIDR blocks) exempts `host`.
pub fn exempted_by_environment(host: &str) -> bool {
    let list = std::env::var("no_proxy").or_else(|_| std::env::var("NO_PROXY")).unwrap_or_default();
    exempted(&list, host)
}

pub fn exempted(no_proxy: &str, host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']').trim_end_matches('.').to_ascii_lowercase();
    no_proxy.split(',').map(str::trim).filter(|entry| !entry.is_empty()).any(|entry| {
        if entry == "*" {
            return true;
        }
        let entry = entry.trim_start_matches('[').trim_start_matches('.').trim_end_matches(']').to_ascii_lowercase();
        if let Some((network, bits)) = entry.split_once('/') {
            return in_ipv4_block(&host, network, bits);
        }
        host == entry || host.ends_with(&format!(".{entry}"))
    })
}

fn in_ipv4_block(host: &str, network: &str, bits: &str) -> bool {
    let (Ok(host), Ok(network), Ok(bits)) = (host.parse::<std::net::Ipv4Addr>(), network.parse::<std::net::Ipv4Addr>(), bits.parse::<u32>()) else {
        return false;
    };
    if bits > 32 {
        return false;
    }
    let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
    u32::from(host) & mask == u32::from(network) & mask
}

/// Reads a proxy's answer to CONNECT as it arrives: `Ok(None)` until its head is whole,
/// `Ok(Some(()))` when the tunnel is open, or why the proxy would not open it.
#[derive(Default)]
pub struct TunnelReply {
    head: Vec<u8>,
}

impl TunnelReply {
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Option<()>, Error> {
        self.head.extend_from_slice(bytes);
        let Some(end) = self.head.windows(4).position(|w| w == b"\r\n\r\n") else {
            if self.head.len() > MAX_REPLY_HEAD {
                return Err(Error::new(GG_NETWORK, "the proxy's answer to CONNECT is not HTTP (no end of head in 16 KiB)"));
            }
            return Ok(None);
        };
        let first_line = String::from_utf8_lossy(&self.head[..self.head.iter().position(|&b| b == b'\r').unwrap_or(end)]).into_owned();
        let mut words = first_line.splitn(3, ' ');
        let (version, status) = (words.next().unwrap_or_default(), words.next().and_then(|s| s.parse::<u16>().ok()));
        let Some(status) = status.filter(|_| version.starts_with("HTTP/1.")) else {
            return Err(Error::new(GG_NETWORK, "the proxy's answer to CONNECT is not HTTP/1.x"));
        };
        if (200..300).contains(&status) {
            if end + 4 != self.head.len() {
                return Err(Error::new(GG_NETWORK, "the proxy sent bytes after opening the tunnel, before the tunnel was used"));
            }
            return Ok(Some(()));
        }
        let reason: String = words.next().unwrap_or_default().chars().filter(|c| !c.is_control()).take(80).collect();
        let why = match status {
            // tinyproxy, for one, answers wrong credentials with 401.
            401 | 407 => "the proxy requires authentication: give user:password in the proxy URL (or they were refused)",
            403 => "the proxy refused the tunnel to the service (HTTP 403: not allowed by its rules)",
            _ => "the proxy could not open a tunnel to the service",
        };
        Err(Error::new(GG_HTTP_STATUS, format!("{why}; it answered HTTP {status} {reason}").trim_end().to_string()).with_status(status))
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Standard base64 with padding (RFC 4648), for `Basic` credentials.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let n = (u32::from(chunk[0]) << 16) | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8) | u32::from(*chunk.get(2).unwrap_or(&0));
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            out.push(if i <= chunk.len() { ALPHABET[((n >> shift) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls_are_read_as_curl_reads_them_and_errors_never_repeat_them() {
        let p = ProxyUrl::parse("http://alice:p%40ss%3Aword@Proxy.Corp:3128/").unwrap();
        assert_eq!((p.host.as_str(), p.port), ("proxy.corp", 3128));
        assert_eq!(p.credentials.as_ref().unwrap().expose(), "alice:p@ss:word");
        assert_eq!(ProxyUrl::parse("10.0.0.1").unwrap().port, 1080);
        assert_eq!(ProxyUrl::parse("http://[::1]:8080").unwrap().host, "[::1]");
        for bad in ["https://secret-pass@proxy:1", "socks5://u:secret-pass@proxy:1", "http://u:secret-pass@proxy:99999", "http://u:secret-pass@proxy:1/path", "http://u:secret-pass@", "http://u:secret%zz@proxy:1"] {
            let error = ProxyUrl::parse(bad).unwrap_err();
            assert!(!error.message.contains("secret"), "{bad}: {}", error.message);
        }
    }

    #[test]
    fn basic_credentials_are_base64_of_user_colon_password() {
        assert_eq!(base64(b"Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b""), "");
        let p = ProxyUrl::parse("http://Aladdin:open%20sesame@p:1").unwrap();
        assert_eq!(p.authorization().unwrap().expose(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        let connect = p.connect_request("kend.elixir.app", 443, "gamegate/0");
        assert!(connect.starts_with(b"CONNECT kend.elixir.app:443 HTTP/1.1\r\nHost: kend.elixir.app:443\r\n"));
        assert!(connect.ends_with(b"Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n"));
    }

    #[test]
    fn no_proxy_matches_hosts_their_subdomains_addresses_and_blocks() {
        let list = "localhost, .internal.example, 10.0.0.0/8,[::1],192.168.1.7";
        for host in ["localhost", "api.internal.example", "internal.example", "10.1.2.3", "[::1]", "192.168.1.7"] {
            assert!(exempted(list, host), "{host}");
        }
        for host in ["kend.elixir.app", "notinternal.example", "11.0.0.1", "192.168.1.8", "localhost.evil.com"] {
            assert!(!exempted(list, host), "{host}");
        }
        assert!(exempted("*", "anything"));
        assert!(!exempted("", "anything"));
    }

    #[test]
    fn a_tunnel_opens_on_2xx_and_a_refusal_says_it_was_the_proxy() {
        let mut reply = TunnelReply::default();
        assert_eq!(reply.feed(b"HTTP/1.1 200 Connection established\r\n").unwrap(), None);
        assert_eq!(reply.feed(b"\r\n").unwrap(), Some(()));
        for (head, status) in [(&b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n"[..], 407), (b"HTTP/1.0 403 Forbidden\r\n\r\n", 403), (b"HTTP/1.1 502 Bad Gateway\r\n\r\n", 502)] {
            let error = TunnelReply::default().feed(head).unwrap_err();
            assert_eq!((error.code, error.http_status), (GG_HTTP_STATUS, status));
            assert!(error.message.contains("proxy"), "{}", error.message);
        }
        assert_eq!(TunnelReply::default().feed(b"SSH-2.0-OpenSSH\r\n\r\n").unwrap_err().code, GG_NETWORK);
        assert_eq!(TunnelReply::default().feed(b"HTTP/1.1 200 OK\r\n\r\nextra").unwrap_err().code, GG_NETWORK);
    }
}
