"""The ``gatedrnn`` command: train, eval, generate, task, demo, toy, lab, export, import.

Every subcommand turns a GatedRNNError, or an OSError (a file that cannot be read or
written), into one line on stderr and exit status 2, so a user sees what went wrong and how
to fix it, never a traceback. Ctrl-C (130) and ``kill`` (SIGTERM, 143) unwind the command,
which removes its lock; a closed pipe (``| head``) ends it quietly (141). One module per subcommand family:
lm (train, eval, generate), seq (task), demo (demo, toy), lab, torch_files (export, import).
"""

from ..threads import let_blas_threads_sleep

# First, before anything loads NumPy: OpenBLAS reads this setting only when it is loaded.
let_blas_threads_sleep()

import argparse  # noqa: E402 (after the setting above, on purpose)
import io  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from contextlib import contextmanager  # noqa: E402

from .. import __version__  # noqa: E402
from ..errors import GatedRNNError  # noqa: E402
from . import demo, lab, lm, seq, torch_files  # noqa: E402


class _OneLineErrors(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (what was wrong, where to look), exit status 2,
    and an option must be spelled in full: with prefix matching ``eval --data DIR`` would be
    read silently as ``--data-dir DIR``, and a new option could change what old scripts mean."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}; see '{self.prog} --help'\n")


def build_parser(argv=()):
    """The whole command line; ``argv`` lets ``train --help`` show the named preset's values."""
    parser = _OneLineErrors(prog="gatedrnn", description="Recurrent networks from scratch on NumPy.")
    parser.add_argument("--version", action="version", version=f"gatedrnn {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    lm.add_parsers(commands, argv)
    seq.add_parser(commands)
    demo.add_parsers(commands)
    lab.add_parser(commands)
    torch_files.add_parsers(commands)
    for command in _leaf_parsers(commands):
        _add_thread_options(command)
    return parser


def _parse(parser, argv):
    """The arguments, with an unknown one refused by the parser of the command that was given
    (argparse leaves that to the top level, whose --help lists commands, not options)."""
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        _chosen_parser(parser, args).error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def _chosen_parser(parser, args):
    """The parser of the command ``args`` came from: a subcommand's, a task's or an experiment's."""
    while True:
        nested = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
        name = getattr(args, nested[0].dest, None) if nested else None
        if name is None:
            return parser
        parser = nested[0].choices[name]


def _leaf_parsers(subparsers):
    """Every parser that runs something: the subcommands, and the lab's experiments under ``lab``."""
    for parser in dict.fromkeys(subparsers.choices.values()):
        nested = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
        if nested:
            yield from _leaf_parsers(nested[0])
        else:
            yield parser


def _add_thread_options(parser):
    group = parser.add_argument_group("threads (default: chosen by timing, see docs/performance.md)")
    choice = group.add_mutually_exclusive_group()
    choice.add_argument(
        "--threads",
        type=int,
        metavar="N",
        help="always use N threads (BLAS and gatedrnn's own), as torch.set_num_threads",
    )
    choice.add_argument(
        "--deterministic",
        action="store_true",
        help="one thread throughout, so that a seed gives the same digits whatever the load "
        "(slower on an idle machine)",
    )


def _thread_settings(args):
    """The --threads / --deterministic choice, for the command's duration (gatedrnn.threads)."""
    from .. import threads

    if args.threads is not None:
        threads.check_thread_count(args.threads)
    return threads.settings(num_threads=args.threads, deterministic=args.deterministic)


class Terminated(KeyboardInterrupt):
    """``kill PID`` (SIGTERM): unwound as Ctrl-C is, so that every command removes its lock and
    whatever a new run wrote (train catches both itself, to save and say how to resume)."""


def _terminate(signum, frame):
    raise Terminated


@contextmanager
def _terminated_as_interrupted():
    """SIGTERM raises Terminated for the command's duration (in the main thread, where signals go)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _quiet_broken_pipe():
    """The reader of our output went away (``gatedrnn generate … | head``): as Unix tools do, stop
    without a word, and point stdout at /dev/null so that Python's last flush cannot complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):  # a stdout with no descriptor (tests)
        pass
    return 128 + signal.SIGPIPE


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parse(build_parser(argv), argv)
    args.command_line = argv
    try:
        with _terminated_as_interrupted(), _thread_settings(args):
            code = args.handler(args)
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except GatedRNNError as error:
        print(f"gatedrnn: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        # A file that cannot be read or written (disk full, read-only, permissions) is the
        # user's environment, not a bug: one line, as for any other mistake.
        from ..files import describe_os_error, what_to_do

        print(f"gatedrnn: error: {describe_os_error(error)}; {what_to_do(error)}", file=sys.stderr)
        return 2
    except Terminated:
        print("\ngatedrnn: terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        print("\ngatedrnn: interrupted", file=sys.stderr)
        return 130
    return code or 0


if __name__ == "__main__":
    sys.exit(main())
