"""Plain frozen data that every stage of the pipeline reads and never mutates."""
