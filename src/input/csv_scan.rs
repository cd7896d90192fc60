//! CSV text, read fast and as RFC 4180 and the common readers (the `csv` crate,
//! Python's csv module, DuckDB) read it:
//!
//! - a quote opens a quoted field only at the start of a field; anywhere else it is an
//!   ordinary character (`27" Monitor`), and after a quoted field closes, the rest of
//!   the field up to the delimiter is ordinary text (`"a"b` is `ab`);
//! - inside a quoted field `""` is one `"`, and the delimiter, CR and LF are text;
//! - outside quotes CR, LF and CRLF each end a record; blank lines are skipped;
//! - a quoted field still open at the end of the input is reported with the line
//!   where it opened (`Record::unclosed`).
//!
//! A record without a quote, the common case, is found and split with `memchr`; one
//! with a quoted field goes through a small reader. A block of the input ends where a
//! record ends, so the blocks of a file can be typed in parallel. `tests::
//! same_records_and_fields_as_the_csv_crate` holds this reader to the `csv` crate's.

use std::io::{self, Read};

use memchr::{memchr, memchr2, memchr3, memchr_iter, memrchr2};

use super::span::Span;

/// How many bytes a block holds, about. A batch of blocks, one per thread, is typed
/// at a time.
pub const BLOCK_BYTES: usize = 16 << 20;

/// The longest record read: no order line is this long, and a quote that never closes
/// would otherwise pull the rest of a file of any size into memory.
pub const RECORD_LIMIT: usize = 256 << 20;

/// Whole records from a stream, a block at a time.
pub struct Blocks<R: Read> {
    reader: R,
    pending: Vec<u8>,
    /// Used blocks' buffers, to read the next ones into: reusing them spares the
    /// kernel from handing over (and zeroing) fresh memory for every block.
    spare: Vec<Vec<u8>>,
    done: bool,
    next_line: u64,
    block_bytes: usize,
    delimiter: u8,
    /// `RECORD_LIMIT`; tests make it small.
    record_limit: usize,
}

pub struct Block {
    pub bytes: Vec<u8>,
    /// 1-based line number of the block's first byte.
    pub first_line: u64,
}

impl<R: Read> Blocks<R> {
    /// `already` holds bytes read before (after the header), starting on `first_line`.
    pub fn new(
        reader: R,
        already: Vec<u8>,
        first_line: u64,
        block_bytes: usize,
        delimiter: u8,
    ) -> Blocks<R> {
        Blocks {
            reader,
            pending: already,
            spare: Vec::new(),
            done: false,
            next_line: first_line,
            block_bytes: block_bytes.max(1),
            delimiter,
            record_limit: RECORD_LIMIT,
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
                last_record_end(&self.pending, self.delimiter)
            };
            match cut {
                Some(cut) => {
                    let mut rest = self.spare.pop().unwrap_or_default();
                    rest.clear();
                    rest.reserve(self.block_bytes + 64);
                    rest.extend_from_slice(&self.pending[cut..]);
                    self.pending.truncate(cut);
                    let bytes = std::mem::replace(&mut self.pending, rest);
                    let first_line = self.next_line;
                    self.next_line += count_line_ends(&bytes);
                    return Ok(Some(Block { bytes, first_line }));
                }
                None if self.pending.len() >= self.record_limit => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "no row ends in the {} MiB from line {} on: a quoted field that opens there is probably never closed",
                            self.record_limit >> 20,
                            self.next_line
                        ),
                    ));
                }
                // One record longer than a block: read on.
                None => want = (self.pending.len() * 2).min(self.record_limit),
            }
        }
    }

    /// Up to `count` blocks, for as many threads.
    pub fn next_blocks(&mut self, count: usize) -> io::Result<Vec<Block>> {
        let mut blocks = Vec::with_capacity(count);
        while blocks.len() < count.max(1) {
            match self.next_block()? {
                Some(block) => blocks.push(block),
                None => break,
            }
        }
        Ok(blocks)
    }

    /// Gives back a block's buffer once its records are read.
    pub fn recycle(&mut self, bytes: Vec<u8>) {
        self.spare.push(bytes);
    }
}

/// Line ends in `bytes`: LF, CRLF and a CR alone each count once.
pub fn count_line_ends(bytes: &[u8]) -> u64 {
    let lf = memchr_iter(b'\n', bytes).count() as u64;
    if memchr(b'\r', bytes).is_none() {
        return lf;
    }
    lf + lone_crs(bytes).count() as u64
}

/// The CRs not followed by LF.
fn lone_crs(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr_iter(b'\r', bytes).filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
}

fn has_lone_cr(bytes: &[u8]) -> bool {
    lone_crs(bytes).next().is_some()
}

/// Whether the quote at `at` opens a quoted field: it starts a field (the input, a
/// record or a field begins right there).
fn opens_field(bytes: &[u8], at: usize, delimiter: u8) -> bool {
    at == 0 || matches!(bytes[at - 1], b'\n' | b'\r') || bytes[at - 1] == delimiter
}

/// The quote that closes the quoted field whose content starts at `from` (a `""`
/// is one quote of the content), if the bytes hold it.
fn closing_quote(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let k = at + memchr(b'"', &bytes[at..])?;
        if bytes.get(k + 1) == Some(&b'"') {
            at = k + 2;
        } else {
            return Some(k);
        }
    }
}

/// Just past the last record end in `bytes[from..until]`: a LF, or a CR whose next
/// byte is known and is not LF (a CR at the very end may be the first half of a CRLF).
fn last_line_end_in(bytes: &[u8], from: usize, until: usize) -> Option<usize> {
    let mut until = until;
    while let Some(k) = memrchr2(b'\n', b'\r', &bytes[from..until]) {
        let i = from + k;
        match (bytes[i], bytes.get(i + 1)) {
            (b'\n', _) => return Some(i + 1),
            (_, Some(&next)) if next != b'\n' => return Some(i + 1),
            _ => until = i,
        }
    }
    None
}

/// Just past the last record end of `bytes` (which start at a record's start), if
/// any: where a block can be cut. Only the quotes that open fields are followed; the
/// bytes between them are searched with `memchr`.
pub fn last_record_end(bytes: &[u8], delimiter: u8) -> Option<usize> {
    let mut last = None;
    let mut position = 0;
    loop {
        let quote = memchr(b'"', &bytes[position..]).map(|k| position + k);
        let until = quote.unwrap_or(bytes.len());
        if let Some(end) = last_line_end_in(bytes, position, until) {
            last = Some(end);
        }
        let Some(quote) = quote else {
            return last;
        };
        if !opens_field(bytes, quote, delimiter) {
            position = quote + 1;
            continue;
        }
        match closing_quote(bytes, quote + 1) {
            Some(close) => position = close + 1,
            None => return last,
        }
    }
}

/// One record: its text (without the line end), where it starts, and its line.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    pub text: &'a [u8],
    pub offset: usize,
    pub line: u64,
    /// The record has a quoted field (its fields need `split_fields`' slow path).
    pub has_quotes: bool,
    /// The line where a quoted field opened that the input never closes; the record
    /// then runs to the end of the input.
    pub unclosed: Option<u64>,
}

/// The records of a block, blank lines skipped.
pub struct Records<'a> {
    bytes: &'a [u8],
    position: usize,
    line: u64,
    delimiter: u8,
    /// Some CR in the bytes is not followed by LF: line ends are found with
    /// `memchr2`. Otherwise (LF or CRLF, the usual case) `memchr` on LF is enough.
    lone_cr: bool,
    /// Some byte is a quote: each record is searched for one. Most exports quote
    /// nothing, and one search of the block spares a search of every record.
    quotes: bool,
}

impl<'a> Records<'a> {
    /// The records of `bytes`, which start at a record's start on line `first_line`.
    pub fn new(bytes: &'a [u8], first_line: u64, delimiter: u8) -> Records<'a> {
        Records {
            bytes,
            position: 0,
            line: first_line,
            delimiter,
            lone_cr: has_lone_cr(bytes),
            quotes: memchr(b'"', bytes).is_some(),
        }
    }

    /// Where the next record would start, and its line.
    pub fn position(&self) -> (usize, u64) {
        (self.position, self.line)
    }

    /// Where the record starting at `start` ends (at its line end, or the end of the
    /// input), the line ends inside its quoted fields, whether it has a quoted field,
    /// and the line of a quoted field that never closes.
    fn quoted_record_end(&self, start: usize) -> (usize, u64, bool, Option<u64>) {
        let bytes = self.bytes;
        let (mut position, mut inner_lines, mut has_quotes) = (start, 0, false);
        loop {
            let Some(k) = memchr3(b'\n', b'\r', b'"', &bytes[position..]) else {
                return (bytes.len(), inner_lines, has_quotes, None);
            };
            let at = position + k;
            if bytes[at] != b'"' {
                return (at, inner_lines, has_quotes, None);
            }
            if at != start && bytes[at - 1] != self.delimiter {
                position = at + 1; // an ordinary character
                continue;
            }
            has_quotes = true;
            match closing_quote(bytes, at + 1) {
                Some(close) => {
                    inner_lines += count_line_ends(&bytes[at + 1..close]);
                    position = close + 1;
                }
                None => {
                    let opened = self.line + inner_lines;
                    return (bytes.len(), inner_lines, true, Some(opened));
                }
            }
        }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        let bytes = self.bytes;
        while self.position < bytes.len() {
            let start = self.position;
            let line = self.line;
            let line_end = if self.lone_cr {
                memchr2(b'\n', b'\r', &bytes[start..])
            } else {
                // A CR here can only be the first half of a CRLF.
                memchr(b'\n', &bytes[start..])
                    .map(|k| k - usize::from(k > 0 && bytes[start + k - 1] == b'\r'))
            }
            .map_or(bytes.len(), |k| start + k);
            let (end, inner_lines, has_quotes, unclosed) =
                if self.quotes && memchr(b'"', &bytes[start..line_end]).is_some() {
                    self.quoted_record_end(start)
                } else {
                    (line_end, 0, false, None)
                };
            self.line += inner_lines + u64::from(end < bytes.len());
            self.position = match &bytes[end.min(bytes.len())..] {
                [b'\r', b'\n', ..] => end + 2,
                [] => end,
                _ => end + 1,
            };
            if end > start {
                return Some(Record {
                    text: &bytes[start..end],
                    offset: start,
                    line,
                    has_quotes,
                    unclosed,
                });
            }
        }
        None
    }
}

/// The records of a block with their fields, found in one pass: a block without a
/// quote or a lone CR (most exports) is scanned 64 bytes at a time for delimiters and
/// line ends together; any other block goes through `Records` and `split_fields`.
pub struct Tokens<'a> {
    records: Records<'a>,
    /// The next 64-byte window's first byte, and the stops not yet taken in the
    /// current one (bit i: byte `window - 64 + i` is a delimiter or LF).
    window: usize,
    stops: u64,
    plain: bool,
}

impl<'a> Tokens<'a> {
    pub fn new(bytes: &'a [u8], first_line: u64, delimiter: u8) -> Tokens<'a> {
        let records = Records::new(bytes, first_line, delimiter);
        let plain = !records.quotes && !records.lone_cr;
        Tokens {
            records,
            window: 0,
            stops: 0,
            plain,
        }
    }

    /// The next record, its fields in `fields` (spans into the block, or `scratch`
    /// for quoted fields that needed unescaping).
    pub fn next_record(
        &mut self,
        fields: &mut Vec<Span>,
        scratch: &mut Vec<u8>,
    ) -> Option<Record<'a>> {
        if !self.plain {
            let record = self.records.next()?;
            if record.unclosed.is_none() {
                split_fields(&record, self.records.delimiter, fields, scratch);
            }
            return Some(record);
        }
        let bytes = self.records.bytes;
        let delimiter = self.records.delimiter;
        loop {
            let start = self.records.position;
            if start >= bytes.len() {
                return None;
            }
            fields.clear();
            let mut field_start = start;
            let line_end = loop {
                match self.next_stop() {
                    Some(at) if bytes[at] == delimiter => {
                        fields.push(Span::block(field_start, at));
                        field_start = at + 1;
                    }
                    Some(at) => break at,
                    None => break bytes.len(),
                }
            };
            // The CR of a CRLF is not part of the record.
            let end = if line_end > start && bytes[line_end - 1] == b'\r' {
                line_end - 1
            } else {
                line_end
            };
            fields.push(Span::block(field_start.min(end), end));
            let line = self.records.line;
            self.records.line += u64::from(line_end < bytes.len());
            self.records.position = line_end + 1;
            if end > start {
                return Some(Record {
                    text: &bytes[start..end],
                    offset: start,
                    line,
                    has_quotes: false,
                    unclosed: None,
                });
            }
        }
    }

    /// The next delimiter or LF at or after the current position.
    #[inline(always)]
    fn next_stop(&mut self) -> Option<usize> {
        let bytes = self.records.bytes;
        loop {
            if self.stops != 0 {
                let at = self.window - 64 + self.stops.trailing_zeros() as usize;
                self.stops &= self.stops - 1;
                return Some(at);
            }
            if self.window >= bytes.len() + 64 {
                return None;
            }
            let from = self.window;
            self.window += 64;
            self.stops = stops(&bytes[from.min(bytes.len())..], self.records.delimiter);
        }
    }
}

/// Bit i set where byte i of the first 64 of `bytes` is `delimiter` or LF: eight bytes
/// at a time, as 64-bit words (the zero-byte test of each word against the two
/// bytes repeated, its high bits gathered by one multiplication).
#[inline(always)]
fn stops(bytes: &[u8], delimiter: u8) -> u64 {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const GATHER: u64 = 0x0102_0408_1020_4080;
    let (d, n) = (
        u64::from(delimiter) * 0x0101_0101_0101_0101,
        u64::from(b'\n') * 0x0101_0101_0101_0101,
    );
    // The high bit of each byte of `x` that is zero, and no other.
    let zero = |x: u64| !(((x & LOW).wrapping_add(LOW)) | x) & HIGH;
    let mut mask = 0u64;
    for (i, word) in bytes.chunks(8).take(8).enumerate() {
        let mut le = [0u8; 8];
        le[..word.len()].copy_from_slice(word);
        let w = u64::from_le_bytes(le);
        let mut found = zero(w ^ d) | zero(w ^ n);
        if word.len() < 8 {
            // The zero bytes padding a short word are not the input's.
            found &= (1u64 << (8 * word.len())) - 1;
        }
        mask |= ((found >> 7).wrapping_mul(GATHER) >> 56) << (8 * i);
    }
    mask
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
    use proptest::prelude::*;

    /// Records and fields as this reader sees them.
    fn read(bytes: &[u8], delimiter: u8) -> Vec<Vec<Vec<u8>>> {
        let (mut fields, mut scratch) = (Vec::new(), Vec::new());
        Records::new(bytes, 1, delimiter)
            .map(|record| {
                scratch.clear();
                split_fields(&record, delimiter, &mut fields, &mut scratch);
                fields
                    .iter()
                    .map(|s| s.get(bytes, &scratch).to_vec())
                    .collect()
            })
            .collect()
    }

    /// Records and fields as the `csv` crate sees them.
    fn read_with_csv_crate(bytes: &[u8], delimiter: u8) -> Vec<Vec<Vec<u8>>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(bytes)
            .byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    fn fields_of(text: &str) -> Vec<String> {
        let records = read(text.as_bytes(), b',');
        assert_eq!(records.len(), 1, "{text:?}");
        records[0]
            .iter()
            .map(|f| String::from_utf8(f.clone()).unwrap())
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
    fn a_quote_inside_a_field_is_an_ordinary_character() {
        let text = "A,2024-01-01,27\" Monitor,199\nA,2024-02-01,Cable,10\nB,x\"y\"z,\"q\"\n";
        let records = read(text.as_bytes(), b',');
        assert_eq!(records.len(), 3);
        assert_eq!(records[0][2], b"27\" Monitor");
        assert_eq!(records[2], [&b"B"[..], b"x\"y\"z", b"q"]);
    }

    #[test]
    fn cr_lf_and_crlf_each_end_a_record() {
        let text = b"a,1\rb,2\nc,3\r\nd,4\r";
        let records: Vec<(Vec<u8>, u64)> = Records::new(text, 1, b',')
            .map(|r| (r.text.to_vec(), r.line))
            .collect();
        assert_eq!(
            records,
            vec![
                (b"a,1".to_vec(), 1),
                (b"b,2".to_vec(), 2),
                (b"c,3".to_vec(), 3),
                (b"d,4".to_vec(), 4)
            ]
        );
        assert_eq!(count_line_ends(text), 4);
    }

    #[test]
    fn records_skip_blank_lines_and_count_lines() {
        let text = b"a,1\r\n\r\n\"b\nc\",2\nd,3";
        let records: Vec<(String, u64)> = Records::new(text, 10, b',')
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
    fn an_unclosed_quoted_field_names_the_line_it_opened_on() {
        let text = b"a,1\n\"b\nc\",2\nd,\"open\nmore\n";
        let records: Vec<(u64, Option<u64>)> = Records::new(text, 1, b',')
            .map(|r| (r.line, r.unclosed))
            .collect();
        assert_eq!(records, vec![(1, None), (2, None), (4, Some(4))]);
    }

    #[test]
    fn blocks_end_outside_quotes_and_keep_line_numbers() {
        let text = "h\na,1\n\"x\ny\",2\r\nb,3\rc,4\"\n27\" tv,5\n".repeat(5);
        for block_bytes in [1, 3, 7, 16, 1000] {
            let mut blocks = Blocks::new(text.as_bytes(), Vec::new(), 1, block_bytes, b',');
            let mut joined = Vec::new();
            let mut lines = Vec::new();
            while let Some(block) = blocks.next_block().unwrap() {
                assert!(
                    block.bytes.ends_with(b"\n") || block.bytes.ends_with(b"\r"),
                    "{block_bytes}"
                );
                lines.extend(Records::new(&block.bytes, block.first_line, b',').map(|r| r.line));
                joined.extend_from_slice(&block.bytes);
            }
            assert_eq!(joined, text.as_bytes());
            let expected: Vec<u64> = Records::new(text.as_bytes(), 1, b',')
                .map(|r| r.line)
                .collect();
            assert_eq!(lines, expected, "{block_bytes}");
        }
    }

    #[test]
    fn a_record_past_the_limit_stops_reading() {
        let mut text = b"a,1\nb,\"never closed\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 5 << 20));
        let mut blocks = Blocks::new(&text[..], Vec::new(), 7, 16, b',');
        blocks.record_limit = 1 << 20;
        assert_eq!(blocks.next_block().unwrap().unwrap().bytes, b"a,1\n");
        let error = blocks.next_block().err().unwrap();
        assert_eq!(
            error.to_string(),
            "no row ends in the 1 MiB from line 8 on: a quoted field that opens there is probably never closed"
        );
    }

    #[test]
    fn cut_points_fall_between_records() {
        let text = b"a,1\n\"x\ny\",2\nb,3\n";
        assert_eq!(last_record_end(text, b','), Some(text.len()));
        assert_eq!(last_record_end(b"a,\"open\nstill", b','), None);
        assert_eq!(last_record_end(b"x\na,\"open\nstill", b','), Some(2));
        // A stray quote does not open a field: the line end after it is a record end.
        assert_eq!(last_record_end(b"a,27\" tv\nb,", b','), Some(9));
        // A CR at the very end may be half of a CRLF: not a cut point yet.
        assert_eq!(last_record_end(b"a\nb\r", b','), Some(2));
        assert_eq!(last_record_end(b"a\rb", b','), Some(2));
    }

    /// Up to `most` of `pieces`, one after the other.
    fn text_of(pieces: Vec<&'static [u8]>, most: usize) -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(prop::sample::select(pieces), 0..most).prop_map(|p| p.concat())
    }

    /// Texts without a quote or a lone CR, long enough to cross 64-byte windows.
    fn plain_text() -> impl Strategy<Value = Vec<u8>> {
        let long: &[u8] = b"0123456789abcdefghij";
        text_of(
            vec![b"a", long, b",", b";", b"\t", b"|", b"\n", b"\r\n", b" "],
            60,
        )
    }

    fn csv_text() -> impl Strategy<Value = Vec<u8>> {
        let pieces: Vec<&'static [u8]> = vec![
            b"a",
            b"bc",
            b",",
            b";",
            b"\t",
            b"|",
            b"\"",
            b"\"\"",
            b"\r",
            b"\n",
            b"\r\n",
            b" ",
            b"\"x,y\"",
            b"\"p\nq\"",
        ];
        text_of(pieces, 40)
    }

    /// Not a test of speed (it asserts none): the measurement behind keeping this
    /// splitter rather than the `csv` crate's, run by `tests/bench/split.py` on a large
    /// file named in `REBUY_SPLIT_FILE`. Both must find the same records and fields.
    #[test]
    #[ignore = "run by tests/bench/split.py on a large file"]
    fn splitting_a_large_file_against_the_csv_crate() {
        let Ok(path) = std::env::var("REBUY_SPLIT_FILE") else {
            panic!("name the file in REBUY_SPLIT_FILE");
        };
        let bytes = std::fs::read(path).unwrap();
        let ours = || {
            let (mut fields, mut scratch) = (Vec::new(), Vec::new());
            let (mut records, mut count) = (0u64, 0u64);
            for record in Records::new(&bytes, 1, b',') {
                scratch.clear();
                split_fields(&record, b',', &mut fields, &mut scratch);
                records += 1;
                count += fields.len() as u64;
            }
            (records, count)
        };
        let theirs = || {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(&bytes[..]);
            let mut record = csv::ByteRecord::new();
            let (mut records, mut count) = (0u64, 0u64);
            while reader.read_byte_record(&mut record).unwrap() {
                records += 1;
                count += record.len() as u64;
            }
            (records, count)
        };
        let time = |f: &dyn Fn() -> (u64, u64)| {
            let mut seconds = Vec::new();
            let mut found = (0, 0);
            for _ in 0..5 {
                let start = std::time::Instant::now();
                found = f();
                seconds.push(start.elapsed().as_secs_f64());
            }
            seconds.sort_by(f64::total_cmp);
            (found, seconds[2])
        };
        let (ours_found, ours_seconds) = time(&ours);
        let (theirs_found, theirs_seconds) = time(&theirs);
        assert_eq!(ours_found, theirs_found);
        println!(
            "records and fields of {} bytes on one thread, medians of 5: rebuy's splitter {ours_seconds:.3} s, the csv crate {theirs_seconds:.3} s ({} records, {} fields)",
            bytes.len(),
            ours_found.0,
            ours_found.1
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn same_records_and_fields_as_the_csv_crate(
            text in csv_text(),
            delimiter in prop::sample::select(vec![b',', b';', b'\t', b'|']),
        ) {
            prop_assert_eq!(read(&text, delimiter), read_with_csv_crate(&text, delimiter));
        }

        #[test]
        fn tokens_find_the_records_and_fields_that_records_and_split_fields_find(
            text in prop_oneof![csv_text(), plain_text()],
            delimiter in prop::sample::select(vec![b',', b';', b'\t', b'|']),
        ) {
            let (mut fields, mut scratch) = (Vec::new(), Vec::new());
            let mut tokens = Tokens::new(&text, 7, delimiter);
            let mut found = Vec::new();
            // A record whose quote never closes ends the reading: its fields are not
            // split.
            while let Some(record) = tokens.next_record(&mut fields, &mut scratch) {
                if record.unclosed.is_some() {
                    fields.clear();
                }
                let cells: Vec<Vec<u8>> =
                    fields.iter().map(|s| s.get(&text, &scratch).to_vec()).collect();
                found.push((record.text.to_vec(), record.line, cells));
            }
            let mut expected = Vec::new();
            let mut scratch = Vec::new();
            for record in Records::new(&text, 7, delimiter) {
                split_fields(&record, delimiter, &mut fields, &mut scratch);
                if record.unclosed.is_some() {
                    fields.clear();
                }
                let cells: Vec<Vec<u8>> =
                    fields.iter().map(|s| s.get(&text, &scratch).to_vec()).collect();
                expected.push((record.text.to_vec(), record.line, cells));
            }
            prop_assert_eq!(found, expected);
        }

        #[test]
        fn stops_are_the_delimiters_and_line_feeds(
            bytes in prop::collection::vec(
                prop::sample::select(vec![b'a', b',', b'\n', b'\r', 0u8, 0x80, 0xff]), 0..80),
            delimiter in prop::sample::select(vec![b',', b'\r', 0u8]),
        ) {
            let expected = bytes
                .iter()
                .take(64)
                .enumerate()
                .filter(|(_, &b)| b == delimiter || b == b'\n')
                .fold(0u64, |mask, (i, _)| mask | 1 << i);
            prop_assert_eq!(stops(&bytes, delimiter), expected);
        }

        #[test]
        fn any_block_size_gives_the_same_records(
            text in csv_text(),
            block_bytes in 1usize..20,
        ) {
            let whole: Vec<(Vec<u8>, u64)> = Records::new(&text, 1, b',')
                .map(|r| (r.text.to_vec(), r.line))
                .collect();
            let mut blocks = Blocks::new(&text[..], Vec::new(), 1, block_bytes, b',');
            let mut parts = Vec::new();
            while let Some(block) = blocks.next_block().unwrap() {
                parts.extend(
                    Records::new(&block.bytes, block.first_line, b',')
                        .map(|r| (r.text.to_vec(), r.line)),
                );
            }
            prop_assert_eq!(parts, whole);
        }
    }
}
