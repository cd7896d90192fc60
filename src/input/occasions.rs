//! Purchase occasions from orders (contract §1 steps 5–8), with polars.

use std::sync::Arc;

use polars::prelude::*;

use super::orders::{is_purchase, null_unless_known, Orders, KNOWN};
use super::Inputs;
use crate::days;
use crate::error::{Error, Result};
use crate::frames::{collect, sorted};
use crate::occasions::{col_name, sum_i64, Dropped, Occasions};
use crate::render::text::count_of;

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

fn polars_error(e: PolarsError) -> Error {
    Error::internal(e)
}

const CUSTOMER_DAY: &str = "customer_day";

/// (customer, day) packed in one integer, the key of an occasion: one key column
/// hashes faster than two.
fn customer_day() -> Expr {
    let customer = col(col_name::CUSTOMER).cast(DataType::UInt64) * lit(1u64 << 32);
    let day = (col(col_name::DAY).cast(DataType::Int64) - lit(i64::from(i32::MIN)))
        .cast(DataType::UInt64);
    (customer + day).alias(CUSTOMER_DAY)
}

/// Above this many orders, occasions are built for one range of customers at a time,
/// so the largest group-by and sort hold a part of the orders, not all of them. On 10M
/// lines (5.7M orders), parts of 1.5M took the peak from 1.6-1.7 GB to 1.52-1.54 GB at
/// the same speed.
const PART_ORDERS: usize = 1_500_000;

/// Builds the occasions from the orders (which are freed as soon as they are used).
pub fn build(orders: Orders, inputs: &Inputs, options: OccasionOptions) -> Result<Occasions> {
    use col_name::*;
    let orders = orders.frame;
    let all_orders = orders.height() as u64;
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
                days::date_of_day(as_of),
                days::date_of_day(first)
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
            non_purchase_status: inputs.non_purchase_status,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::days::day_of_date;
    use crate::input::dates::DateFormat;
    use crate::input::schema::ValueOptions;
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
