"""The state table of the AI cybersecurity grants program: states, allowed transitions, who may take each."""
