//! `rebuy completions SHELL` and `rebuy man`: written from the definitions `--help`
//! comes from, so they cannot drift from it.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;

pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "rebuy", &mut script);
    std::io::stdout().lock().write_all(&script)?;
    Ok(())
}

/// One page: rebuy's own, then each command's usage, options and notes in turn.
pub fn man() -> anyhow::Result<()> {
    let mut command = Cli::command();
    command.build();
    let mut page = Vec::new();
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    let commands: Vec<&clap::Command> = command
        .get_subcommands()
        .filter(|s| s.get_name() != "help")
        .collect();
    writeln!(page, ".SH COMMANDS")?;
    for sub in &commands {
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        writeln!(
            page,
            ".TP\n\\fBrebuy {}\\fR\n{}",
            sub.get_name(),
            roff_text(&about)
        )?;
    }
    for sub in commands {
        let name = format!("rebuy {}", sub.get_name());
        let sub = sub.clone().bin_name(name.clone());
        let man = clap_mangen::Man::new(sub.clone());
        writeln!(page, ".SH \"{}\"", name.to_uppercase())?;
        man.render_synopsis_section(&mut page)?;
        man.render_description_section(&mut page)?;
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(&mut page)?;
        }
        if sub.get_after_help().is_some() {
            man.render_extra_section(&mut page)?;
        }
    }
    man.render_extra_section(&mut page)?;
    man.render_version_section(&mut page)?;
    std::io::stdout().lock().write_all(&page)?;
    Ok(())
}

/// Text for a roff line: backslashes and hyphens escaped, and no leading dot or quote
/// taken for a request.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

/// Where the README's command reference begins and ends.
pub const REFERENCE_BEGIN: &str = "<!-- command reference: written from src/cli.rs by \
`REBUY_UPDATE_README=1 cargo test --release --lib readme`; edit the definitions there, not here -->";
pub const REFERENCE_END: &str = "<!-- end of the command reference -->";

/// The README's command reference, in Markdown, from the definitions `--help` shows:
/// the commands with what each does, the options every analysis shares, then each
/// command's own.
pub fn reference() -> String {
    let mut command = Cli::command();
    command.build();
    let shared: Vec<String> =
        <crate::cli::CommonArgs as clap::Args>::augment_args(clap::Command::new("shared"))
            .get_arguments()
            .map(|a| a.get_id().to_string())
            .collect();
    let commands: Vec<&clap::Command> = command
        .get_subcommands()
        .filter(|s| s.get_name() != "help")
        .collect();
    let mut out = String::from("| command | what it does |\n|---|---|\n");
    for sub in &commands {
        let positional: Vec<String> = sub
            .get_positionals()
            .map(|a| {
                let name = a.get_value_names().map_or_else(
                    || a.get_id().to_string().to_uppercase(),
                    |names| names.join(" "),
                );
                match a.get_num_args() {
                    Some(range) if range.max_values() > 1 => format!("{name}..."),
                    _ => name,
                }
            })
            .collect();
        let usage = std::iter::once(format!("rebuy {}", sub.get_name()))
            .chain(positional)
            .collect::<Vec<_>>()
            .join(" ");
        out.push_str(&format!("| `{usage}` | {} |\n", cell(sub.get_about())));
    }
    out.push_str("\nOptions of every command that reads exports:\n\n");
    out.push_str(&options(commands[0], |id| shared.iter().any(|s| s == id)));
    out.push_str("\nThe options of each command besides those:\n");
    for sub in commands {
        // A command that reads no export (generate, sql) has flags of the same names
        // of its own: all of them are listed.
        let reads_exports = shared
            .iter()
            .all(|id| sub.get_arguments().any(|a| a.get_id() == id.as_str()));
        let own = options(sub, |id| !reads_exports || !shared.iter().any(|s| s == id));
        if own.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n<details><summary><code>rebuy {}</code></summary>\n\n{own}\n</details>\n",
            sub.get_name()
        ));
    }
    out
}

/// A table of the flags of `command` whose id `wanted` takes; empty when none.
fn options(command: &clap::Command, wanted: impl Fn(&str) -> bool) -> String {
    let rows: Vec<String> = command
        .get_arguments()
        .filter(|a| !a.is_positional() && !a.is_hide_set())
        .filter(|a| !matches!(a.get_id().as_str(), "help" | "version"))
        .filter(|a| wanted(a.get_id().as_str()))
        .map(|a| {
            let mut flag = a.get_long().map(|l| format!("--{l}")).unwrap_or_default();
            if let Some(short) = a.get_short() {
                flag = format!("-{short}, {flag}");
            }
            let takes_value = a.get_num_args().is_some_and(|n| n.takes_values());
            if takes_value {
                let values: Vec<String> = a
                    .get_possible_values()
                    .iter()
                    .filter(|v| !v.is_hide_set())
                    .map(|v| v.get_name().to_string())
                    .collect();
                let name = if values.is_empty() {
                    a.get_value_names()
                        .map_or_else(|| a.get_id().to_string().to_uppercase(), |n| n.join(" "))
                } else {
                    values.join("|")
                };
                let optional = a.get_num_args().is_some_and(|n| n.min_values() == 0);
                flag = if optional {
                    format!("{flag} [{name}]")
                } else {
                    format!("{flag} {name}")
                };
            }
            let mut help = cell(a.get_long_help().or(a.get_help()));
            let defaults: Vec<String> = a
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            if takes_value && !defaults.is_empty() {
                help.push_str(&format!(" Default: `{}`.", defaults.join(",")));
            }
            format!("| `{}` | {help} |", flag.replace('|', "\\|"))
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    format!("| option | meaning |\n|---|---|\n{}\n", rows.join("\n"))
}

/// Help text as one table cell: one line, pipes escaped, ending with a full stop.
fn cell(text: Option<&clap::builder::StyledStr>) -> String {
    let text = text.map(|t| t.to_string()).unwrap_or_default();
    let mut one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line = one_line.replace('|', "\\|");
    if !one_line.is_empty() && !one_line.ends_with('.') {
        one_line.push('.');
    }
    one_line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// The README's command reference is `reference()`; with `REBUY_UPDATE_README=1`
    /// the test writes it there instead of failing.
    /// generate reads no export: its -o and -q are its own, and listed (they were
    /// left out as if they were the shared ones).
    #[test]
    fn a_command_without_the_shared_options_lists_all_of_its_own() {
        let text = reference();
        let generate = &text[text.find("<code>rebuy generate</code>").unwrap()..];
        let generate = &generate[..generate.find("</details>").unwrap()];
        assert!(
            generate.contains("| `-o, --output FILE` | Write to FILE: .csv"),
            "{generate}"
        );
        assert!(generate.contains("| `-q, --quiet` |"), "{generate}");
        let cohorts = &text[text.find("<code>rebuy cohorts</code>").unwrap()..];
        let cohorts = &cohorts[..cohorts.find("</details>").unwrap()];
        assert!(!cohorts.contains("--output"), "{cohorts}");
    }

    #[test]
    fn readme_has_the_command_reference_of_help() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        let readme = std::fs::read_to_string(&path).unwrap();
        let start = readme
            .find(REFERENCE_BEGIN)
            .expect("the README marks its reference")
            + REFERENCE_BEGIN.len();
        let end = readme
            .find(REFERENCE_END)
            .expect("the README ends its reference");
        let expected = format!("\n\n{}\n", reference());
        if readme[start..end] == expected {
            return;
        }
        if std::env::var_os("REBUY_UPDATE_README").is_some() {
            let updated = format!("{}{expected}{}", &readme[..start], &readme[end..]);
            std::fs::write(&path, updated).unwrap();
            return;
        }
        panic!(
            "README.md's command reference differs from --help: run REBUY_UPDATE_README=1 cargo test --release --lib readme, and commit README.md"
        );
    }
}
