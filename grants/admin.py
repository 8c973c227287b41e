"""Admin of the AI cybersecurity grants program: querysets from the selectors, state changes through services."""
