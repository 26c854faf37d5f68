"""Places: administrative units and their history, the gazetteer, boundaries, geocoding
and population denominators (see docs/geography.md)."""
