//! Reading one HTTP/1.1 response from bytes as they arrive. The protocol itself is ureq's
//! sans-IO engine, `ureq-proto`: the response head, interim (1xx) answers, Content-Length,
//! chunked and close-delimited framing, trailers, and whether the connection may carry
//! another request. Around it, what a game's client needs: caps on the head (64 KiB) and the
//! body (the client's cap, checked on the inflated size too), gzip as a content or transfer
//! coding (every member, nothing after them), folded header lines accepted (RFC 9112 §5.2),
//! strict chunk sizes, and a connection never reused after an ambiguous answer.
//!
//! Requests are still written by GameGate (`http.rs`): ureq-proto writes them from an
//! `http::Request`, whose header values cannot be wiped, and GameGate's requests carry
//! credentials. The reader's `Call` is therefore made for a bodiless GET: the rules for a
//! response body differ only for HEAD and CONNECT, which GameGate never sends.

use crate::error::{Error, GG_BAD_RESPONSE, GG_NETWORK};
use crate::secret::{wipe, SecretBytes};
use std::io::Read;
use std::time::{Duration, SystemTime};
use ureq_proto::client::state::{RecvBody, RecvResponse};
use ureq_proto::client::{Call, RecvBodyResult, RecvResponseResult, SendRequestResult};
use ureq_proto::http::{self, header, HeaderMap};
use ureq_proto::BodyMode;

/// A response head larger than this is an attack or a broken server, not an API answer.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// An HTTP response whose body was read in full (up to the cap).
pub struct Response {
    pub status: u16,
    /// Wiped when dropped: response bodies carry tokens.
    pub body: SecretBytes,
    /// `Retry-After` of a 429 or 503 (seconds or an HTTP date), from now; `None` when absent
    /// or unreadable.
    pub retry_after: Option<Duration>,
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// `error`, which this answer caused, with the answer's `Retry-After`.
    pub fn error(&self, error: Error) -> Error {
        error.with_retry_after(self.retry_after)
    }
}

/// Where ureq-proto's call is.
enum Phase {
    Head(Call<RecvResponse>),
    Body { call: Call<RecvBody>, chunked: bool, until_close: bool },
    Done,
    /// Only while a call moves from one state to the next, or after an error.
    Broken,
}

/// Feeds on a connection's bytes; one per request.
pub(crate) struct ResponseReader {
    max_body: u64,
    phase: Phase,
    /// Received and not yet taken by ureq-proto: a head still incomplete, or framing split
    /// across reads. Wiped as it is consumed.
    pending: SecretBytes,
    status: u16,
    retry_after: Option<Duration>,
    gzip: bool,
    keep_alive: bool,
    /// Whether any byte of the response has arrived.
    started: bool,
    body: SecretBytes,
    /// A chunked body's framing lines, given the CRLF ureq-proto waits for.
    chunk_lines: ChunkLines,
}

impl ResponseReader {
    pub fn new(max_body: u64) -> ResponseReader {
        ResponseReader {
            max_body,
            phase: Phase::Broken,
            pending: SecretBytes::default(),
            status: 0,
            retry_after: None,
            gzip: false,
            keep_alive: true,
            started: false,
            body: SecretBytes::default(),
            chunk_lines: ChunkLines::default(),
        }
    }

    pub fn started(&self) -> bool {
        self.started
    }

    pub fn is_done(&self) -> bool {
        matches!(self.phase, Phase::Done)
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
    pub fn feed(&mut self, data: &[u8]) -> Result<bool, Error> {
        if data.is_empty() {
            return Ok(self.is_done());
        }
        if !self.started {
            self.started = true;
            self.phase = Phase::Head(new_call()?);
        }
        if self.is_done() {
            self.keep_alive = false; // the server sent more than one answer
            return Ok(true);
        }
        self.pending.extend_from_slice(data);
        if matches!(self.phase, Phase::Body { chunked: true, .. }) {
            self.chunk_lines.end_bare_line_feeds(&mut self.pending);
        }
        let outcome = self.advance();
        if outcome.is_err() {
            self.phase = Phase::Broken;
            self.keep_alive = false;
        }
        outcome
    }

    /// Moves the call on with what is pending, as far as it goes.
    fn advance(&mut self) -> Result<bool, Error> {
        loop {
            match std::mem::replace(&mut self.phase, Phase::Broken) {
                Phase::Head(call) => match self.read_head(call)? {
                    Some(next) => self.phase = next,
                    None => return Ok(false), // the head is not complete yet (phase restored)
                },
                Phase::Body { call, chunked, until_close } => {
                    if !self.read_body(call, chunked, until_close)? {
                        return Ok(false);
                    }
                }
                Phase::Done => {
                    if !self.pending.is_empty() {
                        self.keep_alive = false; // bytes past the answer
                        self.consume(self.pending.len());
                    }
                    self.phase = Phase::Done;
                    return Ok(true);
                }
                Phase::Broken => return Err(protocol("the response could not be read")),
            }
        }
    }

    /// Tries to read the head; returns the next phase, or None (phase restored) to wait.
    fn read_head(&mut self, mut call: Call<RecvResponse>) -> Result<Option<Phase>, Error> {
        let Some(head_end) = find_head_end(&self.pending) else {
            if self.pending.len() >= MAX_HEAD_BYTES {
                return Err(protocol("the response head is larger than 64 KiB"));
            }
            self.phase = Phase::Head(call);
            return Ok(None);
        };
        if head_end > MAX_HEAD_BYTES {
            return Err(protocol("the response head is larger than 64 KiB"));
        }
        if is_interim_head(&self.pending[..head_end]) {
            // A 1xx (but 101) with or without fields: skipped whole, the real answer follows.
            // ureq-proto refuses fields on a 100 Continue, which RFC 9110 §15.2 allows.
            self.consume(head_end);
            return Ok(Some(Phase::Head(call)));
        }
        unfold_header_lines(&mut self.pending[..head_end]);
        let (used, response) = call.try_response(&self.pending, false).map_err(|e| protocol(&e.to_string()))?;
        self.consume(used);
        let Some(response) = response else {
            if used == 0 {
                // Not a whole head to ureq-proto yet (a lone LF is no line end to it): wait.
                self.phase = Phase::Head(call);
                return Ok(None);
            }
            // An interim answer (100 Continue, 103 Early Hints) was dropped: the real one follows.
            return Ok(Some(Phase::Head(call)));
        };
        self.status = response.status().as_u16();
        if response.version() == http::Version::HTTP_10 && response.headers().contains_key(header::TRANSFER_ENCODING) {
            // RFC 9112 §6.1: faulty framing (an HTTP/1.0 body cannot be chunked).
            return Err(protocol("Transfer-Encoding in an HTTP/1.0 response"));
        }
        self.check_head(response.headers())?;
        if matches!(self.status, 429 | 503) {
            let value = response.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok());
            self.retry_after = value.and_then(|v| parse_retry_after(v, SystemTime::now()));
        }
        match call.proceed() {
            Some(RecvResponseResult::RecvBody(call)) => {
                // The framing as ureq-proto reads it.
                let (chunked, until_close) = match call.body_mode() {
                    BodyMode::Chunked => (true, false),
                    BodyMode::CloseDelimited => (false, true),
                    _ => (false, false),
                };
                if until_close {
                    self.keep_alive = false;
                }
                if chunked {
                    self.chunk_lines = ChunkLines::default();
                    self.chunk_lines.end_bare_line_feeds(&mut self.pending);
                }
                Ok(Some(Phase::Body { call, chunked, until_close }))
            }
            Some(RecvResponseResult::Cleanup(cleanup)) => {
                self.keep_alive &= !cleanup.must_close_connection();
                Ok(Some(Phase::Done))
            }
            // GameGate never follows a redirect: it is an answer like any other.
            Some(RecvResponseResult::Redirect(redirect)) => {
                self.keep_alive &= !redirect.proceed().must_close_connection();
                Ok(Some(Phase::Done))
            }
            None => Err(protocol("the response head could not be read")),
        }
    }

    /// What the head says beyond ureq-proto: codings GameGate can undo, lengths within the
    /// cap, and a connection that cannot be trusted with another request.
    fn check_head(&mut self, headers: &HeaderMap) -> Result<(), Error> {
        let values = |name: header::HeaderName| -> Vec<String> {
            headers.get_all(name).iter().flat_map(|v| String::from_utf8_lossy(v.as_bytes()).split(',').map(|t| t.trim().to_ascii_lowercase()).collect::<Vec<_>>()).filter(|t| !t.is_empty()).collect()
        };
        let transfer = values(header::TRANSFER_ENCODING);
        let content = values(header::CONTENT_ENCODING);
        let has_length = headers.contains_key(header::CONTENT_LENGTH);
        if headers.iter().any(|(name, _)| name == header::CONNECTION) && values(header::CONNECTION).iter().any(|t| t == "close") {
            self.keep_alive = false;
        }
        let mut length_framed = has_length;
        if !transfer.is_empty() {
            if transfer.last().map(String::as_str) != Some("chunked") {
                return Err(protocol("a Transfer-Encoding that does not end in chunked"));
            }
            for coding in &transfer[..transfer.len() - 1] {
                match coding.as_str() {
                    "gzip" | "x-gzip" => self.gzip = true,
                    other => return Err(protocol(&format!("unsupported Transfer-Encoding {other:?}"))),
                }
            }
            length_framed = false;
            // Both framings at once: a request smuggled in, or a broken proxy. Answer read
            // by the chunked framing (RFC 9112 §6.3), the connection never reused.
            if has_length {
                self.keep_alive = false;
            }
        }
        for coding in &content {
            match coding.as_str() {
                "gzip" | "x-gzip" if !self.gzip => self.gzip = true,
                "identity" => {}
                other => return Err(protocol(&format!("unsupported Content-Encoding {other:?}"))),
            }
        }
        if length_framed {
            let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().split(',').next()).and_then(|v| v.trim().parse::<u64>().ok());
            if length.is_some_and(|n| n > self.max_body) {
                return Err(over_cap(self.max_body).with_status(self.status));
            }
            if let Some(n) = length {
                self.body.reserve_exact(n.min(64 * 1024) as usize);
            }
        }
        Ok(())
    }

    /// Reads body bytes from `pending`; true once the body is complete (phase is then Done).
    fn read_body(&mut self, mut call: Call<RecvBody>, chunked: bool, until_close: bool) -> Result<bool, Error> {
        call.stop_on_chunk_boundary(true);
        loop {
            if chunked && call.is_on_chunk_boundary() {
                check_chunk_size(&self.pending, self.max_body).map_err(|e| e.with_status(self.status))?;
            }
            // Room for what is pending, and one byte more than the cap allows (to see it broken).
            let room = self.pending.len().min((self.max_body + 1).saturating_sub(self.body.len() as u64) as usize).max(1);
            let before = self.body.len();
            self.body.resize(before + room, 0);
            let read = call.read(&self.pending, &mut self.body[before..]);
            let (used, produced) = match read {
                Ok(counts) => counts,
                Err(e) => {
                    self.body.truncate(before);
                    return Err(protocol(&e.to_string()).with_status(self.status));
                }
            };
            self.body.truncate(before + produced);
            self.consume(used);
            if self.body.len() as u64 > self.max_body {
                return Err(over_cap(self.max_body).with_status(self.status));
            }
            if !until_close && call.can_proceed() {
                match call.proceed() {
                    Some(RecvBodyResult::Cleanup(cleanup)) => self.keep_alive &= !cleanup.must_close_connection(),
                    Some(RecvBodyResult::Redirect(redirect)) => self.keep_alive &= !redirect.proceed().must_close_connection(),
                    None => return Err(protocol("the response body could not be finished")),
                }
                self.phase = Phase::Done;
                return Ok(true);
            }
            if used == 0 && produced == 0 {
                self.phase = Phase::Body { call, chunked, until_close };
                return Ok(false);
            }
        }
    }

    /// Drops `n` consumed bytes from the front of `pending`, wiping them.
    fn consume(&mut self, n: usize) {
        wipe(&mut self.pending[..n]);
        self.pending.drain(..n);
        self.chunk_lines.consumed(n);
    }

    /// The connection ended (`clean`: not a TLS connection cut without close_notify).
    /// Completes a body that runs until the close; anything else unfinished is truncated.
    pub fn end_of_stream(&mut self, clean: bool) -> Result<(), Error> {
        self.keep_alive = false;
        let truncated = || Error::new(GG_NETWORK, "the connection closed before the response was complete");
        match std::mem::replace(&mut self.phase, Phase::Broken) {
            Phase::Done => {
                self.phase = Phase::Done;
                Ok(())
            }
            Phase::Body { until_close: true, .. } if clean => {
                self.phase = Phase::Done;
                Ok(())
            }
            Phase::Body { until_close: true, .. } => Err(Error::new(
                GG_NETWORK,
                "the TLS connection closed without close_notify while the body ran until the close: it may have been cut short",
            )),
            // "0\r\n" arrived but not the final empty line: the body is whole.
            Phase::Body { call, chunked: true, .. } if call.is_ended_chunked() => {
                self.phase = Phase::Done;
                Ok(())
            }
            // A head cut short may already be broken: say so rather than "truncated".
            Phase::Head(mut call) if !self.pending.is_empty() => match call.try_response(&self.pending, false) {
                Err(e) => Err(protocol(&e.to_string())),
                Ok(_) => Err(truncated()),
            },
            _ => Err(truncated()),
        }
    }

    /// The finished response, with a gzip body inflated (bounded by the same cap).
    pub fn into_response(mut self) -> Result<Response, Error> {
        let (status, retry_after) = (self.status, self.retry_after);
        let body = std::mem::take(&mut self.body);
        if !self.gzip || body.is_empty() {
            return Ok(Response { status, body, retry_after });
        }
        let mut inflated = SecretBytes::default();
        // Every member of the stream; anything after the last one is not gzip and fails.
        let mut decoder = flate2::read::MultiGzDecoder::new(&body[..]).take(self.max_body + 1);
        decoder
            .read_to_end(&mut inflated)
            .map_err(|_| Error::new(GG_BAD_RESPONSE, "the gzip response body is corrupt").with_status(status))?;
        if inflated.len() as u64 > self.max_body {
            return Err(over_cap(self.max_body).with_status(status));
        }
        Ok(Response { status, body: inflated, retry_after })
    }
}

/// A fresh call waiting for a response head (see the module comment for why a GET).
fn new_call() -> Result<Call<RecvResponse>, Error> {
    let request = http::Request::get(http::Uri::from_static("/")).body(()).map_err(|e| Error::internal(format!("HTTP reader: {e}")))?;
    let mut call = Call::new(request).map_err(|e| Error::internal(format!("HTTP reader: {e}")))?.proceed();
    let mut scratch = [0u8; 64];
    call.write(&mut scratch).map_err(|e| Error::internal(format!("HTTP reader: {e}")))?;
    match call.proceed() {
        Ok(Some(SendRequestResult::RecvResponse(call))) => Ok(call),
        _ => Err(Error::internal("HTTP reader: the call did not reach its response")),
    }
}

/// Where the head ends (just past its empty line), if it has arrived.
fn find_head_end(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(offset) = bytes[at..].iter().position(|&b| b == b'\n') {
        let line_end = at + offset + 1;
        let line = &bytes[at..line_end];
        if (line == b"\r\n" || line == b"\n") && at > 0 {
            return Some(line_end);
        }
        at = line_end;
    }
    None
}

/// `Retry-After` (RFC 9110 §10.2.3): delay-seconds, or an HTTP date (IMF-fixdate, as servers
/// send it) read against `now`; a date already past waits nothing. A wait is capped at a day.
fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let cap = Duration::from_secs(24 * 3600);
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value.parse::<u64>().map_or(cap, Duration::from_secs).min(cap));
    }
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    let parts: Vec<&str> = value.split([' ', ':']).collect();
    let [_, day, month, year, hour, minute, second, "GMT"] = parts[..] else { return None };
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].iter().position(|m| *m == month)? as i64 + 1;
    let number = |text: &str, max: i64| text.parse::<i64>().ok().filter(|n| (0..=max).contains(n));
    let (day, year) = (number(day, 31)?, number(year, 9999)?);
    let seconds = number(hour, 23)? * 3600 + number(minute, 59)? * 60 + number(second, 60)?;
    // Days from the civil date (Howard Hinnant's algorithm), then seconds since the epoch.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let at = (era * 146_097 + day_of_era - 719_468) * 86_400 + seconds;
    let now = now.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs() as i64;
    Some(Duration::from_secs(at.saturating_sub(now).max(0) as u64).min(cap))
}

/// Whether a complete head is an interim answer to skip: 1xx, but not 101 (a protocol switch
/// GameGate never asks for, left to ureq-proto to refuse).
fn is_interim_head(head: &[u8]) -> bool {
    let code = head.strip_prefix(b"HTTP/1.").and_then(|rest| rest.get(2..5));
    matches!(code, Some([b'1', a, b]) if a.is_ascii_digit() && b.is_ascii_digit() && (*a, *b) != (b'0', b'1'))
}

/// Where a chunked body's framing stands in `pending`, ahead of ureq-proto. RFC 9112 §2.2 lets
/// a recipient take a bare LF as a line end; ureq-proto waits for CRLF, so each framing line
/// (chunk size, the line end after the data, trailers, the last empty line) ending in a bare LF
/// gets its CR here. Chunk data is skipped by its length, never touched.
#[derive(Default)]
struct ChunkLines {
    state: ChunkPart,
    /// Where the current line or data starts, and how far it was scanned, in `pending`.
    start: usize,
    scanned: usize,
}

#[derive(Default, Clone, Copy, PartialEq)]
enum ChunkPart {
    #[default]
    Size,
    Data(u64),
    DataEnd,
    Trailer,
    Done,
}

impl ChunkLines {
    /// Scans what arrived since the last call.
    fn end_bare_line_feeds(&mut self, pending: &mut SecretBytes) {
        loop {
            match self.state {
                ChunkPart::Done => return,
                ChunkPart::Data(left) => {
                    let here = (pending.len() - self.scanned) as u64;
                    if here < left {
                        self.scanned = pending.len();
                        self.state = ChunkPart::Data(left - here);
                        return;
                    }
                    self.scanned += left as usize;
                    self.start = self.scanned;
                    self.state = ChunkPart::DataEnd;
                }
                line_state => {
                    let Some(offset) = pending[self.scanned..].iter().position(|&b| b == b'\n') else {
                        self.scanned = pending.len();
                        return;
                    };
                    let mut line_end = self.scanned + offset;
                    if line_end == self.start || pending[line_end - 1] != b'\r' {
                        pending.insert(line_end, b'\r');
                        line_end += 1;
                    }
                    let line = &pending[self.start..line_end - 1];
                    self.state = match line_state {
                        ChunkPart::Size => {
                            let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count().min(16);
                            match std::str::from_utf8(&line[..digits]).ok().and_then(|d| u64::from_str_radix(d, 16).ok()) {
                                Some(0) => ChunkPart::Trailer,
                                Some(size) => ChunkPart::Data(size),
                                None => ChunkPart::Done, // not a size: ureq-proto refuses it
                            }
                        }
                        ChunkPart::Trailer if line.is_empty() => ChunkPart::Done,
                        ChunkPart::Trailer => ChunkPart::Trailer,
                        _ => ChunkPart::Size,
                    };
                    self.scanned = line_end + 1;
                    self.start = self.scanned;
                }
            }
        }
    }

    /// `n` bytes left the front of `pending`.
    fn consumed(&mut self, n: usize) {
        self.start = self.start.saturating_sub(n);
        self.scanned = self.scanned.saturating_sub(n);
    }
}

/// Replaces each folded line break (CRLF followed by a space or tab) with spaces, as RFC 9112
/// §5.2 tells a client to do, so the folded value reads as one line.
fn unfold_header_lines(head: &mut [u8]) {
    // The status line never folds; start after it.
    let first_line = head.iter().position(|&b| b == b'\n').map_or(head.len(), |i| i + 1);
    for i in first_line..head.len().saturating_sub(1) {
        if head[i] == b'\n' && (head[i + 1] == b' ' || head[i + 1] == b'\t') {
            head[i] = b' ';
            if i > 0 && head[i - 1] == b'\r' {
                head[i - 1] = b' ';
            }
        }
    }
}

/// At a chunk boundary: the next chunk-size line, if it has arrived, must be hex digits and
/// nothing else before any extension (no sign, no spaces in front), and within the cap.
fn check_chunk_size(pending: &[u8], max_body: u64) -> Result<(), Error> {
    let Some(line_end) = pending.iter().position(|&b| b == b'\n') else { return Ok(()) };
    let line = pending[..line_end].strip_suffix(b"\r").unwrap_or(&pending[..line_end]);
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    let rest = &line[digits..];
    let extension_ok = rest.is_empty() || rest.iter().skip_while(|&&b| b == b' ' || b == b'\t').next() == Some(&b';');
    if digits == 0 || digits > 16 || !extension_ok {
        return Err(protocol("invalid chunk size"));
    }
    let size = u64::from_str_radix(std::str::from_utf8(&line[..digits]).unwrap_or("x"), 16).map_err(|_| protocol("invalid chunk size"))?;
    if size > max_body {
        return Err(over_cap(max_body));
    }
    Ok(())
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
            reader.end_of_stream(true)?;
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
        // A redirect is an answer like any other (never followed).
        let (response, keep) = read(b"HTTP/1.1 302 Found\r\nLocation: http://elsewhere/\r\nContent-Length: 0\r\n\r\n", 4, false).unwrap();
        assert_eq!(response.status, 302);
        assert!(response.body.is_empty() && keep);
    }

    #[test]
    fn garbage_is_a_protocol_error_not_a_panic() {
        for wire in [&b"<html>500</html>\r\n\r\n"[..], b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"] {
            assert_eq!(read(wire, 3, true).err().unwrap().code, GG_BAD_RESPONSE, "{:?}", String::from_utf8_lossy(wire));
        }
        let huge_head = format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "h".repeat(70_000));
        assert_eq!(read(huge_head.as_bytes(), 1000, true).err().unwrap().code, GG_BAD_RESPONSE);
    }

    fn gzip(parts: &[&[u8]]) -> Vec<u8> {
        use std::io::Write;
        let mut all = Vec::new();
        for part in parts {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(part).unwrap();
            all.extend(encoder.finish().unwrap());
        }
        all
    }

    fn with_body(head: &str, body: &[u8]) -> Vec<u8> {
        [head.as_bytes(), body].concat()
    }

    #[test]
    fn folded_header_lines_and_many_headers_are_read() {
        let folded = b"HTTP/1.1 200 OK\r\nX-Note: first\r\n second\r\n\tthird\r\nContent-Length: 2\r\n\r\nok";
        assert_eq!(&read(folded, 3, false).unwrap().0.body[..], b"ok");
        let many = format!("HTTP/1.1 200 OK\r\n{}Content-Length: 2\r\n\r\nok", (0..100).map(|i| format!("X-{i}: v\r\n")).collect::<String>());
        assert_eq!(&read(many.as_bytes(), 50, false).unwrap().0.body[..], b"ok");
    }

    #[test]
    fn every_gzip_member_is_inflated_and_nothing_may_follow_them() {
        let two = gzip(&[b"{\"a\":", b"1}"]);
        let wire = with_body(&format!("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n", two.len()), &two);
        assert_eq!(&read(&wire, 7, false).unwrap().0.body[..], b"{\"a\":1}");
        let mut trailing = gzip(&[b"{}"]);
        trailing.extend_from_slice(b"garbage");
        let wire = with_body(&format!("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n", trailing.len()), &trailing);
        assert_eq!(read(&wire, 7, false).err().unwrap().code, GG_BAD_RESPONSE);
    }

    #[test]
    fn signed_lengths_and_chunk_sizes_are_refused() {
        let plus_length = b"HTTP/1.1 200 OK\r\nContent-Length: +7\r\n\r\n{\"a\":1}";
        assert_eq!(read(plus_length, 4, true).err().unwrap().code, GG_BAD_RESPONSE);
        let plus_chunk = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n";
        assert_eq!(read(plus_chunk, 4, true).err().unwrap().code, GG_BAD_RESPONSE);
        let spaced_chunk = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n";
        assert_eq!(read(spaced_chunk, 4, true).err().unwrap().code, GG_BAD_RESPONSE);
    }

    #[test]
    fn gzip_as_a_transfer_coding_is_undone_and_unknown_codings_refused() {
        let body = gzip(&[b"{\"t\":1}"]);
        let chunked = format!("{:x}\r\n", body.len()).into_bytes().into_iter().chain(body.iter().copied()).chain(b"\r\n0\r\n\r\n".iter().copied()).collect::<Vec<u8>>();
        let wire = with_body("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", &chunked);
        assert_eq!(&read(&wire, 5, false).unwrap().0.body[..], b"{\"t\":1}");
        let wire = with_body("HTTP/1.1 200 OK\r\nTransfer-Encoding: br, chunked\r\n\r\n", b"0\r\n\r\n");
        assert_eq!(read(&wire, 5, true).err().unwrap().code, GG_BAD_RESPONSE);
    }

    #[test]
    fn length_and_chunked_together_never_leave_the_connection_pooled() {
        let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
        let (response, keep) = read(wire, 6, false).unwrap();
        assert_eq!(&response.body[..], b"ok");
        assert!(!keep);
    }

    #[test]
    fn a_body_until_close_needs_close_notify_over_tls() {
        let mut reader = ResponseReader::new(1024);
        assert!(!reader.feed(b"HTTP/1.1 200 OK\r\n\r\npartial").unwrap());
        assert_eq!(reader.end_of_stream(false).err().unwrap().code, GG_NETWORK);
        let mut reader = ResponseReader::new(1024);
        assert!(!reader.feed(b"HTTP/1.1 200 OK\r\n\r\nwhole").unwrap());
        assert!(reader.end_of_stream(true).is_ok());
        assert_eq!(&reader.into_response().unwrap().body[..], b"whole");
    }

    #[test]
    fn a_second_answer_spoils_the_connection() {
        let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n";
        let (_, keep) = read(wire, 100, false).unwrap();
        assert!(!keep);
    }

    #[test]
    fn chunked_framing_with_bare_line_feeds_is_read() {
        let wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\n{\"a\":1}\n0\n\n";
        for step in [1, 4, 100] {
            let (response, _) = read(wire, step, false).unwrap();
            assert_eq!(&response.body[..], b"{\"a\":1}", "step {step}");
        }
    }

    #[test]
    fn interim_answers_with_fields_are_skipped() {
        let wire = b"HTTP/1.1 100 Continue\r\nX-Note: wait\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        for step in [1, 5, 200] {
            let (response, keep) = read(wire, step, false).unwrap();
            assert_eq!((response.status, &response.body[..]), (200, &b"ok"[..]), "step {step}");
            assert!(keep);
        }
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date_on_429_and_503_only() {
        let seconds = b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(read(seconds, 5, false).unwrap().0.retry_after, Some(Duration::from_secs(7)));
        let other = b"HTTP/1.1 500 Oops\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(read(other, 5, false).unwrap().0.retry_after, None);
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("Tue, 29 Feb 2000 00:00:00 GMT", SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_390)), Some(Duration::from_secs(10)));
        assert_eq!(parse_retry_after("99999999999999999999", now), Some(Duration::from_secs(86_400)));
        for garbage in ["", "-5", "soon", "Sun, 06 Nov 1994 25:00:00 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "1.5"] {
            assert_eq!(parse_retry_after(garbage, now), None, "{garbage:?}");
        }
    }
}
