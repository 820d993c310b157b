//! What every client handle shares: free, tick, cancel and queuing a request.

use super::strings::{arg_ref, write_request_id};
use crate::engine::{Completion, Engine};
use crate::http::Aborter;
use crate::error::Error;
use std::sync::Arc;

pub(crate) trait ClientHandle {
    fn engine(&self) -> &Arc<Engine>;
}

/// Shutdown runs before the handle is released, so SHUTDOWN callbacks may still use it.
///
/// # Safety
/// `client` is NULL or a live handle from `Box::into_raw`, freed once.
pub(crate) unsafe fn free<C: ClientHandle>(client: *mut C) {
    if client.is_null() {
        return;
    }
    // SAFETY: live per the contract.
    let engine = unsafe { (*client).engine().clone() };
    engine.shutdown();
    // SAFETY: as above.
    drop(unsafe { Box::from_raw(client) });
}

/// The engine is cloned so that a callback may free the client while the tick still runs.
///
/// # Safety
/// `client` is NULL or a live handle.
pub(crate) unsafe fn tick<C: ClientHandle>(client: *const C) -> u32 {
    // SAFETY: NULL or live per the contract.
    match unsafe { client.as_ref() } {
        Some(client) => {
            let engine = client.engine().clone();
            let delivered = engine.tick();
            // A tick inside one of the client's own callbacks runs nothing; say so to
            // gg_last_error_message, the only channel a u32 return leaves.
            if delivered == 0 && engine.delivering_here() {
                crate::ffi::macros::remember_failure(&crate::error::Error::new(
                    crate::error::GG_REENTRANT,
                    "tick called from inside one of this client's callbacks runs nothing; the outer tick delivers the rest",
                ));
            }
            delivered
        }
        None => 0,
    }
}

/// # Safety
/// `client` is NULL or a live handle.
pub(crate) unsafe fn cancel<C: ClientHandle>(client: *const C, request_id: u64) -> Result<(), Error> {
    // SAFETY: forwarded contract.
    unsafe { arg_ref(client, "client")? }.engine().cancel(request_id)
}

/// Registers a request that runs on the client's I/O thread and writes its id. `start`
/// sends its exchange; cancelling the request aborts that exchange.
///
/// # Safety
/// `out_request_id` is NULL or valid for one write.
pub(crate) unsafe fn submit_io<C, T, S, D>(client: &C, start: S, deliver: D, out_request_id: *mut u64) -> Result<(), Error>
where
    C: ClientHandle,
    T: Send + 'static,
    S: FnOnce(Completion<T>) -> Aborter,
    D: FnOnce(Result<T, Error>) + Send + 'static,
{
    // SAFETY: forwarded contract.
    unsafe {
        submit_cancellable(
            client,
            move |done| {
                let exchange = start(done);
                move || exchange.abort()
            },
            deliver,
            out_request_id,
        )
    }
}

/// As `submit_io`, for a request whose `start` returns its own way of stopping (an Elixir
/// flow of several exchanges).
///
/// # Safety
/// `out_request_id` is NULL or valid for one write.
pub(crate) unsafe fn submit_cancellable<C, T, S, X, D>(client: &C, start: S, deliver: D, out_request_id: *mut u64) -> Result<(), Error>
where
    C: ClientHandle,
    T: Send + 'static,
    S: FnOnce(Completion<T>) -> X,
    X: FnOnce() + Send + 'static,
    D: FnOnce(Result<T, Error>) + Send + 'static,
{
    let id = client.engine().submit_io(start, deliver)?;
    // SAFETY: forwarded contract.
    unsafe { write_request_id(out_request_id, id) };
    Ok(())
}
