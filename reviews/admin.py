"""Admin of the Frontier model reviews program: querysets from the selectors, state changes through services."""
