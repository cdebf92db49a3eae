"""Hostile inputs outside Cypher (issue #17, parts 2-4): -o targets that are not regular files,
FIFOs and devices as input, killed builds, concurrent builds, a planted parse-cache pickle,
unknown cities, one-line messages, and random plan text.

Every case runs in a fresh RESPGRAPH_HOME (an empty one, or a copy of one where the bundled plans
were built), through CliRunner(catch_exceptions=False) (an exception escaping a command fails
the test) or as the installed console script in a subprocess with a timeout, and checks the
exit code and that an error is ONE line on stderr.
"""
from __future__ import annotations

import fcntl
import json
import os
import pickle
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from respgraph import store
from respgraph.cli import cli
from respgraph.graph_build import cache, files

RESPGRAPH = Path(sys.executable).with_name("respgraph")
FIXTURES = Path(__file__).parent / "fixtures"
PLAN = FIXTURES / "variants_plan.txt"
OTHER_PLAN = FIXTURES / "zhangzhou_digital_economy_plan.txt"
CITIES = "known: 厦门市, 泉州市, 福州市, 福建省"


# ---------------------------------------------------------------------------------------
# Homes and runs
# ---------------------------------------------------------------------------------------

def environment(home: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("RESPGRAPH_GRAPH", "RESPGRAPH_DEBUG")}
    env["RESPGRAPH_HOME"] = str(home)
    env.update(extra)
    return env


def respgraph(home: Path, *args, timeout: float = 120, **extra) -> subprocess.CompletedProcess:
    """The installed console script, as a user runs it (stdin closed)."""
    return subprocess.run([str(RESPGRAPH), *map(str, args)], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env=environment(home, **extra), timeout=timeout)


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def one_line(code: int, returncode: int, stdout: str, stderr: str) -> str:
    """Exit ``code``, nothing on stdout, exactly one "Error: " line on stderr (no Usage: lines, no errno)."""
    assert returncode == code, (returncode, stdout, stderr)
    assert stdout == "", stdout
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    assert "Errno" not in lines[0] and "Usage:" not in stderr and "Traceback" not in stderr
    return lines[0]


def runner_line(result, code: int) -> str:
    return one_line(code, result.exit_code, result.stdout, result.stderr)


def process_line(result: subprocess.CompletedProcess, code: int) -> str:
    return one_line(code, result.returncode, result.stdout, result.stderr)


@pytest.fixture()
def home(tmp_path, monkeypatch) -> Path:
    """A fresh, empty RESPGRAPH_HOME."""
    folder = tmp_path / "home"
    monkeypatch.setenv("RESPGRAPH_HOME", str(folder))
    monkeypatch.delenv("RESPGRAPH_GRAPH", raising=False)
    monkeypatch.delenv("RESPGRAPH_LOCK_TIMEOUT", raising=False)
    return folder


@pytest.fixture(scope="module")
def seed_home(tmp_path_factory) -> Path:
    """A home where the bundled plans were built: copied for every test that needs a graph."""
    folder = tmp_path_factory.mktemp("seed") / "home"
    result = respgraph(folder, "docs")
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture()
def built(seed_home, home) -> Path:
    """A fresh copy of the built home."""
    shutil.copytree(seed_home, home)
    return home


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# ---------------------------------------------------------------------------------------
# -o: only regular files are written, and never in place
# ---------------------------------------------------------------------------------------

def make_device(path: Path) -> bool:
    """A character device like /dev/null at ``path``, when this user may make one."""
    try:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError):
        return False
    return True


def special_targets(tmp_path: Path) -> dict[str, Path]:
    """A FIFO, a directory and (when permitted) a device, by kind."""
    made = {"fifo": tmp_path / "fifo", "directory": tmp_path / "dir"}
    os.mkfifo(made["fifo"])
    made["directory"].mkdir()
    if make_device(tmp_path / "device"):
        made["device"] = tmp_path / "device"
    return made


def target_state(path: Path) -> tuple:
    info = os.lstat(path)
    return stat.S_IFMT(info.st_mode), info.st_ino, info.st_rdev, sorted(os.listdir(path)) if path.is_dir() else []


WRITERS = {  # command → (arguments before the target, what a refusal says of a target that is no regular file)
    "build": (["build", str(PLAN), "-o"], "not a regular file"),
    "html": (["html", "-o"], "not a regular file"),
    "export json": (["export", "json"], "not a regular file"),
    "export graphml": (["export", "graphml"], "not a regular file"),
    "export gexf": (["export", "gexf"], "not a regular file"),
    "export cypher": (["export", "cypher"], "not a regular file"),
    "export csv": (["export", "csv"], "not a folder"),
    "export neo4j-admin": (["export", "neo4j-admin"], "not a folder"),
}
KIND_WORDS = {"fifo": "a FIFO (named pipe)", "directory": "a directory", "device": "a character device"}


@pytest.mark.parametrize("command", list(WRITERS))
def test_every_output_refuses_a_fifo_a_directory_and_a_device_in_one_line(home, tmp_path, command):
    args, says = WRITERS[command]
    targets = special_targets(tmp_path)
    for kind, target in targets.items():
        before = target_state(target)
        result = respgraph(home, *args, target, timeout=60)
        if says == "not a folder" and kind == "directory":
            assert result.returncode == 0, result.stderr  # a folder is what these two write into
            continue
        line = process_line(result, 2)
        assert line.startswith(f"Error: {target} is {KIND_WORDS[kind]}, {says}"), line
        assert target_state(target) == before, kind  # still a FIFO, a device, the same folder
    # nothing was written beside them either: no snapshot, no temporary file
    assert [n for n in os.listdir(tmp_path) if n not in ("home", "fifo", "dir", "device")] == []


def test_a_csv_file_inside_the_folder_that_is_a_fifo_is_refused(home, tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    os.mkfifo(folder / "edges.csv")
    line = runner_line(invoke("export", "csv", folder), 2)
    assert line == f"Error: {folder / 'edges.csv'} is a FIFO (named pipe), not a regular file; respgraph writes only regular files"
    assert sorted(os.listdir(folder)) == ["edges.csv"] and stat.S_ISFIFO(os.lstat(folder / "edges.csv").st_mode)


def test_a_device_put_in_place_while_writing_is_not_replaced(tmp_path, monkeypatch):
    """The check before the rename: the target became a FIFO after the temporary file was written."""
    target = tmp_path / "out.json"

    def chunks():
        yield b"{}"
        os.mkfifo(target)

    with pytest.raises(files.UnsafePath, match="is a FIFO"):
        files.write_atomic(target, chunks())
    assert stat.S_ISFIFO(os.lstat(target).st_mode)
    assert os.listdir(tmp_path) == ["out.json"]  # the temporary file is gone


def test_output_goes_to_a_temporary_file_then_is_renamed(home, tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("old")
    replaced = []
    real_replace = os.replace

    def replace(source, destination):
        replaced.append((Path(source).name, Path(destination)))
        return real_replace(source, destination)

    monkeypatch.setattr(files.os, "replace", replace)
    assert invoke("build", PLAN, "-o", target).exit_code == 0
    (temp, destination), = [r for r in replaced if r[1] == target]
    assert temp.startswith(f".out.json.rg{os.getpid()}.") and destination == target
    assert target.read_text() != "old"


def test_a_symbolic_link_to_a_file_is_written_through_and_stays_a_link(home, tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert invoke("build", PLAN, "-o", link).exit_code == 0
    assert link.is_symlink() and real.read_text().startswith('{"edges":')


@pytest.mark.parametrize("where", ["file/out.json", "file/sub/out.json"])
def test_a_path_through_a_file_is_one_human_line(home, tmp_path, where):
    (tmp_path / "file").write_text("x")
    target = tmp_path / where
    line = process_line(respgraph(home, "build", PLAN, "-o", target), 2)
    assert line == f"Error: {target}: a part of this path is a file, not a folder"


# ---------------------------------------------------------------------------------------
# Inputs that are not regular files
# ---------------------------------------------------------------------------------------

def test_a_fifo_as_input_is_refused_at_once(home, tmp_path):
    fifo = tmp_path / "plan.txt"
    os.mkfifo(fifo)
    started = time.monotonic()
    for command in ("build", "check"):
        line = process_line(respgraph(home, command, fifo, timeout=30), 2)  # a hang is a TimeoutExpired
        assert line == f"Error: {fifo}: a FIFO (named pipe), not a regular file; respgraph reads plans from regular files only"
    assert time.monotonic() - started < 30
    assert not (home / "graph.json").exists()


def test_a_device_as_input_is_refused(home, tmp_path):
    line = process_line(respgraph(home, "build", "/dev/zero", timeout=30), 2)
    assert line.startswith("Error: /dev/zero: a character device, not a regular file")


def test_a_fifo_inside_a_folder_is_not_read(home, tmp_path):
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(PLAN, folder / "plan.txt")
    os.mkfifo(folder / "pipe.txt")
    result = respgraph(home, "build", folder, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "built 1 documents" in result.stderr


def test_the_reader_refuses_a_fifo_without_blocking(tmp_path):
    """Below the command line (a path swapped for a FIFO after it was checked): one failure, no hang."""
    fifo = tmp_path / "plan.txt"
    os.mkfifo(fifo)
    with pytest.raises(Exception, match="a FIFO"):
        cache.parse_path(fifo)
    with cache.using(cache.ParseCache(tmp_path / "parsed", "v1")):
        with pytest.raises(Exception, match="a FIFO"):
            cache.parse_path(fifo)


def test_a_fifo_as_snapshot_is_refused(home, tmp_path):
    fifo = tmp_path / "graph.json"
    os.mkfifo(fifo)
    line = process_line(respgraph(home, "--graph", fifo, "tasks", timeout=30), 1)
    assert line == f"Error: {fifo}: a FIFO (named pipe), not a snapshot file"


# ---------------------------------------------------------------------------------------
# Killed builds leave nothing behind for long
# ---------------------------------------------------------------------------------------

LEFTOVERS = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from respgraph.graph_build import files
    home, out, fingerprint = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    for target in (home / "graph.json", home / "graph.json.index.sqlite", out / "graph.json",
                   home / "parsed" / fingerprint / ("0" * 64 + ".pickle")):
        handle, temp = files.make_temp(target)
        os.write(handle, b"half a file")
    files.make_temp_dir(home / "graph.lbdb")
    print("written", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # as kill -9 in the middle of a build
""")


def test_the_next_build_removes_what_killed_builds_left(home, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    fingerprint = store.builder_fingerprint()
    done = subprocess.run([sys.executable, "-c", LEFTOVERS, str(home), str(out), fingerprint],
                          capture_output=True, text=True, env=environment(home), timeout=60)
    assert done.returncode == -signal.SIGKILL and done.stdout == "written\n", done.stderr
    (home / ".graph.json.k3v9x0aq").write_bytes(b"left by a respgraph before the pid mark")
    past = time.time() - 60
    for path in list(home.rglob(".*")) + list(out.iterdir()):
        os.utime(path, (past, past))
    # What is not a leftover of respgraph's, or not one of a dead run, stays.
    sleeper = subprocess.Popen(["sleep", "60"])
    keep = [home / f".graph.json.rg{sleeper.pid}.abcdefgh",  # its writer is still running
            out / ".graph.json.backup12",  # beside an -o target, only names with the pid mark go
            out / ".notes.txt.rg1.abcdefgh",  # not a file of this build's target
            home / "notes.txt"]
    for path in keep:
        path.write_text("keep")
    future = home / f".graph.json.rg{2 ** 22 + 1}.zzzzzzzz"  # newer than the build that sweeps
    future.write_text("keep")
    os.utime(future, (time.time() + 3600, time.time() + 3600))
    keep.append(future)
    try:
        assert len([p for p in home.rglob("*.rg*.*") if p.name.startswith(".")]) >= 6
        result = invoke("build", PLAN, "-o", out / "graph.json")
        assert result.exit_code == 0, result.output
        assert invoke("build", PLAN).exit_code == 0
    finally:
        sleeper.kill()
        sleeper.wait()
    leftovers = [p for p in list(home.rglob(".*")) + list(out.glob(".*")) if p not in keep]
    assert leftovers == []
    assert all(path.exists() for path in keep)
    assert sorted(os.listdir(out)) == [".graph.json.backup12", ".notes.txt.rg1.abcdefgh", "graph.json",
                                       "graph.json.index.sqlite"]


@pytest.mark.slow
def test_a_build_killed_at_any_moment_leaves_no_temporary_file_after_the_next(home, tmp_path):
    plans = tmp_path / "plans"
    shutil.copytree(Path(__file__).parents[1] / "data" / "plans", plans)
    for delay in (0.3, 0.8, 1.3):
        child = subprocess.Popen([str(RESPGRAPH), "build", str(plans)], env=environment(home),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        child.kill()
        child.wait()
    result = respgraph(home, "build", plans)
    assert result.returncode == 0, result.stderr
    assert [p for p in home.rglob(".*")] == []
    assert [p.name for p in home.iterdir() if p.name.startswith(".")] == []


# ---------------------------------------------------------------------------------------
# Two builds into one home
# ---------------------------------------------------------------------------------------

class HeldLock:
    """The home's build lock, held by this test as another build would hold it."""

    def __init__(self, home: Path):
        home.mkdir(parents=True, exist_ok=True)
        self.handle = open(home / files.LOCK_NAME, "a+")
        fcntl.flock(self.handle, fcntl.LOCK_EX)
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write("4242\n")
        self.handle.flush()

    def release(self):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def test_a_second_build_waits_then_refuses_in_one_line(home):
    held = HeldLock(home)
    try:
        result = respgraph(home, "build", PLAN, RESPGRAPH_LOCK_TIMEOUT="0.5")
    finally:
        held.release()
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"note: waiting for another build into {home} (pid 4242) to finish (at most 0.5 s; RESPGRAPH_LOCK_TIMEOUT sets it)",
        f"Error: another build into {home} (pid 4242) is still running after 0.5 s; try again when it has finished"]
    assert not (home / "graph.json").exists()


@pytest.mark.slow
def test_builds_waiting_for_the_lock_run_one_after_the_other_and_the_last_wins_whole(home):
    held = HeldLock(home)
    first = subprocess.Popen([str(RESPGRAPH), "build", str(PLAN)], env=environment(home), text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    second = subprocess.Popen([str(RESPGRAPH), "build", str(OTHER_PLAN)], env=environment(home), text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    threading.Timer(1.5, held.release).start()
    outputs = [child.communicate(timeout=120) for child in (first, second)]
    assert [child.returncode for child in (first, second)] == [0, 0], outputs
    for _, err in outputs:
        assert err.startswith(f"note: waiting for another build into {home} (pid 4242) to finish")
    # The graph is one build's, whole: its index answers for it, and every task comes from one plan.
    docs = respgraph(home, "docs", "--format", "json")
    assert docs.returncode == 0
    files_built = {row["file"] for row in json.loads(docs.stdout)}
    assert files_built in ({str(PLAN)}, {str(OTHER_PLAN)})
    assert store.fresh_index() is not None


# ---------------------------------------------------------------------------------------
# The parse cache runs no pickle it did not write
# ---------------------------------------------------------------------------------------

class Planted:
    """Unpickling this runs a shell command (what a planted cache entry would do)."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_a_planted_pickle_in_the_cache_never_runs(home, tmp_path):
    assert invoke("build", PLAN).exit_code == 0
    secret = home / files.SECRET_NAME
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600 and secret.stat().st_size == files.SECRET_BYTES
    entries = list((home / "parsed" / store.builder_fingerprint()).glob("*.pickle"))
    assert len(entries) == 1
    marker = tmp_path / "ran"
    payload = pickle.dumps(Planted(marker))
    before = store.active_snapshot().read_bytes()
    for blob in (payload,  # a bare pickle
                 cache.MAGIC + b"\0" * 32 + payload,  # the header, a wrong MAC
                 cache.sign(os.urandom(32), entries[0].name[:-len(".pickle")], payload)):  # signed with another key
        entries[0].write_bytes(blob)
        result = invoke("build", PLAN)
        assert result.exit_code == 0, result.output
        assert not marker.exists()
        assert store.active_snapshot().read_bytes() == before  # parsed again: the same graph
        assert entries[0].read_bytes().startswith(cache.MAGIC) and payload not in entries[0].read_bytes()
    # The entry signed with the home's secret is what the next build reads.
    hits = cache.ParseCache(home / "parsed", store.builder_fingerprint(), files.home_secret(home))
    with cache.using(hits):
        cache.parse_path(PLAN)
    assert (hits.hits, hits.misses) == (1, 0)


def test_a_secret_others_could_read_or_plant_is_replaced(home, tmp_path):
    """Whoever can write the home could plant a key of their own and sign with it: a key file
    that others may read, or that is no regular file of this user, is never used."""
    home.mkdir()
    known = b"k" * files.SECRET_BYTES
    secret = home / files.SECRET_NAME
    secret.write_bytes(known)
    os.chmod(secret, 0o644)
    marker = tmp_path / "ran"
    parse_cache = store.parse_cache()
    key = parse_cache.key(PLAN, PLAN.read_bytes())
    entry = parse_cache.folder / (key + cache.SUFFIX)
    entry.parent.mkdir(parents=True)
    entry.write_bytes(cache.sign(known, key, pickle.dumps(Planted(marker))))
    assert parse_cache.secret != known
    result = invoke("build", PLAN)
    assert result.exit_code == 0, result.output
    assert not marker.exists()
    assert secret.read_bytes() != known and stat.S_IMODE(secret.stat().st_mode) == 0o600


# ---------------------------------------------------------------------------------------
# One human line: unknown cities, ambiguous units, unbound parameters
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["tasks", "--city", "上海"], ["duties", "市大数据委", "--city", "上海"], ["load", "--city", "上海"],
    ["load", "--by", "function", "--city", "上海"], ["units", "--city", "上海"], ["docs", "--city", "上海"],
    ["overlap", "福州", "上海"], ["html", "--city", "上海", "-o", "page.html"],
])
def test_an_unknown_city_is_exit_2_with_the_known_cities(built, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    line = runner_line(invoke(*args), 2)
    assert line == f"Error: no plan of '上海' in the graph; {CITIES}"
    assert not (tmp_path / "page.html").exists()


def test_an_unknown_city_suggests_the_close_ones(built):
    line = runner_line(invoke("tasks", "--city", "福洲"), 2)
    assert line == f"Error: no plan of '福洲' in the graph; did you mean 福建省 or 福州市? {CITIES}"


@pytest.mark.parametrize("args", [["duties", "工信局"], ["html", "--unit", "工信局", "-o", "x.html"]])
def test_an_ambiguous_unit_is_one_line_without_usage(built, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    line = runner_line(invoke(*args), 2)
    assert line.startswith("Error: '工信局' matches 3 units: 厦门市工信局（厦门市）、泉州市工信局（泉州市）、福州市工信局（福州市）")


def test_an_unbound_parameter_is_one_line_naming_it(built):
    query = "MATCH (a:Agency) WHERE a.name = $unit AND a.region = $city RETURN a.name"
    line = runner_line(invoke("cypher", query, "-p", "city=福州市"), 2)
    assert line == "Error: the query uses $unit but no value was given; add -p unit=VALUE"
    # a $ inside a string or comment is no parameter
    result = invoke("cypher", "RETURN '$unit' AS x // $y", "--format", "csv")
    assert result.exit_code == 0 and result.stdout == "x\n$unit\n"


@pytest.mark.parametrize("args, line", [
    (["cypher", "RETURN $n AS v", "-p", "n:INT64=99999999999999999999"],
     "Error: parameter n takes INT64, got '99999999999999999999'"),
    (["cypher", "RETURN $n AS v", "-p", "n=\udcff"], "Error: parameter n is not valid UTF-8 text"),
    (["cypher", "RETURN '\udcff' AS v"], "Error: refused: the query is not valid UTF-8 text"),
    (["duties", "\udcff"], "Error: some text given is not valid UTF-8 (\\udcff); check the terminal's encoding"),
])
def test_values_the_engine_cannot_take_are_one_human_line(built, args, line):
    """Once a pybind11 cast error ("Unable to cast Python instance of type <class 'int'>...")."""
    assert runner_line(invoke(*args), 2) == line


# ---------------------------------------------------------------------------------------
# Random plan text
# ---------------------------------------------------------------------------------------

LINES = ["一、总体要求", "二、重点任务", "（一）推进网络建设", "（二）", "1.", "1．建设数据中心。", "(3)", "第一条", "第十二条 附则",
         "〔责任单位：市大数据委、市工信局，各县（市）区政府〕", "（责任单位：市发改委）", "【牵头单位】市数字办",
         "责任单位：", "完成时限：2025年底", "福州市人民政府办公厅", "榕政办〔2023〕86号", "2023年5月6日",
         "到2025年，建成5G基站2万个。", "", " ", "\t", "　", "##", "# 标题", "| a | b |", "|---|---|", "-", "*",
         "预览已结束，完整报告链接", "\x00", "\x1b[31m", "\ufeff", "\u202e", "𠀀", "…" * 50, "一" * 300]


def plan_text():
    line = st.one_of(st.sampled_from(LINES), st.text(max_size=40),
                     st.tuples(st.sampled_from(LINES), st.text(max_size=10)).map("".join))
    return st.tuples(st.lists(line, max_size=40), st.sampled_from(["\n", "\r\n", "\r"])).map(lambda t: t[1].join(t[0]))


ENCODINGS = ["utf-8", "gb18030", "utf-16", "big5"]
PREFIXES = ("error: ", "Error: ", "warning: ", "note: ", "built ")


@settings(max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(text=plan_text(), encoding=st.sampled_from(ENCODINGS), suffix=st.sampled_from([".txt", ".md", ""]),
       raw=st.binary(max_size=64))
@pytest.mark.slow
def test_random_plan_text_is_built_or_refused_in_one_line(tmp_path_factory, text, encoding, suffix, raw):
    root = tmp_path_factory.mktemp("random")
    home, out = root / "home", root / "out"
    plan = root / f"plan{suffix}"
    plan.write_bytes(text.encode(encoding, "replace") + (raw if len(text) % 3 == 0 else b""))
    before = files_under(root)
    old = os.environ.get("RESPGRAPH_HOME")
    os.environ["RESPGRAPH_HOME"] = str(home)
    try:
        result = invoke("build", plan, "-o", out / "graph.json")
    finally:
        if old is None:
            del os.environ["RESPGRAPH_HOME"]
        else:
            os.environ["RESPGRAPH_HOME"] = old
    assert result.exit_code in (0, 1, 2)
    event(f"exit {result.exit_code}")
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert all(line.startswith(PREFIXES) for line in lines), lines
    assert sum(line.startswith("error: ") for line in lines) <= 1  # one line for the one input
    assert sum(line.startswith("Error: ") for line in lines) <= 1
    if result.exit_code:
        assert [line for line in lines if line.startswith(("error: ", "Error: "))], lines
    else:
        assert lines[-1].startswith("built 1 documents")
    created = set(files_under(root)) - set(before)
    allowed = {"out", "out/graph.json", "out/graph.json.index.sqlite"}
    assert {p for p in created if not p.startswith("home")} <= allowed
    assert (result.exit_code == 0) == (out / "graph.json").exists()
    shutil.rmtree(root)
