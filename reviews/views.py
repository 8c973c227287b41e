"""Pages of the Frontier model reviews program; thin: selectors to read, services to write."""
