//! `rebuy completions` and `rebuy man`: written from the same definitions as `--help`.

use std::process::Command;

use crate::common::{assert_mentions, Workdir};

/// Every command a user can type.
const COMMANDS: [&str; 17] = [
    "inspect",
    "summary",
    "cohorts",
    "rfm",
    "cycles",
    "due",
    "predict",
    "trend",
    "next",
    "tiers",
    "dormant",
    "check",
    "sql",
    "report",
    "completions",
    "man",
    "generate",
];

#[test]
fn bash_completes_a_command_from_its_start() {
    let w = Workdir::new();
    let script = w.run(&["completions", "bash"]).ok().to_string();
    let path = w.write("rebuy.bash", &script);
    let syntax = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    // What bash does when Tab is pressed after `rebuy coh`, and after `rebuy tiers --platf`.
    let complete = |words: &str| {
        let line = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}; \
             _rebuy rebuy \"${{COMP_WORDS[-1]}}\" \"${{COMP_WORDS[-2]}}\"; echo \"${{COMPREPLY[@]}}\"",
            path.display()
        );
        let out = Command::new("bash").arg("-c").arg(line).output().unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    assert_eq!(complete("rebuy coh"), "cohorts");
    assert_eq!(complete("rebuy tiers --platf"), "--platform");
    assert_eq!(complete("rebuy tiers --pl"), "--platform --platinum-top");
}

#[test]
fn every_shell_gets_a_script_naming_every_command() {
    let w = Workdir::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = w.run(&["completions", shell]).ok().to_string();
        assert_mentions(&script, &COMMANDS);
    }
    let run = w.run(&["completions", "tcsh"]);
    assert_eq!(run.code, Some(2));
    assert_mentions(&run.stderr, &["tcsh", "bash"]);
}

#[test]
fn the_man_page_has_a_section_per_command() {
    let w = Workdir::new();
    let page = w.run(&["man"]).ok().to_string();
    assert!(page.contains(".TH rebuy 1"), "{}", &page[..200]);
    for command in COMMANDS {
        assert!(
            page.contains(&format!(".SH \"REBUY {}\"", command.to_uppercase())),
            "no section for {command}"
        );
        assert!(
            page.contains(&format!("\\fBrebuy {command}\\fR")),
            "{command} not listed"
        );
    }
    // Options and the notes under --help are there, hyphens escaped for roff.
    assert_mentions(&page, &["\\-\\-platinum\\-top", "Bronze=1,Silver=2,Gold=5"]);
}
