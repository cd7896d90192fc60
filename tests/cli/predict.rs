//! `rebuy predict`: the published CDNOW fits (BG/NBD, Gamma-Gamma and the holdout),
//! the rows per customer, the unit, and the errors for fits that cannot be made.

use serde_json::Value;

use crate::common::{assert_mentions, fixture, Workdir};

/// The CDNOW sample without its amount column, so that all 2,357 customers of the
/// publications count (8 lines of amount 0 are not purchases under the contract).
fn cdnow_without_amounts(w: &Workdir) -> String {
    let text = std::fs::read_to_string(fixture("cdnow_sample.csv")).unwrap();
    let cut: String = text
        .lines()
        .map(|line| {
            let mut cells = line.split(',');
            format!("{},{}\n", cells.next().unwrap(), cells.next().unwrap())
        })
        .collect();
    w.write("cdnow.csv", cut).to_str().unwrap().to_string()
}

fn json(w: &Workdir, args: &[&str]) -> Value {
    let mut all = vec!["predict"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(w.run(&all).ok()).unwrap()
}

#[track_caller]
fn assert_close(got: &Value, want: f64, relative: f64) {
    let got = got.as_f64().unwrap_or(f64::NAN);
    assert!(
        (got / want - 1.0).abs() < relative,
        "got {got}, want {want}"
    );
}

#[test]
fn the_published_cdnow_fit_and_holdout() {
    // Fader, Hardie & Lee 2005: r = 0.2426, α = 4.4136, a = 0.7929, b = 2.4259,
    // log-likelihood −9582.43 on the first 39 weeks; 1,882 repeat purchases in the
    // 39 weeks after.
    let w = Workdir::new();
    let file = cdnow_without_amounts(&w);
    let p = json(
        &w,
        &[
            &file,
            "--as-of",
            "1997-09-30",
            "--unit",
            "week",
            "--holdout-until",
            "1998-06-30",
        ],
    );
    assert_eq!(p["customers"], 2357);
    assert_eq!(p["as_of"], "1997-09-30");
    assert_eq!(p["unit"], "week");
    let b = &p["bgnbd"];
    assert_eq!(b["converged"], true);
    assert_close(&b["r"], 0.2426, 5e-4);
    assert_close(&b["alpha"], 4.4136, 5e-4);
    assert_close(&b["a"], 0.7929, 5e-4);
    assert_close(&b["b"], 2.4259, 5e-4);
    assert_close(&b["log_likelihood"], -9582.43, 1e-6);
    assert_eq!(p["gamma_gamma"], Value::Null);
    assert_eq!(p["expected_revenue_total"], Value::Null);
    // Occasions after the holdout's end are the ones left out as after as-of.
    assert_eq!(p["dropped"]["occasions_after_as_of"], 0);
    assert_eq!(p["dropped"]["guest_rows"], 0);
    assert_eq!(p["holdout"]["until"], "1998-06-30");
    assert_eq!(p["holdout"]["actual_purchases"], 1882);
    // The holdout's prediction is the sum over customers of the expectation over its
    // 273 days: the same as the horizon's total with a horizon of 273 days.
    let predicted = p["holdout"]["predicted_purchases"].as_f64().unwrap();
    let again = json(&w, &[&file, "--as-of", "1997-09-30", "--horizon", "273"]);
    assert_close(&again["expected_purchases_total"], predicted, 1e-12);
    assert!((1500.0..1900.0).contains(&predicted), "{predicted}");
    // Week by week, cumulative: 39 weeks to 1998-06-30, ending at the totals.
    let weeks = p["holdout"]["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 39);
    assert_eq!(weeks[0]["end"], "1997-10-07");
    assert_eq!(weeks[38]["end"], "1998-06-30");
    assert_eq!(weeks[38]["actual_cumulative"], 1882);
    assert_close(&weeks[38]["predicted_cumulative"], predicted, 1e-12);
    for pair in weeks.windows(2) {
        assert!(pair[0]["actual_cumulative"].as_u64() <= pair[1]["actual_cumulative"].as_u64());
        assert!(
            pair[0]["predicted_cumulative"].as_f64() < pair[1]["predicted_cumulative"].as_f64()
        );
    }
}

#[test]
fn the_published_gamma_gamma_fit() {
    // Fader, Hardie & Lee 2005 (RFM and CLV): p = 6.2496, q = 3.7442, γ = 15.4435 on
    // the 946 customers with repeats by 1997-09-30, on their repeats' mean amount.
    let w = Workdir::new();
    let file = fixture("cdnow_sample.csv");
    let p = json(&w, &[file.to_str().unwrap(), "--as-of", "1997-09-30"]);
    let g = &p["gamma_gamma"];
    assert_eq!(g["customers"], 946);
    assert_eq!(g["converged"], true);
    assert_close(&g["p"], 6.2496, 5e-5);
    assert_close(&g["q"], 3.7442, 5e-5);
    assert_close(&g["gamma"], 15.4435, 5e-5);
    // 8 lines of amount 0 are not purchases: 2,349 customers.
    assert_eq!(p["customers"], 2349);
    assert!(p["expected_revenue_total"].as_f64().unwrap() > 0.0);
}

#[test]
fn one_row_per_customer_sorted_by_id() {
    let w = Workdir::new();
    let file = cdnow_without_amounts(&w);
    let out = w
        .run(&[
            "predict",
            &file,
            "--as-of",
            "1997-09-30",
            "--horizon",
            "273",
            "--customers",
        ])
        .ok()
        .to_string();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "customer_id,x,t_x,T,p_alive,expected_purchases,expected_avg_spend,clv"
    );
    assert_eq!(lines.len(), 1 + 2357);
    // Ids in byte order.
    let ids: Vec<&str> = lines[1..4]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, ["1", "10", "100"]);
    // Customer 1 is the paper's worked example: bought 1997-01-01, 01-18 and 08-02,
    // so x = 2, t_x = 213 days = 30.43 weeks, T = 272 days = 38.86 weeks; over the
    // next 39 weeks they expect 1.2259 purchases at the published parameters.
    let one: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(one[1], "2");
    assert_eq!(one[2], (213.0f64 / 7.0).to_string());
    assert_eq!(one[3], (272.0f64 / 7.0).to_string());
    let expected: f64 = one[5].parse().unwrap();
    assert!((expected - 1.2259).abs() < 2e-3, "{expected}");
    let p_alive: f64 = one[4].parse().unwrap();
    assert!((0.0..=1.0).contains(&p_alive), "{p_alive}");
    // No amounts: no spend and no value.
    assert_eq!((one[6], one[7]), ("", ""));
}

#[test]
fn the_unit_changes_only_the_scale() {
    let w = Workdir::new();
    let file = cdnow_without_amounts(&w);
    let weeks = json(&w, &[&file, "--as-of", "1997-09-30", "--unit", "week"]);
    let days = json(&w, &[&file, "--as-of", "1997-09-30", "--unit", "day"]);
    assert_eq!(days["unit"], "day");
    // Without a holdout, the 1,882 occasions after as-of are left out and counted.
    assert_eq!(weeks["dropped"]["occasions_after_as_of"], 1882);
    let (bw, bd) = (&weeks["bgnbd"], &days["bgnbd"]);
    for key in ["r", "a", "b"] {
        assert_close(&bd[key], bw[key].as_f64().unwrap(), 1e-5);
    }
    assert_close(&bd["alpha"], 7.0 * bw["alpha"].as_f64().unwrap(), 1e-5);
    for key in ["expected_purchases_total", "alive_share"] {
        assert_close(&days[key], weeks[key].as_f64().unwrap(), 1e-5);
    }
}

#[test]
fn a_fit_that_does_not_converge_is_an_error() {
    // Two customers, one of whom came back once: the likelihood has no maximum
    // inside the parameters (r and α run off together), so nothing is printed.
    let w = Workdir::new();
    w.write(
        "few.csv",
        "customer_id,order_date\nA,2024-01-01\nA,2024-01-08\nB,2024-01-01\n",
    );
    let err = w.run(&["predict", "few.csv"]).bad_input().to_string();
    assert_mentions(
        &err,
        &[
            "the BG/NBD fit did not converge",
            "gradient norm",
            "curvature",
            "hint:",
        ],
    );
}

#[test]
fn without_a_repeat_customer_there_is_nothing_to_fit() {
    let w = Workdir::new();
    w.write(
        "once.csv",
        "customer_id,order_date\nA,2024-01-01\nB,2024-01-03\n",
    );
    let err = w.run(&["predict", "once.csv"]).bad_input().to_string();
    assert_mentions(
        &err,
        &["none of the 2 customers bought again by 2024-01-03"],
    );
}

#[test]
fn the_holdout_needs_as_of_and_a_later_day() {
    let w = Workdir::new();
    let file = cdnow_without_amounts(&w);
    let err = w
        .run(&["predict", &file, "--holdout-until", "1998-06-30"])
        .bad_input()
        .to_string();
    assert_mentions(&err, &["--as-of"]);
    let err = w
        .run(&[
            "predict",
            &file,
            "--as-of",
            "1997-09-30",
            "--holdout-until",
            "1997-09-30",
        ])
        .bad_input()
        .to_string();
    assert_mentions(
        &err,
        &["--holdout-until 1997-09-30 is not after --as-of 1997-09-30"],
    );
    let err = w
        .run(&["predict", &file, "--horizon", "0"])
        .bad_input()
        .to_string();
    assert_mentions(&err, &["--horizon 0"]);
}
