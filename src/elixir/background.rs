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

/// What the timer does after a wake-up.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    RefreshNow,
    Sleep(Duration),
}

/// `due_in_ms`: time until the token should be refreshed (`None`: no session);
/// `last_failed`: the previous background refresh failed, so wait longer before the next.
fn plan(due_in_ms: Option<i64>, last_failed: bool) -> Next {
    if last_failed {
        return Next::Sleep(RETRY_AFTER);
    }
    match due_in_ms {
        None => Next::Sleep(CHECK_EVERY),
        Some(ms) if ms > 0 => Next::Sleep(Duration::from_millis(ms.unsigned_abs()).min(CHECK_EVERY)),
        Some(_) => Next::RefreshNow,
    }
}

fn run(service: &Arc<Service>, engine: &Weak<Engine>, stop: &Stop) {
    let _live = crate::engine::stats::LiveGuard::thread();
    let in_flight = Arc::new(AtomicBool::new(false));
    let failed = Arc::new(AtomicBool::new(false));
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
        if in_flight.load(Ordering::Acquire) {
            wait = CHECK_EVERY;
            continue;
        }
        match plan(service.background_refresh_due_in_ms(), failed.swap(false, Ordering::AcqRel)) {
            Next::Sleep(duration) => {
                wait = duration;
                continue;
            }
            Next::RefreshNow => wait = CHECK_EVERY,
        }
        in_flight.store(true, Ordering::Release);
        let (job_service, job_in_flight, job_failed) = (service.clone(), in_flight.clone(), failed.clone());
        let job = move |ctx: &crate::engine::JobContext| {
            let result = job_service.refresh(ctx).map(|_| ());
            job_failed.store(result.is_err(), Ordering::Release);
            job_in_flight.store(false, Ordering::Release);
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refreshes_when_due_sleeps_until_due_and_backs_off_after_a_failure() {
        assert_eq!(plan(Some(0), false), Next::RefreshNow);
        assert_eq!(plan(Some(-5_000), false), Next::RefreshNow);
        assert_eq!(plan(Some(300), false), Next::Sleep(Duration::from_millis(300)));
        assert_eq!(plan(Some(3_600_000), false), Next::Sleep(CHECK_EVERY));
        assert_eq!(plan(None, false), Next::Sleep(CHECK_EVERY));
        assert_eq!(plan(Some(-5_000), true), Next::Sleep(RETRY_AFTER));
    }
}
