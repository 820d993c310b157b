//! The queue of HTTP jobs a client's worker threads take from.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};

pub(crate) struct JobQueue<J> {
    inner: Mutex<(VecDeque<J>, bool)>,
    available: Condvar,
}

impl<J> JobQueue<J> {
    pub fn new() -> Self {
        JobQueue { inner: Mutex::new((VecDeque::new(), false)), available: Condvar::new() }
    }

    /// Returns false (and drops nothing) when the queue is closed.
    pub fn push(&self, job: J) -> Result<(), J> {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if guard.1 {
            return Err(job);
        }
        guard.0.push_back(job);
        drop(guard);
        self.available.notify_one();
        Ok(())
    }

    /// Blocks until a job is there; `None` once the queue is closed.
    pub fn pop(&self) -> Option<J> {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if guard.1 {
                return None;
            }
            if let Some(job) = guard.0.pop_front() {
                return Some(job);
            }
            guard = self.available.wait(guard).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Wakes every worker so it can exit; queued jobs are dropped unrun.
    pub fn close(&self) -> VecDeque<J> {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        guard.1 = true;
        let left = std::mem::take(&mut guard.0);
        drop(guard);
        self.available.notify_all();
        left
    }
}
