import numpy as np
import pytest

import gatedrnn


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same library and NumPy seeds, so failures reproduce."""
    gatedrnn.seed(1234)
    np.random.seed(1234)


