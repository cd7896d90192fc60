use std::io::Write;
use std::sync::Mutex;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use rebuy::error::ExitStatus;

fn main() {
    without_huge_pages();
    let status = status_of_run();
    leave(status)
}

fn status_of_run() -> ExitStatus {
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
        Ok(status) => status,
        Err(error) => {
            // `rebuy … | head` closes the pipe early: that is not a failure.
            let broken_pipe = error.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitStatus::Success;
            }
            eprintln!("rebuy: error: {error:#}");
            ExitStatus::BadInput
        }
    }
}

/// Turns transparent huge pages off for rebuy's memory. mimalloc asks for them on its
/// 1 GiB arenas, then hands pages of 64 KiB back as it frees; each such hole costs a
/// whole 2 MiB page zeroed again when the memory is used next. A profile of `summary`
/// on 10M Parquet lines had 45% of its samples in the kernel zeroing those pages; with
/// them off the same run spends a third of the system time, and the memory rebuy uses
/// is the same. Ordinary 4 KiB pages are all rebuy needs.
fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes one integer and touches no memory of ours; a
    // kernel without it returns an error, which changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Ends the process with `status` once standard output is flushed, without handing
/// every heap page back to the system one by one first: everything rebuy writes to
/// files is committed by then, and the kernel takes the whole address space back at
/// once (on 10M lines the allocator's own clean-up took a tenth of a second).
fn leave(status: ExitStatus) -> ! {
    let flushed = std::io::stdout().flush();
    let status = match flushed {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("rebuy: error: writing the output: {e}");
            ExitStatus::BadInput
        }
        _ => status,
    };
    // SAFETY: _exit ends the process; nothing of this process runs after it.
    unsafe { libc::_exit(status.code()) }
}
