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

/// A long list (customers, reminders) a command writes: its title, columns, JSON key,
/// as-of date and what was left out; `write` hands it to the exporter of the chosen
/// format, and csv and json stream it as its rows are made (see `render::List`).
pub(crate) struct List<'a> {
    pub title: String,
    pub header: &'a [&'a str],
    pub key: &'a str,
    pub as_of: chrono::NaiveDate,
    pub dropped: &'a Dropped,
}

impl List<'_> {
    /// Writes rows `0..count`, `row(i)` giving the cells of row i.
    pub fn write(
        &self,
        count: usize,
        row: impl Fn(usize) -> Vec<render::Cell> + Sync,
        settings: &Settings,
        output: Output,
    ) -> anyhow::Result<()> {
        let list = render::List {
            title: self.title.clone(),
            header: self.header,
            key: self.key,
            as_of: self.as_of,
            // A struct of counts always serialises.
            dropped: serde_json::to_value(self.dropped).expect("counts serialise"),
            left_out: left_out(self.dropped),
            count,
            row: &row,
        };
        let exporter = render::exporter(settings.format, settings.color);
        let mut stream = output.stream();
        exporter.export_list(&list, &mut stream)?;
        stream.commit()
    }
}
