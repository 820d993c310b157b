//! A client's I/O thread. It drives every connection to the client's one origin with
//! non-blocking sockets and one readiness wait (epoll, kqueue or IOCP through mio), so a
//! request in flight costs a little memory, not a sleeping thread, and many answers that
//! arrive together are read after a single wake-up.
//!
//! Requests ("exchanges") come in through the inbox. Each one is answered exactly once
//! through its `on_done`: by a response, an error, its deadline, or an abort. At most
//! `max_in_flight` connections exist; requests beyond that wait their turn in order.
//!
//! Alarms are the other thing the thread runs: a closure at a time (a flow's next step, a
//! caller that stops waiting, the background refresh), so a client needs no other thread.
//!
//! Files: `handle.rs` is the way in from other threads, `connecting.rs` how an exchange gets a
//! connection (addresses, Happy Eyeballs, proxy tunnels), `timers.rs` deadlines, backoffs and
//! alarms. This file keeps the loop and the connection state machine (slots, queue, exchange
//! stages): over 400 lines, because its methods maintain one set of invariants together (an
//! exchange is in exactly one stage; a slot's state names its exchange), and split further the
//! rules would scatter.

use super::connection::{Connection, ReadEnd, TlsSettings};
use super::readiness::{Directions, OneShot, ONE_SHOT_CHECKED};
use super::response::{Response, ResponseReader};
use super::retry::{backoff_delay, is_transient, Retry};
use crate::app_life::LifeChange;
use crate::engine::stats::LiveGuard;
use crate::error::{Error, GG_NETWORK, GG_TIMEOUT};
use mio::{Events, Interest, Poll, Token, Waker};
use crate::id_map::IdMap;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use super::lookup::{in_connect_order, Resolver};
use std::net::SocketAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};
use crate::secret::SecretBytes;

mod connecting;
mod handle;
mod measure;
mod prepare;
mod timers;

pub use handle::Aborter;
pub(crate) use handle::ReactorHandle;
use handle::Inbox;

const WAKER: Token = Token(usize::MAX);
/// How long a looked-up address is reused: short enough to follow a DNS change promptly.
const ADDRESSES_LIVE_FOR: Duration = Duration::from_secs(60);
/// How long a failed lookup is remembered: the retries of the requests that saw it fail
/// reuse the answer instead of asking a broken resolver again at once.
const LOOKUP_FAILURE_LIVES_FOR: Duration = Duration::from_secs(5);
/// Happy Eyeballs (RFC 8305): a connect still pending after this long gets the next address
/// started beside it; the first to connect wins.
const CONNECT_FALLBACK_DELAY: Duration = Duration::from_millis(250);

pub(crate) type OnDone = Box<dyn FnOnce(Result<Response, Error>) + Send>;
/// Writes a request's bytes again for each attempt (a signed request carries the time it is sent).
pub(crate) type Rewrite = Box<dyn FnMut() -> Result<SecretBytes, Error> + Send>;
/// Work for the I/O thread at a given time.
pub(crate) type Alarm = Box<dyn FnOnce() + Send>;

/// One request to send, with everything needed to answer it.
pub(crate) struct Exchange {
    /// The request's head and body, ready for the wire. Wiped when dropped: it carries
    /// credentials in its headers.
    pub bytes: SecretBytes,
    /// For all attempts together, counted from the first time the request goes on the wire:
    /// a request waiting for a free connection has not started yet.
    pub timeout: Duration,
    pub retry: Retry,
    /// "POST /s2s/session/", for log lines; never carries a query or a credential.
    pub label: String,
    pub on_done: OnDone,
    /// Called right before each attempt goes on a connection; its bytes replace `bytes`.
    pub rewrite: Option<Rewrite>,
}

/// What the I/O thread is told.
enum Command {
    Start(u64, Exchange),
    /// The request was cancelled: answer it now and free its connection (or, for an alarm:
    /// it will not run).
    Abort(u64),
    SetAlarm(u64, Instant, Alarm),
    Addresses(Result<Vec<SocketAddr>, Error>),
    /// The app resumed or the network changed (`app_life`).
    Life(LifeChange),
    /// Warm one connection for the next call (`prepare.rs`).
    Prepare,
    Stop,
}

/// The origin and limits of one client; fixed for the I/O thread's life.
pub(crate) struct Settings {
    pub host: String,
    pub port: u16,
    pub tls: Option<TlsSettings>,
    pub max_in_flight: usize,
    pub max_body: u64,
    pub max_retries: u32,
    pub retry_base_delay: Duration,
    /// A pooled connection idle longer than this is closed, never reused: a carrier's NAT or
    /// a load balancer may have forgotten it without a word, and a request sent on it would
    /// wait out its whole timeout (and could not be sent again if not repeatable).
    pub max_idle: Duration,
    /// The client has a metrics callback: exchanges are measured (`measure.rs`).
    pub measure: bool,
    /// The client's request timeout: what a prepared connection's certificate check may take
    /// (a request's own check ends by the request's deadline).
    pub request_timeout: Duration,
    pub resolver: Resolver,
    /// Through an HTTP proxy (`host`/`port` are then the proxy's): the CONNECT request each
    /// connection opens its tunnel with (HTTPS), or `None` for plain HTTP in absolute form.
    pub proxy: Option<Option<SecretBytes>>,
}

/// Where an exchange is now.
enum Stage {
    /// Waiting for a connection (the in-flight limit, or addresses being looked up).
    Queued,
    /// Connecting on these connections at once (Happy Eyeballs); the first up wins.
    Connecting(Vec<usize>),
    /// On this connection.
    Sending(usize),
    /// Waiting out a retry's backoff until then.
    Backoff(Instant),
}

struct Live {
    exchange: Exchange,
    stage: Stage,
    attempt: u32,
    /// Set when the first attempt starts.
    deadline: Option<Instant>,
    /// While connecting: the addresses not yet tried, next one last.
    untried: Vec<SocketAddr>,
    /// While connecting: when the next address starts beside the pending ones.
    fallback_at: Option<Instant>,
    /// Its numbers, when the client wants them.
    measuring: Option<Box<measure::Measuring>>,
}

enum ConnState {
    /// Connecting for this exchange (maybe one of several racing for it).
    Connecting { exchange: u64 },
    /// Connected to the proxy, which is opening the tunnel to the service for this exchange.
    Tunnelling { exchange: u64 },
    Idle,
    Busy { exchange: u64, reader: ResponseReader },
    /// Prepared for the next call: connecting (`connected` false), then in its TLS handshake.
    Warming { connected: bool },
}

struct Slot {
    connection: Connection,
    state: ConnState,
    /// The directions the poller watches: writable only while bytes wait to be sent.
    interest: Interest,
    /// The one-shot rule of debug builds (`readiness.rs`).
    one_shot: OneShot,
    /// Registered again since the last check: under the one-shot rule that re-arms it.
    rearm: bool,
    /// Has answered a request before: if it fails before any byte of the next request went
    /// out, the server had closed it while idle, and the request goes out on a fresh one.
    reused: bool,
    /// When it last became idle (meaningful while `Idle`).
    idle_since: Instant,
    /// When measuring: its connect and handshake times.
    clock: Option<measure::SlotClock>,
}

struct Reactor {
    poll: Poll,
    inbox: Arc<Inbox>,
    settings: Settings,
    slots: Vec<Option<Slot>>,
    free_slots: Vec<usize>,
    open_connections: usize,
    /// Idle connections, most recently used last (reused first: its TCP state is warm).
    idle: Vec<usize>,
    /// Connections being prepared, and since when the last one was started.
    warming: usize,
    warming_since: Option<Instant>,
    /// A prepare waits for the lookup.
    prepare_pending: bool,
    exchanges: IdMap<Live>,
    queue: VecDeque<u64>,
    /// Retries whose backoff ended while the device was offline: they go out when it is back
    /// (or meet their deadline).
    waiting_for_network: Vec<u64>,
    /// Deadlines and backoff ends, earliest first. An exchange's entries leave with it, so
    /// this holds only what is in flight.
    timers: BTreeSet<(Instant, u64)>,
    /// Alarms by time, and each one's time by id (to clear it).
    alarms: BTreeMap<(Instant, u64), Alarm>,
    alarm_times: IdMap<Instant>,
    /// The last lookup's answer (failures too), and until when it holds (`None`: an IP literal).
    addresses: Option<(Result<Vec<SocketAddr>, Error>, Option<Instant>)>,
    looking_up: bool,
    /// Inside `serve_queue`.
    serving: bool,
    /// Where connections read into (one buffer for all, wiped after each read).
    read_buffer: Box<[u8]>,
    /// Connections ready at once after being re-armed (the one-shot rule of debug builds).
    ready_now: Vec<usize>,
    stopped: bool,
}

impl Reactor {
    fn new(poll: Poll, inbox: Arc<Inbox>, settings: Settings) -> Reactor {
        let bare = settings.host.trim_start_matches('[').trim_end_matches(']');
        // An IP literal needs no lookup, ever.
        let addresses = bare.parse::<std::net::IpAddr>().ok().map(|ip| (Ok(vec![SocketAddr::new(ip, settings.port)]), None));
        Reactor {
            poll,
            inbox,
            settings,
            slots: Vec::new(),
            free_slots: Vec::new(),
            open_connections: 0,
            idle: Vec::new(),
            warming: 0,
            warming_since: None,
            prepare_pending: false,
            exchanges: IdMap::default(),
            queue: VecDeque::new(),
            waiting_for_network: Vec::new(),
            timers: BTreeSet::new(),
            alarms: BTreeMap::new(),
            alarm_times: IdMap::default(),
            addresses,
            looking_up: false,
            serving: false,
            read_buffer: vec![0; 16 * 1024].into_boxed_slice(),
            ready_now: Vec::new(),
            stopped: false,
        }
    }

    fn run(&mut self) {
        let mut events = Events::with_capacity(256);
        let mut commands = Vec::new();
        // Results finished between two waits are queued together: one wake-up for the lot.
        let mut _batch = Some(crate::engine::hold_results());
        while !self.stopped {
            self.inbox.take(&mut commands);
            for command in commands.drain(..) {
                self.handle(command);
            }
            if self.stopped {
                break;
            }
            self.fire_timers();
            self.ring_alarms();
            if ONE_SHOT_CHECKED {
                self.rearm_blocked();
            }
            let timeout = if self.ready_now.is_empty() {
                let next_timer = self.timers.first().map(|(at, _)| *at);
                let next_alarm = self.alarms.first_key_value().map(|((at, _), _)| *at);
                next_timer.into_iter().chain(next_alarm).min().map(|at| at.saturating_duration_since(Instant::now()))
            } else {
                Some(Duration::ZERO)
            };
            _batch = None; // queued before this thread may sleep
            self.inbox.sleeping.store(true, Ordering::SeqCst);
            // A post that came before `sleeping` was set found no sleeper: look once more.
            let nothing_posted = self.inbox.commands.lock().unwrap_or_else(|p| p.into_inner()).is_empty();
            if nothing_posted {
                if let Err(e) = self.poll.poll(&mut events, timeout) {
                    if e.kind() != std::io::ErrorKind::Interrupted {
                        crate::gg_log!(crate::log::GG_LOG_ERROR, "I/O wait failed: {e}");
                        thread::sleep(Duration::from_millis(1));
                    }
                }
                self.inbox.wakeups.fetch_add(1, Ordering::Relaxed);
                crate::engine::stats::io_wakeup();
            } else {
                events.clear();
            }
            self.inbox.sleeping.store(false, Ordering::SeqCst);
            _batch = Some(crate::engine::hold_results());
            for event in events.iter() {
                if event.token() == WAKER {
                    continue;
                }
                let index = event.token().0;
                if ONE_SHOT_CHECKED && !self.admit(index, Directions::of_event(event)) {
                    continue;
                }
                self.on_ready(index);
            }
            for index in std::mem::take(&mut self.ready_now) {
                self.on_ready(index);
            }
        }
        // Stopped: exchanges still here are dropped unanswered; their requests were already
        // completed by the engine's shutdown.
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Stop => self.stopped = true,
            Command::Start(id, exchange) => {
                let measuring = self.settings.measure.then(|| measure::Measuring::new(&exchange.label));
                self.exchanges.insert(id, Live { exchange, stage: Stage::Queued, attempt: 0, deadline: None, untried: Vec::new(), fallback_at: None, measuring });
                self.queue.push_back(id);
                self.serve_queue();
            }
            Command::Abort(id) => {
                if self.exchanges.contains_key(&id) {
                    self.finish(id, Err(Error::cancelled()));
                    self.serve_queue(); // its connection, if it had one, is free again
                } else if let Some(at) = self.alarm_times.remove(&id) {
                    self.alarms.remove(&(at, id));
                }
            }
            Command::SetAlarm(id, at, alarm) => {
                self.alarms.insert((at, id), alarm);
                self.alarm_times.insert(id, at);
            }
            Command::Life(change) => {
                // Pooled connections are suspect after a sleep or a network change: a request
                // risked on one could wait out its whole timeout.
                let idle = std::mem::take(&mut self.idle);
                crate::gg_log!(crate::log::GG_LOG_DEBUG, "{change:?}: closing {} pooled connection(s)", idle.len());
                for index in idle {
                    self.close_slot(index);
                }
                if change == (LifeChange::Network { offline: false }) {
                    let back: Vec<u64> = std::mem::take(&mut self.waiting_for_network);
                    self.queue.extend(back);
                }
                self.serve_queue();
            }
            Command::Prepare => self.prepare(),
            Command::Addresses(result) => {
                self.looking_up = false;
                let lives_for = if result.is_ok() { ADDRESSES_LIVE_FOR } else { LOOKUP_FAILURE_LIVES_FOR };
                self.addresses = Some((result.clone(), Some(Instant::now() + lives_for)));
                if self.prepare_pending {
                    self.prepare();
                }
                match result {
                    Ok(_) => self.serve_queue(),
                    // Everyone queued was waiting for this lookup.
                    Err(error) => self.fail_queued(error),
                }
            }
        }
    }

    /// Gives queued exchanges an idle connection, or a new one while under the limit.
    fn serve_queue(&mut self) {
        // A failure while serving (a dead pooled connection) serves the queue again: the
        // loop below already does, so the nested call returns at once.
        if self.serving {
            return;
        }
        self.serving = true;
        self.serve_queue_now();
        self.serving = false;
    }

    fn serve_queue_now(&mut self) {
        while let Some(&id) = self.queue.front() {
            let Some(live) = self.exchanges.get(&id).filter(|l| matches!(l.stage, Stage::Queued)) else {
                self.queue.pop_front(); // answered (timed out) while it waited
                continue;
            };
            if crate::app_life::offline() {
                // Nothing goes out: a new request fails at once, a retry waits for the network.
                self.queue.pop_front();
                if live.attempt == 0 {
                    self.finish(id, Err(Error::new(GG_NETWORK, "the device is offline (the game reported GG_NET_OFFLINE): nothing was sent")));
                } else {
                    crate::gg_log!(crate::log::GG_LOG_DEBUG, "{}: the retry waits for the network", live.exchange.label);
                    self.waiting_for_network.push(id);
                }
                continue;
            }
            if let Some(slot) = self.idle.pop() {
                let reusable = self.is_reusable(slot);
                if !reusable {
                    self.close_slot(slot);
                    continue;
                }
                self.queue.pop_front();
                self.assign(slot, id);
                continue;
            }
            // A connection being prepared is the one to take, briefly (`prepare.rs`).
            let waiting_before = self.queue.iter().take_while(|&&other| other != id).count();
            if self.waits_for_warm(id, waiting_before) {
                return;
            }
            if self.open_connections >= self.settings.max_in_flight {
                return;
            }
            match self.fresh_addresses() {
                Some(Ok(addresses)) => {
                    self.queue.pop_front();
                    self.connect(addresses, id);
                }
                Some(Err(error)) => {
                    self.queue.pop_front();
                    self.attempt_failed(id, error);
                }
                None => {
                    // The requests that would go out now wait for the lookup, on their clock.
                    let could_go = self.settings.max_in_flight - self.open_connections;
                    let waiting: Vec<u64> = self.queue.iter().take(could_go).copied().collect();
                    for id in waiting {
                        self.start_clock(id);
                        self.note_lookup_started(id);
                    }
                    self.look_up_addresses();
                    return;
                }
            }
        }
    }

    /// No connection can be had: everyone waiting for one fails (and may retry).
    fn fail_queued(&mut self, error: Error) {
        let waiting: Vec<u64> = self.queue.drain(..).collect();
        for id in waiting {
            self.attempt_failed(id, error.clone());
        }
    }

    /// While connection `index` is in its TLS handshake: when the request it is for must end
    /// (a prepared connection: the client's request timeout after it began warming).
    fn handshake_deadline(&self, index: usize) -> Option<Instant> {
        let slot = self.slots.get(index)?.as_ref()?;
        if self.settings.tls.is_none() || !slot.connection.is_handshaking() {
            return None;
        }
        match &slot.state {
            ConnState::Connecting { exchange } | ConnState::Tunnelling { exchange } | ConnState::Busy { exchange, .. } => self.exchanges.get(exchange)?.deadline,
            ConnState::Warming { .. } => Some(self.warming_since? + self.settings.request_timeout),
            ConnState::Idle => None,
        }
    }

    /// The request's clock starts when it first leaves the queue.
    fn start_clock(&mut self, id: u64) {
        if let Some(live) = self.exchanges.get_mut(&id) {
            if live.deadline.is_none() {
                let deadline = Instant::now() + live.exchange.timeout;
                live.deadline = Some(deadline);
                self.timers.insert((deadline, id));
            }
        }
    }

    /// Under the one-shot rule: whether an event for connection `index` is reported.
    /// Whether idle connection `index` can carry another request: within the idle limit, and
    /// still open with nothing unread. A connection whose last read drained the socket needs
    /// no look at it: that read would have seen a close sent right behind the answer, and
    /// readiness is armed, so a later close or stray bytes are reported as an event and the
    /// idle handler retires the connection. Only one never read that far is looked at.
    fn is_reusable(&mut self, index: usize) -> bool {
        let max_idle = self.settings.max_idle;
        let Some(Some(slot)) = self.slots.get_mut(index) else { return false };
        slot.idle_since.elapsed() <= max_idle && (slot.connection.drained() || slot.connection.is_open_and_quiet())
    }

    fn admit(&mut self, index: usize, reported: Directions) -> bool {
        match self.slots.get_mut(index) {
            Some(Some(slot)) => slot.one_shot.admit(reported),
            _ => false,
        }
    }

    /// Under the one-shot rule: connections whose last operation returned `WouldBlock`, or
    /// that were registered again, are armed again; those ready now are served next round.
    fn rearm_blocked(&mut self) {
        for (index, slot) in self.slots.iter_mut().enumerate() {
            let Some(slot) = slot else { continue };
            if slot.connection.blocked || slot.rearm {
                slot.connection.blocked = false;
                slot.rearm = false;
                if slot.one_shot.rearm(slot.interest, &slot.connection.socket) {
                    self.ready_now.push(index);
                }
            }
        }
    }

    /// Watches connection `index` for writability only while it has bytes to send (and while
    /// it connects, which writability reports): a socket that can always be written would
    /// otherwise wake the I/O thread for nothing, on Windows without end.
    fn update_interest(&mut self, index: usize) {
        let registry = self.poll.registry();
        let Some(Some(slot)) = self.slots.get_mut(index) else { return };
        let connecting = matches!(slot.state, ConnState::Connecting { .. });
        let wanted = if connecting || slot.connection.wants_write() { Interest::READABLE | Interest::WRITABLE } else { Interest::READABLE };
        if wanted != slot.interest {
            if let Err(e) = registry.reregister(&mut slot.connection.socket, Token(index), wanted) {
                crate::gg_log!(crate::log::GG_LOG_ERROR, "could not watch a connection: {e}");
            }
            slot.interest = wanted;
            slot.rearm = true;
        }
    }

    /// Closes a connection; its exchange, if any, is the caller's business.
    fn close_slot(&mut self, index: usize) -> Option<Slot> {
        let mut slot = self.slots.get_mut(index)?.take()?;
        if matches!(slot.state, ConnState::Warming { .. }) {
            self.warming -= 1;
        }
        let _ = self.poll.registry().deregister(&mut slot.connection.socket);
        self.free_slots.push(index);
        self.open_connections -= 1;
        self.idle.retain(|&i| i != index);
        Some(slot)
    }

    /// Puts exchange `id` on a connected, idle connection and sends it.
    fn assign(&mut self, index: usize, id: u64) {
        self.start_clock(id);
        let Some(live) = self.exchanges.get_mut(&id) else { return };
        if let Some(rewrite) = live.exchange.rewrite.as_mut() {
            match rewrite() {
                Ok(bytes) => live.exchange.bytes = bytes,
                Err(error) => {
                    self.idle.push(index); // nothing was sent on it
                    self.finish(id, Err(error));
                    self.serve_queue();
                    return;
                }
            }
        }
        if self.settings.measure {
            let reused = matches!(self.slots.get(index), Some(Some(slot)) if slot.reused);
            let request_bytes = self.exchanges.get(&id).map_or(0, |live| live.exchange.bytes.len());
            self.note_attempt(index, id, reused, request_bytes);
        }
        let Some(live) = self.exchanges.get_mut(&id) else { return };
        live.stage = Stage::Sending(index);
        let Some(Some(slot)) = self.slots.get_mut(index) else { return };
        slot.state = ConnState::Busy { exchange: id, reader: ResponseReader::new(self.settings.max_body) };
        let queued = slot.connection.queue(&live.exchange.bytes);
        // The answer is read when readiness says it has arrived, not here: reading here would
        // nest one answer's completion inside another's (and the stack with it).
        match queued.and_then(|()| slot.connection.flush()) {
            Ok(()) => {
                self.note_progress(index, id, 0);
                self.update_interest(index);
            }
            Err(error) => self.connection_failed(index, error),
        }
    }

    /// A readiness event (or a fresh assignment): moves the connection on as far as it goes.
    fn on_ready(&mut self, index: usize) {
        // A certificate check the OS answers over the network ends by then (check_by_deadline);
        // set only during a handshake, so other events leave the thread-local alone.
        let _checks_end = self.handshake_deadline(index).map(crate::net::checks_end_by);
        let Some(Some(slot)) = self.slots.get_mut(index) else { return };
        match &mut slot.state {
            ConnState::Connecting { exchange } => {
                let id = *exchange;
                match slot.connection.check_connected() {
                    Ok(false) => {}
                    Ok(true) => self.won_race(index, id),
                    Err(error) => {
                        // Refused on this address (say ::1): the next one (127.0.0.1) may answer.
                        let error = self.through_proxy(error);
                        self.racer_failed(index, id, error);
                        self.serve_queue();
                    }
                }
            }
            ConnState::Tunnelling { exchange } => {
                let id = *exchange;
                self.advance_tunnel(index, id);
            }
            ConnState::Warming { .. } => self.warm(index),
            ConnState::Idle => {
                // An idle connection has nothing to say: anything it reads means the server
                // closed it, or broke it. An event with nothing to read leaves it be.
                let mut said_something = false;
                let read = slot.connection.read(&mut self.read_buffer, &mut |_| {
                    said_something = true;
                    Ok(())
                });
                if said_something || !matches!(read, Ok(ReadEnd::WouldBlock)) {
                    self.close_slot(index);
                    self.serve_queue();
                }
            }
            ConnState::Busy { reader, exchange } => {
                let id = *exchange;
                let flushed = slot.connection.flush();
                // Read until the socket would block, even past the end of the answer: on
                // Windows the socket is watched again only after that (and bytes past the
                // answer make the connection unfit for another request).
                let mut received = 0;
                let read = flushed.and_then(|()| {
                    slot.connection.read(&mut self.read_buffer, &mut |bytes| {
                        received += bytes.len();
                        reader.feed(bytes).map(drop)
                    })
                });
                let done = reader.is_done();
                self.note_progress(index, id, received);
                let Some(Some(slot)) = self.slots.get_mut(index) else { return };
                let ConnState::Busy { reader, .. } = &mut slot.state else { return };
                let outcome = match read {
                    Ok(ReadEnd::WouldBlock) if !done => {
                        self.update_interest(index);
                        return;
                    }
                    Ok(ReadEnd::WouldBlock) => Ok(()),
                    Ok(ReadEnd::Closed) => reader.end_of_stream(true),
                    Ok(ReadEnd::Cut) => reader.end_of_stream(false),
                    // The answer was whole before the connection broke: keep it, drop the connection.
                    Err(_) if reader.is_done() => reader.end_of_stream(true),
                    Err(error) => Err(error),
                };
                // A body that broke off still came with a status: report it.
                let status = reader.status();
                let outcome = outcome.map_err(|e| if status != 0 && e.http_status == 0 { e.with_status(status) } else { e });
                match outcome {
                    Ok(()) => self.answered(index),
                    Err(error) => self.connection_failed(index, error),
                }
            }
        }
    }

    /// The connection's exchange has its whole answer.
    fn answered(&mut self, index: usize) {
        let Some(Some(slot)) = self.slots.get_mut(index) else { return };
        let ConnState::Busy { exchange, reader } = std::mem::replace(&mut slot.state, ConnState::Idle) else { return };
        slot.reused = true;
        slot.idle_since = Instant::now();
        let status = reader.status();
        if reader.keep_alive() {
            self.idle.push(index);
        } else {
            self.close_slot(index);
        }
        self.note_status(exchange, status);
        let outcome = reader.into_response();
        match outcome {
            Ok(response) => self.attempt_answered(exchange, response),
            Err(error) => self.finish(exchange, Err(error.with_status(status))),
        }
        self.serve_queue();
    }

    /// The connection broke. Its exchange goes out again on a fresh connection at once when
    /// none of it was sent (a pooled connection the server had closed); otherwise it fails,
    /// and only a request that is safe to repeat may be retried, within the retry budget.
    fn connection_failed(&mut self, index: usize, error: Error) {
        if let Some(Some(Slot { state: ConnState::Connecting { exchange }, .. })) = self.slots.get(index) {
            let id = *exchange;
            self.racer_failed(index, id, error);
            self.serve_queue();
            return;
        }
        let Some(slot) = self.close_slot(index) else { return };
        let (exchange, error) = match &slot.state {
            ConnState::Connecting { .. } => (None, error),
            ConnState::Busy { exchange, reader } if !reader.started() && error.code == GG_NETWORK => {
                if slot.reused && !slot.connection.request_sent {
                    if let Some(live) = self.exchanges.get_mut(exchange) {
                        live.stage = Stage::Queued;
                        self.queue.push_front(*exchange);
                    }
                    (None, error)
                } else if slot.connection.request_sent {
                    (Some(*exchange), Error::new(GG_NETWORK, "the connection closed after the request was sent, before any answer: the request may have been processed"))
                } else {
                    (Some(*exchange), error)
                }
            }
            ConnState::Busy { exchange, .. } | ConnState::Tunnelling { exchange } => (Some(*exchange), error),
            ConnState::Idle | ConnState::Warming { .. } => (None, error),
        };
        if let Some(id) = exchange {
            self.attempt_failed(id, error);
        }
        self.serve_queue();
    }

    /// A complete answer: done, unless it is a gateway error worth another attempt.
    fn attempt_answered(&mut self, id: u64, response: Response) {
        let outcome = Ok(response);
        if !self.retry_later(id, &outcome) {
            self.finish(id, outcome);
        }
    }

    fn attempt_failed(&mut self, id: u64, error: Error) {
        let outcome = Err(error);
        if !self.retry_later(id, &outcome) {
            self.finish(id, outcome);
        }
    }

    /// Answers exchange `id` (once: it leaves the map here).
    fn finish(&mut self, id: u64, outcome: Result<Response, Error>) {
        let Some(live) = self.exchanges.remove(&id) else { return };
        if let Some(deadline) = live.deadline {
            self.timers.remove(&(deadline, id));
        }
        if let Some(at) = live.fallback_at {
            self.timers.remove(&(at, id));
        }
        let connections = match &live.stage {
            Stage::Backoff(until) => {
                self.timers.remove(&(*until, id));
                Vec::new()
            }
            Stage::Sending(index) => vec![*index],
            Stage::Connecting(racers) => racers.clone(),
            Stage::Queued => Vec::new(),
        };
        for index in connections {
            // Still on a connection (a deadline, a cancel): its state is unknown, close it.
            let still_there = matches!(
                self.slots.get(index),
                Some(Some(Slot { state: ConnState::Busy { exchange, .. } | ConnState::Connecting { exchange } | ConnState::Tunnelling { exchange }, .. })) if *exchange == id
            );
            if still_there {
                self.close_slot(index);
            }
        }
        match &outcome {
            Ok(response) => crate::gg_log!(
                crate::log::GG_LOG_DEBUG,
                "{} -> HTTP {} ({} bytes)",
                live.exchange.label,
                response.status,
                response.body.len()
            ),
            Err(error) => crate::gg_log!(crate::log::GG_LOG_DEBUG, "{} -> {}", live.exchange.label, crate::error::result_name(error.code)),
        }
        let on_done = live.exchange.on_done;
        // The exchange's numbers go along with its completion (`engine::metrics`).
        let complete = move || match live.measuring {
            Some(measuring) => crate::engine::metrics::with_exchange(measuring.metrics, move || on_done(outcome)),
            None => on_done(outcome),
        };
        if catch_unwind(AssertUnwindSafe(complete)).is_err() {
            crate::gg_log!(crate::log::GG_LOG_ERROR, "a request completion panicked; the panic was contained");
        }
    }
}
