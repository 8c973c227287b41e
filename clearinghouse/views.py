"""Pages of the AI cybersecurity clearinghouse program; thin: selectors to read, services to write."""
