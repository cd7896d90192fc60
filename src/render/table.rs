//! `--format table`: aligned tables for a terminal, drawn with comfy-table.

use comfy_table::{Cell as TableCell, CellAlignment, ContentArrangement, Table as Grid};

use super::text::for_people;
use super::{Document, Exporter};

/// comfy-table's preset string, one character a part (a space leaves the part out):
/// only the rule under the header is drawn (5: header line, 6: its crossings).
const HEADER_RULE_ONLY: &str = "     ──            ";

pub struct TableExporter {
    /// Bold headers; only on a terminal that allows colour.
    pub color: bool,
}

impl Exporter for TableExporter {
    fn export(&self, document: &Document) -> Vec<u8> {
        let mut out = String::new();
        for table in &document.tables {
            if let Some(title) = &table.title {
                out.push_str(title);
                out.push('\n');
            }
            let mut grid = Grid::new();
            grid.load_preset(HEADER_RULE_ONLY)
                .set_content_arrangement(ContentArrangement::Disabled);
            if self.color {
                grid.enforce_styling();
            }
            grid.set_header(table.header.iter().map(|h| {
                let cell = TableCell::new(h);
                if self.color {
                    cell.add_attribute(comfy_table::Attribute::Bold)
                } else {
                    cell
                }
            }));
            for row in &table.rows {
                grid.add_row(row.iter().map(|c| {
                    let cell = TableCell::new(for_people(c));
                    if c.is_numeric() {
                        cell.set_alignment(CellAlignment::Right)
                    } else {
                        cell
                    }
                }));
            }
            for line in grid.to_string().lines() {
                out.push_str(line.trim_end());
                out.push('\n');
            }
            out.push('\n');
        }
        for note in &document.notes {
            out.push_str(note);
            out.push('\n');
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out.into_bytes()
    }
}
