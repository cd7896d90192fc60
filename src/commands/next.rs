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
        names: args.by == CycleBy::Product,
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
    // Names beside the ids where the export names its products.
    let named = rows
        .iter()
        .any(|r| r.first_name.is_some() || r.next_name.is_some());
    let first_header = format!("1st purchase had {item}");
    let mut people_header = vec![
        first_header.as_str(),
        "2nd purchase had",
        "customers",
        "share of them",
        "median days",
    ];
    let mut machine_header = COLUMNS.to_vec();
    if named {
        people_header.insert(1, "name");
        people_header.insert(3, "name");
        machine_header.extend(["first_name", "next_name"]);
    }
    let mut table = Table::new(
        format!("rebuy next by {item}, as of {as_of}: the 2nd purchase after the 1st"),
        &people_header,
    );
    let mut machine = Table::untitled(&machine_header);
    let text = |t: &Option<String>| Cell::Text(t.clone().unwrap_or_default());
    for (i, r) in rows.iter().enumerate() {
        let figures = [
            Cell::Count(r.customers),
            Cell::Rate(Some(r.share_of_first)),
            Cell::Days(Some(r.median_days)),
        ];
        // The first item once, at the top of its rows.
        let repeated = i > 0 && rows[i - 1].first_code == r.first_code;
        let mut shown = vec![Cell::Text(if repeated {
            String::new()
        } else {
            r.first.clone()
        })];
        if named {
            shown.push(if repeated {
                Cell::Text(String::new())
            } else {
                text(&r.first_name)
            });
        }
        shown.push(Cell::Text(r.next.clone()));
        if named {
            shown.push(text(&r.next_name));
        }
        shown.extend(figures.iter().cloned());
        table.push(shown);
        let mut row = vec![Cell::Text(r.first.clone()), Cell::Text(r.next.clone())];
        row.extend(figures);
        if named {
            row.extend([text(&r.first_name), text(&r.next_name)]);
        }
        machine.push(row);
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
        page: None,
    }
}
