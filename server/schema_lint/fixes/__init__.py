"""Quick-fixes: libcst-guided edits computed on demand for a diagnostic.

:mod:`~schema_lint.fixes.api` computes one finding's fix (``compute_fix``), the data both
front ends use; :mod:`~schema_lint.fixes.apply` applies many and writes files;
:mod:`~schema_lint.fixes.noqa` makes the "ignore on this line" edit. The rule-specific fixes
live in modules named like their rules; the rest are the shared editing tools.
"""
