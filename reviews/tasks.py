"""Background work of the Frontier model reviews program, run by django-q2 workers as the system user."""
