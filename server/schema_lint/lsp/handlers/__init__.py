"""One module per LSP request or notification, each with a ``register(server)``."""
