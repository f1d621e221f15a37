"""The commands the English pages give (README.md, CONTRIBUTING.md, docs/*.md) are the CLI's and
the scripts' as they are now.

The Korean guide's commands are run by test_docs_ko.py. These pages' are not run (a PTB recipe
takes hours), but every ``gatedrnn`` command in a ```bash block or quoted in a sentence must
parse with the CLI's own parser, every ``python script.py`` must exist and list the options the
page gives it in its ``--help``, and every ``--option`` named in a sentence must belong to the
CLI or to a script the pages quote. An option renamed without its pages fails here.
"""

import functools
import re
import shlex
import subprocess
import sys

import pytest
from helpers.doc_commands import cli_options, is_placeholder
from helpers.paths import REPO

from gatedrnn.cli import build_parser

PAGES = [REPO / "README.md", REPO / "CONTRIBUTING.md", *sorted((REPO / "docs").glob("*.md"))]
BLOCK = re.compile(r"```(\w*)\n(.*?)```", flags=re.S)
# `gatedrnn …` or `python …` in a sentence, after any VAR=value settings and `nice -n N`.
INLINE_COMMAND = re.compile(r"`((?:[A-Z_]+=\S+ )*(?:nice (?:-n \d+ )?)?(?:gatedrnn|python) [^`]+)`")
# Spans that name a command or an option in passing, its arguments left to the sentence.
REFERENCES = {
    "gatedrnn task",
    "gatedrnn eval",
    "gatedrnn export",
    "gatedrnn generate",
    "gatedrnn generate --stop",
    "gatedrnn lab cells",
    "gatedrnn train --preset",
    "gatedrnn task brackets --pooling",
}


def page_id(page):
    return str(page.relative_to(REPO))


def commands(text):
    """The words of each command in a piece of shell: ``\\`` continuations joined, ``&&`` split,
    comments, VAR=value settings and ``nice -n N`` dropped."""
    found = []
    for line in text.replace("\\\n", " ").splitlines():
        for part in line.split(" && "):
            words = shlex.split(part, comments=True)
            while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
                words = words[1:]
            if words[:1] == ["nice"]:
                words = words[3:] if words[1:2] == ["-n"] else words[1:]
            if words:
                found.append(words)
    return found


def page_commands(page):
    """(where, words) of every command in the page's shell blocks and in its sentences."""
    text = page.read_text(encoding="utf-8")
    found = [
        ("block", words)
        for language, code in BLOCK.findall(text)
        if language in ("bash", "sh")
        for words in commands(code)
    ]
    prose = BLOCK.sub("", text)
    spans = [" ".join(span.split()) for span in INLINE_COMMAND.findall(prose)]  # a span may wrap a line
    found += [("sentence", words) for span in spans for words in commands(span)]
    return found


def parse_error(argv):
    """None if the CLI's parser takes ``argv`` (``--help`` and ``--version`` included), else
    its exit status (the message is on stderr, which the caller reads)."""
    try:
        build_parser(argv).parse_args(argv)
    except SystemExit as exit_info:
        return None if exit_info.code == 0 else f"exit status {exit_info.code}"
    return None


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_gatedrnn_command_parses(page, capsys):
    failures = []
    for where, words in page_commands(page):
        if words[0] != "gatedrnn" or " ".join(words) in REFERENCES or any(map(is_placeholder, words)):
            continue
        if parse_error(words[1:]) is not None:
            failures.append(f"({where}) `{shlex.join(words)}`: {capsys.readouterr().err.strip()}")
    assert not failures, f"{page_id(page)}: commands that do not parse:\n" + "\n".join(failures)


def quoted_scripts():
    """{script path: the options the pages give it} for every `python path.py` on the pages."""
    scripts = {}
    for page in PAGES:
        for _, words in page_commands(page):
            if words[0] in ("python", "python3") and len(words) > 1 and words[1].endswith(".py"):
                options = {word.split("=")[0] for word in words[2:] if word.startswith("--")}
                scripts.setdefault(words[1], set()).update(options)
    return scripts


def takes_options(script):
    """Whether the script reads a command line at all: one without an ArgumentParser would run,
    not print help, when given --help (examples/train_from_python.py trains for minutes)."""
    return "ArgumentParser(" in (REPO / script).read_text(encoding="utf-8")


@functools.cache
def help_of(script):
    done = subprocess.run(
        [sys.executable, script, "--help"], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"python {script} --help failed: {done.stderr[-300:]}"
    return done.stdout


# A script the pages quote by a name that is not a file here: the reader's own.
READERS_SCRIPTS = {"train.py"}


def test_every_quoted_script_exists_and_takes_the_options_given():
    scripts = quoted_scripts()
    assert len(scripts) >= 10
    for script, options in scripts.items():
        if script in READERS_SCRIPTS:
            continue
        assert (REPO / script).is_file(), f"the pages quote {script}, which does not exist"
        if not takes_options(script):
            assert not options, f"the pages give {script} {sorted(options)}, but it reads no command line"
            continue
        for option in options:
            assert option in help_of(script), f"the pages give {script} {option}, which its --help does not list"


def test_options_named_in_sentences_exist():
    """`--option` in a sentence names an option of the CLI or of a script the pages quote."""
    known = cli_options(build_parser())
    scripts = [script for script in quoted_scripts() if script not in READERS_SCRIPTS and takes_options(script)]
    for page in PAGES:
        prose = BLOCK.sub("", page.read_text(encoding="utf-8"))
        for option in set(re.findall(r"`(--[a-z][a-z0-9_-]*)", prose)) - known:
            assert any(option in help_of(script) for script in scripts), (
                f"{page_id(page)} names {option}, which no gatedrnn command or quoted script has"
            )
