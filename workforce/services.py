"""Every write of the Tech Force cyber hiring program: plain functions taking the acting user as `by`."""
