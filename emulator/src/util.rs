//! Small helpers: ids, tokens, clocks, Go-style timestamps.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(1);

/// 64 unpredictable-enough bits for an emulator (not for real secrets).
pub fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(now_nanos());
    hasher.finish()
}

pub fn uuid() -> String {
    let (a, b) = (random_u64(), random_u64());
    format!("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xfff, (b >> 48) & 0xffff, b & 0xffff_ffff_ffff)
}

pub fn token(prefix: &str) -> String {
    format!("{prefix}{:016x}{:016x}", random_u64(), random_u64())
}

/// Five characters, as the service's codes are.
pub fn otp_code() -> String {
    format!("{:05}", random_u64() % 100_000)
}

/// A stable fake EVM address for a name.
pub fn wallet_for(name: &str) -> String {
    let mut out = String::from("0x");
    let mut seed: u64 = 0xcbf2_9ce4_8422_2325;
    for round in 0..3u64 {
        for b in name.bytes().chain(round.to_le_bytes()) {
            seed ^= u64::from(b);
            seed = seed.wrapping_mul(0x0100_0000_01b3);
        }
        out.push_str(&format!("{seed:016x}"));
    }
    out.truncate(42);
    out
}

fn now_nanos() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

pub fn now_ms() -> i64 {
    (now_nanos() / 1_000_000) as i64
}

/// Go's `time.Time.String()` in UTC: `2024-08-20 08:32:13.025599965 +0000 UTC`.
pub fn go_time_now() -> String {
    let nanos = now_nanos();
    let secs = (nanos / 1_000_000_000) as i64;
    let frac = (nanos % 1_000_000_000) as u32;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let mut fraction = if frac == 0 { String::new() } else { format!(".{frac:09}") };
    while fraction.ends_with('0') {
        fraction.pop();
    }
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}{fraction} +0000 UTC", rem / 3600, rem % 3600 / 60, rem % 60)
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}
