"""The research diary's own code: the MkDocs plugin `diary` (diary.plugin) and the tools behind scripts/."""
