"""Tools that read a compiled program or a session's events: lint, graph, explain, coverage,
conversation tests, exploration and the debrief. They import `runtime` and `format`."""
