use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = rebuy::cli::Cli::parse();
    match rebuy::run(cli) {
        Ok(code) => code,
        Err(error) => {
            // `rebuy … | head` closes the pipe early: that is not a failure.
            let broken_pipe = error.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("rebuy: error: {error:#}");
            ExitCode::from(rebuy::error::EXIT_BAD_INPUT)
        }
    }
}
