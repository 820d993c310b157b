//! Reading one HTTP/1.1 response from bytes as they arrive: the head (through `httparse`),
//! then a body framed by Content-Length, chunked encoding or the end of the connection,
//! bounded by the client's body cap and decompressed when the server sent gzip.

use crate::error::{Error, GG_BAD_RESPONSE, GG_NETWORK};
use std::io::Read;
use crate::secret::SecretBytes;

/// A response head larger than this is an attack or a broken server, not an API answer.
const MAX_HEAD_BYTES: usize = 64 * 1024;
const MAX_HEADERS: usize = 64;

/// An HTTP response whose body was read in full (up to the cap).
pub struct Response {
    pub status: u16,
    /// Wiped when dropped: response bodies carry tokens.
    pub body: SecretBytes,
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

enum Framing {
    Length(u64),
    Chunked(Chunk),
    UntilClose,
}

enum Chunk {
    /// Reading a size line (hex digits, maybe `;extensions`) into `line`.
    Size,
    Data(u64),
    /// The CRLF after a chunk's data.
    DataEnd,
    /// Trailer lines after the last chunk, up to an empty line.
    Trailers,
}

enum State {
    Head,
    Body(Framing),
    Done,
}

/// Feeds on a connection's bytes; one per request.
pub(crate) struct ResponseReader {
    max_body: u64,
    state: State,
    /// The head while it is incomplete, then a chunk-size or trailer line.
    line: Vec<u8>,
    status: u16,
    gzip: bool,
    keep_alive: bool,
    /// Whether any byte of the response has arrived.
    started: bool,
    body: SecretBytes,
}

impl ResponseReader {
    pub fn new(max_body: u64) -> ResponseReader {
        ResponseReader {
            max_body,
            state: State::Head,
            line: Vec::new(),
            status: 0,
            gzip: false,
            keep_alive: true,
            started: false,
            body: SecretBytes::default(),
        }
    }

    pub fn started(&self) -> bool {
        self.started
    }

    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Whether the connection may carry another request once this response is done.
    pub fn keep_alive(&self) -> bool {
        self.keep_alive
    }

    /// The status, once the head has arrived (0 before).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Takes the bytes that arrived. Returns true once the response is complete; bytes past
    /// its end make the connection unusable for another request.
    pub fn feed(&mut self, mut data: &[u8]) -> Result<bool, Error> {
        if !data.is_empty() {
            self.started = true;
        }
        while !data.is_empty() {
            match &mut self.state {
                State::Done => {
                    self.keep_alive = false; // the server sent more than one answer
                    return Ok(true);
                }
                State::Head => {
                    let room = MAX_HEAD_BYTES.saturating_sub(self.line.len());
                    let take = data.len().min(room.max(1));
                    self.line.extend_from_slice(&data[..take]);
                    let ends_a_line = data[..take].contains(&b'\n');
                    data = &data[take..];
                    // A head ends with a line feed: without a new one, parsing again is futile.
                    let parsed = if ends_a_line { self.parse_head()? } else { None };
                    match parsed {
                        Some(rest_in_line) => {
                            // What followed the head in `line` belongs to the body.
                            let rest = self.line.split_off(self.line.len() - rest_in_line);
                            self.line.clear();
                            if !rest.is_empty() {
                                self.feed_body_bytes(&rest)?;
                            }
                        }
                        None if self.line.len() >= MAX_HEAD_BYTES => {
                            return Err(protocol("the response head is larger than 64 KiB"));
                        }
                        None => {}
                    }
                }
                State::Body(_) => {
                    self.feed_body_bytes(data)?;
                    data = &[];
                }
            }
        }
        Ok(self.is_done())
    }

    /// The connection ended. Completes a body that runs until the close; anything else
    /// that is unfinished is a truncated response.
    pub fn end_of_stream(&mut self) -> Result<(), Error> {
        self.keep_alive = false;
        match self.state {
            State::Done => Ok(()),
            State::Body(Framing::UntilClose) => {
                self.state = State::Done;
                Ok(())
            }
            // A head cut short may already be broken: say so rather than "truncated".
            State::Head if !self.line.is_empty() => {
                self.parse_head()?;
                Err(Error::new(GG_NETWORK, "the connection closed before the response was complete"))
            }
            _ => Err(Error::new(GG_NETWORK, "the connection closed before the response was complete")),
        }
    }

    /// The finished response, with a gzip body inflated (bounded by the same cap).
    pub fn into_response(mut self) -> Result<Response, Error> {
        let status = self.status;
        let body = std::mem::take(&mut self.body);
        if !self.gzip || body.is_empty() {
            return Ok(Response { status, body });
        }
        let mut inflated = SecretBytes::default();
        let mut decoder = flate2::read::GzDecoder::new(&body[..]).take(self.max_body + 1);
        decoder
            .read_to_end(&mut inflated)
            .map_err(|_| Error::new(GG_BAD_RESPONSE, "the gzip response body is corrupt").with_status(status))?;
        if inflated.len() as u64 > self.max_body {
            return Err(over_cap(self.max_body).with_status(status));
        }
        Ok(Response { status, body: inflated })
    }

    /// Parses `line` as a head. Returns how many of its bytes follow the head, or None when
    /// the head is still incomplete.
    fn parse_head(&mut self) -> Result<Option<usize>, Error> {
        // Interim answers (100 Continue, 103 Early Hints) come first: the real one follows.
        while self.interim_head()? {}
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut parsed = httparse::Response::new(&mut headers);
        let head_len = match parsed.parse(&self.line) {
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(e) => return Err(protocol(&format!("{e}"))),
        };
        let status = parsed.code.unwrap_or(0);
        if !(100..1000).contains(&status) {
            return Err(protocol(&format!("invalid status code {status}")));
        }
        let version = parsed.version.unwrap_or(1);
        let mut length = None;
        let mut chunked = false;
        let mut close = version == 0;
        let mut gzip = false;
        for header in parsed.headers.iter() {
            let value = std::str::from_utf8(header.value).unwrap_or("").trim();
            if header.name.eq_ignore_ascii_case("content-length") {
                let n: u64 = value.parse().map_err(|_| protocol("invalid Content-Length"))?;
                if length.is_some_and(|seen| seen != n) {
                    return Err(protocol("conflicting Content-Length headers"));
                }
                length = Some(n);
            } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.rsplit(',').next().is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"));
                if !chunked {
                    return Err(protocol("unsupported Transfer-Encoding"));
                }
            } else if header.name.eq_ignore_ascii_case("connection") {
                for token in value.split(',') {
                    if token.trim().eq_ignore_ascii_case("close") {
                        close = true;
                    } else if token.trim().eq_ignore_ascii_case("keep-alive") && version == 0 {
                        close = false;
                    }
                }
            } else if header.name.eq_ignore_ascii_case("content-encoding") {
                gzip = value.eq_ignore_ascii_case("gzip") || value.eq_ignore_ascii_case("x-gzip");
                if !gzip && !value.eq_ignore_ascii_case("identity") && !value.is_empty() {
                    return Err(protocol(&format!("unsupported Content-Encoding {value:?}")));
                }
            }
        }
        self.status = status;
        self.gzip = gzip;
        self.keep_alive = !close;
        let no_body = status == 204 || status == 304;
        self.state = if no_body {
            State::Done
        } else if chunked {
            State::Body(Framing::Chunked(Chunk::Size))
        } else if let Some(n) = length {
            if n > self.max_body {
                return Err(over_cap(self.max_body).with_status(status));
            }
            self.body.reserve_exact(n.min(64 * 1024) as usize);
            if n == 0 {
                State::Done
            } else {
                State::Body(Framing::Length(n))
            }
        } else {
            self.keep_alive = false;
            State::Body(Framing::UntilClose)
        };
        Ok(Some(self.line.len() - head_len))
    }

    /// Drops a complete interim (1xx) head from the front of `line`; true when it did.
    fn interim_head(&mut self) -> Result<bool, Error> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut parsed = httparse::Response::new(&mut headers);
        match parsed.parse(&self.line) {
            Ok(httparse::Status::Complete(n)) if parsed.code.is_some_and(|c| (100..200).contains(&c) && c != 101) => {
                self.line.drain(..n);
                Ok(true)
            }
            Ok(_) => Ok(false),
            Err(e) => Err(protocol(&format!("{e}"))),
        }
    }

    /// Returns true once the body is complete; extra bytes after it mark the connection as
    /// unusable.
    fn feed_body_bytes(&mut self, mut data: &[u8]) -> Result<bool, Error> {
        while !data.is_empty() {
            let State::Body(framing) = &mut self.state else {
                self.keep_alive = false;
                return Ok(true);
            };
            match framing {
                Framing::Length(left) => {
                    let take = (*left).min(data.len() as u64) as usize;
                    self.body.extend_from_slice(&data[..take]);
                    *left -= take as u64;
                    data = &data[take..];
                    if *left == 0 {
                        self.state = State::Done;
                    }
                }
                Framing::UntilClose => {
                    self.push_body(data)?;
                    data = &[];
                }
                Framing::Chunked(chunk) => match chunk {
                    Chunk::Data(left) => {
                        let take = (*left).min(data.len() as u64) as usize;
                        *left -= take as u64;
                        if *left == 0 {
                            *chunk = Chunk::DataEnd;
                        }
                        let (now, rest) = data.split_at(take);
                        data = rest;
                        self.push_body(now)?;
                    }
                    Chunk::Size | Chunk::DataEnd | Chunk::Trailers => {
                        let Some(end) = data.iter().position(|&b| b == b'\n') else {
                            self.push_line(data)?;
                            return Ok(false);
                        };
                        self.push_line(&data[..end])?;
                        data = &data[end + 1..];
                        self.end_of_line()?;
                    }
                },
            }
        }
        Ok(self.is_done())
    }

    /// A chunk-size, data-end or trailer line is complete in `line` (without its LF).
    fn end_of_line(&mut self) -> Result<(), Error> {
        let line = std::mem::take(&mut self.line);
        let text = line.strip_suffix(b"\r").unwrap_or(&line);
        let State::Body(Framing::Chunked(chunk)) = &mut self.state else { return Ok(()) };
        match chunk {
            Chunk::Size => {
                let digits = text.split(|&b| b == b';').next().unwrap_or_default();
                let digits = std::str::from_utf8(digits).map_err(|_| protocol("invalid chunk size"))?.trim();
                let size = u64::from_str_radix(digits, 16).map_err(|_| protocol("invalid chunk size"))?;
                if size > self.max_body {
                    return Err(over_cap(self.max_body).with_status(self.status));
                }
                *chunk = if size == 0 { Chunk::Trailers } else { Chunk::Data(size) };
            }
            Chunk::DataEnd => {
                if !text.is_empty() {
                    return Err(protocol("chunk data is longer than its size"));
                }
                *chunk = Chunk::Size;
            }
            Chunk::Trailers => {
                if text.is_empty() {
                    self.state = State::Done;
                }
            }
            Chunk::Data(_) => {}
        }
        Ok(())
    }

    fn push_line(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if self.line.len() + bytes.len() > 4096 {
            return Err(protocol("a chunk header or trailer line is longer than 4 KiB"));
        }
        self.line.extend_from_slice(bytes);
        Ok(())
    }

    fn push_body(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if self.body.len() as u64 + bytes.len() as u64 > self.max_body {
            return Err(over_cap(self.max_body).with_status(self.status));
        }
        self.body.extend_from_slice(bytes);
        Ok(())
    }
}

fn protocol(what: &str) -> Error {
    Error::new(GG_BAD_RESPONSE, format!("the server broke the HTTP protocol: {what}"))
}

fn over_cap(cap: u64) -> Error {
    Error::new(GG_BAD_RESPONSE, format!("the response body is larger than the {cap}-byte cap"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `wire` in pieces of `step` bytes, then the end of the stream if asked.
    fn read(wire: &[u8], step: usize, close: bool) -> Result<(Response, bool), Error> {
        let mut reader = ResponseReader::new(1024);
        let mut done = false;
        for piece in wire.chunks(step.max(1)) {
            done = reader.feed(piece)?;
        }
        if close {
            reader.end_of_stream()?;
        } else if !done {
            return Err(Error::new(GG_NETWORK, "incomplete"));
        }
        let keep = reader.keep_alive();
        Ok((reader.into_response()?, keep))
    }

    #[test]
    fn content_length_in_any_split() {
        let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nContent-Type: application/json\r\n\r\n{\"a\":true}\n";
        for step in [1, 2, 7, 64, 1000] {
            let (response, keep) = read(wire, step, false).unwrap();
            assert_eq!(response.status, 200);
            assert_eq!(&response.body[..], b"{\"a\":true}\n");
            assert!(keep, "step {step}");
        }
    }

    #[test]
    fn chunked_with_extensions_and_trailers() {
        let wire = b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4;x=1\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nX-T: y\r\n\r\n";
        for step in [1, 3, 100] {
            let (response, keep) = read(wire, step, false).unwrap();
            assert_eq!(response.status, 201);
            assert_eq!(&response.body[..], b"{\"a\":1}");
            assert!(keep);
        }
    }

    #[test]
    fn body_until_close_needs_the_close() {
        let wire = b"HTTP/1.1 200 OK\r\n\r\nhello";
        assert!(read(wire, 4, false).is_err());
        let (response, keep) = read(wire, 4, true).unwrap();
        assert_eq!(&response.body[..], b"hello");
        assert!(!keep);
    }

    #[test]
    fn truncated_bodies_are_network_errors() {
        let err = read(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nabc", 5, true).err().unwrap();
        assert_eq!(err.code, GG_NETWORK);
        let err = read(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 5, true).err().unwrap();
        assert_eq!(err.code, GG_NETWORK);
        let err = read(b"", 5, true).err().unwrap();
        assert_eq!(err.code, GG_NETWORK);
    }

    #[test]
    fn the_cap_holds_for_every_framing() {
        let long = format!("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n{}", "x".repeat(5000));
        let err = read(long.as_bytes(), 100, false).err().unwrap();
        assert_eq!((err.code, err.http_status), (GG_BAD_RESPONSE, 200));
        let chunked = format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{}", "200\r\n".to_string() + &"y".repeat(512) + "\r\n").repeat(3);
        assert_eq!(read(chunked.as_bytes(), 100, true).err().unwrap().code, GG_BAD_RESPONSE);
        let close = format!("HTTP/1.1 200 OK\r\n\r\n{}", "z".repeat(2000));
        assert_eq!(read(close.as_bytes(), 100, true).err().unwrap().code, GG_BAD_RESPONSE);
    }

    #[test]
    fn gzip_is_inflated_and_capped() {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(b"{\"ok\":1}").unwrap();
        let gz = encoder.finish().unwrap();
        let mut wire = format!("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n", gz.len()).into_bytes();
        wire.extend_from_slice(&gz);
        assert_eq!(&read(&wire, 9, false).unwrap().0.body[..], b"{\"ok\":1}");

        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&[b'a'; 100_000]).unwrap();
        let bomb = encoder.finish().unwrap();
        let mut wire = format!("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n", bomb.len()).into_bytes();
        wire.extend_from_slice(&bomb);
        assert_eq!(read(&wire, 4096, false).err().unwrap().code, GG_BAD_RESPONSE);
    }

    #[test]
    fn interim_answers_and_empty_bodies() {
        let wire = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
        let (response, keep) = read(wire, 5, false).unwrap();
        assert_eq!(response.status, 204);
        assert!(response.body.is_empty() && keep);
        let (_, keep) = read(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 3, false).unwrap();
        assert!(!keep);
    }

    #[test]
    fn garbage_is_a_protocol_error_not_a_panic() {
        for wire in [&b"<html>500</html>\r\n\r\n"[..], b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"] {
            assert_eq!(read(wire, 3, true).err().unwrap().code, GG_BAD_RESPONSE, "{:?}", String::from_utf8_lossy(wire));
        }
        let huge_head = format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "h".repeat(70_000));
        assert_eq!(read(huge_head.as_bytes(), 1000, true).err().unwrap().code, GG_BAD_RESPONSE);
    }

    #[test]
    fn a_second_answer_spoils_the_connection() {
        let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n";
        let (_, keep) = read(wire, 100, false).unwrap();
        assert!(!keep);
    }
}
