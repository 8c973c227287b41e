"""Every write of the AI cybersecurity grants program: plain functions taking the acting user as `by`."""
