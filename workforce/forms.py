"""Forms of the Tech Force cyber hiring program's pages."""
