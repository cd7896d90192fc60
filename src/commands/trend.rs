//! `rebuy trend`: contract §7, one row per calendar period.

use crate::cli::TrendArgs;
use crate::metrics::trend::{trend, Trend};
use crate::output::Output;
use crate::progress::Progress;
use crate::render::{Cell, Document, Table};
use crate::settings::Settings;

/// Columns of the csv form, as the JSON names them.
const COLUMNS: [&str; 11] = [
    "period",
    "active_customers",
    "new_customers",
    "returning_customers",
    "reactivated_customers",
    "occasions",
    "revenue",
    "returning_revenue_share",
    "repeat_purchase_rate_to_date",
    "median_days_since_previous",
    "complete",
];

/// Width of the bar of the busiest period, in characters.
const BAR_WIDTH: usize = 20;

pub fn run(args: &TrendArgs) -> anyhow::Result<()> {
    let settings = Settings::resolve(&args.common)?;
    let output = Output::prepare(settings.output.as_deref(), &settings.sources)?;
    let progress = Progress::start();
    let (_, occasions) = super::load(&settings, &progress)?;
    progress.step("computing the trend");
    let dormant_after = i32::try_from(args.dormant_after).unwrap_or(i32::MAX);
    let result = trend(&occasions, args.period, dormant_after)?;
    drop(progress);
    let mut document = super::noting_left_out(document(&result, true), &occasions.dropped);
    document.json["dropped"] = serde_json::to_value(occasions.dropped)?;
    super::emit(&document, &settings, output)
}

/// A bar of `value` against `max`, in eighths of a character.
pub(crate) fn bar(value: u64, max: u64) -> String {
    const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    if max == 0 || value == 0 {
        return String::new();
    }
    let eighths = ((value as u128 * (BAR_WIDTH as u128 * 8)) / max as u128).max(1) as usize;
    let mut text = "█".repeat(eighths / 8);
    if let Some(&part) = EIGHTHS.get((eighths % 8).wrapping_sub(1)) {
        text.push(part);
    }
    text
}

/// The trend for people (one table; with `bars`, the active customers drawn as bars,
/// where no chart shows them) and machines.
pub(crate) fn document(t: &Trend, bars: bool) -> Document {
    let noun = t.period.singular();
    let mut header = vec![
        noun,
        "active",
        "new",
        "returning",
        "reactivated",
        "occasions",
        "revenue",
        "from returning",
        "repeat rate to date",
        "median days since previous",
    ];
    if bars {
        header.push("active customers");
    }
    let mut table = Table::new(format!("rebuy trend by {noun}, as of {}", t.as_of), &header);
    let mut machine = Table::untitled(&COLUMNS);
    let max = t
        .periods
        .iter()
        .map(|r| r.active_customers)
        .max()
        .unwrap_or(0);
    for r in &t.periods {
        let figures = vec![
            Cell::Count(r.active_customers),
            Cell::Count(r.new_customers),
            Cell::Count(r.returning_customers),
            Cell::Count(r.reactivated_customers),
            Cell::Count(r.occasions),
            Cell::Money(r.revenue),
            Cell::Rate(r.returning_revenue_share),
            Cell::Rate(Some(r.repeat_purchase_rate_to_date)),
            Cell::Days(r.median_days_since_previous),
        ];
        let label = if r.complete {
            r.period.clone()
        } else {
            format!("{}*", r.period)
        };
        let mut row = vec![Cell::Text(label)];
        row.extend(figures.iter().cloned());
        if bars {
            row.push(Cell::Text(bar(r.active_customers, max)));
        }
        table.push(row);
        let mut row = vec![Cell::Text(r.period.clone())];
        row.extend(figures);
        row.push(Cell::Text(r.complete.to_string()));
        machine.push(row);
    }
    let notes = vec![format!(
        "Reactivated: returning customers whose previous purchase was more than {} days before their first in the {noun}. * the {noun} is not over on as-of.",
        t.dormant_after
    )];
    Document {
        tables: vec![table],
        notes,
        machine: Some(machine),
        // Serialising a plain struct of numbers, text and dates cannot fail.
        json: serde_json::to_value(t).expect("the trend serialises"),
        page: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_grow_in_eighths_and_the_busiest_is_full() {
        assert_eq!(bar(0, 10), "");
        assert_eq!(bar(10, 10), "█".repeat(BAR_WIDTH));
        assert_eq!(bar(5, 10), "█".repeat(BAR_WIDTH / 2));
        // 1/160 of the width is one eighth; less still shows the thinnest bar.
        assert_eq!(bar(1, 160), "▏");
        assert_eq!(bar(1, 1000), "▏");
        assert_eq!(bar(3, 160), "▍");
    }
}
