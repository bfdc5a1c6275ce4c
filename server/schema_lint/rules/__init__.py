"""Rules: small pure functions from schema facts to diagnostics, one module each."""
