"""Benchmarks (one folder each, run as scripts) and the synthetic record they measure against."""
