//! `datamed`: with no arguments, opens the workbench window; with a
//! subcommand, runs it (see `datamed --help`) and returns its exit code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let code = if std::env::args_os().len() <= 1 {
        datamed::ui::run()
    } else {
        datamed::cli::run(datamed::cli::Cli::parse())
    };
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}
