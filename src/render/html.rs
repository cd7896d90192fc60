//! `--format html` and the report: one self-contained HTML page, inline CSS and SVG,
//! no scripts, no fonts or images from anywhere.

use std::io::Write;

use super::charts::palette;
use super::text::for_people;
use super::{Block, Cell, Document, Exporter, Section, Table};

pub struct HtmlExporter;

impl Exporter for HtmlExporter {
    /// A page's sections; a document without a page is one untitled section, under
    /// its first table's title.
    fn export(&self, document: &Document, out: &mut dyn Write) -> std::io::Result<()> {
        let html = match &document.page {
            Some(p) => page(&p.title, &p.subtitle, &p.sections),
            None => {
                let title = document
                    .tables
                    .first()
                    .and_then(|t| t.title.clone())
                    .unwrap_or_else(|| "rebuy".into());
                let mut tables = document.tables.clone();
                if let Some(first) = tables.first_mut() {
                    first.title = None;
                }
                let only = Section::new("result", "").with_document(&Document {
                    tables,
                    notes: document.notes.clone(),
                    ..Document::default()
                });
                page(&title, "", &[only])
            }
        };
        out.write_all(html.as_bytes())
    }
}

/// Text made safe inside HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// A table; numbers right-aligned, heatmap cells shaded with the report's ramp.
pub fn table(t: &Table) -> String {
    let mut out = String::new();
    if let Some(title) = &t.title {
        out.push_str(&format!("<h3>{}</h3>\n", escape(title)));
    }
    // A heatmap (a cohort triangle) has many columns: set tighter to fit the page.
    let heat = t
        .rows
        .iter()
        .flatten()
        .any(|c| matches!(c, Cell::Heat { .. }));
    out.push_str(if heat {
        "<div class=\"scroll\"><table class=\"heat\">\n"
    } else {
        "<div class=\"scroll\"><table>\n"
    });
    let numeric = |i: usize| {
        t.rows
            .iter()
            .any(|r| r.get(i).is_some_and(Cell::is_numeric))
    };
    out.push_str("<thead><tr>");
    for (i, h) in t.header.iter().enumerate() {
        let class = if numeric(i) { " class=\"num\"" } else { "" };
        out.push_str(&format!("<th{class}>{}</th>", escape(h.trim())));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for cell in row {
            let text = escape(for_people(cell).trim());
            match cell {
                Cell::Heat {
                    level: Some(level), ..
                } => {
                    let (r, g, b) = palette::ramp(*level);
                    // Dark text on the pale half of the ramp, white on the deep half.
                    let ink = if *level > 0.6 { "#fff" } else { "#222" };
                    out.push_str(&format!(
                        "<td class=\"num\" style=\"background:{};color:{ink}\">{text}</td>",
                        palette::hex((r, g, b))
                    ));
                }
                c if c.is_numeric() => out.push_str(&format!("<td class=\"num\">{text}</td>")),
                // Long text (an action) may wrap; ids and labels stay on one line.
                _ if text.chars().count() > 24 => {
                    out.push_str(&format!("<td class=\"wrap\">{text}</td>"))
                }
                _ => out.push_str(&format!("<td>{text}</td>")),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
    out
}

/// Paragraphs of notes.
pub fn notes(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| format!("<p class=\"note\">{}</p>\n", escape(l)))
        .collect()
}

/// One block of a section.
fn block(block: &Block) -> String {
    match block {
        Block::Table(t) => table(t),
        Block::Note(note) => notes(std::slice::from_ref(note)),
        Block::Figure(f) => format!(
            "<figure>{}<figcaption>{}</figcaption></figure>\n",
            f.svg,
            escape(&f.caption)
        ),
        Block::Terms(terms) => {
            let items: String = terms
                .iter()
                .map(|(term, meaning)| {
                    format!("<dt>{}</dt><dd>{}</dd>\n", escape(term), escape(meaning))
                })
                .collect();
            format!("<dl>\n{items}</dl>\n")
        }
    }
}

/// The whole page: a contents line when there are several sections, each section
/// under its heading (none for an untitled one).
pub fn page(title: &str, subtitle: &str, sections: &[Section]) -> String {
    let accent = palette::hex(palette::AVERAGE);
    let text = palette::hex(palette::TEXT);
    let muted = palette::hex(palette::MUTED);
    let nav: String = if sections.len() > 1 {
        let links: Vec<String> = sections
            .iter()
            .map(|s| format!("<a href=\"#{}\">{}</a>", s.id, escape(&s.title)))
            .collect();
        format!("<nav>{}</nav>\n", links.join(" · "))
    } else {
        String::new()
    };
    let subtitle = if subtitle.is_empty() {
        String::new()
    } else {
        format!("<p class=\"subtitle\">{}</p>\n", escape(subtitle))
    };
    let body: String = sections
        .iter()
        .map(|s| {
            let heading = if s.title.is_empty() {
                String::new()
            } else {
                format!("<h2>{}</h2>\n", escape(&s.title))
            };
            let blocks: String = s.blocks.iter().map(block).collect();
            format!("<section id=\"{}\">\n{heading}{blocks}</section>\n", s.id)
        })
        .collect();
    format!(
        "<!DOCTYPE html>
<html lang=\"en\">
<head>
<meta charset=\"utf-8\">
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
<title>{title}</title>
<style>
body {{ font-family: system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif; color: {text}; margin: 0 auto; max-width: 1100px; padding: 24px; line-height: 1.45; }}
h1 {{ color: {accent}; margin-bottom: 0; }}
h2 {{ color: {accent}; border-bottom: 2px solid #e5e5e5; padding-bottom: 4px; margin-top: 40px; }}
.subtitle {{ color: {muted}; margin-top: 4px; }}
nav {{ margin: 16px 0; font-size: 14px; }}
nav a {{ color: {accent}; text-decoration: none; }}
.scroll {{ overflow-x: auto; margin: 12px 0; }}
table {{ border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }}
h3 {{ font-size: 15px; margin: 20px 0 4px; }}
th, td {{ padding: 4px 10px; border-bottom: 1px solid #eee; vertical-align: top; white-space: nowrap; }}
td.wrap {{ white-space: normal; min-width: 10em; }}
th {{ text-align: left; border-bottom: 2px solid #ccc; white-space: normal; }}
table.heat {{ font-size: 11px; }}
table.heat th, table.heat td {{ padding: 3px 3px; }}
.num {{ text-align: right; }}
figcaption {{ color: {muted}; font-size: 13px; }}
.note {{ color: {muted}; font-size: 13px; margin: 4px 0; }}
figure {{ margin: 16px 0; }}
svg {{ max-width: 100%; height: auto; }}
dt {{ font-weight: 600; margin-top: 8px; }}
dd {{ margin-left: 16px; }}
</style>
</head>
<body>
<h1>{title}</h1>
{subtitle}{nav}{body}</body>
</html>
",
        title = escape(title),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_shades() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        let mut t = Table::new("T", &["cohort", "0"]);
        t.push(vec![
            Cell::Text("2024-01".into()),
            Cell::Heat {
                text: "100.0% ".into(),
                level: Some(1.0),
            },
        ]);
        let html = table(&t);
        assert!(html.starts_with("<h3>T</h3>"));
        assert!(html.contains("<th class=\"num\">0</th>"));
        assert!(
            html.contains("style=\"background:#006d2c;color:#fff\">100.0%</td>"),
            "{html}"
        );
    }
}
