//! The lines read since the last fold, as plain vectors: every `FLUSH_LINES` lines
//! (and at the end) they are handed to whoever folds them into orders (`load` passes
//! them to `orders::OrderFolds`) and the vectors are emptied for the next lines, their
//! memory kept. Memory so follows the orders and customers, not the length of the
//! input.

use super::schema::ValueOptions;
use crate::error::Result;
use crate::intern::NO_CODE;

/// Takes each batch of lines.
pub type LineSink<'a> = dyn FnMut(&LineBatch) -> Result<()> + 'a;

/// Lines are folded into orders every this many lines (when no line still waits for
/// its file's day/month order or decimal separator). A fold adds each line to its
/// order's slot, so its cost does not depend on how often it happens; this is about the
/// size of the buffer, which is reused.
const FLUSH_LINES: usize = 1 << 20;

/// The lines read since the last batch went out.
#[derive(Default)]
pub struct LineTable {
    pub(super) customer: Vec<u32>,
    /// (customer code << 32) | order id's code, or (1 << 31 | the number of the
    /// customer and timestamp) for lines without an order id: one key per order.
    pub(super) order_key: Vec<u64>,
    /// `NO_CODE` without an order id.
    pub(super) order: Vec<u32>,
    pub(super) ts: Vec<i64>,
    /// `schema::NO_AMOUNT` where unknown.
    pub(super) amount: Vec<i64>,
    pub(super) product: Vec<u32>,
    pub(super) category: Vec<u32>,
    /// Each line's status code (`NO_CODE` where empty), once some file had a status.
    pub(super) status: Vec<u32>,
    pub(super) status_seen: bool,
    /// The sum of the absolute values of every known amount read (see
    /// `money::SUM_LIMIT`).
    pub(super) amount_magnitude: u128,
    /// About how many lines the inputs have, as far as known (a CSV file's size over
    /// its first bytes per line, a Parquet file's rows): what folds reserve room for,
    /// once, rather than growing by doubling. Room not used costs address space only.
    pub(super) expected_lines: usize,
}

/// A batch of lines, column by column; product and category are empty unless
/// products were asked for.
pub struct LineBatch<'a> {
    pub customer: &'a [u32],
    pub order_key: &'a [u64],
    pub order: &'a [u32],
    pub ts: &'a [i64],
    pub amount: &'a [i64],
    pub product: &'a [u32],
    pub category: &'a [u32],
    /// `None` until some file had a status column; `NO_CODE` where empty.
    pub status: Option<&'a [u32]>,
    /// `LineTable::expected_lines`.
    pub expected_lines: usize,
}

/// Lines between folds: `options.flush_lines`, or `FLUSH_LINES`.
pub(super) fn flush_lines(options: &ValueOptions) -> usize {
    if options.flush_lines == 0 {
        FLUSH_LINES
    } else {
        options.flush_lines
    }
}

impl LineTable {
    /// Room for `rows` more lines, so the vectors do not grow by doubling.
    pub(super) fn reserve(&mut self, rows: usize) {
        self.customer.reserve(rows);
        self.order_key.reserve(rows);
        self.order.reserve(rows);
        self.ts.reserve(rows);
        self.amount.reserve(rows);
    }

    pub fn len(&self) -> usize {
        self.ts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }

    /// Hands the buffered lines to `sink` as one batch, and empties the buffer.
    pub(super) fn flush(&mut self, sink: &mut LineSink) -> Result<()> {
        if self.status_seen && self.status.len() < self.len() {
            self.status.resize(self.len(), NO_CODE);
        }
        sink(&LineBatch {
            customer: &self.customer,
            order_key: &self.order_key,
            order: &self.order,
            ts: &self.ts,
            amount: &self.amount,
            product: &self.product,
            category: &self.category,
            status: self.status_seen.then_some(&self.status[..]),
            expected_lines: self.expected_lines,
        })?;
        self.customer.clear();
        self.order_key.clear();
        self.order.clear();
        self.ts.clear();
        self.amount.clear();
        self.product.clear();
        self.category.clear();
        self.status.clear();
        Ok(())
    }
}
