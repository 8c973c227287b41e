"""Background work of the AI cybersecurity grants program, run by django-q2 workers as the system user."""
