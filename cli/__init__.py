"""Closer's command line: the only part of Closer that prints, prompts, sleeps or exits."""
