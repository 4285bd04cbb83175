"""Pages that present figures, one module per page family."""
