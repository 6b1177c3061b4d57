"""The scenario format: safe YAML with marks (`source`), the declarative schema, the pattern
language, placeholders, and the loader that turns a file into a frozen `model.Scenario`.

Imports nothing from `runtime` or `tools`."""
