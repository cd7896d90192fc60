//! `rebuy sql`: the query that computes a command's table in a SQL engine.

use crate::cli::{SqlArgs, SqlCommand};
use crate::error::Error;
use crate::input::columns::Role;
use crate::output::Output;
use crate::settings::{parse_date, parse_map};
use crate::sql::dialect::Dialect;
use crate::sql::Query;

pub fn run(args: &SqlArgs) -> anyhow::Result<()> {
    let query = query(args)?;
    let sql = match args.command {
        SqlCommand::Summary => query.summary(),
        SqlCommand::RfmCustomers => {
            query.rfm_customers(&crate::metrics::segments::Segments::default())
        }
    };
    let output = Output::prepare(args.output.as_deref(), &[])?;
    output.write(format!("{sql};\n").as_bytes())
}

/// The flags, checked.
fn query(args: &SqlArgs) -> crate::error::Result<Query> {
    let dialect = Dialect::named(&args.dialect).map_err(Error::usage)?;
    if args.from.trim().is_empty() {
        return Err(Error::usage(
            "--from is empty: name the table, view or expression holding the orders",
        ));
    }
    let mut columns = args
        .map
        .iter()
        .map(|m| parse_map(m))
        .collect::<crate::error::Result<Vec<_>>>()?;
    if let Some((role, _)) = columns
        .iter()
        .find(|(r, _)| matches!(r, Role::Product | Role::Category | Role::ProductName))
    {
        return Err(Error::usage(format!(
            "--map {role}=…: rebuy sql summary does not read products"
        )));
    }
    for role in [Role::Customer, Role::Date] {
        if !columns.iter().any(|(r, _)| *r == role) {
            columns.push((role, role.name().to_string()));
        }
    }
    let as_of = args
        .as_of
        .as_deref()
        .map(|d| parse_date("--as-of", d))
        .transpose()?;
    Ok(Query {
        dialect,
        from: args.from.clone(),
        columns,
        as_of,
        same_day: args.same_day,
        non_purchase_status: args.non_purchase_status.clone(),
    })
}
