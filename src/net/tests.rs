//! The I/O thread against a real socket server that misbehaves in exactly one way.

use crate::http::{Http, Method, Retry};
use crate::options::Options;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;

/// Reads one request head (these tests send no bodies); false when the peer closed.
fn read_request(reader: &mut BufReader<TcpStream>) -> bool {
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return false,
            Ok(_) if line == "\r\n" => return true,
            Ok(_) => {}
        }
    }
}

fn answer(stream: &mut TcpStream) {
    stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").unwrap();
}

/// A server on loopback that runs `serve` on a thread of its own for every connection (a
/// reader for the requests, the stream for the answers); returns its port.
fn serve_each_connection(serve: impl Fn(BufReader<TcpStream>, TcpStream) + Send + Sync + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let serve = Arc::new(serve);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let serve = serve.clone();
            thread::spawn(move || serve(BufReader::new(stream.try_clone().unwrap()), stream));
        }
    });
    port
}

fn client(port: u16, in_flight: u32) -> Arc<Http> {
    let mut options = Options::default();
    options.worker_threads = in_flight;
    Http::new("test", &options, &format!("http://127.0.0.1:{port}")).unwrap()
}

#[test]
fn a_pooled_connection_the_server_closed_is_replaced() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Answers one request per connection, then closes it: the client's pooled connection is
    // dead when the next request wants it.
    let server = thread::spawn(move || {
        for _ in 0..2 {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            assert!(read_request(&mut reader));
            let mut stream = stream;
            answer(&mut stream);
        }
    });
    let http = client(port, 1);
    for path in ["/first", "/second"] {
        let response = http.send(Method::GET, path, path, &[], None, Retry::Never).unwrap();
        assert_eq!((response.status, &response.body[..]), (200, &b"ok"[..]), "{path}");
    }
    server.join().unwrap(); // exactly two connections were accepted, each answered once
}

#[test]
fn requests_beyond_the_limit_wait_for_a_free_connection() {
    let accepted = Arc::new(AtomicUsize::new(0));
    let counted = accepted.clone();
    let port = serve_each_connection(move |mut reader, mut stream| {
        counted.fetch_add(1, Ordering::SeqCst);
        while read_request(&mut reader) {
            answer(&mut stream);
        }
    });
    let http = client(port, 2);
    let (sender, receiver) = mpsc::channel();
    for i in 0..20 {
        let sender = sender.clone();
        let path = format!("/r{i}");
        let request = http.prepare(Method::GET, &path, &path, &[], None, Retry::Never);
        http.start(request, Box::new(move |outcome| sender.send(outcome.map(|r| r.status)).unwrap()));
    }
    for _ in 0..20 {
        assert_eq!(receiver.recv().unwrap().unwrap(), 200);
    }
    let connections = accepted.load(Ordering::SeqCst);
    assert!((1..=2).contains(&connections), "{connections} connections for a limit of 2");
}

#[test]
fn an_aborted_exchange_is_cancelled_and_frees_its_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (got_first, first_arrived) = mpsc::channel();
    // Never answers the first connection; waits for the client to close it, then answers one
    // request on a second connection and reports which one it was.
    let server = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        assert!(read_request(&mut reader));
        got_first.send(()).unwrap();
        assert!(!read_request(&mut reader), "the aborted request's connection is closed, not reused");
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut first_line = String::new();
        reader.read_line(&mut first_line).unwrap();
        assert!(read_request(&mut reader));
        let mut stream = stream;
        answer(&mut stream);
        first_line
    });
    let mut options = Options::default();
    options.worker_threads = 1;
    // Without the abort, the first request would end by this deadline, as GG_TIMEOUT.
    options.timeout = std::time::Duration::from_secs(30);
    let http = Http::new("test", &options, &format!("http://127.0.0.1:{port}")).unwrap();
    let (sender, receiver) = mpsc::channel();
    let mut aborters = Vec::new();
    for path in ["/a", "/b", "/c"] {
        let sender = sender.clone();
        let request = http.prepare(Method::GET, path, path, &[], None, Retry::Never);
        aborters.push(http.start(request, Box::new(move |outcome| sender.send((path, outcome.map(|r| r.status))).unwrap())));
    }
    let c = aborters.pop().unwrap();
    let b = aborters.pop().unwrap();
    let a = aborters.pop().unwrap();
    first_arrived.recv().unwrap(); // /a is on the wire; /b and /c wait for the one connection
    b.abort(); // queued: never sent
    a.abort(); // on the wire: its connection closes and /c gets a new one
    let mut outcomes: Vec<_> = (0..3).map(|_| receiver.recv().unwrap()).collect();
    outcomes.sort_by_key(|(path, _)| *path);
    let codes: Vec<_> = outcomes.iter().map(|(path, o)| (*path, o.as_ref().map_err(|e| e.code).copied())).collect();
    use crate::error::GG_CANCELLED;
    assert_eq!(codes, [("/a", Err(GG_CANCELLED)), ("/b", Err(GG_CANCELLED)), ("/c", Ok(200))]);
    assert_eq!(server.join().unwrap(), "GET /c HTTP/1.1\r\n");
    c.abort(); // answered already: nothing happens
}

/// Answers every request on one connection with a body of `pieces` bytes, one byte at a time
/// with `gap` between them; returns how many connections it accepted once the client hangs up.
fn trickling_server(pieces: usize, gap: std::time::Duration, requests: usize) -> (u16, thread::JoinHandle<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = thread::spawn(move || {
        let mut connections = 0;
        let mut answered = 0;
        while answered < requests {
            let (stream, _) = listener.accept().unwrap();
            connections += 1;
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut stream = stream;
            while answered < requests && read_request(&mut reader) {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {pieces}\r\n\r\n");
                if gap.is_zero() {
                    stream.write_all(&[head.as_bytes(), &vec![b'x'; pieces]].concat()).unwrap(); // in one piece
                } else {
                    stream.write_all(head.as_bytes()).unwrap();
                    for _ in 0..pieces {
                        stream.write_all(b"x").unwrap();
                        thread::sleep(gap); // the server's pace, not a wait for the client
                    }
                }
                answered += 1;
            }
        }
        connections
    });
    (port, server)
}

#[test]
fn a_trickling_answer_costs_a_few_wakeups_per_piece() {
    // Under the one-shot rule (debug builds), a connection still watched for writability
    // after its request went out reports itself writable after every read, as on Windows:
    // the I/O thread would spin while the answer trickles in.
    assert!(super::readiness::ONE_SHOT_CHECKED, "this test needs a debug build on Unix");
    const PIECES: usize = 30;
    let (port, server) = trickling_server(PIECES, std::time::Duration::from_millis(10), 1);
    let http = client(port, 1);
    let before = http.io_wakeups();
    let response = http.send(Method::GET, "/slow", "/slow", &[], None, Retry::Never).unwrap();
    let wakeups = http.io_wakeups() - before;
    assert_eq!(response.body.len(), PIECES);
    // One per piece, plus the connect and the request; a few more where pieces coalesce or
    // the waker fires. A busy loop makes thousands.
    assert!(wakeups <= 3 * PIECES as u64 + 10, "{wakeups} wake-ups for {PIECES} pieces");
    drop(http);
    assert_eq!(server.join().unwrap(), 1);
}

#[test]
fn two_answers_in_a_row_arrive_on_one_kept_alive_connection() {
    // Under the one-shot rule, a read event is reported again only after a read returned
    // WouldBlock: an I/O thread that stops reading once the first answer is complete never
    // hears of the second one (a timeout, as it was on Windows).
    assert!(super::readiness::ONE_SHOT_CHECKED, "this test needs a debug build on Unix");
    let (port, server) = trickling_server(2, std::time::Duration::ZERO, 2);
    let mut options = Options::default();
    options.worker_threads = 1;
    options.timeout = std::time::Duration::from_secs(5);
    let http = Http::new("test", &options, &format!("http://127.0.0.1:{port}")).unwrap();
    for path in ["/first", "/second"] {
        let response = http.send(Method::GET, path, path, &[], None, Retry::Never);
        assert_eq!(response.map(|r| r.status).map_err(|e| e.code), Ok(200), "{path}");
    }
    drop(http);
    assert_eq!(server.join().unwrap(), 1, "both answers came over one connection");
}

/// Answers the first request of each connection; reads any later one and closes the
/// connection without answering (the server may have acted on it). Counts every arrival.
fn drop_reused_server() -> (u16, Arc<AtomicUsize>) {
    let arrivals = Arc::new(AtomicUsize::new(0));
    let counted = arrivals.clone();
    let port = serve_each_connection(move |mut reader, mut stream| {
        if read_request(&mut reader) {
            counted.fetch_add(1, Ordering::SeqCst);
            answer(&mut stream);
        }
        if read_request(&mut reader) {
            counted.fetch_add(1, Ordering::SeqCst);
        } // dropped: closed, unanswered
    });
    (port, arrivals)
}

fn client_with_retries(port: u16, retries: u32) -> Arc<Http> {
    let mut options = Options::default();
    options.worker_threads = 1; // one connection: the second request reuses it
    options.max_retries = retries;
    options.retry_base_delay = std::time::Duration::from_millis(1);
    Http::new("test", &options, &format!("http://127.0.0.1:{port}")).unwrap()
}

#[test]
fn a_request_the_server_may_have_received_is_never_sent_again() {
    let (port, arrivals) = drop_reused_server();
    let http = client_with_retries(port, 2);
    let first = http.send(Method::POST, "/a", "/a", &[], Some(b"{}"), Retry::Never).map(|r| r.status);
    assert_eq!(first.map_err(|e| e.code), Ok(200));
    let Err(second) = http.send(Method::POST, "/b", "/b", &[], Some(b"{}"), Retry::Never) else { panic!("the second POST was answered") };
    assert_eq!(second.code, crate::error::GG_NETWORK);
    assert!(second.message.contains("may have been processed"), "{}", second.message);
    drop(http);
    assert_eq!(arrivals.load(Ordering::SeqCst), 2, "the POST reached the server once");
}

#[test]
fn a_repeatable_request_goes_out_again_only_within_the_retry_budget() {
    for (retries, outcome, sent) in [(0, Err(crate::error::GG_NETWORK), 2), (1, Ok(200), 3)] {
        let (port, arrivals) = drop_reused_server();
        let http = client_with_retries(port, retries);
        assert_eq!(http.send(Method::GET, "/a", "/a", &[], None, Retry::IfTransient).map(|r| r.status).map_err(|e| e.code), Ok(200));
        let second = http.send(Method::GET, "/b", "/b", &[], None, Retry::IfTransient);
        assert_eq!(second.map(|r| r.status).map_err(|e| e.code), outcome, "retries {retries}");
        drop(http);
        assert_eq!(arrivals.load(Ordering::SeqCst), sent, "retries {retries}");
    }
}

fn client_resolving_with(timeout_ms: u64, retries: u32, resolver: crate::net::Resolver, port: u16) -> Arc<Http> {
    let mut options = Options::default();
    options.timeout = std::time::Duration::from_millis(timeout_ms);
    options.max_retries = retries;
    options.retry_base_delay = std::time::Duration::from_millis(1);
    options.resolver = resolver;
    // "localhost" is a name, so it is looked up (an IP literal never is).
    Http::new("test", &options, &format!("http://localhost:{port}")).unwrap()
}

#[test]
fn a_lookup_that_does_not_answer_in_time_ends_at_the_request_deadline() {
    // The resolver answers long after the 300 ms timeout (its own pace, like a dead DNS server).
    let resolver = crate::net::Resolver::custom(|_, _| {
        thread::sleep(std::time::Duration::from_secs(5));
        Err(std::io::Error::other("no answer"))
    });
    let http = client_resolving_with(300, 2, resolver, 1);
    let Err(error) = http.send(Method::GET, "/a", "/a", &[], None, Retry::IfTransient) else { panic!("answered") };
    assert_eq!(error.code, crate::error::GG_TIMEOUT, "{}", error.message);
    assert!(error.message.contains("host name"), "{}", error.message);
}

#[test]
fn a_failed_lookup_is_shared_by_the_retries() {
    let lookups = Arc::new(AtomicUsize::new(0));
    let counted = lookups.clone();
    let resolver = crate::net::Resolver::custom(move |_, _| {
        counted.fetch_add(1, Ordering::SeqCst);
        Err(std::io::Error::other("no such host"))
    });
    let http = client_resolving_with(5000, 2, resolver, 1);
    let Err(error) = http.send(Method::GET, "/a", "/a", &[], None, Retry::IfTransient) else { panic!("answered") };
    assert_eq!(error.code, crate::error::GG_NETWORK);
    assert_eq!(lookups.load(Ordering::SeqCst), 1, "three attempts, one lookup");
}

/// A loopback address whose connects hang: a listener with a backlog of 0, already full, so
/// the kernel drops further SYNs (as a firewall that drops packets would).
fn address_that_drops_connects() -> (TcpListener, TcpStream, std::net::SocketAddr) {
    use std::os::unix::io::AsRawFd;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    // SAFETY: a valid listening socket; only its backlog changes.
    assert_eq!(unsafe { libc::listen(listener.as_raw_fd(), 0) }, 0);
    let address = listener.local_addr().unwrap();
    let filler = TcpStream::connect(address).unwrap(); // the one place in the queue
    (listener, filler, address)
}

#[test]
fn a_connect_that_hangs_falls_back_to_the_next_address() {
    let (_blackhole, _filler, dropped) = address_that_drops_connects();
    let (port, server) = trickling_server(2, std::time::Duration::ZERO, 1);
    let working = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let resolver = crate::net::Resolver::custom(move |_, _| Ok(vec![dropped, working]));
    let http = client_resolving_with(5000, 0, resolver, port);
    let response = http.send(Method::GET, "/a", "/a", &[], None, Retry::Never);
    assert_eq!(response.map(|r| r.status).map_err(|e| e.code), Ok(200), "the second address answered");
    drop(http);
    assert_eq!(server.join().unwrap(), 1);
}

/// A request written at send time (a signed call) is written again for its retry: the server
/// answers the first attempt with a 503 and sees a second, different request.
#[test]
fn a_request_written_at_send_time_is_written_again_for_each_attempt() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let heard = seen.clone();
    let port = serve_each_connection(move |mut reader, mut stream| loop {
        let mut first_line = String::new();
        if reader.read_line(&mut first_line).unwrap_or(0) == 0 || !read_request(&mut reader) {
            return;
        }
        let attempt = {
            let mut seen = heard.lock().unwrap();
            seen.push(first_line.trim().to_string());
            seen.len()
        };
        let reply: &[u8] = if attempt == 1 { b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n" } else { b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" };
        stream.write_all(reply).unwrap();
    });
    let http = client_with_retries(port, 1);
    let writer = http.writer();
    let written = Arc::new(AtomicUsize::new(0));
    let count = written.clone();
    let rewrite = Box::new(move || {
        let n = count.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(writer.write(Method::GET, &format!("/attempt-{n}"), &[], None))
    });
    let request = crate::http::Prepared::written_at_send(Method::GET, "/attempt", Retry::IfTransient, rewrite);
    let response = http.wait_for(request).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(written.load(Ordering::SeqCst), 2);
    assert_eq!(*seen.lock().unwrap(), vec!["GET /attempt-1 HTTP/1.1", "GET /attempt-2 HTTP/1.1"]);
}


#[test]
fn a_pooled_connection_closed_while_idle_is_retired_by_its_event() {
    // The server closes the kept-alive connection a while after its answer. The I/O thread
    // hears the close as an event on the idle connection (its last read drained the socket,
    // so nothing needs a look at the socket before reuse) and retires it: the next request,
    // which may not be sent twice, goes out on a fresh connection.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (close_now, closing) = std::sync::mpsc::channel::<()>();
    let server = thread::spawn(move || {
        let (first, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(first.try_clone().unwrap());
        assert!(read_request(&mut reader));
        let mut first = first;
        answer(&mut first);
        closing.recv().unwrap();
        drop((reader, first)); // the idle close
        let (second, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(second.try_clone().unwrap());
        assert!(read_request(&mut reader));
        let mut second = second;
        answer(&mut second);
    });
    let http = client(port, 1);
    let first = http.send(Method::GET, "/first", "/first", &[], None, Retry::Never).unwrap();
    assert_eq!(first.status, 200);
    let before = http.io_wakeups();
    close_now.send(()).unwrap();
    // The close wakes the I/O thread: once it has, its event has been handled.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while http.io_wakeups() == before && std::time::Instant::now() < deadline {
        thread::yield_now();
    }
    assert!(http.io_wakeups() > before, "the close never woke the I/O thread");
    let second = http.send(Method::POST, "/second", "/second", &[], Some(b"{}"), Retry::Never).unwrap();
    assert_eq!(second.status, 200);
    server.join().unwrap();
}
