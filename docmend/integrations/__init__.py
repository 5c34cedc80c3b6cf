"""Steps that run docmend inside other data tools (datatrove)."""
