"""Every read of the Frontier model reviews program: `visible_to(user)` querysets with their joins."""
