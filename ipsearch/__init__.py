"""Patent search: the normalised document model, text analysis, index mapping, backends, query language."""
