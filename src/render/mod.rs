//! Formats, and nothing about metrics: a command turns its result into a [`Document`]
//! (tables of typed cells for people, one table or a JSON value for machines), and one
//! exporter per `--format` turns that into bytes.

pub mod charts;
mod csv;
pub mod html;
mod json;
mod markdown;
mod table;
pub mod text;

pub use self::csv::{flatten, leaves as json_leaves};

use chrono::NaiveDate;
use serde_json::Value;

use crate::money::Money;

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned tables for a terminal: percentages, thousands separators.
    Table,
    /// Comma-separated values: rates as fractions, dates as YYYY-MM-DD.
    Csv,
    /// One JSON object: rates as fractions, missing values as null.
    Json,
    /// GitHub-flavoured Markdown tables, for reports and pull-request comments.
    Markdown,
}

impl Format {
    /// The format an output file's extension asks for, if any.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "md" | "markdown" => Some(Format::Markdown),
            "txt" => Some(Format::Table),
            _ => None,
        }
    }
}

/// One value, typed so each format can write it its own way.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Count(u64),
    /// A fraction 0–1: a percentage for people, a fraction for machines.
    Rate(Option<f64>),
    /// A number of days, possibly fractional.
    Days(Option<f64>),
    /// An exact amount of money.
    Money(Option<Money>),
    /// A mean amount of money.
    MoneyMean(Option<f64>),
    /// Any other number.
    Number(Option<f64>),
    Date(NaiveDate),
    Text(String),
    /// A figure already written for people, shaded by `level` (0–1) on a terminal
    /// with colour: the cells of a heatmap.
    Heat {
        text: String,
        level: Option<f64>,
    },
}

impl Cell {
    pub fn is_numeric(&self) -> bool {
        !matches!(self, Cell::Date(_) | Cell::Text(_))
    }
}

/// Rows of typed cells under a header.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub title: Option<String>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(title: impl Into<String>, header: &[&str]) -> Table {
        Table {
            title: Some(title.into()),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// A table without a title: the csv form of a command.
    pub fn untitled(header: &[&str]) -> Table {
        Table {
            title: None,
            ..Table::new("", header)
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }
}

/// What a command shows: tables and notes for people, JSON (and optionally one flat
/// table) for machines.
#[derive(Clone, Debug, Default)]
pub struct Document {
    pub tables: Vec<Table>,
    /// Lines printed under the tables (what was dropped, how to read them).
    pub notes: Vec<String>,
    /// The csv form; when `None`, the JSON flattened into `key,value` rows.
    pub machine: Option<Table>,
    pub json: Value,
}

/// One output format.
pub trait Exporter {
    fn export(&self, document: &Document) -> Vec<u8>;
}

pub fn exporter(format: Format, color: bool) -> Box<dyn Exporter> {
    match format {
        Format::Table => Box::new(table::TableExporter { color }),
        Format::Csv => Box::new(csv::CsvExporter),
        Format::Json => Box::new(json::JsonExporter),
        Format::Markdown => Box::new(markdown::MarkdownExporter),
    }
}

pub fn render(document: &Document, format: Format, color: bool) -> Vec<u8> {
    exporter(format, color).export(document)
}
