"""`gatedrnn generate` and generate(): one line per mistake, naming the flag the user typed, and the
same warning at both levels when the prompt holds what the vocabulary does not."""

import pytest
from helpers.tiny_runs import tiny_train_args, tiny_word_train_args, write_corpus, write_text

from gatedrnn import GatedRNNError
from gatedrnn.cli import main
from gatedrnn.lm import LanguageModel, ModelConfig, generate


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    """{level: best.npz} of a tiny character run (a pangram, lowercase) and a tiny word run (w0 … w39)."""
    directory = tmp_path_factory.mktemp("generate")
    assert main(tiny_train_args(write_text(directory), directory / "char", "--no-progress")) == 0
    assert main(tiny_word_train_args(write_corpus(directory), directory / "word")) == 0
    return {level: directory / level / "best.npz" for level in ("char", "word")}


def _warnings(err):
    return [line for line in err.splitlines() if line.startswith("gatedrnn: warning: not in the model's vocabulary")]


def test_a_character_model_warns_of_the_characters_it_reads_as_unknown(checkpoints, capsys):
    # it read them as the unknown character in silence, where a word model warned
    assert main(["generate", str(checkpoints["char"]), "--prompt", "the QUIQUE", "--length", "2", "--seed", "0"]) == 0
    (line,) = _warnings(capsys.readouterr().err)
    assert line.startswith("gatedrnn: warning: not in the model's vocabulary, read as \ufffd: 'Q', 'U', 'I', 'E';")
    assert line.endswith("the vocabulary is lowercase: write the prompt in lowercase")


def test_a_long_list_of_unknown_characters_is_shortened(checkpoints, capsys):
    assert main(["generate", str(checkpoints["char"]), "--prompt", "ABCDEFGHIJKLMNOP", "--length", "1"]) == 0
    (line,) = _warnings(capsys.readouterr().err)
    assert "'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J' and 6 more;" in line


def test_a_word_model_warns_in_the_same_words(checkpoints, capsys):
    assert main(["generate", str(checkpoints["word"]), "--prompt", "zebra w1 yak zebra", "--length", "1"]) == 0
    assert _warnings(capsys.readouterr().err) == [
        "gatedrnn: warning: not in the model's vocabulary, read as <unk>: 'zebra', 'yak'"
    ]


def test_a_known_prompt_gives_no_warning(checkpoints, capsys):
    assert main(["generate", str(checkpoints["char"]), "--prompt", "the dog", "--length", "1", "--seed", "0"]) == 0
    assert _warnings(capsys.readouterr().err) == []


@pytest.mark.parametrize("level", ["char", "word"])
@pytest.mark.parametrize("prompt", ["", " "])
def test_an_empty_prompt_says_to_give_text_or_leave_it_out(checkpoints, level, prompt, capsys):
    if level == "char" and prompt == " ":
        return  # a space is a character
    assert main(["generate", str(checkpoints[level]), "--prompt", prompt]) == 2
    unit = "character" if level == "char" else "word"
    assert capsys.readouterr().err == (
        f"gatedrnn: error: --prompt must hold at least one {unit}, got {prompt!r}; "
        "give --prompt some text, or leave it out\n"
    )


@pytest.mark.parametrize(
    "flags, keywords, line",
    [
        (
            ["--top-k", "0"],
            dict(top_k=0),
            "top_k (--top-k) must be a whole number ≥ 1, got 0; pass one such as 40, or leave it out (None) for no cut",
        ),
        (
            ["--top-p", "1.5"],
            dict(top_p=1.5),
            "top_p (--top-p) must be a number in (0, 1], got 1.5; pass one such as 0.9, "
            "or leave it out (None) for no cut",
        ),
        (
            ["--length", "-1"],
            dict(length=-1),
            "length (--length) must be a whole number ≥ 0, got -1; pass the number of tokens to add",
        ),
    ],
)
def test_generate_names_the_flag_and_the_keyword_in_one_line_at_both_doors(checkpoints, flags, keywords, line, capsys):
    assert main(["generate", str(checkpoints["word"]), *flags]) == 2
    assert capsys.readouterr().err == f"gatedrnn: error: {line}\n"
    model = LanguageModel(ModelConfig(vocab_size=5, embedding_size=2, hidden_size=2))
    with pytest.raises(GatedRNNError) as info:
        generate(model, [1], **{"length": 2, **keywords})
    assert str(info.value) == line


@pytest.mark.parametrize(
    "given, keywords, named",
    [
        (["--temperature", "0.5"], dict(temperature=0.5), "temperature (--temperature) would"),
        # given, though it is the default
        (["--temperature", "1.0"], dict(temperature=1.0), "temperature (--temperature) would"),
        (["--top-k", "5"], dict(top_k=5), "top_k (--top-k) would"),
        (["--top-p", "0.9"], dict(top_p=0.9), "top_p (--top-p) would"),
        (["--seed", "3"], dict(seed=3), "seed (--seed) would"),
        (["--top-k", "5", "--seed", "3"], dict(top_k=5, seed=3), "top_k (--top-k) and seed (--seed) would"),
    ],
)
def test_greedy_refuses_the_sampling_settings_it_would_ignore_at_both_doors(
    checkpoints, given, keywords, named, capsys
):
    # --greedy silently ignored them, and generate(greedy=True, ...) still did after the CLI refused
    assert main(["generate", str(checkpoints["word"]), "--greedy", *given]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    line = err.removeprefix("gatedrnn: error: ").rstrip("\n")
    assert line.startswith(f"greedy (--greedy) always takes the most likely token, so {named} change nothing;")
    assert line.endswith("or drop greedy (--greedy) to sample")
    model = LanguageModel(ModelConfig(vocab_size=5, embedding_size=2, hidden_size=2))
    with pytest.raises(GatedRNNError) as info:
        generate(model, [1], 2, greedy=True, **keywords)
    assert str(info.value) == line


def test_greedy_alone_and_sampling_options_alone_still_work(checkpoints, capsys):
    assert main(["generate", str(checkpoints["word"]), "--prompt", "w1", "--greedy", "--length", "3"]) == 0
    assert main(["generate", str(checkpoints["word"]), "--prompt", "w1", "--temperature", "0.5", "--seed", "1"]) == 0
    capsys.readouterr()


def test_demo_names_its_flag_and_run_s_default(capsys):
    from gatedrnn.lm import demo

    assert main(["demo", "--sample-every", "0"]) == 2
    line = "sample_every (--sample-every) must be a whole number ≥ 1, got 0; pass a whole number ≥ 1, such as 100"
    assert capsys.readouterr().err == f"gatedrnn: error: {line}\n"
    with pytest.raises(GatedRNNError) as info:
        demo.run(sample_every=0)
    assert str(info.value) == line


def _sample(checkpoint, capsys, *options):
    capsys.readouterr()
    assert main(["generate", str(checkpoint), "--length", "12", *options]) == 0
    return capsys.readouterr().out


def test_a_line_end_in_a_word_prompt_is_the_eos_training_read_there(checkpoints, capsys):
    """Training and eval read every line end of a word text as <eos>; the prompt did not (it
    was split on whitespace, so the model went on mid-line)."""
    typed = _sample(checkpoints["word"], capsys, "--greedy", "--prompt", "w1 w2\n")
    spelled = _sample(checkpoints["word"], capsys, "--greedy", "--prompt", "w1 w2 <eos>")
    assert typed.removeprefix("w1 w2\n") == spelled.removeprefix("w1 w2 <eos>").removeprefix(" ")
    assert not typed.removeprefix("w1 w2\n").startswith(" ")  # the new line starts without a space


def test_a_line_end_stops_a_word_sample_as_eos_does(checkpoints, capsys):
    # --stop $'\n' was refused as empty, with --stop '.' (not a word of the model) as the fix
    free = _sample(checkpoints["word"], capsys, "--prompt", "w1", "--seed", "0", "--length", "60")
    assert free.index("\n") < len(free) - 1  # the free sample ends a line before it ends
    line_end = _sample(checkpoints["word"], capsys, "--prompt", "w1", "--seed", "0", "--length", "60", "--stop", "\n")
    eos = _sample(checkpoints["word"], capsys, "--prompt", "w1", "--seed", "0", "--length", "60", "--stop", "<eos>")
    assert line_end == eos == free[: free.index("\n") + 1] + "\n"  # the stop's line break, then the closing one
    assert main(["generate", str(checkpoints["word"]), "--prompt", "w1", "--stop", " ", "--greedy"]) == 2
    assert "e.g. --stop $'\\n' (a line end, the model's <eos>)" in capsys.readouterr().err
