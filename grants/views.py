"""Pages of the AI cybersecurity grants program; thin: selectors to read, services to write."""
