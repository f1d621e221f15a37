"""Progress that behaves in logs: a live bar on a terminal, nothing of the kind in a file.

A tqdm bar redraws itself with carriage returns, which a terminal shows as one line and a
log file keeps as hundreds of kilobytes of partial lines. So a bar is drawn only when
standard error is a terminal; otherwise long work reports through its own plain lines (the
Trainer prints one per log interval, with the rate and the time left for the whole run).
"""

import sys


def bar_wanted(progress=True):
    """Whether to draw a bar: ``progress`` allows it and standard error is a terminal."""
    if not progress:
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


def bar(iterable=None, total=None, desc=None, unit="it", progress=True, **options):
    """A tqdm bar over ``iterable`` (or counting to ``total``), disabled unless :func:`bar_wanted`.

    The rate and the time left are tqdm's.
    """
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit, disable=not bar_wanted(progress), **options)


def duration(seconds):
    """'42 s', '7 min', '3 h 05 min': a time left, at the precision a person reads it."""
    seconds = max(0.0, float(seconds))
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes:02d} min"
