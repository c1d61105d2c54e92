"""Reliability: fuzzing against the contract, invariants under random operations, faults and load."""
