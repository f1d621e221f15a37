"""Units: what single hidden units of a trained character-level model keep track of, coloured over the text.

(On the command line this is ``gatedrnn lab cells``, after the "interpretable cells" of the
paper below; here a *unit* is one of the H components of a recurrent layer's state.)

The model reads a text one character at a time; after each character every unit's hidden
state h_t[j] (and, for an LSTM, its cell state c_t[j]) is recorded. One unit's value is
then painted behind each character, blue for negative and red for positive (after
Karpathy, Johnson & Fei-Fei 2015), as an HTML page and a PNG.

To find units worth looking at, the text is also described by three signals a model of
Python source could use, and every unit is correlated with each (Pearson's r over the
characters):

    quotes     1 inside a string literal (quotes included, ''' and \"\"\" too), else 0
    line       the position in the line: 0 at a line's first character, counting up
    brackets   how many (, [ and { are open, outside strings and comments

A unit with |r| near 1 tracks that signal; the page shows the best one unless told which.
"""

import codecs
import html
import os
import sys
import sysconfig
import time
from pathlib import Path

import numpy as np

from ..data.pieces import text_pieces
from ..errors import GatedRNNError, is_whole_number, signature_defaults
from ..figures import monospace_family, pyplot, save_figure
from ..files import atomic_write_bytes, open_regular_file
from ..own_files import HTML_GENERATOR_TAG
from .checks import FLOAT_BYTES, STATE_FLOATS_PER_UNIT, check_counts, check_fits

FEATURES = ("quotes", "line", "brackets")
FEATURE_WORDS = dict(quotes="strings", line="characters past the start of a line", brackets="open brackets")
STATES = ("cell", "hidden")  # which state of a unit to read: the LSTM's c_t, or h_t
UTF8_MAX_BYTES = 4  # bytes of the longest UTF-8 character
DEFAULT_TEXT_MODULE = "string.py"  # in every Python; the demo's training text stops at 'a…' files


# -- the text and what it says ---------------------------------------------------------------
def default_text():
    """(text, label): the standard library's string.py, which ``gatedrnn demo`` does not train on."""
    path = Path(sysconfig.get_paths()["stdlib"]) / DEFAULT_TEXT_MODULE
    label = f"{DEFAULT_TEXT_MODULE} from the Python {sys.version_info.major}.{sys.version_info.minor} standard library"
    try:
        return path.read_text(encoding="utf-8"), label
    except OSError:
        raise GatedRNNError(f"cannot read {path}; pass a text to colour with --text FILE") from None


def read_text_start(path, chars):
    """The first ``chars`` characters of the UTF-8 file at ``path``, reading no more than they can take.

    Read as training and eval read a text (gatedrnn.data.pieces.text_pieces: a leading
    byte-order mark dropped, ``\\r\\n`` read as ``\\n``), so a unit is coloured over the
    characters the model was trained on. A regular file only (gatedrnn.files.open_regular_file:
    a FIFO would hang, /dev/zero never end), read in pieces of at most 4 bytes a character (and
    a mark), so a huge file costs no more than the part shown.
    """
    piece_bytes = UTF8_MAX_BYTES * chars + len(codecs.BOM_UTF8)
    with open_regular_file(path, "text file") as handle:
        size = min(os.fstat(handle.fileno()).st_size, piece_bytes)
        # the bytes, and their str (up to 4 bytes a character)
        check_fits(f"reading {size:,} bytes of {path}", 5 * size, "use fewer chars")
        text = ""
        for piece in text_pieces(handle, path, level="char", piece_bytes=piece_bytes):
            text += piece
            if len(text) >= chars:  # enough: the rest of the file is never read
                break
    return text[:chars]


def python_text_features(text):
    """Per character of ``text``: in-string flag, column in its line and bracket depth, each (T,) float.

    A small scanner over Python source with three states — code, comment (from # to the end
    of the line) and string (from an opening ' " ''' or \"\"\" to its unescaped match) — so
    that a quote inside a comment or a bracket inside a string changes nothing.
    """
    quotes, columns, depths = np.zeros(len(text)), np.zeros(len(text)), np.zeros(len(text))
    column, depth, position = 0, 0, 0
    mode, delimiter = "code", ""
    while position < len(text):
        char = text[position]
        width = 1
        if mode == "code":
            if char == "#":
                mode = "comment"
            elif char in "'\"":
                delimiter = char * 3 if text.startswith(char * 3, position) else char
                width, mode = len(delimiter), "string"
                quotes[position : position + width] = 1
            elif char in "([{":
                depth += 1
            elif char in ")]}":
                depth = max(depth - 1, 0)
        elif mode == "comment":
            if char == "\n":
                mode = "code"
        else:
            quotes[position] = 1
            if char == "\\":
                width = 2
                quotes[position : position + 2] = 1
            elif text.startswith(delimiter, position):
                width, mode = len(delimiter), "code"
                quotes[position : position + width] = 1
            elif char == "\n" and len(delimiter) == 1:  # an unclosed one-line string ends with its line
                mode = "code"
        for offset in range(width):
            if position + offset < len(text):
                columns[position + offset] = column
                depths[position + offset] = depth
                column = 0 if text[position + offset] == "\n" else column + 1
        position += width
    return dict(quotes=quotes, line=columns, brackets=depths)


# -- the model's states ----------------------------------------------------------------------
def load_char_model(checkpoint):
    """(model, vocab, lowercase) from a character-level checkpoint written by ``gatedrnn train``
    or ``gatedrnn demo``; ``lowercase``: whether its training text was lower-cased."""
    from ..lm.run_checkpoint import model_from_checkpoint

    model, vocab, metadata = model_from_checkpoint(checkpoint)
    if vocab.level != "char":
        raise GatedRNNError(
            f"{checkpoint} is a {vocab.level}-level model; 'gatedrnn lab cells' needs a "
            "character-level one, e.g. from 'gatedrnn demo'"
        )
    lowercase = bool(((metadata.get("run") or {}).get("data") or {}).get("lowercase"))
    return model.eval(), vocab, lowercase


def as_trained(text, lowercase):
    """``text`` as the model's training text was shaped: lower-cased if it was. Character by
    character, and a character whose lower case is longer (İ → i̇) kept, so that the i-th
    character is still the one the features describe."""
    if not lowercase:
        return text
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def encode_text(vocab, text):
    """The ids of ``text``'s characters; unknown ones become the unknown token (an error if there is none)."""
    if vocab.unk_token is None:
        missing = sorted(set(text) - set(vocab.id_to_token))
        if missing:
            raise GatedRNNError(
                f"the text has characters the model never saw ({''.join(missing[:10])!r}); "
                "give a text in the model's alphabet"
            )
        return np.array(vocab.encode(list(text)))
    return np.array(vocab.encode([c if c in vocab else vocab.unk_token for c in text]))


def unit_states(model, ids, layer):
    """Run the model over ``ids`` one character at a time, reading recurrent layer ``layer``.

    Returns the hidden states (T, H) and the cell states (T, H), or None for a GRU or RNN,
    read after each character.
    """
    hidden, cell, state = [], [], None
    for t in range(len(ids)):
        _, state = model(ids[None, t : t + 1], state)
        if isinstance(state, tuple):
            hidden.append(state[0][layer, 0].copy())
            cell.append(state[1][layer, 0].copy())
        else:
            hidden.append(state[layer, 0].copy())
    return np.array(hidden), (np.array(cell) if cell else None)


def correlations(activations, feature):
    """Pearson's r between each unit's column of ``activations`` (T, H) and ``feature`` (T,); 0 where either is flat."""
    a = activations - activations.mean(axis=0)
    f = feature - feature.mean()
    denominator = np.sqrt((a * a).sum(axis=0) * (f * f).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (a * f[:, None]).sum(axis=0) / denominator
    return np.where(denominator > 0, r, 0.0)


def top_units(r, count):
    """The ``count`` units with the largest |r|, as [{"unit", "r"}] best first."""
    order = np.argsort(-np.abs(r), kind="stable")[:count]
    return [dict(unit=int(j), r=float(r[j])) for j in order]


# -- the experiment --------------------------------------------------------------------------
def run(checkpoint, text_path=None, chars=2000, feature="brackets", state=None, unit=None, layer=None, top=5):
    """States of every hidden unit over the text, their correlations with each feature, and the chosen unit.

    ``state`` is "cell" (LSTM only; the default for one) or "hidden"; ``layer`` defaults to the
    top recurrent layer; ``unit`` defaults to the unit of that state best correlated (|r|) with
    ``feature``. Returns a dict with the text, the chosen unit's activation per character, and
    ``units``: state → feature → the ``top`` best units with their r.
    """
    started = time.perf_counter()
    if feature not in FEATURES:
        raise GatedRNNError(f"unknown feature {feature!r}; choose one of {', '.join(FEATURES)}")
    if state is not None and state not in STATES:
        raise GatedRNNError(f"unknown state {state!r}; choose one of {', '.join(STATES)}")
    defaults = signature_defaults(run)  # the examples a refusal gives
    check_counts(defaults, minimum=2, chars=chars)
    check_counts(defaults, top=top)
    model, vocab, lowercase = load_char_model(checkpoint)
    layers = model.rnn.num_layers
    layer = layers - 1 if layer is None else layer
    if not (is_whole_number(layer, 0) and layer < layers):
        raise GatedRNNError(f"layer must be in 0 … {layers - 1} for this {layers}-layer model, got {layer!r}")
    if text_path is None:
        text, source = default_text()
    else:
        source = str(text_path)
        text = read_text_start(text_path, chars)
    text = text[:chars]
    check_fits(
        f"cells over {len(text):,} characters",
        len(text) * FLOAT_BYTES * (STATE_FLOATS_PER_UNIT * model.config.hidden_size * model.rnn.num_layers + 8),
        "use fewer chars",
    )
    if len(text) < 2:
        raise GatedRNNError(f"{source} holds fewer than 2 characters; give a longer text")
    features = python_text_features(text)
    if unit is None and np.ptp(features[feature]) == 0:  # every unit's r would be 0: none tracks it
        raise GatedRNNError(
            f"the first {len(text):,} characters of {source} have no {FEATURE_WORDS[feature]}, so no unit "
            "can be found tracking them; give a text that has some, choose another --feature, or name a --unit"
        )
    hidden, cell = unit_states(model, encode_text(vocab, as_trained(text, lowercase)), layer)
    available = {"hidden": hidden} if cell is None else {"cell": cell, "hidden": hidden}
    state = state or ("cell" if cell is not None else "hidden")
    if state not in available:
        raise GatedRNNError(f"a {model.config.cell.upper()} has no cell state; use --state hidden")
    r = {name: {f: correlations(values, features[f]) for f in FEATURES} for name, values in available.items()}
    size = available[state].shape[1]
    if unit is None:
        unit = top_units(r[state][feature], 1)[0]["unit"]
    elif not (is_whole_number(unit, 0) and unit < size):
        raise GatedRNNError(f"unit must be in 0 … {size - 1} for this model, got {unit!r}")
    return dict(
        experiment="cells",
        checkpoint=str(checkpoint),
        text_source=source,
        chars=len(text),
        model=model.config.to_dict(),
        layer=layer,
        state=state,
        unit=int(unit),
        feature=feature,
        r={f: float(r[state][f][unit]) for f in FEATURES},
        # A feature the text lacks has no unit tracking it: an empty list, not units at r = 0.
        units={
            name: {f: top_units(v, top) if np.ptp(features[f]) else [] for f, v in per.items()}
            for name, per in r.items()
        },
        text=text,
        activations=available[state][:, unit].tolist(),
        seconds=time.perf_counter() - started,
    )


# -- drawing -----------------------------------------------------------------------------------
def colour_of(value, scale):
    """RGB in 0 … 255: white at 0, towards blue for negative and red for positive, full at ±scale."""
    share = float(np.clip(value / scale, -1.0, 1.0)) if scale > 0 else 0.0
    fade = int(round(255 * (1 - abs(share))))
    return (255, fade, fade) if share >= 0 else (fade, fade, 255)


def activation_scale(activations):
    """The value drawn at full colour: the largest |activation| (a cell state c is unbounded, h is in [-1, 1])."""
    peak = float(np.max(np.abs(activations))) if len(activations) else 0.0
    return peak if peak > 0 else 1.0


def describe(results):
    """One line naming the unit and how it correlates with each feature."""
    rs = ", ".join(f"{f} r = {results['r'][f]:+.2f}" for f in FEATURES)
    return f"{results['state']} unit {results['unit']} of layer {results['layer']} ({rs})"


def write_html(results, path):
    """The text with each character's background the unit's colour, and the best units per feature."""
    scale = activation_scale(results["activations"])
    spans = []
    for char, value in zip(results["text"], results["activations"], strict=True):
        red, green, blue = colour_of(value, scale)
        shown = "↵\n" if char == "\n" else html.escape(char)
        spans.append(f'<span style="background:rgb({red},{green},{blue})" title="{value:+.3f}">{shown}</span>')
    rows = []
    for state, per in results["units"].items():
        for feature, best in per.items():
            listed = ", ".join(f"{entry['unit']} (r = {entry['r']:+.2f})" for entry in best)
            rows.append(f"<tr><td>{state}</td><td>{feature}</td><td>{listed}</td></tr>")
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">{HTML_GENERATOR_TAG}
<title>gatedrnn lab cells: {html.escape(describe(results))}</title>
<style>body {{ font-family: sans-serif; margin: 2em; }} pre {{ font-family: monospace; line-height: 1.35; }}
td {{ padding: 0.2em 0.8em; }}</style></head>
<body>
<h1>{html.escape(describe(results))}</h1>
<p>Model: {html.escape(results["checkpoint"])}. Text: {html.escape(results["text_source"])}, first {results["chars"]}
characters. Blue: negative, red: positive, full colour at ±{scale:.3g}. Hover over a character for the value.</p>
<pre>{"".join(spans)}</pre>
<h2>Units that track each feature (Pearson r over the text)</h2>
<table><tr><th>state</th><th>feature</th><th>units, best first</th></tr>
{"".join(rows)}
</table>
</body></html>
"""
    atomic_write_bytes(path, page.encode("utf-8"))


def plot(results, path, max_lines=48, max_columns=100):
    """The first ``max_lines`` lines of the text, one coloured box per character, as a PNG."""
    plt = pyplot()
    scale = activation_scale(results["activations"])
    lines, line = [], []
    for char, value in zip(results["text"], results["activations"], strict=True):
        line.append((char, value))
        if char == "\n":
            lines.append(line)
            line = []
    if line:
        lines.append(line)
    lines = [row[:max_columns] for row in lines[:max_lines]]
    width = max(len(row) for row in lines)
    grid = np.ones((len(lines), width, 3))
    for y, row in enumerate(lines):
        for x, (_, value) in enumerate(row):
            grid[y, x] = np.array(colour_of(value, scale)) / 255.0
    figure, ax = plt.subplots(figsize=(max(6.0, width * 0.105), len(lines) * 0.2 + 0.9), dpi=110)
    ax.imshow(grid, aspect="auto", interpolation="nearest")
    for y, row in enumerate(lines):
        for x, (char, _) in enumerate(row):
            if not char.isspace():
                ax.text(x, y, char, ha="center", va="center", fontsize=7, family=monospace_family())
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(describe(results) + f"; blue < 0 < red, full at ±{scale:.2g}", fontsize=9)
    figure.tight_layout()
    save_figure(figure, path)
