"""One list per extension point: the recurrent cells and the optimizers are named in one place each.

gatedrnn.layers.registry (CELL_CLASSES) and gatedrnn.optim (OPTIMIZER_CLASSES) are the lists;
the settings, the checkpoint schema and the command line read them. A cell or an optimizer
added to a registry — here a toy one, in a separate process so that nothing of it stays
behind — shows up everywhere without another line; and no other module writes a list of
their names out again.
"""

import argparse
import ast
import inspect
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from helpers.paths import REPO

from gatedrnn.errors import GatedRNNError
from gatedrnn.layers import CELL_CLASSES, RECURRENT_LAYERS, Recurrent, cell_class
from gatedrnn.optim import OPTIMIZER_CLASSES, OPTIMIZERS, SGD
from gatedrnn.registry import registry

PACKAGE = REPO / "src" / "gatedrnn"


def leaf_parsers(parser):
    """Every parser of the command line that runs something (the subcommands, the lab's experiments)."""
    nested = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    if not nested:
        yield parser
        return
    for child in dict.fromkeys(nested[0].choices.values()):
        yield from leaf_parsers(child)


def choices_of(dest):
    """{parser prog: its choices} for every option of the command line that sets ``dest``."""
    from gatedrnn.cli import build_parser

    found = {}
    for parser in leaf_parsers(build_parser()):
        for action in parser._actions:
            if action.dest == dest and action.choices is not None:
                found[parser.prog] = tuple(action.choices)
    return found


# -- the cells -------------------------------------------------------------------------------
def test_the_cell_registry_is_the_tuple_of_classes_by_their_names():
    assert list(RECURRENT_LAYERS.values()) == list(CELL_CLASSES)
    assert list(RECURRENT_LAYERS) == ["lstm", "gru", "rnn"]
    assert cell_class("gru") is RECURRENT_LAYERS["gru"]


@pytest.mark.parametrize("name", [None, "LSTM", "transformer", 3])
def test_an_unknown_cell_name_is_one_line_naming_the_choices(name):
    with pytest.raises(GatedRNNError, match="unknown cell .*choose one of lstm, gru, rnn") as error:
        cell_class(name)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("cls", CELL_CLASSES, ids=lambda cls: cls.name)
def test_every_cell_declares_what_the_rest_of_gatedrnn_reads(cls):
    assert issubclass(cls, Recurrent)
    assert cls.name == cls.name.lower() and cls.name.isidentifier()
    assert isinstance(cls.gate_count, int) and cls.gate_count >= 1
    assert cls.state_names[0] == "h" and len(set(cls.state_names)) == len(cls.state_names)
    assert isinstance(cls.summed_biases, bool)
    signature = inspect.signature(cls)
    assert all(option in signature.parameters for option in cls.torch_options)
    # the declared state is the state the layer returns
    layer = cls(3, 4, num_layers=2, dtype=np.float64, rng=np.random.default_rng(0))
    _, state = layer(np.zeros((5, 2, 3)))
    parts = state if isinstance(state, tuple) else (state,)
    assert len(parts) == len(cls.state_names) and all(part.shape == (2, 5, 4) for part in parts)
    assert layer.weight_ih_l0.shape == (cls.gate_count * 4, 3)


@pytest.mark.parametrize("cls", CELL_CLASSES, ids=lambda cls: cls.name)
def test_every_cell_names_a_torch_class_that_exists_and_takes_its_options(cls):
    torch = pytest.importorskip("torch")
    if cls.torch_name is None:
        pytest.skip(f"{cls.name} has no PyTorch counterpart")
    torch_class = getattr(torch.nn, cls.torch_name)
    module = torch_class(3, 4, **{option: getattr(cls(3, 4), option) for option in cls.torch_options})
    assert module.weight_ih_l0.shape == (cls.gate_count * 4, 3)


def test_the_settings_the_checkpoint_schema_and_the_command_line_read_the_cell_registry():
    from gatedrnn.lm.checkpoint_schema import STATE_PARTS
    from gatedrnn.lm.config import CELLS, ModelConfig

    assert CELLS == tuple(RECURRENT_LAYERS)
    cell_field = ModelConfig.__dataclass_fields__["cell"]
    assert tuple(cell_field.metadata["choices"]) == tuple(RECURRENT_LAYERS)
    assert STATE_PARTS == {name: len(cls.state_names) for name, cls in RECURRENT_LAYERS.items()}
    cli = choices_of("cell")
    assert {"gatedrnn train", "gatedrnn task brackets"} <= set(cli)
    assert all(choices == tuple(RECURRENT_LAYERS) for choices in cli.values()), cli


# -- the optimizers --------------------------------------------------------------------------
def test_the_optimizer_registry_is_the_tuple_of_classes_by_their_names():
    assert list(OPTIMIZERS.values()) == list(OPTIMIZER_CLASSES)
    assert list(OPTIMIZERS) == ["sgd", "adagrad", "rmsprop", "adam", "adamw"]
    assert OPTIMIZERS["adamw"].name == "adamw" and OPTIMIZERS["adam"].name == "adam"  # AdamW(Adam) has its own


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_can_be_built_saved_and_restored_as_the_trainer_does(name):
    # The Trainer's whole use of an optimizer: cls(params, lr=...), .lr, step, state_dict, load_state_dict.
    from gatedrnn.core import Parameter

    params = [Parameter(np.ones((2, 3))), Parameter(np.zeros(3))]
    optimizer = OPTIMIZERS[name]((param for param in params), lr=0.1)
    for param in params:
        param.grad = np.full(param.shape, 0.5)
    optimizer.step()
    optimizer.lr = 0.05
    again = OPTIMIZERS[name]([Parameter(param.data.copy()) for param in params], lr=0.1)
    again.load_state_dict(optimizer.state_dict())
    assert again.lr == 0.05 and again.step_count == 1
    assert sorted(again.state_dict()["arrays"]) == sorted(optimizer.state_dict()["arrays"])


def test_the_settings_the_checkpoint_schema_and_the_command_line_read_the_optimizer_registry():
    from gatedrnn.lm.checkpoint_schema import optimizer_classes
    from gatedrnn.lm.config import OPTIMIZERS as CONFIG_OPTIMIZERS
    from gatedrnn.lm.config import TrainConfig

    assert CONFIG_OPTIMIZERS == tuple(OPTIMIZERS)
    assert tuple(TrainConfig.__dataclass_fields__["optimizer"].metadata["choices"]) == tuple(OPTIMIZERS)
    assert optimizer_classes() == {cls.__name__: cls for cls in OPTIMIZER_CLASSES}
    assert choices_of("optimizer") == {"gatedrnn train": tuple(OPTIMIZERS)}
    for name in OPTIMIZERS:
        assert TrainConfig(optimizer=name).optimizer == name


# -- the registry itself ---------------------------------------------------------------------
def test_a_registry_refuses_a_class_without_a_name_and_a_name_used_twice():
    class Nameless(SGD):
        name = None

    class Twin(SGD):
        name = "sgd"

    with pytest.raises(GatedRNNError, match="Nameless has no name .*name = 'nameless'") as error:
        registry((SGD, Nameless), "optimizer")
    assert "\n" not in str(error.value)
    with pytest.raises(GatedRNNError, match="two optimizers are named 'sgd': SGD and Twin; give each"):
        registry((SGD, Twin), "optimizer")
    assert registry((SGD,), "optimizer") == {"sgd": SGD}


def test_a_cell_and_an_optimizer_added_to_the_registries_appear_everywhere():
    # What the one line in CELL_CLASSES / OPTIMIZER_CLASSES does, done before gatedrnn.lm is
    # imported, in a process of its own so that the toy classes stay out of this one.
    code = textwrap.dedent("""
        import numpy as np
        from gatedrnn.layers import RECURRENT_LAYERS, RNN
        from gatedrnn.optim import OPTIMIZERS, SGD

        class ToyCell(RNN):
            name = "toy"
            state_names = ("h", "m")       # a second state array, to be carried and checkpointed
            torch_name = None

            def _layer_forward(self, xs, state0, weights, mask=None, hidden_mask=None):
                hs, (h,), cache = super()._layer_forward(xs, state0[:1], weights, mask, hidden_mask)
                return hs, (h, state0[1]), cache

            def _layer_backward(self, dhs, dfinal, cache, mask=None):
                grads, (dh0,) = super()._layer_backward(dhs, dfinal[:1], cache, mask)
                return grads, (dh0, dfinal[1])

        class ToySGD(SGD):
            name = "toysgd"

        RECURRENT_LAYERS["toy"] = ToyCell
        OPTIMIZERS["toysgd"] = ToySGD

        from gatedrnn.cli import build_parser
        from gatedrnn.lm import LanguageModel, ModelConfig, TrainConfig
        from gatedrnn.lm.checkpoint_schema import STATE_PARTS, optimizer_classes
        from gatedrnn.lm.model import expected_shapes

        config = ModelConfig(vocab_size=7, embedding_size=4, hidden_size=4, num_layers=2, cell="toy", dropout=0.0)
        model = LanguageModel(config)
        logits, state = model.forward(np.zeros((2, 3), np.int64))
        assert logits.shape == (2, 3, 7) and len(state) == 2, (logits.shape, state)
        assert {name: p.shape for name, p in model.named_parameters()} == expected_shapes(config)
        assert STATE_PARTS["toy"] == 2
        assert TrainConfig(optimizer="toysgd").optimizer == "toysgd"
        assert optimizer_classes()["ToySGD"] is ToySGD
        parser = build_parser()
        args = parser.parse_args(["train", "--cell", "toy", "--optimizer", "toysgd"])
        assert (args.cell, args.optimizer) == ("toy", "toysgd")
        assert parser.parse_args(["task", "brackets", "--cell", "toy"]).cell == "toy"
        print("toy cell and optimizer appear everywhere")
    """)
    env = dict(os.environ, PYTHONPATH=str(PACKAGE.parent))
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "appear everywhere" in result.stdout


# -- no second list --------------------------------------------------------------------------
def written_out_lists(names):
    """(file:line, source) of every tuple, list, set or dict literal outside the registries whose
    string elements (keys, for a dict) are two or more of ``names`` and nothing else."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "registry.py":
            continue
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                elements = node.elts
            elif isinstance(node, ast.Dict):
                elements = node.keys
            else:
                continue
            strings = [e.value for e in elements if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if len(strings) == len(elements) and len(set(strings)) >= 2 and set(strings) <= set(names):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {ast.get_source_segment(text, node)}")
    return found


@pytest.mark.parametrize(
    "registry_name, names",
    [
        ("gatedrnn.layers.registry.RECURRENT_LAYERS", list(RECURRENT_LAYERS)),
        ("gatedrnn.optim.OPTIMIZERS", list(OPTIMIZERS)),
    ],
)
def test_no_module_writes_out_a_second_list_of_cells_or_optimizers(registry_name, names):
    found = written_out_lists(names)
    assert not found, f"read these from {registry_name} instead:\n" + "\n".join(found)
