"""Benchmarks: reproducible measurements quoted in the README (never asserted in tests)."""
