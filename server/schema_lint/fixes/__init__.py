"""Quick-fixes: libcst transformations computed on demand for a diagnostic."""
