//! From clap's structs to resolved settings: every flag is checked here, once, and
//! nothing after this module sees clap types.

use std::io::IsTerminal;
use std::path::PathBuf;

use chrono::NaiveDate;

use crate::cli::CommonArgs;
use crate::days;
use crate::error::{Error, Result};
use crate::input::columns::Role;
use crate::input::dates::{DateFormat, Zone};
use crate::input::occasions::{OccasionOptions, SameDay};
use crate::input::platforms::PlatformChoice;
use crate::input::read::{self, ReadOptions, Source};
use crate::input::schema::ValueOptions;
use crate::input::schema::{Decimal, Encoding};
use crate::render::Format;

/// Everything an analysis command needs to know, checked.
#[derive(Clone, Debug)]
pub struct Settings {
    pub sources: Vec<Source>,
    pub read: ReadOptions,
    pub values: ValueOptions,
    pub occasions: OccasionOptions,
    pub format: Format,
    /// The format was asked for, by `--format` or the `-o` extension.
    pub format_given: bool,
    pub output: Option<PathBuf>,
    /// Colour on a terminal that allows it (`NO_COLOR` unset, stdout a terminal).
    pub color: bool,
}

impl Settings {
    /// For a list a tool imports (`rfm --customers`, `due`): csv, unless a format was
    /// asked for or the list is shown on a terminal.
    pub fn csv_unless_shown(&mut self) {
        if !self.format_given && (self.output.is_some() || !std::io::stdout().is_terminal()) {
            self.format = Format::Csv;
        }
    }

    pub fn resolve(args: &CommonArgs) -> Result<Settings> {
        crate::progress::set_quiet(args.quiet);
        let map = args
            .map
            .iter()
            .map(|m| parse_map(m))
            .collect::<Result<Vec<_>>>()?;
        let date_format = DateFormat::parse(&args.date_format).map_err(Error::usage)?;
        let zone = args
            .tz
            .as_deref()
            .map(Zone::parse)
            .transpose()
            .map_err(Error::usage)?;
        let encoding = Encoding::parse(&args.encoding).map_err(Error::usage)?;
        let delimiter = args.delimiter.as_deref().map(parse_delimiter).transpose()?;
        let platform = args
            .platform
            .as_deref()
            .map(PlatformChoice::parse)
            .transpose()
            .map_err(Error::usage)?
            .unwrap_or_default();
        let decimal = args
            .decimal
            .as_deref()
            .map(Decimal::parse)
            .transpose()
            .map_err(Error::usage)?;
        let non_purchase_status = args.non_purchase_status.as_ref().map(|list| {
            list.iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        });
        let as_of = args
            .as_of
            .as_deref()
            .map(|d| parse_date("--as-of", d))
            .transpose()?;
        let given = args
            .format
            .or_else(|| args.output.as_deref().and_then(Format::from_extension));
        let format = given.unwrap_or(Format::Table);
        let color = args.output.is_none()
            && std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        // Inputs last: a typo in a flag is reported before a missing file.
        let sources = read::expand(&args.files)?;
        if sources.iter().filter(|s| **s == Source::Stdin).count() > 1 {
            return Err(Error::usage("- (stdin) can be named once only"));
        }
        Ok(Settings {
            sources,
            read: ReadOptions {
                map,
                encoding,
                delimiter,
                products: false,
                block_bytes: 0,
                skip_categories: false,
                platform,
                group: None,
            },
            values: ValueOptions {
                date_format,
                zone,
                skip_invalid: args.skip_invalid,
                encoding,
                products: false,
                skip_categories: false,
                skip_names: false,
                order_ids: args.same_day == SameDay::Keep,
                flush_lines: 0,
                decimal,
                non_purchase_status,
            },
            occasions: OccasionOptions {
                same_day: args.same_day,
                as_of: as_of.map(days::day_of_date),
                part_orders: 0,
            },
            format,
            format_given: given.is_some(),
            output: args.output.clone(),
            color,
        })
    }
}

pub fn parse_map(text: &str) -> Result<(Role, String)> {
    let roles = Role::ALL.map(Role::name).join(", ");
    let Some((role, column)) = text.split_once('=') else {
        return Err(Error::usage(format!(
            "--map {text}: expected ROLE=COLUMN, e.g. --map customer=Email (roles: {roles})"
        )));
    };
    let role = Role::from_name(role).ok_or_else(|| {
        Error::usage(format!(
            "--map {text}: unknown role {role:?}; roles are {roles}"
        ))
    })?;
    if column.trim().is_empty() {
        return Err(Error::usage(format!(
            "--map {text}: the column name is empty"
        )));
    }
    Ok((role, column.trim().to_string()))
}

fn parse_delimiter(text: &str) -> Result<u8> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if text.len() == 1 && text.is_ascii() => Ok(text.as_bytes()[0]),
        _ => Err(Error::usage(format!(
            "--delimiter {text:?}: give one character such as , ; | or the word tab"
        ))),
    }
}

/// `YYYY-MM-DD` or `today` (the local date), for the flag `flag`.
pub fn parse_date(flag: &str, text: &str) -> Result<NaiveDate> {
    if text.eq_ignore_ascii_case("today") {
        return Ok(chrono::Local::now().date_naive());
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        Error::usage(format!(
            "{flag} {text:?}: not a date; write it as YYYY-MM-DD (e.g. 2024-06-30) or today"
        ))
    })?;
    if !days::YEARS.contains(&chrono::Datelike::year(&date)) {
        return Err(Error::usage(format!(
            "{flag} {text}: rebuy reads dates from {} to {}; choose a date in those years",
            days::YEARS.start(),
            days::YEARS.end()
        )));
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_takes_role_equals_column() {
        assert_eq!(
            parse_map("customer=Email Address").unwrap(),
            (Role::Customer, "Email Address".to_string())
        );
        assert_eq!(parse_map("unit-price=Preis").unwrap().0, Role::UnitPrice);
        assert!(parse_map("customer").is_err());
        assert!(parse_map("colour=red").is_err());
        assert!(parse_map("customer=").is_err());
    }

    #[test]
    fn delimiters_and_dates() {
        assert_eq!(parse_delimiter(";").unwrap(), b';');
        assert_eq!(parse_delimiter("tab").unwrap(), b'\t');
        assert!(parse_delimiter(";;").is_err());
        assert_eq!(
            parse_date("--as-of", "2024-06-30").unwrap(),
            NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()
        );
        assert!(parse_date("--as-of", "30/06/2024").is_err());
    }
}
