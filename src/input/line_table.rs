//! The lines read so far, and their folding into orders: every `FLUSH_LINES` lines
//! the buffered lines become partial orders (contract §1 step 4), so memory follows
//! the orders and customers rather than the length of the input.

use polars::prelude::*;

use super::dates;
use super::lines::{col_name, ValueOptions, NO_CODE};
use crate::error::{Error, Result};

/// Lines are folded into partial orders every this many lines, so memory follows
/// the orders and customers, not the length of the input. Each fold costs a group-by
/// and the final one combines them: measured on 10M lines, one fold at the end took
/// 3.7 s, folds of 1M lines 6.9 s.
const FLUSH_LINES: usize = 16_000_000;

/// The lines read so far: the latest as plain vectors, the rest already folded into
/// partial orders (and kept as lines only where products are asked for).
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
    /// The sum of the absolute values of every known amount read (see
    /// `money::SUM_LIMIT`).
    pub(super) amount_magnitude: u128,
    partial_orders: Vec<DataFrame>,
    product_lines: Vec<DataFrame>,
    /// A fold could not hold back the lines of its last order, which may go on
    /// in the next fold.
    split_possible: bool,
}

/// The amount of a line whose amount is unknown, until `flush` makes it a null.
pub const NO_AMOUNT: i64 = i64::MIN;

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

    /// Folds the buffered lines into partial orders, but for those of the last order
    /// when `hold_back` (the final fold takes everything).
    pub(super) fn flush(&mut self, products: bool, hold_back: bool) -> Result<()> {
        // An empty first batch still gives the orders their columns.
        if self.ts.is_empty() && !self.partial_orders.is_empty() {
            return Ok(());
        }
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
        );
        let ts = std::mem::take(&mut self.ts);
        let day: Vec<i32> = ts.iter().map(|&ts| dates::day_of(ts)).collect();
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
        let lines = DataFrame::new_infer_height(columns).map_err(Error::internal)?;
        self.partial_orders
            .push(super::occasions::partial_orders(&lines)?);
        if products {
            self.product_lines.push(lines);
        }
        (
            self.customer,
            self.order_key,
            self.order,
            self.ts,
            self.amount,
            self.product,
            self.category,
        ) = tail;
        self.reserve(capacity.saturating_sub(self.len()));
        Ok(())
    }

    /// The orders of every line read (see `occasions::combine_orders`), and the lines
    /// themselves where products were asked for.
    /// `ascending_ids`: every order id was greater than the one before it, run by run,
    /// and every line had one; then no order is split between folds.
    pub fn finish(
        mut self,
        products: bool,
        ascending_ids: bool,
    ) -> Result<(DataFrame, Option<DataFrame>)> {
        self.flush(products, false)?;
        let regroup = !ascending_ids || self.split_possible;
        let orders = super::occasions::combine_orders(self.partial_orders, regroup, products)?;
        let lines = if products {
            let mut stacked: Option<DataFrame> = None;
            for part in self.product_lines {
                match &mut stacked {
                    None => stacked = Some(part),
                    Some(all) => {
                        all.vstack_mut_owned(part).map_err(Error::internal)?;
                    }
                }
            }
            stacked
        } else {
            None
        };
        Ok((orders, lines))
    }
}
