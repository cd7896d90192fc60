//! One file per subcommand; each wires input, metrics and render together.

pub mod check;
pub mod cohorts;
pub mod cycles;
pub mod dormant;
pub mod due;
pub mod generate;
pub mod inspect;
pub mod manual;
pub mod next;
pub mod predict;
pub mod report;
pub mod rfm;
pub mod sql;
pub mod summary;
pub mod tiers;
pub mod trend;

use crate::error::Result;
use crate::input::{self, occasions, Inputs};
use crate::metrics::cycles::CycleBy;
use crate::metrics::groups::{Group, GroupBy};
use crate::occasions::{Dropped, Occasions, PurchaseLines};
use crate::output::Output;
use crate::progress::Progress;
use crate::render::text::count_of;
use crate::render::{self, Document};
use crate::settings::Settings;

/// What the progress line says as each file's turn comes.
fn reading(progress: &Progress) -> impl Fn(&str) + '_ {
    move |name| progress.step(format!("reading {name}"))
}

/// Reads every input and builds the purchase occasions: the one scan a command needs.
pub(crate) fn load(settings: &Settings, progress: &Progress) -> Result<(Inputs, Occasions)> {
    let (sources, read, values) = (&settings.sources, &settings.read, &settings.values);
    let (inputs, orders) = input::load(sources, read, values, &reading(progress))?;
    progress.step("building purchase occasions");
    let occasions = occasions::build(orders, &inputs, settings.occasions)?;
    Ok((inputs, occasions))
}

/// `load`, reading the product columns too: also the lines of purchase orders with
/// their products (for purchase cycles), with what `needs` asks for.
pub(crate) fn load_with_products(
    settings: &Settings,
    progress: &Progress,
    needs: ProductNeeds,
) -> Result<(Inputs, Occasions, PurchaseLines)> {
    let values = &input::schema::ValueOptions {
        skip_categories: !needs.categories,
        skip_names: !needs.names,
        ..settings.values.clone()
    };
    let (sources, read) = (&settings.sources, &settings.read);
    let (inputs, orders, lines) =
        input::load_with_products(sources, read, values, &reading(progress))?;
    progress.step("building purchase occasions");
    // The purchase lines and the occasions are made side by side.
    let order_days = orders.order_days(needs.times);
    let customers = inputs.customers.len();
    let (purchases, occasions) = rayon::join(
        || lines.purchased(&order_days, customers),
        || occasions::build(orders, &inputs, settings.occasions),
    );
    let (purchases, occasions) = (purchases?, occasions?);
    Ok((inputs, occasions, purchases))
}

/// `--by` and `--top`, checked: what to group by and how many groups to keep.
pub(crate) fn grouping(flags: &crate::cli::GroupFlags) -> Result<Option<(GroupBy, usize)>> {
    let Some(by) = flags.by.as_deref() else {
        return Ok(None);
    };
    if by.trim().is_empty() {
        return Err(crate::error::Error::usage(
            "--by needs a column name, or first-product or first-category",
        ));
    }
    let top = if flags.top == 0 {
        usize::MAX
    } else {
        flags.top
    };
    Ok(Some((GroupBy::parse(by.trim()), top)))
}

/// `load`, and with `--by` the groups of customers: the lines are read with the
/// column grouped by as their category (or with their products and categories).
pub(crate) fn load_grouped(
    settings: &Settings,
    progress: &Progress,
    grouping: Option<&(GroupBy, usize)>,
) -> Result<(Inputs, Occasions, Option<Vec<Group>>)> {
    let Some(grouping) = grouping else {
        let (inputs, occasions) = load(settings, progress)?;
        return Ok((inputs, occasions, None));
    };
    let nothing_else = ProductNeeds {
        categories: false,
        names: false,
        times: false,
    };
    let (inputs, occasions, _, groups) =
        load_grouped_with(settings, progress, grouping, nothing_else)?;
    Ok((inputs, occasions, Some(groups)))
}

/// `load_with_products` with what `needs` asks for, and the groups of `--by`.
pub(crate) fn load_grouped_with(
    settings: &Settings,
    progress: &Progress,
    (by, top): &(GroupBy, usize),
    needs: ProductNeeds,
) -> Result<(Inputs, Occasions, PurchaseLines, Vec<Group>)> {
    let mut read = settings.read.clone();
    if let GroupBy::Column(column) = by {
        read.group = Some(column.clone());
    }
    let grouped = Settings {
        read,
        ..settings.clone()
    };
    let needs = ProductNeeds {
        categories: needs.categories || *by != GroupBy::FirstProduct,
        names: needs.names || *by == GroupBy::FirstProduct,
        times: needs.times || matches!(by, GroupBy::Column(_)),
    };
    let (inputs, occasions, lines) = load_with_products(&grouped, progress, needs)?;
    match by {
        GroupBy::FirstProduct => {
            cycles::require_items(&inputs, CycleBy::Product, "first products are")?
        }
        GroupBy::FirstCategory => {
            cycles::require_items(&inputs, CycleBy::Category, "first categories are")?
        }
        GroupBy::Column(_) => {}
    }
    progress.step("grouping the customers");
    let groups = crate::metrics::groups::groups(&occasions, &lines, by, *top)?;
    Ok((inputs, occasions, lines, groups))
}

/// What an analysis of product lines needs besides the product ids: reading a column
/// for every line costs time.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ProductNeeds {
    /// Each line's category (analyses by category).
    pub categories: bool,
    /// Each product's name (shown beside its id).
    pub names: bool,
    /// Each line's order time (`--by COLUMN` takes the earliest order's value).
    pub times: bool,
}

/// Renders the document in the chosen format and writes it out.
pub(crate) fn emit(document: &Document, settings: &Settings, output: Output) -> anyhow::Result<()> {
    let bytes = render::render(document, settings.format, settings.color);
    output.write(&bytes)
}

/// The document with the line on what was left out under its notes (the report
/// shows that line once, under the summary, so the analyses' builders leave it out).
pub(crate) fn noting_left_out(mut document: Document, dropped: &Dropped) -> Document {
    document.notes.push(left_out(dropped));
    document
}

/// The line under every analysis: what was left out, and why.
pub(crate) fn left_out(d: &Dropped) -> String {
    format!(
        "Left out: {} (no customer id), {}, {} of amount 0 or less, {} cancelled, refunded or failed by status, {} after as-of.",
        count_of(d.guest_rows, "guest row", "guest rows"),
        count_of(d.invalid_rows, "invalid row", "invalid rows"),
        count_of(d.non_purchase_orders, "order", "orders"),
        count_of(d.non_purchase_status, "order", "orders"),
        count_of(d.occasions_after_as_of, "occasion", "occasions"),
    )
}

/// A list of many rows (customers, reminders): csv and json are written as the rows
/// are made, so millions of rows are never held twice; tables and Markdown are built
/// whole. The JSON is `{"as_of", key: [rows], "dropped"}`.
pub(crate) struct List<'a> {
    pub title: String,
    pub header: &'a [&'a str],
    pub key: &'a str,
    pub as_of: chrono::NaiveDate,
    pub dropped: &'a Dropped,
}

/// Rows of a list formatted at a time: csv rows are formatted in pieces on every
/// thread, then written in their order.
const LIST_ROWS_AT_A_TIME: usize = 1 << 16;

impl List<'_> {
    /// Writes rows `0..count`, `row(i)` giving the cells of row i.
    pub fn write(
        &self,
        count: usize,
        row: impl Fn(usize) -> Vec<render::Cell> + Sync,
        settings: &Settings,
        output: Output,
    ) -> anyhow::Result<()> {
        use std::io::Write;
        let rows = (0..count).map(&row);
        match settings.format {
            render::Format::Csv => {
                let mut stream = output.stream();
                let mut header = ::csv::Writer::from_writer(Vec::new());
                header.write_record(self.header).map_err(io_error)?;
                stream.write_all(&header.into_inner().map_err(|e| e.into_error())?)?;
                csv_rows_in_turn(&mut stream, count, &row, LIST_ROWS_AT_A_TIME)?;
                stream.commit()
            }
            render::Format::Json => {
                let mut stream = output.stream();
                write!(
                    stream,
                    "{{\n  \"as_of\": \"{}\",\n  \"{}\": [",
                    self.as_of, self.key
                )?;
                for (i, row) in rows.enumerate() {
                    let item: serde_json::Map<String, serde_json::Value> = self
                        .header
                        .iter()
                        .zip(&row)
                        .map(|(name, cell)| (name.to_string(), render::text::to_json(cell)))
                        .collect();
                    let separator = if i == 0 { "" } else { "," };
                    write!(
                        stream,
                        "{separator}\n    {}",
                        serde_json::Value::Object(item)
                    )?;
                }
                let dropped = serde_json::to_string(self.dropped)?;
                write!(stream, "\n  ],\n  \"dropped\": {dropped}\n}}\n")?;
                stream.commit()
            }
            render::Format::Table | render::Format::Markdown => {
                let mut table = render::Table::new(self.title.clone(), self.header);
                table.rows = rows.collect();
                let document = Document {
                    tables: vec![table],
                    notes: vec![left_out(self.dropped)],
                    machine: None,
                    json: serde_json::Value::Null,
                };
                emit(&document, settings, output)
            }
        }
    }
}

/// Rows `0..count` as csv (no header), `at_a_time` formatted at once in pieces on
/// every thread, written in their order.
fn csv_rows_in_turn(
    out: &mut impl std::io::Write,
    count: usize,
    row: &(impl Fn(usize) -> Vec<render::Cell> + Sync),
    at_a_time: usize,
) -> anyhow::Result<()> {
    use rayon::prelude::*;
    let piece = (at_a_time / rayon::current_num_threads().max(1) / 4).max(1);
    for start in (0..count).step_by(at_a_time) {
        let end = (start + at_a_time).min(count);
        let pieces: Vec<Vec<u8>> = (start..end)
            .into_par_iter()
            .chunks(piece)
            .map(|indices| csv_rows(indices, row))
            .collect::<Result<_, _>>()?;
        for bytes in &pieces {
            out.write_all(bytes)?;
        }
    }
    Ok(())
}

/// The csv text of the given rows (no header).
fn csv_rows(
    indices: Vec<usize>,
    row: &impl Fn(usize) -> Vec<render::Cell>,
) -> anyhow::Result<Vec<u8>> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let mut text = String::new();
    for i in indices {
        for cell in &row(i) {
            // Text as it is, without a copy; the rest written into `text`.
            let field = match cell {
                render::Cell::Text(t) => t.as_str(),
                _ => {
                    render::text::write_for_machines(&mut text, cell);
                    text.as_str()
                }
            };
            writer.write_field(field).map_err(io_error)?;
        }
        writer
            .write_record(std::iter::empty::<&[u8]>())
            .map_err(io_error)?;
    }
    Ok(writer.into_inner().map_err(|e| e.into_error())?)
}

/// The I/O error inside a csv writer's error, so that a closed pipe (`rebuy … | head`)
/// is recognised as one by `main`.
fn io_error(error: ::csv::Error) -> anyhow::Error {
    match error.into_kind() {
        ::csv::ErrorKind::Io(io) => io.into(),
        other => anyhow::anyhow!("writing csv: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use render::Cell;

    #[test]
    fn csv_rows_formatted_in_pieces_come_out_in_order() {
        let row = |i: usize| {
            vec![
                Cell::Text(format!("C{i}")),
                Cell::Count(i as u64 * 3),
                Cell::Text(if i.is_multiple_of(5) {
                    "a, b".into()
                } else {
                    String::new()
                }),
            ]
        };
        let expected: String = (0..1000usize)
            .map(|i| {
                let third = if i.is_multiple_of(5) { "\"a, b\"" } else { "" };
                format!("C{i},{},{third}\n", i * 3)
            })
            .collect();
        // At a time: fewer rows than one piece, pieces of one row, and uneven ends.
        for at_a_time in [1, 7, 64, 1000, 5000] {
            let mut out = Vec::new();
            csv_rows_in_turn(&mut out, 1000, &row, at_a_time).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{at_a_time}");
        }
    }
}
