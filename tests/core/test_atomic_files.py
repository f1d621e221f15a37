"""Atomic writes leave what ``open(path, "wb")`` would have left: the umask's permissions on a new
file, a replaced file's own permissions, a symbolic link kept and its target written."""

import os
import stat

import pytest

from gatedrnn.cli import main
from gatedrnn.files import atomic_write_bytes, write_json


@pytest.fixture
def umask_027():
    previous = os.umask(0o027)
    yield
    os.umask(previous)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_file_gets_the_umask_s_permissions_not_mkstemp_s(tmp_path, umask_027):
    # mkstemp makes 0600: a results file nobody else on a shared server could read
    atomic_write_bytes(tmp_path / "new.bin", b"x")
    with open(tmp_path / "plain.bin", "wb") as out:
        out.write(b"x")
    assert mode(tmp_path / "new.bin") == mode(tmp_path / "plain.bin") == 0o640


def test_a_replaced_file_keeps_its_own_permissions(tmp_path, umask_027):
    target = tmp_path / "shared.json"
    target.write_text("{}")
    os.chmod(target, 0o664)
    write_json(target, {"a": 1})
    assert mode(target) == 0o664 and target.read_text() == '{\n  "a": 1\n}\n'


def test_a_symbolic_link_is_written_through_and_kept(tmp_path):
    # the rename used to put a regular file in the link's place, leaving its target stale
    target, link = tmp_path / "store" / "results.json", tmp_path / "latest.json"
    target.parent.mkdir()
    target.write_text("old")
    link.symlink_to(target)
    atomic_write_bytes(link, b"new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["results.json"]  # no temporary left


def test_a_dangling_link_makes_its_target(tmp_path):
    link = tmp_path / "link.bin"
    link.symlink_to(tmp_path / "made.bin")
    atomic_write_bytes(link, b"abc")
    assert link.is_symlink() and (tmp_path / "made.bin").read_bytes() == b"abc"


TINY_TASK = ["task", "reversal", "--hidden-size", "8", "--embedding-size", "4", "--train-count", "40"]
TINY_TASK += ["--test-count", "4", "--epochs", "1", "--no-progress"]


def test_a_command_s_results_file_is_readable_by_the_group_as_the_umask_says(tmp_path, umask_027):
    results = tmp_path / "copy.json"
    assert main([*TINY_TASK, "--results", str(results)]) == 0
    assert mode(results) == 0o640


def test_a_command_writes_through_a_dangling_link_as_the_shell_would(tmp_path):
    # refused as "does not exist" before: the link was looked at, not where it leads
    link = tmp_path / "latest.json"
    link.symlink_to(tmp_path / "runs" / "today.json")
    assert main([*TINY_TASK, "--results", str(link)]) == 0
    assert link.is_symlink() and '"test_exact_match"' in (tmp_path / "runs" / "today.json").read_text()


def test_a_link_leading_through_a_file_is_refused_before_training(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    link = tmp_path / "latest.json"
    link.symlink_to(tmp_path / "notes.txt" / "today.json")
    assert main([*TINY_TASK, "--results", str(link)]) == 2
    err = capsys.readouterr().err
    assert "notes.txt is a file, not a directory; choose another --results" in err and "epoch" not in err
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_link_to_a_file_gatedrnn_did_not_write_is_refused(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    link = tmp_path / "latest.json"
    link.symlink_to(tmp_path / "notes.txt")
    assert main([*TINY_TASK, "--results", str(link)]) == 2
    assert "exists and is not a gatedrnn results file" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "mine"
