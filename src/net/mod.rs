//! GameGate's HTTP/1.1 client. Each client has one I/O thread (`reactor`) that drives all
//! of its connections without blocking; `connection` is one socket (plain or TLS),
//! `response` reads an answer as its bytes arrive, `retry` decides when to try again.

mod connection;
mod lookup;
pub mod proxy;
mod reactor;
mod readiness;
pub mod response;
pub mod retry;

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

#[cfg(test)]
mod tests;
