//! A small HTTP/1.1 server on loopback: one thread per connection, keep-alive, Content-Length
//! and chunked request bodies. Written by hand because tiny_http's shared thread pool could
//! park a new keep-alive connection behind long-lived ones: under a burst of 16 connections,
//! some requests waited the client's whole 10 s timeout without being read.

use crate::exchange::{Exchange, Reply};
use crate::socket_faults::{Outcome, SocketFault};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

const MAX_HEAD_BYTES: usize = 64 * 1024;
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// An idle keep-alive connection is closed after this long, so its thread ends.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

pub type Handler = Arc<dyn Fn(Exchange) -> Outcome + Send + Sync>;

/// `Some` serves HTTPS with this configuration.
pub type Tls = Option<Arc<rustls::ServerConfig>>;

pub struct Server {
    host: std::net::IpAddr,
    port: u16,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(host: std::net::IpAddr, port: u16, handler: Handler, tls: Tls) -> io::Result<Server> {
        let listener = TcpListener::bind((host, port))?;
        let port = listener.local_addr()?.port();
        let stopping = Arc::new(AtomicBool::new(false));
        let stop = stopping.clone();
        let acceptor = thread::Builder::new().name("emulator-accept".into()).spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::Acquire) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (handler, tls) = (handler.clone(), tls.clone());
                let _ = thread::Builder::new().name("emulator-connection".into()).spawn(move || accept(stream, &handler, tls));
            }
        })?;
        let host = if host.is_unspecified() { std::net::Ipv4Addr::LOCALHOST.into() } else { host };
        Ok(Server { host, port, stopping, acceptor: Some(acceptor) })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Blocks until the server stops (for the command-line emulator: until it is killed).
    pub fn wait(mut self) {
        if let Some(handle) = self.acceptor.take() {
            let _ = handle.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::Release);
        // Wake the blocked accept so the thread sees the flag.
        let _ = TcpStream::connect((self.host, self.port));
        if let Some(handle) = self.acceptor.take() {
            let _ = handle.join();
        }
    }
}

fn accept(stream: TcpStream, handler: &Handler, tls: Tls) {
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let Ok(raw) = stream.try_clone() else { return };
    // A fault that resets the connection needs the socket itself, under any TLS layer.
    let reset = move || {
        let _ = socket2::SockRef::from(&raw).set_linger(Some(Duration::ZERO));
        let _ = raw.shutdown(Shutdown::Both);
    };
    match tls {
        None => serve_connection(stream, handler, &reset),
        Some(config) => {
            let Ok(connection) = rustls::ServerConnection::new(config) else { return };
            serve_connection(rustls::StreamOwned::new(connection, stream), handler, &reset);
        }
    }
}

fn serve_connection<S: Read + Write>(stream: S, handler: &Handler, reset: &dyn Fn()) {
    let mut reader = BufReader::new(stream);
    let mut served = 0;
    let mut answered_at: Option<Instant> = None;
    loop {
        let (reply, keep_alive) = match read_request(&mut reader) {
            Ok(Some((mut exchange, keep_alive))) => match {
                served += 1;
                exchange.on_connection = served;
                exchange.idle_before = answered_at.map(|at| at.elapsed()).unwrap_or_default();
                handler(exchange)
            } {
                Outcome::Reply(reply) => (reply, keep_alive),
                Outcome::Socket(SocketFault::Forgotten) => {
                    // Nothing goes back: read (and drop) until the client closes or the idle
                    // timeout ends it.
                    let mut sink = [0u8; 1024];
                    while matches!(reader.read(&mut sink), Ok(n) if n > 0) {}
                    return;
                }
                Outcome::Socket(fault) => {
                    let _ = fault.perform(reader.get_mut(), reset);
                    return; // dropping the stream closes the connection
                }
            },
            Ok(None) => return, // the client closed the connection
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                (Reply::json(400, serde_json::json!({"code": "BAD_REQUEST", "message": e.to_string()})), false)
            }
            Err(_) => return,
        };
        if write_reply(reader.get_mut(), &reply, keep_alive).is_err() || !keep_alive {
            return;
        }
        answered_at = Some(Instant::now());
    }
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_string())
}

/// One request off the connection, and whether the connection stays open after it.
fn read_request<S: Read>(reader: &mut BufReader<S>) -> io::Result<Option<(Exchange, bool)>> {
    let mut head_bytes = 0;
    let mut line = String::new();
    if read_line(reader, &mut line, &mut head_bytes)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid("malformed request line"));
    };
    let (method, target, http_1_0) = (method.to_ascii_uppercase(), target.to_string(), version == "HTTP/1.0");
    let mut headers = Vec::new();
    loop {
        line.clear();
        if read_line(reader, &mut line, &mut head_bytes)? == 0 {
            return Err(invalid("connection closed inside the request head"));
        }
        let text = line.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        let (name, value) = text.split_once(':').ok_or_else(|| invalid("malformed header line"))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let header = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.to_ascii_lowercase());
    let body = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        read_chunked(reader)?
    } else {
        let length: usize = header("content-length").map(|v| v.parse().map_err(|_| invalid("bad content-length"))).transpose()?.unwrap_or(0);
        if length > MAX_BODY_BYTES {
            return Err(invalid("request body too large"));
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        body
    };
    let connection = header("connection").unwrap_or_default();
    let keep_alive = if http_1_0 { connection.contains("keep-alive") } else { !connection.contains("close") };
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target, String::new()),
    };
    Ok(Some((Exchange { method, path, query, headers, body, on_connection: 0, idle_before: Duration::ZERO }, keep_alive)))
}

fn read_line<S: Read>(reader: &mut BufReader<S>, line: &mut String, head_bytes: &mut usize) -> io::Result<usize> {
    let n = reader.by_ref().take((MAX_HEAD_BYTES - *head_bytes) as u64 + 1).read_line(line)?;
    *head_bytes += n;
    if *head_bytes > MAX_HEAD_BYTES {
        return Err(invalid("request head too large"));
    }
    Ok(n)
}

fn read_chunked<S: Read>(reader: &mut BufReader<S>) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut head_bytes = 0;
    loop {
        let mut line = String::new();
        read_line(reader, &mut line, &mut head_bytes)?;
        let size_text = line.trim().split(';').next().unwrap_or("");
        let size = usize::from_str_radix(size_text, 16).map_err(|_| invalid("bad chunk size"))?;
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                line.clear();
                if read_line(reader, &mut line, &mut head_bytes)? == 0 || line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        if body.len() + size > MAX_BODY_BYTES {
            return Err(invalid("request body too large"));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        let mut crlf = [0; 2];
        reader.read_exact(&mut crlf)?;
    }
}

fn write_reply<W: Write>(writer: &mut W, reply: &Reply, keep_alive: bool) -> io::Result<()> {
    let location = reply.location.as_ref().map(|l| format!("Location: {l}\r\n")).unwrap_or_default();
    let retry_after = reply.retry_after.as_ref().map(|v| format!("Retry-After: {v}\r\n")).unwrap_or_default();
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{location}{retry_after}Connection: {}\r\n\r\n",
        reply.status,
        reason(reply.status),
        reply.content_type,
        reply.body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    );
    let mut out = Vec::with_capacity(head.len() + reply.body.len());
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(&reply.body);
    writer.write_all(&out)?;
    writer.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}
