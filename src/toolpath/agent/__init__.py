"""The agent: the run (decompose -> search -> execute -> verify -> replan), LLM backends, CLI."""
