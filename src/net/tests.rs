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
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counted = accepted.clone();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            counted.fetch_add(1, Ordering::SeqCst);
            thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut stream = stream;
                while read_request(&mut reader) {
                    answer(&mut stream);
                }
            });
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
