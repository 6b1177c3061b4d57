"""Shipped scenario files (package data). `closer list` shows them; the standard intent library
lives in `library/standard.yaml`."""
