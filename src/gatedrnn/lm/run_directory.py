"""A training run's directory: its files' names, who may use it (run.lock), and the checks before a run.

    <out>/last.npz        the newest checkpoint, to resume from
    <out>/best.npz        the weights with the best validation score so far
    <out>/metrics.jsonl   one JSON record per log line (gatedrnn.lm.run_log)
    <out>/perplexity.png  the curves (bits_per_char.png for character-level runs)
    <out>/results.json    the finished run's summary (gatedrnn.lm.run.results_document)
    <out>/run.lock        while a run uses the directory: its pid and host (RunFiles.claim)

A new run starts only in a missing or empty directory (or one without any of these files);
one run at a time holds a directory, through the lock; and a new run that stops before its
first checkpoint leaves nothing behind, so the same command can simply be run again. What the
checkpoints hold, and how they are read and written, is gatedrnn.lm.run_checkpoint.
"""

import json
import os
import socket
import time
from contextlib import contextmanager
from pathlib import Path

from ..errors import GatedRNNError
from ..files import (
    TEMPORARY_PREFIX,
    check_output_directory,
    check_output_file,
    describe_os_error,
    open_regular_file,
    timestamp,
    write_json,
)
from .run_checkpoint import load_run_checkpoint

LOCK_NAME = "run.lock"
# Every file a run writes into its directory: a new run refuses a directory holding any of them.
RUN_FILE_NAMES = (
    "last.npz",
    "best.npz",
    "metrics.jsonl",
    "results.json",
    "perplexity.png",
    "bits_per_char.png",
    LOCK_NAME,
)
# Files that make a directory a run's (a checkpoint, or a live run): nothing else may be written there.
RUN_MARKERS = ("last.npz", "best.npz", LOCK_NAME)
# A lock another run has just created may not hold its pid yet: how long to wait for it (seconds).
LOCK_READ_WAIT = 1.0


class RunFiles:
    """The paths of one run directory, how each file is written, and who may write them.

    ``with files.claim(resume=...):`` holds the directory for one run (:meth:`claim`);
    :meth:`check_can_start` tells beforehand, writing nothing, whether the claim would be refused.
    """

    def __init__(self, out_dir, char_level=False):
        self.out_dir = Path(out_dir)
        self.char_level = char_level
        self.removed_temporaries = []  # stale temporary files removed by the last claim
        self._owner = None  # what this process wrote into run.lock

    @property
    def last(self):
        return self.out_dir / "last.npz"

    @property
    def best(self):
        return self.out_dir / "best.npz"

    @property
    def metrics(self):
        return self.out_dir / "metrics.jsonl"

    @property
    def results(self):
        return self.out_dir / "results.json"

    @property
    def plot(self):
        """perplexity.png for word-level runs, bits_per_char.png for character-level ones."""
        return self.out_dir / ("bits_per_char.png" if self.char_level else "perplexity.png")

    @property
    def lock(self):
        return self.out_dir / LOCK_NAME

    @property
    def held(self):
        """Whether this object holds the directory now (inside :meth:`claim`)."""
        return self._owner is not None

    def names_written(self):
        """Every path this run may write into the directory."""
        return [self.out_dir / name for name in RUN_FILE_NAMES]

    def write_results(self, result):
        """results.json in the run directory (a --results copy is TrainingRun's: its failure is not the run's)."""
        write_json(self.results, result)

    def what_was_saved(self):
        """For a run that stopped: the position its last.npz holds, or that it has none."""
        if not self.last.exists():
            return "no checkpoint had been saved yet"
        try:
            position = load_run_checkpoint(self.last).metadata["position"]
        except (GatedRNNError, OSError, KeyError, TypeError):
            return f"{self.last} could not be read back"
        epochs, windows = position["epoch"], position["window"]
        return (
            f"{self.last} holds step {position['step']} ({epochs} epoch{'s' * (epochs != 1)} and {windows} "
            f"window{'s' * (windows != 1)} done)"
        )

    # -- who may use the directory ---------------------------------------------------------
    def run_files_present(self):
        """The names in RUN_FILE_NAMES that exist in the directory."""
        return [name for name in RUN_FILE_NAMES if _exists(self.out_dir / name)]

    def check_can_start(self, resume=False):
        """GatedRNNError if a new run (or, with ``resume``, a resumed one) could not use the directory.

        Writes nothing: called before the data loads, so a wrong --out costs one line and no
        time. :meth:`claim` checks the same again under the lock.
        """
        check_output_directory(self.out_dir)
        for parent in _resolved(self.out_dir).parents:
            if any(_exists(parent / name) for name in RUN_MARKERS):
                raise GatedRNNError(
                    f"--out {self.out_dir} is inside the run directory {parent}; choose a directory outside it"
                )
        if _exists(self.lock):
            raise GatedRNNError(self._lock_problem())
        self._check_contents(resume)

    def check_results_path(self, path, option="--results"):
        """GatedRNNError if ``path`` cannot be written or lies in another run's directory."""
        check_results_file(path, option, own_directory=self.out_dir)

    @contextmanager
    def claim(self, resume=False, command=None):
        """Hold the directory for one run: ``with files.claim(resume=False): train...``.

        Makes the directory if needed and creates ``run.lock`` with O_EXCL, holding this
        process's pid and host, so that of two runs started at once exactly one proceeds.
        Under the lock it checks the directory again (a new run needs no run file there, a
        resumed one needs last.npz) and removes temporary files left by a save that was
        killed. On the way out (done, an error, Ctrl-C) the lock is removed, and a new run
        that ends without a last.npz takes its files and the directories it made with it:
        it could not be resumed, and left behind it would block running the same command again.
        """
        made = self._make_directory()
        try:
            self._take_lock(command)
            started = False
            try:
                self._check_contents(resume)
                self.removed_temporaries = self.remove_stale_temporaries()
                started = True
                yield self
            except BaseException:
                if started and not resume and not _exists(self.last):
                    self._discard_files()
                raise
            finally:
                self._release_lock()
        finally:
            _remove_empty_directories(made)

    def remove_stale_temporaries(self):
        """Delete what a killed save left in the directory; returns the names removed.

        Only files named with files.TEMPORARY_PREFIX, only in this directory, and called under
        the lock, so no save in progress is touched.
        """
        removed = []
        with os.scandir(self.out_dir) as entries:
            for entry in entries:
                if entry.name.startswith(TEMPORARY_PREFIX) and not entry.is_dir(follow_symlinks=False):
                    os.unlink(entry.path)
                    removed.append(entry.name)
        return sorted(removed)

    def _check_contents(self, resume):
        present = [name for name in self.run_files_present() if name != LOCK_NAME]
        if resume and not self.last.exists():
            hint = (
                f"the run stopped before its first checkpoint: delete {self.out_dir} and start again"
                if present
                else "drop --resume (resume=False) to start a new run"
            )
            raise GatedRNNError(f"nothing to resume: {self.last} does not exist; {hint}")
        if not resume and present:
            raise GatedRNNError(f"{self.out_dir} already holds a run ({', '.join(present)}); {self._other_run_hint()}")

    def _other_run_hint(self):
        """The fix for a new run given a used directory: it depends on how far that run got."""
        if _exists(self.results):
            return f"it finished ({self.results.name} holds its scores): choose another --out (out_dir) for a new run"
        if self.last.exists():
            return (
                "pass --resume to continue it (from Python: resume=True, or Trainer.load(last.npz)), "
                "or another --out (out_dir) for a new one"
            )
        return "it has no last.npz to resume from: delete those files or choose another --out (out_dir)"

    def _make_directory(self):
        """Make the directory and its missing parents; returns those made, deepest first."""
        check_output_directory(self.out_dir)
        made = []
        for path in (self.out_dir, *self.out_dir.parents):
            if _exists(path):
                break
            made.append(path)
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise GatedRNNError(
                f"cannot make the run directory: {describe_os_error(error)}; choose another --out"
            ) from error
        return made

    def _take_lock(self, command):
        """Create run.lock with O_EXCL (atomic: of two runs, one gets it) and write who holds it."""
        owner = dict(pid=os.getpid(), host=socket.gethostname(), started=timestamp(), command=command)
        try:
            descriptor = os.open(self.lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise GatedRNNError(self._lock_problem()) from None
        except OSError as error:
            raise GatedRNNError(
                f"cannot lock the run directory: {describe_os_error(error)}; choose another --out"
            ) from error
        try:
            os.write(descriptor, json.dumps(owner).encode("utf-8"))
        except OSError as error:
            os.close(descriptor)
            self.lock.unlink(missing_ok=True)
            raise GatedRNNError(f"cannot write the lock: {describe_os_error(error)}") from error
        os.close(descriptor)
        self._owner = owner

    def _release_lock(self):
        """Remove run.lock if it is still this run's; another run's lock is never removed."""
        if self._owner is not None and self._lock_owner(wait=0) == self._owner:
            self.lock.unlink(missing_ok=True)
        self._owner = None

    def _lock_owner(self, wait=LOCK_READ_WAIT):
        """What run.lock says (pid, host, started, command), or None if it says nothing usable."""
        deadline = time.monotonic() + wait
        while True:
            try:
                owner = json.loads(_read_small(self.lock))
                if (
                    isinstance(owner, dict)
                    and isinstance(owner.get("pid"), int)
                    and owner["pid"] > 0
                    and isinstance(owner.get("host"), str)
                ):
                    return owner
            except FileNotFoundError:
                return None
            except (OSError, ValueError):  # GatedRNNError too: a FIFO or a device in its place
                pass
            if time.monotonic() >= deadline or _age(self.lock) > LOCK_READ_WAIT:  # not being written
                return None
            time.sleep(0.05)

    def _lock_problem(self):
        """One line: who holds run.lock, and what to do about it."""
        owner = self._lock_owner()
        clear = f"delete {self.lock} if no run is using it"
        if owner is None:
            if not _exists(self.lock):
                return f"{self.out_dir} was in use by another run that has just ended; try again"
            return f"{self.out_dir} is locked, but {self.lock} does not say by which run; {clear}"
        who = f"pid {owner['pid']} on host {owner['host']}" + (
            f", started {owner['started']}" if owner.get("started") else ""
        )
        if owner["host"] != socket.gethostname():
            return f"{self.out_dir} is in use by another run ({who}); wait for it to end, or {clear}"
        if _process_alive(owner["pid"]):
            return f"{self.out_dir} is in use by another run ({who}); wait for it to end or choose another --out"
        return (
            f"{self.out_dir} has a stale lock: the run that made it ({who}) is no longer running; {clear}, "
            "then start again (with --resume to continue it)"
        )

    def _discard_files(self):
        """Remove the run files a new run wrote before its first last.npz (see :meth:`claim`)."""
        for name in RUN_FILE_NAMES:
            if name != LOCK_NAME:
                (self.out_dir / name).unlink(missing_ok=True)
        self.remove_stale_temporaries()


def check_results_file(path, option="--results", own_directory=None):
    """GatedRNNError if ``path`` cannot be written, or would add to or overwrite a run's files.

    A directory holding a checkpoint or a lock belongs to a run: nothing else is written
    there, except into ``own_directory`` (the command's own run), and there only results.json.
    """
    check_output_file(path, option)
    # Where the bytes land: a symbolic link is written through (gatedrnn.files.atomic_write_bytes),
    # so a link named outside every run may still point at a run's checkpoint.
    target = _real(path)
    named = f"{path} (a link to {target})" if Path(path).is_symlink() else path
    if own_directory is not None and target.parent == _real(own_directory):
        if target.name in RUN_FILE_NAMES and target.name != "results.json":
            raise GatedRNNError(f"{option} {named} would overwrite the run's own {target.name}; name another file")
        return
    check_outside_runs(target.parents, named, option, "name a file outside it", own_directory)


def check_outside_runs(directories, path, option, fix, own_directory=None):
    """GatedRNNError if any of ``directories`` (``path`` and what holds it, resolved) holds a run,
    other than ``own_directory``: a run's directory, subdirectories included, is the run's alone."""
    for directory in directories:
        if own_directory is not None and directory in (_resolved(own_directory), _real(own_directory)):
            continue
        if any(_exists(directory / name) for name in RUN_MARKERS):
            raise GatedRNNError(f"{option} {path} is inside the run directory {directory}; {fix}")


# A lock holds a pid, a host, a time and a command line: a few hundred bytes.
LARGEST_LOCK = 64 * 1024


def _read_small(path):
    """The text of a small regular file; a FIFO, a device or a huge file says nothing (ValueError)."""
    with open_regular_file(path, "the lock") as handle:
        data = handle.read(LARGEST_LOCK + 1)
    if len(data) > LARGEST_LOCK:
        raise ValueError(f"{path} is too large to be a lock")
    return data.decode("utf-8")


def _exists(path):
    """True for a file, a directory or a link, even a dangling one (it still occupies the name)."""
    return path.exists() or path.is_symlink()


def _age(path):
    """Seconds since ``path`` was last modified (0 if it cannot be told)."""
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _resolved(path):
    return Path(os.path.abspath(path))


def _real(path):
    """``path`` with every symbolic link on the way followed: the file a write would reach."""
    return Path(os.path.realpath(path))


def _process_alive(pid):
    """Whether process ``pid`` exists on this host (a zombie counts as alive until it is reaped)."""
    if pid == os.getpid() or os.name == "nt":  # on Windows, signal 0 would be a Ctrl-C: assume alive
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    except (OverflowError, OSError):
        return False
    return True


def _remove_empty_directories(directories):
    """Remove the given directories, deepest first, as long as they are empty."""
    for directory in directories:
        try:
            directory.rmdir()
        except OSError:
            return
