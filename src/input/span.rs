//! Where a value's bytes are, without copying them: a range of a block of the input,
//! or of a scratch buffer for values that had to be rewritten (a quoted CSV field
//! with `""`, a Parquet value).

/// Where a field's bytes are: a range of the block, or of a scratch buffer (for quoted
/// values whose `""` had to be undone). Packed in a `u64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span(u64);

const SCRATCH: u64 = 1 << 63;

impl Span {
    pub const NONE: Span = Span(u64::MAX);

    fn new(start: usize, end: usize, scratch: bool) -> Span {
        debug_assert!(start < (1 << 31) && end - start < (1 << 32));
        Span(((start as u64) << 32) | (end - start) as u64 | if scratch { SCRATCH } else { 0 })
    }

    pub fn block(start: usize, end: usize) -> Span {
        Span::new(start, end, false)
    }

    pub fn scratch(start: usize, end: usize) -> Span {
        Span::new(start, end, true)
    }

    pub fn is_none(self) -> bool {
        self == Span::NONE
    }

    fn range(self) -> (usize, usize) {
        let start = ((self.0 & !SCRATCH) >> 32) as usize;
        (start, start + (self.0 & 0xFFFF_FFFF) as usize)
    }

    /// The bytes, from the block or the scratch buffer; none for `Span::NONE`.
    pub fn get<'a>(self, block: &'a [u8], scratch: &'a [u8]) -> &'a [u8] {
        if self.is_none() {
            return &[];
        }
        let (start, end) = self.range();
        if self.0 & SCRATCH != 0 {
            &scratch[start..end]
        } else {
            &block[start..end]
        }
    }

    /// The part `from..to` of the span's bytes.
    pub fn narrow(self, from: usize, to: usize) -> Span {
        let (start, _) = self.range();
        Span::new(start + from, start + to, self.0 & SCRATCH != 0)
    }

    /// The same span without white space at either end.
    pub fn trim(self, block: &[u8], scratch: &[u8]) -> Span {
        let bytes = self.get(block, scratch);
        let lead = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let trail = bytes[lead..]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        if lead == 0 && trail == 0 {
            return self;
        }
        let (start, end) = self.range();
        Span::new(start + lead, end - trail, self.0 & SCRATCH != 0)
    }
}
