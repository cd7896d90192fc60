//! `rebuy due`: contract §5, the reminder list an email or SMS tool imports.

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::cli::{DueArgs, DueFlags, StageChoice};
use crate::days::{date_of_day, day_of_date};
use crate::error::Result;
use crate::metrics::due::{due, Stage};
use crate::output::Output;
use crate::progress::Progress;
use crate::render::Cell;
use crate::settings::{parse_date, Settings};

/// Columns, in contract order.
const COLUMNS: [&str; 8] = [
    "customer_id",
    "product",
    "last_purchase",
    "days_since",
    "remind_on",
    "nudge_on",
    "offer_on",
    "stage",
];

pub fn run(args: &DueArgs) -> anyhow::Result<()> {
    let options = super::cycles::options(&args.cycle)?;
    let fires_on = fires_on(&args.due)?;
    let stages = stages(&args.due.stage);
    let mut settings = Settings::resolve(&args.common)?;
    settings.csv_unless_shown();
    let output = Output::prepare(settings.output.as_deref(), &settings.sources)?;
    let progress = Progress::start();
    let measured = super::cycles::measure(&settings, &options, &progress, false)?;
    progress.step("finding who is due");
    let as_of = measured.occasions.as_of;
    let on = fires_on.map_or(as_of, day_of_date);
    let rows = due(
        &measured.days,
        &measured.cycles,
        on,
        fires_on.is_some(),
        &stages,
    )?;
    // Sorted by the ids' text: by the customer id's first bytes and the item's rank,
    // the whole customer ids only where their first bytes are equal. Ranking every
    // customer would cost more when few are due.
    let customers = &measured.occasions.customers;
    let item_rank = options.by.ids(&measured.lines).ranks();
    let mut order: Vec<(u64, u32, u32)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                customers.prefix(r.customer),
                item_rank[r.item as usize],
                i as u32,
            )
        })
        .collect();
    order.par_sort_unstable_by(|a, b| {
        let customer = |k: &(u64, u32, u32)| customers.bytes(rows[k.2 as usize].customer);
        a.0.cmp(&b.0)
            .then_with(|| customer(a).cmp(customer(b)))
            .then(a.1.cmp(&b.1))
    });
    let rows: Vec<_> = order.iter().map(|k| rows[k.2 as usize]).collect();
    drop(progress);
    let date = |day: i32| Cell::Date(date_of_day(day));
    let cells = |i: usize| {
        let r = &rows[i];
        vec![
            Cell::Text(
                String::from_utf8_lossy(measured.occasions.customers.bytes(r.customer))
                    .into_owned(),
            ),
            Cell::Text(measured.name(options.by, r.item)),
            date(r.last_day),
            Cell::Count(r.days_since.max(0) as u64),
            date(r.remind_on()),
            date(r.nudge_on()),
            date(r.offer_on()),
            Cell::Text(r.stage.name().to_string()),
        ]
    };
    let title = match fires_on {
        Some(d) => format!(
            "Reminders firing on {d} (purchases up to {})",
            date_of_day(as_of)
        ),
        None => format!("Reminders due, as of {}", date_of_day(as_of)),
    };
    let list = super::List {
        title,
        header: &COLUMNS,
        key: "due",
        as_of: date_of_day(as_of),
        dropped: &measured.occasions.dropped,
    };
    list.write(rows.len(), cells, &settings, output)
}

/// `--fires-on`, checked.
pub(crate) fn fires_on(flags: &DueFlags) -> Result<Option<NaiveDate>> {
    flags
        .fires_on
        .as_deref()
        .map(|d| parse_date("--fires-on", d))
        .transpose()
}

/// The stages asked for; by default those a message goes out for.
pub(crate) fn stages(choices: &[StageChoice]) -> Vec<Stage> {
    if choices.is_empty() {
        return vec![Stage::Remind, Stage::Nudge, Stage::Offer];
    }
    let mut out = Vec::new();
    for choice in choices {
        let add: &[Stage] = match choice {
            StageChoice::None => &[Stage::None],
            StageChoice::Remind => &[Stage::Remind],
            StageChoice::Nudge => &[Stage::Nudge],
            StageChoice::Offer => &[Stage::Offer],
            StageChoice::Lapsed => &[Stage::Lapsed],
            StageChoice::All => &[
                Stage::None,
                Stage::Remind,
                Stage::Nudge,
                Stage::Offer,
                Stage::Lapsed,
            ],
        };
        out.extend_from_slice(add);
    }
    out
}
