"""``gatedrnn task TASK``: train on a synthetic task generated on the fly (gatedrnn.seq).

brackets and neighbours classify or tag padded sequences (run_task); addition and reversal
are sequence-to-sequence (run_transduction: an encoder–decoder trained with teacher
forcing, scored by exact match). Each task's options are its run function's parameters,
with its defaults (cli/options.py).
"""
from .options import add_signature_options, options_given

TAGGING_HELPS = dict(
    cell="the recurrent layer", bidirectional="read each sequence both ways",
    pooling="classification: the last real state, or the mean or max over real steps",
    hidden_size="units of the recurrent layer", epochs="passes over the training set", lr="Adam learning rate",
    batch_size="sequences per batch", train_count="training sequences", valid_count="validation sequences",
    test_count="test sequences", seed="random seed", progress="show a progress bar")
TRANSDUCTION_HELPS = dict(
    reverse_source="the encoder reads each source backwards", peeky="give the decoder the encoder's summary at "
    "every step, beside its input and its read-out", attention="let each output step look back over the "
    "encoder's states: dot, general (Luong) or additive (Bahdanau) scores (default: none)",
    input_feeding="feed each step's attention result into the decoder's next input (Luong's input feeding; "
                  "needs --attention)",
    bidirectional="the encoder reads the source both ways (its two directions summed)",
    cell="the recurrent layer of encoder and decoder",
    embedding_size="the width of each character's vector", hidden_size="units of encoder and decoder",
    epochs="passes over the training pairs", batch_size="pairs per batch", lr="Adam learning rate",
    clip="max global gradient norm", teacher_forcing="probability of feeding the decoder the true previous "
    "token in training (1: teacher forcing; below 1: scheduled sampling, else its own choice)",
    lr_decay="multiply the learning rate by this after every epoch from --decay-after on (1: constant, as in "
             "the book)",
    decay_after="the epochs run at the full learning rate before --lr-decay starts", train_count="training pairs (default: the task's; addition: the book's 45,000)",
    test_count="test pairs (default: the task's; addition: 5,000)",
    beam_width="also score the final model by beam search of this width (1: greedy only)",
    seed="random seed (data, weights and order)",
    progress="show a progress bar")
DESCRIPTIONS = dict(
    brackets="Is a string of ( and ) balanced? Many-to-one, padded variable-length batches.",
    neighbours="Tag each digit 1 when its right neighbour is larger than its left one: many-to-many, needs "
               "context from both sides.",
    addition="The book's chapter 7 task: '57+689' padded to 7 characters → '746', an encoder–decoder trained "
             "with teacher forcing and scored by exact match of its greedy answer (defaults: the book's sizes).",
    reversal="A string of letters → the same string backwards, an encoder–decoder ending its output with <eos>.",
    copy="A string of letters (3 to 20) → the same string: the whole source has to pass through the encoder.",
    dates="A date written one of eight ways ('September 27, 1994', '9/27/94', …) → '1994-09-27'.",
    numbers="One-to-many: a number n < 1000 given as three digit classes → its English words ('three hundred "
            "forty-two'), written by a decoder started from one vector; test numbers are never seen in training.")


def run(args):
    from ..files import machine_info, timestamp, write_json
    from ..lm.run_files import check_results_file
    if args.results:   # before training, not after it
        check_results_file(args.results)
    result = args.run_function(task=args.task_name, **options_given(args))
    if args.results:
        write_json(args.results, {**result, "finished": timestamp(), "machine": machine_info()})


def add_parser(commands):
    from ..layers import RECURRENT_LAYERS
    from ..seq import TASKS, run_task
    from ..seq.models import POOLINGS
    from ..layers.attention import SCORES
    from ..seq.seq2seq_training import run_transduction
    from ..seq.transduction_tasks import TRANSDUCTION_TASKS
    task = commands.add_parser(
        "task", help="train on a synthetic task: classify, tag, or transduce sequences (variable lengths)",
        description="Generate a synthetic task and train on it: brackets (many-to-one), neighbours (aligned "
                    "many-to-many), addition, reversal, copy and dates (encoder–decoder), numbers (one-to-many). "
                    "`gatedrnn task TASK --help` lists "
                    "that task's options.")
    tasks = task.add_subparsers(dest="task_name", metavar="TASK")
    tasks.required = True
    cells = list(RECURRENT_LAYERS)
    for name in TASKS:
        parser = tasks.add_parser(name, help=DESCRIPTIONS[name], description=DESCRIPTIONS[name])
        names = add_signature_options(parser, run_task, TAGGING_HELPS, exclude=("task", "echo"),
                                      choices=dict(cell=cells, pooling=POOLINGS))
        _finish(parser, names, run_task)
    for name in TRANSDUCTION_TASKS:
        parser = tasks.add_parser(name, help=DESCRIPTIONS[name], description=DESCRIPTIONS[name])
        names = add_signature_options(parser, run_transduction, TRANSDUCTION_HELPS, exclude=("task", "echo", "keep_model"),
                                      choices=dict(cell=cells, attention=list(SCORES)),
                                      settings=dict(train_count=dict(type=int), test_count=dict(type=int)))
        _finish(parser, names, run_transduction)


def _finish(parser, names, function):
    parser.add_argument("--results", help="write the results JSON here")
    parser.set_defaults(handler=run, option_names=names, run_function=function)
