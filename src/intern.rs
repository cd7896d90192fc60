//! Ids as dense integer codes. Polars groups and sorts integers far faster than text,
//! so customer, order, product and category ids become `u32` codes as they are read;
//! the text of each distinct id is kept once, in an arena.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use hashbrown::HashTable;

/// The code of an absent id (an empty order, product or category id).
pub const NO_CODE: u32 = u32::MAX;

/// Distinct byte strings, each with the code of its first appearance.
pub struct Interner {
    /// (hash, code): the hash is kept so growing the table never hashes a key again,
    /// and most probes are settled without comparing bytes.
    table: HashTable<(u64, u32)>,
    arena: Vec<u8>,
    /// End of each entry in `arena`; entry i starts where entry i − 1 ends.
    ends: Vec<usize>,
    state: FixedState,
    /// Every entry so far was greater (bytewise) than the one before, and none is in
    /// the table yet. Exports number their orders in time order, so a new order id is
    /// usually the greatest so far: it cannot have been seen, and needs no hashing.
    /// The first key that is not greater builds the table, once.
    ascending: bool,
}

impl Default for Interner {
    fn default() -> Interner {
        Interner {
            table: HashTable::new(),
            arena: Vec::new(),
            ends: Vec::new(),
            state: FixedState::with_seed(0x0072_6562_7579),
            ascending: true,
        }
    }
}

impl Interner {
    /// The code of `key`, and whether it is new.
    pub fn intern(&mut self, key: &[u8]) -> (u32, bool) {
        if self.ascending {
            let last = self.ends.len().checked_sub(1);
            match last.map(|code| key.cmp(self.bytes(code as u32))) {
                None | Some(std::cmp::Ordering::Greater) => return (self.push(key), true),
                Some(std::cmp::Ordering::Equal) => return (last.unwrap_or(0) as u32, false),
                Some(std::cmp::Ordering::Less) => self.build_table(),
            }
        }
        let hash = self.state.hash_one(key);
        let (arena, ends) = (&self.arena, &self.ends);
        let same = |&(h, code): &(u64, u32)| h == hash && entry(arena, ends, code) == key;
        if let Some(&(_, code)) = self.table.find(hash, same) {
            return (code, false);
        }
        let code = self.push(key);
        self.table.insert_unique(hash, (hash, code), |&(h, _)| h);
        (code, true)
    }

    fn push(&mut self, key: &[u8]) -> u32 {
        let code = self.ends.len() as u32;
        self.arena.extend_from_slice(key);
        self.ends.push(self.arena.len());
        code
    }

    /// Puts every entry in the table, and leaves ascending mode.
    fn build_table(&mut self) {
        self.ascending = false;
        self.table.reserve(self.len(), |&(h, _)| h);
        for code in 0..self.len() as u32 {
            let hash = self.state.hash_one(self.bytes(code));
            self.table.insert_unique(hash, (hash, code), |&(h, _)| h);
        }
    }

    /// Every key so far was greater than the one before it.
    pub fn is_ascending(&self) -> bool {
        self.ascending
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
        if self.ascending {
            // Each entry was greater than the one before: codes are already ranks.
            return (0..self.len() as u32).collect();
        }
        let mut codes: Vec<u32> = (0..self.len() as u32).collect();
        codes.sort_unstable_by(|&a, &b| self.bytes(a).cmp(self.bytes(b)));
        let mut ranks = vec![0; codes.len()];
        for (rank, code) in codes.into_iter().enumerate() {
            ranks[code as usize] = rank as u32;
        }
        ranks
    }
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
    fn ranks_follow_the_text() {
        let mut ids = Interner::default();
        for key in ["b", "a", "c", "aa"] {
            ids.intern(key.as_bytes());
        }
        assert_eq!(ids.ranks(), vec![2, 0, 3, 1]);
    }
}
