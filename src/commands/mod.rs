//! One file per subcommand; each wires input, metrics and render together.

pub mod cohorts;
pub mod cycles;
pub mod generate;
pub mod inspect;
pub mod rfm;
pub mod summary;

use crate::error::Result;
use crate::input::occasions::Dropped;
use crate::input::{self, occasions, Inputs};
use crate::output::Output;
use crate::progress::Progress;
use crate::render::text::count_of;
use crate::render::{self, Document};
use crate::settings::Settings;

/// Reads every input and builds the purchase occasions: the one scan a command needs.
pub(crate) fn load(
    settings: &Settings,
    progress: &Progress,
) -> Result<(Inputs, occasions::Occasions)> {
    let mut inputs = input::load(
        &settings.sources,
        &settings.read,
        &settings.values,
        &|name| progress.step(format!("reading {name}")),
    )?;
    progress.step("building purchase occasions");
    let occasions = occasions::build(&mut inputs, settings.occasions)?;
    Ok((inputs, occasions))
}

/// Renders the document in the chosen format and writes it out.
pub(crate) fn emit(document: &Document, settings: &Settings, output: Output) -> anyhow::Result<()> {
    let bytes = render::render(document, settings.format, settings.color);
    output.write(&bytes)
}

/// The line under every analysis: what was left out, and why.
pub(crate) fn left_out(d: &Dropped) -> String {
    format!(
        "Left out: {} (no customer id), {}, {} of amount 0 or less, {} after as-of.",
        count_of(d.guest_rows, "guest row", "guest rows"),
        count_of(d.invalid_rows, "invalid row", "invalid rows"),
        count_of(d.non_purchase_orders, "order", "orders"),
        count_of(d.occasions_after_as_of, "occasion", "occasions"),
    )
}
