//! The threading story in one place. Every request, KGeN or Elixir, is started on the
//! client's I/O thread (`submit_io`): an HTTP exchange, or a short chain of them (an Elixir
//! call that refreshes first), whose last step hands its result to a `Completion`. Finished
//! requests go into a completion queue, drained either by `tick` on the game's thread
//! (`Dispatch::Tick`) or, in `Dispatch::Worker`, by the client's callback thread, woken when
//! results arrive (an I/O thread queues those of one wait together, `batch`): never by the
//! I/O thread, so a callback that takes its time (a game server writing to its database)
//! never holds the client's network. Either way one thread at a time
//! delivers, in queue order. A client is therefore one thread in tick mode and two in worker
//! mode.
//!
//! Guarantees (API.md rules 1-5), all enforced here and nowhere else:
//! - every accepted request is completed exactly once: by its result, by cancel or by shutdown;
//!   a request is "claimed" out of `pending` under the lock right before its callback runs;
//! - only one thread runs callbacks of a client at a time, and `shutdown` waits for it, so no
//!   callback runs once `shutdown` has returned;
//! - `shutdown` never waits for the network: a result that arrives after it finds the
//!   request gone and is dropped.
//!
//! Knows nothing of KGeN or Elixir: requests and deliveries are closures.

mod batch;
pub mod metrics;
pub mod stats;

pub use batch::{hold_results, Batch};

use crate::error::Error;
use crate::options::Dispatch;
use metrics::{ExchangeMetrics, MetricsSink, RequestMetrics};
use stats::LiveGuard;
use std::any::Any;
use std::marker::PhantomData;
use crate::id_map::IdMap;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle, ThreadId};

type Outcome = Result<Box<dyn Any + Send>, Error>;
type Deliver = Box<dyn FnOnce(Outcome) + Send>;
type Event = Box<dyn FnOnce() + Send>;
/// Turns a job's raw result into what its callback gets (a parse), in dispatch context.
type Refine = Box<dyn FnOnce(Outcome) -> Outcome + Send>;

/// A typed result as the queue carries it.
fn erased<T: Send + 'static>(result: Result<T, Error>) -> Outcome {
    result.map(|value| Box::new(value) as Box<dyn Any + Send>)
}

/// The queue's result as the type its request was submitted with.
fn typed<T: 'static>(outcome: Outcome) -> Result<T, Error> {
    outcome.and_then(|any| any.downcast::<T>().map(|boxed| *boxed).map_err(|_| Error::internal("result type mismatch")))
}

/// A request not yet delivered.
struct Pending {
    deliver: Deliver,
    /// Stops the request's work when it is cancelled (an exchange on the I/O thread).
    on_cancel: Option<Event>,
    /// When the call was made (only with a metrics sink).
    submitted: Option<std::time::Instant>,
}

/// Something waiting in the completion queue.
enum Ready {
    /// A job's result; delivered only if the request is still pending when its turn comes.
    /// `exchange`: what the network part measured (with a metrics sink); `refine`: the work
    /// left to turn `outcome` into the callback's value (see `Completion::finish_refined`).
    Finished { id: u64, outcome: Outcome, exchange: Option<ExchangeMetrics>, refine: Option<Refine> },
    /// A request already taken out of `pending` (cancelled): delivered whatever happens.
    Claimed { deliver: Deliver, outcome: Outcome },
    /// A notification such as "the session changed", run in dispatch context.
    Event(Event),
    /// Nothing behind it is delivered until it opens (a session being written to the OS
    /// store before the game hears of it).
    Gate(Arc<AtomicBool>),
}

struct State {
    pending: IdMap<Pending>,
    ready: VecDeque<Ready>,
    shutdown: bool,
    /// The thread running one of this client's callbacks right now, if any.
    deliverer: Option<ThreadId>,
    /// Worker dispatch: the callback thread sleeps for want of work (only then does a new
    /// result need a wake-up, a system call).
    callback_waiting: bool,
}

struct Shared {
    name: &'static str,
    state: Mutex<State>,
    /// Wakes the callback thread: an item no I/O thread will deliver (a cancellation), or shutdown.
    ready_arrived: Condvar,
    /// Signalled when a callback finishes or shutdown starts (shutdown waits on it).
    delivery_done: Condvar,
    /// Mirror of `state.ready.len()`, so an idle `tick` costs one atomic load.
    ready_len: AtomicUsize,
    /// Worker dispatch: the callback thread delivers, woken when items arrive and it sleeps.
    worker: bool,
    /// The game's metrics callback, called right before each request's own.
    metrics: Option<MetricsSink>,
    next_id: AtomicU64,
}

/// Runs events (a session change) in dispatch context from any thread, outside any job: at
/// the game's next tick, or in worker dispatch on the emitting thread. Does nothing once the
/// client is freed.
#[derive(Clone)]
pub struct Emitter {
    shared: std::sync::Weak<Shared>,
}

impl Emitter {
    pub fn emit(&self, event: impl FnOnce() + Send + 'static) {
        let Some(shared) = self.shared.upgrade() else { return };
        shared.push_ready(Ready::Event(Box::new(event)));
    }

    /// Holds back everything queued after it until the returned `Gate` opens (or is dropped).
    pub fn gate(&self) -> Gate {
        let open = Arc::new(AtomicBool::new(false));
        if let Some(shared) = self.shared.upgrade() {
            shared.push_ready(Ready::Gate(open.clone()));
        }
        Gate { shared: self.shared.clone(), open }
    }
}

/// A closed gate in a client's completion queue; opening it (or dropping it) lets what
/// queued behind it be delivered.
pub struct Gate {
    shared: std::sync::Weak<Shared>,
    open: Arc<AtomicBool>,
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.open.store(true, Ordering::Release);
        let Some(shared) = self.shared.upgrade() else { return };
        // Under the lock, so a callback thread about to wait cannot miss the wake-up.
        drop(shared.lock());
        shared.ready_arrived.notify_all();
    }
}

/// The right to complete one request. Completing it queues the result (in worker dispatch
/// the callback thread delivers it); dropping it unused completes the request with
/// `GG_SHUTDOWN` (its I/O thread stopped), or `GG_INTERNAL` when a panic dropped it.
pub struct Completion<T> {
    shared: Option<Arc<Shared>>,
    id: u64,
    _result: PhantomData<fn(T)>,
}

impl<T: Send + 'static> Completion<T> {
    pub fn finish(mut self, outcome: Result<T, Error>) {
        if let Some(shared) = self.shared.take() {
            shared.complete(self.id, erased(outcome), None);
        }
    }

    /// Completes with `raw`, which `refine` turns into the result (a response into a parsed
    /// session). In worker dispatch `refine` runs on the callback thread, off the I/O thread
    /// that serves every connection of the client (at 64 requests in flight the I/O thread is
    /// the bottleneck); in tick dispatch it runs here, so the game's thread never parses.
    pub fn finish_refined<R: Send + 'static>(mut self, raw: Result<R, Error>, refine: impl FnOnce(Result<R, Error>) -> Result<T, Error> + Send + 'static) {
        let Some(shared) = self.shared.take() else { return };
        if !shared.worker {
            shared.complete(self.id, erased(refine(raw)), None);
            return;
        }
        let refine: Refine = Box::new(move |outcome: Outcome| erased(refine(typed::<R>(outcome))));
        shared.complete(self.id, erased(raw), Some(refine));
    }
}

impl<T> Drop for Completion<T> {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            // Dropped by a panic unwinding through the code that held it (contained there).
            let error = match thread::panicking() {
                true => Error::internal("GameGate panicked while running the request; please report this"),
                false => Error::shutdown(),
            };
            shared.complete(self.id, Err(error), None);
        }
    }
}

pub struct Engine {
    shared: Arc<Shared>,
    callback_thread: Mutex<Option<JoinHandle<()>>>,
    /// `tick` stops delivering once this much time went by (at least one callback per tick);
    /// zero: no budget.
    tick_budget: std::time::Duration,
    _live: LiveGuard,
}

impl Engine {
    /// `name` labels the callback thread ("gamegate-kgen-callbacks") and log lines.
    pub fn new(name: &'static str, dispatch: Dispatch) -> Result<Engine, Error> {
        Engine::build(name, dispatch, None)
    }

    fn build(name: &'static str, dispatch: Dispatch, metrics: Option<MetricsSink>) -> Result<Engine, Error> {
        let shared = Arc::new(Shared {
            name,
            state: Mutex::new(State { pending: IdMap::default(), ready: VecDeque::new(), shutdown: false, deliverer: None, callback_waiting: false }),
            ready_arrived: Condvar::new(),
            delivery_done: Condvar::new(),
            ready_len: AtomicUsize::new(0),
            worker: dispatch == Dispatch::Worker,
            metrics,
            next_id: AtomicU64::new(1),
        });
        let engine = Engine { shared: shared.clone(), callback_thread: Mutex::new(None), tick_budget: std::time::Duration::ZERO, _live: LiveGuard::client() };
        if dispatch == Dispatch::Worker {
            let callback_shared = shared.clone();
            let handle = thread::Builder::new()
                .name(format!("gamegate-{name}-callbacks"))
                .spawn({
                    let live = LiveGuard::thread(); // counted from the spawn, not its first run
                    move || callback_loop(callback_shared, live)
                })
                .map_err(|e| Error::internal(format!("could not start the callback thread: {e}")))?;
            *engine.callback_thread.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
        }
        Ok(engine)
    }

    /// A client's engine as its options say: dispatch mode and tick budget.
    pub fn for_options(name: &'static str, options: &crate::options::Options) -> Result<Engine, Error> {
        let mut engine = Engine::build(name, options.dispatch, options.metrics.clone())?;
        engine.tick_budget = options.tick_budget;
        Ok(engine)
    }

    /// Runs events in dispatch context from outside any request (a session change).
    pub fn emitter(&self) -> Emitter {
        Emitter { shared: Arc::downgrade(&self.shared) }
    }

    /// Registers a request that runs on the client's I/O thread: `start` launches it, hands
    /// the `Completion` to whatever finishes it, and returns what stops that work if the
    /// request is cancelled. Must not fail once called: everything fallible happens before
    /// `submit_io`. `deliver` gets the result (or `GG_CANCELLED` / `GG_SHUTDOWN`) exactly once,
    /// in dispatch context.
    pub fn submit_io<T, S, C, D>(&self, start: S, deliver: D) -> Result<u64, Error>
    where
        T: Send + 'static,
        S: FnOnce(Completion<T>) -> C,
        C: FnOnce() + Send + 'static,
        D: FnOnce(Result<T, Error>) + Send + 'static,
    {
        let id = self.register(deliver)?;
        stats::request_started();
        let on_cancel = start(Completion { shared: Some(self.shared.clone()), id, _result: PhantomData });
        // Already delivered (or cancelled by a guessed id): nothing left to stop.
        if let Some(pending) = self.shared.lock().pending.get_mut(&id) {
            pending.on_cancel = Some(Box::new(on_cancel));
        }
        Ok(id)
    }

    /// Adds `deliver` to the pending requests under a fresh id.
    fn register<T, D>(&self, deliver: D) -> Result<u64, Error>
    where
        T: Send + 'static,
        D: FnOnce(Result<T, Error>) + Send + 'static,
    {
        let deliver: Deliver = Box::new(move |outcome: Outcome| deliver(typed::<T>(outcome)));
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let mut state = self.shared.lock();
        if state.shutdown {
            return Err(Error::shutdown());
        }
        let submitted = self.shared.metrics.is_some().then(std::time::Instant::now);
        state.pending.insert(id, Pending { deliver, on_cancel: None, submitted });
        Ok(id)
    }

    /// Completes a pending request with `GG_CANCELLED` (delivered in dispatch context), and
    /// stops its work where it can (an exchange on the I/O thread frees its connection).
    pub fn cancel(&self, id: u64) -> Result<(), Error> {
        let mut state = self.shared.lock();
        if state.shutdown {
            return Err(Error::shutdown());
        }
        match state.pending.remove(&id) {
            Some(Pending { deliver, on_cancel, submitted }) => {
                let deliver = self.shared.reporting(id, submitted, None, deliver);
                state.ready.push_back(Ready::Claimed { deliver, outcome: Err(Error::cancelled()) });
                self.shared.ready_len.store(state.ready.len(), Ordering::Release);
                drop(state);
                if self.shared.worker {
                    self.shared.ready_arrived.notify_all();
                }
                if let Some(on_cancel) = on_cancel {
                    on_cancel();
                }
                Ok(())
            }
            None => Err(Error::invalid(format!("request {id} is not pending: its result was already delivered, or it never existed"))),
        }
    }

    /// Runs the callbacks that are ready, on this thread. Returns how many ran. A tick from
    /// inside one of this client's callbacks (or racing another thread's tick) runs nothing.
    /// True inside one of this client's callbacks on this thread (a tick there runs nothing).
    pub fn delivering_here(&self) -> bool {
        self.shared.lock().deliverer == Some(thread::current().id())
    }

    pub fn tick(&self) -> u32 {
        if self.shared.ready_len.load(Ordering::Acquire) == 0 {
            return 0;
        }
        let mut state = self.shared.lock();
        if state.deliverer.is_some() {
            return 0;
        }
        // Only what is ready now: callbacks that queue more work cannot keep one tick going.
        let budget = state.ready.len();
        let started = (!self.tick_budget.is_zero()).then(std::time::Instant::now);
        let mut delivered = 0;
        for _ in 0..budget {
            // The time budget: the rest waits for the next frame (one callback at least).
            if delivered > 0 && started.is_some_and(|at| at.elapsed() >= self.tick_budget) {
                break;
            }
            let (next, call) = self.shared.take_next(state);
            state = next;
            match call {
                Take::Run(call) => {
                    state = self.shared.run_as_deliverer(state, call);
                    delivered += 1;
                }
                Take::Skip => {}
                Take::Empty => break,
            }
        }
        delivered
    }

    /// Completes every pending request with `GG_SHUTDOWN` on this thread, waits for a callback
    /// running on another thread, and stops the threads. Idempotent; safe from a callback.
    pub fn shutdown(&self) {
        let me = thread::current().id();
        let mut state = self.shared.lock();
        if state.shutdown {
            return;
        }
        state.shutdown = true;
        while let Some(running) = state.deliverer {
            if running == me {
                break;
            }
            state = self.shared.delivery_done.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        // Work still running is not stopped one by one: the client's threads stop next.
        let mut pending: Vec<(u64, Deliver)> = state.pending.drain().map(|(id, p)| (id, self.shared.reporting(id, p.submitted, None, p.deliver))).collect();
        pending.sort_by_key(|(id, _)| *id);
        let ready: Vec<Ready> = state.ready.drain(..).collect();
        self.shared.ready_len.store(0, Ordering::Release);
        let outer_deliverer = state.deliverer.replace(me);
        drop(state);
        self.shared.ready_arrived.notify_all();

        for (_, deliver) in pending {
            run_guarded(self.shared.name, Box::new(move || deliver(Err(Error::shutdown()))));
        }
        for item in ready {
            if let Ready::Claimed { deliver, outcome } = item {
                run_guarded(self.shared.name, Box::new(move || deliver(outcome)));
            }
        }
        self.shared.lock().deliverer = outer_deliverer;
        self.shared.delivery_done.notify_all();

        let handle = self.callback_thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(handle) = handle {
            // From inside a worker-mode callback the thread is this one: it ends on its own.
            if handle.thread().id() != me {
                let _ = handle.join();
            }
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.shutdown();
    }
}

enum Take {
    Run(Event),
    Skip,
    Empty,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a result or event: at once, or at the end of this thread's batch (the I/O
    /// thread's, see `batch`). In worker dispatch the callback thread is woken if it sleeps;
    /// in tick dispatch the game's next tick delivers it.
    fn push_ready(self: &Arc<Self>, item: Ready) {
        if let Some(item) = batch::hold(self, item) {
            self.queue(vec![item]);
        }
    }

    /// Queues items under one lock, waking the callback thread at most once.
    fn queue(&self, items: Vec<Ready>) {
        let finished = items.iter().filter(|item| matches!(item, Ready::Finished { .. })).count();
        let mut state = self.lock();
        // The client is gone: results and events are dropped, never delivered.
        let wake = !state.shutdown && {
            state.ready.extend(items);
            self.ready_len.store(state.ready.len(), Ordering::Release);
            self.worker && state.callback_waiting
        };
        drop(state);
        // Counted once a tick can see them (a test waits for the count, then ticks).
        stats::requests_finished(finished);
        if wake {
            self.ready_arrived.notify_one(); // the callback thread, the only one waiting
        }
    }

    /// `deliver`, preceded by the game's metrics callback when there is one: exactly once per
    /// request, in dispatch context, right before the request's own callback.
    fn reporting(&self, id: u64, submitted: Option<std::time::Instant>, exchange: Option<ExchangeMetrics>, deliver: Deliver) -> Deliver {
        let Some(sink) = self.metrics.clone() else { return deliver };
        Box::new(move |outcome: Outcome| {
            let exchange = exchange.unwrap_or_default();
            let (code, http_status) = match &outcome {
                Ok(_) => (crate::error::GG_OK, exchange.http_status),
                Err(e) if e.http_status != 0 => (e.code, e.http_status),
                Err(e) => (e.code, exchange.http_status),
            };
            let report = RequestMetrics {
                request_id: id,
                exchange: ExchangeMetrics { http_status, ..exchange },
                code,
                total: submitted.map(|at| at.elapsed()).unwrap_or_default(),
            };
            run_guarded("metrics", Box::new(move || (sink.0)(&report)));
            deliver(outcome)
        })
    }

    /// A request's work is done: its result is queued.
    fn complete(self: &Arc<Self>, id: u64, outcome: Outcome, refine: Option<Refine>) {
        let exchange = self.metrics.as_ref().and_then(|_| metrics::current());
        self.push_ready(Ready::Finished { id, outcome, exchange, refine });
    }

    /// Pops the next ready item and turns it into the call to make, claiming its request.
    fn take_next<'a>(&'a self, mut state: MutexGuard<'a, State>) -> (MutexGuard<'a, State>, Take) {
        if state.shutdown {
            return (state, Take::Empty);
        }
        if let Some(Ready::Gate(open)) = state.ready.front() {
            if !open.load(Ordering::Acquire) {
                return (state, Take::Empty); // closed: nothing behind it goes yet
            }
        }
        let Some(item) = state.ready.pop_front() else {
            return (state, Take::Empty);
        };
        self.ready_len.store(state.ready.len(), Ordering::Release);
        let take = match item {
            Ready::Finished { id, outcome, exchange, refine } => match state.pending.remove(&id) {
                Some(Pending { deliver, submitted, .. }) => {
                    // Refined first: the metrics callback reports the code the callback gets.
                    let deliver = self.reporting(id, submitted, exchange, deliver);
                    Take::Run(Box::new(move || deliver(match refine {
                        Some(refine) => refine(outcome),
                        None => outcome,
                    })))
                }
                None => Take::Skip, // cancelled meanwhile: its GG_CANCELLED is queued instead
            },
            Ready::Claimed { deliver, outcome } => Take::Run(Box::new(move || deliver(outcome))),
            Ready::Event(event) => Take::Run(event),
            Ready::Gate(_) => Take::Skip,
        };
        (state, take)
    }

    /// Runs one callback with the lock released, marked as this client's deliverer.
    fn run_as_deliverer<'a>(&'a self, mut state: MutexGuard<'a, State>, call: Event) -> MutexGuard<'a, State> {
        state.deliverer = Some(thread::current().id());
        drop(state);
        run_guarded(self.name, call);
        let mut state = self.lock();
        if state.deliverer == Some(thread::current().id()) {
            state.deliverer = None;
        }
        // Only a shutdown waits for a delivery to end (and it set the flag before waiting).
        if state.shutdown {
            self.delivery_done.notify_all();
        }
        state
    }
}

/// A panic in GameGate's own delivery code must not kill the thread or reach C.
fn run_guarded(name: &str, call: Event) {
    if catch_unwind(AssertUnwindSafe(call)).is_err() {
        crate::gg_log!(crate::log::GG_LOG_ERROR, "{name}: a callback delivery panicked; the panic was contained");
    }
}

fn callback_loop(shared: Arc<Shared>, _live: LiveGuard) {
    let mut state = shared.lock();
    loop {
        if state.shutdown {
            return;
        }
        if state.ready.is_empty() || state.deliverer.is_some() {
            state = wait_for_work(&shared, state);
            continue;
        }
        let (next, take) = shared.take_next(state);
        state = match take {
            Take::Run(call) => shared.run_as_deliverer(next, call),
            Take::Skip => next,
            // A closed gate: its opening wakes this thread.
            Take::Empty => wait_for_work(&shared, next),
        };
    }
}

/// The callback thread sleeps until something is queued (or a gate opens, or shutdown).
fn wait_for_work<'a>(shared: &'a Shared, mut state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
    state.callback_waiting = true;
    let mut state = shared.ready_arrived.wait(state).unwrap_or_else(|p| p.into_inner());
    state.callback_waiting = false;
    state
}

#[cfg(test)]
mod tests;
