//! CSV text, read fast: blocks of whole records from any byte stream, records (a
//! quoted field may hold newlines), and the fields of a record as spans of the block.
//!
//! A record without a quote character, the common case, is split with `memchr`; one
//! with quotes goes through a small RFC 4180 reader (`""` inside quotes is one `"`).
//! A block ends where a line ends outside quotes, so blocks can be read in parallel.

use std::io::{self, Read};

use memchr::{memchr, memchr_iter, memrchr2};

/// How many bytes a block holds, about.
pub const BLOCK_BYTES: usize = 32 << 20;

/// Whole records from a stream, a block at a time.
pub struct Blocks<R: Read> {
    reader: R,
    pending: Vec<u8>,
    /// A used block's buffer, to read the next one into: reusing it spares the
    /// kernel from handing over (and zeroing) fresh memory for every block.
    spare: Vec<u8>,
    done: bool,
    next_line: u64,
    block_bytes: usize,
}

pub struct Block {
    pub bytes: Vec<u8>,
    /// 1-based line number of the block's first byte.
    pub first_line: u64,
}

impl<R: Read> Blocks<R> {
    /// `already` holds bytes read before (after the header), starting on `first_line`.
    pub fn new(reader: R, already: Vec<u8>, first_line: u64, block_bytes: usize) -> Blocks<R> {
        Blocks {
            reader,
            pending: already,
            spare: Vec::new(),
            done: false,
            next_line: first_line,
            block_bytes,
        }
    }

    pub fn next_block(&mut self) -> io::Result<Option<Block>> {
        let mut want = self.block_bytes;
        loop {
            while !self.done && self.pending.len() < want {
                let room = (want - self.pending.len()) as u64;
                if self
                    .reader
                    .by_ref()
                    .take(room)
                    .read_to_end(&mut self.pending)?
                    == 0
                {
                    self.done = true;
                }
            }
            if self.pending.is_empty() {
                return Ok(None);
            }
            let cut = if self.done {
                Some(self.pending.len())
            } else {
                last_record_end(&self.pending)
            };
            match cut {
                Some(cut) => {
                    let mut rest = std::mem::take(&mut self.spare);
                    rest.clear();
                    rest.reserve(self.block_bytes + 64);
                    rest.extend_from_slice(&self.pending[cut..]);
                    self.pending.truncate(cut);
                    let bytes = std::mem::replace(&mut self.pending, rest);
                    let first_line = self.next_line;
                    self.next_line += memchr_iter(b'\n', &bytes).count() as u64;
                    return Ok(Some(Block { bytes, first_line }));
                }
                // One record longer than a block: read on.
                None => want = self.pending.len() * 2,
            }
        }
    }

    /// Gives back a block's buffer once its records are read.
    pub fn recycle(&mut self, bytes: Vec<u8>) {
        self.spare = bytes;
    }
}

/// Just past the last newline that is outside quotes, if any.
pub fn last_record_end(bytes: &[u8]) -> Option<usize> {
    // Parity of the quotes before `position`, walking back from the end.
    let mut odd = memchr_iter(b'"', bytes).count() % 2 == 1;
    let mut position = bytes.len();
    while let Some(i) = memrchr2(b'\n', b'"', &bytes[..position]) {
        if bytes[i] == b'"' {
            odd = !odd;
        } else if !odd {
            return Some(i + 1);
        }
        position = i;
    }
    None
}

/// A point of a block near `target` where a record starts (after a newline outside
/// quotes), for splitting work; `bytes.len()` when there is none after it.
pub fn record_start_after(bytes: &[u8], target: usize) -> usize {
    let mut odd = memchr_iter(b'"', &bytes[..target.min(bytes.len())]).count() % 2 == 1;
    let mut position = target.min(bytes.len());
    while let Some(i) = memchr::memchr2(b'\n', b'"', &bytes[position..]).map(|k| position + k) {
        if bytes[i] == b'"' {
            odd = !odd;
        } else if !odd {
            return i + 1;
        }
        position = i + 1;
    }
    bytes.len()
}

/// One record: its text (without the line end), where it starts, and its line.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    pub text: &'a [u8],
    pub offset: usize,
    pub line: u64,
    pub has_quotes: bool,
}

/// The records of a block, blank lines skipped.
pub struct Records<'a> {
    bytes: &'a [u8],
    position: usize,
    line: u64,
    /// Added to every record's offset: where `bytes` starts in its block.
    base: usize,
}

impl<'a> Records<'a> {
    pub fn new(bytes: &'a [u8], first_line: u64) -> Records<'a> {
        Records::with_base(bytes, first_line, 0)
    }

    /// Records of `bytes`, a part of a block that starts at `base`.
    pub fn with_base(bytes: &'a [u8], first_line: u64, base: usize) -> Records<'a> {
        Records {
            bytes,
            position: 0,
            line: first_line,
            base,
        }
    }

    /// Where the next record would start, and its line.
    pub fn position(&self) -> (usize, u64) {
        (self.position, self.line)
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        let bytes = self.bytes;
        while self.position < bytes.len() {
            let start = self.position;
            let line = self.line;
            let line_end =
                |from: usize| memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |k| from + k);
            let mut end = line_end(start);
            let has_quotes = memchr(b'"', &bytes[start..end]).is_some();
            if has_quotes {
                let mut odd = memchr_iter(b'"', &bytes[start..end]).count() % 2 == 1;
                while odd && end < bytes.len() {
                    let next = line_end(end + 1);
                    odd ^= memchr_iter(b'"', &bytes[end + 1..next]).count() % 2 == 1;
                    self.line += 1;
                    end = next;
                }
            }
            self.line += 1;
            self.position = end + 1;
            let mut text = &bytes[start..end];
            if let [rest @ .., b'\r'] = text {
                text = rest;
            }
            if !text.is_empty() {
                return Some(Record {
                    text,
                    offset: self.base + start,
                    line,
                    has_quotes,
                });
            }
        }
        None
    }
}

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

/// Splits a record into field spans (relative to the block the record is in).
pub fn split_fields(record: &Record, delimiter: u8, fields: &mut Vec<Span>, scratch: &mut Vec<u8>) {
    fields.clear();
    let text = record.text;
    let base = record.offset;
    if !record.has_quotes {
        let mut start = 0;
        for i in memchr_iter(delimiter, text) {
            fields.push(Span::block(base + start, base + i));
            start = i + 1;
        }
        fields.push(Span::block(base + start, base + text.len()));
        return;
    }
    let mut i = 0;
    loop {
        let next_delimiter = |from: usize| memchr(delimiter, &text[from..]).map(|k| from + k);
        let (span, after) = if text.get(i) == Some(&b'"') {
            // Find the closing quote, stepping over doubled quotes.
            let content = i + 1;
            let mut j = content;
            let mut doubled = false;
            let close = loop {
                match memchr(b'"', &text[j..]) {
                    Some(k) if text.get(j + k + 1) == Some(&b'"') => {
                        doubled = true;
                        j += k + 2;
                    }
                    Some(k) => break j + k,
                    None => break text.len(),
                }
            };
            let tail = (close + 1).min(text.len());
            let after = next_delimiter(tail);
            let field_end = after.unwrap_or(text.len());
            if !doubled && field_end == tail {
                (Span::block(base + content, base + close), after)
            } else {
                let start = scratch.len();
                let mut k = content;
                while k < close {
                    scratch.push(text[k]);
                    k += if text[k] == b'"' { 2 } else { 1 };
                }
                scratch.extend_from_slice(&text[tail..field_end]);
                (Span::scratch(start, scratch.len()), after)
            }
        } else {
            let after = next_delimiter(i);
            (
                Span::block(base + i, base + after.unwrap_or(text.len())),
                after,
            )
        };
        fields.push(span);
        match after {
            Some(d) => i = d + 1,
            None => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields_of(text: &str) -> Vec<String> {
        let records: Vec<Record> = Records::new(text.as_bytes(), 1).collect();
        assert_eq!(records.len(), 1, "{text:?}");
        let (mut fields, mut scratch) = (Vec::new(), Vec::new());
        split_fields(&records[0], b',', &mut fields, &mut scratch);
        fields
            .iter()
            .map(|s| String::from_utf8(s.get(text.as_bytes(), &scratch).to_vec()).unwrap())
            .collect()
    }

    #[test]
    fn plain_and_quoted_fields() {
        assert_eq!(fields_of("a,b,c"), ["a", "b", "c"]);
        assert_eq!(fields_of("a,,c,"), ["a", "", "c", ""]);
        assert_eq!(fields_of("\"x,y\",z"), ["x,y", "z"]);
        assert_eq!(fields_of("\"say \"\"hi\"\"\",2"), ["say \"hi\"", "2"]);
        assert_eq!(fields_of("\"\",\"\""), ["", ""]);
        assert_eq!(fields_of("\"a\"b,c"), ["ab", "c"]);
        assert_eq!(fields_of("5\" screen,c"), ["5\" screen", "c"]);
        assert_eq!(fields_of("\"two\nlines\",x\r\n"), ["two\nlines", "x"]);
        assert_eq!(fields_of("\"open"), ["open"]);
    }

    #[test]
    fn records_skip_blank_lines_and_count_lines() {
        let text = b"a,1\r\n\r\n\"b\nc\",2\nd,3";
        let records: Vec<(String, u64)> = Records::new(text, 10)
            .map(|r| (String::from_utf8(r.text.to_vec()).unwrap(), r.line))
            .collect();
        assert_eq!(
            records,
            vec![
                ("a,1".to_string(), 10),
                ("\"b\nc\",2".to_string(), 12),
                ("d,3".to_string(), 14)
            ]
        );
    }

    #[test]
    fn blocks_end_outside_quotes_and_keep_line_numbers() {
        let text = "h\na,1\n\"x\ny\",2\nb,3\nc,4\n".repeat(5);
        for block_bytes in [1, 3, 7, 16, 1000] {
            let mut blocks = Blocks::new(text.as_bytes(), Vec::new(), 1, block_bytes);
            let mut joined = Vec::new();
            let mut lines = Vec::new();
            while let Some(block) = blocks.next_block().unwrap() {
                assert!(block.bytes.ends_with(b"\n"), "{block_bytes}");
                lines.extend(Records::new(&block.bytes, block.first_line).map(|r| r.line));
                joined.extend_from_slice(&block.bytes);
            }
            assert_eq!(joined, text.as_bytes());
            let expected: Vec<u64> = Records::new(text.as_bytes(), 1).map(|r| r.line).collect();
            assert_eq!(lines, expected, "{block_bytes}");
        }
    }

    #[test]
    fn split_points_fall_between_records() {
        let text = b"a,1\n\"x\ny\",2\nb,3\n";
        assert_eq!(last_record_end(text), Some(text.len()));
        assert_eq!(last_record_end(b"a,\"open\nstill"), None);
        assert_eq!(record_start_after(text, 5), 12);
        assert_eq!(record_start_after(text, 0), 4);
        assert_eq!(record_start_after(text, 13), text.len());
    }
}
