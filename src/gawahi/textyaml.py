"""YAML read as text: the loader that mapping files and profile packs share.

Plain YAML reads ``no`` as false, ``1.10`` as 1.1 and ``2013-03-12`` as a date; in
data files written by people these are null markers, versions, codes and map keys,
so every scalar stays text as written, and a key given twice is an error rather than
a silent overwrite.

``FastTextLoader`` is the same loader on libyaml's parser when PyYAML was built with it
(about ten times faster on the profile packs); ``TextLoader`` stays the pure-Python one.
"""

from __future__ import annotations

from typing import Any

import yaml


class _TextConstructor:
    """Refuses a key given twice (mixed into a safe loader)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"the key {key_node.value!r} is given twice",
                        key_node.start_mark,
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc, no-any-return]


class TextLoader(_TextConstructor, yaml.SafeLoader):
    """Safe YAML where every scalar stays text and duplicate keys are refused."""


_FAST_BASE: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FastTextLoader(_TextConstructor, _FAST_BASE):
    """``TextLoader`` on libyaml's parser, when PyYAML has it."""


_KEEP_TAGS = ("tag:yaml.org,2002:null", "tag:yaml.org,2002:merge")
for _loader in (TextLoader, FastTextLoader):
    _loader.yaml_implicit_resolvers = {
        first: [(tag, regex) for tag, regex in resolvers if tag in _KEEP_TAGS]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
