//! Kaplan–Meier estimate of the time to an event with right-censored observations
//! (contract §2, `repeat_within`): origin = first occasion, event = second occasion,
//! customers without a second occasion censored at as-of − first.

/// The estimated survival curve S(t) = P(no event by t).
#[derive(Clone, Debug, PartialEq)]
pub struct SurvivalCurve {
    /// (event time, S just after it), ascending in time.
    steps: Vec<(i64, f64)>,
    /// The longest time observed, event or censoring.
    longest: Option<i64>,
}

/// One subject: time observed and whether the event happened then (else censored).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Observation {
    pub time: i64,
    pub event: bool,
}

impl SurvivalCurve {
    /// The product-limit estimator. At a time with both events and censorings, the
    /// censored subjects count as still at risk (the usual convention).
    pub fn estimate(observations: &[Observation]) -> SurvivalCurve {
        let mut sorted = observations.to_vec();
        sorted.sort_unstable();
        let mut steps = Vec::new();
        let mut survival = 1.0;
        let mut at_risk = sorted.len();
        let mut i = 0;
        while i < sorted.len() {
            let time = sorted[i].time;
            let same_time = sorted[i..].iter().take_while(|o| o.time == time).count();
            let events = sorted[i..i + same_time].iter().filter(|o| o.event).count();
            if events > 0 {
                survival *= 1.0 - events as f64 / at_risk as f64;
                steps.push((time, survival));
            }
            at_risk -= same_time;
            i += same_time;
        }
        SurvivalCurve {
            steps,
            longest: sorted.last().map(|o| o.time),
        }
    }

    /// S(t): the share still without the event after time t.
    pub fn survival(&self, t: i64) -> f64 {
        self.steps
            .iter()
            .take_while(|(time, _)| *time <= t)
            .last()
            .map_or(1.0, |(_, s)| *s)
    }

    /// P(event within t) = 1 − S(t); `None` where t exceeds the longest observed time.
    pub fn probability_within(&self, t: i64) -> Option<f64> {
        match self.longest {
            Some(longest) if t <= longest => Some(1.0 - self.survival(t)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(time: i64) -> Observation {
        Observation { time, event: true }
    }
    fn censored(time: i64) -> Observation {
        Observation { time, event: false }
    }

    #[test]
    fn without_censoring_it_is_the_empirical_share() {
        let curve = SurvivalCurve::estimate(&[event(10), event(20), event(20), event(40)]);
        assert_eq!(curve.probability_within(9), Some(0.0));
        assert_eq!(curve.probability_within(10), Some(0.25));
        assert_eq!(curve.probability_within(30), Some(0.75));
        assert_eq!(curve.probability_within(40), Some(1.0));
        assert_eq!(curve.probability_within(41), None);
    }

    #[test]
    fn censored_customers_leave_the_risk_set() {
        // Times: event 5, censored 8, event 12, censored 12, censored 30.
        // At 5: 5 at risk, 1 event → S = 4/5.
        // At 12: 3 at risk (the one censored at 8 has left; the one censored at 12 is
        // still at risk), 1 event → S = 4/5 · 2/3 = 8/15.
        let curve = SurvivalCurve::estimate(&[
            event(5),
            censored(8),
            event(12),
            censored(12),
            censored(30),
        ]);
        assert_eq!(curve.probability_within(4), Some(0.0));
        assert!((curve.probability_within(5).unwrap() - 0.2).abs() < 1e-12);
        assert!((curve.probability_within(11).unwrap() - 0.2).abs() < 1e-12);
        assert!((curve.probability_within(12).unwrap() - 7.0 / 15.0).abs() < 1e-12);
        assert!((curve.probability_within(30).unwrap() - 7.0 / 15.0).abs() < 1e-12);
        assert_eq!(curve.probability_within(31), None);
    }

    #[test]
    fn nobody_observed_means_no_estimate() {
        let curve = SurvivalCurve::estimate(&[]);
        assert_eq!(curve.probability_within(0), None);
    }
}
