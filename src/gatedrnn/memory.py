"""How much memory this process may use, so that a model too large for it is refused up front.

A model or a checkpoint whose size is read from a file or a command line must be measured
before it is built: allocating first turns a typo (``--hidden-size 100000``) or a crafted file
into a MemoryError minutes later, or into a machine that swaps until it dies. The figure is
the smaller of the physical memory and this process's address-space limit
(``ulimit -v``, ``resource.setrlimit(RLIMIT_AS)``) less what the process already maps, and
a container's memory limit (cgroup) where there is one.
"""

import os

_GIB = 1024**3


def physical_bytes():
    """The machine's physical memory in bytes, or None where the OS does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def available_bytes():
    """What this process may still allocate: physical memory, capped by a container's memory
    limit (cgroup) and by RLIMIT_AS, where they are set.

    None when none is known (then nothing is refused for its size).
    """
    known = [value for value in (physical_bytes(), _cgroup_limit(), _address_space_left()) if value is not None]
    return min(known) if known else None


def _cgroup_limit():
    """The memory limit of this process's container (cgroup v2 or v1), or None without one."""
    for name in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(name, encoding="ascii") as handle:
                text = handle.read().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:  # "max", or v1's near-2^63 "no limit"
            return int(text)
    return None


def _address_space_left():
    """RLIMIT_AS minus the address space already mapped, or None without a limit."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError, AttributeError):
        return None
    if soft == resource.RLIM_INFINITY:
        return None
    return max(soft - _mapped_bytes(), 0)


def _mapped_bytes():
    """The process's current virtual size (Linux /proc; 0 where unknown)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return 0


def describe_bytes(count):
    """'298 GiB', '1.5 GiB', '12 MiB', '900 bytes': a size for an error message."""
    for unit, size in (("TiB", 1024 * _GIB), ("GiB", _GIB), ("MiB", 1024**2), ("KiB", 1024)):
        if count >= size:
            value = count / size
            return f"{value:.3g} {unit}" if value < 10 else f"{value:,.0f} {unit}"
    return f"{count} bytes"


def describe_available(available):
    """'this machine has 24 GiB' or 'this process may use 1.4 GiB more' (under a limit)."""
    physical = physical_bytes()
    if physical is not None and available >= physical:
        return f"this machine has {describe_bytes(physical)}"
    return f"this process may allocate {describe_bytes(available)} more (its container's limit or ulimit -v)"
