"""Seq2Seq: float64 gradient checks (plain, reversed, peeky; LSTM and GRU; padded sources), the
teacher-forced decoder equal to the step-by-step one, and the tasks' encodings."""

import numpy as np
import pytest

import gatedrnn
from gatedrnn.gradcheck import numerical_gradient, relative_error
from gatedrnn.layers import SoftmaxCrossEntropy
from gatedrnn.seq.seq2seq import Seq2Seq, reverse_real
from gatedrnn.seq.transduction_tasks import addition, reversal


def small_model(**options):
    gatedrnn.seed(0)
    # init="pytorch": O(1) embeddings and weights give every gradient a size finite differences can
    # measure (the book's default scheme, N(0, 0.01²) embeddings, leaves some near rounding noise).
    options.setdefault("init", "pytorch")
    return Seq2Seq(vocab_size=9, embedding_size=4, hidden_size=5, dtype=np.float64, **options)


def batch():
    rng = np.random.default_rng(1)
    source = rng.integers(3, 9, (3, 6))
    lengths = np.array([6, 4, 2])
    source[1, 4:] = 0
    source[2, 2:] = 0
    decoder_input = rng.integers(1, 9, (3, 4))
    targets = rng.integers(0, 9, (3, 4))
    targets[2, 3] = 0  # a padded target position, ignored by the loss
    return source, lengths, decoder_input, targets


@pytest.mark.parametrize(
    "options",
    [
        dict(),
        dict(reverse_source=True),
        dict(peeky=True),
        dict(peeky=True, reverse_source=True, num_layers=2),
        dict(cell="gru", peeky=True),
        dict(attention="dot"),
        dict(attention="general", reverse_source=True),
        dict(attention="additive", peeky=True, num_layers=2),
        dict(attention="dot", input_feeding=True),
        dict(attention="general", input_feeding=True, num_layers=2, cell="gru"),
        dict(bidirectional=True, num_layers=2, peeky=True),
        dict(bidirectional=True, attention="dot", reverse_source=True),
    ],
)
def test_gradients_match_numerical_in_float64(options):
    model = small_model(**options)
    attention = model.attention if model.feeding is None else model.feeding.attention
    if attention is not None:  # weights large enough that the scores matter (their gradients measurable)
        generator = np.random.default_rng(5)
        for param in attention.parameters():
            param.data[...] = generator.standard_normal(param.shape) * 2.0
    source, lengths, decoder_input, targets = batch()
    criterion = SoftmaxCrossEntropy(ignore_index=0)

    def loss():
        return float(criterion(model(source, lengths, decoder_input), targets))

    loss()
    model.zero_grad()
    model.backward(criterion.backward())
    for name, param in model.named_parameters():
        numerical = numerical_gradient(loss, param.data, eps=1e-5)  # less rounding noise for small gradients
        assert relative_error(param.grad, numerical) < 1e-6, name


@pytest.mark.parametrize(
    "options",
    [
        dict(),
        dict(peeky=True),
        dict(attention="dot"),
        dict(attention="additive", peeky=True),
        dict(attention="dot", input_feeding=True),
    ],
)
def test_teacher_forced_scores_equal_stepping_the_decoder(options):
    """Feeding the true tokens all at once or one step at a time (state carried) gives the same scores."""
    model = small_model(**options)
    model.eval()
    source, lengths, decoder_input, _ = batch()
    whole = model(source, lengths, decoder_input)
    state = model.encode(source, lengths)
    summary = model.summary(state)
    steps = []
    for t in range(decoder_input.shape[1]):
        logits, state = model.decode(decoder_input[:, t : t + 1], state, summary)
        steps.append(logits[:, 0])
    np.testing.assert_allclose(np.stack(steps, axis=1), whole, rtol=1e-12, atol=1e-12)


def test_greedy_feeds_back_its_own_choices():
    model = small_model()
    source, lengths, _, _ = batch()
    out = model.greedy(source, lengths, bos_id=1, steps=5)
    first = model.greedy(source, lengths, bos_id=1, steps=1)
    assert out.shape == (3, 5) and np.array_equal(out[:, :1], first)
    # step 2's choice is the argmax after feeding step 1's choice
    model.eval()
    logits = model(source, lengths, np.concatenate([np.ones((3, 1), np.int64), out[:, :1]], axis=1))
    assert np.array_equal(logits[:, 1].argmax(-1), out[:, 1])


def test_reverse_real_keeps_padding_at_the_end():
    ids = np.array([[1, 2, 3, 0], [4, 5, 0, 0]])
    assert reverse_real(ids, np.array([3, 2])).tolist() == [[3, 2, 1, 0], [5, 4, 0, 0]]


def test_addition_is_the_books_format():
    data = addition(train_count=20, test_count=5, seed=3)
    source, target = data.train[0][0], data.train[1][0]
    a, b = (int(x) for x in source.split("+"))
    assert len(source) == 7 and len(target) == 4 and int(target) == a + b
    inputs, outputs = data.encode_targets([target])
    assert inputs.shape == outputs.shape == (1, 4)  # '_' and 3 answer characters in, 4 out
    assert data.decode(outputs[0]) == target and data.symbols[inputs[0, 0]] == "<bos>"


def test_reversal_targets_end_in_eos():
    data = reversal(train_count=4, test_count=1, seed=0)
    inputs, outputs = data.encode_targets(["abc"])
    assert inputs.shape == outputs.shape == (1, 4)
    assert data.symbols[inputs[0, 0]] == "<bos>" and data.symbols[outputs[0, 3]] == "<eos>"
    assert data.decode(outputs[0]) == "abc"


def test_cli_task_addition_trains_and_writes_results(tmp_path, capsys):
    import json

    from gatedrnn.cli import main

    results = tmp_path / "addition.json"
    assert (
        main(
            [
                "task",
                "addition",
                "--reverse-source",
                "--peeky",
                "--epochs",
                "2",
                "--train-count",
                "300",
                "--test-count",
                "30",
                "--hidden-size",
                "16",
                "--no-progress",
                "--results",
                str(results),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert printed.count("test exact match") == 2
    saved = json.loads(results.read_text())
    assert saved["model"]["peeky"] and saved["model"]["reverse_source"] and len(saved["history"]) == 2
    assert 0.0 <= saved["test_exact_match"] <= 1.0


def test_a_tiny_reversal_is_learnt():
    """Enough to show that training works: 3-letter reversals, exact match well above chance."""
    from gatedrnn import threads
    from gatedrnn.seq.seq2seq_training import exact_match, fit_transduction

    data = reversal(train_count=1500, test_count=100, min_length=3, max_length=3, seed=0)
    gatedrnn.seed(0)
    model = Seq2Seq(data.vocab_size, 16, 64)
    with threads.settings(deterministic=True):
        fit_transduction(model, data, epochs=8, batch_size=32, lr=5e-3, echo=lambda *_: None, progress=False)
        assert exact_match(model, data) > 0.5  # chance is 1 in 26³


def test_attention_never_looks_at_padding():
    model = small_model(attention="dot")
    source, lengths, decoder_input, _ = batch()
    model(source, lengths, decoder_input)
    weights = model.attention_weights
    assert weights.shape == (3, 4, 6)
    np.testing.assert_allclose(weights.sum(-1), 1.0)
    assert np.all(weights[1, :, 4:] == 0) and np.all(weights[2, :, 2:] == 0)


@pytest.mark.parametrize(
    "options", [dict(), dict(attention="general", peeky=True), dict(attention="dot", input_feeding=True, num_layers=2)]
)
def test_beam_search_of_width_one_is_greedy(options):
    from gatedrnn.seq.seq2seq import beam_search

    model = small_model(**options)
    source, lengths, _, _ = batch()
    greedy = model.greedy(source, lengths, bos_id=1, steps=6)
    for row in range(3):
        ids, _ = beam_search(model, source[row], lengths[row], bos_id=1, steps=6, width=1)
        assert ids.tolist() == greedy[row].tolist()


def test_a_wider_beam_never_finds_a_less_likely_output():
    """Without eos every output has the same length: the best of width 4 scores at least greedy's."""
    from gatedrnn.seq.seq2seq import beam_search

    model = small_model(attention="dot")
    source, lengths, _, _ = batch()
    for row in range(3):
        _, narrow = beam_search(model, source[row], lengths[row], bos_id=1, steps=5, width=1, alpha=0.0)
        _, wide = beam_search(model, source[row], lengths[row], bos_id=1, steps=5, width=4, alpha=0.0)
        assert wide >= narrow - 1e-12


def test_beam_search_stops_outputs_at_eos():
    from gatedrnn.seq.seq2seq import beam_search

    model = small_model()
    model.readout.bias.data[2] = 50.0  # <eos> (id 2) always most likely
    source, lengths, _, _ = batch()
    ids, score = beam_search(model, source[0], lengths[0], bos_id=1, steps=6, width=3, eos_id=2)
    assert ids.tolist() == [] and score > -1e-6


def test_exact_match_by_beam_of_width_one_equals_greedy():
    from gatedrnn.seq.seq2seq_training import exact_match

    data = reversal(train_count=10, test_count=12, min_length=2, max_length=4, seed=1)
    gatedrnn.seed(0)
    model = Seq2Seq(data.vocab_size, 8, 12, attention="dot")
    greedy = exact_match(model, data)
    from gatedrnn.seq.seq2seq import beam_search

    ids, lengths = data.encode_sources(data.test[0])
    decoded = [
        data.decode(beam_search(model, ids[n], lengths[n], 1, 5, 1, data.symbols.index("<eos>"))[0])
        for n in range(len(ids))
    ]
    assert greedy == sum(d == t for d, t in zip(decoded, data.test[1], strict=True)) / len(ids)


def test_dates_are_written_many_ways_and_answered_in_iso():
    import datetime

    from gatedrnn.seq.transduction_tasks import DATE_STYLES, dates

    data = dates(train_count=400, test_count=10, seed=2)
    for source, target in zip(*data.train, strict=True):
        date = datetime.date.fromisoformat(target)
        assert str(date.year % 100) in source or str(date.year) in source
        if "," in source and source.split(",")[0].lower() in (
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ):
            assert source.split(",")[0].lower() == date.strftime("%A").lower()
    shapes = {(("/" in s), ("." in s), ("," in s), s[:1].isdigit()) for s in data.train[0]}
    assert len(shapes) >= 4 and len(DATE_STYLES) == 8
    assert data.target_width == 10


def test_copy_targets_are_the_sources():
    from gatedrnn.seq.transduction_tasks import copy

    data = copy(train_count=5, test_count=2, min_length=4, max_length=9, seed=3)
    assert data.train[0] == data.train[1] and all(4 <= len(s) <= 9 for s in data.train[0])


@pytest.mark.parametrize(
    "options",
    [
        dict(),
        dict(peeky=True, reverse_source=False),
        dict(attention="dot"),
        dict(attention="dot", peeky=True, num_layers=2),
    ],
)
def test_matches_an_encoder_decoder_built_from_torch_modules(options):
    """The same encoder–decoder from nn.Embedding, nn.LSTM (packed, for the padded sources) and
    nn.Linear, with gatedrnn's weights: the same loss and the same gradient for every weight."""
    torch = pytest.importorskip("torch")
    nn = torch.nn
    model = small_model(**options)
    source, lengths, decoder_input, targets = batch()
    criterion = SoftmaxCrossEntropy(ignore_index=0)
    loss = criterion(model(source, lengths, decoder_input), targets)
    model.zero_grad()
    model.backward(criterion.backward())

    layers = model.config["num_layers"]
    modules = nn.ModuleDict(
        dict(
            encoder_embed=nn.Embedding(9, 4),
            decoder_embed=nn.Embedding(9, 4),
            encoder=nn.LSTM(4, 5, layers, batch_first=True),
            decoder=nn.LSTM(4 + (5 if model.peeky else 0), 5, layers, batch_first=True),
            readout=nn.Linear(model.readout.in_features, 9),
        )
    ).double()
    modules.load_state_dict({name: torch.from_numpy(array.copy()) for name, array in model.state_dict().items()})
    src, tgt_in = torch.from_numpy(source), torch.from_numpy(decoder_input)
    packed = nn.utils.rnn.pack_padded_sequence(
        modules["encoder_embed"](src), torch.from_numpy(lengths), batch_first=True, enforce_sorted=False
    )
    enc_packed, (h, c) = modules["encoder"](packed)
    enc_out, _ = nn.utils.rnn.pad_packed_sequence(enc_packed, batch_first=True, total_length=source.shape[1])
    summary = h[-1]
    xs = modules["decoder_embed"](tgt_in)
    if model.peeky:
        xs = torch.cat([xs, summary[:, None].expand(-1, xs.shape[1], -1)], dim=-1)
    hs, _ = modules["decoder"](xs, (h, c))
    parts = [hs]
    if model.attention is not None:
        scores = hs @ enc_out.transpose(1, 2)
        mask = torch.arange(source.shape[1])[None, :] < torch.from_numpy(lengths)[:, None]
        weights = torch.softmax(scores.masked_fill(~mask[:, None, :], float("-inf")), dim=-1)
        parts.append(weights @ enc_out)
    if model.peeky:
        parts.append(summary[:, None].expand(-1, hs.shape[1], -1))
    logits = modules["readout"](torch.cat(parts, dim=-1))
    reference = nn.functional.cross_entropy(
        logits.reshape(-1, 9), torch.from_numpy(targets).reshape(-1), ignore_index=0
    )
    reference.backward()
    assert loss == pytest.approx(reference.item(), rel=1e-12)
    for name, param in modules.named_parameters():
        ours = dict(model.named_parameters())[name]
        np.testing.assert_allclose(ours.grad, param.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


def test_scheduled_inputs_between_teacher_forcing_and_free_running():
    from gatedrnn.seq.seq2seq import scheduled_inputs

    model = small_model(attention="dot")
    source, lengths, decoder_input, _ = batch()
    generator = np.random.default_rng(0)
    assert scheduled_inputs(model, source, lengths, decoder_input, 1.0, generator) is decoder_input
    own = scheduled_inputs(model, source, lengths, decoder_input, 0.0, generator)
    greedy = model.greedy(source, lengths, bos_id=decoder_input[0, 0], steps=3)
    assert np.array_equal(own[:, 0], decoder_input[:, 0])
    # with the same first token, free running feeds the greedy choices
    same_start = decoder_input[:, 0] == decoder_input[0, 0]
    assert np.array_equal(own[same_start, 1:], greedy[same_start])
    half = scheduled_inputs(model, source, lengths, decoder_input, 0.5, np.random.default_rng(1))
    keep = np.random.default_rng(1).random(decoder_input.shape) < 0.5
    # each later input is the true token where kept, else the model's choice given the mixed history
    model.eval()
    logits = model(source, lengths, half)
    model.train()
    for t in range(1, 4):
        expected = np.where(keep[:, t], decoder_input[:, t], logits[:, t - 1].argmax(-1))
        assert np.array_equal(half[:, t], expected), t
    assert 0 < keep[:, 1:].sum() < keep[:, 1:].size and model.training


def test_cli_scheduled_sampling_runs(tmp_path, capsys):
    from gatedrnn.cli import main

    assert (
        main(
            [
                "task",
                "reversal",
                "--teacher-forcing",
                "0.5",
                "--epochs",
                "1",
                "--train-count",
                "100",
                "--test-count",
                "10",
                "--hidden-size",
                "8",
                "--no-progress",
            ]
        )
        == 0
    )
    assert main(["task", "reversal", "--teacher-forcing", "1.5"]) == 2
    assert "teacher_forcing (--teacher-forcing) must be a probability" in capsys.readouterr().err


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_one_to_many_gradients_match_numerical_in_float64(cell):
    from gatedrnn.seq.seq2seq import OneToMany

    gatedrnn.seed(0)
    model = OneToMany(vocab_size=9, embedding_size=4, hidden_size=5, cell=cell, dtype=np.float64)
    source = np.array([[3, 6], [7, 4], [5, 5]])  # two tokens each, one repeated
    _, _, decoder_input, targets = batch()
    criterion = SoftmaxCrossEntropy(ignore_index=0)

    def loss():
        return float(criterion(model(source, np.ones(3, np.int64), decoder_input), targets))

    loss()
    model.zero_grad()
    model.backward(criterion.backward())
    for name, param in model.named_parameters():
        assert relative_error(param.grad, numerical_gradient(loss, param.data, eps=1e-5)) < 1e-6, name


def test_numbers_task_spells_and_the_cli_trains_it(capsys):
    from gatedrnn.cli import main
    from gatedrnn.seq.transduction_tasks import number_words, numbers

    assert [number_words(n) for n in (0, 13, 42, 100, 342)] == [
        "zero",
        "thirteen",
        "forty-two",
        "one hundred",
        "three hundred forty-two",
    ]
    data = numbers(train_count=900, test_count=100)
    assert not set(map(tuple, data.train[0])) & set(map(tuple, data.test[0]))  # test numbers never trained on
    assert main(["task", "numbers", "--epochs", "1", "--hidden-size", "16", "--no-progress"]) == 0
    assert "test exact match" in capsys.readouterr().out
    assert main(["task", "numbers", "--attention", "dot"]) == 2
    assert "one-to-many" in capsys.readouterr().err


def test_input_feeding_needs_attention():
    from gatedrnn import GatedRNNError

    with pytest.raises(GatedRNNError, match="needs attention"):
        Seq2Seq(9, 4, 5, input_feeding=True)


def test_lr_decay_is_a_divisor_from_decay_start_and_checked(capsys):
    import gatedrnn.seq.seq2seq_training as training
    from gatedrnn.cli import main

    data = reversal(train_count=40, test_count=4, seed=0)
    gatedrnn.seed(0)
    history = training.fit_transduction(
        Seq2Seq(data.vocab_size, 4, 8),
        data,
        epochs=3,
        batch_size=40,
        lr=0.01,
        lr_decay=2.0,
        decay_start=1,
        echo=lambda *_: None,
        progress=False,
    )
    assert [record["lr"] for record in history] == [0.01, 0.01 / 2.0, 0.01 / 4.0]
    assert main(["task", "reversal", "--lr-decay", "0"]) == 2
    assert "lr_decay (--lr-decay) must be a divisor ≥ 1" in capsys.readouterr().err
