"""``gatedrnn task``: classify or tag synthetic sequences with padded batches (gatedrnn.seq)."""
import inspect


def run(args):
    from ..files import machine_info, timestamp, write_json
    from ..seq import run_task
    options = {name: getattr(args, name) for name in inspect.signature(run_task).parameters
               if name not in ("echo", "progress")}
    result = run_task(**options, progress=not args.no_progress)
    if args.results:
        write_json(args.results, {**result, "finished": timestamp(), "machine": machine_info()})


def add_parser(commands):
    from ..layers import RECURRENT_LAYERS
    from ..seq import TASKS, run_task
    from ..seq.models import POOLINGS
    defaults = {name: p.default for name, p in inspect.signature(run_task).parameters.items()}
    task = commands.add_parser(
        "task", help="classify or tag synthetic sequences (variable lengths, one- or two-way)",
        description="Generate a synthetic task and train on it with padded, variable-length batches: brackets "
                    "(is the string balanced? many-to-one) or neighbours (tag each digit 1 when its right neighbour is "
                    "larger than its left one: needs context from both sides).")
    task.add_argument("task", choices=list(TASKS))
    task.add_argument("--cell", default=defaults["cell"], choices=list(RECURRENT_LAYERS),
                      help=f"the recurrent layer (default: {defaults['cell']})")
    task.add_argument("--bidirectional", action="store_true", help="read each sequence both ways")
    task.add_argument("--pooling", default=defaults["pooling"], choices=POOLINGS,
                      help=f"classification: last real state, or mean/max over real steps (default: {defaults['pooling']})")
    for name, help_text in (("hidden_size", "units of the recurrent layer"), ("epochs", "passes over the training set"),
                            ("lr", "Adam learning rate"), ("batch_size", "sequences per batch"),
                            ("train_count", "training sequences"), ("valid_count", "validation sequences"),
                            ("test_count", "test sequences"), ("seed", "random seed")):
        task.add_argument("--" + name.replace("_", "-"), type=type(defaults[name]), default=defaults[name],
                          help=f"{help_text} (default: {defaults[name]})")
    task.add_argument("--results", help="write the results JSON here")
    task.add_argument("--no-progress", action="store_true", help="no progress bar")
    task.set_defaults(handler=run)
