"""The state table of the Tech Force cyber hiring program: states, allowed transitions, who may take each."""
