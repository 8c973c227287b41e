"""Forms of the Frontier model reviews program's pages."""
