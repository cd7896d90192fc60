//! `rebuy predict`: BG/NBD and Gamma-Gamma fitted on the purchase occasions (contract
//! §1) as of a day, and what they say of each customer: P(alive), the purchases
//! expected over a horizon, the expected mean spend and the customer's value.

use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;

use super::bgnbd::{self, Groups, History, Params};
use super::gamma_gamma::{self, GammaGamma, Spend, Spends};
use super::summary::{occasion_columns, CustomerStats};
use crate::days::date_of_day;
use crate::error::{Error, Result};
use crate::money::SCALE;
use crate::occasions::Occasions;

/// The unit of time the model is fitted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Day,
    Week,
}

impl Unit {
    pub fn days(self) -> f64 {
        match self {
            Unit::Day => 1.0,
            Unit::Week => 7.0,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The end of the calibration: occasions after it are the holdout's.
    pub as_of: i32,
    pub horizon_days: u32,
    pub unit: Unit,
    /// The end of the holdout, after `as_of`.
    pub holdout_until: Option<i32>,
    /// A yearly rate at which the value of later purchases is discounted.
    pub discount_rate: f64,
}

/// One customer known at as-of, in the model's terms (times in days).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Customer {
    /// The code in `Occasions::customers`.
    pub customer: u32,
    /// Repeat occasions up to as-of.
    pub x: u32,
    /// Days from the first occasion to the last, up to as-of.
    pub t_x: u32,
    /// Days from the first occasion to as-of.
    pub t: u32,
    /// The mean amount of the repeat occasions, where every one has an amount.
    pub repeat_mean: Option<f64>,
    /// Occasions after as-of (in the holdout).
    pub later: u32,
}

/// The BG/NBD part of the result, as written out.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BgNbdResult {
    pub r: f64,
    pub alpha: f64,
    /// `None` where the limit model was fitted (a and b ran off together).
    pub a: Option<f64>,
    pub b: Option<f64>,
    /// The one dropout chance of the limit model; `None` for the BG/NBD proper.
    pub p_dropout: Option<f64>,
    pub log_likelihood: f64,
    pub converged: bool,
    pub iterations: usize,
    pub gradient_norm: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct GammaGammaResult {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
    pub log_likelihood: f64,
    pub converged: bool,
    pub customers: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Holdout {
    pub until: NaiveDate,
    /// Occasions in (as-of, until] of the customers known at as-of.
    pub actual_purchases: u64,
    /// The sum of their expected purchases over that span.
    pub predicted_purchases: f64,
    /// Cumulative purchases, made and predicted, at the end of each week after as-of
    /// (the last step ends at `until`): the tracking plot of the published fits.
    pub weeks: Vec<HoldoutWeek>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct HoldoutWeek {
    pub end: NaiveDate,
    pub actual_cumulative: u64,
    pub predicted_cumulative: f64,
}

/// The customers known at as-of, and how many occasions they had on each day after it
/// (index 0: the day after as-of).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Known {
    pub customers: Vec<Customer>,
    pub later_by_day: Vec<u64>,
}

/// What a customer's history says, per distinct history.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Outlook {
    p_alive: f64,
    expected: f64,
    /// `expected`, each month's share discounted.
    discounted: f64,
}

/// Everything `rebuy predict` writes.
#[derive(Clone, Debug, Serialize)]
pub struct Prediction {
    pub customers: u64,
    pub as_of: NaiveDate,
    pub unit: Unit,
    pub horizon_days: u32,
    pub discount_rate: f64,
    pub bgnbd: BgNbdResult,
    pub gamma_gamma: Option<GammaGammaResult>,
    pub expected_purchases_total: f64,
    pub expected_revenue_total: Option<f64>,
    pub alive_share: f64,
    /// Customers by P(alive) in tenths: [0, 0.1), [0.1, 0.2) … [0.9, 1].
    pub p_alive_tenths: [u64; 10],
    pub holdout: Option<Holdout>,
    #[serde(skip)]
    pub rows: Vec<CustomerPrediction>,
}

/// One customer's row of `--customers`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CustomerPrediction {
    pub customer: u32,
    pub x: u32,
    /// In the unit.
    pub t_x: f64,
    pub t: f64,
    pub p_alive: f64,
    pub expected_purchases: f64,
    pub expected_avg_spend: Option<f64>,
    pub clv: Option<f64>,
}

/// Each customer with a first occasion on or before `as_of`, in no particular order,
/// with their occasions after it by day.
pub fn customers(occasions: &Occasions, as_of: i32) -> Result<Known> {
    let parts: Vec<Known> = occasions
        .parts
        .par_iter()
        .map(|part| part_customers(part, as_of))
        .collect::<Result<_>>()?;
    let mut known = Known::default();
    for part in parts {
        known.customers.extend(part.customers);
        if known.later_by_day.len() < part.later_by_day.len() {
            known.later_by_day.resize(part.later_by_day.len(), 0);
        }
        for (total, n) in known.later_by_day.iter_mut().zip(part.later_by_day) {
            *total += n;
        }
    }
    Ok(known)
}

/// `customers` of one part (sorted by customer, then time).
fn part_customers(part: &DataFrame, as_of: i32) -> Result<Known> {
    let (customer, day, amount) = occasion_columns(part)?;
    let amounts = amount
        .downcast_iter()
        .flat_map(|a| a.iter().map(|v| v.copied()));
    let mut out: Vec<Customer> = Vec::new();
    let mut later_by_day: Vec<u64> = Vec::new();
    // The run being read: its first day, and the sum and count of known repeat amounts.
    let (mut first, mut sum, mut known) = (0i32, 0i64, 0u32);
    let finish = |out: &mut Vec<Customer>, sum: i64, known: u32| {
        if let Some(c) = out.last_mut() {
            c.repeat_mean =
                (c.x > 0 && known == c.x).then(|| sum as f64 / SCALE as f64 / f64::from(known));
        }
    };
    let mut current: Option<u32> = None;
    for ((&code, &d), amount) in customer.iter().zip(day.iter()).zip(amounts) {
        if current != Some(code) {
            if current.is_some() && first <= as_of {
                finish(&mut out, sum, known);
            }
            current = Some(code);
            (first, sum, known) = (d, 0, 0);
            if d > as_of {
                // Not known at as-of: a customer of the holdout only.
                continue;
            }
            out.push(Customer {
                customer: code,
                x: 0,
                t_x: 0,
                t: (as_of - d) as u32,
                repeat_mean: None,
                later: 0,
            });
            continue;
        }
        if first > as_of {
            continue;
        }
        let c = out.last_mut().expect("the customer's first occasion");
        if d <= as_of {
            c.x += 1;
            c.t_x = (d - first) as u32;
            if let Some(a) = amount {
                sum += a;
                known += 1;
            }
        } else {
            c.later += 1;
            let after = (d - as_of - 1) as usize;
            if later_by_day.len() <= after {
                later_by_day.resize(after + 1, 0);
            }
            later_by_day[after] += 1;
        }
    }
    if current.is_some_and(|_| first <= as_of) {
        finish(&mut out, sum, known);
    }
    Ok(Known {
        customers: out,
        later_by_day,
    })
}

/// Fits both models and predicts for every customer.
pub fn predict(occasions: &Occasions, options: &Options) -> Result<Prediction> {
    predict_for(customers(occasions, options.as_of)?, options, true)
}

/// The customers of the summary's per-customer reduction (as of the occasions' as-of,
/// no holdout), for the report, which has it already.
pub(crate) fn customers_of_stats(stats: &[CustomerStats], as_of: i32) -> Known {
    let customers = stats
        .iter()
        .map(|c| {
            let x = (c.occasions - 1).max(0) as u32;
            let repeats = match (c.first_amount, c.revenue) {
                (Some(first), Some(total)) if x > 0 && c.known_amounts == c.occasions => {
                    Some((total - first) as f64 / SCALE as f64 / f64::from(x))
                }
                _ => None,
            };
            Customer {
                customer: c.customer,
                x,
                t_x: (c.last_day - c.first_day) as u32,
                t: (as_of - c.first_day) as u32,
                repeat_mean: repeats,
                later: 0,
            }
        })
        .collect();
    Known {
        customers,
        later_by_day: Vec::new(),
    }
}

/// Fits both models on these customers; `keep_rows`: also one row per customer.
pub(crate) fn predict_for(known: Known, options: &Options, keep_rows: bool) -> Result<Prediction> {
    let customers = known.customers;
    if customers.is_empty() {
        return Err(Error::NoData {
            message: format!(
                "no customer bought on or before {}",
                date_of_day(options.as_of)
            ),
            hint: "choose a later --as-of".into(),
        });
    }
    if customers.iter().all(|c| c.x == 0) {
        return Err(Error::NoData {
            message: format!(
                "none of the {} customers bought again by {}: BG/NBD has nothing to learn how customers come back from",
                customers.len(),
                date_of_day(options.as_of)
            ),
            hint: "choose a later --as-of, or give more history".into(),
        });
    }
    if let Some(c) = customers.iter().find(|c| c.x >= bgnbd::MAX_REPEATS) {
        return Err(Error::NoData {
            message: format!(
                "a customer has {} repeat occasions, more than the {} the fit takes",
                c.x,
                bgnbd::MAX_REPEATS - 1
            ),
            hint: "with --same-day keep every order is an occasion; the default merges a customer's orders on one day".into(),
        });
    }
    let unit = options.unit.days();
    let histories: Vec<(u32, u32, u32)> = customers.iter().map(|c| (c.x, c.t_x, c.t)).collect();
    let groups = Groups::of(&histories, unit);
    let spends: Vec<Spend> = customers
        .iter()
        .filter_map(|c| c.repeat_mean.map(|mean| Spend { x: c.x, mean }))
        .collect();
    let spends = Spends::of(&spends);
    crate::progress::mark(&format!("fitting on {} histories", groups.groups.len()));
    let (bg, gg) = rayon::join(|| bgnbd::fit(&groups), || gamma_gamma::fit(&spends));
    crate::progress::mark("predicting per customer");
    let p = bg.params;
    let (a, b, p_dropout) = match p {
        Params::BgNbd(m) => (Some(m.a), Some(m.b), None),
        Params::SameDropout(m) => (None, None, Some(m.p)),
    };
    if !bg.converged {
        let dropout = match p {
            Params::BgNbd(m) => format!("a = {:.4}, b = {:.4}", m.a, m.b),
            Params::SameDropout(m) => format!("one dropout chance p = {:.4}", m.p),
        };
        return Err(Error::NoData {
            message: format!(
                "the BG/NBD fit did not converge: after {} iterations the gradient norm is {:.1e} and the smallest curvature {:.1e} (r = {:.4}, alpha = {:.4}, {dropout}); parameters running off towards 0 or infinity mean the data do not pin the model down, as when customers all buy alike",
                bg.iterations, bg.gradient_norm, bg.curvature, p.r(), p.alpha()
            ),
            hint: "no prediction is printed from a fit that did not converge; give more customers or a longer history (an earlier first purchase, a later --as-of)".into(),
        });
    }
    if let Some(g) = gg.filter(|g| !g.converged) {
        let q = g.params;
        return Err(Error::NoData {
            message: format!(
                "the Gamma-Gamma fit of spend did not converge: after {} iterations the gradient norm is {:.1e} and the smallest curvature {:.1e} (p = {:.4}, q = {:.4}, gamma = {:.4})",
                g.iterations, g.gradient_norm, g.curvature, q.p, q.q, q.gamma
            ),
            hint: "check the amounts (rebuy inspect); a copy of the export without its amount column predicts purchases alone".into(),
        });
    }
    let outlooks = outlooks(&groups, &p, options)?;
    let spend_model = gg.map(|g| g.params);
    // Each customer's row, on the pool; then the sums, in order (the same on every run).
    let rows: Vec<CustomerPrediction> = customers
        .par_iter()
        .map(|c| {
            let at = groups
                .find(c.x, c.t_x, c.t)
                .expect("every history has a group");
            let o = outlooks[at];
            let spend = spend_model.and_then(|m| expected_spend(&m, c));
            CustomerPrediction {
                customer: c.customer,
                x: c.x,
                t_x: f64::from(c.t_x) / unit,
                t: f64::from(c.t) / unit,
                p_alive: o.p_alive,
                expected_purchases: o.expected,
                expected_avg_spend: spend,
                clv: spend.map(|s| s * o.discounted),
            }
        })
        .collect();
    let (mut expected_total, mut alive_total, mut revenue_total) = (0.0, 0.0, 0.0);
    let mut tenths = [0u64; 10];
    for row in &rows {
        expected_total += row.expected_purchases;
        alive_total += row.p_alive;
        revenue_total += row.expected_purchases * row.expected_avg_spend.unwrap_or(0.0);
        tenths[((row.p_alive * 10.0) as usize).min(9)] += 1;
    }
    let actual: u64 = customers.iter().map(|c| u64::from(c.later)).sum();
    let rows = if keep_rows { rows } else { Vec::new() };
    let weeks = match options.holdout_until {
        Some(until) => tracking(&groups, &p, options, until, &known.later_by_day)?,
        None => Vec::new(),
    };
    // The holdout's prediction: the last week's, which ends at `until`.
    let predicted_holdout = weeks.last().map_or(0.0, |w| w.predicted_cumulative);
    let n = customers.len() as u64;
    Ok(Prediction {
        customers: n,
        as_of: date_of_day(options.as_of),
        unit: options.unit,
        horizon_days: options.horizon_days,
        discount_rate: options.discount_rate,
        bgnbd: BgNbdResult {
            r: p.r(),
            alpha: p.alpha(),
            a,
            b,
            p_dropout,
            log_likelihood: bg.log_likelihood,
            converged: bg.converged,
            iterations: bg.iterations,
            gradient_norm: bg.gradient_norm,
        },
        gamma_gamma: gg.map(|g| GammaGammaResult {
            p: g.params.p,
            q: g.params.q,
            gamma: g.params.gamma,
            log_likelihood: g.log_likelihood,
            converged: g.converged,
            customers: g.customers,
        }),
        expected_purchases_total: expected_total,
        expected_revenue_total: spend_model.map(|_| revenue_total),
        alive_share: alive_total / n as f64,
        p_alive_tenths: tenths,
        holdout: options.holdout_until.map(|until| Holdout {
            until: date_of_day(until),
            actual_purchases: actual,
            predicted_purchases: predicted_holdout,
            weeks,
        }),
        rows,
    })
}

/// Cumulative purchases after as-of, made and predicted, at the end of every week to
/// `until`.
fn tracking(
    groups: &Groups,
    params: &Params,
    options: &Options,
    until: i32,
    later_by_day: &[u64],
) -> Result<Vec<HoldoutWeek>> {
    let span = (until - options.as_of) as usize;
    let ends: Vec<usize> = (1..=span.div_ceil(7)).map(|w| (7 * w).min(span)).collect();
    let unit = options.unit.days();
    // Sums over pieces of a fixed size, added in order: the same on every run,
    // whatever the threads.
    let pieces: Vec<Vec<f64>> = groups
        .groups
        .par_chunks(1 << 12)
        .map(|piece| {
            let mut sums = vec![0.0f64; ends.len()];
            for g in piece {
                let h = groups.history(g);
                for (sum, &end) in sums.iter_mut().zip(&ends) {
                    let e = params
                        .expected(&h, end as f64 / unit)
                        .map_err(|e| not_computed(&h, e, "an earlier --holdout-until"))?;
                    *sum += f64::from(g.count) * e;
                }
            }
            Ok(sums)
        })
        .collect::<Result<_>>()?;
    let mut predicted = vec![0.0f64; ends.len()];
    for piece in pieces {
        predicted.iter_mut().zip(piece).for_each(|(x, y)| *x += y);
    }
    let mut made = 0u64;
    let mut day = 0;
    Ok(ends
        .iter()
        .zip(predicted)
        .map(|(&end, predicted_cumulative)| {
            while day < end {
                made += later_by_day.get(day).copied().unwrap_or(0);
                day += 1;
            }
            HoldoutWeek {
                end: date_of_day(options.as_of + end as i32),
                actual_cumulative: made,
                predicted_cumulative,
            }
        })
        .collect())
}

/// A customer's expected mean spend: from their repeats where every one has an
/// amount, else the mean over all customers.
fn expected_spend(model: &GammaGamma, c: &Customer) -> Option<f64> {
    let spend = match c.repeat_mean {
        Some(mean) => Spend { x: c.x, mean },
        None => Spend { x: 0, mean: 0.0 },
    };
    model.expected_spend(&spend)
}

/// Days in each step of the discounting: a month.
const DISCOUNT_STEP_DAYS: u32 = 30;

/// The error for an expectation ₂F₁ could not give; `instead` is the other way to try.
fn not_computed(h: &History, e: bgnbd::ModelError, instead: &str) -> Error {
    Error::NoData {
        message: format!(
            "the expected purchases of a customer with x = {}, t_x = {}, T = {} could not be computed: {e}",
            h.x, h.t_x, h.t
        ),
        hint: format!("try --unit day or {instead}"),
    }
}

/// What each distinct history says, computed on the pool.
fn outlooks(groups: &Groups, params: &Params, options: &Options) -> Result<Vec<Outlook>> {
    let unit = options.unit.days();
    let horizon = f64::from(options.horizon_days) / unit;
    groups
        .groups
        .par_iter()
        .map(|g| {
            let h = groups.history(g);
            let failed = |e| not_computed(&h, e, "a shorter --horizon");
            let expected = params.expected(&h, horizon).map_err(failed)?;
            let discounted = discounted(params, &h, options, expected).map_err(failed)?;
            Ok(Outlook {
                p_alive: params.p_alive(&h),
                expected,
                discounted,
            })
        })
        .collect()
}

/// The expected purchases over the horizon with each month's share discounted at the
/// yearly rate: Σ (E[N(end)] − E[N(start)]) / (1 + rate)^(end / 365 days).
fn discounted(
    params: &Params,
    h: &History,
    options: &Options,
    expected: f64,
) -> std::result::Result<f64, bgnbd::ModelError> {
    if options.discount_rate == 0.0 {
        return Ok(expected);
    }
    let unit = options.unit.days();
    let (mut total, mut before) = (0.0, 0.0);
    let mut end = 0;
    while end < options.horizon_days {
        end = (end + DISCOUNT_STEP_DAYS).min(options.horizon_days);
        let upto = params.expected(h, f64::from(end) / unit)?;
        total += (upto - before) / (1.0 + options.discount_rate).powf(f64::from(end) / 365.0);
        before = upto;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::days::day_of_date;
    use crate::input::occasions::OccasionOptions;
    use crate::input::schema::ValueOptions;

    fn occasions_of(text: &str) -> Occasions {
        let (values, options) = (ValueOptions::default(), OccasionOptions::default());
        crate::input::testing::occasions_of(&[text], &values, options).unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> i32 {
        day_of_date(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn each_customer_in_the_models_terms() {
        // A: 3 occasions by as-of (one amount unknown), one after; B: one occasion;
        // C: first buys after as-of, so is not known at as-of.
        let text = "customer_id,order_date,amount\n\
            A,2024-01-01,10\nA,2024-01-11,20\nA,2024-01-31,\nA,2024-03-01,5\n\
            B,2024-01-20,7\n\
            C,2024-02-15,9\n\
            D,2024-01-05,4\nD,2024-01-06,6\nD,2024-02-10,8\n";
        let occasions = occasions_of(text);
        let known = customers(&occasions, day(2024, 2, 1)).unwrap();
        // After as-of: A on 03-01 (day 29 after), D on 02-10 (day 9 after); C is not
        // known at as-of, so its 02-15 does not count.
        assert_eq!(known.later_by_day.len(), 29);
        assert_eq!(known.later_by_day[28], 1);
        assert_eq!(known.later_by_day[8], 1);
        assert_eq!(known.later_by_day.iter().sum::<u64>(), 2);
        let mut got = known.customers;
        got.sort_by_key(|c| occasions.customers.bytes(c.customer).to_vec());
        let seen: Vec<(u32, u32, u32, Option<f64>, u32)> = got
            .iter()
            .map(|c| (c.x, c.t_x, c.t, c.repeat_mean, c.later))
            .collect();
        assert_eq!(
            seen,
            [
                // A: repeats on day 10 and 30, one without an amount: no mean.
                (2, 30, 31, None, 1),
                (0, 0, 12, None, 0),
                // D: one repeat by as-of (6), one after.
                (1, 1, 27, Some(6.0), 1),
            ]
        );
    }

    #[test]
    fn the_summarys_reduction_gives_the_same_customers() {
        // The report builds the customers from the summary's per-customer stats: the
        // same as reading the occasions, amounts known or not.
        let text = "customer_id,order_date,amount\n\
            A,2024-01-01,10\nA,2024-01-11,20\nA,2024-01-31,\n\
            B,2024-01-20,7\n\
            D,2024-01-05,4\nD,2024-01-06,6\nD,2024-02-10,8\n";
        let occasions = occasions_of(text);
        let stats = crate::metrics::summary::per_customer(&occasions).unwrap();
        let mut of_stats = customers_of_stats(&stats, occasions.as_of).customers;
        let mut read = customers(&occasions, occasions.as_of).unwrap().customers;
        of_stats.sort_by_key(|c| c.customer);
        read.sort_by_key(|c| c.customer);
        assert_eq!(of_stats, read);
        assert_eq!(read.iter().filter(|c| c.repeat_mean.is_some()).count(), 1);
    }
}
