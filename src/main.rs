//! `datamed`: with no arguments, opens the workbench window; with paths
//! (`datamed WS.sqlite`, `datamed Médicaments.csv`, what a file manager
//! passes on a double-click), opens it on them as `datamed open` does; with
//! a subcommand, runs it (see `datamed --help`) and returns its exit code.
//!
//! On Windows the executable is a GUI-subsystem program, so that a
//! double-click opens the window without a console flashing up; commands
//! attach to the console of the shell that started them to print there
//! (see [`windows_console`] and README, "Installer").

#![cfg_attr(windows, windows_subsystem = "windows")]

use std::ffi::OsString;

use clap::{CommandFactory, Parser};
use datamed::cli::Cli;

#[cfg(windows)]
mod windows_console;

fn main() -> std::process::ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let code = match args.get(1) {
        None => datamed::ui::run(datamed::launch::Launch::default()),
        Some(first) if !is_command(first) && datamed::launch::looks_like_path(first) => {
            let paths: Vec<_> = args[1..].iter().map(std::path::PathBuf::from).collect();
            match datamed::launch::from_paths(&paths) {
                Ok(launch) => datamed::ui::run(launch),
                Err(e) => {
                    attach_console();
                    eprintln!("error: {e}");
                    e.exit_code()
                }
            }
        }
        Some(_) => {
            attach_console();
            datamed::cli::run(Cli::parse(), datamed::ui::run)
        }
    };
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// Whether `arg` is one of the subcommands (or help/version flags): those
/// win over a file of the same name in the current directory.
fn is_command(arg: &OsString) -> bool {
    let Some(arg) = arg.to_str() else {
        return false;
    };
    arg.starts_with('-')
        || arg == "help"
        || Cli::command()
            .get_subcommands()
            .any(|c| c.get_name() == arg || c.get_all_aliases().any(|a| a == arg))
}

/// Makes stdout and stderr reach the console of the shell that started a
/// command (Windows); elsewhere they always do.
fn attach_console() {
    #[cfg(windows)]
    windows_console::attach_parent();
}
