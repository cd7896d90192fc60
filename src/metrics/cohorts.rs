//! Contract §3: cohorts by the period of a customer's first occasion, and what they
//! do in each period after.
//!
//! Polars reduces the occasions to one row per (cohort, period) with the customers
//! active in it and the revenue; the triangle, the cumulative sums and the average
//! curve are plain Rust over those few rows, so money stays exact.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use polars::prelude::*;
use serde::Serialize;

use super::periods::{Period, PeriodTable};
use super::quantile::{money_mean, ratio};
use super::summary::per_customer;
use crate::days::date_of_day;
use crate::error::{Error, Result};
use crate::frames::{collect, column_i32, column_i64};
use crate::occasions::{col_name as occ, Dropped, Occasions};

/// The days of `repeat_within_N` in the per-cohort table.
pub const REPEAT_WITHIN_DAYS: [i32; 5] = [30, 60, 90, 180, 365];

/// Which cohorts to show: those whose period holds or follows `since`, and holds or
/// precedes `until`. The numbers of a cohort never depend on the others.
#[derive(Clone, Copy, Debug, Default)]
pub struct CohortFilter {
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// One cohort in one period: a row of the long format, columns in contract order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CohortCell {
    pub cohort: String,
    pub period_offset: u32,
    pub cohort_size: u64,
    pub active_customers: u64,
    pub retention_rate: f64,
    pub cumulative_revenue_per_customer: Option<f64>,
    pub complete: bool,
    /// The exact revenue behind `cumulative_revenue_per_customer`, for averages.
    #[serde(skip)]
    pub cumulative_revenue: Option<i128>,
}

/// The average of one offset over the cohorts whose cell is complete, weighted by
/// cohort size.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AverageCell {
    pub period_offset: u32,
    /// Cohorts whose cell at this offset is complete.
    pub cohorts: u64,
    /// Their customers.
    pub customers: u64,
    pub retention_rate: Option<f64>,
    pub cumulative_revenue_per_customer: Option<f64>,
}

/// The per-cohort table (`--extras`), columns in contract order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CohortExtras {
    pub cohort: String,
    pub cohort_size: u64,
    pub repeat_within_30: Option<f64>,
    pub repeat_within_60: Option<f64>,
    pub repeat_within_90: Option<f64>,
    pub repeat_within_180: Option<f64>,
    pub repeat_within_365: Option<f64>,
    pub reached_2nd: f64,
    pub reached_3rd: f64,
    pub reached_4plus: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cohorts {
    pub as_of: NaiveDate,
    pub period: Period,
    /// Cohort by cohort, offset by offset.
    pub cells: Vec<CohortCell>,
    pub average: Vec<AverageCell>,
    pub dropped: Dropped,
}

/// Sums for one (cohort, period).
#[derive(Clone, Copy, Debug, Default)]
struct Activity {
    active: u64,
    revenue: i128,
    known_amounts: u64,
}

const PERIOD: &str = "period";
const COHORT: &str = "cohort";
const OPENS: &str = "opens";
const KNOWN: &str = "known";

/// A customer's first occasion, as a flag on the occasions sorted by customer.
fn first_of_customer() -> Expr {
    col(occ::CUSTOMER)
        .neq(col(occ::CUSTOMER).shift(lit(1)))
        .fill_null(lit(true))
}

/// The period of each occasion's day, from a table built for the days present.
fn period_of_day(period: Period) -> Expr {
    col(occ::DAY).map(
        move |column| {
            let days = column.i32()?;
            let (Some(first), Some(last)) = (days.min(), days.max()) else {
                return Ok(column.clone().with_name(PERIOD.into()));
            };
            let table = PeriodTable::new(period, first, last);
            let periods: Int32Chunked = days.iter().map(|d| d.map(|d| table.get(d))).collect();
            Ok(periods.with_name(PERIOD.into()).into_column())
        },
        |_, field| Ok(Field::new(PERIOD.into(), field.dtype().clone())),
    )
}

/// Active customers and revenue per (cohort, period) for one part of the occasions.
fn part_activity(
    part: &DataFrame,
    period: Period,
    into: &mut BTreeMap<(i32, i32), Activity>,
) -> Result<()> {
    // Sorted by customer, then time: the cohort is the period of the row that opens a
    // customer, carried down; a row opens a (customer, period) pair when either changes,
    // so summing those flags counts each active customer once per period.
    let frame = part
        .clone()
        .lazy()
        .select([
            col(occ::CUSTOMER),
            period_of_day(period).alias(PERIOD),
            col(occ::AMOUNT),
        ])
        .with_columns([
            when(first_of_customer())
                .then(col(PERIOD))
                .otherwise(lit(NULL).cast(DataType::Int32))
                .fill_null_with_strategy(FillNullStrategy::Forward(None))
                .alias(COHORT),
            first_of_customer()
                .or(col(PERIOD)
                    .neq(col(PERIOD).shift(lit(1)))
                    .fill_null(lit(true)))
                .cast(DataType::Int64)
                .alias(OPENS),
        ])
        .group_by([col(COHORT), col(PERIOD)])
        .agg([
            col(OPENS).sum(),
            col(occ::AMOUNT).sum(),
            col(occ::AMOUNT).count().cast(DataType::Int64).alias(KNOWN),
        ]);
    let frame = collect(frame)?;
    let cohorts = column_i32(&frame, COHORT)?;
    let periods = column_i32(&frame, PERIOD)?;
    let opens = column_i64(&frame, OPENS)?;
    let revenue = column_i64(&frame, occ::AMOUNT)?;
    let known = column_i64(&frame, KNOWN)?;
    for i in 0..frame.height() {
        let (Some(cohort), Some(period)) = (cohorts[i], periods[i]) else {
            return Err(Error::internal("an occasion without a day"));
        };
        let sums = into.entry((cohort, period)).or_default();
        sums.active += opens[i].unwrap_or(0) as u64;
        sums.revenue += i128::from(revenue[i].unwrap_or(0));
        sums.known_amounts += known[i].unwrap_or(0) as u64;
    }
    Ok(())
}

/// Whether `period` numbered `cohort` passes the filter.
fn shown(period: Period, cohort: i32, filter: CohortFilter) -> bool {
    filter.since.is_none_or(|d| period.end(cohort) >= d)
        && filter.until.is_none_or(|d| period.start(cohort) <= d)
}

/// The cohort triangle in the long format of contract §3, and the average curve.
pub fn cohorts(occasions: &Occasions, period: Period, filter: CohortFilter) -> Result<Cohorts> {
    let mut activity = BTreeMap::new();
    for part in &occasions.parts {
        part_activity(part, period, &mut activity)?;
    }
    let as_of = date_of_day(occasions.as_of);
    let last = period.of_day(occasions.as_of);

    let mut cells = Vec::new();
    let mut sizes: BTreeMap<i32, u64> = BTreeMap::new();
    for (&(cohort, p), a) in &activity {
        if cohort == p {
            sizes.insert(cohort, a.active);
        }
    }
    for (&cohort, &size) in &sizes {
        if !shown(period, cohort, filter) {
            continue;
        }
        let mut revenue = 0i128;
        let mut known = 0u64;
        for p in cohort..=last {
            let a = activity.get(&(cohort, p)).copied().unwrap_or_default();
            revenue += a.revenue;
            known += a.known_amounts;
            cells.push(CohortCell {
                cohort: period.label(cohort),
                period_offset: (p - cohort) as u32,
                cohort_size: size,
                active_customers: a.active,
                retention_rate: a.active as f64 / size as f64,
                cumulative_revenue_per_customer: if known > 0 {
                    money_mean(revenue, size as i64)
                } else {
                    None
                },
                complete: period.end(p) <= as_of,
                cumulative_revenue: (known > 0).then_some(revenue),
            });
        }
    }
    let average = average_curve(&cells);
    Ok(Cohorts {
        as_of,
        period,
        cells,
        average,
        dropped: occasions.dropped,
    })
}

/// By offset, over complete cells: active customers over cohort sizes, and revenue
/// per customer weighted by cohort size.
fn average_curve(cells: &[CohortCell]) -> Vec<AverageCell> {
    let longest = cells.iter().map(|c| c.period_offset + 1).max().unwrap_or(0);
    (0..longest)
        .map(|k| {
            let complete: Vec<&CohortCell> = cells
                .iter()
                .filter(|c| c.period_offset == k && c.complete)
                .collect();
            let customers: u64 = complete.iter().map(|c| c.cohort_size).sum();
            let active: u64 = complete.iter().map(|c| c.active_customers).sum();
            let with_revenue = complete.iter().filter(|c| c.cumulative_revenue.is_some());
            let revenue: i128 = with_revenue
                .clone()
                .map(|c| c.cumulative_revenue.unwrap_or(0))
                .sum();
            let revenue_customers: u64 = with_revenue.map(|c| c.cohort_size).sum();
            AverageCell {
                period_offset: k,
                cohorts: complete.len() as u64,
                customers,
                retention_rate: ratio(active as f64, customers as f64),
                cumulative_revenue_per_customer: money_mean(revenue, revenue_customers as i64),
            }
        })
        .collect()
}

/// The per-cohort table: repeat within N days of the first occasion (null until
/// every member has had N days), and the shares reaching a 2nd, 3rd and 4th occasion.
pub fn cohort_extras(
    occasions: &Occasions,
    period: Period,
    filter: CohortFilter,
) -> Result<Vec<CohortExtras>> {
    #[derive(Default)]
    struct Members {
        size: u64,
        latest_first_day: i32,
        within: [u64; REPEAT_WITHIN_DAYS.len()],
        reached: [u64; 3],
    }
    let mut by_cohort: BTreeMap<i32, Members> = BTreeMap::new();
    for c in per_customer(occasions)? {
        let members = by_cohort
            .entry(period.of_day(c.first_day))
            .or_insert_with(|| Members {
                latest_first_day: i32::MIN,
                ..Members::default()
            });
        members.size += 1;
        members.latest_first_day = members.latest_first_day.max(c.first_day);
        let gap = c
            .second_day
            .filter(|_| c.occasions >= 2)
            .map(|s| s - c.first_day);
        for (n, days) in members.within.iter_mut().zip(REPEAT_WITHIN_DAYS) {
            *n += u64::from(gap.is_some_and(|g| g <= days));
        }
        for (n, k) in members.reached.iter_mut().zip(2..) {
            *n += u64::from(c.occasions >= k);
        }
    }
    let as_of = occasions.as_of;
    Ok(by_cohort
        .into_iter()
        .filter(|&(cohort, _)| shown(period, cohort, filter))
        .map(|(cohort, m)| {
            let share = |n: u64| n as f64 / m.size as f64;
            let within: Vec<Option<f64>> = m
                .within
                .iter()
                .zip(REPEAT_WITHIN_DAYS)
                .map(|(&n, days)| (as_of - m.latest_first_day >= days).then(|| share(n)))
                .collect();
            CohortExtras {
                cohort: period.label(cohort),
                cohort_size: m.size,
                repeat_within_30: within[0],
                repeat_within_60: within[1],
                repeat_within_90: within[2],
                repeat_within_180: within[3],
                repeat_within_365: within[4],
                reached_2nd: share(m.reached[0]),
                reached_3rd: share(m.reached[1]),
                reached_4plus: share(m.reached[2]),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    //! Worked by hand: `fixtures/orders.csv` by month (fixtures/README.md shows the
    //! occasions), and small exports written here for weeks and quarters.
    use super::*;
    use crate::days::day_of_date;
    use crate::input::occasions::OccasionOptions;
    use crate::input::schema::ValueOptions;
    use crate::input::testing::occasions_of;

    const FIXTURE: &str = include_str!("../../fixtures/orders.csv");

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn occasions(text: &str, as_of: Option<&str>) -> Occasions {
        let options = OccasionOptions {
            as_of: as_of.map(|d| day_of_date(date(d))),
            ..OccasionOptions::default()
        };
        occasions_of(&[text], &ValueOptions::default(), options).unwrap()
    }

    /// (cohort, offset, size, active, revenue per customer, complete) of every cell.
    type Row = (&'static str, u32, u64, u64, Option<f64>, bool);

    fn rows(c: &Cohorts) -> Vec<(String, u32, u64, u64, Option<f64>, bool)> {
        c.cells
            .iter()
            .map(|c| {
                (
                    c.cohort.clone(),
                    c.period_offset,
                    c.cohort_size,
                    c.active_customers,
                    c.cumulative_revenue_per_customer,
                    c.complete,
                )
            })
            .collect()
    }

    fn expect(rows_: &[Row]) -> Vec<(String, u32, u64, u64, Option<f64>, bool)> {
        rows_
            .iter()
            .map(|&(c, k, n, a, r, done)| (c.to_string(), k, n, a, r, done))
            .collect()
    }

    #[test]
    fn the_fixture_by_month_with_an_incomplete_last_period() {
        // As-of 2024-04-10: April has begun (its cells are shown) but is not over.
        // 2024-01: C001, C002, C003 (33 + 60 + 20 = 113 in January); February C001 25;
        // March C001 25, C002 45; April C001 35.
        // 2024-02: C004, C005, C008 (100 + 50 + 30 + unknown = 180); March C004 50;
        // April C008 40.  2024-03: C006 12, April 12.  2024-04: C007 18.
        let c = cohorts(
            &occasions(FIXTURE, None),
            Period::Month,
            CohortFilter::default(),
        )
        .unwrap();
        assert_eq!(c.as_of, date("2024-04-10"));
        assert_eq!(
            rows(&c),
            expect(&[
                ("2024-01", 0, 3, 3, Some(37.6667), true),
                ("2024-01", 1, 3, 1, Some(46.0), true),
                ("2024-01", 2, 3, 2, Some(69.3333), true),
                ("2024-01", 3, 3, 1, Some(81.0), false),
                ("2024-02", 0, 3, 3, Some(60.0), true),
                ("2024-02", 1, 3, 1, Some(76.6667), true),
                ("2024-02", 2, 3, 1, Some(90.0), false),
                ("2024-03", 0, 1, 1, Some(12.0), true),
                ("2024-03", 1, 1, 1, Some(24.0), false),
                ("2024-04", 0, 1, 1, Some(18.0), false),
            ])
        );
        assert_eq!(c.cells[1].retention_rate, 1.0 / 3.0);
        assert!(c
            .cells
            .iter()
            .filter(|c| c.period_offset == 0)
            .all(|c| c.retention_rate == 1.0));
        // The average over complete cells, weighted by cohort size: offset 1 has the
        // January and February cohorts (1 + 1 of 6); offset 2 January only (2 of 3);
        // offset 3 has no complete cell.
        let avg: Vec<_> = c
            .average
            .iter()
            .map(|a| (a.period_offset, a.cohorts, a.customers, a.retention_rate))
            .collect();
        assert_eq!(
            avg,
            vec![
                (0, 3, 7, Some(1.0)),
                (1, 2, 6, Some(2.0 / 6.0)),
                (2, 1, 3, Some(2.0 / 3.0)),
                (3, 0, 0, None),
            ]
        );
        // (113 + 180 + 12) / 7 and (138 + 230) / 6.
        assert_eq!(c.average[0].cumulative_revenue_per_customer, Some(43.5714));
        assert_eq!(c.average[1].cumulative_revenue_per_customer, Some(61.3333));
    }

    #[test]
    fn iso_weeks_across_a_year_boundary() {
        // Monday 2024-12-30 opens 2025-W01; Sunday the 29th is still 2024-W52. As-of
        // Monday 2025-01-13: week 3 has begun (shown, incomplete); week 2 ended on the
        // 12th (complete).
        let text = "customer,date,amount\n\
                    A,2024-12-30,10\n\
                    A,2025-01-05,5\n\
                    A,2025-01-13,1\n\
                    B,2024-12-29,20\n\
                    B,2025-01-07,2\n\
                    C,2025-01-01,7\n";
        let c = cohorts(
            &occasions(text, None),
            Period::Week,
            CohortFilter::default(),
        )
        .unwrap();
        assert_eq!(
            rows(&c),
            expect(&[
                ("2024-W52", 0, 1, 1, Some(20.0), true),
                ("2024-W52", 1, 1, 0, Some(20.0), true),
                ("2024-W52", 2, 1, 1, Some(22.0), true),
                ("2024-W52", 3, 1, 0, Some(22.0), false),
                // A's two occasions in week 1 count once; C joins the same cohort.
                ("2025-W01", 0, 2, 2, Some(11.0), true),
                ("2025-W01", 1, 2, 0, Some(11.0), true),
                ("2025-W01", 2, 2, 1, Some(11.5), false),
            ])
        );
    }

    #[test]
    fn quarters_and_a_period_ending_on_as_of() {
        // As-of 2025-03-31, the last day of 2025-Q1: that quarter is complete.
        let text = "customer,date,amount\n\
                    A,2024-11-02,10\n\
                    A,2025-02-14,10\n\
                    B,2024-12-31,30\n\
                    C,2025-01-01,5\n\
                    C,2025-03-31,5\n\
                    D,2025-04-02,99\n";
        let c = cohorts(
            &occasions(text, Some("2025-03-31")),
            Period::Quarter,
            CohortFilter::default(),
        )
        .unwrap();
        assert_eq!(
            rows(&c),
            expect(&[
                ("2024-Q4", 0, 2, 2, Some(20.0), true),
                ("2024-Q4", 1, 2, 1, Some(25.0), true),
                ("2025-Q1", 0, 1, 1, Some(10.0), true),
            ])
        );
        assert_eq!(c.dropped.occasions_after_as_of, 1);
        // By year: one 2024 cohort; 2025 has begun but is not over.
        let y = cohorts(
            &occasions(text, Some("2025-03-31")),
            Period::Year,
            CohortFilter::default(),
        )
        .unwrap();
        assert_eq!(
            rows(&y),
            expect(&[
                ("2024", 0, 2, 2, Some(20.0), true),
                ("2024", 1, 2, 1, Some(25.0), false),
                ("2025", 0, 1, 1, Some(10.0), false),
            ])
        );
    }

    #[test]
    fn revenue_is_absent_until_an_amount_is_known() {
        let text = "customer,date,amount\nA,2024-01-05,\nA,2024-02-05,4\nB,2024-01-09,\n";
        let c = cohorts(
            &occasions(text, None),
            Period::Month,
            CohortFilter::default(),
        )
        .unwrap();
        let revenue: Vec<_> = c
            .cells
            .iter()
            .map(|c| c.cumulative_revenue_per_customer)
            .collect();
        assert_eq!(revenue, vec![None, Some(2.0)]);
    }

    #[test]
    fn filters_pick_cohorts_without_changing_them() {
        let all = cohorts(
            &occasions(FIXTURE, None),
            Period::Month,
            CohortFilter::default(),
        )
        .unwrap();
        let filter = CohortFilter {
            since: Some(date("2024-02-15")),
            until: Some(date("2024-03-01")),
        };
        let some = cohorts(&occasions(FIXTURE, None), Period::Month, filter).unwrap();
        let expected: Vec<CohortCell> = all
            .cells
            .iter()
            .filter(|c| c.cohort == "2024-02" || c.cohort == "2024-03")
            .cloned()
            .collect();
        assert_eq!(some.cells, expected);
    }

    #[test]
    fn extras_wait_for_every_member_to_have_n_days() {
        // Follow-up at as-of 2024-04-10: January's members 96, 91 and 81 days, so
        // 30 and 60 days are known and 90 is not; February's 69, 50 and 60 days.
        // Days to a 2nd occasion: C001 30, C002 60, C004 14, C008 58, C006 40.
        let e = cohort_extras(
            &occasions(FIXTURE, None),
            Period::Month,
            CohortFilter::default(),
        )
        .unwrap();
        let third = 1.0 / 3.0;
        let within: Vec<_> = e
            .iter()
            .map(|c| {
                (
                    c.cohort.as_str(),
                    c.cohort_size,
                    c.repeat_within_30,
                    c.repeat_within_60,
                    c.repeat_within_90,
                )
            })
            .collect();
        assert_eq!(
            within,
            vec![
                ("2024-01", 3, Some(third), Some(2.0 * third), None),
                ("2024-02", 3, Some(third), None, None),
                ("2024-03", 1, Some(0.0), None, None),
                ("2024-04", 1, None, None, None),
            ]
        );
        assert!(e
            .iter()
            .all(|c| c.repeat_within_180.is_none() && c.repeat_within_365.is_none()));
        let reached: Vec<_> = e
            .iter()
            .map(|c| (c.reached_2nd, c.reached_3rd, c.reached_4plus))
            .collect();
        assert_eq!(
            reached,
            vec![
                (2.0 * third, third, third),
                (2.0 * third, third, 0.0),
                (1.0, 0.0, 0.0),
                (0.0, 0.0, 0.0),
            ]
        );
    }

    #[test]
    fn extras_once_every_member_has_had_a_year() {
        // A: first 2023-01-01, second 2023-05-01 (120 days later). B: once, 2023-01-10.
        // As of 2024-02-01 both have had over 365 days: within 30, 60, 90 days 0 of 2;
        // within 180 and 365, A: 1 of 2.
        let text = "customer,date,amount\nA,2023-01-01,1\nA,2023-05-01,1\nB,2023-01-10,1\n";
        let e = cohort_extras(
            &occasions(text, Some("2024-02-01")),
            Period::Month,
            CohortFilter::default(),
        )
        .unwrap();
        let c = &e[0];
        assert_eq!((c.cohort.as_str(), c.cohort_size), ("2023-01", 2));
        assert_eq!(
            [
                c.repeat_within_30,
                c.repeat_within_60,
                c.repeat_within_90,
                c.repeat_within_180,
                c.repeat_within_365
            ],
            [Some(0.0), Some(0.0), Some(0.0), Some(0.5), Some(0.5)]
        );
        assert_eq!(
            (c.reached_2nd, c.reached_3rd, c.reached_4plus),
            (0.5, 0.0, 0.0)
        );
    }

    #[test]
    fn many_parts_give_the_same_triangle() {
        let one = occasions(FIXTURE, None);
        let options = OccasionOptions {
            part_orders: 2,
            ..OccasionOptions::default()
        };
        let many = occasions_of(&[FIXTURE], &ValueOptions::default(), options).unwrap();
        assert!(many.parts.len() > 1);
        for period in [Period::Week, Period::Month] {
            let filter = CohortFilter::default();
            assert_eq!(
                cohorts(&one, period, filter).unwrap(),
                cohorts(&many, period, filter).unwrap()
            );
        }
    }
}
