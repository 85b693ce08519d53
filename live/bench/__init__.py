"""Benchmarks that run the real thing and compare it, in the same run, with the naive way and
with the machine's floor. Timings on a shared machine are noisy: read the ratios."""
