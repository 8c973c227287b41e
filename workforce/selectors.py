"""Every read of the Tech Force cyber hiring program: `visible_to(user)` querysets with their joins."""
