"""Every write of the AI cybersecurity clearinghouse program: plain functions taking the acting user as `by`."""
