"""The rows of tests/robustness/test_bad_inputs.py: one module per area, collected by rows.py."""
