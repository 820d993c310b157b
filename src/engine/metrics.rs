//! Per-request numbers for the game (`gg_options_set_metrics_callback`): gathered by `net/`
//! for each exchange, handed to the engine with the result, delivered in dispatch context right
//! before the request's own callback, exactly once per accepted request.
//!
//! The hand-over is the exchange's completion itself: while the I/O thread runs an exchange's
//! `on_done`, its metrics are this thread's "current exchange", and any request completed
//! inside it (a KGeN call; an Elixir call's last step; every caller waiting on one refresh)
//! takes them along. No service code passes them by hand.

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

/// What `net/` measured of one exchange (its last attempt, unless said otherwise).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExchangeMetrics {
    pub method: String,
    /// As sent, with query values replaced; never a credential (rei-keys are `***`).
    pub path: String,
    /// HTTP status of the last attempt; 0 when none.
    pub http_status: i32,
    /// Attempts made, retries and re-sends on a fresh connection included.
    pub attempts: u32,
    /// The last attempt went out on a pooled connection.
    pub connection_reused: bool,
    pub dns: Duration,
    pub connect: Duration,
    pub tls: Duration,
    /// Last attempt: request written -> first response byte.
    pub first_byte: Duration,
    /// Over all attempts: the request's bytes written and the response's bytes read (HTTP,
    /// before TLS).
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

/// One request's numbers as the game gets them.
#[derive(Clone, Debug)]
pub struct RequestMetrics {
    pub request_id: u64,
    /// Empty when the request never reached the network (cancelled while it waited, say).
    pub exchange: ExchangeMetrics,
    pub code: i32,
    /// From the call to its completion.
    pub total: Duration,
}

/// Where a client's metrics go (the game's callback, wrapped by `ffi/`).
#[derive(Clone)]
pub struct MetricsSink(pub Arc<dyn Fn(&RequestMetrics) + Send + Sync>);

impl std::fmt::Debug for MetricsSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsSink")
    }
}

thread_local! {
    static CURRENT: RefCell<Option<ExchangeMetrics>> = const { RefCell::new(None) };
}

/// Runs `completion` (an exchange's `on_done`) with `metrics` as this thread's current exchange.
pub fn with_exchange<R>(metrics: ExchangeMetrics, completion: impl FnOnce() -> R) -> R {
    let outer = CURRENT.with(|current| current.replace(Some(metrics)));
    struct Restore(Option<ExchangeMetrics>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            CURRENT.with(|current| *current.borrow_mut() = outer);
        }
    }
    let _restore = Restore(outer);
    completion()
}

/// The exchange whose completion is running on this thread, if any.
pub(crate) fn current() -> Option<ExchangeMetrics> {
    CURRENT.with(|current| current.borrow().clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_exchange_holds_only_inside_its_completion_and_nests() {
        assert!(current().is_none());
        let outer = ExchangeMetrics { path: "/outer".into(), ..Default::default() };
        with_exchange(outer, || {
            assert_eq!(current().unwrap().path, "/outer");
            with_exchange(ExchangeMetrics { path: "/inner".into(), ..Default::default() }, || assert_eq!(current().unwrap().path, "/inner"));
            assert_eq!(current().unwrap().path, "/outer");
        });
        assert!(current().is_none());
    }
}
