"""Shipped scenario files (package data). `closer list` shows them; the standard intent library
lives in `library/standard.yaml`. Read them through `DIR`, never through the current folder."""

from pathlib import Path

DIR = Path(__file__).parent
