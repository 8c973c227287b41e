"""Admin of the AI cybersecurity clearinghouse program: querysets from the selectors, state changes through services."""
