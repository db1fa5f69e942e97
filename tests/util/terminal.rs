//! Runs on a real pseudo-terminal (tests/util/pty_run.py): MFA prompts answered as a user
//! would (a code, a TOTP of a seeded device, Ctrl-C), and what the terminal showed.

use std::path::Path;
use std::process::Command;

use super::home::Home;
use super::{venv_bin, BIN, ROOT};

/// What a run on a pseudo-terminal showed.
#[derive(Debug)]
pub struct TerminalRun {
    pub status: i32,
    /// Everything written to the terminal (/dev/tty).
    pub tty: String,
    pub stdout: String,
    pub stderr: String,
    /// How many MFA prompts appeared.
    pub prompts: usize,
    /// Whether the terminal echoes input once the program has ended.
    pub echo: bool,
    /// What each [`Answer::Paste`] typed and its browser saw: `{"how", "text", "seen"}`.
    pub pasted: Vec<serde_json::Value>,
}

/// An answer to an MFA prompt.
pub enum Answer<'a> {
    /// Types this text.
    Text(&'a str),
    /// Types the current code of this device seed.
    Totp(&'a str),
    /// Presses Ctrl-C.
    Interrupt,
    /// Not a prompt's answer: once a sign-in authorize URL is shown and the terminal waits,
    /// follows it as a browser would and types what `how` says (pty_run.py: `code`,
    /// `wrong-state`, `garbage`; `browse` types nothing).
    Paste(&'a str),
    /// Types the second text once the terminal shows the first (a question of the run's).
    Question(&'a str, &'a str),
}

impl Home {
    /// Runs `aws-runas args...` on a new pseudo-terminal, answering its MFA prompts.
    pub fn run_on_terminal(
        &self,
        args: &[&str],
        answers: &[Answer<'_>],
        extra_env: &[(&str, &str)],
    ) -> TerminalRun {
        self.run_program_on_terminal(BIN, args, answers, extra_env)
    }

    fn run_program_on_terminal(
        &self,
        program: &str,
        args: &[&str],
        answers: &[Answer<'_>],
        extra_env: &[(&str, &str)],
    ) -> TerminalRun {
        let answers: Vec<serde_json::Value> = answers
            .iter()
            .map(|a| match a {
                Answer::Text(t) => serde_json::Value::from(*t),
                Answer::Totp(seed) => serde_json::json!({ "totp": seed }),
                Answer::Interrupt => serde_json::json!({ "interrupt": true }),
                Answer::Paste(how) => serde_json::json!({ "paste": how }),
                Answer::Question(question, text) => {
                    serde_json::json!({ "question": question, "text": text })
                }
            })
            .collect();
        let mut cmd = Command::new(venv_bin().join("python"));
        cmd.arg(Path::new(ROOT).join("tests/util/pty_run.py"))
            .arg(serde_json::Value::from(answers).to_string())
            .arg(program)
            .args(args);
        self.isolate(&mut cmd);
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run on a terminal");
        let text = String::from_utf8_lossy(&out.stdout);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "pty_run output {text:?}: {e}; stderr {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        TerminalRun {
            status: v["status"].as_i64().unwrap_or(-1) as i32,
            tty: s("tty"),
            stdout: s("stdout"),
            stderr: s("stderr"),
            prompts: v["prompts"].as_u64().unwrap_or(0) as usize,
            echo: v["echo"].as_bool().unwrap_or(false),
            pasted: v["pasted"].as_array().cloned().unwrap_or_default(),
        }
    }
}

impl Home {
    /// Runs any command on a new pseudo-terminal, answering MFA prompts.
    pub fn run_command_on_terminal(&self, argv: &[&str], answers: &[Answer<'_>]) -> TerminalRun {
        let (program, args) = argv.split_first().expect("a command");
        self.run_program_on_terminal(program, args, answers, &[])
    }
}
