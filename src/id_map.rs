//! Maps keyed by the ids GameGate hands out itself (requests, exchanges). Those ids are
//! sequential and never chosen by a peer, so SipHash's protection against crafted keys buys
//! nothing, and it cost more than the map operations around it on every request.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

pub type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// Spreads a sequential id over all 64 bits (Fibonacci hashing): the table uses the top bits.
#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here; any other input still hashes, just more slowly.
        for &b in bytes {
            self.write_u64(self.0.rotate_left(8) ^ u64::from(b));
        }
    }

    fn write_u64(&mut self, id: u64) {
        self.0 = id.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_ids_land_in_distinct_top_bits_and_the_map_works() {
        let top = |id: u64| {
            let mut h = IdHasher::default();
            h.write_u64(id);
            h.finish() >> 57
        };
        let distinct: std::collections::HashSet<u64> = (0..128).map(top).collect();
        assert!(distinct.len() > 64, "{} distinct of 128", distinct.len());
        let mut map = IdMap::default();
        for id in 0..1000u64 {
            map.insert(id, id * 2);
        }
        assert!((0..1000u64).all(|id| map[&id] == id * 2));
        assert_eq!(map.remove(&7), Some(14));
        assert_eq!(map.len(), 999);
    }
}
