//! `rebuy tiers`: contract §10, the tier table (and the moves since a date), or one row
//! per customer for a loyalty platform.

use crate::cli::TiersArgs;
use crate::metrics::tiers::{to_next, Ladder, TierBy, Tiers};
use crate::output::Output;
use crate::progress::Progress;
use crate::render::{Cell, Document, Table};
use crate::settings::Settings;

/// Columns of the tier table's csv form, as the JSON names them.
const COLUMNS: [&str; 8] = [
    "tier",
    "customers",
    "share",
    "revenue",
    "revenue_share",
    "mean_occasions",
    "mean_days_between",
    "reached_next",
];

/// Columns of `--customers`.
const CUSTOMER_COLUMNS: [&str; 5] = ["customer_id", "tier", "occasions", "revenue", "to_next"];

pub fn run(args: &TiersArgs) -> anyhow::Result<()> {
    // Every flag is checked before the input is read.
    let ladder = Ladder::parse(args.tiers.as_deref(), args.by, args.platinum_top)?;
    let mut settings = Settings::resolve(&args.common)?;
    if args.customers {
        settings.csv_unless_shown();
    }
    let output = Output::prepare(settings.output.as_deref(), &settings.sources)?;
    let progress = Progress::start();
    let (_, occasions) = super::load(&settings, &progress)?;
    progress.step("placing customers in tiers");
    let since = args.since.map(crate::days::day_of_date);
    let result = crate::metrics::tiers::tiers(&occasions, &ladder, since)?;
    drop(progress);
    if args.customers {
        return write_customers(&result, &ladder, &occasions, &settings, output);
    }
    let mut document = super::noting_left_out(document(&result), &occasions.dropped);
    document.json["dropped"] = serde_json::to_value(occasions.dropped)?;
    super::emit(&document, &settings, output)
}

/// The tier table, and the moves with `--since`, for people and machines.
pub(crate) fn document(t: &Tiers) -> Document {
    let counted = match t.by {
        TierBy::Occasions => "purchases",
        TierBy::Revenue => "revenue",
    };
    let mut table = Table::new(
        format!("rebuy tiers by {counted}, as of {}", t.as_of),
        &[
            "tier",
            "customers",
            "share",
            "revenue",
            "share of revenue",
            "mean purchases",
            "mean days between",
            "reached the next",
        ],
    );
    let mut machine = Table::untitled(&COLUMNS);
    for r in &t.tiers {
        let row = vec![
            Cell::Text(r.tier.clone()),
            Cell::Count(r.customers),
            Cell::Rate(Some(r.share)),
            Cell::Money(r.revenue),
            Cell::Rate(r.revenue_share),
            Cell::Number(r.mean_occasions),
            Cell::Days(r.mean_days_between),
            Cell::Rate(r.reached_next),
        ];
        table.push(row.clone());
        machine.push(row);
    }
    let mut tables = vec![table];
    let mut notes = Vec::new();
    if let Some(cut) = t.platinum_cut {
        notes.push(format!(
            "Platinum: customers of the top tier with revenue of {cut} or more, the top {}% of all customers by revenue (customers tied at the cut go in together).",
            t.platinum_top
        ));
    }
    if let Some(since) = t.since {
        let mut moves = Table::new(
            format!("Moves from the tier on {since} to the tier on {}", t.as_of),
            &["from", "to", "customers"],
        );
        for m in &t.moves {
            moves.push(vec![
                Cell::Text(m.from.clone()),
                Cell::Text(m.to.clone()),
                Cell::Count(m.customers),
            ]);
        }
        tables.push(moves);
        notes.push(format!(
            "(new): not yet a customer on {since}. A customer can leave Platinum: it is a rank by revenue, not a threshold."
        ));
    }
    Document {
        tables,
        notes,
        machine: Some(machine),
        // Serialising a plain struct of numbers, text and dates cannot fail.
        json: serde_json::to_value(t).expect("the tiers serialise"),
        page: None,
    }
}

fn write_customers(
    t: &Tiers,
    ladder: &Ladder,
    occasions: &crate::occasions::Occasions,
    settings: &Settings,
    output: Output,
) -> anyhow::Result<()> {
    let ranks = occasions.customers.ranks();
    let mut order: Vec<usize> = (0..t.customers.len()).collect();
    order.sort_unstable_by_key(|&i| ranks[t.customers[i].customer as usize]);
    let names = ladder.level_names();
    let list = super::List {
        title: format!("rebuy tiers, one row per customer, as of {}", t.as_of),
        header: &CUSTOMER_COLUMNS,
        key: "customers",
        as_of: t.as_of,
        dropped: &occasions.dropped,
    };
    let row = |i: usize| {
        let c = &t.customers[order[i]];
        let need = to_next(ladder, c);
        vec![
            Cell::Text(String::from_utf8_lossy(occasions.customers.bytes(c.customer)).into_owned()),
            Cell::Text(names[c.level].clone()),
            Cell::Count(c.occasions as u64),
            Cell::Money(Some(crate::money::Money(c.revenue))),
            match (need, ladder.by) {
                (None, _) => Cell::Text(String::new()),
                (Some(n), TierBy::Occasions) => Cell::Count(n as u64),
                (Some(m), TierBy::Revenue) => Cell::Money(Some(crate::money::Money(m))),
            },
        ]
    };
    list.write(t.customers.len(), row, settings, output)
}
