//! The app's life as the engine reports it, process-wide: in the foreground or not, online or
//! not. Every client's I/O thread hears a change as an event through its inbox (no polling):
//! back in the foreground, or on any network change, pooled connections are suspect (a
//! device that slept, a NAT that changed) and are closed, and the background refresh looks
//! again. While offline nothing is sent: a new request fails at once with `GG_NETWORK`, and
//! retries and background refresh wait for the network.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

/// The app is in front of the player (`gg_set_application_status`).
pub const GG_APP_FOREGROUND: u32 = 0;
/// The app went to the background or was suspended.
pub const GG_APP_BACKGROUND: u32 = 1;
/// The game does not know (`gg_set_network_status`); requests go out as usual.
pub const GG_NET_UNKNOWN: u32 = 0;
/// The network is back (or another one came): pooled connections are closed, waiting retries go out.
pub const GG_NET_ONLINE: u32 = 1;
/// No network: new requests fail at once with `GG_NETWORK`, retries wait for `GG_NET_ONLINE`.
pub const GG_NET_OFFLINE: u32 = 2;

/// What a listener is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LifeChange {
    /// Back in the foreground after being in the background.
    Resumed,
    /// The network changed (a repeated "online" too: Wi-Fi to cellular); `offline` says where it is now.
    Network { offline: bool },
}

/// Hears every change, on the thread that reported it: must only post work elsewhere.
pub trait LifeListener: Send + Sync {
    fn life_changed(&self, change: LifeChange);
}

static IN_BACKGROUND: AtomicBool = AtomicBool::new(false);
static OFFLINE: AtomicBool = AtomicBool::new(false);
static LISTENERS: Mutex<Vec<Weak<dyn LifeListener>>> = Mutex::new(Vec::new());

/// Whether the game said the device is offline.
pub fn offline() -> bool {
    OFFLINE.load(Ordering::Acquire)
}

/// Registers `listener` for as long as it lives.
pub fn listen(listener: &Arc<dyn LifeListener>) {
    let mut listeners = LISTENERS.lock().unwrap_or_else(|p| p.into_inner());
    listeners.retain(|l| l.strong_count() > 0);
    listeners.push(Arc::downgrade(listener));
}

pub fn set_application_status(status: u32) -> Result<(), crate::error::Error> {
    let background = match status {
        GG_APP_FOREGROUND => false,
        GG_APP_BACKGROUND => true,
        other => return Err(crate::error::Error::invalid(format!("unknown application status {other}: use GG_APP_FOREGROUND (0) or GG_APP_BACKGROUND (1)"))),
    };
    let was_background = IN_BACKGROUND.swap(background, Ordering::AcqRel);
    crate::gg_log!(crate::log::GG_LOG_INFO, "application {}", if background { "in the background" } else { "in the foreground" });
    if was_background && !background {
        tell(LifeChange::Resumed);
    }
    Ok(())
}

pub fn set_network_status(status: u32) -> Result<(), crate::error::Error> {
    let offline = match status {
        GG_NET_UNKNOWN | GG_NET_ONLINE => false,
        GG_NET_OFFLINE => true,
        other => return Err(crate::error::Error::invalid(format!("unknown network status {other}: use GG_NET_UNKNOWN (0), GG_NET_ONLINE (1) or GG_NET_OFFLINE (2)"))),
    };
    OFFLINE.store(offline, Ordering::Release);
    crate::gg_log!(crate::log::GG_LOG_INFO, "network {}", if offline { "offline" } else { "online or unknown" });
    tell(LifeChange::Network { offline });
    Ok(())
}

fn tell(change: LifeChange) {
    // Called outside the registry's lock: a listener may register another.
    let listeners: Vec<Arc<dyn LifeListener>> = LISTENERS.lock().unwrap_or_else(|p| p.into_inner()).iter().filter_map(Weak::upgrade).collect();
    for listener in listeners {
        listener.life_changed(change);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_statuses_are_refused_and_change_nothing() {
        assert_eq!(set_application_status(7).unwrap_err().code, crate::error::GG_INVALID_ARGUMENT);
        assert_eq!(set_network_status(3).unwrap_err().code, crate::error::GG_INVALID_ARGUMENT);
        assert!(!offline());
    }
}
