//! GameGate's HTTP/1.1 client. Each client has one I/O thread (`reactor`) that drives all
//! of its connections without blocking; `connection` is one socket (plain or TLS),
//! `response` reads an answer as its bytes arrive, `retry` decides when to try again.

#[cfg(target_os = "android")]
pub(crate) mod android_verifier;
mod check_by_deadline;
mod connection;
mod lookup;
pub mod proxy;
mod reactor;
mod readiness;
pub mod response;
pub mod retry;
pub mod trust;

pub(crate) use check_by_deadline::checks_end_by;
pub(crate) use connection::TlsSettings;
pub use lookup::Resolver;
pub use reactor::Aborter;
pub(crate) use reactor::{Alarm, Exchange, OnDone, ReactorHandle, Rewrite, Settings};

/// The methods the services use.
#[allow(clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    GET,
    POST,
    PUT,
    PATCH,
    DELETE,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::GET => "GET",
            Method::POST => "POST",
            Method::PUT => "PUT",
            Method::PATCH => "PATCH",
            Method::DELETE => "DELETE",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `host[:port]` or `[v6][:port]` (a URL's authority without user info); the host must be a
/// plausible DNS name or IP literal, an IPv6 literal keeps its brackets, a port is 1..=65535.
pub(crate) fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')?;
        let (host, rest) = authority.split_at(end + 1);
        host[1..end].parse::<std::net::Ipv6Addr>().ok()?;
        match rest {
            "" => (host, None),
            _ => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        Some(digits) => Some(digits.parse::<u16>().ok().filter(|&p| p != 0)?),
        None => None,
    };
    let plausible = !host.is_empty() && (host.starts_with('[') || host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'));
    plausible.then_some((host, port))
}

#[cfg(test)]
mod tests;
