//! Contract §5, first half: purchase cycles per product (or category) and their
//! reminder trigger days.
//!
//! Each customer's purchase days per product (on or before as-of) are sorted, packed
//! into one integer where they fit, and the gaps between consecutive days taken, a gap
//! of 0 (the same day again) being no interval; the statistics per product follow
//! from those gaps.

use rayon::prelude::*;
use serde::Serialize;

use super::quantile::{mean, quantile_sorted};
use crate::error::Result;
use crate::frames::{codes, days};
use crate::intern::{Interner, NO_CODE};
use crate::occasions::{line_col as line, PurchaseLines};

/// `--by`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CycleBy {
    #[default]
    Product,
    Category,
}

impl CycleBy {
    /// The ids of the items, by code.
    pub fn ids(self, lines: &PurchaseLines) -> &Interner {
        match self {
            CycleBy::Product => &lines.products,
            CycleBy::Category => &lines.categories,
        }
    }

    pub fn column(self) -> &'static str {
        match self {
            CycleBy::Product => line::PRODUCT,
            CycleBy::Category => line::CATEGORY,
        }
    }
}

/// `--stat`: the statistic the trigger days are fractions of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CycleStat {
    /// The mean interval (the contract's definition).
    #[default]
    Mean,
    /// The median interval: less pulled by a few very long gaps.
    Median,
}

/// How the cycles are worked out.
#[derive(Clone, Debug, PartialEq)]
pub struct CycleOptions {
    pub by: CycleBy,
    pub stat: CycleStat,
    /// Fewer intervals than this: no triggers, status `insufficient_data`.
    pub min_intervals: u64,
    /// Fractions of the mean for remind, nudge and offer.
    pub triggers: [f64; 3],
}

impl Default for CycleOptions {
    fn default() -> CycleOptions {
        CycleOptions {
            by: CycleBy::Product,
            stat: CycleStat::Mean,
            min_intervals: 10,
            triggers: [0.75, 1.0, 1.25],
        }
    }
}

/// One product's cycle, columns in contract order (`product` is the item's id).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cycle {
    /// The product (or category) code.
    #[serde(skip)]
    pub code: u32,
    pub product: String,
    /// The product's name, where the export has a name column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub customers: u64,
    pub intervals: u64,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub median: Option<f64>,
    pub p25: Option<f64>,
    pub p75: Option<f64>,
    pub remind: Option<i64>,
    pub nudge: Option<i64>,
    pub offer: Option<i64>,
    pub status: &'static str,
}

/// Rounds halves away from zero (`f64::round` does).
fn trigger(fraction: f64, mean: f64) -> i64 {
    (fraction * mean).round() as i64
}

/// Sample standard deviation (n − 1); `None` below two values.
fn sample_sd(values: &[f64], mean: f64) -> Option<f64> {
    (values.len() >= 2).then(|| {
        let squares: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
        (squares / (values.len() - 1) as f64).sqrt()
    })
}

/// How many items and customers there are, and the first day: what decides whether
/// (item, customer, day) fits in one u64.
#[derive(Clone, Copy, Debug)]
pub struct KeySizes {
    pub items: usize,
    pub customers: usize,
    pub first_day: i32,
}

/// Bits for the customer and the day in a packed key (the item takes the rest).
struct Packing {
    customer_bits: u32,
    day_bits: u32,
}

impl Packing {
    fn of(sizes: &KeySizes, as_of: i32) -> Option<Packing> {
        let bits = |n: u64| u64::BITS - n.max(1).leading_zeros();
        let item_bits = bits(sizes.items as u64);
        let customer_bits = bits(sizes.customers as u64);
        let day_bits = bits((i64::from(as_of) - i64::from(sizes.first_day)).max(0) as u64 + 1);
        (item_bits + customer_bits + day_bits <= 64).then_some(Packing {
            customer_bits,
            day_bits,
        })
    }
}

/// The (item and customer, day) of every purchased line of an item on or before
/// as-of, sorted by `pair`, then day (a day can repeat).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PurchaseDays {
    /// Item code << 32 | customer code.
    pub pair: Vec<u64>,
    pub day: Vec<i32>,
}

/// Every purchased line's (item and customer, day), sorted; a line takes its order's
/// day.
pub fn purchase_days(
    lines: &PurchaseLines,
    by: CycleBy,
    as_of: i32,
    sizes: KeySizes,
) -> Result<PurchaseDays> {
    let customer = codes(&lines.frame, line::CUSTOMER)?;
    let item = codes(&lines.frame, by.column())?;
    let day = days(&lines.frame, line::DAY)?;
    let bought = (0..customer.len()).filter(|&i| item[i] != NO_CODE && day[i] <= as_of);
    let pair = |i: usize| (u64::from(item[i]) << 32) | u64::from(customer[i]);
    Ok(match Packing::of(&sizes, as_of) {
        // Item, customer and day in one u64: sorting one integer is the fastest sort
        // there is. Unpacked after the sort.
        Some(p) => {
            let item_shift = p.customer_bits + p.day_bits;
            let keys: Vec<u64> = bought
                .map(|i| {
                    (u64::from(item[i]) << item_shift)
                        | (u64::from(customer[i]) << p.day_bits)
                        | (day[i] - sizes.first_day) as u64
                })
                .collect();
            let keys = sort_by_item(keys, item_shift, sizes.items);
            let customer_mask = (1u64 << p.customer_bits) - 1;
            let day_mask = (1u64 << p.day_bits) - 1;
            PurchaseDays {
                pair: keys
                    .iter()
                    .map(|k| {
                        let item = k >> (p.customer_bits + p.day_bits);
                        (item << 32) | ((k >> p.day_bits) & customer_mask)
                    })
                    .collect(),
                day: keys
                    .iter()
                    .map(|k| (k & day_mask) as i32 + sizes.first_day)
                    .collect(),
            }
        }
        None => {
            let mut rows: Vec<(u64, i32)> = bought.map(|i| (pair(i), day[i])).collect();
            rows.par_sort_unstable();
            PurchaseDays {
                pair: rows.iter().map(|r| r.0).collect(),
                day: rows.iter().map(|r| r.1).collect(),
            }
        }
    })
}

/// Sorts keys whose item (`key >> shift`) is below `items`: counted out by item into
/// a second vector, then each item's keys sorted on rayon's pool, sorts small enough
/// to stay in the processor's cache. An item with most of the keys is sorted in
/// parallel itself.
fn sort_by_item(keys: Vec<u64>, shift: u32, items: usize) -> Vec<u64> {
    let item = |key: u64| (key >> shift) as usize;
    // starts[k]: the keys of items below k.
    let mut starts = vec![0usize; items + 1];
    for &key in &keys {
        starts[item(key) + 1] += 1;
    }
    for k in 1..starts.len() {
        starts[k] += starts[k - 1];
    }
    let mut sorted = vec![0u64; keys.len()];
    let mut next = starts.clone();
    for &key in &keys {
        let at = &mut next[item(key)];
        sorted[*at] = key;
        *at += 1;
    }
    drop(keys);
    let mut parts = Vec::with_capacity(items);
    let mut rest = &mut sorted[..];
    for k in 0..items {
        let (part, tail) = rest.split_at_mut(starts[k + 1] - starts[k]);
        parts.push(part);
        rest = tail;
    }
    parts.into_par_iter().for_each(|part| {
        if part.len() > 1 << 20 {
            part.par_sort_unstable();
        } else {
            part.sort_unstable();
        }
    });
    sorted
}

/// Per item: its cycle from the gaps between each customer's consecutive days.
/// `name` gives an item's id for its code. Sorted by interval count, most first.
pub fn cycles(
    days: &PurchaseDays,
    options: &CycleOptions,
    name: &(dyn Fn(u32) -> String + Sync),
) -> Result<Vec<Cycle>> {
    let pairs = &days.pair;
    let item_of = |i: usize| (pairs[i] >> 32) as u32;
    // Each item's rows, then the items measured on rayon's pool.
    let mut ranges = Vec::new();
    let mut start = 0;
    for end in 1..=pairs.len() {
        if end == pairs.len() || item_of(end) != item_of(start) {
            ranges.push(start..end);
            start = end;
        }
    }
    let mut out: Vec<Cycle> = ranges
        .into_par_iter()
        .map(|rows| {
            let code = item_of(rows.start);
            let mut values = Vec::new();
            // Customers with an interval: the pairs are sorted, so count changes of
            // pair. A gap of 0 is the same day again, not an interval.
            let mut with_interval = 0u64;
            let mut last_counted = None;
            for i in rows.start + 1..rows.end {
                let gap = days.day[i] - days.day[i - 1];
                if pairs[i - 1] == pairs[i] && gap > 0 {
                    values.push(f64::from(gap));
                    if last_counted != Some(pairs[i]) {
                        with_interval += 1;
                        last_counted = Some(pairs[i]);
                    }
                }
            }
            cycle_of(code, name(code), with_interval, values, options)
        })
        .collect();
    out.sort_by(|a, b| {
        b.intervals
            .cmp(&a.intervals)
            .then(a.product.cmp(&b.product))
    });
    Ok(out)
}

fn cycle_of(
    code: u32,
    product: String,
    customers: u64,
    mut values: Vec<f64>,
    options: &CycleOptions,
) -> Cycle {
    values.sort_by(f64::total_cmp);
    let average = mean(&values);
    let median = quantile_sorted(&values, 0.5);
    let intervals = values.len() as u64;
    let enough = intervals >= options.min_intervals.max(1);
    let base = match options.stat {
        CycleStat::Mean => average,
        CycleStat::Median => median,
    };
    let at = |i: usize| match (enough, base) {
        (true, Some(m)) => Some(trigger(options.triggers[i], m)),
        _ => None,
    };
    Cycle {
        code,
        product,
        name: None,
        customers,
        intervals,
        mean: average,
        sd: average.and_then(|m| sample_sd(&values, m)),
        median,
        p25: quantile_sorted(&values, 0.25),
        p75: quantile_sorted(&values, 0.75),
        remind: at(0),
        nudge: at(1),
        offer: at(2),
        status: if enough { "ok" } else { "insufficient_data" },
    }
}

#[cfg(test)]
mod tests {
    //! Small exports written here, worked by hand.
    use super::*;
    use crate::input::schema::ValueOptions;
    use crate::input::testing::purchases_of;

    /// The cycles of a CSV text as of `as_of`, products named by their ids.
    fn cycles_of(text: &str, as_of: &str, options: &CycleOptions) -> Vec<Cycle> {
        let as_of = crate::days::day_of_date(as_of.parse().unwrap());
        let occasion_options = crate::input::occasions::OccasionOptions {
            as_of: Some(as_of),
            ..Default::default()
        };
        let (_, lines) = purchases_of(&[text], &ValueOptions::default(), occasion_options).unwrap();
        let names = options.by.ids(&lines);
        let sizes = KeySizes {
            items: names.len(),
            customers: lines.customers,
            first_day: lines.first_day.unwrap(),
        };
        let days = purchase_days(&lines, options.by, as_of, sizes).unwrap();
        // Packed or not, the same purchase days.
        let wide = KeySizes {
            customers: usize::MAX >> 8,
            ..sizes
        };
        assert_eq!(
            days,
            purchase_days(&lines, options.by, as_of, wide).unwrap()
        );
        cycles(&days, options, &|code| {
            String::from_utf8_lossy(names.bytes(code)).into_owned()
        })
        .unwrap()
    }

    const HEADER: &str = "order_id,customer_id,order_date,sku,category,line_total\n";

    #[test]
    fn intervals_from_distinct_days_and_the_statistics() {
        // A buys COF on days 1, 11, 11 (a second order the same day), 21, 31: gaps
        // 10, 10, 10. B on 1, 5, 15: gaps 4, 10. C once: no interval. A refund and a
        // purchase after as-of do not count.
        let text = format!(
            "{HEADER}\
             1,A,2024-01-01,COF,coffee,10\n\
             2,A,2024-01-11,COF,coffee,10\n\
             3,A,2024-01-11 18:00,COF,coffee,10\n\
             4,A,2024-01-21,COF,coffee,10\n\
             5,A,2024-01-31,COF,coffee,10\n\
             6,B,2024-01-01,COF,coffee,10\n\
             7,B,2024-01-05,COF,coffee,10\n\
             8,B,2024-01-15,COF,coffee,10\n\
             9,C,2024-01-02,COF,coffee,10\n\
             R9,C,2024-01-09,COF,coffee,-10\n\
             10,C,2024-03-01,COF,coffee,10\n"
        );
        let options = CycleOptions {
            min_intervals: 5,
            ..CycleOptions::default()
        };
        let c = &cycles_of(&text, "2024-02-01", &options)[0];
        assert_eq!(
            (c.product.as_str(), c.customers, c.intervals),
            ("COF", 2, 5)
        );
        // Gaps 4, 10, 10, 10, 10: mean 8.8; sample sd √(4.8² + 4 × 1.2²) / 2 = √28.8/2.
        assert_eq!(c.mean, Some(8.8));
        assert!((c.sd.unwrap() - (28.8f64 / 4.0).sqrt()).abs() < 1e-12);
        assert_eq!(
            (c.median, c.p25, c.p75),
            (Some(10.0), Some(10.0), Some(10.0))
        );
        // 0.75 × 8.8 = 6.6 → 7; 8.8 → 9; 11 → 11.
        assert_eq!((c.remind, c.nudge, c.offer), (Some(7), Some(9), Some(11)));
        assert_eq!(c.status, "ok");
        // One interval short of the minimum: no triggers.
        let strict = CycleOptions {
            min_intervals: 6,
            ..CycleOptions::default()
        };
        let c = &cycles_of(&text, "2024-02-01", &strict)[0];
        assert_eq!(
            (c.remind, c.nudge, c.offer, c.status),
            (None, None, None, "insufficient_data")
        );
        assert_eq!(c.mean, Some(8.8), "the statistics are still shown");
    }

    #[test]
    fn keys_sorted_item_by_item_are_sorted() {
        // Items 0..7 in the top bits (shift 40), any lower bits; then one item with
        // more keys than a part sorted on one thread.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut random = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let few: Vec<u64> = (0..5000)
            .map(|_| ((random() % 7) << 40) | (random() & ((1 << 40) - 1)))
            .collect();
        let many: Vec<u64> = (0..(1 << 20) + 77)
            .map(|_| (3 << 40) | (random() % 1000))
            .collect();
        for keys in [few, many, Vec::new()] {
            let mut expected = keys.clone();
            expected.sort_unstable();
            assert_eq!(sort_by_item(keys, 40, 7), expected);
        }
    }

    #[test]
    fn halves_round_away_from_zero() {
        // Mean 10: remind 7.5 → 8, nudge 10, offer 12.5 → 13.
        let text = format!("{HEADER}1,A,2024-01-01,X,c,1\n2,A,2024-01-11,X,c,1\n");
        let options = CycleOptions {
            min_intervals: 1,
            ..CycleOptions::default()
        };
        let c = &cycles_of(&text, "2024-01-11", &options)[0];
        assert_eq!((c.remind, c.nudge, c.offer), (Some(8), Some(10), Some(13)));
        assert_eq!(c.sd, None, "one interval has no sample sd");
        assert_eq!(trigger(0.75, -10.0), -8);
    }

    #[test]
    fn by_category_and_by_median() {
        // Two teas of one category: A buys T1 then T2 ten days apart (one interval
        // for the category, none per product).
        let text = format!(
            "{HEADER}1,A,2024-01-01,T1,tea,5\n2,A,2024-01-11,T2,tea,5\n3,B,2024-01-01,T1,tea,5\n\
             4,B,2024-01-03,T1,tea,5\n5,B,2024-01-31,T1,tea,5\n"
        );
        let per_product = cycles_of(&text, "2024-01-31", &CycleOptions::default());
        let summary: Vec<_> = per_product
            .iter()
            .map(|c| (c.product.as_str(), c.intervals))
            .collect();
        assert_eq!(summary, vec![("T1", 2), ("T2", 0)]);
        let options = CycleOptions {
            by: CycleBy::Category,
            stat: CycleStat::Median,
            min_intervals: 3,
            triggers: [0.5, 1.0, 2.0],
        };
        let c = &cycles_of(&text, "2024-01-31", &options)[0];
        // Gaps 10 (A), 2 and 28 (B): median 10, mean 40/3.
        assert_eq!(
            (c.product.as_str(), c.customers, c.intervals),
            ("tea", 2, 3)
        );
        assert_eq!((c.remind, c.nudge, c.offer), (Some(5), Some(10), Some(20)));
        // Sorted 2, 10, 28: p25 at position 0.5 is 6, p75 at 1.5 is 19.
        assert_eq!(
            (c.median, c.p25, c.p75),
            (Some(10.0), Some(6.0), Some(19.0))
        );
        assert_eq!(c.mean, Some(40.0 / 3.0));
    }
}
