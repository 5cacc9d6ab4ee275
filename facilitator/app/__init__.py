"""The trainer's projector app (Textual)."""

from facilitator.app.projector import ProjectorApp, ProjectorOptions, make_app

__all__ = ["ProjectorApp", "ProjectorOptions", "make_app"]
