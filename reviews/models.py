"""Data and invariants of the Frontier model reviews program (clean()); no workflow here."""
