"""The state table of the AI cybersecurity clearinghouse program: states, allowed transitions, who may take each."""
