//! A game callback that the game may replace at any time (the session listener, the session
//! events). Replacing it waits for a call of the old one running on another thread, so once
//! the setter returns the old callback never runs again and its user data may be freed. From
//! inside the callback itself, replacing it does not wait (it would wait for itself).

use std::sync::{Condvar, Mutex};
use std::thread::{self, ThreadId};

pub(crate) struct CallbackSlot<T: Copy> {
    state: Mutex<SlotState<T>>,
    finished: Condvar,
}

struct SlotState<T> {
    current: Option<T>,
    /// The threads running a call of the callback now.
    running: Vec<ThreadId>,
}

impl<T: Copy> Default for CallbackSlot<T> {
    fn default() -> Self {
        CallbackSlot { state: Mutex::new(SlotState { current: None, running: Vec::new() }), finished: Condvar::new() }
    }
}

impl<T: Copy> CallbackSlot<T> {
    /// Replaces the callback once no other thread is running the old one.
    pub fn set(&self, callback: Option<T>) {
        let me = thread::current().id();
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        while state.running.iter().any(|&t| t != me) {
            state = self.finished.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        state.current = callback;
    }

    /// Runs `call` with the current callback, if any, outside the slot's lock (so the
    /// callback may replace itself).
    pub fn call(&self, call: impl FnOnce(T)) {
        let me = thread::current().id();
        let current = {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let Some(current) = state.current else { return };
            state.running.push(me);
            current
        };
        // Leaves the running list even if the game's callback unwinds (it cannot, being C,
        // but a Rust test callback can).
        struct Done<'a, T: Copy>(&'a CallbackSlot<T>, ThreadId);
        impl<T: Copy> Drop for Done<'_, T> {
            fn drop(&mut self) {
                let mut state = self.0.state.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(at) = state.running.iter().position(|&t| t == self.1) {
                    state.running.swap_remove(at);
                }
                self.0.finished.notify_all();
            }
        }
        let _done = Done(self, me);
        call(current);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{mpsc, Arc};

    #[test]
    fn replacing_waits_for_a_call_on_another_thread_but_not_for_its_own() {
        let slot = Arc::new(CallbackSlot::<u32>::default());
        slot.set(Some(1));
        let (entered_tx, entered) = mpsc::channel();
        let (release, release_rx) = mpsc::channel::<()>();
        let finished = Arc::new(AtomicBool::new(false));
        let caller = {
            let (slot, finished) = (slot.clone(), finished.clone());
            thread::spawn(move || {
                slot.call(|value| {
                    assert_eq!(value, 1);
                    entered_tx.send(()).unwrap();
                    release_rx.recv().unwrap();
                    finished.store(true, Ordering::SeqCst);
                })
            })
        };
        entered.recv().unwrap();
        let setter = {
            let (slot, finished) = (slot.clone(), finished.clone());
            thread::spawn(move || {
                slot.set(Some(2));
                // The old callback's call had ended before the replacement took effect.
                assert!(finished.load(Ordering::SeqCst));
            })
        };
        release.send(()).unwrap();
        setter.join().unwrap();
        caller.join().unwrap();

        // From inside its own call: no wait.
        let mut seen = 0;
        slot.call(|value| {
            seen = value;
            slot.set(None);
        });
        assert_eq!(seen, 2);
        slot.call(|_| panic!("removed"));
    }
}
