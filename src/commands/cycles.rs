//! `rebuy cycles`: contract §5, the purchase cycle of every product and its reminder
//! trigger days.

use serde_json::json;

use crate::cli::{CycleFlags, CyclesArgs};
use crate::days::date_of_day;
use crate::error::{Error, Result};
use crate::input::columns::Role;
use crate::metrics::cycles::{
    cycles, purchase_days, Cycle, CycleBy, CycleOptions, KeySizes, PurchaseDays,
};
use crate::occasions::{Occasions, PurchaseLines};
use crate::output::Output;
use crate::progress::Progress;
use crate::render::{Cell, Document, Table};
use crate::settings::Settings;

pub fn run(args: &CyclesArgs) -> anyhow::Result<()> {
    let options = options(&args.cycle)?;
    let settings = Settings::resolve(&args.common)?;
    let output = Output::prepare(settings.output.as_deref(), &settings.sources)?;
    let progress = Progress::start();
    let measured = measure(&settings, &options, &progress, true)?;
    drop(progress);
    let document = document(
        &measured.cycles,
        &options,
        date_of_day(measured.occasions.as_of),
        &measured.occasions.dropped,
    );
    let document = super::noting_left_out(document, &measured.occasions.dropped);
    super::emit(&document, &settings, output)
}

/// The cycle flags, checked.
pub(crate) fn options(flags: &CycleFlags) -> Result<CycleOptions> {
    Ok(CycleOptions {
        by: flags.by,
        stat: flags.stat,
        min_intervals: flags.min_intervals,
        triggers: parse_triggers(&flags.triggers)?,
    })
}

/// The column role the items of `--by` come from.
pub(crate) fn role_of(by: CycleBy) -> Role {
    match by {
        CycleBy::Product => Role::Product,
        CycleBy::Category => Role::Category,
    }
}

/// An error naming the first input without the column of `by`'s items: `what` ("cycles
/// are") per product or category.
pub(crate) fn require_items(inputs: &crate::input::Inputs, by: CycleBy, what: &str) -> Result<()> {
    let role = role_of(by);
    match inputs.files.iter().find(|f| !f.roles.has(role)) {
        Some(file) => Err(Error::file(
            &file.name,
            format!("no {role} column: {what} per {role}"),
            format!(
                "name it with --map {role}=COLUMN (columns: {})",
                file.columns.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

/// What `cycles` and `due` both need: the occasions, the purchase lines, each item's
/// purchase days and the cycles.
pub(crate) struct Measured {
    pub occasions: Occasions,
    pub lines: PurchaseLines,
    pub days: PurchaseDays,
    pub cycles: Vec<Cycle>,
}

impl Measured {
    /// The id of an item (product or category) by its code.
    pub fn name(&self, by: CycleBy, code: u32) -> String {
        item_id(&self.lines, by, code)
    }
}

/// Reads the inputs (with products) and measures every item's cycle.
/// `names`: keep the product names (the cycles table shows them; reminders do not).
pub(crate) fn measure(
    settings: &Settings,
    options: &CycleOptions,
    progress: &Progress,
    names: bool,
) -> Result<Measured> {
    let needs = super::ProductNeeds {
        categories: options.by == CycleBy::Category,
        names,
        times: false,
    };
    let (inputs, occasions, lines) = super::load_with_products(settings, progress, needs)?;
    require_items(&inputs, options.by, "cycles are")?;
    progress.step("measuring purchase cycles");
    Measured::of(occasions, lines, options)
}

impl Measured {
    /// Measures the cycles of the purchase lines.
    pub(crate) fn of(
        occasions: Occasions,
        lines: PurchaseLines,
        options: &CycleOptions,
    ) -> Result<Measured> {
        let (days, cycles) = measure_lines(&lines, occasions.as_of, options)?;
        Ok(Measured {
            occasions,
            lines,
            days,
            cycles,
        })
    }
}

/// The id of an item (product or category) by its code.
fn item_id(lines: &PurchaseLines, by: CycleBy, code: u32) -> String {
    String::from_utf8_lossy(by.ids(lines).bytes(code)).into_owned()
}

/// The purchase days of every (item, customer), and every item's cycle, named.
pub(crate) fn measure_lines(
    lines: &PurchaseLines,
    as_of: i32,
    options: &CycleOptions,
) -> Result<(PurchaseDays, Vec<Cycle>)> {
    let sizes = KeySizes {
        items: options.by.ids(lines).len(),
        customers: lines.customers,
        first_day: lines.first_day.unwrap_or(as_of),
    };
    let days = purchase_days(lines, options.by, as_of, sizes)?;
    let mut measured = cycles(&days, options, &|code| item_id(lines, options.by, code))?;
    if options.by == CycleBy::Product {
        for cycle in &mut measured {
            cycle.name = lines
                .product_names
                .get(cycle.code as usize)
                .cloned()
                .flatten();
        }
    }
    Ok((days, measured))
}

/// `0.75,1.0,1.25`: three fractions, each above 0, in increasing order.
fn parse_triggers(text: &str) -> Result<[f64; 3]> {
    let problem = || {
        Error::usage(format!(
            "--triggers {text:?}: give three fractions of the cycle, increasing, such as 0.75,1.0,1.25"
        ))
    };
    let values: Vec<f64> = text
        .split(',')
        .map(|v| v.trim().parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| problem())?;
    match values[..] {
        [a, b, c] if a > 0.0 && a < b && b < c && c.is_finite() => Ok([a, b, c]),
        _ => Err(problem()),
    }
}

pub(crate) fn document(
    result: &[Cycle],
    options: &CycleOptions,
    as_of: chrono::NaiveDate,
    dropped: &crate::occasions::Dropped,
) -> Document {
    let by = role_of(options.by).name();
    let header = [
        "product",
        "customers",
        "intervals",
        "mean",
        "sd",
        "median",
        "p25",
        "p75",
        "remind",
        "nudge",
        "offer",
        "status",
    ];
    // The name goes beside the id where the export has a name column.
    let named = result.iter().any(|c| c.name.is_some());
    let mut header: Vec<&str> = header.to_vec();
    if named {
        header.insert(1, "name");
    }
    let people_header: Vec<&str> = header
        .iter()
        .map(|&h| if h == "product" { by } else { h })
        .collect();
    let mut people = Table::new(
        format!("Purchase cycles by {by}, as of {as_of}: days between a customer's purchases"),
        &people_header,
    );
    let mut machine = Table::untitled(&header);
    let day = |d: Option<i64>| Cell::Days(d.map(|d| d as f64));
    for c in result {
        let mut row = vec![
            Cell::Text(c.product.clone()),
            Cell::Count(c.customers),
            Cell::Count(c.intervals),
            Cell::Days(c.mean),
            Cell::Days(c.sd),
            Cell::Days(c.median),
            Cell::Days(c.p25),
            Cell::Days(c.p75),
            day(c.remind),
            day(c.nudge),
            day(c.offer),
            Cell::Text(c.status.to_string()),
        ];
        if named {
            row.insert(1, Cell::Text(c.name.clone().unwrap_or_default()));
        }
        people.push(row.clone());
        machine.push(row);
    }
    let [r, n, o] = options.triggers;
    Document {
        tables: vec![people],
        notes: vec![
            format!(
                "remind, nudge, offer: days after the last purchase, {}%, {}% and {}% of the {}, rounded; none below {} intervals.",
                r * 100.0,
                n * 100.0,
                o * 100.0,
                match options.stat {
                    crate::metrics::cycles::CycleStat::Mean => "mean",
                    crate::metrics::cycles::CycleStat::Median => "median",
                },
                options.min_intervals
            ),
        ],
        machine: Some(machine),
        json: json!({
            "as_of": as_of,
            "by": options.by,
            "cycles": result,
            "dropped": dropped,
        }),
        page: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_are_three_increasing_fractions() {
        assert_eq!(parse_triggers("0.75,1.0,1.25").unwrap(), [0.75, 1.0, 1.25]);
        assert_eq!(parse_triggers(" 0.8, 1, 1.3").unwrap(), [0.8, 1.0, 1.3]);
        assert!(parse_triggers("1,0.75,1.25").is_err());
        assert!(parse_triggers("0.75,1.0").is_err());
        assert!(parse_triggers("0,1,2").is_err());
        assert!(parse_triggers("a,b,c").is_err());
    }
}
