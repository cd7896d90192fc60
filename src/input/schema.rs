//! The line schema and how values are read: the columns of the typed line table,
//! and the options for reading values. The first stage of `input`: it uses none of
//! the others.

use super::columns;
use super::dates::{DateFormat, Zone};

/// Names of the columns of the typed line table.
pub mod col_name {
    pub const CUSTOMER: &str = "customer";
    /// One code per order: (customer, order id), or (customer, timestamp) for lines
    /// without an order id.
    pub const ORDER_KEY: &str = "order_key";
    /// The order id's code; `NO_CODE` without one.
    pub const ORDER: &str = "order";
    pub const TS: &str = "ts";
    pub const DAY: &str = "day";
    /// Fixed point; null where unknown.
    pub const AMOUNT: &str = "amount";
    pub const PRODUCT: &str = "product";
    pub const CATEGORY: &str = "category";
}

/// The amount of a line whose amount is unknown, until the line table makes it a null.
pub const NO_AMOUNT: i64 = i64::MIN;

/// How to read the values of every file.
#[derive(Clone, Debug, Default)]
pub struct ValueOptions {
    pub date_format: DateFormat,
    pub zone: Option<Zone>,
    pub skip_invalid: bool,
    pub encoding: Encoding,
    /// Keep product and category codes: set by `load_with_products`.
    pub products: bool,
    /// Keep the text of order ids (`--same-day keep` ranks them); off frees memory.
    pub order_ids: bool,
    /// Lines between folds into partial orders; 0 means `FLUSH_LINES`. Tests make it
    /// small.
    pub flush_lines: usize,
}

/// `--encoding`: how the bytes of a CSV file become text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 when the file is valid UTF-8, else Windows-1252.
    #[default]
    Auto,
    Utf8,
    Windows1252,
}

impl Encoding {
    pub fn parse(text: &str) -> std::result::Result<Encoding, String> {
        match columns::normalise(text).as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf8" => Ok(Encoding::Utf8),
            "latin1" | "iso88591" | "windows1252" | "cp1252" => Ok(Encoding::Windows1252),
            _ => Err(format!(
                "unknown encoding {text:?}: use auto, utf-8 or windows-1252 (latin-1)"
            )),
        }
    }
}
