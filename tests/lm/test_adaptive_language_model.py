"""A language model whose read-out is an adaptive softmax (ModelConfig.adaptive_softmax): its
cutoffs, the frequency-ordered vocabulary it trains on, its gradients, training, evaluation,
generation and checkpoints."""

import json

import numpy as np
import pytest
from helpers.checkpoint_crafting import rewrite
from helpers.ptb_data import DATA_DIR, needs_ptb
from helpers.tiny_runs import tiny_word_train_args, write_corpus

from gatedrnn import rng
from gatedrnn.cli import main
from gatedrnn.data import TBPTTBatches, Vocabulary, load_text
from gatedrnn.errors import GatedRNNError
from gatedrnn.gradcheck import numerical_gradient, relative_error
from gatedrnn.lm import (
    DataSettings,
    LanguageModel,
    ModelConfig,
    TrainConfig,
    Trainer,
    TrainingRun,
    generate,
    load_corpus,
)
from gatedrnn.lm.adaptive_cutoffs import auto_cutoffs, parse_adaptive_softmax
from gatedrnn.lm.engine import evaluate_nll
from gatedrnn.lm.generate import next_token_distribution
from gatedrnn.lm.model import expected_shapes, parameter_array_count, parameter_count
from gatedrnn.lm.run_checkpoint import load_run_checkpoint, model_from_checkpoint


def adaptive_config(**overrides):
    settings = dict(
        vocab_size=30,
        embedding_size=8,
        hidden_size=16,
        num_layers=1,
        dropout=0.0,
        tie_weights=False,
        adaptive_softmax=(6, 14),
    )
    settings.update(overrides)
    return ModelConfig(**settings)


def zipf_corpus(directory, words=60, lines=400):
    """A word text whose frequencies fall as 1/rank (so an adaptive softmax has a head to find)."""
    generator = np.random.default_rng(0)
    probabilities = 1.0 / np.arange(1, words + 1)
    vocabulary = [f"w{i}" for i in generator.permutation(words)]  # frequency unrelated to first appearance
    text = "\n".join(
        " ".join(generator.choice(vocabulary, size=10, p=probabilities / probabilities.sum())) for _ in range(lines)
    )
    path = directory / "zipf.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return path


# -- the cutoffs --------------------------------------------------------------------------------
def test_the_command_line_spelling_and_the_stored_form():
    assert parse_adaptive_softmax("2000,6000") == (2000, 6000)
    assert parse_adaptive_softmax(" auto ") == "auto"
    assert parse_adaptive_softmax("2000;6000") == "2000;6000"  # refused by the config, in its words
    config = ModelConfig.from_dict(dict(adaptive_config().to_dict(), adaptive_softmax=[np.int64(6), 14]))
    assert config.adaptive_softmax == (6, 14) and isinstance(config.adaptive_softmax[0], int)
    assert json.loads(json.dumps(config.to_dict()))["adaptive_softmax"] == [6, 14]
    assert ModelConfig.from_dict({k: v for k, v in ModelConfig().to_dict().items() if k != "adaptive_softmax"})


def test_auto_takes_the_ids_that_cover_80_and_95_percent_of_the_training_tokens():
    # ids 0..9 with counts 50, 20, 10, 5, 5, 4, 3, 1, 1, 1 (100 tokens): the first k cover 50, 70, 80, 85,
    # 90, 94, 97 …: 80 % at k = 3, 95 % at k = 7
    counts = [50, 20, 10, 5, 5, 4, 3, 1, 1, 1]
    ids = np.repeat(np.arange(10), counts)
    assert auto_cutoffs(ids, 10, hidden_size=16) == (3, 7)
    assert auto_cutoffs(ids, 10, hidden_size=15) == (3,)  # a second cluster would project to 15 // 16 = 0
    assert auto_cutoffs(np.zeros(5, np.int64), 2, hidden_size=16) == (1,)  # one id covers all: no repeat, below V
    config = ModelConfig(hidden_size=16, embedding_size=16, tie_weights=False, adaptive_softmax="auto")
    assert config.for_corpus(10, ids).adaptive_softmax == (3, 7)


def test_auto_makes_the_clusters_the_div_value_leaves_room_for():
    counts = [50, 20, 10, 5, 5, 4, 3, 1, 1, 1]
    ids = np.repeat(np.arange(10), counts)
    assert auto_cutoffs(ids, 10, hidden_size=4, div_value=2.0) == (3, 7)  # widths 2 and 1
    assert auto_cutoffs(ids, 10, hidden_size=3, div_value=2.0) == (3,)  # 3 // 4 = 0: no second cluster
    assert auto_cutoffs(ids, 10, hidden_size=2, div_value=1.0) == (3, 7)  # div 1: every cluster keeps H
    config = ModelConfig(hidden_size=4, embedding_size=4, tie_weights=False, adaptive_softmax="auto")
    assert config.for_corpus(10, ids).adaptive_softmax == (3,)  # at torch's 4: 4 // 16 = 0, one cluster
    assert config.replace(adaptive_div_value=2).for_corpus(10, ids).adaptive_softmax == (3, 7)
    with pytest.raises(GatedRNNError, match=r"needs hidden_size \(--hidden-size\) ≥ 5 .* got 4"):
        config.replace(adaptive_div_value=5)  # not even the first cluster keeps a feature


@pytest.mark.parametrize("div_value, widths", [(4.0, (4, 1)), (2.0, (8, 4)), (1.0, (16, 16)), (0.5, (32, 64))])
def test_expected_shapes_and_counts_follow_the_div_value(div_value, widths):
    config = adaptive_config(adaptive_div_value=div_value)
    model = LanguageModel(config)
    names = {name: param.shape for name, param in model.named_parameters()}
    assert list(names.items()) == list(expected_shapes(config).items())
    assert model.decoder.div_value == div_value
    assert [names[f"decoder.tail.{k}.0.weight"] for k in range(2)] == [(widths[0], 16), (widths[1], 16)]
    assert [names[f"decoder.tail.{k}.1.weight"] for k in range(2)] == [(8, widths[0]), (16, widths[1])]
    assert parameter_count(config) == sum(p.data.size for p in model.parameters())


def test_the_div_value_is_checked_with_the_cutoffs_and_harmless_without_them():
    assert adaptive_config(hidden_size=16, adaptive_div_value=4).adaptive_div_value == 4.0  # 16 // 4^2 = 1
    with pytest.raises(
        GatedRNNError,
        match=r"needs hidden_size \(--hidden-size\) ≥ 25 .*adaptive_div_value \(--adaptive-div-value\) = 5\)",
    ):
        adaptive_config(adaptive_div_value=5)  # 16 // 25 = 0
    assert adaptive_config(adaptive_softmax=(6,), adaptive_div_value=16).adaptive_div_value == 16.0
    config = ModelConfig(adaptive_div_value=np.float32(2.5))  # no adaptive softmax: kept, unused
    assert config.adaptive_div_value == 2.5 and type(config.adaptive_div_value) is float
    assert type(LanguageModel(config.replace(vocab_size=20, num_layers=1)).decoder).__name__ == "Linear"


def test_expected_shapes_and_counts_are_the_built_model_s():
    config = adaptive_config(num_layers=2)
    model = LanguageModel(config)
    names = {name: param.shape for name, param in model.named_parameters()}
    assert list(names.items()) == list(expected_shapes(config).items())
    assert "decoder.head.weight" in names and names["decoder.tail.1.1.weight"] == (16, 1)
    assert parameter_array_count(config) == len(names)
    assert parameter_count(config) == sum(p.data.size for p in model.parameters())


# -- the vocabulary numbered by frequency ---------------------------------------------------------
def test_a_text_numbered_by_frequency_is_vocabulary_build_s_order(tmp_path):
    path = zipf_corpus(tmp_path)
    corpus = load_text(path, order="frequency")
    tokens = path.read_text().replace("\n", " <eos> ").split()
    train_tokens = corpus.vocab.decode(corpus.train)
    built = Vocabulary.build(train_tokens, unk_token="<unk>", order="frequency")
    assert corpus.vocab.id_to_token == built.id_to_token
    counts = np.bincount(corpus.train, minlength=len(corpus.vocab))
    assert (np.diff(counts[1:]) <= 0).all()  # after <unk>, the most frequent first
    plain = load_text(path)
    assert plain.vocab.decode(plain.train) == corpus.vocab.decode(corpus.train) == tokens[: len(corpus.train)]


@needs_ptb
def test_ptb_numbered_by_frequency_holds_the_same_text_under_other_ids():
    plain = DataSettings(data_dir=DATA_DIR).load()
    ordered = DataSettings(data_dir=DATA_DIR, vocab_order="frequency").load()
    assert ordered.vocab.id_to_token[:4] == ["<unk>", "the", "<eos>", "N"]
    assert sorted(ordered.vocab.id_to_token) == sorted(plain.vocab.id_to_token)
    assert ordered.vocab.id_to_token != plain.vocab.id_to_token
    for split in ("train", "valid", "test"):
        ours, theirs = getattr(ordered, split), getattr(plain, split)
        assert ordered.vocab.decode(ours[:500]) == plain.vocab.decode(theirs[:500])
        np.testing.assert_array_equal(DataSettings.from_record(ordered.source).read_split(split, ordered.vocab), ours)
    assert ordered.source["vocab_order"] == "frequency" and ordered.source["fingerprint"] != plain.source["fingerprint"]
    assert auto_cutoffs(ordered.train, 10_000, 100) == (1072, 4754)


def test_a_run_with_an_adaptive_softmax_numbers_its_vocabulary_by_frequency(tmp_path):
    path = zipf_corpus(tmp_path)
    run = TrainingRun(
        tmp_path / "run",
        DataSettings(text=path),
        adaptive_config(adaptive_softmax="auto"),
        TrainConfig(epochs=1, batch_size=4, seq_len=8, lr=1.0, eval_batch_size=2),
        progress=False,
        echo=lambda line: None,
    )
    trainer = run.build()
    counts = np.bincount(trainer.corpus.train, minlength=len(trainer.corpus.vocab))
    assert (np.diff(counts[1:]) <= 0).all()
    assert trainer.run_info["data"]["vocab_order"] == "frequency"
    cutoffs = trainer.model.config.adaptive_softmax
    assert cutoffs == auto_cutoffs(trainer.corpus.train, len(trainer.corpus.vocab), 16)


# -- gradients and training -----------------------------------------------------------------------
@pytest.mark.parametrize("div_value", [4.0, 2.0])
def test_float64_gradients_through_the_whole_model_match_numerical_ones(div_value):
    rng.seed(3)
    config = adaptive_config(num_layers=2, hidden_size=16, embedding_size=6, adaptive_div_value=div_value)
    model = LanguageModel(config, dtype=np.float64)
    generator = np.random.default_rng(4)
    ids = generator.integers(0, 30, size=(3, 5))
    targets = np.concatenate([generator.integers(0, 6, 5), generator.integers(6, 30, 10)]).reshape(3, 5)
    criterion = model.criterion()

    def loss():
        features, _ = model(ids)
        return criterion(features, targets)

    model.zero_grad()
    loss()
    model.backward(criterion.backward(1.0))
    for name, param in model.named_parameters():
        expected = numerical_gradient(loss, param.data)
        assert relative_error(param.grad, expected) < 1e-6, name


def test_a_tiny_adaptive_model_learns(tmp_path):
    path = zipf_corpus(tmp_path)
    run = TrainingRun(
        tmp_path / "run",
        DataSettings(text=path),
        adaptive_config(adaptive_softmax="auto"),
        TrainConfig(epochs=3, batch_size=4, seq_len=8, optimizer="adam", lr=1e-2, eval_batch_size=2),
        progress=False,
        echo=lambda line: None,
    )
    summary = run.train()
    valid = [record["valid_ppl"] for record in run.trainer.log.records("valid")]
    assert summary["finished"] and valid[-1] < valid[0] < len(run.trainer.corpus.vocab)


def test_evaluation_is_exp_of_the_mean_nll_under_log_prob():
    rng.seed(0)
    model = LanguageModel(adaptive_config(dropout=0.3), dtype=np.float64)
    ids = np.random.default_rng(5).integers(0, 30, size=200)
    total, count, state = 0.0, 0, None
    model.eval()
    for inputs, targets in TBPTTBatches(ids, 4, 7):
        features, state = model.rnn(model.embed(inputs), state)
        logprob = model.decoder.log_prob(features.reshape(-1, 16))
        total -= logprob[np.arange(targets.size), targets.reshape(-1)].sum()
        count += targets.size
    model.train()
    assert evaluate_nll(model, ids, 4, 7) == pytest.approx(total / count, rel=1e-12)
    assert model.training  # evaluation leaves the mode as it found it


def test_generation_samples_from_the_log_probabilities():
    rng.seed(0)
    model = LanguageModel(adaptive_config())
    model.eval()
    scores, _ = model(np.array([[1, 2, 3]]))
    assert scores.shape == (1, 3, 30) and np.allclose(np.exp(scores).sum(-1), 1.0, atol=1e-5)
    greedy = generate(model, prompt_ids=[1, 2], length=4, greedy=True)
    assert len(greedy) == 4 and greedy[0] == int(scores[0, 1].argmax())  # after the prompt [1, 2]
    # a softmax of log-probabilities is the probabilities: temperature 1 samples from p itself
    np.testing.assert_allclose(next_token_distribution(scores[0, 1]), np.exp(scores[0, 1]), rtol=1e-5)
    assert generate(model, prompt_ids=[1, 2], length=6, seed=7) == generate(model, prompt_ids=[1, 2], length=6, seed=7)


# -- checkpoints ----------------------------------------------------------------------------------
def test_a_stopped_run_resumes_to_the_uninterrupted_run_s_weights(tmp_path, capsys):
    path = write_corpus(tmp_path, lines=160, words=40)
    args = [
        "train", "--text", str(path), "--preset", "rnnlm", "--hidden-size", "16", "--embedding-size", "8",
        "--batch-size", "4", "--seq-len", "8", "--eval-batch-size", "2", "--epochs", "2", "--no-progress",
        "--adaptive-softmax", "auto",
    ]  # fmt: skip
    assert main([*args, "--out", str(tmp_path / "whole")]) == 0
    assert main([*args, "--out", str(tmp_path / "parts"), "--max-steps", "45"]) == 0
    assert main([*args, "--out", str(tmp_path / "parts"), "--resume"]) == 0
    whole, parts = (
        load_run_checkpoint(tmp_path / "whole" / "last.npz"),
        load_run_checkpoint(tmp_path / "parts" / "last.npz"),
    )
    assert whole.config == parts.config and whole.config.adaptive_softmax is not None
    for name, array in whole.model_weights.items():
        np.testing.assert_array_equal(parts.model_weights[name], array, err_msg=name)
    model, vocab, metadata = model_from_checkpoint(tmp_path / "whole" / "best.npz")
    assert type(model.decoder).__name__ == "AdaptiveLogSoftmaxWithLoss"
    assert metadata["run"]["data"]["vocab_order"] == "frequency"
    # eval reads the split with the checkpoint's own vocabulary, numbered by frequency
    results = json.loads((tmp_path / "whole" / "results.json").read_text())
    assert results["model"]["adaptive_softmax"] == list(whole.config.adaptive_softmax)
    capsys.readouterr()
    assert main(["eval", str(tmp_path / "whole" / "best.npz"), "--split", "test"]) == 0
    assert f"perplexity {results['test_ppl']:.2f}" in capsys.readouterr().out


def test_the_div_value_trains_from_the_command_line_and_stays_in_results_and_checkpoints(tmp_path):
    corpus = write_corpus(tmp_path, words=80)
    out = tmp_path / "run"
    args = tiny_word_train_args(
        corpus, out, "--no-tie-weights", "--adaptive-softmax", "50", "--adaptive-div-value", "2"
    )
    assert main(args) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["model"]["adaptive_div_value"] == 2.0 and results["model"]["adaptive_softmax"] == [50]
    model, _, _ = model_from_checkpoint(out / "best.npz")
    assert model.config.adaptive_div_value == 2.0 and model.decoder.div_value == 2.0
    assert model.state_dict()["decoder.tail.0.0.weight"].shape == (4, 8)  # H = 8, 8 // 2
    assert load_run_checkpoint(out / "last.npz").config == model.config


def test_a_checkpoint_written_before_the_div_value_existed_reads_as_torch_s_4(tmp_path):
    corpus = write_corpus(tmp_path, words=80)
    out = tmp_path / "run"
    assert main(tiny_word_train_args(corpus, out, "--no-tie-weights", "--adaptive-softmax", "50")) == 0

    def forget_the_div_value(sections, metadata):
        del metadata["model"]["adaptive_div_value"]

    old = rewrite(out / "best.npz", tmp_path / "old.npz", forget_the_div_value)
    model, _, metadata = model_from_checkpoint(old)
    assert "adaptive_div_value" not in metadata["model"]
    assert model.config.adaptive_div_value == 4.0 and model.state_dict()["decoder.tail.0.0.weight"].shape == (2, 8)


# -- an adaptive softmax needs ids by frequency: every door that takes a ready corpus checks it --
ORDER_WORDS = "a b c d e f g h i j k l m n o p".split()


def _rare_words_first_text(tmp_path):
    """Rare words first, so that order of appearance and order of frequency differ."""
    path = tmp_path / "words.txt"
    rng = np.random.default_rng(0)
    common = " ".join(rng.choice(ORDER_WORDS[8:], size=400))
    path.write_text(" ".join(ORDER_WORDS[:8]) + "\n" + common + "\n")
    return path


def _tiny_training():
    return TrainConfig(epochs=1, batch_size=2, seq_len=5, eval_batch_size=2)


def _frequency_model(corpus):
    return LanguageModel(adaptive_config(vocab_size=len(corpus.vocab)))


def test_a_trainer_refuses_an_adaptive_softmax_over_ids_in_order_of_appearance(tmp_path):
    corpus = load_corpus(text=str(_rare_words_first_text(tmp_path)))
    with pytest.raises(GatedRNNError, match="vocab_order='frequency'"):
        Trainer(_frequency_model(corpus), corpus, _tiny_training(), tmp_path / "run", progress=False)


def test_a_training_run_refuses_such_a_corpus_when_it_is_made(tmp_path):
    corpus = load_corpus(text=str(_rare_words_first_text(tmp_path)))
    with pytest.raises(GatedRNNError, match="numbered by frequency"):
        TrainingRun(tmp_path / "run", corpus, adaptive_config(vocab_size=None), _tiny_training(), progress=False)
    assert not (tmp_path / "run").exists()


def test_load_corpus_numbers_by_frequency_when_asked_and_the_trainer_takes_it(tmp_path):
    corpus = load_corpus(text=str(_rare_words_first_text(tmp_path)), vocab_order="frequency")
    counts = np.bincount(corpus.train, minlength=len(corpus.vocab))
    text_ids = [corpus.vocab.token_to_id[word] for word in ORDER_WORDS]
    assert list(counts[sorted(text_ids)]) == sorted(counts[text_ids], reverse=True)
    Trainer(_frequency_model(corpus), corpus, _tiny_training(), tmp_path / "run", progress=False)
