"""Source files to facts: model declarations and migration operations."""
