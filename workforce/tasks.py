"""Background work of the Tech Force cyber hiring program, run by django-q2 workers as the system user."""
