//! `alejandra [--check] FILE...`: format Nix files in place, or with
//! `--check` only report the ones that are not formatted (exit 1).
//! `alejandra --version` prints the pinned library version.

use std::process::ExitCode;

/// The alejandra library version this binary is built against.
const ALEJANDRA_VERSION: &str = "3.1.0";

fn main() -> ExitCode {
    let mut check = false;
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--check" | "-c" => check = true,
            "--version" | "-V" => {
                println!("alejandra {ALEJANDRA_VERSION} (library, via nixos/alejandra-check)");
                return ExitCode::SUCCESS;
            }
            "--help" | "-h" => {
                println!("usage: alejandra [--check] FILE...");
                return ExitCode::SUCCESS;
            }
            other if other.starts_with('-') => {
                eprintln!("alejandra: unknown option {other}");
                return ExitCode::from(2);
            }
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        eprintln!("usage: alejandra [--check] FILE...");
        return ExitCode::from(2);
    }

    let mut failed = false;
    for file in files {
        let before = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("alejandra: cannot read {file}: {error}");
                failed = true;
                continue;
            }
        };
        match alejandra::format::in_memory(file.clone(), before) {
            (alejandra::format::Status::Error(error), _) => {
                eprintln!("alejandra: cannot parse {file}: {error}");
                failed = true;
            }
            (alejandra::format::Status::Changed(false), _) => {}
            (alejandra::format::Status::Changed(true), after) => {
                if check {
                    eprintln!("alejandra: {file} is not formatted (run: alejandra {file})");
                    failed = true;
                } else if let Err(error) = std::fs::write(&file, after) {
                    eprintln!("alejandra: cannot write {file}: {error}");
                    failed = true;
                } else {
                    println!("alejandra: formatted {file}");
                }
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
