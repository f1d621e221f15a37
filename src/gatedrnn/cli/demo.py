"""``gatedrnn demo`` and ``gatedrnn toy``: first runs that need no data (gatedrnn.lm.demo, gatedrnn.lm.toy).

The options are the parameters of demo.run() and toy.run(), with their defaults (cli/options.py).
"""

from .lm import command_line
from .options import add_signature_options, options_given

DEMO_HELPS = dict(
    out="run directory; a used one gets a -2, -3 … suffix",
    chars="characters of source to read",
    epochs="passes over the training text",
    seed="random seed",
    results="also write the results JSON here",
    progress="show a progress bar",
    sample_every="steps between printed samples",
)
TOY_HELPS = dict(
    steps="training steps",
    hidden_size="LSTM units",
    lr="Adam learning rate",
    seed="random seed",
    report_every="steps between printed losses",
)


def run_demo(args):
    from ..lm import demo

    demo.run(**options_given(args), command=command_line(args))


def run_toy(args):
    from ..lm import toy

    toy.run(**options_given(args))


def add_parsers(commands):
    from ..lm import demo as demo_module
    from ..lm import toy as toy_module

    demo = commands.add_parser(
        "demo",
        help="offline first run: a character-level LSTM learns to write Python (1–2 min)",
        description="Train a character-level LSTM on the Python standard library's own source files (no data "
        "or network needed), printing samples as it learns, then a final sample, the held-out bits "
        "per character, and where the checkpoint and loss plot were saved.",
    )
    names = add_signature_options(demo, demo_module.run, DEMO_HELPS, exclude=("command",))
    demo.set_defaults(handler=run_demo, option_names=names)

    toy = commands.add_parser(
        "toy",
        help="train a small LSTM on a built-in sentence and watch the loss fall",
        description="Train a small character-level LSTM on a built-in sentence (no data "
        "needed), printing the falling loss and a greedy continuation.",
    )
    names = add_signature_options(toy, toy_module.run, TOY_HELPS, exclude=("echo",))
    toy.set_defaults(handler=run_toy, option_names=names)
