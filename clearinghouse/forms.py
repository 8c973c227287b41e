"""Forms of the AI cybersecurity clearinghouse program's pages."""
