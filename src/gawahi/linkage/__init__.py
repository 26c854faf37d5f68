"""Linkage: one incident reported by several sources becomes one cluster, with reasons."""
