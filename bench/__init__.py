"""Benchmarks for ILS Coach: latency, start-up, memory, scale and concurrency (`python -m bench`)."""
