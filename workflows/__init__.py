"""Case workflows (one module per case type) and their shared building blocks.

Deterministic code only: no I/O, no wall clock, no randomness. Everything that touches the outside
world is an activity in `activities/`.
"""
