//! Host name resolution for the HTTP agent. ureq's default resolver starts a thread for every
//! request (to bound `getaddrinfo` by the timeout), even when the request then reuses a pooled
//! connection: at one request in flight that thread dominated the cost (p99 of 7 ms on
//! loopback). Here an IP literal needs no lookup at all, and a name is looked up once a
//! minute per client.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a looked-up address is reused. Short enough to follow a DNS change promptly.
const CACHE_FOR: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
pub struct CachingResolver {
    lookup: DefaultResolver,
    cache: Mutex<HashMap<String, (ResolvedSocketAddrs, Instant)>>,
}

impl Resolver for CachingResolver {
    fn resolve(&self, uri: &Uri, config: &Config, timeout: NextTimeout) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let host = uri.host().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
        let port = uri.port_u16().unwrap_or(if uri.scheme_str() == Some("http") { 80 } else { 443 });
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            let mut addrs = self.empty();
            addrs.push(std::net::SocketAddr::new(ip, port));
            return Ok(addrs);
        }
        let key = format!("{host}:{port}");
        if let Some((addrs, at)) = self.cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            if at.elapsed() < CACHE_FOR {
                return Ok(addrs.clone());
            }
        }
        let addrs = self.lookup.resolve(uri, config, timeout)?;
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).insert(key, (addrs.clone(), Instant::now()));
        Ok(addrs)
    }
}
