"""Fuzzing the checkpoint loader: whatever the bytes, a loaded model or one GatedRNNError line.

Hypothesis damages a real run checkpoint (an LSTM with Adam buffers and a carried state) in
the ways a disk, a network or an attacker would: flipped bytes anywhere or in the zip's
directory, truncations, crafted .npy headers (dtypes, shapes up to 10^13 values, Fortran
order, versions, lengths, deflated members), and crafted metadata (any JSON value put in any
place, keys removed or added, with a valid checksum so that the schema, not the checksum, is
what must refuse it).

The loads run in one worker process under ``RLIMIT_AS`` (WORKER_MEMORY): a loader that
allocated what a file claims would fail there with a MemoryError (reported as a crash), not
take the machine down. The worker answers, for each file, what ``load_checkpoint``,
``load_run_checkpoint`` and ``model_from_checkpoint`` did; anything but "loaded" or
"refused" (a one-line GatedRNNError) fails the test. At the end the worker reports its peak
memory, which must stay far below the limit.
"""

import json
import os
import select
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter

import numpy as np
import pytest
from helpers.bad_inputs.rows import finished_run_directory
from helpers.checkpoint_crafting import (
    adam_state,
    carried,
    members_of,
    npy_header,
    read,
    rewrite,
    with_member,
    with_metadata_text,
    write_zip,
)
from helpers.paths import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gatedrnn.checkpoint import checksum

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_AS and select on pipes are POSIX")

SRC = REPO / "src"
WORKER_MEMORY = 1536 * 1024**2  # RLIMIT_AS of the worker
PEAK_LIMIT = 768 * 1024**2  # the worker's peak resident memory must stay below this
ANSWER_TIMEOUT = 20  # seconds for one file: a hang is a failure too
FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

LOADERS = ("load_checkpoint", "load_run_checkpoint", "model_from_checkpoint")
WORKER = r"""
import resource, sys, traceback
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from gatedrnn import GatedRNNError
from gatedrnn.checkpoint import load_checkpoint
from gatedrnn.lm.run_checkpoint import load_run_checkpoint, model_from_checkpoint

def outcome(load, path):
    try:
        load(path)
        return "loaded"
    except GatedRNNError as error:
        return "refused" if "\n" not in str(error) else "MULTILINE " + repr(str(error))[:300]
    except BaseException as error:   # MemoryError included: the budget must refuse before allocating
        where = traceback.extract_tb(error.__traceback__)[-1]
        return f"CRASH {type(error).__name__}: {str(error)[:200]!r} at {where.filename}:{where.lineno}"

while True:
    path = sys.stdin.readline().strip()
    if not path:
        break
    print(" | ".join(outcome(load, path) for load in (load_checkpoint, load_run_checkpoint, model_from_checkpoint)),
          flush=True)
def peak_bytes():
    # VmHWM is this program's own high-water mark; ru_maxrss is not: Linux keeps it across fork
    # and exec, so it would report the pytest process that started the worker (hundreds of MiB
    # late in a full run) rather than the loader.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

print("peak", peak_bytes(), flush=True)
"""


class Worker:
    """One process under RLIMIT_AS that loads the files it is sent, one path per line."""

    def __init__(self):
        env = {**os.environ, "PYTHONPATH": str(SRC), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        self.errors = tempfile.TemporaryFile("w+")  # a file, not a pipe: warnings can never fill it and block
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(WORKER_MEMORY)],
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
        )
        self.files = 0
        self.answers = Counter()  # how often each loader loaded or refused, for the report

    def load(self, path):
        """The worker's answer for ``path``: 'loaded | refused | …', one word per loader."""
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()
        self.files += 1
        answer = self._line()
        self.answers.update(f"{loader}: {word}" for loader, word in zip(LOADERS, answer.split(" | "), strict=True))
        return answer

    def _line(self):
        ready, _, _ = select.select([self.process.stdout], [], [], ANSWER_TIMEOUT)
        if not ready:
            self.process.kill()
            pytest.fail(f"the loader took over {ANSWER_TIMEOUT} s on one file")
        line = self.process.stdout.readline()
        if not line:
            self.errors.seek(0)
            pytest.fail(f"the worker died (exit {self.process.wait()}): {self.errors.read()[-2000:]}")
        return line.strip()

    def finish(self):
        """Stop the worker; returns its peak resident memory in bytes."""
        self.process.stdin.close()
        peak = int(self._line().split()[1])
        self.process.wait(timeout=ANSWER_TIMEOUT)
        return peak


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A real run checkpoint with every section filled: weights, Adam buffers, an LSTM's carried (h, c)."""
    directory = tmp_path_factory.mktemp("fuzz")
    run = finished_run_directory(directory).run

    def fill(sections, metadata):
        adam_state()(sections, metadata)
        carried(2)(sections, metadata)

    path = rewrite(run / "last.npz", directory / "base.npz", fill)
    return path, directory


@pytest.fixture(scope="module")
def worker(base):
    worker = Worker()
    assert worker.load(base[0]) == "loaded | loaded | loaded", "the undamaged file must load"
    yield worker
    peak = worker.finish()
    print(
        f"\nfuzz worker: {worker.files} files, peak RSS {peak / 1024**2:.0f} MiB under RLIMIT_AS "
        f"{WORKER_MEMORY / 1024**2:.0f} MiB; {dict(sorted(worker.answers.items()))}"
    )
    assert peak < PEAK_LIMIT, f"the loader's peak memory was {peak / 1024**2:.0f} MiB"


def check(worker, path):
    answer = worker.load(path)
    assert all(word in ("loaded", "refused") for word in answer.split(" | ")), answer


# -- damage to the bytes -------------------------------------------------------------------
@FUZZ
@given(data=st.data())
def test_flipped_bytes(base, worker, data):
    path, directory = base
    raw = bytearray(path.read_bytes())
    # half the time aim at the zip's directory and headers, which sit at the end of the file
    low = data.draw(st.sampled_from([0, max(len(raw) - 2048, 0)]))
    for _ in range(data.draw(st.integers(1, 8))):
        raw[data.draw(st.integers(low, len(raw) - 1))] ^= data.draw(st.integers(1, 255))
    out = directory / "flipped.npz"
    out.write_bytes(bytes(raw))
    check(worker, out)


@FUZZ
@given(data=st.data())
def test_truncations(base, worker, data):
    path, directory = base
    raw = path.read_bytes()
    out = directory / "truncated.npz"
    out.write_bytes(raw[: data.draw(st.integers(0, len(raw) - 1))])
    check(worker, out)


# -- crafted .npy headers --------------------------------------------------------------------
DESCRS = [
    "<f4",
    "<f8",
    "|u1",
    "<i8",
    "|b1",
    "<f2",
    "|O",
    "<U3",
    ">f4",
    "|V8",
    [("a", "<f4")],
    "<c8",
    "<M8[s]",
    "float32",
    42,
    None,
    ("<f4", (2,)),
]
SIZES = st.one_of(st.integers(-3, 64), st.integers(0, 10**13), st.sampled_from([True, 2.5, "x", None]))


@FUZZ
@given(
    data=st.data(),
    descr=st.sampled_from(DESCRS),
    shape=st.lists(SIZES, max_size=3),
    fortran=st.booleans(),
    version=st.sampled_from([(1, 0), (2, 0), (3, 0)]),
    body=st.sampled_from(["none", "exact", "short", "long"]),
    deflate=st.booleans(),
)
def test_crafted_npy_headers(base, worker, data, descr, shape, fortran, version, body, deflate):
    path, directory = base
    name = data.draw(st.sampled_from(sorted(members_of(path))))
    header = npy_header(descr, shape, fortran, version)
    try:
        expected = int(np.prod([int(size) for size in shape])) * 4
    except (TypeError, ValueError):
        expected = 16
    size = {"none": 0, "exact": expected, "short": expected // 2, "long": expected + 64}[body]
    out = with_member(
        path,
        directory / "header.npz",
        name,
        header + bytes(min(max(size, 0), 1 << 20)),
        zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED,
    )
    check(worker, out)


# -- crafted metadata ------------------------------------------------------------------------
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def paths_of(value, prefix=()):
    """Every place in a JSON value: the tuples of keys and indices that lead to it."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_of(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value[:6]):
            found += paths_of(item, prefix + (index,))
    return found


@FUZZ
@given(data=st.data(), action=st.sampled_from(["replace", "delete", "add"]), value=JSON, valid_checksum=st.booleans())
def test_crafted_metadata(base, worker, data, action, value, valid_checksum):
    path, directory = base
    sections, metadata = read(path)
    document = {"format": "gatedrnn-checkpoint", "version": 2, **metadata}
    where = data.draw(st.sampled_from(paths_of(document)[1:]))
    parent = document
    for key in where[:-1]:
        parent = parent[key]
    last = where[-1]
    if action == "replace":
        parent[last] = value
    elif action == "delete" and isinstance(parent, dict):
        del parent[last]
    elif action == "delete":
        parent.pop(last)
    elif isinstance(parent, dict):
        parent[data.draw(st.text(max_size=8))] = value
    else:
        parent.insert(last, value)
    arrays = {f"{section}/{name}": array for section, members in sections.items() for name, array in members.items()}
    document["checksum"] = checksum(document, arrays) if valid_checksum else "0" * 64
    out = with_metadata_text(path, directory / "metadata.npz", json.dumps(document).encode())
    check(worker, out)


@FUZZ
@given(
    text=st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(str.encode),
        st.integers(1, 5000).map(lambda n: b"[" * n + b"]" * n),
        st.integers(1, 300_000).map(lambda n: b'{"format": "gatedrnn-checkpoint", "a": ' + b"[" * n),
    )
)
def test_metadata_that_is_not_the_document(base, worker, text):
    path, directory = base
    check(worker, with_metadata_text(path, directory / "text.npz", text))


@FUZZ
@given(data=st.data(), claimed=st.one_of(st.integers(0, 2**32 - 1), st.sampled_from([0, 2**31, 2**32 - 1])))
def test_members_whose_zip_size_lies(base, worker, data, claimed):
    """Deflated members whose recorded size is anything: the stream is never read past what the header implies."""
    from helpers.checkpoint_crafting import with_claimed_size

    path, directory = base
    members = members_of(path)
    name = data.draw(st.sampled_from(sorted(members)))
    deflated = write_zip(
        directory / "deflated.npz", {**members, name: members[name] + bytes(1 << 22)}, zipfile.ZIP_DEFLATED
    )
    check(worker, with_claimed_size(deflated, directory / "lying.npz", name, claimed))
