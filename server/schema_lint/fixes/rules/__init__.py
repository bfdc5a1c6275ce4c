"""One fixer module per rule, named like the rule's module in ``rules/``, with a ``fix``
function ``(Diagnostic, Sources, FixContext) -> Fix | NoFix``; found by that name."""
