//! Misbehaviour at the socket level, for GameGate's fault suite. A base URL of
//! `http://127.0.0.1:PORT/_faults/<case>` makes every request of a client hit `<case>`:
//!
//! | case | what the server does | what GameGate must report |
//! |---|---|---|
//! | `close-without-answer` | reads the request, closes | `GG_NETWORK` |
//! | `reset-mid-headers` | half a status line and header, then a TCP reset | `GG_NETWORK` |
//! | `truncated-body` | `Content-Length: 1000`, 20 bytes, close | `GG_NETWORK` |
//! | `slow-headers` | one header byte every 100 ms | `GG_TIMEOUT` |
//! | `huge-body` | a 64 MiB body, streamed | `GG_BAD_RESPONSE`, memory bounded |
//! | `invalid-json` | 200 with a cut-off JSON document | `GG_BAD_RESPONSE` |
//! | `wrong-types` | 200 with JSON of the wrong types | `GG_BAD_RESPONSE` |
//! | `html-500` | 500 with an HTML page | `GG_HTTP_STATUS` 500 |
//! | `redirect-to-http` | 302 to the plain-HTTP emulator | `GG_HTTP_STATUS` 302, not followed |
//! | `chunked` | the real answer, chunked | success |
//! | `chunked-bare-lf` | the real answer, chunked, its framing lines ended by a bare LF (RFC 9112 §2.2 lets a recipient accept it) | success |
//! | `continue-with-fields` | a `100 Continue` and a `103 Early Hints`, each with header fields, then the real answer | success |
//! | `gzip` | the real answer, gzip-encoded | success |
//! | `drop-reused` | answers the first request of a connection; reads a later one and closes unanswered | `GG_NETWORK` "may have been processed", never sent twice unless repeatable and within the retry budget |
//! | `forget-idle` | answers a connection's requests while it is busy; one that sat idle for 150 ms or more is forgotten, as a carrier's NAT forgets it: a request on it is read and never answered, no FIN, no RST, until the client gives up | the request times out, unless the connection was retired before it was reused |
//! | `trickle` | the real answer, its body in 30 pieces 30 ms apart | success, the I/O thread asleep between pieces |

use crate::exchange::Reply;
use std::io::{self, Write};
use std::time::Duration;

pub enum SocketFault {
    CloseWithoutAnswer,
    /// Silence until the client closes the connection (or a minute passes).
    Forgotten,
    ResetMidHeaders,
    TruncatedBody,
    SlowHeaders,
    HugeBody,
    Chunked(Reply),
    ChunkedBareLineFeeds(Reply),
    InterimWithFields(Reply),
    Gzip(Reply),
    Trickle(Reply),
}

/// How many pieces the `trickle` case sends its body in.
pub const TRICKLE_PIECES: usize = 30;

/// What the emulator answers a request with.
pub enum Outcome {
    Reply(Reply),
    Socket(SocketFault),
}

pub const HUGE_BODY_BYTES: usize = 64 * 1024 * 1024;

/// How long a connection of the `forget-idle` case may sit idle before it is forgotten.
pub const FORGET_IDLE_AFTER: Duration = Duration::from_millis(150);

/// Splits `/_faults/<case>/rest` into the case and the rest of the path.
pub fn parse(path: &str) -> Option<(&str, String)> {
    let tail = path.strip_prefix("/_faults/")?;
    let (case, rest) = tail.split_once('/').unwrap_or((tail, ""));
    Some((case, format!("/{rest}")))
}

/// The faults that are ordinary HTTP answers, by case name.
pub fn http_reply(case: &str, plain_http_url: &str) -> Option<Reply> {
    match case {
        "invalid-json" => Some(Reply::raw(200, r#"{"session_id": "cut-off", "user_id": "#, "application/json")),
        "wrong-types" => Some(Reply::raw(200, r#"{"session_id": 42, "user_id": ["a"], "wallet_address": {"x": 1}}"#, "application/json")),
        "html-500" => Some(Reply::raw(500, "<html><body><h1>500 Internal Server Error</h1>nginx</body></html>", "text/html")),
        "redirect-to-http" => {
            let mut reply = Reply::raw(302, "", "text/plain");
            reply.location = Some(format!("{plain_http_url}/s2s/session/"));
            Some(reply)
        }
        _ => None,
    }
}

impl SocketFault {
    /// Does the damage on the connection; the connection is closed afterwards.
    pub fn perform<S: Write>(self, stream: &mut S, reset: &dyn Fn()) -> io::Result<()> {
        match self {
            SocketFault::CloseWithoutAnswer | SocketFault::Forgotten => Ok(()),
            SocketFault::ResetMidHeaders => {
                stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Ty")?;
                stream.flush()?;
                reset();
                Ok(())
            }
            SocketFault::TruncatedBody => {
                stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"session_id\":\"trun")?;
                stream.flush()
            }
            SocketFault::SlowHeaders => {
                stream.write_all(b"HTTP/1.1 200 OK\r\n")?;
                for byte in b"Content-Type: application/json\r\nX-Slow: ".iter().cycle().take(300) {
                    stream.write_all(&[*byte])?;
                    stream.flush()?;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Ok(())
            }
            SocketFault::HugeBody => {
                write!(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {HUGE_BODY_BYTES}\r\n\r\n")?;
                let chunk = vec![b' '; 64 * 1024];
                for _ in 0..HUGE_BODY_BYTES / chunk.len() {
                    stream.write_all(&chunk)?; // fails once the client hangs up
                }
                stream.flush()
            }
            SocketFault::Chunked(reply) => write_chunked(stream, &reply, "\r\n"),
            SocketFault::ChunkedBareLineFeeds(reply) => write_chunked(stream, &reply, "\n"),
            SocketFault::InterimWithFields(reply) => {
                stream.write_all(b"HTTP/1.1 100 Continue\r\nX-Note: keep waiting\r\n\r\n")?;
                stream.write_all(b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n")?;
                stream.flush()?;
                write!(stream, "HTTP/1.1 {} OK\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n", reply.status, reply.content_type, reply.body.len())?;
                stream.write_all(&reply.body)?;
                stream.flush()
            }
            SocketFault::Trickle(reply) => {
                write!(stream, "HTTP/1.1 {} OK\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n", reply.status, reply.content_type, reply.body.len())?;
                stream.flush()?;
                for piece in reply.body.chunks(reply.body.len().div_ceil(TRICKLE_PIECES).max(1)) {
                    std::thread::sleep(Duration::from_millis(30));
                    stream.write_all(piece)?;
                    stream.flush()?;
                }
                Ok(())
            }
            SocketFault::Gzip(reply) => {
                let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                encoder.write_all(&reply.body)?;
                let body = encoder.finish()?;
                write!(
                    stream,
                    "HTTP/1.1 {} OK\r\nContent-Type: {}\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
                    reply.status,
                    reply.content_type,
                    body.len()
                )?;
                stream.write_all(&body)?;
                stream.flush()
            }
        }
    }
}

/// The answer in three chunks, every framing line ended by `line_end`.
fn write_chunked<S: Write>(stream: &mut S, reply: &Reply, line_end: &str) -> io::Result<()> {
    write!(stream, "HTTP/1.1 {} OK\r\nContent-Type: {}\r\nTransfer-Encoding: chunked\r\n\r\n", reply.status, reply.content_type)?;
    for piece in reply.body.chunks(reply.body.len().div_ceil(3).max(1)) {
        write!(stream, "{:x}{line_end}", piece.len())?;
        stream.write_all(piece)?;
        stream.write_all(line_end.as_bytes())?;
    }
    write!(stream, "0{line_end}{line_end}")?;
    stream.flush()
}
