"""The schema-lint language server (pygls 2): one module per LSP concern.

``server`` creates it, ``capabilities`` and ``settings`` resolve what the client can do and
wants, ``workspace`` holds each root's project and open documents, ``analysis`` schedules
and delivers diagnostics, ``convert`` translates positions and values, and each request or
notification has its own module.
"""
