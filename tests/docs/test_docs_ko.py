"""Every command and snippet of the Korean guide (docs/ko/*.md) runs as written.

A ```python block is exec'd; a ```bash block is run command by command through
``gatedrnn.cli.main`` (each line split with shlex, its ``# comment`` dropped, the leading
``gatedrnn`` stripped), each must exit 0. Both run in a fresh directory (tmp_path), so the
files they write (runs/…, the book's .pkl) land there, and the commands of one block share it:
``eval`` finds the checkpoint the ``train`` before it wrote.

A block that reads the Penn Treebank is skipped without it (tests/helpers/ptb_data.py), with
``$GATEDRNN_DATA`` pointing at it otherwise, as the pages tell the reader to set it. A block
with a command that takes more than about 10 s is marked slow (SLOW_COMMANDS).

A command quoted in a sentence (`gatedrnn train --preset better-rnnlm --time-limit 170`) is
not run, since some take hours, but must parse with the CLI's own parser, and a quoted
script must exist and accept its options. The pages use the glossary's terms
(AVOIDED_TERMS), and the glossary closes docs/ko/README.md.
"""

import re
import shlex
import subprocess
import sys

import pytest
from helpers import ptb_data
from helpers.doc_commands import cli_options, is_placeholder
from helpers.paths import REPO

from gatedrnn.cli import build_parser, main
from gatedrnn.data.paths import DATA_ENV_VAR

KO_DOCS = REPO / "docs" / "ko"
BLOCK = re.compile(r"```(bash|python)\n(.*?)```", flags=re.S)
LINK = re.compile(r"\]\(([^)\s]+)\)")

# Commands (the words after `gatedrnn`) that take more than ~10 s, with the time measured on
# the shared 2-core machine for the forms the pages use.
SLOW_COMMANDS = {
    "train": "PTB: reads and scores the whole valid and test splits (24 s for 20,000 tokens)",
    "demo": "10 s for 50,000 characters",
    "toy": "2 s on one thread, 14 s on two beside the benchmarks",
    "lab gradient-flow": "17 s with the defaults, 7 s with --train-steps 50 (two in a block)",
    "lab long-range": "55 s for two lengths",
    "lab clipping": "7-10 s",
    "lab init": "4 s on one thread, 30 s on two beside the benchmarks",
}
# Commands that read the Penn Treebank, unless given their own text.
PTB_COMMANDS = ("train", "eval", "generate")
# Spellings the pages avoid → the glossary's term (docs/ko/README.md, 용어집), after the Korean
# edition of the book (밑바닥부터 시작하는 딥러닝 2, 한빛미디어) where it has one.
AVOIDED_TERMS = {
    "원-핫": "원핫",
    "걸음": "시각 (time step) or 스텝 (training step)",
    "윈도": "블록 (Truncated BPTT)",
    "기울기 검사": "기울기 확인",
    "그래디언트": "기울기",
    "그레이디언트": "기울기",
    "레이어": "계층",
    "셀 상태": "기억 셀",
    "기억 세포": "기억 셀",
    "Xavier 초기화": "Xavier 초깃값",
    "He 초기화": "He 초깃값",
    "학습율": "학습률",
    "퍼플렉시티": "퍼플렉서티",
    "코퍼스": "말뭉치",
    "티처 포싱": "교사 강요",
    "에포크": "에폭",
    "파라미터": "매개변수",
    "타임스텝": "시각",
    "주의 메커니즘": "어텐션",
    "모양": "형상 (an array's shape) or 형태 (a task's)",
}
GLOSSARY_HEADING = "## 용어집"
# A command quoted in the prose (`gatedrnn …`, `python …`), as opposed to a ```bash block.
INLINE_COMMAND = re.compile(r"`((?:nice )?(?:gatedrnn|python) [^`]+)`")
# Inline spans that name a command or an option in passing rather than give one to run.
INLINE_REFERENCES = {"gatedrnn task", "gatedrnn lab", "gatedrnn eval", "gatedrnn generate", "gatedrnn generate --stop"}
# Options of the quoted scripts that the prose names on their own (benchmarks/char_rnn_exercise.py).
SCRIPT_OPTIONS = {"--only"}
# Scripts the prose quotes that take minutes and read no --help (only their existence is checked).
SCRIPTS_WITHOUT_HELP = {"examples/memorize_paragraph.py"}


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


def inline_commands():
    """(page name, words) for every command quoted in the prose of every page, `nice` dropped."""
    found = []
    for page in sorted(KO_DOCS.glob("*.md")):
        prose = BLOCK.sub("", page.read_text(encoding="utf-8"))
        for span in INLINE_COMMAND.findall(prose):
            words = shlex.split(span)
            found.append((page.name, words[1:] if words[0] == "nice" else words))
    return found


def test_inline_gatedrnn_commands_parse():
    """A command quoted in a sentence is not run (some take hours), but its options must exist."""
    checked = 0
    for page, words in inline_commands():
        if words[0] != "gatedrnn" or " ".join(words) in INLINE_REFERENCES or any(map(is_placeholder, words)):
            continue
        argv = words[1:]
        try:
            build_parser(argv).parse_args(argv)
        except SystemExit as exit_info:
            raise AssertionError(f"{page}: `gatedrnn {shlex.join(argv)}` does not parse") from exit_info
        checked += 1
    assert checked >= 5


def test_inline_python_scripts_exist_and_take_their_options():
    scripts = {}
    for page, words in inline_commands():
        if words[0] == "python":
            scripts.setdefault(words[1], set()).update(word for word in words[2:] if not is_placeholder(word))
            assert (REPO / words[1]).is_file(), f"{page} quotes {words[1]}, which does not exist"
    assert scripts
    for script, words in scripts.items():
        if script in SCRIPTS_WITHOUT_HELP:
            continue
        done = subprocess.run(
            [sys.executable, script, "--help"], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, f"python {script} --help failed: {done.stderr[-300:]}"
        for word in words:
            if not word.lstrip("-").isdigit():
                assert word in done.stdout, f"the docs give {script} {word!r}, which its --help does not list"


def test_options_named_in_the_prose_exist():
    """`--option` in a sentence (not in a block) names an option of the CLI or of a quoted script."""
    known = cli_options(build_parser()) | SCRIPT_OPTIONS
    for page in sorted(KO_DOCS.glob("*.md")):
        prose = BLOCK.sub("", page.read_text(encoding="utf-8"))
        for option in re.findall(r"`(--[a-z][a-z-]*)", prose):
            assert option in known, f"docs/ko/{page.name} names {option}, which no gatedrnn command has"


def test_pages_use_the_glossary_terms():
    """One term per idea across the pages: the glossary's, never a variant spelling."""
    for page in sorted(KO_DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for avoided, preferred in AVOIDED_TERMS.items():
            line = next((n for n, words in enumerate(text.splitlines(), start=1) if avoided in words), None)
            assert line is None, f"docs/ko/{page.name}:{line} writes {avoided!r}; the glossary's term is {preferred}"


def test_the_glossary_is_at_the_end_of_the_index_and_holds_the_preferred_terms():
    index = (KO_DOCS / "README.md").read_text(encoding="utf-8")
    assert GLOSSARY_HEADING in index, "docs/ko/README.md has no glossary section"
    glossary = index.split(GLOSSARY_HEADING, 1)[1]
    assert "\n## " not in glossary, "the glossary must be the index's last section"
    rows = [line for line in glossary.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows and rows[0].startswith("| 한국어 | 영어 |"), "the glossary's columns: 한국어, 영어, 쓰인 곳"
    korean = " ".join(row.split("|")[1] for row in rows[1:])
    for preferred in ("원핫", "시각", "스텝", "블록", "기울기 확인", "계층", "기억 셀", "Xavier 초깃값", "He 초깃값"):
        assert preferred in korean, f"the glossary has no row for {preferred!r}"
    for preferred in ("학습률", "퍼플렉서티", "말뭉치", "교사 강요", "에폭", "매개변수", "어텐션"):
        assert preferred in korean, f"the glossary has no row for {preferred!r}"


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
