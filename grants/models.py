"""Data and invariants of the AI cybersecurity grants program (clean()); no workflow here."""
