//! `--format csv`: the machine table, or the JSON flattened into `key,value` rows.

use serde_json::Value;

use super::text::for_machines;
use super::{Cell, Document, Exporter, Table};

pub struct CsvExporter;

impl Exporter for CsvExporter {
    fn export(&self, document: &Document) -> Vec<u8> {
        let table = document
            .machine
            .clone()
            .unwrap_or_else(|| flatten(&document.json));
        let mut writer = ::csv::Writer::from_writer(Vec::new());
        // Writing into a Vec cannot fail.
        writer
            .write_record(&table.header)
            .expect("writing to memory");
        for row in &table.rows {
            writer
                .write_record(row.iter().map(for_machines))
                .expect("writing to memory");
        }
        writer.into_inner().expect("writing to memory")
    }
}

/// `{"a": {"b": 1}, "ladder": [{"k": 1, "customers": 5}]}` → rows `a.b,1`,
/// `ladder.1.customers,5`: objects by key, list items by their `k` (not repeated
/// inside the item), else by position.
pub fn flatten(json: &Value) -> Table {
    let mut table = Table {
        title: None,
        header: vec!["key".into(), "value".into()],
        rows: Vec::new(),
    };
    for (key, value) in leaves(json) {
        let text = match value {
            Value::Null => String::new(),
            Value::String(s) => s,
            other => other.to_string(),
        };
        table.rows.push(vec![Cell::Text(key), Cell::Text(text)]);
    }
    table
}

/// Every leaf of a JSON value with its dotted key, named as `flatten` names them.
pub fn leaves(json: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    walk(json, String::new(), &mut out);
    out
}

fn walk(value: &Value, path: String, out: &mut Vec<(String, Value)>) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                walk(inner, join(key), out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                match (item.get("k"), item) {
                    (Some(k), Value::Object(fields)) => {
                        let mut rest = fields.clone();
                        rest.remove("k");
                        walk(&Value::Object(rest), join(&k.to_string()), out);
                    }
                    _ => walk(item, join(&i.to_string()), out),
                }
            }
        }
        leaf => out.push((path, leaf.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flattens_objects_and_keyed_lists() {
        let table =
            flatten(&json!({"a": {"b": 1, "c": null}, "ladder": [{"k": 1, "n": 0.5}], "d": "x"}));
        let text: Vec<Vec<String>> = table
            .rows
            .iter()
            .map(|r| r.iter().map(for_machines).collect())
            .collect();
        assert_eq!(
            text,
            vec![
                vec!["a.b", "1"],
                vec!["a.c", ""],
                vec!["ladder.1.n", "0.5"],
                vec!["d", "x"],
            ]
        );
    }
}
