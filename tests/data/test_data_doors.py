"""Text is read only from regular files, without hanging, and on a memory budget.

A FIFO would block an open() or a read() for ever and /dev/zero never ends, so these run in a
subprocess under a timeout: a hang fails the test instead of stalling the suite. The slow
test measures the peak memory of reading a ~20 MB one-line text in a fresh process.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from helpers.tiny_runs import tiny_word_train_args, write_corpus

TIMEOUT = 60
PIECE_ROOM = 64 * 2**20


def run_gatedrnn(*args, cwd):
    code = "import sys; from gatedrnn.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd
    )


def run_python(code, cwd):
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd
    )


@pytest.fixture
def pipe(tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("source", ["fifo", "/dev/zero"])
def test_train_refuses_a_text_that_is_no_regular_file_without_hanging(tmp_path, pipe, source):
    text = pipe if source == "fifo" else source
    args = tiny_word_train_args(write_corpus(tmp_path), tmp_path / "run")
    args[args.index("--text") + 1] = str(text)
    done = run_gatedrnn(*args, cwd=tmp_path)
    kind = "a FIFO (named pipe)" if source == "fifo" else "a character device"
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0, done.stderr
    assert f"{text} is {kind}, not a regular file" in done.stderr
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("source", ["fifo", "/dev/zero"])
def test_lab_cells_refuses_a_text_that_is_no_regular_file_without_hanging(tmp_path, pipe, source):
    corpus = tmp_path / "chars.txt"
    corpus.write_text("def f(x):\n    return (x + 1) * 'a'\n" * 40, encoding="utf-8")
    args = tiny_word_train_args(corpus, tmp_path / "run", "--level", "char")
    assert run_gatedrnn(*args, cwd=tmp_path).returncode == 0
    text = pipe if source == "fifo" else source
    done = run_gatedrnn(
        "lab", "cells", tmp_path / "run" / "best.npz", "--text", text, "--out", tmp_path / "lab", cwd=tmp_path
    )
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0, done.stderr
    assert "not a regular file" in done.stderr
    assert not (tmp_path / "lab" / "cells.json").exists()


def test_the_python_doors_refuse_a_fifo_without_hanging(tmp_path, pipe):
    done = run_python(
        f"""
        from gatedrnn.data import load_text
        from gatedrnn.data.tokens import read_utf8
        from gatedrnn.lab.units import read_text_start
        from gatedrnn.errors import GatedRNNError
        for read in (load_text, read_utf8, lambda path: read_text_start(path, 100)):
            try:
                read({str(pipe)!r})
            except GatedRNNError as error:
                print(error)
    """,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("is a FIFO (named pipe), not a regular file") == 3, done.stdout


def test_a_memory_cap_ends_in_one_line_not_a_memory_error(tmp_path):
    """Under ulimit -v a text too large for the cap is refused by the estimate, naming the budget."""
    path = tmp_path / "words.txt"
    path.write_text(" ".join(f"w{i}" for i in range(600_000)), encoding="utf-8")  # one line of distinct words
    done = run_python(
        f"""
        import resource
        from gatedrnn.data import load_text
        from gatedrnn.errors import GatedRNNError
        import gatedrnn.memory as memory
        limit = memory._mapped_bytes() + 60 * 2 ** 20   # 60 MiB more than this process maps now
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
        try:
            load_text({str(path)!r})
        except GatedRNNError as error:
            print("refused:", error)
    """,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "refused:" in done.stdout and "ulimit -v" in done.stdout and "MemoryError" not in done.stderr


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads VmHWM from /proc/self/status")
@pytest.mark.parametrize("level", ["char", "word"])
def test_a_20_mb_one_line_text_is_read_in_a_small_multiple_of_its_size(tmp_path, level):
    """Peak resident memory of load_text, less that of the same process before, over the file's size.

    Before the reading in pieces, a 20 MB one-line text peaked at 482 MiB (characters; ids
    alone are 8 bytes a character, 160 MiB) and a 15 MB one of Zipf-distributed words at 373 MiB;
    now about 206 and 117 MiB, most of it the interpreter and NumPy.
    """
    path = tmp_path / "one-line.txt"
    generator = np.random.default_rng(0)
    if level == "char":
        letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz    ", np.uint8)
        path.write_bytes(letters[generator.integers(0, letters.size, 20 * 2**20)].tobytes())
    else:
        words = np.array([f"w{i}" for i in range(50_000)])
        path.write_bytes(" ".join(words[generator.zipf(1.3, 4_000_000) % words.size]).encode()[: 20 * 2**20])
    done = run_python(
        f"""
        from gatedrnn.data import load_text

        def peak():
            # VmHWM, this program's own high-water mark: ru_maxrss survives fork and exec on
            # Linux, and would be pytest's own peak late in a full run (then nothing could grow).
            with open("/proc/self/status") as status:
                return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))

        before = peak()   # the interpreter, NumPy
        corpus = load_text({str(path)!r}, level={level!r})
        peak = peak()
        print({path.stat().st_size}, peak - before, corpus.train.size + corpus.valid.size + corpus.test.size)
    """,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    size, grown, tokens = map(int, done.stdout.split())
    ids = 8 * tokens  # the int64 ids the corpus is made of
    # Beside them: the file's size twice, and a piece's words, dict and arrays (1 MiB of text).
    # Reading the whole text at once grew by 447 MiB (char) and 339 MiB (word) here: both fail.
    assert grown < ids + 2 * size + PIECE_ROOM, (size, grown, tokens)
