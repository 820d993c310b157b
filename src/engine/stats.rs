//! Process-wide counters of what GameGate holds, so tests and games can check that freeing
//! clients gives every thread back.

use std::sync::atomic::{AtomicU64, Ordering};

static LIVE_CLIENTS: AtomicU64 = AtomicU64::new(0);
static LIVE_THREADS: AtomicU64 = AtomicU64::new(0);
static REQUESTS_STARTED: AtomicU64 = AtomicU64::new(0);
static REQUESTS_FINISHED: AtomicU64 = AtomicU64::new(0);
static IO_WAKEUPS: AtomicU64 = AtomicU64::new(0);
static CONNECTIONS_OPENED: AtomicU64 = AtomicU64::new(0);

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Clients created and not yet freed.
    pub live_clients: u64,
    /// Library threads still running (workers finishing a request after free count too).
    pub live_threads: u64,
    /// Asynchronous requests accepted since the process started.
    pub requests_started: u64,
    /// Requests whose worker finished (result queued, or dropped after cancel/free).
    pub requests_finished: u64,
    /// Times any client's I/O thread came back from waiting for the network.
    pub io_wakeups: u64,
    /// Connections opened (connects started) by the process since it started.
    pub connections_opened: u64,
}

pub fn snapshot() -> Snapshot {
    Snapshot {
        live_clients: LIVE_CLIENTS.load(Ordering::Acquire),
        live_threads: LIVE_THREADS.load(Ordering::Acquire),
        requests_started: REQUESTS_STARTED.load(Ordering::Acquire),
        requests_finished: REQUESTS_FINISHED.load(Ordering::Acquire),
        io_wakeups: IO_WAKEUPS.load(Ordering::Relaxed),
        connections_opened: CONNECTIONS_OPENED.load(Ordering::Relaxed),
    }
}

pub(crate) fn request_started() {
    REQUESTS_STARTED.fetch_add(1, Ordering::Relaxed);
}

/// `count` requests' results were queued (or dropped by a client already shut down).
pub(crate) fn requests_finished(count: usize) {
    if count > 0 {
        REQUESTS_FINISHED.fetch_add(count as u64, Ordering::Release);
    }
}

pub(crate) fn connection_opened() {
    CONNECTIONS_OPENED.fetch_add(1, Ordering::Relaxed);
}

pub(crate) fn io_wakeup() {
    IO_WAKEUPS.fetch_add(1, Ordering::Relaxed);
}

/// Counts one live thing for as long as it exists.
pub(crate) struct LiveGuard(&'static AtomicU64);

impl LiveGuard {
    pub fn client() -> LiveGuard {
        LIVE_CLIENTS.fetch_add(1, Ordering::AcqRel);
        LiveGuard(&LIVE_CLIENTS)
    }

    pub fn thread() -> LiveGuard {
        LIVE_THREADS.fetch_add(1, Ordering::AcqRel);
        LiveGuard(&LIVE_THREADS)
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}
