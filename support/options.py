"""Which files each yes/no option adds, found by baking with it on and off.

The post-generation hook holds the real table; repeating it here by hand would let
the two drift apart, so the map is the difference between two bakes instead.
"""

from __future__ import annotations

from support.baking import Bake, files_of

# The answer that turns each option off.
OFF = {"include_files": False, "docker": False, "ci": "none", "auth": "none"}


def option_files(bake: Bake) -> dict[str, frozenset[str]]:
    """option -> the files the default bake has and the bake without it lacks."""
    everything = files_of(bake())
    return {
        option: frozenset(everything - files_of(bake(**{option: off})))
        for option, off in OFF.items()
    }
