//! `scimcheck.toml`: what a team commits beside its CI so that `scimcheck
//! run` needs no long command line. `[defaults]` holds flags for every run,
//! `[targets.NAME]` a target's (`run --target NAME`); each key is a `run`
//! flag's long name (`report-junit = "scim.xml"`, `strict = true`,
//! `skip = ["bulk/"]`). Secrets are never written there: `token-env`,
//! `basic-env` and `oauth-client-secret-env` name environment variables,
//! `token-file` and `oauth-client-secret-file` files.
//!
//! The file is read before the command line and becomes flags placed in
//! front of the user's own, and a flag given twice keeps its last value: so
//! the command line overrides the target, which overrides the defaults. An
//! unknown key is an error at `path:line:col` with the closest known one.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use serde::Deserialize;
use toml::Spanned;

use super::args::Cli;
use crate::diag::{Diagnostic, Location, Pos, hint};

/// The file looked for in the working directory when no `--config` is given.
pub const DEFAULT_FILE: &str = "scimcheck.toml";

/// Flags whose value is a secret: not allowed in the file.
const SECRETS: &[(&str, &str)] = &[
    ("token", "token-env or token-file"),
    ("basic", "basic-env"),
    (
        "oauth-client-secret",
        "oauth-client-secret-env or oauth-client-secret-file",
    ),
];

/// Keys that name where a secret is, and the flag they become.
const SECRET_ENV: &[(&str, &str)] = &[
    ("token-env", "--token"),
    ("basic-env", "--basic"),
    ("oauth-client-secret-env", "--oauth-client-secret"),
];

/// Flags that make no sense in a file (they pick the file, or only list).
const NOT_IN_FILE: &[&str] = &["config", "target", "list", "help", "version"];

type Section = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    defaults: Section,
    #[serde(default)]
    targets: BTreeMap<Spanned<String>, Section>,
}

/// The command line with the config file's flags put in front of the
/// user's, for `run`; any other command's is returned as it is.
pub fn expand(args: Vec<OsString>) -> Result<Vec<OsString>, Diagnostic> {
    let Some(run_at) = args.iter().position(|a| a == "run") else {
        return Ok(args);
    };
    // Only a `run` right after the program name (and global flags) is the subcommand.
    if args[1..run_at]
        .iter()
        .any(|a| !a.to_string_lossy().starts_with('-'))
    {
        return Ok(args);
    }
    let given = flag_value(&args[run_at + 1..], "--config").map(PathBuf::from);
    let target = flag_value(&args[run_at + 1..], "--target");
    let path = match &given {
        Some(path) => path.clone(),
        None if Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
        None => {
            return match target {
                Some(name) => Err(Diagnostic::new(
                    Location::new(DEFAULT_FILE, Pos::START),
                    format!(
                        "--target {name}: there is no {DEFAULT_FILE} here (--config FILE names one)"
                    ),
                )),
                None => Ok(args),
            };
        }
    };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Diagnostic::new(
            Location::new(shown.as_str(), Pos::START),
            format!("cannot read it: {e}"),
        )
    })?;
    let flags = flags_of(&shown, &text, target.as_deref())?;
    let mut out: Vec<OsString> = args[..=run_at].to_vec();
    out.extend(flags.into_iter().map(OsString::from));
    out.extend(args[run_at + 1..].iter().cloned());
    Ok(out)
}

/// The value of `--flag VALUE` or `--flag=VALUE`.
fn flag_value(args: &[OsString], flag: &str) -> Option<String> {
    let mut args = args.iter().map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = args.next() {
        if arg == flag {
            return args.next();
        }
        if let Some(value) = arg.strip_prefix(&format!("{flag}=")) {
            return Some(value.to_string());
        }
    }
    None
}

/// The flags a file gives a run: its defaults, then the chosen target's.
pub fn flags_of(path: &str, text: &str, target: Option<&str>) -> Result<Vec<String>, Diagnostic> {
    let at = |span: std::ops::Range<usize>| Location::new(path, position(text, span.start));
    let file: File = toml::from_str(text).map_err(|e| {
        let location = at(e.span().unwrap_or(0..0));
        Diagnostic::new(location, with_hint(e.message()))
    })?;
    let known = run_flags();
    let mut flags = section(&file.defaults, &known, &at)?;
    if let Some(name) = target {
        let Some((_, section_of)) = file.targets.iter().find(|(k, _)| k.get_ref() == name) else {
            let names: Vec<&str> = file.targets.keys().map(|k| k.get_ref().as_str()).collect();
            return Err(Diagnostic::new(
                Location::new(path, Pos::START),
                format!(
                    "--target {name}: no [targets.{name}] in this file{} (it has: {})",
                    hint(name, names.iter().copied()),
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
            ));
        };
        flags.extend(section(section_of, &known, &at)?);
    }
    Ok(flags)
}

/// Every long flag of `run`, with whether it takes a value.
fn run_flags() -> Vec<(String, bool)> {
    let command = Cli::command();
    let run = command.find_subcommand("run").expect("a run command");
    run.get_arguments()
        .filter_map(|a| {
            let takes = a.get_action().takes_values();
            a.get_long().map(|l| (l.to_string(), takes))
        })
        .filter(|(l, _)| !NOT_IN_FILE.contains(&l.as_str()))
        .collect()
}

fn section(
    section: &Section,
    known: &[(String, bool)],
    at: &dyn Fn(std::ops::Range<usize>) -> Location,
) -> Result<Vec<String>, Diagnostic> {
    let mut flags = Vec::new();
    for (key, value) in section {
        let name = key.get_ref().as_str();
        let here = at(key.span());
        if let Some((_, instead)) = SECRETS.iter().find(|(s, _)| *s == name) {
            return Err(Diagnostic::new(
                here,
                format!("`{name}` is a secret and is never written in the file: use {instead}"),
            ));
        }
        if let Some((_, flag)) = SECRET_ENV.iter().find(|(k, _)| *k == name) {
            let variable = string(value, name, at)?;
            let secret = std::env::var(&variable).map_err(|_| {
                Diagnostic::new(
                    here.clone(),
                    format!("`{name}` names {variable}, which is not set"),
                )
            })?;
            flags.extend([flag.to_string(), secret]);
            continue;
        }
        let Some((_, takes_value)) = known.iter().find(|(k, _)| k == name) else {
            let candidates = known
                .iter()
                .map(|(k, _)| k.as_str())
                .chain(SECRET_ENV.iter().map(|(k, _)| *k));
            return Err(Diagnostic::new(
                here,
                format!(
                    "unknown key `{name}`{} (keys are `scimcheck run` flags without the dashes)",
                    hint(name, candidates)
                ),
            ));
        };
        let flag = format!("--{name}");
        match (value.get_ref(), takes_value) {
            (toml::Value::Boolean(true), false) => flags.push(flag),
            (toml::Value::Boolean(false), false) => {}
            (_, false) => {
                return Err(Diagnostic::new(
                    at(value.span()),
                    format!("`{name}` is a switch: true or false"),
                ));
            }
            (toml::Value::Array(items), true) => {
                for item in items {
                    flags.extend([
                        flag.clone(),
                        scalar(item).ok_or_else(|| {
                            Diagnostic::new(
                                at(value.span()),
                                format!("`{name}`: each value must be a string or a number"),
                            )
                        })?,
                    ]);
                }
            }
            (item, true) => flags.extend([
                flag,
                scalar(item).ok_or_else(|| {
                    Diagnostic::new(
                        at(value.span()),
                        format!("`{name}` takes a string or a number"),
                    )
                })?,
            ]),
        }
    }
    Ok(flags)
}

fn string(
    value: &Spanned<toml::Value>,
    name: &str,
    at: &dyn Fn(std::ops::Range<usize>) -> Location,
) -> Result<String, Diagnostic> {
    match value.get_ref() {
        toml::Value::String(s) => Ok(s.clone()),
        _ => Err(Diagnostic::new(
            at(value.span()),
            format!("`{name}` takes the name of an environment variable"),
        )),
    }
}

fn scalar(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(n) => Some(n.to_string()),
        toml::Value::Float(n) => Some(n.to_string()),
        _ => None,
    }
}

/// toml's "unknown field `x`, expected one of `a`, `b`" with the closest one named.
fn with_hint(message: &str) -> String {
    let message = message.trim();
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_string();
    };
    let found = rest.split('`').next().unwrap_or_default();
    let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
    format!(
        "unknown table `{found}`{} (the file has [defaults] and [targets.NAME])",
        hint(found, expected)
    )
}

/// The line and column of a byte offset.
fn position(text: &str, offset: usize) -> Pos {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() as u64 + 1;
    let col = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count() as u64
        + 1;
    Pos { line, col }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_then_the_target_become_flags() {
        let text = "[defaults]\nstrict = true\nskip = [\"bulk/\", \"sort/\"]\ntest-threads = 4\n\n[targets.staging]\nurl = \"https://staging.example/scim/v2\"\nprofile = \"rfc7644\"\n";
        let flags = flags_of("scimcheck.toml", text, Some("staging")).unwrap();
        assert_eq!(
            flags,
            [
                "--skip",
                "bulk/",
                "--skip",
                "sort/",
                "--strict",
                "--test-threads",
                "4",
                "--profile",
                "rfc7644",
                "--url",
                "https://staging.example/scim/v2"
            ]
        );
    }

    #[test]
    fn a_typo_is_named_at_its_line_with_the_closest_key() {
        let text = "[defaults]\nstrict = true\nprofle = \"rfc7644\"\n";
        let error = flags_of("scimcheck.toml", text, None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "scimcheck.toml:3:1: unknown key `profle`, did you mean `profile`? (keys are `scimcheck run` flags without the dashes)"
        );
        let error = flags_of("scimcheck.toml", "[default]\n", None).unwrap_err();
        assert!(
            error.to_string().starts_with("scimcheck.toml:1:"),
            "{error}"
        );
        assert!(
            error.to_string().contains("did you mean `defaults`?"),
            "{error}"
        );
    }

    #[test]
    fn a_secret_in_the_file_is_refused_and_one_named_by_variable_is_read() {
        let error = flags_of("c.toml", "[defaults]\ntoken = \"abc\"\n", None).unwrap_err();
        assert!(
            error.to_string().contains("use token-env or token-file"),
            "{error}"
        );
        let error = flags_of(
            "c.toml",
            "[defaults]\ntoken-env = \"SCIMCHECK_TEST_UNSET_VARIABLE\"\n",
            None,
        )
        .unwrap_err();
        assert!(error.to_string().starts_with("c.toml:2:1:"), "{error}");
        assert!(error.to_string().contains("not set"), "{error}");
    }

    #[test]
    fn an_unknown_target_says_which_there_are() {
        let error =
            flags_of("c.toml", "[targets.staging]\nurl = \"x\"\n", Some("stagin")).unwrap_err();
        assert!(
            error.to_string().contains("did you mean `staging`?"),
            "{error}"
        );
    }
}
