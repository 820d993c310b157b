//! Opt-in background refresh: keeps a long-running game's access token fresh with no call.
//! A timer thread per client wakes when the token nears expiry and queues the same
//! single-flight refresh an authorized call would, so listeners fire in dispatch context.

use super::Service;
use crate::engine::Engine;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Duration;

/// Longest sleep between checks, so a session signed in later is noticed.
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// After a failed background refresh, wait this long before trying again.
const RETRY_AFTER: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Stop {
    stopped: Mutex<bool>,
    wake: Condvar,
}

/// Owned by the client; dropping it stops the thread (it ends within one wake-up).
pub struct BackgroundRefresh {
    stop: Arc<Stop>,
}

impl BackgroundRefresh {
    pub fn start(service: Arc<Service>, engine: Weak<Engine>) -> std::io::Result<BackgroundRefresh> {
        let stop = Arc::new(Stop::default());
        let thread_stop = stop.clone();
        std::thread::Builder::new()
            .name("gamegate-elixir-refresh".into())
            .spawn(move || run(&service, &engine, &thread_stop))?;
        Ok(BackgroundRefresh { stop })
    }
}

impl Drop for BackgroundRefresh {
    fn drop(&mut self) {
        *self.stop.stopped.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.stop.wake.notify_all();
    }
}

fn run(service: &Arc<Service>, engine: &Weak<Engine>, stop: &Stop) {
    let _live = crate::engine::stats::LiveGuard::thread();
    let in_flight = Arc::new(AtomicBool::new(false));
    let mut wait = CHECK_EVERY;
    loop {
        {
            let stopped = stop.stopped.lock().unwrap_or_else(|p| p.into_inner());
            let (stopped, _) = stop.wake.wait_timeout_while(stopped, wait, |s| !*s).unwrap_or_else(|p| p.into_inner());
            if *stopped {
                return;
            }
        }
        let Some(engine) = engine.upgrade() else { return };
        wait = CHECK_EVERY;
        let Some(due_in_ms) = service.background_refresh_due_in_ms() else { continue };
        if due_in_ms > 0 {
            wait = Duration::from_millis(due_in_ms.unsigned_abs()).min(CHECK_EVERY);
            continue;
        }
        if in_flight.swap(true, Ordering::AcqRel) {
            continue;
        }
        let job_service = service.clone();
        let job_flag = in_flight.clone();
        let job = move |ctx: &crate::engine::JobContext| {
            let result = job_service.refresh(ctx).map(|_| ());
            job_flag.store(false, Ordering::Release);
            result
        };
        let deliver = |result: Result<(), crate::error::Error>| {
            if let Err(e) = result {
                crate::gg_log!(crate::log::GG_LOG_WARN, "background refresh failed: {}", e);
            }
        };
        if engine.submit(job, deliver).is_err() {
            return; // the client is shutting down
        }
        // Give the refresh time to land before checking again; after a failure, back off.
        wait = RETRY_AFTER.min(Duration::from_millis(500).max(CHECK_EVERY));
    }
}
