//! Results an I/O thread finishes between two of its waits are queued together: one lock and
//! at most one wake-up of the callback thread for the lot. Queued one by one, each result found
//! the callback thread asleep again and paid a futex wake and wait: a fifth of the process's
//! CPU at 64 requests in flight. A result waits at most for the rest of its batch, or for
//! `FLUSH_AT` results before it, whichever comes first.
//!
//! Only the thread that opened a batch holds results back; every other thread queues at once.
//! Within that thread the order of its results and events is kept.

use super::{Ready, Shared};
use std::cell::RefCell;
use std::marker::PhantomData;
use std::sync::Arc;

/// Results held at most before they are queued anyway (bounds the wait of the first).
pub(super) const FLUSH_AT: usize = 16;

thread_local! {
    static HELD: RefCell<Held> = const { RefCell::new(Held { open: 0, items: Vec::new() }) };
}

struct Held {
    /// Batches open on this thread (nested ones flush with the outermost).
    open: u32,
    items: Vec<(Arc<Shared>, Ready)>,
}

/// Holds this thread's results back until dropped. Not `Send`: it belongs to one thread.
pub struct Batch {
    _thread_bound: PhantomData<*const ()>,
}

/// Opens a batch on this thread (the I/O thread, from one wait to the next).
pub fn hold_results() -> Batch {
    HELD.with(|held| held.borrow_mut().open += 1);
    Batch { _thread_bound: PhantomData }
}

impl Drop for Batch {
    fn drop(&mut self) {
        let outermost = HELD.with(|held| {
            let mut held = held.borrow_mut();
            held.open -= 1;
            held.open == 0
        });
        if outermost {
            flush();
        }
    }
}

/// Keeps `item` for the end of this thread's batch; gives it back when no batch is open (or
/// the thread's locals are already gone, as it exits: then it is queued at once, never lost).
pub(super) fn hold(shared: &Arc<Shared>, item: Ready) -> Option<Ready> {
    let open = HELD.try_with(|held| held.borrow().open > 0).unwrap_or(false);
    if !open {
        return Some(item);
    }
    let full = HELD.with(|held| {
        let mut held = held.borrow_mut();
        held.items.push((shared.clone(), item));
        held.items.len() >= FLUSH_AT
    });
    if full {
        flush();
    }
    None
}

/// Queues what this thread holds, one lock per client, in the order it was finished.
fn flush() {
    let items = HELD.with(|held| std::mem::take(&mut held.borrow_mut().items));
    let mut items = items.into_iter().peekable();
    while let Some((shared, first)) = items.next() {
        let mut run = vec![first];
        while let Some((_, next)) = items.next_if(|(other, _)| Arc::ptr_eq(other, &shared)) {
            run.push(next);
        }
        shared.queue(run);
    }
}
