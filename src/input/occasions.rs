//! Purchase occasions from orders (contract §1 steps 5–8). Customers are dense codes,
//! so the purchases are put in customer order by counting (no hashing, no general
//! sort), then each customer's few orders are sorted by time and merged by day.

use polars::prelude::*;
use rayon::prelude::*;

use super::orders::Orders;
use super::schema::NO_AMOUNT;
use super::Inputs;
use crate::days;
use crate::error::{Error, Result};
use crate::intern::NO_CODE;
use crate::occasions::{col_name, Dropped, Occasions};
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
    /// Occasions per part; 0 means one part. Tests make it small, so that metrics
    /// are checked on occasions in several parts.
    pub part_orders: usize,
}

/// Occasions as Rust values, in table order.
#[derive(Default)]
struct Built {
    customer: Vec<u32>,
    day: Vec<i32>,
    ts: Vec<i64>,
    /// `NO_AMOUNT` where none of the occasion's amounts is known.
    amount: Vec<i64>,
    orders: Vec<u32>,
}

impl Built {
    fn with_capacity(n: usize) -> Built {
        Built {
            customer: Vec::with_capacity(n),
            day: Vec::with_capacity(n),
            ts: Vec::with_capacity(n),
            amount: Vec::with_capacity(n),
            orders: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, customer: u32, day: i32, ts: i64, amount: i64, orders: u32) {
        self.customer.push(customer);
        self.day.push(day);
        self.ts.push(ts);
        self.amount.push(amount);
        self.orders.push(orders);
    }

    fn len(&self) -> usize {
        self.customer.len()
    }

    /// The occasions on or before `as_of`.
    fn keep_until(&mut self, as_of: i32) {
        let mut kept = 0;
        for i in 0..self.len() {
            if self.day[i] <= as_of {
                self.customer[kept] = self.customer[i];
                self.day[kept] = self.day[i];
                self.ts[kept] = self.ts[i];
                self.amount[kept] = self.amount[i];
                self.orders[kept] = self.orders[i];
                kept += 1;
            }
        }
        self.customer.truncate(kept);
        self.day.truncate(kept);
        self.ts.truncate(kept);
        self.amount.truncate(kept);
        self.orders.truncate(kept);
    }

    /// Pieces of the table, one after the other.
    fn joined(pieces: Vec<Built>) -> Built {
        if pieces.len() == 1 {
            return pieces.into_iter().next().unwrap_or_default();
        }
        let mut all = Built::with_capacity(pieces.iter().map(Built::len).sum());
        for piece in pieces {
            all.customer.extend_from_slice(&piece.customer);
            all.day.extend_from_slice(&piece.day);
            all.ts.extend_from_slice(&piece.ts);
            all.amount.extend_from_slice(&piece.amount);
            all.orders.extend_from_slice(&piece.orders);
        }
        all
    }

    /// The table in parts of about `size` occasions, a customer's occasions never
    /// split; one part when `size` is 0.
    fn into_parts(self, size: usize) -> Result<Vec<DataFrame>> {
        let mut ends = Vec::new();
        let mut start = 0;
        while size > 0 && start < self.len() {
            let mut end = (start + size).min(self.len());
            while end < self.len() && self.customer[end] == self.customer[end - 1] {
                end += 1;
            }
            ends.push(end);
            start = end;
        }
        if ends.len() <= 1 {
            return Ok(vec![self.frame()?]);
        }
        let mut parts = Vec::new();
        let mut start = 0;
        for end in ends {
            parts.push(
                Built {
                    customer: self.customer[start..end].to_vec(),
                    day: self.day[start..end].to_vec(),
                    ts: self.ts[start..end].to_vec(),
                    amount: self.amount[start..end].to_vec(),
                    orders: self.orders[start..end].to_vec(),
                }
                .frame()?,
            );
            start = end;
        }
        Ok(parts)
    }

    /// The occasion table (`crate::occasions::col_name`), its vectors moved in.
    fn frame(self) -> Result<DataFrame> {
        use col_name::*;
        let amount: Int64Chunked = self
            .amount
            .iter()
            .map(|&a| (a != NO_AMOUNT).then_some(a))
            .collect();
        let amount = amount.with_name(AMOUNT.into());
        DataFrame::new_infer_height(vec![
            Column::new(CUSTOMER.into(), self.customer),
            Column::new(DAY.into(), self.day),
            Column::new(TS.into(), self.ts),
            amount.into_column(),
            Column::new(ORDERS.into(), self.orders),
        ])
        .map_err(Error::internal)
    }
}

/// Builds the occasions from the orders (which are freed as soon as they are used).
pub fn build(orders: Orders, inputs: &Inputs, options: OccasionOptions) -> Result<Occasions> {
    let all_orders = orders.len() as u64;
    let ranks = (options.same_day == SameDay::Keep).then(|| inputs.order_ids.ranks());
    let mut pieces = occasions_of(orders, inputs.customers.len(), ranks.as_deref());

    let purchase_orders: u64 = pieces
        .iter()
        .flat_map(|p| &p.orders)
        .map(|&o| u64::from(o))
        .sum();
    let all_days = || pieces.iter().flat_map(|p| &p.day);
    let (Some(&first), Some(&latest)) = (all_days().min(), all_days().max()) else {
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
    let before: usize = pieces.iter().map(Built::len).sum();
    if latest > as_of {
        pieces.iter_mut().for_each(|p| p.keep_until(as_of));
    }
    let after: usize = pieces.iter().map(Built::len).sum();
    if after == 0 {
        return Err(Error::NoData {
            message: format!(
                "no purchase occasions on or before --as-of {}: the first is on {}",
                days::date_of_day(as_of),
                days::date_of_day(first)
            ),
            hint: "choose a later --as-of".into(),
        });
    }
    let parts = if options.part_orders > 0 {
        Built::joined(pieces).into_parts(options.part_orders)?
    } else {
        // Pieces joined into parts of some millions of occasions: never all of them
        // twice in memory.
        let mut parts = Vec::new();
        let mut group = Vec::new();
        let mut size = 0;
        for piece in pieces {
            size += piece.len();
            group.push(piece);
            if size >= PART_OCCASIONS {
                parts.push(Built::joined(std::mem::take(&mut group)).frame()?);
                size = 0;
            }
        }
        if !group.is_empty() || parts.is_empty() {
            parts.push(Built::joined(group).frame()?);
        }
        parts
    };
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

/// Occasions per part of the table, about: parts are joined from the pieces built in
/// parallel, so the occasions are never held twice over.
const PART_OCCASIONS: usize = 1 << 22;

/// A purchase order, as the occasions need it.
#[derive(Clone, Copy, Default)]
struct Purchase {
    customer: u32,
    /// The order id's code, or with `--same-day keep` the rank of its text.
    rank: u32,
    ts: i64,
    amount: i64,
}

/// Customers are put in order in groups of this many codes (log2): first each
/// purchase goes to its group, in as many places as there are groups, then each
/// group, whose counts fit in the processor's cache, is counted out by customer.
/// One pass straight to each customer's place would write all over memory.
const GROUP_BITS: u32 = 12;

/// The occasions of the orders (steps 5 and 6), sorted by customer, then time: one per
/// customer and day, or with `ranks` (`--same-day keep`, the rank of each order id's
/// text) one per order, orders at the same time taken by the text of their ids
/// (`NO_CODE`, no order id, last).
fn occasions_of(orders: Orders, customers: usize, ranks: Option<&[u32]>) -> Vec<Built> {
    let groups = customers.div_ceil(1 << GROUP_BITS).max(1);
    let group = |i: usize| (orders.customer[i] >> GROUP_BITS) as usize;
    let purchases = || (0..orders.len()).filter(|&i| orders.is_purchase(i));
    // Each group's purchases, then where its stretch starts.
    let mut group_starts = vec![0usize; groups + 1];
    for i in purchases() {
        group_starts[group(i) + 1] += 1;
    }
    for g in 0..groups {
        group_starts[g + 1] += group_starts[g];
    }
    let mut grouped = vec![Purchase::default(); group_starts[groups]];
    let mut next = group_starts.clone();
    for i in purchases() {
        let code = orders.order[i];
        grouped[next[group(i)]] = Purchase {
            customer: orders.customer[i],
            rank: ranks.map_or(code, |r| r.get(code as usize).copied().unwrap_or(NO_CODE)),
            ts: orders.ts[i],
            amount: orders.amount[i],
        };
        next[group(i)] += 1;
    }
    drop(orders);
    // Each group on its own (in parallel), then one after the other.
    let mut pieces = Vec::with_capacity(groups);
    let mut rest = &mut grouped[..];
    for g in 0..groups {
        let (piece, after) = rest.split_at_mut(group_starts[g + 1] - group_starts[g]);
        let first = g << GROUP_BITS;
        pieces.push((first..customers.min(first + (1 << GROUP_BITS)), piece));
        rest = after;
    }
    let keep = ranks.is_some();
    pieces
        .into_par_iter()
        .map_init(Vec::new, |sorted, (range, piece)| {
            group_to_occasions(range, piece, sorted, keep)
        })
        .collect()
}

/// The occasions of the customers in `range` from their purchases (in any order):
/// counted out by customer into `sorted`, each customer's sorted by time, then one
/// occasion per day, or with `keep` (`--same-day keep`) one per order.
fn group_to_occasions(
    range: std::ops::Range<usize>,
    purchases: &[Purchase],
    sorted: &mut Vec<Purchase>,
    keep: bool,
) -> Built {
    let first = range.start;
    let mut starts = vec![0usize; range.len() + 1];
    for p in purchases {
        starts[p.customer as usize - first + 1] += 1;
    }
    for c in 0..range.len() {
        starts[c + 1] += starts[c];
    }
    sorted.clear();
    sorted.resize(purchases.len(), Purchase::default());
    let mut next = starts.clone();
    for p in purchases {
        let c = p.customer as usize - first;
        sorted[next[c]] = *p;
        next[c] += 1;
    }
    let mut built = Built::with_capacity(purchases.len());
    for c in 0..range.len() {
        let run = &mut sorted[starts[c]..starts[c + 1]];
        if run.len() > 1 {
            run.sort_unstable_by_key(|p| (p.ts, p.rank));
        }
        let mut k = 0;
        while k < run.len() {
            let day = days::day_of(run[k].ts);
            let mut end = k + 1;
            if !keep {
                while end < run.len() && days::day_of(run[end].ts) == day {
                    end += 1;
                }
            }
            // Unknown unless some order's amount is known, as SQL's SUM.
            let amount = run[k..end]
                .iter()
                .map(|p| p.amount)
                .filter(|&a| a != NO_AMOUNT)
                .reduce(|a, b| a + b)
                .unwrap_or(NO_AMOUNT);
            built.push((first + c) as u32, day, run[k].ts, amount, (end - k) as u32);
            k = end;
        }
    }
    built
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
    fn an_order_is_its_lines_wherever_they_are_and_an_id_under_two_customers_is_two_orders() {
        // O1's lines are apart, and each line is folded on its own; O2 is B's and C's.
        let text = "customer,order,date,amount\nA,O1,2024-01-02 10:00,5\nB,O2,2024-01-01,1\nA,O1,2024-01-01 09:00,7\nC,O2,2024-01-03,2\nA,O1,2024-01-05,-2\n";
        let values = ValueOptions {
            flush_lines: 1,
            ..ValueOptions::default()
        };
        let occ = occasions_of(&[text], &values, OccasionOptions::default()).unwrap();
        assert_eq!(occ.all_orders, 3);
        assert_eq!(
            rows(&occ),
            vec![
                row("A", "2024-01-01", "10", 1),
                row("B", "2024-01-01", "1", 1),
                row("C", "2024-01-03", "2", 1),
            ]
        );
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
