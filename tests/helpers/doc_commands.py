"""Reading the commands a page gives: the CLI's options, and the words a reader replaces."""

import argparse


def cli_options(parser):
    """Every option string of the parser and of all its subcommands (lab's experiments included)."""
    found = set()
    for action in parser._actions:
        found.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                found |= cli_options(subparser)
    return found


def is_placeholder(word):
    """A word the reader replaces: Korean (과제, 분), capitals (CKPT, DIR), an ellipsis, or a
    choice shown as ``a|b`` or ``[--option value]``."""
    korean = any("\uac00" <= char <= "\ud7a3" for char in word)
    elided = "…" in word or "..." in word
    return korean or elided or (word.isupper() and word.isalpha()) or "|" in word or word.startswith("[")
