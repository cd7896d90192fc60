//! `rebuy predict`: the fitted BG/NBD and Gamma-Gamma models with what they expect of
//! the customers as a whole, or one row per customer for an email tool.

use crate::cli::PredictArgs;
use crate::days;
use crate::error::{Error, Result};
use crate::metrics::predict::{predict, Options, Prediction};
use crate::occasions::Occasions;
use crate::output::Output;
use crate::progress::Progress;
use crate::render::{Cell, Document, Table};
use crate::settings::{parse_date, Settings};

/// Columns of `--customers`.
const CUSTOMER_COLUMNS: [&str; 8] = [
    "customer_id",
    "x",
    "t_x",
    "T",
    "p_alive",
    "expected_purchases",
    "expected_avg_spend",
    "clv",
];

/// The flags of `rebuy predict` as options, and the settings to read with: with a
/// holdout, the occasions are read up to its end.
pub(crate) fn plan(args: &PredictArgs) -> Result<(Settings, Option<i32>, Options)> {
    if args.horizon == 0 {
        return Err(Error::usage(
            "--horizon 0: predict over at least one day, e.g. --horizon 365",
        ));
    }
    if !(args.discount_rate.is_finite() && args.discount_rate >= 0.0) {
        return Err(Error::usage(format!(
            "--discount-rate {}: give a yearly rate of 0 or more, e.g. 0.1 for 10%",
            args.discount_rate
        )));
    }
    let until = args
        .holdout_until
        .as_deref()
        .map(|d| parse_date("--holdout-until", d).map(days::day_of_date))
        .transpose()?;
    let mut settings = Settings::resolve(&args.common)?;
    let as_of = settings.occasions.as_of;
    if let (Some(until), Some(as_of)) = (until, as_of) {
        if until <= as_of {
            return Err(Error::usage(format!(
                "--holdout-until {} is not after --as-of {}: the holdout is the span after as-of",
                days::date_of_day(until),
                days::date_of_day(as_of)
            )));
        }
        settings.occasions.as_of = Some(until);
    }
    if args.customers {
        settings.csv_unless_shown();
    }
    let options = Options {
        as_of: 0,
        horizon_days: args.horizon,
        unit: args.unit,
        holdout_until: until,
        discount_rate: args.discount_rate,
    };
    Ok((settings, as_of, options))
}

pub fn run(args: &PredictArgs) -> anyhow::Result<()> {
    let (settings, as_of, options) = plan(args)?;
    let output = Output::prepare(settings.output.as_deref(), &settings.sources)?;
    let (occasions, result) = compute(&settings, as_of, options)?;
    if args.customers {
        write_customers(&result, &occasions, &settings, output)
    } else {
        let mut document = super::noting_left_out(document(&result), &occasions.dropped);
        document.json["dropped"] = serde_json::to_value(occasions.dropped)?;
        super::emit(&document, &settings, output)
    }
}

/// Reads the inputs and fits the models, with a spinner meanwhile.
pub(crate) fn compute(
    settings: &Settings,
    as_of: Option<i32>,
    mut options: Options,
) -> Result<(Occasions, Prediction)> {
    let progress = Progress::start();
    let (_, occasions) = super::load(settings, &progress)?;
    progress.step("fitting BG/NBD and Gamma-Gamma");
    options.as_of = as_of.unwrap_or(occasions.as_of);
    let result = predict(&occasions, &options)?;
    Ok((occasions, result))
}

/// A parameter for people: four decimals, as the published fits.
fn parameter(value: f64) -> Cell {
    Cell::Text(format!("{value:.4}"))
}

pub(crate) fn document(p: &Prediction) -> Document {
    let mut headline = Table::new(
        format!(
            "rebuy predict, as of {}: the next {} days",
            p.as_of, p.horizon_days
        ),
        &["metric", "value"],
    );
    let mut row = |label: &str, cell: Cell| headline.push(vec![Cell::Text(label.into()), cell]);
    row("Customers", Cell::Count(p.customers));
    row(
        "Customers still buying (mean P(alive))",
        Cell::Rate(Some(p.alive_share)),
    );
    row(
        "Expected purchases, all customers",
        Cell::Number(Some(p.expected_purchases_total)),
    );
    row(
        "Expected purchases per customer",
        Cell::Number(Some(p.expected_purchases_total / p.customers as f64)),
    );
    row(
        "Expected revenue",
        Cell::MoneyMean(p.expected_revenue_total),
    );
    if let Some(h) = &p.holdout {
        row(
            &format!("Purchases after as-of to {}, made", h.until),
            Cell::Count(h.actual_purchases),
        );
        row(
            &format!("Purchases after as-of to {}, predicted", h.until),
            Cell::Number(Some(h.predicted_purchases)),
        );
    }

    let unit = match p.unit {
        crate::metrics::predict::Unit::Day => "days",
        crate::metrics::predict::Unit::Week => "weeks",
    };
    let mut models = Table::new(
        format!("Fitted models (times in {unit})"),
        &["model", "parameter", "value"],
    );
    let b = &p.bgnbd;
    let dropout = match (b.a, b.b, b.p_dropout) {
        (Some(a), Some(b), _) => vec![("a", a), ("b", b)],
        (_, _, Some(p)) => vec![("p (one dropout chance for all)", p)],
        _ => Vec::new(),
    };
    let mut model = |name: &str, parameter: &str, cell: Cell| {
        models.push(vec![
            Cell::Text(name.into()),
            Cell::Text(parameter.into()),
            cell,
        ]);
    };
    for (name, value) in [("r", b.r), ("alpha", b.alpha)].into_iter().chain(dropout) {
        model("BG/NBD", name, parameter(value));
    }
    model(
        "BG/NBD",
        "log-likelihood",
        Cell::Number(Some(b.log_likelihood)),
    );
    if let Some(g) = &p.gamma_gamma {
        for (name, value) in [("p", g.p), ("q", g.q), ("gamma", g.gamma)] {
            model("Gamma-Gamma", name, parameter(value));
        }
        model("Gamma-Gamma", "customers fitted", Cell::Count(g.customers));
    }

    let mut alive = Table::new("Customers by P(alive)", &["P(alive)", "customers", "share"]);
    for (i, &count) in p.p_alive_tenths.iter().enumerate() {
        alive.push(vec![
            Cell::Text(format!("{}-{}%", i * 10, (i + 1) * 10)),
            Cell::Count(count),
            Cell::Rate(Some(count as f64 / p.customers as f64)),
        ]);
    }

    let mut notes = vec![format!(
        "BG/NBD converged in {} iterations (gradient norm {:.1e}).",
        b.iterations, b.gradient_norm
    )];
    if b.p_dropout.is_some() {
        notes.push("Dropout: a and b of the BG/NBD ran off together (no spread in how likely customers are to drop out), so its limit was fitted: one dropout chance p after every purchase, for all customers.".into());
    }
    if p.gamma_gamma.is_none() {
        notes.push(
            "No repeat customer has amounts for every repeat: spend and value are not predicted."
                .into(),
        );
    }
    let mut tables = vec![headline, models, alive];
    if let Some(h) = p.holdout.as_ref().filter(|h| !h.weeks.is_empty()) {
        let mut tracking = Table::new(
            format!(
                "Purchases after {} by the customers known then, cumulative",
                p.as_of
            ),
            &["week to", "made", "predicted"],
        );
        for w in &h.weeks {
            tracking.push(vec![
                Cell::Date(w.end),
                Cell::Count(w.actual_cumulative),
                Cell::Number(Some(w.predicted_cumulative)),
            ]);
        }
        tables.push(tracking);
    }
    Document {
        tables,
        notes,
        machine: None,
        json: serde_json::to_value(p).expect("the prediction serialises"),
        page: None,
    }
}

/// `--customers`: sorted by customer id.
fn write_customers(
    result: &Prediction,
    occasions: &Occasions,
    settings: &Settings,
    output: Output,
) -> anyhow::Result<()> {
    let mut at = vec![u32::MAX; occasions.customers.len()];
    for (i, c) in result.rows.iter().enumerate() {
        at[c.customer as usize] = i as u32;
    }
    let chosen: Vec<u32> = occasions
        .customers
        .sorted()
        .into_iter()
        .map(|code| at[code as usize])
        .filter(|&i| i != u32::MAX)
        .collect();
    let list = super::List {
        title: format!("Predictions per customer, as of {}", result.as_of),
        header: &CUSTOMER_COLUMNS,
        key: "customers",
        as_of: result.as_of,
        dropped: &occasions.dropped,
    };
    list.write(
        chosen.len(),
        |i| {
            let c = &result.rows[chosen[i] as usize];
            vec![
                Cell::Text(
                    String::from_utf8_lossy(occasions.customers.bytes(c.customer)).into_owned(),
                ),
                Cell::Count(u64::from(c.x)),
                Cell::Number(Some(c.t_x)),
                Cell::Number(Some(c.t)),
                Cell::Number(Some(c.p_alive)),
                Cell::Number(Some(c.expected_purchases)),
                Cell::MoneyMean(c.expected_avg_spend),
                Cell::MoneyMean(c.clv),
            ]
        },
        settings,
        output,
    )
}
