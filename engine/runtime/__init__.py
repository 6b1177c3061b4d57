"""What a session runs on: the compiled `Program` (shared, immutable), the `transitions`
machines, and the `Session` with its parts. Imports from `format`, never from `tools`."""
