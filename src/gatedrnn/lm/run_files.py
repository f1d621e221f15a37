"""Transitional: the names that lived here before run_directory and run_checkpoint were split."""
from .config import LARGEST_PLAUSIBLE_WEIGHT  # noqa: F401
from .run_checkpoint import *  # noqa: F401,F403
from .run_checkpoint import RUN_SECTIONS, _check_values  # noqa: F401
from .run_directory import *  # noqa: F401,F403
from .run_directory import LOCK_NAME, RUN_FILE_NAMES, RUN_MARKERS, RunFiles, check_results_file  # noqa: F401
