import numpy as np
import pytest

import gatedrnn


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same library and NumPy seeds, so failures reproduce."""
    gatedrnn.seed(1234)
    np.random.seed(1234)


def pytest_report_header(config):
    """Say at the top of every run where the Penn Treebank was found, so no skip goes unseen."""
    from helpers.ptb_data import describe

    return describe()
