//! `--format markdown`: the people's tables as GitHub-flavoured Markdown.

use super::text::for_people;
use super::{Document, Exporter};

pub struct MarkdownExporter;

fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}

impl Exporter for MarkdownExporter {
    fn export(&self, document: &Document) -> Vec<u8> {
        let mut out = String::new();
        for table in &document.tables {
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
        }
        for note in &document.notes {
            out.push_str(note);
            out.push_str("\n\n");
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out.into_bytes()
    }
}
