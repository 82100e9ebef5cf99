"""Input: the YAML input's shape (model), reading it with locations (load), its JSON Schema, and next year's input from this year's (next_year)."""
