"""Bad-input rows for the PyTorch doors: ``from_torch``, ``gatedrnn export`` and ``gatedrnn import``.

from_torch refuses what gatedrnn's layers cannot represent instead of converting it silently;
import refuses, writing nothing, every torch file that would give a checkpoint gatedrnn's own
reader refuses. The crafted torch files are built here (``CRAFTED``) so that
tests/interop/test_interop_import.py can also check that nothing was written for each of them.
Without PyTorch there are no rows.
"""

import importlib.util
import os

from helpers.bad_inputs.rows import Row

HAVE_TORCH = importlib.util.find_spec("torch") is not None


def exported(context):
    """The finished run's best checkpoint as a torch file in the row's scratch folder."""
    from gatedrnn.interop import export_checkpoint

    path = context.tmp / "exported.pt"
    if not path.exists():
        export_checkpoint(context.checkpoint, path)
    return path


def crafted(change):
    """A function of the Context: the exported torch file after ``change(document, torch)``, saved anew."""

    def make(context):
        import torch

        document = torch.load(exported(context), weights_only=True)
        change(document, torch)
        path = context.tmp / "crafted.pt"
        torch.save(document, path)
        return path

    return make


def _set_value(name, index, value):
    def change(document, torch):
        with torch.no_grad():
            document["state_dict"][name].view(-1)[index] = value

    return change


def _all_tensors(convert):
    def change(document, torch):
        document["state_dict"] = {name: convert(tensor, torch) for name, tensor in document["state_dict"].items()}

    return change


def _one_tensor(name, convert):
    def change(document, torch):
        document["state_dict"][name] = convert(document["state_dict"][name], torch)

    return change


def _grow_vocabulary(config_too):
    def change(document, torch):
        document["vocab"]["tokens"] = document["vocab"]["tokens"] + ["an-extra-token"]
        if config_too:
            document["config"]["vocab_size"] += 1

    return change


def _one_token_vocabulary(document, torch):
    document["vocab"] = dict(document["vocab"], tokens=document["vocab"]["tokens"][:1], unk_token=None)
    document["config"]["vocab_size"] = 1


def _set(key, value):
    def change(document, torch):
        document[key] = value(torch) if callable(value) else value

    return change


def _drop_weight(name):
    def change(document, torch):
        document["state_dict"].pop(name)

    return change


def _vocabulary_level(level):
    def change(document, torch):
        document["vocab"]["level"] = level

    return change


def _recorded_level(level):
    def change(document, torch):
        document["run"]["data"]["level"] = level

    return change


# name: (how the torch file is made, a piece of the one-line refusal)
CRAFTED = {
    "word_tokens_called_characters": (
        crafted(_vocabulary_level("char")),
        "a character-level vocabulary holds single characters, but token '<unk>' has 5",
    ),
    "run_record_of_another_level": (
        crafted(_recorded_level("char")),
        "its vocabulary is word-level but its run record says the data was cut into chars",
    ),
    "bf16_state_dict": (crafted(_all_tensors(lambda t, torch: t.to(torch.bfloat16))), "torch.bfloat16"),
    "fp16_state_dict": (crafted(_all_tensors(lambda t, torch: t.half())), "torch.float16"),
    "sparse_tensor": (crafted(_one_tensor("embed.weight", lambda t, torch: t.to_sparse())), "sparse tensor"),
    "mixed_dtypes": (crafted(_one_tensor("decoder.bias", lambda t, torch: t.double())), "mixes dtypes"),
    "nan_weight": (crafted(_set_value("decoder.bias", 0, float("nan"))), "NaN or infinite"),
    "inf_weight": (crafted(_set_value("rnn.weight_hh_l0", 3, float("inf"))), "NaN or infinite"),
    "implausible_weight": (crafted(_set_value("embed.weight", 0, 2e6)), "beyond the ±1e+06"),
    "vocab_larger_than_embedding": (crafted(_grow_vocabulary(config_too=True)), "rows but its vocabulary has"),
    "vocab_differs_from_config": (crafted(_grow_vocabulary(config_too=False)), "its config says"),
    "one_token_vocab": (crafted(_one_token_vocabulary), "at least 2"),
    "repeated_token": (
        crafted(lambda d, torch: d["vocab"]["tokens"].__setitem__(1, d["vocab"]["tokens"][0])),
        "appears twice",
    ),
    "missing_weight": (crafted(_drop_weight("decoder.bias")), "missing"),
    "state_dict_of_lists": (crafted(_set("state_dict", {"embed.weight": [1.0, 2.0]})), "no state_dict of tensors"),
    "run_not_a_dict": (crafted(_set("run", ["corpus"])), "run record is a list"),
    "run_holds_a_tensor": (crafted(_set("run", lambda torch: {"data": torch.zeros(2)})), "not plain JSON"),
    "run_holds_nan": (crafted(_set("run", {"data": {"min_count": float("nan")}})), "not plain JSON"),
    "newer_format_version": (crafted(_set("format_version", 99)), "format version 99"),
    "not_gatedrnn_format": (crafted(_set("format", "something-else")), "not a gatedrnn language model"),
}


def _import_args(make_input, output="imported.npz"):
    return lambda context: ["import", str(make_input(context)), str(context.tmp / output)]


def _written(name, data=b"x"):
    def make(context):
        path = context.tmp / name
        path.write_bytes(data)
        return path

    return make


def _dangling_link(context):
    link = context.tmp / "dangling.npz"
    os.symlink(context.tmp / "nowhere", link)
    return link


def _from_torch(make):
    def action(context):
        import torch

        from gatedrnn.interop import from_torch

        from_torch(make(torch))

    return action


def _nan_module(torch):
    module = torch.nn.GRU(3, 4)
    with torch.no_grad():
        module.weight_hh_l0[0, 0] = float("nan")
    return module


def _sparse_weight_module(torch):
    module = torch.nn.Embedding(5, 3)
    module.weight = torch.nn.Parameter(torch.eye(5, 3).to_sparse())
    return module


def _mixed_module(torch):
    module = torch.nn.Linear(3, 4)
    module.bias.data = module.bias.data.double()
    return module


def _weight_norm_module(torch):
    return torch.nn.utils.parametrizations.weight_norm(torch.nn.Linear(3, 4))


def _torch_language_model(change):
    def make(torch):
        from gatedrnn.interop import to_torch
        from gatedrnn.lm import LanguageModel, ModelConfig

        module = to_torch(LanguageModel(ModelConfig(vocab_size=6, embedding_size=4, hidden_size=4, num_layers=1)))
        with torch.no_grad():
            change(module)
        return module

    return make


FROM_TORCH = {
    "embedding_max_norm": (lambda torch: torch.nn.Embedding(5, 3, max_norm=0.1), "max_norm=0.1"),
    "embedding_padding_idx": (lambda torch: torch.nn.Embedding(5, 3, padding_idx=0), "padding_idx=0"),
    "embedding_scale_grad_by_freq": (
        lambda torch: torch.nn.Embedding(5, 3, scale_grad_by_freq=True),
        "scale_grad_by_freq=True",
    ),
    "embedding_sparse_gradients": (lambda torch: torch.nn.Embedding(5, 3, sparse=True), "sparse=True"),
    "bf16_lstm": (lambda torch: torch.nn.LSTM(3, 4).to(torch.bfloat16), "module.float() or module.double()"),
    "fp16_linear": (lambda torch: torch.nn.Linear(3, 4).half(), "torch.float16"),
    "mixed_dtype_linear": (_mixed_module, "mixes dtypes"),
    "nan_gru": (_nan_module, "NaN or infinite"),
    "sparse_weight": (_sparse_weight_module, ".to_dense()"),
    "weight_norm": (_weight_norm_module, "parametrization"),
    "lazy_linear": (lambda torch: torch.nn.LazyLinear(3), "run one forward pass first"),
    "meta_device": (lambda torch: torch.nn.Linear(3, 4, device="meta"), "meta device"),
    "lstm_proj_size": (lambda torch: torch.nn.LSTM(3, 4, proj_size=2), "proj_size"),
    "not_a_module": (lambda torch: {"weight": torch.zeros(3)}, "takes a torch.nn.Module"),
    "conv1d": (lambda torch: torch.nn.Conv1d(3, 4, 2), "does not support Conv1d"),
    "language_model_implausible_weight": (
        _torch_language_model(lambda module: module.decoder.bias.fill_(5e6)),
        "beyond the ±1e+06",
    ),
    "language_model_inf_weight": (
        _torch_language_model(lambda module: module.embed.weight.fill_(float("-inf"))),
        "NaN or infinite",
    ),
}


def _to_torch(make):
    def action(context):
        from gatedrnn.interop import to_torch

        to_torch(make())

    return action


def _gatedrnn_layer(name, **kwargs):
    def make():
        import gatedrnn

        return getattr(gatedrnn, name)(3, 4, **kwargs)

    return make


TO_TORCH = {
    "lstm_recurrent_dropout": (_gatedrnn_layer("LSTM", recurrent_dropout=0.2), "no recurrent_dropout"),
    "gru_weight_drop": (_gatedrnn_layer("GRU", weight_drop=0.2), "no weight_drop"),
    "lstm_residual": (_gatedrnn_layer("LSTM", num_layers=2, residual=True), "no skip connections"),
    "embedding_row_dropout": (_gatedrnn_layer("Embedding", row_dropout=0.1), "no row dropout"),
    "string": (lambda: "LSTM", "does not support str"),
}


def _rows():
    """Every id starts with interop_, so that ``pytest tests/robustness/test_bad_inputs.py -k interop``
    runs them all."""
    rows = [
        Row(f"interop_import_{name}", "cli", fragment, args=_import_args(make))
        for name, (make, fragment) in CRAFTED.items()
    ]
    rows += [
        Row(f"interop_from_torch_{name}", "call", fragment, action=_from_torch(make))
        for name, (make, fragment) in FROM_TORCH.items()
    ]
    rows += [
        Row(f"interop_to_torch_{name}", "call", fragment, action=_to_torch(make))
        for name, (make, fragment) in TO_TORCH.items()
    ]
    rows += [
        Row(
            "interop_import_missing_torch_file",
            "cli",
            "does not exist",
            args=_import_args(lambda c: c.tmp / "missing.pt"),
        ),
        Row("interop_import_torch_file_is_a_directory", "cli", "is a directory", args=_import_args(lambda c: c.tmp)),
        Row(
            "interop_import_torch_file_is_a_device", "cli", "character device", args=_import_args(lambda c: "/dev/zero")
        ),
        Row(
            "interop_import_junk_file",
            "cli",
            "weights_only",
            args=_import_args(_written("junk.pt", b"not a torch file")),
        ),
        Row(
            "interop_import_output_exists",
            "cli",
            "already exists",
            args=lambda c: ["import", str(exported(c)), str(_written("there.npz")(c))],
        ),
        Row(
            "interop_import_output_is_a_dangling_link",
            "cli",
            "already exists",
            args=lambda c: ["import", str(exported(c)), str(_dangling_link(c))],
        ),
        Row(
            "interop_import_output_is_the_finished_checkpoint",
            "cli",
            "already exists",
            args=lambda c: ["import", str(exported(c)), str(c.checkpoint)],
        ),
        # the output is checked before the torch file is read: a missing input is not reported
        Row(
            "interop_import_output_under_a_file_checked_first",
            "cli",
            "is a file, not a directory",
            args=lambda c: ["import", str(c.tmp / "missing.pt"), str(_written("afile")(c) / "x.npz")],
        ),
        Row(
            "interop_import_into_a_training_runs_directory",
            "cli",
            "is inside the run directory",
            args=lambda c: ["import", str(exported(c)), str(c.run / "new.npz")],
        ),
        Row(
            "interop_export_into_a_training_runs_directory",
            "cli",
            "is inside the run directory",
            args=lambda c: ["export", str(c.checkpoint), str(c.run / "sub" / "model.pt")],
        ),
        Row(
            "interop_export_output_exists",
            "cli",
            "already exists",
            args=lambda c: ["export", str(c.checkpoint), str(_written("there.pt")(c))],
        ),
        Row(
            "interop_export_onto_its_checkpoint",
            "cli",
            "already exists",
            args=lambda c: ["export", str(c.checkpoint), str(c.checkpoint)],
        ),
        Row(
            "interop_export_output_under_a_file",
            "cli",
            "is a file, not a directory",
            args=lambda c: ["export", str(c.checkpoint), str(_written("afile")(c) / "x.pt")],
        ),
        Row(
            "interop_export_missing_checkpoint",
            "cli",
            "does not exist",
            args=lambda c: ["export", str(c.tmp / "missing.npz"), str(c.tmp / "out.pt")],
        ),
        Row(
            "interop_export_checkpoint_is_a_device",
            "cli",
            "not a regular file",
            args=lambda c: ["export", "/dev/zero", str(c.tmp / "out.pt")],
        ),
        # a file exported before the run record was kept still imports
        Row(
            "interop_import_file_without_run_record",
            "cli",
            status=0,
            args=_import_args(crafted(lambda document, torch: document.pop("run"))),
        ),
    ]
    return rows


ROWS = _rows() if HAVE_TORCH else []
