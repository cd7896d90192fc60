//! Orders, purchases and purchase occasions (contract §1 steps 4–8), with polars.

use std::sync::Arc;

use polars::prelude::*;
use serde::Serialize;

use super::lines::col_name as line;
use super::Inputs;
use crate::error::{Error, Result};
use crate::frames::{collect, sorted};
use crate::input::dates;
use crate::render::text::count_of;

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
    /// Orders per part; 0 means `PART_ORDERS`. Tests make it small.
    pub part_orders: usize,
}

/// What was left out, and why (contract §1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Dropped {
    pub guest_rows: u64,
    pub invalid_rows: u64,
    pub non_purchase_orders: u64,
    pub occasions_after_as_of: u64,
}

impl Occasions {
    /// Purchase orders in the occasions, over all parts.
    pub fn orders(&self) -> Result<u64> {
        self.parts
            .iter()
            .map(|p| sum_i64(p, col_name::ORDERS))
            .sum()
    }

    /// How many occasions, over all parts.
    pub fn len(&self) -> usize {
        self.parts.iter().map(|p| p.height()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Purchase occasions on or before as-of: one row per (customer, day), or per order
/// with `--same-day keep`; columns `customer` (a code), `day`, `ts`, `amount` (null
/// where no amount is known) and `orders`, sorted by customer, then time (with `keep`,
/// orders at the same time by the text of their ids).
#[derive(Clone)]
pub struct Occasions {
    /// Parts with no customer in common, each sorted by customer, then time; one part
    /// unless the input is large (see `PART_ORDERS`).
    pub parts: Vec<DataFrame>,
    /// The customer id of each code.
    pub customers: std::sync::Arc<super::intern::Interner>,
    pub as_of: i32,
    pub dropped: Dropped,
    /// Orders of any amount, over the whole input.
    pub all_orders: u64,
}

fn polars_error(e: PolarsError) -> Error {
    Error::internal(e)
}

/// After aggregating `sum` and `count` (as `known`): null where no value was known,
/// as SQL's `SUM` gives. Plain aggregations keep polars on its fast group-by path.
fn null_unless_known(name: &str) -> Expr {
    when(col(KNOWN).gt(lit(0)))
        .then(col(name))
        .otherwise(lit(NULL).cast(DataType::Int64))
        .alias(name)
}

const KNOWN: &str = "known";
const CUSTOMER_DAY: &str = "customer_day";

/// (customer, day) packed in one integer, the key of an occasion: one key column
/// hashes faster than two.
fn customer_day() -> Expr {
    let customer = col(col_name::CUSTOMER).cast(DataType::UInt64) * lit(1u64 << 32);
    let day = (col(col_name::DAY).cast(DataType::Int64) - lit(i64::from(i32::MIN)))
        .cast(DataType::UInt64);
    (customer + day).alias(CUSTOMER_DAY)
}

/// An order's customer, order id, earliest time and day, and the sum of its amounts;
/// `known` counts the amounts that were known (from lines, or from partial orders).
fn order_aggregates(known: Expr) -> [Expr; 6] {
    [
        col(line::CUSTOMER).first(),
        col(line::ORDER).first(),
        col(line::TS).min(),
        col(line::DAY).min(),
        col(line::AMOUNT).sum(),
        known,
    ]
}

/// Lines to orders (step 4) for one batch of lines: per order key its customer,
/// order id, earliest time and day, and the sum and count of its known amounts, to be
/// combined with other batches by `combine_orders`.
pub fn partial_orders(lines: &DataFrame) -> Result<DataFrame> {
    collect(
        lines
            .clone()
            .lazy()
            .group_by([col(line::ORDER_KEY)])
            .agg(order_aggregates(
                col(line::AMOUNT).count().cast(DataType::Int64).alias(KNOWN),
            )),
    )
}

/// The orders of all batches: an order whose lines fell in several batches is put
/// together again (unless `regroup` is false: no order was split); its amount is
/// null when none of its lines had one. `keep_keys` keeps each order's key, which
/// ties its lines to it (for cycles).
pub fn combine_orders(
    partials: Vec<DataFrame>,
    regroup: bool,
    keep_keys: bool,
) -> Result<DataFrame> {
    let single = partials.len() == 1 || !regroup;
    let all = concat(
        partials.into_iter().map(|p| p.lazy()).collect::<Vec<_>>(),
        UnionArgs::default(),
    )
    .map_err(Error::internal)?;
    let combined = if single {
        all
    } else {
        all.group_by([col(line::ORDER_KEY)])
            .agg(order_aggregates(col(KNOWN).sum()))
    };
    let mut columns = vec![
        col(line::CUSTOMER),
        col(line::ORDER),
        col(line::TS),
        col(line::DAY),
        col(line::AMOUNT),
    ];
    if keep_keys {
        columns.push(col(line::ORDER_KEY));
    }
    collect(
        combined
            .with_column(null_unless_known(line::AMOUNT))
            .select(columns),
    )
}

/// A purchase: an order of amount above 0, or of unknown amount (contract §1 step 5).
fn is_purchase() -> Expr {
    col(col_name::AMOUNT)
        .is_null()
        .or(col(col_name::AMOUNT).gt(lit(0i64)))
}

/// Above this many orders, occasions are built for one range of customers at a time,
/// so the largest group-by and sort hold a part of the orders, not all of them. On 10M
/// lines (5.7M orders), parts of 1.5M took the peak from 1.6-1.7 GB to 1.52-1.54 GB at
/// the same speed.
const PART_ORDERS: usize = 1_500_000;

/// Builds the occasions; the orders are taken out of `inputs` (and freed early).
pub fn build(inputs: &mut Inputs, options: OccasionOptions) -> Result<Occasions> {
    use col_name::*;
    let orders = std::mem::take(&mut inputs.orders);
    let all_orders = orders.height() as u64;
    if inputs.lines.is_some() {
        // Cycles join the lines to their purchase orders: the key and day of each.
        inputs.purchase_orders = Some(collect(
            orders
                .clone()
                .lazy()
                .filter(is_purchase())
                .select([col(line::ORDER_KEY), col(DAY)]),
        )?);
    }
    let part_orders = if options.part_orders == 0 {
        PART_ORDERS
    } else {
        options.part_orders
    };
    let count = orders.height().div_ceil(part_orders).max(1) as u32;
    // Sorting the order ids' text once serves every part.
    let ranks = (options.same_day == SameDay::Keep).then(|| Arc::new(inputs.order_ids.ranks()));
    let mut parts = Vec::with_capacity(count as usize);
    for part in 0..count {
        let mut query = orders.clone().lazy();
        if count > 1 {
            query = query.filter((col(CUSTOMER) % lit(count)).eq(lit(part)));
        }
        parts.push(occasions_of(query, ranks.clone())?);
    }
    drop(orders);

    let purchase_orders: u64 = parts
        .iter()
        .map(|p| sum_i64(p, ORDERS))
        .sum::<Result<u64>>()?;
    let mut days: Vec<i32> = Vec::new();
    for part in &parts {
        let column = part
            .column(DAY)
            .and_then(|c| c.i32().cloned())
            .map_err(polars_error)?;
        days.extend(column.min().into_iter().chain(column.max()));
    }
    let Some(&latest) = days.iter().max() else {
        return Err(Error::NoData {
            message: format!(
                "no purchases in the input: {}, {} and {} of amount 0 or less were left out",
                count_of(inputs.guest_rows, "guest row", "guest rows"),
                count_of(inputs.invalid_rows, "invalid row", "invalid rows"),
                count_of(all_orders - purchase_orders, "order", "orders"),
            ),
            hint: "check that the customer column is the right one (rebuy inspect shows the roles)"
                .into(),
        });
    };
    let as_of = options.as_of.unwrap_or(latest);
    let before: usize = parts.iter().map(|p| p.height()).sum();
    let parts: Vec<DataFrame> = parts
        .into_iter()
        .map(|part| {
            if options.as_of.is_some() {
                collect(part.lazy().filter(col(DAY).lt_eq(lit(as_of))))
            } else {
                Ok(part)
            }
        })
        .collect::<Result<_>>()?;
    let after: usize = parts.iter().map(|p| p.height()).sum();
    if after == 0 {
        let first = days.iter().min().copied().unwrap_or(latest);
        return Err(Error::NoData {
            message: format!(
                "no purchase occasions on or before --as-of {}: the first is on {}",
                dates::date_of_day(as_of),
                dates::date_of_day(first)
            ),
            hint: "choose a later --as-of".into(),
        });
    }
    Ok(Occasions {
        parts,
        customers: inputs.customers.clone(),
        as_of,
        all_orders,
        dropped: Dropped {
            guest_rows: inputs.guest_rows,
            invalid_rows: inputs.invalid_rows,
            non_purchase_orders: all_orders - purchase_orders,
            occasions_after_as_of: (before - after) as u64,
        },
    })
}

/// The occasions of some orders (steps 5 and 6), sorted by customer, then time:
/// one per customer and day, or with `ranks` (`--same-day keep`, the rank of each order
/// id's text) one per order.
fn occasions_of(orders: LazyFrame, ranks: Option<Arc<Vec<u32>>>) -> Result<DataFrame> {
    use col_name::*;
    let purchases = orders.filter(is_purchase());
    let (occasions, order_by) = match ranks {
        None => (
            purchases
                .with_column(customer_day())
                .group_by([col(CUSTOMER_DAY)])
                .agg([
                    col(CUSTOMER).first(),
                    col(DAY).first(),
                    col(TS).min(),
                    col(AMOUNT).sum(),
                    col(AMOUNT).count().alias(KNOWN),
                    len().cast(DataType::UInt32).alias(ORDERS),
                ])
                .with_column(null_unless_known(AMOUNT))
                .select([
                    col(CUSTOMER_DAY),
                    col(CUSTOMER),
                    col(DAY),
                    col(TS),
                    col(AMOUNT),
                    col(ORDERS),
                ]),
            // A customer has one occasion a day: (customer, day) order is time order.
            &[CUSTOMER_DAY][..],
        ),
        Some(ranks) => (
            purchases.with_columns([
                lit(1u32).cast(DataType::UInt32).alias(ORDERS),
                order_rank(ranks),
            ]),
            &[CUSTOMER, TS, ORDER][..],
        ),
    };
    sorted(collect(occasions)?, order_by)?
        .select([CUSTOMER, DAY, TS, AMOUNT, ORDERS])
        .map_err(polars_error)
}

/// The `order` column replaced by the rank of each order id's text, so that orders of
/// one customer at one time are taken in the same order whatever the file order
/// (`NO_CODE`, no order id, stays last).
fn order_rank(ranks: Arc<Vec<u32>>) -> Expr {
    col(col_name::ORDER).map(
        move |column| {
            let ranked: UInt32Chunked = column
                .u32()?
                .iter()
                .map(|code| code.map(|c| ranks.get(c as usize).copied().unwrap_or(c)))
                .collect();
            Ok(ranked.with_name(col_name::ORDER.into()).into_column())
        },
        |_, field| Ok(field.clone()),
    )
}

fn sum_i64(frame: &DataFrame, name: &str) -> Result<u64> {
    let values = crate::frames::column_i64(frame, name)?;
    Ok(values.into_iter().flatten().sum::<i64>() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::dates::{day_of_date, DateFormat};
    use crate::input::lines::ValueOptions;
    use crate::input::testing::{occasions_of, rows};

    fn merged(texts: &[&str]) -> Occasions {
        occasions_of(texts, &ValueOptions::default(), OccasionOptions::default()).unwrap()
    }

    /// The message of the error reading `text` with the default options.
    fn error_of(text: &str) -> String {
        match occasions_of(
            &[text],
            &ValueOptions::default(),
            OccasionOptions::default(),
        ) {
            Ok(_) => panic!("expected an error for {text:?}"),
            Err(e) => e.to_string(),
        }
    }

    fn row(c: &str, d: &str, a: &str, o: i64) -> (String, String, String, i64) {
        (c.to_string(), d.to_string(), a.to_string(), o)
    }

    #[test]
    fn ids_are_trimmed_text_with_zeros_and_decimals_kept() {
        let occ = merged(&["customer_id,order_date,amount\n 007 ,2024-01-01,1\n007,2024-01-02,2\n7,2024-01-03,3\n7.0,2024-01-04,4\n"]);
        assert_eq!(
            rows(&occ),
            vec![
                row("007", "2024-01-01", "1", 1),
                row("007", "2024-01-02", "2", 1),
                row("7", "2024-01-03", "3", 1),
                row("7.0", "2024-01-04", "4", 1),
            ]
        );
    }

    #[test]
    fn guest_rows_are_dropped_and_counted_even_with_bad_dates() {
        let occ = merged(&[
            "customer_id,order_date,amount\n,2024-01-01,5\n   ,not a date,5\nA,2024-01-01,5\n",
        ]);
        assert_eq!(occ.dropped.guest_rows, 2);
        assert_eq!(rows(&occ), vec![row("A", "2024-01-01", "5", 1)]);
    }

    #[test]
    fn an_order_is_its_lines_and_dated_by_its_earliest_line() {
        // O1's lines span midnight: the order, and all its amount, belongs to the 1st.
        let occ = merged(&["customer,order,date,amount\nA,O1,2024-01-01 23:59,10\nA,O1,2024-01-02 00:05,5\nA,O2,2024-01-02 09:00,1\n"]);
        assert_eq!(
            rows(&occ),
            vec![
                row("A", "2024-01-01", "15", 1),
                row("A", "2024-01-02", "1", 1)
            ]
        );
        assert_eq!(occ.all_orders, 2);
    }

    #[test]
    fn without_an_order_column_an_order_is_a_customer_and_a_timestamp() {
        let occ = merged(&["customer,date,amount\nA,2024-01-01 10:00,10\nA,2024-01-01 10:00,-10\nA,2024-01-01 11:00,4\n"]);
        // 10:00 nets to 0 (not a purchase); 11:00 is a purchase.
        assert_eq!(occ.all_orders, 2);
        assert_eq!(occ.dropped.non_purchase_orders, 1);
        assert_eq!(rows(&occ), vec![row("A", "2024-01-01", "4", 1)]);
    }

    #[test]
    fn orders_of_amount_zero_or_less_are_not_purchases_unknown_ones_are() {
        let occ = merged(&["customer,order,date,amount\nA,1,2024-01-01,5\nA,2,2024-01-02,-5\nA,3,2024-01-03,0\nA,4,2024-01-04,\nB,5,2024-01-01,\n"]);
        assert_eq!(occ.dropped.non_purchase_orders, 2);
        assert_eq!(
            rows(&occ),
            vec![
                row("A", "2024-01-01", "5", 1),
                row("A", "2024-01-04", "?", 1),
                row("B", "2024-01-01", "?", 1),
            ]
        );
    }

    #[test]
    fn unknown_amounts_sum_like_sql() {
        // Order 1 has one known and one unknown line: its amount is the known part.
        // Quantity × unit price fills in where the amount is empty.
        let occ = merged(&["customer,order,date,amount,qty,price\nA,1,2024-01-01,,2,1.25\nA,1,2024-01-01,,,\nA,2,2024-01-01,,1,\n"]);
        assert_eq!(rows(&occ), vec![row("A", "2024-01-01", "2.5", 2)]);
    }

    #[test]
    fn same_day_orders_merge_into_one_occasion_or_stay_apart_with_keep() {
        let text = "customer,order,date,amount\nA,2,2024-01-01 18:00,2\nA,1,2024-01-01 09:00,1\nA,3,2024-01-03,3\n";
        assert_eq!(
            rows(&merged(&[text])),
            vec![
                row("A", "2024-01-01", "3", 2),
                row("A", "2024-01-03", "3", 1)
            ]
        );
        let keep = OccasionOptions {
            same_day: SameDay::Keep,
            as_of: None,
            part_orders: 0,
        };
        let occ = occasions_of(&[text], &ValueOptions::default(), keep).unwrap();
        assert_eq!(
            rows(&occ),
            vec![
                row("A", "2024-01-01", "1", 1),
                row("A", "2024-01-01", "2", 1),
                row("A", "2024-01-03", "3", 1),
            ]
        );
    }

    #[test]
    fn as_of_replays_the_past_and_counts_what_came_after() {
        let text = "customer,date,amount\nA,2024-01-01,1\nA,2024-02-01,1\nB,2024-03-01,1\n";
        assert_eq!(
            merged(&[text]).as_of,
            day_of_date(chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap())
        );
        let options = OccasionOptions {
            same_day: SameDay::Merge,
            as_of: Some(day_of_date(
                chrono::NaiveDate::from_ymd_opt(2024, 1, 31).unwrap(),
            )),
            part_orders: 0,
        };
        let occ = occasions_of(&[text], &ValueOptions::default(), options).unwrap();
        assert_eq!(rows(&occ), vec![row("A", "2024-01-01", "1", 1)]);
        assert_eq!(occ.dropped.occasions_after_as_of, 2);
    }

    #[test]
    fn invalid_rows_stop_the_run_or_are_skipped_and_counted() {
        let text = "customer,date,amount\nA,2024-01-01,1\nA,2024-02-30,1\nB,2024-03-01,abc\nC,2024-03-02,2\n";
        let error = error_of(text);
        assert!(error.contains("line 3"), "{error}");
        assert!(error.contains("\"2024-02-30\""), "{error}");
        let skip = ValueOptions {
            skip_invalid: true,
            ..ValueOptions::default()
        };
        let occ = occasions_of(&[text], &skip, OccasionOptions::default()).unwrap();
        assert_eq!(occ.dropped.invalid_rows, 2);
        assert_eq!(
            rows(&occ),
            vec![
                row("A", "2024-01-01", "1", 1),
                row("C", "2024-03-02", "2", 1)
            ]
        );
    }

    #[test]
    fn day_month_order_is_decided_per_file() {
        // File 1 shows 25/12 (day first), file 2 shows 12/25 (month first): each
        // reads its ambiguous 01/02 its own way.
        let day_first = "customer,date,amount\nA,25/12/2023,1\nA,01/02/2024,1\n";
        let month_first = "customer,date,amount\nB,12/25/2023,1\nB,01/02/2024,1\n";
        let occ = merged(&[day_first, month_first]);
        assert_eq!(
            rows(&occ),
            vec![
                row("A", "2023-12-25", "1", 1),
                row("A", "2024-02-01", "1", 1),
                row("B", "2023-12-25", "1", 1),
                row("B", "2024-01-02", "1", 1),
            ]
        );
    }

    #[test]
    fn slashed_dates_without_evidence_need_date_format() {
        let text = "customer,date,amount\nA,01/02/2024,1\n";
        let error = error_of(text);
        assert!(error.contains("--date-format dmy"), "{error}");
        let dmy = ValueOptions {
            date_format: DateFormat::parse("dmy").unwrap(),
            ..ValueOptions::default()
        };
        let occ = occasions_of(&[text], &dmy, OccasionOptions::default()).unwrap();
        assert_eq!(rows(&occ), vec![row("A", "2024-02-01", "1", 1)]);
    }

    #[test]
    fn mixed_day_month_order_in_one_file_is_an_error() {
        let text = "customer,date,amount\nA,25/12/2023,1\nA,12/25/2023,1\n";
        let error = error_of(text);
        assert!(
            error.contains("line 2") && error.contains("line 3"),
            "{error}"
        );
    }
}
