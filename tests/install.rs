//! What a user installing scimcheck meets: shell completions for every
//! shell clap_complete knows, and a crate whose package carries the
//! embedded suite, the profiles, the licences and the README.

mod common;

use std::process::Command;

use common::{scimcheck, text};

#[test]
fn completions_are_printed_for_every_shell_and_the_bash_script_parses() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = scimcheck().args(["completions", shell]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{shell}: {}", text(&output));
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(script.contains("oauth-token-url"), "{shell}: {script}");
    }
    let bash = scimcheck().args(["completions", "bash"]).output().unwrap();
    let path = common::tempdir().join("scimcheck.bash");
    std::fs::write(&path, &bash.stdout).unwrap();
    let parsed = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(parsed.status.success(), "{}", text(&parsed));
    let unknown = scimcheck().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn the_package_carries_the_cases_profiles_licences_and_readme() {
    let output = Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));
    let listed = String::from_utf8(output.stdout).unwrap();
    let files: Vec<&str> = listed.lines().collect();
    for needed in [
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "build.rs",
        "cases/users/create.yaml",
        "cases/clients/okta/client.yaml",
        "profiles/rfc7644.yaml",
        "profiles/insightly.yaml",
    ] {
        assert!(
            files.contains(&needed),
            "{needed} is not packaged: {listed}"
        );
    }
    let cases = files.iter().filter(|f| f.starts_with("cases/")).count();
    assert!(cases > 200, "{cases} case files packaged");
}

#[test]
fn requests_go_through_the_proxy_unless_no_proxy_names_the_host() {
    // Nothing listens on port 1: a run sent through it cannot reach the target.
    let run = || {
        let mut command = scimcheck();
        command.args([
            "run",
            "--no-snapshots",
            "--proxy",
            "http://127.0.0.1:1",
            "users/get",
        ]);
        command
    };
    let through = run()
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .unwrap();
    assert_eq!(through.status.code(), Some(2), "{}", text(&through));
    assert!(
        text(&through).contains("cannot reach"),
        "{}",
        text(&through)
    );
    // NO_PROXY exempts the (loopback) target: the run goes straight there.
    let direct = run().env("NO_PROXY", "127.0.0.1").output().unwrap();
    assert_eq!(direct.status.code(), Some(0), "{}", text(&direct));
    let bad = scimcheck()
        .args(["run", "--proxy", "::not a url::", "users/get"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(text(&bad).contains("--proxy"), "{}", text(&bad));
}
