"""The schema-lint language server (pygls 2): a thin front end over the engine.

Server state lives beside the handlers: ``server`` creates the server, ``capabilities`` and
``settings`` resolve what the client can do and wants, ``workspace`` holds each root's
project and open documents, ``session`` schedules analyses and delivers diagnostics, and
``convert`` translates positions and values. ``handlers/`` has one module per request or
notification.
"""
