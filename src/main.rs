use std::process::ExitCode;
use std::sync::Mutex;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = rebuy::cli::Cli::parse();
    // A panic is a bug in rebuy or a library, never the user's doing: it is reported
    // once, below, as an internal error; the reader turns the panics polars has on
    // damaged files into errors about the file, which must not print a backtrace.
    static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(info.to_string());
        }
    }));
    let result = std::panic::catch_unwind(|| rebuy::run(cli)).unwrap_or_else(|panic| {
        let where_ = LAST_PANIC.lock().ok().and_then(|mut last| last.take());
        let what = where_.unwrap_or_else(|| rebuy::error::panic_message(&*panic));
        Err(rebuy::error::Error::internal(what).into())
    });
    match result {
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
