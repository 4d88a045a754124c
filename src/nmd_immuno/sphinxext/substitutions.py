"""Expand MyST substitutions that refer to other substitutions, once, when the configuration is read.

``_config.yml`` keeps the JupyterHub address in one substitution (``jupyterhub_url``) and uses it inside the
``live_kernel_note`` text. MyST only resolves ``{{ name }}`` where it parses inline text, not inside a link
destination, so ``[course JupyterHub]({{ jupyterhub_url }})`` would stay a literal string. Rendering each
value with the others as its context (Jinja, strict: an unknown name fails the build) makes the link real.
"""

from __future__ import annotations

from typing import Any

import jinja2
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError


def expand(substitutions: dict[str, Any]) -> dict[str, Any]:
    """Each string value rendered with the other values as Jinja variables (one level deep)."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    expanded: dict[str, Any] = {}
    for key, value in substitutions.items():
        if isinstance(value, str) and "{{" in value:
            others = {k: v for k, v in substitutions.items() if k != key}
            try:
                expanded[key] = env.from_string(value).render(**others)
            except jinja2.TemplateError as exc:
                raise ConfigError(f"_config.yml: parse.myst_substitutions.{key}: {exc}") from exc
        else:
            expanded[key] = value
    return expanded


def _on_config_inited(app: Sphinx, config: Config) -> None:
    substitutions = getattr(config, "myst_substitutions", None)
    if isinstance(substitutions, dict) and substitutions:
        config.myst_substitutions = expand(substitutions)


def setup(app: Sphinx) -> None:
    """Runs before myst-parser turns the Sphinx config into its own (builder-inited)."""
    app.connect("config-inited", _on_config_inited, priority=400)
