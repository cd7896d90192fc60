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

/// A fit: the parameters, the log-likelihood there and how the search ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub params: BgNbd,
    pub log_likelihood: f64,
    pub converged: bool,
    pub iterations: usize,
    /// The norm of the log-likelihood's gradient in the log-parameters, at the end
    /// (central differences).
    pub gradient_norm: f64,
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

/// ln(e^x + e^y) without overflow.
fn log_sum_exp(x: f64, y: f64) -> f64 {
    let high = x.max(y);
    high + ((x - high).exp() + (y - high).exp()).ln()
}

impl BgNbd {
    /// The log-likelihood of one customer, in its stable form: the two ways to see
    /// the history (alive at T, or gone after the last purchase) added by log-sum-exp.
    pub fn log_likelihood(&self, h: &History) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let x = h.x;
        let a1 = lgamma(r + x) - lgamma(r) + r * alpha.ln();
        let a2 = lgamma(a + b) + lgamma(b + x) - lgamma(b) - lgamma(a + b + x);
        let alive = -(r + x) * (alpha + h.t).ln();
        if x > 0.0 {
            let gone = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + h.t_x).ln();
            a1 + a2 + log_sum_exp(alive, gone)
        } else {
            a1 + a2 + alive
        }
    }

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

/// The Gaussian hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1. Above z = ½
/// the Euler transform (1 − z)^(c−a−b) ₂F₁(c − a, c − b; c; z) is summed instead, whose
/// terms fall faster there. Terms are products of ratios; the sum stops when a term
/// changes it by less than one part in 10¹⁵, and fails after `MAX_TERMS`.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Result<f64, ModelError> {
    if !(0.0..1.0).contains(&z) {
        return Err(ModelError::OutOfRange(z));
    }
    if z > 0.5 {
        let ln_front = (c - a - b) * (1.0 - z).ln();
        return Ok(ln_front.exp() * series(c - a, c - b, c, z)?);
    }
    series(a, b, c, z)
}

fn series(a: f64, b: f64, c: f64, z: f64) -> Result<f64, ModelError> {
    let (mut term, mut sum) = (1.0f64, 1.0f64);
    for j in 0..MAX_TERMS {
        let j = j as f64;
        term *= (a + j) * (b + j) / ((c + j) * (j + 1.0)) * z;
        sum += term;
        if !sum.is_finite() {
            break;
        }
        if term.abs() <= sum.abs() * 1e-15 {
            return Ok(sum);
        }
    }
    Err(ModelError::NoConvergence {
        a,
        b,
        c,
        z,
        terms: MAX_TERMS,
    })
}

/// Distinct histories with how many customers have each: the likelihood is summed
/// over these, not over every customer.
pub fn compress(histories: &[History]) -> Vec<(History, f64)> {
    let mut keys: Vec<(u64, u64, u64)> = histories
        .iter()
        .map(|h| (h.x.to_bits(), h.t_x.to_bits(), h.t.to_bits()))
        .collect();
    keys.sort_unstable();
    let mut out: Vec<(History, f64)> = Vec::new();
    for key in keys {
        let h = History {
            x: f64::from_bits(key.0),
            t_x: f64::from_bits(key.1),
            t: f64::from_bits(key.2),
        };
        match out.last_mut() {
            Some((last, count)) if *last == h => *count += 1.0,
            _ => out.push((h, 1.0)),
        }
    }
    out
}

/// The total log-likelihood of compressed histories.
pub fn total_log_likelihood(params: &BgNbd, groups: &[(History, f64)]) -> f64 {
    groups
        .iter()
        .map(|(h, count)| count * params.log_likelihood(h))
        .sum()
}

fn from_logs(v: &[f64; 4]) -> BgNbd {
    BgNbd {
        r: v[0].exp(),
        alpha: v[1].exp(),
        a: v[2].exp(),
        b: v[3].exp(),
    }
}

/// Maximum likelihood by Nelder–Mead on the logarithms of the parameters, restarted
/// from the best point until a restart no longer improves it.
pub fn fit(groups: &[(History, f64)]) -> Fit {
    let objective = |v: &[f64; 4]| {
        let ll = total_log_likelihood(&from_logs(v), groups);
        if ll.is_finite() {
            -ll
        } else {
            f64::INFINITY
        }
    };
    let mut start = [0.0f64; 4];
    let (mut best, mut iterations, mut converged) = (f64::INFINITY, 0, false);
    for _ in 0..10 {
        let (point, value, steps, done) = nelder_mead(&objective, start, 5_000);
        iterations += steps;
        let improved = best - value;
        start = point;
        best = best.min(value);
        if done && improved.abs() < 1e-9 {
            converged = true;
            break;
        }
    }
    let gradient_norm = gradient(&objective, &start)
        .iter()
        .map(|g| g * g)
        .sum::<f64>()
        .sqrt();
    Fit {
        params: from_logs(&start),
        log_likelihood: -best,
        converged: converged && gradient_norm < 1e-3,
        iterations,
        gradient_norm,
    }
}

fn gradient(f: &impl Fn(&[f64; 4]) -> f64, at: &[f64; 4]) -> [f64; 4] {
    let mut g = [0.0; 4];
    for (i, slot) in g.iter_mut().enumerate() {
        let h = 1e-6;
        let (mut up, mut down) = (*at, *at);
        up[i] += h;
        down[i] -= h;
        *slot = (f(&up) - f(&down)) / (2.0 * h);
    }
    g
}

/// Nelder–Mead from `start` (simplex steps of 0.5): the best point, its value, the
/// iterations and whether the simplex shrank below the tolerance.
fn nelder_mead(
    f: &impl Fn(&[f64; 4]) -> f64,
    start: [f64; 4],
    limit: usize,
) -> ([f64; 4], f64, usize, bool) {
    let mut simplex: Vec<([f64; 4], f64)> = (0..5)
        .map(|k| {
            let mut p = start;
            if k > 0 {
                p[k - 1] += 0.5;
            }
            (p, f(&p))
        })
        .collect();
    for iteration in 0..limit {
        simplex.sort_by(|x, y| x.1.total_cmp(&y.1));
        let spread = simplex[4].1 - simplex[0].1;
        let size = simplex[1..]
            .iter()
            .flat_map(|(p, _)| p.iter().zip(&simplex[0].0).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        if spread.abs() < 1e-12 && size < 1e-9 {
            return (simplex[0].0, simplex[0].1, iteration, true);
        }
        let mut centre = [0.0; 4];
        for (p, _) in &simplex[..4] {
            for i in 0..4 {
                centre[i] += p[i] / 4.0;
            }
        }
        let along = |t: f64| {
            let mut p = [0.0; 4];
            for i in 0..4 {
                p[i] = centre[i] + t * (simplex[4].0[i] - centre[i]);
            }
            p
        };
        let reflected = along(-1.0);
        let fr = f(&reflected);
        if fr < simplex[0].1 {
            let expanded = along(-2.0);
            let fe = f(&expanded);
            simplex[4] = if fe < fr {
                (expanded, fe)
            } else {
                (reflected, fr)
            };
        } else if fr < simplex[3].1 {
            simplex[4] = (reflected, fr);
        } else {
            let contracted = if fr < simplex[4].1 {
                along(-0.5)
            } else {
                along(0.5)
            };
            let fc = f(&contracted);
            if fc < simplex[4].1.min(fr) {
                simplex[4] = (contracted, fc);
            } else {
                let best = simplex[0].0;
                for (p, v) in simplex.iter_mut().skip(1) {
                    for i in 0..4 {
                        p[i] = best[i] + 0.5 * (p[i] - best[i]);
                    }
                    *v = f(p);
                }
            }
        }
    }
    simplex.sort_by(|x, y| x.1.total_cmp(&y.1));
    (simplex[0].0, simplex[0].1, limit, false)
}

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

    /// The CDNOW sample without its amounts, as of 1997-09-30, in weeks.
    fn cdnow_histories() -> Vec<History> {
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
            .map(|c| History {
                x: (c.occasions - 1) as f64,
                t_x: f64::from(c.last_day - c.first_day) / 7.0,
                t: f64::from(as_of - c.first_day) / 7.0,
            })
            .collect()
    }

    #[test]
    fn the_published_cdnow_fit() {
        let histories = cdnow_histories();
        assert_eq!(histories.len(), 2357);
        let groups = compress(&histories);
        // At the published parameters, the published log-likelihood.
        let at_published = total_log_likelihood(&CDNOW, &groups);
        assert!((at_published - -9582.43).abs() < 0.5, "{at_published}");
        let fit = fit(&groups);
        assert!(fit.converged, "{fit:?}");
        let close = |got: f64, published: f64| (got / published - 1.0).abs() < 5e-4;
        assert!(close(fit.params.r, 0.2426), "{fit:?}");
        assert!(close(fit.params.alpha, 4.4136), "{fit:?}");
        assert!(close(fit.params.a, 0.7929), "{fit:?}");
        assert!(close(fit.params.b, 2.4259), "{fit:?}");
        assert!((fit.log_likelihood - -9582.43).abs() < 0.05, "{fit:?}");
    }
}
