//! The `scimcheck` binary: parses the command line and hands over to [`scimcheck::cli`].

fn main() -> std::process::ExitCode {
    scimcheck::cli::main()
}
