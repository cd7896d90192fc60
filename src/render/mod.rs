//! Formats, and nothing about metrics: a command turns its result into a [`Document`]
//! (tables of typed cells for people, one table or a JSON value for machines; the
//! report, a page of sections with charts) or a [`List`] of many rows, and one
//! exporter per `--format` turns that into bytes.

pub mod charts;
mod csv;
pub mod html;
mod json;
mod markdown;
mod table;
pub mod text;

pub use self::csv::{flatten, leaves as json_leaves};

use std::io::Write;

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
    /// One self-contained HTML page: the tables, notes and charts, inline CSS.
    Html,
}

impl Format {
    /// The format an output file's extension asks for, if any.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" => Some(Format::Html),
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
/// table) for machines; or, for the report, a page of sections.
#[derive(Clone, Debug, Default)]
pub struct Document {
    pub tables: Vec<Table>,
    /// Lines printed under the tables (what was dropped, how to read them).
    pub notes: Vec<String>,
    /// The csv form; when `None`, the JSON flattened into `key,value` rows.
    pub machine: Option<Table>,
    pub json: Value,
    /// A document of several parts (the report); where present, the people's formats
    /// show it rather than `tables` and `notes`.
    pub page: Option<Page>,
}

/// A titled page of sections, in order.
#[derive(Clone, Debug, Default)]
pub struct Page {
    pub title: String,
    /// The line under the title.
    pub subtitle: String,
    pub sections: Vec<Section>,
}

/// One part of a page: an anchor, a heading and what is under it, in order.
#[derive(Clone, Debug)]
pub struct Section {
    pub id: &'static str,
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Section {
    pub fn new(id: &'static str, title: impl Into<String>) -> Section {
        Section {
            id,
            title: title.into(),
            blocks: Vec::new(),
        }
    }

    /// A document's tables, then its notes.
    pub fn with_document(mut self, document: &Document) -> Section {
        self.blocks
            .extend(document.tables.iter().cloned().map(Block::Table));
        self.blocks
            .extend(document.notes.iter().cloned().map(Block::Note));
        self
    }

    pub fn with(mut self, block: Block) -> Section {
        self.blocks.push(block);
        self
    }
}

#[derive(Clone, Debug)]
pub enum Block {
    Table(Table),
    Note(String),
    Figure(Figure),
    /// Terms and their meanings.
    Terms(Vec<(String, String)>),
}

/// A chart, drawn: its key (the file `STEM-KEY.svg` beside a Markdown report), what it
/// shows and how to read it. HTML inlines the SVG; Markdown links `file` (and leaves
/// out a figure without one).
#[derive(Clone, Debug)]
pub struct Figure {
    pub key: &'static str,
    pub alt: String,
    pub caption: String,
    pub svg: String,
    pub file: Option<String>,
}

/// A list of many rows (customers, reminders), made a row at a time: the csv and
/// json exporters write the rows as they are made, so millions of rows are never held
/// twice; the other formats show one table. The JSON is `{"as_of", key: [rows],
/// "dropped"}`.
pub struct List<'a> {
    pub title: String,
    pub header: &'a [&'a str],
    /// The key of the rows in the JSON.
    pub key: &'a str,
    pub as_of: NaiveDate,
    /// What was left out, for the JSON; and the line saying it, under the table.
    pub dropped: Value,
    pub left_out: String,
    pub count: usize,
    pub row: &'a (dyn Fn(usize) -> Vec<Cell> + Sync),
}

impl List<'_> {
    /// The list as one table with the left-out line under it.
    pub fn document(&self) -> Document {
        let mut table = Table::new(self.title.clone(), self.header);
        table.rows = (0..self.count).map(self.row).collect();
        Document {
            tables: vec![table],
            notes: vec![self.left_out.clone()],
            ..Document::default()
        }
    }
}

/// One output format.
pub trait Exporter {
    fn export(&self, document: &Document, out: &mut dyn Write) -> std::io::Result<()>;

    /// A long list; by default, as the one table of a document.
    fn export_list(&self, list: &List, out: &mut dyn Write) -> std::io::Result<()> {
        self.export(&list.document(), out)
    }
}

pub fn exporter(format: Format, color: bool) -> Box<dyn Exporter> {
    match format {
        Format::Table => Box::new(table::TableExporter { color }),
        Format::Csv => Box::new(csv::CsvExporter),
        Format::Json => Box::new(json::JsonExporter),
        Format::Markdown => Box::new(markdown::MarkdownExporter),
        Format::Html => Box::new(html::HtmlExporter),
    }
}

/// The document in `format`, in memory.
pub fn render(document: &Document, format: Format, color: bool) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    exporter(format, color)
        .export(document, &mut out)
        .expect("writing to memory");
    out
}
