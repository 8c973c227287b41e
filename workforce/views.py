"""Pages of the Tech Force cyber hiring program; thin: selectors to read, services to write."""
