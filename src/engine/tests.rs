use super::*;
use crate::error::{GG_CANCELLED, GG_INVALID_ARGUMENT, GG_SHUTDOWN};
use std::sync::mpsc;
use std::sync::Barrier;

type Log = Arc<Mutex<Vec<(u64, Result<u32, i32>)>>>;

fn recorder(log: &Log, tag: u64) -> impl FnOnce(Result<u32, Error>) + Send + 'static {
    let log = log.clone();
    move |r| log.lock().unwrap().push((tag, r.map_err(|e| e.code)))
}

/// A job that waits until the test opens its gate, so results arrive when the test says.
fn gated(gate: Arc<Barrier>, value: u32) -> impl FnOnce(&JobContext) -> Result<u32, Error> + Send + 'static {
    move |_| {
        gate.wait();
        Ok(value)
    }
}

fn tick_until(engine: &Engine, log: &Log, count: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while log.lock().unwrap().len() < count {
        assert!(std::time::Instant::now() < deadline, "callbacks never arrived");
        engine.tick();
        thread::yield_now();
    }
}

#[test]
fn tick_mode_delivers_only_inside_tick_and_exactly_once() {
    let engine = Engine::new("test", Dispatch::Tick, 2).unwrap();
    let log: Log = Default::default();
    let (done_tx, done_rx) = mpsc::channel();
    let id = engine
        .submit(
            move |_| {
                let v = 7u32;
                done_tx.send(()).unwrap();
                Ok(v)
            },
            recorder(&log, 1),
        )
        .unwrap();
    assert!(id > 0);
    done_rx.recv().unwrap();
    assert!(log.lock().unwrap().is_empty(), "delivered outside tick");
    tick_until(&engine, &log, 1);
    assert_eq!(*log.lock().unwrap(), vec![(1, Ok(7))]);
    assert_eq!(engine.tick(), 0);
    assert_eq!(engine.cancel(id).unwrap_err().code, GG_INVALID_ARGUMENT);
}

#[test]
fn cancel_wins_over_a_result_not_yet_delivered() {
    let engine = Engine::new("test", Dispatch::Tick, 1).unwrap();
    let log: Log = Default::default();
    let gate = Arc::new(Barrier::new(2));
    let id = engine.submit(gated(gate.clone(), 1), recorder(&log, 1)).unwrap();
    gate.wait(); // the job now finishes and queues its result
    engine.cancel(id).unwrap();
    tick_until(&engine, &log, 1);
    // Keep ticking until the stale result has been skipped; it must never be delivered.
    while engine.shared.ready_len.load(Ordering::Acquire) > 0 {
        engine.tick();
    }
    assert_eq!(*log.lock().unwrap(), vec![(1, Err(GG_CANCELLED))]);
}

#[test]
fn shutdown_completes_every_pending_request_once_and_nothing_after() {
    let engine = Engine::new("test", Dispatch::Tick, 2).unwrap();
    let log: Log = Default::default();
    let gate = Arc::new(Barrier::new(3));
    let (started_tx, started_rx) = mpsc::channel();
    for tag in 0..100u64 {
        let (g, started) = (gate.clone(), started_tx.clone());
        let job = move |ctx: &JobContext| {
            if ctx.request_id() <= 2 {
                started.send(()).unwrap();
                g.wait(); // both workers are now busy "on the wire" while the client shuts down
            }
            Ok(0u32)
        };
        engine.submit(job, recorder(&log, tag)).unwrap();
    }
    started_rx.recv().unwrap();
    started_rx.recv().unwrap();
    engine.shutdown();
    gate.wait(); // release the two jobs that were running during shutdown
    let mut seen: Vec<u64> = log.lock().unwrap().iter().map(|(t, r)| { assert_eq!(*r, Err(GG_SHUTDOWN)); *t }).collect();
    seen.sort();
    assert_eq!(seen, (0..100).collect::<Vec<_>>());
    assert_eq!(engine.tick(), 0);
    assert_eq!(engine.submit(|_| Ok(1u32), recorder(&log, 999)).unwrap_err().code, GG_SHUTDOWN);
    assert_eq!(log.lock().unwrap().len(), 100);
}

#[test]
fn shutdown_from_inside_a_tick_callback_does_not_deadlock() {
    let engine = Arc::new(Engine::new("test", Dispatch::Tick, 1).unwrap());
    let log: Log = Default::default();
    let gate = Arc::new(Barrier::new(2));
    let inner = engine.clone();
    let log2 = log.clone();
    engine
        .submit(|_| Ok(1u32), move |r: Result<u32, Error>| {
            log2.lock().unwrap().push((1, r.map_err(|e| e.code)));
            inner.shutdown();
        })
        .unwrap();
    // The second job must be running (held at the gate) before the shutdown: a job still
    // queued is dropped unrun, and nobody would meet the test at the gate.
    let (started_tx, started_rx) = mpsc::channel();
    let held = gate.clone();
    engine
        .submit(
            move |_| {
                started_tx.send(()).unwrap();
                held.wait();
                Ok(2u32)
            },
            recorder(&log, 2),
        )
        .unwrap();
    started_rx.recv().unwrap();
    tick_until(&engine, &log, 2);
    gate.wait();
    assert_eq!(*log.lock().unwrap(), vec![(1, Ok(1)), (2, Err(GG_SHUTDOWN))]);
}

#[test]
fn worker_mode_runs_callbacks_on_the_library_thread() {
    let engine = Engine::new("test", Dispatch::Worker, 2).unwrap();
    let (tx, rx) = mpsc::channel();
    engine
        .submit(|_| Ok(5u32), move |r: Result<u32, Error>| tx.send((thread::current().id(), r.unwrap())).unwrap())
        .unwrap();
    let (thread_id, value) = rx.recv().unwrap();
    assert_eq!(value, 5);
    assert_ne!(thread_id, thread::current().id());
    assert_eq!(engine.tick(), 0, "tick must not deliver in worker mode");
}

#[test]
fn events_run_before_the_callback_of_the_job_that_emitted_them() {
    let engine = Engine::new("test", Dispatch::Tick, 1).unwrap();
    let order = Arc::new(Mutex::new(Vec::new()));
    let (o1, o2) = (order.clone(), order.clone());
    engine
        .submit(
            move |ctx: &JobContext| {
                ctx.emit(move || o1.lock().unwrap().push("event"));
                Ok(0u32)
            },
            move |_| o2.lock().unwrap().push("callback"),
        )
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while order.lock().unwrap().len() < 2 {
        assert!(std::time::Instant::now() < deadline);
        engine.tick();
        thread::yield_now();
    }
    assert_eq!(*order.lock().unwrap(), vec!["event", "callback"]);
}

#[test]
fn a_panicking_job_becomes_an_internal_error() {
    let engine = Engine::new("test", Dispatch::Tick, 1).unwrap();
    let log: Log = Default::default();
    engine.submit(|_| -> Result<u32, Error> { panic!("boom") }, recorder(&log, 1)).unwrap();
    tick_until(&engine, &log, 1);
    assert_eq!(*log.lock().unwrap(), vec![(1, Err(crate::error::GG_INTERNAL))]);
}
