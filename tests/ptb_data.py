"""Where the tests find the Penn Treebank: $GATEDRNN_DATA, else the shared folder beside the repository."""
import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DATA_DIR = Path(os.environ.get("GATEDRNN_DATA", SHARED_DATA)).resolve()  # a relative setting too
PTB_DIR = DATA_DIR / "ptb"
needs_ptb = pytest.mark.skipif(not (PTB_DIR / "ptb.train.txt").is_file(),
                               reason=f"Penn Treebank files not found in {PTB_DIR}")
