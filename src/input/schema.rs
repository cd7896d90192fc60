//! The line schema and how values are read: the columns of the typed line table,
//! and the options for reading values. The first stage of `input`: it uses none of
//! the others.

use super::columns;
use serde::Serialize;

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
    /// The status's code (`lines::Dictionaries::statuses`); null where empty. Only in
    /// inputs with a status column.
    pub const STATUS: &str = "status";
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
    /// With `products`: leave every line's category out (`NO_CODE`), for analyses by
    /// product; interning an id per line costs time.
    pub skip_categories: bool,
    /// With `products`: keep no product names (a name still stands in for an empty
    /// product id), for analyses that never show them.
    pub skip_names: bool,
    /// Keep the text of order ids (`--same-day keep` ranks them); off frees memory.
    pub order_ids: bool,
    /// Lines between folds into partial orders; 0 means `FLUSH_LINES`. Tests make it
    /// small.
    pub flush_lines: usize,
    /// `--decimal`: every money column's decimal separator, instead of deciding it.
    pub decimal: Option<Decimal>,
    /// `--non-purchase-status`: the statuses that are not purchases, replacing the
    /// platform's or the default list.
    pub non_purchase_status: Option<Vec<String>>,
}

/// The decimal separator of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Decimal {
    #[serde(rename = ".")]
    Point,
    #[serde(rename = ",")]
    Comma,
}

impl Decimal {
    pub fn parse(text: &str) -> Result<Decimal, String> {
        match text.trim() {
            "." | "point" => Ok(Decimal::Point),
            "," | "comma" => Ok(Decimal::Comma),
            _ => Err(format!(
                "unknown decimal separator {text:?}: use . (1234.56) or , (1234,56)"
            )),
        }
    }

    pub fn char(self) -> char {
        match self {
            Decimal::Point => '.',
            Decimal::Comma => ',',
        }
    }

    pub fn other(self) -> Decimal {
        match self {
            Decimal::Point => Decimal::Comma,
            Decimal::Comma => Decimal::Point,
        }
    }

    /// The separator of a file's columns that show none: a decimal comma in files
    /// separated by `;` (spreadsheets writing decimal commas do that), else a point.
    pub fn default_for(delimiter: u8) -> Decimal {
        if delimiter == b';' {
            Decimal::Comma
        } else {
            Decimal::Point
        }
    }
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

/// The 32 characters where Windows-1252 differs from Latin-1 (0x80..=0x9F).
const WINDOWS_1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

pub fn windows_1252_to_utf8(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => WINDOWS_1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// Text of the bytes of a value: UTF-8 where they are (unless Windows-1252 is asked
/// for), else Windows-1252, which every byte sequence is.
pub fn decode_text(bytes: &[u8], encoding: Encoding) -> std::borrow::Cow<'_, str> {
    match (encoding, std::str::from_utf8(bytes)) {
        (Encoding::Windows1252, _) | (_, Err(_)) => {
            std::borrow::Cow::Owned(windows_1252_to_utf8(bytes))
        }
        (_, Ok(text)) => std::borrow::Cow::Borrowed(text),
    }
}
