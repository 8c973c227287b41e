"""Forms of the AI cybersecurity grants program's pages."""
