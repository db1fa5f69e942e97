//! The process entry: everything is in the crate root (`lib.rs`), which returns the exit code.

fn main() {
    std::process::exit(aws_runas::main());
}
