//! Library-wide logging into the game's own logger.
//!
//! The game installs one sink (`gg_set_log_callback`); lines below its level cost one atomic
//! load. Callers format only non-secret values: secrets are `Secret`s, whose `Debug` is redacted.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::RwLock;

/// No log lines (the default).
pub const GG_LOG_OFF: i32 = 0;
/// A request or the library failed.
pub const GG_LOG_ERROR: i32 = 1;
/// Something the game should look at (a retry, an insecure setting).
pub const GG_LOG_WARN: i32 = 2;
/// Lifecycle: clients created and freed, sessions changed.
pub const GG_LOG_INFO: i32 = 3;
/// Each request and its outcome.
pub const GG_LOG_DEBUG: i32 = 4;
/// Connections, bytes and timers; still never a secret.
pub const GG_LOG_TRACE: i32 = 5;

pub type Sink = Box<dyn Fn(i32, &str) + Send + Sync>;

static MAX_LEVEL: AtomicI32 = AtomicI32::new(GG_LOG_OFF);
static SINK: RwLock<Option<Sink>> = RwLock::new(None);

/// Installs (or with `None` removes) the sink. Lines above `max_level` are dropped.
pub fn set_sink(max_level: i32, sink: Option<Sink>) {
    let mut guard = SINK.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    let level = if sink.is_some() { max_level.clamp(GG_LOG_OFF, GG_LOG_TRACE) } else { GG_LOG_OFF };
    *guard = sink;
    MAX_LEVEL.store(level, Ordering::Release);
}

pub fn enabled(level: i32) -> bool {
    level <= MAX_LEVEL.load(Ordering::Acquire) && level > GG_LOG_OFF
}

pub fn write(level: i32, args: std::fmt::Arguments<'_>) {
    if !enabled(level) {
        return;
    }
    let line = args.to_string();
    let guard = SINK.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(sink) = guard.as_ref() {
        sink(level, &line);
    }
}

/// `gg_log!(GG_LOG_INFO, "format {}", args)`: formats only when the level is enabled.
#[macro_export]
#[doc(hidden)]
macro_rules! gg_log {
    ($level:expr, $($arg:tt)+) => {
        if $crate::log::enabled($level) {
            $crate::log::write($level, format_args!($($arg)+));
        }
    };
}
