"""Schema states: what the models declare and what the migrations produce."""
