//! `--format json`: the document's JSON value, pretty-printed; a list's rows written
//! one by one as they are made.

use std::io::Write;

use super::text::to_json;
use super::{Document, Exporter, List};

pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn export(&self, document: &Document, out: &mut dyn Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &document.json)?;
        out.write_all(b"\n")
    }

    /// `{"as_of", key: [rows], "dropped"}`, a row a line.
    fn export_list(&self, list: &List, out: &mut dyn Write) -> std::io::Result<()> {
        write!(
            out,
            "{{\n  \"as_of\": \"{}\",\n  \"{}\": [",
            list.as_of, list.key
        )?;
        for i in 0..list.count {
            let item: serde_json::Map<String, serde_json::Value> = list
                .header
                .iter()
                .zip(&(list.row)(i))
                .map(|(name, cell)| (name.to_string(), to_json(cell)))
                .collect();
            let separator = if i == 0 { "" } else { "," };
            write!(out, "{separator}\n    {}", serde_json::Value::Object(item))?;
        }
        write!(out, "\n  ],\n  \"dropped\": {}\n}}\n", list.dropped)
    }
}
