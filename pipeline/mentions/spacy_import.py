"""spaCy, imported without its command-line package.

spaCy 3's `spacy/__init__.py` runs `from .cli.info import info`, and `spacy.cli` imports every command of
spaCy's CLI with typer, requests, weasel, httpx and rich: about 0.4 s, a quarter of a cold
`planextract extract`, for `spacy.info`, which extraction never calls. Upstream has worked on making the
import lazy (explosion/spaCy#12962, #13933); until a pinned release does, `import_spacy` does the same from
outside, and only for the one import.
"""
from __future__ import annotations

import sys
import types
from typing import Any

_STAND_INS = ("spacy.cli", "spacy.cli.info")


def _info(*args: Any, **kwargs: Any) -> Any:
    """spacy.info as spaCy defines it, its command-line package imported on the first call."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


def import_spacy() -> types.ModuleType:
    """Return the spacy module, importing it (once per process) without importing spacy.cli.

    While spaCy imports, `spacy.cli` and `spacy.cli.info` are stand-ins in sys.modules, the latter holding a
    `spacy.info` that imports the real one when called. They are removed afterwards, so a later
    `import spacy.cli` imports the real package. A spaCy whose package needs more of spacy.cli than `info`
    fails against the stand-ins; it is then imported as is.
    """
    if "spacy" in sys.modules or any(name in sys.modules for name in _STAND_INS):
        import spacy

        return spacy
    cli = types.ModuleType("spacy.cli")
    cli.__path__ = []  # a package, with no submodules of its own
    info = types.ModuleType("spacy.cli.info")
    info.info = _info  # type: ignore[attr-defined]
    stand_ins = {"spacy.cli": cli, "spacy.cli.info": info}
    sys.modules.update(stand_ins)
    try:
        import spacy
    except Exception:  # noqa: BLE001 - whatever a spaCy that needs more of spacy.cli raises, import it as is
        for name in [n for n in sys.modules if n == "spacy" or n.startswith("spacy.")]:
            del sys.modules[name]
        stand_ins.clear()
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
    import spacy

    return spacy
