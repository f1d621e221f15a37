"""The ``gatedrnn`` command: train, eval, generate, task, demo, toy, lab.

Every subcommand turns a GatedRNNError into one line on stderr and exit status 2, so a user
sees what went wrong and how to fix it, never a traceback. One module per subcommand family:
lm (train, eval, generate), seq (task), demo (demo, toy), lab.
"""
from ..threads import let_blas_threads_sleep

# First, before anything loads NumPy: OpenBLAS reads this setting only when it is loaded.
let_blas_threads_sleep()

import argparse  # noqa: E402 (after the setting above, on purpose)
import sys  # noqa: E402

from .. import __version__  # noqa: E402
from ..errors import GatedRNNError  # noqa: E402
from . import demo, lab, lm, seq  # noqa: E402


class _OneLineErrors(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (what was wrong, where to look), exit status 2."""

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
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    args.command_line = argv
    try:
        args.handler(args)
    except GatedRNNError as error:
        print(f"gatedrnn: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ngatedrnn: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
