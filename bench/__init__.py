"""Benchmarks of MotCua: `make bench` or `.venv/bin/python -m bench.run --help`. Figures only; nothing asserts them."""
