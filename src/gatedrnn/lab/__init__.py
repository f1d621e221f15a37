"""The gradient lab: vanishing and exploding gradients, measured and drawn.

Each experiment is a module with ``run(**options) -> dict`` (its numbers) and
``plot(results, path)`` (its figure); :func:`run_experiment` runs one and writes
``<name>.json`` and ``<name>.png`` (plus ``<name>.html`` for ``cells``) into a directory.
``gatedrnn lab <name>`` is the same from the command line. See docs/gradients.md.

    scalar          one unit, w_hh = 3 and 0.2: the factor over T steps, w^T and ∏ w·tanh′
    matmul-norms    ‖dh‖ pushed back through T steps of dh·W_hᵀ (± tanh′): growth or decay
    activations     tanh, sigmoid, ReLU and their derivatives; what T steps of φ′ leave
    gradient-flow   ‖∂L_T/∂h_t‖ against T - t for RNN, LSTM, GRU, before and after training
    init            the same for a tanh RNN and an LSTM started by Xavier, He, orthogonal, PyTorch's
                    default, and the LSTM's forget-gate bias centred at 0 or +1 (module
                    :mod:`~gatedrnn.lab.initialisation`)
    long-range      adding problem and recall at lengths 10 … 200, four models, ± clipping
    tom-mary        "Tom was watching TV … Mary said hi to ___" with a growing filler: LSTM vs tanh RNN
    clipping        one run with gradient spikes, trained with and without clip_grad_norm
    cells           a trained char model's hidden units coloured over text; units that track quotes, …
                    (module :mod:`~gatedrnn.lab.units`)

Each ``run()``'s signature holds the experiment's defaults, and ``gatedrnn lab`` builds its
options from it, so the command and the library agree.
"""

import inspect
import os
import time
from pathlib import Path

from ..errors import GatedRNNError, short_repr
from ..files import check_output_directory, write_json
from ..lm.run_directory import check_outside_runs
from ..own_files import check_replaceable
from . import (
    activations,
    clipping,
    gradient_flow,
    initialisation,
    long_range,
    matmul_norms,
    scalar,
    tom_mary,
    units,
)

EXPERIMENTS = {
    "scalar": scalar,
    "matmul-norms": matmul_norms,
    "activations": activations,
    "gradient-flow": gradient_flow,
    "init": initialisation,
    "long-range": long_range,
    "tom-mary": tom_mary,
    "clipping": clipping,
    "cells": units,
}


def run_experiment(name, out_dir, command=None, **options):
    """Run experiment ``name`` with ``options``, write its files into ``out_dir``; returns (results, paths)."""
    from ..files import machine_info, timestamp

    module = _experiment(name)
    _check_options(name, module, options)
    if not isinstance(out_dir, (str, os.PathLike)) or not os.fspath(out_dir):
        raise GatedRNNError(
            f"out_dir (--out) must be a directory's path, got {short_repr(out_dir)}; pass one such as runs/lab"
        )
    out_dir = Path(out_dir)
    paths = dict(png=out_dir / f"{name}.png", json=out_dir / f"{name}.json")
    if name == "cells":
        paths["html"] = out_dir / f"{name}.html"
    _check_outputs(out_dir, paths)  # before a run of minutes, not after it
    started = time.perf_counter()
    results = module.run(**options)
    module.plot(results, paths["png"])
    if name == "cells":
        module.write_html(results, paths["html"])
    results.update(
        command=command or f"gatedrnn lab {name}",
        wall_seconds=time.perf_counter() - started,
        finished=timestamp(),
        machine=machine_info(),
    )
    write_json(paths["json"], results)
    return results, paths


def _experiment(name):
    """The module of experiment ``name``, or GatedRNNError naming the experiments there are."""
    if not isinstance(name, str) or name not in EXPERIMENTS:
        raise GatedRNNError(f"unknown experiment {short_repr(name)}; choose one of {', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[name]


def _check_options(name, module, options):
    """Every option must be an argument of the experiment's run(), named in the error with the ones it takes."""
    known = list(inspect.signature(module.run).parameters)
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise GatedRNNError(f"experiment {name} has no option {', '.join(unknown)}; it takes {', '.join(known)}")


def _check_outputs(out_dir, paths):
    """--out must be a directory gatedrnn can write, not a training run's, and may hold only the
    experiment's own earlier files under the names it writes (they are replaced)."""
    check_output_directory(out_dir)
    absolute = Path(os.path.abspath(out_dir))  # as run directories are compared (not through symlinks)
    check_outside_runs([absolute, *absolute.parents], out_dir, "--out", "choose a directory outside it")
    check_replaceable(paths["json"], "--out", "results")
    if paths["json"].exists():
        # The experiment's results are there: the figure and page beside them are that run's,
        # even when an older gatedrnn drew them without the mark.
        return
    kinds = dict(png="figure", html="page")
    for suffix, path in paths.items():
        if suffix in kinds:
            check_replaceable(path, "--out", kinds[suffix])


def summary(name, results):
    """A few lines saying what the experiment found, for the terminal."""
    return SUMMARIES[name](results)


def _scalar_summary(results):
    return "\n".join(
        f"w_hh = {c['w_hh']:g}: ∂h_3/∂h_1 = {c['notes']['without_tanh']:.4g} without tanh′, "
        f"{c['notes']['with_tanh']:.3g} with; ∂h_T/∂h_(T-{results['steps']}) = {c['without_tanh'][-1]:.3g} without, "
        f"{c['with_tanh'][-1]:.3g} with (×{c['per_step']:.3g} per step)"
        for c in results["curves"].values()
    )


def _matmul_summary(results):
    if results.get("book"):  # the book prints its norm_list; so does this, to compare digit by digit
        return "\n".join(
            f"W_h × {curve['scale']:g}: norms after 1 … {results['steps']} steps: "
            + ", ".join(f"{norm:.6g}" for norm in curve["norms"])
            for curve in results["curves"].values()
        )
    lines = []
    for curve in results["curves"].values():
        lines.append(
            f"W_h × {curve['scale']:g}: spectral radius {curve['spectral_radius']:.3f}; ‖dh‖ changes "
            f"×{curve['growth_rate']:.3f} per step ({curve['norms'][-1]:.3g} after {results['steps']}), "
            f"×{curve['growth_rate_with_tanh']:.3f} with tanh′ ({curve['norms_with_tanh'][-1]:.3g})"
        )
    return "\n".join(lines)


def _activations_summary(results):
    return "\n".join(
        f"{name}: max φ′ {c['max_derivative']:.3f}, E[φ′(x)] for x ~ N(0,1) {c['mean_derivative']:.3f}, "
        f"best case below 1e-6 after {c['steps_to_1e-6'] or 'never (within ' + str(results['steps']) + ')'} steps"
        for name, c in results["curves"].items()
    )


def _gradient_flow_summary(results):
    return "\n".join(
        f"{kind}: ‖∂L/∂h_t‖ ×{entry['decay_per_step']['untrained']:.3f} per step back untrained, "
        f"×{entry['decay_per_step']['trained']:.3f} after {results['train_steps']} steps "
        f"({results['metric']} {entry['score']:.3f})"
        for kind, entry in results["models"].items()
    )


def _init_summary(results):
    lines = []
    for label, curve in results["curves"].items():
        line = f"{label}: ‖∂L_T/∂h_t‖ ×{curve['decay_per_step']:.3f} per step back"
        if "linear" in curve:
            line += (
                f" (W_hh alone ×{curve['linear_decay_per_step']:.3f}; spectral radius "
                f"{curve['spectral_radius']:.3f}, largest singular value {curve['largest_singular_value']:.3f})"
            )
        lines.append(line)
    return "\n".join(lines)


def _long_range_summary(results):
    return long_range.markdown_table(results) + f"\nwall time {results['seconds']:.0f} s"


def _tom_mary_summary(results):
    lines = [f"e.g. {results['example']['text']} (answer: {results['example']['answer']})"]
    for kind in results["models"]:
        scores = ", ".join(
            f"{distance} tokens {accuracy:.3f} ({results['solved_count'][kind][distance]}/{results['repeats']} solved)"
            for distance, accuracy in results["table"][kind].items()
        )
        longest = results["longest_solved"][kind]
        reach = ", ".join(f"{r['untrained_reach']:.1e}" for r in results["runs"] if r["model"] == kind)
        lines.append(
            f"{kind}: mean test accuracy at {scores}; solved every time up to {longest if longest else 'none'}; "
            f"untrained, ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ = {reach}"
        )
    lines.append(f"wall time {results['seconds']:.0f} s")
    return "\n".join(lines)


def _clipping_summary(results):
    lines = []
    for label, record in results["runs"].items():
        fate = (
            f"nan at step {record['diverged_at']}"
            if record["diverged_at"]
            else f"mean loss over the last 50 steps {record['mean_loss_last_50']:.4g}"
        )
        lines.append(
            f"{label}: {len(record['spikes'])} gradient spikes, largest update ‖Δθ‖ "
            f"{clipping.describe_norm(record['max_update_norm'])}, {fate}"
        )
    lines.append(f"bound with clipping: lr · clip = {results['runs']['clip']['update_bound']:.3g}")
    if "clip per tensor" in results["runs"]:
        per_tensor = results["runs"]["clip per tensor"]
        lines.append(
            f"bound with clipping per tensor: lr · clip · √{per_tensor['tensors']} = {per_tensor['update_bound']:.3g}"
        )
    return "\n".join(lines)


def _units_summary(results):
    lines = [f"coloured: {units.describe(results)}"]
    for state, per in results["units"].items():
        for feature, best in per.items():
            listed = ", ".join(f"{e['unit']} ({e['r']:+.2f})" for e in best[:3]) or "none (not in the text)"
            lines.append(f"{state} units tracking {feature}: {listed}")
    return "\n".join(lines)


SUMMARIES = {
    "scalar": _scalar_summary,
    "matmul-norms": _matmul_summary,
    "activations": _activations_summary,
    "gradient-flow": _gradient_flow_summary,
    "init": _init_summary,
    "long-range": _long_range_summary,
    "tom-mary": _tom_mary_summary,
    "clipping": _clipping_summary,
    "cells": _units_summary,
}

__all__ = ["EXPERIMENTS", "run_experiment", "summary"] + [
    module.__name__.rsplit(".", 1)[-1] for module in EXPERIMENTS.values()
]
