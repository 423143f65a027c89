"""Benchmarks: `python -m bench [--quick]`. Kept out of the normal test run."""
