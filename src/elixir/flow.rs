//! One Elixir call as it runs: a short chain of exchanges on the client's I/O thread (a
//! refresh first, then the call), each step started from the previous one's completion.
//! Cancelling the call aborts the step on the wire, and no later step starts.

use crate::error::Error;
use crate::http::{Aborter, Http, Prepared};
use crate::net::OnDone;
use std::sync::{Arc, Mutex, MutexGuard};

/// Where a flow's result goes: the request's `Completion`, or the background refresh.
pub type Done<T> = Box<dyn FnOnce(Result<T, Error>) + Send>;

#[derive(Default)]
struct State {
    cancelled: bool,
    on_the_wire: Option<Aborter>,
}

/// The cancel side of one call; clones share it.
#[derive(Clone, Default)]
pub struct Flow {
    state: Arc<Mutex<State>>,
}

impl Flow {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Aborts the exchange on the wire (its `on_done` hears `GG_CANCELLED`) and stops the
    /// flow from starting another one.
    pub fn cancel(&self) {
        let on_the_wire = {
            let mut state = self.lock();
            state.cancelled = true;
            state.on_the_wire.take()
        };
        if let Some(exchange) = on_the_wire {
            exchange.abort();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.lock().cancelled
    }

    /// Starts the flow's next exchange, unless the flow was cancelled: then `on_done` hears
    /// `GG_CANCELLED` at once, and nothing is sent.
    pub fn send(&self, http: &Http, request: Prepared, on_done: OnDone) {
        let mut state = self.lock();
        if state.cancelled {
            drop(state);
            on_done(Err(Error::cancelled()));
            return;
        }
        // Held while starting, so a cancel on another thread sees this exchange.
        state.on_the_wire = Some(http.start(request, on_done));
    }
}

/// A result that two things race to deliver (an answer and a deadline): the first one wins.
pub struct FirstOf<T> {
    done: Arc<Mutex<Option<Done<T>>>>,
}

impl<T> Clone for FirstOf<T> {
    fn clone(&self) -> Self {
        FirstOf { done: self.done.clone() }
    }
}

impl<T> FirstOf<T> {
    pub fn new(done: Done<T>) -> FirstOf<T> {
        FirstOf { done: Arc::new(Mutex::new(Some(done))) }
    }

    /// Delivers `result` unless the other side already did; returns whether this one did.
    pub fn deliver(&self, result: Result<T, Error>) -> bool {
        let done = self.done.lock().unwrap_or_else(|p| p.into_inner()).take();
        match done {
            Some(done) => {
                done(result);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_delivery_wins_and_the_second_is_dropped() {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let sink = heard.clone();
        let first = FirstOf::new(Box::new(move |r: Result<u32, Error>| sink.lock().unwrap().push(r.map_err(|e| e.code))));
        let second = first.clone();
        assert!(first.deliver(Ok(1)));
        assert!(!second.deliver(Err(Error::cancelled())));
        assert_eq!(*heard.lock().unwrap(), vec![Ok(1)]);
    }
}
