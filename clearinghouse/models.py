"""Data and invariants of the AI cybersecurity clearinghouse program (clean()); no workflow here."""
