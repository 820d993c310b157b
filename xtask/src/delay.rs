//! A TCP forwarder on loopback that holds every byte for a fixed time before passing it on,
//! both ways: a long link for the first-call bench. The TCP handshake is the kernel's and is
//! not delayed (this machine has no netem), so a cold connection pays the link for TLS and the
//! request, not for the handshake.

use crate::Result;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

pub struct DelayLink {
    pub port: u16,
    stopping: Arc<AtomicBool>,
}

impl Drop for DelayLink {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port)); // wakes the accept
    }
}

/// Forwards 127.0.0.1:<port> to 127.0.0.1:`upstream`, each byte `one_way` late.
pub fn start(upstream: u16, one_way: Duration) -> Result<DelayLink> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let stopping = Arc::new(AtomicBool::new(false));
    let stop = stopping.clone();
    thread::spawn(move || {
        for client in listener.incoming() {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            let (Ok(client), Ok(server)) = (client, TcpStream::connect(("127.0.0.1", upstream))) else { continue };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            if let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) {
                pump(client, s2, one_way);
                pump(server, c2, one_way);
            }
        }
    });
    Ok(DelayLink { port, stopping })
}

/// Reads `from` as bytes come and writes each piece to `to` once it is `delay` old.
fn pump(mut from: TcpStream, mut to: TcpStream, delay: Duration) {
    let (send, receive) = mpsc::channel::<(Instant, Vec<u8>)>();
    thread::spawn(move || {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match from.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if send.send((Instant::now() + delay, buffer[..n].to_vec())).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = send.send((Instant::now() + delay, Vec::new())); // the end, as late as the bytes
    });
    thread::spawn(move || {
        for (due, bytes) in receive {
            let wait = due.saturating_duration_since(Instant::now());
            if !wait.is_zero() {
                thread::sleep(wait); // the link's length, not a wait for anyone
            }
            if bytes.is_empty() || to.write_all(&bytes).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}
