//! Maximum likelihood for the models of `rebuy predict`: L-BFGS (argmin) with a
//! Moré–Thuente line search on the logarithms of the parameters, which keeps them
//! positive without bounds. The objective gives its value and gradient in one pass
//! over the customers; argmin asks for them separately, so the last pair is kept.

use std::cell::RefCell;

use argmin::core::{CostFunction, Executor, Gradient, State, TerminationReason};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;

/// Where a search ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Optimum {
    /// The logarithms of the parameters.
    pub point: Vec<f64>,
    /// The objective there (a mean negative log-likelihood per customer).
    pub value: f64,
    pub iterations: u64,
    /// The norm of the objective's gradient in the log-parameters, at `point`.
    pub gradient_norm: f64,
    /// The smallest curvature of the objective at `point` (the smallest eigenvalue of
    /// its Hessian): near 0 where the objective is flat along some direction, as when
    /// parameters run off towards 0 or infinity and the data do not pin them down.
    pub curvature: f64,
    /// The search stopped on its own criteria, with the gradient below
    /// `GRADIENT_LIMIT` and the curvature above `CURVATURE_LIMIT`: a true minimum.
    pub converged: bool,
}

/// A gradient norm (of the mean log-likelihood per customer, in log-parameters) below
/// which a fit counts as converged.
pub const GRADIENT_LIMIT: f64 = 1e-5;

/// A smallest curvature (of the mean negative log-likelihood per customer, in
/// log-parameters) below which the minimum is not pinned down: a fit that drifts to
/// the edge of the parameter space ends with a tiny gradient but a flat objective.
pub const CURVATURE_LIMIT: f64 = 1e-6;

/// Iterations of one search at most.
const MAX_ITERATIONS: u64 = 1_000;

/// A point with the objective's value and gradient there.
type Evaluation = (Vec<f64>, f64, Vec<f64>);

struct Problem<'a, F: Fn(&[f64]) -> (f64, Vec<f64>)> {
    objective: &'a F,
    last: RefCell<Option<Evaluation>>,
}

impl<F: Fn(&[f64]) -> (f64, Vec<f64>)> Problem<'_, F> {
    fn at(&self, point: &[f64]) -> (f64, Vec<f64>) {
        if let Some((p, value, gradient)) = &*self.last.borrow() {
            if p.as_slice() == point {
                return (*value, gradient.clone());
            }
        }
        let (value, gradient) = (self.objective)(point);
        // A point where the likelihood is not finite is no optimum: an infinite
        // value makes the line search step back.
        let value = if value.is_finite() {
            value
        } else {
            f64::INFINITY
        };
        *self.last.borrow_mut() = Some((point.to_vec(), value, gradient.clone()));
        (value, gradient)
    }
}

impl<F: Fn(&[f64]) -> (f64, Vec<f64>)> CostFunction for Problem<'_, F> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        Ok(self.at(p).0)
    }
}

impl<F: Fn(&[f64]) -> (f64, Vec<f64>)> Gradient for Problem<'_, F> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, p: &Vec<f64>) -> Result<Vec<f64>, argmin::core::Error> {
        Ok(self.at(p).1)
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|g| g * g).sum::<f64>().sqrt()
}

/// Minimises `objective` (value and gradient) from each start in turn, each search
/// going on from the best point so far, until one ends converged; the best point
/// found either way.
pub fn minimise(objective: &impl Fn(&[f64]) -> (f64, Vec<f64>), starts: &[Vec<f64>]) -> Optimum {
    let mut best: Option<Optimum> = None;
    let mut iterations = 0;
    for start in starts {
        // Before each new start, the search goes on from the best point so far with
        // a fresh memory.
        let mut froms = vec![start.clone()];
        if let Some(b) = best.as_ref().filter(|b| b.value.is_finite()) {
            froms.insert(0, b.point.clone());
        }
        for from in froms {
            let found = search(objective, from);
            iterations += found.iterations;
            let better = best.as_ref().is_none_or(|b| found.value < b.value);
            if better {
                best = Some(found);
            }
            if let Some(b) = &mut best {
                b.iterations = iterations;
                if b.converged {
                    return b.clone();
                }
            }
        }
    }
    best.expect("at least one start")
}

fn search(objective: &impl Fn(&[f64]) -> (f64, Vec<f64>), start: Vec<f64>) -> Optimum {
    let problem = Problem {
        objective,
        last: RefCell::new(None),
    };
    let failed = |point: Vec<f64>| Optimum {
        value: f64::INFINITY,
        gradient_norm: f64::INFINITY,
        curvature: 0.0,
        point,
        iterations: 0,
        converged: false,
    };
    let solver = match LBFGS::new(MoreThuenteLineSearch::new(), 7)
        .with_tolerance_grad(GRADIENT_LIMIT / 10.0)
        .and_then(|s| s.with_tolerance_cost(1e-15))
    {
        Ok(solver) => solver,
        Err(_) => return failed(start),
    };
    let run = Executor::new(problem, solver)
        .configure(|state| state.param(start.clone()).max_iters(MAX_ITERATIONS))
        .run();
    let Ok(run) = run else {
        return failed(start);
    };
    let state = run.state();
    let Some(point) = state.get_best_param().cloned() else {
        return failed(start);
    };
    let (value, gradient) = objective(&point);
    let gradient_norm = norm(&gradient);
    let stopped = matches!(
        state.get_termination_reason(),
        Some(TerminationReason::SolverConverged)
    );
    let curvature = smallest_eigenvalue(hessian(objective, &point));
    Optimum {
        converged: stopped
            && value.is_finite()
            && gradient_norm < GRADIENT_LIMIT
            && curvature > CURVATURE_LIMIT,
        curvature,
        iterations: state.get_iter(),
        value,
        gradient_norm,
        point,
    }
}

/// The Hessian at `point`, by central differences of the gradient, made symmetric.
fn hessian(objective: &impl Fn(&[f64]) -> (f64, Vec<f64>), point: &[f64]) -> Vec<Vec<f64>> {
    let n = point.len();
    let step = 1e-4;
    let mut h: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            let (mut up, mut down) = (point.to_vec(), point.to_vec());
            up[i] += step;
            down[i] -= step;
            let (g_up, g_down) = (objective(&up).1, objective(&down).1);
            g_up.iter()
                .zip(&g_down)
                .map(|(u, d)| (u - d) / (2.0 * step))
                .collect()
        })
        .collect();
    let transposed: Vec<Vec<f64>> = (0..n)
        .map(|j| h.iter().map(|row| row[j]).collect())
        .collect();
    for (row, column) in h.iter_mut().zip(transposed) {
        for (value, other) in row.iter_mut().zip(column) {
            *value = (*value + other) / 2.0;
        }
    }
    h
}

/// The smallest eigenvalue of a small symmetric matrix, by Jacobi rotations (NaN if
/// the matrix holds one).
fn smallest_eigenvalue(mut m: Vec<Vec<f64>>) -> f64 {
    let n = m.len();
    for _ in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i][j] * m[i][j])
            .sum();
        if off.is_nan() || off <= 1e-30 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if m[p][q] == 0.0 {
                    continue;
                }
                let theta = (m[q][q] - m[p][p]) / (2.0 * m[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for row in m.iter_mut() {
                    let (kp, kq) = (row[p], row[q]);
                    row[p] = c * kp - s * kq;
                    row[q] = s * kp + c * kq;
                }
                let (row_p, row_q) = (m[p].clone(), m[q].clone());
                for (k, (pk, qk)) in row_p.into_iter().zip(row_q).enumerate() {
                    m[p][k] = c * pk - s * qk;
                    m[q][k] = s * pk + c * qk;
                }
            }
        }
    }
    (0..n).map(|i| m[i][i]).fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_curved_valley() {
        // Rosenbrock's valley: minimum 0 at (1, 1).
        let f = |p: &[f64]| {
            let (x, y) = (p[0], p[1]);
            let value = (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2);
            let gradient = vec![
                -2.0 * (1.0 - x) - 400.0 * x * (y - x * x),
                200.0 * (y - x * x),
            ];
            (value, gradient)
        };
        let found = minimise(&f, &[vec![-1.2, 1.0]]);
        assert!(found.converged, "{found:?}");
        assert!((found.point[0] - 1.0).abs() < 1e-5, "{found:?}");
        assert!((found.point[1] - 1.0).abs() < 1e-5, "{found:?}");
    }

    #[test]
    fn eigenvalues_by_hand() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3; a diagonal matrix its diagonal.
        let two = smallest_eigenvalue(vec![vec![2.0, 1.0], vec![1.0, 2.0]]);
        assert!((two - 1.0).abs() < 1e-12, "{two}");
        let m = vec![
            vec![4.0, 1.0, 0.0, 0.5],
            vec![1.0, 3.0, 0.2, 0.0],
            vec![0.0, 0.2, 5.0, 1.0],
            vec![0.5, 0.0, 1.0, 0.25],
        ];
        let low = smallest_eigenvalue(m.clone());
        // det(m − λI) = 0 at the smallest eigenvalue: checked through m − λI being
        // singular (its determinant by cofactors, tiny against the entries).
        let shifted: Vec<Vec<f64>> = (0..4)
            .map(|i| {
                (0..4)
                    .map(|j| m[i][j] - if i == j { low } else { 0.0 })
                    .collect()
            })
            .collect();
        assert!(determinant(&shifted).abs() < 1e-9, "{low}");
        // Below the smallest diagonal entry (and here below 0: m is indefinite).
        assert!(low < 0.0, "{low}");
    }

    fn determinant(m: &[Vec<f64>]) -> f64 {
        if m.len() == 1 {
            return m[0][0];
        }
        (0..m.len())
            .map(|j| {
                let minor: Vec<Vec<f64>> = m[1..]
                    .iter()
                    .map(|row| {
                        row.iter()
                            .enumerate()
                            .filter(|(k, _)| *k != j)
                            .map(|(_, v)| *v)
                            .collect()
                    })
                    .collect();
                let sign = if j % 2 == 0 { 1.0 } else { -1.0 };
                sign * m[0][j] * determinant(&minor)
            })
            .sum()
    }

    #[test]
    fn a_flat_valley_is_no_minimum() {
        // (x − y)²: every point with x = y is a minimum; the objective is flat along
        // that line, so the search ends with no gradient but is not converged.
        let f = |p: &[f64]| {
            let d = p[0] - p[1];
            (d * d, vec![2.0 * d, -2.0 * d])
        };
        let found = minimise(&f, &[vec![3.0, -1.0]]);
        assert!(found.gradient_norm < GRADIENT_LIMIT, "{found:?}");
        assert!(found.curvature.abs() < CURVATURE_LIMIT, "{found:?}");
        assert!(!found.converged, "{found:?}");
    }

    #[test]
    fn a_function_without_a_minimum_does_not_converge() {
        // −e^x falls without end as x grows: no search can end converged.
        let f = |p: &[f64]| (-p[0].exp(), vec![-p[0].exp()]);
        let found = minimise(&f, &[vec![0.0], vec![1.0]]);
        assert!(!found.converged, "{found:?}");
    }
}
