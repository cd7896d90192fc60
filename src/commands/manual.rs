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
