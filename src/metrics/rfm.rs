//! Contract §4: recency, frequency and monetary scores, and segments.
//!
//! Polars reduces the occasions to one row per customer (the reduction `summary`
//! uses); scoring sorts each measure once and counts, for every customer, those with a
//! strictly worse value, so ties are never split and money compares exactly.

use chrono::NaiveDate;
use serde::Serialize;

use super::quantile::{money_mean, ratio};
use super::segments::Segments;
use super::summary::{per_customer, CustomerStats};
use crate::days::date_of_day;
use crate::error::Result;
use crate::money::Money;
use crate::occasions::{Dropped, Occasions};

/// One customer's measures, scores and segment.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerRfm {
    /// The customer's code in `Occasions::customers`.
    pub customer: u32,
    pub recency_days: i32,
    pub frequency: i64,
    /// Revenue; `None` when none of the customer's amounts is known.
    pub monetary: Option<Money>,
    pub r: u8,
    pub f: u8,
    pub m: u8,
    /// Index into the segment rules.
    pub segment: usize,
}

impl CustomerRfm {
    /// `545`.
    pub fn rfm(&self) -> String {
        // Scores are 1–5: a digit each.
        [self.r, self.f, self.m]
            .iter()
            .map(|&s| char::from(b'0' + s))
            .collect()
    }
}

/// One row of the segment table, columns in contract order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SegmentRow {
    pub segment: String,
    pub customers: u64,
    pub share: f64,
    pub revenue: Option<Money>,
    pub revenue_share: Option<f64>,
    pub mean_recency: Option<f64>,
    pub mean_frequency: Option<f64>,
    pub mean_monetary: Option<f64>,
    pub action: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rfm {
    pub as_of: NaiveDate,
    /// Every customer, in no particular order.
    pub customers: Vec<CustomerRfm>,
    /// One row per rule, in rule order, empty segments included.
    pub segments: Vec<SegmentRow>,
    /// Customers per (R, F): `grid[r - 1][f - 1]`.
    pub grid: [[u64; 5]; 5],
    pub dropped: Dropped,
}

/// `1 + floor(5 b / n)` for every value, where b counts the values strictly smaller:
/// callers pass values ordered so that smaller is worse (recency negated).
pub fn scores<T: Ord + Copy + Send + Into<i64>>(values: &[T]) -> Vec<u8> {
    let n = values.len();
    let Some((low, high)) = values.iter().fold(None, |range, &v| {
        let v: i64 = v.into();
        Some(range.map_or((v, v), |(low, high): (i64, i64)| (low.min(v), high.max(v))))
    }) else {
        return Vec::new();
    };
    // Days and counts span few values: counting each value costs less than a sort.
    let span = i128::from(high) - i128::from(low);
    if span < (n as i128).max(1 << 16) {
        let place = |v: T| (v.into() - low) as usize;
        // smaller[k]: the values below low + k.
        let mut smaller = vec![0usize; span as usize + 2];
        for &v in values {
            smaller[place(v) + 1] += 1;
        }
        for k in 1..smaller.len() {
            smaller[k] += smaller[k - 1];
        }
        return values
            .iter()
            .map(|&v| (1 + 5 * smaller[place(v)] / n) as u8)
            .collect();
    }
    // Sorted with their places: the values strictly smaller than a run of equal values
    // are the ones before the run.
    let mut sorted: Vec<(T, u32)> = values.iter().copied().zip(0..).collect();
    rayon::slice::ParallelSliceMut::par_sort_unstable(&mut sorted[..]);
    let mut scores = vec![0u8; n];
    let mut run_start = 0;
    for (k, &(value, place)) in sorted.iter().enumerate() {
        if value != sorted[run_start].0 {
            run_start = k;
        }
        scores[place as usize] = (1 + 5 * run_start / n) as u8;
    }
    scores
}

pub fn rfm(occasions: &Occasions, segments: &Segments) -> Result<Rfm> {
    Ok(rfm_from(occasions, &per_customer(occasions)?, segments))
}

/// RFM from the per-customer reduction (`summary::per_customer`), when another metric
/// needs it too.
pub(crate) fn rfm_from(occasions: &Occasions, stats: &[CustomerStats], segments: &Segments) -> Rfm {
    let as_of = occasions.as_of;
    // Recency: larger is worse, so score its negation. Unknown revenue counts as 0.
    let (r, (f, m)) = rayon::join(
        || scores(&stats.iter().map(|c| c.last_day - as_of).collect::<Vec<_>>()),
        || {
            rayon::join(
                || scores(&stats.iter().map(|c| c.occasions).collect::<Vec<_>>()),
                || {
                    scores(
                        &stats
                            .iter()
                            .map(|c| c.revenue.unwrap_or(0))
                            .collect::<Vec<_>>(),
                    )
                },
            )
        },
    );
    let mut grid = [[0u64; 5]; 5];
    let customers: Vec<CustomerRfm> = stats
        .iter()
        .enumerate()
        .map(|(i, c)| {
            grid[usize::from(r[i] - 1)][usize::from(f[i] - 1)] += 1;
            CustomerRfm {
                customer: c.customer,
                recency_days: as_of - c.last_day,
                frequency: c.occasions,
                monetary: c.revenue.map(Money),
                r: r[i],
                f: f[i],
                m: m[i],
                segment: segments.classify(r[i], f[i], m[i]),
            }
        })
        .collect();
    Rfm {
        as_of: date_of_day(as_of),
        segments: segment_rows(&customers, segments),
        customers,
        grid,
        dropped: occasions.dropped,
    }
}

pub(crate) fn segment_rows(customers: &[CustomerRfm], segments: &Segments) -> Vec<SegmentRow> {
    #[derive(Default)]
    struct Sums {
        customers: u64,
        recency: i64,
        frequency: i64,
        revenue: i128,
        known: i64,
    }
    let mut sums: Vec<Sums> = segments.rules.iter().map(|_| Sums::default()).collect();
    for c in customers {
        let s = &mut sums[c.segment];
        s.customers += 1;
        s.recency += i64::from(c.recency_days);
        s.frequency += c.frequency;
        if let Some(Money(m)) = c.monetary {
            s.revenue += i128::from(m);
            s.known += 1;
        }
    }
    let n = customers.len() as f64;
    let any_known = sums.iter().any(|s| s.known > 0);
    let total: i128 = sums.iter().map(|s| s.revenue).sum();
    segments
        .rules
        .iter()
        .zip(&sums)
        .map(|(rule, s)| SegmentRow {
            segment: rule.name.clone(),
            customers: s.customers,
            share: ratio(s.customers as f64, n).unwrap_or(0.0),
            revenue: any_known.then_some(Money(s.revenue as i64)),
            revenue_share: if any_known && total != 0 {
                Some(s.revenue as f64 / total as f64)
            } else {
                None
            },
            mean_recency: ratio(s.recency as f64, s.customers as f64),
            mean_frequency: ratio(s.frequency as f64, s.customers as f64),
            mean_monetary: money_mean(s.revenue, s.known),
            action: rule.action.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! Worked by hand on `fixtures/orders.csv` (as-of 2024-04-10; fixtures/README.md
    //! lists each customer's occasions).
    use super::*;
    use crate::input::occasions::OccasionOptions;
    use crate::input::schema::ValueOptions;
    use crate::input::testing::occasions_of;

    const FIXTURE: &str = include_str!("../../fixtures/orders.csv");

    #[test]
    fn ties_are_never_split() {
        // Eight one-time buyers and two who came twice: the eight share F = 1, the two
        // have 8 of 10 below them: 1 + floor(40 / 10) = 5.
        assert_eq!(
            scores(&[1, 1, 1, 2, 1, 1, 1, 2, 1, 1]),
            vec![1, 1, 1, 5, 1, 1, 1, 5, 1, 1]
        );
        // The contract's note: two of six tied for the best both get 4 (b = 4:
        // 1 + floor(20 / 6)); the rest 1 + floor(5 b / 6) for b = 3, 2, 1, 0.
        assert_eq!(scores(&[9, 9, 5, 4, 3, 1]), vec![4, 4, 3, 2, 1, 1]);
        // Everyone tied: nobody is worse than anybody, all 1.
        assert_eq!(scores(&[7, 7, 7]), vec![1, 1, 1]);
        // Distinct values of five customers: one per score.
        assert_eq!(scores(&[50, 10, 40, 20, 30]), vec![5, 1, 4, 2, 3]);
        // Money compares exactly: 0.0001 apart is not a tie.
        assert_eq!(scores(&[100_000i64, 100_001]), vec![1, 3]);
        // Values far apart are sorted, not counted: the same scores.
        assert_eq!(scores(&[i64::MAX, i64::MIN, 0]), vec![4, 1, 2]);
        assert_eq!(scores::<i64>(&[]), Vec::<u8>::new());
    }

    proptest::proptest! {
        #[test]
        fn a_score_counts_the_values_strictly_below(
            values in proptest::collection::vec(-5i64..5, 1..60),
            // Far apart, the values are sorted rather than counted.
            spread in proptest::prop_oneof![proptest::strategy::Just(1i64), proptest::strategy::Just(1i64 << 40)],
        ) {
            let values: Vec<i64> = values.iter().map(|v| v * spread).collect();
            let n = values.len();
            let by_definition: Vec<u8> = values
                .iter()
                .map(|v| (1 + 5 * values.iter().filter(|w| w < &v).count() / n) as u8)
                .collect();
            proptest::prop_assert_eq!(scores(&values), by_definition);
        }
    }

    fn fixture_rfm() -> (Rfm, Occasions) {
        let occasions = occasions_of(
            &[FIXTURE],
            &ValueOptions::default(),
            OccasionOptions::default(),
        )
        .unwrap();
        (rfm(&occasions, &Segments::default()).unwrap(), occasions)
    }

    /// (customer id, recency, frequency, monetary, rfm, segment).
    type Row = (String, i32, i64, Option<Money>, String, String);

    #[test]
    fn every_customer_of_the_fixture() {
        // Recency (days before 2024-04-10): C006 0, C008 2, C007 5, C001 6, C004 25,
        // C002 31, C005 50, C003 81, so b = 7, 6, 5, 4, 3, 2, 1, 0 and R = 1 + ⌊5b/8⌋.
        // Frequency: 1 (C003, C005, C007, b = 0), 2 (C002, C006, C008, b = 3),
        // 3 (C004, b = 6), 4 (C001, b = 7). Monetary: 18 < 20 < 24 < 30 < 40 < 105 <
        // 118 < 200.
        let (result, occasions) = fixture_rfm();
        let segments = Segments::default();
        let mut rows: Vec<Row> = result
            .customers
            .iter()
            .map(|c| {
                (
                    String::from_utf8_lossy(occasions.customers.bytes(c.customer)).into_owned(),
                    c.recency_days,
                    c.frequency,
                    c.monetary,
                    c.rfm(),
                    segments.rules[c.segment].name.clone(),
                )
            })
            .collect();
        rows.sort();
        let money = |units: i64| Some(Money(units * 10_000));
        let expected = vec![
            ("C001", 6, 4, money(118), "354", "Loyal Customers"),
            ("C002", 31, 2, money(105), "224", "Need Attention"),
            ("C003", 81, 1, money(20), "111", "Lost Customers"),
            ("C004", 25, 3, money(200), "245", "At Risk"),
            ("C005", 50, 1, money(30), "112", "Lost Customers"),
            ("C006", 0, 2, money(24), "522", "Potential Loyalists"),
            ("C007", 5, 1, money(18), "411", "Potential Loyalists"),
            ("C008", 2, 2, money(40), "423", "Potential Loyalists"),
        ];
        let expected: Vec<_> = expected
            .into_iter()
            .map(|(id, r, f, m, rfm, s)| (id.to_string(), r, f, m, rfm.to_string(), s.to_string()))
            .collect();
        assert_eq!(rows, expected);
    }

    #[test]
    fn the_segment_table_and_the_grid() {
        let (result, _) = fixture_rfm();
        let rows: Vec<_> = result
            .segments
            .iter()
            .map(|s| (s.segment.as_str(), s.customers, s.share, s.revenue))
            .collect();
        let money = |units: i64| Some(Money(units * 10_000));
        assert_eq!(
            rows,
            vec![
                ("Champions", 0, 0.0, money(0)),
                ("Loyal Customers", 1, 0.125, money(118)),
                ("Potential Loyalists", 3, 0.375, money(82)),
                ("At Risk", 1, 0.125, money(200)),
                ("Need Attention", 1, 0.125, money(105)),
                ("Lost Customers", 2, 0.25, money(50)),
            ]
        );
        let champions = &result.segments[0];
        assert_eq!(champions.revenue_share, Some(0.0));
        assert_eq!(
            (
                champions.mean_recency,
                champions.mean_frequency,
                champions.mean_monetary
            ),
            (None, None, None)
        );
        let potential = &result.segments[2];
        assert_eq!(potential.revenue_share, Some(82.0 / 555.0));
        assert_eq!(potential.mean_recency, Some(7.0 / 3.0));
        assert_eq!(potential.mean_frequency, Some(5.0 / 3.0));
        assert_eq!(potential.mean_monetary, Some(27.3333));
        let lost = &result.segments[5];
        assert_eq!(
            (lost.mean_recency, lost.mean_monetary),
            (Some(65.5), Some(25.0))
        );
        assert_eq!(lost.action, "aggressive discount or low-touch nurture");

        let mut grid = [[0u64; 5]; 5];
        for (r, f, n) in [
            (3, 5, 1),
            (2, 2, 1),
            (1, 1, 2),
            (2, 4, 1),
            (5, 2, 1),
            (4, 1, 1),
            (4, 2, 1),
        ] {
            grid[r - 1][f - 1] = n;
        }
        assert_eq!(result.grid, grid);
    }

    #[test]
    fn custom_rules_replace_the_table() {
        let occasions = occasions_of(
            &[FIXTURE],
            &ValueOptions::default(),
            OccasionOptions::default(),
        )
        .unwrap();
        let rules = "[[segment]]\nname = \"Recent\"\nr = \">=4\"\naction = \"thank\"\n\n\
                     [[segment]]\nname = \"Big spenders\"\nm = \"4-5\"\n\n\
                     [[segment]]\nname = \"Rest\"\n";
        let segments = Segments::parse(rules, "rules.toml").unwrap();
        let result = rfm(&occasions, &segments).unwrap();
        let counts: Vec<_> = result
            .segments
            .iter()
            .map(|s| (s.segment.as_str(), s.customers))
            .collect();
        // R ≥ 4: C006, C007, C008. Then M ≥ 4: C001, C002, C004. The rest: C003, C005.
        assert_eq!(
            counts,
            vec![("Recent", 3), ("Big spenders", 3), ("Rest", 2)]
        );
    }

    #[test]
    fn no_amounts_no_money() {
        let text = "customer,date\nA,2024-01-01\nA,2024-02-01\nB,2024-01-15\n";
        let occasions = occasions_of(
            &[text],
            &ValueOptions::default(),
            OccasionOptions::default(),
        )
        .unwrap();
        let result = rfm(&occasions, &Segments::default()).unwrap();
        assert!(result
            .customers
            .iter()
            .all(|c| c.monetary.is_none() && c.m == 1));
        assert!(result
            .segments
            .iter()
            .all(|s| s.revenue.is_none() && s.revenue_share.is_none()));
    }
}
