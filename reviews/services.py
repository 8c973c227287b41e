"""Every write of the Frontier model reviews program: plain functions taking the acting user as `by`."""
