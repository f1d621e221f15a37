"""The book's own trained parameters, loaded into gatedrnn: does the conversion hold?

    python benchmarks/book_params.py --book DIR [--data-dir DATA]      # seconds

Reads DIR/ch06/Rnnlm.pkl (the parameters the book's repository ships, saved by its
train_rnnlm.py) with gatedrnn.lm.load_book_params (an unpickler that accepts NumPy arrays and
lists only), builds the model with from_book, and scores PTB's test split in the book's word
ids (book_ptb_vocabulary) with gatedrnn.lm.evaluate_nll, batch 10 and windows of 35 as the
book's eval_perplexity does. The book reports a test perplexity of about 136 for this model.
Writes ``benchmarks/results/book_params.json``.
"""

import argparse
import math
import os
import time
from pathlib import Path

from gatedrnn.files import machine_info, timestamp, write_json
from gatedrnn.lm import book_ptb_vocabulary, evaluate_nll, from_book, load_book_params
from gatedrnn.lm.book import read_book_ptb_split

RESULTS = Path(__file__).parent / "results" / "book_params.json"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", required=True, help="a checkout of deep-learning-from-scratch-2")
    parser.add_argument("--data-dir", default=os.environ.get("GATEDRNN_DATA"))
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    pkl = Path(args.book) / "ch06" / "Rnnlm.pkl"
    params = load_book_params(pkl)
    model = from_book(params)
    vocab = book_ptb_vocabulary(args.data_dir)
    test = vocab.encode(read_book_ptb_split("test", args.data_dir))
    started = time.perf_counter()
    nll = evaluate_nll(model, test, 10, 35)
    print(
        f"{pkl}: {len(params)} arrays, {model.num_parameters():,} parameters; PTB test perplexity "
        f"{math.exp(nll):.2f} ({test.size:,} tokens, {time.perf_counter() - started:.1f} s)"
    )
    write_json(
        args.out,
        dict(
            finished=timestamp(),
            command="python benchmarks/book_params.py --book DIR",
            file="ch06/Rnnlm.pkl",
            arrays=[list(p.shape) for p in params],
            stored_dtype=str(params[0].dtype),
            parameters=model.num_parameters(),
            test_tokens=int(test.size),
            test_ppl=math.exp(nll),
            book_reports_about=136,
            machine=machine_info(),
        ),
    )
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
