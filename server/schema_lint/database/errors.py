"""What can go wrong before a database can be compared, said in one line without secrets."""

from __future__ import annotations


class DatabaseError(Exception):
    """The database cannot be read (bad URL, missing driver, refused connection, missing
    privilege). The message is one line, names what to do where it can, and never holds the
    password."""
