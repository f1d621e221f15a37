"""Options of ``gatedrnn train`` that the run would not use: refused, not ignored.

Each setting below acts only with another one (init_scale only under init uniform, lr_decay
only under a decaying schedule …). Given on the command line where its partner is absent, it
would change nothing, yet the run would record it as "changed here" and a resume would hold
the user to it; the user surely meant something, so the run stops and names the partner, as
``--device`` without ``--engine torch`` does. Only options given by hand are checked: a
preset's own values are its business (the configs cannot tell the two apart, so the check is
the command line's; from Python the same settings are plain dataclass fields).
"""

from ..errors import GatedRNNError

# (option, the field it sets, whether it acts under the run's settings, what it needs)
RULES = (
    ("--init-scale", "init_scale", lambda m, t: m.init == "uniform", "--init uniform (it is the bound of U(-s, s))"),
    (
        "--adaptive-div-value",
        "adaptive_div_value",
        lambda m, t: m.adaptive_softmax is not None,
        "--adaptive-softmax (it divides the clusters' widths)",
    ),
    ("--lr-decay", "lr_decay", lambda m, t: t.schedule != "constant", "--schedule plateau or step"),
    ("--decay-start", "decay_start", lambda m, t: t.schedule == "step", "--schedule step"),
    ("--locked-dropout", "locked_dropout", lambda m, t: m.dropout > 0, "--dropout p with p > 0"),
)


def check_options_take_effect(args, model, training):
    """GatedRNNError naming the first option given on the command line that ``model`` (ModelConfig)
    and ``training`` (TrainConfig), the run's final settings, would not use; also --data-dir
    beside --text or --data, which read no Penn Treebank."""
    for option, field, acts, needs in RULES:
        if getattr(args, field, None) not in (None, False) and not acts(model, training):
            raise GatedRNNError(f"{option} has no effect in this run: it needs {needs}; add that or drop {option}")
    if args.data_dir and (args.text or args.data):
        source = "--text FILE" if args.text else "--data DIR"
        raise GatedRNNError(f"--data-dir says where the Penn Treebank is, but this run reads {source}; drop --data-dir")
