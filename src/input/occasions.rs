//! Orders, purchases and purchase occasions (contract §1 steps 4–8), with polars.

use polars::prelude::*;
use serde::Serialize;

use super::lines::col_name as line;
use super::Inputs;
use crate::error::{Error, Result};
use crate::input::dates;

/// Names of the columns of the occasion table.
pub mod col_name {
    pub const CUSTOMER: &str = "customer";
    pub const DAY: &str = "day";
    pub const TS: &str = "ts";
    pub const AMOUNT: &str = "amount";
    pub const ORDERS: &str = "orders";
    pub const ORDER: &str = "order";
}

/// `--same-day`: whether a customer's orders on one day are one occasion or several.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SameDay {
    #[default]
    Merge,
    Keep,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct OccasionOptions {
    pub same_day: SameDay,
    /// Day number of `--as-of`; `None` means the latest occasion.
    pub as_of: Option<i32>,
}

/// What was left out, and why (contract §1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Dropped {
    pub guest_rows: u64,
    pub invalid_rows: u64,
    pub non_purchase_orders: u64,
    pub occasions_after_as_of: u64,
}

/// Purchase occasions on or before as-of: one row per (customer, day), or per order
/// with `--same-day keep`; columns `customer, day, ts, amount, orders, order`, sorted
/// by customer, then time. `amount` is null where no line amount is known.
#[derive(Clone)]
pub struct Occasions {
    pub frame: DataFrame,
    pub as_of: i32,
    pub dropped: Dropped,
    /// Orders of any amount, over the whole input.
    pub all_orders: u64,
}

fn polars_error(e: PolarsError) -> Error {
    Error::internal(e)
}

/// Sum of a nullable column that stays null when no value is known (SQL `SUM`).
fn known_sum(name: &str) -> Expr {
    when(col(name).count().gt(lit(0)))
        .then(col(name).sum())
        .otherwise(lit(NULL).cast(DataType::Int64))
        .alias(name)
}

pub fn build(inputs: &Inputs, options: OccasionOptions) -> Result<Occasions> {
    use col_name::*;
    let orders = inputs
        .lines
        .clone()
        .lazy()
        .group_by([col(line::CUSTOMER), col(line::ORDER), col(line::ORDER_TS)])
        .agg([
            col(line::TS).min(),
            col(line::DAY).min(),
            known_sum(line::AMOUNT),
        ])
        .collect()
        .map_err(polars_error)?;
    let all_orders = orders.height() as u64;

    let purchases = orders
        .lazy()
        .filter(col(AMOUNT).is_null().or(col(AMOUNT).gt(lit(0i64))));
    let occasions = match options.same_day {
        SameDay::Merge => purchases
            .group_by([col(CUSTOMER), col(DAY)])
            .agg([
                col(TS).min(),
                known_sum(AMOUNT),
                len().cast(DataType::Int64).alias(ORDERS),
            ])
            .with_column(lit(NULL).cast(DataType::String).alias(ORDER)),
        SameDay::Keep => purchases.with_column(lit(1i64).alias(ORDERS)),
    }
    .select([
        col(CUSTOMER),
        col(DAY),
        col(TS),
        col(AMOUNT),
        col(ORDERS),
        col(ORDER),
    ])
    .sort([CUSTOMER, TS, ORDER], SortMultipleOptions::default())
    .collect()
    .map_err(polars_error)?;

    let purchase_orders = sum_i64(&occasions, ORDERS)?;
    let days = occasions
        .column(DAY)
        .and_then(|c| c.i32().cloned())
        .map_err(polars_error)?;
    let Some(latest) = days.max() else {
        return Err(Error::NoData {
            message: format!(
                "no purchases in the input: {} guest rows, {} invalid rows and {} orders of amount 0 or less were left out",
                inputs.guest_rows,
                inputs.invalid_rows,
                all_orders - purchase_orders
            ),
            hint: "check that the customer column is the right one (rebuy inspect shows the roles)".into(),
        });
    };
    let as_of = options.as_of.unwrap_or(latest);
    let on_or_before = days
        .iter()
        .filter(|d| d.is_some_and(|d| d <= as_of))
        .count();
    if on_or_before == 0 {
        let first = days.min().unwrap_or(latest);
        return Err(Error::NoData {
            message: format!(
                "no purchase occasions on or before --as-of {}: the first is on {}",
                dates::date_of_day(as_of),
                dates::date_of_day(first)
            ),
            hint: "choose a later --as-of".into(),
        });
    }
    let occasions_after_as_of = (occasions.height() - on_or_before) as u64;
    let frame = if occasions_after_as_of == 0 {
        occasions
    } else {
        occasions
            .lazy()
            .filter(col(DAY).lt_eq(lit(as_of)))
            .collect()
            .map_err(polars_error)?
    };
    Ok(Occasions {
        frame,
        as_of,
        all_orders,
        dropped: Dropped {
            guest_rows: inputs.guest_rows,
            invalid_rows: inputs.invalid_rows,
            non_purchase_orders: all_orders - purchase_orders,
            occasions_after_as_of,
        },
    })
}

fn sum_i64(frame: &DataFrame, name: &str) -> Result<u64> {
    let column = frame
        .column(name)
        .and_then(|c| c.i64().cloned())
        .map_err(polars_error)?;
    Ok(column.sum().unwrap_or(0) as u64)
}
