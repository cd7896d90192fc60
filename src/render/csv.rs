//! `--format csv`: the machine table, or the JSON flattened into `key,value` rows; a
//! list's rows formatted in pieces on every thread and written in their order.

use std::io::Write;

use serde_json::Value;

use super::text::{for_machines, write_for_machines};
use super::{Cell, Document, Exporter, List, Table};

pub struct CsvExporter;

impl Exporter for CsvExporter {
    fn export(&self, document: &Document, out: &mut dyn Write) -> std::io::Result<()> {
        let table = document
            .machine
            .clone()
            .unwrap_or_else(|| flatten(&document.json));
        let mut writer = ::csv::Writer::from_writer(out);
        writer.write_record(&table.header).map_err(io_error)?;
        for row in &table.rows {
            writer
                .write_record(row.iter().map(for_machines))
                .map_err(io_error)?;
        }
        writer.flush()
    }

    fn export_list(&self, list: &List, out: &mut dyn Write) -> std::io::Result<()> {
        let mut header = ::csv::Writer::from_writer(&mut *out);
        header.write_record(list.header).map_err(io_error)?;
        header.flush()?;
        drop(header);
        rows_in_turn(out, list.count, list.row, LIST_ROWS_AT_A_TIME)
    }
}

/// Rows of a list formatted at a time.
const LIST_ROWS_AT_A_TIME: usize = 1 << 16;

/// Rows `0..count` as csv (no header), `at_a_time` formatted at once in pieces on
/// every thread, written in their order.
fn rows_in_turn(
    out: &mut dyn Write,
    count: usize,
    row: &(dyn Fn(usize) -> Vec<Cell> + Sync),
    at_a_time: usize,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let piece = (at_a_time / rayon::current_num_threads().max(1) / 4).max(1);
    for start in (0..count).step_by(at_a_time) {
        let end = (start + at_a_time).min(count);
        let pieces: Vec<Vec<u8>> = (start..end)
            .into_par_iter()
            .chunks(piece)
            .map(|indices| rows(indices, row))
            .collect::<Result<_, _>>()?;
        for bytes in &pieces {
            out.write_all(bytes)?;
        }
    }
    Ok(())
}

/// The csv text of the given rows (no header).
fn rows(
    indices: Vec<usize>,
    row: &(dyn Fn(usize) -> Vec<Cell> + Sync),
) -> std::io::Result<Vec<u8>> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let mut text = String::new();
    for i in indices {
        for cell in &row(i) {
            // Text as it is, without a copy; the rest written into `text`.
            let field = match cell {
                Cell::Text(t) => t.as_str(),
                _ => {
                    write_for_machines(&mut text, cell);
                    text.as_str()
                }
            };
            writer.write_field(field).map_err(io_error)?;
        }
        writer
            .write_record(std::iter::empty::<&[u8]>())
            .map_err(io_error)?;
    }
    writer.into_inner().map_err(|e| e.into_error())
}

/// The I/O error inside a csv writer's error, so that a closed pipe (`rebuy … | head`)
/// is recognised as one by `main`.
fn io_error(error: ::csv::Error) -> std::io::Error {
    match error.into_kind() {
        ::csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("writing csv: {other:?}")),
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
    fn list_rows_formatted_in_pieces_come_out_in_order() {
        let row = |i: usize| {
            vec![
                Cell::Text(format!("C{i}")),
                Cell::Count(i as u64 * 3),
                Cell::Text(if i.is_multiple_of(5) {
                    "a, b".into()
                } else {
                    String::new()
                }),
            ]
        };
        let expected: String = (0..1000usize)
            .map(|i| {
                let third = if i.is_multiple_of(5) { "\"a, b\"" } else { "" };
                format!("C{i},{},{third}\n", i * 3)
            })
            .collect();
        // At a time: fewer rows than one piece, pieces of one row, and uneven ends.
        for at_a_time in [1, 7, 64, 1000, 5000] {
            let mut out = Vec::new();
            rows_in_turn(&mut out, 1000, &row, at_a_time).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{at_a_time}");
        }
    }

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
