"""Tom and Mary: the long dependency of the book's chapter 6, as a generated corpus.

    Tom was watching TV in the room . Mary came into the room . [filler] Mary said hi to ___

The blank is Tom: to fill it, a model has to keep the first name in its hidden state across
everything that follows, and the gradient that teaches it to do so has to travel back from
the blank to "Tom" through every token between. Each sentence here is made from

* an opening of 8 tokens, "{A} was watching TV in the room ." or one of two others of the
  same length, with A one of :data:`NAMES`;
* an arrival of 6 tokens, "{B} came into the room ." (or "walked"), B another name;
* a filler of exactly ``gap`` tokens, short clauses drawn at random ("it was raining
  outside .", "the clock ticked .", "then" …) that mention no name;
* "{B} said hi to", after which the model answers with a name.

So the answer A lies ``gap`` + 18 tokens before the blank (:func:`distance`), and the speaker
B is named twice, once right before the blank, as a wrong answer to tempt a model that
remembers only the recent past. Knowing nothing scores 1/8; knowing only that the answer is
not B, 1/7.

A model reads the one-hot tokens and answers from its last hidden state (a
:class:`~gatedrnn.lab.models.LastStepModel`), trained with Adam on fresh sentences (so there
is no training set to memorise) until a held-out batch is solved (accuracy ≥ 0.95) or the
steps run out, then scored on ``test_count`` new sentences, for each gap.
"""

import time
from dataclasses import dataclass

import numpy as np

from ..errors import GatedRNNError, is_whole_number, signature_defaults
from ..figures import pyplot, save_figure
from ..rng import check_seed
from ..training import check_clip
from .checks import check_counts, check_fits, check_positive, sequence_pass_bytes
from .gradient_flow import profile
from .models import LastStepModel, check_cell_kinds, check_gate_init
from .training import score, train_on_task

NAMES = ("Tom", "Mary", "John", "Anna", "Paul", "Lisa", "Mark", "Emma")
OPENINGS = (
    "{A} was watching TV in the room .",
    "{A} was reading a book in bed .",
    "{A} was sitting on the old sofa .",
)
ARRIVALS = ("{B} came into the room .", "{B} walked into the room .")
FILLERS = (
    "it was raining outside .",
    "the clock on the wall ticked .",
    "a dog barked far away .",
    "the phone rang twice .",
    "nobody said anything for a while .",
    "time passed .",
    "the TV was loud .",
    "then",
    "later",
    "slowly",
)
QUESTION = "{B} said hi to"
PROMPT_TOKENS = 8 + 6 + 4  # opening, arrival and question: the tokens besides the filler
DEFAULT_GAPS = (0, 40, 80)
DEFAULT_MODELS = ("rnn-tanh", "lstm")
EVAL_COUNT = 256  # sentences scored to decide when a run has solved the task
PROBE_COUNT = 32  # sentences the untrained gradient's reach is averaged over


def _words():
    words = {word for text in OPENINGS + ARRIVALS + FILLERS + (QUESTION,) for word in text.split()}
    return list(NAMES) + sorted(words - {"{A}", "{B}"})


VOCABULARY = tuple(_words())  # the names first, so a name's id is its class
WORD_IDS = {word: index for index, word in enumerate(VOCABULARY)}


def distance(gap):
    """Tokens from the first name (the answer) to the blank: the span the gradient must cross."""
    return int(gap) + PROMPT_TOKENS


def filler(gap, generator):
    """``gap`` words of filler clauses; one-word clauses make every length reachable."""
    words = []
    while len(words) < gap:
        fitting = [clause.split() for clause in FILLERS if len(clause.split()) <= gap - len(words)]
        words.extend(fitting[generator.integers(len(fitting))])
    return words


def sentence(gap, generator):
    """One sentence as words (without the answer) and the answer's name."""
    first, second = generator.choice(len(NAMES), size=2, replace=False)
    a, b = NAMES[first], NAMES[second]
    opening = OPENINGS[generator.integers(len(OPENINGS))].format(A=a).split()
    arrival = ARRIVALS[generator.integers(len(ARRIVALS))].format(B=b).split()
    return opening + arrival + filler(gap, generator) + QUESTION.format(B=b).split(), a


@dataclass(frozen=True)
class TomMaryTask:
    """The task as the lab's training loop takes it (the interface of :class:`gatedrnn.lab.tasks.Task`);
    its "length" is the gap, the filler's length in tokens."""

    name: str = "tom-mary"
    kind: str = "classification"
    input_size: int = len(VOCABULARY)
    output_size: int = len(NAMES)
    metric: str = "accuracy"
    chance: float = 1 / len(NAMES)
    solved_at: float = 0.95

    def check_length(self, gap):
        if not is_whole_number(gap, 0):
            raise GatedRNNError(f"gap must be a non-negative integer, got {gap!r}")

    def generate(self, count, gap, generator):
        """``count`` sentences: one-hot inputs (N, gap + 18, V) float32 and the answers' ids (N,)."""
        self.check_length(gap)
        sentences = [sentence(gap, generator) for _ in range(count)]
        ids = np.array([[WORD_IDS[word] for word in words] for words, _ in sentences])
        answers = np.array([WORD_IDS[answer] for _, answer in sentences], dtype=np.int64)
        return np.eye(len(VOCABULARY), dtype=np.float32)[ids], answers

    def solved(self, value):
        return value is not None and bool(np.isfinite(value)) and value >= self.solved_at


TASK = TomMaryTask()


def check_gaps(gaps):
    """The distinct gaps, sorted, each a non-negative integer."""
    values = list(gaps)
    if not values or not all(is_whole_number(gap, 0) for gap in values):
        raise GatedRNNError(f"gaps must be non-negative integers, got {values!r}; e.g. --gaps 0 40 80")
    return sorted({int(gap) for gap in values})


@np.errstate(over="ignore", invalid="ignore", divide="ignore")  # divergence is a result here, not a warning
def run(
    models=DEFAULT_MODELS,
    gaps=DEFAULT_GAPS,
    steps=1000,
    hidden_size=32,
    batch_size=32,
    lr=3e-3,
    clip=1.0,
    gate_init="chrono",
    test_count=500,
    repeats=1,
    seed=0,
    progress=True,
):
    """Train each model at each gap, ``repeats`` times; returns the test accuracies as a dict.

    Repeat r uses seed ``seed + r``: every model of a gap starts from its own seeded draw and
    sees the same sentences. ``clip`` is the max global gradient norm (0: none); ``gate_init`` the
    LSTM's gate biases (see :mod:`gatedrnn.lab.models`; chrono's longest time scale is the
    sentence length).

    Before training, each model's ``untrained_reach`` is measured: ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖, the
    part of the gradient at the blank that arrives at the state after the first name.

    Returns ``runs`` (seed, model, gap, distance, accuracy, solved, untrained reach, steps
    taken, diverged), ``table`` (model → {distance: mean accuracy over the repeats}),
    ``solved_count`` (model → {distance: repeats solved}), ``longest_solved`` (model → the
    longest distance solved in every repeat, or None) and ``example``, one sentence of the
    largest gap with its answer.
    """
    from ..progress import bar as progress_bar

    models = check_cell_kinds(models)
    gaps = check_gaps(gaps)
    defaults = signature_defaults(run)  # the examples a refusal gives
    check_counts(
        defaults, steps=steps, hidden_size=hidden_size, batch_size=batch_size, test_count=test_count, repeats=repeats
    )
    check_positive(defaults, lr=lr)
    clip = check_clip(clip, defaults["clip"])  # a trainer's clip: 0 turns it off
    check_gate_init(gate_init)
    check_seed(seed)
    settings = dict(
        steps=int(steps),
        hidden_size=int(hidden_size),
        batch_size=int(batch_size),
        lr=float(lr),
        clip=float(clip),
        gate_init=gate_init,
        test_count=int(test_count),
    )
    seeds = [int(seed) + r for r in range(int(repeats))]
    check_fits(
        f"tom-mary with gaps up to {gaps[-1]}, hidden_size {hidden_size}, batch_size {batch_size}, "
        f"test_count {test_count}",
        sequence_pass_bytes(max(batch_size, test_count, EVAL_COUNT), distance(gaps[-1]), TASK.input_size, hidden_size),
        "use smaller gaps or a smaller hidden_size, batch_size or test_count",
    )
    started = time.perf_counter()
    records = []
    total = len(seeds) * len(models) * len(gaps) * settings["steps"]
    with progress_bar(total=total, desc="tom-mary", unit="step", progress=progress) as bar:
        for run_seed in seeds:
            for gap in gaps:
                records.extend(train_at_gap(models, gap, run_seed, settings, bar))
    words, answer = sentence(gaps[-1], np.random.default_rng([seeds[0], 5]))
    return dict(
        experiment="tom-mary",
        models=models,
        gaps=gaps,
        **settings,
        repeats=len(seeds),
        seed=seeds[0],
        chance=TASK.chance,
        vocabulary_size=len(VOCABULARY),
        example=dict(text=" ".join(words) + " ___", answer=answer),
        runs=records,
        **tables(records, models, len(seeds)),
        seconds=time.perf_counter() - started,
    )


def train_at_gap(models, gap, seed, settings, bar):
    """One record per model: trained from its seeded draw on the same sentences of ``gap``, then scored."""
    held_out = TASK.generate(EVAL_COUNT, gap, np.random.default_rng([seed, 1, gap]))
    test = TASK.generate(settings["test_count"], gap, np.random.default_rng([seed, 2, gap]))
    probe = TASK.generate(PROBE_COUNT, gap, np.random.default_rng([seed, 6, gap]))
    records = []
    for kind in models:
        model = LastStepModel(
            kind,
            TASK.input_size,
            settings["hidden_size"],
            TASK.output_size,
            gate_init=settings["gate_init"],
            max_span=distance(gap),
            generator=np.random.default_rng([seed, 3, gap]),
        )
        run_started = time.perf_counter()
        with np.errstate(under="ignore"):
            reach = gradient_reach(model, probe)
        history = train_on_task(
            model,
            TASK,
            gap,
            settings["steps"],
            np.random.default_rng([seed, 4, gap]),
            lr=settings["lr"],
            batch_size=settings["batch_size"],
            clip=settings["clip"],
            eval_batch=held_out,
            progress=bar,
        )
        accuracy = score(model, TASK, *test)
        records.append(
            dict(
                seed=seed,
                model=kind,
                gap=gap,
                distance=distance(gap),
                accuracy=accuracy,
                solved=TASK.solved(accuracy),
                untrained_reach=reach,
                steps=history["steps"],
                diverged=history["diverged"],
                seconds=time.perf_counter() - run_started,
            )
        )
    return records


def tables(records, models, repeats):
    """``table`` (mean accuracy), ``solved_count`` and ``longest_solved`` (in every repeat), per model."""
    table, solved, longest = {}, {}, {}
    for kind in models:
        mine = [r for r in records if r["model"] == kind]
        distances = sorted({r["distance"] for r in mine})
        table[kind] = {str(d): float(np.mean([r["accuracy"] for r in mine if r["distance"] == d])) for d in distances}
        solved[kind] = {str(d): sum(r["solved"] for r in mine if r["distance"] == d) for d in distances}
        longest[kind] = max((d for d in distances if solved[kind][str(d)] == repeats), default=None)
    return dict(table=table, solved_count=solved, longest_solved=longest)


def gradient_reach(model, probe):
    """‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ of the model as it is: how much of the gradient at the blank reaches the
    state right after the first name (gradient-flow's profile, averaged over the probe sentences)."""
    norms = profile(model, TASK, *probe)["h"]
    return float(norms[-1] / norms[0]) if norms[0] > 0 else 0.0


COLOURS = {"rnn-tanh": "tab:red", "irnn": "tab:orange", "lstm": "tab:blue", "gru": "tab:green"}


def plot(results, path):
    """Test accuracy against the distance from the name to the blank: a dot per repeat, the mean as a
    line, and how many repeats solved it (accuracy ≥ 0.95) beside each mean."""
    plt = pyplot()
    figure, ax = plt.subplots(figsize=(8, 4.8), dpi=110)
    for offset, kind in zip((-0.6, 0.6, -1.2, 1.2), results["models"], strict=False):
        colour = COLOURS.get(kind)
        runs = [r for r in results["runs"] if r["model"] == kind]
        ax.plot([r["distance"] + offset for r in runs], [r["accuracy"] for r in runs], ".", color=colour, alpha=0.6)
        distances = [int(d) for d in results["table"][kind]]
        means = list(results["table"][kind].values())
        ax.plot(distances, means, "o-", color=colour, label=f"{kind} (mean of {results['repeats']})")
        for d, mean in zip(distances, means, strict=True):
            count = results["solved_count"][kind][str(d)]
            ax.annotate(
                f"{count}/{results['repeats']}",
                xy=(d, mean),
                xytext=(6, -12 if kind == "rnn-tanh" else 6),
                textcoords="offset points",
                color=colour,
                fontsize=8,
            )
    ax.axhline(results["chance"], color="grey", linestyle=":", label=f"chance ({results['chance']:.3f})")
    ax.axhline(0.95, color="black", linestyle="--", linewidth=0.8, label="solved (0.95); n/m: repeats solved")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("tokens from the first name to the blank")
    ax.set_ylabel(f"test accuracy ({results['test_count']} sentences)")
    ax.set_title(
        f"'Tom was watching TV … Mary said hi to ___': H = {results['hidden_size']}, at most "
        f"{results['steps']} Adam steps, gate biases {results['gate_init']}, seeds {results['seed']}"
        f"…{results['seed'] + results['repeats'] - 1}",
        fontsize=9,
    )
    example = results["example"]["text"]
    ax.text(
        0.01,
        0.02,
        "e.g. " + (example if len(example) < 110 else example[:60] + " … " + example[-40:]),
        transform=ax.transAxes,
        fontsize=7,
    )
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="center left")
    figure.tight_layout()
    save_figure(figure, path)
