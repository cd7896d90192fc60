//! `--format table`: aligned tables for a terminal, drawn with comfy-table.

use comfy_table::{Cell as TableCell, CellAlignment, Color, ContentArrangement, Table as Grid};

use super::text::for_people;
use super::{Cell, Document, Exporter};

/// Backgrounds of heatmap cells from low to high, in the 256-colour palette: dark
/// grey, then blues growing lighter; white text reads on all of them.
const HEAT: [u8; 8] = [236, 17, 18, 19, 20, 26, 32, 38];

fn heat(level: f64) -> Color {
    let step = (level.clamp(0.0, 1.0) * (HEAT.len() - 1) as f64).round() as usize;
    Color::AnsiValue(HEAT[step])
}

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
            // Headers of numeric columns sit over the numbers, to the right.
            let numeric = |i: usize| {
                table
                    .rows
                    .iter()
                    .any(|r| r.get(i).is_some_and(|c| c.is_numeric()))
            };
            grid.set_header(table.header.iter().enumerate().map(|(i, h)| {
                let mut cell = TableCell::new(h);
                if numeric(i) {
                    cell = cell.set_alignment(CellAlignment::Right);
                }
                if self.color {
                    cell.add_attribute(comfy_table::Attribute::Bold)
                } else {
                    cell
                }
            }));
            for row in &table.rows {
                grid.add_row(row.iter().map(|c| {
                    let mut cell = TableCell::new(for_people(c));
                    if c.is_numeric() {
                        cell = cell.set_alignment(CellAlignment::Right);
                    }
                    match c {
                        Cell::Heat {
                            level: Some(level), ..
                        } if self.color => cell.bg(heat(*level)).fg(Color::White),
                        _ => cell,
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
