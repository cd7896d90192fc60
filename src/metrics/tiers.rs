//! `rebuy tiers`: each customer's loyalty tier at as-of, by occasions or by revenue,
//! with Platinum for the best Gold customers, and how customers moved between tiers
//! since a date (contract §10).

use serde::Serialize;

use super::quantile::ratio;
use crate::error::{Error, Result};
use crate::money::Money;
use crate::occasions::Occasions;

/// What the tier thresholds count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TierBy {
    /// Purchase occasions: 1, 2, 5, …
    #[default]
    Occasions,
    /// Revenue, in money: 0, 100, 500, …
    Revenue,
}

/// The ladder: names with their thresholds, lowest first (occasions, or money in
/// ten-thousandths), and the share of customers that makes Platinum.
#[derive(Clone, Debug, PartialEq)]
pub struct Ladder {
    pub by: TierBy,
    pub tiers: Vec<(String, i64)>,
    /// Percent of all customers, by revenue, whose top-tier members are Platinum; 0: no
    /// Platinum.
    pub platinum_top: f64,
}

/// The tiers of the playbook: Bronze for everyone, Silver from the 2nd occasion, Gold
/// from the 5th.
pub const DEFAULT_TIERS: &str = "Bronze=1,Silver=2,Gold=5";

/// The tier above the top of the ladder, for its best customers by revenue.
pub const PLATINUM: &str = "Platinum";

/// Below the first threshold (a ladder that does not start at 1 occasion, or at 0).
pub const NO_TIER: &str = "(none)";

/// Not yet a customer on the `--since` date.
pub const NOT_YET: &str = "(new)";

impl Ladder {
    /// `--tiers` ("Bronze=1,Silver=2,Gold=5"), `--by` and `--platinum-top`, checked.
    pub fn parse(text: Option<&str>, by: TierBy, platinum_top: f64) -> Result<Ladder> {
        let text =
            match (text, by) {
                (Some(text), _) => text,
                (None, TierBy::Occasions) => DEFAULT_TIERS,
                (None, TierBy::Revenue) => return Err(Error::usage(
                    "--by revenue needs money thresholds: --tiers \"Bronze=0,Silver=100,Gold=500\"",
                )),
            };
        let bad = |why: String| {
            Error::usage(format!(
                "--tiers {text:?}: {why}; write names and thresholds lowest first, e.g. --tiers \"{DEFAULT_TIERS}\""
            ))
        };
        if !(0.0..=100.0).contains(&platinum_top) {
            return Err(Error::usage(format!(
                "--platinum-top {platinum_top}: give a percentage from 0 to 100 (0: no Platinum)"
            )));
        }
        let mut tiers: Vec<(String, i64)> = Vec::new();
        for item in text.split(',') {
            let Some((name, value)) = item.split_once('=') else {
                return Err(bad(format!("{:?} has no '='", item.trim())));
            };
            let (name, value) = (name.trim(), value.trim());
            if name.is_empty() {
                return Err(bad(format!("{:?} has no name", item.trim())));
            }
            if tiers.iter().any(|(n, _)| n == name)
                || (name == PLATINUM && platinum_top > 0.0)
                || name == NO_TIER
                || name == NOT_YET
            {
                return Err(bad(format!(
                    "the name {name:?} is taken (Platinum is the top customers' tier unless --platinum-top 0)"
                )));
            }
            let threshold = match by {
                TierBy::Occasions => {
                    value
                        .parse::<i64>()
                        .ok()
                        .filter(|&n| n >= 1)
                        .ok_or_else(|| {
                            bad(format!(
                            "{name}'s threshold {value:?} is not a number of occasions (1 or more)"
                        ))
                        })?
                }
                TierBy::Revenue => {
                    Money::parse(value)
                        .ok()
                        .filter(|m| m.0 >= 0)
                        .ok_or_else(|| {
                            bad(format!(
                            "{name}'s threshold {value:?} is not an amount of money (0 or more)"
                        ))
                        })?
                        .0
                }
            };
            if let Some((last, below)) = tiers.last() {
                if threshold <= *below {
                    return Err(bad(format!("{name} must need more than {last}")));
                }
            }
            tiers.push((name.to_string(), threshold));
        }
        Ok(Ladder {
            by,
            tiers,
            platinum_top,
        })
    }

    /// The names of every level, lowest first: (none), the ladder, Platinum.
    pub fn level_names(&self) -> Vec<String> {
        let mut names = vec![NO_TIER.to_string()];
        names.extend(self.tiers.iter().map(|(n, _)| n.clone()));
        names.push(PLATINUM.to_string());
        names
    }

    /// The level of a customer by `value` (occasions or revenue): 0 below the first
    /// threshold, i + 1 from the i-th tier's threshold.
    fn level_of(&self, value: i64) -> usize {
        self.tiers.iter().take_while(|(_, t)| value >= *t).count()
    }

    fn top(&self) -> usize {
        self.tiers.len()
    }

    fn platinum(&self) -> usize {
        self.tiers.len() + 1
    }
}

/// One customer's standing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CustomerTier {
    pub customer: u32,
    pub occasions: i64,
    /// Sum of the known occasion amounts (0 when none is known).
    pub revenue: i64,
    /// Index into `Ladder::level_names`.
    pub level: usize,
    /// Mean days between occasions: (last − first) / (occasions − 1).
    pub mean_gap: Option<f64>,
}

impl CustomerTier {
    /// What the ladder counts for this customer.
    fn value(&self, by: TierBy) -> i64 {
        match by {
            TierBy::Occasions => self.occasions,
            TierBy::Revenue => self.revenue,
        }
    }
}

/// One row of the tier table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TierRow {
    pub tier: String,
    pub customers: u64,
    pub share: f64,
    pub revenue: Option<Money>,
    pub revenue_share: Option<f64>,
    pub mean_occasions: Option<f64>,
    /// Over the tier's customers with 2 or more occasions.
    pub mean_days_between: Option<f64>,
    /// Of the customers who reached this tier's threshold, the share who reached the
    /// next tier's (Platinum, for the top of the ladder).
    pub reached_next: Option<f64>,
}

/// One cell of the movement table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Move {
    pub from: String,
    pub to: String,
    pub customers: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tiers {
    pub as_of: chrono::NaiveDate,
    pub by: TierBy,
    pub platinum_top: f64,
    /// The revenue from which a top-tier customer is Platinum (ties at it go in
    /// together); `None` without Platinum.
    pub platinum_cut: Option<Money>,
    pub tiers: Vec<TierRow>,
    /// With `--since`: the day and the moves from the tier then to the tier now.
    pub since: Option<chrono::NaiveDate>,
    pub moves: Vec<Move>,
    #[serde(skip)]
    pub customers: Vec<CustomerTier>,
}

/// Each customer's occasions and revenue up to `until` (a day), and their mean gap;
/// customers without an occasion by then are left out.
fn standings(occasions: &Occasions, until: i32) -> Result<Vec<CustomerTier>> {
    // At most one row a customer: allocated once rather than grown by doubling.
    let mut out = Vec::with_capacity(occasions.customers.len());
    occasions.each_customer(|customer, days, amounts| {
        let n = days.iter().take_while(|&&d| d <= until).count();
        if n == 0 {
            return;
        }
        let revenue = amounts[..n].iter().flatten().sum();
        let mean_gap = (n >= 2).then(|| f64::from(days[n - 1] - days[0]) / (n - 1) as f64);
        out.push(CustomerTier {
            customer,
            occasions: n as i64,
            revenue,
            level: 0,
            mean_gap,
        });
    })?;
    Ok(out)
}

/// Sets every customer's level; returns the Platinum cut, if any. Platinum: customers
/// at the top of the ladder whose revenue is at least that of the customer ranked at
/// the top `platinum_top` percent of all (rounded up to a whole customer), so that
/// customers tied at the cut go in together; a revenue of 0 is never Platinum.
fn place(ladder: &Ladder, customers: &mut [CustomerTier]) -> Option<i64> {
    for c in customers.iter_mut() {
        c.level = ladder.level_of(c.value(ladder.by));
    }
    let cut = platinum_cut(ladder.platinum_top, customers)?;
    for c in customers.iter_mut() {
        if c.level == ladder.top() && c.revenue >= cut {
            c.level = ladder.platinum();
        }
    }
    Some(cut)
}

fn platinum_cut(percent: f64, customers: &[CustomerTier]) -> Option<i64> {
    if percent <= 0.0 || customers.is_empty() {
        return None;
    }
    let rank = ((customers.len() as f64 * percent / 100.0).ceil() as usize).max(1);
    let mut revenues: Vec<i64> = customers.iter().map(|c| c.revenue).collect();
    let (_, cut, _) = revenues.select_nth_unstable_by(rank - 1, |a, b| b.cmp(a));
    Some((*cut).max(1))
}

/// The tiers of the customers of `occasions` at as-of; with `since` (a day before
/// as-of), the moves from their tier on that day.
pub fn tiers(occasions: &Occasions, ladder: &Ladder, since: Option<i32>) -> Result<Tiers> {
    let as_of = occasions.as_of;
    let mut customers = standings(occasions, as_of)?;
    let cut = place(ladder, &mut customers);
    let rows = tier_rows(ladder, &customers);
    let moves = match since {
        None => Vec::new(),
        Some(day) => {
            if day >= as_of {
                return Err(Error::usage(format!(
                    "--since {} is not before as-of ({}): give an earlier date, or a later --as-of",
                    crate::days::date_of_day(day),
                    crate::days::date_of_day(as_of)
                )));
            }
            let mut then = standings(occasions, day)?;
            place(ladder, &mut then);
            moves(ladder, &then, &customers, occasions.customers.len())
        }
    };
    Ok(Tiers {
        as_of: crate::days::date_of_day(as_of),
        by: ladder.by,
        platinum_top: ladder.platinum_top,
        platinum_cut: cut.map(Money),
        tiers: rows,
        since: since.map(crate::days::date_of_day),
        moves,
        customers,
    })
}

/// One row per level that has customers or is on the ladder.
fn tier_rows(ladder: &Ladder, customers: &[CustomerTier]) -> Vec<TierRow> {
    let names = ladder.level_names();
    let levels = names.len();
    let (mut count, mut revenue, mut occasions) =
        (vec![0u64; levels], vec![0i64; levels], vec![0i64; levels]);
    let (mut gap_sum, mut gap_count) = (vec![0f64; levels], vec![0u64; levels]);
    // Customers whose value reached each threshold (a level's or higher).
    let mut reached = vec![0u64; levels];
    for c in customers {
        count[c.level] += 1;
        revenue[c.level] += c.revenue;
        occasions[c.level] += c.occasions;
        if let Some(g) = c.mean_gap {
            gap_sum[c.level] += g;
            gap_count[c.level] += 1;
        }
        let value_level = ladder.level_of(c.value(ladder.by));
        for r in reached.iter_mut().take(value_level + 1) {
            *r += 1;
        }
        if c.level == ladder.platinum() {
            reached[ladder.platinum()] += 1;
        }
    }
    let all = customers.len() as f64;
    let total: i64 = revenue.iter().sum();
    let platinum_on = ladder.platinum_top > 0.0;
    (0..levels)
        .filter(|&l| {
            count[l] > 0
                || (1..=ladder.top()).contains(&l)
                || (l == ladder.platinum() && platinum_on)
        })
        .map(|l| {
            let next_exists = l >= 1 && (l < ladder.top() || (l == ladder.top() && platinum_on));
            TierRow {
                tier: names[l].clone(),
                customers: count[l],
                share: ratio(count[l] as f64, all).unwrap_or(0.0),
                revenue: Some(Money(revenue[l])),
                revenue_share: ratio(revenue[l] as f64, total as f64),
                mean_occasions: ratio(occasions[l] as f64, count[l] as f64),
                mean_days_between: ratio(gap_sum[l], gap_count[l] as f64),
                reached_next: if next_exists {
                    ratio(reached[l + 1] as f64, reached[l] as f64)
                } else {
                    None
                },
            }
        })
        .collect()
}

/// Customers by (tier then, tier now); `(new)` for those not yet customers then.
fn moves(ladder: &Ladder, then: &[CustomerTier], now: &[CustomerTier], codes: usize) -> Vec<Move> {
    let names = ladder.level_names();
    let levels = names.len();
    // Level then of each code; `levels` stands for (new).
    let mut before = vec![levels; codes];
    for c in then {
        before[c.customer as usize] = c.level;
    }
    let mut counts = vec![vec![0u64; levels]; levels + 1];
    for c in now {
        counts[before[c.customer as usize]][c.level] += 1;
    }
    let name = |l: usize| names.get(l).cloned().unwrap_or_else(|| NOT_YET.to_string());
    let mut out = Vec::new();
    for (from, row) in counts.iter().enumerate() {
        for (to, &customers) in row.iter().enumerate() {
            if customers > 0 {
                out.push(Move {
                    from: name(from),
                    to: name(to),
                    customers,
                });
            }
        }
    }
    out
}

/// What a customer still needs for the next tier of the ladder (occasions, or money in
/// ten-thousandths); `None` at the top of the ladder and in Platinum (a rank, not a
/// threshold).
pub fn to_next(ladder: &Ladder, c: &CustomerTier) -> Option<i64> {
    let (_, next) = ladder.tiers.get(c.level)?;
    (c.level < ladder.platinum()).then(|| next - c.value(ladder.by))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::testing::occasions_on_days;

    fn ladder(text: Option<&str>, by: TierBy, platinum: f64) -> Ladder {
        Ladder::parse(text, by, platinum).unwrap()
    }

    fn row<'a>(t: &'a Tiers, name: &str) -> &'a TierRow {
        t.tiers.iter().find(|r| r.tier == name).unwrap()
    }

    #[test]
    fn the_default_ladder_and_bad_ladders() {
        let l = ladder(None, TierBy::Occasions, 5.0);
        assert_eq!(
            l.tiers,
            vec![
                ("Bronze".into(), 1),
                ("Silver".into(), 2),
                ("Gold".into(), 5)
            ]
        );
        let revenue = ladder(Some("A=0, B=99.5"), TierBy::Revenue, 0.0);
        assert_eq!(revenue.tiers, vec![("A".into(), 0), ("B".into(), 995_000)]);
        for bad in [
            "Bronze=1,Silver=1",
            "Bronze",
            "=1",
            "A=0",
            "A=x",
            "A=2,B=1",
            "A=1,A=2",
            "Platinum=9",
        ] {
            assert!(
                Ladder::parse(Some(bad), TierBy::Occasions, 5.0).is_err(),
                "{bad}"
            );
        }
        assert!(Ladder::parse(None, TierBy::Revenue, 5.0).is_err());
        assert!(Ladder::parse(None, TierBy::Occasions, 101.0).is_err());
        // Without Platinum the name is free.
        assert!(Ladder::parse(Some("Platinum=1"), TierBy::Occasions, 0.0).is_ok());
    }

    /// Occasions on days 1, 2, … for each customer, `amount` each (in units).
    fn shop(customers: &[(&str, usize, i64)], as_of: i32) -> Occasions {
        let mut rows = Vec::new();
        for &(id, n, amount) in customers {
            for day in 1..=n as i32 {
                rows.push((id, day * 10, amount));
            }
        }
        occasions_on_days(&rows, as_of)
    }

    #[test]
    fn boundaries_at_exactly_two_and_five_occasions() {
        let o = shop(
            &[
                ("a", 1, 10),
                ("b", 2, 10),
                ("c", 4, 10),
                ("d", 5, 10),
                ("e", 6, 10),
            ],
            100,
        );
        let t = tiers(&o, &ladder(None, TierBy::Occasions, 0.0), None).unwrap();
        let counts: Vec<(&str, u64)> = t
            .tiers
            .iter()
            .map(|r| (r.tier.as_str(), r.customers))
            .collect();
        assert_eq!(counts, vec![("Bronze", 1), ("Silver", 2), ("Gold", 2)]);
        // Silver: b (2) and c (4): mean 3 occasions, gaps of 10 days.
        let silver = row(&t, "Silver");
        assert_eq!(silver.mean_occasions, Some(3.0));
        assert_eq!(silver.mean_days_between, Some(10.0));
        // Revenue 20 + 40 of 180.
        assert_eq!(silver.revenue, Some(Money(600_000)));
        assert_eq!(silver.revenue_share, Some(60.0 / 180.0));
        // Reached Bronze: 5, of whom 4 reached Silver; reached Silver 4, Gold 2.
        assert_eq!(row(&t, "Bronze").reached_next, Some(0.8));
        assert_eq!(silver.reached_next, Some(0.5));
        // No Platinum: the top of the ladder has no next.
        assert_eq!(row(&t, "Gold").reached_next, None);
        assert_eq!(row(&t, "Bronze").mean_days_between, None);
    }

    #[test]
    fn platinum_takes_gold_customers_tied_at_the_cut_together() {
        // 20 customers: the top 5% is 1 customer, whose revenue (300) two Gold
        // customers share; a Silver customer with more is not Gold, so not Platinum.
        let mut customers: Vec<(String, usize, i64)> =
            (0..16).map(|i| (format!("x{i:02}"), 1, 10)).collect();
        customers.push(("g1".into(), 5, 60)); // 300
        customers.push(("g2".into(), 6, 50)); // 300
        customers.push(("g3".into(), 5, 10)); // 50
        customers.push(("s".into(), 2, 500)); // 1000, Silver
        let refs: Vec<(&str, usize, i64)> = customers
            .iter()
            .map(|(a, n, m)| (a.as_str(), *n, *m))
            .collect();
        let o = shop(&refs, 100);
        let t = tiers(&o, &ladder(None, TierBy::Occasions, 5.0), None).unwrap();
        // The cut is the 1st customer's revenue: s's 1000; no Gold customer has it.
        assert_eq!(t.platinum_cut, Some(Money(10_000_000)));
        assert_eq!(row(&t, PLATINUM).customers, 0);
        // At 15%: 3 customers, the 3rd has 300 and both Gold customers at 300 go in.
        let t = tiers(&o, &ladder(None, TierBy::Occasions, 15.0), None).unwrap();
        assert_eq!(t.platinum_cut, Some(Money(3_000_000)));
        assert_eq!(row(&t, PLATINUM).customers, 2);
        assert_eq!(row(&t, "Gold").customers, 1);
        // Of the 3 who reached Gold, 2 are Platinum.
        assert_eq!(row(&t, "Gold").reached_next, Some(2.0 / 3.0));
    }

    #[test]
    fn a_customer_who_moved_two_tiers_since_a_date() {
        // a: 1 occasion by day 25, 5 by as-of (Bronze → Gold); b: 2 then and now.
        let rows = [
            ("a", 10, 1),
            ("a", 30, 1),
            ("a", 40, 1),
            ("a", 50, 1),
            ("a", 60, 1),
            ("b", 10, 1),
            ("b", 20, 1),
            ("c", 70, 1),
        ];
        let o = occasions_on_days(&rows, 100);
        let day = |d: i32| o.as_of - 100 + d;
        let t = tiers(&o, &ladder(None, TierBy::Occasions, 0.0), Some(day(25))).unwrap();
        let moves: Vec<(&str, &str, u64)> = t
            .moves
            .iter()
            .map(|m| (m.from.as_str(), m.to.as_str(), m.customers))
            .collect();
        assert_eq!(
            moves,
            vec![
                ("Bronze", "Gold", 1),
                ("Silver", "Silver", 1),
                (NOT_YET, "Bronze", 1)
            ]
        );
        assert!(tiers(&o, &ladder(None, TierBy::Occasions, 0.0), Some(day(100))).is_err());
    }

    #[test]
    fn what_is_still_needed_for_the_next_tier() {
        let l = ladder(Some("Bronze=0,Silver=100,Gold=500"), TierBy::Revenue, 0.0);
        let o = shop(&[("a", 1, 40), ("b", 3, 40), ("c", 1, 600)], 100);
        let t = tiers(&o, &l, None).unwrap();
        let need: Vec<Option<i64>> = t.customers.iter().map(|c| to_next(&l, c)).collect();
        // a: 40 of 100; b: 120 of 500; c: Gold, the top.
        assert_eq!(need, vec![Some(600_000), Some(3_800_000), None]);
    }
}
