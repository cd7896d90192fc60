//! Contract §2: the headline repeat-purchase numbers.
//!
//! One pass over the occasions, sorted by customer, reduces them to one row per
//! customer (occasion count, first, second and last day, revenue, amount of the first
//! occasion, occasions in the last 365 days); the few reductions over customers that
//! follow are plain Rust too, so every sum of money stays exact.

use chrono::NaiveDate;
use polars::prelude::*;
use serde::Serialize;

use super::quantile::{mean, money_mean, quantile_sorted, ratio};
use super::survival::{Observation, SurvivalCurve};
use crate::days::date_of_day;
use crate::error::{Error, Result};
use crate::frames::{codes, days};
use crate::money::Money;
use crate::occasions::{col_name as occ, Dropped, Occasions};

/// Rungs of the purchase ladder.
pub const LADDER_STEPS: i64 = 5;

/// Days the report's curve of the time to the 2nd purchase runs to.
pub const CURVE_DAYS: i64 = 365;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Quartiles {
    pub median: Option<f64>,
    pub mean: Option<f64>,
    pub p25: Option<f64>,
    pub p75: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RepeatWithin {
    pub d30: Option<f64>,
    pub d60: Option<f64>,
    pub d90: Option<f64>,
    pub d180: Option<f64>,
    pub d365: Option<f64>,
}

impl RepeatWithin {
    /// (days, chance) for 30, 60, 90, 180 and 365 days (`cohorts::REPEAT_WITHIN_DAYS`).
    pub fn by_days(&self) -> [(i32, Option<f64>); 5] {
        let [d30, d60, d90, d180, d365] = super::cohorts::REPEAT_WITHIN_DAYS;
        [
            (d30, self.d30),
            (d60, self.d60),
            (d90, self.d90),
            (d180, self.d180),
            (d365, self.d365),
        ]
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LadderStep {
    pub k: i64,
    /// Customers with at least k occasions.
    pub customers: u64,
    /// Share of them with at least k + 1.
    pub next_share: Option<f64>,
}

/// Every key of contract §2, in its order, plus `as_of` and `dropped`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub as_of: NaiveDate,
    pub customers: u64,
    pub occasions: u64,
    pub orders: u64,
    pub revenue: Option<Money>,
    pub repeat_customers: u64,
    pub repeat_purchase_rate: f64,
    pub time_to_second: Quartiles,
    pub repeat_within: RepeatWithin,
    pub purchase_frequency_12m: Option<f64>,
    pub avg_days_between_purchases: Option<f64>,
    pub ladder: Vec<LadderStep>,
    pub aov_first: Option<f64>,
    pub aov_repeat: Option<f64>,
    pub repeat_revenue_share: Option<f64>,
    pub top20_revenue_share: Option<f64>,
    pub dropped: Dropped,
    /// The Kaplan–Meier chance of a 2nd occasion within t days, for t = 0, 1, … up to
    /// 365 or the longest time observed: the report's curve (not a key).
    #[serde(skip)]
    pub within_curve: Vec<f64>,
}

/// One customer's occasions, reduced.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CustomerStats {
    /// The customer's code in `Occasions::customers`.
    pub customer: u32,
    pub occasions: i64,
    pub first_day: i32,
    pub second_day: Option<i32>,
    pub last_day: i32,
    pub first_amount: Option<i64>,
    /// Sum of the known occasion amounts; `None` when none is known.
    pub revenue: Option<i64>,
    pub known_amounts: i64,
    pub in_last_365: i64,
}

/// One row per customer, in no particular order.
pub(crate) fn per_customer(occasions: &Occasions) -> Result<Vec<CustomerStats>> {
    use rayon::prelude::*;
    // The parts on every thread, then copied once into a vector of the final size.
    let parts: Vec<Vec<CustomerStats>> = occasions
        .parts
        .par_iter()
        .map(|part| part_per_customer(part, occasions.as_of))
        .collect::<Result<_>>()?;
    if parts.len() == 1 {
        return Ok(parts.into_iter().next().unwrap_or_default());
    }
    let mut customers = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for part in parts {
        customers.extend(part);
    }
    Ok(customers)
}

/// The customer codes, days and amounts (null where unknown) of one part of the
/// occasions, for a pass over its rows.
pub(crate) fn occasion_columns(part: &DataFrame) -> Result<(&[u32], &[i32], Int64Chunked)> {
    let (customer, day) = (codes(part, occ::CUSTOMER)?, days(part, occ::DAY)?);
    let amount = part
        .column(occ::AMOUNT)
        .and_then(|c| c.i64())
        .map_err(Error::internal)?
        .rechunk();
    Ok((customer, day, amount.into_owned()))
}

/// `per_customer` for one part of the occasions (no customer is in two parts): the
/// part is sorted by customer, then time, so each customer is a run of rows, read in
/// one pass.
fn part_per_customer(part: &DataFrame, as_of: i32) -> Result<Vec<CustomerStats>> {
    let (customer, day, amount) = occasion_columns(part)?;
    let amounts = amount
        .downcast_iter()
        .flat_map(|a| a.iter().map(|v| v.copied()));
    let rows = customer
        .iter()
        .copied()
        .zip(day.iter().copied())
        .zip(amounts);
    // One row per run of a customer's occasions: counted first, to allocate once.
    let runs = 1 + customer.windows(2).filter(|w| w[0] != w[1]).count();
    let mut customers: Vec<CustomerStats> = Vec::with_capacity(runs);
    for ((customer, day), amount) in rows {
        match customers.last_mut() {
            Some(c) if c.customer == customer => {
                if c.occasions == 1 {
                    c.second_day = Some(day);
                }
                c.occasions += 1;
                c.last_day = day;
                if let Some(a) = amount {
                    c.revenue = Some(c.revenue.unwrap_or(0) + a);
                    c.known_amounts += 1;
                }
                c.in_last_365 += i64::from(day > as_of - 365);
            }
            _ => customers.push(CustomerStats {
                customer,
                occasions: 1,
                first_day: day,
                second_day: None,
                last_day: day,
                first_amount: amount,
                revenue: amount,
                known_amounts: i64::from(amount.is_some()),
                in_last_365: i64::from(day > as_of - 365),
            }),
        }
    }
    Ok(customers)
}

fn share(part: i128, whole: Option<i64>) -> Option<f64> {
    whole.filter(|&w| w > 0).map(|w| part as f64 / w as f64)
}

pub fn summary(occasions: &Occasions) -> Result<Summary> {
    summary_from(occasions, &per_customer(occasions)?)
}

/// The summary from the per-customer reduction (`per_customer`), when another metric
/// needs it too.
pub(crate) fn summary_from(occasions: &Occasions, customers: &[CustomerStats]) -> Result<Summary> {
    let counts = Counts {
        as_of: occasions.as_of,
        occasions: occasions.len() as u64,
        orders: occasions.orders()?,
        dropped: occasions.dropped,
    };
    Ok(summary_of(&counts, customers))
}

/// Every numeric key of the summary, flattened as `rebuy check` and the csv name them
/// (`repeat_purchase_rate`, `ladder.2.next_share`), with no value: the keys, known
/// before any input is read.
pub fn keys() -> std::collections::BTreeMap<String, Option<f64>> {
    let counts = Counts {
        as_of: 0,
        occasions: 0,
        orders: 0,
        dropped: Dropped::default(),
    };
    let empty = serde_json::to_value(summary_of(&counts, &[])).expect("the summary serialises");
    crate::gates::numbers(&empty)
        .into_keys()
        .map(|key| (key, None))
        .collect()
}

/// What a summary takes from the occasions besides the customers' reductions.
pub(crate) struct Counts {
    pub as_of: i32,
    /// Occasions and purchase orders of the customers summed up.
    pub occasions: u64,
    pub orders: u64,
    pub dropped: Dropped,
}

/// The summary of `customers` (any subset of the occasions' customers, with `counts`
/// theirs): `--by` sums up each group this way, without a pass over the occasions.
pub(crate) fn summary_of(counts: &Counts, customers: &[CustomerStats]) -> Summary {
    let as_of = counts.as_of;
    let n = customers.len() as u64;
    // One pass over the customers (they are many, and each is 64 bytes): every sum,
    // count and list the keys need.
    let mut repeat_customers = 0u64;
    // Days are whole numbers: sorted as integers, then made floats.
    let mut to_second: Vec<i32> = Vec::new();
    let mut observations: Vec<Observation> = Vec::with_capacity(customers.len());
    let (mut active, mut in_window, mut gap_days, mut gaps) = (0u64, 0i64, 0i64, 0i64);
    // Customers with exactly k occasions, the last slot holding every larger count.
    let mut with_count = [0u64; LADDER_STEPS as usize + 2];
    let mut revenue: Option<i64> = None;
    let (mut first_total, mut first_known) = (0i128, 0i64);
    let (mut later_total, mut later_known) = (0i128, 0i64);
    let mut by_revenue: Vec<i64> = Vec::with_capacity(customers.len());
    for c in customers {
        observations.push(match (c.occasions >= 2, c.second_day) {
            (true, Some(second)) => Observation {
                time: i64::from(second - c.first_day),
                event: true,
            },
            _ => Observation {
                time: i64::from(as_of - c.first_day),
                event: false,
            },
        });
        if c.occasions >= 2 {
            repeat_customers += 1;
            if let Some(second) = c.second_day {
                to_second.push(second - c.first_day);
            }
            gap_days += i64::from(c.last_day - c.first_day);
            gaps += c.occasions - 1;
        }
        active += u64::from(c.in_last_365 > 0);
        in_window += c.in_last_365;
        with_count[(c.occasions.max(0) as usize).min(with_count.len() - 1)] += 1;
        if let Some(r) = c.revenue {
            revenue = Some(revenue.unwrap_or(0) + r);
        }
        if let Some(first) = c.first_amount {
            first_total += i128::from(first);
            first_known += 1;
        }
        later_total += i128::from(c.revenue.unwrap_or(0) - c.first_amount.unwrap_or(0));
        later_known += c.known_amounts - i64::from(c.first_amount.is_some());
        by_revenue.push(c.revenue.unwrap_or(0));
    }
    to_second.sort_unstable();
    let to_second: Vec<f64> = to_second.into_iter().map(f64::from).collect();
    let curve = SurvivalCurve::estimate(&observations);
    let within = |days: i64| curve.probability_within(days);
    let within_curve = (0..=CURVE_DAYS).map_while(within).collect();

    // Customers with at least k occasions: the counts of k and above.
    let at_least = |k: i64| with_count[k as usize..].iter().sum::<u64>();
    let ladder = (1..=LADDER_STEPS)
        .map(|k| {
            let reached = at_least(k);
            LadderStep {
                k,
                customers: reached,
                next_share: ratio(at_least(k + 1) as f64, reached as f64),
            }
        })
        .collect();

    // The top fifth by revenue: which of equal revenues are in it changes no sum.
    let top = customers.len().div_ceil(5);
    if top > 0 {
        by_revenue.select_nth_unstable_by(top - 1, |a, b| b.cmp(a));
    }
    let top_total: i128 = by_revenue[..top].iter().map(|&r| i128::from(r)).sum();

    Summary {
        as_of: date_of_day(as_of),
        customers: n,
        occasions: counts.occasions,
        orders: counts.orders,
        revenue: revenue.map(Money),
        repeat_customers,
        repeat_purchase_rate: ratio(repeat_customers as f64, n as f64).unwrap_or(0.0),
        time_to_second: Quartiles {
            median: quantile_sorted(&to_second, 0.5),
            mean: mean(&to_second),
            p25: quantile_sorted(&to_second, 0.25),
            p75: quantile_sorted(&to_second, 0.75),
        },
        repeat_within: RepeatWithin {
            d30: within(30),
            d60: within(60),
            d90: within(90),
            d180: within(180),
            d365: within(365),
        },
        purchase_frequency_12m: ratio(in_window as f64, active as f64),
        avg_days_between_purchases: ratio(gap_days as f64, gaps as f64),
        ladder,
        aov_first: money_mean(first_total, first_known),
        aov_repeat: money_mean(later_total, later_known),
        repeat_revenue_share: share(later_total, revenue),
        top20_revenue_share: share(top_total, revenue),
        dropped: counts.dropped,
        within_curve,
    }
}

#[cfg(test)]
mod tests {
    //! Every key worked out by hand on `fixtures/orders.csv`; fixtures/README.md walks
    //! through the same arithmetic.
    use super::*;
    use crate::days::day_of_date;
    use crate::input::occasions::{OccasionOptions, SameDay};
    use crate::input::schema::ValueOptions;
    use crate::input::testing::occasions_of;

    const FIXTURE: &str = include_str!("../../fixtures/orders.csv");

    fn summary_of(options: OccasionOptions) -> Summary {
        summary(&occasions_of(&[FIXTURE], &ValueOptions::default(), options).unwrap()).unwrap()
    }

    fn close(actual: Option<f64>, expected: f64) -> bool {
        actual.is_some_and(|a| (a - expected).abs() < 1e-12)
    }

    fn money(text: &str) -> Option<Money> {
        Some(Money::parse(text).unwrap())
    }

    fn ladder(steps: [(u64, Option<f64>); 5]) -> Vec<LadderStep> {
        steps
            .iter()
            .zip(1..)
            .map(|(&(customers, next_share), k)| LadderStep {
                k,
                customers,
                next_share,
            })
            .collect()
    }

    #[test]
    fn the_reports_curve_passes_through_the_repeat_within_keys() {
        let s = summary_of(OccasionOptions::default());
        for (day, key) in s.repeat_within.by_days() {
            assert_eq!(s.within_curve.get(day as usize).copied(), key, "day {day}");
        }
        assert_eq!(s.within_curve[0], 0.0);
        assert!(s.within_curve.windows(2).all(|p| p[0] <= p[1]));
    }

    #[test]
    fn the_keys_known_before_reading_are_a_summarys_keys() {
        let s = serde_json::to_value(summary_of(OccasionOptions::default())).unwrap();
        let real: Vec<String> = crate::gates::numbers(&s).into_keys().collect();
        let known: Vec<String> = keys().into_keys().collect();
        assert_eq!(known, real);
        assert!(known.contains(&"ladder.5.next_share".to_string()));
        assert!(known.contains(&"repeat_within.d365".to_string()));
    }

    #[test]
    fn every_key_on_the_fixture() {
        let s = summary_of(OccasionOptions::default());
        assert_eq!(s.as_of, NaiveDate::from_ymd_opt(2024, 4, 10).unwrap());
        assert_eq!((s.customers, s.occasions, s.orders), (8, 16, 17));
        assert_eq!(s.revenue, money("555"));
        assert_eq!(s.repeat_customers, 5);
        assert_eq!(s.repeat_purchase_rate, 0.625);
        // Days to the 2nd occasion: 14, 30, 40, 58, 60.
        assert_eq!(
            s.time_to_second,
            Quartiles {
                median: Some(40.0),
                mean: Some(40.4),
                p25: Some(30.0),
                p75: Some(58.0)
            }
        );
        // Kaplan–Meier: events 14, 30, 40, 58, 60; censored 5, 50, 81.
        assert!(close(s.repeat_within.d30, 2.0 / 7.0));
        assert!(close(s.repeat_within.d60, 17.0 / 21.0));
        assert_eq!(
            (
                s.repeat_within.d90,
                s.repeat_within.d180,
                s.repeat_within.d365
            ),
            (None, None, None)
        );
        assert_eq!(s.purchase_frequency_12m, Some(2.0));
        assert_eq!(s.avg_days_between_purchases, Some(36.5));
        assert_eq!(
            s.ladder,
            ladder([
                (8, Some(0.625)),
                (5, Some(0.4)),
                (2, Some(0.5)),
                (1, Some(0.0)),
                (0, None)
            ])
        );
        assert_eq!(s.aov_first, Some(39.0));
        assert_eq!(s.aov_repeat, Some(35.25));
        assert!(close(s.repeat_revenue_share, 282.0 / 555.0));
        assert!(close(s.top20_revenue_share, 318.0 / 555.0));
        assert_eq!(
            s.dropped,
            Dropped {
                guest_rows: 1,
                invalid_rows: 0,
                non_purchase_orders: 2,
                non_purchase_status: 0,
                occasions_after_as_of: 0
            }
        );
    }

    #[test]
    fn keeping_same_day_orders_apart() {
        let s = summary_of(OccasionOptions {
            same_day: SameDay::Keep,
            as_of: None,
            part_orders: 0,
        });
        assert_eq!((s.customers, s.occasions, s.orders), (8, 17, 17));
        // C002's two orders on 10 January are now a first and a second occasion.
        assert_eq!(
            s.time_to_second,
            Quartiles {
                median: Some(30.0),
                mean: Some(28.4),
                p25: Some(14.0),
                p75: Some(40.0)
            }
        );
        assert!(close(s.repeat_within.d30, 5.0 / 12.0));
        assert!(close(s.repeat_within.d60, 25.0 / 32.0));
        assert!(close(s.avg_days_between_purchases, 292.0 / 9.0));
        assert_eq!(s.purchase_frequency_12m, Some(2.125));
        assert!(close(s.ladder[2].next_share, 1.0 / 3.0));
        assert_eq!(s.ladder[1].next_share, Some(0.6));
        assert_eq!(s.aov_first, Some(36.8571));
        assert_eq!(s.aov_repeat, Some(33.0));
        assert!(close(s.repeat_revenue_share, 297.0 / 555.0));
    }

    #[test]
    fn replaying_an_earlier_as_of() {
        let as_of = day_of_date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        let s = summary_of(OccasionOptions {
            same_day: SameDay::Merge,
            as_of: Some(as_of),
            part_orders: 0,
        });
        assert_eq!((s.customers, s.occasions, s.orders), (6, 8, 9));
        assert_eq!(s.revenue, money("318"));
        assert_eq!(s.repeat_customers, 2);
        assert_eq!(
            s.time_to_second,
            Quartiles {
                median: Some(22.0),
                mean: Some(22.0),
                p25: Some(18.0),
                p75: Some(26.0)
            }
        );
        // Events 14, 30; censored 9, 19, 40, 50.
        assert!(close(s.repeat_within.d30, 7.0 / 15.0));
        assert_eq!(s.repeat_within.d60, None);
        assert!(close(s.purchase_frequency_12m, 8.0 / 6.0));
        assert_eq!(s.avg_days_between_purchases, Some(22.0));
        assert_eq!(
            s.ladder,
            ladder([
                (6, Some(2.0 / 6.0)),
                (2, Some(0.0)),
                (0, None),
                (0, None),
                (0, None)
            ])
        );
        assert_eq!(s.aov_first, Some(48.6));
        assert_eq!(s.aov_repeat, Some(37.5));
        assert!(close(s.repeat_revenue_share, 75.0 / 318.0));
        assert!(close(s.top20_revenue_share, 210.0 / 318.0));
        assert_eq!(s.dropped.occasions_after_as_of, 8);
    }

    #[test]
    fn money_figures_are_absent_not_zero_without_amounts() {
        let text = "customer,date\nA,2024-01-01\nA,2024-01-05\nB,2024-01-03\n";
        let occ = occasions_of(
            &[text],
            &ValueOptions::default(),
            OccasionOptions::default(),
        )
        .unwrap();
        let s = summary(&occ).unwrap();
        assert_eq!((s.customers, s.occasions, s.repeat_customers), (2, 3, 1));
        assert_eq!(s.revenue, None);
        assert_eq!((s.aov_first, s.aov_repeat), (None, None));
        assert_eq!(
            (s.repeat_revenue_share, s.top20_revenue_share),
            (None, None)
        );
    }
}
