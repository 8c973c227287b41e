"""Performance benchmarks of the EO Portal at a million rows: `python bench/run.py` (see README.md)."""
