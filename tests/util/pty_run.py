#!/usr/bin/env python3
"""Runs a command on a new pseudo-terminal, as a person at a terminal would.

The command's controlling terminal (and stdin) is the pty; its stdout and stderr are pipes, so
what appears on the terminal is exactly what the program wrote to /dev/tty. Each
"Enter MFA code for <serial> (profile <name>): " prompt seen on the terminal is answered with the next answer; once they run
out, the terminal is closed (EOF), as when a user presses Ctrl-D.

usage: pty_run.py ANSWERS_JSON cmd [args...]
  ANSWERS_JSON  a JSON list: "123456" types that text; {"totp": SEED} types the device's
                current code (computed when the prompt appears); {"interrupt": true} presses
                Ctrl-C (the terminal sends SIGINT); {"paste": HOW} answers `aws-runas --login --remote`
                instead of a prompt: once a sign-in authorize URL has been shown (on the terminal or
                stderr) and the terminal's echo is off (or 3 s passed quietly after it), follows the
                URL as a person's browser would (login_client.py's browse) and types the code the
                confirmation page shows (HOW "code"), one with another state ("wrong-state"), or
                garbage ("garbage"), or nothing ("browse": the same-device flow's --no-browser)
                {"question": TEXT, "text": ANSWER} types ANSWER once TEXT is shown on the terminal
prints one JSON object: {"status", "tty", "stdout", "stderr", "prompts", "echo", "pasted"}, echo
being whether the terminal echoes input once the program has ended (a prompt that turned it off
must turn it on again), pasted what each paste typed and what its browser saw
"""

import base64
import json
import re
import os
import pty
import select
import sys
import termios
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulator"))
from patches import totp  # noqa: E402
from login_client import browse  # noqa: E402

PROMPT = re.compile(rb"Enter MFA code for [^\r\n]*: ")
AUTHORIZE = re.compile(rb"https?://[^\s\x1b'\"]+/v1/authorize\?[^\s\x1b'\"]+")
TIMEOUT = 60


def echo_off(master):
    return not termios.tcgetattr(master)[3] & termios.ECHO


def paste(how, shown):
    """What a person pastes for a {"paste": how} answer, with what the browser saw."""
    seen = browse(AUTHORIZE.search(shown).group().decode())
    text = seen.get("verification_code", "")
    if how == "wrong-state":
        query = f"state=not-the-one-sent&code={seen.get('code', '')}"
        text = base64.b64encode(query.encode()).decode()
    elif how == "garbage":
        text = "%%% not a code %%%"
    elif how == "browse":
        text = None
    return {"how": how, "text": text, "seen": seen}


def paste_due(answers, shown, master, quiet_since):
    """Whether the next answer is a paste and the program waits for it."""
    if not answers or not isinstance(answers[0], dict) or "paste" not in answers[0]:
        return False
    if not AUTHORIZE.search(shown):
        return False
    return echo_off(master) or time.time() - quiet_since > 3


def main():
    answers = json.loads(sys.argv[1])
    argv = sys.argv[2:]
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid, master = pty.fork()
    if pid == 0:
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        for fd in (out_r, out_w, err_r, err_w):
            os.close(fd)
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    os.close(out_w)
    os.close(err_w)
    captured = {}
    live = {"stdout": [], "stderr": []}

    def drain(name, fd):
        chunks = live[name]
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        captured[name] = b"".join(chunks).decode(errors="replace")

    readers = [threading.Thread(target=drain, args=(n, fd)) for n, fd in (("stdout", out_r), ("stderr", err_r))]
    for r in readers:
        r.start()

    tty = b""
    unanswered = b""
    prompts = 0
    pasted = []
    quiet_since = time.time()
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break  # the child closed the terminal
            if not chunk:
                break
            tty += chunk
            unanswered += chunk
            quiet_since = time.time()
        if paste_due(answers, tty + b"".join(list(live["stderr"])), master, quiet_since):
            pasted.append(paste(answers.pop(0)["paste"], tty + b"".join(list(live["stderr"]))))
            if pasted[-1]["text"] is not None:
                os.write(master, pasted[-1]["text"].encode() + b"\n")
        question = answers[0].get("question", "").encode() if answers and isinstance(answers[0], dict) else b""
        if question and question in unanswered:
            unanswered = unanswered[unanswered.index(question) + len(question):]
            time.sleep(0.1)
            os.write(master, answers.pop(0)["text"].encode() + b"\n")
        while PROMPT.search(unanswered):
            unanswered = unanswered[PROMPT.search(unanswered).end():]
            prompts += 1
            time.sleep(0.1)  # let the program switch the terminal to raw mode first
            if answers:
                answer = answers.pop(0)
                if isinstance(answer, dict) and answer.get("interrupt"):
                    os.write(master, b"\x03")
                    continue
                text = totp(answer["totp"]) if isinstance(answer, dict) else answer
                os.write(master, text.encode() + b"\n")
            else:
                os.write(master, b"\x04")
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    for r in readers:
        r.join()
    echo = bool(termios.tcgetattr(master)[3] & termios.ECHO)
    os.close(master)
    code = os.waitstatus_to_exitcode(status)
    print(json.dumps({"status": code, "tty": tty.decode(errors="replace"), "stdout": captured.get("stdout", ""),
                      "stderr": captured.get("stderr", ""), "prompts": prompts, "echo": echo,
                      "pasted": pasted}))


if __name__ == "__main__":
    main()
