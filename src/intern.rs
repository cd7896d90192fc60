//! Ids as dense integer codes. Metrics group and sort integers far faster than text,
//! so customer, order, product and category ids become `u32` codes as they are read;
//! the text of each distinct id is kept once, in an arena.
//!
//! The table is open addressing with linear probing, 32 bytes a slot, and ids of up to
//! `INLINE` bytes kept in the slot itself: a lookup of such an id touches one cache
//! line. Millions of customer ids make a table far larger than the processor's
//! caches, so `intern_all` hashes a run of ids first and asks for each slot a few ids
//! ahead (a prefetch), so that many lookups wait on memory at once, not one by one.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;

/// The code of an absent id (an empty order, product or category id).
pub const NO_CODE: u32 = u32::MAX;

/// Ids of at most this many bytes are compared in their slot, without the arena.
const INLINE: usize = 23;

/// One slot of the table: `code` is `NO_CODE` where empty; `tag` is the hash's high
/// 32 bits, which also give the slot's home (so growing never hashes a key again).
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Slot {
    tag: u32,
    code: u32,
    len: u8,
    inline: [u8; INLINE],
}

const EMPTY: Slot = Slot {
    tag: 0,
    code: NO_CODE,
    len: 0,
    inline: [0; INLINE],
};

/// How many ids ahead `intern_all` prefetches their slots.
const AHEAD: usize = 12;

/// Distinct byte strings, each with the code of its first appearance.
pub struct Interner {
    slots: Vec<Slot>,
    /// log2 of `slots.len()`; 0 while there is no table.
    bits: u32,
    arena: Vec<u8>,
    /// End of each entry in `arena`; entry i starts where entry i − 1 ends.
    ends: Vec<usize>,
    state: FixedState,
    /// Every entry so far was greater (bytewise) than the one before, and none is in
    /// the table yet. Exports number their orders in time order, so a new order id is
    /// usually the greatest so far: it cannot have been seen, and needs no hashing.
    /// The first key that is not greater builds the table, once.
    ascending: bool,
    /// Hashes of a run of keys, kept between calls of `intern_all`.
    hashes: Vec<u64>,
}

impl Default for Interner {
    fn default() -> Interner {
        Interner {
            slots: Vec::new(),
            bits: 0,
            arena: Vec::new(),
            ends: Vec::new(),
            state: FixedState::with_seed(0x0072_6562_7579),
            ascending: true,
            hashes: Vec::new(),
        }
    }
}

impl Interner {
    /// The code of `key`, and whether it is new: `intern_all` for one key, as tests
    /// use it.
    #[cfg(test)]
    pub fn intern(&mut self, key: &[u8]) -> (u32, bool) {
        if self.ascending {
            if let Some(found) = self.intern_ascending(key) {
                return found;
            }
        }
        let hash = self.state.hash_one(key);
        self.intern_hashed(key, hash)
    }

    /// The codes of `keys` into `codes` (`NO_CODE` for an empty key); `new` hears
    /// each key met for the first time. The same as `intern` on each key, but the
    /// lookups of many keys overlap.
    pub fn intern_all<'k>(
        &mut self,
        count: usize,
        keys: impl Fn(usize) -> &'k [u8],
        codes: &mut Vec<u32>,
        new: &mut dyn FnMut(&[u8]),
    ) {
        codes.reserve(count);
        let mut i = 0;
        // Consecutive lines of an order repeat their ids: the previous one costs no
        // lookup.
        let mut last: (&[u8], u32) = (&[], NO_CODE);
        while self.ascending && i < count {
            let key = keys(i);
            if key.is_empty() {
                codes.push(NO_CODE);
            } else if key == last.0 {
                codes.push(last.1);
            } else {
                match self.intern_ascending(key) {
                    Some((code, fresh)) => {
                        if fresh {
                            new(key);
                        }
                        last = (key, code);
                        codes.push(code);
                    }
                    None => break,
                }
            }
            i += 1;
        }
        if i == count {
            return;
        }
        let mut hashes = std::mem::take(&mut self.hashes);
        hashes.clear();
        hashes.extend((i..count).map(|k| self.state.hash_one(keys(k))));
        for (j, &hash) in hashes.iter().enumerate() {
            if let Some(&ahead) = hashes.get(j + AHEAD) {
                self.prefetch(ahead);
            }
            let key = keys(i + j);
            if key.is_empty() {
                codes.push(NO_CODE);
                continue;
            }
            if key == last.0 {
                codes.push(last.1);
                continue;
            }
            let (code, fresh) = self.intern_hashed(key, hash);
            if fresh {
                new(key);
            }
            last = (key, code);
            codes.push(code);
        }
        self.hashes = hashes;
    }

    /// In ascending mode: the code of a key equal to the last, or a new code for a
    /// greater one; `None` (and the table built) for a smaller one.
    fn intern_ascending(&mut self, key: &[u8]) -> Option<(u32, bool)> {
        let last = self.ends.len().checked_sub(1);
        match last.map(|code| key.cmp(self.bytes(code as u32))) {
            None | Some(std::cmp::Ordering::Greater) => Some((self.push(key), true)),
            Some(std::cmp::Ordering::Equal) => Some((last.unwrap_or(0) as u32, false)),
            Some(std::cmp::Ordering::Less) => {
                self.build_table();
                None
            }
        }
    }

    fn intern_hashed(&mut self, key: &[u8], hash: u64) -> (u32, bool) {
        let tag = (hash >> 32) as u32;
        let mask = self.slots.len() - 1;
        let mut at = self.home(tag);
        loop {
            let slot = &self.slots[at];
            if slot.code == NO_CODE {
                break;
            }
            if slot.tag == tag && usize::from(slot.len) == key.len().min(255) {
                let same = if key.len() <= INLINE {
                    &slot.inline[..key.len()] == key
                } else {
                    entry(&self.arena, &self.ends, slot.code) == key
                };
                if same {
                    return (slot.code, false);
                }
            }
            at = (at + 1) & mask;
        }
        let code = self.push(key);
        self.slots[at] = slot_of(tag, code, key);
        if self.len() * 8 > self.slots.len() * 5 {
            self.grow();
        }
        (code, true)
    }

    /// The slot where a key of hash `tag` is looked for first: its high bits.
    fn home(&self, tag: u32) -> usize {
        (u64::from(tag) >> (32 - self.bits)) as usize
    }

    /// Asks the processor to fetch the home slot of `hash` into its cache.
    fn prefetch(&self, hash: u64) {
        let slot: *const Slot = &self.slots[self.home((hash >> 32) as u32)];
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch is a hint; it reads nothing into the program and cannot
        // fault, and the address is that of a live slot anyway.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch::<_MM_HINT_T0>(slot.cast());
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = slot;
    }

    /// Room for `ids` more entries of `bytes` bytes in all, so the arena and the ends
    /// are allocated once instead of growing by doubling (each doubling copies them
    /// into fresh memory). Room never used costs address space only.
    pub fn reserve(&mut self, ids: usize, bytes: usize) {
        self.ends.reserve(ids);
        self.arena.reserve(bytes);
    }

    fn push(&mut self, key: &[u8]) -> u32 {
        let code = self.ends.len() as u32;
        self.arena.extend_from_slice(key);
        self.ends.push(self.arena.len());
        code
    }

    /// A table twice the size, each entry moved to its new home (by its tag).
    fn grow(&mut self) {
        self.bits += 1;
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; 1 << self.bits]);
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|s| s.code != NO_CODE) {
            let mut at = self.home(slot.tag);
            while self.slots[at].code != NO_CODE {
                at = (at + 1) & mask;
            }
            self.slots[at] = slot;
        }
    }

    /// Puts every entry in the table, and leaves ascending mode.
    fn build_table(&mut self) {
        self.ascending = false;
        // At most 5/8 full, and at least 1,024 slots.
        let wanted = (self.len() * 8 / 5 + 1).next_power_of_two().max(1024);
        self.bits = wanted.trailing_zeros();
        self.slots = vec![EMPTY; wanted];
        let mask = wanted - 1;
        for code in 0..self.len() as u32 {
            let key = self.bytes(code);
            let tag = (self.state.hash_one(key) >> 32) as u32;
            let mut at = self.home(tag);
            while self.slots[at].code != NO_CODE {
                at = (at + 1) & mask;
            }
            self.slots[at] = slot_of(tag, code, key);
        }
    }

    pub fn bytes(&self, code: u32) -> &[u8] {
        entry(&self.arena, &self.ends, code)
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// For each code, its rank when the entries are sorted by their bytes.
    pub fn ranks(&self) -> Vec<u32> {
        let mut ranks = vec![0; self.len()];
        for (rank, code) in self.sorted().into_iter().enumerate() {
            ranks[code as usize] = rank as u32;
        }
        ranks
    }

    /// The first 8 bytes of entry `code` as a number (big-endian, padded with zeros):
    /// where two prefixes differ, the entries' bytes are in the same order.
    pub fn prefix(&self, code: u32) -> u64 {
        let bytes = self.bytes(code);
        let mut word = [0u8; 8];
        let n = bytes.len().min(8);
        word[..n].copy_from_slice(&bytes[..n]);
        u64::from_be_bytes(word)
    }

    /// Every code, in the order of the entries' bytes.
    pub fn sorted(&self) -> Vec<u32> {
        if self.ascending {
            // Each entry was greater than the one before: codes are in order already.
            return (0..self.len() as u32).collect();
        }
        // Sorted by their prefixes, the whole ids only where those are equal. Millions
        // of customer ids: on every thread.
        let mut keys: Vec<(u64, u32)> = (0..self.len() as u32)
            .map(|c| (self.prefix(c), c))
            .collect();
        rayon::slice::ParallelSliceMut::par_sort_unstable_by(&mut keys[..], |a, b| {
            a.0.cmp(&b.0)
                .then_with(|| self.bytes(a.1).cmp(self.bytes(b.1)))
        });
        keys.into_iter().map(|(_, code)| code).collect()
    }
}

/// A slot for `key`: its first `INLINE` bytes, and its length (255 standing for any
/// longer one).
fn slot_of(tag: u32, code: u32, key: &[u8]) -> Slot {
    let mut slot = Slot {
        tag,
        code,
        len: key.len().min(255) as u8,
        inline: [0; INLINE],
    };
    let n = key.len().min(INLINE);
    slot.inline[..n].copy_from_slice(&key[..n]);
    slot
}

/// The bytes of entry `code`: it starts where the entry before it ends.
fn entry<'a>(arena: &'a [u8], ends: &[usize], code: u32) -> &'a [u8] {
    let i = code as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &arena[start..ends[i]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_bytes_get_equal_codes() {
        let mut ids = Interner::default();
        assert_eq!(ids.intern(b"C001"), (0, true));
        assert_eq!(ids.intern(b"C002"), (1, true));
        assert_eq!(ids.intern(b"C001"), (0, false));
        assert_eq!(ids.intern(b""), (2, true));
        assert_eq!(ids.bytes(1), b"C002");
        assert_eq!(ids.bytes(2), b"");
        assert_eq!(ids.len(), 3);
    }

    #[test]
    fn ascending_keys_then_any_keys() {
        let mut ids = Interner::default();
        for (i, key) in ["O1", "O2", "O3"].iter().enumerate() {
            assert_eq!(ids.intern(key.as_bytes()), (i as u32, true));
        }
        assert_eq!(ids.intern(b"O3"), (2, false));
        // Not greater than the last: the table is built, and earlier keys are found.
        assert_eq!(ids.intern(b"O2"), (1, false));
        assert_eq!(ids.intern(b"O1"), (0, false));
        assert_eq!(ids.intern(b"A9"), (3, true));
        assert_eq!(ids.intern(b"O4"), (4, true));
        assert_eq!(ids.intern(b"A9"), (3, false));
    }

    #[test]
    fn survives_growth() {
        let mut ids = Interner::default();
        for i in 0..50_000u32 {
            assert_eq!(ids.intern(format!("id-{i}").as_bytes()), (i, true));
        }
        for i in (0..50_000u32).step_by(7) {
            assert_eq!(ids.intern(format!("id-{i}").as_bytes()), (i, false));
        }
    }

    #[test]
    fn a_run_of_keys_gets_the_codes_one_key_at_a_time_gets() {
        let keys: Vec<Vec<u8>> = (0..5000u32)
            .map(|i| match i % 7 {
                0 => Vec::new(),
                1 => format!("a-rather-long-customer-id-{}", i % 900).into_bytes(),
                _ => format!("C{}", (i * 7919) % 1300).into_bytes(),
            })
            .collect();
        let mut one = Interner::default();
        let expected: Vec<u32> = keys
            .iter()
            .map(|k| {
                if k.is_empty() {
                    NO_CODE
                } else {
                    one.intern(k).0
                }
            })
            .collect();
        let mut all = Interner::default();
        let (mut codes, mut new) = (Vec::new(), 0);
        for part in keys.chunks(333) {
            all.intern_all(part.len(), |i| &part[i], &mut codes, &mut |_| new += 1);
        }
        assert_eq!(codes, expected);
        assert_eq!(new, one.len());
        assert_eq!(all.len(), one.len());
    }

    #[test]
    fn ranks_follow_the_text() {
        let mut ids = Interner::default();
        for key in ["b", "a", "c", "aa"] {
            ids.intern(key.as_bytes());
        }
        assert_eq!(ids.ranks(), vec![2, 0, 3, 1]);
    }

    #[test]
    fn ranks_follow_the_text_past_eight_bytes_and_with_zero_bytes() {
        let keys: [&[u8]; 7] = [
            b"customer-10",
            b"customer-1",
            b"customer",
            b"customer\0",
            b"customer-09",
            b"cust",
            b"cust\0\0\0\0\0",
        ];
        let mut ids = Interner::default();
        // Not ascending, so the table is built.
        ids.intern(b"zz");
        for key in keys {
            ids.intern(key);
        }
        let mut sorted: Vec<&[u8]> = keys.to_vec();
        sorted.push(b"zz");
        sorted.sort();
        let ranks = ids.ranks();
        for code in 0..ids.len() as u32 {
            let rank = ranks[code as usize] as usize;
            assert_eq!(sorted[rank], ids.bytes(code));
        }
    }
}
