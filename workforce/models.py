"""Data and invariants of the Tech Force cyber hiring program (clean()); no workflow here."""
