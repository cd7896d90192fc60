//! `rebuy sql`: the query that computes a command's table in a SQL engine.

use crate::cli::{SqlArgs, SqlCommand, SqlSource};
use crate::error::{Error, Result};
use crate::input::columns::Role;
use crate::input::dates::Zone;
use crate::output::Output;
use crate::settings::{parse_date, parse_map};
use crate::sql::dialect::Dialect;
use crate::sql::Query;

pub fn run(args: &SqlArgs) -> anyhow::Result<()> {
    let command = &args.command;
    let source = command.source();
    let items = match command {
        SqlCommand::Cycles(a) => Some(super::cycles::role_of(a.cycle.by)),
        SqlCommand::Due(a) => Some(super::cycles::role_of(a.cycle.by)),
        _ => None,
    };
    let query = query(source, items)?;
    let sql = match command {
        SqlCommand::Summary(_) => query.summary(),
        SqlCommand::Cohorts(a) => {
            let filter = super::cohorts::filter(&a.cohort)?;
            if a.cohort.extras {
                query.cohort_extras(a.cohort.period, filter)
            } else {
                query.cohorts(a.cohort.period, filter)
            }
        }
        SqlCommand::Rfm(a) => {
            let segments = super::rfm::load_segments(a.rfm.segments_file.as_deref())?;
            let only = super::rfm::only_segment(&segments, a.rfm.segment.as_deref())?;
            if a.rfm.customers || only.is_some() {
                query.rfm_customers(&segments, only)
            } else {
                query.rfm_segments(&segments)
            }
        }
        SqlCommand::Cycles(a) => query.cycles(&super::cycles::options(&a.cycle)?),
        SqlCommand::Due(a) => query.due(
            &super::cycles::options(&a.cycle)?,
            super::due::fires_on(&a.due)?,
            &super::due::stages(&a.due.stage),
        ),
    };
    let output = Output::prepare(source.output.as_deref(), &[])?;
    output.write(format!("{sql};\n").as_bytes())
}

/// The flags, checked. `items` is the role cycles are measured over, if any.
fn query(source: &SqlSource, items: Option<Role>) -> Result<Query> {
    let dialect = Dialect::named(&source.dialect).map_err(Error::usage)?;
    if source.from.trim().is_empty() {
        return Err(Error::usage(
            "--from is empty: name the table, view or expression holding the orders",
        ));
    }
    let mut columns = source
        .map
        .iter()
        .map(|m| parse_map(m))
        .collect::<Result<Vec<_>>>()?;
    if let Some((role, _)) = columns.iter().find(|(r, _)| *r == Role::ProductName) {
        return Err(Error::usage(format!(
            "--map {role}=…: rebuy sql lists product ids; join the names from the product table"
        )));
    }
    let mut defaults = vec![Role::Customer, Role::Date];
    defaults.extend(items);
    for role in defaults {
        if !columns.iter().any(|(r, _)| *r == role) {
            columns.push((role, role.name().to_string()));
        }
    }
    let tz = source.tz.as_deref().map(zone_name).transpose()?;
    Ok(Query {
        dialect,
        from: source.from.clone(),
        columns,
        as_of: source
            .as_of
            .as_deref()
            .map(|d| parse_date("--as-of", d))
            .transpose()?,
        same_day: source.same_day,
        tz,
        non_purchase_status: source.non_purchase_status.clone(),
    })
}

/// `--tz`: a zone name every engine reads alike (UTC, or an IANA name).
fn zone_name(text: &str) -> Result<String> {
    match Zone::parse(text).map_err(Error::usage)? {
        Zone::Named(zone) => Ok(zone.name().to_string()),
        Zone::Fixed(0) => Ok("UTC".to_string()),
        Zone::Fixed(_) => Err(Error::usage(format!(
            "--tz {text}: rebuy sql takes a zone name (Europe/Berlin, America/New_York, UTC), \
             not an offset: engines read the sign of an offset differently"
        ))),
    }
}
