"""``gatedrnn demo`` and ``gatedrnn toy``: first runs that need no data (gatedrnn.lm.demo, gatedrnn.lm.toy)."""
import inspect

from .lm import command_line


def run_demo(args):
    from ..lm import demo
    demo.run(out=args.out, chars=args.chars, epochs=args.epochs, seed=args.seed, results=args.results,
             progress=not args.no_progress, command=command_line(args))


def run_toy(args):
    from ..lm import toy
    toy.run(steps=args.steps, hidden_size=args.hidden_size, lr=args.lr, seed=args.seed)


def _defaults(function):
    return {name: p.default for name, p in inspect.signature(function).parameters.items()}


def add_parsers(commands):
    from ..lm import demo as demo_module, toy as toy_module
    defaults = _defaults(demo_module.run)
    demo = commands.add_parser(
        "demo", help="offline first run: a character-level LSTM learns to write Python (1–2 min)",
        description="Train a character-level LSTM on the Python standard library's own source files (no data "
                    "or network needed), printing samples as it learns, then a final sample, the held-out bits "
                    "per character, and where the checkpoint and loss plot were saved.")
    demo.add_argument("--out", default=defaults["out"],
                      help=f"run directory; a used one gets a -2, -3 … suffix (default: {defaults['out']})")
    demo.add_argument("--chars", type=int, default=defaults["chars"],
                      help=f"characters of source to read (default: {defaults['chars']:,})")
    demo.add_argument("--epochs", type=int, default=defaults["epochs"],
                      help=f"passes over the training text (default: {defaults['epochs']})")
    demo.add_argument("--seed", type=int, default=defaults["seed"], help=f"random seed (default: {defaults['seed']})")
    demo.add_argument("--results", help="also write the results JSON here")
    demo.add_argument("--no-progress", action="store_true", help="no progress bar")
    demo.set_defaults(handler=run_demo)

    defaults = _defaults(toy_module.run)
    toy = commands.add_parser("toy", help="train a small LSTM on a built-in sentence and watch the loss fall",
                              description="Train a small character-level LSTM on a built-in sentence (no data "
                                          "needed), printing the falling loss and a greedy continuation.")
    for name, help_text in (("steps", "training steps"), ("hidden_size", "LSTM units"), ("lr", "Adam learning rate"),
                            ("seed", "random seed")):
        toy.add_argument("--" + name.replace("_", "-"), type=type(defaults[name]), default=defaults[name],
                         help=f"{help_text} (default: {defaults[name]})")
    toy.set_defaults(handler=run_toy)
