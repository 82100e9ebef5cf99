"""Running one task per input in worker processes that cannot take the batch down with them.

Each worker is a forked process with an address-space limit and a wall-clock limit per
task; a worker that dies (the OOM killer, a crash) or overruns fails its own task only and
is replaced. Workers die with their parent (Linux ``PR_SET_PDEATHSIG``), ignore Ctrl-C
(the parent handles it) and are killed whenever ``run`` leaves early, so an interrupted
batch leaves no orphans.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing import connection
from typing import Any

TASK_SECONDS = 900.0  # one input's load, render and annex; a normal report takes seconds
MEMORY_BYTES = 3 * 2**30  # address space a worker may add to what it inherits


class Terminated(BaseException):
    """Raised in the main process by the SIGTERM handler ``install_signal_handlers`` sets."""


def install_signal_handlers() -> None:
    """Turn SIGTERM into ``Terminated`` so that ``finally`` blocks (workers, staging) run."""

    def handler(signum, frame):
        raise Terminated()

    signal.signal(signal.SIGTERM, handler)


def _fork_context():
    try:
        return multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - Windows: no fork
        return None


class _Failure:
    def __init__(self, reason: str):
        self.reason = reason


def _die_with_parent(parent: int) -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _limit_memory(extra: int) -> None:
    try:
        import resource

        with open("/proc/self/statm") as f:
            current = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = current + extra
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):  # pragma: no cover - not Linux
        pass


def _serve(conn, fn: Callable[[Any], Any], memory: int, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    _limit_memory(memory)
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        try:
            result = fn(item)
        except MemoryError:
            result = _Failure(f"kehabisan memori (batas {memory // 2**20:,} MB per proses)")
        except Exception as exc:  # fn should not raise; if it does, it fails this task only
            result = _Failure(f"kesalahan tak terduga: {type(exc).__name__}: {exc}")
        try:
            conn.send(result)
        except Exception as exc:  # e.g. an unpicklable result
            conn.send(_Failure(f"hasil tidak dapat dikirim: {type(exc).__name__}: {exc}"))


class _Worker:
    def __init__(self, context, fn, memory: int, spawned: list):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, fn, memory, os.getpid()), daemon=True)
        spawned.append(self.process)  # before start: an interruption inside start() still finds it
        self.process.start()
        child.close()
        self.index: int | None = None
        self.started = 0.0

    def give(self, index: int, task) -> None:
        self.index, self.started = index, time.monotonic()
        self.conn.send(task)

    def stop(self, now: bool = False) -> None:
        if not now:
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _death(exitcode: int | None) -> str:
    if exitcode == -signal.SIGKILL:
        return "proses pekerja dihentikan paksa (SIGKILL; biasanya kehabisan memori sistem)"
    if exitcode is not None and exitcode < 0:
        return f"proses pekerja berhenti karena sinyal {signal.Signals(-exitcode).name}"
    return f"proses pekerja berhenti mendadak (kode {exitcode})"


def run(
    fn: Callable[[Any], Any],
    tasks: Sequence[Any],
    jobs: int,
    failed: Callable[[Any, str], Any],
    done: Callable[[Any], None] | None = None,
) -> list[Any]:
    """``[fn(task) for task in tasks]``, at most ``jobs`` at a time in worker processes.

    A task whose worker dies, runs out of memory (MEMORY_BYTES) or overruns TASK_SECONDS
    gets ``failed(task, reason)`` (reason in Indonesian) instead; the others go on.
    ``done`` is called with each result as it arrives. Results are in task order."""
    context = _fork_context()
    if context is None:  # pragma: no cover - no fork: in this process, without limits
        out = []
        for task in tasks:
            out.append(fn(task))
            if done:
                done(out[-1])
        return out
    results: list[Any] = [None] * len(tasks)
    pending = deque(range(len(tasks)))
    live: list[_Worker] = []
    spawned: list = []

    def finish(worker: _Worker, result) -> None:
        index, worker.index = worker.index, None
        assert index is not None, "a result from an idle worker"
        if isinstance(result, _Failure):
            result = failed(tasks[index], result.reason)
        results[index] = result
        if done:
            done(result)

    try:
        while pending or any(w.index is not None for w in live):
            while len(live) < max(1, jobs) and sum(w.index is None for w in live) < len(pending):  # no idle spares
                live.append(_Worker(context, fn, MEMORY_BYTES, spawned))
            for worker in live:
                if worker.index is None and pending:
                    index = pending.popleft()
                    worker.give(index, tasks[index])
            busy = [w for w in live if w.index is not None]
            timeout = max(0.0, min(w.started for w in busy) + TASK_SECONDS - time.monotonic())
            connection.wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout)
            for worker in busy:
                if worker.conn.poll():
                    try:
                        finish(worker, worker.conn.recv())
                        continue
                    except (EOFError, OSError):
                        pass
                if not worker.process.is_alive():
                    worker.process.join()
                    finish(worker, _Failure(_death(worker.process.exitcode)))
                elif time.monotonic() - worker.started > TASK_SECONDS:
                    finish(worker, _Failure(f"tidak selesai dalam batas waktu {TASK_SECONDS:g} detik"))
                else:
                    continue
                worker.stop(now=True)
                live.remove(worker)
            for worker in [w for w in live if w.index is None and not pending]:
                worker.stop()
                live.remove(worker)
    finally:
        for worker in live:
            worker.stop(now=True)
        for process in spawned:  # one interrupted while starting (else it dies with this process)
            if getattr(process, "_popen", None) is not None and process.is_alive():
                process.kill()
                process.join()
    return results
