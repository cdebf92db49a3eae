"""Progress on a terminal (#18, part 5): `respgraph build` and `export` under a pseudo-terminal
draw the stages on stderr; piped, or with --quiet, their output is what it was before."""
from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest

from respgraph import progress

RESPGRAPH = [sys.executable, "-c", "from respgraph.cli import main; main()"]
STAGES = ("parsed", "assembling", "overlap", "writing")


def environment(home) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE"}}
    return dict(env, RESPGRAPH_HOME=str(home), TERM="xterm", COLUMNS="100")


def on_pty(args, home) -> tuple[int, str, bytes]:
    """Run respgraph with stderr on a pseudo-terminal: exit code, what the terminal got, stdout."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen([*RESPGRAPH, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=slave, env=environment(home))
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    out = proc.stdout.read()
    proc.stdout.close()
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace"), out


def piped(args, home) -> subprocess.CompletedProcess:
    return subprocess.run([*RESPGRAPH, *args], capture_output=True, text=True, env=environment(home), timeout=120)


def test_build_on_a_terminal_shows_the_files_parsed_and_the_stages(tmp_path):
    code, terminal, out = on_pty(["build"], tmp_path / "home")
    assert code == 0, terminal
    assert "5/5" in terminal
    for stage in STAGES:
        assert stage in terminal
    assert "built 5 documents" in terminal
    assert out == b""
    assert (tmp_path / "home" / "graph.json").is_file()


def test_build_piped_or_quiet_shows_no_progress(tmp_path):
    done = piped(["build"], tmp_path / "piped")
    assert done.returncode == 0
    assert done.stdout == ""
    # Exactly the summary lines, as before progress existed: no bar, no escape codes.
    assert all(line.startswith(("note:", "warning:", "built ")) for line in done.stderr.splitlines()), done.stderr
    assert "\x1b" not in done.stderr and "5/5" not in done.stderr
    for stage in STAGES:
        assert stage not in done.stderr

    code, terminal, out = on_pty(["build", "--quiet"], tmp_path / "quiet")
    assert code == 0, terminal
    assert "\x1b" not in terminal and "5/5" not in terminal
    assert "assembling" not in terminal and "overlap " not in terminal
    # --quiet silences the progress only: the summary is the piped one, line for line.
    assert terminal.replace("\r\n", "\n") == done.stderr.replace(str(tmp_path / "piped"), str(tmp_path / "quiet"))


def test_export_on_a_terminal_shows_its_stages_and_piped_it_does_not(tmp_path):
    home = tmp_path / "home"
    assert piped(["build", "--quiet"], home).returncode == 0
    code, terminal, _ = on_pty(["export", "json", str(tmp_path / "g.json")], home)
    assert code == 0, terminal
    assert "loading graph" in terminal and "writing json" in terminal and "wrote " in terminal
    code, terminal, _ = on_pty(["export", "json", "--quiet", str(tmp_path / "q.json")], home)
    assert code == 0 and "\x1b" not in terminal and "writing json" not in terminal
    done = piped(["export", "json", str(tmp_path / "p.json")], home)
    assert done.returncode == 0 and done.stderr.startswith("wrote ") and "\x1b" not in done.stderr
    written = {(tmp_path / name).read_bytes() for name in ("g.json", "p.json", "q.json")}
    assert len(written) == 1


def test_the_display_is_wanted_only_on_a_terminal_and_not_quiet(tmp_path):
    master, slave = pty.openpty()
    with os.fdopen(slave, "w") as tty, open(tmp_path / "file", "w") as file:
        assert progress.wanted(stream=tty)
        assert not progress.wanted(quiet=True, stream=tty)
        assert not progress.wanted(stream=file)
    os.close(master)
    progress.nothing("parsed", 1, 5)  # the callback without a display does nothing
    progress.nothing.advance("x", 1)


def test_library_code_reports_stages_through_the_callback(tmp_path, monkeypatch):
    from respgraph import graph_build, store

    monkeypatch.setenv("RESPGRAPH_HOME", str(tmp_path / "home"))
    heard = []
    report = store.build_and_save(graph_build.bundled_plans(), tmp_path / "g.json", bundled=True,
                                  on_progress=lambda stage, done, total: heard.append((stage, done, total)))
    assert report.inputs
    assert heard[0] == ("parsed", 0, 5) and ("parsed", 5, 5) in heard
    stages = list(dict.fromkeys(stage for stage, _, _ in heard))
    assert stages == ["parsed", "assembling", "overlap", "writing"]
