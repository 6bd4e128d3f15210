"""``pkm read``: the interactive triage (Textual; imported only by ``pkm read``)."""
