"""Yardstick's benchmarks: `make bench` (python -m bench). Results go to docs/benchmarks.md."""
