//! The queue of HTTP jobs a client's worker threads take from.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};

pub(crate) struct JobQueue<J> {
    inner: Mutex<Inner<J>>,
    available: Condvar,
}

struct Inner<J> {
    jobs: VecDeque<J>,
    closed: bool,
    /// Workers waiting for a job: a push wakes one only when there is one to wake (a wake
    /// costs a system call even when nobody waits).
    idle: usize,
}

impl<J> JobQueue<J> {
    pub fn new() -> Self {
        JobQueue { inner: Mutex::new(Inner { jobs: VecDeque::new(), closed: false, idle: 0 }), available: Condvar::new() }
    }

    /// Returns false (and drops nothing) when the queue is closed.
    pub fn push(&self, job: J) -> Result<(), J> {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if guard.closed {
            return Err(job);
        }
        guard.jobs.push_back(job);
        let someone_waits = guard.idle > 0;
        drop(guard);
        if someone_waits {
            self.available.notify_one();
        }
        Ok(())
    }

    /// Blocks until a job is there; `None` once the queue is closed.
    pub fn pop(&self) -> Option<J> {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if guard.closed {
                return None;
            }
            if let Some(job) = guard.jobs.pop_front() {
                return Some(job);
            }
            guard.idle += 1;
            guard = self.available.wait(guard).unwrap_or_else(|p| p.into_inner());
            guard.idle -= 1;
        }
    }

    /// Wakes every worker so it can exit; queued jobs are dropped unrun.
    pub fn close(&self) -> VecDeque<J> {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        guard.closed = true;
        let left = std::mem::take(&mut guard.jobs);
        drop(guard);
        self.available.notify_all();
        left
    }
}
