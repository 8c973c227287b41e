"""Admin of the Tech Force cyber hiring program: querysets from the selectors, state changes through services."""
