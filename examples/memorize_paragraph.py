"""Train an LSTM until it recites a paragraph of about 800 characters from its first letter.

    python examples/memorize_paragraph.py

The seed notes tried this with a small RNN and got 'eeeera  a tia…'; see
gatedrnn/memorize.py for what was wrong and what fixes it.
"""
import time

from gatedrnn.lm.memorize import greedy_reproduction, memorize

PARAGRAPH = (
    "A recurrent network reads a sentence the way a person listens to one: a word at a time, "
    "carrying what it has heard so far in a small vector that it rewrites at every step. "
    "Nothing about the sentence is kept anywhere else, so the vector must decide, again and again, "
    "what to hold on to and what to let go. A plain network rewrites the whole vector each time, "
    "and what it learned twenty words ago fades or blows up as the gradient is multiplied by the "
    "same matrix over and over on its way back. The long short-term memory adds a second vector, "
    "the cell, that is changed only by addition, with gates that choose how much to forget, how "
    "much to write and how much to show. That one change lets a gradient travel back across a "
    "whole paragraph, which is why this network can learn to recite one."
)


def main():
    print(f"paragraph: {len(PARAGRAPH)} characters, {len(set(PARAGRAPH))} distinct")
    started = time.perf_counter()
    model, chars, steps = memorize(PARAGRAPH, hidden_size=128, max_steps=3000, echo=print)
    if steps is None:
        raise SystemExit("did not memorise the paragraph within 3000 updates")
    print(f"memorised after {steps} updates ({time.perf_counter() - started:.0f} s); greedy generation from "
          f"{PARAGRAPH[0]!r}:\n")
    print(greedy_reproduction(model, chars, PARAGRAPH[0], len(PARAGRAPH)))


if __name__ == "__main__":
    main()
