//! `rebuy dormant`: customers who went quiet, to win back, by how long they have been
//! quiet (bands) or against their own buying rhythm; and the share of dormant
//! customers who came back, period by period (contract §11).

use serde::Serialize;

use super::periods::{Period, PeriodTable};
use super::quantile::{quantile_sorted, ratio};
use crate::error::{Error, Result};
use crate::money::Money;
use crate::occasions::Occasions;

/// Who counts as dormant.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    /// The last occasion more than this many days before as-of.
    After(i32),
    /// A repeat customer silent for more than this many times their usual gap.
    Relative(f64),
}

/// The bands of `rebuy dormant` and the report: more than 90, 180 and 365 days.
pub const DEFAULT_BANDS: [i32; 3] = [90, 180, 365];

/// `--bands`, checked: days, ascending, each more than 0.
pub fn parse_bands(text: &str) -> Result<Vec<i32>> {
    let mut bands: Vec<i32> = Vec::new();
    for item in text.split(',') {
        let days = item.trim().parse::<i32>().ok().filter(|&d| d > 0);
        match days {
            Some(d) if bands.last().is_none_or(|&last| d > last) => bands.push(d),
            _ => {
                return Err(Error::usage(format!(
                "--bands {text:?}: give days, ascending and more than 0, e.g. --bands 90,180,365"
            )))
            }
        }
    }
    Ok(bands)
}

/// One dormant customer.
#[derive(Clone, Debug, PartialEq)]
pub struct DormantCustomer {
    pub customer: u32,
    pub last_day: i32,
    pub days_since: i32,
    /// Index into `Dormant::bands`, `None` when below the first band (only with the
    /// relative rule).
    pub band: Option<usize>,
    pub occasions: i64,
    /// Sum of the known occasion amounts; `None` when none is known.
    pub revenue: Option<i64>,
    /// The median of the days between consecutive occasions; `None` for one occasion.
    pub usual_gap: Option<f64>,
}

/// Dormant customers of one band.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BandRow {
    pub band: String,
    pub customers: u64,
    /// Of all customers.
    pub share: f64,
    pub revenue: Option<Money>,
    /// Of all customers' revenue.
    pub revenue_share: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dormant {
    pub as_of: chrono::NaiveDate,
    pub rule: Rule,
    /// Labels: `90+` is more than 90 days.
    #[serde(skip)]
    pub bands: Vec<String>,
    pub customers: u64,
    pub dormant_customers: u64,
    #[serde(rename = "bands")]
    pub band_rows: Vec<BandRow>,
    /// The win-back list: highest revenue first, then longest quiet, then by id.
    #[serde(skip)]
    pub list: Vec<DormantCustomer>,
}

/// The band label of `band` days: more than that many days.
pub fn band_label(days: i32) -> String {
    format!("{days}+")
}

/// The label of the customers below the first band.
pub fn under_label(first: i32) -> String {
    format!("under {first}")
}

/// The dormant customers of `occasions` at as-of by `rule`, placed in `bands` (with
/// `After(d)` and d below the first band, d itself is the first band).
///
/// With `ordered`, the list is sorted for showing and each customer has a usual gap;
/// without (the band table only), the list is in no order and the usual gap is
/// worked out only where the relative rule needs it.
pub fn dormant(occasions: &Occasions, rule: Rule, bands: &[i32], ordered: bool) -> Result<Dormant> {
    let as_of = occasions.as_of;
    let mut bands = bands.to_vec();
    if let Rule::After(d) = rule {
        if bands.first().is_none_or(|&first| d < first) {
            bands.insert(0, d);
        }
    }
    // Room for every customer (address space only, where fewer are dormant), so the
    // list is never copied into a larger one.
    let mut list = Vec::with_capacity(occasions.customers.len());
    let (mut customers, mut total_revenue) = (0u64, 0i64);
    let mut gaps: Vec<f64> = Vec::new();
    occasions.each_customer(|customer, days, amounts| {
        customers += 1;
        let revenue = amounts
            .iter()
            .flatten()
            .fold(None, |sum: Option<i64>, a| Some(sum.unwrap_or(0) + a));
        total_revenue += revenue.unwrap_or(0);
        let last_day = days[days.len() - 1];
        let days_since = as_of - last_day;
        let usual_gap = if ordered || matches!(rule, Rule::Relative(_)) {
            gaps.clear();
            gaps.extend(days.windows(2).map(|w| f64::from(w[1] - w[0])));
            gaps.sort_by(f64::total_cmp);
            quantile_sorted(&gaps, 0.5)
        } else {
            None
        };
        let quiet = match rule {
            Rule::After(d) => days_since > d,
            Rule::Relative(k) => usual_gap.is_some_and(|g| f64::from(days_since) > k * g),
        };
        if quiet {
            list.push(DormantCustomer {
                customer,
                last_day,
                days_since,
                band: bands.iter().rposition(|&b| days_since > b),
                occasions: days.len() as i64,
                revenue,
                usual_gap,
            });
        }
    })?;
    if ordered {
        let ranks = occasions.customers.ranks();
        list.sort_by(|a, b| {
            b.revenue
                .cmp(&a.revenue)
                .then(b.days_since.cmp(&a.days_since))
                .then(ranks[a.customer as usize].cmp(&ranks[b.customer as usize]))
        });
    }
    let band_rows = band_rows(&bands, &list, customers, total_revenue);
    Ok(Dormant {
        as_of: crate::days::date_of_day(as_of),
        rule,
        bands: bands.iter().map(|&b| band_label(b)).collect(),
        customers,
        dormant_customers: list.len() as u64,
        band_rows,
        list,
    })
}

/// Customers and revenue per band, lowest first (and under the first band, where the
/// relative rule finds any), then all dormant customers together.
fn band_rows(bands: &[i32], list: &[DormantCustomer], all: u64, total: i64) -> Vec<BandRow> {
    let slots = bands.len() + 1;
    let (mut count, mut revenue, mut known) =
        (vec![0u64; slots], vec![0i64; slots], vec![false; slots]);
    for c in list {
        let slot = c.band.map_or(0, |b| b + 1);
        count[slot] += 1;
        if let Some(r) = c.revenue {
            revenue[slot] += r;
            known[slot] = true;
        }
    }
    // An empty band has revenue 0; a band of customers without amounts, none known.
    let row = |band: String, customers: u64, money: i64, known: bool| {
        let known = known || customers == 0;
        BandRow {
            band,
            customers,
            share: ratio(customers as f64, all as f64).unwrap_or(0.0),
            revenue: known.then_some(Money(money)),
            revenue_share: if known {
                ratio(money as f64, total as f64)
            } else {
                None
            },
        }
    };
    let mut rows = Vec::new();
    if count[0] > 0 {
        rows.push(row(under_label(bands[0]), count[0], revenue[0], known[0]));
    }
    for (i, &b) in bands.iter().enumerate() {
        rows.push(row(
            band_label(b),
            count[i + 1],
            revenue[i + 1],
            known[i + 1],
        ));
    }
    rows.push(row(
        "all dormant".to_string(),
        list.len() as u64,
        revenue.iter().sum(),
        known.iter().any(|&k| k),
    ));
    rows
}

/// One period of the reactivation rate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RateRow {
    pub period: String,
    /// Customers whose last occasion before the period was more than `after` days
    /// before the period's eve (the day before it starts).
    pub dormant_at_start: u64,
    /// Of them, those with an occasion in the period (once, however many).
    pub reactivated: u64,
    pub reactivation_rate: Option<f64>,
    /// The period ended on or before as-of.
    pub complete: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reactivation {
    pub as_of: chrono::NaiveDate,
    pub period: Period,
    pub after: i32,
    pub periods: Vec<RateRow>,
}

/// The reactivation rate by `period`, from the first occasion's period to as-of's: a
/// customer is dormant at a period's start when, on the day before it, their last
/// occasion was more than `after` days before.
pub fn reactivation(occasions: &Occasions, period: Period, after: i32) -> Result<Reactivation> {
    let as_of = occasions.as_of;
    let mut first_day = as_of;
    occasions.each_customer(|_, days, _| first_day = first_day.min(days[0]))?;
    let table = PeriodTable::new(period, first_day, as_of);
    let first = table.get(first_day);
    let count = (table.get(as_of) - first + 1) as usize;
    let start_day = |p: usize| crate::days::day_of_date(period.start(first + p as i32));
    // The first period whose eve is more than `after` days after `day`: the eve is
    // start − 1, so start > day + after + 1.
    let first_dormant = |day: i32| -> usize {
        let quiet_from = day + after + 2;
        if quiet_from > as_of {
            return count;
        }
        let p = (table.get(quiet_from) - first) as usize;
        if start_day(p) >= quiet_from {
            p
        } else {
            p + 1
        }
    };
    // Dormant at start: +1 over a range of periods, as differences.
    let mut dormant = vec![0i64; count + 1];
    let mut reactivated = vec![0u64; count];
    occasions.each_customer(|_, days, _| {
        for (i, &day) in days.iter().enumerate() {
            let from = first_dormant(day);
            // Until the period of the next occasion, which wakes the customer.
            let until = match days.get(i + 1) {
                Some(&next) => {
                    let p = (table.get(next) - first) as usize;
                    if from <= p {
                        reactivated[p] += 1;
                    }
                    p + 1
                }
                None => count,
            };
            if from < until {
                dormant[from] += 1;
                dormant[until] -= 1;
            }
        }
    })?;
    let mut running = 0i64;
    let periods = (0..count)
        .map(|p| {
            running += dormant[p];
            let index = first + p as i32;
            RateRow {
                period: period.label(index),
                dormant_at_start: running as u64,
                reactivated: reactivated[p],
                reactivation_rate: ratio(reactivated[p] as f64, running as f64),
                complete: crate::days::day_of_date(period.end(index)) <= as_of,
            }
        })
        .collect();
    Ok(Reactivation {
        as_of: crate::days::date_of_day(as_of),
        period,
        after,
        periods,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::testing::occasions_on_days;

    fn ids(o: &Occasions, d: &Dormant) -> Vec<String> {
        d.list
            .iter()
            .map(|c| String::from_utf8_lossy(o.customers.bytes(c.customer)).into_owned())
            .collect()
    }

    #[test]
    fn exactly_at_the_threshold_is_not_dormant_a_day_past_it_is() {
        // As of day 200: a last bought on day 110 (90 days), b on day 109 (91), c on
        // day 10 (190 days: band 180+), d on day 199.
        let o = occasions_on_days(
            &[("a", 110, 5), ("b", 109, 7), ("c", 10, 3), ("d", 199, 1)],
            200,
        );
        let d = dormant(&o, Rule::After(90), &[90, 180, 365], true).unwrap();
        // Highest revenue first.
        assert_eq!(ids(&o, &d), ["b", "c"]);
        assert_eq!(d.list[0].days_since, 91);
        assert_eq!(d.list[0].band, Some(0));
        assert_eq!(d.list[1].band, Some(1));
        let bands: Vec<(&str, u64)> = d
            .band_rows
            .iter()
            .map(|r| (r.band.as_str(), r.customers))
            .collect();
        assert_eq!(
            bands,
            [("90+", 1), ("180+", 1), ("365+", 0), ("all dormant", 2)]
        );
        // Revenue 7 and 3 of 16.
        assert_eq!(d.band_rows[3].revenue, Some(Money(100_000)));
        assert_eq!(d.band_rows[3].revenue_share, Some(10.0 / 16.0));
        assert_eq!(d.band_rows[3].share, 0.5);
        // --after 30, below the first band, is a band of its own: d is not quiet.
        let d = dormant(&o, Rule::After(30), &[90, 180, 365], true).unwrap();
        assert_eq!(d.bands, ["30+", "90+", "180+", "365+"]);
        assert_eq!(ids(&o, &d), ["b", "a", "c"]);
        assert_eq!(d.list[1].band, Some(0));
        // The band table alone (unordered list, no usual gaps) has the same rows.
        let bands_only = dormant(&o, Rule::After(30), &[90, 180, 365], false).unwrap();
        assert_eq!(bands_only.band_rows, d.band_rows);
        assert_eq!(bands_only.dormant_customers, 3);
    }

    #[test]
    fn the_relative_rule_fits_each_buying_rhythm() {
        // Gaps 10, 10, 40: the usual gap is their median, 10; with K = 2 the customer
        // is dormant after 20 quiet days. Last occasion day 60.
        let rows = [
            ("a", 0, 1),
            ("a", 10, 1),
            ("a", 20, 1),
            ("a", 60, 1),
            ("one", 0, 9),
        ];
        let at = |as_of: i32| {
            let o = occasions_on_days(&rows, as_of);
            let d = dormant(&o, Rule::Relative(2.0), &[90, 180, 365], true).unwrap();
            (ids(&o, &d), d)
        };
        assert_eq!(at(80).0, Vec::<String>::new());
        let (ids, d) = at(81);
        // One-time buyers have no rhythm: never dormant by this rule.
        assert_eq!(ids, ["a"]);
        assert_eq!(d.list[0].usual_gap, Some(10.0));
        assert_eq!(d.list[0].band, None);
        assert_eq!(d.band_rows[0].band, "under 90");
        // The relative rule needs the usual gap even for the band table alone.
        let o = occasions_on_days(&rows, 81);
        let bands_only = dormant(&o, Rule::Relative(2.0), &[90, 180, 365], false).unwrap();
        assert_eq!(bands_only.band_rows, d.band_rows);
    }

    #[test]
    fn a_reactivation_counts_once_however_many_purchases_follow() {
        // Dormant after 30 days; months of 2024 (day 0 = Jan 1), as of May 10.
        // a: Jan 1, then Mar 5, Mar 6, Mar 20: on March's eve (Feb 29) 59 days quiet,
        // so dormant at its start, and back in March once; on February's eve (Jan 31)
        // exactly 30, not dormant. Dormant again at May's start (Apr 30: 41 days).
        // b: Jan 31: on March's eve 29 days, on April's (Mar 31) 60: dormant from April.
        // c: Feb 10: on April's eve 50 days: dormant from April.
        let rows = [
            ("a", 0, 1),
            ("a", 64, 1),
            ("a", 65, 1),
            ("a", 79, 1),
            ("b", 30, 1),
            ("c", 40, 1),
        ];
        let o = occasions_on_days(&rows, 130);
        let r = reactivation(&o, Period::Month, 30).unwrap();
        let got: Vec<(&str, u64, u64)> = r
            .periods
            .iter()
            .map(|p| (p.period.as_str(), p.dormant_at_start, p.reactivated))
            .collect();
        assert_eq!(
            got,
            [
                ("2024-01", 0, 0),
                ("2024-02", 0, 0),
                ("2024-03", 1, 1),
                ("2024-04", 2, 0),
                ("2024-05", 3, 0),
            ]
        );
        assert_eq!(r.periods[2].reactivation_rate, Some(1.0));
        assert_eq!(r.periods[0].reactivation_rate, None);
        // April is complete on as-of, May is not.
        assert!(r.periods[3].complete && !r.periods[4].complete);
    }

    #[test]
    fn bands_must_climb() {
        assert_eq!(parse_bands("90, 180,365").unwrap(), [90, 180, 365]);
        for bad in ["", "90,90", "180,90", "0", "x", "90,"] {
            assert!(parse_bands(bad).is_err(), "{bad}");
        }
    }
}
