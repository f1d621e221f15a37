"""The layers of the house (docs/architecture.md), checked from the source: who may import whom.

The library sits at the top of the package; the applications (lm, seq, lab) are built on it
and the command line (cli) is built on all of them. Nothing below imports what is above it,
and no module imports itself back through a cycle.
"""

import ast
import os
import subprocess
import sys

import pytest
from helpers.paths import REPO

PACKAGE = REPO / "src" / "gatedrnn"
APPLICATIONS = ("lm", "seq", "lab", "interop")
# Which top-level parts each application may use besides the library. interop converts
# everything gatedrnn builds, whole language models included, so it sits above lm.
APPLICATION_DEPENDENCIES = {
    "lm": set(),
    "seq": set(),
    "lab": {"lm"},
    "interop": {"lm"},
    "cli": {"lm", "seq", "lab", "interop"},
}


def module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path):
    """The gatedrnn modules ``path`` imports (absolute names), at any depth of the file."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("gatedrnn"):
                found.add(target)
                found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("gatedrnn"))
    return found


def graph():
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    edges = {}
    for name, path in modules.items():
        edges[name] = {target for target in imported_modules(path) if target in modules and target != name}
    return edges


def part_of(module):
    """'lm', 'seq', 'lab', 'cli' (with ``python -m gatedrnn``), or 'library' for everything else."""
    if module == "gatedrnn.__main__":
        return "cli"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in (*APPLICATIONS, "cli") else "library"


def test_the_library_imports_no_application_and_applications_only_what_they_may():
    wrong = []
    for source, targets in graph().items():
        for target in targets:
            src_part, dst_part = part_of(source), part_of(target)
            if dst_part == "library" or dst_part == src_part:
                continue
            if src_part == "library" or dst_part not in APPLICATION_DEPENDENCIES[src_part]:
                wrong.append(f"{source} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_the_import_graph_has_no_cycles():
    edges = graph()
    # A package's __init__ re-exporting its own submodules is not a cycle of the design.
    edges = {
        source: {t for t in targets if not (source != "gatedrnn" and t.startswith(source + "."))}
        for source, targets in edges.items()
    }
    edges["gatedrnn"] = set()  # the top-level __init__ imports lazily, on first attribute access
    state, stack, cycles = {}, [], []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == "open":
                cycles.append(" → ".join(stack[stack.index(target) :] + [target]))
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert not cycles, "\n".join(cycles)


def test_importing_gatedrnn_loads_no_numpy_and_changes_no_environment():
    code = (
        "import os, sys; before = dict(os.environ); import gatedrnn; "
        "assert 'numpy' not in sys.modules, 'numpy loaded'; assert dict(os.environ) == before, 'env changed'; "
        "from gatedrnn import LSTM, init; assert 'numpy' in sys.modules; assert dict(os.environ) == before"
    )
    env = {key: value for key, value in os.environ.items() if key != "OPENBLAS_THREAD_TIMEOUT"}
    env["PYTHONPATH"] = str(PACKAGE.parent)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "name",
    [
        "Module",
        "Parameter",
        "GatedRNNError",
        "seed",
        "set_num_threads",
        "clip_grad_norm",
        "backward_and_step",
        "LSTM",
        "GRU",
        "RNN",
        "Embedding",
        "Linear",
        "Dropout",
        "LockedDropout",
        "SoftmaxCrossEntropy",
        "MSELoss",
        "init",
        "optim",
    ],
)
def test_every_public_name_imports(name):
    import gatedrnn

    assert getattr(gatedrnn, name) is not None


def test_the_optimizers_are_one_module_per_rule_beside_a_base():
    from gatedrnn.optim import (
        OPTIMIZER_CLASSES,
        SGD,
        Adagrad,
        Adam,
        AdamW,
        Optimizer,
        RMSprop,
    )  # the old module's names

    assert Optimizer.__module__ == "gatedrnn.optim.base"
    assert {SGD, Adagrad, RMSprop, Adam, AdamW} == set(OPTIMIZER_CLASSES)
    rule_modules = {path.stem for path in (PACKAGE / "optim").glob("*.py")} - {"__init__", "base"}
    # each module holds a registered rule; AdamW, Adam with one switch, lives beside it
    assert {cls.__module__.rsplit(".", 1)[1] for cls in OPTIMIZER_CLASSES} == rule_modules


def test_every_registered_cell_is_a_file_of_its_own_under_layers():
    from gatedrnn.layers import CELL_CLASSES

    modules = [cls.__module__ for cls in CELL_CLASSES]
    assert len(set(modules)) == len(modules)
    assert all(module.startswith("gatedrnn.layers.") for module in modules)
