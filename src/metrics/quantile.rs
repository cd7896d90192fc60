//! Quantiles with linear interpolation between order statistics (the "type 7"
//! definition of contract §2), and means.

/// The `p` quantile (0 ≤ p ≤ 1) of values already sorted ascending; `None` when empty.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let below = h.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    Some(sorted[below] + (h - below as f64) * (sorted[above] - sorted[below]))
}

/// Arithmetic mean; `None` when empty.
pub fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        None
    } else {
        Some(values.iter().sum::<f64>() / values.len() as f64)
    }
}

/// `numerator / denominator`, `None` when the denominator is zero.
pub fn ratio(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator != 0.0).then(|| numerator / denominator)
}

/// The mean of money (`total` in ten-thousandths over `count`) in currency units,
/// rounded to the fourth decimal, halves away from zero: exactly, in integers, so that
/// 101676.93 over 200 is 508.3847 (through floating point it can come out 508.3846).
pub fn money_mean(total: i128, count: i64) -> Option<f64> {
    (count > 0).then(|| {
        let count = i128::from(count);
        let rounded = (2 * total.abs() + count) / (2 * count) * total.signum();
        rounded as f64 / crate::money::SCALE as f64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_7_interpolates_between_order_statistics() {
        let x = [1.0, 2.0, 4.0, 10.0];
        // h = 3p: p25 → 0.75 → 1 + 0.75·1; median → 1.5 → 2 + 0.5·2; p75 → 2.25 → 4 + 0.25·6.
        assert_eq!(quantile_sorted(&x, 0.25), Some(1.75));
        assert_eq!(quantile_sorted(&x, 0.5), Some(3.0));
        assert_eq!(quantile_sorted(&x, 0.75), Some(5.5));
        assert_eq!(quantile_sorted(&x, 0.0), Some(1.0));
        assert_eq!(quantile_sorted(&x, 1.0), Some(10.0));
        assert_eq!(quantile_sorted(&[7.0], 0.25), Some(7.0));
        assert_eq!(quantile_sorted(&[], 0.5), None);
    }

    #[test]
    fn money_means_round_halves_away_from_zero_exactly() {
        // Regression: 508.38465 and 2524.11095 are halves, which floating point put on
        // either side (508.3846, 2524.1109) on Online Retail's weekly cohorts.
        assert_eq!(money_mean(1_016_769_300, 200), Some(508.3847));
        assert_eq!(money_mean(5_048_221_900, 200), Some(2524.111));
        assert_eq!(money_mean(-1_016_769_300, 200), Some(-508.3847));
        // 10 / 3 and 20 / 3 are no halves: 3.3333 and 6.6667.
        assert_eq!(money_mean(100_000, 3), Some(3.3333));
        assert_eq!(money_mean(200_000, 3), Some(6.6667));
        assert_eq!(money_mean(0, 5), Some(0.0));
        assert_eq!(money_mean(100, 0), None);
    }

    #[test]
    fn means_and_ratios_of_nothing_are_missing() {
        assert_eq!(mean(&[1.0, 2.0, 6.0]), Some(3.0));
        assert_eq!(mean(&[]), None);
        assert_eq!(ratio(1.0, 4.0), Some(0.25));
        assert_eq!(ratio(1.0, 0.0), None);
    }
}
