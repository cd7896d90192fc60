//! Files, encodings, column roles, dates and money: everything between the names on
//! the command line and one table of order lines, then purchase occasions.

pub mod columns;
pub mod dates;
pub mod lines;
pub mod money;
pub mod occasions;
pub mod read;

use polars::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use columns::ColumnRoles;
use dates::SlashOrder;
use lines::ValueOptions;
use read::{FileFormat, ReadOptions, Source};

/// What `inspect` tells about one file.
#[derive(Clone, Debug, Serialize)]
pub struct FileReport {
    pub name: String,
    pub format: FileFormat,
    pub encoding: &'static str,
    pub delimiter: Option<char>,
    pub columns: Vec<String>,
    pub roles: ColumnRoles,
    pub rows: u64,
    pub guest_rows: u64,
    pub invalid_rows: u64,
    /// How slashed dates were read: `None` when the file has none or they agree.
    pub slash_order: Option<&'static str>,
}

/// Every input file's typed lines, stacked into one table.
pub struct Inputs {
    pub files: Vec<FileReport>,
    /// `customer, order, order_ts, ts, day, amount, product, category`: see `lines`.
    pub lines: DataFrame,
    pub guest_rows: u64,
    pub invalid_rows: u64,
}

impl Inputs {
    pub fn has_role(&self, role: columns::Role) -> bool {
        self.files.iter().any(|f| f.roles.has(role))
    }
}

/// Reads and types every source, one after the other, and stacks the lines.
/// `reading` hears the name of each file as its turn comes.
pub fn load(
    sources: &[Source],
    read_options: &ReadOptions,
    value_options: &ValueOptions,
    reading: &dyn Fn(&str),
) -> Result<Inputs> {
    let mut files = Vec::with_capacity(sources.len());
    let mut stacked: Option<DataFrame> = None;
    let (mut guest_rows, mut invalid_rows) = (0, 0);
    for source in sources {
        reading(&source.display());
        let raw = read::read(source, read_options)?;
        let typed = lines::type_lines(&raw, value_options)?;
        guest_rows += typed.guest_rows;
        invalid_rows += typed.invalid_rows;
        files.push(FileReport {
            name: raw.name.clone(),
            format: raw.format,
            encoding: raw.encoding,
            delimiter: raw.delimiter.map(char::from),
            columns: raw.header.clone(),
            roles: raw.roles.clone(),
            rows: raw.frame.height() as u64,
            guest_rows: typed.guest_rows,
            invalid_rows: typed.invalid_rows,
            slash_order: typed.slash_order.map(|o| match o {
                SlashOrder::DayFirst => "day/month",
                SlashOrder::MonthFirst => "month/day",
            }),
        });
        match &mut stacked {
            None => stacked = Some(typed.frame),
            Some(frame) => {
                frame
                    .vstack_mut_owned(typed.frame)
                    .map_err(Error::internal)?;
            }
        }
    }
    let lines = stacked.ok_or_else(|| Error::usage("no input files given"))?;
    Ok(Inputs {
        files,
        lines,
        guest_rows,
        invalid_rows,
    })
}

/// Builds occasions from CSV texts, for tests of the rules of contract §1 and §2.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::input::occasions::{OccasionOptions, Occasions};

    pub fn load_texts(texts: &[&str], values: &ValueOptions) -> Result<Inputs> {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let sources: Vec<Source> = texts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let path = folder.path().join(format!("part{i}.csv"));
                std::fs::write(&path, text).expect("writing a test file");
                Source::Path(path)
            })
            .collect();
        load(&sources, &ReadOptions::default(), values, &|_| {})
    }

    pub fn occasions_of(
        texts: &[&str],
        values: &ValueOptions,
        options: OccasionOptions,
    ) -> Result<Occasions> {
        occasions::build(&load_texts(texts, values)?, options)
    }

    /// (customer, date, amount as text, orders) of every occasion, in table order.
    pub fn rows(occasions: &Occasions) -> Vec<(String, String, String, i64)> {
        let frame = &occasions.frame;
        let customers = frame.column("customer").unwrap().str().unwrap().clone();
        let days = crate::metrics::column_i32(frame, "day").unwrap();
        let amounts = crate::metrics::column_i64(frame, "amount").unwrap();
        let orders = crate::metrics::column_i64(frame, "orders").unwrap();
        (0..frame.height())
            .map(|i| {
                (
                    customers.get(i).unwrap().to_string(),
                    dates::date_of_day(days[i].unwrap()).to_string(),
                    amounts[i].map_or("?".to_string(), |a| money::Money(a).to_string()),
                    orders[i].unwrap(),
                )
            })
            .collect()
    }
}
