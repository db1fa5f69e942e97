//! What extras/ ships: the bash completion really completes.

use std::process::Command;

use crate::util::*;

#[test]
fn bash_completion_offers_flags_profiles_and_durations() {
    let home = Home::new(
        "[default]\n[profile admin]\n[ profile  ops ] # note\n[legacy]\n",
        "[dev]\n",
    );
    let script = format!(
        "source '{ROOT}/extras/aws-runas.bash'
         c() {{ COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); _aws_runas; echo \"${{COMPREPLY[*]}}\"; }}
         c aws-runas ''
         c aws-runas -v a
         c aws-runas --ro
         c aws-runas -a ''
         c aws-runas admin tru"
    );
    let mut bash = Command::new("bash");
    bash.args(["--norc", "-c", &script]);
    home.isolate(&mut bash);
    let out = bash.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "admin default dev legacy ops");
    assert_eq!(lines[1], "admin");
    assert_eq!(lines[2], "--role-duration");
    assert_eq!(lines[3], "15m 30m 1h 2h 4h 8h 12h");
    // After the profile: commands.
    assert!(lines[4].split(' ').any(|w| w == "true"), "{}", lines[4]);
}
