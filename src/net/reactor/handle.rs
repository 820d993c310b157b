//! The way into a client's I/O thread from any other thread: the inbox of commands (with the
//! waker that rouses the thread only when it sleeps), the client's handle that starts exchanges
//! and sets alarms, and the `Aborter` that takes either back.

use super::*;

/// The way in: shared by the client (which posts) and its I/O thread.
pub(super) struct Inbox {
    pub(super) commands: Mutex<Vec<Command>>,
    pub(super) waker: Waker,
    /// Set while the I/O thread waits for readiness: only then does a post need a wake-up
    /// (one system call), and never from the I/O thread itself (a callback queuing more).
    pub(super) sleeping: AtomicBool,
    pub(super) thread: Mutex<Option<ThreadId>>,
    /// Exchange ids are handed out by the posting side, so a post can be aborted later.
    pub(super) next_exchange: AtomicU64,
    /// Times the I/O thread came back from waiting: a trickling answer must cost a few per
    /// piece, never a busy loop.
    pub(super) wakeups: AtomicU64,
}

impl Inbox {
    pub(super) fn post(&self, command: Command) {
        let must_wake = matches!(command, Command::Stop);
        self.commands.lock().unwrap_or_else(|p| p.into_inner()).push(command);
        if must_wake || self.sleeping.load(Ordering::SeqCst) {
            let _ = self.waker.wake();
        }
    }

    pub(super) fn take(&self, into: &mut Vec<Command>) {
        std::mem::swap(&mut *self.commands.lock().unwrap_or_else(|p| p.into_inner()), into);
    }
}

/// The I/O thread hears of the app's life as it hears of a request.
impl crate::app_life::LifeListener for Inbox {
    fn life_changed(&self, change: LifeChange) {
        self.post(Command::Life(change));
    }
}

/// The client's side of its I/O thread. Dropping it stops the thread, which answers nothing
/// more: the engine has already completed every request with GG_SHUTDOWN by then.
pub(crate) struct ReactorHandle {
    inbox: Arc<Inbox>,
}

impl ReactorHandle {
    pub fn spawn(name: &str, settings: Settings) -> Result<ReactorHandle, Error> {
        let poll = Poll::new().map_err(|e| Error::internal(format!("could not create the I/O poller: {e}")))?;
        let waker = Waker::new(poll.registry(), WAKER).map_err(|e| Error::internal(format!("could not create the I/O waker: {e}")))?;
        let inbox = Arc::new(Inbox {
            commands: Mutex::new(Vec::new()),
            waker,
            sleeping: AtomicBool::new(false),
            thread: Mutex::new(None),
            next_exchange: AtomicU64::new(1),
            wakeups: AtomicU64::new(0),
        });
        crate::app_life::listen(&(inbox.clone() as Arc<dyn crate::app_life::LifeListener>));
        let thread_inbox = inbox.clone();
        // Counted from the spawn, not from when the thread first runs: a client freed at once
        // must not look done while its thread has yet to start (and to close its sockets).
        let live = LiveGuard::thread();
        let handle = thread::Builder::new()
            .name(format!("gamegate-{name}-io"))
            .spawn(move || {
                let _live = live;
                Reactor::new(poll, thread_inbox, settings).run();
            })
            .map_err(|e| Error::internal(format!("could not start the I/O thread: {e}")))?;
        *inbox.thread.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle.thread().id());
        Ok(ReactorHandle { inbox })
    }

    /// Queues `exchange`; the returned `Aborter` can take it back while it is unanswered.
    pub fn start(&self, exchange: Exchange) -> Aborter {
        let id = self.inbox.next_exchange.fetch_add(1, Ordering::Relaxed);
        self.inbox.post(Command::Start(id, exchange));
        Aborter { inbox: Arc::downgrade(&self.inbox), id }
    }

    /// Runs `alarm` on the I/O thread at `at` (as soon as it can when `at` has passed); the
    /// returned `Aborter` keeps it from running. Alarms still set when the client is freed
    /// are dropped unrun.
    pub fn set_alarm(&self, at: Instant, alarm: Alarm) -> Aborter {
        let id = self.inbox.next_exchange.fetch_add(1, Ordering::Relaxed);
        self.inbox.post(Command::SetAlarm(id, at, alarm));
        Aborter { inbox: Arc::downgrade(&self.inbox), id }
    }

    /// Resolves, connects and finishes TLS for one connection now, for the next call.
    pub fn prepare(&self) {
        self.inbox.post(Command::Prepare);
    }

    /// How many times this client's I/O thread has come back from waiting for readiness.
    #[cfg(test)]
    pub fn wakeups(&self) -> u64 {
        self.inbox.wakeups.load(Ordering::Relaxed)
    }

    /// True on the I/O thread itself, where waiting for an answer would wait forever.
    #[cfg(test)]
    pub fn is_io_thread(&self) -> bool {
        *self.inbox.thread.lock().unwrap_or_else(|p| p.into_inner()) == Some(thread::current().id())
    }
}

impl Drop for ReactorHandle {
    fn drop(&mut self) {
        self.inbox.post(Command::Stop);
    }
}

/// Aborts one exchange: it is answered with `GG_CANCELLED` at once, leaves the queue, and
/// its connection (whose answer is now unwanted) is closed, so a cancelled request to a slow
/// server does not hold a connection until its deadline. For an alarm: it never runs. Does
/// nothing once it was answered (or ran), or once the client's I/O thread is gone.
pub struct Aborter {
    inbox: std::sync::Weak<Inbox>,
    id: u64,
}

impl Aborter {
    pub fn abort(self) {
        if let Some(inbox) = self.inbox.upgrade() {
            inbox.post(Command::Abort(self.id));
        }
    }
}
