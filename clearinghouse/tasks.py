"""Background work of the AI cybersecurity clearinghouse program, run by django-q2 workers as the system user."""
