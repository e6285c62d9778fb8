"""depmap: where deprivation concentrates in England, and how it lines up with the NHS."""

__version__ = "0.1.0"
