//! `--format json`: the document's JSON value, pretty-printed.

use super::{Document, Exporter};

pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn export(&self, document: &Document) -> Vec<u8> {
        // A serde_json::Value always serialises.
        let mut out = serde_json::to_vec_pretty(&document.json).expect("a JSON value serialises");
        out.push(b'\n');
        out
    }
}
