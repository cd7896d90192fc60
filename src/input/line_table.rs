//! The lines read so far, handed on in batches: every `FLUSH_LINES` lines the buffered
//! lines become a polars frame for whoever folds them into orders (`load` passes them
//! to `orders::OrderFolds`), so memory follows the orders and customers rather than
//! the length of the input.

use polars::prelude::*;

use super::schema::{col_name, ValueOptions, NO_AMOUNT};
use crate::days;
use crate::error::{Error, Result};
use crate::intern::NO_CODE;

/// Takes each batch of lines as a frame (`schema::col_name`).
pub type LineSink<'a> = dyn FnMut(DataFrame) -> Result<()> + 'a;

/// Lines are handed on (and folded into partial orders) every this many lines, so
/// memory follows the orders and customers, not the length of the input. Each fold
/// costs a group-by and the final one combines them: measured on 10M lines, one fold
/// at the end took 3.7 s, folds of 1M lines 6.9 s.
const FLUSH_LINES: usize = 16_000_000;

/// The lines read since the last batch went out, as plain vectors.
#[derive(Default)]
pub struct LineTable {
    pub(super) customer: Vec<u32>,
    pub(super) order_key: Vec<u64>,
    /// `NO_CODE` without an order id.
    pub(super) order: Vec<u32>,
    pub(super) ts: Vec<i64>,
    /// `NO_AMOUNT` where unknown.
    pub(super) amount: Vec<i64>,
    pub(super) product: Vec<u32>,
    pub(super) category: Vec<u32>,
    /// Each line's status code (`NO_CODE` where empty), once some file had a status.
    pub(super) status: Vec<u32>,
    pub(super) status_seen: bool,
    /// The sum of the absolute values of every known amount read (see
    /// `money::SUM_LIMIT`).
    pub(super) amount_magnitude: u128,
    /// Some batch went out already (the first one goes out even when empty, so that
    /// the orders have their columns).
    flushed: bool,
    /// A batch could not hold back the lines of its last order, which may go on
    /// in the next batch.
    split_possible: bool,
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

    /// Where the lines of the last order id start: they stay for the next fold, so
    /// that with order ids that only grow, no order is split between folds.
    fn last_order_start(&self) -> usize {
        match self.order.last() {
            Some(&last) if last != NO_CODE => {
                self.order.len() - self.order.iter().rev().take_while(|&&o| o == last).count()
            }
            _ => self.len(),
        }
    }

    /// Hands the buffered lines to `sink` as one batch, but for those of the last order
    /// when `hold_back` (the final batch takes everything).
    pub(super) fn flush(
        &mut self,
        products: bool,
        hold_back: bool,
        sink: &mut LineSink,
    ) -> Result<()> {
        // An empty first batch still gives the orders their columns.
        if self.ts.is_empty() && self.flushed {
            return Ok(());
        }
        self.flushed = true;
        let mut keep_from = if hold_back {
            self.last_order_start()
        } else {
            self.len()
        };
        if keep_from == 0 {
            keep_from = self.len();
            self.split_possible = true;
        }
        let capacity = self.ts.capacity();
        // Product and category are empty unless products were asked for.
        fn tail<T>(values: &mut Vec<T>, from: usize) -> Vec<T> {
            values.split_off(from.min(values.len()))
        }
        let tail = (
            tail(&mut self.customer, keep_from),
            tail(&mut self.order_key, keep_from),
            tail(&mut self.order, keep_from),
            tail(&mut self.ts, keep_from),
            tail(&mut self.amount, keep_from),
            tail(&mut self.product, keep_from),
            tail(&mut self.category, keep_from),
            tail(&mut self.status, keep_from),
        );
        let ts = std::mem::take(&mut self.ts);
        let day: Vec<i32> = ts.iter().map(|&ts| days::day_of(ts)).collect();
        let take =
            |name: &str, values: &mut Vec<u32>| Column::new(name.into(), std::mem::take(values));
        let mut columns = vec![
            take(col_name::CUSTOMER, &mut self.customer),
            Column::new(
                col_name::ORDER_KEY.into(),
                std::mem::take(&mut self.order_key),
            ),
            take(col_name::ORDER, &mut self.order),
            Column::new(col_name::TS.into(), ts),
            Column::new(col_name::DAY.into(), day),
            // Unknown amounts become nulls here, once, for every query over the lines.
            Column::new(
                col_name::AMOUNT.into(),
                std::mem::take(&mut self.amount)
                    .into_iter()
                    .map(|a| (a != NO_AMOUNT).then_some(a))
                    .collect::<Int64Chunked>(),
            ),
        ];
        if products {
            columns.push(take(col_name::PRODUCT, &mut self.product));
            columns.push(take(col_name::CATEGORY, &mut self.category));
        }
        if self.status_seen {
            columns.push(Column::new(
                col_name::STATUS.into(),
                std::mem::take(&mut self.status)
                    .into_iter()
                    .map(|s| (s != NO_CODE).then_some(s))
                    .collect::<UInt32Chunked>(),
            ));
        }
        sink(DataFrame::new_infer_height(columns).map_err(Error::internal)?)?;
        (
            self.customer,
            self.order_key,
            self.order,
            self.ts,
            self.amount,
            self.product,
            self.category,
            self.status,
        ) = tail;
        self.reserve(capacity.saturating_sub(self.len()));
        Ok(())
    }

    /// Hands on the last lines; says whether an order may have been split between
    /// batches. `ascending_ids`: every order id was greater than the one before it,
    /// run by run, and every line had one; then no order was split.
    pub fn finish(
        mut self,
        products: bool,
        ascending_ids: bool,
        sink: &mut LineSink,
    ) -> Result<bool> {
        self.flush(products, false, sink)?;
        Ok(!ascending_ids || self.split_possible)
    }
}
