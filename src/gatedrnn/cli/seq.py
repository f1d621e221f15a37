"""``gatedrnn task``: classify or tag synthetic sequences with padded batches (gatedrnn.seq).

The options are run_task()'s parameters, with its defaults (cli/options.py).
"""
from .options import add_signature_options, options_given

HELPS = dict(
    task="the task: brackets (is the string balanced? many-to-one) or neighbours (tag each digit 1 when its "
         "right neighbour is larger than its left one: needs context from both sides)",
    cell="the recurrent layer", bidirectional="read each sequence both ways",
    pooling="classification: the last real state, or the mean or max over real steps",
    hidden_size="units of the recurrent layer", epochs="passes over the training set", lr="Adam learning rate",
    batch_size="sequences per batch", train_count="training sequences", valid_count="validation sequences",
    test_count="test sequences", seed="random seed", progress="show a progress bar")


def run(args):
    from ..files import machine_info, timestamp, write_json
    from ..lm.run_files import check_results_file
    from ..seq import run_task
    if args.results:   # before training, not after it
        check_results_file(args.results)
    result = run_task(**options_given(args))
    if args.results:
        write_json(args.results, {**result, "finished": timestamp(), "machine": machine_info()})


def add_parser(commands):
    from ..layers import RECURRENT_LAYERS
    from ..seq import TASKS, run_task
    from ..seq.models import POOLINGS
    task = commands.add_parser(
        "task", help="classify or tag synthetic sequences (variable lengths, one- or two-way)",
        description="Generate a synthetic task and train on it with padded, variable-length batches: brackets "
                    "(is the string balanced? many-to-one) or neighbours (tag each digit 1 when its right neighbour is "
                    "larger than its left one: needs context from both sides).")
    names = add_signature_options(task, run_task, HELPS, exclude=("echo",),
                                  choices=dict(task=list(TASKS), cell=list(RECURRENT_LAYERS), pooling=POOLINGS))
    task.add_argument("--results", help="write the results JSON here")
    task.set_defaults(handler=run, option_names=names)
