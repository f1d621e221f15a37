"""benchmarks/sessions.py: a speed benchmark adds its run beside the earlier sessions', never over them."""

import json

import pytest
from helpers.paths import REPO, load_script


@pytest.fixture(scope="module")
def sessions():
    return load_script(REPO / "benchmarks" / "sessions.py", "benchmark_sessions")


def count_sessions(sessions_list):
    return {"count": len(sessions_list)}


def test_a_run_is_added_beside_the_earlier_ones(sessions, tmp_path):
    path = tmp_path / "speed.json"
    sessions.write_sessions(path, {"finished": "day 1", "figure": 1.7}, count_sessions)
    document = sessions.write_sessions(path, {"finished": "day 2", "figure": 1.25}, count_sessions)
    assert [s["finished"] for s in document["sessions"]] == ["day 1", "day 2"]
    assert document["across_sessions"] == {"count": 2}
    assert json.loads(path.read_text()) == document


def test_a_file_from_before_sessions_is_read_as_one_session(sessions, tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"finished": "day 1", "results": [1, 2]}))
    assert sessions.earlier_sessions(path) == [{"finished": "day 1", "results": [1, 2]}]
    document = sessions.write_sessions(path, {"finished": "day 2", "results": [3]}, count_sessions)
    assert [s["finished"] for s in document["sessions"]] == ["day 1", "day 2"]


def test_replace_starts_the_file_again(sessions, tmp_path):
    path = tmp_path / "speed.json"
    sessions.write_sessions(path, {"finished": "day 1"}, count_sessions)
    document = sessions.write_sessions(path, {"finished": "day 2"}, count_sessions, replace=True)
    assert [s["finished"] for s in document["sessions"]] == ["day 2"]


def test_pooled_gives_the_range_of_every_round_and_each_sessions_median(sessions):
    figures = sessions.pooled([("day 1", [1.5, 1.7, 1.8]), ("day 2", [1.0, 1.25, 1.3])])
    assert (figures["min"], figures["max"], figures["count"], figures["sessions"]) == (1.0, 1.8, 6, 2)
    assert figures["median"] == pytest.approx(1.4)
    assert figures["session_medians"] == {"day 1": 1.7, "day 2": 1.25}


@pytest.mark.parametrize("name", ["train_speed", "engines", "demo_load", "adaptive_softmax"])
def test_the_committed_speed_files_keep_sessions(name):
    document = json.loads((REPO / "benchmarks" / "results" / f"{name}.json").read_text(encoding="utf-8"))
    assert document["sessions"], name
    assert all("finished" in session and "machine" in session for session in document["sessions"])
    assert document["across_sessions"]
