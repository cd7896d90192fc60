//! `rebuy summary`: contract §2.

use crate::cli::CommonArgs;
use crate::metrics::summary::{summary, Summary};
use crate::output::Output;
use crate::progress::Progress;
use crate::render::{Cell, Document, Table};
use crate::settings::Settings;

pub fn run(args: &CommonArgs) -> anyhow::Result<()> {
    let settings = Settings::resolve(args)?;
    let output = Output::prepare(settings.output.as_deref(), &settings.sources)?;
    let result = compute(&settings)?;
    super::emit(&document(&result), &settings, output)
}

/// Reads the inputs and computes the summary, with a spinner meanwhile.
pub(crate) fn compute(settings: &Settings) -> crate::error::Result<Summary> {
    let progress = Progress::start();
    let (_, occasions) = super::load(settings, &progress)?;
    progress.step("computing the summary");
    summary(&occasions)
}

/// The summary for people (two tables and a line on what was dropped) and machines.
pub fn document(s: &Summary) -> Document {
    let mut headline = Table::new(
        format!("rebuy summary, as of {}", s.as_of),
        &["metric", "value"],
    );
    let mut row = |label: &str, cell: Cell| headline.push(vec![Cell::Text(label.into()), cell]);
    row("Customers", Cell::Count(s.customers));
    row("Purchase occasions", Cell::Count(s.occasions));
    row("Orders", Cell::Count(s.orders));
    row("Revenue", Cell::Money(s.revenue));
    row("Repeat customers", Cell::Count(s.repeat_customers));
    row(
        "Repeat purchase rate",
        Cell::Rate(Some(s.repeat_purchase_rate)),
    );
    let t = &s.time_to_second;
    row("Days to 2nd purchase, median", Cell::Days(t.median));
    row("Days to 2nd purchase, mean", Cell::Days(t.mean));
    row("Days to 2nd purchase, p25", Cell::Days(t.p25));
    row("Days to 2nd purchase, p75", Cell::Days(t.p75));
    let w = &s.repeat_within;
    for (days, value) in [
        (30, w.d30),
        (60, w.d60),
        (90, w.d90),
        (180, w.d180),
        (365, w.d365),
    ] {
        row(
            &format!("2nd purchase within {days} days"),
            Cell::Rate(value),
        );
    }
    row(
        "Purchases per active customer, last 12 months",
        Cell::Number(s.purchase_frequency_12m),
    );
    row(
        "Average days between purchases",
        Cell::Days(s.avg_days_between_purchases),
    );
    row("Average first order value", Cell::MoneyMean(s.aov_first));
    row("Average repeat order value", Cell::MoneyMean(s.aov_repeat));
    row(
        "Revenue from repeat purchases",
        Cell::Rate(s.repeat_revenue_share),
    );
    row(
        "Revenue from top 20% of customers",
        Cell::Rate(s.top20_revenue_share),
    );

    let mut ladder = Table::new(
        "Purchase ladder",
        &["occasions", "customers", "go on to the next"],
    );
    for step in &s.ladder {
        ladder.push(vec![
            Cell::Text(format!("{}+", step.k)),
            Cell::Count(step.customers),
            Cell::Rate(step.next_share),
        ]);
    }

    let notes = vec![
        super::left_out(&s.dropped),
        "2nd purchase within N days: Kaplan–Meier estimate counting customers who have not had N days yet; – where no customer was followed that long.".to_string(),
    ];
    Document {
        tables: vec![headline, ladder],
        notes,
        machine: None,
        // Serialising a plain struct of numbers and dates cannot fail.
        json: serde_json::to_value(s).expect("the summary serialises"),
    }
}
