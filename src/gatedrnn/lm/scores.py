"""A language model's score, from the mean negative log-likelihood per token, in one place.

nll        = -(1/M) Σ_i log p(x_i | x_<i)       nats per token (what the loss computes)
perplexity = exp(nll)                            the effective branching factor
bits       = nll / ln 2 = log2(perplexity)       bits per token (bits per character
                                                 for a character-level model)
"""

import math

# A diverging run's nll can exceed what exp() can represent; its perplexity is shown as
# exp(MAX_SHOWN_NLL) (about 5e21), which still reads as "diverged".
MAX_SHOWN_NLL = 50.0


def perplexity(nll):
    """exp(nll), capped at exp(MAX_SHOWN_NLL) so that a diverging run still prints a number."""
    return math.exp(min(nll, MAX_SHOWN_NLL))


def bits(nll):
    """nll in bits: nll / ln 2."""
    return nll / math.log(2)


def describe(nll, char_level):
    """'ppl 138.94' for word-level models, 'bpc 2.015' for character-level ones."""
    return f"bpc {bits(nll):.3f}" if char_level else f"ppl {perplexity(nll):.2f}"
