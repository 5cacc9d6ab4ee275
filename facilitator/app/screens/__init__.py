"""Modal screens over the projector view."""
