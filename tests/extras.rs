//! What extras/ ships: the man page renders, and the bash, zsh and fish completions really
//! complete, in the real shells (the Makefile installs zsh and fish for the tests): flags,
//! durations and regions, the profiles of the user's files (listed by the binary itself), and the command
//! after the profile.

use std::path::Path;
use std::process::Command;

use crate::util::*;

/// A HOME with profiles in both files (odd spacing, a comment, a legacy section).
fn profiles_home() -> Home {
    Home::new(
        "[default]\n[profile admin]\n[ profile  ops ] # note\n[legacy]\n",
        "[dev]\n",
    )
}

/// `shell` with `args`, in `home`, with the built binary first on PATH (the scripts ask it for
/// the profiles).
fn shell(home: &Home, program: &str, args: &[&str]) -> String {
    let mut cmd = Command::new(program);
    cmd.args(args);
    home.isolate(&mut cmd);
    let bin_dir = Path::new(BIN).parent().unwrap();
    cmd.env(
        "PATH",
        format!("{}:/usr/local/bin:/usr/bin:/bin", bin_dir.display()),
    );
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{program}: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn bash_completion_offers_flags_profiles_and_durations() {
    let home = profiles_home();
    let script = format!(
        "source '{ROOT}/extras/aws-runas.bash'
         c() {{ COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); _aws_runas; echo \"${{COMPREPLY[*]}}\"; }}
         c aws-runas ''
         c aws-runas -v a
         c aws-runas --ro
         c aws-runas -a ''
         c aws-runas admin tru
         c aws-runas --shell f
         c aws-runas --region eu-west-
         c aws-runas --region eu-west-3 a"
    );
    let text = shell(&home, "bash", &["--norc", "-c", &script]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "admin default dev legacy ops");
    assert_eq!(lines[1], "admin");
    assert_eq!(lines[2], "--role-duration");
    assert_eq!(lines[3], "15m 30m 1h 2h 4h 8h 12h");
    // After the profile: commands.
    assert!(lines[4].split(' ').any(|w| w == "true"), "{}", lines[4]);
    assert_eq!(lines[5], "fish");
    // Regions for --region, whose value is not the profile.
    assert_eq!(lines[6], "eu-west-1 eu-west-2 eu-west-3");
    assert_eq!(lines[7], "admin");
}

/// What zsh's completion offers at the end of `line` (tests/util/zsh_complete.zsh).
fn zsh(home: &Home, line: &str) -> Vec<String> {
    let driver = format!("{ROOT}/tests/util/zsh_complete.zsh");
    let script = format!("{ROOT}/extras/_aws-runas");
    let text = shell(home, "zsh", &["-f", &driver, &script, line]);
    text.lines().map(str::to_string).collect()
}

#[test]
fn zsh_completion_offers_flags_profiles_durations_and_the_command() {
    let home = profiles_home();
    assert_eq!(
        zsh(&home, "aws-runas "),
        ["admin", "default", "dev", "legacy", "ops"]
    );
    assert_eq!(zsh(&home, "aws-runas -v a"), ["admin"]);
    assert_eq!(zsh(&home, "aws-runas --ro"), ["--role-duration"]);
    let mut durations = zsh(&home, "aws-runas -a ");
    durations.sort();
    assert_eq!(durations, ["12h", "15m", "1h", "2h", "30m", "4h", "8h"]);
    assert!(zsh(&home, "aws-runas admin tru")
        .iter()
        .any(|w| w == "true"));
    assert_eq!(zsh(&home, "aws-runas --shell f"), ["fish"]);
    let mut regions = zsh(&home, "aws-runas --region eu-west-");
    regions.sort();
    assert_eq!(regions, ["eu-west-1", "eu-west-2", "eu-west-3"]);
    assert_eq!(zsh(&home, "aws-runas --region eu-west-3 a"), ["admin"]);
}

/// What fish's completion offers for `line` (`complete -C`), the candidates without their
/// descriptions.
fn fish(home: &Home, line: &str) -> Vec<String> {
    let script = format!("source '{ROOT}/extras/aws-runas.fish'; complete -C '{line}'");
    let text = shell(home, "fish", &["--no-config", "-c", &script]);
    text.lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect()
}

#[test]
fn fish_completion_offers_flags_profiles_durations_and_the_command() {
    let home = profiles_home();
    assert_eq!(
        fish(&home, "aws-runas "),
        ["admin", "default", "dev", "legacy", "ops"]
    );
    assert_eq!(fish(&home, "aws-runas -v a"), ["admin"]);
    assert_eq!(fish(&home, "aws-runas --ro"), ["--role-duration"]);
    let mut durations = fish(&home, "aws-runas -a ");
    durations.sort();
    assert_eq!(durations, ["12h", "15m", "1h", "2h", "30m", "4h", "8h"]);
    assert!(fish(&home, "aws-runas admin tru")
        .iter()
        .any(|w| w == "true"));
    assert_eq!(fish(&home, "aws-runas --shell f"), ["fish"]);
    let mut regions = fish(&home, "aws-runas --region eu-west-");
    regions.sort();
    assert_eq!(regions, ["eu-west-1", "eu-west-2", "eu-west-3"]);
    assert_eq!(fish(&home, "aws-runas --region eu-west-3 a"), ["admin"]);
    // Flags end at the profile: what follows is the command's.
    assert!(!fish(&home, "aws-runas admin --")
        .iter()
        .any(|w| w == "--role-duration"));
}

#[test]
fn the_man_page_renders() {
    let out = Command::new("man")
        .args(["-l", &format!("{ROOT}/extras/aws-runas.1")])
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for section in [
        "NAME",
        "SYNOPSIS",
        "OPTIONS",
        "FILES",
        "ENVIRONMENT",
        "EXIT STATUS",
    ] {
        assert!(text.lines().any(|l| l == section), "{section} in\n{text}");
    }
    assert!(text.contains("AWS_RUNAS_UPDATE_URL"));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    // -l and -c say what they do for an Identity Center profile: each entry's words, rendered
    // without hyphenation so that no word is cut.
    let out = Command::new("man")
        .args(["--nh", "--nj", "-l", &format!("{ROOT}/extras/aws-runas.1")])
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
        .unwrap();
    let text = stdout(&out);
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for (entry, next, says) in [
        ("-l, --list-roles", "-c, --make-conf", &["For an IAM Identity Center profile: the accounts and roles its login reaches in the portal", "account id, account name, role name"][..]),
        ("-c, --make-conf", "-u, --update", &["For an IAM Identity Center profile: a [profile NAME] section to paste into ~/.aws/config", "sso_session, sso_account_id, sso_role_name and region"]),
    ] {
        let item = words.split(entry).nth(1).and_then(|rest| rest.split(next).next());
        let item = item.unwrap_or_else(|| panic!("no {entry} in\n{text}"));
        for said in says {
            assert!(item.contains(said), "{said:?} in {entry}: {item}");
        }
    }
}

/// The quoted upper-case names in `line` (`"AWS_REGION"`).
fn quoted_names(line: &str) -> Vec<String> {
    line.split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            s.len() > 1
                && s.starts_with(|c: char| c.is_ascii_uppercase())
                && s.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn the_man_page_documents_every_variable_the_sources_read() {
    let page = Command::new(BIN).arg("--help-man").output().unwrap();
    let page = stdout(&page).replace("\\-", "-");
    let mut read = std::collections::BTreeSet::new();
    let mut stack = vec![Path::new(ROOT).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Lines that read a variable through Env (env.rs is the only reader).
            for line in text.lines().filter(|l| {
                [
                    "non_empty(",
                    ".get(\"",
                    "is_set(",
                    "get_os(",
                    "from_env(",
                    "read(env, ",
                ]
                .iter()
                .any(|call| l.contains(call))
            }) {
                read.extend(quoted_names(line));
            }
        }
    }
    assert!(
        read.contains("AWS_RUNAS_LOCK_TIMEOUT") && read.len() > 25,
        "{read:?}"
    );
    let missing: Vec<&String> = read.iter().filter(|v| !page.contains(v.as_str())).collect();
    assert!(
        missing.is_empty(),
        "not in the man page's ENVIRONMENT: {missing:?}"
    );
}

#[test]
fn make_install_puts_each_file_in_place() {
    let prefix = TempDir::new();
    let out = Command::new("make")
        .args(["-s", "-C", ROOT, "install-files"])
        .arg(format!("PREFIX={}", prefix.path().display()))
        .arg(format!("BINARY={BIN}"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for (file, from) in [
        ("share/man/man1/aws-runas.1", "extras/aws-runas.1"),
        (
            "share/bash-completion/completions/aws-runas",
            "extras/aws-runas.bash",
        ),
        ("share/zsh/site-functions/_aws-runas", "extras/_aws-runas"),
        (
            "share/fish/vendor_completions.d/aws-runas.fish",
            "extras/aws-runas.fish",
        ),
    ] {
        let installed = std::fs::read(prefix.path().join(file)).unwrap();
        assert_eq!(
            installed,
            std::fs::read(Path::new(ROOT).join(from)).unwrap(),
            "{file}"
        );
    }
    let version = Command::new(prefix.path().join("bin/aws-runas"))
        .arg("-V")
        .output()
        .unwrap();
    assert!(stdout(&version).starts_with("aws-runas "));
    // man finds the page under the prefix.
    let man = Command::new("man")
        .args([
            "-M",
            &prefix.path().join("share/man").display().to_string(),
            "aws-runas",
        ])
        .env("MANPAGER", "cat")
        .output()
        .unwrap();
    assert!(stdout(&man).contains("SYNOPSIS"), "{}", stderr(&man));
}
