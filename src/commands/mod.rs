//! One file per subcommand; each wires input, metrics and render together.

pub mod check;
pub mod cohorts;
pub mod cycles;
pub mod due;
pub mod generate;
pub mod inspect;
pub mod report;
pub mod rfm;
pub mod sql;
pub mod summary;

use crate::error::Result;
use crate::input::{self, occasions, Inputs};
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
/// their products (for purchase cycles).
pub(crate) fn load_with_products(
    settings: &Settings,
    progress: &Progress,
) -> Result<(Inputs, Occasions, PurchaseLines)> {
    let (sources, read, values) = (&settings.sources, &settings.read, &settings.values);
    let (inputs, orders, lines) =
        input::load_with_products(sources, read, values, &reading(progress))?;
    progress.step("building purchase occasions");
    let purchases = lines.purchased(&orders, inputs.customers.len())?;
    let occasions = occasions::build(orders, &inputs, settings.occasions)?;
    Ok((inputs, occasions, purchases))
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

impl List<'_> {
    pub fn write(
        &self,
        rows: impl Iterator<Item = Vec<render::Cell>>,
        settings: &Settings,
        output: Output,
    ) -> anyhow::Result<()> {
        use std::io::Write;
        match settings.format {
            render::Format::Csv => {
                let mut stream = output.stream();
                {
                    let mut writer = ::csv::Writer::from_writer(&mut stream);
                    writer.write_record(self.header).map_err(io_error)?;
                    let mut text = String::new();
                    for row in rows {
                        for cell in &row {
                            render::text::write_for_machines(&mut text, cell);
                            writer.write_field(&text).map_err(io_error)?;
                        }
                        writer
                            .write_record(std::iter::empty::<&[u8]>())
                            .map_err(io_error)?;
                    }
                    writer.flush()?;
                }
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

/// The I/O error inside a csv writer's error, so that a closed pipe (`rebuy … | head`)
/// is recognised as one by `main`.
fn io_error(error: ::csv::Error) -> anyhow::Error {
    match error.into_kind() {
        ::csv::ErrorKind::Io(io) => io.into(),
        other => anyhow::anyhow!("writing csv: {other:?}"),
    }
}
