"""Results files that keep every session's run side by side.

A speed figure from one session is one day's weather on a shared machine: the same command
gave rnnlm 1.70× PyTorch one day and 1.25× another. So the speed benchmarks do not overwrite
their results file: each run is appended to its ``sessions`` list, and ``across_sessions``
(recomputed by the benchmark from all of them) holds what the README quotes: the range over
every round of every session and each session's median.

    {"sessions": [{"finished": ..., "results": ...}, ...], "across_sessions": {...}}

A file written before sessions were kept (one run's document at the top level) is read as
one session. ``replace=True`` starts the file again, for when a change to the code or the
benchmark makes the earlier figures stale.
"""

import json
import statistics
from pathlib import Path


def earlier_sessions(path):
    """The sessions already in the results file ``path``: [] if there is none."""
    path = Path(path)
    if not path.exists():
        return []
    document = json.loads(path.read_text(encoding="utf-8"))
    return document["sessions"] if "sessions" in document else [document]


def write_sessions(path, session, summarise, replace=False):
    """Append ``session`` (one run's document) to the file's sessions and write it atomically,
    with ``across_sessions = summarise(sessions)``. Returns the document written."""
    from gatedrnn.files import write_json

    sessions = ([] if replace else earlier_sessions(path)) + [session]
    document = dict(sessions=sessions, across_sessions=summarise(sessions))
    write_json(path, document)
    return document


def spread(values):
    """{'median', 'min', 'max', 'count'} of a list of figures."""
    values = list(values)
    return dict(median=statistics.median(values), min=min(values), max=max(values), count=len(values))


def pooled(per_session):
    """Figures from several sessions, pooled: ``per_session`` is [(finished, [figure of each round])].

    Gives the range over every round of every session and each session's own median, so a
    reader sees both how far one day's rounds spread and how far the days differ."""
    every_round = [figure for _, rounds in per_session for figure in rounds]
    return dict(
        **spread(every_round),
        sessions=len(per_session),
        session_medians={finished: statistics.median(rounds) for finished, rounds in per_session},
    )


def pooled_by_key(figures):
    """{(key, figure): [(finished, rounds)]} → {key: {figure: pooled(...)}}, as across_sessions gives them."""
    summary = {}
    for (key, figure), per_session in figures.items():
        summary.setdefault(key, {})[figure] = pooled(per_session)
    return summary


REPLACE_FLAG = "--replace"
REPLACE_HELP = "start the results file again, dropping the sessions it holds (default: add this run to them)"
