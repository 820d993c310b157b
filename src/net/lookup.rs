//! Looking up the service's host name, and the order its addresses are tried in.
//!
//! The system's resolver (`getaddrinfo`) blocks, so the I/O thread runs it on a short-lived
//! thread of its own; the request's deadline covers the wait (a resolver that never answers
//! ends the request with `GG_TIMEOUT`, not a hang). Tests put their own resolver in `Options`.

use crate::error::{Error, GG_NETWORK};
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;

type LookupFn = dyn Fn(&str, u16) -> std::io::Result<Vec<SocketAddr>> + Send + Sync;

/// Turns a host name into addresses.
#[derive(Clone)]
pub struct Resolver(Arc<LookupFn>);

impl Resolver {
    /// The operating system's resolver.
    pub fn system() -> Resolver {
        Resolver(Arc::new(|host: &str, port: u16| (host, port).to_socket_addrs().map(Iterator::collect)))
    }

    /// A resolver of the caller's (tests: one that is slow, or never answers).
    #[cfg(test)]
    pub fn custom(lookup: impl Fn(&str, u16) -> std::io::Result<Vec<SocketAddr>> + Send + Sync + 'static) -> Resolver {
        Resolver(Arc::new(lookup))
    }

    /// Blocks while the lookup runs; never called on the I/O thread.
    pub fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, Error> {
        match (self.0)(host, port) {
            Ok(list) if !list.is_empty() => Ok(list),
            _ => Err(Error::new(GG_NETWORK, "the host name could not be resolved")),
        }
    }
}

impl Default for Resolver {
    fn default() -> Resolver {
        Resolver::system()
    }
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Resolver")
    }
}

/// The order to try addresses in (RFC 8305 §4): the resolver's first answer first, then the
/// families alternating, so a broken IPv6 path costs one fallback delay, not one per address.
pub fn in_connect_order(addresses: Vec<SocketAddr>) -> Vec<SocketAddr> {
    let first_is_v6 = addresses.first().is_some_and(SocketAddr::is_ipv6);
    let (mut preferred, mut other): (Vec<_>, Vec<_>) = addresses.into_iter().partition(|a| a.is_ipv6() == first_is_v6);
    preferred.reverse();
    other.reverse();
    let mut ordered = Vec::with_capacity(preferred.len() + other.len());
    loop {
        match (preferred.pop(), other.pop()) {
            (None, None) => return ordered,
            (a, b) => ordered.extend(a.into_iter().chain(b)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_alternate_from_the_first_answer() {
        let v6 = |n: u16| SocketAddr::from(([0, 0, 0, 0, 0, 0, 0, n], 443));
        let v4 = |n: u8| SocketAddr::from(([127, 0, 0, n], 443));
        assert_eq!(in_connect_order(vec![v6(1), v6(2), v6(3), v4(1)]), vec![v6(1), v4(1), v6(2), v6(3)]);
        assert_eq!(in_connect_order(vec![v4(1), v4(2), v6(1)]), vec![v4(1), v6(1), v4(2)]);
        assert_eq!(in_connect_order(vec![]), Vec::<SocketAddr>::new());
    }
}
