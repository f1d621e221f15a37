"""Data: vocabularies, corpora (the Penn Treebank, any text file; word or char level) and the
truncated-BPTT batch streams a language model trains on; padded batches of whole sequences."""

from .batching import TBPTTBatches
from .corpus import Corpus
from .paths import resolve_data_dir
from .ptb import PTB_MD5, load_ptb
from .sequences import BucketBatches, pad_sequences
from .text import load_text
from .vocab import Vocabulary

__all__ = [
    "Vocabulary",
    "Corpus",
    "load_ptb",
    "load_text",
    "resolve_data_dir",
    "TBPTTBatches",
    "PTB_MD5",
    "BucketBatches",
    "pad_sequences",
]
