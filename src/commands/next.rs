//! `rebuy next`: contract §8, what the 2nd occasion holds given the 1st.

use crate::cli::NextArgs;
use crate::metrics::cycles::CycleBy;
use crate::metrics::next::{next_items, NextRow};
use crate::output::Output;
use crate::progress::Progress;
use crate::render::{Cell, Document, Table};
use crate::settings::Settings;

/// Columns of the csv form, as the JSON names them.
const COLUMNS: [&str; 5] = [
    "first",
    "next",
    "customers",
    "share_of_first",
    "median_days",
];

pub fn run(args: &NextArgs) -> anyhow::Result<()> {
    let settings = Settings::resolve(&args.common)?;
    let output = Output::prepare(settings.output.as_deref(), &settings.sources)?;
    let progress = Progress::start();
    let needs = super::ProductNeeds {
        categories: args.by == CycleBy::Category,
        names: false,
        times: false,
    };
    let (inputs, occasions, lines) = super::load_with_products(&settings, &progress, needs)?;
    super::cycles::require_items(&inputs, args.by, "next purchases are")?;
    progress.step("pairing 1st and 2nd purchases");
    let rows = next_items(&occasions, &lines, args.by, args.top)?;
    drop(progress);
    let mut document = super::noting_left_out(
        document(&rows, args.by, args.top, occasions.as_of),
        &occasions.dropped,
    );
    document.json["dropped"] = serde_json::to_value(occasions.dropped)?;
    super::emit(&document, &settings, output)
}

/// The pairs for people and machines.
pub(crate) fn document(rows: &[NextRow], by: CycleBy, top: usize, as_of: i32) -> Document {
    let item = match by {
        CycleBy::Product => "product",
        CycleBy::Category => "category",
    };
    let as_of = crate::days::date_of_day(as_of);
    let mut table = Table::new(
        format!("rebuy next by {item}, as of {as_of}: the 2nd purchase after the 1st"),
        &[
            &format!("1st purchase had {item}"),
            "2nd purchase had",
            "customers",
            "share of them",
            "median days",
        ],
    );
    let mut machine = Table::untitled(&COLUMNS);
    for (i, r) in rows.iter().enumerate() {
        let cells = |first: String| {
            vec![
                Cell::Text(first),
                Cell::Text(r.next.clone()),
                Cell::Count(r.customers),
                Cell::Rate(Some(r.share_of_first)),
                Cell::Days(Some(r.median_days)),
            ]
        };
        // The first item once, at the top of its rows.
        let repeated = i > 0 && rows[i - 1].first_code == r.first_code;
        table.push(cells(if repeated {
            String::new()
        } else {
            r.first.clone()
        }));
        machine.push(cells(r.first.clone()));
    }
    let kept = if top == 0 {
        "every pair".to_string()
    } else {
        format!("the top {top} pairs of each first {item}")
    };
    let notes = vec![format!(
        "Customers with a 2nd purchase; a customer counts once in each pair of their first two purchases, so shares of one first {item} can add up to more than 100%. (same): the same {item} again. Shown: {kept}."
    )];
    Document {
        tables: vec![table],
        notes,
        machine: Some(machine),
        json: serde_json::json!({
            "as_of": as_of,
            "by": item,
            "pairs": rows,
        }),
    }
}
