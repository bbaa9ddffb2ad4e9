//! Annotation ids that two instances, or two git branches, never both create
//! (docs/decisions.md, issue 9).
//!
//! An id is 12 characters of lowercase Crockford base32: 9 for the creation
//! time in milliseconds since 1970 (45 bits, enough until the year 3084) and 3
//! for a 15-bit number drawn at random once per process. Within a process the
//! time is kept strictly increasing (a second id in the same millisecond takes
//! the next one), so ids of one process never repeat and sort in creation
//! order; ids of two processes could only meet if both drew the same random
//! number and used the same millisecond. Ids stay opaque strings: old `a<N>`
//! ids remain valid and are never rewritten.

use std::cell::RefCell;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Crockford's base32 alphabet, lowercase (no i, l, o, u).
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
const TIME_CHARS: usize = 9;
const NODE_CHARS: usize = 3;
pub const ID_LEN: usize = TIME_CHARS + NODE_CHARS;
const TIME_MASK: u64 = (1 << (5 * TIME_CHARS)) - 1;
const NODE_MASK: u64 = (1 << (5 * NODE_CHARS)) - 1;

/// Makes ids from a clock and a per-instance random number.
#[derive(Debug, Clone)]
pub struct IdGenerator {
    node: u64,
    last_ms: u64,
}

impl IdGenerator {
    /// A generator whose random part is `node` (only its low 15 bits count).
    pub fn with_node(node: u64) -> IdGenerator {
        IdGenerator {
            node: node & NODE_MASK,
            last_ms: 0,
        }
    }

    /// A generator with a random part from the operating system.
    pub fn new() -> IdGenerator {
        // Without OS randomness, the clock's nanoseconds and the process id
        // still tell two instances apart almost always.
        let node = getrandom::u64().unwrap_or_else(|_| {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| u64::from(d.subsec_nanos()))
                .unwrap_or(0);
            nanos ^ u64::from(std::process::id()).rotate_left(32)
        });
        IdGenerator::with_node(node)
    }

    /// The next id at time `now_ms`, never one for which `taken` is true.
    pub fn next_at(&mut self, now_ms: u64, taken: impl Fn(&str) -> bool) -> String {
        loop {
            let ms = (now_ms & TIME_MASK).max(self.last_ms + 1) & TIME_MASK;
            self.last_ms = ms;
            let id = encode(ms, self.node);
            if !taken(&id) {
                return id;
            }
        }
    }

    /// The next id now.
    pub fn next(&mut self, taken: impl Fn(&str) -> bool) -> String {
        self.next_at(now_ms(), taken)
    }
}

impl Default for IdGenerator {
    fn default() -> Self {
        IdGenerator::new()
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn encode(ms: u64, node: u64) -> String {
    let mut out = String::with_capacity(ID_LEN);
    for i in (0..TIME_CHARS).rev() {
        out.push(ALPHABET[((ms >> (5 * i)) & 31) as usize] as char);
    }
    for i in (0..NODE_CHARS).rev() {
        out.push(ALPHABET[((node >> (5 * i)) & 31) as usize] as char);
    }
    out
}

static PROCESS: Mutex<Option<IdGenerator>> = Mutex::new(None);

thread_local! {
    /// A generator on a fixed clock for this thread, set by tests that need
    /// the same ids on every run (screen snapshots).
    static FIXED: RefCell<Option<IdGenerator>> = const { RefCell::new(None) };
}

/// A fresh id from this process's generator, never one `taken` accepts.
pub fn fresh(taken: impl Fn(&str) -> bool) -> String {
    let fixed = FIXED.with(|f| {
        f.borrow_mut()
            .as_mut()
            .map(|g| g.next_at(g.last_ms + 1, &taken))
    });
    if let Some(id) = fixed {
        return id;
    }
    let mut guard = PROCESS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    guard.get_or_insert_with(IdGenerator::new).next(taken)
}

/// From now on, ids made on this thread come from a clock that starts at 1 ms
/// and advances 1 ms per id, with a random part of 0: the same ids on every
/// run, for tests. Other threads are not affected.
pub fn fixed_clock_on_this_thread() {
    FIXED.with(|f| *f.borrow_mut() = Some(IdGenerator::with_node(0)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_short_lowercase_crockford() {
        let id = IdGenerator::with_node(7).next_at(1_764_000_000_000, |_| false);
        assert_eq!(id.len(), ID_LEN);
        assert!(id.bytes().all(|b| ALPHABET.contains(&b)), "{id}");
        assert!(id.ends_with("007"), "{id}");
    }

    #[test]
    fn an_id_already_in_the_file_is_skipped() {
        let mut a = IdGenerator::with_node(1);
        let first = a.clone().next_at(1000, |_| false);
        let next = a.next_at(1000, |id| id == first);
        assert_ne!(next, first);
    }

    #[test]
    fn a_fixed_clock_gives_the_same_ids_on_every_run() {
        fixed_clock_on_this_thread();
        assert_eq!(fresh(|_| false), "000000001000");
        assert_eq!(fresh(|id| id == "000000002000"), "000000003000");
        let other = std::thread::spawn(|| fresh(|_| false)).join().unwrap();
        assert_ne!(other, "000000004000");
    }

    #[test]
    fn the_process_generator_never_repeats() {
        let ids: BTreeSet<String> = (0..2000).map(|_| fresh(|_| false)).collect();
        assert_eq!(ids.len(), 2000);
    }

    proptest! {
        /// Two instances (different random parts) creating ids at the same
        /// moments never collide, and each one's ids sort in creation order.
        #[test]
        fn two_instances_never_collide(
            nodes in (0u64..1 << 15, 0u64..1 << 15).prop_filter("distinct", |(a, b)| a != b),
            steps in proptest::collection::vec(0u64..3, 1..2000),
        ) {
            let (mut a, mut b) = (IdGenerator::with_node(nodes.0), IdGenerator::with_node(nodes.1));
            let mut now = 1_764_000_000_000u64;
            let mut all = BTreeSet::new();
            let (mut from_a, mut from_b) = (Vec::new(), Vec::new());
            for step in steps {
                now += step;
                from_a.push(a.next_at(now, |_| false));
                from_b.push(b.next_at(now, |_| false));
            }
            for id in from_a.iter().chain(&from_b) {
                prop_assert!(all.insert(id.clone()), "collision on {id}");
            }
            for ids in [&from_a, &from_b] {
                let mut sorted = ids.clone();
                sorted.sort();
                prop_assert_eq!(&sorted, ids);
            }
        }

        /// Ids made later sort after ids made earlier, across instances,
        /// whenever the times differ by more than what one instance has
        /// borrowed ahead.
        #[test]
        fn sorting_follows_creation_time(t1 in 1u64..1 << 44, gap in 1u64..1 << 20, n1 in 0u64..1 << 15, n2 in 0u64..1 << 15) {
            let early = IdGenerator::with_node(n1).next_at(t1, |_| false);
            let late = IdGenerator::with_node(n2).next_at(t1 + gap, |_| false);
            prop_assert!(early < late, "{early} !< {late}");
        }
    }
}
