"""Every command and snippet of the Korean guide (docs/ko/*.md) runs as written.

A ```python block is exec'd; a ```bash block is run command by command through
``gatedrnn.cli.main`` (each line split with shlex, its ``# comment`` dropped, the leading
``gatedrnn`` stripped), each must exit 0. Both run in a fresh directory (tmp_path), so the
files they write (runs/…, the book's .pkl) land there, and the commands of one block share it:
``eval`` finds the checkpoint the ``train`` before it wrote.

A block that reads the Penn Treebank is skipped without it (tests/helpers/ptb_data.py), with
``$GATEDRNN_DATA`` pointing at it otherwise, as the pages tell the reader to set it. A block
with a command that takes more than about 10 s is marked slow (SLOW_COMMANDS).
"""

import re
import shlex

import pytest
from helpers import ptb_data
from helpers.paths import REPO

from gatedrnn.cli import main
from gatedrnn.data.paths import DATA_ENV_VAR

KO_DOCS = REPO / "docs" / "ko"
BLOCK = re.compile(r"```(bash|python)\n(.*?)```", flags=re.S)
LINK = re.compile(r"\]\(([^)\s]+)\)")

# Commands (the words after `gatedrnn`) that take more than ~10 s, with the time measured on
# the shared 2-core machine for the forms the pages use.
SLOW_COMMANDS = {
    "train": "PTB: reads and scores the whole valid and test splits (24 s for 20,000 tokens)",
    "demo": "10 s for 50,000 characters",
    "lab gradient-flow": "17 s with the defaults, 7 s with --train-steps 50 (two in a block)",
    "lab long-range": "55 s for two lengths",
    "lab clipping": "7-10 s",
}
# Commands that read the Penn Treebank, unless given their own text.
PTB_COMMANDS = ("train", "eval", "generate")


def blocks():
    """(page name, block number on the page, language, code) for every block of every page."""
    found = []
    for page in sorted(KO_DOCS.glob("*.md")):
        for number, match in enumerate(BLOCK.finditer(page.read_text(encoding="utf-8")), start=1):
            found.append((page.name, number, match.group(1), match.group(2)))
    return found


def commands(code):
    """The argv of each command of a bash block, `gatedrnn` stripped; comments and blank lines dropped."""
    argvs = []
    for line in code.splitlines():
        words = shlex.split(line, comments=True)
        if words:
            assert words[0] == "gatedrnn", f"not a gatedrnn command: {line!r}"
            argvs.append(words[1:])
    return argvs


def is_slow(argv):
    if "--dry-run" in argv:
        return False
    return argv[0] in SLOW_COMMANDS or " ".join(argv[:2]) in SLOW_COMMANDS


def needs_ptb(language, code):
    if language == "python":
        return "ptb" in code.lower()
    return any(argv[0] in PTB_COMMANDS and "--dry-run" not in argv and "--text" not in argv for argv in commands(code))


def cases():
    params = []
    for page, number, language, code in blocks():
        marks = []
        if language == "bash" and any(is_slow(argv) for argv in commands(code)):
            marks.append(pytest.mark.slow)
        if needs_ptb(language, code):
            marks.append(ptb_data.needs_ptb)
        params.append(pytest.param(page, language, code, marks=marks, id=f"{page}-{number}-{language}"))
    return params


@pytest.fixture
def in_tmp_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(DATA_ENV_VAR, str(ptb_data.DATA_DIR))
    return tmp_path


@pytest.mark.parametrize("page, language, code", cases())
def test_block_runs_as_written(page, language, code, in_tmp_dir, capsys):
    if language == "python":
        exec(compile(code, str(KO_DOCS / page), "exec"), {"__name__": "docs_ko"})
        return
    for argv in commands(code):
        assert main(argv) == 0, f"{page}: gatedrnn {shlex.join(argv)} failed: {capsys.readouterr().err[-500:]}"


def test_every_page_has_something_to_run_and_the_index_lists_every_page():
    pages = sorted(page.name for page in KO_DOCS.glob("*.md"))
    assert "README.md" in pages and "chapter6.md" in pages
    index = (KO_DOCS / "README.md").read_text(encoding="utf-8")
    for page in pages:
        if page != "README.md":
            assert f"]({page})" in index, f"docs/ko/README.md does not link {page}"
    with_blocks = {page for page, _, _, _ in blocks()}
    assert with_blocks == set(pages) - {"README.md"}


def test_relative_links_resolve():
    for page in KO_DOCS.glob("*.md"):
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("#"):
                continue
            path = (page.parent / target.split("#")[0]).resolve()
            assert path.exists(), f"{page.name} links to {target}, which does not exist"


def test_the_slow_list_names_real_commands():
    """A command renamed in the CLI would otherwise silently stop being marked slow."""
    for command in SLOW_COMMANDS:
        with pytest.raises(SystemExit) as exit_info:
            main(command.split() + ["--help"])
        assert exit_info.value.code == 0
