//! `rebuy next`: what the 2nd occasion holds given the 1st (contract §8).

use rayon::prelude::*;
use serde::Serialize;

use super::cycles::CycleBy;
use super::quantile::quantile_sorted;
use crate::error::{Error, Result};
use crate::frames;
use crate::intern::NO_CODE;
use crate::occasions::{line_col, Occasions, PurchaseLines, NO_DAY};

/// The code standing for "the same item as first".
pub const SAME: u32 = u32::MAX;

/// One (first, next) pair.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NextRow {
    /// The item's code; `SAME` for `next` when it is `first` again.
    #[serde(skip)]
    pub first_code: u32,
    #[serde(skip)]
    pub next_code: u32,
    pub first: String,
    pub next: String,
    /// Customers with `first` in their 1st occasion and `next` in their 2nd.
    pub customers: u64,
    /// `customers` / customers with `first` in their 1st occasion and a 2nd occasion.
    pub share_of_first: f64,
    /// Customers with `first` in their 1st occasion and a 2nd occasion.
    #[serde(skip)]
    pub first_customers: u64,
    /// Median days from the 1st to the 2nd occasion over those customers.
    pub median_days: f64,
    /// The products' names, where the export names its products.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_name: Option<String>,
}

/// Packed (first, next) pairs with a customer's days from 1st to 2nd occasion, and the
/// customers of each first item.
type Paired = (Vec<(u64, i32)>, Vec<u64>);

/// The pairs of the customers in `keys` (whole runs).
fn pair_up(keys: &[u64], days: &[(i32, i32)], items: usize) -> Paired {
    let mut pairs = Vec::new();
    let mut first_customers = vec![0u64; items];
    for run in keys.chunk_by(|a, b| a >> 32 == b >> 32) {
        let c = (run[0] >> 32) as usize;
        let split = run.partition_point(|k| k >> 31 & 1 == 0);
        let (firsts, seconds) = (&run[..split], &run[split..]);
        let gap = days[c].1 - days[c].0;
        for f in firsts {
            let f = (f & 0x7fff_ffff) as u32;
            first_customers[f as usize] += 1;
            for s in seconds {
                let s = (s & 0x7fff_ffff) as u32;
                let next = if s == f { SAME } else { s };
                pairs.push((u64::from(f) << 32 | u64::from(next), gap));
            }
        }
    }
    (pairs, first_customers)
}

/// Every (first, next) pair with its figures, sorted by first (by id), then customers
/// (most first), then next; `first_customers` is the denominator of each first item.
pub fn next_items(
    occasions: &Occasions,
    lines: &PurchaseLines,
    by: CycleBy,
    top: usize,
) -> Result<Vec<NextRow>> {
    let (first_day, second_day) = occasions.first_two_days(lines.customers)?;
    // Side by side: one look-up per line, not two.
    let days: Vec<(i32, i32)> = first_day.into_iter().zip(second_day).collect();
    let customer = frames::codes(&lines.frame, line_col::CUSTOMER)?;
    let item = frames::codes(&lines.frame, by.column())?;
    let day = frames::days(&lines.frame, line_col::DAY)?;
    // (customer, which occasion, item) of every line in a repeat customer's 1st or 2nd
    // occasion, packed; sorted and made distinct, each customer's items are a run.
    let key = |i: usize| -> Option<u64> {
        let (c, code) = (customer[i] as usize, item[i]);
        let (first, second) = days[c];
        if code == NO_CODE || second == NO_DAY {
            return None;
        }
        let which = if day[i] == first {
            0
        } else if day[i] == second {
            1
        } else {
            return None;
        };
        Some((c as u64) << 32 | which << 31 | u64::from(code))
    };
    let items = by.ids(lines).len();
    if items > 1 << 31 {
        return Err(Error::internal("more than 2^31 items"));
    }
    let pieces: Vec<Vec<u64>> = (0..customer.len())
        .into_par_iter()
        .chunks(1 << 16)
        .map(|rows| rows.into_iter().filter_map(key).collect())
        .collect();
    let mut keys = pieces.concat();
    keys.par_sort_unstable();
    keys.dedup();
    // Pieces of the keys that split no customer, paired on every thread: (first, next)
    // with the customer's gap, and the customers per first item.
    let pieces = rayon::current_num_threads() * 4;
    let mut bounds = vec![0];
    for p in 1..pieces {
        let at = keys.len() * p / pieces;
        let c = keys.get(at).map(|k| k >> 32);
        let end = at + keys[at..].partition_point(|k| Some(k >> 32) == c);
        if end > *bounds.last().unwrap_or(&0) {
            bounds.push(end);
        }
    }
    bounds.push(keys.len());
    bounds.dedup();
    let paired: Vec<Paired> = bounds
        .par_windows(2)
        .map(|w| pair_up(&keys[w[0]..w[1]], &days, items))
        .collect();
    drop(keys);
    let mut first_customers = vec![0u64; items];
    let mut pairs = Vec::with_capacity(paired.iter().map(|p| p.0.len()).sum());
    for (piece, counts) in paired {
        pairs.extend(piece);
        for (total, n) in first_customers.iter_mut().zip(counts) {
            *total += n;
        }
    }
    pairs.par_sort_unstable();
    let ids = by.ids(lines);
    let name = |code: u32| String::from_utf8_lossy(ids.bytes(code)).into_owned();
    let product_name = |code: u32| match by {
        CycleBy::Product => lines.product_names.get(code as usize).cloned().flatten(),
        CycleBy::Category => None,
    };
    let mut rows = Vec::new();
    for group in pairs.chunk_by(|a, b| a.0 == b.0) {
        let (first, next) = ((group[0].0 >> 32) as u32, group[0].0 as u32);
        let gaps: Vec<f64> = group.iter().map(|&(_, g)| f64::from(g)).collect();
        rows.push(NextRow {
            first_code: first,
            next_code: next,
            first: name(first),
            next: if next == SAME {
                "(same)".to_string()
            } else {
                name(next)
            },
            customers: group.len() as u64,
            share_of_first: group.len() as f64 / first_customers[first as usize] as f64,
            first_customers: first_customers[first as usize],
            median_days: quantile_sorted(&gaps, 0.5).unwrap_or(0.0),
            first_name: product_name(first),
            next_name: if next == SAME {
                None
            } else {
                product_name(next)
            },
        });
    }
    rows.sort_by(|a, b| {
        a.first
            .cmp(&b.first)
            .then(b.customers.cmp(&a.customers))
            .then_with(|| (a.next_code != SAME).cmp(&(b.next_code != SAME)))
            .then_with(|| a.next.cmp(&b.next))
    });
    if top > 0 {
        let mut kept = 0;
        let mut last = None;
        rows.retain(|r| {
            if last != Some(r.first_code) {
                (last, kept) = (Some(r.first_code), 0);
            }
            kept += 1;
            kept <= top
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::occasions::OccasionOptions;
    use crate::input::schema::ValueOptions;
    use crate::input::testing::purchases_of;

    /// A: beans + grinder, then beans + filters 30 days later.
    /// B: beans, then grinder 10 days later, then filters (a 3rd: not counted).
    /// C: beans + cups, then beans 20 days later. D: grinder only (no 2nd).
    /// E: filters, then beans + cups 40 days later.
    const ORDERS: &str = "\
customer_id,order_id,order_date,product_id,amount
A,1,2024-01-01,beans,10
A,1,2024-01-01,grinder,50
B,2,2024-01-02,beans,10
C,3,2024-01-03,beans,10
C,3,2024-01-03,cups,5
D,4,2024-01-04,grinder,50
B,5,2024-01-12,grinder,50
C,6,2024-01-23,beans,10
A,7,2024-01-31,beans,10
A,7,2024-01-31,filters,4
E,8,2024-02-01,filters,4
B,9,2024-02-10,filters,4
E,10,2024-03-12,beans,10
E,10,2024-03-12,cups,5
";

    fn rows(top: usize) -> Vec<(String, String, u64, f64, f64)> {
        let (occasions, lines) = purchases_of(
            &[ORDERS],
            &ValueOptions::default(),
            OccasionOptions::default(),
        )
        .unwrap();
        next_items(&occasions, &lines, CycleBy::Product, top)
            .unwrap()
            .into_iter()
            .map(|r| {
                (
                    r.first,
                    r.next,
                    r.customers,
                    r.share_of_first,
                    r.median_days,
                )
            })
            .collect()
    }

    fn row(
        first: &str,
        next: &str,
        customers: u64,
        share: f64,
        days: f64,
    ) -> (String, String, u64, f64, f64) {
        (first.into(), next.into(), customers, share, days)
    }

    #[test]
    fn pairs_worked_by_hand() {
        // beans first: A, B, C (3 with a 2nd occasion). A: (same), filters; B: grinder;
        // C: (same). grinder first: A only (D has no 2nd): beans, filters.
        // cups first: C: beans. filters first: E: beans, cups.
        assert_eq!(
            rows(0),
            vec![
                row("beans", "(same)", 2, 2.0 / 3.0, 25.0),
                row("beans", "filters", 1, 1.0 / 3.0, 30.0),
                row("beans", "grinder", 1, 1.0 / 3.0, 10.0),
                row("cups", "beans", 1, 1.0, 20.0),
                row("filters", "beans", 1, 1.0, 40.0),
                row("filters", "cups", 1, 1.0, 40.0),
                row("grinder", "beans", 1, 1.0, 30.0),
                row("grinder", "filters", 1, 1.0, 30.0),
            ]
        );
    }

    #[test]
    fn top_keeps_the_first_rows_of_each_first_item() {
        let kept = rows(1);
        let firsts: Vec<(&str, &str)> = kept.iter().map(|r| (r.0.as_str(), r.1.as_str())).collect();
        assert_eq!(
            firsts,
            [
                ("beans", "(same)"),
                ("cups", "beans"),
                ("filters", "beans"),
                ("grinder", "beans")
            ]
        );
    }
}
