"""Rows for tests/robustness/test_bad_inputs.py: a training run at every door (gatedrnn.lm.run).

The command line, TrainingRun, a bare Trainer and the configs must refuse the same things in
one line, before a run writes anything, and a run may never write over its own inputs or
another run's files. Status-0 rows must simply work (and, like every row, leave the finished
run untouched).
"""

import numpy as np

from gatedrnn.lm import DataSettings, LanguageModel, ModelConfig, TrainConfig, Trainer, TrainingRun, load_corpus
from helpers.bad_inputs.rows import Row
from helpers.tiny_runs import tiny_word_train_args


def tiny_model(vocab_size, dtype=np.float32):
    config = ModelConfig(vocab_size=vocab_size, embedding_size=8, hidden_size=8, num_layers=1, dropout=0.0)
    return LanguageModel(config, dtype=dtype)


def tiny_training(**changes):
    settings = dict(epochs=1, batch_size=4, seq_len=8, eval_batch_size=2)
    settings.update(changes)
    return TrainConfig(**settings)


def trainer_with(c, model=None, corpus="load", config=None, out=None, **options):
    """A Trainer on the finished run's corpus, with one part (or keyword option) made wrong."""
    loaded = load_corpus(text=str(c.corpus))
    model = tiny_model(len(loaded.vocab)) if model is None else model
    return Trainer(
        model,
        loaded if corpus == "load" else corpus,
        config or tiny_training(),
        c.tmp / "t" if out is None else out,
        **dict(dict(progress=False, echo=lambda *a: None), **options),
    )


def trains_into(c, **config_changes):
    """A Trainer (numbers of NumPy types in its config) that trains and writes readable checkpoints."""
    loaded = load_corpus(text=str(c.corpus))
    Trainer(
        tiny_model(len(loaded.vocab)),
        loaded,
        tiny_training(**config_changes),
        c.tmp / "np",
        progress=False,
        echo=lambda *a: None,
    ).fit()
    from gatedrnn.lm import model_from_checkpoint

    model_from_checkpoint(c.tmp / "np" / "best.npz")


def run_with(c, **changes):
    """TrainingRun.train() on the finished run's corpus, with one setting made wrong."""
    arguments = dict(
        out=c.tmp / "r",
        data=DataSettings(text=str(c.corpus)),
        model=ModelConfig(embedding_size=8, hidden_size=8, num_layers=1, dropout=0.0),
        training=tiny_training(),
        progress=False,
        echo=lambda *a: None,
    )
    arguments.update(changes)
    return TrainingRun(**arguments).train()


def _model_from(path):
    from gatedrnn.lm import model_from_checkpoint

    return model_from_checkpoint(path)


def _nll_of(model):
    from gatedrnn.lm import evaluate_nll

    return evaluate_nll(model, np.arange(20), 2, 5)


def _link(path, target):
    """A symbolic link at ``path`` to ``target`` (which need not exist)."""
    path.symlink_to(target)
    return path


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


ROWS = [
    # -- nothing of the inputs or of another run is written over ---------------------------
    Row(
        "run_results_is_the_training_text",
        "cli",
        "is one of the run's input files",
        args=lambda c: tiny_word_train_args(c.corpus, c.tmp / "new", "--results", str(c.corpus)),
    ),
    Row(
        "run_results_is_a_users_file",
        "cli",
        "exists and is not a gatedrnn results file",
        args=lambda c: tiny_word_train_args(c.corpus, c.tmp / "new", "--results", str(write(c.tmp / "notes.txt", "x"))),
    ),
    Row(
        "run_results_in_a_subdirectory_of_another_run",
        "cli",
        "is inside the run directory",
        args=lambda c: tiny_word_train_args(c.corpus, c.tmp / "new", "--results", str(c.run / "sub" / "r.json")),
    ),
    Row(
        "run_results_is_a_link_to_the_runs_own_checkpoint",
        "cli",
        "(a link to",
        args=lambda c: tiny_word_train_args(
            c.corpus, c.tmp / "new", "--results", str(_link(c.tmp / "r.json", c.tmp / "new" / "best.npz"))
        ),
    ),
    Row(
        "run_results_is_a_link_into_another_run",
        "cli",
        "is inside the run directory",
        args=lambda c: tiny_word_train_args(
            c.corpus, c.tmp / "new", "--results", str(_link(c.tmp / "r.json", c.run / "results.json"))
        ),
    ),
    Row(
        "run_results_empty_in_the_words_task_uses",
        "cli",
        "results must be a path, got ''; pass one such as results.json",
        args=lambda c: tiny_word_train_args(c.corpus, c.tmp / "new", "--results", ""),
    ),
    Row(
        "run_out_empty_is_refused_not_the_default",  # wrote runs/NAME in the working directory
        "cli",
        "out must be a path, got ''",
        args=lambda c: tiny_word_train_args(c.corpus, "", "--dry-run"),
    ),
    Row(
        "run_training_run_out_empty",
        "call",
        "out must be a path, got ''",
        action=lambda c: run_with(c, out=""),
    ),
    Row(
        "run_results_is_a_fifo",
        "cli",
        "not a regular file",
        args=lambda c: tiny_word_train_args(c.corpus, c.tmp / "new", "--results", str(_fifo(c.tmp / "fifo"))),
    ),
    Row(
        "run_resume_of_a_finished_run_changes_nothing",
        "cli",
        status=0,
        args=lambda c: tiny_word_train_args(c.corpus, c.run, "--resume"),
    ),
    Row(
        "run_resume_of_a_finished_run_with_other_data",
        "cli",
        "was trained on other data",
        args=lambda c: tiny_word_train_args(write(c.tmp / "other.txt", "a b c d e f\n" * 40), c.run, "--resume"),
    ),
    Row(
        "run_text_is_a_fifo",
        "cli",
        "is a FIFO (named pipe)",
        args=lambda c: tiny_word_train_args(_fifo(c.tmp / "fifo"), c.tmp / "new"),
    ),
    # -- values refused when the settings are made, not epochs later -----------------------
    Row(
        "run_init_scale_beyond_what_a_checkpoint_may_hold",
        "cli",
        "init_scale (--init-scale) must be in (0, 1e+06]",
        args=lambda c: tiny_word_train_args(c.corpus, c.tmp / "new", "--init", "uniform", "--init-scale", "5e6"),
    ),
    Row(
        "run_init_scale_1e308",
        "cli",
        "init_scale (--init-scale) must be in (0, 1e+06]",
        args=lambda c: tiny_word_train_args(c.corpus, c.tmp / "new", "--init", "uniform", "--init-scale", "1e308"),
    ),
    Row(
        "run_step_decay_that_overflows",
        "cli",
        "takes the learning rate",
        args=lambda c: tiny_word_train_args(
            c.corpus, c.tmp / "new", "--schedule", "step", "--lr-decay", "1e300", "--epochs", "3"
        ),
    ),
    Row(
        "run_plateau_decay_over_many_epochs",
        "cli",
        "over 1099 decayed epochs",
        args=lambda c: [
            *tiny_word_train_args(c.corpus, c.tmp / "new", "--schedule", "plateau", "--lr-decay", "2"),
            "--epochs",
            "1100",
        ],
    ),
    Row(
        "run_eval_data_is_not_data_dir",
        "cli",
        # refused by eval's parser, whose --help lists its options (it pointed to the top level's)
        "gatedrnn eval: error: unrecognized arguments: --data",
        args=lambda c: ["eval", str(c.checkpoint), "--data", str(c.tmp)],
    ),
    Row(
        "run_train_option_prefix",
        "cli",
        "unrecognized arguments: --hid",
        args=lambda c: [*tiny_word_train_args(c.corpus, c.tmp / "new"), "--hid", "8"],
    ),
    # -- the Python doors: Trainer, TrainingRun, the configs -------------------------------
    Row(
        "run_trainer_given_a_path_as_corpus",
        "call",
        "Trainer needs a Corpus as its second argument, got str",
        action=lambda c: Trainer(tiny_model(10), "runs/x", tiny_training(), c.tmp / "t"),
    ),
    Row(
        "run_trainer_vocab_differs",
        "call",
        "the model's vocab_size is 7 but the corpus has",
        action=lambda c: trainer_with(c, model=tiny_model(7)),
    ),
    Row(
        "run_trainer_float16_model",
        "call",
        "a LanguageModel is float32 or float64",
        action=lambda c: trainer_with(c, model=tiny_model(7, dtype=np.float16)),
    ),
    Row(
        "run_trainer_out_is_a_file",
        "call",
        "is a file, not a directory",
        action=lambda c: trainer_with(c, out=write(c.tmp / "afile", "x")),
    ),
    Row("run_trainer_out_is_not_a_path", "call", "out_dir must be a path", action=lambda c: trainer_with(c, out=3)),
    Row(
        "run_trainer_into_a_used_directory",
        "call",
        # a finished run: the fix is another directory (it offered --resume, which does nothing then),
        # named in both spellings
        "it finished (results.json holds its scores): choose another --out (out_dir) for a new run",
        action=lambda c: trainer_with(c, out=c.run).fit(),
    ),
    Row(
        "run_trainer_numpy_numbers_train",
        "call",
        status=0,
        action=lambda c: trains_into(c, batch_size=np.int64(4), lr=np.float32(20.0), seed=np.int32(0)),
    ),
    Row(
        "run_training_run_results_is_an_input",
        "call",
        "is one of the run's input files",
        action=lambda c: run_with(c, results=c.corpus),
    ),
    # the CLI's row train-eval-batch-size-too-large: the same words at the two Python doors
    Row(
        "run_trainer_eval_batch_too_large",
        "call",
        "eval_batch_size (--eval-batch-size) 100000 is too large for the valid split",
        action=lambda c: trainer_with(c, config=tiny_training(eval_batch_size=100_000)),
    ),
    Row(
        "run_training_run_eval_batch_too_large",
        "call",
        "eval_batch_size (--eval-batch-size) 100000 is too large for the valid split",
        action=lambda c: run_with(c, training=tiny_training(eval_batch_size=100_000)),
    ),
    # TrainingRun's own keywords (a TypeError deep in train(), or taken as they came before)
    Row(
        "run_training_run_echo_none",
        "call",
        "echo must be a function, got None",
        action=lambda c: run_with(c, echo=None),
    ),
    # a bare Trainer refuses them in the same words (it was a TypeError at its first line of output)
    Row(
        "run_trainer_echo_none",
        "call",
        "echo must be a function, got None",
        action=lambda c: trainer_with(c, echo=None),
    ),
    Row(
        "run_trainer_on_log_number",
        "call",
        "on_log must be a function, got 5",
        action=lambda c: trainer_with(c, on_log=5),
    ),
    Row(
        "run_trainer_progress_text",
        "call",
        "progress must be True or False",
        action=lambda c: trainer_with(c, progress="no"),
    ),
    Row("run_training_run_preset_number", "call", "preset must be a str", action=lambda c: run_with(c, preset=5)),
    Row(
        "run_training_run_resume_text",
        "call",
        "resume must be True or False",
        action=lambda c: run_with(c, resume="yes"),
    ),
    Row("run_model_from_checkpoint_number", "call", "a checkpoint path must be", action=lambda c: _model_from(5)),
    Row("run_evaluate_nll_without_model", "call", "evaluate_nll needs a LanguageModel", action=lambda c: _nll_of(None)),
    Row(
        "run_training_run_data_is_a_path",
        "call",
        "data must be a DataSettings, a Corpus",
        action=lambda c: run_with(c, data=3),
    ),
    Row("run_training_run_resume_finished", "call", status=0, action=lambda c: _finished_again(c)),
    Row(
        "run_data_settings_min_count_not_whole",
        "call",
        "--min-count must be a whole number ≥ 1",
        action=lambda c: DataSettings(text=str(c.corpus), min_count=0.5),
    ),
    Row(
        "run_data_settings_ptb_lowercase",
        "call",
        "apply to a text corpus",
        action=lambda c: DataSettings(lowercase=True),
    ),
    Row("run_data_settings_text_not_a_path", "call", "text must be a path", action=lambda c: DataSettings(text=42)),
    Row(
        "run_data_settings_text_with_a_data_dir",  # accepted and recorded; the command line refuses it
        "call",
        "data_dir (--data-dir) says where the Penn Treebank is",
        action=lambda c: DataSettings(text=str(c.corpus), data_dir=str(c.tmp)),
    ),
    Row(
        "run_train_config_decay_overflow",
        "call",
        "takes the learning rate",
        action=lambda c: TrainConfig(schedule="step", lr_decay=1e300),
    ),
    Row(
        "run_model_config_init_scale",
        "call",
        "init_scale (--init-scale) must be in (0, 1e+06]",
        action=lambda c: ModelConfig(init_scale=5e6),
    ),
]


def _fifo(path):
    import os

    if not path.exists():
        os.mkfifo(path)
    return path


def _finished_again(c):
    """TrainingRun(resume=True) on the finished run: says so, changes nothing."""
    from gatedrnn.lm import get_preset

    rnnlm = get_preset("rnnlm")  # the finished run's recipe (tiny_train_args)
    summary = run_with(
        c,
        out=c.run,
        resume=True,
        model=rnnlm.model.replace(embedding_size=8, hidden_size=8, num_layers=1),
        training=rnnlm.training.replace(epochs=1, batch_size=4, seq_len=8),
    )
    assert summary["already_finished"] and summary["results"]["test_ppl"] > 1
