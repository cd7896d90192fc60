//! `--format table`: aligned tables for a terminal, drawn with comfy-table.

use comfy_table::{Cell as TableCell, CellAlignment, Color, ContentArrangement, Table as Grid};

use super::text::for_people;
use std::io::Write;

use super::{Block, Cell, Document, Exporter, Table};

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
    fn export(&self, document: &Document, out: &mut dyn Write) -> std::io::Result<()> {
        let mut text = String::new();
        match &document.page {
            None => {
                for table in &document.tables {
                    text.push_str(&self.grid(table));
                    text.push('\n');
                }
                for note in &document.notes {
                    text.push_str(note);
                    text.push('\n');
                }
            }
            Some(page) => {
                text.push_str(&format!("{}\n{}\n\n", page.title, page.subtitle));
                for section in &page.sections {
                    text.push_str(&format!("{}\n\n", section.title.to_uppercase()));
                    for block in &section.blocks {
                        match block {
                            Block::Table(table) => {
                                text.push_str(&self.grid(table));
                                text.push('\n');
                            }
                            Block::Note(note) => text.push_str(&format!("{note}\n\n")),
                            Block::Figure(_) => {}
                            Block::Terms(terms) => {
                                for (term, meaning) in terms {
                                    text.push_str(&format!("{term}: {meaning}\n"));
                                }
                                text.push('\n');
                            }
                        }
                    }
                }
            }
        }
        text.truncate(text.trim_end().len());
        text.push('\n');
        out.write_all(text.as_bytes())
    }
}

impl TableExporter {
    /// One table, its title above it, aligned; each line ends in a newline.
    fn grid(&self, table: &Table) -> String {
        let mut out = String::new();
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
        out
    }
}
