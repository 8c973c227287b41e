"""Every read of the AI cybersecurity grants program: `visible_to(user)` querysets with their joins."""
