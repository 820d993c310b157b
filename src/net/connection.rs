//! One non-blocking connection to the service, plain or TLS: connects, writes a request's
//! bytes in one go and hands the answer's bytes to whoever reads it. Never blocks; every
//! method does what the socket allows now and says why it stopped.

use crate::error::{Error, GG_NETWORK, GG_TIMEOUT};
use mio::net::TcpStream;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection};
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use crate::secret::{wipe, SecretBytes};
use super::proxy::TunnelReply;

/// Why reading stopped. Reading always goes on until the socket has nothing more (mio's
/// rule: on Windows a socket is watched again only after an operation returned
/// `WouldBlock`), so the next answer on a kept-alive connection still raises an event.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ReadEnd {
    /// Nothing more to read now; wait for the next readiness event.
    WouldBlock,
    /// The peer closed the connection (over TLS: with close_notify).
    Closed,
    /// The peer closed a TLS connection without close_notify: an attacker on the path can
    /// cause that, so a body that runs until the close cannot be trusted to be whole.
    Cut,
}

pub(crate) struct Connection {
    pub socket: TcpStream,
    tls: Option<Box<ClientConnection>>,
    /// Plaintext of a plain connection not yet written (a TLS one keeps it in rustls).
    out: SecretBytes,
    out_sent: usize,
    /// Set when a socket operation returned `WouldBlock`: the point where Windows watches the
    /// socket again. Taken by the one-shot readiness check of debug builds (`readiness.rs`).
    pub blocked: bool,
    /// Some byte went out since the last `queue`: from then on the server may have the
    /// request, and sending it again could do its work twice.
    pub request_sent: bool,
    /// The last read emptied the socket (it returned `WouldBlock`): readiness is armed, so
    /// anything the server sends or a close it makes from now on is reported as an event, and
    /// the idle connection's handler sees it. Reuse then needs no look at the socket.
    drained: bool,
    /// Through an HTTP proxy, until the proxy has opened the tunnel: TLS starts after it.
    tunnel: Option<Tunnel>,
    /// Who checks certificates on this connection (`TlsSettings::checked_by`).
    checked_by: &'static str,
}

/// A CONNECT request on its way to the proxy, and the proxy's answer as it arrives.
struct Tunnel {
    request: SecretBytes,
    sent: usize,
    reply: TunnelReply,
}

/// TLS settings of the origin, shared by its connections.
#[derive(Clone)]
pub(crate) struct TlsSettings {
    pub config: Arc<ClientConfig>,
    pub server_name: ServerName<'static>,
    /// Who checks the server's certificate ("the OS trust store"), for a refusal's message.
    pub checked_by: &'static str,
}

impl Connection {
    /// Starts a non-blocking connect; readiness tells when it is done (`check_connected`).
    /// With `connect_request`, the peer is an HTTP proxy: `advance_tunnel` opens the tunnel
    /// to the service before anything else is sent.
    pub fn open(addr: SocketAddr, tls: Option<&TlsSettings>, connect_request: Option<&SecretBytes>) -> Result<Connection, Error> {
        let socket = TcpStream::connect(addr).map_err(|e| map_io_error(&e))?;
        let checked_by = tls.map_or("", |settings| settings.checked_by);
        let tls = match tls {
            Some(settings) => Some(Box::new(
                ClientConnection::new(settings.config.clone(), settings.server_name.clone()).map_err(|e| super::trust::describe(&e, settings.checked_by))?,
            )),
            None => None,
        };
        let tunnel = connect_request.map(|request| Tunnel { request: SecretBytes::new(request.to_vec()), sent: 0, reply: TunnelReply::default() });
        Ok(Connection { socket, tls, out: SecretBytes::default(), out_sent: 0, blocked: false, request_sent: false, drained: false, tunnel, checked_by })
    }

    /// Whether the proxy has yet to open the tunnel.
    pub fn tunnelling(&self) -> bool {
        self.tunnel.is_some()
    }

    /// Sends the CONNECT request and reads the proxy's answer as far as the socket allows:
    /// `Ok(true)` once the tunnel is open (TLS to the service may start).
    pub fn advance_tunnel(&mut self, buffer: &mut [u8]) -> Result<bool, Error> {
        let Some(tunnel) = self.tunnel.as_mut() else { return Ok(true) };
        while tunnel.sent < tunnel.request.len() {
            match self.socket.write(&tunnel.request[tunnel.sent..]) {
                Ok(0) => return Err(Error::new(GG_NETWORK, "the proxy closed the connection")),
                Ok(n) => tunnel.sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.blocked = true;
                    return Ok(false);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(map_io_error(&e)),
            }
        }
        // Read until the socket would block (mio's rule: on Windows the socket is watched
        // again only then). The proxy sends nothing after its answer until the client speaks
        // TLS, so a byte past the head is an error, never a TLS record lost.
        let mut open = false;
        loop {
            match self.socket.read(buffer) {
                Ok(0) => return Err(Error::new(GG_NETWORK, "the proxy closed the connection before the tunnel was used")),
                Ok(n) => {
                    let answered = match open {
                        true => Err(Error::new(GG_NETWORK, "the proxy sent bytes after opening the tunnel, before the tunnel was used")),
                        false => tunnel.reply.feed(&buffer[..n]),
                    };
                    wipe(&mut buffer[..n]);
                    open = answered?.is_some();
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.blocked = true;
                    if open {
                        self.tunnel = None;
                    }
                    return Ok(open);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(map_io_error(&e)),
            }
        }
    }

    /// After a readiness event on a connecting socket: true once connected.
    pub fn check_connected(&mut self) -> Result<bool, Error> {
        if let Ok(Some(e)) | Err(e) = self.socket.take_error() {
            return Err(map_io_error(&e));
        }
        match self.socket.peer_addr() {
            Ok(_) => {
                // Requests are written whole; Nagle's algorithm would only delay them.
                let _ = self.socket.set_nodelay(true);
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::NotConnected || still_connecting(&e) => Ok(false),
            Err(e) => Err(map_io_error(&e)),
        }
    }

    /// Queues a request's bytes; `flush` sends them.
    pub fn queue(&mut self, request: &[u8]) -> Result<(), Error> {
        self.request_sent = false;
        match &mut self.tls {
            // Before the handshake ends rustls keeps the plaintext and sends it right after.
            Some(tls) => tls.writer().write_all(request).map_err(|e| map_io_error(&e)),
            None => {
                self.out.clear();
                self.out.extend_from_slice(request);
                self.out_sent = 0;
                Ok(())
            }
        }
    }

    /// Whether a TLS connection is still in its handshake (never for plain HTTP).
    pub fn is_handshaking(&self) -> bool {
        self.tls.as_ref().is_some_and(|tls| tls.is_handshaking())
    }

    /// Whether bytes wait for the socket to take them: only then is the connection watched
    /// for writability (a writable socket would otherwise report itself again and again).
    pub fn wants_write(&self) -> bool {
        if let Some(tunnel) = &self.tunnel {
            return tunnel.sent < tunnel.request.len();
        }
        match &self.tls {
            Some(tls) => tls.wants_write(),
            None => self.out_sent < self.out.len(),
        }
    }

    /// Writes what the socket takes now.
    pub fn flush(&mut self) -> Result<(), Error> {
        match &mut self.tls {
            Some(tls) => write_records(tls, &mut self.socket, &mut self.blocked, &mut self.request_sent)?,
            None => {
                while self.out_sent < self.out.len() {
                    match self.socket.write(&self.out[self.out_sent..]) {
                        Ok(0) => return Err(Error::new(GG_NETWORK, "the connection was reset")),
                        Ok(n) => {
                            self.out_sent += n;
                            self.request_sent = true;
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                            self.blocked = true;
                            break;
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(map_io_error(&e)),
                    }
                }
            }
        }
        Ok(())
    }

    /// Reads everything that has arrived, until the socket would block or closes, and hands
    /// the plaintext to `sink`. `buffer` is scratch space; what was read into it is wiped
    /// before this returns. Reading on to `WouldBlock` after a complete answer also sees a
    /// close the server sent right behind it (and Windows re-arms a socket only there).
    pub fn read(&mut self, buffer: &mut [u8], sink: &mut dyn FnMut(&[u8]) -> Result<(), Error>) -> Result<ReadEnd, Error> {
        match &mut self.tls {
            None => loop {
                match self.socket.read(buffer) {
                    Ok(0) => {
                        self.drained = false;
                        return Ok(ReadEnd::Closed);
                    }
                    Ok(n) => {
                        self.drained = false;
                        let taken = sink(&buffer[..n]);
                        wipe(&mut buffer[..n]);
                        taken?;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        self.blocked = true;
                        self.drained = true;
                        return Ok(ReadEnd::WouldBlock);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(map_io_error(&e)),
                }
            },
            Some(tls) => loop {
                let mut closed = false;
                let mut blocked = false;
                match tls.read_tls(&mut self.socket) {
                    Ok(0) => closed = true,
                    Ok(_) => self.drained = false,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => blocked = true,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(map_io_error(&e)),
                }
                let state = tls.process_new_packets().map_err(|e| super::trust::describe(&e, self.checked_by))?;
                let peer_closed = state.peer_has_closed();
                loop {
                    match tls.reader().read(buffer) {
                        Ok(0) => break,
                        Ok(n) => {
                            let taken = sink(&buffer[..n]);
                            wipe(&mut buffer[..n]);
                            taken?;
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        // The peer closed without close_notify: the end of the stream all the same.
                        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                            closed = true;
                            break;
                        }
                        Err(e) => return Err(map_io_error(&e)),
                    }
                }
                // The handshake (or a key update) may have something to answer.
                write_records(tls, &mut self.socket, &mut self.blocked, &mut self.request_sent)?;
                if peer_closed {
                    return Ok(ReadEnd::Closed);
                }
                if closed {
                    return Ok(ReadEnd::Cut);
                }
                if blocked {
                    self.blocked = true;
                    self.drained = true;
                    return Ok(ReadEnd::WouldBlock);
                }
            },
        }
    }
}

impl Connection {
    /// The last read emptied the socket.
    pub fn drained(&self) -> bool {
        self.drained
    }

    /// Still open with nothing unread, by a look at the socket (a server's idle close, or
    /// stray bytes, are seen here before a request is risked on it).
    pub fn is_open_and_quiet(&mut self) -> bool {
        let mut byte = [0u8; 1];
        loop {
            match self.socket.peek(&mut byte) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.blocked = true;
                    return true;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                _ => return false, // closed (0), something unread, or broken
            }
        }
    }
}

/// Sends the TLS records rustls has ready, as far as the socket takes them now.
fn write_records(tls: &mut ClientConnection, socket: &mut TcpStream, blocked: &mut bool, sent: &mut bool) -> Result<(), Error> {
    while tls.wants_write() {
        match tls.write_tls(socket) {
            Ok(n) => *sent |= n > 0,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                *blocked = true;
                break;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(map_io_error(&e)),
        }
    }
    Ok(())
}

/// What a failed socket operation means to a game programmer.
pub(crate) fn map_io_error(error: &io::Error) -> Error {
    use std::io::ErrorKind as K;
    match error.kind() {
        K::TimedOut => Error::new(GG_TIMEOUT, "the request timed out"),
        K::ConnectionRefused => Error::new(GG_NETWORK, "the connection was refused"),
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => Error::new(GG_NETWORK, "the connection was reset"),
        K::UnexpectedEof => Error::new(GG_NETWORK, "the connection closed before the response was complete"),
        _ => Error::new(GG_NETWORK, format!("network failure: {error}")),
    }
}


#[cfg(unix)]
fn still_connecting(error: &io::Error) -> bool {
    error.raw_os_error() == Some(libc::EINPROGRESS)
}

#[cfg(not(unix))]
fn still_connecting(_: &io::Error) -> bool {
    false
}
