"""Reading source files: discovery, decoding and parsing."""
