//! One file per subcommand; each wires input, metrics and render together.

pub mod generate;
pub mod inspect;
pub mod summary;

use crate::error::Result;
use crate::input::{self, occasions, Inputs};
use crate::output::Output;
use crate::progress::Progress;
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
