//! rebuy turns an online shop's order-history export into retention analytics.
//!
//! Data moves one way: `input` reads files into purchase occasions (`occasions`, with
//! `money`, `days` and `intern` for the values they hold), `metrics` computes the
//! contract's numbers from them, `render` writes them in a format.

pub mod cli;
pub mod commands;
pub mod days;
pub mod error;
pub mod frames;
pub mod gates;
pub mod generate;
pub mod input;
pub mod intern;
pub mod metrics;
pub mod money;
pub mod occasions;
pub mod output;
pub mod progress;
pub mod render;
pub mod settings;
pub mod sql;

use cli::{Cli, Command};
use error::ExitStatus;

/// Runs one command line; errors carry their own exit code (see `error`).
pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match &cli.command {
        Command::Inspect(args) => commands::inspect::run(args)?,
        Command::Summary(args) => commands::summary::run(args)?,
        Command::Cohorts(args) => commands::cohorts::run(args)?,
        Command::Rfm(args) => commands::rfm::run(args)?,
        Command::Cycles(args) => commands::cycles::run(args)?,
        Command::Due(args) => commands::due::run(args)?,
        Command::Predict(args) => commands::predict::run(args)?,
        Command::Trend(args) => commands::trend::run(args)?,
        Command::Next(args) => commands::next::run(args)?,
        Command::Tiers(args) => commands::tiers::run(args)?,
        Command::Dormant(args) => commands::dormant::run(args)?,
        Command::Check(args) => return commands::check::run(args),
        Command::Sql(args) => commands::sql::run(args)?,
        Command::Report(args) => commands::report::run(args)?,
        Command::Generate(args) => commands::generate::run(args)?,
        Command::Completions(args) => commands::manual::completions(args.shell)?,
        Command::Man => commands::manual::man()?,
    }
    progress::mark("");
    Ok(ExitStatus::Success)
}
