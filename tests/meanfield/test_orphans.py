"""Workers of the local process pool never outlive their parent (meanfield.backends).

Each test runs a small script in a subprocess that starts ``map_seeds`` with
two workers on tasks that never end by themselves: one spins in a single C
call that holds the GIL (``sum(range(10**12))``, as a long Numba kernel does),
the other sleeps. The worker pids are read from marker files the tasks write,
the other children (multiprocessing's resource tracker) from /proc.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import os, sys, time
    from meanfield.runner import map_seeds

    def task(i, seed, *, marker_dir, fail):
        open(os.path.join(marker_dir, str(os.getpid())), "w").close()
        if fail and i == 1:
            while len(os.listdir(marker_dir)) < 2:  # both workers busy first
                time.sleep(0.05)
            raise ZeroDivisionError("task 1 failed")
        if i % 2 == 0:
            sum(range(10**12))  # one C call holding the GIL for hours
        time.sleep(600)
        return {"i": i}

    if __name__ == "__main__":
        start = time.monotonic()
        try:
            map_seeds(task, 4, 0, function="test.orphans", workers=2, progress=False,
                      context={"marker_dir": sys.argv[1], "fail": sys.argv[2] == "fail"})
        except ZeroDivisionError:
            print(f"raised after {time.monotonic() - start:.1f} s", flush=True)
""")


def _state(pid: int) -> str | None:
    """The state letter of /proc/<pid>/stat, None if the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def _alive(pid: int) -> bool:
    return _state(pid) not in (None, "Z", "X")  # a zombie has exited (its reaper may be slow)


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def _start(tmp_path, mode: str):
    script = tmp_path / "pool_script.py"
    script.write_text(SCRIPT)
    markers = tmp_path / "markers"
    markers.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, str(script), str(markers), mode], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 60
    while len(os.listdir(markers)) < 2:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the two workers did not start their tasks")
        time.sleep(0.05)
    workers = [int(name) for name in os.listdir(markers)]
    return proc, workers


def _wait_gone(pids, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = [p for p in pids if _alive(p)]
        if not alive:
            return []
        time.sleep(0.05)
    return [p for p in pids if _alive(p)]


def _kill_leftovers(pids):
    for p in pids:
        if _alive(p):
            os.kill(p, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killing_the_parent_leaves_no_worker(tmp_path, sig):
    proc, workers = _start(tmp_path, "run")
    pids = sorted(set(workers) | set(_children(proc.pid)))
    assert set(workers) <= set(_children(proc.pid))
    try:
        proc.send_signal(sig)
        proc.wait(timeout=10)
        left = _wait_gone(pids, 5.0)
        assert left == [], f"still alive 5 s after {sig.name} of the parent: {left} (workers {workers})"
    finally:
        _kill_leftovers(pids)


def test_a_failed_task_stops_the_running_workers(tmp_path):
    # Before: the pool waited for the running tasks (here: forever) before raising.
    proc, workers = _start(tmp_path, "fail")
    pids = sorted(set(workers) | set(_children(proc.pid)))
    try:
        out, _ = proc.communicate(timeout=10)
        assert "raised after" in out
        assert _wait_gone(pids, 5.0) == []
    finally:
        proc.kill()
        _kill_leftovers(pids)
