//! `rebuy dormant`: contract §11, the win-back list with its bands, the bands alone,
//! or the reactivation rate per period.

use crate::cli::DormantArgs;
use crate::error::Error;
use crate::metrics::dormant::{dormant, parse_bands, reactivation, Dormant, Reactivation, Rule};
use crate::occasions::{line_col, Occasions, PurchaseLines, NO_DAY};
use crate::output::Output;
use crate::progress::Progress;
use crate::render::text::{count_of, thousands};
use crate::render::{Cell, Document, Table};
use crate::settings::Settings;

/// Columns of the list, as csv and JSON name them.
const LIST_COLUMNS: [&str; 8] = [
    "customer_id",
    "last_purchase",
    "days_since",
    "band",
    "occasions",
    "revenue",
    "usual_gap",
    "last_products",
];

/// Columns of the band table.
const BAND_COLUMNS: [&str; 5] = ["band", "customers", "share", "revenue", "revenue_share"];

/// Columns of `--rate`.
const RATE_COLUMNS: [&str; 5] = [
    "period",
    "dormant_at_start",
    "reactivated",
    "reactivation_rate",
    "complete",
];

pub fn run(args: &DormantArgs) -> anyhow::Result<()> {
    // Every flag is checked before the input is read.
    let bands = parse_bands(&args.bands)?;
    let after = match args.after {
        Some(days) => i32::try_from(days).unwrap_or(i32::MAX),
        None => bands[0],
    };
    let rule = match args.relative {
        Some(k) if !(k.is_finite() && k > 0.0) => {
            return Err(Error::usage(format!(
                "--relative {k}: give a number of usual gaps more than 0, e.g. --relative 2"
            ))
            .into())
        }
        Some(k) => Rule::Relative(k),
        None => Rule::After(after),
    };
    let mut settings = Settings::resolve(&args.common)?;
    let list = !args.summary && !args.rate;
    if list {
        settings.csv_unless_shown();
    }
    let output = Output::prepare(settings.output.as_deref(), &settings.sources)?;
    let progress = Progress::start();
    if args.rate {
        let (_, occasions) = super::load(&settings, &progress)?;
        progress.step("counting reactivations");
        let result = reactivation(&occasions, args.period, after)?;
        drop(progress);
        let mut document = super::noting_left_out(rate_document(&result), &occasions.dropped);
        document.json["dropped"] = serde_json::to_value(occasions.dropped)?;
        return super::emit(&document, &settings, output);
    }
    if args.summary {
        let (_, occasions) = super::load(&settings, &progress)?;
        progress.step("finding dormant customers");
        let result = dormant(&occasions, rule, &bands, false)?;
        drop(progress);
        let mut document = super::noting_left_out(band_document(&result), &occasions.dropped);
        document.json["dropped"] = serde_json::to_value(occasions.dropped)?;
        return super::emit(&document, &settings, output);
    }
    let needs = super::ProductNeeds {
        categories: false,
        names: false,
        times: false,
    };
    let (_, occasions, lines) = super::load_with_products(&settings, &progress, needs)?;
    progress.step("finding dormant customers");
    let result = dormant(&occasions, rule, &bands, true)?;
    let products = last_products(&result, &occasions, &lines)?;
    drop(progress);
    let cells = |i: usize| list_cells(&result, i, &occasions, &products);
    match settings.format {
        crate::render::Format::Table | crate::render::Format::Markdown => {
            let shown = match args.top {
                0 => result.list.len(),
                n => n.min(result.list.len()),
            };
            let mut document = band_document(&result);
            let mut table = Table::new(
                format!(
                    "The win-back list: {shown} of {}, highest revenue first",
                    result.list.len()
                ),
                &LIST_COLUMNS,
            );
            table.rows = (0..shown).map(cells).collect();
            document.tables.push(table);
            if shown < result.list.len() {
                let more = (result.list.len() - shown) as u64;
                document.notes.push(format!(
                    "{} more: -o FILE.csv (or -f csv) writes the whole list.",
                    count_of(more, "customer", "customers")
                ));
            }
            let document = super::noting_left_out(document, &occasions.dropped);
            super::emit(&document, &settings, output)
        }
        _ => {
            let list = super::List {
                title: String::new(),
                header: &LIST_COLUMNS,
                key: "customers",
                as_of: result.as_of,
                dropped: &occasions.dropped,
            };
            list.write(result.list.len(), cells, &settings, output)
        }
    }
}

/// The cells of the i-th customer of the list.
fn list_cells(d: &Dormant, i: usize, occasions: &Occasions, products: &[String]) -> Vec<Cell> {
    let c = &d.list[i];
    vec![
        Cell::Text(String::from_utf8_lossy(occasions.customers.bytes(c.customer)).into_owned()),
        Cell::Date(crate::days::date_of_day(c.last_day)),
        Cell::Count(c.days_since as u64),
        Cell::Text(match c.band {
            Some(b) => d.bands[b].clone(),
            None => String::new(),
        }),
        Cell::Count(c.occasions as u64),
        Cell::Money(c.revenue.map(crate::money::Money)),
        Cell::Days(c.usual_gap),
        Cell::Text(products[i].clone()),
    ]
}

/// The product ids of each listed customer's last occasion, sorted by their text and
/// joined by ';' (empty where the export has no product column).
fn last_products(
    d: &Dormant,
    occasions: &Occasions,
    lines: &PurchaseLines,
) -> crate::error::Result<Vec<String>> {
    let mut last_day = vec![NO_DAY; occasions.customers.len()];
    let mut place = vec![u32::MAX; occasions.customers.len()];
    for (i, c) in d.list.iter().enumerate() {
        last_day[c.customer as usize] = c.last_day;
        place[c.customer as usize] = i as u32;
    }
    let customer = crate::frames::codes(&lines.frame, line_col::CUSTOMER)?;
    let product = crate::frames::codes(&lines.frame, line_col::PRODUCT)?;
    let day = crate::frames::days(&lines.frame, line_col::DAY)?;
    let mut items: Vec<Vec<u32>> = vec![Vec::new(); d.list.len()];
    for i in 0..customer.len() {
        let c = customer[i] as usize;
        if product[i] != crate::intern::NO_CODE && last_day.get(c) == Some(&day[i]) {
            items[place[c] as usize].push(product[i]);
        }
    }
    Ok(items
        .into_iter()
        .map(|mut codes| {
            codes.sort_unstable();
            codes.dedup();
            let mut ids: Vec<&[u8]> = codes.iter().map(|&p| lines.products.bytes(p)).collect();
            ids.sort_unstable();
            let ids: Vec<String> = ids
                .iter()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .collect();
            ids.join(";")
        })
        .collect())
}

/// The band table for people and machines.
pub(crate) fn band_document(d: &Dormant) -> Document {
    let rule = match d.rule {
        Rule::After(days) => format!("more than {days} days without a purchase"),
        Rule::Relative(k) => format!("silent for more than {k} times their usual gap"),
    };
    let mut table = Table::new(
        format!("rebuy dormant, as of {}: {rule}", d.as_of),
        &[
            "days since last purchase",
            "customers",
            "share of all",
            "revenue",
            "share of revenue",
        ],
    );
    let mut machine = Table::untitled(&BAND_COLUMNS);
    for r in &d.band_rows {
        let row = vec![
            Cell::Text(r.band.clone()),
            Cell::Count(r.customers),
            Cell::Rate(Some(r.share)),
            Cell::Money(r.revenue),
            Cell::Rate(r.revenue_share),
        ];
        table.push(row.clone());
        machine.push(row);
    }
    Document {
        tables: vec![table],
        notes: vec![format!(
            "{} of {} customers are dormant. 90+ means more than 90 days since the last purchase; revenue is what these customers spent in all.",
            thousands(d.dormant_customers),
            thousands(d.customers)
        )],
        machine: Some(machine),
        // Serialising a plain struct of numbers, text and dates cannot fail.
        json: serde_json::to_value(d).expect("the bands serialise"),
        page: None,
    }
}

/// The reactivation rate for people and machines.
fn rate_document(r: &Reactivation) -> Document {
    let noun = r.period.singular();
    let mut table = Table::new(
        format!("rebuy dormant --rate by {noun}, as of {}", r.as_of),
        &[noun, "dormant at start", "reactivated", "reactivation rate"],
    );
    let mut machine = Table::untitled(&RATE_COLUMNS);
    for p in &r.periods {
        let figures = [
            Cell::Count(p.dormant_at_start),
            Cell::Count(p.reactivated),
            Cell::Rate(p.reactivation_rate),
        ];
        let label = if p.complete {
            p.period.clone()
        } else {
            format!("{}*", p.period)
        };
        let mut row = vec![Cell::Text(label)];
        row.extend(figures.iter().cloned());
        table.push(row);
        let mut row = vec![Cell::Text(p.period.clone())];
        row.extend(figures);
        row.push(Cell::Text(p.complete.to_string()));
        machine.push(row);
    }
    Document {
        tables: vec![table],
        notes: vec![format!(
            "Dormant at start: the last purchase more than {} days before the {noun}'s eve (the day before it starts); reactivated: of them, customers who bought in the {noun}. * the {noun} is not over on as-of.",
            r.after
        )],
        machine: Some(machine),
        // Serialising a plain struct of numbers, text and dates cannot fail.
        json: serde_json::to_value(r).expect("the rate serialises"),
        page: None,
    }
}
