"""Writing files so that nothing is half-written: atomic writes, and JSON result documents.

Every file gatedrnn writes (checkpoints, metrics, figures, results) goes through
:func:`atomic_write_bytes`: the bytes go to a temporary file beside the target, which is
fsync'ed and renamed over the target. A crash, a kill or a full disk mid-write leaves the
previous file as it was. The temporary file has an unpredictable name and is created with
O_EXCL (``tempfile.mkstemp``), so a file or link planted beside the target is never written
through.

Before a command writes anything, :func:`check_output_directory` and :func:`check_output_file`
refuse a path that cannot be written (a file where a directory is meant, a read-only or
forbidden directory), so that a mistake costs one line, not a finished computation; and
:func:`describe_os_error` turns a failed write (disk full, read-only, ulimit -f) into one line.
"""

import errno
import json
import math
import os
import platform
import stat
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .errors import GatedRNNError

TEMPORARY_PREFIX = ".gatedrnn-tmp-"

# What a failed write means, and what the user can do about it.
WRITE_PROBLEMS = {
    errno.ENOSPC: ("the disk is full", "free some space"),
    errno.EDQUOT: ("the disk quota is exceeded", "free some space"),
    errno.EROFS: ("the filesystem is read-only", "make it writable"),
    errno.EFBIG: ("the file size limit (ulimit -f) is exceeded", "raise the limit"),
    errno.EACCES: ("permission denied", "fix the permissions"),
    errno.EPERM: ("operation not permitted", "fix the permissions"),
    errno.ENOTDIR: ("a part of the path is a file, not a directory", "fix the path"),
    errno.EISDIR: ("it is a directory", "name a file"),
    errno.EEXIST: ("a file of that name is in the way", "choose another path"),
    errno.ENOENT: ("no such file or directory", "check the path"),
}


def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` via a fresh temporary file, fsync and rename (all or nothing).

    The result is what ``open(path, "wb")`` would have left, but never half-written: a new file
    gets the permissions the umask allows (mkstemp's own 0600 would hide a results file from
    the rest of a shared machine), a replaced one keeps its own, and a symbolic link is written
    through, so the link stays and its target gets the new bytes.
    """
    path = writing_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = mode_for(path)
    temporary = None
    try:
        # Inside the try: a directory that refuses the temporary file is reported by path too.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{TEMPORARY_PREFIX}{path.name}.")
        os.chmod(temporary, mode)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as error:
        # A failed write on a descriptor names no file: name the one the user knows.
        raise OSError(error.errno, error.strerror, str(path)) from error
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
    _sync_directory(path.parent)


def writing_target(path):
    """The file a write to ``path`` lands in: ``path``, or the file its symbolic link(s) point to."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def mode_for(path):
    """Permission bits for a file about to replace ``path``: its own if it is a regular file, else
    those a new file gets from open() (0o666 less the umask)."""
    try:
        status = os.stat(path)
    except OSError:
        return 0o666 & ~_umask()
    return stat.S_IMODE(status.st_mode) if stat.S_ISREG(status.st_mode) else 0o666 & ~_umask()


def _umask():
    """The process's umask. The os module can only read it by setting it, so it is set straight
    back; gatedrnn creates files from one thread, so nothing else sees the moment between."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _sync_directory(directory):
    """Make a rename in ``directory`` durable; some filesystems refuse fsync on a directory."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def describe_os_error(error):
    """``error`` (an OSError) as one line: the path, what went wrong in words, no traceback."""
    problem = WRITE_PROBLEMS.get(error.errno, (error.strerror or str(error), None))[0]
    paths = " -> ".join(str(name) for name in (error.filename, error.filename2) if name is not None)
    return f"{paths}: {problem}" if paths else problem


def what_to_do(error):
    """The fix for a failed write (``free some space`` …), or a generic one."""
    return WRITE_PROBLEMS.get(error.errno, (None, "check the path and try again"))[1]


def check_output_directory(path, option="--out"):
    """GatedRNNError unless ``path`` is, or can be made as, a directory this process can write in.

    Checked before any work starts: a file in the way (``path`` itself or a parent) or a
    directory without write permission, or on a read-only filesystem, is one line naming the
    option to change. Nothing is created.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise GatedRNNError(f"{option} {path} is a file, not a directory; choose another {option}")
    _check_writable_ancestor(path, path, option)


def check_output_file(path, option="--results"):
    """GatedRNNError unless ``path`` names a file (not a directory) that can be written (atomically),
    in the directory a symbolic link's target is in if ``path`` is one."""
    path = Path(path)
    if path.is_dir():
        raise GatedRNNError(f"{option} {path} is a directory; name a file, e.g. {path / 'results.json'}")
    _check_writable_ancestor(writing_target(path).parent, path, option)


def _check_writable_ancestor(directory, path, option):
    """The nearest existing ancestor of ``directory`` (itself included) must be a writable directory.

    That is where the missing directories will be made, or the file's temporary copy written.
    """
    existing = next(p for p in (directory, *directory.parents) if p.exists() or p.is_symlink())
    if existing.is_symlink() and not existing.exists():  # a dangling link is no file either
        where = f"{option} {path}" if existing == path else f"{option} {path}: {existing}"
        raise GatedRNNError(
            f"{where} is a symbolic link to {os.readlink(existing)}, which does not exist; make that "
            f"directory or choose another {option}"
        )
    if not existing.is_dir():
        raise GatedRNNError(f"{option} {path}: {existing} is a file, not a directory; choose another {option}")
    if not os.access(existing, os.W_OK | os.X_OK):
        reason = "the filesystem is read-only" if _read_only(existing) else "permission denied"
        raise GatedRNNError(f"{option} {path}: cannot write in {existing} ({reason}); choose another {option}")


def _read_only(directory):
    try:
        return bool(os.statvfs(directory).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def describe_non_regular(mode):
    """What a path that is not a regular file is, in words, from its ``st_mode``."""
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def open_regular_file(path, what="file"):
    """Open ``path`` for binary reading, refusing anything but a regular file, without blocking.

    A FIFO would block the open (and then the read) for ever and a device such as /dev/zero
    never ends, so the file is opened with O_NONBLOCK and checked with fstat on the open
    descriptor (no window between check and use), then switched back to blocking reads.
    GatedRNNError "``what`` PATH does not exist / is a FIFO (named pipe) …; give a regular file".
    """
    path = Path(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise GatedRNNError(f"{what} {path} does not exist; check the path") from None
    except IsADirectoryError:
        raise GatedRNNError(f"{what} {path} is a directory; give a regular file") from None
    except OSError as error:
        raise GatedRNNError(f"cannot read {what} {path}: {describe_os_error(error)}") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise GatedRNNError(f"{what} {path} is {describe_non_regular(mode)}, not a regular file; give a regular file")
    if hasattr(os, "set_blocking"):
        os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "rb")


def check_regular_file(path, what="file"):
    """GatedRNNError unless ``path`` is an existing regular file (see :func:`open_regular_file`)."""
    open_regular_file(path, what).close()


def jsonable(value):
    """``value`` with NumPy scalars and arrays turned into Python ones and nan/±inf into None.

    NaN and infinity are not JSON, and a diverged run produces them.
    """
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    return value


def write_json(path, document):
    """Write ``document`` as indented JSON (non-finite numbers as null), atomically."""
    text = json.dumps(jsonable(document), indent=2, allow_nan=False) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


def timestamp():
    """The local time as ``YYYY-MM-DDTHH:MM:SS``, for result files."""
    return time.strftime("%Y-%m-%dT%H:%M:%S")


def machine_info():
    """Where a result was measured, and by which code and BLAS kernel (:mod:`gatedrnn.provenance`), for result files."""
    from .provenance import blas_libraries, code_version

    return dict(
        python=sys.version.split()[0],
        numpy=np.__version__,
        platform=platform.platform(),
        processor=platform.machine(),
        cpu_count=os.cpu_count(),
        blas=blas_libraries(),
        code=code_version(),
    )
