//! The release artifacts (`make dist`, `make deb`): the tarball and the Debian package are the
//! same bytes from two checkouts in different directories built at different times; the package
//! installs into a fresh root, runs there (its man page and bash completion too) and is removed
//! cleanly; the tarball's binary is the one the empty-root test of static_binary.rs runs.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::util::*;

/// `make <targets>` in `dir` with the environment of a shell, not the test's (whose CARGO_*
/// variables would make the C parts of the dependencies build again).
fn make(dir: &Path, targets: &[&str]) {
    let mut cmd = Command::new("make");
    cmd.args(["--no-print-directory", "-s"])
        .args(targets)
        .env_clear();
    for keep in [
        "PATH",
        "HOME",
        "CARGO_HOME",
        "RUSTUP_HOME",
        "RUSTUP_TOOLCHAIN",
    ] {
        if let Some(value) = std::env::var_os(keep) {
            cmd.env(keep, value);
        }
    }
    let out = cmd.current_dir(dir).output().unwrap();
    assert!(
        out.status.success(),
        "make {targets:?} in {}: {}{}",
        dir.display(),
        stdout(&out),
        stderr(&out)
    );
}

/// The artifacts of this checkout (`make dist`, once per test run): dist/.
pub fn dist() -> &'static Path {
    static DONE: OnceLock<PathBuf> = OnceLock::new();
    DONE.get_or_init(|| {
        make(Path::new(ROOT), &["dist"]);
        Path::new(ROOT).join("dist")
    })
}

/// The artifact of `dist` whose name ends with `suffix`.
pub fn artifact(dist: &Path, suffix: &str) -> PathBuf {
    std::fs::read_dir(dist)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(suffix))
        .unwrap_or_else(|| panic!("no *{suffix} in {}", dist.display()))
}

/// The tarball's binary, unpacked into `into`.
pub fn tarball_binary(into: &Path) -> PathBuf {
    let tarball = artifact(dist(), ".tar.gz");
    let out = Command::new("tar")
        .args([
            "-xzf",
            tarball.to_str().unwrap(),
            "-C",
            into.to_str().unwrap(),
            "--strip-components=1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    into.join("aws-runas")
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    stdout(&out).trim().to_string()
}

#[test]
#[ignore = "slow: two release builds (make dist) in fresh clones, minutes on two cores"]
fn two_checkouts_built_at_different_times_give_the_same_artifacts_byte_for_byte() {
    let head = git(Path::new(ROOT), &["rev-parse", "HEAD"]);
    let mut sums = Vec::new();
    let mut kept = Vec::new();
    for (i, name) in ["first", "second checkout"].iter().enumerate() {
        let parent = TempDir::new();
        let dir = parent.path().join(name);
        git(Path::new(ROOT), &["worktree", "prune"]);
        let out = Command::new("git")
            .args([
                "clone",
                "--quiet",
                "--no-local",
                ROOT,
                dir.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        git(&dir, &["checkout", "--quiet", &head]);
        if i == 1 {
            // Later, and with every file's time changed.
            std::thread::sleep(std::time::Duration::from_secs(2));
            let out = Command::new("find")
                .arg(&dir)
                .args([
                    "-path", "*/.git", "-prune", "-o", "-exec", "touch", "{}", "+",
                ])
                .output()
                .unwrap();
            assert!(out.status.success());
        }
        make(&dir, &["dist"]);
        let dist = dir.join("dist");
        sums.push(std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap());
        for suffix in [".tar.gz", ".deb"] {
            let file = artifact(&dist, suffix);
            kept.push((
                file.file_name().unwrap().to_owned(),
                std::fs::read(&file).unwrap(),
            ));
        }
        // The binary: at most 3.0 MB, naming its commit and the commit's date.
        let unpacked = TempDir::new();
        let tarball = artifact(&dist, ".tar.gz");
        let out = Command::new("tar")
            .args([
                "-xzf",
                tarball.to_str().unwrap(),
                "-C",
                unpacked.path().to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        let top = std::fs::read_dir(unpacked.path())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let mut names: Vec<String> = std::fs::read_dir(&top)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "LICENSE",
                "README.md",
                "_aws-runas",
                "aws-runas",
                "aws-runas.1",
                "aws-runas.bash",
                "aws-runas.fish",
                "config.sample"
            ]
        );
        let binary = top.join("aws-runas");
        assert!(std::fs::metadata(&binary).unwrap().len() <= 3_000_000);
        let version = stdout(&Command::new(&binary).arg("--version").output().unwrap());
        let epoch = git(&dir, &["log", "-1", "--format=%ct"]);
        let day = Command::new("date")
            .args(["-u", "+%F", "-d", &format!("@{epoch}")])
            .output()
            .unwrap();
        let short = &head[..12];
        assert_eq!(
            version.trim(),
            format!(
                "aws-runas {} (commit {short}, built {})",
                env!("CARGO_PKG_VERSION"),
                stdout(&day).trim()
            )
        );
    }
    assert_eq!(sums[0], sums[1], "SHA256SUMS differ");
    assert_eq!(kept[0].0, kept[2].0);
    assert!(
        kept[0].1 == kept[2].1 && kept[1].1 == kept[3].1,
        "the artifacts differ"
    );
}

#[test]
#[ignore = "needs root, for dpkg --root (make test runs it as root)"]
fn the_package_installs_into_a_fresh_root_runs_there_and_is_removed_cleanly() {
    let deb = artifact(dist(), ".deb");
    let root = TempDir::new();
    let r = root.path();
    for dir in [
        "var/lib/dpkg/info",
        "var/lib/dpkg/updates",
        "var/lib/dpkg/triggers",
    ] {
        std::fs::create_dir_all(r.join(dir)).unwrap();
    }
    std::fs::write(r.join("var/lib/dpkg/status"), "").unwrap();
    std::fs::write(r.join("var/lib/dpkg/available"), "").unwrap();
    let dpkg = |args: &[&str]| {
        let out = Command::new("dpkg")
            .arg(format!("--root={}", r.display()))
            .args(["--log=/dev/null", "--force-script-chrootless"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "dpkg {args:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    };
    dpkg(&["-i", deb.to_str().unwrap()]);
    assert!(dpkg(&["-s", "aws-runas"]).contains("Status: install ok installed"));
    // The binary runs inside the root, which has nothing else.
    let out = Command::new("/usr/sbin/chroot")
        .arg(r)
        .args(["/usr/bin/aws-runas", "--version"])
        .env_clear()
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("aws-runas "), "{}", stdout(&out));
    // Its man page.
    let man = r.join("usr/share/man/man1/aws-runas.1.gz");
    let out = Command::new("man")
        .args(["-l", "-P", "cat", man.to_str().unwrap()])
        .env("MANWIDTH", "80")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(
        page.contains("aws-runas") && page.contains("--sso-login"),
        "{page}"
    );
    // Its bash completion: completes the flags.
    let completion = r.join("usr/share/bash-completion/completions/aws-runas");
    let script = format!(
        "source {}; COMP_WORDS=(aws-runas --sso-logi); COMP_CWORD=1; _aws_runas; echo \"${{COMPREPLY[@]}}\"",
        completion.display()
    );
    let out = Command::new("bash").args(["-c", &script]).output().unwrap();
    assert_eq!(stdout(&out).trim(), "--sso-login", "{}", stderr(&out));
    // Removed: none of its files is left.
    dpkg(&["-r", "aws-runas"]);
    for file in [
        "usr/bin/aws-runas",
        "usr/share/man/man1/aws-runas.1.gz",
        "usr/share/bash-completion/completions/aws-runas",
        "usr/share/zsh/vendor-completions/_aws-runas",
        "usr/share/fish/vendor_completions.d/aws-runas.fish",
    ] {
        assert!(!r.join(file).exists(), "{file} left behind");
    }
    assert!(!dpkg(&["-l"]).contains("ii  aws-runas"));
}
