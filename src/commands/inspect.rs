//! `rebuy inspect`: how rebuy reads the files, on one screen.

use serde_json::json;

use crate::cli::CommonArgs;
use crate::days::date_of_day;
use crate::error::{Error, Result};
use crate::input::columns::Role;
use crate::input::{FileReport, Inputs};
use crate::occasions::{col_name as occ, Occasions};
use crate::output::Output;
use crate::progress::Progress;
use crate::render::{Cell, Document, Table};
use crate::settings::Settings;

pub fn run(args: &CommonArgs) -> anyhow::Result<()> {
    let settings = Settings::resolve(args)?;
    let output = Output::prepare(settings.output.as_deref(), &settings.sources)?;
    let progress = Progress::start();
    let (inputs, occasions) = super::load(&settings, &progress)?;
    drop(progress);
    super::emit(&document(&inputs, &occasions)?, &settings, output)
}

fn roles_table(file: &FileReport) -> Table {
    let mut table = Table::new(
        format!("Columns of {}", file.name),
        &["role", "column", "also matched"],
    );
    for role in Role::ALL {
        let column = file.roles.column(role).unwrap_or("–").to_string();
        let others: Vec<&str> = file
            .roles
            .passed_over
            .iter()
            .filter(|(r, _)| *r == role)
            .map(|(_, c)| c.as_str())
            .collect();
        let label = if role.required() {
            format!("{role} (required)")
        } else {
            role.to_string()
        };
        table.push(vec![
            Cell::Text(label),
            Cell::Text(column),
            Cell::Text(others.join(", ")),
        ]);
    }
    table
}

/// How one file is read (platforms §4): its platform and the signature that matched,
/// the platform's rules, the day/month order and each money column's separator, with
/// what decided each.
fn reading_table(file: &FileReport) -> Table {
    let mut table = Table::new(
        format!("How {} is read", file.name),
        &["what", "how", "decided by"],
    );
    let mut row = |what: &str, how: String, why: String| {
        table.push(vec![
            Cell::Text(what.into()),
            Cell::Text(how),
            Cell::Text(why),
        ]);
    };
    match file.platform {
        Some(platform) => row(
            "platform",
            platform.to_string(),
            format!("header has {}", file.signature.join(", ")),
        ),
        None => row(
            "platform",
            "none: general rules".to_string(),
            "no platform's columns are all in the header".to_string(),
        ),
    }
    for rule in &file.rules {
        row("rule", rule.clone(), "the platform".to_string());
    }
    if let Some(order) = file.slash_order {
        row(
            "dates",
            order.to_string(),
            file.slash_decided_by.clone().unwrap_or_default(),
        );
    }
    for decision in &file.decimals {
        row(
            "decimal separator",
            format!("{} in {}", decision.decimal.char(), decision.column),
            decision.decided_by.clone(),
        );
    }
    table
}

fn unused_columns(file: &FileReport) -> Vec<&str> {
    file.columns
        .iter()
        .filter(|c| !file.roles.assigned.iter().any(|(_, a)| a == *c))
        .filter(|c| !file.rule_columns.contains(c))
        .map(String::as_str)
        .collect()
}

pub fn document(inputs: &Inputs, occasions: &Occasions) -> Result<Document> {
    let mut files = Table::new(
        "Files",
        &[
            "file",
            "format",
            "encoding",
            "delimiter",
            "rows",
            "loaded",
            "guest rows",
            "invalid rows",
            "slashed dates",
        ],
    );
    for file in &inputs.files {
        let delimiter = match file.delimiter {
            Some('\t') => "tab".to_string(),
            Some(c) => c.to_string(),
            None => "–".to_string(),
        };
        files.push(vec![
            Cell::Text(file.name.clone()),
            Cell::Text(file.format.label().to_string()),
            Cell::Text(
                if file.encoding.is_empty() {
                    "–"
                } else {
                    file.encoding
                }
                .to_string(),
            ),
            Cell::Text(delimiter),
            Cell::Count(file.rows),
            Cell::Count(file.loaded_rows),
            Cell::Count(file.guest_rows),
            Cell::Count(file.invalid_rows),
            Cell::Text(file.slash_order.unwrap_or("–").to_string()),
        ]);
    }

    let mut tables = vec![files];
    let mut notes = Vec::new();
    for (i, file) in inputs.files.iter().enumerate() {
        let same_as_before = i > 0
            && inputs.files[i - 1].roles == file.roles
            && inputs.files[i - 1].columns == file.columns;
        if same_as_before {
            continue;
        }
        tables.push(reading_table(file));
        tables.push(roles_table(file));
        let unused = unused_columns(file);
        if !unused.is_empty() {
            notes.push(format!(
                "Not used from {}: {}.",
                file.name,
                unused.join(", ")
            ));
        }
    }

    let (first_day, last_day) = inputs.order_days.unzip();
    let rows: u64 = inputs.files.iter().map(|f| f.rows).sum();
    // Parts share no customer, so their counts add up.
    let mut customers = 0u64;
    for part in &occasions.parts {
        let column = part.column(occ::CUSTOMER).map_err(Error::internal)?;
        customers += column.n_unique().map_err(Error::internal)? as u64;
    }
    let purchase_orders = occasions.orders()?;
    let dropped = &occasions.dropped;

    let mut seen = Table::new("What rebuy sees", &["measure", "value"]);
    let mut row = |label: &str, cell: Cell| seen.push(vec![Cell::Text(label.into()), cell]);
    row("Rows read", Cell::Count(rows));
    if let (Some(first), Some(last)) = (first_day, last_day) {
        row("First order", Cell::Date(date_of_day(first)));
        row("Last order", Cell::Date(date_of_day(last)));
    }
    row("As of", Cell::Date(date_of_day(occasions.as_of)));
    row("Customers", Cell::Count(customers));
    row("Orders", Cell::Count(occasions.all_orders));
    row(
        "Purchase orders (amount above 0 or unknown), to as-of",
        Cell::Count(purchase_orders),
    );
    row(
        "Purchase occasions, to as-of",
        Cell::Count(occasions.len() as u64),
    );
    tables.push(seen);

    if let Some((rule, counts)) = &inputs.statuses {
        let mut statuses = Table::new(
            format!("Orders per status ({})", rule.describe()),
            &["status", "orders", "purchase"],
        );
        for count in counts {
            statuses.push(vec![
                Cell::Text(if count.status.is_empty() {
                    "(empty)".to_string()
                } else {
                    count.status.clone()
                }),
                Cell::Count(count.orders),
                Cell::Text(
                    if count.purchase {
                        "yes"
                    } else {
                        "no: left out"
                    }
                    .to_string(),
                ),
            ]);
        }
        tables.push(statuses);
    }

    let mut left_out = Table::new("Left out", &["reason", "count", "what it means"]);
    for (key, count, meaning) in [
        (
            "guest_rows",
            dropped.guest_rows,
            "rows without a customer id",
        ),
        (
            "invalid_rows",
            dropped.invalid_rows,
            "rows whose date, amount or number of fields was wrong",
        ),
        (
            "non_purchase_orders",
            dropped.non_purchase_orders,
            "orders of amount 0 or less: refunds, cancellations",
        ),
        (
            "non_purchase_status",
            dropped.non_purchase_status,
            "orders whose status says they were not bought: cancelled, refunded, failed",
        ),
        (
            "occasions_after_as_of",
            dropped.occasions_after_as_of,
            "occasions after the as-of date",
        ),
    ] {
        left_out.push(vec![
            Cell::Text(key.into()),
            Cell::Count(count),
            Cell::Text(meaning.into()),
        ]);
    }
    tables.push(left_out);

    let json = json!({
        "files": inputs.files,
        "rows": rows,
        "first_date": first_day.map(date_of_day),
        "last_date": last_day.map(date_of_day),
        "as_of": date_of_day(occasions.as_of),
        "customers": customers,
        "orders": occasions.all_orders,
        "purchase_orders": purchase_orders,
        "occasions": occasions.len(),
        "dropped": dropped,
        "statuses": inputs.statuses.as_ref().map(|(rule, counts)| json!({
            "rule": rule,
            "orders": counts,
        })),
    });
    Ok(Document {
        tables,
        notes,
        machine: None,
        json,
        page: None,
    })
}
