"""The state table of the Frontier model reviews program: states, allowed transitions, who may take each."""
