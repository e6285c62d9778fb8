"""The files depmap reads: where they sit under the data folder (:mod:`sources.layout`),
and one reader each for tables (:mod:`sources.tables`), boundaries
(:mod:`sources.boundaries`) and GSS codes (:mod:`sources.codes`). No database here:
the loaders and ``depmap fetch`` both stand on it."""
