"""Rows for tests/robustness/test_bad_inputs.py: damaged, crafted and hostile checkpoint files.

Each row builds its file under ``context.tmp`` from the finished run's best.npz (a real
checkpoint of a 1-layer LSTM, 42 words, float32, SGD) with tests/helpers/checkpoint_crafting.py, then
runs ``eval`` or ``generate`` on it, ``train --resume`` on a copy of the run directory holding
it as last.npz, or calls the loader directly. Most metadata rows re-save the file with a
fresh, valid checksum (``rewrite``), so that what refuses the file is the check under test
and not the checksum.
"""

import shutil
import zipfile

import numpy as np

from helpers.bad_inputs.rows import Row
from helpers.checkpoint_crafting import (
    adam_state,
    carried,
    flip_central_directory,
    members_of,
    metadata_text,
    npy,
    npy_header,
    rewrite,
    version_1_copy,
    with_claimed_size,
    with_member,
    with_metadata_text,
    write_zip,
)
from helpers.tiny_runs import tiny_word_train_args


# -- what rows run ------------------------------------------------------------------------------
def crafted(context, change):
    return rewrite(context.checkpoint, context.tmp / "crafted.npz", change)


def eval_args(path, context):
    return ["eval", str(path), "--text", str(context.corpus)]


def eval_crafted(change):
    """Row args: eval a copy of best.npz changed by ``change(sections, metadata)``, checksum recomputed."""
    return lambda c: eval_args(crafted(c, change), c)


def eval_file(make):
    """Row args: eval the file ``make(context, out)`` writes."""
    return lambda c: eval_args(make(c, c.tmp / "crafted.npz"), c)


def generate_crafted(change):
    return lambda c: ["generate", str(crafted(c, change)), "--length", "3"]


def resume_crafted(change, *extra):
    """Row args: train --resume on a copy of the finished run whose last.npz was changed by ``change``."""

    def args(context):
        copy = context.tmp / "run"
        shutil.copytree(context.run, copy)
        (copy / "results.json").unlink()  # unfinished, so that --resume really loads the checkpoint
        rewrite(copy / "last.npz", copy / "last.npz", change)
        return tiny_word_train_args(context.corpus, copy, *extra, "--resume")

    return args


def setting(section, key, value):
    """A change setting ``metadata[section][key] = value``."""
    return lambda sections, metadata: metadata[section].__setitem__(key, value)


def top(key, value):
    return lambda sections, metadata: metadata.__setitem__(key, value)


def without(section, key=None):
    def change(sections, metadata):
        if key is None:
            del metadata[section]
        else:
            del metadata[section][key]

    return change


def weights(name, value):
    """A change filling model weight ``name`` with ``value``."""
    return lambda sections, metadata: sections["model"][name].fill(value)


def deep_metadata(context, out, depth=200_000):
    """best.npz with one more metadata entry: lists nested ``depth`` deep (json.dumps could not even write them)."""
    text = metadata_text(context.checkpoint)
    return with_metadata_text(context.checkpoint, out, b'{"deep": ' + b"[" * depth + b"]" * depth + b", " + text[1:])


def replaced_header(name, header, data=b""):
    """A file whose member ``name`` has the crafted ``header`` (and ``data``)."""
    return eval_file(lambda c, out: with_member(c.checkpoint, out, f"{name}.npy", header + data))


def call_load_run(make):
    """A call row action: load_run_checkpoint on the file ``make(context, out)`` writes."""

    def action(context):
        from gatedrnn.lm.run_checkpoint import load_run_checkpoint

        load_run_checkpoint(make(context, context.tmp / "crafted.npz"))

    return action


def call_model_from(make):
    def action(context):
        from gatedrnn.lm.run_checkpoint import model_from_checkpoint

        model_from_checkpoint(make(context, context.tmp / "crafted.npz"))

    return action


def rewritten(change):
    return lambda c, out: rewrite(c.checkpoint, out, change)


EMBED = "model/embed.weight"
ROWS = [
    # -- the metadata: types, keys, dtype, sizes ---------------------------------------------
    Row("ckpt-dtype-float16", "cli", "dtype is 'float16'", args=eval_crafted(top("dtype", "float16"))),
    Row("ckpt-dtype-object", "cli", "dtype is 'object'", args=eval_crafted(top("dtype", "object"))),
    Row("ckpt-dtype-list", "cli", "dtype is ['float32']", args=eval_crafted(top("dtype", ["float32"]))),
    Row("ckpt-model-extra-key", "cli", "unknown ['colour']", args=eval_crafted(setting("model", "colour", "red"))),
    Row("ckpt-model-missing-key", "cli", "missing ['cell']", args=eval_crafted(without("model", "cell"))),
    Row(
        "ckpt-model-hidden-string",
        "cli",
        "hidden_size (--hidden-size) must be a whole number ≥ 1, got '8'",
        args=eval_crafted(setting("model", "hidden_size", "8")),
    ),
    Row("ckpt-model-a-list", "cli", "model settings must be a JSON object", args=eval_crafted(top("model", [8, 8]))),
    Row("ckpt-model-cell-list", "cli", "unknown cell ['lstm']", args=eval_crafted(setting("model", "cell", ["lstm"]))),
    Row(
        "ckpt-model-dropout-nan",
        "cli",
        "dropout must be a finite number",
        args=eval_crafted(setting("model", "dropout", float("nan"))),
    ),
    Row(
        "ckpt-model-tie-string",
        "cli",
        "tie_weights must be True or False",
        args=eval_crafted(setting("model", "tie_weights", "no")),
    ),
    Row("ckpt-model-vocab-null", "cli", "have no vocab_size", args=eval_crafted(setting("model", "vocab_size", None))),
    Row(
        "ckpt-model-hidden-6000",
        "cli",
        "claims shape (42, 8) but the model config implies (42, 6000)",
        args=eval_crafted(setting("model", "hidden_size", 6000)),
    ),
    Row(
        "ckpt-model-layers-million",
        "cli",
        "imply 4,000,003 weight arrays but the file holds 7",
        args=eval_crafted(setting("model", "num_layers", 10**6)),
    ),
    Row(
        "ckpt-model-hidden-100000",
        "cli",
        "for its weights, their gradients and the optimizer's buffers",
        args=eval_crafted(setting("model", "hidden_size", 100_000)),
    ),
    Row("ckpt-model-huge-int", "cli", "would need", args=eval_crafted(setting("model", "embedding_size", 10**30))),
    Row(
        "ckpt-vocab-size-mismatch",
        "cli",
        "the vocabulary has 42 tokens but the model expects 43",
        args=eval_crafted(setting("model", "vocab_size", 43)),
    ),
    Row("ckpt-vocab-tokens-string", "cli", "no 'tokens' list", args=eval_crafted(setting("vocab", "tokens", "abc"))),
    Row(
        "ckpt-vocab-token-number",
        "cli",
        "is int 7, not a str",
        args=eval_crafted(lambda s, m: m["vocab"]["tokens"].__setitem__(3, 7)),
    ),
    Row(
        "ckpt-vocab-duplicate",
        "cli",
        "appears twice",
        args=eval_crafted(lambda s, m: m["vocab"]["tokens"].__setitem__(3, m["vocab"]["tokens"][2])),
    ),
    Row("ckpt-vocab-extra-key", "cli", "unknown keys 'words'", args=eval_crafted(setting("vocab", "words", []))),
    Row("ckpt-vocab-unk-list", "cli", "unk_token is list", args=eval_crafted(setting("vocab", "unk_token", ["?"]))),
    Row("ckpt-vocab-missing", "cli", "lacks vocab", args=eval_crafted(without("vocab"))),
    Row(
        "ckpt-training-wrong-type",
        "cli",
        "batch_size (--batch-size) must be a whole number ≥ 1, got '4'",
        args=eval_crafted(setting("training", "batch_size", "4")),
    ),
    Row("ckpt-training-extra-key", "cli", "unknown ['turbo']", args=eval_crafted(setting("training", "turbo", True))),
    Row("ckpt-training-missing", "cli", "has no training settings", args=eval_crafted(without("training"))),
    Row("ckpt-json-200000-deep", "cli", "nested 200,001 levels deep", args=eval_file(deep_metadata)),
    Row(
        "ckpt-metadata-not-json",
        "cli",
        "unreadable metadata",
        args=eval_file(lambda c, out: with_metadata_text(c.checkpoint, out, b'{"format": "gatedrnn-checkpoint",')),
    ),
    Row(
        "ckpt-metadata-not-utf8",
        "cli",
        "unreadable metadata",
        args=eval_file(lambda c, out: with_metadata_text(c.checkpoint, out, b'{"a": "\xff\xfe"}')),
    ),
    Row(
        "ckpt-metadata-5000-digits",
        "cli",
        "unreadable metadata",
        args=eval_file(lambda c, out: with_metadata_text(c.checkpoint, out, b'{"a": ' + b"9" * 5000 + b"}")),
    ),
    Row(
        "ckpt-metadata-17-mib",
        "cli",
        "its metadata claims 17",
        args=eval_file(
            lambda c, out: with_member(
                c.checkpoint, out, "__metadata__.npy", npy(np.full(17 * 2**20, 32, np.uint8)), zipfile.ZIP_DEFLATED
            )
        ),
    ),
    Row(
        "ckpt-metadata-a-list",
        "cli",
        "is not a gatedrnn checkpoint",
        args=eval_file(lambda c, out: with_metadata_text(c.checkpoint, out, b"[1, 2]")),
    ),
    Row(
        "ckpt-metadata-int-array",
        "cli",
        "has no gatedrnn metadata",
        args=eval_file(lambda c, out: with_member(c.checkpoint, out, "__metadata__.npy", npy(np.arange(3)))),
    ),
    Row(
        "ckpt-version-3",
        "cli",
        "format version 3",
        args=eval_file(
            lambda c, out: with_metadata_text(
                c.checkpoint, out, metadata_text(c.checkpoint).replace(b'"version": 2', b'"version": 3')
            )
        ),
    ),
    Row(
        "ckpt-version-string",
        "cli",
        "format version '2'",
        args=eval_file(
            lambda c, out: with_metadata_text(
                c.checkpoint, out, metadata_text(c.checkpoint).replace(b'"version": 2', b'"version": "2"')
            )
        ),
    ),
    Row(
        "ckpt-checksum-missing",
        "cli",
        "no valid checksum",
        args=eval_file(
            lambda c, out: with_metadata_text(
                c.checkpoint, out, metadata_text(c.checkpoint).replace(b'"checksum": "', b'"checksum": "x')
            )
        ),
    ),
    Row(
        "ckpt-edited-metadata-fails-checksum",
        "cli",
        "failed its checksum",
        args=eval_file(
            lambda c, out: with_metadata_text(
                c.checkpoint, out, metadata_text(c.checkpoint).replace(b'"dropout": 0.0', b'"dropout": 0.5')
            )
        ),
    ),
    Row(
        "ckpt-version-1-still-loads", "cli", args=eval_file(lambda c, out: version_1_copy(c.checkpoint, out)), status=0
    ),
    # -- the zip and the .npy headers -----------------------------------------------------------
    Row(
        "ckpt-central-directory-flipped",
        "cli",
        "not a readable gatedrnn checkpoint",
        args=eval_file(lambda c, out: flip_central_directory(c.checkpoint, out)),
    ),
    Row(
        "ckpt-truncated",
        "cli",
        "truncated or corrupted",
        args=eval_file(lambda c, out: _written(out, c.checkpoint.read_bytes()[:3000])),
    ),
    Row(
        "ckpt-empty-file",
        "cli",
        "not a readable gatedrnn checkpoint",
        args=eval_file(lambda c, out: _written(out, b"")),
    ),
    Row(
        "ckpt-member-not-npy",
        "cli",
        "not as an .npy array",
        args=eval_file(lambda c, out: with_member(c.checkpoint, out, "notes.txt", b"hello")),
    ),
    Row(
        "ckpt-member-twice",
        "cli",
        "twice",
        args=eval_file(lambda c, out: write_zip(out, {**members_of(c.checkpoint)}) and _append_duplicate(out)),
    ),
    Row(
        "ckpt-header-fortran",
        "cli",
        "Fortran order",
        args=replaced_header(EMBED, npy_header("<f4", (42, 8), True), bytes(42 * 8 * 4)),
    ),
    Row("ckpt-header-object", "cli", "has dtype object", args=replaced_header(EMBED, npy_header("|O", (42, 8)))),
    Row("ckpt-header-unicode", "cli", "has dtype <U5", args=replaced_header(EMBED, npy_header("<U5", (3,)), bytes(60))),
    Row(
        "ckpt-header-big-endian",
        "cli",
        "has dtype >f4",
        args=replaced_header(EMBED, npy_header(">f4", (42, 8)), bytes(42 * 8 * 4)),
    ),
    Row(
        "ckpt-header-structured",
        "cli",
        "has dtype",
        args=replaced_header(EMBED, npy_header([("a", "<f4")], (42, 8)), bytes(42 * 8 * 4)),
    ),
    Row(
        "ckpt-header-10-12-values",
        "cli",
        "implies 4,000,000,000,128",
        args=replaced_header(EMBED, npy_header("<f4", (10**6, 10**6)), bytes(64)),
    ),
    Row(
        "ckpt-header-negative-shape", "cli", "impossible shape", args=replaced_header(EMBED, npy_header("<f4", (-1, 8)))
    ),
    Row(
        "ckpt-header-4-gib-length",
        "cli",
        "an .npy header of 4,294,967,295 bytes",
        args=replaced_header(EMBED, b"\x93NUMPY\x02\x00\xff\xff\xff\xff"),
    ),
    Row(
        "ckpt-header-version-3",
        "cli",
        ".npy format 3.0",
        args=replaced_header(EMBED, npy_header("<f4", (42, 8)).replace(b"\x01\x00", b"\x03\x00", 1)),
    ),
    Row("ckpt-header-bad-magic", "cli", "is not an .npy array", args=replaced_header(EMBED, b"PK\x03\x04 not npy")),
    Row(
        "ckpt-header-garbage",
        "cli",
        "not a readable gatedrnn checkpoint",
        args=replaced_header(EMBED, b"\x93NUMPY\x01\x00\x10\x00{'descr': (((((("),
    ),
    Row(
        "ckpt-zip-claims-2-gib",
        "cli",
        "holds 2,147,483,648 bytes but its header",
        args=eval_file(lambda c, out: with_claimed_size(c.checkpoint, out, f"{EMBED}.npy", 2**31)),
    ),
    Row(
        "ckpt-deflate-bomb-shape",
        "cli",
        "claims shape (16777216,) but the model config implies (42, 8)",
        args=replaced_header(EMBED, npy_header("<f4", (2**24,)), bytes(2**26)),
    ),
    Row(
        "ckpt-deflate-bomb-behind-small-size",
        "cli",
        "Bad CRC-32",
        args=eval_file(lambda c, out: _bomb_behind_small_size(c, out)),
    ),
    Row(
        "ckpt-member-unknown",
        "cli",
        "model/extra is not part of a checkpoint of this model",
        args=eval_file(lambda c, out: with_member(c.checkpoint, out, "model/extra.npy", npy(np.zeros(3, np.float32)))),
    ),
    Row(
        "ckpt-member-missing",
        "cli",
        "imply 7 weight arrays but the file holds 6",
        args=eval_crafted(lambda s, m: s["model"].pop("decoder.bias")),
    ),
    Row(
        "ckpt-member-missing-behind-another",
        "cli",
        "lacks 1 array(s) its metadata implies (model/decoder.bias)",
        args=eval_crafted(lambda s, m: (s["model"].pop("decoder.bias"), carried(2)(s, m))),
    ),
    Row(
        "ckpt-member-float64",
        "cli",
        "has dtype float64 but the metadata says float32",
        args=eval_crafted(
            lambda s, m: s["model"].__setitem__("decoder.bias", s["model"]["decoder.bias"].astype(np.float64))
        ),
    ),
    Row(
        "ckpt-member-int",
        "cli",
        "has dtype int64 but the metadata says float32",
        args=eval_crafted(lambda s, m: s["model"].__setitem__("decoder.bias", np.zeros(42, np.int64))),
    ),
    Row(
        "ckpt-optimizer-buffer-of-another-optimizer",
        "cli",
        "optimizer/exp_avg.0 is not part of",
        args=eval_crafted(lambda s, m: s.__setitem__("optimizer", {"exp_avg.0": np.zeros((42, 8), np.float32)})),
    ),
    Row(
        "ckpt-carried-wrong-shape",
        "cli",
        "carried/0 claims shape (2, 4, 8) but the model config implies (1, 4, 8)",
        args=eval_crafted(carried(2, (2, 4, 8))),
    ),
    Row(
        "ckpt-carried-half-an-lstm-state", "cli", "holds 1 of the 2 carried state arrays", args=eval_crafted(carried(1))
    ),
    # -- the values --------------------------------------------------------------------------
    Row(
        "ckpt-nan-weights-eval",
        "cli",
        "model/embed.weight holds NaN",
        args=eval_crafted(weights("embed.weight", np.nan)),
    ),
    Row(
        "ckpt-inf-weights-generate",
        "cli",
        "holds NaN or infinite values",
        args=generate_crafted(weights("rnn.weight_hh_l0", np.inf)),
    ),
    Row("ckpt-huge-weights", "cli", "holds a weight of 1e+30", args=eval_crafted(weights("decoder.weight", 1e30))),
    Row(
        "ckpt-nan-carried-state",
        "cli",
        "carried/1 holds NaN",
        args=eval_crafted(lambda s, m: (carried(2)(s, m), s["carried"]["1"].fill(np.nan))),
    ),
    # -- --resume with crafted position, rng, history, optimizer ----------------------------------
    Row(
        "resume-adam-buffer-missing",
        "cli",
        "optimizer state lacks exp_avg.1",
        args=resume_crafted(adam_state(missing="exp_avg.1"), "--optimizer", "adam", "--lr", "0.002"),
    ),
    Row(
        "resume-history-not-a-list", "cli", "history must be a list", args=resume_crafted(top("history", "not a list"))
    ),
    Row(
        "resume-history-record-kind",
        "cli",
        "history record 1 has kind 'bogus'",
        args=resume_crafted(lambda s, m: m["history"][1].__setitem__("kind", "bogus")),
    ),
    Row(
        "resume-history-record-nested",
        "cli",
        "holds dict under 'lr'",
        args=resume_crafted(lambda s, m: m["history"][0].__setitem__("lr", {"a": 1})),
    ),
    Row(
        "resume-history-record-ppl-text",
        "cli",
        "(train) has ppl 'high'",
        args=resume_crafted(lambda s, m: m["history"][0].__setitem__("ppl", "high")),
    ),
    Row(
        "resume-position-epoch-string",
        "cli",
        "position's epoch is '1'",
        args=resume_crafted(setting("position", "epoch", "1")),
    ),
    Row(
        "resume-position-missing-key",
        "cli",
        "position must be a JSON object with exactly",
        args=resume_crafted(without("position", "window")),
    ),
    Row(
        "resume-position-a-list", "cli", "position must be a JSON object", args=resume_crafted(top("position", [1, 0]))
    ),
    Row(
        "resume-position-window-beyond",
        "cli",
        "stopped at window 1000000000",
        args=resume_crafted(setting("position", "window", 10**9)),
    ),
    Row(
        "resume-position-epoch-beyond",
        "cli",
        "position is epoch 7 of a run of 1",
        args=resume_crafted(setting("position", "epoch", 7)),
    ),
    Row(
        "resume-loss-sums-nan",
        "cli",
        "loss_sums epoch_total is nan",
        args=resume_crafted(lambda s, m: m["position"]["loss_sums"].__setitem__("epoch_total", float("nan"))),
    ),
    Row(
        "resume-rng-has-uint32",
        "cli",
        "has_uint32 must be a whole number in [0, 2^1)",
        args=resume_crafted(setting("rng", "has_uint32", 5)),
    ),
    Row("resume-rng-not-a-dict", "cli", "random generator state must be a dict", args=resume_crafted(top("rng", 42))),
    Row(
        "resume-rng-other-generator",
        "cli",
        "is for 'MT19937'",
        args=resume_crafted(setting("rng", "bit_generator", "MT19937")),
    ),
    Row(
        "resume-rng-state-float",
        "cli",
        "random generator's state must be a whole number",
        args=resume_crafted(lambda s, m: m["rng"]["state"].__setitem__("state", 1.5)),
    ),
    Row("resume-best-nll-text", "cli", "best_valid_nll is 'low'", args=resume_crafted(top("best_valid_nll", "low"))),
    Row(
        "resume-optimizer-not-a-dict",
        "cli",
        "optimizer state must be a JSON object",
        args=resume_crafted(top("optimizer", "SGD")),
    ),
    Row(
        "resume-optimizer-step-negative",
        "cli",
        "optimizer step is -1",
        args=resume_crafted(setting("optimizer", "step", -1)),
    ),
    Row(
        "resume-optimizer-unknown-class",
        "cli",
        "optimizer 'Evil' is not one gatedrnn knows",
        args=resume_crafted(setting("optimizer", "optimizer", "Evil")),
    ),
    Row(
        "resume-optimizer-lr-text",
        "cli",
        "SGD lr must be a finite number",
        args=resume_crafted(setting("optimizer", "lr", "fast")),
    ),
    Row(
        "resume-optimizer-unknown-hyperparameter",
        "cli",
        "hyperparameters SGD does not have: 'turbo'",
        args=resume_crafted(setting("optimizer", "turbo", 1)),
    ),
    Row(
        "resume-run-info-not-a-dict",
        "cli",
        "run information must be a JSON object",
        args=resume_crafted(top("run", "x")),
    ),
    # -- the memory estimate where a model is built ------------------------------------------
    Row(
        "model-memory-train-hidden-100000",
        "cli",
        "for its weights, their gradients and the optimizer's buffers; this machine has",
        args=lambda c: tiny_word_train_args(c.corpus, c.tmp / "new", "--hidden-size", "100000"),
    ),
    Row("model-memory-train-leaves-nothing", "call", "would need", action=lambda c: _train_refused_leaving_nothing(c)),
    # -- the loader called directly ----------------------------------------------------------
    Row("ckpt-fifo", "cli", "is not a regular file", args=eval_file(lambda c, out: _fifo(out))),
    Row("call-load-run-lacks-position", "call", "lacks position", action=call_load_run(rewritten(without("position")))),
    Row("call-load-run-deep-json", "call", "nested 200,001 levels deep", action=call_load_run(deep_metadata)),
    Row("call-model-from-nan", "call", "holds NaN", action=call_model_from(rewritten(weights("decoder.bias", np.nan)))),
    Row("call-model-from-missing-file", "call", "does not exist", action=call_model_from(lambda c, out: c.tmp / "no")),
    Row("call-model-from-a-directory", "call", "is not a regular file", action=call_model_from(lambda c, out: c.tmp)),
]


def _append_duplicate(path):
    """Add a second member under an existing name (zipfile warns, and writes it)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr("model/decoder.bias.npy", npy(np.zeros(42, np.float32)))
    return path


def _bomb_behind_small_size(context, out):
    """A deflated member whose stream inflates to 64 MiB while the zip records the true 1,472 bytes."""
    name = f"{EMBED}.npy"
    original = members_of(context.checkpoint)[name]
    write_zip(out, {**members_of(context.checkpoint), name: original + bytes(2**26)}, zipfile.ZIP_DEFLATED)
    return with_claimed_size(out, out, name, len(original))


def _train_refused_leaving_nothing(context):
    """``train --hidden-size 100000 --embedding-size 100000`` refused before --out is made; re-raised for the row."""
    from gatedrnn.cli import main
    from gatedrnn.lm import LanguageModel, ModelConfig

    out = context.tmp / "new"
    assert main(tiny_word_train_args(context.corpus, out, "--hidden-size", "100000", "--embedding-size", "100000")) == 2
    assert not out.exists(), "a refused run left its directory behind"
    LanguageModel(ModelConfig(vocab_size=42, hidden_size=100_000, embedding_size=100_000))


def _fifo(path):
    """A named pipe where the checkpoint belongs: opening it would block for ever."""
    import os

    os.mkfifo(path)
    return path


def _written(path, data):
    path.write_bytes(data)
    return path
