//! `rebuy generate`: a realistic line-item order export, the same for the same seed.
//!
//! Customers arrive over the window, more of them in November and December. Each has
//! a favourite product in a category; most buy once, some come back on that product's
//! cycle (normal around its mean, or irregular for apparel) until they churn. Orders
//! have 1–4 lines: the favourite and occasional add-ons. The simulation runs on a queue
//! of future purchases, so rows come out in time order and memory grows with the
//! customers still active, not with the lines written.
//!
//! `--quirks` adds what real exports carry: guest orders without a customer id,
//! cancellation invoices (`C` + the order id, negative quantities), stray white space
//! around customer ids, and a UTF-8 byte-order mark.

pub mod catalogue;
pub mod parquet;
pub mod random;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use catalogue::{Product, CATEGORIES};
use random::Random;

const MINUTES_PER_DAY: i64 = 1_440;

#[derive(Clone, Debug)]
pub struct GenerateOptions {
    pub customers: u64,
    pub seed: u64,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub quirks: bool,
}

/// One line of the export.
pub struct Row<'a> {
    pub order_id: &'a str,
    /// Empty for a guest; may carry stray spaces with `--quirks`.
    pub customer_id: &'a str,
    /// Minutes since 1970-01-01.
    pub minute: i64,
    pub product: &'a Product,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub line_total_cents: i64,
}

/// Where rows go: a CSV text or Parquet columns.
pub trait Sink {
    fn row(&mut self, row: &Row) -> io::Result<()>;
}

/// What was written, for `--truth` and the closing line.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    pub lines: u64,
    pub orders: u64,
    pub customers: u64,
    pub guest_rows: u64,
    pub guest_orders: u64,
    pub cancellation_orders: u64,
    pub padded_customer_ids: u64,
}

/// A future purchase of an active customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Event {
    minute: i64,
    /// Tie-breaker that keeps the order deterministic.
    sequence: u64,
    customer: u32,
    favourite: u16,
    /// Purchases so far; 0 for a cancellation.
    purchases: u16,
    /// Index into the pending cancellations, for a cancellation.
    cancels: u32,
}

/// An order to cancel later: its id, customer id and (product, quantity) lines.
type Cancellation = (String, String, Vec<(usize, i64)>);

/// November and December bring more new customers.
fn acquisition_weight(date: NaiveDate) -> f64 {
    match date.month() {
        11 => 1.6,
        12 => 2.0,
        _ => 1.0,
    }
}

fn epoch_day(date: NaiveDate) -> i64 {
    i64::from(crate::days::day_of_date(date))
}

/// Runs the shop; returns the catalogue (the truth) and the counts.
pub fn simulate(
    options: &GenerateOptions,
    sink: &mut dyn Sink,
) -> io::Result<(Vec<Product>, Counts)> {
    let mut random = Random::new(options.seed);
    let products = catalogue::build(&mut random);
    let by_category: Vec<Vec<usize>> = (0..CATEGORIES.len())
        .map(|c| {
            (0..products.len())
                .filter(|&p| products[p].category_index == c)
                .collect()
        })
        .collect();
    let popularity: Vec<f64> = CATEGORIES.iter().map(|c| c.popularity).collect();

    let first_day = epoch_day(options.start);
    let last_day = epoch_day(options.end);
    let span = (last_day - first_day + 1) as u64;
    let end_minute = (last_day + 1) * MINUTES_PER_DAY;
    let time_of_day = |random: &mut Random| 7 * 60 + random.below(16 * 60) as i64;

    let mut arrivals: Vec<i64> = (0..options.customers)
        .map(|_| loop {
            let day = first_day + random.below(span) as i64;
            let date = crate::days::date_of_day(day as i32);
            if random.chance(acquisition_weight(date) / 2.0) {
                break day * MINUTES_PER_DAY + time_of_day(&mut random);
            }
        })
        .collect();
    arrivals.sort_unstable();
    let id_width = options.customers.to_string().len().max(7);

    let mut queue: BinaryHeap<Reverse<Event>> = BinaryHeap::new();
    let mut cancellations: Vec<Cancellation> = Vec::new();
    let mut counts = Counts {
        customers: options.customers,
        ..Counts::default()
    };
    let mut sequence = 0u64;
    let mut next_arrival = 0usize;
    let mut lines: Vec<(usize, i64)> = Vec::with_capacity(4);
    let (mut order_id, mut customer_id) = (String::new(), String::new());

    loop {
        let arrival = arrivals.get(next_arrival).copied();
        let queued = queue.peek().map(|Reverse(e)| e.minute);
        let arrival_first = match (arrival, queued) {
            (Some(a), Some(q)) => a <= q,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let event = if arrival_first {
            next_arrival += 1;
            let category = random.weighted(&popularity);
            let choices = &by_category[category];
            Event {
                minute: arrivals[next_arrival - 1],
                sequence: 0,
                customer: (next_arrival - 1) as u32,
                favourite: choices[random.below(choices.len() as u64) as usize] as u16,
                purchases: 1,
                cancels: 0,
            }
        } else {
            let Some(Reverse(queued)) = queue.pop() else {
                break;
            };
            queued
        };

        if event.purchases == 0 {
            // A cancellation invoice: the lines of an earlier order, negated.
            let (id, customer, cancelled) = &cancellations[event.cancels as usize];
            for &(product, quantity) in cancelled {
                write_line(
                    sink,
                    &mut counts,
                    id,
                    customer,
                    event.minute,
                    &products[product],
                    -quantity,
                )?;
            }
            counts.orders += 1;
            counts.cancellation_orders += 1;
            continue;
        }

        counts.orders += 1;
        order_id.clear();
        order_id.push_str(&format!("O{:08}", counts.orders));
        customer_id.clear();
        customer_id.push_str(&format!(
            "C{:0width$}",
            event.customer + 1,
            width = id_width
        ));
        if options.quirks && random.chance(0.01) {
            counts.padded_customer_ids += 1;
            customer_id = format!(" {customer_id} ");
        }

        lines.clear();
        let favourite = usize::from(event.favourite);
        lines.push((favourite, if random.chance(0.2) { 2 } else { 1 }));
        for _ in 0..random.weighted(&[0.5, 0.3, 0.15, 0.05]) {
            let product = random.below(products.len() as u64) as usize;
            if product != favourite && lines.iter().all(|(p, _)| *p != product) {
                lines.push((product, 1));
            }
        }
        for &(product, quantity) in &lines {
            write_line(
                sink,
                &mut counts,
                &order_id,
                &customer_id,
                event.minute,
                &products[product],
                quantity,
            )?;
        }

        if options.quirks && random.chance(0.02) {
            let at = event.minute + (1 + random.below(10) as i64) * MINUTES_PER_DAY;
            if at < end_minute {
                sequence += 1;
                cancellations.push((
                    format!("C{}", &order_id[1..]),
                    customer_id.clone(),
                    lines.clone(),
                ));
                queue.push(Reverse(Event {
                    minute: at,
                    sequence,
                    purchases: 0,
                    cancels: (cancellations.len() - 1) as u32,
                    ..event
                }));
            }
        }
        if options.quirks && random.chance(0.01) {
            counts.orders += 1;
            counts.guest_orders += 1;
            let guest_order = format!("O{:08}", counts.orders);
            let product = random.below(products.len() as u64) as usize;
            write_line(
                sink,
                &mut counts,
                &guest_order,
                "",
                event.minute,
                &products[product],
                1,
            )?;
            counts.guest_rows += 1;
        }

        let product = &products[favourite];
        let category = &CATEGORIES[product.category_index];
        let comes_back = if event.purchases == 1 {
            random.chance(category.returns)
        } else {
            !random.chance(category.churn)
        };
        if comes_back {
            let days = if product.irregular {
                7.0 + random.exponential(product.cycle_mean_days - 7.0)
            } else {
                random.normal(product.cycle_mean_days, product.cycle_sd_days)
            };
            let day = event.minute.div_euclid(MINUTES_PER_DAY) + (days.round() as i64).max(1);
            let minute = day * MINUTES_PER_DAY + time_of_day(&mut random);
            if minute < end_minute {
                sequence += 1;
                queue.push(Reverse(Event {
                    minute,
                    sequence,
                    purchases: event.purchases.saturating_add(1),
                    ..event
                }));
            }
        }
    }
    Ok((products, counts))
}

fn write_line(
    sink: &mut dyn Sink,
    counts: &mut Counts,
    order_id: &str,
    customer_id: &str,
    minute: i64,
    product: &Product,
    quantity: i64,
) -> io::Result<()> {
    counts.lines += 1;
    sink.row(&Row {
        order_id,
        customer_id,
        minute,
        product,
        quantity,
        unit_price_cents: product.price_cents,
        line_total_cents: product.price_cents * quantity,
    })
}

/// Writes rows as CSV text.
pub struct CsvSink<W: io::Write> {
    out: W,
    line: String,
    day: i64,
    date: String,
}

pub const CSV_HEADER: &str =
    "order_id,customer_id,order_date,sku,product_name,category,quantity,unit_price,line_total,currency\n";

impl<W: io::Write> CsvSink<W> {
    pub fn new(mut out: W, byte_order_mark: bool) -> io::Result<CsvSink<W>> {
        if byte_order_mark {
            out.write_all("\u{feff}".as_bytes())?;
        }
        out.write_all(CSV_HEADER.as_bytes())?;
        Ok(CsvSink {
            out,
            line: String::with_capacity(160),
            day: i64::MIN,
            date: String::new(),
        })
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

/// `-1234` cents → `-12.34`.
fn push_cents(text: &mut String, cents: i64) {
    use std::fmt::Write;
    let sign = if cents < 0 { "-" } else { "" };
    let _ = write!(text, "{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100);
}

impl<W: io::Write> Sink for CsvSink<W> {
    fn row(&mut self, row: &Row) -> io::Result<()> {
        use std::fmt::Write;
        let day = row.minute.div_euclid(MINUTES_PER_DAY);
        if day != self.day {
            self.day = day;
            self.date = crate::days::date_of_day(day as i32)
                .format("%Y-%m-%d")
                .to_string();
        }
        let minute_of_day = row.minute.rem_euclid(MINUTES_PER_DAY);
        let line = &mut self.line;
        line.clear();
        let _ = write!(
            line,
            "{},{},{} {:02}:{:02}:00,{},{},{},{},",
            row.order_id,
            row.customer_id,
            self.date,
            minute_of_day / 60,
            minute_of_day % 60,
            row.product.sku,
            row.product.name,
            row.product.category,
            row.quantity
        );
        push_cents(line, row.unit_price_cents);
        line.push(',');
        push_cents(line, row.line_total_cents);
        line.push_str(",EUR\n");
        self.out.write_all(line.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generate(customers: u64, seed: u64, quirks: bool) -> (String, Counts) {
        let options = GenerateOptions {
            customers,
            seed,
            start: NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(),
            end: NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(),
            quirks,
        };
        let mut sink = CsvSink::new(Vec::new(), quirks).unwrap();
        let (_, counts) = simulate(&options, &mut sink).unwrap();
        (String::from_utf8(sink.into_inner()).unwrap(), counts)
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        assert_eq!(generate(300, 42, true).0, generate(300, 42, true).0);
        assert_ne!(generate(300, 42, true).0, generate(300, 43, true).0);
    }

    #[test]
    fn rows_come_in_time_order_and_counts_add_up() {
        let (text, counts) = generate(2_000, 7, false);
        let rows: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(rows.len() as u64, counts.lines);
        let dates: Vec<&str> = rows.iter().map(|r| r.split(',').nth(2).unwrap()).collect();
        assert!(
            dates.windows(2).all(|w| w[0] <= w[1]),
            "rows are in time order"
        );
        let mut orders_of: std::collections::HashMap<&str, std::collections::HashSet<&str>> =
            std::collections::HashMap::new();
        for row in &rows {
            let mut fields = row.split(',');
            let order = fields.next().unwrap();
            orders_of
                .entry(fields.next().unwrap())
                .or_default()
                .insert(order);
        }
        assert_eq!(orders_of.len() as u64, counts.customers);
        // Most customers buy once, and some come back many times.
        let once = orders_of.values().filter(|o| o.len() == 1).count();
        assert!(
            once * 2 > orders_of.len(),
            "{once} of {} buy once",
            orders_of.len()
        );
        assert!(orders_of.values().any(|o| o.len() >= 5));
    }

    #[test]
    fn quirks_are_counted() {
        let (text, counts) = generate(3_000, 11, true);
        assert!(text.starts_with('\u{feff}'));
        let rows: Vec<&str> = text.lines().skip(1).collect();
        let guests = rows
            .iter()
            .filter(|r| r.split(',').nth(1) == Some(""))
            .count() as u64;
        assert_eq!(guests, counts.guest_rows);
        assert!(guests > 0);
        let cancellations: std::collections::HashSet<&str> = rows
            .iter()
            .map(|r| r.split(',').next().unwrap())
            .filter(|id| id.starts_with('C'))
            .collect();
        assert_eq!(cancellations.len() as u64, counts.cancellation_orders);
        assert!(counts.cancellation_orders > 0 && counts.padded_customer_ids > 0);
    }
}
