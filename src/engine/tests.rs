use super::*;
use crate::error::{GG_CANCELLED, GG_INVALID_ARGUMENT, GG_SHUTDOWN};
use std::sync::mpsc;
use std::sync::Barrier;

type Log = Arc<Mutex<Vec<(u64, Result<u32, i32>)>>>;

fn recorder(log: &Log, tag: u64) -> impl FnOnce(Result<u32, Error>) + Send + 'static {
    let log = log.clone();
    move |r| log.lock().unwrap().push((tag, r.map_err(|e| e.code)))
}

/// Submits a request whose work runs on a thread of its own (standing in for the I/O
/// thread) and completes it with what `work` returns.
fn submit_on_thread(
    engine: &Engine,
    work: impl FnOnce() -> Result<u32, Error> + Send + 'static,
    deliver: impl FnOnce(Result<u32, Error>) + Send + 'static,
) -> Result<u64, Error> {
    engine.submit_io(
        move |done: Completion<u32>| {
            thread::spawn(move || done.finish(work()));
            || {}
        },
        deliver,
    )
}

/// Work that waits until the test opens its gate, so results arrive when the test says.
fn gated(gate: Arc<Barrier>, value: u32) -> impl FnOnce() -> Result<u32, Error> + Send + 'static {
    move || {
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
    let engine = Engine::new("test", Dispatch::Tick).unwrap();
    let log: Log = Default::default();
    let (done_tx, done_rx) = mpsc::channel();
    let id = engine
        .submit_io(
            move |done: Completion<u32>| {
                thread::spawn(move || {
                    done.finish(Ok(7));
                    done_tx.send(()).unwrap();
                });
                || {}
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
    let engine = Engine::new("test", Dispatch::Tick).unwrap();
    let log: Log = Default::default();
    let (finished_tx, finished_rx) = mpsc::channel();
    let id = engine
        .submit_io(
            move |done: Completion<u32>| {
                done.finish(Ok(1)); // the result is queued, not yet delivered
                finished_tx.send(()).unwrap();
                || {}
            },
            recorder(&log, 1),
        )
        .unwrap();
    finished_rx.recv().unwrap();
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
    let engine = Engine::new("test", Dispatch::Tick).unwrap();
    let log: Log = Default::default();
    let gate = Arc::new(Barrier::new(101));
    for tag in 0..100u64 {
        submit_on_thread(&engine, gated(gate.clone(), 0), recorder(&log, tag)).unwrap();
    }
    // All 100 are "on the wire" while the client shuts down; their answers come after.
    engine.shutdown();
    gate.wait();
    let mut seen: Vec<u64> = log.lock().unwrap().iter().map(|(t, r)| { assert_eq!(*r, Err(GG_SHUTDOWN)); *t }).collect();
    seen.sort();
    assert_eq!(seen, (0..100).collect::<Vec<_>>());
    assert_eq!(engine.tick(), 0);
    assert_eq!(submit_on_thread(&engine, || Ok(1), recorder(&log, 999)).unwrap_err().code, GG_SHUTDOWN);
    assert_eq!(log.lock().unwrap().len(), 100);
}

#[test]
fn shutdown_from_inside_a_tick_callback_does_not_deadlock() {
    let engine = Arc::new(Engine::new("test", Dispatch::Tick).unwrap());
    let log: Log = Default::default();
    let gate = Arc::new(Barrier::new(2));
    let inner = engine.clone();
    let log2 = log.clone();
    submit_on_thread(&engine, || Ok(1), move |r: Result<u32, Error>| {
        log2.lock().unwrap().push((1, r.map_err(|e| e.code)));
        inner.shutdown();
    })
    .unwrap();
    // The second one is still "on the wire" when the first one's callback shuts down.
    submit_on_thread(&engine, gated(gate.clone(), 2), recorder(&log, 2)).unwrap();
    tick_until(&engine, &log, 2);
    gate.wait();
    assert_eq!(*log.lock().unwrap(), vec![(1, Ok(1)), (2, Err(GG_SHUTDOWN))]);
}

#[test]
fn worker_mode_runs_callbacks_on_the_library_thread() {
    let engine = Engine::new("test", Dispatch::Worker).unwrap();
    let (tx, rx) = mpsc::channel();
    submit_on_thread(&engine, || Ok(5), move |r: Result<u32, Error>| tx.send((thread::current().id(), r.unwrap())).unwrap()).unwrap();
    let (thread_id, value) = rx.recv().unwrap();
    assert_eq!(value, 5);
    assert_ne!(thread_id, thread::current().id());
    assert_eq!(engine.tick(), 0, "tick must not deliver in worker mode");
}

#[test]
fn events_run_before_the_callback_completed_after_them() {
    let engine = Engine::new("test", Dispatch::Tick).unwrap();
    let order = Arc::new(Mutex::new(Vec::new()));
    let (o1, o2) = (order.clone(), order.clone());
    let emitter = engine.emitter();
    engine
        .submit_io(
            move |done: Completion<u32>| {
                thread::spawn(move || {
                    emitter.emit(move || o1.lock().unwrap().push("event"));
                    done.finish(Ok(0));
                });
                || {}
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
fn cancel_runs_the_requests_own_stop_once() {
    let engine = Engine::new("test", Dispatch::Tick).unwrap();
    let log: Log = Default::default();
    let stops = Arc::new(AtomicUsize::new(0));
    let counted = stops.clone();
    let (keep_tx, keep_rx) = mpsc::channel();
    let id = engine
        .submit_io(
            move |done: Completion<u32>| {
                keep_tx.send(done).unwrap(); // still "on the wire"
                move || {
                    counted.fetch_add(1, Ordering::SeqCst);
                }
            },
            recorder(&log, 1),
        )
        .unwrap();
    engine.cancel(id).unwrap();
    assert_eq!(engine.cancel(id).unwrap_err().code, GG_INVALID_ARGUMENT);
    assert_eq!(stops.load(Ordering::SeqCst), 1);
    // The stopped work's own answer, arriving later, is never delivered.
    keep_rx.recv().unwrap().finish(Ok(9));
    tick_until(&engine, &log, 1);
    while engine.shared.ready_len.load(Ordering::Acquire) > 0 {
        engine.tick();
    }
    assert_eq!(*log.lock().unwrap(), vec![(1, Err(GG_CANCELLED))]);
}

#[test]
fn a_completion_dropped_unused_answers_shutdown() {
    let engine = Engine::new("test", Dispatch::Tick).unwrap();
    let log: Log = Default::default();
    engine.submit_io(|done: Completion<u32>| { drop(done); || {} }, recorder(&log, 1)).unwrap();
    tick_until(&engine, &log, 1);
    assert_eq!(*log.lock().unwrap(), vec![(1, Err(GG_SHUTDOWN))]);
}

#[test]
fn a_panic_that_drops_the_completion_becomes_an_internal_error() {
    let engine = Engine::new("test", Dispatch::Tick).unwrap();
    let log: Log = Default::default();
    engine
        .submit_io(
            |done: Completion<u32>| {
                let _ = thread::spawn(move || {
                    let _held = done;
                    panic!("boom");
                })
                .join();
                || {}
            },
            recorder(&log, 1),
        )
        .unwrap();
    tick_until(&engine, &log, 1);
    assert_eq!(*log.lock().unwrap(), vec![(1, Err(crate::error::GG_INTERNAL))]);
}

/// Submits a request and hands its `Completion` back, so the test decides which thread
/// finishes it and when.
fn submit_held(engine: &Engine, deliver: impl FnOnce(Result<u32, Error>) + Send + 'static) -> Completion<u32> {
    let (tx, rx) = mpsc::channel();
    engine
        .submit_io(
            move |done: Completion<u32>| {
                tx.send(done).unwrap();
                || {}
            },
            deliver,
        )
        .unwrap();
    rx.recv().unwrap()
}

#[test]
fn results_finished_inside_a_batch_are_queued_when_it_ends_in_order() {
    let engine = Engine::new("test", Dispatch::Tick).unwrap();
    let log: Log = Default::default();
    let (first, second, elsewhere) = (submit_held(&engine, recorder(&log, 1)), submit_held(&engine, recorder(&log, 2)), submit_held(&engine, recorder(&log, 3)));
    let (finished_tx, finished_rx) = mpsc::channel();
    let (end_tx, end_rx) = mpsc::channel::<()>();
    let io_thread = thread::spawn(move || {
        let batch = hold_results();
        first.finish(Ok(1));
        second.finish(Ok(2));
        finished_tx.send(()).unwrap();
        end_rx.recv().unwrap();
        drop(batch);
    });
    finished_rx.recv().unwrap();
    engine.tick();
    assert!(log.lock().unwrap().is_empty(), "a held result was delivered before its batch ended");
    // Another thread's result is queued at once.
    elsewhere.finish(Ok(3));
    engine.tick();
    assert_eq!(*log.lock().unwrap(), vec![(3, Ok(3))]);
    end_tx.send(()).unwrap();
    io_thread.join().unwrap();
    engine.tick();
    assert_eq!(*log.lock().unwrap(), vec![(3, Ok(3)), (1, Ok(1)), (2, Ok(2))]);
}

#[test]
fn a_long_batch_queues_what_it_holds_once_it_holds_enough() {
    let engine = Engine::new("test", Dispatch::Tick).unwrap();
    let log: Log = Default::default();
    let completions: Vec<_> = (0..batch::FLUSH_AT as u64).map(|tag| submit_held(&engine, recorder(&log, tag))).collect();
    let _batch = hold_results();
    for (value, done) in completions.into_iter().enumerate() {
        done.finish(Ok(value as u32));
    }
    engine.tick();
    let delivered: Vec<u64> = log.lock().unwrap().iter().map(|(tag, _)| *tag).collect();
    assert_eq!(delivered, (0..batch::FLUSH_AT as u64).collect::<Vec<_>>(), "the batch still holds its results");
}

/// Finishes one request with `finish_refined` on a thread of its own; returns the threads the
/// refinement and the delivery ran on, that thread's id, and what was delivered.
fn refined_on(dispatch: Dispatch) -> (ThreadId, ThreadId, ThreadId, Result<u32, i32>) {
    let engine = Engine::new("test", dispatch).unwrap();
    let refined_at = Arc::new(Mutex::new(None));
    let (delivered_tx, delivered_rx) = mpsc::channel();
    let done = submit_held(&engine, move |r| delivered_tx.send((thread::current().id(), r.map_err(|e| e.code))).unwrap());
    let seen = refined_at.clone();
    let finisher = thread::spawn(move || {
        done.finish_refined(Ok("41".to_string()), move |raw: Result<String, Error>| {
            *seen.lock().unwrap() = Some(thread::current().id());
            raw.and_then(|text| text.parse::<u32>().map(|n| n + 1).map_err(|_| Error::invalid("not a number")))
        });
        thread::current().id()
    });
    let finisher = finisher.join().unwrap();
    let (delivered_at, value) = loop {
        engine.tick();
        if let Ok(delivered) = delivered_rx.try_recv() {
            break delivered;
        }
        thread::yield_now();
    };
    let refined_at = refined_at.lock().unwrap().expect("refine never ran");
    (refined_at, delivered_at, finisher, value)
}

#[test]
fn worker_dispatch_refines_a_result_on_the_callback_thread_not_where_it_finished() {
    let (refined_at, delivered_at, finisher, value) = refined_on(Dispatch::Worker);
    assert_eq!(value, Ok(42));
    assert_eq!(refined_at, delivered_at, "refined off the callback thread");
    assert_ne!(refined_at, finisher, "refined on the finishing (I/O) thread");
}

#[test]
fn tick_dispatch_refines_a_result_where_it_finished_never_on_the_game_thread() {
    let (refined_at, delivered_at, finisher, value) = refined_on(Dispatch::Tick);
    assert_eq!(value, Ok(42));
    assert_eq!(refined_at, finisher, "refined off the finishing (I/O) thread");
    assert_ne!(refined_at, delivered_at, "refined on the game's ticking thread");
}

#[test]
fn the_metrics_callback_reports_the_code_of_the_refined_result() {
    let codes = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let codes = codes.clone();
        MetricsSink(Arc::new(move |report: &RequestMetrics| codes.lock().unwrap().push(report.code)))
    };
    let engine = Engine::build("test", Dispatch::Worker, Some(sink)).unwrap();
    let (delivered_tx, delivered_rx) = mpsc::channel();
    let done = submit_held(&engine, move |r| delivered_tx.send(r.map_err(|e| e.code)).unwrap());
    // A response that arrived (Ok) but cannot be read: the callback and the metrics agree.
    done.finish_refined(Ok("not a number".to_string()), |raw: Result<String, Error>| {
        raw.and_then(|text| text.parse::<u32>().map_err(|_| Error::invalid("not a number")))
    });
    assert_eq!(delivered_rx.recv().unwrap(), Err(GG_INVALID_ARGUMENT));
    assert_eq!(*codes.lock().unwrap(), vec![GG_INVALID_ARGUMENT]);
}
