//! Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"): each customer's occasions
//! are worth a Gamma(p, ν) amount around a mean spend of their own, ν itself
//! Gamma(q, γ) across customers. Fitted on the customers with repeat occasions, on
//! the mean amount of those repeats (the first occasion left out) — and independent of
//! the BG/NBD, so a customer's expected spend does not depend on how often they buy.

use libm::lgamma;

use super::bgnbd::digamma;
use super::optimize::minimise;

/// The three parameters: shape p of each occasion's amount, shape q and scale γ of
/// the customers' spend rates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GammaGamma {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
}

/// A customer in the model's terms: x repeat occasions of mean amount `mean`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spend {
    pub x: u32,
    pub mean: f64,
}

/// A fit: the parameters, the log-likelihood and how the search ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub params: GammaGamma,
    pub log_likelihood: f64,
    pub converged: bool,
    pub iterations: usize,
    pub gradient_norm: f64,
    /// The smallest curvature of the mean log-likelihood at the end (see `optimize`).
    pub curvature: f64,
    pub customers: u64,
}

impl GammaGamma {
    /// The expected mean amount of a customer's future occasions given x repeats of
    /// mean `mean` (for x = 0, the mean over all customers: p γ / (q − 1)); `None`
    /// where q ≤ 1 leaves the mean undefined.
    pub fn expected_spend(&self, spend: &Spend) -> Option<f64> {
        let x = f64::from(spend.x);
        let below = self.p * x + self.q - 1.0;
        (self.q > 1.0 && below > 0.0).then(|| self.p * (self.gamma + x * spend.mean) / below)
    }
}

/// Spends prepared for the fit: sorted by x, with the logarithms that do not change.
pub struct Spends {
    /// (x, mean, ln mean), sorted by x.
    rows: Vec<(u32, f64, f64)>,
}

impl Spends {
    /// Only customers with x > 0 and a mean above 0 take part.
    pub fn of(spends: &[Spend]) -> Spends {
        let mut rows: Vec<(u32, f64, f64)> = spends
            .iter()
            .filter(|s| s.x > 0 && s.mean > 0.0)
            .map(|s| (s.x, s.mean, s.mean.ln()))
            .collect();
        rows.sort_unstable_by_key(|r| r.0);
        Spends { rows }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The log-likelihood at `params` and its gradient in the logarithms of (p, q, γ).
    pub fn log_likelihood(&self, params: &GammaGamma) -> (f64, [f64; 3]) {
        let GammaGamma { p, q, gamma } = *params;
        let (mut value, mut g) = (0.0, [0.0f64; 3]);
        let mut i = 0;
        while i < self.rows.len() {
            let x_count = self.rows[i].0;
            let end = i + self.rows[i..].partition_point(|r| r.0 == x_count);
            let x = f64::from(x_count);
            let px = p * x;
            let front = lgamma(px + q) - lgamma(px) - lgamma(q) + q * gamma.ln() + px * x.ln();
            let (psi_all, psi_px, psi_q) = (digamma(px + q), digamma(px), digamma(q));
            let n = (end - i) as f64;
            let (mut ln_means, mut ln_totals, mut per_totals) = (0.0, 0.0, 0.0);
            for &(_, mean, ln_mean) in &self.rows[i..end] {
                let total = gamma + x * mean;
                ln_means += ln_mean;
                ln_totals += total.ln();
                per_totals += 1.0 / total;
            }
            value += n * front + (px - 1.0) * ln_means - (px + q) * ln_totals;
            g[0] += x * (n * (psi_all - psi_px + x.ln()) + ln_means - ln_totals);
            g[1] += n * (psi_all - psi_q + gamma.ln()) - ln_totals;
            g[2] += n * q / gamma - (px + q) * per_totals;
            i = end;
        }
        (value, [p * g[0], q * g[1], gamma * g[2]])
    }
}

/// Maximum likelihood over the spends, on the logarithms of (p, q, γ); `None` without
/// a customer to fit on.
pub fn fit(spends: &Spends) -> Option<Fit> {
    if spends.is_empty() {
        return None;
    }
    let n = spends.len() as f64;
    let from_logs = |v: &[f64]| GammaGamma {
        p: v[0].exp(),
        q: v[1].exp(),
        gamma: v[2].exp(),
    };
    let objective = |v: &[f64]| {
        let (ll, gradient) = spends.log_likelihood(&from_logs(v));
        (-ll / n, gradient.iter().map(|g| -g / n).collect())
    };
    // γ on the scale of the amounts: the same start whatever the currency.
    let typical = spends.rows.iter().map(|r| r.2).sum::<f64>() / n;
    let starts = [
        vec![0.0, 0.0, typical],
        vec![1.0, 1.0, typical + 1.0],
        vec![2.0, 1.5, typical + 2.0],
    ];
    let found = minimise(&objective, &starts);
    Some(Fit {
        params: from_logs(&found.point),
        log_likelihood: -found.value * n,
        converged: found.converged,
        iterations: found.iterations as usize,
        gradient_norm: found.gradient_norm,
        curvature: found.curvature,
        customers: spends.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expected_spend_by_hand() {
        // p = 6, q = 4, γ = 15: 3 repeats of mean 20 expect 6 (15 + 60) / (18 + 3) =
        // 21.43; none expect p γ / (q − 1) = 30.
        let model = GammaGamma {
            p: 6.0,
            q: 4.0,
            gamma: 15.0,
        };
        let three = model.expected_spend(&Spend { x: 3, mean: 20.0 }).unwrap();
        assert!((three - 450.0 / 21.0).abs() < 1e-12, "{three}");
        assert_eq!(model.expected_spend(&Spend { x: 0, mean: 0.0 }), Some(30.0));
        let undefined = GammaGamma { q: 0.9, ..model };
        assert_eq!(undefined.expected_spend(&Spend { x: 3, mean: 20.0 }), None);
    }

    #[test]
    fn the_gradient_is_the_slope_of_the_likelihood() {
        let spends = Spends::of(&[
            Spend { x: 1, mean: 12.5 },
            Spend { x: 2, mean: 30.0 },
            Spend { x: 2, mean: 8.25 },
            Spend { x: 5, mean: 41.0 },
            Spend { x: 0, mean: 99.0 },
        ]);
        assert_eq!(spends.len(), 4);
        let at = [0.4f64, 1.1, 2.3];
        let params = |v: &[f64]| GammaGamma {
            p: v[0].exp(),
            q: v[1].exp(),
            gamma: v[2].exp(),
        };
        let (_, gradient) = spends.log_likelihood(&params(&at));
        for i in 0..3 {
            let h = 1e-6;
            let (mut up, mut down) = (at, at);
            up[i] += h;
            down[i] -= h;
            let slope = (spends.log_likelihood(&params(&up)).0
                - spends.log_likelihood(&params(&down)).0)
                / (2.0 * h);
            assert!(
                (slope - gradient[i]).abs() < 1e-6 * slope.abs().max(1.0),
                "{i}"
            );
        }
    }
}
