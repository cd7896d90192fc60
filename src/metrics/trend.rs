//! `rebuy trend`: the customers of each calendar period up to as-of, new, returning and
//! woken from dormancy, with the period's revenue and the repeat purchase rate to
//! date (contract §7).

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

use super::periods::Period;
use super::quantile::quantile_sorted;
use crate::error::Result;
use crate::money::Money;
use crate::occasions::Occasions;

/// One calendar period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrendRow {
    pub period: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Customers with an occasion in the period.
    pub active_customers: u64,
    /// Customers whose first occasion is in the period.
    pub new_customers: u64,
    /// Active customers who are not new.
    pub returning_customers: u64,
    /// Returning customers whose occasion before their first one in the period was
    /// more than `dormant_after` days before it.
    pub reactivated_customers: u64,
    pub occasions: u64,
    /// Null when no occasion of the period has a known amount.
    pub revenue: Option<Money>,
    /// Revenue of returning customers' occasions / revenue.
    pub returning_revenue_share: Option<f64>,
    /// Customers with a 2nd occasion by the period's end (or as-of) / customers by then.
    pub repeat_purchase_rate_to_date: f64,
    /// Over returning customers: days from the previous occasion to their first one
    /// in the period.
    pub median_days_since_previous: Option<f64>,
    /// The period ended on or before as-of.
    pub complete: bool,
}

/// The trend, one row per period from the first occasion's to as-of's.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trend {
    pub as_of: NaiveDate,
    pub period: Period,
    pub dormant_after: i32,
    pub periods: Vec<TrendRow>,
}

/// What one part of the occasions adds to each period (indexed from the first).
#[derive(Clone, Default)]
struct Tally {
    active: Vec<u64>,
    new: Vec<u64>,
    reactivated: Vec<u64>,
    occasions: Vec<u64>,
    /// Customers whose 2nd occasion is in the period.
    second: Vec<u64>,
    revenue: Vec<Option<i64>>,
    returning_revenue: Vec<i64>,
    /// Days since the previous occasion, of each returning customer's first occasion
    /// in the period.
    gaps: Vec<Vec<i32>>,
}

impl Tally {
    fn new(periods: usize) -> Tally {
        Tally {
            active: vec![0; periods],
            new: vec![0; periods],
            reactivated: vec![0; periods],
            occasions: vec![0; periods],
            second: vec![0; periods],
            revenue: vec![None; periods],
            returning_revenue: vec![0; periods],
            gaps: vec![Vec::new(); periods],
        }
    }

    fn merge(mut self, other: Tally) -> Tally {
        let add = |a: &mut Vec<u64>, b: Vec<u64>| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.active, other.active);
        add(&mut self.new, other.new);
        add(&mut self.reactivated, other.reactivated);
        add(&mut self.occasions, other.occasions);
        add(&mut self.second, other.second);
        for (a, b) in self.revenue.iter_mut().zip(other.revenue) {
            *a = match (*a, b) {
                (Some(x), Some(y)) => Some(x + y),
                (x, y) => x.or(y),
            };
        }
        for (a, b) in self
            .returning_revenue
            .iter_mut()
            .zip(other.returning_revenue)
        {
            *a += b;
        }
        for (a, b) in self.gaps.iter_mut().zip(other.gaps) {
            a.extend(b);
        }
        self
    }
}

/// The trend of `occasions` by `period`; a customer is reactivated in a period when
/// the gap before their first occasion in it is more than `dormant_after` days.
pub fn trend(occasions: &Occasions, period: Period, dormant_after: i32) -> Result<Trend> {
    let as_of = occasions.as_of;
    let first_day = first_day(occasions)?.unwrap_or(as_of);
    let first = period.of_day(first_day);
    let last = period.of_day(as_of);
    let count = (last - first + 1).max(0) as usize;
    // Each day's period, from the first occasion's day to as-of: a lookup per occasion.
    let period_of: Vec<u32> = (first_day..=as_of)
        .map(|d| (period.of_day(d) - first) as u32)
        .collect();
    let at = |day: i32| period_of[(day - first_day) as usize] as usize;
    let tallies: Vec<Tally> = occasions
        .parts
        .par_iter()
        .map(|part| -> Result<Tally> {
            let mut t = Tally::new(count);
            let (customer, day, amount) = super::summary::occasion_columns(part)?;
            let amounts = amount
                .downcast_iter()
                .flat_map(|a| a.iter().map(|v| v.copied()));
            // The customer's previous occasion (day, period) and first period.
            let mut previous: Option<(u32, i32, usize, usize)> = None;
            let mut nth = 0usize;
            for ((&c, &d), a) in customer.iter().zip(day).zip(amounts) {
                let p = at(d);
                let same = matches!(previous, Some((pc, ..)) if pc == c);
                nth = if same { nth + 1 } else { 0 };
                t.occasions[p] += 1;
                if let Some(a) = a {
                    t.revenue[p] = Some(t.revenue[p].unwrap_or(0) + a);
                }
                match previous.filter(|_| same) {
                    None => {
                        t.active[p] += 1;
                        t.new[p] += 1;
                        previous = Some((c, d, p, p));
                    }
                    Some((_, before, before_p, first_p)) => {
                        if before_p != p && first_p != p {
                            t.active[p] += 1;
                            let gap = d - before;
                            t.gaps[p].push(gap);
                            t.reactivated[p] += u64::from(gap > dormant_after);
                        }
                        if first_p != p {
                            t.returning_revenue[p] += a.unwrap_or(0);
                        }
                        previous = Some((c, d, p, first_p));
                    }
                }
                if nth == 1 {
                    t.second[p] += 1;
                }
            }
            Ok(t)
        })
        .collect::<Result<_>>()?;
    let mut tally = tallies
        .into_iter()
        .fold(Tally::new(count), |a, b| a.merge(b));
    let (mut customers, mut repeat) = (0u64, 0u64);
    let periods = (0..count)
        .map(|i| {
            let index = first + i as i32;
            customers += tally.new[i];
            repeat += tally.second[i];
            let mut gaps = std::mem::take(&mut tally.gaps[i]);
            gaps.sort_unstable();
            let gaps: Vec<f64> = gaps.into_iter().map(f64::from).collect();
            let end = period.end(index);
            TrendRow {
                period: period.label(index),
                start: period.start(index),
                end,
                active_customers: tally.active[i],
                new_customers: tally.new[i],
                returning_customers: tally.active[i] - tally.new[i],
                reactivated_customers: tally.reactivated[i],
                occasions: tally.occasions[i],
                revenue: tally.revenue[i].map(Money),
                returning_revenue_share: tally.revenue[i]
                    .filter(|&r| r > 0)
                    .map(|r| tally.returning_revenue[i] as f64 / r as f64),
                repeat_purchase_rate_to_date: if customers == 0 {
                    0.0
                } else {
                    repeat as f64 / customers as f64
                },
                median_days_since_previous: quantile_sorted(&gaps, 0.5),
                complete: end <= crate::days::date_of_day(as_of),
            }
        })
        .collect();
    Ok(Trend {
        as_of: crate::days::date_of_day(as_of),
        period,
        dormant_after,
        periods,
    })
}

/// The day of the earliest occasion, if any.
fn first_day(occasions: &Occasions) -> Result<Option<i32>> {
    let mut first: Option<i32> = None;
    for part in &occasions.parts {
        let days = crate::frames::days(part, crate::occasions::col_name::DAY)?;
        if let Some(&d) = days.iter().min() {
            first = Some(first.map_or(d, |f| f.min(d)));
        }
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::occasions::OccasionOptions;
    use crate::input::schema::ValueOptions;
    use crate::input::testing::occasions_of;

    fn trend_of(csv: &str, as_of: &str, period: Period, dormant_after: i32) -> Trend {
        let options = OccasionOptions {
            as_of: Some(crate::days::day_of_date(as_of.parse().unwrap())),
            ..OccasionOptions::default()
        };
        let occasions = occasions_of(&[csv], &ValueOptions::default(), options).unwrap();
        trend(&occasions, period, dormant_after).unwrap()
    }

    /// A: Jan 5, Jan 20, Mar 10 (49 days after Jan 20), Jul 8 (120 days after Mar 10).
    /// B: Jan 31, then Jul 30 (181 days later). C: Mar 1 only. D: Jul 1, Jul 2.
    /// Dormant after 120 days: A's July gap of exactly 120 is not more, B's 181 is.
    const ORDERS: &str = "\
customer_id,order_id,order_date,amount
A,1,2024-01-05,10
A,2,2024-01-20,20
B,3,2024-01-31,5
C,4,2024-03-01,7
A,5,2024-03-10,30
D,6,2024-07-01,1
D,7,2024-07-02,2
A,8,2024-07-08,40
B,9,2024-07-30,50
";

    #[test]
    fn every_column_worked_by_hand() {
        let t = trend_of(ORDERS, "2024-07-31", Period::Month, 120);
        let labels: Vec<&str> = t.periods.iter().map(|r| r.period.as_str()).collect();
        assert_eq!(
            labels,
            ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07"]
        );
        let jan = &t.periods[0];
        // A and B new; A's second January occasion makes A a repeat customer already.
        assert_eq!(
            (
                jan.active_customers,
                jan.new_customers,
                jan.returning_customers
            ),
            (2, 2, 0)
        );
        assert_eq!((jan.occasions, jan.revenue), (3, Some(Money(350_000))));
        assert_eq!(jan.returning_revenue_share, Some(0.0));
        assert_eq!(jan.repeat_purchase_rate_to_date, 0.5);
        assert_eq!(jan.median_days_since_previous, None);
        let feb = &t.periods[1];
        assert_eq!(
            (feb.active_customers, feb.occasions, feb.revenue),
            (0, 0, None)
        );
        assert_eq!(feb.repeat_purchase_rate_to_date, 0.5);
        let mar = &t.periods[2];
        // C new; A returning after 50 days (Jan 20 → Mar 10), not dormant.
        assert_eq!(
            (
                mar.active_customers,
                mar.new_customers,
                mar.returning_customers,
                mar.reactivated_customers
            ),
            (2, 1, 1, 0)
        );
        assert_eq!(mar.median_days_since_previous, Some(50.0));
        assert_eq!(mar.returning_revenue_share, Some(30.0 / 37.0));
        assert_eq!(mar.repeat_purchase_rate_to_date, 1.0 / 3.0);
        let jul = &t.periods[6];
        // D new (twice); A after 120 days: not reactivated; B after 181: reactivated.
        assert_eq!(
            (
                jul.active_customers,
                jul.new_customers,
                jul.returning_customers,
                jul.reactivated_customers
            ),
            (3, 1, 2, 1)
        );
        assert_eq!(jul.occasions, 4);
        assert_eq!(jul.revenue, Some(Money(930_000)));
        assert_eq!(jul.returning_revenue_share, Some(90.0 / 93.0));
        assert_eq!(jul.median_days_since_previous, Some((120.0 + 181.0) / 2.0));
        // A, B and D have a 2nd occasion; C does not.
        assert_eq!(jul.repeat_purchase_rate_to_date, 0.75);
        assert!(t.periods.iter().all(|r| r.complete));
    }

    #[test]
    fn a_reactivation_exactly_at_the_threshold_and_one_day_past_it() {
        // A's gap in July is 120 days; B's is 181.
        let at = |days: i32| {
            trend_of(ORDERS, "2024-07-31", Period::Month, days).periods[6].reactivated_customers
        };
        assert_eq!(at(120), 1);
        assert_eq!(at(119), 2);
        assert_eq!(at(180), 1);
        assert_eq!(at(181), 0);
    }

    #[test]
    fn the_last_period_is_incomplete_before_its_end_and_new_customers_add_up() {
        let t = trend_of(ORDERS, "2024-07-30", Period::Quarter, 180);
        let labels: Vec<(&str, bool)> = t
            .periods
            .iter()
            .map(|r| (r.period.as_str(), r.complete))
            .collect();
        assert_eq!(
            labels,
            [("2024-Q1", true), ("2024-Q2", true), ("2024-Q3", false)]
        );
        let new: u64 = t.periods.iter().map(|r| r.new_customers).sum();
        assert_eq!(new, 4);
        // The quarter: A's Mar 10 is in the same quarter as A's first: not returning.
        assert_eq!(t.periods[0].returning_customers, 0);
        assert_eq!(t.periods[2].reactivated_customers, 1);
    }
}
