//! BG/NBD (Fader, Hardie & Lee 2005): each customer buys at a rate of their own while
//! alive and may drop out after any purchase. Fitted on (x, t_x, T) per customer: x
//! repeat occasions, t_x the time of the last one and T the time from the first to
//! as-of, in one unit (weeks, as the published fits). The likelihood, its fit,
//! P(alive) and the expected purchases: what `rebuy predict` is to be built on.

use libm::lgamma;

/// One customer in the model's terms, in the unit of the fit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct History {
    /// Repeat occasions: occasions − 1.
    pub x: f64,
    /// Time from the first occasion to the last.
    pub t_x: f64,
    /// Time from the first occasion to as-of.
    pub t: f64,
}

/// The four parameters: purchase rates Gamma(r, α) across customers, dropout
/// probabilities Beta(a, b).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BgNbd {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

/// The limit of the BG/NBD as a and b grow with a / (a + b) = p: every customer
/// drops out after a purchase with the same chance p. Where the data hold no spread in
/// dropout, the BG/NBD fit runs off towards this limit and never converges; this
/// model is then fitted instead.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SameDropout {
    pub r: f64,
    pub alpha: f64,
    pub p: f64,
}

/// Fitted parameters: the BG/NBD, or its limit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Params {
    BgNbd(BgNbd),
    SameDropout(SameDropout),
}

impl Params {
    pub fn r(&self) -> f64 {
        match self {
            Params::BgNbd(m) => m.r,
            Params::SameDropout(m) => m.r,
        }
    }

    pub fn alpha(&self) -> f64 {
        match self {
            Params::BgNbd(m) => m.alpha,
            Params::SameDropout(m) => m.alpha,
        }
    }

    pub fn p_alive(&self, h: &History) -> f64 {
        match self {
            Params::BgNbd(m) => m.p_alive(h),
            Params::SameDropout(m) => m.p_alive(h),
        }
    }

    pub fn expected(&self, h: &History, span: f64) -> Result<f64, ModelError> {
        match self {
            Params::BgNbd(m) => m.expected(h, span),
            Params::SameDropout(m) => Ok(m.expected(h, span)),
        }
    }
}

impl SameDropout {
    fn ln_gone_odds(&self, h: &History) -> f64 {
        if h.x <= 0.0 {
            return f64::NEG_INFINITY;
        }
        (self.p / (1.0 - self.p)).ln()
            + (self.r + h.x) * ((self.alpha + h.t) / (self.alpha + h.t_x)).ln()
    }

    /// P(alive at T | history).
    pub fn p_alive(&self, h: &History) -> f64 {
        1.0 / (1.0 + self.ln_gone_odds(h).exp())
    }

    /// The expected occasions in (T, T + span]: the BG/NBD's as a and b grow, where
    /// ₂F₁ becomes a power: (1 − ((α + T) / (α + T + p·span))^(r + x)) / p × P(alive).
    pub fn expected(&self, h: &History, span: f64) -> f64 {
        let SameDropout { r, alpha, p } = *self;
        let kept = (r + h.x) * ((alpha + h.t) / (alpha + h.t + p * span)).ln();
        -kept.exp_m1() / p * self.p_alive(h)
    }
}

/// A fit: the parameters, the log-likelihood there and how the search ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub params: Params,
    pub log_likelihood: f64,
    pub converged: bool,
    pub iterations: usize,
    /// The norm of the log-likelihood's gradient in the log-parameters, at the end
    /// (central differences).
    pub gradient_norm: f64,
    /// The smallest curvature of the mean log-likelihood at the end (see `optimize`).
    pub curvature: f64,
}

/// Why a value could not be computed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("the hypergeometric series 2F1({a}, {b}; {c}; {z}) did not converge in {terms} terms")]
    NoConvergence {
        a: f64,
        b: f64,
        c: f64,
        z: f64,
        terms: usize,
    },
    #[error("2F1 is evaluated here for 0 <= z < 1 only (z = {0})")]
    OutOfRange(f64),
}

impl BgNbd {
    /// The odds of having dropped out against being alive, as a logarithm (−∞ for a
    /// customer with no repeat, who cannot have dropped out yet).
    fn ln_gone_odds(&self, h: &History) -> f64 {
        if h.x <= 0.0 {
            return f64::NEG_INFINITY;
        }
        (self.a / (self.b + h.x - 1.0)).ln()
            + (self.r + h.x) * ((self.alpha + h.t) / (self.alpha + h.t_x)).ln()
    }

    /// P(alive at T | history).
    pub fn p_alive(&self, h: &History) -> f64 {
        1.0 / (1.0 + self.ln_gone_odds(h).exp())
    }

    /// The expected occasions in (T, T + span] given the history.
    pub fn expected(&self, h: &History, span: f64) -> Result<f64, ModelError> {
        let BgNbd { r, alpha, a, b } = *self;
        let x = h.x;
        let z = span / (alpha + h.t + span);
        let f = hyp2f1(r + x, b + x, a + b + x - 1.0, z)?;
        let ln_scale = (r + x) * ((alpha + h.t) / (alpha + h.t + span)).ln();
        let first = (a + b + x - 1.0) / (a - 1.0) * (1.0 - ln_scale.exp() * f);
        Ok(first / (1.0 + self.ln_gone_odds(h).exp()))
    }
}

/// Terms of a 2F1 series at most: beyond them the evaluation is an error, not a loop.
const MAX_TERMS: usize = 100_000;

/// The Gaussian hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1, as a series
/// of terms that are products of ratios, stopped when a term changes the sum by less
/// than one part in 10¹⁵ and failed after `MAX_TERMS`. Near z = 1 (above 0.9) the
/// Euler transform (1 − z)^(c−a−b) ₂F₁(c − a, c − b; c; z) is summed instead, whose
/// terms fall faster there — unless its terms overflow (large c − a and c − b), when
/// the plain series, which falls like z^j in the end, is summed after all.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Result<f64, ModelError> {
    if !(0.0..1.0).contains(&z) {
        return Err(ModelError::OutOfRange(z));
    }
    if z > 0.9 {
        let ln_front = (c - a - b) * (1.0 - z).ln();
        match series(c - a, c - b, c, z) {
            Ok(sum) => return Ok(ln_front.exp() * sum),
            Err(Overflow::No(error)) => return Err(error),
            Err(Overflow::Yes) => {}
        }
    }
    series(a, b, c, z).map_err(|e| match e {
        Overflow::No(error) => error,
        Overflow::Yes => ModelError::NoConvergence {
            a,
            b,
            c,
            z,
            terms: MAX_TERMS,
        },
    })
}

/// Why a series failed: its sum overflowed, or it did not converge.
enum Overflow {
    Yes,
    No(ModelError),
}

fn series(a: f64, b: f64, c: f64, z: f64) -> Result<f64, Overflow> {
    let (mut term, mut sum) = (1.0f64, 1.0f64);
    for j in 0..MAX_TERMS {
        let j = j as f64;
        term *= (a + j) * (b + j) / ((c + j) * (j + 1.0)) * z;
        sum += term;
        if !sum.is_finite() {
            return Err(Overflow::Yes);
        }
        if term.abs() <= sum.abs() * 1e-15 {
            return Ok(sum);
        }
    }
    Err(Overflow::No(ModelError::NoConvergence {
        a,
        b,
        c,
        z,
        terms: MAX_TERMS,
    }))
}

/// Customers in the fit's terms, compressed: the distinct (x, t_x, T), times in whole
/// days, with how many customers have each. The likelihood is summed over these, not
/// over every customer, and its logarithms of times are taken once per day.
#[derive(Clone, Debug, PartialEq)]
pub struct Groups {
    /// Sorted by x, then t_x, then T.
    pub groups: Vec<Group>,
    /// Days in the unit of the fit (7 for weeks).
    pub unit_days: f64,
    /// The largest T, in days.
    max_day: u32,
    /// How many customers.
    pub customers: u64,
}

/// Customers with one history, times in days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Group {
    pub x: u32,
    pub t_x: u32,
    pub t: u32,
    pub count: u32,
}

/// Bits of the packed key given to each of t_x and T (days); x has the rest.
const DAY_BITS: u32 = 21;

/// Repeat occasions a history may have: x has the key's other 22 bits.
pub const MAX_REPEATS: u32 = 1 << (64 - 2 * DAY_BITS);

impl Groups {
    /// Groups histories given as (x, t_x, T) in days. Days past 2^21 (5,700 years)
    /// are beyond the dates rebuy reads; x from `MAX_REPEATS` on is refused by the
    /// caller.
    pub fn of(histories: &[(u32, u32, u32)], unit_days: f64) -> Groups {
        use rayon::prelude::*;
        let mut keys: Vec<u64> = histories
            .par_iter()
            .map(|&(x, t_x, t)| {
                debug_assert!(t_x <= t && t < 1 << DAY_BITS && x < MAX_REPEATS);
                (u64::from(x) << (2 * DAY_BITS)) | (u64::from(t_x) << DAY_BITS) | u64::from(t)
            })
            .collect();
        keys.par_sort_unstable();
        let mask = (1u64 << DAY_BITS) - 1;
        let mut groups: Vec<Group> = Vec::new();
        let mut previous = None;
        for key in keys {
            if previous == Some(key) {
                groups.last_mut().expect("a group before").count += 1;
                continue;
            }
            previous = Some(key);
            groups.push(Group {
                x: (key >> (2 * DAY_BITS)) as u32,
                t_x: ((key >> DAY_BITS) & mask) as u32,
                t: (key & mask) as u32,
                count: 1,
            });
        }
        let max_day = groups.iter().map(|g| g.t).max().unwrap_or(0);
        Groups {
            groups,
            unit_days,
            max_day,
            customers: histories.len() as u64,
        }
    }

    /// The place of the group with this history, if any.
    pub fn find(&self, x: u32, t_x: u32, t: u32) -> Option<usize> {
        self.groups
            .binary_search_by(|g| (g.x, g.t_x, g.t).cmp(&(x, t_x, t)))
            .ok()
    }

    /// A group's history in the unit of the fit.
    pub fn history(&self, g: &Group) -> History {
        History {
            x: f64::from(g.x),
            t_x: f64::from(g.t_x) / self.unit_days,
            t: f64::from(g.t) / self.unit_days,
        }
    }

    /// The total log-likelihood at `params` and its gradient in the logarithms of
    /// (r, α, a, b).
    pub fn log_likelihood(&self, params: &BgNbd) -> (f64, [f64; 4]) {
        let dropout = Dropout::Beta {
            a: params.a,
            b: params.b,
        };
        self.sums(params.r, params.alpha, &dropout)
    }

    /// The same for the model with one dropout chance: the gradient in ln r, ln α
    /// and logit p.
    pub fn log_likelihood_same(&self, params: &SameDropout) -> (f64, [f64; 3]) {
        let dropout = Dropout::Same { p: params.p };
        let (value, g) = self.sums(params.r, params.alpha, &dropout);
        (value, [g[0], g[1], g[2]])
    }

    fn sums(&self, r: f64, alpha: f64, dropout: &Dropout) -> (f64, [f64; 4]) {
        use rayon::prelude::*;
        // ln(α + d) and 1 / (α + d) for every day d, in the unit.
        let (ln_time, per_time): (Vec<f64>, Vec<f64>) = (0..=self.max_day)
            .map(|d| {
                let s = alpha + f64::from(d) / self.unit_days;
                (s.ln(), 1.0 / s)
            })
            .unzip();
        let tables = Tables {
            ln_time: &ln_time,
            per_time: &per_time,
        };
        // Pieces of whole runs of one x are summed on the pool.
        let pieces = x_runs(&self.groups, 1 << 14);
        let sums: Vec<Sums> = pieces
            .par_iter()
            .map(|range| sum_groups(r, alpha, dropout, &self.groups[range.clone()], &tables))
            .collect();
        let mut total = Sums::default();
        for s in sums {
            total.add(&s);
        }
        (total.value, total.gradient)
    }
}

struct Tables<'a> {
    ln_time: &'a [f64],
    per_time: &'a [f64],
}

#[derive(Default)]
struct Sums {
    value: f64,
    /// In ln r, ln α and the dropout's two.
    gradient: [f64; 4],
}

impl Sums {
    fn add(&mut self, other: &Sums) {
        self.value += other.value;
        for (g, o) in self.gradient.iter_mut().zip(other.gradient) {
            *g += o;
        }
    }
}

/// Ranges of about `size` groups each, cut only where x changes (so the terms of one
/// x are computed once per range).
fn x_runs(groups: &[Group], size: usize) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    while start < groups.len() {
        let mut end = (start + size).min(groups.len());
        while end < groups.len() && groups[end].x == groups[end - 1].x {
            end += 1;
        }
        ranges.push(start..end);
        start = end;
    }
    ranges
}

/// How customers drop out: each after any purchase with a chance of their own, drawn
/// from Beta(a, b) (the BG/NBD), or with one chance p for all (its limit as a and b
/// grow together: what the data say when the fit runs off that way).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Dropout {
    Beta { a: f64, b: f64 },
    Same { p: f64 },
}

impl Dropout {
    /// For x repeats: the log-chance of having survived them all, and the log-odds
    /// factor of having dropped out after the last.
    fn terms(&self, x: f64) -> (f64, f64) {
        match *self {
            Dropout::Beta { a, b } => (
                lgamma(a + b) + lgamma(b + x) - lgamma(b) - lgamma(a + b + x),
                a.ln() - (b + x - 1.0).ln(),
            ),
            Dropout::Same { p } => (x * (-p).ln_1p(), p.ln() - (-p).ln_1p()),
        }
    }

    /// The gradient of the log-likelihood of `n` customers with x repeats, `gone` of
    /// them (by weight) seen as dropped out, in ln a and ln b (or logit p).
    fn gradient(&self, x: f64, n: f64, gone: f64) -> [f64; 2] {
        match *self {
            Dropout::Beta { a, b } => {
                let d_a = digamma(a + b) - digamma(a + b + x);
                let d_b = digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x);
                let per_b = if x > 0.0 { 1.0 / (b + x - 1.0) } else { 0.0 };
                [a * (n * d_a) + gone, b * (n * d_b - gone * per_b)]
            }
            Dropout::Same { p } => [gone - n * x * p, 0.0],
        }
    }
}

/// The log-likelihood of some groups (sorted by x) and its gradient in ln r, ln α
/// and the two of the dropout.
fn sum_groups(r: f64, alpha: f64, dropout: &Dropout, groups: &[Group], tables: &Tables) -> Sums {
    let mut sums = Sums::default();
    let mut i = 0;
    while i < groups.len() {
        let x_count = groups[i].x;
        let x = f64::from(x_count);
        let end = i + groups[i..].partition_point(|g| g.x == x_count);
        // Terms of x alone.
        let (survived, ln_gone) = dropout.terms(x);
        let front = lgamma(r + x) - lgamma(r) + r * alpha.ln() + survived;
        let d_r = digamma(r + x) - digamma(r) + alpha.ln();
        let (mut value, mut g_time_r, mut g_time_alpha, mut gone, mut n) =
            (0.0, 0.0, 0.0, 0.0, 0.0);
        for g in &groups[i..end] {
            let count = f64::from(g.count);
            let (ln_t, ln_tx) = (tables.ln_time[g.t as usize], tables.ln_time[g.t_x as usize]);
            let alive = -(r + x) * ln_t;
            // The two ways to see the history, added by log-sum-exp; w is the weight
            // of "gone after the last purchase".
            let (ll, w) = if x_count > 0 {
                let other = ln_gone - (r + x) * ln_tx;
                let diff = other - alive;
                let e = (-diff.abs()).exp();
                let w = if diff > 0.0 {
                    1.0 / (1.0 + e)
                } else {
                    e / (1.0 + e)
                };
                (alive.max(other) + e.ln_1p(), w)
            } else {
                (alive, 0.0)
            };
            value += count * ll;
            g_time_r -= count * ((1.0 - w) * ln_t + w * ln_tx);
            g_time_alpha -= count
                * (r + x)
                * ((1.0 - w) * tables.per_time[g.t as usize] + w * tables.per_time[g.t_x as usize]);
            gone += count * w;
            n += count;
        }
        let [d_first, d_second] = dropout.gradient(x, n, gone);
        sums.value += n * front + value;
        sums.gradient[0] += r * (n * d_r + g_time_r);
        sums.gradient[1] += alpha * (n * r / alpha + g_time_alpha);
        sums.gradient[2] += d_first;
        sums.gradient[3] += d_second;
        i = end;
    }
    sums
}

/// ψ, the derivative of ln Γ, for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to
/// x ≥ 10, then the asymptotic series (error below 10⁻¹³ there).
pub fn digamma(x: f64) -> f64 {
    let (mut x, mut result) = (x, 0.0);
    while x < 10.0 {
        result -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    let tail =
        f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f / 132.0))));
    result + x.ln() - 0.5 / x - tail
}

fn from_logs(v: &[f64]) -> BgNbd {
    BgNbd {
        r: v[0].exp(),
        alpha: v[1].exp(),
        a: v[2].exp(),
        b: v[3].exp(),
    }
}

/// Maximum likelihood over the groups (see `optimize`): the mean log-likelihood per
/// customer is maximised over the logarithms of (r, α, a, b), from a start of all
/// ones (α one day), then from other starts if that does not converge. Where a and b
/// run off together, the dropout chance is the same for all: `SameDropout` is fitted.
pub fn fit(groups: &Groups) -> Fit {
    use super::optimize::{minimise, Optimum};
    let n = groups.customers.max(1) as f64;
    let objective = |v: &[f64]| {
        let (ll, gradient) = groups.log_likelihood(&from_logs(v));
        (-ll / n, gradient.iter().map(|g| -g / n).collect())
    };
    // α in the unit's scale: the same start in days and weeks.
    let alpha = groups.unit_days.recip().ln();
    let starts = [
        vec![0.0, alpha, 0.0, 0.0],
        vec![-1.0, alpha + 1.0, -0.5, 0.5],
        vec![1.0, alpha + 3.0, 1.0, 2.0],
    ];
    // One search first: where a and b run off together, restarts cannot help.
    let first = minimise(&objective, &starts[..1]);
    let ran_off = |o: &super::optimize::Optimum| o.point[2].min(o.point[3]) > RUN_OFF.ln();
    let found = if first.converged || ran_off(&first) {
        first
    } else {
        let more = minimise(&objective, &starts[1..]);
        Optimum {
            iterations: first.iterations + more.iterations,
            ..if more.value < first.value {
                more
            } else {
                first
            }
        }
    };
    let beta = from_logs(&found.point);
    let fit = Fit {
        params: Params::BgNbd(beta),
        log_likelihood: -found.value * n,
        converged: found.converged,
        iterations: found.iterations as usize,
        gradient_norm: found.gradient_norm,
        curvature: found.curvature,
    };
    if fit.converged || beta.a.min(beta.b) < RUN_OFF {
        return fit;
    }
    let same = |v: &[f64]| SameDropout {
        r: v[0].exp(),
        alpha: v[1].exp(),
        p: 1.0 / (1.0 + (-v[2]).exp()),
    };
    let objective = |v: &[f64]| {
        let (ll, gradient) = groups.log_likelihood_same(&same(v));
        (-ll / n, gradient.iter().map(|g| -g / n).collect())
    };
    let p = beta.a / (beta.a + beta.b);
    let start = vec![found.point[0], found.point[1], (p / (1.0 - p)).ln()];
    let limit = minimise(&objective, &[start, vec![0.0, alpha, 0.0]]);
    Fit {
        params: Params::SameDropout(same(&limit.point)),
        log_likelihood: -limit.value * n,
        converged: limit.converged,
        iterations: fit.iterations + limit.iterations as usize,
        gradient_norm: limit.gradient_norm,
        curvature: limit.curvature,
    }
}

/// a and b both past this when the BG/NBD fit stops unconverged: they ran off together.
const RUN_OFF: f64 = 1e3;

#[cfg(test)]
mod tests {
    use super::*;

    /// The published CDNOW fit (Fader, Hardie & Lee 2005), weeks.
    const CDNOW: BgNbd = BgNbd {
        r: 0.2426,
        alpha: 4.4136,
        a: 0.7929,
        b: 2.4259,
    };

    #[test]
    fn the_published_conditional_expectation() {
        // Fader, Hardie & Lee 2005: a customer with x = 2, t_x = 30.43, T = 38.86
        // expects 1.2259 purchases in the next 39 weeks.
        let h = History {
            x: 2.0,
            t_x: 30.43,
            t: 38.86,
        };
        let e = CDNOW.expected(&h, 39.0).unwrap();
        assert!((e - 1.2259).abs() < 5e-5, "{e}");
    }

    #[test]
    fn hypergeometric_values() {
        // 2F1(1, 1; 2; z) = −ln(1 − z) / z; 2F1(a, b; b; z) = (1 − z)^−a;
        // 2F1(1/2, 1/2; 3/2; z²) = asin(z) / z.
        for z in [0.0, 0.1, 0.5, 0.7, 0.9, 0.99] {
            let log = if z == 0.0 {
                1.0
            } else {
                -(1.0f64 - z).ln() / z
            };
            assert!(
                (hyp2f1(1.0, 1.0, 2.0, z).unwrap() - log).abs() < 1e-12 * log,
                "{z}"
            );
            let power = (1.0f64 - z).powf(-0.3);
            assert!((hyp2f1(0.3, 2.5, 2.5, z).unwrap() - power).abs() < 1e-12 * power);
            let s = z.sqrt();
            let asin = if z == 0.0 { 1.0 } else { s.asin() / s };
            assert!((hyp2f1(0.5, 0.5, 1.5, z).unwrap() - asin).abs() < 1e-12 * asin);
        }
        assert_eq!(hyp2f1(1.0, 1.0, 2.0, 1.0), Err(ModelError::OutOfRange(1.0)));
        // A series that cannot converge in the terms allowed is an error, not a loop.
        // Terms that fall like j^(c−a−b−1) z^j with c − a − b − 1 = 1, z = 1 − 10⁻¹²:
        // no convergence in the terms allowed.
        assert!(matches!(
            hyp2f1(0.5, 0.5, 3.0, 1.0 - 1e-12),
            Err(ModelError::NoConvergence { .. })
        ));
    }

    /// The CDNOW sample without its amounts, as of 1997-09-30: (x, t_x, T) in days.
    fn cdnow_histories() -> Vec<(u32, u32, u32)> {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/cdnow_sample.csv"
        ))
        .unwrap();
        // Customer and date only: every one of the 2,357 customers counts.
        let text: String = text
            .lines()
            .map(|line| {
                let mut cells = line.split(',');
                format!("{},{}\n", cells.next().unwrap(), cells.next().unwrap())
            })
            .collect();
        let as_of = crate::days::day_of_date(chrono::NaiveDate::from_ymd_opt(1997, 9, 30).unwrap());
        let options = crate::input::occasions::OccasionOptions {
            as_of: Some(as_of),
            ..Default::default()
        };
        let occasions = crate::input::testing::occasions_of(
            &[&text],
            &crate::input::schema::ValueOptions::default(),
            options,
        )
        .unwrap();
        crate::metrics::summary::per_customer(&occasions)
            .unwrap()
            .iter()
            .map(|c| {
                (
                    (c.occasions - 1) as u32,
                    (c.last_day - c.first_day) as u32,
                    (as_of - c.first_day) as u32,
                )
            })
            .collect()
    }

    #[test]
    fn the_published_cdnow_fit() {
        let histories = cdnow_histories();
        assert_eq!(histories.len(), 2357);
        let groups = Groups::of(&histories, 7.0);
        assert_eq!(groups.groups.len(), 1016);
        // At the published parameters, the published log-likelihood.
        let (at_published, _) = groups.log_likelihood(&CDNOW);
        assert!((at_published - -9582.43).abs() < 0.5, "{at_published}");
        let fit = fit(&groups);
        assert!(fit.converged, "{fit:?}");
        let Params::BgNbd(params) = fit.params else {
            panic!("{fit:?}")
        };
        let close = |got: f64, published: f64| (got / published - 1.0).abs() < 5e-4;
        assert!(close(params.r, 0.2426), "{fit:?}");
        assert!(close(params.alpha, 4.4136), "{fit:?}");
        assert!(close(params.a, 0.7929), "{fit:?}");
        assert!(close(params.b, 2.4259), "{fit:?}");
        assert!((fit.log_likelihood - -9582.43).abs() < 0.005, "{fit:?}");
        assert!(fit.gradient_norm < 1e-5, "{fit:?}");
    }

    #[test]
    fn the_unit_changes_the_scale_alone() {
        // In days, α is seven times the weeks' α; r, a and b are the same, and the
        // log-likelihood is less by ln 7 per repeat purchase (a density in time).
        let histories = cdnow_histories();
        let (Params::BgNbd(weeks), Params::BgNbd(days)) = (
            fit(&Groups::of(&histories, 7.0)).params,
            fit(&Groups::of(&histories, 1.0)).params,
        ) else {
            panic!("the CDNOW fit has a spread in dropout")
        };
        let close = |x: f64, y: f64| (x / y - 1.0).abs() < 1e-5;
        assert!(close(days.r, weeks.r), "{days:?} {weeks:?}");
        assert!(close(days.alpha, 7.0 * weeks.alpha), "{days:?} {weeks:?}");
        assert!(close(days.a, weeks.a), "{days:?} {weeks:?}");
        assert!(close(days.b, weeks.b), "{days:?} {weeks:?}");
        let repeats: f64 = histories.iter().map(|h| f64::from(h.0)).sum();
        let groups = |unit| Groups::of(&histories, unit);
        let shift = groups(7.0).log_likelihood(&weeks).0 - groups(1.0).log_likelihood(&days).0;
        assert!((shift - repeats * 7f64.ln()).abs() < 1e-3, "{shift}");
    }

    #[test]
    fn the_gradient_is_the_slope_of_the_likelihood() {
        let groups = Groups::of(&cdnow_histories(), 7.0);
        let (_, gradient) = groups.log_likelihood(&CDNOW);
        let logs = [CDNOW.r.ln(), CDNOW.alpha.ln(), CDNOW.a.ln(), CDNOW.b.ln()];
        for i in 0..4 {
            let h = 1e-6;
            let (mut up, mut down) = (logs.to_vec(), logs.to_vec());
            up[i] += h;
            down[i] -= h;
            let slope = (groups.log_likelihood(&from_logs(&up)).0
                - groups.log_likelihood(&from_logs(&down)).0)
                / (2.0 * h);
            assert!(
                (slope - gradient[i]).abs() < 1e-4 * slope.abs().max(1.0),
                "{i}: {slope} {}",
                gradient[i]
            );
        }
    }

    #[test]
    fn one_dropout_chance_is_the_limit_of_the_bgnbd() {
        // a = pK, b = (1 − p)K for a large K: the same P(alive), expectation and
        // likelihood as the limit model, to the precision K allows (1/K). The
        // expectation's z is above 0.9 for the last history, where the Euler
        // transform overflows and the plain series is summed.
        let same = SameDropout {
            r: 0.5,
            alpha: 3.0,
            p: 0.2,
        };
        let k = 1e6;
        let beta = BgNbd {
            r: same.r,
            alpha: same.alpha,
            a: same.p * k,
            b: (1.0 - same.p) * k,
        };
        for h in [
            History {
                x: 0.0,
                t_x: 0.0,
                t: 20.0,
            },
            History {
                x: 3.0,
                t_x: 12.5,
                t: 30.0,
            },
            History {
                x: 9.0,
                t_x: 29.0,
                t: 30.0,
            },
        ] {
            assert!((same.p_alive(&h) - beta.p_alive(&h)).abs() < 1e-5, "{h:?}");
            let (e_same, e_beta) = (same.expected(&h, 26.0), beta.expected(&h, 26.0).unwrap());
            assert!(
                (e_same - e_beta).abs() < 1e-4 * e_beta.max(1.0),
                "{h:?} {e_same} {e_beta}"
            );
        }
        let groups = Groups::of(&[(0, 0, 40), (2, 10, 40), (5, 33, 35)], 1.0);
        let (ll_same, gradient) = groups.log_likelihood_same(&same);
        let ll_beta = groups.log_likelihood(&beta).0;
        assert!((ll_same - ll_beta).abs() < 1e-4, "{ll_same} {ll_beta}");
        // The gradient in logit p against the slope.
        let at = |p: f64| groups.log_likelihood_same(&SameDropout { p, ..same }).0;
        let logit = (same.p / (1.0 - same.p)).ln();
        let h = 1e-6;
        let p_of = |l: f64| 1.0 / (1.0 + (-l).exp());
        let slope = (at(p_of(logit + h)) - at(p_of(logit - h))) / (2.0 * h);
        assert!(
            (slope - gradient[2]).abs() < 1e-5,
            "{slope} {}",
            gradient[2]
        );
    }

    #[test]
    fn dropout_alike_for_all_is_fitted_as_the_limit() {
        // Customers who each buy every 10 days, dropping out after each purchase with
        // chance 0.25, the same for all: the BG/NBD's a and b run off, and the limit
        // model is fitted in its place (p near 0.25).
        let mut histories = Vec::new();
        let mut seed = 7u64;
        let mut uniform = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..4000 {
            let t = 200;
            let (mut x, mut last, mut day) = (0u32, 0u32, 0f64);
            loop {
                if uniform() < 0.25 {
                    break;
                }
                day += -10.0 * (1.0 - uniform()).ln();
                if day > f64::from(t) {
                    break;
                }
                x += 1;
                last = day as u32;
            }
            histories.push((x, last, t));
        }
        let found = fit(&Groups::of(&histories, 1.0));
        assert!(found.converged, "{found:?}");
        let Params::SameDropout(same) = found.params else {
            panic!("{found:?}")
        };
        assert!((same.p - 0.25).abs() < 0.03, "{found:?}");
    }

    #[test]
    fn digamma_values() {
        // ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2, ψ(10) = H₉ − γ.
        let euler = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + euler).abs() < 1e-12);
        assert!((digamma(0.5) + euler + 2.0 * 2f64.ln()).abs() < 1e-12);
        let h9: f64 = (1..10).map(|k| 1.0 / f64::from(k)).sum();
        assert!((digamma(10.0) - (h9 - euler)).abs() < 1e-12);
    }

    #[test]
    fn one_history_per_group() {
        let groups = Groups::of(&[(1, 5, 9), (0, 0, 3), (1, 5, 9), (1, 2, 9)], 1.0);
        let seen: Vec<(u32, u32, u32, u32)> = groups
            .groups
            .iter()
            .map(|g| (g.x, g.t_x, g.t, g.count))
            .collect();
        assert_eq!(seen, [(0, 0, 3, 1), (1, 2, 9, 1), (1, 5, 9, 2)]);
        assert_eq!(groups.find(1, 5, 9), Some(2));
        assert_eq!(groups.find(1, 5, 8), None);
        assert_eq!(groups.customers, 4);
    }
}
