"""Victim groups and perpetrators: packs (YAML data), the tagger and its provenance."""
