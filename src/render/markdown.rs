//! `--format markdown`: the people's tables as GitHub-flavoured Markdown; a page (the
//! report) as `#` and `##` headings, its charts as images of the files beside it.

use std::io::Write;

use super::text::for_people;
use super::{Block, Document, Exporter, Table};

pub struct MarkdownExporter;

fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}

impl Exporter for MarkdownExporter {
    fn export(&self, document: &Document, out: &mut dyn Write) -> std::io::Result<()> {
        let mut text = String::new();
        match &document.page {
            None => {
                for table in &document.tables {
                    text.push_str(&markdown_table(table));
                }
                for note in &document.notes {
                    text.push_str(note);
                    text.push_str("\n\n");
                }
            }
            Some(page) => {
                text.push_str(&format!("# {}\n\n{}\n\n", page.title, page.subtitle));
                for section in &page.sections {
                    text.push_str(&format!("## {}\n\n", section.title));
                    for block in &section.blocks {
                        text.push_str(&markdown_block(block));
                    }
                }
            }
        }
        text.truncate(text.trim_end().len());
        text.push('\n');
        out.write_all(text.as_bytes())
    }
}

/// One block of a section, ending in a blank line (nothing for a figure without a
/// file).
fn markdown_block(block: &Block) -> String {
    match block {
        Block::Table(table) => markdown_table(table),
        Block::Note(note) => format!("{note}\n\n"),
        Block::Figure(figure) => match &figure.file {
            Some(file) => format!("![{}]({file})\n\n{}\n\n", figure.alt, figure.caption),
            None => String::new(),
        },
        Block::Terms(terms) => {
            let mut text: String = terms
                .iter()
                .map(|(term, meaning)| format!("- **{term}**: {meaning}\n"))
                .collect();
            text.push('\n');
            text
        }
    }
}

/// A table under its `###` title, and a blank line.
fn markdown_table(table: &Table) -> String {
    let mut out = String::new();
    if let Some(title) = &table.title {
        out.push_str(&format!("### {title}\n\n"));
    }
    let header: Vec<String> = table.header.iter().map(|h| escape(h)).collect();
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    let numeric = |i: usize| {
        table
            .rows
            .first()
            .is_some_and(|r| r.get(i).is_some_and(|c| c.is_numeric()))
    };
    let rule: Vec<&str> = (0..header.len())
        .map(|i| if numeric(i) { "---:" } else { "---" })
        .collect();
    out.push_str(&format!("| {} |\n", rule.join(" | ")));
    for row in &table.rows {
        let cells: Vec<String> = row.iter().map(|c| escape(&for_people(c))).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.push('\n');
    out
}
