"""The evidence report: a stored assessment written as HTML, PDF and Word, with charts,
maps, citations and a manifest that ``gawahi verify`` recomputes from the store."""
