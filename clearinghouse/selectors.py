"""Every read of the AI cybersecurity clearinghouse program: `visible_to(user)` querysets with their joins."""
